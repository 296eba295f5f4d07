/*
 * callers/pipe.c - pipes (fs/pipe.c): pipe_read and pipe_write over a ring
 * of FL_PIPE_BUFFERS page-sized buffers.
 *
 * pipe_read, per buffer from the tail, until the request is satisfied:
 *
 *     chars   = min(buf->len, what is left of the request)
 *     written = copy_page_to_iter(page, buf->offset, chars, iter)
 *     written < chars: stop; return what earlier buffers gave, or -EFAULT
 *                      (this buffer is NOT consumed)
 *     else consume chars of the buffer; an emptied buffer is released
 *
 *   So a short copy loses nothing of the pipe, although copy_to_user has
 *   already written the bytes it could into user memory: host case 6
 *   (20 bytes into straddle(10): -EFAULT, 10 bytes in user memory, 20 still
 *   in the pipe) and case 7 (two full buffers into [rw page][PROT_NONE]: the
 *   first is read, P returned, the second stays; starting 100 bytes before
 *   the bad page: -EFAULT, both stay).  The rule has held since pipe_read
 *   went over to copy_page_to_iter (3.16); the 5.5 rework to head/tail
 *   rings kept it, so no era asks about it.
 *
 * pipe_write:
 *     the sub-page remainder of the request (total & (P - 1)) is first
 *     merged into the last buffer if it can take it (CAN_MERGE, fits in
 *     its page): copy_page_from_iter; short: -EFAULT for the whole write;
 *     then, while buffers are free: a new page, copy_page_from_iter of up
 *     to a page; short with bytes left in the request: stop, and the bytes
 *     of THIS page are not counted (return what earlier pages gave, or
 *     -EFAULT).
 *   Since 5.5 the kernel installs the new buffer before the copy and leaves
 *   it empty after a fault; an empty buffer holds a slot until a reader
 *   passes it and reads nothing from it.  The model does not install it:
 *   the bytes a reader gets are the same, only fl_pipe_nrbufs() would
 *   differ after a faulting write.
 *
 * Buffers that reference a user page (vmsplice, callers/splice.c) are read
 * the same way, from the page as it is at read time; such a read is judged
 * by the leak checker (gup.h): a page another process wrote after fork
 * makes fl_sys_leaked() true (CVE-2020-29374 on <= 5.7.2).
 *
 * Blocking and closed ends (fs/pipe.c; the rules are as old as pipes):
 *   pipe_read   an empty pipe: no writer -> 0 (EOF); bytes read -> them;
 *               O_NONBLOCK -> -EAGAIN; else the task waits, before it
 *               took anything (FL_SYS_WAITS: run again from the start).
 *   pipe_write  no reader, at the start or after a wait -> SIGPIPE, and
 *               -EPIPE unless bytes were queued (then those); a full
 *               pipe: O_NONBLOCK -> what fit or -EAGAIN; else the task
 *               waits with the mutex dropped, and goes on after a reader
 *               made room: with what it queued kept, so a named call
 *               parks (fl_sys_park), an unnamed one stops there.
 * A pipe is O_NONBLOCK unless made otherwise (`pipe P nonblock=off`),
 * both ends open until `close P.r` / `close P.w` closes them everywhere.
 * tests/host/pipe-*.fl check each rule against the running kernel.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <faultline/gup.h>

#include "callers/internal.h"

#define PIPES offsetof(struct fl_callers_state, pipes)

struct fl_pipe *fl_pipe_find(struct fl_world *w, const char *name)
{
	return fl_named_find(w, PIPES, name);
}

void fl_pipe_set_nonblock(struct fl_pipe *pipe, bool nonblock)
{
	pipe->nonblock = nonblock;
}

bool fl_pipe_end_open(const struct fl_pipe *pipe, bool write_end)
{
	return write_end ? !pipe->no_writers : !pipe->no_readers;
}

void fl_pipe_set_passed(struct fl_pipe *pipe, bool write_end)
{
	pipe->passed[write_end] = true;
}

bool fl_pipe_passed(const struct fl_pipe *pipe, bool write_end)
{
	return pipe->passed[write_end];
}

int fl_pipe_close(struct fl_world *w, struct fl_pipe *pipe, bool write_end)
{
	if (!fl_pipe_end_open(pipe, write_end))
		return fl_error(w, -EBADF, "close: %s.%c is closed", pipe->n.name,
				write_end ? 'w' : 'r');
	if (write_end)
		pipe->no_writers = true;
	else
		pipe->no_readers = true;
	fl_trace(w, "close: %s has no %s now", pipe->n.name, write_end ? "writer" : "reader");
	return 0;
}

void fl_sys_set_park(struct fl_world *w, fl_sys_park_fn fn, void *arg)
{
	struct fl_callers_state *cs = fl_callers_state(w);

	if (!cs)
		return;
	cs->park = fn;
	cs->park_arg = arg;
}

int fl_sys_park(struct fl_world *w, fl_sys_woken_fn woken, const void *obj, unsigned arg)
{
	struct fl_callers_state *cs = *fl_layer_slot(w, FL_LAYER_CALLERS);

	if (!cs || !cs->park)
		return FL_SYS_WAITS;
	return cs->park(cs->park_arg, woken, obj, arg);
}

long fl_sys_send_sigpipe(struct fl_world *w, const char *what)
{
	struct fl_callers_state *cs = fl_callers_state(w);

	if (cs)
		cs->sigpipe = true;
	fl_trace(w, "%s: SIGPIPE", what);
	return -EPIPE;
}

long fl_pipe_send_sigpipe(struct fl_world *w, const struct fl_pipe *pipe)
{
	char what[64];

	snprintf(what, sizeof(what), "pipe: %s has no reader", pipe->n.name);
	return fl_sys_send_sigpipe(w, what);
}

bool fl_sys_sigpipe_take(struct fl_world *w)
{
	struct fl_callers_state *cs = *fl_layer_slot(w, FL_LAYER_CALLERS);
	bool sent = cs && cs->sigpipe;

	if (cs)
		cs->sigpipe = false;
	return sent;
}

int fl_pipe_create(struct fl_world *w, const char *name, struct fl_pipe **out)
{
	void *made;
	int err = fl_named_add(w, PIPES, "pipe", name, sizeof(struct fl_pipe), &made);
	struct fl_pipe *pipe = made;

	if (err)
		return err;
	pipe->nonblock = true;
	if (out)
		*out = pipe;
	return 0;
}

const uint8_t *fl_pipe_buf_page(struct fl_world *w, const struct fl_pipe_buffer *buf)
{
	return fl_frame(w, buf->folio ? buf->folio->frame : buf->frame);
}

static struct fl_pipe_buffer *pipe_buf(struct fl_pipe *pipe, unsigned slot)
{
	return &pipe->bufs[slot % FL_PIPE_BUFFERS];
}

static bool pipe_empty(const struct fl_pipe *pipe)
{
	return pipe->head == pipe->tail;
}

static bool pipe_full(const struct fl_pipe *pipe)
{
	return pipe->head - pipe->tail >= FL_PIPE_BUFFERS;
}

bool fl_pipe_is_empty(const struct fl_pipe *pipe)
{
	return pipe_empty(pipe);
}

bool fl_pipe_is_full(const struct fl_pipe *pipe)
{
	return pipe_full(pipe);
}

bool fl_pipe_writable(const struct fl_pipe *pipe)
{
	return !pipe_full(pipe) || pipe->no_readers;
}

/* fl_sys_woken_fn of a writer waiting in pipe_write */
static bool pipe_woken(const void *pipe, unsigned arg)
{
	(void)arg;
	return fl_pipe_writable(pipe);
}

