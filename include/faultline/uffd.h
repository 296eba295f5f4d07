/*
 * faultline/uffd.h - userfaultfd: contexts, the UFFDIO_* ioctls, events and
 * a deterministic monitor (uffd/, docs/uffd.md; kernel-facts.md §4).
 *
 * Definitions
 *   context   a userfaultfd_ctx: what userfaultfd(2) returns.  It belongs
 *             to the process that created it (its mm); ranges of that mm
 *             are registered to it.
 *   event     a uffd_msg: PAGEFAULT, or a non-cooperative FORK, REMAP,
 *             REMOVE, UNMAP.  Events queue in order; uffd_read takes the
 *             oldest unread one.
 *   monitor   the scenario's fault handler.  fl_uffd_serve() installs one
 *             that resolves every missing fault with UFFDIO_COPY of one
 *             page of fixed bytes, and wakes.  Without one, a fault that
 *             must wait is reported as blocked (fl_uffd_take_blocked()):
 *             the model never hangs.
 *
 * Numbers are the kernel's (include/uapi/linux/userfaultfd.h): feature,
 * mode and ioctl bits, event codes, pagefault flags; errors are -errno.
 */
#ifndef FAULTLINE_UFFD_H
#define FAULTLINE_UFFD_H

#include <faultline/mm.h>

FL_API_BEGIN

#define FL_UFFD_API 0xAAull

/* userfaultfd(2) flags */
#define FL_UFFD_USER_MODE_ONLY 1u
#define FL_UFFD_O_NONBLOCK     04000u
#define FL_UFFD_O_CLOEXEC      02000000u

/* UFFD_FEATURE_* */
#define FL_UFFD_FEATURE_PAGEFAULT_FLAG_WP  (1ull << 0)
#define FL_UFFD_FEATURE_EVENT_FORK         (1ull << 1)
#define FL_UFFD_FEATURE_EVENT_REMAP        (1ull << 2)
#define FL_UFFD_FEATURE_EVENT_REMOVE       (1ull << 3)
#define FL_UFFD_FEATURE_MISSING_HUGETLBFS  (1ull << 4)
#define FL_UFFD_FEATURE_MISSING_SHMEM      (1ull << 5)
#define FL_UFFD_FEATURE_EVENT_UNMAP        (1ull << 6)
#define FL_UFFD_FEATURE_SIGBUS             (1ull << 7)
#define FL_UFFD_FEATURE_THREAD_ID          (1ull << 8)
#define FL_UFFD_FEATURE_MINOR_HUGETLBFS    (1ull << 9)
#define FL_UFFD_FEATURE_MINOR_SHMEM        (1ull << 10)
#define FL_UFFD_FEATURE_EXACT_ADDRESS      (1ull << 11)
#define FL_UFFD_FEATURE_WP_HUGETLBFS_SHMEM (1ull << 12)
#define FL_UFFD_FEATURE_WP_UNPOPULATED     (1ull << 13)
#define FL_UFFD_FEATURE_POISON             (1ull << 14)
#define FL_UFFD_FEATURE_WP_ASYNC           (1ull << 15)
#define FL_UFFD_FEATURE_MOVE               (1ull << 16)

/*
 * Features the model advertises in their era but whose behaviour it does
 * not model: a context that enables one would answer as if it were off.
 * The scenario backend refuses them as `unsupported` (docs/uffd.md, "The
 * features, one by one").  None is left: WP_ASYNC (6.7) is modelled with
 * PAGEMAP_SCAN (uffd/pagemap_scan.c).
 */
#define FL_UFFD_FEATURES_NOT_MODELLED      0ull

/* UFFDIO_REGISTER_MODE_* */
#define FL_UFFDIO_REGISTER_MODE_MISSING 1ull
#define FL_UFFDIO_REGISTER_MODE_WP      2ull
#define FL_UFFDIO_REGISTER_MODE_MINOR   4ull

/* bit numbers of the `ioctls` masks (_UFFDIO_*) */
#define FL__UFFDIO_REGISTER     0
#define FL__UFFDIO_UNREGISTER   1
#define FL__UFFDIO_WAKE         2
#define FL__UFFDIO_COPY         3
#define FL__UFFDIO_ZEROPAGE     4
#define FL__UFFDIO_MOVE         5
#define FL__UFFDIO_WRITEPROTECT 6
#define FL__UFFDIO_CONTINUE     7
#define FL__UFFDIO_POISON       8
#define FL__UFFDIO_API          0x3F

