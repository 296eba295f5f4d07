/*
 * tests/unit/uffd/test_uffd_more.c - UFFDIO_POISON, UFFDIO_MOVE, the
 * monitor's policy and log, handlers of the caller's own, mremap and the
 * REMAP event, THREAD_ID; one behaviour per test (docs/uffd.md).
 *
 * Map used unless a test says otherwise (one page per column):
 *
 *     area  [ 0 ][ 1 ]      private anonymous rw, registered MISSING
 *     plain [ 0 ][ 1 ]      private anonymous rw, not registered
 */
#include "uffd_test.h"

static void setup(struct t *t, unsigned maj, unsigned min, unsigned patch,
		  uint64_t features)
{
	uffd_setup(t, maj, min, patch, features, 0, 2);
}

static int poison(struct t *t, fl_addr_t a, uint64_t len, int64_t *field)
{
	struct fl_uffdio_fill p = { { a, len }, 0, UNTOUCHED };
	int ret = fl_uffdio_poison(t->w, t->ctx, &p);

	*field = p.out;
	return ret;
}

static int move(struct t *t, fl_addr_t dst, fl_addr_t src, uint64_t len,
		uint64_t mode, int64_t *field)
{
	struct fl_uffdio_move mv = { dst, src, len, mode, UNTOUCHED };
	int ret = fl_uffdio_move(t->w, t->ctx, &mv);

	*field = mv.move;
	return ret;
}

static void poke(struct t *t, fl_addr_t a, uint8_t byte)
{
	assert_int_equal(fl_poke(t->w, fl_current(t->w)->mm, a, &byte, 1), 0);
}

static uint32_t pte_flags(struct t *t, fl_addr_t a)
{
	fl_pte_t *pte = fl_pte_lookup(fl_current(t->w)->mm, a);

	return pte ? pte->flags : 0;
}

/* ---- UFFDIO_POISON ---- */

/* area [ P ][   ]: a user load of page 0 gets SIGBUS. */
static void test_poison_user_load_sigbus(void **state)
{
	struct t t;
	struct fl_signal sig;
	int64_t f;
	uint8_t b;

	(void)state;
	setup(&t, 6, 8, 0, 0);
	assert_int_equal(poison(&t, t.area, PAGE, &f), 0);
	assert_int_equal(f, PAGE);
	assert_int_equal(fl_user_load(t.w, t.area, &b, 1, &sig), 0);
	assert_int_equal(sig.sig, FL_SIGBUS);
	fl_world_free(t.w);
}

/* area [ P ][   ]: copy_to_user into page 0 copies nothing (-EFAULT). */
static void test_poison_uaccess_short(void **state)
{
	static const uint8_t buf[16];
	struct t t;
	int64_t f;

	(void)state;
	setup(&t, 6, 8, 0, 0);
	assert_int_equal(poison(&t, t.area, PAGE, &f), 0);
	assert_int_equal(fl_copy_to_user(t.w, t.area, buf, sizeof(buf)), sizeof(buf));
	fl_world_free(t.w);
}

/* area [ x ][   ]: a populated pte is -EEXIST, `updated` says so. */
static void test_poison_populated_eexist(void **state)
{
	struct t t;
	int64_t f;

	(void)state;
	setup(&t, 6, 8, 0, 0);
	poke(&t, t.area, 1);
	assert_int_equal(poison(&t, t.area, PAGE, &f), -EEXIST);
	assert_int_equal(f, -EEXIST);
	fl_world_free(t.w);
}

/* UFFDIO_POISON arrived in 6.6: 6.5 does not know the ioctl. */
static void test_poison_before_6_6_einval(void **state)
{
	struct t t;
	int64_t f;

	(void)state;
	setup(&t, 6, 5, 0, 0);
	assert_int_equal(poison(&t, t.area, PAGE, &f), -EINVAL);
	assert_int_equal(f, UNTOUCHED);
	fl_world_free(t.w);
}

