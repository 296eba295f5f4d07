/*
 * backend/vec.h - the arguments of the vector calls as both backends read
 * them (backend/vec.c): readv & co and process_vm_readv/writev.
 *
 * Definitions
 *   written   the iovecs the scenario wrote: positional ADDR:LEN words
 *             (readv f a:1 b:2), or every `local=`/`remote=` key in order,
 *             or process_vm's one-a-side form PROC LOCAL REMOTE LEN.
 *   nr        the count the call passes: `nr=N` (process_vm: `liovcnt=`,
 *             `riovcnt=`), else the written count.
 *   at_user   `iov=ADDR` (`lvec=`/`rvec=` for process_vm): the array the
 *             call passes is user memory at ADDR, not the written iovecs.
 *
 * Invariant: iov holds max(written, min(nr, FL_BACKEND_IOV_CAP)) entries,
 * the written ones first and zero iovecs after them.  A larger nr is
 * passed as it is over a shorter array: the kernel refuses a count beyond
 * UIO_MAXIOV (< FL_BACKEND_IOV_CAP) before it reads the array.
 */
#ifndef FL_BACKEND_VEC_H
#define FL_BACKEND_VEC_H

#include <faultline/backend.h>
#include <faultline/callers.h>

#define FL_BACKEND_IOV_CAP (FL_UIO_MAXIOV + 1)

struct fl_backend_iovs {
	struct fl_iovec *iov;
	unsigned long written, nr;
	bool at_user;
	fl_addr_t user;
};

/* readv & co: IOVEC words from ARGS[FIRST], keys iov= and nr=.  0 or -ENOMEM. */
int fl_backend_iovs_pos(const struct fl_sc_stmt *st, const struct fl_val *args,
			unsigned first, struct fl_backend_iovs *v);
/*
 * process_vm: SIDE 0 local, 1 remote; the positional form's one iovec of
 * LEN, or the `local=`/`remote=` keys with `liovcnt=`/`riovcnt=`; and
 * `lvec=`/`rvec=`.  0 or -ENOMEM.
 */
int fl_backend_iovs_pvm(const struct fl_sc_stmt *st, const struct fl_val *args,
			int side, struct fl_backend_iovs *v);
/* One iovec BASE:LEN (read, vmsplice ...), and ST's nr= key if ST is given. */
int fl_backend_iovs_one(const struct fl_sc_stmt *st, const struct fl_val *args,
			fl_addr_t base, size_t len, struct fl_backend_iovs *v);
void fl_backend_iovs_free(struct fl_backend_iovs *v);

#endif
