/*
 * tests/unit/scenario/test_lexer.c - the lexical layer of the scenario
 * language: numbers with units, C-escaped strings, words and comments,
 * line checks (length, NUL, UTF-8).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "scenario/internal.h"

static int number(const char *s, uint64_t *v)
{
	return fl_sc_lex_number(s, strlen(s), v);
}

static void test_number_decimal(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(number("4096", &v), 0);
	assert_int_equal(v, 4096);
}

static void test_number_hex(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(number("0x1030", &v), 0);
	assert_int_equal(v, 0x1030);
	assert_int_equal(number("0XfF", &v), 0);
	assert_int_equal(v, 0xff);
}

static void test_number_units(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(number("3p", &v), 0);
	assert_int_equal(v, 12288);
	assert_int_equal(number("2k", &v), 0);
	assert_int_equal(v, 2048);
	assert_int_equal(number("1m", &v), 0);
	assert_int_equal(v, 1 << 20);
	assert_int_equal(number("1g", &v), 0);
	assert_int_equal(v, 1 << 30);
	assert_int_equal(number("0x10p", &v), 0);
	assert_int_equal(v, 16 * 4096);
}

static void test_number_largest(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(number("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(number("0xffffffffffffffff", &v), 0);
	assert_true(v == UINT64_MAX);
}

static void test_number_overflow(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(number("18446744073709551616", &v), -ERANGE);
	assert_int_equal(number("0x10000000000000000", &v), -ERANGE);
	assert_int_equal(number("0x10000000000000p", &v), -ERANGE);
	assert_int_equal(number("17179869184g", &v), -ERANGE);
}

static void test_number_malformed(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(number("", &v), -EINVAL);
	assert_int_equal(number("0x", &v), -EINVAL);
	assert_int_equal(number("12q", &v), -EINVAL);
	assert_int_equal(number("1pp", &v), -EINVAL);
	assert_int_equal(number("1P", &v), -EINVAL);
	assert_int_equal(number("p", &v), -EINVAL);
}

static int string(const char *s, unsigned char *out, size_t *n, size_t *bad)
{
	return fl_sc_lex_string(s, strlen(s), out, n, bad);
}

static void test_string_escapes(void **state)
{
	unsigned char out[64];
	size_t n, bad;

	(void)state;
	assert_int_equal(string("\"a\\n\\t\\x41\\101\\0\\\"\\\\\"", out, &n, &bad), 0);
	assert_int_equal(n, 8);
	assert_memory_equal(out, "a\n\tAA\0\"\\", 8);
}

static void test_string_hex_takes_two_digits(void **state)
{
	unsigned char out[16];
	size_t n, bad;

	(void)state;
	assert_int_equal(string("\"\\x41b\"", out, &n, &bad), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "Ab", 2);
}

static void test_string_bad_escape(void **state)
{
	unsigned char out[16];
	size_t n, bad;

	(void)state;
	assert_int_equal(string("\"ab\\q\"", out, &n, &bad), -EINVAL);
	assert_int_equal(bad, 3);
	assert_int_equal(string("\"\\xg\"", out, &n, &bad), -EINVAL);
	assert_int_equal(string("\"\\777\"", out, &n, &bad), -EINVAL);
}

static void test_string_end(void **state)
{
	const char *s = "\"a\\\"b\" rest";

	(void)state;
	assert_int_equal(fl_sc_string_end(s, strlen(s), 0), 6);
	assert_int_equal(fl_sc_string_end("\"abc", 4, 0), 5);
}

/* Split LINE into words; their count (or the error). */
static int split(const char *line, struct fl_sc_tok *toks, struct fl_sc_diag *d)
{
	struct fl_sc_src src = { "t.fl", line, strlen(line), 0, 1, d };

	return fl_sc_split(&src, line, strlen(line), toks, 16);
}

static void test_split_words_and_columns(void **state)
{
	struct fl_sc_tok t[16];

	(void)state;
	assert_int_equal(split("  mmap\tbuf 2p", t, NULL), 3);
	assert_int_equal(t[0].col, 3);
	assert_int_equal(t[1].col, 8);
	assert_int_equal(t[2].len, 2);
}

static void test_split_comment(void **state)
{
	struct fl_sc_tok t[16];

	(void)state;
	assert_int_equal(split("tag buf 16 3   # one granule", t, NULL), 4);
	assert_int_equal(split("# only a comment", t, NULL), 0);
}

static void test_split_hash_inside_word(void **state)
{
	struct fl_sc_tok t[16];

	(void)state;
	assert_int_equal(split("on fault_in#1 evict", t, NULL), 3);
	assert_int_equal(t[1].len, strlen("fault_in#1"));
}

