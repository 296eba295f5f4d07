/*
 * mm/madvise.c - madvise(2): the advices a scenario can give.
 *
 * Two kinds of advice exist.  Page advice (DONTNEED, REMOVE, PAGEOUT,
 * POPULATE_*) hands a range to the page half; flag advice (WIPEONFORK,
 * DONTFORK, DOFORK, NOHUGEPAGE) sets or clears a VM_* flag on the range,
 * splitting and merging VMAs as mprotect does; guard advice (GUARD_INSTALL,
 * GUARD_REMOVE, 6.13) puts guard markers in the page table or takes them
 * out (below).  HUGEPAGE and NOHUGEPAGE set
 * VM_HUGEPAGE or VM_NOHUGEPAGE (each clears the other), which decide
 * where a fault may map a THP (mm/huge_memory.c); COLLAPSE (6.1) makes
 * THPs at once.  The checks and their order are the kernel's
 * (do_madvise, madvise_walk_vmas, madvise_populate), since the errno is an
 * observable compared with the host.
 *
 * Definitions
 *   walk      the kernel visits each VMA of the range in turn and skips
 *             holes, remembering -ENOMEM for the end: advice is applied to
 *             everything mapped, then the hole is reported.  An error from
 *             one VMA stops the walk, earlier VMAs keep the advice.
 *   populate  POPULATE_READ/WRITE do not walk that way: they fault in VMA
 *             after VMA and stop at the first hole with -ENOMEM.
 *
 * Invariants
 *   1. Advice changes flags only of [start, end) (VMAs are split first).
 *   2. After every call the VMA tree passes fl_vma_tree_check().
 */
#include "mm/page_internal.h"

static bool madvise_behavior_valid(struct fl_world *w, enum fl_madvise advice)
{
	switch (advice) {
	case FL_MADV_DONTNEED:
	case FL_MADV_REMOVE:
	case FL_MADV_PAGEOUT:
	case FL_MADV_WIPEONFORK:
	case FL_MADV_DONTFORK:
	case FL_MADV_NOHUGEPAGE:
	case FL_MADV_DOFORK:
	case FL_MADV_SEQUENTIAL:
		return true;
	case FL_MADV_POPULATE_READ:
	case FL_MADV_POPULATE_WRITE:
		return fl_since(w, FL_ERA_MADV_POPULATE);
	case FL_MADV_FREE:
		return fl_since(w, FL_ERA_MADV_FREE);
	case FL_MADV_COLD:
		return fl_since(w, FL_ERA_MADV_COLD);
	case FL_MADV_GUARD_INSTALL:
	case FL_MADV_GUARD_REMOVE:
		return fl_since(w, FL_ERA_MADV_GUARD);
	case FL_MADV_HUGEPAGE:
		return true;
	case FL_MADV_COLLAPSE:
		return fl_since(w, FL_ERA_MADV_COLLAPSE);
	}
	return false;
}

/* MADV_DONTNEED: anon memory reads zeros next, file memory its file. */
static int madvise_dontneed(struct fl_world *w, struct fl_vma *vma,
			    fl_addr_t start, fl_addr_t end)
{
	/* madvise_dontneed_free_valid_vma: no raw PFN mappings, no mlock */
	if (vma->flags & (FL_VM_PFNMAP | FL_VM_LOCKED))
		return fl_error(w, -EINVAL, "madvise: DONTNEED on a VM_PFNMAP or VM_LOCKED vma");
	if (fl_vma_is_hugetlb(vma)) {
		if (!fl_since(w, FL_ERA_HUGETLB_MADV_DONTNEED))
			return fl_error(w, -EINVAL, "madvise: DONTNEED on a hugetlb vma "
					"(5.18, 90e7e7f5ef3f)");
		if (start & (fl_vma_hpage_size(w, vma) - 1))
			return fl_error(w, -EINVAL, "madvise: DONTNEED of a hugetlb vma from "
					"inside a huge page");
		/* the end's rounding changed (8ebe0a5eaaeb): not modelled */
		if (end & (fl_vma_hpage_size(w, vma) - 1))
			return fl_error(w, -EOPNOTSUPP, "madvise: DONTNEED of a hugetlb vma "
					"ending inside a huge page is not modelled");
	}
	fl_uffd_hook_remove(w, vma, start, end);   /* UFFD_EVENT_REMOVE */
	fl_zap_keep_uffd_wp(w, vma, start, end);
	return 0;
}

