/*
 * arch/arm.c - 32-bit arm raw_copy_{to,from}_user and __clear_user.
 *
 * Rutland's March 2023 run reported, as the first failure of each test:
 *   copy_to_user   "post-destination bytes modified (dst_page[4068]=0x1,
 *                  offset=4067, size=33, ret=32)"
 *   copy_from_user "too few bytes consumed (offset=4068, size=32, ret=32)"
 *   clear_user     "too few bytes consumed" (no byte guaranteed)
 * and that both copies may fail to make progress.  Reading
 * arch/arm/lib/copy_template.S from memory did not reproduce both lines,
 * so the model is the simplest schedule that does (docs/arch.md):
 *   1. n < 4: bytes.
 *   2. align the destination to a word with 1-3 single bytes.
 *   3. source and destination both word aligned ("aligned path"): while
 *      32 bytes remain, an 8-word LDM/STM block; the user LOADS of a block
 *      are all-or-nothing (a fault loses the block), the user STORES of a
 *      block commit word by word.
 *      Source misaligned ("shift path", words merged from two loads):
 *      while 32 bytes remain, 8 merged words whose user STORES go out as
 *      one block that advances the pointer only at its end (clobber), and
 *      whose user LOADS commit word by word.
 *   4. the tail: words then bytes on the aligned path, bytes on the shift
 *      path (a merged word needs the next aligned source word, and the
 *      report shows copies under 32 bytes making progress), each committed.
 * The fixup reports n - (dst - dstin) and never retries a byte.
 * __clear_user aligns the address with bytes, stores words, then bytes,
 * and its fixup returns the size it was called with (no progress on any
 * fault, like riscv).
 */
#include "arch/internal.h"

static bool arm_words_then_bytes(struct fl_walk *w)
{
	while (fl_walk_left(w) >= 4)
		if (!fl_walk_access(w, 4))
			return false;
	return fl_walk_bytes(w, fl_walk_left(w));
}

/* A 32-byte block: all-or-nothing pointer, or eight committed words. */
static bool arm_block(struct fl_walk *w, bool as_group)
{
	int i;

	if (as_group)
		return fl_walk_group(w, 32, 4);
	for (i = 0; i < 8; i++)
		if (!fl_walk_access(w, 4))
			return false;
	return true;
}

static void arm_copy(const struct fl_copy_req *req, struct fl_copy_result *res)
{
	bool to = req->dir == FL_COPY_TO_USER;
	uintptr_t src = to ? req->kaddr : (uintptr_t)req->uaddr;
	uintptr_t dst = to ? (uintptr_t)req->uaddr : req->kaddr;
	bool aligned_path, grouped;
	struct fl_walk w;
	size_t head;

	fl_walk_init(&w, req);
	if (req->n < 4) {
		fl_walk_bytes(&w, req->n);
		goto out;
	}
	head = (size_t)(-dst & 3);
	if (!fl_walk_bytes(&w, head))
		goto out;
	aligned_path = ((src + head) & 3) == 0;
	/* Which side a block is all-or-nothing on: see the table above. */
	grouped = aligned_path ? !to : to;
	while (fl_walk_left(&w) >= 32)
		if (!arm_block(&w, grouped))
			goto out;
	if (aligned_path)
		arm_words_then_bytes(&w);
	else
		fl_walk_bytes(&w, fl_walk_left(&w));
out:
	fl_walk_finish(&w, res, !w.faulted ? "arm copy_template: complete"
		       : w.written > w.pos ? "arm STM block faulted, dst not advanced (clobber)"
		       : w.pos == 0 ? "arm copy faulted before the first byte committed"
		       : "arm copy faulted, ret = n - (dst - dstin)");
}

static void arm_clear(const struct fl_copy_req *req, struct fl_copy_result *res)
{
	struct fl_walk w;
	size_t head = (size_t)(-(uintptr_t)req->uaddr & 3);

	fl_walk_init(&w, req);
	if (head > req->n)
		head = req->n;
	if (fl_walk_bytes(&w, head))
		arm_words_then_bytes(&w);
	fl_walk_finish(&w, res, "arm __clear_user: complete");
	if (w.faulted) {
		res->ret = req->n;
		res->why = "arm __clear_user fixup returns the original size";
	}
}

void fl_arm_raw_copy(const struct fl_copy_req *req, struct fl_copy_result *res)
{
	if (req->dir == FL_CLEAR_USER)
		arm_clear(req, res);
	else
		arm_copy(req, res);
}
