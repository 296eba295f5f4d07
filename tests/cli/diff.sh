#!/bin/sh
# tests/cli/diff.sh FAULTLINE - `faultline diff` and `run --backend host`:
# the host corpus agrees or skips; a refused scenario is a skip with its
# reason; a real disagreement (the host's wall-clock limit cut a statement
# the model ran) exits 1 with a side-by-side line; a wrong expectation is a
# FAIL on the host.
set -u
fl=${1:?usage: diff.sh path/to/faultline}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

# 1. The corpus: no disagreement; one summary line with the three counts.
out=$("$fl" diff tests/host/*.fl) || bad "diff tests/host exited $?: $out"
echo "$out" | grep -Eq '^[0-9]+ agree, 0 disagree, [0-9]+ skipped$' || bad "no summary: $out"
echo "$out" | grep -q '^agree  tests/host/store-straddle.fl: 7 statements, [0-9]* observables$' ||
	bad "store-straddle does not agree: $out"

# 2. A kernel-internal call: the host refuses, naming the statement; a skip.
printf 'kernel host\nmmap buf 1p rw private\ncall copy_to_user buf 16\nexpect ret 0\n' >"$tmp/ctu.fl"
# Everything skipped: exit 3, as `run` of the same file (the one rule).
out=$("$fl" diff "$tmp/ctu.fl")
[ $? -eq 3 ] || bad "diff of one skipped file: want exit 3 (everything skipped)"
echo "$out" | grep -q "^skip   $tmp/ctu.fl: host: 'call copy_to_user' (line 3) has no system-call equivalent$" ||
	bad "copy_to_user not skipped with its reason: $out"
echo "$out" | grep -q '^0 agree, 0 disagree, 1 skipped$' || bad "skip not counted: $out"
out=$("$fl" run --backend host "$tmp/ctu.fl")
[ $? -eq 3 ] || bad "run --backend host of copy_to_user should exit 3 (unsupported)"
# The verdict names the refused statement, not the first one that ran.
echo "$out" | grep -q "^UNSUPPORTED  $tmp/ctu.fl: unsupported: host backend: 'call copy_to_user' (line 3) has no system-call equivalent$" ||
	bad "run's reason does not name the refused statement alone: $out"
printf 'kernel 5.18\nmmap buf 1p rw private\nstore buf "x"\n' >"$tmp/old.fl"
"$fl" diff "$tmp/old.fl" | grep -q "host: 'kernel 5.18' (line 1) is not the running kernel" ||
	bad "kernel 5.18 not refused by the host"

# 3. A true disagreement: the model stores 64 MiB, the host's statement
#    timeout (1 ms here) kills the process first.  Exit 1, side by side.
printf 'kernel host\nmmap big 64m rw private\nstore big 64m fill=0x11\nexpect outcome ok\n' >"$tmp/slow.fl"
FAULTLINE_HOST_TIMEOUT_MS=1 "$fl" diff "$tmp/slow.fl" >"$tmp/out"
rc=$?
[ $rc -eq 1 ] || bad "a disagreement should exit 1, got $rc: $(cat "$tmp/out")"
grep -q "^DIFFER $tmp/slow.fl: " "$tmp/out" || bad "no DIFFER line: $(cat "$tmp/out")"
# (1 ms may run out at the mmap already: the line is whichever it was)
grep -Eq '^ +[23]  (mmap|store) big 67108864 .* +runs +ran +host backend: line [23]: process p did not answer within 1 ms' "$tmp/out" ||
	bad "no side-by-side line: $(cat "$tmp/out")"
# run's verdict gives the lost process's line once, as the host said it
out=$(FAULTLINE_HOST_TIMEOUT_MS=1 "$fl" run --backend host "$tmp/slow.fl" | tail -n 2)
echo "$out" | grep -Eq "^ERROR  $tmp/slow.fl: host backend: line [23]: process p did not answer" ||
	bad "run's error reason is not the host's own line: $out"
FAULTLINE_HOST_TIMEOUT_MS=1 "$fl" diff --json "$tmp/slow.fl" >"$tmp/json"
grep -q '"fail": 1' "$tmp/json" || bad "json summary: $(cat "$tmp/json")"
grep -q '"what": "runs"' "$tmp/json" || bad "json difference: $(cat "$tmp/json")"

# 4. A wrong expectation: the host run says FAIL, exit 1.
printf 'kernel host\nmmap buf 1p rw private\nstore buf+1p-10 20 fill=0x41\nexpect outcome ok\n' >"$tmp/wrong.fl"
out=$("$fl" run --backend host -q "$tmp/wrong.fl")
[ $? -eq 1 ] || bad "a wrong expectation should exit 1: $out"
echo "$out" | grep -q "^FAIL  $tmp/wrong.fl: line 4: expectation failed: outcome sigsegv$" ||
	bad "no FAIL line: $out"

# 4b. diff compares what the expectations read from each side (the
#     pagemap, userfaultfd events): they hold on both here, and a file
#     whose expectation fails on both agrees but says so.  Until Dec 2026
#     diff's recorder forwarded neither read, so both sides "failed" every
#     such line alike and diff called them agreed.
cat >"$tmp/reads.fl" <<'FL'
kernel host
mmap buf 1p rw private
store buf 1p fill=0x11
expect pagemap buf present,exclusive,-file,-swapped
mmap area 1p rw private
call userfaultfd cloexec,nonblock as=U
call uffd_api U -
call uffd_register U area 1p missing
load area 1 as=L
expect outcome blocked
expect event U pagefault flags=-
call uffd_zeropage U area 1p
wait L
expect outcome ok
FL
out=$("$fl" diff "$tmp/reads.fl")
echo "$out" | grep -q "^agree  $tmp/reads.fl: " || bad "the pagemap and event file does not agree: $out"
echo "$out" | grep -q "failing on both" && bad "an expectation that holds on both was failed on both: $out"
printf 'kernel host
mmap buf 1p rw private
store buf 1p fill=0x11
expect pagemap buf -present
' >"$tmp/both.fl"
out=$("$fl" diff "$tmp/both.fl")
echo "$out" | grep -q "^agree  $tmp/both.fl: " || bad "an expectation failing on both is not agreed: $out"
echo "$out" | grep -q "^       failing on both sides: 1 expectation (line 4: page 0x[0-9a-f]* reads .*present" ||
	bad "an expectation failing on both is not said: $out"
"$fl" diff --json "$tmp/both.fl" | grep -q '"failed_on_both": 1' || bad "json: no failed_on_both"

# 5. Usage errors.
"$fl" diff >/dev/null 2>&1
[ $? -eq 2 ] || bad "diff without files should exit 2"
"$fl" diff --frob x.fl >/dev/null 2>&1
[ $? -eq 2 ] || bad "diff with an unknown option should exit 2"
"$fl" run --backend nosuch "$tmp/ctu.fl" >/dev/null 2>&1
[ $? -eq 2 ] || bad "run --backend nosuch should exit 2"
exit $fail