/* plain is not registered: -ENOENT. */
static void test_poison_unregistered_enoent(void **state)
{
	struct t t;
	int64_t f;

	(void)state;
	setup(&t, 6, 8, 0, 0);
	assert_int_equal(poison(&t, t.plain, PAGE, &f), -ENOENT);
	assert_int_equal(f, -ENOENT);
	fl_world_free(t.w);
}

/* ---- UFFDIO_MOVE ---- */

/* plain [ a ][   ] -> area [   ][   ]: the page moves, the source empties. */
static void test_move_page(void **state)
{
	struct t t;
	struct fl_signal sig;
	int64_t f;
	uint8_t b = 0;

	(void)state;
	/* fl_mm_check after every statement (uffd's test of it) */
	setup(&t, 6, 8, 0, 0);
	assert_mm_ok(t.w);
	poke(&t, t.plain, 0xa5);
	assert_mm_ok(t.w);
	assert_int_equal(move(&t, t.area, t.plain, PAGE, 0, &f), 0);
	assert_mm_ok(t.w);
	assert_int_equal(f, PAGE);
	assert_int_equal(pte_flags(&t, t.plain), 0);
	assert_int_equal(fl_user_load(t.w, t.area, &b, 1, &sig), 1);
	assert_int_equal(b, 0xa5);
	assert_mm_ok(t.w);
	fl_world_free(t.w);
}

/* area [ x ][   ]: a populated destination is -EEXIST. */
static void test_move_dst_populated_eexist(void **state)
{
	struct t t;
	int64_t f;

	(void)state;
	setup(&t, 6, 8, 0, 0);
	poke(&t, t.plain, 1);
	poke(&t, t.area, 2);
	assert_int_equal(move(&t, t.area, t.plain, PAGE, 0, &f), -EEXIST);
	assert_int_equal(f, -EEXIST);
	fl_world_free(t.w);
}

/* plain [   ][ b ]: the hole is -ENOENT, or moved with ALLOW_SRC_HOLES. */
static void test_move_src_hole(void **state)
{
	struct t t;
	int64_t f;

	(void)state;
	setup(&t, 6, 8, 0, 0);
	poke(&t, t.plain + PAGE, 1);
	assert_int_equal(move(&t, t.area, t.plain, 2 * PAGE, 0, &f), -ENOENT);
	assert_int_equal(f, -ENOENT);
	assert_int_equal(move(&t, t.area, t.plain, 2 * PAGE,
			      FL_UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES, &f), 0);
	assert_int_equal(f, 2 * PAGE);
	fl_world_free(t.w);
}

/* plain [ a ][   ]: page 0 moves, page 1 is a hole: -EAGAIN, move = 1p. */
static void test_move_partial_eagain(void **state)
{
	struct t t;
	int64_t f;

	(void)state;
	setup(&t, 6, 8, 0, 0);
	poke(&t, t.plain, 1);
	assert_int_equal(move(&t, t.area, t.plain, 2 * PAGE, 0, &f), -EAGAIN);
	assert_int_equal(f, PAGE);
	fl_world_free(t.w);
}

/* After fork the source page is shared with the child: -EBUSY. */
static void test_move_shared_page_ebusy(void **state)
{
	struct t t;
	struct fl_process *child;
	int64_t f;

	(void)state;
	setup(&t, 6, 8, 0, 0);
	poke(&t, t.plain, 1);
	assert_int_equal(fl_fork(t.w, fl_current(t.w), "c", &child), 0);
	assert_int_equal(move(&t, t.area, t.plain, PAGE, 0, &f), -EBUSY);
	assert_int_equal(f, -EBUSY);
	fl_world_free(t.w);
}

