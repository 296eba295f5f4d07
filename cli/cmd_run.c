/*
 * cli/cmd_run.c - `faultline run [OPTIONS] FILE...`: run scenarios on the
 * model (default) or on the running kernel (backend/host.c) and print a
 * trace, JSON, KTAP, or the gallery table.
 *
 * Every file is parsed before any runs: nothing runs when one does not
 * parse (exit 2).  The exit code then follows the one rule of cli/cli.h:
 * 2 if a world could not be set up (ERROR), else 1 if a file failed, else
 * 0 if one passed (UNSUPPORTED files are counted skips), else 3.
 *
 * A file with `vary` lines is a space of cases.  The table explores it,
 * every case (cli/gallery.c); the other formats run one case, case 0
 * unless --case says which, and say on stderr which case they ran.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/explore.h>
#include <faultline/run.h>

#include "cli/gallery.h"
#include "cli/output.h"

enum run_format { FMT_TRACE, FMT_QUIET, FMT_JSON, FMT_KTAP, FMT_TABLE };

struct run_opts {
	enum run_format fmt;
	const char *fmt_opt;    /* the option that chose it: a second one conflicts */
	const struct fl_backend_ops *backend;
	bool has_case;          /* --case N: that case of the vary space */
	uint64_t case_n;
};

/* ---- trace ---- */

static void print_obs(const struct fl_step *s)
{
	const struct fl_obs *o = &s->obs;

	if (s->is_expect) {
		if (s->held)
			fputs("ok", stdout);
		else
			printf("FAILED: %s", s->seen);
	} else if (s->rc) {
		printf("%s", o->why);
	} else if (o->has_ret) {
		printf("ret %lld", (long long)o->ret);
		if (o->summary[0])
			printf("  (%s)", o->summary);
	} else if (o->summary[0]) {
		fputs(o->summary, stdout);
	}
	putchar('\n');
}

static void print_trace(const struct fl_run *run, const char *file)
{
	char kv[32], text[200];
	unsigned i, j;

	printf("== %s  (kernel %s, %s, %s)\n", file,
	       fl_kver_format(run->kver, kv, sizeof(kv)), fl_arch(run->arch)->name,
	       run->backend);
	for (i = 0; i < run->nsteps; i++) {
		const struct fl_step *s = &run->steps[i];

		printf("%5u  %-44s ", s->st->line, fl_step_text(run, s, text, sizeof(text)));
		print_obs(s);
		for (j = 0; j < s->ntrace; j++)
			printf("         | %s\n", s->trace[j]);
	}
	printf("%s  %s: %s\n\n", fl_verdict_name(run->verdict), file, run->reason);
}

/* ---- the gallery table ---- */

/* The story of a gallery file is its directory: scenarios/STORY/NAME.fl. */
static void story_of(const char *file, char *buf, size_t len)
{
	const char *slash = strrchr(file, '/'), *prev = slash;

	if (!slash) {
		snprintf(buf, len, "-");
		return;
	}
	while (prev > file && prev[-1] != '/')
		prev--;
	fl_cli_clean(prev, buf, len < (size_t)(slash - prev) + 1 ? len : (size_t)(slash - prev) + 1);
}

static const char *base_of(const char *file)
{
	const char *slash = strrchr(file, '/');

	return slash ? slash + 1 : fl_cli_file_name(file);
}

struct table {
	int wstory, wfile;
	struct gallery_header *hdr;     /* by file */
};

static void table_widths(struct table *t, int nfiles, char **files)
{
	char story[64];
	int i, n;

	t->wstory = 5;
	t->wfile = 4;
	for (i = 0; i < nfiles; i++) {
		story_of(files[i], story, sizeof(story));
		n = (int)strlen(story);
		t->wstory = n > t->wstory ? n : t->wstory;
		n = (int)strlen(base_of(files[i]));
		t->wfile = n > t->wfile ? n : t->wfile;
	}
	t->wstory = t->wstory > 32 ? 32 : t->wstory;
	t->wfile = t->wfile > 40 ? 40 : t->wfile;
}

