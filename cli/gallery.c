/*
 * cli/gallery.c - what `faultline run --table` (the gallery, `make run`)
 * reads besides the scenario: the file's table lines, and the counts of
 * an exploration.
 *
 * Table lines are comments to the scenario language (the parser skips
 * them; they change no meaning), written for the table:
 *
 *   #: summary TEXT                       the row's one-line summary
 *   #: cases CLASS=N [CLASS=N]...         a vary file: the class counts an
 *                                         exploration of every case gives
 *
 * A file with `vary` lines is explored in the table, every case, never
 * judged by case 0 alone: its row is PASS when the counts are the ones its
 * `#: cases` line states (an audit whose findings are failing cases), or,
 * without one, when every case passes.  docs/scenario-language.md, "Table
 * lines", is the user's description.
 *
 * Invariant: a table line that does not parse is an input error naming the
 * file and line (exit 2), like a statement that does not parse.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/gallery.h"

#define TABLE_MARK "#:"

static int header_error(char *err, size_t len, const char *file, unsigned line,
			const char *what)
{
	snprintf(err, len, "%s:%u: error: %s", fl_cli_file_name(file), line, what);
	return -EINVAL;
}

/* "pass=1545 expect-failed=15096" into H->cases. */
static int parse_cases(char *p, struct gallery_header *h)
{
	char *tok, *save = NULL, *end;
	int c;

	for (tok = strtok_r(p, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq)
			return -EINVAL;
		*eq = '\0';
		c = fl_class_lookup(tok);
		if (c < 0 || eq[1] < '0' || eq[1] > '9' || h->cases[c])
			return -EINVAL;
		errno = 0;
		h->cases[c] = strtoull(eq + 1, &end, 10);
		if (*end || errno || !h->cases[c])
			return -EINVAL;
		h->has_cases = true;
	}
	return h->has_cases ? 0 : -EINVAL;
}

/* One "#: WORD REST" line (P after the mark) of FILE's line LINE into H. */
static int table_line(char *p, struct gallery_header *h, const char *file,
		      unsigned line, char *err, size_t len)
{
	size_t n;

	p += strspn(p, " \t");
	n = strcspn(p, "\r\n");
	p[n] = '\0';
	if (!strncmp(p, "summary ", 8)) {
		p += 8 + strspn(p + 8, " \t");
		if (!*p || strlen(p) >= sizeof(h->summary) || h->summary[0])
			return header_error(err, len, file, line, h->summary[0] ?
				"a second '#: summary'" : "'#: summary' needs one line of 1 to 99 bytes");
		snprintf(h->summary, sizeof(h->summary), "%s", p);
		return 0;
	}
	if (!strncmp(p, "cases ", 6)) {
		if (h->has_cases || parse_cases(p + 6, h))
			return header_error(err, len, file, line,
				"expected '#: cases CLASS=N...' once, each CLASS an explore class "
				"(pass, expect-failed, ...) and N >= 1");
		return 0;
	}
	return header_error(err, len, file, line,
			    "expected '#: summary TEXT' or '#: cases CLASS=N...'");
}

/* FILE to read, "-" as the text the parser reads too; NULL with *ERR. */
static FILE *open_source(const char *file, int *err)
{
	const char *text;
	size_t len;
	FILE *f;

	*err = 0;
	if (strcmp(file, "-")) {
		f = fopen(file, "r");
		if (!f)
			*err = -errno;
		return f;
	}
	*err = fl_cli_stdin_text(&text, &len);
	if (*err || !len)
		return NULL;            /* an empty input has no table lines */
	f = fmemopen((void *)(uintptr_t)text, len, "r");
	if (!f)
		*err = -errno;
	return f;
}

int gallery_header_read(const char *file, struct gallery_header *h, char *err,
			size_t len)
{
	char buf[512];
	unsigned line = 0;
	FILE *f;
	int rc = 0;

	memset(h, 0, sizeof(*h));
	f = open_source(file, &rc);
	if (!f)
		return rc;
	while (!rc && fgets(buf, sizeof(buf), f)) {
		bool whole = strchr(buf, '\n') != NULL;

		line++;
		if (!strncmp(buf, TABLE_MARK, 2))
			rc = table_line(buf + 2, h, file, line, err, len);
		while (!whole && fgets(buf, sizeof(buf), f))
			whole = strchr(buf, '\n') != NULL;     /* the rest of a long line */
	}
	fclose(f);
	return rc;
}

void gallery_counts(const uint64_t *counts, uint64_t total, char *buf, size_t len)
{
	size_t o = 0;
	unsigned c;

	buf[0] = '\0';
	for (c = 0; c < FL_CLASS_COUNT && o < len; c++)
		if (counts[c])
			o += (size_t)snprintf(buf + o, len - o, "%s%s %llu", o ? ", " : "",
					      fl_class_name((enum fl_class)c),
					      (unsigned long long)counts[c]);
	if (o < len)
		snprintf(buf + o, len - o, " of %llu", (unsigned long long)total);
}

enum fl_verdict gallery_judge(const struct fl_explore *e, const struct gallery_header *h,
			      char *why, size_t len)
{
	char got[200], want[200];
	uint64_t bad = 0;
	unsigned c;

	gallery_counts(e->counts, e->ncases, got, sizeof(got));
	if (h->has_cases) {
		if (!memcmp(h->cases, e->counts, sizeof(e->counts))) {
			snprintf(why, len, "%s, as stated", got);
			return FL_VERDICT_PASS;
		}
		gallery_counts(h->cases, e->ncases, want, sizeof(want));
		snprintf(why, len, "%s; stated: %s", got, want);
		return FL_VERDICT_FAIL;
	}
	snprintf(why, len, "%s", got);
	if (e->counts[FL_CLASS_ERROR])
		return FL_VERDICT_ERROR;
	for (c = 0; c < FL_CLASS_COUNT; c++)
		if (c != FL_CLASS_PASS && c != FL_CLASS_UNSUPPORTED)
			bad += e->counts[c];
	if (bad)
		return FL_VERDICT_FAIL;
	if (!e->counts[FL_CLASS_PASS] && e->counts[FL_CLASS_UNSUPPORTED])
		return FL_VERDICT_UNSUPPORTED;
	return FL_VERDICT_PASS;
}