long fl_pipe_input_prep(struct fl_world *w, struct fl_pipe *pipe, unsigned flags)
{
	if (!pipe_empty(pipe) || pipe->no_writers)
		return 0;
	if (flags & FL_SPLICE_F_NONBLOCK)
		return -EAGAIN;
	fl_trace(w, "splice: %s is empty: the task waits for a writer", pipe->n.name);
	return FL_SYS_WAITS;
}

long fl_pipe_output_prep(struct fl_world *w, struct fl_pipe *pipe, unsigned flags)
{
	if (!pipe_full(pipe))
		return 0;
	if (pipe->no_readers)
		return fl_pipe_send_sigpipe(w, pipe);
	if (flags & FL_SPLICE_F_NONBLOCK)
		return -EAGAIN;
	fl_trace(w, "splice: %s is full: the task waits for a reader", pipe->n.name);
	return FL_SYS_WAITS;
}

/*
 * pipe_buf_release: drop the page (our copy, or, for a vmspliced page,
 * user_page_pipe_buf_ops' put_page of the GUP reference).
 */
static void pipe_buf_release(struct fl_world *w, struct fl_pipe_buffer *buf)
{
	if (buf->folio)
		fl_put_user_page(w, buf->folio);
	else if (buf->frame)
		fl_frame_free(w, buf->frame);
	memset(buf, 0, sizeof(*buf));
}

