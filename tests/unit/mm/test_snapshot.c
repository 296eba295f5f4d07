/*
 * test_snapshot.c - world snapshots over the page half: every byte, pte and
 * folio comes back after munmap, writes, fork and eviction; restores repeat;
 * the model's own memory counts stay flat over many cycles.
 */
#include "pages_test.h"

#define SNAP_PAGES 4

struct image {
	uint8_t bytes[SNAP_PAGES * 4096];
	fl_pte_t pte[SNAP_PAGES];
	uint32_t refcount[SNAP_PAGES], mapcount[SNAP_PAGES];
};

/* Everything observable about [a, a + SNAP_PAGES pages) of the current mm. */
static void take_image(struct fl_world *w, fl_addr_t a, struct image *im)
{
	int i;

	memset(im, 0, sizeof(*im));
	assert_int_equal(fl_peek(w, cur_mm(w), a, im->bytes, sizeof(im->bytes)), 0);
	for (i = 0; i < SNAP_PAGES; i++) {
		const fl_pte_t *pte = pte_of(w, a + (fl_addr_t)i * P);

		if (!pte)
			continue;
		im->pte[i] = *pte;
		if (pte->flags & FL_PTE_PRESENT) {
			im->refcount[i] = pte->folio->refcount;
			im->mapcount[i] = pte->folio->mapcount;
		}
	}
}

static void assert_image_equal(const struct image *x, const struct image *y)
{
	assert_memory_equal(x->bytes, y->bytes, sizeof(x->bytes));
	assert_memory_equal(x->pte, y->pte, sizeof(x->pte));
	assert_memory_equal(x->refcount, y->refcount, sizeof(x->refcount));
	assert_memory_equal(x->mapcount, y->mapcount, sizeof(x->mapcount));
}

/*
 *  [ p0 data | p1 zero page | p2 data | p3 absent ]
 */
static fl_addr_t setup(struct fl_world *w)
{
	fl_addr_t a = test_mmap(w, SNAP_PAGES * P, FL_PROT_READ | FL_PROT_WRITE,
				FL_MAP_PRIVATE, NULL, 0);
	struct fl_signal sig;
	uint8_t b;

	assert_int_equal(fl_poke(w, cur_mm(w), a, "page zero", 9), 0);
	assert_int_equal(fl_poke(w, cur_mm(w), a + 2 * P + 100, "page two", 8), 0);
	fl_user_load(w, a + P, &b, 1, &sig);
	return a;
}

/* munmap, write, fork, evict after the snapshot: restore undoes them all */
static void test_restore_undoes_everything(void **state)
{
	struct fl_world *w = test_world(FL_ARCH_X86_64);
	fl_addr_t a = setup(w);
	struct image before, after;
	struct fl_signal sig;
	uint8_t junk[64];

	(void)state;
	memset(junk, 0xab, sizeof(junk));
	take_image(w, a, &before);
	assert_int_equal(fl_world_snapshot(w), 0);

	assert_int_equal(fl_user_store(w, a + 10, junk, sizeof(junk), &sig), sizeof(junk));
	assert_int_equal(fl_fork(w, fl_current(w), "child", NULL), 0);
	assert_int_equal(fl_evict(w, cur_mm(w), a, SNAP_PAGES * P), 0);
	assert_int_equal(fl_munmap(w, cur_mm(w), a + 2 * P, P), 0);
	assert_int_equal(fl_user_store(w, a + P, junk, 8, &sig), 8);

	assert_int_equal(fl_world_restore(w), 0);
	assert_null(fl_process_find(w, "child"));
	take_image(w, a, &after);
	assert_image_equal(&before, &after);
	assert_mm_ok(w);
	fl_world_free(w);
}

/* The snapshot survives a restore: change, restore, change, restore again */
static void test_restore_twice(void **state)
{
	struct fl_world *w = test_world(FL_ARCH_X86_64);
	fl_addr_t a = setup(w);
	struct image before, after;

	(void)state;
	take_image(w, a, &before);
	assert_int_equal(fl_world_snapshot(w), 0);
	assert_int_equal(fl_poke(w, cur_mm(w), a, "first", 5), 0);
	assert_int_equal(fl_world_restore(w), 0);
	assert_int_equal(fl_poke(w, cur_mm(w), a + 3 * P, "second", 6), 0);
	assert_int_equal(fl_poke(w, cur_mm(w), a, "again", 5), 0);
	assert_int_equal(fl_world_restore(w), 0);
	take_image(w, a, &after);
	assert_image_equal(&before, &after);
	assert_mm_ok(w);
	fl_world_free(w);
}

/*
 *  frames allocated after the snapshot are free again after the restore and
 *  are handed out again with zeroed contents
 */
