/*
 * tests/unit/uffd/test_uffd_eras.c - the rules `faultline diff` found on a
 * 6.18 host (tests/host/mremap*.fl, uffd_*.fl), each on both sides of its
 * era: mremap's order of checks and multi-vma moves, the registration a
 * moved vma loses without EVENT_REMAP, UFFDIO_MOVE of the zero page, a
 * UFFDIO_COPY over a poison marker, and the SIGBUS code of a poisoned
 * page without CONFIG_MEMORY_FAILURE.
 *
 * Fixed addresses, one page per column:
 *
 *     0x200000 [ a ][   ][ b ]   a rw, a gap, b read-only (never merge)
 *     0x300000 [ t ][ t ][ t ]   the MREMAP_FIXED target
 */
#include "uffd_test.h"

#define A  0x200000ull
#define B  (A + 2 * PAGE)
#define T  0x300000ull
#define RW (FL_PROT_READ | FL_PROT_WRITE)
#define FIXED (FL_MREMAP_MAYMOVE | FL_MREMAP_FIXED)

static void map_at(struct fl_world *w, fl_addr_t at, size_t pages, int prot)
{
	assert_int_equal(fl_mmap(w, fl_current(w)->mm, at, pages * PAGE, prot,
				 FL_MAP_PRIVATE | FL_MAP_FIXED_NOREPLACE, NULL, 0), (long)at);
}

/* The map above on MAJ.MIN, with a byte in a and b. */
static struct fl_world *layout(unsigned maj, unsigned min)
{
	struct fl_world *w = kworld(maj, min, 0);
	uint8_t x = 'x';

	map_at(w, A, 1, RW);
	map_at(w, B, 1, FL_PROT_READ);
	map_at(w, T, 3, RW);
	assert_int_equal(fl_poke(w, fl_current(w)->mm, A, &x, 1), 0);
	assert_int_equal(fl_poke(w, fl_current(w)->mm, B, &x, 1), 0);
	return w;
}

static bool mapped(struct fl_world *w, fl_addr_t a)
{
	return fl_vma_lookup(fl_current(w)->mm, a) != NULL;
}

static long mremap(struct fl_world *w, fl_addr_t a, size_t old_len, size_t new_len,
		   unsigned flags, fl_addr_t at)
{
	return fl_mremap(w, fl_current(w)->mm, a, old_len, new_len, flags, at);
}

/* ---- mremap ---- */

/* Nothing at 0x250000, FIXED to T: 5.15 unmaps T first; 5.16 does not. */
static void test_mremap_vma_first(void **state)
{
	struct fl_world *w = layout(5, 15);

	(void)state;
	assert_int_equal(mremap(w, 0x250000, PAGE, PAGE, FIXED, T), -EFAULT);
	assert_false(mapped(w, T));
	/* a shrink of nothing needed no vma: it returned addr */
	assert_int_equal(mremap(w, 0x250000, 2 * PAGE, PAGE, 0, 0), 0x250000);
	fl_world_free(w);
	w = layout(5, 18);
	assert_int_equal(mremap(w, 0x250000, PAGE, PAGE, FIXED, T), -EFAULT);
	assert_true(mapped(w, T));
	assert_int_equal(mremap(w, 0x250000, 2 * PAGE, PAGE, 0, 0), -EFAULT);
	fl_world_free(w);
}

/* 5.16 - 5.17: the -EFAULT of a missing vma came back positive (7d1e64966162). */
static void test_mremap_efault_sign(void **state)
{
	struct fl_world *w = layout(5, 17);

	(void)state;
	assert_int_equal(mremap(w, 0x250000, PAGE, PAGE, FL_MREMAP_MAYMOVE, 0), EFAULT);
	fl_world_free(w);
}

/* [ a ][   ][ b ] moved to T as one: 6.16 fails at a's end, 6.17 moves both. */
static void test_mremap_multi_vma(void **state)
{
	struct fl_world *w = layout(6, 16);
	uint8_t x = 0;

	(void)state;
	assert_int_equal(mremap(w, A, 3 * PAGE, 3 * PAGE, FIXED, T), -EFAULT);
	assert_false(mapped(w, T));     /* unmapped before the check */
	assert_true(mapped(w, A));
	fl_world_free(w);
	w = layout(6, 17);
	assert_int_equal(mremap(w, A, 3 * PAGE, 3 * PAGE, FIXED, T), (long)T);
	assert_false(mapped(w, A) || mapped(w, B));
	assert_true(mapped(w, T + PAGE));       /* the gap: T stays there */
	assert_int_equal(fl_peek(w, fl_current(w)->mm, T + 2 * PAGE, &x, 1), 0);
	assert_int_equal(x, 'x');
	assert_int_equal(fl_mm_check(w, fl_current(w)->mm), 0);
	/* a gap at the start is -EFAULT */
	assert_int_equal(mremap(w, T - PAGE, 2 * PAGE, 2 * PAGE, FIXED, A), -EFAULT);
	fl_world_free(w);
}

