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

/*
 * A kernel buffer that does not outlive the call (copy_to_user's source):
 * in SMALL (KBUF_SMALL bytes, 64-byte aligned) when it fits, as
 * fl_backend_kbuf_alloc() would fill it, else allocated; free it with kbuf_put().
 * An explored case's copy is a few bytes, and the allocation was a visible
 * part of its cost.
 */
#define KBUF_SMALL 512

static uint8_t *kbuf_get(uint8_t *small, size_t len)
{
	size_t sz = (len + 63) & ~(size_t)63;

	if (sz > KBUF_SMALL)
		return fl_backend_kbuf_alloc(len);
	memset(small, 0xaa, sz ? sz : 64);
	return small;
}

static void kbuf_put(uint8_t *kbuf, uint8_t *small)
{
	if (kbuf != small)
		free(kbuf);
}

/* copy_to_user and its variants: the kernel source is src=DATA (default seq). */
int fl_model_copy_to(struct model *m, const struct fl_sc_stmt *st,
			const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *src = fl_backend_key(st, args, "src");
	fl_addr_t to = args[0].u;
	size_t n = args[1].u;
	_Alignas(64) uint8_t small[KBUF_SMALL];
	uint8_t *kbuf;
	size_t i;

	if (n > MODEL_MAX_KBUF)
		return fl_backend_setup_failed(obs, m->w, "kernel buffer", -E2BIG);
	kbuf = kbuf_get(small, n);
	if (!kbuf)
		return fl_backend_setup_failed(obs, m->w, "kernel buffer", -ENOMEM);
	/* the source chosen once, not per byte: this runs for every explored copy */
	if (src && n)
		memcpy(kbuf, src->bytes, n);
	else
		for (i = 0; i < n; i++)
			kbuf[i] = (uint8_t)i;
	switch (st->code) {
	case FL_SC_COPY_TO_USER:
		fl_backend_set_ret(obs, (int64_t)fl_copy_to_user(m->w, to, kbuf, n));
		break;
	case FL_SC_COPY_TO_USER_INATOMIC:
		fl_backend_set_ret(obs, (int64_t)fl_copy_to_user_inatomic(m->w, to, kbuf, n));
		break;
	case FL_SC_COPY_TO_USER_NOFAULT:
		fl_backend_set_ret(obs, fl_copy_to_user_nofault(m->w, to, kbuf, n));
		break;
	case FL_SC_CLEAR_USER:
		fl_backend_set_ret(obs, (int64_t)fl_clear_user(m->w, to, n));
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
	fl_model_summary(m, obs,
		 "kernel buffer: %zu bytes, %zu zero, %zu untouched (0xaa)",
		 n, zeros, untouched);
}

int fl_model_copy_from(struct model *m, const struct fl_sc_stmt *st,
			  const struct fl_val *args, struct fl_obs *obs)
{
	fl_addr_t from = args[0].u;
	size_t n = args[1].u;
	uint8_t *kbuf;

	if (n > MODEL_MAX_KBUF)
		return fl_backend_setup_failed(obs, m->w, "kernel buffer", -E2BIG);
	kbuf = fl_backend_kbuf_alloc(n);
	if (!kbuf)
		return fl_backend_setup_failed(obs, m->w, "kernel buffer", -ENOMEM);
	switch (st->code) {
	case FL_SC_COPY_FROM_USER:
		fl_backend_set_ret(obs, (int64_t)fl_copy_from_user(m->w, kbuf, from, n));
		break;
	case FL_SC_COPY_FROM_USER_INATOMIC:
		fl_backend_set_ret(obs, (int64_t)fl_copy_from_user_inatomic(m->w, kbuf, from, n));
		break;
	case FL_SC_COPY_FROM_USER_NOFAULT:
		fl_backend_set_ret(obs, fl_copy_from_user_nofault(m->w, kbuf, from, n));
		break;
	}
	summarize_kbuf(m, obs, kbuf, n);
	obs->kbuf = kbuf;       /* the step owns it now: `expect kbuf` */
	obs->kbuf_len = n;
	return 0;
}

int fl_model_string(struct model *m, const struct fl_sc_stmt *st,
		       const struct fl_val *args, struct fl_obs *obs)
{
	int64_t count = args[1].s;
	char *kbuf;

	if (st->code == FL_SC_STRNLEN_USER) {
		fl_backend_set_ret(obs, fl_strnlen_user(m->w, args[0].u, (long)count));
		return 0;
	}
	if (count > (int64_t)MODEL_MAX_KBUF)
		return fl_backend_setup_failed(obs, m->w, "kernel buffer", -E2BIG);
	kbuf = (char *)fl_backend_kbuf_alloc(count > 0 ? (size_t)count + 1 : 1);
	if (!kbuf)
		return fl_backend_setup_failed(obs, m->w, "kernel buffer", -ENOMEM);
	fl_backend_set_ret(obs, fl_strncpy_from_user(m->w, kbuf, args[0].u, (long)count));
	obs->kbuf = (uint8_t *)kbuf;
	obs->kbuf_len = count > 0 ? (size_t)count + 1 : 1;
	return 0;
}

int fl_model_getput(struct model *m, const struct fl_sc_stmt *st,
		       const struct fl_val *args, struct fl_obs *obs)
{
	size_t size = args[1].u;
	uint64_t v = 0;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return fl_backend_setup_failed(obs, m->w, st->code == FL_SC_GET_USER ?
				    "get_user" : "put_user", -EINVAL);
	if (st->code == FL_SC_GET_USER) {
		fl_backend_set_ret(obs, fl_get_user(m->w, &v, args[0].u, size));
		fl_model_summary(m, obs, "value 0x%llx",
			 (unsigned long long)v);
		return 0;
	}
	v = (uint64_t)args[2].s;
	fl_backend_set_ret(obs, fl_put_user(m->w, &v, args[0].u, size));
	return 0;
}

