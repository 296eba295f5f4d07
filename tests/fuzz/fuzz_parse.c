/*
 * tests/fuzz/fuzz_parse.c - libFuzzer harness over fl_scenario_parse().
 *
 * Any input must parse or fail with one message, without a crash, a leak
 * or a sanitizer report.  An input that parses must also round-trip: its
 * canonical print parses, and prints identically (scenario/ast.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/scenario.h>

static char *print(const struct fl_scenario *sc, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (!f)
		abort();
	fl_scenario_print(f, sc);
	fclose(f);
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fl_scenario *sc, *again;
	struct fl_sc_diag diag;
	char *once, *twice;
	size_t n1, n2;

	if (fl_scenario_parse("fuzz.fl", (const char *)data, size, &sc, &diag)) {
		if (!memchr(diag.msg, '\0', sizeof(diag.msg)) || strchr(diag.msg, '\n'))
			abort();   /* one line, always terminated */
		return 0;
	}
	once = print(sc, &n1);
	if (fl_scenario_parse("print.fl", once, n1, &again, &diag)) {
		fprintf(stderr, "canonical form does not parse: %s\n%s", diag.msg, once);
		abort();
	}
	twice = print(again, &n2);
	if (n1 != n2 || memcmp(once, twice, n1)) {
		fprintf(stderr, "print is not stable:\n%s---\n%s", once, twice);
		abort();
	}
	free(once);
	free(twice);
	fl_scenario_free(again);
	fl_scenario_free(sc);
	return 0;
}
