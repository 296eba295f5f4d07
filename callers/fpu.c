/*
 * callers/fpu.c - x86 restore_fpregs_from_user (arch/x86/kernel/fpu/
 * signal.c): sigreturn restores the FPU registers with XRSTOR straight from
 * the user's signal frame, with page faults disabled, and retries after a
 * fault-in (kernel-facts.md §2 "The loops").
 *
 * Definitions
 *   size       the xstate size the frame claims (fx_sw->xstate_size): user
 *              controlled, and what the fault-in covered until 6.8.  The
 *              checks the caller made on it (check_xstate_in_sigframe: at
 *              least the legacy area + header, magic2 readable after it)
 *              are not modelled: the scenario gives SIZE directly.
 *   user_size  fpstate->user_size: what XRSTOR really touches; by default
 *              FL_FPU_USER_SIZE_DEFAULT (832, x86-64 with AVX), or the
 *              scenario's xrstor=N.
 *   XRSTOR     modelled as an all-or-nothing read of user_size bytes from
 *              the frame with page faults disabled: any byte not present
 *              or not readable is #PF; a frame read whole whose XSAVE
 *              header has a non-zero byte in 8..23 (XCOMP_BV, reserved)
 *              is #GP, as the standard format requires.
 *
 * The eras (struct fl_fpu_rules, resolved by fl_fpu_rules_of):
 *   < 5.14     no retry loop: one XRSTOR attempt with faults disabled;
 *              if it fails for any reason the slow path copies SIZE bytes
 *              with faults handled, sanitizes them and restores from the
 *              kernel copy: 0 or -EFAULT.
 *   5.14-rc1   fcb3635f5018: retry: on #PF, `if (!fault_in_pages_readable(
 *              buf, size)) goto retry;` else fail; any other trap fails.
 *   5.16       bb523b406c84: `if (!fault_in_readable(buf, size))` - the
 *              new API returns bytes NOT faulted in, and the test still
 *              asks for all of them, so a frame whose second page is
 *              unmapped fails as before.  Linus's point (Aug 2021) was
 *              against the API proposed on the way, where a partial
 *              fault-in counted as success: with it that frame loops for
 *              ever.  That API was never merged; FL_FPU_RETRY_ANY keeps it
 *              runnable to show why.
 *   6.8-rc4    d877550eaf2d (CVE-2024-26603; stable 5.15.150, 6.1.79,
 *              6.6.18, 6.7.6): fault in user_size, not size.  Before it, a
 *              frame whose first SIZE bytes are fine and whose byte at
 *              SIZE..user_size is not makes the fault-in succeed while
 *              XRSTOR faults again: an endless loop.
 *
 * Invariants
 *   1. The XRSTOR attempt reads the frame only; the model writes no user
 *      memory here.
 *   2. Each attempt reports (buf, fault-in length, user_size) to the
 *      monitor before XRSTOR; they never change, so the world is the rest
 *      of the loop's state.
 */
#include <stdlib.h>

#include <faultline/fault_in.h>
#include <faultline/livelock.h>
#include <faultline/uaccess.h>

#define X86_TRAP_GP 13
#define X86_TRAP_PF 14

void fl_fpu_rules_of(struct fl_world *w, struct fl_fpu_rules *r)
{
	/* fcb3635f5018 (5.14-rc1): XRSTOR from user memory, retried */
	r->loop = fl_since(w, FL_ERA_FPU_RESTORE_LOOP);
	/* bb523b406c84 (5.16): fault_in_readable replaces fault_in_pages_readable */
	r->retry = fl_since(w, FL_ERA_FPU_RESTORE_FAULT_IN_NEW) ?
		   FL_FPU_RETRY_ALL : FL_FPU_RETRY_PAGES;
	/* d877550eaf2d (6.8-rc4, CVE-2024-26603): fault in fpstate->user_size */
	r->user_size = fl_since(w, FL_ERA_FPU_RESTORE_USER_SIZE);
}

/*
 * The standard-format XSAVE header: XRSTOR raises #GP unless its bytes
 * 8..23 (XCOMP_BV and the first reserved word) are zero (SDM, XRSTOR).
 */
static bool xsave_header_ok(const uint8_t *frame, size_t user_size)
{
	size_t i;

	if (user_size < FL_FPU_XSAVE_HDR_OFFSET + FL_FPU_XSAVE_HDR_SIZE)
		return true;
	for (i = FL_FPU_XSAVE_HDR_OFFSET + 8; i < FL_FPU_XSAVE_HDR_OFFSET + 24; i++)
		if (frame[i])
			return false;
	return true;
}

