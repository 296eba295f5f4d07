/*
 * tests/unit/mm/test_madvise.c - madvise (mm/madvise.c): the errors, the
 * walk that skips holes, and what each advice leaves behind.
 *
 * Maps are one character per page from BASE: a letter is a VMA (letters
 * count VMAs from the left of the window), a space a hole.
 */
#include "vma_test.h"

#define SHFIX (FL_MAP_SHARED | FL_MAP_FIXED)

static void peek3(struct env *e, int page, char *out)
{
	assert_int_equal(fl_peek(e->w, e->mm, PG(page), out, 3), 0);
}

static uint32_t flags_at(struct env *e, int page)
{
	return fl_vma_lookup(e->mm, PG(page))->flags;
}

static struct fl_file *file_with(struct env *e, const char *data)
{
	struct fl_file *f;

	assert_int_equal(fl_file_new(e->w, "f", 4 * P, FL_FS_TMPFS, &f), 0);
	assert_int_equal(fl_file_pwrite(e->w, f, data, 3, 0), 3);
	return f;
}

/* ---- errors ---- */

static void test_madvise_unaligned_einval(void **state)
{
	struct env *e = *state;

	fixed(e, 0, 1, RW);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0) + 1, P, FL_MADV_DONTNEED), -EINVAL);
}

static void test_madvise_unknown_advice_einval(void **state)
{
	struct env *e = *state;

	fixed(e, 0, 1, RW);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, (enum fl_madvise)99), -EINVAL);
}

static void test_madvise_len_zero_is_noop(void **state)
{
	struct env *e = *state;

	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), 0, FL_MADV_DONTNEED), 0);
}

static void test_madvise_hole_enomem_after_applying(void **state)
{
	struct env *e = *state;
	char out[3];

	/*
	 * 01234
	 * A  B      data in A and B; DONTNEED over 0..4: both zapped,
	 *           the holes reported: -ENOMEM
	 */
	fixed(e, 0, 1, RW);
	fixed(e, 3, 1, RW);
	assert_int_equal(fl_poke(e->w, e->mm, PG(0), "abc", 3), 0);
	assert_int_equal(fl_poke(e->w, e->mm, PG(3), "abc", 3), 0);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), 5 * P, FL_MADV_DONTNEED), -ENOMEM);
	peek3(e, 0, out);
	assert_memory_equal(out, "\0\0\0", 3);
	peek3(e, 3, out);
	assert_memory_equal(out, "\0\0\0", 3);
}

static void test_madvise_all_hole_enomem(void **state)
{
	struct env *e = *state;

	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_DONTNEED), -ENOMEM);
}

/* ---- DONTNEED ---- */

static void test_dontneed_anon_private_reads_zero(void **state)
{
	struct env *e = *state;
	char out[3];

	fixed(e, 0, 1, RW);
	assert_int_equal(fl_poke(e->w, e->mm, PG(0), "abc", 3), 0);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_DONTNEED), 0);
	peek3(e, 0, out);
	assert_memory_equal(out, "\0\0\0", 3);
}

static void test_dontneed_file_private_reverts_to_file(void **state)
{
	struct env *e = *state;
	struct fl_file *f = file_with(e, "FFF");
	char out[3];

	/* a private COW copy "xyz" over the file's "FFF" goes; "FFF" is back */
	assert_int_equal(fl_mmap(e->w, e->mm, PG(0), P, RW, FIX, f, 0), (long)PG(0));
	assert_int_equal(fl_poke(e->w, e->mm, PG(0), "xyz", 3), 0);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_DONTNEED), 0);
	peek3(e, 0, out);
	assert_memory_equal(out, "FFF", 3);
}

static void test_dontneed_shared_keeps_page_cache(void **state)
{
	struct env *e = *state;
	struct fl_file *f = file_with(e, "FFF");
	char out[3];

	/* a shared write reaches the page cache: it survives DONTNEED */
	assert_int_equal(fl_mmap(e->w, e->mm, PG(0), P, RW, SHFIX, f, 0), (long)PG(0));
	assert_int_equal(fl_poke(e->w, e->mm, PG(0), "xyz", 3), 0);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_DONTNEED), 0);
	peek3(e, 0, out);
	assert_memory_equal(out, "xyz", 3);
}

/* ---- REMOVE ---- */

