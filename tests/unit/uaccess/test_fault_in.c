/*
 * tests/unit/uaccess/test_fault_in.c - the fault-in family per era
 * (kernel-facts.md §2): one behaviour per test, each on the kernel
 * version whose rule it shows.
 *
 * Address space of every test (P = 4096), private anonymous rw:
 *
 *   0x1ff000   0x200000   0x201000   0x202000   0x203000
 *   | hole     | A        | B        | C: hole  | hole ...
 *              | poked    | never    |
 *              | 0xaa     | touched  |
 *
 * so a range from A runs into a fault at its third page, C.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <faultline/fault_in.h>
#include <faultline/uaccess.h>

#define A    0x200000ull
#define B    0x201000ull
#define C    0x202000ull
#define P    4096ull

struct env {
	struct fl_world *w;
	struct fl_mm *mm;
	int fault_in_hooks;
	char trace[512];
};

static struct env env;

static void on_hook(struct fl_world *w, enum fl_hook h, void *arg)
{
	(void)w;
	if (h == FL_HOOK_FAULT_IN)
		((struct env *)arg)->fault_in_hooks++;
}

static void on_trace(void *arg, const char *line)
{
	struct env *e = arg;

	if (strstr(line, "fault_in") || strstr(line, "probe_subpage"))
		strncpy(e->trace, line, sizeof(e->trace) - 1);
}

/* A world of kernel KVER on ARCH with the map above; NULL on failure. */
static struct env *world(enum fl_arch_id arch, fl_kver_t kver)
{
	struct fl_process *p;
	uint8_t fill[P];

	memset(&env, 0, sizeof(env));
	env.w = fl_world_new(&(struct fl_world_config){
		.arch = arch, .kver = kver, .max_frames = 64 });
	assert_non_null(env.w);
	assert_int_equal(fl_process_new(env.w, "t", &p), 0);
	env.mm = p->mm;
	assert_int_equal(fl_mmap(env.w, env.mm, A, 2 * P, FL_PROT_READ | FL_PROT_WRITE,
				 FL_MAP_PRIVATE | FL_MAP_FIXED, NULL, 0), (long)A);
	memset(fill, 0xaa, sizeof(fill));
	assert_int_equal(fl_poke(env.w, env.mm, A, fill, P), 0);
	fl_world_set_hook(env.w, on_hook, &env);
	fl_world_set_trace(env.w, on_trace, &env);
	return &env;
}

static struct env *x86(unsigned maj, unsigned min, unsigned patch)
{
	return world(FL_ARCH_X86_64, FL_KV(maj, min, patch));
}

static int teardown(void **state)
{
	(void)state;
	fl_world_free(env.w);
	env.w = NULL;
	return 0;
}

static uint8_t peek1(struct env *e, fl_addr_t a)
{
	uint8_t v = 0;

	assert_int_equal(fl_peek(e->w, e->mm, a, &v, 1), 0);
	return v;
}

static bool present(struct env *e, fl_addr_t a)
{
	fl_pte_t *pte = fl_pte_lookup(e->mm, a);

	return pte && (pte->flags & FL_PTE_PRESENT);
}

/* ---- <= 5.15: fault_in_pages_*, all or nothing ---- */

/* [A+0x800, B+0x800) maps fully: 0. */
static void test_515_pages_readable_all_mapped(void **state)
{
	struct env *e = x86(5, 15, 0);

	(void)state;
	assert_int_equal(fl_fault_in_pages_readable(e->w, A + 0x800, P), 0);
	assert_true(present(e, B));
}

/* [A+0x800, C+0x800): two pages fine, the last byte in C: -EFAULT, not a count. */
static void test_515_pages_readable_all_or_nothing(void **state)
{
	struct env *e = x86(5, 15, 0);

	(void)state;
	assert_int_equal(fl_fault_in_pages_readable(e->w, A + 0x800, 2 * P), -EFAULT);
	assert_non_null(strstr(e->trace, "probe 0x2027ff faulted"));
}

/*
 * The probes of fault_in_pages_writeable(A+0x800, P + 0x100) are at the
 * same offset in each page (A+0x800, B+0x800), not at the page starts;
 * the last byte B+0x8ff shares B+0x800's page, so it is not probed.
 */
