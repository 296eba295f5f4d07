/*
 * tests/unit/uffd/test_fail_alloc.c - every model allocation of a set of
 * scenarios made to fail in turn (fl_world_fail_alloc, world.h).
 *
 * A scenario is a list of statements on a fresh world: mmap, mprotect and
 * munmap; faults; fork; GUP; UFFDIO_COPY; snapshot and restore.  For
 * N = 1, 2, ... the Nth model allocation from the first statement on fails
 * with -ENOMEM, until N passes the last allocation the scenario asks for.
 * At each N:
 *   - every statement before the one that met the failure succeeds, and
 *     that one returns what its kernel call returns there (the statement's
 *     `failed` rule);
 *   - after every statement fl_mm_check and fl_vma_tree_check hold for
 *     every live process;
 *   - a statement the kernel undoes whole on failure (`undone`) leaves the
 *     model's usage (arena bytes, page frames) as it found it, and under
 *     ASan nothing leaks once the world is freed.
 * The sweep prints how many failure points it reached.  It lives in the
 * uffd layer's tests because that layer links everything it calls.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <cmocka.h>

#include <faultline/gup.h>
#include <faultline/uaccess.h>
#include <faultline/uffd.h>

#define PAGE FL_PAGE_SIZE
#define RW   (FL_PROT_READ | FL_PROT_WRITE)

struct run {
	struct fl_world *w;
	fl_addr_t a, b;                 /* the mappings statements share */
	struct fl_uffd_ctx *ctx;
	struct fl_gup_pages *h;
	struct fl_uffd_waiter *wt;      /* a kept wait (uffd/wait.c) */
};

/* Does RET say the call failed as its kernel call does without memory? */
typedef bool (*failed_fn)(struct run *r, long ret);

struct stmt {
	const char *name;
	long (*run)(struct run *r);     /* >= 0: success */
	failed_fn failed;
	bool undone;                    /* a failure leaves usage unchanged */
};

static bool is_enomem(struct run *r, long ret) { (void)r; return ret == -ENOMEM; }
/* A uaccess copy stops at the fault it cannot handle: bytes left over. */
static bool is_short(struct run *r, long ret) { (void)r; return ret > 0; }
/* GUP: the pages taken before the failure, or -ENOMEM if none (4 asked). */
static bool gup_failed(struct run *r, long ret)
{
	(void)r;
	return ret == -ENOMEM || (ret > 0 && ret < 4);
}
/*
 * A write under a snapshot: short as any write, or done in full with the
 * snapshot dropped when its journal could not save the old page (mm/
 * frame.c: a snapshot that cannot be restored faithfully is not kept).
 */
/*
 * A fork with EVENT_FORK contexts: -ENOMEM, and the parent's context has
 * given back the mmap_changing count the fork took (dup_userfaultfd_fail),
 * so its range ioctls do not fail with -EAGAIN for ever.
 */
static bool fork_undone(struct run *r, long ret)
{
	return ret == -ENOMEM && !fl_uffd_mmap_changing(r->ctx);
}
static bool short_or_dropped(struct run *r, long ret)
{
	return ret > 0 || (ret == 0 && fl_world_restore(r->w) == -ENOENT);
}

static struct fl_mm *mm_of(struct run *r, const char *name)
{
	struct fl_process *p = fl_process_find(r->w, name);

	return p ? p->mm : NULL;
}

static long map_into(struct run *r, fl_addr_t *at, size_t pages, unsigned flags)
{
	long a = fl_mmap(r->w, mm_of(r, "p"), 0, pages * PAGE, RW, flags, NULL, 0);

	if (a > 0)
		*at = (fl_addr_t)a;
	return a;
}

/* Bytes of copy_to_user left over; a negative length cannot happen. */
static long store(struct run *r, fl_addr_t at, size_t len, int byte)
{
	uint8_t buf[2 * PAGE];

	memset(buf, byte, len);
	return (long)fl_copy_to_user(r->w, at, buf, len);
}

/* ---- statements ---- */

