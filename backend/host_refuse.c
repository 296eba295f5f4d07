/*
 * backend/host_refuse.c - what the host backend cannot run, decided
 * before anything runs on the real kernel: the runner says UNSUPPORTED
 * (exit 3) and names the statement, "host backend: 'call copy_to_user'
 * (line 4) has no system-call equivalent".
 *
 *   - a call whose row in backend/calls.c has no host function: the
 *     kernel routines no system call reaches alone (uaccess, fault_in_*,
 *     restore_fpregs); the row says why;
 *   - the GUP calls, unless the judge's kernel loaded our faultline_pin
 *     module (HOST_CAP_PIN: a VM guest, docs/vm.md "The pin module"),
 *     and then GUP flags the module does not pass;
 *   - a userfaultfd call (capability uffd) when this process may not use
 *     userfaultfd (fl_host_uffd_permitted()): "skipped (needs userfaultfd
 *     permission)", which `diff` counts as a skip; mremap needs no
 *     permission and always runs;
 *   - `on HOOK`: the host cannot stop the kernel at a point inside a call;
 *   - `evict` (reclaim is the kernel's choice: there is no deterministic
 *     way to push one page out);
 *   - what only a guest kernel runs (host_child_guest.c), unless the
 *     agent's HELLO said its kernel can (HOST_CAP_*): `tag` (MTE),
 *     `poison` (on this machine it would take a real page out of
 *     service), `call btrfs_search_ioctl` (a btrfs at the agent's
 *     $FL_BTRFS);
 *   - `kernel X.Y` other than the running kernel's major.minor, `arch A`
 *     other than this machine's, fs= a file system the temporary
 *     directory is not on;
 *   - more than HOST_MAX_PROCS scenario processes (`p`, `process`, `fork`):
 *     each is a real process of this machine;
 *   - `expect pagemap` asking a page to be soft-dirty on a kernel without
 *     soft-dirty (this machine's: CONFIG_MEM_SOFT_DIRTY is off);
 *   - a hugetlb mapping or file (`mmap ... hugetlb=on`, `file ...
 *     fs=hugetlbfs`) where fewer than HOST_HUGETLB_NEED huge pages are
 *     free (vm.nr_hugepages is 0 by default): "skipped (needs huge
 *     pages)", never an mmap failure that would read as the kernel's.
 *
 * The userfaultfd permission and $TMPDIR's file system are asked where
 * the scenario processes run (host_env.c): of this machine, or of the
 * agent, whose HELLO caps say them (a guest's agent runs as root on its
 * initramfs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <faultline/gup.h>

#include "backend/host_internal.h"


/* A uname machine in the scenario language's words. */
static const char *arch_word(const char *machine)
{
	if (!strcmp(machine, "aarch64"))
		return "arm64";
	if (!strcmp(machine, "i686") || !strcmp(machine, "i386"))
		return "i386";
	if (!strncmp(machine, "armv", 4))
		return "arm";
	return machine;
}

/*
 * The arch of a judge whose `uname -m` is MACHINE, with CAPS (HOST_CAP_*),
 * in the scenario language's words into BUF: an arm64 CPU with MTE (QEMU
 * virt,mte=on -cpu max) is arm64+mte.
 */
void fl_host_arch_word(const char *machine, uint32_t caps, char *buf, size_t len)
{
	const char *w = arch_word(machine);

	snprintf(buf, len, "%.27s%s", w,
		 !strcmp(w, "arm64") && (caps & HOST_CAP_MTE) ? "+mte" : "");
}

fl_kver_t fl_host_release_kver(const char *release)
{
	unsigned maj, min, patch = 0;

	if (sscanf(release, "%u.%u.%u", &maj, &min, &patch) >= 2 && maj < 256 && min < 256)
		return FL_KV(maj, min, patch > 65535 ? 65535 : patch);
	return 0;
}

/* The judge: this machine, or the agent's kernel as its HELLO said. */
static void judge_init(struct host *h)
{
	struct utsname u;

	if (h->link.wfd < 0) {
		snprintf(h->arch, sizeof(h->arch), "%.31s", uname(&u) ? "?" : arch_word(u.machine));
		h->kver = fl_host_kver();
		/*
		 * Asked once per scenario, not per statement: what this machine
		 * lets a scenario do (host_env.c).  It says none of a guest's
		 * caps (MTE, poison, the btrfs search), nor the pool's
		 * (refuse_hugetlb asks that only where a scenario maps huge pages).
		 */
		h->caps = fl_host_env_caps();
		return;
	}
	h->caps = h->link.hello.caps;
	fl_host_arch_word(h->link.hello.machine, h->link.hello.caps, h->arch, sizeof(h->arch));
	h->kver = fl_host_release_kver(h->link.hello.release);
}

