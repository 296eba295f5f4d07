/*
 * vm/guest_init.c - /init of a judge guest (docs/vm.md).  Built statically
 * for the guest's arch (CMakeLists.txt: guest-init-ARCH), with
 * cli/matrix_sys.c, the same code `faultline bench matrix` runs on this
 * machine, so the guest runs exactly what the host runs.
 *
 * Protocol: everything for the host is one line on the console starting
 * "FL:"; the kernel's own messages (panic, oops) may interleave and are
 * not ours.  The job is /job in the initramfs, one word per line:
 *   matrix N   the Rutland matrix at system-call level (matrix_sys.h),
 *              sizes 0..N (N <= 128)
 *   watchdog T the matrix's spin watchdog kills a call after T ticks of
 *              CPU in one case (default MX_SPIN_TICKS), for the matrices after
 *   exit       /init returns: the kernel panics ("Attempted to kill
 *              init"), which the host's watchdog must report as a panic
 *   spin       /init spins for ever: the watchdog must kill the guest and
 *              report it hung
 *   disks N    the host attached N disks (/dev/vda, vdb ...) for the agent
 *   agent      with /modules/order in the initramfs (cli/vm_modules.c),
 *              load those modules, mount each disk as the btrfs or the
 *              ext4 the host made, on /btrfs or /ext4, and tell the agent
 *              so ($FL_BTRFS and $TMPDIR=/btrfs/tmp: `file ... fs=btrfs`
 *              is a file on that disk, docs/vm.md "poison of a btrfs
 *              file"; $FL_EXT4: `file ... fs=ext4` goes to /ext4/tmp); then
 *              /fl-agent (the host backend's scenario side, docs/host.md
 *              "agent protocol") serves the virtio port the host named
 *              fl.agent until EOF, or, without one (no virtio_console),
 *              the console made a raw byte stream; the kernel prints
 *              nothing more on the console, the channel carries only
 *              frames
 * Lines:
 *   FL:HELLO <arch>                    init is running
 *   FL:VERSION <the whole of /proc/version>
 *   FL:MTE <0|1>                       HWCAP2_MTE (arm64)
 *   FL:X86 erms=<0|1> fsrm=<0|1>       /proc/cpuinfo's flags (x86_64)
 *   FL:MATRIX <call> <cases>           a call's checking pass begins
 *   FL:R <call> <case> <ret> <flags>   a case whose result is not the
 *                                      contract's (expected ret, flags 0)
 *   FL:SWEEP <call> <ns> <spins>       one timed sweep of the bare calls
 *                                      (those that never returned left out:
 *                                      <spins> of them, ret -2 in their R lines)
 *   FL:END <call> <lines>              the R lines of the call, counted
 *   FL:DISK <fs mounted|error text>    the agent's disks, before FL:AGENT
 *   FL:PIN <loaded|error text>         our pin module (/pin.ko), before FL:AGENT
 *   FL:AGENT [port]                    the agent starts: on the port, or
 *                                      on the console from the next byte
 *   FL:ERROR <text>                    the job could not run
 *   FL:DONE                            all jobs ran; power-off follows
 * A guest that prints no FL:DONE hung, panicked or was killed; the host's
 * watchdog (cli/vm.c) tells which.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli/matrix_sys.h"

#if defined(__aarch64__)
#define GUEST_ARCH "aarch64"
#elif defined(__x86_64__)
#define GUEST_ARCH "x86_64"
#elif defined(__i386__)
#define GUEST_ARCH "i386"
#elif defined(__arm__)
#define GUEST_ARCH "armhf"
#elif defined(__riscv) && __riscv_xlen == 64
#define GUEST_ARCH "riscv64"
#else
#define GUEST_ARCH "unknown"
#endif

#define HWCAP2_MTE_BIT (1UL << 18)      /* arm64 uapi hwcap.h */

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* /proc and /dev/zero: an initramfs has neither until we make them. */
static void guest_mounts(void)
{
	mkdir("/proc", 0555);
	mount("proc", "/proc", "proc", 0, NULL);
	mkdir("/dev", 0755);
	mknod("/dev/zero", S_IFCHR | 0666, makedev(1, 5));
}

static void guest_version(void)
{
	char buf[512];
	FILE *f = fopen("/proc/version", "r");

	if (!f || !fgets(buf, sizeof(buf), f)) {
		printf("FL:ERROR /proc/version: %s\n", strerror(errno));
	} else {
		buf[strcspn(buf, "\n")] = 0;
		printf("FL:VERSION %s\n", buf);
	}
	if (f)
		fclose(f);
#ifdef __aarch64__
	printf("FL:MTE %d\n", !!(getauxval(AT_HWCAP2) & HWCAP2_MTE_BIT));
#endif
}

