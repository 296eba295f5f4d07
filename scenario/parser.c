/*
 * scenario/parser.c - from words to the syntax tree, with the semantic
 * checks that need no model: names declared before use, arguments of the
 * kind the schema asks for, keys the form knows, expect after a subject.
 *
 * One line is one statement (parse_stmt).  Its words are sorted into
 * positional arguments and key=value pairs (is_key), matched against the
 * form's slots (match_slots) and read one by one according to their kind
 * (parse_arg).  Names a statement declares are entered only once the whole
 * statement has parsed (declare_names), so `mmap buf 1p rw private at=buf`
 * is an error: nothing refers to a name on the line that declares it.
 *
 * Invariants: those of faultline/scenario.h; and the parse stops at the
 * first error, leaving exactly one message in the diagnostic.
 */
#include <stdlib.h>
#include <string.h>

#include <faultline/eras.h>

#include <faultline/callers.h>

#include "scenario/internal.h"

/* Names are found through an open-addressing hash, so that a file with a
 * million mmaps parses in linear time. */
struct name_table {
	unsigned *slot;         /* names[] index + 1; 0 is empty */
	size_t cap;             /* a power of two, at least twice the count */
};

struct parser {
	struct fl_sc_src src;
	struct fl_scenario *sc;
	unsigned cap_stmts, cap_names, cap_vars;
	struct name_table names;
	unsigned per_kind[FL_SC_KIND_COUNT];   /* names declared of each kind */
	const char *line;       /* the line being parsed */
	size_t line_len;
	struct fl_sc_tok *toks; /* its words; a second half holds the keys */
	unsigned max_toks;      /* the size of each half */
	int subject;            /* index of the latest call/store/load, or -1 */
};


static int oom(struct parser *p)
{
	if (p->src.diag)
		snprintf(p->src.diag->msg, sizeof(p->src.diag->msg),
			 "%s: out of memory", p->src.file);
	return -ENOMEM;
}

static int tok_error(struct parser *p, const struct fl_sc_tok *t, const char *what)
{
	return fl_sc_error_tok(&p->src, t->col, what, t->s, t->len);
}

/* ---- names ---- */

static size_t name_hash(const char *s, size_t len)
{
	size_t h = 2166136261u, i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* The names[] index of S, or -1. */
static int name_find(const struct parser *p, const char *s, size_t len)
{
	size_t i, mask = p->names.cap - 1;
	unsigned v;

	if (!p->names.cap)
		return -1;
	for (i = name_hash(s, len) & mask; (v = p->names.slot[i]); i = (i + 1) & mask) {
		const char *t = p->sc->names[v - 1].text;

		if (strlen(t) == len && !memcmp(t, s, len))
			return (int)v - 1;
	}
	return -1;
}

static void name_table_insert(struct name_table *nt, const struct fl_sc_name *n,
			      unsigned id)
{
	size_t i, mask = nt->cap - 1;

	for (i = name_hash(n->text, strlen(n->text)) & mask; nt->slot[i];
	     i = (i + 1) & mask)
		;
	nt->slot[i] = id + 1;
}

static int name_table_grow(struct parser *p)
{
	struct name_table nt = { NULL, p->names.cap ? p->names.cap * 2 : 64 };
	unsigned i;

	nt.slot = calloc(nt.cap, sizeof(*nt.slot));
	if (!nt.slot)
		return -ENOMEM;
	for (i = 0; i < p->sc->nnames; i++)
		name_table_insert(&nt, &p->sc->names[i], i);
	free(p->names.slot);
	p->names = nt;
	return 0;
}

/* Grow *ARR (of *CAP elements of SIZE) to hold one more than N. */
static int grow(void *arr, unsigned *cap, unsigned n, size_t size)
{
	void **a = arr, *bigger;
	unsigned ncap = *cap ? *cap * 2 : 16;

	if (n < *cap)
		return 0;
	bigger = realloc(*a, (size_t)ncap * size);
	if (!bigger)
		return -ENOMEM;
	*a = bigger;
	*cap = ncap;
	return 0;
}

/* Enter S as a name of KIND, or find it if already declared; its index. */
static int name_declare(struct parser *p, const char *s, size_t len,
			enum fl_sc_kind kind, unsigned line, unsigned col)
{
	struct fl_scenario *sc = p->sc;
	struct fl_sc_name *n;
	char *text;
	int id = name_find(p, s, len);

	if (id >= 0)
		return id;
	if (grow(&sc->names, &p->cap_names, sc->nnames, sizeof(*sc->names)))
		return -ENOMEM;
	if ((size_t)sc->nnames * 2 >= p->names.cap && name_table_grow(p))
		return -ENOMEM;
	text = fl_sc_alloc(&sc->arena, len + 1);
	if (!text)
		return -ENOMEM;
	memcpy(text, s, len);
	n = &sc->names[sc->nnames];
	*n = (struct fl_sc_name){ text, kind, p->per_kind[kind]++, line, col };
	name_table_insert(&p->names, n, sc->nnames);
	return (int)sc->nnames++;
}

/* Does an argument of KIND declare a name? */
static bool declares(enum fl_sc_kind kind)
{
	return (kind >= FL_SC_NEW_PROC && kind <= FL_SC_NEW_VAR) || kind == FL_SC_NEW_SOCK;
}

static enum fl_sc_kind declared_by(enum fl_sc_kind ref)
{
	switch (ref) {
	case FL_SC_PROC:     return FL_SC_NEW_PROC;
	case FL_SC_FILE_REF: return FL_SC_NEW_FILE;
	case FL_SC_PIPE_REF: return FL_SC_NEW_PIPE;
	case FL_SC_PAGES:    return FL_SC_NEW_PAGES;
	case FL_SC_UFFD:     return FL_SC_NEW_UFFD;
	case FL_SC_TASK:     return FL_SC_NEW_TASK;
	case FL_SC_ADDR:     return FL_SC_NEW_MAP;
	case FL_SC_NUM:      return FL_SC_NEW_VAR;
	default:             return FL_SC_NONE;
	}
}

/* The index of the name S of kind NEW, or -1 if it is not declared. */
static int name_ref(struct parser *p, const char *s, size_t len, enum fl_sc_kind new)
{
	int id = name_find(p, s, len);

	return id >= 0 && p->sc->names[id].kind == new ? id : -1;
}

/* ---- numbers ---- */

/* The length of the number-like run at S: digits, letters, '_'. */
static size_t run_len(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && fl_sc_is_ident((unsigned char)s[i]))
		i++;
	return i;
}

