/*
 * backend/model_wait.c - accesses that wait and resume: `store`, `load`
 * and every `call` of a system call with as=TASK, and `wait TASK`.
 *
 * Why: a fault handler answers after the fault.  LTP's userfaultfd01..07
 * and the selftests' move, poison and minor tests fault, then the
 * handler's ioctl resolves the page, and only then does the access
 * complete (or get SIGBUS); a vmsplice into a full pipe waits until a
 * reader drains it.  The model has no threads: a statement that ended
 * `blocked` is parked here under its name, and retried where the kernel
 * would run the woken task (docs/uffd.md, "A blocked access that
 * resumes").
 *
 * Definitions
 *   task     a named access: its statement, its arguments (a deep copy),
 *            its process, the observables it has so far, and what it
 *            waits on - a kept userfaultfd wait (uffd/wait.c) or, for a
 *            vmsplice that found the pipe full, the pipe.
 *   resume   at the end of every later statement (not one run from a
 *            hook), each waiting task whose wait was woken (a uffd wait)
 *            or that may find room now (a pipe) runs again in its own
 *            process: a store or load from the byte it stopped at; a
 *            call from inside handle_userfault, where its sleeper thread
 *            sleeps (model_sleep.c), or, when it waited before taking
 *            anything (room in a full pipe, pipe->mutex), on a new
 *            sleeper from the start.  It may end, or wait
 *            again (a wake without the page faults again: a new PAGEFAULT
 *            event).
 *   wait     `wait TASK` reports the task as it stands: its final
 *            observables once it ended (moved counts every byte of the
 *            access, both runs), else outcome `blocked`.
 *
 * Invariants
 *   1. A task waits on a uffd waiter, or (waiter NULL) on its pipe, or is
 *      a sleeper's (sl set: the sleeper holds the waiter); a task that
 *      has ended holds no waiter and no sleeper.
 *   2. Tasks live outside the world: a snapshot is refused while one
 *      exists (-EBUSY), and a restore drops them all.
 *   3. A name bound again while its call still sleeps leaves that call
 *      sleeping, unnamed, on m->orphans (the host's worker goes on
 *      waiting too); it resumes as any task and is freed once it ended.
 *      An unnamed call that waits starts there (fl_model_task_sleeps):
 *      only a store or load without a name is given up when it blocks.
 */
#include <stdlib.h>
#include <string.h>

#include <faultline/uffd.h>

#include "backend/model_internal.h"

struct model_task {
	const struct fl_sc_stmt *st;
	struct fl_val *args;            /* st->nargs + st->nkeys, DATA copied */
	unsigned nargs;
	struct fl_process *proc;
	bool waiting;
	struct fl_uffd_waiter *waiter;  /* NULL while waiting: on the pipe */
	struct model_sleeper *sl;       /* a call that sleeps in the kernel */
	struct model_task *next;        /* on m->orphans */
	struct fl_obs obs;              /* kbuf always NULL: */
	uint8_t *kbuf;                  /* the ended call's kernel buffer, a copy */
	int rc;                         /* its first run ended at once: what it returned */
};

static void task_free(struct model *m, struct model_task *t)
{
	unsigned i;

	if (!t)
		return;
	if (t->waiter)
		fl_uffd_wait_drop(m->w, t->waiter);
	fl_model_sleeper_free(t->sl);
	free(t->kbuf);
	for (i = 0; i < t->nargs; i++)
		free((void *)t->args[i].bytes);
	free(t->args);
	free(t);
}

void fl_model_tasks_free(struct model *m)
{
	unsigned i;

	for (i = 0; m->task && i <= m->b->sc->nnames; i++) {
		task_free(m, m->task[i]);
		m->task[i] = NULL;
	}
	free(m->task);
	m->task = NULL;
	while (m->orphans) {
		struct model_task *t = m->orphans;

		m->orphans = t->next;
		task_free(m, t);
	}
}

