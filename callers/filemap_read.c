/*
 * callers/filemap_read.c - reading a file through its page cache
 * (mm/filemap.c filemap_read; tmpfs has its own shmem_file_read_iter with
 * the same loop).
 *
 * Per page cache page, from the position to the end of the request or the
 * end of the file, whichever comes first:
 *
 *     copied = copy_page_to_iter(page, offset, bytes, iter)
 *                  (copy_to_user per iovec segment, faults handled)
 *     already_read += copied; pos += copied
 *     if copied < bytes: error = -EFAULT, stop
 *
 *   returns already_read if > 0, else the error (0 at end of file).
 *
 * A page memory failure left in the cache (HWPoison) ends the loop with
 * -EIO before its copy.
 *
 * So a read into a buffer that turns bad half-way returns the bytes that
 * made it and advances the position by them (host case 1); a buffer whose
 * first byte is bad, or a read-only one, gets -EFAULT and the position
 * does not move (host case 3).  How many bytes "made it" is the arch's
 * copy_to_user count (an under-reporting arm64 advances the position by
 * less than it wrote).
 *
 * A page the file has never had (a hole) reads as zeros, which the model
 * copies with copy_to_user.  Judged on Debian's 5.10, 6.1 and 6.12 (arm64
 * and amd64, tests/vm/hole-read.fl): a tmpfs hole read across a bad page
 * answers as copy_to_user does there, not as x86's qword clear_user would.
 * Large folios are not modelled: every folio is one page, which changes
 * how often the loop turns, not what it returns.
 *
 * The kernel copies from the page's own address plus the offset, and an
 * arch routine may shape its accesses by that source address: arm64's
 * copy_template aligns the kernel source to 16 first, so a pread at file
 * offset 100 starts with 4 and 8 bytes where one at offset 0 starts with
 * a 16-byte pair.  The model's copy of the page is page-aligned and the
 * copy starts at the offset in it, as the kernel's does (found by
 * debian-5.10-arm64: tests/vm/straddle.fl, docs/vm.md).
 */
#include "callers/internal.h"

/*
 * A page memory failure left in the cache (tmpfs from 5.17, mm/poison.c):
 * shmem_file_read_iter() stops there with -EIO, as a fault there is SIGBUS.
 * Judged on debian-6.1 and 6.12 (tests/vm/guest-poison-shmem.fl).
 */
static bool page_hwpoisoned(struct fl_world *w, struct fl_file *file, uint64_t pos)
{
	struct fl_folio *folio = fl_filemap_get_folio(w, file, pos >> FL_PAGE_SHIFT, false);

	return folio && (folio->flags & FL_FOLIO_HWPOISON);
}

long fl_filemap_read(struct fl_world *w, struct fl_file *file, uint64_t *pos,
		     struct fl_iov_iter *i)
{
	_Alignas(FL_PAGE_SIZE) uint8_t page[FL_PAGE_SIZE];
	size_t already_read = 0;
	long error = 0;

	while (i->count && *pos < file->size) {
		size_t offset = FL_PAGE_OFFSET(*pos);
		size_t bytes = FL_PAGE_SIZE - offset, copied;

		if (bytes > i->count)
			bytes = i->count;
		if (bytes > file->size - *pos)
			bytes = (size_t)(file->size - *pos);
		if (page_hwpoisoned(w, file, *pos)) {
			fl_trace(w, "filemap_read: %s page %llu is HWPoison: -EIO unless bytes "
				 "were read (%zu so far)", file->name,
				 (unsigned long long)(*pos >> FL_PAGE_SHIFT), already_read);
			error = -EIO;
			break;
		}
		/*
		 * [*pos, *pos + bytes) is inside one page and below the size,
		 * so fl_file_pread would copy exactly it and return bytes.
		 */
		fl_file_pread_page(w, file, page + offset, bytes, *pos);
		copied = fl_copy_page_to_iter(w, page + offset, bytes, i);
		already_read += copied;
		*pos += copied;
		if (copied < bytes) {
			fl_trace(w, "filemap_read: %s page %llu: copy_page_to_iter copied %zu of %zu: "
				 "-EFAULT unless bytes were read (%zu so far)", file->name,
				 (unsigned long long)((*pos - copied) >> FL_PAGE_SHIFT),
				 copied, bytes, already_read);
			error = -EFAULT;
			break;
		}
	}
	return already_read ? (long)already_read : error;
}
