/*
 * faultline/scenario.h - the .fl scenario language: its syntax tree and
 * the parser (docs/scenario-language.md is the user's description).
 *
 * The parser turns a whole file into a struct fl_scenario or fails with one
 * message; nothing of a file that does not parse is ever run.  The runner
 * and the explorer walk the tree; they never see source text.
 *
 * Definitions
 *   statement  one non-blank line: a verb, positional arguments, keys.
 *              `call` and `expect` statements carry a second word (FUNC,
 *              the expect form) in code; `on HOOK STATEMENT` holds the
 *              injected statement in hooked.
 *   form       the schema entry (scenario/schema.c) a statement matched:
 *              the kinds of its positional slots and the keys it accepts.
 *   slot       position i of a form.  args[i] is always the argument of
 *              slot i; an optional slot not given has kind FL_SC_NONE; a
 *              repeated slot (readv's ADDR:LEN list) is the last one, and
 *              args[i..nargs) are its repetitions.
 *   name       every process, mapping, file, pipe, handle and variable the
 *              scenario declares gets one entry in names[]; arguments refer
 *              to it by index (fl_sc_ref.id).  Redeclaring a name of the same
 *              kind (mmap buf again after munmap buf) keeps its index.
 *   expr       a number: a folded constant, plus or minus vary variables,
 *              plus, for an address, the base address of a mapping.  Its
 *              value is fl_sc_expr_eval() given the variables' values;
 *              arithmetic is modulo 2^64, as address arithmetic is.
 *
 * Invariants (after a successful parse)
 *   1. Every reference names something declared by an earlier line (the
 *      process `p` is predeclared: names[0]); every $VAR by an earlier
 *      vary, and no variable is declared twice.
 *   2. Every argument has the kind its slot or key asks for, or FL_SC_NONE
 *      for an optional slot not given; every required key is present.
 *   3. Every expect has a subject: the index of the latest call, store or
 *      load before it; only `expect pagemap`, which looks at the world as
 *      it is, may have none (subject -1).
 *   4. line and col (1-based, col counts bytes) locate every statement and
 *      argument in the source.
 */
#ifndef FAULTLINE_SCENARIO_H
#define FAULTLINE_SCENARIO_H

#include <stdio.h>
#include <faultline/types.h>

FL_API_BEGIN

/* Limits: input beyond them is an error, never a crash or a slow parse. */
#define FL_SC_MAX_FILE (16u << 20)
#define FL_SC_MAX_LINE (64u << 10)

enum fl_sc_verb {
	FL_SC_KERNEL = 1, FL_SC_ARCH, FL_SC_PROCESS, FL_SC_USE, FL_SC_FORK,
	FL_SC_EXIT, FL_SC_FILE, FL_SC_PIPE, FL_SC_MMAP, FL_SC_MUNMAP,
	FL_SC_MPROTECT, FL_SC_MADVISE, FL_SC_STORE, FL_SC_LOAD, FL_SC_POKE,
	FL_SC_TAG, FL_SC_EVICT, FL_SC_POISON, FL_SC_CALL, FL_SC_ON,
	FL_SC_EXPECT, FL_SC_VARY,
	FL_SC_MREMAP,           /* mremap ADDR OLDLEN NEWLEN [at=] [flags=] [as=] */
	FL_SC_WAIT,             /* wait TASK: the result of an access named by as= */
	FL_SC_SOCKETPAIR,       /* socketpair NAME stream|dgram|tcp [sndbuf=N]: ends NAME.0 NAME.1 */
	FL_SC_CLOSE,            /* close PIPE.r|PIPE.w|SOCK.0|SOCK.1: that end, in every process */
	FL_SC_DIR,              /* dir NAME [N] [namelen=L] [subdirs=D] [symlinks=S] [removed=on] */
	FL_SC_OPEN,             /* open NAME FILE rdonly|wronly|rdwr: FILE opened again as NAME */
};

