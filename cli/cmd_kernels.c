/*
 * cli/cmd_kernels.c - `faultline kernels fetch NAME...` and `kernels list`:
 * the Debian kernels a VM judge boots (docs/vm.md).
 *
 * fetch runs scripts/kernel-fetch.sh (apt-get download with a private
 * state directory: the machine's apt configuration is never touched),
 * then boots the kernel once with an empty job to learn its /proc/version,
 * which it records in the cache's info file for `list`.
 *
 * `kernels boot NAME|PATH [--job TEXT] [--timeout S]` boots once and
 * prints the guest's lines and how the boot ended (done, panic, hung,
 * died): the watchdog in plain view (guest jobs: vm/guest_init.c).
 *
 * `kernels pin NAME...` builds our pin module (vm/pin_module/, docs/vm.md
 * "The pin module") for fetched kernels with scripts/pin-module-build.sh
 * (once; --force again): the GUP calls of a scenario then run in that
 * kernel's guests.
 *
 * `kernels agent NAME|PATH` becomes QEMU booting the kernel with the host
 * backend's agent on the serial port, this process's stdin and stdout:
 * FAULTLINE_HOST_AGENT="faultline kernels agent NAME" runs the host
 * backend's scenarios inside the guest (docs/vm.md).
 *
 * Exit codes: 0 done; 2 a name that is not a known kernel, bad usage;
 * 3 the kernel cannot be fetched here (offline, mirror or apt missing);
 * 1 the fetched kernel did not boot; 4 anything else.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <faultline/backend.h>
#include <faultline/eras.h>

#include "cli/cli.h"
#include "cli/vm.h"

#define KERNELS_BOOT_TIMEOUT 300

/* The options of `kernels`, whichever subcommand they go with. */
struct kernels_opts {
	bool force;
	const char *job;
	uint64_t timeout;
};

enum { OPT_FORCE = 0x100, OPT_JOB, OPT_TIMEOUT };

static const struct fl_opt kernels_options[] = {
	{ "force", OPT_FORCE, NULL, "fetch, pin: download or build again what is cached" },
	{ "job", OPT_JOB, "TEXT", "boot: the guest's jobs (vm/guest_init.c: matrix N, exit, spin)" },
	{ "timeout", OPT_TIMEOUT, "S", "boot: the watchdog's seconds (default 300)" },
	{ NULL, 0, NULL, NULL },
};

static int kernels_set(void *ctx, int key, const char *arg)
{
	struct kernels_opts *o = ctx;

	if (key == OPT_FORCE)
		o->force = true;
	else if (key == OPT_JOB)
		o->job = arg;
	else if (key == OPT_TIMEOUT)
		return fl_cli_u64("kernels", "--timeout", arg, 1, 3600, &o->timeout);
	return FL_EXIT_OK;
}

static const struct fl_cmd_spec kernels_spec = {
	"kernels", "fetch NAME... | pin NAME... | list | boot NAME|PATH | agent NAME|PATH",
	"Debian's kernels under QEMU as judges (docs/vm.md): fetch them into the\n"
	"cache, build our pin module for them (the GUP calls' judge), list it,\n"
	"boot one (a watchdog reports done, panic, hung or died), or serve the\n"
	"host backend's agent on its serial port (stdin/stdout).",
	kernels_options, kernels_set,
};

static int kernels_usage(void)
{
	fl_cli_usage(stderr, &kernels_spec);
	return FL_EXIT_USAGE;
}

/*
 * A helper script FILE: $ENV, else the one beside this program (the build
 * tree's copy, or the installed one: fl_vm_libexec()), into PATH.
 */
static const char *helper_script(const char *env_name, const char *file, char *path,
				 size_t len)
{
	const char *env = getenv(env_name);

	if (env && *env)
		return env;
	if (!path[0] && fl_vm_libexec(file, path, len))
		snprintf(path, len, "%s (neither in the build tree's guest/ "
			 "nor in the installed libexec/faultline/)", file);
	return path;
}

static const char *fetch_script(void)
{
	static char path[PATH_MAX];

	return helper_script("FL_KERNEL_FETCH", "kernel-fetch.sh", path, sizeof(path));
}

static const char *pin_script(void)
{
	static char path[PATH_MAX];

	return helper_script("FL_PIN_BUILD", "pin-module-build.sh", path, sizeof(path));
}

