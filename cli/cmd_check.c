/*
 * cli/cmd_check.c - `faultline check FILE...`: parse scenarios, run nothing.
 *
 * Prints "FILE: ok (N statements)" for each file that parses (its
 * statements and its table lines, cli/gallery.c).  The first
 * file that does not stops the command: its one-line error goes to stderr
 * and the exit code is FL_EXIT_USAGE, as for every input error.  "-" reads
 * standard input, named "<stdin>" in what is printed.
 */
#include <string.h>

#include <faultline/scenario.h>

#include "cli/gallery.h"

static int check_one(const char *path)
{
	struct fl_scenario *sc;
	struct fl_sc_diag diag = { 0 };
	struct gallery_header h;
	char err[400];
	int e = fl_cli_parse_file(path, &sc, &diag);

	if (e == -EINVAL || e == -ENOMEM) {
		fl_cli_diag(diag.msg);
		return e == -EINVAL ? FL_EXIT_USAGE : FL_EXIT_BUG;
	}
	if (e) {
		fl_cli_error("%s: %s", fl_cli_file_name(path), strerror(-e));
		return FL_EXIT_USAGE;
	}
	e = gallery_header_read(path, &h, err, sizeof(err));
	if (e) {
		if (e == -EINVAL)
			fl_cli_diag(err);
		else
			fl_cli_error("%s: %s", path, strerror(-e));
		fl_scenario_free(sc);
		return FL_EXIT_USAGE;
	}
	fl_cli_puts_clean(stdout, fl_cli_file_name(path));
	printf(": ok (%u statements)\n", sc->nstmts);
	fl_scenario_free(sc);
	return FL_EXIT_OK;
}

static int check_set(void *ctx, int key, const char *arg)
{
	(void)ctx, (void)key, (void)arg;
	return FL_EXIT_OK;
}

static const struct fl_cmd_spec check_spec = {
	"check", "FILE...",
	"Parse scenarios ('-' is standard input) and their table lines; run nothing.",
	NULL, check_set,
};

int cmd_check(int argc, char **argv)
{
	int i, first, rc;

	rc = fl_cli_parse(&check_spec, argc, argv, NULL, &first);
	if (rc)
		return fl_cli_parsed(rc);
	if (first == argc) {
		fl_cli_error("check: no scenario file given; see 'faultline check --help'");
		return FL_EXIT_USAGE;
	}
	for (i = first; i < argc; i++)
		if ((rc = check_one(argv[i])))
			return rc;
	return FL_EXIT_OK;
}
