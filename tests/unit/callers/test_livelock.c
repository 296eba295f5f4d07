/*
 * tests/unit/callers/test_livelock.c - the world hash (mm/state_hash.c)
 * and the loop monitor (callers/loop.c): what counts as the same state,
 * what a proof of live-lock is, what no-progress is, and that a long loop
 * that ends is never called a live-lock.
 */
#include <stdlib.h>

#include <faultline/fault_in.h>
#include <faultline/uaccess.h>

#include "livelock_test.h"

static struct fl_world *w1, *w2;

static int teardown(void **state)
{
	(void)state;
	fl_world_free(w1);
	fl_world_free(w2);
	w1 = w2 = NULL;
	return 0;
}

/* ---- the world hash ---- */

/*
 *   w1:  A [ "abc"... ]  B [ 0x11 * 4096 ]       poked A then B
 *   w2:  X mapped, poked, unmapped first (other frames, other folios),
 *        then the same A and B, poked B then A
 * Same logical state, built differently: equal hashes.
 */
static void test_hash_equal_when_built_differently(void **state)
{
	struct fl_state_hash h1, h2;

	(void)state;
	w1 = lt_world(FL_ARCH_X86_64, 0);
	lt_map(w1, A, 2 * P, RW);
	assert_int_equal(fl_poke(w1, lt_mm(w1), A, "abc", 3), 0);
	lt_poke_fill(w1, B, P, 0x11);

	w2 = lt_world(FL_ARCH_X86_64, 0);
	lt_map(w2, 0x400000, 3 * P, RW);
	lt_poke_fill(w2, 0x400000, 3 * P, 0x77);
	assert_int_equal(fl_munmap(w2, lt_mm(w2), 0x400000, 3 * P), 0);
	lt_map(w2, A, 2 * P, RW);
	lt_poke_fill(w2, B, P, 0x11);
	assert_int_equal(fl_poke(w2, lt_mm(w2), A, "abc", 3), 0);

	h1 = lt_hash(w1);
	h2 = lt_hash(w2);
	assert_true(fl_state_hash_eq(&h1, &h2));
	assert_int_not_equal(fl_pte_lookup(lt_mm(w1), B)->folio->frame,
			     fl_pte_lookup(lt_mm(w2), B)->folio->frame);
}

/*
 *   A [ 0x00 ... 0x00 ]  ->  A [ 0x00 ... 0x01 ... ]   one byte at A+0x800
 */
static void test_hash_differs_after_one_byte(void **state)
{
	struct fl_state_hash before, after;

	(void)state;
	w1 = lt_world(FL_ARCH_X86_64, 0);
	lt_map(w1, A, P, RW);
	lt_poke_fill(w1, A, P, 0);
	before = lt_hash(w1);
	assert_int_equal(fl_poke(w1, lt_mm(w1), A + 0x800, "\1", 1), 0);
	after = lt_hash(w1);
	assert_false(fl_state_hash_eq(&before, &after));
}

/* arm64+mte:  A granule 0x30 untagged -> tag 3: a different state. */
static void test_hash_differs_after_one_tag(void **state)
{
	struct fl_state_hash before, after;

	(void)state;
	w1 = lt_world(FL_ARCH_ARM64_MTE, 0);
	lt_map(w1, A, P, RW);
	lt_poke_fill(w1, A, P, 0);
	before = lt_hash(w1);
	assert_int_equal(fl_tag(w1, lt_mm(w1), A + 0x30, 16, 3), 0);
	after = lt_hash(w1);
	assert_false(fl_state_hash_eq(&before, &after));
}

/* pagefault_disable() depth is state: faults are handled or not. */
static void test_hash_differs_with_pagefault_disabled(void **state)
{
	struct fl_state_hash before, during, after;

	(void)state;
	w1 = lt_world(FL_ARCH_X86_64, 0);
	before = lt_hash(w1);
	fl_pagefault_disable(w1);
	during = lt_hash(w1);
	fl_pagefault_enable(w1);
	after = lt_hash(w1);
	assert_false(fl_state_hash_eq(&before, &during));
	assert_true(fl_state_hash_eq(&before, &after));
}

/*
 *   parent A [ 0x5a ]  fork -> child A shares the folio (COW)
 *   vs. the same bytes in two folios: sharing is state.
 */
static void test_hash_sees_sharing(void **state)
{
	struct fl_process *parent, *child;
	struct fl_state_hash shared, copied;

	(void)state;
	w1 = lt_world(FL_ARCH_X86_64, 0);
	lt_map(w1, A, P, RW);
	lt_poke_fill(w1, A, P, 0x5a);
	parent = fl_current(w1);
	assert_int_equal(fl_fork(w1, parent, "c", &child), 0);
	shared = lt_hash(w1);
	/* a write by the child copies the page: same bytes, no sharing */
	assert_int_equal(fl_set_current(w1, child), 0);
	assert_int_equal(fl_poke(w1, child->mm, A, "\x5a", 1), 0);
	assert_int_equal(fl_set_current(w1, parent), 0);
	copied = lt_hash(w1);
	assert_false(fl_state_hash_eq(&shared, &copied));
}

/* Hashing reads only: twice the same value, no page made present. */
static void test_hash_is_read_only(void **state)
{
	struct fl_state_hash h1, h2;

	(void)state;
	w1 = lt_world(FL_ARCH_X86_64, 0);
	lt_map(w1, A, 2 * P, RW);
	h1 = lt_hash(w1);
	h2 = lt_hash(w1);
	assert_true(fl_state_hash_eq(&h1, &h2));
	assert_true(!fl_pte_lookup(lt_mm(w1), A) || !fl_pte_lookup(lt_mm(w1), A)->flags);
}

