/*
 * backend/model_readdir.c - directories on the model: the `dir`
 * statement, getdents64 and getdents (callers/readdir.c); backend/host_readdir.c
 * is the running kernel's side.
 *
 * A `dir` is declared as a file name, so the calls that take a
 * descriptor accept it.  Besides the getdents calls the model answers read and
 * pread (access_ok of the buffer, then generic_read_dir's -EISDIR), write
 * and pwrite (-EBADF: the directory is open O_RDONLY, vfs_write checks
 * FMODE_WRITE first) and lseek to 0 from the start (the rewind every
 * tmpfs era has); any other call on one is `unsupported`
 * (fl_model_fd_lookup): a directory's position as a number is the file
 * system's own cookie.  getdents64 on a file or a pipe end is the
 * kernel's -ENOTDIR, on a closed pipe end -EBADF (fdget_pos finds
 * nothing).
 */
#include <stdio.h>

#include <faultline/callers.h>
#include <faultline/uaccess.h>

#include "backend/model_internal.h"

/* dir NAME [N] [namelen=L] [subdirs=D] [symlinks=S] [removed=on] */
int fl_model_dir_create(struct model *m, const struct fl_sc_stmt *st,
			const struct fl_val *args, struct fl_obs *obs)
{
	struct fl_dir_shape s;
	int err;

	fl_backend_dir_shape(st, args, &s);
	err = fl_dir_create(m->w, fl_backend_name(m->b, (unsigned)args[0].u), &s);

	return err ? fl_backend_setup_failed(obs, m->w, "dir", err) : 0;
}

/* What getdents64's descriptor names: a dir, -ENOTDIR, -EBADF. */
static long dir_of(struct model *m, const struct fl_val *fd, struct fl_dir **dir,
		   const char **name)
{
	struct fl_pipe *pipe;

	*name = fl_backend_name(m->b, (unsigned)fd->u);
	*dir = fd->end == FL_SC_END_NONE ? fl_dir_find(m->w, *name) : NULL;
	if (*dir || fd->end == FL_SC_END_NONE)
		return 0;
	pipe = fl_pipe_find(m->w, *name);
	return pipe && fl_pipe_end_open(pipe, fd->end == FL_SC_END_WRITE) ? 0 : -EBADF;
}

/* getdents64 and getdents FD ADDR COUNT */
int fl_model_getdents(struct model *m, const struct fl_sc_stmt *st,
		      const struct fl_val *args, struct fl_obs *obs)
{
	const char *call = fl_sc_func_name(st->code);
	bool old = st->code == FL_SC_GETDENTS;
	struct fl_dir *dir = NULL;
	const char *name = fl_backend_name(m->b, (unsigned)args[0].u);
	long ret = 0;

	/* no such system call: nothing of its arguments is looked at */
	if (old && !fl_world_arch(m->w)->has_getdents)
		ret = -ENOSYS;
	if (!ret)
		ret = dir_of(m, &args[0], &dir, &name);
	if (!ret)
		ret = (old ? fl_sys_getdents : fl_sys_getdents64)(m->w, dir, args[1].u, args[2].u);
	if (ret == -EOPNOTSUPP) {
		snprintf(obs->why, sizeof(obs->why), "%s", fl_world_error(m->w));
		fl_world_clear_error(m->w);
		return -EOPNOTSUPP;
	}
	fl_backend_sys_ret(obs, ret);
	if (ret < 0)
		fl_model_summary(m, obs, "%s %s: -1 %s", call, name,
				 fl_sc_errno_name((int)-ret) ? fl_sc_errno_name((int)-ret) : "?");
	else if (dir)
		fl_model_summary(m, obs, "%s %s: %ld bytes; %u of %u records read",
				 call, name, ret, fl_dir_pos(dir), fl_dir_records(dir));
	return 0;
}

/*
 * read, pread, write, pwrite, lseek on FD when it names a `dir`: true
 * with the result in OBS, or with -EOPNOTSUPP in *ERR for what the model
 * does not answer; false when FD is no directory.
 */
bool fl_model_dir_call(struct model *m, const struct fl_sc_stmt *st,
		       const struct fl_val *args, struct fl_obs *obs, int *err)
{
	const char *name = fl_backend_name(m->b, (unsigned)args[0].u);
	struct fl_dir *dir = args[0].end == FL_SC_END_NONE ? fl_dir_find(m->w, name) : NULL;
	long ret;

	*err = 0;
	if (!dir)
		return false;
	switch (st->code) {
	case FL_SC_READ: case FL_SC_PREAD:
		ret = fl_access_ok(m->w, args[1].u, args[2].u) ? -EISDIR : -EFAULT;
		break;
	case FL_SC_WRITE: case FL_SC_PWRITE:
		ret = -EBADF;
		break;
	case FL_SC_LSEEK:
		if (args[1].s == 0 && args[2].u == 0) {
			fl_dir_rewind(dir);
			ret = 0;
			break;
		}
		goto out_unsupported;   /* another position is the file system's cookie */
	default:
		goto out_unsupported;
	}
	fl_backend_sys_ret(obs, ret);
	fl_model_summary(m, obs, "%s %s (a directory): %s", fl_sc_func_name(st->code), name,
			 ret < 0 ? fl_sc_errno_name((int)-ret) : "position 0");
	return true;
out_unsupported:
	snprintf(obs->why, sizeof(obs->why), "%s on directory %s: the model has "
		 "getdents64, read, write and lseek to 0 on one", fl_sc_func_name(st->code), name);
	*err = -EOPNOTSUPP;
	return true;
}
