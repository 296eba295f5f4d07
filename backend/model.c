/*
 * backend/model.c - running scenario statements on the model.
 *
 * Each statement becomes one call into the library (mm/, uaccess/), whose
 * result is recorded as observables.  The names a scenario declares map
 * to model objects here: mapping names to addresses, process names to
 * processes, file names to files.  Calls whose capability is not modelled
 * yet answer -EOPNOTSUPP with "<statement> (not modelled yet)", so a
 * scenario that needs them fails honestly with exit 3 instead of passing.
 *
 * Injected events (`on HOOK[#N] STATEMENT`) are armed before the next
 * call; the world's hook callback counts the passes of each hook and runs
 * the armed statement at the Nth one (every one for N = 0).  A statement
 * run from a hook does not fire hooks itself.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/callers.h>

#include "backend/model_internal.h"

static void model_trace(void *arg, const char *line)
{
	struct fl_backend *b = arg;

	if (b->trace)
		b->trace(b->trace_arg, line);
}

static void disarm_all(struct model *m)
{
	unsigned i;

	for (i = 0; i < m->narmed; i++)
		free(m->armed[i].args);
	m->narmed = 0;
}

void fl_model_summary(struct model *m, struct fl_obs *obs, const char *fmt, ...)
{
	va_list ap;

	if (!m->b->trace)
		return;
	va_start(ap, fmt);
	vsnprintf(obs->summary, sizeof(obs->summary), fmt, ap);
	va_end(ap);
}

/*
 * fl_trace() formats its line before handing it over, so a world whose
 * lines nobody reads must not trace at all: that formatting was most of
 * a small explore case's cost.
 */
void fl_model_set_trace(struct model *m, fl_trace_fn fn, void *arg)
{
	fl_world_set_trace(m->w, m->b->trace ? fn : NULL, arg);
}

/* ---- hooks ---- */

static int model_exec(struct fl_backend *b, const struct fl_sc_stmt *st,
		      const struct fl_val *args, struct fl_obs *obs);

static void model_on_hook(struct fl_world *w, enum fl_hook h, void *arg)
{
	struct model *m = arg;
	struct fl_obs obs;
	unsigned i;

	(void)w;
	if (m->in_hook)
		return;
	for (i = 0; i < m->narmed; i++) {
		struct armed *a = &m->armed[i];

		if (a->hook != h)
			continue;
		a->seen++;
		if (a->nth && a->seen != a->nth)
			continue;
		memset(&obs, 0, sizeof(obs));
		fl_trace(m->w, "on %s#%u: injected line %u", fl_hook_name(h),
			 a->seen, a->st->line);
		m->in_hook = true;
		if (model_exec(m->b, a->st, a->args, &obs))
			fl_trace(m->w, "injected line %u: %s", a->st->line, obs.why);
		free(obs.kbuf);
		m->in_hook = false;
	}
}

static int model_arm_hook(struct fl_backend *b, enum fl_hook hook, unsigned nth,
			  const struct fl_sc_stmt *st, const struct fl_val *args)
{
	struct model *m = model_of(b);
	struct armed *a;
	unsigned n;

	if (m->narmed == MODEL_MAX_ARMED)
		return -ENOSPC;
	a = &m->armed[m->narmed];
	/* Keys too: fl_backend_key() reads them after the positional arguments. */
	n = st->nargs + st->nkeys;
	a->args = malloc((n ? n : 1) * sizeof(*args));
	if (!a->args)
		return -ENOMEM;
	memcpy(a->args, args, n * sizeof(*args));
	a->hook = hook;
	a->nth = nth;
	a->seen = 0;
	a->st = st;
	m->narmed++;
	return 0;
}

/* ---- world statements ---- */

