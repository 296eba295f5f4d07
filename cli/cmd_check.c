/*
 * cli/cmd_check.c - `faultline check FILE...`: parse scenarios, run nothing.
 *
 * Prints "FILE: ok (N statements)" for each file that parses.  The first
 * file that does not stops the command: its one-line error goes to stderr
 * and the exit code is FL_EXIT_USAGE, as for every input error.  "-" reads
 * standard input, named "<stdin>" in what is printed.
 */
#include <string.h>

#include <faultline/scenario.h>

#include "cli/cli.h"

/* FILE as given on the command line, cleaned of control characters. */
static void print_clean(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
}

static int check_one(const char *path)
{
	struct fl_scenario *sc;
	struct fl_sc_diag diag = { 0 };
	int err = fl_scenario_parse_file(path, &sc, &diag);

	if (err == -EINVAL || err == -ENOMEM) {
		fprintf(stderr, "%s\n", diag.msg);
		return err == -EINVAL ? FL_EXIT_USAGE : FL_EXIT_BUG;
	}
	if (err) {
		fputs("faultline: ", stderr);
		print_clean(stderr, path);
		fprintf(stderr, ": %s\n", strerror(-err));
		return FL_EXIT_USAGE;
	}
	print_clean(stdout, strcmp(path, "-") ? path : "<stdin>");
	printf(": ok (%u statements)\n", sc->nstmts);
	fl_scenario_free(sc);
	return FL_EXIT_OK;
}

int cmd_check(int argc, char **argv)
{
	int i, rc;

	if (argc < 2) {
		fl_cli_error("usage: faultline check FILE...");
		return FL_EXIT_USAGE;
	}
	for (i = 1; i < argc; i++)
		if ((rc = check_one(argv[i])))
			return rc;
	return FL_EXIT_OK;
}
