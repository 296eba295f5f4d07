/*
 * cli/cmd_bench.c - `faultline bench copy|vma`: measure the model.
 *
 * `bench vma [--n N]` answers one question: do mmap and munmap stay
 * O(log n) as the address space grows?  It maps N one-page anonymous
 * regions without a hint (each lands in the highest hole with a guard page
 * on both sides, found through the gap summary of the VMA tree), then
 * unmaps all of them in a random order (a seeded xorshift: the same order
 * every run).  Times are grouped by the number of VMAs in the tree when the
 * operation ran: the row "n=10000" is the mean over the operations done
 * with 1,000 to 10,000 VMAs mapped.  The last line compares the growth of
 * the per-operation time with what O(log n) and O(n) predict.
 *
 * Definitions
 *   bucket   the operations done while the tree held (previous checkpoint,
 *            checkpoint] VMAs; checkpoints are 1k, 10k, 100k, ... and N.
 *
 * Timing uses the host clock: it is a measurement of the model, not part of
 * it, and no test asserts it.  The mm is checked (fl_mm_check)
 * after the mmaps, outside the timing; a broken tree exits 4.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>

#include <faultline/mm.h>

#include "cli/cli.h"

#define BENCH_VMA_DEFAULT_N 1000000UL
#define BENCH_VMA_MAX_N     100000000UL
#define BENCH_SEED          0x9e3779b97f4a7c15ULL
#define BENCH_MAX_BUCKETS   16

struct bench_bucket {
	unsigned long upto;           /* checkpoint: tree size at its end */
	double mmap_ns, munmap_ns;    /* total time of the bucket's ops */
	unsigned long ops;
	int height;                   /* of the VMA tree at the checkpoint */
};