/*
 * MADV_REMOVE: punch a hole in the backing file (madvise_remove).  Needs a
 * file, else -EINVAL, and a shared writable mapping, else -EACCES.  A
 * shared anonymous mapping is a shmem file in the kernel; here the file is
 * made at the first fault, so one without a file has nothing to punch.
 * Newer kernels are said to accept VM_MAYWRITE instead of VM_WRITE
 * (vma_is_shared_maywrite; UNVERIFIED, no era yet): the rule here is the
 * long-standing one.
 */
static int madvise_remove(struct fl_world *w, struct fl_vma *vma,
			  fl_addr_t start, fl_addr_t end)
{
	uint64_t first = vma->pgoff + ((start - vma->start) >> FL_PAGE_SHIFT);

	if (vma->flags & FL_VM_LOCKED)
		return fl_error(w, -EINVAL, "madvise: REMOVE on a VM_LOCKED vma");
	if (!vma->file && !(vma->flags & FL_VM_SHARED))
		return fl_error(w, -EINVAL, "madvise: REMOVE on private anonymous memory");
	if ((vma->flags & (FL_VM_SHARED | FL_VM_WRITE)) !=
	    (FL_VM_SHARED | FL_VM_WRITE))
		return fl_error(w, -EACCES, "madvise: REMOVE needs a shared writable mapping");
	/* hugetlbfs zeroes a partial huge page in place: not modelled */
	if (fl_vma_is_hugetlb(vma) && !fl_hugetlb_range_aligned(w, vma, start, end))
		return fl_error(w, -EOPNOTSUPP, "madvise: REMOVE of part of a huge page "
				"is not modelled");
	fl_uffd_hook_remove(w, vma, start, end);   /* UFFD_EVENT_REMOVE */
	/* vfs_fallocate(PUNCH_HOLE): shmem_fallocate refuses before it unmaps */
	if (vma->file && fl_memfd_punch_check(w, vma->file))
		return -EPERM;
	fl_zap_page_range(w, vma, start, end);
	if (vma->file)
		fl_file_punch(w, vma->file, first, (end - start) >> FL_PAGE_SHIFT);
	return 0;
}

/*
 * MADV_PAGEOUT reclaims the range; MADV_COLD only deactivates it, which
 * nothing a scenario observes shows.  can_madv_lru_vma refuses both on
 * raw PFN mappings, hugetlb and mlock()ed vmas.
 */
static int madvise_cold_or_pageout(struct fl_world *w, struct fl_vma *vma,
				   fl_addr_t start, fl_addr_t end, bool pageout)
{
	if (vma->flags & (FL_VM_PFNMAP | FL_VM_HUGETLB | FL_VM_LOCKED))
		return fl_error(w, -EINVAL, "madvise: %s on a VM_PFNMAP, hugetlb or VM_LOCKED vma",
				pageout ? "PAGEOUT" : "COLD");
	/*
	 * Both split a THP the range covers in part (split_folio in
	 * madvise_cold_or_pageout_pte_range), and PAGEOUT swaps one out:
	 * neither is modelled.
	 */
	if (fl_thp_refuse_range(w, vma->mm, start, end,
				pageout ? "MADV_PAGEOUT" : "MADV_COLD"))
		return -EOPNOTSUPP;
	if (pageout)
		fl_reclaim_range(w, vma, start, end);
	return 0;
}

/*
 * madvise_free_pte_range, one pte: a swap entry is freed and a poison
 * entry dropped (the page reads zero next), other markers stay (a guard
 * keeps guarding, guard-regions.c lazyfree); a present anonymous page
 * mapped once is cleaned and marked lazyfree, so that reclaim discards
 * it unless it is written again (mm/reclaim.c).  The zero page and a
 * page mapped more than once are left.
 */
static int free_one(struct fl_world *w, fl_pte_t *pte, fl_addr_t addr, void *arg)
{
	struct fl_folio *folio = pte->folio;

	(void)addr;
	(void)arg;
	if (pte->flags & (FL_PTE_SWAP | FL_PTE_POISON)) {
		fl_pte_clear(w, pte);
		return 0;
	}
	if (!(pte->flags & FL_PTE_PRESENT) || fl_folio_is_zero(w, folio) ||
	    !(folio->flags & FL_FOLIO_ANON) || folio->mapcount != 1)
		return 0;
	pte->flags &= ~(FL_PTE_DIRTY | FL_PTE_YOUNG);
	folio->flags = (folio->flags & ~FL_FOLIO_DIRTY) | FL_FOLIO_LAZYFREE;
	return 0;
}

