/*
 * uaccess/iov_iter.c - user-backed iterators (ITER_IOVEC, ITER_UBUF as one
 * segment): how read(), write(), readv(), writev() and process_vm_*() walk
 * user memory (lib/iov_iter.c).
 *
 * Why per segment: the kernel copies each segment with its own
 * copy_to_user/copy_from_user call and stops at the first one that comes
 * back short, so a fault in segment 2 leaves segment 3 untouched even if
 * it is perfectly mapped; read()/write() then return the bytes before the
 * fault.  Callers in callers/ rely on exactly that.
 *
 * Definitions (iov_iter.h)
 *   skip      iov_offset: bytes of the current segment already consumed.
 *   short     a segment copy that returned non-zero (bytes not copied).
 *
 * Invariants
 *   1. count == the bytes left in the segments from (iov, iov_offset)
 *      when the iterator was set up with the segments' total; in general
 *      count <= that sum (a truncated iterator, as after
 *      iov_iter_truncate) and advance/revert keep the difference.
 *   2. After an advance, iov_offset < iov->len unless count reached 0:
 *      fully consumed and empty segments are stepped over.
 *   3. A copy moves min(bytes, count) at most, segment by segment, stops
 *      at the first short segment, advances by exactly what it returns.
 *
 * The user side of each segment copy, per direction:
 *   copy_to_iter          copy_to_user: access_ok, raw copy, faults handled
 *   copy_from_iter        access_ok, raw copy, faults handled, NO zeroing
 *                         (lib/iov_iter.c copyin uses raw_copy_from_user)
 *   copy_from_iter_atomic as copy_from_iter under pagefault_disable()
 */
#include <stdint.h>

#include <faultline/fault_in.h>
#include <faultline/iov_iter.h>
#include <faultline/uaccess.h>

#include "uaccess/internal.h"

/* A segment copy: the bytes of N NOT copied between UADDR and KBUF. */
typedef size_t (*seg_copy_fn)(struct fl_world *w, fl_addr_t uaddr,
			      uint8_t *kbuf, size_t n);

int fl_iov_iter_init(struct fl_iov_iter *i, enum fl_iter_dir dir,
		     const struct fl_iovec *iov, unsigned long nr_segs, size_t count)
{
	size_t total = 0;
	unsigned long k;

	if (!i || nr_segs > FL_UIO_MAXIOV || (!iov && nr_segs))
		return -EINVAL;
	/* rw_copy_check_uvector: a length that is negative as ssize_t, or a
	 * total that would be, is -EINVAL (SIZE_MAX / 2 is SSIZE_MAX). */
	for (k = 0; k < nr_segs; k++) {
		if (iov[k].len > SIZE_MAX / 2 - total)
			return -EINVAL;
		total += iov[k].len;
	}
	if (count > total)
		return -EINVAL;
	i->dir = dir;
	i->iov = iov;
	i->nr_segs = nr_segs;
	i->iov_offset = 0;
	i->count = count;
	return 0;
}

void fl_iov_iter_advance(struct fl_iov_iter *i, size_t bytes)
{
	size_t pos;

	if (bytes > i->count)
		bytes = i->count;
	if (!i->count)
		return;
	i->count -= bytes;
	/* From the start of the current segment; invariant 2. */
	pos = i->iov_offset + bytes;
	while (i->nr_segs && pos >= i->iov->len) {
		pos -= i->iov->len;
		i->iov++;
		i->nr_segs--;
	}
	i->iov_offset = pos;
}

/*
 * iov_iter_revert: give back BYTES the iterator consumed.  The caller must
 * not revert more than was advanced since fl_iov_iter_init (the kernel's
 * contract too: the iterator does not remember where it began).
 */
void fl_iov_iter_revert(struct fl_iov_iter *i, size_t bytes)
{
	if (!bytes)
		return;
	i->count += bytes;
	if (bytes <= i->iov_offset) {
		i->iov_offset -= bytes;
		return;
	}
	bytes -= i->iov_offset;
	for (;;) {
		size_t n = (--i->iov)->len;

		i->nr_segs++;
		if (bytes <= n) {
			i->iov_offset = n - bytes;
			return;
		}
		bytes -= n;
	}
}

/* Invariant 3: segment by segment until BYTES, COUNT or a short copy. */
static size_t iterate_and_advance(struct fl_world *w, struct fl_iov_iter *i,
				  uint8_t *kbuf, size_t bytes, seg_copy_fn copy)
{
	size_t done = 0;

	if (bytes > i->count)
		bytes = i->count;
	while (done < bytes && i->nr_segs) {
		const struct fl_iovec *seg = i->iov;
		size_t len = seg->len - i->iov_offset, left;

		if (len > bytes - done)
			len = bytes - done;
		if (!len) {             /* an empty segment */
			i->iov++;
			i->nr_segs--;
			i->iov_offset = 0;
			continue;
		}
		left = copy(w, seg->base + i->iov_offset, kbuf + done, len);
		done += len - left;
		fl_iov_iter_advance(i, len - left);
		if (left)
			break;
	}
	return done;
}

static size_t seg_copy_to_user(struct fl_world *w, fl_addr_t uaddr,
			       uint8_t *kbuf, size_t n)
{
	return fl_copy_to_user(w, uaddr, kbuf, n);
}

/* copyin: access_ok, then the raw copy; the kernel tail is not zeroed. */
static size_t seg_copy_from_user(struct fl_world *w, fl_addr_t uaddr,
				 uint8_t *kbuf, size_t n)
{
	if (!fl_access_ok(w, uaddr, n))
		return n;
	return fl___copy_from_user(w, kbuf, uaddr, n);
}

/*
 * The raw copy itself, as the kernel's copy_from_user_iter() calls
 * raw_copy_from_user(): fl_copy_from_iter_atomic() has disabled faults
 * and checked the buffer, and a syscall has a current process.
 */