size_t fl_pipe_bytes(const struct fl_pipe *pipe)
{
	size_t n = 0;
	unsigned slot;

	for (slot = pipe->tail; slot != pipe->head; slot++)
		n += pipe->bufs[slot % FL_PIPE_BUFFERS].len;
	return n;
}

unsigned fl_pipe_nrbufs(const struct fl_pipe *pipe)
{
	return pipe->head - pipe->tail;
}

size_t fl_pipe_peek(struct fl_world *w, const struct fl_pipe *pipe, void *dst,
		    size_t len)
{
	size_t done = 0;
	unsigned slot;

	for (slot = pipe->tail; slot != pipe->head && done < len; slot++) {
		const struct fl_pipe_buffer *buf = &pipe->bufs[slot % FL_PIPE_BUFFERS];
		size_t n = buf->len < len - done ? buf->len : len - done;

		memcpy((uint8_t *)dst + done, fl_pipe_buf_page(w, buf) + buf->offset, n);
		done += n;
	}
	return done;
}

bool fl_sys_leaked(struct fl_world *w)
{
	struct fl_callers_state *cs = *fl_layer_slot(w, FL_LAYER_CALLERS);

	return cs && cs->leaked;
}

/*
 * The leak checker on a read of BUF: a vmspliced page may hold bytes
 * another process wrote after fork (CVE-2020-29374: the parent's, reused
 * in place under the child's reference).  A copy made by pipe_write holds
 * what the writer could read itself, and pipes carry data between
 * processes by design: only the referenced page is judged.
 */
static void pipe_read_check_leak(struct fl_world *w, const struct fl_pipe *pipe,
				 const struct fl_pipe_buffer *buf)
{
	struct fl_callers_state *cs = *fl_layer_slot(w, FL_LAYER_CALLERS);
	struct fl_process *reader = fl_current(w);

	if (!buf->folio || !fl_folio_leaks_to(w, buf->folio, reader))
		return;
	cs->leaked = true;
	fl_trace(w, "leak: pid %d reads %s buffer %u, a user page written by pid %d "
		 "after they parted (clock %u)", reader->pid, pipe->n.name, pipe->tail,
		 buf->folio->writer, buf->folio->wgen);
}

int fl_pipe_import_iovec(struct fl_world *w, struct fl_pipe *pipe,
			 enum fl_iter_dir dir, const struct fl_iovec *iov,
			 unsigned long nr_segs, struct fl_iov_iter *i)
{
	if (!pipe)
		return -EBADF;
	return fl_import_iovec(w, dir, iov, nr_segs, i);
}

/*
 * pipe->mutex.  pipe_read and pipe_write hold it across their user copy,
 * which may sleep in handle_userfault (a call named by as= sleeps there:
 * backend/model_sleep.c); another caller meanwhile waits for the mutex,
 * FL_SYS_WAITS.  The model runs one task at a time, so the flag is only
 * ever seen set by a call that came while another one sleeps.
 */
bool fl_pipe_mutex_busy(struct fl_world *w, const struct fl_pipe *pipe)
{
	if (!pipe || !pipe->locked)
		return false;
	fl_trace(w, "pipe: %s: pipe->mutex is held by a call that sleeps: wait for it",
		 pipe->n.name);
	return true;
}

