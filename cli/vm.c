/*
 * cli/vm.c - the kernel cache, the guest's initramfs and one QEMU boot with
 * a watchdog (vm.h, docs/vm.md).
 *
 * Invariants
 *   1. One boot serves a whole batch: the jobs go into /job, the guest
 *      runs them all and powers off.
 *   2. A guest never outlives fl_vm_run(): on every path QEMU is reaped,
 *      killed first (SIGKILL, by its pid) when it overran its time.
 *   3. The initramfs is written by this file (cpio "newc", uncompressed:
 *      the kernel unpacks either), into a temporary file removed after.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <faultline/backend.h>
#include <faultline/eras.h>

#include "cli/cli.h"
#include "cli/vm.h"

/* LIBEXECDIR/faultline relative to BINDIR (CMakeLists.txt), where installed. */
#ifndef FL_LIBEXEC_REL
#define FL_LIBEXEC_REL "../libexec/faultline"
#endif

#define VM_DONE_GRACE 10        /* seconds QEMU may take to power off after FL:DONE */

const char *const fl_vm_names[FL_VM_NKNOWN] = {
	"debian-5.10-arm64", "debian-6.1-arm64", "debian-6.12-arm64",
	"debian-5.10-amd64", "debian-6.1-amd64", "debian-6.12-amd64",
	"debian-5.10-i386", "debian-6.1-i386",
	"debian-5.10-armhf", "debian-6.1-armhf", "debian-6.12-armhf",
	"debian-6.12-riscv64",
};

/*
 * What QEMU boots each arch as.  arm64: virt with MTE and -cpu max (MTE
 * tag checking for `tag`).  i386: the pc machine; Debian's 686 flavour
 * (no PAE) is what trixie no longer builds, so there is no 6.12.  arm:
 * virt, which Debian's armmp (multiplatform) kernel supports.  riscv64:
 * virt, OpenSBI from QEMU's own firmware; Debian's riscv64 kernels begin
 * with trixie.  -cpu max where QEMU has it (the most the emulator
 * implements); riscv64's QEMU 7.2 has no max, rv64 is its default.
 */
static const struct fl_vm_arch_desc vm_arches[FL_VM_NARCH] = {
	[FL_VM_ARM64] = { "arm64", "arm64", "aarch64", "aarch64-linux-gnu-gcc",
			  "qemu-system-aarch64", "virt,mte=on", "max", "console=ttyAMA0",
			  "virtio-blk-device", "virtio-serial-device", "virtio_mmio", FL_ARCH_ARM64_MTE },
	[FL_VM_X86_64] = { "x86_64", "amd64", "x86_64", "cc", "qemu-system-x86_64", NULL, "max",
			   "console=ttyS0 no_timer_check", "virtio-blk-pci", "virtio-serial-pci", "virtio_pci", FL_ARCH_X86_64 },
	[FL_VM_I386] = { "i386", "i386", "i386", "i686-linux-gnu-gcc", "qemu-system-i386", NULL, "max",
			 "console=ttyS0 no_timer_check", "virtio-blk-pci", "virtio-serial-pci", "virtio_pci", FL_ARCH_I386 },
	[FL_VM_ARM] = { "arm", "armhf", "armhf", "arm-linux-gnueabihf-gcc", "qemu-system-arm",
			"virt", "max", "console=ttyAMA0", "virtio-blk-device", "virtio-serial-device", "virtio_mmio", FL_ARCH_ARM },
	[FL_VM_RISCV64] = { "riscv64", "riscv64", "riscv64", "riscv64-linux-gnu-gcc",
			    "qemu-system-riscv64", "virt", "rv64", "console=ttyS0",
			    "virtio-blk-device", "virtio-serial-device", "virtio_mmio", FL_ARCH_RISCV64 },
};

static const char *const end_names[] = {
	[FL_VM_DONE] = "done", [FL_VM_PANIC] = "panic",
	[FL_VM_HUNG] = "hung", [FL_VM_DIED] = "died",
};

const char *fl_vm_end_name(enum fl_vm_end e)
{
	return end_names[e];
}

const struct fl_vm_arch_desc *fl_vm_arch(enum fl_vm_arch a)
{
	return &vm_arches[a];
}

const char *fl_vm_arch_name(enum fl_vm_arch a)
{
	return vm_arches[a].name;
}

