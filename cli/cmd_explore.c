/*
 * cli/cmd_explore.c - `faultline explore [OPTIONS] FILE`: every case of a
 * scenario's vary space (or a sample, or a shard) on the model, judged by
 * its expect lines and the built-in properties (explore/property.c).
 *
 * The report: counts per outcome class; a terminal heatmap over the first
 * two variables when the grid is small; for each failing class its
 * smallest case, as a runnable scenario, minimised; `--json` instead the
 * whole result (every case's number, values and class), which `faultline
 * merge` reads back; `--svg FILE` a heatmap picture.
 *
 * `--diff` runs each case on the model and on the running kernel as
 * `faultline diff` does (diff_cases_run(), cli/cmd_diff.c), one case at a
 * time; each side runs the set-up once and goes back to it per case (the
 * host backend keeps one scenario process where it can go back to it
 * whole, else forks one per case: docs/host.md "Judging many cases").  A
 * case where they disagree has the class `differ`.
 *
 * Exit: 2 usage or a case in class error, else 1 if any case failed (an
 * expectation, a property, a difference), else 0 if one passed (the
 * unsupported ones counted), else 3 (every case unsupported): the one rule
 * of cli/cli.h.  A --diff the host refuses outright exits 3 with its reason.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/explore.h>

#include "cli/cli.h"
#include "cli/output.h"

struct explore_cli {
	struct fl_explore_opts o;
	struct explore_report r;
	bool diff, seeded;
	const char *file;
	const char *kernel;     /* --kernel: the judge of --diff under QEMU */
};

/* ---- the title: the file's first comment line ---- */

void explore_title(struct explore_report *r, const char *file)
{
	FILE *f = fopen(file, "r");
	char line[512];
	size_t n;

	r->title[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t");

		if (*p != '#')
			continue;
		p += strspn(p + 1, " \t") + 1;
		n = strcspn(p, "\r\n");
		snprintf(r->title, sizeof(r->title), "%.*s", (int)n, p);
		break;
	}
	fclose(f);
}

/* ---- JSON ---- */

static json_t *vars_json(const struct fl_scenario *sc)
{
	json_t *a = json_array();
	unsigned i;

	for (i = 0; i < sc->nvars; i++)
		json_array_append_new(a, json_pack("{s:s,s:I,s:I,s:I}", "name",
			sc->names[sc->vars[i].name].text, "from", (json_int_t)sc->vars[i].from,
			"to", (json_int_t)sc->vars[i].to, "step", (json_int_t)sc->vars[i].step));
	return a;
}

static json_t *cases_json(const struct fl_explore *e)
{
	json_t *a = json_array();
	int64_t vals[64];
	uint64_t i;
	unsigned v;

	for (i = 0; i < e->ncases; i++) {
		json_t *c = json_array(), *vs = json_array();

		fl_space_values(&e->space, e->cases[i], vals);
		for (v = 0; v < e->space.nvars; v++)
			json_array_append_new(vs, json_integer(vals[v]));
		json_array_append_new(c, json_integer((json_int_t)e->cases[i]));
		json_array_append_new(c, vs);
		json_array_append_new(c, json_string(fl_class_name((enum fl_class)e->cls[i])));
		json_array_append_new(a, c);
	}
	return a;
}

static uint64_t failures(const struct fl_explore *e);

static void print_json(const struct fl_explore *e, const struct explore_report *r)
{
	json_t *doc = fl_json_doc("explore"), *counts = json_object(), *small = json_object();
	unsigned c;

	json_object_set_new(doc, "file", json_string(r->file));
	json_object_set_new(doc, "title", json_string(r->title));
	json_object_set_new(doc, "vars", vars_json(e->sc));
	json_object_set_new(doc, "space", json_integer((json_int_t)e->space.ncases));
	if (r->random)
		json_object_set_new(doc, "sample", json_pack("{s:I,s:I}", "n",
				    (json_int_t)r->sample_n, "seed", (json_int_t)r->seed));
	if (r->nshards > 1)
		json_object_set_new(doc, "shard", json_pack("[i,i]", r->shard, r->nshards));
	json_object_set_new(doc, "ran", json_integer((json_int_t)e->ncases));
	for (c = 0; c < FL_CLASS_COUNT; c++) {
		uint64_t s = fl_explore_smallest(e, (enum fl_class)c);

		if (!e->counts[c])
			continue;
		json_object_set_new(counts, fl_class_name((enum fl_class)c),
				    json_integer((json_int_t)e->counts[c]));
		if (c != FL_CLASS_PASS)
			json_object_set_new(small, fl_class_name((enum fl_class)c),
					    json_integer((json_int_t)s));
	}
	json_object_set_new(doc, "counts", counts);
	json_object_set_new(doc, "summary", fl_json_summary(e->counts[FL_CLASS_PASS], failures(e),
			    e->counts[FL_CLASS_UNSUPPORTED], e->counts[FL_CLASS_ERROR]));
	json_object_set_new(doc, "smallest", small);
	json_object_set_new(doc, "cases", cases_json(e));
	fl_json_print(doc, true);
}

