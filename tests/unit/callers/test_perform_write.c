/*
 * tests/unit/callers/test_perform_write.c - generic_perform_write, era by
 * era: what write() returns when the source turns bad, derived from the
 * era rules of kernel-facts.md §2 (callers/perform_write.c lists them).
 *
 *   0x200000   0x201000   0x202000   0x203000
 *   | A rw    | B none   | C rw     | D none   |
 *
 * All source pages are present (poked) unless a test says otherwise.  The
 * file g starts empty.
 */
#include "sys_test.h"

static long write_in(const char *kver, enum fl_fs fs, fl_addr_t buf, size_t len)
{
	struct fl_world *w = sys_world(kver, FL_ARCH_X86_64);
	struct fl_file *g;
	long ret;

	sys_map_abcd(w);
	g = sys_file(w, "g", 0, fs);
	ret = fl_sys_write(w, g, buf, len);
	assert_true(ret < 0 || g->size == (uint64_t)ret);
	fl_world_free(w);
	return ret;
}

/*
 * 3 pages, the middle one PROT_NONE (host case 5).  The first page goes in
 * whole in every era; the second chunk is the bad page itself, so every
 * rule fails it: <= 5.17 because any fault-in failure is fatal, 5.18
 * because NOTHING of it can be faulted in, 6.15 because the copy gets 0
 * and then nothing can be faulted in.  All eras return P.
 */
static void test_three_pages_middle_none_every_era(void **state)
{
	static const char *const eras[] = { "4.7", "5.13", "5.16", "5.18", "6.15" };
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(eras) / sizeof(eras[0]); k++)
		assert_int_equal(write_in(eras[k], FL_FS_TMPFS, A, 3 * P), (long)P);
}

/*
 * 20 bytes from straddle(10) (host case 4).  The first chunk is the whole
 * 20 bytes, half of it bad:
 *   4.7, 5.13  fault_in_pages_readable is all or nothing: -EFAULT.
 *   5.16       10 bytes left over is a failure: -EFAULT.
 *   5.18       only 10 of 20 left: go on; the atomic copy takes 10; the
 *              next chunk (10 bad bytes) faults in nothing: -EFAULT, so 10.
 *   6.15       the copy takes 10; the next copies 0, fault-in fails: 10.
 */
static void test_straddle_before_5_18_is_efault(void **state)
{
	(void)state;
	assert_int_equal(write_in("4.7", FL_FS_TMPFS, A + P - 10, 20), -EFAULT);
	assert_int_equal(write_in("5.13", FL_FS_TMPFS, A + P - 10, 20), -EFAULT);
	assert_int_equal(write_in("5.16", FL_FS_TMPFS, A + P - 10, 20), -EFAULT);
}

static void test_straddle_from_5_18_is_prefix(void **state)
{
	(void)state;
	assert_int_equal(write_in("5.18", FL_FS_TMPFS, A + P - 10, 20), 10);
	assert_int_equal(write_in("6.15", FL_FS_TMPFS, A + P - 10, 20), 10);
}

/*
 * writev of [A, 10] [B, 10]: the second segment is bad.
 *   4.7   only the first segment is faulted in: fine; the atomic copy
 *         takes 10 and stops in B; then B alone fails: 10.
 *   4.8   d4690f1e1cda faults in every segment: B fails: -EFAULT.
 *   5.16  leftover 10: -EFAULT.   5.18, 6.15: 10.
 */
static long writev_in(const char *kver)
{
	const struct fl_iovec iov[] = { { A, 10 }, { B, 10 } };
	struct fl_world *w = sys_world(kver, FL_ARCH_X86_64);
	struct fl_file *g;
	long ret;

	sys_map_abcd(w);
	g = sys_file(w, "g", 0, FL_FS_TMPFS);
	ret = fl_sys_writev(w, g, iov, 2);
	fl_world_free(w);
	return ret;
}

static void test_writev_bad_second_segment(void **state)
{
	(void)state;
	assert_int_equal(writev_in("4.7"), 10);
	assert_int_equal(writev_in("4.8"), -EFAULT);
	assert_int_equal(writev_in("5.16"), -EFAULT);
	assert_int_equal(writev_in("5.18"), 10);
	assert_int_equal(writev_in("6.15"), 10);
}

/* Counts fault-in calls; evicts A after each one if asked to. */
struct hook_env {
	struct fl_world *w;
	unsigned fault_ins;
	bool evict;
};

