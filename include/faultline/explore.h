/*
 * faultline/explore.h - exploring a scenario's vary space: every case (or a
 * seeded sample, or a shard), each run on the model from one snapshot,
 * judged by its expect lines and the built-in properties, classed, and
 * summed up (docs/explore.md is the user's description).
 *
 * Definitions
 *   space    the cartesian product of the vary variables, in declared
 *            order.  The first variable varies slowest, the last fastest.
 *   case n   the n-th point of the space in that order, n in [0, ncases).
 *            Variable i's value is from_i + step_i * digit_i, where the
 *            digits are n written in the mixed radix of the counts.  So
 *            case order is lexicographic order on the values, and the
 *            smallest case of a class is the one with the smallest number.
 *   class    what a case came to: pass, expect-failed, a property that
 *            broke (livelock, no-progress, over-report, write-outside, leak,
 *            uffd-inconsistent), unsupported, error; `differ` only under
 *            --diff.  A case has exactly one class (fl_case_class()).
 *   shard    I/N: the cases k with k % N == I.
 *
 * Invariants
 *   1. The class of case n depends only on the scenario and n: not on the
 *      number of workers, the shard, nor the other cases run.
 *   2. An exploration's cases are in increasing case-number order.
 *   3. fl_space_values(n) for n < ncases gives every variable a value in
 *      [from, to]; distinct n give distinct value tuples.
 */
#ifndef FAULTLINE_EXPLORE_H
#define FAULTLINE_EXPLORE_H

#include <stdio.h>
#include <faultline/run.h>

FL_API_BEGIN

/* ---- the space (explore/space.c) ---- */

struct fl_space {
	const struct fl_scenario *sc;
	unsigned nvars;
	uint64_t *count;        /* values of variable i */
	uint64_t ncases;        /* product of the counts (1 without vary) */
};

/* 0, -EOVERFLOW (more than FL_SC_MAX_CASES cases) or -ENOMEM. */
int fl_space_init(struct fl_space *s, const struct fl_scenario *sc);
void fl_space_fini(struct fl_space *s);
/* The values of case N (N < ncases): one per variable, into VALS. */
void fl_space_values(const struct fl_space *s, uint64_t n, int64_t *vals);
/* The value variable V takes at index I of its range. */
int64_t fl_space_value(const struct fl_space *s, unsigned v, uint64_t i);

/* splitmix64 (Steele, Lea, Flood 2014): the next value of *STATE. */
uint64_t fl_splitmix64(uint64_t *state);

/*
 * N distinct case numbers drawn with seed SEED, in increasing order (all
 * of them if N >= ncases).  0 and *OUT (free()) with *NOUT, or -ENOMEM.
 */
int fl_space_sample(const struct fl_space *s, uint64_t n, uint64_t seed,
		    uint64_t **out, uint64_t *nout);

/* ---- classes and properties (explore/property.c) ---- */

enum fl_class {
	FL_CLASS_PASS,
	FL_CLASS_EXPECT_FAILED,
	FL_CLASS_LIVELOCK,          /* a loop repeated a world state */
	FL_CLASS_NO_PROGRESS,       /* a loop passed its bound, no repeat */
	FL_CLASS_OVER_REPORT,       /* more bytes reported copied than were */
	FL_CLASS_WRITE_OUTSIDE,     /* read() changed bytes outside [buf, buf+ret) */
	FL_CLASS_LEAK,              /* another process's private bytes seen */
	FL_CLASS_UFFD_INCONSISTENT, /* ret, errno and copy disagree */
	FL_CLASS_DIFFER,            /* --diff: model and host disagree */
	FL_CLASS_UNSUPPORTED,
	FL_CLASS_ERROR,
	FL_CLASS_COUNT
};

const char *fl_class_name(enum fl_class c);
/* The class named NAME, or -ENOENT. */
int fl_class_lookup(const char *name);
/* One character for the terminal heatmap ('.' for pass). */
char fl_class_glyph(enum fl_class c);
/* "#rrggbb" for the SVG heatmap. */
const char *fl_class_colour(enum fl_class c);

/*
 * The properties' state during one run: a watcher (fl_props_watch()) fills
 * it statement by statement; the first violation found is kept.
 */
struct fl_props {
	enum fl_class found;        /* FL_CLASS_PASS: none so far */
	unsigned line;              /* the statement that broke it */
	char why[200];
	/* read()/pread(): the window around the buffer, captured before */
	fl_addr_t win_addr;
	size_t win_len;
	uint8_t *win;
	bool *win_ok;               /* by byte: could be read before */
	size_t win_cap;
};

