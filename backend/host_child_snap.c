/*
 * backend/host_child_snap.c - a scenario process that goes back to its
 * set-up between cases: the host backend's snapshot and restore, as the
 * explorer uses them (runner/run.c, fl_prefix_case(); docs/host.md
 * "Judging many cases").
 *
 * One process serves case after case instead of a fork, a memfd and
 * their mappings per case: a fork of the runner and its exit were most
 * of a judged case's cost (docs/host.md, `faultline bench judge`).
 *
 * Definitions
 *   log      every request this process served from its start until
 *            HOST_OP_SNAPSHOT, with its reply: the scenario's set-up.
 *   ranges   what the scenario has mapped now: an mmap adds its
 *            page-rounded range, an munmap takes one back.
 *   files    the regular files installed before the snapshot, each with
 *            the size it had when it was handed over.
 *   restore  munmap the ranges, empty each file and give it back its size
 *            and offset 0, then serve the log again, each mmap at the
 *            address it got the first time: the process is as the set-up
 *            left it, and the runner's addresses stay right (the full
 *            restore).
 *   page     one page of the ranges at the snapshot, with its pagemap
 *            entry then: "kept" if present, mapped by this process only
 *            (PM_MMAP_EXCLUSIVE) and not a private mapping's file page,
 *            and then its bytes are saved; "empty" if neither present nor
 *            swapped in a private mapping smaller than a PMD (a fault there
 *            cannot have made a huge page); else neither.
 *   dirty    what the case since the last restore may have changed: the
 *            memory intervals its requests named (quick_note()), whether
 *            a file offset may have moved, and "full" once any request
 *            reached beyond those two (layout, protections, file bytes
 *            or size, anything op_quick[] does not name).
 *   quick    the restore of a case that is not "full": each dirty page
 *            that is kept gets its saved bytes back (one pwrite of
 *            /proc/self/mem, which ignores protections) once its pagemap
 *            flags are seen equal to the snapshot's; each empty one is
 *            dropped again (MADV_DONTNEED: not present, reads zero, as
 *            the full restore's new mapping); each file its offset at the
 *            snapshot.  Some ten system calls become one to three.
 *
 * Invariants
 *   1. A process is restorable only while every request it served is one
 *      whose whole effect a restore undoes (restorable_op()): its own
 *      mappings and their contents, the contents, size and offset of a
 *      regular file.  A fork, a userfaultfd, a pipe, a named access, an
 *      mremap, a file handed over after the snapshot make it not.
 *   2. A replayed request's reply equals the logged one (same return,
 *      errno, signal, si_code, si_addr, bytes moved), else the restore
 *      fails: -1/EAGAIN, and the runner makes a new process.
 *   3. A restore never unmaps what the scenario did not map: ranges holds
 *      only live scenario mappings, so memory this process took for
 *      itself in a hole the scenario left is not touched.
 *   4. The quick restore runs only when it can show it undid every
 *      change: every dirty page is a page of the snapshot, kept or empty,
 *      and a kept one's pagemap flags (present, swapped, file, exclusive,
 *      soft-dirty, uffd-wp) are still the snapshot's; anything else, or a
 *      system call of it failing, falls back to the full restore, which
 *      starts from whatever the quick one left (it unmaps every range).
 *      A kernel has no other way to change a page's bytes or presence
 *      than the requests quick_note() reads, since the case ran alone in
 *      this process (invariant 1: no fork, no other process, no uffd).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/host_child.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define SNAP_MAX_RANGES 256
#define SNAP_MAX_FILES  64

struct snap_entry {
	struct host_req rq;
	struct host_iov *hv;
	uint8_t *data;
	struct host_rep rep;
};

struct snap_range {
	uint64_t start, end;
	bool priv;              /* MAP_PRIVATE */
};