static void test_split_string_with_blanks(void **state)
{
	struct fl_sc_tok t[16];

	(void)state;
	assert_int_equal(split("store buf \"a b # c\" len=3", t, NULL), 4);
	assert_int_equal(t[2].len, strlen("\"a b # c\""));
	assert_int_equal(split("x src=\"a b\"", t, NULL), 2);
}

static void test_split_unterminated_string(void **state)
{
	struct fl_sc_tok t[16];
	struct fl_sc_diag d;

	(void)state;
	assert_int_equal(split("store buf \"abc", t, &d), -EINVAL);
	assert_int_equal(d.col, 11);
	assert_string_equal(d.msg, "t.fl:1:11: error: expected a closing '\"', found end of line");
}

static int first_line(const char *text, size_t len, struct fl_sc_diag *d,
		      size_t *line_len)
{
	struct fl_sc_src src = { "t.fl", text, len, 0, 0, d };
	const char *line;

	return fl_sc_next_line(&src, &line, line_len);
}

static void test_line_crlf(void **state)
{
	size_t n;

	(void)state;
	assert_int_equal(first_line("load a 1\r\nx", 11, NULL, &n), 1);
	assert_int_equal(n, 8);
}

static void test_line_nul(void **state)
{
	struct fl_sc_diag d;
	size_t n;

	(void)state;
	assert_int_equal(first_line("ab\0c", 4, &d, &n), -EINVAL);
	assert_string_equal(d.msg, "t.fl:1:3: error: expected text, found a NUL byte");
}

static void test_line_invalid_utf8(void **state)
{
	struct fl_sc_diag d;
	size_t n;

	(void)state;
	assert_int_equal(first_line("# caf\xc3\xa9", 7, &d, &n), 1);
	assert_int_equal(first_line("# \xc3(", 4, &d, &n), -EINVAL);
	assert_string_equal(d.msg, "t.fl:1:3: error: expected text, found invalid UTF-8 byte 0xc3");
	assert_int_equal(first_line("\xed\xa0\x80", 3, &d, &n), -EINVAL);   /* a surrogate */
	assert_int_equal(first_line("\xc0\x80", 2, &d, &n), -EINVAL);       /* overlong */
}

static void test_line_control_byte(void **state)
{
	struct fl_sc_diag d;
	size_t n;

	(void)state;
	assert_int_equal(first_line("a\x1b[1m", 5, &d, &n), -EINVAL);
	assert_int_equal(d.col, 2);
}

static void test_line_too_long(void **state)
{
	size_t len = FL_SC_MAX_LINE + 1, n;
	char *text = malloc(len);
	struct fl_sc_diag d;

	(void)state;
	memset(text, 'a', len);
	assert_int_equal(first_line(text, len, &d, &n), -EINVAL);
	assert_int_equal(d.col, FL_SC_MAX_LINE + 1);
	memset(text, 'a', len);
	assert_int_equal(first_line(text, len - 1, &d, &n), 1);
	free(text);
}

static void test_error_found_is_cleaned_and_cut(void **state)
{
	struct fl_sc_diag d;
	struct fl_sc_src src = { "t.fl", "", 0, 0, 7, &d };
	const char *s = "a\tb0123456789012345678901234567890123456789";

	(void)state;
	fl_sc_error_tok(&src, 2, "x", s, strlen(s));
	assert_string_equal(d.msg, "t.fl:7:2: error: expected x, found "
			    "'a?b0123456789012345678901234567890123456'...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_number_decimal),
		cmocka_unit_test(test_number_hex),
		cmocka_unit_test(test_number_units),
		cmocka_unit_test(test_number_largest),
		cmocka_unit_test(test_number_overflow),
		cmocka_unit_test(test_number_malformed),
		cmocka_unit_test(test_string_escapes),
		cmocka_unit_test(test_string_hex_takes_two_digits),
		cmocka_unit_test(test_string_bad_escape),
		cmocka_unit_test(test_string_end),
		cmocka_unit_test(test_split_words_and_columns),
		cmocka_unit_test(test_split_comment),
		cmocka_unit_test(test_split_hash_inside_word),
		cmocka_unit_test(test_split_string_with_blanks),
		cmocka_unit_test(test_split_unterminated_string),
		cmocka_unit_test(test_line_crlf),
		cmocka_unit_test(test_line_nul),
		cmocka_unit_test(test_line_invalid_utf8),
		cmocka_unit_test(test_line_control_byte),
		cmocka_unit_test(test_line_too_long),
		cmocka_unit_test(test_error_found_is_cleaned_and_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
