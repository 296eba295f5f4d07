/*
 * callers/splice.c - vmsplice(2) into a pipe (fs/splice.c: vmsplice_to_pipe,
 * iter_to_pipe, add_to_pipe): zero-copy page references.
 *
 * What and why
 *   vmsplice on a pipe's write end copies nothing: it takes a reference on
 *   each user page with get_user_pages_fast (through iov_iter_get_pages,
 *   read-only: the iterator is a source, so no FOLL_WRITE) and queues a
 *   pipe buffer that points at the page (user_page_pipe_buf_ops).  The
 *   reader copies from that page when it reads.  So the reader sees what
 *   the page holds at read time: a later store by the owner to the same
 *   page is visible (host case 13), and a COW fault that moves the owner
 *   to a new page leaves the pipe on the old one (cases 14, 15).  Which
 *   side a COW fault gives the old page to is the era's rule (gup/,
 *   mm/memory.c): before 5.7.3 the page a child vmspliced and then unmapped
 *   is reused by the parent's write in place, and the child's pipe shows
 *   the parent's new bytes: CVE-2020-29374.
 *
 * The loop (iter_to_pipe), per batch of at most 16 pages of the current
 * segment:
 *
 *     n = get_user_pages_fast(pages of the segment, no FOLL_WRITE)
 *     n <= 0: stop with that error (-EFAULT: nothing usable at the start)
 *     per page: a buffer [offset, len) holding the page's reference
 *               (add_to_pipe); pipe full: -EAGAIN, the iterator goes back
 *               over what was not queued and the remaining references are
 *               dropped; stop
 *     advance the iterator by the bytes of the n pages
 *
 *   returns the bytes queued if any, else the error.  Host case 12:
 *   straddle(10) of 20 -> 10 (GUP takes the first page only; the next
 *   batch starts at the PROT_NONE page and fails); a PROT_NONE page ->
 *   -EFAULT.
 *
 * Before the loop (vmsplice, vmsplice_to_pipe): flags beyond SPLICE_F_ALL
 * -EINVAL; import_iovec (access_ok on every segment, -EFAULT; too many
 * segments -EINVAL); a count of 0 returns 0; then wait_for_space: a full
 * pipe is -EAGAIN with SPLICE_F_NONBLOCK, else the task sleeps until a
 * reader makes room.  The file's O_NONBLOCK plays no part (vmsplice
 * looks at its flags argument only; splice(2) is the one that folds
 * O_NONBLOCK in), so a flags-0 vmsplice into a full O_NONBLOCK pipe waits:
 * FL_SYS_WAITS, the outcome `blocked` (LTP vmsplice04 checks both).
 *
 * The rules have held since vmsplice_to_pipe was rewritten over
 * iter_to_pipe and add_to_pipe (Al Viro, 2016; iov_iter_get_pages2 in 6.0
 * only moved the iterator advance into the helper), so no era asks about
 * them; what changes with the kernel is GUP's behaviour on a COW mapping,
 * which fl_get_user_pages_fast decides per era (5.7.3/5.8: the forced COW
 * break, 17839856fd58, is what fixed CVE-2020-29374 for vmsplice).
 *
 * A pipe without readers: -EPIPE with SIGPIPE before anything else
 * (wait_for_space), a full pipe or not.  SPLICE_F_GIFT changes nothing
 * the model shows (the page is never stolen).
 */
#include <string.h>

#include <faultline/gup.h>

#include "callers/internal.h"

/* iter_to_pipe's page array: struct page *pages[16] on the stack. */
#define SPLICE_BATCH_PAGES 16u

/*
 * iov_iter_get_pages of a user iterator: the current segment only, from
 * its current position, at most SPLICE_BATCH_PAGES pages.  References in
 * PAGES, *START the offset into the first page; returns the bytes those
 * pages cover from *START (less than asked when GUP stopped early), or
 * GUP's -errno (0 only for an empty iterator).  The iterator does not move.
 */
static long splice_get_pages(struct fl_world *w, const struct fl_iov_iter *i,
			     struct fl_folio **pages, size_t *start)
{
	const struct fl_iovec *seg = i->iov;
	size_t skip = i->iov_offset, len;
	unsigned long n;
	fl_addr_t addr;
	long got;

	/* Step over finished and empty segments, as iov_iter_get_pages does. */
	while (skip >= seg->len) {
		skip -= seg->len;
		seg++;
	}
	addr = seg->base + skip;
	len = seg->len - skip < i->count ? seg->len - skip : i->count;
	*start = FL_PAGE_OFFSET(addr);
	if (len > SPLICE_BATCH_PAGES * FL_PAGE_SIZE - *start)
		len = SPLICE_BATCH_PAGES * FL_PAGE_SIZE - *start;
	n = (unsigned long)((len + *start + FL_PAGE_SIZE - 1) / FL_PAGE_SIZE);
	got = fl_get_user_pages_fast(w, addr, n, 0, pages);
	if (got <= 0)
		return got;
	if ((unsigned long)got == n)
		return (long)len;
	return got * (long)FL_PAGE_SIZE - (long)*start;
}

/*
 * add_to_pipe with user_page_pipe_buf_ops: the buffer takes over the GUP
 * reference on FOLIO.  Bytes queued, or -EAGAIN (the pipe is full: the
 * caller still owns the reference).
 */
