/*
 * tests/unit/backend/test_syscall.c - the syscall rows of the call table
 * (backend/model_syscall.c, backend/host_syscall.c): each scenario runs on
 * the model and on the running kernel, and the same assertions hold on
 * both.  Results are system-call style: bytes, or -1 with errno.
 *
 *      src / dst        +1p
 *      [ rw page ......][ hole ]
 *               ^ +1p-10: 10 bytes before the hole
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "backend_test.h"

/* lines 1-5; names: p=0 f=1 src=2 dst=3, then what a test declares */
#define FILE_SRC "kernel host\nfile f 1p\nmmap src 1p rw private\nmmap dst 1p rw private\n" \
		 "store src \"0123456789abcdefghij\"\n"

static void assert_dst(struct bt *t, const char *want, size_t len)
{
	uint8_t got[32];

	bt_peek(t, bt_map(t, 3), got, len);
	assert_memory_equal(got, want, len);
}

static void check_pwrite_pread(struct bt *t, bool host)
{
	(void)host;
	bt_assert_ret(t, 6, 20);
	bt_assert_ret(t, 7, 20);
	assert_dst(t, "0123456789abcdefghij", 20);
}

/* pwrite then pread of a file: all 20 bytes each way. */
static void test_pwrite_pread(void **state)
{
	(void)state;
	bt_both(FILE_SRC "call pwrite f src 20 0\ncall pread f dst 20 0\n", check_pwrite_pread);
}

static void check_read_short(struct bt *t, bool host)
{
	(void)host;
	bt_assert_ret(t, 6, 20);
	bt_assert_ret(t, 7, 20);
	bt_assert_ret(t, 8, 10);        /* a file read stops short at the hole */
}

/* write and read move the position; a read into the hole is short. */
static void test_read_short_at_hole(void **state)
{
	(void)state;
	bt_both(FILE_SRC "call write f src 20\ncall pread f dst 20 0\n"
		"call read f dst+1p-10 20\n", check_read_short);
}

static void check_writev(struct bt *t, bool host)
{
	(void)host;
	bt_assert_ret(t, 6, 8);
	bt_assert_ret(t, 7, 8);
	assert_dst(t, "2345ab01", 8);
}

/* writev gathers its iovecs in order. */
static void test_writev_gathers(void **state)
{
	(void)state;
	bt_both(FILE_SRC "call writev f src+2:4 src+10:2 src:2\ncall pread f dst 8 0\n",
		check_writev);
}

static void check_readv(struct bt *t, bool host)
{
	(void)host;
	bt_assert_ret(t, 6, 8);
	bt_assert_ret(t, 7, 8);
	assert_dst(t, "45670123", 8);
}

/* readv scatters in iovec order. */
static void test_readv_scatters(void **state)
{
	(void)state;
	bt_both(FILE_SRC "call pwrite f src 8 0\ncall readv f dst+4:4 dst:4\n", check_readv);
}

static void check_pipe_efault(struct bt *t, bool host)
{
	(void)host;
	bt_assert_ret(t, 7, 20);
	bt_assert_errno(t, 8, EFAULT);
	bt_assert_ret(t, 9, 20);
	assert_dst(t, "0123456789abcdefghij", 20);
}

/* host case 6: a pipe read into the hole is EFAULT, and the pipe keeps all 20 bytes. */
static void test_pipe_read_efault_keeps_bytes(void **state)
{
	(void)state;
	bt_both(FILE_SRC "pipe pp\ncall write pp.w src 20\ncall read pp.r dst+1p-10 20\n"
		"call read pp.r dst 20\n", check_pipe_efault);
}

static void check_pipe_errors(struct bt *t, bool host)
{
	(void)host;
	bt_assert_errno(t, 7, ESPIPE);
	bt_assert_errno(t, 8, EBADF);
	bt_assert_errno(t, 9, EAGAIN);  /* empty, O_NONBLOCK on both backends */
}

/* A pipe has no position, its read end takes no write, an empty one answers EAGAIN. */
static void test_pipe_errors(void **state)
{
	(void)state;
	bt_both(FILE_SRC "pipe pp\ncall pread pp.r dst 4 0\ncall write pp.r src 4\n"
		"call read pp.r dst 4\n", check_pipe_errors);
}

static void check_vmsplice(struct bt *t, bool host)
{
	(void)host;
	bt_assert_ret(t, 7, 20);
	bt_assert_ret(t, 8, 20);
	assert_dst(t, "0123456789abcdefghij", 20);
}

/* vmsplice on a bare PIPE is its write end; a reader gets the pages' bytes. */
static void test_vmsplice_then_read(void **state)
{
	(void)state;
	bt_both(FILE_SRC "pipe pp\ncall vmsplice pp src 20\ncall read pp.r dst 20\n",
		check_vmsplice);
}

static void check_process_vm(struct bt *t, bool host)
{
	(void)host;
	bt_assert_ret(t, 7, 20);
	assert_dst(t, "0123456789abcdefghij", 20);
	bt_assert_ret(t, 8, 10);        /* the remote side stops at its hole */
	bt_assert_ret(t, 9, 4);
}

/* process_vm_readv/writev between p and its fork c. */
static void test_process_vm(void **state)
{
	(void)state;
	bt_both(FILE_SRC "fork c\ncall process_vm_readv c dst src 20\n"
		"call process_vm_readv c dst+100 src+1p-10 20\n"
		"call process_vm_writev c src dst 4\n", check_process_vm);
}

static void test_every_syscall_row_reached(void **state)
{
	(void)state;
	bt_assert_cap_reached(FL_CAP_SYSCALL, 0);
	bt_assert_cap_reached(FL_CAP_SYSCALL, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pwrite_pread),
		cmocka_unit_test(test_read_short_at_hole),
		cmocka_unit_test(test_writev_gathers),
		cmocka_unit_test(test_readv_scatters),
		cmocka_unit_test(test_pipe_read_efault_keeps_bytes),
		cmocka_unit_test(test_pipe_errors),
		cmocka_unit_test(test_vmsplice_then_read),
		cmocka_unit_test(test_process_vm),
		cmocka_unit_test(test_every_syscall_row_reached),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