static int parse_number(struct parser *p, const char *s, size_t len,
			unsigned col, uint64_t *v)
{
	int err = fl_sc_lex_number(s, len, v);

	if (err == -ERANGE)
		return fl_sc_error_tok(&p->src, col, "a number below 2^64", s, len);
	if (err)
		return fl_sc_error_tok(&p->src, col, "a number", s, len);
	return 0;
}

static unsigned count_vars(const char *s, size_t len)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < len; i++)
		n += s[i] == '$';
	return n;
}

/* A -ENAME return value: the whole word. 1 if it is one, 0 if not. */
static int parse_errno_value(const char *s, size_t len, uint64_t *v)
{
	int err;

	if (len < 3 || s[0] != '-' || s[1] != 'E' ||
	    fl_sc_ident_len(s + 1, len - 1) != len - 1)
		return 0;
	err = fl_sc_errno_lookup(s + 1, len - 1);
	if (!err)
		return -1;
	*v = (uint64_t)-(int64_t)err;
	return 1;
}

/* One term at S[*I]: $VAR or a number, added to E with sign NEG. */
static int parse_term(struct parser *p, const char *s, size_t len, size_t *i,
		      unsigned col, bool neg, struct fl_sc_expr *e,
		      struct fl_sc_varterm *vars)
{
	size_t start = *i, n;
	uint64_t v;
	int id, err;

	if (start < len && s[start] == '$') {
		n = fl_sc_ident_len(s + start + 1, len - start - 1);
		id = n ? name_ref(p, s + start + 1, n, FL_SC_NEW_VAR) : -1;
		if (id < 0)
			return fl_sc_error_tok(&p->src, col + (unsigned)start,
					       "a variable declared by vary",
					       s + start, n + 1);
		vars[e->nvars].var = p->sc->names[id].index;
		vars[e->nvars++].neg = neg;
		*i = start + 1 + n;
		return 0;
	}
	n = run_len(s + start, len - start);
	if (!n)
		return fl_sc_error_tok(&p->src, col + (unsigned)start, "a number",
				       s + start, len - start);
	err = parse_number(p, s + start, n, col + (unsigned)start, &v);
	if (err)
		return err;
	e->off += neg ? -v : v;
	*i = start + n;
	return 0;
}

/*
 * An expression of KIND (NUM, SNUM or ADDR) in S[0..LEN) at column COL:
 * [NAME | -] TERM {(+|-) TERM}, a NAME (a mapping) for an address or a
 * signed number, a leading '-' only for a signed number.
 */
static int parse_expr(struct parser *p, enum fl_sc_kind kind, const char *s,
		      size_t len, unsigned col, struct fl_sc_expr *e)
{
	struct fl_sc_varterm *vars = NULL;
	unsigned nv = count_vars(s, len);
	size_t i = 0, n;
	bool neg = false;
	int err, id;

	*e = (struct fl_sc_expr){ .map = -1 };
	if (kind == FL_SC_SNUM && (err = parse_errno_value(s, len, &e->off))) {
		e->is_errno = true;
		return err < 0 ? fl_sc_error_tok(&p->src, col + 1, "an errno name",
						 s + 1, len - 1) : 0;
	}
	if (nv && !(vars = fl_sc_alloc(&p->sc->arena, nv * sizeof(*vars))))
		return oom(p);
	e->vars = vars;
	/* A return value may be an address: `expect ret NEW` after mremap as=NEW. */
	if ((kind == FL_SC_ADDR || kind == FL_SC_SNUM) && (n = fl_sc_ident_len(s, len))) {
		id = name_ref(p, s, n, FL_SC_NEW_MAP);
		if (id < 0)
			return fl_sc_error_tok(&p->src, col,
					       "a mapping declared by an earlier mmap", s, n);
		e->map = id;
		i = n;
	} else {
		if (kind == FL_SC_SNUM && len && s[0] == '-')
			neg = true, i = 1;
		if ((err = parse_term(p, s, len, &i, col, neg, e, vars)))
			return err;
	}
	while (i < len) {
		if (s[i] != '+' && s[i] != '-')
			return fl_sc_error_tok(&p->src, col + (unsigned)i, "'+' or '-'",
					       s + i, len - i);
		neg = s[i++] == '-';
		if (i == len)
			return fl_sc_error(&p->src, col + (unsigned)i, "a number",
					   "end of word");
		if ((err = parse_term(p, s, len, &i, col, neg, e, vars)))
			return err;
	}
	return 0;
}

/* A signed constant (vary bounds): [-]NUMBER. */
static int parse_signed(struct parser *p, const char *s, size_t len,
			unsigned col, int64_t *v)
{
	bool neg = len && s[0] == '-';
	uint64_t u;
	int err = parse_number(p, s + neg, len - neg, col + neg, &u);

	if (err)
		return err;
	if (u > (uint64_t)INT64_MAX + neg)
		return fl_sc_error_tok(&p->src, col, "a number between -2^63 and 2^63-1",
				       s, len);
	*v = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}

/* ---- arguments ---- */

static int parse_range(struct parser *p, const char *s, size_t len,
		       unsigned col, struct fl_sc_range *r)
{
	const char *dots = NULL;
	size_t i, left;
	int err;

	for (i = 0; i + 1 < len && !dots; i++)
		if (s[i] == '.' && s[i + 1] == '.')
			dots = s + i;
	if (!dots)
		return fl_sc_error_tok(&p->src, col, "a range FROM..TO", s, len);
	left = (size_t)(dots - s);
	err = parse_signed(p, s, left, col, &r->from);
	if (!err)
		err = parse_signed(p, dots + 2, len - left - 2,
				   col + (unsigned)left + 2, &r->to);
	if (!err && r->from > r->to)
		err = fl_sc_error_tok(&p->src, col, "a range with FROM <= TO", s, len);
	return err;
}