static bool pipe_lock(struct fl_world *w, struct fl_pipe *pipe)
{
	if (fl_pipe_mutex_busy(w, pipe))
		return false;
	if (pipe)
		pipe->locked = true;
	return true;
}

static long pipe_unlock(struct fl_pipe *pipe, long ret)
{
	if (pipe)
		pipe->locked = false;
	return ret;
}

static long pipe_read(struct fl_world *w, struct fl_pipe *pipe,
		      const struct fl_iovec *iov, unsigned long nr_segs, bool nonblock);
static long pipe_write(struct fl_world *w, struct fl_pipe *pipe,
		       const struct fl_iovec *iov, unsigned long nr_segs);

long fl_pipe_read(struct fl_world *w, struct fl_pipe *pipe,
		  const struct fl_iovec *iov, unsigned long nr_segs)
{
	return fl_pipe_read_flags(w, pipe, iov, nr_segs, pipe && pipe->nonblock);
}

/* pipe_read as vmsplice_to_user waits: SPLICE_F_NONBLOCK, not O_NONBLOCK. */
long fl_pipe_read_flags(struct fl_world *w, struct fl_pipe *pipe,
			const struct fl_iovec *iov, unsigned long nr_segs, bool nonblock)
{
	if (pipe && pipe->no_readers)
		return -EBADF;  /* no descriptor of the read end is left */
	if (!pipe_lock(w, pipe))
		return FL_SYS_WAITS;
	return pipe_unlock(pipe, pipe_read(w, pipe, iov, nr_segs, nonblock));
}

long fl_pipe_write(struct fl_world *w, struct fl_pipe *pipe,
		   const struct fl_iovec *iov, unsigned long nr_segs)
{
	if (pipe && pipe->no_writers)
		return -EBADF;
	if (!pipe_lock(w, pipe))
		return FL_SYS_WAITS;
	return pipe_unlock(pipe, pipe_write(w, pipe, iov, nr_segs));
}

static long pipe_read(struct fl_world *w, struct fl_pipe *pipe,
		      const struct fl_iovec *iov, unsigned long nr_segs, bool nonblock)
{
	struct fl_callers_state *cs = *fl_layer_slot(w, FL_LAYER_CALLERS);
	uint8_t kpage[FL_PAGE_SIZE];
	struct fl_iov_iter i;
	size_t total_len;
	long ret = 0;
	int err;

	err = fl_pipe_import_iovec(w, pipe, FL_ITER_DEST, iov, nr_segs, &i);
	if (pipe)    /* a pipe exists: fl_pipe_create made the state */
		cs->leaked = false;
	if (err || !i.count)
		return err;
	total_len = i.count;
	while (!pipe_empty(pipe)) {
		struct fl_pipe_buffer *buf = pipe_buf(pipe, pipe->tail);
		size_t chars = buf->len < total_len ? buf->len : total_len;
		size_t written;

		/* copy_page_to_iter from a copy: the copy may fault in pages. */
		memcpy(kpage, fl_pipe_buf_page(w, buf) + buf->offset, chars);
		written = fl_copy_page_to_iter(w, kpage, chars, &i);
		if (written)
			pipe_read_check_leak(w, pipe, buf);
		if (written < chars) {
			fl_trace(w, "pipe_read: %s buffer %u: copy_page_to_iter wrote %zu of %zu: "
				 "the buffer stays; %s", pipe->n.name, pipe->tail, written, chars,
				 ret ? "return the bytes read so far" : "-EFAULT");
			if (!ret)
				ret = -EFAULT;
			break;
		}
		ret += (long)chars;
		buf->offset += (uint32_t)chars;
		buf->len -= (uint32_t)chars;
		if (!buf->len) {
			pipe_buf_release(w, buf);
			pipe->tail++;
		}
		total_len -= chars;
		if (!total_len)
			break;
	}
	if (ret)
		return ret;
	/* Empty: EOF without writers, else -EAGAIN or the wait for a writer. */
	fl_trace(w, "pipe_read: %s is empty: %s", pipe->n.name,
		 pipe->no_writers ? "no writer, 0" : nonblock ? "-EAGAIN" : "the task waits");
	if (pipe->no_writers)
		return 0;
	return nonblock ? -EAGAIN : FL_SYS_WAITS;
}

