/*
 * cli/cmd_diff.c - `faultline diff [--json] FILE...`: the running kernel as
 * judge.  Each scenario runs on the model and on the host backend; every
 * observable is compared statement by statement: the return value, the
 * errno, the outcome of a user access (signal, si_code, si_addr, bytes
 * moved), uffdio_copy.copy, the kernel buffer, whether a statement could
 * run at all, and the verdict of every expect line.
 *
 * si_addr cannot be compared as a number: the two backends put mappings at
 * different addresses.  Both runs go through a recording backend that
 * wraps the real one, follows which named mapping is where as mmap, munmap
 * and mremap change them (runner/place.c), and writes each fault address
 * relative to the mapping it falls in (or the nearest one below it, for a
 * guard page), "buf+0x1000"; that is what is compared.
 *
 * A scenario that either side cannot run (UNSUPPORTED) is a skip, printed
 * with the reason, never dropped; skips are not failures.  Exit by the one
 * rule of cli/cli.h: 1 when any scenario disagrees (or a run could not be
 * made at all), else 0 when one agreed, else 3 (everything skipped, as
 * `run` does).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <faultline/place.h>
#include <faultline/run.h>

#include "cli/cli.h"
#include "cli/output.h"

/* ---- the recording backend ---- */

struct recorder {
	const struct fl_backend_ops *inner;
	void *inner_priv;
	const struct fl_scenario *sc;
	struct fl_places *places;       /* the names' mappings, as they are now */
	char (*where)[64];              /* by statement index: symbolic si_addr */
	/* both as they were at the backend's snapshot (explore --diff) */
	struct fl_places *snap_places;
	char (*snap_where)[64];
};

/*
 * fl_scenario_run() takes an ops table, not a context: the recorder of the
 * run about to start waits here for rec_open() (the CLI is one thread).
 */
static struct recorder *rec_next;

static struct recorder *rec_of(struct fl_backend *b)
{
	return b->priv;
}

/* Call the wrapped backend with its own private pointer in place. */
#define INNER(r, b, call) do {				\
		(b)->priv = (r)->inner_priv;		\
		call;					\
		(r)->inner_priv = (b)->priv;		\
		(b)->priv = (r);			\
	} while (0)

static int rec_open(struct fl_backend *b, fl_kver_t kver, enum fl_arch_id arch)
{
	struct recorder *r = rec_next;
	int err;

	/* a backend opened again (a whole run per case, or a new prefix) */
	fl_places_free(r->places);
	r->places = fl_places_new(r->sc);
	if (!r->places)
		return -ENOMEM;
	memset(r->where, 0, (r->sc->nstmts + 1) * sizeof(*r->where));
	b->priv = NULL;
	err = r->inner->open(b, kver, arch);
	r->inner_priv = b->priv;
	b->priv = r;
	return err;
}

static void rec_close(struct fl_backend *b)
{
	struct recorder *r = rec_of(b);

	INNER(r, b, r->inner->close(b));
	b->priv = NULL;
}

/*
 * What an mremap that succeeded at RET left mapped: moved away (unless
 * MREMAP_DONTUNMAP), its old range is free for the next mapping; shrunk in
 * place, its tail is.  as= names the mapping where it is now.
 */
static void rec_mremap(struct recorder *r, struct fl_backend *b, const struct fl_sc_stmt *st,
		       const struct fl_val *args, const struct fl_obs *obs)
{
	const struct fl_val *as = fl_backend_key(st, args, "as");
	const struct fl_val *flags = fl_backend_key(st, args, "flags");
	fl_addr_t old = args[0].u, ret = (fl_addr_t)obs->ret;
	uint64_t oldlen = args[1].u, newlen = args[2].u;
	fl_addr_t base;

	if (ret != old && !(flags && (flags->u & MREMAP_DONTUNMAP)))
		fl_places_unmap(r->places, old, oldlen);
	else if (ret == old && newlen < oldlen)
		fl_places_unmap(r->places, old + newlen, oldlen - newlen);
	if (!as)
		return;
	INNER(r, b, base = r->inner->map_base(b, (unsigned)as->u));
	fl_places_map(r->places, (unsigned)as->u, base, newlen);
}

/* Keep R's places as ST changed the mappings; name an mremap's new place. */
static void rec_places(struct recorder *r, struct fl_backend *b, const struct fl_sc_stmt *st,
		       const struct fl_val *args, const struct fl_obs *obs, ptrdiff_t idx)
{
	bool failed = obs->has_ret && obs->ret == -1;
	fl_addr_t base;

	switch (st->verb) {
	case FL_SC_MMAP:
		INNER(r, b, base = r->inner->map_base(b, (unsigned)args[0].u));
		if (base)
			fl_places_map(r->places, (unsigned)args[0].u, base, args[1].u);
		break;
	case FL_SC_MUNMAP:
		if (!failed)
			fl_places_unmap(r->places, args[0].u, args[1].u);
		break;
	case FL_SC_MREMAP:
		if (!obs->has_ret || failed)
			break;
		/*
		 * Where it went, as the mapping it is in now (its own place
		 * grown or shrunk, an at= target), or "a new place": where the
		 * kernel puts a moved mapping is its choice, not an observable.
		 */
		fl_places_name_mapped(r->places, (fl_addr_t)obs->ret, "a new place",
				      r->where[idx], sizeof(r->where[idx]));
		rec_mremap(r, b, st, args, obs);
		break;
	default:
		break;
	}
}

