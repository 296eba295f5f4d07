#!/bin/sh
# scripts/cross-agent.sh ARCH OUT SRC... - build fl-agent (the host
# backend's scenario-process side, docs/host.md "agent protocol") as a
# static program for ARCH with Debian's cross compiler, and check that the
# result is a static executable for that machine.  CMake passes the
# sources (FL_AGENT_SRCS) and runs this as the test agent_cross_ARCH.
# A missing cross compiler is installed by scripts/install-deps.sh, never
# skipped.
set -eu
arch=${1:?usage: cross-agent.sh ARCH OUT SRC...}
out=${2:?usage: cross-agent.sh ARCH OUT SRC...}
shift 2
here=$(cd "$(dirname "$0")/.." && pwd)
case $arch in
arm64) triple=aarch64-linux-gnu; machine=AArch64 ;;
*) echo "cross-agent: no cross compiler known for $arch" >&2; exit 2 ;;
esac
cc=$triple-gcc
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "cross-agent: $cc missing: installing it (scripts/install-deps.sh)" >&2
	sh "$here/scripts/install-deps.sh"
fi
command -v "$cc" >/dev/null 2>&1 || { echo "cross-agent: $cc still missing" >&2; exit 1; }
cd "$here"
"$cc" -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -Iinclude -I. -Ivm/pin_module \
	-static -pthread -o "$out" "$@"
hdr=$("$triple-readelf" -h "$out")
echo "$hdr" | grep -q "Machine: *$machine" || { echo "cross-agent: $out is not $machine: $hdr" >&2; exit 1; }
"$triple-readelf" -l "$out" | grep -q INTERP && { echo "cross-agent: $out is not static" >&2; exit 1; }
echo "cross-agent: $out: static $machine executable, $(wc -c <"$out") bytes"
