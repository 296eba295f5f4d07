/*
 * backend/host_child_quiet.c - whether a scenario's waits are settled:
 * the positive sign that lets the guard (host_child_guard.c) call a
 * statement `blocked` at once instead of after FAULTLINE_HOST_BLOCK_MS.
 *
 * Definitions.  The scenario's threads are every thread of every process
 * in the caller's process group (host_link.c puts all scenario processes,
 * and only them, in one group), but the caller.  A thread is settled when
 * it sleeps in a wait that only another scenario thread can end: reading
 * or writing a pipe, a unix socket's send or receive, a userfaultfd fault
 * (handle_userfault), or poll() without a timeout (the uffd_serve monitor),
 * as /proc/PID/task/TID/wchan names it.  The scenario is settled when all
 * its threads are settled at one instant: nobody then can wake anybody,
 * the runner (not in the group) waits for this process's reply, so every
 * one of those waits lasts until the next statement.
 *
 * What is left out, so that the guard waits FAULTLINE_HOST_BLOCK_MS as
 * before: a thread running or runnable (a woken writer that has still to
 * fill the pipe a reader of this statement waits on), any other wait
 * (TCP's waits end on softirq or timer work that no scenario thread does:
 * a segment handed to ksoftirqd, a delayed ACK; disk I/O ends by itself;
 * a futex names no waker), and a thread /proc cannot describe.
 *
 * Invariants (why one instant is proved, not sampled)
 *   1. get_wchan() answers only for a task that is not running, not
 *      waking and not on a runqueue, under its pi_lock (5.16, commit
 *      42a20f86dc19 "sched: Add wrapper for get_wchan() to keep task
 *      blocked"); before 5.16 it may read a task still on its CPU, so
 *      older kernels never settle here.
 *   2. schedstat's third field (sched_info.pcount) grows each time the
 *      task is switched in.  Read before its wchan and again after its
 *      state, unchanged, it says the thread, asleep when wchan was read,
 *      never ran from then on; state S or D at the second look says it
 *      was not woken either (a woken task reads R: TASK_RUNNING or
 *      TASK_WAKING).
 *   3. Every first look (switch-ins, then wchan) comes before a second
 *      listing of the group, which comes before every second look: each
 *      thread sleeps unwoken over [its wchan, its second look], so all
 *      sleep at the second listing, and that listing finds no thread the
 *      first one missed.
 *   4. Nothing here allocates or takes a lock (no malloc, opendir or stdio):
 *      the guard calls it while its worker may be in fork(), where glibc
 *      holds malloc's locks until a FORK message is read.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "backend/host_child.h"

#define QUIET_MAX_THREADS 256

struct quiet_thread {
	int pid, tid;
	unsigned long long pcount;
	bool dead;              /* a zombie: it wakes nobody */
};

/* Waits only a scenario thread ends (wchan, without a .constprop suffix). */
static const char *const settled_waits[] = {
	"pipe_read", "pipe_write", "anon_pipe_read", "anon_pipe_write",
	"pipe_wait_readable", "pipe_wait_writable",
	"unix_stream_read_generic", "unix_stream_data_wait", "unix_wait_for_peer",
	"__skb_wait_for_more_packets", "sock_alloc_send_pskb", "sock_wait_for_wmem",
	"handle_userfault",
};

/* poll()'s waits: settled only without a timeout. */
static const char *const poll_waits[] = {
	"poll_schedule_timeout", "do_poll", "do_sys_poll",
};