/* ---- text ---- */

static bool is_failure(enum fl_class c)
{
	return c != FL_CLASS_PASS && c != FL_CLASS_UNSUPPORTED;
}

static void print_values(const struct fl_explore *e, const int64_t *vals)
{
	unsigned v;

	for (v = 0; v < e->space.nvars; v++)
		printf("%s%s=%lld", v ? " " : "", e->sc->names[e->sc->vars[v].name].text,
		       (long long)vals[v]);
}

/* The smallest case of class C: why, and as a runnable scenario. */
static void print_smallest(const struct fl_explore *e, const struct explore_report *r,
			   enum fl_class c)
{
	uint64_t n = fl_explore_smallest(e, c);
	int64_t vals[64];
	enum fl_class got;
	char why[320] = "";
	bool *keep = calloc(e->sc->nstmts + 1, sizeof(*keep));

	fl_space_values(&e->space, n, vals);
	printf("\n%s: smallest case %llu (", fl_class_name(c), (unsigned long long)n);
	print_values(e, vals);
	printf(")\n");
	if (c != FL_CLASS_DIFFER &&
	    !fl_explore_case(e->sc, &fl_model_backend, vals, &got, why, sizeof(why), NULL))
		printf("  %s\n", why);
	printf("  replay: faultline run --case %llu ", (unsigned long long)n);
	fl_cli_puts_clean(stdout, r->file);
	putchar('\n');
	if (keep && r->minimise && c != FL_CLASS_DIFFER &&
	    !fl_explore_minimise(e->sc, &fl_model_backend, vals, c, keep)) {
		printf("  minimal scenario:\n");
		fl_explore_print_case(stdout, e->sc, vals, keep);
	} else {
		printf("  scenario:\n");
		fl_explore_print_case(stdout, e->sc, vals, NULL);
	}
	free(keep);
}

static void print_text(const struct fl_explore *e, const struct explore_report *r)
{
	unsigned c;

	fputs("== ", stdout);
	fl_cli_puts_clean(stdout, r->file);
	printf(": %llu of %llu cases", (unsigned long long)e->ncases,
	       (unsigned long long)e->space.ncases);
	if (r->nshards > 1)
		printf(" (shard %u/%u)", r->shard, r->nshards);
	if (r->random)
		printf(" (sample of %llu, seed %llu)", (unsigned long long)r->sample_n,
		       (unsigned long long)r->seed);
	printf("\n");
	for (c = 0; c < FL_CLASS_COUNT; c++)
		if (e->counts[c])
			printf("  %-18s %llu\n", fl_class_name((enum fl_class)c),
			       (unsigned long long)e->counts[c]);
	if (r->heatmap)
		fl_explore_heatmap(stdout, e);  /* -E2BIG: no room, none printed */
	for (c = 0; c < FL_CLASS_COUNT; c++)
		if (e->counts[c] && is_failure((enum fl_class)c))
			print_smallest(e, r, (enum fl_class)c);
}

static int write_svg(const struct fl_explore *e, const struct explore_report *r)
{
	FILE *f = fopen(r->svg, "w");
	int err;

	if (!f) {
		fl_cli_error("explore: %s: cannot write", r->svg);
		return FL_EXIT_USAGE;
	}
	err = fl_explore_svg(f, e, r->title);
	if (fclose(f) || err) {
		fl_cli_error("explore: %s: %s", r->svg, strerror(err ? -err : EIO));
		return FL_EXIT_FAIL;
	}
	return FL_EXIT_OK;
}

static uint64_t failures(const struct fl_explore *e)
{
	uint64_t n = 0;
	unsigned c;

	for (c = 0; c < FL_CLASS_COUNT; c++)
		if (is_failure((enum fl_class)c))
			n += e->counts[c];
	return n;
}

static int exit_code(const struct fl_explore *e)
{
	if (e->counts[FL_CLASS_ERROR])
		return FL_EXIT_USAGE;
	return fl_cli_exit(e->counts[FL_CLASS_PASS], failures(e),
			   e->counts[FL_CLASS_UNSUPPORTED]);
}

