/*
 * backend/host_uffd.c - the userfaultfd calls on the running kernel, the
 * runner's side (backend/model_uffd.c is the model's; the scenario
 * process's side is host_child_uffd.c and host_child_guard.c).
 *
 * `call userfaultfd` is the system call (on EPERM, /dev/userfaultfd +
 * USERFAULTFD_IOC_NEW); the uffd_* calls are the UFFDIO_* ioctls on it,
 * uffd_read is read(2).  A handle is the scenario's: made in the current
 * process, whose mm it serves, then handed by the link to every other
 * process as a file is.  The logs (uffd_read, uffd_serve's monitor,
 * uffd_log, `expect event`) live in its keeper (uffd_keeper()).
 *
 * Results follow backend/model_uffd.c: userfaultfd answers 3, uffd_read
 * 32, the ioctls 0 or -1 with errno; `expect copy` reads an output field
 * only when the kernel wrote it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/userfaultfd.h>

#include "backend/host_internal.h"

#define UFFD_FIELD_UNTOUCHED INT64_MIN

static void uffd_summary_field(struct fl_obs *obs, const char *what, const char *field,
			       int64_t v)
{
	if (v == UFFD_FIELD_UNTOUCHED) {
		snprintf(obs->summary, sizeof(obs->summary), "%s: field not written, ret %lld",
			 what, (long long)obs->ret);
		return;
	}
	obs->has_copy = true;
	obs->copy = v;
	snprintf(obs->summary, sizeof(obs->summary), "%s: %s = %lld, ret %lld", what, field,
		 (long long)v, (long long)obs->ret);
}

/* The scenario's event words: pagefault, fork, remap, remove, unmap; 5: other. */
static unsigned uffd_event_word(uint8_t event)
{
	switch (event) {
	case UFFD_EVENT_PAGEFAULT: return 0;
	case UFFD_EVENT_FORK:      return 1;
	case UFFD_EVENT_REMAP:     return 2;
	case UFFD_EVENT_REMOVE:    return 3;
	case UFFD_EVENT_UNMAP:     return 4;
	default:                   return 5;
	}
}

/* What uffd_read read, with the fields of its kind (the model's trace has them all). */
static void uffd_msg_summary(struct fl_obs *obs, const struct uffd_msg *msg)
{
	static const char *const word[] = { "pagefault", "fork", "remap", "remove", "unmap", "?" };
	const char *w = word[uffd_event_word(msg->event)];

	if (msg->event == UFFD_EVENT_PAGEFAULT)
		snprintf(obs->summary, sizeof(obs->summary), "event %s flags 0x%llx address 0x%llx",
			 w, (unsigned long long)msg->arg.pagefault.flags,
			 (unsigned long long)msg->arg.pagefault.address);
	else if (msg->event == UFFD_EVENT_REMAP)
		snprintf(obs->summary, sizeof(obs->summary), "event %s from 0x%llx to 0x%llx len 0x%llx",
			 w, (unsigned long long)msg->arg.remap.from,
			 (unsigned long long)msg->arg.remap.to, (unsigned long long)msg->arg.remap.len);
	else if (msg->event == UFFD_EVENT_REMOVE || msg->event == UFFD_EVENT_UNMAP)
		snprintf(obs->summary, sizeof(obs->summary), "event %s start 0x%llx end 0x%llx",
			 w, (unsigned long long)msg->arg.remove.start,
			 (unsigned long long)msg->arg.remove.end);
	else
		snprintf(obs->summary, sizeof(obs->summary), "event %s", w);
}

/*
 * The source of a uffd_copy without from=: a buffer of the monitor's own,
 * DATA repeated (or 0, 1, 2, ... without src=), as the model builds it.
 */
static uint8_t *uffd_source(const struct fl_val *src, uint64_t len, struct fl_obs *obs,
			    int *err)
{
	uint8_t *buf;
	uint64_t i;

	*err = 0;
	if (len > HOST_MAX_DATA) {
		*err = fl_backend_setup_failed(obs, NULL, "uffd_copy source", -E2BIG);
		return NULL;
	}
	buf = malloc(len + 1);
	if (!buf) {
		*err = -ENOMEM;
		return NULL;
	}
	for (i = 0; i < len; i++)
		buf[i] = src && src->len ? src->bytes[i % src->len] : (uint8_t)i;
	return buf;
}

