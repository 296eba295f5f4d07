/*
 * cli/bench_matrix.c - `faultline bench matrix`: Mark Rutland's usercopy
 * matrix at system-call level, on the running kernel and on the model,
 * case by case (host-cases.md, case 2).
 *
 * One read-write page with PROT_NONE pages on both sides; for every size
 * 0..128 and every destination offset in [-size, 0] and
 * [PAGE_SIZE - size, PAGE_SIZE] (16,770 pairs), three calls:
 *   pread   of a file holding `i & 0xff`   (copy_to_user)
 *   pwrite  to a file holding 0xaa         (copy_from_user)
 *   read    of /dev/zero                   (clear_user)
 * 50,310 cases.  Each case must return the length of the accessible prefix
 * (-1/EFAULT when the first byte is inaccessible, 0 for size 0) and leave
 * every other byte alone: for pread and read the bytes of the page outside
 * [dst, dst + ret), within 64 bytes of the buffer; for pwrite the file
 * bytes [ret, size).  The host runs in a forked child with limits (a plain
 * loop of real system calls); the model runs x86_64 at the running
 * kernel's version in one world.  pread and pwrite go through the model's
 * callers (fl_sys_pread, fl_sys_pwrite: filemap_read and
 * generic_perform_write); the model has no /dev/zero, so the read of
 * /dev/zero drives fl_clear_user() directly with the syscall's
 * convention (-1/EFAULT when nothing was cleared).  The output says so.
 *
 * Two passes per side.  The checking pass runs each case alone and looks
 * at its result (nothing of it is timed).  The timing pass is the issue's
 * "plain C loop": the 16,770 calls of one kind back to back, nothing else
 * in the loop, CLOCK_MONOTONIC read only before and after the sweep.
 * Host and model rounds alternate, MX_ROUNDS of each per call (the parent
 * starts each host round over a pipe and waits for it), so both sides run
 * under the same load on this shared machine; the median round of each
 * side counts.  (An earlier version read the clock around every call and
 * took a calibrated clock cost off each: a clock read costs as much as a
 * model call, so the model's figure was mostly the clock's jitter.)  The calls
 * are the same in both passes and their results do not depend on what
 * earlier calls left in the page or the file.  Timing is a measurement,
 * not part of the model: no test asserts it.  Exit 1 if the two sides
 * disagree on any case or either breaks the contract.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <faultline/callers.h>
#include <faultline/run.h>
#include <faultline/uaccess.h>

#include "cli/cli.h"

#define MX_MAX_SIZE   128
#define MX_CASES      16770u          /* sum over size of 2 * (size + 1) */
#define MX_CALLS      3
#define MX_PAGE       4096L
#define MX_FILL       0x5a            /* the page before each case */
#define MX_FILE_FILL  0xaa            /* the pwrite file before each case */
#define MX_WINDOW     64              /* bytes checked on each side */
#define MX_BASE       ((fl_addr_t)1 << 32)   /* the model's page - 1 page */
#define MX_TIMEOUT    300             /* seconds: the host child's alarm */
#define MX_ROUNDS     7               /* timed rounds per call and side; the median counts */
/*
 * A model sweep takes about 2 ms against the host's 50: a model round is
 * this many sweeps, so that each round spans several of the scheduler's
 * slices on a shared machine, as a host round does.
 */
#define MX_MODEL_SWEEPS 16

enum mx_call { MX_PREAD, MX_PWRITE, MX_CLEAR };

static const char *const mx_names[MX_CALLS] = {
	"pread  (copy_to_user)", "pwrite (copy_from_user)", "read /dev/zero (clear_user)",
};

struct mx_result {
	int32_t ret;
	uint8_t clean;          /* nothing outside the reported bytes changed */
};

struct mx_side {
	struct mx_result r[MX_CALLS][MX_CASES];
	double sweep[MX_CALLS][MX_ROUNDS];      /* seconds per timed sweep */
	double per_call[MX_CALLS];      /* seconds: the median sweep of each call */
};

