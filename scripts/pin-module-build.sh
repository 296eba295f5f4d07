#!/bin/sh
# scripts/pin-module-build.sh CACHE NAME [SRC] - build faultline_pin.ko
# (vm/pin_module/, docs/vm.md "The pin module") for the cached Debian
# kernel NAME (debian-{5.10,6.1,6.12}-{amd64,arm64,i386,armhf}, 6.12-riscv64) into
# CACHE/NAME/pin/faultline_pin.ko.  Run by `faultline kernels pin NAME`
# (cli/cmd_kernels.c), which maps the exit code: 0 built, 2 bad name or
# the kernel is not fetched, 3 cannot build here (offline, apt, compiler
# missing, an arch without a build), 4 anything else.  SRC is the
# module's source directory (default: pin_module/ beside this script,
# where CMake copies vm/pin_module/).
#
# The kernel's headers come from Debian as the kernel itself does
# (scripts/kernel-fetch.sh): apt with a private state under CACHE/apt,
# `apt-get download` of exactly the version the cached kernel has:
#   linux-headers-RELEASE          the flavour's .config, Module.symvers
#   linux-headers-ABI-common       the headers and Makefiles
#   linux-kbuild-X                 fixdep, modpost: the BUILD machine's
#                                  (amd64) binaries, for every arch
# whose names come from the first one's Depends.  The headers' Makefile
# includes the common one at an absolute /usr/src path: rewritten to the
# unpacked copy.  The compiler is this machine's gcc (amd64) or the cross
# gcc of the kernel's arch (aarch64-, i686-, arm-linux-gnueabihf- or
# riscv64-linux-gnu-gcc), not the kernel's own gcc-10/12/14: Debian
# sets DEBIAN_KERNEL_NO_CC_VERSION_CHECK, and an out-of-tree module only
# needs the same calling convention and structure layouts, which the
# headers and .config fix.  Whether it loads is the guest's to say.
set -eu

die() { echo "pin-module-build: $2" >&2; exit "$1"; }

[ $# -ge 2 ] || die 2 "usage: pin-module-build.sh CACHE NAME [SRC]"
cache=$1 name=$2
src=${3:-$(dirname "$0")/pin_module}
[ -r "$src/faultline_pin.c" ] || die 4 "$src/faultline_pin.c is missing"
info=$cache/$name/info
[ -r "$info" ] || die 2 "$name is not fetched (run: faultline kernels fetch $name)"
get() { sed -n "s/^$1=//p" "$info" | head -n 1; }
pkg=$(get package) version=$(get version) arch=$(get arch) suite=$(get suite)
uri=$(get mirror)
case $arch in
amd64) karch=x86 cross= ;;
arm64) karch=arm64 cross=aarch64-linux-gnu- ;;
i386) karch=x86 cross=i686-linux-gnu- ;;
armhf) karch=arm cross=arm-linux-gnueabihf- ;;
riscv64) karch=riscv cross=riscv64-linux-gnu- ;;
*) die 3 "$name: the pin module is built for amd64, arm64, i386, armhf and riscv64 kernels only" ;;
esac
# gcc and gcc-aarch64-linux-gnu come with scripts/install-deps.sh; the
# other cross compilers are optional, as for the guest programs (docs/vm.md)
command -v "${cross}gcc" >/dev/null ||
	die 3 "${cross}gcc is missing (Debian package gcc${cross:+-${cross%-}})"
for tool in apt-get apt-cache dpkg-deb make; do
	command -v $tool >/dev/null || die 3 "$tool is missing"
done
[ -r /usr/share/keyrings/debian-archive-keyring.gpg ] ||
	die 3 "/usr/share/keyrings/debian-archive-keyring.gpg is missing (package debian-archive-keyring)"
# linux-image-6.1.0-50-amd64-unsigned -> 6.1.0-50-amd64
release=${pkg#linux-image-}
release=${release%-unsigned}

# A state of our own per suite: the build machine's arch (amd64, for
# linux-kbuild) and the kernel's (for its headers package).
state=$cache/apt/$suite-pin-$arch
. "$(dirname "$0")/apt-private.sh"
apt_private_init "$state" "$suite" "$uri" amd64 "$arch"
apt_private apt-get update >"$state/update.log" 2>&1 ||
	die 3 "apt-get update of $suite from $uri failed: $(tail -n 1 "$state/update.log")"

hdr=linux-headers-$release
deps=$(apt_private apt-cache show "$hdr:$arch=$version" 2>/dev/null |
       sed -n 's/^Depends: //p' | head -n 1 | tr ',' '\n' |
       sed -n 's/^ *\(linux-\(headers\|kbuild\)-[^ ]*\).*/\1/p')
[ -n "$deps" ] || die 3 "$suite has no $hdr $version for $arch (the mirror moved on: fetch the kernel again)"
common= kbuild=
for d in $deps; do
	case $d in
	linux-headers-*-common*) common=$d ;;
	linux-kbuild-*) kbuild=$d ;;
	esac
done
[ -n "$common" ] && [ -n "$kbuild" ] || die 4 "$hdr $version: no -common or linux-kbuild in its Depends ($deps)"