/* pagemap (Documentation/admin-guide/mm/pagemap.rst): the flag bits */
#define PM_PRESENT   (1ull << 63)
#define PM_SWAP      (1ull << 62)
#define PM_FILE      (1ull << 61)
#define PM_UFFD_WP   (1ull << 57)
#define PM_EXCLUSIVE (1ull << 56)
#define PM_SOFT_DIRTY (1ull << 55)
#define PM_FLAGS     (PM_PRESENT | PM_SWAP | PM_FILE | PM_UFFD_WP | PM_EXCLUSIVE | PM_SOFT_DIRTY)

#define QUICK_MAX_PAGES 4096            /* 16 MiB of ranges: more keeps the full restore */
#define QUICK_MAX_DIRTY 16
#define QUICK_PMD       ((uint64_t)2 << 20)
/* a MAP_SHARED word of the wire (host_proto.h invariant 4) */
#define WIRE_MAP_SHARED 0x1u

static struct {
	struct snap_entry *log;
	size_t n, cap;
	struct snap_range ranges[SNAP_MAX_RANGES];
	unsigned nranges;
	struct { unsigned slot; uint64_t size; } files[SNAP_MAX_FILES];
	unsigned nfiles;
	bool taken;             /* HOST_OP_SNAPSHOT answered 0 */
	bool broken;            /* invariant 1 does not hold (any more) */
	bool replaying;
	bool failed;            /* the last restore failed: refuse until EXIT */
	uint64_t quick_restores, full_restores;
} snap;

/* The pages of the snapshot and what the case since the last restore changed. */
static struct {
	bool ok;                /* saved at the snapshot: the quick restore may run */
	struct snap_range ranges[SNAP_MAX_RANGES];
	unsigned base[SNAP_MAX_RANGES];         /* index of each range's first page */
	unsigned nranges, npages;
	uint64_t *pm;           /* by page: the pagemap entry at the snapshot */
	uint8_t **bytes;        /* by page: a kept page's bytes, else NULL */
	off_t off[SNAP_MAX_FILES];
	int pm_fd, mem_fd;
	struct snap_range dirty[QUICK_MAX_DIRTY];
	unsigned ndirty;
	bool seek, full;
} quick = { .pm_fd = -1, .mem_fd = -1 };

static void quick_note(const struct host_req *rq, const struct host_iov *hv);

static uint64_t page_up(uint64_t len)
{
	return (len + PAGE - 1) & ~(PAGE - 1);
}

/*
 * What a restore does about each request (invariant 1), one flag set per
 * op rather than a rule by kind of op: an op missing here is not
 * restorable, so a new op keeps its process out of the kept set-up until
 * someone decides otherwise.
 *   RESTORABLE  its whole effect is on what a restore puts back: the
 *               scenario's mappings and their contents, the contents,
 *               size and offset of its regular files; or it has none
 *               (PEEK, FSTAT, PAGEMAP: a read of /proc/self/pagemap).
 *   NO_AS       ... unless it names an access (as=, a[4]): a worker of
 *               its own may still wait in it.
 * Not restorable, and why: fork, exit and install change the processes
 * or descriptors; userfaultfd ops leave a handle the restore cannot take
 * back; splice, vmsplice, sendmsg, recvmsg and process_vm_* reach pipes,
 * sockets or other processes;
 * mremap moves a range the log would not map again; tag, poison and the
 * btrfs search change memory tags, lose a page for good or make files;
 * clear_refs reaches every mapping of the process, its own too.
 */
#define OPF_RESTORABLE 0x1u
#define OPF_NO_AS      0x2u
/*
 * What a restorable op can change, for the quick restore (invariant 4):
 * an op with none of these takes the full restore.
 *   CLEAN    nothing (FSTAT, PAGEMAP).
 *   MEM_LEN  memory [a[0], a[0] + a[1]): its bytes, or a page it faults
 *            in (a load, a peek, a read into a buffer).
 *   MEM_DATA memory [a[0], a[0] + dlen): the bytes a store writes.
 *   MEM_IOV  memory of each iovec; the array itself in the scenario's
 *            memory (a[2]) is not read here: the full restore.
 *   SEEK     the offset of a file (read, readv, lseek; preadv2 at -1).
 */
