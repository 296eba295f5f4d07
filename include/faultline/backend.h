/*
 * faultline/backend.h - what executes a scenario's statements.
 *
 * The runner (runner/run.c) walks a parsed scenario and hands each
 * statement, with its arguments already evaluated, to a backend: the model
 * (backend/model.c) or the running kernel (backend/host.c).  Both report
 * the same observables, so `faultline diff` can compare them.  Where each
 * `call FUNC` lives on each backend is one table, backend/calls.c.
 *
 * Definitions
 *   value       an evaluated argument: a number, an address, bytes, a name.
 *   observable  what a statement produced (struct fl_obs): a return value,
 *               an errno, a signal, bytes transferred, and the trace lines
 *               of the model's decisions.
 *
 * Invariants
 *   1. A backend never sees source text or unevaluated expressions.
 *   2. exec() returns 0 when the statement ran (whatever its result), or
 *      -EOPNOTSUPP when the backend cannot run it (obs->why says which
 *      capability is missing), or another -errno for a setup error (a
 *      mapping that cannot be created), with obs->why saying why.
 */
#ifndef FAULTLINE_BACKEND_H
#define FAULTLINE_BACKEND_H

#include <faultline/scenario.h>
#include <faultline/mm.h>

FL_API_BEGIN

struct fl_val {
	enum fl_sc_kind kind;
	uint64_t u;             /* numbers, addresses, words, flags, names[] id */
	int64_t s;              /* signed numbers (SNUM), errno */
	enum fl_sc_fd_end end;  /* FD: which end of a pipe */
	const uint8_t *bytes;   /* DATA: LEN bytes, owned by the runner */
	size_t len;
	fl_addr_t iov_addr;     /* IOVEC */
	size_t iov_len;
};

enum fl_outcome {
	FL_OUTCOME_OK = FL_SC_OK,
	FL_OUTCOME_LIVELOCK = FL_SC_LIVELOCK,
	FL_OUTCOME_SIGSEGV = FL_SC_SIGSEGV,
	FL_OUTCOME_SIGBUS = FL_SC_SIGBUS,
	FL_OUTCOME_NO_PROGRESS = FL_SC_NO_PROGRESS, /* loop bound passed, no repeat */
	FL_OUTCOME_LEAK = FL_SC_LEAK, /* read another process's post-fork private bytes (gup.h) */
	FL_OUTCOME_BLOCKED = FL_SC_BLOCKED, /* waits on a userfaultfd nobody serves (uffd.h) */
	/* a real kernel's call that did not return within the statement
	 * timeout (the watchdog killed it): what a live-lock looks like there */
	FL_OUTCOME_TIMEOUT = FL_SC_TIMEOUT,
	/* the call sent its caller SIGPIPE: a pipe without readers (callers.h);
	 * the scenario process catches it, so ret/errno stand (-1 EPIPE) */
	FL_OUTCOME_SIGPIPE = FL_SC_SIGPIPE,
};

/* One userfaultfd event as `expect event` checks it. */
struct fl_obs_event {
	unsigned type;          /* event word index: pagefault, fork, remap, remove, unmap */
	uint64_t flags;         /* pagefault: UFFD_PAGEFAULT_FLAG_* */
	fl_addr_t addr;         /* pagefault address, or the range start */
};

/*
 * A descriptor SCM_RIGHTS passed, as the scenario names it: names[] index
 * and end (0: a pipe's read end, a socket's end 0; 1: the other), so both
 * backends say the same of it; FL_OBS_RIGHT_OTHER: none the scenario made.
 */
#define FL_OBS_RIGHTS 8
#define FL_OBS_RIGHT(name, end) ((uint32_t)(name) * 2 + (end))
#define FL_OBS_RIGHT_OTHER 0xffffffffu
/*
 * The SCM_CREDENTIALS message recvmsg wrote whole: none; pid 0 with the
 * overflow uid and gid (65534: the skb carried none); or the pid of the
 * process names[] index N with the scenario's uid and gid (FL_OBS_CREDS
 * _PROC(N)); or anything else.
 */
