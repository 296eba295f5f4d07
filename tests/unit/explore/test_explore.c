/*
 * tests/unit/explore/test_explore.c - the explorer: case numbering,
 * sampling, the snapshot prefix against whole runs, the properties and
 * the classes, worker-count independence.
 *
 * Properties are tested by injection: a backend that wraps the model
 * lies about one call (a copy reported done that never ran, a read that
 * writes 16 bytes past its buffer, a UFFDIO_COPY whose copy field
 * disagrees with its ret) and the class must name the lie.
 *
 *   buf (2p)   | guard |  page 0  |  page 1  | guard |
 *   read 64 at buf+8:        ^^^^ the window: buf+8-256 .. buf+72+256
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <faultline/explore.h>

static struct fl_scenario *parse(const char *text)
{
	struct fl_scenario *sc;
	struct fl_sc_diag d = { 0 };

	if (fl_scenario_parse("t.fl", text, strlen(text), &sc, &d))
		fail_msg("does not parse: %s", d.msg);
	return sc;
}

/* ---- the injecting backend ---- */

enum lie { LIE_NONE, LIE_COPY_DONE, LIE_READ_SHIFT, LIE_UFFD_COPY };

static enum lie lie;
static unsigned execs_by_line[64];

static int lying_exec(struct fl_backend *b, const struct fl_sc_stmt *st,
		      const struct fl_val *args, struct fl_obs *obs)
{
	if (st->line < 64)
		execs_by_line[st->line]++;
	if (lie == LIE_COPY_DONE && st->verb == FL_SC_CALL && st->code == FL_SC_COPY_TO_USER) {
		obs->has_ret = true;    /* "all copied", nothing written */
		obs->ret = 0;
		return 0;
	}
	if (lie == LIE_UFFD_COPY && st->verb == FL_SC_CALL && st->code == FL_SC_UFFD_COPY) {
		obs->has_ret = obs->has_copy = true;
		obs->ret = 0;
		obs->copy = 5;
		return 0;
	}
	if (lie == LIE_READ_SHIFT && st->verb == FL_SC_CALL && st->code == FL_SC_READ) {
		struct fl_val shifted[3];       /* reads 16 bytes past buf's end */

		memcpy(shifted, args, sizeof(shifted));
		shifted[1].u += 16;
		return fl_model_backend.exec(b, st, shifted, obs);
	}
	return fl_model_backend.exec(b, st, args, obs);
}

static struct fl_backend_ops lying;

static const struct fl_backend_ops *lying_backend(enum lie l)
{
	lying = fl_model_backend;
	lying.name = "lying";
	lying.exec = lying_exec;
	lie = l;
	memset(execs_by_line, 0, sizeof(execs_by_line));
	return &lying;
}

/* The class of case VALS of TEXT on OPS. */
static enum fl_class class_of(const char *text, const struct fl_backend_ops *ops,
			      const int64_t *vals)
{
	struct fl_scenario *sc = parse(text);
	enum fl_class c;
	char why[200];

	assert_int_equal(fl_explore_case(sc, ops, vals, &c, why, sizeof(why), NULL), 0);
	fl_scenario_free(sc);
	return c;
}

/* ---- the space ---- */

static const char two_vars[] =
	"vary a 1..3\n"
	"vary b 0..20 step=10\n"
	"mmap buf 1p rw private\n"
	"call copy_to_user buf+$b $a\n";

/* case n: a = 1 + n / 3, b = 10 * (n % 3): the first variable is slowest */
static void test_case_numbers_put_the_first_variable_slowest(void **state)
{
	struct fl_scenario *sc = parse(two_vars);
	struct fl_space s;
	int64_t v[2];

	(void)state;
	assert_int_equal(fl_space_init(&s, sc), 0);
	assert_int_equal(s.ncases, 9);
	fl_space_values(&s, 0, v);
	assert_true(v[0] == 1 && v[1] == 0);
	fl_space_values(&s, 1, v);
	assert_true(v[0] == 1 && v[1] == 10);
	fl_space_values(&s, 8, v);
	assert_true(v[0] == 3 && v[1] == 20);
	fl_space_fini(&s);
	fl_scenario_free(sc);
}

