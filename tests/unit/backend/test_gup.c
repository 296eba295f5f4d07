/*
 * tests/unit/backend/test_gup.c - the GUP rows of the call table: the
 * get/pin_user_pages family, put_pages and read_pages on the model
 * (backend/model_gup.c; the host refuses them: test_host_refuse.c), and
 * /proc/pid/mem on both backends (backend/host_gup.c), the same
 * assertions on the model and on the running kernel.
 *
 *      buf        buf+1p
 *      [ "abcd" ][ hole ]
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "backend_test.h"

#define MAP "kernel host\nmmap buf 1p rw private\nstore buf \"abcd\"\n"      /* lines 1-3 */

/* Each GUP call takes the one page; read_pages sees its bytes; put_pages gives it back. */
static void test_gup_family_takes_and_puts(void **state)
{
	struct bt t;
	unsigned line;

	(void)state;
	bt_run(&t, &fl_model_backend, MAP
	       "call get_user_pages buf 1 - as=H\ncall read_pages H 0 4\ncall put_pages H\n"
	       "call pin_user_pages buf 1 - as=H\ncall put_pages H\n"
	       "call get_user_pages_fast buf 1 - as=H\ncall put_pages H\n"
	       "call pin_user_pages_fast buf 1 - as=H\ncall put_pages H\n");
	for (line = 4; line <= 12; line++)
		assert_int_equal(t.rc[line], 0);
	bt_assert_ret(&t, 4, 1);
	bt_assert_ret(&t, 5, 4);
	assert_memory_equal(t.obs[5].kbuf, "abcd", 4);
	bt_assert_ret(&t, 7, 1);
	bt_assert_ret(&t, 9, 1);
	bt_assert_ret(&t, 11, 1);
	bt_assert_ret(&t, 12, 0);
	bt_close(&t);
}

/* No vma: the kernel function's -EFAULT, a return value, not a failure. */
static void test_gup_on_hole_is_efault(void **state)
{
	struct bt t;

	(void)state;
	bt_run(&t, &fl_model_backend, MAP "call get_user_pages buf+1p 1 - as=H\n");
	bt_assert_ret(&t, 4, -EFAULT);
	bt_close(&t);
}

/* A handle put twice, or read after its put, is the scenario's error. */
static void test_put_handle_twice_is_setup_error(void **state)
{
	struct bt t;

	(void)state;
	bt_run(&t, &fl_model_backend, MAP "call get_user_pages buf 1 - as=H\n"
	       "call put_pages H\ncall read_pages H 0 4\n");
	assert_int_equal(t.rc[6], -ENOENT);
	assert_non_null(strstr(t.obs[6].why, "read_pages: handle was put"));
	bt_close(&t);
}

static void check_proc_mem(struct bt *t, bool host)
{
	(void)host;
	bt_assert_ret(t, 4, 3);
	bt_assert_ret(t, 5, 4);
	assert_memory_equal(t->obs[5].kbuf, "xyzd", 4);
	bt_assert_errno(t, 6, EIO);     /* nothing mapped there */
}

/* proc_mem_write then proc_mem_read; a hole reads as EIO. */
static void test_proc_mem_both(void **state)
{
	(void)state;
	bt_both(MAP "call proc_mem_write buf \"xyz\"\ncall proc_mem_read buf 4\n"
		"call proc_mem_read buf+1p 4\n", check_proc_mem);
}

static void test_every_gup_row_reached(void **state)
{
	(void)state;
	bt_assert_cap_reached(FL_CAP_GUP, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gup_family_takes_and_puts),
		cmocka_unit_test(test_gup_on_hole_is_efault),
		cmocka_unit_test(test_put_handle_twice_is_setup_error),
		cmocka_unit_test(test_proc_mem_both),
		cmocka_unit_test(test_every_gup_row_reached),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