/*
 * MADV_FREE (854e9ed09ded, 4.5): private anonymous memory only
 * (madvise_free_single_vma: vma_is_anonymous, else -EINVAL; a shared
 * anonymous mapping is shmem), and not VM_PFNMAP or VM_LOCKED.  It raises a REMOVE
 * event as DONTNEED does (madvise_dontneed_free).
 */
static int madvise_free(struct fl_world *w, struct fl_vma *vma,
			fl_addr_t start, fl_addr_t end)
{
	if (vma->flags & (FL_VM_PFNMAP | FL_VM_LOCKED))
		return fl_error(w, -EINVAL, "madvise: FREE on a VM_PFNMAP or VM_LOCKED vma");
	if (vma->file || (vma->flags & (FL_VM_SHARED | FL_VM_HUGETLB)))
		return fl_error(w, -EINVAL, "madvise: FREE on memory that is not private anonymous");
	/* madvise_free_huge_pmd marks a whole THP lazyfree, splits a part: not modelled */
	if (fl_thp_refuse_range(w, vma->mm, start, end, "MADV_FREE"))
		return -EOPNOTSUPP;
	fl_uffd_hook_remove(w, vma, start, end);   /* UFFD_EVENT_REMOVE */
	return fl_walk_ptes(w, vma->mm, start, end, free_one, NULL);
}

/*
 * WIPEONFORK is for private anonymous memory only; DONTFORK and DOFORK
 * not for VM_IO (madvise_behavior); NOHUGEPAGE anywhere (hugepage_madvise).
 */
static int madvise_set_flag(struct fl_world *w, struct fl_vma *vma,
			    fl_addr_t start, fl_addr_t end,
			    enum fl_madvise advice)
{
	uint32_t flags = vma->flags;

	/* split_vma of a hugetlb vma inside a huge page (hugetlb_vm_op_split) */
	if (fl_vma_is_hugetlb(vma) && !fl_hugetlb_range_aligned(w, vma, start, end))
		return fl_error(w, -EINVAL, "madvise: a hugetlb vma cut inside a huge page");
	if (advice == FL_MADV_WIPEONFORK) {
		/* MAP_HUGETLB memory is a hugetlbfs file's in the kernel */
		if (vma->file || (vma->flags & (FL_VM_SHARED | FL_VM_HUGETLB)))
			return fl_error(w, -EINVAL, "madvise: WIPEONFORK on a shared or file mapping");
		flags |= FL_VM_WIPEONFORK;
	} else if (advice == FL_MADV_NOHUGEPAGE) {
		flags = (flags & ~FL_VM_HUGEPAGE) | FL_VM_NOHUGEPAGE;
	} else if (advice == FL_MADV_HUGEPAGE) {
		if (!fl_thp_supported(w))
			return fl_error(w, -EOPNOTSUPP, "madvise: THP of this arch's PMD size "
					"is not modelled (2 MiB only)");
		/* before 3917c80280c9 a THP's COW copied all of it: not modelled */
		if (!fl_since(w, FL_ERA_THP_COW_SPLIT))
			return fl_error(w, -EOPNOTSUPP, "madvise: THP before 5.8 (3917c80280c9, "
					"the whole-THP COW) is not modelled");
		flags = (flags & ~FL_VM_NOHUGEPAGE) | FL_VM_HUGEPAGE;
	} else if (advice == FL_MADV_SEQUENTIAL) {
		flags |= FL_VM_SEQ_READ;
	} else if (vma->flags & FL_VM_IO) {
		return fl_error(w, -EINVAL, "madvise: DONTFORK/DOFORK on a VM_IO vma");
	} else if (advice == FL_MADV_DOFORK) {
		flags &= ~FL_VM_DONTCOPY;
	} else {
		flags |= FL_VM_DONTCOPY;
	}
	if (!fl_vma_modify_flags(w, vma, start, end, flags))
		return -ENOMEM;
	return 0;
}

