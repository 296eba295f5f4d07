/*
 * gup/gup.c - the slow path of get_user_pages: check_vma_flags,
 * follow_page_pte, faultin_page, and the page references GUP takes.
 *
 * What and why
 *   GUP hands the kernel the folios behind user addresses so it can read
 *   or write them later without the page tables: direct I/O, vmsplice,
 *   RDMA, /proc/pid/mem.  Whether such a reference keeps seeing what the
 *   process sees depends on the COW rules of the kernel, which changed in
 *   5.7.3, 5.9, 5.19 and 6.0 (kernel-facts §3, docs/gup.md).
 *
 * Definitions
 *   follow     look at the pte of one page and decide: take it as it is,
 *              fault first (and with which fault flags), or fail.
 *   COW break  (5.7.3..5.8, 17839856fd58) a FOLL_GET/FOLL_PIN on a COW
 *              mapping is done as if writing, so the taker gets a private
 *              copy before it holds the page; a308c71bf1e6 (5.9) removed
 *              it when 09854ba94c6a made the fault handler count references.
 *   FOLL_COW   (< 6.0) after a write fault on a vma without VM_WRITE
 *              (FOLL_FORCE: ptrace), the R/O dirty pte the COW left is good
 *              enough for the forced write.  6.0 (5535be309971) replaced it
 *              by "the page is anonymous and exclusive".
 *
 * Invariants
 *   1. Every page returned carries exactly one reference of the kind asked
 *      (FOLL_GET +1, FOLL_PIN +1024), except the zero page, which carries
 *      none; fl_put_user_page/fl_unpin_user_page give it back.
 *   2. The return is the count of leading pages taken, or -errno if none.
 *   3. FL_HOOK_GUP fires once per page, before GUP looks at its pte, so an
 *      injected statement (a racing munmap) is seen by the walk.
 *   4. The fault handler is asked at most GUP_MAX_TRIES times per page; a
 *      page that still cannot be followed is -EFAULT (the kernel would
 *      loop; the model reports it instead of hanging).
 *
 * State diagram of one page in __get_user_pages
 *
 *   check_vma_flags --fail--> -EFAULT (stop)
 *         |
 *   follow_page_pte --ok--> grab (GET/PIN) --> next page
 *         | needs a fault (none, R/O for WRITE, must unshare)
 *         v
 *   FOLL_NOFAULT? --yes--> -EFAULT (stop)
 *         | no
 *   handle_mm_fault --error--> -ENOMEM / -EHWPOISON / -EFAULT (stop)
 *         `--ok--> follow_page_pte again
 */
#include "gup/internal.h"

#define GUP_MAX_TRIES 4

int gup_check_flags(struct fl_world *w, unsigned gup_flags)
{
	if ((gup_flags & FL_FOLL_GET) && (gup_flags & FL_FOLL_PIN))
		return fl_error(w, -EINVAL, "gup: FOLL_GET and FOLL_PIN are exclusive");
	if ((gup_flags & FL_FOLL_LONGTERM) && !(gup_flags & FL_FOLL_PIN))
		return fl_error(w, -EINVAL, "gup: FOLL_LONGTERM needs FOLL_PIN");
	/* There is no mainline FOLL_UNSHARE: FAULT_FLAG_UNSHARE is internal. */
	if (gup_flags & FL_FOLL_UNSHARE)
		return fl_error(w, -EINVAL, "gup: unshare is not a GUP flag");
	/* 55b8fe703bc5 (5.16) introduced FOLL_NOFAULT. */
	if ((gup_flags & FL_FOLL_NOFAULT) && !fl_since(w, FL_ERA_FOLL_NOFAULT))
		return fl_error(w, -EINVAL, "gup: FOLL_NOFAULT does not exist before 5.16");
	return 0;
}

void gup_note_pin(struct fl_mm *mm, unsigned gup_flags)
{
	if (gup_flags & FL_FOLL_PIN)
		mm->flags |= FL_MMF_HAS_PINNED;
}

void gup_grab_folio(struct fl_world *w, struct fl_folio *folio, unsigned gup_flags)
{
	if (fl_folio_is_zero(w, folio))
		return;
	if (gup_flags & FL_FOLL_PIN)
		folio->refcount += FL_GUP_PIN_COUNTING_BIAS;
	else if (gup_flags & FL_FOLL_GET)
		fl_folio_get(folio);
}

void fl_put_user_page(struct fl_world *w, struct fl_folio *folio)
{
	if (folio && !fl_folio_is_zero(w, folio))
		fl_folio_put(w, folio);
}

