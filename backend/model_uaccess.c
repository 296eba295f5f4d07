/*
 * backend/model_uaccess.c - the uaccess calls of a scenario on the model:
 * copy_{to,from}_user and their _inatomic/_nofault variants, clear_user,
 * the string accessors and get_user/put_user.  Kernel-side buffers are
 * 64-byte aligned and start as 0xaa, so `expect kbuf ... unchanged` can
 * tell bytes the call wrote from bytes it left.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/uaccess.h>

#include "backend/model_internal.h"


/* A kernel buffer: 64-byte aligned, as kmalloc'ed buffers are (arch shapes
 * depend on the kernel side's alignment). */
uint8_t *kbuf_alloc(size_t len)
{
	size_t sz = (len + 63) & ~(size_t)63;
	uint8_t *p = aligned_alloc(64, sz ? sz : 64);

	if (p)
		memset(p, 0xaa, sz ? sz : 64);
	return p;
}

/*
 * A kernel buffer that does not outlive the call (copy_to_user's source):
 * in SMALL (KBUF_SMALL bytes, 64-byte aligned) when it fits, as
 * kbuf_alloc() would fill it, else allocated; free it with kbuf_put().
 * An explored case's copy is a few bytes, and the allocation was a visible
 * part of its cost.
 */
#define KBUF_SMALL 512

static uint8_t *kbuf_get(uint8_t *small, size_t len)
{
	size_t sz = (len + 63) & ~(size_t)63;

	if (sz > KBUF_SMALL)
		return kbuf_alloc(len);
	memset(small, 0xaa, sz ? sz : 64);
	return small;
}

static void kbuf_put(uint8_t *kbuf, uint8_t *small)
{
	if (kbuf != small)
		free(kbuf);
}

void set_ret(struct fl_obs *obs, int64_t ret)
{
	obs->has_ret = true;
	obs->ret = ret;
}

/* copy_to_user and its variants: the kernel source is src=DATA (default seq). */
static int call_copy_to(struct model *m, const struct fl_sc_stmt *st,
			const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *src = key_val(st, args, "src");
	fl_addr_t to = args[0].u;
	size_t n = args[1].u;
	_Alignas(64) uint8_t small[KBUF_SMALL];
	uint8_t *kbuf;
	size_t i;

	if (n > MODEL_MAX_KBUF)
		return setup_failed(m, obs, "kernel buffer", -E2BIG);
	kbuf = kbuf_get(small, n);
	if (!kbuf)
		return setup_failed(m, obs, "kernel buffer", -ENOMEM);
	/* the source chosen once, not per byte: this runs for every explored copy */
	if (src && n)
		memcpy(kbuf, src->bytes, n);
	else
		for (i = 0; i < n; i++)
			kbuf[i] = (uint8_t)i;
	switch (st->code) {
	case FL_SC_COPY_TO_USER:
		set_ret(obs, (int64_t)fl_copy_to_user(m->w, to, kbuf, n));
		break;
	case FL_SC_COPY_TO_USER_INATOMIC:
		set_ret(obs, (int64_t)fl_copy_to_user_inatomic(m->w, to, kbuf, n));
		break;
	case FL_SC_COPY_TO_USER_NOFAULT:
		set_ret(obs, fl_copy_to_user_nofault(m->w, to, kbuf, n));
		break;
	case FL_SC_CLEAR_USER:
		set_ret(obs, (int64_t)fl_clear_user(m->w, to, n));
		break;
	}
	kbuf_put(kbuf, small);
	return 0;
}

/* Describe the kernel buffer after a copy from user: the zero-fill shows. */
static void summarize_kbuf(struct model *m, struct fl_obs *obs, const uint8_t *kbuf,
			   size_t n)
{
	size_t i, zeros = 0, untouched = 0;

	for (i = 0; i < n; i++) {
		zeros += kbuf[i] == 0;
		untouched += kbuf[i] == 0xaa;
	}
	model_summary(m, obs,
		 "kernel buffer: %zu bytes, %zu zero, %zu untouched (0xaa)",
		 n, zeros, untouched);
}

