/*
 * tests/unit/mm/test_vma_tree.c - the AVL tree of VMAs (mm/vma_tree.c).
 *
 * Maps are one character per page from BASE: a letter is a VMA (letters
 * count VMAs from the left of the window), a space a hole.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mm/internal.h"

#define BASE ((fl_addr_t)0x100000)
#define PG(n) (BASE + (fl_addr_t)(n) * FL_PAGE_SIZE)

struct env {
	struct fl_world *w;
	struct fl_mm *mm;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	e->w = fl_world_new(NULL);
	assert_non_null(e->w);
	e->mm = fl_zalloc(e->w, sizeof(*e->mm));
	assert_non_null(e->mm);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	fl_world_free(e->w);
	free(e);
	return 0;
}

/* Link a VMA covering pages [first, first + n). */
static struct fl_vma *add(struct env *e, int first, int n)
{
	struct fl_vma *vma = fl_vma_alloc(e->w);

	assert_non_null(vma);
	vma->start = PG(first);
	vma->end = PG(first + n);
	vma->flags = FL_VM_READ | FL_VM_MAYREAD;
	fl_vma_link(e->mm, vma);
	return vma;
}

static void del(struct env *e, struct fl_vma *vma)
{
	fl_vma_unlink(e->mm, vma);
	fl_vma_free(e->w, vma);
}

/* The map of pages [0, n) from BASE, as in the comments. */
static const char *map(struct env *e, int n)
{
	static char buf[128];
	struct fl_vma *vma, *last = NULL;
	char letter = '@';
	int i;

	for (i = 0; i < n; i++) {
		vma = fl_vma_lookup(e->mm, PG(i));
		if (vma && vma != last)
			letter++;
		last = vma;
		buf[i] = vma ? letter : ' ';
	}
	buf[n] = '\0';
	return buf;
}

static void test_link_sorted_walk(void **state)
{
	struct env *e = *state;

	/*
	 * 0123456789ab
	 * AAA BBB  CC      linked in the order C, A, B
	 */
	add(e, 9, 2);
	add(e, 0, 3);
	add(e, 4, 3);
	assert_string_equal(map(e, 12), "AAA BBB  CC ");
	assert_int_equal(e->mm->map_count, 3);
	assert_int_equal(fl_vma_tree_check(e->w, e->mm), 0);
	assert_int_equal(fl_vma_first(e->mm)->start, PG(0));
	assert_int_equal(fl_vma_next(fl_vma_first(e->mm))->start, PG(4));
	assert_null(fl_vma_next(fl_vma_lookup(e->mm, PG(9))));
	assert_int_equal(fl_vma_prev(fl_vma_lookup(e->mm, PG(9)))->start, PG(4));
}

static void test_find_vma_first_above(void **state)
{
	struct env *e = *state;

	/*
	 * 0123456789
	 *    AA   BB
	 * find_vma(1) is A (first with end > 1); lookup(1) is nothing.
	 */
	add(e, 3, 2);
	add(e, 8, 2);
	assert_int_equal(fl_find_vma(e->mm, PG(1))->start, PG(3));
	assert_null(fl_vma_lookup(e->mm, PG(1)));
	assert_int_equal(fl_find_vma(e->mm, PG(5))->start, PG(8));
	assert_int_equal(fl_vma_lookup(e->mm, PG(9) + 7)->start, PG(8));
	assert_null(fl_find_vma(e->mm, PG(10)));
}

