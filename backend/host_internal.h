/*
 * backend/host_internal.h - what the files of the host backend share: the
 * request/reply protocol between the runner (parent) and the scenario
 * processes (real forked children), and the child's server loop.
 *
 * Picture
 *
 *      faultline (runner, parent)                  scenario processes
 *      host.c: evaluates nothing,      socketpair  host_child.c: one real
 *      turns each statement into  <-------------->  process per `process`
 *      one struct host_req, reads    req / rep      or `fork`; runs the
 *      one struct host_rep                          syscall, replies
 *
 * Files and pipes are created in the parent (memfd, O_TMPFILE, pipe2) and
 * handed to every live child with SCM_RIGHTS (HOST_OP_INSTALL); a child
 * forked later inherits them, so every process sees the same open file
 * descriptions, as processes sharing a file do.  A userfaultfd is made in
 * the child whose mm it serves, comes back to the parent with the reply,
 * and goes on from there as a file does.
 *
 * Invariants
 *   1. Each child serves one request at a time and answers every request
 *      with exactly one reply (header + dlen bytes), or dies (EOF).
 *   2. A child never returns from host_child_main(): it leaves by _exit(),
 *      so it never flushes stdio buffers inherited from the runner nor runs
 *      the runner's atexit handlers (LeakSanitizer, among them).
 *   3. Nothing a child does is written outside memory, its memfds and the
 *      nameless O_TMPFILE files: there is nothing to clean up on disk.
 */
#ifndef FL_BACKEND_HOST_INTERNAL_H
#define FL_BACKEND_HOST_INTERNAL_H

#include <sys/ioctl.h>
#include <sys/types.h>

#include <faultline/backend.h>

/* Limits of one scenario process (setrlimit in the child). */
#define HOST_RLIMIT_AS      ((rlim_t)4 << 30)
#define HOST_RLIMIT_CPU     30                /* seconds */
#define HOST_RLIMIT_FSIZE   ((rlim_t)1 << 30)
/* Wall clock: one statement may take this long before the processes are killed. */
#define HOST_STMT_TIMEOUT_MS 10000
#define HOST_MAX_DATA       ((uint64_t)256 << 20)
#define HOST_MAX_IOV        1024

enum host_op {
	HOST_OP_MMAP = 1,       /* a[0] addr, a[1] len, a[2] prot, a[3] flags, a[4] off; fd slot */
	HOST_OP_MUNMAP,         /* a[0] addr, a[1] len */
	HOST_OP_MPROTECT,       /* a[0] addr, a[1] len, a[2] prot */
	HOST_OP_MADVISE,        /* a[0] addr, a[1] len, a[2] advice */
	HOST_OP_MREMAP,         /* a[0] addr, a[1] old len, a[2] new len, a[3] flags, a[4] new addr */
	HOST_OP_STORE,          /* a[0] addr; data */
	HOST_OP_LOAD,           /* a[0] addr, a[1] len */
	HOST_OP_POKE,           /* a[0] addr; data (through /proc/self/mem) */
	HOST_OP_PEEK,           /* a[0] addr, a[1] len: reply data */
	HOST_OP_READ,           /* fd; a[0] addr, a[1] len */
	HOST_OP_WRITE,
	HOST_OP_PREAD,          /* fd; a[0] addr, a[1] len, a[2] off */
	HOST_OP_PWRITE,
	HOST_OP_READV,          /* fd; iovecs */
	HOST_OP_WRITEV,
	HOST_OP_VMSPLICE,       /* fd; a[0] addr, a[1] len */
	HOST_OP_PVM_READV,      /* a[0] pid, a[1] local, a[2] remote, a[3] len */
	HOST_OP_PVM_WRITEV,
	HOST_OP_MEM_READ,       /* a[0] addr, a[1] len: reply data (the buffer) */
	HOST_OP_MEM_WRITE,      /* a[0] addr; data */
	HOST_OP_INSTALL,        /* slot, which; the fd rides along (SCM_RIGHTS): a file,
				   a pipe end, or a userfaultfd another process made */
	HOST_OP_FORK,           /* the new child's socket rides along: reply ret = pid */
	HOST_OP_EXIT,           /* no reply: the socket closes */
	/* userfaultfd (host_child_uffd.c); slot: the handle's names[] index */
	HOST_OP_UFFD_NEW,       /* a[0] flags (UFFD_USER_MODE_ONLY, O_CLOEXEC, O_NONBLOCK);
				   the reply carries the new context's fd */
	HOST_OP_UFFD_IOCTL,     /* a[0] request; data: the ioctl's struct, sent back */
	HOST_OP_UFFD_READ,      /* a[0] made O_NONBLOCK; reply data: struct uffd_msg */
	HOST_OP_UFFD_SERVE,     /* data: the monitor's page (4096 bytes) */
	HOST_OP_UFFD_EVENT,     /* reply ret 0/-ENOENT/-EBADF; data: struct uffd_msg */
	HOST_OP_UFFD_LOG,       /* reply ret 0/-1 ENOMSG; data: struct host_uffd_log */
};