static int call_copy_from(struct model *m, const struct fl_sc_stmt *st,
			  const struct fl_val *args, struct fl_obs *obs)
{
	fl_addr_t from = args[0].u;
	size_t n = args[1].u;
	uint8_t *kbuf;

	if (n > MODEL_MAX_KBUF)
		return setup_failed(m, obs, "kernel buffer", -E2BIG);
	kbuf = kbuf_alloc(n);
	if (!kbuf)
		return setup_failed(m, obs, "kernel buffer", -ENOMEM);
	switch (st->code) {
	case FL_SC_COPY_FROM_USER:
		set_ret(obs, (int64_t)fl_copy_from_user(m->w, kbuf, from, n));
		break;
	case FL_SC_COPY_FROM_USER_INATOMIC:
		set_ret(obs, (int64_t)fl_copy_from_user_inatomic(m->w, kbuf, from, n));
		break;
	case FL_SC_COPY_FROM_USER_NOFAULT:
		set_ret(obs, fl_copy_from_user_nofault(m->w, kbuf, from, n));
		break;
	}
	summarize_kbuf(m, obs, kbuf, n);
	obs->kbuf = kbuf;       /* the step owns it now: `expect kbuf` */
	obs->kbuf_len = n;
	return 0;
}

static int call_string(struct model *m, const struct fl_sc_stmt *st,
		       const struct fl_val *args, struct fl_obs *obs)
{
	int64_t count = args[1].s;
	char *kbuf;

	if (st->code == FL_SC_STRNLEN_USER) {
		set_ret(obs, fl_strnlen_user(m->w, args[0].u, (long)count));
		return 0;
	}
	if (count > (int64_t)MODEL_MAX_KBUF)
		return setup_failed(m, obs, "kernel buffer", -E2BIG);
	kbuf = (char *)kbuf_alloc(count > 0 ? (size_t)count + 1 : 1);
	if (!kbuf)
		return setup_failed(m, obs, "kernel buffer", -ENOMEM);
	set_ret(obs, fl_strncpy_from_user(m->w, kbuf, args[0].u, (long)count));
	obs->kbuf = (uint8_t *)kbuf;
	obs->kbuf_len = count > 0 ? (size_t)count + 1 : 1;
	return 0;
}

static int call_getput(struct model *m, const struct fl_sc_stmt *st,
		       const struct fl_val *args, struct fl_obs *obs)
{
	size_t size = args[1].u;
	uint64_t v = 0;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return setup_failed(m, obs, st->code == FL_SC_GET_USER ?
				    "get_user" : "put_user", -EINVAL);
	if (st->code == FL_SC_GET_USER) {
		set_ret(obs, fl_get_user(m->w, &v, args[0].u, size));
		model_summary(m, obs, "value 0x%llx",
			 (unsigned long long)v);
		return 0;
	}
	v = (uint64_t)args[2].s;
	set_ret(obs, fl_put_user(m->w, &v, args[0].u, size));
	return 0;
}

const struct model_call model_uaccess_calls[] = {
	{ FL_SC_COPY_TO_USER, call_copy_to },
	{ FL_SC_COPY_TO_USER_INATOMIC, call_copy_to },
	{ FL_SC_COPY_TO_USER_NOFAULT, call_copy_to },
	{ FL_SC_CLEAR_USER, call_copy_to },
	{ FL_SC_COPY_FROM_USER, call_copy_from },
	{ FL_SC_COPY_FROM_USER_INATOMIC, call_copy_from },
	{ FL_SC_COPY_FROM_USER_NOFAULT, call_copy_from },
	{ FL_SC_STRNCPY_FROM_USER, call_string },
	{ FL_SC_STRNLEN_USER, call_string },
	{ FL_SC_GET_USER, call_getput },
	{ FL_SC_PUT_USER, call_getput },
	{ 0, NULL }
};
