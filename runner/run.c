/*
 * runner/run.c - run a parsed scenario on a backend and judge it.
 *
 * The runner evaluates each statement's arguments (expressions against
 * the vary values and the backend's mapping addresses, data forms into
 * bytes), hands the statement to the backend, and records the step.
 * `expect` lines are judged against the step of their subject; `on` lines
 * arm a hook for the next call; `kernel`, `arch` and `vary` configure and
 * are read before anything runs.
 *
 * `expect mem ... unchanged` compares with the bytes as they were just
 * before the subject ran, so those ranges are captured before each
 * statement that has such an expectation.
 */
#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/callers.h>
#include <faultline/run.h>

#define RUN_MAX_DATA ((size_t)256 << 20)
/* Arguments (positional and keys) evaluated on the stack: more are allocated. */
#define RUN_ARGS_INLINE 16

struct runner {
	struct fl_run *run;
	struct fl_backend bstore;       /* the backend of a whole run */
	struct fl_backend *b;           /* bstore, or the prefix's (run_case) */
	const struct fl_run_watch *watch;
	const int64_t *vars;
	int64_t *var_store;
	struct fl_step *cur;            /* the step receiving trace lines */
	/* bytes captured for `unchanged`, by statement index */
	uint8_t **before;
	/* by statement: one past the last `unchanged` expect judging it, or 0 */
	unsigned *capture_end;
	/* DATA bytes materialized so far: they live until the run ends, since
	 * an `on` line's statement runs during a later call */
	uint8_t **data;
	unsigned ndata, data_cap;
};

const char *fl_verdict_name(enum fl_verdict v)
{
	static const char *const names[] = { "PASS", "FAIL", "UNSUPPORTED", "ERROR" };

	return (unsigned)v < 4 ? names[v] : "?";
}

char *fl_step_text(const struct fl_run *run, const struct fl_step *step,
		   char *buf, size_t len)
{
	FILE *f = fmemopen(buf, len, "w");
	size_t n;

	buf[0] = '\0';
	if (!f)
		return buf;
	fl_sc_stmt_print(f, run->sc, step->st);
	fclose(f);
	buf[len - 1] = '\0';
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return buf;
}

/* ---- trace ---- */

static void runner_trace(void *arg, const char *line)
{
	struct runner *r = arg;
	struct fl_step *s = r->cur;
	char **t;

	if (!s)
		return;
	t = realloc(s->trace, (s->ntrace + 1) * sizeof(*t));
	if (!t)
		return;
	s->trace = t;
	s->trace[s->ntrace] = strdup(line);
	if (s->trace[s->ntrace])
		s->ntrace++;
}

/* ---- evaluating arguments ---- */

static uint64_t eval_expr(struct runner *r, const struct fl_sc_expr *e)
{
	uint64_t v = fl_sc_expr_eval(e, r->vars);

	if (e->map >= 0)
		v += r->b->ops->map_base(r->b, (unsigned)e->map);
	return v;
}

/*
 * The length a DATA argument of ST stands for: the len= key, else the
 * statement's last plain number (LEN of copy_to_user, store, expect mem,
 * expect kbuf), else the text's own length, else one page (uffd_serve
 * resolves a page at a time).
 */
static size_t data_len(struct runner *r, const struct fl_sc_stmt *st,
		       const struct fl_sc_data *d)
{
	const struct fl_sc_arg *len = fl_sc_key(st, "len");
	unsigned i;

	if (len)
		return (size_t)eval_expr(r, &len->u.expr);
	for (i = st->nargs; i-- > 0;)
		if (st->args[i].kind == FL_SC_NUM)
			return (size_t)eval_expr(r, &st->args[i].u.expr);
	if (d->form == FL_SC_DATA_TEXT)
		return d->len;
	return FL_PAGE_SIZE;
}

static int materialize(struct runner *r, const struct fl_sc_stmt *st,
		       const struct fl_sc_data *d, struct fl_val *v,
		       struct fl_obs *obs)
{
	size_t n = data_len(r, st, d), i;
	uint8_t *p, fill = 0, start = 0;

	uint8_t **grown;

	if (n > RUN_MAX_DATA) {
		snprintf(obs->why, sizeof(obs->why), "data of %zu bytes is too large", n);
		return -E2BIG;
	}
	if (r->ndata == r->data_cap) {
		unsigned cap = r->data_cap ? 2 * r->data_cap : 4;

		grown = realloc(r->data, cap * sizeof(*r->data));
		if (!grown)
			return -ENOMEM;
		r->data = grown;
		r->data_cap = cap;
	}
	p = malloc(n ? n : 1);
	if (!p)
		return -ENOMEM;
	r->data[r->ndata++] = p;
	if (d->form == FL_SC_DATA_FILL)
		fill = (uint8_t)fl_sc_expr_eval(&d->n, r->vars);
	if (d->form == FL_SC_DATA_SEQ)
		start = (uint8_t)fl_sc_expr_eval(&d->n, r->vars);
	for (i = 0; i < n; i++) {
		switch (d->form) {
		case FL_SC_DATA_TEXT:   /* repeated to fill LEN */
			p[i] = d->len ? d->bytes[i % d->len] : 0;
			break;
		case FL_SC_DATA_FILL:
			p[i] = fill;
			break;
		case FL_SC_DATA_SEQ:
			p[i] = (uint8_t)(i + start);
			break;
		default:
			p[i] = 0;
		}
	}
	v->bytes = p;
	v->len = n;
	return 0;
}

static int eval_arg(struct runner *r, const struct fl_sc_stmt *st,
		    const struct fl_sc_arg *a, struct fl_val *v, struct fl_obs *obs)
{
	memset(v, 0, sizeof(*v));
	v->kind = a->kind;
	switch (a->kind) {
	case FL_SC_NUM:
	case FL_SC_ADDR:
		v->u = eval_expr(r, &a->u.expr);
		return 0;
	case FL_SC_SNUM:
		v->s = (int64_t)eval_expr(r, &a->u.expr);
		v->u = (uint64_t)v->s;
		return 0;
	case FL_SC_IOVEC:
		v->iov_addr = eval_expr(r, &a->u.iov.addr);
		v->iov_len = (size_t)eval_expr(r, &a->u.iov.len);
		return 0;
	case FL_SC_DATA:
	case FL_SC_MEMDATA:
		if (a->u.data.form == FL_SC_DATA_UNCHANGED)
			return 0;
		return materialize(r, st, &a->u.data, v, obs);
	case FL_SC_NEW_PROC: case FL_SC_NEW_MAP: case FL_SC_NEW_FILE:
	case FL_SC_NEW_PIPE: case FL_SC_NEW_PAGES: case FL_SC_NEW_UFFD:
	case FL_SC_NEW_TASK: case FL_SC_NEW_VAR: case FL_SC_PROC:
	case FL_SC_FILE_REF: case FL_SC_PIPE_REF: case FL_SC_PAGES:
	case FL_SC_UFFD: case FL_SC_TASK: case FL_SC_FD: case FL_SC_PIPE_FD:
	case FL_SC_NEW_SOCK: case FL_SC_SOCK_FD: case FL_SC_PIPE_END: case FL_SC_ANY_FD:
		v->u = a->u.ref.id;
		v->end = a->u.ref.end;
		return 0;
	case FL_SC_ERRNO:
		v->s = (int64_t)a->u.value;
		return 0;
	default:
		v->u = a->u.value;
		return 0;
	}
}

