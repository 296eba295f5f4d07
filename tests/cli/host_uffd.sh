#!/bin/sh
# tests/cli/host_uffd.sh FAULTLINE - userfaultfd on the host backend
# (docs/host.md): host cases 17-20 pass on the running kernel and agree
# with the model; a wrong `expect copy` is a FAIL (the comparison can
# fail); an access nobody serves is `blocked` without hanging the run;
# without permission (forced by FAULTLINE_HOST_NO_UFFD=1) a uffd scenario
# is a counted skip, "skipped (needs userfaultfd permission)", never a
# failure.
set -u
fl=${1:?usage: host_uffd.sh path/to/faultline}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

# 0. Without permission: skipped and counted, by run (exit 3) and by diff (exit 0).
out=$(FAULTLINE_HOST_NO_UFFD=1 "$fl" diff tests/host/uffd_copy.fl tests/host/store-straddle.fl)
[ $? -eq 0 ] || bad "a permission skip must not fail diff: $out"
echo "$out" | grep -q "^skip   tests/host/uffd_copy.fl: host: skipped (needs userfaultfd permission): 'call userfaultfd' (line 9)" ||
	bad "no permission skip line: $out"
echo "$out" | grep -q '^1 agree, 0 disagree, 1 skipped$' || bad "skip not counted: $out"
out=$(FAULTLINE_HOST_NO_UFFD=1 "$fl" run --backend host tests/host/uffd_copy.fl)
[ $? -eq 3 ] || bad "run without permission should exit 3 (unsupported): $out"
echo "$out" | grep -q 'skipped (needs userfaultfd permission)' || bad "run does not say why: $out"

# The rest needs a machine that permits userfaultfd.  Where it does not,
# every tests/host/uffd_*.fl must be a counted permission skip (run exits
# 3, each file says why), never a failure.
"$fl" run --backend host tests/host/uffd_api_register.fl >/dev/null 2>&1
rc=$?
if [ $rc -eq 3 ]; then
	n=$(ls tests/host/uffd_*.fl | wc -l)
	out=$("$fl" run --backend host tests/host/uffd_*.fl)
	[ $? -eq 3 ] || bad "without permission the uffd files should be skips (exit 3): $out"
	skips=$(echo "$out" | grep -c '^UNSUPPORTED .*skipped (needs userfaultfd permission)')
	[ "$skips" -eq "$n" ] || bad "$skips of $n uffd files say why they are skipped: $out"
	echo "SKIP: userfaultfd not permitted here: $skips host uffd files skipped"
	exit $fail
fi
[ $rc -eq 0 ] || bad "uffd_api_register.fl on the host exited $rc"

# 1. Cases 17-20 and the other uffd files hold on the host and agree with the model.
out=$("$fl" run --backend host -q tests/host/uffd_*.fl) || bad "host uffd cases fail: $out"
out=$("$fl" diff tests/host/uffd_*.fl) || bad "diff of the uffd cases exited $?: $out"
echo "$out" | grep -Eq '^[0-9]+ agree, 0 disagree, 0 skipped$' || bad "uffd cases do not all agree: $out"

# 2. A wrong copy field is a FAIL on the host, with what it saw.
sed 's/^expect copy 4096$/expect copy 4095/' tests/host/uffd_copy_readonly.fl >"$tmp/wrong.fl"
out=$("$fl" run --backend host "$tmp/wrong.fl")
[ $? -eq 1 ] || bad "a wrong expect copy should FAIL: $out"
echo "$out" | grep -q 'copy 4096' || bad "the seen copy field is not reported: $out"

# 3. Blocked, not hung: a pread into a missing registered page, no monitor.
cat >"$tmp/blocked.fl" <<'FL'
kernel host
file f 1p
mmap buf 2p rw private
call userfaultfd as=U
call uffd_api U -
call uffd_register U buf 2p missing
call pread f buf 10 0
expect outcome blocked
expect event U pagefault flags=write
store buf+1p "z"
expect outcome blocked
FL
start=$(date +%s)
out=$(FAULTLINE_HOST_TIMEOUT_MS=5000 "$fl" run --backend host "$tmp/blocked.fl") ||
	bad "blocked scenario: $out"
[ $(( $(date +%s) - start )) -lt 5 ] || bad "blocked detection took the whole timeout"
out=$("$fl" diff "$tmp/blocked.fl") || bad "blocked scenario does not agree: $out"
exit $fail
