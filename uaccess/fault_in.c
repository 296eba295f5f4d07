/*
 * uaccess/fault_in.c - the fault-in family (kernel-facts.md §2): touch
 * user memory so that a later copy under pagefault_disable() finds it
 * present, and say how much of the range that worked for.
 *
 * Why it matters: every "fault in, then copy atomically, retry" loop
 * (generic_perform_write, btrfs search_ioctl, the x86 sigreturn XRSTOR
 * retry) is only as good as what these helpers report.  Their return value
 * changed meaning twice and was wrong for three years in one of them; the
 * model reproduces each version so the loops above can be replayed.
 *
 * Definitions
 *   probe      one byte touched with a kernel-mode access (__get_user, or
 *              __put_user(0) for the writeable helpers): fl_get_user and
 *              fl_put_user, so a probe faults exactly where a copy would,
 *              sub-page tags (MTE/ADI) included.
 *   P          the address of the page whose probe faulted.
 *
 * Per era (each asked through fl_since):
 *   <= 5.15  fault_in_pages_{readable,writeable} (include/linux/pagemap.h):
 *            probes at uaddr, uaddr + PAGE_SIZE, uaddr + 2 * PAGE_SIZE ...
 *            (the same offset in each page, not the page starts) while
 *            <= the last byte, then the last byte itself if the last probe
 *            left its page unprobed.  0 or -EFAULT; a wrapping range
 *            -EFAULT.
 *   5.16     bb523b406c84: fault_in_{readable,writeable} in mm/gup.c return
 *            the bytes not faulted in.  Probes: uaddr if unaligned (a fault
 *            there gives size), then the first byte of each following page
 *            below PAGE_ALIGN(uaddr + size); a fault at P gives
 *            size - (P - uaddr), or 0 if that is not positive.
 *   5.17     677b2a8c1f25: both open one user access window over the whole
 *            range first; if access_ok fails they return size at once.
 *   5.16     cdd591fc86e3: fault_in_safe_writeable, non-destructive, through
 *            GUP (FOLL_TOUCH | FOLL_WRITE) vma by vma, VM_IO|VM_PFNMAP vmas
 *            and holes between vmas skipped as populate does.
 *   5.17     fe673d3f5bf1: a loop of fixup_user_fault(FAULT_FLAG_WRITE), one
 *            call per page, whose final arithmetic is reversed
 *            (uaddr - start instead of start - uaddr): a partial failure
 *            returns 0, "everything faulted in".
 *   6.15     8c03ebd7cdc0 (5.15.181, 6.1.135, 6.6.88, 6.12.25, 6.14.4): the
 *            arithmetic fixed.
 *   5.19     da32b5817253: fault_in_subpage_writeable = fault_in_writeable,
 *            then probe_subpage_writeable over what faulted in.
 *
 * Entry points on a world older than a helper (see fault_in.h): the
 * fl_fault_in_{readable,writeable} of a <= 5.15 world run fault_in_pages_*
 * and return 0 or size; fl_fault_in_safe_writeable runs its first (5.16)
 * version; fl_fault_in_subpage_writeable is the world's
 * fl_fault_in_writeable (what callers used before 5.19) and
 * fl_probe_subpage_writeable returns 0.
 *
 * Invariants
 *   1. The size_t helpers return a value in [0, size]; fault_in_pages_*
 *      return 0 or -EFAULT.
 *   2. Only the writeable helpers (not _safe_) store, and only 0 bytes at
 *      probe addresses; every other byte of user memory is unchanged.
 *   3. Each public helper traces one line (which probe faulted, which era
 *      rule decided) and fires FL_HOOK_FAULT_IN once, after it is done.
 */
#include <stdio.h>

#include <faultline/fault_in.h>
#include <faultline/uaccess.h>

#include <faultline/mm_layers.h>
#include "uaccess/internal.h"

/* Why a helper returned what it did, for its trace line. */
struct fault_in_res {
	size_t ret;
	fl_addr_t fault_at;     /* the probe that faulted, if faulted */
	bool faulted;
	const char *rule;
};

/* __get_user(c, addr) / __put_user(0, addr): true if the byte was reached. */
static bool probe_byte(struct fl_world *w, fl_addr_t addr, bool write)
{
	uint8_t c = 0;

	if (write)
		return fl_put_user(w, &c, addr, 1) == 0;
	/* The value read is dropped: a probe that does not move it. */
	return fl_get_user_probe(w, addr) == 0;
}

static void fault_in_done(struct fl_world *w, const char *name, fl_addr_t uaddr,
			  size_t size, const struct fault_in_res *r, long shown)
{
	if (fl_tracing(w)) {
		char at[40] = "no probe faulted";

		if (r->faulted)
			snprintf(at, sizeof(at), "probe 0x%llx faulted",
				 (unsigned long long)r->fault_at);
		fl_trace(w, "%s 0x%llx+%zu: %s, %s: ret %ld", name,
			 (unsigned long long)uaddr, size, at, r->rule, shown);
	}
	fl_hook_fire(w, FL_HOOK_FAULT_IN);
}

