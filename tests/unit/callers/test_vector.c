/*
 * tests/unit/callers/test_vector.c - callers/vector.c: an iovec array read
 * from user memory (iovec_from_user), one behaviour per test.
 *
 *   0x200000   0x201000   0x202000   0x203000
 *   | A rw    | B none   | C rw     | D none   |
 */
#include <string.h>

#include "sys_test.h"

/* Write the raw bytes of an iovec array at ADDR, as a program would lay it out. */
static void poke_words(struct fl_world *w, fl_addr_t addr, const void *words, size_t len)
{
	assert_int_equal(fl_poke(w, sys_mm(w), addr, words, len), 0);
}

/* x86_64: two 8-byte words an entry, read in order. */
static void test_iovec_from_user_64(void **state)
{
	struct fl_world *w = sys_world("6.18", FL_ARCH_X86_64);
	uint64_t words[4] = { C, 10, C + 100, 0xffffffffffffffffull };
	struct fl_iovec out[2];

	(void)state;
	sys_map_abcd(w);
	poke_words(w, A, words, sizeof(words));
	assert_int_equal(fl_iovec_from_user(w, A, 2, out), 0);
	assert_int_equal(out[0].base, C);
	assert_int_equal(out[0].len, 10);
	assert_int_equal(out[1].base, C + 100);
	assert_true(out[1].len == (size_t)-1);
	fl_world_free(w);
}

/* i386: two 4-byte words an entry; a length with the top bit set stays negative. */
static void test_iovec_from_user_32(void **state)
{
	struct fl_world *w = sys_world("6.18", FL_ARCH_I386);
	uint32_t words[4] = { (uint32_t)C, 10, (uint32_t)C + 100, 0xffffffffu };
	struct fl_iovec out[2];

	(void)state;
	sys_map_abcd(w);
	poke_words(w, A, words, sizeof(words));
	assert_int_equal(fl_iovec_from_user(w, A, 2, out), 0);
	assert_int_equal(out[1].base, C + 100);
	assert_true((int64_t)out[1].len == -1);
	fl_world_free(w);
}

/* An array whose second entry lies in a PROT_NONE page is EFAULT. */
static void test_iovec_from_user_fault(void **state)
{
	struct fl_world *w = sys_world("6.18", FL_ARCH_X86_64);
	struct fl_iovec out[2];

	(void)state;
	sys_map_abcd(w);
	assert_int_equal(fl_iovec_from_user(w, B - 16, 2, out), -EFAULT);
	fl_world_free(w);
}

/* More than UIO_MAXIOV entries is EINVAL before any byte is read (B is PROT_NONE). */
static void test_iovec_from_user_too_many(void **state)
{
	struct fl_world *w = sys_world("6.18", FL_ARCH_X86_64);
	struct fl_iovec out[1];

	(void)state;
	sys_map_abcd(w);
	assert_int_equal(fl_iovec_from_user(w, B, FL_UIO_MAXIOV + 1, out), -EINVAL);
	fl_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iovec_from_user_64),
		cmocka_unit_test(test_iovec_from_user_32),
		cmocka_unit_test(test_iovec_from_user_fault),
		cmocka_unit_test(test_iovec_from_user_too_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
