/*
 * backend/host.c - running scenario statements on the running kernel.
 *
 * Every scenario process is a real process: `p` is forked at open(),
 * `process NAME` forks another from the runner, and `fork CHILD` is a real
 * fork() of the current scenario process, so copy-on-write is the
 * kernel's own.  The runner stays in this process and sends each
 * statement, its arguments already evaluated, to the current process over
 * a socketpair (backend/host_internal.h); the process runs it as the real
 * system call and replies with the observables.  Mappings are real mmaps
 * (map_base() reports where the kernel put them, so `buf+10` means the
 * same on both backends), files are memfds (fs=tmpfs) or nameless
 * O_TMPFILE files on the temporary directory's file system, pipes are real
 * pipes.
 *
 * mremap is the system call (MREMAP_MAYMOVE, MREMAP_FIXED with at=); the
 * mapping its as= names resolves to where the kernel put it.  The uffd_*
 * calls are the UFFDIO_* ioctls (uffd_poison: UFFDIO_POISON, uffd_move:
 * UFFDIO_MOVE), and uffd_log reads the log the monitor thread of
 * uffd_serve keeps of its UFFDIO_COPYs (host_child_uffd.c).  A handle is
 * the scenario's: made in the current process, whose mm it serves, then
 * handed to every other process as a file is (uffd_new_call()); the logs
 * live in its keeper (uffd_keeper()).
 *
 * What the host refuses (-EOPNOTSUPP, the runner says UNSUPPORTED), all at
 * the first statement, before anything runs on the real kernel:
 *   - calls into the kernel that no system call reaches directly: the
 *     uaccess routines, fault_in_*, GUP, btrfs_search_ioctl,
 *     restore_fpregs;
 *   - `on HOOK`: the host cannot stop the kernel at a point inside a call;
 *   - `tag` (no MTE here), `evict` (reclaim is the kernel's choice: there
 *     is no deterministic way to push one page out), `poison` (it would
 *     take a real page of this machine out of service);
 *   - userfaultfd calls (userfaultfd, uffd_*, including uffd_poison,
 *     uffd_move and uffd_log) when this process may not use userfaultfd
 *     (fl_host_uffd_permitted()): "skipped (needs userfaultfd permission)";
 *     mremap needs no permission and always runs;
 *   - `kernel X.Y` other than the running kernel's major.minor, `arch A`
 *     other than this machine's, fs= a file system the temporary directory
 *     is not on.
 * The runner reads `kernel` and `arch` lines itself and hands open() only
 * the resolved version (the newest modelled one when none is written), so
 * open() reads those lines from the scenario (b->sc) to tell "kernel host"
 * from "kernel 5.18".
 *
 * Safety: each scenario process has rlimits (host_child_limits()), dies
 * with the runner (PR_SET_PDEATHSIG, and EOF on its socket), and runs in
 * one process group; a statement that takes longer than the wall-clock
 * timeout gets the whole group SIGKILLed and the statement an error.
 * close() kills and reaps every process it started, on every path.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/userfaultfd.h>

#include "backend/calls.h"
#include "backend/common.h"
#include "backend/host_internal.h"

#define EXT4_MAGIC  0xEF53
#define BTRFS_MAGIC 0x9123683E
#define TMPFS_MAGIC 0x01021994

struct host_proc {
	pid_t pid;
	int sock;               /* the runner's end */
	bool alive;
	bool direct;            /* our child (waitpid) or a child's child */
};

/*
 * A userfaultfd handle.  Its descriptor is in fds[][0], as a file's is;
 * the log of its messages and the monitor's log live in one process, the
 * keeper (uffd_keeper()): the one that made it, while it lives.
 */
struct host_uffd {
	unsigned owner;         /* the process that made it: the context's mm */
	unsigned server;        /* 1 + the process whose monitor thread serves it, or 0 */
	bool nonblock;          /* made O_NONBLOCK in the scenario */
};

struct host {
	struct fl_backend *b;
	unsigned nnames;
	struct host_proc *procs;        /* by names[] index */
	int (*fds)[2];                  /* by names[] index: files, pipe ends */
	fl_addr_t *map_base;            /* by names[] index */
	struct host_uffd *uffd;         /* by names[] index */
	int reply_fd;                   /* what the last reply carried, or -1 */
	unsigned cur;                   /* the current process */
	pid_t pgid;
	int timeout_ms;
	unsigned line;                  /* of the statement being run */
	char refusal[200];              /* why the scenario cannot run here */
};

static struct host *host_of(struct fl_backend *b)
{
	return b->priv;
}

static const char *name_of(const struct host *h, unsigned id)
{
	return h->b->sc->names[id].text;
}

/* ---- what the host refuses ---- */

/* The running machine's arch, in the scenario language's words. */
static const char *host_arch_name(void)
{
	static struct utsname u;

	if (uname(&u))
		return "?";
	if (!strcmp(u.machine, "aarch64"))
		return "arm64";
	if (!strcmp(u.machine, "i686") || !strcmp(u.machine, "i386"))
		return "i386";
	if (!strncmp(u.machine, "armv", 4))
		return "arm";
	return u.machine;
}

static bool refuse_call(struct host *h, const struct fl_sc_stmt *st)
{
	const char *f = fl_sc_func_name((enum fl_sc_func)st->code);
	char why[160];

	const struct fl_backend_call *c = fl_backend_call(st->code);

	if (!c || !c->host)
		snprintf(h->refusal, sizeof(h->refusal), "host backend: 'call %s' (line %u) %s",
			 f, st->line, c ? c->host_refusal : "is no call");
	else if (c->cap == FL_CAP_UFFD && !fl_host_uffd_permitted(why, sizeof(why)))
		snprintf(h->refusal, sizeof(h->refusal),
			 "host backend: skipped (needs userfaultfd permission): "
			 "'call %s' (line %u): %.80s", f, st->line, why);
	return h->refusal[0];
}

static bool refuse_verb(struct host *h, const struct fl_sc_stmt *st)
{
	static const struct { enum fl_sc_verb v; const char *why; } no[] = {
		{ FL_SC_ON, "the host cannot stop the kernel inside a call" },
		{ FL_SC_TAG, "memory tagging (MTE) is not on this machine" },
		{ FL_SC_EVICT, "reclaim is the kernel's choice: no deterministic way to evict a page" },
		{ FL_SC_POISON, "it would take a real page of this machine out of service" },
	};
	size_t i;

	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (st->verb == no[i].v)
			snprintf(h->refusal, sizeof(h->refusal),
				 "host backend: '%s' (line %u): %s",
				 fl_sc_verb_name(st->verb), st->line, no[i].why);
	return h->refusal[0];
}

