/*
 * test_pagemap.c - /proc/PID/pagemap entries and clear_refs "4"
 * (mm/pagemap.c): what each bit says per era, arch and build, one
 * behaviour a test.
 *
 *   a: [ anon rw private ]   one page unless a test says more
 */
#include "pages_test.h"

static struct fl_world *world(const char *kver, enum fl_arch_id arch, unsigned kconfig_off)
{
	struct fl_world_config cfg = { .arch = arch, .arena_bytes = (size_t)64 << 20,
				       .max_frames = 65536, .kconfig_off = kconfig_off };
	struct fl_world *w;

	assert_int_equal(fl_kver_parse(kver, &cfg.kver), 0);
	w = fl_world_new(&cfg);
	assert_non_null(w);
	return w;
}

static uint64_t entry_of(struct fl_world *w, fl_addr_t addr)
{
	uint64_t e = 0xdead;

	assert_int_equal(fl_pagemap_entry(w, cur_mm(w), addr, &e), 0);
	return e;
}

static void touch(struct fl_world *w, fl_addr_t a, bool write)
{
	struct fl_signal sig;
	uint8_t b = 7;

	if (write)
		assert_int_equal(fl_user_store(w, a, &b, 1, &sig), 1);
	else
		assert_int_equal(fl_user_load(w, a, &b, 1, &sig), 1);
	assert_int_equal(sig.sig, FL_SIG_NONE);
}