int explore_report(const struct fl_explore *e, const struct explore_report *r)
{
	int rc = FL_EXIT_OK;

	if (r->svg)
		rc = write_svg(e, r);
	if (r->json)
		print_json(e, r);
	else
		print_text(e, r);
	return rc ? rc : exit_code(e);
}

/* ---- --diff ---- */

/*
 * Every case on the model and the host; a disagreement overrides the
 * model's class with `differ`.  The host's refusal of case 0 (a scenario
 * it cannot run at all) is a refusal of the whole exploration.
 */
uint64_t cli_explore_diff_kept, cli_explore_diff_restarts, cli_explore_diff_batched;
uint64_t cli_explore_diff_batches;


long cli_diff_batch_size(void)
{
	const char *env = getenv("FAULTLINE_HOST_BATCH");
	char *end;
	unsigned long k;

	if (!env || !*env)
		return CLI_DIFF_BATCH;
	k = strtoul(env, &end, 10);
	return *end || env[0] == '-' || k > CLI_DIFF_BATCH_MAX ? -1 : (long)k;
}

/*
 * The values of cases [I, I + N) into VALS, and a batch of them to DC:
 * whenever it can take one, so the cases after one a batch could not
 * answer (docs/host.md) go in the next.
 */
static bool diff_batch(struct diff_cases *dc, struct fl_explore *e, uint64_t i,
		       unsigned n, int64_t (*vals)[64], const int64_t **ptrs)
{
	unsigned j;

	for (j = 0; j < n; j++) {
		fl_space_values(&e->space, e->cases[i + j], vals[j]);
		ptrs[j] = vals[j];
	}
	return diff_cases_batch(dc, ptrs, n) == 0;  /* or not: they run one by one */
}

/*
 * The next batch's size: it starts at CLI_DIFF_BATCH_FIRST (or the
 * user's K, if smaller) and doubles, up to K, while every case of the
 * last batch was answered from it; a spoiled batch sends it back to
 * the start.  A guest's case costs its share of one exchange (some 0.8
 * ms on x86_64 under TCG) plus its own work (some 30 us), so 32 cases
 * a batch leave the exchange most of a case and 256 do not (docs/vm.md
 * "Judging speed"); but a spoiled batch's later cases ran in the guest
 * for nothing, so a template whose guesses fail stays at small batches.
 */
static unsigned next_batch_size(unsigned now, unsigned max, unsigned sent,
				uint64_t answered)
{
	unsigned first = max < CLI_DIFF_BATCH_FIRST ? max : CLI_DIFF_BATCH_FIRST;

	if (!sent || answered < sent)
		return first;
	return now * 2 < max ? now * 2 : max;
}

int cli_explore_diff(struct fl_explore *e)
{
	struct diff_cases *dc;
	int64_t vals[64], (*bvals)[64] = NULL;
	const int64_t **bptrs = NULL;
	long k = cli_diff_batch_size();
	unsigned kb = 0, sent = 0;      /* the last batch's size, and its cases */
	uint64_t batched_before = 0;
	char why[400];
	uint64_t i;
	int d, rc = FL_EXIT_OK;

	if (k < 0) {
		fl_cli_error("explore --diff: FAULTLINE_HOST_BATCH='%s': not a number of "
			     "cases 0..%u", getenv("FAULTLINE_HOST_BATCH"), CLI_DIFF_BATCH_MAX);
		return FL_EXIT_USAGE;
	}
	d = diff_cases_open(e->sc, &dc);
	if (d < 0 && cli_judge_lost("explore --diff", 0))
		return FL_EXIT_BUG;
	if (d < 0) {
		fl_cli_error("explore --diff: %s", strerror(-d));
		return FL_EXIT_BUG;
	}
	if (k > 1) {
		bvals = calloc((size_t)k, sizeof(*bvals));
		bptrs = calloc((size_t)k, sizeof(*bptrs));
		if (!bvals || !bptrs)
			k = 1;
	}
	for (i = 0; i < e->ncases && rc == FL_EXIT_OK; i++) {
		if (k > 1 && diff_cases_batch_ready(dc)) {
			uint64_t restarts, batched;

			diff_cases_kept(dc, &restarts, &batched);
			kb = next_batch_size(kb, (unsigned)k, sent, batched - batched_before);
			batched_before = batched;
			sent = e->ncases - i < kb ? (unsigned)(e->ncases - i) : kb;
			if (diff_batch(dc, e, i, sent, bvals, bptrs))
				cli_explore_diff_batches++;
			else
				sent = 0;
		}
		fl_space_values(&e->space, e->cases[i], vals);
		why[0] = '\0';
		d = diff_cases_run(dc, vals, why, sizeof(why));
		if (d < 0 && cli_judge_lost("explore --diff", 0)) {
			rc = FL_EXIT_BUG;
		} else if (d < 0) {
			fl_cli_error("explore --diff: case %llu: %s",
				     (unsigned long long)e->cases[i], strerror(-d));
			rc = FL_EXIT_BUG;
		} else if (d == 2 && i == 0 && !strncmp(why, "host", 4)) {
			fl_cli_error("explore --diff: %s", why);
			rc = FL_EXIT_UNSUPPORTED;
		} else if (d == 1) {
			e->cls[i] = FL_CLASS_DIFFER;
		} else if (d == 2) {
			e->cls[i] = FL_CLASS_UNSUPPORTED;
		}
	}
	cli_explore_diff_kept = diff_cases_kept(dc, &cli_explore_diff_restarts,
						&cli_explore_diff_batched);
	diff_cases_close(dc);
	free(bvals);
	free(bptrs);
	if (rc == FL_EXIT_OK)
		fl_explore_count(e);
	return rc;
}

