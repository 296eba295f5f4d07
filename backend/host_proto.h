/*
 * backend/host_proto.h - the host backend's wire protocol: the requests
 * the runner sends a scenario process and the replies it gets, the frames
 * that carry the same over one byte stream to an agent (fl-agent), and
 * the scenario process's side (host_child*.c).
 *
 * Nothing here needs the faultline library: the scenario process's side
 * (host_child*.c, host_proto.c, host_link.c, host_agent.c) builds on its
 * own as the static program fl-agent, for this or another architecture
 * (backend/agent/fl_agent.c; docs/host.md "agent protocol").
 *
 * Picture
 *
 *   runner (host.c)       link (host_link.c)          scenario processes
 *   one statement   -->   spawn, fork, exit,   <---->  host_child.c: one
 *   = link ops            files, pipes;       req/rep  real process per
 *                         request(id, req)   socketpair `process`/`fork`
 *
 *   or, through an agent (host_stream.c -> fl-agent -> host_link.c):
 *   runner --frames over a byte stream (pipe, serial console)--> agent
 *
 * Files and pipes are created by the link (memfd, O_TMPFILE, pipe2) and
 * handed to every live child with SCM_RIGHTS (HOST_OP_INSTALL); a child
 * forked later inherits them, so every process sees the same open file
 * descriptions, as processes sharing a file do.  A userfaultfd is made in
 * the child whose mm it serves, comes back to the link with the reply,
 * and goes on from there as a file does.
 *
 * Invariants
 *   1. Each child serves one request at a time and answers every request
 *      with exactly one reply (header + dlen bytes), or dies (EOF).
 *   2. A child never returns from fl_host_child_main(): it leaves by
 *      _exit(), so it never flushes stdio buffers inherited from the
 *      runner nor runs the runner's atexit handlers (LeakSanitizer).
 *   3. Nothing a child does is written outside memory, its memfds and the
 *      nameless O_TMPFILE files: there is nothing to clean up on disk.
 *   4. Every number on the wire is the same on every architecture
 *      faultline runs on (x86_64, arm64, i386, arm, riscv64): fixed-width
 *      little-endian fields with no padding, the scenario's own words
 *      (advice, userfaultfd flags) rather than a libc's constants, and
 *      ioctl numbers in the generic _IOC encoding those arches share.
 */
#ifndef FL_BACKEND_HOST_PROTO_H
#define FL_BACKEND_HOST_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/types.h>

/* Limits of one scenario process (setrlimit in the child). */
#define HOST_RLIMIT_AS      ((uint64_t)4 << 30)
#define HOST_RLIMIT_CPU     30                /* seconds */
#define HOST_RLIMIT_FSIZE   ((uint64_t)1 << 30)
/* Wall clock: one statement may take this long before the processes are killed. */
#define HOST_STMT_TIMEOUT_MS 10000
/* A killed process is waited for this long, then left: it may never die. */
#define HOST_REAP_MS        1000
#define HOST_MAX_DATA       ((uint64_t)256 << 20)
#define HOST_MAX_IOV        1024
/* Scenario processes of one scenario, all alive at once at most. */
#define HOST_MAX_PROCS      32
/*
 * Bytes the live scenario processes may have mapped in all (host.c,
 * host_charge()): RLIMIT_AS bounds one process, and 32 of them could
 * otherwise populate 32 times that of this machine's memory.
 */
#define HOST_MAX_MAPPED     ((uint64_t)4 << 30)

