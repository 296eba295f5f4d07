/*
 * backend/host.c - running scenario statements on the running kernel.
 *
 * Every scenario process is a real process: `p` is forked at open(),
 * `process NAME` forks another, and `fork CHILD` is a real fork() of the
 * current scenario process, so copy-on-write is the kernel's own.  The
 * runner stays in this process and sends each statement, its arguments
 * already evaluated, to the current process through the link
 * (backend/host_link.h); the process runs it as the real system call and
 * replies with the observables.  Mappings are real mmaps (map_base()
 * reports where the kernel put them, so `buf+10` means the same on both
 * backends), files are memfds (fs=tmpfs) or nameless O_TMPFILE files on
 * the temporary directory's file system, pipes are real pipes.
 *
 * This file holds the backend's operations and the world statements;
 * each `call FUNC` goes through its row of backend/calls.c to the
 * capability's file (host_syscall.c, host_gup.c, host_uffd.c), mremap is
 * host_mremap.c, and what cannot run here is refused at open by
 * host_refuse.c, before anything runs on the real kernel.  The runner
 * reads `kernel` and `arch` lines itself and hands open() only the
 * resolved version, so open() reads those lines from the scenario (b->sc)
 * to tell "kernel host" from "kernel 5.18".
 *
 * FAULTLINE_HOST_AGENT=COMMAND runs the scenario processes under an agent
 * instead: COMMAND (run by /bin/sh) speaks the agent protocol on its
 * standard input and output (fl-agent, docs/host.md "agent protocol").
 * One agent serves every scenario of the process: it starts at the first
 * and its stream stays open (HELLO ... BYE per scenario), so a guest
 * kernel boots once per batch (docs/vm.md).  Once its stream fails the
 * agent is gone for good: every later open fails at once, with the first
 * failure's reason (fl_host_agent_lost()).
 *
 * Safety: each scenario process has rlimits, dies with the runner, and
 * runs in one process group; a statement that takes longer than the
 * wall-clock timeout gets the whole group SIGKILLed and the statement an
 * error.  close() kills and reaps every process it started, on every
 * path (host_link.c).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <faultline/callers.h>

#include "backend/host_internal.h"

const char *fl_host_name(const struct host *h, unsigned id)
{
	return fl_backend_name(h->b, id);
}

/* ---- requests ---- */

/* The link lost process ID (ERR): say which statement, and how. */
static int host_lost(struct host *h, unsigned id, int err, struct fl_obs *obs)
{
	const char *name = fl_host_name(h, id);

	if (err == -ESRCH)
		snprintf(obs->why, sizeof(obs->why), "host backend: process %s has exited", name);
	else if (err == -ETIMEDOUT)
		snprintf(obs->why, sizeof(obs->why),
			 "host backend: line %u: process %s did not answer within %d ms; "
			 "its process group was killed", h->line, name, h->link.timeout_ms);
	else if (err == -ETIME)
		snprintf(obs->why, sizeof(obs->why),
			 "host backend: line %u: not run: the judge stopped answering "
			 "at an earlier statement", h->line);
	else if (err == -ECHILD && h->link.lost_sig)
		snprintf(obs->why, sizeof(obs->why),
			 "host backend: line %u: process %s died of signal %d",
			 h->line, name, h->link.lost_sig);
	else if (err == -ECHILD)
		snprintf(obs->why, sizeof(obs->why),
			 "host backend: line %u: process %s is gone (%s)",
			 h->line, name, strerror(h->link.lost_err));
	else if (h->link.broken)
		snprintf(obs->why, sizeof(obs->why),
			 "host backend: line %u: the agent stopped answering (%s)", h->line,
			 h->link.broken == -ETIMEDOUT ? "no reply in time" : strerror(-h->link.broken));
	else
		snprintf(obs->why, sizeof(obs->why),
			 "host backend: line %u: process %s: %s", h->line, name, strerror(-err));
	obs->why_names_stmt = err != -ESRCH;    /* each of the others says its line */
	return err;
}

int fl_host_request(struct host *h, unsigned id, const struct host_req *rq,
		    const void *iov, const void *data, struct host_rep *rep,
		    uint8_t **out, struct fl_obs *obs)
{
	struct host_req with = *rq;
	bool restore = h->restore_due && id == 0;
	int err;

	if (restore) {                          /* host_restore(): it rides along */
		with.which |= HOST_REQ_RESTORE;
		h->restore_due = false;
	}
	if (!h->batch || !fl_host_batch_take(h, id, &with, iov, data, rep, out, &err))
		err = fl_host_link_request(&h->link, id, &with, iov, data, rep, out);
	if (h->batch)
		fl_host_batch_seen(h, rep);
	if (restore)
		h->restore_failed = err || (rep->flags & HOST_REP_RESTORE_FAILED);
	return err && err != -ENOMEM ? host_lost(h, id, err, obs) : err;
}

int fl_host_do(struct host *h, const struct host_req *rq, const void *iov,
	       const void *data, struct host_rep *rep, struct fl_obs *obs)
{
	return fl_host_request(h, h->cur, rq, iov, data, rep, NULL, obs);
}

