/*
 * backend/model_loop.c - the kernel's retry loops on the model:
 * `call btrfs_search_ioctl ADDR LEN` and `call restore_fpregs ADDR SIZE
 * [xrstor=N]` (callers/btrfs.c, callers/fpu.c), each watched by the loop
 * monitor (callers/loop.c).
 *
 * Observables
 *   ret       the call's return value when the loop returned; none when the
 *             monitor stopped it (the kernel would never return).
 *   outcome   ok; livelock (a state repeated: proven endless); no-progress
 *             (the iteration bound passed without a repeat or an end).
 *   summary   items and bytes filled (btrfs), XRSTOR attempts (fpu), and
 *             the monitor's verdict with the two equal iterations.
 *   trace     the loop's first MODEL_LOOP_TRACE_MAX lines, then a count
 *             of the lines left out and the verdict line again.
 *
 * The environment of the monitor: an armed `on HOOK#N` statement is state
 * outside the world - before its Nth pass the same world can still lead to
 * a different next iteration (the statement has not fired yet).  So the
 * progress of every counted hook, min(seen, N), is mixed into the loop
 * state; an `on HOOK` without #N fires every time and carries no state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/livelock.h>

#include "backend/model_internal.h"

#define MODEL_LOOP_TRACE_MAX 256ul

struct loop_trace {
	struct fl_backend *b;
	unsigned long lines, dropped;
};

static void forward_trace(void *arg, const char *line)
{
	struct fl_backend *b = arg;

	if (b->trace)
		b->trace(b->trace_arg, line);
}

/* A loop that runs 100000 rounds must not leave 100000 trace lines. */
static void loop_trace_line(void *arg, const char *line)
{
	struct loop_trace *t = arg;

	if (t->lines++ < MODEL_LOOP_TRACE_MAX)
		forward_trace(t->b, line);
	else
		t->dropped++;
}

