/*
 * tests/unit/uffd/test_uffd_arch.c - UFFDIO_API on an arch without the
 * uffd-wp pte bit, as Debian's arm64 kernels answer it under QEMU
 * (tests/vm/uffd-features.fl, docs/vm.md): arm64 has uffd-wp from 6.10
 * (5b32510af77b), and from 1723f04caacb (6.10; 6.1.100 in 6.1 stable) a
 * request for a feature the arch lacks is EINVAL.  Before that a request
 * is refused only when the kernel does not know the feature at all, and
 * the features reported leave write-protect out.
 */
#include "uffd_test.h"

/* UFFDIO_API asking PAGEFAULT_FLAG_WP on ARCH at MAJ.MIN.PATCH; API out. */
static int ask_wp(enum fl_arch_id arch, unsigned maj, unsigned min, unsigned patch,
		  struct fl_uffdio_api *api)
{
	struct fl_world_config cfg = { .arch = arch, .kver = FL_KV(maj, min, patch),
				       .arena_bytes = (size_t)16 << 20, .max_frames = 1024 };
	struct fl_world *w = fl_world_new(&cfg);
	struct fl_uffd_ctx *ctx;
	int ret;

	assert_non_null(w);
	if (!fl_current(w))
		assert_int_equal(fl_process_new(w, "p", NULL), 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wp_request_by_arch_and_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
