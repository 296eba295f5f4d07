/*
 * uffd/pagemap_scan.c - ioctl(PAGEMAP_SCAN) on /proc/PID/pagemap
 * (52526ca7fdb9, 6.7; fs/proc/task_mmu.c do_pagemap_scan): the ranges of
 * pages whose categories match, and with PM_SCAN_WP_MATCHING the
 * write-protection of those written, the half of the interface that
 * lives on userfaultfd's asynchronous write-protect (UFFD_FEATURE_WP_ASYNC,
 * same release).  It sits in the uffd layer for that reason: a vma's
 * WPALLOWED category is a property of its userfaultfd context.
 *
 * Definitions
 *   category   one bit of FL_PAGE_IS_* per page: the pte's (present,
 *              swapped, written, file, zero pfn, soft-dirty, guard) and
 *              the vma's (wp-allowed, soft-dirty); HUGE for a page a PMD
 *              maps (a THP or the huge zero page) and for every entry of a
 *              hugetlb vma, which the kernel reads once per huge page.
 *   huge entry a PMD mapping, or one hugetlb page: the walk takes its part
 *              of [start, end) as one piece, as pagemap_scan_thp_entry and
 *              pagemap_scan_hugetlb_entry do.
 *   matching   (categories ^ inverted) has every bit of category_mask and,
 *              if category_anyof_mask is not 0, one of its bits.
 *   region     a run of matching pages with equal categories & return_mask,
 *              as the kernel writes struct page_region: [start, end).
 *   bounce     the kernel gathers regions in a buffer of at most
 *              PAGEMAP_WALK_SIZE >> PAGE_SHIFT (512) entries and flushes it
 *              to the user's vec when full; a region never spans a flush,
 *              so an observable split happens there too.
 *
 * Invariants
 *   1. found pages never exceed max_pages, nor regions vec_len.
 *   2. walk_end is in [start, end]: where the output stopped, else end.
 *   3. Only PM_SCAN_WP_MATCHING changes a pte: a written page that matched
 *      and was reported loses write and gains uffd-wp, as
 *      UFFDIO_WRITEPROTECT would make it.  A huge entry is write-protected
 *      whole or not at all: a PMD mapping reported in part is split first
 *      and walked as ptes; a hugetlb page reported in part is taken back
 *      and left written, walk_end at its start.
 */
#include <string.h>

#include "uffd/internal.h"
#include <faultline/uaccess.h>

#define PM_SCAN_FLAGS       (FL_PM_SCAN_WP_MATCHING | FL_PM_SCAN_CHECK_WPASYNC)
#define PM_BOUNCE_MAX       512   /* PAGEMAP_WALK_SIZE (a PMD) >> PAGE_SHIFT */

struct scan {
	struct fl_pm_scan_arg *arg;
	struct fl_page_region *out;       /* the user's vec, NULL: none */
	struct fl_page_region bounce[PM_BOUNCE_MAX];
	uint64_t bounce_len, bounce_index, found;
	uint64_t vma_category;
};

/* PM_SCAN_CATEGORIES of this kernel: GUARD only from a516403787e0. */
static uint64_t scan_categories(struct fl_world *w)
{
	uint64_t all = FL_PAGE_IS_WPALLOWED | FL_PAGE_IS_WRITTEN | FL_PAGE_IS_FILE |
		       FL_PAGE_IS_PRESENT | FL_PAGE_IS_SWAPPED | FL_PAGE_IS_PFNZERO |
		       FL_PAGE_IS_HUGE | FL_PAGE_IS_SOFT_DIRTY;

	return all | (fl_since(w, FL_ERA_PAGEMAP_SCAN_GUARD) ? FL_PAGE_IS_GUARD : 0);
}

