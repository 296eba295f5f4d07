/*
 * tests/unit/callers/test_fpu.c - x86 restore_fpregs_from_user in each
 * era (callers/fpu.c).  XRSTOR reads user_size = 832 bytes; the frame is
 * put at the end of A so that part of it lies in B:
 *
 *   A (rw, poked zero)                      B (not mapped)
 *   | ...                    | frame ...    |... frame tail |
 *                            ^ A+P-off      ^ 0x201000
 *
 * Linus's frame: off = 512, size = 832: the claimed size itself crosses.
 * CVE-2024-26603's frame: off = 576, size = 576: the claimed size fits in
 * A, the 832 bytes XRSTOR reads do not.
 */
#include "livelock_test.h"

static struct fl_world *w;

static int teardown(void **state)
{
	(void)state;
	fl_world_free(w);
	w = NULL;
	return 0;
}

/* A mapped and present, B a hole. */
static void frame_world(fl_kver_t kver)
{
	w = lt_world(FL_ARCH_X86_64, kver);
	lt_map(w, A, P, RW);
	lt_poke_fill(w, A, P, 0);
}

static int restore(fl_addr_t buf, size_t size, struct fl_loop *l)
{
	return fl_restore_fpregs_from_user(w, buf, size, 0, l, NULL);
}

/* Whole frame mapped but not present: #PF, fault-in, retry, restored. */
static void test_618_faults_in_and_restores(void **state)
{
	unsigned long rounds;

	(void)state;
	w = lt_world(FL_ARCH_X86_64, FL_KV(6, 18, 0));
	lt_map(w, A, 2 * P, RW);
	assert_int_equal(fl_restore_fpregs_from_user(w, A + P - 512, 832, 0, NULL,
						     &rounds), 0);
	assert_int_equal(rounds, 2);
}

/* A header with XCOMP_BV set is #GP, not #PF: no retry, -EFAULT. */
static void test_618_gp_is_fatal(void **state)
{
	unsigned long rounds;

	(void)state;
	frame_world(FL_KV(6, 18, 0));
	assert_int_equal(fl_poke(w, lt_mm(w), A + FL_FPU_XSAVE_HDR_OFFSET + 8,
				 "\x80", 1), 0);
	assert_int_equal(fl_restore_fpregs_from_user(w, A, 832, 0, NULL, &rounds),
			 -EFAULT);
	assert_int_equal(rounds, 1);
}

/* 5.15: fault_in_pages_readable(buf, 832) fails on B: -EFAULT. */
static void test_515_second_page_unmapped_fails(void **state)
{
	(void)state;
	frame_world(FL_KV(5, 15, 0));
	assert_int_equal(restore(A + P - 512, 832, NULL), -EFAULT);
}

/* 5.16: !fault_in_readable() asks for every byte: still -EFAULT. */
static void test_516_second_page_unmapped_fails(void **state)
{
	(void)state;
	frame_world(FL_KV(5, 16, 0));
	assert_int_equal(restore(A + P - 512, 832, NULL), -EFAULT);
}

/* The unmerged "partial fault-in is success" test: Linus's endless loop. */
static void test_partial_success_api_livelocks(void **state)
{
	struct fl_fpu_rules r;
	struct fl_loop l;

	(void)state;
	frame_world(FL_KV(5, 16, 0));
	fl_fpu_rules_of(w, &r);
	r.retry = FL_FPU_RETRY_ANY;
	fl_loop_init(&l, w, "fpu");
	assert_int_equal(fl_restore_fpregs_from_user_rules(w, &r, A + P - 512,
							   832, 0, &l, NULL),
			 FL_LOOP_STOPPED);
	assert_int_equal(l.verdict, FL_LOOP_LIVELOCK);
	fl_loop_fini(&l);
}

static void cve_livelocks(fl_kver_t kver)
{
	struct fl_loop l;

	frame_world(kver);
	fl_loop_init(&l, w, "fpu");
	assert_int_equal(restore(A + P - 576, 576, &l), FL_LOOP_STOPPED);
	assert_int_equal(l.verdict, FL_LOOP_LIVELOCK);
	fl_loop_fini(&l);
}

static void cve_fails(fl_kver_t kver)
{
	frame_world(kver);
	assert_int_equal(restore(A + P - 576, 576, NULL), -EFAULT);
}

/* CVE-2024-26603 on 6.7: fault-in of 576 bytes succeeds, XRSTOR faults. */
static void test_cve_67_livelocks(void **state)
{
	(void)state;
	cve_livelocks(FL_KV(6, 7, 0));
}

/* 5.15.149, the last 5.15 without the backport: live-lock. */
static void test_cve_515_149_livelocks(void **state)
{
	(void)state;
	cve_livelocks(FL_KV(5, 15, 149));
}

/* 6.8 (d877550eaf2d): fault in user_size, B fails it: -EFAULT. */
static void test_cve_68_fixed(void **state)
{
	(void)state;
	cve_fails(FL_KV(6, 8, 0));
}

/* Stable 6.1.79 carries the fix; 6.1.78 does not. */
static void test_cve_6_1_79_fixed(void **state)
{
	(void)state;
	cve_fails(FL_KV(6, 1, 79));
}

static void test_cve_6_1_78_livelocks(void **state)
{
	(void)state;
	cve_livelocks(FL_KV(6, 1, 78));
}

/* 5.13, before the loop: the slow path copies the 576 claimed bytes: 0. */
static void test_513_slow_path_no_loop(void **state)
{
	unsigned long rounds;

	(void)state;
	frame_world(FL_KV(5, 13, 0));
	assert_int_equal(fl_restore_fpregs_from_user(w, A + P - 576, 576, 0, NULL,
						     &rounds), 0);
	assert_int_equal(rounds, 1);
}

/* Not x86: -EINVAL, nothing run. */
static void test_arm64_refused(void **state)
{
	(void)state;
	w = lt_world(FL_ARCH_ARM64, 0);
	assert_int_equal(restore(A, 832, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_618_faults_in_and_restores, teardown),
		cmocka_unit_test_teardown(test_618_gp_is_fatal, teardown),
		cmocka_unit_test_teardown(test_515_second_page_unmapped_fails, teardown),
		cmocka_unit_test_teardown(test_516_second_page_unmapped_fails, teardown),
		cmocka_unit_test_teardown(test_partial_success_api_livelocks, teardown),
		cmocka_unit_test_teardown(test_cve_67_livelocks, teardown),
		cmocka_unit_test_teardown(test_cve_515_149_livelocks, teardown),
		cmocka_unit_test_teardown(test_cve_68_fixed, teardown),
		cmocka_unit_test_teardown(test_cve_6_1_79_fixed, teardown),
		cmocka_unit_test_teardown(test_cve_6_1_78_livelocks, teardown),
		cmocka_unit_test_teardown(test_513_slow_path_no_loop, teardown),
		cmocka_unit_test_teardown(test_arm64_refused, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
