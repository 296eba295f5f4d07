/*
 * tests/unit/scenario/test_run.c - the runner (scenario/run.c) on the model
 * backend: verdicts, expectations, injected events and DATA materialization.
 *
 * Each test parses a scenario from memory, runs it with fl_scenario_run()
 * on &fl_model_backend and checks one behaviour of the verdict or of a
 * step.  The addresses are the model's: a mapping gets an unmapped guard
 * page on both sides, so a copy that runs off its end faults there.
 *
 *   buf (1p)      | guard |  0 .......... 4095  | guard |
 *   copy 16 at 4086:           ^^^^^^^^^^ 10 bytes, then the fault
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <faultline/run.h>

struct ran {
	struct fl_scenario *sc;
	struct fl_run *run;
};

static struct ran run_vars(const char *text, const int64_t *vars)
{
	struct ran r = { 0 };
	struct fl_sc_diag d = { 0 };

	if (fl_scenario_parse("t.fl", text, strlen(text), &r.sc, &d))
		fail_msg("does not parse: %s", d.msg);
	assert_int_equal(fl_scenario_run(r.sc, &fl_model_backend, vars, &r.run), 0);
	return r;
}

static struct ran run(const char *text)
{
	return run_vars(text, NULL);
}

static void done(struct ran *r)
{
	fl_run_free(r->run);
	fl_scenario_free(r->sc);
}

static void assert_verdict(const struct ran *r, enum fl_verdict want)
{
	if (r->run->verdict != want)
		fail_msg("verdict %s (%s), want %s", fl_verdict_name(r->run->verdict),
			 r->run->reason, fl_verdict_name(want));
}

static void assert_reason_has(const struct ran *r, const char *part)
{
	if (!strstr(r->run->reason, part))
		fail_msg("reason \"%s\" does not contain \"%s\"", r->run->reason, part);
}

/* The step of the statement on source line LINE. */
static const struct fl_step *step_at(const struct ran *r, unsigned line)
{
	unsigned i;

	for (i = 0; i < r->run->nsteps; i++)
		if (r->run->steps[i].st->line == line)
			return &r->run->steps[i];
	fail_msg("no step ran for line %u", line);
	return NULL;
}

/* ---- verdicts ---- */

static void test_holding_expectation_passes(void **state)
{
	struct ran r = run("mmap buf 1p rw private\n"
			   "call copy_to_user buf+1p-10 16\n"
			   "expect ret 6\n");

	(void)state;
	assert_verdict(&r, FL_VERDICT_PASS);
	assert_int_equal(r.run->expects, 1);
	assert_int_equal(r.run->failed, 0);
	assert_string_equal(r.run->reason, "1 expectation holds");
	done(&r);
}

static void test_wrong_ret_fails_with_seen_value(void **state)
{
	struct ran r = run("mmap buf 1p rw private\n"
			   "call copy_to_user buf+1p-10 16\n"
			   "expect ret 5\n");

	(void)state;
	assert_verdict(&r, FL_VERDICT_FAIL);
	assert_int_equal(r.run->failed, 1);
	assert_false(step_at(&r, 3)->held);
	assert_string_equal(step_at(&r, 3)->seen, "ret 6");
	assert_string_equal(r.run->reason, "line 3: expectation failed: ret 6");
	done(&r);
}

/*
 * A model that lacks one capability: `call restore_fpregs` answers
 * -EOPNOTSUPP, as the model does for every call it has no table entry
 * for.  The real model grows capabilities every week; the runner's
 * handling of an unsupported statement must not depend on which are left.
 */
static struct fl_backend_ops partial_backend;

static int partial_exec(struct fl_backend *b, const struct fl_sc_stmt *st,
			const struct fl_val *args, struct fl_obs *obs)
{
	if (st->verb == FL_SC_CALL && st->code == FL_SC_RESTORE_FPREGS) {
		snprintf(obs->why, sizeof(obs->why), "not modelled yet");
		return -EOPNOTSUPP;
	}
	return fl_model_backend.exec(b, st, args, obs);
}

static struct ran run_partial(const char *text)
{
	struct ran r = { 0 };
	struct fl_sc_diag d = { 0 };