/* ---- <= 5.15: fault_in_pages_{readable,writeable} ---- */

static int __fault_in_pages(struct fl_world *w, fl_addr_t uaddr, size_t size,
			    bool write, struct fault_in_res *r)
{
	fl_addr_t end = uaddr + size - 1, at = uaddr;

	r->rule = "<= 5.15 fault_in_pages_*: one byte per page, all or nothing";
	if (!size)
		return 0;
	if (end < uaddr) {
		r->rule = "<= 5.15 fault_in_pages_*: the range wraps";
		return -EFAULT;
	}
	do {
		if (!probe_byte(w, at, write))
			goto out_fault;
		at += FL_PAGE_SIZE;
	} while (at <= end && at > uaddr);
	/* The last probe's page ends before END: END's page is not probed. */
	if (FL_PAGE_ALIGN_DOWN(at) == FL_PAGE_ALIGN_DOWN(end)) {
		at = end;
		if (!probe_byte(w, at, write))
			goto out_fault;
	}
	return 0;

out_fault:
	r->faulted = true;
	r->fault_at = at;
	return -EFAULT;
}

static int fault_in_pages(struct fl_world *w, const char *name, fl_addr_t uaddr,
			  size_t size, bool write)
{
	struct fault_in_res r = { 0, 0, false, "" };
	int ret = __fault_in_pages(w, uaddr, size, write, &r);

	fault_in_done(w, name, uaddr, size, &r, ret);
	return ret;
}

int fl_fault_in_pages_readable(struct fl_world *w, fl_addr_t uaddr, size_t size)
{
	return fault_in_pages(w, "fault_in_pages_readable", uaddr, size, false);
}

int fl_fault_in_pages_writeable(struct fl_world *w, fl_addr_t uaddr, size_t size)
{
	return fault_in_pages(w, "fault_in_pages_writeable", uaddr, size, true);
}

/* ---- 5.16: fault_in_{readable,writeable} ---- */

/* The bytes of SIZE from UADDR beyond DONE_TO: the helpers' final step. */
static size_t bytes_left(fl_addr_t uaddr, size_t size, fl_addr_t done_to)
{
	fl_addr_t done = done_to - uaddr;

	return size > done ? size - (size_t)done : 0;
}

/*
 * The 5.16 probe pattern.  END is PAGE_ALIGN(uaddr + size), or 0 (the top
 * of the address space) when that wraps, as the kernel's NULL end.
 */
static size_t __fault_in_probe(struct fl_world *w, fl_addr_t uaddr, size_t size,
			       bool write, struct fault_in_res *r)
{
	fl_addr_t at = uaddr, end;

	r->rule = "5.16 fault_in_*: bytes not faulted in (bb523b406c84)";
	if (!size)
		return 0;
	/*
	 * 677b2a8c1f25 (5.17): user_{read,write}_access_begin() over the
	 * whole range, so a range past TASK_SIZE_MAX is refused whole.
	 */
	if (fl_since(w, FL_ERA_FAULT_IN_ACCESS_BEGIN)) {
		r->rule = "5.17 fault_in_*: access_ok over the range first (677b2a8c1f25)";
		if (!fl_access_ok(w, uaddr, size)) {
			r->rule = "5.17 fault_in_*: access_ok failed, nothing probed (677b2a8c1f25)";
			return size;
		}
	}
	if (FL_PAGE_OFFSET(uaddr)) {
		if (!probe_byte(w, at, write))
			goto out_fault;
		at = FL_PAGE_ALIGN(uaddr);
	}
	end = FL_PAGE_ALIGN(uaddr + size);
	if (end < uaddr)
		end = 0;
	while (at != end) {
		if (!probe_byte(w, at, write))
			goto out_fault;
		at += FL_PAGE_SIZE;
	}
	return 0;

out_fault:
	r->faulted = true;
	r->fault_at = at;
	return bytes_left(uaddr, size, at);
}

/* The world's fault_in_readable/writeable, without trace or hook. */
static size_t __fault_in(struct fl_world *w, fl_addr_t uaddr, size_t size,
			 bool write, struct fault_in_res *r)
{
	/* bb523b406c84 (5.16): before it, only the all-or-nothing helpers. */
	if (!fl_since(w, FL_ERA_FAULT_IN_SIZE_T))
		return __fault_in_pages(w, uaddr, size, write, r) ? size : 0;
	return __fault_in_probe(w, uaddr, size, write, r);
}

