/*
 * mm/snapshot.c - save a world and return to it, cheaply.
 *
 * snapshot: copy the used part of the arena (metadata only), remember where
 *           never-used frames start, and open a new generation so that the
 *           first write to each existing frame is journaled (mm/frame.c).
 * restore:  put every journaled frame back, copy the arena back, open a new
 *           generation again: the snapshot stays valid for the next case.
 *
 * The cost of a snapshot is the metadata size (tens of KiB for a scenario);
 * the cost of a restore is that plus one page per frame written since.
 */
#include <stdlib.h>
#include <string.h>

#include "mm/world_internal.h"

void fl_world_drop_snapshot(struct fl_world *w)
{
	if (!w->snap)
		return;
	free(w->snap->arena_copy);
	free(w->snap->journal);
	free(w->snap);
	w->snap = NULL;
}

int fl_world_snapshot(struct fl_world *w)
{
	struct fl_snapshot *s;

	fl_world_drop_snapshot(w);
	s = fl_alloc_fails(w) ? NULL : calloc(1, sizeof(*s));
	if (!s)
		return fl_error(w, -ENOMEM, "snapshot: out of memory");
	s->arena_used = fl_arena_used(w);
	s->arena_copy = fl_alloc_fails(w) ? NULL : malloc(s->arena_used);
	if (!s->arena_copy) {
		free(s);
		return fl_error(w, -ENOMEM, "snapshot: out of memory");
	}
	memcpy(s->arena_copy, fl_arena_base(w), s->arena_used);
	s->frame_next = fl_state(w)->frame_next;
	w->snap = s;
	w->gen++;
	return 0;
}

int fl_world_restore(struct fl_world *w)
{
	struct fl_snapshot *s = w->snap;
	size_t i;

	if (!s)
		return fl_error(w, -ENOENT, "restore: no snapshot");
	for (i = 0; i < s->journal_len; i++)
		memcpy(w->frames + (size_t)s->journal[i].frame * FL_PAGE_SIZE,
		       s->journal[i].data, FL_PAGE_SIZE);
	s->journal_len = 0;
	memcpy(fl_arena_base(w), s->arena_copy, s->arena_used);
	fl_arena_set_used(w, s->arena_used);
	w->gen++;
	return 0;
}
