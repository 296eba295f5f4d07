/*
 * callers/vector.c - the rest of the vector calls and the file-position
 * calls (fs/read_write.c, lib/iov_iter.c): an iovec array read from user
 * memory, preadv/pwritev and preadv2/pwritev2, lseek, fstat's size.
 *
 * Definitions
 *   iovec array  what readv & co pass: NR_SEGS struct iovec in the
 *                caller's memory.  iovec_from_user refuses more than
 *                UIO_MAXIOV with -EINVAL before it reads a byte, then
 *                copies the array with copy_from_user: any byte it cannot
 *                read is -EFAULT.  64-bit arches lay an iovec out as two
 *                8-byte words, i386 and arm as two 4-byte words.
 *   p-offset     preadv/pwritev: a negative offset is -EINVAL (do_preadv)
 *                before the descriptor is looked at; a pipe has no
 *                FMODE_PREAD: -ESPIPE.  preadv2/pwritev2 with offset -1
 *                use and advance the open file's position, as readv does.
 *   RWF flags    kiocb_set_rw_flags, after import_iovec and only when
 *                something is to move (an empty iovec returns 0 first).
 *                RWF_NOWAIT needs FMODE_NOWAIT, which shmem files lack:
 *                -EOPNOTSUPP on tmpfs (checked on 6.18; the model gives it
 *                in every era).  The model takes RWF_HIPRI, RWF_DSYNC and
 *                RWF_SYNC (nothing it shows changes for buffered tmpfs or
 *                pipe I/O); the backend refuses every other flag, and
 *                RWF_NOWAIT on a pipe or an ext4/btrfs file, as
 *                "unsupported" (fl_sys_rwf_modelled).
 *
 * Invariant: a call that fails before the file is touched leaves the
 * position and the file as they were (fs/read_write.c checks first).
 */
#include <stdint.h>
#include <string.h>

#include "callers/internal.h"

#define FL_SEEK_SET 0
#define FL_SEEK_CUR 1
#define FL_SEEK_END 2

int fl_iovec_from_user(struct fl_world *w, fl_addr_t uvec, unsigned long nr_segs,
		       struct fl_iovec *out)
{
	size_t word = fl_world_arch(w)->user_long;
	uint8_t raw[16];
	unsigned long k;

	if (nr_segs > FL_UIO_MAXIOV)
		return -EINVAL;
	for (k = 0; k < nr_segs; k++) {
		uint64_t base = 0, len = 0;

		if (fl_copy_from_user(w, raw, uvec + k * 2 * word, 2 * word)) {
			fl_trace(w, "iovec_from_user: entry %lu at 0x%llx unreadable: -EFAULT",
				 k, (unsigned long long)(uvec + k * 2 * word));
			return -EFAULT;
		}
		/* Little-endian, as every arch the model has. */
		memcpy(&base, raw, word);
		memcpy(&len, raw + word, word);
		if (word == 4 && (len & 0x80000000u))
			len |= 0xffffffff00000000ull;   /* compat_ssize_t: negative stays negative */
		out[k].base = base;
		out[k].len = len;
	}
	return 0;
}

bool fl_sys_rwf_modelled(const struct fl_fd *fd, unsigned flags)
{
	if (flags & ~(FL_RWF_HIPRI | FL_RWF_DSYNC | FL_RWF_SYNC | FL_RWF_NOWAIT))
		return false;
	return !(flags & FL_RWF_NOWAIT) || (fd->file && fd->file->fs == FL_FS_TMPFS);
}

/* do_iter_readv_writev's flag check, once import_iovec has passed. */
static long rwf_check(const struct fl_fd *fd, unsigned flags)
{
	if ((flags & FL_RWF_NOWAIT) && fd->file && fd->file->fs == FL_FS_TMPFS)
		return -EOPNOTSUPP;
	return 0;
}

/* import_iovec's checks alone, to order them before the flag check. */
static long import_only(struct fl_world *w, bool write, const struct fl_iovec *iov,
			unsigned long nr_segs, size_t *count)
{
	struct fl_iov_iter i;
	int err = fl_import_iovec(w, write ? FL_ITER_SOURCE : FL_ITER_DEST, iov,
				  nr_segs, &i);

	*count = err ? 0 : i.count;
	return err;
}

long fl_sys_prwv(struct fl_world *w, const struct fl_fd *fd, bool write,
		 const struct fl_iovec *iov, unsigned long nr_segs, int64_t off,
		 unsigned flags)
{
	size_t count;
	long err;

	if (off < -1 || (off == -1 && !(flags & FL_RWF_V2)))
		return -EINVAL;
	if (off >= 0 && fd->pipe)
		return -ESPIPE;
	if (!fl_fd_may(fd, write))
		return -EBADF;
	/* vfs_writev: FMODE_CAN_WRITE before import_iovec */
	if (write && fd->file && !fl_file_has_write_iter(fd->file))
		return -EINVAL;
	err = import_only(w, write, iov, nr_segs, &count);
	if (err || !count)
		return err;
	err = rwf_check(fd, flags & ~FL_RWF_V2);
	if (err)
		return err;
	if (fd->pipe)
		return write ? fl_pipe_write(w, fd->pipe, iov, nr_segs)
			     : fl_pipe_read(w, fd->pipe, iov, nr_segs);
	if (off == -1)
		return fl_file_rw_at_pos(w, fd, write, iov, nr_segs);
	return fl_sys_rw_at(w, fd->file, write, iov, nr_segs, (uint64_t)off);
}

long fl_sys_lseek(struct fl_world *w, const struct fl_fd *fd, int64_t off, unsigned whence)
{
	struct fl_open_file *of;
	int64_t base;

	/* Pipes are stream_open()ed: no_llseek. */
	if (fd->pipe)
		return -ESPIPE;
	if (!fd->file)
		return -EBADF;
	if (whence > FL_SEEK_END)
		return -EINVAL;
	of = fl_open_file_get(w, fd->file, fd->desc);
	if (!of)
		return -ENOMEM;
	base = whence == FL_SEEK_SET ? 0 : whence == FL_SEEK_CUR ? (int64_t)of->pos
							      : (int64_t)fd->file->size;
	/* generic_file_llseek_size: a negative result is -EINVAL. */
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	of->pos = (uint64_t)(base + off);
	return (long)of->pos;
}

long fl_sys_ftruncate(struct fl_world *w, const struct fl_fd *fd, int64_t len)
{
	/* do_sys_ftruncate: the length first, then the descriptor */
	if (len < 0)
		return -EINVAL;
	/* do_ftruncate: a regular file open for writing, not a pipe */
	if (fd->pipe)
		return -EINVAL;
	if (!fd->file)
		return -EBADF;
	if (fd->rdonly)
		return -EINVAL;
	return fl_file_truncate(w, fd->file, (uint64_t)len);
}

long fl_sys_fstat_size(struct fl_world *w, const struct fl_fd *fd)
{
	(void)w;
	/* A pipe's inode has i_size 0 (pipefs): st_size is 0 however full. */
	if (fd->pipe)
		return 0;
	return fd->file ? (long)fd->file->size : -EBADF;
}
