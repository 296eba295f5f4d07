/*
 * backend/host_link.c - the scenario processes of the host backend and
 * the descriptors they share (backend/host_link.h).
 *
 * Every scenario process is a real process: `p` and each `process NAME`
 * are forked from the link's process (the runner, or the agent), `fork
 * CHILD` is a real fork() of the scenario process, which hands the new
 * one the socket the link made for it.  Each process has rlimits
 * (fl_host_child_limits()), dies with the link's process
 * (PR_SET_PDEATHSIG, and EOF on its socket), and runs in one process
 * group, so a statement that outlives timeout_ms gets the whole group
 * SIGKILLed.
 *
 * On a stream link every function sends one frame to the agent instead
 * (host_stream.c) and keeps procs[].pid/alive as the agent reports them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backend/host_link.h"

int fl_host_link_init(struct host_link *l, unsigned nnames, int timeout_ms)
{
	unsigned i;

	memset(l, 0, sizeof(*l));
	l->rfd = l->wfd = -1;
	l->private_fd[0] = l->private_fd[1] = -1;
	l->nnames = nnames;
	l->timeout_ms = timeout_ms;
	l->procs = calloc(nnames, sizeof(*l->procs));
	l->fds = calloc(nnames, sizeof(*l->fds));
	if (!l->procs || !l->fds) {
		free(l->procs);
		free(l->fds);
		l->procs = NULL;
		l->fds = NULL;
		l->nnames = 0;
		return -ENOMEM;
	}
	for (i = 0; i < nnames; i++) {
		l->fds[i][0] = l->fds[i][1] = -1;
		l->procs[i].sock = -1;
	}
	return 0;
}

/* Kill every scenario process: the group, then each one we know of. */
/*
 * Reap PID after its SIGKILL, waiting HOST_REAP_MS at most: a task
 * spinning inside a system call that never checks for signals (btrfs
 * search_ioctl's live-lock in a guest, docs/vm.md) cannot die, and the
 * link must not hang with it.  true if it was reaped.
 */
static bool reap_bounded(pid_t pid)
{
	struct timespec ms = { 0, 1000000 };
	int i;

	for (i = 0; i < HOST_REAP_MS; i++) {
		if (waitpid(pid, NULL, WNOHANG) != 0)
			return true;
		nanosleep(&ms, NULL);
	}
	return false;
}

void fl_host_link_kill_all(struct host_link *l)
{
	unsigned i;

	if (l->pgid > 0)
		kill(-l->pgid, SIGKILL);
	for (i = 0; i < l->nnames; i++) {
		struct host_proc *p = &l->procs[i];

		if (!p->alive)
			continue;
		if (l->wfd < 0) {
			kill(p->pid, SIGKILL);
			if (p->direct)
				reap_bounded(p->pid);
			close(p->sock);
		}
		p->alive = false;
	}
}

/* State of process PID from /proc/PID/stat ('Z' a zombie), or 0 if gone. */
static char proc_state(pid_t pid)
{
	char path[40], state = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	/* "pid (comm) S ...": comm may hold spaces and parentheses */
	if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
		state = 0;
	fclose(f);
	return state;
}

/*
 * Until every process of the scenario is dead: a killed child's child
 * (`fork`) is not ours to reap, but it gives its memory back as it exits,
 * before it is a zombie, and the next scenario must not find it taken
 * (the hugetlb pool is counted: docs/host.md "Huge pages").  Bounded as
 * the reaping of our own children is.
 */
static void wait_children_dead(const struct host_link *l)
{
	struct timespec ms = { 0, 1000000 };
	unsigned i;
	int t;

	for (i = 0; i < l->nnames; i++) {
		const struct host_proc *p = &l->procs[i];
		char st;

		if (p->direct || p->pid <= 0)
			continue;
		for (t = 0; t < HOST_REAP_MS; t++) {
			st = proc_state(p->pid);
			if (!st || st == 'Z' || st == 'X')
				break;
			nanosleep(&ms, NULL);
		}
	}
}

/* The scenario ends at the agent; the stream stays open for the next. */
static void stream_bye(struct host_link *l)
{
	struct host_frame f = { HOST_FRAME_MAGIC, HOST_LINK_BYE, 0, 0, 0 };
	struct host_frame_rep fr;

	fl_host_stream_call(l, &f, NULL, NULL, NULL, &fr, NULL);
}

