/*
 * tests/bench/matrix_instructions.c - the model's side of `faultline bench
 * matrix`, alone, for callgrind: the 16,770 size/offset cases of one call
 * (pread, pwrite or clear_user) through the same entry points, so that
 * instructions per call can be counted exactly where wall-clock figures on
 * a shared machine swing by 2x.  Built as build/matrix-instructions; run it through
 * scripts/matrix-instructions.sh.
 *
 * Each call goes through a noinline wrapper that callgrind's
 * --toggle-collect names; the set-up is not counted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/callers.h>
#include <faultline/run.h>
#include <faultline/uaccess.h>

#define PAGE 4096L
#define BASE ((fl_addr_t)1 << 32)

static struct fl_world *w;
static struct fl_file *src, *dst;

__attribute__((noinline)) long matrix_pread(fl_addr_t buf, long size)
{
	return fl_sys_pread(w, src, buf, (size_t)size, 0);
}

__attribute__((noinline)) long matrix_pwrite(fl_addr_t buf, long size)
{
	return fl_sys_pwrite(w, dst, buf, (size_t)size, 0);
}

__attribute__((noinline)) long matrix_clear(fl_addr_t buf, long size)
{
	return (long)fl_clear_user(w, buf, (unsigned long)size);
}

/* One read-write page between two PROT_NONE pages; two 128-byte files. */
static fl_addr_t setup(void)
{
	struct fl_world_config cfg = { .arch = FL_ARCH_X86_64 };
	static uint8_t fill[PAGE];
	uint8_t seq[128], aa[128];
	struct fl_process *p;
	fl_addr_t page = BASE + PAGE;
	int i;

	cfg.kver = fl_host_kver() ? fl_host_kver() : fl_kver_newest();
	w = fl_world_new(&cfg);
	if (!w || fl_process_new(w, "matrix", &p))
		return 0;
	memset(fill, 0x5a, sizeof(fill));
	memset(aa, 0xaa, sizeof(aa));
	for (i = 0; i < 128; i++)
		seq[i] = (uint8_t)i;
	if (fl_mmap(w, p->mm, BASE, 3 * PAGE, FL_PROT_NONE, FL_MAP_PRIVATE | FL_MAP_FIXED,
		    NULL, 0) < 0 ||
	    fl_mprotect(w, p->mm, page, PAGE, FL_PROT_READ | FL_PROT_WRITE) ||
	    fl_poke(w, p->mm, page, fill, PAGE) ||
	    fl_file_new(w, "src", 128, FL_FS_TMPFS, &src) ||
	    fl_file_new(w, "dst", 128, FL_FS_TMPFS, &dst) ||
	    fl_file_pwrite(w, src, seq, 128, 0) != 128 ||
	    fl_file_pwrite(w, dst, aa, 128, 0) != 128)
		return 0;
	return page;
}

int main(int argc, char **argv)
{
	long (*call)(fl_addr_t, long);
	fl_addr_t page;
	unsigned long n = 0;
	long size, off, sum = 0;
	int side;

	if (argc != 2 || (strcmp(argv[1], "pread") && strcmp(argv[1], "pwrite") &&
			  strcmp(argv[1], "clear"))) {
		fprintf(stderr, "usage: matrix-instructions pread|pwrite|clear\n");
		return 2;
	}
	call = !strcmp(argv[1], "pread") ? matrix_pread :
	       !strcmp(argv[1], "pwrite") ? matrix_pwrite : matrix_clear;
	page = setup();
	if (!page) {
		fprintf(stderr, "matrix-instructions: set-up failed: %s\n",
			w ? fl_world_error(w) : "no world");
		return 1;
	}
	for (size = 0; size <= 128; size++)
		for (side = 0; side < 2; side++)
			for (off = side ? PAGE - size : -size; off <= (side ? PAGE : 0); off++, n++)
				sum += call(page + (fl_addr_t)off, size);
	printf("%lu calls, returns summing to %ld\n", n, sum);
	fl_world_free(w);
	return 0;
}
