/*
 * backend/host_vec.c - the rest of the vector calls and the file-position
 * calls on the running kernel: preadv, pwritev, preadv2, pwritev2, lseek,
 * fstat (backend/model_vec.c is the model's side), and the request every
 * vector call of a descriptor makes (readv and writev too).
 *
 * The scenario process makes the call with the count the scenario passes
 * and its iovecs, or with its own memory at `iov=ADDR` as the array
 * (backend/vec.h).  fstat's observable is st_size.
 */
#include <stdlib.h>

#include "backend/host_internal.h"
#include "backend/vec.h"

int fl_host_vec_do(struct host *h, const struct fl_sc_stmt *st, const struct fl_val *args,
		   unsigned first, struct host_req *rq, struct fl_obs *obs)
{
	struct host_rep rep;

	return fl_host_vec_do_rep(h, st, args, first, rq, obs, &rep);
}

int fl_host_vec_do_rep(struct host *h, const struct fl_sc_stmt *st, const struct fl_val *args,
		       unsigned first, struct host_req *rq, struct fl_obs *obs,
		       struct host_rep *rep)
{
	struct fl_backend_iovs v;
	struct host_iov *iov = NULL;
	unsigned long k;
	int err = fl_backend_iovs_pos(st, args, first, &v);

	if (!err && v.written > HOST_MAX_IOV)
		err = fl_backend_setup_failed(obs, NULL, fl_sc_func_name(st->code), -E2BIG);
	if (!err && !(iov = calloc(v.written + 1, sizeof(*iov))))
		err = -ENOMEM;
	if (err)
		goto out;
	for (k = 0; k < v.written; k++)
		iov[k] = (struct host_iov){ v.iov[k].base, v.iov[k].len };
	rq->niov = (uint32_t)v.written;
	rq->a[0] = v.nr;
	rq->a[1] = v.user;
	rq->a[2] = v.at_user;
	err = fl_host_task_mark(h, st, args, rq);
	if (!err)
		err = fl_host_do(h, rq, iov, NULL, rep, obs);
	if (!err)
		fl_host_set_result(obs, rep);
out:
	free(iov);
	fl_backend_iovs_free(&v);
	return err;
}

/* preadv FD OFF IOVEC..., pwritev, preadv2 ... [flags=RWF], pwritev2. */
int fl_host_prwv(struct host *h, const struct fl_sc_stmt *st,
		 const struct fl_val *args, struct fl_obs *obs)
{
	static const enum host_op op[] = {
		[FL_SC_PREADV] = HOST_OP_PREADV, [FL_SC_PWRITEV] = HOST_OP_PWRITEV,
		[FL_SC_PREADV2] = HOST_OP_PREADV2, [FL_SC_PWRITEV2] = HOST_OP_PWRITEV2,
	};
	const struct fl_val *flags = fl_backend_key(st, args, "flags");
	struct host_req rq = { .op = op[st->code] };

	fl_host_fd_slot(h, &args[0], &rq, st->code == FL_SC_PWRITEV || st->code == FL_SC_PWRITEV2);
	rq.a[3] = args[1].u;
	rq.a[4] = flags ? flags->u : 0;
	return fl_host_vec_do(h, st, args, 2, &rq, obs);
}

int fl_host_one_fd_call(struct host *h, const struct fl_val *args, struct host_req *rq,
			struct fl_obs *obs)
{
	struct host_rep rep;
	int err;

	fl_host_fd_slot(h, &args[0], rq, false);
	err = fl_host_do(h, rq, NULL, NULL, &rep, obs);
	if (!err)
		fl_host_set_result(obs, &rep);
	return err;
}

/* lseek FD OFF WHENCE */
int fl_host_lseek(struct host *h, const struct fl_sc_stmt *st,
		  const struct fl_val *args, struct fl_obs *obs)
{
	struct host_req rq = { .op = HOST_OP_LSEEK, .a = { args[1].u, args[2].u } };

	(void)st;
	return fl_host_one_fd_call(h, args, &rq, obs);
}

/* fstat FD: ret is st_size. */
int fl_host_fstat(struct host *h, const struct fl_sc_stmt *st,
		  const struct fl_val *args, struct fl_obs *obs)
{
	struct host_req rq = { .op = HOST_OP_FSTAT };

	(void)st;
	return fl_host_one_fd_call(h, args, &rq, obs);
}

/* ftruncate FD LEN */
int fl_host_ftruncate(struct host *h, const struct fl_sc_stmt *st,
		      const struct fl_val *args, struct fl_obs *obs)
{
	struct host_req rq = { .op = HOST_OP_FTRUNCATE, .a = { args[1].u } };

	(void)st;
	return fl_host_one_fd_call(h, args, &rq, obs);
}

/* add_seals FD SEALS, get_seals FD: fcntl(F_ADD_SEALS), fcntl(F_GET_SEALS) */
int fl_host_seals(struct host *h, const struct fl_sc_stmt *st,
		  const struct fl_val *args, struct fl_obs *obs)
{
	bool add = st->code == FL_SC_ADD_SEALS;
	struct host_req rq = { .op = add ? HOST_OP_ADD_SEALS : HOST_OP_GET_SEALS,
			       .a = { add ? args[1].u : 0 } };

	return fl_host_one_fd_call(h, args, &rq, obs);
}

/*
 * splice and tee: the output's slot rides in a[0], the flags in a[1];
 * as=NAME leaves the worker waiting when the call waits (host_wait.c).
 */
static int two_fd_call(struct host *h, const struct fl_sc_stmt *st, const struct fl_val *args,
		       const struct fl_val *fdout, struct host_req *rq, struct fl_obs *obs)
{
	const struct fl_val *flags = fl_backend_key(st, args, "flags");
	struct host_req out = { 0 };
	int err;

	fl_host_fd_slot(h, fdout, &out, true);
	rq->a[0] = out.slot | (uint64_t)out.which << 32;
	rq->a[1] = flags ? flags->u : 0;
	err = fl_host_task_mark(h, st, args, rq);
	return err ? err : fl_host_one_fd_call(h, args, rq, obs);
}

/* splice FDIN OFFIN FDOUT OFFOUT LEN [flags=] */
int fl_host_splice(struct host *h, const struct fl_sc_stmt *st,
		   const struct fl_val *args, struct fl_obs *obs)
{
	struct host_req rq = { .op = HOST_OP_SPLICE,
			       .a = { 0, 0, args[1].u, args[3].u, args[4].u } };

	return two_fd_call(h, st, args, &args[2], &rq, obs);
}

/* tee FDIN FDOUT LEN [flags=] */
int fl_host_tee(struct host *h, const struct fl_sc_stmt *st,
		const struct fl_val *args, struct fl_obs *obs)
{
	struct host_req rq = { .op = HOST_OP_TEE, .a = { 0, 0, 0, 0, args[2].u } };

	return two_fd_call(h, st, args, &args[1], &rq, obs);
}