void fl_unpin_user_page(struct fl_world *w, struct fl_folio *folio)
{
	if (!folio || fl_folio_is_zero(w, folio))
		return;
	folio->refcount -= FL_GUP_PIN_COUNTING_BIAS - 1;
	fl_folio_put(w, folio);
}

bool fl_folio_maybe_dma_pinned(const struct fl_folio *folio)
{
	return fl_thp_maybe_pinned(folio);   /* a THP's pins count for all its pages */
}

/*
 * May GUP use VMA at all for GUP_FLAGS?  One reason per line, as
 * check_vma_flags() has them; each failure is -EFAULT.
 */
static int check_vma_flags(struct fl_world *w, const struct fl_vma *vma,
			   unsigned gup_flags)
{
	uint32_t vm = vma->flags;

	if (vm & (FL_VM_IO | FL_VM_PFNMAP))
		return fl_error(w, -EFAULT, "gup: VM_IO/VM_PFNMAP vma");
	if ((gup_flags & FL_FOLL_ANON) && (vma->file || (vm & FL_VM_SHARED)))
		return fl_error(w, -EFAULT, "gup: FOLL_ANON on a non-anonymous vma");
	if (gup_flags & FL_FOLL_WRITE) {
		if (vm & FL_VM_WRITE)
			return 0;
		/* Maybe FOLL_FORCE is set to override it? */
		if (!(gup_flags & FL_FOLL_FORCE))
			return fl_error(w, -EFAULT, "gup: write to a vma without VM_WRITE");
		/* FOLL_FORCE has no effect on shared mappings: it would reach the file. */
		if (!fl_is_cow_mapping(vma))
			return fl_error(w, -EFAULT, "gup: forced write to a non-COW mapping");
		return 0;
	}
	if (vm & FL_VM_READ)
		return 0;
	if (!(gup_flags & FL_FOLL_FORCE))
		return fl_error(w, -EFAULT, "gup: read of a vma without VM_READ");
	if (!(vm & FL_VM_MAYREAD))
		return fl_error(w, -EFAULT, "gup: forced read of a vma without VM_MAYREAD");
	return 0;
}

bool gup_must_unshare(struct fl_world *w, const struct fl_vma *vma,
		      unsigned gup_flags, const fl_pte_t *pte)
{
	const struct fl_folio *folio = pte->folio;

	/* a7f226604170 (5.19): R/O pins unshare possibly shared anon pages. */
	if (!fl_since(w, FL_ERA_GUP_PIN_UNSHARE))
		return false;
	/* Only R/O FOLL_PIN: FOLL_GET stays unreliable, a write COWs anyway. */
	if ((gup_flags & (FL_FOLL_WRITE | FL_FOLL_PIN)) != FL_FOLL_PIN)
		return false;
	if (pte->flags & FL_PTE_WRITE)
		return false;
	/*
	 * Not anonymous (zero page, page cache): only a long-term pin in a COW
	 * mapping, which a later write would COW away from; 84209e87c696
	 * (6.2).  Before it such a pin held the zero page or the page cache
	 * page, and the next write left it behind: debian-6.1 (6.1.176) does
	 * so under the pin module (docs/gup.md, cow.c's memfd and zero-page
	 * R/O pin cases).
	 */
	if (fl_folio_is_zero(w, folio) || !(folio->flags & FL_FOLIO_ANON))
		return (gup_flags & FL_FOLL_LONGTERM) && fl_is_cow_mapping(vma) &&
		       fl_since(w, FL_ERA_GUP_PIN_UNSHARE_COW);
	return !(folio->flags & FL_FOLIO_ANON_EXCLUSIVE);
}

/*
 * Can a FOLL_WRITE use the R/O-or-writable present PTE?  COWED: a write
 * fault already ran for this page in a vma without VM_WRITE.
 */
static bool can_follow_write_pte(struct fl_world *w, const struct fl_vma *vma,
				 const fl_pte_t *pte, unsigned gup_flags,
				 bool cowed)
{
	const struct fl_folio *folio = pte->folio;

	if (pte->flags & FL_PTE_WRITE)
		return true;
	/*
	 * The forced COW break of 5.7.3/5.8 on a R/O vma: the model accepts
	 * the copy its write fault made, as FOLL_COW does for FOLL_FORCE.
	 */
	if (!(gup_flags & (FL_FOLL_FORCE | FL_FOLL_COW_BREAK)))
		return false;
	/* 5535be309971 (6.0): only an exclusive anonymous page, no FOLL_COW. */
	if (fl_since(w, FL_ERA_FOLL_FORCE_EXCLUSIVE_ONLY)) {
		if (vma->flags & (FL_VM_SHARED | FL_VM_MAYSHARE | FL_VM_WRITE))
			return false;
		if (!(vma->flags & FL_VM_MAYWRITE))
			return false;
		if (fl_folio_is_zero(w, folio) || !(folio->flags & FL_FOLIO_ANON))
			return false;
		return folio->flags & FL_FOLIO_ANON_EXCLUSIVE;
	}
	/* < 6.0: FOLL_COW, the COW happened and left the pte dirty. */
	return cowed && (pte->flags & FL_PTE_DIRTY);
}