static void on_hook(struct fl_world *w, enum fl_hook h, void *arg)
{
	struct hook_env *e = arg;

	if (h != FL_HOOK_FAULT_IN)
		return;
	e->fault_ins++;
	if (e->evict)
		fl_evict(w, sys_mm(w), A, P);
}

static long write_hooked(const char *kver, bool evict, unsigned *fault_ins, bool *livelock)
{
	struct fl_world *w = sys_world(kver, FL_ARCH_X86_64);
	struct hook_env e = { w, 0, evict };
	struct fl_file *g;
	long ret;

	sys_map_abcd(w);
	g = sys_file(w, "g", 0, FL_FS_TMPFS);
	fl_world_set_hook(w, on_hook, &e);
	ret = fl_sys_write(w, g, A, P);
	*fault_ins = e.fault_ins;
	*livelock = fl_sys_loop_verdict(w) == FL_LOOP_LIVELOCK;
	fl_world_free(w);
	return ret;
}

/* 6.15 (665575cff098): a copy that succeeds needs no fault-in at all. */
static void test_no_prefault_from_6_15(void **state)
{
	unsigned n;
	bool ll;

	(void)state;
	assert_int_equal(write_hooked("5.18", false, &n, &ll), (long)P);
	assert_int_equal(n, 1);
	assert_int_equal(write_hooked("6.15", false, &n, &ll), (long)P);
	assert_int_equal(n, 0);
}

/*
 * Memory pressure takes the source page away after every fault-in.  Up to
 * 6.14 the loop faults in, loses the page, copies nothing and faults in
 * again: the third round without progress is in the same state as the
 * second (the first is not watched), a proven livelock: not a retry cap.
 * 6.15 copies first, and the page is present.
 */
static void test_evict_after_fault_in_livelocks_before_6_15(void **state)
{
	unsigned n;
	bool ll;

	(void)state;
	assert_int_equal(write_hooked("5.18", true, &n, &ll), -ELOOP);
	assert_true(ll);
	assert_int_equal(n, 3);
	assert_int_equal(write_hooked("6.15", true, &n, &ll), (long)P);
	assert_false(ll);
}

/*
 * arm64 MTE: a tagged granule at A + 0x800, a fresh ext4 file (so the
 * folio is not uptodate and block_write_end rejects a short copy).  The
 * fault-in probes only the page's first byte, which is fine, and the
 * atomic copy stops at the granule.
 *   5.13  write_end rejects it; retry with the same segment: forever.
 *   5.14  bc1bb416bbb9 retries with bytes = copied: that copy is whole and
 *         accepted; the next fault-in starts at the granule and fails.
 * tmpfs accepts the short copy in every era.  (arm64's copy_from_user is
 * exact in the model, so the short copy is the 0x800 bytes before it.)
 */
static long write_mte(const char *kver, enum fl_fs fs, bool *livelock)
{
	struct fl_world *w = sys_world(kver, FL_ARCH_ARM64_MTE);
	struct fl_file *g;
	long ret;

	sys_map_abcd(w);
	assert_int_equal(fl_tag(w, sys_mm(w), A + 0x800, 16, 3), 0);
	g = sys_file(w, "g", 0, fs);
	ret = fl_sys_write(w, g, A, P);
	*livelock = fl_sys_loop_verdict(w) == FL_LOOP_LIVELOCK;
	fl_world_free(w);
	return ret;
}

static void test_mte_ext4_livelocks_before_5_14(void **state)
{
	bool ll;
	long ret;

	(void)state;
	assert_int_equal(write_mte("5.13", FL_FS_EXT4, &ll), -ELOOP);
	assert_true(ll);
	ret = write_mte("5.14", FL_FS_EXT4, &ll);
	assert_false(ll);
	assert_int_equal(ret, 0x800);
	ret = write_mte("5.13", FL_FS_TMPFS, &ll);
	assert_false(ll);
	assert_int_equal(ret, 0x800);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_pages_middle_none_every_era),
		cmocka_unit_test(test_straddle_before_5_18_is_efault),
		cmocka_unit_test(test_straddle_from_5_18_is_prefix),
		cmocka_unit_test(test_writev_bad_second_segment),
		cmocka_unit_test(test_no_prefault_from_6_15),
		cmocka_unit_test(test_evict_after_fault_in_livelocks_before_6_15),
		cmocka_unit_test(test_mte_ext4_livelocks_before_5_14),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
