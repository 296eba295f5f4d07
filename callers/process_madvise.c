/*
 * callers/process_madvise.c - process_madvise(2) (mm/madvise.c) on the
 * caller's own address space: a batch of madvise() calls, one per iovec.
 *
 * Definitions
 *   self     the pidfd names the caller (guard-regions.c opens PIDFD_SELF;
 *            a pidfd_open() of its own pid is the same mm).  Another
 *            process is the backend's refusal, not modelled here.
 *   advice   until 6.13 only the hints a remote caller may give: COLD,
 *            PAGEOUT, WILLNEED (and COLLAPSE from 6.1), else -EINVAL; from
 *            6.13 ("unrestrict process_madvise() for current process",
 *            era process_madvise_self) every madvise() advice on self.
 *   result   the bytes of the iovecs advised before the first failure;
 *            -errno when the first one failed.
 *
 * The checks, in the kernel's order: flags (-EINVAL), import_iovec
 * (-EINVAL, -EFAULT), the advice (-EINVAL).  CAP_SYS_NICE (5.12 to
 * 6.11 even on self) is the judges' own: they run as root, and the model
 * is privileged (docs/mm.md, "process_madvise").
 */
#include "callers/internal.h"

/*
 * process_madvise_remote_valid, less WILLNEED, which the language has
 * not; COLLAPSE came with the advice (7d8faaf15545, 6.1).
 */
static bool advice_remote_valid(struct fl_world *w, enum fl_madvise advice)
{
	return advice == FL_MADV_COLD || advice == FL_MADV_PAGEOUT ||
	       (advice == FL_MADV_COLLAPSE && fl_since(w, FL_ERA_MADV_COLLAPSE));
}

long fl_sys_process_madvise(struct fl_world *w, struct fl_mm *mm,
			    const struct fl_iovec *iov, unsigned long nr_segs,
			    enum fl_madvise advice, unsigned flags)
{
	struct fl_iov_iter i;
	size_t done = 0;
	unsigned long k;
	int err;

	/* ecb8ac8b1f14 (5.10): before it the system call does not exist */
	if (!fl_since(w, FL_ERA_PROCESS_MADVISE))
		return -ENOSYS;
	if (flags)
		return -EINVAL;
	err = fl_import_iovec(w, FL_ITER_DEST, iov, nr_segs, &i);
	if (err)
		return err;
	if (!fl_since(w, FL_ERA_PROCESS_MADVISE_SELF) && !advice_remote_valid(w, advice))
		return -EINVAL;
	for (k = 0, err = 0; k < nr_segs && !err; k++) {
		if (!iov[k].len)
			continue;
		err = fl_madvise(w, mm, iov[k].base, iov[k].len, advice);
		if (!err)
			done += iov[k].len;
	}
	/*
	 * 5bd009c7c9a9 ("mm: madvise: return correct bytes advised with
	 * process_madvise", 2022, Cc: stable 5.10+) made a failure after
	 * some ranges return their bytes, where it returned the error; which
	 * releases carry it was not checked.
	 */
	if (err && done && err != -EOPNOTSUPP)
		return fl_error(w, -EOPNOTSUPP, "process_madvise failing after %zu bytes "
				"advised is not modelled (5bd009c7c9a9)", done);
	return err ? err : (long)done;
}