void fl_host_link_fini(struct host_link *l)
{
	unsigned i;

	if (l->wfd >= 0 && !l->broken)
		stream_bye(l);
	fl_host_link_kill_all(l);
	if (l->wfd < 0)
		wait_children_dead(l);
	fl_host_link_dirs_fini(l);
	for (i = 0; i < l->nnames; i++) {
		if (l->fds[i][0] >= 0)
			close(l->fds[i][0]);
		if (l->fds[i][1] >= 0)
			close(l->fds[i][1]);
	}
	free(l->procs);
	free(l->fds);
	memset(l, 0, sizeof(*l));
	l->rfd = l->wfd = -1;
	l->private_fd[0] = l->private_fd[1] = -1;
}

static int set_timeouts(const struct host_link *l, int sock)
{
	struct timeval tv = { l->timeout_ms / 1000, (l->timeout_ms % 1000) * 1000 };

	if (setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		return -errno;
	return 0;
}

/* In the new process: drop the link's ends of the other processes' sockets. */
static void __attribute__((noreturn)) child_start(struct host_link *l, int sock,
						  pid_t parent)
{
	struct host_child_env env = { sock, l->fds, l->nnames };
	unsigned i;

	for (i = 0; i < l->nnames; i++)
		if (l->procs[i].alive)
			close(l->procs[i].sock);
	for (i = 0; i < 2; i++)
		if (l->private_fd[i] >= 0)
			close(l->private_fd[i]);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)        /* the link's process died before the prctl */
		_exit(1);
	if (setpgid(0, l->pgid) && setpgid(0, 0))
		_exit(1);
	fl_host_child_limits();
	fl_host_child_main(&env);
}

pid_t fl_host_fork_pair(int sv[2])
{
	pid_t pid;
	int err;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	fflush(NULL);   /* nothing buffered is written twice */
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(sv[0]);
		close(sv[1]);
		return err;
	}
	return pid;
}

static int frame_simple(struct host_link *l, uint32_t op, unsigned id, uint32_t arg32,
			uint64_t arg, struct host_frame_rep *fr)
{
	struct host_frame f = { HOST_FRAME_MAGIC, op, id, arg32, arg };

	return fl_host_stream_call(l, &f, NULL, NULL, NULL, fr, NULL);
}

int fl_host_link_spawn(struct host_link *l, unsigned id)
{
	pid_t parent = getpid(), pid;
	struct host_frame_rep fr;
	int sv[2], err;

	if (l->wfd >= 0) {
		err = frame_simple(l, HOST_LINK_SPAWN, id, 0, 0, &fr);
		if (!err)
			l->procs[id] = (struct host_proc){ (pid_t)fr.val, -1, true, true };
		return err ? err : (int)fr.val;
	}
	pid = fl_host_fork_pair(sv);
	if (pid < 0)
		return pid;
	if (pid == 0) {
		close(sv[0]);
		child_start(l, sv[1], parent);
	}
	close(sv[1]);
	/* Both sides set the group, so it is set whichever runs first. */
	if (setpgid(pid, l->pgid > 0 ? l->pgid : pid) == 0 && l->pgid <= 0)
		l->pgid = pid;
	l->procs[id] = (struct host_proc){ pid, sv[0], true, true };
	err = set_timeouts(l, sv[0]);
	return err ? err : pid;
}

/* Process ID died or did not answer (ERR): note why, kill what must be. */
static int link_lost(struct host_link *l, unsigned id, int err)
{
	struct host_proc *p = &l->procs[id];
	int status = 0;

	if (err == -EAGAIN || err == -EWOULDBLOCK) {
		fl_host_link_kill_all(l);
		return -ETIMEDOUT;
	}
	l->lost_sig = 0;
	l->lost_err = -err;
	if (p->direct && waitpid(p->pid, &status, 0) == p->pid && WIFSIGNALED(status))
		l->lost_sig = WTERMSIG(status);
	close(p->sock);
	p->alive = false;
	return -ECHILD;
}

/* The exchange itself; FD rides on the request, *GOT is one on the reply. */
static int exchange(struct host_link *l, unsigned id, const struct host_req *rq,
		    const void *iov, const void *data, int fd, struct host_rep *rep,
		    uint8_t **out, int *got)
{
	struct host_proc *p = &l->procs[id];
	uint8_t *buf = NULL;
	int err;

	*got = -1;
	if (!p->alive)
		return -ESRCH;
	err = fl_host_send(p->sock, rq, sizeof(*rq), iov, rq->niov * sizeof(struct host_iov),
			   data, rq->dlen, fd);
	if (!err)
		err = fl_host_recv_hdr(p->sock, rep, sizeof(*rep), got);
	if (!err && rep->dlen > HOST_MAX_DATA)
		err = -EPROTO;
	if (!err) {
		buf = malloc(rep->dlen + 1);
		err = buf ? fl_host_recv_all(p->sock, buf, rep->dlen) : -ENOMEM;
	}
	if (err) {
		free(buf);
		if (*got >= 0)
			close(*got);
		*got = -1;
		return err == -ENOMEM ? err : link_lost(l, id, err);
	}
	if (out)
		*out = buf;
	else
		free(buf);
	return 0;
}