/* ---- options ---- */

enum { OPT_SHARD = 0x100, OPT_RANDOM, OPT_SEED, OPT_JSON, OPT_SVG, OPT_NO_MINIMISE,
       OPT_DIFF, OPT_KERNEL };

static const struct fl_opt explore_options[] = {
	{ "jobs", 'j', "N", "worker threads, 1 to 256 (default: every core)" },
	{ "shard", OPT_SHARD, "I/N", "only the cases k with k % N = I (0 <= I < N <= 1000000)" },
	{ "random", OPT_RANDOM, "N", "N distinct cases drawn at random (with --seed)" },
	{ "seed", OPT_SEED, "S", "the seed of --random (default 0)" },
	{ "json", OPT_JSON, NULL, "every case as one JSON document (docs/json.md)" },
	{ "svg", OPT_SVG, "FILE", "write a heatmap over the first two variables" },
	{ "no-minimise", OPT_NO_MINIMISE, NULL, "print the smallest cases whole" },
	{ "diff", OPT_DIFF, NULL, "also run each case on the running kernel; class differ" },
	{ "kernel", OPT_KERNEL, "KERNEL",
	  "with --diff: judge on this kernel under QEMU (a name from 'kernels list', or a path)" },
	{ NULL, 0, NULL, NULL },
};

static bool parse_shard(const char *s, unsigned *i, unsigned *n)
{
	unsigned long a, b;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	a = strtoul(s, &end, 10);
	if (end == s || *end != '/' || end[1] < '0' || end[1] > '9')
		return false;
	s = end + 1;
	b = strtoul(s, &end, 10);
	if (end == s || *end || !b || a >= b || b > 1000000)
		return false;
	*i = (unsigned)a;
	*n = (unsigned)b;
	return true;
}

static int explore_set(void *ctx, int key, const char *arg)
{
	struct explore_cli *x = ctx;
	uint64_t v;
	int rc = FL_EXIT_OK;

	switch (key) {
	case 'j':
		rc = fl_cli_u64("explore", "-j", arg, 1, 256, &v);
		x->o.jobs = (unsigned)v;
		break;
	case OPT_SHARD:
		if (!parse_shard(arg, &x->o.shard, &x->o.nshards)) {
			fl_cli_error("explore: --shard '%s': expected I/N with 0 <= I < N <= 1000000", arg);
			rc = FL_EXIT_USAGE;
		}
		break;
	case OPT_RANDOM:
		rc = fl_cli_u64("explore", "--random", arg, 1, UINT64_MAX, &x->o.sample_n);
		x->o.random = true;
		break;
	case OPT_SEED:
		rc = fl_cli_u64("explore", "--seed", arg, 0, UINT64_MAX, &x->o.seed);
		x->seeded = true;
		break;
	case OPT_JSON: x->r.json = true; break;
	case OPT_SVG: x->r.svg = arg; break;
	case OPT_NO_MINIMISE: x->r.minimise = false; break;
	case OPT_DIFF: x->diff = true; break;
	case OPT_KERNEL: x->kernel = arg; break;
	}
	return rc;
}

static const struct fl_cmd_spec explore_spec = {
	"explore", "[OPTIONS] FILE",
	"Run every case of a scenario's vary space on the model ('-' is standard input);\n"
	"count the cases by class, show the smallest failing case of each.",
	explore_options, explore_set,
};

