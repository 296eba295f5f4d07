/*
 * tests/unit/mm/test_mlock.c - mlock/munlock (mm/mlock.c): the flag on
 * the range, the populate and its POSIX errnos, and what a lock refuses.
 *
 * Maps are one character per page from BASE: a letter is a VMA (letters
 * count VMAs from the left of the window), a space a hole.
 */
#include "vma_test.h"

static bool locked(struct env *e, int page)
{
	return fl_vma_lookup(e->mm, PG(page))->flags & FL_VM_LOCKED;
}

static bool present(struct env *e, int page)
{
	const fl_pte_t *pte = fl_pte_lookup(e->mm, PG(page));

	return pte && (pte->flags & FL_PTE_PRESENT);
}

/* "AAAA" -> lock pages 1-2 -> "ABBC", both faulted in, writable */
static void test_mlock_splits_and_populates(void **state)
{
	struct env *e = *state;

	fixed(e, 0, 4, RW);
	assert_int_equal(fl_mlock(e->w, e->mm, PG(1), 2 * P, true), 0);
	assert_string_equal(map(e, 4), "ABBC");
	assert_true(locked(e, 1) && locked(e, 2) && !locked(e, 0));
	assert_true(present(e, 1) && present(e, 2) && !present(e, 0));
	assert_true(fl_pte_lookup(e->mm, PG(1))->flags & FL_PTE_WRITE);
}

/* munlock merges back and faults nothing in (invariant 1) */
static void test_munlock_merges_back(void **state)
{
	struct env *e = *state;

	fixed(e, 0, 4, RW);
	assert_int_equal(fl_mlock(e->w, e->mm, PG(1), 2 * P, true), 0);
	assert_int_equal(fl_mlock(e->w, e->mm, PG(0), 4 * P, false), 0);
	assert_string_equal(map(e, 4), "AAAA");
	assert_false(present(e, 3));
}

/* an unaligned start locks its whole page */
static void test_mlock_unaligned_start(void **state)
{
	struct env *e = *state;

	fixed(e, 0, 2, RW);
	assert_int_equal(fl_mlock(e->w, e->mm, PG(0) + 5, 10, true), 0);
	assert_true(locked(e, 0));
	assert_false(locked(e, 1));
}

/* "a b": ENOMEM, after the vma before the hole took the flag */
static void test_mlock_hole_enomem(void **state)
{
	struct env *e = *state;

	fixed(e, 0, 1, RW);
	fixed(e, 2, 1, RW);
	assert_int_equal(fl_mlock(e->w, e->mm, PG(0), 3 * P, true), -ENOMEM);
	assert_true(locked(e, 0));
	assert_false(locked(e, 2));
}

/* PROT_NONE and a guard do not fault in: EFAULT, reported as ENOMEM */
static void test_mlock_unpopulatable_enomem(void **state)
{
	struct env *e = *state;

	fixed(e, 0, 1, FL_PROT_NONE);
	assert_int_equal(fl_mlock(e->w, e->mm, PG(0), P, true), -ENOMEM);
	fixed(e, 1, 1, RW);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(1), P, FL_MADV_GUARD_INSTALL), 0);
	assert_int_equal(fl_mlock(e->w, e->mm, PG(1), P, true), -ENOMEM);
	assert_true(locked(e, 1));
}

/* a locked vma refuses the advice that drops pages; guard remove is fine */
static void test_locked_refuses_zapping_advice(void **state)
{
	struct env *e = *state;

	fixed(e, 0, 1, RW);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_GUARD_INSTALL), 0);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_GUARD_REMOVE), 0);
	assert_int_equal(fl_mlock(e->w, e->mm, PG(0), P, true), 0);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_DONTNEED), -EINVAL);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_FREE), -EINVAL);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_PAGEOUT), -EINVAL);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_GUARD_INSTALL), -EINVAL);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_GUARD_REMOVE), 0);
	assert_int_equal(fl_evict(e->w, e->mm, PG(0), P), 0);
	assert_true(present(e, 0));    /* unevictable */
}

/* what the model does not know is refused, not guessed */
static void test_mlock_refusals(void **state)
{
	struct env *e = *state;

	fixed(e, 0, 1, FL_PROT_READ);
	assert_int_equal(fl_mlock(e->w, e->mm, PG(0), P, true), 0);
	assert_int_equal(fl_mprotect(e->w, e->mm, PG(0), P, RW), -EOPNOTSUPP);
	assert_int_equal(fl_mremap(e->w, e->mm, PG(0), P, 2 * P, FL_MREMAP_MAYMOVE, 0),
			 -EOPNOTSUPP);
}

/* the child of a fork has no lock */
static void test_fork_drops_lock(void **state)
{
	struct env *e = *state;
	struct fl_process *child;

	fixed(e, 0, 1, RW);
	assert_int_equal(fl_mlock(e->w, e->mm, PG(0), P, true), 0);
	assert_int_equal(fl_fork(e->w, fl_current(e->w), "c", &child), 0);
	assert_false(fl_vma_lookup(child->mm, PG(0))->flags & FL_VM_LOCKED);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mlock_splits_and_populates),
		T(test_munlock_merges_back),
		T(test_mlock_unaligned_start),
		T(test_mlock_hole_enomem),
		T(test_mlock_unpopulatable_enomem),
		T(test_locked_refuses_zapping_advice),
		T(test_mlock_refusals),
		T(test_fork_drops_lock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
