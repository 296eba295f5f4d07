/*
 * backend/host_child.c - a scenario process of the host backend: a real
 * forked process that runs the statements the runner sends it as real
 * system calls on its own address space, and replies with what happened.
 *
 * User-mode store and load are real user-mode accesses, made one byte at a
 * time under a SIGSEGV/SIGBUS handler: the handler records si_code and
 * si_addr and siglongjmp()s back, so the bytes moved before the fault are
 * counted, as the model's fl_user_store() counts them.
 *
 * poke and peek must not fault and must not check permissions: they go
 * through /proc/self/mem, whose accesses are FOLL_FORCE (they reach
 * PROT_NONE and read-only private pages; a read-only shared page cannot be
 * poked, which the reply says).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <faultline/uffd.h>

#include "backend/host_child.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
/* MADV_COLLAPSE (6.1), which older C library headers lack. */
#define HOST_MADV_COLLAPSE 25
/* MADV_GUARD_INSTALL, MADV_GUARD_REMOVE (6.13), asm-generic/mman-common.h. */
#define HOST_MADV_GUARD_INSTALL 102
#define HOST_MADV_GUARD_REMOVE 103

/*
 * ASan and TSan reserve terabytes of shadow at start-up: an address-space
 * limit would break them, and a scenario process is a fork of the
 * sanitized runner.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define HOST_UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define HOST_UNDER_SANITIZER 1
#endif
#endif
#ifndef HOST_UNDER_SANITIZER
#define HOST_UNDER_SANITIZER 0
#endif

static struct host_child_env *env;
static int mem_fd = -1;                 /* /proc/self/mem, opened on first use */

/* ---- user-mode accesses under a fault handler ---- */

/*
 * Per thread: with a userfaultfd, accesses run on worker threads
 * (host_child_uffd.c), and a worker left waiting may wake later.
 */
static _Thread_local sigjmp_buf access_env;
static _Thread_local volatile sig_atomic_t in_access;
static _Thread_local volatile int fault_sig, fault_code;
static _Thread_local volatile uintptr_t fault_addr;

static void access_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (!in_access) {       /* a real crash of this process: die of it */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	fault_sig = sig;
	fault_code = si->si_code;
	fault_addr = (uintptr_t)si->si_addr;
	siglongjmp(access_env, 1);
}

/*
 * SIGUSR1: the guard gave up on a user access blocked in handle_userfault;
 * the fault returned to user mode for the signal: leave, as if stopped.
 */
static void access_interrupt(int sig)
{
	(void)sig;
	if (!in_access)
		return;
	fault_sig = 0;
	siglongjmp(access_env, 2);
}

static void install_fault_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = access_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = access_interrupt;       /* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
}

/*
 * One byte at a time, in increasing address order.  Not instrumented: the
 * target is scenario memory, not ours, and the sanitizers must not check it.
 */
__attribute__((no_sanitize("address", "undefined"), noinline))
static void user_access(bool store, uintptr_t addr, const uint8_t *src,
			size_t len, struct host_rep *rep)
{
	volatile size_t i = 0;
	volatile uint8_t sink = 0;
	/* the bytes done so far, for a reply while the access waits (as=) */
	volatile uint64_t *done = &rep->moved;

	fault_sig = 0;
	if (sigsetjmp(access_env, 1) == 0) {
		in_access = 1;
		for (; i < len; i++) {
			*done = i;
			if (store)
				((volatile uint8_t *)addr)[i] = src[i];
			else
				sink ^= ((volatile uint8_t *)addr)[i];
		}
	}
	in_access = 0;
	(void)sink;
	rep->moved = i;
	rep->sig = fault_sig;
	rep->code = fault_sig ? fault_code : 0;
	rep->addr = fault_sig ? (uint64_t)fault_addr : 0;
}

/* ---- /proc/self/mem ---- */

static int self_mem(void)
{
	if (mem_fd < 0)
		mem_fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	return mem_fd;
}

/* Page by page: what cannot be read (a hole) reads as zero. */
static void peek(uint64_t addr, uint8_t *buf, size_t len)
{
	size_t done = 0;

	memset(buf, 0, len);
	while (done < len) {
		uint64_t a = addr + done;
		size_t chunk = 4096 - (size_t)(a & 4095);

		if (chunk > len - done)
			chunk = len - done;
		/* a missing page may be registered: reading it would wait */
		if (fl_host_child_page_absent(a))
			;       /* reads as zero, as the model's peek */
		else if (pread(self_mem(), buf + done, chunk, (off_t)a) < 0)
			memset(buf + done, 0, chunk);
		done += chunk;
	}
}

/* ---- one request ---- */

static void syscall_result(struct host_rep *rep, long ret)
{
	rep->ret = ret;
	rep->err = ret < 0 ? errno : 0;
}

/*
 * A call that returns an address (mmap, mremap): on a 32-bit agent an
 * address above 2 GiB is a negative long, and the wire's ret is 64 bits:
 * only -1 (MAP_FAILED) is an error.
 */
static void address_result(struct host_rep *rep, long ret)
{
	rep->ret = ret == -1 ? -1 : (int64_t)(unsigned long)ret;
	rep->err = ret == -1 ? errno : 0;
}

static int fd_of(const struct host_req *rq)
{
	if (rq->slot >= env->nnames || rq->which > 1)
		return -1;
	return env->fds[rq->slot][rq->which];
}

/*
 * The alignment a mapping needs: the huge page size (/proc/meminfo's
 * Hugepagesize, the default) for MAP_HUGETLB or a hugetlbfs file, whose
 * MAP_FIXED address must be a multiple of it; else the page size.
 */
#define HUGETLBFS_MAGIC 0x958458f6
static size_t map_align(int flags, int fd)
{
	struct statfs sf;
	char line[128];
	long kb = 0;
	FILE *f;

	if (!(flags & MAP_HUGETLB) &&
	    (fd < 0 || fstatfs(fd, &sf) || (unsigned long)sf.f_type != HUGETLBFS_MAGIC))
		return 4096;
	f = fopen("/proc/meminfo", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Hugepagesize: %ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb > 0 ? (size_t)kb << 10 : 4096;
}

/*
 * mmap without a hint: reserve LEN + 2 pages (+ ALIGN for a huge one), put
 * the mapping at an aligned place inside and unmap the rest, so it has an
 * unmapped guard page on both sides as the scenario language promises.  A
 * later reservation is at least three pages, so it never lands in one of
 * these holes.
 */
static long do_mmap(const struct host_req *rq)
{
	int flags = (int)rq->a[3], fd = rq->slot ? fd_of(rq) : -1;
	size_t align = map_align(flags, fd), len = rq->a[1];
	size_t alen = (len + align - 1) & ~(align - 1);
	size_t span = alen + 8192 + (align > 4096 ? align : 0);
	char *res, *p;

	if (fd < 0)
		flags |= MAP_ANONYMOUS;
	if (rq->a[0])
		return (long)mmap((void *)(uintptr_t)rq->a[0], len, (int)rq->a[2],
				  flags | MAP_FIXED_NOREPLACE, fd, (off_t)rq->a[4]);
	res = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED)
		return -1;
	p = (char *)(((uintptr_t)res + 4096 + align - 1) & ~(uintptr_t)(align - 1));
	if (mmap(p, len, (int)rq->a[2], flags | MAP_FIXED, fd, (off_t)rq->a[4]) == MAP_FAILED) {
		int err = errno;

		munmap(res, span);
		errno = err;
		return -1;
	}
	munmap(res, (size_t)(p - res));
	munmap(p + alen, span - (size_t)(p - res) - alen);
	return (long)p;
}