static long splice_add_to_pipe(struct fl_world *w, struct fl_pipe *pipe,
			       struct fl_folio *folio, size_t offset, size_t len)
{
	struct fl_pipe_buffer *buf;

	if (pipe->head - pipe->tail >= FL_PIPE_BUFFERS)
		return -EAGAIN;
	buf = &pipe->bufs[pipe->head % FL_PIPE_BUFFERS];
	memset(buf, 0, sizeof(*buf));
	buf->folio = folio;
	buf->offset = (uint32_t)offset;
	buf->len = (uint32_t)len;
	/* No PIPE_BUF_FLAG_CAN_MERGE: pipe_write must not write into a user page. */
	pipe->head++;
	fl_trace(w, "vmsplice: %s buffer %u: [%zu, %zu) of a user page, a reference "
		 "(refcount %u, mapcount %u)", pipe->n.name, pipe->head - 1, offset,
		 offset + len, folio->refcount, folio->mapcount);
	return (long)len;
}

/* iter_to_pipe: bytes queued, or the error of the first step. */
static long iter_to_pipe(struct fl_world *w, struct fl_pipe *pipe,
			 struct fl_iov_iter *from)
{
	struct fl_folio *pages[SPLICE_BATCH_PAGES];
	long total = 0, ret = 0;

	while (from->count) {
		size_t start, k, n;
		long left;

		left = splice_get_pages(w, from, pages, &start);
		if (left <= 0) {
			fl_trace(w, "vmsplice: %s: get_user_pages_fast took nothing: %s", pipe->n.name,
				 total ? "return the bytes queued so far" : "fail");
			ret = left;
			break;
		}
		fl_iov_iter_advance(from, (size_t)left);
		n = ((size_t)left + start + FL_PAGE_SIZE - 1) / FL_PAGE_SIZE;
		for (k = 0; k < n; k++) {
			size_t size = FL_PAGE_SIZE - start < (size_t)left ?
				      FL_PAGE_SIZE - start : (size_t)left;

			ret = splice_add_to_pipe(w, pipe, pages[k], start, size);
			if (ret < 0) {
				fl_trace(w, "vmsplice: %s is full: drop %zu references", pipe->n.name,
					 n - k);
				fl_iov_iter_revert(from, (size_t)left);
				while (k < n)
					fl_put_user_page(w, pages[k++]);
				goto out;
			}
			total += ret;
			left -= (long)size;
			start = 0;
		}
	}
out:
	return total ? total : ret;
}

long fl_vmsplice(struct fl_world *w, struct fl_pipe *pipe,
		 const struct fl_iovec *iov, unsigned long nr_segs, unsigned flags)
{
	struct fl_iov_iter i;
	long ret;
	int err;

	if (flags & ~FL_SPLICE_F_ALL)
		return fl_error(w, -EINVAL, "vmsplice: flags 0x%x", flags);
	if (pipe && !fl_pipe_end_open(pipe, true))
		return -EBADF;          /* vmsplice_type: fdget finds nothing */
	err = fl_pipe_import_iovec(w, pipe, FL_ITER_SOURCE, iov, nr_segs, &i);
	if (err || !i.count)
		return err;
	if (fl_pipe_mutex_busy(w, pipe))
		return FL_SYS_WAITS;
	/* wait_for_space: no reader first, whether or not there is room */
	if (!fl_pipe_end_open(pipe, false))
		return fl_pipe_send_sigpipe(w, pipe);
	if (pipe->head - pipe->tail >= FL_PIPE_BUFFERS) {
		if (flags & FL_SPLICE_F_NONBLOCK) {
			fl_trace(w, "vmsplice: %s is full: -EAGAIN (SPLICE_F_NONBLOCK)",
				 pipe->n.name);
			return -EAGAIN;
		}
		fl_trace(w, "vmsplice: %s is full: the task waits for a reader",
			 pipe->n.name);
		return FL_SYS_WAITS;
	}
	ret = iter_to_pipe(w, pipe, &i);
	/* GUP's message about the page it stopped at is not the call's failure. */
	if (ret > 0)
		fl_world_clear_error(w);
	return ret;
}

/*
 * vmsplice on a read end (vmsplice_to_user: __splice_from_pipe with
 * pipe_to_user).  Per buffer it is pipe_read's loop: copy_page_to_iter of
 * what the request still wants, and a short copy is -EFAULT for that
 * buffer, which stays, so the result is what earlier buffers gave or
 * -EFAULT (pipe_to_user refuses a partial buffer).  It differs from read
 * only when the pipe is empty (splice_from_pipe_next): SPLICE_F_NONBLOCK
 * gives -EAGAIN; without it the task waits for a writer, whatever the
 * pipe's O_NONBLOCK (FL_SYS_WAITS: outcome `blocked`).  An empty pipe
 * without writers returns 0 (splice_from_pipe_next), as read does.
 */
long fl_vmsplice_to_user(struct fl_world *w, struct fl_pipe *pipe,
			 const struct fl_iovec *iov, unsigned long nr_segs, unsigned flags)
{
	long ret;

	if (flags & ~FL_SPLICE_F_ALL)
		return fl_error(w, -EINVAL, "vmsplice: flags 0x%x", flags);
	ret = fl_pipe_read_flags(w, pipe, iov, nr_segs, flags & FL_SPLICE_F_NONBLOCK);
	if (ret == FL_SYS_WAITS)
		fl_trace(w, "vmsplice_to_user: %s: the task waits", pipe->n.name);
	return ret;
}
