#!/bin/sh
# tests/cli/ktap.sh FAULTLINE - `faultline run --ktap` is KTAP version 1 as
# the kernel's Documentation/dev-tools/ktap.rst specifies it, read by our
# own strict reader tests/cli/ktap_check.py (the kernel's kunit_parser.py
# cannot be fetched here at test time): a file whose name holds '#' and a
# failing expectation with what was seen must come out as two top-level
# tests with their names whole, the failure's diagnostic before its
# result, a SKIP and an ERROR directive, and totals that add up.  The
# reader itself must refuse what kunit_parser would misread.
set -u
fl=${1:?usage: ktap.sh FAULTLINE}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }
check=tests/cli/ktap_check.py

# 0. The reader refuses what a kunit-style parser would misread.
refuse() { # why text
	printf '%s' "$2" >"$tmp/in.ktap"
	python3 "$check" "$tmp/in.ktap" >"$tmp/out" && bad "ktap_check accepts $1"
}
refuse "a '#' in a name" 'KTAP version 1
1..1
ok 1 a#b
'
refuse "4-space indentation" 'KTAP version 1
1..1
    KTAP version 1
    1..1
    ok 1 x
ok 1 t
'
refuse "a passing parent of a failed subtest" 'KTAP version 1
1..1
  KTAP version 1
  1..1
  not ok 1 x
ok 1 t
'
refuse "a wrong plan" 'KTAP version 1
1..2
ok 1 t
'
refuse "totals that do not add up" 'KTAP version 1
1..1
ok 1 t
# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0
'
refuse "ERROR with ok" 'KTAP version 1
1..1
ok 1 t # ERROR x
'

# 1. Three files: a name with '#' that fails with details, a skip, an error.
hash="$tmp/a#b.fl"
printf 'mmap buf 1p rw private\ncall copy_to_user buf+1p-10 16\nexpect ret 5\nexpect ret 6\n' >"$hash"
printf 'kernel host\nmmap buf 1p rw private\ncall copy_to_user buf 16\nexpect ret 0\n' >"$tmp/skip.fl"
printf 'mmap a 1p rw private at=0x200000\nmmap b 1p rw private at=0x200000\n' >"$tmp/error.fl"
"$fl" run --backend host --ktap "$tmp/skip.fl" >"$tmp/skip.ktap"
"$fl" run --ktap "$hash" "$tmp/error.fl" >"$tmp/out.ktap"
[ $? -eq 2 ] || bad "ktap run with an ERROR file: want exit 2"
python3 "$check" "$tmp/out.ktap" >"$tmp/tree.json" || bad "ktap_check: $(cat "$tmp/tree.json")"
python3 "$check" "$tmp/skip.ktap" >"$tmp/skip.json" || bad "ktap_check (skip): $(cat "$tmp/skip.json")"
python3 - "$tmp/tree.json" "$tmp/skip.json" "$hash" >"$tmp/err" 2>&1 <<'PY' || bad "$(cat "$tmp/err")"
import json, sys
tree = json.load(open(sys.argv[1]))
skip = json.load(open(sys.argv[2]))
name = sys.argv[3].replace('#', '%23')
tests = [t for t in tree if 'result' in t]
assert len(tests) == 2, 'top-level tests: %d' % len(tests)
a, e = tests
assert a['name'] == name, 'name %r, want %r' % (a['name'], name)
assert a['result'] == 'not ok' and a['directive'] is None, a
assert any('expectation failed: ret 6' in d for d in a['diagnostics']), a['diagnostics']
subs = [s for s in a['subtests'] if 'result' in s]
assert [s['result'] for s in subs] == ['not ok', 'ok'], subs
assert subs[0]['name'] == 'line 3: expect ret 5', subs[0]['name']
assert subs[0]['diagnostics'] == ['line 3: seen: ret 6'], subs[0]['diagnostics']
assert e['result'] == 'not ok' and e['directive'] == 'ERROR' and 'line 2' in e['data'], e
s = [t for t in skip if 'result' in t]
assert len(s) == 1 and s[0]['result'] == 'ok' and s[0]['directive'] == 'SKIP', s
assert "has no system-call equivalent" in s[0]['data'], s[0]
PY
grep -q '^# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:1$' "$tmp/out.ktap" ||
	bad "no totals line: $(tail -n 2 "$tmp/out.ktap")"

# 2. The whole gallery and the examples are well formed too.
"$fl" run --ktap examples/*.fl >"$tmp/ex.ktap" 2>/dev/null
python3 "$check" "$tmp/ex.ktap" >"$tmp/out" || bad "examples: $(cat "$tmp/out")"
exit $fail