void fl_host_set_result(struct fl_obs *obs, const struct host_rep *rep)
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
	if ((rep->flags & HOST_REP_SIGPIPE) && !rep->blocked)
		obs->outcome = FL_OUTCOME_SIGPIPE;
	obs->has_msg_flags = rep->flags & HOST_REP_MSG_FLAGS;
	obs->msg_flags = obs->has_msg_flags ? (uint32_t)rep->addr : 0;
	obs->controllen = rep->controllen;
	obs->nrights = rep->nrights < FL_OBS_RIGHTS ? rep->nrights : FL_OBS_RIGHTS;
	memcpy(obs->rights, rep->rights, sizeof(obs->rights));
	if (obs->err)
		snprintf(obs->summary, sizeof(obs->summary), "%s",
			 fl_sc_errno_name(obs->err) ? fl_sc_errno_name(obs->err) : "?");
}

_Static_assert(HOST_RIGHTS == FL_OBS_RIGHTS, "a reply carries what an fl_obs holds");

/* ---- world statements ---- */

int fl_host_charge(struct host *h, unsigned id, uint64_t len, struct fl_obs *obs)
{
	if (len > HOST_MAX_MAPPED - h->mapped_total) {
		snprintf(obs->why, sizeof(obs->why),
			 "host backend: line %u: the scenario's processes would map more "
			 "than %llu MiB in all, this machine's cap for one scenario",
			 h->line, (unsigned long long)(HOST_MAX_MAPPED >> 20));
		obs->why_names_stmt = true;
		return -EOPNOTSUPP;
	}
	h->mapped[id] += len;
	h->mapped_total += len;
	return 0;
}

/* Process ID is gone: what it mapped is free again. */
static void host_uncharge(struct host *h, unsigned id)
{
	h->mapped_total -= h->mapped[id];
	h->mapped[id] = 0;
}

/* `process NAME` (and `p` at open): a new process, the current one. */
/*
 * Process ID runs on the scenario's CPU only (h->one_cpu; the first
 * process picks the one it is on).  Asked before it runs any statement,
 * so its threads and forks inherit the mask.
 */
static int pin_process(struct host *h, unsigned id, struct fl_obs *obs)
{
	struct host_req rq = { .op = HOST_OP_PIN_CPU, .a = { (uint64_t)(h->cpu + 1) } };
	struct host_rep rep;
	int err = fl_host_request(h, id, &rq, NULL, NULL, &rep, NULL, obs);

	if (err)
		return err;
	if (rep.ret < 0)
		return fl_backend_setup_failed(obs, NULL, "sched_setaffinity", -rep.err);
	h->cpu = (int)rep.ret;
	return 0;
}

static int spawn_process(struct host *h, unsigned id, struct fl_obs *obs)
{
	int pid = fl_host_link_spawn(&h->link, id);

	if (pid < 0) {
		snprintf(obs->why, sizeof(obs->why), "host backend: fork: %s", strerror(-pid));
		return pid == -EPIPE ? host_lost(h, id, pid, obs) : -EAGAIN;
	}
	h->cur = id;
	return h->one_cpu ? pin_process(h, id, obs) : 0;
}

static int exec_file(struct host *h, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_sc_arg *fs = fl_sc_key(st, "fs");
	const struct fl_val *sealing = fl_backend_key(st, args, "sealing");
	int err = fl_host_link_file(&h->link, (unsigned)args[0].u, args[1].u,
				    (fs ? (unsigned)fs->u.value : 0) |
				    (sealing && sealing->u ? HOST_FILE_SEALING : 0));

	/* the file system is the one host_refuse.c checked $TMPDIR is on */
	return err ? fl_backend_setup_failed(obs, NULL, "file", err) : 0;
}

/* open NAME FILE MODE: through /proc/self/fd of the link (host_link.c) */
static int exec_open(struct host *h, const struct fl_val *args, struct fl_obs *obs)
{
	int err = fl_host_link_open(&h->link, (unsigned)args[0].u, (unsigned)args[1].u,
				    (unsigned)args[2].u);

	return err ? fl_backend_setup_failed(obs, NULL, "open", err) : 0;
}

/* dir NAME ...: on tmpfs (host_link_dir.c, checked by host_refuse.c) */
static int exec_dir(struct host *h, const struct fl_sc_stmt *st,
		    const struct fl_val *args, struct fl_obs *obs)
{
	struct fl_dir_shape s;
	int err;

	fl_backend_dir_shape(st, args, &s);
	err = fl_host_link_dir(&h->link, (unsigned)args[0].u, &s);

	return err ? fl_backend_setup_failed(obs, NULL, "dir", err) : 0;
}

static int exec_pipe(struct host *h, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *nb = fl_backend_key(st, args, "nonblock");
	int err = fl_host_link_pipe(&h->link, (unsigned)args[0].u, nb && !nb->u);

	return err ? fl_backend_setup_failed(obs, NULL, "pipe", err) : 0;
}

static int exec_socketpair(struct host *h, const struct fl_sc_stmt *st,
			   const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *sb = fl_backend_key(st, args, "sndbuf");
	const struct fl_val *nb = fl_backend_key(st, args, "nonblock");
	uint32_t how = (uint32_t)args[1].u | (sb ? HOST_SOCK_SNDBUF : 0) |
		       (nb && !nb->u ? HOST_SOCK_BLOCKING : 0);
	const struct fl_val *sto = fl_backend_key(st, args, "sndtimeo");
	const struct fl_val *rto = fl_backend_key(st, args, "rcvtimeo");
	struct host_req rq = { .op = HOST_OP_SOCK_TIMEO, .slot = (uint32_t)args[0].u,
			       .a = { sto ? sto->u : 0, rto ? rto->u : 0 } };
	struct host_rep rep;
	int err = fl_host_link_socketpair(&h->link, (unsigned)args[0].u, how, sb ? sb->u : 0);

	/* SO_SNDTIMEO/SO_RCVTIMEO: set once, by the current process, on the socket */
	if (!err && (rq.a[0] || rq.a[1]))
		err = fl_host_do(h, &rq, NULL, NULL, &rep, obs);
	if (!err && (rq.a[0] || rq.a[1]) && rep.ret)
		err = -rep.err;
	return err ? fl_backend_setup_failed(obs, NULL, "socketpair", err) : 0;
}

