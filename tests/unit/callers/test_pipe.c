/*
 * tests/unit/callers/test_pipe.c - pipe_read and pipe_write, host cases 6
 * and 7 on x86_64 6.18.
 *
 *   0x200000   0x201000   0x202000   0x203000
 *   | A rw    | B none   | C rw     | D none   |
 *
 * C holds seq bytes (byte i = i & 0xff) as the writer's source.
 */
#include "sys_test.h"

static struct fl_world *w;
static struct fl_pipe *pp;

static int setup(void **state)
{
	(void)state;
	w = sys_world("6.18", FL_ARCH_X86_64);
	sys_map_abcd(w);
	sys_poke_seq(w, C, P, 0);
	assert_int_equal(fl_pipe_create(w, "pp", &pp), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fl_world_free(w);
	return 0;
}

static long pwrite1(fl_addr_t buf, size_t len)
{
	const struct fl_iovec iov = { buf, len };

	return fl_pipe_write(w, pp, &iov, 1);
}

static long pread1(fl_addr_t buf, size_t len)
{
	const struct fl_iovec iov = { buf, len };

	return fl_pipe_read(w, pp, &iov, 1);
}

/* Host case 6: 20 bytes in the pipe, read into straddle(10): -EFAULT, the
 * 10 accessible bytes are written, and the pipe still holds all 20. */
static void test_short_read_keeps_buffer_host_case_6(void **state)
{
	(void)state;
	assert_int_equal(pwrite1(C, 20), 20);
	assert_int_equal(pread1(A + P - 10, 20), -EFAULT);
	assert_int_equal(sys_peek1(w, A + P - 10), 0);
	assert_int_equal(sys_peek1(w, A + P - 1), 9);
	assert_int_equal(fl_pipe_bytes(pp), 20);
	assert_int_equal(pread1(A, 20), 20);
	assert_int_equal(sys_peek1(w, A + 19), 19);
}

/* Host case 7: two full buffers, read 2P into [A rw][B none]: P, the
 * second buffer stays. */
static void test_read_two_buffers_into_rw_none_host_case_7(void **state)
{
	(void)state;
	sys_map(w, C + P, P, FL_PROT_READ | FL_PROT_WRITE, 0x11);   /* D becomes rw */
	assert_int_equal(pwrite1(C, 2 * P), (long)(2 * P));
	assert_int_equal(fl_pipe_nrbufs(pp), 2);
	assert_int_equal(pread1(A, 2 * P), (long)P);
	assert_int_equal(fl_pipe_nrbufs(pp), 1);
	assert_int_equal(fl_pipe_bytes(pp), P);
}

/* Host case 7b: starting 100 bytes before B: -EFAULT and both stay. */
static void test_read_100_before_none_keeps_both_host_case_7(void **state)
{
	(void)state;
	sys_map(w, C + P, P, FL_PROT_READ | FL_PROT_WRITE, 0x11);
	assert_int_equal(pwrite1(C, 2 * P), (long)(2 * P));
	assert_int_equal(pread1(A + P - 100, 2 * P), -EFAULT);
	assert_int_equal(fl_pipe_nrbufs(pp), 2);
	assert_int_equal(fl_pipe_bytes(pp), 2 * P);
	assert_int_equal(sys_peek1(w, A + P - 1), 99);
}

/* A short copy after a whole buffer: return the whole buffer's bytes. */
static void test_short_read_after_buffer_returns_bytes(void **state)
{
	(void)state;
	assert_int_equal(pwrite1(C, 20), 20);
	assert_int_equal(pwrite1(C, P), (long)P);   /* a second buffer */
	assert_int_equal(pread1(A + P - 30, 40), 20);
	assert_int_equal(fl_pipe_bytes(pp), P);
}

/* The model's pipes do not block: an empty pipe reads -EAGAIN. */
static void test_empty_pipe_is_eagain(void **state)
{
	(void)state;
	assert_int_equal(pread1(A, 10), -EAGAIN);
	assert_int_equal(pread1(B, 0), 0);
}

/* A write whose first page copy is short: -EFAULT, nothing in the pipe. */
static void test_write_from_straddle_is_efault(void **state)
{
	(void)state;
	assert_int_equal(pwrite1(A + P - 10, 20), -EFAULT);
	assert_int_equal(fl_pipe_bytes(pp), 0);
}

/* A write of [A][B]: the first page goes in, the second faults: P. */
static void test_write_counts_whole_pages_only(void **state)
{
	(void)state;
	assert_int_equal(pwrite1(A, 2 * P), (long)P);
	assert_int_equal(fl_pipe_bytes(pp), P);
}

/* Small writes merge into the last buffer. */
static void test_small_writes_merge(void **state)
{
	(void)state;
	assert_int_equal(pwrite1(C, 10), 10);
	assert_int_equal(pwrite1(C + 10, 10), 10);
	assert_int_equal(fl_pipe_nrbufs(pp), 1);
	assert_int_equal(pread1(A, 20), 20);
	assert_int_equal(sys_peek1(w, A + 15), 15);
}

static long splice_to(struct fl_pipe *out, size_t len)
{
	const struct fl_fd in = { .pipe = pp }, o = { .pipe = out, .write_end = true };

	return fl_splice(w, &in, -1, &o, -1, len, 0);
}

/* splice to a pipe: a buffer moved whole can still be merged into. */
static void test_splice_whole_buffer_merges(void **state)
{
	struct fl_pipe *qq;

	(void)state;
	assert_int_equal(fl_pipe_create(w, "qq", &qq), 0);
	assert_int_equal(pwrite1(C, 10), 10);
	assert_int_equal(splice_to(qq, 10), 10);
	assert_int_equal(fl_pipe_nrbufs(pp), 0);
	assert_int_equal(fl_pipe_write(w, qq, &(struct fl_iovec){ C + 10, 10 }, 1), 10);
	assert_int_equal(fl_pipe_nrbufs(qq), 1);
}

/* splice to a pipe: the part split off a buffer is never merged into. */
static void test_splice_split_buffer_no_merge(void **state)
{
	struct fl_pipe *qq;
	uint8_t got[20];

	(void)state;
	assert_int_equal(fl_pipe_create(w, "qq", &qq), 0);
	assert_int_equal(pwrite1(C, 10), 10);
	assert_int_equal(splice_to(qq, 4), 4);
	assert_int_equal(fl_pipe_bytes(pp), 6);
	assert_int_equal(fl_pipe_write(w, qq, &(struct fl_iovec){ C + 4, 6 }, 1), 6);
	assert_int_equal(fl_pipe_nrbufs(qq), 2);
	assert_int_equal(fl_pipe_peek(w, qq, got, sizeof(got)), 10);
	assert_int_equal(got[9], 9);
}

/* A failed merge fails the whole write, and the pipe is unchanged. */
static void test_failed_merge_is_efault(void **state)
{
	(void)state;
	assert_int_equal(pwrite1(C, 10), 10);
	assert_int_equal(pwrite1(A + P - 5, 10), -EFAULT);
	assert_int_equal(fl_pipe_bytes(pp), 10);
}

/* 16 buffers: a write of 17 pages puts 16 in and returns that. */
static void test_full_pipe_takes_sixteen_pages(void **state)
{
	unsigned k;

	(void)state;
	for (k = 0; k < FL_PIPE_BUFFERS; k++)
		assert_int_equal(pwrite1(C, P), (long)P);
	assert_int_equal(pwrite1(C, P), -EAGAIN);
	assert_int_equal(fl_pipe_nrbufs(pp), FL_PIPE_BUFFERS);
}

/* Pipe contents are in the snapshot. */
static void test_snapshot_restores_pipe(void **state)
{
	(void)state;
	assert_int_equal(pwrite1(C, 20), 20);
	assert_int_equal(fl_world_snapshot(w), 0);
	assert_int_equal(pread1(A, 20), 20);
	assert_int_equal(fl_pipe_bytes(pp), 0);
	assert_int_equal(fl_world_restore(w), 0);
	assert_int_equal(fl_pipe_bytes(pp), 20);
}

/* Fill the pipe's 16 slots but the last N with a page each. */
static void fill_but(unsigned n)
{
	unsigned i;

	for (i = 0; i + n < FL_PIPE_BUFFERS; i++)
		assert_int_equal(pwrite1(C, P), (long)P);
}

/* Without O_NONBLOCK, an empty pipe waits for a writer; without writers it is 0. */
static void test_blocking_read_waits_then_eof(void **state)
{
	(void)state;
	fl_pipe_set_nonblock(pp, false);
	assert_int_equal(pread1(A, 20), FL_SYS_WAITS);
	assert_int_equal(fl_pipe_close(w, pp, true), 0);
	assert_int_equal(pread1(A, 20), 0);
	assert_int_equal(pwrite1(C, 1), -EBADF);
	assert_int_equal(fl_pipe_close(w, pp, true), -EBADF);
}

/* No reader: -EPIPE and SIGPIPE, once per call; the flag is taken. */
static void test_write_without_reader_is_sigpipe(void **state)
{
	(void)state;
	assert_int_equal(fl_pipe_close(w, pp, false), 0);
	assert_false(fl_sys_sigpipe_take(w));
	assert_int_equal(pwrite1(C, 10), -EPIPE);
	assert_true(fl_sys_sigpipe_take(w));
	assert_false(fl_sys_sigpipe_take(w));
	assert_int_equal(pread1(A, 10), -EBADF);
}

static int parks;

/* A reader comes while the writer waits: it takes one page. */
static int park_reader(void *arg, fl_sys_woken_fn woken, const void *obj, unsigned obj_arg)
{
	(void)arg;
	parks++;
	assert_ptr_equal(obj, pp);
	assert_false(woken(obj, obj_arg));
	assert_int_equal(pread1(A, P), (long)P);
	assert_true(woken(obj, obj_arg));
	return 0;
}

/*
 * A blocking write that filled the pipe after a page waits with that page
 * queued: without a park it stops there (FL_SYS_WAITS, 16 buffers); with
 * one it goes on once a reader made room, and returns every byte.
 */
static void test_blocking_write_waits_with_progress(void **state)
{
	const struct fl_iovec two[2] = { { C, P }, { C, P } };

	(void)state;
	fl_pipe_set_nonblock(pp, false);
	fill_but(1);
	assert_int_equal(fl_pipe_write(w, pp, two, 2), FL_SYS_WAITS);
	assert_int_equal(fl_pipe_nrbufs(pp), FL_PIPE_BUFFERS);
	assert_int_equal(pread1(A, P), (long)P);
	fl_sys_set_park(w, park_reader, NULL);
	parks = 0;
	assert_int_equal(fl_pipe_write(w, pp, two, 2), (long)(2 * P));
	assert_int_equal(parks, 1);
	assert_int_equal(fl_pipe_nrbufs(pp), FL_PIPE_BUFFERS);
	fl_sys_set_park(w, NULL, NULL);
}

/* tee duplicates without consuming; the duplicate is never merged into. */
static void test_tee_duplicate_no_merge(void **state)
{
	struct fl_pipe *out;
	struct fl_fd in = { .pipe = NULL }, o = { .write_end = true };
	const struct fl_iovec small = { C, 5 };

	(void)state;
	assert_int_equal(fl_pipe_create(w, "out", &out), 0);
	in.pipe = pp;
	o.pipe = out;
	assert_int_equal(pwrite1(C, 100), 100);
	assert_int_equal(fl_tee(w, &in, &o, 60, 0), 60);
	assert_int_equal(fl_pipe_bytes(pp), 100);
	assert_int_equal(fl_pipe_bytes(out), 60);
	assert_int_equal(fl_pipe_write(w, out, &small, 1), 5);
	assert_int_equal(fl_pipe_nrbufs(out), 2);
	assert_int_equal(fl_tee(w, &o, &in, 60, 0), -EBADF);
	assert_int_equal(fl_tee(w, &in, &in, 0, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_short_read_keeps_buffer_host_case_6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_two_buffers_into_rw_none_host_case_7, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_100_before_none_keeps_both_host_case_7, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_read_after_buffer_returns_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_pipe_is_eagain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_from_straddle_is_efault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_counts_whole_pages_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_writes_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_splice_whole_buffer_merges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_splice_split_buffer_no_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_merge_is_efault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_pipe_takes_sixteen_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_restores_pipe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blocking_read_waits_then_eof, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_without_reader_is_sigpipe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blocking_write_waits_with_progress, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tee_duplicate_no_merge, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