static int parse_string(struct parser *p, const char *s, size_t len,
			unsigned col, struct fl_sc_data *d)
{
	size_t end = fl_sc_string_end(s, len, 0), bad = 0;
	unsigned char *out;

	if (end > len)
		return fl_sc_error(&p->src, col, "a closing '\"'", "end of line");
	if (end < len)
		return fl_sc_error_tok(&p->src, col + (unsigned)end,
				       "a blank after the string", s + end, len - end);
	out = fl_sc_alloc(&p->sc->arena, len);
	if (!out)
		return oom(p);
	if (fl_sc_lex_string(s, len, out, &d->len, &bad))
		return fl_sc_error_tok(&p->src, col + (unsigned)bad,
				       "a C escape (\\n, \\t, \\\\, \\\", \\xHH, \\ooo)",
				       s + bad, bad + 2 <= len ? 2 : 1);
	d->form = FL_SC_DATA_TEXT;
	d->bytes = out;
	return 0;
}

static bool has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(s, prefix, n);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_word(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && !memcmp(s, word, len);
}

static int parse_data(struct parser *p, enum fl_sc_kind kind, const char *s,
		      size_t len, unsigned col, struct fl_sc_data *d)
{
	int err;

	memset(d, 0, sizeof(*d));
	d->n.map = -1;
	if (len && s[0] == '"')
		return parse_string(p, s, len, col, d);
	if (is_word(s, len, "zero") || is_word(s, len, "seq")) {
		d->form = s[0] == 'z' ? FL_SC_DATA_ZERO : FL_SC_DATA_SEQ;
		return 0;
	}
	if (kind == FL_SC_MEMDATA && is_word(s, len, "unchanged")) {
		d->form = FL_SC_DATA_UNCHANGED;
		return 0;
	}
	if (has_prefix(s, len, "seq=")) {
		d->form = FL_SC_DATA_SEQ;
		return parse_expr(p, FL_SC_NUM, s + 4, len - 4, col + 4, &d->n);
	}
	if (!has_prefix(s, len, "fill="))
		return fl_sc_error_tok(&p->src, col, fl_sc_kind_what(kind), s, len);
	d->form = FL_SC_DATA_FILL;
	err = parse_expr(p, FL_SC_NUM, s + 5, len - 5, col + 5, &d->n);
	if (!err && !d->n.nvars && d->n.off > 0xff)
		err = fl_sc_error_tok(&p->src, col + 5, "a byte (0 to 0xff)",
				      s + 5, len - 5);
	return err;
}

/* `-`, a number, or WORD{,WORD} from the kind's list. */
static int parse_flags(struct parser *p, enum fl_sc_kind kind, const char *s,
		       size_t len, unsigned col, uint64_t *v)
{
	const char *const *words = fl_sc_kind_words(kind);
	size_t i = 0, n;
	int w;

	*v = 0;
	if (is_word(s, len, "-"))
		return 0;
	if (len && s[0] >= '0' && s[0] <= '9')
		return parse_number(p, s, len, col, v);
	for (;;) {
		for (n = 0; i + n < len && s[i + n] != ','; n++)
			;
		w = fl_sc_word_index(words, s + i, n);
		if (w < 0)
			return fl_sc_error_tok(&p->src, col + (unsigned)i,
					       fl_sc_kind_what(kind), s + i, n);
		*v |= (uint64_t)1 << w;
		i += n;
		if (i == len)
			return 0;
		i++;
	}
}

/*
 * pagemap bits: WORD{,WORD}, each of the kind's list, `-WORD` asking the
 * bit to be clear; at least one, none twice.
 */
static int parse_pm_bits(struct parser *p, const char *s, size_t len, unsigned col,
			 uint64_t *v)
{
	const char *const *words = fl_sc_kind_words(FL_SC_PM_BITS);
	size_t i = 0, n;
	int w;

	*v = 0;
	for (;;) {
		bool clear = i < len && s[i] == '-';
		unsigned bit;

		for (n = clear; i + n < len && s[i + n] != ','; n++)
			;
		w = fl_sc_word_index(words, s + i + clear, n - clear);
		bit = (unsigned)w + (clear ? FL_SC_PM_CLEAR_SHIFT : 0);
		if (w < 0 || (*v >> w & 1) || (*v >> (w + FL_SC_PM_CLEAR_SHIFT) & 1))
			return fl_sc_error_tok(&p->src, col + (unsigned)i,
					       w < 0 ? fl_sc_kind_what(FL_SC_PM_BITS) :
					       "each pagemap bit once", s + i, n);
		*v |= (uint64_t)1 << bit;
		i += n;
		if (i == len)
			return 0;
		i++;
	}
}

static int parse_word(struct parser *p, enum fl_sc_kind kind, const char *s,
		      size_t len, unsigned col, uint64_t *v)
{
	static const unsigned prot_bits[] = { 0, 1, 3, 5, 7 };
	int w = fl_sc_word_index(fl_sc_kind_words(kind), s, len);

	if (w < 0)
		return fl_sc_error_tok(&p->src, col, fl_sc_kind_what(kind), s, len);
	*v = kind == FL_SC_PROT ? prot_bits[w] : (uint64_t)w;
	return 0;
}

static int parse_version(struct parser *p, const char *s, size_t len,
			 unsigned col, uint64_t *v)
{
	char buf[32];
	fl_kver_t kv;

	*v = 0;
	if (is_word(s, len, "host"))
		return 0;
	if (len >= sizeof(buf))
		return fl_sc_error_tok(&p->src, col, fl_sc_kind_what(FL_SC_VERSION), s, len);
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (fl_kver_parse(buf, &kv) || !kv)
		return fl_sc_error_tok(&p->src, col, fl_sc_kind_what(FL_SC_VERSION), s, len);
	*v = kv;
	return 0;
}

