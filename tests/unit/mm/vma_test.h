/*
 * tests/unit/mm/vma_test.h - shared set-up for the VMA-half tests of mm/
 * (test_mmap.c, test_mprotect.c, test_madvise.c): a world with one process,
 * fixed mappings in page units from BASE, and a one-line picture of the
 * address space.
 *
 * Maps are one character per page from BASE: a letter is a VMA (letters
 * count VMAs from the left of the window), a space a hole.  Teardown checks
 * the tree and the mm invariants after every test.
 */
#ifndef FL_TEST_VMA_H
#define FL_TEST_VMA_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mm/internal.h"

#define BASE ((fl_addr_t)0x10000000)
#define PG(n) (BASE + (fl_addr_t)(n) * FL_PAGE_SIZE)
#define P FL_PAGE_SIZE
#define RW (FL_PROT_READ | FL_PROT_WRITE)
#define PRIV FL_MAP_PRIVATE
#define FIX (FL_MAP_PRIVATE | FL_MAP_FIXED)

struct env {
	struct fl_world *w;
	struct fl_mm *mm;
};

static inline int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct fl_process *p;

	e->w = fl_world_new(NULL);
	assert_non_null(e->w);
	assert_int_equal(fl_process_new(e->w, "p", &p), 0);
	e->mm = p->mm;
	*state = e;
	return 0;
}

static inline int teardown(void **state)
{
	struct env *e = *state;

	assert_int_equal(fl_vma_tree_check(e->w, e->mm), 0);
	assert_int_equal(fl_mm_check(e->w, e->mm), 0);
	fl_world_free(e->w);
	free(e);
	return 0;
}

static inline const char *map_at(struct env *e, fl_addr_t base, int n)
{
	static char buf[128];
	struct fl_vma *vma, *last = NULL;
	char letter = '@';
	int i;

	for (i = 0; i < n; i++) {
		vma = fl_vma_lookup(e->mm, base + (fl_addr_t)i * P);
		if (vma && vma != last)
			letter++;
		last = vma;
		buf[i] = vma ? letter : ' ';
	}
	buf[n] = '\0';
	return buf;
}

static inline const char *map(struct env *e, int n)
{
	return map_at(e, BASE, n);
}

static inline void fixed(struct env *e, int first, int n, int prot)
{
	assert_int_equal(fl_mmap(e->w, e->mm, PG(first), (size_t)n * P, prot,
				 FIX, NULL, 0), (long)PG(first));
}

#endif

