/*
 * cli/cmd_merge.c - `faultline merge --scenario FILE [OPTIONS] RESULT.json...`:
 * combine the JSON results of `faultline explore --shard I/N --json` (or
 * any explorations of one scenario) into the report of one run.
 *
 * Every input must name the same scenario file, variables, space size and
 * sample; their cases are united by case number (a case in two inputs
 * must have the same class in both: invariant 1 of explore.h), and every
 * case number must be an integer in [0, space).  The scenario is the file
 * --scenario names, never a path a result names (a result is data from
 * elsewhere: merge opens no file it names and echoes none of its bytes);
 * its variables and space must be the ones the results were explored
 * over.  The merged JSON is byte for byte the JSON one run over all those
 * cases prints.  Cases missing (a shard not given) are reported in one
 * warning line, not fatal: the report covers what was run.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/explore.h>

#include "cli/cli.h"

struct merged {
	json_t *first;          /* the first input: what the others must match */
	uint64_t space;         /* its "space": every case number is below it */
	uint64_t *cases;
	uint8_t *cls;
	uint64_t n, cap;
	unsigned nshards;       /* N of every input's shard I/N, 0 if they differ */
	bool shards_differ;
	uint64_t shard_mask[16];    /* shards seen, when nshards <= 1024 */
};

static bool same_key(json_t *a, json_t *b, const char *key)
{
	json_t *x = json_object_get(a, key), *y = json_object_get(b, key);

	return (!x && !y) || json_equal(x, y);  /* json_equal(NULL, NULL) is 0 */
}

static int add_case(struct merged *m, uint64_t n, int cls)
{
	if (m->n == m->cap) {
		uint64_t cap = m->cap ? 2 * m->cap : 1024;
		uint64_t *c = realloc(m->cases, (size_t)cap * sizeof(*c));
		uint8_t *k;

		if (!c)
			return -ENOMEM;
		m->cases = c;
		k = realloc(m->cls, (size_t)cap);
		if (!k)
			return -ENOMEM;
		m->cls = k;
		m->cap = cap;
	}
	m->cases[m->n] = n;
	m->cls[m->n++] = (uint8_t)cls;
	return 0;
}

/* The shard I/N of DOC, noted when every input has the same N. */
static void note_shard(struct merged *m, json_t *doc)
{
	json_t *s = json_object_get(doc, "shard");
	json_int_t i = json_integer_value(json_array_get(s, 0));
	json_int_t n = json_integer_value(json_array_get(s, 1));

	if (!s || n < 2 || n > 1000000 || i < 0 || i >= n) {
		m->shards_differ = true;
		return;
	}
	if (m->nshards && (unsigned)n != m->nshards)
		m->shards_differ = true;
	m->nshards = (unsigned)n;
	if (n <= 1024)
		m->shard_mask[i / 64] |= 1ull << (i % 64);
}

/* "space": a whole number >= 1, the same in every input (checked by same_key). */
static int read_space(struct merged *m, json_t *doc, const char *path)
{
	json_t *sp = json_object_get(doc, "space");

	if (!json_is_integer(sp) || json_integer_value(sp) < 1) {
		fl_cli_error("merge: %s: no \"space\" (the number of cases) in it", path);
		return FL_EXIT_USAGE;
	}
	m->space = (uint64_t)json_integer_value(sp);
	return FL_EXIT_OK;
}

/* The cases of DOC: [number, values, class], number an integer < space. */
static int read_cases(struct merged *m, json_t *doc, const char *path)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(doc, "cases"), i, c) {
		json_t *num = json_array_get(c, 0);
		const char *name = json_string_value(json_array_get(c, 2));
		int cls = fl_class_lookup(name ? name : "");
		json_int_t n = json_integer_value(num);

		if (!json_is_integer(num) || n < 0 || (uint64_t)n >= m->space) {
			fl_cli_error("merge: %s: case %zu: its number is not a whole number "
				     "from 0 to %llu", path, i, (unsigned long long)(m->space - 1));
			return FL_EXIT_USAGE;
		}
		if (cls < 0) {
			fl_cli_error("merge: %s: case %zu: not an explore class", path, i);
			return FL_EXIT_USAGE;
		}
		if (add_case(m, (uint64_t)n, cls))
			return FL_EXIT_BUG;
	}
	return FL_EXIT_OK;
}