static void test_515_pages_writeable_probes_same_offset(void **state)
{
	struct env *e = x86(5, 15, 0);
	uint8_t v = 0x55;

	(void)state;
	assert_int_equal(fl_poke(e->w, e->mm, B, &v, 1), 0);
	assert_int_equal(fl_fault_in_pages_writeable(e->w, A + 0x800, P + 0x100), 0);
	assert_int_equal(peek1(e, A + 0x800), 0);
	assert_int_equal(peek1(e, B + 0x800), 0);
	assert_int_equal(peek1(e, B), 0x55);
	assert_int_equal(peek1(e, A + 0x801), 0xaa);
}

/* On a 5.15 world the new entry point answers 0 or size. */
static void test_515_new_entry_point_is_all_or_nothing(void **state)
{
	struct env *e = x86(5, 15, 0);

	(void)state;
	assert_int_equal(fl_fault_in_readable(e->w, A + 0x100, 3 * P), 3 * P);
	assert_int_equal(fl_fault_in_readable(e->w, A + 0x100, P), 0);
}

/* ---- 5.16: bytes not faulted in ---- */

/* Unaligned start whose first byte faults (A - 0x10 is in the hole): size. */
static void test_516_unaligned_first_byte_faults_gives_size(void **state)
{
	struct env *e = x86(5, 16, 0);

	(void)state;
	assert_int_equal(fl_fault_in_readable(e->w, A - 0x10, 0x20), 0x20);
	assert_non_null(strstr(e->trace, "probe 0x1ffff0 faulted"));
}

/* uaddr = A+0x100, size 3P: probes A+0x100, B, C; C faults: size - (C - uaddr). */
static void test_516_fault_at_third_page_gives_rest(void **state)
{
	struct env *e = x86(5, 16, 0);

	(void)state;
	assert_int_equal(fl_fault_in_readable(e->w, A + 0x100, 3 * P),
			 3 * P - (C - (A + 0x100)));
	assert_non_null(strstr(e->trace, "probe 0x202000 faulted"));
}

/* The range ends inside B: everything faulted in, B is now present. */
static void test_516_everything_faulted_in(void **state)
{
	struct env *e = x86(5, 16, 0);

	(void)state;
	assert_false(present(e, B));
	assert_int_equal(fl_fault_in_readable(e->w, A + 0x100, P), 0);
	assert_true(present(e, B));
}

/* fault_in_writeable stores a 0 byte at each probe: A+5 and B change. */
static void test_516_writeable_is_destructive(void **state)
{
	struct env *e = x86(5, 16, 0);

	(void)state;
	assert_int_equal(peek1(e, A + 5), 0xaa);
	assert_int_equal(fl_fault_in_writeable(e->w, A + 5, P), 0);
	assert_int_equal(peek1(e, A + 5), 0);
	assert_int_equal(peek1(e, A + 6), 0xaa);
}

/*
 * [A, A + 2^47 - A): past TASK_SIZE_MAX.  5.16 probes page by page and
 * faults A and B in before C faults; 5.17 refuses the range whole.
 */
static void test_516_no_access_ok_probes_anyway(void **state)
{
	struct env *e = x86(5, 16, 0);
	size_t size = (size_t)1 << 47;

	(void)state;
	assert_false(fl_access_ok(e->w, A, size));
	assert_int_equal(fl_fault_in_readable(e->w, A, size), size - 2 * P);
	assert_true(present(e, B));
}

static void test_517_access_ok_short_circuit(void **state)
{
	struct env *e = x86(5, 17, 0);
	size_t size = (size_t)1 << 47;

	(void)state;
	assert_int_equal(fl_fault_in_readable(e->w, A, size), size);
	assert_false(present(e, B));
	assert_int_equal(fl_fault_in_writeable(e->w, A, size), size);
	assert_int_equal(peek1(e, A), 0xaa);
	assert_non_null(strstr(e->trace, "677b2a8c1f25"));
}

/* ---- fault_in_safe_writeable ---- */

/* 6.6 (fixup loop, before the fix): A and B fine, C faults: 0, wrongly. */
static void test_66_safe_writeable_partial_returns_zero(void **state)
{
	struct env *e = x86(6, 6, 0);

	(void)state;
	assert_int_equal(fl_fault_in_safe_writeable(e->w, A + 0x100, 3 * P), 0);
	assert_non_null(strstr(e->trace, "probe 0x202000 faulted"));
}

