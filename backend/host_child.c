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
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "backend/host_internal.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* ASan reserves terabytes of shadow: an address-space limit would break it. */
#if defined(__SANITIZE_ADDRESS__)
#define HOST_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HOST_UNDER_ASAN 1
#endif
#endif
#ifndef HOST_UNDER_ASAN
#define HOST_UNDER_ASAN 0
#endif

static struct host_child_env *env;
static int mem_fd = -1;                 /* /proc/self/mem, opened on first use */

/* ---- user-mode accesses under a fault handler ---- */

static sigjmp_buf access_env;
static volatile sig_atomic_t in_access;
static volatile int fault_sig, fault_code;
static volatile uintptr_t fault_addr;

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

static void install_fault_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = access_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
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

	fault_sig = 0;
	if (sigsetjmp(access_env, 1) == 0) {
		in_access = 1;
		for (; i < len; i++) {
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
		if (pread(self_mem(), buf + done, chunk, (off_t)a) < 0)
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

static int fd_of(const struct host_req *rq)
{
	if (rq->slot >= env->nnames || rq->which > 1)
		return -1;
	return env->fds[rq->slot][rq->which];
}

/*
 * mmap without a hint: reserve LEN + 2 pages, put the mapping in the middle
 * and unmap the two ends, so it has an unmapped guard page on both sides as
 * the scenario language promises.  A later reservation is at least three
 * pages, so it never lands in one of these one-page holes.
 */
static long do_mmap(const struct host_req *rq)
{
	size_t len = rq->a[1], span = ((len + 4095) & ~(size_t)4095) + 8192;
	int flags = (int)rq->a[3], fd = rq->slot ? fd_of(rq) : -1;
	void *res, *p;

	if (fd < 0)
		flags |= MAP_ANONYMOUS;
	if (rq->a[0])
		return (long)mmap((void *)(uintptr_t)rq->a[0], len, (int)rq->a[2],
				  flags | MAP_FIXED_NOREPLACE, fd, (off_t)rq->a[4]);
	res = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED)
		return -1;
	p = mmap((char *)res + 4096, len, (int)rq->a[2], flags | MAP_FIXED, fd,
		 (off_t)rq->a[4]);
	if (p == MAP_FAILED) {
		int err = errno;

		munmap(res, span);
		errno = err;
		return -1;
	}
	munmap(res, 4096);
	munmap((char *)res + span - 4096, 4096);
	return (long)p;
}

static long do_iov(const struct host_req *rq, const struct host_iov *hv)
{
	struct iovec v[HOST_MAX_IOV];
	uint32_t i;

	for (i = 0; i < rq->niov; i++) {
		v[i].iov_base = (void *)(uintptr_t)hv[i].addr;
		v[i].iov_len = hv[i].len;
	}
	if (rq->op == HOST_OP_READV)
		return readv(fd_of(rq), v, (int)rq->niov);
	return writev(fd_of(rq), v, (int)rq->niov);
}

static long do_pvm(const struct host_req *rq)
{
	struct iovec local = { (void *)(uintptr_t)rq->a[1], rq->a[3] };
	struct iovec remote = { (void *)(uintptr_t)rq->a[2], rq->a[3] };

	if (rq->op == HOST_OP_PVM_READV)
		return process_vm_readv((pid_t)rq->a[0], &local, 1, &remote, 1, 0);
	return process_vm_writev((pid_t)rq->a[0], &local, 1, &remote, 1, 0);
}

static long do_vmsplice(const struct host_req *rq)
{
	struct iovec v = { (void *)(uintptr_t)rq->a[0], rq->a[1] };

	return vmsplice(fd_of(rq), &v, 1, 0);
}

static int advice_of(uint64_t a)
{
	static const int advice[] = {
		MADV_DONTNEED, MADV_REMOVE, MADV_PAGEOUT, MADV_POPULATE_READ,
		MADV_POPULATE_WRITE, MADV_WIPEONFORK, MADV_DONTFORK,
	};

	return a < sizeof(advice) / sizeof(advice[0]) ? advice[a] : -1;
}

/* The scenario-level statements that are one system call each. */
static void run_syscall(const struct host_req *rq, const struct host_iov *hv,
			const uint8_t *data, struct host_rep *rep)
{
	void *addr = (void *)(uintptr_t)rq->a[0];
	size_t len = rq->a[1];

	switch (rq->op) {
	case HOST_OP_MMAP:      syscall_result(rep, do_mmap(rq)); break;
	case HOST_OP_MUNMAP:    syscall_result(rep, munmap(addr, len)); break;
	case HOST_OP_MPROTECT:  syscall_result(rep, mprotect(addr, len, (int)rq->a[2])); break;
	case HOST_OP_MADVISE:
		syscall_result(rep, madvise(addr, len, advice_of(rq->a[2])));
		break;
	case HOST_OP_READ:      syscall_result(rep, read(fd_of(rq), addr, len)); break;
	case HOST_OP_WRITE:     syscall_result(rep, write(fd_of(rq), addr, len)); break;
	case HOST_OP_PREAD:
		syscall_result(rep, pread(fd_of(rq), addr, len, (off_t)rq->a[2]));
		break;
	case HOST_OP_PWRITE:
		syscall_result(rep, pwrite(fd_of(rq), addr, len, (off_t)rq->a[2]));
		break;
	case HOST_OP_READV:
	case HOST_OP_WRITEV:    syscall_result(rep, do_iov(rq, hv)); break;
	case HOST_OP_VMSPLICE:  syscall_result(rep, do_vmsplice(rq)); break;
	case HOST_OP_PVM_READV:
	case HOST_OP_PVM_WRITEV: syscall_result(rep, do_pvm(rq)); break;
	case HOST_OP_MEM_WRITE:
	case HOST_OP_POKE:
		syscall_result(rep, pwrite(self_mem(), data, rq->dlen, (off_t)rq->a[0]));
		break;
	default:
		rep->ret = -1;
		rep->err = ENOSYS;
	}
}

static void serve_fork(int newsock)
{
	pid_t pid = fork();
	struct host_rep rep = { .ret = pid, .err = pid < 0 ? errno : 0 };

	if (pid == 0) {         /* the new process: it talks on NEWSOCK */
		close(env->sock);
		env->sock = newsock;
		/* /proc/self/mem was opened on the parent's mm: it stays there. */
		if (mem_fd >= 0)
			close(mem_fd);
		mem_fd = -1;
		return;
	}
	close(newsock);
	host_send(env->sock, &rep, sizeof(rep), NULL, 0, NULL, 0, -1);
}

/* Read the request's iovecs and data; reply; false when the loop must end. */
static bool serve_one(void)
{
	struct host_req rq;
	struct host_rep rep = { 0 };
	struct host_iov *hv = NULL;
	uint8_t *data = NULL, *out = NULL;
	int fd;

	if (host_recv_hdr(env->sock, &rq, sizeof(rq), &fd))
		return false;
	if (rq.niov > HOST_MAX_IOV || rq.dlen > HOST_MAX_DATA)
		return false;
	hv = malloc((rq.niov + 1) * sizeof(*hv));
	data = malloc(rq.dlen + 1);
	if (!hv || !data || host_recv_all(env->sock, hv, rq.niov * sizeof(*hv)) ||
	    host_recv_all(env->sock, data, rq.dlen))
		return false;
	switch (rq.op) {
	case HOST_OP_EXIT:
		return false;
	case HOST_OP_FORK:
		serve_fork(fd);
		goto out;
	case HOST_OP_INSTALL:
		if (rq.slot < env->nnames && rq.which <= 1)
			env->fds[rq.slot][rq.which] = fd;
		break;
	case HOST_OP_STORE:
	case HOST_OP_LOAD:
		user_access(rq.op == HOST_OP_STORE, (uintptr_t)rq.a[0], data,
			    rq.op == HOST_OP_STORE ? rq.dlen : rq.a[1], &rep);
		break;
	case HOST_OP_PEEK:
	case HOST_OP_MEM_READ:
		if (rq.a[1] > HOST_MAX_DATA)
			return false;
		out = malloc(rq.a[1] + 1);
		if (!out)
			return false;
		if (rq.op == HOST_OP_PEEK) {
			peek(rq.a[0], out, rq.a[1]);
		} else {        /* the buffer starts as 0xaa, as a kernel buffer does */
			memset(out, 0xaa, rq.a[1]);
			syscall_result(&rep, pread(self_mem(), out, rq.a[1], (off_t)rq.a[0]));
		}
		rep.dlen = rq.a[1];
		break;
	default:
		run_syscall(&rq, hv, data, &rep);
	}
	if (host_send(env->sock, &rep, sizeof(rep), NULL, 0, out, rep.dlen, -1))
		return false;
out:
	free(out);
	free(hv);
	free(data);
	return true;
}

void host_child_limits(void)
{
	struct rlimit cpu = { HOST_RLIMIT_CPU, HOST_RLIMIT_CPU };
	struct rlimit fsize = { HOST_RLIMIT_FSIZE, HOST_RLIMIT_FSIZE };
	struct rlimit core = { 0, 0 };  /* a crash writes no core file anywhere */
	struct rlimit as = { HOST_RLIMIT_AS, HOST_RLIMIT_AS };

	setrlimit(RLIMIT_CPU, &cpu);
	setrlimit(RLIMIT_FSIZE, &fsize);
	setrlimit(RLIMIT_CORE, &core);
	if (!HOST_UNDER_ASAN)
		setrlimit(RLIMIT_AS, &as);
}

void host_child_main(struct host_child_env *e)
{
	env = e;
	/* A write to a pipe nobody reads is EPIPE, not a dead scenario process. */
	signal(SIGPIPE, SIG_IGN);
	/* A write past RLIMIT_FSIZE is EFBIG, an observable, not a dead process. */
	signal(SIGXFSZ, SIG_IGN);
	install_fault_handler();
	while (serve_one())
		;
	_exit(0);
}
