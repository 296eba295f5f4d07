/*
 * mm/mremap.c - mremap(2): shrink a mapping, grow it in place, or move it
 * (MREMAP_MAYMOVE; MREMAP_FIXED to a chosen address) by moving its ptes
 * and its vma.
 *
 * Why: a userfaultfd monitor sees a registered range move (REMAP event,
 * with mmap_changing raised until it reads it) and the implicit unmaps
 * mremap does (UNMAP events for the FIXED target and the old range);
 * UFFDIO_COPY to the old address then answers -ENOENT.
 *
 * Order of the checks (the kernel's do_mremap, check_mremap_params,
 * check_prep_vma, mremap_to), for 6.17 and later:
 *   1. flags beyond MAYMOVE|FIXED, FIXED without MAYMOVE      -EINVAL
 *   2. addr not page aligned; new_len 0 (after PAGE_ALIGN)    -EINVAL
 *   3. the new range beyond TASK_SIZE (new_addr as passed);
 *      FIXED: new_addr unaligned, or the two ranges overlap   -EINVAL
 *   4. no vma at addr                                         -EFAULT
 *   5. FIXED with old_len == new_len: remap_move(), every vma
 *      of the range, gaps kept (mremap_multi_vma)
 *   6. a move or a growth whose old range (the kept new_len
 *      of a shrink) leaves its vma                            -EFAULT
 *      then a FIXED target is unmapped (UNMAP events), and a
 *      shrinking move first unmaps the old range's tail
 *   7. shrink: unmap the tail (it may span vmas and gaps, but
 *      not pass TASK_SIZE: -EINVAL), return addr; the same
 *      length: addr; grow in place when the vma ends at
 *      addr + old_len and the space after it is free;
 *      otherwise move with MAYMOVE, or                        -ENOMEM
 * Before 6.17 (mremap_checks_first) step 3 came after step 4 (and only
 * for FIXED), and step 6 after the target was unmapped; before 5.16 (mremap_vma_first) there was
 * no step 4: a FIXED move unmapped its target before finding no vma, and
 * a shrink or same-length call on nothing returned addr.
 *
 * Moving (move_vma): a new vma at the new address with the old one's
 * flags, file, pgoff and uffd context (copy_vma); the ptes move across
 * (move_page_tables) with their folios and swap slots; userfaultfd is
 * told (REMAP); the old range is unmapped, which is itself an UNMAP.
 *
 * Not modelled: old_len 0 (duplicating a shared mapping: -EINVAL here),
 * MREMAP_DONTUNMAP (5.7: -EINVAL here as an unknown flag), accounting,
 * the order of the new-address checks against the vma lookup in 5.16-6.16,
 * and file systems whose get_unmapped_area forbids a multi-vma move.
 */
#include "mm/internal.h"

#define FL_MREMAP_MIN_ADDR ((fl_addr_t)0x10000)

static fl_addr_t task_size(struct fl_world *w)
{
	return fl_world_arch(w)->task_size_max;
}

/* get_unmapped_area for a moving mapping of LEN bytes, with guard pages. */
static long mremap_place(struct fl_world *w, struct fl_mm *mm, fl_addr_t len)
{
	fl_addr_t need = len + 2 * FL_PAGE_SIZE, top;
	fl_addr_t base = mm->mmap_base ? mm->mmap_base : task_size(w);

	if (!fl_vma_hole_topdown(mm, need, FL_MREMAP_MIN_ADDR, base, &top) ||
	    !fl_vma_hole_topdown(mm, need, FL_MREMAP_MIN_ADDR, task_size(w), &top))
		return (long)(top - FL_PAGE_SIZE - len);
	return fl_error(w, -ENOMEM, "mremap: no hole of %#llx bytes",
			(unsigned long long)len);
}

/*
 * vma_to_resize: *VMAP the vma holding [addr, addr + old_len); 0, -EFAULT
 * (no vma, or the range leaves it) or -EINVAL (a hugetlb vma before 5.16).
 */