/*
 * The iovec array of a vector call: the request's HV, then zero iovecs up
 * to the count NR (at most ROOM's HOST_MAX_IOV + 1: the kernel refuses a
 * count beyond UIO_MAXIOV (1024) before it reads the array), or, with
 * AT_USER, the scenario's own memory at USER.
 */
static struct iovec *iov_array(struct iovec *room, const struct host_iov *hv, uint32_t niov,
			       uint64_t nr, bool at_user, uint64_t user)
{
	uint64_t i, n = nr < HOST_MAX_IOV + 1 ? nr : HOST_MAX_IOV + 1;

	if (at_user)
		return (struct iovec *)(uintptr_t)user;
	for (i = 0; i < n || i < niov; i++) {
		room[i].iov_base = i < niov ? (void *)(uintptr_t)hv[i].addr : NULL;
		room[i].iov_len = i < niov ? hv[i].len : 0;
	}
	return room;
}

/*
 * SO_SNDTIMEO and SO_RCVTIMEO (microseconds, 0: not set) on both ends of
 * socket pair rq->slot; they belong to the socket, so every process that
 * holds an end sees them.
 */
static long do_sock_timeo(const struct host_req *rq)
{
	static const int opt[] = { SO_SNDTIMEO, SO_RCVTIMEO };
	unsigned i, k;

	if (rq->slot >= env->nnames)
		return errno = EBADF, -1;
	for (i = 0; i < 2; i++)
		for (k = 0; k < 2; k++) {
			struct timeval tv = { (time_t)(rq->a[k] / 1000000),
					      (suseconds_t)(rq->a[k] % 1000000) };

			if (rq->a[k] && setsockopt(env->fds[rq->slot][i], SOL_SOCKET, opt[k],
						   &tv, sizeof(tv)))
				return -1;
		}
	return 0;
}

/* A send (recv) on a socket with SO_SNDTIMEO (SO_RCVTIMEO) ends by itself. */
static bool sock_timed(int fd, bool send)
{
	struct timeval tv = { 0, 0 };
	socklen_t len = sizeof(tv);

	return !getsockopt(fd, SOL_SOCKET, send ? SO_SNDTIMEO : SO_RCVTIMEO, &tv, &len) &&
	       (tv.tv_sec || tv.tv_usec);
}

/*
 * sendmsg(2); with rq->rights, msg_control is an SCM_RIGHTS message of
 * ours passing those descriptors (the scenario's own ends), cmsg_len
 * CMSG_LEN of them, msg_controllen CMSG_SPACE unless ctllen says.
 */
static long do_sendmsg(int fd, struct iovec *v, const struct host_req *rq)
{
	union {
		struct cmsghdr h;
		char room[CMSG_SPACE(HOST_RIGHTS * sizeof(int))];
	} ctl;
	struct ucred own = { getpid(), getuid(), getgid() };
	struct msghdr m = { .msg_iov = v, .msg_iovlen = (size_t)rq->a[0],
			    .msg_control = (void *)(uintptr_t)rq->a[3],
			    .msg_controllen = rq->ctllen };
	int fds[HOST_RIGHTS];
	unsigned n;

	for (n = 0; n < HOST_RIGHTS && (rq->rights >> (8 * n)) & 0xff; n++) {
		unsigned r = ((rq->rights >> (8 * n)) & 0xff) - 1;
		struct host_req one = { .slot = r / 2, .which = r % 2 };

		fds[n] = fd_of(&one);
	}
	if (n) {
		memset(&ctl, 0, sizeof(ctl));
		ctl.h.cmsg_len = CMSG_LEN(n * sizeof(int));
		ctl.h.cmsg_level = SOL_SOCKET;
		ctl.h.cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(&ctl.h), fds, n * sizeof(int));
		m.msg_control = &ctl;
		m.msg_controllen = rq->ctllen ? rq->ctllen : CMSG_SPACE(n * sizeof(int));
	}
	if (rq->creds) {
		memset(&ctl, 0, sizeof(ctl));
		ctl.h.cmsg_len = CMSG_LEN(sizeof(own));
		ctl.h.cmsg_level = SOL_SOCKET;
		ctl.h.cmsg_type = SCM_CREDENTIALS;
		memcpy(CMSG_DATA(&ctl.h), &own, sizeof(own));
		m.msg_control = &ctl;
		m.msg_controllen = rq->ctllen ? rq->ctllen : CMSG_SPACE(sizeof(own));
	}
	return sendmsg(fd, &m, (int)rq->a[4]);
}

/* The scenario's name of the file FD refers to (slot * 2 + which), or ~0. */
static uint32_t right_of(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	struct stat a, b;
	unsigned i, k;

	if (fl < 0 || fstat(fd, &a))
		return ~0u;
	for (i = 0; i < env->nnames; i++)
		for (k = 0; k < 2; k++) {
			int o = env->fds[i][k];

			/* a pipe's two ends share the inode: the access mode tells them apart */
			if (o >= 0 && o != fd && !fstat(o, &b) && a.st_dev == b.st_dev &&
			    a.st_ino == b.st_ino &&
			    (fcntl(o, F_GETFL) & O_ACCMODE) == (fl & O_ACCMODE))
				return i * 2 + k;
		}
	return ~0u;
}

/* An SCM_CREDENTIALS message written whole: whose (HOST_CRED_*). */
static void creds_of(struct cmsghdr *c, struct host_rep *rep)
{
	struct ucred u;

	memcpy(&u, CMSG_DATA(c), sizeof(u));
	rep->cred_pid = u.pid;
	if (!u.pid && u.uid == 65534 && u.gid == 65534)
		rep->cred = HOST_CRED_ANON;
	else
		rep->cred = u.uid == getuid() && u.gid == getgid() ? HOST_CRED_OWN
								   : HOST_CRED_OTHER;
}

