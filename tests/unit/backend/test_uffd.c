/*
 * tests/unit/backend/test_uffd.c - the userfaultfd rows of the call table
 * (backend/model_uffd.c; backend/host_uffd.c with host_child_uffd.c and
 * host_child_guard.c): one scenario through every call, on the model and
 * on the running kernel, the same assertions on both.  Where this process
 * may not use userfaultfd the host half is a counted, named skip.
 *
 *      buf      +1p      +2p       +3p                    +4p
 *      [ COPY ][ ZERO ][ POISON ][ MOVEd here from buf ][ missing: the
 *                                                       monitor serves a load ]
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "backend_test.h"

/* names: p=0 buf=1 U=2 */
static const char scenario[] =
	"kernel host\n"                                 /* 1 */
	"mmap buf 5p rw private\n"
	"call userfaultfd nonblock as=U\n"
	"call uffd_api U -\n"
	"call uffd_register U buf 5p missing\n"         /* 5 */
	"call uffd_copy U buf 1p src=\"ab\"\n"
	"call uffd_zeropage U buf+1p 1p\n"
	"call uffd_wake U buf 1p\n"
	"call uffd_read U\n"
	"call uffd_writeprotect U buf 1p on\n"          /* 10 */
	"call uffd_continue U buf+2p 1p\n"
	"call uffd_poison U buf+2p 1p\n"
	"call uffd_move U buf+3p buf 1p\n"
	"call uffd_serve U \"z\"\n"
	"call uffd_log U\n"                             /* 15 */
	"load buf+4p 1\n"
	"call uffd_log U\n"
	"call uffd_unregister U buf 5p\n"              /* 18 */
	"load buf+3p 1\n";

static void assert_field(const struct bt *t, unsigned line, int64_t want)
{
	assert_true(t->obs[line].has_copy);
	assert_int_equal(t->obs[line].copy, want);
}

static void check(struct bt *t, bool host)
{
	struct fl_obs_event ev;
	uint8_t got[2];

	(void)host;
	bt_assert_ret(t, 3, 3);         /* the model's fd number, whatever the real one */
	bt_assert_ret(t, 4, 0);
	bt_assert_ret(t, 5, 0);
	bt_assert_ret(t, 6, 0);
	assert_field(t, 6, 4096);
	bt_assert_ret(t, 7, 0);
	assert_field(t, 7, 4096);
	bt_assert_ret(t, 8, 0);
	bt_assert_errno(t, 9, EAGAIN);  /* nonblock, nothing queued */
	bt_assert_errno(t, 10, ENOENT); /* the range is not registered for write-protect */
	bt_assert_errno(t, 11, EINVAL); /* CONTINUE needs a minor registration */
	assert_field(t, 11, -EINVAL);
	bt_assert_ret(t, 12, 0);
	assert_field(t, 12, 4096);
	bt_assert_ret(t, 13, 0);
	assert_field(t, 13, 4096);
	bt_assert_ret(t, 14, 0);
	bt_assert_errno(t, 15, ENOMSG); /* the monitor has copied nothing yet */
	assert_int_equal(t->obs[16].outcome, FL_OUTCOME_OK);
	bt_assert_ret(t, 17, 0);        /* its copy of the page the load missed */
	assert_field(t, 17, 4096);
	bt_assert_ret(t, 18, 0);
	assert_int_equal(t->obs[19].outcome, FL_OUTCOME_OK);
	bt_peek(t, bt_map(t, 1) + 4 * FL_PAGE_SIZE, got, 2);
	assert_memory_equal(got, "zz", 2);
	bt_peek(t, bt_map(t, 1) + 3 * FL_PAGE_SIZE, got, 2);
	assert_memory_equal(got, "ab", 2);  /* the moved page */
	assert_int_equal(t->b.ops->uffd_event(&t->b, 2, &ev), 0);
	assert_int_equal(ev.type, 0);   /* pagefault */
	assert_int_equal(ev.addr, bt_map(t, 1) + 4 * FL_PAGE_SIZE);
}

static void test_every_uffd_call_on_the_model(void **state)
{
	struct bt t;

	(void)state;
	assert_int_equal(bt_run(&t, &fl_model_backend, scenario), 0);
	check(&t, false);
	bt_close(&t);
}

static void test_every_uffd_call_on_the_host(void **state)
{
	struct bt t;

	(void)state;
	if (!bt_host_uffd_or_skip())
		skip();
	assert_int_equal(bt_run(&t, &fl_host_backend, scenario), 0);
	check(&t, true);
	bt_close(&t);
}

/* Without permission the host refuses the first uffd call, naming it. */
static void test_host_without_permission_skips_naming_the_call(void **state)
{
	struct bt t;

	(void)state;
	setenv("FAULTLINE_HOST_NO_UFFD", "1", 1);
	assert_int_equal(bt_run(&t, &fl_host_backend, scenario), 0);
	unsetenv("FAULTLINE_HOST_NO_UFFD");
	assert_int_equal(t.rc[3], -EOPNOTSUPP);
	assert_non_null(strstr(t.obs[3].why, "skipped (needs userfaultfd permission): "
				"'call userfaultfd' (line 3)"));
	bt_close(&t);
}

static void test_every_uffd_row_reached(void **state)
{
	(void)state;
	bt_assert_cap_reached(FL_CAP_UFFD, 0);
	bt_assert_cap_reached(FL_CAP_UFFD, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_uffd_call_on_the_model),
		cmocka_unit_test(test_every_uffd_call_on_the_host),
		cmocka_unit_test(test_host_without_permission_skips_naming_the_call),
		cmocka_unit_test(test_every_uffd_row_reached),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