/*
 * Hand descriptor SLOT/WHICH to every live process but EXCEPT (nnames:
 * none); a process made later inherits fds[][].
 */
static int install_everywhere(struct host_link *l, unsigned slot, unsigned which,
			      unsigned except)
{
	struct host_req rq = { .op = HOST_OP_INSTALL, .slot = slot, .which = which };
	struct host_rep rep;
	unsigned i;
	int err, got;

	for (i = 0; i < l->nnames; i++) {
		if (!l->procs[i].alive || i == except)
			continue;
		err = exchange(l, i, &rq, NULL, NULL, l->fds[slot][which], &rep, NULL, &got);
		if (err)
			return err;
	}
	return 0;
}

/*
 * userfaultfd as=U: made in process ID, whose mm it serves for ever; its
 * descriptor came back with the reply and is handed to every other
 * process, as a file is.  U named another context before: that one
 * stays open in the processes that use it.
 */
static int share_uffd(struct host_link *l, unsigned id, unsigned slot, int fd)
{
	if (!slot || slot >= l->nnames) {     /* no as=: names[0] is `p` */
		close(fd);
		return 0;
	}
	if (l->fds[slot][0] >= 0)
		close(l->fds[slot][0]);
	l->fds[slot][0] = fd;
	return install_everywhere(l, slot, 0, id);
}

int fl_host_link_request(struct host_link *l, unsigned id, const struct host_req *rq,
			 const void *iov, const void *data, struct host_rep *rep,
			 uint8_t **out)
{
	struct host_frame f = { HOST_FRAME_MAGIC, HOST_LINK_REQUEST, id, 0, 0 };
	struct host_frame_rep fr;
	int err, got;

	if (l->wfd >= 0) {
		err = fl_host_stream_call(l, &f, rq, iov, data, &fr, out);
		*rep = fr.rep;
		return err;
	}
	err = exchange(l, id, rq, iov, data, -1, rep, out, &got);
	if (err || got < 0)
		return err;
	if (rq->op == HOST_OP_UFFD_NEW && rep->ret >= 0)
		return share_uffd(l, id, rq->slot, got);
	/*
	 * uffd_read U as=C of a FORK message: the child's context, named C in
	 * every process, the reader too (its copy is in its log, unnamed).
	 */
	if (rq->op == HOST_OP_UFFD_READ && rq->a[1] && rep->ret >= 0)
		return share_uffd(l, l->nnames, (unsigned)rq->a[1] - 1, got);
	close(got);     /* no other reply carries one */
	return 0;
}

int fl_host_link_fork(struct host_link *l, unsigned parent, unsigned id,
		      struct host_rep *rep)
{
	struct host_req rq = { .op = HOST_OP_FORK };
	struct host_frame_rep fr;
	int sv[2], err, got;

	if (l->wfd >= 0) {
		err = frame_simple(l, HOST_LINK_FORK, parent, id, 0, &fr);
		*rep = fr.rep;
		if (!err && rep->ret > 0)
			l->procs[id] = (struct host_proc){ (pid_t)rep->ret, -1, true, false };
		return err;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		*rep = (struct host_rep){ .ret = -1, .err = errno };
		return 0;
	}
	err = exchange(l, parent, &rq, NULL, NULL, sv[1], rep, NULL, &got);
	close(sv[1]);
	if (!err && got >= 0)
		close(got);
	if (err || rep->ret < 0) {
		close(sv[0]);
		return err;
	}
	l->procs[id] = (struct host_proc){ (pid_t)rep->ret, sv[0], true, false };
	return set_timeouts(l, sv[0]);
}

int fl_host_link_exit(struct host_link *l, unsigned id)
{
	struct host_req rq = { .op = HOST_OP_EXIT };
	struct host_proc *p = &l->procs[id];
	struct host_frame_rep fr;
	struct host_rep rep;
	int err, got;

	if (!p->alive)
		return -ESRCH;
	if (l->wfd >= 0) {
		err = frame_simple(l, HOST_LINK_EXIT, id, 0, 0, &fr);
		p->alive = false;
		return err;
	}
	fl_host_send(p->sock, &rq, sizeof(rq), NULL, 0, NULL, 0, -1);
	fl_host_recv_hdr(p->sock, &rep, sizeof(rep), &got);   /* EOF */
	if (p->direct)
		waitpid(p->pid, NULL, 0);
	close(p->sock);
	p->alive = false;
	return 0;
}

