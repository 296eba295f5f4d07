/*
 * faultline/iov_iter.h - user-backed iterators (ITER_UBUF, ITER_IOVEC):
 * how read/write/readv/writev/process_vm_* walk user memory
 * (lib/iov_iter.c).
 *
 * Definitions
 *   segment   one struct fl_iovec {base, len}; a ubuf is one segment.
 *   count     bytes left in the iterator; iov_offset is the offset into
 *             the current segment.
 *   dest      the iterator is the destination of a copy (read(): kernel ->
 *             user, ITER_DEST); source for write() (ITER_SOURCE).
 *
 * Invariants
 *   1. count == the sum of the remaining segment lengths from iov_offset.
 *   2. Copies are per segment, in order, each through copy_to_user /
 *      copy_from_user (or the _inatomic variants for the _atomic copy), and
 *      stop at the first short segment: the result is the bytes copied and
 *      the iterator is advanced by exactly that much.
 */
#ifndef FAULTLINE_IOV_ITER_H
#define FAULTLINE_IOV_ITER_H

#include <faultline/world.h>

#define FL_UIO_MAXIOV 1024

struct fl_iovec {
	fl_addr_t base;
	size_t len;
};

enum fl_iter_dir { FL_ITER_DEST, FL_ITER_SOURCE };

struct fl_iov_iter {
	enum fl_iter_dir dir;
	const struct fl_iovec *iov;
	unsigned long nr_segs;
	size_t iov_offset;
	size_t count;
};

/* 0, or -EINVAL for more than FL_UIO_MAXIOV segments or a length overflow. */
int fl_iov_iter_init(struct fl_iov_iter *i, enum fl_iter_dir dir,
		     const struct fl_iovec *iov, unsigned long nr_segs, size_t count);
void fl_iov_iter_advance(struct fl_iov_iter *i, size_t bytes);
void fl_iov_iter_revert(struct fl_iov_iter *i, size_t bytes);

/* copy_to_iter / copy_from_iter: faults handled; bytes copied. */
size_t fl_copy_to_iter(struct fl_world *w, const void *src, size_t bytes,
		       struct fl_iov_iter *i);
size_t fl_copy_from_iter(struct fl_world *w, void *dst, size_t bytes,
			 struct fl_iov_iter *i);
/* copy_page_from_iter_atomic: under pagefault_disable(), no fault handling. */
size_t fl_copy_from_iter_atomic(struct fl_world *w, void *dst, size_t bytes,
				struct fl_iov_iter *i);

/* fault_in_iov_iter_{readable,writeable} (5.16): bytes of SIZE not faulted in. */
size_t fl_fault_in_iov_iter_readable(struct fl_world *w,
				     const struct fl_iov_iter *i, size_t size);
size_t fl_fault_in_iov_iter_writeable(struct fl_world *w,
				      const struct fl_iov_iter *i, size_t size);

#endif
