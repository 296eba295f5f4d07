/*
 * tests/unit/mm/test_memfd.c - memfd seals (mm/memfd.c) and the
 * descriptor's FMODE in mmap (mm/mmap.c fl_mmap_fmode), on both sides of
 * era memfd_seal_ro_map (6.7, 158978945f31): the guests judge 6.1 and
 * 5.10 (docs/mm.md "Read-only opens and memfd seals"), these pin the
 * rules down without one.
 */
#include "vma_test.h"

#define R    FL_PROT_READ
#define SHR  FL_MAP_SHARED

struct seal_env {
	struct fl_world *w;
	struct fl_mm *mm;
	struct fl_file *f;
};

/* A world of kernel V, a process, and a 2-page memfd F (sealing allowed if SEALING). */
static void seal_env(struct seal_env *e, fl_kver_t v, bool sealing)
{
	struct fl_world_config cfg = { .kver = v };
	struct fl_process *p;

	e->w = fl_world_new(&cfg);
	assert_non_null(e->w);
	assert_int_equal(fl_process_new(e->w, "p", &p), 0);
	e->mm = p->mm;
	assert_int_equal(fl_file_new(e->w, "f", 2 * P, FL_FS_TMPFS, &e->f), 0);
	if (sealing)
		assert_int_equal(fl_memfd_allow_sealing(e->w, e->f), 0);
}

static long map_f(struct seal_env *e, int prot, int flags, unsigned fmode)
{
	return fl_mmap_fmode(e->w, e->mm, 0, P, prot, flags, e->f, 0, fmode);
}

#define RDWR (FL_FMODE_READ | FL_FMODE_WRITE)

/* O_RDONLY: no shared writable mapping; a shared one is neither VM_SHARED nor VM_MAYWRITE. */
static void test_rdonly_shared_mapping(void **state)
{
	struct seal_env e;
	struct fl_vma *vma;
	long a;

	(void)state;
	seal_env(&e, FL_KV(6, 18, 0), false);
	assert_int_equal(map_f(&e, RW, SHR, FL_FMODE_READ), -EACCES);
	a = map_f(&e, R, SHR, FL_FMODE_READ);
	assert_true(a > 0);
	vma = fl_vma_lookup(e.mm, (fl_addr_t)a);
	assert_int_equal(vma->flags & (FL_VM_SHARED | FL_VM_MAYWRITE), 0);
	assert_true(vma->flags & FL_VM_MAYSHARE);
	assert_int_equal(fl_mprotect(e.w, e.mm, (fl_addr_t)a, P, RW), -EACCES);
	/* a private mapping may still be made writable (COW) */
	a = map_f(&e, R, PRIV, FL_FMODE_READ);
	assert_int_equal(fl_mprotect(e.w, e.mm, (fl_addr_t)a, P, RW), 0);
	fl_world_free(e.w);
}

/* O_WRONLY: any mapping is EACCES. */
static void test_wronly_no_mapping(void **state)
{
	struct seal_env e;

	(void)state;
	seal_env(&e, FL_KV(6, 18, 0), false);
	assert_int_equal(map_f(&e, R, PRIV, FL_FMODE_WRITE), -EACCES);
	assert_int_equal(map_f(&e, RW, SHR, FL_FMODE_WRITE), -EACCES);
	fl_world_free(e.w);
}

/* memfd_add_seals's errors, in its order. */
static void test_add_seals_errors(void **state)
{
	struct seal_env e;
	struct fl_file *ext4;

	(void)state;
	seal_env(&e, FL_KV(6, 18, 0), false);
	assert_int_equal(fl_memfd_get_seals(e.w, e.f), FL_F_SEAL_SEAL);
	assert_int_equal(fl_memfd_add_seals(e.w, e.f, FL_FMODE_READ, FL_F_SEAL_WRITE), -EPERM);
	assert_int_equal(fl_memfd_add_seals(e.w, e.f, RDWR, 0x40), -EINVAL);
	assert_int_equal(fl_memfd_add_seals(e.w, e.f, RDWR, FL_F_SEAL_WRITE), -EPERM);
	assert_int_equal(fl_file_new(e.w, "e", P, FL_FS_EXT4, &ext4), 0);
	assert_int_equal(fl_memfd_add_seals(e.w, ext4, RDWR, FL_F_SEAL_WRITE), -EINVAL);
	assert_int_equal(fl_memfd_get_seals(e.w, ext4), -EINVAL);
	assert_int_equal(fl_memfd_allow_sealing(e.w, ext4), -EINVAL);
	assert_int_equal(fl_memfd_allow_sealing(e.w, e.f), 0);
	assert_int_equal(fl_memfd_add_seals(e.w, e.f, RDWR, FL_F_SEAL_EXEC), -EOPNOTSUPP);
	fl_world_free(e.w);
}