/* Merge the sub-page remainder into the last buffer.  Bytes merged, or -EFAULT. */
static long pipe_write_merge(struct fl_world *w, struct fl_pipe *pipe,
			     struct fl_iov_iter *i, size_t chars)
{
	struct fl_pipe_buffer *buf = pipe_buf(pipe, pipe->head - 1);
	size_t offset = buf->offset + buf->len, copied;
	uint8_t kpage[FL_PAGE_SIZE];

	if (!(buf->flags & FL_PIPE_BUF_CAN_MERGE) || offset + chars > FL_PAGE_SIZE)
		return 0;
	copied = fl_copy_from_iter(w, kpage, chars, i);
	memcpy(fl_frame_mut(w, buf->frame) + offset, kpage, copied);
	if (copied < chars) {
		fl_trace(w, "pipe_write: %s: merge into the last buffer copied %zu of %zu: -EFAULT",
			 pipe->n.name, copied, chars);
		return -EFAULT;
	}
	buf->len += (uint32_t)chars;
	return (long)chars;
}

/*
 * pipe_write on a full pipe, RET bytes queued so far: 0 to go on (a park
 * that was woken: room or no reader now), else what the call returns -
 * what fit or -EAGAIN (O_NONBLOCK), what fit after a fatal signal, or
 * FL_SYS_WAITS (nothing queued: run again from the start; or no park
 * hook: the unnamed call stops here, its bytes queued).  The kernel drops
 * pipe->mutex while it waits (pipe_wait_writable), so a reader may take it.
 */
static long pipe_write_wait(struct fl_world *w, struct fl_pipe *pipe, long ret)
{
	struct fl_callers_state *cs = *fl_layer_slot(w, FL_LAYER_CALLERS);
	int err;

	fl_trace(w, "pipe_write: %s is full: %s", pipe->n.name,
		 pipe->nonblock ? (ret ? "return what fit" : "-EAGAIN") : "the task waits");
	if (pipe->nonblock)
		return ret ? ret : -EAGAIN;
	if (!ret || !cs->park)
		return FL_SYS_WAITS;
	pipe->locked = false;
	err = fl_sys_park(w, pipe_woken, pipe, 0);
	pipe->locked = true;
	return err ? ret : 0;
}

static long pipe_write(struct fl_world *w, struct fl_pipe *pipe,
		       const struct fl_iovec *iov, unsigned long nr_segs)
{
	uint8_t kpage[FL_PAGE_SIZE];
	struct fl_iov_iter i;
	size_t chars;
	long ret = 0;
	int err;

	err = fl_pipe_import_iovec(w, pipe, FL_ITER_SOURCE, iov, nr_segs, &i);
	if (err || !i.count)
		return err;
	if (pipe->no_readers)
		return fl_pipe_send_sigpipe(w, pipe);
	chars = i.count & (FL_PAGE_SIZE - 1);
	if (chars && !pipe_empty(pipe)) {
		ret = pipe_write_merge(w, pipe, &i, chars);
		if (ret < 0 || !i.count)
			return ret;
	}
	for (;;) {
		struct fl_pipe_buffer *buf;
		size_t copied;
		uint32_t frame;

		if (pipe->no_readers) {
			fl_pipe_send_sigpipe(w, pipe);
			return ret ? ret : -EPIPE;
		}
		if (pipe_full(pipe)) {
			long wait = pipe_write_wait(w, pipe, ret);

			if (wait)
				return wait;
			continue;
		}

		copied = fl_copy_from_iter(w, kpage, FL_PAGE_SIZE, &i);
		if (copied < FL_PAGE_SIZE && i.count) {
			fl_trace(w, "pipe_write: %s: copy_page_from_iter copied %zu, then faulted: "
				 "%s", pipe->n.name, copied,
				 ret ? "return the pages written so far" : "-EFAULT");
			return ret ? ret : -EFAULT;
		}
		frame = fl_frame_alloc(w);
		if (!frame)
			return ret ? ret : fl_error(w, -ENOMEM, "pipe_write: no frame");
		memcpy(fl_frame_mut(w, frame), kpage, copied);
		buf = pipe_buf(pipe, pipe->head);
		memset(buf, 0, sizeof(*buf));
		buf->frame = frame;
		buf->len = (uint32_t)copied;
		buf->flags = FL_PIPE_BUF_CAN_MERGE;
		pipe->head++;
		ret += (long)copied;
		if (!i.count)
			return ret;
	}
}