static int parse_hook(struct parser *p, const char *s, size_t len, unsigned col,
		      struct fl_sc_hook *h)
{
	const char *hash = memchr(s, '#', len);
	size_t n = hash ? (size_t)(hash - s) : len;
	uint64_t w = 0;
	int err = parse_word(p, FL_SC_HOOK, s, n, col, &w);

	if (err)
		return err;
	h->nth = (struct fl_sc_expr){ .map = -1 };
	h->hook = (unsigned)w;
	if (!hash)
		return 0;
	err = parse_expr(p, FL_SC_NUM, hash + 1, len - n - 1, col + (unsigned)n + 1, &h->nth);
	if (!err && !h->nth.nvars && !h->nth.off)
		err = fl_sc_error_tok(&p->src, col + (unsigned)n + 1,
				      "a count from 1", hash + 1, len - n - 1);
	return err;
}

static int parse_ref(struct parser *p, enum fl_sc_kind kind, const char *s,
		     size_t len, unsigned col, struct fl_sc_ref *r)
{
	size_t n = fl_sc_ident_len(s, len);
	enum fl_sc_kind want = kind == FL_SC_FD || kind == FL_SC_ANY_FD ? FL_SC_NEW_FILE
									 : declared_by(kind);
	int id;

	r->end = FL_SC_END_NONE;
	if ((kind == FL_SC_SOCK_FD || kind == FL_SC_PIPE_END || kind == FL_SC_ANY_FD) &&
	    n + 2 == len && s[n] == '.' &&
	    (s[n + 1] == '0' || s[n + 1] == '1')) {
		want = FL_SC_NEW_SOCK;
		r->end = s[n + 1] == '0' ? FL_SC_END_0 : FL_SC_END_1;
	} else if (kind == FL_SC_SOCK_FD) {
		n = 0;          /* a bare name or another suffix: not an end */
	} else if ((kind == FL_SC_FD || kind == FL_SC_PIPE_FD || kind == FL_SC_PIPE_END ||
		    kind == FL_SC_ANY_FD) &&
		   n + 2 == len &&
	    s[n] == '.' && (s[n + 1] == 'r' || s[n + 1] == 'w')) {
		r->end = s[n + 1] == 'r' ? FL_SC_END_READ : FL_SC_END_WRITE;
		want = FL_SC_NEW_PIPE;
	} else if (kind == FL_SC_PIPE_FD) {
		want = FL_SC_NEW_PIPE;
	}
	if (kind == FL_SC_PIPE_END && !r->end)
		return fl_sc_error_tok(&p->src, col, fl_sc_kind_what(kind), s, len);
	id = n && (n == len || r->end) ? name_ref(p, s, n, want) : -1;
	/* vmsplice takes any descriptor: a file is a call that fails, EBADF. */
	if (id < 0 && kind == FL_SC_PIPE_FD && n == len)
		id = name_ref(p, s, n, FL_SC_NEW_FILE);
	if (id < 0)
		return fl_sc_error_tok(&p->src, col, fl_sc_kind_what(kind), s, len);
	r->id = (unsigned)id;
	return 0;
}

/* A name being declared: an identifier not used for another kind of thing. */
static int parse_new_name(struct parser *p, enum fl_sc_kind kind, const char *s,
			  size_t len, unsigned col)
{
	int id;

	if (!len || fl_sc_ident_len(s, len) != len)
		return fl_sc_error_tok(&p->src, col, fl_sc_kind_what(kind), s, len);
	id = name_find(p, s, len);
	if (id >= 0 && (p->sc->names[id].kind != kind || kind == FL_SC_NEW_VAR))
		return fl_sc_error_tok(&p->src, col, "a name not declared before", s, len);
	return 0;
}

static int parse_iovec(struct parser *p, const char *s, size_t len,
		       unsigned col, struct fl_sc_iovec *iov)
{
	const char *colon = memchr(s, ':', len);
	size_t n = colon ? (size_t)(colon - s) : len;
	int err;

	if (!colon)
		return fl_sc_error_tok(&p->src, col, "ADDR:LEN", s, len);
	err = parse_expr(p, FL_SC_ADDR, s, n, col, &iov->addr);
	if (!err)
		err = parse_expr(p, FL_SC_NUM, colon + 1, len - n - 1,
				 col + (unsigned)n + 1, &iov->len);
	return err;
}

