/*
 * scenario/schema.c - the vocabulary of the scenario language as tables:
 * every verb, every `call FUNC` and every `expect` form with the kinds of
 * its positional slots and the keys it accepts; the word lists of the word
 * and flag kinds; the Linux errno names.
 *
 * The parser is generic over these tables, so adding a statement or a key
 * is adding a row here (and a line in docs/scenario-language.md).
 *
 * Invariants
 *   1. Slot lists are 0-terminated, at most one slot is FL_SC_REPEAT and it
 *      is the last; key lists end with a NULL name.
 *   2. The arch words are in enum fl_arch_id order and the hook words in
 *      enum fl_hook order (checked below at compile time), so a word's index
 *      is the enum value the runner hands to the model.
 *   3. The uffd flag words are in the kernel's bit order
 *      (include/uapi/linux/userfaultfd.h), so a flag list's value is the
 *      value of the ioctl field.
 */
#include <string.h>

#include <faultline/arch.h>
#include <faultline/hook.h>

#include "scenario/internal.h"

#define SLOTS(...) ((const unsigned[]){ __VA_ARGS__, 0 })
#define KEYS(...)  ((const struct fl_sc_keyspec[]){ __VA_ARGS__, { NULL, 0 } })
#define OPT(k)     (FL_SC_##k | FL_SC_OPT)

/* ---- verbs ---- */

static const struct fl_sc_form verbs[] = {
	{ "kernel",   FL_SC_KERNEL,   0, SLOTS(FL_SC_VERSION), NULL, FL_SC_SETUP },
	{ "arch",     FL_SC_ARCH,     0, SLOTS(FL_SC_ARCH_NAME), NULL, FL_SC_SETUP },
	{ "process",  FL_SC_PROCESS,  0, SLOTS(FL_SC_NEW_PROC), NULL, FL_SC_DEFINES },
	{ "use",      FL_SC_USE,      0, SLOTS(FL_SC_PROC), NULL, 0 },
	{ "fork",     FL_SC_FORK,     0, SLOTS(FL_SC_NEW_PROC), NULL, FL_SC_DEFINES },
	{ "exit",     FL_SC_EXIT,     0, SLOTS(FL_SC_PROC), NULL, 0 },
	/* sealing=on: memfd_create's MFD_ALLOW_SEALING (tmpfs and hugetlbfs) */
	{ "file",     FL_SC_FILE,     0, SLOTS(FL_SC_NEW_FILE, FL_SC_NUM),
	  KEYS({ "fs", OPT(FS) }, { "sealing", OPT(ONOFF) }), FL_SC_DEFINES },
	/* open NAME FILE MODE: FILE's inode opened again, a descriptor of its own */
	{ "open",     FL_SC_OPEN,     0, SLOTS(FL_SC_NEW_FILE, FL_SC_FILE_REF, FL_SC_ACC_MODE),
	  NULL, FL_SC_DEFINES },
	/* nonblock=off: pipe(2) without O_NONBLOCK, whose calls may wait */
	{ "pipe",     FL_SC_PIPE,     0, SLOTS(FL_SC_NEW_PIPE),
	  KEYS({ "nonblock", OPT(ONOFF) }), FL_SC_DEFINES },
	/*
	 * tcp: a TCP connection over loopback; sndbuf=N: setsockopt(SO_SNDBUF)
	 * on both ends; nonblock=off: both ends blocking, whose calls may wait;
	 * sndtimeo=US, rcvtimeo=US: SO_SNDTIMEO, SO_RCVTIMEO on both ends
	 */
	{ "socketpair", FL_SC_SOCKETPAIR, 0, SLOTS(FL_SC_NEW_SOCK, FL_SC_SOCK_TYPE),
	  KEYS({ "sndbuf", OPT(NUM) }, { "nonblock", OPT(ONOFF) }, { "sndtimeo", OPT(NUM) },
	       { "rcvtimeo", OPT(NUM) }), FL_SC_DEFINES },
	/* a pipe's end, or a socket pair's (its last descriptor: release) */
	{ "close",    FL_SC_CLOSE,    0, SLOTS(FL_SC_PIPE_END), NULL, 0 },
	/*
	 * dir NAME [N] [namelen=L] [removed=on]: a tmpfs directory of N empty
	 * files named by L letters, open O_RDONLY|O_DIRECTORY as file NAME
	 * (callers/readdir.c); removed=on: rmdir'ed after the open (N = 0)
	 */
	{ "dir",      FL_SC_DIR,      0, SLOTS(FL_SC_NEW_FILE, OPT(NUM)),
	  KEYS({ "namelen", OPT(NUM) }, { "subdirs", OPT(NUM) }, { "symlinks", OPT(NUM) },
	       { "removed", OPT(ONOFF) }),
	  FL_SC_DEFINES | FL_SC_DIR_CHECK },
	{ "mmap",     FL_SC_MMAP,     0,
	  SLOTS(FL_SC_NEW_MAP, FL_SC_NUM, FL_SC_PROT, FL_SC_SHARING),
	  /* hugetlb=on: MAP_HUGETLB (a file on hugetlbfs needs no key) */
	  KEYS({ "file", OPT(FILE_REF) }, { "off", OPT(NUM) }, { "at", OPT(ADDR) },
	       { "hugetlb", OPT(ONOFF) }),
	  FL_SC_DEFINES },
	{ "munmap",   FL_SC_MUNMAP,   0, SLOTS(FL_SC_ADDR, FL_SC_NUM), NULL, 0 },
	{ "mremap",   FL_SC_MREMAP,   0, SLOTS(FL_SC_ADDR, FL_SC_NUM, FL_SC_NUM),
	  KEYS({ "at", OPT(ADDR) }, { "flags", OPT(NUM) }, { "as", OPT(NEW_MAP) }),
	  FL_SC_SUBJECT | FL_SC_DEFINES },
	{ "mprotect", FL_SC_MPROTECT, 0, SLOTS(FL_SC_ADDR, FL_SC_NUM, FL_SC_PROT), NULL, 0 },
	{ "madvise",  FL_SC_MADVISE,  0, SLOTS(FL_SC_ADDR, FL_SC_NUM, FL_SC_ADVICE), NULL, 0 },
	/* The spec's own example writes `poke buf 2p zero`: LEN may precede DATA. */
	/* as=TASK names the access: `wait TASK` reports it once it resumed. */
	{ "store",    FL_SC_STORE,    0, SLOTS(FL_SC_ADDR, OPT(NUM), FL_SC_DATA),
	  KEYS({ "len", OPT(NUM) }, { "as", OPT(NEW_TASK) }), FL_SC_SUBJECT },
	{ "load",     FL_SC_LOAD,     0, SLOTS(FL_SC_ADDR, FL_SC_NUM),
	  KEYS({ "as", OPT(NEW_TASK) }), FL_SC_SUBJECT },
	{ "wait",     FL_SC_WAIT,     0, SLOTS(FL_SC_TASK), NULL, FL_SC_SUBJECT },
	{ "poke",     FL_SC_POKE,     0, SLOTS(FL_SC_ADDR, OPT(NUM), FL_SC_DATA),
	  KEYS({ "len", OPT(NUM) }), 0 },
	{ "tag",      FL_SC_TAG,      0, SLOTS(FL_SC_ADDR, FL_SC_NUM, FL_SC_NUM), NULL, 0 },
	{ "evict",    FL_SC_EVICT,    0, SLOTS(FL_SC_ADDR, FL_SC_NUM), NULL, 0 },
	{ "poison",   FL_SC_POISON,   0, SLOTS(FL_SC_ADDR), NULL, FL_SC_SUBJECT },
	/* call, on and expect: the parser reads their second word itself. */
	{ "call",     FL_SC_CALL,     0, NULL, NULL, 0 },
	{ "on",       FL_SC_ON,       0, NULL, NULL, 0 },
	{ "expect",   FL_SC_EXPECT,   0, NULL, NULL, 0 },
	{ "vary",     FL_SC_VARY,     0, SLOTS(FL_SC_NEW_VAR, FL_SC_RANGE),
	  KEYS({ "step", OPT(NUM) }), FL_SC_DEFINES | FL_SC_SETUP },
};