static int vma_to_resize(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr,
			 fl_addr_t old_len, struct fl_vma **vmap)
{
	struct fl_vma *vma = fl_vma_lookup(mm, addr);

	if (!vma)
		return fl_error(w, -EFAULT, "mremap: no mapping at %#llx",
				(unsigned long long)addr);
	/* before 550a7d60bd5e (5.16) a hugetlb vma never moves or grows */
	if (fl_vma_is_hugetlb(vma) && !fl_since(w, FL_ERA_HUGETLB_MREMAP))
		return fl_error(w, -EINVAL, "mremap: a hugetlb vma cannot move or grow "
				"before 5.16");
	if (old_len > vma->end - addr)
		return fl_error(w, -EFAULT, "mremap: [%#llx, +%#llx) crosses the end of "
				"its vma", (unsigned long long)addr,
				(unsigned long long)old_len);
	*vmap = vma;
	return 0;
}

/* move_page_tables: every pte of [old, old + len) to [new, new + len). */
static int move_page_tables(struct fl_world *w, struct fl_mm *mm, fl_addr_t old,
			    fl_addr_t new, fl_addr_t len)
{
	fl_addr_t off;

	/*
	 * move_huge_pmd (a PMD moved whole, still PMD-mapped) is not
	 * modelled: the moved THP is PTE-mapped here (mm/huge_memory.c).
	 */
	fl_thp_split_range(w, mm, old, old + len);
	for (off = 0; off < len; off += FL_PAGE_SIZE) {
		fl_pte_t *src = fl_pte_lookup(mm, old + off), *dst;

		if (!src || !src->flags)
			continue;
		dst = fl_pte_alloc(w, mm, new + off);
		if (!dst)
			return -ENOMEM;
		*dst = *src;     /* folio reference, mapcount, swap slot move along */
		/* move_soft_dirty_pte (0f8975ec4db2): moved is written, to the user */
		if (dst->flags & (FL_PTE_PRESENT | FL_PTE_SWAP))
			dst->flags |= FL_PTE_SOFT_DIRTY;
		src->flags = 0;
		src->folio = NULL;
		src->swap = NULL;
	}
	return 0;
}

/* move_vma: [addr, addr + old_len) of VMA becomes [new_addr, + new_len). */
static long move_vma(struct fl_world *w, struct fl_vma *vma, fl_addr_t addr,
		     fl_addr_t old_len, fl_addr_t new_len, fl_addr_t new_addr)
{
	struct fl_mm *mm = vma->mm;
	struct fl_vma *new = fl_vma_alloc(w);
	int ret;

	if (!new)
		return -ENOMEM;
	/* copy_vma: same flags, file, context; pgoff of addr, even for anon. */
	new->start = new_addr;
	new->end = new_addr + new_len;
	new->flags = vma->flags;
	new->file = vma->file;
	new->pgoff = vma->pgoff + ((addr - vma->start) >> FL_PAGE_SHIFT);
	new->uffd_ctx = vma->uffd_ctx;
	fl_vma_link(mm, new);
	ret = move_page_tables(w, mm, addr, new_addr, old_len);
	if (ret)
		return fl_error(w, ret, "mremap: out of model memory moving ptes");
	/* mremap_userfaultfd_prep/_complete: the REMAP event. */
	fl_uffd_hook_remap(w, new, addr, new_addr, old_len);
	new = fl_vma_try_merge(w, new);
	(void)new;
	/* The old range goes (its ptes are empty now): UNMAP events. */
	ret = fl_do_munmap(w, mm, addr, addr + old_len);
	return ret ? ret : (long)new_addr;
}

/* The new range fits below TASK_SIZE (for every call since 6.17). */
static int mremap_new_size_ok(struct fl_world *w, fl_addr_t new_addr, fl_addr_t new_len)
{
	if (new_len > task_size(w) || new_addr > task_size(w) - new_len)
		return fl_error(w, -EINVAL, "mremap: new range beyond TASK_SIZE");
	return 0;
}