/*
 * splice(2) between a pipe and a file (fs/splice.c do_splice).  Nothing
 * of it touches user memory: the offsets are values here (-1: NULL, the
 * file's position, which then advances).  splice folds the pipe end's
 * O_NONBLOCK into SPLICE_F_NONBLOCK, so an empty source pipe or a full
 * destination pipe is -EAGAIN there, a wait on a blocking pipe
 * (splice_file_prep).
 *   pipe -> file  an offset on the pipe is -ESPIPE; the buffers from the
 *                 tail, up to LEN bytes, written into the page cache at
 *                 the offset (iter_file_splice_write), and consumed.
 *   file -> pipe  an offset on the pipe is -ESPIPE; from the offset up to
 *                 EOF, one buffer per page part while slots are free
 *                 (filemap_splice_read; copies here, page references in
 *                 the kernel: the same bytes to a reader); at EOF 0.
 * A negative offset other than -1 is -EINVAL (rw_verify_area).
 */
static long splice_to_file(struct fl_world *w, struct fl_pipe *pipe, struct fl_file *f,
			   uint64_t pos, size_t len)
{
	size_t total = 0;

	while (total < len && !pipe_empty(pipe)) {
		struct fl_pipe_buffer *buf = pipe_buf(pipe, pipe->tail);
		size_t n = buf->len < len - total ? buf->len : len - total, done = 0;

		while (done < n) {
			uint64_t at = pos + total + done;
			size_t in = FL_PAGE_SIZE - (size_t)(at % FL_PAGE_SIZE);
			struct fl_folio *folio = fl_filemap_get_folio(w, f, at / FL_PAGE_SIZE, true);

			if (!folio)
				return total ? (long)total : -ENOMEM;
			if (in > n - done)
				in = n - done;
			memcpy(fl_frame_mut(w, folio->frame) + at % FL_PAGE_SIZE,
			       fl_pipe_buf_page(w, buf) + buf->offset + done, in);
			folio->flags |= FL_FOLIO_DIRTY;
			done += in;
		}
		buf->offset += (uint32_t)n;
		buf->len -= (uint32_t)n;
		if (!buf->len) {
			pipe_buf_release(w, buf);
			pipe->tail++;
		}
		total += n;
		if (pos + total > f->size)
			f->size = pos + total;
	}
	return (long)total;
}

static long splice_from_file(struct fl_world *w, struct fl_file *f, uint64_t pos,
			     struct fl_pipe *pipe, size_t len)
{
	size_t total = 0;

	while (total < len && pos + total < f->size && !pipe_full(pipe)) {
		uint64_t at = pos + total;
		size_t n = FL_PAGE_SIZE - (size_t)(at % FL_PAGE_SIZE);
		struct fl_pipe_buffer *buf = pipe_buf(pipe, pipe->head);
		uint32_t frame = fl_frame_alloc(w);

		if (!frame)
			return total ? (long)total : -ENOMEM;
		if (n > len - total)
			n = len - total;
		if (n > f->size - at)
			n = (size_t)(f->size - at);
		fl_file_pread_page(w, f, fl_frame_mut(w, frame) + at % FL_PAGE_SIZE, n, at);
		*buf = (struct fl_pipe_buffer){ .frame = frame, .offset = (uint32_t)(at % FL_PAGE_SIZE),
						.len = (uint32_t)n };
		pipe->head++;
		total += n;
	}
	return (long)total;
}

