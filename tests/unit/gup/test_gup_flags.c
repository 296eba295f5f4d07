/*
 * test_gup_flags.c - the argument and vma checks of the GUP slow path
 * (check_vma_flags and the FOLL_* combinations), the refcounts GUP takes,
 * partial results, FOLL_NOFAULT, FOLL_DUMP and the gup hook.
 */
#include "gup_test.h"

/*
 *  [ anon rw 0x11 ]  get_user_pages(write)  -> 1, refcount +1; put -> back
 */
static void test_get_takes_one_reference(void **state)
{
	struct fl_world *w = kworld(6, 6, 0);
	fl_addr_t a = anon_page(w, 0x11);
	struct fl_folio *f = NULL;

	(void)state;
	assert_int_equal(fl_get_user_pages(w, a, 1, FL_FOLL_WRITE, &f), 1);
	assert_ptr_equal(f, folio_at(w, "p", a));
	assert_int_equal(f->refcount, 2);
	assert_false(fl_folio_maybe_dma_pinned(f));
	assert_false(cur_mm(w)->flags & FL_MMF_HAS_PINNED);
	fl_put_user_page(w, f);
	assert_int_equal(f->refcount, 1);
	assert_mm_ok(w);
	fl_world_free(w);
}

/*
 *  [ anon rw 0x11 ]  pin_user_pages -> refcount +1024, MMF_HAS_PINNED; unpin -> back
 */
static void test_pin_adds_bias_and_has_pinned(void **state)
{
	struct fl_world *w = kworld(6, 6, 0);
	fl_addr_t a = anon_page(w, 0x11);
	struct fl_folio *f = NULL;

	(void)state;
	assert_int_equal(fl_pin_user_pages(w, a, 1, 0, &f), 1);
	assert_int_equal(f->refcount, 1 + FL_GUP_PIN_COUNTING_BIAS);
	assert_true(fl_folio_maybe_dma_pinned(f));
	assert_true(cur_mm(w)->flags & FL_MMF_HAS_PINNED);
	fl_unpin_user_page(w, f);
	assert_int_equal(f->refcount, 1);
	assert_mm_ok(w);
	fl_world_free(w);
}

/*
 *  [ anon rw, never touched ]  read GUP -> the zero page, no reference taken
 */
