/*
 * tests/unit/mm/test_mmap.c - mmap and munmap (mm/mmap.c): placement,
 * errors, splitting, merging, and the zap of what leaves a VMA.
 *
 * Maps are one character per page from BASE: a letter is a VMA (letters
 * count VMAs from the left of the window), a space a hole.
 */
#include "vma_test.h"

/* ---- placement ---- */

static void test_unhinted_below_mmap_base_with_guards(void **state)
{
	struct env *e = *state;
	long a, b;

	/*
	 * top-down from mmap_base (TASK_SIZE_MAX - 128 MiB on x86_64):
	 *   ... g BB g AA g | mmap_base       (g: unmapped guard page)
	 *        " AA BB "  from the guard below the second mapping
	 */
	a = fl_mmap(e->w, e->mm, 0, 2 * P, RW, PRIV, NULL, 0);
	b = fl_mmap(e->w, e->mm, 0, 2 * P, RW, PRIV, NULL, 0);
	assert_int_equal(e->mm->mmap_base, 0x7ffffffff000ull - (128ull << 20));
	assert_int_equal(a, (long)(e->mm->mmap_base - P - 2 * P));
	assert_int_equal(b, a - 3 * (long)P);
	assert_string_equal(map_at(e, (fl_addr_t)b - P, 7), " AA BB ");
	assert_int_equal(e->mm->map_count, 2);
}

static void test_unhinted_reuses_freed_hole(void **state)
{
	struct env *e = *state;
	long a, b, c;

	/* g AA g BB g  -> munmap AA -> the next mapping goes back there. */
	a = fl_mmap(e->w, e->mm, 0, 2 * P, RW, PRIV, NULL, 0);
	b = fl_mmap(e->w, e->mm, 0, 2 * P, RW, PRIV, NULL, 0);
	assert_int_equal(fl_munmap(e->w, e->mm, (fl_addr_t)a, 2 * P), 0);
	c = fl_mmap(e->w, e->mm, 0, 2 * P, RW, PRIV, NULL, 0);
	assert_int_equal(c, a);
	assert_true(b < a);
}

static void test_unhinted_32bit_arch(void **state)
{
	struct fl_world_config cfg = { .arch = FL_ARCH_I386 };
	struct fl_world *w = fl_world_new(&cfg);
	struct fl_process *p;
	long a;

	(void)state;
	assert_non_null(w);
	assert_int_equal(fl_process_new(w, "p", &p), 0);
	a = fl_mmap(w, p->mm, 0, P, RW, PRIV, NULL, 0);
	/* i386: TASK_SIZE 0xc0000000 - 128 MiB, below the 3 GiB line */
	assert_int_equal(a, 0xb8000000l - 2 * (long)P);
	fl_world_free(w);
}

static void test_free_hint_used_as_is(void **state)
{
	struct env *e = *state;

	/*
	 * 01234
	 *  AA       hint = page 1, free: taken exactly, no guard needed
	 */
	assert_int_equal(fl_mmap(e->w, e->mm, PG(1), 2 * P, RW, PRIV, NULL, 0),
			 (long)PG(1));
	assert_string_equal(map(e, 5), " AA  ");
}

static void test_busy_hint_placed_elsewhere(void **state)
{
	struct env *e = *state;
	long a;

	/* 0123: AAA  then a hint at page 1 is taken: placed top-down instead */
	fixed(e, 0, 3, RW);
	a = fl_mmap(e->w, e->mm, PG(1), P, RW, PRIV, NULL, 0);
	assert_true(a > (long)PG(3));
	assert_string_equal(map(e, 4), "AAA ");
}

static void test_unaligned_hint_rounded_up(void **state)
{
	struct env *e = *state;

	assert_int_equal(fl_mmap(e->w, e->mm, PG(1) + 5, P, RW, PRIV, NULL, 0),
			 (long)PG(2));
}

/* ---- mmap errors ---- */

static void test_mmap_len_zero_einval(void **state)
{
	struct env *e = *state;

	assert_int_equal(fl_mmap(e->w, e->mm, 0, 0, RW, PRIV, NULL, 0), -EINVAL);
}

