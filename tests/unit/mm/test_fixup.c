/*
 * tests/unit/mm/test_fixup.c - fl_fixup_user_fault (mm/fixup.c), the
 * per-page write fault of fault_in_safe_writeable from 5.17.
 *
 * Address space of every test (P = 4096), private anonymous:
 *
 *   0x200000   0x201000   0x202000
 *   | A: rw    | B: r     | hole
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "mm/internal.h"

#define A 0x200000ull
#define B 0x201000ull
#define P 4096ull

static struct fl_world *w;
static struct fl_mm *mm;
static int faults;

static void on_hook(struct fl_world *wd, enum fl_hook h, void *arg)
{
	(void)wd;
	(void)arg;
	if (h == FL_HOOK_FAULT)
		faults++;
}

static int setup(void **state)
{
	struct fl_process *p;

	(void)state;
	faults = 0;
	w = fl_world_new(&(struct fl_world_config){ .max_frames = 64 });
	if (!w || fl_process_new(w, "t", &p))
		return -1;
	mm = p->mm;
	if (fl_mmap(w, mm, A, P, FL_PROT_READ | FL_PROT_WRITE,
		    FL_MAP_PRIVATE | FL_MAP_FIXED, NULL, 0) != (long)A ||
	    fl_mmap(w, mm, B, P, FL_PROT_READ, FL_MAP_PRIVATE | FL_MAP_FIXED,
		    NULL, 0) != (long)B)
		return -1;
	fl_world_set_hook(w, on_hook, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fl_world_free(w);
	return 0;
}

/* A write fault in A makes a writable pte, without storing anything. */
static void test_write_fault_makes_pte_writable(void **state)
{
	fl_pte_t *pte;

	(void)state;
	assert_int_equal(fl_fixup_user_fault(w, mm, A + 8, FL_FAULT_WRITE), 0);
	pte = fl_pte_lookup(mm, A);
	assert_non_null(pte);
	assert_true(pte->flags & FL_PTE_WRITE);
	assert_int_equal(faults, 1);
}

/* No vma: -EFAULT before the fault handler runs. */
static void test_no_vma_efault_without_fault(void **state)
{
	(void)state;
	assert_int_equal(fl_fixup_user_fault(w, mm, B + P, 0), -EFAULT);
	assert_int_equal(faults, 0);
}

/* B is read-only: a write fault is refused, a read fault is fine. */
static void test_permission_checked(void **state)
{
	(void)state;
	assert_int_equal(fl_fixup_user_fault(w, mm, B, FL_FAULT_WRITE), -EFAULT);
	assert_int_equal(faults, 0);
	assert_int_equal(fl_fixup_user_fault(w, mm, B, 0), 0);
	assert_int_equal(faults, 1);
}

/* A poisoned page is -EFAULT (no FOLL_HWPOISON), not -EHWPOISON. */
static void test_hwpoison_is_efault(void **state)
{
	(void)state;
	assert_int_equal(fl_fixup_user_fault(w, mm, A, FL_FAULT_WRITE), 0);
	assert_int_equal(fl_poison(w, mm, A), 0);
	assert_int_equal(fl_fixup_user_fault(w, mm, A, FL_FAULT_WRITE), -EFAULT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_fault_makes_pte_writable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_vma_efault_without_fault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permission_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hwpoison_is_efault, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
