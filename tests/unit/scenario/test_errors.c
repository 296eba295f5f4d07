/*
 * tests/unit/scenario/test_errors.c - every input error names FILE:LINE:COL
 * and says what was expected; nothing of a bad file is returned.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <faultline/scenario.h>

/* TEXT[0..LEN) must fail with a message starting with PREFIX. */
static void assert_error_n(const char *text, size_t len, const char *prefix)
{
	struct fl_scenario *sc = (struct fl_scenario *)1;
	struct fl_sc_diag d = { 0 };

	assert_int_equal(fl_scenario_parse("t.fl", text, len, &sc, &d), -EINVAL);
	assert_null(sc);
	if (strncmp(d.msg, prefix, strlen(prefix)))
		fail_msg("got \"%s\"\nwant \"%s...\"", d.msg, prefix);
	assert_null(strchr(d.msg, '\n'));
}

static void assert_error(const char *text, const char *prefix)
{
	assert_error_n(text, strlen(text), prefix);
}

static void test_unknown_verb(void **state)
{
	(void)state;
	assert_error("kernel 5.18\n  frobnicate buf\n",
		     "t.fl:2:3: error: expected a statement (");
}

/* close takes one end of a pipe: a bare pipe or a file is an input error. */
static void test_close_needs_pipe_end(void **state)
{
	(void)state;
	assert_error("pipe a\nclose a\n", "t.fl:2:7: error: expected PIPE.r, PIPE.w, SOCK.0 or SOCK.1, found 'a'");
	assert_error("file f 1p\nclose f.r\n",
		     "t.fl:2:7: error: expected PIPE.r, PIPE.w, SOCK.0 or SOCK.1, found 'f.r'");
	assert_error("pipe a nonblock=maybe\n", "t.fl:1:17: error: expected on or off");
}

/* dir: N names of namelen letters must exist, at most 1024; a removed one is empty. */
static void test_dir_limits(void **state)
{
	(void)state;
	assert_error("dir d 30 namelen=1\n",
		     "t.fl:1:7: error: expected at most 26^namelen entries, found more");
	assert_error("dir d 1 removed=on\n",
		     "t.fl:1:17: error: expected removed=on on an empty directory (N 0), found entries");
	assert_error("dir d 1025\n",
		     "t.fl:1:7: error: expected a constant count of at most 1024 entries, found another");
	assert_error("dir d 2 subdirs=1 symlinks=2\n",
		     "t.fl:1:28: error: expected subdirs= and symlinks= of at most N entries in all, "
		     "found more");
	assert_error("dir d subdirs=1\n",
		     "t.fl:1:15: error: expected subdirs= and symlinks= of at most N entries in all, "
		     "found more");
	assert_error("vary a 0..1\ndir d 2 symlinks=$a\n",
		     "t.fl:2:18: error: expected a constant count, found another");
}

static void test_bad_number(void **state)
{
	(void)state;
	assert_error("mmap buf 2q rw private\n", "t.fl:1:10: error: expected a number, found '2q'");
}

static void test_number_overflow(void **state)
{
	(void)state;
	assert_error("mmap buf 0x10000000000000000 rw private\n",
		     "t.fl:1:10: error: expected a number below 2^64, found '0x10000000000000000'");
	assert_error("mmap buf 4503599627370496p rw private\n",
		     "t.fl:1:10: error: expected a number below 2^64");
}

/* process_vm's one-a-side form comes whole: PROC LOCAL REMOTE LEN. */
static void test_process_vm_partial_sides(void **state)
{
	(void)state;
	assert_error("mmap a 1p rw private\ncall process_vm_readv p a\n",
		     "t.fl:2:26: error: expected LOCAL REMOTE LEN, or local=/remote= keys, found end of line");
}

/* ... and never beside local=/remote= keys. */
static void test_process_vm_both_forms(void **state)
{
	(void)state;
	assert_error("mmap a 1p rw private\ncall process_vm_readv p a a 1 local=a:1\n",
		     "t.fl:2:25: error: expected either LOCAL REMOTE LEN or local=/remote= keys, found 'a'");
}

/* A key not marked repeatable is still given once: nr= of readv. */
static void test_key_once_beside_repeatable(void **state)
{
	(void)state;
	assert_error("mmap a 1p rw private\nfile f 1\ncall readv f a:1 nr=2 nr=3\n",
		     "t.fl:3:23: error: expected each key once, found 'nr=3'");
}

static void test_missing_argument(void **state)
{
	(void)state;
	assert_error("mmap buf 2p rw\n",
		     "t.fl:1:15: error: expected private or shared, found end of line");
}

