/*
 * backend/host_child_guard.c - the two threads userfaultfd adds to a
 * scenario process of the host backend: the monitor of `uffd_serve`, and
 * the guard that keeps an access waiting in handle_userfault from
 * hanging the run.  The contexts and logs they use are
 * host_child_uffd.c's.
 *
 * The monitor.  `uffd_serve` starts a thread that reads every message and
 * resolves each PAGEFAULT with the policy of the model's built-in monitor
 * (uffd/userfaultfd.c): UFFDIO_COPY of its page, retried after reading
 * the pending events while it answers -EAGAIN (4 tries); a wake after
 * -EEXIST or -ENOENT; any other answer gives up and the task waits on.
 * Each COPY, with the ret and copy field it saw, goes to the context's
 * monitor log, which `uffd_log` hands out in order.  The thread holds
 * monitor_lock from the read of a message to its end: the COPY wakes the
 * task before the entry is written, and a `uffd_log` sent right after
 * must find it.
 *
 * The guard.  Once the process has a userfaultfd, an access may wait in
 * handle_userfault for a monitor that does not exist.  The access then
 * runs on a worker thread while this thread polls the worker's end and
 * every unserved context of its own: a PAGEFAULT message appearing means
 * somebody waits on it, and nobody will wake them, so the statement is
 * `blocked` (the model's word).  A user-mode access is then interrupted
 * (SIGUSR1: a user fault returns to user mode on a pending signal, the
 * handler siglongjmp()s out); a kernel-mode one cannot be (only a fatal
 * signal ends a kernel-mode fault's retries), so its worker is left
 * waiting with its buffers, as the kernel leaves the task.  Without a
 * message, the wait is `blocked` too once every scenario thread sleeps in
 * a wait only another one can end (host_child_quiet.c), or, where that
 * is not proved, after FAULTLINE_HOST_BLOCK_MS (default 2000 ms, below
 * the statement timeout).
 * fork() runs guarded as well: with EVENT_FORK it waits in the kernel until
 * the FORK message is read, and the guard reads it ahead.  glibc holds
 * malloc's locks across that wait, so whatever reads the message must not
 * allocate: host_uffd_prefork() makes room in every log first.  A process
 * fork() made starts with foreign copies of its parent's entries and, as
 * its own, the contexts the fork made for its mm.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "backend/host_child.h"

/* ---- the monitor (uffd_serve) ---- */

/* Note a UFFDIO_COPY of the monitor, as it saw it, for `uffd_log`. */
static void mlog_append(struct uffd_ctx *c, uint64_t dst, int ret, int64_t copy)
{
	struct host_uffd_log *mlog;

	pthread_mutex_lock(&fl_host_child_log_lock);
	mlog = fl_host_child_log_room(c->mlog, &c->mlog_cap, c->mlog_n, sizeof(*mlog));
	if (mlog) {
		c->mlog = mlog;
		c->mlog[c->mlog_n++] = (struct host_uffd_log){ dst, copy, ret, 0 };
	}
	pthread_mutex_unlock(&fl_host_child_log_lock);
}

/*
 * Read what is queued now, as the model's monitor does on -EAGAIN
 * (uffd_monitor_read_all): the non-cooperative events are taken (read
 * was the monitor's: uffd_read no longer owes them), which drops
 * mmap_changing.  A PAGEFAULT met here is another task's: wake it, so it
 * faults again and its message comes round to monitor_main().
 */
static void monitor_read_pending(struct uffd_ctx *c)
{
	struct uffd_msg msg;

	while (fl_host_child_read_now(c, &msg) == 0) {
		fl_host_child_log_append(c, &msg, false);
		if (msg.event == UFFD_EVENT_PAGEFAULT) {
			struct uffdio_range r = { msg.arg.pagefault.address & ~(PAGE - 1), PAGE };

			ioctl(c->fd, UFFDIO_WAKE, &r);
		}
	}
}

/*
 * The monitor's UFFDIO_COPY of one page, with the model's policy
 * (uffd/userfaultfd.c, uffd_monitor_copy): -EAGAIN (mmap_changing, or a
 * partial copy) read the pending events, then retry, 4 tries at most;
 * anything else ends it.  Every try is logged.  0 or -errno.
 */
static int monitor_copy(struct uffd_ctx *c, uint64_t page)
{
	int tries, ret = -EAGAIN;

	for (tries = 0; tries < 4 && ret == -EAGAIN; tries++) {
		struct uffdio_copy cp = { page, (uintptr_t)c->page, PAGE, 0, FIELD_UNTOUCHED };

		ret = ioctl(c->fd, UFFDIO_COPY, &cp) ? -errno : 0;
		mlog_append(c, page, ret, cp.copy);
		if (ret == -EAGAIN)
			monitor_read_pending(c);
	}
	return ret;
}

/*
 * Resolve one PAGEFAULT as the model's monitor does (uffd_monitor_resolve):
 * WP: write-protect off; MINOR: UFFDIO_CONTINUE; MISSING: monitor_copy().
 * A resolving ioctl wakes the task itself.  -EEXIST (the page is there)
 * and -ENOENT (4.11+: the range went away; the task faults again on what
 * is there now) need a UFFDIO_WAKE; any other failure gives up, and the
 * task waits on: the guard reports it `blocked`, as the model does.
 */