#define OPF_CLEAN      0x4u
#define OPF_MEM_LEN    0x8u
#define OPF_MEM_DATA   0x10u
#define OPF_MEM_IOV    0x20u
#define OPF_SEEK       0x40u

#define OPF_R OPF_RESTORABLE
static const uint8_t op_flags[] = {
	[HOST_OP_MMAP] = OPF_R,                 [HOST_OP_MUNMAP] = OPF_R,
	[HOST_OP_MPROTECT] = OPF_R,             [HOST_OP_MADVISE] = OPF_R,
	[HOST_OP_STORE] = OPF_R | OPF_NO_AS | OPF_MEM_DATA,
	[HOST_OP_LOAD] = OPF_R | OPF_NO_AS | OPF_MEM_LEN,
	[HOST_OP_POKE] = OPF_R | OPF_MEM_DATA,  [HOST_OP_PEEK] = OPF_R | OPF_MEM_LEN,
	[HOST_OP_READ] = OPF_R | OPF_MEM_LEN | OPF_SEEK,
	[HOST_OP_WRITE] = OPF_R,
	[HOST_OP_PREAD] = OPF_R | OPF_MEM_LEN,  [HOST_OP_PWRITE] = OPF_R,
	[HOST_OP_READV] = OPF_R | OPF_MEM_IOV | OPF_SEEK,
	[HOST_OP_WRITEV] = OPF_R,
	[HOST_OP_PREADV] = OPF_R | OPF_MEM_IOV, [HOST_OP_PWRITEV] = OPF_R,
	[HOST_OP_PREADV2] = OPF_R | OPF_MEM_IOV | OPF_SEEK,
	[HOST_OP_PWRITEV2] = OPF_R,
	[HOST_OP_LSEEK] = OPF_R | OPF_SEEK,     [HOST_OP_FSTAT] = OPF_R | OPF_CLEAN,
	[HOST_OP_MEM_READ] = OPF_R | OPF_MEM_LEN,
	[HOST_OP_MEM_WRITE] = OPF_R | OPF_MEM_DATA,
	[HOST_OP_PAGEMAP] = OPF_R | OPF_CLEAN,
	[HOST_OP_PIN_CPU] = OPF_R | OPF_CLEAN, /* no memory; a restore keeps it */
};
#undef OPF_R

static unsigned op_flags_of(const struct host_req *rq)
{
	return rq->op < sizeof(op_flags) ? op_flags[rq->op] : 0;
}

static bool restorable_op(const struct host_req *rq)
{
	unsigned f = op_flags_of(rq);

	return (f & OPF_RESTORABLE) && !((f & OPF_NO_AS) && rq->a[4]);
}

/* [START, END) is scenario memory now. */
static void ranges_add(uint64_t start, uint64_t end, bool priv)
{
	if (snap.nranges == SNAP_MAX_RANGES) {
		snap.broken = true;
		return;
	}
	snap.ranges[snap.nranges++] = (struct snap_range){ start, end, priv };
}

/* [START, END) is no longer: cut it out of every range (it may split one). */
static void ranges_cut(uint64_t start, uint64_t end)
{
	unsigned i, n = snap.nranges;

	for (i = 0; i < n; i++) {
		struct snap_range *r = &snap.ranges[i];

		if (end <= r->start || start >= r->end)
			continue;
		if (start > r->start && end < r->end)
			ranges_add(end, r->end, r->priv);       /* the tail of a split */
		if (start > r->start)
			r->end = start;
		else
			r->start = end < r->end ? end : r->end;
	}
}

/* What a served request changed of the ranges. */
static void ranges_note(const struct host_req *rq, const struct host_rep *rep)
{
	if (rep->ret == -1)
		return;
	if (rq->op == HOST_OP_MMAP) {
		ranges_cut((uint64_t)rep->ret, (uint64_t)rep->ret + page_up(rq->a[1]));
		ranges_add((uint64_t)rep->ret, (uint64_t)rep->ret + page_up(rq->a[1]),
			   !(rq->a[3] & WIRE_MAP_SHARED));
	} else if (rq->op == HOST_OP_MUNMAP) {
		ranges_cut(rq->a[0], rq->a[0] + page_up(rq->a[1]));
	}
}