/* close PIPE.END: every descriptor of that end (host_link.c). */
static int exec_close(struct host *h, const struct fl_val *args, struct fl_obs *obs)
{
	/* a pipe's write end or a socket pair's end 1 is the link's second descriptor */
	int err = fl_host_link_close(&h->link, (unsigned)args[0].u,
				     args[0].end == FL_SC_END_WRITE || args[0].end == FL_SC_END_1);

	return err ? fl_backend_setup_failed(obs, NULL, "close", err) : 0;
}

static int exec_mmap(struct host *h, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *file = fl_backend_key(st, args, "file");
	const struct fl_val *off = fl_backend_key(st, args, "off");
	const struct fl_val *at = fl_backend_key(st, args, "at");
	const struct fl_val *huge = fl_backend_key(st, args, "hugetlb");
	struct host_req rq = {
		.op = HOST_OP_MMAP,
		.slot = file ? (uint32_t)file->u : 0,   /* names[0] is `p`, never a file */
		.a = { at ? at->u : 0, args[1].u, args[2].u,
		       (args[3].u ? MAP_SHARED : MAP_PRIVATE) |
		       (huge && huge->u ? MAP_HUGETLB : 0), off ? off->u : 0 },
	};
	struct host_rep rep;
	int err = fl_host_charge(h, h->cur, args[1].u, obs);

	if (!err)
		err = fl_host_do(h, &rq, NULL, NULL, &rep, obs);
	if (err)
		return err;
	if (rep.ret == -1)
		return fl_backend_setup_failed(obs, NULL, "mmap", -rep.err);
	h->map_base[args[0].u] = (fl_addr_t)rep.ret;
	snprintf(obs->summary, sizeof(obs->summary), "%s = 0x%llx",
		 fl_host_name(h, (unsigned)args[0].u), (unsigned long long)rep.ret);
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
	err = fl_host_do(h, &rq, NULL, NULL, &rep, obs);
	if (err)
		return err;
	return rep.ret == -1 ? fl_backend_setup_failed(obs, NULL, t[i].what, -rep.err) : 0;
}


void fl_host_record_access(struct fl_obs *obs, const struct host_rep *rep,
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

	err = fl_host_task_mark(h, st, args, &rq);
	if (err)
		return err;
	switch (st->verb) {
	case FL_SC_STORE:
		rq.op = HOST_OP_STORE;
		rq.dlen = data->len;
		err = fl_host_do(h, &rq, NULL, data->bytes, &rep, obs);
		if (!err)
			fl_host_record_access(obs, &rep, "stored", data->len);
		return err;
	case FL_SC_LOAD:
		rq.op = HOST_OP_LOAD;
		err = fl_host_do(h, &rq, NULL, NULL, &rep, obs);
		if (!err)
			fl_host_record_access(obs, &rep, "loaded", args[1].u);
		return err;
	default:        /* poke: FOLL_FORCE through /proc/self/mem */
		rq.op = HOST_OP_POKE;
		rq.dlen = data->len;
		err = fl_host_do(h, &rq, NULL, data->bytes, &rep, obs);
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
		 "that no scenario process reads", h->line, fl_host_name(h, h->cur));
	return -EDEADLK;
}

static int exec_fork(struct host *h, unsigned id, struct fl_obs *obs)
{
	struct host_rep rep;
	int err = fl_host_charge(h, id, h->mapped[h->cur], obs); /* COW may copy it all */

	if (!err)
		err = fl_host_link_fork(&h->link, h->cur, id, &rep);
	if (err == -EOPNOTSUPP)
		return err;
	if (err)
		return host_lost(h, h->cur, err, obs);
	if (rep.ret < 0)
		return rep.blocked ? fork_stuck(h, obs)
				   : fl_backend_setup_failed(obs, NULL, "fork", -rep.err);
	snprintf(obs->summary, sizeof(obs->summary), "pid %d forked %s (pid %d)",
		 h->link.procs[h->cur].pid, fl_host_name(h, id), (int)rep.ret);
	return 0;
}

static int exec_process(struct host *h, const struct fl_sc_stmt *st,
			const struct fl_val *args, struct fl_obs *obs)
{
	unsigned id = (unsigned)args[0].u;

	switch (st->verb) {
	case FL_SC_PROCESS:
		return spawn_process(h, id, obs);
	case FL_SC_USE:
		if (!h->link.procs[id].alive)
			return fl_backend_setup_failed(obs, NULL, "use", -ESRCH);
		h->cur = id;
		return 0;
	case FL_SC_EXIT:
		if (fl_host_link_exit(&h->link, id))
			return fl_backend_setup_failed(obs, NULL, "exit", -ESRCH);
		host_uncharge(h, id);
		return 0;
	default:        /* fork: the new process gets its socket from its parent */
		return exec_fork(h, id, obs);
	}
}

/* What backend/calls.c says the host runs; fl_host_refuses() stopped the rest. */
static int exec_call(struct host *h, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_backend_call *c = fl_backend_call(st->code);

	if (!c || !c->host) {
		snprintf(obs->why, sizeof(obs->why), "host backend: no system call for this");
		return -EOPNOTSUPP;
	}
	return fl_host_call_timed_out(h, c->host(h, st, args, obs), obs);
}