/* Run SCRIPT for NAME: its exit status, or -errno. */
static int run_script(const char *script, const char *cache, const char *name)
{
	int status;
	pid_t pid;

	if (access(script, R_OK))
		return 127;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execl("/bin/sh", "sh", script, cache, name, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -ECHILD;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 4;
}

/* KEY's value in CACHE/NAME/info into BUF ("" when absent). */
static void info_get(const char *cache, const char *name, const char *key,
		     char *buf, size_t len)
{
	char path[4096], line[512];
	size_t klen = strlen(key);
	FILE *f;

	buf[0] = 0;
	snprintf(path, sizeof(path), "%s/%s/info", cache, name);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == '=') {
			line[strcspn(line, "\n")] = 0;
			snprintf(buf, len, "%s", line + klen + 1);
			break;
		}
	fclose(f);
}

struct boot_answer {
	char version[256];
};

static int boot_line(const char *l, void *arg)
{
	struct boot_answer *a = arg;

	if (!strncmp(l, "VERSION ", 8))
		snprintf(a->version, sizeof(a->version), "%s", l + 8);
	return 0;
}

/* Boot NAME once with no job; record its /proc/version in the info file. */
static int boot_record(const char *cache, const char *name)
{
	struct boot_answer a = { { 0 } };
	struct fl_vm_kernel k;
	struct fl_vm_boot b;
	char path[4096], kv[32];
	fl_kver_t v;
	FILE *f;
	int err = fl_vm_kernel(name, NULL, &k);

	if (!err)
		err = fl_vm_run(&k, "", KERNELS_BOOT_TIMEOUT, boot_line, &a, &b);
	if (err) {
		fl_cli_error("%s: fetched, but cannot boot here (%s)", name,
			     err == -ENOEXEC ? "no guest /init or no QEMU" : strerror(-err));
		return FL_EXIT_UNSUPPORTED;
	}
	if (b.end != FL_VM_DONE || fl_vm_proc_version(a.version, &v)) {
		fl_cli_error("%s: the first boot did not finish: %s (%s)", name,
			     fl_vm_end_name(b.end), b.why[0] ? b.why : "no /proc/version");
		return FL_EXIT_FAIL;
	}
	printf("%s: boots in %.1f s: %s\n", name, b.seconds, a.version);
	snprintf(path, sizeof(path), "%s/%s/info", cache, name);
	f = fopen(path, "a");
	if (!f || fprintf(f, "upstream=%s\nproc_version=%s\nboot_seconds=%.1f\n",
			  fl_kver_format(v, kv, sizeof(kv)), a.version, b.seconds) < 0) {
		if (f)
			fclose(f);
		fl_cli_error("%s: cannot write %s", name, path);
		return FL_EXIT_BUG;
	}
	fclose(f);
	return FL_EXIT_OK;
}

static int fetch_one(const char *cache, const char *name, bool force)
{
	char have[64];
	int rc;

	info_get(cache, name, "upstream", have, sizeof(have));
	if (have[0] && !force) {
		printf("%s: cached (Linux %s)\n", name, have);
		return FL_EXIT_OK;
	}
	info_get(cache, name, "version", have, sizeof(have));
	rc = have[0] && !force ? 0 : run_script(fetch_script(), cache, name);
	switch (rc) {
	case 0:
		return boot_record(cache, name);
	case 2:
		return FL_EXIT_USAGE;     /* the script named the problem */
	case 3:
		return FL_EXIT_UNSUPPORTED;
	case 127:
		fl_cli_error("%s: cannot run %s", name, fetch_script());
		return FL_EXIT_UNSUPPORTED;
	default:
		fl_cli_error("%s: %s failed (exit %d)", name, fetch_script(), rc);
		return FL_EXIT_BUG;
	}
}