/*
 * The process did not run an ioctl that checks mmap_changing: its context
 * owes uffd_read a non-cooperative message the host read ahead
 * (HOST_REP_READ_AHEAD, host_child_uffd.c).
 */
static int read_ahead_refused(struct fl_obs *obs)
{
	snprintf(obs->why, sizeof(obs->why), "the host read a non-cooperative "
		 "event ahead (its task could not return otherwise), so "
		 "mmap_changing is down where the scenario has it raised "
		 "(docs/host.md)");
	return -EOPNOTSUPP;
}

/* One UFFDIO_* ioctl: ARG (LEN bytes) goes to the process and comes back. */
static int uffd_ioctl(struct host *h, unsigned uffd, unsigned long req, void *arg,
		      size_t len, struct fl_obs *obs)
{
	struct host_req rq = { .op = HOST_OP_UFFD_IOCTL, .slot = uffd, .a = { req },
			       .dlen = len };
	struct host_rep rep;
	uint8_t *back = NULL;
	int err = fl_host_request(h, h->cur, &rq, NULL, arg, &rep, &back, obs);

	if (err)
		return err;
	if (rep.flags & HOST_REP_READ_AHEAD) {
		free(back);
		return read_ahead_refused(obs);
	}
	if (rep.dlen == len)
		memcpy(arg, back, len);
	free(back);
	obs->has_ret = true;
	obs->ret = rep.ret;
	obs->err = rep.ret == -1 ? rep.err : 0;
	return 0;
}

int fl_host_uffd_copy(struct host *h, const struct fl_sc_stmt *st,
			  const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *src = fl_backend_key(st, args, "src");
	const struct fl_val *from = fl_backend_key(st, args, "from");
	const struct fl_val *mode = fl_backend_key(st, args, "mode");
	struct host_req rq = { .op = HOST_OP_UFFD_IOCTL, .slot = (uint32_t)args[0].u,
			       .a = { UFFDIO_COPY } };
	struct uffdio_copy c = { args[1].u, from ? from->u : 0, args[2].u,
				 mode ? mode->u : 0, UFFD_FIELD_UNTOUCHED };
	struct host_rep rep;
	uint8_t *buf = NULL, *back = NULL;
	int err;

	if (!from) {
		/*
		 * The source lives in the process, after the struct: the
		 * process points c.src at it (HOST_OP_UFFD_IOCTL, a[1] = 1).
		 */
		buf = uffd_source(src, c.len, obs, &err);
		if (!buf)
			return err;
		rq.a[1] = 1;
	}
	rq.dlen = sizeof(c) + (from ? 0 : c.len);
	{
		uint8_t *msg = malloc(rq.dlen + 1);

		if (!msg) {
			free(buf);
			return -ENOMEM;
		}
		memcpy(msg, &c, sizeof(c));
		if (buf)
			memcpy(msg + sizeof(c), buf, c.len);
		free(buf);
		err = fl_host_request(h, h->cur, &rq, NULL, msg, &rep, &back, obs);
		free(msg);
	}
	if (err)
		return err;
	if (rep.flags & HOST_REP_READ_AHEAD) {
		free(back);
		return read_ahead_refused(obs);
	}
	if (rep.dlen >= sizeof(c))
		memcpy(&c, back, sizeof(c));
	free(back);
	fl_host_set_result(obs, &rep);
	uffd_summary_field(obs, "UFFDIO_COPY", "copy", c.copy);
	return 0;
}

/*
 * The ioctls whose struct is the statement's NWORDS arguments, the mode
 * and one output field, 8 bytes each: ZEROPAGE (zeropage), CONTINUE
 * (mapped), POISON (updated, 6.6), MOVE (move, 6.8; DST SRC LEN).
 * `expect copy` reads the field, as on the model (backend/model_uffd.c).
 */
