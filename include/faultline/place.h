/*
 * faultline/place.h - which named mapping an address is in, as a
 * scenario's mappings come and go (runner/place.c).
 *
 * Two backends put the same scenario's mappings at different addresses,
 * so `faultline diff` names an address as NAME+OFF (cli/cmd_diff.c).  A
 * name keeps the range it was last mapped at; munmap, and an mremap that
 * moves a mapping away, take ranges back, so a name whose mapping is gone
 * never names an address a later mapping reuses.
 *
 * Invariants:
 *  1. A name is live only over the part of the range it was last mapped
 *     at that no munmap or mremap has taken back.
 *  2. Where live ranges overlap (a hole punched in the middle of a range
 *     and mapped again, an MREMAP_FIXED target), the mapping made last is
 *     the one there: each mapping carries the number of its making.
 */
#ifndef FAULTLINE_PLACE_H
#define FAULTLINE_PLACE_H

#include <stddef.h>

#include <faultline/scenario.h>
#include <faultline/types.h>

FL_API_BEGIN

struct fl_places;

/* A table for SC's names, none mapped; NULL when out of memory. */
struct fl_places *fl_places_new(const struct fl_scenario *sc);
void fl_places_free(struct fl_places *p);
/* TO becomes what FROM is (both for the same scenario). */
void fl_places_copy(struct fl_places *to, const struct fl_places *from);

/* Mapping NAME (an index into sc->names) is now at [BASE, BASE + LEN). */
void fl_places_map(struct fl_places *p, unsigned name, fl_addr_t base, uint64_t len);
/* [START, START + LEN) is no longer mapped, under whatever name. */
void fl_places_unmap(struct fl_places *p, fl_addr_t start, uint64_t len);

/* The live name ADDR is in (the newest, invariant 2), or -1. */
int fl_places_at(const struct fl_places *p, fl_addr_t addr);
/*
 * ADDR as "NAME+0xOFF" into BUF, the live mapping it is in, else FALLBACK:
 * for an address a system call returned (mremap), which is mapped, so a
 * name whose mapping is gone must not claim it.
 */
void fl_places_name_mapped(const struct fl_places *p, fl_addr_t addr, const char *fallback,
			   char *buf, size_t len);
/*
 * A fault address as "NAME+0xOFF": the live mapping it is in; else the
 * name that was mapped there last (a load from a moved mapping's old
 * place is NAME+0 on both backends); else the nearest mapped below it (a
 * guard page); else the number.
 */
void fl_places_name_fault(const struct fl_places *p, fl_addr_t addr, char *buf, size_t len);

FL_API_END

#endif