/* The destination must be registered to this context: plain <- area. */
static void test_move_dst_unregistered_einval(void **state)
{
	struct t t;
	int64_t f;

	(void)state;
	setup(&t, 6, 8, 0, 0);
	poke(&t, t.area, 1);
	assert_int_equal(move(&t, t.plain, t.area, PAGE, 0, &f), -EINVAL);
	assert_int_equal(f, -EINVAL);
	fl_world_free(t.w);
}

/* Before 6.8 the ioctl does not exist. */
static void test_move_before_6_8_einval(void **state)
{
	struct t t;
	int64_t f;

	(void)state;
	setup(&t, 6, 7, 0, 0);
	poke(&t, t.plain, 1);
	assert_int_equal(move(&t, t.area, t.plain, PAGE, 0, &f), -EINVAL);
	assert_int_equal(f, UNTOUCHED);
	fl_world_free(t.w);
}

/* mmap_changing: `move` untouched on 6.14, -EAGAIN on 6.15. */
static void test_move_mmap_changing_field_era(void **state)
{
	static const unsigned minor[] = { 14, 15 };
	static const int64_t want[] = { UNTOUCHED, -EAGAIN };
	unsigned i;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct t t;
		int64_t f;

		setup(&t, 6, minor[i], 0, FL_UFFD_FEATURE_EVENT_UNMAP);
		assert_int_equal(fl_munmap(t.w, fl_current(t.w)->mm, t.area + PAGE, PAGE), 0);
		assert_int_equal(move(&t, t.area, t.plain, PAGE, 0, &f), -EAGAIN);
		assert_int_equal(f, want[i]);
		fl_world_free(t.w);
	}
}

/* ---- the monitor: races, policy, log ---- */

struct race { struct t *t; bool done; };

/* on uffd_copy#1: munmap area (the hook the monitor's own copy fires) */
static void race_munmap(struct fl_world *w, enum fl_hook h, void *arg)
{
	struct race *r = arg;

	if (h != FL_HOOK_UFFD_COPY || r->done)
		return;
	r->done = true;
	assert_int_equal(fl_munmap(w, fl_current(w)->mm, r->t->area, 2 * PAGE), 0);
}

/* The monitor's UFFDIO_COPY fires the uffd_copy hook; munmap there: ENOENT. */
static void test_monitor_copy_fires_hook_enoent_logged(void **state)
{
	struct t t;
	struct race r = { &t, false };
	struct fl_uffd_log_entry e;
	uint8_t page[PAGE] = { 0 };
	struct fl_signal sig;
	uint8_t b;

	(void)state;
	setup(&t, 6, 18, 0, 0);
	assert_int_equal(fl_uffd_serve(t.w, t.ctx, page), 0);
	fl_world_set_hook(t.w, race_munmap, &r);
	assert_int_equal(fl_user_load(t.w, t.area, &b, 1, &sig), 0);
	assert_int_equal(sig.sig, FL_SIGSEGV);       /* woken, no vma now */
	assert_true(r.done);
	assert_int_equal(fl_uffd_log_next(t.w, t.ctx, &e), 0);
	assert_int_equal(e.ret, -ENOENT);
	assert_int_equal(e.copy, -ENOENT);
	assert_int_equal(fl_uffd_log_next(t.w, t.ctx, &e), -ENOENT);
	fl_world_free(t.w);
}

/* Same race on 4.10: the copy says -EINVAL, the monitor gives up: blocked. */
static void test_monitor_einval_4_10_blocks(void **state)
{
	struct t t;
	struct race r = { &t, false };
	struct fl_uffd_log_entry e;
	uint8_t page[PAGE] = { 0 };
	struct fl_signal sig;
	uint8_t b;

	(void)state;
	setup(&t, 4, 10, 0, 0);
	assert_int_equal(fl_uffd_serve(t.w, t.ctx, page), 0);
	fl_world_set_hook(t.w, race_munmap, &r);
	fl_user_load(t.w, t.area, &b, 1, &sig);
	assert_true(fl_uffd_take_blocked(t.w, NULL));
	assert_int_equal(fl_uffd_log_next(t.w, t.ctx, &e), 0);
	assert_int_equal(e.ret, -EINVAL);
	fl_world_free(t.w);
}