static const struct uffd_fill {
	unsigned code;
	unsigned long req;
	unsigned nwords;
	const char *what, *field;
} uffd_fills[] = {
	{ FL_SC_UFFD_ZEROPAGE, UFFDIO_ZEROPAGE, 2, "UFFDIO_ZEROPAGE", "zeropage" },
	{ FL_SC_UFFD_CONTINUE, UFFDIO_CONTINUE, 2, "UFFDIO_CONTINUE", "mapped" },
	{ FL_SC_UFFD_POISON, HOST_UFFDIO_POISON, 2, "UFFDIO_POISON", "updated" },
	{ FL_SC_UFFD_MOVE, HOST_UFFDIO_MOVE, 3, "UFFDIO_MOVE", "move" },
};

_Static_assert(sizeof(struct uffdio_zeropage) == 4 * 8 &&
	       sizeof(struct uffdio_continue) == 4 * 8 &&
	       sizeof(struct host_uffdio_poison) == 4 * 8 &&
	       sizeof(struct host_uffdio_move) == 5 * 8, "uffdio structs are words");

int fl_host_uffd_fill(struct host *h, const struct fl_sc_stmt *st,
			  const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *mode = fl_backend_key(st, args, "mode");
	const struct uffd_fill *f = uffd_fills;
	const struct uffd_fill *last = f + sizeof(uffd_fills) / sizeof(uffd_fills[0]) - 1;
	uint64_t w[5];
	unsigned i;
	int err;

	while (f < last && f->code != st->code)  /* backend/calls.c sends only these */
		f++;
	for (i = 0; i < f->nwords; i++)
		w[i] = args[i + 1].u;
	w[i++] = mode ? mode->u : 0;
	w[i++] = (uint64_t)UFFD_FIELD_UNTOUCHED;
	err = uffd_ioctl(h, (unsigned)args[0].u, f->req, w, i * sizeof(w[0]), obs);
	if (!err)
		uffd_summary_field(obs, f->what, f->field, (int64_t)w[i - 1]);
	return err;
}

/*
 * The process that keeps U's logs and runs its monitor thread: the one
 * that made U while it lives (its guard reads U ahead, so the messages
 * are there), else the one whose monitor serves U, else the current one.
 * The model's logs belong to the context, whichever process asks.
 */
static unsigned uffd_keeper(const struct host *h, unsigned uffd)
{
	const struct host_uffd *u = &h->uffd[uffd];

	if (h->link.procs[u->owner].alive)
		return u->owner;
	if (u->server && h->link.procs[u->server - 1].alive)
		return u->server - 1;
	return h->cur;
}

/*
 * userfaultfd as=U: made in the current process, whose mm it serves for
 * ever; its descriptor comes back with the reply and is handed to every
 * other process by the link, as a file is (host_link.c).
 */
int fl_host_userfaultfd(struct host *h, const struct fl_sc_stmt *st,
			const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *as = fl_backend_key(st, args, "as");
	const struct fl_val *dev = fl_backend_key(st, args, "dev");
	uint64_t words = st->nargs ? args[0].u : 0;
	struct host_req rq = { .op = HOST_OP_UFFD_NEW, .slot = as ? (uint32_t)as->u : 0,
			       .a = { words, dev && dev->u } };
	struct host_rep rep;
	int err = fl_host_do(h, &rq, NULL, NULL, &rep, obs);

	if (err)
		return err;
	fl_host_set_result(obs, &rep);
	if (as && rep.ret >= 0)
		h->uffd[as->u] = (struct host_uffd){ h->cur, 0, (words & 4) != 0 };
	return 0;
}

/* RQ about U, to U's keeper: the result to OBS, reply data to *BACK. */
static int keeper_request(struct host *h, unsigned uffd, struct host_req *rq,
			  struct host_rep *rep, uint8_t **back, struct fl_obs *obs)
{
	int err = fl_host_request(h, uffd_keeper(h, uffd), rq, NULL, NULL, rep, back, obs);

	if (!err)
		fl_host_set_result(obs, rep);
	return err;
}

/*
 * `uffd_read U as=C` read a FORK message: C is the child's context, kept
 * by the process the fork made (pid PID), whose guard reads its messages.
 */