static void test_missing_argument_before_key(void **state)
{
	(void)state;
	assert_error("mmap buf 2p rw at=0x1000\n",
		     "t.fl:1:16: error: expected private or shared, found 'at=0x1000'");
}

static void test_extra_argument(void **state)
{
	(void)state;
	assert_error("mmap buf 1p rw private\nmunmap buf 1 2\n",
		     "t.fl:2:14: error: expected end of line, found '2'");
}

static void test_unknown_mapping(void **state)
{
	(void)state;
	assert_error("mmap buf 1p rw private\ncall copy_to_user bfu+4 1\n",
		     "t.fl:2:19: error: expected a mapping declared by an earlier mmap, found 'bfu'");
}

static void test_name_used_on_its_own_line(void **state)
{
	(void)state;
	assert_error("mmap buf 1p rw private at=buf+1p\n",
		     "t.fl:1:27: error: expected a mapping declared by an earlier mmap, found 'buf'");
}

static void test_unknown_process(void **state)
{
	(void)state;
	assert_error("use q\n", "t.fl:1:5: error: expected a process declared by process or fork, found 'q'");
}

static void test_name_of_another_kind(void **state)
{
	(void)state;
	assert_error("pipe x\nmmap x 1p rw private\n",
		     "t.fl:2:6: error: expected a name not declared before, found 'x'");
}

/* `on` runs its statement only if the hook fires: it may name nothing. */
static void test_hooked_access_names_nothing(void **state)
{
	(void)state;
	assert_error("mmap b 1p rw private\non fault store b \"x\" as=A\n",
		     "t.fl:2:25: error: expected a statement allowed after on, "
		     "found a key that declares a name");
}

/* wait takes a name as= declared, not a mapping. */
static void test_wait_needs_an_access_name(void **state)
{
	(void)state;
	assert_error("mmap b 1p rw private\nwait b\n",
		     "t.fl:2:6: error: expected an access named by as= of store, load or "
		     "a system call, found 'b'");
}

static void test_unterminated_string(void **state)
{
	(void)state;
	assert_error("store 0x1000 \"abc\n", "t.fl:1:14: error: expected a closing '\"', found end of line");
}

static void test_bad_escape(void **state)
{
	(void)state;
	assert_error("store 0x1000 \"a\\qb\"\n", "t.fl:1:16: error: expected a C escape");
}

static void test_long_line(void **state)
{
	size_t len = 10u << 20;
	char *text = malloc(len + 16);

	(void)state;
	memcpy(text, "load 0x1000 1\n# ", 16);
	memset(text + 16, 'x', len);
	assert_error_n(text, len + 16, "t.fl:2:65537: error: expected a line of at most 65536 bytes");
	free(text);
}

static void test_big_file(void **state)
{
	size_t len = FL_SC_MAX_FILE + 1;
	char *text = malloc(len);

	(void)state;
	memset(text, '\n', len);
	assert_error_n(text, len, "t.fl:1:1: error: expected a file of at most 16 MiB");
	free(text);
}

static void test_binary_garbage(void **state)
{
	static const char garbage[] = "kernel 5.18\n\x7f" "ELF\x02\x01\x01\0\0\0";

	(void)state;
	assert_error_n(garbage, sizeof(garbage) - 1, "t.fl:2:1: error: expected text, found control byte 0x7f");
}

static void test_nul_byte(void **state)
{
	(void)state;
	assert_error_n("load 0x1000 1\nload\0", 19, "t.fl:2:5: error: expected text, found a NUL byte");
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	assert_error("# ok\n# caf\xe9\n", "t.fl:2:6: error: expected text, found invalid UTF-8 byte 0xe9");
}

static void test_unknown_key(void **state)
{
	(void)state;
	assert_error("mmap buf 1p rw private colour=red\n",
		     "t.fl:1:24: error: expected a key of mmap (file=, off=, at=, hugetlb=), found 'colour=red'");
}

static void test_duplicate_key(void **state)
{
	(void)state;
	assert_error("file f 1p fs=ext4 fs=btrfs\n", "t.fl:1:19: error: expected each key once");
}

static void test_missing_required_key(void **state)
{
	(void)state;
	assert_error("call get_user_pages 0x1000 1 write\n",
		     "t.fl:1:35: error: expected as=NAME, found end of line");
}

static void test_expect_before_any_call(void **state)
{
	(void)state;
	assert_error("mmap buf 1p rw private\nexpect ret 0\n",
		     "t.fl:2:1: error: expected a call, store or load before expect, found 'expect'");
}