/*
 * Positional arguments first, then keys in source order, into BUF (NBUF
 * values) when they fit, else into a new array: *OUT is BUF or must be
 * freed.  Most statements have a handful of arguments, and an allocation
 * per statement was a visible part of an explored case's cost.
 */
static int eval_args(struct runner *r, const struct fl_sc_stmt *st,
		     struct fl_val *buf, unsigned nbuf, struct fl_val **out,
		     struct fl_obs *obs)
{
	unsigned n = st->nargs + st->nkeys, i;
	struct fl_val *v = n <= nbuf ? buf : calloc(n, sizeof(*v));
	int err = 0;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < st->nargs && !err; i++)
		err = eval_arg(r, st, &st->args[i], &v[i], obs);
	for (i = 0; i < st->nkeys && !err; i++)
		err = eval_arg(r, st, &st->keys[i].arg, &v[st->nargs + i], obs);
	if (err) {
		if (v != buf)
			free(v);
		return err;
	}
	*out = v;
	return 0;
}

/* Free the DATA bytes materialized so far; the array is kept for reuse. */
static void reset_data(struct runner *r)
{
	while (r->ndata)
		free(r->data[--r->ndata]);
}

static void free_data(struct runner *r)
{
	reset_data(r);
	free(r->data);
	r->data = NULL;
	r->data_cap = 0;
}

/* ---- expectations ---- */

static bool is_unchanged(const struct fl_sc_stmt *st)
{
	return st->args[2].u.data.form == FL_SC_DATA_UNCHANGED;
}

static bool is_unchanged_mem(const struct fl_sc_stmt *st)
{
	return st->verb == FL_SC_EXPECT && st->code == FL_SC_EXPECT_MEM &&
	       is_unchanged(st);
}

/*
 * Where each statement's captures end (struct runner: capture_end).  An
 * expect judges the latest call, store or load before it, so a
 * statement's expects all come after it and before the next such
 * statement's: capture_before() walks each statement only up to its last
 * `unchanged` expect, and a file of N statements costs O(N) in all.  It
 * used to walk on to the next expect of another statement, or to the end
 * of the file: 400k `load` lines and no expect took 155 s (issue 13).
 */
static int index_captures(struct runner *r)
{
	const struct fl_scenario *sc = r->run->sc;
	unsigned j;

	r->capture_end = calloc(sc->nstmts ? sc->nstmts : 1, sizeof(*r->capture_end));
	if (!r->capture_end)
		return -ENOMEM;
	for (j = 0; j < sc->nstmts; j++)
		if (is_unchanged_mem(&sc->stmts[j]) && sc->stmts[j].subject >= 0)
			r->capture_end[sc->stmts[j].subject] = j + 1;
	return 0;
}

/* Before statement I runs, keep the bytes its `unchanged` expects name. */
static int capture_before(struct runner *r, unsigned i)
{
	const struct fl_scenario *sc = r->run->sc;
	unsigned j;

	for (j = i + 1; j < r->capture_end[i]; j++) {
		const struct fl_sc_stmt *e = &sc->stmts[j];
		size_t len;
		uint8_t *buf;

		if (e->subject != (int)i || !is_unchanged_mem(e))
			continue;
		len = (size_t)eval_expr(r, &e->args[1].u.expr);
		if (len > RUN_MAX_DATA)
			return -E2BIG;
		buf = calloc(len ? len : 1, 1);
		if (!buf)
			return -ENOMEM;
		r->b->ops->peek(r->b, eval_expr(r, &e->args[0].u.expr), buf, len);
		free(r->before[j]);
		r->before[j] = buf;
	}
	return 0;
}

static const char *outcome_name(enum fl_outcome o)
{
	static const char *const names[] = { "ok", "livelock", "sigsegv", "sigbus", "no-progress", "leak", "blocked", "timeout", "sigpipe" };

	return (unsigned)o < sizeof(names) / sizeof(names[0]) ? names[o] : "?";
}

static bool expect_scalar(const char *what, const struct fl_obs *o, int64_t want,
			  char *seen, size_t len)
{
	if (!strcmp(what, "ret")) {
		if (!o->has_ret)
			return snprintf(seen, len, "the statement returns no value"), false;
		if (o->ret == want)
			return true;
		return snprintf(seen, len, "ret %lld", (long long)o->ret), false;
	}
	if (!strcmp(what, "errno")) {
		if (o->err == want)
			return true;
		if (o->err)
			return snprintf(seen, len, "errno %d (%s)", o->err, strerror(o->err)), false;
		return snprintf(seen, len, "no error"), false;
	}
	if (!strcmp(what, "copy")) {
		if (!o->has_copy)
			return snprintf(seen, len, "the statement sets no copy field"), false;
		if (o->copy == want)
			return true;
		return snprintf(seen, len, "copy %lld", (long long)o->copy), false;
	}
	if ((int64_t)o->outcome == want)
		return true;
	return snprintf(seen, len, "outcome %s", outcome_name(o->outcome)), false;
}

/* msghdr.msg_flags as recvmsg wrote it, exactly the flags WORDS name. */
static bool expect_msg_flags(const struct fl_obs *o, uint64_t words, char *seen, size_t len)
{
	static const char *const w[] = { "trunc", "ctrunc", "eor", "oob", "errqueue", NULL };
	size_t n;
	unsigned i;

	if (!o->has_msg_flags)
		return snprintf(seen, len, "msg_flags not written (no recvmsg that returned)"),
		       false;
	if (o->msg_flags == fl_msg_rflags(words))
		return true;
	n = (size_t)snprintf(seen, len, "msg_flags 0x%x", o->msg_flags);
	for (i = 0; w[i] && n < len; i++)
		if (o->msg_flags & fl_msg_rflags(1u << i))
			n += (size_t)snprintf(seen + n, len - n, " %s", w[i]);
	return false;
}

