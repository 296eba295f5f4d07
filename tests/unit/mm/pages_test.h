/*
 * tests/unit/mm/pages_test.h - shared set-up for the page-half tests of mm/:
 * a small world, mmap without ceremony, and the mm invariants after a step.
 */
#ifndef FL_TEST_PAGES_H
#define FL_TEST_PAGES_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <faultline/mm.h>

#include "mm_check.h"

#define P FL_PAGE_SIZE

static inline struct fl_world *test_world(enum fl_arch_id arch)
{
	struct fl_world_config cfg = { .arch = arch, .arena_bytes = (size_t)64 << 20,
				       .max_frames = 65536 };
	struct fl_world *w = fl_world_new(&cfg);

	assert_non_null(w);
	return w;
}

static inline struct fl_mm *cur_mm(struct fl_world *w)
{
	struct fl_process *p = fl_current(w);

	assert_non_null(p);
	return p->mm;
}

/* mmap in the current process; fails the test on error. */
static inline fl_addr_t test_mmap(struct fl_world *w, size_t len, int prot,
				  int flags, struct fl_file *file, uint64_t off)
{
	long r = fl_mmap(w, cur_mm(w), 0, len, prot, flags, file, off);

	if (r < 0)
		fail_msg("mmap: %ld %s", r, fl_world_error(w));
	return (fl_addr_t)r;
}

/* fl_mm_check of every live process. */
static inline const fl_pte_t *pte_of(struct fl_world *w, fl_addr_t addr)
{
	return fl_pte_lookup(cur_mm(w), addr);
}

static inline bool pte_present(struct fl_world *w, fl_addr_t addr)
{
	const fl_pte_t *pte = pte_of(w, addr);

	return pte && (pte->flags & FL_PTE_PRESENT);
}

#endif
