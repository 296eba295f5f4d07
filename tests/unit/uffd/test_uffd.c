/*
 * tests/unit/uffd/test_uffd.c - userfaultfd contexts, ioctls and faults,
 * one behaviour per test (kernel-facts.md §4, docs/uffd.md).
 *
 * Map used unless a test says otherwise (one page per column):
 *
 *     area  [ 0 ][ 1 ]      private anonymous rw, registered MISSING
 *     plain [ 0 ]           private anonymous rw, not registered
 */
#include "uffd_test.h"

/* The map above, on kernel MAJ.MIN.PATCH, with FEATURES and context FLAGS. */
static void setup(struct t *t, unsigned maj, unsigned min, unsigned patch,
		  uint64_t features, unsigned flags)
{
	uffd_setup(t, maj, min, patch, features, flags, 1);
}

static int copy(struct t *t, fl_addr_t dst, size_t len, int64_t *field)
{
	static const uint8_t src[2 * PAGE];
	struct fl_uffdio_copy c = { dst, 0, len, 0, UNTOUCHED, src };
	int ret = fl_uffdio_copy(t->w, t->ctx, &c);

	*field = c.copy;
	return ret;
}

/* ---- UFFDIO_API ---- */

static void test_api_bad_api_zeroes_struct(void **state)
{
	struct fl_world *w = kworld(6, 18, 0);
	struct fl_uffdio_api api = { 0xAB, 0, 0x1234 };
	struct fl_uffd_ctx *ctx;

	(void)state;
	assert_int_equal(fl_userfaultfd(w, 0, &ctx), 0);
	assert_int_equal(fl_uffdio_api(w, ctx, &api), -EINVAL);
	assert_int_equal(api.api, 0);
	assert_int_equal(api.ioctls, 0);
	fl_world_free(w);
}

static void test_api_unknown_feature_bit63(void **state)
{
	struct fl_world *w = kworld(6, 18, 0);
	struct fl_uffdio_api api = { FL_UFFD_API, 1ull << 63, 0 };
	struct fl_uffd_ctx *ctx;

	(void)state;
	assert_int_equal(fl_userfaultfd(w, 0, &ctx), 0);
	assert_int_equal(fl_uffdio_api(w, ctx, &api), -EINVAL);
	assert_int_equal(api.features, 0);
	fl_world_free(w);
}

static void test_api_second_call_einval(void **state)
{
	struct t t;
	struct fl_uffdio_api api = { FL_UFFD_API, 0, 0 };

	(void)state;
	setup(&t, 6, 18, 0, 0, 0);
	assert_int_equal(fl_uffdio_api(t.w, t.ctx, &api), -EINVAL);
	fl_world_free(t.w);
}

static void test_register_before_api_einval(void **state)
{
	struct fl_world *w = kworld(6, 18, 0);
	fl_addr_t a = map_anon(w, 1);
	struct fl_uffdio_register reg = { a, PAGE, FL_UFFDIO_REGISTER_MODE_MISSING, 0 };
	struct fl_uffd_ctx *ctx;

	(void)state;
	assert_int_equal(fl_userfaultfd(w, 0, &ctx), 0);
	assert_int_equal(fl_uffdio_register(w, ctx, &reg), -EINVAL);
	fl_world_free(w);
}

