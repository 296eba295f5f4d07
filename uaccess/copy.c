/*
 * uaccess/copy.c - access_ok, the raw copy, and the copy_{to,from}_user
 * family built on it (include/linux/uaccess.h, lib/usercopy.c,
 * mm/maccess.c).
 *
 * The raw copy is where the three layers meet: mm says how far the user
 * side reaches before the first fault (running the fault handler, unless
 * faults are disabled), the arch says what its routine would write and
 * return for that reach, and this file moves exactly those bytes.  The
 * variants differ only in what they do around it:
 *
 *                      access_ok   faults     zero-fill     returns
 *   copy_to_user          yes      handled       no         bytes left
 *   copy_from_user        yes      handled   tail / all     bytes left
 *   __copy_from_user      no       handled       no         bytes left
 *   *_inatomic            no       disabled      no         bytes left
 *   *_nofault (5.8)       yes      disabled      no         0 / -EFAULT
 *   clear_user            yes      handled       -          bytes left
 */
#include <stdio.h>
#include <string.h>

#include "uaccess/internal.h"

static const uint8_t zero_page[FL_PAGE_SIZE];

/* access_ok for this file's copies, inlined: every copy asks it. */
static inline bool access_ok(const struct fl_world *w, fl_addr_t addr, size_t size)
{
	const struct fl_arch *arch = fl_world_arch(w);

	if (arch->access_ok_always)
		return true;
	return size <= arch->task_size_max && addr <= arch->task_size_max - size;
}

bool fl_access_ok(struct fl_world *w, fl_addr_t addr, size_t size)
{
	return access_ok(w, addr, size);
}

size_t fl_uaccess_limit(struct fl_world *w, fl_addr_t addr, size_t size)
{
	const struct fl_arch *arch = fl_world_arch(w);

	if (arch->access_ok_always)
		return size;
	if (addr >= arch->task_size_max)
		return 0;
	return arch->task_size_max - addr < size ? (size_t)(arch->task_size_max - addr) : size;
}

/* __clear_user's stores: zeroes, a page of them at a time. */
static void user_write_zeroes(struct fl_world *w, fl_addr_t uaddr, size_t len)
{
	while (len) {
		size_t n = len < sizeof(zero_page) ? len : sizeof(zero_page);

		fl_user_write(w, uaddr, zero_page, n);
		uaddr += n;
		len -= n;
	}
}

static void raw_move(struct fl_world *w, enum fl_copy_dir dir, fl_addr_t uaddr,
		     void *kbuf, size_t done)
{
	if (!done)
		return;
	switch (dir) {
	case FL_COPY_TO_USER:
		fl_user_write(w, uaddr, kbuf, done);
		break;
	case FL_COPY_FROM_USER:
		fl_user_read(w, kbuf, uaddr, done);
		break;
	case FL_CLEAR_USER:
		user_write_zeroes(w, uaddr, done);
		break;
	}
}

/*
 * The access reach (faultline/arch.h) of a copy of N bytes at UADDR whose
 * reach is REACH.  On a judge whose CPU lacks FL_CPU_ARM64_MTE_PAGE_OFFSET
 * (QEMU 7.2's TCG, docs/vm.md "MTE tags on QEMU 7.2") a granule's tag is
 * its parity's nibble of the page's first tag byte, but an access checks
 * the granules after its first by reading on from there: one that starts
 * in an odd granule checks the next against the low nibble of the second
 * byte, which no STG sets (tag 0, the pointers' tag).  So where the reach
 * stops at an even granule inside the page (a tag: faults stop at pages)
 * an access starting before it may run into it; one starting in it still
 * faults.  Seen on debian-6.1-arm64: pread of 64 bytes at +0x14 with +0x40
 * tagged returns 16, its 8-byte store at +0x1c passing.
 */
static size_t copy_access_reach(const struct fl_world *w, fl_addr_t uaddr, size_t n,
				size_t reach)
{
	const struct fl_arch *arch = fl_world_arch(w);
	fl_addr_t stop = uaddr + reach;
	size_t g = arch->subpage_granule;

	if (arch->id != FL_ARCH_ARM64_MTE || !(fl_world_cpu_off(w) & FL_CPU_ARM64_MTE_PAGE_OFFSET) ||
	    !reach || reach == n || stop % g || !FL_PAGE_OFFSET(stop) || (stop / g) % 2)
		return reach;
	return n - reach > g ? reach + g : n;
}

unsigned long fl_raw_copy(struct fl_world *w, const char *name,
			  enum fl_copy_dir dir, fl_addr_t uaddr, void *kbuf,
			  unsigned long n)
{
	const struct fl_arch *arch = fl_world_arch(w);
	struct fl_copy_req req = {
		.dir = dir, .kver = fl_world_kver(w), .cpu_off = fl_world_cpu_off(w), .uaddr = uaddr,
		.kaddr = (uintptr_t)kbuf, .n = n,
	};
	struct fl_copy_result res = { 0, n, "" };

	if (!n)
		return 0;
	fl_hook_fire(w, FL_HOOK_UACCESS);
	req.reach = fl_user_reach(w, uaddr, n,
				  dir == FL_COPY_FROM_USER ? FL_ACC_READ : FL_ACC_WRITE);
	req.access_reach = copy_access_reach(w, uaddr, n, req.reach);
	arch->raw_copy(&req, &res);
	/*
	 * An exact result (wrote the reach, returns the rest: every x86_64
	 * copy) meets invariants 1-3 of arch.h by construction, so only the
	 * other shapes pay for the full check, which every copy passes here.
	 */
	if (!(req.reach <= n && res.done == req.reach && res.ret == n - req.reach) &&
	    fl_copy_result_check(&req, &res)) {
		/* An arch shape broke its contract: a faultline bug, copy nothing. */
		fl_error(w, -EUCLEAN, "%s: %s routine broke the copy contract", name, arch->name);
		return n;
	}
	raw_move(w, dir, uaddr, kbuf, res.done);
	/* Every copy passes here: skip building the arguments when untraced. */
	if (fl_tracing(w))
		fl_trace(w, "%s 0x%llx+%lu: reach %zu%s, %s%s: ret %zu, wrote %zu", name,
			 (unsigned long long)uaddr, n, req.reach,
			 req.access_reach > req.reach ? " (an access may run on into the "
			 "tagged even granule: QEMU 7.2's MTE)" : "", res.why,
			 fl_faulthandler_disabled(w) ? " (faults disabled)" : "",
			 res.ret, res.done);
	return res.ret;
}