enum host_op {
	HOST_OP_MMAP = 1,       /* a[0] addr, a[1] len, a[2] prot, a[3] flags, a[4] off; fd slot */
	HOST_OP_MUNMAP,         /* a[0] addr, a[1] len */
	HOST_OP_MPROTECT,       /* a[0] addr, a[1] len, a[2] prot */
	HOST_OP_MADVISE,        /* a[0] addr, a[1] len, a[2] advice (the scenario's word) */
	HOST_OP_MREMAP,         /* a[0] addr, a[1] old len, a[2] new len, a[3] flags, a[4] new addr */
	HOST_OP_STORE,          /* a[0] addr; data */
	HOST_OP_LOAD,           /* a[0] addr, a[1] len */
	HOST_OP_POKE,           /* a[0] addr; data (through /proc/self/mem) */
	HOST_OP_PEEK,           /* a[0] addr, a[1] len: reply data */
	HOST_OP_READ,           /* fd; a[0] addr, a[1] len */
	HOST_OP_WRITE,
	HOST_OP_PREAD,          /* fd; a[0] addr, a[1] len, a[2] off */
	HOST_OP_PWRITE,
	HOST_OP_READV,          /* fd; iovecs; a[0] the count passed (zero iovecs
				   after the request's), a[2] 1: the array is
				   user memory at a[1] instead */
	HOST_OP_WRITEV,
	HOST_OP_VMSPLICE,       /* fd; a[0] addr, a[1] len, a[2] SPLICE_F_*, a[3] the
				   count passed (zero iovecs after the first) */
	HOST_OP_PVM_READV,      /* iovecs: a[1] local ones, then a[2] remote ones;
				   a[0] pid, a[3] flags, a[4] bit 0/1: the local/
				   remote array is user memory at data's u64 0/1;
				   data's u64 2/3: the counts passed */
	HOST_OP_PVM_WRITEV,
	HOST_OP_MEM_READ,       /* a[0] addr, a[1] len: reply data (the buffer) */
	HOST_OP_MEM_WRITE,      /* a[0] addr; data */
	HOST_OP_INSTALL,        /* slot, which; the fd rides along (SCM_RIGHTS): a file,
				   a pipe end, or a userfaultfd another process made */
	HOST_OP_FORK,           /* the new child's socket rides along: reply ret = pid */
	HOST_OP_EXIT,           /* no reply: the socket closes */
	/* userfaultfd (host_child_uffd.c); slot: the handle's names[] index */
	HOST_OP_UFFD_NEW,       /* a[0] the scenario's words: bit 0 user_mode_only,
				   1 cloexec, 2 nonblock; a[1] 1: /dev/userfaultfd
				   only (dev=on); the reply carries the fd */
	HOST_OP_UFFD_IOCTL,     /* a[0] request; data: the ioctl's struct, sent back */
	HOST_OP_UFFD_READ,      /* a[0] made O_NONBLOCK, a[1] 1 + C of as=C (0: none);
				   reply data: struct uffd_msg; a FORK message's
				   context rides along with as=, rep.addr the pid of
				   the process that fork made */
	HOST_OP_UFFD_SERVE,     /* data: the monitor's page (4096 bytes) */
	HOST_OP_UFFD_EVENT,     /* reply ret 0/-ENOENT/-EBADF; data: struct uffd_msg */
	HOST_OP_UFFD_LOG,       /* reply ret 0/-1 ENOMSG; data: struct host_uffd_log */
	HOST_OP_WAIT,           /* slot: an access named by as= (task = slot + 1 of
				   its request): its reply once it ended, else
				   blocked and unfinished */
	HOST_OP_PREADV,         /* as READV, and a[3] offset, a[4] RWF_* (v2 only) */
	HOST_OP_PWRITEV,
	HOST_OP_PREADV2,
	HOST_OP_PWRITEV2,
	HOST_OP_LSEEK,          /* fd; a[0] offset, a[1] whence (SEEK_* values) */
	HOST_OP_FSTAT,          /* fd; reply ret st_size */
	HOST_OP_SPLICE,         /* fd in; a[0] the out slot | which << 32, a[1] flags,
				   a[2]/a[3] offset in/out (-1: NULL), a[4] len */
	HOST_OP_PAGEMAP,        /* a[0] addr, a[1] the reader (HOST_PM_READ_*):
				   reply ret 0 (or -1, err) and addr the
				   /proc/self/pagemap entry of its page */
	HOST_OP_CLEAR_REFS,     /* a[0] the type (1..5) written to /proc/self/clear_refs */
	/* what only a guest kernel runs (host_child_guest.c; HELLO's caps) */
	HOST_OP_TAG,            /* a[0] addr, a[1] len, a[2] tag: PROT_MTE + STG */
	HOST_OP_POISON,         /* a[0] addr: madvise(MADV_HWPOISON) of its page */
	HOST_OP_BTRFS_SEARCH,   /* a[0] buf, a[1] len, a[2] items, a[3] item data bytes */
	/* back to the set-up between cases (host_child_snap.c) */
	HOST_OP_SNAPSHOT,       /* the state now is the set-up: ret 0, -1 EOPNOTSUPP */
	HOST_OP_RESTORE,        /* back to it: ret 0, -1 EAGAIN (a new process must
				   take over), -1 EOPNOTSUPP (no snapshot) */
	HOST_OP_RAW_PREAD,      /* bench judge's raw loop (host_child_bench.c): fd;
				   a[0] the end of a buffer, a[1] ns at least;
				   data: u32 (size, off) pairs, pread(fd, a[0] + off
				   - size, size, 0) each; reply ret calls, moved ns */
	HOST_OP_SENDMSG,        /* as READV, on a socket end: one msghdr, MSG_* flags in a[4],
				   msg_control a[3], msg_controllen ctllen */
	HOST_OP_RECVMSG,        /* reply: HOST_REP_MSG_FLAGS and addr msg_flags */
	HOST_OP_BTRFS_ITEMS,    /* a[0] items, a[1] item data bytes, a[2] reply bytes:
				   the layout's directory made if new, searched into
				   the agent's own buffer; reply ret items found, data
				   the items as the ioctl returns them (headers, data) */
	HOST_OP_TEE,            /* fd in; a[0] the out slot | which << 32, a[1] flags,
				   a[4] len */
	HOST_OP_BATCH,          /* data: requests, each a struct host_req, its
				   iovecs and data, run back to back; reply ret
				   how many ran, data their replies, each a
				   struct host_rep and its data (host_batch.c) */
	HOST_OP_GETDENTS,       /* fd; a[0] addr, a[1] count (the syscall's unsigned
				   int), a[2] 0: getdents64, 1: getdents (-ENOSYS
				   where the arch has none) */
	HOST_OP_SHUTDOWN,       /* socket end; a[0] SHUT_RD, SHUT_WR or SHUT_RDWR */
	/* the GUP calls through the judge's faultline_pin module
	   (host_child_pin.c); slot: the handle's names[] index */
	HOST_OP_PIN,            /* a[0] addr, a[1] pages, a[2] FLPIN_* flags: reply
				   ret what the kernel function returned
				   (pages, or -errno) */
	HOST_OP_PIN_READ,       /* a[0] offset, a[1] len: reply ret bytes, data them */
	HOST_OP_PIN_PUT,        /* the handle's pages given back: ret 0 */
	HOST_OP_SOCK_TIMEO,     /* socket pair SLOT: a[0] SO_SNDTIMEO, a[1] SO_RCVTIMEO
				   in microseconds on both ends (0: left as it is) */
	HOST_OP_PAGEMAP_SCAN,   /* data: a struct pm_scan_arg (vec 0: NULL, else
				   a buffer of vec_len regions): reply ret, data
				   walk_end as written back (the value sent if
				   not) and ret regions */
	HOST_OP_MLOCK,          /* a[0] addr, a[1] len, a[2] 1: mlock, 0: munlock */
	HOST_OP_FTRUNCATE,      /* fd; a[0] the length */
	HOST_OP_PROCESS_MADVISE, /* iovecs and a[0..2] as READV's; a[3] the target's
				   pid, a[4] the advice (the scenario's word)
				   | flags << 32 */
	HOST_OP_PIN_CPU,        /* a[0] 1 + the CPU, or 0: the one it runs on;
				   reply ret the CPU its threads now run on only */
	HOST_OP_ADD_SEALS,      /* fd; a[0] the seals: fcntl(F_ADD_SEALS) */
	HOST_OP_GET_SEALS,      /* fd: fcntl(F_GET_SEALS) */
	HOST_OP_SETSOCKOPT,     /* socket end; a[0] HOST_SOCKOPT_*, a[1] the int value */
};

