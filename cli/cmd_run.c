/*
 * cli/cmd_run.c - `faultline run [--backend model|host] [OPTIONS] FILE...`:
 * run scenarios on the model (default) or on the running kernel
 * (backend/host.c) and print a trace, JSON, KTAP, or the gallery table.
 *
 * Every file is parsed before any runs: nothing runs when one does not
 * parse (exit 2).  The exit code then is the worst verdict, in this order:
 * ERROR (2) > FAIL (1) > UNSUPPORTED (3) > PASS (0).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/explore.h>
#include <faultline/run.h>

#include "cli/cli.h"

enum run_format { FMT_TRACE, FMT_QUIET, FMT_JSON, FMT_KTAP, FMT_TABLE };

struct run_opts {
	enum run_format fmt;
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

/* ---- JSON (jansson) ---- */

static json_t *step_json(const struct fl_run *run, const struct fl_step *s)
{
	char text[200];
	json_t *o = json_object(), *tr = json_array();
	unsigned j;

	json_object_set_new(o, "line", json_integer(s->st->line));
	json_object_set_new(o, "statement", json_string(fl_step_text(run, s, text, sizeof(text))));
	if (s->is_expect) {
		json_object_set_new(o, "held", json_boolean(s->held));
		if (!s->held)
			json_object_set_new(o, "seen", json_string(s->seen));
	}
	if (s->obs.has_ret)
		json_object_set_new(o, "ret", json_integer(s->obs.ret));
	if (s->obs.err)
		json_object_set_new(o, "errno", json_integer(s->obs.err));
	if (s->obs.sig.sig) {
		json_object_set_new(o, "signal", json_integer(s->obs.sig.sig));
		json_object_set_new(o, "si_code", json_integer(s->obs.sig.code));
		json_object_set_new(o, "si_addr", json_integer((json_int_t)s->obs.sig.addr));
	}
	if (s->obs.summary[0])
		json_object_set_new(o, "summary", json_string(s->obs.summary));
	if (s->rc)
		json_object_set_new(o, "error", json_string(s->obs.why));
	for (j = 0; j < s->ntrace; j++)
		json_array_append_new(tr, json_string(s->trace[j]));
	json_object_set_new(o, "trace", tr);
	return o;
}

static json_t *run_json(const struct fl_run *run, const char *file)
{
	char kv[32];
	json_t *o = json_object(), *st = json_array();
	unsigned i;

	json_object_set_new(o, "file", json_string(file));
	json_object_set_new(o, "kernel", json_string(fl_kver_format(run->kver, kv, sizeof(kv))));
	json_object_set_new(o, "arch", json_string(fl_arch(run->arch)->name));
	json_object_set_new(o, "backend", json_string(run->backend));
	json_object_set_new(o, "verdict", json_string(fl_verdict_name(run->verdict)));
	json_object_set_new(o, "reason", json_string(run->reason));
	json_object_set_new(o, "expectations", json_integer(run->expects));
	json_object_set_new(o, "failed", json_integer(run->failed));
	for (i = 0; i < run->nsteps; i++)
		json_array_append_new(st, step_json(run, &run->steps[i]));
	json_object_set_new(o, "statements", st);
	return o;
}

/* ---- KTAP v1, as KUnit prints it: one subtest per scenario ---- */

static void print_ktap(const struct fl_run *run, const char *file, unsigned n)
{
	char text[200];
	unsigned i, k = 0;

	printf("    KTAP version 1\n    # Subtest: %s\n    1..%u\n", file,
	       run->expects ? run->expects : 1);
	for (i = 0; i < run->nsteps; i++) {
		const struct fl_step *s = &run->steps[i];

		if (!s->is_expect)
			continue;
		printf("    %sok %u line %u: %s\n", s->held ? "" : "not ", ++k,
		       s->st->line, fl_step_text(run, s, text, sizeof(text)));
		if (!s->held)
			printf("    # seen: %s\n", s->seen);
	}
	if (!run->expects)
		printf("    %sok 1 runs%s%s\n",
		       run->verdict == FL_VERDICT_ERROR ? "not " : "",
		       run->verdict == FL_VERDICT_UNSUPPORTED ? " # SKIP " : "",
		       run->verdict == FL_VERDICT_UNSUPPORTED ? run->reason : "");
	switch (run->verdict) {
	case FL_VERDICT_PASS:
		printf("ok %u %s\n", n, file);
		break;
	case FL_VERDICT_UNSUPPORTED:
		printf("ok %u %s # SKIP %s\n", n, file, run->reason);
		break;
	default:
		printf("# %s\nnot ok %u %s\n", run->reason, n, file);
	}
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
	snprintf(buf, len, "%.*s", (int)(slash - prev), prev);
}

