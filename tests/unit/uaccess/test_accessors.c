/*
 * tests/unit/uaccess/test_accessors.c - the copy_{to,from}_user family,
 * clear_user, the string accessors and get/put_user, one kernel-facts.md §1
 * rule per test, on x86_64 (byte-exact, so every count is the accessible
 * prefix).
 *
 * Address space of every test (P = 4096):
 *
 *   0x200000        0x201000        0x202000        0x203000
 *   | A: rw, poked  | B: rw, never  | unmapped      |
 *   |  (present)    |  touched      |               |
 *
 * "straddle(k)": a buffer starting k bytes before the end of A or B.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <faultline/uaccess.h>

#include "mm_check.h"

#define A  0x200000ull
#define B  0x201000ull
#define HOLE 0x202000ull
#define P  4096ull

struct env {
	struct fl_world *w;
	struct fl_mm *mm;
	int hooks;
	char trace[512];
};

static void on_hook(struct fl_world *w, enum fl_hook h, void *arg)
{
	(void)w;
	if (h == FL_HOOK_UACCESS)
		((struct env *)arg)->hooks++;
}

static void on_trace(void *arg, const char *line)
{
	struct env *e = arg;

	strncpy(e->trace, line, sizeof(e->trace) - 1);
}

static int setup(void **state)
{
	static struct env e;
	struct fl_process *p;
	uint8_t fill[P];

	memset(&e, 0, sizeof(e));
	e.w = fl_world_new(&(struct fl_world_config){ .max_frames = 64 });
	if (!e.w || fl_process_new(e.w, "t", &p))
		return -1;
	e.mm = p->mm;
	if (fl_mmap(e.w, e.mm, A, 2 * P, FL_PROT_READ | FL_PROT_WRITE,
		    FL_MAP_PRIVATE | FL_MAP_FIXED, NULL, 0) != (long)A)
		return -1;
	memset(fill, 0xaa, sizeof(fill));
	if (fl_poke(e.w, e.mm, A, fill, P))
		return -1;
	fl_world_set_hook(e.w, on_hook, &e);
	fl_world_set_trace(e.w, on_trace, &e);
	*state = &e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	fl_world_free(e->w);
	return 0;
}

static uint8_t peek1(struct env *e, fl_addr_t a)
{
	uint8_t v = 0;

	assert_int_equal(fl_peek(e->w, e->mm, a, &v, 1), 0);
	return v;
}

/* ---- copy_to_user ---- */

static void test_copy_to_user_straddle_returns_rest(void **state)
{
	struct env *e = *state;
	uint8_t src[20];

	memset(src, 0x11, sizeof(src));
	assert_int_equal(fl_copy_to_user(e->w, B + P - 10, src, 20), 10);
	assert_int_equal(peek1(e, B + P - 1), 0x11);
}

static void test_copy_to_user_access_ok_fails(void **state)
{
	struct env *e = *state;
	uint8_t src[8] = { 0 };

	assert_false(fl_access_ok(e->w, 0x7ffffffff000ull - 4, 8));
	assert_true(fl_access_ok(e->w, 0x7ffffffff000ull - 8, 8));
	assert_int_equal(fl_copy_to_user(e->w, 0x7ffffffff000ull - 4, src, 8), 8);
}

static void test_copy_to_user_fires_hook_and_traces(void **state)
{
	struct env *e = *state;
	uint8_t src[16] = { 0 };
	int before = e->hooks;

	assert_int_equal(fl_copy_to_user(e->w, B + 0xff1, src, 16), 1);
	assert_int_equal(e->hooks, before + 1);
	assert_non_null(strstr(e->trace, "copy_to_user 0x201ff1+16: reach 15"));
	assert_non_null(strstr(e->trace, "ret 1"));
}

static void test_copy_to_user_null_source_refused(void **state)
{
	struct env *e = *state;

	assert_int_equal(fl_copy_to_user(e->w, A, NULL, 4), 4);
	assert_int_equal(peek1(e, A), 0xaa);
	assert_non_null(strstr(fl_world_error(e->w), "NULL kernel buffer"));
}

/* ---- copy_from_user and its variants ---- */

static void test_copy_from_user_zeroes_tail(void **state)
{
	struct env *e = *state;
	uint8_t dst[20];

	memset(dst, 0x77, sizeof(dst));
	assert_int_equal(fl_copy_from_user(e->w, dst, B + P - 10, 20), 10);
	assert_int_equal(dst[9], 0);        /* B reads as the zero page */
	assert_int_equal(dst[10], 0);
	assert_int_equal(dst[19], 0);
}

static void test_copy_from_user_access_ok_zeroes_all(void **state)
{
	struct env *e = *state;
	uint8_t dst[8];

	memset(dst, 0x77, sizeof(dst));
	assert_int_equal(fl_copy_from_user(e->w, dst, 0xfffffffffffff000ull, 8), 8);
	assert_int_equal(dst[0], 0);
	assert_int_equal(dst[7], 0);
}

static void test___copy_from_user_keeps_tail(void **state)
{
	struct env *e = *state;
	uint8_t dst[20];

	memset(dst, 0x77, sizeof(dst));
	assert_int_equal(fl___copy_from_user(e->w, dst, A + P - 10, 20), 0);
	memset(dst, 0x77, sizeof(dst));
	assert_int_equal(fl___copy_from_user(e->w, dst, B + P - 10, 20), 10);
	assert_int_equal(dst[9], 0);
	assert_int_equal(dst[10], 0x77);
}