enum fl_arch_id fl_vm_model_arch(enum fl_vm_arch a)
{
	return vm_arches[a].model;
}

/* The arch of a known NAME: its last word is a Debian arch. */
static enum fl_vm_arch vm_name_arch(const char *name)
{
	const char *word = strrchr(name, '-') + 1;
	int a;

	for (a = 0; a < FL_VM_NARCH; a++)
		if (!strcmp(word, vm_arches[a].debian))
			return (enum fl_vm_arch)a;
	return FL_VM_X86_64;
}

bool fl_vm_known_name(const char *name)
{
	size_t i;

	for (i = 0; i < FL_VM_NKNOWN; i++)
		if (!strcmp(name, fl_vm_names[i]))
			return true;
	return false;
}

int fl_vm_cache_dir(char *buf, size_t len)
{
	const char *env = getenv("FL_KERNEL_CACHE"), *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	int n;

	if (env && *env)
		n = snprintf(buf, len, "%s", env);
	else if (xdg && *xdg)
		n = snprintf(buf, len, "%s/faultline/kernels", xdg);
	else if (home && *home)
		n = snprintf(buf, len, "%s/.cache/faultline/kernels", home);
	else
		return -ENOENT;
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/*
 * The arch of an image, from its header (each arch's boot protocol):
 * arm64 Image "ARM\x64" at 0x38; riscv64 Image "RSC\x05" at 0x38; arm
 * zImage 0x016f2818 at 0x24; x86 bzImage "HdrS" at 0x202, 64-bit when
 * xloadflags (0x236) has XLF_KERNEL_64 (boot protocol 2.12, 3.8).
 */
static int vm_image_arch(const char *path, enum fl_vm_arch *a)
{
	unsigned char h[0x240];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, h, sizeof(h));
	close(fd);
	if (n >= 0x3c && !memcmp(h + 0x38, "ARM\x64", 4))
		*a = FL_VM_ARM64;
	else if (n >= 0x3c && !memcmp(h + 0x38, "RSC\x05", 4))
		*a = FL_VM_RISCV64;
	else if (n >= 0x28 && !memcmp(h + 0x24, "\x18\x28\x6f\x01", 4))
		*a = FL_VM_ARM;
	else if (n >= 0x238 && !memcmp(h + 0x202, "HdrS", 4))
		*a = h[0x236] & 1 ? FL_VM_X86_64 : FL_VM_I386;
	else
		return -ENOEXEC;
	return 0;
}

static int vm_fetched(const char *name, struct fl_vm_kernel *k)
{
	char dir[PATH_MAX];
	struct stat st;
	int err = fl_vm_cache_dir(dir, sizeof(dir));

	if (err)
		return err;
	snprintf(k->name, sizeof(k->name), "%s", name);
	if (snprintf(k->image, sizeof(k->image), "%s/%s/vmlinuz", dir, name) >= (int)sizeof(k->image) ||
	    snprintf(k->modules, sizeof(k->modules), "%s/%s/modules", dir, name) >= (int)sizeof(k->modules))
		return -ENAMETOOLONG;
	if (stat(k->image, &st))
		return -ENOENT;
	if (stat(k->modules, &st))
		k->modules[0] = 0;
	k->arch = vm_name_arch(name);
	return 0;
}

int fl_vm_kernel(const char *arg, const char *modules, struct fl_vm_kernel *k)
{
	const char *base;
	int err;

	memset(k, 0, sizeof(*k));
	if (fl_vm_known_name(arg))
		return vm_fetched(arg, k);
	if (!strchr(arg, '/'))
		return -EINVAL;
	base = strrchr(arg, '/') + 1;
	snprintf(k->name, sizeof(k->name), "%s", *base ? base : arg);
	if (snprintf(k->image, sizeof(k->image), "%s", arg) >= (int)sizeof(k->image) ||
	    snprintf(k->modules, sizeof(k->modules), "%s", modules ? modules : "") >=
		    (int)sizeof(k->modules))
		return -ENAMETOOLONG;
	err = vm_image_arch(arg, &k->arch);
	if (err)
		return err;
	if (modules && access(modules, R_OK | X_OK))
		return -ENOENT;
	return 0;
}