static int rec_exec(struct fl_backend *b, const struct fl_sc_stmt *st,
		    const struct fl_val *args, struct fl_obs *obs)
{
	struct recorder *r = rec_of(b);
	ptrdiff_t idx = st - r->sc->stmts;
	int err;

	INNER(r, b, err = r->inner->exec(b, st, args, obs));
	if (err)
		return err;
	if (idx < 0 || idx >= (ptrdiff_t)r->sc->nstmts)
		return 0;
	rec_places(r, b, st, args, obs, idx);
	if (obs->sig.sig)
		fl_places_name_fault(r->places, obs->sig.addr, r->where[idx],
				     sizeof(r->where[idx]));
	return 0;
}

static fl_addr_t rec_map_base(struct fl_backend *b, unsigned name)
{
	struct recorder *r = rec_of(b);
	fl_addr_t a;

	INNER(r, b, a = r->inner->map_base(b, name));
	return a;
}

static int rec_peek(struct fl_backend *b, fl_addr_t addr, void *buf, size_t len)
{
	struct recorder *r = rec_of(b);
	int err;

	INNER(r, b, err = r->inner->peek(b, addr, buf, len));
	return err;
}

/*
 * The expectations' own reads, `expect event` and `expect pagemap`: without
 * them the runner found "the recorded backend reads no pagemap" on both
 * sides, so until Dec 2026 diff compared two failures there and called
 * every such line agreed (the guests' pagemap and event answers included).
 */
static int rec_uffd_event(struct fl_backend *b, unsigned uffd, struct fl_obs_event *ev)
{
	struct recorder *r = rec_of(b);
	int err;

	INNER(r, b, err = r->inner->uffd_event(b, uffd, ev));
	return err;
}

static int rec_pagemap(struct fl_backend *b, fl_addr_t addr, enum fl_pm_reader reader,
		       uint64_t *entry, char *why, size_t len)
{
	struct recorder *r = rec_of(b);
	int err;

	INNER(r, b, err = r->inner->pagemap(b, addr, reader, entry, why, len));
	return err;
}

static int rec_arm_hook(struct fl_backend *b, enum fl_hook hook, unsigned nth,
			const struct fl_sc_stmt *st, const struct fl_val *args)
{
	struct recorder *r = rec_of(b);
	int err;

	INNER(r, b, err = r->inner->arm_hook(b, hook, nth, st, args));
	return err;
}

/* The recorder's own state goes back with the backend's. */
static int rec_snapshot(struct fl_backend *b)
{
	struct recorder *r = rec_of(b);
	int err = -EOPNOTSUPP;

	if (r->inner->snapshot)
		INNER(r, b, err = r->inner->snapshot(b));
	if (err)
		return err;
	fl_places_copy(r->snap_places, r->places);
	memcpy(r->snap_where, r->where, (r->sc->nstmts + 1) * sizeof(*r->where));
	return 0;
}

static int rec_restore(struct fl_backend *b)
{
	struct recorder *r = rec_of(b);
	int err;

	INNER(r, b, err = r->inner->restore(b));
	if (err)
		return err;
	fl_places_copy(r->places, r->snap_places);
	memcpy(r->where, r->snap_where, (r->sc->nstmts + 1) * sizeof(*r->where));
	return 0;
}

static int rec_settle(struct fl_backend *b)
{
	struct recorder *r = rec_of(b);
	int err = 0;

	if (r->inner->settle)
		INNER(r, b, err = r->inner->settle(b));
	return err;
}

static int rec_batch(struct fl_backend *b, enum fl_batch_cmd cmd)
{
	struct recorder *r = rec_of(b);
	int err = -EOPNOTSUPP;

	if (r->inner->batch)
		INNER(r, b, err = r->inner->batch(b, cmd));
	return err;
}

static const struct fl_backend_ops rec_ops = {
	.name = "recorded", .open = rec_open, .close = rec_close, .exec = rec_exec,
	.map_base = rec_map_base, .peek = rec_peek, .arm_hook = rec_arm_hook,
	.uffd_event = rec_uffd_event, .pagemap = rec_pagemap, .snapshot = rec_snapshot, .restore = rec_restore, .settle = rec_settle,
	.batch = rec_batch,
};

