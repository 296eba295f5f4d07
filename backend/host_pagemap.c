/*
 * backend/host_pagemap.c - /proc/self/pagemap and clear_refs on the
 * running kernel: the scenario process reads its own pagemap entry (the
 * backend's pagemap operation, for `expect pagemap`) and writes its own
 * clear_refs (`call clear_refs`); `call madvise` is its madvise(2) with the
 * result kept.  backend/model_pagemap.c is the model's
 * side; mm/pagemap.c says what the bits mean.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/uffd.h>

#include "backend/host_internal.h"

_Static_assert(HOST_PM_READ_BITS == FL_PM_READ_BITS && HOST_PM_READ_PRIV == FL_PM_READ_PRIV &&
	       HOST_PM_READ_UNPRIV == FL_PM_READ_UNPRIV, "HOST_OP_PAGEMAP readers");

/* `expect pagemap`: the current process's entry of the page at ADDR. */
int fl_host_pagemap(struct fl_backend *b, fl_addr_t addr, enum fl_pm_reader reader,
		    uint64_t *entry, char *why, size_t len)
{
	struct host *h = host_of(b);
	struct host_req rq = { .op = HOST_OP_PAGEMAP, .a = { addr, reader } };
	struct host_rep rep;
	struct fl_obs obs = { 0 };
	int err;

	*entry = 0;
	if (h->refusal[0])
		return -EOPNOTSUPP;
	err = fl_host_request(h, h->cur, &rq, NULL, NULL, &rep, NULL, &obs);
	if (err) {
		snprintf(why, len, "%s", obs.why);
		return err;
	}
	if (rep.ret == -1 && rep.err == EPERM && reader == FL_PM_READ_PRIV) {
		snprintf(why, len, "the scenario process has no CAP_SYS_ADMIN: "
			 "its pagemap PFNs read 0 (run as root, or write cap=off)");
		return -EOPNOTSUPP;
	}
	if (rep.ret == -1) {
		snprintf(why, len, "reading /proc/self/pagemap: %s", strerror(rep.err));
		return -rep.err;
	}
	*entry = rep.addr;
	return 0;
}

/* One request to the scenario process whose reply is the call's result. */
static int host_call_kept(struct host *h, const struct host_req *rq, struct fl_obs *obs)
{
	struct host_rep rep;
	int err = fl_host_do(h, rq, NULL, NULL, &rep, obs);

	if (!err)
		fl_host_set_result(obs, &rep);
	return err;
}

/* clear_refs TYPE: write the type's digit; ret the bytes written. */
int fl_host_clear_refs(struct host *h, const struct fl_sc_stmt *st,
		       const struct fl_val *args, struct fl_obs *obs)
{
	struct host_req rq = { .op = HOST_OP_CLEAR_REFS, .a = { args[0].u + 1 } };

	(void)st;
	return host_call_kept(h, &rq, obs);
}

/* `call madvise ADDR LEN ADVICE`: the scenario process's madvise(2). */
int fl_host_madvise(struct host *h, const struct fl_sc_stmt *st,
		    const struct fl_val *args, struct fl_obs *obs)
{
	struct host_req rq = { .op = HOST_OP_MADVISE, .a = { args[0].u, args[1].u, args[2].u } };

	(void)st;
	return host_call_kept(h, &rq, obs);
}

/* `call mlock/munlock ADDR LEN` in the scenario process, the result kept. */
int fl_host_mlock(struct host *h, const struct fl_sc_stmt *st,
		  const struct fl_val *args, struct fl_obs *obs)
{
	struct host_req rq = { .op = HOST_OP_MLOCK,
			       .a = { args[0].u, args[1].u, st->code == FL_SC_MLOCK } };

	return host_call_kept(h, &rq, obs);
}

/*
 * `call process_madvise PROC ADVICE IOVEC... [flags=]`: process_madvise(2)
 * in the current scenario process through a pidfd_open() of PROC's pid.
 */
int fl_host_process_madvise(struct host *h, const struct fl_sc_stmt *st,
			    const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *flags = fl_backend_key(st, args, "flags");
	struct host_req rq = { .op = HOST_OP_PROCESS_MADVISE };

	rq.a[3] = (uint64_t)h->link.procs[args[0].u].pid;
	rq.a[4] = args[1].u | (flags ? (flags->u & 0xffffffffu) << 32 : 0);
	return fl_host_vec_do(h, st, args, 2, &rq, obs);
}

/* `call pagemap_scan ADDR LEN ...`: the ioctl in the scenario process. */
int fl_host_pagemap_scan(struct host *h, const struct fl_sc_stmt *st,
			 const struct fl_val *args, struct fl_obs *obs)
{
	struct host_req rq = { .op = HOST_OP_PAGEMAP_SCAN };
	struct fl_pm_scan_arg arg;
	struct host_rep rep;
	uint8_t *buf = NULL;
	long n;
	int err;

	fl_backend_scan_arg(st, args, &arg);
	rq.dlen = sizeof(arg);
	err = fl_host_request(h, h->cur, &rq, NULL, &arg, &rep, &buf, obs);
	if (err)
		return err;
	fl_host_set_result(obs, &rep);
	n = rep.ret > 0 ? (long)rep.ret : 0;
	if (rep.dlen < sizeof(uint64_t) + (size_t)n * sizeof(struct fl_page_region)) {
		free(buf);
		return fl_backend_setup_failed(obs, NULL, "pagemap_scan", -EPROTO);
	}
	memcpy(&arg.walk_end, buf, sizeof(arg.walk_end));
	err = fl_backend_scan_result(obs, &arg, args[0].u,
				     (const struct fl_page_region *)(const void *)(buf + 8), n);
	free(buf);
	return err;
}