int fl_host_link_frame(struct host_link *l, uint32_t op, unsigned id, uint32_t arg32,
		       uint64_t arg, struct host_frame_rep *fr)
{
	return frame_simple(l, op, id, arg32, arg, fr);
}

int fl_host_link_install_file(struct host_link *l, unsigned id, int fd)
{
	l->fds[id][0] = fd;
	return install_everywhere(l, id, 0, l->nnames);
}

int fl_host_link_file(struct host_link *l, unsigned id, uint64_t size, unsigned fs)
{
	struct host_frame_rep fr;
	const char *dir = NULL;
	int fd, err;

	unsigned sealing = fs & HOST_FILE_SEALING ? MFD_ALLOW_SEALING : 0;

	if (l->wfd >= 0)
		return frame_simple(l, HOST_LINK_FILE, id, fs, size, &fr);
	fs &= ~HOST_FILE_SEALING;
	if (fs == HOST_FS_HUGETLBFS)    /* the pool was checked (host_refuse.c) */
		fd = memfd_create("faultline", MFD_CLOEXEC | MFD_HUGETLB | sealing);
	else if (fs && sealing)
		return -EINVAL;         /* no memfd on ext4, btrfs (mm/memfd.c) */
	else if (fs && !(dir = fl_host_tmp_dir(fs)))
		return -ENOENT;         /* host_refuse.c said so before the scenario */
	else if (fs)
		fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	else
		fd = memfd_create("faultline", MFD_CLOEXEC | sealing);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size)) {
		err = -errno;
		close(fd);
		return err;
	}
	l->fds[id][0] = fd;
	return install_everywhere(l, id, 0, l->nnames);
}

/*
 * open NAME FILE MODE: FILE's inode opened again through its descriptor
 * here (/proc/self/fd/N opens the file, not a copy of the descriptor:
 * a memfd or an O_TMPFILE file has no other name), with ACC.
 */
int fl_host_link_open(struct host_link *l, unsigned id, unsigned src, unsigned acc)
{
	struct host_frame_rep fr;
	char path[64];
	int fd;

	if (l->wfd >= 0)
		return frame_simple(l, HOST_LINK_OPEN, id, acc, src, &fr);
	if (acc > O_RDWR || l->fds[src][0] < 0)
		return -EINVAL;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", l->fds[src][0]);
	fd = open(path, (int)acc | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	l->fds[id][0] = fd;
	return install_everywhere(l, id, 0, l->nnames);
}

/*
 * Pipes are O_NONBLOCK unless BLOCKING: the link keeps both ends open, so
 * a read of an empty pipe answers EAGAIN; a blocking pipe's calls run on
 * guarded workers (host_child.c) and a wait is `blocked`.
 */
int fl_host_link_pipe(struct host_link *l, unsigned id, bool blocking)
{
	struct host_frame_rep fr;
	int err;

	if (l->wfd >= 0)
		return frame_simple(l, HOST_LINK_PIPE, id, blocking, 0, &fr);
	if (pipe2(l->fds[id], O_CLOEXEC | (blocking ? 0 : O_NONBLOCK)))
		return -errno;
	err = install_everywhere(l, id, 0, l->nnames);
	return err ? err : install_everywhere(l, id, 1, l->nnames);
}

/*
 * A guest's init may leave `lo` down: bring it up through the AF_INET
 * socket S (on the host it is up, and the unprivileged runner never needs
 * the ioctl).
 */
static void lo_up(int s)
{
	struct ifreq ifr = { .ifr_name = "lo" };

	if (!ioctl(s, SIOCGIFFLAGS, &ifr) && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(s, SIOCSIFFLAGS, &ifr);
	}
}

/*
 * The two ends of a TCP connection over loopback: a listener on
 * 127.0.0.1, port chosen by the kernel, connected to and accepted, then
 * closed.
 */
static int tcp_pair(int sv[2])
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int ls, err = 0;

	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0)
		return -errno;
	lo_up(ls);
	sv[0] = sv[1] = -1;
	if (bind(ls, (struct sockaddr *)&a, alen) || listen(ls, 1) ||
	    getsockname(ls, (struct sockaddr *)&a, &alen))
		goto out_errno;
	sv[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sv[0] < 0 || connect(sv[0], (struct sockaddr *)&a, alen))
		goto out_errno;
	sv[1] = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (sv[1] < 0 || fcntl(sv[0], F_SETFL, O_NONBLOCK))
		goto out_errno;
	goto out;
