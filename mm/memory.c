/*
 * mm/memory.c - the page-fault handler, COW, and the page-range operations
 * the VMA half calls (zap, change_protection, populate).
 *
 * Definitions
 *   COW mapping   a private mapping that may become writable
 *                 (!VM_SHARED && VM_MAYWRITE): writes copy, never reach the
 *                 file or another process.
 *   exclusive     FL_FOLIO_ANON_EXCLUSIVE (PG_anon_exclusive, 5.19): the
 *                 anonymous folio is mapped by this pte only and may be
 *                 written in place.
 *
 * State diagram of one pte of a private anonymous page
 *
 *   none --read fault (do_anonymous_page)--> zero page R/O
 *   none --write fault (do_anonymous_page)--> exclusive RW
 *   zero page R/O --write fault (do_wp_page -> wp_page_copy)--> exclusive RW
 *   exclusive RW --fork (mm/process.c)--> shared R/O, both mms
 *   shared R/O --write fault, can reuse (wp_can_reuse_anon_folio)--> exclusive RW
 *   shared R/O --write fault, cannot reuse (wp_page_copy)--> new exclusive RW
 *   any --reclaim (mm/reclaim.c)--> swap --fault (do_swap_page)--> exclusive
 *   any --fl_poison (mm/poison.c)--> poison marker --fault--> HWPOISON
 *   any --zap--> none
 *
 *   unshare (FL_FAULT_UNSHARE, 5.19): a R/O FOLL_PIN asks for the page to
 *                 be exclusive without making it writable: reuse it (mark
 *                 it exclusive) if the reuse rule allows, else copy it to a
 *                 new exclusive R/O page.
 *
 * Invariants
 *   1. A pte is made writable only in a VM_WRITE vma, and in a COW mapping
 *      only over an exclusive anonymous folio (mm.h invariant 5).
 *   2. FL_HOOK_FAULT fires once per fl_handle_mm_fault() call, before the
 *      fault changes anything; the VMA is looked up again after it, since
 *      an injected statement may have unmapped it.
 *   3. Every write fault that leaves a private folio mapped for writing
 *      (new page, copy, reuse) tags it with the faulting mm's process and
 *      the fork clock (note_write; the leak checker of gup.h reads it).  A
 *      private page can be written without a fault only through a writable
 *      pte, which only an exclusive folio has, and fork write-protects or
 *      copies those: so the tag is the last writer, at page granularity.
 *      (A FOLL_WRITE GUP write that needs no fault tags in gup/.)
 */
#include "mm/page_internal.h"

bool fl_pte_allows(const fl_pte_t *pte, bool write)
{
	if (!(pte->flags & FL_PTE_PRESENT))
		return false;
	return !write || (pte->flags & FL_PTE_WRITE);
}

/* Flags of a new pte for a fault: writable only if asked and allowed. */
static uint32_t fault_pte_flags(const struct fl_vma *vma, unsigned flags)
{
	if ((flags & FL_FAULT_WRITE) && (vma->flags & FL_VM_WRITE))
		return FL_PTE_WRITE | FL_PTE_MKDIRTY | FL_PTE_YOUNG;
	return (flags & FL_FAULT_WRITE) ? FL_PTE_MKDIRTY | FL_PTE_YOUNG : FL_PTE_YOUNG;
}

/* Invariant 3: FOLIO is written by the process of MM from now on. */
static void note_write(struct fl_world *w, struct fl_mm *mm,
		       struct fl_folio *folio)
{
	fl_folio_note_write(w, folio, mm);
}

