/*
 * test_fork.c - fork(): COW of private anonymous memory in both directions,
 * shared mappings, MADV_DONTFORK and MADV_WIPEONFORK, with the mm
 * invariants (mapcount, refcount, no writable shared pte) after every step
 * (test_cow_parent_writes: after every statement).
 */
#include "pages_test.h"

struct fork_world {
	struct fl_world *w;
	struct fl_process *parent, *child;
};

static void fork_setup(struct fork_world *fw)
{
	fw->w = test_world(FL_ARCH_X86_64);
	assert_int_equal(fl_process_new(fw->w, "parent", &fw->parent), 0);
	assert_ptr_equal(fl_current(fw->w), fw->parent);
}

static void do_fork(struct fork_world *fw)
{
	assert_int_equal(fl_fork(fw->w, fw->parent, "child", &fw->child), 0);
	assert_ptr_equal(fl_current(fw->w), fw->parent);
	assert_mm_ok(fw->w);
}

static uint8_t load_byte(struct fl_world *w, struct fl_process *p, fl_addr_t a)
{
	struct fl_signal sig;
	uint8_t b = 0xee;

	assert_int_equal(fl_set_current(w, p), 0);
	assert_int_equal(fl_user_load(w, a, &b, 1, &sig), 1);
	return b;
}

static void store_fill(struct fl_world *w, struct fl_process *p, fl_addr_t a,
		       uint8_t v, size_t len)
{
	uint8_t buf[4096];
	struct fl_signal sig;

	memset(buf, v, sizeof(buf));
	assert_int_equal(fl_set_current(w, p), 0);
	assert_int_equal(fl_user_store(w, a, buf, len, &sig), len);
	assert_int_equal(sig.sig, FL_SIG_NONE);
}

/*
 *  parent: [ anon rw 0x11 ]  --fork-->  child: [ anon rw, same folio R/O ]
 *  parent writes 0xff: the child still reads 0x11 (host case 16)
 */
