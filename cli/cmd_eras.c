/*
 * cli/cmd_eras.c - `faultline eras [--markdown] [NAME]`: print the era table,
 * every version-dependent rule of the model with its upstream commit.
 *
 * Why a command: the table (kernel/eras.c) is the only place the model's
 * version knowledge lives, so a reader checking "why does 5.15.149 loop here
 * and 5.15.150 not?" should be able to see it without reading C.  The
 * Markdown form is what docs/eras.md is checked against.
 *
 * Output: an aligned text table (default), a Markdown table (--markdown), or
 * one entry in detail (NAME).  A '*' marks entries whose commit and version
 * were checked against upstream (docs/eras.md says how).
 */
#include <stdio.h>
#include <string.h>

#include <faultline/eras.h>

#include "cli/cli.h"

/* Longest stable list: FL_ERA_MAX_STABLE versions of "x.y.zzzzz," each. */
#define STABLE_BUF (FL_ERA_MAX_STABLE * 16)

struct eras_opts {
	bool markdown;
	const char *name;       /* NULL: the whole table */
};

/* "5.14-rc2" when the -rc is known, else "5.14". */
static void format_since(const struct fl_era *e, char *buf, size_t len)
{
	char v[16];

	fl_kver_format(e->since, v, sizeof(v));
	if (e->rc)
		snprintf(buf, len, "%s-%s", v, e->rc);
	else
		snprintf(buf, len, "%s", v);
}

/* "5.15.150,6.1.79" or "-" when there is no backport. */
static void format_stable(const struct fl_era *e, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	snprintf(buf, len, "-");
	for (i = 0; i < FL_ERA_MAX_STABLE && e->stable[i]; i++) {
		char v[16];

		fl_kver_format(e->stable[i], v, sizeof(v));
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 i ? "," : "", v);
		if (used >= len)
			return;
	}
}

/* Echoed user input is cleaned of control characters, as git does. */
/* ---- text ---- */

struct text_widths {
	int name, since, stable;
};

static void text_widths(const struct fl_era *only, struct text_widths *w)
{
	char buf[STABLE_BUF];
	int i;

	w->name = (int)strlen("NAME");
	w->since = (int)strlen("SINCE");
	w->stable = (int)strlen("STABLE");
	for (i = 0; i < FL_ERA_COUNT; i++) {
		const struct fl_era *e = fl_era((enum fl_era_id)i);
		int n;

		if (only && e != only)
			continue;
		if ((n = (int)strlen(e->name)) > w->name)
			w->name = n;
		format_since(e, buf, sizeof(buf));
		if ((n = (int)strlen(buf)) > w->since)
			w->since = n;
		format_stable(e, buf, sizeof(buf));
		if ((n = (int)strlen(buf)) > w->stable)
			w->stable = n;
	}
}

static void text_row(const struct fl_era *e, const struct text_widths *w)
{
	char since[32], stable[STABLE_BUF];

	format_since(e, since, sizeof(since));
	format_stable(e, stable, sizeof(stable));
	printf("%c %-*s  %-*s  %-12s  %-*s  %s\n", e->verified ? '*' : ' ',
	       w->name, e->name, w->since, since, e->commit, w->stable, stable,
	       e->summary);
}

static void print_text(void)
{
	struct text_widths w;
	int i;

	text_widths(NULL, &w);
	printf("  %-*s  %-*s  %-12s  %-*s  %s\n", w.name, "NAME", w.since,
	       "SINCE", "COMMIT", w.stable, "STABLE", "SUMMARY");
	for (i = 0; i < FL_ERA_COUNT; i++)
		text_row(fl_era((enum fl_era_id)i), &w);
	printf("\n* commit and version checked against upstream "
	       "(docs/eras.md)\n");
}

/* ---- markdown ---- */

/* A table cell: '|' would end the cell early. */
static void md_cell(const char *s)
{
	fputs("| ", stdout);
	for (; *s; s++) {
		if (*s == '|')
			putchar('\\');
		putchar(*s);
	}
	putchar(' ');
}

static void md_row(const struct fl_era *e)
{
	char since[32], stable[STABLE_BUF];

	format_since(e, since, sizeof(since));
	format_stable(e, stable, sizeof(stable));
	md_cell(e->name);
	md_cell(since);
	md_cell(e->commit);
	md_cell(stable);
	md_cell(e->summary);
	md_cell(e->verified ? "yes" : "no");
	puts("|");
}

static void print_markdown(const struct fl_era *only)
{
	int i;

	puts("| name | since | commit | stable | summary | verified |");
	puts("| --- | --- | --- | --- | --- | --- |");
	for (i = 0; i < FL_ERA_COUNT; i++) {
		const struct fl_era *e = fl_era((enum fl_era_id)i);

		if (!only || e == only)
			md_row(e);
	}
}

/* ---- one entry ---- */

static void print_detail(const struct fl_era *e)
{
	char since[32], stable[STABLE_BUF];

	format_since(e, since, sizeof(since));
	format_stable(e, stable, sizeof(stable));
	printf("name      %s\n", e->name);
	printf("since     %s\n", since);
	printf("commit    %s\n", e->commit);
	printf("stable    %s\n", stable);
	printf("verified  %s\n", e->verified ?
	       "yes: commit and version checked against upstream (docs/eras.md)" :
	       "no: taken from docs/kernel-facts.md (docs/eras.md)");
	printf("summary   %s\n", e->summary);
}

/* ---- arguments ---- */

enum { OPT_MARKDOWN = 0x100 };

static const struct fl_opt eras_options[] = {
	{ "markdown", OPT_MARKDOWN, NULL, "print the table in Markdown (docs/eras.md)" },
	{ NULL, 0, NULL, NULL },
};

static int eras_set(void *ctx, int key, const char *arg)
{
	struct eras_opts *o = ctx;

	(void)arg;
	if (key == OPT_MARKDOWN)
		o->markdown = true;
	return FL_EXIT_OK;
}

static const struct fl_cmd_spec eras_spec = {
	"eras", "[OPTIONS] [NAME]",
	"The era table: every version-dependent rule of the model, with its commit;\n"
	"NAME prints one entry in detail.",
	eras_options, eras_set,
};

static int parse_args(int argc, char **argv, struct eras_opts *o)
{
	int first, rc = fl_cli_parse(&eras_spec, argc, argv, o, &first);

	if (rc)
		return rc;
	if (argc - first > 1) {
		fl_cli_error("eras: more than one NAME; see 'faultline eras --help'");
		return FL_EXIT_USAGE;
	}
	o->name = first < argc ? argv[first] : NULL;
	return FL_EXIT_OK;
}

int cmd_eras(int argc, char **argv)
{
	struct eras_opts o = { false, NULL };
	const struct fl_era *e = NULL;
	int rc;

	if ((rc = parse_args(argc, argv, &o)) != FL_EXIT_OK)
		return fl_cli_parsed(rc);
	if (o.name && !(e = fl_era_by_name(o.name))) {
		fl_cli_error("eras: no era named '%s'; 'faultline eras' lists them", o.name);
		return FL_EXIT_USAGE;
	}
	if (o.markdown)
		print_markdown(e);
	else if (e)
		print_detail(e);
	else
		print_text();
	return FL_EXIT_OK;
}