/* MOVE is 6.8: 6.7 does not advertise it, 6.8 does; 4.10 has no features. */
static void test_api_features_by_version(void **state)
{
	static const struct { unsigned maj, min; uint64_t has, lacks; } v[] = {
		{ 4, 10, 0, FL_UFFD_FEATURE_EVENT_FORK },
		{ 4, 14, FL_UFFD_FEATURE_SIGBUS, FL_UFFD_FEATURE_PAGEFAULT_FLAG_WP },
		{ 6, 7, FL_UFFD_FEATURE_WP_ASYNC, FL_UFFD_FEATURE_MOVE },
		{ 6, 8, FL_UFFD_FEATURE_MOVE, 1ull << 17 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct fl_world *w = kworld(v[i].maj, v[i].min, 0);
		struct fl_uffdio_api api = { FL_UFFD_API, 0, 0 };
		struct fl_uffd_ctx *ctx;

		assert_int_equal(fl_userfaultfd(w, 0, &ctx), 0);
		assert_int_equal(fl_uffdio_api(w, ctx, &api), 0);
		assert_int_equal(api.features & v[i].has, v[i].has);
		assert_int_equal(api.features & v[i].lacks, 0);
		fl_world_free(w);
	}
}

static void test_api_event_fork_needs_cap(void **state)
{
	struct fl_world *w = kworld(6, 18, 0);
	struct fl_uffdio_api api = { FL_UFFD_API, FL_UFFD_FEATURE_EVENT_FORK, 0 };
	struct fl_uffd_ctx *ctx;

	(void)state;
	assert_int_equal(fl_uffd_set_privilege(w, false, true), 0);
	assert_int_equal(fl_userfaultfd(w, 0, &ctx), 0);
	assert_int_equal(fl_uffdio_api(w, ctx, &api), -EPERM);
	fl_world_free(w);
}

/* Unprivileged without the sysctl: only a USER_MODE_ONLY context (5.11). */
static void test_unprivileged_needs_user_mode_only(void **state)
{
	struct fl_world *w = kworld(5, 11, 0);
	struct fl_uffd_ctx *ctx;

	(void)state;
	assert_int_equal(fl_uffd_set_privilege(w, false, false), 0);
	assert_int_equal(fl_userfaultfd(w, 0, &ctx), -EPERM);
	assert_int_equal(fl_userfaultfd(w, FL_UFFD_USER_MODE_ONLY, &ctx), 0);
	fl_world_free(w);
}

static void test_user_mode_only_unknown_before_5_11(void **state)
{
	struct fl_world *w = kworld(5, 10, 0);
	struct fl_uffd_ctx *ctx;

	(void)state;
	assert_int_equal(fl_userfaultfd(w, FL_UFFD_USER_MODE_ONLY, &ctx), -EINVAL);
	fl_world_free(w);
}

/* ---- UFFDIO_REGISTER ---- */

static void test_register_ioctls_anon_missing_6_8(void **state)
{
	struct fl_world *w = kworld(6, 8, 0);
	fl_addr_t a = map_anon(w, 1);
	struct fl_uffdio_register reg = { a, PAGE, FL_UFFDIO_REGISTER_MODE_MISSING, 0 };

	(void)state;
	uffd_registered(w, 0, &reg);
	assert_int_equal(reg.ioctls, 0x13c);
	fl_world_free(w);
}

/* 5.7: WP mode adds WRITEPROTECT: WAKE|COPY|ZEROPAGE|WRITEPROTECT. */
static void test_register_ioctls_anon_wp_5_7(void **state)
{
	struct fl_world *w = kworld(5, 7, 0);
	fl_addr_t a = map_anon(w, 1);
	struct fl_uffdio_register reg = { a, PAGE, FL_UFFDIO_REGISTER_MODE_MISSING |
					  FL_UFFDIO_REGISTER_MODE_WP, 0 };

	(void)state;
	uffd_registered(w, 0, &reg);
	assert_int_equal(reg.ioctls, 0x5c);
	fl_world_free(w);
}

static void test_register_errors(void **state)
{
	struct t t;
	struct fl_uffd_ctx *other;
	struct fl_uffdio_api api = { FL_UFFD_API, 0, 0 };
	struct fl_uffdio_register reg;

	(void)state;
	setup(&t, 6, 18, 0, 0, 0);
	reg = (struct fl_uffdio_register){ t.plain, PAGE, 0, 0 };
	assert_int_equal(fl_uffdio_register(t.w, t.ctx, &reg), -EINVAL);      /* mode 0 */
	reg.mode = FL_UFFDIO_REGISTER_MODE_MINOR;
	assert_int_equal(fl_uffdio_register(t.w, t.ctx, &reg), -EINVAL);      /* anon */
	reg = (struct fl_uffdio_register){ t.plain + 1, PAGE,
					   FL_UFFDIO_REGISTER_MODE_MISSING, 0 };
	assert_int_equal(fl_uffdio_register(t.w, t.ctx, &reg), -EINVAL);      /* unaligned */
	reg.start = t.plain + PAGE;                                           /* guard gap */
	assert_int_equal(fl_uffdio_register(t.w, t.ctx, &reg), -EINVAL);
	assert_int_equal(fl_userfaultfd(t.w, 0, &other), 0);
	assert_int_equal(fl_uffdio_api(t.w, other, &api), 0);
	reg.start = t.area;
	assert_int_equal(fl_uffdio_register(t.w, other, &reg), -EBUSY);
	fl_vma_lookup(fl_current(t.w)->mm, t.plain)->flags &= ~FL_VM_MAYWRITE;
	reg.start = t.plain;
	assert_int_equal(fl_uffdio_register(t.w, t.ctx, &reg), -EPERM);
	fl_world_free(t.w);
}

/* ---- UFFDIO_COPY ---- */

/* plain is not registered: -EINVAL in 4.10, -ENOENT from 4.11. */
static void test_copy_unregistered_enoent_era(void **state)
{
	struct t t;
	int64_t field;

	(void)state;
	setup(&t, 4, 10, 0, 0, 0);
	assert_int_equal(copy(&t, t.plain, PAGE, &field), -EINVAL);
	assert_int_equal(field, -EINVAL);
	fl_world_free(t.w);
	setup(&t, 4, 11, 0, 0, 0);
	assert_int_equal(copy(&t, t.plain, PAGE, &field), -ENOENT);
	assert_int_equal(field, -ENOENT);
	fl_world_free(t.w);
}

static void test_copy_bad_range_field_untouched(void **state)
{
	struct t t;
	int64_t field;

	(void)state;
	setup(&t, 6, 18, 0, 0, 0);
	assert_int_equal(copy(&t, t.area + 1, PAGE, &field), -EINVAL);
	assert_true(field == UNTOUCHED);
	assert_int_equal(copy(&t, t.area, 0, &field), -EINVAL);
	assert_true(field == UNTOUCHED);
	fl_world_free(t.w);
}

/* area[1] populated first: a 2-page copy stops there, -EAGAIN, copy 4096. */
static void test_copy_partial_eagain(void **state)
{
	struct t t;
	int64_t field;

	(void)state;
	setup(&t, 6, 18, 0, 0, 0);
	assert_int_equal(copy(&t, t.area + PAGE, PAGE, &field), 0);
	assert_int_equal(copy(&t, t.area, 2 * PAGE, &field), -EAGAIN);
	assert_int_equal(field, PAGE);
	fl_world_free(t.w);
}

/*
 * The source is plain[0], never touched: the copy with faults disabled
 * falls short, the retry faults it in, and the ioctl succeeds.
 */
static void test_copy_source_not_present_retries(void **state)
{
	struct t t;
	struct fl_uffdio_copy c;

	(void)state;
	setup(&t, 6, 18, 0, 0, 0);
	c = (struct fl_uffdio_copy){ t.area, t.plain, PAGE, 0, UNTOUCHED, NULL };
	assert_int_equal(fl_uffdio_copy(t.w, t.ctx, &c), 0);
	assert_int_equal(c.copy, PAGE);
	fl_world_free(t.w);
}

/* An unmapped source (the guard page after plain) is -EFAULT. */
static void test_copy_source_unmapped_efault(void **state)
{
	struct t t;
	struct fl_uffdio_copy c;

	(void)state;
	setup(&t, 6, 18, 0, 0, 0);
	c = (struct fl_uffdio_copy){ t.area, t.plain + PAGE, PAGE, 0, UNTOUCHED, NULL };
	assert_int_equal(fl_uffdio_copy(t.w, t.ctx, &c), -EFAULT);
	assert_int_equal(c.copy, -EFAULT);
	fl_world_free(t.w);
}

/* The owner exits: -ENOSPC in 4.11-4.12, -ESRCH from 4.13; field untouched. */
static void test_copy_dead_mm_esrch_era(void **state)
{
	static const struct { unsigned min; int err; } v[] = { { 11, -ENOSPC }, { 13, -ESRCH } };
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct t t;
		int64_t field;

		setup(&t, 4, v[i].min, 0, 0, 0);
		assert_int_equal(fl_process_new(t.w, "monitor", NULL), 0);
		assert_int_equal(fl_process_exit(t.w, fl_process_find(t.w, "p")), 0);
		assert_int_equal(copy(&t, t.area, PAGE, &field), v[i].err);
		assert_true(field == UNTOUCHED);
		fl_world_free(t.w);
	}
}

