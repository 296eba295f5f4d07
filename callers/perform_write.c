/*
 * callers/perform_write.c - generic_perform_write (mm/filemap.c): the
 * buffered write loop every era of kernel-facts.md §2 changed, one loop
 * here with the era rules asked where they differ.
 *
 * Why the loop exists: the bytes are copied from user memory into a page
 * cache folio while the folio is locked, so the copy must not take a page
 * fault (the fault could need that very folio: deadlock).  It is done
 * "atomically", with page faults disabled, and the loop makes sure it can
 * make progress: fault the source in, or retry smaller.
 *
 * One iteration (P = PAGE_SIZE; chunk = the largest folio, one page here):
 *
 *     bytes   = min(chunk - offset_in_chunk(pos), bytes or count)
 *     prefault      [all eras before 6.15]
 *     write_begin   (find or create the folio of pos)
 *     copied  = atomic copy of bytes from the iterator (it advances)
 *     status  = write_end(copied)      0: rejected, else accepted bytes
 *     revert the iterator by copied - status
 *     status == 0: retry per era;  else pos += status, written += status
 *
 *   returns written if > 0, else the last status (-EFAULT ...).
 *
 * The era rules (each asked with fl_since; commits in the comments below):
 *   prefault  <= 4.7 the first iovec segment only, any failure -EFAULT;
 *             4.8 every segment; 5.16 fault_in_iov_iter_readable, any
 *             leftover -EFAULT; 5.18 -EFAULT only if nothing at all could
 *             be faulted in; 6.15 none before the copy.
 *             (uaccess/iov_iter.c gives the pre-5.16 answer in the 5.16
 *             API: 0, or non-zero for a failure.)
 *   retry     <= 5.13 copied == 0: bytes = min(P - offset, the current
 *             segment's count) and again (write_end took copied, or 0);
 *             5.14 write_end rejected it: revert, bytes = copied if
 *             copied > 0, and again; 6.11 also halve the chunk first;
 *             6.15 copied == 0: fault in now, -EFAULT if nothing could
 *             be, else retry from the top.
 *
 * write_end: tmpfs (shmem_write_end) takes any short copy, zeroing what
 * was not copied of a new folio.  ext4 and btrfs are modelled with the
 * buffer-head rule (block_write_end): a short copy into a folio that is
 * not uptodate is rejected whole (0).  A folio is uptodate here if the
 * page cache already had it; a rejected copy leaves nothing behind.
 * btrfs's own loop (btrfs_buffered_write) is not modelled separately.
 *
 * Large folios (6.11): the model's folios are single pages, so chunk is
 * always P and the halving never changes bytes; what the 6.11 rule still
 * changes is where a copied == 0 retry restarts (the top of the loop,
 * bytes recomputed from the count).  A kernel with large folios retries a
 * failed 2 MiB chunk as 1 MiB, 512 KiB, ... down to a page: more retries,
 * same return values.
 *
 * Livelock: an iteration that ends with status == 0 made no progress.
 * Each such round reports its state (world, the loop's variables, the
 * environment) to the loop monitor, sampled at the same point of the
 * round; two equal states prove that every later round repeats, so the
 * kernel would spin until killed (livelock.h).  Only rounds without
 * progress need watching: a round that writes changes pos, so no cycle
 * can contain it.  Nor does the first of a run of such rounds: a cycle
 * repeats forever, so it is still caught one round later, and most short
 * writes end right after that first round (the fault-in fails), which
 * spares them the cost of hashing the world.  The model stops and returns FL_LOOP_STOPPED with
 * fl_sys_loop_verdict() saying why.  (Rules that can spin: <= 5.13 when
 * write_end keeps rejecting a short copy - ext4 with an MTE granule
 * mid-page - and any era whose source page is taken away again after each
 * fault-in.)
 */
#include <faultline/livelock.h>

#include "callers/internal.h"

struct perform_write {
	struct fl_world *w;
	struct fl_file *file;
	struct fl_iov_iter *i;
	uint64_t pos;
	size_t written;
	size_t chunk;           /* mapping_max_folio_size(): one page */
	/*
	 * Watches the rounds without progress; set up only at the first
	 * report (loop_on), and kept out of the struct's initialiser so a
	 * call that never reports does not clear it.
	 */
	struct fl_loop *loop;
	bool loop_on;
	unsigned stuck;         /* rounds without progress in a row */
	struct fl_callers_state *cs;
};