#ifdef __x86_64__
/* Is FLAG a word of the flags line LINE? */
static int has_flag(const char *line, const char *flag)
{
	size_t n = strlen(flag);
	const char *p;

	for (p = strstr(line, flag); p; p = strstr(p + 1, flag))
		if (p[-1] == ' ' && (p[n] == ' ' || p[n] == '\n' || !p[n]))
			return 1;
	return 0;
}
#endif

/* The CPU features the kernel chose its routines by (x86_64). */
static void guest_cpu(void)
{
#ifdef __x86_64__
	char line[4096];
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags", 5)) {
			printf("FL:X86 erms=%d fsrm=%d\n", has_flag(line, "erms"),
			       has_flag(line, "fsrm"));
			break;
		}
	if (f)
		fclose(f);
#endif
}

/*
 * A call that never returns: on a kernel whose copy_from_user makes no
 * progress where a fault-in does (i386, riscv64, arm: docs/arch.md),
 * generic_perform_write retries for ever (5.18 and later: a partial
 * fault-in is enough to go round again).  The checking pass runs in a
 * child; the parent watches the CPU time the child spends in one case
 * (/proc/PID/stat utime + stime: the guest kernel's tick accounting, so
 * a host that deschedules QEMU costs at most a tick) and kills it with
 * SIGKILL after MX_SPIN_TICKS, which generic_perform_write's
 * fatal_signal_pending() check ends; the next child goes on from the
 * next case.  A case takes microseconds of CPU.  (Not ITIMER_PROF: on
 * x86 CPU-timer expiry runs as task work on the way back to user mode,
 * which a task spinning in the kernel never reaches.)
 */
#define MX_SPIN_TICKS 20                /* clock ticks (USER_HZ): 200 ms */

/* The job `watchdog T` sets it (exactness --watchdog-ticks). */
static long mx_spin_ticks = MX_SPIN_TICKS;
#define MX_SPIN_POLL_US 10000

struct mx_shared {
	unsigned next;                  /* the case the child is in */
	/*
	 * The margin the watchdog has (FL:CPU): the most CPU a case that
	 * returned took (CLOCK_PROCESS_CPUTIME_ID around the call, the
	 * child's only thread) and which case, and the most ticks the watcher
	 * saw charged while the child stayed in one case that then returned.
	 */
	long long max_ns;
	unsigned max_case;
	long max_ticks;
	struct mx_result r[MX_CASES];
};

static long long cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Cases FROM..N-1 of CALL, results into SH. */
static void matrix_child(struct mx_host *h, struct mx_shared *sh, const struct mx_case *cases,
			 int call, unsigned from, unsigned n)
{
	unsigned k;

	for (k = from; k < n; k++) {
		long long t;

		__atomic_store_n(&sh->next, k, __ATOMIC_SEQ_CST);
		t = cpu_ns();
		sh->r[k] = mx_host_case(h, (enum mx_call)call, &cases[k]);
		t = cpu_ns() - t;
		if (t > sh->max_ns) {
			sh->max_ns = t;
			sh->max_case = k;
		}
	}
	/* Done: the CPU its exit takes is no case's (a TCG guest's exit is slow). */
	__atomic_store_n(&sh->next, n, __ATOMIC_SEQ_CST);
	_exit(0);
}

/* utime + stime of PID in clock ticks, or -1. */
static long task_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strrchr(buf, ')');  /* fields 14 and 15, after the command's name */
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
			 &ut, &st) != 2)
		return -1;
	return (long)(ut + st);
}

/*
 * Wait for the child PID, killing it when one case has taken
 * MX_SPIN_TICKS of its CPU: 1 killed (SH->next is the case), 0 it
 * finished, -errno it died otherwise.
 */
static int matrix_watch(pid_t pid, struct mx_shared *sh, unsigned n)
{
	unsigned seen = ~0u;
	long base = 0, now;
	int status;

	for (;;) {
		unsigned k;

		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
		usleep(MX_SPIN_POLL_US);
		k = __atomic_load_n(&sh->next, __ATOMIC_SEQ_CST);
		now = task_ticks(pid);
		if (k != seen || now < 0 || k >= n) {
			if (seen != ~0u && now >= 0 && now - base > sh->max_ticks)
				sh->max_ticks = now - base;     /* case SEEN returned */
			seen = k;
			base = now;
		} else if (now - base >= mx_spin_ticks) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return 1;
		}
	}
}