/*
 * The parser refuses a space past FL_SC_MAX_CASES (test_errors.c); one
 * made some other way (here: widened after parsing) is refused too.
 */
static void test_space_too_large_is_refused(void **state)
{
	struct fl_scenario *sc = parse("vary a 0..0x7fffffff\nvary b 0..0x7fffffff\n"
				       "vary c 0..0\n");
	struct fl_space s;

	(void)state;
	sc->vars[2].to = 0xff;
	assert_int_equal(fl_space_init(&s, sc), -EOVERFLOW);
	sc->vars[2].from = INT64_MIN;
	sc->vars[2].to = INT64_MAX;
	assert_int_equal(fl_space_init(&s, sc), -EOVERFLOW);
	fl_scenario_free(sc);
}

/*
 * The ends of int64_t: FROM + I * STEP is in range though the int64_t
 * sum of its parts overflows (UBSan says so in the sanitizer build).
 */
static void test_space_values_at_the_ends_of_int64(void **state)
{
	struct fl_scenario *sc = parse("vary a -9223372036854775808..9223372036854775807 step=4\n");
	struct fl_space s;
	int64_t v;

	(void)state;
	assert_int_equal(fl_space_init(&s, sc), 0);
	assert_true(s.ncases == FL_SC_MAX_CASES);
	fl_space_values(&s, 0, &v);
	assert_true(v == INT64_MIN);
	fl_space_values(&s, s.ncases - 1, &v);
	assert_true(v == INT64_MAX - 3);
	fl_space_values(&s, s.ncases / 2, &v);
	assert_true(v == 0);
	fl_space_fini(&s);
	fl_scenario_free(sc);
}

/*
 * 10^12 cases: more than one exploration runs (the bookkeeping alone
 * would be 9 TB), refused at the second vary; a sample or a shard of
 * 10^4 fits.
 */
static void test_explore_refuses_more_cases_than_it_runs(void **state)
{
	struct fl_scenario *sc = parse("vary a 0..999999\nvary b 0..999999\n");
	struct fl_explore_opts o = { 0 };
	int var;

	(void)state;
	assert_int_equal(fl_explore_fits(sc, &o, &var), -E2BIG);
	assert_int_equal(var, 1);
	o.nshards = 10000;
	assert_int_equal(fl_explore_fits(sc, &o, &var), 0);
	o.nshards = 0;
	o.random = true;
	o.sample_n = 1000;
	assert_int_equal(fl_explore_fits(sc, &o, &var), 0);
	o.sample_n = FL_EXPLORE_MAX_CASES + 1;
	assert_int_equal(fl_explore_fits(sc, &o, &var), -E2BIG);
	assert_int_equal(var, -1);
	fl_scenario_free(sc);
}

static void test_sample_is_seeded_distinct_and_sorted(void **state)
{
	struct fl_scenario *sc = parse("vary a 0..999\nvary b 0..999\n");
	struct fl_space s;
	uint64_t *x, *y, nx, ny, i;

	(void)state;
	assert_int_equal(fl_space_init(&s, sc), 0);
	assert_int_equal(fl_space_sample(&s, 500, 42, &x, &nx), 0);
	assert_int_equal(fl_space_sample(&s, 500, 42, &y, &ny), 0);
	assert_int_equal(nx, 500);
	assert_memory_equal(x, y, 500 * sizeof(*x));
	for (i = 1; i < nx; i++)
		assert_true(x[i - 1] < x[i] && x[i] < s.ncases);
	free(y);
	assert_int_equal(fl_space_sample(&s, 500, 43, &y, &ny), 0);
	assert_memory_not_equal(x, y, 500 * sizeof(*x));
	free(x);
	free(y);
	fl_space_fini(&s);
	fl_scenario_free(sc);
}

