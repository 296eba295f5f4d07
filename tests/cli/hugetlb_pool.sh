#!/bin/sh
# tests/cli/hugetlb_pool.sh FAULTLINE - the hugetlb pool is the machine's
# (docs/host.md "Huge pages"): a host run that maps huge pages waits
# while another process holds the pool (flock on /proc/sys/vm/nr_hugepages)
# instead of counting that process's pages as the kernel's answer.  Under
# `ctest -j2` cli_peer and host_agent both map huge pages; before the
# pool was held, one of them now and then read ENOMEM from mmap, zeros
# after a COW fork (its copy stolen back), or skipped a file the other
# run agreed on.
set -u
fl=${1:?usage: hugetlb_pool.sh path/to/faultline}
agent=$(dirname "$fl")/fl-agent
tmp=$(mktemp -d)
holder=
trap '[ -n "$holder" ] && kill "$holder" 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }
knob=/proc/sys/vm/nr_hugepages
file=tests/host/hugetlb-fault-whole-page.fl

# Another process takes the pool, runs SH, and touches released.TAG as it
# lets go.  The order of events is asserted, never a time.
hold() {
	flock -x "$knob" sh -c ": >'$tmp/held.$1'; $2; : >'$tmp/released.$1'" &
	holder=$!
	i=0
	while [ ! -e "$tmp/held.$1" ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i + 1)); done
	[ -e "$tmp/held.$1" ] || bad "$1: the holder never took the lock"
}
let_go() { wait "$holder"; holder=; }

command -v flock >/dev/null || { echo "SKIP: no flock(1) (util-linux)"; exit 77; }
[ -r "$knob" ] || { echo "SKIP: no $knob: no hugetlb pool"; exit 77; }
[ -x "$agent" ] || { echo "FAIL: no fl-agent beside $fl" >&2; exit 1; }
out=$("$fl" run --backend host -q "$file" 2>&1)
case $? in
0) ;;
3) echo "SKIP: the pool is short here (the hugepages fixture could not reserve): $out"
   exit 77 ;;
*) echo "FAIL: $file alone: $out" >&2; exit 1 ;;
esac

# 1. A run that maps huge pages finishes after the holder let go.
hold direct "sleep 3"
out=$("$fl" run --backend host -q "$file" 2>&1) || bad "$file while the pool was held: $out"
[ -e "$tmp/released.direct" ] || bad "$file ran while another process held the hugetlb pool"
let_go

# 2. The same through an agent on this machine: the runner holds the pool
# for it, so its HELLO counts the pages the holder gave back.
hold agent "sleep 3"
out=$(FAULTLINE_HOST_AGENT="$agent" "$fl" run --backend host -q "$file" 2>&1) ||
	bad "$file through the agent while the pool was held: $out"
[ -e "$tmp/released.agent" ] ||
	bad "$file ran through the agent while another process held the hugetlb pool"
let_go

# 3. A run that maps no huge pages does not wait: the holder keeps the
# pool until the run is done (or a minute), so a run that waited would
# end only after released.plain.
hold plain "i=0; while [ ! -e '$tmp/done' ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i + 1)); done"
out=$("$fl" run --backend host -q tests/host/cow-fork.fl 2>&1) || bad "cow-fork: $out"
[ -e "$tmp/released.plain" ] && bad "a scenario without huge pages waited for the pool"
: >"$tmp/done"
let_go
exit $fail