/*
 * The checking pass of CALL over the first N cases into SH: 0, or -errno
 * of a child that died otherwise.  *SPINS counts the calls killed.
 */
static int matrix_pass(struct mx_host *h, struct mx_shared *sh, const struct mx_case *cases,
		       int call, unsigned n, unsigned *spins)
{
	unsigned k = 0;
	int err;

	*spins = 0;
	while (k < n) {
		pid_t pid;

		fflush(stdout);
		sh->next = k;
		pid = fork();
		if (pid < 0)
			return -errno;
		if (pid == 0)
			matrix_child(h, sh, cases, call, k, n);
		err = matrix_watch(pid, sh, n);
		if (err <= 0)
			return err;
		k = sh->next;
		/* What the spinning call left in the file (its page was the child's). */
		sh->r[k] = mx_host_case_after(h, (enum mx_call)call, &cases[k], MX_RET_SPINS);
		(*spins)++;
		k++;
	}
	return 0;
}

/* The checking pass of every call, then one timed sweep of each. */
static void job_matrix(long max_size)
{
	static struct mx_case cases[MX_CASES];
	static bool spun[MX_CALLS][MX_CASES];
	unsigned n = mx_cases(cases), k, lines, spins[MX_CALLS];
	struct mx_shared *sh;
	struct mx_host h;
	long long t;
	int call, err = mx_host_setup(&h);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!err && sh == MAP_FAILED)
		err = -errno;
	if (err) {
		printf("FL:ERROR matrix setup: %s\n", strerror(-err));
		return;
	}
	for (k = 0; k < n && cases[k].size <= max_size; k++)
		;
	n = k;
	for (call = 0; call < MX_CALLS; call++) {
		printf("FL:MATRIX %d %u\n", call, n);
		sh->max_ns = 0;
		sh->max_case = 0;
		sh->max_ticks = 0;
		err = matrix_pass(&h, sh, cases, call, n, &spins[call]);
		if (err) {
			printf("FL:ERROR matrix %d: the checking child died: %s\n", call,
			       strerror(-err));
			return;
		}
		for (k = 0, lines = 0; k < n; k++) {
			spun[call][k] = sh->r[k].ret == MX_RET_SPINS;
			if (sh->r[k].ret == mx_expected(&cases[k]) && !sh->r[k].flags)
				continue;
			printf("FL:R %d %u %d %u\n", call, k, (int)sh->r[k].ret, (unsigned)sh->r[k].flags);
			lines++;
		}
		printf("FL:CPU %d %lld %u %ld %ld %ld\n", call, sh->max_ns, sh->max_case,
		       sh->max_ticks, mx_spin_ticks, sysconf(_SC_CLK_TCK));
		printf("FL:END %d %u\n", call, lines);
	}
	/* Bare calls that change the page: after every check.  None that never returns. */
	for (call = 0; call < MX_CALLS; call++) {
		t = now_ns();
		for (k = 0; k < n; k++)
			if (!spun[call][k])
				mx_host_call(&h, (enum mx_call)call, h.page + cases[k].off, cases[k].size);
		printf("FL:SWEEP %d %lld %u\n", call, now_ns() - t, spins[call]);
	}
}

/* Each module of /modules/order, in its order: 0, or -errno with FL:BTRFS said. */
static int load_modules(void)
{
	char path[64], name[64];
	unsigned nr;
	FILE *f = fopen("/modules/order", "r");
	int err = 0;

	if (!f)
		return -ENOENT;
	while (!err && fscanf(f, "%u %63s", &nr, name) == 2) {
		int fd;

		snprintf(path, sizeof(path), "/modules/%02u.ko", nr);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) && errno != EEXIST)) {
			err = -errno;
			printf("FL:DISK module %s: %s\n", name, strerror(errno));
		}
		if (fd >= 0)
			close(fd);
	}
	fclose(f);
	return err;
}

/* sysfs on /sys, for the devices the kernel probed after boot. */
static void mount_sys(void)
{
	mkdir("/sys", 0555);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
}

/* "MAJ:MIN" of the sysfs file PATH as device node NODE (mode S_IF* | 0600). */
static int node_from_sys(const char *path, const char *node, mode_t mode)
{
	unsigned maj, min;
	FILE *f = fopen(path, "r");
	int n = f ? fscanf(f, "%u:%u", &maj, &min) : 0;

	if (f)
		fclose(f);
	if (n != 2)
		return -ENOENT;
	unlink(node);
	return mknod(node, mode | 0600, makedev(maj, min)) ? -errno : 0;
}

