/*
 * tests/unit/callers/test_filemap.c - read/pread/readv of a file through
 * filemap_read, and the host cases 1-5 on the host's kernel (6.18, x86_64).
 *
 *   0x200000   0x201000   0x202000   0x203000
 *   | A rw    | B none   | C rw     | D none   |
 *
 * File f: 2 pages, byte i = (i + 0x40) & 0xff, all in the page cache.
 */
#include "sys_test.h"

static struct fl_world *w;
static struct fl_file *f;

static int setup(void **state)
{
	(void)state;
	w = sys_world("6.18", FL_ARCH_X86_64);
	sys_map_abcd(w);
	f = sys_file(w, "f", 2 * P, FL_FS_TMPFS);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fl_world_free(w);
	return 0;
}

/* Host case 1: read 20 into straddle(10) -> 10, the 10 bytes right, pos +10. */
static void test_read_straddle_returns_prefix_and_advances_pos(void **state)
{
	(void)state;
	assert_int_equal(fl_sys_read(w, f, A + P - 10, 20), 10);
	assert_int_equal(fl_file_pos(w, f), 10);
	assert_int_equal(sys_peek1(w, A + P - 10), 0x40);
	assert_int_equal(sys_peek1(w, A + P - 1), 0x49);
}

/* Host case 1, pread: the same 10 bytes, the position stays. */
static void test_pread_straddle_keeps_pos(void **state)
{
	(void)state;
	assert_int_equal(fl_sys_pread(w, f, A + P - 10, 20, 100), 10);
	assert_int_equal(fl_file_pos(w, f), 0);
	assert_int_equal(sys_peek1(w, A + P - 10), (uint8_t)(100 + 0x40));
}

/* Host case 3: the first byte is PROT_NONE -> -EFAULT, position unchanged. */
static void test_read_into_prot_none_is_efault(void **state)
{
	(void)state;
	assert_int_equal(fl_sys_read(w, f, A + P - 10, 20), 10);
	assert_int_equal(fl_sys_read(w, f, B, 20), -EFAULT);
	assert_int_equal(fl_file_pos(w, f), 10);
}

/* Host case 3: a PROT_READ destination -> -EFAULT, nothing written. */
static void test_read_into_prot_read_is_efault(void **state)
{
	(void)state;
	assert_int_equal(fl_mprotect(w, sys_mm(w), C, P, FL_PROT_READ), 0);
	assert_int_equal(fl_sys_read(w, f, C, 20), -EFAULT);
	assert_int_equal(fl_file_pos(w, f), 0);
	assert_int_equal(sys_peek1(w, C), 0xcc);
}

/* EOF: a read stops at the file size, and at EOF returns 0. */
static void test_read_stops_at_eof(void **state)
{
	(void)state;
	assert_int_equal(fl_sys_pread(w, f, A, 100, 2 * P - 30), 30);
	assert_int_equal(fl_sys_pread(w, f, A, 100, 2 * P), 0);
	assert_int_equal(fl_sys_pread(w, f, B, 100, 2 * P), 0);
}

/* A read crossing a page of the page cache is copied page by page. */
static void test_read_crosses_cache_pages(void **state)
{
	(void)state;
	assert_int_equal(fl_sys_pread(w, f, A, 200, P - 100), 200);
	assert_int_equal(sys_peek1(w, A + 199), (uint8_t)(P - 100 + 199 + 0x40));
}

/* Size 0 returns 0 even at a bad address (host case 2's size 0 rule). */
static void test_read_zero_bytes_at_bad_address(void **state)
{
	(void)state;
	assert_int_equal(fl_sys_read(w, f, B, 0), 0);
}

/* access_ok fails before anything is read: -EFAULT, position unchanged. */
static void test_read_beyond_task_size_fails_access_ok(void **state)
{
	(void)state;
	assert_int_equal(fl_sys_read(w, f, ~0ull - 10, 20), -EFAULT);
	assert_int_equal(fl_file_pos(w, f), 0);
}

