/*
 * scenario/lexer.c - from bytes to lines to words, and the lexical pieces
 * inside words: numbers with units and C-escaped strings.
 *
 * Every byte is looked at a bounded number of times, so a parse is linear
 * in the input: a line is checked once (fl_sc_next_line), split once
 * (fl_sc_split), and each word is read once by the parser.
 *
 * Invariants
 *   1. A line handed out is at most FL_SC_MAX_LINE bytes of valid UTF-8
 *      without NUL or control characters other than tab.
 *   2. An error message quotes at most FOUND_MAX bytes of user input, with
 *      control characters replaced by '?', so it stays one printable line.
 */
#include <stdlib.h>
#include <string.h>

#include "scenario/internal.h"

#define FOUND_MAX 40

/* ---- the arena ---- */

struct fl_sc_arena {
	struct fl_sc_arena *next;
	size_t used, size;
	max_align_t data[];
};

#define ARENA_CHUNK (64u << 10)

void *fl_sc_alloc(struct fl_sc_arena **arena, size_t size)
{
	struct fl_sc_arena *a = *arena;
	size_t align = sizeof(max_align_t);
	void *p;

	size = (size + align - 1) / align * align;
	if (!a || a->size - a->used < size) {
		size_t cap = size > ARENA_CHUNK ? size : ARENA_CHUNK;

		a = malloc(sizeof(*a) + cap);
		if (!a)
			return NULL;
		a->next = *arena;
		a->used = 0;
		a->size = cap;
		*arena = a;
	}
	p = (char *)a->data + a->used;
	a->used += size;
	memset(p, 0, size);
	return p;
}

void fl_sc_arena_free(struct fl_sc_arena *arena)
{
	while (arena) {
		struct fl_sc_arena *next = arena->next;

		free(arena);
		arena = next;
	}
}

/* ---- diagnostics ---- */

int fl_sc_error(struct fl_sc_src *src, unsigned col, const char *what,
		const char *found)
{
	struct fl_sc_diag *d = src->diag;

	if (d) {
		d->line = src->line;
		d->col = col;
		snprintf(d->msg, sizeof(d->msg),
			 "%s:%u:%u: error: expected %s, found %s",
			 src->file, src->line, col, what, found);
	}
	return -EINVAL;
}

/* Cut LEN back so that it does not end inside a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t len)
{
	while (len && ((unsigned char)s[len] & 0xc0) == 0x80)
		len--;
	return len;
}

int fl_sc_error_tok(struct fl_sc_src *src, unsigned col, const char *what,
		    const char *s, size_t len)
{
	char found[FOUND_MAX * 4 + 8];
	size_t i, n = len > FOUND_MAX ? utf8_cut(s, FOUND_MAX) : len, o = 0;

	if (!len)
		return fl_sc_error(src, col, what, "end of line");
	found[o++] = '\'';
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		found[o++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	found[o++] = '\'';
	if (n < len) {
		memcpy(found + o, "...", 3);
		o += 3;
	}
	found[o] = '\0';
	return fl_sc_error(src, col, what, found);
}

/* ---- lines ---- */

/* Length of the UTF-8 sequence at S (at most LEN bytes), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t len)
{
	unsigned c = s[0], need, min, cp, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 1, min = 0x80, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		need = 2, min = 0x800, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 3, min = 0x10000, cp = c & 0x07;
	else
		return 0;
	if (len <= need)
		return 0;
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need + 1;
}

/* Invariant 1 for LINE[0..LEN). */
static int check_line(struct fl_sc_src *src, const char *line, size_t len)
{
	const unsigned char *s = (const unsigned char *)line;
	char found[32];
	size_t i = 0, n;

	if (len > FL_SC_MAX_LINE) {
		snprintf(found, sizeof(found), "a longer line");
		return fl_sc_error(src, FL_SC_MAX_LINE + 1,
				   "a line of at most 65536 bytes", found);
	}
	while (i < len) {
		if (s[i] == '\0')
			return fl_sc_error(src, (unsigned)i + 1, "text",
					   "a NUL byte");
		if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f) {
			snprintf(found, sizeof(found), "control byte 0x%02x", s[i]);
			return fl_sc_error(src, (unsigned)i + 1, "text", found);
		}
		n = utf8_len(s + i, len - i);
		if (!n) {
			snprintf(found, sizeof(found), "invalid UTF-8 byte 0x%02x",
				 s[i]);
			return fl_sc_error(src, (unsigned)i + 1, "text", found);
		}
		i += n;
	}
	return 0;
}

