/*
 * cli/cli.h - the command table, the option parser and the exit codes of
 * `faultline`.
 *
 * Exit codes, one rule for every command (docs/faultline.1, EXIT STATUS):
 *   0  success: nothing failed and something passed; skips are counted in
 *      the summary, not failures (kselftest's convention)
 *   1  a check failed: an expectation, a diff, a matrix assertion
 *   2  usage or input error: bad arguments, a scenario that does not parse
 *   3  unsupported: everything was skipped, nothing passed or failed
 *   4  internal or output error: a bug in faultline (an invariant broke),
 *      out of memory, or standard output could not be written
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

/* One line to stderr: "faultline: <message>", control characters as '?'. */
void fl_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A parser diagnostic ("FILE:LINE:COL: error: ..."), one clean line to stderr. */
void fl_cli_diag(const char *msg);
/* S to OUT with control characters (a newline, ESC) as '?': one line stays one. */
void fl_cli_puts_clean(FILE *out, const char *s);
/* S, cleaned as fl_cli_puts_clean() does, into BUF of LEN bytes. */
const char *fl_cli_clean(const char *s, char *buf, size_t len);
/* The name FILE is printed under: "<stdin>" for "-", else FILE. */
const char *fl_cli_file_name(const char *file);
/*
 * Standard input's whole text, read on the first call and kept for the
 * command: the parser and the table lines (cli/gallery.c) both read a "-"
 * file, and a pipe can be read once.  0 or the read's -errno.
 */
int fl_cli_stdin_text(const char **text, size_t *len);
/* fl_scenario_parse_file(), with "-" read through fl_cli_stdin_text(). */
int fl_cli_parse_file(const char *path, struct fl_scenario **sc, struct fl_sc_diag *diag);

/*
 * One option of a command (cli/opts.c).  KEY is the short letter, or a
 * value >= 0x100 for a long-only option; ARG names the value in --help
 * (NULL: the option takes none).
 */
struct fl_opt {
	const char *name;
	int key;
	const char *arg;
	const char *help;
};

struct fl_cmd_spec {
	const char *name;               /* "run", "bench copy" */
	const char *synopsis;           /* "[OPTIONS] FILE..." */
	const char *about;              /* one line */
	const struct fl_opt *opts;      /* ends with a NULL name */
	/* Take option KEY with value ARG into CTX: FL_EXIT_OK or an exit code. */
	int (*set)(void *ctx, int key, const char *arg);
};

/* fl_cli_parse() printed --help or --version: the command exits 0. */
#define FL_CLI_DONE (-1)
/*
 * The options of ARGV (argv[0] the command) as S says, in any order with
 * the operands, which end up in argv[*FIRST..argc).  FL_EXIT_OK, FL_CLI_DONE,
 * or FL_EXIT_USAGE after one line naming the option.
 */
int fl_cli_parse(const struct fl_cmd_spec *s, int argc, char **argv, void *ctx,
		 int *first);
/* fl_cli_parse() for a command that takes options only, no file. */
int fl_cli_parse_no_operand(const struct fl_cmd_spec *s, int argc, char **argv, void *ctx);
/* The exit code of a command whose fl_cli_parse() returned RC (not OK). */
static inline int fl_cli_parsed(int rc)
{
	return rc == FL_CLI_DONE ? FL_EXIT_OK : rc;
}
void fl_cli_usage(FILE *out, const struct fl_cmd_spec *s);
/* ARG of option OPT as a number in [MIN, MAX], or FL_EXIT_USAGE saying so. */
int fl_cli_u64(const char *cmd, const char *opt, const char *arg, uint64_t min,
	       uint64_t max, uint64_t *v);
/* OPT into *SLOT, unless another option of the same group is there already. */
int fl_cli_conflict(const char *cmd, const char **slot, const char *opt);
/*
 * The exit code of PASS passed, FAIL failed and SKIP skipped (unsupported)
 * units, by the one rule above: 1 if any failed, else 0 if any passed (the
 * skips are counted in the output), else 3 if any was skipped, else 0.
 */
