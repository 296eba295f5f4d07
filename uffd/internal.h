/*
 * uffd/internal.h - what the files of the userfaultfd layer share.
 *
 * userfaultfd.c holds contexts, UFFDIO_API/REGISTER/UNREGISTER, events,
 * handle_userfault and the mm/ hooks; mfill.c the range ioctls (COPY,
 * ZEROPAGE, CONTINUE, WAKE, WRITEPROTECT).  All state is model state: it
 * lives in the world's arena, so snapshots roll it back with the rest.
 */
#ifndef FL_UFFD_INTERNAL_H
#define FL_UFFD_INTERNAL_H

#include <faultline/uffd.h>

#include <faultline/mm_layers.h>

#define FL_VM_UFFD_ALL (FL_VM_UFFD_MISSING | FL_VM_UFFD_WP | FL_VM_UFFD_MINOR)
/* mmap_min_addr's usual value: the lowest address a range may start at */
#define FL_UFFD_MMAP_MIN_ADDR 0x10000ull

/*
 * State diagram of a context (userfaultfd_ctx):
 *
 *   fl_userfaultfd() --> WAIT_API --fl_uffdio_api() ok--> RUNNING
 *   WAIT_API: every other ioctl and read -> -EINVAL; a failed API call
 *             (bad api, unknown feature, EVENT_FORK without CAP_SYS_PTRACE)
 *             stays here.
 *   RUNNING:  a second UFFDIO_API -> -EINVAL; ranges of the owner's mm are
 *             registered / unregistered; events queue; the owner's exit
 *             makes the range ioctls fail with -ESRCH (4.13+).
 *   A context made by fork (EVENT_FORK) starts RUNNING with the parent's
 *   features.
 */
enum uffd_ctx_state { UFFD_STATE_WAIT_API, UFFD_STATE_RUNNING };

/* One UFFDIO_COPY of the built-in monitor, as it saw it (fl_uffd_log_next). */
struct uffd_log {
	struct fl_uffd_log_entry e;
	struct uffd_log *next;
};

struct uffd_event {
	struct fl_uffd_msg msg;
	bool read;                   /* taken by read(2) or the monitor */
	bool changing;               /* holds one mmap_changing count until read */
	struct uffd_event *next;
};

/*
 * Invariants
 *   1. mmap_changing == number of unread events with changing set, plus
 *      the forks in progress (fork_new set).
 *   2. A vma with uffd_ctx == ctx has VM_UFFD_* flags and belongs to
 *      ctx->owner's mm.
 */
struct fl_uffd_ctx {
	struct fl_process *owner;
	unsigned flags;              /* FL_UFFD_USER_MODE_ONLY, O_* */
	enum uffd_ctx_state state;
	uint64_t features;
	int mmap_changing;
	struct uffd_event *log;      /* every event, oldest first */
	struct uffd_event **log_tail;
	unsigned observed;           /* events fl_uffd_event_next() handed out */
	uint32_t serve_frame;        /* the monitor's page, 0: no monitor */
	fl_uffd_handler_fn handler;  /* the caller's own monitor, or NULL */
	void *handler_arg;
	struct uffd_log *mlog;       /* the built-in monitor's ioctls, oldest first */
	struct uffd_log **mlog_tail;
	unsigned mlog_observed;      /* entries fl_uffd_log_next() handed out */
	struct fl_uffd_ctx *fork_new;/* during fl_fork: the child's context */
	struct uffd_event *fork_ev;  /* and its FORK event, not queued yet */
	struct fl_uffd_ctx *next;
};

/* Slot FL_LAYER_UFFD: the hooks come first (mm/uffd_hooks.c reads them). */
struct uffd_state {
	struct fl_uffd_mm_hooks hooks;
	bool unprivileged;           /* no CAP_SYS_PTRACE */
	bool sysctl;                 /* vm.unprivileged_userfaultfd */
	struct fl_uffd_ctx *ctxs;
	bool blocked;
	fl_addr_t blocked_addr;
	struct fl_uffd_ctx *blocked_ctx; /* what the last wait waits on (NULL: a read) */
	struct fl_uffd_waiter *waiters;  /* the waits kept (uffd/wait.c) */
	fl_uffd_park_fn park;        /* a task that sleeps instead (uffd/wait.c) */
	void *park_arg;
	bool spun;                   /* woken FL_UFFD_MAX_REFAULTS times, no progress */
	fl_addr_t refault_addr;      /* the page of the last userfault, and */
	unsigned refaults;           /* how many in a row since the last take */
};

