/*
 * backend/host_mremap.c - the `mremap` statement on the running kernel
 * (backend/model_mremap.c is the model's side).
 */
#include <stdio.h>
#include <sys/mman.h>

#include "backend/host_internal.h"

/*
 * mremap ADDR OLDLEN NEWLEN [at=] [flags=] [as=NEWMAP]: the system call,
 * with the model's flags (backend/model_mremap.c): MREMAP_MAYMOVE, plus
 * MREMAP_FIXED with at=, or flags=N as written.  ret is the new address
 * (or -1 with errno); as= names it, so NEWMAP+off resolves to where the
 * kernel put it, as map_base() does for mmap.
 */
int fl_host_mremap(struct host *h, const struct fl_sc_stmt *st,
		   const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *at = fl_backend_key(st, args, "at");
	const struct fl_val *flags = fl_backend_key(st, args, "flags");
	const struct fl_val *as = fl_backend_key(st, args, "as");
	struct host_req rq = {
		.op = HOST_OP_MREMAP,
		.a = { args[0].u, args[1].u, args[2].u,
		       flags ? flags->u : MREMAP_MAYMOVE | (at ? MREMAP_FIXED : 0),
		       at ? at->u : 0 },
	};
	struct host_rep rep;
	/* DONTUNMAP keeps the old range mapped: the whole new one is more */
	uint64_t more = rq.a[3] & MREMAP_DONTUNMAP ? args[2].u
			: args[2].u > args[1].u ? args[2].u - args[1].u : 0;
	int err = fl_host_charge(h, h->cur, more, obs);

	if (!err)
		err = fl_host_do(h, &rq, NULL, NULL, &rep, obs);
	if (err)
		return err;
	fl_host_set_result(obs, &rep);
	if (!obs->has_ret || rep.ret == -1)
		return 0;
	if (as)
		h->map_base[as->u] = (fl_addr_t)rep.ret;
	snprintf(obs->summary, sizeof(obs->summary), "mremap: now at 0x%llx",
		 (unsigned long long)rep.ret);
	return 0;
}

