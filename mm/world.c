/*
 * mm/world.c - creating a world, and the services every layer shares:
 * errors, trace, hooks and pagefault_disable().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/world_internal.h"

int fl_arena_init(struct fl_world *w, size_t bytes);
void fl_arena_fini(struct fl_world *w);
int fl_frames_init(struct fl_world *w, size_t max_frames);
void fl_frames_fini(struct fl_world *w);
int fl_zero_page_init(struct fl_world *w);

#define FL_DEFAULT_ARENA  ((size_t)4 << 30)
#define FL_DEFAULT_FRAMES ((size_t)1 << 20)

/* The era answers for version V (struct fl_world: era_bits). */
static void era_bits_fill(struct fl_world *w, fl_kver_t v)
{
	unsigned id;

	memset(w->era_bits, 0, sizeof(w->era_bits));
	for (id = 0; id < FL_ERA_COUNT; id++)
		if (fl_kver_has(v, (enum fl_era_id)id))
			w->era_bits[id / 64] |= (uint64_t)1 << (id % 64);
}

struct fl_world *fl_world_new(const struct fl_world_config *cfg)
{
	struct fl_world_config def = { 0 };
	struct fl_world *w;

	if (!cfg)
		cfg = &def;
	if (!fl_arch(cfg->arch)) {
		errno = EINVAL;        /* no world to carry a message: errno */
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->arch = fl_arch(cfg->arch);
	w->kconfig_off = cfg->kconfig_off;
	w->cpu_off = cfg->cpu_off;
	if (fl_arena_init(w, cfg->arena_bytes ? cfg->arena_bytes : FL_DEFAULT_ARENA))
		goto out_free;
	if (fl_frames_init(w, cfg->max_frames ? cfg->max_frames : FL_DEFAULT_FRAMES))
		goto out_arena;
	fl_state(w)->arch = cfg->arch;
	fl_state(w)->kver = cfg->kver ? cfg->kver : fl_kver_newest();
	era_bits_fill(w, fl_state(w)->kver);
	fl_state(w)->next_pid = 1;
	if (fl_zero_page_init(w))
		goto out_frames;
	return w;

out_frames:
	fl_frames_fini(w);
out_arena:
	fl_arena_fini(w);
out_free:
	free(w);
	return NULL;
}

void fl_world_free(struct fl_world *w)
{
	if (!w)
		return;
	fl_world_drop_snapshot(w);
	fl_frames_fini(w);
	fl_arena_fini(w);
	free(w);
}

const struct fl_arch *fl_world_arch(const struct fl_world *w)
{
	return w->arch;
}

unsigned fl_world_cpu_off(const struct fl_world *w)
{
	return w->cpu_off;
}

bool fl_world_kconfig(const struct fl_world *w, unsigned opt)
{
	return !(w->kconfig_off & opt);
}

fl_kver_t fl_world_kver(const struct fl_world *w)
{
	return fl_world_state(w)->kver;
}

bool fl_since(const struct fl_world *w, enum fl_era_id id)
{
	if ((unsigned)id >= FL_ERA_COUNT)
		return fl_kver_has(fl_world_state(w)->kver, id);
	return (w->era_bits[id / 64] >> (id % 64)) & 1;
}

/* ---- errors ---- */

int fl_error(struct fl_world *w, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->error, sizeof(w->error), fmt, ap);
	va_end(ap);
	return err;
}

void fl_world_fail_alloc(struct fl_world *w, unsigned long nth)
{
	w->alloc_fail_nth = nth;
	w->alloc_seen = 0;
}

unsigned long fl_world_allocs(const struct fl_world *w)
{
	return w->alloc_seen;
}

void fl_world_usage(const struct fl_world *w, struct fl_world_usage *u)
{
	const struct fl_state *st = fl_world_state(w);

	const struct fl_snapshot *s = w->snap;

	u->arena_bytes = st->arena_live;
	u->frames = st->frames_in_use;
	u->arena_used = w->arena_used;
	u->arena_peak = w->arena_peak;
	u->frames_peak = w->frames_peak;
	u->snapshot_bytes = s ? s->arena_used + s->journal_cap * sizeof(*s->journal) : 0;
}

const char *fl_world_error(const struct fl_world *w)
{
	return w->error;
}

void fl_world_clear_error(struct fl_world *w)
{
	w->error[0] = '\0';
}

/* ---- trace ---- */

void fl_world_set_trace(struct fl_world *w, fl_trace_fn fn, void *arg)
{
	w->trace = fn;
	w->trace_arg = arg;
}

bool fl_tracing(const struct fl_world *w)
{
	return w->trace != NULL;
}

/* Parenthesised: the name is also world.h's macro. */
void (fl_trace)(struct fl_world *w, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!w->trace)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	w->trace(w->trace_arg, line);
}

/* ---- hooks ---- */

static const char *const hook_names[FL_HOOK_COUNT] = {
	[FL_HOOK_UACCESS] = "uaccess",
	[FL_HOOK_FAULT] = "fault",
	[FL_HOOK_FAULT_IN] = "fault_in",
	[FL_HOOK_GUP] = "gup",
	[FL_HOOK_UFFD_COPY] = "uffd_copy",
};

const char *fl_hook_name(enum fl_hook h)
{
	return (unsigned)h < FL_HOOK_COUNT ? hook_names[h] : "?";
}

void fl_world_set_hook(struct fl_world *w, fl_hook_fn fn, void *arg)
{
	w->hook = fn;
	w->hook_arg = arg;
}

void fl_hook_fire(struct fl_world *w, enum fl_hook h)
{
	if (w->hook)
		w->hook(w, h, w->hook_arg);
}

/* ---- pagefault_disable() ---- */

void fl_pagefault_disable(struct fl_world *w)
{
	fl_world_state_mut(w)->pagefault_disabled++;
}

void fl_pagefault_enable(struct fl_world *w)
{
	struct fl_state *st = fl_world_state_mut(w);

	if (st->pagefault_disabled > 0)
		st->pagefault_disabled--;
}

bool fl_faulthandler_disabled(const struct fl_world *w)
{
	return fl_world_state(w)->pagefault_disabled > 0;
}