int fl_vm_proc_version(const char *version, fl_kver_t *v)
{
	char buf[32];
	const char *p = strstr(version, " Debian ");
	size_t n;

	if (p)
		p += strlen(" Debian ");
	else if (!strncmp(version, "Linux version ", 14))
		p = version + 14;
	else
		return -EINVAL;
	/* The upstream version is the leading x.y[.z] (or x.y-rcN). */
	n = strspn(p, "0123456789.");
	if (!strncmp(p + n, "-rc", 3))
		n += 3 + strspn(p + n + 3, "0123456789");
	if (!n || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, p, n);
	buf[n] = 0;
	if (n > 1 && buf[n - 1] == '.')
		buf[n - 1] = 0;
	return fl_kver_parse(buf, v);
}

/* ---- the initramfs ---- */

static int cpio_pad(FILE *f)
{
	while (ftell(f) & 3)
		if (fputc(0, f) == EOF)
			return -EIO;
	return 0;
}

/* One newc entry: NAME, MODE (with type), device RDEV (major, minor), DATA. */
static int cpio_entry(FILE *f, const char *name, unsigned mode, unsigned rmaj,
		      unsigned rmin, const void *data, size_t len)
{
	static unsigned ino = 1;

	if (fprintf(f, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08zX%08X",
		    ino++, mode, 0u, 0u, 1u, 0u, (unsigned)len, 0u, 0u, rmaj, rmin,
		    strlen(name) + 1, 0u) < 0 ||
	    fwrite(name, strlen(name) + 1, 1, f) != 1 || cpio_pad(f) ||
	    (len && fwrite(data, len, 1, f) != 1) || cpio_pad(f))
		return -EIO;
	return 0;
}

int fl_vm_cpio_entry(FILE *f, const char *name, unsigned mode, const void *data, size_t len)
{
	return cpio_entry(f, name, mode, 0, 0, data, len);
}

static int vm_read_file(const char *path, char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -EIO;
	}
	*data = malloc((size_t)n + 1);
	if (!*data || fread(*data, 1, (size_t)n, f) != (size_t)n) {
		free(*data);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*len = (size_t)n;
	return 0;
}

