#!/bin/sh
# tests/cli/bench.sh FAULTLINE - `faultline bench`: the output format of
# `bench vma` and the usage errors.  Timings are printed, never asserted.
set -u
FL=${1:?usage: bench.sh path/to/faultline}
fail() { echo "bench.sh: $*" >&2; exit 1; }

out=$("$FL" bench vma --n 20000) || fail "bench vma --n 20000 exited $?"
echo "$out" | head -n 1 | grep -q '^bench vma: 20000 unhinted 1-page anonymous mmaps' ||
	fail "bad header: $out"
echo "$out" | grep -q '^ *vmas<= *ops *mmap ns/op *munmap ns/op *height *1.44log2(n)$' ||
	fail "no column header: $out"
# The tree stays AVL-balanced: height <= 1.44 log2(n) + 2 at every checkpoint.
echo "$out" | awk '$1 ~ /^[0-9]+$/ && NF == 6 { rows++; if ($5 > 1.4405 * log($1) / log(2) + 2) bad = bad " " $1 }
	END { exit !(rows >= 2 && bad == "") }' ||
	fail "tree height above the AVL bound: $out"
for n in 1000 10000 20000; do
	echo "$out" | grep -Eq "^ *$n +[0-9]+ +[0-9]+\.[0-9] +[0-9]+\.[0-9] +[0-9]+ +[0-9]+\.[0-9]$" ||
		fail "no row for $n: $out"
done
echo "$out" | grep -Eq '^growth 1000->20000: mmap x[0-9.]+, munmap x[0-9.]+; O\(log n\) predicts x1\.43, O\(n\) x20$' ||
	fail "no growth line: $out"

# bench judge: 50 cases judged by this machine's kernel from the kept
# set-up, all agreeing and all answered from batches (none of the
# template's requests depends on a reply), again one per exchange, 10
# of them again a process per case, and the raw loop's figure beside
# them (the figures are not asserted).
out=$("$FL" bench judge --cases 50 --whole 10) ||
	fail "bench judge --cases 50 --whole 10 exited $?: $out"
echo "$out" | grep -q '^bench judge: 50 of 16641 cases .*judged by this machine' ||
	fail "bad judge header: $out"
echo "$out" | grep -Eq '^  judge, set-up kept +[0-9]+ cases/s +[0-9.]+% of raw   50 agree, 0 disagree, 0 skipped$' ||
	fail "judge row: $out"
echo "$out" | grep -Eq '^ +50 of 50 cases from the kept set-up, made anew 0 times, 50 answered from batches of up to 256$' ||
	fail "kept row: $out"
echo "$out" | grep -Eq '^  judge, one case per exchange +[0-9]+ cases/s +[0-9.]+% of raw   50 agree, 0 disagree, 0 skipped$' ||
	fail "one-per-exchange row: $out"
echo "$out" | grep -Eq '^  judge, a process per case +[0-9]+ cases/s +[0-9.]+% of raw   10 agree, 0 disagree, 0 skipped$' ||
	fail "per-case row: $out"
echo "$out" | grep -Eq '^  raw pread loop +[0-9]+ calls/s  \(a scenario process of the judge\)$' ||
	fail "raw row: $out"
echo "$out" | grep -Eq '^ +goal >= 10% of raw: (met|not met)$' || fail "goal row: $out"
for bad in "--cases 0" "--cases 16642" "--cases x" "--whole 16642" "--whole -1"; do
	"$FL" bench judge $bad >/dev/null 2>&1
	[ $? -eq 2 ] || fail "bench judge $bad should exit 2"
done

"$FL" bench nosuch >/dev/null 2>&1
[ $? -eq 2 ] || fail "unknown benchmark should exit 2"
"$FL" bench >/dev/null 2>&1
[ $? -eq 2 ] || fail "bench without a benchmark should exit 2"
"$FL" bench vma --n 0 >/dev/null 2>&1
[ $? -eq 2 ] || fail "--n 0 should exit 2"
"$FL" bench vma --n 12x >/dev/null 2>&1
[ $? -eq 2 ] || fail "--n 12x should exit 2"
err=$("$FL" bench nosuch 2>&1 >/dev/null)
[ "$(echo "$err" | wc -l)" -eq 1 ] || fail "expected one error line, got: $err"
exit 0
