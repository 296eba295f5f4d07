/*
 * tests/unit/scenario/test_parser.c - each statement kind parses to the
 * node the runner expects; the spec's btrfs example parses to its tree;
 * the canonical print parses back to the same print.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <faultline/arch.h>
#include <faultline/eras.h>
#include <faultline/scenario.h>
#include <faultline/world.h>

static struct fl_scenario *parse(const char *text)
{
	struct fl_scenario *sc;
	struct fl_sc_diag d = { 0 };

	if (fl_scenario_parse("t.fl", text, strlen(text), &sc, &d)) {
		fprintf(stderr, "%s\n", d.msg);
		fail();
	}
	return sc;
}

static const struct fl_sc_stmt *last(const struct fl_scenario *sc)
{
	return &sc->stmts[sc->nstmts - 1];
}

/* The canonical print of statement ST. */
static char *print_stmt(const struct fl_scenario *sc, const struct fl_sc_stmt *st)
{
	static char buf[512];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	fl_sc_stmt_print(f, sc, st);
	fclose(f);
	return buf;
}

static void test_kernel_version(void **state)
{
	struct fl_scenario *sc = parse("kernel 5.18\nkernel host\n");

	(void)state;
	assert_int_equal(sc->stmts[0].verb, FL_SC_KERNEL);
	assert_int_equal(sc->stmts[0].args[0].u.value, FL_KV(5, 18, 0));
	assert_int_equal(sc->stmts[1].args[0].u.value, 0);
	fl_scenario_free(sc);
}

static void test_arch_is_enum(void **state)
{
	struct fl_scenario *sc = parse("arch arm64+mte\n");

	(void)state;
	assert_int_equal(sc->stmts[0].args[0].u.value, FL_ARCH_ARM64_MTE);
	fl_scenario_free(sc);
}

static void test_p_is_predeclared(void **state)
{
	struct fl_scenario *sc = parse("use p\n");

	(void)state;
	assert_string_equal(sc->names[0].text, "p");
	assert_int_equal(sc->stmts[0].args[0].u.ref.id, 0);
	fl_scenario_free(sc);
}

static void test_process_fork_exit(void **state)
{
	struct fl_scenario *sc = parse("process a\nfork b\nuse b\nexit a\n");

	(void)state;
	assert_int_equal(sc->stmts[1].verb, FL_SC_FORK);
	assert_int_equal(sc->stmts[1].args[0].kind, FL_SC_NEW_PROC);
	assert_int_equal(sc->stmts[2].args[0].u.ref.id, sc->stmts[1].args[0].u.ref.id);
	assert_int_equal(sc->names[sc->stmts[1].args[0].u.ref.id].index, 2);
	assert_int_equal(sc->stmts[3].verb, FL_SC_EXIT);
	fl_scenario_free(sc);
}

static void test_file_with_fs(void **state)
{
	struct fl_scenario *sc = parse("file f 3p fs=btrfs\n");
	const struct fl_sc_arg *fs = fl_sc_key(&sc->stmts[0], "fs");

	(void)state;
	assert_int_equal(sc->stmts[0].args[1].u.expr.off, 3 * 4096);
	assert_non_null(fs);
	assert_int_equal(fs->u.value, 2);
	fl_scenario_free(sc);
}

static void test_mmap_keys(void **state)
{
	struct fl_scenario *sc = parse("file f 1p\nmmap m 2p rx shared file=f off=1p at=0x7000\n");
	const struct fl_sc_stmt *st = last(sc);

	(void)state;
	assert_int_equal(st->verb, FL_SC_MMAP);
	assert_int_equal(st->args[2].u.value, 5);   /* r|x */
	assert_int_equal(st->args[3].u.value, 1);   /* shared */
	assert_int_equal(fl_sc_key(st, "file")->u.ref.id, 1);
	assert_int_equal(fl_sc_key(st, "at")->u.expr.off, 0x7000);
	assert_int_equal(fl_sc_key(st, "at")->u.expr.map, -1);
	fl_scenario_free(sc);
}

