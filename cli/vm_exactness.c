/*
 * cli/vm_exactness.c - `faultline exactness --kernel NAME|PATH`: the
 * Rutland matrix at system-call level on a real kernel under QEMU and on
 * the model for that kernel's exact upstream version, case by case.
 *
 * The guest runs cli/matrix_sys.c (the code `bench matrix` runs here) and
 * reports every case whose result is not the contract's; the model runs
 * cli/matrix_model.c on the guest's arch at the version /proc/version
 * gives (stable backports included: 5.10.223 is not 5.10).  Both sides are
 * put in the same classes as `exactness` on the model alone:
 *   exact        ret is the accessible prefix and no other byte changed
 *   under        fewer bytes reported than were accessible, some reported
 *   clobber      a byte beyond the reported ones changed
 *   over         a reported byte is not what the call puts there
 *   noprog       bytes were accessible, none reported (-1/EFAULT)
 *   spins        the call never returns: the model proves a livelock, the
 *                guest's watchdog killed it (vm/guest_init.c, MX_RET_SPINS)
 * A case agrees when both sides return the same and change the same
 * bytes (matrix_sys.h's flags).  Exit 0 when every case agrees, 1 when
 * one does not or the guest did not finish (hung, panicked: the watchdog
 * says which), 2 for a bad name, 3 when the judge cannot run here (not
 * fetched, no QEMU, no guest /init built).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/eras.h>

#include "cli/cli.h"
#include "cli/matrix_model.h"
#include "cli/vm.h"

#define VX_TIMEOUT 3600         /* seconds for boot and matrix under TCG (armhf 6.x: ~8,000 spins) */

struct vx_side {
	struct mx_result r[MX_CALLS][MX_CASES];
};

/* What the guest said. */
struct vx_guest {
	struct vx_side *real;
	const struct mx_case *cases;
	char version[256];
	fl_kver_t kver;
	int mte;                        /* -1 unknown */
	int erms, fsrm;                 /* x86 CPU flags; -1 unknown */
	unsigned lines[MX_CALLS];       /* R lines seen */
	long ended[MX_CALLS];           /* R lines the guest counted; -1 none */
	long long sweep_ns[MX_CALLS];
	unsigned spins[MX_CALLS];       /* calls the sweep left out: they never return */
	/* FL:CPU: the watchdog's margin (vm/guest_init.c struct mx_shared) */
	long long max_ns[MX_CALLS];
	unsigned max_case[MX_CALLS];
	long max_ticks[MX_CALLS], spin_ticks, hz;
	char error[200];
};

static int vx_line(const char *l, void *arg)
{
	struct vx_guest *g = arg;
	int call, ret;
	unsigned k, flags, n, spins = 0;
	long long ns;
	long n2, st, hz;

	if (sscanf(l, "R %d %u %d %u", &call, &k, &ret, &flags) == 4) {
		if (call < 0 || call >= MX_CALLS || k >= MX_CASES)
			return 0;
		g->real->r[call][k] = (struct mx_result){ ret, (uint8_t)flags };
		g->lines[call]++;
	} else if (sscanf(l, "END %d %u", &call, &n) == 2 && call >= 0 && call < MX_CALLS) {
		g->ended[call] = n;
	} else if (sscanf(l, "SWEEP %d %lld %u", &call, &ns, &spins) >= 2 && call >= 0 &&
		   call < MX_CALLS) {
		g->sweep_ns[call] = ns;
		g->spins[call] = spins;
	} else if (sscanf(l, "CPU %d %lld %u %ld %ld %ld", &call, &ns, &k, &n2, &st, &hz) == 6 &&
		   call >= 0 && call < MX_CALLS && k < MX_CASES) {
		g->max_ns[call] = ns;
		g->max_case[call] = k;
		g->max_ticks[call] = n2;
		g->spin_ticks = st;
		g->hz = hz;
	} else if (!strncmp(l, "VERSION ", 8)) {
		snprintf(g->version, sizeof(g->version), "%s", l + 8);
	} else if (sscanf(l, "MTE %d", &g->mte) == 1 ||
		   sscanf(l, "X86 erms=%d fsrm=%d", &g->erms, &g->fsrm) == 2) {
		;
	} else if (!strncmp(l, "ERROR ", 6) && !g->error[0]) {
		snprintf(g->error, sizeof(g->error), "%s", l + 6);
	}
	return 0;
}