/* readv stops at the first short segment; a later good one stays untouched. */
static void test_readv_stops_at_short_segment(void **state)
{
	const struct fl_iovec iov[] = { { A, 10 }, { B - 5, 10 }, { C, 10 } };

	(void)state;
	assert_int_equal(fl_sys_readv(w, f, iov, 3), 15);
	assert_int_equal(fl_file_pos(w, f), 15);
	assert_int_equal(sys_peek1(w, C), 0xcc);
}

/* Host case 4: write 20 from straddle(10) -> 10, the file becomes 10 bytes. */
static void test_write_straddle_host_case_4(void **state)
{
	struct fl_file *g = sys_file(w, "g", 0, FL_FS_TMPFS);

	(void)state;
	assert_int_equal(fl_sys_write(w, g, A + P - 10, 20), 10);
	assert_int_equal(g->size, 10);
	assert_int_equal(fl_file_pos(w, g), 10);
}

/* Host case 5: 3 pages with the middle one PROT_NONE -> P. */
static void test_write_three_pages_host_case_5(void **state)
{
	struct fl_file *g = sys_file(w, "g", 0, FL_FS_TMPFS);

	(void)state;
	/* A rw | B none | C rw */
	assert_int_equal(fl_sys_write(w, g, A, 3 * P), (long)P);
	assert_int_equal(g->size, P);
}

/* pwrite does not move the position; write does, by what it returned. */
static void test_pwrite_keeps_pos_write_advances(void **state)
{
	struct fl_file *g = sys_file(w, "g", 0, FL_FS_TMPFS);
	uint8_t b = 0;

	(void)state;
	assert_int_equal(fl_sys_pwrite(w, g, A, 10, 100), 10);
	assert_int_equal(fl_file_pos(w, g), 0);
	assert_int_equal(g->size, 110);
	assert_int_equal(fl_sys_write(w, g, C, 5), 5);
	assert_int_equal(fl_file_pos(w, g), 5);
	assert_int_equal(fl_file_pread(w, g, &b, 1, 0), 1);
	assert_int_equal(b, 0xcc);
}

/* Open files and their positions are in the snapshot. */
static void test_snapshot_restores_pos(void **state)
{
	(void)state;
	assert_int_equal(fl_sys_read(w, f, A, 10), 10);
	assert_int_equal(fl_world_snapshot(w), 0);
	assert_int_equal(fl_sys_read(w, f, A, 10), 10);
	assert_int_equal(fl_file_pos(w, f), 20);
	assert_int_equal(fl_world_restore(w), 0);
	assert_int_equal(fl_file_pos(w, f), 10);
}

/*
 * arm64 5.10 (no copy_page_to_iter loop): the kernel source is the page
 * plus the file offset, and copy_template aligns it to 16 first.  At
 * offset 100 (12 to align: 4, then 8 bytes) 4 bytes land before the
 * 8-byte store straddles into B; at offset 96 (aligned) the first access
 * is a straddling 16-byte pair, no progress, then one byte (295cf156231c,
 * 5.10.77).  debian-5.10-arm64 answers 4 and 1 (tests/vm/straddle.fl).
 */
static void test_arm64_5_10_pread_counts_by_source_alignment(void **state)
{
	struct fl_world *a = sys_world("5.10.223", FL_ARCH_ARM64);
	struct fl_file *g;

	(void)state;
	sys_map_abcd(a);
	g = sys_file(a, "g", 2 * P, FL_FS_TMPFS);
	assert_int_equal(fl_sys_pread(a, g, A + P - 10, 20, 100), 4);
	assert_int_equal(fl_sys_pread(a, g, A + P - 10, 20, 96), 1);
	fl_world_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_straddle_returns_prefix_and_advances_pos, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pread_straddle_keeps_pos, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_into_prot_none_is_efault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_into_prot_read_is_efault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_stops_at_eof, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_crosses_cache_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_zero_bytes_at_bad_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_beyond_task_size_fails_access_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readv_stops_at_short_segment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_straddle_host_case_4, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_three_pages_host_case_5, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pwrite_keeps_pos_write_advances, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_restores_pos, setup, teardown),
		cmocka_unit_test(test_arm64_5_10_pread_counts_by_source_alignment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
