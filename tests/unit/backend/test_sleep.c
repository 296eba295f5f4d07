/*
 * tests/unit/backend/test_sleep.c - system calls named by as= that sleep in
 * handle_userfault and go on from there (backend/model_sleep.c, the host's
 * kept workers): one behaviour per test, the same assertions on the model
 * and on the running kernel (skipped, named, without userfaultfd).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "backend_test.h"

/* Lines 1-7: names p=0 f=1 src=2 pg=3 U=4; f holds "0123456789abcdefghij". */
#define SETUP \
	"kernel host\n" \
	"file f 1p\n" \
	"mmap src 1p rw private\n" \
	"store src \"0123456789abcdefghij\"\n" \
	"call pwrite f src 20 0\n" \
	"mmap pg 3p rw private\n" \
	"call userfaultfd nonblock as=U\n" \
	"call uffd_api U poison\n" \
	"call uffd_register U pg 3p missing\n"  /* 9 */

static const char read_goes_on[] = SETUP
	"call pread f pg+1p-4 8 0 as=R\n"       /* 10 */
	"call uffd_zeropage U pg 1p\n"
	"wait R\n"                              /* 12 */
	"call uffd_copy U pg+1p 1p\n"
	"wait R\n";                             /* 14 */

/*
 * The copy stops at each missing page in turn and goes on from it: the
 * call has not returned (no ret) until both pages are there.
 */
static void check_read_goes_on(struct bt *t, bool host)
{
	(void)host;
	bt_assert_outcome(t, 10, FL_OUTCOME_BLOCKED);
	assert_false(t->obs[10].has_ret);
	bt_assert_outcome(t, 12, FL_OUTCOME_BLOCKED);
	bt_assert_ret(t, 14, 8);
}

static void test_pread_goes_on_page_by_page(void **state)
{
	(void)state;
	bt_both_uffd(read_goes_on, check_read_goes_on);
}

static const char poison_cuts[] = SETUP
	"call read f pg+1p-4 8 as=R\n"          /* 10 */
	"call uffd_copy U pg 1p\n"
	"call uffd_poison U pg+1p 1p\n"
	"wait R\n";                             /* 13 */

/* The retried copy meets a poison marker: short, the 4 bytes before count. */
static void check_poison_cuts(struct bt *t, bool host)
{
	(void)host;
	bt_assert_ret(t, 13, 4);
}

static void test_poison_makes_the_read_short(void **state)
{
	(void)state;
	bt_both_uffd(poison_cuts, check_poison_cuts);
}

static const char write_sleeps[] = SETUP
	"call pwrite f pg+2p 3 40 as=W\n"       /* 10 */
	"call uffd_copy U pg+2p 1p src=\"xyz\"\n"
	"wait W\n"                              /* 12 */
	"call pread f src 3 40\n";              /* 13 */

/* write(2)'s source faults in its fault-in (the copy runs with faults off). */
static void check_write_sleeps(struct bt *t, bool host)
{
	(void)host;
	bt_assert_outcome(t, 10, FL_OUTCOME_BLOCKED);
	bt_assert_ret(t, 12, 3);
	bt_assert_ret(t, 13, 3);
}

static void test_pwrite_from_a_missing_source(void **state)
{
	(void)state;
	bt_both_uffd(write_sleeps, check_write_sleeps);
}

static const char exit_kills[] =
	"kernel host\n"
	"process a\n"
	"file f 1p\n"
	"mmap pg 1p rw private\n"
	"call userfaultfd nonblock as=U\n"      /* 5 */
	"call uffd_api U -\n"
	"call uffd_register U pg 1p missing\n"
	"call pread f pg 8 0 as=R\n"            /* 8 */
	"process b\n"
	"exit a\n"                              /* 10 */
	"wait R\n";                             /* 11 */

/* A sleeping call dies with its process: `wait` still says blocked. */
static void check_exit_kills(struct bt *t, bool host)
{
	(void)host;
	bt_assert_outcome(t, 8, FL_OUTCOME_BLOCKED);
	bt_assert_outcome(t, 11, FL_OUTCOME_BLOCKED);
	assert_false(t->obs[11].has_ret);
}

static void test_the_call_dies_with_its_process(void **state)
{
	(void)state;
	bt_both_uffd(exit_kills, check_exit_kills);
}

static const char pipe_mutex[] =
	"kernel host\n"
	"pipe pp\n"
	"mmap src 1p rw private\n"
	"store src \"abcdef\"\n"
	"call write pp.w src 6\n"               /* 5 */
	"mmap pg 1p rw private\n"
	"call userfaultfd nonblock as=U\n"
	"call uffd_api U -\n"
	"call uffd_register U pg 1p missing\n"
	"call read pp.r pg 6 as=R\n"            /* 10 */
	"call write pp.w src 2\n"               /* 11 */
	"call uffd_copy U pg 1p\n"
	"wait R\n";                             /* 13 */

/* pipe_read sleeps holding pipe->mutex: a writer meanwhile waits for it. */
static void check_pipe_mutex(struct bt *t, bool host)
{
	(void)host;
	bt_assert_outcome(t, 10, FL_OUTCOME_BLOCKED);
	bt_assert_outcome(t, 11, FL_OUTCOME_BLOCKED);
	bt_assert_ret(t, 13, 6);
}

static void test_a_sleeping_pipe_read_holds_the_mutex(void **state)
{
	(void)state;
	bt_both_uffd(pipe_mutex, check_pipe_mutex);
}

static const char no_sleep[] =
	"kernel host\n"
	"file f 1p\n"
	"mmap pg 1p rw private\n"
	"call pread f pg 8 0 as=R\n"            /* 4 */
	"wait R\n";                             /* 5 */