/*
 * follow_page_pte: 0 and *OUT when the page can be taken as it is;
 * -ENOENT with *FAULT_FLAGS when a fault must run first; -EFAULT when
 * FOLL_DUMP refuses the page.
 */
static int follow_page_pte(struct fl_world *w, struct fl_vma *vma,
			   fl_addr_t addr, unsigned gup_flags, bool cowed,
			   struct fl_folio **out, unsigned *fault_flags)
{
	fl_pte_t *pte = fl_pte_lookup(vma->mm, addr);
	bool anon_vma = !vma->file && !(vma->flags & FL_VM_SHARED);

	*fault_flags = (gup_flags & FL_FOLL_WRITE) ? FL_FAULT_WRITE : 0;
	if (!pte || !(pte->flags & FL_PTE_PRESENT)) {
		/* A hole in an anonymous vma is not dumped: no fault-in. */
		if ((gup_flags & FL_FOLL_DUMP) && anon_vma &&
		    !(pte && (pte->flags & (FL_PTE_SWAP | FL_PTE_POISON))))
			return -EFAULT;
		return -ENOENT;
	}
	if ((gup_flags & FL_FOLL_WRITE) &&
	    !can_follow_write_pte(w, vma, pte, gup_flags, cowed))
		return -ENOENT;
	/* Avoid special (like zero) pages in core dumps. */
	if ((gup_flags & FL_FOLL_DUMP) && fl_folio_is_zero(w, pte->folio))
		return -EFAULT;
	if (gup_must_unshare(w, vma, gup_flags, pte)) {
		*fault_flags = FL_FAULT_UNSHARE;
		return -ENOENT;
	}
	if (gup_flags & FL_FOLL_TOUCH) {
		pte->flags |= FL_PTE_YOUNG;
		if (gup_flags & FL_FOLL_WRITE) {
			pte->flags |= FL_PTE_DIRTY;
			if (pte->folio->mapping)
				pte->folio->flags |= FL_FOLIO_DIRTY;
		}
	}
	*out = pte->folio;
	return 0;
}

/* The errno of a failed fault (faultin_page / vm_fault_to_errno). */
static int fault_errno(unsigned ret, unsigned gup_flags)
{
	if (ret & FL_VM_FAULT_OOM)
		return -ENOMEM;
	if (ret & FL_VM_FAULT_HWPOISON)
		return (gup_flags & FL_FOLL_HWPOISON) ? -EHWPOISON : -EFAULT;
	return -EFAULT;
}

/*
 * 17839856fd58 (5.8, 5.7.3) until a308c71bf1e6 (5.9): GUP that takes a
 * reference on a COW mapping breaks COW first, as if writing.
 */
static bool should_force_cow_break(struct fl_world *w, const struct fl_vma *vma,
				   unsigned gup_flags)
{
	if (!fl_since(w, FL_ERA_GUP_COW_FORCE_BREAK) ||
	    fl_since(w, FL_ERA_GUP_COW_BREAK_REVERTED))
		return false;
	return (gup_flags & (FL_FOLL_GET | FL_FOLL_PIN)) && fl_is_cow_mapping(vma);
}

