/*
 * mm/state_hash.c - a canonical hash of a world's logical state, the
 * ground of every livelock proof (include/faultline/livelock.h).
 *
 * Why canonical: the loop monitor compares states of ONE world at two
 * iterations, but between them the model may have freed and reallocated
 * folios, frames and page tables.  A hash of raw memory would call two
 * equal states different (no proof found) - or, worse, could not be
 * trusted to be equal for the right reason.  So the hash is built from a
 * walk in logical order, feeding values, never pointers:
 *
 *   header   arch, kernel version, pagefault_disable depth, next pid
 *   files    sorted by name: name, size, fs, then each cached page
 *            (index, folio)
 *   procs    in creation (= pid) order: pid, parent pid, name, exited,
 *            current?, mm
 *   mm       flags, users, mmap_base, map_count; each VMA in address
 *            order (start, end, flags, backing file, pgoff, uffd or not);
 *            then each non-none pte of each VMA in address order
 *            (address, flags, folio or swap slot)
 *   folio    on its first visit: a fresh id, flags, refcount, mapcount,
 *            the leak checker's writer tag (writer pid, wgen), page-cache
 *            owner and index, the 4096 content bytes (not for
 *            the zero page), the granule tags if any is non-zero; on a
 *            later visit: only its id
 *
 * Objects reached twice (a folio in two mms after fork, a page-cache folio
 * also mapped, the hidden shmem file of a shared anonymous mapping, a swap
 * slot, an mm) are numbered in the order of first visit, so sharing is part
 * of the state while the objects' addresses are not.
 *
 * Invariants
 *   1. The walk reads the world only: no hooks, no allocation in the
 *      arena, no fault; hashing twice gives the same value.
 *   2. No host pointer, arena offset or frame number is ever fed to XXH3.
 */
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include <faultline/state_hash.h>

#include "mm/page_internal.h"

/* ---- first-visit numbering: object pointer -> small id ---- */

struct idmap {
	const void **key;
	uint32_t *val;
	size_t cap, used;
};

static size_t idmap_slot(const struct idmap *m, const void *p)
{
	uint64_t h = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 20) & (m->cap - 1);
}

static int idmap_grow(struct idmap *m)
{
	struct idmap n = { .cap = m->cap ? m->cap * 2 : 256 };
	size_t i, j;

	n.key = calloc(n.cap, sizeof(*n.key));
	n.val = calloc(n.cap, sizeof(*n.val));
	if (!n.key || !n.val) {
		free(n.key);
		free(n.val);
		return -ENOMEM;
	}
	for (i = 0; i < m->cap; i++) {
		if (!m->key[i])
			continue;
		for (j = idmap_slot(&n, m->key[i]); n.key[j]; j = (j + 1) & (n.cap - 1))
			;
		n.key[j] = m->key[i];
		n.val[j] = m->val[i];
	}
	n.used = m->used;
	free(m->key);
	free(m->val);
	*m = n;
	return 0;
}

/*
 * The id of P: *FIRST tells whether this is its first visit (a new id,
 * the count of objects numbered so far).  0 or -ENOMEM.
 */
static int idmap_get(struct idmap *m, const void *p, uint32_t *id, bool *first)
{
	size_t i;

	if (2 * (m->used + 1) > m->cap && idmap_grow(m))
		return -ENOMEM;
	for (i = idmap_slot(m, p); m->key[i]; i = (i + 1) & (m->cap - 1)) {
		if (m->key[i] == p) {
			*id = m->val[i];
			*first = false;
			return 0;
		}
	}
	m->key[i] = p;
	m->val[i] = (uint32_t)m->used++;
	*id = m->val[i];
	*first = true;
	return 0;
}

/* ---- the walk ---- */

struct hasher {
	struct fl_world *w;
	XXH3_state_t *xs;
	struct idmap ids;       /* folios, files, swap slots, mms: one numbering */
	int err;
};

static void feed(struct hasher *h, const void *p, size_t len)
{
	XXH3_128bits_update(h->xs, p, len);
}