/* A shared read-only mapping of an F_SEAL_WRITE memfd: EPERM before 6.7, allowed since. */
static void test_seal_write_ro_map_by_era(void **state)
{
	struct seal_env e;
	long a;

	(void)state;
	seal_env(&e, FL_KV(6, 6, 0), true);
	assert_int_equal(fl_memfd_add_seals(e.w, e.f, RDWR, FL_F_SEAL_WRITE), 0);
	assert_int_equal(map_f(&e, R, SHR, RDWR), -EPERM);
	assert_true(map_f(&e, RW, PRIV, RDWR) > 0);
	fl_world_free(e.w);

	seal_env(&e, FL_KV(6, 7, 0), true);
	assert_int_equal(fl_memfd_add_seals(e.w, e.f, RDWR, FL_F_SEAL_WRITE), 0);
	assert_int_equal(map_f(&e, RW, SHR, RDWR), -EPERM);
	a = map_f(&e, R, SHR, RDWR);
	assert_true(a > 0);
	assert_int_equal(fl_vma_lookup(e.mm, (fl_addr_t)a)->flags & FL_VM_MAYWRITE, 0);
	assert_int_equal(fl_mprotect(e.w, e.mm, (fl_addr_t)a, P, RW), -EACCES);
	fl_world_free(e.w);
}

/*
 * F_SEAL_FUTURE_WRITE leaves a shared read-only mapping without
 * VM_MAYWRITE; then F_SEAL_WRITE: before 6.7 every VM_SHARED vma counts
 * (EBUSY), since only those that may write.  Any shared mapping made
 * before either seal counts in both.
 */
static void test_seal_write_busy_by_era(void **state)
{
	static const unsigned minor[] = { 6, 7 };
	struct seal_env e;
	unsigned i;
	long a;

	(void)state;
	for (i = 0; i < 2; i++) {
		seal_env(&e, FL_KV(6, minor[i], 0), true);
		a = map_f(&e, R, SHR, RDWR);
		assert_int_equal(fl_memfd_add_seals(e.w, e.f, RDWR, FL_F_SEAL_WRITE), -EBUSY);
		assert_int_equal(fl_munmap(e.w, e.mm, (fl_addr_t)a, P), 0);
		assert_int_equal(fl_memfd_add_seals(e.w, e.f, RDWR, FL_F_SEAL_FUTURE_WRITE), 0);
		assert_true(map_f(&e, R, SHR, RDWR) > 0);
		assert_int_equal(fl_memfd_add_seals(e.w, e.f, RDWR, FL_F_SEAL_WRITE),
				 minor[i] == 6 ? -EBUSY : 0);
		fl_world_free(e.w);
	}
}

/* F_SEAL_SHRINK and F_SEAL_GROW refuse their truncations only. */
static void test_seal_shrink_grow(void **state)
{
	struct seal_env e;

	(void)state;
	seal_env(&e, FL_KV(6, 18, 0), true);
	assert_int_equal(fl_memfd_add_seals(e.w, e.f, RDWR, FL_F_SEAL_SHRINK), 0);
	assert_int_equal(fl_file_truncate(e.w, e.f, P), -EPERM);
	assert_int_equal(fl_file_truncate(e.w, e.f, 3 * P), 0);
	assert_int_equal(fl_memfd_add_seals(e.w, e.f, RDWR, FL_F_SEAL_GROW), 0);
	assert_int_equal(fl_file_truncate(e.w, e.f, 4 * P), -EPERM);
	assert_int_equal(fl_file_truncate(e.w, e.f, 3 * P), 0);
	assert_int_equal(fl_memfd_get_seals(e.w, e.f), FL_F_SEAL_SHRINK | FL_F_SEAL_GROW);
	fl_world_free(e.w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rdonly_shared_mapping),
		cmocka_unit_test(test_wronly_no_mapping),
		cmocka_unit_test(test_add_seals_errors),
		cmocka_unit_test(test_seal_write_ro_map_by_era),
		cmocka_unit_test(test_seal_write_busy_by_era),
		cmocka_unit_test(test_seal_shrink_grow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
