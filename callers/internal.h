/*
 * callers/internal.h - what the kernel paths of callers/ share: their model
 * state in the arena, the open-file table, the pipe ring and the socket
 * pairs (callers/socket.c).
 *
 * Definitions
 *   callers state  one struct fl_callers_state hanging from
 *                  the world's slot FL_LAYER_CALLERS, made on first use.
 *                  Everything reachable from it is arena memory or frames,
 *                  so a snapshot covers open files and pipe contents.
 *   pipe buffer    [offset, offset + len) of one page: either a private
 *                  copy (the kernel's anon_pipe_buf_ops: pipe_write copied
 *                  the bytes into a frame of its own), or a user folio that
 *                  vmsplice took with get_user_pages_fast
 *                  (user_page_pipe_buf_ops, callers/splice.c): folio set,
 *                  frame 0, and the buffer owns that GUP reference.
 *                  fl_pipe_buf_page() reads the folio's frame, so a later
 *                  write to that page is seen by the reader (host case 13);
 *                  releasing the buffer gives the reference back with
 *                  fl_put_user_page (the zero page carries none).
 *
 * Invariants
 *   1. A pipe buffer has exactly one of frame != 0 or folio != NULL.
 *   2. tail <= head, head - tail <= FL_PIPE_BUFFERS; buffers are
 *      bufs[i % FL_PIPE_BUFFERS] for tail <= i < head.
 *   3. An open file belongs to one (pid, file) pair.
 *   4. A buffer with a folio holds one FOLL_GET reference on it (none on
 *      the zero page) until pipe_buf_release; it never has CAN_MERGE.
 */
#ifndef FL_CALLERS_INTERNAL_H
#define FL_CALLERS_INTERNAL_H

#include <faultline/callers.h>
#include <faultline/uaccess.h>
#include <faultline/fault_in.h>
#include <faultline/iov_iter.h>

#include <faultline/mm_layers.h>

#define FL_PIPE_BUF_CAN_MERGE 0x1u    /* PIPE_BUF_FLAG_CAN_MERGE */

struct fl_pipe_buffer {
	uint32_t frame;               /* private copy, or 0 */
	struct fl_folio *folio;       /* vmspliced user page (a GUP reference), or NULL */
	uint32_t offset, len;
	uint32_t flags;
};

/*
 * A named object of the callers state (a pipe, a socket pair): it leads
 * its struct, and the state's lists link these.
 */
struct fl_named {
	char name[32];
	struct fl_named *next;
};

struct fl_pipe {
	struct fl_named n;      /* first: the state's pipes list links it */
	unsigned head, tail;
	struct fl_pipe_buffer bufs[FL_PIPE_BUFFERS];
	bool locked;            /* pipe->mutex: a call that sleeps holds it */
	bool nonblock;          /* both ends O_NONBLOCK (pipe2's flag) */
	bool no_readers;        /* the read end is closed everywhere */
	bool no_writers;        /* the write end is closed everywhere */
	bool passed[2];         /* read, write end passed with SCM_RIGHTS */
};

struct fl_open_file {
	int pid;
	struct fl_file *file;
	unsigned desc;          /* struct fl_fd's: 0, or a descriptor `open` made */
	uint64_t pos;
	struct fl_open_file *next;
};

struct fl_callers_state {
	struct fl_open_file *files;
	struct fl_named *pipes;       /* struct fl_pipe */
	struct fl_named *socks;       /* struct fl_sock: callers/socket.c */
	struct fl_named *dirs;        /* struct fl_dir: callers/readdir.c */
	enum fl_loop_verdict verdict; /* of the last call's retry loop */
	fl_loop_env_fn loop_env;      /* see fl_sys_set_loop_env() */
	void *loop_env_arg;
	bool leaked;                  /* the last pipe read: fl_sys_leaked() */
	bool sigpipe;                 /* a call sent SIGPIPE: fl_sys_sigpipe_take() */
	fl_sys_park_fn park;          /* see fl_sys_set_park() */
	void *park_arg;
	int tcp_frag_pid;             /* the task whose page frag TCP sends use */
	uint32_t tcp_frag_off;        /* its offset (callers/socket.c, "TCP") */
};

/* send_sig(SIGPIPE, current, 0): a pipe without readers was written. */
long fl_pipe_send_sigpipe(struct fl_world *w, const struct fl_pipe *pipe);
/* The same for a socket end (WHAT names it in the trace): -EPIPE. */
long fl_sys_send_sigpipe(struct fl_world *w, const char *what);
/*
 * The task waits inside its call until WOKEN(OBJ, ARG) (fl_sys_set_park):
 * 0 to go on, -EINTR killed, or FL_SYS_WAITS when no park hook is set
 * (the call stops there, what it moved kept).
 */
int fl_sys_park(struct fl_world *w, fl_sys_woken_fn woken, const void *obj, unsigned arg);

/*
 * ipipe_prep / opipe_prep (fs/splice.c): wait until the input has a
 * buffer (or no writer), or the output a free slot (no reader: -EPIPE
 * and SIGPIPE).  0 to go on, -EAGAIN with SPLICE_F_NONBLOCK, or
 * FL_SYS_WAITS: the task waits before it took anything.
 */