uint64_t fl_model_armed_hooks_env(void *arg)
{
	const struct model *m = arg;
	uint64_t h = 0x6a09e667f3bcc908ull;
	unsigned i;

	for (i = 0; i < m->narmed; i++) {
		const struct armed *a = &m->armed[i];
		uint64_t progress = a->nth ? (a->seen < a->nth ? a->seen : a->nth) : 0;

		h = (h ^ ((uint64_t)a->hook << 32 | progress)) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	return h;
}

/* Start watching: a monitor with the hook environment, a capped trace. */
static void loop_begin(struct model *m, struct fl_loop *loop, struct loop_trace *t,
		       const char *name)
{
	fl_loop_init(loop, m->w, name);
	fl_loop_set_env(loop, fl_model_armed_hooks_env, m);
	t->b = m->b;
	t->lines = t->dropped = 0;
	fl_model_set_trace(m, loop_trace_line, t);
}

/* Stop watching: restore the trace, set the outcome, say the verdict. */
static void loop_end(struct model *m, struct fl_loop *loop, struct loop_trace *t,
		     struct fl_obs *obs, int ret, const char *what)
{
	char verdict[160], line[512];

	fl_model_set_trace(m, forward_trace, m->b);
	fl_loop_describe(loop, verdict, sizeof(verdict));
	if (t->dropped) {
		fl_trace(m->w, "(%lu trace lines of the loop not shown)", t->dropped);
		if (ret == FL_LOOP_STOPPED)
			fl_trace(m->w, "%s", verdict);
	}
	if (ret != FL_LOOP_STOPPED) {
		fl_backend_set_ret(obs, ret);
		snprintf(line, sizeof(line), "%s; iterations: %lu", what, loop->iter);
	} else {
		obs->outcome = loop->verdict == FL_LOOP_NO_PROGRESS ?
			       FL_OUTCOME_NO_PROGRESS : FL_OUTCOME_LIVELOCK;
		snprintf(line, sizeof(line), "%s; %s", what, verdict);
	}
	fl_model_summary(m, obs, "%.159s", line);
	fl_loop_fini(loop);
}

/*
 * The judge's items of one layout (docs/vm.md "The btrfs items"): asked
 * once per scenario and layout, before the model's first search of it, so
 * the model's tree copies the bytes the real search copies.
 */
struct model_btrfs {
	struct model_btrfs *next;
	unsigned long items;
	size_t itemlen;
	uint8_t *bytes;                 /* NULL: the judge has none (the model's own) */
};

void fl_model_btrfs_free(struct model *m)
{
	struct model_btrfs *b, *next;

	for (b = m->btrfs; b; b = next) {
		next = b->next;
		free(b->bytes);
		free(b);
	}
	m->btrfs = NULL;
}

/* TREE's contents from the judge, when `kernel host` names one with a btrfs. */
static void judge_items(struct model *m, struct fl_btrfs_tree *tree)
{
	size_t len = tree->nr_items * (FL_BTRFS_HEADER + tree->item_data);
	struct model_btrfs *b;

	if (!m->judged)
		return;
	for (b = m->btrfs; b; b = b->next)
		if (b->items == tree->nr_items && b->itemlen == tree->item_data)
			goto out;
	b = calloc(1, sizeof(*b));
	if (!b)
		return;         /* the model's own items: contents may then differ */
	b->items = tree->nr_items;
	b->itemlen = tree->item_data;
	b->bytes = malloc(len);
	if (b->bytes && fl_host_btrfs_items(b->items, b->itemlen, b->bytes, len)) {
		free(b->bytes);
		b->bytes = NULL;
	}
	b->next = m->btrfs;
	m->btrfs = b;
out:
	tree->contents = b->bytes;
}

int fl_model_btrfs_search(struct model *m, const struct fl_sc_stmt *st,
			     const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *items = fl_backend_key(st, args, "items");
	const struct fl_val *itemlen = fl_backend_key(st, args, "itemlen");
	struct fl_btrfs_tree tree = { items ? items->u : FL_BTRFS_NR_ITEMS,
				      itemlen ? itemlen->u : FL_BTRFS_ITEM_DATA, NULL };
	struct fl_btrfs_result res = { 0 };
	struct loop_trace t;
	struct fl_loop loop;
	char what[80];
	int ret;

	if (!fl_current(m->w))
		return fl_backend_setup_failed(obs, m->w, "btrfs_search_ioctl", -ESRCH);
	if (!tree.nr_items || tree.nr_items > FL_BTRFS_NR_ITEMS_MAX ||
	    tree.item_data > FL_BTRFS_ITEM_DATA_MAX) {
		snprintf(obs->why, sizeof(obs->why), "btrfs_search_ioctl: items=%lu itemlen=%zu: "
			 "the tree has 1..%u items of 0..%u data bytes", tree.nr_items,
			 tree.item_data, FL_BTRFS_NR_ITEMS_MAX, FL_BTRFS_ITEM_DATA_MAX);
		return -EINVAL;
	}
	judge_items(m, &tree);
	loop_begin(m, &loop, &t, "btrfs search_ioctl");
	ret = fl_btrfs_search_ioctl_tree(m->w, &tree, args[0].u, args[1].u, &loop, &res);
	if (loop.verdict == FL_LOOP_ERROR) {
		fl_model_set_trace(m, forward_trace, m->b);
		fl_loop_fini(&loop);
		return fl_backend_setup_failed(obs, m->w, "btrfs_search_ioctl monitor", -ENOMEM);
	}
	snprintf(what, sizeof(what), "%lu items, %zu bytes filled", res.nr_items,
		 res.sk_offset);
	loop_end(m, &loop, &t, obs, ret, what);
	return 0;
}

int fl_model_restore_fpregs(struct model *m, const struct fl_sc_stmt *st,
			       const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *xrstor = fl_backend_key(st, args, "xrstor");
	size_t user_size = xrstor ? (size_t)xrstor->u : FL_FPU_USER_SIZE_DEFAULT;
	const struct fl_arch *arch = fl_world_arch(m->w);
	struct loop_trace t;
	struct fl_loop loop;
	char what[80];
	int ret;

	if (arch->id != FL_ARCH_X86_64) {
		snprintf(obs->why, sizeof(obs->why), "restore_fpregs is the x86 "
			 "sigreturn path: arch %s has no XRSTOR (use arch x86_64)",
			 arch->name);
		return -EINVAL;
	}
	if (!fl_current(m->w))
		return fl_backend_setup_failed(obs, m->w, "restore_fpregs", -ESRCH);
	if (!user_size || user_size > MODEL_MAX_KBUF || args[1].u > MODEL_MAX_KBUF)
		return fl_backend_setup_failed(obs, m->w, "restore_fpregs frame size", -E2BIG);
	loop_begin(m, &loop, &t, "restore_fpregs_from_user");
	ret = fl_restore_fpregs_from_user(m->w, args[0].u, args[1].u, user_size,
					  &loop, NULL);
	if (loop.verdict == FL_LOOP_ERROR || ret == -ENOMEM) {
		fl_model_set_trace(m, forward_trace, m->b);
		fl_loop_fini(&loop);
		return fl_backend_setup_failed(obs, m->w, "restore_fpregs", -ENOMEM);
	}
	snprintf(what, sizeof(what), "xstate size %llu, XRSTOR reads %zu",
		 (unsigned long long)args[1].u, user_size);
	loop_end(m, &loop, &t, obs, ret, what);
	return 0;
}