/* Case K of the walk: SIZE and the offset of the buffer from the page. */
struct mx_case {
	long size, off;
};

static unsigned mx_cases(struct mx_case *c)
{
	unsigned n = 0;
	long size, off;

	for (size = 0; size <= MX_MAX_SIZE; size++) {
		for (off = -size; off <= 0; off++)
			c[n++] = (struct mx_case){ size, off };
		for (off = MX_PAGE - size; off <= MX_PAGE; off++)
			c[n++] = (struct mx_case){ size, off };
	}
	return n;
}

/* What host-cases.md case 2 says the call returns. */
static long mx_expected(const struct mx_case *c)
{
	long reach = c->off < 0 ? 0 : c->off + c->size <= MX_PAGE ? c->size : MX_PAGE - c->off;

	if (c->size == 0)
		return 0;
	return reach ? reach : -1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The median of N timings (N small: insertion sort in place). */
static double mx_median(double *t, int n)
{
	int i, j;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && t[j] < t[j - 1]; j--) {
			double x = t[j];

			t[j] = t[j - 1];
			t[j - 1] = x;
		}
	return t[n / 2];
}

/* The window of the page a case may touch, and a little around it. */
static void mx_window(const struct mx_case *c, long *lo, long *hi)
{
	*lo = c->off - MX_WINDOW < 0 ? 0 : c->off - MX_WINDOW;
	*hi = c->off + c->size + MX_WINDOW > MX_PAGE ? MX_PAGE : c->off + c->size + MX_WINDOW;
}

/* PAGE (bytes [lo, hi) of it) after a pread or clear: only [off, off+ret) moved. */
static bool mx_page_clean(const uint8_t *page, const struct mx_case *c, long ret,
			  enum mx_call call, long lo, long hi)
{
	long i, got = ret > 0 ? ret : 0;

	for (i = lo; i < hi; i++) {
		bool inside = i >= c->off && i < c->off + got;
		uint8_t want = !inside ? MX_FILL : call == MX_CLEAR ? 0 : (uint8_t)(i - c->off);

		if (page[i - lo] != want)
			return false;
	}
	return true;
}

/* The pwrite file's first SIZE bytes: [0, ret) from the page, the rest 0xaa. */
static bool mx_file_clean(const uint8_t *file, const struct mx_case *c, long ret)
{
	long i, got = ret > 0 ? ret : 0;

	for (i = 0; i < c->size; i++)
		if (file[i] != (i < got ? MX_FILL : MX_FILE_FILL))
			return false;
	return true;
}

/* ---- the host: a plain loop in a child ---- */

struct mx_host {
	uint8_t *page;
	int src, dst, zero;
	uint8_t aa[MX_MAX_SIZE];
};

static int mx_host_setup(struct mx_host *h)
{
	uint8_t seq[MX_MAX_SIZE];
	char *region;
	int i;

	region = mmap(NULL, 3 * MX_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED || mprotect(region + MX_PAGE, MX_PAGE, PROT_READ | PROT_WRITE))
		return -errno;
	h->page = (uint8_t *)region + MX_PAGE;
	memset(h->page, MX_FILL, MX_PAGE);
	for (i = 0; i < MX_MAX_SIZE; i++)
		seq[i] = (uint8_t)i;
	memset(h->aa, MX_FILE_FILL, sizeof(h->aa));
	h->src = memfd_create("matrix-src", MFD_CLOEXEC);
	h->dst = memfd_create("matrix-dst", MFD_CLOEXEC);
	h->zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	if (h->src < 0 || h->dst < 0 || h->zero < 0 ||
	    pwrite(h->src, seq, sizeof(seq), 0) != (ssize_t)sizeof(seq) ||
	    pwrite(h->dst, h->aa, sizeof(h->aa), 0) != (ssize_t)sizeof(h->aa))
		return -errno;
	return 0;
}