/*
 * Does a scenario for arch WANT run on a judge of arch HAVE?  The same,
 * or arm64 on arm64+mte: without PROT_MTE no access is tag-checked.
 */
static bool arch_runs_on(const char *want, const char *have)
{
	return !strcmp(want, have) || (!strcmp(want, "arm64") && !strcmp(have, "arm64+mte"));
}

static bool refuse_call(struct host *h, const struct fl_sc_stmt *st)
{
	const struct fl_backend_call *c = fl_backend_call(st->code);

	if (!c || !c->host)
		snprintf(h->refusal, sizeof(h->refusal), "host backend: 'call %s' (line %u) %s",
			 fl_sc_func_name((enum fl_sc_func)st->code), st->line,
			 c ? c->host_refusal : "is no call");
	return h->refusal[0];
}

/*
 * Asked where the scenario processes run: of this process, or of the
 * agent, whose HELLO says it (HOST_CAP_UFFD, host_env.c).
 */
static bool uffd_permitted(const struct host *h, char *why, size_t len)
{
	if (h->link.wfd < 0)
		return fl_host_uffd_permitted(why, len);
	snprintf(why, len, "the judge's agent may not use userfaultfd");
	return h->caps & HOST_CAP_UFFD;
}

static bool refuse_uffd(struct host *h, const struct fl_sc_stmt *st)
{
	const struct fl_backend_call *c = fl_backend_call(st->code);
	char why[160];

	if (c && c->cap == FL_CAP_UFFD && !uffd_permitted(h, why, sizeof(why)))
		snprintf(h->refusal, sizeof(h->refusal),
			 "host backend: skipped (needs userfaultfd permission): "
			 "'call %s' (line %u): %s", fl_sc_func_name((enum fl_sc_func)st->code),
			 st->line, why);
	return h->refusal[0];
}

static bool refuse_verb(struct host *h, const struct fl_sc_stmt *st)
{
	static const struct { enum fl_sc_verb v; const char *why; } no[] = {
		{ FL_SC_ON, "the host cannot stop the kernel inside a call" },
		{ FL_SC_EVICT, "reclaim is the kernel's choice: no deterministic way to evict a page" },
	};
	size_t i;

	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (st->verb == no[i].v)
			snprintf(h->refusal, sizeof(h->refusal),
				 "host backend: '%s' (line %u): %s",
				 fl_sc_verb_name(st->verb), st->line, no[i].why);
	return h->refusal[0];
}

/*
 * What only a guest kernel runs (host_child_guest.c): refused unless the
 * judge's HELLO says it can.  This machine says nothing (no agent).
 */
static bool refuse_guest(struct host *h, const struct fl_sc_stmt *st)
{
	static const struct { uint32_t feat; const char *what, *here, *judge; } need[] = {
		{ HOST_CAP_MTE, "tag", "memory tagging (MTE) is not on this machine",
		  "the judge's CPU or kernel has no MTE (arm64 guests boot with mte=on)" },
		{ HOST_CAP_HWPOISON, "poison",
		  "it would take a real page of this machine out of service",
		  "the judge's kernel has no CONFIG_MEMORY_FAILURE or the agent is not root" },
		{ HOST_CAP_BTRFS, "call btrfs_search_ioctl",
		  "needs a btrfs the agent may search as root: runs in a VM guest (docs/vm.md)",
		  "the judge has no btrfs mounted (btrfs.ko or the disk missing, docs/vm.md)" },
	};
	unsigned k = st->verb == FL_SC_TAG ? 0 : st->verb == FL_SC_POISON ? 1 :
		     st->verb == FL_SC_CALL && st->code == FL_SC_BTRFS_SEARCH_IOCTL ? 2 : 3;

	if (k == 3 || (h->caps & need[k].feat))
		return false;
	snprintf(h->refusal, sizeof(h->refusal), "host backend: '%s' (line %u): %s",
		 need[k].what, st->line, h->link.wfd < 0 ? need[k].here : need[k].judge);
	return true;
}

