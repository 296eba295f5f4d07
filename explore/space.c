/*
 * explore/space.c - the vary space: case numbers to values, and seeded
 * samples of case numbers.
 *
 * Case n is n written in the mixed radix of the variables' value counts,
 * the first variable the most significant digit (include/faultline/
 * explore.h).  Sampling uses splitmix64, never libc rand(): a seed gives
 * the same cases on every machine and C library.
 */
#include <stdlib.h>
#include <string.h>

#include <faultline/explore.h>

int fl_space_init(struct fl_space *s, const struct fl_scenario *sc)
{
	unsigned i;

	memset(s, 0, sizeof(*s));
	s->sc = sc;
	s->nvars = sc->nvars;
	s->ncases = 1;
	s->count = calloc(sc->nvars ? sc->nvars : 1, sizeof(*s->count));
	if (!s->count)
		return -ENOMEM;
	for (i = 0; i < sc->nvars; i++) {
		const struct fl_sc_var *v = &sc->vars[i];

		/* the parser keeps the space within FL_SC_MAX_CASES; a
		 * scenario built by other means is checked here */
		s->count[i] = fl_sc_var_count(v);
		if (s->count[i] && s->ncases > FL_SC_MAX_CASES / s->count[i]) {
			fl_space_fini(s);
			return -EOVERFLOW;
		}
		s->ncases *= s->count[i];
	}
	return 0;
}

void fl_space_fini(struct fl_space *s)
{
	free(s->count);
	s->count = NULL;
}

/*
 * FROM + I * STEP in unsigned arithmetic: the value is in [from, to], but
 * the int64_t sum's operands need not be (from -2^63, I * STEP up to
 * 2^64 - 1: that sum overflowed).
 */
int64_t fl_space_value(const struct fl_space *s, unsigned v, uint64_t i)
{
	const struct fl_sc_var *var = &s->sc->vars[v];

	return (int64_t)((uint64_t)var->from + i * (uint64_t)var->step);
}

void fl_space_values(const struct fl_space *s, uint64_t n, int64_t *vals)
{
	unsigned i;

	for (i = s->nvars; i-- > 0;) {
		vals[i] = fl_space_value(s, i, n % s->count[i]);
		n /= s->count[i];
	}
}

uint64_t fl_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sort and drop repeats: the number of distinct values left. */
static uint64_t sort_unique(uint64_t *v, uint64_t n)
{
	uint64_t i, k = 0;

	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	for (i = 0; i < n; i++)
		if (!k || v[k - 1] != v[i])
			v[k++] = v[i];
	return k;
}

/*
 * Draw until N distinct numbers are in hand: each round draws the missing
 * count, then sorts and drops repeats.  N < ncases, so every round keeps
 * at least one new number with positive probability; the draws depend only
 * on SEED, so the result does too.
 */
int fl_space_sample(const struct fl_space *s, uint64_t n, uint64_t seed,
		    uint64_t **out, uint64_t *nout)
{
	uint64_t *v, have = 0, i, state = seed;

	if (n > s->ncases)
		n = s->ncases;
	v = malloc((size_t)(n ? n : 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (n == s->ncases) {
		for (i = 0; i < n; i++)
			v[i] = i;
		have = n;
	}
	while (have < n) {
		for (i = have; i < n; i++)
			v[i] = fl_splitmix64(&state) % s->ncases;
		have = sort_unique(v, n);
	}
	*out = v;
	*nout = n;
	return 0;
}