static bool refuse_world(struct host *h, const struct fl_sc_stmt *st)
{
	fl_kver_t want = (fl_kver_t)st->args[0].u.value, have = fl_host_kver();
	char kv[32];

	if (st->verb == FL_SC_KERNEL && want &&
	    (FL_KV_MAJOR(want) != FL_KV_MAJOR(have) || FL_KV_MINOR(want) != FL_KV_MINOR(have)))
		snprintf(h->refusal, sizeof(h->refusal),
			 "host backend: 'kernel %s' (line %u) is not the running kernel (%u.%u)",
			 fl_kver_format(want, kv, sizeof(kv)), st->line,
			 FL_KV_MAJOR(have), FL_KV_MINOR(have));
	if (st->verb == FL_SC_ARCH &&
	    strcmp(fl_arch((enum fl_arch_id)st->args[0].u.value)->name, host_arch_name()))
		snprintf(h->refusal, sizeof(h->refusal),
			 "host backend: 'arch %s' (line %u) is not this machine's (%s)",
			 fl_arch((enum fl_arch_id)st->args[0].u.value)->name, st->line,
			 host_arch_name());
	return h->refusal[0];
}

/* The directory O_TMPFILE files go to: $TMPDIR or /tmp. */
static const char *tmp_dir(void)
{
	const char *t = getenv("TMPDIR");

	return t && *t ? t : "/tmp";
}

static bool refuse_fs(struct host *h, const struct fl_sc_stmt *st)
{
	static const long magic[] = { TMPFS_MAGIC, EXT4_MAGIC, BTRFS_MAGIC };
	static const char *const fs[] = { "tmpfs", "ext4", "btrfs" };
	const struct fl_sc_arg *a = fl_sc_key(st, "fs");
	struct statfs sf;

	if (!a || a->u.value == 0 || a->u.value > 2)
		return false;   /* tmpfs: a memfd */
	if (statfs(tmp_dir(), &sf) == 0 && (long)sf.f_type == magic[a->u.value])
		return false;
	snprintf(h->refusal, sizeof(h->refusal),
		 "host backend: 'file ... fs=%s' (line %u): %s is not on %s",
		 fs[a->u.value], st->line, tmp_dir(), fs[a->u.value]);
	return true;
}

/* Look at every statement once; true (and h->refusal) if one cannot run here. */
static bool host_refuses(struct host *h, const struct fl_scenario *sc)
{
	unsigned i;

	for (i = 0; i < sc->nstmts; i++) {
		const struct fl_sc_stmt *st = &sc->stmts[i];

		if ((st->verb == FL_SC_CALL && refuse_call(h, st)) ||
		    refuse_verb(h, st) || refuse_world(h, st) ||
		    (st->verb == FL_SC_FILE && refuse_fs(h, st)))
			return true;
	}
	return false;
}

/* ---- processes ---- */

/* Kill every scenario process: the group, then each one we know of. */
static void host_kill_all(struct host *h)
{
	unsigned i;

	if (h->pgid > 0)
		kill(-h->pgid, SIGKILL);
	for (i = 0; i < h->nnames; i++) {
		struct host_proc *p = &h->procs[i];

		if (!p->alive)
			continue;
		kill(p->pid, SIGKILL);
		if (p->direct)
			waitpid(p->pid, NULL, 0);
		close(p->sock);
		p->alive = false;
	}
}

static int set_timeouts(struct host *h, int sock)
{
	struct timeval tv = { h->timeout_ms / 1000, (h->timeout_ms % 1000) * 1000 };

	if (setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		return -errno;
	return 0;
}

/* In the new process: drop the runner's ends of the other processes' sockets. */
static void __attribute__((noreturn)) child_start(struct host *h, int sock, pid_t runner)
{
	struct host_child_env env = { sock, h->fds, h->nnames };
	unsigned i;

	for (i = 0; i < h->nnames; i++)
		if (h->procs[i].alive)
			close(h->procs[i].sock);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != runner)        /* the runner died before the prctl */
		_exit(1);
	if (setpgid(0, h->pgid) && setpgid(0, 0))
		_exit(1);
	host_child_limits();
	host_child_main(&env);
}

/* `process NAME` (and `p` at open): a new process, forked from the runner. */
static int spawn_process(struct host *h, unsigned id, struct fl_obs *obs)
{
	pid_t runner = getpid(), pid;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		snprintf(obs->why, sizeof(obs->why), "host backend: fork: %s", strerror(errno));
		return -EAGAIN;
	}
	if (pid == 0) {
		close(sv[0]);
		child_start(h, sv[1], runner);
	}
	close(sv[1]);
	/* Both sides set the group, so it is set whichever runs first. */
	if (setpgid(pid, h->pgid > 0 ? h->pgid : pid) == 0 && h->pgid <= 0)
		h->pgid = pid;
	h->procs[id] = (struct host_proc){ pid, sv[0], true, true };
	h->cur = id;
	return set_timeouts(h, sv[0]);
}

/* The process died or did not answer: say so, kill everything. */
static int host_lost(struct host *h, unsigned id, int err, struct fl_obs *obs)
{
	struct host_proc *p = &h->procs[id];
	int status = 0;

	if (err == -EAGAIN || err == -EWOULDBLOCK) {
		snprintf(obs->why, sizeof(obs->why),
			 "host backend: line %u: process %s did not answer within %d ms; "
			 "its process group was killed", h->line, name_of(h, id), h->timeout_ms);
		host_kill_all(h);
		return -ETIMEDOUT;
	}
	if (p->direct && waitpid(p->pid, &status, 0) == p->pid && WIFSIGNALED(status))
		snprintf(obs->why, sizeof(obs->why),
			 "host backend: line %u: process %s died of signal %d",
			 h->line, name_of(h, id), WTERMSIG(status));
	else
		snprintf(obs->why, sizeof(obs->why),
			 "host backend: line %u: process %s is gone (%s)",
			 h->line, name_of(h, id), strerror(-err));
	close(p->sock);
	p->alive = false;
	return -ECHILD;
}

/* The descriptor the last reply carried: the caller's to keep (or -1). */
static int take_reply_fd(struct host *h)
{
	int fd = h->reply_fd;

	h->reply_fd = -1;
	return fd;
}

/*
 * Send RQ (with its iovecs, data and an fd) to process ID and read the
 * reply; its data, if any, goes to *OUT (malloc'ed; NULL: dropped), a
 * descriptor riding on it to take_reply_fd().
 */
static int host_request(struct host *h, unsigned id, struct host_req *rq,
			const void *iov, const void *data, int fd,
			struct host_rep *rep, uint8_t **out, struct fl_obs *obs)
{
	struct host_proc *p = &h->procs[id];
	uint8_t *buf = NULL;
	int err;

