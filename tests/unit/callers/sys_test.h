/*
 * tests/unit/callers/sys_test.h - shared set-up of the system-call tests:
 * a world of a given kernel version and arch with one process "p", fixed
 * mappings, and files filled with a known pattern.
 *
 * The address space every test draws from (P = 4096):
 *
 *   0x200000   0x201000   0x202000   0x203000   0x204000
 *   | A rw    | B none   | C rw     | D none   |
 *
 *   straddle(k) = A + P - k: its first k bytes are in A, the rest in B.
 *   C is a second good buffer (destination or source of the other side).
 */
#ifndef FL_TEST_SYS_H
#define FL_TEST_SYS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <faultline/callers.h>

#define P  ((size_t)FL_PAGE_SIZE)
#define A  0x200000ull
#define B  0x201000ull
#define C  0x202000ull
#define D  0x203000ull

static inline struct fl_world *sys_world(const char *kver, enum fl_arch_id arch)
{
	struct fl_world_config cfg = { .arch = arch, .arena_bytes = (size_t)64 << 20,
				       .max_frames = 8192 };
	struct fl_process *p;
	struct fl_world *w;

	assert_int_equal(fl_kver_parse(kver, &cfg.kver), 0);
	w = fl_world_new(&cfg);
	assert_non_null(w);
	assert_int_equal(fl_process_new(w, "p", &p), 0);
	return w;
}

static inline struct fl_mm *sys_mm(struct fl_world *w)
{
	return fl_current(w)->mm;
}

/* mmap ADDR LEN PROT private anonymous, fixed; rw pages are poked with BYTE. */
static inline void sys_map(struct fl_world *w, fl_addr_t addr, size_t len, int prot,
			   uint8_t byte)
{
	static uint8_t fill[16 * 4096];

	assert_true(len <= sizeof(fill));
	assert_int_equal(fl_mmap(w, sys_mm(w), addr, len, prot,
				 FL_MAP_PRIVATE | FL_MAP_FIXED, NULL, 0), (long)addr);
	if (prot & FL_PROT_WRITE) {
		memset(fill, byte, len);
		assert_int_equal(fl_poke(w, sys_mm(w), addr, fill, len), 0);
	}
}

/* The standard map: A rw (0xaa), B none, C rw (0xcc), D none. */
static inline void sys_map_abcd(struct fl_world *w)
{
	sys_map(w, A, P, FL_PROT_READ | FL_PROT_WRITE, 0xaa);
	sys_map(w, B, P, FL_PROT_NONE, 0);
	sys_map(w, C, P, FL_PROT_READ | FL_PROT_WRITE, 0xcc);
	sys_map(w, D, P, FL_PROT_NONE, 0);
}

/* Poke LEN bytes of `seq=START` (byte i is (i + START) & 0xff) at ADDR. */
static inline void sys_poke_seq(struct fl_world *w, fl_addr_t addr, size_t len,
				unsigned start)
{
	static uint8_t buf[16 * 4096];
	size_t i;

	assert_true(len <= sizeof(buf));
	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(i + start);
	assert_int_equal(fl_poke(w, sys_mm(w), addr, buf, len), 0);
}

/* A tmpfs-like file NAME of SIZE bytes whose byte i is (i + 0x40) & 0xff. */
static inline struct fl_file *sys_file(struct fl_world *w, const char *name,
				       size_t size, enum fl_fs fs)
{
	static uint8_t buf[16 * 4096];
	struct fl_file *f;
	size_t i;

	assert_true(size <= sizeof(buf));
	assert_int_equal(fl_file_new(w, name, 0, fs, &f), 0);
	for (i = 0; i < size; i++)
		buf[i] = (uint8_t)(i + 0x40);
	if (size)
		assert_int_equal(fl_file_pwrite(w, f, buf, size, 0), (long)size);
	return f;
}

static inline uint8_t sys_peek1(struct fl_world *w, fl_addr_t addr)
{
	uint8_t b = 0;

	assert_int_equal(fl_peek(w, sys_mm(w), addr, &b, 1), 0);
	return b;
}

#endif