/*
 * /dev/userfaultfd (6.1, 2d5de004e009): a misc device with a dynamic minor,
 * which an initramfs without devtmpfs does not have until we make it;
 * without it `call userfaultfd ... dev=on` would be ENOENT on every guest.
 * Before 6.1 there is no /sys/class/misc/userfaultfd and no node.
 */
static void make_userfaultfd_node(void)
{
	node_from_sys("/sys/class/misc/userfaultfd/dev", "/dev/userfaultfd", S_IFCHR);
}

/*
 * Transparent huge pages in "madvise" mode, the mode the model has
 * (docs/mm.md "Transparent huge pages").  A guest of 512 MiB is below
 * hugepage_init()'s 512 MiB of RAM, under which the kernel starts with
 * THP off ("never") whatever its config says; "the admin can still
 * enable it through /sys", as cow.c's own thp_settings do.  A kernel
 * without THP has no such file: nothing to do.
 */
static void guest_thp_madvise(void)
{
	int fd = open("/sys/kernel/mm/transparent_hugepage/enabled", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, "madvise", 7) != 7)
		printf("FL:ERROR transparent_hugepage/enabled: %s\n", strerror(errno));
	close(fd);
}

/* /dev/vdX as the kernel numbered it (/sys/block/vdX/dev), once it is probed. */
static int make_vd(char x)
{
	char sys[32], node[16];
	int tries;

	snprintf(sys, sizeof(sys), "/sys/block/vd%c/dev", x);
	snprintf(node, sizeof(node), "/dev/vd%c", x);
	for (tries = 0; tries < 100; tries++) {
		if (node_from_sys(sys, node, S_IFBLK) == 0)
			return 0;
		usleep(20000);
	}
	return -ENODEV;
}

/* Is /sys/class/virtio-ports/PORT the port the host named NAME?  Its node then. */
static int port_named(const char *port, const char *name)
{
	char path[300], got[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", port);
	f = fopen(path, "r");
	if (!f)
		return -ENOENT;
	if (!fgets(got, sizeof(got), f))
		got[0] = 0;
	fclose(f);
	got[strcspn(got, "\n")] = 0;
	if (strcmp(got, name))
		return -ENOENT;
	snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/dev", port);
	return node_from_sys(path, "/dev/fl-agent", S_IFCHR);
}

/*
 * The agent's virtio port (docs/vm.md "The agent's channel"), opened, or
 * -errno: a guest without virtio_console has no /sys/class/virtio-ports,
 * and its agent keeps the console.  The port's name comes from the host
 * after the port itself: wait for it as make_vd() waits for a disk.
 */
static int agent_port(void)
{
	int tries;

	if (access("/sys/class/virtio-ports", F_OK))
		return -ENODEV;
	for (tries = 0; tries < 100; tries++) {
		DIR *d = opendir("/sys/class/virtio-ports");
		struct dirent *e;
		int found = -ENOENT;

		while (d && found && (e = readdir(d)))
			if (e->d_name[0] != '.')
				found = port_named(e->d_name, "fl.agent");
		if (d)
			closedir(d);
		if (!found)
			return open("/dev/fl-agent", O_RDWR | O_CLOEXEC);
		usleep(20000);
	}
	return -ENODEV;
}

/*
 * Mount disk /dev/vdX on /FS if it holds that file system, and tell the
 * agent ($FL_BTRFS or $FL_EXT4) with a tmp/ directory for the O_TMPFILE
 * files of `file ... fs=FS` (backend/host_link.c).  false: not this fs.
 */
static bool mount_disk(char x, const char *fs, const char *env)
{
	char node[16], dir[16], tmp[24];

	snprintf(node, sizeof(node), "/dev/vd%c", x);
	snprintf(dir, sizeof(dir), "/%s", fs);
	snprintf(tmp, sizeof(tmp), "/%s/tmp", fs);
	mkdir(dir, 0755);
	if (mount(node, dir, fs, 0, NULL))
		return false;
	if ((!mkdir(tmp, 01777) || errno == EEXIST) && setenv(env, dir, 1) == 0)
		printf("FL:DISK %s mounted\n", fs);
	return true;
}

/*
 * The host's NR disks (docs/vm.md "The btrfs disk", "The ext4 disk"):
 * one btrfs, one ext4, in an order virtio-mmio may reverse, so each is
 * told by the file system it mounts as.  $TMPDIR is the btrfs's tmp/, as
 * it was when it was the only disk.
 */
static void guest_disks(int nr)
{
	int err, i;

	if (access("/modules/order", R_OK) || nr <= 0)
		return;
	err = load_modules();
	for (i = 0; !err && i < nr && i < 26; i++) {
		char x = (char)('a' + i);

		if ((err = make_vd(x)))
			printf("FL:DISK /dev/vd%c: %s\n", x, strerror(-err));
		else if (!mount_disk(x, "btrfs", "FL_BTRFS") && !mount_disk(x, "ext4", "FL_EXT4"))
			printf("FL:DISK /dev/vd%c: mounts neither as btrfs nor as ext4\n", x);
	}
	if (getenv("FL_BTRFS"))
		setenv("TMPDIR", "/btrfs/tmp", 1);
	fflush(stdout);
}

/*
 * Our pin module (docs/vm.md "The pin module"), if the host put pin.ko in
 * the initramfs: loaded, its misc device made /dev/faultline_pin, named
 * to the agent in $FL_PIN; a load that failed says why on the console
 * and to the agent ($FL_PIN_ERR, the errno), whose HELLO tells the runner.
 */
static void guest_pin(void)
{
	int fd, err = 0;
	char num[16];

	if (access("/pin.ko", R_OK))
		return;
	fd = open("/pin.ko", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) && errno != EEXIST))
		err = errno;
	if (fd >= 0)
		close(fd);
	if (!err && node_from_sys("/sys/class/misc/faultline_pin/dev", "/dev/faultline_pin",
				  S_IFCHR))
		err = ENODEV;
	if (err) {
		printf("FL:PIN faultline_pin.ko: %s\n", strerror(err));
		snprintf(num, sizeof(num), "%d", err);
		setenv("FL_PIN_ERR", num, 1);
	} else {
		printf("FL:PIN loaded\n");
		setenv("FL_PIN", "/dev/faultline_pin", 1);
	}
	fflush(stdout);
}

