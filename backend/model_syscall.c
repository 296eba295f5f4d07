/*
 * backend/model_syscall.c - system calls on files, pipes and other
 * processes on the model: read, write, pread, pwrite, readv, writev,
 * vmsplice, process_vm_readv/writev, and the `pipe NAME` statement.
 *
 * Results are reported syscall style, as the host backend reports the real
 * calls: ret = the return value, or -1 with obs->err = the positive errno,
 * so `expect errno EFAULT` and `faultline diff` compare like with like.
 * A write whose retry loop the model stopped as a livelock has no return
 * value: outcome livelock.  A pipe read that shows another process's
 * post-fork bytes through a vmspliced page has outcome leak (the leak
 * checker, gup.h).
 *
 * vmsplice on a read end is vmsplice_to_user (callers/splice.c).
 */
#include <stdio.h>
#include <stdlib.h>

#include <faultline/callers.h>
#include <faultline/livelock.h>

#include "backend/model_internal.h"
#include "backend/vec.h"

/* pipe NAME [nonblock=off]: pipe2(O_NONBLOCK), or pipe(2) whose calls wait. */
int fl_model_pipe_create(struct model *m, const struct fl_sc_stmt *st,
			 const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *nb = fl_backend_key(st, args, "nonblock");
	struct fl_pipe *pipe;
	int err = fl_pipe_create(m->w, fl_backend_name(m->b, (unsigned)args[0].u), &pipe);

	if (err)
		return fl_backend_setup_failed(obs, m->w, "pipe", err);
	fl_pipe_set_nonblock(pipe, !nb || nb->u);
	return 0;
}

/* close PIPE.r|PIPE.w: that end's every descriptor; closed twice: an input error. */
int fl_model_pipe_close(struct model *m, const struct fl_val *args, struct fl_obs *obs)
{
	const char *name = fl_backend_name(m->b, (unsigned)args[0].u);
	struct fl_pipe *pipe = fl_pipe_find(m->w, name);
	int err = pipe ? fl_pipe_close(m->w, pipe, args[0].end == FL_SC_END_WRITE) : -EBADF;

	if (err)
		return fl_backend_setup_failed(obs, m->w, "close", err);
	fl_model_summary(m, obs, "close %s.%c", name, args[0].end == FL_SC_END_WRITE ? 'w' : 'r');
	return 0;
}

/* The syscall convention: -1 and errno on failure. */
void fl_model_set_sys_ret(struct model *m, struct fl_obs *obs, long ret)
{
	enum fl_loop_verdict v = fl_sys_loop_verdict(m->w);

	if (ret == FL_SYS_WAITS) {      /* it waits (pipe->mutex): it has not returned */
		obs->outcome = FL_OUTCOME_BLOCKED;
		return;
	}
	if (fl_sys_sigpipe_take(m->w))  /* caught: the return value stands */
		obs->outcome = FL_OUTCOME_SIGPIPE;
	if (ret == FL_LOOP_STOPPED && v == FL_LOOP_LIVELOCK) {
		obs->outcome = FL_OUTCOME_LIVELOCK;
		return;
	}
	if (ret == FL_LOOP_STOPPED && v == FL_LOOP_NO_PROGRESS) {
		obs->outcome = FL_OUTCOME_NO_PROGRESS;
		return;
	}
	fl_backend_sys_ret(obs, ret);
}

int fl_model_sys_result(struct model *m, struct fl_obs *obs, long ret)
{
	int err;

	if (ret == -EOPNOTSUPP) {
		err = fl_backend_unsupported(obs);
		snprintf(obs->why, sizeof(obs->why), "%s", fl_world_error(m->w));
		return err;
	}
	fl_world_clear_error(m->w);
	fl_model_set_sys_ret(m, obs, ret);
	return 0;
}

