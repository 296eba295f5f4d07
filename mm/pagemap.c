/*
 * mm/pagemap.c - /proc/PID/pagemap as a reader with or without
 * CAP_SYS_ADMIN sees it, and clear_refs "4" (fs/proc/task_mmu.c: pte_to_pagemap_entry,
 * pagemap_pte_hole, clear_refs_write, clear_soft_dirty).
 *
 * Definitions
 *   entry       one 64-bit word per page: bit 63 present, 62 swapped,
 *               61 file-page or shared-anon, 58 guard region, 57
 *               uffd-wp, 56 exclusively
 *               mapped, 55 soft-dirty; bits 0-54 the PFN or swap offset:
 *               the model gives a present page's frame + 1 to a reader
 *               with CAP_SYS_ADMIN, 0 to one without (from 4.2), and no
 *               swap offset.
 *   exclusive   PM_MMAP_EXCLUSIVE: the page is mapped once (mapcount 1),
 *               whatever PG_anon_exclusive says: after fork and the
 *               child's exit a page reads exclusive again although a
 *               write still has to go through the COW reuse check.  The
 *               zero page never is (vm_normal_page() skips it), nor a
 *               swap entry (no page).  6.15's folio_maybe_mapped_shared()
 *               is the same test for a one-page folio.
 *   soft-dirty  pte_soft_dirty(pte) or VM_SOFTDIRTY on the vma, in a kernel
 *               built with CONFIG_MEM_SOFT_DIRTY on an arch that has the
 *               bit (fl_arch.soft_dirty_since); else never.
 *
 * Per pte (pte_to_pagemap_entry / pagemap_pte_hole):
 *   no vma                  0
 *   none                    soft-dirty if VM_SOFTDIRTY
 *   present                 present; file if the folio is not anonymous
 *                           (page cache, shmem, shared anonymous);
 *                           exclusive if mapcount 1; the zero page neither
 *   swap entry              swapped; soft-dirty and uffd-wp from the pte
 *   uffd-wp, UFFDIO_POISON or guard marker
 *                           swapped (a pte marker is a swap-type entry);
 *                           uffd-wp for the first, guard region for the
 *                           last (from 6.15, 8e2f2aeb8b48)
 *   hwpoison entry          unsupported (the kernel reports the poisoned
 *                           page's own bits; not modelled)
 *
 * A hugetlb vma (pagemap_hugetlb_range): each base page reads its huge
 * page's entry: present, file, exclusive and uffd-wp as above; a marker
 * reads uffd-wp or nothing, never swapped; soft-dirty only from
 * VM_SOFTDIRTY.
 *
 * Eras: the entry format with bit 56 and without the page-shift bits
 * (77bb499bb60f, 4.3; the kernel's pagemap.rst says "since 4.2") is the
 * oldest modelled: earlier kernels are `unsupported`.  Bit 57 (uffd-wp)
 * from fb8e37f35a2f (5.13); before it the bit reads 0.
 *
 * The model sets FL_PTE_SOFT_DIRTY with every dirtying fault
 * (FL_PTE_MKDIRTY), not when a user store finds a writable pte: the
 * hardware sets no soft-dirty bit there, and the model does not need to,
 * since (invariant) a writable pte in a vma without VM_SOFTDIRTY was made
 * writable by a fault after the last clear_refs, which marked it.
 */
#include "mm/page_internal.h"

bool fl_pagemap_has_soft_dirty(const struct fl_world *w)
{
	fl_kver_t since = fl_world_arch(w)->soft_dirty_since;

	return since && fl_world_kver(w) >= since &&
	       fl_world_kconfig(w, FL_KCONFIG_MEM_SOFT_DIRTY);
}

static uint64_t pte_to_pagemap_entry(struct fl_world *w, const fl_pte_t *pte)
{
	uint64_t e = 0;

	if (pte->flags & FL_PTE_PRESENT) {
		const struct fl_folio *folio = pte->folio;

		e |= FL_PM_PRESENT;
		/*
		 * The huge zero page: pagemap_pmd_range takes pmd_page(), not
		 * vm_normal_page(), and that page is not anonymous (seen on
		 * 6.18: present and file, not exclusive).
		 */
		if (fl_folio_is_zero(w, folio) && (pte->flags & FL_PTE_PMD))
			e |= FL_PM_FILE;
		if (!fl_folio_is_zero(w, folio)) {
			if (!(folio->flags & FL_FOLIO_ANON))
				e |= FL_PM_FILE;
			if (folio->mapcount == 1)
				e |= FL_PM_MMAP_EXCLUSIVE;
		}
	} else if (pte->flags & (FL_PTE_SWAP | FL_PTE_MARKER)) {
		e |= FL_PM_SWAP;
	}
	if (pte->flags & FL_PTE_SOFT_DIRTY)
		e |= FL_PM_SOFT_DIRTY;
	if ((pte->flags & FL_PTE_UFFD_WP) && fl_since(w, FL_ERA_PAGEMAP_UFFD_WP))
		e |= FL_PM_UFFD_WP;
	if ((pte->flags & FL_PTE_GUARD) && fl_since(w, FL_ERA_PAGEMAP_GUARD))
		e |= FL_PM_GUARD_REGION;
	return e;
}

/*
 * pagemap_hugetlb_range: a huge page's entry, the same for each of its
 * base pages.  Present: file and exclusive as for a pte, uffd-wp from the
 * pte (8e165e733bfa, 5.19); not present: uffd-wp from a marker, and
 * nothing else - no swapped bit, hugetlb has no swap entries.  Soft-dirty
 * comes from VM_SOFTDIRTY alone (below), never from the pte.
 */
