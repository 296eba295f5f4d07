/*
 * backend/host_internal.h - what the runner's side of the host backend
 * shares: host.c (the backend's operations and the world statements),
 * host_refuse.c (what cannot run here), and one file per capability, as
 * the model has them: host_syscall.c, host_gup.c, host_uffd.c,
 * host_mremap.c.  Every real process is reached through the link
 * (host_link.h); the wire protocol is host_proto.h.
 *
 * Each `call FUNC` the host runs is a row of backend/calls.c pointing at
 * its fl_host_* function here; a call's function turns the statement into
 * one request (struct host_req) to the current process and its reply into
 * observables, following the model's conventions (backend/common.c).
 */
#ifndef FL_BACKEND_HOST_INTERNAL_H
#define FL_BACKEND_HOST_INTERNAL_H

#include <faultline/backend.h>

#include "backend/calls.h"
#include "backend/common.h"
#include "backend/host_link.h"

/*
 * A userfaultfd handle.  Its descriptor is in the link's fds[][0], as a
 * file's is; the log of its messages and the monitor's log live in one
 * process, the keeper (fl_host_uffd_keeper()): the one that made it,
 * while it lives.
 */
struct host_uffd {
	unsigned owner;         /* the process that made it: the context's mm */
	unsigned server;        /* 1 + the process whose monitor thread serves it, or 0 */
	bool nonblock;          /* made O_NONBLOCK in the scenario */
};

struct host {
	struct fl_backend *b;
	unsigned nnames;
	struct host_link link;          /* the processes, files, pipes */
	bool on_agent;                  /* the link is a scenario of the agent's */
	bool pool_held;                 /* it maps huge pages: it holds this
					   machine's hugetlb pool (host_env.c) */
	bool one_cpu;                   /* it gives MADV_FREE or MADV_PAGEOUT
					   advice: its processes share one CPU */
	int cpu;                        /* that CPU, once its first process
					   chose it; else -1 */
	fl_addr_t *map_base;            /* by names[] index */
	uint64_t *mapped;               /* by process names[] index: what its
					   mmap/mremap statements mapped, never
					   less for an munmap (a bound, not a count) */
	uint64_t mapped_total;          /* of the live processes: <= HOST_MAX_MAPPED */
	struct host_uffd *uffd;         /* by names[] index */
	unsigned cur;                   /* the current process */
	unsigned line;                  /* of the statement being run */
	char refusal[256];              /* why the scenario cannot run here */
	/* the judge: this machine, or the kernel an agent runs on (its HELLO) */
	char arch[32];                  /* in the scenario language's words */
	fl_kver_t kver;
	/* by names[] index: an access named by as= (host_wait.c) */
	const struct fl_sc_stmt **task_st;      /* its statement, or NULL */
	unsigned *task_proc;                    /* the process that runs it */
	/* by names[] index: the process holding a GUP handle's pages (host_gup.c) */
	unsigned *pin_proc;
	uint32_t caps;                  /* HOST_CAP_* of the judge (its HELLO) */
	/* the set-up, as host_snapshot() kept it (NULL: none) */
	unsigned stmts_run;             /* statements [0, stmts_run) were run */
	fl_addr_t *snap_map_base;
	uint64_t *snap_mapped, snap_mapped_total;
	bool restore_due;               /* to ride on the next request (host_restore()) */
	bool restore_failed;            /* ... and it did not work */
	struct host_batch *batch;       /* many cases per exchange (host_batch.c), or NULL */
};

/*
 * host_batch.c: the backend op batch; _take(): RQ to ID collected or
 * answered from the batch (true, *ERR the result), or false: send it;
 * _seen(): each reply a case got; _restore() and _settle() from
 * host_restore() and host_settle().
 */
int fl_host_batch(struct fl_backend *b, enum fl_batch_cmd cmd);
bool fl_host_batch_take(struct host *h, unsigned id, const struct host_req *rq,
			const void *iov, const void *data, struct host_rep *rep,
			uint8_t **out, int *err);
void fl_host_batch_seen(struct host *h, const struct host_rep *rep);
void fl_host_batch_restore(struct host *h);
int fl_host_batch_settle(struct host *h);
void fl_host_batch_free(struct host *h);

static inline struct host *host_of(struct fl_backend *b)
{
	return b->priv;
}

/*
 * Charge LEN more mapped bytes to process ID: 0, or -EOPNOTSUPP with
 * obs->why when the live processes would pass HOST_MAX_MAPPED in all.
 */
int fl_host_charge(struct host *h, unsigned id, uint64_t len, struct fl_obs *obs);