/* Every file's table lines, before anything runs: a bad one is exit 2. */
static int table_headers(struct table *t, int nfiles, char **files)
{
	char err[400];
	int i, e;

	t->hdr = calloc((size_t)nfiles, sizeof(*t->hdr));
	if (!t->hdr)
		return FL_EXIT_BUG;
	for (i = 0; i < nfiles; i++) {
		e = gallery_header_read(files[i], &t->hdr[i], err, sizeof(err));
		if (e == -EINVAL)
			fl_cli_diag(err);
		else if (e)
			fl_cli_error("%s: %s", files[i], strerror(-e));
		if (e)
			return FL_EXIT_USAGE;
	}
	return FL_EXIT_OK;
}

static void print_row(const struct table *t, const char *file, const struct fl_run *run,
		      enum fl_verdict v, const char *text)
{
	char story[64], kv[32], name[128];

	story_of(file, story, sizeof(story));
	fl_cli_clean(base_of(file), name, sizeof(name));
	printf("%-*s %-*s %-8s %-12s %-12s ", t->wstory, story, t->wfile, name,
	       fl_kver_format(run->kver, kv, sizeof(kv)), fl_arch(run->arch)->name,
	       fl_verdict_name(v));
	fl_cli_puts_clean(stdout, text);
	putchar('\n');
}

/*
 * The row of a file: PASS rows say what the story shows (its summary),
 * others why.  A vary file is explored, every case, and judged by its
 * counts (gallery_judge()); RUN is its case 0, for the kernel and arch.
 */
static enum fl_verdict table_row(const struct table *t, int i, const char *file,
				 const struct fl_scenario *sc, const struct fl_run *run,
				 bool explore)
{
	const struct gallery_header *h = &t->hdr[i];
	struct fl_explore_opts eo = { .flags = FL_RUN_NO_TRACE };
	struct fl_explore e;
	char why[400], text[600];
	enum fl_verdict v = run->verdict;
	int err;

	if (!explore) {
		print_row(t, file, run, v, v == FL_VERDICT_PASS && h->summary[0] ?
			  h->summary : run->reason);
		return v;
	}
	err = fl_explore_run(sc, &fl_model_backend, &eo, &e);
	if (err) {
		snprintf(text, sizeof(text), "cannot explore its vary space: %s", strerror(-err));
		print_row(t, file, run, FL_VERDICT_ERROR, text);
		return FL_VERDICT_ERROR;
	}
	v = gallery_judge(&e, h, why, sizeof(why));
	snprintf(text, sizeof(text), "%s%s[%s]", h->summary, h->summary[0] ? " " : "", why);
	print_row(t, file, run, v, text);
	fl_explore_fini(&e);
	return v;
}

/* ---- driver ---- */

static int parse_all(int nfiles, char **files, struct fl_scenario **sc)
{
	struct fl_sc_diag diag;
	int i, err;

	for (i = 0; i < nfiles; i++) {
		err = fl_cli_parse_file(files[i], &sc[i], &diag);
		if (err == -EINVAL) {
			fl_cli_diag(diag.msg);
			return FL_EXIT_USAGE;
		}
		if (err) {
			fl_cli_error("%s: %s", fl_cli_file_name(files[i]), strerror(-err));
			return err == -ENOMEM ? FL_EXIT_BUG : FL_EXIT_USAGE;
		}
	}
	return FL_EXIT_OK;
}

/*
 * SC whole, or with --case N the values of case N of its vary space (the
 * numbering of `faultline explore`, include/faultline/explore.h).  A vary
 * file run without --case runs case 0 and says so (unless the table will
 * explore it).
 */
static int run_case(const struct run_opts *o, const char *file,
		    const struct fl_scenario *sc, struct fl_run **run)
{
	struct fl_space s;
	int64_t *vals;
	int err;

	if (!o->has_case && !sc->nvars)
		return fl_scenario_run(sc, o->backend, NULL, run);
	err = fl_space_init(&s, sc);
	if (err)
		return err;
	vals = calloc(sc->nvars + 1, sizeof(*vals));
	if (!vals)
		err = -ENOMEM;
	else if (o->case_n >= s.ncases)
		err = -ERANGE;
	if (!err && !o->has_case && o->fmt != FMT_TABLE)
		fl_cli_error("%s: ran case 0 of the %llu cases of its vary space; "
			     "'faultline explore %s' runs every case, 'run --case N' one",
			     fl_cli_file_name(file), (unsigned long long)s.ncases, file);
	if (!err) {
		fl_space_values(&s, o->case_n, vals);
		err = fl_scenario_run(sc, o->backend, vals, run);
	}
	free(vals);
	fl_space_fini(&s);
	return err;
}

