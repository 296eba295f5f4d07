/*
 * tests/unit/backend/test_host_refuse.c - what the host backend refuses
 * (backend/host_refuse.c), decided at open before anything runs: every
 * row of the call table without a host function is refused with its
 * row's reason, naming the statement and its line; the refused statement
 * is the one that cannot run, not the scenario's first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "backend_test.h"
#include "backend/host_proto.h"

/* The arguments each form needs (scenario/schema.c), after the FUNC word. */
static const char *args_of(unsigned code)
{
	switch (code) {
	case FL_SC_STRNCPY_FROM_USER: case FL_SC_STRNLEN_USER:
		return "buf 8";
	case FL_SC_PUT_USER:
		return "buf 8 1";
	case FL_SC_GET_USER_PAGES: case FL_SC_PIN_USER_PAGES:
	case FL_SC_GET_USER_PAGES_FAST: case FL_SC_PIN_USER_PAGES_FAST:
		return "buf 1 - as=H";
	default:
		return "buf 8";
	}
}

/*
 * Each refused row alone in a scenario, after two statements that would
 * run: the host names that call and its line, with the row's reason.
 * put_pages and read_pages need a handle: a GUP call declares it, and is
 * the statement refused.
 */
static void test_every_refused_row_names_its_statement(void **state)
{
	unsigned code;

	(void)state;
	for (code = 1; code < FL_SC_FUNC_COUNT; code++) {
		const struct fl_backend_call *c = fl_backend_call(code);
		bool handle = code == FL_SC_PUT_PAGES || code == FL_SC_READ_PAGES;
		char text[256], want[160];
		struct bt t;

		if (c->host)
			continue;
		snprintf(text, sizeof(text), "kernel host\nmmap buf 1p rw private\n"
			 "store buf \"x\"\n%scall %s %s\n",
			 handle ? "call get_user_pages buf 1 - as=H\n" : "",
			 fl_sc_func_name((enum fl_sc_func)code),
			 code == FL_SC_PUT_PAGES ? "H" : code == FL_SC_READ_PAGES ? "H 0 4"
							: args_of(code));
		snprintf(want, sizeof(want), "host backend: 'call %s' (line 4) %s",
			 handle ? "get_user_pages" : fl_sc_func_name((enum fl_sc_func)code),
			 c->host_refusal);
		assert_int_equal(bt_run(&t, &fl_host_backend, text), 0);
		assert_int_equal(t.rc[2], -EOPNOTSUPP);         /* nothing ran */
		assert_string_equal(t.obs[2].why, want);
		bt_close(&t);
	}
}

/* The verbs the host cannot run, each with its reason. */
static void test_refused_verbs(void **state)
{
	static const struct { const char *stmt, *why; } no[] = {
		{ "tag buf 16 3", "'tag' (line 3): memory tagging (MTE) is not on this machine" },
		{ "evict buf 1p", "'evict' (line 3): reclaim is the kernel's choice" },
		{ "poison buf", "'poison' (line 3): it would take a real page" },
		{ "on fault_in#1 store buf \"x\"", "'on' (line 3): the host cannot stop the kernel" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		char text[160];
		struct bt t;

		snprintf(text, sizeof(text), "kernel host\nmmap buf 1p rw private\n%s\n",
			 no[i].stmt);
		assert_int_equal(bt_run(&t, &fl_host_backend, text), 0);
		assert_int_equal(t.rc[2], -EOPNOTSUPP);
		assert_non_null(strstr(t.obs[2].why, no[i].why));
		bt_close(&t);
	}
}

/* Another kernel version or arch is not this machine. */
static void test_refused_world(void **state)
{
	struct bt t;

	(void)state;
	assert_int_equal(bt_run(&t, &fl_host_backend, "kernel 5.18\nmmap buf 1p rw private\n"), 0);
	assert_int_equal(t.rc[2], -EOPNOTSUPP);
	assert_non_null(strstr(t.obs[2].why, "'kernel 5.18' (line 1) is not the running kernel"));
	bt_close(&t);
}

/* Each process is a real one: the one past HOST_MAX_PROCS is refused, by name. */
static void test_too_many_processes(void **state)
{
	char text[64 * (HOST_MAX_PROCS + 2)], want[96];
	size_t n = 0;
	unsigned i;
	struct bt t;

	(void)state;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "kernel host\n");
	for (i = 1; i <= HOST_MAX_PROCS; i++)       /* with p: one too many */
		n += (size_t)snprintf(text + n, sizeof(text) - n, "fork c%u\n", i);
	assert_int_equal(bt_run(&t, &fl_host_backend, text), 0);
	assert_int_equal(t.rc[2], -EOPNOTSUPP);
	snprintf(want, sizeof(want), "'fork c%u' (line %u): more than %u scenario processes",
		 HOST_MAX_PROCS, HOST_MAX_PROCS + 1, HOST_MAX_PROCS);
	assert_non_null(strstr(t.obs[2].why, want));
	bt_close(&t);
}