static int exec_process(struct model *m, const struct fl_sc_stmt *st,
			const struct fl_val *args, struct fl_obs *obs)
{
	const char *name = fl_backend_name(m->b, (unsigned)args[0].u);
	struct fl_process *p = NULL, *parent;
	int err;

	switch (st->verb) {
	case FL_SC_PROCESS:
		err = fl_process_new(m->w, name, &p);
		if (!err)
			err = fl_set_current(m->w, p);
		return err ? fl_backend_setup_failed(obs, m->w, "process", err) : 0;
	case FL_SC_USE:
		/* `use p` may come first: fl_current() creates the implicit p. */
		(void)fl_current(m->w);
		p = fl_process_find(m->w, name);
		if (!p)
			return fl_backend_setup_failed(obs, m->w, "use", -ESRCH);
		err = fl_set_current(m->w, p);
		return err ? fl_backend_setup_failed(obs, m->w, "use", err) : 0;
	case FL_SC_FORK:
		parent = fl_current(m->w);
		err = parent ? fl_fork(m->w, parent, name, &p) : -ESRCH;
		if (!err)
			fl_model_summary(m, obs,
				 "pid %d forked %s (pid %d)", parent->pid, name, p->pid);
		return err ? fl_backend_setup_failed(obs, m->w, "fork", err) : 0;
	case FL_SC_EXIT:
		(void)fl_current(m->w);     /* as for use */
		p = fl_process_find(m->w, name);
		if (p)
			fl_model_tasks_exit(m, p);
		err = p ? fl_process_exit(m->w, p) : -ESRCH;
		return err ? fl_backend_setup_failed(obs, m->w, "exit", err) : 0;
	default:
		return -EINVAL;
	}
}

static int exec_file(struct model *m, const struct fl_val *args,
		     const struct fl_sc_stmt *st, struct fl_obs *obs)
{
	const struct fl_val *fs = fl_backend_key(st, args, "fs");
	const struct fl_val *sealing = fl_backend_key(st, args, "sealing");
	struct fl_file *f;
	int err;

	err = fl_file_new(m->w, fl_backend_name(m->b, (unsigned)args[0].u), args[1].u,
			  fs ? (enum fl_fs)fs->u : FL_FS_TMPFS, &f);
	if (!err && sealing && sealing->u)
		err = fl_memfd_allow_sealing(m->w, f);
	return err ? fl_backend_setup_failed(obs, m->w, "file", err) : 0;
}

struct fl_file *fl_model_file(struct model *m, unsigned id, struct fl_fd *fd)
{
	const struct model_open *o = &m->opens[id];
	unsigned file = o->file ? o->file : id;

	*fd = (struct fl_fd){ .file = fl_file_find(m->w, fl_backend_name(m->b, file)) };
	if (o->file) {
		fd->rdonly = o->acc == 0;       /* O_RDONLY */
		fd->wronly = o->acc == 1;       /* O_WRONLY */
		fd->desc = id;
	}
	return fd->file;
}

unsigned fl_model_fmode(const struct fl_fd *fd)
{
	return (fd->wronly ? 0 : FL_FMODE_READ) | (fd->rdonly ? 0 : FL_FMODE_WRITE);
}

/*
 * open NAME FILE MODE: FILE's inode opened again (the host opens
 * /proc/self/fd/N), a descriptor with its own position and MODE.  A
 * `dir` opened again is not modelled.
 */
static int exec_open(struct model *m, const struct fl_val *args, struct fl_obs *obs)
{
	unsigned id = (unsigned)args[0].u, src = (unsigned)args[1].u;
	struct fl_fd fd;

	if (!fl_model_file(m, src, &fd)) {
		if (fl_dir_find(m->w, fl_backend_name(m->b, src))) {
			snprintf(obs->why, sizeof(obs->why), "open of a dir is not modelled");
			return fl_backend_unsupported(obs);
		}
		return fl_backend_setup_failed(obs, m->w, "open", -EBADF);
	}
	/* an open of a name `open` made opens the same inode */
	m->opens[id] = (struct model_open){ m->opens[src].file ? m->opens[src].file : src,
					    (unsigned)args[2].u };
	fl_model_summary(m, obs, "%s: %s opened %s", fl_backend_name(m->b, id),
			 fl_backend_name(m->b, src),
			 args[2].u == 0 ? "O_RDONLY" : args[2].u == 1 ? "O_WRONLY" : "O_RDWR");
	return 0;
}

