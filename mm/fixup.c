/*
 * mm/fixup.c - fixup_user_fault(): resolve one page fault on behalf of a
 * kernel path that cannot take it through a user access (mm/gup.c).
 *
 * Why it exists here: from 5.17 (fe673d3f5bf1) fault_in_safe_writeable()
 * is a loop of fixup_user_fault(FAULT_FLAG_WRITE), one call per page, so
 * that a page is made present and writable (breaking COW on a private
 * page) without any byte of it being stored to.  Futexes use it too.
 *
 * Definitions
 *   permits   the vma allows the fault: VM_WRITE for a write fault, VM_READ
 *             for a read fault (vma_permits_fault; no FOLL_FORCE here, and
 *             unlike a user read VM_EXEC alone does not do).
 *
 * Invariants
 *   1. No vma containing ADDR, or a vma that does not permit the fault:
 *      -EFAULT without running the fault handler (no FL_HOOK_FAULT).
 *   2. Otherwise fl_handle_mm_fault() runs exactly once per attempt, even
 *      when the pte is already present and writable: the kernel calls
 *      handle_mm_fault unconditionally, which then only marks the pte
 *      young (and dirty for a write).
 *   3. The vm_fault_t is turned into an errno as vm_fault_to_errno(ret, 0)
 *      does: OOM -ENOMEM, SIGBUS/SIGSEGV -EFAULT, and HWPOISON -EFAULT too,
 *      because fixup_user_fault passes no FOLL_HWPOISON.
 */
#include "mm/internal.h"

/* A fault whose handler keeps asking for a retry is given up (-EFAULT). */
#define FL_FIXUP_MAX_TRIES 4

static bool vma_permits_fault(const struct fl_vma *vma, unsigned fault_flags)
{
	uint32_t need = (fault_flags & FL_FAULT_WRITE) ? FL_VM_WRITE : FL_VM_READ;

	return (vma->flags & need) != 0;
}

/*
 * vm_fault_to_errno(ret, 0).  -EHWPOISON would need FOLL_HWPOISON, which
 * fixup_user_fault never passes: a poisoned page is plain -EFAULT here.
 */
static int fixup_errno(unsigned ret)
{
	if (ret & FL_VM_FAULT_OOM)
		return -ENOMEM;
	if (ret & FL_VM_FAULT_ERROR)
		return -EFAULT;
	return 0;
}

/*
 * Fault in ADDR of MM as the kernel would for FAULT_FLAGS (FL_FAULT_WRITE
 * or 0).  Called with no lock to hold: the model has no mmap_lock, and an
 * injected statement run from FL_HOOK_FAULT may change the vmas, so the vma
 * is looked up again for each attempt.  0, -EFAULT or -ENOMEM.
 */
int fl_fixup_user_fault(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr,
			unsigned fault_flags)
{
	int tries, err;

	if (!mm)
		return fl_error(w, -EFAULT, "fixup_user_fault: no mm");
	for (tries = 0; tries < FL_FIXUP_MAX_TRIES; tries++) {
		struct fl_vma *vma = fl_vma_lookup(mm, addr);
		unsigned ret;

		/* Invariant 1: nothing to fault in, or not allowed to. */
		if (!vma || !vma_permits_fault(vma, fault_flags))
			return -EFAULT;
		ret = fl_handle_mm_fault(w, vma, addr, fault_flags);
		err = fixup_errno(ret);
		if (err)
			return err;
		/* VM_FAULT_RETRY: the kernel retakes the lock and tries again. */
		if (!(ret & FL_VM_FAULT_RETRY))
			return 0;
	}
	return -EFAULT;
}
