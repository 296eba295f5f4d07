/*
 * faultline/uaccess.h - the kernel's user-memory accessors, acting on the
 * current process of a world: copy_{to,from}_user and their variants,
 * clear_user, strncpy_from_user, strnlen_user, get_user/put_user, and the
 * Rutland matrix that measures how exact they are per architecture.
 *
 * Definitions
 *   raw copy   one call of the arch routine (raw_copy_{to,from}_user,
 *              __clear_user): fire FL_HOOK_UACCESS, ask the mm layer how
 *              far the user side reaches before the first fault
 *              (fl_user_reach, which runs the fault handler unless
 *              pagefault_disable() is in effect), ask the arch what the
 *              routine writes and returns, move those bytes, trace one line.
 *   count      the accessors that return unsigned long return the bytes NOT
 *              copied (0 <= ret <= n), as the kernel does; the arch decides
 *              how exact it is (docs/arch.md).
 *   access_ok  a pure range check, addr + size <= TASK_SIZE_MAX, no VMA
 *              lookup; always true on sparc64 (separate address space).
 *
 * Invariants (kernel-facts.md §1)
 *   1. Only copy_from_user zero-fills: the uncopied tail after a short raw
 *      copy, the whole buffer when access_ok fails.  __copy_from_user, the
 *      _inatomic variants and copy_to_user never zero.
 *   2. Nothing outside [to, to + n) of the destination is written; whether
 *      bytes at or past to + n - ret are written is the arch's business
 *      (arm64 copy_to_user writes some: a clobber).
 *   3. The _inatomic and _nofault variants run the copy with page faults
 *      disabled (nested, so a caller's own pagefault_disable() is fine): a
 *      valid page that is not present gives a short copy.
 *
 * Bad arguments (not a kernel case: the kernel would oops) are refused
 * without touching memory and leave a message in fl_world_error(): a NULL
 * kernel buffer with n > 0, or no current process, makes the counting
 * accessors return n (nothing copied), the int accessors -EINVAL, and
 * strnlen_user 0.
 */
#ifndef FAULTLINE_UACCESS_H
#define FAULTLINE_UACCESS_H

#include <faultline/mm.h>

FL_API_BEGIN

/* access_ok(addr, size): true if [addr, addr + size) is below TASK_SIZE_MAX. */
bool fl_access_ok(struct fl_world *w, fl_addr_t addr, size_t size);

/* copy_to_user: n if !access_ok, else the raw copy's bytes not copied. */
unsigned long fl_copy_to_user(struct fl_world *w, fl_addr_t to, const void *from,
			      unsigned long n);
/* copy_from_user: as copy_to_user, and the uncopied tail of TO is zeroed. */
unsigned long fl_copy_from_user(struct fl_world *w, void *to, fl_addr_t from,
				unsigned long n);
/* __copy_from_user: the raw copy with faults handled; no access_ok, no zeroing. */
unsigned long fl___copy_from_user(struct fl_world *w, void *to, fl_addr_t from,
				  unsigned long n);

/* __copy_{to,from}_user_inatomic: raw copy, faults disabled, no access_ok, no zeroing. */
unsigned long fl_copy_to_user_inatomic(struct fl_world *w, fl_addr_t to,
				       const void *from, unsigned long n);
unsigned long fl_copy_from_user_inatomic(struct fl_world *w, void *to,
					 fl_addr_t from, unsigned long n);

/*
 * copy_{to,from}_user_nofault (mm/maccess.c, 5.8): access_ok, then the
 * inatomic copy; 0, or -EFAULT if anything was left (the destination may
 * be partly written).
 */
int fl_copy_to_user_nofault(struct fl_world *w, fl_addr_t to, const void *from,
			    size_t n);
int fl_copy_from_user_nofault(struct fl_world *w, void *to, fl_addr_t from,
			      size_t n);

/* clear_user: n if !access_ok, else the arch's __clear_user: bytes not cleared. */
unsigned long fl_clear_user(struct fl_world *w, fl_addr_t to, unsigned long n);

