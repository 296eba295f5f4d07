/*
 * tests/unit/uaccess/test_mte_alias.c - arm64+mte copies on a judge whose
 * CPU lacks FL_CPU_ARM64_MTE_PAGE_OFFSET (QEMU 7.2, docs/vm.md "MTE tags
 * on QEMU 7.2"): the routine asks the tag check per access, and an access
 * that starts in an odd granule passes into the next, tagged one (its tag
 * is read from a byte no STG sets); one that starts in the tagged granule
 * faults.  The figures are debian-6.1-arm64's (tests/vm/mte-odd-granule-
 * straddle.fl).  One behaviour per test.
 *
 *   0x200000: rw page, tag 3 on +0x40 (so on every even granule of the
 *   page when the tags alias); 0x201000: rw page.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <faultline/uaccess.h>

#define A 0x200000ull
#define P 4096ull

/* the kernel side: 16-byte aligned, as the page cache's page pread copies from */
static _Alignas(64) uint8_t kbuf[64];

static struct fl_world *world(unsigned cpu_off)
{
	struct fl_world *w = fl_world_new(&(struct fl_world_config){
		.arch = FL_ARCH_ARM64_MTE, .max_frames = 64, .cpu_off = cpu_off });
	struct fl_process *p;
	uint8_t fill[P];

	assert_non_null(w);
	assert_int_equal(fl_process_new(w, "t", &p), 0);
	assert_int_equal(fl_mmap(w, p->mm, A, 2 * P, FL_PROT_READ | FL_PROT_WRITE,
				 FL_MAP_PRIVATE | FL_MAP_FIXED, NULL, 0), (long)A);
	memset(fill, 7, sizeof(fill));
	assert_int_equal(fl_poke(w, p->mm, A, fill, P), 0);
	assert_int_equal(fl_poke(w, p->mm, A + P, fill, P), 0);
	assert_int_equal(fl_tag(w, p->mm, A + 0x40, 16, 3), 0);
	memset(kbuf, 0x61, sizeof(kbuf));
	return w;
}

static uint8_t peek1(struct fl_world *w, fl_addr_t a)
{
	uint8_t v = 0;

	assert_int_equal(fl_peek(w, fl_current_mm(w), a, &v, 1), 0);
	return v;
}

/* pread 64 at +0x14: the pair's store at +0x1c lands, the one at +0x24 faults */
static void test_store_from_odd_granule_passes_into_tagged(void **state)
{
	struct fl_world *w = world(FL_CPU_ARM64_MTE_PAGE_OFFSET);

	(void)state;
	assert_int_equal(fl_copy_to_user(w, A + 0x14, kbuf, 64), 64 - 16);
	assert_int_equal(peek1(w, A + 0x23), 0x61);
	assert_int_equal(peek1(w, A + 0x24), 7);
	fl_world_free(w);
}

/* the same copy on a CPU with the offset (QEMU 8.0+, hardware): to +0x40 */
static void test_correct_cpu_copies_to_the_tagged_granule(void **state)
{
	struct fl_world *w = world(0);

	(void)state;
	assert_int_equal(fl_copy_to_user(w, A + 0x14, kbuf, 0x40 - 0x14), 0);
	assert_int_equal(fl_copy_to_user(w, A + 0x3c, kbuf, 8), 7);    /* no straddle */
	fl_world_free(w);
}

/* tiny15's one 8-byte store from +0x1c: all 8 */
static void test_single_straddling_store_copies_all(void **state)
{
	struct fl_world *w = world(FL_CPU_ARM64_MTE_PAGE_OFFSET);

	(void)state;
	assert_int_equal(fl_copy_to_user(w, A + 0x1c, kbuf, 8), 0);
	fl_world_free(w);
}

/* a store that starts in the tagged even granule still faults */
static void test_store_starting_in_tagged_granule_faults(void **state)
{
	struct fl_world *w = world(FL_CPU_ARM64_MTE_PAGE_OFFSET);

	(void)state;
	assert_int_equal(fl_copy_to_user(w, A + 0x20, kbuf, 8), 8);
	fl_world_free(w);
}

/* from an even granule into a tagged odd one (+0x40 cleared): the odd nibble, a fault (retry: 1) */
static void test_even_into_tagged_odd_faults(void **state)
{
	struct fl_world *w = world(FL_CPU_ARM64_MTE_PAGE_OFFSET);

	(void)state;
	assert_int_equal(fl_tag(w, fl_current_mm(w), A + 0x40, 16, 0), 0);
	assert_int_equal(fl_tag(w, fl_current_mm(w), A + 0x30, 16, 5), 0);
	assert_int_equal(fl_copy_to_user(w, A + 0x2c, kbuf, 8), 7);
	fl_world_free(w);
}

/* into the next page: its granule 0 is checked in its own page (retry: 1) */
static void test_straddle_into_next_page_faults(void **state)
{
	struct fl_world *w = world(FL_CPU_ARM64_MTE_PAGE_OFFSET);

	(void)state;
	assert_int_equal(fl_tag(w, fl_current_mm(w), A + P, 16, 3), 0);
	assert_int_equal(fl_copy_to_user(w, A + P - 4, kbuf, 8), 7);
	fl_world_free(w);
}

/* copy_from_user aligns the user side first: no load straddles, 12 */
static void test_from_user_aligns_and_stops_at_the_granule(void **state)
{
	struct fl_world *w = world(FL_CPU_ARM64_MTE_PAGE_OFFSET);

	(void)state;
	assert_int_equal(fl_copy_from_user(w, kbuf, A + 0x14, 64), 64 - 12);
	fl_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_from_odd_granule_passes_into_tagged),
		cmocka_unit_test(test_correct_cpu_copies_to_the_tagged_granule),
		cmocka_unit_test(test_single_straddling_store_copies_all),
		cmocka_unit_test(test_store_starting_in_tagged_granule_faults),
		cmocka_unit_test(test_even_into_tagged_odd_faults),
		cmocka_unit_test(test_straddle_into_next_page_faults),
		cmocka_unit_test(test_from_user_aligns_and_stops_at_the_granule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