static uint64_t huge_pte_to_pagemap_entry(struct fl_world *w, const fl_pte_t *pte)
{
	uint64_t e = 0;

	if (pte->flags & FL_PTE_PRESENT) {
		e |= FL_PM_PRESENT;
		if (!(pte->folio->flags & FL_FOLIO_ANON))
			e |= FL_PM_FILE;
		if (pte->folio->mapcount == 1)
			e |= FL_PM_MMAP_EXCLUSIVE;
	}
	if ((pte->flags & FL_PTE_UFFD_WP) && fl_since(w, FL_ERA_PAGEMAP_UFFD_WP))
		e |= FL_PM_UFFD_WP;
	return e;
}

/*
 * The PFN field of a privileged reader (pte_to_pagemap_entry with
 * show_pfn): the frame of a present page; an unprivileged one reads 0
 * (1c90308e7a77, 4.2: before, 4.0 and 4.1 refused the open).
 */
static int pagemap_pfn(struct fl_world *w, const fl_pte_t *pte,
		       enum fl_pm_reader reader, uint64_t *entry)
{
	if (reader != FL_PM_READ_PRIV || !pte)
		return 0;
	if (pte->flags & FL_PTE_PRESENT) {
		*entry |= ((uint64_t)pte->folio->frame + 1) & FL_PM_PFN_MASK;
		return 0;
	}
	if ((pte->flags & (FL_PTE_SWAP | FL_PTE_MARKER)) && (*entry & FL_PM_SWAP))
		return fl_error(w, -EOPNOTSUPP, "the swap type and offset of a swap "
				"or marker entry (pagemap bits 0-54) are not modelled");
	return 0;
}

int fl_pagemap_entry(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr,
		     uint64_t *entry)
{
	return fl_pagemap_read(w, mm, addr, FL_PM_READ_BITS, entry);
}

int fl_pagemap_read(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr,
		    enum fl_pm_reader reader, uint64_t *entry)
{
	struct fl_vma *vma = fl_vma_lookup(mm, addr);
	const fl_pte_t *pte;

	*entry = 0;
	if (!fl_since(w, FL_ERA_PAGEMAP_EXCLUSIVE))
		return fl_error(w, -EOPNOTSUPP, "pagemap before 4.3 (bits 55-60 held "
				"the page shift) is not modelled");
	if (!vma)
		return 0;
	pte = fl_pte_lookup(mm, FL_PAGE_ALIGN_DOWN(addr));
	if (pte && (pte->flags & FL_PTE_POISON) && !(pte->flags & FL_PTE_MARKER))
		return fl_error(w, -EOPNOTSUPP, "pagemap of a hwpoison entry is not modelled");
	if (pte)
		*entry = fl_vma_is_hugetlb(vma) ? huge_pte_to_pagemap_entry(w, pte)
						: pte_to_pagemap_entry(w, pte);
	if (!fl_since(w, FL_ERA_PAGEMAP_PFN_HIDDEN) && reader == FL_PM_READ_UNPRIV)
		return fl_error(w, -EOPNOTSUPP, "pagemap for a reader without "
				"CAP_SYS_ADMIN before 4.2 is not modelled");
	if (pagemap_pfn(w, pte, reader, entry))
		return -EOPNOTSUPP;
	if (vma->flags & FL_VM_SOFTDIRTY)
		*entry |= FL_PM_SOFT_DIRTY;
	if (!fl_pagemap_has_soft_dirty(w))
		*entry &= ~FL_PM_SOFT_DIRTY;
	return 0;
}

/*
 * pte_is_pinned: newer kernels leave a page that may be DMA-pinned
 * writable (a COW after it would lose the pin's view); when that began
 * is not identified, so the model refuses the case instead of guessing.
 */
static int refuse_pinned(struct fl_world *w, fl_pte_t *pte, fl_addr_t addr, void *arg)
{
	(void)arg;
	if (!(pte->flags & FL_PTE_PRESENT) || fl_folio_is_zero(w, pte->folio) ||
	    pte->folio->refcount < FL_GUP_PIN_COUNTING_BIAS)
		return 0;
	return fl_error(w, -EOPNOTSUPP, "clear_refs over a page that may be pinned "
			"(0x%llx) is not modelled", (unsigned long long)addr);
}

/* clear_soft_dirty: write-protect and clean a present pte; clean a swap pte. */
static int clear_soft_dirty(struct fl_world *w, fl_pte_t *pte, fl_addr_t addr, void *arg)
{
	(void)w;
	(void)addr;
	(void)arg;
	if (pte->flags & FL_PTE_PRESENT)
		pte->flags &= ~(FL_PTE_WRITE | FL_PTE_SOFT_DIRTY);
	else if (pte->flags & FL_PTE_SWAP)
		pte->flags &= ~FL_PTE_SOFT_DIRTY;
	return 0;
}

int fl_clear_refs_soft_dirty(struct fl_world *w, struct fl_mm *mm)
{
	struct fl_vma *vma;
	int err;

	if (!fl_pagemap_has_soft_dirty(w))
		return 0;       /* VM_SOFTDIRTY is 0 and clear_soft_dirty() empty */
	for (vma = fl_find_vma(mm, 0); vma; vma = fl_vma_next(vma)) {
		if (!(mm->flags & FL_MMF_HAS_PINNED))
			break;
		err = fl_walk_ptes(w, mm, vma->start, vma->end, refuse_pinned, NULL);
		if (err)
			return err;
	}
	for (vma = fl_find_vma(mm, 0); vma; vma = fl_vma_next(vma)) {
		vma->flags &= ~FL_VM_SOFTDIRTY;
		fl_walk_ptes(w, mm, vma->start, vma->end, clear_soft_dirty, NULL);
	}
	return 0;
}
