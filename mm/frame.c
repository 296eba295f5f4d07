/*
 * mm/frame.c - the page contents of folios.
 *
 * Frames are numbered from 1 in a reserved region.  The allocator state
 * (next never-used frame, free list head) lives in struct fl_state, i.e. in
 * the arena, so a restore brings it back; the free list is linked through
 * the first four bytes of each free frame, written through fl_frame_mut()
 * like every other frame write, so a restore brings those back too.
 *
 * fl_frame_mut() is the copy-on-write point of snapshots: the first write to
 * a frame after a snapshot (or a restore) saves its old contents in the
 * snapshot's journal.  Frames that were never used at snapshot time need no
 * saving: restoring the allocator makes them unused again.
 *
 * frames_peak (in the world, not the state: a restore keeps it) is the
 * highest frame number ever handed out: frames above it were never
 * touched and cost the host nothing (MAP_NORESERVE).  fl_world_usage()
 * reports it.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "mm/world_internal.h"

int fl_frames_init(struct fl_world *w, size_t max_frames)
{
	size_t bytes = max_frames * FL_PAGE_SIZE;
	void *f, *g;

	f = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (f == MAP_FAILED)
		return -ENOMEM;
	g = mmap(NULL, max_frames * sizeof(uint32_t), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (g == MAP_FAILED) {
		munmap(f, bytes);
		return -ENOMEM;
	}
	w->frames = f;
	w->frame_gen = g;
	w->max_frames = max_frames;
	fl_state(w)->frame_next = 1;   /* invariant 3: frame 0 means none */
	return 0;
}

void fl_frames_fini(struct fl_world *w)
{
	if (w->frames)
		munmap(w->frames, w->max_frames * FL_PAGE_SIZE);
	if (w->frame_gen)
		munmap(w->frame_gen, w->max_frames * sizeof(uint32_t));
	w->frames = NULL;
	w->frame_gen = NULL;
}

const uint8_t *fl_frame(const struct fl_world *w, uint32_t frame)
{
	return w->frames + (size_t)frame * FL_PAGE_SIZE;
}

static int journal_save(struct fl_world *w, uint32_t frame)
{
	struct fl_snapshot *s = w->snap;

	if (s->journal_len == s->journal_cap) {
		size_t cap = s->journal_cap ? s->journal_cap * 2 : 64;
		void *j = fl_alloc_fails(w) ? NULL :
			  realloc(s->journal, cap * sizeof(*s->journal));
		if (!j)
			return -ENOMEM;
		s->journal = j;
		s->journal_cap = cap;
	}
	s->journal[s->journal_len].frame = frame;
	memcpy(s->journal[s->journal_len].data, fl_frame(w, frame), FL_PAGE_SIZE);
	s->journal_len++;
	return 0;
}

uint8_t *fl_frame_mut(struct fl_world *w, uint32_t frame)
{
	if (w->snap && frame < w->snap->frame_next &&
	    w->frame_gen[frame] != w->gen) {
		/*
		 * Out of host memory while journaling: the snapshot can no
		 * longer be restored faithfully, so drop it rather than lie.
		 */
		if (journal_save(w, frame) < 0) {
			fl_error(w, -ENOMEM, "snapshot journal: out of memory; snapshot dropped");
			fl_world_drop_snapshot(w);
		} else {
			w->frame_gen[frame] = w->gen;
		}
	}
	return w->frames + (size_t)frame * FL_PAGE_SIZE;
}

uint32_t fl_frame_alloc(struct fl_world *w)
{
	struct fl_state *st = fl_state(w);
	uint32_t f;

	if (fl_alloc_fails(w)) {
		fl_error(w, -ENOMEM, "page frame: allocation %lu failed (injected)",
			 w->alloc_seen);
		return 0;
	}
	if (st->frame_free) {
		f = st->frame_free;
		memcpy(&st->frame_free, fl_frame(w, f), sizeof(uint32_t));
	} else if (st->frame_next < w->max_frames) {
		f = st->frame_next++;
		if (f > w->frames_peak)
			w->frames_peak = f;
	} else {
		fl_error(w, -ENOMEM, "out of page frames (%zu)", w->max_frames);
		return 0;
	}
	memset(fl_frame_mut(w, f), 0, FL_PAGE_SIZE);
	st->frames_in_use++;
	return f;
}

void fl_frame_free(struct fl_world *w, uint32_t frame)
{
	struct fl_state *st = fl_state(w);

	if (!frame)
		return;
	memcpy(fl_frame_mut(w, frame), &st->frame_free, sizeof(uint32_t));
	st->frame_free = frame;
	st->frames_in_use--;
}