/* The new range of a FIXED move: aligned, below TASK_SIZE, apart from the old. */
static int mremap_new_range_ok(struct fl_world *w, fl_addr_t addr, fl_addr_t old_len,
			       fl_addr_t new_addr, fl_addr_t new_len)
{
	int ret;

	if (FL_PAGE_OFFSET(new_addr))
		return fl_error(w, -EINVAL, "mremap: new address %#llx not page aligned",
				(unsigned long long)new_addr);
	ret = mremap_new_size_ok(w, new_addr, new_len);
	if (ret)
		return ret;
	/* Ensure the old and new locations do not overlap. */
	if (addr + old_len > new_addr && new_addr + new_len > addr)
		return fl_error(w, -EINVAL, "mremap: old and new ranges overlap");
	return 0;
}

/*
 * A shrink unmaps [addr + new_len, addr + old_len), wherever it reaches:
 * do_vmi_munmap() takes any number of vmas and gaps, but not a range past
 * TASK_SIZE (-EINVAL, after the target of a FIXED move is gone).
 */
static int mremap_unmap_tail(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr,
			     fl_addr_t old_len, fl_addr_t new_len)
{
	fl_addr_t start = addr + new_len;

	if (old_len <= new_len)
		return 0;
	if (start > task_size(w) || old_len - new_len > task_size(w) - start)
		return fl_error(w, -EINVAL, "mremap: the tail to unmap passes TASK_SIZE");
	return fl_do_munmap(w, mm, start, addr + old_len);
}

/* mremap_to: MREMAP_FIXED. */
static long mremap_to(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr,
		      fl_addr_t old_len, fl_addr_t new_addr, fl_addr_t new_len)
{
	fl_addr_t kept = old_len > new_len ? new_len : old_len;
	struct fl_vma *vma;
	int ret;

	if (!fl_since(w, FL_ERA_MREMAP_CHECKS_FIRST)) {
		ret = mremap_new_range_ok(w, addr, old_len, new_addr, new_len);
		if (ret)
			return ret;
	} else if ((ret = vma_to_resize(w, mm, addr, kept, &vma))) {
		/*
		 * check_prep_vma() before mremap_to() (6.17, "mm/mremap:
		 * check remap conditions earlier"): the part that moves must
		 * lie in one vma before the target is unmapped; a shrink's
		 * tail may cross vmas ("mm/mremap: allow undocumented mremap()
		 * shrink behaviour", same series).
		 */
		return ret;
	}
	/* The implicit munmap of the target: UNMAP events. */
	ret = fl_do_munmap(w, mm, new_addr, new_addr + new_len);
	if (ret)
		return ret;
	ret = mremap_unmap_tail(w, mm, addr, old_len, new_len);
	if (ret)
		return ret;
	old_len = kept;
	ret = vma_to_resize(w, mm, addr, old_len, &vma);
	if (ret)
		return ret;
	return move_vma(w, vma, addr, old_len, new_len, new_addr);
}

/*
 * May VMA move with others in one remap_move()?  Not when userfaultfd is
 * armed on it: notifying the monitor drops the mmap lock, and the multi-vma
 * move holds it throughout (vma_multi_allowed(), d23cb648e365).
 */
static bool vma_multi_allowed(const struct fl_vma *vma)
{
	return !(vma->flags & (FL_VM_UFFD_MISSING | FL_VM_UFFD_WP | FL_VM_UFFD_MINOR));
}

/*
 * remap_move (6.17, d23cb648e365): MREMAP_FIXED with old_len == new_len
 * moves every vma of [addr, addr + len) to the same offset from new_addr,
 * gaps included; a gap at the start is -EFAULT.  A uffd-armed vma moves
 * only alone ("mm/mremap: catch invalid multi VMA moves earlier"); a
 * failure after the first vma leaves a partial move, as the kernel does.
 */
