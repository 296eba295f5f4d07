/*
 * tests/unit/callers/test_process_vm.c - process_vm_readv/writev, host
 * case 8, on x86_64 6.18.
 *
 *   0x200000   0x201000   0x202000   0x203000
 *   | A rw    | B none   | C rw     | D none   |
 *
 * A holds seq bytes (byte i = i & 0xff); C is 0xcc.
 */
#include "sys_test.h"

static struct fl_world *w;
static struct fl_process *self;

static int setup(void **state)
{
	(void)state;
	w = sys_world("6.18", FL_ARCH_X86_64);
	sys_map_abcd(w);
	sys_poke_seq(w, A, P, 0);
	self = fl_current(w);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fl_world_free(w);
	return 0;
}

static long readv1(struct fl_process *remote, fl_addr_t local, fl_addr_t rem, size_t len)
{
	const struct fl_iovec l = { local, len }, r = { rem, len };

	return fl_process_vm_readv(w, remote, &l, 1, &r, 1);
}

static long writev1(struct fl_process *remote, fl_addr_t local, fl_addr_t rem, size_t len)
{
	const struct fl_iovec l = { local, len }, r = { rem, len };

	return fl_process_vm_writev(w, remote, &l, 1, &r, 1);
}

/* Host case 8: remote straddle(10) of 20 -> 10: one iovec is split per page. */
static void test_remote_straddle_host_case_8(void **state)
{
	(void)state;
	assert_int_equal(readv1(self, C, A + P - 10, 20), 10);
	assert_int_equal(sys_peek1(w, C), (uint8_t)(P - 10));
	assert_int_equal(sys_peek1(w, C + 10), 0xcc);
}

/* Host case 8: local straddle(10) -> 10. */
static void test_local_straddle_host_case_8(void **state)
{
	(void)state;
	assert_int_equal(readv1(self, A + P - 10, C, 20), 10);
	assert_int_equal(sys_peek1(w, A + P - 1), 0xcc);
}

/* The first remote page is PROT_NONE: GUP gets nothing: -EFAULT. */
static void test_remote_prot_none_is_efault(void **state)
{
	(void)state;
	assert_int_equal(readv1(self, C, B, 20), -EFAULT);
}

/* No FOLL_FORCE: writing a read-only remote page is -EFAULT. */
static void test_write_to_read_only_remote_is_efault(void **state)
{
	(void)state;
	assert_int_equal(fl_mprotect(w, sys_mm(w), C, P, FL_PROT_READ), 0);
	assert_int_equal(writev1(self, A, C, 20), -EFAULT);
	assert_int_equal(sys_peek1(w, C), 0xcc);
}

/*
 * Another process: the child of a fork writes into its parent.  The write
 * fault breaks COW in the parent only.
 */
static void test_writev_into_other_process_breaks_cow(void **state)
{
	struct fl_process *child;

	(void)state;
	assert_int_equal(fl_fork(w, self, "child", &child), 0);
	assert_int_equal(fl_set_current(w, child), 0);
	assert_int_equal(writev1(self, C, A, 20), 20);
	assert_int_equal(sys_peek1(w, A), 0);          /* the child's A: old bytes */
	assert_int_equal(fl_set_current(w, self), 0);
	assert_int_equal(sys_peek1(w, A), 0xcc);       /* the parent's A: written */
}

/* Zero-length remote iovecs: nothing to do, 0; an exited process: -ESRCH. */
static void test_empty_and_exited(void **state)
{
	const struct fl_iovec l = { C, 20 }, r = { A, 0 };
	struct fl_process *child;

	(void)state;
	assert_int_equal(fl_process_vm_readv(w, self, &l, 1, &r, 1), 0);
	assert_int_equal(fl_fork(w, self, "child", &child), 0);
	assert_int_equal(fl_process_exit(w, child), 0);
	assert_int_equal(readv1(child, C, A, 20), -ESRCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_remote_straddle_host_case_8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_local_straddle_host_case_8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remote_prot_none_is_efault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_to_read_only_remote_is_efault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writev_into_other_process_breaks_cow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_and_exited, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
