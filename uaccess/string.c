/*
 * uaccess/string.c - strncpy_from_user and strnlen_user
 * (lib/strncpy_from_user.c, lib/strnlen_user.c).
 *
 * The kernel reads the user string a word at a time and falls back to
 * bytes near a fault, so it reports a fault only at a byte it could not
 * read, and it never reads past the NUL's aligned word.  The model reads
 * page by page up to the NUL: the same bytes reach the kernel and no page
 * past the string's is faulted in (a uffd-registered page after the string
 * gets no event).  Not modelled: the word-at-a-time store that zeroes the
 * rest of the NUL's word in the destination.
 *
 * The limit is TASK_SIZE_MAX: a string that would run past it is a fault.
 */
#include <string.h>

#include "uaccess/internal.h"

/* Bytes to the end of ADDR's page, at most LEFT. */
static size_t page_chunk(fl_addr_t addr, size_t left)
{
	size_t to_end = FL_PAGE_SIZE - FL_PAGE_OFFSET(addr);

	return left < to_end ? left : to_end;
}

/*
 * Read the user string at SRC into DST (or a scratch buffer when DST is
 * NULL), at most MAX bytes, stopping after the NUL.  Returns the bytes
 * read before the NUL, and sets *NUL and *FAULT.
 */
static size_t read_user_string(struct fl_world *w, char *dst, fl_addr_t src,
			       size_t max, bool *nul, bool *fault)
{
	char scratch[256];
	size_t done = 0;

	*nul = *fault = false;
	while (done < max) {
		size_t want = page_chunk(src + done, max - done), got;
		char *buf = dst ? dst + done : scratch;
		const char *end;

		if (!dst && want > sizeof(scratch))
			want = sizeof(scratch);
		got = fl_user_reach(w, src + done, want, FL_ACC_READ);
		fl_user_read(w, buf, src + done, got);
		end = memchr(buf, '\0', got);
		if (end) {
			*nul = true;
			return done + (size_t)(end - buf);
		}
		done += got;
		if (got < want) {
			*fault = true;
			break;
		}
	}
	return done;
}

long fl_strncpy_from_user(struct fl_world *w, char *dst, fl_addr_t src, long count)
{
	size_t max, len;
	bool nul, fault;

	if (count <= 0)
		return 0;
	if (!fl_current(w) || !dst)
		return fl_error(w, -EINVAL, "strncpy_from_user: no process or no buffer");
	fl_hook_fire(w, FL_HOOK_UACCESS);
	max = fl_uaccess_limit(w, src, (size_t)count);
	len = read_user_string(w, dst, src, max, &nul, &fault);
	if (!nul && (fault || max < (size_t)count)) {
		fl_trace(w, "strncpy_from_user 0x%llx: fault after %zu bytes: -EFAULT",
			 (unsigned long long)src, len);
		return -EFAULT;
	}
	fl_trace(w, "strncpy_from_user 0x%llx: %s: ret %zu", (unsigned long long)src,
		 nul ? "NUL found" : "no NUL within count, not terminated", len);
	return (long)len;
}

long fl_strnlen_user(struct fl_world *w, fl_addr_t src, long count)
{
	size_t max, len;
	bool nul, fault;

	if (count <= 0)
		return 0;
	if (!fl_current(w)) {
		fl_error(w, -EINVAL, "strnlen_user: no current process");
		return 0;
	}
	fl_hook_fire(w, FL_HOOK_UACCESS);
	max = fl_uaccess_limit(w, src, (size_t)count);
	len = read_user_string(w, NULL, src, max, &nul, &fault);
	if (nul)
		return (long)len + 1;
	if (fault || max < (size_t)count)
		return 0;
	return count + 1;
}