static int parse_opts(int argc, char **argv, struct explore_cli *x)
{
	int first, rc;

	x->r.minimise = x->r.heatmap = true;
	rc = fl_cli_parse(&explore_spec, argc, argv, x, &first);
	if (rc)
		return rc;
	if (x->seeded && !x->o.random) {
		fl_cli_error("explore: --seed goes with --random N");
		return FL_EXIT_USAGE;
	}
	if (x->kernel && !x->diff) {
		fl_cli_error("explore: --kernel goes with --diff");
		return FL_EXIT_USAGE;
	}
	if (x->kernel && (rc = cli_judge_vm("explore", x->kernel)))
		return rc;
	if (first != argc - 1) {
		fl_cli_error("explore: expected one scenario file, got %d; see 'faultline explore --help'",
			     argc - first);
		return FL_EXIT_USAGE;
	}
	x->file = argv[first];
	x->o.flags = FL_RUN_NO_TRACE;
	x->r.file = fl_cli_file_name(x->file);
	x->r.random = x->o.random;
	x->r.sample_n = x->o.sample_n;
	x->r.seed = x->o.seed;
	x->r.shard = x->o.shard;
	x->r.nshards = x->o.nshards;
	return FL_EXIT_OK;
}

static int parse_file(const char *file, struct fl_scenario **sc)
{
	struct fl_sc_diag diag;
	int err = fl_cli_parse_file(file, sc, &diag);

	if (err == -EINVAL)
		fl_cli_diag(diag.msg);
	else if (err)
		fl_cli_error("%s: %s", fl_cli_file_name(file), strerror(-err));
	return err ? FL_EXIT_USAGE : FL_EXIT_OK;
}

/*
 * More cases to run than one exploration takes (fl_explore_fits()): an
 * input error, naming the vary line with which the space passes the
 * limit, or the --random count.
 */
static int explore_fits(const struct explore_cli *x, const struct fl_scenario *sc)
{
	const struct fl_sc_name *name;
	char msg[400];
	int var;

	if (!fl_explore_fits(sc, &x->o, &var))
		return FL_EXIT_OK;
	if (var < 0) {
		fl_cli_error("explore: --random %llu: at most %llu cases",
			     (unsigned long long)x->o.sample_n,
			     (unsigned long long)FL_EXPLORE_MAX_CASES);
		return FL_EXIT_USAGE;
	}
	name = &sc->names[sc->vars[var].name];
	snprintf(msg, sizeof(msg), "%s:%u:%u: error: with vary %s the space has more cases "
		 "than explore runs (%llu%s); use --random N or --shard I/N",
		 sc->file, name->line, name->col, name->text,
		 (unsigned long long)FL_EXPLORE_MAX_CASES, x->o.nshards > 1 ? " a shard" : "");
	fl_cli_diag(msg);
	return FL_EXIT_USAGE;
}

int cmd_explore(int argc, char **argv)
{
	struct explore_cli x = { 0 };
	struct fl_scenario *sc = NULL;
	struct fl_explore e;
	int rc, err;

	rc = parse_opts(argc, argv, &x);
	if (!rc)
		rc = parse_file(x.file, &sc);
	if (!rc)
		rc = explore_fits(&x, sc);
	if (!rc && x.diff)
		rc = cli_judge_follow("explore");
	if (rc) {
		fl_scenario_free(sc);
		return fl_cli_parsed(rc);
	}
	explore_title(&x.r, x.file);
	err = fl_explore_run(sc, &fl_model_backend, &x.o, &e);
	if (err) {
		fl_cli_error("explore: %s: %s", x.file, strerror(-err));
		fl_scenario_free(sc);
		return err == -EOVERFLOW || err == -E2BIG ? FL_EXIT_USAGE : FL_EXIT_BUG;
	}
	if (x.diff)
		rc = cli_explore_diff(&e);
	if (x.diff && !rc)      /* how the judge ran them: docs/host.md "Judging many cases" */
		fprintf(stderr, "faultline: explore --diff: the judge ran %llu of %llu cases "
			"from its kept set-up (made anew %llu times), %llu in a process of "
			"their own; %llu answered from batches (%llu sent)\n",
			(unsigned long long)cli_explore_diff_kept,
			(unsigned long long)e.ncases,
			(unsigned long long)cli_explore_diff_restarts,
			(unsigned long long)(e.ncases - cli_explore_diff_kept),
			(unsigned long long)cli_explore_diff_batched,
			(unsigned long long)cli_explore_diff_batches);
	if (!rc)
		rc = explore_report(&e, &x.r);
	fl_explore_fini(&e);
	fl_scenario_free(sc);
	return rc;
}
