/*
 * backend/model_uffd.c - userfaultfd statements on the model: the syscall,
 * the ioctls, read(2), the monitor, and the events `expect event` checks.
 *
 * Results follow the syscall convention (fl_backend_sys_ret(),
 * backend/common.c): ret is the return value, or -1 with obs->err the
 * positive errno.  The ioctls'
 * output field (copy, zeropage, mapped) is obs->copy, and only when the
 * kernel wrote it: has_copy stays false when it was left untouched.
 *
 * A call that waited on a userfaultfd with nobody to wake it has the
 * outcome `blocked` (model_uffd_settle); what else it reported is what
 * it had done when it stopped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/uffd.h>

#include "backend/model_internal.h"

/* The field's value before the call: still there means "not written". */
#define UFFD_FIELD_UNTOUCHED INT64_MIN

static void uffd_field(struct model *m, struct fl_obs *obs, const char *what,
		       const char *field,
		       int64_t v, int ret)
{
	if (v != UFFD_FIELD_UNTOUCHED) {
		obs->has_copy = true;
		obs->copy = v;
		fl_model_summary(m, obs, "%s: %s = %lld, ret %d",
			 what, field, (long long)v, ret);
	} else {
		fl_model_summary(m, obs, "%s: field not written, ret %d",
			 what, ret);
	}
}

static struct fl_uffd_ctx *uffd_of(struct model *m, const struct fl_val *v)
{
	return m->handle[v->u];
}

/* userfaultfd [user_mode_only,cloexec,nonblock] as=U: the word bits -> flags */
int fl_model_userfaultfd(struct model *m, const struct fl_sc_stmt *st,
			    const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *as = fl_backend_key(st, args, "as");
	const struct fl_val *dev = fl_backend_key(st, args, "dev");
	uint64_t words = st->nargs ? args[0].u : 0;
	unsigned flags = (unsigned)(words & ~7ull) << 3;
	struct fl_uffd_ctx *ctx = NULL;
	int ret;

	flags |= (words & 1) ? FL_UFFD_USER_MODE_ONLY : 0;
	flags |= (words & 2) ? FL_UFFD_O_CLOEXEC : 0;
	flags |= (words & 4) ? FL_UFFD_O_NONBLOCK : 0;
	ret = dev && dev->u ? fl_userfaultfd_dev(m->w, flags, &ctx) :
			      fl_userfaultfd(m->w, flags, &ctx);
	if (!ret && as)
		m->handle[as->u] = ctx;
	/* the model's fds: 3 for every context */
	fl_backend_sys_ret(obs, ret ? ret : 3);
	return 0;
}

int fl_model_uffd_api(struct model *m, const struct fl_sc_stmt *st,
		    const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *api = fl_backend_key(st, args, "api");
	struct fl_uffdio_api a = { api ? api->u : FL_UFFD_API, args[1].u, 0 };
	int ret = fl_uffdio_api(m->w, uffd_of(m, &args[0]), &a);

	/* A feature this kernel has and the model would only pretend to do. */
	if (!ret && (args[1].u & FL_UFFD_FEATURES_NOT_MODELLED)) {
		snprintf(obs->why, sizeof(obs->why),
			 "UFFD_FEATURE_WP_ASYNC is not modelled yet");
		return -EOPNOTSUPP;
	}
	fl_backend_sys_ret(obs, ret);
	fl_model_summary(m, obs,
		 "UFFDIO_API: features 0x%llx, ioctls 0x%llx",
		 (unsigned long long)a.features, (unsigned long long)a.ioctls);
	return 0;
}

int fl_model_uffd_register(struct model *m, const struct fl_sc_stmt *st,
			 const struct fl_val *args, struct fl_obs *obs)
{
	struct fl_uffdio_register r = { args[1].u, args[2].u, args[3].u, 0 };
	int ret = fl_uffdio_register(m->w, uffd_of(m, &args[0]), &r);

	(void)st;
	fl_backend_sys_ret(obs, ret);
	/* `expect copy` reads the ioctls mask of a successful register */
	if (!ret) {
		obs->has_copy = true;
		obs->copy = (int64_t)r.ioctls;
	}
	fl_model_summary(m, obs, "UFFDIO_REGISTER: ioctls 0x%llx",
		 (unsigned long long)r.ioctls);
	return 0;
}