/* An unread UNMAP event: -EAGAIN; the field is written from 6.15 only. */
static void test_copy_mmap_changing_field_era(void **state)
{
	static const struct { unsigned min, patch; bool written; } v[] = {
		{ 14, 0, false }, { 14, 7, true }, { 15, 0, true },
	};
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct t t;
		struct fl_uffd_msg msg;
		int64_t field;

		setup(&t, 6, v[i].min, v[i].patch, FL_UFFD_FEATURE_EVENT_UNMAP, 0);
		assert_int_equal(fl_munmap(t.w, fl_current(t.w)->mm, t.area + PAGE, PAGE), 0);
		assert_true(fl_uffd_mmap_changing(t.ctx));
		assert_int_equal(copy(&t, t.area, PAGE, &field), -EAGAIN);
		assert_true(v[i].written ? field == -EAGAIN : field == UNTOUCHED);
		assert_int_equal(fl_uffd_read(t.w, t.ctx, &msg), 0);
		assert_int_equal(msg.event, FL_UFFD_EVENT_UNMAP);
		assert_false(fl_uffd_mmap_changing(t.ctx));
		assert_int_equal(copy(&t, t.area, PAGE, &field), 0);
		fl_world_free(t.w);
	}
}

static void test_zeropage_then_eexist(void **state)
{
	struct t t;
	struct fl_uffdio_fill z;

	(void)state;
	setup(&t, 6, 18, 0, 0, 0);
	z = (struct fl_uffdio_fill){ { t.area, PAGE }, 0, UNTOUCHED };
	assert_int_equal(fl_uffdio_zeropage(t.w, t.ctx, &z), 0);
	assert_int_equal(z.out, PAGE);
	assert_int_equal(fl_uffdio_zeropage(t.w, t.ctx, &z), -EEXIST);
	assert_int_equal(z.out, -EEXIST);
	fl_world_free(t.w);
}