/* ... and HOST_MAX_PROCS of them run. */
static void test_as_many_processes_as_allowed(void **state)
{
	char text[64 * (HOST_MAX_PROCS + 2)];
	size_t n = 0;
	unsigned i;
	struct bt t;

	(void)state;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "kernel host\n");
	for (i = 1; i < HOST_MAX_PROCS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "fork c%u\n", i);
	assert_int_equal(bt_run(&t, &fl_host_backend, text), 0);
	for (i = 2; i <= HOST_MAX_PROCS; i++)
		assert_int_equal(t.rc[i], 0);
	bt_close(&t);
}

/*
 * Mapped bytes are charged to the live processes together: a fork copies
 * its parent's charge (COW may populate all of it), so three 1.5 GiB
 * processes pass HOST_MAX_MAPPED (4 GiB) at the third.
 */
static void test_too_much_mapped_in_all(void **state)
{
	struct bt t;

	(void)state;
	assert_int_equal(HOST_MAX_MAPPED, (uint64_t)4 << 30);
	assert_int_equal(bt_run(&t, &fl_host_backend,
				"kernel host\nmmap a 1536m rw private\nfork c\nfork d\n"), 0);
	assert_int_equal(t.rc[3], 0);          /* t.rc and t.obs by line */
	assert_int_equal(t.rc[4], -EOPNOTSUPP);
	assert_non_null(strstr(t.obs[4].why, "line 4: the scenario's processes would map more "
				   "than 4096 MiB in all"));
	assert_true(t.obs[4].why_names_stmt);
	bt_close(&t);
}

/* ... an exited process's charge is free again ... */
static void test_exit_frees_the_charge(void **state)
{
	struct bt t;

	(void)state;
	assert_int_equal(bt_run(&t, &fl_host_backend,
				"kernel host\nmmap a 1536m rw private\nfork c\nexit c\n"
				"fork d\n"), 0);
	assert_int_equal(t.rc[5], 0);
	bt_close(&t);
}

/* ... and an mremap that grows is charged its growth. */
static void test_mremap_growth_charged(void **state)
{
	struct bt t;

	(void)state;
	assert_int_equal(bt_run(&t, &fl_host_backend,
				"kernel host\nmmap a 3g rw private\nmremap a 3g 4g\n"
				"mremap a 1g 2g\n"), 0);
	assert_int_equal(t.rc[3], 0);          /* 3 GiB + 1 GiB: just the cap */
	assert_int_equal(t.rc[4], -EOPNOTSUPP);
	assert_non_null(strstr(t.obs[4].why, "line 4: "));
	bt_close(&t);
}

static void test_every_refused_row_reached(void **state)
{
	unsigned code;

	(void)state;
	for (code = 1; code < FL_SC_FUNC_COUNT; code++)
		if (!fl_backend_calls[code].host && !bt_reached[1][code])
			fail_msg("refused row %s not reached", fl_sc_func_name((enum fl_sc_func)code));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_refused_row_names_its_statement),
		cmocka_unit_test(test_refused_verbs),
		cmocka_unit_test(test_refused_world),
		cmocka_unit_test(test_too_many_processes),
		cmocka_unit_test(test_as_many_processes_as_allowed),
		cmocka_unit_test(test_too_much_mapped_in_all),
		cmocka_unit_test(test_exit_frees_the_charge),
		cmocka_unit_test(test_mremap_growth_charged),
		cmocka_unit_test(test_every_refused_row_reached),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