	partial_backend = fl_model_backend;
	partial_backend.exec = partial_exec;
	if (fl_scenario_parse("t.fl", text, strlen(text), &r.sc, &d))
		fail_msg("does not parse: %s", d.msg);
	assert_int_equal(fl_scenario_run(r.sc, &partial_backend, NULL, &r.run), 0);
	return r;
}

/* The expectation would hold if the call were skipped: never PASS. */
static void test_unsupported_call_is_never_pass(void **state)
{
	struct ran r = run_partial("mmap buf 1p rw private\n"
				   "call restore_fpregs buf 512\n"
				   "expect mem buf 4 zero\n");

	(void)state;
	assert_verdict(&r, FL_VERDICT_UNSUPPORTED);
	assert_string_equal(r.run->reason,
			    "unsupported: call restore_fpregs (not modelled yet)");
	done(&r);
}

static void test_unsupported_statement_stops_the_run(void **state)
{
	struct ran r = run_partial("mmap buf 1p rw private\n"
				   "call restore_fpregs buf 512\n"
				   "store buf \"x\"\n"
				   "expect outcome ok\n");

	(void)state;
	assert_verdict(&r, FL_VERDICT_UNSUPPORTED);
	assert_int_equal(r.run->nsteps, 2);
	assert_int_equal(r.run->expects, 0);
	done(&r);
}

/* ---- expect mem ... unchanged ---- */

/* The bytes before the store are 0x11 (poked), not the initial zeros. */
static void test_unchanged_compares_with_bytes_before_call(void **state)
{
	struct ran r = run("mmap buf 1p rw private\n"
			   "poke buf 1p fill=0x11\n"
			   "store buf \"xy\"\n"
			   "expect mem buf+2 6 unchanged\n");

	(void)state;
	assert_verdict(&r, FL_VERDICT_PASS);
	done(&r);
}

static void test_unchanged_fails_when_store_changes_bytes(void **state)
{
	struct ran r = run("mmap buf 1p rw private\n"
			   "poke buf 1p fill=0x11\n"
			   "store buf+1 \"xy\"\n"
			   "expect mem buf 4 unchanged\n");

	(void)state;
	assert_verdict(&r, FL_VERDICT_FAIL);
	assert_non_null(strstr(step_at(&r, 4)->seen, "(+1) is 0x78, want 0x11"));
	done(&r);
}

/* Only the 6 bytes before the guard page are written by the short copy. */
static void test_unchanged_after_short_copy(void **state)
{
	struct ran r = run("mmap buf 1p rw private\n"
			   "poke buf 1p fill=0x11\n"
			   "call copy_to_user buf+1p-6 16 src=fill=0x22\n"
			   "expect ret 10\n"
			   "expect mem buf+1p-6 6 fill=0x22\n"
			   "expect mem buf+1p-12 6 unchanged\n");

	(void)state;
	assert_verdict(&r, FL_VERDICT_PASS);
	assert_int_equal(r.run->expects, 3);
	done(&r);
}

/*
 * An expect judges the latest store, even past statements that are no
 * subject (a poke here): the bytes are those before the store, not those
 * before the poke after it.  Two stores, each with its own captures.
 */
static void test_unchanged_past_a_statement_between(void **state)
{
	struct ran r = run("mmap buf 1p rw private\n"
			   "poke buf 1p fill=0x11\n"
			   "store buf \"ab\"\n"
			   "poke buf+8 4 fill=0x33\n"
			   "expect mem buf+2 6 unchanged\n"
			   "expect mem buf+8 4 unchanged\n"
			   "store buf+16 \"cd\"\n"
			   "expect mem buf+8 4 unchanged\n");

	(void)state;
	assert_verdict(&r, FL_VERDICT_FAIL);
	assert_int_equal(r.run->failed, 1);
	assert_non_null(strstr(r.run->reason, "line 6:"));
	assert_int_equal(r.run->expects, 3);
	done(&r);
}

/* ---- expect kbuf ---- */

/* copy_from_user zero-fills the kernel tail it could not copy. */
static void test_kbuf_after_copy_from_user(void **state)
{
	struct ran r = run("mmap buf 1p rw private\n"
			   "poke buf+1p-3 \"abc\"\n"
			   "call copy_from_user buf+1p-3 8\n"
			   "expect ret 5\n"
			   "expect kbuf 0 3 \"abc\"\n"
			   "expect kbuf 3 5 zero\n");

	(void)state;
	assert_verdict(&r, FL_VERDICT_PASS);
	assert_int_equal(r.run->expects, 3);
	done(&r);
}