static void rec_free(struct recorder *r)
{
	fl_places_free(r->places);
	fl_places_free(r->snap_places);
	free(r->where);
	free(r->snap_where);
}

/* R for SC's runs on INNER, nothing mapped: 0 or -ENOMEM (rec_free() it). */
static int rec_init(struct recorder *r, const struct fl_scenario *sc,
		    const struct fl_backend_ops *inner)
{
	memset(r, 0, sizeof(*r));
	r->inner = inner;
	r->sc = sc;
	r->places = fl_places_new(sc);
	r->snap_places = fl_places_new(sc);
	r->where = calloc(sc->nstmts + 1, sizeof(*r->where));
	r->snap_where = calloc(sc->nstmts + 1, sizeof(*r->where));
	if (!r->places || !r->snap_places || !r->where || !r->snap_where)
		return -ENOMEM;
	return 0;
}

/* Run SC on INNER through a recorder R.  0 or -errno (no run made). */
static int rec_run(struct recorder *r, const struct fl_scenario *sc,
		   const struct fl_backend_ops *inner, const int64_t *vars,
		   struct fl_run **run)
{
	int err = rec_init(r, sc, inner);

	if (err)
		return err;
	rec_next = r;
	return fl_scenario_run(sc, &rec_ops, vars, run);
}

/* ---- comparing two runs ---- */

struct difference {
	unsigned line;
	char stmt[100];
	char what[16];
	char model[96], host[96];
};

struct comparison {
	const struct fl_run *m, *h;
	const struct recorder *rm, *rh;
	unsigned statements, observables;
	/* expectations that failed on both sides: agreed, but worth saying */
	unsigned failed_both, failed_both_line;
	char failed_both_seen[96];
	struct difference *d;
	unsigned nd;
	/* the first call the model proved endless and the kernel never returned from */
	char livelock[400];
	/* statements after a timeout in the process it killed: compared on neither side */
	unsigned not_run;
	char killed[160];
};

static void differ(struct comparison *c, const struct fl_step *s, const char *what,
		   const char *mv, const char *hv)
{
	struct difference *d = realloc(c->d, (c->nd + 1) * sizeof(*d));
	char text[200];

	if (!d)
		return;
	c->d = d;
	d = &c->d[c->nd++];
	d->line = s->st->line;
	snprintf(d->stmt, sizeof(d->stmt), "%s", fl_step_text(c->m, s, text, sizeof(text)));
	snprintf(d->what, sizeof(d->what), "%s", what);
	snprintf(d->model, sizeof(d->model), "%s", mv);
	snprintf(d->host, sizeof(d->host), "%s", hv);
}

/* Compare one number; N/A on a side is written "-". */
static void cmp_num(struct comparison *c, const struct fl_step *s, const char *what,
		    bool mhas, int64_t mv, bool hhas, int64_t hv)
{
	char a[32] = "-", b[32] = "-";

	if (!mhas && !hhas)
		return;
	c->observables++;
	if (mhas == hhas && mv == hv)
		return;
	if (mhas)
		snprintf(a, sizeof(a), "%lld", (long long)mv);
	if (hhas)
		snprintf(b, sizeof(b), "%lld", (long long)hv);
	differ(c, s, what, a, b);
}

/*
 * The descriptors recvmsg's SCM_RIGHTS gave: how many, and the file each
 * refers to as the scenario names it (their numbers differ: not compared).
 */
static void cmp_rights(struct comparison *c, const struct fl_step *s,
		       const struct fl_obs *m, const struct fl_obs *h)
{
	unsigned i;

	if (!m->nrights && !h->nrights)
		return;
	cmp_num(c, s, "SCM_RIGHTS descriptors", true, m->nrights, true, h->nrights);
	for (i = 0; i < m->nrights && i < h->nrights; i++)
		cmp_num(c, s, "SCM_RIGHTS descriptor's file", true, m->rights[i], true,
			h->rights[i]);
}

static void cmp_errno(struct comparison *c, const struct fl_step *s, int me, int he)
{
	const char *a = me ? fl_sc_errno_name(me) : "none";
	const char *b = he ? fl_sc_errno_name(he) : "none";

	c->observables++;
	if (me != he)
		differ(c, s, "errno", a ? a : "?", b ? b : "?");
}

static void cmp_str(struct comparison *c, const struct fl_step *s, const char *what,
		    const char *a, const char *b)
{
	c->observables++;
	if (strcmp(a, b))
		differ(c, s, what, a, b);
}

static void cmp_kbuf(struct comparison *c, const struct fl_step *s,
		     const struct fl_obs *a, const struct fl_obs *b)
{
	size_t i;
	char x[48], y[48];

	if (!a->kbuf || !b->kbuf)
		return;
	c->observables++;
	if (a->kbuf_len != b->kbuf_len) {
		snprintf(x, sizeof(x), "%zu bytes", a->kbuf_len);
		snprintf(y, sizeof(y), "%zu bytes", b->kbuf_len);
		differ(c, s, "kbuf", x, y);
		return;
	}
	for (i = 0; i < a->kbuf_len; i++) {
		if (a->kbuf[i] == b->kbuf[i])
			continue;
		snprintf(x, sizeof(x), "byte %zu = 0x%02x", i, a->kbuf[i]);
		snprintf(y, sizeof(y), "byte %zu = 0x%02x", i, b->kbuf[i]);
		differ(c, s, "kbuf", x, y);
		return;
	}
}

