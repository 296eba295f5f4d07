/*
 * tests/unit/uaccess/test_iov_iter.c - user-backed iterators: set-up,
 * advance/revert, per-segment copies that stop at the first short segment,
 * and fault_in_iov_iter_* (kernel-facts.md §2), on x86_64.
 *
 * Address space of every test (P = 4096), private anonymous rw:
 *
 *   0x200000   0x201000   0x202000
 *   | A        | B        | C: hole
 *   | poked    | never    |
 *   | 0xaa     | touched  |
 *
 * A segment "B+P-8:16" straddles from B into the hole: 8 good bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <faultline/fault_in.h>
#include <faultline/iov_iter.h>
#include <faultline/uaccess.h>

#define A    0x200000ull
#define B    0x201000ull
#define C    0x202000ull
#define P    4096ull

static struct fl_world *w;
static struct fl_mm *mm;

static void world(unsigned maj, unsigned min, unsigned patch)
{
	struct fl_process *p;
	uint8_t fill[P];

	w = fl_world_new(&(struct fl_world_config){
		.kver = FL_KV(maj, min, patch), .max_frames = 64 });
	assert_non_null(w);
	assert_int_equal(fl_process_new(w, "t", &p), 0);
	mm = p->mm;
	assert_int_equal(fl_mmap(w, mm, A, 2 * P, FL_PROT_READ | FL_PROT_WRITE,
				 FL_MAP_PRIVATE | FL_MAP_FIXED, NULL, 0), (long)A);
	memset(fill, 0xaa, sizeof(fill));
	assert_int_equal(fl_poke(w, mm, A, fill, P), 0);
}

static int teardown(void **state)
{
	(void)state;
	fl_world_free(w);
	w = NULL;
	return 0;
}

/* Invariant 1 of iov_iter.h for an iterator set up with its full total. */
static void assert_count_matches(const struct fl_iov_iter *i)
{
	size_t sum = 0;
	unsigned long k;

	for (k = 0; k < i->nr_segs; k++)
		sum += i->iov[k].len;
	assert_int_equal(i->count, sum - i->iov_offset);
}

/* ---- set-up ---- */

static void test_init_limits(void **state)
{
	static struct fl_iovec many[FL_UIO_MAXIOV + 1];
	struct fl_iovec big[2] = { { A, SIZE_MAX / 2 }, { B, 1 } };
	struct fl_iov_iter i;

	(void)state;
	assert_int_equal(fl_iov_iter_init(&i, FL_ITER_DEST, many, FL_UIO_MAXIOV + 1, 0), -EINVAL);
	assert_int_equal(fl_iov_iter_init(&i, FL_ITER_DEST, many, FL_UIO_MAXIOV, 0), 0);
	assert_int_equal(fl_iov_iter_init(&i, FL_ITER_DEST, big, 2, 1), -EINVAL);
	assert_int_equal(fl_iov_iter_init(&i, FL_ITER_DEST, big, 1, SIZE_MAX / 2), 0);
	assert_int_equal(fl_iov_iter_init(&i, FL_ITER_DEST, big + 1, 1, 2), -EINVAL);
}

/* {10, 0, 10, 10}: advance 20 steps over the empty and the consumed segments. */
static void test_advance_revert(void **state)
{
	struct fl_iovec v[4] = { { A, 10 }, { A, 0 }, { A + 100, 10 }, { A + 200, 10 } };
	struct fl_iov_iter i;

	(void)state;
	assert_int_equal(fl_iov_iter_init(&i, FL_ITER_DEST, v, 4, 30), 0);
	fl_iov_iter_advance(&i, 20);
	assert_ptr_equal(i.iov, &v[3]);
	assert_int_equal(i.iov_offset, 0);
	assert_int_equal(i.count, 10);
	assert_count_matches(&i);
	fl_iov_iter_revert(&i, 15);
	assert_ptr_equal(i.iov, &v[0]);
	assert_int_equal(i.iov_offset, 5);
	assert_int_equal(i.count, 25);
	fl_iov_iter_advance(&i, 100);       /* clamped to count */
	assert_int_equal(i.count, 0);
	assert_int_equal(i.nr_segs, 0);
}

/* ---- copies ---- */

/*
 * copy_to_iter over {A:16, B+P-8:16, A+64:16}: 16 + 8 bytes, then stop;
 * the third segment, though mapped, is not written.
 */
static void test_copy_to_iter_stops_at_short_segment(void **state)
{
	struct fl_iovec v[3] = { { A, 16 }, { B + P - 8, 16 }, { A + 64, 16 } };
	struct fl_iov_iter i;
	uint8_t src[48], got[16];

	(void)state;
	world(6, 6, 0);
	memset(src, 0x11, sizeof(src));
	assert_int_equal(fl_iov_iter_init(&i, FL_ITER_DEST, v, 3, 48), 0);
	assert_int_equal(fl_copy_to_iter(w, src, 48, &i), 24);
	assert_int_equal(i.count, 24);
	assert_ptr_equal(i.iov, &v[1]);
	assert_int_equal(i.iov_offset, 8);
	assert_count_matches(&i);
	assert_int_equal(fl_peek(w, mm, A + 64, got, 16), 0);
	assert_int_equal(got[0], 0xaa);
	assert_int_equal(fl_peek(w, mm, B + P - 8, got, 8), 0);
	assert_int_equal(got[7], 0x11);
}