/* A valid but never-touched page is not present: short under pagefault_disable. */
static void test_inatomic_short_on_not_present_page(void **state)
{
	struct env *e = *state;
	uint8_t dst[20];

	memset(dst, 0x77, sizeof(dst));
	assert_int_equal(fl_copy_from_user_inatomic(e->w, dst, A + P - 10, 20), 10);
	assert_int_equal(dst[0], 0xaa);
	assert_int_equal(dst[10], 0x77);
	assert_false(fl_faulthandler_disabled(e->w));
}

static void test_to_user_inatomic_short_on_not_present_page(void **state)
{
	struct env *e = *state;
	uint8_t src[20];
	fl_pte_t *pte;

	memset(src, 0x22, sizeof(src));
	assert_int_equal(fl_copy_to_user_inatomic(e->w, A + P - 10, src, 20), 10);
	assert_int_equal(peek1(e, A + P - 1), 0x22);
	pte = fl_pte_lookup(e->mm, B);
	assert_true(!pte || !(pte->flags & FL_PTE_PRESENT));    /* not faulted in */
}

static void test_nofault_partial_write_then_efault(void **state)
{
	struct env *e = *state;
	uint8_t src[20];

	memset(src, 0x33, sizeof(src));
	assert_int_equal(fl_copy_to_user_nofault(e->w, A + P - 10, src, 20), -EFAULT);
	assert_int_equal(peek1(e, A + P - 10), 0x33);
	assert_int_equal(fl_copy_to_user_nofault(e->w, A, src, 20), 0);
}

static void test_from_user_nofault_efault(void **state)
{
	struct env *e = *state;
	uint8_t dst[8];

	assert_int_equal(fl_copy_from_user_nofault(e->w, dst, HOLE, 8), -EFAULT);
	assert_int_equal(fl_copy_from_user_nofault(e->w, dst, A, 8), 0);
	assert_int_equal(dst[0], 0xaa);
}

/* ---- clear_user ---- */

static void test_clear_user_straddle(void **state)
{
	struct env *e = *state;

	/* fl_mm_check after every statement: B's first fault, A's in-place write */
	assert_mm_ok(e->w);
	assert_int_equal(fl_clear_user(e->w, B + P - 10, 20), 10);
	assert_mm_ok(e->w);
	assert_int_equal(fl_clear_user(e->w, A + 8, 4), 0);
	assert_mm_ok(e->w);
	assert_int_equal(peek1(e, A + 8), 0);
	assert_int_equal(peek1(e, A + 12), 0xaa);
	assert_mm_ok(e->w);
}

/* ---- strings ---- */

static void test_strncpy_from_user_string(void **state)
{
	struct env *e = *state;
	char dst[16];

	assert_int_equal(fl_poke(e->w, e->mm, A + 100, "hello", 6), 0);
	memset(dst, 'x', sizeof(dst));
	assert_int_equal(fl_strncpy_from_user(e->w, dst, A + 100, 16), 5);
	assert_string_equal(dst, "hello");
}

static void test_strncpy_from_user_too_long_not_terminated(void **state)
{
	struct env *e = *state;
	char dst[8];

	memset(dst, 'x', sizeof(dst));
	assert_int_equal(fl_strncpy_from_user(e->w, dst, A, 4), 4);
	assert_int_equal((uint8_t)dst[3], 0xaa);
	assert_int_equal(dst[4], 'x');
	assert_int_equal(fl_strncpy_from_user(e->w, dst, A, 0), 0);
}

static void test_strncpy_from_user_fault(void **state)
{
	struct env *e = *state;
	char dst[64];
	uint8_t fill[8];

	memset(fill, 'a', sizeof(fill));
	assert_int_equal(fl_poke(e->w, e->mm, B + P - 8, fill, 8), 0);
	assert_int_equal(fl_strncpy_from_user(e->w, dst, B + P - 8, 64), -EFAULT);
	assert_int_equal(dst[7], 'a');
}

static void test_strnlen_user(void **state)
{
	struct env *e = *state;

	assert_int_equal(fl_poke(e->w, e->mm, A + 200, "abc", 4), 0);
	assert_int_equal(fl_strnlen_user(e->w, A + 200, 10), 4);
	assert_int_equal(fl_strnlen_user(e->w, A + 200, 2), 3);      /* count + 1 */
	assert_int_equal(fl_strnlen_user(e->w, HOLE, 10), 0);
	assert_int_equal(fl_strnlen_user(e->w, A + 200, 0), 0);
}

/* ---- get_user / put_user ---- */

static void test_get_user_fault_zeroes_value(void **state)
{
	struct env *e = *state;
	uint64_t v = 0x1234;

	assert_int_equal(fl_get_user(e->w, &v, B + P - 4, 8), -EFAULT);
	assert_int_equal(v, 0);
	assert_int_equal(fl_get_user(e->w, &v, A, 4), 0);
	assert_int_equal(v, 0xaaaaaaaa);
}

static void test_put_user_fault_writes_nothing(void **state)
{
	struct env *e = *state;
	uint64_t v = 0x1111111111111111ull;

	assert_int_equal(fl_put_user(e->w, &v, A + P - 4, 4), 0);
	assert_int_equal(fl_put_user(e->w, &v, B + P - 4, 8), -EFAULT);
	assert_int_equal(peek1(e, B + P - 4), 0);
	assert_int_equal(fl_put_user(e->w, &v, A, 3), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_copy_to_user_straddle_returns_rest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_to_user_access_ok_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_to_user_fires_hook_and_traces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_to_user_null_source_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_from_user_zeroes_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_from_user_access_ok_zeroes_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test___copy_from_user_keeps_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inatomic_short_on_not_present_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_to_user_inatomic_short_on_not_present_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nofault_partial_write_then_efault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_from_user_nofault_efault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clear_user_straddle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strncpy_from_user_string, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strncpy_from_user_too_long_not_terminated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strncpy_from_user_fault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strnlen_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_user_fault_zeroes_value, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_user_fault_writes_nothing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
