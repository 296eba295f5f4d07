/*
 * tests/unit/uffd/test_uffd_arch.c - UFFDIO_API on an arch without the
 * uffd-wp pte bit, as Debian's arm64 kernels answer it under QEMU
 * (tests/vm/uffd-features.fl, docs/vm.md): arm64 has uffd-wp from 6.10
 * (5b32510af77b), and from 1723f04caacb (6.10; 6.1.100 in 6.1 stable) a
 * request for a feature the arch lacks is EINVAL.  Before that a request
 * is refused only when the kernel does not know the feature at all, and
 * the features reported leave write-protect out.  UFFDIO_REGISTER with
 * write-protect mode on such an arch: taken before 00b151f21f39 (5.14),
 * -EINVAL from it (debian-5.10-arm64 and debian-6.1-arm64 under QEMU,
 * tests/vm/uffd-register-wp.fl).  What 5.10 registered does nothing
 * there: no uffd-wp bit, so a write to a write-protected page is an
 * ordinary write fault, no userfault.
 */
#include "uffd_test.h"

static struct fl_world *arch_world(enum fl_arch_id arch, unsigned maj, unsigned min,
				   unsigned patch)
{
	struct fl_world_config cfg = { .arch = arch, .kver = FL_KV(maj, min, patch),
				       .arena_bytes = (size_t)16 << 20, .max_frames = 1024 };
	struct fl_world *w = fl_world_new(&cfg);

	assert_non_null(w);
	if (!fl_current(w))
		assert_int_equal(fl_process_new(w, "p", NULL), 0);
	return w;
}

/* UFFDIO_API asking PAGEFAULT_FLAG_WP on ARCH at MAJ.MIN.PATCH; API out. */
static int ask_wp(enum fl_arch_id arch, unsigned maj, unsigned min, unsigned patch,
		  struct fl_uffdio_api *api)
{
	struct fl_world *w = arch_world(arch, maj, min, patch);
	struct fl_uffd_ctx *ctx;
	int ret;

	assert_int_equal(fl_userfaultfd(w, 0, &ctx), 0);
	*api = (struct fl_uffdio_api){ FL_UFFD_API, FL_UFFD_FEATURE_PAGEFAULT_FLAG_WP, 0 };
	ret = fl_uffdio_api(w, ctx, api);
	fl_world_free(w);
	return ret;
}

/*
 * One row per judge: the answer to the request, and whether the features
 * reported have write-protect (an EINVAL zeroes the whole struct).
 */
static const struct {
	const char *judge;
	enum fl_arch_id arch;
	unsigned maj, min, patch;
	int ret;
	bool wp_reported;
} rows[] = {
	/* debian-6.1-arm64: no uffd-wp, and the request is checked */
	{ "arm64 6.1.176", FL_ARCH_ARM64_MTE, 6, 1, 176, -EINVAL, false },
	/* 6.1 before the backport: accepted, WP left out of the report */
	{ "arm64 6.1.99", FL_ARCH_ARM64, 6, 1, 99, 0, false },
	/* debian-5.10-arm64: no backport there */
	{ "arm64 5.10.223", FL_ARCH_ARM64_MTE, 5, 10, 223, 0, false },
	/* debian-6.12-arm64: uffd-wp from 6.10 */
	{ "arm64 6.12.117", FL_ARCH_ARM64_MTE, 6, 12, 117, 0, true },
	/* x86_64 has had it since uffd-wp came (5.7) */
	{ "x86_64 6.1.176", FL_ARCH_X86_64, 6, 1, 176, 0, true },
};

static void test_wp_request_by_arch_and_version(void **state)
{
	struct fl_uffdio_api api;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int ret = ask_wp(rows[i].arch, rows[i].maj, rows[i].min, rows[i].patch, &api);

		if (ret != rows[i].ret || !!(api.features & FL_UFFD_FEATURE_PAGEFAULT_FLAG_WP) !=
		    rows[i].wp_reported)
			fail_msg("%s: ret %d, features 0x%llx", rows[i].judge, ret,
				 (unsigned long long)api.features);
	}
}

