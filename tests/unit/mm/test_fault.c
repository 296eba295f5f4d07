/*
 * test_fault.c - the page-fault handler as user-mode loads and stores see it:
 * anonymous zero page and allocation, COW of file pages, shared mappings,
 * SIGSEGV and SIGBUS.
 */
#include "pages_test.h"

/*
 *  0         1p
 *  [ anon rw ]     load -> zero page mapped read-only
 */
static void test_anon_read_maps_zero_page(void **state)
{
	struct fl_world *w = test_world(FL_ARCH_X86_64);
	fl_addr_t a = test_mmap(w, P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
	struct fl_signal sig;
	uint8_t buf[16] = { 1 };

	(void)state;
	assert_int_equal(fl_user_load(w, a + 100, buf, 16, &sig), 16);
	assert_int_equal(sig.sig, FL_SIG_NONE);
	assert_int_equal(buf[0], 0);
	assert_true(pte_present(w, a));
	assert_false(pte_of(w, a)->flags & FL_PTE_WRITE);
	assert_true(pte_of(w, a)->folio->flags & FL_FOLIO_ZERO);
	assert_mm_ok(w);
	fl_world_free(w);
}

/*
 *  [ anon rw ]     store -> new exclusive writable folio
 */
static void test_anon_write_allocates(void **state)
{
	struct fl_world *w = test_world(FL_ARCH_X86_64);
	fl_addr_t a = test_mmap(w, P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
	struct fl_signal sig;
	const fl_pte_t *pte;

	(void)state;
	assert_int_equal(fl_user_store(w, a + 8, "hello", 5, &sig), 5);
	assert_int_equal(sig.sig, FL_SIG_NONE);
	pte = pte_of(w, a);
	assert_true(pte->flags & FL_PTE_WRITE);
	assert_true(pte->folio->flags & FL_FOLIO_ANON_EXCLUSIVE);
	assert_int_equal(pte->folio->mapcount, 1);
	assert_int_equal(pte->folio->refcount, 1);
	assert_mm_ok(w);
	fl_world_free(w);
}

/*
 *  [ anon rw ]  load (zero page), then store: the zero page is replaced,
 *               and a second zero-backed mapping still reads zero (case 16)
 */
static void test_write_after_read_replaces_zero_page(void **state)
{
	struct fl_world *w = test_world(FL_ARCH_X86_64);
	fl_addr_t a = test_mmap(w, P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
	fl_addr_t b = test_mmap(w, P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
	struct fl_signal sig;
	uint8_t x = 0x5a, y = 0xff;

	(void)state;
	fl_user_load(w, a, &y, 1, &sig);
	fl_user_load(w, b, &y, 1, &sig);
	assert_ptr_equal(pte_of(w, a)->folio, pte_of(w, b)->folio);
	assert_int_equal(fl_user_store(w, a, &x, 1, &sig), 1);
	assert_false(pte_of(w, a)->folio->flags & FL_FOLIO_ZERO);
	assert_true(pte_of(w, b)->folio->flags & FL_FOLIO_ZERO);
	fl_user_load(w, b, &y, 1, &sig);
	assert_int_equal(y, 0);
	fl_user_load(w, a, &y, 1, &sig);
	assert_int_equal(y, 0x5a);
	assert_mm_ok(w);
	fl_world_free(w);
}

/*
 *  [ anon r ]    user store -> SIGSEGV SEGV_ACCERR, nothing written
 */
static void test_store_to_readonly_is_accerr(void **state)
{
	struct fl_world *w = test_world(FL_ARCH_X86_64);
	fl_addr_t a = test_mmap(w, P, FL_PROT_READ, FL_MAP_PRIVATE, NULL, 0);
	struct fl_signal sig;

	(void)state;
	assert_int_equal(fl_user_store(w, a + 4, "x", 1, &sig), 0);
	assert_int_equal(sig.sig, FL_SIGSEGV);
	assert_int_equal(sig.code, FL_SEGV_ACCERR);
	assert_int_equal(sig.addr, a + 4);
	assert_false(pte_present(w, a));
	fl_world_free(w);
}

/*
 *  [ anon rw ][ hole ]   a load running off the end -> SEGV_MAPERR at the hole
 */
static void test_load_into_hole_is_maperr(void **state)
{
	struct fl_world *w = test_world(FL_ARCH_X86_64);
	fl_addr_t a = test_mmap(w, P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
	struct fl_signal sig;
	uint8_t buf[20];

	(void)state;
	assert_int_equal(fl_user_load(w, a + P - 10, buf, 20, &sig), 10);
	assert_int_equal(sig.sig, FL_SIGSEGV);
	assert_int_equal(sig.code, FL_SEGV_MAPERR);
	assert_int_equal(sig.addr, a + P);
	fl_world_free(w);
}

/*
 *  file f: [ "file" page 0 ]
 *  [ f private rw ]   store -> COW copy; the file and its page cache keep
 *                     the old bytes
 */
static void test_file_private_write_cows(void **state)
{
	struct fl_world *w = test_world(FL_ARCH_X86_64);
	struct fl_file *f;
	struct fl_signal sig;
	fl_addr_t a;
	char buf[8] = { 0 };

	(void)state;
	assert_int_equal(fl_file_new(w, "f", P, FL_FS_TMPFS, &f), 0);
	assert_int_equal(fl_file_pwrite(w, f, "file", 4, 0), 4);
	a = test_mmap(w, P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, f, 0);
	assert_int_equal(fl_user_load(w, a, buf, 4, &sig), 4);
	assert_memory_equal(buf, "file", 4);
	assert_int_equal(fl_user_store(w, a, "COW!", 4, &sig), 4);
	assert_true(pte_of(w, a)->folio->flags & FL_FOLIO_ANON);
	assert_null(pte_of(w, a)->folio->mapping);
	assert_int_equal(fl_file_pread(w, f, buf, 4, 0), 4);
	assert_memory_equal(buf, "file", 4);
	assert_int_equal(fl_user_load(w, a, buf, 4, &sig), 4);
	assert_memory_equal(buf, "COW!", 4);
	assert_mm_ok(w);
	fl_world_free(w);
}

/*
 *  file f, two shared mappings:  [ f shared rw ] ... [ f shared r ]
 *  a store through the first is seen through the second and in the file
 */
static void test_shared_write_visible(void **state)
{
	struct fl_world *w = test_world(FL_ARCH_X86_64);
	struct fl_file *f;
	struct fl_signal sig;
	fl_addr_t a, b;
	char buf[8] = { 0 };

	(void)state;
	assert_int_equal(fl_file_new(w, "f", 2 * P, FL_FS_EXT4, &f), 0);
	a = test_mmap(w, 2 * P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_SHARED, f, 0);
	b = test_mmap(w, P, FL_PROT_READ, FL_MAP_SHARED, f, P);
	assert_int_equal(fl_user_store(w, a + P + 3, "shared", 6, &sig), 6);
	assert_int_equal(fl_user_load(w, b + 3, buf, 6, &sig), 6);
	assert_memory_equal(buf, "shared", 6);
	assert_int_equal(fl_file_pread(w, f, buf, 6, P + 3), 6);
	assert_memory_equal(buf, "shared", 6);
	assert_true(pte_of(w, a + P)->folio->flags & FL_FOLIO_DIRTY);
	assert_int_equal(pte_of(w, b)->folio->mapcount, 2);
	assert_mm_ok(w);
	fl_world_free(w);
}

/*
 *  file f of 1 page + 10 bytes, mapped 3 pages:
 *  [ page 0 | page 1 (EOF inside) | page 2 beyond EOF ]
 *  load of page 2 -> SIGBUS BUS_ADRERR; page 1 is fine
 */
static void test_beyond_eof_is_sigbus(void **state)
{
	struct fl_world *w = test_world(FL_ARCH_X86_64);
	struct fl_file *f;
	struct fl_signal sig;
	fl_addr_t a;
	uint8_t buf[8];

	(void)state;
	assert_int_equal(fl_file_new(w, "f", P + 10, FL_FS_TMPFS, &f), 0);
	a = test_mmap(w, 3 * P, FL_PROT_READ, FL_MAP_SHARED, f, 0);
	assert_int_equal(fl_user_load(w, a + P + 100, buf, 8, &sig), 8);
	assert_int_equal(sig.sig, FL_SIG_NONE);
	assert_int_equal(fl_user_load(w, a + 2 * P - 4, buf, 8, &sig), 4);
	assert_int_equal(sig.sig, FL_SIGBUS);
	assert_int_equal(sig.code, FL_BUS_ADRERR);
	assert_int_equal(sig.addr, a + 2 * P);
	fl_world_free(w);
}

/*
 *  [ anon rw ] the "fault" hook fires once per fault, not for present pages
 */
static void count_hook(struct fl_world *w, enum fl_hook h, void *arg)
{
	(void)w;
	if (h == FL_HOOK_FAULT)
		(*(int *)arg)++;
}

static void test_fault_hook_fires_per_fault(void **state)
{
	struct fl_world *w = test_world(FL_ARCH_X86_64);
	fl_addr_t a = test_mmap(w, 2 * P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
	struct fl_signal sig;
	int n = 0;
	uint8_t buf[2 * 4096] = { 0 };

	(void)state;
	fl_world_set_hook(w, count_hook, &n);
	assert_int_equal(fl_user_store(w, a, buf, sizeof(buf), &sig), sizeof(buf));
	assert_int_equal(n, 2);
	assert_int_equal(fl_user_store(w, a, buf, sizeof(buf), &sig), sizeof(buf));
	assert_int_equal(n, 2);
	fl_world_free(w);
}

/*
 *  [ anon r ] MADV_POPULATE_WRITE -> -EINVAL; POPULATE_READ maps the zero page
 */
static void test_populate_checks_permissions(void **state)
{
	struct fl_world *w = test_world(FL_ARCH_X86_64);
	fl_addr_t a = test_mmap(w, 2 * P, FL_PROT_READ, FL_MAP_PRIVATE, NULL, 0);

	(void)state;
	assert_int_equal(fl_madvise(w, cur_mm(w), a, 2 * P, FL_MADV_POPULATE_WRITE), -EINVAL);
	assert_false(pte_present(w, a));
	assert_int_equal(fl_madvise(w, cur_mm(w), a, 2 * P, FL_MADV_POPULATE_READ), 0);
	assert_true(pte_present(w, a + P));
	assert_mm_ok(w);
	fl_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anon_read_maps_zero_page),
		cmocka_unit_test(test_anon_write_allocates),
		cmocka_unit_test(test_write_after_read_replaces_zero_page),
		cmocka_unit_test(test_store_to_readonly_is_accerr),
		cmocka_unit_test(test_load_into_hole_is_maperr),
		cmocka_unit_test(test_file_private_write_cows),
		cmocka_unit_test(test_shared_write_visible),
		cmocka_unit_test(test_beyond_eof_is_sigbus),
		cmocka_unit_test(test_fault_hook_fires_per_fault),
		cmocka_unit_test(test_populate_checks_permissions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
