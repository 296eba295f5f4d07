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
 * Contexts are shared.  A handle name is scenario-global, as in the
 * model: the process that makes U (its mm is the context's, for ever)
 * sends the descriptor back with the reply, and the runner hands that
 * open file description to every other process (host.c), as a monitor
 * receives it over a unix socket.  Here each handle this process uses has
 * an entry: its own (made here: `own`, the guard polls it, its log is the
 * context's log) or a foreign one (adopted from the runner's descriptor
 * on first use, or inherited by fork: ioctls only, since the runner sends
 * the log's requests - uffd_read, uffd_serve, uffd_log, expect event - to
 * the maker while it lives).
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
 * The event log.  Every message read from a context - by the monitor, by
 * uffd_read, by the guard, or by `expect event` looking ahead - is
 * appended to the context's log in the order read.  `expect event` hands
 * out the log's entries in order, each once; uffd_read returns first the
 * entries read on its behalf (unread: the guard's and expect's reads),
 * then reads the file.  Reading ahead is the only way to see a queued
 * message on the host; it completes a non-cooperative event early (the
 * originating task stops waiting, mmap_changing drops) - the one place
 * the host's log differs from the model's (docs/host.md).  A FORK message
 * read here installs the child's new context here (resolve_userfault_fork):
 * its descriptor stays open in the logged message, and a copy goes to the
 * child (host_uffd_hand_forks()), whose own context it is.
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
 * message, the wait ends after FAULTLINE_HOST_BLOCK_MS (default 2000 ms),
 * below the statement timeout, and the statement is `blocked` too.
 * fork() runs guarded as well: with EVENT_FORK it waits in the kernel until
 * the FORK message is read, and the guard reads it ahead.  glibc holds
 * malloc's locks across that wait, so whatever reads the message must not
 * allocate: host_uffd_prefork() makes room in every log first.  A process
 * fork() made starts with foreign copies of its parent's entries and, as
 * its own, the contexts the fork made for its mm.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
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

#define UFFD_MAX 32             /* entries per scenario process */
#define NO_SLOT UINT32_MAX      /* an entry whose name was bound anew */
#define FIELD_UNTOUCHED INT64_MIN
#define PAGE 4096ull
/* Log entries kept free before a fork: one FORK message per context, and some. */
#define FORK_ROOM 4

struct uffd_ev {
	struct uffd_msg msg;
	bool handed_out;        /* to `expect event` */
	bool unread;            /* read ahead: uffd_read still owes it */
};

struct uffd_ctx {
	int fd;
	unsigned slot;          /* the handle's names[] index */
	bool own;               /* made here: the context's mm is ours */
	bool served;            /* a monitor thread owns this entry */
	struct uffd_ev *log;
	size_t n, cap;
	size_t fork_mark;       /* the log's length when the last fork() began */
	struct host_uffd_log *mlog;     /* the monitor's UFFDIO_COPYs, in order */
	size_t mlog_n, mlog_cap, mlog_seen;
	uint8_t page[PAGE];     /* what the monitor copies in */
};

static struct uffd_ctx *ctxs[UFFD_MAX];
static unsigned nctx;
/* This mm may hold registered ranges: a context was made here or in a fork ancestor. */
static bool mm_armed;
/* The monitor threads append to the logs. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
/* Held by a monitor thread while it takes one message (monitor_take). */
static pthread_mutex_t monitor_lock = PTHREAD_MUTEX_INITIALIZER;

static struct uffd_ctx *ctx_of(unsigned slot)
{
	unsigned i;

	for (i = 0; i < nctx; i++)
		if (ctxs[i]->slot == slot)
			return ctxs[i];
	return NULL;
}

bool host_uffd_guarded(void)
{
	return nctx > 0;
}

/*
 * UFFDIO_API done, by whichever process: until then poll() answers
 * EPOLLERR (userfaultfd_poll; the file is O_NONBLOCK, see uffd_new()).
 */
static bool ctx_ready(const struct uffd_ctx *c)
{
	struct pollfd p = { c->fd, POLLIN, 0 };

	return poll(&p, 1, 0) >= 0 && !(p.revents & (POLLERR | POLLNVAL));
}

static int ctx_add(unsigned slot, int fd, bool own, struct uffd_ctx **out)
{
	struct uffd_ctx *c;

	if (nctx == UFFD_MAX)
		return -EMFILE;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	*c = (struct uffd_ctx){ .fd = fd, .slot = slot, .own = own };
	ctxs[nctx++] = c;
	*out = c;
	return 0;
}

static void ctx_free_logs(struct uffd_ctx *c)
{
	free(c->log);
	free(c->mlog);
	c->log = NULL;
	c->mlog = NULL;
	c->n = c->cap = c->mlog_n = c->mlog_cap = c->mlog_seen = 0;
}

/* Close and free entry I (a foreign one: only a copy of the descriptor). */
static void ctx_drop(unsigned i)
{
	struct uffd_ctx *c = ctxs[i];

	ctxs[i] = ctxs[--nctx];
	close(c->fd);
	ctx_free_logs(c);
	free(c);
}

/*
 * The name is bound anew: its entry answers to it no more.  An own
 * context stays, nameless: the model keeps a context whose name went
 * elsewhere, with its registrations, and the guard goes on reading its
 * events; a served one stays with its monitor thread, which goes on
 * serving it.  A foreign entry is dropped.
 */
void host_uffd_forget(unsigned slot)
{
	unsigned i;

	for (i = 0; i < nctx && ctxs[i]->slot != slot; i++)
		;
	if (i == nctx)
		return;
	if (ctxs[i]->own || ctxs[i]->served)
		ctxs[i]->slot = NO_SLOT;
	else
		ctx_drop(i);
}

/*
 * The entry for SLOT: this process's, or a copy of the runner's
 * descriptor SHARED adopted as a foreign one (a copy: the runner may
 * replace SHARED, a monitor thread may outlive it).  0, -EBADF (no such
 * handle here), -errno.
 */
static int ctx_find(unsigned slot, int shared, struct uffd_ctx **out)
{
	int fd, err;

	*out = ctx_of(slot);
	if (*out)
		return 0;
	if (shared < 0)
		return -EBADF;
	fd = fcntl(shared, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	err = ctx_add(slot, fd, false, out);
	if (err)
		close(fd);
	return err;
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

/*
 * Before fork(): room in every log for the messages the fork raises, and
 * a mark where they begin.  The kernel holds fork() until each FORK
 * message is read, and glibc holds malloc's locks until fork() returns:
 * the guard or the monitor thread that reads it must append without
 * allocating.
 */
void host_uffd_prefork(void)
{
	unsigned i;

	/*
	 * A monitor thread may still log the copy that woke the last
	 * statement's access: let it finish, so that nothing allocates while
	 * fork() copies this process (AddressSanitizer's allocator takes no
	 * lock around fork(), glibc's malloc does).  A new message only comes
	 * with the fork itself, after the copy.
	 */
	pthread_mutex_lock(&monitor_lock);
	pthread_mutex_lock(&log_lock);
	for (i = 0; i < nctx; i++) {
		struct uffd_ctx *c = ctxs[i];
		struct uffd_ev *log = log_room(c->log, &c->cap, c->n + FORK_ROOM - 1,
					       sizeof(*log));

		if (log)
			c->log = log;
		c->fork_mark = c->n;
	}
	pthread_mutex_unlock(&log_lock);
	pthread_mutex_unlock(&monitor_lock);
}

/*
 * After fork() returned here, on the thread that guarded it: send the
 * child, on SOCK, the contexts the fork made for its mm (EVENT_FORK),
 * which reading the FORK messages installed here.  There they are its
 * own: its guard reads their events, so its faults are `blocked` at once
 * and its munmap, madvise, mremap or fork never waits.  This process
 * keeps its descriptors, in the logged messages.
 */
void host_uffd_hand_forks(int sock)
{
	int fds[UFFD_MAX];
	unsigned i, nfd = 0;
	size_t k;
	char one = 1;

	pthread_mutex_lock(&monitor_lock);      /* a monitor's read is logged */
	pthread_mutex_lock(&log_lock);
	for (i = 0; i < nctx; i++)
		for (k = ctxs[i]->fork_mark; k < ctxs[i]->n && nfd < UFFD_MAX; k++)
			if (ctxs[i]->log[k].msg.event == UFFD_EVENT_FORK)
				fds[nfd++] = (int)ctxs[i]->log[k].msg.arg.fork.ufd;
	pthread_mutex_unlock(&log_lock);
	pthread_mutex_unlock(&monitor_lock);
	for (i = 0; i < nfd; i++)
		host_send(sock, &one, 1, NULL, 0, NULL, 0, fds[i]);
}

/* In the new process: its contexts, from host_uffd_hand_forks() until EOF. */
void host_uffd_take_forks(int sock)
{
	struct uffd_ctx *c;
	char one;
	int fd;

	while (host_recv_hdr(sock, &one, 1, &fd) == 0)
		if (fd >= 0 && ctx_add(NO_SLOT, fd, true, &c))
			close(fd);
}

/*
 * In the process fork() made, on the one thread that came along: every
 * entry is a copy of the parent's, on the parent's mm, so foreign here;
 * no monitor thread came, and the logs stay the parent's.  The forked
 * contexts their FORK messages carry are the parent's to keep: these are
 * copies.  The locks may have been held by a thread that is not here.
 */
void host_uffd_forked(void)
{
	static const pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
	unsigned i = 0;
	size_t k;

	log_lock = fresh;
	monitor_lock = fresh;
	while (i < nctx) {
		struct uffd_ctx *c = ctxs[i];

		for (k = 0; k < c->n; k++)
			if (c->log[k].msg.event == UFFD_EVENT_FORK)
				close((int)c->log[k].msg.arg.fork.ufd);
		ctx_free_logs(c);
		c->own = c->served = false;
		if (c->slot == NO_SLOT)
			ctx_drop(i);
		else
			i++;
	}
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

/*
 * Read one message and act on it, all under monitor_lock: whoever takes
 * the lock next (uffd_log, the fork's hand-over) finds it logged and a
 * PAGEFAULT's copy made, although the task it concerns went on first
 * (the COPY wakes the faulting task, reading a FORK message lets fork()
 * return).  False when the context is gone.
 */
static bool monitor_take(struct uffd_ctx *c)
{
	struct uffd_msg msg;
	int err;

	pthread_mutex_lock(&monitor_lock);
	err = read_now(c, &msg);
	if (!err) {
		/* Non-cooperative events stay for uffd_read, as on the model. */
		log_append(c, &msg, msg.event != UFFD_EVENT_PAGEFAULT);
		if (msg.event == UFFD_EVENT_PAGEFAULT)
			monitor_resolve(c, &msg);
	}
	pthread_mutex_unlock(&monitor_lock);
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

static int uffd_serve(struct uffd_ctx *c, const uint8_t *data, size_t len)
{
	size_t i;
	int err;

	if (!ctx_ready(c))
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

/* ---- the requests ---- */

/*
 * userfaultfd(2) with FLAGS, or on EPERM /dev/userfaultfd (6.1+), which
 * gives the same to whoever may open it.  The descriptor, or -errno.
 */
static int uffd_open(int flags)
{
	int fd = (int)syscall(SYS_userfaultfd, flags);
	int dev;

	if (fd >= 0 || errno != EPERM)
		return fd >= 0 ? fd : -errno;
	dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -EPERM;
	fd = ioctl(dev, USERFAULTFD_IOC_NEW, flags);
	if (fd < 0)
		fd = -errno;
	close(dev);
	return fd;
}

/*
 * userfaultfd as=U: a context on this mm, U's own entry here.  *GIVE is
 * its descriptor, sent back with the reply for the runner to share.
 */
static int uffd_new(unsigned slot, uint64_t flags, int *give)
{
	struct uffd_ctx *c;
	int fd, err;

	/*
	 * Always O_NONBLOCK: poll() on a blocking userfaultfd is EPOLLERR
	 * ("poll never guarantees that read won't block"), and the monitor
	 * and the guard must poll.  A blocking context's read is emulated:
	 * uffd_read_req() reports the wait as `blocked`.
	 */
	fd = uffd_open((int)(flags | O_NONBLOCK));
	if (fd < 0)
		return fd;
	/* A second `userfaultfd as=U` rebinds U, as the model's handle does. */
	host_uffd_forget(slot);
	err = ctx_add(slot, fd, true, &c);
	if (err) {
		close(fd);
		return err;
	}
	mm_armed = true;
	*give = fd;
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
	/* The struct goes back: the runner reads the output fields. */
	*out = malloc(back + 1);
	if (*out) {
		memcpy(*out, data, back);
		rep->dlen = back;
	}
}

/* NONBLOCK: the context was made O_NONBLOCK in the scenario (the runner knows). */
static void uffd_read_req(struct uffd_ctx *c, bool nonblock, struct host_rep *rep,
			  uint8_t **out)
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
		else if (err == -EAGAIN && !ctx_ready(c))
			err = -EINVAL;  /* read(2) before UFFDIO_API */
	}
	if (err == -EAGAIN && !nonblock)
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

/* uffd_log: the monitor's next UFFDIO_COPY; -1/ENOMSG when there is no more. */
static void uffd_log_req(struct uffd_ctx *c, struct host_rep *rep, uint8_t **out)
{
	struct host_uffd_log e;
	bool found = false;

	pthread_mutex_lock(&log_lock);
	if (c->mlog_seen < c->mlog_n) {
		e = c->mlog[c->mlog_seen++];
		found = true;
	}
	pthread_mutex_unlock(&log_lock);
	rep->ret = found ? 0 : -1;
	rep->err = found ? 0 : ENOMSG;
	if (found && (*out = malloc(sizeof(e)))) {
		memcpy(*out, &e, sizeof(e));
		rep->dlen = sizeof(e);
	}
}

static void uffd_result(struct host_rep *rep, int err)
{
	rep->ret = err < 0 ? -1 : err;
	rep->err = err < 0 ? -err : 0;
}

void host_uffd_request(const struct host_req *rq, int shared, uint8_t *data,
		       struct host_rep *rep, uint8_t **out, int *give)
{
	struct uffd_ctx *c;
	int err;

	if (rq->op == HOST_OP_UFFD_NEW) {
		uffd_result(rep, uffd_new(rq->slot, rq->a[0], give));
		return;
	}
	err = ctx_find(rq->slot, shared, &c);
	if (err) {      /* a handle never made, or no room for it here */
		uffd_result(rep, err);
		if (rq->op == HOST_OP_UFFD_EVENT)
			rep->ret = err;
		return;
	}
	if (rq->op == HOST_OP_UFFD_IOCTL) {
		uffd_ioctl(c, rq, data, rep, out);
		return;
	}
	if (rq->op == HOST_OP_UFFD_SERVE) {
		uffd_result(rep, uffd_serve(c, data, rq->dlen));
		return;
	}
	/*
	 * The logs: a message a monitor thread has read is logged first
	 * (monitor_take), although the task it concerns went on at the read.
	 */
	pthread_mutex_lock(&monitor_lock);
	if (rq->op == HOST_OP_UFFD_READ)
		uffd_read_req(c, rq->a[0], rep, out);
	else if (rq->op == HOST_OP_UFFD_EVENT)
		uffd_event_req(c, rep, out);
	else if (rq->op == HOST_OP_UFFD_LOG)
		uffd_log_req(c, rep, out);
	else
		uffd_result(rep, -ENOSYS);
	pthread_mutex_unlock(&monitor_lock);
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
 * Poll the worker and the unserved contexts made here: only those can
 * hear of a wait in this mm (a foreign context's faults are in its
 * maker's mm, whose guard polls it).  True when a PAGEFAULT message says
 * somebody waits, or the wait passed block_ms().
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
			if (ctxs[i]->own && !ctxs[i]->served && ctx_ready(ctxs[i])) {
				who[n] = ctxs[i];
				p[n++] = (struct pollfd){ ctxs[i]->fd, POLLIN, 0 };
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

	if (!mm_armed)
		return false;   /* nothing of this mm is registered: it reads */
	if (mincore((void *)(uintptr_t)(addr & ~(PAGE - 1)), PAGE, &v))
		return false;   /* not mapped: the read fails, reads as zero */
	return !(v & 1);
}