size_t fl_fault_in_readable(struct fl_world *w, fl_addr_t uaddr, size_t size)
{
	struct fault_in_res r = { 0, 0, false, "" };
	size_t ret = __fault_in(w, uaddr, size, false, &r);

	fault_in_done(w, "fault_in_readable", uaddr, size, &r, (long)ret);
	return ret;
}

size_t fl_fault_in_writeable(struct fl_world *w, fl_addr_t uaddr, size_t size)
{
	struct fault_in_res r = { 0, 0, false, "" };
	size_t ret = __fault_in(w, uaddr, size, true, &r);

	fault_in_done(w, "fault_in_writeable", uaddr, size, &r, (long)ret);
	return ret;
}

/* ---- fault_in_safe_writeable ---- */

/*
 * GUP of one page for FOLL_TOUCH | FOLL_WRITE without taking it: fault
 * only if the pte does not already allow the write.  0 or -errno.
 */
static int gup_touch_write(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr)
{
	fl_pte_t *pte = fl_pte_lookup(mm, addr);

	if (pte && (pte->flags & FL_PTE_PRESENT) && (pte->flags & FL_PTE_WRITE)) {
		pte->flags |= FL_PTE_YOUNG | FL_PTE_DIRTY;
		return 0;
	}
	return fl_fixup_user_fault(w, mm, addr, FL_FAULT_WRITE);
}

/*
 * cdd591fc86e3 (5.16): populate-style walk.  vmas are visited from
 * find_vma(start & PAGE_MASK); VM_IO|VM_PFNMAP vmas are skipped as if
 * faulted in, and so are holes before and between vmas; GUP runs page by
 * page inside each vma and the walk stops where it takes nothing.
 *
 * The result is size - min(nstart - start, size) in unsigned arithmetic:
 * when the first page of an unaligned range fails, nstart (page aligned)
 * is below start, the difference wraps, and the helper reports 0.
 */
static size_t safe_writeable_gup(struct fl_world *w, struct fl_mm *mm,
				 fl_addr_t start, size_t size,
				 struct fault_in_res *r)
{
	fl_addr_t nstart = FL_PAGE_ALIGN_DOWN(start), end, done;

	r->rule = "5.16 fault_in_safe_writeable: GUP FOLL_TOUCH|FOLL_WRITE (cdd591fc86e3)";
	end = FL_PAGE_ALIGN(start + size);
	if (end < nstart)
		end = 0;
	while (nstart != end) {
		/* find_vma again each round: a hook may have changed the vmas. */
		struct fl_vma *vma = fl_find_vma(mm, nstart);
		fl_addr_t nend, addr;

		if (!vma || vma->start >= end)
			break;
		nend = end && end < vma->end ? end : vma->end;
		if (vma->flags & (FL_VM_IO | FL_VM_PFNMAP)) {
			nstart = nend;
			continue;
		}
		if (nstart < vma->start)
			nstart = vma->start;
		for (addr = nstart; addr < nend; addr += FL_PAGE_SIZE)
			if (gup_touch_write(w, mm, addr))
				break;
		if (addr == nstart) {
			r->faulted = true;
			r->fault_at = addr;
			break;
		}
		nstart = addr;
	}
	if (nstart == end)
		return 0;
	done = nstart - start;
	return size - (done < size ? (size_t)done : size);
}

/*
 * fe673d3f5bf1 (5.17): fixup_user_fault(FAULT_FLAG_WRITE) at uaddr, then at
 * each following page start below PAGE_ALIGN(uaddr + size).
 */
static size_t safe_writeable_fixup(struct fl_world *w, struct fl_mm *mm,
				   fl_addr_t uaddr, size_t size,
				   struct fault_in_res *r)
{
	fl_addr_t start = uaddr, end;

	if (!size)
		return 0;
	end = FL_PAGE_ALIGN(uaddr + size);
	if (end < uaddr)
		end = 0;
	do {
		if (fl_fixup_user_fault(w, mm, start, FL_FAULT_WRITE)) {
			r->faulted = true;
			r->fault_at = start;
			break;
		}
		start = (start + FL_PAGE_SIZE) & FL_PAGE_MASK;
	} while (start != end);
	/*
	 * 8c03ebd7cdc0 (6.15-rc3, backported): the bytes from START on.
	 * Before it the subtraction ran the other way: uaddr - start wraps
	 * whenever start moved past uaddr, so only a fault at uaddr itself
	 * gave size; a partial failure (and a full success) gave 0.
	 */
	if (fl_since(w, FL_ERA_FAULT_IN_SAFE_RET_FIX)) {
		r->rule = "5.17 fixup_user_fault loop (fe673d3f5bf1), return fixed (8c03ebd7cdc0)";
		return bytes_left(uaddr, size, start);
	}
	r->rule = "5.17 fixup_user_fault loop (fe673d3f5bf1), reversed return: partial failure is 0";
	return size > uaddr - start ? size - (size_t)(uaddr - start) : 0;
}