/* code of a `call` statement: the kernel entry point. */
enum fl_sc_func {
	FL_SC_COPY_TO_USER = 1, FL_SC_COPY_FROM_USER, FL_SC_CLEAR_USER,
	FL_SC_STRNCPY_FROM_USER, FL_SC_STRNLEN_USER, FL_SC_GET_USER,
	FL_SC_PUT_USER, FL_SC_COPY_TO_USER_NOFAULT, FL_SC_COPY_FROM_USER_NOFAULT,
	FL_SC_COPY_TO_USER_INATOMIC, FL_SC_COPY_FROM_USER_INATOMIC,
	FL_SC_FAULT_IN_READABLE, FL_SC_FAULT_IN_WRITEABLE,
	FL_SC_FAULT_IN_SAFE_WRITEABLE, FL_SC_FAULT_IN_SUBPAGE_WRITEABLE,
	FL_SC_READ, FL_SC_WRITE, FL_SC_PREAD, FL_SC_PWRITE, FL_SC_READV,
	FL_SC_WRITEV, FL_SC_VMSPLICE, FL_SC_PROCESS_VM_READV,
	FL_SC_PROCESS_VM_WRITEV, FL_SC_PROC_MEM_READ, FL_SC_PROC_MEM_WRITE,
	FL_SC_BTRFS_SEARCH_IOCTL, FL_SC_RESTORE_FPREGS,
	FL_SC_GET_USER_PAGES, FL_SC_PIN_USER_PAGES, FL_SC_GET_USER_PAGES_FAST,
	FL_SC_PIN_USER_PAGES_FAST, FL_SC_PUT_PAGES,
	FL_SC_USERFAULTFD, FL_SC_UFFD_API, FL_SC_UFFD_REGISTER, FL_SC_UFFD_COPY,
	FL_SC_UFFD_ZEROPAGE, FL_SC_UFFD_WAKE, FL_SC_UFFD_WRITEPROTECT,
	FL_SC_UFFD_CONTINUE, FL_SC_UFFD_READ, FL_SC_UFFD_SERVE,
	FL_SC_READ_PAGES,       /* read_pages H OFF LEN: kernel read of GUP'd folios */
	FL_SC_UFFD_POISON, FL_SC_UFFD_MOVE,
	FL_SC_UFFD_LOG,         /* uffd_log U: the monitor's next UFFDIO_COPY answer */
	FL_SC_UFFD_UNREGISTER,  /* uffd_unregister U ADDR LEN */
	FL_SC_PREADV, FL_SC_PWRITEV, FL_SC_PREADV2, FL_SC_PWRITEV2,
	FL_SC_FSTAT,            /* fstat FD: ret is st_size */
	FL_SC_LSEEK,            /* lseek FD OFF WHENCE */
	FL_SC_SPLICE,           /* splice FDIN OFFIN FDOUT OFFOUT LEN */
	FL_SC_CLEAR_REFS,       /* clear_refs TYPE: write TYPE to /proc/self/clear_refs */
	FL_SC_SENDMSG,          /* sendmsg SOCK.N IOVEC...: one msghdr, no name [control=A controllen=N] */
	FL_SC_RECVMSG,          /* recvmsg SOCK.N IOVEC... */
	FL_SC_TEE,              /* tee FDIN FDOUT LEN: pipe buffers duplicated */
	FL_SC_GETDENTS64,       /* getdents64 FD ADDR COUNT: a `dir`'s records */
	FL_SC_SHUTDOWN,         /* shutdown SOCK.N rd|wr|rdwr */
	FL_SC_MADVISE_CALL,     /* madvise ADDR LEN ADVICE: ret 0 or -1 errno */
	FL_SC_PAGEMAP_SCAN,     /* pagemap_scan ADDR LEN: ioctl(PAGEMAP_SCAN) on /proc/self/pagemap */
	FL_SC_GETDENTS,         /* getdents FD ADDR COUNT: struct linux_dirent records */
	FL_SC_MLOCK,            /* mlock ADDR LEN: ret 0 or -1 errno */
	FL_SC_MUNLOCK,          /* munlock ADDR LEN */
	FL_SC_FTRUNCATE,        /* ftruncate FD LEN: ret 0 or -1 errno */
	FL_SC_PROCESS_MADVISE,  /* process_madvise PROC ADVICE IOVEC...: ret bytes advised */
	FL_SC_ADD_SEALS,        /* add_seals FD SEALS: fcntl(F_ADD_SEALS), ret 0 or -1 errno */
	FL_SC_GET_SEALS,        /* get_seals FD: fcntl(F_GET_SEALS), ret the seals */
	FL_SC_SETSOCKOPT,       /* setsockopt SOCK.N OPT on|off: SOL_SOCKET's SO_PASSCRED */
	FL_SC_FUNC_COUNT        /* not a call: one past the last (add calls above) */
};

