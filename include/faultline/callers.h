/*
 * faultline/callers.h - kernel paths built on uaccess: the system calls on
 * files, pipes and other processes (read/write and their p- and v-forms,
 * process_vm_readv/writev), acting on the current process of a world.
 *
 * Definitions
 *   open file   one open-file description per (process, file): its
 *               position.  It is opened (position 0) the first time the
 *               process names the file in a call; read/write/readv/writev
 *               advance it by what they return, pread/pwrite do not.
 *   pipe        a named ring of FL_PIPE_BUFFERS buffers of at most a page
 *               each (the kernel's default pipe->max_usage).  A buffer is
 *               a copy (write) or a reference on a user page (vmsplice):
 *               the reader copies from that page when it reads.  A pipe
 *               is made O_NONBLOCK (reading an empty pipe and writing a
 *               full one give -EAGAIN) unless fl_pipe_set_nonblock() says
 *               otherwise; then such a call waits (FL_SYS_WAITS).  Each
 *               end is open until fl_pipe_close() closes it everywhere:
 *               a read of an empty pipe without writers is 0, a write to
 *               a pipe without readers -EPIPE with SIGPIPE.
 *   result      syscall style: bytes (>= 0) or -errno, exactly as the
 *               kernel's sys_* return it before the C library turns it into
 *               -1/errno.
 *   livelock    generic_perform_write's retry loop reports every round
 *               that made no progress to the loop monitor (livelock.h); a
 *               repeated state proves it would spin until the task is
 *               killed.  The model stops there, the call returns
 *               FL_LOOP_STOPPED and fl_sys_loop_verdict() says why.
 *
 * Invariants
 *   1. A call returns > 0 only if exactly that many bytes moved between the
 *      user buffers and the file/pipe/remote process, as a prefix of the
 *      request; the position advances by exactly that much.
 *   2. -EFAULT never hides bytes the file or pipe consumed: when a read
 *      fails, the pipe buffer and the file position are as before (bytes
 *      may already have been written to user memory: host case 6).
 *   3. Model state (open files, pipes and their bytes) lives in the world's
 *      arena and frames: snapshots save and restore it.
 */
#ifndef FAULTLINE_CALLERS_H
#define FAULTLINE_CALLERS_H

#include <faultline/mm.h>
#include <faultline/iov_iter.h>
#include <faultline/livelock.h>

FL_API_BEGIN

#define FL_PIPE_BUFFERS     16u   /* PIPE_DEF_BUFFERS */

struct fl_pipe;

/* ---- files (callers/read_write.c, callers/filemap_read.c, callers/perform_write.c) ---- */

/*
 * read(2)/readv(2) on FILE from the current process's open file: the page
 * cache through filemap_read; pread(2) at OFF leaves the position.
 */
long fl_sys_read(struct fl_world *w, struct fl_file *file, fl_addr_t buf, size_t len);
long fl_sys_pread(struct fl_world *w, struct fl_file *file, fl_addr_t buf,
		  size_t len, uint64_t off);
long fl_sys_readv(struct fl_world *w, struct fl_file *file,
		  const struct fl_iovec *iov, unsigned long nr_segs);
/* write(2)/pwrite(2)/writev(2): generic_perform_write of the world's era. */
long fl_sys_write(struct fl_world *w, struct fl_file *file, fl_addr_t buf, size_t len);
long fl_sys_pwrite(struct fl_world *w, struct fl_file *file, fl_addr_t buf,
		   size_t len, uint64_t off);
long fl_sys_writev(struct fl_world *w, struct fl_file *file,
		   const struct fl_iovec *iov, unsigned long nr_segs);

/*
 * What a descriptor names: a file, or one end of a pipe.  A file's
 * descriptor is O_RDWR unless RDONLY or WRONLY (no FMODE_WRITE, no
 * FMODE_READ: `open`); DESC tells its open file (its position) from
 * the file's first one (0).
 */
struct fl_fd {
	struct fl_file *file;
	struct fl_pipe *pipe;
	bool write_end;         /* a pipe's write end */
	bool rdonly;            /* a file opened O_RDONLY */
	bool wronly;            /* a file opened O_WRONLY */
	unsigned desc;          /* 0: the file's own open file */
};