int fl_vm_libexec(const char *file, char *path, size_t len)
{
	static const char *const where[] = { "guest", FL_LIBEXEC_REL };
	char self[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	size_t i;

	if (n <= 0)
		return -ENOENT;
	self[n] = 0;
	slash = strrchr(self, '/');
	if (!slash)
		return -ENOENT;
	*slash = 0;
	for (i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		int m = snprintf(path, len, "%s/%s/%s", self, where[i], file);

		if (m > 0 && (size_t)m < len && access(path, R_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

int fl_vm_guest_file(enum fl_vm_arch a, const char *what, char *path, size_t len)
{
	const char *dir = getenv("FL_GUEST_DIR");
	char file[64];

	snprintf(file, sizeof(file), "%s-%s", what, vm_arches[a].guest);
	if (!dir || !*dir)
		return fl_vm_libexec(file, path, len) ? -ENOEXEC : 0;
	snprintf(path, len, "%s/%s", dir, file);
	return access(path, R_OK) ? -ENOEXEC : 0;
}

/* The executable WHAT for arch A as the initramfs entry NAME. */
static int vm_cpio_program(FILE *f, enum fl_vm_arch a, const char *what, const char *name)
{
	char path[PATH_MAX], *data = NULL;
	size_t len = 0;
	int err = fl_vm_guest_file(a, what, path, sizeof(path));

	if (!err)
		err = vm_read_file(path, &data, &len);
	if (err)
		return err == -ENOENT ? -ENOEXEC : err;
	err = cpio_entry(f, name, S_IFREG | 0755, 0, 0, data, len);
	free(data);
	return err;
}

/*
 * The initramfs for a boot of arch A with JOB (and the agent), into F;
 * with MODS, the agent's modules of that kernel (vm_modules.c): without
 * them the guest has no btrfs, which its agent's HELLO says, and no
 * virtio port, so its agent serves the console.
 */
static int vm_initramfs(FILE *f, enum fl_vm_arch a, const char *job, bool agent,
			const struct fl_vm_kernel *mods)
{
	char why[256];
	int err = vm_cpio_program(f, a, "init", "init");

	if (!err && agent)
		err = vm_cpio_program(f, a, "fl-agent", "fl-agent");
	if (err)
		return err;
	if (mods && fl_vm_cpio_agent_modules(f, mods, why, sizeof(why)) == -EIO)
		return -EIO;
	if (mods && fl_vm_cpio_pin_module(f, mods) == -EIO)
		return -EIO;
	if (cpio_entry(f, "dev", S_IFDIR | 0755, 0, 0, NULL, 0) ||
	    cpio_entry(f, "dev/console", S_IFCHR | 0600, 5, 1, NULL, 0) ||
	    cpio_entry(f, "proc", S_IFDIR | 0555, 0, 0, NULL, 0) ||
	    cpio_entry(f, "job", S_IFREG | 0644, 0, 0, job, strlen(job)) ||
	    cpio_entry(f, "TRAILER!!!", 0, 0, 0, NULL, 0) || fflush(f))
		return -EIO;
	return 0;
}

/* ---- the boot ---- */

static double vm_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A QEMU command line and the strings it points to. */
/*
 * An agent's disks (docs/vm.md "The btrfs disk", "The ext4 disk"): each a
 * sparse file made here, "" when it could not be; the guest tells them
 * apart by mounting, not by name (virtio-mmio may number them either way).
 */
enum { VM_DISK_BTRFS, VM_DISK_EXT4, VM_NR_DISKS };
static const char *const vm_disk_fs[VM_NR_DISKS] = { "btrfs", "ext4" };

struct vm_disks {
	char path[VM_NR_DISKS][PATH_MAX];
};

struct vm_cmd {
	const char *argv[44];
	char drive[VM_NR_DISKS][PATH_MAX + 64];
	char device[VM_NR_DISKS][64];
	char chardev[PATH_MAX + 64];
	char append[640];
};

/*
 * The agent's channel (docs/vm.md "The agent's channel"): a virtio-serial
 * port named VM_AGENT_PORT, whose host side is QEMU's listening socket at
 * CHAN.  The guest finds the port by that name (vm/guest_init.c); a guest
 * without virtio_console (an own image with no modules) keeps the console.
 */
#define VM_AGENT_PORT "fl.agent"

static int vm_argv_chan(const struct fl_vm_arch_desc *d, const char *chan, struct vm_cmd *c,
			int i)
{
	snprintf(c->chardev, sizeof(c->chardev), "socket,id=flagent,path=%s,server=on,wait=off",
		 chan);
	c->argv[i++] = "-device";
	c->argv[i++] = d->serial;
	c->argv[i++] = "-chardev";
	c->argv[i++] = c->chardev;
	c->argv[i++] = "-device";
	c->argv[i++] = "virtserialport,chardev=flagent,name=" VM_AGENT_PORT;
	return i;
}

/*
 * QEMU's command line for K with INITRD into C.  RAW: the serial port is
 * QEMU's stdin and stdout with nothing multiplexed into it (-nographic's
 * monitor would take a 0x01 byte of a frame for its escape), for the agent.
 */
static void vm_argv(const struct fl_vm_kernel *k, const char *initrd, bool raw,
		    const struct vm_disks *disks, const char *chan, struct vm_cmd *c)
{
	const struct fl_vm_arch_desc *d = &vm_arches[k->arch];
	const char *extra = getenv("FL_VM_APPEND");     /* the user's, last: it wins */
	const char **argv = c->argv;
	int i = 0, n;

	argv[i++] = d->qemu;
	if (d->machine) {
		argv[i++] = "-M";
		argv[i++] = d->machine;
	}
	argv[i++] = "-cpu";
	argv[i++] = d->cpu;
	argv[i++] = "-m";
	argv[i++] = "512";
	argv[i++] = "-smp";
	argv[i++] = "1";
	if (raw) {
		argv[i++] = "-nodefaults";
		argv[i++] = "-display";
		argv[i++] = "none";
		argv[i++] = "-serial";
		argv[i++] = "stdio";
	} else {
		argv[i++] = "-nographic";
	}
	argv[i++] = "-no-reboot";
	for (n = 0; disks && n < VM_NR_DISKS; n++) {  /* /dev/vd*: virtio-mmio on virt, PCI on x86 */
		if (!disks->path[n][0])
			continue;
		snprintf(c->drive[n], sizeof(c->drive[n]), "file=%s,if=none,format=raw,id=fl%d",
			 disks->path[n], n);
		snprintf(c->device[n], sizeof(c->device[n]), "%s,drive=fl%d", d->blk, n);
		argv[i++] = "-drive";
		argv[i++] = c->drive[n];
		argv[i++] = "-device";
		argv[i++] = c->device[n];
	}
	if (chan && *chan)
		i = vm_argv_chan(d, chan, c, i);
	argv[i++] = "-kernel";
	argv[i++] = k->image;
	argv[i++] = "-initrd";
	argv[i++] = initrd;
	/*
	 * x86 (x86_64, i386): no_timer_check, in vm_arches[].append.  Under
	 * TCG on a loaded host the emulated
	 * timer interrupt can miss check_timer()'s short window at boot, and
	 * the kernel panics "IO-APIC + timer doesn't work!" (seen here in
	 * the ASan stage of make test, load 15 on 2 cores).  The check
	 * guards against broken hardware, which an emulated APIC is not.
	 */
	/*
	 * hugepages=8: a pool of 8 default-size huge pages (16 MiB of the
	 * guest's 512 on x86_64 and arm64), as scripts/hugepages.sh gives
	 * this machine, so that every guest judges the hugetlb files too;
	 * without it the host backend refuses them ("needs huge pages").
	 */
	argv[i++] = "-append";
	snprintf(c->append, sizeof(c->append),
		 "%s quiet panic=-1 rdinit=/init hugepages=8%s%s", d->append,
		 extra && *extra ? " " : "", extra && *extra ? extra : "");
	argv[i++] = c->append;
	argv[i] = NULL;
}

/*
 * Start QEMU for K: its console (and stderr) on *OUT; with IN, a raw
 * serial port whose input is *IN and whose stderr stays ours.
 */
static int vm_spawn(const struct fl_vm_kernel *k, const char *initrd,
		    const struct vm_disks *disks, const char *chan, pid_t *pid, int *out, int *in)
{
	struct vm_cmd c;
	int p[2], q[2] = { -1, -1 };

	vm_argv(k, initrd, in != NULL, disks, chan, &c);
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	if (in && pipe2(q, O_CLOEXEC)) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	fflush(NULL);
	*pid = fork();
	if (*pid == 0) {
		dup2(in ? q[0] : open("/dev/null", O_RDONLY), 0);
		dup2(p[1], 1);
		if (!in)
			dup2(p[1], 2);
		execvp(c.argv[0], (char *const *)c.argv);
		_exit(127);
	}
	close(p[1]);
	if (in) {
		close(q[0]);
		*in = q[1];
	}
	if (*pid < 0) {
		close(p[0]);
		if (in)
			close(q[1]);
		return -EAGAIN;
	}
	*out = p[0];
	return 0;
}

/* The console, as it is read: lines, and what was seen in them. */
struct vm_console {
	char line[4096];
	struct fl_console_tail tail;    /* the evidence of an end other than DONE */
	size_t len;
	bool done, hello, stopped;
	fl_vm_line_fn fn;
	void *arg;
	double start;
	struct fl_vm_boot *b;
};

static void vm_line(struct vm_console *c)
{
	char *l = c->line, *fl;

	c->line[c->len] = 0;
	c->len = 0;
	l[strcspn(l, "\r")] = 0;
	fl = strstr(l, "FL:");
	if (strstr(l, "Kernel panic"))
		c->b->end = FL_VM_PANIC;
	if (!fl || c->stopped)
		return;
	fl += 3;
	if (!strncmp(fl, "HELLO", 5) && !c->hello) {
		c->hello = true;
		c->b->first_line = vm_now() - c->start;
	}
	if (!strcmp(fl, "DONE"))
		c->done = true;
	else if (c->fn && c->fn(fl, c->arg))
		c->stopped = true;
}

static void vm_feed(struct vm_console *c, const char *buf, size_t n)
{
	size_t i;

	fl_console_tail_feed(&c->tail, buf, n);
	for (i = 0; i < n; i++) {
		if (buf[i] == '\n' || c->len == sizeof(c->line) - 1)
			vm_line(c);
		if (buf[i] != '\n')
			c->line[c->len++] = buf[i];
	}
}

/*
 * WHY (a format) and, after it, the guest's last console lines: the
 * cause of a guest that did not finish is in them (a panic's, a missing
 * module's, an OOM kill's own words), never in ours.
 */
static void __attribute__((format(printf, 4, 5)))
vm_why(const struct fl_console_tail *t, char *out, size_t len, const char *why, ...)
{
	va_list ap;
	size_t at;

	va_start(ap, why);
	vsnprintf(out, len, why, ap);
	va_end(ap);
	at = strlen(out);
	if (at + 32 < len && (t->count || t->len)) {
		at += (size_t)snprintf(out + at, len - at, "; the guest's console ended: ");
		fl_console_tail_format(t, out + at, len - at);
	} else if (at + 32 < len) {
		snprintf(out + at, len - at, "; the guest's console was silent");
	}
}

/* Read the console until QEMU exits or the deadline: the watchdog. */
static void vm_watch(struct vm_console *c, pid_t pid, int fd, int timeout)
{
	double deadline = c->start + timeout;
	char buf[8192];
	int status;

	for (;;) {
		double left = deadline - vm_now();
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t n;

		if (c->done && left > VM_DONE_GRACE)
			deadline = vm_now() + VM_DONE_GRACE, left = VM_DONE_GRACE;
		if (left <= 0 || c->stopped) {
			kill(pid, SIGKILL);
			if (!c->done && !c->stopped && c->b->end != FL_VM_PANIC)
				c->b->end = FL_VM_HUNG;
			break;
		}
		if (poll(&pfd, 1, (int)(left * 1000) + 1) < 0 && errno != EINTR)
			break;
		if (!(pfd.revents & (POLLIN | POLLHUP)))
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		vm_feed(c, buf, (size_t)n);
	}
	if (c->len)
		vm_line(c);
	waitpid(pid, &status, 0);
	if (c->done && c->b->end != FL_VM_PANIC)
		c->b->end = FL_VM_DONE;
	else if (c->b->end == FL_VM_HUNG)
		vm_why(&c->tail, c->b->why, sizeof(c->b->why), "no answer within %d s: the guest "
		       "hung or spins (killed)", timeout);
	else if (c->b->end == FL_VM_PANIC)      /* the tail ends with panic()'s line */
		vm_why(&c->tail, c->b->why, sizeof(c->b->why), "the kernel panicked");
	else if (c->b->end == FL_VM_DIED)
		vm_why(&c->tail, c->b->why, sizeof(c->b->why), "%s",
		       WIFEXITED(status) && WEXITSTATUS(status) == 127
		       ? "QEMU could not be started (qemu-system-* not installed?)"
		       : "QEMU exited before the guest finished");
}

int fl_vm_run(const struct fl_vm_kernel *k, const char *job, int timeout,
	      fl_vm_line_fn fn, void *arg, struct fl_vm_boot *b)
{
	struct vm_console *c = calloc(1, sizeof(*c));
	const char *tmpdir = getenv("TMPDIR");
	char path[PATH_MAX];
	FILE *f = NULL;
	pid_t pid = -1;
	int fd = -1, out = -1, err;

	memset(b, 0, sizeof(*b));
	b->end = FL_VM_DIED;
	if (!c)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/faultline-initrd-XXXXXX",
		 tmpdir && *tmpdir ? tmpdir : "/tmp");
	fd = mkstemp(path);
	if (fd < 0) {
		err = -errno;
		goto out_free;
	}
	f = fdopen(fd, "wb");
	err = f ? vm_initramfs(f, k->arch, job, false, NULL) : -errno;
	if (err)
		goto out_file;
	*c = (struct vm_console){ .fn = fn, .arg = arg, .start = vm_now(), .b = b };
	err = vm_spawn(k, path, NULL, NULL, &pid, &out, NULL);
	if (err)
		goto out_file;
	vm_watch(c, pid, out, timeout);
	close(out);
	b->seconds = vm_now() - c->start;
out_file:
	if (f)
		fclose(f);
	else if (fd >= 0)
		close(fd);
	unlink(path);
out_free:
	free(c);
	return err;
}

/* ---- the agent's channel ---- */

#define VM_AGENT_MARK "FL:AGENT"

static int vm_write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t k = write(fd, buf, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -EPIPE;
		buf += k;
		n -= (size_t)k;
	}
	return 0;
}

/*
 * Wait for the guest's mark, a whole line: "FL:AGENT port" (the agent
 * serves the virtio port; *PORT true) or "FL:AGENT" (it serves the raw
 * console).  What follows the line in the last read is the agent's on
 * the console, for STDOUT.  0, -ETIMEDOUT or -EPIPE (QEMU went away).
 * The boot's lines up to the mark go to TAIL.
 */
static int vm_agent_ready(int out, int timeout, bool *port, struct fl_console_tail *tail)
{
	double deadline = vm_now() + timeout;
	char buf[4096 + 64], *hit, *nl;
	size_t have = 0, keep = 64;

	for (;;) {
		struct pollfd pfd = { out, POLLIN, 0 };
		double left = deadline - vm_now();
		ssize_t n;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		n = read(out, buf + have, sizeof(buf) - have - 1);
		if (n <= 0)
			return -EPIPE;
		have += (size_t)n;
		buf[have] = 0;
		hit = memmem(buf, have, VM_AGENT_MARK, strlen(VM_AGENT_MARK));
		nl = hit ? memchr(hit, '\n', have - (size_t)(hit - buf)) : NULL;
		/* not the frames after the mark: the mark's line is in this read */
		fl_console_tail_feed(tail, buf + have - n, nl ? (size_t)(nl + 1 - (buf + have - n))
							      : (size_t)n);
		if (nl) {
			size_t rest = have - (size_t)(nl + 1 - buf);

			*port = !strncmp(hit + strlen(VM_AGENT_MARK), " port", 5);
			return rest && !*port ? vm_write_all(1, nl + 1, rest) : 0;
		}
		/* Keep the tail a mark may have begun in. */
		if (hit && hit > buf) {
			have -= (size_t)(hit - buf);
			memmove(buf, hit, have);
		} else if (!hit && have > keep) {
			memmove(buf, buf + have - keep, keep);
			have = keep;
		}
	}
}

/*
 * Copy both ways until either side ends: stdin to IN, OUT to stdout.
 * CONSOLE, when the agent is on the port: the console, read into TAIL
 * (QEMU would block on a full pipe); its end is QEMU's.  0: stdin ended
 * (the runner is done), -ECONNRESET: the guest's side did.
 */
static int vm_agent_relay(int in, int out, int console, struct fl_console_tail *tail)
{
	char buf[8192];

	for (;;) {
		struct pollfd pfd[3] = { { 0, POLLIN, 0 }, { out, POLLIN, 0 },
					 { console, POLLIN, 0 } };
		ssize_t n;

		if (poll(pfd, console >= 0 ? 3 : 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 0;
		}
		if (pfd[0].revents) {
			n = read(0, buf, sizeof(buf));
			if (n <= 0)
				return 0;
			if (vm_write_all(in, buf, (size_t)n))
				return -ECONNRESET;
		}
		if (pfd[1].revents) {
			n = read(out, buf, sizeof(buf));
			if (n <= 0)
				return -ECONNRESET;
			if (vm_write_all(1, buf, (size_t)n))
				return 0;
		}
		if (console >= 0 && pfd[2].revents) {
			n = read(console, buf, sizeof(buf));
			if (n <= 0)
				return -ECONNRESET;
			fl_console_tail_feed(tail, buf, (size_t)n);
		}
	}
}

/* QEMU's socket of the agent's port: a connected fd, or -errno. */
static int vm_chan_connect(const char *chan)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", chan);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/*
 * A private directory DIR for the port's socket, its path into CHAN; ""
 * when none can be made (the agent keeps the console): a socket path
 * has 107 bytes at most, and QEMU's option syntax takes no comma.
 */
static void vm_chan_make(char *dir, size_t dlen, char *chan, size_t clen)
{
	const char *tmpdir = getenv("TMPDIR");
	struct sockaddr_un a;

	chan[0] = 0;
	snprintf(dir, dlen, "%s/faultline-chan-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (strchr(dir, ',') || strlen(dir) + 6 >= sizeof(a.sun_path) || !mkdtemp(dir)) {
		dir[0] = 0;
		return;
	}
	snprintf(chan, clen, "%s/sock", dir);
}

/* An agent guest's disks into DISKS: those that cannot be made stay "". */
static void vm_disks_make(struct vm_disks *disks)
{
	const char *tmpdir = getenv("TMPDIR");
	char why[256];
	int n, fd;

	for (n = 0; n < VM_NR_DISKS; n++) {
		char *path = disks->path[n];

		snprintf(path, PATH_MAX, "%s/faultline-%s-XXXXXX",
			 tmpdir && *tmpdir ? tmpdir : "/tmp", vm_disk_fs[n]);
		fd = mkstemp(path);
		if (fd >= 0)
			close(fd);
		if (fd >= 0 && fl_vm_disk(path, vm_disk_fs[n], why, sizeof(why)))
			unlink(path);
		if (fd < 0 || access(path, F_OK))
			path[0] = 0;
	}
}

static void vm_disks_unlink(const struct vm_disks *disks)
{
	int n;

	for (n = 0; n < VM_NR_DISKS; n++)
		if (disks->path[n][0])
			unlink(disks->path[n]);
}

/* The initramfs of an agent's boot with DISKS into PATH (a new temporary file). */
static int vm_agent_initrd(const struct fl_vm_kernel *k, const struct vm_disks *disks,
			   char *path, size_t len)
{
	const char *tmpdir = getenv("TMPDIR");
	char job[32];
	int fd, err, n, nr = 0;
	FILE *f;

	for (n = 0; n < VM_NR_DISKS; n++)
		nr += disks->path[n][0] != 0;
	snprintf(job, sizeof(job), "disks %d\nagent\n", nr);

	snprintf(path, len, "%s/faultline-initrd-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "wb");
	err = f ? vm_initramfs(f, k->arch, job, true, k) : -errno;
	if (f)
		fclose(f);
	else
		close(fd);
	return err;
}

int fl_vm_agent(const struct fl_vm_kernel *k, int timeout, char *console, size_t len)
{
	char path[PATH_MAX], dir[PATH_MAX] = "", chan[PATH_MAX + 8];
	struct vm_disks disks = { 0 };
	struct fl_console_tail *tail = calloc(1, sizeof(*tail));
	pid_t pid = -1;
	int in = -1, out = -1, sock = -1, err, status;
	bool port = false;

	console[0] = 0;
	if (tail)
		vm_disks_make(&disks);
	err = tail ? vm_agent_initrd(k, &disks, path, sizeof(path)) : -ENOMEM;
	if (!err) {
		vm_chan_make(dir, sizeof(dir), chan, sizeof(chan));
		err = vm_spawn(k, path, &disks, chan, &pid, &out, &in);
	}
	if (!err)
		err = vm_agent_ready(out, timeout, &port, tail);
	if (!err && port && (sock = vm_chan_connect(chan)) < 0)
		err = sock;
	if (!err)       /* said once per boot: which channel carries the frames */
		fl_cli_error("kernels agent %s: frames on %s", k->name,
			     port ? "the virtio port " VM_AGENT_PORT
				  : "the console (the guest has no virtio_console)");
	unlink(path);
	vm_disks_unlink(&disks);
	if (chan[0])
		unlink(chan);
	if (dir[0])
		rmdir(dir);
	if (!err && port)
		err = vm_agent_relay(sock, sock, out, tail);
	else if (!err)
		err = vm_agent_relay(in, out, -1, tail);
	if (err && err != -ENOEXEC && tail)
		vm_why(tail, console, len, "%s", "");
	free(tail);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	if (sock >= 0)
		close(sock);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return err;
}

int vm_kernel_error(const char *arg, int err)
{
	switch (err) {
	case -EINVAL:
		fl_cli_error("--kernel %s: not a kernel version, a fetched kernel name "
			     "(" FL_VM_KNOWN_TEXT ") or a path to an image", arg);
		return FL_EXIT_USAGE;
	case -ENOENT:
		if (fl_vm_known_name(arg))
			fl_cli_error("--kernel %s: not fetched; run 'faultline kernels fetch %s'",
				     arg, arg);
		else
			fl_cli_error("--kernel %s: no such file", arg);
		return fl_vm_known_name(arg) ? FL_EXIT_UNSUPPORTED : FL_EXIT_USAGE;
	case -ENOEXEC:
		fl_cli_error("--kernel %s: not an arm64 or riscv64 Image, an x86 bzImage nor an "
			     "arm zImage", arg);
		return FL_EXIT_USAGE;
	default:
		fl_cli_error("--kernel %s: %s", arg, strerror(-err));
		return FL_EXIT_USAGE;
	}
}

