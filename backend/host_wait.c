/*
 * backend/host_wait.c - accesses that wait and resume on the running
 * kernel: `store`, `load` and `call vmsplice` with as=NAME, and `wait
 * NAME` (backend/model_wait.c is the model's side; docs/uffd.md, "A
 * blocked access that resumes").
 *
 * The request carries NAME + 1 in its task field; the scenario process runs the
 * access on a worker thread that is left waiting when it blocks - in
 * handle_userfault, or for room in a full pipe - instead of interrupted
 * (host_child.c, run_task).  A later statement (UFFDIO_COPY, WAKE, a read
 * that drains the pipe) wakes the real task, which goes on by itself;
 * `wait NAME` asks that process for its reply, watching it once more as
 * the guard does: a PAGEFAULT message (it faulted again) or
 * FAULTLINE_HOST_BLOCK_MS without an end is `blocked`.
 *
 * Invariants
 *   1. task_st[NAME] is the statement that ran last under NAME, and
 *      task_proc[NAME] the process it ran in.
 *   2. `wait` is sent to that process only; one that has exited took its
 *      access with it, and `wait` reports the blocked result it had.
 */
#include <stdlib.h>

#include "backend/host_internal.h"

int fl_host_task_mark(struct host *h, const struct fl_sc_stmt *st,
		      const struct fl_val *args, struct host_req *rq)
{
	const struct fl_val *as = fl_backend_task_key(st, args);

	if (!as)
		return 0;
	if (!h->task_st) {
		h->task_st = calloc(h->nnames + 1, sizeof(*h->task_st));
		h->task_proc = calloc(h->nnames + 1, sizeof(*h->task_proc));
		if (!h->task_st || !h->task_proc)
			return -ENOMEM;
	}
	h->task_st[as->u] = st;
	h->task_proc[as->u] = h->cur;
	rq->task = (uint32_t)as->u + 1;
	return 0;
}

int fl_host_wait(struct host *h, const struct fl_val *args, struct fl_obs *obs)
{
	unsigned name = (unsigned)args[0].u;
	const struct fl_sc_stmt *st = h->task_st ? h->task_st[name] : NULL;
	struct host_req rq = { .op = HOST_OP_WAIT, .slot = name };
	struct host_rep rep;
	uint8_t *out = NULL;
	int err;

	if (!st)
		return fl_backend_setup_failed(obs, NULL, "wait: the access never ran", -ENOENT);
	if (!h->link.procs[h->task_proc[name]].alive) {
		obs->outcome = FL_OUTCOME_BLOCKED;
		snprintf(obs->summary, sizeof(obs->summary), "its process has exited");
		return 0;
	}
	err = fl_host_request(h, h->task_proc[name], &rq, NULL, NULL, &rep, &out, obs);
	free(out);
	if (err)
		return err;
	if (!rep.blocked && rep.ret == -1 && rep.err == ENOENT && st->verb != FL_SC_CALL)
		return fl_backend_setup_failed(obs, NULL, "wait: no such access", -ENOENT);
	if (st->verb == FL_SC_STORE || st->verb == FL_SC_LOAD)
		fl_host_record_access(obs, &rep, st->verb == FL_SC_STORE ? "stored" : "loaded",
				      (size_t)rep.moved);
	else
		fl_host_set_result(obs, &rep);
	return 0;
}