/* FMODE_READ, FMODE_WRITE of FD: a pipe's end, or the file's access mode. */
bool fl_fd_may(const struct fl_fd *fd, bool write);

enum fl_rw { FL_RW_READ, FL_RW_WRITE, FL_RW_PREAD, FL_RW_PWRITE, FL_RW_READV, FL_RW_WRITEV };

/*
 * read, write, pread, pwrite, readv, writev on FD as the VFS dispatches
 * them: -ESPIPE for pread/pwrite on a pipe (no FMODE_PREAD/PWRITE: pipes
 * are stream_open()ed; ksys_pread64 checks before vfs_read), -EBADF for
 * the end of a pipe the call cannot use (vfs_read/vfs_write check
 * FMODE_READ/FMODE_WRITE), else the file or pipe path.  OFF: pread/pwrite.
 */
long fl_sys_rw(struct fl_world *w, const struct fl_fd *fd, enum fl_rw op,
	       const struct fl_iovec *iov, unsigned long nr_segs, uint64_t off);

/* ---- callers/vector.c ---- */

/*
 * iovec_from_user: NR_SEGS iovecs from user memory at UVEC into OUT (room
 * for NR_SEGS).  -EINVAL beyond FL_UIO_MAXIOV (before reading), -EFAULT
 * if any byte of the array cannot be read, else 0.
 */
int fl_iovec_from_user(struct fl_world *w, fl_addr_t uvec, unsigned long nr_segs,
		       struct fl_iovec *out);

/* preadv2/pwritev2 flags (RWF_*), and FL_RWF_V2: the call is preadv2/pwritev2. */
#define FL_RWF_HIPRI  0x01u
#define FL_RWF_DSYNC  0x02u
#define FL_RWF_SYNC   0x04u
#define FL_RWF_NOWAIT 0x08u
#define FL_RWF_V2     0x80000000u
/*
 * preadv/pwritev (OFF >= 0) and preadv2/pwritev2 (FLAGS has FL_RWF_V2;
 * OFF -1: the open file's position, advanced) on FD.  Bytes or -errno.
 */
long fl_sys_prwv(struct fl_world *w, const struct fl_fd *fd, bool write,
		 const struct fl_iovec *iov, unsigned long nr_segs, int64_t off,
		 unsigned flags);
/* Does the model answer these RWF flags on FD?  (callers/vector.c says which.) */
bool fl_sys_rwf_modelled(const struct fl_fd *fd, unsigned flags);
/* lseek(2) with SEEK_SET (0), SEEK_CUR (1), SEEK_END (2): the new position or -errno. */
long fl_sys_lseek(struct fl_world *w, const struct fl_fd *fd, int64_t off, unsigned whence);
/* fstat(2)'s st_size of FD, or -errno. */
long fl_sys_fstat_size(struct fl_world *w, const struct fl_fd *fd);
/*
 * process_madvise(2) of MM, the caller's own, ADVICE over each of the
 * NR_SEGS iovecs (callers/process_madvise.c): the bytes advised, or
 * -errno (-EOPNOTSUPP: not modelled, the world's error says what).
 */
long fl_sys_process_madvise(struct fl_world *w, struct fl_mm *mm,
			    const struct fl_iovec *iov, unsigned long nr_segs,
			    enum fl_madvise advice, unsigned flags);
/* ftruncate(2) of FD to LEN: 0 or -errno (-EOPNOTSUPP: not modelled). */
long fl_sys_ftruncate(struct fl_world *w, const struct fl_fd *fd, int64_t len);

/* The position of the current process's open FILE (0 if never opened). */
uint64_t fl_file_pos(struct fl_world *w, struct fl_file *file);
/* ... and of FD's open file (DESC). */
uint64_t fl_fd_pos(struct fl_world *w, const struct fl_fd *fd);

/* The verdict of the last call's retry loop: FL_LOOP_RUNNING if it ended. */
enum fl_loop_verdict fl_sys_loop_verdict(struct fl_world *w);
/*
 * State outside the world that steers the retries (an armed `on HOOK#N`):
 * mixed into every state the monitor compares (livelock.h "environment").
 */
void fl_sys_set_loop_env(struct fl_world *w, fl_loop_env_fn fn, void *arg);

/* ---- pipes (callers/pipe.c) ---- */