/* HOST_OP_PAGEMAP's reader: enum fl_pm_reader's values (host_pagemap.c checks). */
#define HOST_PM_READ_BITS   0
#define HOST_PM_READ_PRIV   1
#define HOST_PM_READ_UNPRIV 2

/* The descriptors one SCM_RIGHTS message carries here (FL_OBS_RIGHTS). */
#define HOST_RIGHTS 8

struct host_req {
	uint32_t op;
	uint32_t slot;          /* names[] index of a file or pipe */
	uint32_t which;         /* 0: file, pipe read end, socket end 0;
				   1: pipe write end, socket end 1;
				   | HOST_REQ_RESTORE: HOST_OP_RESTORE first */
	uint32_t niov;          /* struct host_iov following the header */
	uint32_t task;          /* NAME + 1 of an access named by as= (0: none) */
	uint32_t ctllen;        /* HOST_OP_SENDMSG, RECVMSG: msg_controllen (a[3] msg_control) */
	uint64_t a[5];
	uint64_t dlen;          /* data bytes following the iovecs */
	uint64_t rights;        /* HOST_OP_SENDMSG: an SCM_RIGHTS message of the
				   descriptors byte i - 1 names (FL_OBS_RIGHT),
				   up to the first 0 byte; 0: none */
	uint32_t creds;         /* HOST_OP_SENDMSG: 1: an SCM_CREDENTIALS message of
				   the sender's own pid, uid and gid */
	uint32_t pad;
};

