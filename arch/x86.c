/*
 * arch/x86.c - x86_64 and i386 raw_copy_{to,from}_user and __clear_user.
 *
 * x86_64 is byte-exact in all three directions: copy_user_generic is
 * "rep movsb" on FSRM/ERMS CPUs and an unrolled loop whose fixup
 * (copy_user_handle_tail, later the byte loop of the 6.x rewrite) redoes
 * the tail one byte at a time, and clear_user is "rep stosb" with the
 * remaining count taken from %rcx.  Rutland's March 2023 run
 * ("usercopy: generic tests + arm64 fixes") passed every copy assertion on
 * x86_64.  His QEMU CPU had no ERMS, so clear_user took the old
 * "rep stosq" path and failed "too few bytes consumed (offset=4089, size=8,
 * ret=8)"; the model follows real hardware (host case 2 of
 * docs/host-cases.md: read of /dev/zero is exact on 6.18), see docs/arch.md.
 *
 * i386 (__copy_user in arch/x86/lib/usercopy_32.c): up to 7 bytes go one
 * byte at a time; longer copies first align the DESTINATION to 8 with
 * "rep movsb", then move words with "rep movsl", then the 0-3 byte tail.
 * The fixup reports the words and bytes left, never retrying a byte.  For
 * copy_to_user the user side is the aligned destination, so no word
 * straddles a page and the count is exact; for copy_from_user the user
 * side is the source, whose words may straddle: a fault on the first word
 * reports n ("too few bytes consumed (offset=4093, size=8, ret=8)").
 * __clear_user is "rep stosl" from the unaligned user address, then
 * "rep stosb": a first word that straddles reports n (offset=4093, size=4).
 */
#include "arch/internal.h"

void fl_x86_64_raw_copy(const struct fl_copy_req *req, struct fl_copy_result *res)
{
	res->done = req->reach;
	res->ret = req->n - req->reach;
	res->why = req->reach == req->n ? "x86_64 rep movsb/stosb: complete"
					 : "x86_64 rep movsb/stosb: exact up to the fault";
}

/* "rep movsl" then "rep movsb": words of 4, each committed, then bytes. */
static void i386_words_then_bytes(struct fl_walk *w)
{
	while (fl_walk_left(w) >= 4 && fl_walk_access(w, 4))
		;
	while (fl_walk_left(w) && fl_walk_access(w, 1))
		;
}

static void i386_copy(const struct fl_copy_req *req, struct fl_copy_result *res)
{
	struct fl_walk w;
	uintptr_t dst = req->dir == FL_COPY_TO_USER ? (uintptr_t)req->uaddr : req->kaddr;
	size_t head;

	fl_walk_init(&w, req);
	if (req->n <= 7) {
		while (fl_walk_left(&w) && fl_walk_access(&w, 1))
			;
		fl_walk_finish(&w, res, "i386 __copy_user: byte loop (n <= 7)");
		return;
	}
	head = (size_t)(-dst & 7);
	while (head-- && fl_walk_access(&w, 1))
		;
	i386_words_then_bytes(&w);
	fl_walk_finish(&w, res, w.faulted && req->dir == FL_COPY_FROM_USER
		       ? "i386 __copy_user: rep movsl from the unaligned user source faulted, no byte retry"
		       : "i386 __copy_user: destination aligned, rep movsl, rep movsb");
}

static void i386_clear(const struct fl_copy_req *req, struct fl_copy_result *res)
{
	struct fl_walk w;

	fl_walk_init(&w, req);
	i386_words_then_bytes(&w);
	fl_walk_finish(&w, res, w.faulted
		       ? "i386 __do_clear_user: rep stosl from the unaligned address faulted, no byte retry"
		       : "i386 __do_clear_user: rep stosl, rep stosb");
}

void fl_i386_raw_copy(const struct fl_copy_req *req, struct fl_copy_result *res)
{
	if (req->dir == FL_CLEAR_USER)
		i386_clear(req, res);
	else
		i386_copy(req, res);
}