static void test_sample_larger_than_space_is_every_case(void **state)
{
	struct fl_scenario *sc = parse(two_vars);
	struct fl_space s;
	uint64_t *x, n, i;

	(void)state;
	assert_int_equal(fl_space_init(&s, sc), 0);
	assert_int_equal(fl_space_sample(&s, 100, 1, &x, &n), 0);
	assert_int_equal(n, 9);
	for (i = 0; i < n; i++)
		assert_int_equal(x[i], i);
	free(x);
	fl_space_fini(&s);
	fl_scenario_free(sc);
}

/* ---- the split and the prefix ---- */

static void test_split_is_the_first_use_of_a_variable(void **state)
{
	struct fl_scenario *sc = parse(two_vars);

	(void)state;
	assert_int_equal(fl_scenario_split(sc), 3);
	fl_scenario_free(sc);
}

/* an expect that uses $a judges a call before it: the split moves back */
static void test_split_keeps_an_expect_with_its_subject(void **state)
{
	struct fl_scenario *sc = parse("vary a 0..3\n"
				       "mmap buf 1p rw private\n"
				       "call copy_to_user buf 16\n"
				       "expect ret $a\n");

	(void)state;
	assert_int_equal(fl_scenario_split(sc), 2);
	fl_scenario_free(sc);
}

static void test_split_keeps_an_on_line_with_its_call(void **state)
{
	struct fl_scenario *sc = parse("vary a 0..3\n"
				       "mmap buf 2p rw private\n"
				       "on fault_in evict buf 1p\n"
				       "call fault_in_writeable buf+$a 16\n");

	(void)state;
	assert_int_equal(fl_scenario_split(sc), 2);
	fl_scenario_free(sc);
}

static const char template[] =
	"kernel 5.18\n"
	"arch arm64+mte\n"
	"vary off 0..0x1ff0 step=0x130\n"
	"vary len 1..0x2001 step=0x800\n"
	"mmap buf 2p rw private\n"
	"poke buf 2p zero\n"
	"mmap other 1p r private\n"
	"tag buf+$off 16 3\n"
	"call copy_to_user buf $len src=seq=7\n"
	"expect mem buf+$len 16 unchanged\n"
	"call fault_in_writeable buf $len\n"
	"call copy_from_user buf+8 $len\n"
	"call btrfs_search_ioctl buf 2p\n";

static void assert_step_equal(const struct fl_step *a, const struct fl_step *b)
{
	unsigned j;

	assert_ptr_equal(a->st, b->st);
	assert_int_equal(a->rc, b->rc);
	assert_int_equal(a->obs.has_ret, b->obs.has_ret);
	assert_int_equal(a->obs.ret, b->obs.ret);
	assert_int_equal(a->obs.err, b->obs.err);
	assert_int_equal(a->obs.outcome, b->obs.outcome);
	assert_int_equal(a->obs.moved, b->obs.moved);
	assert_int_equal(a->obs.kbuf_len, b->obs.kbuf_len);
	if (a->obs.kbuf)
		assert_memory_equal(a->obs.kbuf, b->obs.kbuf, a->obs.kbuf_len);
	assert_string_equal(a->obs.summary, b->obs.summary);
	assert_int_equal(a->held, b->held);
	assert_int_equal(a->ntrace, b->ntrace);
	for (j = 0; j < a->ntrace; j++)
		assert_string_equal(a->trace[j], b->trace[j]);
}

/* every case from the snapshot is the whole run of that case, traces too */
static void test_prefix_cases_equal_whole_runs(void **state)
{
	struct fl_scenario *sc = parse(template);
	struct fl_prefix *p;
	struct fl_space s;
	int64_t v[2];
	uint64_t n;
	unsigned i;

	(void)state;
	assert_int_equal(fl_space_init(&s, sc), 0);
	assert_true(s.ncases > 40);
	assert_int_equal(fl_prefix_open(sc, &fl_model_backend, fl_scenario_split(sc), 0,
					NULL, &p), 0);
	for (n = 0; n < s.ncases; n++) {
		struct fl_run *a, *b;

		fl_space_values(&s, n, v);
		assert_int_equal(fl_prefix_run(p, v, NULL, &a), 0);
		assert_int_equal(fl_scenario_run(sc, &fl_model_backend, v, &b), 0);
		assert_int_equal(a->verdict, b->verdict);
		assert_string_equal(a->reason, b->reason);
		assert_int_equal(a->nsteps, b->nsteps);
		for (i = 0; i < a->nsteps; i++)
			assert_step_equal(&a->steps[i], &b->steps[i]);
		fl_run_free(a);
		fl_run_free(b);
	}
	fl_prefix_close(p);
	fl_space_fini(&s);
	fl_scenario_free(sc);
}