/*
 * The explorer's restore rides on the case's first request (host.c,
 * host_restore()): one message each way per case.  A restore that
 * failed leaves the request not run, its reply HOST_REP_RESTORE_FAILED.
 */
#define HOST_REQ_RESTORE        0x80000000u
#define HOST_REP_RESTORE_FAILED 0x1u
/* The call sent its thread SIGPIPE (caught: its return value stands). */
#define HOST_REP_SIGPIPE 0x2u
/*
 * Not run: an ioctl that checks mmap_changing on a context that owes
 * uffd_read a non-cooperative message read ahead (host_child_uffd.c).
 */
#define HOST_REP_READ_AHEAD 0x4u
/* recvmsg wrote msghdr.msg_flags (it returned >= 0): the value in addr. */
#define HOST_REP_MSG_FLAGS 0x8u

struct host_iov {
	uint64_t addr, len;
};

struct host_rep {
	int64_t ret;            /* the syscall's return value */
	int32_t err;            /* its errno when ret == -1 */
	int32_t sig, code;      /* a user access that faulted: signal, si_code */
	uint32_t flags;         /* HOST_REP_* */
	uint64_t addr;          /* ... si_addr */
	uint64_t moved;         /* store/load: bytes transferred before it */
	uint64_t dlen;          /* data bytes following */
	uint32_t blocked;       /* the call waited on a userfaultfd nobody serves */
	uint32_t unfinished;    /* ... and has not returned: ret/err mean nothing */
	uint32_t controllen;    /* HOST_OP_RECVMSG: msg_controllen written back */
	uint32_t nrights;       /* ... the descriptors its SCM_RIGHTS gave, */
	uint32_t rights[HOST_RIGHTS]; /* ... each slot * 2 + which of the file
				   (FL_OBS_RIGHT), or ~0: none the scenario made */
	uint32_t cred;          /* ... its SCM_CREDENTIALS, whole: HOST_CRED_* */
	int32_t cred_pid;       /* ... its pid (HOST_CRED_OWN) */
};

/* host_rep.cred: none; pid 0 and the overflow ids; the scenario's ids; other ids */
#define HOST_CRED_NONE  0u
#define HOST_CRED_ANON  1u
#define HOST_CRED_OWN   2u
#define HOST_CRED_OTHER 3u
/* HOST_OP_SETSOCKOPT's options: the scenario's words (SOCKOPT) */
#define HOST_SOCKOPT_PASSCRED 0u

/* The monitor's UFFDIO_COPY as it saw it: what `uffd_log` hands out. */
struct host_uffd_log {
	uint64_t dst;
	int64_t copy;           /* the copy field: INT64_MIN if the kernel left it */
	int32_t ret;            /* the ioctl: 0 or -errno */
	uint32_t pad;
};

_Static_assert(sizeof(struct host_req) == 88 && sizeof(struct host_rep) == 104 &&
	       sizeof(struct host_uffd_log) == 24, "the wire layout has no padding");

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

/*
 * An op only a request of its own carries, never one of a HOST_OP_BATCH:
 * it hands a descriptor over, makes or ends a process, waits, is a
 * userfaultfd's, or is the snapshot's own (host_batch.c invariant 2).
 */
bool fl_host_op_lone(uint32_t op);

/* host_proto.c: framing over a SOCK_STREAM socket, fds by SCM_RIGHTS. */
int fl_host_send(int sock, const void *hdr, size_t hlen, const void *iov,
		 size_t ilen, const void *data, size_t dlen, int fd);
int fl_host_recv_hdr(int sock, void *hdr, size_t hlen, int *fd);
int fl_host_recv_all(int sock, void *buf, size_t len);
/* All of BUF to FD (a pipe, a console): 0 or -errno. */
int fl_host_write_all(int fd, const void *buf, size_t len);