/* ---- call FUNC ---- */

#define ADDR_LEN SLOTS(FL_SC_ADDR, FL_SC_NUM)
/*
 * as=TASK (task=TASK on the GUP calls, whose as= names the pages): a call
 * that sleeps in handle_userfault goes on when it is woken, and `wait
 * TASK` reports how it ended (docs/uffd.md).
 */
#define AS_TASK    { "as", OPT(NEW_TASK) }
#define AS_KEYS    KEYS(AS_TASK)
#define SRC_KEY  KEYS({ "src", OPT(DATA) }, AS_TASK)
#define GUP(name, code) { name, FL_SC_CALL, code, \
	SLOTS(FL_SC_ADDR, FL_SC_NUM, FL_SC_GUP_FLAGS), \
	KEYS({ "as", FL_SC_NEW_PAGES }, { "task", OPT(NEW_TASK) }), \
	FL_SC_SUBJECT | FL_SC_DEFINES }
#define UFFD_RANGE SLOTS(FL_SC_UFFD, FL_SC_ADDR, FL_SC_NUM)
#define MODE_KEY   KEYS({ "mode", OPT(COPY_MODE) })
/*
 * The vector calls: iovecs as written, or iov=ADDR: the array the kernel
 * reads is user memory at ADDR; nr=N: the count passed (default: the
 * iovecs written; beyond them, zero iovecs).  docs/scenario-language.md.
 */
#define IOV_SLOTS  SLOTS(FL_SC_FD, FL_SC_IOVEC | FL_SC_REPEAT | FL_SC_OPT)
#define POS_IOV_SLOTS SLOTS(FL_SC_FD, FL_SC_SNUM, FL_SC_IOVEC | FL_SC_REPEAT | FL_SC_OPT)
#define IOV_KEYS   KEYS({ "iov", OPT(ADDR) }, { "nr", OPT(NUM) }, AS_TASK)
#define SOCK_IOV_SLOTS SLOTS(FL_SC_SOCK_FD, FL_SC_IOVEC | FL_SC_REPEAT | FL_SC_OPT)
/* control=ADDR controllen=N: msghdr.msg_control and msg_controllen */
#define SOCK_IOV_KEYS  KEYS({ "iov", OPT(ADDR) }, { "nr", OPT(NUM) }, { "flags", OPT(MSG_FLAGS) }, \
			AS_TASK, { "control", OPT(ADDR) }, { "controllen", OPT(NUM) })
/*
 * sendmsg's rights=END (repeatable): an SCM_RIGHTS message passing those
 * descriptors, built by the backend in a buffer of its own (not with
 * control=), msg_controllen CMSG_SPACE(4 * n) unless controllen= says
 */
#define SEND_IOV_KEYS  KEYS({ "iov", OPT(ADDR) }, { "nr", OPT(NUM) }, { "flags", OPT(MSG_FLAGS) }, \
			AS_TASK, { "control", OPT(ADDR) }, { "controllen", OPT(NUM) }, \
			{ "rights", OPT(ANY_FD) | FL_SC_REPEAT }, { "creds", OPT(ONOFF) })
#define IOV2_KEYS  KEYS({ "iov", OPT(ADDR) }, { "nr", OPT(NUM) }, { "flags", OPT(RWF_FLAGS) }, \
			AS_TASK)
#define PVM_SLOTS  SLOTS(FL_SC_PROC, OPT(ADDR), OPT(ADDR), OPT(NUM))
#define PVM_KEYS   KEYS({ "local", OPT(IOVEC) | FL_SC_REPEAT }, \
			{ "remote", OPT(IOVEC) | FL_SC_REPEAT }, { "flags", OPT(NUM) }, \
			{ "lvec", OPT(ADDR) }, { "rvec", OPT(ADDR) }, \
			{ "liovcnt", OPT(NUM) }, { "riovcnt", OPT(NUM) }, AS_TASK)

