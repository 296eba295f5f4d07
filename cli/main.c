/*
 * cli/main.c - `faultline COMMAND [ARGS]`: dispatch from a table, as git does.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct fl_cmd commands[] = {
	{ "run",       cmd_run,       "run [--backend model|host] [--json|--ktap|--table|-q] FILE...   run scenarios" },
	{ "diff",      cmd_diff,      "diff [--json] FILE...   run scenarios on the model and the running kernel, compare" },
	{ "explore",   cmd_explore,   "explore [-j N] [--shard I/N] [--random N --seed S] [--json] [--svg FILE] [--diff] FILE   every case of a scenario's vary space" },
	{ "merge",     cmd_merge,     "merge [--json] [--svg FILE] SHARD.json...   combine the JSON results of explore shards" },
	{ "eras",      cmd_eras,      "eras [--markdown]   the era table: every version-dependent rule" },
	{ "exactness", cmd_exactness, "exactness [--verbose]   usercopy exactness by architecture (Rutland matrix)" },
	{ "bench",     cmd_bench,     "bench copy|vma|matrix   measure the model (matrix: against the running kernel)" },
	{ "check",     cmd_check,     "check FILE...   parse scenarios without running them" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

void fl_cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("faultline: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *out)
{
	size_t i;

	fputs("usage: faultline COMMAND [ARGS]\n\ncommands:\n", out);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %s\n", commands[i].usage);
	fputs("\nexit codes:\n"
	      "  0 success   1 a check failed   2 usage or input error\n"
	      "  3 unsupported (not modelled yet)   4 internal error\n", out);
}

/* Output is checked before exit, as git does: a full disk is an error. */
static int finish(int rc)
{
	if (fflush(stdout) || ferror(stdout)) {
		fl_cli_error("error writing standard output");
		return rc ? rc : FL_EXIT_FAIL;
	}
	return rc;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return FL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return finish(FL_EXIT_OK);
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return finish(commands[i].fn(argc - 1, argv + 1));
	fl_cli_error("'%s' is not a command; see 'faultline --help'", argv[1]);
	return FL_EXIT_USAGE;
}
