/*
 * faultline/state_hash.h - a canonical hash of a world's logical state, the
 * ground of every livelock proof (faultline/livelock.h).  Kept apart from
 * the loop monitor that uses it: mm/ computes the hash, and mm/ must not
 * include the header of callers/, a layer above it.
 *
 * Definitions
 *   world hash   a canonical 128-bit XXH3 hash of the world's logical state
 *                (mm/state_hash.c): what a later step of the model can
 *                observe, and nothing of how it is laid out in memory.
 *                In: arch, kernel version, pagefault_disable depth, the
 *                next pid, every process (pid, parent, name, exited,
 *                current), per
 *                mm its VMAs (start, end, flags, backing file and pgoff,
 *                registered to a uffd or not) and every pte (address,
 *                flags, and its folio's flags, refcount, mapcount,
 *                writer tag, page contents and granule tags, or its swap
 *                slot's contents),
 *                every file (name, size, fs, page cache).  Out: arena
 *                addresses, frame numbers, allocation order, the trace,
 *                the last error message, and state kept by layers above
 *                mm/ (uffd queues, GUP handles: the loop monitor's
 *                "environment", faultline/livelock.h).
 *                Sharing is in: a folio mapped twice is numbered on first
 *                visit, so "two ptes, one folio" differs from "two ptes,
 *                two equal folios".
 *
 * Invariants
 *   1. Two worlds that differ only in arena addresses, frame numbers or
 *      the order their objects were allocated hash equal; a world with one
 *      byte of user memory, one pte flag or one tag changed hashes
 *      differently (tests/unit/callers/test_livelock.c).
 */
#ifndef FAULTLINE_STATE_HASH_H
#define FAULTLINE_STATE_HASH_H

#include <faultline/world.h>

FL_API_BEGIN

struct fl_state_hash {
	uint64_t lo, hi;
};

/* Hash the logical state of W into *OUT.  0, or -ENOMEM. */
int fl_world_hash(struct fl_world *w, struct fl_state_hash *out);

static inline bool fl_state_hash_eq(const struct fl_state_hash *a,
				    const struct fl_state_hash *b)
{
	return a->lo == b->lo && a->hi == b->hi;
}

FL_API_END
#endif
