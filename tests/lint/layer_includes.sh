#!/bin/sh
# Each layer sees only its own internal headers (CMakeLists.txt,
# fl_layer_view; docs/architecture.md "Headers and exported names").
#  1. With a layer's include path, its own internal header compiles and
#     another layer's does not: the build itself refuses the wrong include.
#  2. No source reaches around that with a relative path ("../mm/x.h"), and
#     a layer's quoted includes name its own directory only.
# $1 C compiler, $2 source tree, $3 build tree.
set -eu
cc=$1 src=$2 build=$3
fail() { echo "FAIL: $*"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
try() {  # try LAYER HEADER: does "HEADER" compile with LAYER's include path?
	# (from an empty directory: a quoted include looks there first)
	printf '#include "%s"\n' "$2" > "$tmp/t.c"
	"$cc" -std=c11 -D_GNU_SOURCE -fsyntax-only -I"$src/include" \
			-I"$build/layer-include/$1" "$tmp/t.c" >/dev/null 2>&1
}
n=0
for pair in uffd:mm/internal.h gup:mm/page_internal.h callers:mm/internal.h \
	    uaccess:mm/internal.h callers:uffd/internal.h mm:callers/internal.h; do
	layer=${pair%%:*} hdr=${pair#*:}
	own="$layer/internal.h"
	try "$layer" "$own" || fail "$layer cannot include its own $own"
	if try "$layer" "$hdr"; then
		fail "$layer may include $hdr, another layer's internal header"
	fi
	n=$((n + 1))
done

cd "$src"
rel=$(grep -rn '^#include "[^"]*\.\./' --include='*.c' --include='*.h' \
	arch backend callers cli explore gup kernel mm runner scenario \
	uaccess uffd tests 2>/dev/null || true)
[ -z "$rel" ] || fail "relative include reaches out of its directory:
$rel"
for layer in arch backend callers cli explore gup kernel mm runner scenario uaccess uffd; do
	other=$(grep -n '^#include "' "$layer"/*.c "$layer"/*.h 2>/dev/null |
		grep -v "#include \"$layer/" || true)
	[ -z "$other" ] || fail "quoted include of another directory in $layer/:
$other"
done
echo "layer includes: ok ($n cross-layer includes refused)"
