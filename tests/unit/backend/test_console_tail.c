/*
 * tests/unit/backend/test_console_tail.c - the ring of a guest's last
 * console lines (backend/console_tail.c): one behaviour per test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include <faultline/backend.h>

static void feed(struct fl_console_tail *t, const char *s)
{
	fl_console_tail_feed(t, s, strlen(s));
	assert_true(fl_console_tail_check(t));
}

static const char *format(const struct fl_console_tail *t)
{
	static char out[1024];

	fl_console_tail_format(t, out, sizeof(out));
	return out;
}

static void test_empty_console_says_nothing(void **state)
{
	struct fl_console_tail t = { 0 };

	(void)state;
	assert_string_equal(format(&t), "");
	feed(&t, "\r\n\n");
	assert_string_equal(format(&t), "");
}

static void test_keeps_the_last_lines_oldest_first(void **state)
{
	struct fl_console_tail t = { 0 };
	char want[256] = "", l[32];
	int i;

	(void)state;
	for (i = 0; i < FL_CONSOLE_TAIL_LINES + 3; i++) {
		snprintf(l, sizeof(l), "line %d\n", i);
		feed(&t, l);
	}
	for (i = 3; i < FL_CONSOLE_TAIL_LINES + 3; i++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%sline %d",
			 i > 3 ? " | " : "", i);
	assert_string_equal(format(&t), want);
}

static void test_line_split_across_reads_is_one_line(void **state)
{
	struct fl_console_tail t = { 0 };

	(void)state;
	feed(&t, "Run /init as");
	feed(&t, " init process\r\nnext");
	assert_string_equal(format(&t), "Run /init as init process | next");
}

static void test_control_bytes_are_dropped(void **state)
{
	struct fl_console_tail t = { 0 };

	(void)state;
	fl_console_tail_feed(&t, "a\x01\x7f\xff" "b\tc\x1b[?7l\x1b[2J  \r\n", 20);
	assert_true(fl_console_tail_check(&t));
	assert_string_equal(format(&t), "ab c");
}

static void test_long_line_keeps_its_start(void **state)
{
	struct fl_console_tail t = { 0 };
	char big[3 * FL_CONSOLE_TAIL_WIDTH];

	(void)state;
	memset(big, 'x', sizeof(big));
	big[0] = 'A';
	fl_console_tail_feed(&t, big, sizeof(big));
	assert_true(fl_console_tail_check(&t));
	feed(&t, "\nshort\n");
	assert_int_equal(strlen(t.line[0]), FL_CONSOLE_TAIL_WIDTH - 1);
	assert_int_equal(t.line[0][0], 'A');
	assert_string_equal(t.line[1], "short");
}

static void test_panic_line_ends_the_tail(void **state)
{
	struct fl_console_tail t = { 0 };

	(void)state;
	feed(&t, "virtio_console: no such module\n"
		 "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100\n"
		 "CPU: 0 PID: 1 Comm: init\nCall trace:\n");
	assert_string_equal(format(&t), "virtio_console: no such module | Kernel panic - not "
			    "syncing: Attempted to kill init! exitcode=0x00000100");
}

static void test_format_never_overruns(void **state)
{
	struct fl_console_tail t = { 0 };
	char out[8];

	(void)state;
	feed(&t, "0123456789\nabc\n");
	assert_int_equal(fl_console_tail_format(&t, out, sizeof(out)), 7);
	assert_string_equal(out, "0123456");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_console_says_nothing),
		cmocka_unit_test(test_keeps_the_last_lines_oldest_first),
		cmocka_unit_test(test_line_split_across_reads_is_one_line),
		cmocka_unit_test(test_control_bytes_are_dropped),
		cmocka_unit_test(test_long_line_keeps_its_start),
		cmocka_unit_test(test_panic_line_ends_the_tail),
		cmocka_unit_test(test_format_never_overruns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
