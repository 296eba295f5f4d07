/*
 * explore/property.c - the properties every explored case is checked
 * against, besides the file's own expect lines, and the class of a case.
 *
 * What the model lets us observe today (docs/explore.md says what not):
 *   forward progress   a step's outcome livelock or no-progress (the loop
 *                      monitor of callers/livelock.c).
 *   over-report        copy_to_user & co, clear_user: the LEN - ret bytes
 *                      reported done must hold the source bytes (zero for
 *                      clear_user) now; copy_from_user & co: the kernel
 *                      buffer's first LEN - ret bytes must equal the user
 *                      bytes.  Memory is compared, not a counter, so an
 *                      over-report whose missing bytes already held the
 *                      source value is not seen (seq sources make that a
 *                      byte at most per page).
 *   write-outside      read()/pread() into user memory: only the
 *                      destination [buf, buf+len) may change.  A window of
 *                      WINDOW_PAD bytes on each side plus the buffer is
 *                      captured before the call and compared after; bytes
 *                      that could not be read before (unmapped) are
 *                      skipped.  Inside the buffer, bytes past ret may
 *                      change: a pipe read that faults part-way has
 *                      written what it copied and still returns -EFAULT
 *                      (scenarios/pipe-efault), and restartable in-kernel
 *                      copies may clobber their buffer.
 *   leak               a step's outcome leak (gup/leak.c's checker).
 *   uffd-inconsistent  UFFDIO_COPY: ret 0 iff copy == len; an error with
 *                      the field written has copy == -errno, or EAGAIN
 *                      with a partial copy (0 < copy < len).  An error may
 *                      leave the field untouched: the ioctl returned before
 *                      it wrote it (EINVAL on a bad range, ESRCH for a dead
 *                      mm, EAGAIN for mmap_changing in the eras that check
 *                      it first: scenarios/uffd/).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/explore.h>

#define WINDOW_PAD 256
#define WINDOW_MAX ((size_t)1 << 20)    /* larger reads: not checked */

static const char *const class_names[FL_CLASS_COUNT] = {
	"pass", "expect-failed", "livelock", "no-progress", "over-report",
	"write-outside", "leak", "uffd-inconsistent", "differ", "unsupported",
	"error",
};

const char *fl_class_name(enum fl_class c)
{
	return (unsigned)c < FL_CLASS_COUNT ? class_names[c] : "?";
}

int fl_class_lookup(const char *name)
{
	unsigned i;

	for (i = 0; i < FL_CLASS_COUNT; i++)
		if (!strcmp(name, class_names[i]))
			return (int)i;
	return -ENOENT;
}

char fl_class_glyph(enum fl_class c)
{
	static const char glyphs[FL_CLASS_COUNT] = ".xLNOWKUD?E";

	return (unsigned)c < FL_CLASS_COUNT ? glyphs[c] : ' ';
}

const char *fl_class_colour(enum fl_class c)
{
	static const char *const colours[FL_CLASS_COUNT] = {
		"#d9f0d3", "#fdae61", "#d7191c", "#f46d43", "#7b3294",
		"#c2a5cf", "#2c7bb6", "#abd9e9", "#ffff33", "#bababa",
		"#404040",
	};

	return (unsigned)c < FL_CLASS_COUNT ? colours[c] : "#ffffff";
}

void fl_props_reset(struct fl_props *p)
{
	p->found = FL_CLASS_PASS;
	p->line = 0;
	p->why[0] = '\0';
	p->win_len = 0;
}

void fl_props_fini(struct fl_props *p)
{
	free(p->win);
	free(p->win_ok);
	p->win = NULL;
	p->win_ok = NULL;
	p->win_cap = 0;
}

