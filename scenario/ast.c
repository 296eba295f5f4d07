/*
 * scenario/ast.c - what the runner and the explorer do with a parsed tree:
 * look up keys, evaluate expressions under variable bindings, print.
 *
 * Printing gives the canonical form of a statement: keys after the
 * positional arguments, numbers folded, addresses in hex, return values as
 * -ENAME where they were written so.  Invariant: the canonical form
 * parses to the same tree, and prints identically again (the fuzz harness
 * checks both on every input that parses).
 */
#include <inttypes.h>
#include <string.h>

#include <faultline/eras.h>

#include "scenario/internal.h"

const struct fl_sc_arg *fl_sc_key(const struct fl_sc_stmt *st, const char *name)
{
	unsigned i;

	for (i = 0; i < st->nkeys; i++)
		if (!strcmp(st->keys[i].name, name))
			return &st->keys[i].arg;
	return NULL;
}

bool fl_sc_stmt_nameable(const struct fl_sc_stmt *st)
{
	const struct fl_sc_keyspec *k;

	for (k = st->form ? st->form->keys : NULL; k && k->name; k++)
		if (FL_SC_KIND(k->kind) == FL_SC_NEW_TASK)
			return true;
	return false;
}

uint64_t fl_sc_expr_eval(const struct fl_sc_expr *e, const int64_t *vars)
{
	uint64_t v = e->off;
	unsigned i;

	for (i = 0; i < e->nvars; i++) {
		uint64_t x = (uint64_t)vars[e->vars[i].var];

		v += e->vars[i].neg ? -x : x;
	}
	return v;
}

/* ---- printing ---- */

static void print_const(FILE *f, uint64_t v, bool hex)
{
	if (hex)
		fprintf(f, "0x%" PRIx64, v);
	else
		fprintf(f, "%" PRIu64, v);
}

/* A constant after other terms: +N, or -N when it reads as negative. */
static void print_offset(FILE *f, uint64_t v, bool hex)
{
	bool neg = v >> 63;

	fputc(neg ? '-' : '+', f);
	print_const(f, neg ? -v : v, hex);
}

static void print_expr(FILE *f, const struct fl_scenario *sc,
		       enum fl_sc_kind kind, const struct fl_sc_expr *e)
{
	bool hex = kind == FL_SC_ADDR, any = e->map >= 0;
	unsigned i;

	if (any)
		fputs(sc->names[e->map].text, f);
	if (!any && !e->nvars) {
		if (e->is_errno)
			fprintf(f, "-%s", fl_sc_errno_name((int)-(int64_t)e->off));
		else if (kind == FL_SC_SNUM && (int64_t)e->off < 0)
			fprintf(f, "%" PRId64, (int64_t)e->off);
		else
			print_const(f, e->off, hex);
		return;
	}
	for (i = 0; i < e->nvars; i++) {
		bool neg = e->vars[i].neg;

		if (!any && neg && kind != FL_SC_SNUM)
			fputc('0', f);   /* only SNUM may open with '-' */
		if (any || neg)
			fputc(neg ? '-' : '+', f);
		fprintf(f, "$%s", sc->names[sc->vars[e->vars[i].var].name].text);
		any = true;
	}
	if (e->off)
		print_offset(f, e->off, hex);
}

static void print_data(FILE *f, const struct fl_scenario *sc,
		       const struct fl_sc_data *d)
{
	size_t i;

	switch (d->form) {
	case FL_SC_DATA_TEXT:
		fputc('"', f);
		for (i = 0; i < d->len; i++) {
			unsigned char c = d->bytes[i];

			if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
				fputc(c, f);
			else
				fprintf(f, "\\x%02x", c);
		}
		fputc('"', f);
		return;
	case FL_SC_DATA_FILL:
		fputs("fill=", f);
		print_expr(f, sc, FL_SC_ADDR, &d->n);
		return;
	case FL_SC_DATA_SEQ:
		fputs("seq", f);
		if (d->n.nvars || d->n.off) {
			fputc('=', f);
			print_expr(f, sc, FL_SC_NUM, &d->n);
		}
		return;
	case FL_SC_DATA_ZERO:
		fputs("zero", f);
		return;
	case FL_SC_DATA_UNCHANGED:
		fputs("unchanged", f);
		return;
	}
}

static void print_flags(FILE *f, enum fl_sc_kind kind, uint64_t v)
{
	const char *const *words = fl_sc_kind_words(kind);
	unsigned n = 0, i;

	while (words[n])
		n++;
	if (!v) {
		fputc('-', f);
	} else if (v >> n) {
		fprintf(f, "0x%" PRIx64, v);
	} else {
		const char *sep = "";

		for (i = 0; i < n; i++)
			if (v >> i & 1) {
				fprintf(f, "%s%s", sep, words[i]);
				sep = ",";
			}
	}
}