/* A growth across a's end, FIXED: 6.17 checks before unmapping T. */
static void test_mremap_checks_first(void **state)
{
	struct fl_world *w = layout(6, 16);

	(void)state;
	assert_int_equal(mremap(w, A, 3 * PAGE, 4 * PAGE, FIXED, 0x400000), -EFAULT);
	assert_int_equal(mremap(w, A, 3 * PAGE, 3 * PAGE + PAGE, FIXED, T), -EFAULT);
	assert_false(mapped(w, T));
	fl_world_free(w);
	w = layout(6, 17);
	assert_int_equal(mremap(w, A, 3 * PAGE, 3 * PAGE + PAGE, FIXED, T), -EFAULT);
	assert_true(mapped(w, T));
	/* a shrink's tail may cross: a stays, the gap and b go */
	assert_int_equal(mremap(w, A, 3 * PAGE, PAGE, 0, 0), (long)A);
	assert_false(mapped(w, B));
	fl_world_free(w);
}

/* A registered first vma with more behind it: no multi-vma move (6.17). */
static void test_mremap_multi_vma_uffd(void **state)
{
	struct fl_world *w = layout(6, 17);
	struct fl_uffdio_register reg = { A, PAGE, FL_UFFDIO_REGISTER_MODE_MISSING, 0 };

	(void)state;
	uffd_registered(w, 0, &reg);
	assert_int_equal(mremap(w, A, 3 * PAGE, 3 * PAGE, FIXED, T), -EFAULT);
	assert_true(mapped(w, T) && mapped(w, A));
	/* alone it moves */
	assert_int_equal(mremap(w, A, PAGE, PAGE, FIXED, T), (long)T);
	fl_world_free(w);
}

/* ---- userfaultfd ---- */

/* area moved without EVENT_REMAP: registered on 4.20, not on 5.0. */
static void test_remap_without_event_unregisters(void **state)
{
	struct t t;
	fl_addr_t at;

	(void)state;
	uffd_setup(&t, 4, 20, 0, 0, 0, 1);
	at = t.area + 64 * PAGE;
	assert_int_equal(mremap(t.w, t.area, 2 * PAGE, 2 * PAGE, FIXED, at), (long)at);
	assert_true(fl_vma_lookup(fl_current(t.w)->mm, at)->uffd_ctx == (void *)t.ctx);
	fl_world_free(t.w);
	uffd_setup(&t, 5, 0, 0, 0, 0, 1);
	at = t.area + 64 * PAGE;
	assert_int_equal(mremap(t.w, t.area, 2 * PAGE, 2 * PAGE, FIXED, at), (long)at);
	assert_null(fl_vma_lookup(fl_current(t.w)->mm, at)->uffd_ctx);
	fl_world_free(t.w);
}

/* On MAJ.MIN: plain [ 0 ] maps the zero page (a load); move it to area. */
static int move_zero_page(struct t *t, unsigned maj, unsigned min)
{
	struct fl_uffdio_move mv;
	struct fl_signal sig;
	uint8_t b = 1;

	uffd_setup(t, maj, min, 0, 0, 0, 1);
	assert_int_equal(fl_user_load(t->w, t->plain, &b, 1, &sig), 1);
	mv = (struct fl_uffdio_move){ t->area, t->plain, PAGE, 0, UNTOUCHED };
	return fl_uffdio_move(t->w, t->ctx, &mv);
}

/* The zero page: EBUSY on 6.8; on 6.9 area maps it and plain is a hole. */
static void test_move_zeropage(void **state)
{
	struct fl_signal sig;
	struct t t;
	uint8_t b = 1;

	(void)state;
	assert_int_equal(move_zero_page(&t, 6, 8), -EBUSY);
	fl_world_free(t.w);
	assert_int_equal(move_zero_page(&t, 6, 9), 0);
	assert_null(fl_pte_lookup(fl_current(t.w)->mm, t.plain)->folio);
	assert_int_equal(fl_user_load(t.w, t.area, &b, 1, &sig), 1);
	assert_int_equal(b, 0);
	assert_int_equal(fl_mm_check(t.w, fl_current(t.w)->mm), 0);
	fl_world_free(t.w);
}

