/*
 * mm/poison.c - hardware memory failure (memory_failure(), mm/memory-failure.c).
 *
 * The page at ADDR is made present if it is not (its folio is what fails),
 * marked HWPOISON, and every pte mapping it, in every mm, is replaced by a
 * poison marker (the kernel's hwpoison swap entry).  The next access to such
 * a pte: user mode gets SIGBUS BUS_MCEERR_AR, the kernel a short copy (the
 * fault handler returns VM_FAULT_HWPOISON).  A poisoned page-cache folio
 * stays in the cache with its flag, so new mappings of it fault the same way
 * and reads of it fail with -EIO (callers/filemap_read.c) - on tmpfs from
 * 5.17; before, and on other file systems, it is truncated from the file
 * (poison_stays_cached()).
 *
 * fl_madvise_hwpoison() is the `poison` statement as a real kernel runs
 * it: madvise(MADV_HWPOISON) by the current process, the only way to fail
 * a page on purpose.  From 6.11 (FL_ERA_MADV_HWPOISON_KILLS_CALLER) the
 * injection calls memory_failure() with MF_ACTION_REQUIRED, as if the
 * caller had consumed the error: the caller, which maps the page (the
 * injection made it present), gets SIGBUS BUS_MCEERR_AR at the page's
 * address in its own mm before madvise returns.  Only the caller: the
 * other mms that map the page get just the marker (no early-kill task,
 * vm.memory_failure_early_kill 0).  kill_proc() is memory-failure.c's, so
 * a kernel without CONFIG_MEMORY_FAILURE sends nothing (it has no
 * MADV_HWPOISON either; the host refuses it there).
 *
 * A page whose pte is a poison marker already cannot be injected again:
 * madvise_inject_error() looks the page up with get_user_pages_fast(), the
 * fault on the hwpoison entry is VM_FAULT_HWPOISON and GUP without
 * FOLL_HWPOISON makes that -EFAULT, before memory_failure() runs (no
 * signal).  Judged on Debian's 5.10, 6.1 and 6.12 (docs/vm.md,
 * tests/vm/guest-poison-again.fl).  fl_poison() itself, the hardware's
 * failure, leaves such a page as it is.
 *
 * Invariants
 *   1. After fl_poison() no present pte maps a HWPOISON folio.
 *   2. The zero page is never poisoned: a page still mapping it gets its own
 *      folio first.
 *   3. fl_madvise_hwpoison() signals only the current process, and only at
 *      a page-aligned address of a mapping of the poisoned folio.
 */
#include <string.h>

#include "mm/page_internal.h"

static int poison_one(struct fl_world *w, fl_pte_t *pte, fl_addr_t addr, void *arg)
{
	(void)addr;
	(void)arg;
	fl_pte_clear(w, pte);
	pte->flags = FL_PTE_POISON;
	return 0;
}

/*
 * Does a failed page-cache folio of F stay in F's cache?  tmpfs keeps it
 * from 5.17 (a76054266661: truncating it lost the data silently, later
 * reads returned zeros); before, and on the other file systems, whose
 * pages the model keeps as tmpfs does (mm/filemap.c) but whose real
 * memory_failure() truncates a dirty page, it is truncated: the ptes keep
 * the poison marker, the file has a hole there.
 */
static bool poison_stays_cached(struct fl_world *w, const struct fl_file *f)
{
	return f->fs == FL_FS_TMPFS && fl_since(w, FL_ERA_SHMEM_HWPOISON_KEPT);
}

/* The folio the page of ADDR holds, faulted in without hooks; NULL if none. */
static struct fl_folio *poison_target(struct fl_world *w, struct fl_vma *vma,
				      fl_addr_t addr)
{
	fl_pte_t *pte = fl_pte_lookup(vma->mm, addr);

	if (!pte || !(pte->flags & FL_PTE_PRESENT))
		__fl_handle_mm_fault(w, vma, addr, 0);
	pte = fl_pte_lookup(vma->mm, addr);
	if (pte && (pte->flags & FL_PTE_PRESENT) && fl_folio_is_zero(w, pte->folio))
		__fl_handle_mm_fault(w, vma, addr, FL_FAULT_UNSHARE);
	pte = fl_pte_lookup(vma->mm, addr);
	if (!pte || !(pte->flags & FL_PTE_PRESENT) || fl_folio_is_zero(w, pte->folio))
		return NULL;
	return pte->folio;
}

int fl_poison(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr)
{
	struct fl_vma *vma = mm ? fl_vma_lookup(mm, addr) : NULL;
	fl_pte_t *pte;
	struct fl_folio *folio;

	if (!vma)
		return fl_error(w, -EFAULT, "poison: no mapping at 0x%llx",
				(unsigned long long)addr);
	addr = FL_PAGE_ALIGN_DOWN(addr);
	pte = fl_pte_lookup(mm, addr);
	if (pte && (pte->flags & FL_PTE_POISON))
		return 0;
	folio = poison_target(w, vma, addr);
	if (!folio)
		return fl_error(w, -EFAULT, "poison: page at 0x%llx cannot be made present",
				(unsigned long long)addr);
	if (fl_thp_refuse_range(w, mm, addr, addr + FL_PAGE_SIZE, "poison"))
		return -EOPNOTSUPP;
	fl_folio_get(folio);     /* the walk drops the mappings' references */
	folio->flags |= FL_FOLIO_HWPOISON;
	fl_rmap_walk(w, folio, poison_one, NULL);
	if (folio->mapping && !poison_stays_cached(w, folio->mapping))
		fl_file_punch(w, folio->mapping, folio->index, 1);
	fl_folio_put(w, folio);
	return 0;
}

int fl_madvise_hwpoison(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr,
			struct fl_signal *sig)
{
	fl_pte_t *pte = mm ? fl_pte_lookup(mm, FL_PAGE_ALIGN_DOWN(addr)) : NULL;
	bool was_poisoned = pte && (pte->flags & FL_PTE_POISON);
	int err;

	memset(sig, 0, sizeof(*sig));
	if (mm && fl_vma_lookup(mm, addr) && fl_vma_is_hugetlb(fl_vma_lookup(mm, addr)))
		return fl_error(w, -EOPNOTSUPP, "poison: memory failure of a huge page is "
				"not modelled (mm/hugetlb.c)");
	if (was_poisoned)               /* GUP fails: no memory_failure() call */
		return fl_error(w, -EFAULT, "poison: the page at 0x%llx is poisoned "
				"already: madvise's GUP fails", (unsigned long long)addr);
	err = fl_poison(w, mm, addr);
	if (err)
		return err;
	if (fl_since(w, FL_ERA_MADV_HWPOISON_KILLS_CALLER) &&
	    fl_world_kconfig(w, FL_KCONFIG_MEMORY_FAILURE)) {
		sig->sig = FL_SIGBUS;
		sig->code = FL_BUS_MCEERR_AR;
		sig->addr = FL_PAGE_ALIGN_DOWN(addr);
	}
	return 0;
}