#define FL_OBS_CREDS_NONE 0u
#define FL_OBS_CREDS_ANON 1u
#define FL_OBS_CREDS_PROC(n) (2u + (uint32_t)(n))
#define FL_OBS_CREDS_OTHER 0xffffffffu

struct fl_obs {
	bool has_ret;
	int64_t ret;            /* the call's return value */
	int err;                /* positive errno of a syscall-style failure */
	bool has_copy;
	int64_t copy;           /* uffdio_copy.copy */
	bool has_msg_flags;     /* recvmsg wrote msghdr.msg_flags (it succeeded) */
	uint32_t msg_flags;     /* ... MSG_* as written */
	uint32_t controllen;    /* ... and msg_controllen as written */
	unsigned nrights;       /* descriptors its SCM_RIGHTS gave (FL_OBS_RIGHTS at most), */
	uint32_t rights[FL_OBS_RIGHTS]; /* each the file of FL_OBS_RIGHT(name, end) */
	uint32_t creds;         /* its SCM_CREDENTIALS: FL_OBS_CREDS_* below */
	enum fl_outcome outcome;
	struct fl_signal sig;   /* a user-mode access that faulted */
	size_t moved;           /* bytes a store/load transferred */
	bool has_uaccess;       /* a kernel call on a backend that counts: */
	struct fl_uaccess_count uaccess;  /* bytes it moved to and from user memory */
	uint8_t *kbuf;          /* the kernel buffer after a copy from user, */
	size_t kbuf_len;        /* filled with 0xaa before it: owned by the step */
	bool why_names_stmt;    /* why names its statement's line itself (a refusal
				   decided before the run, a lost process) */
	char why[256];          /* unsupported or setup failure: one line */
	char summary[160];      /* one line: what happened, in kernel terms */
};

struct fl_backend;

enum fl_batch_cmd { FL_BATCH_COLLECT, FL_BATCH_SEND, FL_BATCH_DROP, FL_BATCH_PENDING };

struct fl_backend_ops {
	const char *name;
	/* Set up a world for kernel KVER (0: host) and arch ARCH. */
	int (*open)(struct fl_backend *b, fl_kver_t kver, enum fl_arch_id arch);
	void (*close)(struct fl_backend *b);
	/* Run one statement (not expect/on/vary/kernel/arch). */
	int (*exec)(struct fl_backend *b, const struct fl_sc_stmt *st,
		    const struct fl_val *args, struct fl_obs *obs);
	/* Where mapping NAME (names[] index) is now, or 0 if not mapped. */
	fl_addr_t (*map_base)(struct fl_backend *b, unsigned name);
	/* Read LEN bytes of the current process's memory, without faulting. */
	int (*peek)(struct fl_backend *b, fl_addr_t addr, void *buf, size_t len);
	/* Arm STMT to run at the NTH (0: every) pass of HOOK during the next call. */
	int (*arm_hook)(struct fl_backend *b, enum fl_hook hook, unsigned nth,
			const struct fl_sc_stmt *st, const struct fl_val *args);
	/*
	 * The next event userfaultfd UFFD (names[] index) produced that no
	 * earlier call handed out, whoever read it: 0, -ENOENT if none, -EBADF
	 * for a handle that is not a context.  NULL: the backend has none.
	 */
	int (*uffd_event)(struct fl_backend *b, unsigned uffd, struct fl_obs_event *ev);
	/*
	 * The current process's /proc/self/pagemap entry of the page at ADDR,
	 * as READER sees it (FL_PM_READ_BITS: bits 0-54 are not looked at):
	 * 0, or -errno with WHY (-EOPNOTSUPP: what the backend cannot tell).
	 * NULL: none.
	 */
	int (*pagemap)(struct fl_backend *b, fl_addr_t addr, enum fl_pm_reader reader,
		       uint64_t *entry, char *why, size_t len);
	/*
	 * Save the whole state (the world and the backend's own name tables)
	 * with no hook armed; restore returns to it, and the snapshot stays
	 * valid for the next restore.  0 or -errno.  NULL, or snapshot's
	 * -EOPNOTSUPP: not for this scenario (the host backend keeps one
	 * process's set-up only where it can go back to it whole), every case
	 * runs whole.  restore's -EAGAIN: the backend could not go back (a
	 * host process that went astray); close it and open it again.
	 */
	int (*snapshot)(struct fl_backend *b);
	int (*restore)(struct fl_backend *b);
	/*
	 * After a case run from a restore: 0, or -EAGAIN: the restore had
	 * not worked after all (the host's is asynchronous), the case's run
	 * is void; the runner opens the backend again and runs it anew;
	 * 1: it worked, and the case was answered from a batch (below).
	 * NULL: a restore that returned 0 worked.
	 */
	int (*settle)(struct fl_backend *b);
	/*
	 * Many cases per exchange with the judge (backend/host_batch.c):
	 * COLLECT: until SEND, each case run from a restore is only written
	 * down (its run's results mean nothing); SEND runs them on the judge
	 * at once, and the cases run next from restores, in the same order,
	 * are answered from it as long as each asks what it asked when
	 * written down; settle's -ESTALE: this case asked otherwise, its run
	 * is void, run it again (live: the rest of the batch is dropped).
	 * DROP forgets the batch.  0 or -errno (the batch is dropped: the
	 * cases run one by one).  PENDING: 1 while cases of a batch sent are
	 * still to be answered, else 0.  NULL: the backend has none.
	 */
	int (*batch)(struct fl_backend *b, enum fl_batch_cmd cmd);
};

