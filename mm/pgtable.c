/*
 * mm/pgtable.c - the radix page table of an mm.
 *
 * Why levels of 512: it is the x86_64/arm64 4 KiB-page layout, so a
 * scenario's addresses cost what they cost in the kernel (one table per
 * 2 MiB of touched address space) and a sparse address space stays small.
 * Five levels (x86 LA57 layout), not four: sparc64's user address space
 * reaches 2^51 and its mmap_base sits near the top of it.
 *
 * Definitions
 *   pgd, p4d, pud, pmd  directory levels: struct fl_pgtable, 512 pointers
 *                  to the next level (NULL: nothing below).  Index bits
 *                  56..48, 47..39, 38..30 and 29..21 of the address.
 *   pte table      the last level: 512 fl_pte_t, index bits 20..12.
 *   none pte       flags == 0: nothing mapped, nothing saved.
 *
 * Invariants
 *   1. Every table lives in the arena (a snapshot restores page tables).
 *   2. Only addresses below FL_PGTABLE_LIMIT (2^57) have ptes.
 *   3. Tables are freed only by fl_free_pgtables(), after every VMA of the
 *      mm has been zapped: an empty pte table may stay allocated.  The one
 *      exception is the table of a PMD mapping, whose zap or collapse
 *      frees it (fl_pte_table_free: pmd_none again, mm/huge_memory.c).
 *   4. mm->pt_cache, if not NULL, is the pte table of region
 *      mm->pt_cache_base (struct fl_mm); fl_free_pgtables() clears it.
 */
#include "mm/page_internal.h"

#define FL_PTRS_PER_TABLE 512u

struct fl_pgtable {
	void *entry[FL_PTRS_PER_TABLE];
};

struct fl_pte_table {
	fl_pte_t pte[FL_PTRS_PER_TABLE];
};

static unsigned pgtable_index(fl_addr_t addr, int level)
{
	/* level FL_PGTABLE_LEVELS - 1 = pgd ... level 0 = pte table */
	return (unsigned)(addr >> (FL_PAGE_SHIFT + 9 * level)) & (FL_PTRS_PER_TABLE - 1);
}

/* Bytes of address space one entry of LEVEL covers. */
static fl_addr_t pgtable_span(int level)
{
	return (fl_addr_t)1 << (FL_PAGE_SHIFT + 9 * level);
}

/* The 2 MiB region one pte table covers: the key of mm->pt_cache. */
static fl_addr_t pt_region(fl_addr_t addr)
{
	return addr & ~(pgtable_span(1) - 1);
}

/* Remember PT as the table of ADDR's region (struct fl_mm: pt_cache). */
static void pt_cache_set(struct fl_mm *mm, fl_addr_t addr, struct fl_pte_table *pt)
{
	mm->pt_cache_base = pt_region(addr);
	mm->pt_cache = pt;
}

fl_pte_t *fl_pte_lookup(struct fl_mm *mm, fl_addr_t addr)
{
	struct fl_pgtable *t = mm ? mm->pgd : NULL;
	struct fl_pte_table *pt;
	int level;

	if (addr >= FL_PGTABLE_LIMIT || !t)
		return NULL;
	if (mm->pt_cache && mm->pt_cache_base == pt_region(addr)) {
		pt = mm->pt_cache;
		return &pt->pte[pgtable_index(addr, 0)];
	}
	for (level = FL_PGTABLE_LEVELS - 1; level > 1 && t; level--)
		t = t->entry[pgtable_index(addr, level)];
	if (!t)
		return NULL;
	pt = t->entry[pgtable_index(addr, 1)];
	/* Only a table that exists is cached: an absent one may be allocated. */
	if (!pt)
		return NULL;
	pt_cache_set(mm, addr, pt);
	return &pt->pte[pgtable_index(addr, 0)];
}