/* modes of the range ioctls */
#define FL_UFFDIO_COPY_MODE_DONTWAKE 1ull
#define FL_UFFDIO_COPY_MODE_WP       2ull
#define FL_UFFDIO_ZEROPAGE_MODE_DONTWAKE 1ull
#define FL_UFFDIO_WRITEPROTECT_MODE_WP       1ull
#define FL_UFFDIO_WRITEPROTECT_MODE_DONTWAKE 2ull
#define FL_UFFDIO_POISON_MODE_DONTWAKE 1ull
#define FL_UFFDIO_MOVE_MODE_DONTWAKE        1ull
#define FL_UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES 2ull

/* uffd_msg.event */
#define FL_UFFD_EVENT_PAGEFAULT 0x12
#define FL_UFFD_EVENT_FORK      0x13
#define FL_UFFD_EVENT_REMAP     0x14
#define FL_UFFD_EVENT_REMOVE    0x15
#define FL_UFFD_EVENT_UNMAP     0x16

/* uffd_msg.arg.pagefault.flags */
#define FL_UFFD_PAGEFAULT_FLAG_WRITE 1ull
#define FL_UFFD_PAGEFAULT_FLAG_WP    2ull
#define FL_UFFD_PAGEFAULT_FLAG_MINOR 4ull

struct fl_uffd_ctx;

/* One uffd_msg, flattened (the union's members that apply to EVENT). */
struct fl_uffd_msg {
	unsigned event;              /* FL_UFFD_EVENT_* */
	uint64_t flags;              /* PAGEFAULT: FL_UFFD_PAGEFAULT_FLAG_* */
	fl_addr_t address;           /* PAGEFAULT */
	uint32_t ptid;               /* PAGEFAULT with THREAD_ID: the pid */
	struct fl_uffd_ctx *ufd;     /* FORK: the child's new context */
	fl_addr_t start, end;        /* REMOVE, UNMAP */
	fl_addr_t from, to;          /* REMAP: old and new address */
	uint64_t len;                /* REMAP: the old length */
};

struct fl_uffdio_api { uint64_t api, features, ioctls; };
struct fl_uffdio_register { fl_addr_t start; uint64_t len, mode, ioctls; };
struct fl_uffdio_range { fl_addr_t start; uint64_t len; };
/*
 * UFFDIO_COPY.  SRC is a user address in the current process; with
 * SRC_BUF set the source is that buffer instead (a monitor's private
 * memory, always readable).  COPY is the output field: the kernel leaves
 * it unwritten on some errors, so set it to a sentinel first and compare.
 */
struct fl_uffdio_copy {
	fl_addr_t dst, src;
	uint64_t len, mode;
	int64_t copy;
	const uint8_t *src_buf;
};
/*
 * UFFDIO_ZEROPAGE (field zeropage), UFFDIO_CONTINUE (field mapped) and
 * UFFDIO_POISON (field updated).
 */
struct fl_uffdio_fill {
	struct fl_uffdio_range range;
	uint64_t mode;
	int64_t out;
};
struct fl_uffdio_writeprotect { struct fl_uffdio_range range; uint64_t mode; };
/* UFFDIO_MOVE (6.8): MOVE is the output field, bytes moved or -errno. */
struct fl_uffdio_move {
	fl_addr_t dst, src;
	uint64_t len, mode;
	int64_t move;
};

/* ---- permission (the world's settings; default: CAP_SYS_PTRACE held) ---- */

/*
 * CAP: the caller has CAP_SYS_PTRACE.  SYSCTL: vm.unprivileged_userfaultfd.
 * Without either, userfaultfd(2) needs UFFD_USER_MODE_ONLY (5.11) and
 * UFFDIO_API refuses EVENT_FORK with -EPERM.
 */
int fl_uffd_set_privilege(struct fl_world *w, bool cap, bool sysctl);

/* ---- the syscall and the ioctls: 0 or -errno, as the kernel ---- */

/* userfaultfd(2) in the current process. */
int fl_userfaultfd(struct fl_world *w, unsigned flags, struct fl_uffd_ctx **out);
/*
 * open("/dev/userfaultfd") and USERFAULTFD_IOC_NEW with FLAGS (6.1): the
 * same context, without the syscall's CAP_SYS_PTRACE / sysctl check (the
 * device's file permissions govern it; the model's world may open it);
 * -ENOENT before 6.1 (no such device).
 */
