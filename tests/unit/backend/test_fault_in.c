/*
 * tests/unit/backend/test_fault_in.c - the fault-in rows of the call
 * table on the model (backend/model_fault_in.c): ret is the helper's
 * return value in the API of the world's kernel, and a helper the kernel
 * lacks is refused naming the version that brought it.  The host has no
 * system call for them (test_host_refuse.c).
 *
 *      buf          buf+1p
 *      [ rw page ..][ hole ]
 *             ^ buf+1p-10
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "backend_test.h"

#define MAP(kv) "kernel " kv "\nmmap buf 1p rw private\n"      /* lines 1-2 */

/* >= 5.16: the bytes not faulted in; the page before the hole faults in. */
static void test_size_t_api_counts_bytes_left(void **state)
{
	struct bt t;

	(void)state;
	bt_run(&t, &fl_model_backend, MAP("6.18")
	       "call fault_in_readable buf+1p-10 20\ncall fault_in_writeable buf 20\n"
	       "call fault_in_safe_writeable buf+1p-10 20\n"
	       "call fault_in_subpage_writeable buf 20\n");
	bt_assert_ret(&t, 3, 10);
	bt_assert_ret(&t, 4, 0);
	bt_assert_ret(&t, 5, 10);
	bt_assert_ret(&t, 6, 0);
	bt_close(&t);
}

/* <= 5.15: fault_in_pages_*, 0 or -EFAULT. */
static void test_old_api_is_zero_or_efault(void **state)
{
	struct bt t;

	(void)state;
	bt_run(&t, &fl_model_backend, MAP("5.10")
	       "call fault_in_readable buf+1p-10 20\ncall fault_in_writeable buf 20\n");
	bt_assert_ret(&t, 3, -EFAULT);
	bt_assert_ret(&t, 4, 0);
	bt_close(&t);
}

/* A helper younger than the world's kernel: -ENOSYS, naming its version and commit. */
static void test_missing_helper_names_its_era(void **state)
{
	struct bt t;

	(void)state;
	bt_run(&t, &fl_model_backend, MAP("5.10") "call fault_in_safe_writeable buf 20\n");
	assert_int_equal(t.rc[3], -ENOSYS);
	assert_non_null(strstr(t.obs[3].why, "fault_in_safe_writeable appeared in 5.16"));
	assert_non_null(strstr(t.obs[3].why, "this world is 5.10"));
	bt_close(&t);
}

static void test_every_fault_in_row_reached(void **state)
{
	(void)state;
	bt_assert_cap_reached(FL_CAP_FAULT_IN, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_t_api_counts_bytes_left),
		cmocka_unit_test(test_old_api_is_zero_or_efault),
		cmocka_unit_test(test_missing_helper_names_its_era),
		cmocka_unit_test(test_every_fault_in_row_reached),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