/* XRSTOR from the user frame with faults disabled: 0, X86_TRAP_PF or _GP. */
static int xrstor_user(struct fl_world *w, fl_addr_t buf, size_t user_size)
{
	uint8_t *frame = malloc(user_size ? user_size : 1);
	unsigned long left;
	int trap = 0;

	if (!frame)
		return -ENOMEM;
	fl_pagefault_disable(w);
	left = fl_copy_from_user_inatomic(w, frame, buf, user_size);
	fl_pagefault_enable(w);
	if (left)
		trap = X86_TRAP_PF;
	else if (!xsave_header_ok(frame, user_size))
		trap = X86_TRAP_GP;
	fl_trace(w, "xrstor: %zu bytes from 0x%llx: %s", user_size,
		 (unsigned long long)buf,
		 trap == X86_TRAP_PF ? "#PF" : trap == X86_TRAP_GP ? "#GP" : "restored");
	free(frame);
	return trap;
}

/* Should the loop try XRSTOR again?  The era's test after a #PF. */
static bool fpu_fault_in_retry(struct fl_world *w, const struct fl_fpu_rules *rules,
			       fl_addr_t buf, size_t len)
{
	size_t left;
	bool again;

	switch (rules->retry) {
	case FL_FPU_RETRY_PAGES:
		/* fcb3635f5018: if (!fault_in_pages_readable(buf, size)) retry */
		again = fl_fault_in_pages_readable(w, buf, len) == 0;
		left = again ? 0 : len;
		break;
	case FL_FPU_RETRY_ALL:
		/* bb523b406c84: if (!fault_in_readable(buf, size)) retry */
		left = fl_fault_in_readable(w, buf, len);
		again = left == 0;
		break;
	default:
		/* the unmerged proposal: anything faulted in is success */
		left = fl_fault_in_readable(w, buf, len);
		again = left < len;
		break;
	}
	fl_trace(w, "restore_fpregs: fault in %zu bytes: %zu left, %s", len,
		 left, again ? "retry" : "fail");
	return again;
}

/* Before 5.14: the slow path reads SIZE bytes with faults handled. */
static int restore_slow(struct fl_world *w, fl_addr_t buf, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	unsigned long left;

	if (!copy)
		return -ENOMEM;
	left = fl_copy_from_user(w, copy, buf, size);
	free(copy);
	fl_trace(w, "restore_fpregs: slow path copy of %zu bytes: %lu left",
		 size, left);
	return left ? -EFAULT : 0;
}

int fl_restore_fpregs_from_user_rules(struct fl_world *w,
				      const struct fl_fpu_rules *rules,
				      fl_addr_t buf, size_t size,
				      size_t user_size, struct fl_loop *loop,
				      unsigned long *rounds)
{
	struct fl_loop own;
	size_t fault_in_len;
	int trap, ret;

	if (fl_world_arch(w)->id != FL_ARCH_X86_64)
		return fl_error(w, -EINVAL, "restore_fpregs: %s is not x86_64",
				fl_world_arch(w)->name);
	if (!user_size)
		user_size = FL_FPU_USER_SIZE_DEFAULT;
	if (!loop) {
		fl_loop_init(&own, w, "restore_fpregs_from_user");
		loop = &own;
	}
	/* d877550eaf2d: fault in what XRSTOR touches, not what the frame says */
	fault_in_len = rules->user_size ? user_size : size;
	for (;;) {
		uint64_t vars[] = { buf, fault_in_len, user_size };

		if (fl_loop_stuck(loop, vars, 3)) {
			ret = FL_LOOP_STOPPED;
			goto out;
		}
		trap = xrstor_user(w, buf, user_size);
		if (trap <= 0) {
			ret = trap;     /* 0: restored, or -ENOMEM */
			goto out;
		}
		/* before fcb3635f5018: any failure takes the slow path once */
		if (!rules->loop) {
			ret = restore_slow(w, buf, size);
			goto out;
		}
		/* Try to handle #PF; any other trap is fatal. */
		ret = -EFAULT;
		if (trap != X86_TRAP_PF)
			goto out;
		if (!fpu_fault_in_retry(w, rules, buf, fault_in_len))
			goto out;
	}
out:
	if (rounds)
		*rounds = loop->iter;
	if (loop == &own)
		fl_loop_fini(&own);
	return ret;
}

int fl_restore_fpregs_from_user(struct fl_world *w, fl_addr_t buf, size_t size,
				size_t user_size, struct fl_loop *loop,
				unsigned long *rounds)
{
	struct fl_fpu_rules rules;

	fl_fpu_rules_of(w, &rules);
	return fl_restore_fpregs_from_user_rules(w, &rules, buf, size, user_size,
					     loop, rounds);
}