	if (h->reply_fd >= 0)   /* an earlier reply's, nobody took it */
		close(take_reply_fd(h));
	if (!p->alive) {
		snprintf(obs->why, sizeof(obs->why), "host backend: process %s has exited",
			 name_of(h, id));
		return -ESRCH;
	}
	err = host_send(p->sock, rq, sizeof(*rq), iov, rq->niov * sizeof(struct host_iov),
			data, rq->dlen, fd);
	if (!err)
		err = host_recv_hdr(p->sock, rep, sizeof(*rep), &h->reply_fd);
	if (!err && rep->dlen > HOST_MAX_DATA)
		err = -EPROTO;
	if (!err) {
		buf = malloc(rep->dlen + 1);
		err = buf ? host_recv_all(p->sock, buf, rep->dlen) : -ENOMEM;
	}
	if (err) {
		free(buf);
		return err == -ENOMEM ? err : host_lost(h, id, err, obs);
	}
	if (out)
		*out = buf;
	else
		free(buf);
	return 0;
}

/* The common case: a request to the current process, no fd, no reply data. */
static int host_do(struct host *h, struct host_req *rq, const void *iov,
		   const void *data, struct host_rep *rep, struct fl_obs *obs)
{
	return host_request(h, h->cur, rq, iov, data, -1, rep, NULL, obs);
}

/* ---- world statements ---- */

/*
 * Hand a new file, pipe end or userfaultfd to every live process but
 * EXCEPT (h->nnames: none); a process made later inherits fds[][].
 */
static int install_everywhere(struct host *h, unsigned slot, unsigned which,
			      unsigned except, struct fl_obs *obs)
{
	struct host_req rq = { .op = HOST_OP_INSTALL, .slot = slot, .which = which };
	struct host_rep rep;
	unsigned i;
	int err;

	for (i = 0; i < h->nnames; i++) {
		if (!h->procs[i].alive || i == except)
			continue;
		err = host_request(h, i, &rq, NULL, NULL, h->fds[slot][which], &rep,
				   NULL, obs);
		if (err)
			return err;
	}
	return 0;
}