bool fl_model_tasks_any(const struct model *m)
{
	unsigned i;

	for (i = 0; m->task && i <= m->b->sc->nnames; i++)
		if (m->task[i])
			return true;
	return m->orphans != NULL;
}

/* Invariant 3: bind NAME to T. */
static void task_replace(struct model *m, unsigned name, struct model_task *t)
{
	struct model_task *old = m->task[name];

	if (old && old->st->verb == FL_SC_CALL && old->waiting) {
		old->next = m->orphans;
		m->orphans = old;
	} else {
		task_free(m, old);
	}
	m->task[name] = t;
}

static int args_copy(struct model_task *t, const struct fl_val *args, unsigned n)
{
	unsigned i;

	t->args = calloc(n + 1, sizeof(*t->args));
	if (!t->args)
		return -ENOMEM;
	t->nargs = n;
	for (i = 0; i < n; i++) {
		uint8_t *b;

		t->args[i] = args[i];
		t->args[i].bytes = NULL;
		if (!args[i].bytes)
			continue;
		b = malloc(args[i].len + 1);
		if (!b)
			return -ENOMEM;
		memcpy(b, args[i].bytes, args[i].len);
		t->args[i].bytes = b;
	}
	return 0;
}

/* A task for ST in the current process, its arguments copied; NULL and *ERR. */
static struct model_task *task_new(struct model *m, const struct fl_sc_stmt *st,
				   const struct fl_val *args, int *err)
{
	struct model_task *t;
	int e = -ENOMEM;

	if (!m->task && !(m->task = calloc(m->b->sc->nnames + 1, sizeof(*m->task))))
		goto out;
	t = calloc(1, sizeof(*t));
	if (!t)
		goto out;
	t->st = st;
	t->proc = fl_current(m->w);
	e = args_copy(t, args, st->nargs + st->nkeys);
	if (!e)
		return t;
	task_free(m, t);
out:
	if (err)
		*err = e;
	return NULL;
}

/* What the task waits on now that its last run ended `blocked`. */
static int task_wait_on(struct model *m, struct model_task *t)
{
	t->waiting = t->obs.outcome == FL_OUTCOME_BLOCKED;
	if (!t->waiting || !m->uffd_blocked)
		return 0;               /* ended, or a pipe: retried each statement */
	return fl_uffd_wait_keep(m->w, &t->waiter);
}

int fl_model_task_park(struct model *m, const struct fl_sc_stmt *st,
		       const struct fl_val *args, const struct fl_obs *obs)
{
	const struct fl_val *as = fl_backend_key(st, args, "as");
	struct model_task *t;
	int err;

	/* a named call is a sleeper's (fl_model_task_start) */
	if (!as || st->verb == FL_SC_MREMAP || st->verb == FL_SC_CALL)
		return 0;
	t = task_new(m, st, args, &err);
	if (t) {
		t->obs = *obs;
		t->obs.kbuf = NULL;
		err = task_wait_on(m, t);
	}
	if (err) {
		task_free(m, t);
		return fl_backend_setup_failed((struct fl_obs *)obs, m->w, "as=", err);
	}
	task_replace(m, (unsigned)as->u, t);
	return 0;
}

/*
 * A call named by its NEWTASK key (as=, task= of GUP: scenario/schema.c),
 * or one that could be and may wait here: an unnamed call that waits is
 * not finished either (the kernel retries a kernel-mode fault until a
 * fatal signal, and a pipe wait ends when the pipe changes), so it goes
 * on when woken as a named one does, with nobody to `wait` for it.
 */
bool fl_model_task_sleeps(const struct model *m, const struct fl_sc_stmt *st,
			  const struct fl_val *args)
{
	if (st->verb != FL_SC_CALL)
		return false;
	return fl_backend_task_key(st, args) || (m->may_wait && fl_sc_stmt_nameable(st));
}

