/*
 * mm/mlock.c - mlock(2) and munlock(2): VM_LOCKED on a range, and the
 * pages of a locked range faulted in.
 *
 * What the model keeps of a lock is the vma flag, and what it changes
 * elsewhere: a locked vma refuses MADV_DONTNEED, MADV_FREE, MADV_REMOVE,
 * MADV_COLD, MADV_PAGEOUT and MADV_GUARD_INSTALL with -EINVAL
 * (mm/madvise.c), memory pressure leaves its pages alone (mm/reclaim.c),
 * and a fork's child does not inherit it (mm/process.c).  The folio's
 * PG_mlocked and the unevictable LRU have no observable here.
 *
 * Definitions
 *   lock      apply_vma_lock_flags: VM_LOCKED set on every vma of the
 *             range, split and merged as mprotect does; a hole anywhere
 *             is -ENOMEM, after the vmas before it took the flag.
 *             VM_IO/VM_PFNMAP and hugetlb vmas never take it (mlock_fixup).
 *   populate  __mm_populate: every vma of the range but VM_IO/VM_PFNMAP is
 *             faulted in, with a write fault where the vma is private and
 *             writable (to break COW), else a read fault; the first
 *             failure stops it.  mlock reports its -EFAULT as -ENOMEM and
 *             its -ENOMEM as -EAGAIN (__mlock_posix_error_return).
 *
 * Invariants
 *   1. munlock never faults anything in.
 *   2. After every call the VMA tree passes fl_vma_tree_check().
 *
 * Not modelled (refused with -EOPNOTSUPP): a range registered with a
 * userfaultfd (populate would wait for the handler), mlock2's
 * MLOCK_ONFAULT, mlockall, and RLIMIT_MEMLOCK (the host runs as root).
 */
#include "mm/page_internal.h"

/* vma->flags bits mlock_fixup leaves alone (VM_SPECIAL, hugetlb). */
static bool vma_takes_lock(const struct fl_vma *vma)
{
	return !(vma->flags & (FL_VM_IO | FL_VM_PFNMAP | FL_VM_HUGETLB));
}

static int refuse_uffd_range(struct fl_world *w, struct fl_mm *mm,
			     fl_addr_t start, fl_addr_t end)
{
	struct fl_vma *vma;

	for (vma = fl_find_vma(mm, start); vma && vma->start < end; vma = fl_vma_next(vma))
		if (vma->flags & (FL_VM_UFFD_MISSING | FL_VM_UFFD_WP | FL_VM_UFFD_MINOR))
			return fl_error(w, -EOPNOTSUPP, "mlock of a range registered with a "
					"userfaultfd is not modelled (populate would wait "
					"for its handler)");
	return 0;
}

/* apply_vma_lock_flags: the flag on each vma, -ENOMEM at the first hole. */
static int apply_vma_lock_flags(struct fl_world *w, struct fl_mm *mm,
				fl_addr_t start, fl_addr_t end, bool lock)
{
	fl_addr_t addr = start, next;
	struct fl_vma *vma = fl_vma_lookup(mm, start);

	if (!vma)
		return fl_error(w, -ENOMEM, "mlock: %#llx is not mapped",
				(unsigned long long)start);
	while (addr < end) {
		uint32_t flags;

		vma = fl_vma_lookup(mm, addr);
		if (!vma)
			return fl_error(w, -ENOMEM, "mlock: [%#llx, %#llx) has unmapped pages",
					(unsigned long long)start, (unsigned long long)end);
		next = vma->end < end ? vma->end : end;
		flags = lock ? vma->flags | FL_VM_LOCKED : vma->flags & ~FL_VM_LOCKED;
		if (flags != vma->flags && vma_takes_lock(vma) &&
		    !fl_vma_modify_flags(w, vma, addr, next, flags))
			return -ENOMEM;
		addr = next;
	}
	return 0;
}

/* __mm_populate without ignore_errors, as mlock calls it. */
static int mm_populate(struct fl_world *w, struct fl_mm *mm, fl_addr_t start,
		       fl_addr_t end)
{
	fl_addr_t addr = start, next;
	struct fl_vma *vma;
	int ret;

	while (addr < end && (vma = fl_find_vma(mm, addr)) && vma->start < end) {
		if (addr < vma->start)
			addr = vma->start;
		next = vma->end < end ? vma->end : end;
		if (vma->flags & (FL_VM_IO | FL_VM_PFNMAP)) {
			addr = next;
			continue;
		}
		/*
		 * populate_vma_page_range forces the access (FOLL_FORCE) only
		 * where the vma is accessible at all: PROT_NONE fails in
		 * check_vma_flags.
		 */
		if (!(vma->flags & (FL_VM_READ | FL_VM_WRITE | FL_VM_EXEC)))
			return fl_error(w, -EFAULT, "mlock: populate: PROT_NONE vma at %#llx",
					(unsigned long long)vma->start);
		ret = fl_populate_range(w, vma, addr, next,
					(vma->flags & (FL_VM_WRITE | FL_VM_SHARED)) == FL_VM_WRITE);
		/* without FOLL_HWPOISON a poisoned page is a plain -EFAULT */
		if (ret)
			return ret == -EHWPOISON ? -EFAULT : ret;
		addr = next;
	}
	return 0;
}

/* __mlock_posix_error_return: what POSIX says mlock fails with. */
static int mlock_posix_error(int err)
{
	if (err == -EFAULT)
		return -ENOMEM;
	if (err == -ENOMEM)
		return -EAGAIN;
	return err;
}

int fl_mlock(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr, size_t len,
	     bool lock)
{
	fl_addr_t start = FL_PAGE_ALIGN_DOWN(addr), end;
	int err;

	if (!mm)
		return fl_error(w, -EINVAL, "mlock: no mm");
	/* do_mlock: the length grows by the start's offset in its page */
	len = FL_PAGE_ALIGN(len + FL_PAGE_OFFSET(addr));
	end = start + len;
	if (end < start)
		return fl_error(w, -EINVAL, "mlock: range wraps");
	if (end == start)
		return 0;
	if (lock) {
		err = refuse_uffd_range(w, mm, start, end);
		if (err)
			return err;
	}
	err = apply_vma_lock_flags(w, mm, start, end, lock);
	if (err || !lock)
		return err;
	err = mm_populate(w, mm, start, end);
	return err ? mlock_posix_error(err) : 0;
}