static int parse_arg(struct parser *p, enum fl_sc_kind kind, const char *s,
		     size_t len, unsigned col, struct fl_sc_arg *a)
{
	a->kind = kind;
	a->line = p->src.line;
	a->col = col;
	switch (kind) {
	case FL_SC_NEW_PROC: case FL_SC_NEW_MAP: case FL_SC_NEW_FILE:
	case FL_SC_NEW_PIPE: case FL_SC_NEW_PAGES: case FL_SC_NEW_UFFD:
	case FL_SC_NEW_TASK: case FL_SC_NEW_VAR: case FL_SC_NEW_SOCK:
		return parse_new_name(p, kind, s, len, col);
	case FL_SC_PROC: case FL_SC_FILE_REF: case FL_SC_PIPE_REF:
	case FL_SC_PAGES: case FL_SC_UFFD: case FL_SC_TASK: case FL_SC_FD:
	case FL_SC_PIPE_FD: case FL_SC_SOCK_FD: case FL_SC_PIPE_END: case FL_SC_ANY_FD:
		return parse_ref(p, kind, s, len, col, &a->u.ref);
	case FL_SC_NUM: case FL_SC_SNUM: case FL_SC_ADDR:
		if (!len)
			return fl_sc_error(&p->src, col, fl_sc_kind_what(kind), "nothing");
		return parse_expr(p, kind, s, len, col, &a->u.expr);
	case FL_SC_IOVEC:
		return parse_iovec(p, s, len, col, &a->u.iov);
	case FL_SC_DATA: case FL_SC_MEMDATA:
		return parse_data(p, kind, s, len, col, &a->u.data);
	case FL_SC_ERRNO: {
		bool minus = len && s[0] == '-';
		int err = fl_sc_errno_lookup(s + minus, len - minus);

		if (!err)
			return fl_sc_error_tok(&p->src, col, "an errno name", s, len);
		a->u.value = (uint64_t)err;
		return 0;
	}
	case FL_SC_VERSION:
		return parse_version(p, s, len, col, &a->u.value);
	case FL_SC_GUP_FLAGS: case FL_SC_UFFD_FLAGS: case FL_SC_UFFD_FEATURES:
	case FL_SC_UFFD_MODES: case FL_SC_COPY_MODE: case FL_SC_EVENT_FLAGS:
	case FL_SC_MOVE_MODE: case FL_SC_SPLICE_FLAGS: case FL_SC_RWF_FLAGS:
	case FL_SC_MSG_FLAGS: case FL_SC_MSG_RFLAGS: case FL_SC_SCAN_CATS: case FL_SC_SCAN_FLAGS:
	case FL_SC_SEALS:
		return parse_flags(p, kind, s, len, col, &a->u.value);
	case FL_SC_PM_BITS:
		return parse_pm_bits(p, s, len, col, &a->u.value);
	case FL_SC_HOOK:
		return parse_hook(p, s, len, col, &a->u.hook);
	case FL_SC_RANGE:
		return parse_range(p, s, len, col, &a->u.range);
	default:
		return parse_word(p, kind, s, len, col, &a->u.value);
	}
}

/* ---- statements ---- */

/* key=value, where key is an identifier other than the data forms fill, seq. */
static bool is_key(const struct fl_sc_tok *t)
{
	size_t n = fl_sc_ident_len(t->s, t->len);

	return n && n < t->len && t->s[n] == '=' &&
	       !is_word(t->s, n, "fill") && !is_word(t->s, n, "seq");
}

static const struct fl_sc_keyspec *key_spec(const struct fl_sc_form *f,
					    const char *s, size_t len)
{
	const struct fl_sc_keyspec *k;

	for (k = f->keys; k && k->name; k++)
		if (is_word(s, len, k->name))
			return k;
	return NULL;
}

/* "a key of mmap (file=, off=, at=)" */
static const char *keys_what(const struct fl_sc_form *f, char *buf, size_t size)
{
	const struct fl_sc_keyspec *k;
	size_t o;

	if (!f->keys)
		return "end of line";
	o = (size_t)snprintf(buf, size, "a key of %s (", f->name);
	for (k = f->keys; k->name && o < size; k++)
		o += (size_t)snprintf(buf + o, size - o, "%s%s=",
				      k == f->keys ? "" : ", ", k->name);
	if (o < size)
		snprintf(buf + o, size - o, ")");
	return buf;
}

/* Where "found end of line" points: just after the last word. */
static unsigned end_col(const struct fl_sc_tok *toks, size_t n)
{
	return n ? toks[n - 1].col + (unsigned)toks[n - 1].len : 1;
}

/* "expected WHAT, found NEXT" (NEXT NULL: end of line, at column END). */
static int missing(struct parser *p, const char *what,
		   const struct fl_sc_tok *next, unsigned end)
{
	if (next)
		return tok_error(p, next, what);
	return fl_sc_error(&p->src, end, what, "end of line");
}

static int parse_keys(struct parser *p, struct fl_sc_stmt *st,
		      const struct fl_sc_tok *keys, unsigned nkeys, unsigned end)
{
	const struct fl_sc_form *f = st->form;
	const struct fl_sc_keyspec *k;
	struct fl_sc_key *out;
	char what[160];
	unsigned i, j;
	int err;

	out = fl_sc_alloc(&p->sc->arena, (nkeys + 1) * sizeof(*out));
	if (!out)
		return oom(p);
	for (i = 0; i < nkeys; i++) {
		size_t n = fl_sc_ident_len(keys[i].s, keys[i].len);

		k = key_spec(f, keys[i].s, n);
		if (!k)
			return tok_error(p, &keys[i], keys_what(f, what, sizeof(what)));
		for (j = 0; j < i && !(f->flags & FL_SC_ANY_KEY) &&
			    !(k->kind & FL_SC_REPEAT); j++)
			if (out[j].name == k->name)
				return tok_error(p, &keys[i], "each key once");
		out[i].name = k->name;
		err = parse_arg(p, FL_SC_KIND(k->kind), keys[i].s + n + 1,
				keys[i].len - n - 1, keys[i].col + (unsigned)n + 1,
				&out[i].arg);
		if (err)
			return err;
	}
	for (k = f->keys; k && k->name; k++) {
		for (j = 0; j < nkeys && out[j].name != k->name; j++)
			;
		if (j == nkeys && !(k->kind & FL_SC_OPT)) {
			snprintf(what, sizeof(what), "%s=NAME", k->name);
			return fl_sc_error(&p->src, end, what, "end of line");
		}
	}
	if (f->flags & FL_SC_ANY_KEY && !nkeys)
		return fl_sc_error(&p->src, end, keys_what(f, what, sizeof(what)),
				   "end of line");
	st->keys = out;
	st->nkeys = nkeys;
	return 0;
}

/*
 * Give each slot of ST's form its words from POS[0..NPOS).  Optional slots
 * are filled from the left by the words beyond the required ones; a
 * repeated slot takes all the words left.  NEXT is the word after the
 * positional ones (NULL: end of line at column END).
 */