static void test_on_unknown_hook(void **state)
{
	(void)state;
	assert_error("on pagefault#2 evict 0x1000 1p\n",
		     "t.fl:1:4: error: expected a hook (uaccess, fault, fault_in, gup, uffd_copy), found 'pagefault'");
}

static void test_on_declaring_statement(void **state)
{
	(void)state;
	assert_error("on fault mmap m 1p rw private\n",
		     "t.fl:1:10: error: expected a statement allowed after on, found 'mmap'");
}

static void test_unknown_function(void **state)
{
	(void)state;
	assert_error("call copy_to_usr 0x1000 1\n", "t.fl:1:6: error: expected a kernel function");
}

static void test_undeclared_variable(void **state)
{
	(void)state;
	assert_error("vary a 0..3\nload 0x1000+$b 1\n",
		     "t.fl:2:13: error: expected a variable declared by vary, found '$b'");
}

static void test_unknown_errno(void **state)
{
	(void)state;
	assert_error("load 0x1000 1\nexpect ret -EFOO\n", "t.fl:2:13: error: expected an errno name, found 'EFOO'");
}

static void test_bad_flag_word(void **state)
{
	(void)state;
	assert_error("call pin_user_pages 0x1000 1 write,frce as=H\n",
		     "t.fl:1:36: error: expected GUP flags");
}

static void test_fill_beyond_a_byte(void **state)
{
	(void)state;
	assert_error("poke 0x1000 1 fill=0x100\n", "t.fl:1:20: error: expected a byte (0 to 0xff), found '0x100'");
}

static void test_found_is_truncated(void **state)
{
	(void)state;
	assert_error("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
		     "t.fl:1:1: error: expected a statement (kernel, arch, process, mmap, store, call, "
		     "on, expect, vary, ...), found 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'...");
}

/* The vary space's limits (FL_SC_MAX_VARS, FL_SC_MAX_CASES) name the line. */
static void test_vary_space_past_2_62_cases(void **state)
{
	(void)state;
	assert_error("vary a 0..0x7fffffff\nvary b 0..0x7fffffff\nvary c 0..0xff\n",
		     "t.fl:3:8: error: expected a vary space of at most 2^62 cases in all, "
		     "found '0..0xff'");
}

/* to - from overflowed int64_t here (issue 13: SIGFPE, UBSan). */
/* A socket end is SOCK.0 or SOCK.1 of a socketpair; a socket is no file. */
static void test_socket_end(void **state)
{
	(void)state;
	assert_error("socketpair s stream\nmmap a 1p rw private\ncall sendmsg s a:1\n",
		     "t.fl:3:14: error: expected a socket end SOCK.0 or SOCK.1 (SOCK declared by "
		     "socketpair), found 's'");
	assert_error("pipe q\nmmap a 1p rw private\ncall recvmsg q.0 a:1\n",
		     "t.fl:3:14: error: expected a socket end SOCK.0 or SOCK.1");
	assert_error("socketpair s stream\nmmap a 1p rw private\ncall read s.0 a 1\n",
		     "t.fl:3:11: error: expected a file, PIPE.r or PIPE.w, found 's.0'");
	assert_error("socketpair s raw\n",
		     "t.fl:1:14: error: expected a socket type (stream, dgram, tcp, seqpacket, udp), "
		     "found 'raw'");
	/* msg_flags names what recvmsg writes back, not the call's flags */
	assert_error("socketpair s dgram\nmmap a 1p rw private\ncall recvmsg s.1 a:1\n"
		     "expect msg_flags peek\n",
		     "t.fl:4:18: error: expected msg_flags (- or trunc,ctrunc,eor,oob,errqueue), "
		     "found 'peek'");
	/* rights= names a descriptor: a pipe's end, never the bare pipe */
	assert_error("socketpair s dgram\npipe q\nmmap a 1p rw private\n"
		     "call sendmsg s.0 a:1 rights=q\n",
		     "t.fl:4:29: error: expected FILE, PIPE.r, PIPE.w, SOCK.0 or SOCK.1, found 'q'");
	assert_error("socketpair s dgram\nmmap a 1p rw private\ncall recvmsg s.1 a:1\n"
		     "expect rights 0 a\n",
		     "t.fl:4:17: error: expected FILE, PIPE.r, PIPE.w, SOCK.0 or SOCK.1, found 'a'");
}