/* ---- the agent's frames (host_stream.c, host_agent.c) ---- */

#define HOST_FRAME_MAGIC   0x31414c46u   /* "FLA1" */
#define HOST_AGENT_VERSION 2     /* 2: host_req.rights and creds, host_rep's control fields */

/* What a frame asks of the link (host_link.h); ID is a names[] index. */
enum host_link_op {
	HOST_LINK_HELLO = 1,    /* a new scenario: arg names, arg32 timeout ms;
				   reply: val sizeof(struct host_hello), which follows */
	HOST_LINK_SPAWN,        /* process ID from the agent: val = pid */
	HOST_LINK_FORK,         /* ID forks process arg32: rep (ret = pid) */
	HOST_LINK_EXIT,         /* process ID exits */
	HOST_LINK_FILE,         /* file ID of arg bytes, on fs arg32 (0 tmpfs) */
	HOST_LINK_PIPE,         /* pipe ID; arg32 1: without O_NONBLOCK */
	HOST_LINK_REQUEST,      /* a struct host_req for process ID follows */
	HOST_LINK_BYE,          /* the scenario ends: every process is killed */
	HOST_LINK_SOCKETPAIR,   /* socket pair ID, arg32 1 for SOCK_DGRAM */
	HOST_LINK_CLOSE,        /* pipe ID's end arg32 (0 read, 1 write), everywhere */
	HOST_LINK_DIR,          /* dir ID: arg entries | subdirs << 16 | symlinks
				   << 32; arg32 the name length, | HOST_DIR_REMOVED:
				   rmdir'ed after the open */
	HOST_LINK_OPEN,         /* file ID: file arg opened again, arg32 the
				   O_ACCMODE (/proc/self/fd/N) */
};
#define HOST_DIR_REMOVED 0x10000u

struct host_frame {
	uint32_t magic;
	uint32_t op;            /* enum host_link_op */
	uint32_t id;
	uint32_t arg32;
	uint64_t arg;
};

struct host_frame_rep {
	uint32_t magic;
	int32_t err;            /* the link's answer: 0 or -errno (host_link.h) */
	int32_t sig;            /* err -ECHILD: the signal the process died of */
	uint32_t pad;
	int64_t val;            /* SPAWN: the pid */
	struct host_rep rep;    /* REQUEST, FORK; rep.dlen data bytes follow */
};

/*
 * What the agent's CPU has that changes an observable (host_hello.caps):
 * MTE (arm64 HWCAP2_MTE: `arch arm64+mte` runs there), on x86 the rep
 * movsb/stosb features the kernel chooses its routines by, and the build
 * options of FL_KCONFIG_* (include/faultline/eras.h).  An agent
 * older than the field sends 0.
 */
#define HOST_CAP_MTE       0x1u
#define HOST_CAP_X86_ERMS  0x2u
#define HOST_CAP_X86_FSRM  0x4u
/* built without CONFIG_MEMORY_FAILURE (fl_host_kconfig_off()'s test) */
#define HOST_CAP_NO_MEMORY_FAILURE 0x8u
/*
 * What only a guest runs (host_child_guest.c), which host_refuse.c lets
 * through only with the cap; MTE is `tag`'s.
 */
#define HOST_CAP_HWPOISON  0x10u   /* root and CONFIG_MEMORY_FAILURE: MADV_HWPOISON */
#define HOST_CAP_BTRFS     0x20u   /* a btrfs at $FL_BTRFS, searched as root */
/*
 * What the agent's machine lets a scenario do (host_env.c), which the
 * runner would otherwise ask of its own: userfaultfd permission, and the
 * file system of the agent's $TMPDIR (`file ... fs=ext4|btrfs`).  An
 * older agent sends 0: userfaultfd calls and those files are refused.
 */
#define HOST_CAP_UFFD      0x40u
#define HOST_CAP_TMP_EXT4  0x80u
#define HOST_CAP_TMP_BTRFS 0x100u

/* HOST_CAP_UFFD and HOST_CAP_TMP_* of this process's machine (host_env.c). */
uint32_t fl_host_env_caps(void);
/* HOST_CAP_HUGETLB of this process's machine. */
uint32_t fl_host_pool_caps(void);

