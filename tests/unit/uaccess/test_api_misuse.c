/*
 * Misuse of the C API: every bad argument comes back as a negative errno
 * (or the documented "nothing done" count) with a one-line message in
 * fl_world_error(), never a crash.  One misuse per test.
 *
 *      0x200000            0x201000            0x202000
 *      |  a (rw, 1 page)   |  b (rw, 1 page)   |
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <faultline/uaccess.h>

static int setup(void **state)
{
	struct fl_world *w = fl_world_new(NULL);

	if (!w || fl_mmap(w, fl_current(w)->mm, 0x200000, FL_PAGE_SIZE,
			  FL_PROT_READ | FL_PROT_WRITE,
			  FL_MAP_PRIVATE | FL_MAP_FIXED_NOREPLACE, NULL, 0) < 0)
		return -1;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	fl_world_free(*state);
	return 0;
}

static void assert_message(struct fl_world *w, const char *needle)
{
	const char *msg = fl_world_error(w);

	assert_non_null(strstr(msg, needle));
	assert_null(strchr(msg, '\n'));   /* one line */
	fl_world_clear_error(w);
}

static void test_unknown_arch_is_einval(void **state)
{
	struct fl_world_config cfg = { .arch = FL_ARCH_COUNT };
	enum fl_arch_id id;

	(void)state;
	errno = 0;
	assert_null(fl_world_new(&cfg));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(fl_arch_lookup("vax", &id), -EINVAL);
}

static void test_overlapping_fixed_mapping_is_eexist(void **state)
{
	struct fl_world *w = *state;
	long r = fl_mmap(w, fl_current(w)->mm, 0x200000, 2 * FL_PAGE_SIZE,
			 FL_PROT_READ, FL_MAP_PRIVATE | FL_MAP_FIXED_NOREPLACE,
			 NULL, 0);

	assert_int_equal(r, -EEXIST);
	assert_true(fl_world_error(w)[0] != '\0');
	fl_world_clear_error(w);
}

static void test_unaligned_munmap_is_einval(void **state)
{
	struct fl_world *w = *state;

	assert_int_equal(fl_munmap(w, fl_current(w)->mm, 0x200001, FL_PAGE_SIZE), -EINVAL);
	assert_message(w, "munmap");
}

static void test_zero_length_mmap_is_einval(void **state)
{
	struct fl_world *w = *state;

	assert_int_equal(fl_mmap(w, fl_current(w)->mm, 0, 0, FL_PROT_READ,
				 FL_MAP_PRIVATE, NULL, 0), -EINVAL);
	assert_true(fl_world_error(w)[0] != '\0');
	fl_world_clear_error(w);
}

static void test_bad_prot_bits_are_einval(void **state)
{
	struct fl_world *w = *state;

	assert_int_equal(fl_mprotect(w, fl_current(w)->mm, 0x200000, FL_PAGE_SIZE,
				     0x80), -EINVAL);
	assert_true(fl_world_error(w)[0] != '\0');
	fl_world_clear_error(w);
}

static void test_null_kernel_buffer_copies_nothing(void **state)
{
	struct fl_world *w = *state;

	assert_int_equal(fl_copy_to_user(w, 0x200000, NULL, 16), 16);
	assert_message(w, "NULL kernel buffer");
}

static void test_tag_on_x86_is_einval(void **state)
{
	struct fl_world *w = *state;

	assert_int_equal(fl_tag(w, fl_current(w)->mm, 0x200000, 16, 3), -EINVAL);
	assert_true(fl_world_error(w)[0] != '\0');
	fl_world_clear_error(w);
}

static void test_copy_beyond_task_size_fails_access_ok(void **state)
{
	struct fl_world *w = *state;
	char buf[8] = { 0 };

	assert_false(fl_access_ok(w, ~(fl_addr_t)0 - 4, 8));
	assert_int_equal(fl_copy_to_user(w, ~(fl_addr_t)0 - 4, buf, 8), 8);
}

static void test_poke_without_vma_is_efault(void **state)
{
	struct fl_world *w = *state;
	char b = 1;

	assert_int_equal(fl_poke(w, fl_current(w)->mm, 0x300000, &b, 1), -EFAULT);
}

static void test_restore_without_snapshot_is_enoent(void **state)
{
	struct fl_world *w = *state;

	assert_int_equal(fl_world_restore(w), -ENOENT);
	assert_message(w, "no snapshot");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_arch_is_einval),
		cmocka_unit_test_setup_teardown(test_overlapping_fixed_mapping_is_eexist, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unaligned_munmap_is_einval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_length_mmap_is_einval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_prot_bits_are_einval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_kernel_buffer_copies_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tag_on_x86_is_einval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_beyond_task_size_fails_access_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poke_without_vma_is_efault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_without_snapshot_is_enoent, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
