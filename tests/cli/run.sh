#!/bin/sh
# tests/cli/run.sh FAULTLINE - `faultline run`: the gallery table, every
# example either passes or is honestly unsupported, malformed input as a
# new user would write it gives one error line and exit 2 with nothing
# run, and the --json and --ktap outputs are well formed.
# Usage: sh tests/cli/run.sh path/to/faultline   (run from the repo root)
set -u
fl=${1:?usage: run.sh FAULTLINE}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

bad() { echo "FAIL: $*" >&2; fail=1; }

# ---- the gallery: `make run` ----
n=$(ls scenarios/*/*.fl | wc -l)
"$fl" run --table scenarios/*/*.fl >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || bad "run --table scenarios: exit $rc, want 0: $(head -c 300 "$tmp/err")"
head -n 1 "$tmp/out" | grep -q '^story  *file  *kernel  *arch  *verdict  *summary$' ||
	bad "run --table: no header line: '$(head -n 1 "$tmp/out")'"
rows=$(grep -c '  *\(PASS\|FAIL\|UNSUPPORTED\|ERROR\)  ' "$tmp/out")
[ "$rows" -eq "$n" ] || bad "run --table: $rows rows for $n files"
# Every gallery file has a summary written for the table, and its row shows it.
for f in scenarios/*/*.fl; do
	s=$(sed -n 's/^#: summary //p' "$f")
	[ -n "$s" ] || { bad "$f: no '#: summary' line"; continue; }
	grep -qF "$s" "$tmp/out" || bad "$f: its summary is not in its row"
done
# A vary file in the gallery is explored: its row counts every case.
for f in $(grep -l '^vary' scenarios/*/*.fl); do
	grep "  $(basename "$f") " "$tmp/out" | grep -q ' of [0-9][0-9]*, as stated\]$' ||
		bad "$f: its row does not count every case as stated: $(grep "$(basename "$f")" "$tmp/out")"
done

# ---- vary files: explored by the table, judged by `#: cases` ----
cat >"$tmp/sweep.fl" <<'FL'
#: summary a sweep: copy_to_user over the page end leaves the bytes past it
vary n 1..20
mmap buf 1p rw private
call copy_to_user buf+1p-10 $n
expect ret 0
FL
"$fl" run --table "$tmp/sweep.fl" >"$tmp/out" 2>&1
[ $? -eq 1 ] || bad "sweep without '#: cases', 10 cases failing: want exit 1: $(cat "$tmp/out")"
grep -q 'FAIL  *a sweep: .* \[pass 10, expect-failed 10 of 20\]$' "$tmp/out" ||
	bad "sweep: no FAIL row with its counts: $(cat "$tmp/out")"
sed '1a #: cases pass=10 expect-failed=10' "$tmp/sweep.fl" >"$tmp/stated.fl"
"$fl" run --table "$tmp/stated.fl" >"$tmp/out" 2>&1
[ $? -eq 0 ] || bad "sweep with the counts it gives stated: want exit 0: $(cat "$tmp/out")"
grep -q 'PASS  *a sweep: .* \[pass 10, expect-failed 10 of 20, as stated\]$' "$tmp/out" ||
	bad "stated sweep: no PASS row: $(cat "$tmp/out")"
sed '1a #: cases pass=11 expect-failed=9' "$tmp/sweep.fl" >"$tmp/wrong.fl"
"$fl" run --table "$tmp/wrong.fl" >"$tmp/out" 2>&1
[ $? -eq 1 ] || bad "sweep with wrong stated counts: want exit 1"
grep -q 'FAIL .*stated: pass 11, expect-failed 9 of 20\]$' "$tmp/out" ||
	bad "wrong stated counts: the row does not say both: $(cat "$tmp/out")"
sed '1a #: cases pass=ten' "$tmp/sweep.fl" >"$tmp/badline.fl"
"$fl" run --table "$tmp/badline.fl" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] || bad "a bad '#: cases' line: want exit 2"
grep -q "^$tmp/badline.fl:2: error: expected '#: cases CLASS=N...'" "$tmp/err" ||
	bad "a bad table line is not named by file and line: $(cat "$tmp/err")"
