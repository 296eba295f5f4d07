/*
 * uffd/wait.c - waits that resume: a task left waiting in handle_userfault
 * (nobody served its fault when it came) kept until a wake_userfault of
 * its context covers its address.
 *
 * Why: a handler usually answers after the fault, from another thread:
 * LTP's userfaultfd01..07 and the selftests' move, poison and minor tests
 * fault, then the handler's ioctl resolves the page and the access
 * completes (or gets SIGBUS).  The model has no threads: the backend
 * parks the stopped access, keeps its wait here, and retries the access
 * once the waiter is woken (backend/model_wait.c).
 *
 * Definitions
 *   waiter  one kept wait: the context and the faulting address.  The
 *           kernel's waiter sits on ctx->fault_pending_wqh / fault_wqh;
 *           wake_userfault() wakes those whose address is in its range
 *           (userfaultfd_wake_function), both queues alike.
 *
 * Invariants
 *   1. Every waiter is on us->waiters exactly once until dropped, and
 *      lives in the arena (a snapshot restores the list).
 *   2. woken only goes from false to true.
 */
#include "uffd/internal.h"

struct fl_uffd_waiter {
	struct fl_uffd_ctx *ctx;
	fl_addr_t addr;
	bool woken;
	struct fl_uffd_waiter *next;
};

static struct fl_uffd_waiter *waiter_new(struct fl_world *w, struct uffd_state *us,
					 struct fl_uffd_ctx *ctx, fl_addr_t addr)
{
	struct fl_uffd_waiter *wt = fl_zalloc(w, sizeof(*wt));

	if (!wt)
		return NULL;
	wt->ctx = ctx;
	wt->addr = addr;
	wt->next = us->waiters;
	us->waiters = wt;
	return wt;
}

int fl_uffd_wait_keep(struct fl_world *w, struct fl_uffd_waiter **out)
{
	struct uffd_state *us = uffd_state(w);

	if (!us)
		return -ENOMEM;
	if (!us->blocked_ctx)
		return fl_error(w, -EINVAL, "uffd: the last wait was a read, at no address");
	*out = waiter_new(w, us, us->blocked_ctx, us->blocked_addr);
	return *out ? 0 : -ENOMEM;
}

void fl_uffd_set_park(struct fl_world *w, fl_uffd_park_fn fn, void *arg)
{
	struct uffd_state *us = *fl_layer_slot(w, FL_LAYER_UFFD);

	/* No state yet: no context, so no userfault can come to park. */
	if (!us)
		return;
	us->park = fn;
	us->park_arg = arg;
}

/*
 * The task sleeps: the park function returns when a wake_userfault covers
 * its waiter (handle_userfault's schedule() returns and the fault is
 * retried) or when the task must give up.
 */
unsigned uffd_sleep(struct fl_world *w, struct fl_uffd_ctx *ctx, fl_addr_t addr,
		    bool *slept)
{
	struct uffd_state *us = uffd_state(w);
	fl_uffd_park_fn park = us ? us->park : NULL;
	struct fl_uffd_waiter *wt;
	int err;

	if (!park) {
		uffd_note_blocked(w, ctx, addr);
		return FL_VM_FAULT_SIGBUS;
	}
	wt = waiter_new(w, us, ctx, addr);
	if (!wt)
		return FL_VM_FAULT_OOM;
	fl_trace(w, "uffd: the task sleeps at 0x%llx until a wake", (unsigned long long)addr);
	err = park(us->park_arg, wt);
	fl_uffd_wait_drop(w, wt);
	if (err) {
		fl_trace(w, "uffd: the task waiting at 0x%llx gives up (killed)",
			 (unsigned long long)addr);
		return FL_VM_FAULT_SIGBUS;
	}
	*slept = true;
	return FL_VM_FAULT_RETRY;
}

bool fl_uffd_wait_woken(const struct fl_uffd_waiter *wt)
{
	return wt->woken;
}

fl_addr_t fl_uffd_wait_addr(const struct fl_uffd_waiter *wt)
{
	return wt->addr;
}

void fl_uffd_wait_drop(struct fl_world *w, struct fl_uffd_waiter *wt)
{
	struct uffd_state *us = *fl_layer_slot(w, FL_LAYER_UFFD);
	struct fl_uffd_waiter **link;

	for (link = us ? &us->waiters : NULL; link && *link; link = &(*link)->next) {
		if (*link == wt) {
			*link = wt->next;
			fl_free(w, wt, sizeof(*wt));
			return;
		}
	}
}

void uffd_wake(struct fl_world *w, struct fl_uffd_ctx *ctx, fl_addr_t start,
	       uint64_t len)
{
	struct uffd_state *us = *fl_layer_slot(w, FL_LAYER_UFFD);
	struct fl_uffd_waiter *wt;

	for (wt = us ? us->waiters : NULL; wt; wt = wt->next) {
		if (wt->ctx != ctx || wt->addr - start >= len || wt->woken)
			continue;
		wt->woken = true;
		fl_trace(w, "uffd: wake the task waiting at 0x%llx",
			 (unsigned long long)wt->addr);
	}
}