/* msghdr.msg_controllen as recvmsg wrote it back. */
static bool expect_controllen(const struct fl_obs *o, uint64_t want, char *seen, size_t len)
{
	if (!o->has_msg_flags)
		return snprintf(seen, len, "msg_controllen not written (no recvmsg that returned)"),
		       false;
	if (o->controllen == want)
		return true;
	return snprintf(seen, len, "msg_controllen %u", o->controllen), false;
}

/* Descriptor I that recvmsg's SCM_RIGHTS installed refers to END's file. */
static bool expect_rights(const struct fl_obs *o, const struct fl_val *v, char *seen,
			  size_t len)
{
	bool other = v[1].end == FL_SC_END_1 || v[1].end == FL_SC_END_WRITE;

	if (v[0].u >= o->nrights)
		return snprintf(seen, len, "%u descriptors received", o->nrights), false;
	if (o->rights[v[0].u] == FL_OBS_RIGHT(v[1].u, other))
		return true;
	return snprintf(seen, len, "descriptor %llu is %s", (unsigned long long)v[0].u,
			o->rights[v[0].u] == FL_OBS_RIGHT_OTHER ? "no file the scenario made"
								  : "another file"), false;
}

/* recvmsg's SCM_CREDENTIALS: PROC's pid and ids, or (no PROC) pid 0 and the overflow ids. */
static bool expect_creds(const struct fl_obs *o, const struct fl_val *v, char *seen,
			 size_t len)
{
	uint32_t want = v[0].kind ? FL_OBS_CREDS_PROC(v[0].u) : FL_OBS_CREDS_ANON;

	if (o->creds == want)
		return true;
	return snprintf(seen, len, "%s", o->creds == FL_OBS_CREDS_NONE ?
			"no SCM_CREDENTIALS message written whole" :
			o->creds == FL_OBS_CREDS_ANON ? "pid 0 and the overflow ids" :
			"another process's credentials"), false;
}

static bool expect_mem(struct runner *r, const struct fl_sc_stmt *e,
		       const struct fl_val *v, unsigned idx, char *seen, size_t len)
{
	fl_addr_t addr = v[0].u;
	size_t n = (size_t)v[1].u, i;
	const uint8_t *want = is_unchanged_mem(e) ? r->before[idx] : v[2].bytes;
	uint8_t *now = calloc(n ? n : 1, 1);
	bool ok = true;

	if (!now || !want) {
		free(now);
		snprintf(seen, len, "memory could not be captured");
		return false;
	}
	r->b->ops->peek(r->b, addr, now, n);
	for (i = 0; i < n; i++) {
		if (now[i] != want[i]) {
			snprintf(seen, len, "byte at 0x%llx (+%zu) is 0x%02x, want 0x%02x",
				 (unsigned long long)(addr + i), i, now[i], want[i]);
			ok = false;
			break;
		}
	}
	free(now);
	return ok;
}

/* The kernel buffer starts as 0xaa: `unchanged` means the call left it. */
static bool expect_kbuf(const struct fl_sc_stmt *e, const struct fl_obs *o,
			const struct fl_val *v, char *seen, size_t len)
{
	size_t off = (size_t)v[0].u, n = (size_t)v[1].u, i;

	if (!o->kbuf)
		return snprintf(seen, len, "the statement has no kernel buffer"), false;
	if (off > o->kbuf_len || n > o->kbuf_len - off)
		return snprintf(seen, len, "the kernel buffer has only %zu bytes",
				o->kbuf_len), false;
	for (i = 0; i < n; i++) {
		uint8_t want = is_unchanged(e) ? 0xaa : v[2].bytes[i];

		if (o->kbuf[off + i] != want)
			return snprintf(seen, len, "kernel byte %zu is 0x%02x, want 0x%02x",
					off + i, o->kbuf[off + i], want), false;
	}
	return true;
}

/*
 * `expect region I OFF LEN CATS`: PAGEMAP_SCAN's region I (from 0) starts
 * OFF bytes after the scan's start, is LEN bytes long, and has exactly the
 * categories CATS (as return= kept them).  The regions are the subject's
 * kernel buffer (backend/common.c, fl_backend_scan_result).
 */
static bool expect_region(const struct fl_obs *o, const struct fl_val *v,
			  char *seen, size_t len)
{
	uint64_t r[3];
	size_t at = (size_t)v[0].u * sizeof(r);

	if (!o->kbuf || v[0].u >= o->kbuf_len / sizeof(r))
		return snprintf(seen, len, "the scan gave %zu regions",
				o->kbuf ? o->kbuf_len / sizeof(r) : 0), false;
	memcpy(r, o->kbuf + at, sizeof(r));
	if (r[0] == v[1].u && r[1] - r[0] == v[2].u && r[2] == v[3].u)
		return true;
	return snprintf(seen, len, "region %llu is +0x%llx, 0x%llx bytes, categories 0x%llx",
			(unsigned long long)v[0].u, (unsigned long long)r[0],
			(unsigned long long)(r[1] - r[0]), (unsigned long long)r[2]), false;
}

/*
 * `expect event U TYPE [flags=F]`: the next event U produced that no
 * earlier `expect event` checked, whoever read it (uffd_read, the
 * uffd_serve monitor, or nobody yet).
 */
static bool expect_event(struct runner *r, const struct fl_sc_stmt *e,
			 const struct fl_val *v, char *seen, size_t len)
{
	static const char *const types[] = { "pagefault", "fork", "remap", "remove", "unmap" };
	const struct fl_val *flags = NULL;
	struct fl_obs_event ev;
	unsigned i;

	for (i = 0; i < e->nkeys; i++)
		if (!strcmp(e->keys[i].name, "flags"))
			flags = &v[e->nargs + i];
	if (!r->b->ops->uffd_event)
		return snprintf(seen, len, "the %s backend reports no uffd events",
				r->b->ops->name), false;
	if (r->b->ops->uffd_event(r->b, (unsigned)v[0].u, &ev))
		return snprintf(seen, len, "no further event"), false;
	if (ev.type != v[1].u || (flags && ev.flags != flags->u))
		return snprintf(seen, len, "event %s flags 0x%llx at 0x%llx",
				ev.type < 5 ? types[ev.type] : "?",
				(unsigned long long)ev.flags,
				(unsigned long long)ev.addr), false;
	return true;
}

/* The pagemap bit of each FL_SC_PM_* word (enum fl_sc_pm_bit order). */
static const uint64_t pm_bits[FL_SC_PM_COUNT] = {
	UINT64_C(1) << 55, UINT64_C(1) << 56, UINT64_C(1) << 57,
	UINT64_C(1) << 61, UINT64_C(1) << 62, UINT64_C(1) << 63, FL_PM_PFN_MASK,
	FL_PM_GUARD_REGION,
};