static void monitor_resolve(struct uffd_ctx *c, const struct uffd_msg *msg)
{
	uint64_t page = msg->arg.pagefault.address & ~(PAGE - 1);
	struct uffdio_range r = { page, PAGE };
	int err;

	if (msg->arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP) {
		struct uffdio_writeprotect wp = { r, 0 };

		/* the model's uffd_wp_resolve cannot fail: wake whatever happened */
		err = ioctl(c->fd, UFFDIO_WRITEPROTECT, &wp) ? -EEXIST : 0;
	} else if (msg->arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_MINOR) {
		struct uffdio_continue co = { r, 0, 0 };

		err = ioctl(c->fd, UFFDIO_CONTINUE, &co) ? -errno : 0;
	} else {
		err = monitor_copy(c, page);
	}
	if (err == -EEXIST || err == -ENOENT)
		ioctl(c->fd, UFFDIO_WAKE, &r);
}

/*
 * Read one message and act on it, all under fl_host_child_monitor_lock: whoever takes
 * the lock next (uffd_log, the fork's hand-over) finds it logged and a
 * PAGEFAULT's copy made, although the task it concerns went on first
 * (the COPY wakes the faulting task, reading a FORK message lets fork()
 * return).  False when the context is gone.
 */
static bool monitor_take(struct uffd_ctx *c)
{
	struct uffd_msg msg;
	int err;

	pthread_mutex_lock(&fl_host_child_monitor_lock);
	err = fl_host_child_read_now(c, &msg);
	if (!err) {
		/* Non-cooperative events stay for uffd_read, as on the model. */
		fl_host_child_log_append(c, &msg, msg.event != UFFD_EVENT_PAGEFAULT);
		if (msg.event == UFFD_EVENT_PAGEFAULT)
			monitor_resolve(c, &msg);
	}
	pthread_mutex_unlock(&fl_host_child_monitor_lock);
	return !err || err == -EAGAIN || err == -EINTR;
}

/* What uffd_serve() hands its monitor thread; UP is posted once it runs. */
struct monitor_start {
	struct uffd_ctx *c;
	sem_t up;
};

static void *monitor_main(void *arg)
{
	struct monitor_start *start = arg;
	struct uffd_ctx *c = start->c;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	sem_post(&start->up);   /* START is gone from here on */
	for (;;) {
		struct pollfd p = { c->fd, POLLIN, 0 };

		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return NULL;
		if (p.revents & (POLLERR | POLLNVAL))
			return NULL;
		if (!monitor_take(c))
			return NULL;
	}
}

/*
 * Start C's monitor thread and wait until it runs: a thread still being
 * set up may be inside the allocator (AddressSanitizer's takes no lock
 * around fork()), and a fork() then would hand the child a lock held
 * for ever.
 */
static int monitor_start(struct uffd_ctx *c)
{
	struct monitor_start start = { .c = c };
	pthread_t t;
	int err;

	if (sem_init(&start.up, 0, 0))
		return -errno;
	err = -pthread_create(&t, NULL, monitor_main, &start);
	if (!err) {
		pthread_detach(t);
		while (sem_wait(&start.up) && errno == EINTR)
			;
	}
	sem_destroy(&start.up);
	return err;
}

int fl_host_child_serve(struct uffd_ctx *c, const uint8_t *data, size_t len)
{
	size_t i;
	int err;

	if (!fl_host_child_ctx_ready(c))
		return -EINVAL; /* the model's fl_uffd_serve: before UFFDIO_API */
	for (i = 0; i < PAGE; i++)
		c->page[i] = len ? data[i % len] : 0;
	if (c->served)
		return 0;       /* a second serve changes the page only */
	err = monitor_start(c);
	if (err)
		return -EAGAIN;
	c->served = true;
	return 0;
}


/* ---- the guard ---- */

struct job {
	host_work_fn fn;
	void *arg;
	int efd;                /* written when fn returns */
};

static void *job_main(void *a)
{
	struct job *j = a;
	uint64_t one = 1;

	j->fn(j->arg);
	if (write(j->efd, &one, sizeof(one)) < 0)
		return NULL;
	return NULL;
}