/* iov_iter_single_seg_count: what is left of the current segment. */
static size_t iov_iter_single_seg_count(const struct fl_iov_iter *i)
{
	size_t left;

	if (!i->nr_segs)
		return 0;
	if (i->nr_segs == 1)
		return i->count;
	left = i->iov->len - i->iov_offset;
	return left < i->count ? left : i->count;
}

/*
 * The fault-in before write_begin.  True if the era says to give up with
 * -EFAULT.  Not called from 6.15 on.
 */
static bool prefault_fails(struct perform_write *pw, size_t bytes)
{
	size_t left = fl_fault_in_iov_iter_readable(pw->w, pw->i, bytes);

	/*
	 * 631f871f0717 (5.18): "fail only if nothing could be faulted in";
	 * before it any leftover was fatal (iov_iter_fault_in_readable's
	 * -EFAULT up to 5.15, a6294593e8a1's non-zero leftover in 5.16).
	 */
	if (fl_since(pw->w, FL_ERA_PERFORM_WRITE_PARTIAL_OK)) {
		if (left == bytes)
			fl_trace(pw->w, "generic_perform_write: pos %llu: nothing of %zu bytes "
				 "could be faulted in: -EFAULT (631f871f0717)",
				 (unsigned long long)pw->pos, bytes);
		return left == bytes;
	}
	if (left)
		fl_trace(pw->w, "generic_perform_write: pos %llu: fault-in of %zu bytes failed "
			 "(%zu left): -EFAULT", (unsigned long long)pw->pos, bytes, left);
	return left != 0;
}

/*
 * ->write_end: how many of COPIED bytes (of BYTES asked) the fs accepts,
 * and put them in the page cache.  0: rejected.
 */
static long write_end(struct perform_write *pw, const uint8_t *kpage,
		      size_t bytes, size_t copied, bool uptodate)
{
	long ret;

	if (copied < bytes && !uptodate && pw->file->fs != FL_FS_TMPFS) {
		fl_trace(pw->w, "write_end: short copy (%zu of %zu) into a folio that is "
			 "not uptodate: rejected", copied, bytes);
		return 0;
	}
	if (!copied)
		return 0;
	ret = fl_file_pwrite(pw->w, pw->file, kpage, copied, pw->pos);
	return ret < 0 ? ret : (long)copied;
}

/* Report a stuck round's variables VARS[0..N) to the loop monitor. */
static bool round_report(struct perform_write *pw, const uint64_t *vars, unsigned n)
{
	/*
	 * Set the monitor up only now: almost every call makes progress or
	 * gives up after one such round, and never reports.
	 */
	if (!pw->loop_on) {
		fl_loop_init(pw->loop, pw->w, "generic_perform_write");
		fl_loop_set_env(pw->loop, pw->cs->loop_env, pw->cs->loop_env_arg);
		pw->loop_on = true;
	}
	return fl_loop_stuck(pw->loop, vars, n);
}

/*
 * A round without progress: report its state.  What the next round does
 * depends on these variables, the world and the environment only (the era
 * flags are constant for the call), so equal reports mean a cycle.
 */
static bool round_is_stuck(struct perform_write *pw, size_t bytes, size_t copied)
{
	const struct fl_iov_iter *i = pw->i;

	/* The first such round of a run is not reported (see the top). */
	if (++pw->stuck < 2)
		return false;
	{
		const uint64_t vars[] = {
			pw->pos, pw->written, bytes, copied, pw->chunk,
			i->count, i->iov_offset, i->nr_segs,
		};

		return round_report(pw, vars, sizeof(vars) / sizeof(vars[0]));
	}
}