static void uffd_name_fork(struct host *h, unsigned uffd, unsigned c, int64_t pid)
{
	unsigned i;

	for (i = 0; i < h->nnames; i++) {
		if (h->link.procs[i].alive && h->link.procs[i].pid == pid) {
			h->uffd[c] = (struct host_uffd){ i, 0, h->uffd[uffd].nonblock };
			return;
		}
	}
}

/* uffd_read U [as=C]: in U's keeper, which has what was read ahead. */
int fl_host_uffd_read(struct host *h, const struct fl_sc_stmt *st,
		      const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *as = fl_backend_key(st, args, "as");
	unsigned uffd = (unsigned)args[0].u;
	struct host_req rq = { .op = HOST_OP_UFFD_READ, .slot = uffd,
			       .a = { h->uffd[uffd].nonblock, as ? as->u + 1 : 0 } };
	struct host_rep rep;
	struct uffd_msg msg;
	uint8_t *back = NULL;
	int err = keeper_request(h, uffd, &rq, &rep, &back, obs);

	if (err)
		return err;
	if (rep.blocked)
		obs->outcome = FL_OUTCOME_BLOCKED;
	if (rep.ret >= 0 && rep.dlen == sizeof(msg)) {
		memcpy(&msg, back, sizeof(msg));
		uffd_msg_summary(obs, &msg);
		if (as && msg.event == UFFD_EVENT_FORK)
			uffd_name_fork(h, uffd, (unsigned)as->u, (int64_t)rep.addr);
	}
	free(back);
	return 0;
}

/* uffd_serve U DATA: the monitor thread runs in U's keeper. */
int fl_host_uffd_serve(struct host *h, const struct fl_sc_stmt *st,
		       const struct fl_val *args, struct fl_obs *obs)
{
	unsigned uffd = (unsigned)args[0].u;
	const struct fl_val *data = &args[1];
	struct host_req rq = { .op = HOST_OP_UFFD_SERVE, .slot = uffd };
	unsigned who = uffd_keeper(h, uffd);
	struct host_rep rep;
	uint8_t page[4096];
	size_t i;
	int err;

	(void)st;
	for (i = 0; i < sizeof(page); i++)
		page[i] = data->len ? data->bytes[i % data->len] : 0;
	rq.dlen = sizeof(page);
	err = fl_host_request(h, who, &rq, NULL, page, &rep, NULL, obs);
	if (err)
		return err;
	fl_host_set_result(obs, &rep);
	if (rep.ret == 0)
		h->uffd[uffd].server = who + 1;
	return 0;
}

/*
 * uffd_log U: the monitor's next UFFDIO_COPY as it saw it (ret 0, or -1
 * with the errno; `expect copy` the copy field); -1/ENOMSG when there is
 * no more, as the model's call_log answers.  Asked of U's keeper.
 */
int fl_host_uffd_log(struct host *h, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	unsigned uffd = (unsigned)args[0].u;
	struct host_req rq = { .op = HOST_OP_UFFD_LOG, .slot = uffd };
	struct host_uffd_log e;
	struct host_rep rep;
	uint8_t *back = NULL;
	int err = keeper_request(h, uffd, &rq, &rep, &back, obs);

	(void)st;
	if (err)
		return err;
	if (rep.ret || rep.dlen != sizeof(e)) {
		free(back);
		if (rep.ret == -1 && rep.err == ENOMSG)
			snprintf(obs->summary, sizeof(obs->summary), "monitor log: nothing more");
		return 0;
	}
	memcpy(&e, back, sizeof(e));
	free(back);
	obs->ret = e.ret ? -1 : 0;
	obs->err = -e.ret;
	obs->has_copy = e.copy != UFFD_FIELD_UNTOUCHED;
	obs->copy = e.copy;
	snprintf(obs->summary, sizeof(obs->summary),
		 "monitor's UFFDIO_COPY 0x%llx: ret %d, copy %lld",
		 (unsigned long long)e.dst, e.ret, (long long)e.copy);
	return 0;
}