/* A named call that never sleeps: `wait` reports its result. */
static void check_no_sleep(struct bt *t, bool host)
{
	(void)host;
	bt_assert_ret(t, 4, 8);
	bt_assert_ret(t, 5, 8);
}

static void test_wait_of_a_call_that_never_slept(void **state)
{
	(void)state;
	bt_both(no_sleep, check_no_sleep);
}

static const char rebound[] = SETUP
	"call pread f pg 4 0 as=R\n"            /* 10 */
	"call pread f pg+1p 4 4 as=R\n"
	"call uffd_copy U pg 1p\n"              /* 12 */
	"wait R\n";                             /* 13 */

/*
 * R bound again while its first call sleeps: that call sleeps on, unnamed,
 * and still goes on when woken.  The model only: on the host the woken
 * worker's bytes race with the statements after the wake.
 */
static void test_a_call_whose_name_is_bound_again_goes_on(void **state)
{
	struct bt t;
	char got[4];

	(void)state;
	assert_int_equal(bt_run(&t, &fl_model_backend, rebound), 0);
	bt_assert_outcome(&t, 13, FL_OUTCOME_BLOCKED);
	bt_peek(&t, bt_map(&t, 3), got, sizeof(got));
	assert_memory_equal(got, "0123", 4);
	bt_close(&t);
}

static const char copy_from_user_goes_on[] = SETUP
	"call copy_from_user pg+1p-4 8 as=C\n"  /* 10 */
	"call uffd_copy U pg 1p src=fill=0x41\n"
	"wait C\n"                              /* 12 */
	"call uffd_copy U pg+1p 1p src=fill=0x42\n"
	"wait C\n";                             /* 14 */

/*
 * A named copy_from_user (no system call: the model only) sleeps at each
 * missing page and goes on; `wait` hands its kernel buffer to `expect kbuf`.
 */
static void test_copy_from_user_goes_on(void **state)
{
	struct bt t;

	(void)state;
	assert_int_equal(bt_run(&t, &fl_model_backend, copy_from_user_goes_on), 0);
	bt_assert_outcome(&t, 10, FL_OUTCOME_BLOCKED);
	bt_assert_outcome(&t, 12, FL_OUTCOME_BLOCKED);
	bt_assert_outcome(&t, 14, FL_OUTCOME_OK);
	assert_true(t.obs[14].has_ret);
	assert_int_equal(t.obs[14].ret, 0);
	assert_non_null(t.obs[14].kbuf);
	assert_int_equal(t.obs[14].kbuf_len, 8);
	assert_memory_equal(t.obs[14].kbuf, "AAAABBBB", 8);
	bt_close(&t);
}

static const char gup_goes_on[] = SETUP
	"call get_user_pages_fast pg+1p 1 write as=H task=G\n" /* 10 */
	"call uffd_zeropage U pg+1p 1p\n"
	"wait G\n"                                             /* 12 */
	"call put_pages H\n"                                   /* 13 */
	"call get_user_pages pg+2p 1 write as=H2 task=G2\n";   /* 14 */

/*
 * A named GUP-fast (task=: as= names its pages) sleeps in its slow path
 * (get_user_pages_unlocked passes `locked`) and takes the page once woken;
 * get_user_pages passes none: its fault cannot wait, -EFAULT at once.
 */
static void test_gup_goes_on(void **state)
{
	struct bt t;

	(void)state;
	assert_int_equal(bt_run(&t, &fl_model_backend, gup_goes_on), 0);
	bt_assert_outcome(&t, 10, FL_OUTCOME_BLOCKED);
	assert_false(t.obs[10].has_ret);
	bt_assert_outcome(&t, 12, FL_OUTCOME_OK);
	assert_int_equal(t.obs[12].ret, 1);
	assert_int_equal(t.rc[13], 0);
	bt_assert_outcome(&t, 14, FL_OUTCOME_OK);
	assert_int_equal(t.obs[14].ret, -EFAULT);
	bt_close(&t);
}

static const char proc_mem_no_wait[] = SETUP
	"call proc_mem_read pg+1p-4 8 as=M\n"   /* 10 */
	"call uffd_copy U pg 1p src=fill=0x41\n"
	"call proc_mem_read pg+1p-4 8 as=M\n"   /* 12 */
	"wait M\n";                             /* 13 */

/*
 * /proc/self/mem (access_remote_vm: GUP without `locked`) on a missing
 * registered page: the fault cannot wait, so nothing is read, EIO, and a
 * named one has simply ended; with the first page there, its 4 bytes.
 */
static void check_proc_mem_no_wait(struct bt *t, bool host)
{
	(void)host;
	bt_assert_errno(t, 10, EIO);
	bt_assert_outcome(t, 10, FL_OUTCOME_OK);
	bt_assert_ret(t, 12, 4);
	bt_assert_ret(t, 13, 4);
}

static void test_proc_mem_read_does_not_wait(void **state)
{
	(void)state;
	bt_both_uffd(proc_mem_no_wait, check_proc_mem_no_wait);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pread_goes_on_page_by_page),
		cmocka_unit_test(test_poison_makes_the_read_short),
		cmocka_unit_test(test_pwrite_from_a_missing_source),
		cmocka_unit_test(test_the_call_dies_with_its_process),
		cmocka_unit_test(test_a_sleeping_pipe_read_holds_the_mutex),
		cmocka_unit_test(test_wait_of_a_call_that_never_slept),
		cmocka_unit_test(test_a_call_whose_name_is_bound_again_goes_on),
		cmocka_unit_test(test_copy_from_user_goes_on),
		cmocka_unit_test(test_gup_goes_on),
		cmocka_unit_test(test_proc_mem_read_does_not_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