/*
 * The guest's timed sweep of each call's bare system calls (one loop, no
 * checks): the raw rate a judge in that guest is measured against.  A
 * measurement under TCG on a shared machine, not a check.
 */
static void vx_print_sweeps(const struct vx_guest *g, unsigned n)
{
	int call;

	printf("guest raw loop (one sweep of the %u bare calls):", n);
	for (call = 0; call < MX_CALLS; call++)
		if (g->sweep_ns[call] > 0)
			printf(" %s %.0f/s%s", call == MX_PREAD ? "pread" : call == MX_PWRITE ? "pwrite" : "read",
			       (n - g->spins[call]) * 1e9 / (double)g->sweep_ns[call],
			       call + 1 < MX_CALLS ? "," : "");
	putchar('\n');
}

/*
 * The guest's watchdog against the calls that returned: the most CPU one
 * took and the most ticks the watcher saw charged to one (its threshold
 * must stand well above both: docs/vm.md "The matrix's watchdog").
 */
static void vx_print_watchdog(const struct vx_guest *g)
{
	int call;

	if (!g->hz)
		return;
	printf("guest watchdog: a call is killed after %ld ticks (%.0f ms) of CPU in one case; "
	       "the calls that returned took at most:", g->spin_ticks,
	       g->spin_ticks * 1000.0 / (double)g->hz);
	for (call = 0; call < MX_CALLS; call++)
		printf(" %s %.3f ms (size %ld at %ld, %ld tick%s)%s", mx_names[call],
		       g->max_ns[call] / 1e6, g->cases[g->max_case[call]].size,
		       g->cases[g->max_case[call]].off, g->max_ticks[call],
		       g->max_ticks[call] == 1 ? "" : "s", call + 1 < MX_CALLS ? "," : "");
	putchar('\n');
}

/* A case's classes, as bits. */
enum vx_class { VX_EXACT = 1, VX_UNDER = 2, VX_CLOBBER = 4, VX_OVER = 8, VX_NOPROG = 16,
		VX_SPINS = 32 };
#define VX_NCLASS 6

static unsigned vx_classify(const struct mx_case *c, const struct mx_result *r)
{
	long reach = mx_reach(c), got = r->ret > 0 ? r->ret : 0;
	unsigned cls = 0;

	if (r->ret == mx_expected(c) && !r->flags)
		return VX_EXACT;
	if (r->ret == MX_RET_SPINS)
		return VX_SPINS | (r->flags & MX_CLOBBER ? VX_CLOBBER : 0);
	if (got > 0 && got < reach)
		cls |= VX_UNDER;
	if (r->flags & MX_CLOBBER)
		cls |= VX_CLOBBER;
	if ((r->flags & MX_WRONG) || got > reach)
		cls |= VX_OVER;
	if (reach > 0 && got == 0)
		cls |= VX_NOPROG;
	return cls;
}

struct vx_counts {
	unsigned n[VX_NCLASS];
};

static void vx_count(struct vx_counts *t, unsigned cls)
{
	int i;

	for (i = 0; i < VX_NCLASS; i++)
		t->n[i] += !!(cls & (1u << i));
}

static void vx_print_counts(const char *side, const struct vx_counts *t)
{
	printf("    %-6s exact %6u  under %6u  clobber %6u  over %6u  noprog %6u  spins %6u\n",
	       side, t->n[0], t->n[1], t->n[2], t->n[3], t->n[4], t->n[5]);
}

