/*
 * tests/unit/callers/test_vmsplice.c - vmsplice into a pipe (callers/splice.c):
 * page references instead of copies, host cases 12-15 on 6.18, and
 * CVE-2020-29374 through a pipe across the eras.
 *
 * The address space of "p" (P = 4096):
 *
 *   SRC        SRC+P      DST        DST+P
 *   | rw 0x11 | none     | rw 0x00 |
 *
 *   straddle(10) = SRC + P - 10.  DST is where a reader's pipe_read lands.
 *   After fork the child has the same picture, SRC shared R/O with p.
 */
#include "gup/gup_test.h"

#include <faultline/callers.h>

#define SRC ((fl_addr_t)0x10000000)
#define DST ((fl_addr_t)0x10100000)

static struct fl_world *world(unsigned maj, unsigned min, unsigned patch,
			      struct fl_pipe **pp)
{
	struct fl_world *w = kworld(maj, min, patch);

	assert_int_equal(fl_mmap(w, cur_mm(w), SRC, 2 * P, FL_PROT_READ | FL_PROT_WRITE,
				 FL_MAP_PRIVATE | FL_MAP_FIXED, NULL, 0), (long)SRC);
	assert_mm_ok(w);
	assert_int_equal(fl_mprotect(w, cur_mm(w), SRC + P, P, FL_PROT_NONE), 0);
	assert_mm_ok(w);
	assert_int_equal(fl_mmap(w, cur_mm(w), DST, P, FL_PROT_READ | FL_PROT_WRITE,
				 FL_MAP_PRIVATE | FL_MAP_FIXED, NULL, 0), (long)DST);
	assert_mm_ok(w);
	store_as(w, "p", SRC, 0x11, P);
	assert_mm_ok(w);
	assert_int_equal(fl_pipe_create(w, "pp", pp), 0);
	return w;
}

static long splice_flags(struct fl_world *w, struct fl_pipe *pipe, fl_addr_t a,
			 size_t len, unsigned flags)
{
	const struct fl_iovec iov = { a, len };

	return fl_vmsplice(w, pipe, &iov, 1, flags);
}

static long splice1(struct fl_world *w, struct fl_pipe *pipe, fl_addr_t a, size_t len)
{
	return splice_flags(w, pipe, a, len, 0);
}

/* pipe_read of LEN bytes into DST as NAME; byte 0 of what arrived. */
static uint8_t read_as(struct fl_world *w, const char *name, struct fl_pipe *pipe,
		       size_t len)
{
	const struct fl_iovec iov = { DST, len };

	as(w, name);
	assert_int_equal(fl_pipe_read(w, pipe, &iov, 1), (long)len);
	return load_as(w, name, DST);
}

/* Host case 12: straddle(10) of 20 -> 10, one buffer of the good page. */
static void test_straddle_splices_good_prefix_host_case_12(void **state)
{
	struct fl_pipe *pp;
	struct fl_world *w = world(6, 18, 0, &pp);

	(void)state;
	/* fl_mm_check after every statement (callers' test of it) */
	assert_mm_ok(w);
	assert_int_equal(splice1(w, pp, SRC + P - 10, 20), 10);
	assert_mm_ok(w);
	assert_int_equal(fl_pipe_bytes(pp), 10);
	assert_int_equal(fl_pipe_nrbufs(pp), 1);
	assert_int_equal(folio_at(w, "p", SRC)->refcount, 2);
	assert_mm_ok(w);
	fl_world_free(w);
}

/* Host case 12: a PROT_NONE page -> -EFAULT, nothing queued. */
static void test_prot_none_page_is_efault_host_case_12(void **state)
{
	struct fl_pipe *pp;
	struct fl_world *w = world(6, 18, 0, &pp);

	(void)state;
	assert_int_equal(splice1(w, pp, SRC + P, P), -EFAULT);
	assert_int_equal(fl_pipe_nrbufs(pp), 0);
	fl_world_free(w);
}

