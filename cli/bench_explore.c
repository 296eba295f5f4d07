/*
 * cli/bench_explore.c - `faultline bench explore [--cases N]`: explored
 * cases per second on a small fault-in template, with one worker and with
 * two, in one run, and the speed-up.
 *
 * The template is the fault-in audit's smallest shape: a 3-page buffer,
 * one bad page placed at every page, fault_in_writeable and a copy_to_user
 * over every (offset, length) pair of a grid.  Its prefix (the mmap) runs
 * once per worker; each case restores the snapshot and runs the rest, with
 * no trace kept.  The goal (issue 8) is 1e6 cases/s on 2 cores and -j2 at
 * least 1.8 times -j1; the report says what is reached.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/explore.h>

#include "cli/cli.h"

static const char bench_template[] =
	"# bench explore: fault-in then copy over a 3-page buffer\n"
	"vary bad 0..8192 step=4096\n"
	"vary off 0..12287 step=NSTEP\n"
	"mmap buf 3p rw private\n"
	"munmap buf+$bad 1p\n"
	"call fault_in_writeable buf+$off 64\n"
	"call copy_to_user buf+$off 64\n";

/* The template with the offset step that gives about N cases (36864 at most: step 1). */
static int bench_scenario(uint64_t n, struct fl_scenario **sc)
{
	char text[sizeof(bench_template) + 32], *p;
	struct fl_sc_diag diag;
	uint64_t step = 3 * 12288 / (n ? n : 1);

	if (!step)
		step = 1;
	snprintf(text, sizeof(text), "%s", bench_template);
	p = strstr(text, "NSTEP");
	snprintf(p, sizeof(text) - (size_t)(p - text), "%llu\n%s",
		 (unsigned long long)step, strstr(bench_template, "mmap"));
	if (fl_scenario_parse("bench-explore.fl", text, strlen(text), sc, &diag)) {
		fl_cli_error("bench explore: %s", diag.msg);
		return -EINVAL;
	}
	return 0;
}

static int bench_one(const struct fl_scenario *sc, unsigned jobs, double *rate,
		     uint64_t *cases)
{
	struct fl_explore_opts o = { .jobs = jobs, .flags = FL_RUN_NO_TRACE };
	struct fl_explore e;
	int err = fl_explore_run(sc, &fl_model_backend, &o, &e);

	if (err)
		return err;
	*cases = e.ncases;
	*rate = e.seconds > 0 ? (double)e.ncases / e.seconds : 0;
	fl_explore_fini(&e);
	return 0;
}

static const struct fl_opt bench_explore_options[] = {
	{ "cases", 0x100, "N", "cases to explore, 1 to 36864 (default 36864)" },
	{ NULL, 0, NULL, NULL },
};

static int bench_explore_set(void *ctx, int key, const char *arg)
{
	(void)key;
	return fl_cli_u64("bench explore", "--cases", arg, 1, 36864, ctx);
}

static const struct fl_cmd_spec bench_explore_spec = {
	"bench explore", "[OPTIONS]",
	"Explored cases per second on a small fault-in template, -j1 and -j2.",
	bench_explore_options, bench_explore_set,
};

int bench_explore(int argc, char **argv)
{
	struct fl_scenario *sc;
	uint64_t n = 36864, cases;
	double r1, r2;
	int err;

	err = fl_cli_parse_no_operand(&bench_explore_spec, argc, argv, &n);
	if (err)
		return fl_cli_parsed(err);
	if (bench_scenario(n, &sc))
		return FL_EXIT_BUG;
	err = bench_one(sc, 1, &r1, &cases);
	if (!err)
		err = bench_one(sc, 2, &r2, &cases);
	fl_scenario_free(sc);
	if (err) {
		fl_cli_error("bench explore: %s", strerror(-err));
		return FL_EXIT_BUG;
	}
	printf("bench explore: %llu cases (3-page buffer, 1 bad page, fault_in_writeable + copy_to_user)\n",
	       (unsigned long long)cases);
	printf("  -j1  %12.0f cases/s\n  -j2  %12.0f cases/s   speed-up %.2fx\n",
	       r1, r2, r1 > 0 ? r2 / r1 : 0);
	printf("  goals: 1000000 cases/s on 2 cores (%s), -j2 >= 1.8x -j1 (%s)\n",
	       r2 >= 1e6 ? "met" : "not met", r1 > 0 && r2 / r1 >= 1.8 ? "met" : "not met");
	return FL_EXIT_OK;
}