/* pagemap bits: the set ones, then the clear ones with '-' (parse_pm_bits). */
static void print_pm_bits(FILE *f, uint64_t v)
{
	const char *const *words = fl_sc_kind_words(FL_SC_PM_BITS);
	const char *sep = "";
	unsigned i;

	for (i = 0; i < 2 * FL_SC_PM_COUNT; i++) {
		unsigned bit = i < FL_SC_PM_COUNT ? i : FL_SC_PM_CLEAR_SHIFT + i - FL_SC_PM_COUNT;

		if (v >> bit & 1) {
			fprintf(f, "%s%s%s", sep, i < FL_SC_PM_COUNT ? "" : "-",
				words[i % FL_SC_PM_COUNT]);
			sep = ",";
		}
	}
}

static void print_word(FILE *f, enum fl_sc_kind kind, uint64_t v)
{
	static const unsigned char prot_word[8] = { 0, 1, 0, 2, 0, 3, 0, 4 };

	if (kind == FL_SC_PROT)
		v = prot_word[v & 7];
	fputs(fl_sc_kind_words(kind)[v], f);
}

static void print_arg(FILE *f, const struct fl_scenario *sc,
		      const struct fl_sc_arg *a)
{
	static const char *const ends[] = { "", ".r", ".w", ".0", ".1" };
	char buf[32];

	switch (a->kind) {
	case FL_SC_NONE:
		return;
	case FL_SC_NEW_PROC: case FL_SC_NEW_MAP: case FL_SC_NEW_FILE:
	case FL_SC_NEW_PIPE: case FL_SC_NEW_PAGES: case FL_SC_NEW_UFFD:
	case FL_SC_NEW_TASK: case FL_SC_NEW_VAR: case FL_SC_PROC:
	case FL_SC_FILE_REF: case FL_SC_PIPE_REF: case FL_SC_PAGES:
	case FL_SC_UFFD: case FL_SC_TASK: case FL_SC_FD: case FL_SC_PIPE_FD:
	case FL_SC_NEW_SOCK: case FL_SC_SOCK_FD: case FL_SC_PIPE_END: case FL_SC_ANY_FD:
		fprintf(f, "%s%s", sc->names[a->u.ref.id].text, ends[a->u.ref.end]);
		return;
	case FL_SC_NUM: case FL_SC_SNUM: case FL_SC_ADDR:
		print_expr(f, sc, a->kind, &a->u.expr);
		return;
	case FL_SC_IOVEC:
		print_expr(f, sc, FL_SC_ADDR, &a->u.iov.addr);
		fputc(':', f);
		print_expr(f, sc, FL_SC_NUM, &a->u.iov.len);
		return;
	case FL_SC_DATA: case FL_SC_MEMDATA:
		print_data(f, sc, &a->u.data);
		return;
	case FL_SC_ERRNO:
		fputs(fl_sc_errno_name((int)a->u.value), f);
		return;
	case FL_SC_VERSION:
		fputs(a->u.value ? fl_kver_format((fl_kver_t)a->u.value, buf, sizeof(buf))
				 : "host", f);
		return;
	case FL_SC_GUP_FLAGS: case FL_SC_UFFD_FLAGS: case FL_SC_UFFD_FEATURES:
	case FL_SC_UFFD_MODES: case FL_SC_COPY_MODE: case FL_SC_EVENT_FLAGS:
	case FL_SC_MOVE_MODE: case FL_SC_SPLICE_FLAGS: case FL_SC_RWF_FLAGS:
	case FL_SC_MSG_FLAGS: case FL_SC_MSG_RFLAGS: case FL_SC_SCAN_CATS: case FL_SC_SCAN_FLAGS:
	case FL_SC_SEALS:
		print_flags(f, a->kind, a->u.value);
		return;
	case FL_SC_PM_BITS:
		print_pm_bits(f, a->u.value);
		return;
	case FL_SC_HOOK:
		print_word(f, a->kind, a->u.hook.hook);
		if (a->u.hook.nth.nvars || a->u.hook.nth.off) {
			fputc('#', f);
			print_expr(f, sc, FL_SC_NUM, &a->u.hook.nth);
		}
		return;
	case FL_SC_RANGE:
		fprintf(f, "%" PRId64 "..%" PRId64, a->u.range.from, a->u.range.to);
		return;
	default:
		print_word(f, a->kind, a->u.value);
		return;
	}
}

void fl_sc_stmt_print(FILE *f, const struct fl_scenario *sc,
		      const struct fl_sc_stmt *st)
{
	unsigned i;

	fputs(fl_sc_verb_name(st->verb), f);
	if (st->verb == FL_SC_CALL || st->verb == FL_SC_EXPECT)
		fprintf(f, " %s", st->form->name);
	for (i = 0; i < st->nargs; i++) {
		if (st->args[i].kind == FL_SC_NONE)
			continue;
		fputc(' ', f);
		print_arg(f, sc, &st->args[i]);
	}
	for (i = 0; i < st->nkeys; i++) {
		fprintf(f, " %s=", st->keys[i].name);
		print_arg(f, sc, &st->keys[i].arg);
	}
	if (st->hooked) {
		fputc(' ', f);
		fl_sc_stmt_print(f, sc, st->hooked);
	}
}

int fl_scenario_print(FILE *f, const struct fl_scenario *sc)
{
	unsigned i;

	for (i = 0; i < sc->nstmts; i++) {
		fl_sc_stmt_print(f, sc, &sc->stmts[i]);
		fputc('\n', f);
	}
	return ferror(f) ? -EIO : 0;
}