static int exec_mmap(struct model *m, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *file = fl_backend_key(st, args, "file");
	const struct fl_val *off = fl_backend_key(st, args, "off");
	const struct fl_val *at = fl_backend_key(st, args, "at");
	const struct fl_val *huge = fl_backend_key(st, args, "hugetlb");
	struct fl_fd fd = { 0 };
	struct fl_file *f = NULL;
	int flags = (args[3].u ? FL_MAP_SHARED : FL_MAP_PRIVATE) |
		    (huge && huge->u ? FL_MAP_HUGETLB : 0);
	long addr;

	if (file) {
		f = fl_model_file(m, (unsigned)file->u, &fd);
		/* a `dir`: no ->mmap in its file operations, -ENODEV as on the host */
		if (!f && fl_dir_find(m->w, fl_backend_name(m->b, (unsigned)file->u)))
			return fl_backend_setup_failed(obs, m->w, "mmap", -ENODEV);
		if (!f)
			return fl_backend_setup_failed(obs, m->w, "mmap", -EBADF);
	}
	if (at)
		flags |= FL_MAP_FIXED_NOREPLACE;
	addr = fl_mmap_fmode(m->w, fl_current_mm(m->w), at ? at->u : 0, args[1].u,
			     (int)args[2].u, flags, f, off ? off->u : 0, fl_model_fmode(&fd));
	if (addr < 0)
		return fl_backend_setup_failed(obs, m->w, "mmap", (int)addr);
	m->map_base[args[0].u] = (fl_addr_t)addr;
	fl_model_summary(m, obs, "%s = 0x%lx", 
		 fl_backend_name(m->b, (unsigned)args[0].u), (unsigned long)addr);
	return 0;
}

static void record_signal(struct fl_obs *obs, const struct fl_signal *sig)
{
	obs->sig = *sig;
	if (sig->sig == FL_SIGSEGV)
		obs->outcome = FL_OUTCOME_SIGSEGV;
	else if (sig->sig == FL_SIGBUS)
		obs->outcome = FL_OUTCOME_SIGBUS;
	else
		obs->outcome = FL_OUTCOME_OK;
}

/*
 * `poison ADDR`: madvise(MADV_HWPOISON) by the current process.  From 6.11
 * the caller gets SIGBUS BUS_MCEERR_AR during the call (mm/poison.c): an
 * observable of the statement, like a store's signal, and not fatal to
 * the scenario (its processes catch SIGSEGV and SIGBUS).
 */
static int exec_poison(struct model *m, struct fl_mm *mm, fl_addr_t addr, struct fl_obs *obs)
{
	struct fl_signal sig;
	int err = fl_madvise_hwpoison(m->w, mm, addr, &sig);

	if (err)
		return fl_backend_setup_failed(obs, m->w, "poison", err);
	record_signal(obs, &sig);
	if (sig.sig)
		fl_model_summary(m, obs, "poisoned, then SIGBUS (code %d) at 0x%llx", sig.code,
				 (unsigned long long)sig.addr);
	return 0;
}

static int exec_vm_change(struct model *m, const struct fl_sc_stmt *st,
			  const struct fl_val *args, struct fl_obs *obs)
{
	struct fl_mm *mm = fl_current_mm(m->w);
	int err;

	switch (st->verb) {
	case FL_SC_MUNMAP:
		err = fl_munmap(m->w, mm, args[0].u, args[1].u);
		return err ? fl_backend_setup_failed(obs, m->w, "munmap", err) : 0;
	case FL_SC_MPROTECT:
		err = fl_mprotect(m->w, mm, args[0].u, args[1].u, (int)args[2].u);
		return err ? fl_backend_setup_failed(obs, m->w, "mprotect", err) : 0;
	case FL_SC_MADVISE:
		err = fl_madvise(m->w, mm, args[0].u, args[1].u,
				 (enum fl_madvise)args[2].u);
		return err ? fl_backend_setup_failed(obs, m->w, "madvise", err) : 0;
	case FL_SC_EVICT:
		err = fl_evict(m->w, mm, args[0].u, args[1].u);
		return err ? fl_backend_setup_failed(obs, m->w, "evict", err) : 0;
	case FL_SC_POISON:
		return exec_poison(m, mm, args[0].u, obs);
	case FL_SC_TAG:
		err = fl_tag(m->w, mm, args[0].u, args[1].u, (unsigned)args[2].u);
		return err ? fl_backend_setup_failed(obs, m->w, "tag", err) : 0;
	default:
		return -EINVAL;
	}
}