static long remap_move(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr,
		       fl_addr_t len, fl_addr_t new_addr)
{
	fl_addr_t end = addr + len, target = new_addr, last_end = addr;
	struct fl_vma *vma = fl_find_vma(mm, addr);
	long res = -EFAULT, moved;
	bool seen = false;

	for (; vma && vma->start < end; vma = fl_find_vma(mm, last_end)) {
		fl_addr_t from = vma->start > addr ? vma->start : addr;
		fl_addr_t piece = (vma->end < end ? vma->end : end) - from;

		if (!seen && addr < vma->start)
			break;                  /* no gap permitted at the start */
		target += seen ? vma->start - last_end : 0;
		last_end = vma->end;
		if (!vma_multi_allowed(vma) && (seen || vma->end < end))
			return fl_error(w, -EFAULT, "mremap: a userfaultfd vma cannot move "
					"with others");
		moved = mremap_to(w, mm, from, piece, target, piece);
		if (moved < 0)
			return moved;
		if (!seen)
			res = moved;
		seen = true;
		target = (fl_addr_t)moved + piece;
	}
	if (!seen)
		return fl_error(w, -EFAULT, "mremap: no mapping at %#llx",
				(unsigned long long)addr);
	return res;
}

/* vma_expandable: is [vma->end, vma->end + delta) free and below TASK_SIZE? */
static bool vma_expandable(struct fl_world *w, struct fl_vma *vma, fl_addr_t delta)
{
	struct fl_vma *next = fl_vma_next(vma);

	if (delta > task_size(w) - vma->end)
		return false;
	return !next || next->start >= vma->end + delta;
}

/*
 * No vma at addr, found first (550a7d60bd5e, 5.16): -EFAULT, which until
 * 7d1e64966162 (5.18) was returned positive, 14, a "new address".
 */
static long mremap_no_vma(struct fl_world *w, fl_addr_t addr)
{
	fl_error(w, -EFAULT, "mremap: no mapping at %#llx", (unsigned long long)addr);
	return fl_since(w, FL_ERA_MREMAP_EFAULT_SIGN) ? -EFAULT : EFAULT;
}

/*
 * A hugetlb vma (550a7d60bd5e, 5.16, era hugetlb_mremap): both lengths
 * rounded up to the huge page size, both addresses aligned to it, and no
 * growth ("the underlying hugetlb reservation is not yet capable to
 * handle split reservation"): -EINVAL.
 */
static int mremap_hugetlb_ok(struct fl_world *w, const struct fl_vma *vma, fl_addr_t addr,
			     fl_addr_t new_addr, size_t *old_len, size_t *new_len)
{
	fl_addr_t size = fl_vma_hpage_size(w, vma);

	*old_len = (*old_len + size - 1) & ~(size - 1);
	*new_len = (*new_len + size - 1) & ~(size - 1);
	if ((addr | new_addr) & (size - 1))
		return fl_error(w, -EINVAL, "mremap: a hugetlb address not huge page aligned");
	if (*new_len > *old_len)
		return fl_error(w, -EINVAL, "mremap: a hugetlb vma cannot grow");
	return 0;
}

/* A shrink unmaps the tail; the same length does nothing. */
static long mremap_shrink(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr,
			  fl_addr_t old_len, fl_addr_t new_len)
{
	int ret = mremap_unmap_tail(w, mm, addr, old_len, new_len);

	return ret ? ret : (long)addr;
}

/* The checks of steps 1-2 (the header's list). */
static int mremap_params_ok(struct fl_world *w, fl_addr_t addr, size_t old_len,
			    size_t new_len, unsigned flags)
{
	if (flags & ~(FL_MREMAP_MAYMOVE | FL_MREMAP_FIXED))
		return fl_error(w, -EINVAL, "mremap: flags %#x", flags);
	if ((flags & FL_MREMAP_FIXED) && !(flags & FL_MREMAP_MAYMOVE))
		return fl_error(w, -EINVAL, "mremap: MREMAP_FIXED without MREMAP_MAYMOVE");
	if (FL_PAGE_OFFSET(addr))
		return fl_error(w, -EINVAL, "mremap: address %#llx not page aligned",
				(unsigned long long)addr);
	if (!FL_PAGE_ALIGN(new_len))
		return fl_error(w, -EINVAL, "mremap: new_len 0");
	if (!FL_PAGE_ALIGN(old_len))
		return fl_error(w, -EINVAL, "mremap: old_len 0 (duplicating is not modelled)");
	return 0;
}

