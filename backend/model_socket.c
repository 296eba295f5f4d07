/*
 * backend/model_socket.c - socket pairs on the model: the
 * `socketpair NAME stream|dgram|tcp|seqpacket|udp [sndbuf=N]` statement and `call sendmsg`/`call
 * recvmsg` on NAME.0 or NAME.1 (callers/socket.c has the rules;
 * backend/host_socket.c is the running kernel's side).
 *
 * Results are syscall style.  A send the model does not answer (a full
 * send buffer or datagram queue, a stream skb size it does not know) is
 * `unsupported`, naming it (fl_sock_unmodelled).
 */
#include <stdio.h>
#include <string.h>

#include <faultline/callers.h>

#include "backend/model_internal.h"
#include "backend/vec.h"

/* The SOCK_TYPE word's value (stream, dgram, tcp, seqpacket, udp) is the enum's. */
int fl_model_socketpair(struct model *m, const struct fl_sc_stmt *st,
			const struct fl_val *args, struct fl_obs *obs)
{
	enum fl_sock_type type = (enum fl_sock_type)args[1].u;
	int err;

	const struct fl_val *nb = fl_backend_key(st, args, "nonblock");
	const struct fl_val *sb = fl_backend_key(st, args, "sndbuf");
	const struct fl_val *sto = fl_backend_key(st, args, "sndtimeo");
	const struct fl_val *rto = fl_backend_key(st, args, "rcvtimeo");
	const char *name = fl_backend_name(m->b, (unsigned)args[0].u);
	struct fl_sock *sk;

	err = fl_socketpair_create(m->w, name, type);
	if (err)
		return fl_backend_setup_failed(obs, m->w, "socketpair", err);
	sk = fl_sock_find(m->w, name);
	fl_sock_set_blocking(sk, nb && !nb->u);
	fl_sock_set_timeo(sk, sto && sto->u, rto && rto->u);
	/*
	 * SO_SNDBUF (doubled, at least SOCK_MIN_SNDBUF) is checked before a
	 * new skb only, against what the sender holds unacknowledged: inside
	 * the TCP domain (one skb per send, ACKed at once on loopback) it
	 * changes no answer.  On an AF_UNIX pair it sets the stream chunk,
	 * the datagram limit and the room (callers/socket.c).
	 */
	if (sb && type == FL_SOCK_UDP) {
		err = fl_backend_unsupported(obs);
		snprintf(obs->why, sizeof(obs->why), "sndbuf= on a UDP pair is not modelled");
		return err;
	}
	if (sb && type != FL_SOCK_TCP && fl_sock_set_sndbuf(m->w, sk, sb->u)) {
		err = fl_backend_unsupported(obs);
		snprintf(obs->why, sizeof(obs->why), "sndbuf= on an AF_UNIX pair above 212992 "
			 "(net.core.wmem_max is the machine's) or on this era or arch (the skbs' "
			 "truesize is judged on x86_64 and arm64 from 5.10, riscv64 from 6.12) "
			 "is not modelled");
		return err;
	}
	return 0;
}

/*
 * A stream recv with MSG_WAITALL and MSG_PEEK on a blocking end that
 * would wait after peeking at bytes: the kernel goes on peeking past
 * them when more come (sk_peek_offset); not modelled.
 */
static bool peek_waitall_waits(const struct fl_sock *sk, unsigned end, unsigned flags,
			       const struct fl_backend_iovs *v)
{
	size_t queued = fl_sock_queued(sk, end);

	return (flags & FL_MSG_WAITALL) && (flags & FL_MSG_PEEK) &&
	       !(flags & FL_MSG_DONTWAIT) && fl_sock_blocking(sk) && !fl_sock_timed(sk, false) &&
	       !fl_sock_is_record(sk) && v->nr <= FL_UIO_MAXIOV && queued &&
	       queued < fl_model_iov_total(v->iov, v->nr);
}

/*
 * The file, pipe end or socket end a rights= key names: is it open (a
 * file always is: the language has no close of one)?  Marked passed
 * when PASS.
 */