/* ENTRY as the words of `expect pagemap`, every one: "present,-file,...". */
static void pm_describe(uint64_t entry, char *buf, size_t len)
{
	static const char *const words[FL_SC_PM_COUNT] = {
		"softdirty", "exclusive", "uffd_wp", "file", "swapped", "present", "pfn", "guard"
	};
	size_t at = 0;
	int i;

	buf[0] = '\0';
	for (i = FL_SC_PM_COUNT - 1; i >= 0 && at < len; i--)
		at += (size_t)snprintf(buf + at, len - at, "%s%s%s", at ? "," : "",
				       entry & pm_bits[i] ? "" : "-", words[i]);
}

/* The value of E's key NAME, or NULL. */
static const struct fl_val *expect_key(const struct fl_sc_stmt *e, const struct fl_val *v,
				       const char *name)
{
	unsigned i;

	for (i = 0; i < e->nkeys; i++)
		if (!strcmp(e->keys[i].name, name))
			return &v[e->nargs + i];
	return NULL;
}

/*
 * Who reads for `expect pagemap`: nobody looks at bits 0-54 unless the
 * line names `pfn`, `same=` or `other=`; then a reader with
 * CAP_SYS_ADMIN, or without it for cap=off.
 */
static enum fl_pm_reader pm_reader(const struct fl_sc_stmt *e, const struct fl_val *v)
{
	const struct fl_val *cap = expect_key(e, v, "cap");
	uint64_t pfn = UINT64_C(1) << FL_SC_PM_PFN;

	if (!(v[1].u & (pfn | pfn << FL_SC_PM_CLEAR_SHIFT)) &&
	    !expect_key(e, v, "same") && !expect_key(e, v, "other"))
		return FL_PM_READ_BITS;
	return cap && !cap->u ? FL_PM_READ_UNPRIV : FL_PM_READ_PRIV;
}

/* One entry, or false with SEEN (and the run's why) filled. */
static bool pm_read(struct runner *r, fl_addr_t addr, enum fl_pm_reader rd,
		    uint64_t *entry, char *seen, size_t len)
{
	char why[sizeof(r->cur->obs.why)] = "";
	int err = r->b->ops->pagemap(r->b, addr, rd, entry, why, sizeof(why));

	if (!err)
		return true;
	r->cur->rc = err;
	snprintf(r->cur->obs.why, sizeof(r->cur->obs.why), "%s", why);
	return snprintf(seen, len, "pagemap: %s", why), false;
}

/*
 * same=/other= ADDR2: the page at ADDR and the one at the same place from
 * ADDR2 are both present, and their PFN fields are equal / differ (as
 * the reader sees them: 0 for both without CAP_SYS_ADMIN).
 */
static bool pm_compare(struct runner *r, const struct fl_sc_stmt *e, const struct fl_val *v,
		       fl_addr_t addr, uint64_t entry, char *seen, size_t len)
{
	const struct fl_val *same = expect_key(e, v, "same"), *other = expect_key(e, v, "other");
	const struct fl_val *k = same ? same : other;
	fl_addr_t at = (k ? k->u & ~(fl_addr_t)4095 : 0) + (addr - (v[0].u & ~(fl_addr_t)4095));
	uint64_t e2;

	if (!k)
		return true;
	if (!pm_read(r, at, pm_reader(e, v), &e2, seen, len))
		return false;
	if (!(entry & e2 & FL_PM_PRESENT))
		return snprintf(seen, len, "page 0x%llx or 0x%llx is not present",
				(unsigned long long)addr, (unsigned long long)at), false;
	if (((entry & FL_PM_PFN_MASK) == (e2 & FL_PM_PFN_MASK)) == (same != NULL))
		return true;
	return snprintf(seen, len, "pages 0x%llx and 0x%llx map %s page",
			(unsigned long long)addr, (unsigned long long)at,
			same ? "a different" : "the same"), false;
}

/*
 * `expect pagemap ADDR BITS [len=N] [same=|other=ADDR2] [cap=off]`: every
 * page of [ADDR, ADDR+N) (N 1 by default; 0 counts as 1, so that no line
 * asserts nothing) has the bits BITS asks set and those it asks clear,
 * and maps the same page as the one at the same place from ADDR2, or
 * another.  What a backend cannot tell ends the run as unsupported,
 * naming why.
 */
static bool expect_pagemap(struct runner *r, const struct fl_sc_stmt *e,
			   const struct fl_val *v, char *seen, size_t len)
{
	const struct fl_sc_arg *n = fl_sc_key(e, "len");
	uint64_t set = v[1].u & 0xff, clear = v[1].u >> FL_SC_PM_CLEAR_SHIFT & 0xff;
	uint64_t bytes = n ? eval_expr(r, &n->u.expr) : 1;
	fl_addr_t addr = v[0].u & ~(fl_addr_t)4095;
	fl_addr_t end = v[0].u + (bytes ? bytes : 1);   /* len=0: ADDR's page still */
	enum fl_pm_reader rd = pm_reader(e, v);
	char now[128];
	uint64_t entry;
	int i;

	if (!r->b->ops->pagemap)
		return snprintf(seen, len, "the %s backend reads no pagemap", r->b->ops->name), false;
	for (; addr < end; addr += 4096) {
		if (!pm_read(r, addr, rd, &entry, seen, len))
			return false;
		for (i = 0; i < FL_SC_PM_COUNT; i++) {
			bool on = entry & pm_bits[i];

			if (!((set >> i & 1) && !on) && !((clear >> i & 1) && on))
				continue;
			pm_describe(entry, now, sizeof(now));
			return snprintf(seen, len, "page 0x%llx reads %s",
					(unsigned long long)addr, now), false;
		}
		if (!pm_compare(r, e, v, addr, entry, seen, len))
			return false;
	}
	return true;
}

