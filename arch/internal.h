/*
 * arch/internal.h - the walk every modelled copy routine is written in.
 *
 * A routine is a sequence of user accesses in increasing address order.
 * The walk keeps the two numbers a real routine keeps:
 *   pos      its progress pointer (dst - dstin): what the fixup reports
 *            from, so ret = n - pos unless the routine's fixup says else;
 *   written  how far the destination has been written: pos, or more when
 *            a group of stores advances the pointer only after the group
 *            (an arm64 user "stp" is two STTRs and one add).
 *
 * Fault rule: an access of len bytes at offset off succeeds iff
 * off + len <= reach.  A faulting access transfers nothing: a store writes
 * no byte (the Arm ARM allows a faulting unaligned store to write part of
 * its bytes; QEMU and the reports never showed it, so the model does not),
 * and a load delivers nothing, so none of its group reaches the kernel.
 *
 * Invariants: written <= reach and pos <= written for user stores; for
 * user loads written == pos (kernel stores cannot fault).  Once faulted,
 * every further access fails: the routine has jumped to its fixup.
 */
#ifndef FL_ARCH_INTERNAL_H
#define FL_ARCH_INTERNAL_H

#include <faultline/arch.h>
#include <faultline/eras.h>

struct fl_walk {
	const struct fl_copy_req *req;
	size_t pos;
	size_t written;
	bool faulted;
};

static inline void fl_walk_init(struct fl_walk *w, const struct fl_copy_req *req)
{
	w->req = req;
	w->pos = 0;
	w->written = 0;
	w->faulted = false;
}

static inline bool fl_walk_user_stores(const struct fl_walk *w)
{
	return w->req->dir != FL_COPY_FROM_USER;
}

static inline size_t fl_walk_left(const struct fl_walk *w)
{
	return w->req->n - w->pos;
}

/*
 * A group of LEN bytes at pos made of accesses of UNIT bytes, the pointer
 * advancing by LEN only when the whole group succeeded.  On a fault, user
 * stores that preceded the faulting one stay written (clobbered, not
 * reported); user loads of the group are lost.  Returns false on a fault.
 */
bool fl_walk_group(struct fl_walk *w, size_t len, size_t unit);
/*
 * Does the CPU let one access of LEN bytes at OFF through: within the
 * reach, or starting before it and ending by the access reach
 * (faultline/arch.h)?
 */
bool fl_walk_passes(const struct fl_walk *w, size_t off, size_t len);

/* One access of LEN bytes at pos, committed on success. */
static inline bool fl_walk_access(struct fl_walk *w, size_t len)
{
	return fl_walk_group(w, len, len);
}

/* COUNT single-byte accesses, each committed; false on a fault. */
static inline bool fl_walk_bytes(struct fl_walk *w, size_t count)
{
	while (count--)
		if (!fl_walk_access(w, 1))
			return false;
	return true;
}

/*
 * One access of LEN bytes at OFF (<= pos: an overlapping tail store) that
 * does not move the pointer.  Returns false on a fault.
 */
bool fl_walk_access_at(struct fl_walk *w, size_t off, size_t len);

/* Fill RES: done = written, ret = n - pos. */
void fl_walk_finish(const struct fl_walk *w, struct fl_copy_result *res,
		    const char *why);

/* The routines, one file per arch family. */
void fl_x86_64_raw_copy(const struct fl_copy_req *req, struct fl_copy_result *res);
void fl_i386_raw_copy(const struct fl_copy_req *req, struct fl_copy_result *res);
void fl_arm64_raw_copy(const struct fl_copy_req *req, struct fl_copy_result *res);
void fl_sparc64_raw_copy(const struct fl_copy_req *req, struct fl_copy_result *res);
void fl_riscv64_raw_copy(const struct fl_copy_req *req, struct fl_copy_result *res);
void fl_arm_raw_copy(const struct fl_copy_req *req, struct fl_copy_result *res);

#endif