/* lines 5-7 (mmap, poke, mmap) run once; line 8 (tag) once per case */
static void test_prefix_runs_once(void **state)
{
	struct fl_scenario *sc = parse(template);
	const struct fl_backend_ops *ops = lying_backend(LIE_NONE);
	struct fl_prefix *p;
	int64_t v[2] = { 0, 1 };
	struct fl_run *run;
	unsigned n;

	(void)state;
	assert_int_equal(fl_prefix_open(sc, ops, fl_scenario_split(sc), FL_RUN_NO_TRACE,
					NULL, &p), 0);
	for (n = 0; n < 10; n++) {
		assert_int_equal(fl_prefix_run(p, v, NULL, &run), 0);
		fl_run_free(run);
	}
	fl_prefix_close(p);
	assert_int_equal(execs_by_line[5], 1);
	assert_int_equal(execs_by_line[7], 1);
	assert_int_equal(execs_by_line[8], 10);
	fl_scenario_free(sc);
}

/* ---- properties and classes ---- */

static void test_livelock_is_a_class(void **state)
{
	int64_t v[1] = { 0x1030 };

	(void)state;
	assert_int_equal(class_of("kernel 5.18\narch arm64+mte\nvary off 0..0x1ff0 step=16\n"
				  "mmap buf 2p rw private\npoke buf 2p zero\n"
				  "tag buf+$off 16 3\ncall btrfs_search_ioctl buf 2p\n",
				  &fl_model_backend, v), FL_CLASS_LIVELOCK);
}

/* the file said `expect outcome livelock`: that is no violation */
static void test_expected_livelock_passes(void **state)
{
	int64_t v[1] = { 0x1030 };

	(void)state;
	assert_int_equal(class_of("kernel 5.18\narch arm64+mte\nvary off 0..0x1ff0 step=16\n"
				  "mmap buf 2p rw private\npoke buf 2p zero\n"
				  "tag buf+$off 16 3\ncall btrfs_search_ioctl buf 2p\n"
				  "expect outcome livelock\n",
				  &fl_model_backend, v), FL_CLASS_PASS);
}

static void test_failed_expectation_is_expect_failed(void **state)
{
	int64_t v[1] = { 3 };

	(void)state;
	assert_int_equal(class_of("vary n 0..4\nmmap buf 1p rw private\n"
				  "call copy_to_user buf+1p-$n 16\nexpect ret 0\n",
				  &fl_model_backend, v), FL_CLASS_EXPECT_FAILED);
}

static const char copy_then_read[] =
	"vary n 1..64\n"
	"file f 1p\n"
	"mmap buf 2p rw private\n"
	"poke buf 2p fill=0x11\n"
	"call copy_to_user buf $n src=seq=1\n"
	"call read f buf+8 $n\n";

static void test_honest_copy_and_read_pass(void **state)
{
	int64_t v[1] = { 64 };

	(void)state;
	assert_int_equal(class_of(copy_then_read, lying_backend(LIE_NONE), v), FL_CLASS_PASS);
}

static void test_copy_reported_but_not_written_is_over_report(void **state)
{
	int64_t v[1] = { 64 };

	(void)state;
	assert_int_equal(class_of(copy_then_read, lying_backend(LIE_COPY_DONE), v),
			 FL_CLASS_OVER_REPORT);
}

static void test_read_writing_past_its_buffer_is_write_outside(void **state)
{
	int64_t v[1] = { 64 };

	(void)state;
	assert_int_equal(class_of(copy_then_read, lying_backend(LIE_READ_SHIFT), v),
			 FL_CLASS_WRITE_OUTSIDE);
}

