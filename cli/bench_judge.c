/*
 * cli/bench_judge.c - `faultline bench judge [--cases N] [--whole M]
 * [--kernel NAME]`: how fast a kernel judges the model, against how fast
 * it answers the same system calls in a plain C loop in the same place,
 * measured in one run: this machine's kernel, or a guest's under QEMU.
 *
 * Definitions
 *   template  pread of a one-page file into SIZE bytes that end OFF bytes
 *             into a PROT_NONE page (size, off in 0..128: 16,641 cases),
 *             the straddle of host-cases.md case 1 as a `vary` scenario.
 *   judge     each case through `explore --diff`'s own loop
 *             (cli_explore_diff()): the model's run and the judge's, each
 *             from its side's kept set-up (docs/host.md "Judging many
 *             cases"), then the comparison.
 *   batched   the judge's cases go to it K at a time (backend/host_batch.c,
 *             FAULTLINE_HOST_BATCH, default CLI_DIFF_BATCH): one exchange
 *             per K cases; "one per exchange" is the same with
 *             FAULTLINE_HOST_BATCH=1, as the judge ran before it batched.
 *   per case  the same with FAULTLINE_HOST_SNAPSHOT=0: a scenario process,
 *             a file and a mapping made per case, as the judge ran before
 *             it kept its set-up (M cases: it is slow).
 *   raw loop  the same pread calls, same sizes and offsets, back to back
 *             in one scenario process of the judge (fl_host_bench_pread():
 *             a child here, the agent's child in a guest): the kernel's
 *             own cost where the judge runs.
 *   ratio     judge cases/s over raw calls/s; issue 14's goal is 10%.
 *   echo      BENCH_ECHO_N exchanges of a case's size that do no work
 *             (fl_host_bench_echo()): answered by the agent itself (the
 *             channel's round trip), or by its scenario process (the
 *             channel and the hop to the process): what a judged case
 *             costs before any of its own work, in the same run.
 *
 * N cases are drawn at random (seed 0) so that a short run still covers
 * both sides of the page boundary.  The raw loop repeats its N calls until
 * it has run BENCH_RAW_MIN_NS, so its figure is not one clock tick.  The
 * timings are measurements, not part of the model, and no test asserts
 * them; a disagreement is reported and exits 1, as `explore --diff` does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <faultline/backend.h>
#include <faultline/explore.h>

#include "cli/cli.h"

#define BENCH_JUDGE_SPACE   (129u * 129u)
#define BENCH_RAW_MIN_NS    200000000u
#define BENCH_ECHO_N        200u

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
	uint64_t n, agree, differ, skipped, kept, restarts, batched;
	double seconds;
};

/* ms per exchange of each echo; < 0: not measured (-errno) */
struct judge_echo {
	double agent, process;
};

struct judge_opts {
	uint64_t cases, whole;
	const char *kernel;
};

static double judge_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * N cases of SC through `explore --diff`'s own loop, timed, with the
 * judge keeping its set-up or not (KEEP), and, kept, batching them or
 * one per exchange (ONE): FL_EXIT_OK or its exit code.
 */
static int judge_cases(const struct fl_scenario *sc, uint64_t n, bool keep, bool one,
		       struct judge_counts *jc)
{
	struct fl_explore_opts o = { .jobs = 1, .random = true, .flags = FL_RUN_NO_TRACE,
				     .sample_n = n };
	struct fl_explore e;
	const char *env = getenv("FAULTLINE_HOST_BATCH");
	char batch[32] = "";            /* the user's own, put back after ONE */
	double t0;
	int rc, err = fl_explore_run(sc, &fl_model_backend, &o, &e);

	if (err) {
		fl_cli_error("bench judge: %s", strerror(-err));
		return FL_EXIT_BUG;
	}
	if (env)
		snprintf(batch, sizeof(batch), "%s", env);
	if ((!keep && setenv("FAULTLINE_HOST_SNAPSHOT", "0", 1)) ||
	    (one && setenv("FAULTLINE_HOST_BATCH", "1", 1)))
		return FL_EXIT_BUG;
	t0 = judge_now();
	rc = cli_explore_diff(&e);
	jc->seconds = judge_now() - t0;
	unsetenv("FAULTLINE_HOST_SNAPSHOT");
	if (one && env)
		setenv("FAULTLINE_HOST_BATCH", batch, 1);
	else if (one)
		unsetenv("FAULTLINE_HOST_BATCH");
	jc->n = e.ncases;
	jc->differ = e.counts[FL_CLASS_DIFFER];
	jc->skipped = e.counts[FL_CLASS_UNSUPPORTED];
	jc->agree = e.ncases - jc->differ - jc->skipped;
	jc->kept = cli_explore_diff_kept;
	jc->restarts = cli_explore_diff_restarts;
	jc->batched = cli_explore_diff_batched;
	fl_explore_fini(&e);
	return rc;
}