/* Length 0 returns 0 before GUP looks at the (bad) address. */
static void test_zero_length_returns_zero(void **state)
{
	struct fl_pipe *pp;
	struct fl_world *w = world(6, 18, 0, &pp);

	(void)state;
	assert_int_equal(splice1(w, pp, SRC + P, 0), 0);
	assert_int_equal(fl_pipe_nrbufs(pp), 0);
	fl_world_free(w);
}

/* Host case 13: the buffer is the page itself: a later store is read. */
static void test_later_store_is_seen_host_case_13(void **state)
{
	struct fl_pipe *pp;
	struct fl_world *w = world(6, 18, 0, &pp);

	(void)state;
	assert_int_equal(splice1(w, pp, SRC, P), (long)P);
	store_as(w, "p", SRC, 0x22, 16);
	assert_int_equal(read_as(w, "p", pp, 16), 0x22);
	assert_false(fl_sys_leaked(w));
	fl_world_free(w);
}

/* Reading the whole buffer releases it: the page's reference goes back. */
static void test_consumed_buffer_drops_reference(void **state)
{
	struct fl_pipe *pp;
	struct fl_world *w = world(6, 18, 0, &pp);

	(void)state;
	assert_int_equal(splice1(w, pp, SRC, 100), 100);
	assert_int_equal(folio_at(w, "p", SRC)->refcount, 2);
	assert_int_equal(read_as(w, "p", pp, 100), 0x11);
	assert_int_equal(fl_pipe_nrbufs(pp), 0);
	assert_int_equal(folio_at(w, "p", SRC)->refcount, 1);
	assert_mm_ok(w);
	fl_world_free(w);
}

/* The CVE shape: fork, the child splices SRC and unmaps it, p writes. */
static struct fl_pipe *cve_child_splices(struct fl_world *w, struct fl_pipe *pp,
					 bool mprotect_step)
{
	do_fork(w, "child");
	as(w, "child");
	assert_int_equal(splice1(w, pp, SRC, P), (long)P);
	assert_int_equal(fl_munmap(w, cur_mm(w), SRC, P), 0);
	as(w, "p");
	if (mprotect_step) {
		assert_int_equal(fl_mprotect(w, cur_mm(w), SRC, P, FL_PROT_READ), 0);
		assert_int_equal(fl_mprotect(w, cur_mm(w), SRC, P,
					     FL_PROT_READ | FL_PROT_WRITE), 0);
	}
	store_as(w, "p", SRC, 0xff, 16);
	assert_mm_ok(w);
	return pp;
}

/* Host case 14 on 6.18: the parent's write copies; the child reads 0x11. */
static void test_cve_child_reads_old_bytes_host_case_14(void **state)
{
	struct fl_pipe *pp;
	struct fl_world *w = world(6, 18, 0, &pp);

	(void)state;
	cve_child_splices(w, pp, false);
	assert_int_equal(read_as(w, "child", pp, 16), 0x11);
	assert_false(fl_sys_leaked(w));
	fl_world_free(w);
}

/* Host case 14 with mprotect(R)/mprotect(RW) before the write: the same. */
static void test_cve_mprotect_step_reads_old_bytes_host_case_14(void **state)
{
	struct fl_pipe *pp;
	struct fl_world *w = world(6, 18, 0, &pp);

	(void)state;
	cve_child_splices(w, pp, true);
	assert_int_equal(read_as(w, "child", pp, 16), 0x11);
	assert_false(fl_sys_leaked(w));
	fl_world_free(w);
}

/* 5.7: the parent's write reuses the page (mapcount 1): the child reads 0xff, a leak. */
static void test_cve_57_leaks_parent_data_to_child(void **state)
{
	struct fl_pipe *pp;
	struct fl_world *w = world(5, 7, 0, &pp);

	(void)state;
	cve_child_splices(w, pp, false);
	assert_int_equal(read_as(w, "child", pp, 16), 0xff);
	assert_true(fl_sys_leaked(w));
	fl_world_free(w);
}

/* 5.7 with the mprotect step: the same leak. */
static void test_cve_57_mprotect_step_leaks(void **state)
{
	struct fl_pipe *pp;
	struct fl_world *w = world(5, 7, 0, &pp);

	(void)state;
	cve_child_splices(w, pp, true);
	assert_int_equal(read_as(w, "child", pp, 16), 0xff);
	assert_true(fl_sys_leaked(w));
	fl_world_free(w);
}