int fl_sc_next_line(struct fl_sc_src *src, const char **line, size_t *len)
{
	const char *start = src->text + src->pos, *nl;
	size_t rest = src->len - src->pos, n;

	if (!rest)
		return 0;
	nl = memchr(start, '\n', rest);
	n = nl ? (size_t)(nl - start) : rest;
	src->pos += nl ? n + 1 : n;
	src->line++;
	if (n && start[n - 1] == '\r')
		n--;
	*line = start;
	*len = n;
	return check_line(src, start, n) ? -EINVAL : 1;
}

/* ---- words ---- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

size_t fl_sc_string_end(const char *line, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (line[i] == '\\')
			i++;
		else if (line[i] == '"')
			return i + 1;
	}
	return len + 1;
}

int fl_sc_split(struct fl_sc_src *src, const char *line, size_t len,
		struct fl_sc_tok *toks, size_t max)
{
	size_t i = 0, n = 0, start;

	for (;;) {
		while (i < len && is_blank(line[i]))
			i++;
		if (i == len || line[i] == '#')
			return (int)n;
		start = i;
		while (i < len && !is_blank(line[i])) {
			if (line[i] != '"') {
				i++;
				continue;
			}
			size_t end = fl_sc_string_end(line, len, i);

			if (end > len)
				return fl_sc_error(src, (unsigned)i + 1,
						   "a closing '\"'", "end of line");
			i = end;
		}
		if (n == max)   /* cannot happen with max as documented */
			return fl_sc_error(src, (unsigned)start + 1,
					   "fewer words", "more");
		toks[n].s = line + start;
		toks[n].len = i - start;
		toks[n].col = (unsigned)start + 1;
		n++;
	}
}

bool fl_sc_is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool fl_sc_is_ident(int c)
{
	return fl_sc_is_ident_start(c) || (c >= '0' && c <= '9');
}

size_t fl_sc_ident_len(const char *s, size_t len)
{
	size_t i = 0;

	if (!len || !fl_sc_is_ident_start((unsigned char)s[0]))
		return 0;
	while (i < len && fl_sc_is_ident((unsigned char)s[i]))
		i++;
	return i;
}

/* ---- numbers ---- */

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

static uint64_t unit_value(char c)
{
	switch (c) {
	case 'p': return 4096;
	case 'k': return 1024;
	case 'm': return 1024 * 1024;
	case 'g': return 1024 * 1024 * 1024;
	default:  return 0;
	}
}

int fl_sc_lex_number(const char *s, size_t len, uint64_t *v)
{
	unsigned base = 10;
	uint64_t n = 0, unit = 1;
	size_t i = 0;
	int d;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, i = 2;
	if (i == len || digit_value(s[i]) >= (int)base)
		return -EINVAL;
	for (; i < len && (d = digit_value(s[i])) < (int)base; i++) {
		if (n > (UINT64_MAX - (uint64_t)d) / base)
			return -ERANGE;
		n = n * base + (uint64_t)d;
	}
	if (i + 1 == len && unit_value(s[i]))
		unit = unit_value(s[i++]);
	if (i != len)
		return -EINVAL;
	if (n > UINT64_MAX / unit)
		return -ERANGE;
	*v = n * unit;
	return 0;
}

/* ---- strings ---- */

static int simple_escape(char c)
{
	static const char from[] = "ntr\\\"'abfv?", to[] = "\n\t\r\\\"'\a\b\f\v?";
	const char *p = c ? strchr(from, c) : NULL;

	return p ? (unsigned char)to[p - from] : -1;
}

/* Read up to MAX digits of BASE at S; the count read, value in *V. */
static size_t read_digits(const char *s, size_t len, unsigned base,
			  size_t max, unsigned *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < len && i < max && digit_value(s[i]) < (int)base; i++)
		*v = *v * base + (unsigned)digit_value(s[i]);
	return i;
}

int fl_sc_lex_string(const char *s, size_t len, unsigned char *out,
		     size_t *outlen, size_t *bad)
{
	size_t i = 1, o = 0, n;
	unsigned v;
	int c;

	while (i < len - 1) {
		if (s[i] != '\\') {
			out[o++] = (unsigned char)s[i++];
			continue;
		}
		*bad = i++;
		if (s[i] == 'x' && (n = read_digits(s + i + 1, len - 1 - i - 1, 16, 2, &v))) {
			out[o++] = (unsigned char)v;
			i += 1 + n;
		} else if (s[i] >= '0' && s[i] <= '7') {
			n = read_digits(s + i, len - 1 - i, 8, 3, &v);
			if (v > 0xff)
				return -EINVAL;
			out[o++] = (unsigned char)v;
			i += n;
		} else if ((c = simple_escape(s[i])) >= 0) {
			out[o++] = (unsigned char)c;
			i++;
		} else {
			return -EINVAL;
		}
	}
	*outlen = o;
	return 0;
}