/* Compare and print one call, then its first differing cases: the number that differ. */
static unsigned vx_report_call(const struct vx_side *real, const struct vx_side *model,
			       const struct mx_case *cases, unsigned n, int call, bool verbose)
{
	struct vx_counts rc = { { 0 } }, mc = { { 0 } };
	unsigned k, disagree = 0, shown = 0;

	for (k = 0; k < n; k++) {
		const struct mx_result *a = &real->r[call][k], *b = &model->r[call][k];

		vx_count(&rc, vx_classify(&cases[k], a));
		vx_count(&mc, vx_classify(&cases[k], b));
		disagree += a->ret != b->ret || a->flags != b->flags;
	}
	printf("  %-28s %5u cases: agree %5u  disagree %5u\n", mx_names[call], n,
	       n - disagree, disagree);
	vx_print_counts("real", &rc);
	vx_print_counts("model", &mc);
	for (k = 0; verbose && k < n && shown < 5; k++) {
		const struct mx_result *a = &real->r[call][k], *b = &model->r[call][k];

		if (a->ret == b->ret && a->flags == b->flags)
			continue;
		printf("      differ: size %ld offset %ld: real ret %d flags %u, model ret %d flags %u\n",
		       cases[k].size, cases[k].off, a->ret, a->flags, b->ret, b->flags);
		shown++;
	}
	return disagree;
}

/* Boot K and run the matrix in it: 0, or an exit code with its message printed. */
static int vx_guest_run(const struct fl_vm_kernel *k, long max_size, unsigned watchdog_ticks,
			struct vx_guest *g, struct fl_vm_boot *b)
{
	char job[64];
	int call, err;

	for (call = 0; call < MX_CALLS; call++)
		g->ended[call] = -1;
	g->mte = g->erms = g->fsrm = -1;
	if (watchdog_ticks)
		snprintf(job, sizeof(job), "watchdog %u\nmatrix %ld\n", watchdog_ticks, max_size);
	else
		snprintf(job, sizeof(job), "matrix %ld\n", max_size);
	err = fl_vm_run(k, job, VX_TIMEOUT, vx_line, g, b);
	if (err == -ENOEXEC) {
		fl_cli_error("%s: no guest /init-%s built for %s (%s missing at build time? "
			     "scripts/install-deps.sh), or no %s", k->name, fl_vm_arch(k->arch)->guest,
			     fl_vm_arch_name(k->arch), fl_vm_arch(k->arch)->cc, fl_vm_arch(k->arch)->qemu);
		return FL_EXIT_UNSUPPORTED;
	}
	if (err) {
		fl_cli_error("%s: the boot could not start (%s)", k->name, strerror(-err));
		return FL_EXIT_BUG;
	}
	printf("judge: %s, %s under QEMU TCG -cpu max%s: %s in %.1f s (init at %.1f s)\n",
	       k->name, fl_vm_arch_name(k->arch), k->arch == FL_VM_ARM64 ? " (mte=on)" : "",
	       fl_vm_end_name(b->end), b->seconds, b->first_line);
	if (b->end != FL_VM_DONE) {
		printf("  the guest did not finish: %s\n", b->why);
		return FL_EXIT_FAIL;
	}
	if (g->error[0]) {
		printf("  the guest could not run the matrix: %s\n", g->error);
		return FL_EXIT_FAIL;
	}
	for (call = 0; call < MX_CALLS; call++)
		if (g->ended[call] != (long)g->lines[call]) {
			printf("  the guest's answer for %s is incomplete (%u of %ld lines)\n",
			       mx_names[call], g->lines[call], g->ended[call]);
			return FL_EXIT_FAIL;
		}
	if (fl_vm_proc_version(g->version, &g->kver)) {
		printf("  /proc/version names no kernel version: %s\n", g->version);
		return FL_EXIT_FAIL;
	}
	return FL_EXIT_OK;
}

