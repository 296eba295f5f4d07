/*
 * tests/unit/arch/test_raw_copy.c - each figure Mark Rutland reported in
 * "usercopy: generic tests + arm64 fixes" (LKML, March 2023), reproduced by
 * the arch routines alone, plus the invariants of fl_copy_result_check over
 * every arch for a sweep of sizes, reaches and alignments.
 *
 * The user buffer lies at the end of the one accessible page, the next page
 * faults, so reach = PAGE_SIZE - offset (capped at n):
 *
 *   0x200000                    0x200000+off        0x201000
 *   |  rw page ................ |[ reach bytes ]    | faulting page ...
 *                                [========= n bytes =====]
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <faultline/arch.h>
#include <faultline/eras.h>

#define UBASE 0x200000ull
#define KBUF  ((uintptr_t)0x10000)      /* 64-byte aligned, as in the test */

/* The routine on a CPU lacking CPU_OFF (FL_CPU_*). */
static struct fl_copy_result run_on(enum fl_arch_id id, enum fl_copy_dir dir,
				    fl_kver_t kver, unsigned cpu_off, size_t off, size_t n)
{
	struct fl_copy_req req = {
		.dir = dir, .kver = kver, .cpu_off = cpu_off, .uaddr = UBASE + off, .kaddr = KBUF,
		.n = n,
		.reach = off >= FL_PAGE_SIZE ? 0 :
			 (FL_PAGE_SIZE - off < n ? FL_PAGE_SIZE - off : n),
	};
	struct fl_copy_result res = { 0 };

	fl_arch(id)->raw_copy(&req, &res);
	assert_int_equal(fl_copy_result_check(&req, &res), 0);
	assert_non_null(res.why);
	return res;
}

static struct fl_copy_result run(enum fl_arch_id id, enum fl_copy_dir dir,
				 fl_kver_t kver, size_t off, size_t n)
{
	return run_on(id, dir, kver, 0, off, n);
}

#define NEWEST fl_kver_newest()
#define V5_13  FL_KV(5, 13, 0)

/* ---- the figures of the thread ---- */

/* x86_64: exact; where arm64 clobbers, x86_64 copies all 15 bytes. */
static void test_x86_64_to_user_exact(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_X86_64, FL_COPY_TO_USER, NEWEST, 4081, 16);

	(void)state;
	assert_int_equal(r.ret, 1);
	assert_int_equal(r.done, 15);
}

static void test_x86_64_clear_user_exact(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_X86_64, FL_CLEAR_USER, NEWEST, 4089, 8);

	(void)state;
	assert_int_equal(r.ret, 1);
	assert_int_equal(r.done, 7);
}

/* "post-destination bytes modified (dst_page[4082]=0x1, offset=4081, size=16, ret=15)" */
static void test_arm64_to_user_4081_16_clobbers(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_ARM64, FL_COPY_TO_USER, NEWEST, 4081, 16);

	(void)state;
	assert_int_equal(r.ret, 15);
	assert_int_equal(r.done, 8);        /* dst[4081..4088]: 4082 included */
}

/* The same copy on arm64+mte: the same routine. */
static void test_arm64_mte_to_user_4081_16_clobbers(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_ARM64_MTE, FL_COPY_TO_USER, NEWEST, 4081, 16);

	(void)state;
	assert_int_equal(r.ret, 15);
	assert_int_equal(r.done, 8);
}

/* 295cf156231c (5.14): a two-byte store straddling the page retries one byte. */
static void test_arm64_to_user_one_byte_retry(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_ARM64, FL_COPY_TO_USER, NEWEST, 4095, 2);

	(void)state;
	assert_int_equal(r.ret, 1);
	assert_int_equal(r.done, 1);
}

/* Before 5.14 the same copy reports nothing copied. */
static void test_arm64_5_13_to_user_no_progress(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_ARM64, FL_COPY_TO_USER, V5_13, 4095, 2);

	(void)state;
	assert_int_equal(r.ret, 2);
	assert_int_equal(r.done, 0);
}