/* copy_from_iter does not zero the kernel tail (copyin is the raw copy). */
static void test_copy_from_iter_no_zeroing(void **state)
{
	struct fl_iovec v[2] = { { A + P - 4, 4 }, { B + P - 4, 8 } };
	struct fl_iov_iter i;
	uint8_t dst[12];

	(void)state;
	world(6, 6, 0);
	memset(dst, 0x55, sizeof(dst));
	assert_int_equal(fl_iov_iter_init(&i, FL_ITER_SOURCE, v, 2, 12), 0);
	assert_int_equal(fl_copy_from_iter(w, dst, 12, &i), 8);
	assert_int_equal(dst[0], 0xaa);
	assert_int_equal(dst[4], 0);        /* B reads as the zero page */
	assert_int_equal(dst[8], 0x55);
	assert_int_equal(i.count, 4);
}

/* Under pagefault_disable B (not present) is not faulted in: 8 of 16. */
static void test_copy_from_iter_atomic_not_present(void **state)
{
	struct fl_iovec v[1] = { { A + P - 8, 16 } };
	struct fl_iov_iter i;
	uint8_t dst[16];

	(void)state;
	world(6, 6, 0);
	assert_int_equal(fl_iov_iter_init(&i, FL_ITER_SOURCE, v, 1, 16), 0);
	assert_int_equal(fl_copy_from_iter_atomic(w, dst, 16, &i), 8);
	assert_false(fl_faulthandler_disabled(w));
	assert_int_equal(fl_copy_from_iter(w, dst, 8, &i), 8);
}

/* A SOURCE iterator is not a destination: nothing copied. */
static void test_copy_wrong_direction(void **state)
{
	struct fl_iovec v[1] = { { A, 16 } };
	struct fl_iov_iter i;
	uint8_t src[16] = { 0 };

	(void)state;
	world(6, 6, 0);
	assert_int_equal(fl_iov_iter_init(&i, FL_ITER_SOURCE, v, 1, 16), 0);
	assert_int_equal(fl_copy_to_iter(w, src, 16, &i), 0);
	assert_int_equal(i.count, 16);
}

/* ---- fault_in_iov_iter_* ---- */

/*
 * {A:16, B+P-8:16, A:16} on 5.16: segment 2 faults in 8 of 16 and the walk
 * stops; the third segment is counted as not faulted in: 8 + 16.
 */
static void test_fault_in_iov_iter_readable_stops(void **state)
{
	struct fl_iovec v[3] = { { A, 16 }, { B + P - 8, 16 }, { A, 16 } };
	struct fl_iov_iter i;

	(void)state;
	world(5, 16, 0);
	assert_int_equal(fl_iov_iter_init(&i, FL_ITER_SOURCE, v, 3, 48), 0);
	assert_int_equal(fl_fault_in_iov_iter_readable(w, &i, 48), 24);
	assert_int_equal(i.count, 48);      /* the iterator is not advanced */
}

/* SIZE beyond count: the excess counts as not faulted in (5.16). */
static void test_fault_in_iov_iter_size_beyond_count(void **state)
{
	struct fl_iovec v[1] = { { A, 16 } };
	struct fl_iov_iter i;

	(void)state;
	world(5, 16, 0);
	assert_int_equal(fl_iov_iter_init(&i, FL_ITER_SOURCE, v, 1, 16), 0);
	assert_int_equal(fl_fault_in_iov_iter_readable(w, &i, 32), 16);
}

/*
 * fault_in_iov_iter_writeable goes through fault_in_safe_writeable: on 6.6
 * its wrong 0 for segment 1's partial failure makes the walk go on and
 * report everything faulted in; 6.15 stops there: 8 + 16.
 */
static void test_fault_in_iov_iter_writeable_66_vs_615(void **state)
{
	struct fl_iovec v[2] = { { B + P - 8, 16 }, { A, 16 } };
	struct fl_iov_iter i;

	(void)state;
	world(6, 6, 0);
	assert_int_equal(fl_iov_iter_init(&i, FL_ITER_DEST, v, 2, 32), 0);
	assert_int_equal(fl_fault_in_iov_iter_writeable(w, &i, 32), 0);
	fl_world_free(w);
	world(6, 15, 0);
	assert_int_equal(fl_fault_in_iov_iter_writeable(w, &i, 32), 24);
}

/* Before 4.8 (d4690f1e1cda) only the first segment was faulted in. */
static void test_fault_in_iov_iter_47_first_segment_only(void **state)
{
	struct fl_iovec v[2] = { { A, 16 }, { C, 16 } };
	struct fl_iov_iter i;

	(void)state;
	world(4, 7, 0);
	assert_int_equal(fl_iov_iter_init(&i, FL_ITER_SOURCE, v, 2, 32), 0);
	assert_int_equal(fl_fault_in_iov_iter_readable(w, &i, 32), 0);
	fl_world_free(w);
	world(4, 8, 0);
	assert_int_not_equal(fl_fault_in_iov_iter_readable(w, &i, 32), 0);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_init_limits),
		T(test_advance_revert),
		T(test_copy_to_iter_stops_at_short_segment),
		T(test_copy_from_iter_no_zeroing),
		T(test_copy_from_iter_atomic_not_present),
		T(test_copy_wrong_direction),
		T(test_fault_in_iov_iter_readable_stops),
		T(test_fault_in_iov_iter_size_beyond_count),
		T(test_fault_in_iov_iter_writeable_66_vs_615),
		T(test_fault_in_iov_iter_47_first_segment_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
