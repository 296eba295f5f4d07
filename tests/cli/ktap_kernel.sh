#!/bin/sh
# tests/cli/ktap_kernel.sh FAULTLINE - `faultline run --ktap` read by the
# kernel's own KTAP reader, tools/testing/kunit/kunit_parser.py, which
# scripts/kunit-fetch.sh takes from Debian's linux-source package once and
# caches (tests/cli/ktap.sh checks the same output with our own strict
# reader, which needs nothing fetched).  A file whose name holds '#' and
# fails one of two expectations, a passing file, a host refusal and an
# error must be counted as kunit_parser counts KUnit's own output: the
# names whole, the failure a failure, the skip a skip, and no parse error.
# Exit 77 (CTest's counted skip, naming why) when the parser cannot be
# fetched here.
set -u
fl=${1:?usage: ktap_kernel.sh FAULTLINE}
cache=${FL_KUNIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultline/kunit}
if ! why=$(sh scripts/kunit-fetch.sh "$cache" 2>&1); then
	echo "SKIP: the kernel's kunit_parser.py cannot be fetched here: $why"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }
parse() { python3 tests/cli/kunit_parser.py "$cache" "$1"; }

hash="$tmp/a#b.fl"
printf 'mmap buf 1p rw private\ncall copy_to_user buf+1p-10 16\nexpect ret 5\nexpect ret 6\n' >"$hash"
printf 'mmap buf 1p rw private\ncall copy_to_user buf+1p-10 16\nexpect ret 6\n' >"$tmp/ok.fl"
"$fl" run --ktap "$hash" "$tmp/ok.fl" >"$tmp/run.ktap"
[ $? -eq 1 ] || bad "run --ktap with a failure: want exit 1"
parse "$tmp/run.ktap" >"$tmp/run.out" 2>&1 || bad "kunit_parser: $(cat "$tmp/run.out")"
cat >"$tmp/want" <<WANT
'main' FAILURE passed=2 failed=1 skipped=0 errors=0
  '$tmp/a%23b.fl' FAILURE passed=1 failed=1 skipped=0 errors=0
    'line 3: expect ret 5' FAILURE passed=0 failed=1 skipped=0 errors=0
    'line 4: expect ret 6' SUCCESS passed=1 failed=0 skipped=0 errors=0
  '$tmp/ok.fl' SUCCESS passed=1 failed=0 skipped=0 errors=0
    'line 3: expect ret 6' SUCCESS passed=1 failed=0 skipped=0 errors=0
WANT
diff -u "$tmp/want" "$tmp/run.out" >&2 || bad "kunit_parser reads the '#' file and the failure otherwise"

# A host refusal is a SKIP; an error is a failed test, not a parse error.
printf 'kernel host\nmmap buf 1p rw private\ncall copy_to_user buf 16\nexpect ret 0\n' >"$tmp/skip.fl"
printf 'mmap a 1p rw private at=0x200000\nmmap b 1p rw private at=0x200000\n' >"$tmp/error.fl"
"$fl" run --backend host --ktap "$tmp/skip.fl" >"$tmp/skip.ktap"
parse "$tmp/skip.ktap" | head -n 1 | grep -qx "'main' SKIPPED passed=0 failed=0 skipped=1 errors=0" ||
	bad "kunit_parser does not count the skip: $(parse "$tmp/skip.ktap" 2>&1)"
"$fl" run --ktap "$tmp/error.fl" >"$tmp/error.ktap"
parse "$tmp/error.ktap" | head -n 1 | grep -qx "'main' FAILURE passed=0 failed=1 skipped=0 errors=0" ||
	bad "kunit_parser does not count the error as a failure: $(parse "$tmp/error.ktap" 2>&1)"
echo "kunit_parser from $(cat "$cache/source"): $(head -n 1 "$tmp/run.out")"
exit $fail
