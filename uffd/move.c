/*
 * uffd/move.c - UFFDIO_MOVE (6.8, adef440691ba): move_pages, which moves
 * anonymous pages from one place of the context's mm to a registered one
 * by moving their ptes: no copy, no new vma.
 *
 * Why: a handler that recycles its own pages (heap compaction, ART's GC)
 * resolves a fault by moving a page in; its answers differ from COPY's:
 * -EEXIST for a populated destination, -ENOENT for a hole in the source
 * (unless ALLOW_SRC_HOLES), -EBUSY for a page that is not exclusive.
 *
 * Order of the checks (userfaultfd_move, then move_pages):
 *   1. context before UFFDIO_API                  -EINVAL, field untouched
 *   2. mmap_changing                              -EAGAIN, field untouched,
 *                                                 or -EAGAIN (6.15, 6.14.7)
 *   3. the caller is not the context's mm         -EINVAL
 *   4. dst range, src range (alignment, len 0, user range), mode bits
 *                                                 -EINVAL, field untouched
 *   5. the mm has gone                            -ESRCH, field untouched
 *   6. move_pages: no vma at dst or at src        -ENOENT
 *      a shared vma, a range beyond its vma,      -EINVAL
 *      access flags that differ, a read-only source, a destination not
 *      registered to this context, a non-anonymous vma
 *   7. page by page: dst pte not none -EEXIST; src pte none -ENOENT (a
 *      hole that counts as moved with ALLOW_SRC_HOLES); the zero page
 *      moves (6.9; -EBUSY before); a folio that is not anon-exclusive
 *      -EBUSY; a poison marker -EFAULT; a present page or a swap entry
 *      moves.
 *   The field `move` = bytes moved, or -errno if none; the ioctl returns
 *   0 if all moved, -EAGAIN if part, else the errno.
 *
 * Not modelled: huge pmds (the model has none), cross-mm moves (refused
 * at 3).
 */
#include "uffd/internal.h"

#define VM_ACCESS_FLAGS (FL_VM_READ | FL_VM_WRITE | FL_VM_EXEC)

static bool vma_is_anon(const struct fl_vma *vma)
{
	/* MAP_HUGETLB memory is not vma_is_anonymous: a hugetlbfs file's */
	return !vma->file && !(vma->flags & (FL_VM_SHARED | FL_VM_HUGETLB));
}

/* validate_move_areas: -EINVAL unless pages may move from SRC to DST. */
static int validate_move_areas(struct fl_world *w, struct fl_uffd_ctx *ctx,
			       const struct fl_vma *src, const struct fl_vma *dst)
{
	if ((src->flags & VM_ACCESS_FLAGS) != (dst->flags & VM_ACCESS_FLAGS))
		return fl_error(w, -EINVAL, "UFFDIO_MOVE: the vmas' protections differ");
	/* Access flags are equal: a writable source means both are. */
	if (!(src->flags & FL_VM_WRITE))
		return fl_error(w, -EINVAL, "UFFDIO_MOVE: the source is not writable");
	if (dst->uffd_ctx != ctx)
		return fl_error(w, -EINVAL, "UFFDIO_MOVE: destination not registered "
				"to this userfaultfd");
	if (!vma_is_anon(src) || !vma_is_anon(dst))
		return fl_error(w, -EINVAL, "UFFDIO_MOVE: not anonymous memory");
	return 0;
}

/* move_pages_pte: one page from SRC_ADDR to DST_ADDR.  0 or -errno. */
static int move_pages_pte(struct fl_world *w, struct fl_mm *mm, fl_addr_t dst_addr,
			  fl_addr_t src_addr, uint64_t mode)
{
	fl_pte_t *dst = fl_pte_alloc(w, mm, dst_addr), *src;

	if (!dst)
		return -ENOMEM;
	if (dst->flags)
		return fl_error(w, -EEXIST, "UFFDIO_MOVE: 0x%llx is already populated",
				(unsigned long long)dst_addr);
	src = fl_pte_lookup(mm, src_addr);
	if (!src || !src->flags) {
		if (mode & FL_UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES)
			return 0;   /* nothing to move: the hole counts as moved */
		return fl_error(w, -ENOENT, "UFFDIO_MOVE: hole in the source at 0x%llx",
				(unsigned long long)src_addr);
	}
	if (src->flags & FL_PTE_GUARD)
		return fl_error(w, -EOPNOTSUPP, "UFFDIO_MOVE of a guard marker is not modelled");
	if (src->flags & FL_PTE_POISON)
		return fl_error(w, -EFAULT, "UFFDIO_MOVE: a poison marker at 0x%llx",
				(unsigned long long)src_addr);
	if ((src->flags & FL_PTE_PRESENT) && fl_folio_is_zero(w, src->folio) &&
	    fl_since(w, FL_ERA_UFFD_MOVE_ZEROPAGE)) {
		/*
		 * move_zeropage_pte (eb1521dad8f3, 6.9): the destination maps
		 * the zero page, read-only as a zero-page fault maps it; the
		 * source becomes a hole.  Before, the zero page was -EBUSY
		 * with every other page not exclusive to this mm.
		 */
		*dst = *src;
		dst->flags = FL_PTE_PRESENT | FL_PTE_YOUNG;
		*src = (fl_pte_t){ 0 };
		return 0;
	}
	if ((src->flags & FL_PTE_PRESENT) &&
	    (fl_folio_is_zero(w, src->folio) ||
	     !(src->folio->flags & FL_FOLIO_ANON_EXCLUSIVE)))
		return fl_error(w, -EBUSY, "UFFDIO_MOVE: the page at 0x%llx is not "
				"exclusive to this mm", (unsigned long long)src_addr);
	/*
	 * The pte moves with its folio (mapcount and reference) or swap
	 * slot; a present page is mapped writable in the destination,
	 * without uffd-wp.
	 */
	*dst = *src;
	dst->flags |= FL_PTE_SOFT_DIRTY;   /* move_swap_pte: pte_swp_mksoft_dirty */
	if (dst->flags & FL_PTE_PRESENT)   /* move_present_pte: dirty after the move */
		dst->flags = FL_PTE_PRESENT | FL_PTE_YOUNG | FL_PTE_WRITE | FL_PTE_MKDIRTY;
	src->flags = 0;
	src->folio = NULL;
	src->swap = NULL;
	return 0;
}

