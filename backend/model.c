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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/backend.h>
#include <faultline/uaccess.h>

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
	fl_addr_t *map_base;            /* by names[] index */
	struct armed armed[MODEL_MAX_ARMED];
	unsigned narmed;
	bool in_hook;
};

static struct model *model_of(struct fl_backend *b)
{
	return b->priv;
}

static void model_trace(void *arg, const char *line)
{
	struct fl_backend *b = arg;

	if (b->trace)
		b->trace(b->trace_arg, line);
}

static const char *sc_name(const struct fl_backend *b, unsigned id)
{
	return b->sc->names[id].text;
}

/* The runner names the statement: "unsupported: call read (not modelled yet)". */
static int unsupported(struct fl_obs *obs)
{
	snprintf(obs->why, sizeof(obs->why), "not modelled yet");
	return -EOPNOTSUPP;
}

/* A library call failed while setting the world up: say what and why. */
static int setup_failed(struct model *m, struct fl_obs *obs, const char *what,
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

	if (m->narmed == MODEL_MAX_ARMED)
		return -ENOSPC;
	a = &m->armed[m->narmed];
	a->args = malloc((st->nargs ? st->nargs : 1) * sizeof(*args) + 1);
	if (!a->args)
		return -ENOMEM;
	memcpy(a->args, args, st->nargs * sizeof(*args));
	a->hook = hook;
	a->nth = nth;
	a->seen = 0;
	a->st = st;
	m->narmed++;
	return 0;
}

/* ---- world statements ---- */

static struct fl_mm *current_mm(struct model *m)
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
		p = fl_process_find(m->w, name);
		if (!p)
			return setup_failed(m, obs, "use", -ESRCH);
		err = fl_set_current(m->w, p);
		return err ? setup_failed(m, obs, "use", err) : 0;
	case FL_SC_FORK:
		parent = fl_current(m->w);
		err = parent ? fl_fork(m->w, parent, name, &p) : -ESRCH;
		if (!err)
			snprintf(obs->summary, sizeof(obs->summary),
				 "pid %d forked %s (pid %d)", parent->pid, name, p->pid);
		return err ? setup_failed(m, obs, "fork", err) : 0;
	case FL_SC_EXIT:
		p = fl_process_find(m->w, name);
		err = p ? fl_process_exit(m->w, p) : -ESRCH;
		return err ? setup_failed(m, obs, "exit", err) : 0;
	default:
		return -EINVAL;
	}
}

