/*
 * backend/model_gup.c - the GUP calls of a scenario on the model:
 * get_user_pages, pin_user_pages and their _fast variants (as=H keeps the
 * pages), put_pages H, read_pages H OFF LEN (a kernel-side read of the
 * folios H holds: what a pipe reader of a vmspliced page would see), and
 * /proc/self/mem reads and writes.
 *
 * Results: the GUP calls return what the kernel function returns (pages
 * taken, or -errno: `expect ret -EFAULT`); proc_mem_* are system calls
 * (bytes, or -1 with errno).  A read that shows another process's
 * post-fork private bytes has outcome `leak` (gup.h, the leak checker) and
 * says so in the trace.
 */
#include <stdio.h>
#include <stdlib.h>

#include <faultline/gup.h>

#include "backend/model_internal.h"

static enum fl_gup_kind gup_kind(unsigned code)
{
	switch (code) {
	case FL_SC_GET_USER_PAGES:
		return FL_GUP_GET;
	case FL_SC_PIN_USER_PAGES:
		return FL_GUP_PIN;
	case FL_SC_GET_USER_PAGES_FAST:
		return FL_GUP_GET_FAST;
	default:
		return FL_GUP_PIN_FAST;
	}
}

int fl_model_gup(struct model *m, const struct fl_sc_stmt *st,
		    const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *as = fl_backend_key(st, args, "as");
	struct fl_gup_pages *h = NULL;
	long ret;

	ret = fl_gup_take(m->w, gup_kind(st->code), args[0].u, args[1].u,
			  (unsigned)args[2].u, &h);
	if (!h)
		return fl_backend_setup_failed(obs, m->w, "gup handle", (int)ret);
	fl_backend_set_ret(obs, ret);
	if (ret < 0)
		fl_model_summary(m, obs, "%s",
			 fl_world_error(m->w));
	else
		fl_model_summary(m, obs,
			 "took %ld of %llu pages", ret, (unsigned long long)args[1].u);
	fl_world_clear_error(m->w);
	m->handle[as->u] = h;
	return 0;
}

int fl_model_put_pages(struct model *m, const struct fl_sc_stmt *st,
			  const struct fl_val *args, struct fl_obs *obs)
{
	struct fl_gup_pages *h = m->handle[args[0].u];

	(void)st;
	if (!h)
		return fl_backend_setup_failed(obs, m->w, "put_pages: handle already put", -ENOENT);
	fl_gup_release(m->w, h);
	m->handle[args[0].u] = NULL;
	fl_backend_set_ret(obs, 0);
	return 0;
}

static void note_leak(struct fl_obs *obs, bool leaked)
{
	if (leaked)
		obs->outcome = FL_OUTCOME_LEAK;
}

int fl_model_read_pages(struct model *m, const struct fl_sc_stmt *st,
			   const struct fl_val *args, struct fl_obs *obs)
{
	struct fl_gup_pages *h = m->handle[args[0].u];
	size_t len = args[2].u;
	bool leaked;
	uint8_t *kbuf;
	long ret;

	(void)st;
	if (!h)
		return fl_backend_setup_failed(obs, m->w, "read_pages: handle was put", -ENOENT);
	if (len > MODEL_MAX_KBUF)
		return fl_backend_setup_failed(obs, m->w, "kernel buffer", -E2BIG);
	kbuf = fl_backend_kbuf_alloc(len);
	if (!kbuf)
		return fl_backend_setup_failed(obs, m->w, "kernel buffer", -ENOMEM);
	ret = fl_gup_read(m->w, h, args[1].u, kbuf, len, &leaked);
	fl_backend_set_ret(obs, ret);
	note_leak(obs, leaked);
	fl_model_summary(m, obs, "read %ld bytes of %ld pages%s",
		 ret, h->nr, leaked ? ": another process's data (leak)" : "");
	obs->kbuf = kbuf;
	obs->kbuf_len = len;
	return 0;
}

/* pread/pwrite of /proc/self/mem: bytes, or -1 with errno. */
int fl_model_proc_mem_read(struct model *m, const struct fl_sc_stmt *st,
			      const struct fl_val *args, struct fl_obs *obs)
{
	size_t len = args[1].u;
	bool leaked;
	uint8_t *kbuf;

	(void)st;
	if (len > MODEL_MAX_KBUF)
		return fl_backend_setup_failed(obs, m->w, "kernel buffer", -E2BIG);
	kbuf = fl_backend_kbuf_alloc(len);
	if (!kbuf)
		return fl_backend_setup_failed(obs, m->w, "kernel buffer", -ENOMEM);
	fl_backend_sys_ret(obs, fl_proc_mem_rw(m->w, args[0].u, kbuf, len, false, &leaked));
	fl_world_clear_error(m->w);
	note_leak(obs, leaked);
	obs->kbuf = kbuf;       /* what pread put in the user's buffer */
	obs->kbuf_len = len;
	return 0;
}

int fl_model_proc_mem_write(struct model *m, const struct fl_sc_stmt *st,
			       const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *data = &args[1];

	(void)st;
	fl_backend_sys_ret(obs, fl_proc_mem_rw(m->w, args[0].u, (void *)data->bytes,
					    data->len, true, NULL));
	fl_world_clear_error(m->w);
	return 0;
}