/* The blocked answer of a call that sleeps in handle_userfault: it has not returned. */
static void sleeping_obs(struct model *m, struct model_task *t, struct fl_obs *obs)
{
	memset(obs, 0, sizeof(*obs));
	obs->outcome = FL_OUTCOME_BLOCKED;
	if (fl_model_sleeper_in_call(t->sl))
		fl_model_summary(m, obs, "blocked: waits inside the call (room to write, bytes to read)");
	else
		fl_model_summary(m, obs, "blocked: sleeps on a userfaultfd at 0x%llx until a wake",
				 (unsigned long long)fl_model_sleeper_addr(t->sl));
}

/* T's sleeper ended: its observables are the call's (kbuf to KBUF or freed). */
static void sleeper_done(struct model_task *t, struct fl_obs *obs)
{
	struct fl_obs *so = fl_model_sleeper_obs(t->sl);

	*obs = *so;
	so->kbuf = NULL;
	t->obs = *obs;
	t->obs.kbuf = NULL;
	/* copy_from_user & co: `expect kbuf` after `wait` reads this copy */
	free(t->kbuf);
	t->kbuf = obs->kbuf ? malloc(obs->kbuf_len + 1) : NULL;
	if (t->kbuf)
		memcpy(t->kbuf, obs->kbuf, obs->kbuf_len);
	/*
	 * Ended `blocked`: it waits for something before it takes anything
	 * (room in a full pipe, a writer, pipe->mutex), so it is run again
	 * from the start after every statement.
	 */
	t->waiting = obs->outcome == FL_OUTCOME_BLOCKED;
	fl_model_sleeper_free(t->sl);
	t->sl = NULL;
}

/* Run T's call on a new sleeper in T's process; OBS: what it shows now. */
static int task_launch(struct model *m, struct model_task *t, struct fl_obs *obs)
{
	struct fl_process *cur = fl_current(m->w);
	int err;

	fl_set_current(m->w, t->proc);
	err = fl_model_sleeper_start(m, t->st, t->args, &t->sl);
	if (cur)
		fl_set_current(m->w, cur);
	if (err)
		return err;
	if (fl_model_sleeper_ended(t->sl)) {
		t->rc = fl_model_sleeper_rc(t->sl);
		sleeper_done(t, obs);
		return 0;
	}
	t->waiting = true;
	sleeping_obs(m, t, obs);
	t->obs = *obs;
	return 0;
}

int fl_model_task_start(struct model *m, const struct fl_sc_stmt *st,
			const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *as = fl_backend_task_key(st, args);
	struct model_task *t = task_new(m, st, args, NULL);
	int err = t ? task_launch(m, t, obs) : -ENOMEM;

	if (err) {
		task_free(m, t);
		return fl_backend_setup_failed(obs, m->w, "as=", err);
	}
	if (t->rc) {            /* it ended refused (unsupported) or in error */
		err = t->rc;
		task_free(m, t);
		return err;
	}
	if (as) {
		task_replace(m, (unsigned)as->u, t);
	} else if (t->waiting) {
		t->next = m->orphans;   /* unnamed: goes on when woken, unreported */
		m->orphans = t;
	} else {
		task_free(m, t);
	}
	return 0;
}

/* T's process exits: a sleeping call dies with it (`wait` keeps saying blocked). */
static void task_exit(struct model_task *t, const struct fl_process *p)
{
	if (!t || t->st->verb != FL_SC_CALL || t->proc != p)
		return;
	fl_model_sleeper_free(t->sl);
	t->sl = NULL;
	t->waiting = false;
}

void fl_model_tasks_exit(struct model *m, const struct fl_process *p)
{
	struct model_task *t;
	unsigned i;

	for (i = 0; m->task && i <= m->b->sc->nnames; i++)
		task_exit(m->task[i], p);
	for (t = m->orphans; t; t = t->next)
		task_exit(t, p);
}

/* The rest of a store or load: from the byte it stopped at. */
static void task_rest(const struct model_task *t, struct fl_val *args)
{
	size_t done = t->obs.moved;

	memcpy(args, t->args, t->nargs * sizeof(*args));
	if (t->st->verb == FL_SC_STORE) {
		args[0].u += done;
		args[t->st->nargs - 1].bytes += done;
		args[t->st->nargs - 1].len -= done;
	} else if (t->st->verb == FL_SC_LOAD) {
		args[0].u += done;
		args[1].u -= done;
	}
}