/* The ioctls run in the current process, on its descriptor of U. */
int fl_host_uffd_api(struct host *h, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *api = fl_backend_key(st, args, "api");
	struct uffdio_api a = { api ? api->u : UFFD_API, args[1].u, 0 };
	int err = uffd_ioctl(h, (unsigned)args[0].u, UFFDIO_API, &a, sizeof(a), obs);

	if (!err)
		snprintf(obs->summary, sizeof(obs->summary),
			 "UFFDIO_API: features 0x%llx, ioctls 0x%llx",
			 (unsigned long long)a.features, (unsigned long long)a.ioctls);
	return err;
}

int fl_host_uffd_register(struct host *h, const struct fl_sc_stmt *st,
			  const struct fl_val *args, struct fl_obs *obs)
{
	struct uffdio_register r = { { args[1].u, args[2].u }, args[3].u, 0 };
	int err = uffd_ioctl(h, (unsigned)args[0].u, UFFDIO_REGISTER, &r, sizeof(r), obs);

	(void)st;
	if (err)
		return err;
	/* `expect copy` reads the ioctls mask of a successful register */
	if (obs->ret == 0) {
		obs->has_copy = true;
		obs->copy = (int64_t)r.ioctls;
	}
	snprintf(obs->summary, sizeof(obs->summary),
		 "UFFDIO_REGISTER: ioctls 0x%llx", (unsigned long long)r.ioctls);
	return 0;
}

int fl_host_uffd_wake(struct host *h, const struct fl_sc_stmt *st,
		      const struct fl_val *args, struct fl_obs *obs)
{
	struct uffdio_range r = { args[1].u, args[2].u };

	(void)st;
	return uffd_ioctl(h, (unsigned)args[0].u, UFFDIO_WAKE, &r, sizeof(r), obs);
}

/* UFFDIO_UNREGISTER: the kernel wakes the faults waiting in the range. */
int fl_host_uffd_unregister(struct host *h, const struct fl_sc_stmt *st,
			    const struct fl_val *args, struct fl_obs *obs)
{
	struct uffdio_range r = { args[1].u, args[2].u };

	(void)st;
	return uffd_ioctl(h, (unsigned)args[0].u, UFFDIO_UNREGISTER, &r, sizeof(r), obs);
}

int fl_host_uffd_writeprotect(struct host *h, const struct fl_sc_stmt *st,
			      const struct fl_val *args, struct fl_obs *obs)
{
	struct uffdio_writeprotect wp = { { args[1].u, args[2].u },
					  args[3].u ? UFFDIO_WRITEPROTECT_MODE_WP : 0 };

	(void)st;
	return uffd_ioctl(h, (unsigned)args[0].u, UFFDIO_WRITEPROTECT, &wp, sizeof(wp), obs);
}


int fl_host_uffd_event(struct fl_backend *b, unsigned uffd, struct fl_obs_event *ev)
{
	struct host *h = host_of(b);
	struct host_req rq = { .op = HOST_OP_UFFD_EVENT, .slot = uffd };
	struct host_rep rep;
	struct fl_obs obs = { 0 };
	struct uffd_msg msg;
	uint8_t *back = NULL;
	int err;

	if (h->refusal[0] || uffd >= h->nnames)
		return -EBADF;
	err = fl_host_request(h, uffd_keeper(h, uffd), &rq, NULL, NULL, &rep, &back, &obs);
	if (err)
		return err;
	if (rep.ret || rep.dlen != sizeof(msg)) {
		free(back);
		return rep.ret ? (int)rep.ret : -EPROTO;
	}
	memcpy(&msg, back, sizeof(msg));
	free(back);
	ev->type = uffd_event_word(msg.event);
	ev->flags = msg.event == UFFD_EVENT_PAGEFAULT ? msg.arg.pagefault.flags : 0;
	/* where it happened, as model_uffd_event() says: REMAP's is the old address */
	ev->addr = msg.event == UFFD_EVENT_PAGEFAULT ? msg.arg.pagefault.address :
		   msg.event == UFFD_EVENT_REMAP ? msg.arg.remap.from :
		   msg.event == UFFD_EVENT_REMOVE || msg.event == UFFD_EVENT_UNMAP ?
		   msg.arg.remove.start : 0;
	return 0;
}