static unsigned do_anonymous_page(struct fl_world *w, struct fl_vma *vma,
				  fl_pte_t *pte, unsigned flags)
{
	bool read = !(flags & (FL_FAULT_WRITE | FL_FAULT_UNSHARE));
	struct fl_folio *folio;

	/* A read of a private anonymous page maps the shared zero page. */
	if (read && fl_world_kconfig(w, FL_KCONFIG_ZERO_PAGE)) {
		fl_pte_set_folio(w, pte, fl_state(w)->zero_folio, FL_PTE_YOUNG);
		return 0;
	}
	folio = fl_folio_alloc(w);
	if (!folio)
		return FL_VM_FAULT_OOM;
	folio->flags = FL_FOLIO_ANON | FL_FOLIO_ANON_EXCLUSIVE;
	/*
	 * mm_forbids_zeropage(): the read takes this page, and
	 * do_anonymous_page maps it writable and dirty as for a write
	 * (VM_WRITE), so later stores never fault: tag it now (invariant 3).
	 */
	if (read)
		flags |= (vma->flags & FL_VM_WRITE) ? FL_FAULT_WRITE : 0;
	if (flags & FL_FAULT_WRITE)
		note_write(w, vma->mm, folio);
	fl_pte_set_folio(w, pte, folio, fault_pte_flags(vma, flags));
	fl_folio_put(w, folio);
	return 0;
}

/* Index in the file of the page at ADDR. */
static uint64_t vma_file_index(const struct fl_vma *vma, fl_addr_t addr)
{
	return vma->pgoff + ((addr - vma->start) >> FL_PAGE_SHIFT);
}

/* Replace the folio PTE maps by a private copy of SRC (wp_page_copy). */
static unsigned wp_page_copy(struct fl_world *w, struct fl_vma *vma,
			     fl_pte_t *pte, struct fl_folio *src, unsigned flags)
{
	struct fl_folio *folio = fl_folio_copy(w, src);
	uint32_t pte_flags = FL_PTE_YOUNG |
			     (pte->flags & (FL_PTE_SOFT_DIRTY | FL_PTE_UFFD_WP));

	if (!folio)
		return FL_VM_FAULT_OOM;
	/*
	 * Unsharing (FAULT_FLAG_UNSHARE) keeps the pte read-only, with its
	 * soft-dirty and uffd-wp bits (wp_page_copy: "if (unlikely(unshare))"),
	 * and the copy keeps the tag of the bytes it copied (fl_folio_copy).
	 * A write makes a new pte: writable, dirty and soft-dirty.
	 */
	if (flags & FL_FAULT_WRITE) {
		pte_flags = fault_pte_flags(vma, flags);
		note_write(w, vma->mm, folio);
	}
	fl_pte_clear(w, pte);
	fl_pte_set_folio(w, pte, folio, pte_flags);
	fl_folio_put(w, folio);
	return 0;
}

/*
 * The file fault (do_read_fault / do_cow_fault / do_shared_fault): the
 * page-cache folio, created zeroed as shmem_fault does for a tmpfs hole.
 * A fault at or past the end of the file is SIGBUS (filemap_fault).
 */
static unsigned do_fault(struct fl_world *w, struct fl_vma *vma, fl_pte_t *pte,
			 fl_addr_t addr, unsigned flags)
{
	uint64_t index = vma_file_index(vma, addr);
	struct fl_folio *folio;
	uint32_t pte_flags;

	if (index >= fl_file_pages(vma->file))
		return FL_VM_FAULT_SIGBUS;
	folio = fl_filemap_get_folio(w, vma->file, index, true);
	if (!folio)
		return FL_VM_FAULT_OOM;
	if (folio->flags & FL_FOLIO_HWPOISON)
		return FL_VM_FAULT_HWPOISON;
	if (!(vma->flags & FL_VM_SHARED) && (flags & (FL_FAULT_WRITE | FL_FAULT_UNSHARE)))
		return wp_page_copy(w, vma, pte, folio, flags);
	pte_flags = (vma->flags & FL_VM_SHARED) ? fault_pte_flags(vma, flags) : FL_PTE_YOUNG;
	if (pte_flags & FL_PTE_DIRTY)
		folio->flags |= FL_FOLIO_DIRTY;
	fl_pte_set_folio(w, pte, folio, pte_flags);
	return 0;
}