/* 5.7.3, 5.8 (COW broken at GUP), 5.9, 5.19, 6.6 (the copy at write): no leak. */
static void test_cve_fixed_from_573(void **state)
{
	static const unsigned kv[][3] = { { 5, 7, 3 }, { 5, 8, 0 }, { 5, 9, 0 },
					  { 5, 19, 0 }, { 6, 6, 0 } };
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(kv) / sizeof(kv[0]); k++) {
		struct fl_pipe *pp;
		struct fl_world *w = world(kv[k][0], kv[k][1], kv[k][2], &pp);

		cve_child_splices(w, pp, false);
		assert_int_equal(read_as(w, "child", pp, 16), 0x11);
		assert_false(fl_sys_leaked(w));
		fl_world_free(w);
	}
}

/* 5.8: the child's vmsplice broke COW: its pipe holds a copy, not p's page. */
static void test_58_child_splice_holds_private_copy(void **state)
{
	struct fl_pipe *pp;
	struct fl_world *w = world(5, 8, 0, &pp);

	(void)state;
	do_fork(w, "child");
	as(w, "child");
	assert_int_equal(splice1(w, pp, SRC, P), (long)P);
	assert_ptr_not_equal(folio_at(w, "child", SRC), folio_at(w, "p", SRC));
	assert_true(pte_writable(w, "child", SRC));
	fl_world_free(w);
}

/*
 * Host case 15: p splices into pp before fork and into qq after it, then
 * unmaps SRC; the child writes.  Returns qq.
 */
static struct fl_pipe *splice_around_fork(struct fl_world *w, struct fl_pipe *pp)
{
	struct fl_pipe *qq;

	assert_int_equal(fl_pipe_create(w, "qq", &qq), 0);
	assert_int_equal(splice1(w, pp, SRC, P), (long)P);
	do_fork(w, "child");
	as(w, "p");
	assert_int_equal(splice1(w, qq, SRC, P), (long)P);
	assert_int_equal(fl_munmap(w, cur_mm(w), SRC, P), 0);
	store_as(w, "child", SRC, 0x33, 16);
	assert_mm_ok(w);
	return qq;
}

/* Host case 15 on 6.18: both of p's pipes keep the old bytes. */
static void test_splice_around_fork_keeps_old_host_case_15(void **state)
{
	struct fl_pipe *pp, *qq;
	struct fl_world *w = world(6, 18, 0, &pp);

	(void)state;
	qq = splice_around_fork(w, pp);
	assert_int_equal(read_as(w, "p", pp, 16), 0x11);
	assert_int_equal(read_as(w, "p", qq, 16), 0x11);
	assert_false(fl_sys_leaked(w));
	fl_world_free(w);
}

/* 5.8: the reference taken before fork is not helped by the GUP-time
 * break: the child's write reuses the page, p's first pipe sees it. */
static void test_58_splice_before_fork_leaks_child_data(void **state)
{
	struct fl_pipe *pp, *qq;
	struct fl_world *w = world(5, 8, 0, &pp);

	(void)state;
	qq = splice_around_fork(w, pp);
	assert_int_equal(read_as(w, "p", pp, 16), 0x33);
	assert_true(fl_sys_leaked(w));
	assert_int_equal(read_as(w, "p", qq, 16), 0x11);
	assert_false(fl_sys_leaked(w));
	fl_world_free(w);
}

/* 5.9: page_count makes the child's write copy: no leak. */
static void test_59_splice_before_fork_keeps_old(void **state)
{
	struct fl_pipe *pp;
	struct fl_world *w = world(5, 9, 0, &pp);

	(void)state;
	splice_around_fork(w, pp);
	assert_int_equal(read_as(w, "p", pp, 16), 0x11);
	assert_false(fl_sys_leaked(w));
	fl_world_free(w);
}

