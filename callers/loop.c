/*
 * callers/loop.c - the loop monitor: a kernel retry loop modelled here
 * reports the top of each iteration, and the monitor proves it endless
 * when a state repeats (include/faultline/livelock.h).
 *
 * Definitions
 *   state    XXH3-128 over (world hash, the loop's variables, the
 *            environment word): the complete input of the next iteration,
 *            since the model is deterministic.
 *   seen     an open-addressing table of the states of every iteration so
 *            far, with the iteration that first had each.
 *
 * Why every state is kept and not only a few (Floyd/Brent): a loop that
 * repeats does so within a handful of iterations here, and the two
 * iteration numbers of the first repetition are what the report names;
 * 100000 iterations cost 3 MiB.
 *
 * Invariants
 *   1. verdict LIVELOCK => the states of iterations `first` and `second`
 *      were equal (128-bit hashes; a false proof needs an XXH3-128
 *      collision).
 *   2. verdict NO_PROGRESS => iter > bound and no state repeated.
 *   3. Once verdict != RUNNING it never changes and fl_loop_stuck()
 *      returns true.
 *
 *   RUNNING --(state seen before)------> LIVELOCK      fl_loop_stuck
 *   RUNNING --(iter > bound)-----------> NO_PROGRESS   fl_loop_stuck
 *   RUNNING --(out of memory)----------> ERROR         fl_loop_stuck
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include <faultline/livelock.h>

struct fl_loop_seen {
	struct fl_state_hash h;
	unsigned long iter;             /* 0: empty slot */
};

const char *fl_loop_verdict_name(enum fl_loop_verdict v)
{
	static const char *const names[] = { "running", "livelock", "no-progress", "error" };

	return (unsigned)v < 4 ? names[v] : "?";
}

void fl_loop_init(struct fl_loop *l, struct fl_world *w, const char *name)
{
	memset(l, 0, sizeof(*l));
	l->w = w;
	l->name = name;
	l->bound = FL_LOOP_DEFAULT_BOUND;
}

void fl_loop_set_bound(struct fl_loop *l, unsigned long bound)
{
	l->bound = bound;
}

void fl_loop_set_env(struct fl_loop *l, fl_loop_env_fn fn, void *arg)
{
	l->env = fn;
	l->env_arg = arg;
}

void fl_loop_fini(struct fl_loop *l)
{
	free(l->seen);
	l->seen = NULL;
	l->cap = l->used = 0;
}

static size_t seen_slot(size_t cap, const struct fl_state_hash *h)
{
	return (size_t)h->lo & (cap - 1);
}

static int seen_grow(struct fl_loop *l)
{
	size_t cap = l->cap ? l->cap * 2 : 64, i, j;
	struct fl_loop_seen *n = calloc(cap, sizeof(*n));

	if (!n)
		return -ENOMEM;
	for (i = 0; i < l->cap; i++) {
		if (!l->seen[i].iter)
			continue;
		for (j = seen_slot(cap, &l->seen[i].h); n[j].iter; j = (j + 1) & (cap - 1))
			;
		n[j] = l->seen[i];
	}
	free(l->seen);
	l->seen = n;
	l->cap = cap;
	return 0;
}

/*
 * Record state H of iteration l->iter; return the iteration that had it
 * before, 0 if none, or -ENOMEM (as a negative long).
 */
static long seen_insert(struct fl_loop *l, const struct fl_state_hash *h)
{
	size_t i;

	if (2 * (l->used + 1) > l->cap && seen_grow(l))
		return -ENOMEM;
	for (i = seen_slot(l->cap, h); l->seen[i].iter; i = (i + 1) & (l->cap - 1))
		if (fl_state_hash_eq(&l->seen[i].h, h))
			return (long)l->seen[i].iter;
	l->seen[i].h = *h;
	l->seen[i].iter = l->iter;
	l->used++;
	return 0;
}

/* The loop state: world hash, variables, environment, in one XXH3-128. */
static int loop_state(struct fl_loop *l, const uint64_t *vars, unsigned nvars,
		      struct fl_state_hash *out)
{
	uint64_t buf[2 + 1 + 1 + FL_LOOP_MAX_VARS];
	struct fl_state_hash wh;
	XXH128_hash_t d;
	unsigned i, n = 0;
	int ret = fl_world_hash(l->w, &wh);

	if (ret)
		return ret;
	buf[n++] = wh.lo;
	buf[n++] = wh.hi;
	buf[n++] = l->env ? l->env(l->env_arg) : 0;
	buf[n++] = nvars;
	for (i = 0; i < nvars; i++)
		buf[n++] = vars[i];
	d = XXH3_128bits(buf, n * sizeof(buf[0]));
	out->lo = d.low64;
	out->hi = d.high64;
	return 0;
}

char *fl_loop_describe(const struct fl_loop *l, char *buf, size_t len)
{
	switch (l->verdict) {
	case FL_LOOP_LIVELOCK:
		snprintf(buf, len, "livelock: %s iterations %lu and %lu are the "
			 "same state (cycle %lu)", l->name, l->first, l->second,
			 l->second - l->first);
		break;
	case FL_LOOP_NO_PROGRESS:
		snprintf(buf, len, "no-progress: %s passed its bound of %lu "
			 "iterations, every state new", l->name, l->bound);
		break;
	case FL_LOOP_ERROR:
		snprintf(buf, len, "error: %s monitor out of memory at "
			 "iteration %lu", l->name, l->iter);
		break;
	default:
		snprintf(buf, len, "%s: %lu iterations", l->name, l->iter);
		break;
	}
	return buf;
}

static bool loop_stop(struct fl_loop *l, enum fl_loop_verdict v)
{
	char line[160];

	l->verdict = v;
	fl_trace(l->w, "%s", fl_loop_describe(l, line, sizeof(line)));
	return true;
}

bool fl_loop_stuck(struct fl_loop *l, const uint64_t *vars, unsigned nvars)
{
	struct fl_state_hash h;
	long before;

	if (l->verdict != FL_LOOP_RUNNING)
		return true;
	if (nvars > FL_LOOP_MAX_VARS)
		nvars = FL_LOOP_MAX_VARS;
	l->iter++;
	if (loop_state(l, vars, nvars, &h))
		return loop_stop(l, FL_LOOP_ERROR);
	before = seen_insert(l, &h);
	if (before < 0)
		return loop_stop(l, FL_LOOP_ERROR);
	if (before > 0) {
		l->first = (unsigned long)before;
		l->second = l->iter;
		return loop_stop(l, FL_LOOP_LIVELOCK);
	}
	if (l->iter > l->bound)
		return loop_stop(l, FL_LOOP_NO_PROGRESS);
	return false;
}
