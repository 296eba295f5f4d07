/*
 * cli/judge.c - which kernel judges a host-backend run, and the model
 * following it (docs/vm.md "Judging").
 *
 * Definitions
 *   judge   the kernel the host backend's scenario processes run on: this
 *           machine's, or the one its agent runs on (FAULTLINE_HOST_AGENT);
 *           `--backend vm:NAME|PATH` and `--kernel NAME|PATH` make that
 *           agent `faultline kernels agent NAME|PATH`: a guest under QEMU.
 *   follow  with an agent, the model takes the judge's version for
 *           `kernel host` (the upstream version its HELLO says, stable
 *           patch level included), the judge's arch for a scenario without
 *           `arch` (arm64+mte on an MTE guest), and its CPU's features
 *           (kernel/kver.c, fl_host_set_judge()).
 *
 * Invariant: the judge is asked once per process, before the first
 * scenario runs on the model, so both sides of a `diff` see the same one.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <faultline/arch.h>
#include <faultline/backend.h>
#include <faultline/eras.h>

#include "cli/cli.h"
#include "cli/vm.h"

/* S single-quoted for /bin/sh into BUF: 0, or -ENAMETOOLONG. */
static int sh_quote(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	if (len < 3)
		return -ENAMETOOLONG;
	buf[n++] = '\'';
	for (; *s; s++) {
		const char *piece = *s == '\'' ? "'\\''" : NULL;
		size_t k = piece ? strlen(piece) : 1;

		if (n + k + 2 > len)
			return -ENAMETOOLONG;
		if (piece)
			memcpy(buf + n, piece, k);
		else
			buf[n] = *s;
		n += k;
	}
	buf[n++] = '\'';
	buf[n] = '\0';
	return 0;
}

int cli_judge_vm(const char *cmd, const char *arg)
{
	char self[PATH_MAX], qself[2 * PATH_MAX], qarg[2 * PATH_MAX], agent[5 * PATH_MAX];
	struct fl_vm_kernel k;
	ssize_t n;
	int err = fl_vm_kernel(arg, NULL, &k);

	if (err)
		return vm_kernel_error(arg, err);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		fl_cli_error("%s: cannot find this program (/proc/self/exe) to run its agent", cmd);
		return FL_EXIT_BUG;
	}
	self[n] = '\0';
	if (sh_quote(self, qself, sizeof(qself)) || sh_quote(arg, qarg, sizeof(qarg))) {
		fl_cli_error("%s: %s: path too long", cmd, arg);
		return FL_EXIT_USAGE;
	}
	snprintf(agent, sizeof(agent), "%s kernels agent %s", qself, qarg);
	if (setenv("FAULTLINE_HOST_AGENT", agent, 1))
		return FL_EXIT_BUG;
	return FL_EXIT_OK;
}

int cli_judge_follow(const char *cmd)
{
	const char *agent = getenv("FAULTLINE_HOST_AGENT");
	struct fl_host_judge j;
	struct timespec t0, t1;
	char kv[32];
	int err;

	if (!agent || !*agent)
		return FL_EXIT_OK;      /* this machine judges: nothing to follow */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = fl_host_judge(&j);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (err) {
		fl_cli_error("%s: the judge did not start: %s", cmd,
			     fl_host_agent_lost() ? fl_host_agent_lost() : strerror(-err));
		return FL_EXIT_UNSUPPORTED;
	}
	if (!j.kver || j.arch < 0) {
		fl_cli_error("%s: the judge's kernel '%s' on '%s' is no version and arch faultline "
			     "models", cmd, j.release, j.machine);
		return FL_EXIT_UNSUPPORTED;
	}
	fl_host_set_judge(j.kver, j.arch, j.kconfig_off, j.cpu_off);
	fprintf(stderr, "faultline: judge: Linux %s on %s%s%s, answering after %.1f s (%s)\n",
		fl_kver_format(j.kver, kv, sizeof(kv)), fl_arch((enum fl_arch_id)j.arch)->name,
		j.cpu_off & FL_CPU_X86_FSRM ? (j.cpu_off & FL_CPU_X86_ERMS ? ", no ERMS/FSRM"
					       : ", ERMS without FSRM") : "",
		j.cpu_off & FL_CPU_ARM64_MTE_PAGE_OFFSET ?
			", MTE tags alias within a page (QEMU before 8.0)" : "",
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9, agent);
	return FL_EXIT_OK;
}

bool cli_judge_lost(const char *cmd, unsigned left)
{
	const char *why = fl_host_agent_lost();

	if (!why)
		return false;
	if (left)
		fl_cli_error("%s: the judge is gone: %s; %u file%s not run", cmd, why, left,
			     left == 1 ? "" : "s");
	else
		fl_cli_error("%s: the judge is gone: %s", cmd, why);
	return true;
}