static bool judge(struct runner *r, const struct fl_sc_stmt *e,
		  const struct fl_val *v, unsigned idx, char *seen, size_t len)
{
	const struct fl_obs *o;
	unsigned i;

	if (e->code == FL_SC_EXPECT_PAGEMAP)    /* needs no subject */
		return expect_pagemap(r, e, v, seen, len);
	o = &r->run->steps[e->subject].obs;
	switch (e->code) {
	case FL_SC_EXPECT_RET:
		return expect_scalar("ret", o, v[0].s, seen, len);
	case FL_SC_EXPECT_COPY:
		return expect_scalar("copy", o, v[0].s, seen, len);
	case FL_SC_EXPECT_MSG_FLAGS:
		return expect_msg_flags(o, v[0].u, seen, len);
	case FL_SC_EXPECT_CONTROLLEN:
		return expect_controllen(o, v[0].u, seen, len);
	case FL_SC_EXPECT_RIGHTS:
		return expect_rights(o, v, seen, len);
	case FL_SC_EXPECT_CREDS:
		return expect_creds(o, v, seen, len);
	case FL_SC_EXPECT_OUTCOME:
		return expect_scalar("outcome", o, (int64_t)v[0].u, seen, len);
	case FL_SC_EXPECT_ERRNO:
		return expect_scalar("errno", o, v[0].s, seen, len);
	case FL_SC_EXPECT_MEM:
		return expect_mem(r, e, v, idx, seen, len);
	case FL_SC_EXPECT_KBUF:
		return expect_kbuf(e, o, v, seen, len);
	case FL_SC_EXPECT_REGION:
		return expect_region(o, v, seen, len);
	case FL_SC_EXPECT_ONE_OF:
		for (i = 0; i < e->nkeys; i++) {
			const struct fl_val *k = &v[e->nargs + i];
			int64_t want = e->keys[i].arg.kind == FL_SC_OUTCOME ?
				       (int64_t)k->u : k->s;
			if (expect_scalar(e->keys[i].name, o, want, seen, len))
				return true;
		}
		return false;
	case FL_SC_EXPECT_EVENT:
		return expect_event(r, e, v, seen, len);

	default:
		snprintf(seen, len, "unknown expectation");
		return false;
	}
}

/* ---- the run ---- */

static int configure(struct fl_run *run, const struct fl_scenario *sc)
{
	unsigned i;

	run->kver = fl_kver_newest();
	/* the judge's arch when it is not this machine (a VM judge, docs/vm.md) */
	run->arch = fl_host_judge_arch() >= 0 ? (enum fl_arch_id)fl_host_judge_arch()
					      : FL_ARCH_X86_64;
	for (i = 0; i < sc->nstmts; i++) {
		const struct fl_sc_stmt *st = &sc->stmts[i];

		if (st->verb == FL_SC_KERNEL)
			run->kver = st->args[0].u.value ? (fl_kver_t)st->args[0].u.value
							: fl_host_kver();
		else if (st->verb == FL_SC_ARCH)
			run->arch = (enum fl_arch_id)st->args[0].u.value;
	}
	return run->kver ? 0 : -ENOENT;
}


/* The first two words of a statement ("call read"), for messages. */
static void stmt_words(const struct fl_run *run, const struct fl_step *s,
		       char *buf, size_t len)
{
	char *sp;

	fl_step_text(run, s, buf, len);
	sp = strchr(buf, ' ');
	if (sp && s->st->verb == FL_SC_CALL)
		sp = strchr(sp + 1, ' ');
	if (sp)
		*sp = '\0';
}

/* Run statement I; false when the run must stop (unsupported or error). */
static bool run_one(struct runner *r, unsigned i)
{
	struct fl_run *run = r->run;
	const struct fl_sc_stmt *st = &run->sc->stmts[i];
	struct fl_step *s = &run->steps[run->nsteps++];
	struct fl_val vbuf[RUN_ARGS_INLINE], *v = NULL;
	char words[96];
	int err;

	s->st = st;
	r->cur = s;
	if (st->verb == FL_SC_KERNEL || st->verb == FL_SC_ARCH || st->verb == FL_SC_VARY)
		return true;
	err = capture_before(r, i);
	if (!err)
		err = eval_args(r, st->verb == FL_SC_ON ? st->hooked : st, vbuf,
				RUN_ARGS_INLINE, &v, &s->obs);
	if (!err && r->watch && st->verb != FL_SC_EXPECT && st->verb != FL_SC_ON)
		r->watch->before(r->watch->arg, r->b, st, v);
	if (err) {
		s->rc = err;
		run->verdict = FL_VERDICT_ERROR;
		snprintf(run->reason, sizeof(run->reason), "line %u: %.280s", st->line,
			 s->obs.why[0] ? s->obs.why : strerror(-err));
		return false;
	}
	if (st->verb == FL_SC_EXPECT) {
		s->is_expect = true;
		s->held = judge(r, st, v, i, s->seen, sizeof(s->seen));
		run->expects++;
		if (!s->held && run->failed++ == 0)
			snprintf(run->reason, sizeof(run->reason),
				 "line %u: expectation failed: %.200s", st->line, s->seen);
	} else if (st->verb == FL_SC_ON) {
		s->rc = r->b->ops->arm_hook(r->b, (enum fl_hook)st->args[0].u.hook.hook,
					   (unsigned)fl_sc_expr_eval(&st->args[0].u.hook.nth, r->vars),
					   st->hooked, v);
	} else {
		s->rc = r->b->ops->exec(r->b, st, v, &s->obs);
		if (r->watch)
			r->watch->after(r->watch->arg, r->b, s, v);
	}
	if (v != vbuf)
		free(v);
	if (s->rc == -EOPNOTSUPP && s->obs.why_names_stmt) {
		run->verdict = FL_VERDICT_UNSUPPORTED;
		snprintf(run->reason, sizeof(run->reason), "unsupported: %.280s", s->obs.why);
	} else if (s->rc == -EOPNOTSUPP) {
		stmt_words(run, s, words, sizeof(words));
		run->verdict = FL_VERDICT_UNSUPPORTED;
		snprintf(run->reason, sizeof(run->reason), "unsupported: %.90s (%.200s)",
			 words, s->obs.why);
	} else if (s->rc && s->obs.why_names_stmt) {
		run->verdict = FL_VERDICT_ERROR;
		snprintf(run->reason, sizeof(run->reason), "%.280s", s->obs.why);
	} else if (s->rc) {
		run->verdict = FL_VERDICT_ERROR;
		snprintf(run->reason, sizeof(run->reason), "line %u: %.280s", st->line,
			 s->obs.why[0] ? s->obs.why : strerror(-s->rc));
	}
	return s->rc == 0;
}

/* A run record for SC on OPS with its step array: NULL if out of memory. */
static struct fl_run *run_new(const struct fl_scenario *sc, const char *backend)
{
	struct fl_run *run = calloc(1, sizeof(*run));

	if (!run)
		return NULL;
	run->sc = sc;
	run->backend = backend;
	run->steps = calloc(sc->nstmts ? sc->nstmts : 1, sizeof(*run->steps));
	if (!run->steps) {
		free(run);
		return NULL;
	}
	return run;
}