static int match_slots(struct parser *p, struct fl_sc_stmt *st,
		       const struct fl_sc_tok *pos, unsigned npos,
		       const struct fl_sc_tok *next, unsigned end)
{
	const unsigned *slots = st->form->slots;
	unsigned nslots = 0, required = 0, extra, i, t = 0;
	struct fl_sc_arg *args;
	int err;

	for (; slots && slots[nslots]; nslots++)
		required += !(slots[nslots] & FL_SC_OPT);
	if (npos < required) {
		for (i = 0; (slots[i] & FL_SC_OPT) || t++ < npos; i++)
			;
		return missing(p, fl_sc_kind_what(FL_SC_KIND(slots[i])), next, end);
	}
	if (npos > nslots && !(nslots && slots[nslots - 1] & FL_SC_REPEAT))
		return tok_error(p, &pos[nslots], next || st->form->keys ?
				 "key=value or end of line" : "end of line");
	extra = npos - required;
	args = fl_sc_alloc(&p->sc->arena, (npos + nslots + 1) * sizeof(*args));
	if (!args)
		return oom(p);
	st->nargs = nslots;
	for (i = 0; i < nslots; i++) {
		unsigned count = slots[i] & FL_SC_REPEAT ? npos - t : 1, j;

		if (slots[i] & FL_SC_OPT && !extra)
			continue;   /* left as FL_SC_NONE: not given */
		extra -= !!(slots[i] & FL_SC_OPT);
		for (j = 0; j < count; j++, t++) {
			err = parse_arg(p, FL_SC_KIND(slots[i]), pos[t].s,
					pos[t].len, pos[t].col, &args[i + j]);
			if (err)
				return err;
		}
		if (i + count > st->nargs)
			st->nargs = i + count;
	}
	st->args = args;
	return 0;
}

/*
 * A statement run from a hook declares nothing, not even through a key
 * (`store ... as=A`): the name would exist only if the hook fired.
 */
static int hooked_declares(struct parser *p, const struct fl_sc_stmt *st)
{
	unsigned i;

	for (i = 0; i < st->nkeys; i++) {
		const struct fl_sc_arg *a = &st->keys[i].arg;

		if (declares(a->kind))
			return fl_sc_error(&p->src, a->col, "a statement allowed after on",
					   "a key that declares a name");
	}
	return 0;
}

static int parse_stmt(struct parser *p, const struct fl_sc_tok *toks,
		      unsigned n, bool hooked, struct fl_sc_stmt *st);

/* on HOOK[#N] STATEMENT */
static int parse_on(struct parser *p, const struct fl_sc_tok *toks, unsigned n,
		    struct fl_sc_stmt *st)
{
	struct fl_sc_arg *hook = fl_sc_alloc(&p->sc->arena, sizeof(*hook));
	struct fl_sc_stmt *inner = fl_sc_alloc(&p->sc->arena, sizeof(*inner));
	int err;

	if (!hook || !inner)
		return oom(p);
	if (n < 2)
		return fl_sc_error(&p->src, end_col(toks, n),
				   fl_sc_kind_what(FL_SC_HOOK), "end of line");
	err = parse_arg(p, FL_SC_HOOK, toks[1].s, toks[1].len, toks[1].col, hook);
	if (err)
		return err;
	if (n < 3)
		return fl_sc_error(&p->src, end_col(toks, n), "a statement",
				   "end of line");
	err = parse_stmt(p, toks + 2, n - 2, true, inner);
	if (err)
		return err;
	st->args = hook;
	st->nargs = 1;
	st->hooked = inner;
	return 0;
}

/* The form of the statement in TOKS; *FIRST is set to its first argument. */
static int find_form(struct parser *p, const struct fl_sc_tok *toks, unsigned n,
		     const struct fl_sc_form **form, unsigned *first)
{
	const struct fl_sc_form *f = fl_sc_verb_form(toks[0].s, toks[0].len);
	bool call;

	*first = 1;
	if (!f)
		return tok_error(p, &toks[0], "a statement (kernel, arch, process, "
				 "mmap, store, call, on, expect, vary, ...)");
	*form = f;
	if (f->verb != FL_SC_CALL && f->verb != FL_SC_EXPECT)
		return 0;
	call = f->verb == FL_SC_CALL;
	if (n < 2)
		return fl_sc_error(&p->src, end_col(toks, n),
				   call ? "a kernel function" : "an expect form",
				   "end of line");
	f = call ? fl_sc_call_form(toks[1].s, toks[1].len)
		 : fl_sc_expect_form(toks[1].s, toks[1].len);
	if (!f)
		return tok_error(p, &toks[1], call ?
				 "a kernel function (copy_to_user, fault_in_writeable, "
				 "read, get_user_pages, uffd_copy, ...)" :
				 "an expect form (ret, errno, copy, outcome, mem, kbuf, event, one-of, pagemap)");
	*form = f;
	*first = 2;
	return 0;
}

static bool is_hookable(const struct fl_sc_stmt *st)
{
	return st->verb != FL_SC_ON && st->verb != FL_SC_EXPECT &&
	       !(st->form->flags & (FL_SC_DEFINES | FL_SC_SETUP));
}

/*
 * process_vm_readv/writev: one iovec a side (`PROC LOCAL REMOTE LEN`) or
 * any number through `local=` and `remote=` keys, never both: the three
 * optional slots come together or not at all.
 */
static int check_iov_sides(struct parser *p, const struct fl_sc_stmt *st,
			   const struct fl_sc_tok *pos, unsigned npos, unsigned end)
{
	static const char what[] = "LOCAL REMOTE LEN, or local=/remote= keys";
	unsigned i;

	if (npos != 1 && npos != 4)
		return npos < 4 ? missing(p, what, NULL, end) : tok_error(p, &pos[4], what);
	for (i = 0; npos == 4 && i < st->nkeys; i++)
		if (!strcmp(st->keys[i].name, "local") || !strcmp(st->keys[i].name, "remote"))
			return tok_error(p, &pos[1], "either LOCAL REMOTE LEN or local=/remote= keys");
	return 0;
}

/*
 * dir NAME [N] [namelen=L] [removed=on]: constants, as the directory is
 * made once in the set-up; N names of L letters must exist (26^L >= N),
 * within the limits callers/readdir.c keeps (FL_DIR_MAX_ENTRIES, a name
 * of 1 to 255 bytes), and a removed directory is empty (rmdir).
 */