/* code of an `expect` statement. */
enum fl_sc_expect {
	FL_SC_EXPECT_RET = 1, FL_SC_EXPECT_ERRNO, FL_SC_EXPECT_COPY,
	FL_SC_EXPECT_OUTCOME, FL_SC_EXPECT_MEM, FL_SC_EXPECT_EVENT,
	FL_SC_EXPECT_ONE_OF, FL_SC_EXPECT_KBUF,
	FL_SC_EXPECT_PAGEMAP,   /* pagemap ADDR BITS [len=]: /proc/self/pagemap */
	FL_SC_EXPECT_MSG_FLAGS, /* msg_flags RFLAGS: the msghdr's msg_flags recvmsg wrote */
	FL_SC_EXPECT_REGION,    /* region I OFF LEN CATS: a PAGEMAP_SCAN result */
	FL_SC_EXPECT_CONTROLLEN, /* controllen N: the msghdr's msg_controllen recvmsg wrote */
	FL_SC_EXPECT_RIGHTS,    /* rights I END: recvmsg's descriptor I is END's file */
	FL_SC_EXPECT_CREDS,     /* creds [PROC]: recvmsg's SCM_CREDENTIALS (none: pid 0) */
};

/* What an argument is.  0 marks an optional slot that was not given. */
enum fl_sc_kind {
	FL_SC_NONE,
	/* a name being declared (fl_sc_ref) */
	FL_SC_NEW_PROC, FL_SC_NEW_MAP, FL_SC_NEW_FILE, FL_SC_NEW_PIPE,
	FL_SC_NEW_PAGES, FL_SC_NEW_UFFD,
	FL_SC_NEW_TASK,         /* as= of store, load, vmsplice: an access that may wait */
	FL_SC_NEW_VAR,
	/* a name declared earlier (fl_sc_ref) */
	FL_SC_PROC, FL_SC_FILE_REF, FL_SC_PIPE_REF, FL_SC_PAGES, FL_SC_UFFD,
	FL_SC_TASK,             /* a name declared by as= of an access */
	FL_SC_FD,               /* FILE, PIPE.r or PIPE.w (fl_sc_ref) */
	FL_SC_PIPE_FD,          /* PIPE, PIPE.r, PIPE.w, or a FILE (fl_sc_ref) */
	/* numbers (fl_sc_expr) */
	FL_SC_NUM,              /* 3p, 0x30, $len+1 */
	FL_SC_SNUM,             /* also -N and -ENAME: a return value */
	FL_SC_ADDR,             /* buf+1p-10, 0x10000, buf+$off */
	FL_SC_IOVEC,            /* ADDR:LEN (fl_sc_iovec) */
	FL_SC_DATA,             /* "text", fill=0xNN, seq, seq=N, zero */
	FL_SC_MEMDATA,          /* DATA or unchanged */
	FL_SC_ERRNO,            /* EFAULT: value is the positive errno */
	/* one word of a fixed list: value is its index in the list */
	FL_SC_VERSION,          /* 5.18, 6.15-rc6, host: value is fl_kver_t, 0 = host */
	FL_SC_ARCH_NAME,        /* value is enum fl_arch_id */
	FL_SC_PROT,             /* value: bit 0 r, bit 1 w, bit 2 x */
	FL_SC_SHARING,          /* 0 private, 1 shared */
	FL_SC_ADVICE, FL_SC_FS, FL_SC_ONOFF, FL_SC_OUTCOME, FL_SC_EVENT_TYPE,
	/* flag lists: `-`, a number, or words joined by ',' (value: bit i
	 * for word i of the list; the uffd lists follow the kernel's bits) */
	FL_SC_GUP_FLAGS, FL_SC_UFFD_FLAGS, FL_SC_UFFD_FEATURES,
	FL_SC_UFFD_MODES, FL_SC_COPY_MODE, FL_SC_EVENT_FLAGS,
	FL_SC_HOOK,             /* HOOK[#N] (fl_sc_hook) */
	FL_SC_RANGE,            /* FROM..TO (fl_sc_range) */
	FL_SC_MOVE_MODE,        /* UFFDIO_MOVE mode: dontwake,allow_src_holes */
	FL_SC_SPLICE_FLAGS,     /* SPLICE_F_* order: move,nonblock,more,gift */
	FL_SC_RWF_FLAGS,        /* RWF_* order: hipri,dsync,sync,nowait,append,noappend */
	FL_SC_MSG_FLAGS,        /* peek,trunc,dontwait,waitall,nosignal,oob,errqueue (fl_msg_flags: MSG_*) */
	FL_SC_WHENCE,           /* lseek: set, cur, end, data, hole (SEEK_* values) */
	/*
	 * pagemap bits, each must be set or (`-name`) clear: value bit i for
	 * word i set, bit 8 + i for word i clear (FL_SC_PM_* below)
	 */
	FL_SC_PM_BITS,
	FL_SC_CLEAR_REFS_TYPE,  /* all anon file softdirty hiwater_rss: the value written - 1 */
	FL_SC_NEW_SOCK,         /* socketpair NAME: declares (fl_sc_ref) */
	FL_SC_SOCK_FD,          /* SOCK.0 or SOCK.1: one end of a socket pair (fl_sc_ref) */
	FL_SC_SOCK_TYPE,        /* stream, dgram, tcp, seqpacket, udp: 0 .. 4 */
	FL_SC_PIPE_END,         /* PIPE.r, PIPE.w, SOCK.0 or SOCK.1: what close takes (fl_sc_ref) */
	FL_SC_ANY_FD,           /* FILE, PIPE.r, PIPE.w, SOCK.0 or SOCK.1: rights= (fl_sc_ref) */
	FL_SC_SHUT_HOW,         /* rd, wr, rdwr: value SHUT_RD, SHUT_WR, SHUT_RDWR */
	FL_SC_SOCKOPT,          /* passcred: setsockopt's option (FL_SOCKOPT_*) */
	FL_SC_MSG_RFLAGS,       /* trunc,ctrunc,eor,oob,errqueue (fl_msg_rflags): msghdr.msg_flags */
	FL_SC_SCAN_CATS,        /* PAGE_IS_* order: wpallowed,written,file,present,swapped,pfnzero,huge,softdirty,guard */
	FL_SC_SCAN_FLAGS,       /* PM_SCAN_* order: wp_matching,check_wpasync */
	FL_SC_ACC_MODE,         /* rdonly, wronly, rdwr: the O_ACCMODE value */
	FL_SC_SEALS,            /* F_SEAL_* order: seal,shrink,grow,write,future_write,exec */
	FL_SC_KIND_COUNT
};