static void cmp_outcome(struct comparison *c, const struct fl_step *s,
			enum fl_outcome a, enum fl_outcome b)
{
	cmp_str(c, s, "outcome", fl_outcome_word(a), fl_outcome_word(b));
}

/*
 * A real kernel shows a live-lock the model proves as a call that never
 * returns: the watchdog's `timeout` (docs/vm.md).  The two agree.
 */
static bool livelock_as_timeout(enum fl_outcome model, enum fl_outcome judge)
{
	return model == FL_OUTCOME_LIVELOCK && judge == FL_OUTCOME_TIMEOUT;
}

/* An expect whose subject the model proved endless and the kernel timed out. */
static bool expect_on_livelock(const struct comparison *c, const struct fl_step *s)
{
	int subj = s->st->subject;

	return s->st->code == FL_SC_EXPECT_OUTCOME && subj >= 0 &&
	       (unsigned)subj < c->m->nsteps && (unsigned)subj < c->h->nsteps &&
	       livelock_as_timeout(c->m->steps[subj].obs.outcome, c->h->steps[subj].obs.outcome);
}

static void cmp_signal(struct comparison *c, const struct fl_step *s, int a, int b)
{
	char x[16], y[16];
	const char *na = sigabbrev_np(a), *nb = sigabbrev_np(b);

	snprintf(x, sizeof(x), a ? "SIG%s" : "none", na ? na : "?");
	snprintf(y, sizeof(y), b ? "SIG%s" : "none", nb ? nb : "?");
	cmp_str(c, s, "signal", x, y);
}

static void cmp_access(struct comparison *c, const struct fl_step *s, unsigned idx)
{
	const struct fl_obs *a = &s->obs, *b = &c->h->steps[s - c->m->steps].obs;

	cmp_outcome(c, s, a->outcome, b->outcome);
	cmp_num(c, s, "moved", true, (int64_t)a->moved, true, (int64_t)b->moved);
	if (!a->sig.sig && !b->sig.sig)
		return;
	cmp_signal(c, s, a->sig.sig, b->sig.sig);
	cmp_num(c, s, "si_code", true, a->sig.code, true, b->sig.code);
	cmp_str(c, s, "si_addr", c->rm->where[idx], c->rh->where[idx]);
}

/* ret; mremap's new address as the place it is in (rec_places), not a number. */
static void cmp_ret(struct comparison *c, const struct fl_step *s, const struct fl_step *t,
		    unsigned idx)
{
	if (s->st->verb == FL_SC_MREMAP && s->obs.has_ret && t->obs.has_ret &&
	    s->obs.ret != -1 && t->obs.ret != -1)
		cmp_str(c, s, "ret", c->rm->where[idx], c->rh->where[idx]);
	else
		cmp_num(c, s, "ret", s->obs.has_ret, s->obs.ret, t->obs.has_ret, t->obs.ret);
}

