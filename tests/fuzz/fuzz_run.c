/*
 * tests/fuzz/fuzz_run.c - libFuzzer harness over fl_scenario_run() on the
 * model backend: parser, runner, backend and the library below them.
 *
 * An input that parses is run once (each vary variable at its FROM value).
 * Any run must end without a crash, a leak, a sanitizer report or a hang,
 * and must keep run.h's promises: a verdict and a one-line reason, one step
 * per statement at most, and no PASS after an unsupported statement.
 *
 * Sizes: a scenario may ask for a 1 TiB copy, which the model would try to
 * allocate.  Such inputs say nothing about correctness, so an input is
 * skipped unless every number (constant terms plus the FROM of each vary
 * in it) is within +-1 MiB.  Addresses are not sizes and are not limited:
 * `mmap at=0xffff800000000000` and `buf-1p` are fair game.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/run.h>

#define FUZZ_MAX_NUM ((uint64_t)1 << 20)

static uint64_t magnitude(int64_t v)
{
	return v < 0 ? -(uint64_t)v : (uint64_t)v;
}

/* |E| can exceed FUZZ_MAX_NUM when its variables take their FROM values. */
static bool is_big(const struct fl_scenario *sc, const struct fl_sc_expr *e)
{
	uint64_t sum = magnitude((int64_t)e->off);
	unsigned i;

	for (i = 0; i < e->nvars; i++)
		sum += magnitude(sc->vars[e->vars[i].var].from);
	return sum > FUZZ_MAX_NUM;
}

static bool is_big_arg(const struct fl_scenario *sc, const struct fl_sc_arg *a)
{
	switch (a->kind) {
	case FL_SC_NUM:
	case FL_SC_SNUM:
		return is_big(sc, &a->u.expr);
	case FL_SC_IOVEC:
		return is_big(sc, &a->u.iov.len);
	default:
		return false;
	}
}

static bool is_big_stmt(const struct fl_scenario *sc, const struct fl_sc_stmt *st)
{
	unsigned i;

	for (i = 0; i < st->nargs; i++)
		if (is_big_arg(sc, &st->args[i]))
			return true;
	for (i = 0; i < st->nkeys; i++)
		if (is_big_arg(sc, &st->keys[i].arg))
			return true;
	return st->hooked && is_big_stmt(sc, st->hooked);
}

static bool is_too_big(const struct fl_scenario *sc)
{
	unsigned i;

	for (i = 0; i < sc->nvars; i++)
		if (magnitude(sc->vars[i].from) > FUZZ_MAX_NUM)
			return true;
	for (i = 0; i < sc->nstmts; i++)
		if (is_big_stmt(sc, &sc->stmts[i]))
			return true;
	return false;
}

/* run.h's invariants, and every step printable. */
static void check_run(const struct fl_run *run)
{
	char text[200];
	unsigned i;

	if ((unsigned)run->verdict > FL_VERDICT_ERROR || !run->reason[0] ||
	    strchr(run->reason, '\n') || run->nsteps > run->sc->nstmts) {
		fprintf(stderr, "bad run: verdict %d, %u steps, reason '%s'\n",
			run->verdict, run->nsteps, run->reason);
		abort();
	}
	for (i = 0; i < run->nsteps; i++) {
		fl_step_text(run, &run->steps[i], text, sizeof(text));
		if (run->steps[i].rc == -EOPNOTSUPP && run->verdict == FL_VERDICT_PASS) {
			fprintf(stderr, "PASS after unsupported line %u\n",
				run->steps[i].st->line);
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fl_scenario *sc;
	struct fl_sc_diag diag;
	struct fl_run *run;

	if (fl_scenario_parse("fuzz.fl", (const char *)data, size, &sc, &diag))
		return 0;
	if (is_too_big(sc)) {
		fl_scenario_free(sc);
		return -1;      /* libFuzzer: do not add to the corpus */
	}
	if (fl_scenario_run(sc, &fl_model_backend, NULL, &run) == 0) {
		check_run(run);
		fl_run_free(run);
	}
	fl_scenario_free(sc);
	return 0;
}
