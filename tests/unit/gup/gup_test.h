/*
 * tests/unit/gup/gup_test.h - shared set-up for the GUP tests: a world of
 * a given kernel version, a parent with one private anonymous page filled
 * with a byte, fork, stores and loads as a process, and reads through
 * what GUP returned.
 */
#ifndef FL_TEST_GUP_H
#define FL_TEST_GUP_H

#include "mm/pages_test.h"

#include <faultline/gup.h>

static inline struct fl_world *kworld(unsigned maj, unsigned min, unsigned patch)
{
	struct fl_world_config cfg = { .arch = FL_ARCH_X86_64,
				       .kver = FL_KV(maj, min, patch),
				       .arena_bytes = (size_t)64 << 20,
				       .max_frames = 65536 };
	struct fl_world *w = fl_world_new(&cfg);

	assert_non_null(w);
	assert_non_null(fl_current(w));
	return w;
}

static inline struct fl_process *proc(struct fl_world *w, const char *name)
{
	struct fl_process *p = fl_process_find(w, name);

	assert_non_null(p);
	return p;
}

static inline void as(struct fl_world *w, const char *name)
{
	assert_int_equal(fl_set_current(w, proc(w, name)), 0);
}

static inline void store_as(struct fl_world *w, const char *name, fl_addr_t a,
			    uint8_t v, size_t len)
{
	uint8_t buf[4096];
	struct fl_signal sig;

	memset(buf, v, sizeof(buf));
	as(w, name);
	assert_int_equal(fl_user_store(w, a, buf, len, &sig), len);
	assert_int_equal(sig.sig, FL_SIG_NONE);
}

static inline uint8_t load_as(struct fl_world *w, const char *name, fl_addr_t a)
{
	struct fl_signal sig;
	uint8_t b = 0xee;

	as(w, name);
	assert_int_equal(fl_user_load(w, a, &b, 1, &sig), 1);
	return b;
}

/* A page of anonymous rw memory in "p", filled with V. */
static inline fl_addr_t anon_page(struct fl_world *w, uint8_t v)
{
	fl_addr_t a = test_mmap(w, P, FL_PROT_READ | FL_PROT_WRITE,
				FL_MAP_PRIVATE, NULL, 0);

	store_as(w, "p", a, v, P);
	return a;
}

static inline void do_fork(struct fl_world *w, const char *child)
{
	as(w, "p");
	assert_int_equal(fl_fork(w, proc(w, "p"), child, NULL), 0);
	assert_mm_ok(w);
}

static inline struct fl_folio *folio_at(struct fl_world *w, const char *name,
					fl_addr_t a)
{
	const fl_pte_t *pte = fl_pte_lookup(proc(w, name)->mm, a);

	assert_non_null(pte);
	assert_true(pte->flags & FL_PTE_PRESENT);
	return pte->folio;
}

static inline bool pte_writable(struct fl_world *w, const char *name, fl_addr_t a)
{
	const fl_pte_t *pte = fl_pte_lookup(proc(w, name)->mm, a);

	return pte && (pte->flags & FL_PTE_WRITE);
}

/* Byte 0 of what handle H holds, read on behalf of the current process. */
static inline uint8_t read_ref(struct fl_world *w, const struct fl_gup_pages *h,
			       bool *leaked)
{
	uint8_t b = 0xee;
	bool l;

	assert_int_equal(fl_gup_read(w, h, 0, &b, 1, leaked ? leaked : &l), 1);
	return b;
}

#endif
