#!/bin/sh
# Installs the Debian packages faultline builds with, when they are missing.
# Runs as root (apt-get) or with sudo; prints what it does and nothing else.
set -eu
need=""
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
# libclang-rt-dev: clang's runtimes, libFuzzer among them (make test-fuzz);
# clang only recommends it, and recommends are not installed.  python3:
# tests/cli/run.sh validates `faultline run --json` with its json module.
# parallel: tests/cli/explore.sh runs explore shards under GNU parallel.
# python3-jsonschema: tests/cli/json.sh validates the JSON outputs against
# docs/faultline.schema.json.
# gcc-aarch64-linux-gnu, libc6-dev-arm64-cross: fl-agent cross-built static
# for arm64 (scripts/cross-agent.sh), the VM judge's guest agent and /init.
# gcc-i686-linux-gnu, gcc-arm-linux-gnueabihf, gcc-riscv64-linux-gnu and
# their libc6-dev-*-cross: the guest programs and our pin module for the
# i386, armhf and riscv64 judges (tests/cli/vm_arch.sh; without them that
# test is a counted skip, and a fresh machine would check less than CI).
# qemu-system-arm (qemu-system-aarch64, -arm), qemu-system-x86 (-x86_64,
# -i386), qemu-system-misc (-riscv64): real kernels under QEMU as judges
# (docs/vm.md); debian-archive-keyring checks the kernel packages
# `faultline kernels fetch` downloads.
# btrfs-progs, e2fsprogs, xz-utils, zstd: a guest's btrfs and ext4 disks
# (mkfs.btrfs, mkfs.ext4) and its modules, which newer Debian kernels ship
# compressed (docs/vm.md).  ninja-build: the generator of the Makefile's
# trees (README "Suite time").
for p in cmake ninja-build gcc clang libclang-rt-dev make pkg-config libcmocka-dev \
	 libjansson-dev libxxhash-dev python3 python3-jsonschema parallel \
	 qemu-system-arm qemu-system-x86 qemu-system-misc gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
	 gcc-i686-linux-gnu libc6-dev-i386-cross gcc-arm-linux-gnueabihf libc6-dev-armhf-cross \
	 gcc-riscv64-linux-gnu libc6-dev-riscv64-cross \
	 debian-archive-keyring btrfs-progs e2fsprogs xz-utils zstd; do
  have_pkg "$p" || need="$need $p"
done
[ -z "$need" ] && exit 0
echo "install-deps: installing$need" >&2
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null
