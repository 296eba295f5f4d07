/*
 * faultline/fault_in.h - the fault-in family: make user pages present
 * before a copy that runs with page faults disabled (kernel-facts.md §2).
 *
 * Definitions
 *   fault in   touch user memory so that a later copy under
 *              pagefault_disable() finds the pages present (and writable).
 *   probe      the bytes a helper actually touches: one byte per page, or
 *              per sub-page granule for the _subpage_ variant.
 *
 * Two APIs, by era (fl_since(w, FL_ERA_FAULT_IN_SIZE_T), 5.16, bb523b406c84):
 *   <= 5.15  fault_in_pages_{readable,writeable}: 0 or -EFAULT, all or
 *            nothing.
 *   >= 5.16  fault_in_{readable,writeable,safe_writeable,subpage_writeable}:
 *            the number of bytes NOT faulted in (0 = everything).
 * The fl_fault_in_* functions below answer with the API of the world's
 * kernel: on a <= 5.15 world fl_fault_in_readable() runs the old helper and
 * returns 0 or size (its -EFAULT turned into "nothing faulted in"), so
 * callers written against the new API still work; the fl_fault_in_pages_*
 * functions give the old API's exact return value.  The helpers a world's
 * kernel does not have yet: fl_fault_in_safe_writeable() runs its first
 * (5.16, GUP) version; fl_fault_in_subpage_writeable() is the world's
 * fl_fault_in_writeable() (what callers used before 5.19) and
 * fl_probe_subpage_writeable() returns 0.  The scenario backend refuses
 * those two calls on such worlds instead (backend/model_fault_in.c).
 *
 * Every helper traces one line (which probe faulted, which era rule
 * decided) and fires FL_HOOK_FAULT_IN once, after it returns.  The probes
 * are kernel-mode user accesses (fl_get_user/fl_put_user): they fire
 * FL_HOOK_UACCESS and see sub-page tags as copies do.  The writeable
 * helpers store 0 bytes; fault_in_safe_writeable stores nothing (it runs
 * write faults through fl_fixup_user_fault, mm/fixup.c).  Per-era details:
 * uaccess/fault_in.c and docs/fault-in.md.
 */
#ifndef FAULTLINE_FAULT_IN_H
#define FAULTLINE_FAULT_IN_H

#include <faultline/world.h>

FL_API_BEGIN

/* <= 5.15 API (include/linux/pagemap.h of those kernels): 0 or -EFAULT. */
int fl_fault_in_pages_readable(struct fl_world *w, fl_addr_t uaddr, size_t size);
int fl_fault_in_pages_writeable(struct fl_world *w, fl_addr_t uaddr, size_t size);

/* >= 5.16 API (mm/gup.c): bytes not faulted in. */
size_t fl_fault_in_readable(struct fl_world *w, fl_addr_t uaddr, size_t size);
/* Destructive: stores a 0 byte in every probed page. */
size_t fl_fault_in_writeable(struct fl_world *w, fl_addr_t uaddr, size_t size);
/* Non-destructive (GUP in 5.16, fixup_user_fault loop from 5.17). */
size_t fl_fault_in_safe_writeable(struct fl_world *w, fl_addr_t uaddr, size_t size);
/* 5.19: fault_in_writeable, then probe every sub-page granule (MTE/ADI). */
size_t fl_fault_in_subpage_writeable(struct fl_world *w, fl_addr_t uaddr, size_t size);
/* The arch probe alone: bytes from the first faulting granule; 0 generic. */
size_t fl_probe_subpage_writeable(struct fl_world *w, fl_addr_t uaddr, size_t size);

FL_API_END
#endif