static void test_remove_private_anon_einval(void **state)
{
	struct env *e = *state;

	fixed(e, 0, 1, RW);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_REMOVE), -EINVAL);
}

static void test_remove_private_file_eacces(void **state)
{
	struct env *e = *state;
	struct fl_file *f = file_with(e, "FFF");

	assert_int_equal(fl_mmap(e->w, e->mm, PG(0), P, RW, FIX, f, 0), (long)PG(0));
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_REMOVE), -EACCES);
}

static void test_remove_shared_file_punches(void **state)
{
	struct env *e = *state;
	struct fl_file *f = file_with(e, "FFF");
	char out[3];

	/* file page 1 mapped at page 0; REMOVE punches file page 1 only */
	assert_int_equal(fl_file_pwrite(e->w, f, "GGG", 3, P), 3);
	assert_int_equal(fl_mmap(e->w, e->mm, PG(0), P, RW, SHFIX, f, P), (long)PG(0));
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_REMOVE), 0);
	assert_int_equal(fl_file_pread(e->w, f, out, 3, P), 3);
	assert_memory_equal(out, "\0\0\0", 3);
	assert_int_equal(fl_file_pread(e->w, f, out, 3, 0), 3);
	assert_memory_equal(out, "FFF", 3);
	peek3(e, 0, out);
	assert_memory_equal(out, "\0\0\0", 3);
}

/* ---- PAGEOUT ---- */

static void test_pageout_anon_swaps_and_keeps_data(void **state)
{
	struct env *e = *state;
	char out[3];
	fl_pte_t *pte;

	fixed(e, 0, 1, RW);
	assert_int_equal(fl_poke(e->w, e->mm, PG(0), "abc", 3), 0);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_PAGEOUT), 0);
	pte = fl_pte_lookup(e->mm, PG(0));
	assert_non_null(pte);
	assert_false(pte->flags & FL_PTE_PRESENT);
	peek3(e, 0, out);
	assert_memory_equal(out, "abc", 3);
}

/* ---- POPULATE ---- */

static void test_populate_write_makes_writable_ptes(void **state)
{
	struct env *e = *state;
	fl_pte_t *pte;

	fixed(e, 0, 2, RW);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), 2 * P, FL_MADV_POPULATE_WRITE), 0);
	pte = fl_pte_lookup(e->mm, PG(1));
	assert_non_null(pte);
	assert_true(pte->flags & FL_PTE_PRESENT);
	assert_true(pte->flags & FL_PTE_WRITE);
}

static void test_populate_read_prot_none_einval(void **state)
{
	struct env *e = *state;

	/* permission problems are -EINVAL (eb2faa513c24), not -EFAULT */
	fixed(e, 0, 1, FL_PROT_NONE);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_POPULATE_READ), -EINVAL);
}

static void test_populate_write_readonly_einval(void **state)
{
	struct env *e = *state;

	fixed(e, 0, 1, FL_PROT_READ);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_POPULATE_WRITE), -EINVAL);
}

static void test_populate_stops_at_hole_enomem(void **state)
{
	struct env *e = *state;
	fl_pte_t *pte;

	/*
	 * 0123
	 * A  B      POPULATE_READ over 0..3: A populated, stop at 1: -ENOMEM,
	 *           B untouched (populate does not skip holes)
	 */
	fixed(e, 0, 1, RW);
	fixed(e, 3, 1, RW);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), 4 * P, FL_MADV_POPULATE_READ), -ENOMEM);
	pte = fl_pte_lookup(e->mm, PG(0));
	assert_true(pte && (pte->flags & FL_PTE_PRESENT));
	pte = fl_pte_lookup(e->mm, PG(3));
	assert_true(!pte || !(pte->flags & FL_PTE_PRESENT));
}

/* ---- WIPEONFORK / DONTFORK ---- */

static void test_wipeonfork_shared_einval(void **state)
{
	struct env *e = *state;

	assert_int_equal(fl_mmap(e->w, e->mm, PG(0), P, RW, SHFIX, NULL, 0), (long)PG(0));
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_WIPEONFORK), -EINVAL);
	assert_false(flags_at(e, 0) & FL_VM_WIPEONFORK);
}

static void test_wipeonfork_private_file_einval(void **state)
{
	struct env *e = *state;
	struct fl_file *f = file_with(e, "FFF");

	assert_int_equal(fl_mmap(e->w, e->mm, PG(0), P, RW, FIX, f, 0), (long)PG(0));
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_WIPEONFORK), -EINVAL);
}

