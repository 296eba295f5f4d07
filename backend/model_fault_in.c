/*
 * backend/model_fault_in.c - the fault-in calls of a scenario on the model:
 * `call fault_in_readable ADDR LEN`, fault_in_writeable,
 * fault_in_safe_writeable and fault_in_subpage_writeable.
 *
 * ret is the helper's return value in the API of the world's kernel
 * (uaccess/fault_in.c):
 *   <= 5.15  fault_in_readable/writeable run fault_in_pages_* and return
 *            0 or -EFAULT, as the code of those kernels saw it;
 *   >= 5.16  the bytes not faulted in.
 * A helper the world's kernel does not have is refused, naming the version
 * it appeared in, rather than answered with a later kernel's behaviour.
 */
#include <stdio.h>

#include <faultline/fault_in.h>

#include "backend/model_internal.h"

/* The helpers that some kernels lack, and the era that brought each. */
static const struct {
	unsigned code;
	const char *name;
	enum fl_era_id era;
} helpers[] = {
	{ FL_SC_FAULT_IN_SAFE_WRITEABLE, "fault_in_safe_writeable",
	  FL_ERA_FAULT_IN_SAFE_WRITEABLE },
	{ FL_SC_FAULT_IN_SUBPAGE_WRITEABLE, "fault_in_subpage_writeable",
	  FL_ERA_FAULT_IN_SUBPAGE },
};

/* -ENOSYS with "X appeared in 5.19 (da32b5817253); this world is 5.18". */
static int missing_helper(struct model *m, const struct fl_sc_stmt *st,
			  struct fl_obs *obs)
{
	char have[24], since[24];
	size_t k;

	for (k = 0; k < sizeof(helpers) / sizeof(helpers[0]); k++) {
		const struct fl_era *e = fl_era(helpers[k].era);

		if (helpers[k].code != st->code || fl_since(m->w, helpers[k].era))
			continue;
		snprintf(obs->why, sizeof(obs->why),
			 "%s appeared in %s%s%s (%s); this world is %s",
			 helpers[k].name, fl_kver_format(e->since, since, sizeof(since)),
			 e->rc ? "-" : "", e->rc ? e->rc : "", e->commit,
			 fl_kver_format(fl_world_kver(m->w), have, sizeof(have)));
		return -ENOSYS;
	}
	return 0;
}

int fl_model_fault_in(struct model *m, const struct fl_sc_stmt *st,
			 const struct fl_val *args, struct fl_obs *obs)
{
	fl_addr_t uaddr = args[0].u;
	size_t len = args[1].u;
	bool old_api = !fl_since(m->w, FL_ERA_FAULT_IN_SIZE_T);
	int err = missing_helper(m, st, obs);

	if (err)
		return err;
	switch (st->code) {
	case FL_SC_FAULT_IN_READABLE:
		if (old_api)
			fl_backend_set_ret(obs, fl_fault_in_pages_readable(m->w, uaddr, len));
		else
			fl_backend_set_ret(obs, (int64_t)fl_fault_in_readable(m->w, uaddr, len));
		break;
	case FL_SC_FAULT_IN_WRITEABLE:
		if (old_api)
			fl_backend_set_ret(obs, fl_fault_in_pages_writeable(m->w, uaddr, len));
		else
			fl_backend_set_ret(obs, (int64_t)fl_fault_in_writeable(m->w, uaddr, len));
		break;
	case FL_SC_FAULT_IN_SAFE_WRITEABLE:
		fl_backend_set_ret(obs, (int64_t)fl_fault_in_safe_writeable(m->w, uaddr, len));
		break;
	case FL_SC_FAULT_IN_SUBPAGE_WRITEABLE:
		fl_backend_set_ret(obs, (int64_t)fl_fault_in_subpage_writeable(m->w, uaddr, len));
		break;
	}
	fl_model_summary(m, obs, "%s",
		 old_api ? "0 or -EFAULT (fault_in_pages_*, <= 5.15)"
			 : "bytes not faulted in (>= 5.16)");
	return 0;
}