/* A never-touched page: GUP returns the zero page, with no reference to drop. */
static void test_zero_page_spliced_without_reference(void **state)
{
	struct fl_pipe *pp;
	struct fl_world *w = world(6, 18, 0, &pp);
	fl_addr_t z = test_mmap(w, P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
	uint32_t before;

	(void)state;
	assert_int_equal(splice1(w, pp, z, 16), 16);
	before = folio_at(w, "p", z)->refcount;
	assert_int_equal(read_as(w, "p", pp, 16), 0);
	assert_int_equal(folio_at(w, "p", z)->refcount, before);
	assert_mm_ok(w);
	fl_world_free(w);
}

/* A world whose pipe holds FL_PIPE_BUFFERS buffers of SRC. */
static struct fl_world *full_pipe_world(struct fl_pipe **pp)
{
	struct fl_world *w = world(6, 18, 0, pp);
	unsigned k;

	for (k = 0; k < FL_PIPE_BUFFERS; k++)
		assert_int_equal(splice1(w, *pp, SRC, 8), 8);
	assert_int_equal(folio_at(w, "p", SRC)->refcount, 1 + FL_PIPE_BUFFERS);
	return w;
}

/* A full pipe with SPLICE_F_NONBLOCK: -EAGAIN before GUP runs. */
static void test_full_pipe_nonblock_is_eagain(void **state)
{
	struct fl_pipe *pp;
	struct fl_world *w = full_pipe_world(&pp);

	(void)state;
	assert_int_equal(splice_flags(w, pp, SRC, 8, FL_SPLICE_F_NONBLOCK), -EAGAIN);
	assert_int_equal(folio_at(w, "p", SRC)->refcount, 1 + FL_PIPE_BUFFERS);
	fl_world_free(w);
}

/* LTP vmsplice04: flags 0 on a full pipe waits, and takes no page. */
static void test_full_pipe_waits(void **state)
{
	struct fl_pipe *pp;
	struct fl_world *w = full_pipe_world(&pp);

	(void)state;
	assert_int_equal(splice1(w, pp, SRC, 8), FL_SYS_WAITS);
	assert_int_equal(splice_flags(w, pp, SRC, 8, FL_SPLICE_F_GIFT), FL_SYS_WAITS);
	assert_int_equal(folio_at(w, "p", SRC)->refcount, 1 + FL_PIPE_BUFFERS);
	fl_world_free(w);
}

/* Flags beyond SPLICE_F_ALL: -EINVAL, even on a full pipe. */
static void test_unknown_flags_are_einval(void **state)
{
	struct fl_pipe *pp;
	struct fl_world *w = world(6, 18, 0, &pp);

	(void)state;
	assert_int_equal(splice_flags(w, pp, SRC, 8, 0x10), -EINVAL);
	assert_int_equal(splice_flags(w, pp, SRC, 8, FL_SPLICE_F_GIFT), 8);
	fl_world_free(w);
}

/*
 *   pipe: 15 buffers used; vmsplice of [SRC2 | SRC2+P]: the first page
 *   fills the last slot, add_to_pipe refuses the second: P, and the second
 *   page's reference is dropped.
 */
static void test_pipe_fills_mid_batch_drops_rest(void **state)
{
	struct fl_pipe *pp;
	struct fl_world *w = world(6, 18, 0, &pp);
	fl_addr_t two = test_mmap(w, 2 * P, FL_PROT_READ | FL_PROT_WRITE,
				  FL_MAP_PRIVATE, NULL, 0);
	unsigned k;

	(void)state;
	store_as(w, "p", two, 0x44, P);
	store_as(w, "p", two + P, 0x55, P);
	for (k = 0; k + 1 < FL_PIPE_BUFFERS; k++)
		assert_int_equal(splice1(w, pp, SRC, 8), 8);
	assert_int_equal(splice1(w, pp, two, 2 * P), (long)P);
	assert_int_equal(fl_pipe_nrbufs(pp), FL_PIPE_BUFFERS);
	assert_int_equal(folio_at(w, "p", two)->refcount, 2);
	assert_int_equal(folio_at(w, "p", two + P)->refcount, 1);
	assert_mm_ok(w);
	fl_world_free(w);
}

/* 17 pages: one batch of 16 fills the pipe, the 17th is given back. */
static void test_more_than_a_batch(void **state)
{
	struct fl_pipe *pp;
	struct fl_world *w = world(6, 18, 0, &pp);
	fl_addr_t big = test_mmap(w, 17 * P, FL_PROT_READ | FL_PROT_WRITE,
				  FL_MAP_PRIVATE, NULL, 0);
	unsigned k;

	(void)state;
	for (k = 0; k < 17; k++)
		store_as(w, "p", big + k * P, (uint8_t)k, 1);
	assert_int_equal(splice1(w, pp, big, 17 * P), (long)(16 * P));
	assert_int_equal(fl_pipe_nrbufs(pp), 16);
	assert_int_equal(folio_at(w, "p", big + 16 * P)->refcount, 1);
	assert_int_equal(folio_at(w, "p", big + 15 * P)->refcount, 2);
	fl_world_free(w);
}

/* pipe_write after vmsplice does not merge into the user page. */
static void test_write_does_not_merge_into_user_page(void **state)
{
	struct fl_pipe *pp;
	struct fl_world *w = world(6, 18, 0, &pp);
	const struct fl_iovec iov = { DST, 5 };

	(void)state;
	assert_int_equal(splice1(w, pp, SRC, 10), 10);
	assert_int_equal(fl_pipe_write(w, pp, &iov, 1), 5);
	assert_int_equal(fl_pipe_nrbufs(pp), 2);
	assert_int_equal(load_as(w, "p", SRC + 10), 0x11);
	fl_world_free(w);
}

/* A snapshot keeps the buffer and its reference: restore after reading it. */
static void test_snapshot_restores_buffer_and_reference(void **state)
{
	struct fl_pipe *pp;
	struct fl_world *w = world(6, 18, 0, &pp);

	(void)state;
	assert_int_equal(splice1(w, pp, SRC, 16), 16);
	assert_int_equal(fl_world_snapshot(w), 0);
	assert_int_equal(read_as(w, "p", pp, 16), 0x11);
	assert_int_equal(folio_at(w, "p", SRC)->refcount, 1);
	assert_int_equal(fl_world_restore(w), 0);
	pp = fl_pipe_find(w, "pp");
	assert_non_null(pp);
	assert_int_equal(fl_pipe_bytes(pp), 16);
	assert_int_equal(folio_at(w, "p", SRC)->refcount, 2);
	store_as(w, "p", SRC, 0x66, 1);
	assert_int_equal(read_as(w, "p", pp, 16), 0x66);
	fl_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_straddle_splices_good_prefix_host_case_12),
		cmocka_unit_test(test_prot_none_page_is_efault_host_case_12),
		cmocka_unit_test(test_zero_length_returns_zero),
		cmocka_unit_test(test_later_store_is_seen_host_case_13),
		cmocka_unit_test(test_consumed_buffer_drops_reference),
		cmocka_unit_test(test_cve_child_reads_old_bytes_host_case_14),
		cmocka_unit_test(test_cve_mprotect_step_reads_old_bytes_host_case_14),
		cmocka_unit_test(test_cve_57_leaks_parent_data_to_child),
		cmocka_unit_test(test_cve_57_mprotect_step_leaks),
		cmocka_unit_test(test_cve_fixed_from_573),
		cmocka_unit_test(test_58_child_splice_holds_private_copy),
		cmocka_unit_test(test_splice_around_fork_keeps_old_host_case_15),
		cmocka_unit_test(test_58_splice_before_fork_leaks_child_data),
		cmocka_unit_test(test_59_splice_before_fork_keeps_old),
		cmocka_unit_test(test_zero_page_spliced_without_reference),
		cmocka_unit_test(test_full_pipe_nonblock_is_eagain),
		cmocka_unit_test(test_full_pipe_waits),
		cmocka_unit_test(test_unknown_flags_are_einval),
		cmocka_unit_test(test_pipe_fills_mid_batch_drops_rest),
		cmocka_unit_test(test_more_than_a_batch),
		cmocka_unit_test(test_write_does_not_merge_into_user_page),
		cmocka_unit_test(test_snapshot_restores_buffer_and_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
