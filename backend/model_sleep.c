/*
 * backend/model_sleep.c - a system call named by as= runs on a thread of
 * its own, which sleeps in handle_userfault as the kernel's task does and
 * goes on from there once it is woken.
 *
 * The same thread sleeps wherever a call waits with state of its own
 * (fl_sys_set_park): pipe_write after it queued some bytes, a socket's
 * sender waiting for send-buffer room, a MSG_WAITALL read with bytes
 * taken.  Woken once the call's own rule says so (the pipe has room or
 * no reader; the socket's wake-up), it goes on.
 *
 * Why: a read(2), write(2), process_vm_readv or any call whose kernel copy
 * faults on a userfaultfd page waits in the middle of that copy; the
 * handler's UFFDIO_COPY lets the very access that faulted retry, and the
 * copy goes on from the byte it stopped at, with everything the call had
 * decided before (the file position it read, the pipe buffer it copies
 * from, the era's prefault rule) unchanged.  Running the call again for
 * "the rest" would not be that call: a pipe buffer half copied is not
 * consumed, a write chunk would start elsewhere.  So the model keeps the
 * call's own stack: it runs on a sleeper thread, and the uffd layer's park
 * hook (fl_uffd_set_park) blocks that thread where the task sleeps.
 *
 * Definitions
 *   sleeper  the thread of one named call, with the call's statement, a
 *            deep copy of its arguments and its observables.
 *   turn     who runs: the scenario's thread (MAIN) or the sleeper
 *            (SLEEPER).  Exactly one runs at any time; the other waits on
 *            the condition variable.  So the world is never touched by two
 *            threads at once, and every run of the sleeper starts and ends
 *            at a point the scenario's order fixes (the end of the
 *            statement that woke it): the model stays deterministic.
 *   kill     the sleeper must give up (its process exits, the world is
 *            restored or closed): its park returns -EINTR, the fault fails
 *            as a fatal signal makes it, and the call unwinds normally.
 *
 * Invariants
 *   1. While MAIN runs, the sleeper is parked (waiter set) or has ended.
 *   2. The park hook is set only while the sleeper runs.
 *   3. A sleeper is joined exactly once, after it ended.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/callers.h>
#include <faultline/uffd.h>

#include "backend/model_internal.h"

enum turn { TURN_MAIN, TURN_SLEEPER };

struct model_sleeper {
	struct model *m;
	const struct fl_sc_stmt *st;
	const struct fl_val *args;
	struct fl_process *proc;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum turn turn;
	bool ended, kill;
	struct fl_uffd_waiter *waiter;  /* parked: what it sleeps on, */
	fl_sys_woken_fn woken;          /* or the rule that wakes its call's wait */
	const void *obj;                /* ... on this object (a pipe, a socket pair) */
	unsigned obj_arg;
	struct fl_obs obs;              /* once ended: the call's */
	int rc;                         /* ... and what running it returned */
};

/* Hand the turn to the other side and wait until it comes back. */
static void pass_turn(struct model_sleeper *s, enum turn to)
{
	enum turn me = to == TURN_MAIN ? TURN_SLEEPER : TURN_MAIN;

	pthread_mutex_lock(&s->lock);
	s->turn = to;
	pthread_cond_broadcast(&s->cond);
	while (s->turn != me)
		pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
}

static int sleeper_park(void *arg, struct fl_uffd_waiter *wt);
static int sleeper_sys_park(void *arg, fl_sys_woken_fn woken, const void *obj,
			    unsigned obj_arg);

/* Both park hooks point at S while it runs (invariant 2). */
static void parks_set(struct model_sleeper *s, bool on)
{
	fl_uffd_set_park(s->m->w, on ? sleeper_park : NULL, on ? s : NULL);
	fl_sys_set_park(s->m->w, on ? sleeper_sys_park : NULL, on ? s : NULL);
}