/*
 * A partly moved buffer: OBUF takes LEN bytes of IBUF's page.  The kernel
 * takes a second reference on the page (pipe_buf_get); a vmspliced user
 * page gets one here too, a page of pipe_write's is copied (its bytes no
 * longer change: a later write merges past the bytes OBUF shows).  The new
 * buffer may not be merged into (nor stolen).  0 or -ENOMEM.
 */
static int pipe_buf_split(struct fl_world *w, struct fl_pipe_buffer *ibuf,
			  struct fl_pipe_buffer *obuf, size_t len)
{
	uint32_t frame = 0;

	if (!ibuf->folio) {
		frame = fl_frame_alloc(w);
		if (!frame)
			return -ENOMEM;
		memcpy(fl_frame_mut(w, frame), fl_frame(w, ibuf->frame), FL_PAGE_SIZE);
	} else {
		fl_folio_get(ibuf->folio);
	}
	*obuf = *ibuf;
	obuf->frame = frame;
	obuf->len = (uint32_t)len;
	obuf->flags &= ~FL_PIPE_BUF_CAN_MERGE;
	ibuf->offset += (uint32_t)len;
	ibuf->len -= (uint32_t)len;
	return 0;
}

/*
 * splice(2) from a pipe to a pipe (fs/splice.c splice_pipe_to_pipe): no
 * byte is copied, buffers move.  From the input's tail while LEN lasts,
 * the input holds buffers and the output has free slots: a buffer that
 * fits whole in LEN moves as it is (its merge flag with it); else the
 * output gets the first LEN bytes of it as a buffer of its own and the
 * input keeps the rest.  The waits for input and room come first
 * (splice_pipes), so the loop ends when either runs out.  Bytes moved.
 */
static long splice_pipe_to_pipe(struct fl_world *w, struct fl_pipe *ipipe,
				struct fl_pipe *opipe, size_t len)
{
	long ret = 0;

	while (len && !pipe_empty(ipipe) && !pipe_full(opipe)) {
		struct fl_pipe_buffer *ibuf = pipe_buf(ipipe, ipipe->tail);
		struct fl_pipe_buffer *obuf = pipe_buf(opipe, opipe->head);
		size_t n = ibuf->len;

		if (len >= n) {
			*obuf = *ibuf;
			memset(ibuf, 0, sizeof(*ibuf));
			ipipe->tail++;
		} else {
			if (pipe_buf_split(w, ibuf, obuf, len))
				return ret ? ret : -ENOMEM;
			n = len;
		}
		opipe->head++;
		ret += (long)n;
		len -= n;
	}
	fl_trace(w, "splice %s -> %s: %ld bytes moved", ipipe->n.name, opipe->n.name, ret);
	return ret;
}

/*
 * splice_pipe_to_pipe's order: wait for input (no writer: go on), wait
 * for room (no reader: -EPIPE), then, per buffer, no reader is SIGPIPE
 * and -EPIPE, an empty input without writers ends with 0.  Measured on
 * 6.18: an empty input whose writer lives waits even when the output has
 * no reader (tests/host/pipe-splice-block.fl).
 */
static long splice_pipes(struct fl_world *w, struct fl_pipe *ipipe,
			 struct fl_pipe *opipe, size_t len, unsigned flags)
{
	long ret;

	flags = fl_pipe_splice_flags(w, ipipe, opipe, flags);  /* either end's */
	ret = fl_pipe_input_prep(w, ipipe, flags);
	if (!ret)
		ret = fl_pipe_output_prep(w, opipe, flags);
	if (ret)
		return ret;
	if (opipe->no_readers)
		return fl_pipe_send_sigpipe(w, opipe);
	return splice_pipe_to_pipe(w, ipipe, opipe, len);
}

/*
 * do_splice and do_tee take a pipe's O_NONBLOCK as SPLICE_F_NONBLOCK since
 * ee5e001196d1 (5.1); before it only the flags argument counted.
 */
