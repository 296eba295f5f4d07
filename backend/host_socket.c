/*
 * backend/host_socket.c - sendmsg(2) and recvmsg(2) on the running
 * kernel, on an end of a socket pair the link made (socketpair(AF_UNIX),
 * non-blocking: backend/host_link.c).  One msghdr with the scenario's
 * iovecs or its own memory at iov=ADDR, no name, msg_control and
 * msg_controllen of control= and controllen= (a[3], ctllen), or an
 * SCM_RIGHTS message of ours passing the ends rights= names, the MSG_*
 * flags of flags= (in a[4]);
 * the result is the call's, ret or -1 with errno
 * (backend/model_socket.c is the model's side).  shutdown(2) on an end.
 */
#include <stdint.h>
#include <stdio.h>

#include <faultline/callers.h>

#include "backend/host_internal.h"

/*
 * The SCM_CREDENTIALS recvmsg wrote, as FL_OBS_CREDS_* names it: the pid
 * is a scenario process's (the link knows their pids) with our own ids.
 */
static uint32_t host_creds(const struct host *h, const struct host_rep *rep)
{
	unsigned i;

	if (rep->cred == HOST_CRED_NONE || rep->cred == HOST_CRED_ANON)
		return rep->cred == HOST_CRED_ANON ? FL_OBS_CREDS_ANON : FL_OBS_CREDS_NONE;
	for (i = 0; rep->cred == HOST_CRED_OWN && i < h->nnames; i++)
		if (h->b->sc->names[i].kind == FL_SC_NEW_PROC && h->link.procs[i].pid &&
		    h->link.procs[i].pid == rep->cred_pid)
			return FL_OBS_CREDS_PROC(i);
	return FL_OBS_CREDS_OTHER;
}

int fl_host_sockmsg(struct host *h, const struct fl_sc_stmt *st,
		    const struct fl_val *args, struct fl_obs *obs)
{
	struct host_req rq = { .op = st->code == FL_SC_SENDMSG ? HOST_OP_SENDMSG
							       : HOST_OP_RECVMSG };

	const struct fl_val *flags = fl_backend_key(st, args, "flags");
	const struct fl_val *ctl = fl_backend_key(st, args, "control");
	const struct fl_val *ctllen = fl_backend_key(st, args, "controllen");

	if (ctllen && ctllen->u > UINT32_MAX) {
		int err = fl_backend_unsupported(obs);

		snprintf(obs->why, sizeof(obs->why), "controllen= past 4 GiB on the host "
			 "(its request carries 32 bits) is not run");
		return err;
	}
	const struct fl_val *creds = fl_backend_key(st, args, "creds");
	const char *why = fl_backend_rights(st, args, &rq.rights);
	struct host_rep rep;
	int err;

	if (!why && rq.rights && creds && creds->u)
		why = "rights= with creds= (two control messages)";
	if (why) {
		err = fl_backend_unsupported(obs);
		snprintf(obs->why, sizeof(obs->why), "%s is not run", why);
		return err;
	}
	rq.creds = creds && creds->u;
	fl_host_fd_slot(h, &args[0], &rq, false);
	rq.a[4] = fl_msg_flags(flags ? flags->u : 0);
	rq.a[3] = ctl ? ctl->u : 0;
	rq.ctllen = ctllen ? (uint32_t)ctllen->u : 0;
	err = fl_host_vec_do_rep(h, st, args, 1, &rq, obs, &rep);
	if (!err && rq.op == HOST_OP_RECVMSG && obs->has_msg_flags)
		obs->creds = host_creds(h, &rep);
	return err;
}

/* setsockopt SOCK.N passcred on|off: SOL_SOCKET, SO_PASSCRED. */
int fl_host_setsockopt(struct host *h, const struct fl_sc_stmt *st,
		       const struct fl_val *args, struct fl_obs *obs)
{
	struct host_req rq = { .op = HOST_OP_SETSOCKOPT, .a = { args[1].u, args[2].u } };

	(void)st;
	return fl_host_one_fd_call(h, args, &rq, obs);
}

/* shutdown SOCK.N rd|wr|rdwr: the SHUT_* value is the word's index. */
int fl_host_shutdown(struct host *h, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	struct host_req rq = { .op = HOST_OP_SHUTDOWN, .a = { args[1].u } };

	(void)st;
	return fl_host_one_fd_call(h, args, &rq, obs);
}