struct bench_vma {
	unsigned long n;
	struct fl_world *w;
	struct fl_mm *mm;
	fl_addr_t *addrs;             /* host-side list of what was mapped */
	struct bench_bucket b[BENCH_MAX_BUCKETS];
	int nb;
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint64_t xorshift64(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Checkpoints 1k, 10k, ... below N, then N itself. */
static void bench_buckets(struct bench_vma *bv)
{
	unsigned long c, prev = 0;

	for (c = 1000; c < bv->n && bv->nb < BENCH_MAX_BUCKETS - 1; c *= 10) {
		bv->b[bv->nb].upto = c;
		bv->b[bv->nb++].ops = c - prev;
		prev = c;
	}
	bv->b[bv->nb].upto = bv->n;
	bv->b[bv->nb++].ops = bv->n - prev;
}

static const struct fl_opt bench_vma_options[] = {
	{ "n", 0x100, "N", "one-page regions to map, 1 to 100000000 (default 1000000)" },
	{ NULL, 0, NULL, NULL },
};

static int bench_vma_set(void *ctx, int key, const char *arg)
{
	uint64_t v;
	int rc = fl_cli_u64("bench vma", "--n", arg, 1, BENCH_VMA_MAX_N, &v);

	(void)key;
	*(unsigned long *)ctx = (unsigned long)v;
	return rc;
}

static const struct fl_cmd_spec bench_vma_spec = {
	"bench vma", "[OPTIONS]",
	"mmap and munmap cost as the VMA tree grows: O(log n)?",
	bench_vma_options, bench_vma_set,
};

static int bench_vma_args(int argc, char **argv, unsigned long *n)
{
	*n = BENCH_VMA_DEFAULT_N;
	return fl_cli_parse_no_operand(&bench_vma_spec, argc, argv, n);
}

/* Map bucket by bucket; each op is an unhinted one-page private mapping. */
static int bench_mmaps(struct bench_vma *bv)
{
	unsigned long i = 0;
	double t;
	long addr;
	int k;

	for (k = 0; k < bv->nb; k++) {
		t = now_ns();
		for (; i < bv->b[k].upto; i++) {
			addr = fl_mmap(bv->w, bv->mm, 0, FL_PAGE_SIZE,
				       FL_PROT_READ | FL_PROT_WRITE,
				       FL_MAP_PRIVATE, NULL, 0);
			if (addr < 0) {
				fl_cli_error("bench vma: mmap #%lu: %s", i,
					     fl_world_error(bv->w));
				return FL_EXIT_FAIL;
			}
			bv->addrs[i] = (fl_addr_t)addr;
		}
		bv->b[k].mmap_ns = now_ns() - t;
		bv->b[k].height = bv->mm->vma_root ? bv->mm->vma_root->height : 0;
	}
	return FL_EXIT_OK;
}

/* Unmap in a random order, largest tree first: bucket k runs last-to-first. */
static int bench_munmaps(struct bench_vma *bv)
{
	uint64_t seed = BENCH_SEED;
	unsigned long i, j, left = bv->n;
	fl_addr_t tmp;
	double t;
	int k;

	for (i = bv->n - 1; i > 0; i--) {
		j = (unsigned long)(xorshift64(&seed) % (i + 1));
		tmp = bv->addrs[i];
		bv->addrs[i] = bv->addrs[j];
		bv->addrs[j] = tmp;
	}
	for (k = bv->nb - 1; k >= 0; k--) {
		unsigned long floor = k ? bv->b[k - 1].upto : 0;

		t = now_ns();
		for (; left > floor; left--) {
			if (fl_munmap(bv->w, bv->mm, bv->addrs[left - 1], FL_PAGE_SIZE)) {
				fl_cli_error("bench vma: munmap: %s", fl_world_error(bv->w));
				return FL_EXIT_FAIL;
			}
		}
		bv->b[k].munmap_ns = now_ns() - t;
	}
	return FL_EXIT_OK;
}

static int bench_vma_check(struct bench_vma *bv, size_t want)
{
	if (fl_mm_check(bv->w, bv->mm) || bv->mm->map_count != want) {
		fl_cli_error("bench vma: vma tree broken (%zu vmas, want %zu): %s",
			     bv->mm->map_count, want, fl_world_error(bv->w));
		return FL_EXIT_BUG;
	}
	return FL_EXIT_OK;
}

static double per_op(double total, unsigned long ops)
{
	return ops ? total / (double)ops : 0.0;
}

static void bench_vma_report(const struct bench_vma *bv)
{
	const struct bench_bucket *lo = &bv->b[0], *hi = &bv->b[bv->nb - 1];
	int k;

	printf("bench vma: %lu unhinted 1-page anonymous mmaps, then munmaps in random order (seed %#llx)\n",
	       bv->n, (unsigned long long)BENCH_SEED);
	/*
	 * Time per op also grows with cache misses once the tree outgrows the
	 * caches (1M nodes are ~128 MB), so the tree's height is printed too:
	 * every operation walks one root-to-leaf path, and an AVL tree of n
	 * nodes is at most 1.44 log2(n) high.
	 */
	printf("%10s %10s %14s %14s %8s %12s\n", "vmas<=", "ops", "mmap ns/op",
	       "munmap ns/op", "height", "1.44log2(n)");
	for (k = 0; k < bv->nb; k++)
		printf("%10lu %10lu %14.1f %14.1f %8d %12.1f\n", bv->b[k].upto, bv->b[k].ops,
		       per_op(bv->b[k].mmap_ns, bv->b[k].ops),
		       per_op(bv->b[k].munmap_ns, bv->b[k].ops), bv->b[k].height,
		       1.44 * log2((double)bv->b[k].upto));
	if (bv->nb < 2 || lo->upto < 2) {
		printf("growth: n/a (needs n > 1000)\n");
		return;
	}
	printf("growth %lu->%lu: mmap x%.2f, munmap x%.2f; O(log n) predicts x%.2f, O(n) x%.0f\n",
	       lo->upto, hi->upto,
	       per_op(hi->mmap_ns, hi->ops) / per_op(lo->mmap_ns, lo->ops),
	       per_op(hi->munmap_ns, hi->ops) / per_op(lo->munmap_ns, lo->ops),
	       log2((double)hi->upto) / log2((double)lo->upto),
	       (double)hi->upto / (double)lo->upto);
}

static int bench_vma_run(struct bench_vma *bv)
{
	struct fl_process *p;
	int rc;

	if (fl_process_new(bv->w, "bench", &p)) {
		fl_cli_error("bench vma: %s", fl_world_error(bv->w));
		return FL_EXIT_FAIL;
	}
	bv->mm = p->mm;
	bench_buckets(bv);
	rc = bench_mmaps(bv);
	if (!rc)
		rc = bench_vma_check(bv, bv->n);
	if (!rc)
		rc = bench_munmaps(bv);
	if (!rc)
		rc = bench_vma_check(bv, 0);
	if (!rc)
		bench_vma_report(bv);
	return rc;
}

static int bench_vma(int argc, char **argv)
{
	struct bench_vma bv = { 0 };
	struct fl_world_config cfg = { 0 };
	int rc;

	rc = bench_vma_args(argc, argv, &bv.n);
	if (rc)
		return fl_cli_parsed(rc);
	/* A VMA and its tree summary take 128 bytes of arena; room for 4x. */
	cfg.arena_bytes = ((size_t)64 << 20) + (size_t)bv.n * 512;
	cfg.max_frames = 4096;
	bv.addrs = malloc(bv.n * sizeof(*bv.addrs));
	bv.w = fl_world_new(&cfg);
	if (!bv.addrs || !bv.w) {
		fl_cli_error("bench vma: out of memory");
		rc = FL_EXIT_FAIL;
		goto out;
	}
	rc = bench_vma_run(&bv);
out:
	fl_world_free(bv.w);
	free(bv.addrs);
	return rc;
}

static const struct fl_cmd bench_cmds[] = {
	{ "copy", bench_copy, "copy [--mib N] [--reps R]   uaccess copy throughput" },
	{ "vma",  bench_vma,  "vma [--n N]                 mmap/munmap cost as the vma tree grows" },
	{ "explore", bench_explore, "explore [--cases N]         explored cases per second, -j1 and -j2" },
	{ "matrix", bench_matrix, "matrix                      the Rutland matrix at system-call level: host vs model" },
	{ "judge", bench_judge, "judge [--cases N] [--kernel K] cases/s a kernel judges, vs a raw syscall loop there" },
};

static void bench_usage(FILE *out)
{
	size_t i;

	fputs("usage: faultline bench BENCHMARK [OPTIONS]\nMeasure the model; "
	      "'faultline bench BENCHMARK --help' lists its options.\n\nbenchmarks:\n", out);
	for (i = 0; i < sizeof(bench_cmds) / sizeof(bench_cmds[0]); i++)
		fprintf(out, "  %s\n", bench_cmds[i].usage);
}

int cmd_bench(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		bench_usage(stderr);
		return FL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		bench_usage(stdout);
		return FL_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("faultline %s\n", FL_VERSION);
		return FL_EXIT_OK;
	}
	for (i = 0; i < sizeof(bench_cmds) / sizeof(bench_cmds[0]); i++)
		if (!strcmp(argv[1], bench_cmds[i].name))
			return bench_cmds[i].fn(argc - 1, argv + 1);
	fl_cli_error("bench: '%s' is not a benchmark; see 'faultline bench --help'", argv[1]);
	return FL_EXIT_USAGE;
}