static const struct fl_sc_form calls[] = {
	{ "copy_to_user", FL_SC_CALL, FL_SC_COPY_TO_USER, ADDR_LEN, SRC_KEY, FL_SC_SUBJECT },
	{ "copy_from_user", FL_SC_CALL, FL_SC_COPY_FROM_USER, ADDR_LEN, AS_KEYS, FL_SC_SUBJECT },
	{ "clear_user", FL_SC_CALL, FL_SC_CLEAR_USER, ADDR_LEN, AS_KEYS, FL_SC_SUBJECT },
	/* COUNT is signed: count <= 0 gives 0 (lib/strncpy_from_user.c). */
	{ "strncpy_from_user", FL_SC_CALL, FL_SC_STRNCPY_FROM_USER,
	  SLOTS(FL_SC_ADDR, FL_SC_SNUM), AS_KEYS, FL_SC_SUBJECT },
	{ "strnlen_user", FL_SC_CALL, FL_SC_STRNLEN_USER,
	  SLOTS(FL_SC_ADDR, FL_SC_SNUM), AS_KEYS, FL_SC_SUBJECT },
	{ "get_user", FL_SC_CALL, FL_SC_GET_USER, ADDR_LEN, AS_KEYS, FL_SC_SUBJECT },
	{ "put_user", FL_SC_CALL, FL_SC_PUT_USER,
	  SLOTS(FL_SC_ADDR, FL_SC_NUM, FL_SC_SNUM), AS_KEYS, FL_SC_SUBJECT },
	{ "copy_to_user_nofault", FL_SC_CALL, FL_SC_COPY_TO_USER_NOFAULT, ADDR_LEN, SRC_KEY, FL_SC_SUBJECT },
	{ "copy_from_user_nofault", FL_SC_CALL, FL_SC_COPY_FROM_USER_NOFAULT, ADDR_LEN, AS_KEYS, FL_SC_SUBJECT },
	{ "copy_to_user_inatomic", FL_SC_CALL, FL_SC_COPY_TO_USER_INATOMIC, ADDR_LEN, SRC_KEY, FL_SC_SUBJECT },
	{ "copy_from_user_inatomic", FL_SC_CALL, FL_SC_COPY_FROM_USER_INATOMIC, ADDR_LEN, AS_KEYS, FL_SC_SUBJECT },
	{ "fault_in_readable", FL_SC_CALL, FL_SC_FAULT_IN_READABLE, ADDR_LEN, AS_KEYS, FL_SC_SUBJECT },
	{ "fault_in_writeable", FL_SC_CALL, FL_SC_FAULT_IN_WRITEABLE, ADDR_LEN, AS_KEYS, FL_SC_SUBJECT },
	{ "fault_in_safe_writeable", FL_SC_CALL, FL_SC_FAULT_IN_SAFE_WRITEABLE, ADDR_LEN, AS_KEYS, FL_SC_SUBJECT },
	{ "fault_in_subpage_writeable", FL_SC_CALL, FL_SC_FAULT_IN_SUBPAGE_WRITEABLE, ADDR_LEN, AS_KEYS, FL_SC_SUBJECT },
	{ "read", FL_SC_CALL, FL_SC_READ, SLOTS(FL_SC_FD, FL_SC_ADDR, FL_SC_NUM), AS_KEYS, FL_SC_SUBJECT },
	{ "write", FL_SC_CALL, FL_SC_WRITE, SLOTS(FL_SC_FD, FL_SC_ADDR, FL_SC_NUM), AS_KEYS, FL_SC_SUBJECT },
	{ "pread", FL_SC_CALL, FL_SC_PREAD,
	  SLOTS(FL_SC_FD, FL_SC_ADDR, FL_SC_NUM, FL_SC_NUM), AS_KEYS, FL_SC_SUBJECT },
	{ "pwrite", FL_SC_CALL, FL_SC_PWRITE,
	  SLOTS(FL_SC_FD, FL_SC_ADDR, FL_SC_NUM, FL_SC_NUM), AS_KEYS, FL_SC_SUBJECT },
	{ "readv", FL_SC_CALL, FL_SC_READV, IOV_SLOTS, IOV_KEYS, FL_SC_SUBJECT },
	{ "writev", FL_SC_CALL, FL_SC_WRITEV, IOV_SLOTS, IOV_KEYS, FL_SC_SUBJECT },
	{ "preadv", FL_SC_CALL, FL_SC_PREADV, POS_IOV_SLOTS, IOV_KEYS, FL_SC_SUBJECT },
	{ "pwritev", FL_SC_CALL, FL_SC_PWRITEV, POS_IOV_SLOTS, IOV_KEYS, FL_SC_SUBJECT },
	{ "preadv2", FL_SC_CALL, FL_SC_PREADV2, POS_IOV_SLOTS, IOV2_KEYS, FL_SC_SUBJECT },
	{ "pwritev2", FL_SC_CALL, FL_SC_PWRITEV2, POS_IOV_SLOTS, IOV2_KEYS, FL_SC_SUBJECT },
	{ "vmsplice", FL_SC_CALL, FL_SC_VMSPLICE,
	  SLOTS(FL_SC_PIPE_FD, FL_SC_ADDR, FL_SC_NUM),
	  KEYS({ "as", OPT(NEW_TASK) }, { "flags", OPT(SPLICE_FLAGS) }, { "nr", OPT(NUM) }),
	  FL_SC_SUBJECT },
	{ "process_vm_readv", FL_SC_CALL, FL_SC_PROCESS_VM_READV, PVM_SLOTS, PVM_KEYS,
	  FL_SC_SUBJECT | FL_SC_IOV_SIDES },
	{ "process_vm_writev", FL_SC_CALL, FL_SC_PROCESS_VM_WRITEV, PVM_SLOTS, PVM_KEYS,
	  FL_SC_SUBJECT | FL_SC_IOV_SIDES },
	{ "fstat", FL_SC_CALL, FL_SC_FSTAT, SLOTS(FL_SC_FD), NULL, FL_SC_SUBJECT },
	{ "ftruncate", FL_SC_CALL, FL_SC_FTRUNCATE, SLOTS(FL_SC_FD, FL_SC_SNUM), NULL,
	  FL_SC_SUBJECT },
	/* fcntl(F_ADD_SEALS), fcntl(F_GET_SEALS): memfd seals (mm/memfd.c) */
	{ "add_seals", FL_SC_CALL, FL_SC_ADD_SEALS, SLOTS(FL_SC_FD, FL_SC_SEALS), NULL,
	  FL_SC_SUBJECT },
	{ "get_seals", FL_SC_CALL, FL_SC_GET_SEALS, SLOTS(FL_SC_FD), NULL, FL_SC_SUBJECT },
	{ "lseek", FL_SC_CALL, FL_SC_LSEEK, SLOTS(FL_SC_FD, FL_SC_SNUM, FL_SC_WHENCE),
	  NULL, FL_SC_SUBJECT },
	/* OFF -1: NULL, the file's position */
	{ "splice", FL_SC_CALL, FL_SC_SPLICE,
	  SLOTS(FL_SC_FD, FL_SC_SNUM, FL_SC_FD, FL_SC_SNUM, FL_SC_NUM),
	  KEYS({ "flags", OPT(SPLICE_FLAGS) }, AS_TASK), FL_SC_SUBJECT },
	/* tee FDIN FDOUT LEN: both pipe ends; buffers are shared, none consumed */
	{ "tee", FL_SC_CALL, FL_SC_TEE, SLOTS(FL_SC_FD, FL_SC_FD, FL_SC_NUM),
	  KEYS({ "flags", OPT(SPLICE_FLAGS) }, AS_TASK), FL_SC_SUBJECT },
	/* ret: the bytes write(2) took (1) */
	{ "clear_refs", FL_SC_CALL, FL_SC_CLEAR_REFS, SLOTS(FL_SC_CLEAR_REFS_TYPE), NULL,
	  FL_SC_SUBJECT },
	/* madvise(2) whose result is an observable; the `madvise` statement's
	   failure ends the run */
	{ "madvise", FL_SC_CALL, FL_SC_MADVISE_CALL, SLOTS(FL_SC_ADDR, FL_SC_NUM, FL_SC_ADVICE),
	  NULL, FL_SC_SUBJECT },
	/* process_madvise(2) through a pidfd of PROC: ret the bytes advised */
	{ "process_madvise", FL_SC_CALL, FL_SC_PROCESS_MADVISE,
	  SLOTS(FL_SC_PROC, FL_SC_ADVICE, FL_SC_IOVEC | FL_SC_REPEAT | FL_SC_OPT),
	  KEYS({ "flags", OPT(NUM) }), FL_SC_SUBJECT },
	/* mlock(2), munlock(2): ret 0 or -1 errno (mm/mlock.c) */
	{ "mlock", FL_SC_CALL, FL_SC_MLOCK, SLOTS(FL_SC_ADDR, FL_SC_NUM), NULL, FL_SC_SUBJECT },
	{ "munlock", FL_SC_CALL, FL_SC_MUNLOCK, SLOTS(FL_SC_ADDR, FL_SC_NUM), NULL, FL_SC_SUBJECT },
	/*
	 * ioctl(PAGEMAP_SCAN) over [ADDR, ADDR+LEN): ret the regions, copy
	 * walk_end - ADDR, the kernel buffer the regions (expect region)
	 */
	{ "pagemap_scan", FL_SC_CALL, FL_SC_PAGEMAP_SCAN, SLOTS(FL_SC_ADDR, FL_SC_NUM),
	  KEYS({ "vec", OPT(NUM) }, { "vec_null", OPT(ONOFF) }, { "max_pages", OPT(NUM) },
	       { "flags", OPT(SCAN_FLAGS) }, { "require", OPT(SCAN_CATS) },
	       { "anyof", OPT(SCAN_CATS) }, { "inverted", OPT(SCAN_CATS) },
	       { "return", OPT(SCAN_CATS) }, { "size", OPT(NUM) }), FL_SC_SUBJECT },
	/* getdents64 FD ADDR COUNT: a `dir`'s records (callers/readdir.c) */
	{ "getdents64", FL_SC_CALL, FL_SC_GETDENTS64, SLOTS(FL_SC_FD, FL_SC_ADDR, FL_SC_NUM),
	  NULL, FL_SC_SUBJECT },
	/* getdents FD ADDR COUNT: the same as struct linux_dirent (d_type last) */
	{ "getdents", FL_SC_CALL, FL_SC_GETDENTS, SLOTS(FL_SC_FD, FL_SC_ADDR, FL_SC_NUM),
	  NULL, FL_SC_SUBJECT },
	/* socket pairs: iovecs as readv's (docs/callers.md, "Sockets") */
	{ "sendmsg", FL_SC_CALL, FL_SC_SENDMSG, SOCK_IOV_SLOTS, SEND_IOV_KEYS, FL_SC_SUBJECT },
	{ "recvmsg", FL_SC_CALL, FL_SC_RECVMSG, SOCK_IOV_SLOTS, SOCK_IOV_KEYS, FL_SC_SUBJECT },
	/* setsockopt SOCK.N passcred on|off: SOL_SOCKET, SO_PASSCRED (docs/callers.md) */
	{ "setsockopt", FL_SC_CALL, FL_SC_SETSOCKOPT,
	  SLOTS(FL_SC_SOCK_FD, FL_SC_SOCKOPT, FL_SC_ONOFF), NULL, FL_SC_SUBJECT },
	{ "shutdown", FL_SC_CALL, FL_SC_SHUTDOWN, SLOTS(FL_SC_SOCK_FD, FL_SC_SHUT_HOW), NULL,
	  FL_SC_SUBJECT },
	{ "proc_mem_read", FL_SC_CALL, FL_SC_PROC_MEM_READ, ADDR_LEN, AS_KEYS, FL_SC_SUBJECT },
	{ "proc_mem_write", FL_SC_CALL, FL_SC_PROC_MEM_WRITE,
	  SLOTS(FL_SC_ADDR, FL_SC_DATA), KEYS({ "len", OPT(NUM) }, AS_TASK), FL_SC_SUBJECT },
	{ "btrfs_search_ioctl", FL_SC_CALL, FL_SC_BTRFS_SEARCH_IOCTL, ADDR_LEN,
	  KEYS({ "items", OPT(NUM) }, { "itemlen", OPT(NUM) }, AS_TASK), FL_SC_SUBJECT },
	{ "restore_fpregs", FL_SC_CALL, FL_SC_RESTORE_FPREGS, ADDR_LEN, KEYS({ "xrstor", OPT(NUM) }, AS_TASK), FL_SC_SUBJECT },
	GUP("get_user_pages", FL_SC_GET_USER_PAGES),
	GUP("pin_user_pages", FL_SC_PIN_USER_PAGES),
	GUP("get_user_pages_fast", FL_SC_GET_USER_PAGES_FAST),
	GUP("pin_user_pages_fast", FL_SC_PIN_USER_PAGES_FAST),
	{ "put_pages", FL_SC_CALL, FL_SC_PUT_PAGES, SLOTS(FL_SC_PAGES), NULL, FL_SC_SUBJECT },
	{ "read_pages", FL_SC_CALL, FL_SC_READ_PAGES, SLOTS(FL_SC_PAGES, FL_SC_NUM, FL_SC_NUM), NULL, FL_SC_SUBJECT },
	/* dev=on: /dev/userfaultfd and USERFAULTFD_IOC_NEW instead of the syscall */
	{ "userfaultfd", FL_SC_CALL, FL_SC_USERFAULTFD, SLOTS(OPT(UFFD_FLAGS)),
	  KEYS({ "as", FL_SC_NEW_UFFD }, { "dev", OPT(ONOFF) }), FL_SC_SUBJECT | FL_SC_DEFINES },
	{ "uffd_api", FL_SC_CALL, FL_SC_UFFD_API,
	  SLOTS(FL_SC_UFFD, FL_SC_UFFD_FEATURES), KEYS({ "api", OPT(NUM) }), FL_SC_SUBJECT },
	{ "uffd_register", FL_SC_CALL, FL_SC_UFFD_REGISTER,
	  SLOTS(FL_SC_UFFD, FL_SC_ADDR, FL_SC_NUM, FL_SC_UFFD_MODES), NULL, FL_SC_SUBJECT },
	{ "uffd_copy", FL_SC_CALL, FL_SC_UFFD_COPY, UFFD_RANGE,
	  KEYS({ "src", OPT(DATA) }, { "mode", OPT(COPY_MODE) }, { "from", OPT(ADDR) }),
	  FL_SC_SUBJECT },
	{ "uffd_zeropage", FL_SC_CALL, FL_SC_UFFD_ZEROPAGE, UFFD_RANGE, MODE_KEY, FL_SC_SUBJECT },
	{ "uffd_wake", FL_SC_CALL, FL_SC_UFFD_WAKE, UFFD_RANGE, NULL, FL_SC_SUBJECT },
	{ "uffd_writeprotect", FL_SC_CALL, FL_SC_UFFD_WRITEPROTECT,
	  SLOTS(FL_SC_UFFD, FL_SC_ADDR, FL_SC_NUM, FL_SC_ONOFF), NULL, FL_SC_SUBJECT },
	{ "uffd_continue", FL_SC_CALL, FL_SC_UFFD_CONTINUE, UFFD_RANGE, MODE_KEY, FL_SC_SUBJECT },
	/* as=C: the child's context a FORK event brings (msg.arg.fork.ufd) */
	{ "uffd_read", FL_SC_CALL, FL_SC_UFFD_READ, SLOTS(FL_SC_UFFD),
	  KEYS({ "as", OPT(NEW_UFFD) }), FL_SC_SUBJECT },
	{ "uffd_serve", FL_SC_CALL, FL_SC_UFFD_SERVE,
	  SLOTS(FL_SC_UFFD, FL_SC_DATA), NULL, FL_SC_SUBJECT },
	{ "uffd_poison", FL_SC_CALL, FL_SC_UFFD_POISON, UFFD_RANGE, MODE_KEY, FL_SC_SUBJECT },
	{ "uffd_move", FL_SC_CALL, FL_SC_UFFD_MOVE,
	  SLOTS(FL_SC_UFFD, FL_SC_ADDR, FL_SC_ADDR, FL_SC_NUM),
	  KEYS({ "mode", OPT(MOVE_MODE) }), FL_SC_SUBJECT },
	{ "uffd_log", FL_SC_CALL, FL_SC_UFFD_LOG, SLOTS(FL_SC_UFFD), NULL, FL_SC_SUBJECT },
	{ "uffd_unregister", FL_SC_CALL, FL_SC_UFFD_UNREGISTER, UFFD_RANGE, NULL, FL_SC_SUBJECT },
};

