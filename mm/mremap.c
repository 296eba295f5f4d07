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
 * Order of the checks (the kernel's do_mremap / mremap_to / vma_to_resize):
 *   1. flags beyond MAYMOVE|FIXED, FIXED without MAYMOVE      -EINVAL
 *   2. addr not page aligned; new_len 0 (after PAGE_ALIGN)    -EINVAL
 *   3. FIXED: new_addr unaligned, beyond TASK_SIZE, or the
 *      two ranges overlap                                     -EINVAL
 *      then the target is unmapped (UNMAP events), and a shrinking
 *      move first unmaps the old range's tail
 *   4. no vma at addr, or [addr, addr + old_len) leaves it    -EFAULT
 *   5. shrink: unmap the tail, return addr; grow in place when the vma
 *      ends at addr + old_len and the space after it is free; otherwise
 *      move with MAYMOVE, or                                  -ENOMEM
 *
 * Moving (move_vma): a new vma at the new address with the old one's
 * flags, file, pgoff and uffd context (copy_vma); the ptes move across
 * (move_page_tables) with their folios and swap slots; userfaultfd is
 * told (REMAP); the old range is unmapped, which is itself an UNMAP.
 *
 * Not modelled: old_len 0 (duplicating a shared mapping: -EINVAL here),
 * MREMAP_DONTUNMAP (5.7: -EINVAL here as an unknown flag), accounting.
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

/* vma_to_resize: the vma holding [addr, addr + old_len), or NULL (-EFAULT). */
static struct fl_vma *vma_to_resize(struct fl_world *w, struct fl_mm *mm,
				    fl_addr_t addr, fl_addr_t old_len)
{
	struct fl_vma *vma = fl_vma_lookup(mm, addr);

	if (!vma) {
		fl_error(w, -EFAULT, "mremap: no mapping at %#llx", (unsigned long long)addr);
		return NULL;
	}
	if (old_len > vma->end - addr) {
		fl_error(w, -EFAULT, "mremap: [%#llx, +%#llx) crosses the end of its vma",
			 (unsigned long long)addr, (unsigned long long)old_len);
		return NULL;
	}
	return vma;
}

/* move_page_tables: every pte of [old, old + len) to [new, new + len). */
static int move_page_tables(struct fl_world *w, struct fl_mm *mm, fl_addr_t old,
			    fl_addr_t new, fl_addr_t len)
{
	fl_addr_t off;

	for (off = 0; off < len; off += FL_PAGE_SIZE) {
		fl_pte_t *src = fl_pte_lookup(mm, old + off), *dst;

		if (!src || !src->flags)
			continue;
		dst = fl_pte_alloc(w, mm, new + off);
		if (!dst)
			return -ENOMEM;
		*dst = *src;     /* folio reference, mapcount, swap slot move along */
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

/* mremap_to: MREMAP_FIXED. */
static long mremap_to(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr,
		      fl_addr_t old_len, fl_addr_t new_addr, fl_addr_t new_len)
{
	struct fl_vma *vma;
	int ret;

	if (FL_PAGE_OFFSET(new_addr))
		return fl_error(w, -EINVAL, "mremap: new address %#llx not page aligned",
				(unsigned long long)new_addr);
	if (new_len > task_size(w) || new_addr > task_size(w) - new_len)
		return fl_error(w, -EINVAL, "mremap: new range beyond TASK_SIZE");
	/* Ensure the old and new locations do not overlap. */
	if (addr + old_len > new_addr && new_addr + new_len > addr)
		return fl_error(w, -EINVAL, "mremap: old and new ranges overlap");
	/* The implicit munmap of the target: UNMAP events. */
	ret = fl_do_munmap(w, mm, new_addr, new_addr + new_len);
	if (ret)
		return ret;
	if (old_len > new_len) {
		ret = fl_do_munmap(w, mm, addr + new_len, addr + old_len);
		if (ret)
			return ret;
		old_len = new_len;
	}
	vma = vma_to_resize(w, mm, addr, old_len);
	if (!vma)
		return -EFAULT;
	return move_vma(w, vma, addr, old_len, new_len, new_addr);
}

/* vma_expandable: is [vma->end, vma->end + delta) free and below TASK_SIZE? */
static bool vma_expandable(struct fl_world *w, struct fl_vma *vma, fl_addr_t delta)
{
	struct fl_vma *next = fl_vma_next(vma);

	if (delta > task_size(w) - vma->end)
		return false;
	return !next || next->start >= vma->end + delta;
}

long fl_mremap(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr, size_t old_len,
	       size_t new_len, unsigned flags, fl_addr_t new_addr)
{
	struct fl_vma *vma;
	long ret;

	if (!mm)
		return fl_error(w, -EINVAL, "mremap: no mm");
	if (flags & ~(FL_MREMAP_MAYMOVE | FL_MREMAP_FIXED))
		return fl_error(w, -EINVAL, "mremap: flags %#x", flags);
	if ((flags & FL_MREMAP_FIXED) && !(flags & FL_MREMAP_MAYMOVE))
		return fl_error(w, -EINVAL, "mremap: MREMAP_FIXED without MREMAP_MAYMOVE");
	if (FL_PAGE_OFFSET(addr))
		return fl_error(w, -EINVAL, "mremap: address %#llx not page aligned",
				(unsigned long long)addr);
	old_len = FL_PAGE_ALIGN(old_len);
	new_len = FL_PAGE_ALIGN(new_len);
	if (!new_len)
		return fl_error(w, -EINVAL, "mremap: new_len 0");
	if (!old_len)
		return fl_error(w, -EINVAL, "mremap: old_len 0 (duplicating is not modelled)");
	if (flags & FL_MREMAP_FIXED)
		return mremap_to(w, mm, addr, old_len, new_addr, new_len);
	/* Shrinking: the tail goes, and that is an unmap. */
	if (old_len >= new_len) {
		if (!vma_to_resize(w, mm, addr, old_len))
			return -EFAULT;
		if (old_len > new_len) {
			ret = fl_do_munmap(w, mm, addr + new_len, addr + old_len);
			if (ret)
				return ret;
		}
		return (long)addr;
	}
	vma = vma_to_resize(w, mm, addr, old_len);
	if (!vma)
		return -EFAULT;
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
