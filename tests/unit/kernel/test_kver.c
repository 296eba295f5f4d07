/*
 * tests/unit/kernel/test_kver.c - kernel version strings: what
 * fl_kver_parse() accepts (x.y, x.y.z, x.y-rcN) and rejects, and how
 * fl_kver_format() prints a version back.
 *
 * Why: versions arrive from the command line and from .fl scenarios; a
 * parser that accepted "5.18.x" or wrapped "256.1" would run a case on a
 * kernel nobody asked for.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <faultline/eras.h>

/* Parse S and return the version, failing the test if it is rejected. */
static fl_kver_t parse_ok(const char *s)
{
	fl_kver_t v = 0;

	if (fl_kver_parse(s, &v))
		fail_msg("'%s' was rejected", s);
	return v;
}

static void assert_rejected(const char *s)
{
	fl_kver_t v = 0x12345678;

	if (fl_kver_parse(s, &v) != -EINVAL)
		fail_msg("'%s' was accepted", s ? s : "(null)");
	assert_int_equal(v, 0x12345678);   /* untouched on failure */
}

/* ---- accepted ---- */

static void test_parse_major_minor(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("5.18"), FL_KV(5, 18, 0));
}

static void test_parse_stable(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("5.7.3"), FL_KV(5, 7, 3));
}

static void test_parse_rc_is_release(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("6.15-rc6"), FL_KV(6, 15, 0));
}

/* Stable series run past 255: 4.19.325 exists. */
static void test_parse_large_patch(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("4.19.325"), FL_KV(4, 19, 325));
}

static void test_parse_limits(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("255.255.65535"), FL_KV(255, 255, 65535));
}

/* ---- rejected ---- */

static void test_reject_empty(void **state)
{
	(void)state;
	assert_rejected("");
}

static void test_reject_null(void **state)
{
	(void)state;
	assert_rejected(NULL);
}

static void test_reject_major_only(void **state)
{
	(void)state;
	assert_rejected("5");
	assert_rejected("5.");
}

static void test_reject_missing_major(void **state)
{
	(void)state;
	assert_rejected(".5");
}

static void test_reject_letters(void **state)
{
	(void)state;
	assert_rejected("a.b");
	assert_rejected("5.18.x");
}

static void test_reject_major_overflow(void **state)
{
	(void)state;
	assert_rejected("256.1");
}

static void test_reject_patch_overflow(void **state)
{
	(void)state;
	assert_rejected("5.18.70000");
}

static void test_reject_rc_without_number(void **state)
{
	(void)state;
	assert_rejected("5.18-rc");
}

static void test_reject_trailing_space(void **state)
{
	(void)state;
	assert_rejected("5.18 ");
}

/* An -rc names a mainline pre-release; stable releases have none. */
static void test_reject_rc_on_stable(void **state)
{
	(void)state;
	assert_rejected("5.7.3-rc1");
}

/* "x.y.0-rcN" is no version either: the -rc belongs to x.y. */
static void test_reject_rc_after_explicit_zero_patch(void **state)
{
	(void)state;
	assert_rejected("5.7.0-rc1");
}

static void test_reject_huge_number(void **state)
{
	(void)state;
	assert_rejected("99999999999999999999999.1");
}

/* ---- format ---- */

static void test_format_release(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(fl_kver_format(FL_KV(5, 18, 0), buf, sizeof(buf)),
			    "5.18");
}

static void test_format_stable(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(fl_kver_format(FL_KV(4, 19, 325), buf, sizeof(buf)),
			    "4.19.325");
}

static void test_format_truncates_safely(void **state)
{
	char buf[4];

	(void)state;
	assert_string_equal(fl_kver_format(FL_KV(5, 15, 150), buf, sizeof(buf)),
			    "5.1");
}

static void test_format_parse_round_trip(void **state)
{
	char buf[32];
	fl_kver_t v = FL_KV(6, 7, 6);

	(void)state;
	assert_int_equal(parse_ok(fl_kver_format(v, buf, sizeof(buf))), v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_major_minor),
		cmocka_unit_test(test_parse_stable),
		cmocka_unit_test(test_parse_rc_is_release),
		cmocka_unit_test(test_parse_large_patch),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_reject_empty),
		cmocka_unit_test(test_reject_null),
		cmocka_unit_test(test_reject_major_only),
		cmocka_unit_test(test_reject_missing_major),
		cmocka_unit_test(test_reject_letters),
		cmocka_unit_test(test_reject_major_overflow),
		cmocka_unit_test(test_reject_patch_overflow),
		cmocka_unit_test(test_reject_rc_without_number),
		cmocka_unit_test(test_reject_trailing_space),
		cmocka_unit_test(test_reject_rc_on_stable),
		cmocka_unit_test(test_reject_rc_after_explicit_zero_patch),
		cmocka_unit_test(test_reject_huge_number),
		cmocka_unit_test(test_format_release),
		cmocka_unit_test(test_format_stable),
		cmocka_unit_test(test_format_truncates_safely),
		cmocka_unit_test(test_format_parse_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