static void test_mmap_fixed_unaligned_einval(void **state)
{
	struct env *e = *state;

	assert_int_equal(fl_mmap(e->w, e->mm, PG(0) + 1, P, RW, FIX, NULL, 0), -EINVAL);
	assert_int_equal(e->mm->map_count, 0);
}

static void test_mmap_shared_and_private_einval(void **state)
{
	struct env *e = *state;

	assert_int_equal(fl_mmap(e->w, e->mm, 0, P, RW,
				 FL_MAP_SHARED | FL_MAP_PRIVATE, NULL, 0), -EINVAL);
}

static void test_mmap_neither_shared_nor_private_einval(void **state)
{
	struct env *e = *state;

	assert_int_equal(fl_mmap(e->w, e->mm, 0, P, RW, 0, NULL, 0), -EINVAL);
}

static void test_mmap_offset_unaligned_einval(void **state)
{
	struct env *e = *state;

	assert_int_equal(fl_mmap(e->w, e->mm, 0, P, RW, PRIV, NULL, 100), -EINVAL);
}

static void test_mmap_bad_prot_einval(void **state)
{
	struct env *e = *state;

	assert_int_equal(fl_mmap(e->w, e->mm, 0, P, 0x100, PRIV, NULL, 0), -EINVAL);
}

static void test_mmap_fixed_noreplace_eexist(void **state)
{
	struct env *e = *state;

	/*
	 * 0123
	 *  AA      NOREPLACE over pages 2..3 overlaps A: -EEXIST, A intact
	 */
	fixed(e, 1, 2, RW);
	assert_int_equal(fl_mmap(e->w, e->mm, PG(2), 2 * P, RW,
				 PRIV | FL_MAP_FIXED_NOREPLACE, NULL, 0), -EEXIST);
	assert_string_equal(map(e, 4), " AA ");
}

static void test_mmap_fixed_noreplace_free_ok(void **state)
{
	struct env *e = *state;

	assert_int_equal(fl_mmap(e->w, e->mm, PG(2), P, RW,
				 PRIV | FL_MAP_FIXED_NOREPLACE, NULL, 0), (long)PG(2));
}

static void test_mmap_beyond_task_size_enomem(void **state)
{
	struct env *e = *state;
	fl_addr_t top = fl_world_arch(e->w)->task_size_max;

	/* the last page below TASK_SIZE_MAX is fine, one more is not */
	assert_int_equal(fl_mmap(e->w, e->mm, top - P, P, RW, FIX, NULL, 0),
			 (long)(top - P));
	assert_int_equal(fl_mmap(e->w, e->mm, top - P, 2 * P, RW, FIX, NULL, 0),
			 -ENOMEM);
}

static void test_mmap_len_over_task_size_enomem(void **state)
{
	struct env *e = *state;
	fl_addr_t top = fl_world_arch(e->w)->task_size_max;

	assert_int_equal(fl_mmap(e->w, e->mm, 0, top + P, RW, PRIV, NULL, 0), -ENOMEM);
}

static void test_mmap_no_room_enomem(void **state)
{
	struct fl_world_config cfg = { .arch = FL_ARCH_I386 };
	struct fl_world *w = fl_world_new(&cfg);
	struct fl_process *p;

	/* 2.9 GiB fits under i386's 3 GiB; a second one finds no hole */
	(void)state;
	assert_non_null(w);
	assert_int_equal(fl_process_new(w, "p", &p), 0);
	assert_true(fl_mmap(w, p->mm, 0, 0xb8000000ul, RW, PRIV, NULL, 0) > 0);
	assert_int_equal(fl_mmap(w, p->mm, 0, 0xb8000000ul, RW, PRIV, NULL, 0), -ENOMEM);
	fl_world_free(w);
}

static void test_mmap_fixed_replaces(void **state)
{
	struct env *e = *state;
	struct fl_vma *vma;

	/*
	 * 012345
	 * AAAAAA    rw
	 * ABBBCC    FIXED r over pages 1..3 replaces the middle
	 */
	fixed(e, 0, 6, RW);
	fixed(e, 1, 3, FL_PROT_READ);
	assert_string_equal(map(e, 6), "ABBBCC");
	vma = fl_vma_lookup(e->mm, PG(2));
	assert_int_equal(vma->flags & (FL_VM_READ | FL_VM_WRITE), FL_VM_READ);
	assert_int_equal(e->mm->map_count, 3);
}