/*
 * Guard regions (662df3e5c376, 6.13): a guard marker is a pte marker
 * (PTE_MARKER_GUARD) that makes every fault on its page fail with
 * VM_FAULT_SIGSEGV: SIGSEGV SEGV_MAPERR for the user, -EFAULT for the
 * kernel's user copies and GUP.  It lives in the page table, not the vma:
 * mprotect, splits and merges keep it, mremap moves it, fork copies it
 * (the install prepares an anon_vma, so the child's page table is
 * copied), MADV_DONTNEED, MADV_REMOVE, MADV_PAGEOUT and a hole punch zap
 * around it, and only an unmap of its page (or GUARD_REMOVE) takes it.
 *
 * is_valid_guard_vma: never a VM_SPECIAL (VM_IO, VM_PFNMAP) vma; until
 * 6.15 only private anonymous memory that may be written (VM_MAYWRITE),
 * from 6.15 (the "permit guard regions for file-backed/shmem mappings"
 * series, era madv_guard_file) any other vma.  An install over a
 * VM_LOCKED vma is -EINVAL, a remove is allowed (guard-regions.c mlock).
 */
static bool guard_vma_valid(struct fl_world *w, const struct fl_vma *vma,
			    bool allow_locked)
{
	/* nor hugetlb (seen on 6.18: MADV_GUARD_INSTALL of one is -EINVAL) */
	if (vma->flags & (FL_VM_IO | FL_VM_PFNMAP | FL_VM_HUGETLB))
		return false;
	/* an install would zap locked pages; a remove only takes markers */
	if (!allow_locked && (vma->flags & FL_VM_LOCKED))
		return false;
	if (fl_since(w, FL_ERA_MADV_GUARD_FILE))
		return true;
	return !vma->file && !(vma->flags & FL_VM_SHARED) &&
	       (vma->flags & FL_VM_MAYWRITE);
}

/*
 * A marker other than a guard in the range: the kernel's install walk
 * finds it "populated", and its zap leaves markers alone, so what it
 * does then is not modelled.
 */
static int guard_refuse_marker(struct fl_world *w, fl_pte_t *pte, fl_addr_t addr, void *arg)
{
	(void)arg;
	if ((pte->flags & FL_PTE_MARKER) && !(pte->flags & FL_PTE_GUARD))
		return fl_error(w, -EOPNOTSUPP, "MADV_GUARD_INSTALL over a uffd-wp or "
				"poison marker (0x%llx) is not modelled",
				(unsigned long long)addr);
	return 0;
}

/* madvise_guard_install: zap what is mapped, then a marker in every pte. */
static int madvise_guard_install(struct fl_world *w, struct fl_vma *vma,
				 fl_addr_t start, fl_addr_t end)
{
	fl_addr_t addr;
	int err;

	if (!guard_vma_valid(w, vma, false))
		return fl_error(w, -EINVAL, "madvise: GUARD_INSTALL on a vma that may not have guards");
	err = fl_walk_ptes(w, vma->mm, start, end, guard_refuse_marker, NULL);
	if (err)
		return err;
	fl_zap_page_range(w, vma, start, end);
	for (addr = start; addr < end; addr += FL_PAGE_SIZE) {
		fl_pte_t *pte = fl_pte_alloc(w, vma->mm, addr);

		if (!pte)
			return -ENOMEM;
		pte->flags = FL_PTE_MARKER | FL_PTE_GUARD;
	}
	return 0;
}

static int guard_remove_one(struct fl_world *w, fl_pte_t *pte, fl_addr_t addr, void *arg)
{
	(void)w;
	(void)addr;
	(void)arg;
	if (pte->flags & FL_PTE_GUARD)
		pte->flags = 0;
	return 0;
}

/* madvise_guard_remove: the guard markers go, everything else stays. */
static int madvise_guard_remove(struct fl_world *w, struct fl_vma *vma,
				fl_addr_t start, fl_addr_t end)
{
	if (!guard_vma_valid(w, vma, true))
		return fl_error(w, -EINVAL, "madvise: GUARD_REMOVE on a vma that may not have guards");
	return fl_walk_ptes(w, vma->mm, start, end, guard_remove_one, NULL);
}

