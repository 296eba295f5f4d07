/*
 * cli/vm.h - real kernels under QEMU as judges (docs/vm.md): the kernel
 * cache, the guest's initramfs, one boot with a watchdog.
 *
 * Definitions
 *   kernel name   debian-{5.10,6.1,6.12}-{arm64,amd64,armhf},
 *                 debian-{5.10,6.1}-i386, debian-6.12-riscv64: a Debian
 *                 kernel package fetched by `faultline kernels fetch` into
 *                 the cache, CACHE/NAME/{vmlinuz,modules,info}.
 *   cache         $FL_KERNEL_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/faultline/kernels.
 *   own kernel    a PATH to an arm64 or riscv64 Image, an x86 bzImage
 *                 (32 or 64-bit) or an arm zImage (with a '/' in it); its
 *                 arch is read from the image header.
 *   guest arch    what QEMU emulates for a kernel (struct fl_vm_arch_desc):
 *                 its qemu-system-*, machine, console, disk transport, the
 *                 suffix of its guest programs (build/guest/init-SUFFIX)
 *                 and the model's arch that judge answers for.
 *   boot          QEMU TCG (no KVM), one guest for a whole batch: the job
 *                 lines go into /job of the initramfs, the guest's /init
 *                 (vm/guest_init.c) answers with "FL:" lines on the console.
 *   outcome       done (FL:DONE seen), or the guest hung, panicked or died
 *                 before it: the watchdog kills a guest that has not
 *                 finished within its time, and says which it was.
 */
#ifndef FL_CLI_VM_H
#define FL_CLI_VM_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <faultline/arch.h>
#include <faultline/types.h>

enum fl_vm_arch { FL_VM_ARM64, FL_VM_X86_64, FL_VM_I386, FL_VM_ARM, FL_VM_RISCV64, FL_VM_NARCH };

struct fl_vm_arch_desc {
	const char *name;       /* the model's word for it: arm64, x86_64, i386, arm, riscv64 */
	const char *debian;     /* the Debian arch of its kernel names: arm64, amd64, ... */
	const char *guest;      /* suffix of its guest programs: init-aarch64, fl-agent-armhf */
	const char *cc;         /* the compiler that builds them (CMakeLists.txt fl_guest) */
	const char *qemu;       /* qemu-system-* */
	const char *machine;    /* -M, or NULL for the default (pc) */
	const char *cpu;        /* -cpu */
	const char *append;     /* the kernel command line */
	const char *blk;        /* the virtio disk's device: -device BLK,drive=fl0 */
	const char *serial;     /* the agent's channel's bus: -device SERIAL (docs/vm.md) */
	const char *transport;  /* the module that transport needs (cli/vm_modules.c) */
	enum fl_arch_id model;  /* the model's arch for this judge */
};

/* The description of guest arch A. */
const struct fl_vm_arch_desc *fl_vm_arch(enum fl_vm_arch a);

struct fl_vm_kernel {
	char name[64];                  /* debian-6.1-arm64, or the image's file name */
	char image[PATH_MAX];
	char modules[PATH_MAX];         /* "" when there are none */
	enum fl_vm_arch arch;
};

enum fl_vm_end {
	FL_VM_DONE,             /* the guest finished its jobs */
	FL_VM_PANIC,            /* the kernel panicked (its console said so) */
	FL_VM_HUNG,             /* no FL:DONE within the time: killed */
	FL_VM_DIED,             /* QEMU exited without FL:DONE (or never started) */
};

struct fl_vm_boot {
	enum fl_vm_end end;
	double seconds;         /* QEMU start to exit (or kill) */
	double first_line;      /* QEMU start to the guest's FL:HELLO; 0 if none */
	char why[1280];         /* for an end other than DONE: the evidence */
};

/* One "FL:" line of the guest (without "FL:"); nonzero stops the boot. */
typedef int (*fl_vm_line_fn)(const char *line, void *arg);

/* The kernels `kernels fetch` knows, by arch, oldest first. */
#define FL_VM_NKNOWN 12
extern const char *const fl_vm_names[FL_VM_NKNOWN];

/*
 * FILE of the programs faultline runs beside itself (guest /init and
 * agent per arch, kernel-fetch.sh) into PATH: the build tree's guest/
 * next to this binary (/proc/self/exe), else the installed
 * LIBEXECDIR/faultline/ relative to it.  0, or -ENOENT in neither.
 */
int fl_vm_libexec(const char *file, char *path, size_t len);
/*
 * The guest program WHAT ("init", "fl-agent") for arch A into PATH:
 * in $FL_GUEST_DIR if set, else fl_vm_libexec()'s.  0, or -ENOEXEC when
 * it was not built (its compiler missing at build time).
 */