/* The DATA argument of store/poke: the last positional one. */
static const struct fl_val *data_arg(const struct fl_sc_stmt *st,
				     const struct fl_val *args)
{
	return &args[st->nargs - 1];
}

static const char *sig_name(enum fl_sig s)
{
	return s == FL_SIGSEGV ? "SIGSEGV" : s == FL_SIGBUS ? "SIGBUS" : "no signal";
}

static void summarize_access(struct model *m, struct fl_obs *obs, const char *what,
			     size_t len)
{
	if (obs->sig.sig == FL_SIG_NONE)
		fl_model_summary(m, obs, "%s %zu bytes", what,
			 obs->moved);
	else
		fl_model_summary(m, obs,
			 "%s %zu of %zu bytes, then %s (code %d) at 0x%llx", what,
			 obs->moved, len, sig_name(obs->sig.sig), obs->sig.code,
			 (unsigned long long)obs->sig.addr);
}

static int exec_access(struct model *m, const struct fl_sc_stmt *st,
		       const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *data;
	struct fl_signal sig = { 0 };
	uint8_t *buf;
	int err;

	switch (st->verb) {
	case FL_SC_STORE:
		data = data_arg(st, args);
		obs->moved = fl_user_store(m->w, args[0].u, data->bytes, data->len, &sig);
		record_signal(obs, &sig);
		summarize_access(m, obs, "stored", data->len);
		return 0;
	case FL_SC_LOAD:
		if (args[1].u > MODEL_MAX_KBUF)
			return fl_backend_setup_failed(obs, m->w, "load", -E2BIG);
		buf = malloc(args[1].u ? args[1].u : 1);
		if (!buf)
			return fl_backend_setup_failed(obs, m->w, "load", -ENOMEM);
		obs->moved = fl_user_load(m->w, args[0].u, buf, args[1].u, &sig);
		free(buf);
		record_signal(obs, &sig);
		summarize_access(m, obs, "loaded", args[1].u);
		return 0;
	case FL_SC_POKE:
		data = data_arg(st, args);
		err = fl_poke(m->w, fl_current_mm(m->w), args[0].u, data->bytes, data->len);
		return err ? fl_backend_setup_failed(obs, m->w, "poke", err) : 0;
	default:
		return -EINVAL;
	}
}

/*
 * A uffd handle whose `userfaultfd` call failed (kernel 4.2 has no such
 * syscall) names no file: an ioctl on it fails as one on fd -1 does.
 */
static bool has_dead_uffd(struct model *m, const struct fl_sc_stmt *st,
			  const struct fl_val *args)
{
	unsigned i;

	for (i = 0; i < st->nargs; i++)
		if (args[i].kind == FL_SC_UFFD && !m->handle[args[i].u])
			return true;
	return false;
}

static int exec_call(struct model *m, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_backend_call *c = fl_backend_call(st->code);

	if (has_dead_uffd(m, st, args)) {
		fl_backend_sys_ret(obs, -EBADF);
		fl_model_summary(m, obs, "no userfaultfd: EBADF");
		return 0;
	}
	/* backend/calls.c: every call has its model function */
	return c ? c->model(m, st, args, obs) : fl_backend_unsupported(obs);
}

/* ---- the backend ---- */