/* pipe(2): a new pipe called NAME.  0, -EEXIST, -EINVAL, -ENOMEM. */
int fl_pipe_create(struct fl_world *w, const char *name, struct fl_pipe **out);
struct fl_pipe *fl_pipe_find(struct fl_world *w, const char *name);
/* pipe2(O_NONBLOCK) or not: both ends' O_NONBLOCK. */
void fl_pipe_set_nonblock(struct fl_pipe *pipe, bool nonblock);
/*
 * Close one end of PIPE in every process (its last descriptor): the
 * buffers stay for a reader.  0, or -EBADF when that end is closed.
 */
int fl_pipe_close(struct fl_world *w, struct fl_pipe *pipe, bool write_end);
/* Is that end open? */
bool fl_pipe_end_open(const struct fl_pipe *pipe, bool write_end);
/* That end was passed with SCM_RIGHTS (fl_sock_set_passed says why it matters). */
void fl_pipe_set_passed(struct fl_pipe *pipe, bool write_end);
bool fl_pipe_passed(const struct fl_pipe *pipe, bool write_end);
/*
 * A task that waits inside a call whose state must be kept: pipe_write
 * after it queued some bytes (a blocking pipe filled up), a socket's
 * sender waiting for send-buffer room, a MSG_WAITALL read waiting with
 * bytes taken.  FN parks it until WOKEN(OBJ, ARG) holds (the call's own
 * rule: fl_pipe_writable, the socket's), and returns 0 to go on or -EINTR
 * (a fatal signal: the call returns what it moved).  Without FN the call
 * stops there with FL_SYS_WAITS, what it moved kept.  FN NULL ends it.
 * One hook for every such wait: backend/model_sleep.c is its one home.
 */
typedef bool (*fl_sys_woken_fn)(const void *obj, unsigned arg);
typedef int (*fl_sys_park_fn)(void *arg, fl_sys_woken_fn woken, const void *obj,
			      unsigned obj_arg);
void fl_sys_set_park(struct fl_world *w, fl_sys_park_fn fn, void *arg);
/* Would a writer waiting on PIPE go on now: a free slot, or no reader? */
bool fl_pipe_writable(const struct fl_pipe *pipe);
/*
 * Did the last call send its caller SIGPIPE (a pipe without readers)?
 * Clears the flag.  The call itself returned -EPIPE or what it moved.
 */
bool fl_sys_sigpipe_take(struct fl_world *w);
/* read/readv on the read end: pipe_read. */
long fl_pipe_read(struct fl_world *w, struct fl_pipe *pipe,
		  const struct fl_iovec *iov, unsigned long nr_segs);
/* write/writev on the write end: pipe_write. */
long fl_pipe_write(struct fl_world *w, struct fl_pipe *pipe,
		   const struct fl_iovec *iov, unsigned long nr_segs);
/* ---- socket pairs (callers/socket.c, docs/callers.md "Sockets") ---- */

/*
 * AF_UNIX stream and datagram pairs; a TCP connection over loopback;
 * AF_UNIX SOCK_SEQPACKET (datagrams on a connection); two UDP sockets on
 * loopback connected to each other.  The values are the `socketpair`
 * statement's SOCKTYPE words'.
 */
enum fl_sock_type { FL_SOCK_STREAM, FL_SOCK_DGRAM, FL_SOCK_TCP, FL_SOCK_SEQPACKET, FL_SOCK_UDP };
struct fl_sock;

int fl_socketpair_create(struct fl_world *w, const char *name, enum fl_sock_type type);
/* `nonblock=off`: both ends blocking (a recv of an empty end waits: FL_SYS_WAITS). */
void fl_sock_set_blocking(struct fl_sock *sk, bool blocking);
bool fl_sock_blocking(const struct fl_sock *sk);
/*
 * SO_SNDTIMEO / SO_RCVTIMEO set on the pair: a send (recv) of a blocking
 * end that would wait waits for the timeout instead, in which nothing
 * else of the scenario runs (the caller makes sure no other access waits),
 * and returns what it did, or -EAGAIN.
 */