int fl_cli_exit(uint64_t pass, uint64_t fail, uint64_t skip);

int cmd_eras(int argc, char **argv);
int cmd_exactness(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_explore(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_kernels(int argc, char **argv);  /* cli/cmd_kernels.c */

/*
 * cli/judge.c.  The host backend's judge becomes kernel ARG under QEMU
 * (a fetched NAME or an image PATH): its agent is `faultline kernels agent
 * ARG`.  An exit code (a kernel not fetched: 3, not a kernel: 2).
 */
int cli_judge_vm(const char *cmd, const char *arg);
/*
 * With an agent: start it, and have the model follow its kernel (version,
 * arch, CPU) from now on.  An exit code: 3 when it does not answer.
 */
int cli_judge_follow(const char *cmd);
/* Has the agent gone?  Then say so, once, with the LEFT files not run. */
bool cli_judge_lost(const char *cmd, unsigned left);
/*
 * The cases of SC on the model and on the judge, compared as `faultline
 * diff` compares (cli/cmd_diff.c), each side's set-up run once and gone
 * back to per case.  _open(): 0 or -errno.  _run(): case VARS, 0 they
 * agree, 1 they disagree, 2 a side cannot run it (WHY gets the first
 * difference or the reason), or -errno (no run made).
 */
struct diff_cases;
int diff_cases_open(const struct fl_scenario *sc, struct diff_cases **out);
int diff_cases_run(struct diff_cases *d, const int64_t *vars, char *why, size_t len);
/*
 * The judge's side of the next N cases in one exchange (fl_prefix_batch()):
 * diff_cases_run() of VARS[0..N-1], in that order, then answers them from
 * it.  0, or -errno: they run one by one.
 */
int diff_cases_batch(struct diff_cases *d, const int64_t *const *vars, unsigned n);
/* diff_cases_batch() would send one now (fl_prefix_batch_ready()). */
bool diff_cases_batch_ready(struct diff_cases *d);
void diff_cases_close(struct diff_cases *d);
/*
 * The cases the judge ran from its kept set-up, not in a process of their
 * own; *RESTARTS the times it could not go back and made it anew;
 * *BATCHED those of them answered from a batch (diff_cases_batch()).
 */
uint64_t diff_cases_kept(const struct diff_cases *d, uint64_t *restarts, uint64_t *batched);

/*
 * `explore --diff` over E's cases (cli/cmd_explore.c): each on the model
 * and the judge, a disagreement's class `differ`, a side's refusal
 * `unsupported`; E's counts redone.  FL_EXIT_OK, or the exit code after
 * one line saying why (the judge refused case 0, a run could not be made).
 */
struct fl_explore;
int cli_explore_diff(struct fl_explore *e);
/*
 * The cases of the last cli_explore_diff() the judge ran from its kept
 * set-up, and the times it made that set-up anew.
 */
extern uint64_t cli_explore_diff_kept, cli_explore_diff_restarts, cli_explore_diff_batched;
/* ... and the batches sent for them (their size grows: CLI_DIFF_BATCH_FIRST). */
extern uint64_t cli_explore_diff_batches;
/*
 * Cases the judge gets per exchange at most (backend/host_batch.c):
 * FAULTLINE_HOST_BATCH, default CLI_DIFF_BATCH; 0 or 1: one by one.
 * -1: not a number of 0..CLI_DIFF_BATCH_MAX.  Batches start at
 * CLI_DIFF_BATCH_FIRST and double while every case is answered
 * (cmd_explore.c, next_batch_size()).
 */
#define CLI_DIFF_BATCH 256u
#define CLI_DIFF_BATCH_FIRST 32u
#define CLI_DIFF_BATCH_MAX 1024u
long cli_diff_batch_size(void);

/* An exploration's report, shared by `explore` and `merge` (cli/cmd_explore.c). */
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
/* `faultline bench judge` (cli/bench_judge.c); argv[0] is "judge". */
int bench_judge(int argc, char **argv);

#endif