/* One page: follow, faulting as needed.  0 and *OUT, or -errno. */
static int gup_one_page(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr,
			unsigned gup_flags, struct fl_folio **out)
{
	struct fl_vma *vma = fl_vma_lookup(mm, addr);
	unsigned foll = gup_flags, fault_flags, vmret;
	bool cowed = false;
	int tries, ret;

	if (!vma)
		return fl_error(w, -EFAULT, "gup: no vma at 0x%llx",
				(unsigned long long)addr);
	ret = check_vma_flags(w, vma, gup_flags);
	if (ret)
		return ret;
	if (should_force_cow_break(w, vma, foll) && !(foll & FL_FOLL_WRITE)) {
		foll |= FL_FOLL_WRITE | FL_FOLL_COW_BREAK;
		fl_trace(w, "gup: 0x%llx: COW mapping, break COW now (FOLL_WRITE forced)",
			 (unsigned long long)addr);
	}
	for (tries = 0; tries < GUP_MAX_TRIES; tries++) {
		ret = follow_page_pte(w, vma, addr, foll, cowed, out, &fault_flags);
		if (ret != -ENOENT)
			return ret;
		if (foll & FL_FOLL_NOFAULT)
			return fl_error(w, -EFAULT, "gup: 0x%llx needs a fault, FOLL_NOFAULT",
					(unsigned long long)addr);
		if (foll & FL_FOLL_REMOTE)
			fault_flags |= FL_FAULT_REMOTE;
		if (foll & FL_FOLL_NO_RETRY)
			fault_flags |= FL_FAULT_NORETRY;
		fl_trace(w, "gup: 0x%llx: %s fault", (unsigned long long)addr,
			 (fault_flags & FL_FAULT_UNSHARE) ? "unshare" :
			 (fault_flags & FL_FAULT_WRITE) ? "write" : "read");
		vmret = fl_handle_mm_fault(w, vma, addr, fault_flags);
		if (vmret & FL_VM_FAULT_ERROR)
			return fl_error(w, fault_errno(vmret, foll),
					"gup: fault at 0x%llx failed", (unsigned long long)addr);
		/* FOLL_COW: the write fault COWed in a vma without VM_WRITE. */
		if ((fault_flags & FL_FAULT_WRITE) && !(vma->flags & FL_VM_WRITE))
			cowed = true;
	}
	return fl_error(w, -EFAULT, "gup: 0x%llx: no progress after %d faults",
			(unsigned long long)addr, GUP_MAX_TRIES);
}

long fl_gup_remote(struct fl_world *w, struct fl_mm *mm, fl_addr_t start,
		   unsigned long nr, unsigned gup_flags,
		   struct fl_folio **pages)
{
	unsigned long i;
	int ret = 0;

	if (!mm)
		return fl_error(w, -EFAULT, "gup: no mm");
	ret = gup_check_flags(w, gup_flags);
	if (ret)
		return ret;
	gup_note_pin(mm, gup_flags);
	start = FL_PAGE_ALIGN_DOWN(start);
	for (i = 0; i < nr; i++) {
		fl_addr_t addr = start + i * FL_PAGE_SIZE;
		struct fl_folio *folio = NULL;

		/* Invariant 3: the hook runs before the walk looks. */
		fl_hook_fire(w, FL_HOOK_GUP);
		ret = gup_one_page(w, mm, addr, gup_flags, &folio);
		if (ret)
			break;
		if (pages) {
			gup_grab_folio(w, folio, gup_flags);
			pages[i] = folio;
		}
		fl_trace(w, "gup: 0x%llx: took %s%s (refcount %u, mapcount %u)",
			 (unsigned long long)addr,
			 fl_folio_is_zero(w, folio) ? "the zero page, no reference" :
			 (gup_flags & FL_FOLL_PIN) ? "a pin" : "a reference",
			 folio->flags & FL_FOLIO_ANON_EXCLUSIVE ? ", exclusive" : "",
			 folio->refcount, folio->mapcount);
	}
	if (i)
		fl_world_clear_error(w);
	return i ? (long)i : ret;
}

static long gup_current(struct fl_world *w, fl_addr_t start, unsigned long nr,
			unsigned gup_flags, struct fl_folio **pages)
{
	struct fl_process *p = fl_current(w);

	return fl_gup_remote(w, p ? p->mm : NULL, start, nr, gup_flags, pages);
}

long fl_get_user_pages(struct fl_world *w, fl_addr_t start, unsigned long nr,
		       unsigned gup_flags, struct fl_folio **pages)
{
	if (gup_flags & ~FL_FOLL_CALLER_MASK)
		return fl_error(w, -EINVAL, "gup: internal FOLL flags passed in");
	return gup_current(w, start, nr, gup_flags | (pages ? FL_FOLL_GET : 0) |
			   FL_FOLL_TOUCH | FL_FOLL_NO_RETRY, pages);
}

long fl_pin_user_pages(struct fl_world *w, fl_addr_t start, unsigned long nr,
		       unsigned gup_flags, struct fl_folio **pages)
{
	if (gup_flags & ~FL_FOLL_CALLER_MASK)
		return fl_error(w, -EINVAL, "gup: internal FOLL flags passed in");
	if (!pages)
		return fl_error(w, -EINVAL, "pin_user_pages: no pages array");
	return gup_current(w, start, nr, gup_flags | FL_FOLL_PIN | FL_FOLL_TOUCH |
			   FL_FOLL_NO_RETRY, pages);
}
