/*
 * backend/common.c - what both backends share: reading a statement's
 * evaluated arguments, and writing its observables the same way.
 *
 * Conventions (struct fl_obs, include/faultline/backend.h)
 *   kernel function  ret is what the function returns (`expect ret -EFAULT`):
 *                    fl_backend_set_ret().
 *   system call      ret is the return value, or -1 with obs->err the
 *                    positive errno (`expect errno EFAULT`), as the host
 *                    backend sees the real call: fl_backend_sys_ret().
 *   not modelled     -EOPNOTSUPP with "not modelled yet" in obs->why; the
 *                    runner names the statement (exit 3).
 *   set-up failure   a negative errno with "WHAT failed: REASON" in
 *                    obs->why (a mapping the world cannot take).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/callers.h>

#include "backend/common.h"
#include <faultline/uffd.h>

const struct fl_val *fl_backend_key(const struct fl_sc_stmt *st,
				    const struct fl_val *args, const char *name)
{
	unsigned i;

	for (i = 0; i < st->nkeys; i++)
		if (!strcmp(st->keys[i].name, name))
			return &args[st->nargs + i];
	return NULL;
}

const char *fl_backend_rights(const struct fl_sc_stmt *st, const struct fl_val *args,
			      uint64_t *rights)
{
	unsigned i, n = 0;

	*rights = 0;
	for (i = 0; i < st->nkeys; i++) {
		const struct fl_val *v = &args[st->nargs + i];
		uint32_t r;

		if (strcmp(st->keys[i].name, "rights"))
			continue;
		r = FL_OBS_RIGHT(v->u, v->end == FL_SC_END_1 || v->end == FL_SC_END_WRITE);
		if (n == FL_OBS_RIGHTS || r >= 0xff)
			return "rights= past 8 descriptors, or naming an object past the 127th name,";
		*rights |= (uint64_t)(r + 1) << (8 * n++);
	}
	if (n && fl_backend_key(st, args, "control"))
		return "rights= with control= (the message is built in a buffer of the backend's)";
	if (n && fl_backend_key(st, args, "controllen") &&
	    fl_backend_key(st, args, "controllen")->u > FL_RIGHTS_CTL_MAX)
		return "controllen= past 44 with rights= (past the message built)";
	return NULL;
}

void fl_backend_dir_shape(const struct fl_sc_stmt *st, const struct fl_val *args,
			  struct fl_dir_shape *s)
{
	const struct fl_val *len = fl_backend_key(st, args, "namelen");
	const struct fl_val *dirs = fl_backend_key(st, args, "subdirs");
	const struct fl_val *links = fl_backend_key(st, args, "symlinks");
	const struct fl_val *rm = fl_backend_key(st, args, "removed");

	s->nents = st->args[1].kind ? (unsigned)args[1].u : 0;
	s->namelen = len ? (unsigned)len->u : FL_DIR_NAMELEN;
	s->subdirs = dirs ? (unsigned)dirs->u : 0;
	s->symlinks = links ? (unsigned)links->u : 0;
	s->removed = rm && rm->u;
}

const struct fl_val *fl_backend_task_key(const struct fl_sc_stmt *st,
					 const struct fl_val *args)
{
	unsigned i;

	for (i = 0; i < st->nkeys; i++)
		if (st->keys[i].arg.kind == FL_SC_NEW_TASK)
			return &args[st->nargs + i];
	return NULL;
}

const char *fl_backend_name(const struct fl_backend *b, unsigned id)
{
	return b->sc->names[id].text;
}

/* The runner names the statement: "unsupported: call read (not modelled yet)". */
int fl_backend_unsupported(struct fl_obs *obs)
{
	snprintf(obs->why, sizeof(obs->why), "not modelled yet");
	return -EOPNOTSUPP;
}

int fl_backend_setup_failed(struct fl_obs *obs, struct fl_world *w,
			    const char *what, int err)
{
	const char *detail = w ? fl_world_error(w) : "";

	snprintf(obs->why, sizeof(obs->why), "%s failed: %s%s%s", what,
		 strerror(-err), detail[0] ? ": " : "", detail);
	if (w)
		fl_world_clear_error(w);
	return err;
}

void fl_backend_set_ret(struct fl_obs *obs, int64_t ret)
{
	obs->has_ret = true;
	obs->ret = ret;
}

void fl_backend_sys_ret(struct fl_obs *obs, long ret)
{
	fl_backend_set_ret(obs, ret < 0 ? -1 : ret);
	obs->err = ret < 0 ? (int)-ret : 0;
}

/* 64-byte aligned: the arch shapes depend on the kernel side's alignment. */
uint8_t *fl_backend_kbuf_alloc(size_t len)
{
	size_t sz = (len + 63) & ~(size_t)63;
	uint8_t *p = aligned_alloc(64, sz ? sz : 64);

	if (p)
		memset(p, 0xaa, sz ? sz : 64);
	return p;
}

void fl_backend_scan_arg(const struct fl_sc_stmt *st, const struct fl_val *args,
			 struct fl_pm_scan_arg *arg)
{
	static const char *const cats[] = { "inverted", "require", "anyof", "return" };
	uint64_t *cat_fields[] = { &arg->category_inverted, &arg->category_mask,
				   &arg->category_anyof_mask, &arg->return_mask };
	const struct fl_val *k;
	size_t i;

	memset(arg, 0, sizeof(*arg));
	k = fl_backend_key(st, args, "size");
	arg->size = k ? k->u : FL_PM_SCAN_ARG_SIZE;
	k = fl_backend_key(st, args, "flags");
	arg->flags = k ? k->u : 0;
	arg->start = args[0].u;
	arg->end = args[0].u + args[1].u;
	arg->walk_end = UINT64_MAX;
	k = fl_backend_key(st, args, "vec");
	arg->vec_len = k ? k->u : 0;
	arg->vec = k != NULL;
	k = fl_backend_key(st, args, "vec_null");
	if (k && k->u)
		arg->vec = 0;
	k = fl_backend_key(st, args, "max_pages");
	arg->max_pages = k ? k->u : 0;
	for (i = 0; i < sizeof(cats) / sizeof(cats[0]); i++)
		if ((k = fl_backend_key(st, args, cats[i])))
			*cat_fields[i] = k->u;
}

int fl_backend_scan_result(struct fl_obs *obs, const struct fl_pm_scan_arg *arg,
			   fl_addr_t start, const struct fl_page_region *vec, long n)
{
	size_t len = n > 0 ? (size_t)n * sizeof(*vec) : 0;
	struct fl_page_region *out;
	long i;

	if (arg->walk_end != UINT64_MAX) {
		obs->has_copy = true;
		obs->copy = (int64_t)(arg->walk_end - start);
	}
	if (n <= 0)
		return 0;
	obs->kbuf = fl_backend_kbuf_alloc(len);
	if (!obs->kbuf)
		return -ENOMEM;
	obs->kbuf_len = len;
	out = (struct fl_page_region *)(void *)obs->kbuf;
	for (i = 0; i < n; i++) {
		out[i].start = vec[i].start - start;
		out[i].end = vec[i].end - start;
		out[i].categories = vec[i].categories;
	}
	return 0;
}
