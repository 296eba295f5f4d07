/*
 * faultline/livelock.h - proving that a kernel retry loop never ends, and
 * the two loops of kernel-facts.md §2 that can: btrfs search_ioctl and x86
 * restore_fpregs_from_user.
 *
 * Why a proof is possible: the model is deterministic (world.h invariant
 * 1).  If a loop reaches the top of an iteration twice in the same state -
 * the same world and the same loop variables - everything it does from the
 * second time on repeats what it did from the first time, forever.  So a
 * repeated state is not a heuristic "looks stuck": it is a proof that the
 * kernel loop, run on this input, never terminates.
 *
 * Definitions
 *   world hash   <faultline/state_hash.h> (mm/state_hash.c); "environment"
 *                below is what it leaves out.
 *   loop state   (world hash, the loop's own variables, environment) at
 *                the top of one iteration.
 *   environment  state outside the world that decides what the next
 *                iteration does (an armed `on hook#N` statement counting
 *                passes, a uffd queue): the loop's caller supplies it as
 *                a callback (fl_loop_set_env); it is mixed into the state.
 *   livelock     the state at iteration j equals the one at iteration i,
 *                i < j: proven endless, with cycle length j - i.
 *   no-progress  the loop passed its iteration bound (default
 *                FL_LOOP_DEFAULT_BOUND) with every state new: not a proof
 *                of anything, only "it did not end while we watched".
 *
 * Invariants
 *   (The world hash's own invariant is in <faultline/state_hash.h>.)
 *   1. The monitor claims a livelock only on a repeated state; a loop that
 *      terminates, however long it runs, is never flagged as one.
 *   2. Once the monitor has a verdict, every further fl_loop_stuck() call
 *      returns true: the loop model stops.
 */
#ifndef FAULTLINE_LIVELOCK_H
#define FAULTLINE_LIVELOCK_H

#include <faultline/state_hash.h>

FL_API_BEGIN

/* ---- the loop monitor (callers/loop.c) ---- */

#define FL_LOOP_DEFAULT_BOUND 100000ul
#define FL_LOOP_MAX_VARS      8

enum fl_loop_verdict {
	FL_LOOP_RUNNING,        /* no verdict (the loop ended by itself, or runs) */
	FL_LOOP_LIVELOCK,       /* a state repeated: proven endless */
	FL_LOOP_NO_PROGRESS,    /* the bound passed, every state new */
	FL_LOOP_ERROR,          /* out of memory while watching */
};

const char *fl_loop_verdict_name(enum fl_loop_verdict v);

/* Extra state from outside the world (see "environment" above). */
typedef uint64_t (*fl_loop_env_fn)(void *arg);

struct fl_loop_seen;

struct fl_loop {
	struct fl_world *w;
	const char *name;               /* "btrfs search_ioctl" */
	unsigned long bound;            /* iterations before no-progress */
	unsigned long iter;             /* iterations reported so far */
	enum fl_loop_verdict verdict;
	unsigned long first, second;    /* LIVELOCK: the two equal iterations */
	fl_loop_env_fn env;
	void *env_arg;
	/* states seen, an open-addressing table */
	struct fl_loop_seen *seen;
	size_t cap, used;
};

/* Watch a loop called NAME in W, with the default bound. */
void fl_loop_init(struct fl_loop *l, struct fl_world *w, const char *name);
void fl_loop_set_bound(struct fl_loop *l, unsigned long bound);
void fl_loop_set_env(struct fl_loop *l, fl_loop_env_fn fn, void *arg);
void fl_loop_fini(struct fl_loop *l);

/*
 * The loop model calls this at the top of every iteration with its own
 * variables VARS[0..NVARS) (NVARS <= FL_LOOP_MAX_VARS).  Returns false:
 * go on; true: stop, l->verdict says why (and a line was traced).
 */
bool fl_loop_stuck(struct fl_loop *l, const uint64_t *vars, unsigned nvars);

/* "livelock: iterations 2 and 3 are the same state (cycle 1)" into BUF. */
char *fl_loop_describe(const struct fl_loop *l, char *buf, size_t len);

/*
 * What a loop model returns when the monitor stopped it: the kernel never
 * returns there, so no real return value can be given.
 */
#define FL_LOOP_STOPPED (-ELOOP)

/* ---- btrfs search_ioctl (callers/btrfs.c) ---- */

/*
 * The btree is synthetic and deterministic: FL_BTRFS_NR_ITEMS items, item i
 * with key (256 + i, 1, 0), FL_BTRFS_ITEM_DATA bytes of data whose byte k
 * is (i + k) & 0xff, FL_BTRFS_LEAF_ITEMS items per leaf.  Each item takes
 * FL_BTRFS_HEADER + FL_BTRFS_ITEM_DATA = 128 bytes of the user buffer, so
 * a 2-page buffer holds exactly 64 items and item 32 starts at page 1.
 */
#define FL_BTRFS_HEADER     32u   /* sizeof(struct btrfs_ioctl_search_header) */
#define FL_BTRFS_ITEM_DATA  96u
#define FL_BTRFS_ITEM_SIZE  (FL_BTRFS_HEADER + FL_BTRFS_ITEM_DATA)
#define FL_BTRFS_LEAF_ITEMS 16u
#define FL_BTRFS_NR_ITEMS   4096u
#define FL_BTRFS_NR_ITEMS_MAX  (1u << 20)
#define FL_BTRFS_ITEM_DATA_MAX 4096u

