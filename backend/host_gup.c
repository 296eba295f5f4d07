/*
 * backend/host_gup.c - /proc/pid/mem on the running kernel:
 * proc_mem_read and proc_mem_write are pread/pwrite of /proc/self/mem in
 * the current process (FOLL_FORCE, as the model's fl_proc_mem_rw()); named
 * (as=), one that waits on a userfaultfd goes on when woken.  The
 * GUP calls themselves have no system call: backend/calls.c refuses them.
 */
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