/* Refuse a call the kernel could not have made; true if refused. */
static bool bad_args(struct fl_world *w, const char *name, const void *kbuf,
		     unsigned long n)
{
	if (!fl_current(w)) {
		fl_error(w, -EINVAL, "%s: no current process", name);
		return true;
	}
	if (!kbuf && n) {
		fl_error(w, -EINVAL, "%s: NULL kernel buffer for %lu bytes", name, n);
		return true;
	}
	return false;
}

unsigned long fl_copy_to_user(struct fl_world *w, fl_addr_t to, const void *from,
			      unsigned long n)
{
	if (bad_args(w, "copy_to_user", from, n))
		return n;
	if (!access_ok(w, to, n)) {
		fl_trace(w, "copy_to_user 0x%llx+%lu: access_ok failed: ret %lu",
			 (unsigned long long)to, n, n);
		return n;
	}
	return fl_raw_copy(w, "copy_to_user", FL_COPY_TO_USER, to, (void *)from, n);
}

unsigned long fl_copy_from_user(struct fl_world *w, void *to, fl_addr_t from,
				unsigned long n)
{
	unsigned long res = n;

	if (bad_args(w, "copy_from_user", to, n))
		return n;
	if (access_ok(w, from, n))
		res = fl_raw_copy(w, "copy_from_user", FL_COPY_FROM_USER, from, to, n);
	else
		fl_trace(w, "copy_from_user 0x%llx+%lu: access_ok failed, buffer zeroed",
			 (unsigned long long)from, n);
	/* lib/usercopy.c _copy_from_user: never leave stale kernel data. */
	if (res)
		memset((uint8_t *)to + (n - res), 0, res);
	return res;
}

unsigned long fl___copy_from_user(struct fl_world *w, void *to, fl_addr_t from,
				  unsigned long n)
{
	if (bad_args(w, "__copy_from_user", to, n))
		return n;
	return fl_raw_copy(w, "__copy_from_user", FL_COPY_FROM_USER, from, to, n);
}

/*
 * The _inatomic variants disable faults themselves (nested): in the kernel
 * the caller does, and every modelled caller does, so nothing changes for
 * them, and a direct call behaves as the atomic callers see it.
 */
unsigned long fl_copy_to_user_inatomic(struct fl_world *w, fl_addr_t to,
				       const void *from, unsigned long n)
{
	unsigned long ret;

	if (bad_args(w, "__copy_to_user_inatomic", from, n))
		return n;
	fl_pagefault_disable(w);
	ret = fl_raw_copy(w, "__copy_to_user_inatomic", FL_COPY_TO_USER, to,
			  (void *)from, n);
	fl_pagefault_enable(w);
	return ret;
}

unsigned long fl_copy_from_user_inatomic(struct fl_world *w, void *to,
					 fl_addr_t from, unsigned long n)
{
	unsigned long ret;

	if (bad_args(w, "__copy_from_user_inatomic", to, n))
		return n;
	fl_pagefault_disable(w);
	ret = fl_raw_copy(w, "__copy_from_user_inatomic", FL_COPY_FROM_USER, from,
			  to, n);
	fl_pagefault_enable(w);
	return ret;
}

int fl_copy_to_user_nofault(struct fl_world *w, fl_addr_t to, const void *from,
			    size_t n)
{
	unsigned long left;

	if (bad_args(w, "copy_to_user_nofault", from, n))
		return -EINVAL;
	if (!access_ok(w, to, n))
		return -EFAULT;
	fl_pagefault_disable(w);
	left = fl_raw_copy(w, "copy_to_user_nofault", FL_COPY_TO_USER, to,
			   (void *)from, n);
	fl_pagefault_enable(w);
	return left ? -EFAULT : 0;
}

int fl_copy_from_user_nofault(struct fl_world *w, void *to, fl_addr_t from,
			      size_t n)
{
	unsigned long left;

	if (bad_args(w, "copy_from_user_nofault", to, n))
		return -EINVAL;
	if (!access_ok(w, from, n))
		return -EFAULT;
	fl_pagefault_disable(w);
	left = fl_raw_copy(w, "copy_from_user_nofault", FL_COPY_FROM_USER, from,
			   to, n);
	fl_pagefault_enable(w);
	return left ? -EFAULT : 0;
}

unsigned long fl_clear_user(struct fl_world *w, fl_addr_t to, unsigned long n)
{
	if (bad_args(w, "clear_user", zero_page, n))
		return n;
	if (!access_ok(w, to, n)) {
		fl_trace(w, "clear_user 0x%llx+%lu: access_ok failed: ret %lu",
			 (unsigned long long)to, n, n);
		return n;
	}
	return fl_raw_copy(w, "clear_user", FL_CLEAR_USER, to, NULL, n);
}