/* The raw loop over SC's first N sampled cases where the judge runs: calls/s, or -errno. */
static double raw_loop(const struct fl_scenario *sc, uint64_t n)
{
	struct fl_explore_opts o = { .jobs = 1, .random = true, .flags = FL_RUN_NO_TRACE,
				     .sample_n = n };
	uint64_t i, calls = 0, ns = 0;
	uint32_t *pairs = NULL;
	struct fl_explore e;
	int64_t vals[2];
	int err = fl_explore_run(sc, &fl_model_backend, &o, &e);

	if (err)
		return err;
	pairs = malloc(2 * e.ncases * sizeof(*pairs));
	for (i = 0; pairs && i < e.ncases; i++) {
		fl_space_values(&e.space, e.cases[i], vals);
		pairs[2 * i] = (uint32_t)vals[0];
		pairs[2 * i + 1] = (uint32_t)vals[1];
	}
	err = pairs ? fl_host_bench_pread(pairs, (unsigned)e.ncases, BENCH_RAW_MIN_NS,
					  &calls, &ns) : -ENOMEM;
	free(pairs);
	fl_explore_fini(&e);
	if (err)
		return err;
	return ns ? (double)calls * 1e9 / (double)ns : -EIO;
}

/* One echo's ms per exchange, or -errno. */
static double echo_ms(bool to_agent)
{
	uint64_t ns = 0;
	int err = fl_host_bench_echo(to_agent, BENCH_ECHO_N, &ns);

	return err ? err : (double)ns / 1e6 / BENCH_ECHO_N;
}

enum { OPT_CASES = 0x100, OPT_WHOLE, OPT_KERNEL };

static const struct fl_opt bench_judge_options[] = {
	{ "cases", OPT_CASES, "N", "cases drawn from the 16641 of the template (default 2000)" },
	{ "whole", OPT_WHOLE, "M",
	  "of them, judged again a process per case, as before (default 200; 0: not)" },
	{ "kernel", OPT_KERNEL, "KERNEL",
	  "judge on this kernel under QEMU (a name from 'kernels list', or a path)" },
	{ NULL, 0, NULL, NULL },
};

static int bench_judge_set(void *ctx, int key, const char *arg)
{
	struct judge_opts *o = ctx;

	if (key == OPT_KERNEL) {
		o->kernel = arg;
		return cli_judge_vm("bench judge", arg);
	}
	if (key == OPT_WHOLE)
		return fl_cli_u64("bench judge", "--whole", arg, 0, BENCH_JUDGE_SPACE, &o->whole);
	return fl_cli_u64("bench judge", "--cases", arg, 1, BENCH_JUDGE_SPACE, &o->cases);
}

static const struct fl_cmd_spec bench_judge_spec = {
	"bench judge", "[OPTIONS]",
	"Cases per second a kernel judges (explore --diff): the running one, or one under\n"
	"QEMU (--kernel); against a plain loop of the same system calls in the same place.",
	bench_judge_options, bench_judge_set,
};

static double rate(const struct judge_counts *jc)
{
	return jc->seconds > 0 ? (double)jc->n / jc->seconds : 0;
}

static void judge_line(const char *what, const struct judge_counts *jc, double raw)
{
	printf("  %-30s %10.0f cases/s  %8.4f%% of raw   %llu agree, %llu disagree, "
	       "%llu skipped\n", what, rate(jc), raw > 0 ? 100 * rate(jc) / raw : 0,
	       (unsigned long long)jc->agree, (unsigned long long)jc->differ,
	       (unsigned long long)jc->skipped);
}

static double case_ms(const struct judge_counts *jc)
{
	return rate(jc) > 0 ? 1e3 / rate(jc) : 0;
}

/*
 * Where a kept case's time goes: the echoes' round trips, then the rest
 * of a case sent alone (the restore and the pread in the process, the
 * runner's and the model's side of the case) as the difference; then a
 * case of a batch, whose exchange is shared.
 */