/* Run T again in its process; false if it could not (its process is gone). */
static bool task_run(struct model *m, struct model_task *t)
{
	struct fl_process *cur = fl_current(m->w);
	struct fl_val args[16];
	struct fl_obs o;
	size_t before = t->obs.moved;

	if (t->nargs > 16 || !t->proc || t->proc->exited)
		return false;
	task_rest(t, args);
	memset(&o, 0, sizeof(o));
	fl_set_current(m->w, t->proc);
	m->uffd_blocked = false;
	fl_model_exec_one(m, t->st, args, &o);
	if (cur)
		fl_set_current(m->w, cur);
	free(o.kbuf);
	o.kbuf = NULL;
	if (t->st->verb == FL_SC_STORE || t->st->verb == FL_SC_LOAD)
		o.moved += before;
	t->obs = o;
	return true;
}

/* A named call: woken in the kernel, or waiting to start (a pipe): it runs on. */
static void task_resume_call(struct model *m, struct model_task *t)
{
	struct fl_obs o = { 0 };

	if (!t->waiting || (t->sl && !fl_model_sleeper_woken(t->sl)))
		return;
	fl_trace(m->w, "resume line %u", t->st->line);
	if (!t->sl) {
		if (task_launch(m, t, &o))
			t->waiting = false;     /* no thread: never runs again */
		free(o.kbuf);
		return;
	}
	fl_model_sleeper_resume(t->sl);
	if (!fl_model_sleeper_ended(t->sl))
		return;         /* woken without its page: sleeps again */
	sleeper_done(t, &o);
	free(o.kbuf);
}

/* The orphans woken run on; those that ended go. */
static void orphans_resume(struct model *m)
{
	struct model_task **link = &m->orphans;

	while (*link) {
		struct model_task *t = *link;

		task_resume_call(m, t);
		if (t->waiting) {
			link = &t->next;
			continue;
		}
		*link = t->next;
		task_free(m, t);
	}
}

void fl_model_tasks_resume(struct model *m)
{
	unsigned i;

	orphans_resume(m);
	for (i = 0; m->task && i <= m->b->sc->nnames; i++) {
		struct model_task *t = m->task[i];

		if (t && t->st->verb == FL_SC_CALL) {
			task_resume_call(m, t);
			continue;
		}
		if (!t || !t->waiting || (t->waiter && !fl_uffd_wait_woken(t->waiter)))
			continue;
		if (t->waiter) {
			fl_uffd_wait_drop(m->w, t->waiter);
			t->waiter = NULL;
		}
		fl_trace(m->w, "resume line %u (%s)", t->st->line,
			 fl_backend_name(m->b, i));
		if (!task_run(m, t)) {
			t->waiting = false;     /* died with its process: stays blocked */
			continue;
		}
		if (task_wait_on(m, t))
			t->waiting = false;     /* no room to keep the wait: never woken */
	}
}

int fl_model_wait(struct model *m, const struct fl_val *args, struct fl_obs *obs)
{
	struct model_task *t = m->task ? m->task[args[0].u] : NULL;

	if (!t)
		return fl_backend_setup_failed(obs, m->w, "wait: the access never ran",
					       -ENOENT);
	*obs = t->obs;
	obs->kbuf = NULL;
	if (t->kbuf && (obs->kbuf = malloc(t->obs.kbuf_len + 1)))
		memcpy(obs->kbuf, t->kbuf, t->obs.kbuf_len);
	if (t->waiting)
		obs->outcome = FL_OUTCOME_BLOCKED;
	fl_model_summary(m, obs, "%s line %u: %s", fl_backend_name(m->b, (unsigned)args[0].u),
			 t->st->line, t->waiting ? "still waits" : t->obs.summary);
	return 0;
}