static void test_arm64_5_13_from_user_no_progress(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_ARM64, FL_COPY_FROM_USER, V5_13, 4093, 8);

	(void)state;
	assert_int_equal(r.ret, 8);
}

/* copy_from_user aligns the user source first: exact at 4081/16. */
static void test_arm64_from_user_aligned_source_exact(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_ARM64, FL_COPY_FROM_USER, NEWEST, 4081, 16);

	(void)state;
	assert_int_equal(r.ret, 1);
	assert_int_equal(r.done, 15);
}

/* clear_user: "too few bytes consumed (offset=4095, size=2, ret=2)" */
static void test_arm64_clear_user_4095_2_no_progress(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_ARM64, FL_CLEAR_USER, NEWEST, 4095, 2);

	(void)state;
	assert_int_equal(r.ret, 2);
	assert_int_equal(r.done, 0);
}

/* "copied bytes incorrect (dst_page[0+0]=0x0, ... offset=4095, size=2, ret=1" */
/* ---- eras judged on Debian's kernels under QEMU (docs/vm.md) ---- */

/* arm64 before 344323e0428b: 8 bytes stored, the 4 after fault: ret n. */
static void test_arm64_5_13_clear_user_reports_nothing(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_ARM64, FL_CLEAR_USER, V5_13, 4088, 12);

	(void)state;
	assert_int_equal(r.ret, 12);
	assert_int_equal(r.done, 8);
}

/* x86_64 before 0db7058e8e23: the straddling qword counts whole, any CPU. */
static void test_x86_64_5_10_clear_user_whole_qwords(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_X86_64, FL_CLEAR_USER, FL_KV(5, 10, 223), 4089, 8);

	(void)state;
	assert_int_equal(r.ret, 8);
	assert_int_equal(r.done, 0);
}

/* 6.1 on an ERMS CPU without FSRM (QEMU): qwords below 64 bytes ... */
static void test_x86_64_6_1_erms_clear_user_short_qwords(void **state)
{
	struct fl_copy_result r = run_on(FL_ARCH_X86_64, FL_CLEAR_USER, FL_KV(6, 1, 0),
					 FL_CPU_X86_FSRM, 4089, 16);

	(void)state;
	assert_int_equal(r.ret, 16);
}

/* ... rep stosb from 64: exact. */
static void test_x86_64_6_1_erms_clear_user_long_exact(void **state)
{
	struct fl_copy_result r = run_on(FL_ARCH_X86_64, FL_CLEAR_USER, FL_KV(6, 1, 0),
					 FL_CPU_X86_FSRM, 4089, 64);

	(void)state;
	assert_int_equal(r.ret, 57);
}

/* 6.4 finishes a faulting qword byte by byte: exact without ERMS or FSRM. */
static void test_x86_64_6_4_clear_user_exact_any_cpu(void **state)
{
	struct fl_copy_result r = run_on(FL_ARCH_X86_64, FL_CLEAR_USER, FL_KV(6, 4, 0),
					 FL_CPU_X86_FSRM | FL_CPU_X86_ERMS, 4089, 16);

	(void)state;
	assert_int_equal(r.ret, 9);
	assert_int_equal(r.done, 7);
}

static void test_sparc64_from_user_4095_2_over_reports(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_SPARC64_ADI, FL_COPY_FROM_USER, NEWEST, 4095, 2);

	(void)state;
	assert_int_equal(r.ret, 1);
	assert_int_equal(r.done, 0);
}

static void test_sparc64_to_user_exact(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_SPARC64_ADI, FL_COPY_TO_USER, NEWEST, 4095, 2);

	(void)state;
	assert_int_equal(r.ret, 1);
	assert_int_equal(r.done, 1);
}

/* "too few bytes consumed (offset=4093, size=8, ret=8)" */
static void test_i386_from_user_4093_8_no_progress(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_I386, FL_COPY_FROM_USER, NEWEST, 4093, 8);

	(void)state;
	assert_int_equal(r.ret, 8);
	assert_int_equal(r.done, 0);
}

