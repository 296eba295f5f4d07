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
 * Run SC on the backend OPS with one value per vary variable (VARS may be
 * NULL: each variable takes its FROM value).  0 and *OUT (fl_run_free()),
 * or -ENOMEM.  The verdict, not the return value, says how it went.
 */
int fl_scenario_run(const struct fl_scenario *sc,
		    const struct fl_backend_ops *ops, const int64_t *vars,
		    struct fl_run **out);
void fl_run_free(struct fl_run *run);

const char *fl_verdict_name(enum fl_verdict v);

/* The statement as written (canonical form), into BUF. */
char *fl_step_text(const struct fl_run *run, const struct fl_step *step,
		   char *buf, size_t len);

#endif