/* ---- expect FORM ---- */

static const struct fl_sc_form expects[] = {
	{ "ret",     FL_SC_EXPECT, FL_SC_EXPECT_RET, SLOTS(FL_SC_SNUM), NULL, 0 },
	{ "errno",   FL_SC_EXPECT, FL_SC_EXPECT_ERRNO, SLOTS(FL_SC_ERRNO), NULL, 0 },
	{ "copy",    FL_SC_EXPECT, FL_SC_EXPECT_COPY, SLOTS(FL_SC_SNUM), NULL, 0 },
	/* msghdr.msg_flags as recvmsg wrote it back: the flags, exactly */
	{ "msg_flags", FL_SC_EXPECT, FL_SC_EXPECT_MSG_FLAGS, SLOTS(FL_SC_MSG_RFLAGS), NULL, 0 },
	/* msghdr.msg_controllen as recvmsg wrote it back: the control bytes used */
	{ "controllen", FL_SC_EXPECT, FL_SC_EXPECT_CONTROLLEN, SLOTS(FL_SC_NUM), NULL, 0 },
	/* descriptor I that recvmsg's SCM_RIGHTS gave is a new one for END's file */
	{ "rights",  FL_SC_EXPECT, FL_SC_EXPECT_RIGHTS, SLOTS(FL_SC_NUM, FL_SC_ANY_FD), NULL, 0 },
	/* recvmsg's SCM_CREDENTIALS holds PROC's pid and the scenario's ids
	   (without PROC: pid 0 and the overflow ids, none were attached) */
	{ "creds",   FL_SC_EXPECT, FL_SC_EXPECT_CREDS, SLOTS(OPT(PROC)), NULL, 0 },
	{ "outcome", FL_SC_EXPECT, FL_SC_EXPECT_OUTCOME, SLOTS(FL_SC_OUTCOME), NULL, 0 },
	{ "mem",     FL_SC_EXPECT, FL_SC_EXPECT_MEM,
	  SLOTS(FL_SC_ADDR, FL_SC_NUM, FL_SC_MEMDATA), NULL, 0 },
	/* PAGEMAP_SCAN's region I: OFF bytes from its start, LEN bytes, CATS exactly. */
	{ "region",  FL_SC_EXPECT, FL_SC_EXPECT_REGION,
	  SLOTS(FL_SC_NUM, FL_SC_NUM, FL_SC_NUM, FL_SC_SCAN_CATS), NULL, 0 },
	/* The kernel buffer of a copy_from_user-style call: OFF LEN DATA. */
	{ "kbuf",    FL_SC_EXPECT, FL_SC_EXPECT_KBUF,
	  SLOTS(FL_SC_NUM, FL_SC_NUM, FL_SC_MEMDATA), NULL, 0 },
	{ "event",   FL_SC_EXPECT, FL_SC_EXPECT_EVENT,
	  SLOTS(FL_SC_UFFD, FL_SC_EVENT_TYPE), KEYS({ "flags", OPT(EVENT_FLAGS) }), 0 },
	/* The current process's /proc/self/pagemap entries of [ADDR, ADDR+len). */
	{ "pagemap", FL_SC_EXPECT, FL_SC_EXPECT_PAGEMAP,
	  SLOTS(FL_SC_ADDR, FL_SC_PM_BITS),
	  KEYS({ "len", OPT(NUM) }, { "same", OPT(ADDR) }, { "other", OPT(ADDR) },
	       { "cap", OPT(ONOFF) }), FL_SC_STATE },
	{ "one-of",  FL_SC_EXPECT, FL_SC_EXPECT_ONE_OF, NULL,
	  KEYS({ "ret", OPT(SNUM) }, { "errno", OPT(ERRNO) },
	       { "copy", OPT(SNUM) }, { "outcome", OPT(OUTCOME) }), FL_SC_ANY_KEY },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct fl_sc_form *form_lookup(const struct fl_sc_form *t, size_t n,
					    const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(t[i].name) == len && !memcmp(t[i].name, s, len))
			return &t[i];
	return NULL;
}

