/*
 * mm/folio.c - folios: allocation, references, mapping into ptes, the
 * shared zero page, and the reverse map.
 *
 * Definitions
 *   reference   refcount counts every holder: each present pte mapping the
 *               folio, the page cache, GUP (FOLL_GET +1, FOLL_PIN +1024).
 *   mapcount    the number of present ptes, in all mms, that map it.
 *   zero page   fl_state(w)->zero_folio: the one page every anonymous read
 *               fault maps.  Like the kernel's, its mappings are "special":
 *               no reference and no mapcount are taken for them, so it is
 *               never freed; it is never written (no write pte maps it) and
 *               never pinned (gup/ refuses it).
 *   writer tag  folio->writer/wgen: the process that last wrote the page
 *               (a write fault made it writable for that process, or a
 *               FOLL_WRITE GUP wrote through it) and the fork clock then
 *               (st->next_pid: a process forked later has a pid >= wgen).
 *               Per page, not per byte: a copy carries its source's tag.
 *               gup/leak.c judges reads with it.
 *   rmap        the kernel finds the ptes of a folio through anon_vma and
 *               the address_space; the model has few mms and small page
 *               tables, so it walks them all (fl_rmap_walk).
 *
 * Invariants
 *   1. A folio is freed, with its frame and tags, exactly when refcount
 *      drops to 0; the zero folio never is.
 *   2. fl_pte_set_folio and fl_pte_clear are the only places that change
 *      mapcount, so mapcount == present ptes (mm.h invariant 3).
 */
#include <string.h>

#include "mm/page_internal.h"

int fl_zero_page_init(struct fl_world *w)
{
	struct fl_folio *zero = fl_folio_alloc(w);

	if (!zero)
		return -ENOMEM;
	zero->flags = FL_FOLIO_ZERO;
	fl_state(w)->zero_folio = zero;
	return 0;
}

struct fl_folio *fl_zero_folio(struct fl_world *w)
{
	return fl_state(w)->zero_folio;
}

bool fl_folio_is_zero(const struct fl_world *w, const struct fl_folio *folio)
{
	return folio == fl_state_const(w)->zero_folio;
}

struct fl_folio *fl_folio_alloc(struct fl_world *w)
{
	struct fl_folio *folio = fl_zalloc(w, sizeof(*folio));

	if (!folio)
		return NULL;
	folio->frame = fl_frame_alloc(w);
	if (!folio->frame) {
		fl_free(w, folio, sizeof(*folio));
		return NULL;
	}
	folio->refcount = 1;
	return folio;
}

void fl_folio_get(struct fl_folio *folio)
{
	if (!(folio->flags & FL_FOLIO_ZERO))
		folio->refcount++;
}

void fl_folio_put(struct fl_world *w, struct fl_folio *folio)
{
	if (folio->flags & FL_FOLIO_ZERO)
		return;
	if (--folio->refcount)
		return;
	if (folio->thp)
		fl_thp_page_freed(w, folio);
	fl_free(w, folio->tags, FL_TAG_SLOTS);
	fl_frame_free(w, folio->frame);
	fl_free(w, folio, sizeof(*folio));
}

struct fl_folio *fl_folio_copy(struct fl_world *w, const struct fl_folio *src)
{
	struct fl_folio *folio = fl_folio_alloc(w);

	if (!folio)
		return NULL;
	/*
	 * On arm64 copy_highpage() copies the MTE tags with the data, so a
	 * COW copy keeps the tags of the original (mte_copy_page_tags).
	 */
	if (src->tags) {
		folio->tags = fl_zalloc(w, FL_TAG_SLOTS);
		if (!folio->tags) {
			fl_folio_put(w, folio);
			return NULL;
		}
		memcpy(folio->tags, src->tags, FL_TAG_SLOTS);
	}
	memcpy(fl_frame_mut(w, folio->frame), fl_frame(w, src->frame), FL_PAGE_SIZE);
	folio->flags = FL_FOLIO_ANON | FL_FOLIO_ANON_EXCLUSIVE;
	folio->writer = src->writer;
	folio->wgen = src->wgen;
	return folio;
}

void fl_folio_note_write(struct fl_world *w, struct fl_folio *folio,
			 const struct fl_mm *mm)
{
	struct fl_process *p;

	if (fl_folio_is_zero(w, folio) || !(folio->flags & FL_FOLIO_ANON))
		return;
	for (p = fl_state(w)->procs; p; p = p->next) {
		if (p->mm == mm) {
			folio->writer = p->pid;
			folio->wgen = (uint32_t)fl_state(w)->next_pid;
			return;
		}
	}
}

void fl_pte_set_folio(struct fl_world *w, fl_pte_t *pte, struct fl_folio *folio,
		      uint32_t pte_flags)
{
	pte->flags = FL_PTE_PRESENT | pte_flags;
	pte->folio = folio;
	pte->swap = NULL;
	if (fl_folio_is_zero(w, folio))
		return;
	fl_folio_get(folio);
	folio->mapcount++;
}

void fl_pte_clear(struct fl_world *w, fl_pte_t *pte)
{
	if ((pte->flags & FL_PTE_PRESENT) && !fl_folio_is_zero(w, pte->folio)) {
		pte->folio->mapcount--;
		fl_folio_put(w, pte->folio);
	}
	if (pte->flags & FL_PTE_SWAP)
		fl_swap_slot_put(w, pte->swap);
	memset(pte, 0, sizeof(*pte));
}

struct rmap_walk {
	struct fl_folio *folio;
	fl_pte_fn fn;
	void *arg;
};

static int rmap_one(struct fl_world *w, fl_pte_t *pte, fl_addr_t addr, void *arg)
{
	struct rmap_walk *rw = arg;

	if (!(pte->flags & FL_PTE_PRESENT) || pte->folio != rw->folio)
		return 0;
	return rw->fn(w, pte, addr, rw->arg);
}

int fl_rmap_walk(struct fl_world *w, struct fl_folio *folio, fl_pte_fn fn,
		 void *arg)
{
	struct rmap_walk rw = { folio, fn, arg };
	struct fl_process *p;
	int ret;

	for (p = fl_state(w)->procs; p; p = p->next) {
		if (!p->mm || !folio->mapcount)
			continue;
		ret = fl_walk_ptes(w, p->mm, 0, FL_PGTABLE_LIMIT, rmap_one, &rw);
		if (ret)
			return ret;
	}
	return 0;
}