/* munmap of area+1p with EVENT_UNMAP inside the copy: -EAGAIN, read, retry. */
static void race_unmap_other(struct fl_world *w, enum fl_hook h, void *arg)
{
	struct race *r = arg;

	if (h != FL_HOOK_UFFD_COPY || r->done)
		return;
	r->done = true;
	assert_int_equal(fl_munmap(w, fl_current(w)->mm, r->t->area + PAGE, PAGE), 0);
}

static void test_monitor_eagain_reads_events_and_retries(void **state)
{
	struct t t;
	struct race r = { &t, false };
	struct fl_uffd_log_entry e;
	uint8_t page[PAGE];
	struct fl_signal sig;
	uint8_t b = 0;

	(void)state;
	memset(page, 0x77, sizeof(page));
	setup(&t, 6, 18, 0, FL_UFFD_FEATURE_EVENT_UNMAP);
	assert_int_equal(fl_uffd_serve(t.w, t.ctx, page), 0);
	fl_world_set_hook(t.w, race_unmap_other, &r);
	assert_int_equal(fl_user_load(t.w, t.area, &b, 1, &sig), 1);
	assert_int_equal(b, 0x77);
	assert_int_equal(fl_uffd_log_next(t.w, t.ctx, &e), 0);
	assert_int_equal(e.ret, -EAGAIN);
	assert_int_equal(fl_uffd_log_next(t.w, t.ctx, &e), 0);
	assert_int_equal(e.ret, 0);
	assert_int_equal(e.copy, PAGE);
	assert_false(fl_uffd_mmap_changing(t.ctx));
	fl_world_free(t.w);
}

/* A handler of one's own that wakes without resolving: a livelock. */
static int wake_only(struct fl_world *w, struct fl_uffd_ctx *ctx,
		     const struct fl_uffd_msg *msg, void *arg)
{
	(void)w;
	(void)ctx;
	(void)msg;
	++*(unsigned *)arg;
	return 0;
}

static void test_handler_wake_only_livelock(void **state)
{
	struct t t;
	struct fl_signal sig;
	unsigned calls = 0;
	uint8_t b;

	(void)state;
	setup(&t, 6, 18, 0, 0);
	assert_int_equal(fl_uffd_set_handler(t.w, t.ctx, wake_only, &calls), 0);
	fl_user_load(t.w, t.area, &b, 1, &sig);
	assert_true(fl_uffd_take_spin(t.w, NULL));
	assert_int_equal(calls, FL_UFFD_MAX_REFAULTS - 1);
	fl_world_free(t.w);
}

/* A handler that zero-fills: the load reads 0 and nothing waits. */
static int zero_fill(struct fl_world *w, struct fl_uffd_ctx *ctx,
		     const struct fl_uffd_msg *msg, void *arg)
{
	struct fl_uffdio_fill z = { { msg->address, PAGE }, 0, 0 };

	(void)arg;
	return fl_uffdio_zeropage(w, ctx, &z);
}

static void test_handler_zeropage_resolves(void **state)
{
	struct t t;
	struct fl_signal sig;
	uint8_t b = 1;

	(void)state;
	setup(&t, 6, 18, 0, 0);
	assert_int_equal(fl_uffd_set_handler(t.w, t.ctx, zero_fill, NULL), 0);
	assert_int_equal(fl_user_load(t.w, t.area, &b, 1, &sig), 1);
	assert_int_equal(b, 0);
	assert_false(fl_uffd_take_blocked(t.w, NULL));
	assert_false(fl_uffd_take_spin(t.w, NULL));
	fl_world_free(t.w);
}

/* ---- THREAD_ID ---- */

