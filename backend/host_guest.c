/*
 * backend/host_guest.c - the runner's side of what only a guest kernel
 * runs (backend/host_child_guest.c does it): `tag`, `poison` and `call
 * btrfs_search_ioctl`.  host_refuse.c lets them through only when the
 * agent's HELLO said its kernel can (HOST_CAP_*).
 *
 * The btrfs layout keys (`items=`, `itemlen=`) are the model's
 * (callers/btrfs.c): the guest makes a directory whose DIR_INDEX items
 * have exactly that layout, so model and kernel copy the same bytes'
 * worth of items into the same buffer.  A directory entry's item is 30
 * bytes plus a name of 1..255, so the real tree has ITEMLEN 31..285 only.
 */
#include <stdio.h>
#include <string.h>

#include <faultline/livelock.h>

#include "backend/host_internal.h"

#define DIR_ITEM_MIN 31u
#define DIR_ITEM_MAX 285u

/*
 * `tag ADDR LEN TAG` (arm64 MTE), `poison ADDR` (MADV_HWPOISON).  The
 * agent's tag replies no signal, so the record leaves outcome ok there.
 */
int fl_host_guest_stmt(struct host *h, const struct fl_sc_stmt *st,
		       const struct fl_val *args, struct fl_obs *obs)
{
	struct host_req rq = { .op = st->verb == FL_SC_TAG ? HOST_OP_TAG : HOST_OP_POISON,
			       .a = { args[0].u, st->nargs > 1 ? args[1].u : 0,
				      st->nargs > 2 ? args[2].u : 0 } };
	struct host_rep rep;
	int err = fl_host_do(h, &rq, NULL, NULL, &rep, obs);

	if (err)
		return err;
	if (rep.ret == -1)
		return fl_backend_setup_failed(obs, NULL, fl_sc_verb_name(st->verb), -rep.err);
	/* the SIGBUS a 6.11+ kernel gives poison's caller (mm/poison.c): an observable */
	fl_host_record_access(obs, &rep, "poisoned", 0);
	if (rep.sig)
		snprintf(obs->summary, sizeof(obs->summary),
			 "poisoned, then SIGBUS (code %d) at 0x%llx", rep.code,
			 (unsigned long long)rep.addr);
	else
		obs->summary[0] = 0;
	return 0;
}

/* `call btrfs_search_ioctl ADDR LEN [items=N] [itemlen=N]`: the real ioctl. */
int fl_host_btrfs_search(struct host *h, const struct fl_sc_stmt *st,
			 const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *items = fl_backend_key(st, args, "items");
	const struct fl_val *itemlen = fl_backend_key(st, args, "itemlen");
	struct host_req rq = { .op = HOST_OP_BTRFS_SEARCH,
			       .a = { args[0].u, args[1].u,
				      items ? items->u : FL_BTRFS_NR_ITEMS,
				      itemlen ? itemlen->u : FL_BTRFS_ITEM_DATA } };
	struct host_rep rep;
	int err;

	if (rq.a[3] < DIR_ITEM_MIN || rq.a[3] > DIR_ITEM_MAX) {
		snprintf(obs->why, sizeof(obs->why),
			 "host backend: line %u: itemlen=%llu: the guest's items are directory "
			 "entries of %u..%u bytes", st->line, (unsigned long long)rq.a[3],
			 DIR_ITEM_MIN, DIR_ITEM_MAX);
		return -EINVAL;
	}
	err = fl_host_do(h, &rq, NULL, NULL, &rep, obs);
	if (err)
		return err;
	if (rep.ret == -1 && rep.code)  /* the layout's directory, not the ioctl */
		return fl_backend_setup_failed(obs, NULL, "btrfs layout directory", -rep.err);
	/* the model's call is search_ioctl itself: its ret is 0 or -errno */
	fl_backend_set_ret(obs, rep.ret == -1 ? -(int64_t)rep.err : rep.ret);
	return 0;
}

/*
 * A call the kernel did not return from within the statement timeout:
 * the agent killed its processes (-ETIMEDOUT), or the whole guest stopped
 * answering (-ETIME, host_stream.c).  That is the kernel's answer, outcome
 * `timeout`, which `diff` holds against the model's `livelock`.
 */
int fl_host_call_timed_out(struct host *h, int err, struct fl_obs *obs)
{
	if (err != -ETIMEDOUT && err != -ETIME)
		return err;
	obs->outcome = FL_OUTCOME_TIMEOUT;
	obs->has_ret = false;
	obs->why[0] = 0;
	snprintf(obs->summary, sizeof(obs->summary), "timeout: no return within %d ms (%s)",
		 h->link.timeout_ms, err == -ETIME
		 ? "the whole judge stopped answering"
		 : "the agent's watchdog killed the scenario's processes");
	return 0;
}