long fl_pipe_input_prep(struct fl_world *w, struct fl_pipe *pipe, unsigned flags);
long fl_pipe_output_prep(struct fl_world *w, struct fl_pipe *pipe, unsigned flags);
bool fl_pipe_is_empty(const struct fl_pipe *pipe);
/* Are the pipe ends IN and OUT name still open (fdget finds them)? */
bool fl_pipe_fds_open(const struct fl_fd *in, const struct fl_fd *out);
/* flags | SPLICE_F_NONBLOCK when pipe a or b (either may be NULL) is
 * O_NONBLOCK and the era folds that in (splice_pipe_nonblock). */
unsigned fl_pipe_splice_flags(const struct fl_world *w, const struct fl_pipe *a,
			      const struct fl_pipe *b, unsigned flags);
/* pipe_read with SPLICE_F_NONBLOCK's say instead of O_NONBLOCK's. */
long fl_pipe_read_flags(struct fl_world *w, struct fl_pipe *pipe,
			const struct fl_iovec *iov, unsigned long nr_segs, bool nonblock);
bool fl_pipe_is_full(const struct fl_pipe *pipe);

/*
 * Is PIPE's mutex held by a call that sleeps in handle_userfault (callers/
 * pipe.c)?  A caller that needs it waits: FL_SYS_WAITS.  PIPE may be NULL.
 */
bool fl_pipe_mutex_busy(struct fl_world *w, const struct fl_pipe *pipe);

/* The callers state, made on first use; NULL with -ENOMEM (fl_error). */
struct fl_callers_state *fl_callers_state(struct fl_world *w);

/*
 * The object NAME on the callers state's list at offset LIST (offsetof a
 * struct fl_named * member of struct fl_callers_state), or NULL.
 */
void *fl_named_find(struct fl_world *w, size_t list, const char *name);
/*
 * A new zeroed object of SIZE bytes (a struct fl_named leads it) named
 * NAME, put on the list at LIST: -EINVAL for a bad name, -EEXIST for a
 * taken one (both fl_error, WHAT naming the statement), -ENOMEM.
 */
int fl_named_add(struct fl_world *w, size_t list, const char *what, const char *name,
		 size_t size, void **out);

/*
 * The file operations FILE's file system has.  hugetlbfs has read_iter
 * only: no write_iter, so write(2) and its kin are -EINVAL (vfs_write's
 * FMODE_CAN_WRITE test, before the buffer is looked at), and no
 * splice_write or (5.10) splice_read, so splice into or out of it is
 * -EINVAL too.
 */
bool fl_file_has_write_iter(const struct fl_file *file);
bool fl_file_has_splice_read(struct fl_world *w, const struct fl_file *file);

/* The current process's open FILE, opened now if it was not; NULL: -ENOMEM. */
struct fl_open_file *fl_open_file_get(struct fl_world *w, struct fl_file *file, unsigned desc);
/* read/write/readv/writev on FD's file: at its open file's position, advanced. */
long fl_file_rw_at_pos(struct fl_world *w, const struct fl_fd *fd, bool write,
		       const struct fl_iovec *iov, unsigned long nr_segs);

/*
 * import_iovec (lib/iov_iter.c): access_ok on every segment (-EFAULT),
 * at most FL_UIO_MAXIOV segments and no overflowing total (-EINVAL); then
 * the iterator over them.  0 or -errno.
 */
int fl_import_iovec(struct fl_world *w, enum fl_iter_dir dir,
		    const struct fl_iovec *iov, unsigned long nr_segs,
		    struct fl_iov_iter *i);

/*
 * What pipe_read, pipe_write and vmsplice do first: no pipe is -EBADF,
 * then fl_import_iovec into I.  0 or -errno; the caller returns 0 for an
 * empty iovec (nothing to move, the pipe is not looked at).
 */
int fl_pipe_import_iovec(struct fl_world *w, struct fl_pipe *pipe,
			 enum fl_iter_dir dir, const struct fl_iovec *iov,
			 unsigned long nr_segs, struct fl_iov_iter *i);

/* preadv/pwritev on FILE at OFF (the position stays): import_iovec, then the file. */
long fl_sys_rw_at(struct fl_world *w, struct fl_file *file, bool write,
		  const struct fl_iovec *iov, unsigned long nr_segs, uint64_t off);

/* filemap_read: copy from FILE at *POS into I; *POS advances by the result. */
long fl_filemap_read(struct fl_world *w, struct fl_file *file, uint64_t *pos,
		     struct fl_iov_iter *i);
/* generic_perform_write of the world's era: from I into FILE at POS. */
long fl_generic_perform_write(struct fl_world *w, struct fl_file *file,
			      uint64_t pos, struct fl_iov_iter *i);

/* The bytes of a pipe buffer's page (private copy or referenced folio). */
const uint8_t *fl_pipe_buf_page(struct fl_world *w, const struct fl_pipe_buffer *buf);

#endif