/* local= and remote= repeat, in source order; the canonical print keeps them. */
static void test_process_vm_repeated_keys(void **state)
{
	struct fl_scenario *sc = parse("mmap a 1p rw private\n"
		"call process_vm_writev p local=a:1 remote=a+8:3 local=a+2:2 flags=0\n");
	const struct fl_sc_stmt *st = last(sc);

	(void)state;
	assert_int_equal(st->nkeys, 4);
	assert_string_equal(st->keys[2].name, "local");
	assert_int_equal(st->keys[2].arg.u.iov.addr.off, 2);
	assert_string_equal(print_stmt(sc, st),
		"call process_vm_writev p local=a:1 remote=a+0x8:3 local=a+0x2:2 flags=0");
	fl_scenario_free(sc);
}

/* expect ret takes a mapping: the address mremap's as= named. */
static void test_expect_ret_mapping(void **state)
{
	struct fl_scenario *sc = parse("mmap a 1p rw private\nmremap a 1p 2p as=b\nexpect ret b+1p\n");
	const struct fl_sc_stmt *st = last(sc);

	(void)state;
	assert_int_equal(st->args[0].u.expr.map, 2);   /* names: p, a, b */
	assert_int_equal(st->args[0].u.expr.off, 4096);
	assert_string_equal(print_stmt(sc, st), "expect ret b+4096");
	fl_scenario_free(sc);
}

/* vmsplice's flags are SPLICE_F_* words in the kernel's bit order. */
static void test_vmsplice_flag_words(void **state)
{
	struct fl_scenario *sc = parse("mmap a 1p rw private\npipe q\n"
				       "call vmsplice q a 1 flags=nonblock,gift\n");

	(void)state;
	assert_int_equal(fl_sc_key(last(sc), "flags")->u.value, 0x2 | 0x8);
	fl_scenario_free(sc);
}

static void test_address_expression(void **state)
{
	struct fl_scenario *sc = parse("mmap buf 2p rw private\nmunmap buf+1p-10 1p\n");
	const struct fl_sc_expr *e = &last(sc)->args[0].u.expr;

	(void)state;
	assert_int_equal(e->map, 1);
	assert_int_equal(e->off, 4096 - 10);
	assert_string_equal(print_stmt(sc, last(sc)), "munmap buf+0xff6 4096");
	fl_scenario_free(sc);
}

static void test_address_below_mapping(void **state)
{
	struct fl_scenario *sc = parse("mmap buf 1p rw private\nload buf-1 1\n");

	(void)state;
	assert_true(fl_sc_expr_eval(&last(sc)->args[0].u.expr, NULL) == UINT64_MAX);
	assert_string_equal(print_stmt(sc, last(sc)), "load buf-0x1 1");
	fl_scenario_free(sc);
}

static void test_vary_and_variables(void **state)
{
	struct fl_scenario *sc = parse("vary off 0..4080 step=16\nvary n -2..2\n"
				       "mmap buf 1p rw private\ntag buf+$off-$n 16 $n\n");
	const struct fl_sc_expr *e = &last(sc)->args[0].u.expr;
	int64_t vals[2] = { 32, -1 };

	(void)state;
	assert_int_equal(sc->nvars, 2);
	assert_int_equal(sc->vars[0].to, 4080);
	assert_int_equal(sc->vars[0].step, 16);
	assert_int_equal(sc->vars[1].from, -2);
	assert_int_equal(sc->vars[1].step, 1);
	assert_int_equal(e->nvars, 2);
	assert_true(e->vars[1].neg);
	assert_int_equal(fl_sc_expr_eval(e, vals), 33);
	assert_int_equal(fl_sc_expr_eval(&last(sc)->args[2].u.expr, vals), (uint64_t)-1);
	fl_scenario_free(sc);
}

static void test_madvise_mprotect(void **state)
{
	struct fl_scenario *sc = parse("madvise 0x10000 1p pageout\nmprotect 0x10000 1p none\n");

	(void)state;
	assert_int_equal(sc->stmts[0].args[2].u.value, 2);
	assert_int_equal(sc->stmts[1].args[2].u.value, 0);
	fl_scenario_free(sc);
}