/* The same call on 6.15: the bytes from C on. */
static void test_615_safe_writeable_partial_fixed(void **state)
{
	struct env *e = x86(6, 15, 0);

	(void)state;
	assert_int_equal(fl_fault_in_safe_writeable(e->w, A + 0x100, 3 * P),
			 3 * P - (C - (A + 0x100)));
}

/* 6.6.88 carries the stable backport of the fix. */
static void test_6688_safe_writeable_partial_fixed(void **state)
{
	struct env *e = x86(6, 6, 88);

	(void)state;
	assert_int_equal(fl_fault_in_safe_writeable(e->w, A + 0x100, 3 * P),
			 3 * P - (C - (A + 0x100)));
}

/* A fault at uaddr itself gives size even before the fix. */
static void test_66_safe_writeable_first_page_gives_size(void **state)
{
	struct env *e = x86(6, 6, 0);

	(void)state;
	assert_int_equal(fl_fault_in_safe_writeable(e->w, C + 8, 16), 16);
}

/*
 * Non-destructive, and a real write fault: after fork A is shared R/O
 * with the parent; in the child safe_writeable COWs it (the child gets
 * its own writable copy), and neither copy's bytes change.
 */
static void test_safe_writeable_cows_without_storing(void **state)
{
	struct env *e = x86(6, 15, 0);
	struct fl_process *parent = fl_current(e->w), *child;
	fl_pte_t *cpte, *ppte;

	(void)state;
	assert_int_equal(fl_fork(e->w, parent, "c", &child), 0);
	assert_int_equal(fl_set_current(e->w, child), 0);
	cpte = fl_pte_lookup(child->mm, A);
	ppte = fl_pte_lookup(parent->mm, A);
	assert_ptr_equal(cpte->folio, ppte->folio);
	assert_false(cpte->flags & FL_PTE_WRITE);
	assert_int_equal(fl_fault_in_safe_writeable(e->w, A + 5, 1), 0);
	cpte = fl_pte_lookup(child->mm, A);
	assert_true(cpte->flags & FL_PTE_WRITE);
	assert_ptr_not_equal(cpte->folio, ppte->folio);
	e->mm = child->mm;
	assert_int_equal(peek1(e, A + 5), 0xaa);
	e->mm = parent->mm;
	assert_int_equal(peek1(e, A + 5), 0xaa);
}

/* A read-only vma: fixup_user_fault refuses the write fault. */
static void test_safe_writeable_readonly_vma(void **state)
{
	struct env *e = x86(6, 15, 0);

	(void)state;
	assert_int_equal(fl_mprotect(e->w, e->mm, B, P, FL_PROT_READ), 0);
	assert_int_equal(fl_fault_in_safe_writeable(e->w, A, 2 * P), P);
	assert_int_equal(peek1(e, B), 0);
}

/* 5.16's GUP version counts a partial failure right. */
static void test_516_safe_writeable_gup_partial(void **state)
{
	struct env *e = x86(5, 16, 0);

	(void)state;
	assert_int_equal(fl_fault_in_safe_writeable(e->w, A + 0x100, 3 * P),
			 3 * P - (C - (A + 0x100)));
	assert_non_null(strstr(e->trace, "cdd591fc86e3"));
}

/*
 * ... but when the first page of an unaligned range fails, nstart
 * (page aligned) is below uaddr and size - min(nstart - uaddr, size)
 * wraps to 0: "everything faulted in".
 */
static void test_516_safe_writeable_gup_unaligned_first_page(void **state)
{
	struct env *e = x86(5, 16, 0);

	(void)state;
	assert_int_equal(fl_fault_in_safe_writeable(e->w, C + 8, 16), 0);
	assert_int_equal(fl_fault_in_safe_writeable(e->w, C, 16), 16);
}

/* ---- sub-page probes ---- */

/*
 * arm64+mte, one tagged granule at A+0x800:
 *   A: |................|TT|..............|
 * fault_in_writeable sees only A's first byte and says "all in";
 * fault_in_subpage_writeable probes every granule: end - (A+0x800).
 */
static void test_mte_subpage_stops_at_tagged_granule(void **state)
{
	struct env *e = world(FL_ARCH_ARM64_MTE, FL_KV(5, 19, 0));

	(void)state;
	assert_int_equal(fl_tag(e->w, e->mm, A + 0x800, 16, 3), 0);
	assert_int_equal(fl_fault_in_writeable(e->w, A, P), 0);
	assert_int_equal(fl_fault_in_subpage_writeable(e->w, A, P), P - 0x800);
	assert_non_null(strstr(e->trace, "probe 0x200800 faulted"));
}