static int exec_file(struct host *h, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	unsigned id = (unsigned)args[0].u;
	const struct fl_sc_arg *fs = fl_sc_key(st, "fs");
	int fd;

	if (fs && fs->u.value)  /* on the file system refuse_fs() checked */
		fd = open(tmp_dir(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	else
		fd = memfd_create(name_of(h, id), MFD_CLOEXEC);
	if (fd < 0)
		return fl_backend_setup_failed(obs, NULL, "file", -errno);
	if (ftruncate(fd, (off_t)args[1].u)) {
		int err = errno;

		close(fd);
		return fl_backend_setup_failed(obs, NULL, "file", -err);
	}
	h->fds[id][0] = fd;
	return install_everywhere(h, id, 0, h->nnames, obs);
}

/*
 * Pipes are O_NONBLOCK: the runner keeps a write end open, so a read of an
 * empty pipe would wait forever; it answers EAGAIN instead.
 */
static int exec_pipe(struct host *h, const struct fl_val *args, struct fl_obs *obs)
{
	unsigned id = (unsigned)args[0].u;
	int err;

	if (pipe2(h->fds[id], O_CLOEXEC | O_NONBLOCK))
		return fl_backend_setup_failed(obs, NULL, "pipe", -errno);
	err = install_everywhere(h, id, 0, h->nnames, obs);
	return err ? err : install_everywhere(h, id, 1, h->nnames, obs);
}

static int exec_mmap(struct host *h, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *file = fl_backend_key(st, args, "file");
	const struct fl_val *off = fl_backend_key(st, args, "off");
	const struct fl_val *at = fl_backend_key(st, args, "at");
	struct host_req rq = {
		.op = HOST_OP_MMAP,
		.slot = file ? (uint32_t)file->u : 0,   /* names[0] is `p`, never a file */
		.a = { at ? at->u : 0, args[1].u, args[2].u,
		       args[3].u ? MAP_SHARED : MAP_PRIVATE, off ? off->u : 0 },
	};
	struct host_rep rep;
	int err = host_do(h, &rq, NULL, NULL, &rep, obs);

	if (err)
		return err;
	if (rep.ret == -1)
		return fl_backend_setup_failed(obs, NULL, "mmap", -rep.err);
	h->map_base[args[0].u] = (fl_addr_t)rep.ret;
	snprintf(obs->summary, sizeof(obs->summary), "%s = 0x%llx",
		 name_of(h, (unsigned)args[0].u), (unsigned long long)rep.ret);
	return 0;
}

static int exec_vm_change(struct host *h, const struct fl_sc_stmt *st,
			  const struct fl_val *args, struct fl_obs *obs)
{
	static const struct { enum fl_sc_verb v; enum host_op op; const char *what; } t[] = {
		{ FL_SC_MUNMAP, HOST_OP_MUNMAP, "munmap" },
		{ FL_SC_MPROTECT, HOST_OP_MPROTECT, "mprotect" },
		{ FL_SC_MADVISE, HOST_OP_MADVISE, "madvise" },
	};
	struct host_req rq = { .a = { args[0].u, args[1].u,
				      st->nargs > 2 ? args[2].u : 0 } };
	struct host_rep rep;
	size_t i;
	int err;

	for (i = 0; i < 3 && t[i].v != st->verb; i++)
		;
	if (i == 3)
		return -EINVAL;
	rq.op = t[i].op;
	err = host_do(h, &rq, NULL, NULL, &rep, obs);
	if (err)
		return err;
	return rep.ret == -1 ? fl_backend_setup_failed(obs, NULL, t[i].what, -rep.err) : 0;
}

static void record_access(struct fl_obs *obs, const struct host_rep *rep,
			  const char *what, size_t len)
{
	obs->moved = rep->moved;
	obs->sig.sig = rep->sig == SIGSEGV ? FL_SIGSEGV : rep->sig == SIGBUS ? FL_SIGBUS
									   : FL_SIG_NONE;
	obs->sig.code = rep->code;
	obs->sig.addr = rep->addr;
	obs->outcome = obs->sig.sig == FL_SIGSEGV ? FL_OUTCOME_SIGSEGV :
		       obs->sig.sig == FL_SIGBUS ? FL_OUTCOME_SIGBUS : FL_OUTCOME_OK;
	if (rep->blocked) {
		obs->outcome = FL_OUTCOME_BLOCKED;
		snprintf(obs->summary, sizeof(obs->summary),
			 "%s %zu of %zu bytes, then blocked: waits on a userfaultfd, "
			 "no monitor wakes it", what, (size_t)rep->moved, len);
	} else if (!rep->sig)
		snprintf(obs->summary, sizeof(obs->summary), "%s %zu bytes", what,
			 (size_t)rep->moved);
	else
		snprintf(obs->summary, sizeof(obs->summary),
			 "%s %zu of %zu bytes, then %s (code %d) at 0x%llx", what,
			 (size_t)rep->moved, len, rep->sig == SIGSEGV ? "SIGSEGV" : "SIGBUS",
			 rep->code, (unsigned long long)rep->addr);
}

static int exec_access(struct host *h, const struct fl_sc_stmt *st,
		       const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *data = &args[st->nargs - 1];
	struct host_req rq = { .a = { args[0].u, args[1].u } };
	struct host_rep rep;
	int err;

	switch (st->verb) {
	case FL_SC_STORE:
		rq.op = HOST_OP_STORE;
		rq.dlen = data->len;
		err = host_do(h, &rq, NULL, data->bytes, &rep, obs);
		if (!err)
			record_access(obs, &rep, "stored", data->len);
		return err;
	case FL_SC_LOAD:
		rq.op = HOST_OP_LOAD;
		err = host_do(h, &rq, NULL, NULL, &rep, obs);
		if (!err)
			record_access(obs, &rep, "loaded", args[1].u);
		return err;
	default:        /* poke: FOLL_FORCE through /proc/self/mem */
		rq.op = HOST_OP_POKE;
		rq.dlen = data->len;
		err = host_do(h, &rq, NULL, data->bytes, &rep, obs);
		if (err)
			return err;
		if (rep.ret != (int64_t)data->len)
			return fl_backend_setup_failed(obs, NULL, "poke", -(rep.ret < 0 ? rep.err : EFAULT));
		return 0;
	}
}

/*
 * The fork waits in the kernel for a FORK message nobody reads: a context
 * of this mm with EVENT_FORK that this process does not poll (had an
 * earlier fork failed to hand it over).  The model does not stall a fork;
 * the host cannot finish this one, and says so rather than hang.
 */
static int fork_stuck(struct host *h, struct fl_obs *obs)
{
	snprintf(obs->why, sizeof(obs->why),
		 "host backend: line %u: fork of %s waits for a userfaultfd FORK message "
		 "that no scenario process reads", h->line, name_of(h, h->cur));
	return -EDEADLK;
}

static int exec_process(struct host *h, const struct fl_sc_stmt *st,
			const struct fl_val *args, struct fl_obs *obs)
{
	unsigned id = (unsigned)args[0].u;
	struct host_req rq = { .op = HOST_OP_FORK };
	struct host_rep rep;
	int sv[2], err, dummy;

	switch (st->verb) {
	case FL_SC_PROCESS:
		return spawn_process(h, id, obs);
	case FL_SC_USE:
		if (!h->procs[id].alive)
			return fl_backend_setup_failed(obs, NULL, "use", -ESRCH);
		h->cur = id;
		return 0;
	case FL_SC_EXIT:
		if (!h->procs[id].alive)
			return fl_backend_setup_failed(obs, NULL, "exit", -ESRCH);
		rq.op = HOST_OP_EXIT;
		host_send(h->procs[id].sock, &rq, sizeof(rq), NULL, 0, NULL, 0, -1);
		host_recv_hdr(h->procs[id].sock, &rep, sizeof(rep), &dummy);  /* EOF */
		if (h->procs[id].direct)
			waitpid(h->procs[id].pid, NULL, 0);
		close(h->procs[id].sock);
		h->procs[id].alive = false;
		return 0;
	default:        /* fork: the new process gets its socket from its parent */
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
			return fl_backend_setup_failed(obs, NULL, "fork", -errno);
		err = host_request(h, h->cur, &rq, NULL, NULL, sv[1], &rep, NULL, obs);
		close(sv[1]);
		if (!err && rep.ret < 0)
			err = rep.blocked ? fork_stuck(h, obs) : fl_backend_setup_failed(obs, NULL, "fork", -rep.err);
		if (err) {
			close(sv[0]);
			return err;
		}
		h->procs[id] = (struct host_proc){ (pid_t)rep.ret, sv[0], true, false };
		snprintf(obs->summary, sizeof(obs->summary), "pid %d forked %s (pid %d)",
			 h->procs[h->cur].pid, name_of(h, id), (int)rep.ret);
		return set_timeouts(h, sv[0]);
	}
}

/* ---- calls: the system calls ---- */

/* The fd slot of an FD or PIPE_FD argument: a file, or a pipe's end. */
static void fd_slot(const struct host *h, const struct fl_val *v, struct host_req *rq,
		    bool write_default)
{
	bool is_pipe = h->b->sc->names[v->u].kind == FL_SC_NEW_PIPE;

	rq->slot = (uint32_t)v->u;
	rq->which = is_pipe && (v->end == FL_SC_END_WRITE ||
				(v->end == FL_SC_END_NONE && write_default));
}

static void set_result(struct fl_obs *obs, const struct host_rep *rep)
{
	if (rep->blocked)
		obs->outcome = FL_OUTCOME_BLOCKED;
	if (rep->unfinished) {  /* still waiting in the kernel: no return value */
		snprintf(obs->summary, sizeof(obs->summary),
			 "blocked: waits on a userfaultfd, no monitor wakes it");
		return;
	}
	obs->has_ret = true;
	obs->ret = rep->ret;
	obs->err = rep->ret == -1 ? rep->err : 0;
	if (obs->err)
		snprintf(obs->summary, sizeof(obs->summary), "%s",
			 fl_sc_errno_name(obs->err) ? fl_sc_errno_name(obs->err) : "?");
}

/*
 * mremap ADDR OLDLEN NEWLEN [at=] [flags=] [as=NEWMAP]: the system call,
 * with the model's flags (backend/model_mremap.c): MREMAP_MAYMOVE, plus
 * MREMAP_FIXED with at=, or flags=N as written.  ret is the new address
 * (or -1 with errno); as= names it, so NEWMAP+off resolves to where the
 * kernel put it, as map_base() does for mmap.
 */
static int exec_mremap(struct host *h, const struct fl_sc_stmt *st,
		       const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *at = fl_backend_key(st, args, "at");
	const struct fl_val *flags = fl_backend_key(st, args, "flags");
	const struct fl_val *as = fl_backend_key(st, args, "as");
	struct host_req rq = {
		.op = HOST_OP_MREMAP,
		.a = { args[0].u, args[1].u, args[2].u,
		       flags ? flags->u : MREMAP_MAYMOVE | (at ? MREMAP_FIXED : 0),
		       at ? at->u : 0 },
	};
	struct host_rep rep;
	int err = host_do(h, &rq, NULL, NULL, &rep, obs);

	if (err)
		return err;
	set_result(obs, &rep);
	if (!obs->has_ret || rep.ret == -1)
		return 0;
	if (as)
		h->map_base[as->u] = (fl_addr_t)rep.ret;
	snprintf(obs->summary, sizeof(obs->summary), "mremap: now at 0x%llx",
		 (unsigned long long)rep.ret);
	return 0;
}

/* readv, writev: FD ADDR:LEN... */
int fl_host_rwv(struct host *h, const struct fl_sc_stmt *st,
		const struct fl_val *args, struct fl_obs *obs)
{
	struct host_req rq = { .op = st->code == FL_SC_READV ? HOST_OP_READV : HOST_OP_WRITEV,
			       .niov = st->nargs - 1 };
	struct host_iov *iov;
	struct host_rep rep;
	unsigned i;
	int err;

	fd_slot(h, &args[0], &rq, false);
	if (rq.niov > HOST_MAX_IOV)
		return fl_backend_setup_failed(obs, NULL, fl_sc_func_name((enum fl_sc_func)st->code), -EINVAL);
	iov = calloc(rq.niov + 1, sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	for (i = 0; i < rq.niov; i++)
		iov[i] = (struct host_iov){ args[i + 1].iov_addr, args[i + 1].iov_len };
	err = host_do(h, &rq, iov, NULL, &rep, obs);
	free(iov);
	if (!err)
		set_result(obs, &rep);
	return err;
}

/* proc_mem_read ADDR LEN, proc_mem_write ADDR DATA: /proc/self/mem. */
int fl_host_proc_mem(struct host *h, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	struct host_req rq = { .a = { args[0].u, args[1].u } };
	struct host_rep rep;
	uint8_t *buf = NULL;
	int err;

	if (st->code == FL_SC_PROC_MEM_WRITE) {
		rq.op = HOST_OP_MEM_WRITE;
		rq.dlen = args[1].len;
		err = host_do(h, &rq, NULL, args[1].bytes, &rep, obs);
		if (!err)
			set_result(obs, &rep);
		return err;
	}
	rq.op = HOST_OP_MEM_READ;
	err = host_request(h, h->cur, &rq, NULL, NULL, -1, &rep, &buf, obs);
	if (err)
		return err;
	set_result(obs, &rep);
	obs->kbuf = buf;        /* what was read: `expect kbuf` */
	obs->kbuf_len = rep.dlen;
	return 0;
}

/* ---- userfaultfd (host_child_uffd.c runs them) ---- */

#define UFFD_FIELD_UNTOUCHED INT64_MIN

static void uffd_summary_field(struct fl_obs *obs, const char *what, const char *field,
			       int64_t v)
{
	if (v == UFFD_FIELD_UNTOUCHED) {
		snprintf(obs->summary, sizeof(obs->summary), "%s: field not written, ret %lld",
			 what, (long long)obs->ret);
		return;
	}
	obs->has_copy = true;
	obs->copy = v;
	snprintf(obs->summary, sizeof(obs->summary), "%s: %s = %lld, ret %lld", what, field,
		 (long long)v, (long long)obs->ret);
}

/* The scenario's event words: pagefault, fork, remap, remove, unmap; 5: other. */
static unsigned uffd_event_word(uint8_t event)
{
	switch (event) {
	case UFFD_EVENT_PAGEFAULT: return 0;
	case UFFD_EVENT_FORK:      return 1;
	case UFFD_EVENT_REMAP:     return 2;
	case UFFD_EVENT_REMOVE:    return 3;
	case UFFD_EVENT_UNMAP:     return 4;
	default:                   return 5;
	}
}

/* What uffd_read read, with the fields of its kind (the model's trace has them all). */
static void uffd_msg_summary(struct fl_obs *obs, const struct uffd_msg *msg)
{
	static const char *const word[] = { "pagefault", "fork", "remap", "remove", "unmap", "?" };
	const char *w = word[uffd_event_word(msg->event)];

	if (msg->event == UFFD_EVENT_PAGEFAULT)
		snprintf(obs->summary, sizeof(obs->summary), "event %s flags 0x%llx address 0x%llx",
			 w, (unsigned long long)msg->arg.pagefault.flags,
			 (unsigned long long)msg->arg.pagefault.address);
	else if (msg->event == UFFD_EVENT_REMAP)
		snprintf(obs->summary, sizeof(obs->summary), "event %s from 0x%llx to 0x%llx len 0x%llx",
			 w, (unsigned long long)msg->arg.remap.from,
			 (unsigned long long)msg->arg.remap.to, (unsigned long long)msg->arg.remap.len);
	else if (msg->event == UFFD_EVENT_REMOVE || msg->event == UFFD_EVENT_UNMAP)
		snprintf(obs->summary, sizeof(obs->summary), "event %s start 0x%llx end 0x%llx",
			 w, (unsigned long long)msg->arg.remove.start,
			 (unsigned long long)msg->arg.remove.end);
	else
		snprintf(obs->summary, sizeof(obs->summary), "event %s", w);
}

/*
 * The source of a uffd_copy without from=: a buffer of the monitor's own,
 * DATA repeated (or 0, 1, 2, ... without src=), as the model builds it.
 */
static uint8_t *uffd_source(const struct fl_val *src, uint64_t len, struct fl_obs *obs,
			    int *err)
{
	uint8_t *buf;
	uint64_t i;

	*err = 0;
	if (len > HOST_MAX_DATA) {
		*err = fl_backend_setup_failed(obs, NULL, "uffd_copy source", -E2BIG);
		return NULL;
	}
	buf = malloc(len + 1);
	if (!buf) {
		*err = -ENOMEM;
		return NULL;
	}
	for (i = 0; i < len; i++)
		buf[i] = src && src->len ? src->bytes[i % src->len] : (uint8_t)i;
	return buf;
}

/* One UFFDIO_* ioctl: ARG (LEN bytes) goes to the process and comes back. */
static int uffd_ioctl(struct host *h, unsigned uffd, unsigned long req, void *arg,
		      size_t len, struct fl_obs *obs)
{
	struct host_req rq = { .op = HOST_OP_UFFD_IOCTL, .slot = uffd, .a = { req },
			       .dlen = len };
	struct host_rep rep;
	uint8_t *back = NULL;
	int err = host_request(h, h->cur, &rq, NULL, arg, -1, &rep, &back, obs);

	if (err)
		return err;
	if (rep.dlen == len)
		memcpy(arg, back, len);
	free(back);
	obs->has_ret = true;
	obs->ret = rep.ret;
	obs->err = rep.ret == -1 ? rep.err : 0;
	return 0;
}

int fl_host_uffd_copy(struct host *h, const struct fl_sc_stmt *st,
			  const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *src = fl_backend_key(st, args, "src");
	const struct fl_val *from = fl_backend_key(st, args, "from");
	const struct fl_val *mode = fl_backend_key(st, args, "mode");
	struct host_req rq = { .op = HOST_OP_UFFD_IOCTL, .slot = (uint32_t)args[0].u,
			       .a = { UFFDIO_COPY } };
	struct uffdio_copy c = { args[1].u, from ? from->u : 0, args[2].u,
				 mode ? mode->u : 0, UFFD_FIELD_UNTOUCHED };
	struct host_rep rep;
	uint8_t *buf = NULL, *back = NULL;
	int err;

	if (!from) {
		/*
		 * The source lives in the process, after the struct: the
		 * process points c.src at it (HOST_OP_UFFD_IOCTL, a[1] = 1).
		 */
		buf = uffd_source(src, c.len, obs, &err);
		if (!buf)
			return err;
		rq.a[1] = 1;
	}
	rq.dlen = sizeof(c) + (from ? 0 : c.len);
	{
		uint8_t *msg = malloc(rq.dlen + 1);

		if (!msg) {
			free(buf);
			return -ENOMEM;
		}
		memcpy(msg, &c, sizeof(c));
		if (buf)
			memcpy(msg + sizeof(c), buf, c.len);
		free(buf);
		err = host_request(h, h->cur, &rq, NULL, msg, -1, &rep, &back, obs);
		free(msg);
	}
	if (err)
		return err;
	if (rep.dlen >= sizeof(c))
		memcpy(&c, back, sizeof(c));
	free(back);
	set_result(obs, &rep);
	uffd_summary_field(obs, "UFFDIO_COPY", "copy", c.copy);
	return 0;
}

/*
 * The ioctls whose struct is the statement's NWORDS arguments, the mode
 * and one output field, 8 bytes each: ZEROPAGE (zeropage), CONTINUE
 * (mapped), POISON (updated, 6.6), MOVE (move, 6.8; DST SRC LEN).
 * `expect copy` reads the field, as on the model (backend/model_uffd.c).
 */
static const struct uffd_fill {
	unsigned code;
	unsigned long req;
	unsigned nwords;
	const char *what, *field;
} uffd_fills[] = {
	{ FL_SC_UFFD_ZEROPAGE, UFFDIO_ZEROPAGE, 2, "UFFDIO_ZEROPAGE", "zeropage" },
	{ FL_SC_UFFD_CONTINUE, UFFDIO_CONTINUE, 2, "UFFDIO_CONTINUE", "mapped" },
	{ FL_SC_UFFD_POISON, HOST_UFFDIO_POISON, 2, "UFFDIO_POISON", "updated" },
	{ FL_SC_UFFD_MOVE, HOST_UFFDIO_MOVE, 3, "UFFDIO_MOVE", "move" },
};

_Static_assert(sizeof(struct uffdio_zeropage) == 4 * 8 &&
	       sizeof(struct uffdio_continue) == 4 * 8 &&
	       sizeof(struct host_uffdio_poison) == 4 * 8 &&
	       sizeof(struct host_uffdio_move) == 5 * 8, "uffdio structs are words");

int fl_host_uffd_fill(struct host *h, const struct fl_sc_stmt *st,
			  const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *mode = fl_backend_key(st, args, "mode");
	const struct uffd_fill *f = uffd_fills;
	const struct uffd_fill *last = f + sizeof(uffd_fills) / sizeof(uffd_fills[0]) - 1;
	uint64_t w[5];
	unsigned i;
	int err;

	while (f < last && f->code != st->code)  /* exec_uffd() sends only these */
		f++;
	for (i = 0; i < f->nwords; i++)
		w[i] = args[i + 1].u;
	w[i++] = mode ? mode->u : 0;
	w[i++] = (uint64_t)UFFD_FIELD_UNTOUCHED;
	err = uffd_ioctl(h, (unsigned)args[0].u, f->req, w, i * sizeof(w[0]), obs);
	if (!err)
		uffd_summary_field(obs, f->what, f->field, (int64_t)w[i - 1]);
	return err;
}

/*
 * The process that keeps U's logs and runs its monitor thread: the one
 * that made U while it lives (its guard reads U ahead, so the messages
 * are there), else the one whose monitor serves U, else the current one.
 * The model's logs belong to the context, whichever process asks.
 */
static unsigned uffd_keeper(const struct host *h, unsigned uffd)
{
	const struct host_uffd *u = &h->uffd[uffd];

	if (h->procs[u->owner].alive)
		return u->owner;
	if (u->server && h->procs[u->server - 1].alive)
		return u->server - 1;
	return h->cur;
}

/*
 * userfaultfd as=U: made in the current process, whose mm it serves for
 * ever; its descriptor comes back with the reply and is handed to every
 * other process, as a file is (install_everywhere()).
 */
int fl_host_userfaultfd(struct host *h, const struct fl_sc_stmt *st,
			 const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *as = fl_backend_key(st, args, "as");
	uint64_t words = st->nargs ? args[0].u : 0;
	struct host_req rq = { .op = HOST_OP_UFFD_NEW, .slot = as ? (uint32_t)as->u : 0 };
	struct host_rep rep;
	int err, fd;

	rq.a[0] = ((words & 1) ? UFFD_USER_MODE_ONLY : 0) |
		  ((words & 2) ? O_CLOEXEC : 0) | ((words & 4) ? O_NONBLOCK : 0);
	err = host_do(h, &rq, NULL, NULL, &rep, obs);
	fd = take_reply_fd(h);
	if (!err)
		set_result(obs, &rep);
	if (err || !as || rep.ret < 0 || fd < 0) {
		if (fd >= 0)
			close(fd);
		return err;
	}
	if (h->fds[as->u][0] >= 0)      /* U named another context before */
		close(h->fds[as->u][0]);
	h->fds[as->u][0] = fd;
	h->uffd[as->u] = (struct host_uffd){ h->cur, 0, (words & 4) != 0 };
	return install_everywhere(h, (unsigned)as->u, 0, h->cur, obs);
}

/* RQ about U, to U's keeper: the result to OBS, reply data to *BACK. */
static int keeper_request(struct host *h, unsigned uffd, struct host_req *rq,
			  struct host_rep *rep, uint8_t **back, struct fl_obs *obs)
{
	int err = host_request(h, uffd_keeper(h, uffd), rq, NULL, NULL, -1, rep, back, obs);

	if (!err)
		set_result(obs, rep);
	return err;
}

/* uffd_read U: in U's keeper, which has what was read ahead. */
int fl_host_uffd_read(struct host *h, const struct fl_sc_stmt *st,
		      const struct fl_val *args, struct fl_obs *obs)
{
	unsigned uffd = (unsigned)args[0].u;
	struct host_req rq = { .op = HOST_OP_UFFD_READ, .slot = uffd,
			       .a = { h->uffd[uffd].nonblock } };
	struct host_rep rep;
	struct uffd_msg msg;
	uint8_t *back = NULL;
	int err = keeper_request(h, uffd, &rq, &rep, &back, obs);

	(void)st;
	if (err)
		return err;
	if (rep.blocked)
		obs->outcome = FL_OUTCOME_BLOCKED;
	if (rep.ret >= 0 && rep.dlen == sizeof(msg)) {
		memcpy(&msg, back, sizeof(msg));
		uffd_msg_summary(obs, &msg);
	}
	free(back);
	return 0;
}

/* uffd_serve U DATA: the monitor thread runs in U's keeper. */
int fl_host_uffd_serve(struct host *h, const struct fl_sc_stmt *st,
		       const struct fl_val *args, struct fl_obs *obs)
{
	unsigned uffd = (unsigned)args[0].u;
	const struct fl_val *data = &args[1];
	struct host_req rq = { .op = HOST_OP_UFFD_SERVE, .slot = uffd };
	unsigned who = uffd_keeper(h, uffd);
	struct host_rep rep;
	uint8_t page[4096];
	size_t i;
	int err;

	(void)st;
	for (i = 0; i < sizeof(page); i++)
		page[i] = data->len ? data->bytes[i % data->len] : 0;
	rq.dlen = sizeof(page);
	err = host_request(h, who, &rq, NULL, page, -1, &rep, NULL, obs);
	if (err)
		return err;
	set_result(obs, &rep);
	if (rep.ret == 0)
		h->uffd[uffd].server = who + 1;
	return 0;
}

/*
 * uffd_log U: the monitor's next UFFDIO_COPY as it saw it (ret 0, or -1
 * with the errno; `expect copy` the copy field); -1/ENOMSG when there is
 * no more, as the model's call_log answers.  Asked of U's keeper.
 */
int fl_host_uffd_log(struct host *h, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	unsigned uffd = (unsigned)args[0].u;
	struct host_req rq = { .op = HOST_OP_UFFD_LOG, .slot = uffd };
	struct host_uffd_log e;
	struct host_rep rep;
	uint8_t *back = NULL;
	int err = keeper_request(h, uffd, &rq, &rep, &back, obs);

	(void)st;
	if (err)
		return err;
	if (rep.ret || rep.dlen != sizeof(e)) {
		free(back);
		if (rep.ret == -1 && rep.err == ENOMSG)
			snprintf(obs->summary, sizeof(obs->summary), "monitor log: nothing more");
		return 0;
	}
	memcpy(&e, back, sizeof(e));
	free(back);
	obs->ret = e.ret ? -1 : 0;
	obs->err = -e.ret;
	obs->has_copy = e.copy != UFFD_FIELD_UNTOUCHED;
	obs->copy = e.copy;
	snprintf(obs->summary, sizeof(obs->summary),
		 "monitor's UFFDIO_COPY 0x%llx: ret %d, copy %lld",
		 (unsigned long long)e.dst, e.ret, (long long)e.copy);
	return 0;
}

/* The ioctls run in the current process, on its descriptor of U. */
int fl_host_uffd_api(struct host *h, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *api = fl_backend_key(st, args, "api");
	struct uffdio_api a = { api ? api->u : UFFD_API, args[1].u, 0 };
	int err = uffd_ioctl(h, (unsigned)args[0].u, UFFDIO_API, &a, sizeof(a), obs);

	if (!err)
		snprintf(obs->summary, sizeof(obs->summary),
			 "UFFDIO_API: features 0x%llx, ioctls 0x%llx",
			 (unsigned long long)a.features, (unsigned long long)a.ioctls);
	return err;
}

int fl_host_uffd_register(struct host *h, const struct fl_sc_stmt *st,
			  const struct fl_val *args, struct fl_obs *obs)
{
	struct uffdio_register r = { { args[1].u, args[2].u }, args[3].u, 0 };
	int err = uffd_ioctl(h, (unsigned)args[0].u, UFFDIO_REGISTER, &r, sizeof(r), obs);

	(void)st;
	if (err)
		return err;
	/* `expect copy` reads the ioctls mask of a successful register */
	if (obs->ret == 0) {
		obs->has_copy = true;
		obs->copy = (int64_t)r.ioctls;
	}
	snprintf(obs->summary, sizeof(obs->summary),
		 "UFFDIO_REGISTER: ioctls 0x%llx", (unsigned long long)r.ioctls);
	return 0;
}

int fl_host_uffd_wake(struct host *h, const struct fl_sc_stmt *st,
		      const struct fl_val *args, struct fl_obs *obs)
{
	struct uffdio_range r = { args[1].u, args[2].u };

	(void)st;
	return uffd_ioctl(h, (unsigned)args[0].u, UFFDIO_WAKE, &r, sizeof(r), obs);
}

int fl_host_uffd_writeprotect(struct host *h, const struct fl_sc_stmt *st,
			      const struct fl_val *args, struct fl_obs *obs)
{
	struct uffdio_writeprotect wp = { { args[1].u, args[2].u },
					  args[3].u ? UFFDIO_WRITEPROTECT_MODE_WP : 0 };

	(void)st;
	return uffd_ioctl(h, (unsigned)args[0].u, UFFDIO_WRITEPROTECT, &wp, sizeof(wp), obs);
}

/* read, write, pread, pwrite, vmsplice: FD ADDR LEN [OFF]. */
int fl_host_rw(struct host *h, const struct fl_sc_stmt *st,
	       const struct fl_val *args, struct fl_obs *obs)
{
	static const enum host_op op[] = {
		[FL_SC_READ] = HOST_OP_READ, [FL_SC_WRITE] = HOST_OP_WRITE,
		[FL_SC_PREAD] = HOST_OP_PREAD, [FL_SC_PWRITE] = HOST_OP_PWRITE,
		[FL_SC_VMSPLICE] = HOST_OP_VMSPLICE,
	};
	struct host_req rq = { .op = op[st->code],
			       .a = { args[1].u, args[2].u, st->nargs > 3 ? args[3].u : 0 } };
	struct host_rep rep;
	int err;

	fd_slot(h, &args[0], &rq, st->code == FL_SC_VMSPLICE);
	err = host_do(h, &rq, NULL, NULL, &rep, obs);
	if (!err)
		set_result(obs, &rep);
	return err;
}

int fl_host_process_vm(struct host *h, const struct fl_sc_stmt *st,
		       const struct fl_val *args, struct fl_obs *obs)
{
	struct host_req rq = { .a = { 0, args[1].u, args[2].u, args[3].u } };
	struct host_rep rep;
	int err;

	if (!h->procs[args[0].u].alive)
		return fl_backend_setup_failed(obs, NULL, "process_vm", -ESRCH);
	rq.op = st->code == FL_SC_PROCESS_VM_READV ? HOST_OP_PVM_READV : HOST_OP_PVM_WRITEV;
	rq.a[0] = (uint64_t)h->procs[args[0].u].pid;
	err = host_do(h, &rq, NULL, NULL, &rep, obs);
	if (!err)
		set_result(obs, &rep);
	return err;
}

/* What backend/calls.c says the host runs; host_refuses() stopped the rest. */
static int exec_call(struct host *h, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_backend_call *c = fl_backend_call(st->code);

	if (!c || !c->host) {
		snprintf(obs->why, sizeof(obs->why), "host backend: no system call for this");
		return -EOPNOTSUPP;
	}
	return c->host(h, st, args, obs);
}

/* ---- the backend ---- */

static int host_exec(struct fl_backend *b, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	struct host *h = host_of(b);

	h->line = st->line;
	if (h->refusal[0]) {
		snprintf(obs->why, sizeof(obs->why), "%s", h->refusal);
		return -EOPNOTSUPP;
	}
	switch (st->verb) {
	case FL_SC_PROCESS: case FL_SC_USE: case FL_SC_FORK: case FL_SC_EXIT:
		return exec_process(h, st, args, obs);
	case FL_SC_FILE:
		return exec_file(h, st, args, obs);
	case FL_SC_PIPE:
		return exec_pipe(h, args, obs);
	case FL_SC_MMAP:
		return exec_mmap(h, st, args, obs);
	case FL_SC_MUNMAP: case FL_SC_MPROTECT: case FL_SC_MADVISE:
		return exec_vm_change(h, st, args, obs);
	case FL_SC_MREMAP:
		return exec_mremap(h, st, args, obs);
	case FL_SC_STORE: case FL_SC_LOAD: case FL_SC_POKE:
		return exec_access(h, st, args, obs);
	case FL_SC_CALL:
		return exec_call(h, st, args, obs);
	default:        /* tag, evict, poison: refused at open */
		snprintf(obs->why, sizeof(obs->why), "host backend: '%s' cannot run here",
			 fl_sc_verb_name(st->verb));
		return -EOPNOTSUPP;
	}
}

static int host_arm_hook(struct fl_backend *b, enum fl_hook hook, unsigned nth,
			 const struct fl_sc_stmt *st, const struct fl_val *args)
{
	(void)b; (void)hook; (void)nth; (void)st; (void)args;
	return -EOPNOTSUPP;     /* see refuse_verb(): FL_SC_ON */
}

static int host_timeout_ms(void)
{
	const char *t = getenv("FAULTLINE_HOST_TIMEOUT_MS");
	long v = t ? strtol(t, NULL, 10) : 0;

	return v > 0 && v < 3600000 ? (int)v : HOST_STMT_TIMEOUT_MS;
}

static void host_free(struct host *h)
{
	unsigned i;

	for (i = 0; i < h->nnames; i++) {
		if (h->fds[i][0] >= 0)
			close(h->fds[i][0]);
		if (h->fds[i][1] >= 0)
			close(h->fds[i][1]);
	}
	free(h->procs);
	free(h->fds);
	free(h->map_base);
	if (h->reply_fd >= 0)
		close(h->reply_fd);
	free(h->uffd);
	free(h);
}

static int host_open(struct fl_backend *b, fl_kver_t kver, enum fl_arch_id arch)
{
	struct host *h = calloc(1, sizeof(*h));
	struct fl_obs obs = { 0 };
	unsigned i, n = b->sc->nnames + 1;
	int err;

	(void)kver;     /* the scenario's own `kernel` line is what counts */
	if (!h)
		return -ENOMEM;
	h->b = b;
	h->nnames = n;
	h->timeout_ms = host_timeout_ms();
	h->procs = calloc(n, sizeof(*h->procs));
	h->fds = calloc(n, sizeof(*h->fds));
	h->map_base = calloc(n, sizeof(*h->map_base));
	h->uffd = calloc(n, sizeof(*h->uffd));
	h->reply_fd = -1;
	if (!h->procs || !h->fds || !h->map_base || !h->uffd) {
		h->nnames = 0;
		host_free(h);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		h->fds[i][0] = h->fds[i][1] = -1;
	b->priv = h;
	if (host_refuses(h, b->sc))
		;
	else if (strcmp(fl_arch(arch)->name, host_arch_name()))
		snprintf(h->refusal, sizeof(h->refusal),
			 "host backend: the scenario is for %s, this machine is %s",
			 fl_arch(arch)->name, host_arch_name());
	else if ((err = spawn_process(h, 0, &obs)))
		return err;     /* close() frees h */
	return 0;
}

static void host_close(struct fl_backend *b)
{
	struct host *h = host_of(b);

	if (!h)
		return;
	host_kill_all(h);
	host_free(h);
	b->priv = NULL;
}

static fl_addr_t host_map_base(struct fl_backend *b, unsigned name)
{
	return host_of(b)->map_base[name];
}

static int host_peek(struct fl_backend *b, fl_addr_t addr, void *buf, size_t len)
{
	struct host *h = host_of(b);
	struct host_req rq = { .op = HOST_OP_PEEK, .a = { addr, len } };
	struct host_rep rep;
	struct fl_obs obs = { 0 };
	uint8_t *data = NULL;
	int err;

	memset(buf, 0, len);
	if (h->refusal[0])
		return -EOPNOTSUPP;
	err = host_request(h, h->cur, &rq, NULL, NULL, -1, &rep, &data, &obs);
	if (err)
		return err;
	memcpy(buf, data, rep.dlen < len ? rep.dlen : len);
	free(data);
	return 0;
}

/* `expect event`: asked of U's keeper (uffd_keeper()), which has the log. */
static int host_uffd_event(struct fl_backend *b, unsigned uffd, struct fl_obs_event *ev)
{
	struct host *h = host_of(b);
	struct host_req rq = { .op = HOST_OP_UFFD_EVENT, .slot = uffd };
	struct host_rep rep;
	struct fl_obs obs = { 0 };
	struct uffd_msg msg;
	uint8_t *back = NULL;
	int err;

	if (h->refusal[0] || uffd >= h->nnames)
		return -EBADF;
	err = host_request(h, uffd_keeper(h, uffd), &rq, NULL, NULL, -1, &rep, &back, &obs);
	if (err)
		return err;
	if (rep.ret || rep.dlen != sizeof(msg)) {
		free(back);
		return rep.ret ? (int)rep.ret : -EPROTO;
	}
	memcpy(&msg, back, sizeof(msg));
	free(back);
	ev->type = uffd_event_word(msg.event);
	ev->flags = msg.event == UFFD_EVENT_PAGEFAULT ? msg.arg.pagefault.flags : 0;
	/* where it happened, as model_uffd_event() says: REMAP's is the old address */
	ev->addr = msg.event == UFFD_EVENT_PAGEFAULT ? msg.arg.pagefault.address :
		   msg.event == UFFD_EVENT_REMAP ? msg.arg.remap.from :
		   msg.event == UFFD_EVENT_REMOVE || msg.event == UFFD_EVENT_UNMAP ?
		   msg.arg.remove.start : 0;
	return 0;
}

const struct fl_backend_ops fl_host_backend = {
	.name = "host",
	.open = host_open,
	.close = host_close,
	.exec = host_exec,
	.map_base = host_map_base,
	.peek = host_peek,
	.arm_hook = host_arm_hook,
	.uffd_event = host_uffd_event,
};