/*
 * May a write (or unshare) fault on a R/O pte write FOLIO (anonymous,
 * mapped by it) in place?  The rule changed four times (kernel-facts §3,
 * docs/gup.md); each era comes with the GUP behaviour that goes with it
 * (gup/gup.c), asked through fl_since():
 *   <= 5.8   reuse when mapcount == 1 (reuse_swap_page: + swap count; the
 *            model's swap-in leaves no other swap user), ignoring GUP
 *            references: the CVE-2020-29374 vmsplice leak.  5.7.3/5.8 only
 *            hide it by breaking COW at GUP time.
 *   5.9      09854ba94c6a: reuse only if !KSM and refcount == 1, so any
 *            GUP reference (get +1, pin +1024) forces a copy.
 *   5.18     the swap cache's own reference is allowed: the swap entry is
 *            freed (try_to_free_swap) and the folio reused.
 *   5.19     6c287605fd56: an exclusive folio is reused with no further
 *            check; otherwise the 5.9/5.18 rule, and the reused folio
 *            becomes exclusive (do_wp_page).
 * A base page of a THP (mm/huge_memory.c) is page_count() of the whole
 * folio in the refcount rules: every pte of its other pages holds a
 * reference, so it is reused only once it is the THP's last page mapped.
 * (6.5's folio_test_large() refusal and the reuse of PTE-mapped THPs
 * that came later differ from this only in which frame the process ends
 * up with, not in any byte.)
 */
static bool wp_can_reuse_anon_folio(struct fl_world *w, struct fl_folio *folio)
{
	uint32_t allowed = 1;

	if (!fl_since(w, FL_ERA_COW_PAGE_COUNT))
		return folio->mapcount == 1 && !(folio->flags & FL_FOLIO_KSM);
	if (fl_since(w, FL_ERA_ANON_EXCLUSIVE) &&
	    (folio->flags & FL_FOLIO_ANON_EXCLUSIVE))
		return true;
	if (folio->flags & FL_FOLIO_KSM)
		return false;
	if (fl_since(w, FL_ERA_COW_SWAPCACHE_REUSE) &&
	    (folio->flags & FL_FOLIO_SWAPCACHE))
		allowed++;
	if (fl_thp_ref_count(folio) > allowed)
		return false;
	/* The swap cache's reference goes with the swap entry it frees. */
	if (folio->flags & FL_FOLIO_SWAPCACHE) {
		folio->flags &= ~FL_FOLIO_SWAPCACHE;
		fl_folio_put(w, folio);
	}
	return true;
}

/* A write (or unshare) fault on a present pte the access may not use. */
static unsigned do_wp_page(struct fl_world *w, struct fl_vma *vma,
			   fl_pte_t *pte, unsigned flags)
{
	struct fl_folio *folio = pte->folio;

	if (vma->flags & FL_VM_SHARED) {
		/* wp_page_shared: the page cache folio itself becomes writable. */
		if (!(flags & FL_FAULT_WRITE))
			return 0;
		if (!(vma->flags & FL_VM_WRITE))
			return FL_VM_FAULT_SIGSEGV;
		pte->flags |= FL_PTE_WRITE | FL_PTE_MKDIRTY | FL_PTE_YOUNG;
		folio->flags |= FL_FOLIO_DIRTY;
		return 0;
	}
	if (!(folio->flags & FL_FOLIO_ANON))   /* zero page or page cache */
		return wp_page_copy(w, vma, pte, folio, flags);
	if (!wp_can_reuse_anon_folio(w, folio)) {
		fl_trace(w, "do_wp_page: copy (mapcount %u, refcount %u%s)",
			 folio->mapcount, fl_thp_ref_count(folio),
			 fl_since(w, FL_ERA_COW_PAGE_COUNT) ?
			 ": reuse needs refcount 1, 09854ba94c6a" : "");
		return wp_page_copy(w, vma, pte, folio, flags);
	}
	fl_trace(w, "do_wp_page: %s in place (mapcount %u, refcount %u): %s",
		 (flags & FL_FAULT_WRITE) ? "reuse" : "unshare, keep",
		 folio->mapcount, fl_thp_ref_count(folio),
		 !fl_since(w, FL_ERA_COW_PAGE_COUNT) ? "mapcount 1 is enough before 5.9" :
		 fl_since(w, FL_ERA_ANON_EXCLUSIVE) &&
		 (folio->flags & FL_FOLIO_ANON_EXCLUSIVE) ? "anon-exclusive, 6c287605fd56" :
		 "only reference");
	/*
	 * Reuse.  Before 5.19 the exclusive flag is only the model's record
	 * of "mapped once, may be writable" (mm.h invariant 5); no era rule
	 * reads it then.  An unshare keeps the pte read-only.
	 */
	folio->flags |= FL_FOLIO_ANON_EXCLUSIVE;
	if (flags & FL_FAULT_WRITE) {
		pte->flags |= fault_pte_flags(vma, flags);
		note_write(w, vma->mm, folio);
	}
	return 0;
}

