/*
 * callers/read_write.c - the system-call entry of reads and writes on files
 * (fs/read_write.c: ksys_read, vfs_read, do_iter_read, ...): the open-file
 * table, the argument checks every read and write makes before it touches
 * the file, and the position update.
 *
 * What happens before the file is touched (vfs_read / vfs_write, and
 * import_iovec for the v-forms):
 *   - access_ok(buf, count) over the whole buffer, or of each iovec
 *     segment: -EFAULT before a single byte moves.  access_ok is a range
 *     check only, so a PROT_NONE buffer passes it and fails later, in the
 *     copy (host case 3).
 *   - more than UIO_MAXIOV segments, or lengths that overflow: -EINVAL.
 *   - a negative pread/pwrite offset: -EINVAL (rw_verify_area).
 *   The MAX_RW_COUNT clamp (INT_MAX rounded down to a page) is not modelled:
 *   the scenario runner caps buffers far below it.
 *
 * Position: read/write/readv/writev start at the open file's position and
 * add what they return (>= 0); pread/pwrite use their offset and leave the
 * position alone (ksys_pread64 passes no ppos to update).
 */
#include <stdint.h>
#include <string.h>

#include "callers/internal.h"

struct fl_callers_state *fl_callers_state(struct fl_world *w)
{
	void **slot = fl_layer_slot(w, FL_LAYER_CALLERS);

	if (!*slot)
		*slot = fl_zalloc(w, sizeof(struct fl_callers_state));
	return *slot;
}

static struct fl_named **named_list(struct fl_callers_state *cs, size_t list)
{
	return cs ? (struct fl_named **)(void *)((char *)cs + list) : NULL;
}

void *fl_named_find(struct fl_world *w, size_t list, const char *name)
{
	struct fl_named **head = named_list(*fl_layer_slot(w, FL_LAYER_CALLERS), list);
	struct fl_named *n;

	for (n = head ? *head : NULL; n && name; n = n->next)
		if (!strcmp(n->name, name))
			return n;
	return NULL;
}

int fl_named_add(struct fl_world *w, size_t list, const char *what, const char *name,
		 size_t size, void **out)
{
	struct fl_named **head, *n;

	if (!name || !*name || strlen(name) >= sizeof(n->name))
		return fl_error(w, -EINVAL, "%s: bad name", what);
	if (fl_named_find(w, list, name))
		return fl_error(w, -EEXIST, "%s %s exists", what, name);
	head = named_list(fl_callers_state(w), list);
	n = head ? fl_zalloc(w, size) : NULL;
	if (!n)
		return -ENOMEM;
	strcpy(n->name, name);
	n->next = *head;
	*head = n;
	*out = n;
	return 0;
}

enum fl_loop_verdict fl_sys_loop_verdict(struct fl_world *w)
{
	struct fl_callers_state *cs = *fl_layer_slot(w, FL_LAYER_CALLERS);

	return cs ? cs->verdict : FL_LOOP_RUNNING;
}

void fl_sys_set_loop_env(struct fl_world *w, fl_loop_env_fn fn, void *arg)
{
	struct fl_callers_state *cs = fl_callers_state(w);

	if (cs) {
		cs->loop_env = fn;
		cs->loop_env_arg = arg;
	}
}

static void callers_enter(struct fl_world *w)
{
	struct fl_callers_state *cs = *fl_layer_slot(w, FL_LAYER_CALLERS);

	if (cs)
		cs->verdict = FL_LOOP_RUNNING;
}

struct fl_open_file *fl_open_file_get(struct fl_world *w, struct fl_file *file, unsigned desc)
{
	struct fl_callers_state *cs = fl_callers_state(w);
	struct fl_process *p = fl_current(w);
	struct fl_open_file *of;

	if (!cs || !p)
		return NULL;
	for (of = cs->files; of; of = of->next)
		if (of->pid == p->pid && of->file == file && of->desc == desc)
			return of;
	of = fl_zalloc(w, sizeof(*of));
	if (!of)
		return NULL;
	of->pid = p->pid;
	of->file = file;
	of->desc = desc;
	of->next = cs->files;
	cs->files = of;
	return of;
}

