/*
 * tests/unit/backend/test_wait.c - accesses that wait and resume (as=,
 * `wait`; backend/model_wait.c, backend/host_wait.c): one behaviour per
 * test, the same assertions on the model and on the running kernel (the
 * userfaultfd ones skip the host, named, without permission).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "backend_test.h"

/* Lines 1-5 of every userfaultfd test: names p=0 pg=1 U=2. */
#define UFFD_SETUP \
	"kernel host\n" \
	"mmap pg 2p rw private\n" \
	"call userfaultfd nonblock as=U\n" \
	"call uffd_api U poison\n" \
	"call uffd_register U pg 2p missing\n"

static const char copy_resumes[] = UFFD_SETUP
	"load pg+0x10 2 as=A\n"                 /* 6 */
	"call uffd_copy U pg 1p src=\"xy\"\n"
	"wait A\n";                             /* 8 */

static void check_copy_resumes(struct bt *t, bool host)
{
	(void)host;
	bt_assert_outcome(t, 6, FL_OUTCOME_BLOCKED);
	bt_assert_outcome(t, 8, FL_OUTCOME_OK);
	assert_int_equal(t->obs[8].moved, 2);
}

static void test_copy_resumes_the_load(void **state)
{
	(void)state;
	bt_both_uffd(copy_resumes, check_copy_resumes);
}

static const char wake_refaults[] = UFFD_SETUP
	"store pg+1 \"ab\" as=S\n"              /* 6 */
	"call uffd_wake U pg 1p\n"
	"wait S\n";                             /* 8 */

/* Woken without its page, the store faults again: a second event. */
static void check_wake_refaults(struct bt *t, bool host)
{
	struct fl_obs_event ev;

	(void)host;
	bt_assert_outcome(t, 8, FL_OUTCOME_BLOCKED);
	assert_int_equal(t->b.ops->uffd_event(&t->b, 2, &ev), 0);
	assert_int_equal(t->b.ops->uffd_event(&t->b, 2, &ev), 0);
	assert_int_equal(ev.flags, 1);  /* write */
}

static void test_wake_without_the_page_waits_again(void **state)
{
	(void)state;
	bt_both_uffd(wake_refaults, check_wake_refaults);
}

static const char poison_sigbus[] = UFFD_SETUP
	"load pg+1p 1 as=L\n"                   /* 6 */
	"call uffd_poison U pg+1p 1p\n"
	"wait L\n";                             /* 8 */

static void check_poison_sigbus(struct bt *t, bool host)
{
	(void)host;
	bt_assert_outcome(t, 8, FL_OUTCOME_SIGBUS);
	assert_int_equal(t->obs[8].moved, 0);
}

static void test_poison_ends_the_load_with_sigbus(void **state)
{
	(void)state;
	bt_both_uffd(poison_sigbus, check_poison_sigbus);
}

static const char unregister_wakes[] = UFFD_SETUP
	"load pg 3 as=Z\n"                      /* 6 */
	"call uffd_unregister U pg 2p\n"
	"wait Z\n";                             /* 8 */

static void check_unregister_wakes(struct bt *t, bool host)
{
	uint8_t got[3] = { 1, 1, 1 };

	(void)host;
	bt_assert_ret(t, 7, 0);
	bt_assert_outcome(t, 8, FL_OUTCOME_OK);
	bt_peek(t, bt_map(t, 1), got, 3);
	assert_memory_equal(got, "\0\0\0", 3);
}

static void test_unregister_wakes_the_load(void **state)
{
	(void)state;
	bt_both_uffd(unregister_wakes, check_unregister_wakes);
}

static const char dontwake[] = UFFD_SETUP
	"store pg \"q\" as=Q\n"                 /* 6 */
	"call uffd_zeropage U pg 1p mode=dontwake\n"
	"wait Q\n";                             /* 8 */

static void check_dontwake(struct bt *t, bool host)
{
	(void)host;
	bt_assert_ret(t, 7, 0);
	bt_assert_outcome(t, 8, FL_OUTCOME_BLOCKED);
}