static void test_unlink_inner_node(void **state)
{
	struct env *e = *state;
	struct fl_vma *mid = NULL;
	int i;

	/*
	 * 0123456789abcde
	 * A B C D E F G H   then D (the root, two children) goes:
	 * A B C   E F G H
	 */
	for (i = 0; i < 8; i++) {
		struct fl_vma *v = add(e, 2 * i, 1);

		if (i == 3)
			mid = v;
	}
	del(e, mid);
	assert_string_equal(map(e, 15), "A B C   D E F G");
	assert_int_equal(e->mm->map_count, 7);
	assert_int_equal(fl_vma_tree_check(e->w, e->mm), 0);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

#define SLOTS 300

/* The tree agrees with a reference array after every step. */
static void check_against(struct env *e, struct fl_vma **ref)
{
	struct fl_vma *vma = fl_vma_first(e->mm);
	size_t n = 0;
	int i;

	assert_int_equal(fl_vma_tree_check(e->w, e->mm), 0);
	for (i = 0; i < SLOTS; i++) {
		if (!ref[i])
			continue;
		assert_ptr_equal(vma, ref[i]);
		assert_ptr_equal(fl_vma_lookup(e->mm, PG(2 * i)), ref[i]);
		vma = fl_vma_next(vma);
		n++;
	}
	assert_null(vma);
	assert_int_equal(e->mm->map_count, n);
}

static void test_random_against_reference(void **state)
{
	struct env *e = *state;
	struct fl_vma *ref[SLOTS] = { 0 };
	uint64_t seed = 42;
	int step, i;

	/* Slot i is page 2i: one-page VMAs with one-page holes between. */
	for (step = 0; step < 4000; step++) {
		i = (int)(rnd(&seed) % SLOTS);
		if (ref[i]) {
			del(e, ref[i]);
			ref[i] = NULL;
		} else {
			ref[i] = add(e, 2 * i, 1);
		}
		check_against(e, ref);
	}
}

/* The highest hole of NEED pages among the slots, by brute force. */
static int brute_hole_top(struct fl_vma **ref, int need)
{
	int top = 2 * SLOTS, i;

	/* pages [0, 2 * SLOTS): walk down, measuring each run of free pages */
	for (i = 2 * SLOTS - 1; i >= -1; i--) {
		bool used = i >= 0 && i % 2 == 0 && ref[i / 2];

		if (used || i < 0) {
			if (top - (i + 1) >= need)
				return top;
			top = i;
		}
	}
	return -1;
}

static void test_hole_search_against_reference(void **state)
{
	struct env *e = *state;
	struct fl_vma *ref[SLOTS] = { 0 };
	uint64_t seed = 7;
	fl_addr_t top;
	int step, i, need, want;

	/* fill most slots so that holes of 2..7 pages are rare */
	for (step = 0; step < 3000; step++) {
		i = (int)(rnd(&seed) % SLOTS);
		if (ref[i] && rnd(&seed) % 4 == 0) {
			del(e, ref[i]);
			ref[i] = NULL;
		} else if (!ref[i]) {
			ref[i] = add(e, 2 * i, 1);
		}
		need = 1 + (int)(rnd(&seed) % 7);
		want = brute_hole_top(ref, need);
		if (want < 0) {
			assert_int_equal(fl_vma_hole_topdown(e->mm, (fl_addr_t)need * FL_PAGE_SIZE,
							     PG(0), PG(2 * SLOTS), &top), -ENOMEM);
			continue;
		}
		assert_int_equal(fl_vma_hole_topdown(e->mm, (fl_addr_t)need * FL_PAGE_SIZE,
						     PG(0), PG(2 * SLOTS), &top), 0);
		assert_int_equal(top, PG(want));
	}
}

static void test_ascending_inserts_stay_balanced(void **state)
{
	struct env *e = *state;
	int i;

	/* 1023 ascending inserts: a list if unbalanced, height 10 if perfect. */
	for (i = 0; i < 1023; i++)
		add(e, 2 * i, 1);
	assert_int_equal(fl_vma_tree_check(e->w, e->mm), 0);
	assert_true(e->mm->vma_root->height <= 14);   /* AVL: <= 1.44 log2 n */
}

static void test_check_catches_overlap(void **state)
{
	struct env *e = *state;
	struct fl_vma *a;

	/*
	 * 0123
	 * AA B     then A's end is moved to page 3: AAAB overlaps.
	 */
	a = add(e, 0, 2);
	add(e, 3, 1);
	a->end = PG(4);
	fl_vma_gap_update(a);
	assert_int_equal(fl_vma_tree_check(e->w, e->mm), -EUCLEAN);
	assert_non_null(strstr(fl_world_error(e->w), "overlaps"));
}

static void test_check_catches_map_count(void **state)
{
	struct env *e = *state;

	add(e, 0, 1);
	e->mm->map_count++;
	assert_int_equal(fl_vma_tree_check(e->w, e->mm), -EUCLEAN);
}

static void test_check_catches_stale_gap(void **state)
{
	struct env *e = *state;
	struct fl_vma *a;

	/* A grows without fl_vma_gap_update(): the summary is stale. */
	a = add(e, 0, 1);
	add(e, 4, 1);
	add(e, 8, 1);
	a->end = PG(2);
	assert_int_equal(fl_vma_tree_check(e->w, e->mm), -EUCLEAN);
}

static void test_check_catches_unaligned(void **state)
{
	struct env *e = *state;
	struct fl_vma *a = add(e, 0, 1);

	a->end -= 1;
	fl_vma_gap_update(a);
	assert_int_equal(fl_vma_tree_check(e->w, e->mm), -EUCLEAN);
}

static void test_hole_topdown_highest_fit(void **state)
{
	struct env *e = *state;
	fl_addr_t top;

	/*
	 * 0123456789abcdef
	 * A  BB    CC D      window [0, e): holes of 2, 4 and 1 page(s)
	 * need 3 pages -> the 4-page hole 5..8, top = page 9
	 * need 2 pages -> the highest that fits: still 5..8
	 * need 5 pages -> none inside the window
	 */
	add(e, 0, 1);
	add(e, 3, 2);
	add(e, 9, 2);
	add(e, 12, 1);
	assert_int_equal(fl_vma_hole_topdown(e->mm, 3 * FL_PAGE_SIZE, PG(0), PG(14), &top), 0);
	assert_int_equal(top, PG(9));
	assert_int_equal(fl_vma_hole_topdown(e->mm, 2 * FL_PAGE_SIZE, PG(0), PG(12), &top), 0);
	assert_int_equal(top, PG(9));
	assert_int_equal(fl_vma_hole_topdown(e->mm, 5 * FL_PAGE_SIZE, PG(0), PG(14), &top), -ENOMEM);
}

static void test_hole_topdown_clipped_by_high(void **state)
{
	struct env *e = *state;
	fl_addr_t top;

	/*
	 * 0123456789
	 * A       B      high = page 4: the hole 1..8 is clipped to 1..4
	 */
	add(e, 0, 1);
	add(e, 8, 1);
	assert_int_equal(fl_vma_hole_topdown(e->mm, 2 * FL_PAGE_SIZE, PG(0), PG(4), &top), 0);
	assert_int_equal(top, PG(4));
	assert_int_equal(fl_vma_hole_topdown(e->mm, 4 * FL_PAGE_SIZE, PG(0), PG(4), &top), -ENOMEM);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_link_sorted_walk),
		T(test_find_vma_first_above),
		T(test_unlink_inner_node),
		T(test_random_against_reference),
		T(test_hole_search_against_reference),
		T(test_ascending_inserts_stay_balanced),
		T(test_check_catches_overlap),
		T(test_check_catches_map_count),
		T(test_check_catches_stale_gap),
		T(test_check_catches_unaligned),
		T(test_hole_topdown_highest_fit),
		T(test_hole_topdown_clipped_by_high),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
