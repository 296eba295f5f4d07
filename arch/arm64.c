/*
 * arch/arm64.c - arm64 (and arm64+mte) raw_copy_{to,from}_user and
 * __arch_clear_user.
 *
 * copy (arch/arm64/lib/copy_template.S, shared by copy_to_user.S and
 * copy_from_user.S, used through 6.14 and on CPUs without FEAT_MOPS after):
 *   n < 16   "tiny15": one access each of 8, 4, 2, 1 bytes for the bits of
 *            n, largest first, unaligned.
 *   n >= 16  first align the SOURCE to 16 with accesses of 1, 2, 4, 8 bytes
 *            (smallest first); then 64-byte blocks while 64 remain; then
 *            0-3 16-byte pairs; then tiny15 for the last n & 15.
 *   The source is the kernel buffer for copy_to_user, so the user
 *   destination stays unaligned.  A 16-byte pair on the user side is two
 *   8-byte STTR (or LDTR) and one pointer add: when the second faults, the
 *   first has written 8 bytes the fixup does not count.  That is the
 *   under-report and clobber Rutland found: "post-destination bytes
 *   modified (dst_page[4082]=0x1, offset=4081, size=16, ret=15)".
 *   The load-ahead of the 128-byte loop is not modelled: it only loses
 *   bytes from copy_from_user's count (an allowed under-report).
 * fixup: ret = end - dst.  Since 295cf156231c ("arm64: Avoid premature
 *   usercopy failure", 5.14-rc2, Cc stable) a fault with no progress first
 *   copies one byte (LDRB/STTRB or LDTRB/STRB) and reports it, so a copy
 *   whose first byte is accessible never returns n.  Before it, an
 *   unaligned access straddling the page at byte 0 returned n.
 *
 * clear (__arch_clear_user as Robin Murphy rewrote it, 344323e0428b,
 * 5.14-rc1; arm64_clear_old() before it): n >= 8: 8-byte stores from the
 * unaligned start, then one 8-byte store ending at the end (it may
 * overlap); 4-7: a word at the start and a word ending at the end; 2-3: a
 * halfword at the start then the last byte; 1: the byte.  A fault reports
 * end - pointer, the pointer being the start of the faulting store, so a
 * straddling first store reports n ("too few bytes consumed (offset=4095,
 * size=2, ret=2)"); the one-byte retry was never added here.
 *
 * arm64+mte runs the same routines; its 16-byte tag granule is a fault
 * point the mm layer folds into reach.
 */
#include "arch/internal.h"

/* tiny15: the bits of the count, largest access first. */
static void arm64_tiny15(struct fl_walk *w, size_t count)
{
	size_t sz;

	for (sz = 8; sz; sz >>= 1)
		if ((count & sz) && !fl_walk_access(w, sz))
			return;
}

/* One ldp/stp of 16 bytes: two 8-byte user accesses, one pointer add. */
static bool arm64_pair(struct fl_walk *w)
{
	return fl_walk_group(w, 16, 8);
}

static void arm64_template(struct fl_walk *w, uintptr_t src)
{
	size_t align = (size_t)(-src & 15);
	size_t sz, pairs;

	if (w->req->n < 16) {
		arm64_tiny15(w, w->req->n);
		return;
	}
	for (sz = 1; sz <= 8; sz <<= 1)
		if ((align & sz) && !fl_walk_access(w, sz))
			return;
	while (fl_walk_left(w) >= 64)
		for (pairs = 0; pairs < 4; pairs++)
			if (!arm64_pair(w))
				return;
	for (pairs = (fl_walk_left(w) & 0x30) >> 4; pairs; pairs--)
		if (!arm64_pair(w))
			return;
	arm64_tiny15(w, fl_walk_left(w));
}

static void arm64_copy(const struct fl_copy_req *req, struct fl_copy_result *res)
{
	uintptr_t src = req->dir == FL_COPY_TO_USER ? req->kaddr : (uintptr_t)req->uaddr;
	const char *why = "arm64 copy_template: complete";
	struct fl_walk w;

	fl_walk_init(&w, req);
	arm64_template(&w, src);
	if (w.faulted) {
		why = w.written > w.pos ? "arm64 stp pair faulted after its first STTR, dst not advanced"
					: "arm64 copy_template faulted, ret = end - dst";
		if (w.pos == 0 && fl_kver_has(req->kver, FL_ERA_ARM64_ONE_BYTE_RETRY)) {
			/* The fixup's single byte: a fresh access at dstin. */
			w.faulted = false;
			if (fl_walk_access_at(&w, 0, 1)) {
				w.pos = 1;
				why = w.written > w.pos
					? "arm64 stp pair faulted, one-byte retry (5.14, 295cf156231c)"
					: "arm64 no progress, one-byte retry (5.14, 295cf156231c)";
			} else {
				why = "arm64 first byte faults, one-byte retry failed too";
			}
		} else if (w.pos == 0) {
			why = "arm64 no progress and no one-byte retry before 5.14 (295cf156231c)";
		}
	}
	fl_walk_finish(&w, res, why);
}

/*
 * __arch_clear_user before 344323e0428b (5.14-rc1): 8-byte stores while 8
 * remain, then one of 4, 2 and 1 for the bits of what is left, all
 * forward from the unaligned start; the fixup returns the size it was
 * called with, whatever the stores before the fault had zeroed.  So read
 * of /dev/zero answers -EFAULT with up to 8 bytes cleared (seen on
 * debian-5.10-arm64, 5.10.223: docs/arch.md).
 */
static void arm64_clear_old(const struct fl_copy_req *req, struct fl_copy_result *res)
{
	struct fl_walk w;
	size_t sz;

	fl_walk_init(&w, req);
	while (fl_walk_left(&w) >= 8 && fl_walk_access(&w, 8))
		;
	for (sz = 4; sz && !w.faulted; sz >>= 1)
		if (fl_walk_left(&w) & sz)
			fl_walk_access(&w, sz);
	if (w.faulted)
		w.pos = 0;      /* the fixup: the original size */
	fl_walk_finish(&w, res, w.faulted
		       ? "arm64 __arch_clear_user before 5.14 (344323e0428b): a store faulted, "
			 "ret = the whole size"
		       : "arm64 __arch_clear_user before 5.14: complete");
}

static void arm64_clear(const struct fl_copy_req *req, struct fl_copy_result *res)
{
	size_t n = req->n;
	struct fl_walk w;

	fl_walk_init(&w, req);
	if (n >= 8) {
		while (n - w.pos > 8 && fl_walk_access(&w, 8))
			;
		if (!w.faulted && fl_walk_access_at(&w, n - 8, 8))
			w.pos = n;
	} else if (n & 4) {
		if (fl_walk_access(&w, 4) && fl_walk_access_at(&w, n - 4, 4))
			w.pos = n;
	} else {
		if ((n & 2) && !fl_walk_access(&w, 2))
			goto out;
		if ((n & 1) && fl_walk_access_at(&w, n - 1, 1))
			w.pos = n;
	}
out:
	fl_walk_finish(&w, res, w.faulted
		       ? "arm64 __arch_clear_user: unaligned store faulted, ret = end - pointer"
		       : "arm64 __arch_clear_user: complete");
}

void fl_arm64_raw_copy(const struct fl_copy_req *req, struct fl_copy_result *res)
{
	if (req->dir == FL_CLEAR_USER && !fl_kver_has(req->kver, FL_ERA_ARM64_CLEAR_USER_REWRITE))
		arm64_clear_old(req, res);
	else if (req->dir == FL_CLEAR_USER)
		arm64_clear(req, res);
	else
		arm64_copy(req, res);
}