int fl_vm_guest_file(enum fl_vm_arch a, const char *what, char *path, size_t len);
/* The cache directory into BUF: 0, or -ENAMETOOLONG / -ENOENT (no $HOME). */
int fl_vm_cache_dir(char *buf, size_t len);
/* Is NAME one of the Debian kernels `kernels fetch` knows? */
bool fl_vm_known_name(const char *name);
/*
 * NAME (fetched) or PATH (own image, MODULES optional) into K.  -EINVAL:
 * not a known name nor a path; -ENOENT: not fetched or no such file;
 * -ENOEXEC: no image of an arch a judge boots (fl_vm_arch_desc).
 */
int fl_vm_kernel(const char *arg, const char *modules, struct fl_vm_kernel *k);
/* The model's arch for a guest of arch A, and A's name (fl_vm_arch()). */
enum fl_arch_id fl_vm_model_arch(enum fl_vm_arch a);
const char *fl_vm_arch_name(enum fl_vm_arch a);
/* The names `kernels fetch` knows, for an error line. */
#define FL_VM_KNOWN_TEXT \
	"debian-{5.10,6.1,6.12}-{arm64,amd64,armhf}, debian-{5.10,6.1}-i386, debian-6.12-riscv64"
/*
 * Boot K with JOB as /job, handing each FL: line to FN, killing the guest
 * after TIMEOUT seconds: 0 (the outcome is in *B), -ENOEXEC (no guest
 * /init built for the arch, or no QEMU), or -errno.
 */
int fl_vm_run(const struct fl_vm_kernel *k, const char *job, int timeout,
	      fl_vm_line_fn fn, void *arg, struct fl_vm_boot *b);
const char *fl_vm_end_name(enum fl_vm_end e);
/*
 * Boot K with the agent (fl-agent, docs/host.md) on its serial port and
 * join that port to this process's stdin and stdout once the guest says
 * its console is raw (nothing of the boot reaches stdout, nothing of
 * stdin reaches the guest before): the COMMAND of FAULTLINE_HOST_AGENT
 * for a VM judge.  Ends (killing QEMU) when either side does: 0, or
 * -ETIMEDOUT (no agent within TIMEOUT s), -EPIPE (QEMU ended first),
 * -ENOEXEC (no guest /init or agent built for the arch), -ECONNRESET
 * (the guest's side ended first: QEMU exited), -errno.  For an end other
 * than 0 and -ENOEXEC, CONSOLE (LEN bytes) gets "; the guest's console
 * ended: L1 | L2 ..." (its last lines, up to a panic's; the port's
 * agent only: an agent on the console has no lines of its own after its
 * mark), else "".
 */
int fl_vm_agent(const struct fl_vm_kernel *k, int timeout, char *console, size_t len);
/*
 * The upstream version in /proc/version: Debian's "Debian 5.10.223-1",
 * else the release "Linux version 6.9.0-rc3-...": 0 or -EINVAL.
 */
int fl_vm_proc_version(const char *version, fl_kver_t *v);

/* One file (or directory: MODE's type) of the initramfs being written to F. */
int fl_vm_cpio_entry(FILE *f, const char *name, unsigned mode, const void *data, size_t len);
/*
 * cli/vm_modules.c: an agent guest's modules, its btrfs's and its
 * port's (virtio_console, docs/vm.md "The agent's channel"), from K's
 * modules directory, decompressed, in load order, as modules/NN.ko and
 * modules/order: 0; -ENOENT and WHY (nothing written) when one is
 * missing; -EIO when F could not be written.  A disk: a file PATH made
 * file system FS ("btrfs" or "ext4") by its mkfs: 0, or -errno and WHY.
 */
int fl_vm_cpio_agent_modules(FILE *f, const struct fl_vm_kernel *k, char *why, size_t len);
int fl_vm_disk(const char *path, const char *fs, char *why, size_t len);
/*
 * Our pin module for K (docs/vm.md "The pin module"): pin/faultline_pin.ko
 * beside K's image, built by `faultline kernels pin NAME`, as pin.ko of
 * the initramfs: 0 written, -ENOENT none built (the guest then has no
 * /dev/faultline_pin, and the runner names the missing module), -EIO.
 */
int fl_vm_cpio_pin_module(FILE *f, const struct fl_vm_kernel *k);

/* The one-line error for fl_vm_kernel()'s ERR on ARG; the exit code. */
int vm_kernel_error(const char *arg, int err);

/*
 * `faultline exactness --kernel NAME|PATH [--modules DIR] [--max-size N]
 * [--watchdog-ticks T]` (cli/vm_exactness.c): the matrix, sizes 0..N, on a
 * VM judge beside the model, the guest's spin watchdog at T ticks (0: its
 * default); an exit code.
 */
int vm_exactness(const char *kernel, const char *modules, long max_size,
		 unsigned watchdog_ticks, bool verbose);

#endif
