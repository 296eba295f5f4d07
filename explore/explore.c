/*
 * explore/explore.c - run the cases of a scenario's vary space on worker
 * threads, each case from the snapshot taken at the split.
 *
 * Each worker opens its own backend and world (fl_prefix_open): the
 * prefix runs once per worker, then case after case is restored and run.
 * The syntax tree is shared read-only.  Workers take chunks of CHUNK case
 * indices from one atomic counter and write each case's class at its
 * index, so the result is the same whatever the number of workers
 * (invariant 1 of explore.h): nothing a case computes depends on which
 * worker ran it or on the cases before it, since every case starts from
 * the same snapshot.
 *
 *   case index i ──> case number: the sample's i-th, or shard + i * nshards
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <faultline/explore.h>

#define CHUNK 64
#define MAX_JOBS 256

struct job {
	const struct fl_scenario *sc;
	const struct fl_backend_ops *ops;
	const struct fl_explore_opts *o;
	struct fl_explore *e;
	unsigned split;
	atomic_uint_fast64_t next;
	atomic_int err;
};

/* One worker's cases, until the counter passes the end or a run fails. */
static int worker_loop(struct job *j, struct fl_prefix *p, struct fl_props *pre,
		       int64_t *vals)
{
	struct fl_props props = { 0 };
	struct fl_run_watch w;
	int err = 0;

	fl_props_watch(&props, &w);
	while (!err && !atomic_load(&j->err)) {
		uint64_t i = atomic_fetch_add(&j->next, CHUNK), end = i + CHUNK;

		if (i >= j->e->ncases)
			break;
		if (end > j->e->ncases)
			end = j->e->ncases;
		for (; i < end && !err; i++) {
			const struct fl_run *run;

			fl_space_values(&j->e->space, j->e->cases[i], vals);
			fl_props_reset(&props);
			err = fl_prefix_case(p, vals, &w, &run);
			if (err)
				break;
			/* only the class is kept: no reason line is made */
			j->e->cls[i] = (uint8_t)fl_case_class(run, pre, &props, NULL, 0);
		}
	}
	fl_props_fini(&props);
	return err;
}

static void *worker(void *arg)
{
	struct job *j = arg;
	struct fl_props pre = { 0 };
	struct fl_run_watch w;
	struct fl_prefix *p = NULL;
	int64_t *vals = calloc(j->sc->nvars + 1, sizeof(*vals));
	int err = vals ? 0 : -ENOMEM;

	fl_props_reset(&pre);
	fl_props_watch(&pre, &w);
	if (!err)
		err = fl_prefix_open(j->sc, j->ops, j->split, j->o->flags, &w, &p);
	if (!err)
		err = worker_loop(j, p, &pre, vals);
	if (err)
		atomic_store(&j->err, err);
	fl_prefix_close(p);
	fl_props_fini(&pre);
	free(vals);
	return NULL;
}

/* The case numbers this exploration runs, into e->cases. */
static int choose_cases(struct fl_explore *e, const struct fl_explore_opts *o)
{
	uint64_t i, n = e->space.ncases;

	if (o->random)
		return fl_space_sample(&e->space, o->sample_n, o->seed, &e->cases, &e->ncases);
	if (o->nshards > 1)
		n = e->space.ncases > o->shard ?
		    (e->space.ncases - o->shard + o->nshards - 1) / o->nshards : 0;
	e->cases = malloc((size_t)(n ? n : 1) * sizeof(*e->cases));
	if (!e->cases)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		e->cases[i] = o->nshards > 1 ? o->shard + i * o->nshards : i;
	e->ncases = n;
	return 0;
}

/* A sample is sharded after it is drawn: keep the shard's numbers. */
static void shard_sample(struct fl_explore *e, const struct fl_explore_opts *o)
{
	uint64_t i, k = 0;

	if (!o->random || o->nshards < 2)
		return;
	for (i = 0; i < e->ncases; i++)
		if (e->cases[i] % o->nshards == o->shard)
			e->cases[k++] = e->cases[i];
	e->ncases = k;
}

static unsigned job_count(const struct fl_explore_opts *o, uint64_t ncases)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t n = o->jobs ? o->jobs : (cores > 0 ? (unsigned)cores : 1);
	uint64_t chunks = (ncases + CHUNK - 1) / CHUNK;

	if (n > chunks)
		n = chunks ? chunks : 1;
	return n > MAX_JOBS ? MAX_JOBS : (unsigned)n;
}

