/*
 * cli/cmd_merge.c - `faultline merge [--json] [--svg FILE] RESULT.json...`:
 * combine the JSON results of `faultline explore --shard I/N --json` (or
 * any explorations of one scenario) into the report of one run.
 *
 * Every input must name the same scenario file, variables, space size and
 * sample; their cases are united by case number (a case in two inputs
 * must have the same class in both: invariant 1 of explore.h).  The
 * scenario file is parsed again, from the path the results name, for the
 * runnable smallest cases.  The merged JSON is byte for byte the JSON one
 * run over all those cases prints.  Shards missing from a set (an I of N
 * not given) are reported, not fatal: the report covers what was run.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/explore.h>

#include "cli/cli.h"

struct merged {
	json_t *first;          /* the first input: what the others must match */
	uint64_t *cases;
	uint8_t *cls;
	uint64_t n, cap;
	bool *shard_seen;
	unsigned nshards;
};

static int merge_usage(const char *msg)
{
	fl_cli_error("merge: %s; usage: faultline merge [--json] [--svg FILE] RESULT.json...", msg);
	return FL_EXIT_USAGE;
}

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

static void note_shard(struct merged *m, json_t *doc)
{
	json_t *s = json_object_get(doc, "shard");
	json_int_t i = json_integer_value(json_array_get(s, 0));
	json_int_t n = json_integer_value(json_array_get(s, 1));

	if (!s || n < 2 || n > 1000000 || i < 0 || i >= n)
		return;
	if (!m->shard_seen) {
		m->shard_seen = calloc((size_t)n, sizeof(*m->shard_seen));
		m->nshards = m->shard_seen ? (unsigned)n : 0;
	}
	if (m->shard_seen && (unsigned)n == m->nshards)
		m->shard_seen[i] = true;
}

static int read_one(struct merged *m, const char *path)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr), *cases, *c;
	size_t i;

	if (!doc || !json_is_array(json_object_get(doc, "cases"))) {
		fl_cli_error("merge: %s: %s", path, doc ? "no cases" : jerr.text);
		json_decref(doc);
		return FL_EXIT_USAGE;
	}
	if (m->first && !(same_key(doc, m->first, "file") && same_key(doc, m->first, "vars") &&
			  same_key(doc, m->first, "space") && same_key(doc, m->first, "sample"))) {
		fl_cli_error("merge: %s: not a result of the same exploration", path);
		json_decref(doc);
		return FL_EXIT_USAGE;
	}
	cases = json_object_get(doc, "cases");
	json_array_foreach(cases, i, c) {
		int cls = fl_class_lookup(json_string_value(json_array_get(c, 2)) ?
					  json_string_value(json_array_get(c, 2)) : "");
		json_int_t n = json_integer_value(json_array_get(c, 0));

		if (cls < 0 || n < 0 || add_case(m, (uint64_t)n, cls)) {
			fl_cli_error("merge: %s: case %zu is malformed", path, i);
			json_decref(doc);
			return FL_EXIT_USAGE;
		}
	}
	note_shard(m, doc);
	if (!m->first)
		m->first = doc;
	else
		json_decref(doc);
	return FL_EXIT_OK;
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

static void warn_missing_shards(const struct merged *m)
{
	unsigned i;

	for (i = 0; i < m->nshards; i++)
		if (!m->shard_seen[i])
			fl_cli_error("merge: warning: shard %u/%u not given", i, m->nshards);
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

/* M's cases as an exploration of the scenario the results name. */
static int build(struct merged *m, struct fl_scenario **sc, struct fl_explore *e,
		 const char *file)
{
	struct fl_sc_diag diag;
	int err;

	memset(e, 0, sizeof(*e));
	err = file ? fl_scenario_parse_file(file, sc, &diag) : -ENOENT;
	if (err) {
		fl_cli_error("merge: the scenario %s: %s", file ? file : "(none named)",
			     err == -EINVAL ? diag.msg : strerror(-err));
		return FL_EXIT_USAGE;
	}
	err = fl_space_init(&e->space, *sc);
	if (err || e->space.ncases != (uint64_t)json_integer_value(json_object_get(m->first, "space"))) {
		fl_cli_error("merge: %s: its vary space is not the one explored", file);
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

int cmd_merge(int argc, char **argv)
{
	struct merged m = { 0 };
	struct explore_report r = { 0 };
	struct fl_scenario *sc = NULL;
	struct fl_explore e = { 0 };
	int i, rc = FL_EXIT_OK;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--json"))
			r.json = true;
		else if (!strcmp(argv[i], "--svg") && i + 1 < argc)
			r.svg = argv[++i];
		else
			return merge_usage("unknown option");
	}
	if (i == argc)
		return merge_usage("no result file given");
	for (; i < argc && !rc; i++)
		rc = read_one(&m, argv[i]);
	if (!rc)
		rc = unite(&m);
	if (!rc) {
		warn_missing_shards(&m);
		report_of(&m, &r);
		rc = build(&m, &sc, &e, r.file);
	}
	if (!rc)
		rc = explore_report(&e, &r);
	fl_explore_fini(&e);
	fl_scenario_free(sc);
	json_decref(m.first);
	free(m.cases);
	free(m.cls);
	free(m.shard_seen);
	return rc;
}