const struct fl_sc_form *fl_sc_verb_form(const char *s, size_t len)
{
	return form_lookup(verbs, COUNT(verbs), s, len);
}

const struct fl_sc_form *fl_sc_call_form(const char *s, size_t len)
{
	return form_lookup(calls, COUNT(calls), s, len);
}

const struct fl_sc_form *fl_sc_expect_form(const char *s, size_t len)
{
	return form_lookup(expects, COUNT(expects), s, len);
}

static const char *form_name(const struct fl_sc_form *t, size_t n, unsigned code,
			     bool by_verb)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((by_verb ? (unsigned)t[i].verb : t[i].code) == code)
			return t[i].name;
	return "?";
}

const char *fl_sc_verb_name(enum fl_sc_verb v)
{
	return form_name(verbs, COUNT(verbs), v, true);
}

const char *fl_sc_func_name(enum fl_sc_func f)
{
	return form_name(calls, COUNT(calls), f, false);
}

const char *fl_sc_expect_name(enum fl_sc_expect e)
{
	return form_name(expects, COUNT(expects), e, false);
}

/* ---- word lists ---- */

static const char *const arch_words[] = {
	"x86_64", "arm64", "arm64+mte", "sparc64+adi", "i386", "riscv64", "arm", NULL
};
_Static_assert(COUNT(arch_words) == FL_ARCH_COUNT + 1, "arch words follow enum fl_arch_id");