/* FL_KCONFIG_MEM_SOFT_DIRTY and FL_KCONFIG_ZERO_PAGE off: the pagemap probes */
#define HOST_CAP_NO_SOFT_DIRTY 0x200u
#define HOST_CAP_NO_ZERO_PAGE  0x400u
/* MTE tags alias within a page (QEMU before 8.0): FL_CPU_ARM64_MTE_PAGE_OFFSET */
#define HOST_CAP_MTE_TAG_ALIAS 0x800u
/* a tmpfs directory to make `dir` directories in (fl_host_tmpfs_dir()) */
#define HOST_CAP_TMPFS_DIR     0x1000u
/*
 * The GUP calls (`call pin_user_pages` ...): /dev/faultline_pin, the
 * module vm/pin_module/ the guest's /init loaded ($FL_PIN).  PIN_FAILED:
 * the initramfs had the module and finit_module failed ($FL_PIN_ERR),
 * its errno in the top byte (HOST_CAP_PIN_ERRNO()).
 */
#define HOST_CAP_PIN        0x2000u
#define HOST_CAP_PIN_FAILED 0x4000u
/*
 * At least HOST_HUGETLB_NEED free huge pages of the default size (host_env.c):
 * a scenario's hugetlb mapping, the COW copy a write after fork makes,
 * and a copy fork makes of a pinned one.
 */
#define HOST_CAP_HUGETLB    0x8000u
#define HOST_HUGETLB_NEED   4
/* HOST_LINK_FILE's fs: enum fl_fs's FL_FS_HUGETLBFS, a memfd with MFD_HUGETLB */
#define HOST_FS_HUGETLBFS   3
/* ... | HOST_FILE_SEALING: memfd_create's MFD_ALLOW_SEALING (`sealing=on`) */
#define HOST_FILE_SEALING   0x100u
/*
 * Huge pages this machine can still give a mapping (HugePages_Free less
 * HugePages_Rsvd; 0 if unreadable).  hold/release: this process's
 * scenario uses the machine's pool, and every other one that would waits
 * (host_env.c says why); they nest.
 */
long fl_host_free_hugepages(void);
void fl_host_pool_hold(void);
void fl_host_pool_release(void);
/* FL_KCONFIG_HUGE_ZERO_PAGE off: THP's use_zero_page is 0 */
#define HOST_CAP_NO_HUGE_ZERO_PAGE 0x10000u
/*
 * Transparent huge pages can be had: /sys/kernel/mm/transparent_hugepage/
 * enabled exists and is not "never" (host_env.c); without it `madvise ...
 * hugepage|collapse` is refused as skipped, as cow.c skips.
 */
#define HOST_CAP_THP        0x20000u
/* ... and why not: 1 enabled is "never", 0 the file is absent (no THP built) */
#define HOST_CAP_THP_NEVER  0x40000u
/* 1 THP is enabled (not "never") here, 0 it is "never", -1 the file is absent. */
int fl_host_thp_enabled(void);
#define HOST_CAP_PIN_ERRNO_SHIFT 24
#define HOST_CAP_PIN_ERRNO(caps) ((int)((caps) >> HOST_CAP_PIN_ERRNO_SHIFT))

struct host_hello {
	uint32_t version;       /* HOST_AGENT_VERSION */
	uint32_t caps;          /* HOST_CAP_* */
	char machine[32];       /* uname -m of the agent's kernel */
	char release[64];       /* the upstream version: fl_host_upstream_release() */
};

/*
 * The upstream kernel version, stable patch level included, from uname's
 * RELEASE and VERSION.  A distribution's release is often its ABI name:
 * Debian's 5.10.223 says "5.10.0-32-arm64" there and "#1 SMP Debian
 * 5.10.223-1 (2024-08-10)" in VERSION.  The patch level picks the stable
 * backports of an era (kernel/kver.c), so VERSION's wins when it has one.
 */
void fl_host_upstream_release(const char *release, const char *version,
			      char *out, size_t len);

_Static_assert(sizeof(struct host_frame) == 24 && sizeof(struct host_frame_rep) == 128 &&
	       sizeof(struct host_hello) == 104, "the frame layout has no padding");

/* ---- the scenario process (host_child.c) ---- */

/* Serve requests on SOCK until EXIT or EOF; never returns. */
struct host_child_env {
	int sock;
	int (*fds)[2];          /* by names[] index: file / pipe ends */
	unsigned nnames;
};
void fl_host_child_main(struct host_child_env *env) __attribute__((noreturn));
/* The limits above, set in a new scenario process. */
void fl_host_child_limits(void);

#endif