static void test_dontwake_leaves_it_waiting(void **state)
{
	(void)state;
	bt_both_uffd(dontwake, check_dontwake);
}

static const char never_waited[] =
	"kernel host\n"
	"mmap pg 1p rw private\n"
	"store pg 3 \"abc\" as=A\n"             /* 3 */
	"wait A\n";

static void check_never_waited(struct bt *t, bool host)
{
	(void)host;
	bt_assert_outcome(t, 4, FL_OUTCOME_OK);
	assert_int_equal(t->obs[4].moved, 3);
}

static void test_wait_of_an_access_that_ended_at_once(void **state)
{
	(void)state;
	bt_both(never_waited, check_never_waited);
}

static const char pipe_drained[] =
	"kernel host\n"
	"pipe pp\n"
	"mmap buf 16p rw private\n"
	"mmap out 1p rw private\n"
	"call vmsplice pp buf 16p\n"            /* 5 */
	"call vmsplice pp buf 1p as=V\n"
	"call read pp.r out 1p\n"
	"wait V\n";                             /* 8 */

static void check_pipe_drained(struct bt *t, bool host)
{
	(void)host;
	bt_assert_ret(t, 5, 65536);
	bt_assert_outcome(t, 6, FL_OUTCOME_BLOCKED);
	bt_assert_ret(t, 7, 4096);
	bt_assert_ret(t, 8, 4096);
}

static void test_vmsplice_resumes_when_a_reader_drains(void **state)
{
	(void)state;
	bt_both(pipe_drained, check_pipe_drained);
}

static const char read_waits[] =
	"kernel host\n"
	"call userfaultfd as=U\n"
	"call uffd_api U -\n"
	"call uffd_read U\n";                   /* 4 */

/* A blocking read with nothing queued never returns: no ret, no errno. */
static void check_read_waits(struct bt *t, bool host)
{
	(void)host;
	bt_assert_outcome(t, 4, FL_OUTCOME_BLOCKED);
	assert_false(t->obs[4].has_ret);
	assert_int_equal(t->obs[4].err, 0);
}

static void test_blocked_read_has_no_return_value(void **state)
{
	(void)state;
	bt_both_uffd(read_waits, check_read_waits);
}

static const char fork_context[] =
	"kernel host\n"
	"mmap pg 1p rw private\n"
	"call userfaultfd nonblock as=U\n"
	"call uffd_api U event_fork\n"
	"call uffd_register U pg 1p missing\n"  /* 5 */
	"fork c\n"
	"call uffd_read U as=C\n"
	"use c\n"
	"load pg 1 as=A\n"
	"call uffd_copy C pg 1p\n"             /* 10 */
	"wait A\n";

/* uffd_read U as=C names the FORK event's context: the child's fault is C's. */
static void check_fork_context(struct bt *t, bool host)
{
	(void)host;
	bt_assert_ret(t, 7, 32);
	bt_assert_outcome(t, 9, FL_OUTCOME_BLOCKED);
	bt_assert_ret(t, 10, 0);
	bt_assert_outcome(t, 11, FL_OUTCOME_OK);
}

static void test_fork_event_names_the_childs_context(void **state)
{
	(void)state;
	bt_both_uffd(fork_context, check_fork_context);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_resumes_the_load),
		cmocka_unit_test(test_wake_without_the_page_waits_again),
		cmocka_unit_test(test_poison_ends_the_load_with_sigbus),
		cmocka_unit_test(test_unregister_wakes_the_load),
		cmocka_unit_test(test_dontwake_leaves_it_waiting),
		cmocka_unit_test(test_wait_of_an_access_that_ended_at_once),
		cmocka_unit_test(test_vmsplice_resumes_when_a_reader_drains),
		cmocka_unit_test(test_blocked_read_has_no_return_value),
		cmocka_unit_test(test_fork_event_names_the_childs_context),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