/* ---- faults ---- */

/* No monitor: the load stops, the wait is noted, the event is queued. */
static void test_fault_without_monitor_blocks(void **state)
{
	struct t t;
	struct fl_signal sig;
	struct fl_uffd_msg msg;
	fl_addr_t at;
	uint8_t b;

	(void)state;
	setup(&t, 6, 18, 0, 0, 0);
	assert_int_equal(fl_user_load(t.w, t.area + 0x10, &b, 1, &sig), 0);
	assert_true(fl_uffd_take_blocked(t.w, &at));
	assert_int_equal(at, t.area + 0x10);
	assert_int_equal(fl_uffd_read(t.w, t.ctx, &msg), 0);
	assert_int_equal(msg.event, FL_UFFD_EVENT_PAGEFAULT);
	assert_int_equal(msg.address, t.area);          /* page-masked */
	assert_int_equal(msg.flags, 0);
	fl_world_free(t.w);
}

static void test_fault_exact_address(void **state)
{
	struct t t;
	struct fl_signal sig;
	struct fl_uffd_msg msg;
	uint8_t b = 1;

	(void)state;
	setup(&t, 6, 18, 0, FL_UFFD_FEATURE_EXACT_ADDRESS, 0);
	fl_user_store(t.w, t.area + 0x10, &b, 1, &sig);
	assert_int_equal(fl_uffd_read(t.w, t.ctx, &msg), 0);
	assert_int_equal(msg.address, t.area + 0x10);
	assert_int_equal(msg.flags, FL_UFFD_PAGEFAULT_FLAG_WRITE);
	fl_world_free(t.w);
}

