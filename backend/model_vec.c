/*
 * backend/model_vec.c - the vector and file-position calls on the model:
 * preadv, pwritev, preadv2, pwritev2, lseek, fstat (callers/vector.c),
 * and what readv & co share: an iovec array read from user memory.
 *
 * Results are syscall style, as model_syscall.c's.  What the model does
 * not answer is "unsupported", naming it: RWF flags other than hipri,
 * dsync, sync, and nowait on anything but a tmpfs file
 * (fl_sys_rwf_modelled); lseek's SEEK_DATA and SEEK_HOLE (the model's
 * files keep no holes).
 */
#include <stdio.h>
#include <stdlib.h>

#include <faultline/callers.h>

#include "backend/model_internal.h"
#include "backend/vec.h"

long fl_model_iovs_user(struct model *m, struct fl_backend_iovs *v)
{
	if (!v->at_user || v->nr > FL_UIO_MAXIOV)
		return 0;       /* a count past UIO_MAXIOV: the callee's -EINVAL */
	return fl_iovec_from_user(m->w, v->user, v->nr, v->iov);
}

static int unsupported(struct model *m, struct fl_obs *obs, const char *what)
{
	int err = fl_backend_unsupported(obs);

	snprintf(obs->why, sizeof(obs->why), "%s is not modelled", what);
	(void)m;
	return err;
}

/* preadv FD OFF IOVEC..., pwritev, preadv2 FD OFF IOVEC... [flags=], pwritev2. */
int fl_model_prwv(struct model *m, const struct fl_sc_stmt *st,
		  const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *fl = fl_backend_key(st, args, "flags");
	bool v2 = st->code == FL_SC_PREADV2 || st->code == FL_SC_PWRITEV2;
	bool write = st->code == FL_SC_PWRITEV || st->code == FL_SC_PWRITEV2;
	unsigned flags = fl ? (unsigned)fl->u : 0;
	struct fl_backend_iovs v;
	struct fd_target t;
	struct fl_fd fd;
	long ret;
	int err;

	err = fl_model_fd_lookup(m, &args[0], &t, obs);
	if (err)
		return err;
	fd = t.fd;
	if (fl && ((uint64_t)flags != fl->u || !fl_sys_rwf_modelled(&fd, flags)))
		return unsupported(m, obs, "this RWF flag here");
	err = fl_backend_iovs_pos(st, args, 2, &v);
	if (err)
		return fl_backend_setup_failed(obs, m->w, "iovec", err);
	if (t.file)
		fl_sys_set_loop_env(m->w, fl_model_armed_hooks_env, m);
	ret = args[1].s < -1 || (args[1].s == -1 && !v2) ? -EINVAL : fl_model_iovs_user(m, &v);
	if (!ret)
		ret = fl_sys_prwv(m->w, &fd, write, v.iov, v.nr, args[1].s,
				  flags | (v2 ? FL_RWF_V2 : 0));
	fl_model_set_sys_ret(m, obs, ret);
	fl_model_fd_summary(m, obs, fl_sc_func_name(st->code), ret,
			    fl_model_iov_total(v.iov, v.written), &t);
	fl_backend_iovs_free(&v);
	return 0;
}

/* lseek FD OFF WHENCE (SEEK_SET, SEEK_CUR, SEEK_END), and fstat FD: ret is st_size. */
int fl_model_lseek(struct model *m, const struct fl_sc_stmt *st,
		   const struct fl_val *args, struct fl_obs *obs)
{
	bool lseek = st->code == FL_SC_LSEEK;
	struct fd_target t;
	struct fl_fd fd;
	long ret;
	int err;

	if (fl_model_dir_call(m, st, args, obs, &err))
		return err;
	err = fl_model_fd_lookup(m, &args[0], &t, obs);
	if (err)
		return err;
	if (lseek && args[2].u > 2)
		return unsupported(m, obs, "lseek SEEK_DATA/SEEK_HOLE");
	fd = t.fd;
	ret = lseek ? fl_sys_lseek(m->w, &fd, args[1].s, (unsigned)args[2].u)
		    : fl_sys_fstat_size(m->w, &fd);
	fl_model_set_sys_ret(m, obs, ret);
	fl_model_summary(m, obs, "%s %s: %s %ld", fl_sc_func_name(st->code), t.name,
			 lseek ? "position" : "st_size", ret);
	return 0;
}