static void judge_breakdown(const struct judge_counts *kept, const struct judge_counts *one,
			    const struct judge_echo *echo)
{
	double ms = case_ms(one);

	printf("  where a kept case's time goes (ms per case, echoes of %u exchanges):\n",
	       BENCH_ECHO_N);
	if (echo->agent >= 0)
		printf("    %-52s %8.3f\n", "a frame to the agent and back, no work", echo->agent);
	else
		printf("    %-52s %8s\n", "a frame to the agent and back", "no agent");
	if (echo->process < 0) {
		printf("    %-52s %8s\n", "to its scenario process and back",
		       strerror((int)-echo->process));
		return;
	}
	printf("    %-52s %8.3f\n", "to its scenario process and back, no work",
	       echo->process);
	/*
	 * The own work is a difference of two measurements made seconds
	 * apart: a load that rose between them can make the echo dearer
	 * than a whole case, and a negative time would be a lie.
	 */
	if (ms >= echo->process)
		printf("    %-52s %8.3f\n", "the case's own work (restore, pread, runner, model)",
		       ms - echo->process);
	else
		printf("    %-52s %8s\n", "the case's own work (restore, pread, runner, model)",
		       "unknown: the load changed between the measurements");
	printf("    %-52s %8.3f\n", "a judged case, one per exchange", ms);
	printf("    %-52s %8.3f\n", "a judged case, in batches (as judged above)", case_ms(kept));
}

static void judge_report(const struct judge_opts *o, const struct judge_counts *kept,
			 const struct judge_counts *one, const struct judge_counts *whole,
			 double raw, const struct judge_echo *echo)
{
	printf("bench judge: %llu of %u cases (pread into a buffer ending in a PROT_NONE page), "
	       "judged by %s%s\n", (unsigned long long)kept->n, BENCH_JUDGE_SPACE,
	       o->kernel ? "a guest under QEMU: " : "this machine's kernel",
	       o->kernel ? o->kernel : "");
	judge_line("judge, set-up kept", kept, raw);
	printf("  %-30s %10llu of %llu cases from the kept set-up, made anew %llu times, "
	       "%llu answered from batches of up to %ld\n", "",
	       (unsigned long long)kept->kept, (unsigned long long)kept->n,
	       (unsigned long long)kept->restarts, (unsigned long long)kept->batched,
	       cli_diff_batch_size());
	judge_line("judge, one case per exchange", one, raw);
	if (whole->n)
		judge_line("judge, a process per case", whole, raw);
	printf("  %-30s %10.0f calls/s  (%s)\n", "raw pread loop", raw,
	       o->kernel ? "in the guest: a scenario process of its agent"
			 : "a scenario process of the judge");
	printf("  %-30s goal >= 10%% of raw: %s\n", "", raw > 0 && rate(kept) * 10 >= raw ?
	       "met" : "not met");
	if (whole->n && rate(whole) > 0)
		printf("  %-30s %.1fx faster than a process per case\n", "",
		       rate(kept) / rate(whole));
	judge_breakdown(kept, one, echo);
}

int bench_judge(int argc, char **argv)
{
	struct judge_opts o = { .cases = 2000, .whole = 200 };
	struct judge_counts kept = { 0 }, one = { 0 }, whole = { 0 };
	struct judge_echo echo = { -EOPNOTSUPP, -EOPNOTSUPP };
	struct fl_scenario *sc;
	struct fl_sc_diag diag;
	double raw = 0;
	int err, rc;

	err = fl_cli_parse_no_operand(&bench_judge_spec, argc, argv, &o);
	if (err)
		return fl_cli_parsed(err);
	rc = cli_judge_follow("bench judge");
	if (rc)
		return rc;
	if (fl_scenario_parse("bench-judge.fl", judge_template, strlen(judge_template), &sc,
			      &diag)) {
		fl_cli_error("bench judge: %s", diag.msg);
		return FL_EXIT_BUG;
	}
	rc = judge_cases(sc, o.cases, true, false, &kept);
	if (rc == FL_EXIT_OK)
		rc = judge_cases(sc, o.cases, true, true, &one);
	if (rc == FL_EXIT_OK && o.whole)
		rc = judge_cases(sc, o.whole < o.cases ? o.whole : o.cases, false, false, &whole);
	if (rc == FL_EXIT_OK) {
		raw = raw_loop(sc, o.cases);
		echo.agent = echo_ms(true);
		echo.process = echo_ms(false);
	}
	fl_scenario_free(sc);
	if (rc != FL_EXIT_OK)
		return rc;
	if (raw < 0) {
		fl_cli_error("bench judge: raw loop: %s", strerror((int)-raw));
		return FL_EXIT_BUG;
	}
	judge_report(&o, &kept, &one, &whole, raw, &echo);
	return kept.differ || one.differ || whole.differ ? FL_EXIT_FAIL : FL_EXIT_OK;
}