static void test_kbuf_mismatch_names_the_byte(void **state)
{
	struct ran r = run("mmap buf 1p rw private\n"
			   "poke buf \"abc\"\n"
			   "call copy_from_user buf 3\n"
			   "expect kbuf 0 3 \"abd\"\n");

	(void)state;
	assert_verdict(&r, FL_VERDICT_FAIL);
	assert_string_equal(step_at(&r, 4)->seen, "kernel byte 2 is 0x63, want 0x64");
	done(&r);
}

/* ---- expect one-of ---- */

static void test_one_of_holds_when_any_key_holds(void **state)
{
	struct ran r = run("mmap buf 1p rw private\n"
			   "call copy_to_user buf+1p-10 16\n"
			   "expect one-of errno=EFAULT ret=5 ret=6\n");

	(void)state;
	assert_verdict(&r, FL_VERDICT_PASS);
	done(&r);
}

/* errno=EFAULT is judged against the errno, not the return value. */
static void test_one_of_fails_when_no_key_holds(void **state)
{
	struct ran r = run("mmap buf 1p rw private\n"
			   "call copy_to_user buf+1p-10 16\n"
			   "expect one-of ret=5 errno=EFAULT\n");

	(void)state;
	assert_verdict(&r, FL_VERDICT_FAIL);
	assert_false(step_at(&r, 3)->held);
	done(&r);
}

/* ---- on HOOK#N ---- */

/*
 * copy_to_user over two absent pages faults twice.  munmap of both pages
 * at fault #2 leaves page 0 written: ret 4096.  At fault #1 it would be
 * 8192 (nothing written); never (or a hook that did not fire) 0.
 */
static void test_hook_fires_at_second_fault_only(void **state)
{
	struct ran r = run("mmap buf 2p rw private\n"
			   "on fault#2 munmap buf 2p\n"
			   "call copy_to_user buf 2p\n"
			   "expect ret 4096\n");

	(void)state;
	assert_verdict(&r, FL_VERDICT_PASS);
	assert_int_equal(step_at(&r, 3)->obs.ret, 4096);
	assert_string_equal(step_at(&r, 3)->trace[0], "on fault#2: injected line 2");
	done(&r);
}

static void test_hook_is_disarmed_after_the_call(void **state)
{
	struct ran r = run("mmap buf 2p rw private\n"
			   "on fault#1 munmap buf 2p\n"
			   "call copy_to_user buf 1\n"
			   "expect ret 1\n"
			   "mmap other 2p rw private\n"
			   "call copy_to_user other 2p\n"
			   "expect ret 0\n");

	(void)state;
	assert_verdict(&r, FL_VERDICT_PASS);
	done(&r);
}

/* An injected call with a key (src=) sees its key (it used to read past
 * the armed arguments: backend/model.c copied the positional ones only). */
static void test_hooked_statement_keeps_its_keys(void **state)
{
	struct ran r = run("mmap buf 2p rw private\n"
			   "mmap o 1p rw private\n"
			   "on fault#1 call copy_to_user o 4 src=\"abcd\"\n"
			   "call copy_to_user buf 2p\n"
			   "expect mem o 4 \"abcd\"\n");

	(void)state;
	assert_verdict(&r, FL_VERDICT_PASS);
	done(&r);
}

/* ---- setup errors ---- */

static void test_mmap_at_over_mapping_is_error(void **state)
{
	struct ran r = run("mmap a 1p rw private\n"
			   "mmap b 1p rw private at=a\n"
			   "store a \"x\"\n");

	(void)state;
	assert_verdict(&r, FL_VERDICT_ERROR);
	assert_reason_has(&r, "line 2: mmap failed: File exists");
	assert_null(strchr(r.run->reason, '\n'));
	assert_int_equal(r.run->nsteps, 2);
	done(&r);
}

/* The implicit process p exists before anything touches memory. */
static void test_use_p_first_finds_implicit_process(void **state)
{
	struct ran r = run("use p\n"
			   "mmap buf 1p rw private\n"
			   "store buf \"x\"\n"
			   "expect outcome ok\n");

	(void)state;
	assert_verdict(&r, FL_VERDICT_PASS);
	done(&r);
}