static void test_store_data_forms(void **state)
{
	struct fl_scenario *sc = parse("store 0x1000 \"a\\x00b\"\npoke 0x1000 2p zero\n"
				       "poke 0x1000 fill=0x41 len=9\npoke 0x1000 1 seq=3\n");

	(void)state;
	assert_int_equal(sc->stmts[0].args[1].kind, FL_SC_NONE);
	assert_int_equal(sc->stmts[0].args[2].u.data.form, FL_SC_DATA_TEXT);
	assert_int_equal(sc->stmts[0].args[2].u.data.len, 3);
	assert_int_equal(sc->stmts[1].args[1].u.expr.off, 8192);
	assert_int_equal(sc->stmts[1].args[2].u.data.form, FL_SC_DATA_ZERO);
	assert_int_equal(sc->stmts[2].args[2].u.data.n.off, 0x41);
	assert_int_equal(fl_sc_key(&sc->stmts[2], "len")->u.expr.off, 9);
	assert_int_equal(sc->stmts[3].args[2].u.data.form, FL_SC_DATA_SEQ);
	assert_int_equal(sc->stmts[3].args[2].u.data.n.off, 3);
	fl_scenario_free(sc);
}

static void test_key_value_is_rest_after_first_equals(void **state)
{
	struct fl_scenario *sc = parse("call copy_to_user 0x1000 4 src=fill=0x41\n");
	const struct fl_sc_arg *src = fl_sc_key(&sc->stmts[0], "src");

	(void)state;
	assert_int_equal(src->u.data.form, FL_SC_DATA_FILL);
	assert_int_equal(src->u.data.n.off, 0x41);
	fl_scenario_free(sc);
}

static void test_call_uaccess(void **state)
{
	struct fl_scenario *sc = parse("call put_user 0x1000 8 -1\n");
	const struct fl_sc_stmt *st = last(sc);

	(void)state;
	assert_int_equal(st->verb, FL_SC_CALL);
	assert_int_equal(st->code, FL_SC_PUT_USER);
	assert_int_equal((int64_t)st->args[2].u.expr.off, -1);
	fl_scenario_free(sc);
}

static void test_call_fds(void **state)
{
	struct fl_scenario *sc = parse("file f 1p\npipe q\ncall read f 0x1000 10\n"
				       "call write q.w 0x1000 10\ncall vmsplice q 0x1000 1p\n");

	(void)state;
	assert_int_equal(sc->stmts[2].args[0].u.ref.end, FL_SC_END_NONE);
	assert_int_equal(sc->stmts[3].args[0].u.ref.end, FL_SC_END_WRITE);
	assert_int_equal(sc->stmts[3].args[0].u.ref.id, 2);
	assert_int_equal(sc->stmts[4].args[0].kind, FL_SC_PIPE_FD);
	fl_scenario_free(sc);
}

static void test_call_readv_list(void **state)
{
	struct fl_scenario *sc = parse("mmap a 1p rw private\npipe q\n"
				       "call readv q.r a:10 a+0x10:20 0x5000:1p\n");
	const struct fl_sc_stmt *st = last(sc);

	(void)state;
	assert_int_equal(st->nargs, 4);
	assert_int_equal(st->args[2].u.iov.addr.off, 0x10);
	assert_int_equal(st->args[2].u.iov.len.off, 20);
	assert_int_equal(st->args[3].u.iov.addr.map, -1);
	assert_int_equal(st->args[3].u.iov.len.off, 4096);
	fl_scenario_free(sc);
}

static void test_call_gup_handle(void **state)
{
	struct fl_scenario *sc = parse("call pin_user_pages 0x1000 2 write,longterm as=H\n"
				       "call get_user_pages_fast 0x1000 1 - as=G\ncall put_pages H\n");
	const struct fl_sc_arg *as = fl_sc_key(&sc->stmts[0], "as");

	(void)state;
	assert_int_equal(sc->stmts[0].args[2].u.value, 1 | 4);
	assert_int_equal(as->kind, FL_SC_NEW_PAGES);
	assert_int_equal(sc->stmts[1].args[2].u.value, 0);
	assert_int_equal(sc->stmts[2].args[0].u.ref.id, as->u.ref.id);
	fl_scenario_free(sc);
}

