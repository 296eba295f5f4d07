#!/bin/sh
# gen-uffd.sh - write the userfaultfd race audit templates
# (scenarios/audits/uffd/RACE-KERNEL.fl): a fault is pending (a load of a
# registered missing page, event read by the handler), something races it,
# the handler answers with UFFDIO_COPY.  Races: munmap, madvise(DONTNEED)
# before the ioctl and inside it (`on uffd_copy#$n`); mremap (moving the
# whole area), fork and mm exit before it (`on` takes no statement that can
# declare a name, and mremap can, with as=).  `kernel` is not a variable: one file per version.
#     sh scenarios/audits/gen-uffd.sh [OUTDIR]
# See scenarios/audits/README.md ("userfaultfd race audit").
set -eu
out=${1:-$(dirname "$0")/uffd}
mkdir -p "$out"
rm -f "$out"/*.fl
kernels="4.10 4.11 4.17 4.18 5.10 6.6 6.14 6.15"

features() { # kernel
	case $1 in 4.10) echo - ;; *) echo "event_fork,event_remove,event_unmap" ;; esac
}
why() {
	cat <<'EOF'
# What a handler sees from UFFDIO_COPY when the address space changes under
# a pending fault (kernel-facts.md §4, docs/uffd.md): -EINVAL before 4.11,
# -ENOENT after (no registered vma holds the destination); mmap_changing
# (4.18, df2cc96e7701): -EAGAIN while a fork/remove/unmap event is unread,
# the copy field left unwritten until 6.15-rc6 / 6.14.7 (95567729173e);
# -ESRCH (4.13, e86b298bebf7; -ENOSPC 4.11-4.12) once the mm is gone; a
# partial copy is ret -EAGAIN with copy > 0.  mremap moves the registered
# area away: the handler's copy to the old address finds no vma, and from
# 4.18 the unread REMAP event raises mmap_changing first.
EOF
}
setup() { # kernel
	echo "kernel $1"
	echo "arch x86_64"
}
pending() { # kernel
	echo "call userfaultfd as=U"
	echo "call uffd_api U $(features "$1")"
	echo "call uffd_register U area 4p missing"
	echo "load area+1p 1                 # the pending fault: blocked, its event queued"
	echo "call uffd_read U               # the handler reads it"
}

for k in $kernels; do
	for race in munmap dontneed; do
		case $race in
		munmap) stmt='munmap area+$at 1p' ;;
		dontneed) stmt='madvise area+$at 1p dontneed' ;;
		esac
		f=$out/$race-before-$k.fl
		{
		echo "# userfaultfd, kernel $k: $race of page \$at between the handler's read of the fault and its UFFDIO_COPY of \$len bytes"
		why
		setup "$k"
		echo 'vary at 0..3p step=1p'
		echo 'vary len 1p..4p step=1p'
		echo 'mmap area 4p rw private'
		pending "$k"
		echo "$stmt"
		echo 'call uffd_copy U area $len'
		} > "$f"
		f=$out/$race-during-$k.fl
		{
		echo "# userfaultfd, kernel $k: $race of page \$at while UFFDIO_COPY fills 4 pages, before page \$n-1"
		why
		cat <<'EOF'
# `on uffd_copy#$n` fires before the n-th page is filled (n = 5: never).
# The kernel holds mmap_lock (read) across pages, so a munmap/madvise lands
# there only where mfill drops it: after a source page that was not present
# (the -ENOENT retry).  The model lets it land before any page.
EOF
		setup "$k"
		echo 'vary n 1..5'
		echo 'vary at 0..3p step=1p'
		echo 'mmap area 4p rw private'
		pending "$k"
		echo "on uffd_copy#\$n $stmt"
		echo 'call uffd_copy U area 4p'
		} > "$f"
	done
	# mremap: the whole registered area moves to a fixed free address.
	stmt='mremap area 4p 4p at=0x100000000'
	f=$out/mremap-before-$k.fl
	{
	echo "# userfaultfd, kernel $k: mremap moves the registered area between the handler's read of the fault and its UFFDIO_COPY of \$len bytes"
	why
	setup "$k"
	echo 'vary len 1p..4p step=1p'
	echo 'mmap area 4p rw private'
	pending "$k"
	echo "$stmt"
	echo 'call uffd_copy U area $len'
	} > "$f"
	f=$out/fork-before-$k.fl
	{
	echo "# userfaultfd, kernel $k: the faulting process forks between the handler's read of the fault and its UFFDIO_COPY of \$len bytes at page \$at"
	why
	cat <<'EOF'
# fork cannot be injected inside the ioctl: `on` refuses a statement that
# declares a name (the child), and the kernel's dup_mmap takes mmap_lock for
# writing, so it cannot run inside the copy's locked section anyway.
EOF
	setup "$k"
	echo 'vary at 0..3p step=1p'
	echo 'vary len 1p..4p step=1p'
	echo 'mmap area 4p rw private'
	pending "$k"
	echo 'fork child'
	echo 'call uffd_copy U area+$at $len'
	} > "$f"
	f=$out/exit-before-$k.fl
	{
	echo "# userfaultfd, kernel $k: the faulting process exits between the handler's read of the fault and its UFFDIO_COPY of \$len bytes at page \$at"
	why
	cat <<'EOF'
# Only "before the ioctl": inside it the kernel holds mmget_not_zero(ctx->mm)
# for the whole copy, so exit_mmap waits and the copy completes; the model's
# `exit` tears the mm down at once, so an injected exit would be wrong
# (README: model limitations).
EOF
	setup "$k"
	echo 'vary at 0..3p step=1p'
	echo 'vary len 1p..4p step=1p'
	echo 'process monitor'
	echo 'process victim'
	echo 'mmap area 4p rw private'
	pending "$k"
	echo 'use monitor'
	echo 'exit victim'
	echo 'call uffd_copy U area+$at $len'
	} > "$f"
done
