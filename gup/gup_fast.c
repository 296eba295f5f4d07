/*
 * gup/gup_fast.c - get_user_pages_fast and pin_user_pages_fast.
 *
 * What and why
 *   GUP-fast walks the page tables without mmap_lock and without faulting:
 *   it takes the pages whose ptes can be used exactly as they are and hands
 *   the rest of the range, from the first page it cannot take, to the slow
 *   path (gup/gup.c).  Its results equal the slow path's except where an
 *   era makes the two differ on purpose (5.7.3/5.8: every R/O pte falls
 *   back, so the slow path's COW break runs).
 *
 * Definitions
 *   usable     present; the vma is accessible at all (a prot-none pte is
 *              a NUMA hint the fast path must not take); writable if
 *              FOLL_WRITE; not special (the zero page); not subject to
 *              gup_must_unshare.
 *   recheck    the kernel takes the reference, then compares the pte with
 *              the one it read: if it changed (a racing munmap, a COW), it
 *              drops the reference and falls back.  The model fires
 *              FL_HOOK_GUP between the look and the recheck, so a scenario
 *              can inject exactly that race.
 *
 * Invariants
 *   1. The fast part takes a prefix of the range; the slow part continues
 *      at the first page not taken; the result is their sum, or the slow
 *      path's -errno when the fast part took nothing.
 *   2. FL_FOLL_FAST_ONLY never falls back (it may return 0).
 *   3. FL_HOOK_GUP fires once per page: here for pages the fast part looks
 *      at and can use, in the slow path for the rest.
 */
#include "gup/internal.h"

/* What get_user_pages_fast accepts (internal_get_user_pages_fast). */
#define GUP_FAST_FLAGS (FL_FOLL_WRITE | FL_FOLL_LONGTERM | FL_FOLL_FORCE | \
			FL_FOLL_NOFAULT | FL_FOLL_GET | FL_FOLL_PIN | \
			FL_FOLL_FAST_ONLY)

/* Why the pte of ADDR cannot be taken as it is, or NULL if it can. */
static const char *gup_fast_refuse(struct fl_world *w, struct fl_mm *mm,
				   fl_addr_t addr, unsigned gup_flags,
				   fl_pte_t **out)
{
	fl_pte_t *pte = fl_pte_lookup(mm, addr);
	struct fl_vma *vma = fl_vma_lookup(mm, addr);

	if (!pte || !(pte->flags & FL_PTE_PRESENT) || !vma)
		return "pte not present";
	if (!(vma->flags & (FL_VM_READ | FL_VM_WRITE | FL_VM_EXEC)))
		return "prot-none pte";
	if ((gup_flags & FL_FOLL_WRITE) && !(pte->flags & FL_PTE_WRITE))
		return "pte not writable";
	if (fl_folio_is_zero(w, pte->folio))
		return "special pte (zero page)";
	if (gup_must_unshare(w, vma, gup_flags, pte))
		return "must unshare";
	*out = pte;
	return NULL;
}

static long gup_fast(struct fl_world *w, fl_addr_t start, unsigned long nr,
		     unsigned gup_flags, struct fl_folio **pages)
{
	struct fl_process *p = fl_current(w);
	struct fl_mm *mm = p ? p->mm : NULL;
	unsigned fast_flags = gup_flags;
	const char *why = NULL;
	unsigned long i;
	long ret;

	if (gup_flags & ~GUP_FAST_FLAGS)
		return fl_error(w, -EINVAL, "gup-fast: flags 0x%x not accepted", gup_flags);
	ret = gup_check_flags(w, gup_flags);
	if (ret)
		return ret;
	if (!mm)
		return fl_error(w, -EFAULT, "gup-fast: no mm");
	if (!pages)
		return fl_error(w, -EINVAL, "gup-fast: no pages array");
	gup_note_pin(mm, gup_flags);
	start = FL_PAGE_ALIGN_DOWN(start);
	/*
	 * 17839856fd58 (5.8, 5.7.3) until a308c71bf1e6 (5.9): the fast walk
	 * runs as if writing, so every R/O pte goes to the slow path, which
	 * breaks COW.
	 */
	if (fl_since(w, FL_ERA_GUP_COW_FORCE_BREAK) &&
	    !fl_since(w, FL_ERA_GUP_COW_BREAK_REVERTED))
		fast_flags |= FL_FOLL_WRITE;
	for (i = 0; i < nr; i++) {
		fl_addr_t addr = start + i * FL_PAGE_SIZE;
		fl_pte_t *pte = NULL;
		struct fl_folio *folio;

		why = gup_fast_refuse(w, mm, addr, fast_flags, &pte);
		if (why)
			break;
		folio = pte->folio;
		fl_hook_fire(w, FL_HOOK_GUP);
		/* The recheck: did the pte change under us? */
		if (gup_fast_refuse(w, mm, addr, fast_flags, &pte) || pte->folio != folio) {
			why = "pte changed";
			break;
		}
		gup_grab_folio(w, folio, gup_flags);
		pages[i] = folio;
		fl_trace(w, "gup-fast: 0x%llx: took %s (refcount %u, mapcount %u)",
			 (unsigned long long)addr,
			 (gup_flags & FL_FOLL_PIN) ? "a pin" : "a reference",
			 folio->refcount, folio->mapcount);
	}
	if (i == nr || (gup_flags & FL_FOLL_FAST_ONLY))
		return (long)i;
	fl_trace(w, "gup-fast: 0x%llx: %s, slow path for %lu pages",
		 (unsigned long long)(start + i * FL_PAGE_SIZE), why, nr - i);
	ret = fl_gup_remote(w, mm, start + i * FL_PAGE_SIZE, nr - i,
			    gup_flags | FL_FOLL_TOUCH, pages + i);
	if (ret < 0)
		return i ? (long)i : ret;
	return (long)i + ret;
}

long fl_get_user_pages_fast(struct fl_world *w, fl_addr_t start,
			    unsigned long nr, unsigned gup_flags,
			    struct fl_folio **pages)
{
	if (gup_flags & ~FL_FOLL_CALLER_MASK)
		return fl_error(w, -EINVAL, "gup: internal FOLL flags passed in");
	return gup_fast(w, start, nr, gup_flags | FL_FOLL_GET, pages);
}

long fl_pin_user_pages_fast(struct fl_world *w, fl_addr_t start,
			    unsigned long nr, unsigned gup_flags,
			    struct fl_folio **pages)
{
	if (gup_flags & ~FL_FOLL_CALLER_MASK)
		return fl_error(w, -EINVAL, "gup: internal FOLL flags passed in");
	return gup_fast(w, start, nr, gup_flags | FL_FOLL_PIN, pages);
}
