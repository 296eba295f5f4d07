/*
 * tests/unit/uaccess/test_rutland_matrix.c - Mark Rutland's usercopy
 * matrix ("usercopy: generic tests + arm64 fixes", LKML, March 2023) on the
 * full model, every architecture: x86_64 passes everything, every other
 * architecture fails exactly the way the thread reports and passes the
 * rest.
 *
 *   0x1ff000        0x200000                 0x201000
 *   | unmapped      | one rw anon page        | unmapped
 *              [ offset in [-size, 0] ]  [ offset in [P - size, P] ]
 *
 * 16770 cases per direction (sizes 0..128).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <faultline/uaccess.h>

#define CASES 16770ul

static struct fl_rutland_counts run(enum fl_arch_id arch, fl_kver_t kver,
				    enum fl_copy_dir dir)
{
	struct fl_rutland_counts c;

	assert_int_equal(fl_rutland_run(arch, kver, dir, &c), 0);
	assert_int_equal(c.cases, CASES);
	return c;
}

static void assert_all_pass(const struct fl_rutland_counts *c)
{
	assert_int_equal(c->pass, CASES);
	assert_false(c->failed);
	assert_int_equal(c->clobbers, 0);
	assert_int_equal(c->over_reports, 0);
	assert_int_equal(c->no_progress, 0);
}

/* Failures only in ASSERT's class; every failing case names it. */
static void assert_fails_only(const struct fl_rutland_counts *c,
			      enum fl_rutland_assert first, long offset, size_t size,
			      size_t ret)
{
	assert_true(c->failed);
	assert_true(c->pass < CASES);
	assert_int_equal(c->first_fail.failed, first);
	assert_int_equal(c->first_fail.offset, offset);
	assert_int_equal(c->first_fail.size, size);
	assert_int_equal(c->first_fail.ret, ret);
}

/* ---- x86_64: exact in all three ---- */

static void test_x86_64_to_user_passes(void **state)
{
	struct fl_rutland_counts c = run(FL_ARCH_X86_64, 0, FL_COPY_TO_USER);

	(void)state;
	assert_all_pass(&c);
	assert_int_equal(c.under_reports, 0);
}

static void test_x86_64_from_user_passes(void **state)
{
	struct fl_rutland_counts c = run(FL_ARCH_X86_64, 0, FL_COPY_FROM_USER);

	(void)state;
	assert_all_pass(&c);
	assert_int_equal(c.under_reports, 0);
}

static void test_x86_64_clear_user_passes(void **state)
{
	struct fl_rutland_counts c = run(FL_ARCH_X86_64, 0, FL_CLEAR_USER);

	(void)state;
	assert_all_pass(&c);
	assert_int_equal(c.under_reports, 0);
}

/* ---- arm64 ---- */

/* "post-destination bytes modified (dst_page[4082]=0x1, offset=4081, size=16, ret=15)" */
static void test_arm64_to_user_clobbers(void **state)
{
	struct fl_rutland_counts c = run(FL_ARCH_ARM64, 0, FL_COPY_TO_USER);

	(void)state;
	assert_fails_only(&c, FL_RUTLAND_POST_DST_MODIFIED, 4081, 16, 15);
	assert_true(c.clobbers > 0);
	assert_true(c.under_reports > 0);
	assert_int_equal(c.over_reports, 0);
	assert_int_equal(c.no_progress, 0);
	assert_int_equal(c.pass + c.clobbers, CASES);
}

static void test_arm64_from_user_passes(void **state)
{
	struct fl_rutland_counts c = run(FL_ARCH_ARM64, 0, FL_COPY_FROM_USER);

	(void)state;
	assert_all_pass(&c);
}

/* Before 295cf156231c (5.14) a straddling first store reports nothing. */
static void test_arm64_5_13_to_user_no_progress(void **state)
{
	struct fl_rutland_counts c = run(FL_ARCH_ARM64, FL_KV(5, 13, 0), FL_COPY_TO_USER);

	(void)state;
	assert_fails_only(&c, FL_RUTLAND_TOO_FEW, 4095, 2, 2);
	assert_true(c.no_progress > 0);
	assert_int_equal(c.over_reports, 0);
}

static void test_arm64_5_13_from_user_no_progress(void **state)
{
	struct fl_rutland_counts c = run(FL_ARCH_ARM64, FL_KV(5, 13, 0), FL_COPY_FROM_USER);

	(void)state;
	assert_fails_only(&c, FL_RUTLAND_TOO_FEW, 4095, 2, 2);
	assert_int_equal(c.pass + c.no_progress, CASES);
}

