/*
 * cli/bench_copy.c - `faultline bench copy [--mib N] [--reps R]`: the cost
 * of the model's copy_to_user against the host's memcpy.
 *
 * One x86_64 world, one process, one anonymous rw mapping of N MiB
 * (default 64) populated first (MADV_POPULATE_WRITE), so every copy meets
 * present, writable pages and measures only the uaccess path: the page
 * walk of fl_user_reach, the arch decision, and the per-page memcpy of
 * fl_user_write.  memcpy moves the same bytes between two host buffers.
 * Each is timed with CLOCK_MONOTONIC; the best of R repetitions counts.
 * The goal is a ratio of at least 0.5: the model should cost no more than
 * one extra memcpy.  Timing is a measurement of the model, not part of it:
 * no test asserts it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <faultline/uaccess.h>

#include "cli/cli.h"

#define BENCH_COPY_BASE  ((fl_addr_t)1 << 32)

struct bench_copy {
	size_t bytes;
	unsigned reps;
	struct fl_world *w;
	uint8_t *src, *dst;
};

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

enum { OPT_MIB = 0x100, OPT_REPS };

static const struct fl_opt bench_copy_options[] = {
	{ "mib", OPT_MIB, "N", "MiB to copy, 1 to 4096 (default 64)" },
	{ "reps", OPT_REPS, "R", "repetitions, the best counts, 1 to 4096 (default 5)" },
	{ NULL, 0, NULL, NULL },
};

static int bench_copy_set(void *ctx, int key, const char *arg)
{
	struct bench_copy *b = ctx;
	uint64_t v;
	int rc = fl_cli_u64("bench copy", key == OPT_MIB ? "--mib" : "--reps", arg, 1, 4096, &v);

	if (!rc && key == OPT_MIB)
		b->bytes = (size_t)v << 20;
	else if (!rc)
		b->reps = (unsigned)v;
	return rc;
}

static const struct fl_cmd_spec bench_copy_spec = {
	"bench copy", "[OPTIONS]",
	"The model's copy_to_user throughput against the host's memcpy.",
	bench_copy_options, bench_copy_set,
};

/* The world: one process, the mapping populated.  0 or -errno. */
static int bench_copy_setup(struct bench_copy *b)
{
	struct fl_world_config cfg = {
		.arch = FL_ARCH_X86_64,
		.max_frames = b->bytes / FL_PAGE_SIZE + 1024,
	};
	struct fl_process *p;
	long addr;
	int err;

	b->w = fl_world_new(&cfg);
	b->src = malloc(b->bytes);
	b->dst = malloc(b->bytes);
	if (!b->w || !b->src || !b->dst)
		return -ENOMEM;
	memset(b->src, 0x5a, b->bytes);
	memset(b->dst, 0, b->bytes);
	err = fl_process_new(b->w, "bench", &p);
	if (err)
		return err;
	addr = fl_mmap(b->w, p->mm, BENCH_COPY_BASE, b->bytes, FL_PROT_READ | FL_PROT_WRITE,
		       FL_MAP_PRIVATE | FL_MAP_FIXED, NULL, 0);
	if (addr < 0)
		return (int)addr;
	return fl_madvise(b->w, p->mm, BENCH_COPY_BASE, b->bytes, FL_MADV_POPULATE_WRITE);
}

/* Best of the repetitions, in seconds; -1 if a model copy came up short. */
static double time_model(struct bench_copy *b)
{
	double best = 1e30;
	unsigned r;

	for (r = 0; r < b->reps; r++) {
		double t0 = now_sec(), t;
		unsigned long left = fl_copy_to_user(b->w, BENCH_COPY_BASE, b->src, b->bytes);

		t = now_sec() - t0;
		if (left)
			return -1;
		if (t < best)
			best = t;
	}
	return best;
}

static double time_memcpy(struct bench_copy *b)
{
	double best = 1e30;
	unsigned r;

	for (r = 0; r < b->reps; r++) {
		double t0 = now_sec(), t;

		memcpy(b->dst, b->src, b->bytes);
		t = now_sec() - t0;
		/* keep the copy observable so it is not optimised away */
		if (b->dst[r % b->bytes] != 0x5a)
			return -1;
		if (t < best)
			best = t;
	}
	return best;
}

int bench_copy(int argc, char **argv)
{
	struct bench_copy b = { .bytes = (size_t)64 << 20, .reps = 5 };
	double t_model, t_memcpy, mb;
	int rc, err;

	rc = fl_cli_parse_no_operand(&bench_copy_spec, argc, argv, &b);
	if (rc)
		return fl_cli_parsed(rc);
	err = bench_copy_setup(&b);
	if (err) {
		fl_cli_error("bench copy: set-up failed (%s)", strerror(-err));
		rc = FL_EXIT_FAIL;
		goto out;
	}
	t_memcpy = time_memcpy(&b);
	t_model = time_model(&b);
	if (t_model < 0 || t_memcpy < 0) {
		fl_cli_error("bench copy: a copy came up short: %s", fl_world_error(b.w));
		rc = FL_EXIT_BUG;
		goto out;
	}
	mb = (double)b.bytes / 1e6;
	printf("copy_to_user onto present pages, %zu MiB, best of %u\n", b.bytes >> 20, b.reps);
	printf("  model copy_to_user  %9.0f MB/s\n", mb / t_model);
	printf("  host memcpy         %9.0f MB/s\n", mb / t_memcpy);
	printf("  ratio model/memcpy  %9.2f   (goal >= 0.50)\n", t_memcpy / t_model);
out:
	fl_world_free(b.w);
	free(b.src);
	free(b.dst);
	return rc;
}
