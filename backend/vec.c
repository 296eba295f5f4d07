/*
 * backend/vec.c - the vector calls' arguments, read the same way by the
 * model and the host backend (backend/vec.h has the definitions).
 */
#include <stdlib.h>
#include <string.h>

#include "backend/vec.h"

/* Room for the written iovecs and the zero ones nr asks for beyond them. */
static int iovs_alloc(struct fl_backend_iovs *v, unsigned long written)
{
	unsigned long n = v->nr < FL_BACKEND_IOV_CAP ? v->nr : FL_BACKEND_IOV_CAP;

	v->written = written;
	v->iov = calloc((n > written ? n : written) + 1, sizeof(*v->iov));
	return v->iov ? 0 : -ENOMEM;
}

static void iovs_keys(const struct fl_sc_stmt *st, const struct fl_val *args,
		      const char *arr, struct fl_backend_iovs *v)
{
	const struct fl_val *at = fl_backend_key(st, args, arr);

	v->at_user = at != NULL;
	v->user = at ? at->u : 0;
}

int fl_backend_iovs_pos(const struct fl_sc_stmt *st, const struct fl_val *args,
			unsigned first, struct fl_backend_iovs *v)
{
	const struct fl_val *nr = fl_backend_key(st, args, "nr");
	unsigned long n = 0, k;
	int err;

	memset(v, 0, sizeof(*v));
	while (first + n < st->nargs && args[first + n].kind == FL_SC_IOVEC)
		n++;
	v->nr = nr ? nr->u : n;
	iovs_keys(st, args, "iov", v);
	err = iovs_alloc(v, n);
	for (k = 0; !err && k < n; k++)
		v->iov[k] = (struct fl_iovec){ args[first + k].iov_addr, args[first + k].iov_len };
	return err;
}

int fl_backend_iovs_pvm(const struct fl_sc_stmt *st, const struct fl_val *args,
			int side, struct fl_backend_iovs *v)
{
	const char *key = side ? "remote" : "local";
	unsigned long n = 0, k;
	int err;

	memset(v, 0, sizeof(*v));
	iovs_keys(st, args, side ? "rvec" : "lvec", v);
	if (args[1].kind == FL_SC_ADDR) {       /* PROC LOCAL REMOTE LEN */
		v->nr = 1;
		err = iovs_alloc(v, 1);
		if (!err)
			v->iov[0] = (struct fl_iovec){ args[1 + side].u, args[3].u };
		return err;
	}
	const struct fl_val *cnt = fl_backend_key(st, args, side ? "riovcnt" : "liovcnt");

	for (k = 0; k < st->nkeys; k++)
		n += !strcmp(st->keys[k].name, key);
	v->nr = cnt ? cnt->u : n;
	err = iovs_alloc(v, n);
	for (k = 0, n = 0; !err && k < st->nkeys; k++)
		if (!strcmp(st->keys[k].name, key)) {
			const struct fl_val *a = &args[st->nargs + k];

			v->iov[n++] = (struct fl_iovec){ a->iov_addr, a->iov_len };
		}
	return err;
}

void fl_backend_iovs_free(struct fl_backend_iovs *v)
{
	free(v->iov);
	v->iov = NULL;
}

int fl_backend_iovs_one(const struct fl_sc_stmt *st, const struct fl_val *args,
			fl_addr_t base, size_t len, struct fl_backend_iovs *v)
{
	const struct fl_val *nr = st ? fl_backend_key(st, args, "nr") : NULL;
	int err;

	memset(v, 0, sizeof(*v));
	v->nr = nr ? nr->u : 1;
	err = iovs_alloc(v, 1);
	if (!err)
		v->iov[0] = (struct fl_iovec){ base, len };
	return err;
}