/* UFFDIO_REGISTER of one anonymous page, mode WP, after UFFDIO_API asking nothing. */
static int register_wp(enum fl_arch_id arch, unsigned maj, unsigned min, unsigned patch)
{
	struct fl_world *w = arch_world(arch, maj, min, patch);
	struct fl_uffdio_api api = { FL_UFFD_API, 0, 0 };
	struct fl_uffdio_register reg = { 0, PAGE, FL_UFFDIO_REGISTER_MODE_WP, 0 };
	struct fl_uffd_ctx *ctx;
	long a;
	int ret;

	assert_int_equal(fl_userfaultfd(w, 0, &ctx), 0);
	assert_int_equal(fl_uffdio_api(w, ctx, &api), 0);
	a = fl_mmap(w, fl_current(w)->mm, 0, PAGE, FL_PROT_READ | FL_PROT_WRITE,
		    FL_MAP_PRIVATE, NULL, 0);
	assert_true(a > 0);
	reg.start = (fl_addr_t)a;
	ret = fl_uffdio_register(w, ctx, &reg);
	fl_world_free(w);
	return ret;
}

static void test_wp_register_by_arch_and_version(void **state)
{
	(void)state;
	/* debian-5.10-arm64, and the last version before the check */
	assert_int_equal(register_wp(FL_ARCH_ARM64, 5, 10, 223), 0);
	assert_int_equal(register_wp(FL_ARCH_ARM64, 5, 13, 0), 0);
	/* 00b151f21f39, and debian-6.1-arm64 */
	assert_int_equal(register_wp(FL_ARCH_ARM64, 5, 14, 0), -EINVAL);
	assert_int_equal(register_wp(FL_ARCH_ARM64_MTE, 6, 1, 176), -EINVAL);
	/* arm64 has the bit from 6.10 (debian-6.12-arm64); x86_64 always had */
	assert_int_equal(register_wp(FL_ARCH_ARM64_MTE, 6, 12, 117), 0);
	assert_int_equal(register_wp(FL_ARCH_X86_64, 6, 1, 176), 0);
}

/* arm64 5.10: write-protect on, a write goes through with no message. */
static void test_wp_without_the_bit_does_nothing(void **state)
{
	struct fl_world *w = arch_world(FL_ARCH_ARM64, 5, 10, 223);
	struct fl_uffdio_api api = { FL_UFFD_API, 0, 0 };
	struct fl_uffdio_register reg = { 0, PAGE, FL_UFFDIO_REGISTER_MODE_WP, 0 };
	struct fl_uffdio_writeprotect wp = { { 0, PAGE }, FL_UFFDIO_WRITEPROTECT_MODE_WP };
	struct fl_uffd_ctx *ctx;
	struct fl_uffd_msg msg;
	struct fl_signal sig;
	uint8_t b = 1;
	long a;

	(void)state;
	assert_int_equal(fl_userfaultfd(w, 0, &ctx), 0);
	assert_int_equal(fl_uffdio_api(w, ctx, &api), 0);
	a = fl_mmap(w, fl_current(w)->mm, 0, PAGE, FL_PROT_READ | FL_PROT_WRITE,
		    FL_MAP_PRIVATE, NULL, 0);
	assert_true(a > 0);
	reg.start = wp.range.start = (fl_addr_t)a;
	assert_int_equal(fl_uffdio_register(w, ctx, &reg), 0);
	assert_int_equal(fl_user_store(w, reg.start, &b, 1, &sig), 1);
	assert_int_equal(fl_uffdio_writeprotect(w, ctx, &wp), 0);
	assert_int_equal(fl_user_store(w, reg.start, &b, 1, &sig), 1);
	assert_int_equal(fl_uffd_read(w, ctx, &msg), -EAGAIN);
	fl_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wp_request_by_arch_and_version),
		cmocka_unit_test(test_wp_register_by_arch_and_version),
		cmocka_unit_test(test_wp_without_the_bit_does_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
