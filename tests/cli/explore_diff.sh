#!/bin/sh
# tests/cli/explore_diff.sh FAULTLINE - `faultline explore --diff` over the
# CI template tests/explore/ci-pread-pwrite-straddle.fl (330 host-realisable
# cases: pread/pwrite straddling a PROT_NONE page): every case runs on the
# model and on the running kernel and must agree, exit 0.  The 10458-case
# template tests/explore/pread-pwrite-straddle.fl is the full run
# (scenarios/audits/README.md gives its result).  Without the explore
# command this test FAILS, saying so: it is not skipped.
set -u
fl=${1:?usage: explore_diff.sh path/to/faultline}
ci=tests/explore/ci-pread-pwrite-straddle.fl
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

if ! "$fl" 2>&1 | grep -q '^  explore'; then
	echo "FAIL: $fl has no explore command (issue 8): explore --diff cannot run" >&2
	exit 1
fi
out=$("$fl" explore --diff "$ci" 2>&1)
rc=$?
[ $rc -eq 0 ] || bad "explore --diff $ci exited $rc: $out"
# every case agrees: no `differ` class in the counts
echo "$out" | grep -Eiq 'differ[^ ]* *[1-9]' && bad "disagreements: $out"
echo "$out" | grep -q '330' || bad "not all 330 cases counted: $out"
[ $fail -eq 0 ] && echo "ok: explore --diff $ci: 330 cases, no disagreement"
exit $fail