static void cmp_step(struct comparison *c, unsigned i)
{
	const struct fl_step *s = &c->m->steps[i], *t = &c->h->steps[i];
	unsigned idx = (unsigned)(s->st - c->m->sc->stmts);
	char a[96], b[96];

	c->statements++;
	if (s->rc || t->rc) {   /* a statement one side could not run */
		c->observables++;
		/* both refused it: the same errno (EINVAL, ENOMEM, ...) agrees */
		if (s->rc && t->rc && s->rc == t->rc)
			return;
		snprintf(a, sizeof(a), "%.95s", s->rc ? s->obs.why : "ran");
		snprintf(b, sizeof(b), "%.95s", t->rc ? t->obs.why : "ran");
		differ(c, s, "runs", a, b);
		return;
	}
	if (s->is_expect) {
		c->observables++;
		if (s->held != t->held && !expect_on_livelock(c, s))
			differ(c, s, "expect", s->held ? "holds" : s->seen,
			       t->held ? "holds" : t->seen);
		if (!s->held && !t->held && !c->failed_both++) {
			c->failed_both_line = s->st->line;
			snprintf(c->failed_both_seen, sizeof(c->failed_both_seen), "%.95s",
				 s->seen);
		}
		return;
	}
	/* poison: the SIGBUS its caller gets from 6.11 (mm/poison.c), as an access's */
	if (s->st->verb == FL_SC_STORE || s->st->verb == FL_SC_LOAD ||
	    s->st->verb == FL_SC_POISON) {
		cmp_access(c, s, idx);
		return;
	}
	/* `wait A`: the access as it ended (a vmsplice's ret), or blocked */
	if (s->st->verb == FL_SC_WAIT) {
		cmp_access(c, s, idx);
		if (s->obs.outcome != FL_OUTCOME_BLOCKED && t->obs.outcome != FL_OUTCOME_BLOCKED) {
			cmp_ret(c, s, t, idx);
			cmp_errno(c, s, s->obs.err, t->obs.err);
		}
		return;
	}
	/*
	 * A call that waits on a userfaultfd nobody serves never returns on
	 * the kernel: whatever ret the model's stopped call left is no
	 * observable.  Compare the outcome when either is blocked, and ret
	 * and errno only when neither is.
	 */
	if (livelock_as_timeout(s->obs.outcome, t->obs.outcome)) {
		c->observables++;
		if (!c->livelock[0])
			snprintf(c->livelock, sizeof(c->livelock),
				 "line %u: model: %.150s | kernel: %.150s", s->st->line,
				 s->obs.summary, t->obs.summary);
	} else if (s->obs.outcome == FL_OUTCOME_BLOCKED || t->obs.outcome == FL_OUTCOME_BLOCKED ||
		   t->obs.outcome == FL_OUTCOME_TIMEOUT) {
		cmp_outcome(c, s, s->obs.outcome, t->obs.outcome);
	} else {
		cmp_ret(c, s, t, idx);
		if (s->st->verb == FL_SC_CALL || s->st->verb == FL_SC_MREMAP)
			cmp_errno(c, s, s->obs.err, t->obs.err);
	}
	cmp_num(c, s, "copy", s->obs.has_copy, s->obs.copy, t->obs.has_copy, t->obs.copy);
	cmp_num(c, s, "msg_flags", s->obs.has_msg_flags, s->obs.msg_flags,
		t->obs.has_msg_flags, t->obs.msg_flags);
	cmp_num(c, s, "msg_controllen", s->obs.has_msg_flags, s->obs.controllen,
		t->obs.has_msg_flags, t->obs.controllen);
	cmp_rights(c, s, &s->obs, &t->obs);
	if (s->obs.creds || t->obs.creds)
		cmp_num(c, s, "SCM_CREDENTIALS", true, s->obs.creds, true, t->obs.creds);
	cmp_kbuf(c, s, &s->obs, &t->obs);
}

/*
 * A call that times out on a real kernel takes the scenario's processes
 * with it: the watchdog kills them all (fl_host_link_kill_all; docs/vm.md),
 * while the model's processes, whose call it proved endless, live on.
 * What they run afterwards has no kernel answer to compare, so from the
 * timeout on only statements of a process made after it (`process`, or
 * `fork` from such a process) are compared; the others count as not run
 * on both sides.  ALIVE is NULL until a timeout.
 */
static unsigned proc_p(const struct fl_scenario *sc)
{
	unsigned i;

	for (i = 0; i < sc->nnames; i++)
		if (sc->names[i].kind == FL_SC_NEW_PROC && !strcmp(sc->names[i].text, "p"))
			return i;
	return sc->nnames;
}

static bool after_timeout(const bool *alive, unsigned *cur, const struct fl_sc_stmt *st)
{
	if ((st->verb == FL_SC_PROCESS || st->verb == FL_SC_USE) && st->nargs)
		*cur = st->args[0].u.ref.id;
	return alive && !alive[*cur];
}

static void note_timeout(struct comparison *c, bool **alive, unsigned cur,
			 const struct fl_sc_stmt *st)
{
	const struct fl_scenario *sc = c->m->sc;

	free(*alive);
	*alive = calloc(sc->nnames + 1, sizeof(**alive));
	snprintf(c->killed, sizeof(c->killed),
		 "process %s's call at line %u timed out: the watchdog killed every process",
		 cur < sc->nnames ? sc->names[cur].text : "?", st->line);
}

static void compare(struct comparison *c)
{
	unsigned i, n = c->m->nsteps < c->h->nsteps ? c->m->nsteps : c->h->nsteps;
	unsigned cur = proc_p(c->m->sc);
	bool *alive = NULL;

	for (i = 0; i < n; i++) {
		const struct fl_sc_stmt *st = c->m->steps[i].st;

		if (after_timeout(alive, &cur, st)) {
			c->not_run++;
			continue;
		}
		cmp_step(c, i);
		if (alive && (st->verb == FL_SC_PROCESS || st->verb == FL_SC_FORK) && st->nargs)
			alive[st->args[0].u.ref.id] = true;
		if (!c->m->steps[i].is_expect && c->h->steps[i].obs.outcome == FL_OUTCOME_TIMEOUT)
			note_timeout(c, &alive, cur, st);
	}
	/* the judge's run ends at a statement of a killed process: so does the model's */
	if (c->h->nsteps == n)
		for (; n < c->m->nsteps && after_timeout(alive, &cur, c->m->steps[n].st); n++)
			c->not_run++;
	free(alive);
	if (n < c->m->nsteps || n < c->h->nsteps) {
		const struct fl_run *longer = c->m->nsteps > n ? c->m : c->h;

		c->observables++;
		differ(c, &longer->steps[n], "runs", c->m->nsteps > n ? "ran" : "stopped before",
		       c->h->nsteps > n ? "ran" : "stopped before");
	}
}