static void test_uffd_copy_field_disagreeing_with_ret_is_inconsistent(void **state)
{
	int64_t v[1] = { 1 };

	(void)state;
	assert_int_equal(class_of("vary n 1..2\n"
				  "mmap buf 1p rw private\n"
				  "call userfaultfd as=u\n"
				  "call uffd_api u -\n"
				  "call uffd_register u buf 1p missing\n"
				  "call uffd_copy u buf $n src=fill=0x5a\n",
				  lying_backend(LIE_UFFD_COPY), v), FL_CLASS_UFFD_INCONSISTENT);
}

/* ---- the exploration ---- */

static void explore(const struct fl_scenario *sc, unsigned jobs, unsigned shard,
		    unsigned nshards, struct fl_explore *e)
{
	struct fl_explore_opts o = { .jobs = jobs, .shard = shard, .nshards = nshards,
				     .flags = FL_RUN_NO_TRACE };

	assert_int_equal(fl_explore_run(sc, &fl_model_backend, &o, e), 0);
}

static void test_classes_do_not_depend_on_the_worker_count(void **state)
{
	struct fl_scenario *sc = parse(template);
	struct fl_explore a, b;

	(void)state;
	explore(sc, 1, 0, 0, &a);
	explore(sc, 2, 0, 0, &b);
	assert_int_equal(a.ncases, b.ncases);
	assert_memory_equal(a.cases, b.cases, a.ncases * sizeof(*a.cases));
	assert_memory_equal(a.cls, b.cls, a.ncases);
	fl_explore_fini(&a);
	fl_explore_fini(&b);
	fl_scenario_free(sc);
}

static void test_shards_partition_the_cases(void **state)
{
	struct fl_scenario *sc = parse(template);
	struct fl_explore all, s0, s1;
	uint64_t i;

	(void)state;
	explore(sc, 2, 0, 0, &all);
	explore(sc, 1, 0, 2, &s0);
	explore(sc, 1, 1, 2, &s1);
	assert_int_equal(s0.ncases + s1.ncases, all.ncases);
	for (i = 0; i < all.ncases; i++) {
		const struct fl_explore *s = i % 2 ? &s1 : &s0;

		assert_int_equal(s->cases[i / 2], i);
		assert_int_equal(s->cls[i / 2], all.cls[i]);
	}
	fl_explore_fini(&all);
	fl_explore_fini(&s0);
	fl_explore_fini(&s1);
	fl_scenario_free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_case_numbers_put_the_first_variable_slowest),
		cmocka_unit_test(test_space_too_large_is_refused),
		cmocka_unit_test(test_space_values_at_the_ends_of_int64),
		cmocka_unit_test(test_explore_refuses_more_cases_than_it_runs),
		cmocka_unit_test(test_sample_is_seeded_distinct_and_sorted),
		cmocka_unit_test(test_sample_larger_than_space_is_every_case),
		cmocka_unit_test(test_split_is_the_first_use_of_a_variable),
		cmocka_unit_test(test_split_keeps_an_expect_with_its_subject),
		cmocka_unit_test(test_split_keeps_an_on_line_with_its_call),
		cmocka_unit_test(test_prefix_cases_equal_whole_runs),
		cmocka_unit_test(test_prefix_runs_once),
		cmocka_unit_test(test_livelock_is_a_class),
		cmocka_unit_test(test_expected_livelock_passes),
		cmocka_unit_test(test_failed_expectation_is_expect_failed),
		cmocka_unit_test(test_honest_copy_and_read_pass),
		cmocka_unit_test(test_copy_reported_but_not_written_is_over_report),
		cmocka_unit_test(test_read_writing_past_its_buffer_is_write_outside),
		cmocka_unit_test(test_uffd_copy_field_disagreeing_with_ret_is_inconsistent),
		cmocka_unit_test(test_classes_do_not_depend_on_the_worker_count),
		cmocka_unit_test(test_shards_partition_the_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