/*
 * The agent on its virtio port, else on the console (raw, silent), until
 * the runner's EOF.  The mark says which: "FL:AGENT port" or "FL:AGENT".
 */
static void job_agent(int disks)
{
	struct termios t;
	pid_t pid;
	int status, port;

	mkdir("/tmp", 01777);
	mount_sys();
	make_userfaultfd_node();
	guest_thp_madvise();
	guest_disks(disks);
	guest_pin();
	port = agent_port();
	klogctl(8, NULL, 1);    /* SYSLOG_ACTION_CONSOLE_LEVEL: emergencies only */
	fflush(stdout);
	if (tcgetattr(0, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(0, TCSANOW, &t);
	}
	/* The host joins the runner to the console only after this line. */
	printf(port >= 0 ? "FL:AGENT port\n" : "FL:AGENT\n");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (port >= 0 && (dup2(port, 0) < 0 || dup2(port, 1) < 0))
			_exit(127);
		execl("/fl-agent", "fl-agent", (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
}

static void run_jobs(void)
{
	char word[64];
	long arg;
	int disks = 0;
	FILE *f = fopen("/job", "r");

	if (!f) {
		printf("FL:ERROR /job: %s\n", strerror(errno));
		return;
	}
	while (fscanf(f, "%63s", word) == 1) {
		if (!strcmp(word, "matrix") && fscanf(f, "%ld", &arg) == 1) {
			job_matrix(arg);
		} else if (!strcmp(word, "watchdog") && fscanf(f, "%ld", &arg) == 1 && arg > 1) {
			mx_spin_ticks = arg;
		} else if (!strcmp(word, "disks") && fscanf(f, "%ld", &arg) == 1) {
			disks = (int)arg;
		} else if (!strcmp(word, "agent")) {
			job_agent(disks);
		} else if (!strcmp(word, "exit")) {
			fflush(stdout);
			exit(0);
		} else if (!strcmp(word, "spin")) {
			fflush(stdout);
			for (;;)
				;
		}
		else
			printf("FL:ERROR /job: unknown job '%s'\n", word);
	}
	fclose(f);
}

int main(void)
{
	static char out[1 << 16];

	setvbuf(stdout, out, _IOFBF, sizeof(out));
	guest_mounts();
	printf("FL:HELLO %s\n", GUEST_ARCH);
	guest_version();
	guest_cpu();
	run_jobs();
	printf("FL:DONE\n");
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	reboot(RB_AUTOBOOT);    /* -no-reboot makes QEMU exit on either */
	for (;;)
		pause();
}