/* subdirs= and symlinks=: constants that name no more entries than N has. */
static int check_dir_kinds(struct parser *p, const struct fl_sc_stmt *st, uint64_t entries)
{
	const char *const keys[] = { "subdirs", "symlinks" };
	uint64_t named = 0;
	unsigned i;

	for (i = 0; i < 2; i++) {
		const struct fl_sc_arg *k = fl_sc_key(st, keys[i]);

		if (!k)
			continue;
		if (k->u.expr.nvars || k->u.expr.map >= 0)
			return fl_sc_error(&p->src, k->col, "a constant count", "another");
		named += k->u.expr.off;
		if (named > entries)
			return fl_sc_error(&p->src, k->col,
					   "subdirs= and symlinks= of at most N entries in all",
					   "more");
	}
	return 0;
}

static int check_dir(struct parser *p, const struct fl_sc_stmt *st)
{
	const struct fl_sc_arg *n = st->nargs > 1 && st->args[1].kind ? &st->args[1] : NULL;
	const struct fl_sc_arg *l = fl_sc_key(st, "namelen");
	const struct fl_sc_arg *rm = fl_sc_key(st, "removed");
	uint64_t entries = n ? n->u.expr.off : 0, len = l ? l->u.expr.off : FL_DIR_NAMELEN;
	uint64_t names = 1;
	unsigned i;

	if (n && (n->u.expr.nvars || n->u.expr.map >= 0 || entries > FL_DIR_MAX_ENTRIES))
		return fl_sc_error(&p->src, n->col, "a constant count of at most 1024 entries",
				   "another");
	if (l && (l->u.expr.nvars || l->u.expr.map >= 0 || !len || len > 255))
		return fl_sc_error(&p->src, l->col, "namelen= a constant from 1 to 255",
				   "another");
	for (i = 0; i < len && names < entries; i++)
		names *= 26;
	if (names < entries)
		return fl_sc_error(&p->src, n->col, "at most 26^namelen entries", "more");
	if (rm && rm->u.value && entries)
		return fl_sc_error(&p->src, rm->col, "removed=on on an empty directory (N 0)",
				   "entries");
	return check_dir_kinds(p, st, entries);
}

static int parse_stmt(struct parser *p, const struct fl_sc_tok *toks,
		      unsigned n, bool hooked, struct fl_sc_stmt *st)
{
	struct fl_sc_tok *pos = p->toks, *keys = p->toks + p->max_toks;
	unsigned first, npos = 0, nkeys = 0, i, end = end_col(toks, n);
	int err = find_form(p, toks, n, &st->form, &first);

	if (err)
		return err;
	st->verb = st->form->verb;
	st->code = st->form->code;
	st->line = p->src.line;
	st->col = toks[0].col;
	st->subject = -1;
	if (hooked && !is_hookable(st))
		return tok_error(p, &toks[0], "a statement allowed after on");
	if (st->verb == FL_SC_ON)
		return parse_on(p, toks, n, st);
	if (st->verb == FL_SC_EXPECT) {
		if (p->subject < 0 && !(st->form->flags & FL_SC_STATE))
			return tok_error(p, &toks[0],
					 "a call, store or load before expect");
		st->subject = p->subject;
	}
	/* Sort the words in place: positional ones first, keys aside.  The
	 * write index never passes the read index, so nothing is lost. */
	for (i = first; i < n; i++) {
		if (is_key(&toks[i]))
			keys[nkeys++] = toks[i];
		else
			pos[npos++] = toks[i];
	}
	err = match_slots(p, st, pos, npos, nkeys ? &keys[0] : NULL, end);
	if (!err)
		err = parse_keys(p, st, keys, nkeys, end);
	if (!err && hooked)
		err = hooked_declares(p, st);
	if (!err && st->form->flags & FL_SC_IOV_SIDES)
		err = check_iov_sides(p, st, pos, npos, end);
	if (!err && st->form->flags & FL_SC_DIR_CHECK)
		err = check_dir(p, st);
	return err;
}

/* ---- declarations ---- */

/* An error about the word of the current line that starts at column COL. */
static int word_error(struct parser *p, unsigned col, const char *what)
{
	size_t at = col - 1, n;

	for (n = 0; at + n < p->line_len && !is_blank(p->line[at + n]); n++)
		;
	return fl_sc_error_tok(&p->src, col, what, p->line + at, n);
}

uint64_t fl_sc_var_count(const struct fl_sc_var *v)
{
	uint64_t span, steps;

	if (v->to < v->from || v->step <= 0)
		return 0;
	/* to - from in int64_t overflows from -1..INT64_MAX on: unsigned,
	 * the difference is exact (at most 2^64 - 1) */
	span = (uint64_t)v->to - (uint64_t)v->from;
	steps = span / (uint64_t)v->step;
	return steps == UINT64_MAX ? UINT64_MAX : steps + 1;
}

/*
 * The vary space's limits (FL_SC_MAX_VARS, FL_SC_MAX_CASES), checked as
 * each vary line is declared, so the error names the line that crosses
 * them: `check` refuses what `explore` or `run --case` could not take.
 */
static int vary_within_limits(struct parser *p, const struct fl_sc_stmt *st)
{
	const struct fl_scenario *sc = p->sc;
	uint64_t cases = 1, n;
	unsigned i;

	if (sc->nvars > FL_SC_MAX_VARS)
		return word_error(p, st->args[0].col, "at most 64 vary variables in a file");
	for (i = 0; i < sc->nvars; i++) {
		n = fl_sc_var_count(&sc->vars[i]);
		if (n > FL_SC_MAX_CASES / cases)
			return word_error(p, st->args[1].col,
					  "a vary space of at most 2^62 cases in all");
		cases *= n;
	}
	return 0;
}

