/*
 * arch/arm.c - 32-bit arm arm_copy_{to,from}_user and __clear_user
 * (arch/arm/lib/copy_template.S with copy_{to,from}_user.S's accessors;
 * Debian's armmp kernels: ARMv7, no CONFIG_CPU_USE_DOMAINS, no CALGN).
 *
 * The template, as a walk (R = bytes left):
 *   1. n < 4: the bit-0 byte and the bit-1 pair, as the tail below.
 *   2. bytes (1-3) until the DESTINATION is word aligned: all loads, then
 *      all stores.
 *   3. source word aligned too: while R >= 32 an 8-word block (LDM then
 *      STM); then the R & 28 bytes of words, all loads then all stores;
 *      source misaligned (shift path): the aligned word holding the
 *      source is loaded first; while R >= 32 eight merged words from two
 *      4-word LDMs, stored by one STM; then R & 28 bytes of merged words,
 *      one aligned load and one store each;
 *   4. the R & 3 tail bytes: all loads, then all stores.
 * The fixup reports n - (dst - dstin): only stores move dst, a store
 * with writeback (STR post-index, STM!) moves it when it completes.
 *
 * So which side faults decides what a group costs:
 *   copy_from_user (user loads, kernel stores): a load group (head, block,
 *     aligned words, tail) is lost whole, nothing stored; merged words
 *     commit one by one.  4095/2 makes no progress (both tail bytes are
 *     loaded before either is stored); 4068/32 too (the LDM block).
 *   copy_to_user (kernel loads, user stores): single stores commit; a
 *     faulting STM keeps the words before the fault but not the pointer
 *     (clobber): 4067/33 -> ret 32 with dst[4068..4095] written.
 * A merged word needs the aligned source word holding its last byte, and
 * faults are page granular, so it succeeds iff its 4 bytes are readable.
 *
 * Rutland's two arm lines (docs/arch.md) are both failures of this walk,
 * but not the first of his order: 4095/2 fails copy_from_user first, and
 * 4068/32's STM clobbers copy_to_user before 4067/33.
 * __clear_user aligns the address with bytes, stores words, then bytes,
 * and its fixup returns the size it was called with (no progress on any
 * fault).
 */
#include "arch/internal.h"

#define ARM_BLOCK 32

/*
 * COUNT bytes loaded together and then stored: from user, lost whole on a
 * fault; to user, each store commits.
 */
static bool arm_byte_group(struct fl_walk *w, size_t count)
{
	if (!count)
		return true;
	if (fl_walk_user_stores(w))
		return fl_walk_bytes(w, count);
	return fl_walk_group(w, count, 1);
}

/* The aligned path's words after the blocks: loads first, then stores. */
static bool arm_word_group(struct fl_walk *w, size_t bytes)
{
	if (!bytes)
		return true;
	if (fl_walk_user_stores(w)) {
		while (bytes) {
			if (!fl_walk_access(w, 4))
				return false;
			bytes -= 4;
		}
		return true;
	}
	return fl_walk_group(w, bytes, 4);
}

/* The shift path's merged words: one load and one store each. */
static bool arm_merged_words(struct fl_walk *w, size_t bytes)
{
	for (; bytes; bytes -= 4)
		if (!fl_walk_access(w, 4))
			return false;
	return true;
}

static bool arm_blocks(struct fl_walk *w)
{
	while (fl_walk_left(w) >= ARM_BLOCK)
		if (!fl_walk_group(w, ARM_BLOCK, 4))
			return false;
	return true;
}

static void arm_copy(const struct fl_copy_req *req, struct fl_walk *w)
{
	bool to = req->dir == FL_COPY_TO_USER;
	uintptr_t src = to ? req->kaddr : (uintptr_t)req->uaddr;
	uintptr_t dst = to ? (uintptr_t)req->uaddr : req->kaddr;
	size_t head = (size_t)(-dst & 3);
	bool shift;

	if (req->n < 4 || req->n - head < 4) {
		head = req->n < 4 ? 0 : head;
		if (arm_byte_group(w, head))
			arm_byte_group(w, fl_walk_left(w));
		return;
	}
	if (!arm_byte_group(w, head))
		return;
	shift = ((src + head) & 3) != 0;
	/* The shift path loads the aligned word holding the source first. */
	if (shift && !to && req->reach <= w->pos) {
		w->faulted = true;
		return;
	}
	if (!arm_blocks(w))
		return;
	if (shift ? !arm_merged_words(w, fl_walk_left(w) & 28)
		  : !arm_word_group(w, fl_walk_left(w) & 28))
		return;
	arm_byte_group(w, fl_walk_left(w));
}

static void arm_clear(const struct fl_copy_req *req, struct fl_copy_result *res)
{
	struct fl_walk w;
	size_t head = (size_t)(-(uintptr_t)req->uaddr & 3);

	fl_walk_init(&w, req);
	if (head > req->n)
		head = req->n;
	if (fl_walk_bytes(&w, head)) {
		while (fl_walk_left(&w) >= 4)
			if (!fl_walk_access(&w, 4))
				break;
		fl_walk_bytes(&w, fl_walk_left(&w));
	}
	fl_walk_finish(&w, res, "arm __clear_user: complete");
	if (w.faulted) {
		res->ret = req->n;
		res->why = "arm __clear_user fixup returns the original size";
	}
}

void fl_arm_raw_copy(const struct fl_copy_req *req, struct fl_copy_result *res)
{
	struct fl_walk w;

	if (req->dir == FL_CLEAR_USER) {
		arm_clear(req, res);
		return;
	}
	fl_walk_init(&w, req);
	arm_copy(req, &w);
	fl_walk_finish(&w, res, !w.faulted ? "arm copy_template: complete"
		       : w.written > w.pos ? "arm STM block faulted, dst not advanced (clobber)"
		       : w.pos == 0 ? "arm copy faulted before the first store committed"
		       : "arm copy faulted, ret = n - (dst - dstin)");
}