/* One VMA's part [start, end) of the range. */
static int madvise_vma(struct fl_world *w, struct fl_vma *vma, fl_addr_t start,
		       fl_addr_t end, enum fl_madvise advice)
{
	switch (advice) {
	case FL_MADV_DONTNEED:
		return madvise_dontneed(w, vma, start, end);
	case FL_MADV_REMOVE:
		return madvise_remove(w, vma, start, end);
	case FL_MADV_PAGEOUT:
	case FL_MADV_COLD:
		return madvise_cold_or_pageout(w, vma, start, end,
					       advice == FL_MADV_PAGEOUT);
	case FL_MADV_FREE:
		return madvise_free(w, vma, start, end);
	case FL_MADV_GUARD_INSTALL:
		return madvise_guard_install(w, vma, start, end);
	case FL_MADV_GUARD_REMOVE:
		return madvise_guard_remove(w, vma, start, end);
	default:
		return madvise_set_flag(w, vma, start, end, advice);
	}
}

/*
 * madvise_walk_vmas, by address because flag advice merges and frees VMAs.
 * Holes are skipped and reported at the end.
 */
static int madvise_walk(struct fl_world *w, struct fl_mm *mm, fl_addr_t start,
			fl_addr_t end, enum fl_madvise advice)
{
	fl_addr_t addr = start, next;
	struct fl_vma *vma;
	bool hole = false;
	int ret;

	while (addr < end) {
		vma = fl_find_vma(mm, addr);
		if (!vma || vma->start >= end) {
			hole = true;
			break;
		}
		if (vma->start > addr) {
			hole = true;
			addr = vma->start;
		}
		next = vma->end < end ? vma->end : end;
		ret = madvise_vma(w, vma, addr, next, advice);
		if (ret)
			return ret;
		addr = next;
	}
	if (hole)
		return fl_error(w, -ENOMEM, "madvise: [%#llx, %#llx) has unmapped pages",
				(unsigned long long)start, (unsigned long long)end);
	return 0;
}

/*
 * check_vma_flags as faultin_vma_page_range applies it: a mapping that
 * cannot be populated (VM_IO/VM_PFNMAP, or missing VM_READ/VM_WRITE) is
 * -EINVAL, not -EFAULT.  eb2faa513c24 ("mm/madvise: report SIGBUS as
 * -EFAULT for MADV_POPULATE_(READ|WRITE)", 5.14) kept -EINVAL for these and
 * gave -EFAULT to SIGBUS/SIGSEGV faults, which fl_populate_range reports.
 */
static bool can_populate_vma(const struct fl_vma *vma, bool write)
{
	if (vma->flags & (FL_VM_IO | FL_VM_PFNMAP))
		return false;
	return vma->flags & (write ? FL_VM_WRITE : FL_VM_READ);
}

static int madvise_populate(struct fl_world *w, struct fl_mm *mm,
			    fl_addr_t start, fl_addr_t end, bool write)
{
	fl_addr_t addr = start, next;
	struct fl_vma *vma;
	int ret;

	while (addr < end) {
		vma = fl_vma_lookup(mm, addr);
		if (!vma)
			return fl_error(w, -ENOMEM, "madvise: populate: %#llx is not mapped",
					(unsigned long long)addr);
		if (!can_populate_vma(vma, write))
			return fl_error(w, -EINVAL, "madvise: populate: vma at %#llx lacks %s permission",
					(unsigned long long)vma->start,
					write ? "write" : "read");
		next = vma->end < end ? vma->end : end;
		ret = fl_populate_range(w, vma, addr, next, write);
		if (ret)
			return ret;
		addr = next;
	}
	return 0;
}

int fl_madvise(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr, size_t len,
	       enum fl_madvise advice)
{
	fl_addr_t alen = FL_PAGE_ALIGN(len), end = addr + alen;

	if (!mm)
		return fl_error(w, -EINVAL, "madvise: no mm");
	if (!madvise_behavior_valid(w, advice))
		return fl_error(w, -EINVAL, "madvise: unknown advice %d", (int)advice);
	if (FL_PAGE_OFFSET(addr))
		return fl_error(w, -EINVAL, "madvise: address %#llx not page aligned",
				(unsigned long long)addr);
	/* A len of almost 2^64 rounds up to 0: that is an error, 0 is not. */
	if ((len && !alen) || end < addr)
		return fl_error(w, -EINVAL, "madvise: range wraps");
	if (end == addr)
		return 0;
	if (advice == FL_MADV_POPULATE_READ || advice == FL_MADV_POPULATE_WRITE)
		return madvise_populate(w, mm, addr, end,
					advice == FL_MADV_POPULATE_WRITE);
	if (advice == FL_MADV_COLLAPSE)
		return fl_madvise_collapse(w, mm, addr, end);
	return madvise_walk(w, mm, addr, end, advice);
}