/* copy_to_user aligns the user destination first: exact. */
static void test_i386_to_user_4093_8_exact(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_I386, FL_COPY_TO_USER, NEWEST, 4093, 8);

	(void)state;
	assert_int_equal(r.ret, 5);
	assert_int_equal(r.done, 3);
}

/* clear_user: "too few bytes consumed (offset=4093, size=4, ret=4)" */
static void test_i386_clear_user_4093_4_no_progress(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_I386, FL_CLEAR_USER, NEWEST, 4093, 4);

	(void)state;
	assert_int_equal(r.ret, 4);
}

/*
 * riscv64 before 4b05b993900d (Rutland's 6.3-rc): "too few bytes consumed
 * (offset=4095, size=2, ret=2)" in all three directions.
 */
#define V6_3  FL_KV(6, 3, 0)
#define V6_9  FL_KV(6, 9, 0)

static void test_riscv64_6_3_to_user_4095_2_no_progress(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_RISCV64, FL_COPY_TO_USER, V6_3, 4095, 2);

	(void)state;
	assert_int_equal(r.ret, 2);
	assert_int_equal(r.done, 1);        /* and the byte it wrote is unreported */
}

static void test_riscv64_6_3_from_user_4095_2_no_progress(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_RISCV64, FL_COPY_FROM_USER, V6_3, 4095, 2);

	(void)state;
	assert_int_equal(r.ret, 2);
}

static void test_riscv64_6_3_clear_user_4095_2_no_progress(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_RISCV64, FL_CLEAR_USER, V6_3, 4095, 2);

	(void)state;
	assert_int_equal(r.ret, 2);
}

/* Since 4b05b993900d: the byte written is reported (debian-6.12-riscv64: 1). */
static void test_riscv64_to_user_4095_2_exact(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_RISCV64, FL_COPY_TO_USER, NEWEST, 4095, 2);

	(void)state;
	assert_int_equal(r.ret, 1);
	assert_int_equal(r.done, 1);
}

/* The stable backport: 6.1.47 has it, 6.1.46 does not. */
static void test_riscv64_exact_ret_in_6_1_47(void **state)
{
	(void)state;
	assert_int_equal(run(FL_ARCH_RISCV64, FL_COPY_FROM_USER, FL_KV(6, 1, 47), 4095, 2).ret, 1);
	assert_int_equal(run(FL_ARCH_RISCV64, FL_COPY_FROM_USER, FL_KV(6, 1, 46), 4095, 2).ret, 2);
}

/* clear_user: words between the aligned ends, each committed: exact. */
static void test_riscv64_clear_user_exact(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_RISCV64, FL_CLEAR_USER, NEWEST, 4041, 100);

	(void)state;
	assert_int_equal(r.ret, 45);
	assert_int_equal(r.done, 55);
}

/*
 * An 8-word block that faults is lost whole.  debian-6.12-riscv64: a
 * pread of 71 bytes to offset 4040 is -EFAULT with bytes written (the
 * block's seven stores before the fault); 6.9's byte loop (71 < 72) is
 * exact there.
 */
static void test_riscv64_to_user_71_block_clobbers(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_RISCV64, FL_COPY_TO_USER, NEWEST, 4040, 71);
	struct fl_copy_result old = run(FL_ARCH_RISCV64, FL_COPY_TO_USER, V6_9, 4040, 71);

	(void)state;
	assert_int_equal(r.ret, 71);
	assert_int_equal(r.done, 56);
	assert_int_equal(old.ret, 15);
	assert_int_equal(old.done, 56);
}

/*
 * A last whole block: 128 bytes from 4000 (aligned) is two blocks since
 * f1905946bed0, the second faulting at 4096 (64 reported); before it the
 * second block's bytes went to the byte loop (96 reported).
 */
static void test_riscv64_from_user_last_block(void **state)
{
	(void)state;
	assert_int_equal(run(FL_ARCH_RISCV64, FL_COPY_FROM_USER, NEWEST, 4000, 128).ret, 64);
	assert_int_equal(run(FL_ARCH_RISCV64, FL_COPY_FROM_USER, V6_9, 4000, 128).ret, 32);
}

