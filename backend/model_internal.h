/*
 * backend/model_internal.h - what the files of the model backend share.
 *
 * model.c runs the world statements and dispatches `call FUNC` through
 * the call table (backend/calls.c) to the function of its capability's
 * file (model_uaccess.c, model_fault_in.c, ...).
 *
 * A call's function returns 0 when the call ran (its result is in OBS),
 * -EOPNOTSUPP via fl_backend_unsupported() for a variant not modelled
 * yet, or fl_backend_setup_failed() for an argument the world cannot take.
 */
#ifndef FL_BACKEND_MODEL_INTERNAL_H
#define FL_BACKEND_MODEL_INTERNAL_H

#include <faultline/backend.h>
#include <faultline/callers.h>

#include <faultline/iov_iter.h>

#include "backend/calls.h"
#include "backend/common.h"

#define MODEL_MAX_ARMED 8
#define MODEL_MAX_KBUF  ((size_t)256 << 20)   /* a kernel buffer's size cap */

struct armed {
	enum fl_hook hook;
	unsigned nth, seen;
	const struct fl_sc_stmt *st;
	struct fl_val *args;
};

struct model {
	struct fl_world *w;
	struct fl_backend *b;
	fl_addr_t *map_base;            /* by names[] index: mapping addresses */
	void **handle;                  /* by names[] index: pipe, pages, uffd */
	fl_addr_t *snap_map_base;       /* map_base and handle at the snapshot */
	void **snap_handle;
	struct armed armed[MODEL_MAX_ARMED];
	unsigned narmed;
	bool in_hook;
	bool uffd_blocked;              /* the last statement waits on a userfaultfd */
	struct model_task **task;       /* by names[] index: as= accesses (model_wait.c) */
	struct model_task *orphans;     /* sleeping calls without a name: unnamed, or
					 * whose name was bound again */
	bool may_wait;                  /* the scenario has a pipe or a userfaultfd:
					 * an unnamed call may wait, so it sleeps too */
	bool judged;                    /* `kernel host`: the judge's btrfs items count */
	struct model_btrfs *btrfs;      /* the judge's items, by layout (model_loop.c) */
	struct model_open *opens;       /* by names[] index: what `open` made */
};

/* `open NAME FILE MODE`: NAME is another descriptor of FILE's inode. */
struct model_open {
	unsigned file;                  /* names[] index of FILE, 0: NAME is no `open`'s */
	unsigned acc;                   /* O_RDONLY, O_WRONLY, O_RDWR */
};

/*
 * The file a FILE name (names[] index ID) stands for, and its descriptor
 * in FD: the file's own, or one `open` made.  NULL: no such file.
 */
struct fl_file *fl_model_file(struct model *m, unsigned id, struct fl_fd *fd);
/* FD's FMODE_READ | FMODE_WRITE (mm.h FL_FMODE_*). */
unsigned fl_model_fmode(const struct fl_fd *fd);

/* Free what the btrfs search kept (model_loop.c). */
void fl_model_btrfs_free(struct model *m);

static inline struct model *model_of(struct fl_backend *b)
{
	return b->priv;
}

/* Was the end V names passed with SCM_RIGHTS (model_socket.c)? */
bool fl_model_end_passed(struct model *m, const struct fl_val *v);
/* The `socketpair` statement (model_socket.c). */
int fl_model_socketpair(struct model *m, const struct fl_sc_stmt *st,
			const struct fl_val *args, struct fl_obs *obs);
/* The `pipe NAME` and `close PIPE.END` statements (model_syscall.c). */
/* dir NAME [N] [namelen=] [removed=]: backend/model_readdir.c */
int fl_model_dir_create(struct model *m, const struct fl_sc_stmt *st,
			const struct fl_val *args, struct fl_obs *obs);
/* read, pread, write, pwrite, lseek on a `dir`: handled (true) or not a directory. */
bool fl_model_dir_call(struct model *m, const struct fl_sc_stmt *st,
		       const struct fl_val *args, struct fl_obs *obs, int *err);
int fl_model_pipe_create(struct model *m, const struct fl_sc_stmt *st,
			 const struct fl_val *args, struct fl_obs *obs);
int fl_model_pipe_close(struct model *m, const struct fl_val *args, struct fl_obs *obs);
/* close SOCK.0|SOCK.1 (model_socket.c) */
int fl_model_sock_close(struct model *m, const struct fl_val *args, struct fl_obs *obs);
/* The `mremap` statement (model_mremap.c): ret is the new address or -1. */
int fl_model_mremap(struct model *m, const struct fl_sc_stmt *st,
		    const struct fl_val *args, struct fl_obs *obs);
/* One statement, without parking or resuming tasks (model.c). */
int fl_model_exec_one(struct model *m, const struct fl_sc_stmt *st,
		      const struct fl_val *args, struct fl_obs *obs);
/*
 * model_wait.c: after ST ran, park it under its as= name (nothing without
 * one); after every statement, resume the tasks whose wait ended; `wait`.
 */