/* pagemap_scan_get_args: the checks in the kernel's order. */
static int scan_get_args(struct fl_world *w, struct fl_pm_scan_arg *arg)
{
	if (arg->size != FL_PM_SCAN_ARG_SIZE)
		return fl_error(w, -EINVAL, "PAGEMAP_SCAN: size %llu",
				(unsigned long long)arg->size);
	if (arg->flags & ~(uint64_t)PM_SCAN_FLAGS)
		return fl_error(w, -EINVAL, "PAGEMAP_SCAN: flags 0x%llx",
				(unsigned long long)arg->flags);
	if ((arg->category_inverted | arg->category_mask | arg->category_anyof_mask |
	     arg->return_mask) & ~scan_categories(w))
		return fl_error(w, -EINVAL, "PAGEMAP_SCAN: a category this kernel has not");
	if (FL_PAGE_OFFSET(arg->start))
		return fl_error(w, -EINVAL, "PAGEMAP_SCAN: start not page aligned");
	if (!fl_access_ok(w, arg->start, arg->end - arg->start))
		return fl_error(w, -EFAULT, "PAGEMAP_SCAN: [start, end) is not user memory");
	if (!arg->vec && arg->vec_len)
		return fl_error(w, -EINVAL, "PAGEMAP_SCAN: vec_len without vec");
	arg->end = FL_PAGE_ALIGN(arg->end);
	arg->walk_end = 0;
	if (!arg->max_pages)
		arg->max_pages = UINT64_MAX;
	return 0;
}

static bool interesting(const struct fl_pm_scan_arg *arg, uint64_t categories)
{
	categories ^= arg->category_inverted;
	if ((categories & arg->category_mask) != arg->category_mask)
		return false;
	return !arg->category_anyof_mask || (categories & arg->category_anyof_mask);
}

/* pagemap_page_category for one pte (NULL or none: nothing). */
static uint64_t page_category(struct fl_world *w, const fl_pte_t *pte)
{
	uint64_t c = 0;

	if (!pte)
		return 0;
	if (pte->flags & FL_PTE_PRESENT) {
		c |= FL_PAGE_IS_PRESENT;
		if (!(pte->flags & FL_PTE_UFFD_WP))
			c |= FL_PAGE_IS_WRITTEN;
		if (fl_folio_is_zero(w, pte->folio))
			c |= FL_PAGE_IS_PFNZERO;   /* vm_normal_page: no page, not FILE */
		else if (!(pte->folio->flags & FL_FOLIO_ANON))
			c |= FL_PAGE_IS_FILE;
	} else if (pte->flags & (FL_PTE_SWAP | FL_PTE_MARKER)) {
		/* is_swap_pte: a marker is a swap-type entry. */
		c |= FL_PAGE_IS_SWAPPED;
		if (!(pte->flags & FL_PTE_UFFD_WP))
			c |= FL_PAGE_IS_WRITTEN;
		if ((pte->flags & FL_PTE_GUARD) && fl_since(w, FL_ERA_PAGEMAP_SCAN_GUARD))
			c |= FL_PAGE_IS_GUARD;
	}
	if ((pte->flags & FL_PTE_SOFT_DIRTY) && fl_pagemap_has_soft_dirty(w))
		c |= FL_PAGE_IS_SOFT_DIRTY;
	return c;
}

/*
 * The categories of the huge entry whose head (first) pte is HEAD:
 * pagemap_thp_category and pagemap_hugetlb_category.  Neither is FILE for
 * the huge zero page (vm_normal_page_pmd gives no page).  Its PFNZERO
 * came with 4a5e85f4eb8f (era pagemap_scan_huge_zero): before, the test
 * was is_zero_pfn() of the PMD, never true for the huge zero folio.
 */
static uint64_t huge_category(struct fl_world *w, const fl_pte_t *head)
{
	uint64_t c = FL_PAGE_IS_HUGE | page_category(w, head);

	if ((head->flags & FL_PTE_PRESENT) && fl_folio_is_zero(w, head->folio) &&
	    !fl_since(w, FL_ERA_PAGEMAP_SCAN_HUGE_ZERO))
		c &= ~FL_PAGE_IS_PFNZERO;
	return c;
}

/* pagemap_scan_push_range: extend the current region or open the next. */
static bool push_range(struct scan *s, uint64_t categories, fl_addr_t addr, fl_addr_t end)
{
	struct fl_page_region *cur = &s->bounce[s->bounce_index];

	if (addr == cur->end && categories == cur->categories) {
		cur->end = end;
		return true;
	}
	if (cur->end) {
		if (s->bounce_index + 1 >= s->bounce_len)
			return false;
		cur = &s->bounce[++s->bounce_index];
	}
	cur->start = addr;
	cur->end = end;
	cur->categories = categories;
	return true;
}

