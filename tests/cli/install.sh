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
# with a faultline.pc that points into P.
make -s -C "$(pwd)" install BUILD="$build" PREFIX="$tmp/p2" >/dev/null 2>"$tmp/err" ||
	{ echo "FAIL: make install PREFIX=...: $(cat "$tmp/err")"; exit 1; }
[ -x "$tmp/p2/bin/faultline" ] || { echo "FAIL: make install PREFIX=$tmp/p2 installed elsewhere"; exit 1; }
pc2=$(find "$tmp/p2" -name faultline.pc | head -n 1)
inc=$(PKG_CONFIG_PATH=$(dirname "$pc2") pkg-config --cflags faultline)
[ -d "$(echo "$inc" | sed 's/^-I//; s/ *$//')/faultline" ] || { echo "FAIL: $pc2 points to '$inc'"; exit 1; }
echo "install: ok ($tmp)"