/*
 * The kernel NAME of `--kernel NAME`, from the agent's command line
 * ("... kernels agent 'NAME'", cli/judge.c), for a refusal to name; or
 * "NAME" where the agent is another program.
 */
static void judge_name(char *buf, size_t len)
{
	const char *cmd = getenv("FAULTLINE_HOST_AGENT");
	const char *at = cmd ? strstr(cmd, " kernels agent ") : NULL;
	size_t n;

	snprintf(buf, len, "NAME");     /* not a VM's: an agent of this machine */
	if (!at)
		return;
	at += strlen(" kernels agent ");
	at += *at == '\'';
	n = strcspn(at, "' ");
	if (n && n < len)
		snprintf(buf, len, "%.*s", (int)n, at);
}

/*
 * The GUP calls (host_gup.c): through /dev/faultline_pin, on a judge whose
 * kernel loaded our module (HOST_CAP_PIN); the module passes FOLL_WRITE,
 * FOLL_FORCE and FOLL_LONGTERM, so other flags are refused by name.  A
 * module that did not load says its errno (HOST_CAP_PIN_FAILED).
 */
static bool refuse_gup(struct host *h, const struct fl_sc_stmt *st)
{
	static const unsigned passed = FL_FOLL_WRITE | FL_FOLL_FORCE | FL_FOLL_LONGTERM;
	const struct fl_backend_call *c = fl_backend_call(st->code);
	const char *name = fl_sc_func_name((enum fl_sc_func)st->code);
	char judge[64];
	bool takes = st->code != FL_SC_PUT_PAGES && st->code != FL_SC_READ_PAGES;
	unsigned extra = takes ? (unsigned)st->args[2].u.value & ~passed : 0;

	if (st->verb != FL_SC_CALL || !c || c->cap != FL_CAP_GUP ||
	    st->code == FL_SC_PROC_MEM_READ || st->code == FL_SC_PROC_MEM_WRITE)
		return false;
	judge_name(judge, sizeof(judge));
	if (h->link.wfd < 0)
		snprintf(h->refusal, sizeof(h->refusal),
			 "host backend: 'call %s' (line %u) has no system-call equivalent "
			 "(a VM judge runs it with the faultline_pin module: docs/vm.md)",
			 name, st->line);
	else if (h->caps & HOST_CAP_PIN_FAILED)
		snprintf(h->refusal, sizeof(h->refusal),
			 "host backend: 'call %s' (line %u): the judge's kernel did not load "
			 "faultline_pin.ko (%s): rebuild it with 'faultline kernels pin %s'",
			 name, st->line, strerror(HOST_CAP_PIN_ERRNO(h->caps)), judge);
	else if (!(h->caps & HOST_CAP_PIN) && !strcmp(judge, "NAME"))
		snprintf(h->refusal, sizeof(h->refusal),
			 "host backend: 'call %s' (line %u): the agent's kernel has no "
			 "faultline_pin module; a VM judge loads one ('faultline kernels "
			 "pin NAME', docs/vm.md)", name, st->line);
	else if (!(h->caps & HOST_CAP_PIN))
		snprintf(h->refusal, sizeof(h->refusal),
			 "host backend: 'call %s' (line %u): no faultline_pin module for %s: "
			 "run 'faultline kernels pin %s' (docs/vm.md)",
			 name, st->line, judge, judge);
	else if (extra)
		snprintf(h->refusal, sizeof(h->refusal),
			 "host backend: 'call %s' (line %u): the faultline_pin module passes "
			 "only the flags write, force and longterm (0x%x asked)",
			 name, st->line, extra);
	return h->refusal[0];
}

