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

static int call_gup(struct model *m, const struct fl_sc_stmt *st,
		    const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *as = key_val(st, args, "as");
	struct fl_gup_pages *h = NULL;
	long ret;

	ret = fl_gup_take(m->w, gup_kind(st->code), args[0].u, args[1].u,
			  (unsigned)args[2].u, &h);
	if (!h)
		return setup_failed(m, obs, "gup handle", (int)ret);
	set_ret(obs, ret);
	if (ret < 0)
		model_summary(m, obs, "%s",
			 fl_world_error(m->w));
	else
		model_summary(m, obs,
			 "took %ld of %llu pages", ret, (unsigned long long)args[1].u);
	fl_world_clear_error(m->w);
	m->handle[as->u] = h;
	return 0;
}

static int call_put_pages(struct model *m, const struct fl_sc_stmt *st,
			  const struct fl_val *args, struct fl_obs *obs)
{
	struct fl_gup_pages *h = m->handle[args[0].u];

	(void)st;
	if (!h)
		return setup_failed(m, obs, "put_pages: handle already put", -ENOENT);
	fl_gup_release(m->w, h);
	m->handle[args[0].u] = NULL;
	set_ret(obs, 0);
	return 0;
}

static void note_leak(struct fl_obs *obs, bool leaked)
{
	if (leaked)
		obs->outcome = FL_OUTCOME_LEAK;
}

static int call_read_pages(struct model *m, const struct fl_sc_stmt *st,
			   const struct fl_val *args, struct fl_obs *obs)
{
	struct fl_gup_pages *h = m->handle[args[0].u];
	size_t len = args[2].u;
	bool leaked;
	uint8_t *kbuf;
	long ret;

	(void)st;
	if (!h)
		return setup_failed(m, obs, "read_pages: handle was put", -ENOENT);
	if (len > MODEL_MAX_KBUF)
		return setup_failed(m, obs, "kernel buffer", -E2BIG);
	kbuf = kbuf_alloc(len);
	if (!kbuf)
		return setup_failed(m, obs, "kernel buffer", -ENOMEM);
	ret = fl_gup_read(m->w, h, args[1].u, kbuf, len, &leaked);
	set_ret(obs, ret);
	note_leak(obs, leaked);
	model_summary(m, obs, "read %ld bytes of %ld pages%s",
		 ret, h->nr, leaked ? ": another process's data (leak)" : "");
	obs->kbuf = kbuf;
	obs->kbuf_len = len;
	return 0;
}

/* pread/pwrite of /proc/self/mem: bytes, or -1 with errno. */
static void set_syscall_ret(struct fl_obs *obs, long ret)
{
	if (ret < 0) {
		obs->err = (int)-ret;
		ret = -1;
	}
	set_ret(obs, ret);
}

static int call_proc_mem_read(struct model *m, const struct fl_sc_stmt *st,
			      const struct fl_val *args, struct fl_obs *obs)
{
	size_t len = args[1].u;
	bool leaked;
	uint8_t *kbuf;

	(void)st;
	if (len > MODEL_MAX_KBUF)
		return setup_failed(m, obs, "kernel buffer", -E2BIG);
	kbuf = kbuf_alloc(len);
	if (!kbuf)
		return setup_failed(m, obs, "kernel buffer", -ENOMEM);
	set_syscall_ret(obs, fl_proc_mem_rw(m->w, args[0].u, kbuf, len, false, &leaked));
	fl_world_clear_error(m->w);
	note_leak(obs, leaked);
	obs->kbuf = kbuf;       /* what pread put in the user's buffer */
	obs->kbuf_len = len;
	return 0;
}

static int call_proc_mem_write(struct model *m, const struct fl_sc_stmt *st,
			       const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *data = &args[1];

	(void)st;
	set_syscall_ret(obs, fl_proc_mem_rw(m->w, args[0].u, (void *)data->bytes,
					    data->len, true, NULL));
	fl_world_clear_error(m->w);
	return 0;
}

const struct model_call model_gup_calls[] = {
	{ FL_SC_GET_USER_PAGES, call_gup },
	{ FL_SC_PIN_USER_PAGES, call_gup },
	{ FL_SC_GET_USER_PAGES_FAST, call_gup },
	{ FL_SC_PIN_USER_PAGES_FAST, call_gup },
	{ FL_SC_PUT_PAGES, call_put_pages },
	{ FL_SC_READ_PAGES, call_read_pages },
	{ FL_SC_PROC_MEM_READ, call_proc_mem_read },
	{ FL_SC_PROC_MEM_WRITE, call_proc_mem_write },
	{ 0, NULL }
};