void fl_sock_set_timeo(struct fl_sock *sk, bool send, bool recv);
bool fl_sock_timed(const struct fl_sock *sk, bool send);
bool fl_sock_is_dgram(const struct fl_sock *sk);
bool fl_sock_is_stream(const struct fl_sock *sk);
/* AF_UNIX (stream, dgram, seqpacket), not TCP or UDP? */
bool fl_sock_is_unix(const struct fl_sock *sk);
/* Does a read take one datagram (SOCK_DGRAM, SOCK_SEQPACKET, UDP), not bytes? */
bool fl_sock_is_record(const struct fl_sock *sk);
/*
 * setsockopt(SO_SNDBUF, VAL) on both ends of an AF_UNIX pair: 0, or
 * -EOPNOTSUPP where the skbs' truesize is not known (the send buffer
 * would not be accounted) or VAL passes net.core.wmem_max's default (the
 * machine's sysctl decides).
 */
int fl_sock_set_sndbuf(struct fl_world *w, struct fl_sock *sk, uint64_t val);
/* Is END open (not released by fl_sock_close)? */
bool fl_sock_end_open(const struct fl_sock *sk, unsigned end);
/* shutdown(2) of END, HOW SHUT_RD (0), SHUT_WR (1), SHUT_RDWR (2): 0 or -errno. */
int fl_sock_shutdown(struct fl_world *w, struct fl_sock *sk, unsigned end, unsigned how);
/*
 * close(2) of END's last descriptor (tcp_close, unix_release_sock): 0, or
 * -EBADF when it is closed (fl_error).  Ask fl_sock_close_unmodelled first.
 */
int fl_sock_close(struct fl_world *w, struct fl_sock *sk, unsigned end);
/* NULL if the close of END is modelled, else why not (a TCP end after a shutdown). */
const char *fl_sock_close_unmodelled(const struct fl_sock *sk, unsigned end);
struct fl_sock *fl_sock_find(struct fl_world *w, const char *name);
/*
 * NULL if a send of LEN bytes from END is what the model answers, else
 * the one-line reason it does not (a full send buffer or datagram queue,
 * a stream skb size not known for the world's arch): `unsupported`.
 */
const char *fl_sock_unmodelled(struct fl_world *w, const struct fl_sock *sk,
			       unsigned end, size_t len);
/*
 * NULL if FLAGS on a send (SEND) or recv of LEN bytes from END are what
 * the model answers, else the reason it does not (`unsupported`): a second
 * TCP MSG_OOB send before the first urgent byte is passed, a TCP MSG_PEEK,
 * MSG_TRUNC or MSG_WAITALL read while one is pending and, from 5.15,
 * MSG_OOB on an AF_UNIX stream with bytes to send (the out-of-band byte).
 */
const char *fl_sock_flags_unmodelled(struct fl_world *w, const struct fl_sock *sk, unsigned end,
				     bool send, unsigned flags, size_t len);
/* MSG_* flags (include/linux/socket.h) that `flags=` names. */
#define FL_MSG_OOB      0x1u
#define FL_MSG_PEEK     0x2u
#define FL_MSG_TRUNC    0x20u
#define FL_MSG_DONTWAIT 0x40u
#define FL_MSG_WAITALL  0x100u
#define FL_MSG_ERRQUEUE 0x2000u
#define FL_MSG_NOSIGNAL 0x4000u

/*
 * The words of `flags=` (bit i for word i: peek,trunc,dontwait,waitall,
 * nosignal,oob,errqueue) as MSG_*.
 */
static inline unsigned fl_msg_flags(uint64_t words)
{
	static const unsigned msg[] = { FL_MSG_PEEK, FL_MSG_TRUNC, FL_MSG_DONTWAIT,
					FL_MSG_WAITALL, FL_MSG_NOSIGNAL, FL_MSG_OOB,
					FL_MSG_ERRQUEUE };
	unsigned i, flags = 0;

	for (i = 0; i < sizeof(msg) / sizeof(msg[0]); i++)
		if (words & (1u << i))
			flags |= msg[i];
	return flags;
}

/* What recvmsg writes back to msghdr.msg_flags, besides MSG_OOB and MSG_ERRQUEUE. */
#define FL_MSG_CTRUNC   0x8u
#define FL_MSG_EOR      0x80u