static void test_thread_id_in_pagefault(void **state)
{
	struct t t;
	struct fl_uffd_msg msg;
	struct fl_signal sig;
	uint8_t b;

	(void)state;
	setup(&t, 6, 18, 0, FL_UFFD_FEATURE_THREAD_ID);
	fl_user_load(t.w, t.area, &b, 1, &sig);
	assert_int_equal(fl_uffd_read(t.w, t.ctx, &msg), 0);
	assert_int_equal(msg.ptid, fl_current(t.w)->pid);
	fl_world_free(t.w);
}

static void test_thread_id_off_is_zero(void **state)
{
	struct t t;
	struct fl_uffd_msg msg;
	struct fl_signal sig;
	uint8_t b;

	(void)state;
	setup(&t, 6, 18, 0, 0);
	fl_user_load(t.w, t.area, &b, 1, &sig);
	assert_int_equal(fl_uffd_read(t.w, t.ctx, &msg), 0);
	assert_int_equal(msg.ptid, 0);
	fl_world_free(t.w);
}

/* ---- mremap ---- */

/*
 * plain [ a ][ b ] moved FIXED to at:  at [ a ][ b ], plain unmapped.
 */
static void test_mremap_fixed_moves_ptes(void **state)
{
	struct t t;
	struct fl_mm *mm;
	fl_addr_t at;
	uint8_t b = 0;

	(void)state;
	setup(&t, 6, 18, 0, 0);
	mm = fl_current(t.w)->mm;
	poke(&t, t.plain + PAGE, 0xbb);
	at = t.plain + 64 * PAGE;
	assert_int_equal(fl_mremap(t.w, mm, t.plain, 2 * PAGE, 2 * PAGE,
				   FL_MREMAP_MAYMOVE | FL_MREMAP_FIXED, at), (long)at);
	assert_null(fl_vma_lookup(mm, t.plain));
	assert_int_equal(fl_peek(t.w, mm, at + PAGE, &b, 1), 0);
	assert_int_equal(b, 0xbb);
	assert_int_equal(fl_mm_check(t.w, mm), 0);
	fl_world_free(t.w);
}

/* The kernel's argument errors. */
static void test_mremap_errors(void **state)
{
	struct t t;
	struct fl_mm *mm;

	(void)state;
	setup(&t, 6, 18, 0, 0);
	mm = fl_current(t.w)->mm;
	assert_int_equal(fl_mremap(t.w, mm, t.plain + 1, PAGE, PAGE, 1, 0), -EINVAL);
	assert_int_equal(fl_mremap(t.w, mm, t.plain, PAGE, PAGE, FL_MREMAP_FIXED, 0), -EINVAL);
	assert_int_equal(fl_mremap(t.w, mm, t.plain, PAGE, 0, 1, 0), -EINVAL);
	assert_int_equal(fl_mremap(t.w, mm, t.plain, PAGE, PAGE, 8, 0), -EINVAL);
	/* overlapping FIXED target */
	assert_int_equal(fl_mremap(t.w, mm, t.plain, 2 * PAGE, 2 * PAGE, 3,
				   t.plain + PAGE), -EINVAL);
	/* no vma, and a range crossing the vma's end */
	assert_int_equal(fl_mremap(t.w, mm, t.plain - PAGE, PAGE, 2 * PAGE, 1, 0), -EFAULT);
	assert_int_equal(fl_mremap(t.w, mm, t.plain, 3 * PAGE, 4 * PAGE, 1, 0), -EFAULT);
	fl_world_free(t.w);
}

/* plain [ ][ ] | guard: growing without MAYMOVE where it cannot is -ENOMEM. */
static void test_mremap_grow_needs_maymove(void **state)
{
	struct t t;
	struct fl_mm *mm;

	(void)state;
	setup(&t, 6, 18, 0, 0);
	mm = fl_current(t.w)->mm;
	/* area sits above plain's guard page: growing by 2 pages hits it */
	assert_true(t.area == t.plain + 3 * PAGE);
	assert_int_equal(fl_mremap(t.w, mm, t.plain, 2 * PAGE, 4 * PAGE, 0, 0), -ENOMEM);
	assert_true(fl_mremap(t.w, mm, t.plain, 2 * PAGE, 4 * PAGE,
			      FL_MREMAP_MAYMOVE, 0) > 0);
	assert_null(fl_vma_lookup(mm, t.plain));
	assert_int_equal(fl_mm_check(t.w, mm), 0);
	fl_world_free(t.w);
}

