/*
 * gup/internal.h - what the files of the GUP layer share (not public).
 */
#ifndef FL_GUP_INTERNAL_H
#define FL_GUP_INTERNAL_H

#include <faultline/gup.h>

#include <faultline/mm_layers.h>

/*
 * Internal FOLL bit: this FOLL_WRITE was added by the 5.7.3/5.8 forced COW
 * break (17839856fd58), not asked for by the caller.
 */
#define FL_FOLL_COW_BREAK 0x80000u
/*
 * The caller passed no `locked` (get_user_pages, pin_user_pages,
 * access_remote_vm): its faults lack FAULT_FLAG_ALLOW_RETRY (before 6.3
 * faultin_page set it only with `locked`; since, is_valid_gup_args sets
 * FOLL_UNLOCKABLE only then), so they cannot wait on a userfaultfd.
 * GUP-fast's slow path (get_user_pages_unlocked) and process_vm_rw's
 * pin_user_pages_remote pass one.
 */
#define FL_FOLL_NO_RETRY  0x100000u

/* The flag checks every entry point makes first; 0 or -EINVAL. */
int gup_check_flags(struct fl_world *w, unsigned gup_flags);
/* The R/O FOLL_PIN unshare rule of 5.19 for the present PTE of VMA. */
bool gup_must_unshare(struct fl_world *w, const struct fl_vma *vma,
		      unsigned gup_flags, const fl_pte_t *pte);
/* Take one FOLL_GET or FOLL_PIN reference (try_grab_folio); zero page: none. */
void gup_grab_folio(struct fl_world *w, struct fl_folio *folio, unsigned gup_flags);
/* mm_set_has_pinned_flag() when GUP_FLAGS pins. */
void gup_note_pin(struct fl_mm *mm, unsigned gup_flags);

#endif