/* The words of `expect msg_flags` (trunc,ctrunc,eor,oob,errqueue) as MSG_*. */
static inline unsigned fl_msg_rflags(uint64_t words)
{
	static const unsigned msg[] = { FL_MSG_TRUNC, FL_MSG_CTRUNC, FL_MSG_EOR, FL_MSG_OOB,
					FL_MSG_ERRQUEUE };
	unsigned i, flags = 0;

	for (i = 0; i < sizeof(msg) / sizeof(msg[0]); i++)
		if (words & (1u << i))
			flags |= msg[i];
	return flags;
}

/*
 * The control side of one sendmsg or recvmsg (docs/callers.md "Passing
 * descriptors", "Credentials").  A send's SCM_RIGHTS message is the backend's, not user
 * memory: NFP descriptors, FP the backend's names of their files (opaque
 * here), FP_CLOSED if one is not open (scm_fp_copy's -EBADF), CONTROLLEN
 * the msg_controllen passed with it (cmsg_len is CMSG_LEN of them).  A
 * recvmsg's CONTROL, CONTROLLEN are msg_control and msg_controllen; on
 * return CONTROLLEN is what ____sys_recvmsg writes back (the bytes of
 * control messages written), NFP and FP the descriptors installed.
 */
#define FL_SCM_MAX_FD 8
/* CMSG_SPACE of N descriptors where a cmsghdr is 16 bytes (64-bit). */
#define FL_SCM_SPACE(n) (16 + ((4 * (n) + 7) & ~7u))
struct fl_sock_ctl {
	fl_addr_t control;
	uint64_t controllen;
	unsigned nfp;
	uint32_t fp[FL_SCM_MAX_FD];
	bool fp_closed;
	bool creds;             /* send: an SCM_CREDENTIALS message of the caller's own */
	uint32_t cred;          /* send: the caller's credentials (the backend's name
				   of them, > FL_SOCK_CRED_ANON); recv: those of the
				   SCM_CREDENTIALS message written whole, or 0 */
};
/* An skb that carried no credentials reads as pid 0 and the overflow ids. */
#define FL_SOCK_CRED_ANON 1u
/* setsockopt(SOL_SOCKET, SO_PASSCRED, ON) on END (the `passcred` word). */
void fl_sock_set_passcred(struct fl_sock *sk, unsigned end, bool on);

/*
 * sendmsg(2)/recvmsg(2) on end END (0, 1) with one msghdr and FLAGS
 * (MSG_*; sendmsg takes MSG_DONTWAIT, MSG_NOSIGNAL and MSG_OOB, the last
 * where it is refused: fl_sock_unmodelled says where not): ret, -errno,
 * or FL_SYS_WAITS (a blocking end: nothing to read, no room to send).
 * recvmsg sets *MSG_FLAGS to what the kernel writes back to
 * msghdr.msg_flags when it returns >= 0 (FL_MSG_TRUNC, ...).  A send's
 * msg_control is CONTROL, CONTROLLEN bytes of user memory (0: none): it
 * is copied whole or -EFAULT, and a buffer that holds a cmsghdr is
 * FL_SOCK_CMSG (the model parses no control message of the user's); an
 * SCM_RIGHTS message of CTL->NFP descriptors is the backend's (above).
 * recvmsg writes the SCM_RIGHTS message of the skb it consumed into
 * CTL->CONTROL (scm_detach_fds); FL_SOCK_CMSG if that write faults.
 */
long fl_sock_sendmsg(struct fl_world *w, struct fl_sock *sk, unsigned end,
		     const struct fl_iovec *iov, unsigned long nr_segs, unsigned flags,
		     const struct fl_sock_ctl *ctl);
/* fl_sock_sendmsg found a control message to parse: `unsupported`. */
#define FL_SOCK_CMSG (-4096)
/*
 * NULL if a send's CONTROLLEN bytes of msg_control are what the model
 * answers, else why not: past net.core.optmem_max's old default (20480)
 * sock_kmalloc's ENOBUFS follows the machine's sysctl.
 */
const char *fl_sock_control_unmodelled(uint64_t controllen);
long fl_sock_recvmsg(struct fl_world *w, struct fl_sock *sk, unsigned end,
		     const struct fl_iovec *iov, unsigned long nr_segs, unsigned flags,
		     unsigned *msg_flags, struct fl_sock_ctl *ctl);
/*
 * An end passed with SCM_RIGHTS has descriptors the scenario does not
 * name (in flight, or the receiver's): its `close` is not its last one.
 */