/* ---- output ---- */

enum diff_status { DIFF_AGREE, DIFF_DISAGREE, DIFF_SKIP, DIFF_ERROR };

struct diff_opts {
	bool json;
	json_t *arr;
	unsigned counts[4];
};

static void print_text(const struct comparison *c, const char *file,
		       enum diff_status st, const char *reason)
{
	char name[256];
	unsigned i;

	file = fl_cli_clean(file, name, sizeof(name));
	switch (st) {
	case DIFF_AGREE:
		printf("agree  %s: %u statements, %u observables\n", file,
		       c->statements, c->observables);
		if (c->livelock[0])
			printf("       livelock = timeout: %s\n", c->livelock);
		if (c->not_run)
			printf("       not run: %u statements after the timeout (%s)\n",
			       c->not_run, c->killed);
		if (c->failed_both)
			printf("       failing on both sides: %u expectation%s (line %u: %s)\n",
			       c->failed_both, c->failed_both == 1 ? "" : "s",
			       c->failed_both_line, c->failed_both_seen);
		return;
	case DIFF_SKIP:
		printf("skip   %s: %s\n", file, reason);
		return;
	case DIFF_ERROR:
		printf("error  %s: %s\n", file, reason);
		return;
	default:
		break;
	}
	printf("DIFFER %s: %u of %u observables differ\n", file, c->nd, c->observables);
	if (c->not_run)
		printf("  not run: %u statements after the timeout (%s)\n", c->not_run, c->killed);
	printf("  %5s  %-40s %-8s %-28s %s\n", "line", "statement", "what", "model", "host");
	for (i = 0; i < c->nd; i++)
		printf("  %5u  %-40.40s %-8s %-28s %s\n", c->d[i].line, c->d[i].stmt,
		       c->d[i].what, c->d[i].model, c->d[i].host);
}

static void add_json(struct diff_opts *o, const struct comparison *c, const char *file,
		     enum diff_status st, const char *reason)
{
	static const char *const names[] = { "agree", "disagree", "skip", "error" };
	json_t *s = json_object(), *d = json_array();
	unsigned i;

	json_object_set_new(s, "file", json_string(file));
	json_object_set_new(s, "status", json_string(names[st]));
	json_object_set_new(s, "statements", json_integer(c->statements));
	json_object_set_new(s, "observables", json_integer(c->observables));
	if (reason)
		json_object_set_new(s, "reason", json_string(reason));
	if (c->livelock[0])
		json_object_set_new(s, "livelock_timeout", json_string(c->livelock));
	if (c->failed_both)
		json_object_set_new(s, "failed_on_both", json_integer(c->failed_both));
	if (c->not_run) {
		json_object_set_new(s, "not_run_after_timeout", json_integer(c->not_run));
		json_object_set_new(s, "killed", json_string(c->killed));
	}
	for (i = 0; i < c->nd; i++) {
		json_t *x = json_object();

		json_object_set_new(x, "line", json_integer(c->d[i].line));
		json_object_set_new(x, "statement", json_string(c->d[i].stmt));
		json_object_set_new(x, "what", json_string(c->d[i].what));
		json_object_set_new(x, "model", json_string(c->d[i].model));
		json_object_set_new(x, "host", json_string(c->d[i].host));
		json_array_append_new(d, x);
	}
	json_object_set_new(s, "differences", d);
	json_array_append_new(o->arr, s);
}

/*
 * The reason a side cannot run SC: the run's ("unsupported: call read (not
 * modelled yet)"), unless the host refused the whole scenario before its
 * first statement: then its own line names the statement.
 */
static void skip_reason(const struct fl_run *run, const char *side, char *buf, size_t len)
{
	unsigned i;

	for (i = 0; i < run->nsteps; i++)
		if (run->steps[i].rc == -EOPNOTSUPP &&
		    !strncmp(run->steps[i].obs.why, "host backend: ", 14)) {
			snprintf(buf, len, "%s: %s", side, run->steps[i].obs.why + 14);
			return;
		}
	snprintf(buf, len, "%s: %s", side, run->reason);
}