static unsigned do_swap_page(struct fl_world *w, struct fl_vma *vma,
			     fl_pte_t *pte, unsigned flags)
{
	struct fl_folio *folio = fl_swap_in(w, pte);
	uint32_t soft_dirty = pte->flags & FL_PTE_SOFT_DIRTY;

	if (!folio)
		return FL_VM_FAULT_OOM;
	if (flags & FL_FAULT_WRITE)
		note_write(w, vma->mm, folio);
	fl_pte_clear(w, pte);
	/* pte_swp_soft_dirty -> pte_mksoft_dirty */
	fl_pte_set_folio(w, pte, folio, fault_pte_flags(vma, flags) | soft_dirty);
	fl_folio_put(w, folio);
	return 0;
}

/* Does an unshare fault have anything to do on this present pte? */
static bool needs_unshare(struct fl_world *w, const struct fl_vma *vma,
			  const fl_pte_t *pte)
{
	const struct fl_folio *folio = pte->folio;

	if (!fl_is_cow_mapping(vma) || (pte->flags & FL_PTE_WRITE))
		return false;
	if (fl_folio_is_zero(w, folio) || !(folio->flags & FL_FOLIO_ANON))
		return true;
	return !(folio->flags & FL_FOLIO_ANON_EXCLUSIVE);
}

/*
 * The uffd-wp bit of a pte that is not present (a swap entry, or the
 * marker UFFDIO_WRITEPROTECT leaves in a none pte) survives the fault
 * that maps the page: do_swap_page, do_anonymous_page and finish_fault
 * make the new pte uffd-wp, hence read-only, so a write faults again, as
 * a write-protect userfault this time.  A vma no longer registered WP
 * drops it (pte_marker_handle_uffd_wp clears a leftover marker).
 */
static unsigned keep_uffd_wp(struct fl_vma *vma, fl_pte_t *pte, uint32_t wp,
			     unsigned ret)
{
	if (!wp || ret || !(pte->flags & FL_PTE_PRESENT) || !(vma->flags & FL_VM_UFFD_WP))
		return ret;
	pte->flags = (pte->flags & ~FL_PTE_WRITE) | FL_PTE_UFFD_WP;
	return 0;
}

