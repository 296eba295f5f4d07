/*
 * explore/report.c - a case as a runnable scenario, and the smallest
 * scenario that still shows a class (statement minimisation).
 *
 * A case is printed as the scenario in canonical form with every vary line
 * pinned to the case's value (`vary off 48..48`): `faultline run` of that
 * text is the case, and `$off` still reads as written.
 *
 * Minimisation is delta debugging with granularity one: try dropping each
 * statement in turn (kernel, arch and vary lines stay); keep the drop when
 * the text still parses and the case's class is unchanged; repeat until a
 * whole pass drops nothing.  The parser rejects a candidate that drops a
 * name still used later, so no dependency analysis is needed here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/explore.h>

static bool is_fixed(const struct fl_sc_stmt *st)
{
	return st->verb == FL_SC_KERNEL || st->verb == FL_SC_ARCH ||
	       st->verb == FL_SC_VARY;
}

int fl_explore_print_case(FILE *f, const struct fl_scenario *sc,
			  const int64_t *vals, const bool *keep)
{
	unsigned i, v = 0;

	for (i = 0; i < sc->nstmts; i++) {
		const struct fl_sc_stmt *st = &sc->stmts[i];

		if (st->verb == FL_SC_VARY) {
			fprintf(f, "vary %s %lld..%lld\n",
				sc->names[sc->vars[v].name].text,
				(long long)vals[v], (long long)vals[v]);
			v++;
			continue;
		}
		if (keep && !keep[i])
			continue;
		fl_sc_stmt_print(f, sc, st);
		fputc('\n', f);
	}
	return ferror(f) ? -EIO : 0;
}

/* SC's case VALS with KEEP, parsed again: 0 and *OUT, or -errno. */
static int reparse(const struct fl_scenario *sc, const int64_t *vals,
		   const bool *keep, struct fl_scenario **out)
{
	struct fl_sc_diag diag;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int err;

	if (!f)
		return -ENOMEM;
	err = fl_explore_print_case(f, sc, vals, keep);
	if (fclose(f) && !err)
		err = -EIO;
	if (!err)
		err = fl_scenario_parse(sc->file, text, len, out, &diag);
	free(text);
	return err;
}

/* Does the case still come to CLS with KEEP? */
static bool still_shows(const struct fl_scenario *sc, const struct fl_backend_ops *ops,
			const int64_t *vals, const bool *keep, enum fl_class cls)
{
	struct fl_scenario *cand;
	enum fl_class got;
	char why[8];
	bool same;

	if (reparse(sc, vals, keep, &cand))
		return false;
	/* the candidate's vary lines are pinned: FROM is the case's value */
	same = !fl_explore_case(cand, ops, NULL, &got, why, sizeof(why), NULL) &&
	       got == cls;
	fl_scenario_free(cand);
	return same;
}

int fl_explore_minimise(const struct fl_scenario *sc, const struct fl_backend_ops *ops,
			const int64_t *vals, enum fl_class cls, bool *keep)
{
	bool dropped = true;
	unsigned i;

	for (i = 0; i < sc->nstmts; i++)
		keep[i] = true;
	while (dropped) {
		dropped = false;
		for (i = sc->nstmts; i-- > 0;) {
			if (!keep[i] || is_fixed(&sc->stmts[i]))
				continue;
			keep[i] = false;
			if (still_shows(sc, ops, vals, keep, cls))
				dropped = true;
			else
				keep[i] = true;
		}
	}
	return 0;
}