int fl_model_task_park(struct model *m, const struct fl_sc_stmt *st,
		       const struct fl_val *args, const struct fl_obs *obs);
void fl_model_tasks_resume(struct model *m);
int fl_model_wait(struct model *m, const struct fl_val *args, struct fl_obs *obs);
bool fl_model_tasks_any(const struct model *m);
void fl_model_tasks_free(struct model *m);
/*
 * A call with as=, or without one in a scenario where it may wait
 * (m->may_wait): it runs on a sleeper thread (model_sleep.c) that sleeps
 * where the kernel's task does and goes on from there when woken; an
 * unnamed one that waits goes on m->orphans.
 */
bool fl_model_task_sleeps(const struct model *m, const struct fl_sc_stmt *st,
			  const struct fl_val *args);
int fl_model_task_start(struct model *m, const struct fl_sc_stmt *st,
			const struct fl_val *args, struct fl_obs *obs);
/* P exits: its sleeping calls give up with it (`wait` says blocked). */
void fl_model_tasks_exit(struct model *m, const struct fl_process *p);

/* ---- model_sleep.c: one call on a thread of its own ---- */

struct model_sleeper;
/* Run ST (ARGS must outlive it) in the current process until it sleeps or ends. */
int fl_model_sleeper_start(struct model *m, const struct fl_sc_stmt *st,
			   const struct fl_val *args, struct model_sleeper **out);
bool fl_model_sleeper_ended(const struct model_sleeper *s);
/* Sleeping, and its waiter was woken: fl_model_sleeper_resume() runs it on. */
bool fl_model_sleeper_woken(const struct model_sleeper *s);
fl_addr_t fl_model_sleeper_addr(const struct model_sleeper *s);
bool fl_model_sleeper_in_call(const struct model_sleeper *s);
int fl_model_sleeper_rc(const struct model_sleeper *s);
void fl_model_sleeper_resume(struct model_sleeper *s);
/* Once ended: the call's observables (the caller takes kbuf). */
struct fl_obs *fl_model_sleeper_obs(struct model_sleeper *s);
/* Kill it if it still sleeps (it unwinds as a killed task's call), free it. */
void fl_model_sleeper_free(struct model_sleeper *s);
/* After a call, store or load: the outcome `blocked` if it waited on a uffd. */
void fl_model_uffd_settle(struct model *m, struct fl_obs *obs);
int fl_model_uffd_event(struct fl_backend *b, unsigned uffd, struct fl_obs_event *ev);
/* model_pagemap.c: `expect pagemap` (the backend's pagemap operation). */
int fl_model_pagemap(struct fl_backend *b, fl_addr_t addr, enum fl_pm_reader reader,
		    uint64_t *entry,
		     char *why, size_t len);
/*
 * obs->summary, the one line a trace shows for a statement.  Formatting it
 * is a third of a small case's cost, so it is skipped when nobody collects
 * the trace (faultline explore runs its cases that way).
 */
void fl_model_summary(struct model *m, struct fl_obs *obs, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Route the world's trace to FN, or nowhere when nobody collects it. */
void fl_model_set_trace(struct model *m, fl_trace_fn fn, void *arg);
/*
 * The armed `on HOOK#N` statements as loop-monitor environment: how far
 * each has counted decides what a retry loop's next round does.
 */
uint64_t fl_model_armed_hooks_env(void *arg);

/* ---- system calls (model_syscall.c, model_vec.c) ---- */

/* What FD names: a file, or one end of a pipe (NULL if not declared). */
struct fd_target {
	struct fl_file *file;
	struct fl_pipe *pipe;
	enum fl_sc_fd_end end;
	const char *name;
	struct fl_fd fd;                /* as the callers take it */
};

struct fl_backend_iovs;

/* FD's file or pipe into T; a name never declared is a set-up error. */
int fl_model_fd_lookup(struct model *m, const struct fl_val *fd, struct fd_target *t,
		       struct fl_obs *obs);
/* "WHAT RESULT; FILE pos P size S" or the pipe's bytes and buffers. */
void fl_model_fd_summary(struct model *m, struct fl_obs *obs, const char *what,
			 long ret, size_t len, const struct fd_target *t);
size_t fl_model_iov_total(const struct fl_iovec *iov, unsigned long n);
/* The syscall convention (-1 and errno); a stopped retry loop's outcome. */
void fl_model_set_sys_ret(struct model *m, struct fl_obs *obs, long ret);
/*
 * A system call's RET as observables, as fl_model_set_sys_ret; but
 * -EOPNOTSUPP (what the model does not know) is `unsupported`, the
 * world's error saying why.  0, or the unsupported status to return.
 */
int fl_model_sys_result(struct model *m, struct fl_obs *obs, long ret);
/* iov=ADDR: the array read from the model's user memory (0 or -errno). */
long fl_model_iovs_user(struct model *m, struct fl_backend_iovs *v);

#endif
