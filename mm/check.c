/*
 * mm/check.c - fl_mm_check(): the invariants of include/faultline/mm.h as
 * code, so that every test step can assert them.
 *
 *   1. VMAs sorted, aligned, non-overlapping: fl_vma_tree_check().
 *   2. A present pte lies inside a VMA and points to a live folio.
 *   3. folio->mapcount == present ptes mapping it, counted over all mms.
 *   4. folio->refcount >= mapcount + the page cache's reference.
 *   5. A writable pte never maps the zero page, nor, in a private mapping,
 *      a folio that is not anonymous, exclusive and mapped once.
 *   6. The base pages of a huge page are in step (mm/hugetlb.c).
 *
 * The counting of 3 uses a temporary host array of every mapped folio of
 * every mm (sorted, then counted by runs): it is a check, not model state.
 */
#include <stdlib.h>

#include "mm/page_internal.h"

struct folio_list {
	struct fl_folio **v;
	size_t n, cap;
};

static int list_add(struct folio_list *l, struct fl_folio *folio)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		void *v = realloc(l->v, cap * sizeof(*l->v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = folio;
	return 0;
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(struct fl_folio *const *)a;
	uintptr_t y = (uintptr_t)*(struct fl_folio *const *)b;

	return (x > y) - (x < y);
}

static int collect_one(struct fl_world *w, fl_pte_t *pte, fl_addr_t addr, void *arg)
{
	(void)addr;
	if (!(pte->flags & FL_PTE_PRESENT) || fl_folio_is_zero(w, pte->folio))
		return 0;
	return list_add(arg, pte->folio);
}

/* Every mapped folio of every live mm, sorted. */
static int collect_all(struct fl_world *w, struct folio_list *all)
{
	struct fl_process *p;
	int ret;

	for (p = fl_state(w)->procs; p; p = p->next) {
		if (!p->mm)
			continue;
		ret = fl_walk_ptes(w, p->mm, 0, FL_PGTABLE_LIMIT, collect_one, all);
		if (ret)
			return ret;
	}
	if (all->n)
		qsort(all->v, all->n, sizeof(*all->v), cmp_ptr);
	return 0;
}

static size_t count_mappings(const struct folio_list *all, struct fl_folio *folio)
{
	size_t lo = 0, hi = all->n, n = 0;

	while (lo < hi) {        /* first index with v[i] >= folio */
		size_t mid = lo + (hi - lo) / 2;

		if ((uintptr_t)all->v[mid] < (uintptr_t)folio)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo + n < all->n && all->v[lo + n] == folio)
		n++;
	return n;
}

struct mm_check {
	struct fl_mm *mm;
	struct folio_list all;
};

static int check_pte(struct fl_world *w, const struct mm_check *c, fl_pte_t *pte,
		     fl_addr_t addr)
{
	struct fl_vma *vma = fl_vma_lookup(c->mm, addr);
	struct fl_folio *folio = pte->folio;
	unsigned long long a = addr;

	if (!vma)
		return fl_error(w, -EUCLEAN, "invariant 2: pte at 0x%llx outside every vma", a);
	if (!folio || !folio->frame || (!folio->refcount && !fl_folio_is_zero(w, folio)))
		return fl_error(w, -EUCLEAN, "invariant 2: pte at 0x%llx maps a dead folio", a);
	if (((pte->flags & FL_PTE_PMD) || folio->thp) && fl_thp_check_pte(w, c->mm, pte, addr))
		return -EUCLEAN;
	if (fl_folio_is_zero(w, folio)) {
		if (pte->flags & FL_PTE_WRITE)
			return fl_error(w, -EUCLEAN, "invariant 5: writable pte at 0x%llx maps the zero page", a);
		return 0;
	}
	if (folio->mapcount != count_mappings(&c->all, folio))
		return fl_error(w, -EUCLEAN, "invariant 3: folio at 0x%llx has mapcount %u but %zu ptes",
				a, folio->mapcount, count_mappings(&c->all, folio));
	if (folio->refcount < folio->mapcount + (folio->mapping ? 1u : 0u))
		return fl_error(w, -EUCLEAN, "invariant 4: folio at 0x%llx has refcount %u < mapcount %u + cache",
				a, folio->refcount, folio->mapcount);
	if (fl_vma_is_hugetlb(vma) && fl_hugetlb_check_pte(w, vma, pte, addr))
		return -EUCLEAN;
	if ((pte->flags & FL_PTE_WRITE) && !(vma->flags & FL_VM_SHARED) &&
	    (!(folio->flags & FL_FOLIO_ANON) || folio->mapcount != 1 ||
	     !(folio->flags & FL_FOLIO_ANON_EXCLUSIVE)))
		return fl_error(w, -EUCLEAN, "invariant 5: writable private pte at 0x%llx maps a shared folio", a);
	return 0;
}

static int check_one(struct fl_world *w, fl_pte_t *pte, fl_addr_t addr, void *arg)
{
	if (!(pte->flags & FL_PTE_PRESENT))
		return 0;
	return check_pte(w, arg, pte, addr);
}

int fl_mm_check(struct fl_world *w, struct fl_mm *mm)
{
	struct mm_check c = { mm, { NULL, 0, 0 } };
	int ret;

	if (!mm)
		return fl_error(w, -EINVAL, "mm_check: no mm");
	ret = fl_vma_tree_check(w, mm);
	if (ret)
		return ret;
	ret = collect_all(w, &c.all);
	if (ret)
		ret = fl_error(w, ret, "mm_check: out of memory");
	else
		ret = fl_walk_ptes(w, mm, 0, FL_PGTABLE_LIMIT, check_one, &c);
	free(c.all.v);
	return ret;
}
