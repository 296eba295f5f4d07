/*
 * backend/host_child.h - what the files of a scenario process share:
 * host_child.c (the server loop, user accesses, system calls),
 * host_child_uffd.c (userfaultfd contexts, their logs, the requests) and
 * host_child_guard.c (the monitor and guard threads).  Like everything
 * of the scenario process's side it needs nothing of the faultline
 * library (host_proto.h).
 */
#ifndef FL_BACKEND_HOST_CHILD_H
#define FL_BACKEND_HOST_CHILD_H

#include <linux/userfaultfd.h>
#include <pthread.h>

#include "backend/host_proto.h"

#define UFFD_MAX 32             /* entries per scenario process */
#define NO_SLOT UINT32_MAX      /* an entry whose name was bound anew */
#define FIELD_UNTOUCHED INT64_MIN
#define PAGE 4096ull
/* Log entries kept free before a fork: one FORK message per context, and some. */
#define FORK_ROOM 4

struct uffd_ev {
	struct uffd_msg msg;
	bool handed_out;        /* to `expect event` */
	bool unread;            /* read ahead: uffd_read still owes it */
	int32_t child;          /* FORK: the pid of the process it made, or 0 */
};

struct uffd_ctx {
	int fd;
	unsigned slot;          /* the handle's names[] index */
	bool own;               /* made here: the context's mm is ours */
	bool served;            /* a monitor thread owns this entry */
	struct uffd_ev *log;
	size_t n, cap;
	size_t fork_mark;       /* the log's length when the last fork() began */
	struct host_uffd_log *mlog;     /* the monitor's UFFDIO_COPYs, in order */
	size_t mlog_n, mlog_cap, mlog_seen;
	uint8_t page[PAGE];     /* what the monitor copies in */
};

/* The contexts this process knows (host_child_uffd.c). */
extern struct uffd_ctx *fl_host_child_ctxs[UFFD_MAX];
extern unsigned fl_host_child_nctx;
/* The monitor threads append to the logs. */
extern pthread_mutex_t fl_host_child_log_lock;
/* Held by a monitor thread while it takes one message (monitor_take). */
extern pthread_mutex_t fl_host_child_monitor_lock;

/*
 * UFFDIO_API done, by whichever process: until then poll() answers
 * EPOLLERR (userfaultfd_poll).
 */
bool fl_host_child_ctx_ready(const struct uffd_ctx *c);
/* One message if one is queued now: 0, -EAGAIN, or -errno. */
int fl_host_child_read_now(struct uffd_ctx *c, struct uffd_msg *msg);
/* Append MSG to C's event log (UNREAD: uffd_read still owes it). */
void fl_host_child_log_append(struct uffd_ctx *c, const struct uffd_msg *msg, bool unread);
/* ARR (N of SIZE bytes, room for *CAP) with room for one more, or NULL. */
void *fl_host_child_log_room(void *arr, size_t *cap, size_t n, size_t size);
/* uffd_serve: C's monitor thread serves DATA (host_child_guard.c). */
int fl_host_child_serve(struct uffd_ctx *c, const uint8_t *data, size_t len);

/*
 * fl_host_child_uffd_request() answers the HOST_OP_UFFD_* requests
 * (SHARED: the runner's descriptor for the handle, -1 if none; OUT:
 * reply data, malloc'ed; *GIVE: a descriptor to send back with the
 * reply, the new context's for HOST_OP_UFFD_NEW).
 * fl_host_child_uffd_guarded() is true once this process has a
 * userfaultfd: from then on an access may wait in handle_userfault, so
 * host_child.c runs it with fl_host_child_run_guarded(), which reports it
 * blocked instead of hanging.  _forget(): the runner installs a new
 * descriptor for the name.  _prefork() before fork(), _hand_forks() after
 * it in the parent, _forked() and _take_forks() in the new process.
 */
void fl_host_child_uffd_request(const struct host_req *rq, int shared, uint8_t *data,
				struct host_rep *rep, uint8_t **out, int *give);