/* area [ P ]: ZEROPAGE and POISON meet the marker, COPY replaces it. */
static void test_copy_over_poison_marker(void **state)
{
	static const uint8_t src[PAGE] = { 0x44 };
	struct fl_uffdio_fill f = { { 0, PAGE }, 0, UNTOUCHED };
	struct fl_uffdio_copy c;
	struct fl_signal sig;
	struct t t;
	uint8_t b = 0;

	(void)state;
	uffd_setup(&t, 6, 18, 0, 0, 0, 1);
	f.range.start = t.area;
	assert_int_equal(fl_uffdio_poison(t.w, t.ctx, &f), 0);
	assert_int_equal(fl_uffdio_zeropage(t.w, t.ctx, &f), -EEXIST);
	assert_int_equal(fl_uffdio_poison(t.w, t.ctx, &f), -EEXIST);
	c = (struct fl_uffdio_copy){ t.area, 0, PAGE, 0, UNTOUCHED, src };
	assert_int_equal(fl_uffdio_copy(t.w, t.ctx, &c), 0);
	assert_int_equal(fl_user_load(t.w, t.area, &b, 1, &sig), 1);
	assert_int_equal(b, 0x44);
	fl_world_free(t.w);
}

/*
 * The poisoned page's SIGBUS on x86_64 and arm64, with and without
 * CONFIG_MEMORY_FAILURE; riscv64's is BUS_ADRERR either way and arm's
 * SIGSEGV SEGV_MAPERR, as debian-6.12-riscv64 and debian-6.12-armhf send
 * for tests/vm/uffd-move-poison.fl.
 */
static void test_poison_sigbus_code_kconfig(void **state)
{
	static const struct { enum fl_arch_id arch; unsigned off; int code; } c[] = {
		{ FL_ARCH_X86_64, 0, FL_BUS_MCEERR_AR },
		{ FL_ARCH_X86_64, FL_KCONFIG_MEMORY_FAILURE, FL_BUS_ADRERR },
		{ FL_ARCH_ARM64, FL_KCONFIG_MEMORY_FAILURE, FL_BUS_MCEERR_AR },
		{ FL_ARCH_RISCV64, 0, FL_BUS_ADRERR },
		{ FL_ARCH_ARM, 0, FL_SEGV_MAPERR },	/* and SIGSEGV */
	};
	static const uint8_t buf[16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct fl_world_config cfg = { .arch = c[i].arch, .kver = FL_KV(6, 18, 0),
					       .arena_bytes = (size_t)64 << 20,
					       .max_frames = 65536, .kconfig_off = c[i].off };
		struct fl_world *w = fl_world_new(&cfg);
		struct fl_uffdio_register reg;
		struct fl_uffdio_fill f = { { 0, PAGE }, 0, UNTOUCHED };
		struct fl_uffd_ctx *ctx;
		struct fl_signal sig;
		uint8_t b;

		assert_non_null(w);
		assert_int_equal(fl_process_new(w, "p", NULL), 0);
		reg = (struct fl_uffdio_register){ map_anon(w, 1), PAGE,
						   FL_UFFDIO_REGISTER_MODE_MISSING, 0 };
		f.range.start = reg.start;
		ctx = uffd_registered(w, 0, &reg);
		assert_int_equal(fl_uffdio_poison(w, ctx, &f), 0);
		assert_int_equal(fl_user_load(w, reg.start, &b, 1, &sig), 0);
		assert_int_equal(sig.sig, c[i].arch == FL_ARCH_ARM ? FL_SIGSEGV : FL_SIGBUS);
		assert_int_equal(sig.code, c[i].code);
		/* a kernel copy stops short either way */
		assert_int_equal(fl_copy_to_user(w, reg.start, buf, sizeof(buf)), sizeof(buf));
		fl_world_free(w);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mremap_vma_first),
		cmocka_unit_test(test_mremap_efault_sign),
		cmocka_unit_test(test_mremap_multi_vma),
		cmocka_unit_test(test_mremap_checks_first),
		cmocka_unit_test(test_mremap_multi_vma_uffd),
		cmocka_unit_test(test_remap_without_event_unregisters),
		cmocka_unit_test(test_move_zeropage),
		cmocka_unit_test(test_copy_over_poison_marker),
		cmocka_unit_test(test_poison_sigbus_code_kconfig),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
