#!/bin/sh
# tests/cli/vary_limits.sh FAULTLINE - a vary space past its limits is an
# input error (exit 2) naming FILE:LINE:COL, the same for `check`, `run`
# and `explore` (issue 13: the whole int64 range died of SIGFPE, 100 vary
# lines passed `check` and were refused by `explore` with no line, and a
# 10^12-case space made `explore` exit 4 "Cannot allocate memory").
set -u
fl=${1:?usage: vary_limits.sh path/to/faultline}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

# expect_refused FILE 'FILE:LINE:COL: error: ...' CMD...: exit 2, that line.
expect_refused() {
	r_file=$1 r_want=$2
	shift 2
	"$fl" "$@" "$r_file" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 2 ] || bad "$* $r_file exited $rc, not 2: $(cat "$tmp/err")"
	grep -qF "$r_want" "$tmp/err" || bad "$* $r_file: want '$r_want', got: $(cat "$tmp/err")"
	[ "$(wc -l <"$tmp/err")" -eq 1 ] || bad "$* $r_file: not one line: $(cat "$tmp/err")"
}

body='mmap buf 1p rw private
load buf 1'

# 1. Wider than int64_t arithmetic: to - from overflowed.
printf 'kernel 6.18\nvary a -9223372036854775808..9223372036854775807\n%s\n' "$body" >"$tmp/full.fl"
printf 'kernel 6.18\nvary a -1..9223372036854775807\n%s\n' "$body" >"$tmp/half.fl"
for f in full half; do
	for cmd in check explore "run --case 0" run; do
		# shellcheck disable=SC2086
		expect_refused "$tmp/$f.fl" \
			"$tmp/$f.fl:2:8: error: expected a vary space of at most 2^62 cases in all" $cmd
	done
done

# 2. Exactly 2^62 cases over the whole int64 range: the last case's value.
printf 'kernel 6.18\nvary a -9223372036854775808..9223372036854775807 step=4\nmmap buf 1p rw private\nload buf+$a 1\n' >"$tmp/step4.fl"
"$fl" check "$tmp/step4.fl" >/dev/null || bad "2^62 cases refused by check"
"$fl" run --case 4611686018427387903 "$tmp/step4.fl" >"$tmp/out" ||
	bad "run --case 2^62-1 failed: $(cat "$tmp/out")"
grep -q 'load buf+\$a 1 .* at 0x8000' "$tmp/out" || bad "last case not at buf + 2^63 - 4: $(cat "$tmp/out")"
"$fl" explore --random 3 "$tmp/step4.fl" >"$tmp/out" ||
	bad "explore --random 3 of 2^62 cases failed: $(cat "$tmp/out")"

# 3. 100 vary lines: check refuses them as explore does, at the 65th.
{ echo 'kernel 6.18'; i=0; while [ $i -lt 100 ]; do echo "vary v$i 0..0"; i=$((i + 1)); done
  echo "$body"; } >"$tmp/v100.fl"
for cmd in check explore run; do
	expect_refused "$tmp/v100.fl" \
		"$tmp/v100.fl:66:6: error: expected at most 64 vary variables in a file, found 'v64'" $cmd
done

# 4. 10^12 cases: fine to check, to run one case of, or to sample; more
#    than explore runs at once: exit 2 naming the vary line, not ENOMEM.
printf 'kernel 6.18\nvary a 0..999999\nvary b 0..999999\n%s\n' "$body" >"$tmp/tera.fl"
"$fl" check "$tmp/tera.fl" >/dev/null || bad "check refused 10^12 cases"
"$fl" run --case 999999999999 "$tmp/tera.fl" >/dev/null || bad "run --case of 10^12 cases failed"
"$fl" explore --random 10 "$tmp/tera.fl" >/dev/null || bad "explore --random 10 of 10^12 cases failed"
expect_refused "$tmp/tera.fl" "$tmp/tera.fl:3:6: error: with vary b the space has more cases than explore runs" explore
exit $fail