"$fl" check "$tmp/badline.fl" >/dev/null 2>&1
[ $? -eq 2 ] || bad "check accepts a bad '#: cases' line"
# Table lines of standard input are read too: the parser and the table
# share the one read of the pipe.
"$fl" run --table - <"$tmp/stated.fl" >"$tmp/out" 2>&1
[ $? -eq 0 ] || bad "stated sweep from stdin: want exit 0: $(cat "$tmp/out")"
grep -q '<stdin> .*PASS  *a sweep: .* \[pass 10, expect-failed 10 of 20, as stated\]$' "$tmp/out" ||
	bad "stated sweep from stdin: its summary and counts are not in its row: $(cat "$tmp/out")"
"$fl" check - <"$tmp/badline.fl" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "^<stdin>:2: error: expected '#: cases CLASS=N...'" "$tmp/err" ||
	bad "check - accepts a bad '#: cases' line: $(cat "$tmp/err")"
# Without --case, run says which case it ran and where every case runs.
"$fl" run -q "$tmp/sweep.fl" >"$tmp/out" 2>"$tmp/err"
grep -q "ran case 0 of the 20 cases of its vary space; 'faultline explore $tmp/sweep.fl' runs every case" "$tmp/err" ||
	bad "run of a vary file does not say it ran case 0: $(cat "$tmp/err")"
"$fl" run --case 12 -q "$tmp/sweep.fl" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && [ ! -s "$tmp/err" ] || bad "run --case 12: want exit 1 and no note: $(cat "$tmp/err")"

# ---- `make run`: the table is the first screen, the build one line ----
make --no-print-directory run BUILD="$(dirname "$fl")" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || bad "make run: exit $rc: $(head -c 300 "$tmp/err")"
head -n 1 "$tmp/out" | grep -q '^story  *file  *kernel  *arch  *verdict  *summary$' ||
	bad "make run: the first line is not the table's header: '$(head -n 1 "$tmp/out")'"
[ "$(wc -l <"$tmp/err")" -le 1 ] || bad "make run: more than one line besides the table: $(head -c 300 "$tmp/err")"

