/*
 * test_cow_eras.c - one test per COW/GUP era rule (kernel-facts §3,
 * docs/gup.md): what a GUP reference sees after the process writes, fork
 * of pinned pages, FAULT_FLAG_UNSHARE, and the leak checker's verdicts.
 *
 * The common picture:
 *
 *   parent p: [ anon rw 0x11 ] --fork--> child: same folio, both ptes R/O
 */
#include "gup_test.h"

/* The CVE-2020-29374 shape up to the parent's write; returns the child's ref. */
static struct fl_gup_pages *cve_setup(struct fl_world *w, fl_addr_t *addr,
				      enum fl_gup_kind kind)
{
	struct fl_gup_pages *h = NULL;
	fl_addr_t a = anon_page(w, 0x11);

	do_fork(w, "child");
	as(w, "child");
	assert_int_equal(fl_gup_take(w, kind, a, 1, 0, &h), 1);
	assert_int_equal(fl_munmap(w, cur_mm(w), a, P), 0);
	store_as(w, "p", a, 0xff, 16);
	assert_mm_ok(w);
	as(w, "child");
	*addr = a;
	return h;
}

/* <= 5.7.2: mapcount 1 -> reuse in place: the child's reference sees 0xff, a leak */
static void test_57_mapcount_reuse_leaks(void **state)
{
	struct fl_world *w = kworld(5, 7, 2);
	struct fl_gup_pages *h;
	fl_addr_t a;
	bool leaked;

	(void)state;
	h = cve_setup(w, &a, FL_GUP_GET_FAST);
	assert_ptr_equal(h->pages[0], folio_at(w, "p", a));
	assert_int_equal(read_ref(w, h, &leaked), 0xff);
	assert_true(leaked);
	fl_gup_release(w, h);
	fl_world_free(w);
}

/* 5.7.3 (stable backport of 17839856fd58): the child's GUP breaks COW first */
static void test_573_gup_breaks_cow(void **state)
{
	struct fl_world *w = kworld(5, 7, 3);
	struct fl_gup_pages *h;
	fl_addr_t a;
	bool leaked;

	(void)state;
	h = cve_setup(w, &a, FL_GUP_GET);
	assert_ptr_not_equal(h->pages[0], folio_at(w, "p", a));
	assert_int_equal(read_ref(w, h, &leaked), 0x11);
	assert_false(leaked);
	fl_gup_release(w, h);
	fl_world_free(w);
}

/*
 * 5.8: GUP-fast refuses the R/O pte; the slow path breaks COW: the child's
 * pte now maps a private copy, before the child unmaps it
 */
static void test_58_fast_refuses_ro_pte(void **state)
{
	struct fl_world *w = kworld(5, 8, 0);
	fl_addr_t a = anon_page(w, 0x11);
	struct fl_folio *orig = folio_at(w, "p", a), *f = NULL;

	(void)state;
	do_fork(w, "child");
	as(w, "child");
	assert_int_equal(fl_get_user_pages_fast(w, a, 1, 0, &f), 1);
	assert_ptr_not_equal(f, orig);
	assert_ptr_equal(f, folio_at(w, "child", a));
	assert_int_equal(orig->mapcount, 1);
	fl_put_user_page(w, f);
	assert_mm_ok(w);
	fl_world_free(w);
}

/* 5.9: no COW break at GUP time, but reuse needs refcount 1: the parent copies */
static void test_59_refcount_rule_copies(void **state)
{
	struct fl_world *w = kworld(5, 9, 0);
	struct fl_gup_pages *h;
	fl_addr_t a;
	bool leaked;

	(void)state;
	h = cve_setup(w, &a, FL_GUP_GET_FAST);
	assert_ptr_not_equal(h->pages[0], folio_at(w, "p", a));
	assert_int_equal(h->pages[0]->mapcount, 0);
	assert_int_equal(read_ref(w, h, &leaked), 0x11);
	assert_false(leaked);
	fl_gup_release(w, h);
	fl_world_free(w);
}

/*
 * 5.9 fork of a pinned page (MMF_HAS_PINNED): the child gets a copy, the
 * parent keeps its writable pte and the pin stays coherent
 */