out_errno:
	err = -errno;
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	sv[0] = sv[1] = -1;
out:
	close(ls);
	return err;
}

/*
 * Two UDP sockets on 127.0.0.1, each bound to a port the kernel chose and
 * connected to the other's (so each is TCP_ESTABLISHED and takes only the
 * other's datagrams), both O_NONBLOCK.
 */
static int udp_pair(int sv[2])
{
	struct sockaddr_in a[2];
	socklen_t alen = sizeof(a[0]);
	unsigned i;
	int err = 0;

	sv[0] = sv[1] = -1;
	for (i = 0; i < 2; i++) {
		a[i] = (struct sockaddr_in){ .sin_family = AF_INET,
					     .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		sv[i] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (sv[i] >= 0 && !i)
			lo_up(sv[i]);
		if (sv[i] < 0 || bind(sv[i], (struct sockaddr *)&a[i], alen) ||
		    getsockname(sv[i], (struct sockaddr *)&a[i], &alen))
			goto out_errno;
	}
	for (i = 0; i < 2; i++)
		if (connect(sv[i], (struct sockaddr *)&a[!i], alen))
			goto out_errno;
	return 0;
out_errno:
	err = -errno;
	for (i = 0; i < 2; i++)
		if (sv[i] >= 0)
			close(sv[i]);
	sv[0] = sv[1] = -1;
	return err;
}

static int make_pair(int sv[2], uint32_t how, uint64_t sndbuf)
{
	/* the `socketpair` statement's SOCKTYPE: stream, dgram, tcp, seqpacket, udp */
	static const int unix_type[] = { SOCK_STREAM, SOCK_DGRAM, 0, SOCK_SEQPACKET };
	unsigned type = how & 0xffu, i;
	int val = sndbuf > INT_MAX ? INT_MAX : (int)sndbuf, err;

	if (type == HOST_SOCK_TCP)
		err = tcp_pair(sv);
	else if (type == HOST_SOCK_UDP)
		err = udp_pair(sv);
	else if (type < sizeof(unix_type) / sizeof(unix_type[0]))
		err = socketpair(AF_UNIX, unix_type[type] | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
				 sv) ? -errno : 0;
	else
		err = -EINVAL;
	if (err)
		return err;
	for (i = 0; (how & HOST_SOCK_SNDBUF) && i < 2; i++)
		if (setsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &val, sizeof(val)))
			goto out_close;
	for (i = 0; (how & HOST_SOCK_BLOCKING) && i < 2; i++)
		if (fcntl(sv[i], F_SETFL, fcntl(sv[i], F_GETFL) & ~O_NONBLOCK))
			goto out_close;
	return 0;
out_close:
	err = -errno;
	close(sv[0]);
	close(sv[1]);
	sv[0] = sv[1] = -1;
	return err;
}

/*
 * Socket pairs are non-blocking for the pipes' reason: a recvmsg of an
 * empty socket answers EAGAIN instead of waiting forever.  A blocking
 * pair's calls run on guarded workers (host_child.c), as a blocking
 * pipe's: a wait is `blocked`.
 */
int fl_host_link_socketpair(struct host_link *l, unsigned id, uint32_t how, uint64_t sndbuf)
{
	struct host_frame_rep fr;
	int err;

	if (l->wfd >= 0)
		return frame_simple(l, HOST_LINK_SOCKETPAIR, id, how, sndbuf, &fr);
	l->fds[id][0] = l->fds[id][1] = -1;
	err = make_pair(l->fds[id], how, sndbuf);
	if (err)
		return err;
	err = install_everywhere(l, id, 0, l->nnames);
	return err ? err : install_everywhere(l, id, 1, l->nnames);
}

/*
 * close PIPE.END: the link's descriptor and every live process's (an
 * INSTALL without a descriptor closes the slot); a process made later
 * inherits none.  So the kernel's pipe has no reader (or writer) left.
 */
int fl_host_link_close(struct host_link *l, unsigned id, unsigned which)
{
	struct host_frame_rep fr;

	if (l->wfd >= 0)
		return frame_simple(l, HOST_LINK_CLOSE, id, which, 0, &fr);
	if (which > 1 || l->fds[id][which] < 0)
		return -EBADF;
	close(l->fds[id][which]);
	l->fds[id][which] = -1;
	return install_everywhere(l, id, which, l->nnames);
}
