#!/bin/sh
# tests/cli/eras.sh - `faultline eras`: the table prints (with the arm64
# one-byte-retry commit), --markdown gives a Markdown table, and bad input
# (unknown option, unknown name) is a usage error, exit code 2.
# Usage: sh tests/cli/eras.sh path/to/faultline   (run from the repo root)
set -u
fl=${1:?usage: eras.sh FAULTLINE}
tmp=${TMPDIR:-/tmp}/fl-eras.$$
trap 'rm -f "$tmp".out "$tmp".err' EXIT
fails=0

fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

# The plain table: exit 0 and the commit of arm64_one_byte_retry.
if "$fl" eras >"$tmp".out 2>"$tmp".err; then
	grep -q '295cf156231c' "$tmp".out ||
		fail "eras: 295cf156231c missing from the table"
else
	fail "eras: exit $? (want 0)"
fi

# --markdown: the first line is a '|' header row, the second its rule.
if "$fl" eras --markdown >"$tmp".out 2>"$tmp".err; then
	head -n 1 "$tmp".out | grep -q '^|' ||
		fail "eras --markdown: first line does not start with '|'"
	sed -n 2p "$tmp".out | grep -q '^| --- |' ||
		fail "eras --markdown: second line is not a header rule"
else
	fail "eras --markdown: exit $? (want 0)"
fi

# One entry in detail.
if "$fl" eras fpu_restore_user_size >"$tmp".out 2>"$tmp".err; then
	grep -q '^commit *d877550eaf2d$' "$tmp".out ||
		fail "eras NAME: commit line missing"
	grep -q '^stable *5.15.150,6.1.79,6.6.18,6.7.6$' "$tmp".out ||
		fail "eras NAME: stable line wrong"
else
	fail "eras fpu_restore_user_size: exit $? (want 0)"
fi

# An unknown option: exit 2 and exactly one line on stderr.
"$fl" eras --bogus >"$tmp".out 2>"$tmp".err
rc=$?
[ "$rc" -eq 2 ] || fail "eras --bogus: exit $rc (want 2)"
[ "$(wc -l <"$tmp".err)" -eq 1 ] || fail "eras --bogus: want one error line"

# An unknown name: exit 2 and the documented message.
"$fl" eras no_such_era >"$tmp".out 2>"$tmp".err
rc=$?
[ "$rc" -eq 2 ] || fail "eras no_such_era: exit $rc (want 2)"
grep -qx "faultline: eras: no era named 'no_such_era'; 'faultline eras' lists them" "$tmp".err ||
	fail "eras no_such_era: wrong message: $(cat "$tmp".err)"

[ "$fails" -eq 0 ] || exit 1
echo "eras.sh: all checks passed"