static void test_fault_served_by_monitor(void **state)
{
	struct t t;
	struct fl_signal sig;
	uint8_t page[PAGE], b = 0;

	(void)state;
	memset(page, 0x5a, sizeof(page));
	setup(&t, 6, 18, 0, 0, 0);
	assert_int_equal(fl_uffd_serve(t.w, t.ctx, page), 0);
	assert_int_equal(fl_user_load(t.w, t.area + 7, &b, 1, &sig), 1);
	assert_int_equal(sig.sig, FL_SIG_NONE);
	assert_int_equal(b, 0x5a);
	assert_false(fl_uffd_take_blocked(t.w, NULL));
	fl_world_free(t.w);
}

static void test_fault_sigbus_feature(void **state)
{
	struct t t;
	struct fl_signal sig;
	struct fl_uffd_msg msg;
	uint8_t b = 1;

	(void)state;
	setup(&t, 6, 18, 0, FL_UFFD_FEATURE_SIGBUS, FL_UFFD_O_NONBLOCK);
	assert_int_equal(fl_user_store(t.w, t.area, &b, 1, &sig), 0);
	assert_int_equal(sig.sig, FL_SIGBUS);
	assert_int_equal(fl_uffd_read(t.w, t.ctx, &msg), -EAGAIN);
	fl_world_free(t.w);
}

/* USER_MODE_ONLY: copy_to_user into area faults short, no event. */
static void test_fault_user_mode_only_kernel_access(void **state)
{
	struct t t;
	struct fl_uffd_msg msg;
	uint8_t buf[8] = { 0 };

	(void)state;
	setup(&t, 6, 18, 0, 0, FL_UFFD_USER_MODE_ONLY | FL_UFFD_O_NONBLOCK);
	assert_int_equal(fl_copy_to_user(t.w, t.area, buf, sizeof(buf)), sizeof(buf));
	assert_int_equal(fl_uffd_read(t.w, t.ctx, &msg), -EAGAIN);
	assert_false(fl_uffd_take_blocked(t.w, NULL));
	fl_world_free(t.w);
}

/* WP: a store to a write-protected page raises PAGEFAULT with WRITE|WP. */
static void test_fault_writeprotect(void **state)
{
	struct fl_world *w = kworld(6, 18, 0);
	fl_addr_t a = map_anon(w, 1);
	struct fl_uffdio_register reg = { a, PAGE, FL_UFFDIO_REGISTER_MODE_WP, 0 };
	struct fl_uffdio_writeprotect wp = { { a, PAGE }, FL_UFFDIO_WRITEPROTECT_MODE_WP };
	struct fl_uffd_ctx *ctx;
	struct fl_uffd_msg msg;
	struct fl_signal sig;
	uint8_t b = 1;

	(void)state;
	ctx = uffd_registered(w, 0, &reg);
	assert_int_equal(fl_user_store(w, a, &b, 1, &sig), 1);
	assert_int_equal(fl_uffdio_writeprotect(w, ctx, &wp), 0);
	assert_int_equal(fl_user_store(w, a, &b, 1, &sig), 0);
	assert_int_equal(fl_uffd_read(w, ctx, &msg), 0);
	assert_int_equal(msg.flags, FL_UFFD_PAGEFAULT_FLAG_WRITE | FL_UFFD_PAGEFAULT_FLAG_WP);
	wp.mode = 0;
	assert_int_equal(fl_uffdio_writeprotect(w, ctx, &wp), 0);
	assert_int_equal(fl_user_store(w, a, &b, 1, &sig), 1);
	fl_world_free(w);
}

