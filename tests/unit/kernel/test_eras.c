/*
 * tests/unit/kernel/test_eras.c - the era table keeps its invariants
 * (eras.h) and fl_kver_has() honours mainline versions and stable backports.
 *
 * Why: every version rule of the model is read from this table, so a
 * misordered entry or a stable backport filed under the wrong series would
 * silently change what an old kernel does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <faultline/eras.h>

/* ---- table invariants ---- */

static void test_ids_in_enum_order(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < FL_ERA_COUNT; i++) {
		assert_non_null(fl_era((enum fl_era_id)i));
		assert_int_equal(fl_era((enum fl_era_id)i)->id, i);
	}
}

static void test_out_of_range_id_is_null(void **state)
{
	(void)state;
	assert_null(fl_era(FL_ERA_COUNT));
	assert_null(fl_era((enum fl_era_id)-1));
}

static void test_names_nonempty_and_unique(void **state)
{
	int i, j;

	(void)state;
	for (i = 0; i < FL_ERA_COUNT; i++) {
		const char *name = fl_era((enum fl_era_id)i)->name;

		assert_non_null(name);
		assert_true(name[0] != '\0');
		for (j = 0; j < i; j++)
			assert_string_not_equal(name,
						fl_era((enum fl_era_id)j)->name);
	}
}

static bool is_commit_id(const char *c)
{
	size_t n;

	if (!strcmp(c, "-"))
		return true;
	for (n = 0; c[n]; n++)
		if (!((c[n] >= '0' && c[n] <= '9') || (c[n] >= 'a' && c[n] <= 'f')))
			return false;
	return n == 12;
}

static void test_commits_are_12_hex_or_dash(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < FL_ERA_COUNT; i++) {
		const char *c = fl_era((enum fl_era_id)i)->commit;

		assert_non_null(c);
		if (!is_commit_id(c))
			fail_msg("era %d: bad commit '%s'", i, c);
	}
}

static void test_summaries_are_one_sentence(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < FL_ERA_COUNT; i++) {
		const char *s = fl_era((enum fl_era_id)i)->summary;

		assert_non_null(s);
		assert_true(strlen(s) > 1);
		assert_int_equal(s[strlen(s) - 1], '.');
		assert_null(strchr(s, '\n'));
	}
}

static void test_since_at_least_3_0(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < FL_ERA_COUNT; i++)
		assert_true(fl_era((enum fl_era_id)i)->since >= FL_KV(3, 0, 0));
}

static void test_since_not_past_newest(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < FL_ERA_COUNT; i++)
		assert_true(fl_era((enum fl_era_id)i)->since <= fl_kver_newest());
}

static void test_stable_older_than_since_and_terminated(void **state)
{
	int i, k;

	(void)state;
	for (i = 0; i < FL_ERA_COUNT; i++) {
		const struct fl_era *e = fl_era((enum fl_era_id)i);

		for (k = 0; k < FL_ERA_MAX_STABLE && e->stable[k]; k++) {
			assert_true(e->stable[k] < e->since);
			assert_true(FL_KV_PATCH(e->stable[k]) > 0);
		}
		assert_true(k < FL_ERA_MAX_STABLE);
	}
}

/* fl_kver_has() matches a backport by major.minor: two per series is a typo. */
static void test_stable_one_per_series(void **state)
{
	int i, k, m;

	(void)state;
	for (i = 0; i < FL_ERA_COUNT; i++) {
		const struct fl_era *e = fl_era((enum fl_era_id)i);

		for (k = 0; k < FL_ERA_MAX_STABLE && e->stable[k]; k++)
			for (m = 0; m < k; m++)
				assert_int_not_equal(e->stable[k] >> 16,
						     e->stable[m] >> 16);
	}
}

static void test_rc_names_look_like_rc(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < FL_ERA_COUNT; i++) {
		const char *rc = fl_era((enum fl_era_id)i)->rc;

		if (rc)
			assert_int_equal(strncmp(rc, "rc", 2), 0);
	}
}

/* ---- lookup ---- */

static void test_by_name_finds_entry(void **state)
{
	const struct fl_era *e = fl_era_by_name("arm64_one_byte_retry");

	(void)state;
	assert_non_null(e);
	assert_int_equal(e->id, FL_ERA_ARM64_ONE_BYTE_RETRY);
	assert_string_equal(e->commit, "295cf156231c");
}

static void test_by_name_unknown_is_null(void **state)
{
	(void)state;
	assert_null(fl_era_by_name("no_such_era"));
	assert_null(fl_era_by_name(""));
	assert_null(fl_era_by_name(NULL));
}

static void test_newest_is_6_18(void **state)
{
	(void)state;
	assert_int_equal(fl_kver_newest(), FL_KV(6, 18, 0));
}

/* ---- fl_kver_has: the COW fix of 5.8, backported to 5.7.3 ---- */

static void test_cow_fix_in_5_7_3(void **state)
{
	(void)state;
	assert_true(fl_kver_has(FL_KV(5, 7, 3), FL_ERA_GUP_COW_FORCE_BREAK));
}

static void test_cow_fix_not_in_5_7_2(void **state)
{
	(void)state;
	assert_false(fl_kver_has(FL_KV(5, 7, 2), FL_ERA_GUP_COW_FORCE_BREAK));
}

