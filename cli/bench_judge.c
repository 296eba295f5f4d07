/*
 * cli/bench_judge.c - `faultline bench judge [--cases N]`: how fast the
 * running kernel judges the model, against how fast it answers the same
 * system calls in a plain C loop, measured in one run.
 *
 * Definitions
 *   template  pread of a one-page file into SIZE bytes that end OFF bytes
 *             into a PROT_NONE page (size, off in 0..128: 16,641 cases),
 *             the straddle of host-cases.md case 1 as a `vary` scenario.
 *   judge     each case through `explore --diff`'s loop (cli_explore_diff(),
 *             diff_case()): the model's run, then the host backend's
 *             (its scenario process made, the file and mapping set up, the
 *             call made, the process ended), then the comparison.
 *   raw loop  the same pread calls, same sizes and offsets, back to back
 *             in this process on one mapping: the kernel's own cost.
 *   ratio     judge cases/s over raw cases/s; issue 14's goal is 10%.
 *
 * N cases are drawn at random (seed 0) so that a short run still covers
 * both sides of the page boundary.  The raw loop repeats its N calls until
 * it has run BENCH_RAW_MIN_NS, so its figure is not one clock tick.  The
 * timings are measurements, not part of the model, and no test asserts
 * them; a disagreement is reported and exits 1, as `explore --diff` does.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <faultline/explore.h>

#include "cli/cli.h"

#define BENCH_JUDGE_SPACE   (129u * 129u)
#define BENCH_RAW_MIN_NS    200e6

static const char judge_template[] =
	"# bench judge: pread into a buffer that ends OFF bytes into a PROT_NONE page\n"
	"kernel host\n"
	"vary size 0..128\n"
	"vary off 0..128\n"
	"file f 1p\n"
	"mmap dst 2p rw private\n"
	"mprotect dst+1p 1p none\n"
	"call pread f dst+1p+$off-$size $size 0\n";

struct judge_counts {
	uint64_t agree, differ, skipped;
	double seconds;
};

static double judge_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* E's cases through `explore --diff`'s own loop, timed: FL_EXIT_OK or its exit code. */
static int judge_cases(struct fl_explore *e, struct judge_counts *jc)
{
	double t0 = judge_now();
	int rc = cli_explore_diff(e);

	jc->seconds = judge_now() - t0;
	jc->differ = e->counts[FL_CLASS_DIFFER];
	jc->skipped = e->counts[FL_CLASS_UNSUPPORTED];
	jc->agree = e->ncases - jc->differ - jc->skipped;
	return rc;
}

/* The raw loop over E's cases: calls per second, or a negative -errno. */
static double raw_loop(const struct fl_explore *e)
{
	long page = sysconf(_SC_PAGESIZE);
	char path[] = "/tmp/fl-bench-judge-XXXXXX";
	int fd = mkstemp(path);
	uint8_t *dst = MAP_FAILED;
	double t0, t, calls = 0, rate = -EIO;
	int64_t vals[2];
	uint64_t i;

	if (fd < 0)
		return -errno;
	unlink(path);
	if (ftruncate(fd, page))
		goto out_close;
	dst = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	if (dst == MAP_FAILED || mprotect(dst + page, (size_t)page, PROT_NONE))
		goto out_close;
	t0 = judge_now();
	do {
		for (i = 0; i < e->ncases; i++) {
			fl_space_values(&e->space, e->cases[i], vals);
			if (pread(fd, dst + page + vals[1] - vals[0], (size_t)vals[0], 0) < -1)
				goto out_close;     /* never: keeps the call's result used */
		}
		calls += (double)e->ncases;
		t = judge_now() - t0;
	} while (t * 1e9 < BENCH_RAW_MIN_NS);
	rate = calls / t;
out_close:
	if (dst != MAP_FAILED)
		munmap(dst, 2 * (size_t)page);
	close(fd);
	return rate;
}

static const struct fl_opt bench_judge_options[] = {
	{ "cases", 0x100, "N", "cases drawn from the 16641 of the template (default 1000)" },
	{ NULL, 0, NULL, NULL },
};

static int bench_judge_set(void *ctx, int key, const char *arg)
{
	(void)key;
	return fl_cli_u64("bench judge", "--cases", arg, 1, BENCH_JUDGE_SPACE, ctx);
}

static const struct fl_cmd_spec bench_judge_spec = {
	"bench judge", "[OPTIONS]",
	"Cases per second the running kernel judges (explore --diff), against a plain "
	"loop of the same system calls.",
	bench_judge_options, bench_judge_set,
};

static void judge_report(const struct fl_explore *e, const struct judge_counts *jc,
			 double raw)
{
	double judge = jc->seconds > 0 ? (double)e->ncases / jc->seconds : 0;

	printf("bench judge: %llu of %u cases (pread into a buffer ending in a PROT_NONE page), "
	       "this machine's kernel\n", (unsigned long long)e->ncases, BENCH_JUDGE_SPACE);
	printf("  judge (explore --diff)  %12.0f cases/s   %llu agree, %llu disagree, %llu skipped\n",
	       judge, (unsigned long long)jc->agree, (unsigned long long)jc->differ,
	       (unsigned long long)jc->skipped);
	printf("  raw pread loop          %12.0f calls/s\n", raw);
	printf("  judge / raw             %12.4f%%     goal >= 10%% (%s)\n",
	       raw > 0 ? 100 * judge / raw : 0, raw > 0 && judge * 10 >= raw ? "met" : "not met");
}

int bench_judge(int argc, char **argv)
{
	struct fl_explore_opts o = { .jobs = 1, .random = true, .flags = FL_RUN_NO_TRACE };
	struct judge_counts jc = { 0 };
	struct fl_scenario *sc;
	struct fl_sc_diag diag;
	struct fl_explore e;
	double raw = 0;
	int err, rc = FL_EXIT_OK;

	o.sample_n = 1000;
	err = fl_cli_parse_no_operand(&bench_judge_spec, argc, argv, &o.sample_n);
	if (err)
		return fl_cli_parsed(err);
	if (fl_scenario_parse("bench-judge.fl", judge_template, strlen(judge_template), &sc,
			      &diag)) {
		fl_cli_error("bench judge: %s", diag.msg);
		return FL_EXIT_BUG;
	}
	err = fl_explore_run(sc, &fl_model_backend, &o, &e);
	if (err)
		goto out_free;
	rc = judge_cases(&e, &jc);
	if (rc == FL_EXIT_OK)
		raw = raw_loop(&e);
	if (raw < 0)
		err = (int)raw;
	else if (rc == FL_EXIT_OK)
		judge_report(&e, &jc, raw);
	fl_explore_fini(&e);
out_free:
	fl_scenario_free(sc);
	if (err) {
		fl_cli_error("bench judge: %s", strerror(-err));
		return FL_EXIT_BUG;
	}
	if (rc != FL_EXIT_OK)
		return rc;
	return jc.differ ? FL_EXIT_FAIL : FL_EXIT_OK;
}
