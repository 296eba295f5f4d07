#!/bin/sh
# make install's result is usable: binary, library, headers and pkg-config
# file land under a prefix, and a program built with `pkg-config faultline`
# against the installed copy runs.  $1 is the faultline binary of a build.
set -eu
fl=$1
build=$(dirname "$fl")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cmake --install "$build" --prefix "$tmp" >/dev/null
for f in bin/faultline include/faultline/uaccess.h; do
	[ -e "$tmp/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
pc=$(find "$tmp" -name faultline.pc | head -n 1)
[ -n "$pc" ] || { echo "FAIL: faultline.pc not installed"; exit 1; }
libdir=$(dirname "$(dirname "$pc")")
"$tmp/bin/faultline" --help >/dev/null
# The programs faultline runs beside itself (docs/vm.md, "Installed
# copies"): every guest program the build made, and the fetch script,
# under libexec/faultline/, and the installed faultline finds them there
# (relative to /proc/self/exe), not in the build tree.
for f in "$build"/guest/*; do
	[ -x "$tmp/libexec/faultline/$(basename "$f")" ] ||
		{ echo "FAIL: $(basename "$f") not installed in libexec/faultline/"; exit 1; }
done
[ -x "$tmp/libexec/faultline/kernel-fetch.sh" ] || { echo "FAIL: kernel-fetch.sh not installed"; exit 1; }
list=$(env -u FL_GUEST_DIR -u FL_KERNEL_FETCH FL_KERNEL_CACHE="$tmp/cache" "$tmp/bin/faultline" kernels list)
echo "$list" | grep -qx "guest programs: $tmp/bin/../libexec/faultline" ||
	{ echo "FAIL: the installed faultline does not find its guest programs: $list"; exit 1; }
echo "$list" | grep -qx "fetch script: $tmp/bin/../libexec/faultline/kernel-fetch.sh" ||
	{ echo "FAIL: the installed faultline does not find its fetch script: $list"; exit 1; }
# ... and runs the installed script: offline by construction (a mirror
# nobody serves), so it gets as far as apt-get update and says so, exit 3.
rc=0
out=$(env -u FL_KERNEL_FETCH FL_KERNEL_CACHE="$tmp/cache" FL_DEBIAN_MIRROR=http://127.0.0.1:9/debian \
	"$tmp/bin/faultline" kernels fetch debian-6.1-i386 2>&1) || rc=$?
[ $rc -eq 3 ] && echo "$out" | grep -q "^kernel-fetch: apt-get update of bookworm from http://127.0.0.1:9/debian failed" ||
	{ echo "FAIL: the installed fetch script did not run (exit $rc): $out"; exit 1; }
# FL_GUEST_DIR still overrides where the guest programs are.
FL_GUEST_DIR="$tmp/none" FL_KERNEL_CACHE="$tmp/cache" "$tmp/bin/faultline" kernels list |
	grep -q "^guest programs: none found" || { echo "FAIL: FL_GUEST_DIR does not override"; exit 1; }

export PKG_CONFIG_PATH="$(dirname "$pc")"
# A sanitized build installs a sanitized library: link the program alike.
san=""
nm "$libdir/libfaultline.a" 2>/dev/null | grep -q __asan_ && san="-fsanitize=address,undefined"
# The static archive: no run-time path needed, and it is what CI links.
cc $san -o "$tmp/hello" tests/install/hello.c \
	$(pkg-config --define-variable=prefix="$tmp" --cflags faultline) \
	"$libdir/libfaultline.a" $(pkg-config --define-variable=prefix="$tmp" --libs --static faultline | sed 's/-lfaultline//')
out=$("$tmp/hello")
[ "$out" = 10 ] || { echo "FAIL: hello printed '$out', want 10"; exit 1; }
# The shared library: it exports only the fl_ interface (hidden visibility,
# tests/install/exports.sh), which must be all a program of ours needs.
cc $san -o "$tmp/hello-shared" tests/install/hello.c \
	$(pkg-config --define-variable=prefix="$tmp" --cflags --libs faultline)
out=$(LD_LIBRARY_PATH="$libdir" "$tmp/hello-shared")
[ "$out" = 10 ] || { echo "FAIL: hello (shared) printed '$out', want 10"; exit 1; }
# make install PREFIX=P after a configure with another prefix installs in P,
# with a faultline.pc that points into P.  install-built is install's own
# last step; the build step before it would relink this suite's binaries.
make -s -C "$(pwd)" install-built BUILD="$build" PREFIX="$tmp/p2" >/dev/null 2>"$tmp/err" ||
	{ echo "FAIL: make install PREFIX=...: $(cat "$tmp/err")"; exit 1; }
[ -x "$tmp/p2/bin/faultline" ] || { echo "FAIL: make install PREFIX=$tmp/p2 installed elsewhere"; exit 1; }
pc2=$(find "$tmp/p2" -name faultline.pc | head -n 1)
inc=$(PKG_CONFIG_PATH=$(dirname "$pc2") pkg-config --cflags faultline)
[ -d "$(echo "$inc" | sed 's/^-I//; s/ *$//')/faultline" ] || { echo "FAIL: $pc2 points to '$inc'"; exit 1; }
echo "install: ok ($tmp)"