static void test_zero_page_returned_without_reference(void **state)
{
	struct fl_world *w = kworld(5, 9, 0);
	fl_addr_t a = test_mmap(w, P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
	struct fl_folio *f = NULL;
	uint32_t ref;

	(void)state;
	assert_int_equal(fl_get_user_pages(w, a, 1, 0, &f), 1);
	assert_true(f->flags & FL_FOLIO_ZERO);
	ref = f->refcount;
	fl_put_user_page(w, f);
	assert_int_equal(f->refcount, ref);
	assert_int_equal(fl_pin_user_pages(w, a, 1, 0, &f), 1);
	assert_true(f->flags & FL_FOLIO_ZERO);
	assert_int_equal(f->refcount, ref);
	fl_world_free(w);
}

static void test_get_and_pin_exclusive(void **state)
{
	struct fl_world *w = kworld(6, 6, 0);
	fl_addr_t a = anon_page(w, 0x11);
	struct fl_folio *f = NULL;

	(void)state;
	assert_int_equal(fl_gup_remote(w, cur_mm(w), a, 1, FL_FOLL_GET | FL_FOLL_PIN, &f),
			 -EINVAL);
	assert_int_equal(folio_at(w, "p", a)->refcount, 1);
	fl_world_free(w);
}

static void test_longterm_needs_pin(void **state)
{
	struct fl_world *w = kworld(6, 6, 0);
	fl_addr_t a = anon_page(w, 0x11);
	struct fl_folio *f = NULL;

	(void)state;
	assert_int_equal(fl_get_user_pages(w, a, 1, FL_FOLL_LONGTERM, &f), -EINVAL);
	assert_int_equal(fl_pin_user_pages(w, a, 1, FL_FOLL_LONGTERM, &f), 1);
	fl_unpin_user_page(w, f);
	fl_world_free(w);
}

/*  vma flagged VM_IO -> -EFAULT, whatever the flags */
static void test_vm_io_refused(void **state)
{
	struct fl_world *w = kworld(6, 6, 0);
	fl_addr_t a = anon_page(w, 0x11);
	struct fl_folio *f = NULL;

	(void)state;
	fl_vma_lookup(cur_mm(w), a)->flags |= FL_VM_IO;
	assert_int_equal(fl_get_user_pages(w, a, 1, FL_FOLL_FORCE, &f), -EFAULT);
	fl_world_free(w);
}

/*
 *  [ anon r private ]  write        -> -EFAULT
 *                      write,force  -> 1 (a COW mapping)
 */
static void test_write_to_readonly_needs_force(void **state)
{
	struct fl_world *w = kworld(6, 6, 0);
	fl_addr_t a = test_mmap(w, P, FL_PROT_READ, FL_MAP_PRIVATE, NULL, 0);
	struct fl_folio *f = NULL;

	(void)state;
	assert_int_equal(fl_get_user_pages(w, a, 1, FL_FOLL_WRITE, &f), -EFAULT);
	assert_int_equal(fl_get_user_pages(w, a, 1, FL_FOLL_WRITE | FL_FOLL_FORCE, &f), 1);
	assert_true(f->flags & FL_FOLIO_ANON);
	fl_put_user_page(w, f);
	assert_mm_ok(w);
	fl_world_free(w);
}

/*  [ file r shared ]  write,force -> -EFAULT: FOLL_FORCE has no effect on shared mappings */
static void test_force_write_shared_refused(void **state)
{
	struct fl_world *w = kworld(6, 6, 0);
	struct fl_file *file;
	fl_addr_t a;
	struct fl_folio *f = NULL;

	(void)state;
	assert_int_equal(fl_file_new(w, "f", P, FL_FS_TMPFS, &file), 0);
	a = test_mmap(w, P, FL_PROT_READ, FL_MAP_SHARED, file, 0);
	assert_int_equal(fl_get_user_pages(w, a, 1, FL_FOLL_WRITE | FL_FOLL_FORCE, &f),
			 -EFAULT);
	fl_world_free(w);
}

/*  [ anon none private ]  read -> -EFAULT; read,force -> 1 (VM_MAYREAD) */
static void test_read_of_prot_none_needs_force(void **state)
{
	struct fl_world *w = kworld(6, 6, 0);
	fl_addr_t a = test_mmap(w, P, FL_PROT_NONE, FL_MAP_PRIVATE, NULL, 0);
	struct fl_folio *f = NULL;

	(void)state;
	assert_int_equal(fl_get_user_pages(w, a, 1, 0, &f), -EFAULT);
	assert_int_equal(fl_get_user_pages(w, a, 1, FL_FOLL_FORCE, &f), 1);
	fl_put_user_page(w, f);
	fl_world_free(w);
}

/*
 *  [ rw page ][ guard ]   2 pages from the first -> 1 (fewer than asked)
 *             ^ start     from the guard        -> -EFAULT
 */
static void test_partial_then_error(void **state)
{
	struct fl_world *w = kworld(6, 6, 0);
	fl_addr_t a = anon_page(w, 0x11);
	struct fl_folio *f[2] = { NULL, NULL };

	(void)state;
	assert_int_equal(fl_get_user_pages(w, a, 2, 0, f), 1);
	fl_put_user_page(w, f[0]);
	assert_int_equal(fl_get_user_pages(w, a + P, 1, 0, f), -EFAULT);
	fl_world_free(w);
}

/*  [ anon rw, absent ]  nofault -> -EFAULT (5.16+); -EINVAL before 5.16 */
static void test_nofault(void **state)
{
	struct fl_world *w = kworld(5, 16, 0);
	fl_addr_t a = test_mmap(w, P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
	struct fl_folio *f = NULL;

	(void)state;
	assert_int_equal(fl_get_user_pages(w, a, 1, FL_FOLL_NOFAULT, &f), -EFAULT);
	assert_false(pte_present(w, a));
	store_as(w, "p", a, 1, 1);
	assert_int_equal(fl_get_user_pages(w, a, 1, FL_FOLL_NOFAULT, &f), 1);
	fl_put_user_page(w, f);
	fl_world_free(w);

	w = kworld(5, 15, 0);
	a = anon_page(w, 1);
	assert_int_equal(fl_get_user_pages(w, a, 1, FL_FOLL_NOFAULT, &f), -EINVAL);
	fl_world_free(w);
}

/*  [ anon rw, absent ]  dump -> -EFAULT and nothing faulted in */
static void test_dump_skips_holes(void **state)
{
	struct fl_world *w = kworld(6, 6, 0);
	fl_addr_t a = test_mmap(w, P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
	struct fl_folio *f = NULL;

	(void)state;
	assert_int_equal(fl_get_user_pages(w, a, 1, FL_FOLL_DUMP, &f), -EFAULT);
	assert_false(pte_present(w, a));
	fl_world_free(w);
}

static unsigned hook_count;
static void count_gup(struct fl_world *w, enum fl_hook h, void *arg)
{
	(void)w;
	(void)arg;
	hook_count += h == FL_HOOK_GUP;
}

/*  [ p0 ][ p1 ][ p2 ]  get 3 pages -> the gup hook fires 3 times */
static void test_hook_per_page(void **state)
{
	struct fl_world *w = kworld(6, 6, 0);
	fl_addr_t a = test_mmap(w, 3 * P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
	struct fl_folio *f[3];
	int i;

	(void)state;
	hook_count = 0;
	fl_world_set_hook(w, count_gup, NULL);
	assert_int_equal(fl_get_user_pages(w, a, 3, FL_FOLL_WRITE, f), 3);
	assert_int_equal(hook_count, 3);
	hook_count = 0;
	assert_int_equal(fl_get_user_pages_fast(w, a, 3, 0, f + 0), 3);
	assert_int_equal(hook_count, 3);
	for (i = 0; i < 3; i++) {
		fl_put_user_page(w, f[i]);
		fl_put_user_page(w, f[i]);
	}
	assert_mm_ok(w);
	fl_world_free(w);
}

/*
 *  child: [ shared R/O with parent ]  get(write) -> a write (COW) fault:
 *  the child gets its own exclusive copy, the parent keeps the original
 */
static void test_write_on_ro_pte_breaks_cow(void **state)
{
	struct fl_world *w = kworld(6, 6, 0);
	fl_addr_t a = anon_page(w, 0x11);
	struct fl_folio *orig, *f = NULL;

	(void)state;
	orig = folio_at(w, "p", a);
	do_fork(w, "child");
	as(w, "child");
	assert_int_equal(fl_get_user_pages(w, a, 1, FL_FOLL_WRITE, &f), 1);
	assert_ptr_not_equal(f, orig);
	assert_ptr_equal(f, folio_at(w, "child", a));
	assert_true(pte_writable(w, "child", a));
	assert_int_equal(orig->mapcount, 1);
	fl_put_user_page(w, f);
	assert_mm_ok(w);
	fl_world_free(w);
}

/*  GUP-fast on the zero page and on a prot-none page falls back to the slow path */
static void test_fast_falls_back(void **state)
{
	struct fl_world *w = kworld(6, 6, 0);
	fl_addr_t z = test_mmap(w, P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
	fl_addr_t n = anon_page(w, 0x22);
	struct fl_folio *f = NULL;

	(void)state;
	assert_int_equal(fl_get_user_pages_fast(w, z, 1, 0, &f), 1);
	assert_true(f->flags & FL_FOLIO_ZERO);
	assert_int_equal(fl_mprotect(w, cur_mm(w), n, P, FL_PROT_NONE), 0);
	assert_int_equal(fl_get_user_pages_fast(w, n, 1, 0, &f), -EFAULT);
	/* FOLL_WRITE on a zero-page pte: the slow path's write fault */
	assert_int_equal(fl_get_user_pages_fast(w, z, 1, FL_FOLL_WRITE, &f), 1);
	assert_true(f->flags & FL_FOLIO_ANON);
	fl_put_user_page(w, f);
	assert_mm_ok(w);
	fl_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_takes_one_reference),
		cmocka_unit_test(test_pin_adds_bias_and_has_pinned),
		cmocka_unit_test(test_zero_page_returned_without_reference),
		cmocka_unit_test(test_get_and_pin_exclusive),
		cmocka_unit_test(test_longterm_needs_pin),
		cmocka_unit_test(test_vm_io_refused),
		cmocka_unit_test(test_write_to_readonly_needs_force),
		cmocka_unit_test(test_force_write_shared_refused),
		cmocka_unit_test(test_read_of_prot_none_needs_force),
		cmocka_unit_test(test_partial_then_error),
		cmocka_unit_test(test_nofault),
		cmocka_unit_test(test_dump_skips_holes),
		cmocka_unit_test(test_hook_per_page),
		cmocka_unit_test(test_write_on_ro_pte_breaks_cow),
		cmocka_unit_test(test_fast_falls_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