static int block_ms(void)
{
	const char *t = getenv("FAULTLINE_HOST_BLOCK_MS");
	long v = t ? strtol(t, NULL, 10) : 0;

	return v > 0 && v < 3600000 ? (int)v : 2000;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Wait up to MS for the worker's end; true if it ended. */
static bool job_wait(struct job *j, int ms)
{
	struct pollfd p = { j->efd, POLLIN, 0 };

	while (poll(&p, 1, ms) < 0 && errno == EINTR)
		;
	return p.revents & POLLIN;
}

/* The longest pause between two looks at whether the scenario settled. */
#define SETTLE_STEP_MAX_MS 64

/*
 * Poll the worker and the unserved contexts made here: only those can
 * hear of a wait in this mm (a foreign context's faults are in its
 * maker's mm, whose guard polls it).  True when a PAGEFAULT message says
 * somebody waits, the scenario has settled with the worker still in its
 * call (fl_host_child_scenario_settled(): nobody can end its wait before
 * the next statement), or the wait passed block_ms(), the bound where
 * settling is not proved (a TCP wait, a kernel without an exact wchan).
 * Settled, the worker's end and the contexts get one more look, so a
 * message already queued is logged as a wait seen by poll() would be.
 */
static bool job_watch(struct job *j)
{
	long deadline = now_ms() + block_ms();
	int step = 1;
	bool settled = false;

	for (;;) {
		struct pollfd p[UFFD_MAX + 1] = { { j->efd, POLLIN, 0 } };
		struct uffd_ctx *who[UFFD_MAX + 1] = { NULL };
		unsigned n = 1, i;
		long left = settled ? 0 : deadline - now_ms();
		int got;

		for (i = 0; i < fl_host_child_nctx; i++) {
			struct uffd_ctx *c = fl_host_child_ctxs[i];

			if (c->own && !c->served && fl_host_child_ctx_ready(c)) {
				who[n] = c;
				p[n++] = (struct pollfd){ c->fd, POLLIN, 0 };
			}
		}
		if (left <= 0 && !settled)
			return true;
		got = poll(p, n, (int)(left < step ? left : step));
		if (got < 0 && errno != EINTR)
			return true;
		if (p[0].revents & POLLIN)
			return false;
		for (i = 1; i < n; i++) {
			struct uffd_msg msg;

			if (!(p[i].revents & POLLIN) || fl_host_child_read_now(who[i], &msg))
				continue;
			fl_host_child_log_append(who[i], &msg, true);
			if (msg.event == UFFD_EVENT_PAGEFAULT)
				return true;
			/* a non-cooperative event: its originator goes on now */
			settled = false;
			got = -1;
		}
		if (settled)
			return true;
		if (got == 0 && left > step)
			settled = fl_host_child_scenario_settled();
		if (step < SETTLE_STEP_MAX_MS)
			step *= 2;
	}
}

/*
 * FN(ARG) on a new worker thread *T, or, when none can be made, here and
 * now (NULL: it has run to its end).
 */
static struct job *job_start(host_work_fn fn, void *arg, pthread_t *t)
{
	struct job *j = malloc(sizeof(*j));

	if (!j || (j->efd = eventfd(0, EFD_CLOEXEC)) < 0)
		goto out_inline;
	j->fn = fn;
	j->arg = arg;
	if (!pthread_create(t, NULL, job_main, j))
		return j;
	close(j->efd);
out_inline:
	free(j);
	fn(arg);
	return NULL;
}

/*
 * A task (`store ... as=A`): FN runs on a worker the guard watches as
 * above, but a blocked worker is never interrupted, whatever mode it
 * waits in: it is left waiting, to be woken by a later statement (a
 * UFFDIO_COPY, a reader draining a pipe), and *JOB is kept for
 * fl_host_child_job_rewait().  0: FN ran to its end (*JOB NULL); 2: it
 * waits, and what FN uses belongs to the worker until rewait says it
 * ended.
 */
int fl_host_child_run_kept(host_work_fn fn, void *arg, void **job)
{
	pthread_t t;
	struct job *j = job_start(fn, arg, &t);

	*job = NULL;
	if (!j)
		return 0;
	pthread_detach(t);
	if (job_watch(j)) {
		*job = j;
		return 2;
	}
	close(j->efd);
	free(j);
	return 0;
}

/*
 * Watch a kept worker again (`wait A`): 0 when FN has ended (JOB is
 * freed), 2 when it still waits - a PAGEFAULT message says it faulted
 * again, or nothing happened within FAULTLINE_HOST_BLOCK_MS.
 */
int fl_host_child_job_rewait(void *job)
{
	struct job *j = job;

	if (job_watch(j))
		return 2;
	/* its last touch of J was the write that made efd readable */
	close(j->efd);
	free(j);
	return 0;
}

/*
 * Returns 0: FN ran to its end; 1: blocked, FN's worker interrupted and
 * ended; 2: blocked, the worker still waits (the caller must leave what
 * FN uses alone for ever).
 */
int fl_host_child_run_guarded(host_work_fn fn, void *arg, bool user_mode)
{
	pthread_t t;
	struct job *j = job_start(fn, arg, &t);
	int ret = 0;

	if (!j)
		return 0;
	if (job_watch(j)) {
		ret = 2;
		/*
		 * A user-mode fault returns to user mode when a signal is
		 * pending: the handler leaves user_access().  A kernel-mode
		 * fault retries until a fatal one: no use signalling it.
		 */
		if (user_mode) {
			pthread_kill(t, SIGUSR1);
			if (job_wait(j, block_ms()))
				ret = 1;
		}
	}
	if (ret == 2) {
		pthread_detach(t);      /* J stays: the worker writes its efd */
		return 2;
	}
	pthread_join(t, NULL);
	close(j->efd);
	free(j);
	return ret;
}

