/*
 * arch/x86.c - x86_64 and i386 raw_copy_{to,from}_user and __clear_user.
 *
 * x86_64 copies are byte-exact: copy_user_generic is "rep movsb" on
 * FSRM/ERMS CPUs and an unrolled loop whose fixup (copy_user_handle_tail,
 * later the byte loop of the 6.x rewrite) redoes the tail one byte at a
 * time.  Rutland's March 2023 run ("usercopy: generic tests + arm64
 * fixes") passed every copy assertion on x86_64.  clear_user is exact
 * ("rep stosb", the remaining count from %rcx) from 6.4 on every CPU and
 * from 6.1 on FSRM CPUs; elsewhere a qword store that faults reports its
 * whole qword (x86_64_clear_qwords()): Rutland's QEMU CPU failed "too few
 * bytes consumed (offset=4089, size=8, ret=8)", and Debian's 5.10 and 6.1
 * under QEMU do the same (docs/vm.md).
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

/*
 * x86_64 __clear_user by era and CPU: does this one store qwords whose
 * fault reports only whole qwords?  Before 0db7058e8e23 (6.1) always: a
 * qword loop from the unaligned start, then bytes, the fixup counting the
 * qwords left as 8 bytes each.  From 6.1 the routine is an alternative:
 * inline rep stosb on FSRM CPUs, clear_user_erms on ERMS CPUs (qwords
 * below 64 bytes, rep stosb from 64), the qword routines else.  From
 * 8c9b6a88b7e2 (6.4) the qword routine finishes a fault one byte at a
 * time: exact everywhere.  QEMU's x86 -cpu max has ERMS but not FSRM, and
 * debian-6.1-amd64 misses qwords for 8..63 bytes only (docs/vm.md).
 */
static bool x86_64_clear_qwords(const struct fl_copy_req *req)
{
	if (fl_kver_has(req->kver, FL_ERA_X86_CLEAR_USER_BYTE_TAIL))
		return false;
	if (!fl_kver_has(req->kver, FL_ERA_X86_CLEAR_USER_ERMS))
		return true;
	if (!(req->cpu_off & FL_CPU_X86_FSRM))
		return false;
	return (req->cpu_off & FL_CPU_X86_ERMS) || req->n < 64;
}

static void x86_64_clear_qword_loop(const struct fl_copy_req *req, struct fl_copy_result *res)
{
	struct fl_walk w;

	fl_walk_init(&w, req);
	while (fl_walk_left(&w) >= 8 && fl_walk_access(&w, 8))
		;
	while (!w.faulted && fl_walk_left(&w) && fl_walk_access(&w, 1))
		;
	fl_walk_finish(&w, res, w.faulted
		       ? "x86_64 __clear_user: a qword store faulted, the qwords left count whole"
		       : "x86_64 __clear_user: qwords, then bytes");
}

void fl_x86_64_raw_copy(const struct fl_copy_req *req, struct fl_copy_result *res)
{
	if (req->dir == FL_CLEAR_USER && x86_64_clear_qwords(req)) {
		x86_64_clear_qword_loop(req, res);
		return;
	}
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
