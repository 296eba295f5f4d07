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
 * kernel's version in one world.  The cases and checks of the real side
 * are cli/matrix_sys.c (a VM guest runs the same file), the model's side
 * cli/matrix_model.c, which says how it stands in for /dev/zero.
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
#include "cli/matrix_model.h"

#define MX_TIMEOUT    300             /* seconds: the host child's alarm */
#define MX_ROUNDS     7               /* timed rounds per call and side; the median counts */
/*
 * A model sweep takes about 2 ms against the host's 50: a model round is
 * this many sweeps, so that each round spans several of the scheduler's
 * slices on a shared machine, as a host round does.
 */
#define MX_MODEL_SWEEPS 16

struct mx_side {
	struct mx_result r[MX_CALLS][MX_CASES];
	double sweep[MX_CALLS][MX_ROUNDS];      /* seconds per timed sweep */
	double per_call[MX_CALLS];      /* seconds: the median sweep of each call */
};

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

/* `kernel host`: the running kernel's version (the newest modelled if unknown). */
static fl_kver_t mx_kver(void)
{
	fl_kver_t v = fl_host_kver();

	return v ? v : fl_kver_newest();
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
			mx_model_call(m, call, &c[k]);
	return (now() - t) / MX_MODEL_SWEEPS;
}

/* ---- the host: a plain loop in a child ---- */

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
			out->r[call][k] = mx_host_case(&h, (enum mx_call)call, &c[k]);
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

/*
 * Both sides: the host child's checking pass (started first, so it runs
 * while the model checks its own), the model's, then the timed sweeps,
 * a host sweep and a model sweep in turn.
 */
static int mx_run(struct mx_side *host, struct mx_side *model,
		  const struct mx_case *c, unsigned n)
{
	struct mx_child ch = { -1, -1, -1 };
	struct mx_model *m = NULL;
	unsigned k;
	int call, round, err, stop;

	err = mx_model_new(FL_ARCH_X86_64, mx_kver(), 0, &m);
	if (!err)
		err = mx_host_start(&ch, host, c, n);
	for (call = 0; call < MX_CALLS && !err; call++)
		for (k = 0; k < n; k++)
			model->r[call][k] = mx_model_case(m, (enum mx_call)call, &c[k]);
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
	mx_model_free(m);
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

			t->host_ok += !a->flags && a->ret == want;
			t->model_ok += !b->flags && b->ret == want;
			if (a->ret == b->ret && a->flags == b->flags) {
				t->agree++;
				continue;
			}
			if (!t->shown)
				printf("  first disagreement: %s size %ld offset %ld: host ret %d%s, model ret %d%s\n",
				       mx_names[call], c[k].size, c[k].off, a->ret,
				       !a->flags ? "" : " (bytes changed)", b->ret,
				       !b->flags ? "" : " (bytes changed)");
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