static enum diff_status diff_one(struct diff_opts *o, const struct fl_scenario *sc,
				 const char *file)
{
	struct recorder rm, rh;
	struct fl_run *m = NULL, *h = NULL;
	struct comparison c = { 0 };
	enum diff_status st = DIFF_AGREE;
	char reason[400] = "";
	int em, eh;

	em = rec_run(&rm, sc, &fl_model_backend, NULL, &m);
	eh = rec_run(&rh, sc, &fl_host_backend, NULL, &h);
	if (em || eh) {
		st = DIFF_ERROR;
		snprintf(reason, sizeof(reason), "%s: %s", em ? "model" : "host",
			 strerror(-(em ? em : eh)));
	} else if (h->verdict == FL_VERDICT_ERROR && fl_host_agent_lost()) {
		st = DIFF_ERROR;        /* the judge died under it: no answer to compare */
		snprintf(reason, sizeof(reason), "host: %.380s", h->reason);
	} else if (m->verdict == FL_VERDICT_UNSUPPORTED) {
		st = DIFF_SKIP;
		skip_reason(m, "model", reason, sizeof(reason));
	} else if (h->verdict == FL_VERDICT_UNSUPPORTED) {
		st = DIFF_SKIP;
		skip_reason(h, "host", reason, sizeof(reason));
	} else {
		c = (struct comparison){ .m = m, .h = h, .rm = &rm, .rh = &rh };
		compare(&c);
		st = c.nd ? DIFF_DISAGREE : DIFF_AGREE;
	}
	o->counts[st]++;
	if (o->json)
		add_json(o, &c, file, st, reason[0] ? reason : NULL);
	else
		print_text(&c, file, st, reason);
	free(c.d);
	fl_run_free(m);
	fl_run_free(h);
	rec_free(&rm);
	rec_free(&rh);
	return st;
}

/*
 * Two runs of one case compared: 0 they agree, 1 they disagree, 2 a side
 * cannot run it (WHY gets the first difference or the reason).
 */
static int diff_runs(const struct fl_run *m, const struct fl_run *h,
		     const struct recorder *rm, const struct recorder *rh,
		     char *why, size_t len)
{
	struct comparison c = { 0 };
	int ret;

	if (m->verdict == FL_VERDICT_UNSUPPORTED) {
		skip_reason(m, "model", why, len);
		return 2;
	}
	if (h->verdict == FL_VERDICT_UNSUPPORTED) {
		skip_reason(h, "host", why, len);
		return 2;
	}
	c = (struct comparison){ .m = m, .h = h, .rm = rm, .rh = rh };
	compare(&c);
	if (c.nd)
		snprintf(why, len, "line %u: %s: model %s, host %s", c.d[0].line,
			 c.d[0].what, c.d[0].model, c.d[0].host);
	ret = c.nd ? 1 : 0;
	free(c.d);
	return ret;
}

/*
 * explore --diff's cases: each side's set-up (the statements before the
 * split) runs once and is gone back to per case, through the recorders
 * (runner/run.c, fl_prefix_case(); the host's restore is
 * backend/host_child_snap.c).  A side that cannot go back runs every
 * case whole, as it did before.
 */
struct diff_cases {
	struct recorder rm, rh;
	struct fl_prefix *pm, *ph;
};

uint64_t diff_cases_kept(const struct diff_cases *d, uint64_t *restarts, uint64_t *batched)
{
	*restarts = fl_prefix_restarts(d->ph);
	*batched = fl_prefix_batched(d->ph);
	return fl_prefix_restores(d->ph);
}

void diff_cases_close(struct diff_cases *d)
{
	if (!d)
		return;
	rec_next = &d->rh;      /* a prefix's backend closes through its recorder */
	fl_prefix_close(d->ph);
	rec_next = &d->rm;
	fl_prefix_close(d->pm);
	rec_free(&d->rm);
	rec_free(&d->rh);
	free(d);
}

int diff_cases_open(const struct fl_scenario *sc, struct diff_cases **out)
{
	struct diff_cases *d = calloc(1, sizeof(*d));
	unsigned split = fl_scenario_split(sc);
	int err;

	if (!d)
		return -ENOMEM;
	err = rec_init(&d->rm, sc, &fl_model_backend);
	if (!err)
		err = rec_init(&d->rh, sc, &fl_host_backend);
	rec_next = &d->rm;
	if (!err)
		err = fl_prefix_open(sc, &rec_ops, split, FL_RUN_NO_TRACE, NULL, &d->pm);
	rec_next = &d->rh;
	if (!err)
		err = fl_prefix_open(sc, &rec_ops, split, FL_RUN_NO_TRACE, NULL, &d->ph);
	if (err) {
		diff_cases_close(d);
		return err;
	}
	*out = d;
	return 0;
}

int diff_cases_run(struct diff_cases *d, const int64_t *vars, char *why, size_t len)
{
	const struct fl_run *m, *h;
	int err;

	rec_next = &d->rm;      /* a side that runs whole opens its backend per case */
	err = fl_prefix_case(d->pm, vars, NULL, &m);
	rec_next = &d->rh;
	if (!err)
		err = fl_prefix_case(d->ph, vars, NULL, &h);
	return err ? err : diff_runs(m, h, &d->rm, &d->rh, why, len);
}