unsigned fl_pipe_splice_flags(const struct fl_world *w, const struct fl_pipe *a,
			      const struct fl_pipe *b, unsigned flags)
{
	if (((a && a->nonblock) || (b && b->nonblock)) &&
	    fl_since(w, FL_ERA_SPLICE_PIPE_NONBLOCK))
		flags |= FL_SPLICE_F_NONBLOCK;
	return flags;
}

/* Both ends of a splice or tee are descriptors still open?  (fdget) */
bool fl_pipe_fds_open(const struct fl_fd *in, const struct fl_fd *out)
{
	return (!in->pipe || fl_pipe_end_open(in->pipe, in->write_end)) &&
	       (!out->pipe || fl_pipe_end_open(out->pipe, out->write_end));
}

/*
 * The pipe side of a splice with a file: the pipe's O_NONBLOCK is
 * SPLICE_F_NONBLOCK.  From a pipe: wait for a buffer (no writer: 0).
 * To a pipe (wait_for_space): no reader first, -EPIPE with SIGPIPE,
 * whether or not there is room; then wait for room.
 */
static long splice_file_prep(struct fl_world *w, const struct fl_fd *in,
			     const struct fl_fd *out, unsigned flags)
{
	struct fl_pipe *pipe = in->pipe ? in->pipe : out->pipe;

	flags = fl_pipe_splice_flags(w, pipe, NULL, flags);
	if (in->pipe)
		return fl_pipe_input_prep(w, pipe, flags);
	if (pipe->no_readers)
		return fl_pipe_send_sigpipe(w, pipe);
	return fl_pipe_output_prep(w, pipe, flags);
}

long fl_splice(struct fl_world *w, const struct fl_fd *in, int64_t off_in,
	       const struct fl_fd *out, int64_t off_out, size_t len, unsigned flags)
{
	struct fl_file *f = in->pipe ? out->file : in->file;
	struct fl_open_file *of;
	int64_t off = in->pipe ? off_out : off_in;
	uint64_t pos;
	long ret;

	if (!len)
		return 0;               /* the system call's first test */
	if (flags & ~FL_SPLICE_F_ALL)
		return -EINVAL;
	if (!fl_pipe_fds_open(in, out))
		return -EBADF;
	/* __do_splice: a pipe given an offset, before do_splice's modes */
	if ((in->pipe && off_in != -1) || (out->pipe && off_out != -1))
		return -ESPIPE;
	/* do_splice: FMODE_READ on IN, FMODE_WRITE on OUT */
	if (!fl_fd_may(in, false) || !fl_fd_may(out, true))
		return -EBADF;
	if (in->pipe && out->pipe) {
		if (in->pipe == out->pipe)
			return -EINVAL; /* "splicing to self" */
		if (fl_pipe_mutex_busy(w, in->pipe) || fl_pipe_mutex_busy(w, out->pipe))
			return FL_SYS_WAITS;
		return splice_pipes(w, in->pipe, out->pipe, len, flags);
	}
	if (!in->pipe && !out->pipe)
		return -EINVAL;         /* two files */
	of = fl_open_file_get(w, f, in->pipe ? out->desc : in->desc);
	if (!of)
		return -ENOMEM;
	pos = off == -1 ? of->pos : (uint64_t)off;
	if (off < -1 || (int64_t)pos < 0)
		return -EINVAL;
	/* do_splice_from without splice_write: before the pipe is locked */
	if (in->pipe && !fl_file_has_write_iter(f))
		return -EINVAL;
	if (fl_pipe_mutex_busy(w, in->pipe) || fl_pipe_mutex_busy(w, out->pipe))
		return FL_SYS_WAITS;
	ret = splice_file_prep(w, in, out, flags);
	if (ret)
		return ret;
	/* do_splice_read without splice_read: after the wait for room */
	if (out->pipe && !fl_file_has_splice_read(w, f))
		return -EINVAL;
	ret = in->pipe ? splice_to_file(w, in->pipe, f, pos, len)
		       : splice_from_file(w, f, pos, out->pipe, len);
	if (ret > 0 && off == -1)
		of->pos = pos + (uint64_t)ret;
	return ret;
}