int fl_model_exec_one(struct model *m, const struct fl_sc_stmt *st,
		      const struct fl_val *args, struct fl_obs *obs)
{
	int err;

	switch (st->verb) {
	case FL_SC_PROCESS:
	case FL_SC_USE:
	case FL_SC_FORK:
	case FL_SC_EXIT:
		return exec_process(m, st, args, obs);
	case FL_SC_FILE:
		return exec_file(m, args, st, obs);
	case FL_SC_PIPE:
		return fl_model_pipe_create(m, st, args, obs);
	case FL_SC_DIR:
		return fl_model_dir_create(m, st, args, obs);
	case FL_SC_OPEN:
		return exec_open(m, args, obs);
	case FL_SC_SOCKETPAIR:
		return fl_model_socketpair(m, st, args, obs);
	case FL_SC_CLOSE:
		/* the skb or the receiver holds another descriptor of it */
		if (fl_model_end_passed(m, &args[0])) {
			err = fl_backend_unsupported(obs);
			snprintf(obs->why, sizeof(obs->why), "close of an end passed with "
				 "SCM_RIGHTS (another descriptor holds it open) is not modelled");
			return err;
		}
		if (args[0].end == FL_SC_END_0 || args[0].end == FL_SC_END_1)
			return fl_model_sock_close(m, args, obs);
		return fl_model_pipe_close(m, args, obs);
	case FL_SC_MMAP:
		return exec_mmap(m, st, args, obs);
	case FL_SC_MREMAP:
		return fl_model_mremap(m, st, args, obs);
	case FL_SC_MUNMAP:
	case FL_SC_MPROTECT:
	case FL_SC_MADVISE:
	case FL_SC_EVICT:
	case FL_SC_POISON:
	case FL_SC_TAG:
		return exec_vm_change(m, st, args, obs);
	case FL_SC_STORE:
	case FL_SC_LOAD:
	case FL_SC_POKE:
		err = exec_access(m, st, args, obs);
		fl_model_uffd_settle(m, obs);
		return err;
	case FL_SC_CALL:
		if (!fl_current(m->w))
			return fl_backend_setup_failed(obs, m->w, "call", -ESRCH);
		err = exec_call(m, st, args, obs);
		fl_model_uffd_settle(m, obs);
		if (!m->in_hook)
			disarm_all(m);
		return err;
	default:
		return -EINVAL;
	}
}

/*
 * One statement, then what the kernel's other tasks do before the next:
 * an access this statement woke (or made room for) runs again
 * (backend/model_wait.c).  A statement run from a hook is inside another
 * one: nothing resumes in the middle of it.
 */
static int model_exec(struct fl_backend *b, const struct fl_sc_stmt *st,
		      const struct fl_val *args, struct fl_obs *obs)
{
	struct model *m = model_of(b);
	int err;

	if (st->verb == FL_SC_WAIT)
		return fl_model_wait(m, args, obs);
	m->uffd_blocked = false;
	/* a hook's statement runs inside this one: its bytes count here */
	if (!m->in_hook)
		fl_user_moved_take(m->w);
	if (!m->in_hook && fl_model_task_sleeps(m, st, args))
		err = fl_model_task_start(m, st, args, obs);   /* until it sleeps */
	else
		err = fl_model_exec_one(m, st, args, obs);
	if (st->verb == FL_SC_CALL && !m->in_hook) {
		obs->uaccess = fl_user_moved_take(m->w);
		obs->has_uaccess = true;
	}
	if (err || m->in_hook)
		return err;
	err = fl_model_task_park(m, st, args, obs);
	if (!err)
		fl_model_tasks_resume(m);
	return err;
}

/*
 * `kernel host`: the running kernel, its version and the build options
 * that change an observable (a BUS_MCEERR_AR needs CONFIG_MEMORY_FAILURE),
 * so that `faultline diff` compares like with like.  A version written
 * out is a usual build.
 */
static bool model_kernel_host(const struct fl_scenario *sc)
{
	unsigned i;

	for (i = 0; i < sc->nstmts; i++)
		if (sc->stmts[i].verb == FL_SC_KERNEL && sc->stmts[i].args[0].u.value == 0)
			return true;
	return false;
}

/* ... and its CPU, where a judge under QEMU states one (docs/vm.md). */
/*
 * Can a call of SC wait for another task?  Only on a pipe (room, a
 * buffer, a writer, pipe->mutex), a socket pair (room, bytes) or on a
 * userfaultfd: without any,
 * calls run on this thread, with no sleeper to pay for.
 */
static bool may_wait(const struct fl_scenario *sc)
{
	unsigned i;

	for (i = 0; i < sc->nstmts; i++) {
		const struct fl_sc_stmt *st = &sc->stmts[i];

		if (st->verb == FL_SC_PIPE || st->verb == FL_SC_SOCKETPAIR ||
		    (st->verb == FL_SC_CALL && st->code == FL_SC_USERFAULTFD))
			return true;
	}
	return false;
}