static void test_59_fork_copies_pinned(void **state)
{
	struct fl_world *w = kworld(5, 9, 0);
	fl_addr_t a = anon_page(w, 0x11);
	struct fl_folio *f = NULL;

	(void)state;
	/* fl_mm_check after every statement (gup's test of it) */
	assert_mm_ok(w);
	assert_int_equal(fl_pin_user_pages(w, a, 1, FL_FOLL_WRITE, &f), 1);
	assert_mm_ok(w);
	do_fork(w, "child");
	assert_mm_ok(w);
	assert_ptr_equal(folio_at(w, "p", a), f);
	assert_ptr_not_equal(folio_at(w, "child", a), f);
	assert_true(pte_writable(w, "p", a));
	assert_int_equal(load_as(w, "child", a), 0x11);
	assert_mm_ok(w);
	fl_unpin_user_page(w, f);
	assert_mm_ok(w);
	fl_world_free(w);

	/* 5.8: the same fork shares the pinned page */
	w = kworld(5, 8, 0);
	a = anon_page(w, 0x11);
	assert_int_equal(fl_pin_user_pages(w, a, 1, FL_FOLL_WRITE, &f), 1);
	do_fork(w, "child");
	assert_ptr_equal(folio_at(w, "child", a), f);
	fl_world_free(w);
}

/*
 * 5.18: a folio held by its pte and the swap cache is reused (the swap
 * entry is freed); 5.17 copies it
 */
static void swapcache_case(unsigned minor, bool reused)
{
	struct fl_world *w = kworld(5, minor, 0);
	fl_addr_t a = anon_page(w, 0x11);
	struct fl_folio *f = folio_at(w, "p", a);

	assert_int_equal(fl_mprotect(w, cur_mm(w), a, P, FL_PROT_READ), 0);
	assert_int_equal(fl_mprotect(w, cur_mm(w), a, P, FL_PROT_READ | FL_PROT_WRITE), 0);
	f->flags = (f->flags & ~FL_FOLIO_ANON_EXCLUSIVE) | FL_FOLIO_SWAPCACHE;
	f->refcount++;                          /* the swap cache's reference */
	store_as(w, "p", a, 0xff, 1);
	if (reused) {
		assert_ptr_equal(folio_at(w, "p", a), f);
		assert_false(f->flags & FL_FOLIO_SWAPCACHE);
		assert_int_equal(f->refcount, 1);
	} else {
		assert_ptr_not_equal(folio_at(w, "p", a), f);
	}
	fl_world_free(w);
}

static void test_518_swapcache_reuse(void **state)
{
	(void)state;
	swapcache_case(17, false);
	swapcache_case(18, true);
}

/*
 * 5.19: R/O pin of a page shared with a child -> unshare: a new exclusive
 * R/O copy is pinned; the parent's write then reuses it: the pin sees it
 */
static void test_519_pin_unshares_shared(void **state)
{
	struct fl_world *w = kworld(5, 19, 0);
	fl_addr_t a = anon_page(w, 0x11);
	struct fl_folio *orig = folio_at(w, "p", a), *f = NULL;
	bool leaked;
	struct fl_gup_pages h = { FL_FOLL_PIN, 1, 1, 0, &f };

	(void)state;
	do_fork(w, "child");
	as(w, "p");
	assert_int_equal(fl_pin_user_pages(w, a, 1, 0, &f), 1);
	assert_ptr_not_equal(f, orig);
	assert_true(f->flags & FL_FOLIO_ANON_EXCLUSIVE);
	assert_false(pte_writable(w, "p", a));
	store_as(w, "p", a, 0xff, 1);
	assert_ptr_equal(folio_at(w, "p", a), f);
	assert_int_equal(read_ref(w, &h, &leaked), 0xff);
	assert_int_equal(load_as(w, "child", a), 0x11);
	fl_unpin_user_page(w, f);
	assert_mm_ok(w);
	fl_world_free(w);
}