/* A kernel or arch line the judge is not: this machine's, or an agent's (a VM guest). */
static bool refuse_world(struct host *h, const struct fl_sc_stmt *st)
{
	fl_kver_t want = (fl_kver_t)st->args[0].u.value, have = h->kver;
	const char *whose = h->link.wfd < 0 ? "the running kernel" : "the judge's kernel";
	char kv[32];

	if (st->verb == FL_SC_KERNEL && want &&
	    (FL_KV_MAJOR(want) != FL_KV_MAJOR(have) || FL_KV_MINOR(want) != FL_KV_MINOR(have)))
		snprintf(h->refusal, sizeof(h->refusal),
			 "host backend: 'kernel %s' (line %u) is not %s (%u.%u)",
			 fl_kver_format(want, kv, sizeof(kv)), st->line, whose,
			 FL_KV_MAJOR(have), FL_KV_MINOR(have));
	if (st->verb == FL_SC_ARCH &&
	    !arch_runs_on(fl_arch((enum fl_arch_id)st->args[0].u.value)->name, h->arch))
		snprintf(h->refusal, sizeof(h->refusal),
			 "host backend: 'arch %s' (line %u) is not %s (%s)",
			 fl_arch((enum fl_arch_id)st->args[0].u.value)->name, st->line,
			 h->link.wfd < 0 ? "this machine's" : "the judge's", h->arch);
	return h->refusal[0];
}

/* fs=ext4|btrfs: an O_TMPFILE on that fs, on this machine or the agent's (host_env.c). */
static bool refuse_fs(struct host *h, const struct fl_sc_stmt *st)
{
	static const uint32_t cap[] = { 0, HOST_CAP_TMP_EXT4, HOST_CAP_TMP_BTRFS };
	static const char *const fs[] = { "tmpfs", "ext4", "btrfs" };
	const struct fl_sc_arg *a = fl_sc_key(st, "fs");

	if (!a || a->u.value == 0 || a->u.value > 2)
		return false;   /* tmpfs, hugetlbfs: a memfd */
	if (h->caps & cap[a->u.value])
		return false;
	snprintf(h->refusal, sizeof(h->refusal),
		 "host backend: 'file ... fs=%s' (line %u): %s$TMPDIR, /tmp%s are not on %s",
		 fs[a->u.value], st->line, h->link.wfd < 0 ? "" : "the judge's ",
		 h->link.wfd < 0 ? "" : " and its disks", fs[a->u.value]);
	return true;
}

/* dir: on tmpfs only (host_link_dir.c says why), which the machine must have. */
static bool refuse_dir(struct host *h, const struct fl_sc_stmt *st)
{
	if (st->verb != FL_SC_DIR || (h->caps & HOST_CAP_TMPFS_DIR))
		return false;
	snprintf(h->refusal, sizeof(h->refusal),
		 "host backend: 'dir' (line %u): no writable tmpfs directory "
		 "(/dev/shm, $TMPDIR, /tmp or /) on %s", st->line,
		 h->link.wfd < 0 ? "this machine" : "the judge");
	return true;
}

/* Look at every statement once; true (and h->refusal) if one cannot run here. */
/*
 * Real processes are a real machine's: one more than HOST_MAX_PROCS
 * `process` and `fork` statements (and `p`) is refused at the statement
 * that would make it, counting as if none exited.
 */
static bool refuse_procs(struct host *h, const struct fl_sc_stmt *st, unsigned *nprocs)
{
	if (st->verb != FL_SC_PROCESS && st->verb != FL_SC_FORK)
		return false;
	if (++*nprocs <= HOST_MAX_PROCS)
		return false;
	snprintf(h->refusal, sizeof(h->refusal),
		 "host backend: '%s %s' (line %u): more than %u scenario processes",
		 fl_sc_verb_name(st->verb), fl_host_name(h, st->args[0].u.ref.id), st->line,
		 HOST_MAX_PROCS);
	return true;
}

/*
 * `expect pagemap ... softdirty` on a kernel without soft-dirty (built
 * without CONFIG_MEM_SOFT_DIRTY, or an arch without the pte bit, as the
 * pagemap probe of kernel/host_probe.c finds): nothing can be judged,
 * as the kernel's soft-dirty selftest skips there.  `-softdirty` runs.
 */
static bool refuse_soft_dirty(struct host *h, const struct fl_sc_stmt *st)
{
	bool none = h->link.wfd < 0 ? fl_host_kconfig_off() & FL_KCONFIG_MEM_SOFT_DIRTY
				    : h->caps & HOST_CAP_NO_SOFT_DIRTY;

	if (st->verb != FL_SC_EXPECT || st->code != FL_SC_EXPECT_PAGEMAP ||
	    !(st->args[1].u.value >> FL_SC_PM_SOFTDIRTY & 1) || !none)
		return false;
	snprintf(h->refusal, sizeof(h->refusal),
		 "host backend: skipped (needs soft-dirty): 'expect pagemap ... softdirty' "
		 "(line %u): this kernel has no soft-dirty bit (CONFIG_MEM_SOFT_DIRTY, "
		 "or the arch)", st->line);
	return true;
}