struct host_req {
	uint32_t op;
	uint32_t slot;          /* names[] index of a file or pipe */
	uint32_t which;         /* 0: file, pipe read end; 1: pipe write end */
	uint32_t niov;          /* struct host_iov following the header */
	uint64_t a[5];
	uint64_t dlen;          /* data bytes following the iovecs */
};

struct host_iov {
	uint64_t addr, len;
};

struct host_rep {
	int64_t ret;            /* the syscall's return value */
	int32_t err;            /* its errno when ret == -1 */
	int32_t sig, code;      /* a user access that faulted: signal, si_code */
	uint32_t pad;
	uint64_t addr;          /* ... si_addr */
	uint64_t moved;         /* store/load: bytes transferred before it */
	uint64_t dlen;          /* data bytes following */
	uint32_t blocked;       /* the call waited on a userfaultfd nobody serves */
	uint32_t unfinished;    /* ... and has not returned: ret/err mean nothing */
};

/* The monitor's UFFDIO_COPY as it saw it: what `uffd_log` hands out. */
struct host_uffd_log {
	uint64_t dst;
	int64_t copy;           /* the copy field: INT64_MIN if the kernel left it */
	int32_t ret;            /* the ioctl: 0 or -errno */
	uint32_t pad;
};

/*
 * UFFDIO_MOVE (6.8) and UFFDIO_POISON (6.6) as include/uapi/linux/userfaultfd.h
 * has them: older installed headers (6.1's) lack both.  Own names, so newer
 * headers do not clash; the layouts, hence the ioctl numbers, are the kernel's.
 */
struct host_uffdio_move {
	uint64_t dst, src, len, mode;
	int64_t move;
};

struct host_uffdio_poison {
	uint64_t start, len, mode;
	int64_t updated;
};

#define HOST_UFFDIO_MOVE   _IOWR(0xAA, 0x05, struct host_uffdio_move)
#define HOST_UFFDIO_POISON _IOWR(0xAA, 0x08, struct host_uffdio_poison)

/* host_proto.c: framing over a SOCK_STREAM socket, fds by SCM_RIGHTS. */
int host_send(int sock, const void *hdr, size_t hlen, const void *iov,
	      size_t ilen, const void *data, size_t dlen, int fd);
int host_recv_hdr(int sock, void *hdr, size_t hlen, int *fd);
int host_recv_all(int sock, void *buf, size_t len);

/* host_child.c: serve requests on SOCK until EXIT or EOF; never returns. */
struct host_child_env {
	int sock;
	int (*fds)[2];          /* by names[] index: file / pipe ends */
	unsigned nnames;
};
void host_child_main(struct host_child_env *env) __attribute__((noreturn));
/* The limits above, set in a new scenario process. */
void host_child_limits(void);

/*
 * host_child_uffd.c: userfaultfd in a scenario process.  host_uffd_request()
 * answers the HOST_OP_UFFD_* requests (SHARED: the runner's descriptor
 * for the handle, -1 if none; OUT: reply data, malloc'ed; *GIVE: a
 * descriptor to send back with the reply, the new context's for
 * HOST_OP_UFFD_NEW); host_uffd_guarded() is true once this process has a
 * userfaultfd: from then on an access may wait in handle_userfault, so
 * host_child.c runs it with host_uffd_run_guarded(), which reports it
 * blocked instead of hanging.  host_uffd_forget(): the runner installs a
 * new descriptor for the name.  host_uffd_prefork() before fork(),
 * host_uffd_hand_forks() after it in the parent, host_uffd_forked() and
 * host_uffd_take_forks() in the new process.
 */
void host_uffd_request(const struct host_req *rq, int shared, uint8_t *data,
		       struct host_rep *rep, uint8_t **out, int *give);
bool host_uffd_guarded(void);
void host_uffd_forget(unsigned slot);
void host_uffd_prefork(void);
void host_uffd_hand_forks(int sock);
void host_uffd_forked(void);
void host_uffd_take_forks(int sock);
typedef void (*host_work_fn)(void *arg);
/*
 * Run FN(ARG) on a worker thread: 0 it ended; 1 it was blocked and was
 * interrupted (USER_MODE: user_access() leaves on SIGUSR1); 2 blocked and
 * still waiting: what FN uses must never be freed.
 */
int host_uffd_run_guarded(host_work_fn fn, void *arg, bool user_mode);
/*
 * Not resident in an mm that may have registered ranges: a peek must not
 * fault it in.
 */
bool host_uffd_page_absent(uint64_t addr);

#endif