static void test_new_frames_reused(void **state)
{
	struct fl_world *w = test_world(FL_ARCH_X86_64);
	fl_addr_t a = setup(w);
	fl_addr_t b = test_mmap(w, P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
	uint32_t frame1;
	uint8_t buf[16];

	(void)state;
	(void)a;
	assert_int_equal(fl_world_snapshot(w), 0);
	assert_int_equal(fl_poke(w, cur_mm(w), b, "new frame data", 14), 0);
	frame1 = pte_of(w, b)->folio->frame;
	assert_int_equal(fl_world_restore(w), 0);
	assert_false(pte_present(w, b));
	assert_int_equal(fl_poke(w, cur_mm(w), b + 100, "x", 1), 0);
	assert_int_equal(pte_of(w, b)->folio->frame, frame1);
	assert_int_equal(fl_peek(w, cur_mm(w), b, buf, sizeof(buf)), 0);
	assert_int_equal(buf[0], 0);
	assert_mm_ok(w);
	fl_world_free(w);
}

/*
 * The counts move with what the model takes: metadata for a mapping,
 * a frame for each page written, the snapshot's copy, and one journal
 * entry for a frame written after the snapshot.  (Were they stuck at 0,
 * the bound below could not fail.)
 */
static void test_usage_counts_what_the_model_takes(void **state)
{
	struct fl_world *w = test_world(FL_ARCH_X86_64);
	struct fl_world_usage u0, u1, u2, u3;
	fl_addr_t a;

	(void)state;
	fl_world_usage(w, &u0);
	a = test_mmap(w, 2 * P, FL_PROT_READ | FL_PROT_WRITE, FL_MAP_PRIVATE, NULL, 0);
	assert_int_equal(fl_poke(w, cur_mm(w), a, "x", 1), 0);
	assert_int_equal(fl_poke(w, cur_mm(w), a + P, "y", 1), 0);
	fl_world_usage(w, &u1);
	assert_true(u1.arena_bytes > u0.arena_bytes);
	assert_true(u1.arena_used > u0.arena_used);
	assert_true(u1.arena_peak >= u1.arena_used);
	assert_int_equal(u1.frames, u0.frames + 2);
	assert_int_equal(u1.frames_peak, u0.frames_peak + 2);
	assert_int_equal(u1.snapshot_bytes, 0);

	assert_int_equal(fl_world_snapshot(w), 0);
	fl_world_usage(w, &u2);
	assert_int_equal(u2.snapshot_bytes, u1.arena_used);
	assert_int_equal(fl_poke(w, cur_mm(w), a, "z", 1), 0);
	fl_world_usage(w, &u3);
	assert_true(u3.snapshot_bytes > u2.snapshot_bytes);
	fl_world_free(w);
}

/*
 * 100000 snapshot-restore cycles with work in between: the model's memory
 * stops growing after the first cycles.  Every cycle starts from the same
 * state and does the same work, so after the first thousand a cycle that
 * takes one arena byte, frame or journal entry more is a leak: the bound
 * is no growth at all, in the model's own counts (fl_world_usage), not in
 * the process RSS, which the sanitizers' allocators control.
 */
static void test_restore_loop_bounded(void **state)
{
	struct fl_world *w = test_world(FL_ARCH_X86_64);
	fl_addr_t a = setup(w);
	struct fl_world_usage early = { 0 }, late;
	struct fl_signal sig;
	int i;

	(void)state;
	assert_int_equal(fl_world_snapshot(w), 0);
	for (i = 0; i < 100000; i++) {
		uint8_t v = (uint8_t)i;

		assert_int_equal(fl_user_store(w, a + 3 * P, &v, 1, &sig), 1);
		assert_int_equal(fl_poke(w, cur_mm(w), a, &v, 1), 0);
		if (i % 16 == 0)
			assert_int_equal(fl_evict(w, cur_mm(w), a, P), 0);
		assert_int_equal(fl_world_restore(w), 0);
		if (i == 1000)
			fl_world_usage(w, &early);
	}
	fl_world_usage(w, &late);
	assert_int_equal(late.arena_bytes, early.arena_bytes);
	assert_int_equal(late.arena_used, early.arena_used);
	assert_int_equal(late.arena_peak, early.arena_peak);
	assert_int_equal(late.frames, early.frames);
	assert_int_equal(late.frames_peak, early.frames_peak);
	assert_int_equal(late.snapshot_bytes, early.snapshot_bytes);
	assert_mm_ok(w);
	fl_world_free(w);
}

/*
 * fl_since() reads answers cached at world creation (struct fl_world:
 * era_bits): for worlds of several versions, before and after a restore,
 * every era must answer as the era table does.
 */
static void test_since_matches_era_table(void **state)
{
	static const fl_kver_t versions[] = {
		FL_KV(4, 10, 0), FL_KV(5, 7, 2), FL_KV(5, 18, 0), FL_KV(6, 14, 7), 0,
	};
	unsigned v, id;

	(void)state;
	for (v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
		struct fl_world_config cfg = { .arch = FL_ARCH_X86_64, .kver = versions[v],
					       .max_frames = 1024 };
		struct fl_world *w = fl_world_new(&cfg);
		fl_kver_t kv;
		int round;

		assert_non_null(w);
		kv = fl_world_kver(w);
		for (round = 0; round < 2; round++) {
			for (id = 0; id < FL_ERA_COUNT; id++)
				assert_int_equal(fl_since(w, (enum fl_era_id)id),
						 fl_kver_has(kv, (enum fl_era_id)id));
			assert_int_equal(fl_world_snapshot(w), 0);
			assert_int_equal(fl_world_restore(w), 0);
			assert_int_equal(fl_world_kver(w), kv);
		}
		fl_world_free(w);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_restore_undoes_everything),
		cmocka_unit_test(test_restore_twice),
		cmocka_unit_test(test_new_frames_reused),
		cmocka_unit_test(test_usage_counts_what_the_model_takes),
		cmocka_unit_test(test_restore_loop_bounded),
		cmocka_unit_test(test_since_matches_era_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
