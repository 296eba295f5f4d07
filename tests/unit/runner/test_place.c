/*
 * tests/unit/runner/test_place.c - naming addresses as a scenario's
 * mappings come and go (runner/place.c), as `faultline diff` compares
 * them.  Addresses are in pages of 0x1000 from 0x10000; each test draws
 * the address space, one character a page:
 *
 *   0x10000  0123
 *            AA      area, 2 pages
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <faultline/place.h>

#define PG(n) (0x10000ull + (n) * 0x1000ull)

static const char text[] =
	"kernel host\n"
	"mmap area 2p rw private\n"
	"mmap there 1p rw private\n"
	"mmap buf 3p rw private\n";

struct fixture {
	struct fl_scenario *sc;
	struct fl_places *p;
	char buf[64];
};

static int setup(void **state)
{
	static struct fixture f;
	struct fl_sc_diag d = { 0 };

	memset(&f, 0, sizeof(f));
	if (fl_scenario_parse("t.fl", text, strlen(text), &f.sc, &d))
		fail_msg("does not parse: %s", d.msg);
	f.p = fl_places_new(f.sc);
	assert_non_null(f.p);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	fl_places_free(f->p);
	fl_scenario_free(f->sc);
	return 0;
}

static unsigned name(const struct fixture *f, const char *text)
{
	unsigned i;

	for (i = 0; i < f->sc->nnames; i++)
		if (!strcmp(f->sc->names[i].text, text))
			return i;
	fail_msg("no name %s", text);
	return 0;
}

static const char *mapped(struct fixture *f, fl_addr_t addr)
{
	fl_places_name_mapped(f->p, addr, "a new place", f->buf, sizeof(f->buf));
	return f->buf;
}

static const char *fault(struct fixture *f, fl_addr_t addr)
{
	fl_places_name_fault(f->p, addr, f->buf, sizeof(f->buf));
	return f->buf;
}

/*
 * tests/host/uffd_mremap.fl, line 40 (issue 13): area moved away, the
 * kernel put `there` in its old place.  An mremap onto `there` returned
 * there+0x0, not area+0x1000.
 *   0123          0123
 *   AA     ->      T
 */
static void test_moved_away_frees_the_old_place(void **state)
{
	struct fixture *f = *state;

	fl_places_map(f->p, name(f, "area"), PG(0), 2 * 0x1000);
	fl_places_unmap(f->p, PG(0), 2 * 0x1000);
	fl_places_map(f->p, name(f, "there"), PG(1), 0x1000);
	assert_string_equal(mapped(f, PG(1)), "there+0x0");
	assert_int_equal(fl_places_at(f->p, PG(1)), (int)name(f, "there"));
}

/* Nothing mapped there now: the mremap went to "a new place". */
static void test_a_gone_mapping_names_no_new_place(void **state)
{
	struct fixture *f = *state;

	fl_places_map(f->p, name(f, "area"), PG(0), 2 * 0x1000);
	fl_places_unmap(f->p, PG(0), 2 * 0x1000);
	assert_string_equal(mapped(f, PG(1)), "a new place");
	assert_int_equal(fl_places_at(f->p, PG(1)), -1);
}

/* A load from a moved mapping's old place faults there: area+0x1000. */
static void test_fault_in_an_old_place_names_it(void **state)
{
	struct fixture *f = *state;

	fl_places_map(f->p, name(f, "area"), PG(0), 2 * 0x1000);
	fl_places_unmap(f->p, PG(0), 2 * 0x1000);
	assert_string_equal(fault(f, PG(1)), "area+0x1000");
}

/*
 * A fault in the guard page after buf names buf, the nearest below.
 *   0123
 *   BBB.   fault at page 3
 */
static void test_fault_in_a_guard_page_names_the_one_below(void **state)
{
	struct fixture *f = *state;

	fl_places_map(f->p, name(f, "buf"), PG(0), 3 * 0x1000);
	assert_string_equal(fault(f, PG(3) + 5), "buf+0x3005");
}

/*
 * Shrunk in place: the tail is free, the head still buf's.
 *   0123          0123
 *   BBB    ->     B
 */
static void test_shrink_frees_the_tail(void **state)
{
	struct fixture *f = *state;

	fl_places_map(f->p, name(f, "buf"), PG(0), 3 * 0x1000);
	fl_places_unmap(f->p, PG(1), 2 * 0x1000);
	assert_string_equal(mapped(f, PG(0) + 8), "buf+0x8");
	assert_string_equal(mapped(f, PG(2)), "a new place");
}

/*
 * A hole punched in buf and mapped again: the newer mapping names it,
 * buf the pages either side, with offsets from buf's start.
 *   0123          0123
 *   BBB    ->     BTB
 */
static void test_newer_mapping_in_a_hole_wins(void **state)
{
	struct fixture *f = *state;

	fl_places_map(f->p, name(f, "buf"), PG(0), 3 * 0x1000);
	fl_places_unmap(f->p, PG(1), 0x1000);
	fl_places_map(f->p, name(f, "there"), PG(1), 0x1000);
	assert_string_equal(mapped(f, PG(1)), "there+0x0");
	assert_string_equal(mapped(f, PG(2)), "buf+0x2000");
}

/* A range running to the top of the address space does not wrap. */
static void test_unmap_to_the_top_does_not_wrap(void **state)
{
	struct fixture *f = *state;

	fl_places_map(f->p, name(f, "buf"), PG(0), 0x1000);
	fl_places_unmap(f->p, PG(4), UINT64_MAX);
	assert_string_equal(mapped(f, PG(0)), "buf+0x0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_moved_away_frees_the_old_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_gone_mapping_names_no_new_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_in_an_old_place_names_it, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_in_a_guard_page_names_the_one_below, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shrink_frees_the_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_mapping_in_a_hole_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_to_the_top_does_not_wrap, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