/* "post-destination bytes modified (dst_page[4068]=0x1, offset=4067, size=33, ret=32)" */
static void test_arm_to_user_4067_33_clobbers(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_ARM, FL_COPY_TO_USER, NEWEST, 4067, 33);

	(void)state;
	assert_int_equal(r.ret, 32);
	assert_int_equal(r.done, 29);       /* 4067 committed, 4068..4095 not */
}

/* "too few bytes consumed (offset=4068, size=32, ret=32)" */
static void test_arm_from_user_4068_32_no_progress(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_ARM, FL_COPY_FROM_USER, NEWEST, 4068, 32);

	(void)state;
	assert_int_equal(r.ret, 32);
	assert_int_equal(r.done, 0);
}

/*
 * What Debian's armmp kernels show (docs/arch.md): copy_from_user loads a
 * group before it stores any of it.  The two tail bytes of 4095/2: no
 * progress (debian-6.1-armhf's pwrite then spins).
 */
static void test_arm_from_user_4095_2_tail_loaded_first(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_ARM, FL_COPY_FROM_USER, NEWEST, 4095, 2);

	(void)state;
	assert_int_equal(r.ret, 2);
	assert_int_equal(r.done, 0);
}

/* Merged words (misaligned source) commit one by one: 4 of 5 readable. */
static void test_arm_from_user_4091_8_merged_word(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_ARM, FL_COPY_FROM_USER, NEWEST, 4091, 8);

	(void)state;
	assert_int_equal(r.ret, 4);
	assert_int_equal(r.done, 4);
}

/* Aligned words after the blocks: all loads, then all stores. */
static void test_arm_from_user_4092_8_word_group(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_ARM, FL_COPY_FROM_USER, NEWEST, 4092, 8);

	(void)state;
	assert_int_equal(r.ret, 8);
	assert_int_equal(r.done, 0);
}

/* An STM block to user: seven words land, the pointer does not move. */
static void test_arm_to_user_4068_32_stm_clobbers(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_ARM, FL_COPY_TO_USER, NEWEST, 4068, 32);

	(void)state;
	assert_int_equal(r.ret, 32);
	assert_int_equal(r.done, 28);
}

/* copy_to_user makes no progress when the kernel source is misaligned. */
static void test_arm_to_user_misaligned_source_no_progress(void **state)
{
	struct fl_copy_req req = {
		.dir = FL_COPY_TO_USER, .kver = NEWEST, .uaddr = UBASE + 4068,
		.kaddr = KBUF + 1, .n = 32, .reach = 28,
	};
	struct fl_copy_result r;

	(void)state;
	fl_arch(FL_ARCH_ARM)->raw_copy(&req, &r);
	assert_int_equal(r.ret, 32);
	assert_int_equal(r.done, 28);
}

static void test_arm_clear_user_4095_2_no_progress(void **state)
{
	struct fl_copy_result r = run(FL_ARCH_ARM, FL_CLEAR_USER, NEWEST, 4095, 2);

	(void)state;
	assert_int_equal(r.ret, 2);
}

/* ---- the table ---- */

static void test_lookup_every_name(void **state)
{
	static const char *const names[FL_ARCH_COUNT] = {
		"x86_64", "arm64", "arm64+mte", "sparc64+adi", "i386", "riscv64", "arm",
	};
	enum fl_arch_id id;
	unsigned i;

	(void)state;
	for (i = 0; i < FL_ARCH_COUNT; i++) {
		assert_int_equal(fl_arch_lookup(names[i], &id), 0);
		assert_int_equal(id, i);
		assert_string_equal(fl_arch(id)->name, names[i]);
		assert_int_equal(fl_arch(id)->id, i);
	}
}