/* A registered range moved with EVENT_REMAP: REMAP, mmap_changing, -ENOENT. */
static void test_mremap_remap_event(void **state)
{
	struct t t;
	struct fl_mm *mm;
	struct fl_uffd_msg msg;
	fl_addr_t at;
	int64_t f;

	(void)state;
	setup(&t, 6, 18, 0, FL_UFFD_FEATURE_EVENT_REMAP);
	mm = fl_current(t.w)->mm;
	at = t.area + 64 * PAGE;
	assert_int_equal(fl_mremap(t.w, mm, t.area, 2 * PAGE, 2 * PAGE, 3, at), (long)at);
	assert_true(fl_uffd_mmap_changing(t.ctx));
	assert_int_equal(fl_uffd_read(t.w, t.ctx, &msg), 0);
	assert_int_equal(msg.event, FL_UFFD_EVENT_REMAP);
	assert_int_equal(msg.from, t.area);
	assert_int_equal(msg.to, at);
	assert_int_equal(msg.len, 2 * PAGE);
	assert_false(fl_uffd_mmap_changing(t.ctx));
	assert_true(fl_vma_lookup(mm, at)->uffd_ctx == (void *)t.ctx);
	{
		static const uint8_t src[PAGE];
		struct fl_uffdio_copy c = { t.area, 0, PAGE, 0, UNTOUCHED, src };

		assert_int_equal(fl_uffdio_copy(t.w, t.ctx, &c), -ENOENT);
		f = c.copy;
		assert_int_equal(f, -ENOENT);
	}
	fl_world_free(t.w);
}

/* FIXED over a registered range with EVENT_UNMAP: an UNMAP event first. */
static void test_mremap_fixed_target_unmap_event(void **state)
{
	struct t t;
	struct fl_uffd_msg msg;

	(void)state;
	setup(&t, 6, 18, 0, FL_UFFD_FEATURE_EVENT_UNMAP);
	assert_int_equal(fl_mremap(t.w, fl_current(t.w)->mm, t.plain, PAGE, PAGE, 3,
				   t.area), (long)t.area);
	assert_int_equal(fl_uffd_read(t.w, t.ctx, &msg), 0);
	assert_int_equal(msg.event, FL_UFFD_EVENT_UNMAP);
	assert_int_equal(msg.start, t.area);
	assert_int_equal(msg.end, t.area + PAGE);
	fl_world_free(t.w);
}

/* ---- uffd-wp across fork ---- */

/* A write-protected page in a vma registered WP; EVENT_FORK or not. */
static struct fl_process *wp_fork(struct t *t, uint64_t features, fl_addr_t *a)
{
	struct fl_uffdio_register reg;
	struct fl_uffdio_writeprotect wp;
	struct fl_process *child;

	t->w = kworld(6, 18, 0);
	*a = map_anon(t->w, 1);
	poke(t, *a, 1);
	reg = (struct fl_uffdio_register){ *a, PAGE, FL_UFFDIO_REGISTER_MODE_WP, 0 };
	t->ctx = uffd_registered(t->w, features, &reg);
	wp = (struct fl_uffdio_writeprotect){ { *a, PAGE }, FL_UFFDIO_WRITEPROTECT_MODE_WP };
	assert_int_equal(fl_uffdio_writeprotect(t->w, t->ctx, &wp), 0);
	assert_int_equal(fl_fork(t->w, fl_current(t->w), "c", &child), 0);
	return child;
}