/* ---- the backend ---- */

static int host_exec(struct fl_backend *b, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	struct host *h = host_of(b);

	h->line = st->line;
	if (st >= b->sc->stmts && st < b->sc->stmts + b->sc->nstmts)
		h->stmts_run = (unsigned)(st - b->sc->stmts) + 1;
	if (h->refusal[0]) {
		snprintf(obs->why, sizeof(obs->why), "%s", h->refusal);
		obs->why_names_stmt = true;
		return -EOPNOTSUPP;
	}
	switch (st->verb) {
	case FL_SC_PROCESS: case FL_SC_USE: case FL_SC_FORK: case FL_SC_EXIT:
		return exec_process(h, st, args, obs);
	case FL_SC_FILE:
		return exec_file(h, st, args, obs);
	case FL_SC_PIPE:
		return exec_pipe(h, st, args, obs);
	case FL_SC_DIR:
		return exec_dir(h, st, args, obs);
	case FL_SC_OPEN:
		return exec_open(h, args, obs);
	case FL_SC_SOCKETPAIR:
		return exec_socketpair(h, st, args, obs);
	case FL_SC_CLOSE:
		return exec_close(h, args, obs);
	case FL_SC_MMAP:
		return exec_mmap(h, st, args, obs);
	case FL_SC_MUNMAP: case FL_SC_MPROTECT: case FL_SC_MADVISE:
		return exec_vm_change(h, st, args, obs);
	case FL_SC_MREMAP:
		return fl_host_mremap(h, st, args, obs);
	case FL_SC_STORE: case FL_SC_LOAD: case FL_SC_POKE:
		return exec_access(h, st, args, obs);
	case FL_SC_CALL:
		return exec_call(h, st, args, obs);
	case FL_SC_WAIT:
		return fl_host_wait(h, args, obs);
	case FL_SC_TAG: case FL_SC_POISON:      /* a guest's (host_refuse.c) */
		return fl_host_guest_stmt(h, st, args, obs);
	default:        /* evict: refused at open */
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

/* Host backends with a scenario open on the agent's stream. */
static unsigned agent_scenarios;

static void host_free(struct host *h)
{
	if (h->on_agent)
		agent_scenarios--;
	fl_host_link_fini(&h->link);
	free(h->map_base);
	free(h->mapped);
	free(h->uffd);
	free(h->task_st);
	free(h->task_proc);
	free(h->pin_proc);
	free(h->snap_map_base);
	free(h->snap_mapped);
	fl_host_batch_free(h);
	free(h);
}

/* ---- the agent: one per process ---- */

/*
 * FAULTLINE_HOST_AGENT=COMMAND: the scenario processes are the children
 * of an agent, COMMAND run by /bin/sh with a socket for its standard
 * input and output (fl-agent here; a guest's console in a VM).  fd -1:
 * not started; lost[0]: gone, and why.
 */
static struct {
	int fd;
	pid_t pid;
	char cmd[512];
	struct host_hello hello;        /* its first HELLO's answer */
	int said_fd;                    /* FL_AGENT_TAIL_ENV's pipe: why it ended */
	char said[1400];                /* read from said_fd once it was reaped */
	char lost[1800];
	unsigned restarts;              /* after a statement that never returned */
} agent = { .fd = -1, .pid = -1, .said_fd = -1 };

/* A judge that stalls this often in one batch is not restarted again. */
#define AGENT_MAX_RESTARTS 4

/*
 * What the reaped agent said of its end on said_fd (`kernels agent`: the
 * guest's last console lines, cli/cmd_kernels.c), into agent.said.
 */
static void agent_read_said(void)
{
	ssize_t n = 0;

	agent.said[0] = 0;
	if (agent.said_fd < 0)
		return;
	n = read(agent.said_fd, agent.said, sizeof(agent.said) - 1);
	for (; n > 0 && (unsigned char)agent.said[n - 1] <= ' '; n--)
		;               /* one line: echo's newline is no part of it */
	agent.said[n > 0 ? n : 0] = 0;
	for (; n > 0; n--)
		if ((unsigned char)agent.said[n - 1] < ' ')
			agent.said[n - 1] = ' ';
	close(agent.said_fd);
	agent.said_fd = -1;
}

/*
 * Close the stream and reap the agent: EOF ends it (`kernels agent` kills
 * its QEMU); one that does not end within 10 s is killed.  Then read what
 * it said of its end.
 */
static void agent_stop(void)
{
	int i;

	if (agent.fd >= 0)
		close(agent.fd);
	agent.fd = -1;
	for (i = 0; agent.pid > 0 && i < 1000; i++) {
		if (waitpid(agent.pid, NULL, WNOHANG) != 0)
			agent.pid = -1;
		else
			usleep(10000);
	}
	if (agent.pid > 0) {
		kill(agent.pid, SIGKILL);
		waitpid(agent.pid, NULL, 0);
	}
	agent.pid = -1;
	agent_read_said();
}

/*
 * The agent's stream failed (ERR, at LINE, 0: its HELLO): it is gone.  A
 * judge that stopped answering at a statement (a one-CPU guest spinning in
 * a live-locked system call: the call's outcome is `timeout`) is stopped
 * and started again for the next scenario, a new boot of the same kernel,
 * up to AGENT_MAX_RESTARTS times; the note goes to stderr.
 */
static void agent_lose(int err, unsigned line)
{
	char at[48] = "";

	if (err == -ETIMEDOUT && line && agent.restarts < AGENT_MAX_RESTARTS) {
		agent.restarts++;
		agent_stop();
		fprintf(stderr, "faultline: judge: no answer after line %u (Linux %s): "
			"restarting it for the next scenario (%u of %u)\n", line,
			agent.hello.release, agent.restarts, AGENT_MAX_RESTARTS);
		return;
	}

	agent_stop();
	if (line)
		snprintf(at, sizeof(at), " at a scenario's line %u", line);
	snprintf(agent.lost, sizeof(agent.lost), "agent '%.200s'%s%s%s stopped answering%s: %s%s%s",
		 agent.cmd, agent.hello.release[0] ? " (Linux " : "", agent.hello.release,
		 agent.hello.release[0] ? ")" : "", at,
		 err == -ETIMEDOUT ? "no reply in time (the guest hung?)"
		 : err == -EPIPE || err == -ECONNRESET ? "it exited"
		 : err == -EPROTO ? "a bad frame" : strerror(-err),
		 agent.said[0] ? ": " : "", agent.said);
}

/*
 * The agent's side of said_fd: open across exec, named by FL_AGENT_TAIL_ENV
 * (in the child: setenv after fork is safe here, the runner forks the
 * agent from its one thread).
 */
static void agent_child_said(int fd)
{
	char num[16];

	if (fd < 0 || fcntl(fd, F_SETFD, 0))
		return;
	snprintf(num, sizeof(num), "%d", fd);
	setenv(FL_AGENT_TAIL_ENV, num, 1);
}

static int agent_start(const char *cmd)
{
	static bool registered;
	int sv[2], said[2] = { -1, -1 };
	pid_t pid;

	if (pipe2(said, O_CLOEXEC | O_NONBLOCK))
		said[0] = said[1] = -1;         /* the agent just cannot say why */
	pid = fl_host_fork_pair(sv);
	if (pid < 0) {
		if (said[0] >= 0)
			close(said[0]), close(said[1]);
		return pid;
	}
	if (pid == 0) {         /* dup2() leaves the copies open across exec */
		if (dup2(sv[1], 0) < 0 || dup2(sv[1], 1) < 0)
			_exit(127);
		agent_child_said(said[1]);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	if (said[1] >= 0)
		close(said[1]);
	agent.said_fd = said[0];
	if (!registered)
		atexit(agent_stop);
	registered = true;
	agent.fd = sv[0];
	agent.pid = pid;
	snprintf(agent.cmd, sizeof(agent.cmd), "%s", cmd);
	return 0;
}

const char *fl_host_agent_lost(void)
{
	return agent.lost[0] ? agent.lost : NULL;
}

/* H's link through the agent, started at the first scenario. */
static int open_agent(struct host *h, const char *cmd, int timeout_ms)
{
	bool first = agent.fd < 0;
	int err;

	if (agent.lost[0])
		return -EPIPE;
	if (first && (err = agent_start(cmd)))
		return err;
	err = fl_host_link_init_stream(&h->link, h->nnames, timeout_ms, agent.fd, agent.fd);
	if (!err && first)
		agent.hello = h->link.hello;
	if (err && !h->link.broken)     /* -EPROTO: not an agent, or another version */
		h->link.broken = err;
	if (h->link.broken) {
		err = h->link.broken;
		fl_host_link_fini(&h->link);
		agent_lose(err, 0);
	}
	return err;
}

/* The agent's HELLO into *HELLO, starting it with an empty scenario if need be. */
static int agent_hello(const char *cmd, struct host_hello *hello)
{
	struct host h = { .nnames = 1 };
	int err;

	if (agent.fd < 0 && !agent.lost[0]) {
		err = open_agent(&h, cmd, host_timeout_ms());
		if (err)
			return err;
		fl_host_link_fini(&h.link);     /* BYE: the stream stays open */
	}
	if (agent.lost[0])
		return -EPIPE;
	*hello = agent.hello;
	return 0;
}

int fl_host_judge(struct fl_host_judge *j)
{
	const char *cmd = getenv("FAULTLINE_HOST_AGENT");
	struct host_hello hello = { 0 };
	char word[40];
	struct utsname u;
	int err, i;

	memset(j, 0, sizeof(*j));
	j->arch = -1;
	if (cmd && *cmd) {
		err = agent_hello(cmd, &hello);
		if (err)
			return err;
	} else if (uname(&u) == 0) {    /* this machine's CPU counts as current */
		snprintf(hello.machine, sizeof(hello.machine), "%.31s", u.machine);
		fl_host_upstream_release(u.release, u.version, hello.release,
					 sizeof(hello.release));
	}
	snprintf(j->release, sizeof(j->release), "%.63s", hello.release);
	snprintf(j->machine, sizeof(j->machine), "%.31s", hello.machine);
	j->kver = fl_host_release_kver(hello.release);
	fl_host_arch_word(hello.machine, hello.caps, word, sizeof(word));
	for (i = 0; i < FL_ARCH_COUNT; i++)
		if (!strcmp(fl_arch((enum fl_arch_id)i)->name, word))
			j->arch = i;
	j->kconfig_off = !(cmd && *cmd) ? fl_host_kconfig_off()
		       : (hello.caps & HOST_CAP_NO_MEMORY_FAILURE ? FL_KCONFIG_MEMORY_FAILURE : 0) |
			 (hello.caps & HOST_CAP_NO_SOFT_DIRTY ? FL_KCONFIG_MEM_SOFT_DIRTY : 0) |
			 (hello.caps & HOST_CAP_NO_ZERO_PAGE ? FL_KCONFIG_ZERO_PAGE : 0) |
			 (hello.caps & HOST_CAP_NO_HUGE_ZERO_PAGE ? FL_KCONFIG_HUGE_ZERO_PAGE : 0);
	if (j->arch == FL_ARCH_X86_64 && cmd && *cmd)
		j->cpu_off = (hello.caps & HOST_CAP_X86_ERMS ? 0 : FL_CPU_X86_ERMS) |
			     (hello.caps & HOST_CAP_X86_FSRM ? 0 : FL_CPU_X86_FSRM);
	if (j->arch == FL_ARCH_ARM64_MTE && (hello.caps & HOST_CAP_MTE_TAG_ALIAS))
		j->cpu_off |= FL_CPU_ARM64_MTE_PAGE_OFFSET;
	return 0;
}

static int open_link(struct host *h, struct fl_obs *obs)
{
	const char *cmd = getenv("FAULTLINE_HOST_AGENT");
	int timeout_ms = host_timeout_ms(), err;

	if (!cmd || !*cmd)
		return fl_host_link_init(&h->link, h->nnames, timeout_ms);
	err = open_agent(h, cmd, timeout_ms);
	if (err)
		snprintf(obs->why, sizeof(obs->why), "host backend: %.230s", agent.lost);
	return err;
}

/* The raw loop's set-up and loop, on H's link: process 0, file 1. */
static int bench_pread_on(struct host *h, const uint32_t *pairs, unsigned n,
			  uint64_t min_ns, struct host_rep *rep)
{
	struct host_req rq = { .op = HOST_OP_MMAP,
			       .a = { 0, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE } };
	uint64_t base;
	int err = fl_host_link_spawn(&h->link, 0);

	if (err < 0)
		return err;
	err = fl_host_link_file(&h->link, 1, 4096, 0);
	if (!err)
		err = fl_host_link_request(&h->link, 0, &rq, NULL, NULL, rep, NULL);
	if (err || rep->ret == -1)
		return err ? err : -rep->err;
	base = (uint64_t)rep->ret;
	rq = (struct host_req){ .op = HOST_OP_MPROTECT, .a = { base + 4096, 4096, PROT_NONE } };
	err = fl_host_link_request(&h->link, 0, &rq, NULL, NULL, rep, NULL);
	if (err || rep->ret == -1)
		return err ? err : -rep->err;
	rq = (struct host_req){ .op = HOST_OP_RAW_PREAD, .slot = 1,
				.a = { base + 4096, min_ns }, .dlen = 2ull * n * sizeof(*pairs) };
	err = fl_host_link_request(&h->link, 0, &rq, NULL, pairs, rep, NULL);
	return err ? err : rep->ret == -1 ? -rep->err : 0;
}

int fl_host_bench_pread(const uint32_t *pairs, unsigned n, uint64_t min_ns,
			uint64_t *calls, uint64_t *ns)
{
	struct host h = { .nnames = 2 };
	struct fl_obs obs = { 0 };
	struct host_rep rep = { 0 };
	int err = open_link(&h, &obs);

	if (err)
		return err;
	err = bench_pread_on(&h, pairs, n, min_ns, &rep);
	fl_host_link_fini(&h.link);
	*calls = (uint64_t)rep.ret;
	*ns = rep.moved;
	return err;
}

static uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * N exchanges of a judged case's size that do no work, on H's link: a
 * REQUEST frame naming no process of the scenario, which the agent reads
 * and answers -EINVAL itself (TO_AGENT), or a restore without a snapshot,
 * which process 0 answers -1/EOPNOTSUPP.  0, or -errno: any other answer.
 */
static int bench_echo_on(struct host *h, bool to_agent, unsigned n)
{
	struct host_req rq = { .op = HOST_OP_RESTORE };
	struct host_rep rep;
	unsigned i;
	int err = 0;

	for (i = 0; i < n && !err; i++) {
		err = fl_host_link_request(&h->link, to_agent ? h->nnames : 0, &rq, NULL, NULL,
					   &rep, NULL);
		if (to_agent)
			err = err == -EINVAL ? 0 : err ? err : -EPROTO;
		else if (!err && (rep.ret != -1 || rep.err != EOPNOTSUPP))
			err = -EPROTO;
	}
	return err;
}

int fl_host_bench_echo(bool to_agent, unsigned n, uint64_t *ns)
{
	struct host h = { .nnames = 1 };
	struct fl_obs obs = { 0 };
	uint64_t t0;
	int err = open_link(&h, &obs);

	if (err)
		return err;
	if (to_agent && h.link.wfd < 0)
		err = -EOPNOTSUPP;      /* no agent: the runner's own children */
	if (!err && !to_agent)
		err = fl_host_link_spawn(&h.link, 0) < 0 ? -ECHILD : 0;
	t0 = bench_now_ns();
	if (!err)
		err = bench_echo_on(&h, to_agent, n);
	*ns = bench_now_ns() - t0;
	fl_host_link_fini(&h.link);
	return err;
}

int fl_host_btrfs_items(unsigned long items, size_t itemlen, uint8_t *buf, size_t len)
{
	struct host_req rq = { .op = HOST_OP_BTRFS_ITEMS, .a = { items, itemlen, len } };
	struct host h = { .nnames = 1 };
	struct host_rep rep = { 0 };
	struct fl_obs obs = { 0 };
	uint8_t *out = NULL;
	const char *cmd = getenv("FAULTLINE_HOST_AGENT");
	int err;

	if (!cmd || !*cmd || agent.fd < 0 || !(agent.hello.caps & HOST_CAP_BTRFS))
		return -EOPNOTSUPP;
	if (agent_scenarios)    /* a scenario of its own would end the one open */
		return -EBUSY;
	err = open_link(&h, &obs);
	if (err)
		return err;
	err = fl_host_link_spawn(&h.link, 0);
	if (err >= 0)
		err = fl_host_link_request(&h.link, 0, &rq, NULL, NULL, &rep, &out);
	fl_host_link_fini(&h.link);
	if (err >= 0 && rep.ret == -1)
		err = -rep.err;
	else if (err >= 0 && ((unsigned long)rep.ret != items || !out || rep.dlen != len))
		err = -ENODATA;
	else if (err >= 0)
		memcpy(buf, out, len);
	free(out);
	return err < 0 ? err : 0;
}

/* A hugetlb mapping or file anywhere in SC: it takes pages of the pool. */
static bool sc_uses_pool(const struct fl_scenario *sc)
{
	unsigned i;

	for (i = 0; i < sc->nstmts; i++) {
		const struct fl_sc_stmt *st = &sc->stmts[i];
		const struct fl_sc_arg *huge = fl_sc_key(st, "hugetlb");
		const struct fl_sc_arg *fs = fl_sc_key(st, "fs");

		if ((st->verb == FL_SC_MMAP && huge && huge->u.value) ||
		    (st->verb == FL_SC_FILE && fs && fs->u.value == HOST_FS_HUGETLBFS))
			return true;
	}
	return false;
}

/*
 * MADV_FREE or MADV_PAGEOUT advice anywhere in SC (madvise, call madvise,
 * call process_madvise): what it leaves depends on the
 * CPU each statement ran on.  A fault adds its new folio to a per-CPU
 * batch, not to the LRU; MADV_FREE moves a folio to the lazyfree list
 * through another per-CPU batch; MADV_PAGEOUT drains only the batches of
 * the CPU it runs on (lru_add_drain()) and reclaims only folios on an
 * LRU.  A process that moved to another CPU between its stores and its
 * advice finds the folios still in the first CPU's batches: a lazyfree
 * page is then kept, not discarded, and an anonymous page is not swapped
 * (seen once in CI: tests/host/madv-free.fl read 0x41 where the page
 * should have been gone).  Its processes run on one CPU, and the judge
 * answers as the model, which has one CPU (docs/host.md "One CPU").
 */
static bool stmt_reclaims(const struct fl_sc_stmt *st)
{
	unsigned i;

	for (i = 0; i < st->nargs; i++)
		if (st->args[i].kind == FL_SC_ADVICE &&
		    (st->args[i].u.value == FL_MADV_FREE || st->args[i].u.value == FL_MADV_PAGEOUT))
			return true;
	return false;
}

static bool sc_reclaims(const struct fl_scenario *sc)
{
	unsigned i;

	for (i = 0; i < sc->nstmts; i++)
		if (stmt_reclaims(&sc->stmts[i]))
			return true;
	return false;
}

/*
 * A scenario that maps huge pages holds the pool of this machine from
 * before its judge counts the free pages (the agent's HELLO, or the
 * refusal) until its processes are dead (host_close): another faultline
 * process's pages are not the kernel's answer (docs/host.md "Huge
 * pages").  The runner holds it for its agent too, which on this machine
 * shares the pool and in a guest has a pool of its own: waiting on the
 * agent's side would count against the statement timeout.
 */
static void hold_pool(struct host *h, const struct fl_scenario *sc)
{
	if (!sc_uses_pool(sc))
		return;
	fl_host_pool_hold();
	h->pool_held = true;
}

static int host_open(struct fl_backend *b, fl_kver_t kver, enum fl_arch_id arch)
{
	struct host *h = calloc(1, sizeof(*h));
	struct fl_obs obs = { 0 };
	unsigned n = b->sc->nnames + 1;
	int err;

	(void)kver;     /* the scenario's own `kernel` line is what counts */
	if (!h)
		return -ENOMEM;
	h->b = b;
	h->nnames = n;
	h->link.rfd = h->link.wfd = -1;
	h->one_cpu = sc_reclaims(b->sc);
	h->cpu = -1;
	h->map_base = calloc(n, sizeof(*h->map_base));
	h->mapped = calloc(n, sizeof(*h->mapped));
	h->uffd = calloc(n, sizeof(*h->uffd));
	if (!h->map_base || !h->mapped || !h->uffd) {
		host_free(h);
		return -ENOMEM;
	}
	b->priv = h;
	/* An agent is not started for what no machine can run. */
	if (getenv("FAULTLINE_HOST_AGENT") && fl_host_refuses(h, b->sc, arch, false))
		return 0;
	hold_pool(h, b->sc);
	err = open_link(h, &obs);
	if (!err && agent.fd >= 0 && h->link.rfd == agent.fd) {
		h->on_agent = true;
		agent_scenarios++;
	}
	if (err || fl_host_refuses(h, b->sc, arch, true))
		return err;     /* close() frees h */
	return spawn_process(h, 0, &obs);
}

static void host_close(struct fl_backend *b)
{
	struct host *h = host_of(b);
	bool held;

	if (!h)
		return;
	if (h->link.broken)
		agent_lose(h->link.broken, h->line);
	held = h->pool_held;    /* let go after host_free's BYE: the processes are dead */
	host_free(h);
	b->priv = NULL;
	if (held)
		fl_host_pool_release();
}

/* ---- snapshot and restore: one process for many cases ---- */

/*
 * What cannot be gone back to by host_child_snap.c, seen before the
 * scenario process is asked: more than one process, a pipe or socket pair, a named
 * access, a guest statement, a userfaultfd call, and a file made after
 * the set-up (the process would refuse each of them at its first
 * restore: here it costs nothing).  FAULTLINE_HOST_SNAPSHOT=0 turns it
 * off: every case a process of its own, as before (bench judge's
 * "before", tests/cli/explore_diff_snap.sh).
 */
static bool host_snap_refused(const struct host *h)
{
	const char *env = getenv("FAULTLINE_HOST_SNAPSHOT");
	const struct fl_scenario *sc = h->b->sc;
	unsigned i;

	if ((env && !strcmp(env, "0")) || h->refusal[0] || !h->link.procs ||
	    !h->link.procs[0].alive)
		return true;
	for (i = 0; i < sc->nstmts; i++) {
		const struct fl_sc_stmt *st = &sc->stmts[i];
		const struct fl_backend_call *c;

		switch (st->verb) {
		case FL_SC_PROCESS: case FL_SC_USE: case FL_SC_FORK: case FL_SC_EXIT:
		case FL_SC_PIPE: case FL_SC_SOCKETPAIR: case FL_SC_WAIT: case FL_SC_TAG:
		case FL_SC_POISON: case FL_SC_CLOSE: case FL_SC_DIR: case FL_SC_OPEN:
		case FL_SC_MREMAP: case FL_SC_ON: case FL_SC_EVICT:
			return true;
		case FL_SC_FILE:
			if (i >= h->stmts_run)
				return true;
			break;
		case FL_SC_CALL:
			c = fl_backend_call(st->code);
			if (!c || c->cap != FL_CAP_SYSCALL)
				return true;
			break;
		default:
			break;
		}
	}
	return false;
}

/* One request to process 0: its ret, or -errno of the link. */
static int host_snap_op(struct host *h, enum host_op op, struct host_rep *rep)
{
	struct host_req rq = { .op = op };
	struct fl_obs obs = { 0 };
	int err = fl_host_request(h, 0, &rq, NULL, NULL, rep, NULL, &obs);

	return err ? err : rep->ret == -1 ? -rep->err : 0;
}

/*
 * The set-up ran (runner/run.c, fl_prefix_open()): the scenario process
 * keeps it (HOST_OP_SNAPSHOT), and so do the runner's tables of it.
 * -EOPNOTSUPP: this scenario runs every case whole.
 */
static int host_snapshot(struct fl_backend *b)
{
	struct host *h = host_of(b);
	struct host_rep rep;
	size_t n = h->nnames;

	if (host_snap_refused(h) || host_snap_op(h, HOST_OP_SNAPSHOT, &rep))
		return -EOPNOTSUPP;
	free(h->snap_map_base);
	free(h->snap_mapped);
	h->snap_map_base = malloc(n * sizeof(*h->snap_map_base));
	h->snap_mapped = malloc(n * sizeof(*h->snap_mapped));
	if (!h->snap_map_base || !h->snap_mapped)
		return -EOPNOTSUPP;
	memcpy(h->snap_map_base, h->map_base, n * sizeof(*h->map_base));
	memcpy(h->snap_mapped, h->mapped, n * sizeof(*h->mapped));
	h->snap_mapped_total = h->mapped_total;
	return 0;
}

/*
 * Back to the set-up for the next case.  No request of its own: the
 * restore rides on the case's first request (HOST_REQ_RESTORE, in
 * fl_host_request()), so a case is one message each way to the scenario
 * process - one frame each way to a guest's agent, whose console costs
 * per byte (docs/vm.md).  Whether it worked is known when the case has
 * run: host_settle().
 */
static int host_restore(struct fl_backend *b)
{
	struct host *h = host_of(b);
	size_t n = h->nnames;

	if (!h->snap_map_base)
		return -EAGAIN;
	h->restore_due = true;
	h->restore_failed = false;
	memcpy(h->map_base, h->snap_map_base, n * sizeof(*h->map_base));
	memcpy(h->mapped, h->snap_mapped, n * sizeof(*h->mapped));
	h->mapped_total = h->snap_mapped_total;
	h->cur = 0;
	if (h->batch)
		fl_host_batch_restore(h);
	return 0;
}

/*
 * The case ran: did the restore before it work?  -EAGAIN: no (the
 * process could not go back, host_child_snap.c invariant 2, and refused
 * the case's requests), or the process is gone: the case's run is void,
 * and the runner makes a new process and runs it again.  A case that
 * sent no request leaves the restore due: the next case's is the same.
 */
static int host_settle(struct fl_backend *b)
{
	struct host *h = host_of(b);
	int err = fl_host_batch_settle(h);

	return h->restore_failed && err >= 0 ? -EAGAIN : err;
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
	err = fl_host_request(h, h->cur, &rq, NULL, NULL, &rep, &data, &obs);
	if (err)
		return err;
	memcpy(buf, data, rep.dlen < len ? rep.dlen : len);
	free(data);
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
	.uffd_event = fl_host_uffd_event,
	.pagemap = fl_host_pagemap,
	.snapshot = host_snapshot,
	.restore = host_restore,
	.settle = host_settle,
	.batch = fl_host_batch,
};