static long mx_host_call(struct mx_host *h, enum mx_call call, uint8_t *buf, long size)
{
	switch (call) {
	case MX_PREAD:  return pread(h->src, buf, (size_t)size, 0);
	case MX_PWRITE: return pwrite(h->dst, buf, (size_t)size, 0);
	default:        return read(h->zero, buf, (size_t)size);
	}
}

static void mx_host_case(struct mx_host *h, struct mx_side *out, enum mx_call call,
			 const struct mx_case *c, unsigned k)
{
	uint8_t file[MX_MAX_SIZE];
	long lo, hi, ret;

	ret = mx_host_call(h, call, h->page + c->off, c->size);
	if (ret < 0 && errno != EFAULT)
		ret = -1000 - errno;    /* an unexpected errno shows as a disagreement */
	out->r[call][k].ret = (int32_t)ret;
	mx_window(c, &lo, &hi);
	if (call == MX_PWRITE) {
		out->r[call][k].clean = pread(h->dst, file, MX_MAX_SIZE, 0) == MX_MAX_SIZE &&
					mx_file_clean(file, c, ret);
		pwrite(h->dst, h->aa, sizeof(h->aa), 0);
		return;
	}
	out->r[call][k].clean = mx_page_clean(h->page + lo, c, ret, call, lo, hi);
	memset(h->page + lo, MX_FILL, (size_t)(hi - lo));
}

/* One timed sweep of CALL over the N cases: seconds. */
static double mx_host_sweep(struct mx_host *h, enum mx_call call,
			    const struct mx_case *c, unsigned n)
{
	double t = now();
	unsigned k;

	for (k = 0; k < n; k++)
		mx_host_call(h, call, h->page + c[k].off, c[k].size);
	return now() - t;
}

/*
 * The child: the checking pass, then one timed sweep per byte the parent
 * sends (the byte is the call); it answers each with a byte of its own.
 */
static void __attribute__((noreturn)) mx_host_child(struct mx_side *out, const struct mx_case *c,
						    unsigned n, int go, int done)
{
	struct rlimit cpu = { MX_TIMEOUT, MX_TIMEOUT };
	int round[MX_CALLS] = { 0 };
	struct mx_host h;
	unsigned char call;
	unsigned k;

	setrlimit(RLIMIT_CPU, &cpu);
	alarm(MX_TIMEOUT);
	if (mx_host_setup(&h))
		_exit(2);
	for (call = 0; call < MX_CALLS; call++)
		for (k = 0; k < n; k++)
			mx_host_case(&h, out, (enum mx_call)call, &c[k], k);
	while (write(done, "c", 1) == 1 && read(go, &call, 1) == 1 && call < MX_CALLS &&
	       round[call] < MX_ROUNDS)
		out->sweep[call][round[call]++] = mx_host_sweep(&h, (enum mx_call)call, c, n);
	_exit(0);
}

/* The host child and the pipes that pace its sweeps. */
struct mx_child {
	pid_t pid;
	int go, done;           /* parent's ends: write a call, read its answer */
};

/* Start the host side in a child; OUT is shared memory it fills. */
static int mx_host_start(struct mx_child *ch, struct mx_side *out,
			 const struct mx_case *c, unsigned n)
{
	int go[2], done[2];

	if (pipe(go))
		return -errno;
	if (pipe(done)) {
		close(go[0]);
		close(go[1]);
		return -errno;
	}
	fflush(NULL);
	ch->pid = fork();
	if (ch->pid == 0) {
		close(go[1]);
		close(done[0]);
		mx_host_child(out, c, n, go[0], done[1]);
	}
	close(go[0]);
	close(done[1]);
	ch->go = go[1];
	ch->done = done[0];
	return ch->pid < 0 ? -EAGAIN : 0;
}

/* Wait for the child's answer: its checking pass, or the sweep asked last. */
static int mx_host_wait(struct mx_child *ch)
{
	char c;

	return read(ch->done, &c, 1) == 1 ? 0 : -ECHILD;
}