static void test_mmap_fixed_replace_zaps_pages(void **state)
{
	struct env *e = *state;
	char buf[4] = "xyz", out[4];

	/* AA with data at page 1; FIXED over page 1 gives a fresh zero page */
	fixed(e, 0, 2, RW);
	assert_int_equal(fl_poke(e->w, e->mm, PG(1), buf, 3), 0);
	fixed(e, 1, 1, RW);
	assert_int_equal(fl_peek(e->w, e->mm, PG(1), out, 3), 0);
	assert_memory_equal(out, "\0\0\0", 3);
}

/* ---- merging ---- */

static void test_adjacent_anon_merge(void **state)
{
	struct env *e = *state;

	/*
	 * 012345
	 * AAA       then BBB right after, same prot:
	 * AAAAAA    one VMA
	 */
	fixed(e, 0, 3, RW);
	fixed(e, 3, 3, RW);
	assert_string_equal(map(e, 6), "AAAAAA");
	assert_int_equal(e->mm->map_count, 1);
}

static void test_merge_fills_gap_between_two(void **state)
{
	struct env *e = *state;

	/*
	 * 01234
	 * AA BB     then page 2: prev and next both merge
	 * AAAAA
	 */
	fixed(e, 0, 2, RW);
	fixed(e, 3, 2, RW);
	fixed(e, 2, 1, RW);
	assert_string_equal(map(e, 5), "AAAAA");
	assert_int_equal(e->mm->map_count, 1);
}

static void test_different_prot_no_merge(void **state)
{
	struct env *e = *state;

	/* 0123: AABB  rw next to r stays two VMAs */
	fixed(e, 0, 2, RW);
	fixed(e, 2, 2, FL_PROT_READ);
	assert_string_equal(map(e, 4), "AABB");
}

static void test_uffd_ctx_blocks_merge(void **state)
{
	struct env *e = *state;
	int ctx;

	/* 0123: AA registered with a uffd, then BB: AABB, not AAAA */
	fixed(e, 0, 2, RW);
	fl_vma_lookup(e->mm, PG(0))->uffd_ctx = &ctx;
	fixed(e, 2, 2, RW);
	assert_string_equal(map(e, 4), "AABB");
}

static void test_dontcopy_blocks_merge(void **state)
{
	struct env *e = *state;

	/* 0123: AA is VM_DONTCOPY, then BB: AABB */
	fixed(e, 0, 2, RW);
	fl_vma_lookup(e->mm, PG(0))->flags |= FL_VM_DONTCOPY;
	fixed(e, 2, 2, RW);
	assert_string_equal(map(e, 4), "AABB");
}

static void test_file_merge_needs_contiguous_pgoff(void **state)
{
	struct env *e = *state;
	struct fl_file *f;

	/*
	 * 012345
	 * AABB      file at off 0, then off 2 pages: contiguous -> AAAA
	 *     CC    then off 0 again: not contiguous -> stays apart
	 */
	assert_int_equal(fl_file_new(e->w, "f", 8 * P, FL_FS_TMPFS, &f), 0);
	assert_int_equal(fl_mmap(e->w, e->mm, PG(0), 2 * P, RW, FIX, f, 0), (long)PG(0));
	assert_int_equal(fl_mmap(e->w, e->mm, PG(2), 2 * P, RW, FIX, f, 2 * P), (long)PG(2));
	assert_int_equal(fl_mmap(e->w, e->mm, PG(4), 2 * P, RW, FIX, f, 0), (long)PG(4));
	assert_string_equal(map(e, 6), "AAAABB");
}

/* ---- munmap ---- */

static void test_munmap_middle_splits(void **state)
{
	struct env *e = *state;
	struct fl_vma *hi;

	/*
	 * 0123456789
	 * AAAAAAAAAA   munmap pages 3..5
	 * AAA   BBBB   two VMAs; the upper keeps its pgoff in step
	 */
	fixed(e, 0, 10, RW);
	assert_int_equal(fl_munmap(e->w, e->mm, PG(3), 3 * P), 0);
	assert_string_equal(map(e, 10), "AAA   BBBB");
	hi = fl_vma_lookup(e->mm, PG(6));
	assert_int_equal(hi->pgoff, PG(6) >> FL_PAGE_SHIFT);
	assert_int_equal(e->mm->map_count, 2);
}