static void test_lookup_unknown_name(void **state)
{
	enum fl_arch_id id = FL_ARCH_ARM;

	(void)state;
	assert_int_equal(fl_arch_lookup("mips", &id), -EINVAL);
	assert_int_equal(fl_arch_lookup("ARM64", &id), -EINVAL);
	assert_int_equal(fl_arch_lookup(NULL, &id), -EINVAL);
	assert_int_equal(id, FL_ARCH_ARM);
}

static void test_arch_out_of_range(void **state)
{
	(void)state;
	assert_null(fl_arch(FL_ARCH_COUNT));
	assert_null(fl_arch((enum fl_arch_id)-1));
}

static void test_granules_and_access_ok(void **state)
{
	unsigned i;

	(void)state;
	assert_int_equal(fl_arch(FL_ARCH_ARM64_MTE)->subpage_granule, 16);
	assert_int_equal(fl_arch(FL_ARCH_SPARC64_ADI)->subpage_granule, 64);
	assert_int_equal(fl_arch(FL_ARCH_X86_64)->task_size_max, 0x7ffffffff000ull);
	for (i = 0; i < FL_ARCH_COUNT; i++)
		assert_int_equal(fl_arch(i)->access_ok_always, i == FL_ARCH_SPARC64_ADI);
}

/* ---- fl_copy_result_check: each invariant can fail ---- */

static void test_check_rejects_ret_past_n(void **state)
{
	struct fl_copy_req req = { .n = 8, .reach = 8 };
	struct fl_copy_result res = { .done = 8, .ret = 9 };

	(void)state;
	assert_int_equal(fl_copy_result_check(&req, &res), -EINVAL);
}

static void test_check_rejects_write_past_fault(void **state)
{
	struct fl_copy_req req = { .n = 8, .reach = 3 };
	struct fl_copy_result res = { .done = 4, .ret = 5 };

	(void)state;
	assert_int_equal(fl_copy_result_check(&req, &res), -EINVAL);
}

static void test_check_rejects_short_copy_without_fault(void **state)
{
	struct fl_copy_req req = { .n = 8, .reach = 8 };
	struct fl_copy_result res = { .done = 8, .ret = 1 };

	(void)state;
	assert_int_equal(fl_copy_result_check(&req, &res), -EINVAL);
}

static void test_check_rejects_reach_past_n(void **state)
{
	struct fl_copy_req req = { .n = 8, .reach = 9 };
	struct fl_copy_result res = { .done = 8, .ret = 0 };

	(void)state;
	assert_int_equal(fl_copy_result_check(&req, &res), -EINVAL);
}

/* ---- the sweep ---- */

struct sweep_counts { unsigned long cases, over, no_progress; };

static void sweep_one(enum fl_arch_id id, enum fl_copy_dir dir, fl_kver_t kver,
		      size_t n, size_t reach, unsigned ua, unsigned ka,
		      struct sweep_counts *c)
{
	struct fl_copy_req req = {
		.dir = dir, .kver = kver, .uaddr = UBASE + ua, .kaddr = KBUF + ka,
		.n = n, .reach = reach,
	};
	struct fl_copy_result res = { 99999, 99999, NULL };

	fl_arch(id)->raw_copy(&req, &res);
	assert_int_equal(fl_copy_result_check(&req, &res), 0);
	/* Only sparc64 copy_from_user may claim bytes it did not store. */
	if (n - res.ret > res.done) {
		assert_int_equal(id, FL_ARCH_SPARC64_ADI);
		assert_int_equal(dir, FL_COPY_FROM_USER);
		c->over++;
	}
	if (reach > 0 && res.ret == n)
		c->no_progress++;
	/* x86_64 copies are exact everywhere, clear_user from 6.1 on a current CPU. */
	if (id == FL_ARCH_X86_64 &&
	    (dir != FL_CLEAR_USER || fl_kver_has(kver, FL_ERA_X86_CLEAR_USER_ERMS)))
		assert_int_equal(res.ret, n - reach);
	c->cases++;
}

