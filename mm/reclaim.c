/*
 * mm/reclaim.c - memory pressure: MADV_PAGEOUT and the `evict` statement.
 *
 * Definitions
 *   swap slot   an arena object holding the frame (and tags) of an evicted
 *               anonymous page; swap ptes refer to it (count of them).
 *   reclaim     for each pte of the range: an anonymous folio goes to a
 *               swap slot; a page-cache folio is unmapped (written back
 *               first if dirty: the model's page cache is the file, so
 *               writeback only clears the dirty flag) and stays cached, so
 *               the next access is a minor fault.
 *
 * Invariants
 *   1. A folio that may be pinned (refcount >= GUP_PIN_COUNTING_BIAS) or
 *      holds any reference beyond its mappings and the page cache is not
 *      reclaimed: the kernel's try_to_unmap/folio_ref_freeze fail on it.
 *   2. An anonymous folio is swapped out only when every pte mapping it is
 *      in the range (mapcount == 1): without an anon_vma the model does not
 *      chase the other mms of a fork-shared folio.
 *   3. Swap-in gives back exactly the bytes and tags evicted.
 */
#include <string.h>

#include "mm/page_internal.h"

void fl_swap_slot_get(struct fl_swap_slot *slot)
{
	slot->count++;
}

void fl_swap_slot_put(struct fl_world *w, struct fl_swap_slot *slot)
{
	if (--slot->count)
		return;
	fl_frame_free(w, slot->frame);
	fl_free(w, slot->tags, FL_TAG_SLOTS);
	fl_free(w, slot, sizeof(*slot));
}

struct fl_folio *fl_swap_in(struct fl_world *w, fl_pte_t *pte)
{
	struct fl_swap_slot *slot = pte->swap;
	struct fl_folio *folio = fl_zalloc(w, sizeof(*folio));

	if (!folio)
		return NULL;
	if (slot->count == 1) {
		/* The last user takes the frame and tags over. */
		folio->frame = slot->frame;
		folio->tags = slot->tags;
		slot->frame = 0;
		slot->tags = NULL;
	} else {
		folio->frame = fl_frame_alloc(w);
		if (!folio->frame)
			goto out_free;
		memcpy(fl_frame_mut(w, folio->frame), fl_frame(w, slot->frame), FL_PAGE_SIZE);
		if (slot->tags) {
			folio->tags = fl_zalloc(w, FL_TAG_SLOTS);
			if (!folio->tags)
				goto out_frame;
			memcpy(folio->tags, slot->tags, FL_TAG_SLOTS);
		}
	}
	folio->refcount = 1;
	folio->flags = FL_FOLIO_ANON | FL_FOLIO_ANON_EXCLUSIVE;
	return folio;

out_frame:
	fl_frame_free(w, folio->frame);
out_free:
	fl_free(w, folio, sizeof(*folio));
	return NULL;
}

static bool folio_may_be_pinned(const struct fl_folio *folio)
{
	return folio->refcount >= FL_GUP_PIN_COUNTING_BIAS;
}

/* References the folio holds beyond its present ptes and the page cache. */
static bool folio_has_extra_refs(const struct fl_folio *folio)
{
	return folio->refcount > folio->mapcount + (folio->mapping ? 1u : 0u);
}

static int swap_out_one(struct fl_world *w, fl_pte_t *pte)
{
	struct fl_folio *folio = pte->folio;
	uint32_t wp = pte->flags & (FL_PTE_UFFD_WP | FL_PTE_SOFT_DIRTY);
	struct fl_swap_slot *slot;

	if (folio->mapcount != 1)       /* invariant 2 */
		return 0;
	slot = fl_zalloc(w, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	/* The slot takes the frame and tags; the folio dies without them. */
	slot->frame = folio->frame;
	slot->tags = folio->tags;
	slot->count = 1;
	folio->frame = 0;
	folio->tags = NULL;
	fl_pte_clear(w, pte);
	/*
	 * try_to_unmap_one: the swap pte keeps uffd-wp (pte_swp_mkuffd_wp)
	 * and soft-dirty (pte_swp_mksoft_dirty).
	 */
	pte->flags = FL_PTE_SWAP | wp;
	pte->swap = slot;
	return 0;
}

/*
 * A lazyfree folio (MADV_FREE) that nobody wrote since is discarded, not
 * swapped: the pte goes and the next access reads zero.  A store since
 * dirtied the pte, so the folio is swap-backed again (try_to_unmap_one,
 * shrink_folio_list).
 */
static bool folio_discard_lazyfree(struct fl_world *w, fl_pte_t *pte)
{
	struct fl_folio *folio = pte->folio;

	if (!(folio->flags & FL_FOLIO_LAZYFREE))
		return false;
	folio->flags &= ~FL_FOLIO_LAZYFREE;
	if ((pte->flags & FL_PTE_DIRTY) || (folio->flags & FL_FOLIO_DIRTY))
		return false;
	fl_pte_clear(w, pte);
	return true;
}

static int reclaim_one(struct fl_world *w, fl_pte_t *pte, fl_addr_t addr, void *arg)
{
	struct fl_folio *folio = pte->folio;

	(void)addr;
	(void)arg;
	if (!(pte->flags & FL_PTE_PRESENT) || fl_folio_is_zero(w, folio))
		return 0;
	if (folio_may_be_pinned(folio) || folio_has_extra_refs(folio))
		return 0;   /* invariant 1 */
	if (folio->mapcount == 1 && folio_discard_lazyfree(w, pte))
		return 0;
	if (folio->flags & FL_FOLIO_ANON)
		return swap_out_one(w, pte);
	/*
	 * Writeback of a dirty page-cache folio, then unmap it; a uffd-wp
	 * pte leaves a marker (pte_install_uffd_wp_if_needed).
	 */
	folio->flags &= ~FL_FOLIO_DIRTY;
	if (pte->flags & FL_PTE_UFFD_WP) {
		fl_pte_clear(w, pte);
		pte->flags = FL_PTE_MARKER | FL_PTE_UFFD_WP;
		return 0;
	}
	fl_pte_clear(w, pte);
	return 0;
}

void fl_reclaim_range(struct fl_world *w, struct fl_vma *vma,
		      fl_addr_t start, fl_addr_t end)
{
	if (fl_walk_ptes(w, vma->mm, start, end, reclaim_one, NULL))
		fl_trace(w, "reclaim: out of memory, range partly reclaimed");
}

int fl_evict(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr, size_t len)
{
	fl_addr_t end = addr + len;
	struct fl_vma *vma;

	if (!mm || FL_PAGE_OFFSET(addr) || end < addr)
		return fl_error(w, -EINVAL, "evict: bad range 0x%llx+%zu",
				(unsigned long long)addr, len);
	end = FL_PAGE_ALIGN(end);
	/* hugetlb pages are never reclaimed (mm/hugetlb.c invariant 3) */
	for (vma = fl_find_vma(mm, addr); vma && vma->start < end; vma = fl_vma_next(vma))
		if (fl_vma_is_hugetlb(vma))
			return fl_error(w, -EINVAL, "evict: hugetlb pages are never swapped");
	if (fl_thp_refuse_range(w, mm, addr, end, "evict"))
		return -EOPNOTSUPP;
	/* an mlock()ed page is unevictable: try_to_unmap leaves it */
	for (vma = fl_find_vma(mm, addr); vma && vma->start < end; vma = fl_vma_next(vma))
		if (!(vma->flags & FL_VM_LOCKED))
			fl_reclaim_range(w, vma, addr > vma->start ? addr : vma->start,
					 end < vma->end ? end : vma->end);
	return 0;
}