# ---- examples: PASS, or exit 3 with one "not modelled yet" reason ----
for f in examples/*.fl; do
	"$fl" run -q "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	case $rc in
	0) grep -q "^PASS  $f: " "$tmp/out" || bad "$f: exit 0 without PASS" ;;
	3)
		[ "$(grep -c 'unsupported: .* (not modelled yet)$' "$tmp/out")" -eq 1 ] ||
			bad "$f: exit 3 without exactly one unsupported reason: $(cat "$tmp/out")"
		;;
	*) bad "$f: exit $rc (want 0 or 3): $(head -c 300 "$tmp/out" "$tmp/err")" ;;
	esac
done

# ---- malformed input: one line FILE:LINE:COL: error: ..., exit 2 ----
# Each bad line follows a good call, so a run would print its trace.
good='mmap buf 1p rw private
call copy_to_user buf 16
'
# expect_usage NAME: run of $tmp/NAME.fl exits 2, prints nothing on stdout
# and exactly one line on stderr naming the file, a line and a column.
expect_usage() {
	"$fl" run "$tmp/$1.fl" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 2 ] || bad "$1: exit $rc, want 2"
	[ ! -s "$tmp/out" ] || bad "$1: something ran: $(head -c 200 "$tmp/out")"
	[ "$(wc -l <"$tmp/err")" -eq 1 ] ||
		bad "$1: stderr is not one line: $(head -c 300 "$tmp/err")"
	grep -q "^$tmp/$1.fl:[0-9][0-9]*:[0-9][0-9]*: error: expected " "$tmp/err" ||
		bad "$1: stderr '$(head -c 300 "$tmp/err")' is not FILE:LINE:COL: error: expected ..."
}
printf '%sfrobnicate buf\n' "$good" >"$tmp/verb.fl"
expect_usage verb
printf '%scall copy_to_user buf 1x6\n' "$good" >"$tmp/number.fl"
expect_usage number
printf '%scall copy_to_user buf\n' "$good" >"$tmp/missing.fl"
expect_usage missing
printf '%scall copy_to_user bfu+4 16\n' "$good" >"$tmp/mapping.fl"
expect_usage mapping
printf '%sstore buf "abc\n' "$good" >"$tmp/string.fl"
expect_usage string
{ printf '%s' "$good"; head -c 10485760 /dev/zero | tr '\0' x; printf '\n'; } >"$tmp/longline.fl"
expect_usage longline
{ printf '%s' "$good"; printf '\177ELF\002\001\001\000\000\000\033[31m\377\376\n'; } >"$tmp/binary.fl"
expect_usage binary
head -c 4096 /dev/urandom >"$tmp/random.fl"
printf '\0' >>"$tmp/random.fl"      # random bytes, surely not text
expect_usage random

# A bad file stops the whole command, even after a good one.
"$fl" run examples/copy-to-user-partial.fl "$tmp/verb.fl" >"$tmp/out" 2>/dev/null
rc=$?
[ $rc -eq 2 ] || bad "good + bad file: exit $rc, want 2"
[ ! -s "$tmp/out" ] || bad "good + bad file: the good file ran"

# A file that does not exist.
"$fl" run "$tmp/none.fl" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] || bad "missing file: exit $rc, want 2"
[ "$(cat "$tmp/err")" = "faultline: $tmp/none.fl: No such file or directory" ] ||
	bad "missing file: stderr '$(cat "$tmp/err")'"

# ---- a failing scenario ----
printf 'mmap buf 1p rw private\ncall copy_to_user buf+1p-10 16\nexpect ret 5\n' >"$tmp/fails.fl"
"$fl" run "$tmp/fails.fl" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 1 ] || bad "failing scenario: exit $rc, want 1"
grep -q "^FAIL  $tmp/fails.fl: line 3: expectation failed: ret 6$" "$tmp/out" ||
	bad "failing scenario: no FAIL line with the seen value: $(tail -n 2 "$tmp/out")"

# ---- --json: valid, with a summary that adds up ----
nex=$(ls examples/*.fl | wc -l)
"$fl" run --json examples/*.fl >"$tmp/json" 2>"$tmp/err"
python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
runs, s = doc["scenarios"], doc["summary"]
assert len(runs) == n, "%d scenarios for %d files" % (len(runs), n)
assert s["total"] == n, "summary %r: total is not %d" % (s, n)
for key, verdict in (("pass", "PASS"), ("fail", "FAIL"), ("skip", "UNSUPPORTED"), ("error", "ERROR")):
    seen = sum(1 for r in runs if r["verdict"] == verdict)
    assert seen == s[key], "summary %s=%d, %d scenarios" % (key, s[key], seen)
' "$tmp/json" "$nex" 2>"$tmp/err" || bad "run --json: $(tail -n 1 "$tmp/err")"

# ---- --ktap: version line, plan, "not ok" for a failure ----
"$fl" run --ktap examples/copy-to-user-partial.fl "$tmp/fails.fl" >"$tmp/out" 2>&1
[ "$(sed -n 1p "$tmp/out")" = "KTAP version 1" ] ||
	bad "run --ktap: first line '$(sed -n 1p "$tmp/out")'"
[ "$(sed -n 2p "$tmp/out")" = "1..2" ] || bad "run --ktap: plan '$(sed -n 2p "$tmp/out")'"
grep -q "^ok 1 examples/copy-to-user-partial.fl$" "$tmp/out" || bad "run --ktap: no 'ok 1'"
grep -q "^not ok 2 $tmp/fails.fl$" "$tmp/out" || bad "run --ktap: no 'not ok 2'"

# ---- a directory, a closed stdin, a name with control characters ----
"$fl" run "$tmp" >/dev/null 2>"$tmp/err"
[ "$(cat "$tmp/err")" = "faultline: $tmp: Is a directory" ] || bad "a directory: '$(cat "$tmp/err")'"
"$fl" run - <&- >/dev/null 2>"$tmp/err"
[ "$(cat "$tmp/err")" = "faultline: <stdin>: Bad file descriptor" ] || bad "closed stdin: '$(cat "$tmp/err")'"
"$fl" run "$tmp/$(printf 'a\nb\033[31m').fl" >/dev/null 2>"$tmp/err"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || bad "a name with a newline: $(wc -l <"$tmp/err") lines of error"
grep -q "$(printf '\033')" "$tmp/err" && bad "a name with ESC: the ESC is echoed"
# A failed write to standard output is exit 4, never 1 (a failed check).
"$fl" run examples/copy-to-user-partial.fl >/dev/full 2>"$tmp/err"
rc=$?
[ $rc -eq 4 ] || bad "stdout on /dev/full: exit $rc, want 4"
grep -q '^faultline: error writing standard output: No space left on device$' "$tmp/err" ||
	bad "stdout on /dev/full: '$(cat "$tmp/err")'"

# ---- usage errors ----
"$fl" run --frobnicate examples/btrfs-livelock.fl >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] || bad "unknown option: exit $rc, want 2"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || bad "unknown option: stderr is not one line"
"$fl" run >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] || bad "no file: exit $rc, want 2"

exit $fail