static long mmap_a(struct run *r) { return map_into(r, &r->a, 4, FL_MAP_PRIVATE); }
static long mmap_b_shared(struct run *r)
{
	return map_into(r, &r->b, 2, FL_MAP_SHARED);
}
static long mprotect_mid(struct run *r)
{
	return fl_mprotect(r->w, mm_of(r, "p"), r->a + PAGE, PAGE, FL_PROT_READ);
}
static long munmap_mid(struct run *r)
{
	return fl_munmap(r->w, mm_of(r, "p"), r->a + 2 * PAGE, PAGE);
}
static long write_a(struct run *r) { return store(r, r->a, 2 * PAGE, 0x5a); }
/* Page 0 of a: its page tables exist before UFFDIO_COPY fills page 1. */
static long write_a0(struct run *r) { return store(r, r->a, PAGE, 0x3a); }
static long write_b(struct run *r) { return store(r, r->b, PAGE, 0x6b); }
static long fork_c(struct run *r)
{
	return fl_fork(r->w, fl_process_find(r->w, "p"), "c", NULL);
}
static long child_writes_a(struct run *r)
{
	long ret = fl_set_current(r->w, fl_process_find(r->w, "c"));

	if (!ret)
		ret = store(r, r->a, PAGE, 0x7c);
	fl_set_current(r->w, fl_process_find(r->w, "p"));
	return ret;
}
static long gup_take(struct run *r)
{
	return fl_gup_take(r->w, FL_GUP_PIN, r->a, 4, FL_FOLL_WRITE, &r->h);
}
static long uffd_ctx_features(struct run *r, uint64_t features)
{
	struct fl_uffdio_api api = { FL_UFFD_API, features, 0 };
	struct fl_uffdio_register reg = { r->a, 4 * PAGE, FL_UFFDIO_REGISTER_MODE_MISSING, 0 };
	long ret = fl_userfaultfd(r->w, 0, &r->ctx);

	if (!ret)
		ret = fl_uffdio_api(r->w, r->ctx, &api);
	if (!ret)
		ret = fl_uffdio_register(r->w, r->ctx, &reg);
	return ret;
}
static long uffd_ctx(struct run *r) { return uffd_ctx_features(r, 0); }
static long uffd_ctx_fork(struct run *r)
{
	return uffd_ctx_features(r, FL_UFFD_FEATURE_EVENT_FORK);
}
static long uffd_copy(struct run *r)
{
	static const uint8_t src[PAGE] = { 1, 2, 3 };
	struct fl_uffdio_copy c = { r->a + PAGE, 0, PAGE, 0, 0, src };

	return fl_uffdio_copy(r->w, r->ctx, &c);
}
/* A kernel write into a registered missing page: it waits, nobody serves. */
static long write_a2(struct run *r) { return store(r, r->a + 2 * PAGE, 16, 0x2a); }
static long keep_wait(struct run *r)
{
	if (!fl_uffd_take_blocked(r->w, NULL))
		return -EIO;
	return fl_uffd_wait_keep(r->w, &r->wt);
}
/* UFFDIO_COPY of the waiter's page wakes it (-EIO if it did not). */
static long copy_wakes(struct run *r)
{
	static const uint8_t src[PAGE] = { 7 };
	struct fl_uffdio_copy c = { r->a + 2 * PAGE, 0, PAGE, 0, 0, src };
	long ret = fl_uffdio_copy(r->w, r->ctx, &c);

	return ret ? ret : fl_uffd_wait_woken(r->wt) ? 0 : -EIO;
}
/* UFFDIO_UNREGISTER of a middle page splits the vma. */
static long unregister_mid(struct run *r)
{
	struct fl_uffdio_range range = { r->a + PAGE, PAGE };

	return fl_uffdio_unregister(r->w, r->ctx, &range);
}
static long snapshot(struct run *r) { return fl_world_snapshot(r->w); }
static long restore(struct run *r) { return fl_world_restore(r->w); }

#define END { NULL, NULL, NULL, false }

static const struct stmt sc_mmap[] = {
	{ "mmap a", mmap_a, is_enomem, true },
	{ "mmap b shared", mmap_b_shared, is_enomem, true },
	{ "mprotect", mprotect_mid, is_enomem, false },
	{ "munmap", munmap_mid, is_enomem, false },
	END
};
static const struct stmt sc_fault[] = {
	{ "mmap a", mmap_a, is_enomem, true },
	{ "write a", write_a, is_short, false },
	{ "mmap b shared", mmap_b_shared, is_enomem, true },
	{ "write b", write_b, is_short, false },
	END
};
static const struct stmt sc_fork[] = {
	{ "mmap a", mmap_a, is_enomem, true },
	{ "write a", write_a, is_short, false },
	{ "mmap b shared", mmap_b_shared, is_enomem, true },
	{ "write b", write_b, is_short, false },
	{ "fork", fork_c, is_enomem, true },
	{ "child writes a", child_writes_a, is_short, false },
	END
};
static const struct stmt sc_gup[] = {
	{ "mmap a", mmap_a, is_enomem, true },
	{ "write a", write_a, is_short, false },
	{ "gup", gup_take, gup_failed, false },
	END
};
static const struct stmt sc_uffd[] = {
	{ "mmap a", mmap_a, is_enomem, true },
	{ "write a0", write_a0, is_short, false },
	{ "uffd", uffd_ctx, is_enomem, false },
	{ "uffd copy", uffd_copy, is_enomem, true },
	END
};
static const struct stmt sc_uffd_fork[] = {
	{ "mmap a", mmap_a, is_enomem, true },
	{ "write a0", write_a0, is_short, false },
	{ "uffd", uffd_ctx_fork, is_enomem, false },
	{ "fork", fork_c, fork_undone, true },
	END
};
static const struct stmt sc_uffd_wait[] = {
	{ "mmap a", mmap_a, is_enomem, true },
	{ "uffd", uffd_ctx, is_enomem, false },
	{ "write a2 waits", write_a2, is_short, false },
	{ "keep the wait", keep_wait, is_enomem, true },
	{ "copy wakes it", copy_wakes, is_enomem, false },  /* its pte table stays */
	{ "unregister", unregister_mid, is_enomem, false },
	END
};
static const struct stmt sc_snapshot[] = {
	{ "mmap a", mmap_a, is_enomem, true },
	{ "write a", write_a, is_short, false },
	{ "snapshot", snapshot, is_enomem, true },
	{ "write a", write_a, short_or_dropped, false },
	{ "restore", restore, is_enomem, true },
	{ "write a", write_a, is_short, false },
	END
};