struct fl_backend {
	const struct fl_backend_ops *ops;
	const struct fl_scenario *sc;
	/* trace lines of the statement being run: the runner collects them */
	void (*trace)(void *arg, const char *line);
	void *trace_arg;
	void *priv;
};

/*
 * The value of key NAME of ST, or NULL: the runner evaluates the keys after
 * the positional arguments, in source order, into the same array.
 */
const struct fl_val *fl_backend_key(const struct fl_sc_stmt *st,
				    const struct fl_val *args, const char *name);

/*
 * sendmsg's rights=END keys as *RIGHTS: byte i is FL_OBS_RIGHT + 1 of the
 * i-th (0 after the last).  NULL, or why the statement is not run
 * (`unsupported`): more than FL_OBS_RIGHTS, with control=, or with a
 * controllen= past FL_RIGHTS_CTL_MAX (CMSG_SPACE of 8 descriptors where
 * a cmsghdr is 12 bytes: the room both backends build the message in).
 */
#define FL_RIGHTS_CTL_MAX 44
const char *fl_backend_rights(const struct fl_sc_stmt *st, const struct fl_val *args,
			      uint64_t *rights);

/* The model backend. */
extern const struct fl_backend_ops fl_model_backend;

/*
 * The running kernel (backend/host.c, docs/host.md): each scenario process
 * is a real forked process; statements are real system calls.
 */
extern const struct fl_backend_ops fl_host_backend;

/*
 * The host backend's judge: this machine's kernel, or the one its agent
 * runs on (FAULTLINE_HOST_AGENT, started here if it is not yet: a guest
 * kernel boots).  RELEASE its upstream version ("5.10.223"), ARCH its
 * arch (enum fl_arch_id: arm64+mte where the CPU has MTE), CPU_OFF the
 * FL_CPU_* its CPU lacks, KCONFIG_OFF the FL_KCONFIG_* its build lacks.
 */