static void test_munmap_across_vmas_and_holes(void **state)
{
	struct env *e = *state;

	/*
	 * 0123456789
	 * AA BB  CCC   munmap pages 1..7
	 * A       CC
	 */
	fixed(e, 0, 2, RW);
	fixed(e, 3, 2, FL_PROT_READ);
	fixed(e, 7, 3, RW);
	assert_int_equal(fl_munmap(e->w, e->mm, PG(1), 7 * P), 0);
	assert_string_equal(map(e, 10), "A       BB");
}

static void test_munmap_hole_is_fine(void **state)
{
	struct env *e = *state;

	assert_int_equal(fl_munmap(e->w, e->mm, PG(0), 4 * P), 0);
}

static void test_munmap_unaligned_einval(void **state)
{
	struct env *e = *state;

	fixed(e, 0, 2, RW);
	assert_int_equal(fl_munmap(e->w, e->mm, PG(0) + 8, P), -EINVAL);
	assert_string_equal(map(e, 2), "AA");
}

static void test_munmap_len_zero_einval(void **state)
{
	struct env *e = *state;

	assert_int_equal(fl_munmap(e->w, e->mm, PG(0), 0), -EINVAL);
}

static void test_munmap_partial_page_len_rounds_up(void **state)
{
	struct env *e = *state;

	/* 012: AAA, munmap(page 0, 1 byte) removes the whole page: " AA" */
	fixed(e, 0, 3, RW);
	assert_int_equal(fl_munmap(e->w, e->mm, PG(0), 1), 0);
	assert_string_equal(map(e, 3), " AA");
}

static void test_munmap_zaps_pages(void **state)
{
	struct env *e = *state;
	char out[3];
	fl_pte_t *pte;

	/* data in A; munmap; map again at the same place: zeros */
	fixed(e, 0, 1, RW);
	assert_int_equal(fl_poke(e->w, e->mm, PG(0), "abc", 3), 0);
	assert_int_equal(fl_munmap(e->w, e->mm, PG(0), P), 0);
	pte = fl_pte_lookup(e->mm, PG(0));
	assert_true(!pte || !(pte->flags & FL_PTE_PRESENT));
	fixed(e, 0, 1, RW);
	assert_int_equal(fl_peek(e->w, e->mm, PG(0), out, 3), 0);
	assert_memory_equal(out, "\0\0\0", 3);
	assert_int_equal(fl_mm_check(e->w, e->mm), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_unhinted_below_mmap_base_with_guards),
		T(test_unhinted_reuses_freed_hole),
		cmocka_unit_test(test_unhinted_32bit_arch),
		T(test_free_hint_used_as_is),
		T(test_busy_hint_placed_elsewhere),
		T(test_unaligned_hint_rounded_up),
		T(test_mmap_len_zero_einval),
		T(test_mmap_fixed_unaligned_einval),
		T(test_mmap_shared_and_private_einval),
		T(test_mmap_neither_shared_nor_private_einval),
		T(test_mmap_offset_unaligned_einval),
		T(test_mmap_bad_prot_einval),
		T(test_mmap_fixed_noreplace_eexist),
		T(test_mmap_fixed_noreplace_free_ok),
		T(test_mmap_beyond_task_size_enomem),
		T(test_mmap_len_over_task_size_enomem),
		cmocka_unit_test(test_mmap_no_room_enomem),
		T(test_mmap_fixed_replaces),
		T(test_mmap_fixed_replace_zaps_pages),
		T(test_adjacent_anon_merge),
		T(test_merge_fills_gap_between_two),
		T(test_different_prot_no_merge),
		T(test_uffd_ctx_blocks_merge),
		T(test_dontcopy_blocks_merge),
		T(test_file_merge_needs_contiguous_pgoff),
		T(test_munmap_middle_splits),
		T(test_munmap_across_vmas_and_holes),
		T(test_munmap_hole_is_fine),
		T(test_munmap_unaligned_einval),
		T(test_munmap_len_zero_einval),
		T(test_munmap_partial_page_len_rounds_up),
		T(test_munmap_zaps_pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
