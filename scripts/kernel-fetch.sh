#!/bin/sh
# scripts/kernel-fetch.sh CACHE NAME - fetch Debian's kernel NAME
# (debian-{5.10,6.1,6.12}-{arm64,amd64,i386,armhf}, debian-6.12-riscv64;
# docs/vm.md has the table) into CACHE/NAME, with apt's own
# signature checking and WITHOUT touching the machine's apt configuration.
# Run by `faultline kernels fetch` (cli/cmd_kernels.c), which validates NAME
# and maps this script's exit code: 0 fetched, 2 bad name, 3 download
# failed (offline, mirror gone), 4 anything else.
#
# Why a private apt state: adding bullseye or trixie to /etc/apt makes the
# next `apt-get install` upgrade the machine to that suite (it happened on
# this machine kind: trixie's libc and openssl, cmake broken).  Here apt
# reads a sources file of our own, keeps its lists and cache under
# CACHE/apt/SUITE, and only ever *downloads* one .deb; dpkg-deb -x unpacks
# it.  The mirror URI is the system's own Debian source (FL_DEBIAN_MIRROR
# overrides it), the keyring the system's debian-archive-keyring.
#
# Result, CACHE/NAME/:
#   vmlinuz    the kernel image (arm64: an uncompressed Image; amd64: bzImage)
#   modules/   the package's lib/modules/ABI tree
#   info       package=, version=, arch=, suite=, deb_bytes=, fetch_seconds=
set -eu

die() { echo "kernel-fetch: $2" >&2; exit "$1"; }

[ $# -eq 2 ] || die 2 "usage: kernel-fetch.sh CACHE NAME"
cache=$1 name=$2
case $name in
debian-5.10-*) suite=bullseye ;;
debian-6.1-*)  suite=bookworm ;;
debian-6.12-*) suite=trixie ;;
*) die 2 "$name: not a known kernel (debian-{5.10,6.1,6.12}-{arm64,amd64,i386,armhf}, debian-6.12-riscv64)" ;;
esac
# The flavour Debian builds for a QEMU machine of the arch: i386's 686
# (no PAE), armhf's armmp (the multiplatform kernel the "virt" board
# boots), riscv64's one flavour (an official Debian arch from trixie).
case $name in
*-arm64)   arch=arm64 flavour=arm64 ;;
*-amd64)   arch=amd64 flavour=amd64 ;;
*-i386)    arch=i386 flavour=686 ;;
*-armhf)   arch=armhf flavour=armmp ;;
*-riscv64) arch=riscv64 flavour=riscv64 ;;
*) die 2 "$name: not a known kernel (debian-{5.10,6.1,6.12}-{arm64,amd64,i386,armhf}, debian-6.12-riscv64)" ;;
esac
for tool in apt-get apt-cache dpkg-deb; do
	command -v $tool >/dev/null || die 3 "$tool is missing: fetching needs Debian's apt"
done
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r $keyring ] || die 3 "$keyring is missing (package debian-archive-keyring)"

# The first URI of the system's Debian source that serves the main archive
# (deb822 debian.sources first, then a one-line sources.list).
mirror_uri() {
	if [ -n "${FL_DEBIAN_MIRROR:-}" ]; then
		echo "$FL_DEBIAN_MIRROR"
		return
	fi
	for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
		[ -r "$f" ] || continue
		uri=$(sed -n -e 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' \
			     -e 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\).*/\2/p' "$f" |
		      grep -v -e security -e '^$' | head -n 1)
		if [ -n "$uri" ]; then
			echo "$uri"
			return
		fi
	done
	echo http://deb.debian.org/debian
}

uri=$(mirror_uri)
# One state per suite and arch: apt downloads only that arch's package lists.
state=$cache/apt/$suite-$arch
. "$(dirname "$0")/apt-private.sh"
apt_private_init "$state" "$suite" "$uri" "$arch"

start=$(date +%s)
# apt-get update exits 0 when it only warns that a mirror could not be
# reached: no package list is the failure.
update_failed() {
	die 3 "apt-get update of $suite from $uri failed: $(grep -m1 -E '^(E|W):' "$state/update.log" || tail -n 1 "$state/update.log")"
}
apt_private apt-get update >"$state/update.log" 2>&1 || update_failed
ls "$state"/lists/*_Packages* >/dev/null 2>&1 || update_failed

# The flavour's meta package depends on the current ABI's image package;
# the -unsigned one holds the plain vmlinuz (arm64: an Image) and modules.
meta=linux-image-$flavour
abi=$(apt_private apt-cache depends "$meta:$arch" 2>/dev/null |
      sed -n 's/^[[:space:]]*Depends:[[:space:]]*\(linux-image-[0-9][^:[:space:]]*\).*/\1/p' | head -n 1)
[ -n "$abi" ] || die 3 "$suite has no $meta for $arch"
pkg=$abi-unsigned
# (riscv64 names an -unsigned package that no package is: no candidate.)
apt_private apt-cache policy "$pkg:$arch" 2>/dev/null | grep -q 'Candidate: [0-9]' || pkg=$abi

tmp=$cache/.tmp-$name.$$
rm -rf "$tmp"
mkdir -p "$tmp/root"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt_private apt-get download "$pkg:$arch") >"$tmp/download.log" 2>&1 ||
	die 3 "apt-get download $pkg:$arch failed: $(grep -m1 -E '^(E|W):' "$tmp/download.log" || tail -n 1 "$tmp/download.log")"
deb=$(ls "$tmp"/*.deb)
dpkg-deb -x "$deb" "$tmp/root" || die 4 "dpkg-deb -x $deb failed"
vmlinuz=$(ls "$tmp"/root/boot/vmlinuz-* "$tmp"/root/boot/vmlinux-* 2>/dev/null | head -n 1)
[ -n "$vmlinuz" ] || die 4 "$pkg has no /boot/vmlinuz-*"
version=$(dpkg-deb -f "$deb" Version)
bytes=$(wc -c <"$deb")

out=$cache/$name
rm -rf "$out"
mkdir -p "$out"
mv "$vmlinuz" "$out/vmlinuz"
# One ABI directory, under /lib or (trixie, merged /usr) /usr/lib.
moddir=$(ls -d "$tmp"/root/lib/modules/*/ "$tmp"/root/usr/lib/modules/*/ 2>/dev/null | head -n 1)
[ -n "$moddir" ] && mv "$moddir" "$out/modules"
cat >"$out/info" <<EOF
name=$name
package=$pkg
version=$version
arch=$arch
suite=$suite
mirror=$uri
deb_bytes=$bytes
fetch_seconds=$(($(date +%s) - start))
EOF
echo "$name: $pkg $version ($bytes bytes) in $(($(date +%s) - start)) s"