int fl_model_uffd_copy(struct model *m, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *src = fl_backend_key(st, args, "src");
	const struct fl_val *from = fl_backend_key(st, args, "from");
	const struct fl_val *mode = fl_backend_key(st, args, "mode");
	struct fl_uffdio_copy c = { args[1].u, from ? from->u : 0, args[2].u,
				    mode ? mode->u : 0, UFFD_FIELD_UNTOUCHED, NULL };
	uint8_t *seq = NULL;
	size_t i;
	int ret;

	if (!from) {    /* a buffer of the monitor's own: DATA, default seq */
		if (src && src->len >= c.len) {
			c.src_buf = src->bytes;
		} else {
			if (c.len > MODEL_MAX_KBUF)
				return fl_backend_setup_failed(obs, m->w, "uffd_copy source", -E2BIG);
			seq = fl_backend_kbuf_alloc(c.len);
			if (!seq)
				return fl_backend_setup_failed(obs, m->w, "uffd_copy source", -ENOMEM);
			for (i = 0; i < c.len; i++)
				seq[i] = src && src->len ? src->bytes[i % src->len] : (uint8_t)i;
			c.src_buf = seq;
		}
	}
	ret = fl_uffdio_copy(m->w, uffd_of(m, &args[0]), &c);
	free(seq);
	fl_backend_sys_ret(obs, ret);
	uffd_field(m, obs, "UFFDIO_COPY", "copy", c.copy, ret);
	return 0;
}

int fl_model_uffd_fill(struct model *m, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *mode = fl_backend_key(st, args, "mode");
	struct fl_uffdio_fill f = { { args[1].u, args[2].u }, mode ? mode->u : 0,
				    UFFD_FIELD_UNTOUCHED };
	struct fl_uffd_ctx *ctx = uffd_of(m, &args[0]);
	int ret;

	if (st->code == FL_SC_UFFD_ZEROPAGE) {
		ret = fl_uffdio_zeropage(m->w, ctx, &f);
		fl_backend_sys_ret(obs, ret);
		uffd_field(m, obs, "UFFDIO_ZEROPAGE", "zeropage", f.out, ret);
	} else if (st->code == FL_SC_UFFD_POISON) {
		ret = fl_uffdio_poison(m->w, ctx, &f);
		fl_backend_sys_ret(obs, ret);
		uffd_field(m, obs, "UFFDIO_POISON", "updated", f.out, ret);
	} else {
		ret = fl_uffdio_continue(m->w, ctx, &f);
		fl_backend_sys_ret(obs, ret);
		uffd_field(m, obs, "UFFDIO_CONTINUE", "mapped", f.out, ret);
	}
	return 0;
}

/* uffd_move U DST SRC LEN [mode=dontwake,allow_src_holes] */
int fl_model_uffd_move(struct model *m, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *mode = fl_backend_key(st, args, "mode");
	struct fl_uffdio_move mv = { args[1].u, args[2].u, args[3].u,
				     mode ? mode->u : 0, UFFD_FIELD_UNTOUCHED };
	int ret = fl_uffdio_move(m->w, uffd_of(m, &args[0]), &mv);

	fl_backend_sys_ret(obs, ret);
	uffd_field(m, obs, "UFFDIO_MOVE", "move", mv.move, ret);
	return 0;
}

/*
 * uffd_log U: the built-in monitor's next UFFDIO_COPY as it saw it: ret
 * (0, or -1 with the errno) and `expect copy` the copy field.  Nothing
 * more to show: -1 with ENOMSG, which no UFFDIO_COPY answers.
 */
int fl_model_uffd_log(struct model *m, const struct fl_sc_stmt *st,
		    const struct fl_val *args, struct fl_obs *obs)
{
	struct fl_uffd_log_entry e;

	(void)st;
	if (fl_uffd_log_next(m->w, uffd_of(m, &args[0]), &e)) {
		fl_backend_sys_ret(obs, -ENOMSG);
		fl_model_summary(m, obs, "monitor log: nothing more");
		return 0;
	}
	fl_backend_sys_ret(obs, e.ret);
	obs->has_copy = e.copy != UFFD_FIELD_UNTOUCHED;
	obs->copy = e.copy;
	fl_model_summary(m, obs,
		 "monitor's UFFDIO_COPY 0x%llx: ret %d, copy %lld",
		 (unsigned long long)e.dst, e.ret, (long long)e.copy);
	return 0;
}

int fl_model_uffd_wake(struct model *m, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	struct fl_uffdio_range r = { args[1].u, args[2].u };

	(void)st;
	fl_backend_sys_ret(obs, fl_uffdio_wake(m->w, uffd_of(m, &args[0]), &r));
	return 0;
}

/* uffd_unregister U ADDR LEN: UFFDIO_UNREGISTER (it wakes the range's waits) */
int fl_model_uffd_unregister(struct model *m, const struct fl_sc_stmt *st,
			     const struct fl_val *args, struct fl_obs *obs)
{
	struct fl_uffdio_range r = { args[1].u, args[2].u };

	(void)st;
	fl_backend_sys_ret(obs, fl_uffdio_unregister(m->w, uffd_of(m, &args[0]), &r));
	return 0;
}