/*
 * The tree's shape: NR_ITEMS items (1..FL_BTRFS_NR_ITEMS_MAX) of ITEM_DATA
 * data bytes each (0..FL_BTRFS_ITEM_DATA_MAX), keys and contents as above;
 * FL_BTRFS_LEAF_ITEMS per leaf.  A real search returns items of one size
 * when it asks for one key type of one object (docs/vm.md).
 */
struct fl_btrfs_tree {
	unsigned long nr_items;
	size_t item_data;
	/*
	 * NULL: the model's own items.  Else nr_items * (FL_BTRFS_HEADER +
	 * item_data) bytes, each item's search header and data as a real
	 * search returns them (a judge's: docs/vm.md "The btrfs items"); the
	 * header's len is the copy's own (0 for -EOVERFLOW's empty item).
	 */
	const uint8_t *contents;
};

/* The era rules of search_ioctl, resolved once from the world's version. */
struct fl_btrfs_rules {
	bool fault_in;          /* 5.9-rc4 a48b73eca4ce: nofault copies + retry */
	bool fault_in_off;      /* 5.9-rc5 1c78544eaa46: from ubuf + sk_offset */
	bool subpage;           /* 5.19 18788e34642e: fault_in_subpage_writeable */
};

void fl_btrfs_rules_of(struct fl_world *w, struct fl_btrfs_rules *r);

struct fl_btrfs_result {
	unsigned long nr_items; /* sk->nr_items written back */
	size_t sk_offset;       /* bytes of the buffer filled */
	unsigned long rounds;   /* iterations of the retry loop */
};

/*
 * BTRFS_IOC_TREE_SEARCH_V2 on the current process: fill the BUF_SIZE bytes
 * at UBUF with the synthetic tree's items.  0, -EFAULT, -EOVERFLOW (buffer
 * smaller than one header), or FL_LOOP_STOPPED when LOOP (which may be NULL:
 * a default monitor is used) proved or suspected an endless loop.
 */
int fl_btrfs_search_ioctl(struct fl_world *w, fl_addr_t ubuf, size_t buf_size,
			  struct fl_loop *loop, struct fl_btrfs_result *res);
/* The same for the tree TREE: -EINVAL if its shape is out of range. */
int fl_btrfs_search_ioctl_tree(struct fl_world *w, const struct fl_btrfs_tree *tree,
			       fl_addr_t ubuf, size_t buf_size, struct fl_loop *loop,
			       struct fl_btrfs_result *res);
/* The same under explicit RULES: the 5.9-rc4 rules have no version number. */
int fl_btrfs_search_ioctl_rules(struct fl_world *w,
				const struct fl_btrfs_rules *rules,
				fl_addr_t ubuf, size_t buf_size,
				struct fl_loop *loop,
				struct fl_btrfs_result *res);

/* ---- x86 restore_fpregs_from_user (callers/fpu.c) ---- */

/*
 * fpstate->user_size by default: the standard-format XSAVE frame of an
 * x86-64 CPU with AVX (x87/SSE legacy area 512 + XSAVE header 64 + AVX
 * YMM_Hi128 256 = 832 bytes).
 */
#define FL_FPU_USER_SIZE_DEFAULT 832u
#define FL_FPU_XSAVE_HDR_OFFSET  512u
#define FL_FPU_XSAVE_HDR_SIZE    64u

/* How the loop decides to retry after the fault-in. */
enum fl_fpu_retry {
	FL_FPU_RETRY_PAGES,     /* 5.14: !fault_in_pages_readable(buf, size) */
	FL_FPU_RETRY_ALL,       /* 5.16: !fault_in_readable(buf, size): all in */
	FL_FPU_RETRY_ANY,       /* never merged: the "partial is success" API
				 * Linus objected to (Aug 2021) */
};

struct fl_fpu_rules {
	bool loop;              /* 5.14-rc1 fcb3635f5018: the retry loop */
	enum fl_fpu_retry retry;
	bool user_size;         /* 6.8-rc4 d877550eaf2d: fault in user_size */
};

void fl_fpu_rules_of(struct fl_world *w, struct fl_fpu_rules *r);

/*
 * sigreturn's restore of the FPU registers from the user frame at BUF on
 * x86: SIZE is the xstate size the frame claims (fx_sw->xstate_size, user
 * controlled), USER_SIZE what XRSTOR really reads (fpstate->user_size; 0:
 * FL_FPU_USER_SIZE_DEFAULT).  0 (restored), -EFAULT, -EINVAL (not x86_64),
 * or FL_LOOP_STOPPED.  *ROUNDS (may be NULL) gets the XRSTOR attempts.
 */
int fl_restore_fpregs_from_user(struct fl_world *w, fl_addr_t buf, size_t size,
				size_t user_size, struct fl_loop *loop,
				unsigned long *rounds);
int fl_restore_fpregs_from_user_rules(struct fl_world *w,
				      const struct fl_fpu_rules *rules,
				      fl_addr_t buf, size_t size,
				      size_t user_size, struct fl_loop *loop,
				      unsigned long *rounds);

FL_API_END
#endif
