/*
 * runner/place.c - which named mapping an address is in, as a scenario's
 * mappings come and go (include/faultline/place.h has the contract).
 *
 * Definitions: a name's *origin* is where it was last mapped, the base of
 * NAME+OFF, and [origin, end) its *range*; its *live window* [lo, hi) is
 * the part of the range still mapped; its *making* counts mappings made,
 * so the newest of two windows over one address wins (place.h, invariant
 * 2).
 *
 * Why the windows matter: a mapping moved by mremap leaves its old range
 * free, and the kernel may put the next mapping there (top-down, the
 * first gap that fits).  Were the old name still live there, that new
 * mapping's address would read as OLD+OFF on the host and NEW+0x0 on the
 * model, whose allocator reused a different gap: a disagreement made by
 * the naming alone (docs/host.md, "Naming addresses").
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <faultline/place.h>

struct fl_place {
	fl_addr_t origin, end;          /* origin == end: never mapped */
	fl_addr_t lo, hi;               /* lo == hi: not mapped now */
	uint64_t making;
};

struct fl_places {
	const struct fl_scenario *sc;
	struct fl_place *at;            /* by sc->names index */
	uint64_t makings;
};

struct fl_places *fl_places_new(const struct fl_scenario *sc)
{
	struct fl_places *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->sc = sc;
	p->at = calloc(sc->nnames + 1, sizeof(*p->at));
	if (!p->at) {
		free(p);
		return NULL;
	}
	return p;
}

void fl_places_free(struct fl_places *p)
{
	if (!p)
		return;
	free(p->at);
	free(p);
}

void fl_places_copy(struct fl_places *to, const struct fl_places *from)
{
	memcpy(to->at, from->at, (from->sc->nnames + 1) * sizeof(*to->at));
	to->makings = from->makings;
}

/* BASE + LEN, or the top of the address space where that would wrap. */
static fl_addr_t place_end(fl_addr_t base, uint64_t len)
{
	return len > UINT64_MAX - base ? UINT64_MAX : base + len;
}

void fl_places_map(struct fl_places *p, unsigned name, fl_addr_t base, uint64_t len)
{
	struct fl_place *pl;

	if (name >= p->sc->nnames)
		return;
	pl = &p->at[name];
	pl->origin = pl->lo = base;
	pl->end = pl->hi = place_end(base, len);
	pl->making = ++p->makings;
}

/*
 * Cut [START, END) out of each live window.  A window that loses its head
 * or its tail shrinks; one cut in the middle keeps both ends and the hole:
 * a mapping made in the hole later is newer, so it names the hole.
 */
void fl_places_unmap(struct fl_places *p, fl_addr_t start, uint64_t len)
{
	fl_addr_t end = place_end(start, len);
	unsigned i;

	for (i = 0; i < p->sc->nnames; i++) {
		struct fl_place *pl = &p->at[i];

		if (pl->lo >= pl->hi || end <= pl->lo || start >= pl->hi)
			continue;
		if (start <= pl->lo && end >= pl->hi)
			pl->lo = pl->hi = 0;
		else if (start <= pl->lo)
			pl->lo = end;
		else if (end >= pl->hi)
			pl->hi = start;
	}
}

/* The newest name whose live window (or, unless LIVE, range) has ADDR; -1. */
static int places_in(const struct fl_places *p, fl_addr_t addr, bool live)
{
	int best = -1;
	unsigned i;

	for (i = 0; i < p->sc->nnames; i++) {
		const struct fl_place *pl = &p->at[i];

		if (live ? addr < pl->lo || addr >= pl->hi : addr < pl->origin || addr >= pl->end)
			continue;
		if (best < 0 || pl->making > p->at[best].making)
			best = (int)i;
	}
	return best;
}

/* The name mapped nearest below ADDR (by origin), live or not; -1. */
static int places_below(const struct fl_places *p, fl_addr_t addr)
{
	int best = -1;
	unsigned i;

	for (i = 0; i < p->sc->nnames; i++) {
		const struct fl_place *pl = &p->at[i];

		if (pl->origin == pl->end || pl->origin > addr)
			continue;
		if (best < 0 || pl->origin > p->at[best].origin)
			best = (int)i;
	}
	return best;
}

static void places_print(const struct fl_places *p, int i, fl_addr_t addr,
			 const char *fallback, char *buf, size_t len)
{
	if (i >= 0)
		snprintf(buf, len, "%s+0x%llx", p->sc->names[i].text,
			 (unsigned long long)(addr - p->at[i].origin));
	else if (fallback)
		snprintf(buf, len, "%s", fallback);
	else
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
}

int fl_places_at(const struct fl_places *p, fl_addr_t addr)
{
	return places_in(p, addr, true);
}

void fl_places_name_mapped(const struct fl_places *p, fl_addr_t addr, const char *fallback,
			   char *buf, size_t len)
{
	places_print(p, places_in(p, addr, true), addr, fallback, buf, len);
}

void fl_places_name_fault(const struct fl_places *p, fl_addr_t addr, char *buf, size_t len)
{
	int i = places_in(p, addr, true);

	if (i < 0)
		i = places_in(p, addr, false);
	if (i < 0)
		i = places_below(p, addr);
	places_print(p, i, addr, NULL, buf, len);
}