_Static_assert(HOST_FS_HUGETLBFS == FL_FS_HUGETLBFS, "the wire's fs is enum fl_fs");

/* A hugetlb mapping or file where the pool has too few free pages. */
static bool refuse_hugetlb(struct host *h, const struct fl_sc_stmt *st)
{
	const struct fl_sc_arg *huge = fl_sc_key(st, "hugetlb");
	const struct fl_sc_arg *fs = fl_sc_key(st, "fs");

	if (!(st->verb == FL_SC_MMAP && huge && huge->u.value) &&
	    !(st->verb == FL_SC_FILE && fs && fs->u.value == HOST_FS_HUGETLBFS))
		return false;
	if ((h->link.wfd < 0 ? fl_host_pool_caps() : h->caps) & HOST_CAP_HUGETLB)
		return false;
	snprintf(h->refusal, sizeof(h->refusal),
		 "host backend: skipped (needs huge pages): '%s' (line %u): no free huge "
		 "pages (vm.nr_hugepages): fewer than %d free on %s", fl_sc_verb_name(st->verb),
		 st->line, HOST_HUGETLB_NEED, h->link.wfd < 0 ? "this machine" : "the judge");
	return true;
}

/* MADV_HUGEPAGE or MADV_COLLAPSE where THP is "never" or not built. */
static bool refuse_thp(struct host *h, const struct fl_sc_stmt *st)
{
	int advice;

	if (st->verb != FL_SC_MADVISE && !(st->verb == FL_SC_CALL && st->code == FL_SC_MADVISE_CALL))
		return false;
	advice = (int)st->args[2].u.value;      /* both forms: ADDR LEN ADVICE */
	if ((advice != FL_MADV_HUGEPAGE && advice != FL_MADV_COLLAPSE) || (h->caps & HOST_CAP_THP))
		return false;
	snprintf(h->refusal, sizeof(h->refusal),
		 "host backend: skipped (needs THP): 'madvise ... %s' (line %u): "
		 "transparent huge pages are off on %s (/sys/kernel/mm/transparent_hugepage/"
		 "enabled %s)", advice == FL_MADV_HUGEPAGE ? "hugepage" : "collapse", st->line,
		 h->link.wfd < 0 ? "this machine" : "the judge",
		 h->caps & HOST_CAP_THP_NEVER ? "is \"never\"" : "is absent: a kernel without THP");
	return true;
}

/* What the judge's machine cannot run, at ST. */
static bool refuse_judged(struct host *h, const struct fl_sc_stmt *st)
{
	return (st->verb == FL_SC_CALL && refuse_uffd(h, st)) || refuse_world(h, st) ||
	       (st->verb == FL_SC_FILE && refuse_fs(h, st)) || refuse_dir(h, st) ||
	       refuse_guest(h, st) || refuse_gup(h, st) ||
	       refuse_soft_dirty(h, st) || refuse_hugetlb(h, st) || refuse_thp(h, st);
}

bool fl_host_refuses(struct host *h, const struct fl_scenario *sc, enum fl_arch_id arch,
		     bool judged)
{
	unsigned i, nprocs = 1;         /* p */
	bool own_arch = h->link.wfd < 0;        /* this machine: the default arch counts */

	if (judged)
		judge_init(h);
	for (i = 0; i < sc->nstmts; i++) {
		const struct fl_sc_stmt *st = &sc->stmts[i];

		own_arch |= st->verb == FL_SC_ARCH;

		if ((st->verb == FL_SC_CALL && refuse_call(h, st)) ||
		    refuse_verb(h, st) || refuse_procs(h, st, &nprocs) ||
		    (judged && refuse_judged(h, st)))
			return true;
	}
	/*
	 * Through an agent a scenario without `arch` is for the judge's arch
	 * (the model follows it in `diff`: cli/judge.c); `run` has no model.
	 */
	if (judged && own_arch && !arch_runs_on(fl_arch(arch)->name, h->arch))
		snprintf(h->refusal, sizeof(h->refusal),
			 "host backend: the scenario is for %s, this machine is %s",
			 fl_arch(arch)->name, h->arch);
	return h->refusal[0];
}