static void test_arm64_clear_user_no_progress(void **state)
{
	struct fl_rutland_counts c = run(FL_ARCH_ARM64, 0, FL_CLEAR_USER);

	(void)state;
	assert_fails_only(&c, FL_RUTLAND_TOO_FEW, 4095, 2, 2);
	assert_int_equal(c.clobbers, 0);
	assert_int_equal(c.over_reports, 0);
	assert_int_equal(c.pass + c.no_progress, CASES);
}

/* arm64+mte without tags: the arm64 routine, the arm64 result. */
static void test_arm64_mte_to_user_same_as_arm64(void **state)
{
	struct fl_rutland_counts a = run(FL_ARCH_ARM64, 0, FL_COPY_TO_USER);
	struct fl_rutland_counts m = run(FL_ARCH_ARM64_MTE, 0, FL_COPY_TO_USER);

	(void)state;
	assert_int_equal(m.pass, a.pass);
	assert_int_equal(m.clobbers, a.clobbers);
	assert_int_equal(m.under_reports, a.under_reports);
}

/* ---- sparc64 ---- */

/* "copied bytes incorrect (dst_page[0+0]=0x0, src_page[4095+0]=0xff, offset=4095, size=2, ret=1" */
static void test_sparc64_from_user_over_reports(void **state)
{
	struct fl_rutland_counts c = run(FL_ARCH_SPARC64_ADI, 0, FL_COPY_FROM_USER);

	(void)state;
	assert_fails_only(&c, FL_RUTLAND_COPY_INCORRECT, 4095, 2, 1);
	assert_true(c.over_reports > 0);
	assert_int_equal(c.no_progress, 0);
	assert_int_equal(c.clobbers, 0);
	assert_int_equal(c.pass + c.over_reports, CASES);
}

static void test_sparc64_to_user_passes(void **state)
{
	struct fl_rutland_counts c = run(FL_ARCH_SPARC64_ADI, 0, FL_COPY_TO_USER);

	(void)state;
	assert_all_pass(&c);
}

static void test_sparc64_clear_user_passes(void **state)
{
	struct fl_rutland_counts c = run(FL_ARCH_SPARC64_ADI, 0, FL_CLEAR_USER);

	(void)state;
	assert_all_pass(&c);
}

/* ---- i386 ---- */

/* "too few bytes consumed (offset=4093, size=8, ret=8)" */
static void test_i386_from_user_no_progress(void **state)
{
	struct fl_rutland_counts c = run(FL_ARCH_I386, 0, FL_COPY_FROM_USER);

	(void)state;
	assert_fails_only(&c, FL_RUTLAND_TOO_FEW, 4093, 8, 8);
	assert_int_equal(c.clobbers, 0);
	assert_int_equal(c.over_reports, 0);
	assert_int_equal(c.pass + c.no_progress, CASES);
}

static void test_i386_to_user_passes(void **state)
{
	struct fl_rutland_counts c = run(FL_ARCH_I386, 0, FL_COPY_TO_USER);

	(void)state;
	assert_all_pass(&c);
}

/* clear_user: "too few bytes consumed (offset=4093, size=4, ret=4)" */
static void test_i386_clear_user_no_progress(void **state)
{
	struct fl_rutland_counts c = run(FL_ARCH_I386, 0, FL_CLEAR_USER);

	(void)state;
	assert_fails_only(&c, FL_RUTLAND_TOO_FEW, 4093, 4, 4);
	assert_int_equal(c.pass + c.no_progress, CASES);
}

/*
 * ---- riscv64 on Rutland's 6.3-rc, before 4b05b993900d: "too few bytes
 * consumed (offset=4095, size=2, ret=2)" ----
 */
#define RV_6_3 FL_KV(6, 3, 0)

static void test_riscv64_to_user_no_progress(void **state)
{
	struct fl_rutland_counts c = run(FL_ARCH_RISCV64, RV_6_3, FL_COPY_TO_USER);

	(void)state;
	assert_fails_only(&c, FL_RUTLAND_TOO_FEW, 4095, 2, 2);
	assert_int_equal(c.under_reports, 0);
	assert_int_equal(c.over_reports, 0);
	/*
	 * Every straddling case reports nothing and clobbers what it wrote,
	 * except the 127 at offset 4095 (sizes 2..128): the one byte written
	 * there is pattern byte 0, 0x00, as the page was; his check cannot
	 * see those either.
	 */
	assert_int_equal(c.no_progress, c.clobbers + 127);
	assert_int_equal(c.pass + c.no_progress, CASES);
}