/*
 * R runs on backend B (its own bstore, or a prefix's) with the values
 * VARS (NULL: each variable's FROM).  R->run must be set.
 */
static int runner_init(struct runner *r, struct fl_backend *b,
		       const int64_t *vars, const struct fl_run_watch *watch)
{
	const struct fl_scenario *sc = r->run->sc;
	unsigned i;

	r->before = calloc(sc->nstmts ? sc->nstmts : 1, sizeof(*r->before));
	r->var_store = calloc(sc->nvars ? sc->nvars : 1, sizeof(*r->var_store));
	if (!r->before || !r->var_store || index_captures(r))
		return -ENOMEM;
	for (i = 0; i < sc->nvars; i++)
		r->var_store[i] = vars ? vars[i] : sc->vars[i].from;
	r->vars = r->var_store;
	r->watch = watch;
	r->b = b;
	return 0;
}

/* The backend of a whole run: traces go to R unless FLAGS say not. */
static void runner_own_backend(struct runner *r, const struct fl_backend_ops *ops,
			       unsigned flags)
{
	r->bstore.ops = ops;
	r->bstore.sc = r->run->sc;
	r->bstore.trace = (flags & FL_RUN_NO_TRACE) ? NULL : runner_trace;
	r->bstore.trace_arg = r;
}

/* Release what R holds; the backend only if it is R's own. */
static void runner_fini(struct runner *r)
{
	unsigned i;

	if (r->b == &r->bstore && r->bstore.priv)
		r->bstore.ops->close(&r->bstore);
	for (i = 0; r->before && i < r->run->sc->nstmts; i++)
		free(r->before[i]);
	free(r->before);
	free(r->capture_end);
	free(r->var_store);
	free_data(r);
}

/* Statements [FROM, TO) of R's scenario, until one stops the run. */
static bool run_range(struct runner *r, unsigned from, unsigned to)
{
	unsigned i;

	for (i = from; i < to; i++)
		if (!run_one(r, i))
			return false;
	return true;
}

static void run_finish(struct fl_run *run)
{
	if (run->verdict == FL_VERDICT_PASS && run->failed)
		run->verdict = FL_VERDICT_FAIL;
	/* no snprintf without a number: formatting was visible per explored case */
	if (run->verdict == FL_VERDICT_PASS && !run->expects)
		strcpy(run->reason, "ran, no expectations");
	else if (run->verdict == FL_VERDICT_PASS)
		snprintf(run->reason, sizeof(run->reason),
			 run->expects == 1 ? "%u expectation holds" : "%u expectations hold",
			 run->expects);
}

/* Configure R's run and open its own backend.  0, 1 (verdict set), -errno. */
static int runner_open(struct runner *r)
{
	if (configure(r->run, r->run->sc)) {
		r->run->verdict = FL_VERDICT_ERROR;
		snprintf(r->run->reason, sizeof(r->run->reason),
			 "kernel host: cannot read the running kernel's version");
		return 1;
	}
	return r->bstore.ops->open(&r->bstore, r->run->kver, r->run->arch);
}

/* A whole run: open, every statement, close. */
static int scenario_run_watched(const struct fl_scenario *sc,
				const struct fl_backend_ops *ops,
				const int64_t *vars, const struct fl_run_watch *watch,
				unsigned flags, struct fl_run **out)
{
	struct runner r = { 0 };
	int err;

	r.run = run_new(sc, ops->name);
	if (!r.run)
		return -ENOMEM;
	runner_own_backend(&r, ops, flags);
	err = runner_init(&r, &r.bstore, vars, watch);
	if (!err)
		err = runner_open(&r);
	if (err < 0)
		goto out_fini;
	if (!err) {
		run_range(&r, 0, sc->nstmts);
		run_finish(r.run);
	}
	runner_fini(&r);
	*out = r.run;
	return 0;
out_fini:
	runner_fini(&r);
	fl_run_free(r.run);
	return err;
}

int fl_scenario_run(const struct fl_scenario *sc,
		    const struct fl_backend_ops *ops, const int64_t *vars,
		    struct fl_run **out)
{
	return scenario_run_watched(sc, ops, vars, NULL, 0, out);
}

void fl_run_free(struct fl_run *run)
{
	unsigned i, j;

	if (!run)
		return;
	for (i = 0; i < run->nsteps; i++) {
		for (j = 0; j < run->steps[i].ntrace; j++)
			free(run->steps[i].trace[j]);
		free(run->steps[i].trace);
		free(run->steps[i].obs.kbuf);
	}
	free(run->steps);
	free(run);
}

/* ---- running a shared prefix once, then case after case ---- */

/*
 * The case runner C and its run record are made at the first case and
 * reused by every later one (fl_prefix_case): per case only the suffix's
 * steps and the runner's per-run state are reset.  Allocating, copying
 * and freeing a whole run record per case was most of a small case's
 * cost.  C's steps [0, r.run->nsteps) are the prefix's, copied once and
 * shallow: their trace lines and kernel buffers stay the prefix's.
 */
struct fl_prefix {
	struct runner r;        /* ran statements [0, split); owns the backend */
	unsigned split;
	unsigned flags;
	bool snapped;           /* the backend holds a snapshot at the split */
	bool fresh;             /* ... and has not been restored to it yet */
	uint64_t restores;      /* cases run from the snapshot */
	uint64_t restarts;      /* times the backend was opened anew (-EAGAIN) */
	uint64_t batched;       /* ... of the restores, cases answered from a batch */
	bool stopped;           /* the prefix itself stopped the run */
	struct runner c;        /* the case runner; c.run NULL until the first case */
	struct fl_run *whole;   /* the last case run whole (no snapshot) */
};

static bool expr_has_var(const struct fl_sc_expr *e)
{
	return e->nvars != 0;
}

static bool arg_has_var(const struct fl_sc_arg *a)
{
	switch (a->kind) {
	case FL_SC_NUM: case FL_SC_SNUM: case FL_SC_ADDR:
		return expr_has_var(&a->u.expr);
	case FL_SC_IOVEC:
		return expr_has_var(&a->u.iov.addr) || expr_has_var(&a->u.iov.len);
	case FL_SC_DATA: case FL_SC_MEMDATA:
		return (a->u.data.form == FL_SC_DATA_FILL ||
			a->u.data.form == FL_SC_DATA_SEQ) && expr_has_var(&a->u.data.n);
	case FL_SC_HOOK:
		return expr_has_var(&a->u.hook.nth);
	default:
		return false;
	}
}