static void test_wipeonfork_splits(void **state)
{
	struct env *e = *state;

	/*
	 * 012345
	 * AAAAAA    WIPEONFORK on 2..3
	 * AABBCC
	 */
	fixed(e, 0, 6, RW);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(2), 2 * P, FL_MADV_WIPEONFORK), 0);
	assert_string_equal(map(e, 6), "AABBCC");
	assert_true(flags_at(e, 2) & FL_VM_WIPEONFORK);
	assert_false(flags_at(e, 0) & FL_VM_WIPEONFORK);
}

static void test_wipeonfork_child_reads_zero(void **state)
{
	struct env *e = *state;
	struct fl_process *child;
	char out[3];

	fixed(e, 0, 1, RW);
	assert_int_equal(fl_poke(e->w, e->mm, PG(0), "abc", 3), 0);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_WIPEONFORK), 0);
	assert_int_equal(fl_fork(e->w, fl_current(e->w), "c", &child), 0);
	assert_int_equal(fl_peek(e->w, child->mm, PG(0), out, 3), 0);
	assert_memory_equal(out, "\0\0\0", 3);
	peek3(e, 0, out);
	assert_memory_equal(out, "abc", 3);
}

static void test_dontfork_splits_and_merges_back_adjacent(void **state)
{
	struct env *e = *state;

	/*
	 * 0123
	 * AABB      DONTFORK on 0..1, then on 2..3
	 * AAAA      both halves have VM_DONTCOPY again: merged
	 */
	fixed(e, 0, 4, RW);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), 2 * P, FL_MADV_DONTFORK), 0);
	assert_string_equal(map(e, 4), "AABB");
	assert_int_equal(fl_madvise(e->w, e->mm, PG(2), 2 * P, FL_MADV_DONTFORK), 0);
	assert_string_equal(map(e, 4), "AAAA");
	assert_true(flags_at(e, 3) & FL_VM_DONTCOPY);
}

static void test_dontfork_child_has_no_vma(void **state)
{
	struct env *e = *state;
	struct fl_process *child;

	/* 0123: A BB, DONTFORK on A: the child sees "  AA" (only B) */
	fixed(e, 0, 1, RW);
	fixed(e, 2, 2, FL_PROT_READ);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_DONTFORK), 0);
	assert_int_equal(fl_fork(e->w, fl_current(e->w), "c", &child), 0);
	assert_null(fl_vma_lookup(child->mm, PG(0)));
	assert_non_null(fl_vma_lookup(child->mm, PG(2)));
	assert_int_equal(fl_vma_tree_check(e->w, child->mm), 0);
}

/* ---- guard regions (6.13) ---- */

static bool is_guard(struct env *e, int page)
{
	const fl_pte_t *pte = fl_pte_lookup(e->mm, PG(page));

	return pte && (pte->flags & FL_PTE_GUARD);
}

/* A world of kernel KVER with one process, in E. */
static void env_kver(struct env *e, fl_kver_t kver)
{
	struct fl_world_config cfg = { .kver = kver };
	struct fl_process *p;

	fl_world_free(e->w);
	e->w = fl_world_new(&cfg);
	assert_non_null(e->w);
	assert_int_equal(fl_process_new(e->w, "p", &p), 0);
	e->mm = p->mm;
}

static void test_guard_before_6_13_einval(void **state)
{
	struct env *e = *state;

	env_kver(e, FL_KV(6, 12, 0));
	fixed(e, 0, 1, RW);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_GUARD_INSTALL), -EINVAL);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_GUARD_REMOVE), -EINVAL);
}

static void test_guard_install_zaps_the_page(void **state)
{
	struct env *e = *state;

	fixed(e, 0, 1, RW);
	assert_int_equal(fl_poke(e->w, e->mm, PG(0), "abc", 3), 0);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_GUARD_INSTALL), 0);
	assert_true(is_guard(e, 0));
	assert_false(fl_pte_lookup(e->mm, PG(0))->flags & FL_PTE_PRESENT);
	assert_int_equal(fl_mm_check(e->w, e->mm), 0);
}

static void test_guard_fault_is_sigsegv(void **state)
{
	struct env *e = *state;
	struct fl_vma *vma;

	fixed(e, 0, 1, RW);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_GUARD_INSTALL), 0);
	vma = fl_vma_lookup(e->mm, PG(0));
	assert_int_equal(fl_handle_mm_fault(e->w, vma, PG(0), FL_FAULT_USER),
			 FL_VM_FAULT_SIGSEGV);
}

