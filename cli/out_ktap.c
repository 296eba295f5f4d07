/*
 * cli/out_ktap.c - `faultline run --ktap`: KTAP version 1 as the kernel's
 * Documentation/dev-tools/ktap.rst specifies it and kunit_parser.py reads
 * it (checked by tests/cli/ktap_check.py):
 *
 *   KTAP version 1
 *   1..N                              one test per file
 *     KTAP version 1                  its subtests, indented two spaces:
 *     # Subtest: FILE
 *     1..K                            one per expectation that ran
 *     ok 1 line 11: expect ret 6
 *     # line 12: seen: ret 5          diagnostics BEFORE the result they explain
 *     not ok 2 line 12: expect ret 5
 *   # FILE: line 12: expectation failed: ret 5
 *   not ok 1 FILE
 *   ok 2 FILE2 # SKIP unsupported: ...          UNSUPPORTED
 *   not ok 3 FILE3 # ERROR line 2: ...          ERROR (the world cannot be set up)
 *   # Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:1
 *
 * Invariants: a test name holds no '#' (it would start the directive:
 * written "%23") and no control character ('?'); every "not ok" subtest
 * makes its file "not ok"; the totals count the top-level results.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"

/* S as a KTAP name or diagnostic: no '#' (NAME only), no control character. */
static void ktap_text(const char *s, bool name)
{
	for (; *s; s++) {
		if (name && *s == '#')
			fputs("%23", stdout);
		else
			putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
	}
}

void fl_ktap_begin(unsigned n)
{
	printf("KTAP version 1\n1..%u\n", n);
}

static unsigned expects_run(const struct fl_run *run)
{
	unsigned i, k = 0;

	for (i = 0; i < run->nsteps; i++)
		k += run->steps[i].is_expect;
	return k;
}

/* The subtest that stands for a file whose run stopped (SKIP or ERROR). */
static void ktap_stopped(const struct fl_run *run, unsigned k)
{
	bool skip = run->verdict == FL_VERDICT_UNSUPPORTED;

	printf("  %sok %u runs # %s ", skip ? "" : "not ", k, skip ? "SKIP" : "ERROR");
	ktap_text(run->reason, false);
	putchar('\n');
}

static void ktap_expect(const struct fl_run *run, const struct fl_step *s, unsigned k)
{
	char text[200];

	fl_step_text(run, s, text, sizeof(text));
	if (!s->held) {
		printf("  # line %u: seen: ", s->st->line);
		ktap_text(s->seen, false);
		putchar('\n');
	}
	printf("  %sok %u line %u: ", s->held ? "" : "not ", k, s->st->line);
	ktap_text(text, true);
	putchar('\n');
}

void fl_ktap_file(const struct fl_run *run, const char *file, unsigned n)
{
	bool stopped = run->verdict == FL_VERDICT_UNSUPPORTED || run->verdict == FL_VERDICT_ERROR;
	unsigned i, k = 0, nk = expects_run(run);
	const char *name = fl_cli_file_name(file);

	fputs("  KTAP version 1\n  # Subtest: ", stdout);
	ktap_text(name, true);
	printf("\n  1..%u\n", nk + (stopped || !nk));
	for (i = 0; i < run->nsteps; i++)
		if (run->steps[i].is_expect)
			ktap_expect(run, &run->steps[i], ++k);
	if (stopped)
		ktap_stopped(run, ++k);
	else if (!nk)
		printf("  ok 1 runs\n");
	if (run->verdict == FL_VERDICT_FAIL) {
		fputs("# ", stdout);
		ktap_text(name, false);
		fputs(": ", stdout);
		ktap_text(run->reason, false);
		putchar('\n');
	}
	printf("%sok %u ", run->verdict == FL_VERDICT_PASS ||
	       run->verdict == FL_VERDICT_UNSUPPORTED ? "" : "not ", n);
	ktap_text(name, true);
	if (stopped) {
		printf(" # %s ", run->verdict == FL_VERDICT_UNSUPPORTED ? "SKIP" : "ERROR");
		ktap_text(run->reason, false);
	}
	putchar('\n');
}

void fl_ktap_end(const unsigned *c)
{
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:%u error:%u\n",
	       c[FL_VERDICT_PASS], c[FL_VERDICT_FAIL], c[FL_VERDICT_UNSUPPORTED],
	       c[FL_VERDICT_ERROR]);
}