static const char *const hook_words[] = {
	"uaccess", "fault", "fault_in", "gup", "uffd_copy", NULL
};
_Static_assert(COUNT(hook_words) == FL_HOOK_COUNT + 1, "hook words follow enum fl_hook");

static const char *const prot_words[] = { "none", "r", "rw", "rx", "rwx", NULL };
static const char *const sharing_words[] = { "private", "shared", NULL };
static const char *const advice_words[] = {
	"dontneed", "remove", "pageout", "populate_read", "populate_write",
	"wipeonfork", "dontfork", "nohugepage", "hugepage", "collapse", "dofork",
	"guard_install", "guard_remove", "free", "cold", "sequential", NULL
};
static const char *const fs_words[] = { "tmpfs", "ext4", "btrfs", "hugetlbfs", NULL };
static const char *const onoff_words[] = { "off", "on", NULL };
static const char *const outcome_words[] = { "ok", "livelock", "sigsegv", "sigbus", "no-progress", "leak", "blocked", "timeout", "sigpipe", NULL };
static const char *const event_words[] = {
	"pagefault", "fork", "remap", "remove", "unmap", NULL
};
static const char *const gup_words[] = {
	"write", "force", "longterm", "nofault", "touch", "unshare", "nowait",
	"dump", "remote", "hwpoison", "anon", NULL
};
/* UFFD_USER_MODE_ONLY is bit 0; O_CLOEXEC and O_NONBLOCK follow. */
static const char *const uffd_flag_words[] = { "user_mode_only", "cloexec", "nonblock", NULL };
/* UFFD_FEATURE_* bit order */
static const char *const feature_words[] = {
	"pagefault_flag_wp", "event_fork", "event_remap", "event_remove",
	"missing_hugetlbfs", "missing_shmem", "event_unmap", "sigbus",
	"thread_id", "minor_hugetlbfs", "minor_shmem", "exact_address",
	"wp_hugetlbfs_shmem", "wp_unpopulated", "poison", "wp_async", "move", NULL
};
static const char *const mode_words[] = { "missing", "wp", "minor", NULL };
static const char *const copy_mode_words[] = { "dontwake", "wp", NULL };
static const char *const event_flag_words[] = { "write", "wp", "minor", NULL };
static const char *const move_mode_words[] = { "dontwake", "allow_src_holes", NULL };
static const char *const splice_flag_words[] = { "move", "nonblock", "more", "gift", NULL };
static const char *const msg_flag_words[] = {
	"peek", "trunc", "dontwait", "waitall", "nosignal", "oob", "errqueue", NULL
};
/* What recvmsg writes to msghdr.msg_flags: fl_msg_rflags() maps them. */
static const char *const msg_rflag_words[] = {
	"trunc", "ctrunc", "eor", "oob", "errqueue", NULL
};
/* PAGE_IS_* and PM_SCAN_* bit order (uapi linux/fs.h) */
static const char *const scan_cat_words[] = {
	"wpallowed", "written", "file", "present", "swapped", "pfnzero", "huge",
	"softdirty", "guard", NULL
};
static const char *const scan_flag_words[] = { "wp_matching", "check_wpasync", NULL };
/* O_RDONLY, O_WRONLY, O_RDWR: the word's index is the O_ACCMODE value. */
static const char *const acc_mode_words[] = { "rdonly", "wronly", "rdwr", NULL };
/* F_SEAL_SEAL .. F_SEAL_EXEC bit order (uapi linux/fcntl.h) */
static const char *const seal_words[] = {
	"seal", "shrink", "grow", "write", "future_write", "exec", NULL
};
/* SHUT_RD, SHUT_WR, SHUT_RDWR: the word's index is the value. */
static const char *const shut_how_words[] = { "rd", "wr", "rdwr", NULL };
/* setsockopt's options, FL_SOCKOPT_* order */
static const char *const sockopt_words[] = { "passcred", NULL };
static const char *const rwf_words[] = {
	"hipri", "dsync", "sync", "nowait", "append", "noappend", NULL
};
/* enum fl_sc_pm_bit order */
static const char *const pm_words[] = {
	"softdirty", "exclusive", "uffd_wp", "file", "swapped", "present", "pfn", "guard", NULL
};
_Static_assert(COUNT(pm_words) == FL_SC_PM_COUNT + 1, "pagemap words follow enum fl_sc_pm_bit");
/* CLEAR_REFS_ALL (1) .. CLEAR_REFS_MM_HIWATER_RSS (5): index + 1 */
static const char *const clear_refs_words[] = {
	"all", "anon", "file", "softdirty", "hiwater_rss", NULL
};
/* SEEK_SET .. SEEK_HOLE: the word's index is the whence value. */
static const char *const whence_words[] = { "set", "cur", "end", "data", "hole", NULL };
static const char *const sock_type_words[] = { "stream", "dgram", "tcp", "seqpacket", "udp",
						      NULL };

struct kind_info {
	const char *what;
	const char *const *words;
};