static void test_call_uffd(void **state)
{
	struct fl_scenario *sc = parse("call userfaultfd as=U\ncall uffd_api U event_fork,sigbus\n"
				       "call uffd_register U 0x1000 1p missing,minor\n"
				       "call uffd_copy U 0x1000 1p src=seq mode=dontwake,wp\n"
				       "call uffd_writeprotect U 0x1000 1p on\n");

	(void)state;
	assert_int_equal(sc->stmts[0].args[0].kind, FL_SC_NONE);
	assert_int_equal(sc->stmts[1].args[1].u.value, (1 << 1) | (1 << 7));
	assert_int_equal(sc->stmts[2].args[3].u.value, 1 | 4);
	assert_int_equal(fl_sc_key(&sc->stmts[3], "mode")->u.value, 3);
	assert_int_equal(sc->stmts[4].args[3].u.value, 1);
	fl_scenario_free(sc);
}

static void test_on_hook(void **state)
{
	struct fl_scenario *sc = parse("mmap buf 2p rw private\non fault_in#1 evict buf+1p 1p\n"
				       "on uaccess munmap buf 1p\n");
	const struct fl_sc_stmt *on = &sc->stmts[1];

	(void)state;
	assert_int_equal(on->verb, FL_SC_ON);
	assert_int_equal(on->args[0].u.hook.hook, FL_HOOK_FAULT_IN);
	assert_int_equal(on->args[0].u.hook.nth.off, 1);
	assert_int_equal(on->hooked->verb, FL_SC_EVICT);
	assert_int_equal(on->hooked->args[0].u.expr.off, 4096);
	assert_int_equal(sc->stmts[2].args[0].u.hook.nth.off, 0);
	fl_scenario_free(sc);
}

static void test_expect_forms(void **state)
{
	struct fl_scenario *sc = parse("call userfaultfd as=U\ncall uffd_read U\n"
				       "expect ret -EFAULT\nexpect errno EAGAIN\nexpect copy -EEXIST\n"
				       "expect outcome livelock\nexpect mem 0x1000 3 \"abc\"\n"
				       "expect mem 0x1000 3 unchanged\nexpect event U pagefault flags=write,wp\n"
				       "expect one-of ret=0 ret=-EFAULT outcome=sigbus\n");
	unsigned i;

	(void)state;
	for (i = 2; i < sc->nstmts; i++)
		assert_int_equal(sc->stmts[i].subject, 1);
	assert_int_equal((int64_t)sc->stmts[2].args[0].u.expr.off, -EFAULT);
	assert_int_equal(sc->stmts[3].args[0].u.value, EAGAIN);
	assert_int_equal((int64_t)sc->stmts[4].args[0].u.expr.off, -EEXIST);
	assert_int_equal(sc->stmts[5].args[0].u.value, FL_SC_LIVELOCK);
	assert_int_equal(sc->stmts[7].args[2].u.data.form, FL_SC_DATA_UNCHANGED);
	assert_int_equal(fl_sc_key(&sc->stmts[8], "flags")->u.value, 3);
	assert_int_equal(sc->stmts[9].code, FL_SC_EXPECT_ONE_OF);
	assert_int_equal(sc->stmts[9].nkeys, 3);
	assert_string_equal(sc->stmts[9].keys[1].name, "ret");
	fl_scenario_free(sc);
}

static void test_expect_subject_is_latest(void **state)
{
	struct fl_scenario *sc = parse("store 0x1000 \"a\"\nload 0x1000 1\nexpect outcome ok\n");

	(void)state;
	assert_int_equal(last(sc)->subject, 1);
	fl_scenario_free(sc);
}

