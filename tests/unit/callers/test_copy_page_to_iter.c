/*
 * tests/unit/callers/test_copy_page_to_iter.c - copy_page_to_iter's loop
 * (08aa64796016, 5.14; era copy_page_to_iter_loop) seen through pread on
 * arm64, where the raw copy under-reports: 16 bytes into the last 15 of a
 * page.  The arm64 stp stores 8 bytes and faults on the second; the fixup
 * reports 1 byte.  5.10 returns that; 6.1 copies again from the reported
 * point and returns all 15 (both judged on Debian's kernels under QEMU,
 * docs/arch.md).
 *
 *   A (rw) | B (none): the buffer is straddle(15) = A + P - 15.
 */
#include "sys_test.h"

static struct fl_world *pread_world(const char *kver, struct fl_file **f)
{
	struct fl_world *w = sys_world(kver, FL_ARCH_ARM64);

	sys_map_abcd(w);
	*f = sys_file(w, "f", P, FL_FS_TMPFS);
	return w;
}

/* 5.10: one copy, its count: 1 byte reported, 8 written. */
static void test_arm64_5_10_pread_under_reports(void **state)
{
	struct fl_file *f;
	struct fl_world *w = pread_world("5.10.223", &f);

	(void)state;
	assert_int_equal(fl_sys_pread(w, f, A + P - 15, 16, 0), 1);
	assert_int_equal(sys_peek1(w, A + P - 8), 0x47);     /* written, not counted */
	fl_world_free(w);
}

/* 6.1: the loop copies again from byte 1: 15, the accessible prefix. */
static void test_arm64_6_1_pread_exact(void **state)
{
	struct fl_file *f;
	struct fl_world *w = pread_world("6.1.176", &f);

	(void)state;
	assert_int_equal(fl_sys_pread(w, f, A + P - 15, 16, 0), 15);
	assert_int_equal(sys_peek1(w, A + P - 1), 0x4e);
	fl_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arm64_5_10_pread_under_reports),
		cmocka_unit_test(test_arm64_6_1_pread_exact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