static void test_cow_parent_writes(void **state)
{
	struct fork_world fw;
	fl_addr_t a;
	const fl_pte_t *pp, *cp;

	(void)state;
	fork_setup(&fw);
	a = test_mmap(fw.w, P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
	assert_mm_ok(fw.w);
	store_fill(fw.w, fw.parent, a, 0x11, P);
	assert_mm_ok(fw.w);
	do_fork(&fw);
	pp = fl_pte_lookup(fw.parent->mm, a);
	cp = fl_pte_lookup(fw.child->mm, a);
	assert_ptr_equal(pp->folio, cp->folio);
	assert_int_equal(pp->folio->mapcount, 2);
	assert_int_equal(pp->folio->refcount, 2);
	assert_false(pp->flags & FL_PTE_WRITE);
	assert_false(cp->flags & FL_PTE_WRITE);
	assert_false(pp->folio->flags & FL_FOLIO_ANON_EXCLUSIVE);

	store_fill(fw.w, fw.parent, a, 0xff, P);
	assert_mm_ok(fw.w);
	assert_int_equal(load_byte(fw.w, fw.child, a + 7), 0x11);
	assert_mm_ok(fw.w);
	assert_int_equal(load_byte(fw.w, fw.parent, a + 7), 0xff);
	assert_int_equal(fl_pte_lookup(fw.child->mm, a)->folio->mapcount, 1);
	assert_mm_ok(fw.w);
	fl_world_free(fw.w);
}

/*
 *  same, the child writes first; then the parent's write reuses its page
 *  (refcount 1 again: no copy)
 */
static void test_cow_child_writes_then_parent_reuses(void **state)
{
	struct fork_world fw;
	fl_addr_t a;
	struct fl_folio *before;

	(void)state;
	fork_setup(&fw);
	a = test_mmap(fw.w, P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
	store_fill(fw.w, fw.parent, a, 0x22, P);
	do_fork(&fw);
	store_fill(fw.w, fw.child, a, 0x33, 1);
	assert_mm_ok(fw.w);
	assert_int_equal(load_byte(fw.w, fw.parent, a), 0x22);
	before = fl_pte_lookup(fw.parent->mm, a)->folio;
	store_fill(fw.w, fw.parent, a, 0x44, 1);
	assert_ptr_equal(fl_pte_lookup(fw.parent->mm, a)->folio, before);
	assert_int_equal(load_byte(fw.w, fw.child, a), 0x33);
	assert_int_equal(load_byte(fw.w, fw.parent, a + 1), 0x22);
	assert_mm_ok(fw.w);
	fl_world_free(fw.w);
}

/*
 *  parent: [ anon shared rw ] written after fork by the child: the parent
 *  sees it, also for a page first touched after the fork
 */
static void test_shared_stays_shared(void **state)
{
	struct fork_world fw;
	fl_addr_t a;

	(void)state;
	fork_setup(&fw);
	a = test_mmap(fw.w, 2 * P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_SHARED, NULL, 0);
	store_fill(fw.w, fw.parent, a, 0x55, 1);
	do_fork(&fw);
	store_fill(fw.w, fw.child, a, 0x66, 1);
	store_fill(fw.w, fw.child, a + P, 0x77, 1);
	assert_mm_ok(fw.w);
	assert_int_equal(load_byte(fw.w, fw.parent, a), 0x66);
	assert_int_equal(load_byte(fw.w, fw.parent, a + P), 0x77);
	assert_mm_ok(fw.w);
	fl_world_free(fw.w);
}

/*
 *  parent: [ anon rw DONTFORK ][ anon rw ]  -> child has only the second
 */
static void test_dontfork_not_copied(void **state)
{
	struct fork_world fw;
	fl_addr_t a, b;
	struct fl_signal sig;
	uint8_t x;

	(void)state;
	fork_setup(&fw);
	a = test_mmap(fw.w, P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
	b = test_mmap(fw.w, P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
	store_fill(fw.w, fw.parent, a, 1, P);
	assert_int_equal(fl_madvise(fw.w, fw.parent->mm, a, P, FL_MADV_DONTFORK), 0);
	do_fork(&fw);
	assert_null(fl_vma_lookup(fw.child->mm, a));
	assert_non_null(fl_vma_lookup(fw.child->mm, b));
	assert_int_equal(fl_set_current(fw.w, fw.child), 0);
	assert_int_equal(fl_user_load(fw.w, a, &x, 1, &sig), 0);
	assert_int_equal(sig.code, FL_SEGV_MAPERR);
	/* the parent's page is exclusive again, nothing was shared */
	assert_true(fl_pte_lookup(fw.parent->mm, a)->flags & FL_PTE_WRITE);
	assert_mm_ok(fw.w);
	fl_world_free(fw.w);
}

/*
 *  parent: [ anon rw WIPEONFORK 0x99 ] -> child: same vma, reads zero
 */
static void test_wipeonfork_empty(void **state)
{
	struct fork_world fw;
	fl_addr_t a;

	(void)state;
	fork_setup(&fw);
	a = test_mmap(fw.w, P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
	store_fill(fw.w, fw.parent, a, 0x99, P);
	assert_int_equal(fl_madvise(fw.w, fw.parent->mm, a, P, FL_MADV_WIPEONFORK), 0);
	do_fork(&fw);
	assert_non_null(fl_vma_lookup(fw.child->mm, a));
	assert_null(fl_pte_lookup(fw.child->mm, a));
	assert_int_equal(load_byte(fw.w, fw.child, a), 0);
	assert_int_equal(load_byte(fw.w, fw.parent, a), 0x99);
	assert_mm_ok(fw.w);
	fl_world_free(fw.w);
}

/*
 *  parent: [ anon rw ] forked, then the child exits: the parent's folio is
 *  mapped once again and its next write reuses it
 */
static void test_exit_drops_mappings(void **state)
{
	struct fork_world fw;
	fl_addr_t a;
	const fl_pte_t *pte;

	(void)state;
	fork_setup(&fw);
	a = test_mmap(fw.w, P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
	store_fill(fw.w, fw.parent, a, 0x12, P);
	do_fork(&fw);
	assert_int_equal(fl_process_exit(fw.w, fw.child), 0);
	assert_null(fl_process_find(fw.w, "child"));
	pte = fl_pte_lookup(fw.parent->mm, a);
	assert_int_equal(pte->folio->mapcount, 1);
	assert_int_equal(pte->folio->refcount, 1);
	store_fill(fw.w, fw.parent, a, 0x13, 1);
	assert_true(fl_pte_lookup(fw.parent->mm, a)->folio->flags & FL_FOLIO_ANON_EXCLUSIVE);
	assert_int_equal(fl_process_exit(fw.w, fw.child), -ESRCH);
	assert_mm_ok(fw.w);
	fl_world_free(fw.w);
}

/* fl_current creates "p" when no process exists. */
static void test_default_process(void **state)
{
	struct fl_world *w = test_world(FL_ARCH_X86_64);

	(void)state;
	assert_null(fl_process_find(w, "p"));
	assert_string_equal(fl_current(w)->name, "p");
	assert_ptr_equal(fl_process_find(w, "p"), fl_current(w));
	assert_int_equal(fl_process_new(w, "p", NULL), -EEXIST);
	fl_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cow_parent_writes),
		cmocka_unit_test(test_cow_child_writes_then_parent_reuses),
		cmocka_unit_test(test_shared_stays_shared),
		cmocka_unit_test(test_dontfork_not_copied),
		cmocka_unit_test(test_wipeonfork_empty),
		cmocka_unit_test(test_exit_drops_mappings),
		cmocka_unit_test(test_default_process),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