int fl_userfaultfd_dev(struct fl_world *w, unsigned flags, struct fl_uffd_ctx **out);
int fl_uffdio_api(struct fl_world *w, struct fl_uffd_ctx *ctx, struct fl_uffdio_api *api);
int fl_uffdio_register(struct fl_world *w, struct fl_uffd_ctx *ctx,
		       struct fl_uffdio_register *reg);
int fl_uffdio_unregister(struct fl_world *w, struct fl_uffd_ctx *ctx,
			 const struct fl_uffdio_range *range);
/* 0 if all copied, -EAGAIN if partial (copy > 0), else -errno. */
int fl_uffdio_copy(struct fl_world *w, struct fl_uffd_ctx *ctx, struct fl_uffdio_copy *c);
int fl_uffdio_zeropage(struct fl_world *w, struct fl_uffd_ctx *ctx, struct fl_uffdio_fill *z);
int fl_uffdio_continue(struct fl_world *w, struct fl_uffd_ctx *ctx, struct fl_uffdio_fill *c);
int fl_uffdio_wake(struct fl_world *w, struct fl_uffd_ctx *ctx,
		   const struct fl_uffdio_range *range);
int fl_uffdio_writeprotect(struct fl_world *w, struct fl_uffd_ctx *ctx,
			   const struct fl_uffdio_writeprotect *wp);
/* UFFDIO_POISON (6.6): poison markers in none ptes; field updated. */
int fl_uffdio_poison(struct fl_world *w, struct fl_uffd_ctx *ctx, struct fl_uffdio_fill *p);
/* UFFDIO_MOVE (6.8): move_pages; 0, -EAGAIN if partial (move > 0), -errno. */
int fl_uffdio_move(struct fl_world *w, struct fl_uffd_ctx *ctx, struct fl_uffdio_move *mv);
/*
 * read(2) of one message: 0 and *MSG, -EAGAIN when nothing is queued (a
 * blocking fd would wait: fl_uffd_take_blocked() then reports it), -EINVAL
 * before UFFDIO_API.
 */
int fl_uffd_read(struct fl_world *w, struct fl_uffd_ctx *ctx, struct fl_uffd_msg *msg);

/* ---- PAGEMAP_SCAN (6.7): uffd/pagemap_scan.c ---- */

/* Page categories (PAGE_IS_*) and flags (PM_SCAN_*), the kernel's values. */
#define FL_PAGE_IS_WPALLOWED  (1ull << 0)
#define FL_PAGE_IS_WRITTEN    (1ull << 1)
#define FL_PAGE_IS_FILE       (1ull << 2)
#define FL_PAGE_IS_PRESENT    (1ull << 3)
#define FL_PAGE_IS_SWAPPED    (1ull << 4)
#define FL_PAGE_IS_PFNZERO    (1ull << 5)
#define FL_PAGE_IS_HUGE       (1ull << 6)
#define FL_PAGE_IS_SOFT_DIRTY (1ull << 7)
#define FL_PAGE_IS_GUARD      (1ull << 8)
#define FL_PM_SCAN_WP_MATCHING   (1ull << 0)
#define FL_PM_SCAN_CHECK_WPASYNC (1ull << 1)
#define FL_PM_SCAN_ARG_SIZE   96   /* sizeof(struct pm_scan_arg) */

/* struct pm_scan_arg, field for field. */
struct fl_pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};

/* struct page_region */
struct fl_page_region {
	uint64_t start, end, categories;
};

/*
 * ioctl(PAGEMAP_SCAN) on the pagemap of MM: the number of regions written
 * to VEC (room for arg->vec_len; arg->vec nonzero means the caller gave
 * one), arg->walk_end updated; or -errno (-ENOTTY before 6.7).
 */
long fl_pagemap_scan(struct fl_world *w, struct fl_mm *mm, struct fl_pm_scan_arg *arg,
		     struct fl_page_region *vec);

/* ---- the deterministic monitor and what the scenario observes ---- */

/* Resolve every later missing fault of CTX by copying PAGE (4096 bytes). */
int fl_uffd_serve(struct fl_world *w, struct fl_uffd_ctx *ctx, const uint8_t *page);
/*
 * A handler of the caller's own, run where the faulting task waits (inside
 * handle_userfault), after the PAGEFAULT event MSG was queued and read for
 * it.  It may call any fl_uffdio_*() on CTX.  It returns 0 when it woke
 * the task (the access retries: a handler that wakes without resolving
 * makes the task fault again, and a task that faults FL_UFFD_MAX_REFAULTS
 * times at one address in one statement is reported as a livelock), or
 * -errno when it gave up (the task waits on: blocked).  FN NULL removes it.
 * It takes precedence over fl_uffd_serve()'s built-in monitor.
 */