struct tally {
	unsigned counts[4];     /* by verdict */
	bool bad_case, bug;
};

static int tally_exit(const struct tally *t)
{
	if (t->bug)
		return FL_EXIT_BUG;
	if (t->counts[FL_VERDICT_ERROR] || t->bad_case)
		return FL_EXIT_USAGE;
	return fl_cli_exit(t->counts[FL_VERDICT_PASS], t->counts[FL_VERDICT_FAIL],
			   t->counts[FL_VERDICT_UNSUPPORTED]);
}

static void print_header(const struct run_opts *o, const struct table *t, int nfiles)
{
	if (o->fmt == FMT_KTAP)
		fl_ktap_begin((unsigned)nfiles);
	else if (o->fmt == FMT_TABLE)
		printf("%-*s %-*s %-8s %-12s %-12s %s\n", t->wstory, "story", t->wfile, "file",
		       "kernel", "arch", "verdict", "summary");
}

/* One file's run in the chosen format; its verdict. */
static enum fl_verdict print_one(const struct run_opts *o, const struct table *t, int i,
				 const char *file, const struct fl_scenario *sc,
				 const struct fl_run *run, json_t *arr)
{
	switch (o->fmt) {
	case FMT_TRACE: print_trace(run, file); break;
	case FMT_QUIET:
		printf("%s  ", fl_verdict_name(run->verdict));
		fl_cli_puts_clean(stdout, fl_cli_file_name(file));
		printf(": %s\n", run->reason);
		break;
	case FMT_JSON: json_array_append_new(arr, fl_json_run(run, fl_cli_file_name(file))); break;
	case FMT_KTAP: fl_ktap_file(run, file, (unsigned)i + 1); break;
	case FMT_TABLE: return table_row(t, i, file, sc, run, sc->nvars && !o->has_case);
	}
	return run->verdict;
}

static void print_summary(const struct run_opts *o, const struct tally *t, json_t *arr)
{
	const unsigned *c = t->counts;

	if (o->fmt == FMT_JSON) {
		json_t *doc = fl_json_doc("run");

		json_object_set_new(doc, "scenarios", arr);
		json_object_set_new(doc, "summary", fl_json_summary(c[FL_VERDICT_PASS],
				    c[FL_VERDICT_FAIL], c[FL_VERDICT_UNSUPPORTED], c[FL_VERDICT_ERROR]));
		fl_json_print(doc, false);
	} else if (o->fmt == FMT_KTAP) {
		fl_ktap_end(c);
	} else if (o->fmt == FMT_TABLE || o->fmt == FMT_QUIET) {
		printf("\n%u passed, %u failed, %u unsupported, %u errors\n",
		       c[0], c[1], c[2], c[3]);
	}
}

static int run_all(const struct run_opts *o, int nfiles, char **files,
		   struct fl_scenario **sc)
{
	struct table t = { 0 };
	struct tally tl = { 0 };
	json_t *arr = o->fmt == FMT_JSON ? json_array() : NULL;
	int i, rc;

	if (o->fmt == FMT_TABLE) {
		table_widths(&t, nfiles, files);
		rc = table_headers(&t, nfiles, files);
		if (rc) {
			free(t.hdr);
			return rc;
		}
	}
	print_header(o, &t, nfiles);
	for (i = 0; i < nfiles; i++) {
		struct fl_run *run;
		int err = run_case(o, files[i], sc[i], &run);

		if (err == -ERANGE) {   /* --case past the end of the space */
			fl_cli_error("%s: --case %llu: its vary space has no such case",
				     fl_cli_file_name(files[i]), (unsigned long long)o->case_n);
			tl.bad_case = true;
			continue;
		}
		if (err && cli_judge_lost("run", (unsigned)(nfiles - i))) {
			tl.bug = true;
			break;
		}
		if (err) {
			fl_cli_error("%s: %s", fl_cli_file_name(files[i]), strerror(-err));
			tl.bug = true;
			continue;
		}
		tl.counts[print_one(o, &t, i, files[i], sc[i], run, arr)]++;
		fl_run_free(run);
	}
	print_summary(o, &tl, arr);
	free(t.hdr);
	return tally_exit(&tl);
}

