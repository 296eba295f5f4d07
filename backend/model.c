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

#include "backend/model_internal.h"

static void model_trace(void *arg, const char *line)
{
	struct fl_backend *b = arg;

	if (b->trace)
		b->trace(b->trace_arg, line);
}

const char *sc_name(const struct fl_backend *b, unsigned id)
{
	return b->sc->names[id].text;
}

/* The runner names the statement: "unsupported: call read (not modelled yet)". */
int unsupported(struct fl_obs *obs)
{
	snprintf(obs->why, sizeof(obs->why), "not modelled yet");
	return -EOPNOTSUPP;
}

/* A library call failed while setting the world up: say what and why. */
int setup_failed(struct model *m, struct fl_obs *obs, const char *what,
			int err)
{
	snprintf(obs->why, sizeof(obs->why), "%s failed: %s%s%s", what,
		 strerror(-err), fl_world_error(m->w)[0] ? ": " : "",
		 fl_world_error(m->w));
	fl_world_clear_error(m->w);
	return err;
}

static void disarm_all(struct model *m)
{
	unsigned i;

	for (i = 0; i < m->narmed; i++)
		free(m->armed[i].args);
	m->narmed = 0;
}

void model_summary(struct model *m, struct fl_obs *obs, const char *fmt, ...)
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
void model_set_trace(struct model *m, fl_trace_fn fn, void *arg)
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
	/* Keys too: key_val() reads them after the positional arguments. */
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

struct fl_mm *current_mm(struct model *m)
{
	struct fl_process *p = fl_current(m->w);

	return p ? p->mm : NULL;
}

static int exec_process(struct model *m, const struct fl_sc_stmt *st,
			const struct fl_val *args, struct fl_obs *obs)
{
	const char *name = sc_name(m->b, (unsigned)args[0].u);
	struct fl_process *p = NULL, *parent;
	int err;

	switch (st->verb) {
	case FL_SC_PROCESS:
		err = fl_process_new(m->w, name, &p);
		if (!err)
			err = fl_set_current(m->w, p);
		return err ? setup_failed(m, obs, "process", err) : 0;
	case FL_SC_USE:
		/* `use p` may come first: fl_current() creates the implicit p. */
		(void)fl_current(m->w);
		p = fl_process_find(m->w, name);
		if (!p)
			return setup_failed(m, obs, "use", -ESRCH);
		err = fl_set_current(m->w, p);
		return err ? setup_failed(m, obs, "use", err) : 0;
	case FL_SC_FORK:
		parent = fl_current(m->w);
		err = parent ? fl_fork(m->w, parent, name, &p) : -ESRCH;
		if (!err)
			model_summary(m, obs,
				 "pid %d forked %s (pid %d)", parent->pid, name, p->pid);
		return err ? setup_failed(m, obs, "fork", err) : 0;
	case FL_SC_EXIT:
		(void)fl_current(m->w);     /* as for use */
		p = fl_process_find(m->w, name);
		err = p ? fl_process_exit(m->w, p) : -ESRCH;
		return err ? setup_failed(m, obs, "exit", err) : 0;
	default:
		return -EINVAL;
	}
}

const struct fl_val *key_val(const struct fl_sc_stmt *st,
			     const struct fl_val *args, const char *name)
{
	return fl_backend_key(st, args, name);
}

static int exec_file(struct model *m, const struct fl_val *args,
		     const struct fl_sc_stmt *st, struct fl_obs *obs)
{
	const struct fl_val *fs = key_val(st, args, "fs");
	struct fl_file *f;
	int err;

	err = fl_file_new(m->w, sc_name(m->b, (unsigned)args[0].u), args[1].u,
			  fs ? (enum fl_fs)fs->u : FL_FS_TMPFS, &f);
	return err ? setup_failed(m, obs, "file", err) : 0;
}

static int exec_mmap(struct model *m, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *file = key_val(st, args, "file");
	const struct fl_val *off = key_val(st, args, "off");
	const struct fl_val *at = key_val(st, args, "at");
	struct fl_file *f = NULL;
	int flags = args[3].u ? FL_MAP_SHARED : FL_MAP_PRIVATE;
	long addr;

	if (file) {
		f = fl_file_find(m->w, sc_name(m->b, (unsigned)file->u));
		if (!f)
			return setup_failed(m, obs, "mmap", -EBADF);
	}
	if (at)
		flags |= FL_MAP_FIXED_NOREPLACE;
	addr = fl_mmap(m->w, current_mm(m), at ? at->u : 0, args[1].u,
		       (int)args[2].u, flags, f, off ? off->u : 0);
	if (addr < 0)
		return setup_failed(m, obs, "mmap", (int)addr);
	m->map_base[args[0].u] = (fl_addr_t)addr;
	model_summary(m, obs, "%s = 0x%lx", 
		 sc_name(m->b, (unsigned)args[0].u), (unsigned long)addr);
	return 0;
}