/* The task sleeps until MAIN runs it again: 0, or -EINTR when killed. */
static int sleeper_sleep(struct model_sleeper *s)
{
	parks_set(s, false);                            /* invariant 2 */
	pass_turn(s, TURN_MAIN);
	if (s->kill)
		return -EINTR;
	parks_set(s, true);
	return 0;
}

/* fl_uffd_park_fn: the task sleeps until a wake or a kill. */
static int sleeper_park(void *arg, struct fl_uffd_waiter *wt)
{
	struct model_sleeper *s = arg;
	int err;

	s->waiter = wt;
	err = sleeper_sleep(s);
	s->waiter = NULL;
	return err;
}

/* fl_sys_park_fn: the call waits inside (room in a pipe or socket, bytes to read). */
static int sleeper_sys_park(void *arg, fl_sys_woken_fn woken, const void *obj,
			    unsigned obj_arg)
{
	struct model_sleeper *s = arg;
	int err;

	s->woken = woken;
	s->obj = obj;
	s->obj_arg = obj_arg;
	err = sleeper_sleep(s);
	s->woken = NULL;
	return err;
}

static void *sleeper_main(void *arg)
{
	struct model_sleeper *s = arg;

	pthread_mutex_lock(&s->lock);
	while (s->turn != TURN_SLEEPER)
		pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
	parks_set(s, true);
	s->rc = fl_model_exec_one(s->m, s->st, s->args, &s->obs);
	parks_set(s, false);
	pthread_mutex_lock(&s->lock);
	s->ended = true;
	s->turn = TURN_MAIN;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* Give S the turn in its own process, until it parks again or ends. */
static void sleeper_run(struct model_sleeper *s)
{
	struct fl_process *cur = fl_current(s->m->w);

	fl_set_current(s->m->w, s->proc);
	pass_turn(s, TURN_SLEEPER);
	if (cur)
		fl_set_current(s->m->w, cur);
	if (s->ended)
		pthread_join(s->thread, NULL);          /* invariant 3 */
}

int fl_model_sleeper_start(struct model *m, const struct fl_sc_stmt *st,
			   const struct fl_val *args, struct model_sleeper **out)
{
	struct model_sleeper *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->m = m;
	s->st = st;
	s->args = args;
	s->proc = fl_current(m->w);
	s->turn = TURN_MAIN;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	if (pthread_create(&s->thread, NULL, sleeper_main, s)) {
		pthread_cond_destroy(&s->cond);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return -EAGAIN;
	}
	sleeper_run(s);
	*out = s;
	return 0;
}

bool fl_model_sleeper_ended(const struct model_sleeper *s)
{
	return s->ended;
}

bool fl_model_sleeper_woken(const struct model_sleeper *s)
{
	if (s->ended)
		return false;
	return s->woken ? s->woken(s->obj, s->obj_arg) : fl_uffd_wait_woken(s->waiter);
}

/* It waits inside its call (fl_sys_park), not on a userfaultfd. */
bool fl_model_sleeper_in_call(const struct model_sleeper *s)
{
	return !s->ended && s->woken;
}

fl_addr_t fl_model_sleeper_addr(const struct model_sleeper *s)
{
	return s->ended || !s->waiter ? 0 : fl_uffd_wait_addr(s->waiter);
}

/* What running its statement returned, once ended (-EOPNOTSUPP: unsupported). */
int fl_model_sleeper_rc(const struct model_sleeper *s)
{
	return s->rc;
}

/* Its observables, once ended: the caller takes kbuf. */
struct fl_obs *fl_model_sleeper_obs(struct model_sleeper *s)
{
	return &s->obs;
}

void fl_model_sleeper_resume(struct model_sleeper *s)
{
	if (!s->ended)
		sleeper_run(s);
}

/*
 * Make S give up and end (a fatal signal: the fault fails and the call
 * unwinds), then free it.  What it did while unwinding is not reported.
 */
void fl_model_sleeper_free(struct model_sleeper *s)
{
	if (!s)
		return;
	while (!s->ended) {
		s->kill = true;
		sleeper_run(s);
	}
	free(s->obs.kbuf);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