/* names[ID] as written. */
const char *fl_host_name(const struct host *h, unsigned id);
/*
 * RQ to process ID through the link; REP its reply, *OUT its data
 * (malloc'ed; NULL: dropped).  A process that died or hung is an error
 * with obs->why naming it and the statement's line.
 */
int fl_host_request(struct host *h, unsigned id, const struct host_req *rq,
		    const void *iov, const void *data, struct host_rep *rep,
		    uint8_t **out, struct fl_obs *obs);
/* The common case: to the current process, no reply data. */
int fl_host_do(struct host *h, const struct host_req *rq, const void *iov,
	       const void *data, struct host_rep *rep, struct fl_obs *obs);
/*
 * A system call's result as observables: ret, or -1 and errno; outcome
 * `blocked` (and no return value while it still waits) after a wait on a
 * userfaultfd.
 */
void fl_host_set_result(struct fl_obs *obs, const struct host_rep *rep);
/* The fd slot of an FD argument: a file, or a pipe's end (a bare PIPE: WRITE_DEFAULT). */
void fl_host_fd_slot(const struct host *h, const struct fl_val *v, struct host_req *rq,
		     bool write_default);
/* A call on the descriptor ARGS[0] with RQ's arguments: ret or -1 and errno (host_vec.c). */
int fl_host_one_fd_call(struct host *h, const struct fl_val *args, struct host_req *rq,
			struct fl_obs *obs);
/* A vector call on a descriptor, its iovecs from ARGS[FIRST] (host_vec.c). */
int fl_host_vec_do(struct host *h, const struct fl_sc_stmt *st, const struct fl_val *args,
		   unsigned first, struct host_req *rq, struct fl_obs *obs);
/* The same, with the reply kept in REP (recvmsg's control messages). */
int fl_host_vec_do_rep(struct host *h, const struct fl_sc_stmt *st, const struct fl_val *args,
		       unsigned first, struct host_req *rq, struct fl_obs *obs,
		       struct host_rep *rep);

/*
 * host_refuse.c: look at every statement once, in order; true and
 * h->refusal naming the first that cannot run.  Not JUDGED: only what no
 * machine runs (a call without a system call, a hook, ...).  JUDGED, the
 * link open: also what the judge's machine cannot run, another kernel or
 * arch than h->kver, h->arch (set here from uname, or from the agent's
 * HELLO; ARCH is the one the runner resolved), a file system $TMPDIR is
 * not on, userfaultfd without permission.
 */
bool fl_host_refuses(struct host *h, const struct fl_scenario *sc, enum fl_arch_id arch,
		     bool judged);

/* The judge's arch word for uname -m MACHINE and HOST_CAP_* CAPS, into BUF. */
void fl_host_arch_word(const char *machine, uint32_t caps, char *buf, size_t len);
/* "5.10.223" as a version, or 0. */
fl_kver_t fl_host_release_kver(const char *release);

/* A store's or load's reply as observables (host.c). */
void fl_host_record_access(struct fl_obs *obs, const struct host_rep *rep,
			   const char *what, size_t len);
/*
 * host_wait.c: a store, load or vmsplice with as=NAME carries NAME in RQ
 * (its worker is left waiting when it blocks); `wait NAME` asks its
 * process for the result.  0 or -ENOMEM.
 */
int fl_host_task_mark(struct host *h, const struct fl_sc_stmt *st,
		      const struct fl_val *args, struct host_req *rq);
int fl_host_wait(struct host *h, const struct fl_val *args, struct fl_obs *obs);
/*
 * host_guest.c: `tag` and `poison` in a guest (HOST_CAP_*);
 * _call_timed_out(): a call's -ETIMEDOUT/-ETIME as outcome `timeout` (0),
 * any other ERR returned as it is.
 */
int fl_host_guest_stmt(struct host *h, const struct fl_sc_stmt *st,
		       const struct fl_val *args, struct fl_obs *obs);
int fl_host_call_timed_out(struct host *h, int err, struct fl_obs *obs);

/* host_mremap.c: the `mremap` statement. */
int fl_host_mremap(struct host *h, const struct fl_sc_stmt *st,
		   const struct fl_val *args, struct fl_obs *obs);
/* host_pagemap.c: `expect pagemap` (the backend's pagemap operation). */
int fl_host_pagemap(struct fl_backend *b, fl_addr_t addr, enum fl_pm_reader reader,
		    uint64_t *entry,
		    char *why, size_t len);
/* host_uffd.c: `expect event` (the backend's uffd_event operation). */
int fl_host_uffd_event(struct fl_backend *b, unsigned uffd, struct fl_obs_event *ev);

#endif