/* 4.2 has no userfaultfd(2): U names no file, and an ioctl on it is EBADF
 * (found by tests/fuzz/fuzz_run.c: a NULL context reached uffd/). */
static void test_ioctl_on_failed_userfaultfd_is_ebadf(void **state)
{
	struct ran r = run("kernel 4.2\n"
			   "mmap area 1p rw private\n"
			   "call userfaultfd as=U\n"
			   "call uffd_register U area 1p missing\n"
			   "expect ret -1\n"
			   "expect errno EBADF\n");

	(void)state;
	assert_verdict(&r, FL_VERDICT_PASS);
	done(&r);
}

/* ---- DATA materialization ---- */

static void test_text_repeats_to_len(void **state)
{
	struct ran r = run("mmap buf 1p rw private\n"
			   "store buf \"ab\" len=5\n"
			   "expect mem buf 6 \"ababa\\0\"\n");

	(void)state;
	assert_verdict(&r, FL_VERDICT_PASS);
	assert_int_equal(step_at(&r, 2)->obs.moved, 5);
	done(&r);
}

static void test_len_key_wins_over_positional_len(void **state)
{
	struct ran r = run("mmap buf 1p rw private\n"
			   "store buf 8 \"abc\" len=2\n");

	(void)state;
	assert_verdict(&r, FL_VERDICT_PASS);
	assert_int_equal(step_at(&r, 2)->obs.moved, 2);
	done(&r);
}

static void test_seq_starts_at_n(void **state)
{
	struct ran r = run("mmap buf 1p rw private\n"
			   "store buf 3 seq=0xfe\n"
			   "expect mem buf 3 \"\\xfe\\xff\\x00\"\n");

	(void)state;
	assert_verdict(&r, FL_VERDICT_PASS);
	done(&r);
}

/* ---- vary ---- */

static const char vary_text[] = "vary off 3..9\n"
				"mmap buf 1p rw private\n"
				"store buf+$off \"Q\"\n"
				"expect mem buf+3 1 \"Q\"\n";

static void test_vary_takes_from_value(void **state)
{
	struct ran r = run(vary_text);

	(void)state;
	assert_verdict(&r, FL_VERDICT_PASS);
	done(&r);
}

static void test_vary_takes_given_value(void **state)
{
	const int64_t five = 5;
	struct ran r = run_vars(vary_text, &five);

	(void)state;
	assert_verdict(&r, FL_VERDICT_FAIL);
	done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_holding_expectation_passes),
		cmocka_unit_test(test_wrong_ret_fails_with_seen_value),
		cmocka_unit_test(test_unsupported_call_is_never_pass),
		cmocka_unit_test(test_unsupported_statement_stops_the_run),
		cmocka_unit_test(test_unchanged_compares_with_bytes_before_call),
		cmocka_unit_test(test_unchanged_fails_when_store_changes_bytes),
		cmocka_unit_test(test_unchanged_after_short_copy),
		cmocka_unit_test(test_unchanged_past_a_statement_between),
		cmocka_unit_test(test_kbuf_after_copy_from_user),
		cmocka_unit_test(test_kbuf_mismatch_names_the_byte),
		cmocka_unit_test(test_one_of_holds_when_any_key_holds),
		cmocka_unit_test(test_one_of_fails_when_no_key_holds),
		cmocka_unit_test(test_hook_fires_at_second_fault_only),
		cmocka_unit_test(test_hook_is_disarmed_after_the_call),
		cmocka_unit_test(test_hooked_statement_keeps_its_keys),
		cmocka_unit_test(test_mmap_at_over_mapping_is_error),
		cmocka_unit_test(test_use_p_first_finds_implicit_process),
		cmocka_unit_test(test_ioctl_on_failed_userfaultfd_is_ebadf),
		cmocka_unit_test(test_text_repeats_to_len),
		cmocka_unit_test(test_len_key_wins_over_positional_len),
		cmocka_unit_test(test_seq_starts_at_n),
		cmocka_unit_test(test_vary_takes_from_value),
		cmocka_unit_test(test_vary_takes_given_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
