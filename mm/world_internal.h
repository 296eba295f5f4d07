/*
 * mm/world_internal.h - the host-side half of a world (not rolled back by a
 * restore): the two reserved regions, the snapshot, hooks, trace and error.
 */
#ifndef FL_MM_WORLD_INTERNAL_H
#define FL_MM_WORLD_INTERNAL_H

#include "mm/internal.h"

struct fl_journal_entry {
	uint32_t frame;
	uint8_t data[FL_PAGE_SIZE];
};

struct fl_snapshot {
	void *arena_copy;
	size_t arena_used;
	uint32_t frame_next;          /* frames at or past this were unused */
	struct fl_journal_entry *journal;
	size_t journal_len, journal_cap;
};

struct fl_world {
	uint8_t *arena;               /* reserved region; starts with fl_state */
	size_t arena_bytes, arena_used;
	size_t arena_peak;            /* most arena_used ever: a restore keeps it */
	uint8_t *frames;              /* max_frames * FL_PAGE_SIZE, reserved */
	uint32_t *frame_gen;          /* per frame: generation of last save */
	size_t max_frames;
	uint32_t frames_peak;         /* most frames ever handed out: kept too */
	uint32_t gen;                 /* bumped by snapshot and restore */
	struct fl_snapshot *snap;
	const struct fl_arch *arch;
	unsigned kconfig_off;         /* FL_KCONFIG_* built without */
	unsigned cpu_off;             /* FL_CPU_* the CPU lacks */
	fl_trace_fn trace;
	void *trace_arg;
	fl_hook_fn hook;
	void *hook_arg;
	char error[256];
	struct fl_uaccess_count uaccess;  /* fl_user_moved_take(): per statement */
	/*
	 * Allocation-failure injection (fl_world_fail_alloc): model
	 * allocations counted since it was armed, and the one that fails
	 * (0: none).  Host-side, so a restore does not re-arm a spent one.
	 */
	unsigned long alloc_seen, alloc_fail_nth;
	/*
	 * fl_since()'s answers for the world's kernel version, one bit per
	 * era (every caller asks several per system call; each answer used
	 * to walk the era table).  Filled by fl_world_new(), the one writer
	 * of the state's kver: a world's version never changes, and a
	 * restore brings back a snapshot of the same world, so the bits need
	 * no check on the hot path (test_world.c asserts they stay right).
	 */
	uint64_t era_bits[(FL_ERA_COUNT + 63) / 64];
};

/*
 * The state at the base of the arena (the arena starts with fl_state; see
 * arena.c's fl_arena_hdr), without the call through arena.c's fl_state():
 * fl_since(), the pagefault depth and fl_current() are asked several times
 * per copy.
 */
static inline const struct fl_state *fl_world_state(const struct fl_world *w)
{
	return (const struct fl_state *)(const void *)w->arena;
}

static inline struct fl_state *fl_world_state_mut(struct fl_world *w)
{
	return (struct fl_state *)(void *)w->arena;
}

/*
 * Does this model allocation fail by injection?  Every allocator of model
 * memory (arena, frames, the snapshot's host memory) asks first; it then
 * fails as it would when exhausted: -ENOMEM, message in fl_world_error.
 */
static inline bool fl_alloc_fails(struct fl_world *w)
{
	if (!w->alloc_fail_nth)
		return false;
	return ++w->alloc_seen == w->alloc_fail_nth;
}

#endif
