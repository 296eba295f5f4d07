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
 *            left it, and the runner's addresses stay right.
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
 */
#include <errno.h>
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
};

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
} snap;

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

static const uint8_t op_flags[] = {
	[HOST_OP_MMAP] = OPF_RESTORABLE,      [HOST_OP_MUNMAP] = OPF_RESTORABLE,
	[HOST_OP_MPROTECT] = OPF_RESTORABLE,  [HOST_OP_MADVISE] = OPF_RESTORABLE,
	[HOST_OP_STORE] = OPF_RESTORABLE | OPF_NO_AS,
	[HOST_OP_LOAD] = OPF_RESTORABLE | OPF_NO_AS,
	[HOST_OP_POKE] = OPF_RESTORABLE,      [HOST_OP_PEEK] = OPF_RESTORABLE,
	[HOST_OP_READ] = OPF_RESTORABLE,      [HOST_OP_WRITE] = OPF_RESTORABLE,
	[HOST_OP_PREAD] = OPF_RESTORABLE,     [HOST_OP_PWRITE] = OPF_RESTORABLE,
	[HOST_OP_READV] = OPF_RESTORABLE,     [HOST_OP_WRITEV] = OPF_RESTORABLE,
	[HOST_OP_PREADV] = OPF_RESTORABLE,    [HOST_OP_PWRITEV] = OPF_RESTORABLE,
	[HOST_OP_PREADV2] = OPF_RESTORABLE,   [HOST_OP_PWRITEV2] = OPF_RESTORABLE,
	[HOST_OP_LSEEK] = OPF_RESTORABLE,     [HOST_OP_FSTAT] = OPF_RESTORABLE,
	[HOST_OP_MEM_READ] = OPF_RESTORABLE,  [HOST_OP_MEM_WRITE] = OPF_RESTORABLE,
	[HOST_OP_PAGEMAP] = OPF_RESTORABLE,
};

static bool restorable_op(const struct host_req *rq)
{
	unsigned f = rq->op < sizeof(op_flags) ? op_flags[rq->op] : 0;

	return (f & OPF_RESTORABLE) && !((f & OPF_NO_AS) && rq->a[4]);
}

/* [START, END) is scenario memory now. */
static void ranges_add(uint64_t start, uint64_t end)
{
	if (snap.nranges == SNAP_MAX_RANGES) {
		snap.broken = true;
		return;
	}
	snap.ranges[snap.nranges++] = (struct snap_range){ start, end };
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
			ranges_add(end, r->end);        /* the tail of a split */
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
		ranges_add((uint64_t)rep->ret, (uint64_t)rep->ret + page_up(rq->a[1]));
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
	if (!snap.taken && rq->op != HOST_OP_PEEK && log_append(rq, hv, data, rep))
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
 * in the middle of a case.
 */
static bool cpu_left(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return false;
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec < HOST_RLIMIT_CPU / 2;
}

static bool restore(const struct host_child_env *env, host_replay_fn *run)
{
	unsigned i;
	size_t k;
	bool ok = true;

	if (snap.broken || !cpu_left())
		return false;
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
	if (!snap.failed || rq->op == HOST_OP_EXIT || rq->op == HOST_OP_RESTORE)
		return false;
	*rep = (struct host_rep){ .ret = -1, .err = ESTALE, .flags = HOST_REP_RESTORE_FAILED };
	return true;
}
