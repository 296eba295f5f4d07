/*
 * tests/unit/mm/test_mprotect.c - mprotect (mm/mmap.c): errors, splitting,
 * re-merging, partial application up to a hole, and the ptes following.
 *
 * Maps are one character per page from BASE: a letter is a VMA (letters
 * count VMAs from the left of the window), a space a hole.
 */
#include "vma_test.h"

static struct fl_vma *at(struct env *e, int page)
{
	return fl_vma_lookup(e->mm, PG(page));
}

static uint32_t prot_bits(struct env *e, int page)
{
	return at(e, page)->flags & (FL_VM_READ | FL_VM_WRITE | FL_VM_EXEC);
}

static void test_mprotect_unaligned_einval(void **state)
{
	struct env *e = *state;

	fixed(e, 0, 2, RW);
	assert_int_equal(fl_mprotect(e->w, e->mm, PG(0) + 1, P, FL_PROT_READ), -EINVAL);
	assert_int_equal(prot_bits(e, 0), FL_VM_READ | FL_VM_WRITE);
}

static void test_mprotect_len_zero_is_noop(void **state)
{
	struct env *e = *state;

	/* len 0 succeeds even over a hole */
	assert_int_equal(fl_mprotect(e->w, e->mm, PG(0), 0, FL_PROT_READ), 0);
}

static void test_mprotect_bad_prot_einval(void **state)
{
	struct env *e = *state;

	fixed(e, 0, 1, RW);
	assert_int_equal(fl_mprotect(e->w, e->mm, PG(0), P, 0x80), -EINVAL);
}

static void test_mprotect_hole_enomem_after_applying(void **state)
{
	struct env *e = *state;

	/*
	 * 012345
	 * AA  BB    mprotect(0..5, r): A changes, the hole at 2 stops the walk,
	 * AA  BB    B keeps rw: -ENOMEM
	 */
	fixed(e, 0, 2, RW);
	fixed(e, 4, 2, RW);
	assert_int_equal(fl_mprotect(e->w, e->mm, PG(0), 6 * P, FL_PROT_READ), -ENOMEM);
	assert_int_equal(prot_bits(e, 0), FL_VM_READ);
	assert_int_equal(prot_bits(e, 4), FL_VM_READ | FL_VM_WRITE);
}

static void test_mprotect_hole_at_start_enomem(void **state)
{
	struct env *e = *state;

	/* 0123: " AAA": starting in the hole changes nothing */
	fixed(e, 1, 3, RW);
	assert_int_equal(fl_mprotect(e->w, e->mm, PG(0), 4 * P, FL_PROT_READ), -ENOMEM);
	assert_int_equal(prot_bits(e, 1), FL_VM_READ | FL_VM_WRITE);
}

static void test_mprotect_shared_without_maywrite_eacces(void **state)
{
	struct env *e = *state;

	/* a shared mapping of a file opened read-only has no VM_MAYWRITE */
	assert_int_equal(fl_mmap(e->w, e->mm, PG(0), P, FL_PROT_READ,
				 FL_MAP_SHARED | FL_MAP_FIXED, NULL, 0), (long)PG(0));
	at(e, 0)->flags &= ~FL_VM_MAYWRITE;
	assert_int_equal(fl_mprotect(e->w, e->mm, PG(0), P, RW), -EACCES);
	assert_int_equal(prot_bits(e, 0), FL_VM_READ);
	/* without PROT_WRITE it is allowed */
	assert_int_equal(fl_mprotect(e->w, e->mm, PG(0), P, FL_PROT_NONE), 0);
}

static void test_mprotect_middle_splits(void **state)
{
	struct env *e = *state;

	/*
	 * 012345
	 * AAAAAA    mprotect(2..3, r)
	 * AABBCC
	 */
	fixed(e, 0, 6, RW);
	assert_int_equal(fl_mprotect(e->w, e->mm, PG(2), 2 * P, FL_PROT_READ), 0);
	assert_string_equal(map(e, 6), "AABBCC");
	assert_int_equal(prot_bits(e, 2), FL_VM_READ);
	assert_int_equal(prot_bits(e, 5), FL_VM_READ | FL_VM_WRITE);
	assert_int_equal(at(e, 2)->pgoff, PG(2) >> FL_PAGE_SHIFT);
}

static void test_mprotect_back_remerges(void **state)
{
	struct env *e = *state;

	/*
	 * 012345
	 * AABBCC    after mprotect(2..3, r); then mprotect(2..3, rw)
	 * AAAAAA    one VMA again
	 */
	fixed(e, 0, 6, RW);
	assert_int_equal(fl_mprotect(e->w, e->mm, PG(2), 2 * P, FL_PROT_READ), 0);
	assert_int_equal(fl_mprotect(e->w, e->mm, PG(2), 2 * P, RW), 0);
	assert_string_equal(map(e, 6), "AAAAAA");
	assert_int_equal(e->mm->map_count, 1);
}

static void test_mprotect_edge_joins_neighbour(void **state)
{
	struct env *e = *state;

	/*
	 * 012345
	 * AAABBB    A rw, B r; mprotect(3, r->rw) for B's first page
	 * AAAABB    the page moves into A
	 */
	fixed(e, 0, 3, RW);
	fixed(e, 3, 3, FL_PROT_READ);
	assert_int_equal(fl_mprotect(e->w, e->mm, PG(3), P, RW), 0);
	assert_string_equal(map(e, 6), "AAAABB");
}

static void test_mprotect_across_two_merges_them(void **state)
{
	struct env *e = *state;

	/*
	 * 0123
	 * AABB      A rw, B r; mprotect(0..3, r)
	 * AAAA
	 */
	fixed(e, 0, 2, RW);
	fixed(e, 2, 2, FL_PROT_READ);
	assert_int_equal(fl_mprotect(e->w, e->mm, PG(0), 4 * P, FL_PROT_READ), 0);
	assert_string_equal(map(e, 4), "AAAA");
}

static void test_mprotect_removes_write_from_ptes(void **state)
{
	struct env *e = *state;
	struct fl_signal sig;
	char c = 'x';

	/* a written page, then mprotect r: the next user store faults */
	fixed(e, 0, 1, RW);
	assert_int_equal(fl_user_store(e->w, PG(0), &c, 1, &sig), 1);
	assert_int_equal(sig.sig, FL_SIG_NONE);
	assert_int_equal(fl_mprotect(e->w, e->mm, PG(0), P, FL_PROT_READ), 0);
	assert_false(fl_pte_lookup(e->mm, PG(0))->flags & FL_PTE_WRITE);
	assert_int_equal(fl_user_store(e->w, PG(0), &c, 1, &sig), 0);
	assert_int_equal(sig.sig, FL_SIGSEGV);
	assert_int_equal(sig.code, FL_SEGV_ACCERR);
	assert_int_equal(fl_mm_check(e->w, e->mm), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mprotect_unaligned_einval),
		T(test_mprotect_len_zero_is_noop),
		T(test_mprotect_bad_prot_einval),
		T(test_mprotect_hole_enomem_after_applying),
		T(test_mprotect_hole_at_start_enomem),
		T(test_mprotect_shared_without_maywrite_eacces),
		T(test_mprotect_middle_splits),
		T(test_mprotect_back_remerges),
		T(test_mprotect_edge_joins_neighbour),
		T(test_mprotect_across_two_merges_them),
		T(test_mprotect_removes_write_from_ptes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