/* The words of FL_SC_PM_BITS, by their bit in a value's low byte. */
enum fl_sc_pm_bit {
	FL_SC_PM_SOFTDIRTY, FL_SC_PM_EXCLUSIVE, FL_SC_PM_UFFD_WP, FL_SC_PM_FILE,
	FL_SC_PM_SWAPPED, FL_SC_PM_PRESENT, FL_SC_PM_PFN, FL_SC_PM_GUARD, FL_SC_PM_COUNT
};
#define FL_SC_PM_CLEAR_SHIFT 8

enum fl_sc_data_form {
	FL_SC_DATA_TEXT, FL_SC_DATA_FILL, FL_SC_DATA_SEQ, FL_SC_DATA_ZERO,
	FL_SC_DATA_UNCHANGED,
};

/* A pipe's read or write end, or (FL_SC_SOCK_FD) a socket pair's end 0 or 1. */
enum fl_sc_fd_end { FL_SC_END_NONE, FL_SC_END_READ, FL_SC_END_WRITE, FL_SC_END_0, FL_SC_END_1 };

enum fl_sc_outcome { FL_SC_OK, FL_SC_LIVELOCK, FL_SC_SIGSEGV, FL_SC_SIGBUS, FL_SC_NO_PROGRESS, FL_SC_LEAK,
		      FL_SC_BLOCKED /* waits on a userfaultfd nobody serves */,
		      FL_SC_TIMEOUT /* a real kernel's call did not return: the watchdog */,
		      FL_SC_SIGPIPE /* the call sent its caller SIGPIPE (caught: ret stands) */ };

