/*
 * tests/unit/backend/test_uaccess.c - the uaccess rows of the call
 * table on the model (backend/model_uaccess.c): each call's return value
 * in the kernel's API, and the bytes it moved.  x86_64, 6.18: the copy
 * routines are exact there (docs/arch.md), so a copy stopped by the hole
 * after `buf` reports exactly the bytes it did not copy.
 *
 *      buf            buf+1p
 *      [ rw page ....][ hole ]
 *              ^ buf+1p-10: 10 bytes before the hole
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "backend_test.h"

#define MAP "kernel 6.18\narch x86_64\nmmap buf 1p rw private\n"   /* lines 1-3 */

/* copy_to_user: 0 not copied in the page; the kernel's bytes land. */
static void test_copy_to_user_whole(void **state)
{
	struct bt t;
	uint8_t got[4];

	(void)state;
	bt_run(&t, &fl_model_backend, MAP "call copy_to_user buf 4 src=\"abcd\"\n");
	bt_assert_ret(&t, 4, 0);
	bt_peek(&t, t.b.ops->map_base(&t.b, 1), got, 4);
	assert_memory_equal(got, "abcd", 4);
	bt_close(&t);
}

/* Into the hole: 10 bytes not copied, for every variant that reports a count. */
static void test_copy_to_user_straddle_reports_rest(void **state)
{
	struct bt t;

	(void)state;
	bt_run(&t, &fl_model_backend, MAP
	       "call copy_to_user buf+1p-10 20\n"
	       "call copy_to_user_inatomic buf+1p-10 20\n"
	       "call clear_user buf+1p-10 20\n");
	bt_assert_ret(&t, 4, 10);
	bt_assert_ret(&t, 5, 10);
	bt_assert_ret(&t, 6, 10);
	bt_close(&t);
}

/*
 * The _nofault variant answers 0 or -EFAULT, not a count, and faults
 * nothing in: a page never touched is -EFAULT too.
 */
static void test_copy_to_user_nofault_efault(void **state)
{
	struct bt t;

	(void)state;
	bt_run(&t, &fl_model_backend, MAP "call copy_to_user_nofault buf 20\n"
	       "store buf \"x\"\n"
	       "call copy_to_user_nofault buf 20\n"
	       "call copy_to_user_nofault buf+1p-10 20\n");
	bt_assert_ret(&t, 4, -EFAULT);
	bt_assert_ret(&t, 6, 0);
	bt_assert_ret(&t, 7, -EFAULT);
	bt_close(&t);
}

/* copy_from_user zero-fills what it could not copy; the kbuf shows it. */
static void test_copy_from_user_zero_fills(void **state)
{
	static const uint8_t zero[10];
	struct bt t;

	(void)state;
	bt_run(&t, &fl_model_backend, MAP "poke buf+1p-10 \"0123456789\"\n"
	       "call copy_from_user buf+1p-10 20\n");
	bt_assert_ret(&t, 5, 10);
	assert_int_equal(t.obs[5].kbuf_len, 20);
	assert_memory_equal(t.obs[5].kbuf, "0123456789", 10);
	assert_memory_equal(t.obs[5].kbuf + 10, zero, 10);
	bt_close(&t);
}

/* The _inatomic variant leaves the rest alone (0xaa): no zero-fill. */
static void test_copy_from_user_inatomic_no_zero_fill(void **state)
{
	struct bt t;

	(void)state;
	bt_run(&t, &fl_model_backend, MAP "poke buf+1p-10 \"0123456789\"\n"
	       "call copy_from_user_inatomic buf+1p-10 20\n"
	       "call copy_from_user_nofault buf+1p-10 20\n");
	bt_assert_ret(&t, 5, 10);
	assert_int_equal(t.obs[5].kbuf[19], 0xaa);
	bt_assert_ret(&t, 6, -EFAULT);
	bt_close(&t);
}

/* strncpy_from_user: the length without the NUL; strnlen_user: with it. */
static void test_string_accessors(void **state)
{
	struct bt t;

	(void)state;
	bt_run(&t, &fl_model_backend, MAP "poke buf \"abc\\0\"\n"
	       "call strncpy_from_user buf 16\n"
	       "call strnlen_user buf 16\n");
	bt_assert_ret(&t, 5, 3);
	assert_memory_equal(t.obs[5].kbuf, "abc", 4);
	bt_assert_ret(&t, 6, 4);
	bt_close(&t);
}

/* put_user then get_user: the value comes back; a hole is -EFAULT. */
static void test_get_put_user(void **state)
{
	struct bt t;
	uint8_t got[4];

	(void)state;
	bt_run(&t, &fl_model_backend, MAP "call put_user buf 4 0x11223344\n"
	       "call get_user buf 4\n"
	       "call get_user buf+1p 4\n");
	bt_assert_ret(&t, 4, 0);
	bt_assert_ret(&t, 5, 0);
	bt_peek(&t, t.b.ops->map_base(&t.b, 1), got, 4);
	assert_memory_equal(got, "\x44\x33\x22\x11", 4);
	bt_assert_ret(&t, 6, -EFAULT);
	bt_close(&t);
}

/* A size get_user has no form for is the scenario's error, not a result. */
static void test_get_user_bad_size_is_setup_error(void **state)
{
	struct bt t;

	(void)state;
	bt_run(&t, &fl_model_backend, MAP "call get_user buf 3\n");
	assert_int_equal(t.rc[4], -EINVAL);
	assert_non_null(strstr(t.obs[4].why, "get_user failed"));
	bt_close(&t);
}

static void test_every_uaccess_row_reached(void **state)
{
	(void)state;
	bt_assert_cap_reached(FL_CAP_UACCESS, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_to_user_whole),
		cmocka_unit_test(test_copy_to_user_straddle_reports_rest),
		cmocka_unit_test(test_copy_to_user_nofault_efault),
		cmocka_unit_test(test_copy_from_user_zero_fills),
		cmocka_unit_test(test_copy_from_user_inatomic_no_zero_fill),
		cmocka_unit_test(test_string_accessors),
		cmocka_unit_test(test_get_put_user),
		cmocka_unit_test(test_get_user_bad_size_is_setup_error),
		cmocka_unit_test(test_every_uaccess_row_reached),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
