/*
 * backend/host_child_uffd.c - userfaultfd in a scenario process of the
 * host backend: the syscall, the ioctls, read(2), the contexts this
 * process knows and the event log `expect event` reads.
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
 * The monitor thread of `uffd_serve` and the guard are in
 * host_child_guard.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "backend/host_child.h"

struct uffd_ctx *fl_host_child_ctxs[UFFD_MAX];
unsigned fl_host_child_nctx;
/* This mm may hold registered ranges: a context was made here or in a fork ancestor. */
static bool mm_armed;
pthread_mutex_t fl_host_child_log_lock = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t fl_host_child_monitor_lock = PTHREAD_MUTEX_INITIALIZER;

static struct uffd_ctx *ctx_of(unsigned slot)
{
	unsigned i;

	for (i = 0; i < fl_host_child_nctx; i++)
		if (fl_host_child_ctxs[i]->slot == slot)
			return fl_host_child_ctxs[i];
	return NULL;
}

bool fl_host_child_uffd_guarded(void)
{
	return fl_host_child_nctx > 0;
}

/*
 * UFFDIO_API done, by whichever process: until then poll() answers
 * EPOLLERR (userfaultfd_poll; the file is O_NONBLOCK, see uffd_new()).
 */
bool fl_host_child_ctx_ready(const struct uffd_ctx *c)
{
	struct pollfd p = { c->fd, POLLIN, 0 };

	return poll(&p, 1, 0) >= 0 && !(p.revents & (POLLERR | POLLNVAL));
}