/* A regular file handed over as SLOT: its size now is its size at each restore. */
static void files_note(unsigned slot, int fd)
{
	struct stat st;

	if (snap.taken || snap.nfiles == SNAP_MAX_FILES || fd < 0 || fstat(fd, &st) ||
	    !S_ISREG(st.st_mode)) {
		snap.broken = true;
		return;
	}
	snap.files[snap.nfiles].slot = slot;
	snap.files[snap.nfiles++].size = (uint64_t)st.st_size;
}

static int log_append(const struct host_req *rq, const struct host_iov *hv,
		      const uint8_t *data, const struct host_rep *rep)
{
	struct snap_entry *e;

	if (snap.n == snap.cap) {
		size_t cap = snap.cap ? 2 * snap.cap : 16;
		struct snap_entry *log = realloc(snap.log, cap * sizeof(*log));

		if (!log)
			return -ENOMEM;
		snap.log = log;
		snap.cap = cap;
	}
	e = &snap.log[snap.n];
	e->rq = *rq;
	e->rep = *rep;
	e->hv = malloc(rq->niov * sizeof(*hv) + 1);
	e->data = malloc(rq->dlen + 1);
	if (!e->hv || !e->data) {
		free(e->hv);
		free(e->data);
		return -ENOMEM;
	}
	memcpy(e->hv, hv, rq->niov * sizeof(*hv));
	memcpy(e->data, data, rq->dlen);
	snap.n++;
	return 0;
}

void fl_host_child_snap_begin(const struct host_req *rq)
{
	switch (rq->op) {
	case HOST_OP_INSTALL: case HOST_OP_SNAPSHOT: case HOST_OP_RESTORE: case HOST_OP_EXIT:
	case HOST_OP_BATCH:     /* each of its requests is seen on its own */
		return;
	default:
		if (!restorable_op(rq))
			snap.broken = true;
	}
}

void fl_host_child_snap_served(const struct host_req *rq, const struct host_iov *hv,
			       const uint8_t *data, const struct host_rep *rep, int fd)
{
	if (snap.broken || snap.replaying)
		return;
	if (rq->op == HOST_OP_INSTALL) {
		files_note(rq->slot, fd);
		return;
	}
	if (!restorable_op(rq) || rep->blocked) {
		snap.broken = true;
		return;
	}
	ranges_note(rq, rep);
	if (snap.taken)
		quick_note(rq, hv);
	else if (rq->op != HOST_OP_PEEK && log_append(rq, hv, data, rep))
		snap.broken = true;
}

/*
 * An mmap of the log again, at the address it got: MAP_FIXED_NOREPLACE
 * over its guard pages first (host_child.c, do_mmap()), so it fails
 * rather than lands where this process put something of its own.
 */