/* The judge's CPU as the model's world config takes it. */
static unsigned vx_cpu_off(const struct vx_guest *g)
{
	return (g->erms == 0 ? FL_CPU_X86_ERMS : 0) | (g->fsrm == 0 ? FL_CPU_X86_FSRM : 0);
}

static int vx_model_run(enum fl_arch_id arch, fl_kver_t kver, unsigned cpu_off,
			const struct mx_case *cases, unsigned n, long max_size,
			struct vx_side *model)
{
	struct mx_model *m;
	unsigned k;
	int call, err = mx_model_new(arch, kver, cpu_off, &m);

	if (err)
		return err;
	for (call = 0; call < MX_CALLS; call++)
		for (k = 0; k < n && cases[k].size <= max_size; k++)
			model->r[call][k] = mx_model_case(m, (enum mx_call)call, &cases[k]);
	mx_model_free(m);
	return 0;
}

int vm_exactness(const char *arg, const char *modules, long max_size, unsigned watchdog_ticks,
		 bool verbose)
{
	static struct mx_case cases[MX_CASES];
	struct vx_side *real = NULL, *model = NULL;
	struct vx_guest g = { 0 };
	struct fl_vm_kernel k;
	struct fl_vm_boot b;
	unsigned n = mx_cases(cases), k2, disagree = 0;
	char kv[32];
	int call, rc, err = fl_vm_kernel(arg, modules, &k);

	if (err)
		return vm_kernel_error(arg, err);
	/* The cases run in order of size: the first N of them have size <= max_size. */
	for (k2 = 0; k2 < n && cases[k2].size <= max_size; k2++)
		;
	n = k2;
	real = calloc(1, sizeof(*real));
	model = calloc(1, sizeof(*model));
	rc = FL_EXIT_BUG;
	if (!real || !model)
		goto out;
	for (call = 0; call < MX_CALLS; call++)
		for (k2 = 0; k2 < n; k2++)
			real->r[call][k2] = (struct mx_result){ (int32_t)mx_expected(&cases[k2]), 0 };
	g.real = real;
	g.cases = cases;
	rc = vx_guest_run(&k, max_size, watchdog_ticks, &g, &b);
	if (rc)
		goto out;
	err = vx_model_run(fl_vm_model_arch(k.arch), g.kver, vx_cpu_off(&g), cases, n,
			   max_size, model);
	if (err) {
		fl_cli_error("the model could not run the matrix (%s)", strerror(-err));
		rc = FL_EXIT_BUG;
		goto out;
	}
	printf("  /proc/version: %s\n", g.version);
	/* The judge's CPU, as the model takes it into account (docs/vm.md). */
	printf("  cpu: QEMU TCG -cpu max: an access crossing into a faulting page transfers "
	       "nothing (the model's rule)\n");
	if (g.erms >= 0)
		printf("  cpu: x86 ERMS %s, FSRM %s (guest /proc/cpuinfo): the model's clear_user "
		       "takes the routine this CPU gets\n", g.erms ? "yes" : "no", g.fsrm ? "yes" : "no");
	printf("  model: %s at %s (the guest's upstream version)\n",
	       fl_arch(fl_vm_model_arch(k.arch))->name, fl_kver_format(g.kver, kv, sizeof(kv)));
	printf("usercopy exactness at system-call level (Rutland matrix: sizes 0..%ld at both page edges)\n",
	       max_size);
	for (call = 0; call < MX_CALLS; call++)
		disagree += vx_report_call(real, model, cases, n, call, verbose);
	printf("total: %u cases, agree %u, disagree %u\n", n * MX_CALLS, n * MX_CALLS - disagree,
	       disagree);
	vx_print_sweeps(&g, n);
	vx_print_watchdog(&g);
	rc = disagree ? FL_EXIT_FAIL : FL_EXIT_OK;
out:
	free(real);
	free(model);
	return rc;
}