static int model_open(struct fl_backend *b, fl_kver_t kver, enum fl_arch_id arch)
{
	bool host = model_kernel_host(b->sc);
	struct fl_world_config cfg = { .arch = arch, .kver = kver,
				       .kconfig_off = host ? fl_host_kconfig_off() : 0,
				       .cpu_off = host ? fl_host_cpu_off() : 0 };
	struct model *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->map_base = calloc(b->sc->nnames + 1, sizeof(*m->map_base));
	m->handle = calloc(b->sc->nnames + 1, sizeof(*m->handle));
	m->opens = calloc(b->sc->nnames + 1, sizeof(*m->opens));
	m->w = fl_world_new(&cfg);
	if (!m->map_base || !m->handle || !m->opens || !m->w) {
		free(m->map_base);
		free(m->handle);
		free(m->opens);
		fl_world_free(m->w);
		free(m);
		return -ENOMEM;
	}
	m->b = b;
	m->judged = host;
	m->may_wait = may_wait(b->sc);
	b->priv = m;
	fl_model_set_trace(m, model_trace, b);
	fl_world_set_hook(m->w, model_on_hook, m);
	return 0;
}

static void model_close(struct fl_backend *b)
{
	struct model *m = model_of(b);

	if (!m)
		return;
	disarm_all(m);
	fl_model_tasks_free(m);
	fl_model_btrfs_free(m);
	fl_world_free(m->w);
	free(m->snap_map_base);
	free(m->snap_handle);
	free(m->map_base);
	free(m->handle);
	free(m->opens);
	free(m);
	b->priv = NULL;
}

static fl_addr_t model_map_base(struct fl_backend *b, unsigned name)
{
	return model_of(b)->map_base[name];
}

static int model_peek(struct fl_backend *b, fl_addr_t addr, void *buf, size_t len)
{
	struct model *m = model_of(b);
	struct fl_mm *mm = fl_current_mm(m->w);

	return mm ? fl_peek(m->w, mm, addr, buf, len) : -ESRCH;
}

/*
 * The world snapshots itself (mm/snapshot.c); the name tables are the
 * backend's own and are copied beside it.  Handles point into the arena,
 * so the restored pointers are valid again.  Hooks are armed per call and
 * never cross a snapshot.
 */
static int model_snapshot(struct fl_backend *b)
{
	struct model *m = model_of(b);
	size_t n = b->sc->nnames + 1;
	int err;

	if (m->narmed || fl_model_tasks_any(m))
		return -EBUSY;
	if (!m->snap_map_base)
		m->snap_map_base = malloc(n * sizeof(*m->snap_map_base));
	if (!m->snap_handle)
		m->snap_handle = malloc(n * sizeof(*m->snap_handle));
	if (!m->snap_map_base || !m->snap_handle)
		return -ENOMEM;
	err = fl_world_snapshot(m->w);
	if (err)
		return err;
	memcpy(m->snap_map_base, m->map_base, n * sizeof(*m->map_base));
	memcpy(m->snap_handle, m->handle, n * sizeof(*m->handle));
	return 0;
}

static int model_restore(struct fl_backend *b)
{
	struct model *m = model_of(b);
	size_t n = b->sc->nnames + 1;
	int err;

	disarm_all(m);
	fl_model_tasks_free(m);
	fl_model_btrfs_free(m);         /* none existed at the snapshot */
	err = fl_world_restore(m->w);
	if (err)
		return err;
	fl_world_clear_error(m->w);
	memcpy(m->map_base, m->snap_map_base, n * sizeof(*m->map_base));
	memcpy(m->handle, m->snap_handle, n * sizeof(*m->handle));
	return 0;
}

const struct fl_backend_ops fl_model_backend = {
	.name = "model",
	.open = model_open,
	.close = model_close,
	.exec = model_exec,
	.map_base = model_map_base,
	.peek = model_peek,
	.arm_hook = model_arm_hook,
	.uffd_event = fl_model_uffd_event,
	.pagemap = fl_model_pagemap,
	.snapshot = model_snapshot,
	.restore = model_restore,
};