static bool replay_mmap(const struct snap_entry *e, struct host_req *rq)
{
	uint64_t at = (uint64_t)e->rep.ret, span = page_up(rq->a[1]) + 2 * PAGE;
	void *res;

	if (e->rep.ret == -1 || rq->a[0])
		return true;    /* as the first time: at= was its own address */
	res = mmap((void *)(uintptr_t)(at - PAGE), span, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
	if (res == MAP_FAILED)
		return false;
	if (res != (void *)(uintptr_t)(at - PAGE)) {    /* a kernel before 4.17: a hint */
		munmap(res, span);
		return false;
	}
	munmap(res, span);
	rq->a[0] = at;
	return true;
}

static bool rep_same(const struct host_rep *a, const struct host_rep *b)
{
	return a->ret == b->ret && a->err == b->err && a->sig == b->sig &&
	       a->code == b->code && a->addr == b->addr && a->moved == b->moved;
}

/* Each file as it was handed over: empty, its size, offset 0. */
static bool files_reset(const struct host_child_env *env)
{
	unsigned i;

	for (i = 0; i < snap.nfiles; i++) {
		int fd = env->fds[snap.files[i].slot][0];

		if (ftruncate(fd, 0) || ftruncate(fd, (off_t)snap.files[i].size) ||
		    lseek(fd, 0, SEEK_SET) != 0)
			return false;
	}
	return true;
}

/*
 * The scenario's CPU time adds up over the cases: past half its limit
 * (HOST_RLIMIT_CPU) a new process takes over, before SIGXCPU ends one
 * in the middle of a case.  Below a quarter it is asked only every
 * CPU_ASK_EVERY restores: a getrusage per case was a tenth of a kept
 * case in a TCG guest, and a quarter of the limit (7 s of CPU) is
 * more than CPU_ASK_EVERY cases of plain system calls use.
 */
#define CPU_ASK_EVERY 8u

static bool cpu_left(void)
{
	static unsigned skip;
	static bool near;
	struct rusage ru;
	long used;

	if (!near && skip) {
		skip--;
		return true;
	}
	if (getrusage(RUSAGE_SELF, &ru))
		return false;
	used = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec;
	near = used >= HOST_RLIMIT_CPU / 4;
	skip = CPU_ASK_EVERY - 1;
	return used < HOST_RLIMIT_CPU / 2;
}


/* ---- the quick restore (invariant 4) ---- */

static void quick_drop(void)
{
	unsigned i;

	for (i = 0; quick.bytes && i < quick.npages; i++)
		free(quick.bytes[i]);
	free(quick.bytes);
	free(quick.pm);
	quick.bytes = NULL;
	quick.pm = NULL;
	quick.ok = false;
}

static bool page_kept(uint64_t pm, const struct snap_range *r)
{
	return (pm & PM_PRESENT) && (pm & PM_EXCLUSIVE) && !((pm & PM_FILE) && r->priv);
}

static bool page_empty(uint64_t pm, const struct snap_range *r)
{
	return !(pm & (PM_PRESENT | PM_SWAP)) && r->priv && r->end - r->start < QUICK_PMD;
}

static bool quick_open(void)
{
	if (quick.pm_fd < 0)
		quick.pm_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (quick.mem_fd < 0)
		quick.mem_fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	return quick.pm_fd >= 0 && quick.mem_fd >= 0;
}

/* The pagemap entries of N pages from ADDR into PM. */
static bool pagemap_read(uint64_t addr, unsigned n, uint64_t *pm)
{
	size_t len = n * sizeof(*pm);

	return pread(quick.pm_fd, pm, len, (off_t)(addr / PAGE * sizeof(*pm))) == (ssize_t)len;
}

/* One range's pages: their entries, and a kept page's bytes. */
static bool quick_save_range(const struct snap_range *r, unsigned base)
{
	unsigned i, n = (unsigned)((r->end - r->start) / PAGE);

	if (!pagemap_read(r->start, n, quick.pm + base))
		return false;
	for (i = 0; i < n; i++) {
		uint64_t at = r->start + (uint64_t)i * PAGE;
		uint8_t **b = &quick.bytes[base + i];

		if (!page_kept(quick.pm[base + i], r))
			continue;
		*b = malloc(PAGE);
		if (!*b || pread(quick.mem_fd, *b, PAGE, (off_t)at) != (ssize_t)PAGE)
			return false;
	}
	return true;
}

/*
 * At the snapshot: the pages of the ranges and the files' offsets.  A
 * process that cannot save them (too many pages, no /proc) keeps the
 * full restore for every case.
 */
static void quick_save(const struct host_child_env *env)
{
	unsigned i, n = 0;

	quick_drop();
	for (i = 0; i < snap.nranges; i++) {
		quick.base[i] = n;
		n += (unsigned)((snap.ranges[i].end - snap.ranges[i].start) / PAGE);
	}
	if (n > QUICK_MAX_PAGES || !quick_open())
		return;
	quick.pm = calloc(n + 1, sizeof(*quick.pm));
	quick.bytes = calloc(n + 1, sizeof(*quick.bytes));
	quick.npages = n;
	if (!quick.pm || !quick.bytes)
		goto out_drop;
	memcpy(quick.ranges, snap.ranges, snap.nranges * sizeof(*snap.ranges));
	quick.nranges = snap.nranges;
	for (i = 0; i < snap.nranges; i++)
		if (!quick_save_range(&snap.ranges[i], quick.base[i]))
			goto out_drop;
	for (i = 0; i < snap.nfiles; i++) {
		quick.off[i] = lseek(env->fds[snap.files[i].slot][0], 0, SEEK_CUR);
		if (quick.off[i] < 0)
			goto out_drop;
	}
	quick.ndirty = 0;
	quick.seek = quick.full = false;
	quick.ok = true;
	return;
out_drop:
	quick_drop();
}

/* [START, START + LEN) of memory may have changed: merged into one it touches. */
static void dirty_add(uint64_t start, uint64_t len)
{
	uint64_t end = start + len;
	unsigned i;

	if (!len)
		return;
	if (end < start) {
		quick.full = true;
		return;
	}
	for (i = 0; i < quick.ndirty; i++) {
		struct snap_range *d = &quick.dirty[i];

		if (end >= d->start && start <= d->end) {
			d->start = start < d->start ? start : d->start;
			d->end = end > d->end ? end : d->end;
			return;
		}
	}
	if (quick.ndirty == QUICK_MAX_DIRTY)
		quick.full = true;
	else
		quick.dirty[quick.ndirty++] = (struct snap_range){ start, end, false };
}

/* What a request of a case changed, by its op's OPF_* (invariant 4). */
static void quick_note(const struct host_req *rq, const struct host_iov *hv)
{
	unsigned f = op_flags_of(rq);
	uint32_t i;

	if (!(f & (OPF_CLEAN | OPF_MEM_LEN | OPF_MEM_DATA | OPF_MEM_IOV | OPF_SEEK)) ||
	    ((f & OPF_MEM_IOV) && rq->a[2]))
		quick.full = true;
	if (f & OPF_SEEK)
		quick.seek = true;
	if (f & OPF_MEM_LEN)
		dirty_add(rq->a[0], rq->a[1]);
	if (f & OPF_MEM_DATA)
		dirty_add(rq->a[0], rq->dlen);
	for (i = 0; (f & OPF_MEM_IOV) && i < rq->niov; i++)
		dirty_add(hv[i].addr, hv[i].len);
}

/* The range of the snapshot holding the page at ADDR, or NULL. */
static const struct snap_range *quick_range(uint64_t addr, unsigned *page)
{
	unsigned i;

	for (i = 0; i < quick.nranges; i++) {
		const struct snap_range *r = &quick.ranges[i];

		if (addr >= r->start && addr < r->end) {
			*page = quick.base[i] + (unsigned)((addr - r->start) / PAGE);
			return r;
		}
	}
	return NULL;
}

/* One dirty page at ADDR back as the snapshot had it; EMPTY: madvise it later. */
static bool quick_page(uint64_t addr, uint64_t now, bool *empty)
{
	const struct snap_range *r;
	unsigned k;

	*empty = false;
	r = quick_range(addr, &k);
	if (!r)
		return false;
	if (page_empty(quick.pm[k], r)) {
		*empty = true;
		return true;
	}
	if (!quick.bytes[k] || (now ^ quick.pm[k]) & PM_FLAGS)
		return false;
	return pwrite(quick.mem_fd, quick.bytes[k], PAGE, (off_t)addr) == (ssize_t)PAGE;
}

/* The pages of one dirty interval; the empty ones dropped in runs. */
/* Any of the N pages from START not empty: its pagemap entry must be read. */
static bool interval_keeps(uint64_t start, unsigned n)
{
	const struct snap_range *r;
	unsigned i, k;

	for (i = 0; i < n; i++, start += PAGE) {
		r = quick_range(start, &k);
		if (!r || !page_empty(quick.pm[k], r))
			return true;
	}
	return false;
}

static bool quick_interval(const struct snap_range *d)
{
	uint64_t start = d->start & ~(PAGE - 1), end = page_up(d->end), at, run = 0;
	uint64_t pm[64] = { 0 };
	unsigned n = (unsigned)((end - start) / PAGE), i;
	bool empty;

	if (n > 64 || (interval_keeps(start, n) && !pagemap_read(start, n, pm)))
		return false;
	for (i = 0, at = start; i <= n; i++, at += PAGE) {
		if (i < n && !quick_page(at, pm[i], &empty))
			return false;
		if (i < n && empty) {
			run = run ? run : at;
			continue;
		}
		if (run && madvise((void *)(uintptr_t)run, at - run, MADV_DONTNEED))
			return false;
		run = 0;
	}
	return true;
}

static bool quick_restore(const struct host_child_env *env)
{
	unsigned i;

	if (!quick.ok || quick.full)
		return false;
	for (i = 0; i < quick.ndirty; i++)
		if (!quick_interval(&quick.dirty[i]))
			return false;
	for (i = 0; quick.seek && i < snap.nfiles; i++)
		if (lseek(env->fds[snap.files[i].slot][0], quick.off[i], SEEK_SET) != quick.off[i])
			return false;
	return true;
}

static void quick_clear(void)
{
	quick.ndirty = 0;
	quick.seek = quick.full = false;
}

static bool restore(const struct host_child_env *env, host_replay_fn *run)
{
	unsigned i;
	size_t k;
	bool ok = true;

	if (snap.broken || !cpu_left())
		return false;
	if (quick_restore(env)) {
		quick_clear();
		snap.quick_restores++;
		return true;
	}
	quick_clear();
	snap.full_restores++;
	for (i = 0; i < snap.nranges; i++)
		munmap((void *)(uintptr_t)snap.ranges[i].start,
		       snap.ranges[i].end - snap.ranges[i].start);
	snap.nranges = 0;
	if (!files_reset(env))
		return false;
	snap.replaying = true;
	for (k = 0; ok && k < snap.n; k++) {
		const struct snap_entry *e = &snap.log[k];
		struct host_req rq = e->rq;
		struct host_rep rep = { 0 };

		if (rq.op == HOST_OP_MMAP && !replay_mmap(e, &rq))
			ok = false;
		if (!ok)
			break;
		run(&rq, e->hv, e->data, &rep);
		ranges_note(&rq, &rep);
		ok = rep_same(&rep, &e->rep);
	}
	snap.replaying = false;
	if (!ok)
		snap.broken = true;
	return ok;
}

void fl_host_child_snap_request(const struct host_req *rq, const struct host_child_env *env,
				host_replay_fn *run, struct host_rep *rep)
{
	*rep = (struct host_rep){ 0 };
	if (rq->op == HOST_OP_SNAPSHOT) {
		snap.taken = !snap.broken;
		if (snap.taken)
			quick_save(env);
		if (!snap.taken)
			*rep = (struct host_rep){ .ret = -1, .err = EOPNOTSUPP };
		return;
	}
	if (!snap.taken)
		*rep = (struct host_rep){ .ret = -1, .err = EOPNOTSUPP };
	else if (!restore(env, run))
		*rep = (struct host_rep){ .ret = -1, .err = EAGAIN };
	snap.failed = rep->ret == -1;
}

bool fl_host_child_snap_refuses(const struct host_req *rq, struct host_rep *rep)
{
	if (!snap.failed || rq->op == HOST_OP_EXIT || rq->op == HOST_OP_RESTORE ||
	    rq->op == HOST_OP_BATCH)
		return false;
	*rep = (struct host_rep){ .ret = -1, .err = ESTALE, .flags = HOST_REP_RESTORE_FAILED };
	return true;
}