/* fl_mm_check and fl_vma_tree_check of every live process. */
static void check_all(struct run *r, const char *scenario, unsigned long n,
		      const char *stmt)
{
	static const char *const names[] = { "p", "c" };
	unsigned i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct fl_mm *mm = mm_of(r, names[i]);

		if (!mm)
			continue;
		if (fl_mm_check(r->w, mm) || fl_vma_tree_check(r->w, mm))
			fail_msg("%s, N=%lu, after %s: %s: %s", scenario, n, stmt,
				 names[i], fl_world_error(r->w));
	}
}

/*
 * Run SC with the Nth allocation failing.  Returns whether the failure
 * was reached (false: N is past the scenario's last allocation).
 */
static bool run_failing(const char *scenario, const struct stmt *sc, unsigned long n)
{
	struct fl_world_config cfg = { .arch = FL_ARCH_X86_64, .kver = FL_KV(6, 18, 0),
				       .arena_bytes = (size_t)64 << 20,
				       .max_frames = 4096 };
	struct run r = { fl_world_new(&cfg), 0, 0, NULL, NULL, NULL };
	bool reached = false;

	assert_non_null(r.w);
	assert_int_equal(fl_process_new(r.w, "p", NULL), 0);
	fl_world_fail_alloc(r.w, n);
	for (; sc->name && !reached; sc++) {
		struct fl_world_usage before, after;
		long ret;

		fl_world_usage(r.w, &before);
		ret = sc->run(&r);
		reached = fl_world_allocs(r.w) >= n;
		fl_world_usage(r.w, &after);
		if (!reached && ret < 0)
			fail_msg("%s, N=%lu: %s failed (%ld) before the failure: %s",
				 scenario, n, sc->name, ret, fl_world_error(r.w));
		if (reached && !sc->failed(&r, ret))
			fail_msg("%s, N=%lu: %s returned %ld at the failure", scenario,
				 n, sc->name, ret);
		if (reached && sc->undone &&
		    (after.arena_bytes != before.arena_bytes || after.frames != before.frames))
			fail_msg("%s, N=%lu: failed %s kept %zd arena bytes, %zd frames"
				 " (%s)", scenario, n, sc->name,
				 (ssize_t)(after.arena_bytes - before.arena_bytes),
				 (ssize_t)(after.frames - before.frames),
				 fl_world_error(r.w));
		check_all(&r, scenario, n, sc->name);
	}
	fl_world_free(r.w);
	return reached;
}

static unsigned long sweep(const char *scenario, const struct stmt *sc)
{
	unsigned long n = 1;

	while (run_failing(scenario, sc, n))
		n++;
	/* Every scenario allocates: a sweep that reached nothing tests nothing. */
	assert_true(n > 1);
	return n - 1;
}

static void test_sweep(void **state)
{
	static const struct { const char *name; const struct stmt *sc; } all[] = {
		{ "mmap", sc_mmap }, { "fault", sc_fault }, { "fork", sc_fork },
		{ "gup", sc_gup }, { "uffd copy", sc_uffd },
		{ "uffd fork", sc_uffd_fork }, { "uffd wait", sc_uffd_wait },
		{ "snapshot", sc_snapshot },
	};
	unsigned long total = 0, n;
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		n = sweep(all[i].name, all[i].sc);
		printf("fail_alloc: %-10s %lu failure points\n", all[i].name, n);
		total += n;
	}
	printf("fail_alloc: %lu failure points reached in all\n", total);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