static void violate(struct fl_props *p, enum fl_class c, const struct fl_sc_stmt *st,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Keep the first violation of the run. */
static void violate(struct fl_props *p, enum fl_class c, const struct fl_sc_stmt *st,
		    const char *fmt, ...)
{
	va_list ap;

	if (p->found != FL_CLASS_PASS)
		return;
	p->found = c;
	p->line = st->line;
	va_start(ap, fmt);
	vsnprintf(p->why, sizeof(p->why), fmt, ap);
	va_end(ap);
}

/* ---- write-outside: read() and pread() ---- */

static bool is_read(const struct fl_sc_stmt *st)
{
	return st->verb == FL_SC_CALL &&
	       (st->code == FL_SC_READ || st->code == FL_SC_PREAD);
}

static int window_reserve(struct fl_props *p, size_t n)
{
	uint8_t *w;
	bool *ok;

	if (n <= p->win_cap)
		return 0;
	w = realloc(p->win, n);
	if (w)
		p->win = w;
	ok = realloc(p->win_ok, n * sizeof(*ok));
	if (ok)
		p->win_ok = ok;
	if (!w || !ok)
		return -ENOMEM;
	p->win_cap = n;
	return 0;
}

/* Read [ADDR, ADDR+N) page by page into BUF; OK[i] says byte i was read. */
static void peek_pages(struct fl_backend *b, fl_addr_t addr, size_t n,
		       uint8_t *buf, bool *ok)
{
	size_t off = 0;

	while (off < n) {
		fl_addr_t a = addr + off;
		size_t chunk = FL_PAGE_SIZE - (size_t)(a & (FL_PAGE_SIZE - 1));

		if (chunk > n - off)
			chunk = n - off;
		memset(ok + off, b->ops->peek(b, a, buf + off, chunk) == 0, chunk);
		off += chunk;
	}
}

static void window_capture(struct fl_props *p, struct fl_backend *b,
			   const struct fl_val *v)
{
	fl_addr_t buf = v[1].u;
	size_t len = (size_t)v[2].u;

	p->win_len = 0;
	if (len > WINDOW_MAX || buf < WINDOW_PAD)
		return;
	if (window_reserve(p, len + 2 * WINDOW_PAD))
		return;
	p->win_addr = buf - WINDOW_PAD;
	p->win_len = len + 2 * WINDOW_PAD;
	peek_pages(b, p->win_addr, p->win_len, p->win, p->win_ok);
}

static void window_check(struct fl_props *p, struct fl_backend *b,
			 const struct fl_step *s, const struct fl_val *v)
{
	fl_addr_t lo = v[1].u, hi = v[1].u + v[2].u;
	uint8_t now[256];
	size_t off, i;

	if (!p->win_len)
		return;
	for (off = 0; off < p->win_len; off += sizeof(now)) {
		size_t n = p->win_len - off < sizeof(now) ? p->win_len - off : sizeof(now);
		bool ok[256];

		peek_pages(b, p->win_addr + off, n, now, ok);
		for (i = 0; i < n; i++) {
			fl_addr_t a = p->win_addr + off + i;

			if (!ok[i] || !p->win_ok[off + i] || now[i] == p->win[off + i])
				continue;
			if (a >= lo && a < hi)
				continue;
			violate(p, FL_CLASS_WRITE_OUTSIDE, s->st,
				"line %u: read of %llu bytes changed byte buf%+lld",
				s->st->line, (unsigned long long)v[2].u, (long long)(a - lo));
			return;
		}
	}
}

/* ---- over-report ---- */

static const struct fl_val *key_of(const struct fl_sc_stmt *st,
				   const struct fl_val *v, const char *name)
{
	return fl_backend_key(st, v, name);
}

/* Bytes a uaccess call reported done: LEN - ret, or all/none for _nofault. */
static bool reported_done(const struct fl_sc_stmt *st, const struct fl_step *s,
			  size_t len, size_t *done)
{
	bool nofault = st->code == FL_SC_COPY_TO_USER_NOFAULT ||
		       st->code == FL_SC_COPY_FROM_USER_NOFAULT;

	if (!s->obs.has_ret)
		return false;
	if (nofault) {
		*done = s->obs.ret == 0 ? len : 0;
		return true;
	}
	if (s->obs.ret < 0 || (uint64_t)s->obs.ret > len)
		return false;
	*done = len - (size_t)s->obs.ret;
	return true;
}

static void check_copy_to(struct fl_props *p, struct fl_backend *b,
			  const struct fl_step *s, const struct fl_val *v)
{
	const struct fl_sc_stmt *st = s->st;
	const struct fl_val *src = key_of(st, v, "src");
	bool clear = st->code == FL_SC_CLEAR_USER;
	size_t len = (size_t)v[1].u, done, i, k, n;
	uint8_t now[256];

	if (!reported_done(st, s, len, &done))
		return;
	/* chunk by chunk, the source chosen once: this runs for every explored copy */
	for (i = 0; i < done; i += n) {
		n = done - i < sizeof(now) ? done - i : sizeof(now);
		if (b->ops->peek(b, v[0].u + i, now, n))
			return;         /* no longer mapped: cannot tell */
		k = 0;
		if (clear)
			while (k < n && now[k] == 0)
				k++;
		else if (src)
			while (k < n && now[k] == src->bytes[i + k])
				k++;
		else
			while (k < n && now[k] == (uint8_t)(i + k))
				k++;
		if (k < n) {
			violate(p, FL_CLASS_OVER_REPORT, st,
				"line %u: %zu bytes reported done, byte %zu not written",
				st->line, done, i + k);
			return;
		}
	}
}

static void check_copy_from(struct fl_props *p, struct fl_backend *b,
			    const struct fl_step *s, const struct fl_val *v)
{
	const struct fl_sc_stmt *st = s->st;
	size_t len = (size_t)v[1].u, done, i;
	uint8_t now[256];

	if (!s->obs.kbuf || !reported_done(st, s, len, &done) || done > s->obs.kbuf_len)
		return;
	for (i = 0; i < done; i++) {
		if (i % sizeof(now) == 0 &&
		    b->ops->peek(b, v[0].u + i, now,
				 done - i < sizeof(now) ? done - i : sizeof(now)))
			return;
		if (s->obs.kbuf[i] != now[i % sizeof(now)]) {
			violate(p, FL_CLASS_OVER_REPORT, st,
				"line %u: %zu bytes reported copied, kernel byte %zu differs",
				st->line, done, i);
			return;
		}
	}
}

/* ---- uffd consistency ---- */

static bool uffd_copy_consistent(const struct fl_obs *o, int64_t len)
{
	if (o->outcome == FL_OUTCOME_BLOCKED || !o->has_ret)
		return true;
	if (o->ret == 0)
		return o->has_copy && o->copy == len;
	if (!o->has_copy)
		return true;    /* an error returned before the field was written */
	if (o->err == EAGAIN && o->copy > 0 && o->copy < len)
		return true;
	return o->copy == -(int64_t)o->err;
}

static void check_uffd_copy(struct fl_props *p, const struct fl_step *s,
			    const struct fl_val *v)
{
	const struct fl_obs *o = &s->obs;

	if (uffd_copy_consistent(o, (int64_t)v[2].u))
		return;
	violate(p, FL_CLASS_UFFD_INCONSISTENT, s->st,
		"line %u: UFFDIO_COPY ret %lld errno %d copy %s%lld for len %llu",
		s->st->line, (long long)o->ret, o->err, o->has_copy ? "" : "untouched ",
		(long long)o->copy, (unsigned long long)v[2].u);
}

/* ---- the watcher ---- */

static void props_before(void *arg, struct fl_backend *b, const struct fl_sc_stmt *st,
			 const struct fl_val *v)
{
	struct fl_props *p = arg;

	p->win_len = 0;
	if (is_read(st))
		window_capture(p, b, v);
}

static void props_after(void *arg, struct fl_backend *b, const struct fl_step *s,
			const struct fl_val *v)
{
	struct fl_props *p = arg;

	if (s->rc || s->st->verb != FL_SC_CALL)
		return;
	switch (s->st->code) {
	case FL_SC_READ:
	case FL_SC_PREAD:
		window_check(p, b, s, v);
		break;
	case FL_SC_COPY_TO_USER:
	case FL_SC_COPY_TO_USER_INATOMIC:
	case FL_SC_COPY_TO_USER_NOFAULT:
	case FL_SC_CLEAR_USER:
		check_copy_to(p, b, s, v);
		break;
	case FL_SC_COPY_FROM_USER:
	case FL_SC_COPY_FROM_USER_INATOMIC:
	case FL_SC_COPY_FROM_USER_NOFAULT:
		check_copy_from(p, b, s, v);
		break;
	case FL_SC_UFFD_COPY:
		check_uffd_copy(p, s, v);
		break;
	default:
		break;
	}
}

void fl_props_watch(struct fl_props *p, struct fl_run_watch *w)
{
	w->arg = p;
	w->before = props_before;
	w->after = props_after;
}

/* ---- the class of a case ---- */

static bool outcome_allowed(const struct fl_run *run, unsigned i)
{
	unsigned j;

	for (j = i + 1; j < run->nsteps; j++) {
		const struct fl_step *e = &run->steps[j];

		if (!e->is_expect || e->st->subject != (int)(run->steps[i].st - run->sc->stmts))
			continue;
		if (e->held && (e->st->code == FL_SC_EXPECT_OUTCOME ||
				e->st->code == FL_SC_EXPECT_ONE_OF))
			return true;
	}
	return false;
}

/* The first step whose outcome breaks a property, into Q. */
static void outcome_scan(const struct fl_run *run, struct fl_props *q)
{
	unsigned i;

	for (i = 0; i < run->nsteps && q->found == FL_CLASS_PASS; i++) {
		const struct fl_step *s = &run->steps[i];
		enum fl_class c;

		switch (s->obs.outcome) {
		case FL_OUTCOME_LIVELOCK: c = FL_CLASS_LIVELOCK; break;
		case FL_OUTCOME_NO_PROGRESS: c = FL_CLASS_NO_PROGRESS; break;
		case FL_OUTCOME_LEAK: c = FL_CLASS_LEAK; break;
		default: continue;
		}
		if (s->is_expect || outcome_allowed(run, i))
			continue;
		violate(q, c, s->st, "line %u: outcome %s", s->st->line, fl_class_name(c));
	}
}

/* The earlier (by line) of the violations of A and B, or NULL. */
static const struct fl_props *first_of(const struct fl_props *a, const struct fl_props *b)
{
	if (!a || a->found == FL_CLASS_PASS)
		return b && b->found != FL_CLASS_PASS ? b : NULL;
	if (!b || b->found == FL_CLASS_PASS)
		return a;
	return b->line < a->line ? b : a;
}

/* S into WHY (LEN bytes, may be 0: the explorer keeps no reason per case). */
static void set_why(char *why, size_t len, const char *s)
{
	if (len)
		snprintf(why, len, "%s", s);
}

enum fl_class fl_case_class(const struct fl_run *run, const struct fl_props *pre,
			    const struct fl_props *p, char *why, size_t len)
{
	struct fl_props q = { 0 };
	const struct fl_props *v;

	if (run->verdict == FL_VERDICT_ERROR || run->verdict == FL_VERDICT_UNSUPPORTED) {
		set_why(why, len, run->reason);
		return run->verdict == FL_VERDICT_ERROR ? FL_CLASS_ERROR : FL_CLASS_UNSUPPORTED;
	}
	fl_props_reset(&q);
	outcome_scan(run, &q);
	v = first_of(first_of(pre, p), &q);
	if (v) {
		set_why(why, len, v->why);
		return v->found;
	}
	set_why(why, len, run->reason);
	return run->verdict == FL_VERDICT_FAIL ? FL_CLASS_EXPECT_FAILED : FL_CLASS_PASS;
}