static void test_riscv64_from_user_no_progress(void **state)
{
	struct fl_rutland_counts c = run(FL_ARCH_RISCV64, RV_6_3, FL_COPY_FROM_USER);

	(void)state;
	assert_fails_only(&c, FL_RUTLAND_TOO_FEW, 4095, 2, 2);
	assert_int_equal(c.pass + c.no_progress, CASES);
}

static void test_riscv64_clear_user_no_progress(void **state)
{
	struct fl_rutland_counts c = run(FL_ARCH_RISCV64, RV_6_3, FL_CLEAR_USER);

	(void)state;
	assert_fails_only(&c, FL_RUTLAND_TOO_FEW, 4095, 2, 2);
	assert_int_equal(c.pass + c.no_progress, CASES);
}

/* riscv64 since 4b05b993900d: clear_user exact, as debian-6.12-riscv64's. */
static void test_riscv64_clear_user_passes(void **state)
{
	struct fl_rutland_counts c = run(FL_ARCH_RISCV64, 0, FL_CLEAR_USER);

	(void)state;
	assert_all_pass(&c);
}

/*
 * ---- arm ----
 * The routine as Debian's armmp kernels run it (docs/arch.md).  Both of
 * Rutland's arm lines are failures of it ("post-destination bytes
 * modified (dst_page[4068]=0x1, offset=4067, size=33, ret=32)": the
 * STM block; "too few bytes consumed (offset=4068, size=32, ret=32)": the
 * LDM block; tests/unit/arch/test_raw_copy.c), but not the first of his
 * order: copy_to_user's STM block fails at 4068/32 first, and
 * copy_from_user's tail bytes, loaded before they are stored, at 4095/2.
 */
static void test_arm_to_user_clobbers(void **state)
{
	struct fl_rutland_counts c = run(FL_ARCH_ARM, 0, FL_COPY_TO_USER);

	(void)state;
	assert_fails_only(&c, FL_RUTLAND_TOO_FEW, 4068, 32, 32);
	assert_true(c.under_reports > 0);
	assert_int_equal(c.over_reports, 0);
	assert_int_equal(c.pass + c.clobbers, CASES);
}

static void test_arm_from_user_no_progress(void **state)
{
	struct fl_rutland_counts c = run(FL_ARCH_ARM, 0, FL_COPY_FROM_USER);

	(void)state;
	assert_fails_only(&c, FL_RUTLAND_TOO_FEW, 4095, 2, 2);
	assert_int_equal(c.clobbers, 0);
	assert_int_equal(c.over_reports, 0);
	assert_int_equal(c.pass + c.no_progress, CASES);
}

static void test_arm_clear_user_no_progress(void **state)
{
	struct fl_rutland_counts c = run(FL_ARCH_ARM, 0, FL_CLEAR_USER);

	(void)state;
	assert_fails_only(&c, FL_RUTLAND_TOO_FEW, 4095, 2, 2);
	assert_int_equal(c.pass + c.no_progress, CASES);
}

static void test_run_rejects_bad_arch(void **state)
{
	struct fl_rutland_counts c;

	(void)state;
	assert_int_equal(fl_rutland_run(FL_ARCH_COUNT, 0, FL_COPY_TO_USER, &c), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x86_64_to_user_passes),
		cmocka_unit_test(test_x86_64_from_user_passes),
		cmocka_unit_test(test_x86_64_clear_user_passes),
		cmocka_unit_test(test_arm64_to_user_clobbers),
		cmocka_unit_test(test_arm64_from_user_passes),
		cmocka_unit_test(test_arm64_5_13_to_user_no_progress),
		cmocka_unit_test(test_arm64_5_13_from_user_no_progress),
		cmocka_unit_test(test_arm64_clear_user_no_progress),
		cmocka_unit_test(test_arm64_mte_to_user_same_as_arm64),
		cmocka_unit_test(test_sparc64_from_user_over_reports),
		cmocka_unit_test(test_sparc64_to_user_passes),
		cmocka_unit_test(test_sparc64_clear_user_passes),
		cmocka_unit_test(test_i386_from_user_no_progress),
		cmocka_unit_test(test_i386_to_user_passes),
		cmocka_unit_test(test_i386_clear_user_no_progress),
		cmocka_unit_test(test_riscv64_to_user_no_progress),
		cmocka_unit_test(test_riscv64_from_user_no_progress),
		cmocka_unit_test(test_riscv64_clear_user_no_progress),
		cmocka_unit_test(test_riscv64_clear_user_passes),
		cmocka_unit_test(test_arm_to_user_clobbers),
		cmocka_unit_test(test_arm_from_user_no_progress),
		cmocka_unit_test(test_arm_clear_user_no_progress),
		cmocka_unit_test(test_run_rejects_bad_arch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
