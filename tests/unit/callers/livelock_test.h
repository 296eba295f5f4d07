/*
 * tests/unit/callers/livelock_test.h - shared set-up for the loop tests
 * (test_livelock, test_btrfs, test_fpu): a small world with one process
 * and private anonymous mappings at fixed addresses.
 *
 *   0x1ff000   0x200000   0x201000   0x202000
 *   | hole     | A        | B        | C: hole ...
 *
 * Each test maps what it needs of A and B (and says how in its map).
 */
#ifndef FL_TEST_LIVELOCK_H
#define FL_TEST_LIVELOCK_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <faultline/livelock.h>
#include <faultline/mm.h>

#define A 0x200000ull
#define B 0x201000ull
#define C 0x202000ull
#define P 4096ull

#define RW (FL_PROT_READ | FL_PROT_WRITE)

static inline struct fl_world *lt_world(enum fl_arch_id arch, fl_kver_t kver)
{
	struct fl_world_config cfg = { .arch = arch, .kver = kver,
				       .arena_bytes = (size_t)64 << 20,
				       .max_frames = 4096 };
	struct fl_world *w = fl_world_new(&cfg);
	struct fl_process *p;

	assert_non_null(w);
	assert_int_equal(fl_process_new(w, "p", &p), 0);
	return w;
}

static inline struct fl_mm *lt_mm(struct fl_world *w)
{
	return fl_current(w)->mm;
}

/* mmap LEN bytes of private anonymous PROT memory exactly at ADDR. */
static inline void lt_map(struct fl_world *w, fl_addr_t addr, size_t len, int prot)
{
	long r = fl_mmap(w, lt_mm(w), addr, len, prot,
			 FL_MAP_PRIVATE | FL_MAP_FIXED, NULL, 0);

	if (r != (long)addr)
		fail_msg("mmap 0x%llx: %ld %s", (unsigned long long)addr, r,
			 fl_world_error(w));
}

static inline void lt_poke_fill(struct fl_world *w, fl_addr_t addr, size_t len,
				uint8_t v)
{
	static uint8_t buf[1 << 16];

	assert_true(len <= sizeof(buf));
	memset(buf, v, len);
	assert_int_equal(fl_poke(w, lt_mm(w), addr, buf, len), 0);
}

static inline struct fl_state_hash lt_hash(struct fl_world *w)
{
	struct fl_state_hash h;

	assert_int_equal(fl_world_hash(w, &h), 0);
	return h;
}

#endif
