/*
 * arch/arch.c - the architecture table, lookup by name, the result check
 * and the access walk the per-arch routines are written in.
 *
 * Each entry says where access_ok() draws the line (TASK_SIZE_MAX of the
 * usual configuration) and which sub-page granule faults (MTE 16 bytes,
 * SPARC ADI 64 bytes: the cache line), and the default huge page size
 * (hpage_shift), the user ABI's long and whether getdents(2) exists (the
 * last fields).  Why each routine has its shape is
 * in its own file and in docs/arch.md.
 */
#include <string.h>

#include "arch/internal.h"

static const struct fl_arch arches[FL_ARCH_COUNT] = {
	/* 4-level paging: the top page below 2^47 is the guard page. */
	[FL_ARCH_X86_64] = { FL_ARCH_X86_64, "x86_64", 0,
			     0x00007ffffffff000ull, false, fl_x86_64_raw_copy, false,
			     true, FL_KV(5, 7, 0), FL_KV(3, 11, 0), false, false, false, 21, 8, true },
	/* VA_BITS = 48: TASK_SIZE_MAX = 1 << 48. */
	[FL_ARCH_ARM64] = { FL_ARCH_ARM64, "arm64", 0,
			    0x0001000000000000ull, false, fl_arm64_raw_copy, false,
			    false, FL_KV(6, 10, 0), 0, false, false, false, 21, 8, false },
	[FL_ARCH_ARM64_MTE] = { FL_ARCH_ARM64_MTE, "arm64+mte", 16,
				0x0001000000000000ull, false, fl_arm64_raw_copy,
				true, false, FL_KV(6, 10, 0), 0, false, false, false, 21, 8, false },
	/*
	 * sparc64 runs user space in its own address space context (ASI_AIUS
	 * accesses), so access_ok() has nothing to compare: always true.
	 * The limit is only what mmap may hand out (-VA_EXCLUDE_START).
	 */
	[FL_ARCH_SPARC64_ADI] = { FL_ARCH_SPARC64_ADI, "sparc64+adi", 64,
				  0x0008000000000000ull, true, fl_sparc64_raw_copy, false,
				  false, 0, 0, false, false, false, 23, 8, true },
	/* 3G/1G split: PAGE_OFFSET = 0xc0000000. */
	[FL_ARCH_I386] = { FL_ARCH_I386, "i386", 0,
			   0x00000000c0000000ull, false, fl_i386_raw_copy, false,
			   true, 0, 0, true, false, false, 22, 4, true },
	/* Sv48: TASK_SIZE = 1 << 47. */
	[FL_ARCH_RISCV64] = { FL_ARCH_RISCV64, "riscv64", 0,
			      0x0000800000000000ull, false, fl_riscv64_raw_copy, false,
			      false, 0, 0, false, true, false, 21, 8, false },
	/* TASK_SIZE = PAGE_OFFSET - 16 MiB (modules below the kernel). */
	[FL_ARCH_ARM] = { FL_ARCH_ARM, "arm", 0,
			  0x00000000bf000000ull, false, fl_arm_raw_copy, false,
			  false, 0, 0, true, false, true, 0, 4, true },
};

const struct fl_arch *fl_arch(enum fl_arch_id id)
{
	if ((unsigned)id >= FL_ARCH_COUNT)
		return NULL;
	return &arches[id];
}

int fl_arch_lookup(const char *name, enum fl_arch_id *id)
{
	unsigned i;

	if (!name || !id)
		return -EINVAL;
	for (i = 0; i < FL_ARCH_COUNT; i++) {
		if (!strcmp(arches[i].name, name)) {
			*id = arches[i].id;
			return 0;
		}
	}
	return -EINVAL;
}

int fl_copy_result_check(const struct fl_copy_req *req,
			 const struct fl_copy_result *res)
{
	if (req->reach > req->n)
		return -EINVAL;
	/* 1. Nothing past the buffer, nothing negative. */
	if (res->ret > req->n || res->done > req->n)
		return -EINVAL;
	/* 2. Nothing is written past the first fault. */
	if (req->access_reach > req->n ||
	    res->done > (req->access_reach > req->reach ? req->access_reach : req->reach))
		return -EINVAL;
	/* 3. A copy that meets no fault has no excuse to stop short. */
	if (req->reach == req->n && (res->done != req->n || res->ret != 0))
		return -EINVAL;
	return 0;
}

/* ---- the walk (arch/internal.h) ---- */

bool fl_walk_passes(const struct fl_walk *w, size_t off, size_t len)
{
	const struct fl_copy_req *req = w->req;

	return off + len <= req->reach || (off < req->reach && off + len <= req->access_reach);
}

bool fl_walk_group(struct fl_walk *w, size_t len, size_t unit)
{
	size_t good;

	if (w->faulted)
		return false;
	if (w->pos + len <= w->req->reach) {    /* every unit below the reach */
		w->pos += len;
		if (w->pos > w->written)
			w->written = w->pos;
		return true;
	}
	for (good = 0; good < len && fl_walk_passes(w, w->pos + good, unit); good += unit)
		;
	if (good >= len) {
		w->pos += len;
		if (w->pos > w->written)
			w->written = w->pos;
		return true;
	}
	w->faulted = true;
	if (!fl_walk_user_stores(w))
		return false;
	/* The stores of the group before the faulting one did land. */
	if (w->pos + good > w->written)
		w->written = w->pos + good;
	return false;
}

bool fl_walk_access_at(struct fl_walk *w, size_t off, size_t len)
{
	if (w->faulted)
		return false;
	if (!fl_walk_passes(w, off, len)) {
		w->faulted = true;
		return false;
	}
	if (off + len > w->written)
		w->written = off + len;
	return true;
}

void fl_walk_finish(const struct fl_walk *w, struct fl_copy_result *res,
		    const char *why)
{
	res->done = w->written;
	res->ret = w->req->n - w->pos;
	res->why = why;
}