static int declare_var(struct parser *p, const struct fl_sc_stmt *st, unsigned id)
{
	const struct fl_sc_arg *step = fl_sc_key(st, "step");
	struct fl_scenario *sc = p->sc;
	struct fl_sc_var *v;

	if (step && (step->u.expr.nvars || !step->u.expr.off ||
		     step->u.expr.off > INT64_MAX))
		return word_error(p, step->col, "a constant step from 1");
	if (grow(&sc->vars, &p->cap_vars, sc->nvars, sizeof(*sc->vars)))
		return oom(p);
	v = &sc->vars[sc->nvars++];
	v->name = id;
	v->from = st->args[1].u.range.from;
	v->to = st->args[1].u.range.to;
	v->step = step ? (int64_t)step->u.expr.off : 1;
	return vary_within_limits(p, st);
}

/* Enter the names ST declares, now that the whole line has parsed. */
static int declare_names(struct parser *p, struct fl_sc_stmt *st)
{
	unsigned i;
	int id;

	for (i = 0; i < st->nargs + st->nkeys; i++) {
		struct fl_sc_arg *a = (struct fl_sc_arg *)(i < st->nargs ?
			&st->args[i] : &st->keys[i - st->nargs].arg);
		const char *s = p->line + a->col - 1;

		if (!declares(a->kind))
			continue;
		id = name_declare(p, s, fl_sc_ident_len(s, p->line_len - (a->col - 1)),
				  a->kind, a->line, a->col);
		if (id < 0)
			return oom(p);
		a->u.ref.id = (unsigned)id;
		if (a->kind == FL_SC_NEW_VAR)
			return declare_var(p, st, (unsigned)id);
	}
	return 0;
}

/* ---- files ---- */

/* Room for the words of a line of LEN bytes: at most one per two bytes. */
static int reserve_toks(struct parser *p, size_t len)
{
	unsigned need = (unsigned)(len / 2 + 1);
	struct fl_sc_tok *toks;

	if (need <= p->max_toks)
		return 0;
	toks = realloc(p->toks, 2 * (size_t)need * sizeof(*toks));
	if (!toks)
		return -ENOMEM;
	p->toks = toks;
	p->max_toks = need;
	return 0;
}

static int parse_line(struct parser *p, const char *line, size_t len)
{
	struct fl_scenario *sc = p->sc;
	struct fl_sc_stmt *st;
	int n, err;

	if (reserve_toks(p, len))
		return oom(p);
	n = fl_sc_split(&p->src, line, len, p->toks, p->max_toks);

	if (n <= 0)
		return n;
	p->line = line;
	p->line_len = len;
	if (grow(&sc->stmts, &p->cap_stmts, sc->nstmts, sizeof(*sc->stmts)))
		return oom(p);
	st = &sc->stmts[sc->nstmts];
	memset(st, 0, sizeof(*st));
	err = parse_stmt(p, p->toks, (unsigned)n, false, st);
	if (!err)
		err = declare_names(p, st);
	if (err)
		return err;
	if (st->form->flags & FL_SC_SUBJECT)
		p->subject = (int)sc->nstmts;
	sc->nstmts++;
	return 0;
}

static int parse_all(struct parser *p)
{
	const char *line;
	size_t len;
	int more, err;

	if (p->src.len > FL_SC_MAX_FILE) {
		p->src.line = 1;
		return fl_sc_error(&p->src, 1, "a file of at most 16 MiB",
				   "a larger file");
	}
	if (name_declare(p, "p", 1, FL_SC_NEW_PROC, 0, 0) < 0)
		return oom(p);
	while ((more = fl_sc_next_line(&p->src, &line, &len)) > 0)
		if ((err = parse_line(p, line, len)))
			return err;
	return more;
}

int fl_scenario_parse(const char *file, const char *text, size_t len,
		      struct fl_scenario **out, struct fl_sc_diag *diag)
{
	struct parser p = { .src = { file, text, len, 0, 0, diag }, .subject = -1 };
	struct fl_scenario *sc = calloc(1, sizeof(*sc));
	char *name;
	int err = -ENOMEM;

	*out = NULL;
	p.sc = sc;
	if (!sc)
		goto out;
	name = fl_sc_alloc(&sc->arena, strlen(file) + 1);
	if (!name)
		goto out;
	sc->file = strcpy(name, file);
	err = parse_all(&p);
out:
	free(p.toks);
	free(p.names.slot);
	if (err == -ENOMEM)
		oom(&p);
	if (err) {
		fl_scenario_free(sc);
		return err;
	}
	*out = sc;
	return 0;
}

void fl_scenario_free(struct fl_scenario *sc)
{
	if (!sc)
		return;
	free(sc->stmts);
	free(sc->names);
	free(sc->vars);
	fl_sc_arena_free(sc->arena);
	free(sc);
}

/*
 * Read all of F, at most FL_SC_MAX_FILE + 1 bytes (more is an error anyway).
 * A read that fails gives its own errno (EISDIR for a directory, EBADF for
 * a closed standard input), so the user sees the real reason, not EIO.
 */
int fl_scenario_read(FILE *f, char **text, size_t *len)
{
	size_t cap = 0, n = 0, got;
	char *buf = NULL, *bigger;
	int err = 0;

	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			if (cap > FL_SC_MAX_FILE + 1)
				cap = FL_SC_MAX_FILE + 1;
			bigger = realloc(buf, cap);
			if (!bigger) {
				free(buf);
				return -ENOMEM;
			}
			buf = bigger;
		}
		errno = 0;
		got = fread(buf + n, 1, cap - n, f);
		err = errno;
		n += got;
	} while (got && n <= FL_SC_MAX_FILE);
	if (ferror(f)) {
		free(buf);
		return err ? -err : -EIO;
	}
	*text = buf;
	*len = n;
	return 0;
}

int fl_scenario_parse_file(const char *path, struct fl_scenario **out,
			   struct fl_sc_diag *diag)
{
	bool is_stdin = !strcmp(path, "-");
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	char *text = NULL;
	size_t len = 0;
	int err;

	*out = NULL;
	if (!f)
		return -errno;
	err = fl_scenario_read(f, &text, &len);
	if (!is_stdin)
		fclose(f);
	if (!err)
		err = fl_scenario_parse(is_stdin ? "<stdin>" : path, text, len,
					out, diag);
	free(text);
	return err;
}