long fl_generic_perform_write(struct fl_world *w, struct fl_file *file,
			      uint64_t pos, struct fl_iov_iter *i)
{
	struct fl_callers_state *cs = fl_callers_state(w);
	struct fl_loop loop;
	struct perform_write pw = { .w = w, .file = file, .i = i, .pos = pos,
				    .chunk = FL_PAGE_SIZE, .loop = &loop, .cs = cs };
	/* 665575cff098 (6.15): copy first, fault in only after a failed copy. */
	bool no_prefault = fl_since(w, FL_ERA_PERFORM_WRITE_NO_PREFAULT);
	/* bc1bb416bbb9 (5.14): revert a rejected short copy, retry with copied. */
	bool short_retry = fl_since(w, FL_ERA_PERFORM_WRITE_SHORT_RETRY);
	/* 9aac777aaf94 (6.11): halve the chunk; copied == 0 restarts at the top. */
	bool halve = fl_since(w, FL_ERA_PERFORM_WRITE_HALVE_CHUNK);
	/*
	 * The folio as the kernel copies into it: at the offset of pos in a
	 * page-aligned page, since i386's __copy_user aligns its DESTINATION
	 * first (debian-6.1-i386: a pwrite of 12 bytes with 7 readable copies
	 * 4, then 3 bytewise at offset 4 of the page; docs/arch.md).
	 */
	_Alignas(FL_PAGE_SIZE) uint8_t kpage[FL_PAGE_SIZE];
	bool recompute = true;
	size_t bytes = 0;
	long status = 0;

	if (!cs)
		return -ENOMEM;
	do {
		size_t offset, copied;
		bool uptodate;

		if (recompute)
			bytes = i->count;
		recompute = true;
		offset = (size_t)(pw.pos & (pw.chunk - 1));
		if (bytes > pw.chunk - offset)
			bytes = pw.chunk - offset;

		/* 665575cff098 (6.15): no fault-in before the copy. */
		if (!no_prefault && prefault_fails(&pw, bytes)) {
			status = -EFAULT;
			break;
		}
		/* write_begin: a memfd's seals refuse first (shmem_write_begin) */
		status = fl_memfd_write_check(w, file, pw.pos, bytes);
		if (status)
			break;
		/* write_begin: the folio of pos, locked. */
		uptodate = fl_filemap_cached(w, file, pw.pos >> FL_PAGE_SHIFT);
		copied = fl_copy_from_iter_atomic(w, kpage + offset, bytes, i);
		status = write_end(&pw, kpage + offset, bytes, copied, uptodate);
		if (status < 0) {
			fl_iov_iter_revert(i, copied);
			break;
		}
		if ((size_t)status != copied)
			fl_iov_iter_revert(i, copied - (size_t)status);
		if (status > 0) {
			pw.pos += (uint64_t)status;
			pw.written += (size_t)status;
			pw.stuck = 0;
			continue;
		}

		fl_trace(w, "generic_perform_write: pos %llu: atomic copy got %zu of %zu, "
			 "nothing written", (unsigned long long)pw.pos, copied, bytes);
		if (round_is_stuck(&pw, bytes, copied)) {
			cs->verdict = loop.verdict;
			fl_loop_fini(&loop);
			return FL_LOOP_STOPPED;
		}
		if (!short_retry) {
			/* <= 5.13: fall back to what the current segment holds. */
			size_t seg = iov_iter_single_seg_count(i);

			bytes = FL_PAGE_SIZE - offset < seg ? FL_PAGE_SIZE - offset : seg;
			recompute = false;
			fl_trace(w, "generic_perform_write: retry with the single segment: %zu bytes", bytes);
			continue;
		}
		/* 9aac777aaf94 (6.11): a short copy halves the chunk. */
		if (halve && pw.chunk > FL_PAGE_SIZE)
			pw.chunk /= 2;
		if (copied) {
			/* bc1bb416bbb9 (5.14): retry with what could be copied. */
			bytes = copied;
			recompute = false;
			fl_trace(w, "generic_perform_write: write_end rejected a short copy: "
				 "retry with %zu bytes (bc1bb416bbb9)", bytes);
			continue;
		}
		if (no_prefault) {
			/* 665575cff098 (6.15): the folio is unlocked now; fault in. */
			if (fl_fault_in_iov_iter_readable(w, i, bytes) == bytes) {
				fl_trace(w, "generic_perform_write: pos %llu: copied nothing and "
					 "nothing could be faulted in: -EFAULT (665575cff098)",
					 (unsigned long long)pw.pos);
				status = -EFAULT;
				break;
			}
			fl_trace(w, "generic_perform_write: faulted in after the copy: retry");
		}
		/* Before 6.11 the retry keeps bytes (goto again); after, the top. */
		recompute = halve;
	} while (i->count);

	if (pw.loop_on)
		fl_loop_fini(&loop);
	return pw.written ? (long)pw.written : status;
}