static void feed_u64(struct hasher *h, uint64_t v)
{
	feed(h, &v, sizeof(v));
}

/* Fold what to hash next with a one-letter kind, so fields cannot slide. */
static void feed_kind(struct hasher *h, char kind)
{
	feed(h, &kind, 1);
}

/* Feed P's id; returns true when the caller must feed P's contents too. */
static bool feed_ref(struct hasher *h, const void *p, char kind)
{
	uint32_t id = 0;
	bool first = false;

	if (idmap_get(&h->ids, p, &id, &first)) {
		h->err = -ENOMEM;
		return false;
	}
	feed_kind(h, kind);
	feed_u64(h, id);
	return first;
}

static void feed_tags(struct hasher *h, const uint8_t *tags)
{
	size_t i;

	/* No tag array and an all-zero one are the same logical state. */
	for (i = 0; tags && i < FL_TAG_SLOTS; i++)
		if (tags[i])
			break;
	if (!tags || i == FL_TAG_SLOTS) {
		feed_kind(h, 't');
		return;
	}
	feed_kind(h, 'T');
	feed(h, tags, FL_TAG_SLOTS);
}

static void feed_file(struct hasher *h, struct fl_file *f);

static void feed_folio(struct hasher *h, struct fl_folio *folio)
{
	if (!feed_ref(h, folio, 'f'))
		return;
	feed_u64(h, folio->flags);
	feed_u64(h, folio->refcount);
	feed_u64(h, folio->mapcount);
	/* the leak checker's writer tag is observable (gup.h) */
	feed_u64(h, (uint64_t)folio->writer);
	feed_u64(h, folio->wgen);
	if (folio->mapping) {
		feed_file(h, folio->mapping);
		feed_u64(h, folio->index);
	}
	if (!fl_folio_is_zero(h->w, folio))
		feed(h, fl_frame(h->w, folio->frame), FL_PAGE_SIZE);
	feed_tags(h, folio->tags);
}

static void feed_swap(struct hasher *h, struct fl_swap_slot *slot)
{
	if (!feed_ref(h, slot, 's'))
		return;
	feed_u64(h, slot->count);
	feed(h, fl_frame(h->w, slot->frame), FL_PAGE_SIZE);
	feed_tags(h, slot->tags);
}

/*
 * A file: its name, size, fs and page cache.  A listed file is fed in the
 * files pass (sorted by name), so elsewhere only its name stands for it;
 * a hidden shmem file is fed in full on its first visit.
 */
static void feed_file_body(struct hasher *h, struct fl_file *f)
{
	uint64_t i, pages = fl_file_pages(f);

	feed(h, f->name, strnlen(f->name, sizeof(f->name)));
	feed_u64(h, f->size);
	feed_u64(h, (uint64_t)f->fs);
	for (i = 0; i < pages && !h->err; i++) {
		struct fl_folio *folio = fl_filemap_get_folio(h->w, f, i, false);

		if (!folio)
			continue;
		feed_u64(h, i);
		feed_folio(h, folio);
	}
	feed_kind(h, '.');
}

static bool file_is_listed(struct fl_world *w, const struct fl_file *f)
{
	const struct fl_file *g;

	for (g = fl_state(w)->files; g; g = g->next)
		if (g == f)
			return true;
	return false;
}

static void feed_file(struct hasher *h, struct fl_file *f)
{
	if (file_is_listed(h->w, f)) {
		feed_kind(h, 'F');
		feed(h, f->name, strnlen(f->name, sizeof(f->name)));
		return;
	}
	if (feed_ref(h, f, 'H'))
		feed_file_body(h, f);
}

static int cmp_file_name(const void *a, const void *b)
{
	const struct fl_file *fa = *(struct fl_file *const *)a;
	const struct fl_file *fb = *(struct fl_file *const *)b;

	return strncmp(fa->name, fb->name, sizeof(fa->name));
}

