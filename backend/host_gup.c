/*
 * backend/host_gup.c - the GUP calls and /proc/pid/mem on the running
 * kernel.
 *
 * proc_mem_read and proc_mem_write are pread/pwrite of /proc/self/mem in
 * the current process (FOLL_FORCE, as the model's fl_proc_mem_rw()); named
 * (as=), one that waits on a userfaultfd goes on when woken.
 *
 * get_user_pages, pin_user_pages, their _fast variants, read_pages and
 * put_pages have no system call: a judge whose kernel loaded our module
 * vm/pin_module/ (HOST_CAP_PIN, docs/vm.md "The pin module") makes them
 * through /dev/faultline_pin (host_child_pin.c); host_refuse.c refuses
 * them everywhere else, and the GUP flags the module does not pass.
 *
 * Invariant: pin_proc[H] is the process that took handle H's pages;
 * read_pages and put_pages go to it, whichever process is current.
 */
#include <stdlib.h>

#include <faultline/gup.h>
#include <faultline_pin.h>      /* vm/pin_module/: the module's ioctls */

#include "backend/host_internal.h"

/* proc_mem_read ADDR LEN, proc_mem_write ADDR DATA: /proc/self/mem. */
int fl_host_proc_mem(struct host *h, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	struct host_req rq = { .a = { args[0].u, args[1].u } };
	struct host_rep rep;
	uint8_t *buf = NULL;
	int err = fl_host_task_mark(h, st, args, &rq);     /* as=: host_wait.c */

	if (err)
		return err;
	if (st->code == FL_SC_PROC_MEM_WRITE) {
		rq.op = HOST_OP_MEM_WRITE;
		rq.dlen = args[1].len;
		err = fl_host_do(h, &rq, NULL, args[1].bytes, &rep, obs);
		if (!err)
			fl_host_set_result(obs, &rep);
		return err;
	}
	rq.op = HOST_OP_MEM_READ;
	err = fl_host_request(h, h->cur, &rq, NULL, NULL, &rep, &buf, obs);
	if (err)
		return err;
	fl_host_set_result(obs, &rep);
	obs->kbuf = buf;        /* what was read: `expect kbuf` */
	obs->kbuf_len = rep.dlen;
	return 0;
}

/* A GUP call and its FL_FOLL_* flags as the module's FLPIN_* (host_refuse.c refused the rest). */
static unsigned pin_flags(unsigned code, unsigned gup_flags)
{
	return (gup_flags & FL_FOLL_WRITE ? FLPIN_WRITE : 0) |
	       (gup_flags & FL_FOLL_FORCE ? FLPIN_FORCE : 0) |
	       (gup_flags & FL_FOLL_LONGTERM ? FLPIN_LONGTERM : 0) |
	       (code == FL_SC_GET_USER_PAGES || code == FL_SC_GET_USER_PAGES_FAST ? FLPIN_GET : 0) |
	       (code == FL_SC_GET_USER_PAGES_FAST || code == FL_SC_PIN_USER_PAGES_FAST
		? FLPIN_FAST : 0);
}

/* The module's own failure (no device, out of files): not the kernel's answer. */
static int pin_failed(const struct host_rep *rep, const char *what, struct fl_obs *obs)
{
	return fl_backend_setup_failed(obs, NULL, what, -rep->err);
}

/* `call pin_user_pages ADDR N FLAGS as=H` and its siblings: ret pages, or -errno. */
int fl_host_gup(struct host *h, const struct fl_sc_stmt *st, const struct fl_val *args,
		struct fl_obs *obs)
{
	const struct fl_val *as = fl_backend_key(st, args, "as");
	struct host_req rq = { .op = HOST_OP_PIN, .slot = (uint32_t)as->u,
			       .a = { args[0].u, args[1].u,
				      pin_flags(st->code, (unsigned)args[2].u) } };
	struct host_rep rep;
	int err;

	if (!h->pin_proc && !(h->pin_proc = calloc(h->nnames + 1, sizeof(*h->pin_proc))))
		return -ENOMEM;
	err = fl_host_task_mark(h, st, args, &rq);
	if (!err)
		err = fl_host_do(h, &rq, NULL, NULL, &rep, obs);
	if (err)
		return err;
	if (rep.ret == -1 && rep.code)
		return pin_failed(&rep, "/dev/faultline_pin", obs);
	h->pin_proc[as->u] = h->cur;
	if (rep.blocked)
		fl_host_set_result(obs, &rep);
	else
		fl_backend_set_ret(obs, rep.ret);
	return 0;
}

/* `read_pages H OFF LEN`, `put_pages H`: in the process that took H's pages. */
int fl_host_pages(struct host *h, const struct fl_sc_stmt *st, const struct fl_val *args,
		  struct fl_obs *obs)
{
	unsigned id = (unsigned)args[0].u;
	bool rd = st->code == FL_SC_READ_PAGES;
	struct host_req rq = { .op = rd ? HOST_OP_PIN_READ : HOST_OP_PIN_PUT, .slot = id,
			       .a = { rd ? args[1].u : 0, rd ? args[2].u : 0 } };
	struct host_rep rep;
	uint8_t *buf = NULL;
	int err;

	if (!h->pin_proc || !h->link.procs[h->pin_proc[id]].alive)
		return fl_backend_setup_failed(obs, NULL, rd ? "read_pages: no pages taken"
							   : "put_pages: no pages taken", -ENOENT);
	err = fl_host_request(h, h->pin_proc[id], &rq, NULL, NULL, &rep, rd ? &buf : NULL, obs);
	if (err)
		return err;
	if (rep.ret == -1 && rep.code) {
		free(buf);
		return pin_failed(&rep, rd ? "read_pages: handle was put"
					   : "put_pages: handle already put", obs);
	}
	fl_backend_set_ret(obs, rep.ret);
	obs->kbuf = buf;        /* `expect kbuf` */
	obs->kbuf_len = rd ? rep.dlen : 0;
	return 0;
}