/*
 * pagemap_scan_output: the page at ADDR (*END its end) into the regions,
 * cut short at max_pages; -ENOSPC when full, with walk_end where it
 * stopped (*END == ADDR: nothing of this page went out).
 */
static int output(struct scan *s, uint64_t categories, fl_addr_t addr, fl_addr_t *end)
{
	struct fl_pm_scan_arg *arg = s->arg;
	uint64_t n = (*end - addr) >> FL_PAGE_SHIFT;
	int ret = 0;

	if (!s->out)
		return 0;
	categories &= arg->return_mask;
	if (s->found + n > arg->max_pages) {
		uint64_t too_much = s->found + n - arg->max_pages;

		*end -= too_much << FL_PAGE_SHIFT;
		n -= too_much;
		ret = -ENOSPC;
	}
	if (!push_range(s, categories, addr, *end)) {
		*end = addr;
		n = 0;
		ret = -ENOSPC;
	}
	s->found += n;
	if (ret)
		arg->walk_end = *end;
	return ret;
}

/* make_uffd_wp_pte on a page the scan reported as written. */
static int scan_wp_page(struct fl_world *w, fl_pte_t *pte, fl_addr_t addr)
{
	if (pte->flags & (FL_PTE_GUARD | FL_PTE_POISON))
		return fl_error(w, -EOPNOTSUPP, "PM_SCAN_WP_MATCHING over a guard or "
				"poison marker (0x%llx) is not modelled",
				(unsigned long long)addr);
	if (pte->flags & FL_PTE_PRESENT)
		pte->flags &= ~FL_PTE_WRITE;
	pte->flags |= FL_PTE_UFFD_WP;
	return 0;
}

/* A whole huge entry [haddr, end) loses write and gains uffd-wp. */
static void huge_wp(struct fl_mm *mm, fl_addr_t haddr, fl_addr_t end)
{
	fl_addr_t a;

	for (a = haddr; a < end; a += FL_PAGE_SIZE)
		fl_pte_lookup(mm, a)->flags = (fl_pte_lookup(mm, a)->flags & ~FL_PTE_WRITE) |
					      FL_PTE_UFFD_WP;
}

/*
 * pagemap_scan_backout_range: take [addr, end) of a huge entry back out of
 * the regions (it is about to be walked again as ptes, or left alone).
 * Without a vec there is no bounce buffer: before 28aa29986dde (era
 * pagemap_scan_backout_no_vec) the kernel read through the NULL one, an
 * oops the model refuses to play; after, nothing to take back.
 */
static int backout(struct fl_world *w, struct scan *s, fl_addr_t addr, fl_addr_t end)
{
	struct fl_page_region *cur = &s->bounce[s->bounce_index];

	if (!s->out) {
		if (!fl_since(w, FL_ERA_PAGEMAP_SCAN_BACKOUT_NO_VEC))
			return fl_error(w, -EOPNOTSUPP, "PM_SCAN_WP_MATCHING without a vec "
					"over part of a huge page (0x%llx): this kernel "
					"oopses on its NULL bounce buffer (28aa29986dde)",
					(unsigned long long)addr);
		return 0;
	}
	if (cur->start != addr)
		cur->end = addr;
	else
		cur->start = cur->end = 0;
	s->found -= (end - addr) >> FL_PAGE_SHIFT;
	return 0;
}

/*
 * pagemap_scan_thp_entry: [addr, end) of the PMD mapping at HADDR.  1: it
 * is not one (or no more: split), walk the ptes; else 0 or -errno.
 */
static int thp_entry(struct fl_world *w, struct scan *s, struct fl_vma *vma,
		     fl_addr_t addr, fl_addr_t end, fl_addr_t haddr, int *ret)
{
	fl_pte_t *head = fl_pte_lookup(vma->mm, haddr);
	uint64_t c = s->vma_category | huge_category(w, head);
	fl_addr_t next = end;

	*ret = 0;
	if (!interesting(s->arg, c))
		return 0;
	*ret = output(s, c, addr, &next);
	if (next == addr || !(s->arg->flags & FL_PM_SCAN_WP_MATCHING) ||
	    !(c & FL_PAGE_IS_WRITTEN))
		return 0;
	if (addr != haddr || next != haddr + fl_hpage_size(w)) {
		/* only a part is to be write-protected: split, walk the ptes */
		if (backout(w, s, addr, next))
			return -EOPNOTSUPP;
		fl_thp_split_pmd(w, vma->mm, haddr);
		return 1;
	}
	huge_wp(vma->mm, haddr, next);    /* make_uffd_wp_pmd */
	return 0;
}

