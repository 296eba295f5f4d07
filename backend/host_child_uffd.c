/*
 * backend/host_child_uffd.c - userfaultfd in a scenario process of the
 * host backend: the syscall, the ioctls, read(2), the monitor thread of
 * `uffd_serve`, the event log `expect event` reads, and the guard that
 * keeps an access waiting in handle_userfault from hanging the run.
 *
 * Conventions (those of backend/model_uffd.c, so `diff` compares like
 * with like):
 *   - userfaultfd answers 3 on success, whatever the real descriptor is:
 *     the number of a descriptor is not an observable the model predicts;
 *   - an ioctl's output field (copy, zeropage, mapped, updated, move;
 *     the ioctls mask of a register) is reported only when the kernel
 *     wrote it: it starts as INT64_MIN and a value still there means "not
 *     written";
 *   - uffd_read answers 32 (sizeof(struct uffd_msg)).
 *
 * The monitor.  `uffd_serve` starts a thread that reads every message and
 * resolves each PAGEFAULT with the policy of the model's built-in monitor
 * (uffd/userfaultfd.c): UFFDIO_COPY of its page, retried after reading
 * the pending events while it answers -EAGAIN (4 tries); a wake after
 * -EEXIST or -ENOENT; any other answer gives up and the task waits on.
 * Each COPY, with the ret and copy field it saw, goes to the context's
 * monitor log, which `uffd_log` hands out in order.  The thread holds
 * monitor_lock while it resolves a fault: the COPY wakes the task before
 * the entry is written, and a `uffd_log` sent right after must find it.
 *
 * The event log.  Every message read from a context - by the monitor, by
 * uffd_read, by the guard, or by `expect event` looking ahead - is
 * appended to the context's log in the order read.  `expect event` hands
 * out the log's entries in order, each once; uffd_read returns first the
 * entries read on its behalf (unread: the guard's and expect's reads),
 * then reads the file.  Reading ahead is the only way to see a queued
 * message on the host; it completes a non-cooperative event early (the
 * originating task stops waiting, mmap_changing drops) - the one place
 * the host's log differs from the model's (docs/host.md).
 *
 * The guard.  Once the process has a userfaultfd, an access may wait in
 * handle_userfault for a monitor that does not exist.  The access then
 * runs on a worker thread while this thread polls the worker's end and
 * every unserved context: a PAGEFAULT message appearing means somebody
 * waits on it, and nobody will wake them, so the statement is `blocked`
 * (the model's word).  A user-mode access is then interrupted (SIGUSR1:
 * a user fault returns to user mode on a pending signal, the handler
 * siglongjmp()s out); a kernel-mode one cannot be (only a fatal signal
 * ends a kernel-mode fault's retries), so its worker is left waiting with
 * its buffers, as the kernel leaves the task.  Without a message, the
 * wait ends after FAULTLINE_HOST_BLOCK_MS (default 2000 ms), below the
 * statement timeout, and the statement is `blocked` too.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "backend/host_internal.h"

#define UFFD_MAX 16             /* contexts per scenario process */
#define FIELD_UNTOUCHED INT64_MIN
#define PAGE 4096ull

struct uffd_ev {
	struct uffd_msg msg;
	bool handed_out;        /* to `expect event` */
	bool unread;            /* read ahead: uffd_read still owes it */
};

struct uffd_ctx {
	int fd;
	unsigned slot;          /* the handle's names[] index */
	bool nonblock, api_done, served;
	struct uffd_ev *log;
	size_t n, cap;
	struct host_uffd_log *mlog;     /* the monitor's UFFDIO_COPYs, in order */
	size_t mlog_n, mlog_cap, mlog_seen;
	uint8_t page[PAGE];     /* what the monitor copies in */
};

static struct uffd_ctx ctxs[UFFD_MAX];
static unsigned nctx;
/* The monitor threads append to the logs. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
/* Held by a monitor thread while it resolves one fault (monitor_main). */
static pthread_mutex_t monitor_lock = PTHREAD_MUTEX_INITIALIZER;

static struct uffd_ctx *ctx_of(unsigned slot)
{
	unsigned i;

	for (i = 0; i < nctx; i++)
		if (ctxs[i].slot == slot)
			return &ctxs[i];
	return NULL;
}

bool host_uffd_guarded(void)
{
	return nctx > 0;
}

/*
 * ARR (N elements of SIZE bytes, room for *CAP) with room for one more:
 * ARR itself, or a copy twice the size; NULL when memory ran out (the
 * entry is dropped).  Called with log_lock held.
 */
