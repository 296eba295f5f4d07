/*
 * cli/matrix_sys.h - Mark Rutland's usercopy matrix at system-call level,
 * the part that runs on a real kernel: the cases, the page and files, one
 * call and the check of what it did.  `faultline bench matrix` runs it on
 * this machine (cli/bench_matrix.c); the guest's /init (vm/guest_init.c)
 * is the same code cross-compiled, so a VM judge runs exactly what the
 * host runs.  Nothing here may use libfaultline: plain libc only.
 *
 * Definitions (host-cases.md, case 2)
 *   case     (size, off): SIZE bytes at OFF from the start of one
 *            read-write page with PROT_NONE pages on both sides; size
 *            0..128, off in [-size, 0] and [PAGE - size, PAGE]: 16,770.
 *   calls    pread of a file holding i & 0xff   (copy_to_user)
 *            pwrite to a file holding 0xaa       (copy_from_user)
 *            read of /dev/zero                   (clear_user)
 *   ret      the syscall's answer: bytes, or -1 for EFAULT;
 *            -1000 - errno for any other errno; MX_RET_SPINS when it
 *            never returned (a kernel retry loop without progress: the
 *            model proves a livelock, a guest's watchdog kills the call).
 *   reach    the accessible prefix: the bytes of [off, off + size) that
 *            lie in the page before the first byte that does not.
 *   expected ret = reach, -1 when reach is 0 and size is not, 0 for size 0.
 *   clobber  a byte beyond the reported ones changed (page bytes outside
 *            [off, off + ret) within MX_WINDOW, or file bytes [ret, size)).
 *   wrong    a reported byte does not hold what the call puts there.
 *
 * Invariant: MX_FILL is never a byte the calls write (the file holds
 * 0..127, clear writes 0), so a clobber is always seen.
 */
#ifndef FL_CLI_MATRIX_SYS_H
#define FL_CLI_MATRIX_SYS_H

#include <stdbool.h>
#include <stdint.h>

#define MX_MAX_SIZE   128
#define MX_CASES      16770u          /* sum over size of 2 * (size + 1) */
#define MX_CALLS      3
#define MX_PAGE       4096L
#define MX_FILL       0xa5            /* the page before each case */
#define MX_FILE_FILL  0xaa            /* the pwrite file before each case */
#define MX_WINDOW     64              /* bytes checked on each side */

#define MX_RET_SPINS  (-2)

enum mx_call { MX_PREAD, MX_PWRITE, MX_CLEAR };

enum mx_flags {
	MX_CLOBBER = 1,
	MX_WRONG = 2,
};

struct mx_result {
	int32_t ret;
	uint8_t flags;          /* enum mx_flags; 0: nothing outside the
				 * reported bytes changed, and they are right */
};

/* Case K of the walk: SIZE and the offset of the buffer from the page. */
struct mx_case {
	long size, off;
};

extern const char *const mx_names[MX_CALLS];

/* Fill C with the cases in the walk's order; their number (MX_CASES). */
unsigned mx_cases(struct mx_case *c);
/* The accessible prefix of case C. */
long mx_reach(const struct mx_case *c);
/* What host-cases.md case 2 says the call returns. */
long mx_expected(const struct mx_case *c);
/* The window of the page a case may touch, and a little around it. */
void mx_window(const struct mx_case *c, long *lo, long *hi);
/* Bytes [lo, hi) of the page after a pread or clear that returned RET. */
uint8_t mx_page_flags(const uint8_t *page, const struct mx_case *c, long ret,
		      enum mx_call call, long lo, long hi);
/* The pwrite file's first C->size bytes after a pwrite that returned RET. */
uint8_t mx_file_flags(const uint8_t *file, const struct mx_case *c, long ret);

/* ---- the real side: the page and files in this process ---- */

struct mx_host {
	uint8_t *page;
	int src, dst, zero;
	uint8_t aa[MX_MAX_SIZE];
};

/* Map the page between its guards, make the files: 0 or -errno. */
int mx_host_setup(struct mx_host *h);
/* The bare system call of CALL on BUF (the timed loops use this). */
long mx_host_call(struct mx_host *h, enum mx_call call, uint8_t *buf, long size);
/* Run case C of CALL, check it, restore the page or file: its result. */
struct mx_result mx_host_case(struct mx_host *h, enum mx_call call, const struct mx_case *c);
/*
 * The check and restore of mx_host_case() for a call that returned RET
 * (MX_RET_SPINS: it never did, and another process's page is gone: only
 * a pwrite's file can be checked).
 */
struct mx_result mx_host_case_after(struct mx_host *h, enum mx_call call,
				    const struct mx_case *c, long ret);

#endif