static const struct kind_info kinds[FL_SC_KIND_COUNT] = {
	[FL_SC_NONE]         = { "nothing", NULL },
	[FL_SC_NEW_PROC]     = { "a new process name", NULL },
	[FL_SC_NEW_MAP]      = { "a new mapping name", NULL },
	[FL_SC_NEW_FILE]     = { "a new file name", NULL },
	[FL_SC_NEW_PIPE]     = { "a new pipe name", NULL },
	[FL_SC_NEW_PAGES]    = { "a new handle name", NULL },
	[FL_SC_NEW_UFFD]     = { "a new handle name", NULL },
	[FL_SC_NEW_TASK]     = { "a new access name", NULL },
	[FL_SC_NEW_VAR]      = { "a new variable name", NULL },
	[FL_SC_PROC]         = { "a process declared by process or fork", NULL },
	[FL_SC_FILE_REF]     = { "a file declared by file", NULL },
	[FL_SC_PIPE_REF]     = { "a pipe declared by pipe", NULL },
	[FL_SC_PAGES]        = { "a GUP handle declared by as=", NULL },
	[FL_SC_UFFD]         = { "a userfaultfd handle declared by as=", NULL },
	[FL_SC_TASK]         = { "an access named by as= of store, load or a system call", NULL },
	[FL_SC_FD]           = { "a file, PIPE.r or PIPE.w", NULL },
	[FL_SC_PIPE_FD]      = { "a pipe, PIPE.r, PIPE.w or a file", NULL },
	[FL_SC_NUM]          = { "a number", NULL },
	[FL_SC_SNUM]         = { "a number or -ENAME", NULL },
	[FL_SC_ADDR]         = { "an address", NULL },
	[FL_SC_IOVEC]        = { "ADDR:LEN", NULL },
	[FL_SC_DATA]         = { "data (\"text\", fill=0xNN, seq, seq=N, zero)", NULL },
	[FL_SC_MEMDATA]      = { "data or unchanged", NULL },
	[FL_SC_ERRNO]        = { "an errno name", NULL },
	[FL_SC_VERSION]      = { "a kernel version (5.18, 6.1.2) or host", NULL },
	[FL_SC_ARCH_NAME]    = { "an architecture (x86_64, arm64, arm64+mte, sparc64+adi, i386, riscv64, arm)", arch_words },
	[FL_SC_PROT]         = { "a protection (none, r, rw, rx, rwx)", prot_words },
	[FL_SC_SHARING]      = { "private or shared", sharing_words },
	[FL_SC_ADVICE]       = { "an advice (dontneed, remove, pageout, populate_read, ...)", advice_words },
	[FL_SC_FS]           = { "a file system (tmpfs, ext4, btrfs, hugetlbfs)", fs_words },
	[FL_SC_ONOFF]        = { "on or off", onoff_words },
	[FL_SC_OUTCOME]      = { "an outcome (ok, livelock, no-progress, sigsegv, sigbus, leak, blocked, timeout, sigpipe)", outcome_words },
	[FL_SC_EVENT_TYPE]   = { "an event (pagefault, fork, remap, remove, unmap)", event_words },
	[FL_SC_GUP_FLAGS]    = { "GUP flags (- or write,force,longterm,nofault,...)", gup_words },
	[FL_SC_UFFD_FLAGS]   = { "userfaultfd flags (- or user_mode_only,cloexec,nonblock)", uffd_flag_words },
	[FL_SC_UFFD_FEATURES]= { "uffd features (- or event_fork,sigbus,...)", feature_words },
	[FL_SC_UFFD_MODES]   = { "register modes (missing,wp,minor)", mode_words },
	[FL_SC_COPY_MODE]    = { "a copy mode (- or dontwake,wp)", copy_mode_words },
	[FL_SC_EVENT_FLAGS]  = { "event flags (- or write,wp,minor)", event_flag_words },
	[FL_SC_HOOK]         = { "a hook (uaccess, fault, fault_in, gup, uffd_copy)", hook_words },
	[FL_SC_RANGE]        = { "a range FROM..TO", NULL },
	[FL_SC_MOVE_MODE]    = { "a move mode (- or dontwake,allow_src_holes)", move_mode_words },
	[FL_SC_SPLICE_FLAGS] = { "splice flags (- or move,nonblock,more,gift)", splice_flag_words },
	[FL_SC_RWF_FLAGS]    = { "RWF flags (- or hipri,dsync,sync,nowait,append,noappend)", rwf_words },
	[FL_SC_MSG_FLAGS]    = { "MSG flags (- or peek,trunc,dontwait,waitall,nosignal,oob,errqueue)", msg_flag_words },
	[FL_SC_WHENCE]       = { "a whence (set, cur, end, data, hole)", whence_words },
	[FL_SC_PM_BITS]      = { "pagemap bits (present,exclusive,-softdirty,... of present swapped file exclusive softdirty uffd_wp pfn guard)", pm_words },
	[FL_SC_CLEAR_REFS_TYPE] = { "a clear_refs type (all, anon, file, softdirty, hiwater_rss)", clear_refs_words },
	[FL_SC_NEW_SOCK]     = { "a new socket pair name", NULL },
	[FL_SC_SOCK_FD]      = { "a socket end SOCK.0 or SOCK.1 (SOCK declared by socketpair)", NULL },
	[FL_SC_SOCK_TYPE]    = { "a socket type (stream, dgram, tcp, seqpacket, udp)", sock_type_words },
	[FL_SC_PIPE_END]     = { "PIPE.r, PIPE.w, SOCK.0 or SOCK.1", NULL },
	[FL_SC_ANY_FD]       = { "FILE, PIPE.r, PIPE.w, SOCK.0 or SOCK.1", NULL },
	[FL_SC_SHUT_HOW]     = { "a shutdown mode (rd, wr, rdwr)", shut_how_words },
	[FL_SC_SOCKOPT]      = { "a socket option (passcred)", sockopt_words },
	[FL_SC_MSG_RFLAGS]   = { "msg_flags (- or trunc,ctrunc,eor,oob,errqueue)", msg_rflag_words },
	[FL_SC_SCAN_CATS]    = { "page categories (- or wpallowed,written,file,present,swapped,pfnzero,huge,softdirty,guard)", scan_cat_words },
	[FL_SC_SCAN_FLAGS]   = { "PM_SCAN flags (- or wp_matching,check_wpasync)", scan_flag_words },
	[FL_SC_ACC_MODE]     = { "an access mode (rdonly, wronly, rdwr)", acc_mode_words },
	[FL_SC_SEALS]        = { "seals (- or seal,shrink,grow,write,future_write,exec)", seal_words },
};

const char *fl_sc_kind_what(enum fl_sc_kind k)
{
	return k < FL_SC_KIND_COUNT ? kinds[k].what : "?";
}

const char *const *fl_sc_kind_words(enum fl_sc_kind k)
{
	return k < FL_SC_KIND_COUNT ? kinds[k].words : NULL;
}

int fl_sc_word_index(const char *const *words, const char *s, size_t len)
{
	int i;

	for (i = 0; words[i]; i++)
		if (strlen(words[i]) == len && !memcmp(words[i], s, len))
			return i;
	return -1;
}