bool fl_host_child_uffd_guarded(void);
void fl_host_child_uffd_forget(unsigned slot);
void fl_host_child_uffd_prefork(void);
void fl_host_child_uffd_hand_forks(int sock, pid_t child);
void fl_host_child_uffd_forked(void);
void fl_host_child_uffd_take_forks(int sock);
typedef void (*host_work_fn)(void *arg);
/*
 * Run FN(ARG) on a worker thread: 0 it ended; 1 it was blocked and was
 * interrupted (USER_MODE: user_access() leaves on SIGUSR1); 2 blocked and
 * still waiting: what FN uses must never be freed.
 */
int fl_host_child_run_guarded(host_work_fn fn, void *arg, bool user_mode);
/*
 * A named access (as=): run FN on a worker that is left waiting when it
 * blocks (2, *JOB kept) instead of interrupted; fl_host_child_job_rewait()
 * watches it again: 0 it ended (JOB freed), 2 it still waits.
 */
int fl_host_child_run_kept(host_work_fn fn, void *arg, void **job);
int fl_host_child_job_rewait(void *job);
/*
 * Every other thread of the scenario's processes sleeps, unwoken, in a
 * wait only a scenario thread can end (host_child_quiet.c): whoever waits
 * now waits until the next statement.  False when that is not proved.
 */
bool fl_host_child_scenario_settled(void);
/*
 * Not resident in an mm that may have registered ranges: a peek must not
 * fault it in.
 */
bool fl_host_child_page_absent(uint64_t addr);

/*
 * host_child_guest.c: what only a guest kernel runs (tag, poison,
 * btrfs_search_ioctl); MEM_FD is /proc/self/mem.  _caps(): the
 * HOST_CAP_* bits this kernel and process can do, for the agent's HELLO.
 */
void fl_host_child_guest_request(const struct host_req *rq, int mem_fd, struct host_rep *rep);
/* HOST_OP_BTRFS_ITEMS: the layout's items into OUT (rq->a[2] bytes). */
void fl_host_child_btrfs_items(const struct host_req *rq, uint8_t *out, struct host_rep *rep);
uint32_t fl_host_child_caps(void);

/*
 * host_child_pin.c: the GUP calls through /dev/faultline_pin (HOST_OP_PIN,
 * _READ into OUT, _PUT); _caps(): HOST_CAP_PIN, or _FAILED and its errno.
 */
void fl_host_child_pin_request(const struct host_req *rq, uint8_t *out, struct host_rep *rep);
uint32_t fl_host_child_pin_caps(void);

/* host_child_bench.c: HOST_OP_RAW_PREAD on descriptor FD. */
void fl_host_child_raw_pread(int fd, const struct host_req *rq, const uint8_t *data,
			     struct host_rep *rep);

/*
 * host_child_snap.c: the set-up kept and gone back to (HOST_OP_SNAPSHOT,
 * HOST_OP_RESTORE).  _served(): every request this process served, with
 * its reply (FD: the descriptor an INSTALL put in place); _begin() before
 * any request runs (a fork's new process must not think itself
 * restorable).  _request():
 * answers the two ops; RUN serves one logged request again.
 */
typedef void host_replay_fn(const struct host_req *rq, const struct host_iov *hv,
			    const uint8_t *data, struct host_rep *rep);
void fl_host_child_snap_begin(const struct host_req *rq);
void fl_host_child_snap_served(const struct host_req *rq, const struct host_iov *hv,
			       const uint8_t *data, const struct host_rep *rep, int fd);
void fl_host_child_snap_request(const struct host_req *rq, const struct host_child_env *env,
				host_replay_fn *run, struct host_rep *rep);
/*
 * After a restore that failed, the request it rode on and the rest of
 * that case (host.c, host_restore()) are not run: true and REP -1/ESTALE
 * with HOST_REP_RESTORE_FAILED.  The runner throws that case's run away.
 */
bool fl_host_child_snap_refuses(const struct host_req *rq, struct host_rep *rep);

#endif
