#!/bin/sh
# tests/cli/peer.sh FAULTLINE - the peer suites' assertions (tests/peer/*.fl,
# README "Peer suites"): every file's expectations hold on the model and,
# where the host can run it, on the running kernel; `faultline diff` finds
# no disagreement, and every skip names its reason.  Prints the counts per
# suite (file prefix: cow_, uffd_unit_, uffd_stress_, soft_dirty_,
# guard_regions_, pagemap_ioctl_, mkdirty_, uffd_wp_mremap_, af_unix_
# (net/af_unix), gvisor_,
# ltp_, thp_: cow.c's THP set-ups).
set -u
fl=${1:?usage: peer.sh path/to/faultline}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

# FL_PEER_DIFF_ONLY=1 (the sanitizer tree's CTest, CMakeLists.txt): 3 alone.
if [ "${FL_PEER_DIFF_ONLY:-0}" = 1 ]; then
	echo "peer.sh: FL_PEER_DIFF_ONLY=1: the diff alone; the plain runs are the gcc tree's"
else
	# 1. The model: no expectation fails (unsupported is a skip, exit 3).
	"$fl" run -q tests/peer/*.fl >"$tmp/model"
	rc=$?
	[ $rc -eq 0 ] || [ $rc -eq 3 ] || bad "model run exited $rc: $(grep -v '^PASS' "$tmp/model")"
	grep '^FAIL\|^ERROR' "$tmp/model" >&2 && bad "a peer scenario fails on the model"

	# 2. The host: no expectation fails where it runs.
	"$fl" run --backend host -q tests/peer/*.fl >"$tmp/host"
	rc=$?
	[ $rc -eq 0 ] || [ $rc -eq 3 ] || bad "host run exited $rc: $(grep -v '^PASS' "$tmp/host")"
	grep '^FAIL\|^ERROR' "$tmp/host" >&2 && bad "a peer scenario fails on the host"
fi

# 3. diff: agree or skip with a reason, never a disagreement.
"$fl" diff tests/peer/*.fl >"$tmp/diff"
rc=$?
[ $rc -eq 0 ] || bad "diff exited $rc: $(grep -v '^agree' "$tmp/diff")"
grep -q '^[0-9]* agree, 0 disagree, [0-9]* skipped$' "$tmp/diff" || bad "diff summary: $(tail -1 "$tmp/diff")"
grep -E '^skip   [^:]+: *$' "$tmp/diff" >&2 && bad "a skip without a reason"

# The counts, per suite.
for s in cow uffd_unit uffd_stress uffd_wp_mremap soft_dirty guard_regions pagemap_ioctl mkdirty af_unix gvisor ltp thp; do
	a=$(grep -c "^agree  tests/peer/${s}_" "$tmp/diff")
	k=$(grep -c "^skip   tests/peer/${s}_" "$tmp/diff")
	echo "peer $s: $((a + k)) assertions, $a agree, $k skipped"
done
grep '^skip' "$tmp/diff" | sed -e 's/^skip   tests\/peer\/[^:]*: //' -e 's/ (line [0-9]*)//' | sort | uniq -c |
	sed 's/^/skip reason: /'
tail -1 "$tmp/diff"
exit $fail