struct uffd_state *uffd_state(struct fl_world *w);
/* The owner's mm, or NULL when it has exited (the "mm gone" case). */
struct fl_mm *uffd_ctx_mm(const struct fl_uffd_ctx *ctx);
/* -EINVAL unless [start, start + len) is a page-aligned non-empty user range. */
int uffd_validate_range(struct fl_world *w, fl_addr_t start, uint64_t len);
/* The ioctls of the range-ioctl mask this kernel has (UFFD_API_RANGE_IOCTLS). */
uint64_t uffd_range_ioctls(struct fl_world *w);
/*
 * The arch has the uffd-wp pte bit (arch.h uffd_wp_since).  Without it
 * pte_mkuffd_wp() does nothing: a write-protect mode registered anyway
 * (before 00b151f21f39, 5.14) leaves ptes read-only and unmarked, and the
 * write fault is an ordinary one (debian-5.10-arm64).
 */
bool uffd_arch_has_wp(struct fl_world *w);
/* A task waits on CTX at ADDR with nobody to wake it (CTX NULL: a read). */
void uffd_note_blocked(struct fl_world *w, struct fl_uffd_ctx *ctx, fl_addr_t addr);
/*
 * wake_userfault: the waiters of CTX whose address is in [START, START +
 * LEN) are woken (uffd/wait.c).  The range ioctls call it with the bytes
 * they filled unless DONTWAKE; UFFDIO_WAKE, WRITEPROTECT off and
 * UNREGISTER with their range.
 */
void uffd_wake(struct fl_world *w, struct fl_uffd_ctx *ctx, fl_addr_t start,
	       uint64_t len);
/*
 * Where a task would sleep on CTX at ADDR with nobody to serve it: with a
 * parked task (fl_uffd_set_park) it sleeps until woken, FL_VM_FAULT_RETRY
 * and *SLEPT set, or until it must give up (FL_VM_FAULT_SIGBUS); without
 * one the wait is noted as blocked (uffd_note_blocked) and the access
 * stops: FL_VM_FAULT_SIGBUS.
 */
unsigned uffd_sleep(struct fl_world *w, struct fl_uffd_ctx *ctx, fl_addr_t addr,
		    bool *slept);

/*
 * mfill_atomic_copy with a kernel source (the monitor's page): copy one
 * page to DST in CTX's mm.  0, or -errno as UFFDIO_COPY's step would.
 */
int uffd_mfill_kernel_page(struct fl_world *w, struct fl_uffd_ctx *ctx,
			   fl_addr_t dst, const uint8_t *src);
/* Clear the uffd-wp bit of the page at ADDR (the monitor's WP resolution). */
void uffd_wp_resolve(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr);
/*
 * userfaultfd_wp_use_markers for a vma of CTX (the caller checks WP mode
 * where it matters): none ptes are write-protected with a marker.
 */
bool uffd_wp_use_markers(struct fl_world *w, const struct fl_uffd_ctx *ctx,
			 const struct fl_vma *vma);
/* userfaultfd_wp_async: the vma's context has UFFD_FEATURE_WP_ASYNC. */
bool uffd_wp_async(const struct fl_vma *vma);
/* mmap_changing check shared by the range ioctls (mfill.c): 0 or -EAGAIN. */
int uffd_mmap_changing(struct fl_world *w, struct fl_uffd_ctx *ctx, int64_t *field);
/* -ESRCH (4.13) / -ENOSPC (4.11-4.12): the registered mm has gone. */
int uffd_mm_gone(struct fl_world *w);
/* Queue a REMAP event (mremap of a range registered to CTX). */
void uffd_event_remap(struct fl_world *w, struct fl_uffd_ctx *ctx, fl_addr_t from,
		      fl_addr_t to, uint64_t len);

#endif