static int ctx_add(unsigned slot, int fd, bool own, struct uffd_ctx **out)
{
	struct uffd_ctx *c;

	if (fl_host_child_nctx == UFFD_MAX)
		return -EMFILE;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	*c = (struct uffd_ctx){ .fd = fd, .slot = slot, .own = own };
	fl_host_child_ctxs[fl_host_child_nctx++] = c;
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
	struct uffd_ctx *c = fl_host_child_ctxs[i];

	fl_host_child_ctxs[i] = fl_host_child_ctxs[--fl_host_child_nctx];
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
void fl_host_child_uffd_forget(unsigned slot)
{
	unsigned i;

	for (i = 0; i < fl_host_child_nctx && fl_host_child_ctxs[i]->slot != slot; i++)
		;
	if (i == fl_host_child_nctx)
		return;
	if (fl_host_child_ctxs[i]->own || fl_host_child_ctxs[i]->served)
		fl_host_child_ctxs[i]->slot = NO_SLOT;
	else
		ctx_drop(i);
}

/*
 * The entry for SLOT: this process's, or a copy of the runner's
 * descriptor SHARED adopted as a foreign one (a copy: the runner may
 * replace SHARED, a monitor thread may outlive it).  0, -EBADF (no such
 * handle here), -errno.
 */
/*
 * A context a fork made for this mm, unnamed so far, that is the open file
 * SHARED (kcmp KCMP_FILE): `uffd_read U as=C` named it C, and this is the
 * entry its own guard logs to, so C's reads and events must be its.
 */
static struct uffd_ctx *ctx_forked_as(int shared)
{
	pid_t me = getpid();
	unsigned i;

	for (i = 0; i < fl_host_child_nctx; i++) {
		struct uffd_ctx *c = fl_host_child_ctxs[i];

		if (c->slot == NO_SLOT && c->own &&
		    syscall(SYS_kcmp, me, me, KCMP_FILE, c->fd, shared) == 0)
			return c;
	}
	return NULL;
}

static int ctx_find(unsigned slot, int shared, struct uffd_ctx **out)
{
	int fd, err;

	*out = ctx_of(slot);
	if (*out)
		return 0;
	if (shared < 0)
		return -EBADF;
	*out = ctx_forked_as(shared);
	if (*out) {
		(*out)->slot = slot;
		return 0;
	}
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
 * entry is dropped).  Called with fl_host_child_log_lock held.
 */
void *fl_host_child_log_room(void *arr, size_t *cap, size_t n, size_t size)
{
	size_t more = *cap ? 2 * *cap : 16;

	if (n < *cap)
		return arr;
	arr = realloc(arr, more * size);
	if (arr)
		*cap = more;
	return arr;
}

void fl_host_child_log_append(struct uffd_ctx *c, const struct uffd_msg *msg, bool unread)
{
	struct uffd_ev *log;

	pthread_mutex_lock(&fl_host_child_log_lock);
	log = fl_host_child_log_room(c->log, &c->cap, c->n, sizeof(*log));
	if (log) {
		c->log = log;
		c->log[c->n++] = (struct uffd_ev){ *msg, false, unread, 0 };
	}
	pthread_mutex_unlock(&fl_host_child_log_lock);
}

/*
 * Before fork(): room in every log for the messages the fork raises, and
 * a mark where they begin.  The kernel holds fork() until each FORK
 * message is read, and glibc holds malloc's locks until fork() returns:
 * the guard or the monitor thread that reads it must append without
 * allocating.
 */
void fl_host_child_uffd_prefork(void)
{
	unsigned i;

	/*
	 * A monitor thread may still log the copy that woke the last
	 * statement's access: let it finish, so that nothing allocates while
	 * fork() copies this process (AddressSanitizer's allocator takes no
	 * lock around fork(), glibc's malloc does).  A new message only comes
	 * with the fork itself, after the copy.
	 */
	pthread_mutex_lock(&fl_host_child_monitor_lock);
	pthread_mutex_lock(&fl_host_child_log_lock);
	for (i = 0; i < fl_host_child_nctx; i++) {
		struct uffd_ctx *c = fl_host_child_ctxs[i];
		struct uffd_ev *log = fl_host_child_log_room(c->log, &c->cap, c->n + FORK_ROOM - 1,
					       sizeof(*log));

		if (log)
			c->log = log;
		c->fork_mark = c->n;
	}
	pthread_mutex_unlock(&fl_host_child_log_lock);
	pthread_mutex_unlock(&fl_host_child_monitor_lock);
}

/*
 * After fork() returned here, on the thread that guarded it: send the
 * child, on SOCK, the contexts the fork made for its mm (EVENT_FORK),
 * which reading the FORK messages installed here.  There they are its
 * own: its guard reads their events, so its faults are `blocked` at once
 * and its munmap, madvise, mremap or fork never waits.  This process
 * keeps its descriptors, in the logged messages.
 */
void fl_host_child_uffd_hand_forks(int sock, pid_t child)
{
	int fds[UFFD_MAX];
	unsigned i, nfd = 0;
	size_t k;
	char one = 1;

	pthread_mutex_lock(&fl_host_child_monitor_lock);      /* a monitor's read is logged */
	pthread_mutex_lock(&fl_host_child_log_lock);
	for (i = 0; i < fl_host_child_nctx; i++)
		for (k = fl_host_child_ctxs[i]->fork_mark; k < fl_host_child_ctxs[i]->n && nfd < UFFD_MAX; k++)
			if (fl_host_child_ctxs[i]->log[k].msg.event == UFFD_EVENT_FORK) {
				/* whose context it is, for `uffd_read U as=C` */
				fl_host_child_ctxs[i]->log[k].child = child;
				fds[nfd++] = (int)fl_host_child_ctxs[i]->log[k].msg.arg.fork.ufd;
			}
	pthread_mutex_unlock(&fl_host_child_log_lock);
	pthread_mutex_unlock(&fl_host_child_monitor_lock);
	for (i = 0; i < nfd; i++)
		fl_host_send(sock, &one, 1, NULL, 0, NULL, 0, fds[i]);
}

/* In the new process: its contexts, from fl_host_child_uffd_hand_forks() until EOF. */
void fl_host_child_uffd_take_forks(int sock)
{
	struct uffd_ctx *c;
	char one;
	int fd;

	while (fl_host_recv_hdr(sock, &one, 1, &fd) == 0)
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
void fl_host_child_uffd_forked(void)
{
	static const pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
	unsigned i = 0;
	size_t k;

	fl_host_child_log_lock = fresh;
	fl_host_child_monitor_lock = fresh;
	while (i < fl_host_child_nctx) {
		struct uffd_ctx *c = fl_host_child_ctxs[i];

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
int fl_host_child_read_now(struct uffd_ctx *c, struct uffd_msg *msg)
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


/* ---- the requests ---- */

/*
 * userfaultfd(2) with FLAGS, or on EPERM /dev/userfaultfd (6.1+), which
 * gives the same to whoever may open it.  The descriptor, or -errno.
 */
/* open("/dev/userfaultfd") and USERFAULTFD_IOC_NEW: the fd or -errno. */
static int uffd_open_dev(int flags)
{
	int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
	int fd;

	if (dev < 0)
		return -errno;
	fd = ioctl(dev, USERFAULTFD_IOC_NEW, flags);
	if (fd < 0)
		fd = -errno;
	close(dev);
	return fd;
}

/* DEV (dev=on): the device only, as the scenario asked. */
static int uffd_open(int flags, bool dev)
{
	int fd;

	if (dev)
		return uffd_open_dev(flags);
	fd = (int)syscall(SYS_userfaultfd, flags);
	if (fd >= 0 || errno != EPERM)
		return fd >= 0 ? fd : -errno;
	fd = uffd_open_dev(flags);
	return fd >= 0 ? fd : -EPERM;
}

/*
 * userfaultfd as=U: a context on this mm, U's own entry here.  WORDS are
 * the scenario's (bit 0 user_mode_only, 1 cloexec, 2 nonblock), turned
 * into this libc's flags here, where the call runs.  *GIVE is its
 * descriptor, sent back with the reply for the runner to share.
 */
static int uffd_new(unsigned slot, uint64_t words, bool dev, int *give)
{
	/* the bits past the three words as the model takes them: unknown flags */
	int flags = ((words & 1) ? UFFD_USER_MODE_ONLY : 0) |
		    ((words & 2) ? O_CLOEXEC : 0) | ((words & 4) ? O_NONBLOCK : 0) |
		    (int)((words & ~7ull) << 3);
	struct uffd_ctx *c;
	int fd, err;

	/*
	 * Always O_NONBLOCK: poll() on a blocking userfaultfd is EPOLLERR
	 * ("poll never guarantees that read won't block"), and the monitor
	 * and the guard must poll.  A blocking context's read is emulated:
	 * uffd_read_req() reports the wait as `blocked`.
	 */
	fd = uffd_open(flags | O_NONBLOCK, dev);
	if (fd < 0)
		return fd;
	/* A second `userfaultfd as=U` rebinds U, as the model's handle does. */
	fl_host_child_uffd_forget(slot);
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

/* The ioctls that answer -EAGAIN while mmap_changing is raised. */
static bool checks_mmap_changing(unsigned long req)
{
	return req == UFFDIO_COPY || req == UFFDIO_ZEROPAGE || req == UFFDIO_CONTINUE ||
	       req == HOST_UFFDIO_POISON || req == HOST_UFFDIO_MOVE ||
	       req == UFFDIO_WRITEPROTECT;
}

/*
 * C, made here, owes uffd_read a FORK, REMOVE, UNMAP or REMAP message
 * that was read ahead.  In the scenario it is unread, so the context's
 * mmap_changing is raised; in the kernel the read dropped it.  An ioctl
 * that checks it would answer for a state the scenario does not have:
 * it is not run (the runner calls it unsupported).  A context made in
 * another process keeps its log there, where this cannot look.
 */
static bool owes_noncoop(struct uffd_ctx *c)
{
	bool owed = false;
	size_t i;

	if (!c->own)
		return false;
	pthread_mutex_lock(&fl_host_child_log_lock);
	for (i = 0; i < c->n && !owed; i++)
		owed = c->log[i].unread && c->log[i].msg.event != UFFD_EVENT_PAGEFAULT;
	pthread_mutex_unlock(&fl_host_child_log_lock);
	return owed;
}

static void uffd_ioctl(struct uffd_ctx *c, const struct host_req *rq, uint8_t *data,
		       struct host_rep *rep, uint8_t **out)
{
	unsigned long req = (unsigned long)rq->a[0];
	int64_t *field = rq->dlen >= _IOC_SIZE(req) ? out_field(req, data) : NULL;
	size_t back = rq->dlen;
	long ret;

	if (checks_mmap_changing(req) && owes_noncoop(c)) {
		*rep = (struct host_rep){ .ret = -1, .err = EOPNOTSUPP,
					  .flags = HOST_REP_READ_AHEAD };
		return;
	}
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
/*
 * read(2) of U.  FORK_SLOT (1 + C of `uffd_read U as=C`, or 0): a FORK
 * message's new context goes back with the reply (*GIVE, this process
 * keeps it in the log) and rep->addr says whose it is, the pid of the
 * process that fork made.
 */
static void uffd_read_req(struct uffd_ctx *c, bool nonblock, uint64_t fork_slot,
			  struct host_rep *rep, uint8_t **out, int *give)
{
	struct uffd_msg msg;
	size_t i;
	int err = -EAGAIN;
	int32_t child = 0;

	pthread_mutex_lock(&fl_host_child_log_lock);
	for (i = 0; i < c->n; i++)
		if (c->log[i].unread)
			break;
	if (i < c->n) {
		c->log[i].unread = false;
		msg = c->log[i].msg;
		child = c->log[i].child;
		err = 0;
	}
	pthread_mutex_unlock(&fl_host_child_log_lock);
	if (err) {
		err = fl_host_child_read_now(c, &msg);
		if (!err)
			fl_host_child_log_append(c, &msg, false);
		else if (err == -EAGAIN && !fl_host_child_ctx_ready(c))
			err = -EINVAL;  /* read(2) before UFFDIO_API */
	}
	if (err == -EAGAIN && !nonblock) {
		/* Nothing queued and nobody else to queue it: the read would never return. */
		rep->blocked = 1;
		rep->unfinished = 1;    /* no ret, no errno */
	}
	rep->ret = err ? -1 : (int64_t)sizeof(msg);
	rep->err = -err;
	if (!err && fork_slot && msg.event == UFFD_EVENT_FORK) {
		*give = (int)msg.arg.fork.ufd;
		rep->addr = (uint64_t)child;
	}
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

	pthread_mutex_lock(&fl_host_child_log_lock);
	for (i = 0; i < c->n && c->log[i].handed_out; i++)
		;
	if (i < c->n) {
		c->log[i].handed_out = true;
		msg = c->log[i].msg;
		err = 0;
	}
	pthread_mutex_unlock(&fl_host_child_log_lock);
	/* "or nobody yet": a queued message is read ahead, owed to uffd_read. */
	if (err && !c->served && fl_host_child_read_now(c, &msg) == 0) {
		fl_host_child_log_append(c, &msg, true);
		pthread_mutex_lock(&fl_host_child_log_lock);
		c->log[c->n - 1].handed_out = true;
		pthread_mutex_unlock(&fl_host_child_log_lock);
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

	pthread_mutex_lock(&fl_host_child_log_lock);
	if (c->mlog_seen < c->mlog_n) {
		e = c->mlog[c->mlog_seen++];
		found = true;
	}
	pthread_mutex_unlock(&fl_host_child_log_lock);
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

void fl_host_child_uffd_request(const struct host_req *rq, int shared, uint8_t *data,
		       struct host_rep *rep, uint8_t **out, int *give)
{
	struct uffd_ctx *c;
	int err;

	if (rq->op == HOST_OP_UFFD_NEW) {
		uffd_result(rep, uffd_new(rq->slot, rq->a[0], rq->a[1] != 0, give));
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
		uffd_result(rep, fl_host_child_serve(c, data, rq->dlen));
		return;
	}
	/*
	 * The logs: a message a monitor thread has read is logged first
	 * (monitor_take), although the task it concerns went on at the read.
	 */
	pthread_mutex_lock(&fl_host_child_monitor_lock);
	if (rq->op == HOST_OP_UFFD_READ)
		uffd_read_req(c, rq->a[0], rq->a[1], rep, out, give);
	else if (rq->op == HOST_OP_UFFD_EVENT)
		uffd_event_req(c, rep, out);
	else if (rq->op == HOST_OP_UFFD_LOG)
		uffd_log_req(c, rep, out);
	else
		uffd_result(rep, -ENOSYS);
	pthread_mutex_unlock(&fl_host_child_monitor_lock);
}

bool fl_host_child_page_absent(uint64_t addr)
{
	unsigned char v = 0;

	if (!mm_armed)
		return false;   /* nothing of this mm is registered: it reads */
	if (mincore((void *)(uintptr_t)(addr & ~(PAGE - 1)), PAGE, &v))
		return false;   /* not mapped: the read fails, reads as zero */
	return !(v & 1);
}

