/*
 * faultline/world.h - a world: one kernel version, one architecture, the
 * processes and files that live in it, and the machinery every layer shares
 * (hooks, trace, error messages, snapshots).
 *
 * Definitions
 *   world      everything one scenario case observes.  Its model state lives
 *              in one arena (mm/arena.c) and its page contents in frames, so
 *              that a snapshot is cheap; the host-side parts (trace sink,
 *              hooks, the last error message) are outside the arena and are
 *              not rolled back by a restore.
 *   snapshot   a saved point: restoring brings back every process, mapping,
 *              PTE, folio and byte of page content exactly.  The arena is
 *              copied flat (it holds only metadata: tens of KiB for a
 *              scenario) and page contents are copy-on-write: a frame is
 *              saved only the first time it is written after the snapshot.
 *   hook       a named point the model passes ("fault", "uaccess", ...); the
 *              scenario runner attaches injected statements to them.
 *
 * Invariants
 *   1. The model is deterministic: no clock, no threads, no unseeded
 *      randomness.  The same calls on the same world give the same result.
 *   2. A failing API call returns a negative errno and leaves a one-line
 *      message in fl_world_error(); it never aborts on bad input.
 *   3. fl_world_restore() after fl_world_snapshot() gives a world whose every
 *      observable equals the one at the snapshot (tests/unit/mm/test_snapshot).
 */
#ifndef FAULTLINE_WORLD_H
#define FAULTLINE_WORLD_H

#include <stdarg.h>
#include <faultline/types.h>
#include <faultline/eras.h>
#include <faultline/arch.h>
#include <faultline/hook.h>

FL_API_BEGIN

struct fl_world_config {
	enum fl_arch_id arch;   /* default FL_ARCH_X86_64 */
	fl_kver_t kver;         /* 0: fl_kver_newest() */
	size_t arena_bytes;     /* metadata reservation; 0: 4 GiB (virtual) */
	size_t max_frames;      /* page frames; 0: 1M frames (4 GiB, virtual) */
	unsigned kconfig_off;   /* FL_KCONFIG_* built without; 0: a usual config */
	unsigned cpu_off;       /* FL_CPU_* (arch.h) the CPU lacks; 0: a current CPU */
};

/*
 * Create a world; CFG may be NULL for the defaults.  NULL on failure, with
 * errno EINVAL (an arch id out of range) or ENOMEM.
 */
struct fl_world *fl_world_new(const struct fl_world_config *cfg);
void fl_world_free(struct fl_world *w);

const struct fl_arch *fl_world_arch(const struct fl_world *w);
fl_kver_t fl_world_kver(const struct fl_world *w);

/* Does this world's kernel carry era ID?  The only version test allowed. */
bool fl_since(const struct fl_world *w, enum fl_era_id id);

/* The FL_CPU_* features this world's CPU lacks. */
unsigned fl_world_cpu_off(const struct fl_world *w);

/* Was this world's kernel built with OPT (FL_KCONFIG_*)? */
bool fl_world_kconfig(const struct fl_world *w, unsigned opt);

/* ---- errors ---- */

/*
 * Record a one-line message for the caller and return ERR (negative errno),
 * so a failure reads: return fl_error(w, -EINVAL, "munmap: len 0");
 */
int fl_error(struct fl_world *w, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The message of the last fl_error(), or "" if none. */
const char *fl_world_error(const struct fl_world *w);
void fl_world_clear_error(struct fl_world *w);

/* ---- trace ---- */

typedef void (*fl_trace_fn)(void *arg, const char *line);
/* Each traced decision is delivered as one line (no newline). NULL: off. */
void fl_world_set_trace(struct fl_world *w, fl_trace_fn fn, void *arg);
bool fl_tracing(const struct fl_world *w);
void fl_trace(struct fl_world *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Untraced (the bench, most runs), a call still paid for the variadic
 * entry before fl_trace() saw there was no sink: several times per system
 * call.  Test first; W is evaluated twice, so pass a plain pointer.  The
 * inner name is the function (a macro does not expand itself).
 */
#define fl_trace(w, ...) (fl_tracing(w) ? fl_trace((w), __VA_ARGS__) : (void)0)

/* ---- hooks ---- */

/* enum fl_hook: <faultline/hook.h> */
const char *fl_hook_name(enum fl_hook h);
typedef void (*fl_hook_fn)(struct fl_world *w, enum fl_hook h, void *arg);
void fl_world_set_hook(struct fl_world *w, fl_hook_fn fn, void *arg);
/* Called by the model at each hook point. */
void fl_hook_fire(struct fl_world *w, enum fl_hook h);

/* ---- pagefault_disable() ---- */

/* Nested, as in the kernel: faults are handled only at depth 0. */
void fl_pagefault_disable(struct fl_world *w);
void fl_pagefault_enable(struct fl_world *w);
bool fl_faulthandler_disabled(const struct fl_world *w);

/* ---- allocation-failure injection ---- */

/*
 * Make the NTH model allocation from now on (1: the next) fail with
 * -ENOMEM, once, as the kernel's tools/testing/vma harness fails an
 * allocation on demand: so a test reaches the error paths.  Model
 * allocations are arena blocks (VMAs, page tables, folios, processes,
 * files, layer state), page frames, and the host memory of a snapshot.
 * 0 disarms.  Counting starts again at each call.
 */
void fl_world_fail_alloc(struct fl_world *w, unsigned long nth);
/* Model allocations asked for since fl_world_fail_alloc armed a failure. */
unsigned long fl_world_allocs(const struct fl_world *w);

/*
 * The model's own counts of its memory: the arena of metadata
 * (mm/arena.c), the page frames (mm/frame.c) and the snapshot
 * (mm/snapshot.c).  What it holds now: a leak shows as usage a failed
 * call kept.  What it has taken from the host: both regions are reserved
 * MAP_NORESERVE, so the part ever handed out costs memory, and a restore,
 * which winds the arena and the frame allocator back, does not give it
 * back: the peaks.  A memory bound on the model measures these, not the
 * process RSS, which the C library's or a sanitizer's allocator controls.
 */
struct fl_world_usage {
	size_t arena_bytes;     /* arena blocks allocated and not freed */
	size_t frames;          /* page frames in use */
	size_t arena_used;      /* arena carved so far, free blocks included */
	size_t arena_peak;      /* the most ever carved */
	size_t frames_peak;     /* the highest frame ever handed out (0 is none) */
	size_t snapshot_bytes;  /* the snapshot's arena copy and journal room */
};
void fl_world_usage(const struct fl_world *w, struct fl_world_usage *u);

/* ---- snapshots ---- */

/*
 * Save the world's state.  One snapshot at a time: a second call replaces
 * the first.  0 or -ENOMEM.
 */
int fl_world_snapshot(struct fl_world *w);
/* Return to the snapshot, which stays valid for further restores. -ENOENT if none. */
int fl_world_restore(struct fl_world *w);
void fl_world_drop_snapshot(struct fl_world *w);

FL_API_END
#endif