static int exec_vm_change(struct model *m, const struct fl_sc_stmt *st,
			  const struct fl_val *args, struct fl_obs *obs)
{
	struct fl_mm *mm = current_mm(m);
	int err;

	switch (st->verb) {
	case FL_SC_MUNMAP:
		err = fl_munmap(m->w, mm, args[0].u, args[1].u);
		return err ? setup_failed(m, obs, "munmap", err) : 0;
	case FL_SC_MPROTECT:
		err = fl_mprotect(m->w, mm, args[0].u, args[1].u, (int)args[2].u);
		return err ? setup_failed(m, obs, "mprotect", err) : 0;
	case FL_SC_MADVISE:
		err = fl_madvise(m->w, mm, args[0].u, args[1].u,
				 (enum fl_madvise)args[2].u);
		return err ? setup_failed(m, obs, "madvise", err) : 0;
	case FL_SC_EVICT:
		err = fl_evict(m->w, mm, args[0].u, args[1].u);
		return err ? setup_failed(m, obs, "evict", err) : 0;
	case FL_SC_POISON:
		err = fl_poison(m->w, mm, args[0].u);
		return err ? setup_failed(m, obs, "poison", err) : 0;
	case FL_SC_TAG:
		err = fl_tag(m->w, mm, args[0].u, args[1].u, (unsigned)args[2].u);
		return err ? setup_failed(m, obs, "tag", err) : 0;
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

static const char *sig_name(enum fl_sig s)
{
	return s == FL_SIGSEGV ? "SIGSEGV" : s == FL_SIGBUS ? "SIGBUS" : "no signal";
}

static void summarize_access(struct model *m, struct fl_obs *obs, const char *what,
			     size_t len)
{
	if (obs->sig.sig == FL_SIG_NONE)
		model_summary(m, obs, "%s %zu bytes", what,
			 obs->moved);
	else
		model_summary(m, obs,
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
			return setup_failed(m, obs, "load", -E2BIG);
		buf = malloc(args[1].u ? args[1].u : 1);
		if (!buf)
			return setup_failed(m, obs, "load", -ENOMEM);
		obs->moved = fl_user_load(m->w, args[0].u, buf, args[1].u, &sig);
		free(buf);
		record_signal(obs, &sig);
		summarize_access(m, obs, "loaded", args[1].u);
		return 0;
	case FL_SC_POKE:
		data = data_arg(st, args);
		err = fl_poke(m->w, current_mm(m), args[0].u, data->bytes, data->len);
		return err ? setup_failed(m, obs, "poke", err) : 0;
	default:
		return -EINVAL;
	}
}

/*
 * Each capability keeps its calls in a table of its own file (uaccess,
 * fault-in, syscalls, kernel loops, GUP, userfaultfd); a call that no table
 * has is not modelled yet.
 */
static const struct model_call *const model_call_tables[] = {
	model_uaccess_calls, model_fault_in_calls, model_syscall_calls,
	model_loop_calls, model_gup_calls, model_uffd_calls,
};

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
	const struct model_call *c;
	size_t t;

	if (has_dead_uffd(m, st, args)) {
		set_ret(obs, -1);
		obs->err = EBADF;
		model_summary(m, obs, "no userfaultfd: EBADF");
		return 0;
	}
	for (t = 0; t < sizeof(model_call_tables) / sizeof(model_call_tables[0]); t++)
		for (c = model_call_tables[t]; c->fn; c++)
			if (c->code == st->code)
				return c->fn(m, st, args, obs);
	return unsupported(obs);
}

/* ---- the backend ---- */

static int model_exec(struct fl_backend *b, const struct fl_sc_stmt *st,
		      const struct fl_val *args, struct fl_obs *obs)
{
	struct model *m = model_of(b);
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
		return model_pipe_create(m, args, obs);
	case FL_SC_MMAP:
		return exec_mmap(m, st, args, obs);
	case FL_SC_MREMAP:
		return model_mremap(m, st, args, obs);
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
		model_uffd_settle(m, obs);
		return err;
	case FL_SC_CALL:
		if (!fl_current(m->w))
			return setup_failed(m, obs, "call", -ESRCH);
		err = exec_call(m, st, args, obs);
		model_uffd_settle(m, obs);
		if (!m->in_hook)
			disarm_all(m);
		return err;
	default:
		return -EINVAL;
	}
}

/*
 * `kernel host`: the running kernel, its version and the build options
 * that change an observable (a BUS_MCEERR_AR needs CONFIG_MEMORY_FAILURE),
 * so that `faultline diff` compares like with like.  A version written
 * out is a usual build.
 */
static unsigned model_kconfig_off(const struct fl_scenario *sc)
{
	unsigned i;

	for (i = 0; i < sc->nstmts; i++)
		if (sc->stmts[i].verb == FL_SC_KERNEL && sc->stmts[i].args[0].u.value == 0)
			return fl_host_kconfig_off();
	return 0;
}

static int model_open(struct fl_backend *b, fl_kver_t kver, enum fl_arch_id arch)
{
	struct fl_world_config cfg = { .arch = arch, .kver = kver,
				       .kconfig_off = model_kconfig_off(b->sc) };
	struct model *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->map_base = calloc(b->sc->nnames + 1, sizeof(*m->map_base));
	m->handle = calloc(b->sc->nnames + 1, sizeof(*m->handle));
	m->w = fl_world_new(&cfg);
	if (!m->map_base || !m->handle || !m->w) {
		free(m->map_base);
		free(m->handle);
		fl_world_free(m->w);
		free(m);
		return -ENOMEM;
	}
	m->b = b;
	b->priv = m;
	model_set_trace(m, model_trace, b);
	fl_world_set_hook(m->w, model_on_hook, m);
	return 0;
}

static void model_close(struct fl_backend *b)
{
	struct model *m = model_of(b);

	if (!m)
		return;
	disarm_all(m);
	fl_world_free(m->w);
	free(m->snap_map_base);
	free(m->snap_handle);
	free(m->map_base);
	free(m->handle);
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
	struct fl_mm *mm = current_mm(m);

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

	if (m->narmed)
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
	.uffd_event = model_uffd_event,
	.snapshot = model_snapshot,
	.restore = model_restore,
};
