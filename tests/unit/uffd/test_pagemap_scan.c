/*
 * tests/unit/uffd/test_pagemap_scan.c - ioctl(PAGEMAP_SCAN)
 * (uffd/pagemap_scan.c): its era, its argument checks, the regions it
 * reports, max_pages and walk_end, and the write-protection of
 * PM_SCAN_WP_MATCHING over asynchronous uffd-wp (UFFD_FEATURE_WP_ASYNC).
 */
#include <stdint.h>

#include "uffd_test.h"

/* An argument over PAGES pages from START asking for written pages. */
static struct fl_pm_scan_arg written_arg(fl_addr_t start, size_t pages, uint64_t vec_len)
{
	struct fl_pm_scan_arg a = {
		.size = FL_PM_SCAN_ARG_SIZE, .start = start, .end = start + pages * PAGE,
		.vec = vec_len != 0, .vec_len = vec_len,
		.category_mask = FL_PAGE_IS_WRITTEN, .return_mask = FL_PAGE_IS_WRITTEN,
	};
	return a;
}

static void store1(struct fl_world *w, fl_addr_t addr)
{
	struct fl_signal sig;

	assert_int_equal(fl_user_store(w, addr, "x", 1, &sig), 1);
}

/* An anonymous mapping of PAGES, registered WP with async write-protect, protected. */
static fl_addr_t wp_async_area(struct fl_world *w, size_t pages)
{
	fl_addr_t a = map_anon(w, pages);
	struct fl_uffdio_register reg = { a, pages * PAGE, FL_UFFDIO_REGISTER_MODE_WP, 0 };
	struct fl_uffd_ctx *ctx = uffd_registered(w, FL_UFFD_FEATURE_WP_ASYNC |
						  FL_UFFD_FEATURE_WP_UNPOPULATED, &reg);
	struct fl_uffdio_writeprotect wp = { { a, pages * PAGE }, FL_UFFDIO_WRITEPROTECT_MODE_WP };

	assert_int_equal(fl_uffdio_writeprotect(w, ctx, &wp), 0);
	return a;
}

/* A scan of one fresh page on MAJ.MIN with ARG's FIELD set to VALUE. */
static long scan_one(unsigned maj, unsigned min, size_t field, uint64_t value)
{
	struct fl_world *w = kworld(maj, min, 0);
	fl_addr_t a = map_anon(w, 1);
	struct fl_pm_scan_arg arg = written_arg(a, 1, 0);
	long ret;

	if (field != SIZE_MAX)
		memcpy((uint8_t *)&arg + field, &value, sizeof(value));
	ret = fl_pagemap_scan(w, fl_current(w)->mm, &arg, NULL);
	fl_world_free(w);
	return ret;
}

static void test_scan_before_6_7_enotty(void **state)
{
	(void)state;
	assert_int_equal(scan_one(6, 6, SIZE_MAX, 0), -ENOTTY);
	assert_int_equal(scan_one(6, 7, SIZE_MAX, 0), 0);
}

static void test_scan_bad_size_einval(void **state)
{
	(void)state;
	assert_int_equal(scan_one(6, 18, offsetof(struct fl_pm_scan_arg, size), 95), -EINVAL);
}

static void test_scan_guard_category_from_6_16(void **state)
{
	(void)state;
	assert_int_equal(scan_one(6, 15, offsetof(struct fl_pm_scan_arg, return_mask),
				  FL_PAGE_IS_GUARD), -EINVAL);
	assert_int_equal(scan_one(6, 16, offsetof(struct fl_pm_scan_arg, return_mask),
				  FL_PAGE_IS_GUARD), 0);
}

static void test_scan_check_wpasync_eperm(void **state)
{
	(void)state;
	assert_int_equal(scan_one(6, 18, offsetof(struct fl_pm_scan_arg, flags),
				  FL_PM_SCAN_CHECK_WPASYNC), -EPERM);
}