#define FL_UFFD_MAX_REFAULTS 3
typedef int (*fl_uffd_handler_fn)(struct fl_world *w, struct fl_uffd_ctx *ctx,
				  const struct fl_uffd_msg *msg, void *arg);
int fl_uffd_set_handler(struct fl_world *w, struct fl_uffd_ctx *ctx,
			fl_uffd_handler_fn fn, void *arg);
/*
 * What the built-in monitor saw of each UFFDIO_COPY it issued: the
 * ioctl's return (0 or -errno) and the copy field.  fl_uffd_log_next()
 * hands out the next entry not handed out before, or -ENOENT.
 */
struct fl_uffd_log_entry {
	fl_addr_t dst;
	int ret;
	int64_t copy;
};
int fl_uffd_log_next(struct fl_world *w, struct fl_uffd_ctx *ctx,
		     struct fl_uffd_log_entry *e);
/*
 * Every event CTX ever produced is kept, in order, whoever read it (a
 * read(2) or the monitor).  This hands out the next one not handed out
 * before into *MSG, or -ENOENT past the last: `expect event` walks it.
 */
int fl_uffd_event_next(struct fl_world *w, struct fl_uffd_ctx *ctx,
		       struct fl_uffd_msg *msg);
/*
 * Did something wait on a userfaultfd with nobody to wake it since the last
 * call?  Clears the note; *ADDR gets the faulting address (0 for a read).
 * fl_uffd_take_spin() is the same for a task woken again and again
 * without progress (FL_UFFD_MAX_REFAULTS): a livelock, not a wait.
 */
bool fl_uffd_take_blocked(struct fl_world *w, fl_addr_t *addr);
bool fl_uffd_take_spin(struct fl_world *w, fl_addr_t *addr);
/*
 * Waits that resume (docs/uffd.md, "A blocked access that resumes").  Right
 * after fl_uffd_take_blocked() said an access waits on a context,
 * fl_uffd_wait_keep() keeps that wait as a waiter of the world (arena
 * memory: a snapshot rolls it back with the rest).  wake_userfault on its
 * context over a range that holds its address - UFFDIO_COPY, ZEROPAGE,
 * CONTINUE, POISON and MOVE over the bytes they filled unless DONTWAKE,
 * UFFDIO_WAKE, WRITEPROTECT off without DONTWAKE, UNREGISTER - marks it
 * woken: its task then faults again (the caller retries the access).
 * keep: 0, -EINVAL when the last wait was a read(2) (no address), -ENOMEM.
 */
struct fl_uffd_waiter;
int fl_uffd_wait_keep(struct fl_world *w, struct fl_uffd_waiter **out);
bool fl_uffd_wait_woken(const struct fl_uffd_waiter *wt);
/* The address the waiter faulted at. */
fl_addr_t fl_uffd_wait_addr(const struct fl_uffd_waiter *wt);
void fl_uffd_wait_drop(struct fl_world *w, struct fl_uffd_waiter *wt);
/*
 * A task that can sleep (a system call named by as=, backend/model_wait.c):
 * while FN is set, a userfault nobody serves keeps a waiter and calls
 * FN(ARG, waiter) where the kernel's task would sleep in handle_userfault,
 * instead of stopping the access.  FN returns once the waiter is woken
 * (0: the fault is retried, and waits again at once if it is still a
 * userfault, as the kernel's fault retry does) or the task must give up
 * (-EINTR, a fatal signal: the fault fails, a uaccess comes up short).
 * fl_uffd_set_park(w, NULL, NULL) ends it.  Only one task runs at a time.
 */
typedef int (*fl_uffd_park_fn)(void *arg, struct fl_uffd_waiter *wt);
void fl_uffd_set_park(struct fl_world *w, fl_uffd_park_fn fn, void *arg);

/* Is a non-cooperative event pending (ctx->mmap_changing)? */
bool fl_uffd_mmap_changing(const struct fl_uffd_ctx *ctx);

const char *fl_uffd_event_name(unsigned event);

FL_API_END
#endif