/*
 * The title of a gallery file: its first line, when it is a comment ("# x86_64
 * copy_to_user is byte-exact: ...").  Cleaned of control bytes, "" if none.
 */
static void title_of(const char *file, char *buf, size_t len)
{
	FILE *f = fopen(file, "r");
	size_t i;

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, (int)len, f) && buf[0] == '#') {
		memmove(buf, buf + 1 + (buf[1] == ' '), len - 2);
		for (i = 0; buf[i]; i++)
			if ((unsigned char)buf[i] < 0x20)
				buf[i] = buf[i] == '\n' ? '\0' : ' ';
	} else {
		buf[0] = '\0';
	}
	fclose(f);
}

/* PASS rows say what the story shows (the file's title); others say why. */
static void print_row(const struct fl_run *run, const char *file)
{
	char story[64], kv[32], title[200];

	story_of(file, story, sizeof(story));
	title_of(file, title, sizeof(title));
	printf("%-24s %-8s %-12s %-12s %s\n", story,
	       fl_kver_format(run->kver, kv, sizeof(kv)), fl_arch(run->arch)->name,
	       fl_verdict_name(run->verdict),
	       run->verdict == FL_VERDICT_PASS && title[0] ? title : run->reason);
}

/* ---- driver ---- */

static int verdict_exit(enum fl_verdict v)
{
	static const int code[] = { FL_EXIT_OK, FL_EXIT_FAIL, FL_EXIT_UNSUPPORTED,
				    FL_EXIT_USAGE };
	return code[v];
}

/* ERROR > FAIL > UNSUPPORTED > PASS */
static int worse(int a, int b)
{
	static const int rank[] = { [0] = 0, [1] = 2, [2] = 3, [3] = 1 };

	return rank[b] > rank[a] ? b : a;
}

static int parse_all(int nfiles, char **files, struct fl_scenario **sc)
{
	struct fl_sc_diag diag;
	int i, err;

	for (i = 0; i < nfiles; i++) {
		err = fl_scenario_parse_file(files[i], &sc[i], &diag);
		if (err == -EINVAL) {
			fprintf(stderr, "%s\n", diag.msg);
			return FL_EXIT_USAGE;
		}
		if (err) {
			fl_cli_error("%s: %s", files[i], strerror(-err));
			return FL_EXIT_USAGE;
		}
	}
	return FL_EXIT_OK;
}

/*
 * SC whole, or with --case N the values of case N of its vary space (the
 * numbering of `faultline explore`, include/faultline/explore.h).
 */
static int run_case(const struct run_opts *o, const struct fl_scenario *sc,
		    struct fl_run **run)
{
	struct fl_space s;
	int64_t *vals;
	int err;

	if (!o->has_case)
		return fl_scenario_run(sc, o->backend, NULL, run);
	err = fl_space_init(&s, sc);
	if (err)
		return err;
	vals = calloc(sc->nvars + 1, sizeof(*vals));
	if (!vals)
		err = -ENOMEM;
	else if (o->case_n >= s.ncases)
		err = -ERANGE;
	if (!err) {
		fl_space_values(&s, o->case_n, vals);
		err = fl_scenario_run(sc, o->backend, vals, run);
	}
	free(vals);
	fl_space_fini(&s);
	return err;
}

static int run_all(const struct run_opts *o, int nfiles, char **files,
		   struct fl_scenario **sc)
{
	json_t *doc = NULL, *arr = NULL;
	unsigned counts[4] = { 0 };
	int i, rc = FL_EXIT_OK;