static size_t seg_copy_from_user_atomic(struct fl_world *w, fl_addr_t uaddr,
					uint8_t *kbuf, size_t n)
{
	if (!fl_access_ok(w, uaddr, n))
		return n;
	return fl_raw_copy(w, "__copy_from_user_inatomic", FL_COPY_FROM_USER, uaddr, kbuf, n);
}

/* The iterator goes the other way, or there is no buffer: WARN, copy 0. */
static bool bad_copy(struct fl_world *w, const char *name, const void *kbuf,
		     size_t bytes, const struct fl_iov_iter *i, enum fl_iter_dir need)
{
	if (!i || i->dir != need) {
		fl_error(w, -EINVAL, "%s: iterator of the wrong direction", name);
		return true;
	}
	if (!kbuf && bytes) {
		fl_error(w, -EINVAL, "%s: NULL kernel buffer", name);
		return true;
	}
	return false;
}

size_t fl_copy_to_iter(struct fl_world *w, const void *src, size_t bytes,
		       struct fl_iov_iter *i)
{
	if (bad_copy(w, "copy_to_iter", src, bytes, i, FL_ITER_DEST))
		return 0;
	/* copy_to_user never writes the kernel side: the cast is safe. */
	return iterate_and_advance(w, i, (uint8_t *)(uintptr_t)src, bytes,
				   seg_copy_to_user);
}

/*
 * copy_page_to_iter.  Since 08aa64796016 (5.14-rc1, Cc stable: 5.13.2) it
 * is a loop over copies that goes on from where the last one stopped
 * while each moves at least a byte, so a routine that under-reports (an
 * arm64 stp whose second store faulted) is called again at the reported
 * point, from a source that many bytes further, and rewrites the bytes it
 * had stored without counting.  Before, one copy and its count.  The loop
 * was written for compound pages: its turn at a fault is a side effect,
 * seen on real kernels (docs/arch.md, debian-5.10 against debian-6.1).
 */
size_t fl_copy_page_to_iter(struct fl_world *w, const void *src, size_t bytes,
			    struct fl_iov_iter *i)
{
	const uint8_t *from = src;
	size_t res = 0, n;

	if (!fl_since(w, FL_ERA_COPY_PAGE_TO_ITER_LOOP))
		return fl_copy_to_iter(w, src, bytes, i);
	do {
		n = fl_copy_to_iter(w, from + res, bytes - res, i);
		res += n;
	} while (n && res < bytes);
	return res;
}

size_t fl_copy_from_iter(struct fl_world *w, void *dst, size_t bytes,
			 struct fl_iov_iter *i)
{
	if (bad_copy(w, "copy_from_iter", dst, bytes, i, FL_ITER_SOURCE))
		return 0;
	return iterate_and_advance(w, i, dst, bytes, seg_copy_from_user);
}

size_t fl_copy_from_iter_atomic(struct fl_world *w, void *dst, size_t bytes,
				struct fl_iov_iter *i)
{
	size_t ret;

	if (bad_copy(w, "copy_page_from_iter_atomic", dst, bytes, i, FL_ITER_SOURCE))
		return 0;
	fl_pagefault_disable(w);
	ret = iterate_and_advance(w, i, dst, bytes, seg_copy_from_user_atomic);
	fl_pagefault_enable(w);
	return ret;
}

/* ---- fault_in_iov_iter_{readable,writeable} ---- */

typedef size_t (*fault_in_fn)(struct fl_world *w, fl_addr_t uaddr, size_t size);

/*
 * a6294593e8a1 (5.16): min(size, count) of the iterator, segment by
 * segment from iov_offset, through FAULT_IN; stop at the first segment
 * that is not wholly faulted in.  The result is the bytes of SIZE not
 * faulted in, the part of SIZE beyond count included.
 *
 * Before 5.16, iov_iter_fault_in_readable returned 0 or -EFAULT: here
 * 0 or the bytes left, SIZE clamped to count first (the excess was not
 * counted), through the world's fl_fault_in_readable (which runs
 * fault_in_pages_readable).  Before 4.8 (d4690f1e1cda) it faulted in only
 * the first segment.
 */
static size_t fault_in_iov_iter(struct fl_world *w, const struct fl_iov_iter *i,
				size_t size, fault_in_fn fault_in)
{
	const struct fl_iovec *p = i->iov;
	size_t count = size < i->count ? size : i->count;
	size_t skip = i->iov_offset;
	bool all_segs = fl_since(w, FL_ERA_PERFORM_WRITE_ALL_SEGS);
	unsigned long k;

	size -= count;
	if (!fl_since(w, FL_ERA_FAULT_IN_IOV_ITER))
		size = 0;
	for (k = 0; count && k < i->nr_segs; k++, p++, skip = 0) {
		size_t len = p->len - skip, ret;

		if (len > count)
			len = count;
		/* d4690f1e1cda (4.8): before it, the first segment only. */
		if (!len && !all_segs)
			return 0;
		if (!len)
			continue;
		ret = fault_in(w, p->base + skip, len);
		count -= len - ret;
		if (ret)
			break;
		if (!all_segs)
			return 0;
	}
	return count + size;
}

size_t fl_fault_in_iov_iter_readable(struct fl_world *w,
				     const struct fl_iov_iter *i, size_t size)
{
	if (!i)
		return size;
	return fault_in_iov_iter(w, i, size, fl_fault_in_readable);
}

size_t fl_fault_in_iov_iter_writeable(struct fl_world *w,
				      const struct fl_iov_iter *i, size_t size)
{
	if (!i)
		return size;
	return fault_in_iov_iter(w, i, size, fl_fault_in_safe_writeable);
}
