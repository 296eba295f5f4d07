/*
 * gup/access_remote.c - access_remote_vm() and /proc/pid/mem.
 *
 * What and why
 *   A debugger reads and writes another process's memory (or its own,
 *   through /proc/self/mem) without the protections of the mapping: GUP
 *   with FOLL_FORCE takes the page, the kernel copies through it.  That is
 *   how a PROT_NONE page reads as zeros and how a breakpoint lands in a
 *   read-only private text mapping without reaching the file: the forced
 *   write COWs into an anonymous copy (host cases 9, 10, 11).
 *
 * Invariants
 *   1. One page at a time: each page is taken (FOLL_GET | FOLL_FORCE,
 *      | FOLL_WRITE for a write), copied through, and put back before the
 *      next; the result is the bytes done before the first page that
 *      could not be taken.
 *   2. A write goes to the folio GUP returned, never to the file behind a
 *      private mapping (check_vma_flags refuses a forced write to a shared
 *      mapping without VM_WRITE).
 *   3. mem_rw answers -EIO when nothing could be done, as fs/proc/base.c.
 */
#include <string.h>

#include "gup/internal.h"

size_t fl_access_remote_vm(struct fl_world *w, struct fl_mm *mm,
			   fl_addr_t addr, void *buf, size_t len, bool write,
			   bool *leaked)
{
	struct fl_process *cur = fl_current(w);
	/* no `locked`: a userfaultfd page fails (FL_FOLL_NO_RETRY), measured
	 * on 6.18 as /proc/self/mem's EIO (tests/host/uffd_proc_mem.fl) */
	unsigned flags = FL_FOLL_GET | FL_FOLL_FORCE | FL_FOLL_TOUCH | FL_FOLL_NO_RETRY |
			 (write ? FL_FOLL_WRITE : 0);
	size_t done = 0;

	if (leaked)
		*leaked = false;
	if (!cur || cur->mm != mm)
		flags |= FL_FOLL_REMOTE;
	while (done < len) {
		fl_addr_t at = addr + done;
		size_t off = FL_PAGE_OFFSET(at);
		size_t n = FL_PAGE_SIZE - off < len - done ? FL_PAGE_SIZE - off : len - done;
		struct fl_folio *folio = NULL;

		if (at < addr || fl_gup_remote(w, mm, at, 1, flags, &folio) != 1)
			break;
		if (write) {
			memcpy(fl_frame_mut(w, folio->frame) + off,
			       (const uint8_t *)buf + done, n);
			/* set_page_dirty_lock; the tag: mm's owner has new bytes */
			if (folio->mapping)
				folio->flags |= FL_FOLIO_DIRTY;
			fl_folio_note_write(w, folio, mm);
		} else {
			memcpy((uint8_t *)buf + done, fl_frame(w, folio->frame) + off, n);
			if (leaked && fl_folio_leaks_to(w, folio, cur)) {
				*leaked = true;
				fl_trace(w, "leak: pid %d reads 0x%llx, written by pid %d "
					 "after they parted", cur ? cur->pid : 0,
					 (unsigned long long)at, folio->writer);
			}
		}
		fl_put_user_page(w, folio);
		done += n;
	}
	return done;
}

long fl_proc_mem_rw(struct fl_world *w, fl_addr_t addr, void *buf, size_t len,
		    bool write, bool *leaked)
{
	struct fl_process *cur = fl_current(w);
	size_t done;

	if (leaked)
		*leaked = false;
	if (!len)
		return 0;
	if (!cur)
		return fl_error(w, -ESRCH, "proc mem: no current process");
	done = fl_access_remote_vm(w, cur->mm, addr, buf, len, write, leaked);
	if (!done)
		return fl_error(w, -EIO, "proc mem: 0x%llx cannot be accessed",
				(unsigned long long)addr);
	fl_world_clear_error(w);
	return (long)done;
}