	if (o->fmt == FMT_JSON) {
		doc = json_object();
		arr = json_array();
	} else if (o->fmt == FMT_KTAP) {
		printf("KTAP version 1\n1..%d\n", nfiles);
	} else if (o->fmt == FMT_TABLE) {
		printf("%-24s %-8s %-12s %-12s %s\n", "story", "kernel", "arch",
		       "verdict", "reason");
	}
	for (i = 0; i < nfiles; i++) {
		struct fl_run *run;
		int err = run_case(o, sc[i], &run);

		if (err == -ERANGE) {   /* --case past the end of the space */
			fl_cli_error("%s: no case %llu in its vary space", files[i],
				     (unsigned long long)o->case_n);
			rc = worse(rc, FL_EXIT_USAGE);
			continue;
		}
		if (err) {
			fl_cli_error("%s: %s", files[i], strerror(-err));
			rc = worse(rc, FL_EXIT_BUG);
			continue;
		}
		counts[run->verdict]++;
		rc = worse(rc, verdict_exit(run->verdict));
		switch (o->fmt) {
		case FMT_TRACE: print_trace(run, files[i]); break;
		case FMT_QUIET:
			printf("%s  %s: %s\n", fl_verdict_name(run->verdict), files[i], run->reason);
			break;
		case FMT_JSON: json_array_append_new(arr, run_json(run, files[i])); break;
		case FMT_KTAP: print_ktap(run, files[i], (unsigned)i + 1); break;
		case FMT_TABLE: print_row(run, files[i]); break;
		}
		fl_run_free(run);
	}
	if (doc) {
		json_t *sum = json_object();

		json_object_set_new(sum, "pass", json_integer(counts[FL_VERDICT_PASS]));
		json_object_set_new(sum, "fail", json_integer(counts[FL_VERDICT_FAIL]));
		json_object_set_new(sum, "unsupported", json_integer(counts[FL_VERDICT_UNSUPPORTED]));
		json_object_set_new(sum, "error", json_integer(counts[FL_VERDICT_ERROR]));
		json_object_set_new(doc, "scenarios", arr);
		json_object_set_new(doc, "summary", sum);
		json_dumpf(doc, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(doc);
	} else if (o->fmt == FMT_TABLE || o->fmt == FMT_QUIET) {
		printf("\n%u passed, %u failed, %u unsupported, %u errors\n",
		       counts[0], counts[1], counts[2], counts[3]);
	}
	return rc;
}

static int parse_opts(int argc, char **argv, struct run_opts *o, int *first)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->fmt = FMT_TRACE;
	o->backend = &fl_model_backend;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--json"))
			o->fmt = FMT_JSON;
		else if (!strcmp(argv[i], "--ktap"))
			o->fmt = FMT_KTAP;
		else if (!strcmp(argv[i], "--table"))
			o->fmt = FMT_TABLE;
		else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			o->fmt = FMT_QUIET;
		else if (!strcmp(argv[i], "--backend") && i + 1 < argc &&
			 !strcmp(argv[i + 1], "model"))
			i++;
		else if (!strcmp(argv[i], "--backend") && i + 1 < argc &&
			 !strcmp(argv[i + 1], "host"))
			o->backend = &fl_host_backend, i++;
		else if (!strcmp(argv[i], "--backend")) {
			fl_cli_error("run: --backend takes 'model' or 'host'");
			return FL_EXIT_USAGE;
		} else if (!strcmp(argv[i], "--case") && i + 1 < argc) {
			char *end;

			o->has_case = true;
			o->case_n = strtoull(argv[++i], &end, 0);
			if (!argv[i][0] || *end || argv[i][0] == '-') {
				fl_cli_error("run: --case takes a case number");
				return FL_EXIT_USAGE;
			}
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else {
			fl_cli_error("run: unknown option '%s'; see 'faultline --help'", argv[i]);
			return FL_EXIT_USAGE;
		}
	}
	if (i == argc) {
		fl_cli_error("run: no scenario file given");
		return FL_EXIT_USAGE;
	}
	if (o->has_case && argc - i != 1) {
		fl_cli_error("run: --case takes exactly one scenario file");
		return FL_EXIT_USAGE;
	}
	*first = i;
	return FL_EXIT_OK;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct fl_scenario **sc;
	int first, n, rc, i;

	rc = parse_opts(argc, argv, &o, &first);
	if (rc)
		return rc;
	n = argc - first;
	if (n <= 0)     /* parse_opts() saw to it; the compiler cannot tell */
		return FL_EXIT_USAGE;
	sc = calloc((size_t)n, sizeof(*sc));
	if (!sc)
		return FL_EXIT_BUG;
	rc = parse_all(n, argv + first, sc);
	if (rc == FL_EXIT_OK)
		rc = run_all(&o, n, argv + first, sc);
	for (i = 0; i < n; i++)
		fl_scenario_free(sc[i]);
	free(sc);
	return rc;
}