uint64_t fl_fd_pos(struct fl_world *w, const struct fl_fd *fd)
{
	struct fl_callers_state *cs = *fl_layer_slot(w, FL_LAYER_CALLERS);
	struct fl_process *p = fl_current(w);
	struct fl_open_file *of;

	for (of = cs ? cs->files : NULL; of && p; of = of->next)
		if (of->pid == p->pid && of->file == fd->file && of->desc == fd->desc)
			return of->pos;
	return 0;
}

uint64_t fl_file_pos(struct fl_world *w, struct fl_file *file)
{
	const struct fl_fd fd = { .file = file };

	return fl_fd_pos(w, &fd);
}

/*
 * vfs_read/vfs_write, do_iter_read/do_iter_write, do_splice: -EBADF
 * without FMODE_READ (FMODE_WRITE).  A pipe's end has the one its
 * direction gives; a file opened O_RDONLY has no FMODE_WRITE, O_WRONLY
 * no FMODE_READ (do_dentry_open, from OPEN_FMODE of the flags).
 */
bool fl_fd_may(const struct fl_fd *fd, bool write)
{
	if (fd->pipe)
		return fd->write_end == write;
	return write ? !fd->rdonly : !fd->wronly;
}

/*
 * import_iovec: check every segment with access_ok, then build the
 * iterator.  -EINVAL for too many segments or an overflowing total,
 * -EFAULT for a segment beyond TASK_SIZE_MAX.
 */
int fl_import_iovec(struct fl_world *w, enum fl_iter_dir dir,
		    const struct fl_iovec *iov, unsigned long nr_segs,
		    struct fl_iov_iter *i)
{
	size_t total = 0;
	unsigned long seg;

	if (nr_segs > FL_UIO_MAXIOV)
		return -EINVAL;
	for (seg = 0; seg < nr_segs; seg++) {
		if (iov[seg].len > (size_t)INT64_MAX - total)
			return -EINVAL;
		if (!fl_access_ok(w, iov[seg].base, iov[seg].len)) {
			fl_trace(w, "import_iovec: segment %lu at 0x%llx fails access_ok: -EFAULT",
				 seg, (unsigned long long)iov[seg].base);
			return -EFAULT;
		}
		total += iov[seg].len;
	}
	return fl_iov_iter_init(i, dir, iov, nr_segs, total);
}

bool fl_file_has_write_iter(const struct fl_file *file)
{
	return file->fs != FL_FS_HUGETLBFS;
}

/*
 * Before 36e2c7421f02 ("fs: don't allow splice read/write without
 * explicit ops", era splice_needs_ops) a file system without splice_read
 * was read through default_file_splice_read, its read_iter.
 */
bool fl_file_has_splice_read(struct fl_world *w, const struct fl_file *file)
{
	return file->fs != FL_FS_HUGETLBFS || !fl_since(w, FL_ERA_SPLICE_NEEDS_OPS);
}

/* vfs_iter_read on a file at *POS (the open file's or pread's offset). */
static long file_read_iter(struct fl_world *w, struct fl_file *file,
			   const struct fl_iovec *iov, unsigned long nr_segs,
			   uint64_t *pos)
{
	struct fl_iov_iter i;
	int err;

	if (!file)
		return -EBADF;
	callers_enter(w);
	err = fl_import_iovec(w, FL_ITER_DEST, iov, nr_segs, &i);
	if (err)
		return err;
	return fl_filemap_read(w, file, pos, &i);
}

static long file_write_iter(struct fl_world *w, struct fl_file *file,
			    const struct fl_iovec *iov, unsigned long nr_segs,
			    uint64_t *pos)
{
	struct fl_iov_iter i;
	long ret;
	int err;

	if (!file)
		return -EBADF;
	if (!fl_file_has_write_iter(file))
		return -EINVAL;
	callers_enter(w);
	err = fl_import_iovec(w, FL_ITER_SOURCE, iov, nr_segs, &i);
	if (err)
		return err;
	if (!i.count)
		return 0;
	ret = fl_generic_perform_write(w, file, *pos, &i);
	if (ret > 0)
		*pos += (uint64_t)ret;
	return ret;
}

