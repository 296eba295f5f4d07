/*
 * mm/poison.c - hardware memory failure (memory_failure(), mm/memory-failure.c).
 *
 * The page at ADDR is made present if it is not (its folio is what fails),
 * marked HWPOISON, and every pte mapping it, in every mm, is replaced by a
 * poison marker (the kernel's hwpoison swap entry).  The next access to such
 * a pte: user mode gets SIGBUS BUS_MCEERR_AR, the kernel a short copy (the
 * fault handler returns VM_FAULT_HWPOISON).  A poisoned page-cache folio
 * stays in the cache with its flag, so new mappings of it fault the same way.
 *
 * Invariants
 *   1. After fl_poison() no present pte maps a HWPOISON folio.
 *   2. The zero page is never poisoned: a page still mapping it gets its own
 *      folio first.
 */
#include "mm/page_internal.h"

static int poison_one(struct fl_world *w, fl_pte_t *pte, fl_addr_t addr, void *arg)
{
	(void)addr;
	(void)arg;
	fl_pte_clear(w, pte);
	pte->flags = FL_PTE_POISON;
	return 0;
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
	fl_folio_get(folio);     /* the walk drops the mappings' references */
	folio->flags |= FL_FOLIO_HWPOISON;
	fl_rmap_walk(w, folio, poison_one, NULL);
	fl_folio_put(w, folio);
	return 0;
}