static void test_cow_fix_in_5_8(void **state)
{
	(void)state;
	assert_true(fl_kver_has(FL_KV(5, 8, 0), FL_ERA_GUP_COW_FORCE_BREAK));
}

static void test_cow_fix_not_in_5_6_19(void **state)
{
	(void)state;
	assert_false(fl_kver_has(FL_KV(5, 6, 19), FL_ERA_GUP_COW_FORCE_BREAK));
}

/* ---- fl_kver_has: the CVE-2024-26603 fix, 6.8 and four stable series ---- */

static void test_fpu_fix_in_5_15_150(void **state)
{
	(void)state;
	assert_true(fl_kver_has(FL_KV(5, 15, 150), FL_ERA_FPU_RESTORE_USER_SIZE));
}

static void test_fpu_fix_not_in_5_15_149(void **state)
{
	(void)state;
	assert_false(fl_kver_has(FL_KV(5, 15, 149), FL_ERA_FPU_RESTORE_USER_SIZE));
}

static void test_fpu_fix_in_6_8(void **state)
{
	(void)state;
	assert_true(fl_kver_has(FL_KV(6, 8, 0), FL_ERA_FPU_RESTORE_USER_SIZE));
}

static void test_fpu_fix_not_in_6_7_5(void **state)
{
	(void)state;
	assert_false(fl_kver_has(FL_KV(6, 7, 5), FL_ERA_FPU_RESTORE_USER_SIZE));
}

static void test_fpu_fix_in_6_7_6(void **state)
{
	(void)state;
	assert_true(fl_kver_has(FL_KV(6, 7, 6), FL_ERA_FPU_RESTORE_USER_SIZE));
}

/* A backport to 6.1.79 says nothing about 6.2..6.7.5 or about 5.16. */
static void test_backport_stays_in_its_series(void **state)
{
	(void)state;
	assert_false(fl_kver_has(FL_KV(6, 2, 100), FL_ERA_FPU_RESTORE_USER_SIZE));
	assert_false(fl_kver_has(FL_KV(5, 16, 200), FL_ERA_FPU_RESTORE_USER_SIZE));
}

/*
 * MADV_HWPOISON kills the caller from 6.11: the judges' versions place it,
 * 6.12.117 has it and neither 6.1.176 nor 5.10.223 does (no backport).
 */
static void test_hwpoison_caller_judges(void **state)
{
	(void)state;
	assert_true(fl_kver_has(FL_KV(6, 12, 117), FL_ERA_MADV_HWPOISON_KILLS_CALLER));
	assert_false(fl_kver_has(FL_KV(6, 1, 176), FL_ERA_MADV_HWPOISON_KILLS_CALLER));
	assert_false(fl_kver_has(FL_KV(5, 10, 223), FL_ERA_MADV_HWPOISON_KILLS_CALLER));
}

static void test_hwpoison_caller_from_6_11(void **state)
{
	(void)state;
	assert_true(fl_kver_has(FL_KV(6, 11, 0), FL_ERA_MADV_HWPOISON_KILLS_CALLER));
	assert_false(fl_kver_has(FL_KV(6, 10, 14), FL_ERA_MADV_HWPOISON_KILLS_CALLER));
}

static void test_has_invalid_id_is_false(void **state)
{
	(void)state;
	assert_false(fl_kver_has(FL_KV(6, 18, 0), FL_ERA_COUNT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_in_enum_order),
		cmocka_unit_test(test_out_of_range_id_is_null),
		cmocka_unit_test(test_names_nonempty_and_unique),
		cmocka_unit_test(test_commits_are_12_hex_or_dash),
		cmocka_unit_test(test_summaries_are_one_sentence),
		cmocka_unit_test(test_since_at_least_3_0),
		cmocka_unit_test(test_since_not_past_newest),
		cmocka_unit_test(test_stable_older_than_since_and_terminated),
		cmocka_unit_test(test_stable_one_per_series),
		cmocka_unit_test(test_rc_names_look_like_rc),
		cmocka_unit_test(test_by_name_finds_entry),
		cmocka_unit_test(test_by_name_unknown_is_null),
		cmocka_unit_test(test_newest_is_6_18),
		cmocka_unit_test(test_cow_fix_in_5_7_3),
		cmocka_unit_test(test_cow_fix_not_in_5_7_2),
		cmocka_unit_test(test_cow_fix_in_5_8),
		cmocka_unit_test(test_cow_fix_not_in_5_6_19),
		cmocka_unit_test(test_fpu_fix_in_5_15_150),
		cmocka_unit_test(test_fpu_fix_not_in_5_15_149),
		cmocka_unit_test(test_fpu_fix_in_6_8),
		cmocka_unit_test(test_hwpoison_caller_judges),
		cmocka_unit_test(test_hwpoison_caller_from_6_11),
		cmocka_unit_test(test_fpu_fix_not_in_6_7_5),
		cmocka_unit_test(test_fpu_fix_in_6_7_6),
		cmocka_unit_test(test_backport_stays_in_its_series),
		cmocka_unit_test(test_has_invalid_id_is_false),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