/* Grow [addr, addr + old_len) to new_len: in place, or moved with MAYMOVE. */
static long mremap_grow(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr,
			fl_addr_t old_len, fl_addr_t new_len, unsigned flags)
{
	struct fl_vma *vma;
	long ret = vma_to_resize(w, mm, addr, old_len, &vma);

	if (ret)
		return ret;
	if (old_len == vma->end - addr && vma_expandable(w, vma, new_len - old_len)) {
		vma->end = addr + new_len;
		fl_vma_gap_update(vma);
		fl_vma_try_merge(w, vma);
		return (long)addr;
	}
	if (!(flags & FL_MREMAP_MAYMOVE))
		return fl_error(w, -ENOMEM, "mremap: cannot grow in place without MREMAP_MAYMOVE");
	ret = mremap_place(w, mm, new_len);
	if (ret < 0)
		return ret;
	return move_vma(w, vma, addr, old_len, new_len, (fl_addr_t)ret);
}

long fl_mremap(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr, size_t old_len,
	       size_t new_len, unsigned flags, fl_addr_t new_addr)
{
	bool fixed = flags & FL_MREMAP_FIXED;
	int ret;

	if (!mm)
		return fl_error(w, -EINVAL, "mremap: no mm");
	ret = mremap_params_ok(w, addr, old_len, new_len, flags);
	if (ret)
		return ret;
	old_len = FL_PAGE_ALIGN(old_len);
	new_len = FL_PAGE_ALIGN(new_len);
	/* check_mremap_params() checks the new range first since 6.17. */
	if (fl_since(w, FL_ERA_MREMAP_CHECKS_FIRST)) {
		ret = fixed ? mremap_new_range_ok(w, addr, old_len, new_addr, new_len)
			    : mremap_new_size_ok(w, new_addr, new_len);
		if (ret)
			return ret;
	}
	if (fl_since(w, FL_ERA_MREMAP_VMA_FIRST) && !fl_vma_lookup(mm, addr))
		return mremap_no_vma(w, addr);
	if (fl_since(w, FL_ERA_HUGETLB_MREMAP) && fl_vma_is_hugetlb(fl_vma_lookup(mm, addr))) {
		ret = mremap_hugetlb_ok(w, fl_vma_lookup(mm, addr), addr, new_addr,
					&old_len, &new_len);
		if (ret)
			return ret;
	}
	/* do_mremap then mm_populate()s the new part of a VM_LOCKED vma */
	if (new_len > old_len && fl_vma_lookup(mm, addr) &&
	    (fl_vma_lookup(mm, addr)->flags & FL_VM_LOCKED))
		return fl_error(w, -EOPNOTSUPP, "mremap growing an mlock()ed vma is not "
				"modelled (the kernel faults the new part in)");
	if (fixed && old_len == new_len && fl_since(w, FL_ERA_MREMAP_MULTI_VMA))
		return remap_move(w, mm, addr, old_len, new_addr);
	if (fixed)
		return mremap_to(w, mm, addr, old_len, new_addr, new_len);
	/*
	 * A shrink or the same length never checked that the old range stays
	 * in one vma: do_mremap() unmaps the tail (do_vmi_munmap() takes any
	 * number of vmas and gaps) and returns addr.
	 */
	if (old_len >= new_len)
		return mremap_shrink(w, mm, addr, old_len, new_len);
	return mremap_grow(w, mm, addr, old_len, new_len, flags);
}
