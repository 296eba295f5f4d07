#!/bin/sh
# tests/cli/not_modelled.sh FAULTLINE - what the model does not model is
# refused as `unsupported` (exit 3) with its name, never accepted and then
# ignored (issue 15): THP before 5.8 (3917c80280c9) and on an arch whose PMD
# is not 2 MiB, and MADV_PAGEOUT of a THP (no THP swap-out); MADV_NOHUGEPAGE
# and MADV_DOFORK are modelled, and so is UFFD_FEATURE_WP_ASYNC from 6.7
# (before, the kernel's own EINVAL): a write to a write-protected page
# goes through, its uffd-wp bit dropped, with no event.
set -u
fl=${1:?usage: not_modelled.sh path/to/faultline}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

printf 'kernel 6.8\nmmap m 1p rw private\nstore m "x"\ncall userfaultfd as=U\ncall uffd_api U pagefault_flag_wp,wp_async\nexpect ret 0\ncall uffd_register U m 1p wp\ncall uffd_writeprotect U m 1p on\nexpect pagemap m uffd_wp\nstore m "y"\nexpect outcome ok\nexpect pagemap m -uffd_wp\n' >"$tmp/async.fl"
out=$("$fl" run -q "$tmp/async.fl") || bad "wp_async on 6.8: the write should go through: $out"
printf 'kernel 6.6\ncall userfaultfd as=U\ncall uffd_api U pagefault_flag_wp,wp_async\nexpect errno EINVAL\n' >"$tmp/old.fl"
out=$("$fl" run -q "$tmp/old.fl") || bad "wp_async on 6.6 should be the kernel's EINVAL: $out"

printf 'kernel 5.7\nmmap m 4m rw private\nmadvise m 4m hugepage\n' >"$tmp/thp57.fl"
printf 'kernel 6.18\narch i386\nmmap m 4m rw private\nmadvise m 4m hugepage\n' >"$tmp/thp386.fl"
printf 'kernel 6.18\nmmap m 4m rw private at=0x40000000\nmadvise m 2m hugepage\nstore m 1 fill=0x01\nmadvise m 2m pageout\n' >"$tmp/thpout.fl"
for a in thp57 thp386 thpout; do
	out=$("$fl" run -q "$tmp/$a.fl")
	[ $? -eq 3 ] || bad "$a should be unsupported (exit 3): $out"
	echo "$out" | grep -q 'THP' || bad "$a: no reason: $out"
done

# DONTFORK then DOFORK: the child has the page again; NOHUGEPAGE changes nothing visible.
cat >"$tmp/dofork.fl" <<'FL'
kernel 6.18
mmap m 2p rw private
store m 2p fill=0x22
madvise m 2p nohugepage
madvise m 2p dontfork
madvise m+1p 1p dofork
fork child
use child
load m 1
expect outcome sigsegv
load m+1p 1
expect outcome ok
expect mem m+1p 1 fill=0x22
FL
out=$("$fl" run -q "$tmp/dofork.fl") || bad "dofork/nohugepage: $out"
exit $fail