/* ---- the monitor ---- */

/* Nothing changes between iterations: iterations 1 and 2 repeat, cycle 1. */
static void test_monitor_proves_one_cycle(void **state)
{
	struct fl_loop l;
	uint64_t v = 42;
	unsigned long i;

	(void)state;
	w1 = lt_world(FL_ARCH_X86_64, 0);
	fl_loop_init(&l, w1, "still");
	for (i = 0; i < 10 && !fl_loop_stuck(&l, &v, 1); i++)
		;
	assert_int_equal(l.verdict, FL_LOOP_LIVELOCK);
	assert_int_equal(l.first, 1);
	assert_int_equal(l.second, 2);
	fl_loop_fini(&l);
}

/*
 *   A[0] at the top of iteration k:  0 1 2 0 1 2 ...
 * The world cycles with period 3 (the loop's variable is constant):
 * iterations 1 and 4 repeat.
 */
static void test_monitor_proves_three_cycle(void **state)
{
	struct fl_loop l;
	uint64_t v = 0;
	uint8_t b = 0;
	unsigned long i;
	char line[160];

	(void)state;
	w1 = lt_world(FL_ARCH_X86_64, 0);
	lt_map(w1, A, P, RW);
	lt_poke_fill(w1, A, P, 0);
	fl_loop_init(&l, w1, "rotate");
	for (i = 0; i < 100 && !fl_loop_stuck(&l, &v, 1); i++) {
		b = (uint8_t)((b + 1) % 3);
		assert_int_equal(fl_poke(w1, lt_mm(w1), A, &b, 1), 0);
	}
	assert_int_equal(l.verdict, FL_LOOP_LIVELOCK);
	assert_int_equal(l.first, 1);
	assert_int_equal(l.second, 4);
	assert_non_null(strstr(fl_loop_describe(&l, line, sizeof(line)), "cycle 3"));
	fl_loop_fini(&l);
}

/* A counter that only grows: every state new; the bound gives no-progress. */
static void test_monitor_no_progress_at_bound(void **state)
{
	struct fl_loop l;
	uint64_t counter;

	(void)state;
	w1 = lt_world(FL_ARCH_X86_64, 0);
	fl_loop_init(&l, w1, "count");
	fl_loop_set_bound(&l, 1000);
	for (counter = 0; !fl_loop_stuck(&l, &counter, 1); counter++)
		assert_true(counter < 2000);
	assert_int_equal(l.verdict, FL_LOOP_NO_PROGRESS);
	assert_int_equal(l.iter, 1001);
	assert_true(fl_loop_stuck(&l, &counter, 1));    /* the verdict stays */
	fl_loop_fini(&l);
}

static uint64_t env_word;

static uint64_t test_env(void *arg)
{
	(void)arg;
	return env_word;
}

/* The same world and variables, but the environment moved: no proof. */
static void test_monitor_counts_environment(void **state)
{
	struct fl_loop l;
	uint64_t v = 1;

	(void)state;
	w1 = lt_world(FL_ARCH_X86_64, 0);
	fl_loop_init(&l, w1, "env");
	fl_loop_set_env(&l, test_env, NULL);
	for (env_word = 0; env_word < 5; env_word++)
		assert_false(fl_loop_stuck(&l, &v, 1));
	env_word = 4;
	assert_true(fl_loop_stuck(&l, &v, 1));
	assert_int_equal(l.first, 5);
	assert_int_equal(l.second, 6);
	fl_loop_fini(&l);
}

/*
 *   A .. A+256p: mapped rw, nothing present
 * copy_to_user_inatomic of the whole buffer, then fault in one page where
 * it stopped, and again: 256 faulting rounds, then it ends.  Never a
 * live-lock (every state has one more page present), never no-progress.
 */
#define LONG_PAGES 256u

static void test_monitor_long_terminating_loop(void **state)
{
	size_t n = LONG_PAGES * P, done = 0;
	uint8_t *kbuf = malloc(n);
	struct fl_loop l;

	(void)state;
	assert_non_null(kbuf);
	memset(kbuf, 0x3c, n);
	w1 = lt_world(FL_ARCH_X86_64, 0);
	lt_map(w1, A, n, RW);
	fl_loop_init(&l, w1, "page by page");
	for (;;) {
		uint64_t v = done;

		assert_false(fl_loop_stuck(&l, &v, 1));
		done += (n - done) - fl_copy_to_user_inatomic(w1, A + done, kbuf + done,
							      n - done);
		if (done == n)
			break;
		assert_int_equal(fl_fault_in_writeable(w1, A + done, 1), 0);
	}
	assert_int_equal(l.verdict, FL_LOOP_RUNNING);
	assert_int_equal(l.iter, LONG_PAGES + 1);
	fl_loop_fini(&l);
	free(kbuf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_hash_equal_when_built_differently, teardown),
		cmocka_unit_test_teardown(test_hash_differs_after_one_byte, teardown),
		cmocka_unit_test_teardown(test_hash_differs_after_one_tag, teardown),
		cmocka_unit_test_teardown(test_hash_differs_with_pagefault_disabled, teardown),
		cmocka_unit_test_teardown(test_hash_sees_sharing, teardown),
		cmocka_unit_test_teardown(test_hash_is_read_only, teardown),
		cmocka_unit_test_teardown(test_monitor_proves_one_cycle, teardown),
		cmocka_unit_test_teardown(test_monitor_proves_three_cycle, teardown),
		cmocka_unit_test_teardown(test_monitor_no_progress_at_bound, teardown),
		cmocka_unit_test_teardown(test_monitor_counts_environment, teardown),
		cmocka_unit_test_teardown(test_monitor_long_terminating_loop, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