static void *log_room(void *arr, size_t *cap, size_t n, size_t size)
{
	size_t more = *cap ? 2 * *cap : 16;

	if (n < *cap)
		return arr;
	arr = realloc(arr, more * size);
	if (arr)
		*cap = more;
	return arr;
}

static void log_append(struct uffd_ctx *c, const struct uffd_msg *msg, bool unread)
{
	struct uffd_ev *log;

	pthread_mutex_lock(&log_lock);
	log = log_room(c->log, &c->cap, c->n, sizeof(*log));
	if (log) {
		c->log = log;
		c->log[c->n++] = (struct uffd_ev){ *msg, false, unread };
	}
	pthread_mutex_unlock(&log_lock);
}

/* One message if one is queued now: 0, -EAGAIN, or -errno. */
static int read_now(struct uffd_ctx *c, struct uffd_msg *msg)
{
	struct pollfd p = { c->fd, POLLIN, 0 };
	ssize_t k;

	if (poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN))
		return -EAGAIN;
	k = read(c->fd, msg, sizeof(*msg));     /* O_NONBLOCK: uffd_new() */
	if (k == (ssize_t)sizeof(*msg))
		return 0;
	return k < 0 ? -errno : -EIO;
}

/* ---- the monitor (uffd_serve) ---- */

