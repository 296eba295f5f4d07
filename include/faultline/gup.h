/*
 * faultline/gup.h - get_user_pages and friends: taking references on the
 * folios behind user addresses, the FOLL_* flags, GUP-fast, and
 * access_remote_vm (/proc/pid/mem) built on them.
 *
 * Definitions (kernel-facts.md §3; docs/gup.md says what each era does)
 *   GUP        walk [start, start + nr pages) of an mm, fault in what is
 *              missing (or not writable for FOLL_WRITE), and take one
 *              reference per page: FOLL_GET adds 1 to the folio's refcount,
 *              FOLL_PIN adds FL_GUP_PIN_COUNTING_BIAS (small folios only
 *              are modelled).  The shared zero page is returned without any
 *              reference: it is never freed and never written.
 *   GUP-fast   the lockless walk of get/pin_user_pages_fast: it takes only
 *              pages it can use as they are and hands the rest to the slow
 *              path (prot-none, a pte the access may not use, the zero page,
 *              gup_must_unshare, and in 5.7.3..5.8 every read-only pte).
 *   reference  a GUP reference keeps the folio, not the mapping: what is
 *              read through it later is the folio's bytes, whatever the
 *              process's page tables point to by then.  That is
 *              CVE-2020-29374 when a COW fault reuses or copies the wrong
 *              side.
 *   leak       the model tags each anonymous folio with the process that
 *              last made it writable through a write fault (or wrote it
 *              through GUP) and when (a fork generation).  A kernel read of
 *              a folio on behalf of process R is a leak when the writer W is
 *              another process and R could not have inherited the bytes: W
 *              is not an ancestor of R, or wrote after the fork that
 *              separated them (fl_folio_leaks_to).
 *
 * Return values follow the kernel: the number of pages taken (possibly
 * fewer than asked), or -errno when not even the first page could be.
 */
#ifndef FAULTLINE_GUP_H
#define FAULTLINE_GUP_H

#include <faultline/mm.h>

FL_API_BEGIN

/*
 * FOLL_* flags a caller may pass.  The low bits follow the words of the
 * scenario language's GUP flag lists (scenario/schema.c gup_words), so a
 * parsed flag list is a valid flags value.
 */
#define FL_FOLL_WRITE     0x0001u  /* the pages will be written */
#define FL_FOLL_FORCE     0x0002u  /* override VM_READ/VM_WRITE (ptrace) */
#define FL_FOLL_LONGTERM  0x0004u  /* a long-term pin: FOLL_PIN only */
#define FL_FOLL_NOFAULT   0x0008u  /* 5.16: never fault, -EFAULT instead */
#define FL_FOLL_TOUCH     0x0010u  /* mark the pte young (dirty for write) */
#define FL_FOLL_UNSHARE   0x0020u  /* not a mainline flag: refused */
#define FL_FOLL_NOWAIT    0x0040u  /* no I/O waits: no effect in the model */
#define FL_FOLL_DUMP      0x0080u  /* core dump: no zero page, no fault-in of holes */
#define FL_FOLL_REMOTE    0x0100u  /* another mm: FAULT_FLAG_REMOTE */
#define FL_FOLL_HWPOISON  0x0200u  /* -EHWPOISON instead of -EFAULT */
#define FL_FOLL_ANON      0x0400u  /* anonymous vmas only */
/* internal: set by the entry points, never by callers */
#define FL_FOLL_GET       0x10000u
#define FL_FOLL_PIN       0x20000u
#define FL_FOLL_FAST_ONLY 0x40000u /* GUP-fast without the slow fallback */
#define FL_FOLL_CALLER_MASK 0x07ffu

/* A GUP call of the scenario language, and which entry point it is. */
enum fl_gup_kind {
	FL_GUP_GET,             /* get_user_pages */
	FL_GUP_PIN,             /* pin_user_pages */
	FL_GUP_GET_FAST,        /* get_user_pages_fast */
	FL_GUP_PIN_FAST,        /* pin_user_pages_fast */
};