static void test_unregister_makes_faults_normal(void **state)
{
	struct t t;
	struct fl_uffdio_range r;
	struct fl_signal sig;
	uint8_t b = 1;

	(void)state;
	setup(&t, 6, 18, 0, 0, 0);
	r = (struct fl_uffdio_range){ t.area, 2 * PAGE };
	assert_int_equal(fl_uffdio_unregister(t.w, t.ctx, &r), 0);
	assert_int_equal(fl_user_store(t.w, t.area, &b, 1, &sig), 1);
	assert_false(fl_uffd_take_blocked(t.w, NULL));
	fl_world_free(t.w);
}

/* FORK: the child's range is registered to a new context, announced. */
static void test_event_fork_new_context(void **state)
{
	struct t t;
	struct fl_process *child;
	struct fl_uffd_msg msg;
	struct fl_vma *vma;

	(void)state;
	setup(&t, 6, 18, 0, FL_UFFD_FEATURE_EVENT_FORK, 0);
	assert_int_equal(fl_fork(t.w, fl_current(t.w), "c", &child), 0);
	assert_true(fl_uffd_mmap_changing(t.ctx));
	assert_int_equal(fl_uffd_read(t.w, t.ctx, &msg), 0);
	assert_int_equal(msg.event, FL_UFFD_EVENT_FORK);
	assert_non_null(msg.ufd);
	assert_true(msg.ufd != t.ctx);
	vma = fl_vma_lookup(child->mm, t.area);
	assert_true(vma->uffd_ctx == (void *)msg.ufd);
	assert_true(vma->flags & FL_VM_UFFD_MISSING);
	assert_false(fl_uffd_mmap_changing(t.ctx));
	fl_world_free(t.w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_api_bad_api_zeroes_struct),
		cmocka_unit_test(test_api_unknown_feature_bit63),
		cmocka_unit_test(test_api_second_call_einval),
		cmocka_unit_test(test_register_before_api_einval),
		cmocka_unit_test(test_api_features_by_version),
		cmocka_unit_test(test_api_event_fork_needs_cap),
		cmocka_unit_test(test_unprivileged_needs_user_mode_only),
		cmocka_unit_test(test_user_mode_only_unknown_before_5_11),
		cmocka_unit_test(test_register_ioctls_anon_missing_6_8),
		cmocka_unit_test(test_register_ioctls_anon_wp_5_7),
		cmocka_unit_test(test_register_errors),
		cmocka_unit_test(test_copy_unregistered_enoent_era),
		cmocka_unit_test(test_copy_bad_range_field_untouched),
		cmocka_unit_test(test_copy_partial_eagain),
		cmocka_unit_test(test_copy_source_not_present_retries),
		cmocka_unit_test(test_copy_source_unmapped_efault),
		cmocka_unit_test(test_copy_dead_mm_esrch_era),
		cmocka_unit_test(test_copy_mmap_changing_field_era),
		cmocka_unit_test(test_zeropage_then_eexist),
		cmocka_unit_test(test_fault_without_monitor_blocks),
		cmocka_unit_test(test_fault_exact_address),
		cmocka_unit_test(test_fault_served_by_monitor),
		cmocka_unit_test(test_fault_sigbus_feature),
		cmocka_unit_test(test_fault_user_mode_only_kernel_access),
		cmocka_unit_test(test_fault_writeprotect),
		cmocka_unit_test(test_unregister_makes_faults_normal),
		cmocka_unit_test(test_event_fork_new_context),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