/* The arm64 probe alone: the first read faulting gives size. */
static void test_mte_probe_first_read_faults(void **state)
{
	struct env *e = world(FL_ARCH_ARM64_MTE, FL_KV(5, 19, 0));

	(void)state;
	assert_int_equal(fl_tag(e->w, e->mm, A, 16, 3), 0);
	assert_int_equal(fl_probe_subpage_writeable(e->w, A + 4, 100), 100);
}

/* Unaligned uaddr: the granules probed start at PTR_ALIGN(uaddr, 16). */
static void test_mte_probe_unaligned_start(void **state)
{
	struct env *e = world(FL_ARCH_ARM64_MTE, FL_KV(6, 1, 0));

	(void)state;
	assert_int_equal(fl_tag(e->w, e->mm, A + 0x20, 16, 3), 0);
	assert_int_equal(fl_probe_subpage_writeable(e->w, A + 4, 0x40), A + 0x44 - (A + 0x20));
}

/* x86_64 has no sub-page faults: the generic probe is 0. */
static void test_x86_probe_is_zero(void **state)
{
	struct env *e = x86(6, 1, 0);

	(void)state;
	assert_int_equal(fl_probe_subpage_writeable(e->w, C, 64), 0);
}

/*
 * sparc64+adi: a 64-byte ADI granule with another version faults a uaccess,
 * but sparc64 does not select ARCH_HAS_SUBPAGE_FAULTS: the probe is blind.
 *   A: |................|VV|..............|
 */
static void test_adi_has_no_probe(void **state)
{
	struct env *e = world(FL_ARCH_SPARC64_ADI, FL_KV(6, 1, 0));

	(void)state;
	assert_int_equal(fl_tag(e->w, e->mm, A + 0x800, 64, 3), 0);
	assert_int_equal(fl_probe_subpage_writeable(e->w, A, P), 0);
	assert_int_equal(fl_fault_in_subpage_writeable(e->w, A, P), 0);
}

/* 5.18: no subpage helper yet; the entry point is fault_in_writeable. */
static void test_518_subpage_is_writeable_only(void **state)
{
	struct env *e = world(FL_ARCH_ARM64_MTE, FL_KV(5, 18, 0));

	(void)state;
	assert_int_equal(fl_tag(e->w, e->mm, A + 0x800, 16, 3), 0);
	assert_int_equal(fl_fault_in_subpage_writeable(e->w, A, P), 0);
}

/* ---- hooks ---- */

/* FL_HOOK_FAULT_IN fires once per helper, after it returns. */
static void test_hook_fires_once_per_helper(void **state)
{
	struct env *e = x86(6, 15, 0);

	(void)state;
	fl_fault_in_readable(e->w, A, 2 * P);
	fl_fault_in_subpage_writeable(e->w, A, 2 * P);
	fl_fault_in_safe_writeable(e->w, A, 3 * P);
	assert_int_equal(e->fault_in_hooks, 3);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_515_pages_readable_all_mapped),
		T(test_515_pages_readable_all_or_nothing),
		T(test_515_pages_writeable_probes_same_offset),
		T(test_515_new_entry_point_is_all_or_nothing),
		T(test_516_unaligned_first_byte_faults_gives_size),
		T(test_516_fault_at_third_page_gives_rest),
		T(test_516_everything_faulted_in),
		T(test_516_writeable_is_destructive),
		T(test_516_no_access_ok_probes_anyway),
		T(test_517_access_ok_short_circuit),
		T(test_66_safe_writeable_partial_returns_zero),
		T(test_615_safe_writeable_partial_fixed),
		T(test_6688_safe_writeable_partial_fixed),
		T(test_66_safe_writeable_first_page_gives_size),
		T(test_safe_writeable_cows_without_storing),
		T(test_safe_writeable_readonly_vma),
		T(test_516_safe_writeable_gup_partial),
		T(test_516_safe_writeable_gup_unaligned_first_page),
		T(test_mte_subpage_stops_at_tagged_granule),
		T(test_mte_probe_first_read_faults),
		T(test_mte_probe_unaligned_start),
		T(test_x86_probe_is_zero),
		T(test_adi_has_no_probe),
		T(test_518_subpage_is_writeable_only),
		T(test_hook_fires_once_per_helper),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