tmp=$cache/.tmp-pin-$name.$$
rm -rf "$tmp"
mkdir -p "$tmp/root" "$tmp/build"
trap '[ -n "${FL_PIN_KEEP:-}" ] || rm -rf "$tmp"' EXIT
(cd "$tmp" && apt_private apt-get download "$hdr:$arch=$version" "$common=$version" \
	"$kbuild:amd64=$version") >"$tmp/download.log" 2>&1 ||
	die 3 "apt-get download of $hdr's headers failed: $(grep -m1 -E '^(E|W):' "$tmp/download.log" || tail -n 1 "$tmp/download.log")"
for deb in "$tmp"/*.deb; do
	dpkg-deb -x "$deb" "$tmp/root" || die 4 "dpkg-deb -x $deb failed"
done
kdir=$tmp/root/usr/src/$hdr
kb=$tmp/root/usr/lib/$kbuild
[ -d "$kb" ] || kb=$(ls -d "$tmp"/root/usr/lib/linux-kbuild-* | head -n 1)

# trixie's linux-kbuild (6.12) is linked against glibc 2.38: on an older
# machine (bookworm's 2.36) its programs do not start.  This machine's own
# release builds the same kernel series too (bookworm-backports has
# linux-kbuild-6.12.*+deb12): its programs replace the ones that cannot
# run.  They are the same series' fixdep, modpost and objtool.
# The programs a module's build runs (sign-file and extract-cert, which
# bullseye links to libcrypto 1.1, are not among them).
kbuild_runs() {
	for f in $(find "$kb/scripts/basic" "$kb/scripts/mod" "$kb/scripts/genksyms" \
		   "$kb/tools/objtool" "$kb/scripts/recordmcount" -type f 2>/dev/null); do
		head -c 4 "$f" | grep -q ELF || continue
		ldd "$f" 2>&1 | grep -q 'not found' && return 1
	done
	return 0
}
if ! kbuild_runs; then
	own=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$own" ] || die 3 "$kbuild's programs need a newer glibc and this machine names no Debian release"
	series=$(echo "$version" | sed 's/^\([0-9]*\.[0-9]*\).*/\1/')
	ostate=$cache/apt/$own-backports-pin
	apt_private_init "$ostate" "$own-backports" "$uri" amd64
	apt_private apt-get update >"$ostate/update.log" 2>&1 ||
		die 3 "apt-get update of $own-backports failed: $(tail -n 1 "$ostate/update.log")"
	okb=$(apt_private apt-cache pkgnames "linux-kbuild-$series." 2>/dev/null | sort -V | tail -n 1)
	[ -n "$okb" ] || die 3 "$kbuild's programs need a newer glibc, and $own-backports has no linux-kbuild-$series.*"
	mkdir -p "$tmp/own"
	(cd "$tmp/own" && apt_private apt-get download "$okb:amd64") \
		>"$tmp/download.log" 2>&1 || die 3 "apt-get download $okb failed"
	dpkg-deb -x "$tmp"/own/*.deb "$tmp/own/root" || die 4 "dpkg-deb -x $okb failed"
	okbdir=$tmp/own/root/usr/lib/$okb
	(cd "$okbdir" && find . -type f) | while read -r f; do
		if [ -f "$kb/$f" ] && head -c 4 "$okbdir/$f" | grep -q ELF; then
			cp "$okbdir/$f" "$kb/$f"
		fi
	done
	kbuild_runs || die 3 "neither $kbuild's nor $okb's programs run on this machine"
	kbuild="$kbuild (programs of $okb)"
fi
[ -r "$kdir/Makefile" ] || die 4 "$hdr has no Makefile"
sed -i "s|/usr/src/|$tmp/root/usr/src/|" "$kdir/Makefile"
# A gcc older than the kernel's lacks -fmin-function-alignment (gcc 14):
# the kernel's Makefile then falls back to -falign-functions, as for a
# kernel built by such a compiler.
compat=
echo 'int x;' | ${cross}gcc -fmin-function-alignment=16 -x c -c -o /dev/null - 2>/dev/null ||
	compat=CONFIG_CC_HAS_MIN_FUNCTION_ALIGNMENT=
# No BTF for the module: it needs pahole and the kernel's vmlinux, and
# nothing of ours reads it.
compat="$compat CONFIG_DEBUG_INFO_BTF_MODULES="
cp "$src"/Kbuild "$src"/faultline_pin.c "$src"/faultline_pin.h "$tmp/build/"

make -C "$kdir" M="$tmp/build" ARCH=$karch CROSS_COMPILE=$cross CC="${cross}gcc" $compat \
	modules >"$tmp/make.log" 2>&1 ||
	die 4 "$name: building faultline_pin.ko failed: $(grep -m1 -E 'error|Error' "$tmp/make.log" || tail -n 1 "$tmp/make.log")"
out=$cache/$name/pin
mkdir -p "$out"
cp "$tmp/build/faultline_pin.ko" "$out/faultline_pin.ko"
cat >"$out/info" <<EOI
headers=$hdr $common $kbuild
version=$version
cc=$(${cross}gcc --version | head -n 1)
EOI
echo "$name: $out/faultline_pin.ko ($hdr $version, ${cross}gcc)"