static void test_sweep_invariants_all_arches(void **state)
{
	const fl_kver_t kvers[] = { V5_13, NEWEST };
	struct sweep_counts c = { 0, 0, 0 };
	unsigned id, dir, k, ua, ka;
	size_t n, reach;

	(void)state;
	for (id = 0; id < FL_ARCH_COUNT; id++)
		for (dir = 0; dir <= FL_CLEAR_USER; dir++)
			for (k = 0; k < 2; k++)
				for (n = 0; n <= 130; n++)
					for (reach = 0; reach <= n; reach++)
						for (ua = 0; ua < 16; ua += 3)
							for (ka = 0; ka < 16; ka += 5)
								sweep_one(id, dir, kvers[k], n, reach,
									  ua, ka, &c);
	assert_true(c.cases > 1000000);
	assert_true(c.over > 0);
	assert_true(c.no_progress > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x86_64_to_user_exact),
		cmocka_unit_test(test_x86_64_clear_user_exact),
		cmocka_unit_test(test_arm64_to_user_4081_16_clobbers),
		cmocka_unit_test(test_arm64_mte_to_user_4081_16_clobbers),
		cmocka_unit_test(test_arm64_to_user_one_byte_retry),
		cmocka_unit_test(test_arm64_5_13_to_user_no_progress),
		cmocka_unit_test(test_arm64_5_13_from_user_no_progress),
		cmocka_unit_test(test_arm64_from_user_aligned_source_exact),
		cmocka_unit_test(test_arm64_clear_user_4095_2_no_progress),
		cmocka_unit_test(test_sparc64_from_user_4095_2_over_reports),
		cmocka_unit_test(test_sparc64_to_user_exact),
		cmocka_unit_test(test_i386_from_user_4093_8_no_progress),
		cmocka_unit_test(test_i386_to_user_4093_8_exact),
		cmocka_unit_test(test_i386_clear_user_4093_4_no_progress),
		cmocka_unit_test(test_riscv64_6_3_to_user_4095_2_no_progress),
		cmocka_unit_test(test_riscv64_6_3_from_user_4095_2_no_progress),
		cmocka_unit_test(test_riscv64_6_3_clear_user_4095_2_no_progress),
		cmocka_unit_test(test_riscv64_to_user_4095_2_exact),
		cmocka_unit_test(test_riscv64_exact_ret_in_6_1_47),
		cmocka_unit_test(test_riscv64_clear_user_exact),
		cmocka_unit_test(test_riscv64_to_user_71_block_clobbers),
		cmocka_unit_test(test_riscv64_from_user_last_block),
		cmocka_unit_test(test_arm_to_user_4067_33_clobbers),
		cmocka_unit_test(test_arm_from_user_4068_32_no_progress),
		cmocka_unit_test(test_arm_from_user_4095_2_tail_loaded_first),
		cmocka_unit_test(test_arm_from_user_4091_8_merged_word),
		cmocka_unit_test(test_arm_from_user_4092_8_word_group),
		cmocka_unit_test(test_arm_to_user_4068_32_stm_clobbers),
		cmocka_unit_test(test_arm_to_user_misaligned_source_no_progress),
		cmocka_unit_test(test_arm_clear_user_4095_2_no_progress),
		cmocka_unit_test(test_lookup_every_name),
		cmocka_unit_test(test_lookup_unknown_name),
		cmocka_unit_test(test_arch_out_of_range),
		cmocka_unit_test(test_granules_and_access_ok),
		cmocka_unit_test(test_check_rejects_ret_past_n),
		cmocka_unit_test(test_check_rejects_write_past_fault),
		cmocka_unit_test(test_check_rejects_short_copy_without_fault),
		cmocka_unit_test(test_check_rejects_reach_past_n),
		cmocka_unit_test(test_sweep_invariants_all_arches),
		cmocka_unit_test(test_arm64_5_13_clear_user_reports_nothing),
		cmocka_unit_test(test_x86_64_5_10_clear_user_whole_qwords),
		cmocka_unit_test(test_x86_64_6_1_erms_clear_user_short_qwords),
		cmocka_unit_test(test_x86_64_6_1_erms_clear_user_long_exact),
		cmocka_unit_test(test_x86_64_6_4_clear_user_exact_any_cpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
