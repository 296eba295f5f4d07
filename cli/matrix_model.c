/*
 * cli/matrix_model.c - the model's side of the system-call matrix
 * (matrix_model.h).  pread and pwrite go through the model's callers
 * (fl_sys_pread, fl_sys_pwrite: filemap_read and generic_perform_write);
 * the model has no /dev/zero, so the read of /dev/zero drives
 * fl_clear_user() directly with the syscall's convention (-1/EFAULT when
 * nothing was cleared), as read_zero() and read_iter_zero() answer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/callers.h>
#include <faultline/uaccess.h>

#include "cli/matrix_model.h"

/*
 * The model's page - 1 page: below every arch's TASK_SIZE (i386 3 GiB,
 * arm 0xbf000000), so that access_ok() passes on the 32-bit arches too.
 */
#define MX_BASE       ((fl_addr_t)1 << 30)

struct mx_model {
	struct fl_world *w;
	struct fl_mm *mm;
	struct fl_file *src, *dst;
	fl_addr_t page;
	uint8_t fill[MX_PAGE];
	uint8_t aa[MX_MAX_SIZE];
};

static int mx_model_setup(struct mx_model *m, enum fl_arch_id arch, fl_kver_t kver,
			  unsigned cpu_off)
{
	struct fl_world_config cfg = { .arch = arch, .kver = kver, .cpu_off = cpu_off };
	struct fl_process *p;
	uint8_t seq[MX_MAX_SIZE];
	int i, err;
	long addr;

	m->w = fl_world_new(&cfg);
	if (!m->w)
		return -ENOMEM;
	err = fl_process_new(m->w, "matrix", &p);
	if (err)
		return err;
	m->mm = p->mm;
	addr = fl_mmap(m->w, m->mm, MX_BASE, 3 * MX_PAGE, FL_PROT_NONE,
		       FL_MAP_PRIVATE | FL_MAP_FIXED, NULL, 0);
	if (addr < 0)
		return (int)addr;
	m->page = MX_BASE + MX_PAGE;
	err = fl_mprotect(m->w, m->mm, m->page, MX_PAGE, FL_PROT_READ | FL_PROT_WRITE);
	memset(m->fill, MX_FILL, sizeof(m->fill));
	memset(m->aa, MX_FILE_FILL, sizeof(m->aa));
	for (i = 0; i < MX_MAX_SIZE; i++)
		seq[i] = (uint8_t)i;
	if (!err)
		err = fl_poke(m->w, m->mm, m->page, m->fill, MX_PAGE);
	if (!err)
		err = fl_file_new(m->w, "src", MX_MAX_SIZE, FL_FS_TMPFS, &m->src);
	if (!err)
		err = fl_file_new(m->w, "dst", MX_MAX_SIZE, FL_FS_TMPFS, &m->dst);
	if (!err && fl_file_pwrite(m->w, m->src, seq, sizeof(seq), 0) != (long)sizeof(seq))
		err = -EIO;
	if (!err && fl_file_pwrite(m->w, m->dst, m->aa, sizeof(m->aa), 0) != (long)sizeof(m->aa))
		err = -EIO;
	return err;
}

int mx_model_new(enum fl_arch_id arch, fl_kver_t kver, unsigned cpu_off, struct mx_model **out)
{
	struct mx_model *m = calloc(1, sizeof(*m));
	int err;

	if (!m)
		return -ENOMEM;
	err = mx_model_setup(m, arch, kver, cpu_off);
	if (err) {
		mx_model_free(m);
		return err;
	}
	*out = m;
	return 0;
}

void mx_model_free(struct mx_model *m)
{
	if (!m)
		return;
	fl_world_free(m->w);
	free(m);
}

/* The syscall's convention over a count of bytes NOT done. */
static long mx_syscall_ret(unsigned long left, long size)
{
	long done = size - (long)left;

	if (size == 0)
		return 0;
	return done ? done : -1;
}

long mx_model_call(struct mx_model *m, enum mx_call call, const struct mx_case *c)
{
	fl_addr_t buf = m->page + (fl_addr_t)c->off;
	size_t size = (size_t)c->size;
	long ret;

	switch (call) {
	case MX_PREAD:
		ret = fl_sys_pread(m->w, m->src, buf, size, 0);
		break;
	case MX_PWRITE:
		ret = fl_sys_pwrite(m->w, m->dst, buf, size, 0);
		break;
	default:        /* no /dev/zero in the model: clear_user itself */
		return mx_syscall_ret(fl_clear_user(m->w, buf, size), c->size);
	}
	/* A loop the monitor proved endless: the call a real kernel never returns from. */
	if (ret == FL_LOOP_STOPPED)
		return MX_RET_SPINS;
	return ret == -EFAULT ? -1 : ret < 0 ? -1000 + ret : ret;
}

struct mx_result mx_model_case(struct mx_model *m, enum mx_call call, const struct mx_case *c)
{
	uint8_t buf[MX_PAGE];
	struct mx_result r;
	long lo, hi, ret;

	ret = mx_model_call(m, call, c);
	r.ret = (int32_t)ret;
	mx_window(c, &lo, &hi);
	if (call == MX_PWRITE) {
		r.flags = fl_file_pread(m->w, m->dst, buf, MX_MAX_SIZE, 0) == MX_MAX_SIZE
			  ? mx_file_flags(buf, c, ret) : MX_WRONG;
		fl_file_pwrite(m->w, m->dst, m->aa, sizeof(m->aa), 0);
		return r;
	}
	r.flags = fl_peek(m->w, m->mm, m->page + (fl_addr_t)lo, buf, (size_t)(hi - lo))
		  ? MX_WRONG : mx_page_flags(buf, c, ret, call, lo, hi);
	fl_poke(m->w, m->mm, m->page + (fl_addr_t)lo, m->fill, (size_t)(hi - lo));
	return r;
}
