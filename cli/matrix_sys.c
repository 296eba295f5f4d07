/*
 * cli/matrix_sys.c - the real side of the system-call matrix (matrix_sys.h):
 * built into faultline for `bench matrix` and, unchanged, into the guest's
 * /init for a VM judge.  libc only.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli/matrix_sys.h"

const char *const mx_names[MX_CALLS] = {
	"pread  (copy_to_user)", "pwrite (copy_from_user)", "read /dev/zero (clear_user)",
};

unsigned mx_cases(struct mx_case *c)
{
	unsigned n = 0;
	long size, off;

	for (size = 0; size <= MX_MAX_SIZE; size++) {
		for (off = -size; off <= 0; off++)
			c[n++] = (struct mx_case){ size, off };
		for (off = MX_PAGE - size; off <= MX_PAGE; off++)
			c[n++] = (struct mx_case){ size, off };
	}
	return n;
}

long mx_reach(const struct mx_case *c)
{
	if (c->off < 0 || c->off >= MX_PAGE)
		return 0;
	return c->off + c->size <= MX_PAGE ? c->size : MX_PAGE - c->off;
}

long mx_expected(const struct mx_case *c)
{
	long reach = mx_reach(c);

	if (c->size == 0)
		return 0;
	return reach ? reach : -1;
}

void mx_window(const struct mx_case *c, long *lo, long *hi)
{
	*lo = c->off - MX_WINDOW < 0 ? 0 : c->off - MX_WINDOW;
	*hi = c->off + c->size + MX_WINDOW > MX_PAGE ? MX_PAGE : c->off + c->size + MX_WINDOW;
}

uint8_t mx_page_flags(const uint8_t *page, const struct mx_case *c, long ret,
		      enum mx_call call, long lo, long hi)
{
	long i, got = ret > 0 ? ret : 0;
	uint8_t flags = 0;

	for (i = lo; i < hi; i++) {
		bool inside = i >= c->off && i < c->off + got;
		uint8_t want = !inside ? MX_FILL : call == MX_CLEAR ? 0 : (uint8_t)(i - c->off);

		if (page[i - lo] != want)
			flags |= inside ? MX_WRONG : MX_CLOBBER;
	}
	return flags;
}

uint8_t mx_file_flags(const uint8_t *file, const struct mx_case *c, long ret)
{
	long i, got = ret > 0 ? ret : 0;
	uint8_t flags = 0;

	for (i = 0; i < c->size; i++) {
		bool inside = i < got;

		if (file[i] != (inside ? MX_FILL : MX_FILE_FILL))
			flags |= inside ? MX_WRONG : MX_CLOBBER;
	}
	return flags;
}

int mx_host_setup(struct mx_host *h)
{
	uint8_t seq[MX_MAX_SIZE];
	char *region;
	int i;

	region = mmap(NULL, 3 * MX_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED || mprotect(region + MX_PAGE, MX_PAGE, PROT_READ | PROT_WRITE))
		return -errno;
	h->page = (uint8_t *)region + MX_PAGE;
	memset(h->page, MX_FILL, MX_PAGE);
	for (i = 0; i < MX_MAX_SIZE; i++)
		seq[i] = (uint8_t)i;
	memset(h->aa, MX_FILE_FILL, sizeof(h->aa));
	h->src = memfd_create("matrix-src", MFD_CLOEXEC);
	h->dst = memfd_create("matrix-dst", MFD_CLOEXEC);
	h->zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	if (h->src < 0 || h->dst < 0 || h->zero < 0 ||
	    pwrite(h->src, seq, sizeof(seq), 0) != (ssize_t)sizeof(seq) ||
	    pwrite(h->dst, h->aa, sizeof(h->aa), 0) != (ssize_t)sizeof(h->aa))
		return -errno;
	return 0;
}

long mx_host_call(struct mx_host *h, enum mx_call call, uint8_t *buf, long size)
{
	switch (call) {
	case MX_PREAD:  return pread(h->src, buf, (size_t)size, 0);
	case MX_PWRITE: return pwrite(h->dst, buf, (size_t)size, 0);
	default:        return read(h->zero, buf, (size_t)size);
	}
}

struct mx_result mx_host_case(struct mx_host *h, enum mx_call call, const struct mx_case *c)
{
	long ret;

	ret = mx_host_call(h, call, h->page + c->off, c->size);
	if (ret < 0 && errno != EFAULT)
		ret = -1000 - errno;    /* an unexpected errno shows as a disagreement */
	return mx_host_case_after(h, call, c, ret);
}

struct mx_result mx_host_case_after(struct mx_host *h, enum mx_call call,
				    const struct mx_case *c, long ret)
{
	struct mx_result r;
	uint8_t file[MX_MAX_SIZE];
	long lo, hi;

	r.ret = (int32_t)ret;
	mx_window(c, &lo, &hi);
	if (call == MX_PWRITE) {
		r.flags = pread(h->dst, file, MX_MAX_SIZE, 0) == MX_MAX_SIZE
			  ? mx_file_flags(file, c, ret) : MX_WRONG;
		pwrite(h->dst, h->aa, sizeof(h->aa), 0);
		return r;
	}
	r.flags = mx_page_flags(h->page + lo, c, ret, call, lo, hi);
	memset(h->page + lo, MX_FILL, (size_t)(hi - lo));
	return r;
}
