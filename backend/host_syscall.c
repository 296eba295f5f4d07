/*
 * backend/host_syscall.c - the system calls on files, pipes and other
 * processes on the running kernel: read, write, pread, pwrite, readv,
 * writev, vmsplice, process_vm_readv/writev (backend/model_syscall.c is
 * the model's side).  Each is one request to the current process, which
 * makes the real call on its descriptor of the file or pipe end; the
 * result is the call's, ret or -1 with errno.
 */
#include <stdlib.h>

#include "backend/host_internal.h"
#include "backend/vec.h"

/* The fd slot of an FD, PIPE_FD or SOCK_FD argument: a file, a pipe's or socket's end. */
void fl_host_fd_slot(const struct host *h, const struct fl_val *v, struct host_req *rq,
		     bool write_default)
{
	bool is_pipe = h->b->sc->names[v->u].kind == FL_SC_NEW_PIPE;

	rq->slot = (uint32_t)v->u;
	rq->which = v->end == FL_SC_END_1 ||    /* a socket pair's end 1 */
		    (is_pipe && (v->end == FL_SC_END_WRITE ||
				 (v->end == FL_SC_END_NONE && write_default)));
}


/* readv, writev: FD [ADDR:LEN...] [iov=ADDR] [nr=N] (backend/vec.h). */
int fl_host_rwv(struct host *h, const struct fl_sc_stmt *st,
		const struct fl_val *args, struct fl_obs *obs)
{
	struct host_req rq = { .op = st->code == FL_SC_READV ? HOST_OP_READV : HOST_OP_WRITEV };

	fl_host_fd_slot(h, &args[0], &rq, false);
	return fl_host_vec_do(h, st, args, 1, &rq, obs);
}

/* read, write, pread, pwrite, vmsplice: FD ADDR LEN [OFF]. */
int fl_host_rw(struct host *h, const struct fl_sc_stmt *st,
	       const struct fl_val *args, struct fl_obs *obs)
{
	static const enum host_op op[] = {
		[FL_SC_READ] = HOST_OP_READ, [FL_SC_WRITE] = HOST_OP_WRITE,
		[FL_SC_PREAD] = HOST_OP_PREAD, [FL_SC_PWRITE] = HOST_OP_PWRITE,
		[FL_SC_VMSPLICE] = HOST_OP_VMSPLICE,
	};
	const struct fl_val *flags = fl_backend_key(st, args, "flags");
	struct host_req rq = { .op = op[st->code],
			       .a = { args[1].u, args[2].u, st->nargs > 3 ? args[3].u : 0 } };
	struct host_rep rep;
	int err;

	if (st->code == FL_SC_VMSPLICE) {
		const struct fl_val *nr = fl_backend_key(st, args, "nr");

		rq.a[2] = flags ? flags->u : 0;
		rq.a[3] = nr ? nr->u : 1;
	}
	fl_host_fd_slot(h, &args[0], &rq, st->code == FL_SC_VMSPLICE);
	err = fl_host_task_mark(h, st, args, &rq);
	if (!err)
		err = fl_host_do(h, &rq, NULL, NULL, &rep, obs);
	if (!err)
		fl_host_set_result(obs, &rep);
	return err;
}

/*
 * getdents64 and getdents FD ADDR COUNT: a `dir`, or a file or pipe end
 * for ENOTDIR / EBADF.
 */
int fl_host_getdents(struct host *h, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	struct host_req rq = { .op = HOST_OP_GETDENTS,
			       .a = { args[1].u, args[2].u, st->code == FL_SC_GETDENTS } };
	struct host_rep rep;
	int err;

	fl_host_fd_slot(h, &args[0], &rq, false);
	err = fl_host_do(h, &rq, NULL, NULL, &rep, obs);
	if (!err)
		fl_host_set_result(obs, &rep);
	return err;
}

/*
 * process_vm_readv/writev PROC ...: on PROC's pid even when PROC has
 * exited.  Whether a pid names a live process with an mm is the
 * kernel's to answer (ESRCH for a zombie and for a reaped child): the
 * call's result, never a set-up error.  A reaped pid could in principle
 * be reused by then; pids are handed out cyclically up to pid_max, so a
 * scenario would need millions of forks in between.
 */
int fl_host_process_vm(struct host *h, const struct fl_sc_stmt *st,
		       const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *flags = fl_backend_key(st, args, "flags");
	struct host_req rq = { .op = st->code == FL_SC_PROCESS_VM_READV ? HOST_OP_PVM_READV
									 : HOST_OP_PVM_WRITEV };
	struct fl_backend_iovs l = { 0 }, r = { 0 };
	struct host_iov *iov = NULL;
	uint64_t user[4];
	struct host_rep rep;
	unsigned long k;
	int err;

	err = fl_backend_iovs_pvm(st, args, 0, &l);
	if (!err)
		err = fl_backend_iovs_pvm(st, args, 1, &r);
	if (!err && l.written + r.written > HOST_MAX_IOV)
		err = -E2BIG;
	if (!err && !(iov = calloc(l.written + r.written + 1, sizeof(*iov))))
		err = -ENOMEM;
	if (err)
		goto out;
	for (k = 0; k < l.written; k++)
		iov[k] = (struct host_iov){ l.iov[k].base, l.iov[k].len };
	for (k = 0; k < r.written; k++)
		iov[l.written + k] = (struct host_iov){ r.iov[k].base, r.iov[k].len };
	user[0] = l.user;
	user[1] = r.user;
	user[2] = l.nr;
	user[3] = r.nr;
	rq.niov = (uint32_t)(l.written + r.written);
	rq.dlen = sizeof(user);
	rq.a[0] = (uint64_t)h->link.procs[args[0].u].pid;
	rq.a[1] = l.written;
	rq.a[2] = r.written;
	rq.a[3] = flags ? flags->u : 0;
	rq.a[4] = (l.at_user ? 1u : 0) | (r.at_user ? 2u : 0);
	err = fl_host_task_mark(h, st, args, &rq);
	if (!err)
		err = fl_host_do(h, &rq, iov, user, &rep, obs);
	if (!err)
		fl_host_set_result(obs, &rep);
out:
	free(iov);
	fl_backend_iovs_free(&l);
	fl_backend_iovs_free(&r);
	return err == -E2BIG ? fl_backend_setup_failed(obs, NULL, "process_vm iovecs", err) : err;
}