/*
 * The slow path on MM (the current process's, or another's: then pass
 * FL_FOLL_REMOTE).  GUP_FLAGS must hold exactly one of FL_FOLL_GET and
 * FL_FOLL_PIN (or neither: only fault in, as populate does; PAGES ignored).
 * PAGES, if not NULL, receives NR folio pointers.  Fires FL_HOOK_GUP once
 * per page it is about to take.
 */
long fl_gup_remote(struct fl_world *w, struct fl_mm *mm, fl_addr_t start,
		   unsigned long nr, unsigned gup_flags,
		   struct fl_folio **pages);

/* The entry points, on the current process (FOLL_GET / FOLL_PIN added). */
long fl_get_user_pages(struct fl_world *w, fl_addr_t start, unsigned long nr,
		       unsigned gup_flags, struct fl_folio **pages);
long fl_pin_user_pages(struct fl_world *w, fl_addr_t start, unsigned long nr,
		       unsigned gup_flags, struct fl_folio **pages);
long fl_get_user_pages_fast(struct fl_world *w, fl_addr_t start,
			    unsigned long nr, unsigned gup_flags,
			    struct fl_folio **pages);
long fl_pin_user_pages_fast(struct fl_world *w, fl_addr_t start,
			    unsigned long nr, unsigned gup_flags,
			    struct fl_folio **pages);

/* put_page / unpin_user_page of what GUP returned (the zero page: nothing). */
void fl_put_user_page(struct fl_world *w, struct fl_folio *folio);
void fl_unpin_user_page(struct fl_world *w, struct fl_folio *folio);

/* refcount >= GUP_PIN_COUNTING_BIAS: maybe pinned (false positives possible). */
bool fl_folio_maybe_dma_pinned(const struct fl_folio *folio);

/* ---- handles: the pages one scenario call took (as=H) ---- */

struct fl_gup_pages {
	unsigned gup_flags;     /* as taken: FL_FOLL_GET or FL_FOLL_PIN, ... */
	long nr;                /* pages held: what the call returned, or 0 */
	unsigned long cap;      /* slots allocated */
	fl_addr_t start;
	struct fl_folio **pages;
};

/*
 * Run GUP call KIND on the current process and keep what it took in a
 * handle allocated in the world (so a snapshot restores it with the
 * refcounts).  Returns what the call returned; *OUT is set even on error
 * (nr = 0) unless -ENOMEM.
 */
long fl_gup_take(struct fl_world *w, enum fl_gup_kind kind, fl_addr_t start,
		 unsigned long nr, unsigned gup_flags, struct fl_gup_pages **out);
/* put_page / unpin_user_pages of every page of H, and free H. */
void fl_gup_release(struct fl_world *w, struct fl_gup_pages *h);
/*
 * A kernel-side read of LEN bytes at byte OFF of the pages H holds (page i
 * covers [i * 4096, (i + 1) * 4096)), on behalf of the current process.
 * Returns the bytes read (short at the end of the pages), and *LEAKED
 * tells whether any page read leaks another process's data (a trace line
 * names it).
 */
long fl_gup_read(struct fl_world *w, const struct fl_gup_pages *h, size_t off,
		 void *buf, size_t len, bool *leaked);

/* ---- the leak checker ---- */

/* Would reading FOLIO on behalf of READER leak another process's data? */
bool fl_folio_leaks_to(struct fl_world *w, const struct fl_folio *folio,
		       const struct fl_process *reader);

/* ---- access_remote_vm: /proc/pid/mem ---- */

/*
 * access_remote_vm(): GUP with FOLL_FORCE (| FOLL_WRITE for a write) one
 * page at a time on MM, copying through the folio.  Returns the bytes
 * done; 0 if the first page fails.  *LEAKED as fl_gup_read (reads only;
 * may be NULL).
 */
size_t fl_access_remote_vm(struct fl_world *w, struct fl_mm *mm,
			   fl_addr_t addr, void *buf, size_t len, bool write,
			   bool *leaked);
/*
 * pread/pwrite of /proc/self/mem (mem_rw): bytes done, or -EIO when not
 * even the first byte could be accessed.
 */
long fl_proc_mem_rw(struct fl_world *w, fl_addr_t addr, void *buf, size_t len,
		    bool write, bool *leaked);

FL_API_END
#endif