/* ftruncate FD LEN (mm/filemap.c fl_file_truncate); what it does not know: unsupported */
int fl_model_ftruncate(struct model *m, const struct fl_sc_stmt *st,
		       const struct fl_val *args, struct fl_obs *obs)
{
	struct fd_target t;
	struct fl_fd fd;
	long ret;
	int err = fl_model_fd_lookup(m, &args[0], &t, obs);

	(void)st;
	if (err)
		return err;
	fd = t.fd;
	ret = fl_sys_ftruncate(m->w, &fd, args[1].s);
	err = fl_model_sys_result(m, obs, ret);
	if (err)
		return err;
	fl_model_summary(m, obs, "ftruncate %s to %lld: %ld", t.name, (long long)args[1].s, ret);
	return 0;
}

/*
 * add_seals FD SEALS, get_seals FD: fcntl(F_ADD_SEALS, F_GET_SEALS)
 * (mm/memfd.c).  A pipe end: memfd_add_seals's FMODE_WRITE test first
 * (the read end: -EPERM), then no seals (-EINVAL).
 */
int fl_model_seals(struct model *m, const struct fl_sc_stmt *st,
		   const struct fl_val *args, struct fl_obs *obs)
{
	bool add = st->code == FL_SC_ADD_SEALS;
	struct fd_target t;
	long ret;
	int err = fl_model_fd_lookup(m, &args[0], &t, obs);

	if (err)
		return err;
	if (t.pipe)
		ret = add && !t.fd.write_end ? -EPERM : -EINVAL;
	else if (add)
		ret = fl_memfd_add_seals(m->w, t.file, fl_model_fmode(&t.fd), args[1].u);
	else
		ret = fl_memfd_get_seals(m->w, t.file);
	err = fl_model_sys_result(m, obs, ret);
	if (err)
		return err;
	fl_model_summary(m, obs, "%s %s: %ld", fl_sc_func_name(st->code), t.name, ret);
	return 0;
}

/* The descriptors IN and OUT of a splice or tee, as the callers see them. */
static int fd_pair(struct model *m, const struct fl_val *in, const struct fl_val *out,
		   struct fd_target t[2], struct fl_fd fd[2], struct fl_obs *obs)
{
	int err = fl_model_fd_lookup(m, in, &t[0], obs);
	unsigned i;

	if (!err)
		err = fl_model_fd_lookup(m, out, &t[1], obs);
	for (i = 0; !err && i < 2; i++)
		fd[i] = t[i].fd;
	return err;
}

/* splice FDIN OFFIN FDOUT OFFOUT LEN [flags=]: a pipe end and a file or pipe (callers/pipe.c). */
int fl_model_splice(struct model *m, const struct fl_sc_stmt *st,
		    const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *flags = fl_backend_key(st, args, "flags");
	struct fd_target t[2];
	struct fl_fd fd[2];
	long ret;
	int err = fd_pair(m, &args[0], &args[2], t, fd, obs);

	if (err)
		return err;
	ret = fl_splice(m->w, &fd[0], args[1].s, &fd[1], args[3].s, args[4].u,
			flags ? (unsigned)flags->u : 0);
	fl_model_set_sys_ret(m, obs, ret);
	fl_model_summary(m, obs, "splice %s -> %s: %ld", t[0].name, t[1].name, ret);
	return 0;
}

/* tee FDIN FDOUT LEN [flags=]: two pipe ends (callers/tee.c). */
int fl_model_tee(struct model *m, const struct fl_sc_stmt *st,
		 const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *flags = fl_backend_key(st, args, "flags");
	struct fd_target t[2];
	struct fl_fd fd[2];
	long ret;
	int err = fd_pair(m, &args[0], &args[1], t, fd, obs);

	if (err)
		return err;
	ret = fl_tee(m->w, &fd[0], &fd[1], args[2].u, flags ? (unsigned)flags->u : 0);
	fl_model_set_sys_ret(m, obs, ret);
	fl_model_summary(m, obs, "tee %s -> %s: %ld", t[0].name, t[1].name, ret);
	return 0;
}
