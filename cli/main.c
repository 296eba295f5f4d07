/*
 * cli/main.c - `faultline COMMAND [ARGS]`: dispatch from a table, as git does;
 * the helpers every command shares for what it prints.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct fl_cmd commands[] = {
	{ "run",       cmd_run,       "run [OPTIONS] FILE...        run scenarios on the model or the running kernel" },
	{ "diff",      cmd_diff,      "diff [OPTIONS] FILE...       run on the model and the running kernel, compare" },
	{ "explore",   cmd_explore,   "explore [OPTIONS] FILE       every case of a scenario's vary space" },
	{ "merge",     cmd_merge,     "merge [OPTIONS] RESULT.json...   combine the JSON results of explore shards" },
	{ "check",     cmd_check,     "check FILE...                parse scenarios without running them" },
	{ "eras",      cmd_eras,      "eras [OPTIONS] [NAME]        the era table: every version-dependent rule" },
	{ "exactness", cmd_exactness, "exactness [OPTIONS]          usercopy exactness by architecture (Rutland matrix), or on a real kernel" },
	{ "bench",     cmd_bench,     "bench copy|vma|explore|matrix [OPTIONS]   measure the model" },
	{ "kernels",   cmd_kernels,   "kernels fetch|list|boot|agent   Debian kernels under QEMU as judges (docs/vm.md)" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

const char *fl_cli_clean(const char *s, char *buf, size_t len)
{
	size_t i;

	if (!len)
		return buf;
	for (i = 0; s[i] && i + 1 < len; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

void fl_cli_puts_clean(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
}

const char *fl_cli_file_name(const char *file)
{
	return strcmp(file, "-") ? file : "<stdin>";
}

int fl_cli_stdin_text(const char **text, size_t *len)
{
	static char *buf;       /* kept for the whole command: a pipe reads once */
	static size_t n;
	static int err = 1;     /* 1: not read yet */

	if (err == 1)
		err = fl_scenario_read(stdin, &buf, &n);
	*text = buf;
	*len = n;
	return err;
}

int fl_cli_parse_file(const char *path, struct fl_scenario **sc, struct fl_sc_diag *diag)
{
	const char *text;
	size_t len;
	int err;

	if (strcmp(path, "-"))
		return fl_scenario_parse_file(path, sc, diag);
	*sc = NULL;
	err = fl_cli_stdin_text(&text, &len);
	return err ? err : fl_scenario_parse("<stdin>", text, len, sc, diag);
}

void fl_cli_error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fputs("faultline: ", stderr);
	fl_cli_puts_clean(stderr, msg);
	fputc('\n', stderr);
}

void fl_cli_diag(const char *msg)
{
	fl_cli_puts_clean(stderr, msg);
	fputc('\n', stderr);
}

int fl_cli_exit(uint64_t pass, uint64_t fail, uint64_t skip)
{
	if (fail)
		return FL_EXIT_FAIL;
	if (!pass && skip)
		return FL_EXIT_UNSUPPORTED;
	return FL_EXIT_OK;
}

static void usage(FILE *out)
{
	size_t i;

	fputs("usage: faultline COMMAND [ARGS]\n"
	      "       faultline --help | --version\n\ncommands:\n", out);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %s\n", commands[i].usage);
	fputs("\n'faultline COMMAND --help' lists a command's options; man faultline.\n"
	      "\nexit codes (every command):\n"
	      "  0 success (skips counted)   1 a check failed   2 usage or input error\n"
	      "  3 everything skipped (unsupported)   4 internal or output error\n", out);
}

/*
 * Output is checked before exit, as git does: a full disk or a closed
 * stdout is an error of its own (4), never "a check failed" (1).
 */
static int finish(int rc)
{
	if (fflush(stdout) || ferror(stdout)) {
		fl_cli_error("error writing standard output: %s", strerror(errno));
		return FL_EXIT_BUG;
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
	if (!strcmp(argv[1], "--version")) {
		printf("faultline %s\n", FL_VERSION);
		return finish(FL_EXIT_OK);
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return finish(commands[i].fn(argc - 1, argv + 1));
	fl_cli_error("'%s' is not a command; see 'faultline --help'", argv[1]);
	return FL_EXIT_USAGE;
}