static void test_scan_regions_of_written_pages(void **state)
{
	struct fl_world *w = kworld(6, 18, 0);
	fl_addr_t a = map_anon(w, 4);
	struct fl_pm_scan_arg arg = written_arg(a, 4, 4);
	struct fl_page_region vec[4];

	(void)state;
	store1(w, a);
	store1(w, a + PAGE);
	store1(w, a + 3 * PAGE);
	assert_int_equal(fl_pagemap_scan(w, fl_current(w)->mm, &arg, vec), 2);
	assert_true(vec[0].start == a && vec[0].end == a + 2 * PAGE);
	assert_true(vec[1].start == a + 3 * PAGE && vec[1].categories == FL_PAGE_IS_WRITTEN);
	assert_true(arg.walk_end == a + 4 * PAGE);
	fl_world_free(w);
}

static void test_scan_max_pages_sets_walk_end(void **state)
{
	struct fl_world *w = kworld(6, 18, 0);
	fl_addr_t a = map_anon(w, 4);
	struct fl_pm_scan_arg arg = written_arg(a, 4, 4);
	struct fl_page_region vec[4];

	(void)state;
	store1(w, a);
	store1(w, a + 2 * PAGE);
	arg.max_pages = 1;
	assert_int_equal(fl_pagemap_scan(w, fl_current(w)->mm, &arg, vec), 1);
	assert_true(arg.walk_end == a + 2 * PAGE);
	fl_world_free(w);
}

static void test_scan_wp_matching_protects_written(void **state)
{
	struct fl_world *w = kworld(6, 18, 0);
	fl_addr_t a = wp_async_area(w, 2);
	struct fl_pm_scan_arg arg = written_arg(a, 2, 2);
	struct fl_page_region vec[2];

	(void)state;
	store1(w, a);           /* async: the uffd-wp bit goes, no event */
	arg.flags = FL_PM_SCAN_WP_MATCHING | FL_PM_SCAN_CHECK_WPASYNC;
	assert_int_equal(fl_pagemap_scan(w, fl_current(w)->mm, &arg, vec), 1);
	assert_true(fl_pte_lookup(fl_current(w)->mm, a)->flags & FL_PTE_UFFD_WP);
	arg = written_arg(a, 2, 2);
	assert_int_equal(fl_pagemap_scan(w, fl_current(w)->mm, &arg, vec), 0);
	fl_world_free(w);
}

/* A written private hugetlb page (2 MiB), registered WP with async write-protect. */
static fl_addr_t written_hugetlb(struct fl_world *w)
{
	long a = fl_mmap(w, fl_current(w)->mm, 0, 2 << 20, FL_PROT_READ | FL_PROT_WRITE,
			 FL_MAP_PRIVATE | FL_MAP_HUGETLB, NULL, 0);
	struct fl_uffdio_register reg = { (fl_addr_t)a, 2 << 20, FL_UFFDIO_REGISTER_MODE_WP, 0 };

	assert_true(a > 0);
	store1(w, (fl_addr_t)a);
	uffd_registered(w, FL_UFFD_FEATURE_WP_ASYNC, &reg);
	return (fl_addr_t)a;
}

/*
 * A hugetlb page is write-protected whole or not at all: half of it is
 * backed out (0 regions, walk_end at its start, still written), without
 * a vec too (from 28aa29986dde; refused before: the kernel oopsed); all
 * of it is one HUGE region, then protected.
 */
