/*
 * backend/model_internal.h - what the files of the model backend share.
 *
 * model.c runs the world statements and dispatches `call FUNC` through the
 * per-capability tables declared here; each table lives in its own file
 * (model_uaccess.c, model_fault_in.c, ...) so capabilities are added
 * without touching the others.  A table ends with { 0, NULL }.
 *
 * A call handler returns 0 when the call ran (its result is in OBS),
 * -EOPNOTSUPP via unsupported() for a variant not modelled yet, or
 * setup_failed() for an argument the world cannot take.
 */
#ifndef FL_BACKEND_MODEL_INTERNAL_H
#define FL_BACKEND_MODEL_INTERNAL_H

#include <faultline/backend.h>

#define MODEL_MAX_ARMED 8
#define MODEL_MAX_KBUF  ((size_t)256 << 20)   /* a kernel buffer's size cap */

struct armed {
	enum fl_hook hook;
	unsigned nth, seen;
	const struct fl_sc_stmt *st;
	struct fl_val *args;
};

struct model {
	struct fl_world *w;
	struct fl_backend *b;
	fl_addr_t *map_base;            /* by names[] index: mapping addresses */
	void **handle;                  /* by names[] index: pipe, pages, uffd */
	fl_addr_t *snap_map_base;       /* map_base and handle at the snapshot */
	void **snap_handle;
	struct armed armed[MODEL_MAX_ARMED];
	unsigned narmed;
	bool in_hook;
};

static inline struct model *model_of(struct fl_backend *b)
{
	return b->priv;
}

struct model_call {
	unsigned code;          /* enum fl_sc_func */
	int (*fn)(struct model *m, const struct fl_sc_stmt *st,
		  const struct fl_val *args, struct fl_obs *obs);
};

extern const struct model_call model_uaccess_calls[];
extern const struct model_call model_fault_in_calls[];  /* fault_in_* */
extern const struct model_call model_syscall_calls[];   /* read, write, pipes, ... */
/* The `pipe NAME` statement (model_syscall.c). */
int model_pipe_create(struct model *m, const struct fl_val *args,
		      struct fl_obs *obs);
extern const struct model_call model_loop_calls[];      /* btrfs, fpu restore */
extern const struct model_call model_gup_calls[];       /* GUP family */
extern const struct model_call model_uffd_calls[];      /* userfaultfd */
/* The `mremap` statement (model_mremap.c): ret is the new address or -1. */
int model_mremap(struct model *m, const struct fl_sc_stmt *st,
		 const struct fl_val *args, struct fl_obs *obs);
/* After a call, store or load: the outcome `blocked` if it waited on a uffd. */
void model_uffd_settle(struct model *m, struct fl_obs *obs);
int model_uffd_event(struct fl_backend *b, unsigned uffd, struct fl_obs_event *ev);

const char *sc_name(const struct fl_backend *b, unsigned id);
int unsupported(struct fl_obs *obs);
int setup_failed(struct model *m, struct fl_obs *obs, const char *what, int err);
struct fl_mm *current_mm(struct model *m);
/* The value of key NAME (the runner puts keys after the positional args). */
const struct fl_val *key_val(const struct fl_sc_stmt *st,
			     const struct fl_val *args, const char *name);
/* A kernel buffer: 64-byte aligned like kmalloc's, filled with 0xaa. */
uint8_t *kbuf_alloc(size_t len);
void set_ret(struct fl_obs *obs, int64_t ret);
/*
 * obs->summary, the one line a trace shows for a statement.  Formatting it
 * is a third of a small case's cost, so it is skipped when nobody collects
 * the trace (faultline explore runs its cases that way).
 */
void model_summary(struct model *m, struct fl_obs *obs, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Route the world's trace to FN, or nowhere when nobody collects it. */
void model_set_trace(struct model *m, fl_trace_fn fn, void *arg);
/*
 * The armed `on HOOK#N` statements as loop-monitor environment: how far
 * each has counted decides what a retry loop's next round does.
 */
uint64_t model_armed_hooks_env(void *arg);

#endif
