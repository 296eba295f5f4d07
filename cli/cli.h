/*
 * cli/cli.h - the command table and the exit-code tiers of `faultline`.
 *
 * Exit codes (documented in `faultline --help` and docs/faultline.1):
 *   0  success: every expectation held / the command did what was asked
 *   1  a check failed: an expectation, a diff, a matrix assertion
 *   2  usage or input error: bad arguments, a scenario that does not parse
 *   3  unsupported: the scenario needs something not modelled yet
 *   4  internal error: a bug in faultline (an invariant broke)
 */
#ifndef FL_CLI_H
#define FL_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <faultline/scenario.h>

enum fl_exit {
	FL_EXIT_OK = 0,
	FL_EXIT_FAIL = 1,
	FL_EXIT_USAGE = 2,
	FL_EXIT_UNSUPPORTED = 3,
	FL_EXIT_BUG = 4,
};

struct fl_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);   /* argv[0] is the command name */
	const char *usage;                  /* one line */
};

/* One line to stderr: "faultline: <message>" */
void fl_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int cmd_eras(int argc, char **argv);
int cmd_exactness(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_explore(int argc, char **argv);
int cmd_merge(int argc, char **argv);
/*
 * Case VARS of SC on the model and on the running kernel, compared as
 * `faultline diff` compares (cli/cmd_diff.c): 0 they agree, 1 they
 * disagree, 2 a side cannot run it (WHY gets the first difference or the
 * reason), or -errno (no run made).
 */
int diff_case(const struct fl_scenario *sc, const int64_t *vars,
	      char *why, size_t len);

/* An exploration's report, shared by `explore` and `merge` (cli/cmd_explore.c). */
struct fl_explore;
struct explore_report {
	const char *file;       /* the scenario, as named on the command line */
	char title[200];        /* its first comment line */
	bool json, minimise, heatmap;
	const char *svg;        /* --svg FILE, or NULL */
	bool random;            /* a sample: its size and seed go in the JSON */
	uint64_t sample_n, seed;
	unsigned shard, nshards;
};
/* Print E's report as R says; the exit code of the exploration. */
int explore_report(const struct fl_explore *e, const struct explore_report *r);
/* The first comment line of FILE, without "# ", into R->title. */
void explore_title(struct explore_report *r, const char *file);
/* `faultline bench explore` (cli/bench_explore.c); argv[0] is "explore". */
int bench_explore(int argc, char **argv);
/* `faultline bench copy` (cli/bench_copy.c); argv[0] is "copy". */
int bench_copy(int argc, char **argv);
/* `faultline bench matrix` (cli/bench_matrix.c); argv[0] is "matrix". */
int bench_matrix(int argc, char **argv);

#endif