static const char btrfs[] =
	"kernel 5.18\n"
	"arch arm64+mte\n"
	"mmap buf 2p rw private\n"
	"poke buf 2p zero\n"
	"tag buf+0x1030 16 3          # one bad granule in the middle of page 1\n"
	"call btrfs_search_ioctl buf 2p\n"
	"expect outcome livelock\n";

static void test_spec_btrfs_example(void **state)
{
	struct fl_scenario *sc = parse(btrfs);
	const struct fl_sc_stmt *s = sc->stmts;

	(void)state;
	assert_int_equal(sc->nstmts, 7);
	assert_int_equal(s[0].args[0].u.value, FL_KV(5, 18, 0));
	assert_int_equal(s[1].args[0].u.value, FL_ARCH_ARM64_MTE);
	assert_int_equal(s[2].verb, FL_SC_MMAP);
	assert_string_equal(sc->names[s[2].args[0].u.ref.id].text, "buf");
	assert_int_equal(s[2].args[1].u.expr.off, 8192);
	assert_int_equal(s[3].verb, FL_SC_POKE);
	assert_int_equal(s[3].args[1].u.expr.off, 8192);
	assert_int_equal(s[3].args[2].u.data.form, FL_SC_DATA_ZERO);
	assert_int_equal(s[4].verb, FL_SC_TAG);
	assert_int_equal(s[4].args[0].u.expr.map, s[2].args[0].u.ref.id);
	assert_int_equal(s[4].args[0].u.expr.off, 0x1030);
	assert_int_equal(s[4].args[1].u.expr.off, 16);
	assert_int_equal(s[4].args[2].u.expr.off, 3);
	assert_int_equal(s[4].line, 5);
	assert_int_equal(s[4].args[2].col, 19);
	assert_int_equal(s[5].code, FL_SC_BTRFS_SEARCH_IOCTL);
	assert_int_equal(s[6].code, FL_SC_EXPECT_OUTCOME);
	assert_int_equal(s[6].args[0].u.value, FL_SC_LIVELOCK);
	assert_int_equal(s[6].subject, 5);
	fl_scenario_free(sc);
}

/* print(parse(T)) parses again, to a tree that prints the same. */
static void test_print_round_trips(void **state)
{
	char *once, *twice;
	size_t n1, n2;
	struct fl_scenario *sc = parse(btrfs), *again;
	FILE *f = open_memstream(&once, &n1);

	(void)state;
	fl_scenario_print(f, sc);
	fclose(f);
	again = parse(once);
	f = open_memstream(&twice, &n2);
	fl_scenario_print(f, again);
	fclose(f);
	assert_string_equal(once, twice);
	assert_non_null(strstr(once, "tag buf+0x1030 16 3\n"));
	free(once);
	free(twice);
	fl_scenario_free(sc);
	fl_scenario_free(again);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_version),
		cmocka_unit_test(test_arch_is_enum),
		cmocka_unit_test(test_p_is_predeclared),
		cmocka_unit_test(test_process_fork_exit),
		cmocka_unit_test(test_file_with_fs),
		cmocka_unit_test(test_mmap_keys),
		cmocka_unit_test(test_process_vm_repeated_keys),
		cmocka_unit_test(test_vmsplice_flag_words),
		cmocka_unit_test(test_expect_ret_mapping),
		cmocka_unit_test(test_address_expression),
		cmocka_unit_test(test_address_below_mapping),
		cmocka_unit_test(test_vary_and_variables),
		cmocka_unit_test(test_madvise_mprotect),
		cmocka_unit_test(test_store_data_forms),
		cmocka_unit_test(test_key_value_is_rest_after_first_equals),
		cmocka_unit_test(test_call_uaccess),
		cmocka_unit_test(test_call_fds),
		cmocka_unit_test(test_call_readv_list),
		cmocka_unit_test(test_call_gup_handle),
		cmocka_unit_test(test_call_uffd),
		cmocka_unit_test(test_on_hook),
		cmocka_unit_test(test_expect_forms),
		cmocka_unit_test(test_expect_subject_is_latest),
		cmocka_unit_test(test_spec_btrfs_example),
		cmocka_unit_test(test_print_round_trips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
