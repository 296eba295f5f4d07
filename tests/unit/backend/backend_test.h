/*
 * tests/unit/backend/backend_test.h - driving a backend the way the
 * runner does, without the runner (a layer above backend/): parse a
 * scenario, evaluate each statement's arguments (no vary variables),
 * exec() it, and keep its observables by source line.
 *
 * Every `call` reached is noted by code, for the model and for the host
 * (ran, or refused at open), so that a capability's test file can check
 * at its end that it reached every row of backend/calls.c it owns.
 */
#ifndef FL_TEST_BACKEND_TEST_H
#define FL_TEST_BACKEND_TEST_H

#include <stdlib.h>
#include <string.h>

#include <faultline/backend.h>
#include <faultline/eras.h>

#include "backend/calls.h"

#define BT_MAX_LINES 64
#define BT_MAX_DATA 256

struct bt {
	struct fl_scenario *sc;
	struct fl_backend b;
	bool opened;
	int open_err;
	struct fl_obs obs[BT_MAX_LINES + 1];    /* by source line */
	int rc[BT_MAX_LINES + 1];               /* exec()'s result by line */
	uint8_t *data[BT_MAX_DATA];
	unsigned ndata;
};

/* Codes reached: [0] on the model, [1] on the host (ran or refused). */
static bool bt_reached[2][FL_SC_FUNC_COUNT];

static inline uint64_t bt_expr(struct bt *t, const struct fl_sc_expr *e)
{
	uint64_t v = fl_sc_expr_eval(e, NULL);

	return e->map >= 0 ? v + t->b.ops->map_base(&t->b, (unsigned)e->map) : v;
}

/* As the runner: len=, else the last plain number, else the text, else a page. */
static inline size_t bt_data_len(struct bt *t, const struct fl_sc_stmt *st,
			  const struct fl_sc_data *d)
{
	const struct fl_sc_arg *len = fl_sc_key(st, "len");
	unsigned i;

	if (len)
		return (size_t)bt_expr(t, &len->u.expr);
	for (i = st->nargs; i-- > 0;)
		if (st->args[i].kind == FL_SC_NUM)
			return (size_t)bt_expr(t, &st->args[i].u.expr);
	return d->form == FL_SC_DATA_TEXT ? d->len : FL_PAGE_SIZE;
}

static inline void bt_data(struct bt *t, const struct fl_sc_stmt *st,
		    const struct fl_sc_data *d, struct fl_val *v)
{
	size_t n = bt_data_len(t, st, d), i;
	uint8_t *p = malloc(n + 1), k = (uint8_t)fl_sc_expr_eval(&d->n, NULL);

	assert_non_null(p);
	assert_true(t->ndata < BT_MAX_DATA);
	t->data[t->ndata++] = p;
	for (i = 0; i < n; i++)
		p[i] = d->form == FL_SC_DATA_TEXT ? (d->len ? d->bytes[i % d->len] : 0) :
		       d->form == FL_SC_DATA_FILL ? k :
		       d->form == FL_SC_DATA_SEQ ? (uint8_t)(i + k) : 0;
	v->bytes = p;
	v->len = n;
}

static inline void bt_arg(struct bt *t, const struct fl_sc_stmt *st,
		   const struct fl_sc_arg *a, struct fl_val *v)
{
	memset(v, 0, sizeof(*v));
	v->kind = a->kind;
	switch (a->kind) {
	case FL_SC_NUM: case FL_SC_ADDR:
		v->u = bt_expr(t, &a->u.expr);
		break;
	case FL_SC_SNUM:
		v->s = (int64_t)bt_expr(t, &a->u.expr);
		v->u = (uint64_t)v->s;
		break;
	case FL_SC_IOVEC:
		v->iov_addr = bt_expr(t, &a->u.iov.addr);
		v->iov_len = (size_t)bt_expr(t, &a->u.iov.len);
		break;
	case FL_SC_DATA: case FL_SC_MEMDATA:
		if (a->u.data.form != FL_SC_DATA_UNCHANGED)
			bt_data(t, st, &a->u.data, v);
		break;
	case FL_SC_NEW_PROC: case FL_SC_NEW_MAP: case FL_SC_NEW_FILE:
	case FL_SC_NEW_PIPE: case FL_SC_NEW_PAGES: case FL_SC_NEW_UFFD:
	case FL_SC_NEW_TASK: case FL_SC_PROC: case FL_SC_FILE_REF:
	case FL_SC_PIPE_REF: case FL_SC_PAGES: case FL_SC_UFFD: case FL_SC_TASK:
	case FL_SC_FD: case FL_SC_PIPE_FD: case FL_SC_NEW_SOCK: case FL_SC_SOCK_FD:
	case FL_SC_PIPE_END: case FL_SC_ANY_FD:
		v->u = a->u.ref.id;
		v->end = a->u.ref.end;
		break;
	default:
		v->u = a->u.value;
		v->s = (int64_t)a->u.value;
	}
}

static inline bool bt_runs(const struct fl_sc_stmt *st)
{
	return st->verb != FL_SC_KERNEL && st->verb != FL_SC_ARCH &&
	       st->verb != FL_SC_EXPECT && st->verb != FL_SC_VARY && st->verb != FL_SC_ON;
}

/*
 * Parse TEXT and run it on OPS, statement by statement, as far as they
 * run (a set-up failure stops it, as in the runner).  0, or open()'s error.
 */
