/*
 * test_process.c - finding processes by name (mm/process.c's name table):
 * every live process by its name, none that exited, a name free again
 * after its process exited, and the table as the snapshot had it after a
 * restore.  Thousands of processes, so the table grows past its first
 * sizes and past its cap (2048 buckets).
 */
#include "pages_test.h"

#define NPROCS 5000

static void name_of(char *buf, size_t len, int i)
{
	snprintf(buf, len, "q%d", i);
}

static void make_procs(struct fl_world *w, int from, int to)
{
	char name[32];
	int i;

	for (i = from; i < to; i++) {
		struct fl_process *p;

		name_of(name, sizeof(name), i);
		assert_int_equal(fl_process_new(w, name, &p), 0);
		assert_ptr_equal(fl_process_find(w, name), p);
	}
}

static void assert_found(struct fl_world *w, int i, bool live)
{
	char name[32];
	struct fl_process *p;

	name_of(name, sizeof(name), i);
	p = fl_process_find(w, name);
	if (live != (p != NULL))
		fail_msg("%s %s", name, live ? "not found" : "found after exit");
	if (p)
		assert_string_equal(p->name, name);
}

static void test_every_live_process_by_name(void **state)
{
	struct fl_world *w = test_world(FL_ARCH_X86_64);
	char name[32];
	int i;

	(void)state;
	make_procs(w, 0, NPROCS);
	for (i = 0; i < NPROCS; i += 2) {
		name_of(name, sizeof(name), i);
		assert_int_equal(fl_process_exit(w, fl_process_find(w, name)), 0);
	}
	for (i = 0; i < NPROCS; i++)
		assert_found(w, i, i % 2);
	assert_null(fl_process_find(w, "nobody"));
	assert_int_equal(fl_process_new(w, "q1", NULL), -EEXIST);
	fl_world_free(w);
}

/* A name is unique among live processes only: an exited one's is free. */
static void test_exited_name_is_free_again(void **state)
{
	struct fl_world *w = test_world(FL_ARCH_X86_64);
	struct fl_process *old, *again;

	(void)state;
	assert_int_equal(fl_process_new(w, "a", &old), 0);
	assert_int_equal(fl_process_exit(w, old), 0);
	assert_int_equal(fl_process_new(w, "a", &again), 0);
	assert_ptr_equal(fl_process_find(w, "a"), again);
	assert_true(again->pid > old->pid);
	fl_world_free(w);
}

/* After a restore the table is the snapshot's, grown or not since. */
static void test_restore_brings_the_names_back(void **state)
{
	struct fl_world *w = test_world(FL_ARCH_X86_64);
	int i;

	(void)state;
	make_procs(w, 0, 10);
	assert_int_equal(fl_world_snapshot(w), 0);
	make_procs(w, 10, NPROCS);
	assert_int_equal(fl_process_exit(w, fl_process_find(w, "q3")), 0);
	assert_int_equal(fl_world_restore(w), 0);
	for (i = 0; i < NPROCS; i++)
		assert_found(w, i, i < 10);
	make_procs(w, 10, 20);
	fl_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_live_process_by_name),
		cmocka_unit_test(test_exited_name_is_free_again),
		cmocka_unit_test(test_restore_brings_the_names_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