void fl_props_reset(struct fl_props *p);
void fl_props_fini(struct fl_props *p);
/* A watcher for fl_prefix_run()/fl_prefix_case() that records into P. */
void fl_props_watch(struct fl_props *p, struct fl_run_watch *w);
/*
 * The class of RUN whose properties (of the prefix and of the case) are
 * PRE and P (either may be NULL); WHY gets one line (none if LEN is 0).  Order: error,
 * unsupported, the first property broken (the prefix's first), a failed
 * expectation, pass.  A livelock, no-progress or leak outcome that a held
 * `expect outcome` / `expect one-of` of its statement allows is no
 * violation: the file said so.
 */
enum fl_class fl_case_class(const struct fl_run *run, const struct fl_props *pre,
			    const struct fl_props *p, char *why, size_t len);

/* ---- the exploration (explore/explore.c) ---- */

struct fl_explore_opts {
	unsigned jobs;              /* worker threads; 0: every core */
	unsigned shard, nshards;    /* nshards 0 or 1: every case */
	bool random;                /* sample_n cases drawn with seed */
	uint64_t sample_n, seed;
	unsigned flags;             /* FL_RUN_NO_TRACE */
};

/*
 * The most cases one exploration runs.  It keeps a case number and a
 * class for each, 9 bytes: 2^27 cases are 1.1 GiB of bookkeeping (and, at
 * the model's 10^5 cases a second, hours of work).  A larger space is
 * explored by --random N or in shards.
 */
#define FL_EXPLORE_MAX_CASES (UINT64_C(1) << 27)

/*
 * Whether exploring SC with O runs at most FL_EXPLORE_MAX_CASES cases: 0,
 * or -E2BIG with *VAR the vary variable (index into sc->vars) with which
 * the cases to run pass the limit, or -1 when --random asks for more.
 * fl_explore_run() refuses what this refuses.
 */
int fl_explore_fits(const struct fl_scenario *sc, const struct fl_explore_opts *o, int *var);

struct fl_explore {
	const struct fl_scenario *sc;
	struct fl_space space;
	uint64_t ncases;            /* cases run */
	uint64_t *cases;            /* their numbers, increasing */
	uint8_t *cls;               /* their classes */
	uint64_t counts[FL_CLASS_COUNT];
	unsigned prefix_len;        /* statements run once, before the split */
	double seconds;             /* wall time of the runs */
};

/*
 * Explore SC on OPS as O says.  0 and *E (fl_explore_fini()), or -errno:
 * -EOVERFLOW (space too large to enumerate: sample it), -ENOMEM, -EAGAIN
 * (no thread could start).
 */
int fl_explore_run(const struct fl_scenario *sc, const struct fl_backend_ops *ops,
		   const struct fl_explore_opts *o, struct fl_explore *e);
void fl_explore_fini(struct fl_explore *e);
/* Recount e->counts from e->cls (after a merge). */
void fl_explore_count(struct fl_explore *e);
/* The smallest case of class C, or UINT64_MAX if none. */
uint64_t fl_explore_smallest(const struct fl_explore *e, enum fl_class c);

/*
 * Case N of SC, run whole on OPS with the properties: its class, WHY and,
 * if RUN is not NULL, the run (fl_run_free()).  0 or -errno.
 */
int fl_explore_case(const struct fl_scenario *sc, const struct fl_backend_ops *ops,
		    const int64_t *vals, enum fl_class *cls, char *why, size_t len,
		    struct fl_run **run);

/* ---- reports (explore/report.c, explore/heatmap.c) ---- */

/*
 * SC as a runnable scenario of the case with values VALS: every statement
 * in canonical form, each vary line pinned to its value (`vary x 5..5`),
 * the statements whose bit is clear in KEEP (NULL: all kept) left out.
 */
int fl_explore_print_case(FILE *f, const struct fl_scenario *sc,
			  const int64_t *vals, const bool *keep);

/*
 * Drop statements of SC's case VALS while its class stays CLS, one at a
 * time until none can go (delta debugging with granularity one).  A
 * candidate that no longer parses (a dropped declaration) is skipped;
 * kernel, arch and vary lines stay.  KEEP (nstmts) gets the result.
 * 0 or -errno.
 */
int fl_explore_minimise(const struct fl_scenario *sc, const struct fl_backend_ops *ops,
			const int64_t *vals, enum fl_class cls, bool *keep);

/* A terminal heatmap over the first two variables; -E2BIG if too large. */
int fl_explore_heatmap(FILE *f, const struct fl_explore *e);
/* An SVG heatmap over the first two variables, titled TITLE. */
int fl_explore_svg(FILE *f, const struct fl_explore *e, const char *title);

FL_API_END
#endif