void fl_sock_set_passed(struct fl_sock *sk, unsigned end);
bool fl_sock_passed(const struct fl_sock *sk, unsigned end);
/* The bytes end END has still to read. */
size_t fl_sock_queued(const struct fl_sock *sk, unsigned end);

/* vmsplice(2) flags (SPLICE_F_*) */
#define FL_SPLICE_F_MOVE     0x01u
#define FL_SPLICE_F_NONBLOCK 0x02u
#define FL_SPLICE_F_MORE     0x04u
#define FL_SPLICE_F_GIFT     0x08u
#define FL_SPLICE_F_ALL      0x0fu
/*
 * A system call that would sleep until another task acts (a vmsplice
 * into a full pipe waits for a reader): the model has no other task, so
 * the call stops here; only a signal would end the real wait, with
 * -ERESTARTSYS.  The scenario's outcome is `blocked`.
 */
#define FL_SYS_WAITS (-512)
/*
 * vmsplice(2) on the write end: a reference on each user page
 * (get_user_pages_fast, read-only) queued as a pipe buffer, no copy.
 * Bytes queued, or -errno when none (-EINVAL: flags beyond SPLICE_F_ALL;
 * -EFAULT: the first page could not be taken; -EAGAIN: the pipe is full
 * and FLAGS has SPLICE_F_NONBLOCK), or FL_SYS_WAITS: the pipe is full and
 * the call waits (an O_NONBLOCK pipe does not change that).
 */
long fl_vmsplice(struct fl_world *w, struct fl_pipe *pipe,
		 const struct fl_iovec *iov, unsigned long nr_segs, unsigned flags);
/*
 * vmsplice(2) on the read end: a copy out of the pipe into user memory
 * (vmsplice_to_user).  Bytes copied, or -errno (-EINVAL: flags; -EFAULT:
 * the first buffer's copy was short, the buffer stays; -EAGAIN: empty and
 * SPLICE_F_NONBLOCK), or FL_SYS_WAITS: empty, the task waits for a writer.
 */
long fl_vmsplice_to_user(struct fl_world *w, struct fl_pipe *pipe,
			 const struct fl_iovec *iov, unsigned long nr_segs, unsigned flags);
/*
 * splice(2) between a pipe and a file, or from a pipe to another pipe
 * (IN or OUT a pipe end): bytes moved or -errno.  OFF_IN/OFF_OUT: -1 for
 * NULL (the file's position, advanced), else the offset.  callers/pipe.c
 * says which errors come when.
 */
long fl_splice(struct fl_world *w, const struct fl_fd *in, int64_t off_in,
	       const struct fl_fd *out, int64_t off_out, size_t len, unsigned flags);
/*
 * tee(2) (fs/splice.c link_pipe): up to LEN bytes of IN's buffers are
 * duplicated into OUT, nothing consumed.  Bytes duplicated, 0 (an empty
 * input without writers), -errno, or FL_SYS_WAITS.  callers/tee.c.
 */
long fl_tee(struct fl_world *w, const struct fl_fd *in, const struct fl_fd *out,
	    size_t len, unsigned flags);
/*
 * Did the last pipe read show the current process bytes it may not see:
 * a vmspliced page another process wrote after they parted (the leak
 * checker, gup.h fl_folio_leaks_to)?
 */
bool fl_sys_leaked(struct fl_world *w);
/* Bytes the pipe holds, and in how many buffers. */
size_t fl_pipe_bytes(const struct fl_pipe *pipe);
unsigned fl_pipe_nrbufs(const struct fl_pipe *pipe);
/* Copy up to LEN of the bytes the pipe holds, oldest first, without
 * consuming them (for tests and observables). Returns the bytes copied. */
size_t fl_pipe_peek(struct fl_world *w, const struct fl_pipe *pipe, void *dst,
		    size_t len);

/* ---- directories (callers/readdir.c, docs/callers.md "Directories") ---- */

#define FL_DIR_MAX_ENTRIES 1024u  /* files a `dir` may hold besides . and .. */
#define FL_DIR_NAMELEN     4u     /* the default name length: every record 24 bytes */
struct fl_dir;

/*
 * What a `dir` holds: NENTS entries whose names are NAMELEN letters
 * (fl_dir_entry_name); the first SUBDIRS are empty directories, the next
 * SYMLINKS symbolic links, the rest empty regular files.  REMOVED:
 * rmdir'ed after the open (NENTS 0), so IS_DEADDIR.
 */