static inline int bt_run(struct bt *t, const struct fl_backend_ops *ops, const char *text)
{
	struct fl_sc_diag diag;
	fl_kver_t kver = fl_kver_newest();
	enum fl_arch_id arch = FL_ARCH_X86_64;
	unsigned i, k;

	memset(t, 0, sizeof(*t));
	if (fl_scenario_parse("test.fl", text, strlen(text), &t->sc, &diag))
		fail_msg("%s", diag.msg);
	for (i = 0; i < t->sc->nstmts; i++) {
		const struct fl_sc_stmt *st = &t->sc->stmts[i];

		if (st->verb == FL_SC_KERNEL)
			kver = st->args[0].u.value ? (fl_kver_t)st->args[0].u.value : fl_host_kver();
		if (st->verb == FL_SC_ARCH)
			arch = (enum fl_arch_id)st->args[0].u.value;
	}
	t->b.ops = ops;
	t->b.sc = t->sc;
	t->open_err = ops->open(&t->b, kver, arch);
	t->opened = true;
	for (i = 0; i < t->sc->nstmts && !t->open_err; i++) {
		const struct fl_sc_stmt *st = &t->sc->stmts[i];
		struct fl_val v[16];

		if (!bt_runs(st))
			continue;
		assert_true(st->line <= BT_MAX_LINES && st->nargs + st->nkeys <= 16);
		for (k = 0; k < st->nargs; k++)
			bt_arg(t, st, &st->args[k], &v[k]);
		for (k = 0; k < st->nkeys; k++)
			bt_arg(t, st, &st->keys[k].arg, &v[st->nargs + k]);
		t->rc[st->line] = ops->exec(&t->b, st, v, &t->obs[st->line]);
		if (st->verb == FL_SC_CALL && st->code < FL_SC_FUNC_COUNT &&
		    (t->rc[st->line] != -EOPNOTSUPP || ops == &fl_host_backend))
			bt_reached[ops == &fl_host_backend][st->code] = true;
		if (t->rc[st->line] && t->rc[st->line] != -EOPNOTSUPP)
			break;
	}
	return t->open_err;
}

static inline void bt_close(struct bt *t)
{
	unsigned i;

	for (i = 0; i <= BT_MAX_LINES; i++)
		free(t->obs[i].kbuf);
	for (i = 0; i < t->ndata; i++)
		free(t->data[i]);
	if (t->opened)
		t->b.ops->close(&t->b);
	fl_scenario_free(t->sc);
}

/* Bytes at ADDR of the current process, as `expect mem` reads them. */
static inline void bt_peek(struct bt *t, fl_addr_t addr, void *buf, size_t len)
{
	assert_int_equal(t->b.ops->peek(&t->b, addr, buf, len), 0);
}

/* The statement on LINE ran and is a system call that returned RET. */
static inline void bt_assert_ret(const struct bt *t, unsigned line, int64_t ret)
{
	assert_int_equal(t->rc[line], 0);
	assert_true(t->obs[line].has_ret);
	assert_int_equal(t->obs[line].ret, ret);
}

/* ... that failed with ERR: ret -1, errno ERR. */
static inline void bt_assert_errno(const struct bt *t, unsigned line, int err)
{
	bt_assert_ret(t, line, -1);
	assert_int_equal(t->obs[line].err, err);
}

/* Every row of CAP was reached on the model, and on the host (SIDE 1). */
static inline void bt_assert_cap_reached(enum fl_backend_cap cap, int side)
{
	unsigned code;

	for (code = 1; code < FL_SC_FUNC_COUNT; code++)
		if (fl_backend_calls[code].cap == cap && !bt_reached[side][code])
			fail_msg("row %s (%s) not reached on the %s",
				 fl_sc_func_name((enum fl_sc_func)code),
				 fl_backend_cap_name(cap), side ? "host" : "model");
}

/*
 * TEXT (`kernel host`) on the model, then on the running kernel, each
 * run judged by CHECK (HOST: which one): where both backends can answer,
 * the same assertions hold on both.
 */
typedef void bt_check_fn(struct bt *t, bool host);

static inline void bt_both(const char *text, bt_check_fn *check)
{
	struct bt t;

	assert_int_equal(bt_run(&t, &fl_model_backend, text), 0);
	check(&t, false);
	bt_close(&t);
	assert_int_equal(bt_run(&t, &fl_host_backend, text), 0);
	check(&t, true);
	bt_close(&t);
}

/* The address of mapping NAME (its names[] index). */
static inline fl_addr_t bt_map(struct bt *t, unsigned name)
{
	return t->b.ops->map_base(&t->b, name);
}

/*
 * A host test the machine does not allow: skipped with the reason named,
 * counted by cmocka ("N test(s) skipped"), never a silent pass.
 */
static inline bool bt_host_uffd_or_skip(void)
{
	char why[200];

	if (fl_host_uffd_permitted(why, sizeof(why)))
		return true;
	print_message("[  SKIP    ] userfaultfd not permitted here: %s\n", why);
	return false;
}

/* bt_both() for a TEXT that needs userfaultfd: the host part skips, named, without it. */
static inline void bt_both_uffd(const char *text, bt_check_fn *check)
{
	struct bt t;

	assert_int_equal(bt_run(&t, &fl_model_backend, text), 0);
	check(&t, false);
	bt_close(&t);
	if (!bt_host_uffd_or_skip())
		return;
	assert_int_equal(bt_run(&t, &fl_host_backend, text), 0);
	check(&t, true);
	bt_close(&t);
}

/* The statement on LINE ran and its outcome is O. */
static inline void bt_assert_outcome(const struct bt *t, unsigned line, enum fl_outcome o)
{
	assert_int_equal(t->rc[line], 0);
	assert_int_equal(t->obs[line].outcome, o);
}

#endif