int fl_model_uffd_writeprotect(struct model *m, const struct fl_sc_stmt *st,
			     const struct fl_val *args, struct fl_obs *obs)
{
	struct fl_uffdio_writeprotect wp = { { args[1].u, args[2].u },
					     args[3].u ? FL_UFFDIO_WRITEPROTECT_MODE_WP : 0 };

	(void)st;
	fl_backend_sys_ret(obs, fl_uffdio_writeprotect(m->w, uffd_of(m, &args[0]), &wp));
	return 0;
}

/*
 * uffd_read U [as=C]: one message.  With as=, a FORK message's new context
 * (the child's: its registrations, its faults) is C; any other answer
 * leaves C naming no context (its ioctls EBADF), as a monitor's variable
 * that was never set to a descriptor.
 */
int fl_model_uffd_read(struct model *m, const struct fl_sc_stmt *st,
		     const struct fl_val *args, struct fl_obs *obs)
{
	const struct fl_val *as = fl_backend_key(st, args, "as");
	struct fl_uffd_msg msg;
	int ret = fl_uffd_read(m->w, uffd_of(m, &args[0]), &msg);

	if (as)
		m->handle[as->u] = !ret && msg.event == FL_UFFD_EVENT_FORK ? msg.ufd : NULL;
	fl_backend_sys_ret(obs, ret ? ret : 32);     /* sizeof(struct uffd_msg) */
	if (!ret)
		fl_model_summary(m, obs,
			 "event %s flags 0x%llx address 0x%llx ptid %u start 0x%llx end 0x%llx"
			 " from 0x%llx to 0x%llx len 0x%llx",
			 fl_uffd_event_name(msg.event), (unsigned long long)msg.flags,
			 (unsigned long long)msg.address, msg.ptid,
			 (unsigned long long)msg.start, (unsigned long long)msg.end,
			 (unsigned long long)msg.from, (unsigned long long)msg.to,
			 (unsigned long long)msg.len);
	return 0;
}

int fl_model_uffd_serve(struct model *m, const struct fl_sc_stmt *st,
		      const struct fl_val *args, struct fl_obs *obs)
{
	uint8_t page[FL_PAGE_SIZE];
	size_t i;

	(void)st;
	for (i = 0; i < FL_PAGE_SIZE; i++)
		page[i] = args[1].len ? args[1].bytes[i % args[1].len] : 0;
	fl_backend_sys_ret(obs, fl_uffd_serve(m->w, uffd_of(m, &args[0]), page));
	return 0;
}

void fl_model_uffd_settle(struct model *m, struct fl_obs *obs)
{
	fl_addr_t addr;

	if (fl_uffd_take_spin(m->w, &addr)) {
		fl_uffd_take_blocked(m->w, NULL);
		obs->outcome = FL_OUTCOME_LIVELOCK;
		fl_model_summary(m, obs,
			 "livelock: woken again and again at 0x%llx, the page never arrives",
			 (unsigned long long)addr);
		return;
	}
	if (!fl_uffd_take_blocked(m->w, &addr))
		return;
	/*
	 * The VM_FAULT_SIGBUS that stopped the access is the model's way of
	 * stopping, not a signal: the kernel's task just waits (the host
	 * backend reports no signal for a blocked store).
	 */
	obs->sig = (struct fl_signal){ 0 };
	obs->outcome = FL_OUTCOME_BLOCKED;
	m->uffd_blocked = addr != 0;    /* a read(2) waits at no address */
	/*
	 * A read(2) that waits never returns: no ret and no errno (it left
	 * EAGAIN, the model's nonblocking answer, before; the host's never
	 * returns either).
	 */
	if (!addr) {
		obs->has_ret = false;
		obs->err = 0;
	}
	fl_model_summary(m, obs,
		 "blocked: waits on a userfaultfd at 0x%llx, no monitor wakes it",
		 (unsigned long long)addr);
}

int fl_model_uffd_event(struct fl_backend *b, unsigned uffd, struct fl_obs_event *ev)
{
	struct model *m = model_of(b);
	struct fl_uffd_ctx *ctx = uffd < b->sc->nnames ? m->handle[uffd] : NULL;
	struct fl_uffd_msg msg;
	int ret;

	if (!ctx)
		return -EBADF;
	ret = fl_uffd_event_next(m->w, ctx, &msg);
	if (ret)
		return ret;
	ev->type = msg.event - FL_UFFD_EVENT_PAGEFAULT;
	ev->flags = msg.flags;
	ev->addr = msg.event == FL_UFFD_EVENT_PAGEFAULT ? msg.address :
		   msg.event == FL_UFFD_EVENT_REMAP ? msg.from : msg.start;
	return 0;
}

