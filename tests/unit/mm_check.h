/*
 * tests/unit/mm_check.h - the mm invariants (fl_mm_check, which includes
 * fl_vma_tree_check) of every process a unit test names, as one assertion
 * a test makes after each statement that can break them.
 */
#ifndef FL_TEST_MM_CHECK_H
#define FL_TEST_MM_CHECK_H

#include <faultline/mm.h>

#define assert_mm_ok(w) do {                                                   \
	const char *who_ = test_check_all(w);                                  \
	if (who_)                                                              \
		fail_msg("mm of %s: %s", who_, fl_world_error(w));             \
} while (0)

static inline const char *test_check_all(struct fl_world *w)
{
	static const char *const names[] = { "p", "parent", "child", "a", "b", "t" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct fl_process *p = fl_process_find(w, names[i]);

		if (p && (fl_mm_check(w, p->mm) || fl_vma_tree_check(w, p->mm)))
			return names[i];
	}
	return NULL;
}

#endif