struct fl_dir_shape {
	unsigned nents, namelen, subdirs, symlinks;
	bool removed;
};

#define FL_DT_DIR 4u    /* d_type values (include/linux/fs_types.h's, as DT_*) */
#define FL_DT_REG 8u
#define FL_DT_LNK 10u

/* The d_type of entry I of a directory of shape S: both backends make the same. */
static inline unsigned fl_dir_entry_type(const struct fl_dir_shape *s, unsigned i)
{
	if (i < s->subdirs)
		return FL_DT_DIR;
	return i < s->subdirs + s->symlinks ? FL_DT_LNK : FL_DT_REG;
}

/*
 * A tmpfs directory NAME of shape S, opened once O_RDONLY | O_DIRECTORY:
 * one open-file description, one position, whoever calls.  0, -EINVAL
 * (a count or NAMELEN out of range), -EEXIST, -ENOMEM.
 */
int fl_dir_create(struct fl_world *w, const char *name, const struct fl_dir_shape *s);
struct fl_dir *fl_dir_find(struct fl_world *w, const char *name);
/*
 * The name of entry I of NAMELEN letters: I in base 26 ('a' = 0), most
 * significant letter first, padded with 'a' on the left.  OUT has room
 * for NAMELEN + 1 bytes.  Both backends (and the agent) make the same
 * names: it is inline for that.
 */
static inline void fl_dir_entry_name(unsigned i, unsigned namelen, char *out)
{
	unsigned k;

	for (k = namelen; k-- > 0; i /= 26)
		out[k] = (char)('a' + i % 26);
	out[namelen] = '\0';
}
/*
 * getdents64(2) on DIR (NULL: FD names no directory, -ENOTDIR) into BUF
 * of COUNT bytes: bytes of whole records written, or -errno (-ENOENT: the
 * directory was removed; -EINVAL: the first record does not fit; -EFAULT:
 * the first record could not be written), or -EOPNOTSUPP when the answer
 * depends on an order of entries the file system decides (fl_world_error
 * says why).
 */
long fl_sys_getdents64(struct fl_world *w, struct fl_dir *dir, fl_addr_t buf,
		       uint64_t count);
/*
 * getdents(2), the same with struct linux_dirent records (d_type last),
 * or -ENOSYS on an arch without the call (arm64, riscv64).
 */
long fl_sys_getdents(struct fl_world *w, struct fl_dir *dir, fl_addr_t buf,
		     uint64_t count);
/* lseek(fd, 0, SEEK_SET) on the directory: the next getdents64 starts at ".". */
void fl_dir_rewind(struct fl_dir *dir);
/* Records read so far (. and .. included), and all records. */
unsigned fl_dir_pos(const struct fl_dir *dir);
unsigned fl_dir_records(const struct fl_dir *dir);

/* ---- other processes (callers/process_vm.c) ---- */

/*
 * process_vm_readv/writev(2) between the current process (LOCAL iovecs)
 * and REMOTE (RIOV iovecs, reached through REMOTE's mm as GUP would).
 */
long fl_process_vm_readv(struct fl_world *w, struct fl_process *remote,
			 const struct fl_iovec *local, unsigned long liovcnt,
			 const struct fl_iovec *riov, unsigned long riovcnt);
long fl_process_vm_writev(struct fl_world *w, struct fl_process *remote,
			  const struct fl_iovec *local, unsigned long liovcnt,
			  const struct fl_iovec *riov, unsigned long riovcnt);

/*
 * The system call as a scenario makes it: each side's iovecs given
 * (LOCAL/RIOV) or read from user memory (*_AT_USER: the array at
 * LVEC/RVEC, LIOVCNT/RIOVCNT entries); FLAGS as passed (must be 0).
 */
struct fl_pvm_call {
	const struct fl_iovec *local, *riov;
	unsigned long liovcnt, riovcnt;
	bool local_at_user, remote_at_user;
	fl_addr_t lvec, rvec;
	uint64_t flags;
	bool write;             /* process_vm_writev */
};
long fl_process_vm_call(struct fl_world *w, struct fl_process *remote,
			const struct fl_pvm_call *c);

FL_API_END
#endif