/*
 * A PMD-mapped THP in the source: move_pages splits one the move covers
 * in part; one it covers whole, between aligned addresses, it moves as a
 * PMD (move_pages_huge_pmd), which the model does not: unsupported.
 */
static int move_split_thp(struct fl_world *w, struct fl_mm *mm,
			  const struct fl_uffdio_move *mv)
{
	fl_addr_t size = fl_hpage_size(w), a;

	if (!fl_thp_supported(w))
		return 0;
	for (a = mv->src & ~(size - 1); a < mv->src + mv->len; a += size) {
		if (!fl_thp_pmd_mapped(mm, a))
			continue;
		if (a >= mv->src && a + size <= mv->src + mv->len &&
		    !((mv->dst + (a - mv->src)) & (size - 1)))
			return fl_error(w, -EOPNOTSUPP, "UFFDIO_MOVE of a whole PMD-mapped THP "
					"(move_pages_huge_pmd) is not modelled");
		fl_thp_split_pmd(w, mm, a);
	}
	return 0;
}

/* move_pages: bytes moved (> 0) or -errno. */
static int64_t move_pages(struct fl_world *w, struct fl_uffd_ctx *ctx,
			  struct fl_mm *mm, const struct fl_uffdio_move *mv)
{
	struct fl_vma *dst_vma = fl_vma_lookup(mm, mv->dst);
	struct fl_vma *src_vma = fl_vma_lookup(mm, mv->src);
	uint64_t moved = 0;
	int err;

	if (!dst_vma || !src_vma)
		return fl_error(w, -ENOENT, "UFFDIO_MOVE: no vma at 0x%llx",
				(unsigned long long)(dst_vma ? mv->src : mv->dst));
	err = -EINVAL;
	if ((src_vma->flags & FL_VM_SHARED) || mv->src + mv->len > src_vma->end ||
	    (dst_vma->flags & FL_VM_SHARED) || mv->dst + mv->len > dst_vma->end) {
		fl_error(w, err, "UFFDIO_MOVE: a shared vma, or a range beyond its vma");
		goto out;
	}
	err = validate_move_areas(w, ctx, src_vma, dst_vma);
	if (err)
		goto out;
	err = move_split_thp(w, mm, mv);
	if (err)
		goto out;
	while (moved < mv->len) {
		err = move_pages_pte(w, mm, mv->dst + moved, mv->src + moved, mv->mode);
		if (err)
			break;
		moved += FL_PAGE_SIZE;
	}
out:
	return moved ? (int64_t)moved : err;
}

int fl_uffdio_move(struct fl_world *w, struct fl_uffd_ctx *ctx, struct fl_uffdio_move *mv)
{
	uint64_t modes = FL_UFFDIO_MOVE_MODE_DONTWAKE | FL_UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES;
	struct fl_mm *mm;
	int64_t ret;
	int err;

	/* UFFDIO_MOVE, 6.8 (adef440691ba): an unknown ioctl before. */
	if (!fl_since(w, FL_ERA_UFFD_MOVE))
		return fl_error(w, -EINVAL, "UFFDIO_MOVE: not in this kernel");
	if (ctx->state == UFFD_STATE_WAIT_API)
		return fl_error(w, -EINVAL, "UFFDIO_MOVE before UFFDIO_API");
	err = uffd_mmap_changing(w, ctx, &mv->move);
	if (err)
		return err;
	mm = uffd_ctx_mm(ctx);
	/* Do not allow cross-mm moves. */
	if (mm && (!fl_current(w) || fl_current(w)->mm != mm))
		return fl_error(w, -EINVAL, "UFFDIO_MOVE: not called from the context's mm");
	err = uffd_validate_range(w, mv->dst, mv->len);
	if (!err)
		err = uffd_validate_range(w, mv->src, mv->len);
	if (err)
		return err;
	if (mv->mode & ~modes)
		return fl_error(w, -EINVAL, "UFFDIO_MOVE: mode 0x%llx",
				(unsigned long long)mv->mode);
	if (!mm)
		return uffd_mm_gone(w);
	ret = move_pages(w, ctx, mm, mv);
	mv->move = ret;
	if (ret < 0)
		return (int)ret;
	if (!(mv->mode & FL_UFFDIO_MOVE_MODE_DONTWAKE))
		uffd_wake(w, ctx, mv->dst, (uint64_t)ret);
	return (uint64_t)ret == mv->len ? 0 : -EAGAIN;
}
