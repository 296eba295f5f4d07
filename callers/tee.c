/*
 * callers/tee.c - tee(2) (fs/splice.c: do_tee, link_pipe): the input
 * pipe's buffers are duplicated into the output pipe, none consumed.
 *
 * What and why
 *   tee is splice without the move: each output buffer takes a second
 *   reference on the input buffer's page (pipe_buf_get), so a reader of
 *   either pipe sees the same bytes, and the input keeps them.  The copy
 *   never merges a later write (link_pipe clears PIPE_BUF_FLAG_CAN_MERGE
 *   and GIFT on it).  Nothing touches user memory.
 *
 * The order (sys_tee, do_tee, link_ipipe_prep/link_opipe_prep, link_pipe),
 * each step measured on 6.18 (tests/host/pipe-tee*.fl):
 *
 *     flags beyond SPLICE_F_ALL   -> -EINVAL
 *     LEN 0                       -> 0 (before the descriptors are looked at)
 *     IN not readable, OUT not writable -> -EBADF
 *     not two pipes, or one pipe  -> -EINVAL
 *     either end O_NONBLOCK       -> SPLICE_F_NONBLOCK (5.1+)
 *     input empty: no writer -> go on (0 below); NONBLOCK -> -EAGAIN; else wait
 *     output full: no reader -> -EPIPE + SIGPIPE; NONBLOCK -> -EAGAIN; else wait
 *     per input buffer from the tail while LEN lasts:
 *         no reader -> SIGPIPE, -EPIPE unless bytes were duplicated
 *         input passed or output full -> stop
 *         the output gets the buffer, cut to what LEN still allows
 *     return the bytes duplicated (0: an empty input without writers)
 *
 * The waits come before anything is duplicated, so a task that waits is
 * run again from the start (FL_SYS_WAITS).  Measured on 6.18 and on the
 * debian 5.10, 6.1 and 6.12 guests; the ends' O_NONBLOCK counts from 5.1
 * (ee5e001196d1, fl_pipe_splice_flags), before it only the flags did.
 */
#include <string.h>

#include <faultline/gup.h>

#include "callers/internal.h"

/* The input's buffer SLOT, cut to LEN, as a new output buffer. */
static int tee_dup_buffer(struct fl_world *w, const struct fl_pipe_buffer *ibuf,
			  struct fl_pipe_buffer *obuf, size_t len)
{
	uint32_t frame = 0;

	if (ibuf->folio) {
		fl_folio_get(ibuf->folio);
	} else {
		/* the kernel shares the page; a copy shows the same bytes */
		frame = fl_frame_alloc(w);
		if (!frame)
			return -ENOMEM;
		memcpy(fl_frame_mut(w, frame), fl_frame(w, ibuf->frame), FL_PAGE_SIZE);
	}
	*obuf = *ibuf;
	obuf->frame = frame;
	obuf->flags &= ~FL_PIPE_BUF_CAN_MERGE;
	if (obuf->len > len)
		obuf->len = (uint32_t)len;
	return 0;
}

/* link_pipe: bytes duplicated, or -EPIPE / -ENOMEM when none. */
static long link_pipe(struct fl_world *w, struct fl_pipe *ipipe, struct fl_pipe *opipe,
		      size_t len)
{
	unsigned slot = ipipe->tail;
	long ret = 0;

	do {
		struct fl_pipe_buffer *obuf;

		if (!fl_pipe_end_open(opipe, false)) {
			fl_pipe_send_sigpipe(w, opipe);
			return ret ? ret : -EPIPE;
		}
		if (slot == ipipe->head || fl_pipe_is_full(opipe))
			break;
		obuf = &opipe->bufs[opipe->head % FL_PIPE_BUFFERS];
		if (tee_dup_buffer(w, &ipipe->bufs[slot % FL_PIPE_BUFFERS], obuf, len))
			return ret ? ret : -ENOMEM;
		opipe->head++;
		slot++;
		ret += obuf->len;
		len -= obuf->len;
	} while (len);
	fl_trace(w, "tee %s -> %s: %ld bytes duplicated", ipipe->n.name, opipe->n.name, ret);
	return ret;
}

long fl_tee(struct fl_world *w, const struct fl_fd *in, const struct fl_fd *out,
	    size_t len, unsigned flags)
{
	long ret;

	if (flags & ~FL_SPLICE_F_ALL)
		return -EINVAL;
	if (!len)
		return 0;
	if (!fl_pipe_fds_open(in, out) || (in->pipe && in->write_end) ||
	    (out->pipe && !out->write_end))
		return -EBADF;
	if (!in->pipe || !out->pipe || in->pipe == out->pipe)
		return -EINVAL;
	if (fl_pipe_mutex_busy(w, in->pipe) || fl_pipe_mutex_busy(w, out->pipe))
		return FL_SYS_WAITS;
	flags = fl_pipe_splice_flags(w, in->pipe, out->pipe, flags);
	ret = fl_pipe_input_prep(w, in->pipe, flags);
	if (!ret)
		ret = fl_pipe_output_prep(w, out->pipe, flags);
	return ret ? ret : link_pipe(w, in->pipe, out->pipe, len);
}