/*
 * pagemap_scan_hugetlb_entry: [addr, end) of the huge page at HADDR.  A
 * write-protect covers the whole page or nothing: a page reported in part
 * (the range, max_pages) is taken back out, stays written, and walk_end
 * is its start; the walk goes on.
 */
static int hugetlb_entry(struct fl_world *w, struct scan *s, struct fl_vma *vma,
			 fl_addr_t addr, fl_addr_t end, fl_addr_t haddr)
{
	fl_pte_t *head = fl_pte_lookup(vma->mm, haddr);
	fl_addr_t next = end;
	uint64_t c;
	int ret;

	if (!head || !head->flags) {
		/* none, or no table: see "Simplifications" in docs/mm.md */
		if ((s->arg->category_mask | s->arg->category_anyof_mask |
		     s->arg->category_inverted | s->arg->return_mask) & FL_PAGE_IS_HUGE)
			return fl_error(w, -EOPNOTSUPP, "PAGEMAP_SCAN: PAGE_IS_HUGE of an "
					"unpopulated hugetlb page (0x%llx) depends on the "
					"kernel's page tables (not modelled)",
					(unsigned long long)haddr);
		c = s->vma_category;
	} else {
		c = s->vma_category | huge_category(w, head);
	}
	if (!interesting(s->arg, c))
		return 0;
	ret = output(s, c, addr, &next);
	if (next == addr || !(s->arg->flags & FL_PM_SCAN_WP_MATCHING) ||
	    !(c & FL_PAGE_IS_WRITTEN))
		return ret;
	if (addr != haddr || next != haddr + fl_hpage_size(w)) {
		if (backout(w, s, addr, next))
			return -EOPNOTSUPP;
		s->arg->walk_end = addr;
		return 0;
	}
	if (!(head->flags & FL_PTE_PRESENT))
		return ret;     /* make_uffd_wp_huge_pte leaves a marker alone */
	huge_wp(vma->mm, haddr, next);    /* make_uffd_wp_huge_pte */
	return ret;
}

/*
 * pagemap_scan_test_walk: may the walk enter VMA, and its category.
 * 1: skip it; 0: walk it; -EPERM: PM_SCAN_CHECK_WPASYNC on a vma without
 * asynchronous write-protect (the fixed 6.7 rule: WP_MATCHING skips it).
 */
static int test_walk(struct fl_world *w, struct scan *s, const struct fl_vma *vma)
{
	const struct fl_pm_scan_arg *arg = s->arg;
	bool wp_allowed = uffd_wp_async(vma) && (vma->flags & FL_VM_UFFD_WP) &&
			  uffd_wp_use_markers(w, vma->uffd_ctx, vma);
	uint64_t required = arg->category_mask & FL_PAGE_IS_WPALLOWED;

	if (!wp_allowed) {
		if (arg->flags & FL_PM_SCAN_CHECK_WPASYNC)
			return fl_error(w, -EPERM, "PAGEMAP_SCAN: vma at 0x%llx has no "
					"async write-protect", (unsigned long long)vma->start);
		if (arg->flags & FL_PM_SCAN_WP_MATCHING)
			return 1;
	}
	if (vma->flags & FL_VM_PFNMAP)
		return 1;
	s->vma_category = (wp_allowed ? FL_PAGE_IS_WPALLOWED : 0) |
			  ((vma->flags & FL_VM_SOFTDIRTY) && fl_pagemap_has_soft_dirty(w) ?
			   FL_PAGE_IS_SOFT_DIRTY : 0);
	return ((s->vma_category ^ arg->category_inverted) & required) != required;
}

/* The ptes of [start, end) (pagemap_scan_pmd_entry's loop). */
static int walk_ptes(struct fl_world *w, struct scan *s, struct fl_vma *vma,
		     fl_addr_t start, fl_addr_t end)
{
	fl_addr_t addr;
	int ret = 0, err;

	for (addr = start; addr < end; addr += FL_PAGE_SIZE) {
		fl_pte_t *pte = fl_pte_lookup(vma->mm, addr);
		uint64_t c = s->vma_category | page_category(w, pte);
		fl_addr_t next = addr + FL_PAGE_SIZE;

		if (!interesting(s->arg, c))
			continue;
		ret = output(s, c, addr, &next);
		if (next == addr)
			break;
		if (!(s->arg->flags & FL_PM_SCAN_WP_MATCHING) || !(c & FL_PAGE_IS_WRITTEN))
			continue;
		err = scan_wp_page(w, pte, addr);
		if (err)
			return err;
	}
	return ret;
}