/* ---- errno names (asm-generic/errno-base.h, errno.h, linux/errno.h) ---- */

struct errno_name {
	const char *name;
	int value;
};

static const struct errno_name errnos[] = {
	{ "EPERM", 1 }, { "ENOENT", 2 }, { "ESRCH", 3 }, { "EINTR", 4 },
	{ "EIO", 5 }, { "ENXIO", 6 }, { "E2BIG", 7 }, { "ENOEXEC", 8 },
	{ "EBADF", 9 }, { "ECHILD", 10 }, { "EAGAIN", 11 }, { "ENOMEM", 12 },
	{ "EACCES", 13 }, { "EFAULT", 14 }, { "ENOTBLK", 15 }, { "EBUSY", 16 },
	{ "EEXIST", 17 }, { "EXDEV", 18 }, { "ENODEV", 19 }, { "ENOTDIR", 20 },
	{ "EISDIR", 21 }, { "EINVAL", 22 }, { "ENFILE", 23 }, { "EMFILE", 24 },
	{ "ENOTTY", 25 }, { "ETXTBSY", 26 }, { "EFBIG", 27 }, { "ENOSPC", 28 },
	{ "ESPIPE", 29 }, { "EROFS", 30 }, { "EMLINK", 31 }, { "EPIPE", 32 },
	{ "EDOM", 33 }, { "ERANGE", 34 }, { "EDEADLK", 35 },
	{ "ENAMETOOLONG", 36 }, { "ENOLCK", 37 }, { "ENOSYS", 38 },
	{ "ENOTEMPTY", 39 }, { "ELOOP", 40 }, { "ENOMSG", 42 }, { "EIDRM", 43 },
	{ "ECHRNG", 44 }, { "EL2NSYNC", 45 }, { "EL3HLT", 46 }, { "EL3RST", 47 },
	{ "ELNRNG", 48 }, { "EUNATCH", 49 }, { "ENOCSI", 50 }, { "EL2HLT", 51 },
	{ "EBADE", 52 }, { "EBADR", 53 }, { "EXFULL", 54 }, { "ENOANO", 55 },
	{ "EBADRQC", 56 }, { "EBADSLT", 57 }, { "EBFONT", 59 }, { "ENOSTR", 60 },
	{ "ENODATA", 61 }, { "ETIME", 62 }, { "ENOSR", 63 }, { "ENONET", 64 },
	{ "ENOPKG", 65 }, { "EREMOTE", 66 }, { "ENOLINK", 67 }, { "EADV", 68 },
	{ "ESRMNT", 69 }, { "ECOMM", 70 }, { "EPROTO", 71 }, { "EMULTIHOP", 72 },
	{ "EDOTDOT", 73 }, { "EBADMSG", 74 }, { "EOVERFLOW", 75 },
	{ "ENOTUNIQ", 76 }, { "EBADFD", 77 }, { "EREMCHG", 78 },
	{ "ELIBACC", 79 }, { "ELIBBAD", 80 }, { "ELIBSCN", 81 },
	{ "ELIBMAX", 82 }, { "ELIBEXEC", 83 }, { "EILSEQ", 84 },
	{ "ERESTART", 85 }, { "ESTRPIPE", 86 }, { "EUSERS", 87 },
	{ "ENOTSOCK", 88 }, { "EDESTADDRREQ", 89 }, { "EMSGSIZE", 90 },
	{ "EPROTOTYPE", 91 }, { "ENOPROTOOPT", 92 }, { "EPROTONOSUPPORT", 93 },
	{ "ESOCKTNOSUPPORT", 94 }, { "EOPNOTSUPP", 95 }, { "EPFNOSUPPORT", 96 },
	{ "EAFNOSUPPORT", 97 }, { "EADDRINUSE", 98 }, { "EADDRNOTAVAIL", 99 },
	{ "ENETDOWN", 100 }, { "ENETUNREACH", 101 }, { "ENETRESET", 102 },
	{ "ECONNABORTED", 103 }, { "ECONNRESET", 104 }, { "ENOBUFS", 105 },
	{ "EISCONN", 106 }, { "ENOTCONN", 107 }, { "ESHUTDOWN", 108 },
	{ "ETOOMANYREFS", 109 }, { "ETIMEDOUT", 110 }, { "ECONNREFUSED", 111 },
	{ "EHOSTDOWN", 112 }, { "EHOSTUNREACH", 113 }, { "EALREADY", 114 },
	{ "EINPROGRESS", 115 }, { "ESTALE", 116 }, { "EUCLEAN", 117 },
	{ "ENOTNAM", 118 }, { "ENAVAIL", 119 }, { "EISNAM", 120 },
	{ "EREMOTEIO", 121 }, { "EDQUOT", 122 }, { "ENOMEDIUM", 123 },
	{ "EMEDIUMTYPE", 124 }, { "ECANCELED", 125 }, { "ENOKEY", 126 },
	{ "EKEYEXPIRED", 127 }, { "EKEYREVOKED", 128 }, { "EKEYREJECTED", 129 },
	{ "EOWNERDEAD", 130 }, { "ENOTRECOVERABLE", 131 }, { "ERFKILL", 132 },
	{ "EHWPOISON", 133 },
	/* aliases: the first name of a value is the one printed */
	{ "EWOULDBLOCK", 11 }, { "EDEADLOCK", 35 }, { "ENOTSUP", 95 },
	/* kernel-internal (include/linux/errno.h): never reach user space,
	 * but a model of kernel functions returns them */
	{ "ERESTARTSYS", 512 }, { "ERESTARTNOINTR", 513 },
	{ "ERESTARTNOHAND", 514 }, { "ENOIOCTLCMD", 515 },
	{ "ERESTART_RESTARTBLOCK", 516 }, { "EPROBE_DEFER", 517 },
	{ "EOPENSTALE", 518 }, { "ENOPARAM", 519 }, { "EBADHANDLE", 521 },
	{ "ENOTSYNC", 522 }, { "EBADCOOKIE", 523 }, { "ENOTSUPP", 524 },
	{ "ETOOSMALL", 525 }, { "ESERVERFAULT", 526 }, { "EBADTYPE", 527 },
	{ "EJUKEBOX", 528 }, { "EIOCBQUEUED", 529 }, { "ERECALLCONFLICT", 530 },
};

const char *fl_sc_errno_name(int err)
{
	size_t i;

	for (i = 0; i < COUNT(errnos); i++)
		if (errnos[i].value == err)
			return errnos[i].name;
	return NULL;
}

int fl_sc_errno_lookup(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < COUNT(errnos); i++)
		if (strlen(errnos[i].name) == len && !memcmp(errnos[i].name, name, len))
			return errnos[i].value;
	return 0;
}