struct fl_host_judge {
	fl_kver_t kver;
	int arch;
	unsigned cpu_off;
	unsigned kconfig_off;           /* FL_KCONFIG_* it was built without */
	char release[64];
	char machine[32];               /* uname -m */
};
/* 0, or -errno with the one-line reason from fl_host_agent_lost(). */
int fl_host_judge(struct fl_host_judge *j);
/* Why the agent is gone (it stopped answering), or NULL while it serves. */
const char *fl_host_agent_lost(void);
/*
 * The last lines a guest wrote on its console, kept by the host side
 * that reads that console (cli/vm.c reads QEMU's output;
 * backend/console_tail.c), so that a judge that did not start or went
 * away can say why: the panic, the missing module, the OOM kill is in
 * those lines.  `kernels agent` writes why it ended, with them, to the
 * fd FL_AGENT_TAIL_ENV names (the runner made it a pipe, host.c), and
 * fl_host_agent_lost() carries it.
 *
 * Definitions
 *   line      bytes up to a '\n'.  '\r', other control bytes and the
 *             terminal's escape sequences (ESC [ ... final byte: the
 *             firmware's screen clearing) are dropped, and trailing
 *             blanks; an empty line is not kept; a line longer than
 *             FL_CONSOLE_TAIL_WIDTH - 1 keeps its start.
 *   tail      the last FL_CONSOLE_TAIL_LINES whole lines, oldest first,
 *             then the line still being read, if it has bytes.
 *   frozen    a line holding panic()'s "Kernel panic - not syncing" was
 *             kept: nothing after it is (what follows is the panic's
 *             backtrace; the cause is in the lines before).
 *
 * Invariants: count <= FL_CONSOLE_TAIL_LINES; the count slots before
 * next (cyclically) hold the kept lines, each non-empty and terminated;
 * len < FL_CONSOLE_TAIL_WIDTH, and cut exactly when cur is full.
 * fl_console_tail_check() verifies them.
 */
#define FL_CONSOLE_TAIL_LINES 8
#define FL_CONSOLE_TAIL_WIDTH 128

/* The environment variable naming the fd an agent's command writes its end to. */
#define FL_AGENT_TAIL_ENV "FAULTLINE_AGENT_TAIL_FD"

struct fl_console_tail {
	char line[FL_CONSOLE_TAIL_LINES][FL_CONSOLE_TAIL_WIDTH];
	char cur[FL_CONSOLE_TAIL_WIDTH];
	size_t len;             /* bytes in cur */
	bool cut;               /* cur is full: the rest of its line is dropped */
	unsigned next;          /* the slot the next whole line goes to */
	unsigned count;         /* whole lines kept */
	unsigned esc;           /* 0, 1 after ESC, 2 inside ESC [ */
	bool frozen;
};

void fl_console_tail_feed(struct fl_console_tail *t, const char *buf, size_t n);
/*
 * The tail as one line into OUT (LEN bytes): "L1 | L2 | ... | CUR", or ""
 * when the console said nothing.  Returns the length written.
 */
size_t fl_console_tail_format(const struct fl_console_tail *t, char *out, size_t len);
bool fl_console_tail_check(const struct fl_console_tail *t);
/*
 * `faultline bench judge`'s raw loop where the judge runs its cases (a
 * scenario process here, or the agent's in a guest): N (size, off) pairs
 * as pread(2) of a one-page file into SIZE bytes ending OFF bytes into a
 * PROT_NONE page, repeated for MIN_NS at least.  0 with *CALLS made in
 * *NS, or -errno.
 */
int fl_host_bench_pread(const uint32_t *pairs, unsigned n, uint64_t min_ns,
			uint64_t *calls, uint64_t *ns);
/*
 * `bench judge`'s breakdown of a judged case: N exchanges of a case's
 * size (one frame each way through an agent) that do no work, answered
 * by the agent itself (TO_AGENT: -EOPNOTSUPP without one) or by a
 * scenario process.  0 with the time in *NS, or -errno.
 */
int fl_host_bench_echo(bool to_agent, unsigned n, uint64_t *ns);
/*
 * The judge's btrfs items of a `btrfs_search_ioctl items=ITEMS
 * itemlen=ITEMLEN` layout (docs/vm.md "The btrfs items"): the first LEN
 * bytes its search returns (each item's 32-byte search header, then its
 * data) into BUF, made on the judge if new.  0, -EOPNOTSUPP when the judge
 * is no agent with a btrfs (this machine, or a guest without the disk),
 * -ENODATA when it found other than ITEMS items, or -errno.
 */
int fl_host_btrfs_items(unsigned long items, size_t itemlen, uint8_t *buf, size_t len);

/*
 * May this process use userfaultfd: root, vm.unprivileged_userfaultfd = 1,
 * or read-write access to /dev/userfaultfd?  WHY gets one line either way
 * (for a "skipped (needs userfaultfd permission)" verdict).
 */
bool fl_host_uffd_permitted(char *why, size_t len);

FL_API_END
#endif