struct fl_sc_varterm {
	unsigned var;           /* index in fl_scenario.vars */
	bool neg;
};

struct fl_sc_expr {
	int map;                /* names[] index of the base mapping, or -1 */
	uint64_t off;           /* the constant terms, folded */
	unsigned nvars;
	const struct fl_sc_varterm *vars;
	bool is_errno;          /* written -ENAME: off is minus that errno */
};

struct fl_sc_ref {
	unsigned id;            /* index in fl_scenario.names */
	enum fl_sc_fd_end end;  /* FL_SC_FD, FL_SC_PIPE_FD, FL_SC_PIPE_END, FL_SC_ANY_FD, FL_SC_SOCK_FD only */
};

struct fl_sc_data {
	enum fl_sc_data_form form;
	const unsigned char *bytes;   /* TEXT: the unescaped bytes */
	size_t len;
	struct fl_sc_expr n;          /* FILL: the byte; SEQ: the start */
};

struct fl_sc_iovec {
	struct fl_sc_expr addr, len;
};

struct fl_sc_hook {
	unsigned hook;          /* enum fl_hook */
	struct fl_sc_expr nth;  /* 0: every time */
};

struct fl_sc_range {
	int64_t from, to;
};

struct fl_sc_arg {
	enum fl_sc_kind kind;
	unsigned line, col;
	union {
		struct fl_sc_ref ref;
		struct fl_sc_expr expr;
		struct fl_sc_data data;
		struct fl_sc_iovec iov;
		struct fl_sc_hook hook;
		struct fl_sc_range range;
		uint64_t value;     /* words, flag lists, errno, version */
	} u;
};

struct fl_sc_key {
	const char *name;       /* "src", "as", ...: the schema's string */
	struct fl_sc_arg arg;
};

struct fl_sc_form;

struct fl_sc_stmt {
	enum fl_sc_verb verb;
	unsigned code;          /* enum fl_sc_func, enum fl_sc_expect, or 0 */
	unsigned line, col;
	const struct fl_sc_form *form;
	unsigned nargs, nkeys;
	const struct fl_sc_arg *args;
	const struct fl_sc_key *keys;   /* in source order */
	const struct fl_sc_stmt *hooked;/* FL_SC_ON: the injected statement */
	int subject;            /* FL_SC_EXPECT: stmts[] index it checks, else -1 */
};

struct fl_sc_name {
	const char *text;
	enum fl_sc_kind kind;   /* the FL_SC_NEW_* that declared it */
	unsigned index;         /* its number among the names of its kind, in
				 * declaration order; for a variable, its
				 * index in fl_scenario.vars */
	unsigned line, col;     /* first declaration; 0, 0 for `p` */
};