/* With EVENT_FORK the child's vma is registered WP: its pte keeps the bit. */
static void test_fork_event_keeps_uffd_wp(void **state)
{
	struct t t;
	fl_addr_t a;
	fl_pte_t *pte;
	struct fl_process *child;

	(void)state;
	child = wp_fork(&t, FL_UFFD_FEATURE_EVENT_FORK, &a);
	pte = fl_pte_lookup(child->mm, a);
	assert_non_null(pte);
	assert_true(pte->flags & FL_PTE_UFFD_WP);
	fl_world_free(t.w);
}

/* Without EVENT_FORK the child's vma is not registered: the bit goes. */
static void test_fork_without_event_drops_uffd_wp(void **state)
{
	struct t t;
	fl_addr_t a;
	fl_pte_t *pte;
	struct fl_process *child;

	(void)state;
	child = wp_fork(&t, 0, &a);
	pte = fl_pte_lookup(child->mm, a);
	assert_non_null(pte);
	assert_false(pte->flags & FL_PTE_UFFD_WP);
	fl_world_free(t.w);
}

/* ---- /dev/userfaultfd ---- */

/* Before 6.1 there is no device to open. */
static void test_dev_before_6_1_enoent(void **state)
{
	struct fl_world *w = kworld(6, 0, 0);
	struct fl_uffd_ctx *ctx;

	(void)state;
	assert_int_equal(fl_userfaultfd_dev(w, 0, &ctx), -ENOENT);
	fl_world_free(w);
}

/* The device skips the syscall's CAP_SYS_PTRACE / sysctl check. */
static void test_dev_unprivileged_allowed(void **state)
{
	struct fl_world *w = kworld(6, 1, 0);
	struct fl_uffd_ctx *ctx;

	(void)state;
	assert_int_equal(fl_uffd_set_privilege(w, false, false), 0);
	assert_int_equal(fl_userfaultfd(w, 0, &ctx), -EPERM);
	assert_int_equal(fl_userfaultfd_dev(w, 0, &ctx), 0);
	fl_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_poison_user_load_sigbus),
		cmocka_unit_test(test_poison_uaccess_short),
		cmocka_unit_test(test_poison_populated_eexist),
		cmocka_unit_test(test_poison_before_6_6_einval),
		cmocka_unit_test(test_poison_unregistered_enoent),
		cmocka_unit_test(test_move_page),
		cmocka_unit_test(test_move_dst_populated_eexist),
		cmocka_unit_test(test_move_src_hole),
		cmocka_unit_test(test_move_partial_eagain),
		cmocka_unit_test(test_move_shared_page_ebusy),
		cmocka_unit_test(test_move_dst_unregistered_einval),
		cmocka_unit_test(test_move_before_6_8_einval),
		cmocka_unit_test(test_move_mmap_changing_field_era),
		cmocka_unit_test(test_monitor_copy_fires_hook_enoent_logged),
		cmocka_unit_test(test_monitor_einval_4_10_blocks),
		cmocka_unit_test(test_monitor_eagain_reads_events_and_retries),
		cmocka_unit_test(test_handler_wake_only_livelock),
		cmocka_unit_test(test_handler_zeropage_resolves),
		cmocka_unit_test(test_thread_id_in_pagefault),
		cmocka_unit_test(test_thread_id_off_is_zero),
		cmocka_unit_test(test_mremap_fixed_moves_ptes),
		cmocka_unit_test(test_fork_event_keeps_uffd_wp),
		cmocka_unit_test(test_fork_without_event_drops_uffd_wp),
		cmocka_unit_test(test_dev_before_6_1_enoent),
		cmocka_unit_test(test_dev_unprivileged_allowed),
		cmocka_unit_test(test_mremap_errors),
		cmocka_unit_test(test_mremap_grow_needs_maymove),
		cmocka_unit_test(test_mremap_remap_event),
		cmocka_unit_test(test_mremap_fixed_target_unmap_event),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
