/*
 * faultline/run.h - running a parsed scenario on a backend and judging its
 * expectations.
 *
 * Definitions
 *   step     one statement as run: its observables, the trace lines the
 *            model emitted while running it, and for an expect line whether
 *            it held and, if not, what was seen instead.
 *   verdict  PASS: every expectation held (or there were none and every
 *            statement ran); FAIL: an expectation did not hold;
 *            UNSUPPORTED: a statement needs a capability not modelled yet
 *            (the run stops there); ERROR: the world could not be set up
 *            as written (an mmap at= over another mapping, ...).
 *
 * Invariants
 *   1. A scenario with an unsupported statement is never PASS.
 *   2. steps[] has one entry per statement run, in order; `on` lines are
 *      steps too (they arm a hook), as are the statements they inject only
 *      through the trace of the call that fired them.
 */
#ifndef FAULTLINE_RUN_H
#define FAULTLINE_RUN_H

#include <faultline/backend.h>

FL_API_BEGIN

enum fl_verdict {
	FL_VERDICT_PASS,
	FL_VERDICT_FAIL,
	FL_VERDICT_UNSUPPORTED,
	FL_VERDICT_ERROR,
};

struct fl_step {
	const struct fl_sc_stmt *st;
	struct fl_obs obs;
	int rc;                 /* the backend's exec() result */
	char **trace;
	unsigned ntrace;
	bool is_expect;
	bool held;              /* expect: it held */
	char seen[200];         /* expect that failed: what was seen instead */
};

struct fl_run {
	const struct fl_scenario *sc;
	const char *backend;
	fl_kver_t kver;         /* as run (host resolved) */
	enum fl_arch_id arch;
	struct fl_step *steps;
	unsigned nsteps;
	unsigned expects, failed;
	enum fl_verdict verdict;
	char reason[320];       /* one line: why the verdict */
};

/*
 * A watcher of a run (the explorer's properties, explore/property.c):
 * before() is called just before the backend executes a statement (not an
 * expect or on line), with its evaluated arguments; after() just after,
 * with its step.  Both may read memory through B's peek.
 */
struct fl_run_watch {
	void *arg;
	void (*before)(void *arg, struct fl_backend *b, const struct fl_sc_stmt *st,
		       const struct fl_val *v);
	void (*after)(void *arg, struct fl_backend *b, const struct fl_step *s,
		      const struct fl_val *v);
};

/*
 * Run SC on the backend OPS with one value per vary variable (VARS may be
 * NULL: each variable takes its FROM value).  0 and *OUT (fl_run_free()),
 * or -ENOMEM.  The verdict, not the return value, says how it went.
 */
int fl_scenario_run(const struct fl_scenario *sc,
		    const struct fl_backend_ops *ops, const int64_t *vars,
		    struct fl_run **out);
void fl_run_free(struct fl_run *run);

/*
 * Running many cases of one scenario (the explorer): the statements before
 * the split run once, the backend snapshots its world there, and each case
 * restores it and runs only the statements from the split on.
 *
 *   fl_prefix_open ──> [prefix ran, snapshot] ──fl_prefix_run──> restore,
 *        suffix with the case's values ──> a whole fl_run ──> ... ──> close
 *
 * Invariants
 *   1. fl_prefix_run(p, vars) gives the run fl_scenario_run(sc, ops, vars)
 *      gives: the same steps, observables, traces and verdict (the prefix's
 *      steps head every case's run); so does fl_prefix_case().
 *   2. The prefix runs once, whatever the number of cases.
 *   3. A backend without snapshot, or whose snapshot refuses the
 *      scenario (-EOPNOTSUPP: the host backend's for more than one
 *      process, a userfaultfd, ...), runs every case whole; one whose
 *      restore fails (-EAGAIN) is opened again and runs the prefix anew.
 */
struct fl_prefix;

/* Leave the trace sink unset: no trace lines are made or kept (fast). */
#define FL_RUN_NO_TRACE 1u

/*
 * The first statement that must run per case: the first one that uses a
 * vary variable, moved back so that no expect after it judges a statement
 * before it and no `on` line is parted from the call it arms.
 */
unsigned fl_scenario_split(const struct fl_scenario *sc);

/*
 * Run statements [0, SPLIT) of SC on OPS (with WATCH, may be NULL) and
 * snapshot.  0 and *OUT (fl_prefix_close()), or -errno (no backend).  A
 * prefix that stops (unsupported, error) makes every case that run.
 */
int fl_prefix_open(const struct fl_scenario *sc, const struct fl_backend_ops *ops,
		   unsigned split, unsigned flags, const struct fl_run_watch *watch,
		   struct fl_prefix **out);
/* One case: as fl_scenario_run(sc, ops, VARS) (invariant 1), watched by WATCH. */
int fl_prefix_run(struct fl_prefix *p, const int64_t *vars,
		  const struct fl_run_watch *watch, struct fl_run **out);
/*
 * The same case without a run record of its own: *OUT belongs to P and
 * stays valid until the next fl_prefix_case()/fl_prefix_run() on P or
 * fl_prefix_close() (the explorer's per-case path: nothing is allocated
 * per case but what the suffix itself makes).
 */
int fl_prefix_case(struct fl_prefix *p, const int64_t *vars,
		   const struct fl_run_watch *watch, const struct fl_run **out);
/*
 * The next N cases (VARS[0..N-1], to be run by fl_prefix_case() in that
 * order) in one exchange with the backend, where it batches (the host
 * backend: backend/host_batch.c): each runs here once with no judge, to
 * write its requests down; fl_prefix_case() then answers them from the
 * batch (invariant 1 still holds: a case that asks otherwise runs again,
 * one by one).  0, or -errno: no batch, the cases run one by one.
 */
int fl_prefix_batch(struct fl_prefix *p, const int64_t *const *vars, unsigned n);
/*
 * A batch could be sent now: P keeps its set-up, its backend batches, and
 * no case of a batch sent before is still to be run (else -EBUSY).
 */
bool fl_prefix_batch_ready(struct fl_prefix *p);
void fl_prefix_close(struct fl_prefix *p);
/* The cases P ran from the backend's snapshot, not whole (explore --diff's note). */
uint64_t fl_prefix_restores(const struct fl_prefix *p);
/* ... of them, those the backend answered from a batch (fl_prefix_batch()). */
uint64_t fl_prefix_batched(const struct fl_prefix *p);
/* The times P's backend could not go back and was opened anew (invariant 3). */
uint64_t fl_prefix_restarts(const struct fl_prefix *p);

const char *fl_verdict_name(enum fl_verdict v);

/* The statement as written (canonical form), into BUF. */
char *fl_step_text(const struct fl_run *run, const struct fl_step *step,
		   char *buf, size_t len);

FL_API_END
#endif
