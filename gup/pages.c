/*
 * gup/pages.c - what a GUP reference shows later: handles that hold the
 * pages one call took, kernel-side reads through them, and the leak
 * checker that judges those reads.
 *
 * What and why
 *   A GUP reference pins the folio, not the address: after a COW fault in
 *   the process the reference may point at a page the process no longer
 *   maps, or, worse, at a page another process now writes.  Reading the
 *   folio's bytes through the reference (as a pipe reader reads a
 *   vmspliced page) shows which, and the leak checker says when those
 *   bytes were not the reader's to see (CVE-2020-29374).
 *
 * Definitions
 *   handle     struct fl_gup_pages, allocated in the world's arena with
 *              its page array: a snapshot restore brings it back with the
 *              refcounts it accounts for.
 *   leak       reader R reads folio F tagged (writer W, wgen g): no leak
 *              if F is untagged (zero page, page cache, never written by a
 *              write fault) or W == R.  Otherwise walk R's ancestors: if W
 *              is one, let C be the child of W on the path to R; the bytes
 *              were inherited iff they were written before C was forked,
 *              i.e. g <= C's pid (pids and wgen count on one clock).  If W
 *              is not an ancestor of R, R never shared W's private memory
 *              legitimately: leak.
 *   granularity  one tag per folio, the last writer: a page written by
 *              the parent before fork and partly rewritten after it counts
 *              as written after fork in full.
 *
 * Invariants
 *   1. h->nr <= h->cap; pages[0..nr) each hold one reference of the kind
 *      h->gup_flags says (gup.c invariant 1) until fl_gup_release.
 *   2. fl_gup_read never changes model state other than the trace.
 */
#include <string.h>

#include "gup/internal.h"

/* A handle's page array is bounded: 1 GiB of pages. */
#define GUP_MAX_HANDLE_PAGES ((unsigned long)1 << 18)

bool fl_folio_leaks_to(struct fl_world *w, const struct fl_folio *folio,
		       const struct fl_process *reader)
{
	const struct fl_process *child = reader, *p;

	if (!folio->writer || !reader || folio->writer == reader->pid)
		return false;
	for (p = fl_process_by_pid(w, reader->ppid); p; p = fl_process_by_pid(w, p->ppid)) {
		if (p->pid == folio->writer)
			return folio->wgen > (uint32_t)child->pid;
		child = p;
	}
	return true;
}

long fl_gup_take(struct fl_world *w, enum fl_gup_kind kind, fl_addr_t start,
		 unsigned long nr, unsigned gup_flags, struct fl_gup_pages **out)
{
	struct fl_gup_pages *h;
	long ret;

	if (nr > GUP_MAX_HANDLE_PAGES)
		return fl_error(w, -E2BIG, "gup: %lu pages in one handle", nr);
	h = fl_zalloc(w, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->pages = nr ? fl_zalloc(w, nr * sizeof(*h->pages)) : NULL;
	if (nr && !h->pages) {
		fl_free(w, h, sizeof(*h));
		return -ENOMEM;
	}
	h->cap = nr;
	h->start = FL_PAGE_ALIGN_DOWN(start);
	switch (kind) {
	case FL_GUP_GET:
		ret = fl_get_user_pages(w, start, nr, gup_flags, h->pages);
		h->gup_flags = FL_FOLL_GET;
		break;
	case FL_GUP_PIN:
		ret = fl_pin_user_pages(w, start, nr, gup_flags, h->pages);
		h->gup_flags = FL_FOLL_PIN;
		break;
	case FL_GUP_GET_FAST:
		ret = fl_get_user_pages_fast(w, start, nr, gup_flags, h->pages);
		h->gup_flags = FL_FOLL_GET;
		break;
	default:
		ret = fl_pin_user_pages_fast(w, start, nr, gup_flags, h->pages);
		h->gup_flags = FL_FOLL_PIN;
		break;
	}
	h->gup_flags |= gup_flags;
	h->nr = ret > 0 ? ret : 0;
	*out = h;
	return ret;
}

void fl_gup_release(struct fl_world *w, struct fl_gup_pages *h)
{
	long i;

	if (!h)
		return;
	for (i = 0; i < h->nr; i++) {
		if (h->gup_flags & FL_FOLL_PIN)
			fl_unpin_user_page(w, h->pages[i]);
		else
			fl_put_user_page(w, h->pages[i]);
	}
	if (h->cap)
		fl_free(w, h->pages, h->cap * sizeof(*h->pages));
	fl_free(w, h, sizeof(*h));
}

long fl_gup_read(struct fl_world *w, const struct fl_gup_pages *h, size_t off,
		 void *buf, size_t len, bool *leaked)
{
	struct fl_process *reader = fl_current(w);
	size_t held = (size_t)h->nr * FL_PAGE_SIZE, done = 0;

	*leaked = false;
	if (off >= held)
		return 0;
	if (len > held - off)
		len = held - off;
	while (done < len) {
		size_t at = off + done, poff = FL_PAGE_OFFSET(at);
		size_t n = FL_PAGE_SIZE - poff < len - done ? FL_PAGE_SIZE - poff : len - done;
		const struct fl_folio *folio = h->pages[at >> FL_PAGE_SHIFT];

		memcpy((uint8_t *)buf + done, fl_frame(w, folio->frame) + poff, n);
		if (fl_folio_leaks_to(w, folio, reader)) {
			*leaked = true;
			fl_trace(w, "leak: pid %d reads page %zu of the handle, written "
				 "by pid %d after they parted (clock %u)",
				 reader->pid, at >> FL_PAGE_SHIFT, folio->writer, folio->wgen);
		}
		done += n;
	}
	return (long)done;
}