/* The slot *SLOT of the next level, allocated if empty. */
static void *pgtable_fill(struct fl_world *w, void **slot, size_t size)
{
	if (!*slot)
		*slot = fl_zalloc(w, size);
	return *slot;
}

fl_pte_t *fl_pte_alloc(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr)
{
	struct fl_pgtable *t;
	struct fl_pte_table *pt;
	int level;

	if (addr >= FL_PGTABLE_LIMIT) {
		fl_error(w, -EFAULT, "pte_alloc: address 0x%llx beyond the page table",
			 (unsigned long long)addr);
		return NULL;
	}
	t = pgtable_fill(w, (void **)&mm->pgd, sizeof(*t));
	for (level = FL_PGTABLE_LEVELS - 1; level > 1 && t; level--)
		t = pgtable_fill(w, &t->entry[pgtable_index(addr, level)], sizeof(*t));
	if (!t)
		return NULL;
	pt = pgtable_fill(w, &t->entry[pgtable_index(addr, 1)], sizeof(*pt));
	if (!pt)
		return NULL;
	pt_cache_set(mm, addr, pt);
	return &pt->pte[pgtable_index(addr, 0)];
}

void fl_pte_table_free(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr)
{
	struct fl_pgtable *t = mm->pgd;
	int level;

	for (level = FL_PGTABLE_LEVELS - 1; level > 1 && t; level--)
		t = t->entry[pgtable_index(addr, level)];
	if (!t || !t->entry[pgtable_index(addr, 1)])
		return;
	fl_free(w, t->entry[pgtable_index(addr, 1)], sizeof(struct fl_pte_table));
	t->entry[pgtable_index(addr, 1)] = NULL;
	if (mm->pt_cache_base == pt_region(addr))
		mm->pt_cache = NULL;
}

static int walk_level(struct fl_world *w, void *table, int level, fl_addr_t base,
		      fl_addr_t start, fl_addr_t end, fl_pte_fn fn, void *arg)
{
	fl_addr_t span = pgtable_span(level);
	unsigned i = pgtable_index(start > base ? start : base, level);
	int ret;

	for (; i < FL_PTRS_PER_TABLE; i++) {
		fl_addr_t at = base + (fl_addr_t)i * span;

		if (at >= end)
			break;
		if (level == 0) {
			fl_pte_t *pte = &((struct fl_pte_table *)table)->pte[i];

			if (pte->flags && (ret = fn(w, pte, at, arg)))
				return ret;
			continue;
		}
		void *next = ((struct fl_pgtable *)table)->entry[i];
		if (next && (ret = walk_level(w, next, level - 1, at, start, end, fn, arg)))
			return ret;
	}
	return 0;
}

int fl_walk_ptes(struct fl_world *w, struct fl_mm *mm, fl_addr_t start,
		 fl_addr_t end, fl_pte_fn fn, void *arg)
{
	if (!mm->pgd)
		return 0;
	if (end > FL_PGTABLE_LIMIT)
		end = FL_PGTABLE_LIMIT;
	if (start >= end)
		return 0;
	return walk_level(w, mm->pgd, FL_PGTABLE_LEVELS - 1, 0, start, end, fn, arg);
}

static void free_level(struct fl_world *w, void *table, int level)
{
	unsigned i;

	if (level == 0) {
		fl_free(w, table, sizeof(struct fl_pte_table));
		return;
	}
	for (i = 0; i < FL_PTRS_PER_TABLE; i++) {
		void *next = ((struct fl_pgtable *)table)->entry[i];

		if (next)
			free_level(w, next, level - 1);
	}
	fl_free(w, table, sizeof(struct fl_pgtable));
}

void fl_free_pgtables(struct fl_world *w, struct fl_mm *mm)
{
	if (mm->pgd)
		free_level(w, mm->pgd, FL_PGTABLE_LEVELS - 1);
	mm->pgd = NULL;
	/* The cached table was just freed (struct fl_mm: pt_cache). */
	mm->pt_cache = NULL;
	mm->pt_cache_base = 0;
}
