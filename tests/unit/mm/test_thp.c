/*
 * test_thp.c - anonymous transparent huge pages (mm/huge_memory.c): one
 * behaviour a test, fl_mm_check (mm.h invariant 7) after every step.
 *
 *   0          2m          4m
 *   [ THP      |           ]   a: anon rw private at 2 MiB, MADV_HUGEPAGE
 *                                 on its first 2 MiB
 */
#include <faultline/mm_layers.h>

#include "pages_test.h"

#define A    ((fl_addr_t)0x40000000)
#define HUGE ((fl_addr_t)2 << 20)

/* A world of KVER with a mapped at A; MADV_HUGEPAGE on it answers WANT. */
static struct fl_world *__thp_world(const char *kver, int want)
{
	struct fl_world_config cfg = { .arch = FL_ARCH_X86_64, .arena_bytes = (size_t)64 << 20,
				       .max_frames = 65536 };
	struct fl_world *w;

	assert_int_equal(fl_kver_parse(kver, &cfg.kver), 0);
	w = fl_world_new(&cfg);
	assert_non_null(w);
	assert_int_equal(fl_mmap(w, cur_mm(w), A, 2 * HUGE, FL_PROT_READ | FL_PROT_WRITE,
				 FL_MAP_PRIVATE | FL_MAP_FIXED_NOREPLACE, NULL, 0), (long)A);
	assert_int_equal(fl_madvise(w, cur_mm(w), A, HUGE, FL_MADV_HUGEPAGE), want);
	return w;
}

static struct fl_world *thp_world(const char *kver)
{
	return __thp_world(kver, 0);
}

static void check(struct fl_world *w, struct fl_mm *mm)
{
	int err = fl_mm_check(w, mm);

	if (err)
		fprintf(stderr, "mm_check: %s\n", fl_world_error(w));
	assert_int_equal(err, 0);
}

static void store(struct fl_world *w, fl_addr_t a, uint8_t b)
{
	struct fl_signal sig;

	assert_int_equal(fl_user_store(w, a, &b, 1, &sig), 1);
	assert_int_equal(sig.sig, FL_SIG_NONE);
	check(w, cur_mm(w));
}

static uint8_t load(struct fl_world *w, fl_addr_t a)
{
	struct fl_signal sig;
	uint8_t b = 0xee;

	assert_int_equal(fl_user_load(w, a, &b, 1, &sig), 1);
	assert_int_equal(sig.sig, FL_SIG_NONE);
	return b;
}

/* A one-byte write maps the whole THP by a PMD: its last page too. */
static void test_write_fault_maps_thp(void **state)
{
	struct fl_world *w = thp_world("6.18");

	(void)state;
	store(w, A, 1);
	assert_true(fl_thp_pmd_mapped(cur_mm(w), A));
	assert_true(pte_present(w, A + HUGE - P));
	assert_non_null(pte_of(w, A + HUGE - P)->folio->thp);
	assert_false(pte_present(w, A + HUGE));    /* not advised: base pages */
	fl_world_free(w);
}

/* A read maps the huge zero page; a write then splits it before 6.13. */
static void test_huge_zero_page_split_before_6_13(void **state)
{
	struct fl_world *w = thp_world("6.12");

	(void)state;
	assert_int_equal(load(w, A), 0);
	assert_true(fl_folio_is_zero(w, pte_of(w, A + P)->folio));
	store(w, A, 5);
	assert_false(fl_thp_pmd_mapped(cur_mm(w), A));
	assert_true(fl_folio_is_zero(w, pte_of(w, A + P)->folio));
	fl_world_free(w);
}

/* ... and maps a new THP from 6.13 (1ced09e0331f). */
static void test_huge_zero_page_alloc_from_6_13(void **state)
{
	struct fl_world *w = thp_world("6.13");

	(void)state;
	assert_int_equal(load(w, A), 0);
	store(w, A, 5);
	assert_true(fl_thp_pmd_mapped(cur_mm(w), A));
	assert_false(fl_folio_is_zero(w, pte_of(w, A + P)->folio));
	fl_world_free(w);
}

/*
 * mprotect of one page cuts the vma inside the PMD: split, the pages
 * stay; MADV_DONTNEED of the whole range then frees the table only if
 * it is still a PMD mapping.
 */
static void test_mprotect_splits(void **state)
{
	struct fl_world *w = thp_world("6.18");
	struct fl_folio *f;

	(void)state;
	store(w, A + P, 9);
	f = pte_of(w, A + P)->folio;
	assert_int_equal(fl_mprotect(w, cur_mm(w), A + P, P, FL_PROT_READ), 0);
	check(w, cur_mm(w));
	assert_false(fl_thp_pmd_mapped(cur_mm(w), A));
	assert_ptr_equal(pte_of(w, A + P)->folio, f);
	assert_int_equal(load(w, A + P), 9);
	fl_world_free(w);
}