int diff_cases_batch(struct diff_cases *d, const int64_t *const *vars, unsigned n)
{
	rec_next = &d->rh;
	return fl_prefix_batch(d->ph, vars, n);
}

bool diff_cases_batch_ready(struct diff_cases *d)
{
	rec_next = &d->rh;
	return fl_prefix_batch_ready(d->ph);
}

/* ---- options ---- */

enum { OPT_JSON = 0x100, OPT_KERNEL };

static const struct fl_opt diff_options[] = {
	{ "json", OPT_JSON, NULL, "one JSON document (docs/json.md)" },
	{ "backend", 'b', "host|vm:KERNEL",
	  "the judge: the running kernel (default) or a kernel under QEMU" },
	{ "kernel", OPT_KERNEL, "KERNEL",
	  "the same as --backend vm:KERNEL (a name from 'kernels list', or an image path)" },
	{ NULL, 0, NULL, NULL },
};

static int diff_set(void *ctx, int key, const char *arg)
{
	struct diff_opts *o = ctx;

	if (key == OPT_JSON)
		o->json = true;
	else if (key == OPT_KERNEL)
		return cli_judge_vm("diff", arg);
	else if (key == 'b' && !strncmp(arg, "vm:", 3) && arg[3])
		return cli_judge_vm("diff", arg + 3);
	else if (key == 'b' && strcmp(arg, "host")) {
		fl_cli_error("diff: --backend '%s': expected 'host' or 'vm:KERNEL'", arg);
		return FL_EXIT_USAGE;
	}
	return FL_EXIT_OK;
}

static const struct fl_cmd_spec diff_spec = {
	"diff", "[OPTIONS] FILE...",
	"Run scenarios ('-' is standard input) on the model and on a real kernel (the\n"
	"running one, or one under QEMU: --kernel); compare every observable, statement\n"
	"by statement.  With a kernel under QEMU the model follows it: `kernel host` is\n"
	"its version, the arch its arch.",
	diff_options, diff_set,
};

/* Nothing runs unless every file parses. */
static int parse_files(int n, char **files, struct fl_scenario **sc)
{
	struct fl_sc_diag diag;
	int i, err;

	for (i = 0; i < n; i++) {
		err = fl_cli_parse_file(files[i], &sc[i], &diag);
		if (err == -EINVAL)
			fl_cli_diag(diag.msg);
		else if (err)
			fl_cli_error("%s: %s", fl_cli_file_name(files[i]), strerror(-err));
		if (err)
			return err == -ENOMEM ? FL_EXIT_BUG : FL_EXIT_USAGE;
	}
	return FL_EXIT_OK;
}

static void print_summary(const struct diff_opts *o)
{
	const unsigned *c = o->counts;

	if (o->json) {
		json_t *doc = fl_json_doc("diff");

		json_object_set_new(doc, "scenarios", json_incref(o->arr));
		json_object_set_new(doc, "summary", fl_json_summary(c[DIFF_AGREE], c[DIFF_DISAGREE],
				    c[DIFF_SKIP], c[DIFF_ERROR]));
		fl_json_print(doc, false);
		return;
	}
	printf("\n%u agree, %u disagree, %u skipped%s\n", c[DIFF_AGREE], c[DIFF_DISAGREE],
	       c[DIFF_SKIP], c[DIFF_ERROR] ? ", errors (see above)" : "");
}

int cmd_diff(int argc, char **argv)
{
	struct diff_opts o = { 0 };
	struct fl_scenario **sc;
	int i, first, n, rc;

	rc = fl_cli_parse(&diff_spec, argc, argv, &o, &first);
	if (rc)
		return fl_cli_parsed(rc);
	if (first >= argc) {
		fl_cli_error("diff: no scenario file given; see 'faultline diff --help'");
		return FL_EXIT_USAGE;
	}
	n = argc - first;
	sc = calloc((size_t)n, sizeof(*sc));
	if (!sc)
		return FL_EXIT_BUG;
	rc = parse_files(n, argv + first, sc);
	if (rc == FL_EXIT_OK)
		rc = cli_judge_follow("diff");
	if (rc == FL_EXIT_OK) {
		o.arr = o.json ? json_array() : NULL;
		for (i = 0; i < n; i++)
			if (diff_one(&o, sc[i], fl_cli_file_name(argv[first + i])) == DIFF_ERROR &&
			    cli_judge_lost("diff", (unsigned)(n - i - 1)))
				break;
		print_summary(&o);
		json_decref(o.arr);
		rc = fl_cli_exit(o.counts[DIFF_AGREE],
				 o.counts[DIFF_DISAGREE] + o.counts[DIFF_ERROR],
				 o.counts[DIFF_SKIP]);
	}
	for (i = 0; i < n; i++)
		fl_scenario_free(sc[i]);
	free(sc);
	return rc;
}