/* Have the child run one timed sweep of CALL and wait for it. */
static int mx_host_sweep_in_child(struct mx_child *ch, enum mx_call call)
{
	unsigned char c = (unsigned char)call;

	if (write(ch->go, &c, 1) != 1)
		return -ECHILD;
	return mx_host_wait(ch);
}

/* Let the child go (closing its pipe ends it) and reap it. */
static int mx_host_stop(struct mx_child *ch)
{
	int status;

	close(ch->go);
	close(ch->done);
	if (ch->pid <= 0)
		return -ECHILD;
	if (waitpid(ch->pid, &status, 0) != ch->pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -ECHILD;
	return 0;
}

/* ---- the model ---- */

struct mx_model {
	struct fl_world *w;
	struct fl_mm *mm;
	struct fl_file *src, *dst;
	fl_addr_t page;
	uint8_t fill[MX_PAGE];
	uint8_t aa[MX_MAX_SIZE];
};

/* `kernel host`: the running kernel's version (the newest modelled if unknown). */
static fl_kver_t mx_kver(void)
{
	fl_kver_t v = fl_host_kver();

	return v ? v : fl_kver_newest();
}

static int mx_model_setup(struct mx_model *m)
{
	struct fl_world_config cfg = { .arch = FL_ARCH_X86_64, .kver = mx_kver() };
	struct fl_process *p;
	uint8_t seq[MX_MAX_SIZE];
	int i, err;
	long addr;

	m->w = fl_world_new(&cfg);
	if (!m->w)
		return -ENOMEM;
	err = fl_process_new(m->w, "matrix", &p);
	if (err)
		return err;
	m->mm = p->mm;
	addr = fl_mmap(m->w, m->mm, MX_BASE, 3 * MX_PAGE, FL_PROT_NONE,
		       FL_MAP_PRIVATE | FL_MAP_FIXED, NULL, 0);
	if (addr < 0)
		return (int)addr;
	m->page = MX_BASE + MX_PAGE;
	err = fl_mprotect(m->w, m->mm, m->page, MX_PAGE, FL_PROT_READ | FL_PROT_WRITE);
	memset(m->fill, MX_FILL, sizeof(m->fill));
	memset(m->aa, MX_FILE_FILL, sizeof(m->aa));
	for (i = 0; i < MX_MAX_SIZE; i++)
		seq[i] = (uint8_t)i;
	if (!err)
		err = fl_poke(m->w, m->mm, m->page, m->fill, MX_PAGE);
	if (!err)
		err = fl_file_new(m->w, "src", MX_MAX_SIZE, FL_FS_TMPFS, &m->src);
	if (!err)
		err = fl_file_new(m->w, "dst", MX_MAX_SIZE, FL_FS_TMPFS, &m->dst);
	if (!err && fl_file_pwrite(m->w, m->src, seq, sizeof(seq), 0) != (long)sizeof(seq))
		err = -EIO;
	if (!err && fl_file_pwrite(m->w, m->dst, m->aa, sizeof(m->aa), 0) != (long)sizeof(m->aa))
		err = -EIO;
	return err;
}

/* The syscall's convention over a count of bytes NOT done. */
static long mx_syscall_ret(unsigned long left, long size)
{
	long done = size - (long)left;

	if (size == 0)
		return 0;
	return done ? done : -1;
}

static long mx_model_call(struct mx_model *m, enum mx_call call, fl_addr_t buf, long size)
{
	long ret;

	switch (call) {
	case MX_PREAD:
		ret = fl_sys_pread(m->w, m->src, buf, (size_t)size, 0);
		break;
	case MX_PWRITE:
		ret = fl_sys_pwrite(m->w, m->dst, buf, (size_t)size, 0);
		break;
	default:        /* no /dev/zero in the model: clear_user itself */
		return mx_syscall_ret(fl_clear_user(m->w, buf, (unsigned long)size), size);
	}
	return ret == -EFAULT ? -1 : ret < 0 ? -1000 + ret : ret;
}

static void mx_model_case(struct mx_model *m, struct mx_side *out, enum mx_call call,
			  const struct mx_case *c, unsigned k)
{
	uint8_t buf[MX_PAGE];
	long lo, hi, ret;

	ret = mx_model_call(m, call, m->page + (fl_addr_t)c->off, c->size);
	out->r[call][k].ret = (int32_t)ret;
	mx_window(c, &lo, &hi);
	if (call == MX_PWRITE) {
		out->r[call][k].clean =
			fl_file_pread(m->w, m->dst, buf, MX_MAX_SIZE, 0) == MX_MAX_SIZE &&
			mx_file_clean(buf, c, ret);
		fl_file_pwrite(m->w, m->dst, m->aa, sizeof(m->aa), 0);
		return;
	}
	out->r[call][k].clean = fl_peek(m->w, m->mm, m->page + (fl_addr_t)lo, buf,
					(size_t)(hi - lo)) == 0 &&
				mx_page_clean(buf, c, ret, call, lo, hi);
	fl_poke(m->w, m->mm, m->page + (fl_addr_t)lo, m->fill, (size_t)(hi - lo));
}

/* One timed round of CALL over the N cases: seconds per sweep. */
static double mx_model_sweep(struct mx_model *m, enum mx_call call,
			     const struct mx_case *c, unsigned n)
{
	double t = now();
	unsigned k;
	int sweep;

	for (sweep = 0; sweep < MX_MODEL_SWEEPS; sweep++)
		for (k = 0; k < n; k++)
			mx_model_call(m, call, m->page + (fl_addr_t)c[k].off, c[k].size);
	return (now() - t) / MX_MODEL_SWEEPS;
}

/*
 * Both sides: the host child's checking pass (started first, so it runs
 * while the model checks its own), the model's, then the timed sweeps,
 * a host sweep and a model sweep in turn.
 */
static int mx_run(struct mx_side *host, struct mx_side *model,
		  const struct mx_case *c, unsigned n)
{
	struct mx_model *m = calloc(1, sizeof(*m));
	struct mx_child ch = { -1, -1, -1 };
	unsigned k;
	int call, round, err, stop;

	if (!m)
		return -ENOMEM;
	err = mx_model_setup(m);
	if (!err)
		err = mx_host_start(&ch, host, c, n);
	for (call = 0; call < MX_CALLS && !err; call++)
		for (k = 0; k < n; k++)
			mx_model_case(m, model, (enum mx_call)call, &c[k], k);
	if (!err)
		err = mx_host_wait(&ch);
	for (call = 0; call < MX_CALLS && !err; call++) {
		for (round = 0; round < MX_ROUNDS && !err; round++) {
			err = mx_host_sweep_in_child(&ch, (enum mx_call)call);
			model->sweep[call][round] = mx_model_sweep(m, (enum mx_call)call, c, n);
		}
		host->per_call[call] = mx_median(host->sweep[call], MX_ROUNDS);
		model->per_call[call] = mx_median(model->sweep[call], MX_ROUNDS);
	}
	stop = ch.pid > 0 || ch.go >= 0 ? mx_host_stop(&ch) : 0;
	fl_world_free(m->w);
	free(m);
	return err ? err : stop;
}

/* ---- comparing and reporting ---- */

struct mx_tally {
	unsigned agree, host_ok, model_ok;
	bool shown;
};

static void mx_compare(const struct mx_side *h, const struct mx_side *m,
		       const struct mx_case *c, unsigned n, struct mx_tally *t)
{
	unsigned k;
	int call;

	for (call = 0; call < MX_CALLS; call++) {
		for (k = 0; k < n; k++) {
			const struct mx_result *a = &h->r[call][k], *b = &m->r[call][k];
			long want = mx_expected(&c[k]);

			t->host_ok += a->clean && a->ret == want;
			t->model_ok += b->clean && b->ret == want;
			if (a->ret == b->ret && a->clean == b->clean) {
				t->agree++;
				continue;
			}
			if (!t->shown)
				printf("  first disagreement: %s size %ld offset %ld: host ret %d%s, model ret %d%s\n",
				       mx_names[call], c[k].size, c[k].off, a->ret,
				       a->clean ? "" : " (bytes outside changed)", b->ret,
				       b->clean ? "" : " (bytes outside changed)");
			t->shown = true;
		}
	}
}

static int bench_matrix_set(void *ctx, int key, const char *arg)
{
	(void)ctx, (void)key, (void)arg;
	return FL_EXIT_OK;
}

static const struct fl_cmd_spec bench_matrix_spec = {
	"bench matrix", "",
	"The Rutland matrix at system-call level on the running kernel and the model:\n"
	"agreement case by case, and cases per second of each.",
	NULL, bench_matrix_set,
};

int bench_matrix(int argc, char **argv)
{
	static struct mx_case cases[MX_CASES];
	struct mx_side *host, *model;
	struct mx_tally t = { 0 };
	unsigned n = mx_cases(cases), total = n * MX_CALLS;
	double host_s = 0, model_s = 0;
	char kv[32];
	int rc = FL_EXIT_OK, err, call;

	rc = fl_cli_parse_no_operand(&bench_matrix_spec, argc, argv, NULL);
	if (rc)
		return fl_cli_parsed(rc);
	/* Shared with the host child, which writes its results here. */
	host = mmap(NULL, sizeof(*host), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	model = calloc(1, sizeof(*model));
	if (host == MAP_FAILED || !model) {
		fl_cli_error("bench matrix: out of memory");
		free(model);
		return host == MAP_FAILED ? FL_EXIT_FAIL : (munmap(host, sizeof(*host)), FL_EXIT_FAIL);
	}
	err = mx_run(host, model, cases, n);
	if (err) {
		fl_cli_error("bench matrix: the run failed (%s)", strerror(-err));
		rc = FL_EXIT_FAIL;
		goto out;
	}
	printf("bench matrix: the Rutland matrix at system-call level, x86_64, kernel %s\n",
	       fl_kver_format(mx_kver(), kv, sizeof(kv)));
	printf("  %u sizes x offsets per call; pread, pwrite, read of /dev/zero: %u cases\n",
	       n, total);
	printf("  model: pread/pwrite through fl_sys_pread/fl_sys_pwrite; read of /dev/zero\n"
	       "         drives fl_clear_user() directly (no /dev/zero in the model), -1/EFAULT when nothing cleared\n");
	mx_compare(host, model, cases, n, &t);
	printf("  agree        %u of %u cases (return value and bytes outside the copy)\n",
	       t.agree, total);
	printf("  host-cases 2 %u of %u on the host, %u of %u on the model\n",
	       t.host_ok, total, t.model_ok, total);
	for (call = 0; call < MX_CALLS; call++) {
		host_s += host->per_call[call];
		model_s += model->per_call[call];
	}
	printf("  timing       loops of calls only; per call %d host rounds (1 sweep) and %d model\n"
	       "               rounds (%d sweeps) in turn, the median round of each side\n",
	       MX_ROUNDS, MX_ROUNDS, MX_MODEL_SWEEPS);
	printf("  host         %12.0f cases/s  (real system calls)\n", total / host_s);
	printf("  model        %12.0f cases/s\n", total / model_s);
	for (call = 0; call < MX_CALLS; call++)
		printf("    %-28s host %10.0f/s  model %10.0f/s  x%.1f\n", mx_names[call],
		       n / host->per_call[call], n / model->per_call[call],
		       host->per_call[call] / model->per_call[call]);
	printf("  ratio model/host %8.1fx  (goal >= 20x)\n", host_s / model_s);
	if (t.agree != total || t.host_ok != total || t.model_ok != total)
		rc = FL_EXIT_FAIL;
out:
	munmap(host, sizeof(*host));
	free(model);
	return rc;
}