/* ---- options ---- */

enum { OPT_JSON = 0x100, OPT_KTAP, OPT_TABLE, OPT_CASE };

static const struct fl_opt run_options[] = {
	{ "backend", 'b', "model|host|vm:KERNEL",
	  "where statements run: the model (default), the running kernel, or a kernel under "
	  "QEMU (a name from 'kernels list', or an Image/bzImage path)" },
	{ "case", OPT_CASE, "N", "run case N of the file's vary space (one file)" },
	{ "table", OPT_TABLE, NULL, "one row per file; vary files explored (the gallery, make run)" },
	{ "json", OPT_JSON, NULL, "one JSON document (docs/json.md)" },
	{ "ktap", OPT_KTAP, NULL, "KTAP version 1, one subtest per file" },
	{ "quiet", 'q', NULL, "one line per file: verdict, file, reason" },
	{ NULL, 0, NULL, NULL },
};

static int run_set(void *ctx, int key, const char *arg)
{
	static const struct { int key; const char *opt; enum run_format fmt; } fmts[] = {
		{ OPT_JSON, "--json", FMT_JSON }, { OPT_KTAP, "--ktap", FMT_KTAP },
		{ OPT_TABLE, "--table", FMT_TABLE }, { 'q', "--quiet", FMT_QUIET },
	};
	struct run_opts *o = ctx;
	size_t i;

	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		if (fmts[i].key != key)
			continue;
		o->fmt = fmts[i].fmt;
		return fl_cli_conflict("run", &o->fmt_opt, fmts[i].opt);
	}
	if (key == 'b' && !strcmp(arg, "model"))
		o->backend = &fl_model_backend;
	else if (key == 'b' && !strcmp(arg, "host"))
		o->backend = &fl_host_backend;
	else if (key == 'b' && !strncmp(arg, "vm:", 3) && arg[3]) {
		o->backend = &fl_host_backend;
		return cli_judge_vm("run", arg + 3);
	} else if (key == 'b') {
		fl_cli_error("run: --backend '%s': expected 'model', 'host' or 'vm:KERNEL'", arg);
		return FL_EXIT_USAGE;
	} else if (key == OPT_CASE) {
		o->has_case = true;
		return fl_cli_u64("run", "--case", arg, 0, INT64_MAX, &o->case_n);
	}
	return FL_EXIT_OK;
}

static const struct fl_cmd_spec run_spec = {
	"run", "[OPTIONS] FILE...",
	"Run scenarios ('-' is standard input) and judge their expect lines.",
	run_options, run_set,
};

static int parse_opts(int argc, char **argv, struct run_opts *o, int *first)
{
	int rc;

	memset(o, 0, sizeof(*o));
	o->fmt = FMT_TRACE;
	o->backend = &fl_model_backend;
	rc = fl_cli_parse(&run_spec, argc, argv, o, first);
	if (rc)
		return rc;
	if (*first == argc) {
		fl_cli_error("run: no scenario file given; see 'faultline run --help'");
		return FL_EXIT_USAGE;
	}
	if (o->has_case && argc - *first != 1) {
		fl_cli_error("run: --case takes exactly one scenario file, not %d", argc - *first);
		return FL_EXIT_USAGE;
	}
	return FL_EXIT_OK;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct fl_scenario **sc;
	int first, n, rc, i;

	rc = parse_opts(argc, argv, &o, &first);
	if (rc)
		return fl_cli_parsed(rc);
	n = argc - first;
	if (n <= 0)     /* parse_opts() saw to it; the compiler cannot tell */
		return FL_EXIT_USAGE;
	sc = calloc((size_t)n, sizeof(*sc));
	if (!sc)
		return FL_EXIT_BUG;
	rc = parse_all(n, argv + first, sc);
	/* a guest judge's version and arch are what `kernel host` means (docs/vm.md) */
	if (rc == FL_EXIT_OK && o.backend == &fl_host_backend)
		rc = cli_judge_follow("run");
	if (rc == FL_EXIT_OK)
		rc = run_all(&o, n, argv + first, sc);
	for (i = 0; i < n; i++)
		fl_scenario_free(sc[i]);
	free(sc);
	return rc;
}
