/*
 * arch/riscv64.c - riscv64 __asm_copy_{to,from}_user and __clear_user
 * (arch/riscv/lib/uaccess.S, the routine since ca6eaaa210de, 5.14).
 *
 * The copy, as a walk (SZREG = 8):
 *   1. n < 9 * SZREG (9 * SZREG - 1 since 9850e73e8297, 6.10): bytes,
 *      each a load then a store that commits.
 *   2. else bytes until the destination is word aligned; then
 *      - source aligned too: 8-word blocks, eight loads then eight stores
 *        and one pointer add (a do-while: at least one block), while more
 *        than a block is left (a block or more since f1905946bed0, 6.10);
 *        then bytes;
 *      - source misaligned: the aligned source word before the start is
 *        loaded, then each destination word is the merge of two aligned
 *        source words, one load and one store that commits, up to the
 *        last aligned destination word; then bytes.
 *   A merged word needs the aligned source word holding its last byte,
 *   and faults are page granular, so it succeeds iff its 8 bytes are
 *   readable: an access of 8 at the progress pointer.
 * __clear_user: bytes to the first aligned word, words to the last, bytes.
 *
 * The fixup (era riscv_uaccess_exact_ret, 4b05b993900d, 6.5 and stable
 * 5.10.192/5.15.128/6.1.47/6.4.12) returns the end minus the progress
 * pointer: exact in bytes, under-reporting by a block.  Before it the
 * fixup returned the size the routine was called with, so every short
 * copy reported nothing although the bytes before the fault were written
 * (Rutland's March 2023 run on 6.3-rc: "too few bytes consumed
 * (offset=4095, size=2, ret=2)" in all three directions), and a pwrite
 * over a straddle spun (the hang the fix was written for).
 * Not modelled: the routine before ca6eaaa210de (its stable 5.10.192
 * backport took it along), the vector copy (6.8, copies from 768 bytes
 * with V).
 */
#include "arch/internal.h"

#define RV_SZREG 8
#define RV_BLOCK (8 * RV_SZREG)

/* The word path from 9 * SZREG bytes, 9 * SZREG - 1 since 9850e73e8297. */
static size_t rv_fast_from(fl_kver_t kver)
{
	return 9 * RV_SZREG - fl_kver_has(kver, FL_ERA_RISCV_UACCESS_FAST_71);
}

/* Word aligned on both sides: the unrolled blocks, then the byte tail. */
static bool rv_word_copy(struct fl_walk *w)
{
	/* A last whole block goes to the byte loop before f1905946bed0. */
	size_t more = RV_BLOCK - fl_kver_has(w->req->kver, FL_ERA_RISCV_UACCESS_LAST_BLOCK);

	do {
		if (!fl_walk_group(w, RV_BLOCK, RV_SZREG))
			return false;
	} while (fl_walk_left(w) > more);
	return fl_walk_bytes(w, fl_walk_left(w));
}

/* Misaligned source: merged words to the last aligned destination word. */
static bool rv_shift_copy(struct fl_walk *w)
{
	/* dst is aligned here: the words up to the aligned end of dst. */
	size_t words = fl_walk_left(w) / RV_SZREG;

	while (words--)
		if (!fl_walk_access(w, RV_SZREG))
			return false;
	return fl_walk_bytes(w, fl_walk_left(w));
}

static void rv_copy(const struct fl_copy_req *req, struct fl_walk *w)
{
	bool to = req->dir == FL_COPY_TO_USER;
	uintptr_t src = to ? req->kaddr : (uintptr_t)req->uaddr;
	uintptr_t dst = to ? (uintptr_t)req->uaddr : req->kaddr;
	size_t head;

	if (req->n < rv_fast_from(req->kver)) {
		fl_walk_bytes(w, req->n);
		return;
	}
	head = (size_t)(-dst & (RV_SZREG - 1));
	if (!fl_walk_bytes(w, head))
		return;
	if (((src + head) & (RV_SZREG - 1)) == 0)
		rv_word_copy(w);
	else
		rv_shift_copy(w);
}

static void rv_clear(const struct fl_copy_req *req, struct fl_walk *w)
{
	uintptr_t start = (uintptr_t)req->uaddr, end = start + req->n;
	uintptr_t first = (start + RV_SZREG - 1) & ~(uintptr_t)(RV_SZREG - 1);
	uintptr_t last = end & ~(uintptr_t)(RV_SZREG - 1);

	if (first < last) {
		if (!fl_walk_bytes(w, first - start))
			return;
		while (fl_walk_left(w) >= RV_SZREG && start + w->pos < last)
			if (!fl_walk_access(w, RV_SZREG))
				return;
	}
	fl_walk_bytes(w, fl_walk_left(w));
}

void fl_riscv64_raw_copy(const struct fl_copy_req *req, struct fl_copy_result *res)
{
	struct fl_walk w;

	fl_walk_init(&w, req);
	if (req->dir == FL_CLEAR_USER)
		rv_clear(req, &w);
	else
		rv_copy(req, &w);
	fl_walk_finish(&w, res, !w.faulted ? "riscv64: complete"
		       : w.written > w.pos ? "riscv64 block faulted, dst not advanced (clobber)"
		       : "riscv64 uaccess fixup: end - progress pointer");
	if (w.faulted && !fl_kver_has(req->kver, FL_ERA_RISCV_UACCESS_EXACT_RET)) {
		res->ret = req->n;
		res->why = "riscv64 uaccess fixup returns the original size (before 4b05b993900d)";
	}
}
