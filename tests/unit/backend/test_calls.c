/*
 * tests/unit/backend/test_calls.c - the call table (backend/calls.c):
 * the values of enum fl_sc_func and the table's rows are the same set,
 * and each row says where its call lives on both backends.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "backend/calls.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A call added to the enum without a row makes the array too short. */
_Static_assert(COUNT(fl_backend_calls) == FL_SC_FUNC_COUNT,
	       "one row per enum fl_sc_func value");

/* Every value 1 .. FL_SC_FUNC_COUNT-1 is a filled row at its own index. */
static void test_every_enum_value_has_its_row(void **state)
{
	unsigned code;

	(void)state;
	for (code = 1; code < FL_SC_FUNC_COUNT; code++) {
		const struct fl_backend_call *c = fl_backend_call(code);

		assert_non_null(c);
		assert_int_equal(c->code, code);
		assert_ptr_equal(c, &fl_backend_calls[code]);
	}
}

/* ... and no row stands for a value that is not a call. */
static void test_no_row_beyond_the_enum(void **state)
{
	(void)state;
	assert_null(fl_backend_call(0));
	assert_null(fl_backend_call(FL_SC_FUNC_COUNT));
	assert_int_equal(fl_backend_calls[0].code, 0);
	assert_null(fl_backend_calls[0].model);
}

/* The language has a form for every row, and for no value past the last. */
static void test_schema_names_every_row(void **state)
{
	unsigned code;

	(void)state;
	for (code = 1; code < FL_SC_FUNC_COUNT; code++)
		assert_string_not_equal(fl_sc_func_name((enum fl_sc_func)code), "?");
	assert_string_equal(fl_sc_func_name(FL_SC_FUNC_COUNT), "?");
}

/* A model function; a host function or a refusal, never both, never neither. */
static void test_every_row_is_filled(void **state)
{
	unsigned code;

	(void)state;
	for (code = 1; code < FL_SC_FUNC_COUNT; code++) {
		const struct fl_backend_call *c = &fl_backend_calls[code];

		assert_non_null(c->model);
		assert_true((c->host != NULL) != (c->host_refusal != NULL));
		assert_true(c->cap > 0 && c->cap < FL_CAP_COUNT);
		assert_string_not_equal(fl_backend_cap_name(c->cap), "?");
	}
}

static bool is_uffd_name(const char *name)
{
	return !strcmp(name, "userfaultfd") || !strncmp(name, "uffd_", 5);
}

/*
 * The capability is the row's, not a range of the enum: read_pages sits
 * among the userfaultfd values but is GUP, which the host runs only on a
 * guest with the pin module, while every userfaultfd call needs the
 * userfaultfd permission there.
 */
static void test_capability_follows_the_call_not_the_enum_range(void **state)
{
	unsigned code;

	(void)state;
	assert_true(FL_SC_READ_PAGES > FL_SC_USERFAULTFD);
	assert_int_equal(fl_backend_call(FL_SC_READ_PAGES)->cap, FL_CAP_GUP);
	assert_non_null(fl_backend_call(FL_SC_READ_PAGES)->host);
	for (code = 1; code < FL_SC_FUNC_COUNT; code++) {
		const char *name = fl_sc_func_name((enum fl_sc_func)code);

		assert_int_equal(fl_backend_calls[code].cap == FL_CAP_UFFD, is_uffd_name(name));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_enum_value_has_its_row),
		cmocka_unit_test(test_no_row_beyond_the_enum),
		cmocka_unit_test(test_schema_names_every_row),
		cmocka_unit_test(test_every_row_is_filled),
		cmocka_unit_test(test_capability_follows_the_call_not_the_enum_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