static int read_one(struct merged *m, const char *path)
{
	json_error_t jerr;
	bool is_stdin = !strcmp(path, "-");    /* '-' is standard input, as everywhere */
	json_t *doc = is_stdin ? json_loadf(stdin, 0, &jerr) : json_load_file(path, 0, &jerr);
	int rc = FL_EXIT_OK;

	path = fl_cli_file_name(path);

	if (!doc || !json_is_array(json_object_get(doc, "cases"))) {
		fl_cli_error("merge: %s: %s", path, doc ? "not an explore --json result (no cases)" :
			     jerr.text);
		json_decref(doc);
		return FL_EXIT_USAGE;
	}
	if (m->first && !(same_key(doc, m->first, "file") && same_key(doc, m->first, "vars") &&
			  same_key(doc, m->first, "space") && same_key(doc, m->first, "sample"))) {
		fl_cli_error("merge: %s: not a result of the same exploration", path);
		json_decref(doc);
		return FL_EXIT_USAGE;
	}
	rc = read_space(m, doc, path);
	if (!rc)
		rc = read_cases(m, doc, path);
	if (!rc)
		note_shard(m, doc);
	if (!rc && !m->first)
		m->first = doc;
	else
		json_decref(doc);
	return rc;
}

struct pair {
	uint64_t n;
	uint8_t cls;
};

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	return x->n < y->n ? -1 : x->n > y->n;
}

/* Sort by case number; a case given twice must agree with itself. */
static int unite(struct merged *m)
{
	struct pair *p = malloc((size_t)(m->n ? m->n : 1) * sizeof(*p));
	uint64_t i, k = 0;
	int rc = FL_EXIT_OK;

	if (!p)
		return FL_EXIT_BUG;
	for (i = 0; i < m->n; i++)
		p[i] = (struct pair){ m->cases[i], m->cls[i] };
	qsort(p, (size_t)m->n, sizeof(*p), cmp_pair);
	for (i = 0; i < m->n; i++) {
		if (k && m->cases[k - 1] == p[i].n) {
			if (m->cls[k - 1] != p[i].cls) {
				fl_cli_error("merge: case %llu has two classes",
					     (unsigned long long)p[i].n);
				rc = FL_EXIT_FAIL;
			}
			continue;
		}
		m->cases[k] = p[i].n;
		m->cls[k++] = p[i].cls;
	}
	m->n = k;
	free(p);
	return rc;
}

/*
 * One warning line when the inputs miss cases of the space: the shards
 * not given when every input is a shard I/N of one N (at most 8 named),
 * else the number of cases.  A random sample covers what it drew: none.
 */
static void warn_missing(const struct merged *m)
{
	char list[128] = "";
	unsigned i, missing = 0;
	size_t o = 0;

	if (json_object_get(m->first, "sample") || m->n >= m->space)
		return;
	if (m->shards_differ || !m->nshards || m->nshards > 1024) {
		fl_cli_error("merge: warning: %llu of %llu cases are in no input",
			     (unsigned long long)(m->space - m->n), (unsigned long long)m->space);
		return;
	}
	for (i = 0; i < m->nshards; i++) {
		if (m->shard_mask[i / 64] & (1ull << (i % 64)))
			continue;
		if (missing++ < 8 && o < sizeof(list))
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%u/%u", o ? " " : "",
					      i, m->nshards);
	}
	fl_cli_error("merge: warning: %u of %u shards not given (%s%s); %llu of %llu cases are in no input",
		     missing, m->nshards, list, missing > 8 ? " ..." : "",
		     (unsigned long long)(m->space - m->n), (unsigned long long)m->space);
}