static void test_scan_and_guard_words(void **state)
{
	(void)state;
	assert_error("mmap a 1p rw private\ncall pagemap_scan a 1p require=bogus\n",
		     "t.fl:2:32: error: expected page categories (- or wpallowed,written,file,"
		     "present,swapped,pfnzero,huge,softdirty,guard), found 'bogus'");
	assert_error("mmap a 1p rw private\ncall pagemap_scan a 1p\nexpect region 0 0 1p\n",
		     "t.fl:3:21: error: expected page categories");
	assert_error("mmap a 1p rw private\ncall madvise a 1p guard_bogus\n",
		     "t.fl:2:19: error: expected an advice");
}

static void test_vary_range_wider_than_int64(void **state)
{
	(void)state;
	assert_error("vary a -9223372036854775808..9223372036854775807\n",
		     "t.fl:1:8: error: expected a vary space of at most 2^62 cases in all");
	assert_error("vary a -1..9223372036854775807\n",
		     "t.fl:1:8: error: expected a vary space of at most 2^62 cases in all");
}

static void test_vary_space_of_exactly_2_62_cases_parses(void **state)
{
	static const char text[] = "vary a -9223372036854775808..9223372036854775807 step=4\n";
	struct fl_scenario *sc;
	struct fl_sc_diag d = { 0 };

	(void)state;
	assert_int_equal(fl_scenario_parse("t.fl", text, strlen(text), &sc, &d), 0);
	assert_true(fl_sc_var_count(&sc->vars[0]) == FL_SC_MAX_CASES);
	fl_scenario_free(sc);
}

/* "vary vN 0..0" lines v0 .. v(N-1) */
static char *vary_lines(unsigned n)
{
	char *text = malloc(n * 24 + 1), *at = text;
	unsigned i;

	assert_non_null(text);
	*at = '\0';
	for (i = 0; i < n; i++)
		at += sprintf(at, "vary v%u 0..0\n", i);
	return text;
}

static void test_more_than_64_vary_variables(void **state)
{
	char *text = vary_lines(100);

	(void)state;
	assert_error(text, "t.fl:65:6: error: expected at most 64 vary variables in a file, "
		     "found 'v64'");
	free(text);
}

static void test_64_vary_variables_parse(void **state)
{
	char *text = vary_lines(64);
	struct fl_scenario *sc;
	struct fl_sc_diag d = { 0 };

	(void)state;
	assert_int_equal(fl_scenario_parse("t.fl", text, strlen(text), &sc, &d), 0);
	assert_int_equal(sc->nvars, 64);
	fl_scenario_free(sc);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_verb),
		cmocka_unit_test(test_socket_end),
		cmocka_unit_test(test_bad_number),
		cmocka_unit_test(test_close_needs_pipe_end),
		cmocka_unit_test(test_dir_limits),
		cmocka_unit_test(test_number_overflow),
		cmocka_unit_test(test_missing_argument),
		cmocka_unit_test(test_process_vm_partial_sides),
		cmocka_unit_test(test_process_vm_both_forms),
		cmocka_unit_test(test_key_once_beside_repeatable),
		cmocka_unit_test(test_missing_argument_before_key),
		cmocka_unit_test(test_extra_argument),
		cmocka_unit_test(test_hooked_access_names_nothing),
		cmocka_unit_test(test_wait_needs_an_access_name),
		cmocka_unit_test(test_unknown_mapping),
		cmocka_unit_test(test_name_used_on_its_own_line),
		cmocka_unit_test(test_unknown_process),
		cmocka_unit_test(test_name_of_another_kind),
		cmocka_unit_test(test_unterminated_string),
		cmocka_unit_test(test_bad_escape),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_big_file),
		cmocka_unit_test(test_binary_garbage),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_missing_required_key),
		cmocka_unit_test(test_expect_before_any_call),
		cmocka_unit_test(test_on_unknown_hook),
		cmocka_unit_test(test_on_declaring_statement),
		cmocka_unit_test(test_unknown_function),
		cmocka_unit_test(test_undeclared_variable),
		cmocka_unit_test(test_unknown_errno),
		cmocka_unit_test(test_bad_flag_word),
		cmocka_unit_test(test_fill_beyond_a_byte),
		cmocka_unit_test(test_found_is_truncated),
		cmocka_unit_test(test_vary_space_past_2_62_cases),
		cmocka_unit_test(test_scan_and_guard_words),
		cmocka_unit_test(test_vary_range_wider_than_int64),
		cmocka_unit_test(test_vary_space_of_exactly_2_62_cases_parses),
		cmocka_unit_test(test_more_than_64_vary_variables),
		cmocka_unit_test(test_64_vary_variables_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