static bool end_open(struct model *m, const struct fl_val *v, bool pass)
{
	const char *name = fl_backend_name(m->b, (unsigned)v->u);
	bool other = v->end == FL_SC_END_1 || v->end == FL_SC_END_WRITE;
	struct fl_sock *sk = fl_sock_find(m->w, name);
	struct fl_pipe *pipe = sk ? NULL : fl_pipe_find(m->w, name);

	if (sk && pass)
		fl_sock_set_passed(sk, other);
	if (pipe && pass)
		fl_pipe_set_passed(pipe, other);
	if (sk)
		return fl_sock_end_open(sk, other);
	return !pipe || fl_pipe_end_open(pipe, other);
}

/*
 * A send's rights= keys into CTL (fl_backend_rights checked them): the
 * descriptors' names, and whether one is not open; PASS marks them passed
 * once the send queued them.
 */
static void sock_rights(struct model *m, const struct fl_sc_stmt *st,
			const struct fl_val *args, struct fl_sock_ctl *ctl, bool pass)
{
	unsigned k;

	for (k = 0; k < st->nkeys; k++) {
		const struct fl_val *v = &args[st->nargs + k];

		if (strcmp(st->keys[k].name, "rights"))
			continue;
		if (!pass)
			ctl->fp[ctl->nfp++] = FL_OBS_RIGHT(v->u, v->end == FL_SC_END_1 ||
							       v->end == FL_SC_END_WRITE);
		if (!end_open(m, v, pass))
			ctl->fp_closed = true;
	}
}

/* Is the end close names passed with SCM_RIGHTS (its close not the last)? */
bool fl_model_end_passed(struct model *m, const struct fl_val *v)
{
	const char *name = fl_backend_name(m->b, (unsigned)v->u);
	bool other = v->end == FL_SC_END_1 || v->end == FL_SC_END_WRITE;
	struct fl_sock *sk = fl_sock_find(m->w, name);
	struct fl_pipe *pipe = sk ? NULL : fl_pipe_find(m->w, name);

	return sk ? fl_sock_passed(sk, other) : pipe && fl_pipe_passed(pipe, other);
}

/* The current process as FL_OBS_CREDS_PROC names it: its names[] index. */
static uint32_t current_cred(struct model *m)
{
	const struct fl_process *p = fl_current(m->w);
	const struct fl_scenario *sc = m->b->sc;
	unsigned i;

	for (i = 0; p && i < sc->nnames; i++)
		if (sc->names[i].kind == FL_SC_NEW_PROC && !strcmp(sc->names[i].text, p->name))
			return FL_OBS_CREDS_PROC(i);
	return FL_OBS_CREDS_OTHER;
}

/* What the model does not answer about a control message, or NULL. */
static const char *ctl_unmodelled(const struct fl_sc_stmt *st, const struct fl_val *args,
				  const struct fl_sock *sk, bool send,
				  const struct fl_sock_ctl *ctl)
{
	uint64_t rights;
	const char *why = fl_backend_rights(st, args, &rights);

	if (why)
		return why;
	if (send && (ctl->nfp || ctl->creds) && !fl_sock_is_unix(sk))
		return "rights= or creds= on a TCP or UDP socket (sock_cmsg_send)";
	if (send && ctl->nfp && ctl->creds)
		return "rights= with creds= (two control messages)";
	return NULL;
}

_Static_assert(FL_SCM_MAX_FD == FL_OBS_RIGHTS, "what a recvmsg installs, an fl_obs holds");