/* A zap of the whole PMD mapping leaves pmd_none: the refault is a THP. */
static void test_dontneed_whole_refaults_thp(void **state)
{
	struct fl_world *w = thp_world("6.18");

	(void)state;
	store(w, A, 1);
	assert_int_equal(fl_madvise(w, cur_mm(w), A, HUGE, FL_MADV_DONTNEED), 0);
	assert_null(pte_of(w, A));
	store(w, A, 2);
	assert_true(fl_thp_pmd_mapped(cur_mm(w), A));
	fl_world_free(w);
}

/*
 * fork shares the PMD mapping read-only; the parent's write cannot reuse
 * it while the child maps it: split, one base page copied, the child
 * keeps the old byte.
 */
static void test_fork_write_splits_and_copies(void **state)
{
	struct fl_world *w = thp_world("6.18");
	struct fl_process *child;

	(void)state;
	store(w, A, 1);
	assert_int_equal(fl_fork(w, fl_current(w), "c", &child), 0);
	assert_true(fl_thp_pmd_mapped(child->mm, A));
	store(w, A, 0xff);
	assert_false(fl_thp_pmd_mapped(cur_mm(w), A));
	assert_null(pte_of(w, A)->folio->thp);
	assert_non_null(pte_of(w, A + P)->folio->thp);
	check(w, child->mm);
	fl_world_free(w);
}

/* MADV_COLLAPSE (6.1) of a split THP maps a new THP with the same bytes. */
static void test_collapse(void **state)
{
	struct fl_world *w = thp_world("6.18");

	(void)state;
	store(w, A + 3 * P, 0x33);
	assert_int_equal(fl_mprotect(w, cur_mm(w), A + P, P, FL_PROT_READ), 0);
	assert_int_equal(fl_mprotect(w, cur_mm(w), A + P, P, FL_PROT_READ | FL_PROT_WRITE), 0);
	assert_false(fl_thp_pmd_mapped(cur_mm(w), A));
	assert_int_equal(fl_madvise(w, cur_mm(w), A, HUGE, FL_MADV_COLLAPSE), 0);
	check(w, cur_mm(w));
	assert_true(fl_thp_pmd_mapped(cur_mm(w), A));
	assert_int_equal(load(w, A + 3 * P), 0x33);
	fl_world_free(w);
}

/*
 * MADV_FREE, MADV_COLD and MADV_PAGEOUT over a THP are refused (they split
 * or swap it out: not modelled); over the base pages next to it they work.
 */
static void test_free_cold_pageout_refuse_thp(void **state)
{
	struct fl_world *w = thp_world("6.18");

	(void)state;
	store(w, A, 1);
	store(w, A + HUGE, 2);
	assert_int_equal(fl_madvise(w, cur_mm(w), A, P, FL_MADV_FREE), -EOPNOTSUPP);
	assert_int_equal(fl_madvise(w, cur_mm(w), A, HUGE, FL_MADV_COLD), -EOPNOTSUPP);
	assert_int_equal(fl_madvise(w, cur_mm(w), A + P, P, FL_MADV_PAGEOUT), -EOPNOTSUPP);
	assert_true(fl_thp_pmd_mapped(cur_mm(w), A));
	assert_int_equal(fl_madvise(w, cur_mm(w), A + HUGE, P, FL_MADV_COLD), 0);
	assert_int_equal(fl_madvise(w, cur_mm(w), A + HUGE, P, FL_MADV_FREE), 0);
	check(w, cur_mm(w));
	fl_world_free(w);
}

/*
 * mlock's populate write-faults a THP in like any fault; munlock of one
 * page of it cuts the vma inside the PMD, which splits it.
 */
static void test_mlock_populates_thp(void **state)
{
	struct fl_world *w = thp_world("6.18");

	(void)state;
	assert_int_equal(fl_mlock(w, cur_mm(w), A, HUGE, true), 0);
	check(w, cur_mm(w));
	assert_true(fl_thp_pmd_mapped(cur_mm(w), A));
	assert_int_equal(fl_mlock(w, cur_mm(w), A + P, P, false), 0);
	check(w, cur_mm(w));
	assert_false(fl_thp_pmd_mapped(cur_mm(w), A));
	assert_non_null(pte_of(w, A + P)->folio->thp);
	fl_world_free(w);
}

/* Before 6.1 MADV_COLLAPSE is an unknown advice; before 5.8 THP is refused. */
static void test_eras_refuse(void **state)
{
	struct fl_world *w = thp_world("6.0");

	(void)state;
	assert_int_equal(fl_madvise(w, cur_mm(w), A, HUGE, FL_MADV_COLLAPSE), -EINVAL);
	fl_world_free(w);
	fl_world_free(__thp_world("5.7", -EOPNOTSUPP));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_fault_maps_thp),
		cmocka_unit_test(test_huge_zero_page_split_before_6_13),
		cmocka_unit_test(test_huge_zero_page_alloc_from_6_13),
		cmocka_unit_test(test_mprotect_splits),
		cmocka_unit_test(test_dontneed_whole_refaults_thp),
		cmocka_unit_test(test_fork_write_splits_and_copies),
		cmocka_unit_test(test_collapse),
		cmocka_unit_test(test_free_cold_pageout_refuse_thp),
		cmocka_unit_test(test_mlock_populates_thp),
		cmocka_unit_test(test_eras_refuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