/* mkdir -p: the cache's parents may not exist yet. */
static int mkdir_p(const char *dir)
{
	char path[4096], *p;

	snprintf(path, sizeof(path), "%s", dir);
	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(path, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(path, 0755) && errno != EEXIST ? -1 : 0;
}

static int kernels_fetch(const char *cache, int argc, char **argv, bool force)
{
	int i = 1, rc = FL_EXIT_OK, one;

	if (i == argc)
		return kernels_usage();
	for (int j = i; j < argc; j++)
		if (!fl_vm_known_name(argv[j])) {
			fl_cli_error("kernels fetch: '%s' is not a known kernel "
				     "(" FL_VM_KNOWN_TEXT "; see 'faultline kernels list')", argv[j]);
			return FL_EXIT_USAGE;
		}
	if (mkdir_p(cache)) {
		fl_cli_error("kernels fetch: cannot create %s (%s)", cache, strerror(errno));
		return FL_EXIT_BUG;
	}
	for (; i < argc; i++) {
		one = fetch_one(cache, argv[i], force);
		if (one > rc)
			rc = one;
	}
	return rc;
}

/*
 * `kernels pin NAME...`: our pin module for each fetched kernel, built by
 * the script (which names every problem in one line), the worst exit.
 */
static int kernels_pin(const char *cache, int argc, char **argv, bool force)
{
	int i, rc = FL_EXIT_OK;
	char ko[4096];

	if (argc < 2)
		return kernels_usage();
	for (i = 1; i < argc; i++) {
		int one, st;

		if (!fl_vm_known_name(argv[i])) {
			fl_cli_error("kernels pin: '%s' is not a known kernel "
				     "(" FL_VM_KNOWN_TEXT "; see 'faultline kernels list')", argv[i]);
			return FL_EXIT_USAGE;
		}
		snprintf(ko, sizeof(ko), "%s/%s/pin/faultline_pin.ko", cache, argv[i]);
		if (!force && access(ko, R_OK) == 0) {
			printf("%s: %s (built; --force builds it again)\n", argv[i], ko);
			continue;
		}
		st = run_script(pin_script(), cache, argv[i]);
		one = st == 0 ? FL_EXIT_OK : st == 2 ? FL_EXIT_USAGE
		      : st == 3 || st == 127 ? FL_EXIT_UNSUPPORTED : FL_EXIT_BUG;
		if (st == 127 || st < 0)
			fl_cli_error("%s: cannot run %s", argv[i], pin_script());
		if (one > rc)
			rc = one;
	}
	return rc;
}

/* Where this faultline finds its guest programs, per arch, and the fetch script. */
static void kernels_list_programs(void)
{
	char path[PATH_MAX], dir[PATH_MAX] = "";
	int a;

	for (a = 0; a < FL_VM_NARCH; a++)
		if (!fl_vm_guest_file((enum fl_vm_arch)a, "init", path, sizeof(path)) && !dir[0])
			snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(path, '/') - path), path);
	printf("guest programs: %s\n", dir[0] ? dir : "none found (FL_GUEST_DIR, build/guest/, "
	       "libexec/faultline/)");
	for (a = 0; a < FL_VM_NARCH; a++) {
		const struct fl_vm_arch_desc *d = fl_vm_arch((enum fl_vm_arch)a);
		bool init = !fl_vm_guest_file((enum fl_vm_arch)a, "init", path, sizeof(path));
		bool agent = !fl_vm_guest_file((enum fl_vm_arch)a, "fl-agent", path, sizeof(path));

		printf("  %-8s %s\n", d->name, init && agent ? "init, fl-agent"
		       : init ? "init only: no fl-agent (diff --kernel cannot run)"
		       : "none: not built (its compiler was missing at build time)");
		if (!init)
			printf("           needs %s (scripts/install-deps.sh), then a rebuild\n", d->cc);
	}
	printf("fetch script: %s\n", fetch_script());
	printf("pin module script: %s\n", pin_script());
}