static size_t __fault_in_safe_writeable(struct fl_world *w, fl_addr_t uaddr,
					size_t size, struct fault_in_res *r)
{
	struct fl_mm *mm = fl_current_mm(w);

	if (!mm) {
		fl_error(w, -EINVAL, "fault_in_safe_writeable: no current process");
		r->rule = "no current process";
		return size;
	}
	/* fe673d3f5bf1 (5.17-rc8): GUP replaced by fixup_user_fault. */
	if (fl_since(w, FL_ERA_FAULT_IN_SAFE_FIXUP_LOOP))
		return safe_writeable_fixup(w, mm, uaddr, size, r);
	/* Before cdd591fc86e3 (5.16) there was no such helper: its first version. */
	return safe_writeable_gup(w, mm, uaddr, size, r);
}

size_t fl_fault_in_safe_writeable(struct fl_world *w, fl_addr_t uaddr, size_t size)
{
	struct fault_in_res r = { 0, 0, false, "" };
	size_t ret = __fault_in_safe_writeable(w, uaddr, size, &r);

	fault_in_done(w, "fault_in_safe_writeable", uaddr, size, &r, (long)ret);
	return ret;
}

/* ---- 5.19: sub-page faults ---- */

/*
 * probe_subpage_writeable.  Generic: 0.  arm64 with MTE
 * (mte_probe_user_range): a read at uaddr (a fault gives size), then one
 * read per granule from PTR_ALIGN(uaddr, granule) below uaddr + size; a
 * fault at granule G gives uaddr + size - G.  A read suffices: the caller
 * has already checked write permission page by page.
 *
 * sparc64 with ADI: only arm64 selects ARCH_HAS_SUBPAGE_FAULTS
 * (arch/arm64/Kconfig, ARM64_MTE); sparc64 uses the generic probe, which
 * returns 0 although a mismatched ADI version faults a uaccess.  So the
 * 5.19 btrfs fix does not reach sparc64: there the loop can still spin.
 */
static size_t __probe_subpage_writeable(struct fl_world *w, fl_addr_t uaddr,
					size_t size, struct fault_in_res *r)
{
	const struct fl_arch *arch = fl_world_arch(w);
	unsigned granule = arch->subpage_granule;
	fl_addr_t end = uaddr + size, at = uaddr;

	if (!arch->subpage_probe || !size) {
		r->rule = "generic probe_subpage_writeable: 0";
		return 0;
	}
	r->rule = "arm64 MTE probe, 16-byte granules";
	if (!probe_byte(w, at, false))
		goto out_first;
	for (at = (uaddr + granule - 1) & ~(fl_addr_t)(granule - 1); at < end;
	     at += granule)
		if (!probe_byte(w, at, false))
			goto out_fault;
	return 0;

out_first:
	r->faulted = true;
	r->fault_at = at;
	return size;
out_fault:
	r->faulted = true;
	r->fault_at = at;
	return end - at;
}

size_t fl_probe_subpage_writeable(struct fl_world *w, fl_addr_t uaddr, size_t size)
{
	struct fault_in_res r = { 0, 0, false, "" };
	size_t ret = 0;

	/* da32b5817253 (5.19): the probe arrives with the helper. */
	if (fl_since(w, FL_ERA_FAULT_IN_SUBPAGE))
		ret = __probe_subpage_writeable(w, uaddr, size, &r);
	else
		r.rule = "no sub-page probe before 5.19 (da32b5817253)";
	fault_in_done(w, "probe_subpage_writeable", uaddr, size, &r, (long)ret);
	return ret;
}

size_t fl_fault_in_subpage_writeable(struct fl_world *w, fl_addr_t uaddr, size_t size)
{
	struct fault_in_res r = { 0, 0, false, "" };
	size_t faulted_in, ret;

	faulted_in = size - __fault_in(w, uaddr, size, true, &r);
	/* da32b5817253 (5.19); before it callers had fault_in_writeable alone. */
	if (!fl_since(w, FL_ERA_FAULT_IN_SUBPAGE)) {
		r.rule = "no fault_in_subpage_writeable before 5.19: fault_in_writeable";
	} else if (faulted_in) {
		struct fault_in_res p = { 0, 0, false, "" };

		faulted_in -= __probe_subpage_writeable(w, uaddr, faulted_in, &p);
		/* Trace the probe unless only the page-level pass faulted. */
		if (p.faulted || !r.faulted)
			r = p;
	}
	ret = size - faulted_in;
	fault_in_done(w, "fault_in_subpage_writeable", uaddr, size, &r, (long)ret);
	return ret;
}