/* 5.19: R/O pin of a previously shared page (child gone) -> marked exclusive, stays R/O */
static void test_519_pin_marks_reusable_exclusive(void **state)
{
	struct fl_world *w = kworld(5, 19, 0);
	fl_addr_t a = anon_page(w, 0x11);
	struct fl_folio *orig = folio_at(w, "p", a), *f = NULL;

	(void)state;
	do_fork(w, "child");
	assert_int_equal(fl_process_exit(w, proc(w, "child")), 0);
	as(w, "p");
	assert_false(orig->flags & FL_FOLIO_ANON_EXCLUSIVE);
	assert_int_equal(fl_pin_user_pages(w, a, 1, 0, &f), 1);
	assert_ptr_equal(f, orig);
	assert_true(f->flags & FL_FOLIO_ANON_EXCLUSIVE);
	assert_false(pte_writable(w, "p", a));
	fl_unpin_user_page(w, f);
	fl_world_free(w);
}

/* 5.18: the same pin takes the shared page as it is; the write COWs away from it */
static void test_518_ro_pin_unreliable(void **state)
{
	struct fl_world *w = kworld(5, 18, 0);
	fl_addr_t a = anon_page(w, 0x11);
	struct fl_folio *orig = folio_at(w, "p", a), *f = NULL;

	(void)state;
	do_fork(w, "child");
	assert_int_equal(fl_process_exit(w, proc(w, "child")), 0);
	as(w, "p");
	assert_int_equal(fl_pin_user_pages(w, a, 1, 0, &f), 1);
	assert_ptr_equal(f, orig);
	store_as(w, "p", a, 0xff, 1);
	assert_ptr_not_equal(folio_at(w, "p", a), f);
	fl_unpin_user_page(w, f);
	fl_world_free(w);
}

/* 5.19: FOLL_GET is not unshared: the reference is on the shared page */
static void test_519_get_not_unshared(void **state)
{
	struct fl_world *w = kworld(5, 19, 0);
	fl_addr_t a = anon_page(w, 0x11);
	struct fl_folio *orig = folio_at(w, "p", a), *f = NULL;

	(void)state;
	do_fork(w, "child");
	as(w, "p");
	assert_int_equal(fl_get_user_pages(w, a, 1, 0, &f), 1);
	assert_ptr_equal(f, orig);
	assert_false(f->flags & FL_FOLIO_ANON_EXCLUSIVE);
	fl_put_user_page(w, f);
	fl_world_free(w);
}

/*
 * 5.19: fork copies a pinned exclusive page; an unpinned page only loses
 * its exclusive flag
 */
static void test_519_fork_exclusive_rules(void **state)
{
	struct fl_world *w = kworld(5, 19, 0);
	fl_addr_t a = anon_page(w, 0x11), b = anon_page(w, 0x22);
	struct fl_folio *fa = folio_at(w, "p", a), *fb = folio_at(w, "p", b), *f = NULL;

	(void)state;
	assert_int_equal(fl_pin_user_pages(w, a, 1, 0, &f), 1);
	do_fork(w, "child");
	assert_ptr_not_equal(folio_at(w, "child", a), fa);
	assert_true(fa->flags & FL_FOLIO_ANON_EXCLUSIVE);
	assert_ptr_equal(folio_at(w, "child", b), fb);
	assert_false(fb->flags & FL_FOLIO_ANON_EXCLUSIVE);
	fl_unpin_user_page(w, f);
	fl_world_free(w);
}

/*
 * host case 10 on 5.18 and 6.6: /proc/self/mem write of one byte to a
 * R/O zero-page-backed private anon page: 1, the value changes; a user
 * store afterwards is SIGSEGV
 */
static void zero_page_force_write(unsigned maj, unsigned min)
{
	struct fl_world *w = kworld(maj, min, 0);
	fl_addr_t a = test_mmap(w, P, FL_PROT_READ, FL_MAP_PRIVATE, NULL, 0);
	struct fl_signal sig;
	uint8_t b = 'B';

	assert_int_equal(load_as(w, "p", a), 0);
	assert_true(folio_at(w, "p", a)->flags & FL_FOLIO_ZERO);
	assert_int_equal(fl_proc_mem_rw(w, a, "A", 1, true, NULL), 1);
	assert_int_equal(load_as(w, "p", a), 'A');
	assert_int_equal(fl_user_store(w, a, &b, 1, &sig), 0);
	assert_int_equal(sig.sig, FL_SIGSEGV);
	assert_int_equal(load_as(w, "p", a), 'A');
	assert_mm_ok(w);
	fl_world_free(w);
}