static int kernels_list(const char *cache)
{
	size_t i;

	kernels_list_programs();
	printf("cache: %s\n", cache);
	printf("%-20s %-7s %-10s %-12s %10s  %s\n", "name", "arch", "linux", "debian",
	       "deb bytes", "state");
	for (i = 0; i < FL_VM_NKNOWN; i++) {
		char upstream[64], version[64], arch[16], bytes[32], path[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s/vmlinuz", cache, fl_vm_names[i]);
		info_get(cache, fl_vm_names[i], "upstream", upstream, sizeof(upstream));
		info_get(cache, fl_vm_names[i], "version", version, sizeof(version));
		info_get(cache, fl_vm_names[i], "arch", arch, sizeof(arch));
		info_get(cache, fl_vm_names[i], "deb_bytes", bytes, sizeof(bytes));
		if (stat(path, &st)) {
			printf("%-20s %-7s %-10s %-12s %10s  not fetched\n", fl_vm_names[i],
			       strrchr(fl_vm_names[i], '-') + 1, "-", "-", "-");
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s/pin/faultline_pin.ko", cache, fl_vm_names[i]);
		printf("%-20s %-7s %-10s %-12s %10s  %s%s\n", fl_vm_names[i], arch,
		       upstream[0] ? upstream : "?", version, bytes,
		       upstream[0] ? "fetched, booted" : "fetched, never booted",
		       access(path, R_OK) ? "" : ", pin module");
	}
	return FL_EXIT_OK;
}

static int print_line(const char *l, void *arg)
{
	(void)arg;
	printf("  %s\n", l);
	return 0;
}

static int kernels_boot(const char *name, const char *job, long timeout)
{
	char text[256];
	struct fl_vm_kernel k;
	struct fl_vm_boot b;
	int err;

	err = fl_vm_kernel(name, NULL, &k);
	if (err)
		return vm_kernel_error(name, err);
	snprintf(text, sizeof(text), "%s\n", job ? job : "");
	printf("boot %s (%s)\n", k.name, fl_vm_arch_name(k.arch));
	err = fl_vm_run(&k, text, (int)timeout, print_line, NULL, &b);
	if (err) {
		fl_cli_error("%s: cannot boot here (%s)", k.name,
			     err == -ENOEXEC ? "no guest /init or no QEMU" : strerror(-err));
		return FL_EXIT_UNSUPPORTED;
	}
	printf("outcome: %s after %.1f s%s%s\n", fl_vm_end_name(b.end), b.seconds,
	       b.why[0] ? ": " : "", b.why);
	return b.end == FL_VM_DONE ? FL_EXIT_OK : FL_EXIT_FAIL;
}

/*
 * WHY the agent ended, to the runner that started it (backend/host.c
 * reads the fd FL_AGENT_TAIL_ENV names after reaping this process, and
 * puts WHY in its "stopped answering" message).  True if it was told:
 * the runner prints WHY once, so this process must not print it too.
 */
static bool agent_tell_runner(const char *why)
{
	const char *env = getenv(FL_AGENT_TAIL_ENV);
	char *end;
	long fd = env && *env ? strtol(env, &end, 10) : -1;

	if (fd < 3 || *end || fcntl((int)fd, F_GETFD) < 0)
		return false;
	return write((int)fd, why, strlen(why)) >= 0;   /* or the runner went away */
}

static int kernels_agent(const char *name)
{
	char console[1280], why[1400];
	struct fl_vm_kernel k;
	int err = fl_vm_kernel(name, NULL, &k);

	if (err)
		return vm_kernel_error(name, err);
	err = fl_vm_agent(&k, KERNELS_BOOT_TIMEOUT, console, sizeof(console));
	if (!err)
		return FL_EXIT_OK;
	if (err == -ENOEXEC) {
		fl_cli_error("kernels agent %s: no guest /init or fl-agent built for %s "
			     "(%s missing at build time?)", name, fl_vm_arch_name(k.arch),
			     fl_vm_arch(k.arch)->cc);
		return FL_EXIT_UNSUPPORTED;
	}
	snprintf(why, sizeof(why), "%s%s",
		 err == -ETIMEDOUT ? "the guest's agent did not start in time"
		 : err == -EPIPE ? "QEMU ended before the agent started"
		 : err == -ECONNRESET ? "the guest went away (QEMU exited)" : strerror(-err),
		 console[0] ? console : "; QEMU said nothing (not installed?)");
	if (!agent_tell_runner(why))
		fl_cli_error("kernels agent %s: %s", name, why);
	return err == -EPIPE ? FL_EXIT_UNSUPPORTED : FL_EXIT_FAIL;
}

int cmd_kernels(int argc, char **argv)
{
	struct kernels_opts o = { false, NULL, KERNELS_BOOT_TIMEOUT };
	char cache[2048];
	const char *sub;
	int first, n, rc = fl_cli_parse(&kernels_spec, argc, argv, &o, &first);

	if (rc)
		return fl_cli_parsed(rc);
	n = argc - first;
	sub = n ? argv[first] : "";
	if (fl_vm_cache_dir(cache, sizeof(cache))) {
		fl_cli_error("kernels: no cache directory (set FL_KERNEL_CACHE or HOME)");
		return FL_EXIT_USAGE;
	}
	if (!strcmp(sub, "fetch"))
		return kernels_fetch(cache, n, argv + first, o.force);
	if (!strcmp(sub, "pin"))
		return kernels_pin(cache, n, argv + first, o.force);
	if (!strcmp(sub, "list") && n == 1)
		return kernels_list(cache);
	if (!strcmp(sub, "boot") && n == 2)
		return kernels_boot(argv[first + 1], o.job, (long)o.timeout);
	if (!strcmp(sub, "agent") && n == 2)
		return kernels_agent(argv[first + 1]);
	return kernels_usage();
}
