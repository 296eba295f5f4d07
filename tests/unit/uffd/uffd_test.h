/*
 * tests/unit/uffd/uffd_test.h - the set-up both userfaultfd test files
 * share: an x86_64 world on a chosen kernel, anonymous mappings, and a
 * context with API done and `area` (two pages) registered MISSING.
 */
#ifndef FL_TEST_UFFD_H
#define FL_TEST_UFFD_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <faultline/uffd.h>
#include <faultline/uaccess.h>

#include "mm_check.h"

#define PAGE FL_PAGE_SIZE
#define UNTOUCHED INT64_MIN     /* a field value no ioctl writes */

struct t {
	struct fl_world *w;
	struct fl_uffd_ctx *ctx;
	fl_addr_t area, plain;
};

static inline struct fl_world *kworld(unsigned maj, unsigned min, unsigned patch)
{
	struct fl_world_config cfg = { .arch = FL_ARCH_X86_64,
				       .kver = FL_KV(maj, min, patch),
				       .arena_bytes = (size_t)64 << 20,
				       .max_frames = 65536 };
	struct fl_world *w = fl_world_new(&cfg);

	assert_non_null(w);
	if (!fl_current(w))
		assert_int_equal(fl_process_new(w, "p", NULL), 0);
	return w;
}

static inline fl_addr_t map_anon(struct fl_world *w, size_t pages)
{
	long a = fl_mmap(w, fl_current(w)->mm, 0, pages * PAGE,
			 FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);

	assert_true(a > 0);
	return (fl_addr_t)a;
}

/*
 * A context of FEATURES (UFFDIO_API done) with REG registered; REG comes
 * back with the kernel's answer (ioctls).
 */
static inline struct fl_uffd_ctx *uffd_registered(struct fl_world *w, uint64_t features,
						  struct fl_uffdio_register *reg)
{
	struct fl_uffdio_api api = { FL_UFFD_API, features, 0 };
	struct fl_uffd_ctx *ctx;

	assert_int_equal(fl_userfaultfd(w, 0, &ctx), 0);
	assert_int_equal(fl_uffdio_api(w, ctx, &api), 0);
	assert_int_equal(fl_uffdio_register(w, ctx, reg), 0);
	return ctx;
}

/*
 * On kernel MAJ.MIN.PATCH: `area` (2 pages) registered MISSING with a
 * context of FLAGS and FEATURES, and `plain` (PLAIN_PAGES, unregistered).
 */
static inline void uffd_setup(struct t *t, unsigned maj, unsigned min,
			      unsigned patch, uint64_t features, unsigned flags,
			      size_t plain_pages)
{
	struct fl_uffdio_api api = { FL_UFFD_API, features, 0 };
	struct fl_uffdio_register reg;

	t->w = kworld(maj, min, patch);
	t->area = map_anon(t->w, 2);
	t->plain = map_anon(t->w, plain_pages);
	assert_int_equal(fl_userfaultfd(t->w, flags, &t->ctx), 0);
	assert_int_equal(fl_uffdio_api(t->w, t->ctx, &api), 0);
	reg = (struct fl_uffdio_register){ t->area, 2 * PAGE,
					   FL_UFFDIO_REGISTER_MODE_MISSING, 0 };
	assert_int_equal(fl_uffdio_register(t->w, t->ctx, &reg), 0);
}

#endif