/* Note a UFFDIO_COPY of the monitor, as it saw it, for `uffd_log`. */
static void mlog_append(struct uffd_ctx *c, uint64_t dst, int ret, int64_t copy)
{
	struct host_uffd_log *mlog;

	pthread_mutex_lock(&log_lock);
	mlog = log_room(c->mlog, &c->mlog_cap, c->mlog_n, sizeof(*mlog));
	if (mlog) {
		c->mlog = mlog;
		c->mlog[c->mlog_n++] = (struct host_uffd_log){ dst, copy, ret, 0 };
	}
	pthread_mutex_unlock(&log_lock);
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

	while (read_now(c, &msg) == 0) {
		log_append(c, &msg, false);
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

static void *monitor_main(void *arg)
{
	struct uffd_ctx *c = arg;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		struct pollfd p = { c->fd, POLLIN, 0 };
		struct uffd_msg msg;
		int err;

		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return NULL;
		if (p.revents & (POLLERR | POLLNVAL))
			return NULL;
		err = read_now(c, &msg);
		if (err == -EAGAIN || err == -EINTR)
			continue;
		if (err)
			return NULL;
		/* Non-cooperative events stay for uffd_read, as on the model. */
		log_append(c, &msg, msg.event != UFFD_EVENT_PAGEFAULT);
		if (msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		/*
		 * Held until the copy is logged: the COPY wakes the task before
		 * it returns here, and a `uffd_log` the runner sends next must
		 * find the entry (uffd_log_req() takes the lock).
		 */
		pthread_mutex_lock(&monitor_lock);
		monitor_resolve(c, &msg);
		pthread_mutex_unlock(&monitor_lock);
	}
}

static int uffd_serve(struct uffd_ctx *c, const uint8_t *data, size_t len)
{
	pthread_t t;
	size_t i;

	if (!c->api_done)
		return -EINVAL; /* the model's fl_uffd_serve: before UFFDIO_API */
	for (i = 0; i < PAGE; i++)
		c->page[i] = len ? data[i % len] : 0;
	if (c->served)
		return 0;       /* a second serve changes the page only */
	if (pthread_create(&t, NULL, monitor_main, c))
		return -EAGAIN;
	pthread_detach(t);
	c->served = true;
	return 0;
}

/* ---- the requests ---- */

static int uffd_new(unsigned slot, uint64_t flags)
{
	bool asked_nonblock = flags & O_NONBLOCK;
	struct uffd_ctx *c = ctx_of(slot);
	int fd;

	/*
	 * Always O_NONBLOCK: poll() on a blocking userfaultfd is EPOLLERR
	 * ("poll never guarantees that read won't block"), and the monitor
	 * and the guard must poll.  A blocking context's read is emulated:
	 * uffd_read_req() reports the wait as `blocked`.
	 */
	flags |= O_NONBLOCK;
	fd = (int)syscall(SYS_userfaultfd, (int)flags);

	/* 6.1+: /dev/userfaultfd gives the same to whoever may open it. */
	if (fd < 0 && errno == EPERM) {
		int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);

		if (dev >= 0) {
			fd = ioctl(dev, USERFAULTFD_IOC_NEW, (int)flags);
			close(dev);
		} else {
			errno = EPERM;
		}
	}
	if (fd < 0)
		return -errno;
	if (!c) {
		if (nctx == UFFD_MAX) {
			close(fd);
			return -EMFILE;
		}
		c = &ctxs[nctx++];
	}
	/* A second `userfaultfd as=U` rebinds U, as the model's handle does. */
	*c = (struct uffd_ctx){ .fd = fd, .slot = slot, .nonblock = asked_nonblock };
	return 3;
}

static int64_t *out_field(unsigned long req, void *arg)
{
	switch (req) {
	case UFFDIO_COPY:     return (int64_t *)&((struct uffdio_copy *)arg)->copy;
	case UFFDIO_ZEROPAGE: return (int64_t *)&((struct uffdio_zeropage *)arg)->zeropage;
	case UFFDIO_CONTINUE: return (int64_t *)&((struct uffdio_continue *)arg)->mapped;
	case HOST_UFFDIO_POISON: return &((struct host_uffdio_poison *)arg)->updated;
	case HOST_UFFDIO_MOVE: return &((struct host_uffdio_move *)arg)->move;
	default:              return NULL;
	}
}

static void uffd_ioctl(struct uffd_ctx *c, const struct host_req *rq, uint8_t *data,
		       struct host_rep *rep, uint8_t **out)
{
	unsigned long req = (unsigned long)rq->a[0];
	int64_t *field = rq->dlen >= _IOC_SIZE(req) ? out_field(req, data) : NULL;
	size_t back = rq->dlen;
	long ret;

	if (field)
		*field = FIELD_UNTOUCHED;
	/* uffd_copy without from=: the source came after the struct */
	if (req == UFFDIO_COPY && rq->a[1] && rq->dlen >= sizeof(struct uffdio_copy)) {
		((struct uffdio_copy *)data)->src =
			(uintptr_t)(data + sizeof(struct uffdio_copy));
		back = sizeof(struct uffdio_copy);
	}
	ret = ioctl(c->fd, req, data);
	rep->ret = ret < 0 ? -1 : ret;
	rep->err = ret < 0 ? errno : 0;
	if (req == UFFDIO_API && ret == 0)
		c->api_done = true;
	/* The struct goes back: the runner reads the output fields. */
	*out = malloc(back + 1);
	if (*out) {
		memcpy(*out, data, back);
		rep->dlen = back;
	}
}

static void uffd_read_req(struct uffd_ctx *c, struct host_rep *rep, uint8_t **out)
{
	struct uffd_msg msg;
	size_t i;
	int err = -EAGAIN;

	pthread_mutex_lock(&log_lock);
	for (i = 0; i < c->n; i++)
		if (c->log[i].unread)
			break;
	if (i < c->n) {
		c->log[i].unread = false;
		msg = c->log[i].msg;
		err = 0;
	}
	pthread_mutex_unlock(&log_lock);
	if (err) {
		err = read_now(c, &msg);
		if (!err)
			log_append(c, &msg, false);
		else if (err == -EAGAIN && !c->api_done)
			err = -EINVAL;  /* read(2) before UFFDIO_API */
	}
	if (err == -EAGAIN && !c->nonblock)
		/* Nothing queued and nobody else to queue it: the read would never return. */
		rep->blocked = 1;
	rep->ret = err ? -1 : (int64_t)sizeof(msg);
	rep->err = -err;
	if (!err && (*out = malloc(sizeof(msg)))) {
		memcpy(*out, &msg, sizeof(msg));
		rep->dlen = sizeof(msg);
	}
}

static void uffd_event_req(struct uffd_ctx *c, struct host_rep *rep, uint8_t **out)
{
	struct uffd_msg msg;
	size_t i;
	int err = -ENOENT;

	pthread_mutex_lock(&log_lock);
	for (i = 0; i < c->n && c->log[i].handed_out; i++)
		;
	if (i < c->n) {
		c->log[i].handed_out = true;
		msg = c->log[i].msg;
		err = 0;
	}
	pthread_mutex_unlock(&log_lock);
	/* "or nobody yet": a queued message is read ahead, owed to uffd_read. */
	if (err && !c->served && read_now(c, &msg) == 0) {
		log_append(c, &msg, true);
		pthread_mutex_lock(&log_lock);
		c->log[c->n - 1].handed_out = true;
		pthread_mutex_unlock(&log_lock);
		err = 0;
	}
	rep->ret = err;
	if (!err && (*out = malloc(sizeof(msg)))) {
		memcpy(*out, &msg, sizeof(msg));
		rep->dlen = sizeof(msg);
	}
}

/*
 * uffd_log: the monitor's next UFFDIO_COPY, once any fault it is
 * resolving now is logged; -1/ENOMSG when there is no more.
 */
static void uffd_log_req(struct uffd_ctx *c, struct host_rep *rep, uint8_t **out)
{
	struct host_uffd_log e;
	bool found = false;

	pthread_mutex_lock(&monitor_lock);
	pthread_mutex_lock(&log_lock);
	if (c->mlog_seen < c->mlog_n) {
		e = c->mlog[c->mlog_seen++];
		found = true;
	}
	pthread_mutex_unlock(&log_lock);
	pthread_mutex_unlock(&monitor_lock);
	rep->ret = found ? 0 : -1;
	rep->err = found ? 0 : ENOMSG;
	if (found && (*out = malloc(sizeof(e)))) {
		memcpy(*out, &e, sizeof(e));
		rep->dlen = sizeof(e);
	}
}

void host_uffd_request(const struct host_req *rq, uint8_t *data,
		       struct host_rep *rep, uint8_t **out)
{
	struct uffd_ctx *c = ctx_of(rq->slot);
	int err;

	if (rq->op == HOST_OP_UFFD_NEW) {
		err = uffd_new(rq->slot, rq->a[0]);
		rep->ret = err < 0 ? -1 : err;
		rep->err = err < 0 ? -err : 0;
		return;
	}
	if (!c) {       /* a handle this process never made */
		rep->ret = rq->op == HOST_OP_UFFD_EVENT ? -EBADF : -1;
		rep->err = EBADF;
		return;
	}
	switch (rq->op) {
	case HOST_OP_UFFD_IOCTL:
		uffd_ioctl(c, rq, data, rep, out);
		break;
	case HOST_OP_UFFD_READ:
		uffd_read_req(c, rep, out);
		break;
	case HOST_OP_UFFD_SERVE:
		err = uffd_serve(c, data, rq->dlen);
		rep->ret = err ? -1 : 0;
		rep->err = -err;
		break;
	case HOST_OP_UFFD_EVENT:
		uffd_event_req(c, rep, out);
		break;
	case HOST_OP_UFFD_LOG:
		uffd_log_req(c, rep, out);
		break;
	default:
		rep->ret = -1;
		rep->err = ENOSYS;
	}
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

/*
 * Poll the worker and the unserved contexts; true when a PAGEFAULT
 * message says somebody waits, or the wait passed block_ms().
 */
static bool job_watch(struct job *j)
{
	long deadline = now_ms() + block_ms();

	for (;;) {
		struct pollfd p[UFFD_MAX + 1] = { { j->efd, POLLIN, 0 } };
		struct uffd_ctx *who[UFFD_MAX + 1] = { NULL };
		unsigned n = 1, i;
		long left = deadline - now_ms();

		for (i = 0; i < nctx; i++)
			if (!ctxs[i].served && ctxs[i].api_done) {
				who[n] = &ctxs[i];
				p[n++] = (struct pollfd){ ctxs[i].fd, POLLIN, 0 };
			}
		if (left <= 0)
			return true;
		if (poll(p, n, (int)left) < 0 && errno != EINTR)
			return true;
		if (p[0].revents & POLLIN)
			return false;
		for (i = 1; i < n; i++) {
			struct uffd_msg msg;

			if (!(p[i].revents & POLLIN) || read_now(who[i], &msg))
				continue;
			log_append(who[i], &msg, true);
			if (msg.event == UFFD_EVENT_PAGEFAULT)
				return true;
			/* a non-cooperative event: its originator goes on now */
		}
	}
}

/*
 * Returns 0: FN ran to its end; 1: blocked, FN's worker interrupted and
 * ended; 2: blocked, the worker still waits (the caller must leave what
 * FN uses alone for ever).
 */
int host_uffd_run_guarded(host_work_fn fn, void *arg, bool user_mode)
{
	struct job *j = malloc(sizeof(*j));
	pthread_t t;
	int ret = 0;

	if (!j || (j->efd = eventfd(0, EFD_CLOEXEC)) < 0) {
		free(j);
		fn(arg);
		return 0;
	}
	j->fn = fn;
	j->arg = arg;
	if (pthread_create(&t, NULL, job_main, j)) {
		close(j->efd);
		free(j);
		fn(arg);
		return 0;
	}
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

bool host_uffd_page_absent(uint64_t addr)
{
	unsigned char v = 0;

	if (mincore((void *)(uintptr_t)(addr & ~(PAGE - 1)), PAGE, &v))
		return false;   /* not mapped: the read fails, reads as zero */
	return !(v & 1);
}