/* The report's settings from the first input's file, title and sample. */
static void report_of(const struct merged *m, struct explore_report *r)
{
	json_t *sample = json_object_get(m->first, "sample");

	r->file = json_string_value(json_object_get(m->first, "file"));
	snprintf(r->title, sizeof(r->title), "%s",
		 json_string_value(json_object_get(m->first, "title")) ?
		 json_string_value(json_object_get(m->first, "title")) : "");
	r->random = sample != NULL;
	r->sample_n = (uint64_t)json_integer_value(json_object_get(sample, "n"));
	r->seed = (uint64_t)json_integer_value(json_object_get(sample, "seed"));
	r->minimise = r->heatmap = true;
}

/* M's cases as an exploration of the scenario FILE, which --scenario names. */
static int build(struct merged *m, struct fl_scenario **sc, struct fl_explore *e,
		 const char *file)
{
	struct fl_sc_diag diag;
	int err;

	memset(e, 0, sizeof(*e));
	err = fl_cli_parse_file(file, sc, &diag);
	if (err == -EINVAL)
		fl_cli_diag(diag.msg);
	else if (err)
		fl_cli_error("merge: %s: %s", file, strerror(-err));
	if (err)
		return FL_EXIT_USAGE;
	err = fl_space_init(&e->space, *sc);
	if (err || e->space.ncases != m->space) {
		fl_cli_error("merge: %s: its vary space is not the one the results explored", file);
		return FL_EXIT_USAGE;
	}
	e->sc = *sc;
	e->cases = m->cases;
	e->cls = m->cls;
	e->ncases = m->n;
	m->cases = NULL;
	m->cls = NULL;
	fl_explore_count(e);
	return FL_EXIT_OK;
}

/* ---- options ---- */

enum { OPT_JSON = 0x100, OPT_SVG };

struct merge_cli {
	struct explore_report r;
	const char *scenario;
};

static const struct fl_opt merge_options[] = {
	{ "scenario", 's', "FILE", "the scenario the results explored (required)" },
	{ "json", OPT_JSON, NULL, "the merged result as one JSON document (docs/json.md)" },
	{ "svg", OPT_SVG, "FILE", "write a heatmap over the first two variables" },
	{ NULL, 0, NULL, NULL },
};

static int merge_set(void *ctx, int key, const char *arg)
{
	struct merge_cli *x = ctx;

	if (key == 's')
		x->scenario = arg;
	else if (key == OPT_JSON)
		x->r.json = true;
	else if (key == OPT_SVG)
		x->r.svg = arg;
	return FL_EXIT_OK;
}

static const struct fl_cmd_spec merge_spec = {
	"merge", "--scenario FILE [OPTIONS] RESULT.json...",
	"Unite the JSON results of 'explore --shard I/N --json' runs of one scenario\n"
	"into the report of one run.",
	merge_options, merge_set,
};

static int parse_opts(int argc, char **argv, struct merge_cli *x, int *first)
{
	int rc = fl_cli_parse(&merge_spec, argc, argv, x, first);

	if (rc)
		return rc;
	if (!x->scenario) {
		fl_cli_error("merge: name the scenario with --scenario FILE "
			     "(merge opens no path a result names)");
		return FL_EXIT_USAGE;
	}
	if (*first == argc) {
		fl_cli_error("merge: no result file given; see 'faultline merge --help'");
		return FL_EXIT_USAGE;
	}
	return FL_EXIT_OK;
}

int cmd_merge(int argc, char **argv)
{
	struct merged m = { 0 };
	struct merge_cli x = { 0 };
	struct fl_scenario *sc = NULL;
	struct fl_explore e = { 0 };
	int i, rc;

	rc = parse_opts(argc, argv, &x, &i);
	if (rc)
		return fl_cli_parsed(rc);
	for (; i < argc && !rc; i++)
		rc = read_one(&m, argv[i]);
	if (!rc)
		rc = unite(&m);
	if (!rc) {
		warn_missing(&m);
		report_of(&m, &x.r);
		x.r.file = fl_cli_file_name(x.scenario);
		rc = build(&m, &sc, &e, x.scenario);
	}
	if (!rc)
		rc = explore_report(&e, &x.r);
	fl_explore_fini(&e);
	fl_scenario_free(sc);
	json_decref(m.first);
	free(m.cases);
	free(m.cls);
	return rc;
}