/* read/write/readv/writev: at the open file's position, which they advance. */
long fl_file_rw_at_pos(struct fl_world *w, const struct fl_fd *fd, bool write,
		       const struct fl_iovec *iov, unsigned long nr_segs)
{
	struct fl_open_file *of;
	uint64_t pos;
	long ret;

	if (!fd->file)
		return -EBADF;
	of = fl_open_file_get(w, fd->file, fd->desc);
	if (!of)
		return -ENOMEM;
	pos = of->pos;
	ret = write ? file_write_iter(w, fd->file, iov, nr_segs, &pos)
		    : file_read_iter(w, fd->file, iov, nr_segs, &pos);
	if (ret >= 0)
		of->pos = pos;
	return ret;
}

static long file_rw_at_pos(struct fl_world *w, struct fl_file *file, bool write,
			   const struct fl_iovec *iov, unsigned long nr_segs)
{
	const struct fl_fd fd = { .file = file };

	return fl_file_rw_at_pos(w, &fd, write, iov, nr_segs);
}

long fl_sys_read(struct fl_world *w, struct fl_file *file, fl_addr_t buf, size_t len)
{
	struct fl_iovec iov = { buf, len };

	return file_rw_at_pos(w, file, false, &iov, 1);
}

long fl_sys_readv(struct fl_world *w, struct fl_file *file,
		  const struct fl_iovec *iov, unsigned long nr_segs)
{
	return file_rw_at_pos(w, file, false, iov, nr_segs);
}

long fl_sys_write(struct fl_world *w, struct fl_file *file, fl_addr_t buf, size_t len)
{
	struct fl_iovec iov = { buf, len };

	return file_rw_at_pos(w, file, true, &iov, 1);
}

long fl_sys_writev(struct fl_world *w, struct fl_file *file,
		   const struct fl_iovec *iov, unsigned long nr_segs)
{
	return file_rw_at_pos(w, file, true, iov, nr_segs);
}

long fl_sys_pread(struct fl_world *w, struct fl_file *file, fl_addr_t buf,
		  size_t len, uint64_t off)
{
	struct fl_iovec iov = { buf, len };

	if ((int64_t)off < 0)
		return -EINVAL;
	return file_read_iter(w, file, &iov, 1, &off);
}

long fl_sys_pwrite(struct fl_world *w, struct fl_file *file, fl_addr_t buf,
		   size_t len, uint64_t off)
{
	struct fl_iovec iov = { buf, len };

	if ((int64_t)off < 0)
		return -EINVAL;
	return file_write_iter(w, file, &iov, 1, &off);
}

long fl_sys_rw_at(struct fl_world *w, struct fl_file *file, bool write,
		  const struct fl_iovec *iov, unsigned long nr_segs, uint64_t off)
{
	return write ? file_write_iter(w, file, iov, nr_segs, &off)
		     : file_read_iter(w, file, iov, nr_segs, &off);
}

long fl_sys_rw(struct fl_world *w, const struct fl_fd *fd, enum fl_rw op,
	       const struct fl_iovec *iov, unsigned long nr_segs, uint64_t off)
{
	bool write = op == FL_RW_WRITE || op == FL_RW_PWRITE || op == FL_RW_WRITEV;
	bool at = op == FL_RW_PREAD || op == FL_RW_PWRITE;

	/* ksys_pread64: a negative offset before the descriptor is looked at */
	if (at && (int64_t)off < 0)
		return -EINVAL;
	if (fd->pipe && at)
		return -ESPIPE;
	if (!fl_fd_may(fd, write))
		return -EBADF;
	if (fd->pipe)
		return write ? fl_pipe_write(w, fd->pipe, iov, nr_segs)
			     : fl_pipe_read(w, fd->pipe, iov, nr_segs);
	if (at)
		return write ? fl_sys_pwrite(w, fd->file, iov[0].base, iov[0].len, off)
			     : fl_sys_pread(w, fd->file, iov[0].base, iov[0].len, off);
	return fl_file_rw_at_pos(w, fd, write, iov, nr_segs);
}
