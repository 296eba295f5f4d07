/*
 * tests/unit/callers/test_process_madvise.c - callers/process_madvise.c:
 * its eras, its checks and its result, one behaviour per test.
 *
 *   0x200000   0x201000   0x202000   0x203000
 *   | A rw    | B none   | C rw     | D none   |
 */
#include "sys_test.h"

static long pmadv(struct fl_world *w, const struct fl_iovec *iov, unsigned long n,
		  enum fl_madvise advice, unsigned flags)
{
	return fl_sys_process_madvise(w, sys_mm(w), iov, n, advice, flags);
}

/* 5.10 brought the system call: before it, ENOSYS. */
static void test_process_madvise_before_5_10_enosys(void **state)
{
	struct fl_world *w = sys_world("5.9", FL_ARCH_X86_64);
	struct fl_iovec iov[1] = { { A, 0x1000 } };

	(void)state;
	sys_map_abcd(w);
	assert_int_equal(pmadv(w, iov, 1, FL_MADV_PAGEOUT, 0), -ENOSYS);
	fl_world_free(w);
}

/* Until 6.13 a guard is no advice process_madvise takes, even on self. */
static void test_process_madvise_guard_from_6_13(void **state)
{
	struct fl_world *w12 = sys_world("6.12", FL_ARCH_X86_64);
	struct fl_world *w13 = sys_world("6.13", FL_ARCH_X86_64);
	struct fl_iovec iov[2] = { { A, 0x1000 }, { C, 0x1000 } };

	(void)state;
	sys_map_abcd(w12);
	sys_map_abcd(w13);
	assert_int_equal(pmadv(w12, iov, 2, FL_MADV_GUARD_INSTALL, 0), -EINVAL);
	assert_int_equal(pmadv(w12, iov, 2, FL_MADV_PAGEOUT, 0), 0x2000);
	assert_int_equal(pmadv(w13, iov, 2, FL_MADV_GUARD_INSTALL, 0), 0x2000);
	fl_world_free(w12);
	fl_world_free(w13);
}

/* Flags come first: EINVAL even with a bad advice. */
static void test_process_madvise_flags_einval(void **state)
{
	struct fl_world *w = sys_world("6.18", FL_ARCH_X86_64);
	struct fl_iovec iov[1] = { { A, 0x1000 } };

	(void)state;
	sys_map_abcd(w);
	assert_int_equal(pmadv(w, iov, 1, FL_MADV_PAGEOUT, 1), -EINVAL);
	fl_world_free(w);
}

/* A first range over a hole is its error; after some bytes: not modelled. */
static void test_process_madvise_failure(void **state)
{
	struct fl_world *w = sys_world("6.18", FL_ARCH_X86_64);
	struct fl_iovec hole_first[2] = { { A, 0x4000 }, { C, 0x1000 } };
	struct fl_iovec hole_last[2] = { { C, 0x1000 }, { A, 0x4000 } };

	(void)state;
	sys_map_abcd(w);
	assert_int_equal(fl_munmap(w, sys_mm(w), B, 0x1000), 0);
	assert_int_equal(pmadv(w, hole_first, 2, FL_MADV_PAGEOUT, 0), -ENOMEM);
	assert_int_equal(pmadv(w, hole_last, 2, FL_MADV_PAGEOUT, 0), -EOPNOTSUPP);
	fl_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_process_madvise_before_5_10_enosys),
		cmocka_unit_test(test_process_madvise_guard_from_6_13),
		cmocka_unit_test(test_process_madvise_flags_einval),
		cmocka_unit_test(test_process_madvise_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