/* The descriptors and credentials the control messages recvmsg wrote into M gave. */
static void rights_of(struct msghdr *m, struct host_rep *rep)
{
	struct cmsghdr *c;

	for (c = m->msg_control && m->msg_controllen ? CMSG_FIRSTHDR(m) : NULL; c;
	     c = CMSG_NXTHDR(m, c)) {
		size_t i, n;

		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len == CMSG_LEN(sizeof(struct ucred)))
			creds_of(c, rep);
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(0))
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		/* a message cut short by msg_controllen holds what fits */
		if ((char *)CMSG_DATA(c) + n * sizeof(int) >
		    (char *)m->msg_control + m->msg_controllen)
			n = (size_t)((char *)m->msg_control + m->msg_controllen -
				     (char *)CMSG_DATA(c)) / sizeof(int);
		for (i = 0; i < n && rep->nrights < HOST_RIGHTS; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			rep->rights[rep->nrights++] = right_of(fd);
		}
	}
}

/*
 * recvmsg(2) with msg_flags -1 before it (as gVisor's tests set it): a
 * call that failed leaves it (____sys_recvmsg writes it back only after
 * the protocol returned >= 0), so the reply says whether it was written.
 */
static long do_recvmsg(int fd, struct iovec *v, const struct host_req *rq,
		       struct host_rep *rep)
{
	struct msghdr m = { .msg_iov = v, .msg_iovlen = (size_t)rq->a[0], .msg_flags = -1,
			    .msg_control = (void *)(uintptr_t)rq->a[3],
			    .msg_controllen = rq->ctllen };
	int flags = (int)rq->a[4];
	long ret = recvmsg(fd, &m, flags);

	if (ret >= 0) {
		rep->flags |= HOST_REP_MSG_FLAGS;
		rep->addr = (uint32_t)m.msg_flags;
		rep->controllen = (uint32_t)m.msg_controllen;
		rights_of(&m, rep);
	}
	return ret;
}

/* readv, writev, preadv(2), pwritev(2): the count as the scenario passes it. */
static long do_iov(const struct host_req *rq, const struct host_iov *hv, struct host_rep *rep)
{
	struct iovec room[HOST_MAX_IOV + 1];
	struct iovec *v = iov_array(room, hv, rq->niov, rq->a[0], rq->a[2], rq->a[1]);
	int fd = fd_of(rq), n = rq->a[0] > INT_MAX ? INT_MAX : (int)rq->a[0];
	off_t off = (off_t)rq->a[3];

	switch (rq->op) {
	case HOST_OP_READV:    return syscall(SYS_readv, fd, v, (unsigned long)rq->a[0]);
	case HOST_OP_WRITEV:   return syscall(SYS_writev, fd, v, (unsigned long)rq->a[0]);
	case HOST_OP_PREADV:   return preadv(fd, v, n, off);
	case HOST_OP_PWRITEV:  return pwritev(fd, v, n, off);
	case HOST_OP_PREADV2:  return preadv2(fd, v, n, off, (int)rq->a[4]);
	case HOST_OP_SENDMSG:  return do_sendmsg(fd, v, rq);
	case HOST_OP_RECVMSG:  return do_recvmsg(fd, v, rq, rep);
	default:               return pwritev2(fd, v, n, off, (int)rq->a[4]);
	}
}

static long do_pvm(const struct host_req *rq, const struct host_iov *hv, const uint8_t *data)
{
	struct iovec lroom[HOST_MAX_IOV + 1], rroom[HOST_MAX_IOV + 1];
	uint64_t nl = rq->a[1], nr = rq->a[2], user[4] = { 0, 0, nl, nr };
	struct iovec *l, *r;

	if (rq->dlen >= sizeof(user))
		memcpy(user, data, sizeof(user));
	if (nl > rq->niov || nr > rq->niov - nl)
		return errno = EINVAL, -1;
	l = iov_array(lroom, hv, (uint32_t)nl, user[2], rq->a[4] & 1, user[0]);
	r = iov_array(rroom, hv + nl, (uint32_t)nr, user[3], rq->a[4] & 2, user[1]);
	if (rq->op == HOST_OP_PVM_READV)
		return process_vm_readv((pid_t)rq->a[0], l, user[2], r, user[3], rq->a[3]);
	return process_vm_writev((pid_t)rq->a[0], l, user[2], r, user[3], rq->a[3]);
}

static long do_vmsplice(const struct host_req *rq)
{
	struct host_iov one = { rq->a[0], rq->a[1] };
	struct iovec room[HOST_MAX_IOV + 1];
	struct iovec *v = iov_array(room, &one, 1, rq->a[3], false, 0);

	return syscall(SYS_vmsplice, fd_of(rq), v, (unsigned long)rq->a[3], (unsigned)rq->a[2]);
}

/* splice(2): the second descriptor's slot and end ride in a[0]; offset -1 is NULL. */
static long do_splice(const struct host_req *rq)
{
	struct host_req out = { .slot = (uint32_t)rq->a[0], .which = (uint32_t)(rq->a[0] >> 32) };
	loff_t off_in = (loff_t)rq->a[2], off_out = (loff_t)rq->a[3];

	return splice(fd_of(rq), off_in == -1 ? NULL : &off_in, fd_of(&out),
		      off_out == -1 ? NULL : &off_out, (size_t)rq->a[4], (unsigned)rq->a[1]);
}

/* tee(2): the output's slot and end ride in a[0], as splice's. */
static long do_tee(const struct host_req *rq)
{
	struct host_req out = { .slot = (uint32_t)rq->a[0], .which = (uint32_t)(rq->a[0] >> 32) };

	return tee(fd_of(rq), fd_of(&out), (size_t)rq->a[4], (unsigned)rq->a[1]);
}

/*
 * SIGPIPE, counted per thread: send_sig(SIGPIPE, current, 0) of a write
 * to a pipe without readers is handled by the thread that made the call
 * (the kernel picks current, which is running), before the call returns
 * to it.  So the count a call's thread sees grow is that call's.
 */
static _Thread_local volatile sig_atomic_t sigpipes;

static void sigpipe_count(int sig)
{
	(void)sig;
	sigpipes++;
}

/* The scenario process's own pagemap entry of the page at a[0], into rep->addr. */
/* One pagemap entry, the file opened by this thread (its credentials count). */
static int pagemap_pread(uint64_t addr, uint64_t *entry)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : pread(fd, entry, sizeof(*entry),
					(off_t)(addr / 4096 * sizeof(*entry)));
	int err = errno;

	if (fd >= 0)
		close(fd);
	return n == sizeof(*entry) ? 0 : -(n < 0 ? err : EIO);
}

/* CAP_SYS_ADMIN in this thread's effective set?  (capget: no libcap) */
static bool has_sys_admin(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };

	if (syscall(SYS_capget, &hdr, d))
		return false;
	return d[CAP_SYS_ADMIN / 32].effective & (1u << (CAP_SYS_ADMIN % 32));
}

struct unpriv_read {
	uint64_t addr, entry;
	int err;
};

/*
 * A thread drops CAP_SYS_ADMIN (credentials are per thread: capset
 * changes the caller's only) and opens pagemap: file_ns_capable() on
 * that file fails, and the PFN reads 0 (1c90308e7a77, 4.2).
 */