/* sendmsg SOCK.N IOVEC... [iov=] [nr=] [flags=] [as=], recvmsg the same. */
int fl_model_sockmsg(struct model *m, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	const char *name = fl_backend_name(m->b, (unsigned)args[0].u);
	struct fl_sock *sk = fl_sock_find(m->w, name);
	unsigned end = args[0].end == FL_SC_END_1;
	bool send = st->code == FL_SC_SENDMSG;
	const struct fl_val *fv = fl_backend_key(st, args, "flags");
	const struct fl_val *ctl = fl_backend_key(st, args, "control");
	const struct fl_val *ctllen = fl_backend_key(st, args, "controllen");
	unsigned flags = fl_msg_flags(fv ? fv->u : 0);
	struct fl_sock_ctl c = { .control = ctl ? ctl->u : 0, .controllen = ctllen ? ctllen->u : 0 };
	const char *why;
	struct fl_backend_iovs v;
	unsigned msg_flags = 0;
	long ret;
	int err;

	if (!sk)
		return fl_backend_setup_failed(obs, m->w, name, -EBADF);
	err = fl_backend_iovs_pos(st, args, 1, &v);
	if (err)
		return fl_backend_setup_failed(obs, m->w, "iovec", err);
	/* fdget comes first: a released end is EBADF whatever the iovecs */
	ret = fl_sock_end_open(sk, end) ? fl_model_iovs_user(m, &v) : -EBADF;
	/* past UIO_MAXIOV the call is EMSGSIZE, and v.iov holds fewer than v.nr */
	why = !ret && v.nr <= FL_UIO_MAXIOV ?
	      fl_sock_flags_unmodelled(m->w, sk, end, send, flags,
				       fl_model_iov_total(v.iov, v.nr))
	      : NULL;
	if (send)
		sock_rights(m, st, args, &c, false);
	c.creds = send && fl_backend_key(st, args, "creds") && fl_backend_key(st, args, "creds")->u;
	c.cred = send ? current_cred(m) : 0;
	if (send && c.nfp && !ctllen)
		c.controllen = FL_SCM_SPACE(c.nfp);
	if (c.creds && !ctllen)
		c.controllen = FL_SCM_SPACE(3);
	if (!why && !ret)
		why = ctl_unmodelled(st, args, sk, send, &c);
	if (!why && send && !ret && ctllen && !c.nfp && !c.creds)
		why = fl_sock_control_unmodelled(ctllen->u);
	if (!why && send && !ret && v.nr <= FL_UIO_MAXIOV && !(flags & FL_MSG_OOB))
		why = fl_sock_unmodelled(m->w, sk, end, fl_model_iov_total(v.iov, v.nr));
	/*
	 * A timed wait: which ends first, it or another access, is a race;
	 * named by as=, the host's worker is watched by a guard that cannot
	 * tell a timed wait from an endless one.
	 */
	if (!why && !ret && fl_sock_timed(sk, send) && fl_model_tasks_any(m))
		why = "a socket call with SO_SNDTIMEO or SO_RCVTIMEO while another access "
		      "waits (whether it wakes the call before the timeout)";
	if (!why && !ret && fl_sock_timed(sk, send) && fl_backend_key(st, args, "as"))
		why = "as= on a socket call with SO_SNDTIMEO or SO_RCVTIMEO (a timed wait "
		      "ends by itself)";
	if (!why && !ret && !send && peek_waitall_waits(sk, end, flags, &v))
		why = "MSG_WAITALL with MSG_PEEK on a blocking socket with fewer bytes queued "
		      "than asked (the peek offset after the wait)";
	if (why) {
		err = fl_backend_unsupported(obs);
		snprintf(obs->why, sizeof(obs->why), "%s is not modelled", why);
		goto out;
	}
	if (!ret)
		ret = send ? fl_sock_sendmsg(m->w, sk, end, v.iov, v.nr, flags, &c)
			   : fl_sock_recvmsg(m->w, sk, end, v.iov, v.nr, flags, &msg_flags, &c);
	if (ret == FL_SOCK_CMSG) {
		err = fl_backend_unsupported(obs);
		snprintf(obs->why, sizeof(obs->why), "%s is not modelled", send ?
			 "a control message in msg_control (its cmsghdrs: SCM_RIGHTS, "
			 "SCM_CREDENTIALS)" : "a control buffer that faults while recvmsg "
			 "writes SCM_RIGHTS into it");
		goto out;
	}
	/* the skb holds them now: a close of the scenario's end is not the last */
	if (send && c.nfp && ret >= 0)
		sock_rights(m, st, args, &c, true);
	fl_model_set_sys_ret(m, obs, ret);
	/* ____sys_recvmsg writes msg_flags back only when the call returned >= 0 */
	obs->has_msg_flags = !send && ret >= 0;
	obs->msg_flags = msg_flags;
	obs->controllen = send ? 0 : (uint32_t)c.controllen;
	obs->nrights = send ? 0 : c.nfp;
	obs->creds = send ? 0 : c.cred;
	memcpy(obs->rights, c.fp, sizeof(obs->rights));
	if (ret == FL_SYS_WAITS)
		fl_model_summary(m, obs, "blocked: %s.%u %s", name, end,
				 send ? "has no room in its send buffer" : "waits for bytes");
	else
		fl_model_summary(m, obs, "%s %s.%u: %ld; %s.0 has %zu bytes to read, %s.1 %zu",
				 fl_sc_func_name(st->code), name, end, ret, name,
				 fl_sock_queued(sk, 0), name, fl_sock_queued(sk, 1));
out:
	fl_backend_iovs_free(&v);
	return err;
}