struct fl_sc_var {
	unsigned name;          /* names[] index */
	int64_t from, to, step; /* TO included, step > 0 */
};

/*
 * The vary space's limits, one rule for every command: the parser refuses
 * a file past them with FILE:LINE:COL naming the vary line that crosses
 * them, so `check` accepts only what `explore` and `run --case` can take.
 * At most FL_SC_MAX_VARS variables; at most FL_SC_MAX_CASES cases, the
 * product of their value counts.  (`explore` without --random has a
 * lower limit of its own on the cases it runs: include/faultline/explore.h.)
 */
#define FL_SC_MAX_VARS  64
#define FL_SC_MAX_CASES (UINT64_C(1) << 62)

/* How many values V takes, (TO - FROM) / STEP + 1, computed without
 * overflow; UINT64_MAX for 2^64 (the whole int64_t range, step 1). */
uint64_t fl_sc_var_count(const struct fl_sc_var *v);

struct fl_sc_arena;

struct fl_scenario {
	const char *file;
	unsigned nstmts, nnames, nvars;
	struct fl_sc_stmt *stmts;
	struct fl_sc_name *names;
	struct fl_sc_var *vars;
	struct fl_sc_arena *arena;  /* owns everything above */
};

/* The first error of a parse: "FILE:LINE:COL: error: expected X, found Y". */
struct fl_sc_diag {
	unsigned line, col;
	char msg[320];
};

/*
 * Parse LEN bytes of TEXT (need not be NUL-terminated) read from FILE (a
 * name for messages).  0 and *OUT, which fl_scenario_free() releases; or
 * -EINVAL with the message in *DIAG (input errors), or -ENOMEM.
 */
int fl_scenario_parse(const char *file, const char *text, size_t len,
		      struct fl_scenario **out, struct fl_sc_diag *diag);

/*
 * All of F into *TEXT (malloc'ed, not NUL-terminated) and *LEN: at most
 * FL_SC_MAX_FILE + 1 bytes, so a longer file is refused by the parser.
 * 0, or the read's own -errno (-EISDIR, -EBADF, ...) or -ENOMEM.
 */
int fl_scenario_read(FILE *f, char **text, size_t *len);

/*
 * Read PATH ("-": standard input) and parse it.  As fl_scenario_parse(),
 * plus the negative errno of a failed open or read (DIAG untouched).
 */
int fl_scenario_parse_file(const char *path, struct fl_scenario **out,
			   struct fl_sc_diag *diag);

void fl_scenario_free(struct fl_scenario *sc);

/* Print SC in canonical form, one statement a line; parses to the same tree. */
int fl_scenario_print(FILE *f, const struct fl_scenario *sc);
void fl_sc_stmt_print(FILE *f, const struct fl_scenario *sc,
		      const struct fl_sc_stmt *st);

/* The value of E, without its mapping base, given one value per vary. */
uint64_t fl_sc_expr_eval(const struct fl_sc_expr *e, const int64_t *vars);

/* The argument of key NAME of ST (the first one), or NULL. */
const struct fl_sc_arg *fl_sc_key(const struct fl_sc_stmt *st, const char *name);

/* ST's form takes a NEW_TASK key (as=, task= of GUP): it may wait and resume. */
bool fl_sc_stmt_nameable(const struct fl_sc_stmt *st);

/* Names as written in a scenario, for messages and printing. */
const char *fl_sc_verb_name(enum fl_sc_verb v);
const char *fl_sc_func_name(enum fl_sc_func f);
const char *fl_sc_expect_name(enum fl_sc_expect e);
/* "EFAULT" for 14; NULL if the table has no such errno. */
const char *fl_sc_errno_name(int err);
/* The positive errno named NAME ("EFAULT"), or 0. */
int fl_sc_errno_lookup(const char *name, size_t len);

FL_API_END
#endif