/*
 * The pages of VMA in [start, end), a PMD (or huge page) at a time as
 * walk_page_range hands them out: 0, -ENOSPC (stopped), or -errno.
 */
static int walk_vma(struct fl_world *w, struct scan *s, struct fl_vma *vma,
		    fl_addr_t start, fl_addr_t end)
{
	fl_addr_t hsize = fl_hpage_size(w), addr, haddr, next;
	int ret = 0, huge;

	for (addr = start; addr < end; addr = next) {
		haddr = hsize ? addr & ~(hsize - 1) : addr;
		next = hsize && haddr + hsize < end ? haddr + hsize : end;
		if (fl_vma_is_hugetlb(vma)) {
			ret = hugetlb_entry(w, s, vma, addr, next, haddr);
		} else {
			huge = fl_thp_supported(w) && fl_thp_pmd_mapped(vma->mm, addr) ?
			       thp_entry(w, s, vma, addr, next, haddr, &ret) : 1;
			if (huge < 0)
				return huge;
			if (huge)
				ret = walk_ptes(w, s, vma, addr, next);
		}
		if (ret)
			return ret;
	}
	return 0;
}

/* walk_page_range from START to the end: vma by vma, holes skipped. */
static int walk(struct fl_world *w, struct fl_mm *mm, struct scan *s, fl_addr_t start)
{
	fl_addr_t end = s->arg->end;
	struct fl_vma *vma;
	int ret;

	for (vma = fl_find_vma(mm, start); vma && vma->start < end; vma = fl_vma_next(vma)) {
		ret = test_walk(w, s, vma);
		if (ret < 0)
			return ret;
		if (ret)
			continue;
		ret = walk_vma(w, s, vma, vma->start > start ? vma->start : start,
			       vma->end < end ? vma->end : end);
		if (ret)
			return ret;
	}
	return 0;
}

/* pagemap_scan_flush_buffer: the gathered regions into the user's vec. */
static uint64_t flush(struct scan *s)
{
	uint64_t n = s->bounce_index;

	if (!s->out)
		return 0;
	if (s->bounce[n].end != s->bounce[n].start)
		n++;
	if (!n)
		return 0;
	memcpy(s->out, s->bounce, n * sizeof(*s->out));
	s->out += n;
	s->arg->vec_len -= n;
	s->bounce_index = 0;
	if (s->bounce_len > s->arg->vec_len)
		s->bounce_len = s->arg->vec_len;
	s->bounce[0].start = s->bounce[0].end = 0;
	return n;
}

long fl_pagemap_scan(struct fl_world *w, struct fl_mm *mm, struct fl_pm_scan_arg *arg,
		     struct fl_page_region *vec)
{
	struct scan scan, *s = &scan;
	fl_addr_t walk_start;
	long ret, regions = 0;

	if (!fl_since(w, FL_ERA_PAGEMAP_SCAN))
		return fl_error(w, -ENOTTY, "PAGEMAP_SCAN: no ioctl on pagemap before 6.7");
	ret = scan_get_args(w, arg);
	if (ret)
		return ret;
	memset(s, 0, sizeof(*s));
	s->arg = arg;
	s->out = arg->vec_len ? vec : NULL;
	s->bounce_len = arg->vec_len < PM_BOUNCE_MAX ? arg->vec_len : PM_BOUNCE_MAX;
	for (walk_start = arg->start; walk_start < arg->end; walk_start = arg->walk_end) {
		ret = walk(w, mm, s, walk_start);
		regions += (long)flush(s);
		if (!arg->walk_end)
			arg->walk_end = arg->end;
		if (ret != -ENOSPC || !arg->vec_len || s->found == arg->max_pages)
			break;
	}
	if (!ret || ret == -ENOSPC)
		ret = regions;
	if (!arg->walk_end)
		arg->walk_end = arg->end;
	return ret;
}
