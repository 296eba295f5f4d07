/*
 * mm/arena.c - the allocator of model metadata.
 *
 * The arena is one region reserved at world creation (MAP_NORESERVE: only
 * what is used costs memory).  It opens with struct fl_arena_hdr, whose
 * first member is the world's struct fl_state; allocations follow.  Sizes
 * are rounded to power-of-two classes from 16 bytes to 16 KiB with one free
 * list per class, kept inside the arena so that a flat copy of the used
 * part is a complete snapshot of the allocator too.  Larger blocks are
 * carved from the end and not reused (no model object is that large).
 *
 * The region is MAP_NORESERVE: the part ever handed out is what the host
 * pays for, and a restore, which winds arena_used back, does not give it
 * back.  arena_peak counts it (fl_world_usage(), include/faultline/
 * world.h): a memory bound on the model measures it, not the process RSS.
 */
#include <string.h>
#include <sys/mman.h>

#include "mm/world_internal.h"

#define FL_ARENA_MIN_SHIFT 4
#define FL_ARENA_CLASSES   11          /* 16 B .. 16 KiB */

struct fl_free_block {
	struct fl_free_block *next;
};

struct fl_arena_hdr {
	struct fl_state state;         /* first: fl_state() is the base */
	struct fl_free_block *free[FL_ARENA_CLASSES];
};

static struct fl_arena_hdr *arena_hdr(struct fl_world *w)
{
	return (struct fl_arena_hdr *)w->arena;
}

struct fl_state *fl_state(struct fl_world *w)
{
	return &arena_hdr(w)->state;
}

const struct fl_state *fl_state_const(const struct fl_world *w)
{
	return &((const struct fl_arena_hdr *)w->arena)->state;
}

void **fl_layer_slot(struct fl_world *w, enum fl_layer_slot slot)
{
	return &fl_state(w)->layer[slot];
}

void *fl_arena_base(struct fl_world *w) { return w->arena; }
size_t fl_arena_used(const struct fl_world *w) { return w->arena_used; }
void fl_arena_set_used(struct fl_world *w, size_t used) { w->arena_used = used; }

int fl_arena_init(struct fl_world *w, size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	w->arena = p;
	w->arena_bytes = bytes;
	w->arena_used = (sizeof(struct fl_arena_hdr) + 63) & ~(size_t)63;
	w->arena_peak = w->arena_used;
	return 0;
}

void fl_arena_fini(struct fl_world *w)
{
	if (w->arena)
		munmap(w->arena, w->arena_bytes);
	w->arena = NULL;
}

/* Size class of SIZE, or -1 when it is carved without a class. */
static int arena_class(size_t size)
{
	int c = 0;
	size_t cap = (size_t)1 << FL_ARENA_MIN_SHIFT;

	while (cap < size) {
		cap <<= 1;
		if (++c >= FL_ARENA_CLASSES)
			return -1;
	}
	return c;
}

static size_t class_size(int c)
{
	return (size_t)1 << (FL_ARENA_MIN_SHIFT + c);
}

void *fl_zalloc(struct fl_world *w, size_t size)
{
	int c = arena_class(size ? size : 1);
	size_t bytes = c < 0 ? (size + 63) & ~(size_t)63 : class_size(c);
	struct fl_arena_hdr *h = arena_hdr(w);
	void *p;

	if (fl_alloc_fails(w)) {
		fl_error(w, -ENOMEM, "model arena: allocation %lu failed (injected)",
			 w->alloc_seen);
		return NULL;
	}
	h->state.arena_live += bytes;
	if (c >= 0 && h->free[c]) {
		p = h->free[c];
		h->free[c] = h->free[c]->next;
		memset(p, 0, size);
		return p;
	}
	/* Blocks are aligned to their size up to 64 bytes. */
	size_t align = bytes < 64 ? bytes : 64;
	size_t at = (w->arena_used + align - 1) & ~(align - 1);

	if (at + bytes > w->arena_bytes || at + bytes < at) {
		h->state.arena_live -= bytes;
		fl_error(w, -ENOMEM, "model arena exhausted (%zu bytes reserved)",
			 w->arena_bytes);
		return NULL;
	}
	w->arena_used = at + bytes;
	if (w->arena_used > w->arena_peak)
		w->arena_peak = w->arena_used;
	p = w->arena + at;
	/*
	 * It may hold data from before a restore.  Only SIZE bytes are the
	 * caller's: a pte table (12 KiB in a 16 KiB class) is zeroed on every
	 * explored case's first fault, so the class's slack is not.
	 */
	memset(p, 0, size);
	return p;
}

void fl_free(struct fl_world *w, void *p, size_t size)
{
	int c;
	struct fl_free_block *b = p;

	if (!p)
		return;
	c = arena_class(size ? size : 1);
	arena_hdr(w)->state.arena_live -= c < 0 ? (size + 63) & ~(size_t)63 : class_size(c);
	if (c < 0)
		return;
	b->next = arena_hdr(w)->free[c];
	arena_hdr(w)->free[c] = b;
}
