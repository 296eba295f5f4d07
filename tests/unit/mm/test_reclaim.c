/*
 * test_reclaim.c - eviction to swap and back, page-cache eviction, pinned
 * pages, and hardware poison as user mode and the kernel see it.
 */
#include "pages_test.h"

/*
 *  [ anon rw "swapme" ]  evict -> swap pte; a load swaps it back in intact
 */
static void test_evict_then_touch_restores(void **state)
{
	struct fl_world *w = test_world(FL_ARCH_X86_64);
	fl_addr_t a = test_mmap(w, 2 * P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
	struct fl_signal sig;
	char buf[8] = { 0 };

	(void)state;
	assert_int_equal(fl_poke(w, cur_mm(w), a + P - 3, "swapme", 6), 0);
	assert_int_equal(fl_evict(w, cur_mm(w), a, 2 * P), 0);
	assert_true(pte_of(w, a)->flags & FL_PTE_SWAP);
	assert_true(pte_of(w, a + P)->flags & FL_PTE_SWAP);
	assert_mm_ok(w);
	assert_int_equal(fl_user_load(w, a + P - 3, buf, 6, &sig), 6);
	assert_memory_equal(buf, "swapme", 6);
	assert_true(pte_present(w, a + P));
	assert_true(pte_of(w, a)->folio->flags & FL_FOLIO_ANON_EXCLUSIVE);
	assert_mm_ok(w);
	fl_world_free(w);
}

/*
 *  file f: [ f shared rw, dirty ]  evict -> unmapped, written back (clean);
 *  the bytes are still the file's
 */
static void test_evict_shared_file_page(void **state)
{
	struct fl_world *w = test_world(FL_ARCH_X86_64);
	struct fl_file *f;
	struct fl_signal sig;
	struct fl_folio *folio;
	fl_addr_t a;
	char buf[4] = { 0 };

	(void)state;
	assert_int_equal(fl_file_new(w, "f", P, FL_FS_EXT4, &f), 0);
	a = test_mmap(w, P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_SHARED, f, 0);
	assert_int_equal(fl_user_store(w, a, "dirt", 4, &sig), 4);
	folio = pte_of(w, a)->folio;
	assert_true(folio->flags & FL_FOLIO_DIRTY);
	assert_int_equal(fl_evict(w, cur_mm(w), a, P), 0);
	assert_false(pte_present(w, a));
	assert_false(folio->flags & FL_FOLIO_DIRTY);
	assert_int_equal(fl_file_pread(w, f, buf, 4, 0), 4);
	assert_memory_equal(buf, "dirt", 4);
	assert_mm_ok(w);
	fl_world_free(w);
}

/*
 *  [ anon rw, pinned (refcount +1024) ]  evict leaves it mapped
 */
static void test_pinned_not_reclaimed(void **state)
{
	struct fl_world *w = test_world(FL_ARCH_X86_64);
	fl_addr_t a = test_mmap(w, P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
	const fl_pte_t *pte;

	(void)state;
	assert_int_equal(fl_poke(w, cur_mm(w), a, "pin", 3), 0);
	pte = pte_of(w, a);
	pte->folio->refcount += FL_GUP_PIN_COUNTING_BIAS;
	assert_int_equal(fl_evict(w, cur_mm(w), a, P), 0);
	assert_true(pte_present(w, a));
	pte->folio->refcount -= FL_GUP_PIN_COUNTING_BIAS;
	assert_int_equal(fl_evict(w, cur_mm(w), a, P), 0);
	assert_false(pte_present(w, a));
	fl_world_free(w);
}

/*
 *  [ anon rw ][ anon rw POISON ]  user load -> SIGBUS BUS_MCEERR_AR at 1p;
 *  kernel reach stops short at the poisoned page
 */
static void test_poison(void **state)
{
	struct fl_world *w = test_world(FL_ARCH_X86_64);
	fl_addr_t a = test_mmap(w, 2 * P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
	struct fl_signal sig;
	uint8_t buf[32];

	(void)state;
	assert_int_equal(fl_poke(w, cur_mm(w), a, "ok", 2), 0);
	assert_int_equal(fl_poison(w, cur_mm(w), a + P + 5), 0);
	assert_true(pte_of(w, a + P)->flags & FL_PTE_POISON);
	assert_mm_ok(w);
	assert_int_equal(fl_user_load(w, a + P - 16, buf, 32, &sig), 16);
	assert_int_equal(sig.sig, FL_SIGBUS);
	assert_int_equal(sig.code, FL_BUS_MCEERR_AR);
	assert_int_equal(sig.addr, a + P);
	assert_int_equal(fl_user_reach(w, a + P - 16, 32, FL_ACC_READ), 16);
	assert_int_equal(fl_user_reach(w, a + P - 16, 32, FL_ACC_WRITE), 16);
	fl_world_free(w);
}

/*
 *  parent: [ anon rw ] forked, then poisoned: both mms get the marker
 */
static void test_poison_reaches_every_mapping(void **state)
{
	struct fl_world *w = test_world(FL_ARCH_X86_64);
	fl_addr_t a = test_mmap(w, P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
	struct fl_process *child;

	(void)state;
	assert_int_equal(fl_poke(w, cur_mm(w), a, "x", 1), 0);
	assert_int_equal(fl_fork(w, fl_current(w), "child", &child), 0);
	assert_int_equal(fl_poison(w, cur_mm(w), a), 0);
	assert_true(fl_pte_lookup(child->mm, a)->flags & FL_PTE_POISON);
	assert_mm_ok(w);
	fl_world_free(w);
}

static struct fl_world *world_at(fl_kver_t kver, unsigned kconfig_off)
{
	struct fl_world_config cfg = { .arch = FL_ARCH_X86_64, .kver = kver,
				       .arena_bytes = (size_t)64 << 20, .max_frames = 65536,
				       .kconfig_off = kconfig_off };
	struct fl_world *w = fl_world_new(&cfg);

	assert_non_null(w);
	return w;
}

/*
 *  6.11+: madvise(MADV_HWPOISON) of [ anon rw ] +5 -> the caller gets
 *  SIGBUS BUS_MCEERR_AR at the page (MF_ACTION_REQUIRED)
 */
static void test_madvise_hwpoison_signals_caller_6_11(void **state)
{
	struct fl_world *w = world_at(FL_KV(6, 11, 0), 0);
	fl_addr_t a = test_mmap(w, P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
	struct fl_signal sig;

	(void)state;
	assert_int_equal(fl_madvise_hwpoison(w, cur_mm(w), a + 5, &sig), 0);
	assert_int_equal(sig.sig, FL_SIGBUS);
	assert_int_equal(sig.code, FL_BUS_MCEERR_AR);
	assert_int_equal(sig.addr, a);
	assert_true(pte_of(w, a)->flags & FL_PTE_POISON);
	assert_mm_ok(w);
	fl_world_free(w);
}

/* madvise(MADV_HWPOISON) of a fresh page in a KVER world: the caller's signal. */
static enum fl_sig injection_signal(fl_kver_t kver, unsigned kconfig_off)
{
	struct fl_world *w = world_at(kver, kconfig_off);
	fl_addr_t a = test_mmap(w, P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
	struct fl_signal sig;

	assert_int_equal(fl_madvise_hwpoison(w, cur_mm(w), a, &sig), 0);
	assert_true(pte_of(w, a)->flags & FL_PTE_POISON);
	fl_world_free(w);
	return sig.sig;
}

/*  6.10: the same injection unmaps the page and sends nothing */
static void test_madvise_hwpoison_silent_6_10(void **state)
{
	(void)state;
	assert_int_equal(injection_signal(FL_KV(6, 10, 0), 0), FL_SIG_NONE);
}

/*  6.11 without CONFIG_MEMORY_FAILURE: kill_proc() is not built, no signal */
static void test_madvise_hwpoison_needs_memory_failure(void **state)
{
	(void)state;
	assert_int_equal(injection_signal(FL_KV(6, 11, 0), FL_KCONFIG_MEMORY_FAILURE),
			 FL_SIG_NONE);
}

/*
 *  6.11, a page poisoned already: madvise's GUP fails (-EFAULT) before
 *  memory_failure() runs, so no second signal
 */
static void test_madvise_hwpoison_again_efault(void **state)
{
	struct fl_world *w = world_at(FL_KV(6, 11, 0), 0);
	fl_addr_t a = test_mmap(w, P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
	struct fl_signal sig;

	(void)state;
	assert_int_equal(fl_madvise_hwpoison(w, cur_mm(w), a, &sig), 0);
	assert_int_equal(fl_madvise_hwpoison(w, cur_mm(w), a, &sig), -EFAULT);
	assert_int_equal(sig.sig, FL_SIG_NONE);
	fl_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_evict_then_touch_restores),
		cmocka_unit_test(test_evict_shared_file_page),
		cmocka_unit_test(test_pinned_not_reclaimed),
		cmocka_unit_test(test_poison),
		cmocka_unit_test(test_poison_reaches_every_mapping),
		cmocka_unit_test(test_madvise_hwpoison_signals_caller_6_11),
		cmocka_unit_test(test_madvise_hwpoison_silent_6_10),
		cmocka_unit_test(test_madvise_hwpoison_needs_memory_failure),
		cmocka_unit_test(test_madvise_hwpoison_again_efault),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
