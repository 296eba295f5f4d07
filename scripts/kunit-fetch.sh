#!/bin/sh
# scripts/kunit-fetch.sh DIR - put the kernel's own KTAP reader,
# tools/testing/kunit/kunit_parser.py and kunit_printer.py, in DIR.
#
# They come from Debian's linux-source package of the machine's own apt
# sources (no suite is added: `apt-get download` only fetches a .deb into
# the current directory), unpacked in a temporary directory; only the two
# files are kept.  The package is about 150 MB and unpacking its tarball
# takes some 20 s of CPU, so DIR is a cache: a DIR that already holds both
# files is left alone.  Exit 0 with both files in DIR, else 1 with one
# line saying why (no such package here, the download failed, ...).
set -eu
dir=${1:?usage: kunit-fetch.sh DIR}
[ -f "$dir/kunit_parser.py" ] && [ -f "$dir/kunit_printer.py" ] && exit 0
pkg=$(apt-cache pkgnames linux-source- 2>/dev/null | grep -E '^linux-source-[0-9]+\.[0-9]+$' |
	sort -V | tail -n 1)
[ -n "$pkg" ] || { echo "kunit-fetch: no linux-source package in this machine's apt sources" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -q "$pkg" >/dev/null 2>&1) ||
	{ echo "kunit-fetch: apt-get download $pkg failed" >&2; exit 1; }
ver=${pkg#linux-source-}
dpkg-deb --fsys-tarfile "$tmp"/"$pkg"_*.deb |
	tar -xO "./usr/src/linux-source-$ver.tar.xz" |
	tar -xJ -C "$tmp" "linux-source-$ver/tools/testing/kunit/kunit_parser.py" \
		"linux-source-$ver/tools/testing/kunit/kunit_printer.py" ||
	{ echo "kunit-fetch: $pkg holds no tools/testing/kunit" >&2; exit 1; }
mkdir -p "$dir"
cp "$tmp/linux-source-$ver/tools/testing/kunit/kunit_parser.py" \
	"$tmp/linux-source-$ver/tools/testing/kunit/kunit_printer.py" "$dir/"
echo "$pkg" >"$dir/source"