static void test_guard_kept_by_dontneed(void **state)
{
	struct env *e = *state;

	fixed(e, 0, 2, RW);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_GUARD_INSTALL), 0);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), 2 * P, FL_MADV_DONTNEED), 0);
	assert_true(is_guard(e, 0));
}

static void test_guard_dropped_by_munmap(void **state)
{
	struct env *e = *state;

	fixed(e, 0, 1, RW);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_GUARD_INSTALL), 0);
	assert_int_equal(fl_munmap(e->w, e->mm, PG(0), P), 0);
	fixed(e, 0, 1, RW);
	assert_false(is_guard(e, 0));
}

static void test_guard_remove_keeps_pages(void **state)
{
	struct env *e = *state;
	char out[3];

	fixed(e, 0, 2, RW);
	assert_int_equal(fl_poke(e->w, e->mm, PG(1), "abc", 3), 0);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_GUARD_INSTALL), 0);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), 2 * P, FL_MADV_GUARD_REMOVE), 0);
	assert_false(is_guard(e, 0));
	peek3(e, 1, out);
	assert_memory_equal(out, "abc", 3);
}

static void test_guard_shared_einval_before_6_15(void **state)
{
	struct env *e = *state;

	env_kver(e, FL_KV(6, 14, 0));
	assert_int_equal(fl_mmap(e->w, e->mm, PG(0), P, RW, SHFIX, NULL, 0), (long)PG(0));
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_GUARD_INSTALL), -EINVAL);
}

static void test_guard_shared_copied_by_fork(void **state)
{
	struct env *e = *state;
	struct fl_process *child;
	const fl_pte_t *pte;

	assert_int_equal(fl_mmap(e->w, e->mm, PG(0), P, RW, SHFIX, NULL, 0), (long)PG(0));
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_GUARD_INSTALL), 0);
	assert_int_equal(fl_fork(e->w, fl_current(e->w), "c", &child), 0);
	pte = fl_pte_lookup(child->mm, PG(0));
	assert_true(pte && (pte->flags & FL_PTE_GUARD));
}

/* ---- MADV_FREE, MADV_COLD ---- */

static void test_free_then_pageout_discards(void **state)
{
	struct env *e = *state;
	char out[3];

	fixed(e, 0, 1, RW);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_POPULATE_WRITE), 0);
	assert_int_equal(fl_poke(e->w, e->mm, PG(0), "abc", 3), 0);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_FREE), 0);
	peek3(e, 0, out);
	assert_memory_equal(out, "abc", 3);     /* kept until reclaim */
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_PAGEOUT), 0);
	assert_null(fl_pte_lookup(e->mm, PG(0)) ? fl_pte_lookup(e->mm, PG(0))->folio : NULL);
	peek3(e, 0, out);
	assert_memory_equal(out, "\0\0\0", 3);
	assert_int_equal(fl_mm_check(e->w, e->mm), 0);
}

static void test_free_redirtied_is_swapped(void **state)
{
	struct env *e = *state;
	fl_pte_t *pte;
	char out[3];

	fixed(e, 0, 1, RW);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_POPULATE_WRITE), 0);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_FREE), 0);
	pte = fl_pte_lookup(e->mm, PG(0));
	pte->flags |= FL_PTE_DIRTY;              /* a user store since */
	assert_int_equal(fl_poke(e->w, e->mm, PG(0), "xyz", 3), 0);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_PAGEOUT), 0);
	assert_true(fl_pte_lookup(e->mm, PG(0))->flags & FL_PTE_SWAP);
	peek3(e, 0, out);
	assert_memory_equal(out, "xyz", 3);
}

static void test_free_drops_swap_keeps_guard(void **state)
{
	struct env *e = *state;
	char out[3];

	fixed(e, 0, 2, RW);
	assert_int_equal(fl_poke(e->w, e->mm, PG(1), "abc", 3), 0);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(1), P, FL_MADV_PAGEOUT), 0);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_GUARD_INSTALL), 0);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), 2 * P, FL_MADV_FREE), 0);
	assert_true(is_guard(e, 0));
	peek3(e, 1, out);
	assert_memory_equal(out, "\0\0\0", 3);
}