static fl_addr_t anon(struct fl_world *w, size_t pages)
{
	return test_mmap(w, pages * P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
}

/* A read maps the zero page: present, never exclusive, never file. */
static void test_zero_page_not_exclusive(void **state)
{
	struct fl_world *w = world("6.18", FL_ARCH_X86_64, 0);
	fl_addr_t a = anon(w, 1);

	(void)state;
	touch(w, a, false);
	assert_int_equal(entry_of(w, a) & ~FL_PM_SOFT_DIRTY, FL_PM_PRESENT);
	fl_world_free(w);
}

static uint64_t pfn_of(struct fl_world *w, fl_addr_t addr, enum fl_pm_reader rd)
{
	uint64_t e = 0xdead;

	assert_int_equal(fl_pagemap_read(w, cur_mm(w), addr, rd, &e), 0);
	return e & FL_PM_PFN_MASK;
}

/* A privileged reader sees one PFN for every zero-page mapping, another for a written page. */
static void test_pfn_zero_page_shared(void **state)
{
	struct fl_world *w = world("6.18", FL_ARCH_X86_64, 0);
	fl_addr_t a = anon(w, 2);

	(void)state;
	touch(w, a, false);
	touch(w, a + 4096, false);
	assert_int_not_equal(pfn_of(w, a, FL_PM_READ_PRIV), 0);
	assert_int_equal(pfn_of(w, a, FL_PM_READ_PRIV), pfn_of(w, a + 4096, FL_PM_READ_PRIV));
	touch(w, a, true);
	assert_int_not_equal(pfn_of(w, a, FL_PM_READ_PRIV), pfn_of(w, a + 4096, FL_PM_READ_PRIV));
	fl_world_free(w);
}

/* Without CAP_SYS_ADMIN (4.2+) the PFN reads 0; the bits-only read leaves it 0 too. */
static void test_pfn_hidden_unprivileged(void **state)
{
	struct fl_world *w = world("6.18", FL_ARCH_X86_64, 0);
	fl_addr_t a = anon(w, 1);

	(void)state;
	touch(w, a, true);
	assert_int_equal(pfn_of(w, a, FL_PM_READ_UNPRIV), 0);
	assert_int_equal(pfn_of(w, a, FL_PM_READ_BITS), 0);
	assert_int_not_equal(pfn_of(w, a, FL_PM_READ_PRIV), 0);
	fl_world_free(w);
}

/* Without the zero page (FL_KCONFIG_ZERO_PAGE off) a read takes a private page. */
static void test_no_zero_page_read_exclusive(void **state)
{
	struct fl_world *w = world("6.18", FL_ARCH_X86_64, FL_KCONFIG_ZERO_PAGE);
	fl_addr_t a = anon(w, 1);

	(void)state;
	touch(w, a, false);
	assert_int_equal(entry_of(w, a) & ~FL_PM_SOFT_DIRTY, FL_PM_PRESENT | FL_PM_MMAP_EXCLUSIVE);
	assert_true(pte_of(w, a)->flags & FL_PTE_WRITE);
	assert_mm_ok(w);
	fl_world_free(w);
}

/* A written page is exclusive; after fork it is mapped twice, not exclusive. */
static void test_fork_not_exclusive(void **state)
{
	struct fl_world *w = world("6.18", FL_ARCH_X86_64, 0);
	fl_addr_t a = anon(w, 1);
	struct fl_process *child;

	(void)state;
	touch(w, a, true);
	assert_true(entry_of(w, a) & FL_PM_MMAP_EXCLUSIVE);
	assert_int_equal(fl_fork(w, fl_current(w), "c", &child), 0);
	assert_false(entry_of(w, a) & FL_PM_MMAP_EXCLUSIVE);
	assert_int_equal(fl_process_exit(w, child), 0);
	assert_true(entry_of(w, a) & FL_PM_MMAP_EXCLUSIVE);
	fl_world_free(w);
}

/* Outside every vma: 0, not even soft-dirty. */
static void test_no_vma_zero(void **state)
{
	struct fl_world *w = world("6.18", FL_ARCH_X86_64, 0);
	fl_addr_t a = anon(w, 1);

	(void)state;
	assert_int_equal(entry_of(w, a + P), 0);
	assert_int_equal(entry_of(w, a), FL_PM_SOFT_DIRTY);
	fl_world_free(w);
}

/* clear_refs: clean and write-protected; a write marks the page again. */
static void test_clear_refs_then_write(void **state)
{
	struct fl_world *w = world("6.18", FL_ARCH_X86_64, 0);
	fl_addr_t a = anon(w, 2);

	(void)state;
	touch(w, a, true);
	touch(w, a + P, true);
	assert_int_equal(fl_clear_refs_soft_dirty(w, cur_mm(w)), 0);
	assert_false(entry_of(w, a) & FL_PM_SOFT_DIRTY);
	assert_false(pte_of(w, a)->flags & FL_PTE_WRITE);
	touch(w, a, true);
	assert_true(entry_of(w, a) & FL_PM_SOFT_DIRTY);
	assert_false(entry_of(w, a + P) & FL_PM_SOFT_DIRTY);
	assert_mm_ok(w);
	fl_world_free(w);
}

/* A mapping made after clear_refs is soft-dirty again (mmap_region). */
static void test_new_mapping_soft_dirty(void **state)
{
	struct fl_world *w = world("6.18", FL_ARCH_X86_64, 0);
	fl_addr_t a = anon(w, 1), b;

	(void)state;
	assert_int_equal(fl_clear_refs_soft_dirty(w, cur_mm(w)), 0);
	b = anon(w, 1);
	assert_false(entry_of(w, a) & FL_PM_SOFT_DIRTY);
	assert_true(entry_of(w, b) & FL_PM_SOFT_DIRTY);
	fl_world_free(w);
}

/* arm64 has no soft-dirty pte bit: never soft-dirty. */
static void test_arm64_never_soft_dirty(void **state)
{
	struct fl_world *w = world("6.18", FL_ARCH_ARM64, 0);
	fl_addr_t a = anon(w, 1);

	(void)state;
	touch(w, a, true);
	assert_int_equal(entry_of(w, a), FL_PM_PRESENT | FL_PM_MMAP_EXCLUSIVE);
	fl_world_free(w);
}

/* A build without CONFIG_MEM_SOFT_DIRTY: never soft-dirty, clear_refs a no-op. */
static void test_no_config_soft_dirty(void **state)
{
	struct fl_world *w = world("6.18", FL_ARCH_X86_64, FL_KCONFIG_MEM_SOFT_DIRTY);
	fl_addr_t a = anon(w, 1);

	(void)state;
	touch(w, a, true);
	assert_int_equal(fl_clear_refs_soft_dirty(w, cur_mm(w)), 0);
	assert_true(pte_of(w, a)->flags & FL_PTE_WRITE);
	assert_int_equal(entry_of(w, a), FL_PM_PRESENT | FL_PM_MMAP_EXCLUSIVE);
	fl_world_free(w);
}

/* Before 4.3 (page-shift bits, no bit 56) the model gives no entry. */
static void test_before_4_3_unsupported(void **state)
{
	struct fl_world *w = world("4.2", FL_ARCH_X86_64, 0);
	fl_addr_t a = anon(w, 1);
	uint64_t e;

	(void)state;
	assert_int_equal(fl_pagemap_entry(w, cur_mm(w), a, &e), -EOPNOTSUPP);
	fl_world_free(w);
}

/* A shared anonymous page is shmem: file. */
static void test_shared_anon_file(void **state)
{
	struct fl_world *w = world("6.18", FL_ARCH_X86_64, 0);
	fl_addr_t a = test_mmap(w, P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_SHARED, NULL, 0);

	(void)state;
	touch(w, a, true);
	assert_int_equal(entry_of(w, a) & ~FL_PM_SOFT_DIRTY,
			 FL_PM_PRESENT | FL_PM_FILE | FL_PM_MMAP_EXCLUSIVE);
	fl_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_page_not_exclusive),
		cmocka_unit_test(test_pfn_zero_page_shared),
		cmocka_unit_test(test_pfn_hidden_unprivileged),
		cmocka_unit_test(test_no_zero_page_read_exclusive),
		cmocka_unit_test(test_fork_not_exclusive),
		cmocka_unit_test(test_no_vma_zero),
		cmocka_unit_test(test_clear_refs_then_write),
		cmocka_unit_test(test_new_mapping_soft_dirty),
		cmocka_unit_test(test_arm64_never_soft_dirty),
		cmocka_unit_test(test_no_config_soft_dirty),
		cmocka_unit_test(test_before_4_3_unsupported),
		cmocka_unit_test(test_shared_anon_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