static void feed_files(struct hasher *h)
{
	struct fl_file *f, **v;
	size_t n = 0, i;

	for (f = fl_state(h->w)->files; f; f = f->next)
		n++;
	feed_kind(h, 'L');
	feed_u64(h, n);
	if (!n)
		return;
	v = malloc(n * sizeof(*v));
	if (!v) {
		h->err = -ENOMEM;
		return;
	}
	for (i = 0, f = fl_state(h->w)->files; f; f = f->next)
		v[i++] = f;
	qsort(v, n, sizeof(*v), cmp_file_name);
	for (i = 0; i < n && !h->err; i++) {
		/* listed files are numbered too, so their folios' owner is known */
		feed_ref(h, v[i], 'F');
		feed_file_body(h, v[i]);
	}
	free(v);
}

static int feed_pte(struct fl_world *w, fl_pte_t *pte, fl_addr_t addr, void *arg)
{
	struct hasher *h = arg;

	(void)w;
	feed_kind(h, 'p');
	feed_u64(h, addr);
	feed_u64(h, pte->flags);
	if ((pte->flags & FL_PTE_PRESENT) && pte->folio)
		feed_folio(h, pte->folio);
	else if ((pte->flags & FL_PTE_SWAP) && pte->swap)
		feed_swap(h, pte->swap);
	return h->err;
}

static void feed_mm(struct hasher *h, struct fl_mm *mm)
{
	struct fl_vma *vma;

	if (!mm) {
		feed_kind(h, '0');
		return;
	}
	if (!feed_ref(h, mm, 'M'))
		return;
	feed_u64(h, mm->flags);
	feed_u64(h, mm->users);
	feed_u64(h, mm->mmap_base);
	feed_u64(h, mm->map_count);
	for (vma = fl_vma_first(mm); vma && !h->err; vma = fl_vma_next(vma)) {
		feed_kind(h, 'v');
		feed_u64(h, vma->start);
		feed_u64(h, vma->end);
		feed_u64(h, vma->flags);
		feed_u64(h, vma->uffd_ctx != NULL);
		if (vma->file) {
			feed_file(h, vma->file);
			feed_u64(h, vma->pgoff);
		}
	}
	/* mm.h invariant 2: every present pte lies inside a VMA */
	for (vma = fl_vma_first(mm); vma && !h->err; vma = fl_vma_next(vma))
		fl_walk_ptes(h->w, mm, vma->start, vma->end, feed_pte, h);
	feed_kind(h, '.');
}

static void feed_world(struct hasher *h)
{
	const struct fl_state *st = fl_state(h->w);
	struct fl_process *p;

	feed_kind(h, 'W');
	feed_u64(h, (uint64_t)st->arch);
	feed_u64(h, st->kver);
	feed_u64(h, (uint64_t)st->pagefault_disabled);
	feed_u64(h, (uint64_t)st->next_pid);
	feed_files(h);
	for (p = st->procs; p && !h->err; p = p->next) {
		feed_kind(h, 'P');
		feed_u64(h, (uint64_t)p->pid);
		feed_u64(h, (uint64_t)p->ppid);
		feed(h, p->name, strnlen(p->name, sizeof(p->name)));
		feed_u64(h, p->exited);
		feed_u64(h, p == st->current);
		feed_mm(h, p->mm);
	}
}

int fl_world_hash(struct fl_world *w, struct fl_state_hash *out)
{
	struct hasher h = { .w = w };
	XXH128_hash_t d;
	int ret = -ENOMEM;

	h.xs = XXH3_createState();
	if (!h.xs)
		goto out;
	if (XXH3_128bits_reset(h.xs) != XXH_OK)
		goto out_state;
	feed_world(&h);
	ret = h.err;
	if (ret)
		goto out_state;
	d = XXH3_128bits_digest(h.xs);
	out->lo = d.low64;
	out->hi = d.high64;
out_state:
	XXH3_freeState(h.xs);
	free(h.ids.key);
	free(h.ids.val);
out:
	if (ret)
		fl_error(w, ret, "world hash: out of memory");
	return ret;
}