/*
 * strncpy_from_user: the length of the string (without its NUL, which is
 * copied); COUNT if no NUL in the first COUNT bytes (COUNT bytes copied, no
 * NUL); -EFAULT on a fault before either (bytes before it are copied);
 * 0 if COUNT <= 0.
 */
long fl_strncpy_from_user(struct fl_world *w, char *dst, fl_addr_t src, long count);

/*
 * strnlen_user: the size of the string including its NUL; COUNT + 1 if no
 * NUL in the first COUNT bytes; 0 on a fault or if COUNT <= 0.
 */
long fl_strnlen_user(struct fl_world *w, fl_addr_t src, long count);

/*
 * get_user/put_user of SIZE (1, 2, 4 or 8) bytes between *VAL and ADDR:
 * one access, all or nothing.  0, or -EFAULT (a failed get_user zeroes
 * *VAL, a failed put_user writes nothing); -EINVAL for another size.
 */
int fl_get_user(struct fl_world *w, void *val, fl_addr_t addr, size_t size);
int fl_put_user(struct fl_world *w, const void *val, fl_addr_t addr, size_t size);

/* ---- the Rutland matrix (uaccess/rutland.c) ---- */

/*
 * Mark Rutland's usercopy test ("usercopy: generic tests + arm64 fixes",
 * LKML, March 2023) run on the full model: one process with one rw page at
 * 2 MiB and nothing mapped around it; a 64-byte aligned kernel buffer of
 * `i & 0xff`; every size 0..128 at every user offset in [-size, 0] and
 * [PAGE_SIZE - size, PAGE_SIZE].  The assertions, in his order; a case
 * is charged with the first one it fails.
 */
enum fl_rutland_assert {
	FL_RUTLAND_OK,
	FL_RUTLAND_RET_TOO_BIG,       /* ret > size */
	FL_RUTLAND_IMPOSSIBLE_COPY,   /* starts in a faulting page, ret != size */
	FL_RUTLAND_POSSIBLE_FAILED,   /* wholly inside the page, ret != 0 */
	FL_RUTLAND_TOO_FEW,           /* straddles, ret == size: no progress */
	FL_RUTLAND_TOO_MANY,          /* straddles, ret < offset + size - PAGE_SIZE */
	FL_RUTLAND_SRC_MODIFIED,      /* the source changed */
	FL_RUTLAND_PRE_DST_MODIFIED,  /* a byte before the destination changed */
	FL_RUTLAND_POST_DST_MODIFIED, /* a byte at/after dst + size - ret changed */
	FL_RUTLAND_COPY_INCORRECT,    /* a reported byte is not the source's */
	FL_RUTLAND_ASSERT_COUNT
};

/* "too few bytes consumed", ... as his messages read. */
const char *fl_rutland_assert_name(enum fl_rutland_assert a);

struct fl_rutland_case {
	long offset;                  /* of the user buffer from the page start */
	size_t size;
	size_t ret;
	enum fl_rutland_assert failed;
};

/*
 * Counts over the matrix of one arch, kernel version and direction.
 * A case can be in several of the four classes (a riscv copy that writes
 * a byte and reports none is no-progress and clobber).
 */
struct fl_rutland_counts {
	unsigned long cases;
	unsigned long pass;           /* every assertion held */
	unsigned long under_reports;  /* 0 < bytes reported < bytes accessible */
	unsigned long clobbers;       /* bytes written past what was reported */
	unsigned long over_reports;   /* reported bytes that are not the source's */
	unsigned long no_progress;    /* nothing reported although bytes were accessible */
	bool failed;                  /* first_fail is set */
	struct fl_rutland_case first_fail;
};

/*
 * Run the matrix for ARCH, KVER (0: newest) and DIR: copy_to_user,
 * __copy_from_user (the raw copy, as his test called raw_copy_from_user:
 * zero-filling would hide what the routine wrote) or clear_user.
 * 0, or -ENOMEM/-errno if the world could not be set up.
 */
int fl_rutland_run(enum fl_arch_id arch, fl_kver_t kver, enum fl_copy_dir dir,
		   struct fl_rutland_counts *out);

FL_API_END
#endif