static void test_60_force_write_zero_page(void **state)
{
	(void)state;
	zero_page_force_write(5, 18);
	zero_page_force_write(6, 6);
}

/* host case 9: PROT_NONE private anon: read -> zeros; write 1 -> visible after mprotect(R) */
static void test_proc_mem_prot_none(void **state)
{
	struct fl_world *w = kworld(6, 6, 0);
	fl_addr_t a = test_mmap(w, P, FL_PROT_NONE, FL_MAP_PRIVATE, NULL, 0);
	uint8_t buf[8];

	(void)state;
	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(fl_proc_mem_rw(w, a, buf, 8, false, NULL), 8);
	assert_int_equal(buf[0], 0);
	assert_int_equal(buf[7], 0);
	assert_int_equal(fl_proc_mem_rw(w, a + 3, "x", 1, true, NULL), 1);
	assert_int_equal(fl_mprotect(w, cur_mm(w), a, P, FL_PROT_READ), 0);
	assert_int_equal(load_as(w, "p", a + 3), 'x');
	assert_int_equal(fl_proc_mem_rw(w, a + P, buf, 1, false, NULL), -EIO);
	fl_world_free(w);
}

/* host case 11: R/O MAP_PRIVATE file mapping: the mapping sees the byte, the file not */
static void test_proc_mem_private_file(void **state)
{
	struct fl_world *w = kworld(6, 6, 0);
	struct fl_file *file;
	fl_addr_t a;
	uint8_t b = 0xee;

	(void)state;
	assert_int_equal(fl_file_new(w, "f", P, FL_FS_TMPFS, &file), 0);
	a = test_mmap(w, P, FL_PROT_READ, FL_MAP_PRIVATE, file, 0);
	assert_int_equal(fl_proc_mem_rw(w, a, "Z", 1, true, NULL), 1);
	assert_int_equal(load_as(w, "p", a), 'Z');
	assert_int_equal(fl_file_pread(w, file, &b, 1, 0), 1);
	assert_int_equal(b, 0);
	fl_world_free(w);
}

/*
 * The leak checker: bytes the parent wrote before the fork are the
 * child's to read; bytes written after it are not; nor are a child's
 * bytes the parent's.
 */
static void test_leak_checker_ancestry(void **state)
{
	struct fl_world *w = kworld(6, 6, 0);
	fl_addr_t a = anon_page(w, 0x11);
	struct fl_folio *before = folio_at(w, "p", a);

	(void)state;
	do_fork(w, "child");
	assert_false(fl_folio_leaks_to(w, before, proc(w, "child")));
	assert_false(fl_folio_leaks_to(w, before, proc(w, "p")));
	store_as(w, "p", a, 0xff, 1);
	assert_true(fl_folio_leaks_to(w, folio_at(w, "p", a), proc(w, "child")));
	store_as(w, "child", a, 0xcc, 1);
	assert_true(fl_folio_leaks_to(w, folio_at(w, "child", a), proc(w, "p")));
	assert_false(fl_folio_leaks_to(w, folio_at(w, "child", a), proc(w, "child")));
	fl_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_57_mapcount_reuse_leaks),
		cmocka_unit_test(test_573_gup_breaks_cow),
		cmocka_unit_test(test_58_fast_refuses_ro_pte),
		cmocka_unit_test(test_59_refcount_rule_copies),
		cmocka_unit_test(test_59_fork_copies_pinned),
		cmocka_unit_test(test_518_swapcache_reuse),
		cmocka_unit_test(test_519_pin_unshares_shared),
		cmocka_unit_test(test_519_pin_marks_reusable_exclusive),
		cmocka_unit_test(test_518_ro_pin_unreliable),
		cmocka_unit_test(test_519_get_not_unshared),
		cmocka_unit_test(test_519_fork_exclusive_rules),
		cmocka_unit_test(test_60_force_write_zero_page),
		cmocka_unit_test(test_proc_mem_prot_none),
		cmocka_unit_test(test_proc_mem_private_file),
		cmocka_unit_test(test_leak_checker_ancestry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