static void test_scan_hugetlb_wp_whole_page_only(void **state)
{
	struct fl_world *w = kworld(6, 18, 0);
	fl_addr_t a = written_hugetlb(w);
	struct fl_pm_scan_arg arg = written_arg(a, 256, 4);
	struct fl_page_region vec[4];

	(void)state;
	arg.flags = FL_PM_SCAN_WP_MATCHING;
	arg.return_mask |= FL_PAGE_IS_HUGE;
	assert_int_equal(fl_pagemap_scan(w, fl_current(w)->mm, &arg, vec), 0);
	assert_int_equal(arg.walk_end, a);
	arg = written_arg(a, 256, 0);
	arg.flags = FL_PM_SCAN_WP_MATCHING;
	assert_int_equal(fl_pagemap_scan(w, fl_current(w)->mm, &arg, NULL), 0);
	assert_int_equal(arg.walk_end, a);
	assert_false(fl_pte_lookup(fl_current(w)->mm, a)->flags & FL_PTE_UFFD_WP);
	arg = written_arg(a, 512, 4);
	arg.flags = FL_PM_SCAN_WP_MATCHING;
	arg.return_mask |= FL_PAGE_IS_HUGE;
	assert_int_equal(fl_pagemap_scan(w, fl_current(w)->mm, &arg, vec), 1);
	assert_int_equal(vec[0].end - vec[0].start, 2 << 20);
	assert_int_equal(vec[0].categories, FL_PAGE_IS_WRITTEN | FL_PAGE_IS_HUGE);
	assert_true(fl_pte_lookup(fl_current(w)->mm, a + (1 << 20))->flags & FL_PTE_UFFD_WP);
	fl_world_free(w);
}

static void test_scan_hugetlb_partial_no_vec_refused_before_fix(void **state)
{
	struct fl_world *w = kworld(6, 16, 0);
	fl_addr_t a = written_hugetlb(w);
	struct fl_pm_scan_arg arg = written_arg(a, 256, 0);

	(void)state;
	arg.flags = FL_PM_SCAN_WP_MATCHING;
	assert_int_equal(fl_pagemap_scan(w, fl_current(w)->mm, &arg, NULL), -EOPNOTSUPP);
	fl_world_free(w);
}

/*
 * A private mapping of an ext4 file takes WP alone from a context with
 * WP_ASYNC (pagemap_ioctl.c's "File memory testing"), and nothing else.
 */
static void test_register_ext4_file_wp_async_only(void **state)
{
	struct fl_world *w = kworld(6, 18, 0);
	struct fl_uffdio_api api = { FL_UFFD_API, FL_UFFD_FEATURE_WP_ASYNC, 0 };
	struct fl_uffdio_api plain_api = { FL_UFFD_API, 0, 0 };
	struct fl_uffd_ctx *async, *plain;
	struct fl_file *f;
	long a;

	(void)state;
	assert_int_equal(fl_file_new(w, "f", 4 * PAGE, FL_FS_EXT4, &f), 0);
	a = fl_mmap(w, fl_current(w)->mm, 0, 4 * PAGE, FL_PROT_READ | FL_PROT_WRITE,
		    FL_MAP_PRIVATE, f, 0);
	assert_true(a > 0);
	assert_int_equal(fl_userfaultfd(w, 0, &async), 0);
	assert_int_equal(fl_uffdio_api(w, async, &api), 0);
	assert_int_equal(fl_userfaultfd(w, 0, &plain), 0);
	assert_int_equal(fl_uffdio_api(w, plain, &plain_api), 0);
	{
		struct fl_uffdio_register wp = { (fl_addr_t)a, 4 * PAGE, FL_UFFDIO_REGISTER_MODE_WP, 0 };
		struct fl_uffdio_register both = { (fl_addr_t)a, 4 * PAGE,
			FL_UFFDIO_REGISTER_MODE_WP | FL_UFFDIO_REGISTER_MODE_MISSING, 0 };

		assert_int_equal(fl_uffdio_register(w, plain, &wp), -EINVAL);
		assert_int_equal(fl_uffdio_register(w, async, &both), -EINVAL);
		assert_int_equal(fl_uffdio_register(w, async, &wp), 0);
	}
	fl_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_before_6_7_enotty),
		cmocka_unit_test(test_scan_bad_size_einval),
		cmocka_unit_test(test_scan_guard_category_from_6_16),
		cmocka_unit_test(test_scan_regions_of_written_pages),
		cmocka_unit_test(test_scan_max_pages_sets_walk_end),
		cmocka_unit_test(test_scan_wp_matching_protects_written),
		cmocka_unit_test(test_scan_check_wpasync_eperm),
		cmocka_unit_test(test_register_ext4_file_wp_async_only),
		cmocka_unit_test(test_scan_hugetlb_wp_whole_page_only),
		cmocka_unit_test(test_scan_hugetlb_partial_no_vec_refused_before_fix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