static double now_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int run_workers(struct job *j, unsigned n)
{
	pthread_t tid[MAX_JOBS];
	unsigned i, started = 0;

	for (i = 0; i < n; i++)
		if (!pthread_create(&tid[i], NULL, worker, j))
			started++;
		else
			break;
	if (!started)
		return -EAGAIN;
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	/* threads that did not start leave their chunks to the others */
	return atomic_load(&j->err);
}

/*
 * A shard I/N runs about one case in N: the cases of the first K
 * variables' sub-space it runs pass the limit when that sub-space has
 * more than FL_EXPLORE_MAX_CASES * N (at most 2^27 * 2^32: no overflow).
 */
int fl_explore_fits(const struct fl_scenario *sc, const struct fl_explore_opts *o, int *var)
{
	uint64_t cap = FL_EXPLORE_MAX_CASES * (o->nshards > 1 ? o->nshards : 1);
	uint64_t cases = 1, n;
	unsigned i;

	*var = -1;
	if (o->random)
		return o->sample_n > FL_EXPLORE_MAX_CASES ? -E2BIG : 0;
	for (i = 0; i < sc->nvars; i++) {
		n = fl_sc_var_count(&sc->vars[i]);
		if (n && cases > cap / n) {
			*var = (int)i;
			return -E2BIG;
		}
		cases *= n;
	}
	return 0;
}

int fl_explore_run(const struct fl_scenario *sc, const struct fl_backend_ops *ops,
		   const struct fl_explore_opts *o, struct fl_explore *e)
{
	struct job j = { .sc = sc, .ops = ops, .o = o, .e = e };
	double t0;
	int err, var;

	memset(e, 0, sizeof(*e));
	e->sc = sc;
	err = fl_explore_fits(sc, o, &var);
	if (!err)
		err = fl_space_init(&e->space, sc);
	if (err)
		return err;
	err = choose_cases(e, o);
	if (err)
		goto out_fini;
	shard_sample(e, o);
	e->cls = calloc((size_t)(e->ncases ? e->ncases : 1), 1);
	if (!e->cls) {
		err = -ENOMEM;
		goto out_fini;
	}
	j.split = fl_scenario_split(sc);
	e->prefix_len = j.split;
	atomic_init(&j.next, 0);
	atomic_init(&j.err, 0);
	t0 = now_seconds();
	if (e->ncases)
		err = run_workers(&j, job_count(o, e->ncases));
	e->seconds = now_seconds() - t0;
	if (err)
		goto out_fini;
	fl_explore_count(e);
	return 0;
out_fini:
	fl_explore_fini(e);
	return err;
}

void fl_explore_fini(struct fl_explore *e)
{
	fl_space_fini(&e->space);
	free(e->cases);
	free(e->cls);
	e->cases = NULL;
	e->cls = NULL;
	e->ncases = 0;
}

void fl_explore_count(struct fl_explore *e)
{
	uint64_t i;

	memset(e->counts, 0, sizeof(e->counts));
	for (i = 0; i < e->ncases; i++)
		e->counts[e->cls[i] < FL_CLASS_COUNT ? e->cls[i] : FL_CLASS_ERROR]++;
}

uint64_t fl_explore_smallest(const struct fl_explore *e, enum fl_class c)
{
	uint64_t i;

	for (i = 0; i < e->ncases; i++)         /* cases are in increasing order */
		if (e->cls[i] == c)
			return e->cases[i];
	return UINT64_MAX;
}

int fl_explore_case(const struct fl_scenario *sc, const struct fl_backend_ops *ops,
		    const int64_t *vals, enum fl_class *cls, char *why, size_t len,
		    struct fl_run **out)
{
	struct fl_props props = { 0 };
	struct fl_run_watch w;
	struct fl_prefix *p;
	struct fl_run *run;
	int err;

	fl_props_reset(&props);
	fl_props_watch(&props, &w);
	err = fl_prefix_open(sc, ops, 0, 0, NULL, &p);
	if (err)
		return err;
	err = fl_prefix_run(p, vals, &w, &run);
	fl_prefix_close(p);
	if (!err) {
		*cls = fl_case_class(run, NULL, &props, why, len);
		if (out)
			*out = run;
		else
			fl_run_free(run);
	}
	fl_props_fini(&props);
	return err;
}