static bool stmt_has_var(const struct fl_sc_stmt *st)
{
	unsigned i;

	for (i = 0; i < st->nargs; i++)
		if (arg_has_var(&st->args[i]))
			return true;
	for (i = 0; i < st->nkeys; i++)
		if (arg_has_var(&st->keys[i].arg))
			return true;
	return st->hooked && stmt_has_var(st->hooked);
}

unsigned fl_scenario_split(const struct fl_scenario *sc)
{
	unsigned k = 0, j;
	bool moved = true;

	while (k < sc->nstmts && !stmt_has_var(&sc->stmts[k]))
		k++;
	while (moved) {
		moved = false;
		/* an expect after the split judges a step before it: split there */
		for (j = k; j < sc->nstmts; j++)
			if (sc->stmts[j].verb == FL_SC_EXPECT &&
			    sc->stmts[j].subject >= 0 && (unsigned)sc->stmts[j].subject < k) {
				k = (unsigned)sc->stmts[j].subject;
				moved = true;
			}
		/* an `on` arms the next call: it stays with it */
		while (k > 0 && sc->stmts[k - 1].verb == FL_SC_ON) {
			k--;
			moved = true;
		}
	}
	return k;
}

/*
 * P's prefix runner: statements [0, split) on a backend just opened, and
 * its snapshot.  A backend that cannot snapshot this scenario
 * (-EOPNOTSUPP, or -EBUSY: a task waits) is closed: every case runs
 * whole.  0 or -errno.
 */
static int prefix_start(struct fl_prefix *p, const struct fl_scenario *sc,
			const struct fl_backend_ops *ops, const struct fl_run_watch *watch,
			bool snap)
{
	int err;

	memset(&p->r, 0, sizeof(p->r));
	p->snapped = p->stopped = false;
	p->r.run = run_new(sc, ops->name);
	if (!p->r.run)
		return -ENOMEM;
	runner_own_backend(&p->r, ops, p->flags);
	err = runner_init(&p->r, &p->r.bstore, NULL, watch);
	if (err || !ops->snapshot || !snap)     /* every case is a whole run */
		return err;
	err = runner_open(&p->r);
	if (err < 0)
		return err;
	p->stopped = err || !run_range(&p->r, 0, p->split);
	if (p->stopped) {
		run_finish(p->r.run);
		return 0;
	}
	err = ops->snapshot(&p->r.bstore);
	/* -EBUSY: the prefix left a task waiting (a blocked call, named or not) */
	if (err == -EOPNOTSUPP || err == -EBUSY) {
		ops->close(&p->r.bstore);
		p->r.bstore.priv = NULL;
		return 0;
	}
	p->snapped = p->fresh = !err;
	return err;
}

static void prefix_stop(struct fl_prefix *p)
{
	runner_fini(&p->r);
	fl_run_free(p->r.run);
	p->r.run = NULL;
}

int fl_prefix_open(const struct fl_scenario *sc, const struct fl_backend_ops *ops,
		   unsigned split, unsigned flags, const struct fl_run_watch *watch,
		   struct fl_prefix **out)
{
	struct fl_prefix *p = calloc(1, sizeof(*p));
	int err;

	if (!p)
		return -ENOMEM;
	p->split = split < sc->nstmts ? split : sc->nstmts;
	p->flags = flags;
	err = prefix_start(p, sc, ops, watch, true);
	if (err) {
		prefix_stop(p);
		free(p);
		return err;
	}
	*out = p;
	return 0;
}

static void case_free(struct fl_prefix *p);

void fl_prefix_close(struct fl_prefix *p)
{
	if (!p)
		return;
	case_free(p);
	fl_run_free(p->whole);
	prefix_stop(p);
	free(p);
}

static int step_copy(struct fl_step *to, const struct fl_step *from)
{
	unsigned j;

	*to = *from;
	to->trace = NULL;
	to->ntrace = 0;
	to->obs.kbuf = NULL;
	if (from->obs.kbuf) {
		to->obs.kbuf = malloc(from->obs.kbuf_len ? from->obs.kbuf_len : 1);
		if (!to->obs.kbuf)
			return -ENOMEM;
		memcpy(to->obs.kbuf, from->obs.kbuf, from->obs.kbuf_len);
	}
	if (!from->ntrace)
		return 0;
	to->trace = calloc(from->ntrace, sizeof(*to->trace));
	if (!to->trace)
		return -ENOMEM;
	for (j = 0; j < from->ntrace; j++) {
		to->trace[j] = strdup(from->trace[j]);
		if (!to->trace[j])
			return -ENOMEM;
		to->ntrace++;
	}
	return 0;
}

/* A new run record holding a copy of the prefix's run. */
static int run_copy(const struct fl_run *from, struct fl_run **out)
{
	struct fl_run *run = run_new(from->sc, from->backend);
	unsigned i;

	if (!run)
		return -ENOMEM;
	run->kver = from->kver;
	run->arch = from->arch;
	run->expects = from->expects;
	run->failed = from->failed;
	run->verdict = from->verdict;
	memcpy(run->reason, from->reason, sizeof(run->reason));
	for (i = 0; i < from->nsteps; i++, run->nsteps++)
		if (step_copy(&run->steps[i], &from->steps[i])) {
			fl_run_free(run);
			return -ENOMEM;
		}
	*out = run;
	return 0;
}

/*
 * S as a new (zeroed) step reads.  Most of a step's bytes are its three
 * strings, which an empty string clears just as well: zeroing all of them
 * for every statement of every case was a measurable part of a case.
 */
static void step_clear(struct fl_step *s)
{
	/* why and summary are the last members: everything before them is zeroed */
	static_assert(offsetof(struct fl_obs, summary) == offsetof(struct fl_obs, why) +
		      sizeof(s->obs.why) && sizeof(struct fl_obs) - offsetof(struct fl_obs, summary)
		      < sizeof(s->obs.summary) + 8, "fl_obs: strings last");
	s->st = NULL;
	memset(&s->obs, 0, offsetof(struct fl_obs, why));
	s->obs.why[0] = '\0';
	s->obs.summary[0] = '\0';
	s->rc = 0;
	s->trace = NULL;
	s->ntrace = 0;
	s->is_expect = false;
	s->held = false;
	s->seen[0] = '\0';
}

/* Free what steps [FROM, run->nsteps) own and clear them for reuse. */
static void steps_clear(struct fl_run *run, unsigned from)
{
	unsigned i, j;

	for (i = from; i < run->nsteps; i++) {
		struct fl_step *s = &run->steps[i];

		for (j = 0; j < s->ntrace; j++)
			free(s->trace[j]);
		free(s->trace);
		free(s->obs.kbuf);
		step_clear(s);
	}
	run->nsteps = from;
}