static void test_free_shared_or_file_einval(void **state)
{
	struct env *e = *state;

	assert_int_equal(fl_mmap(e->w, e->mm, PG(0), P, RW, SHFIX, NULL, 0), (long)PG(0));
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_FREE), -EINVAL);
	assert_int_equal(fl_madvise(e->w, e->mm, PG(0), P, FL_MADV_COLD), 0);
}

/* ---- ftruncate (mm/filemap.c fl_file_truncate), beside the hole punch ---- */

/*
 * Pages 0 and 1 of a private mapping, both COWed: a shrink to one page
 * drops the copy of page 1, past the end (a punch keeps copies), and
 * leaves page 0's.
 */
static void test_truncate_drops_cow_copies_past_the_end(void **state)
{
	struct env *e = *state;
	struct fl_file *f = file_with(e, "FFF");
	char out[3];

	assert_int_equal(fl_mmap(e->w, e->mm, PG(0), 2 * P, RW, FIX, f, 0), (long)PG(0));
	assert_int_equal(fl_poke(e->w, e->mm, PG(0), "xyz", 3), 0);
	assert_int_equal(fl_poke(e->w, e->mm, PG(1), "uvw", 3), 0);
	assert_int_equal(fl_file_truncate(e->w, f, P), 0);
	assert_int_equal(f->size, P);
	assert_true(fl_pte_lookup(e->mm, PG(0))->flags & FL_PTE_PRESENT);
	assert_false(fl_pte_lookup(e->mm, PG(1))->flags & FL_PTE_PRESENT);
	peek3(e, 0, out);
	assert_memory_equal(out, "xyz", 3);
	assert_int_equal(fl_mm_check(e->w, e->mm), 0);
}

static void test_truncate_keeps_guards_zeroes_tail(void **state)
{
	struct env *e = *state;
	struct fl_file *f = file_with(e, "FFF");
	char out[3];

	assert_int_equal(fl_mmap(e->w, e->mm, PG(0), 4 * P, RW, SHFIX, f, 0), (long)PG(0));
	assert_int_equal(fl_madvise(e->w, e->mm, PG(3), P, FL_MADV_GUARD_INSTALL), 0);
	assert_int_equal(fl_file_truncate(e->w, f, 1), 0);
	assert_true(is_guard(e, 3));
	assert_int_equal(fl_file_truncate(e->w, f, 4 * P), 0);
	assert_true(is_guard(e, 3));
	assert_int_equal(fl_file_pread(e->w, f, out, 3, 0), 3);
	assert_memory_equal(out, "F\0\0", 3);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_madvise_unaligned_einval),
		T(test_madvise_unknown_advice_einval),
		T(test_madvise_len_zero_is_noop),
		T(test_madvise_hole_enomem_after_applying),
		T(test_madvise_all_hole_enomem),
		T(test_dontneed_anon_private_reads_zero),
		T(test_dontneed_file_private_reverts_to_file),
		T(test_dontneed_shared_keeps_page_cache),
		T(test_remove_private_anon_einval),
		T(test_remove_private_file_eacces),
		T(test_remove_shared_file_punches),
		T(test_truncate_drops_cow_copies_past_the_end),
		T(test_truncate_keeps_guards_zeroes_tail),
		T(test_pageout_anon_swaps_and_keeps_data),
		T(test_populate_write_makes_writable_ptes),
		T(test_populate_read_prot_none_einval),
		T(test_populate_write_readonly_einval),
		T(test_populate_stops_at_hole_enomem),
		T(test_wipeonfork_shared_einval),
		T(test_wipeonfork_private_file_einval),
		T(test_wipeonfork_splits),
		T(test_wipeonfork_child_reads_zero),
		T(test_dontfork_splits_and_merges_back_adjacent),
		T(test_dontfork_child_has_no_vma),
		T(test_guard_before_6_13_einval),
		T(test_guard_install_zaps_the_page),
		T(test_guard_fault_is_sigsegv),
		T(test_guard_kept_by_dontneed),
		T(test_guard_dropped_by_munmap),
		T(test_guard_remove_keeps_pages),
		T(test_guard_shared_einval_before_6_15),
		T(test_guard_shared_copied_by_fork),
		T(test_free_then_pageout_discards),
		T(test_free_redirtied_is_swapped),
		T(test_free_drops_swap_keeps_guard),
		T(test_free_shared_or_file_einval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