int fl_model_fd_lookup(struct model *m, const struct fl_val *fd, struct fd_target *t,
		     struct fl_obs *obs)
{
	t->name = fl_backend_name(m->b, (unsigned)fd->u);
	t->end = fd->end;
	t->file = NULL;
	t->pipe = NULL;
	t->fd = (struct fl_fd){ 0 };
	if (fd->end == FL_SC_END_NONE)
		t->file = fl_model_file(m, (unsigned)fd->u, &t->fd);
	if (!t->file)   /* PIPE.r, PIPE.w, or a bare PIPE where a pipe may be named */
		t->pipe = fl_pipe_find(m->w, t->name);
	/* a `dir` (model_readdir.c): the model has getdents64 on it, nothing else */
	if (!t->file && !t->pipe && fd->end == FL_SC_END_NONE && fl_dir_find(m->w, t->name)) {
		snprintf(obs->why, sizeof(obs->why),
			 "%s is a directory: the model has only getdents64 on one", t->name);
		return -EOPNOTSUPP;
	}
	if (!t->file && !t->pipe)
		return fl_backend_setup_failed(obs, m->w, t->name, -EBADF);
	if (t->pipe)
		t->fd = (struct fl_fd){ .pipe = t->pipe, .write_end = t->end == FL_SC_END_WRITE };
	return 0;
}

void fl_model_fd_summary(struct model *m, struct fl_obs *obs, const char *what,
			 long ret, size_t len, const struct fd_target *t)
{
	char res[64];

	if (obs->outcome == FL_OUTCOME_LIVELOCK)
		snprintf(res, sizeof(res), "livelock");
	else if (ret < 0)
		snprintf(res, sizeof(res), "-1 %s", fl_sc_errno_name((int)-ret) ?
			 fl_sc_errno_name((int)-ret) : "?");
	else
		snprintf(res, sizeof(res), "%ld of %zu bytes", ret, len);
	if (t->file)
		fl_model_summary(m, obs, "%s %s; %s pos %llu size %llu",
			 what, res, t->name,
			 (unsigned long long)fl_fd_pos(m->w, &t->fd),
			 (unsigned long long)t->file->size);
	else
		fl_model_summary(m, obs,
			 "%s %s; pipe %s holds %zu bytes in %u buffers", what, res,
			 t->name, fl_pipe_bytes(t->pipe), fl_pipe_nrbufs(t->pipe));
}

size_t fl_model_iov_total(const struct fl_iovec *iov, unsigned long n)
{
	size_t total = 0;

	while (n--)
		total += iov[n].len;
	return total;
}

/* The scenario's call as the VFS's (callers/read_write.c decides pipe vs file). */
static enum fl_rw rw_op(unsigned code)
{
	switch (code) {
	case FL_SC_READ:   return FL_RW_READ;
	case FL_SC_WRITE:  return FL_RW_WRITE;
	case FL_SC_PREAD:  return FL_RW_PREAD;
	case FL_SC_PWRITE: return FL_RW_PWRITE;
	case FL_SC_READV:  return FL_RW_READV;
	default:           return FL_RW_WRITEV;
	}
}

int fl_model_rw(struct model *m, const struct fl_sc_stmt *st,
		   const struct fl_val *args, struct fl_obs *obs)
{
	bool vector = st->code == FL_SC_READV || st->code == FL_SC_WRITEV;
	struct fl_backend_iovs v;
	struct fd_target t;
	struct fl_fd fd;
	uint64_t off = 0;
	long ret;
	int err;

	if (fl_model_dir_call(m, st, args, obs, &err))
		return err;
	err = fl_model_fd_lookup(m, &args[0], &t, obs);
	if (err)
		return err;
	err = vector ? fl_backend_iovs_pos(st, args, 1, &v) : fl_backend_iovs_one(NULL, args, args[1].u, args[2].u, &v);
	if (err)
		return fl_backend_setup_failed(obs, m->w, "iovec", err);
	if (st->code == FL_SC_PREAD || st->code == FL_SC_PWRITE)
		off = args[3].u;
	fd = t.fd;
	/* Armed hooks steer generic_perform_write's retries: the monitor must see them. */
	if (t.file)
		fl_sys_set_loop_env(m->w, fl_model_armed_hooks_env, m);
	ret = fl_model_iovs_user(m, &v);
	if (!ret)
		ret = fl_sys_rw(m->w, &fd, rw_op(st->code), v.iov, v.nr, off);
	fl_model_set_sys_ret(m, obs, ret);
	if (t.pipe && t.end != FL_SC_END_WRITE && fl_sys_leaked(m->w))
		obs->outcome = FL_OUTCOME_LEAK;
	fl_model_fd_summary(m, obs, fl_sc_func_name(st->code), ret,
			    fl_model_iov_total(v.iov, v.written), &t);
	fl_backend_iovs_free(&v);
	return 0;
}

