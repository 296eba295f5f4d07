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

#include <stdio.h>

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
/* `faultline bench copy` (cli/bench_copy.c); argv[0] is "copy". */
int bench_copy(int argc, char **argv);
/* `faultline bench matrix` (cli/bench_matrix.c); argv[0] is "matrix". */
int bench_matrix(int argc, char **argv);

#endif
