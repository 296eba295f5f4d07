/*
 * cli/opts.c - every command's options through one getopt_long() loop, so
 * all of them behave as a Unix user expects (docs/faultline.1, OPTIONS):
 *
 *   - options may come before or after the files (GNU argument permutation);
 *   - `--opt=val` and `--opt val` are the same, as are `-j4` and `-j 4`;
 *   - `--` ends the options; `-` alone is an operand (standard input);
 *   - `-h`/`--help` prints the command's usage and options on stdout, exit 0;
 *     `--version` prints "faultline VERSION", exit 0;
 *   - an unknown option, a missing value, or a value out of range is one
 *     line naming the command, the option and what is allowed; exit 2.
 *
 * Why one loop: each command used to walk argv by hand, each a little
 * differently (issue 13).  The help text is printed from the same table
 * the parser reads, so `--help` cannot list an option the parser does not
 * take; tests/cli/options.sh checks that docs/faultline.1 lists them too.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define FL_CLI_MAX_OPTS 32

enum { KEY_HELP = 'h', KEY_VERSION = 0x7f00 };

static void print_opt(FILE *out, const struct fl_opt *o)
{
	char left[64];
	int n = 0;

	if (o->key > 0 && o->key < 0x80)
		n = snprintf(left, sizeof(left), "-%c, ", o->key);
	else
		n = snprintf(left, sizeof(left), "    ");
	snprintf(left + n, sizeof(left) - (size_t)n, "--%s%s%s", o->name,
		 o->arg ? "=" : "", o->arg ? o->arg : "");
	fprintf(out, "  %-26s %s\n", left, o->help);
}

void fl_cli_usage(FILE *out, const struct fl_cmd_spec *s)
{
	static const struct fl_opt common[] = {
		{ "help", KEY_HELP, NULL, "print this help and exit" },
		{ "version", KEY_VERSION, NULL, "print the version and exit" },
	};
	const struct fl_opt *o;

	fprintf(out, "usage: faultline %s%s%s\n%s\n\noptions:\n", s->name,
		s->synopsis[0] ? " " : "", s->synopsis, s->about);
	for (o = s->opts; o && o->name; o++)
		print_opt(out, o);
	print_opt(out, &common[0]);
	print_opt(out, &common[1]);
	fputs("\nexit: 0 success (skips counted), 1 a check failed, 2 usage or input error,\n"
	      "      3 everything skipped (unsupported), 4 internal or output error\n", out);
}

/* The short-option string and long-option table of S, with help and version. */
static void build(const struct fl_cmd_spec *s, struct option *lo, char *so)
{
	const struct fl_opt *o;
	size_t n = 0, k = 0;

	so[k++] = ':';          /* a missing value is ':' not '?' */
	for (o = s->opts; o && o->name && n < FL_CLI_MAX_OPTS; o++, n++) {
		lo[n] = (struct option){ o->name, o->arg ? required_argument : no_argument,
					 NULL, o->key };
		if (o->key > 0 && o->key < 0x80) {
			so[k++] = (char)o->key;
			if (o->arg)
				so[k++] = ':';
		}
	}
	lo[n++] = (struct option){ "help", no_argument, NULL, KEY_HELP };
	lo[n++] = (struct option){ "version", no_argument, NULL, KEY_VERSION };
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
	so[k++] = 'h';
	so[k] = '\0';
}

/*
 * What the user typed for the option that failed: "-x" for an unknown short
 * option (getopt sets optopt), else the argument before optind, cut at '='
 * ("--frob", "--case" of "--case" at the end, "-j" of a bare "-j").
 */
static void typed(char **argv, int idx, int c, char *buf, size_t len)
{
	if (c && c < 0x80)
		snprintf(buf, len, "-%c", c);
	else if (idx >= 1)
		snprintf(buf, len, "%.*s", (int)strcspn(argv[idx - 1], "="), argv[idx - 1]);
	else
		snprintf(buf, len, "?");
}

int fl_cli_parse(const struct fl_cmd_spec *s, int argc, char **argv, void *ctx,
		 int *first)
{
	struct option lo[FL_CLI_MAX_OPTS + 3];
	char so[2 * FL_CLI_MAX_OPTS + 4], opt[64];
	int c, rc;

	build(s, lo, so);
	opterr = 0;
	optind = 0;             /* glibc: start afresh (bench parses twice) */
	while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		switch (c) {
		case KEY_HELP:
			fl_cli_usage(stdout, s);
			return FL_CLI_DONE;
		case KEY_VERSION:
			printf("faultline %s\n", FL_VERSION);
			return FL_CLI_DONE;
		case '?':
			typed(argv, optind, optopt, opt, sizeof(opt));
			fl_cli_error("%s: unknown option '%s'; see 'faultline %s --help'",
				     s->name, opt, s->name);
			return FL_EXIT_USAGE;
		case ':':
			typed(argv, optind, 0, opt, sizeof(opt));
			fl_cli_error("%s: option '%s' needs a value; see 'faultline %s --help'",
				     s->name, opt, s->name);
			return FL_EXIT_USAGE;
		default:
			rc = s->set(ctx, c, optarg);
			if (rc)
				return rc;
		}
	}
	*first = optind;
	return FL_EXIT_OK;
}

int fl_cli_u64(const char *cmd, const char *opt, const char *arg, uint64_t min,
	       uint64_t max, uint64_t *v)
{
	char *end;

	errno = 0;
	if (arg && *arg && *arg != '-' && *arg != '+' && *arg != ' ') {
		*v = strtoull(arg, &end, 0);
		if (!*end && !errno && *v >= min && *v <= max)
			return FL_EXIT_OK;
	}
	fl_cli_error("%s: %s '%s': expected a whole number from %llu to %llu", cmd, opt,
		     arg ? arg : "", (unsigned long long)min, (unsigned long long)max);
	return FL_EXIT_USAGE;
}

int fl_cli_conflict(const char *cmd, const char **slot, const char *opt)
{
	if (*slot && strcmp(*slot, opt)) {
		fl_cli_error("%s: %s and %s cannot be used together", cmd, *slot, opt);
		return FL_EXIT_USAGE;
	}
	*slot = opt;
	return FL_EXIT_OK;
}

int fl_cli_parse_no_operand(const struct fl_cmd_spec *s, int argc, char **argv, void *ctx)
{
	int first, rc = fl_cli_parse(s, argc, argv, ctx, &first);

	if (!rc && first < argc) {
		fl_cli_error("%s: takes no operand ('%s'); see 'faultline %s --help'",
			     s->name, argv[first], s->name);
		rc = FL_EXIT_USAGE;
	}
	return rc;
}
