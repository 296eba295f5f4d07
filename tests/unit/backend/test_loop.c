/*
 * tests/unit/backend/test_loop.c - the kernel-loop rows of the call table
 * on the model (backend/model_loop.c): a loop that returns has a return
 * value; one the monitor proves endless has outcome livelock and none.
 * The host has no system call for them (test_host_refuse.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "backend_test.h"

/*
 * btrfs search_ioctl with a tagged granule in the second page: 5.18
 * retries fault_in_writeable, which faults the page in, and copies
 * again, for ever; 5.19 (fault_in_subpage_writeable) returns -EFAULT.
 *
 *      buf      buf+1p   +0x30: tagged (tag 3)
 *      [ zero ][ zero  [#]  ]
 */
#define BTRFS(kv) "kernel " kv "\narch arm64+mte\nmmap buf 2p rw private\n" \
		  "poke buf 2p zero\ntag buf+0x1030 16 3\ncall btrfs_search_ioctl buf 2p\n"

static void test_btrfs_518_livelock_has_no_ret(void **state)
{
	struct bt t;

	(void)state;
	bt_run(&t, &fl_model_backend, BTRFS("5.18"));
	assert_int_equal(t.rc[6], 0);
	assert_int_equal(t.obs[6].outcome, FL_OUTCOME_LIVELOCK);
	assert_false(t.obs[6].has_ret);
	bt_close(&t);
}

static void test_btrfs_519_returns_efault(void **state)
{
	struct bt t;

	(void)state;
	bt_run(&t, &fl_model_backend, BTRFS("5.19"));
	assert_int_equal(t.obs[6].outcome, FL_OUTCOME_OK);
	bt_assert_ret(&t, 6, -EFAULT);
	bt_close(&t);
}

/* A frame all mapped: XRSTOR succeeds at once, ret 0. */
static void test_restore_fpregs_all_mapped(void **state)
{
	struct bt t;

	(void)state;
	bt_run(&t, &fl_model_backend, "kernel 6.8\narch x86_64\nmmap frame 2p rw private\n"
	       "call restore_fpregs frame+1p-512 832\n");
	assert_int_equal(t.obs[4].outcome, FL_OUTCOME_OK);
	bt_assert_ret(&t, 4, 0);
	bt_close(&t);
}

/* restore_fpregs is x86's sigreturn path: another arch is the scenario's error. */
static void test_restore_fpregs_other_arch_refused(void **state)
{
	struct bt t;

	(void)state;
	bt_run(&t, &fl_model_backend, "kernel 6.8\narch arm64\nmmap frame 2p rw private\n"
	       "call restore_fpregs frame 512\n");
	assert_int_equal(t.rc[4], -EINVAL);
	assert_non_null(strstr(t.obs[4].why, "arch arm64 has no XRSTOR"));
	bt_close(&t);
}

static void test_every_loop_row_reached(void **state)
{
	(void)state;
	bt_assert_cap_reached(FL_CAP_LOOP, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_btrfs_518_livelock_has_no_ret),
		cmocka_unit_test(test_btrfs_519_returns_efault),
		cmocka_unit_test(test_restore_fpregs_all_mapped),
		cmocka_unit_test(test_restore_fpregs_other_arch_refused),
		cmocka_unit_test(test_every_loop_row_reached),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