/* Append decimal V at P; the end. */
static char *put_uint(char *p, unsigned long v)
{
	char d[24];
	int n = 0;

	do
		d[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		*p++ = d[--n];
	return p;
}

/* Append the string S at P; the end. */
static char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

/* "/proc/PID/REST" into PATH (64 bytes); the end of it. */
static char *proc_path(char *path, int pid, const char *rest)
{
	char *p = put_str(put_uint(put_str(path, "/proc/"), (unsigned long)pid), rest);

	*p = '\0';
	return p;
}

static ssize_t file_read(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* The /proc file PID/task/TID/NAME into BUF; its length or -1. */
static ssize_t task_read(int pid, int tid, const char *name, char *buf, size_t size)
{
	char path[96], *p = proc_path(path, pid, "/task/");

	p = put_str(put_uint(p, (unsigned long)tid), "/");
	*put_str(p, name) = '\0';
	return file_read(path, buf, size);
}

/* Skip N space-separated fields at P; NULL if there are fewer. */
static const char *skip_fields(const char *p, int n)
{
	while (n-- > 0) {
		while (*p && *p != ' ')
			p++;
		if (!*p)
			return NULL;
		p++;
	}
	return p;
}

/* The number at P in BASE (10 or 16, with or without 0x); false if none. */
static bool get_ull(const char *p, int base, unsigned long long *v)
{
	const char *start;

	if (!p)
		return false;
	if (base == 16 && p[0] == '0' && p[1] == 'x')
		p += 2;
	for (*v = 0, start = p;; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0' :
			base == 16 && *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;

		if (d < 0)
			return p > start;
		*v = *v * (unsigned)base + (unsigned)d;
	}
}

/* The stat fields after "(comm) " of BUF, or NULL. */
static const char *stat_rest(const char *buf)
{
	const char *p = strrchr(buf, ')');

	return p && p[1] == ' ' ? p + 2 : NULL;
}

/* The state letter of PID/TID (stat's third field), or 0. */
static char task_state(int pid, int tid)
{
	char buf[512];
	const char *p;

	if (task_read(pid, tid, "stat", buf, sizeof(buf)) <= 0 || !(p = stat_rest(buf)))
		return 0;
	return *p;
}

/* Times switched in (schedstat's third field); false if unknown. */
static bool task_pcount(int pid, int tid, unsigned long long *pcount)
{
	char buf[128];

	return task_read(pid, tid, "schedstat", buf, sizeof(buf)) > 0 &&
	       get_ull(skip_fields(buf, 2), 10, pcount);
}

static bool name_in(const char *name, const char *const *set, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(name, set[i]))
			return true;
	return false;
}

/* PID/TID sleeps in poll() or ppoll() with no timeout (its syscall file). */
static bool task_polls_forever(int pid, int tid)
{
	char buf[256];
	unsigned long long nr, timeout;

	if (task_read(pid, tid, "syscall", buf, sizeof(buf)) <= 0 ||
	    !get_ull(buf, 10, &nr) || !get_ull(skip_fields(buf, 3), 16, &timeout))
		return false;
#ifdef SYS_poll
	if (nr == SYS_poll)
		return (int)timeout < 0;
#endif
	return nr == SYS_ppoll && timeout == 0;
}

/* PID/TID sleeps in a wait only a scenario thread ends (see the top). */
static bool task_wait_settled(int pid, int tid)
{
	char buf[128], *dot;

	if (task_read(pid, tid, "wchan", buf, sizeof(buf)) <= 0)
		return false;
	dot = strchr(buf, '.');
	if (dot)
		*dot = '\0';
	if (name_in(buf, settled_waits, sizeof(settled_waits) / sizeof(*settled_waits)))
		return true;
	return name_in(buf, poll_waits, sizeof(poll_waits) / sizeof(*poll_waits)) &&
	       task_polls_forever(pid, tid);
}

/* Process PID is in process group PGRP (stat's fifth field). */
static bool proc_in_group(int pid, int pgrp)
{
	char path[64], buf[512];
	unsigned long long grp;

	proc_path(path, pid, "/stat");
	return file_read(path, buf, sizeof(buf)) > 0 &&
	       get_ull(skip_fields(stat_rest(buf), 2), 10, &grp) && grp == (unsigned)pgrp;
}

/*
 * Call FN(ARG, N) for each numeric entry N of the directory PATH, in the
 * order the directory lists them, until it returns false.  False if the
 * directory cannot be read or FN stopped.
 */
static bool dir_each_number(const char *path, bool (*fn)(void *arg, int n), void *arg)
{
	char buf[4096] __attribute__((aligned(8)));
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool ok = fd >= 0;
	long got;

	while (ok && (got = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		long off;

		for (off = 0; ok && off < got;) {
			/* struct linux_dirent64: ino, off, reclen, type, name */
			unsigned short reclen;
			const char *name = buf + off + 19;
			unsigned long long n;

			memcpy(&reclen, buf + off + 16, sizeof(reclen));
			if (get_ull(name, 10, &n) && n < 1u << 30)
				ok = fn(arg, (int)n);
			off += reclen;
		}
	}
	if (fd >= 0)
		close(fd);
	return ok && got == 0;
}

struct group_list {
	struct quiet_thread *t;
	unsigned n;
	int pid, pgrp, self;
};

static bool list_thread(void *arg, int tid)
{
	struct group_list *g = arg;

	if (tid == g->self)
		return true;
	if (g->n == QUIET_MAX_THREADS)
		return false;
	g->t[g->n++] = (struct quiet_thread){ g->pid, tid, 0, false };
	return true;
}

static bool list_process(void *arg, int pid)
{
	struct group_list *g = arg;
	char path[64];

	if (!proc_in_group(pid, g->pgrp))
		return true;
	g->pid = pid;
	proc_path(path, pid, "/task");
	return dir_each_number(path, list_thread, g);
}

/* The scenario's threads into T (the caller's own left out): how many, or -1. */
static int group_threads(struct quiet_thread *t)
{
	struct group_list g = { t, 0, 0, getpgrp(), (int)syscall(SYS_gettid) };

	return dir_each_number("/proc", list_process, &g) ? (int)g.n : -1;
}

/* get_wchan() answers only for a task off every runqueue since 5.16 (invariant 1). */
static bool kernel_wchan_exact(void)
{
	static int exact = -1;
	struct utsname u;
	unsigned long long major, minor;
	const char *dot;

	if (exact < 0)
		exact = !uname(&u) && get_ull(u.release, 10, &major) &&
			(dot = strchr(u.release, '.')) && get_ull(dot + 1, 10, &minor) &&
			(major > 5 || (major == 5 && minor >= 16));
	return exact;
}

/* T[0..N) and U[0..M) list the same threads (/proc lists them in order). */
static bool same_threads(const struct quiet_thread *t, int n, const struct quiet_thread *u, int m)
{
	int i;

	if (n != m)
		return false;
	for (i = 0; i < n; i++)
		if (t[i].pid != u[i].pid || t[i].tid != u[i].tid)
			return false;
	return true;
}

/* First look at T: a zombie is done; any other thread sleeps settled (invariant 2). */
static bool thread_first_look(struct quiet_thread *t)
{
	char s = task_state(t->pid, t->tid);

	t->dead = s == 'Z' || s == 'X';
	return t->dead || (task_pcount(t->pid, t->tid, &t->pcount) &&
			   task_wait_settled(t->pid, t->tid));
}

/* Second look: still asleep, not woken, never switched in since the first. */
static bool thread_second_look(const struct quiet_thread *t)
{
	unsigned long long pcount;
	char s;

	if (t->dead)
		return true;
	s = task_state(t->pid, t->tid);
	return (s == 'S' || s == 'D') && task_pcount(t->pid, t->tid, &pcount) &&
	       pcount == t->pcount;
}

/*
 * The scenario is settled (see the top).  Between the first and second
 * looks the group is listed again, and must be the same: a thread
 * created meanwhile had a running creator, and one alive at the second
 * listing that the first missed could wake the others after it.
 */
bool fl_host_child_scenario_settled(void)
{
	struct quiet_thread t[QUIET_MAX_THREADS], again[QUIET_MAX_THREADS];
	int n, i;

	if (!kernel_wchan_exact() || (n = group_threads(t)) < 0)
		return false;
	for (i = 0; i < n; i++)
		if (!thread_first_look(&t[i]))
			return false;
	if (!same_threads(t, n, again, group_threads(again)))
		return false;
	for (i = 0; i < n; i++)
		if (!thread_second_look(&t[i]))
			return false;
	return true;
}
