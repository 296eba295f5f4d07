/*
 * tests/unit/callers/test_btrfs.c - btrfs search_ioctl in each era
 * (callers/btrfs.c).  The buffer is two pages, A and B; items are 128
 * bytes, so A holds items 0..31, B items 32..63, four leaves of 16:
 *
 *   A                                   B
 *   | item 0 | ... | item 31 |          | item 32 | ... | item 63 |
 *   0x200000                            0x201000
 *                                         hdr 0x1000..0x101f
 *                                         data 0x1020..0x107f
 *                                         MTE granule 0x1030 (tag 3)
 */
#include <faultline/uaccess.h>

#include "livelock_test.h"

static struct fl_world *w;

static int teardown(void **state)
{
	(void)state;
	fl_world_free(w);
	w = NULL;
	return 0;
}

/* The spec's world: arm64+mte, both pages zero, one tagged granule. */
static void mte_world(fl_kver_t kver)
{
	w = lt_world(FL_ARCH_ARM64_MTE, kver);
	lt_map(w, A, 2 * P, RW);
	lt_poke_fill(w, A, 2 * P, 0);
	assert_int_equal(fl_tag(w, lt_mm(w), B + 0x30, 16, 3), 0);
}

static uint64_t peek_le64(fl_addr_t at)
{
	uint8_t b[8];
	uint64_t v = 0;
	int i;

	assert_int_equal(fl_peek(w, lt_mm(w), at, b, 8), 0);
	for (i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

/* x86_64 5.18, nothing present yet: four leaves, 64 items, buffer full. */
static void test_x86_518_fills_buffer(void **state)
{
	struct fl_btrfs_result res;

	(void)state;
	w = lt_world(FL_ARCH_X86_64, FL_KV(5, 18, 0));
	lt_map(w, A, 2 * P, RW);
	assert_int_equal(fl_btrfs_search_ioctl(w, A, 2 * P, NULL, &res), 0);
	assert_int_equal(res.nr_items, 64);
	assert_int_equal(res.sk_offset, 2 * P);
	assert_int_equal(res.rounds, 5);
	/* item 33's header: objectid 256 + 33, after transid */
	assert_int_equal(peek_le64(B + FL_BTRFS_ITEM_SIZE + 8), 256 + 33);
}

/* 5.18 arm64+mte, the spec Example: proven live-lock, rounds 4 and 5. */
static void test_mte_518_livelocks(void **state)
{
	struct fl_btrfs_result res;
	struct fl_loop l;

	(void)state;
	mte_world(FL_KV(5, 18, 0));
	fl_loop_init(&l, w, "btrfs");
	assert_int_equal(fl_btrfs_search_ioctl(w, A, 2 * P, &l, &res), FL_LOOP_STOPPED);
	assert_int_equal(l.verdict, FL_LOOP_LIVELOCK);
	assert_int_equal(l.first, 4);
	assert_int_equal(l.second, 5);
	assert_int_equal(res.nr_items, 32);
	assert_int_equal(res.sk_offset, P);
	fl_loop_fini(&l);
}

/* 5.19: fault_in_subpage_writeable finds the granule: -EFAULT, no items. */
static void test_mte_519_efault(void **state)
{
	struct fl_btrfs_result res;

	(void)state;
	mte_world(FL_KV(5, 19, 0));
	assert_int_equal(fl_btrfs_search_ioctl(w, A, 2 * P, NULL, &res), -EFAULT);
	assert_int_equal(res.nr_items, 0);
	assert_int_equal(res.rounds, 1);
}

/* Before 5.9: copy_to_user with faults enabled stops at item 32: -EFAULT. */
static void test_mte_58_copy_to_user_efault(void **state)
{
	struct fl_btrfs_result res;

	(void)state;
	mte_world(FL_KV(5, 8, 0));
	assert_int_equal(fl_btrfs_search_ioctl(w, A, 2 * P, NULL, &res), -EFAULT);
	assert_int_equal(res.nr_items, 32);
}

/* x86_64 has no sub-page faults: the same buffer never live-locks. */
static void test_x86_518_never_livelocks(void **state)
{
	struct fl_btrfs_result res;

	(void)state;
	w = lt_world(FL_ARCH_X86_64, FL_KV(5, 18, 0));
	lt_map(w, A, 2 * P, RW);
	lt_poke_fill(w, A, 2 * P, 0);
	assert_int_equal(fl_btrfs_search_ioctl(w, A, 2 * P, NULL, &res), 0);
	assert_int_equal(res.nr_items, 64);
}

/*
 *   A rw | B PROT_NONE
 * 5.18: fault_in_writeable(ubuf, 2p) leaves B: -EFAULT before any item.
 */
static void test_x86_518_second_page_prot_none(void **state)
{
	struct fl_btrfs_result res;

	(void)state;
	w = lt_world(FL_ARCH_X86_64, FL_KV(5, 18, 0));
	lt_map(w, A, P, RW);
	lt_map(w, B, P, FL_PROT_NONE);
	assert_int_equal(fl_btrfs_search_ioctl(w, A, 2 * P, NULL, &res), -EFAULT);
	assert_int_equal(res.nr_items, 0);
}

/*
 * The race of the 5.9-rc4 bug: B is evicted right after the third
 * fault-in, the one of the round that copies item 32 (sk_offset 0x1000).
 * The pass counter is state outside the world: the monitor gets it.
 */
static int passes;

static void evict_b_third(struct fl_world *hw, enum fl_hook h, void *arg)
{
	(void)arg;
	if (h != FL_HOOK_FAULT_IN || ++passes != 3)
		return;
	assert_int_equal(fl_evict(hw, lt_mm(hw), B, P), 0);
}

static uint64_t passes_env(void *arg)
{
	(void)arg;
	return (uint64_t)(passes < 3 ? passes : 3);
}

static int race(const struct fl_btrfs_rules *rules, struct fl_loop *l,
		struct fl_btrfs_result *res)
{
	w = lt_world(FL_ARCH_X86_64, FL_KV(5, 9, 0));
	lt_map(w, A, 2 * P, RW);
	passes = 0;
	fl_world_set_hook(w, evict_b_third, NULL);
	fl_loop_init(l, w, "btrfs");
	fl_loop_set_env(l, passes_env, NULL);
	return fl_btrfs_search_ioctl_rules(w, rules, A, 2 * P, l, res);
}

/*
 * 5.9-rc4 (fault in from ubuf): after B is evicted, each round faults in
 * [ubuf, ubuf + 2p - sk_offset) = A again, never B: live-lock.
 */
static void test_rc4_faults_in_wrong_start(void **state)
{
	struct fl_btrfs_rules rc4 = { .fault_in = true };
	struct fl_btrfs_result res;
	struct fl_loop l;

	(void)state;
	assert_int_equal(race(&rc4, &l, &res), FL_LOOP_STOPPED);
	assert_int_equal(l.verdict, FL_LOOP_LIVELOCK);
	assert_int_equal(res.sk_offset, P);
	fl_loop_fini(&l);
}

/* 5.9 (-rc5 fix): the next round faults in from ubuf + sk_offset: done. */
static void test_59_faults_in_from_sk_offset(void **state)
{
	struct fl_btrfs_rules r;
	struct fl_btrfs_result res;
	struct fl_loop l;

	(void)state;
	w = lt_world(FL_ARCH_X86_64, FL_KV(5, 9, 0));
	fl_btrfs_rules_of(w, &r);
	fl_world_free(w);
	assert_true(r.fault_in && r.fault_in_off && !r.subpage);
	assert_int_equal(race(&r, &l, &res), 0);
	assert_int_equal(res.nr_items, 64);
	assert_true(passes > 3);
	fl_loop_fini(&l);
}

/* A buffer smaller than one header: -EOVERFLOW at once. */
static void test_buffer_below_header_eoverflow(void **state)
{
	(void)state;
	w = lt_world(FL_ARCH_X86_64, FL_KV(5, 18, 0));
	lt_map(w, A, P, RW);
	assert_int_equal(fl_btrfs_search_ioctl(w, A, 16, NULL, NULL), -EOVERFLOW);
}

/* Room for a header but not an item: one empty header, -EOVERFLOW. */
static void test_buffer_below_item_empty_header(void **state)
{
	struct fl_btrfs_result res;

	(void)state;
	w = lt_world(FL_ARCH_X86_64, FL_KV(5, 18, 0));
	lt_map(w, A, P, RW);
	assert_int_equal(fl_btrfs_search_ioctl(w, A, 64, NULL, &res), -EOVERFLOW);
	assert_int_equal(res.nr_items, 1);
	assert_int_equal(res.sk_offset, FL_BTRFS_HEADER);
}

/*
 * A tree of 10 items of 200 data bytes (232 with the header): the search
 * ends with the tree, 2320 bytes filled, each header saying len 200.
 */
static void test_tree_shape_sets_offsets(void **state)
{
	struct fl_btrfs_tree tree = { 10, 200, NULL };
	struct fl_btrfs_result res;

	(void)state;
	w = lt_world(FL_ARCH_X86_64, FL_KV(5, 18, 0));
	lt_map(w, A, 2 * P, RW);
	assert_int_equal(fl_btrfs_search_ioctl_tree(w, &tree, A, 2 * P, NULL, &res), 0);
	assert_int_equal(res.nr_items, 10);
	assert_int_equal(res.sk_offset, 10 * 232);
	/* item 9's header: objectid 256 + 9; len (low 32 bits of +24) is 200 */
	assert_int_equal(peek_le64(A + 9 * 232 + 8), 256 + 9);
	assert_int_equal(peek_le64(A + 9 * 232 + 24) >> 32, 200);
	assert_int_equal(peek_le64(A + 10 * 232), 0);
}

/*
 * A tree with contents (a judge's items): every byte copied is theirs but
 * each header's len, the copy's own.  3 items of 40 data bytes, the
 * buffer room for 2: the third is left out, as the tree's own would be.
 */
static uint64_t le64_at(const uint8_t *p)
{
	uint64_t v = 0;
	int k;

	for (k = 7; k >= 0; k--)
		v = v << 8 | p[k];
	return v;
}

static void test_tree_contents_copied(void **state)
{
	uint8_t items[3 * 72];
	struct fl_btrfs_tree tree = { 3, 40, items };
	struct fl_btrfs_result res;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(items); i++)
		items[i] = (uint8_t)(0x80 + i);
	w = lt_world(FL_ARCH_X86_64, FL_KV(6, 1, 0));
	lt_map(w, A, P, RW);
	assert_int_equal(fl_btrfs_search_ioctl_tree(w, &tree, A, 2 * 72 + 8, NULL, &res), 0);
	assert_int_equal(res.nr_items, 2);
	/* item 1: transid, objectid, offset and type are the contents' own */
	for (i = 0; i < 24; i += 8)
		assert_int_equal(peek_le64(A + 72 + i), le64_at(items + 72 + i));
	assert_int_equal(peek_le64(A + 72 + 24) & 0xffffffffu,
			 le64_at(items + 72 + 24) & 0xffffffffu);
	assert_int_equal(peek_le64(A + 72 + 24) >> 32, 40);     /* len: the copy's */
	for (i = 32; i < 72; i += 8)                            /* its data */
		assert_int_equal(peek_le64(A + 72 + i), le64_at(items + 72 + i));
	assert_int_equal(peek_le64(A + 2 * 72), 0);             /* item 2 left out */
}

/* The same tree shape puts item 17 across the tagged granule of page B: 5.18 spins. */
static void test_tree_shape_livelock_moves(void **state)
{
	struct fl_btrfs_tree tree = { 64, 200, NULL };
	struct fl_btrfs_result res;
	struct fl_loop l;

	(void)state;
	mte_world(FL_KV(5, 18, 0));
	fl_loop_init(&l, w, "btrfs search_ioctl");
	assert_int_equal(fl_btrfs_search_ioctl_tree(w, &tree, A, 2 * P, &l, &res),
			 FL_LOOP_STOPPED);
	assert_int_equal(l.verdict, FL_LOOP_LIVELOCK);
	/* items 0..16 are whole below 0x1030 + 16; item 17 (0xf68..0x1050) is stuck */
	assert_int_equal(res.nr_items, 17);
	assert_int_equal(res.sk_offset, 17 * 232);
	fl_loop_fini(&l);
}

/* Out of range shapes are refused, not run. */
static void test_tree_shape_out_of_range(void **state)
{
	struct fl_btrfs_tree none = { 0, 96, NULL }, fat = { 1, FL_BTRFS_ITEM_DATA_MAX + 1, NULL };

	(void)state;
	w = lt_world(FL_ARCH_X86_64, FL_KV(5, 18, 0));
	lt_map(w, A, 2 * P, RW);
	assert_int_equal(fl_btrfs_search_ioctl_tree(w, &none, A, 2 * P, NULL, NULL), -EINVAL);
	assert_int_equal(fl_btrfs_search_ioctl_tree(w, &fat, A, 2 * P, NULL, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_x86_518_fills_buffer, teardown),
		cmocka_unit_test_teardown(test_mte_518_livelocks, teardown),
		cmocka_unit_test_teardown(test_mte_519_efault, teardown),
		cmocka_unit_test_teardown(test_mte_58_copy_to_user_efault, teardown),
		cmocka_unit_test_teardown(test_x86_518_never_livelocks, teardown),
		cmocka_unit_test_teardown(test_x86_518_second_page_prot_none, teardown),
		cmocka_unit_test_teardown(test_rc4_faults_in_wrong_start, teardown),
		cmocka_unit_test_teardown(test_59_faults_in_from_sk_offset, teardown),
		cmocka_unit_test_teardown(test_buffer_below_header_eoverflow, teardown),
		cmocka_unit_test_teardown(test_buffer_below_item_empty_header, teardown),
		cmocka_unit_test_teardown(test_tree_shape_sets_offsets, teardown),
		cmocka_unit_test_teardown(test_tree_contents_copied, teardown),
		cmocka_unit_test_teardown(test_tree_shape_livelock_moves, teardown),
		cmocka_unit_test_teardown(test_tree_shape_out_of_range, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
