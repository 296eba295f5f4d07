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
 *   1. count <= the sum of the remaining segment lengths from iov_offset,
 *      with equality when fl_iov_iter_init() was given the full total
 *      (a smaller count is a truncated iterator); advance and revert keep
 *      the difference.
 *   2. Copies are per segment, in order, each through copy_to_user /
 *      copy_from_user (or the _inatomic variants for the _atomic copy), and
 *      stop at the first short segment: the result is the bytes copied and
 *      the iterator is advanced by exactly that much.
 */
#ifndef FAULTLINE_IOV_ITER_H
#define FAULTLINE_IOV_ITER_H

#include <faultline/world.h>

FL_API_BEGIN

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

/*
 * 0, or -EINVAL for more than FL_UIO_MAXIOV segments, a total above
 * SSIZE_MAX, or COUNT above the total.  The iterator points into IOV,
 * which must outlive it.
 */
int fl_iov_iter_init(struct fl_iov_iter *i, enum fl_iter_dir dir,
		     const struct fl_iovec *iov, unsigned long nr_segs, size_t count);
/* Consume BYTES (at most count), stepping over finished and empty segments. */
void fl_iov_iter_advance(struct fl_iov_iter *i, size_t bytes);
/* Give back BYTES, which must not exceed what was advanced since init. */
void fl_iov_iter_revert(struct fl_iov_iter *i, size_t bytes);

/*
 * copy_to_iter / copy_from_iter: faults handled; bytes copied.  Each
 * segment is access_ok + the raw copy: copy_from_iter does NOT zero the
 * uncopied tail of DST (lib/iov_iter.c copyin).  The iterator must be a
 * DEST (copy_to_iter) or SOURCE (copy_from_iter*) one, else 0 is copied.
 */
size_t fl_copy_to_iter(struct fl_world *w, const void *src, size_t bytes,
		       struct fl_iov_iter *i);
size_t fl_copy_from_iter(struct fl_world *w, void *dst, size_t bytes,
			 struct fl_iov_iter *i);
/*
 * copy_page_to_iter of BYTES at SRC (within one page): copy_to_iter, and
 * since 5.14 (era copy_page_to_iter_loop) again from the point a short
 * copy reported while each copy moves a byte.  Bytes copied.
 */
size_t fl_copy_page_to_iter(struct fl_world *w, const void *src, size_t bytes,
			    struct fl_iov_iter *i);
/* copy_page_from_iter_atomic: under pagefault_disable(), no fault handling. */
size_t fl_copy_from_iter_atomic(struct fl_world *w, void *dst, size_t bytes,
				struct fl_iov_iter *i);

/*
 * fault_in_iov_iter_{readable,writeable} (5.16): bytes of SIZE not faulted
 * in (SIZE beyond count included), through fl_fault_in_readable /
 * fl_fault_in_safe_writeable per segment from iov_offset, stopping at the
 * first segment not wholly faulted in; the iterator is not advanced.
 * Before 5.16 (iov_iter_fault_in_readable): 0 or non-zero, SIZE clamped
 * to count; before 4.8 (d4690f1e1cda) the first segment only.
 */
size_t fl_fault_in_iov_iter_readable(struct fl_world *w,
				     const struct fl_iov_iter *i, size_t size);
size_t fl_fault_in_iov_iter_writeable(struct fl_world *w,
				      const struct fl_iov_iter *i, size_t size);

FL_API_END
#endif