unsigned __fl_handle_mm_fault(struct fl_world *w, struct fl_vma *vma,
			      fl_addr_t addr, unsigned flags)
{
	fl_pte_t *pte = fl_vma_is_hugetlb(vma) ? fl_pte_alloc(w, vma->mm, addr) : NULL;
	uint32_t wp;
	unsigned ret;

	/* hugetlb_fault: the whole huge page, mm/hugetlb.c */
	if (fl_vma_is_hugetlb(vma))
		return pte ? fl_hugetlb_fault(w, vma, addr, flags) : FL_VM_FAULT_OOM;
	/* a THP at pmd_none, or a write to a PMD mapping: mm/huge_memory.c */
	if (fl_thp_fault(w, vma, addr, flags, &ret))
		return ret;
	pte = fl_pte_alloc(w, vma->mm, addr);
	if (!pte)
		return FL_VM_FAULT_OOM;
	if (pte->flags & FL_PTE_POISON)
		return FL_VM_FAULT_HWPOISON;
	if (pte->flags & FL_PTE_GUARD)   /* handle_pte_marker: a guard region */
		return FL_VM_FAULT_SIGSEGV;
	wp = pte->flags & FL_PTE_UFFD_WP;
	if (pte->flags & FL_PTE_SWAP)
		return keep_uffd_wp(vma, pte, wp, do_swap_page(w, vma, pte, flags));
	if (!(pte->flags & FL_PTE_PRESENT)) {
		pte->flags = 0;    /* a uffd-wp marker: pte_none_mostly */
		if (!vma->file && (vma->flags & FL_VM_SHARED) &&
		    fl_shmem_zero_setup(w, vma))
			return FL_VM_FAULT_OOM;
		return keep_uffd_wp(vma, pte, wp,
				    vma->file ? do_fault(w, vma, pte, addr, flags)
					      : do_anonymous_page(w, vma, pte, flags));
	}
	if ((flags & FL_FAULT_WRITE) && !(pte->flags & FL_PTE_WRITE))
		return do_wp_page(w, vma, pte, flags);
	if ((flags & FL_FAULT_UNSHARE) && needs_unshare(w, vma, pte))
		return do_wp_page(w, vma, pte, flags);
	pte->flags |= FL_PTE_YOUNG;
	if (flags & FL_FAULT_WRITE)
		pte->flags |= FL_PTE_MKDIRTY;
	return 0;
}

unsigned fl_handle_mm_fault(struct fl_world *w, struct fl_vma *vma,
			    fl_addr_t addr, unsigned flags)
{
	struct fl_mm *mm;
	unsigned ret;

	if (!vma || addr < vma->start || addr >= vma->end) {
		fl_error(w, -EINVAL, "handle_mm_fault: 0x%llx not in the vma",
			 (unsigned long long)addr);
		return FL_VM_FAULT_SIGSEGV;
	}
	mm = vma->mm;
	fl_hook_fire(w, FL_HOOK_FAULT);
	/* Invariant 2: the hook may have unmapped or replaced the vma. */
	if (fl_vma_lookup(mm, addr) != vma)
		return FL_VM_FAULT_SIGSEGV;
	/* A missing, write-protect or minor fault in a userfaultfd range. */
	if (fl_uffd_hook_fault(w, vma, addr, flags, &ret))
		return ret;
	return __fl_handle_mm_fault(w, vma, FL_PAGE_ALIGN_DOWN(addr), flags);
}

/* ---- page ranges, for the VMA half ---- */

/*
 * zap_nonpresent_ptes: a zap of a range (MADV_DONTNEED, MADV_REMOVE, a
 * guard install) leaves guard markers where they are; only an unmap of
 * the vma (unmap_one) drops them with the page table.
 */
static int zap_one(struct fl_world *w, fl_pte_t *pte, fl_addr_t addr, void *arg)
{
	(void)addr;
	(void)arg;
	if (!(pte->flags & FL_PTE_GUARD))
		fl_pte_clear(w, pte);
	return 0;
}

static int unmap_one(struct fl_world *w, fl_pte_t *pte, fl_addr_t addr, void *arg)
{
	(void)addr;
	(void)arg;
	fl_pte_clear(w, pte);
	return 0;
}

/*
 * MADV_DONTNEED of a file-backed vma registered WP keeps write-protect
 * where it was: zap_install_uffd_wp_if_needed leaves a uffd-wp marker, as
 * the page cache still holds the page (an anonymous vma's marker goes).
 */
static int zap_keep_wp_one(struct fl_world *w, fl_pte_t *pte, fl_addr_t addr, void *arg)
{
	uint32_t wp = pte->flags & FL_PTE_UFFD_WP;

	zap_one(w, pte, addr, arg);
	if (wp)
		pte->flags = FL_PTE_MARKER | FL_PTE_UFFD_WP;
	return 0;
}