/* setsockopt SOCK.N passcred on|off: SO_PASSCRED, 0 */
int fl_model_setsockopt(struct model *m, const struct fl_sc_stmt *st,
			const struct fl_val *args, struct fl_obs *obs)
{
	const char *name = fl_backend_name(m->b, (unsigned)args[0].u);
	struct fl_sock *sk = fl_sock_find(m->w, name);
	unsigned end = args[0].end == FL_SC_END_1;

	(void)st;
	if (!sk)
		return fl_backend_setup_failed(obs, m->w, name, -EBADF);
	/* sock_setsockopt: a released end's descriptor is gone, EBADF */
	if (fl_sock_end_open(sk, end))
		fl_sock_set_passcred(sk, end, args[2].u);
	fl_model_set_sys_ret(m, obs, fl_sock_end_open(sk, end) ? 0 : -EBADF);
	fl_model_summary(m, obs, "setsockopt %s.%u SO_PASSCRED %s", name, end,
			 args[2].u ? "on" : "off");
	return 0;
}

/* shutdown SOCK.N rd|wr|rdwr (callers/socket.c fl_sock_shutdown) */
int fl_model_shutdown(struct model *m, const struct fl_sc_stmt *st,
		      const struct fl_val *args, struct fl_obs *obs)
{
	const char *name = fl_backend_name(m->b, (unsigned)args[0].u);
	struct fl_sock *sk = fl_sock_find(m->w, name);
	unsigned end = args[0].end == FL_SC_END_1;
	long ret;

	(void)st;
	if (!sk)
		return fl_backend_setup_failed(obs, m->w, name, -EBADF);
	ret = fl_sock_shutdown(m->w, sk, end, (unsigned)args[1].u);
	fl_model_set_sys_ret(m, obs, ret);
	fl_model_summary(m, obs, "shutdown %s.%u: %ld", name, end, ret);
	return 0;
}

/*
 * close SOCK.N: the end's last descriptor goes (unix_release_sock,
 * tcp_close); a TCP end's only where fl_sock_close_unmodelled allows.
 */
int fl_model_sock_close(struct model *m, const struct fl_val *args, struct fl_obs *obs)
{
	const char *name = fl_backend_name(m->b, (unsigned)args[0].u);
	struct fl_sock *sk = fl_sock_find(m->w, name);
	unsigned end = args[0].end == FL_SC_END_1;
	int err;

	if (!sk)
		return fl_backend_setup_failed(obs, m->w, "close", -EBADF);
	if (fl_sock_close_unmodelled(sk, end)) {
		err = fl_backend_unsupported(obs);
		snprintf(obs->why, sizeof(obs->why), "%s is not modelled",
			 fl_sock_close_unmodelled(sk, end));
		return err;
	}
	err = fl_sock_close(m->w, sk, end);
	if (err)
		return fl_backend_setup_failed(obs, m->w, "close", err);
	fl_model_summary(m, obs, "close %s.%u", name, end);
	return 0;
}