/*
 * vmsplice PIPE ADDR LEN [flags=]: on the write end (PIPE or PIPE.w), page
 * references into the pipe; on the read end, a copy out of the pipe into
 * user memory (callers/splice.c); on a file, -EBADF.
 */
int fl_model_vmsplice(struct model *m, const struct fl_sc_stmt *st,
			 const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *flags = fl_backend_key(st, args, "flags");
	struct fl_backend_iovs v;
	struct fd_target t;
	long ret;
	int err;

	err = fl_model_fd_lookup(m, &args[0], &t, obs);
	if (!err && (err = fl_backend_iovs_one(st, args, args[1].u, args[2].u, &v)))
		err = fl_backend_setup_failed(obs, m->w, "iovec", err);
	if (err)
		return err;
	/* A file: vmsplice finds no pipe behind the descriptor (get_pipe_info): -EBADF. */
	if (!t.pipe)
		ret = -EBADF;
	else if (t.end == FL_SC_END_READ)
		ret = fl_vmsplice_to_user(m->w, t.pipe, v.iov, v.nr, flags ? (unsigned)flags->u : 0);
	else
		ret = fl_vmsplice(m->w, t.pipe, v.iov, v.nr, flags ? (unsigned)flags->u : 0);
	fl_backend_iovs_free(&v);
	if (ret == FL_SYS_WAITS) {
		fl_model_set_sys_ret(m, obs, ret);
		fl_model_summary(m, obs, "blocked: %s is %s, nobody %s it", t.name,
				 t.end == FL_SC_END_READ ? "empty" : "full",
				 t.end == FL_SC_END_READ ? "writes" : "reads");
		return 0;
	}
	fl_model_set_sys_ret(m, obs, ret);
	if (t.end == FL_SC_END_READ && fl_sys_leaked(m->w))
		obs->outcome = FL_OUTCOME_LEAK;
	fl_model_fd_summary(m, obs, fl_sc_func_name(st->code), ret, args[2].u, &t);
	return 0;
}

int fl_model_process_vm(struct model *m, const struct fl_sc_stmt *st,
			   const struct fl_val *args, struct fl_obs *obs)
{
	const char *name = fl_backend_name(m->b, (unsigned)args[0].u);
	const struct fl_val *flags = fl_backend_key(st, args, "flags");
	struct fl_backend_iovs l, r;
	struct fl_pvm_call c;
	long ret;
	int err;

	err = fl_backend_iovs_pvm(st, args, 0, &l);
	if (!err)
		err = fl_backend_iovs_pvm(st, args, 1, &r);
	if (err) {
		fl_backend_iovs_free(&l);
		return fl_backend_setup_failed(obs, m->w, "iovec", err);
	}
	c = (struct fl_pvm_call){ l.iov, r.iov, l.nr, r.nr, l.at_user, r.at_user,
				  l.user, r.user, flags ? flags->u : 0,
				  st->code == FL_SC_PROCESS_VM_WRITEV };
	ret = fl_process_vm_call(m->w, fl_process_find(m->w, name), &c);
	fl_model_set_sys_ret(m, obs, ret);
	if (ret < 0)
		fl_model_summary(m, obs, "%s with %s: -1 %s",
			 fl_sc_func_name(st->code), name,
			 fl_sc_errno_name((int)-ret) ? fl_sc_errno_name((int)-ret) : "?");
	else
		fl_model_summary(m, obs, "%s with %s: %ld of %zu bytes",
			 fl_sc_func_name(st->code), name, ret,
			 fl_model_iov_total(l.iov, l.written));
	fl_backend_iovs_free(&l);
	fl_backend_iovs_free(&r);
	return 0;
}
