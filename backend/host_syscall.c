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

/* The fd slot of an FD or PIPE_FD argument: a file, or a pipe's end. */
static void fd_slot(const struct host *h, const struct fl_val *v, struct host_req *rq,
		    bool write_default)
{
	bool is_pipe = h->b->sc->names[v->u].kind == FL_SC_NEW_PIPE;

	rq->slot = (uint32_t)v->u;
	rq->which = is_pipe && (v->end == FL_SC_END_WRITE ||
				(v->end == FL_SC_END_NONE && write_default));
}


/* readv, writev: FD ADDR:LEN... */
int fl_host_rwv(struct host *h, const struct fl_sc_stmt *st,
		const struct fl_val *args, struct fl_obs *obs)
{
	struct host_req rq = { .op = st->code == FL_SC_READV ? HOST_OP_READV : HOST_OP_WRITEV,
			       .niov = st->nargs - 1 };
	struct host_iov *iov;
	struct host_rep rep;
	unsigned i;
	int err;

	fd_slot(h, &args[0], &rq, false);
	if (rq.niov > HOST_MAX_IOV)
		return fl_backend_setup_failed(obs, NULL, fl_sc_func_name((enum fl_sc_func)st->code), -EINVAL);
	iov = calloc(rq.niov + 1, sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	for (i = 0; i < rq.niov; i++)
		iov[i] = (struct host_iov){ args[i + 1].iov_addr, args[i + 1].iov_len };
	err = fl_host_do(h, &rq, iov, NULL, &rep, obs);
	free(iov);
	if (!err)
		fl_host_set_result(obs, &rep);
	return err;
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
	struct host_req rq = { .op = op[st->code],
			       .a = { args[1].u, args[2].u, st->nargs > 3 ? args[3].u : 0 } };
	struct host_rep rep;
	int err;

	fd_slot(h, &args[0], &rq, st->code == FL_SC_VMSPLICE);
	err = fl_host_task_mark(h, st, args, &rq);
	if (!err)
		err = fl_host_do(h, &rq, NULL, NULL, &rep, obs);
	if (!err)
		fl_host_set_result(obs, &rep);
	return err;
}

int fl_host_process_vm(struct host *h, const struct fl_sc_stmt *st,
		       const struct fl_val *args, struct fl_obs *obs)
{
	struct host_req rq = { .a = { 0, args[1].u, args[2].u, args[3].u } };
	struct host_rep rep;
	int err;

	if (!h->link.procs[args[0].u].alive)
		return fl_backend_setup_failed(obs, NULL, "process_vm", -ESRCH);
	rq.op = st->code == FL_SC_PROCESS_VM_READV ? HOST_OP_PVM_READV : HOST_OP_PVM_WRITEV;
	rq.a[0] = (uint64_t)h->link.procs[args[0].u].pid;
	err = fl_host_do(h, &rq, NULL, NULL, &rep, obs);
	if (!err)
		fl_host_set_result(obs, &rep);
	return err;
}

