/*
 * backend/model_mremap.c - the `mremap ADDR OLDLEN NEWLEN [at=ADDR]
 * [flags=N] [as=NAME]` statement on the model.
 *
 * Flags default to MREMAP_MAYMOVE, plus MREMAP_FIXED with at=; flags=N
 * gives the raw value instead (to reach the kernel's -EINVAL and -ENOMEM).
 * The result follows the syscall convention: ret is the new address, or
 * -1 with the errno.  as=NAME names the mapping at its new address.
 */
#include <stdio.h>

#include "backend/model_internal.h"

int fl_model_mremap(struct model *m, const struct fl_sc_stmt *st,
		 const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *at = fl_backend_key(st, args, "at");
	const struct fl_val *flags = fl_backend_key(st, args, "flags");
	const struct fl_val *as = fl_backend_key(st, args, "as");
	unsigned f = FL_MREMAP_MAYMOVE | (at ? FL_MREMAP_FIXED : 0);
	long ret;

	if (flags)
		f = (unsigned)flags->u;
	ret = fl_mremap(m->w, fl_current_mm(m->w), args[0].u, args[1].u, args[2].u, f,
			at ? at->u : 0);
	if (ret == -EOPNOTSUPP) {      /* not modelled: refused, naming why */
		ret = fl_backend_unsupported(obs);
		snprintf(obs->why, sizeof(obs->why), "%s", fl_world_error(m->w));
		return (int)ret;
	}
	fl_backend_sys_ret(obs, ret);
	if (ret < 0) {
		fl_model_summary(m, obs, "mremap: errno %d", (int)-ret);
		return 0;
	}
	if (as)
		m->map_base[as->u] = (fl_addr_t)ret;
	fl_model_summary(m, obs, "mremap: now at 0x%lx",
		 (unsigned long)ret);
	return 0;
}
