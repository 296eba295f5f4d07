#!/bin/sh
# tests/cli/explore_diff_snap.sh FAULTLINE - explore --diff with the host
# backend's kept set-up (one scenario process per run of cases, gone back
# to between cases: backend/host_child_snap.c) gives every case the class
# it gets in a process of its own (FAULTLINE_HOST_SNAPSHOT=0), and the
# restore is really what ran:
#   1. tests/explore/restore-leaks.fl: each case changes what a restore must
#      undo (file offset and size, bytes, protection, extent, a new
#      mapping) and checks what the case before it changed; the CI
#      straddle template (a set-up with a store and a pwrite).  Same JSON
#      both ways, no `differ`, and the note says every case ran from the
#      kept set-up (or none, with FAULTLINE_HOST_SNAPSHOT=0).
#      tests/explore/restore-quick-leaks.fl: the same for the quick
#      restore (cases that change only memory bytes and a file offset).
#      Cases go to the judge in batches (backend/host_batch.c): the note
#      says how many a batch answered; restore-leaks.fl again with batches
#      of 4, whose first case cannot be answered (its mmap's address is
#      not known before it runs) and runs again alone.
#   4. A template whose case maps a new size each time and stores at the
#      address the mmap returned: a batch answers only the cases whose
#      address the case before them predicted, runs the others again
#      alone, and every class is still that of a whole run.
#   2. A template with a fork: no set-up is kept, every case runs whole and
#      still agrees.
#   3. A template whose case calls process_vm_readv, which the scenario
#      process cannot undo: each restore after one fails, the case sent
#      with it is refused and run again on a set-up made anew; the
#      classes are still those of whole runs.
set -u
fl=${1:?usage: explore_diff_snap.sh path/to/faultline}
tmp=${TMPDIR:-/tmp}/fl-explore-snap.$$
mkdir -p "$tmp" || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

# FILE N KEPT [RESTARTS [BATCHED]]: both ways, same JSON, the kept-set-up
# note right each way.  RESTARTS given: the set-up was made anew that often
# (else any number: a restore may meet memory the process took for
# itself where the case unmapped, and start anew - still the same classes).
# BATCHED: a pattern of the number of cases batches answered.
both_ways() {
	f=$1 n=$2 kept=$3 restarts=${4:-[0-9]*} batched=${5:-[0-9]*}
	"$fl" explore --diff --json "$f" >"$tmp/kept.json" 2>"$tmp/kept.err"
	rc=$?
	FAULTLINE_HOST_SNAPSHOT=0 "$fl" explore --diff --json "$f" >"$tmp/whole.json" \
		2>"$tmp/whole.err"
	rc2=$?
	[ $rc -eq 0 ] && [ $rc2 -eq 0 ] ||
		bad "$f: exit $rc kept, $rc2 whole: $(cat "$tmp/kept.err" "$tmp/whole.err")"
	cmp -s "$tmp/kept.json" "$tmp/whole.json" ||
		bad "$f: the kept set-up gives other classes: $(diff "$tmp/kept.json" "$tmp/whole.json" | head -5)"
	grep -q '"differ"' "$tmp/kept.json" && bad "$f: a case differs"
	grep -q "ran $kept of $n cases from its kept set-up (made anew $restarts times)" \
		"$tmp/kept.err" ||
		bad "$f: expected $kept of $n cases from the kept set-up, made anew $restarts times: $(cat "$tmp/kept.err")"
	grep -q "; $batched answered from batches" "$tmp/kept.err" ||
		bad "$f: expected $batched cases answered from batches: $(cat "$tmp/kept.err")"
	grep -q "ran 0 of $n cases from its kept set-up" "$tmp/whole.err" ||
		bad "$f: FAULTLINE_HOST_SNAPSHOT=0 still kept it: $(cat "$tmp/whole.err")"
	[ $fail -eq 0 ] && echo "ok: $f: $n cases, $kept from the kept set-up, same classes as whole"
}

both_ways tests/explore/restore-leaks.fl 12 12
both_ways tests/explore/restore-quick-leaks.fl 4 4 0 4
both_ways tests/explore/ci-pread-pwrite-straddle.fl 330 330 0 330
# batches grow while every case is answered (cli/cmd_explore.c,
# next_batch_size()): 330 cases go in 32 + 64 + 128 + 106, four
# exchanges; with FAULTLINE_HOST_BATCH=32 as the most, in eleven
for most in "" 32; do
	want=4
	[ -n "$most" ] && want=11
	FAULTLINE_HOST_BATCH=$most "$fl" explore --diff tests/explore/ci-pread-pwrite-straddle.fl \
		>/dev/null 2>"$tmp/grow.err"
	grep -q "; 330 answered from batches ($want sent)$" "$tmp/grow.err" ||
		bad "FAULTLINE_HOST_BATCH='$most': want 330 cases in $want batches: $(cat "$tmp/grow.err")"
done
# 3. the first case of the first batch runs again alone: at most 11
FAULTLINE_HOST_BATCH=4; export FAULTLINE_HOST_BATCH
both_ways tests/explore/restore-leaks.fl 12 12 0 '[1-9][01]*'
FAULTLINE_HOST_BATCH=-1
"$fl" explore --diff tests/explore/restore-leaks.fl >/dev/null 2>"$tmp/bad.err"
rc=$?
[ $rc -eq 2 ] && grep -q "FAULTLINE_HOST_BATCH='-1': not a number" "$tmp/bad.err" ||
	bad "FAULTLINE_HOST_BATCH=-1: want exit 2 naming it, got $rc: $(cat "$tmp/bad.err")"
unset FAULTLINE_HOST_BATCH

cat >"$tmp/fork.fl" <<'FL'
# a fork: the host keeps no set-up, every case runs whole
kernel host
vary n 1..3
mmap buf 1p rw private
store buf 1 fill=0x41
fork c
use c
store buf $n fill=0x42
FL
both_ways "$tmp/fork.fl" 3 0

cat >"$tmp/pvm.fl" <<'FL'
# process_vm_readv in each case: no restore after it works
kernel host
vary n 1..4
mmap a 1p rw private
mmap b 1p rw private
store a 1p fill=0x41
call process_vm_readv p b a+$n 8
expect mem b 8 fill=0x41
FL
# cases 2..4 each find the restore failed and are run again: 3 restarts
both_ways "$tmp/pvm.fl" 4 4 3

cat >"$tmp/spoil.fl" <<'FL'
# 4. each case's store goes where its own mmap went
kernel host
vary n 0..7
file f 1p
mmap buf 1p rw private
store buf 1p fill=0x41
mmap tmp $n+1p rw private
store tmp+$n 1 fill=0x42
call pwrite f tmp $n+1 0
expect ret $n+1
FL
FAULTLINE_HOST_BATCH=3; export FAULTLINE_HOST_BATCH
both_ways "$tmp/spoil.fl" 8 8
unset FAULTLINE_HOST_BATCH
exit $fail