/* The value of key NAME, evaluated by the runner after the positional args. */
static const struct fl_val *key_val(const struct fl_sc_stmt *st,
				    const struct fl_val *args, const char *name)
{
	unsigned i;

	for (i = 0; i < st->nkeys; i++)
		if (!strcmp(st->keys[i].name, name))
			return &args[st->nargs + i];
	return NULL;
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
	snprintf(obs->summary, sizeof(obs->summary), "%s = 0x%lx", 
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

static void summarize_access(struct fl_obs *obs, const char *what, size_t len)
{
	if (obs->sig.sig == FL_SIG_NONE)
		snprintf(obs->summary, sizeof(obs->summary), "%s %zu bytes", what,
			 obs->moved);
	else
		snprintf(obs->summary, sizeof(obs->summary),
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
		summarize_access(obs, "stored", data->len);
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
		summarize_access(obs, "loaded", args[1].u);
		return 0;
	case FL_SC_POKE:
		data = data_arg(st, args);
		err = fl_poke(m->w, current_mm(m), args[0].u, data->bytes, data->len);
		return err ? setup_failed(m, obs, "poke", err) : 0;
	default:
		return -EINVAL;
	}
}

/* ---- calls ---- */

/* A kernel buffer: 64-byte aligned, as kmalloc'ed buffers are (arch shapes
 * depend on the kernel side's alignment). */
static uint8_t *kbuf_alloc(size_t len)
{
	size_t sz = (len + 63) & ~(size_t)63;
	uint8_t *p = aligned_alloc(64, sz ? sz : 64);

	if (p)
		memset(p, 0xaa, sz ? sz : 64);
	return p;
}

static void set_ret(struct fl_obs *obs, int64_t ret)
{
	obs->has_ret = true;
	obs->ret = ret;
}

/* copy_to_user and its variants: the kernel source is src=DATA (default seq). */
static int call_copy_to(struct model *m, const struct fl_sc_stmt *st,
			const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *src = key_val(st, args, "src");
	fl_addr_t to = args[0].u;
	size_t n = args[1].u;
	uint8_t *kbuf;
	size_t i;

	if (n > MODEL_MAX_KBUF)
		return setup_failed(m, obs, "kernel buffer", -E2BIG);
	kbuf = kbuf_alloc(n);
	if (!kbuf)
		return setup_failed(m, obs, "kernel buffer", -ENOMEM);
	for (i = 0; i < n; i++)
		kbuf[i] = src ? src->bytes[i] : (uint8_t)i;
	switch (st->code) {
	case FL_SC_COPY_TO_USER:
		set_ret(obs, (int64_t)fl_copy_to_user(m->w, to, kbuf, n));
		break;
	case FL_SC_COPY_TO_USER_INATOMIC:
		set_ret(obs, (int64_t)fl_copy_to_user_inatomic(m->w, to, kbuf, n));
		break;
	case FL_SC_COPY_TO_USER_NOFAULT:
		set_ret(obs, fl_copy_to_user_nofault(m->w, to, kbuf, n));
		break;
	case FL_SC_CLEAR_USER:
		set_ret(obs, (int64_t)fl_clear_user(m->w, to, n));
		break;
	}
	free(kbuf);
	return 0;
}

/* Describe the kernel buffer after a copy from user: the zero-fill shows. */
static void summarize_kbuf(struct fl_obs *obs, const uint8_t *kbuf, size_t n)
{
	size_t i, zeros = 0, untouched = 0;

	for (i = 0; i < n; i++) {
		zeros += kbuf[i] == 0;
		untouched += kbuf[i] == 0xaa;
	}
	snprintf(obs->summary, sizeof(obs->summary),
		 "kernel buffer: %zu bytes, %zu zero, %zu untouched (0xaa)",
		 n, zeros, untouched);
}

static int call_copy_from(struct model *m, const struct fl_sc_stmt *st,
			  const struct fl_val *args, struct fl_obs *obs)
{
	fl_addr_t from = args[0].u;
	size_t n = args[1].u;
	uint8_t *kbuf;

	if (n > MODEL_MAX_KBUF)
		return setup_failed(m, obs, "kernel buffer", -E2BIG);
	kbuf = kbuf_alloc(n);
	if (!kbuf)
		return setup_failed(m, obs, "kernel buffer", -ENOMEM);
	switch (st->code) {
	case FL_SC_COPY_FROM_USER:
		set_ret(obs, (int64_t)fl_copy_from_user(m->w, kbuf, from, n));
		break;
	case FL_SC_COPY_FROM_USER_INATOMIC:
		set_ret(obs, (int64_t)fl_copy_from_user_inatomic(m->w, kbuf, from, n));
		break;
	case FL_SC_COPY_FROM_USER_NOFAULT:
		set_ret(obs, fl_copy_from_user_nofault(m->w, kbuf, from, n));
		break;
	}
	summarize_kbuf(obs, kbuf, n);
	obs->kbuf = kbuf;       /* the step owns it now: `expect kbuf` */
	obs->kbuf_len = n;
	return 0;
}

static int call_string(struct model *m, const struct fl_sc_stmt *st,
		       const struct fl_val *args, struct fl_obs *obs)
{
	int64_t count = args[1].s;
	char *kbuf;

	if (st->code == FL_SC_STRNLEN_USER) {
		set_ret(obs, fl_strnlen_user(m->w, args[0].u, (long)count));
		return 0;
	}
	if (count > (int64_t)MODEL_MAX_KBUF)
		return setup_failed(m, obs, "kernel buffer", -E2BIG);
	kbuf = (char *)kbuf_alloc(count > 0 ? (size_t)count + 1 : 1);
	if (!kbuf)
		return setup_failed(m, obs, "kernel buffer", -ENOMEM);
	set_ret(obs, fl_strncpy_from_user(m->w, kbuf, args[0].u, (long)count));
	obs->kbuf = (uint8_t *)kbuf;
	obs->kbuf_len = count > 0 ? (size_t)count + 1 : 1;
	return 0;
}

static int call_getput(struct model *m, const struct fl_sc_stmt *st,
		       const struct fl_val *args, struct fl_obs *obs)
{
	size_t size = args[1].u;
	uint64_t v = 0;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return setup_failed(m, obs, st->code == FL_SC_GET_USER ?
				    "get_user" : "put_user", -EINVAL);
	if (st->code == FL_SC_GET_USER) {
		set_ret(obs, fl_get_user(m->w, &v, args[0].u, size));
		snprintf(obs->summary, sizeof(obs->summary), "value 0x%llx",
			 (unsigned long long)v);
		return 0;
	}
	v = (uint64_t)args[2].s;
	set_ret(obs, fl_put_user(m->w, &v, args[0].u, size));
	return 0;
}

static int exec_call(struct model *m, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	switch (st->code) {
	case FL_SC_COPY_TO_USER:
	case FL_SC_COPY_TO_USER_INATOMIC:
	case FL_SC_COPY_TO_USER_NOFAULT:
	case FL_SC_CLEAR_USER:
		return call_copy_to(m, st, args, obs);
	case FL_SC_COPY_FROM_USER:
	case FL_SC_COPY_FROM_USER_INATOMIC:
	case FL_SC_COPY_FROM_USER_NOFAULT:
		return call_copy_from(m, st, args, obs);
	case FL_SC_STRNCPY_FROM_USER:
	case FL_SC_STRNLEN_USER:
		return call_string(m, st, args, obs);
	case FL_SC_GET_USER:
	case FL_SC_PUT_USER:
		return call_getput(m, st, args, obs);
	default:
		return unsupported(obs);
	}
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
		return unsupported(obs);
	case FL_SC_MMAP:
		return exec_mmap(m, st, args, obs);
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
		return exec_access(m, st, args, obs);
	case FL_SC_CALL:
		if (!fl_current(m->w))
			return setup_failed(m, obs, "call", -ESRCH);
		err = exec_call(m, st, args, obs);
		if (!m->in_hook)
			disarm_all(m);
		return err;
	default:
		return -EINVAL;
	}
}

static int model_open(struct fl_backend *b, fl_kver_t kver, enum fl_arch_id arch)
{
	struct fl_world_config cfg = { .arch = arch, .kver = kver };
	struct model *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->map_base = calloc(b->sc->nnames + 1, sizeof(*m->map_base));
	m->w = fl_world_new(&cfg);
	if (!m->map_base || !m->w) {
		free(m->map_base);
		fl_world_free(m->w);
		free(m);
		return -ENOMEM;
	}
	m->b = b;
	b->priv = m;
	fl_world_set_trace(m->w, model_trace, b);
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
	free(m->map_base);
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

const struct fl_backend_ops fl_model_backend = {
	.name = "model",
	.open = model_open,
	.close = model_close,
	.exec = model_exec,
	.map_base = model_map_base,
	.peek = model_peek,
	.arm_hook = model_arm_hook,
};