/* The case runner's run record: its own steps freed, the prefix's borrowed. */
static void case_free(struct fl_prefix *p)
{
	if (!p->c.run)
		return;
	steps_clear(p->c.run, p->r.run->nsteps);
	runner_fini(&p->c);
	free(p->c.run->steps);
	free(p->c.run);
	p->c.run = NULL;
}

/* Make the case runner at the first case: the prefix's steps, shallow. */
static int case_new(struct fl_prefix *p, const int64_t *vars,
		    const struct fl_run_watch *watch)
{
	const struct fl_run *from = p->r.run;
	struct fl_run *run = run_new(from->sc, from->backend);
	int err;

	if (!run)
		return -ENOMEM;
	memset(&p->c, 0, sizeof(p->c));
	p->c.run = run;
	run->kver = from->kver;
	run->arch = from->arch;
	memcpy(run->steps, from->steps, from->nsteps * sizeof(*run->steps));
	run->nsteps = from->nsteps;
	err = runner_init(&p->c, &p->r.bstore, vars, watch);
	if (err)
		case_free(p);
	return err;
}

/*
 * Bring the case runner back to the state runner_init() and run_copy()
 * would give a new one: the prefix's steps and verdict, no `unchanged`
 * captures, no DATA, the case's values.
 */
static void case_reset(struct fl_prefix *p, const int64_t *vars,
		       const struct fl_run_watch *watch)
{
	const struct fl_run *from = p->r.run;
	struct runner *c = &p->c;
	const struct fl_scenario *sc = from->sc;
	unsigned i;

	steps_clear(c->run, from->nsteps);
	c->run->expects = from->expects;
	c->run->failed = from->failed;
	c->run->verdict = from->verdict;
	memcpy(c->run->reason, from->reason, sizeof(c->run->reason));
	for (i = 0; i < sc->nstmts; i++) {
		free(c->before[i]);
		c->before[i] = NULL;
	}
	reset_data(c);
	for (i = 0; i < sc->nvars; i++)
		c->var_store[i] = vars ? vars[i] : sc->vars[i].from;
	c->watch = watch;
	c->cur = NULL;
}

/*
 * The backend could not go back to the snapshot (restore's -EAGAIN: a
 * host scenario process that went astray, or used up its CPU limit):
 * close it, run the prefix again on a new one, and this case from there.
 * A restore that fails right after a new snapshot would fail again:
 * from then on every case runs whole.  The prefix's watch is not told
 * twice: it saw the prefix the first time.
 */
static int prefix_restart(struct fl_prefix *p, const int64_t *vars,
			  const struct fl_run_watch *watch, const struct fl_run **out)
{
	const struct fl_scenario *sc = p->r.run->sc;
	const struct fl_backend_ops *ops = p->r.bstore.ops;
	bool keep = !p->fresh;       /* a restore worked since the last snapshot */
	int err;

	case_free(p);
	prefix_stop(p);
	p->restarts++;
	err = prefix_start(p, sc, ops, NULL, keep);
	return err ? err : fl_prefix_case(p, vars, watch, out);
}

int fl_prefix_case(struct fl_prefix *p, const int64_t *vars,
		   const struct fl_run_watch *watch, const struct fl_run **out)
{
	struct fl_backend *b = &p->r.bstore;
	int err;

	if (!p->snapped && !p->stopped) {
		fl_run_free(p->whole);
		p->whole = NULL;
		err = scenario_run_watched(p->r.run->sc, b->ops, vars, watch,
					   p->flags, &p->whole);
		*out = p->whole;
		return err;
	}
	if (p->stopped) {
		*out = p->r.run;
		return 0;
	}
	if (p->c.run)
		case_reset(p, vars, watch);
	else if ((err = case_new(p, vars, watch)))
		return err;
	err = b->ops->restore(b);
	if (err == -EAGAIN)
		return prefix_restart(p, vars, watch, out);
	if (err)
		return err;
	if (b->trace)
		b->trace_arg = &p->c;
	run_range(&p->c, p->split, p->c.run->sc->nstmts);
	b->trace_arg = &p->r;
	err = b->ops->settle ? b->ops->settle(b) : 0;
	if (err == -EAGAIN)     /* the run is void: the restore had not worked */
		return prefix_restart(p, vars, watch, out);
	if (err == -ESTALE)     /* a batch could not answer it: again, one by one */
		return fl_prefix_case(p, vars, watch, out);
	if (err < 0)
		return err;
	p->batched += err == 1;
	p->fresh = false;
	p->restores++;
	run_finish(p->c.run);
	*out = p->c.run;
	return 0;
}

int fl_prefix_batch(struct fl_prefix *p, const int64_t *const *vars, unsigned n)
{
	struct fl_backend *b = &p->r.bstore;
	unsigned i;
	int err;

	if (!p->snapped || p->stopped || !b->ops->batch || n < 2)
		return -EOPNOTSUPP;
	if (b->ops->batch(b, FL_BATCH_PENDING) > 0)
		return -EBUSY;
	err = b->ops->batch(b, FL_BATCH_COLLECT);
	for (i = 0; !err && i < n; i++) {
		if (p->c.run)
			case_reset(p, vars[i], NULL);
		else
			err = case_new(p, vars[i], NULL);
		if (!err)
			err = b->ops->restore(b);
		if (!err && b->trace)
			b->trace_arg = &p->c;
		if (!err)
			run_range(&p->c, p->split, p->c.run->sc->nstmts);
		b->trace_arg = &p->r;
	}
	if (err) {
		b->ops->batch(b, FL_BATCH_DROP);
		return err;
	}
	return b->ops->batch(b, FL_BATCH_SEND);
}

uint64_t fl_prefix_restores(const struct fl_prefix *p)
{
	return p ? p->restores : 0;
}

bool fl_prefix_batch_ready(struct fl_prefix *p)
{
	struct fl_backend *b = &p->r.bstore;

	return p->snapped && !p->stopped && b->ops->batch && b->ops->batch(b, FL_BATCH_PENDING) == 0;
}

uint64_t fl_prefix_batched(const struct fl_prefix *p)
{
	return p ? p->batched : 0;
}

uint64_t fl_prefix_restarts(const struct fl_prefix *p)
{
	return p ? p->restarts : 0;
}

/* A case as a run record of its own: fl_prefix_case()'s, copied deep. */
int fl_prefix_run(struct fl_prefix *p, const int64_t *vars,
		  const struct fl_run_watch *watch, struct fl_run **out)
{
	const struct fl_run *run;
	int err = fl_prefix_case(p, vars, watch, &run);

	return err ? err : run_copy(run, out);
}