static void *unpriv_pagemap(void *arg)
{
	struct unpriv_read *u = arg;
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (has_sys_admin(d)) {
		d[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
		if (syscall(SYS_capset, &hdr, d)) {
			u->err = -errno;
			return NULL;
		}
	}
	u->err = pagemap_pread(u->addr, &u->entry);
	return NULL;
}

/*
 * `expect pagemap`: a[1] the reader (enum fl_pm_reader).  A privileged
 * read by a process without CAP_SYS_ADMIN is EPERM: its PFNs read 0.
 */
static long do_pagemap(const struct host_req *rq, struct host_rep *rep)
{
	struct unpriv_read u = { .addr = rq->a[0] };
	struct __user_cap_data_struct d[2];
	pthread_t t;

	if (rq->a[1] == HOST_PM_READ_UNPRIV) {
		if ((errno = pthread_create(&t, NULL, unpriv_pagemap, &u)))
			return -1;
		pthread_join(t, NULL);
	} else if (rq->a[1] == HOST_PM_READ_PRIV && !has_sys_admin(d)) {
		u.err = -EPERM;
	} else {
		u.err = pagemap_pread(u.addr, &u.entry);
	}
	if (u.err) {
		errno = -u.err;
		return -1;
	}
	rep->addr = u.entry;
	return 0;
}

/* echo TYPE > /proc/self/clear_refs: ret the bytes written. */
static long do_clear_refs(const struct host_req *rq)
{
	char c = (char)('0' + rq->a[0]);
	int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
	long ret = fd < 0 ? -1 : (long)write(fd, &c, 1);

	if (fd >= 0)
		close(fd);
	return ret;
}

static long do_fstat_size(const struct host_req *rq)
{
	struct stat st;

	return fstat(fd_of(rq), &st) ? -1 : (long)st.st_size;
}

/*
 * getdents64, or with a[2] getdents(2), which glibc does not wrap and
 * asm-generic arches (arm64, riscv64) do not have: -ENOSYS there, as the
 * kernel would answer an unknown number.
 */
static long do_getdents(const struct host_req *rq, void *addr, size_t len)
{
	if (!rq->a[2])
		return syscall(SYS_getdents64, fd_of(rq), addr, (unsigned int)len);
#ifdef SYS_getdents
	return syscall(SYS_getdents, fd_of(rq), addr, (unsigned int)len);
#else
	errno = ENOSYS;
	return -1;
#endif
}

/*
 * The raw system call, not glibc's variadic wrapper: it reads new_address
 * only for the flags it knows, and flags=N must reach the kernel as written.
 */
static long do_mremap(const struct host_req *rq)
{
	return syscall(SYS_mremap, (uintptr_t)rq->a[0], (size_t)rq->a[1], (size_t)rq->a[2],
		       (unsigned long)rq->a[3], (uintptr_t)rq->a[4]);
}

static int advice_of(uint64_t a)
{
	static const int advice[] = {
		MADV_DONTNEED, MADV_REMOVE, MADV_PAGEOUT, MADV_POPULATE_READ,
		MADV_POPULATE_WRITE, MADV_WIPEONFORK, MADV_DONTFORK, MADV_NOHUGEPAGE,
		MADV_HUGEPAGE, HOST_MADV_COLLAPSE, MADV_DOFORK,
		HOST_MADV_GUARD_INSTALL, HOST_MADV_GUARD_REMOVE, MADV_FREE, MADV_COLD,
		MADV_SEQUENTIAL,
	};

	return a < sizeof(advice) / sizeof(advice[0]) ? advice[a] : -1;
}

/*
 * sched_setaffinity(2) of this thread, before the scenario made any other:
 * the threads it makes later and the processes it forks inherit it.  CPU
 * (rq->a[0] - 1), or the one it runs on now (0).  host.c says why.
 */
static long do_pin_cpu(const struct host_req *rq)
{
	int cpu;
	cpu_set_t set;

	if (rq->a[0] > CPU_SETSIZE) {
		errno = EINVAL;
		return -1;
	}
	cpu = rq->a[0] ? (int)rq->a[0] - 1 : sched_getcpu();
	if (cpu < 0)
		return -1;      /* sched_getcpu() said why */
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -1 : cpu;
}

/* process_madvise(2) through a pidfd of the target, opened for the call. */
static long do_process_madvise(const struct host_req *rq, const struct host_iov *hv)
{
	struct iovec room[HOST_MAX_IOV + 1];
	struct iovec *v = iov_array(room, hv, rq->niov, rq->a[0], rq->a[2], rq->a[1]);
	int pidfd = (int)syscall(SYS_pidfd_open, (pid_t)rq->a[3], 0);
	long ret;
	int e;

	if (pidfd < 0)
		return -1;
	ret = syscall(SYS_process_madvise, pidfd, v, (size_t)rq->a[0],
		      advice_of(rq->a[4] & 0xffffffffu), (unsigned)(rq->a[4] >> 32));
	e = errno;
	close(pidfd);
	errno = e;
	return ret;
}

/* The scenario-level statements that are one system call each. */
static void run_syscall(const struct host_req *rq, const struct host_iov *hv,
			const uint8_t *data, struct host_rep *rep);

/* The call, and whether it sent its thread SIGPIPE. */
static void run_syscall_counted(const struct host_req *rq, const struct host_iov *hv,
				const uint8_t *data, struct host_rep *rep)
{
	sig_atomic_t before = sigpipes;

	run_syscall(rq, hv, data, rep);
	if (sigpipes != before)
		rep->flags |= HOST_REP_SIGPIPE;
}

static void run_syscall(const struct host_req *rq, const struct host_iov *hv,
			const uint8_t *data, struct host_rep *rep)
{
	void *addr = (void *)(uintptr_t)rq->a[0];
	size_t len = rq->a[1];

	switch (rq->op) {
	case HOST_OP_MMAP:      address_result(rep, do_mmap(rq)); break;
	case HOST_OP_MUNMAP:    syscall_result(rep, munmap(addr, len)); break;
	case HOST_OP_MPROTECT:  syscall_result(rep, mprotect(addr, len, (int)rq->a[2])); break;
	case HOST_OP_MADVISE:
		syscall_result(rep, madvise(addr, len, advice_of(rq->a[2])));
		break;
	case HOST_OP_MLOCK:     /* raw: ASan's mlock interceptor returns 0, locking nothing */
		syscall_result(rep, rq->a[2] ? syscall(SYS_mlock, addr, len) :
					       syscall(SYS_munlock, addr, len));
		break;
	case HOST_OP_MREMAP:    address_result(rep, do_mremap(rq)); break;
	case HOST_OP_READ:      syscall_result(rep, read(fd_of(rq), addr, len)); break;
	case HOST_OP_WRITE:     syscall_result(rep, write(fd_of(rq), addr, len)); break;
	case HOST_OP_PREAD:
		syscall_result(rep, pread(fd_of(rq), addr, len, (off_t)rq->a[2]));
		break;
	case HOST_OP_PWRITE:
		syscall_result(rep, pwrite(fd_of(rq), addr, len, (off_t)rq->a[2]));
		break;
	case HOST_OP_READV: case HOST_OP_WRITEV: case HOST_OP_PREADV:
	case HOST_OP_PWRITEV: case HOST_OP_PREADV2: case HOST_OP_PWRITEV2:
	case HOST_OP_SENDMSG: case HOST_OP_RECVMSG:
		syscall_result(rep, do_iov(rq, hv, rep));
		break;
	case HOST_OP_VMSPLICE:  syscall_result(rep, do_vmsplice(rq)); break;
	case HOST_OP_PVM_READV:
	case HOST_OP_PVM_WRITEV: syscall_result(rep, do_pvm(rq, hv, data)); break;
	case HOST_OP_LSEEK:
		syscall_result(rep, lseek(fd_of(rq), (off_t)rq->a[0], (int)rq->a[1]));
		break;
	case HOST_OP_FSTAT:     syscall_result(rep, do_fstat_size(rq)); break;
	case HOST_OP_FTRUNCATE: syscall_result(rep, ftruncate(fd_of(rq), (off_t)rq->a[0])); break;
	case HOST_OP_ADD_SEALS:
		syscall_result(rep, fcntl(fd_of(rq), F_ADD_SEALS, (unsigned)rq->a[0]));
		break;
	case HOST_OP_GET_SEALS: syscall_result(rep, fcntl(fd_of(rq), F_GET_SEALS)); break;
	case HOST_OP_PROCESS_MADVISE: syscall_result(rep, do_process_madvise(rq, hv)); break;
	case HOST_OP_GETDENTS:  syscall_result(rep, do_getdents(rq, addr, len)); break;
	case HOST_OP_SHUTDOWN:  syscall_result(rep, shutdown(fd_of(rq), (int)rq->a[0])); break;
	case HOST_OP_SETSOCKOPT:        /* a[0]: HOST_SOCKOPT_PASSCRED, the only one */
		syscall_result(rep, setsockopt(fd_of(rq), SOL_SOCKET, SO_PASSCRED,
					       &(int){ (int)rq->a[1] }, sizeof(int)));
		break;
	case HOST_OP_SOCK_TIMEO: syscall_result(rep, do_sock_timeo(rq)); break;
	case HOST_OP_PIN_CPU:   syscall_result(rep, do_pin_cpu(rq)); break;
	case HOST_OP_SPLICE:    syscall_result(rep, do_splice(rq)); break;
	case HOST_OP_TEE:       syscall_result(rep, do_tee(rq)); break;
	case HOST_OP_PAGEMAP:   syscall_result(rep, do_pagemap(rq, rep)); break;
	case HOST_OP_CLEAR_REFS: syscall_result(rep, do_clear_refs(rq)); break;
	case HOST_OP_MEM_WRITE:
	case HOST_OP_POKE:
		syscall_result(rep, pwrite(self_mem(), data, rq->dlen, (off_t)rq->a[0]));
		break;
	default:
		rep->ret = -1;
		rep->err = ENOSYS;
	}
}

/*
 * ioctl(PAGEMAP_SCAN) on the process's own /proc/self/pagemap (6.7;
 * _IOWR('f', 16, struct pm_scan_arg), bookworm's headers predate it).
 * DATA is the argument; vec is a buffer here unless the scenario asked
 * for NULL.  OUT gets walk_end and the regions written.
 */
#define HOST_PAGEMAP_SCAN _IOWR('f', 16, struct fl_pm_scan_arg)

static void do_pagemap_scan(const uint8_t *data, uint8_t *out, struct host_rep *rep)
{
	struct fl_pm_scan_arg arg;
	struct fl_page_region *vec = NULL;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	long ret;

	if (!out) {             /* a replayed set-up request keeps no reply */
		syscall_result(rep, -1);
		rep->err = EINVAL;
		if (fd >= 0)
			close(fd);
		return;
	}
	memcpy(&arg, data, sizeof(arg));
	if (arg.vec && !(vec = calloc(arg.vec_len ? arg.vec_len : 1, sizeof(*vec)))) {
		syscall_result(rep, -1);
		close(fd);
		return;
	}
	arg.vec = (uintptr_t)vec;
	ret = fd < 0 ? -1 : ioctl(fd, HOST_PAGEMAP_SCAN, &arg);
	syscall_result(rep, ret);
	memcpy(out, &arg.walk_end, sizeof(arg.walk_end));
	if (ret > 0)
		memcpy(out + sizeof(arg.walk_end), vec, (size_t)ret * sizeof(*vec));
	rep->dlen = sizeof(arg.walk_end) + (ret > 0 ? (size_t)ret * sizeof(*vec) : 0);
	free(vec);
	if (fd >= 0)
		close(fd);
}

/* Reply room of a scan: walk_end and vec_len regions (0: the arg is short). */
static uint64_t scan_reply_room(const struct host_req *rq, const uint8_t *data)
{
	struct fl_pm_scan_arg arg;

	if (rq->dlen != sizeof(arg))
		return 0;
	memcpy(&arg, data, sizeof(arg));
	if (arg.vec_len > HOST_MAX_DATA / sizeof(struct fl_page_region))
		return 0;
	return sizeof(uint64_t) + arg.vec_len * sizeof(struct fl_page_region);
}

/* What a request runs: on this thread, or on a guarded worker. */
struct work {
	struct host_req rq;
	struct host_iov *hv;
	uint8_t *data, *out;
	int fd;                 /* fork: the new process's socket */
	int hand[2];            /* fork: its contexts go over this, or -1 */
	struct host_rep rep;
};

static void __attribute__((noreturn)) serve_loop(void);

/*
 * By names[] index: an access named by as= - its reply once it ended, or
 * the work of one that waits and its worker.
 */
struct task {
	struct host_rep rep;    /* done: what `wait` answers */
	bool done;
	struct work *w;         /* waiting: the worker owns it */
	void *job;
};
static struct task *tasks;

/* In the process fork() made: talk on W's socket, take its contexts. */
static void __attribute__((noreturn)) forked(struct work *w)
{
	close(env->sock);
	env->sock = w->fd;
	/* /proc/self/mem was opened on the parent's mm: it stays there. */
	if (mem_fd >= 0)
		close(mem_fd);
	mem_fd = -1;
	fl_host_child_uffd_forked();
	tasks = NULL;           /* their workers stayed in the parent */
	if (w->hand[1] >= 0) {
		close(w->hand[0]);
		fl_host_child_uffd_take_forks(w->hand[1]);
		close(w->hand[1]);
	}
	serve_loop();
}

/*
 * fork().  The new process has just the thread that called it (in a
 * process with a userfaultfd, a guarded worker: fork_request()); it
 * serves its own socket from here on, never returning into its caller.
 */
static void run_fork(struct work *w)
{
	pid_t pid;

	fl_host_child_uffd_prefork();
	pid = fork();
	if (pid == 0)
		forked(w);
	syscall_result(&w->rep, pid);
	close(w->fd);
	if (w->hand[1] >= 0)
		close(w->hand[1]);
}

static void run_work(void *arg)
{
	struct work *w = arg;
	struct host_req *rq = &w->rq;

	switch (rq->op) {
	case HOST_OP_STORE:
	case HOST_OP_LOAD:
		user_access(rq->op == HOST_OP_STORE, (uintptr_t)rq->a[0], w->data,
			    rq->op == HOST_OP_STORE ? rq->dlen : rq->a[1], &w->rep);
		break;
	case HOST_OP_PEEK:
		peek(rq->a[0], w->out, rq->a[1]);
		w->rep.dlen = rq->a[1];
		break;
	case HOST_OP_FORK:
		run_fork(w);
		break;
	case HOST_OP_TAG:
	case HOST_OP_POISON:
	case HOST_OP_BTRFS_SEARCH:
		fl_host_child_guest_request(rq, self_mem(), &w->rep);
		break;
	case HOST_OP_RAW_PREAD:
		fl_host_child_raw_pread(fd_of(rq), rq, w->data, &w->rep);
		break;
	case HOST_OP_BTRFS_ITEMS:
		fl_host_child_btrfs_items(rq, w->out, &w->rep);
		break;
	case HOST_OP_PIN: case HOST_OP_PIN_READ: case HOST_OP_PIN_PUT:
		fl_host_child_pin_request(rq, w->out, &w->rep);
		break;
	case HOST_OP_PAGEMAP_SCAN:
		do_pagemap_scan(w->data, w->out, &w->rep);
		break;
	case HOST_OP_MEM_READ:  /* the buffer starts as 0xaa, as a kernel buffer does */
		memset(w->out, 0xaa, rq->a[1]);
		syscall_result(&w->rep, pread(self_mem(), w->out, rq->a[1], (off_t)rq->a[0]));
		w->rep.dlen = rq->a[1];
		break;
	default:
		run_syscall_counted(rq, w->hv, w->data, &w->rep);
	}
}

/*
 * Requests that may wait in handle_userfault or on a pipe: every one that
 * touches user memory or a pipe.  Listed, not ranged: ops are appended to
 * enum host_op as they come, and an access past a range (preadv was past
 * HOST_OP_INSTALL) would run unguarded and take the scenario down with
 * the statement watchdog instead of reporting `blocked`.
 */
static bool may_block(uint32_t op)
{
	switch (op) {
	case HOST_OP_MUNMAP: case HOST_OP_MPROTECT: case HOST_OP_MADVISE:
	case HOST_OP_MLOCK:     /* mlock faults pages in */
	case HOST_OP_PROCESS_MADVISE:
	case HOST_OP_MREMAP: case HOST_OP_STORE: case HOST_OP_LOAD: case HOST_OP_POKE:
	case HOST_OP_READ: case HOST_OP_WRITE: case HOST_OP_PREAD: case HOST_OP_PWRITE:
	case HOST_OP_READV: case HOST_OP_WRITEV: case HOST_OP_VMSPLICE:
	case HOST_OP_PVM_READV: case HOST_OP_PVM_WRITEV:
	case HOST_OP_MEM_READ: case HOST_OP_MEM_WRITE:
	case HOST_OP_PREADV: case HOST_OP_PWRITEV: case HOST_OP_PREADV2: case HOST_OP_PWRITEV2:
	case HOST_OP_SPLICE: case HOST_OP_TEE:
	case HOST_OP_SENDMSG: case HOST_OP_RECVMSG: case HOST_OP_BTRFS_SEARCH:
	case HOST_OP_PIN:       /* GUP faults pages in */
		return true;
	default:
		return false;
	}
}

/*
 * FD is a pipe end or a socket without O_NONBLOCK (`pipe P nonblock=off`,
 * `socketpair S TYPE nonblock=off`)?
 */
static bool fd_is_blocking_pipe(int fd)
{
	struct stat st;
	int fl = fd >= 0 ? fcntl(fd, F_GETFL) : -1;

	return fl >= 0 && !(fl & O_NONBLOCK) && !fstat(fd, &st) &&
	       (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

/* A call on a blocking pipe end may wait for another task. */
static bool waits_on_pipe(const struct host_req *rq)
{
	struct host_req out = { .slot = (uint32_t)rq->a[0], .which = (uint32_t)(rq->a[0] >> 32) };

	switch (rq->op) {
	case HOST_OP_SPLICE: case HOST_OP_TEE:
		return fd_is_blocking_pipe(fd_of(rq)) || fd_is_blocking_pipe(fd_of(&out));
	case HOST_OP_READ: case HOST_OP_WRITE: case HOST_OP_READV: case HOST_OP_WRITEV:
	case HOST_OP_PREADV2: case HOST_OP_PWRITEV2:
		return fd_is_blocking_pipe(fd_of(rq));
	case HOST_OP_SENDMSG: case HOST_OP_RECVMSG:
		/* a timed wait ends by itself: the call runs here, unguarded */
		return fd_is_blocking_pipe(fd_of(rq)) &&
		       !sock_timed(fd_of(rq), rq->op == HOST_OP_SENDMSG);
	default:
		return false;
	}
}

/*
 * A file, a pipe end or another process's userfaultfd for names[] index
 * SLOT (host_link.c: install_everywhere()).  A name bound anew (a second
 * `userfaultfd as=U`) replaces the descriptor it had.
 */
static void install_fd(const struct host_req *rq, int fd)
{
	int *have;

	if (rq->slot >= env->nnames || rq->which > 1) {
		if (fd >= 0)
			close(fd);
		return;
	}
	have = &env->fds[rq->slot][rq->which];
	fl_host_child_uffd_forget(rq->slot);
	if (*have >= 0)
		close(*have);
	*have = fd;
}

/*
 * fork CHILD.  With a userfaultfd, fork() runs on a guarded worker: a
 * context with EVENT_FORK holds it in the kernel until its FORK message
 * is read (dup_userfaultfd_complete), and the guard reads it.  Then the
 * child gets the contexts made for its mm (fl_host_child_uffd_hand_forks()).
 */
static int fork_request(struct work *w)
{
	int guard;

	w->hand[0] = w->hand[1] = -1;
	if (!fl_host_child_uffd_guarded()) {
		run_fork(w);
		return 0;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, w->hand))
		w->hand[0] = w->hand[1] = -1;   /* the child goes without them */
	guard = fl_host_child_run_guarded(run_work, w, false);
	if (guard) {    /* still in fork(): W is the worker's */
		w->rep.blocked = 1;
		return guard;
	}
	if (w->hand[0] >= 0) {
		fl_host_child_uffd_hand_forks(w->hand[0], (pid_t)w->rep.ret);
		close(w->hand[0]);
	}
	return 0;
}

static void work_free(struct work *w)
{
	free(w->out);
	free(w->hv);
	free(w->data);
	free(w);
}

/* ---- named accesses (as=): left waiting, reported by `wait` ---- */


/* An access with as=NAME carries NAME + 1 (host_wait.c); the runner names only those that may wait. */
static bool is_task(const struct host_req *rq)
{
	return rq->task && rq->task <= env->nnames && may_block(rq->op);
}

/* Run the named access W; 2 when it waits (W is kept, not to be freed). */
static int run_task(struct work *w)
{
	unsigned slot = w->rq.task - 1;
	void *job;

	if (!tasks && !(tasks = calloc(env->nnames + 1, sizeof(*tasks))))
		return -ENOMEM;
	/* a name bound again: an old access that waits keeps waiting, unreported */
	if (fl_host_child_run_kept(run_work, w, &job) == 0) {
		tasks[slot] = (struct task){ .rep = w->rep, .done = true };
		tasks[slot].rep.dlen = 0;       /* its data went with this reply */
		return 0;
	}
	tasks[slot] = (struct task){ .w = w, .job = job };
	return 2;
}

/*
 * wait NAME (slot): the access's reply once it has ended, else blocked
 * again.  A name this process holds no waiting access for was reported
 * when it ran: -1/ENOENT, which the runner never sends.
 */
static void wait_request(const struct host_req *rq, struct host_rep *rep, uint8_t **out)
{
	struct task *t = tasks && rq->slot <= env->nnames ? &tasks[rq->slot] : NULL;

	if (t && t->done) {
		*rep = t->rep;
		return;
	}
	if (!t || !t->w) {
		*rep = (struct host_rep){ .ret = -1, .err = ENOENT };
		return;
	}
	if (fl_host_child_job_rewait(t->job)) {
		*rep = (struct host_rep){ .ret = -1, .blocked = 1, .unfinished = 1,
					  .moved = t->w->rep.moved };
		return;
	}
	*rep = t->w->rep;
	*out = t->w->out;
	t->w->out = NULL;
	rep->dlen = 0;
	work_free(t->w);
	*t = (struct task){ .rep = *rep, .done = true };
}

/* Run W's request: on this thread, or on a worker the guard watches. */
static int run_request(struct work *w)
{
	struct host_req *rq = &w->rq;
	int guard = 0;

	if (rq->op == HOST_OP_PEEK || rq->op == HOST_OP_MEM_READ || rq->op == HOST_OP_PIN_READ) {
		if (rq->a[1] > HOST_MAX_DATA || !(w->out = malloc(rq->a[1] + 1)))
			return -ENOMEM;
	}
	if (rq->op == HOST_OP_BTRFS_ITEMS &&
	    (rq->a[2] > HOST_MAX_DATA || !(w->out = malloc(rq->a[2] + 1))))
		return -ENOMEM;
	if (rq->op == HOST_OP_PAGEMAP_SCAN) {
		uint64_t room = scan_reply_room(rq, w->data);

		if (!room || !(w->out = malloc(room)))
			return -ENOMEM;
	}
	if (is_task(rq))
		return run_task(w);
	/* vmsplice waits for room in a full pipe, whatever its O_NONBLOCK */
	if (may_block(rq->op) && (fl_host_child_uffd_guarded() ||
				  rq->op == HOST_OP_VMSPLICE || waits_on_pipe(rq))) {
		guard = fl_host_child_run_guarded(run_work, w, rq->op == HOST_OP_STORE ||
					      rq->op == HOST_OP_LOAD);
		w->rep.blocked = guard != 0;
	} else {
		run_work(w);
	}
	return guard;
}

/*
 * One logged set-up request again, on this thread (host_child_snap.c):
 * only requests that cannot wait are logged, and reply data is dropped.
 */
static void replay_one(const struct host_req *rq, const struct host_iov *hv,
		       const uint8_t *data, struct host_rep *rep)
{
	struct work w = { .rq = *rq, .hv = (struct host_iov *)hv, .data = (uint8_t *)data };

	if ((rq->op == HOST_OP_MEM_READ || rq->op == HOST_OP_PIN_READ) &&
	    !(w.out = malloc(rq->a[1] + 1))) {
		*rep = (struct host_rep){ .ret = -1, .err = ENOMEM };
		return;
	}
	run_work(&w);
	*rep = w.rep;
	free(w.out);
}

/*
 * Before a request runs: the explorer's restore that rides on it
 * (HOST_REQ_RESTORE), and whether a restore that failed refuses it
 * (REP its reply then).  True: run it.
 */
static bool before_request(struct host_req *rq, struct host_rep *rep)
{
	if (rq->which & HOST_REQ_RESTORE) {
		struct host_req r = { .op = HOST_OP_RESTORE };
		struct host_rep rr;

		rq->which &= ~HOST_REQ_RESTORE;
		fl_host_child_snap_request(&r, env, replay_one, &rr);
	}
	if (fl_host_child_snap_refuses(rq, rep))
		return false;
	fl_host_child_snap_begin(rq);
	return true;
}

/*
 * A request a batch may carry: one the server loop runs on this thread
 * and answers at once (not a fork, install, userfaultfd op, wait, named
 * access, or a call that may wait on a pipe or a userfaultfd).
 */
static bool batchable(const struct host_req *rq)
{
	return !fl_host_op_lone(rq->op) && !is_task(rq) && rq->niov <= HOST_MAX_IOV &&
	       rq->dlen <= HOST_MAX_DATA &&
	       !(may_block(rq->op) && (fl_host_child_uffd_guarded() ||
				       rq->op == HOST_OP_VMSPLICE || waits_on_pipe(rq)));
}

/* Append LEN bytes of SRC to the growing buffer *BUF of *LEN, room *CAP. */
static int buf_put(uint8_t **buf, size_t *len, size_t *cap, const void *src, size_t n)
{
	if (!n)
		return 0;       /* SRC may be NULL */
	if (*len + n > *cap) {
		size_t want = *cap ? *cap : 4096;
		uint8_t *b;

		while (want < *len + n)
			want *= 2;
		b = realloc(*buf, want);
		if (!b)
			return -ENOMEM;
		*buf = b;
		*cap = want;
	}
	memcpy(*buf + *len, src, n);
	*len += n;
	return 0;
}

/*
 * The next request of a batch from DATA[*POS, LEN) into W (its iovecs
 * and data copied): 0, or -EINVAL when it does not fit.
 */
static int batch_next(const uint8_t *data, uint64_t len, uint64_t *pos, struct work *w)
{
	uint64_t at = *pos, need;

	if (len - at < sizeof(w->rq))
		return -EINVAL;
	memcpy(&w->rq, data + at, sizeof(w->rq));
	at += sizeof(w->rq);
	need = (uint64_t)w->rq.niov * sizeof(*w->hv);
	if (w->rq.niov > HOST_MAX_IOV || w->rq.dlen > HOST_MAX_DATA ||
	    len - at < need || len - at - need < w->rq.dlen)
		return -EINVAL;
	w->hv = malloc(need + sizeof(*w->hv));
	w->data = malloc(w->rq.dlen + 1);
	if (!w->hv || !w->data)
		return -ENOMEM;
	memcpy(w->hv, data + at, need);
	memcpy(w->data, data + at + need, w->rq.dlen);
	*pos = at + need + w->rq.dlen;
	return 0;
}

/*
 * HOST_OP_BATCH (host_batch.c): the requests in W's data one after the
 * other, each as if it had come alone; the reply's data is their
 * replies, each a struct host_rep and its dlen bytes, and ret how many
 * were served.  It stops before the first that may not be batched
 * (batchable()) or does not parse: the runner runs what is left alone.
 */
static void batch_request(struct work *w)
{
	uint64_t pos = 0;
	size_t len = 0, cap = 0;
	uint8_t *out = NULL;
	int64_t n = 0;

	while (pos < w->rq.dlen) {
		struct work *s = calloc(1, sizeof(*s));
		int err = s ? batch_next(w->data, w->rq.dlen, &pos, s) : -ENOMEM;

		if (!err && !batchable(&s->rq))
			err = -EINVAL;
		if (!err && before_request(&s->rq, &s->rep) && run_request(s))
			err = -ENOMEM;  /* unguarded: only a failed allocation */
		if (!err && !(s->rep.flags & HOST_REP_RESTORE_FAILED))
			fl_host_child_snap_served(&s->rq, s->hv, s->data, &s->rep, -1);
		if (!err && (buf_put(&out, &len, &cap, &s->rep, sizeof(s->rep)) ||
			     buf_put(&out, &len, &cap, s->out, s->rep.dlen)))
			err = -ENOMEM;
		if (s)
			work_free(s);
		if (err)
			break;
		n++;
	}
	w->out = out;
	w->rep = (struct host_rep){ .ret = n, .dlen = len };
}

/* Read the request's iovecs and data; reply; false when the loop must end. */
static bool serve_one(void)
{
	struct work *w = calloc(1, sizeof(*w));
	struct host_req *rq;
	int fd, give = -1, guard = 0;
	bool ok = false;

	if (!w)
		return false;
	rq = &w->rq;
	if (fl_host_recv_hdr(env->sock, rq, sizeof(*rq), &fd))
		goto out;
	if (fd >= 0 && rq->op != HOST_OP_INSTALL && rq->op != HOST_OP_FORK) {
		close(fd);      /* no other request carries one */
		fd = -1;
	}
	if (rq->niov > HOST_MAX_IOV || rq->dlen > HOST_MAX_DATA)
		goto out;
	w->hv = malloc((rq->niov + 1) * sizeof(*w->hv));
	w->data = malloc(rq->dlen + 1);
	if (!w->hv || !w->data || fl_host_recv_all(env->sock, w->hv, rq->niov * sizeof(*w->hv)) ||
	    fl_host_recv_all(env->sock, w->data, rq->dlen))
		goto out;
	if (!before_request(rq, &w->rep)) {
		if (fd >= 0)
			close(fd);
		goto reply;
	}
	switch (rq->op) {
	case HOST_OP_EXIT:
		goto out;
	case HOST_OP_INSTALL:
		install_fd(rq, fd);
		fl_host_child_snap_served(rq, NULL, NULL, &w->rep, fd_of(rq));
		break;
	case HOST_OP_SNAPSHOT: case HOST_OP_RESTORE:
		fl_host_child_snap_request(rq, env, replay_one, &w->rep);
		break;
	case HOST_OP_UFFD_NEW: case HOST_OP_UFFD_IOCTL: case HOST_OP_UFFD_READ:
	case HOST_OP_UFFD_SERVE: case HOST_OP_UFFD_EVENT: case HOST_OP_UFFD_LOG:
		fl_host_child_uffd_request(rq, fd_of(rq), w->data, &w->rep, &w->out, &give);
		break;
	case HOST_OP_FORK:
		w->fd = fd;
		guard = fork_request(w);
		break;
	case HOST_OP_WAIT:
		wait_request(rq, &w->rep, &w->out);
		break;
	case HOST_OP_BATCH:
		batch_request(w);
		break;
	default:
		guard = run_request(w);
		if (guard < 0)
			goto out;
		fl_host_child_snap_served(rq, w->hv, w->data, &w->rep, -1);
	}
	if (guard == 2) {
		/* The worker still waits and owns W: answer from a copy. */
		struct host_rep rep = { .ret = -1, .blocked = 1, .unfinished = 1,
					.moved = w->rep.moved };

		return fl_host_send(env->sock, &rep, sizeof(rep), NULL, 0, NULL, 0, -1) == 0;
	}
reply:
	ok = fl_host_send(env->sock, &w->rep, sizeof(w->rep), NULL, 0, w->out, w->rep.dlen,
		       give) == 0;
out:
	work_free(w);
	return ok;
}

/*
 * The address space this process has at its start, inherited from the
 * runner: a model world the runner keeps open beside it (explore --diff
 * keeps the model's set-up while the host's runs, cli/cmd_diff.c)
 * reserves gigabytes it never touches, which RLIMIT_AS counts.  0 if
 * /proc is not there.
 */
static uint64_t inherited_vm(void)
{
	unsigned long long pages = 0;
	char buf[64];
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (n = 0; buf[n] >= '0' && buf[n] <= '9'; n++)
		pages = pages * 10 + (unsigned)(buf[n] - '0');
	return pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

void fl_host_child_limits(void)
{
	struct rlimit cpu = { HOST_RLIMIT_CPU, HOST_RLIMIT_CPU };
	struct rlimit fsize = { HOST_RLIMIT_FSIZE, HOST_RLIMIT_FSIZE };
	struct rlimit core = { 0, 0 };  /* a crash writes no core file anywhere */
	/*
	 * the scenario's own mappings get HOST_RLIMIT_AS on top of what it
	 * inherits; a 32-bit guest's (i386, arm) address space is below
	 * that: no limit there.
	 */
	rlim_t as_max = sizeof(rlim_t) < sizeof(uint64_t) ? RLIM_INFINITY
			: (rlim_t)(inherited_vm() + HOST_RLIMIT_AS);
	struct rlimit as = { as_max, as_max };

	setrlimit(RLIMIT_CPU, &cpu);
	setrlimit(RLIMIT_FSIZE, &fsize);
	setrlimit(RLIMIT_CORE, &core);
	if (!HOST_UNDER_SANITIZER)
		setrlimit(RLIMIT_AS, &as);
}

/* Serve requests until EXIT or EOF; a forked process starts here too. */
static void serve_loop(void)
{
	while (serve_one())
		;
	_exit(0);
}

void fl_host_child_main(struct host_child_env *e)
{
	env = e;
	/* A write to a pipe nobody reads is EPIPE and a SIGPIPE counted, not a
	 * dead scenario process (the outcome `sigpipe`). */
	signal(SIGPIPE, sigpipe_count);
	/* A write past RLIMIT_FSIZE is EFBIG, an observable, not a dead process. */
	signal(SIGXFSZ, SIG_IGN);
	install_fault_handler();
	serve_loop();
}