void fl_zap_keep_uffd_wp(struct fl_world *w, struct fl_vma *vma,
			 fl_addr_t start, fl_addr_t end)
{
	/* MAP_HUGETLB memory is a hugetlbfs file's (__unmap_hugepage_range, 5.19) */
	bool file = vma->file || (vma->flags & (FL_VM_SHARED | FL_VM_HUGETLB));

	fl_thp_zap_range(w, vma->mm, start, end);
	fl_walk_ptes(w, vma->mm, start, end,
		     file && (vma->flags & FL_VM_UFFD_WP) ? zap_keep_wp_one : zap_one, NULL);
}

void fl_zap_page_range(struct fl_world *w, struct fl_vma *vma,
		       fl_addr_t start, fl_addr_t end)
{
	fl_thp_zap_range(w, vma->mm, start, end);
	fl_walk_ptes(w, vma->mm, start, end, zap_one, NULL);
}

void fl_unmap_page_range(struct fl_world *w, struct fl_vma *vma,
			 fl_addr_t start, fl_addr_t end)
{
	fl_thp_zap_range(w, vma->mm, start, end);
	fl_walk_ptes(w, vma->mm, start, end, unmap_one, NULL);
}

static int wrprotect_one(struct fl_world *w, fl_pte_t *pte, fl_addr_t addr, void *arg)
{
	(void)w;
	(void)addr;
	(void)arg;
	pte->flags &= ~FL_PTE_WRITE;
	return 0;
}

void fl_change_protection(struct fl_world *w, struct fl_vma *vma,
			  fl_addr_t start, fl_addr_t end)
{
	if (!(vma->flags & FL_VM_WRITE))
		fl_walk_ptes(w, vma->mm, start, end, wrprotect_one, NULL);
}

/* The errno madvise_populate() gives for a vm_fault_t failure. */
static int populate_errno(unsigned ret)
{
	if (ret & FL_VM_FAULT_OOM)
		return -ENOMEM;
	if (ret & FL_VM_FAULT_HWPOISON)
		return -EHWPOISON;
	return -EFAULT;    /* VM_FAULT_SIGBUS / VM_FAULT_SIGSEGV */
}

/*
 * MADV_POPULATE_{READ,WRITE} (4ca9b3859dac, 5.14): GUP without pages over
 * the range.  check_vma_flags() failing (a read of a vma without VM_READ, a
 * write without VM_WRITE, VM_IO/VM_PFNMAP) is -EINVAL ("incompatible
 * mapping"); a fault that ends in SIGBUS/SIGSEGV is -EFAULT, HWPOISON is
 * -EHWPOISON, OOM -ENOMEM.
 */
int fl_populate_range(struct fl_world *w, struct fl_vma *vma,
		      fl_addr_t start, fl_addr_t end, bool write)
{
	uint32_t need = write ? FL_VM_WRITE : FL_VM_READ;
	struct fl_mm *mm = vma->mm;
	unsigned flags = write ? FL_FAULT_WRITE : 0;
	fl_addr_t addr;

	if ((vma->flags & (FL_VM_IO | FL_VM_PFNMAP)) || !(vma->flags & need))
		return fl_error(w, -EINVAL, "populate: vma [0x%llx, 0x%llx) does not allow %s",
				(unsigned long long)vma->start,
				(unsigned long long)vma->end, write ? "write" : "read");
	for (addr = FL_PAGE_ALIGN_DOWN(start); addr < end; addr += FL_PAGE_SIZE) {
		fl_pte_t *pte = fl_pte_lookup(mm, addr);
		unsigned ret;

		if (pte && fl_pte_allows(pte, write))
			continue;
		ret = fl_handle_mm_fault(w, vma, addr, flags);
		if (ret & FL_VM_FAULT_ERROR)
			return fl_error(w, populate_errno(ret),
					"populate: fault at 0x%llx failed",
					(unsigned long long)addr);
		/* The hook may have unmapped the vma: stop using it. */
		if (fl_vma_lookup(mm, addr) != vma)
			return fl_error(w, -ENOMEM, "populate: vma went away");
	}
	return 0;
}
