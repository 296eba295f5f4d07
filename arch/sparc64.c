/*
 * arch/sparc64.c - sparc64 (with ADI) raw_copy_{to,from}_user and
 * __clear_user.
 *
 * Rutland's March 2023 run ("usercopy: generic tests + arm64 fixes") found
 * copy_to_user and clear_user exact and copy_from_user OVER-reporting:
 * "copied bytes incorrect (dst_page[0+0]=0x0, src_page[4095+0]=0xff,
 * offset=4095, size=2, ret=1)": one byte reported copied, none stored.
 * Linus called that an outright bug (uninitialised kernel data looks
 * copied).  The exact shape of the U1/U3/NG copy_from_user fixups was not
 * pinned down; the model takes the simplest schedule that reproduces the
 * report: a byte loop whose loads run one byte ahead of its stores, and a
 * fixup that counts the bytes LOADED.  So a fault after k > 0 loaded bytes
 * reports k copied but has stored k - 1: an over-report of one byte.
 * The ADI version granule (64 bytes, a cache line) is a fault point the mm
 * layer folds into reach; the routines do not change for it.
 */
#include "arch/internal.h"

void fl_sparc64_raw_copy(const struct fl_copy_req *req, struct fl_copy_result *res)
{
	bool short_copy = req->reach < req->n;

	res->ret = req->n - req->reach;
	res->done = req->reach;
	res->why = short_copy ? "sparc64: exact up to the fault" : "sparc64: complete";
	if (req->dir == FL_COPY_FROM_USER && short_copy && req->reach > 0) {
		/* The last loaded byte never reached its store. */
		res->done = req->reach - 1;
		res->why = "sparc64 copy_from_user: fixup counts the loaded byte it never stored (over-report)";
	}
}
