/*
 * backend/model_pagemap.c - /proc/self/pagemap and clear_refs on the
 * model (mm/pagemap.c): the backend's pagemap operation, for `expect
 * pagemap`, `call clear_refs`, and `call madvise` (madvise as a call whose
 * result is an observable).  Only the soft-dirty type (4) of clear_refs is
 * modelled; the others clear accessed bits no observable shows, and are
 * `unsupported` rather than accepted as if they did something known.
 */
#include <stdio.h>
#include <stdlib.h>

#include <faultline/uffd.h>

#include "backend/model_internal.h"
#include "backend/vec.h"

#define CLEAR_REFS_SOFT_DIRTY 3   /* the word's index: "softdirty" writes 4 */

int fl_model_pagemap(struct fl_backend *b, fl_addr_t addr, enum fl_pm_reader reader,
		     uint64_t *entry, char *why, size_t len)
{
	struct model *m = model_of(b);
	struct fl_mm *mm = fl_current_mm(m->w);
	int err;

	*entry = 0;
	if (!mm)
		return -ESRCH;
	err = fl_pagemap_read(m->w, mm, addr, reader, entry);
	if (err)
		snprintf(why, len, "%s", fl_world_error(m->w));
	return err;
}

int fl_model_clear_refs(struct model *m, const struct fl_sc_stmt *st,
			const struct fl_val *args, struct fl_obs *obs)
{
	struct fl_mm *mm = fl_current_mm(m->w);
	int err;

	(void)st;
	if (args[0].u != CLEAR_REFS_SOFT_DIRTY) {
		err = fl_backend_unsupported(obs);
		snprintf(obs->why, sizeof(obs->why), "clear_refs other than softdirty "
			 "is not modelled");
		return err;
	}
	err = mm ? fl_clear_refs_soft_dirty(m->w, mm) : -ESRCH;
	if (err == -EOPNOTSUPP) {
		err = fl_backend_unsupported(obs);
		snprintf(obs->why, sizeof(obs->why), "%s", fl_world_error(m->w));
		return err;
	}
	if (err)
		return fl_backend_setup_failed(obs, m->w, "clear_refs", err);
	fl_model_set_sys_ret(m, obs, 1);
	fl_model_summary(m, obs, "clear_refs 4: soft-dirty bits cleared, ptes write-protected");
	return 0;
}

/*
 * The result of a memory call that returns 0 or -errno: ret 0, or -1 with
 * the errno; what the model refuses to guess (-EOPNOTSUPP) is
 * unsupported, naming why.
 */
static int model_vm_call_result(struct model *m, struct fl_obs *obs, int err,
				const char *what)
{
	int ret = fl_model_sys_result(m, obs, err);

	if (!ret)
		fl_model_summary(m, obs, "%s = %d", what, err ? -1 : 0);
	return ret;
}

/* `call madvise ADDR LEN ADVICE` (THP advice, a guard over another marker: unsupported) */
int fl_model_madvise(struct model *m, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	struct fl_mm *mm = fl_current_mm(m->w);

	(void)st;
	if (!mm)
		return fl_backend_setup_failed(obs, m->w, "madvise", -ESRCH);
	return model_vm_call_result(m, obs, fl_madvise(m->w, mm, args[0].u, args[1].u,
						       (enum fl_madvise)args[2].u), "madvise");
}

/* `call mlock ADDR LEN`, `call munlock ADDR LEN` (mm/mlock.c) */
int fl_model_mlock(struct model *m, const struct fl_sc_stmt *st,
		   const struct fl_val *args, struct fl_obs *obs)
{
	struct fl_mm *mm = fl_current_mm(m->w);
	bool lock = st->code == FL_SC_MLOCK;
	const char *what = lock ? "mlock" : "munlock";

	if (!mm)
		return fl_backend_setup_failed(obs, m->w, what, -ESRCH);
	return model_vm_call_result(m, obs, fl_mlock(m->w, mm, args[0].u, args[1].u, lock),
				    what);
}

/*
 * `call process_madvise PROC ADVICE IOVEC... [flags=]` (callers/
 * process_madvise.c): PROC must be the current process; another one's
 * address space (the remote hints, CAP_SYS_NICE) is not modelled.
 */
int fl_model_process_madvise(struct model *m, const struct fl_sc_stmt *st,
			     const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *flags = fl_backend_key(st, args, "flags");
	struct fl_process *target = fl_process_find(m->w, fl_backend_name(m->b,
								       (unsigned)args[0].u));
	struct fl_mm *mm = fl_current_mm(m->w);
	struct fl_backend_iovs v;
	long ret;
	int err;

	if (!mm)
		return fl_backend_setup_failed(obs, m->w, "process_madvise", -ESRCH);
	if (target != fl_current(m->w)) {
		err = fl_backend_unsupported(obs);
		snprintf(obs->why, sizeof(obs->why), "process_madvise of another process "
			 "is not modelled");
		return err;
	}
	err = fl_backend_iovs_pos(st, args, 2, &v);
	if (err)
		return fl_backend_setup_failed(obs, m->w, "iovec", err);
	ret = fl_sys_process_madvise(m->w, mm, v.iov, v.nr, (enum fl_madvise)args[1].u,
				     flags ? (unsigned)flags->u : 0);
	fl_backend_iovs_free(&v);
	err = fl_model_sys_result(m, obs, ret);
	if (err)
		return err;
	fl_model_summary(m, obs, "process_madvise = %ld", ret);
	return 0;
}

/*
 * `call pagemap_scan ADDR LEN ...`: ioctl(PAGEMAP_SCAN) on the current
 * process's pagemap (uffd/pagemap_scan.c): ret the regions or -1 errno,
 * copy walk_end - ADDR, the regions for `expect region`.
 */
int fl_model_pagemap_scan(struct model *m, const struct fl_sc_stmt *st,
			  const struct fl_val *args, struct fl_obs *obs)
{
	struct fl_mm *mm = fl_current_mm(m->w);
	struct fl_pm_scan_arg arg;
	struct fl_page_region *vec;
	long n;

	if (!mm)
		return fl_backend_setup_failed(obs, m->w, "pagemap_scan", -ESRCH);
	fl_backend_scan_arg(st, args, &arg);
	vec = calloc(arg.vec_len && arg.vec_len < (1u << 20) ? arg.vec_len : 1, sizeof(*vec));
	if (!vec)
		return fl_backend_setup_failed(obs, m->w, "pagemap_scan", -ENOMEM);
	n = arg.vec_len < (1u << 20) ? fl_pagemap_scan(m->w, mm, &arg, vec) :
		fl_error(m->w, -EOPNOTSUPP, "a vec of 2^20 regions or more is not modelled");
	if (n == -EOPNOTSUPP) {
		free(vec);
		n = fl_backend_unsupported(obs);
		snprintf(obs->why, sizeof(obs->why), "%s", fl_world_error(m->w));
		return (int)n;
	}
	fl_world_clear_error(m->w);
	fl_model_set_sys_ret(m, obs, n);
	n = fl_backend_scan_result(obs, &arg, args[0].u, vec, n);
	free(vec);
	if (arg.walk_end == UINT64_MAX)
		fl_model_summary(m, obs, "PAGEMAP_SCAN refused its argument");
	else
		fl_model_summary(m, obs, "PAGEMAP_SCAN: walk_end +0x%llx",
				 (unsigned long long)(arg.walk_end - args[0].u));
	return (int)n;
}
