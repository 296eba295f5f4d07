/*
 * tests/unit/backend/test_host.c - the host backend's scenario process
 * (backend/host_child.c) and its protocol (backend/host_proto.c), driven
 * without the runner: a real forked server, real requests, real faults.
 *
 * Each test forks one server (env->pid) talking on env->sock.  Picture of
 * an unhinted one-page mapping, as the server must lay it out:
 *
 *      addr-1p   addr      addr+1p
 *      [ hole ][ rw page ][ hole ]
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <faultline/backend.h>

#include "backend/host_link.h"

#define P 4096u

struct env {
	pid_t pid;
	int sock;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	static int fds[8][2];
	int sv[2];

	assert_non_null(e);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	memset(fds, -1, sizeof(fds));
	e->pid = fork();
	assert_true(e->pid >= 0);
	if (e->pid == 0) {
		struct host_child_env ce = { sv[1], fds, 8 };

		close(sv[0]);
		fl_host_child_limits();
		fl_host_child_main(&ce);
	}
	close(sv[1]);
	e->sock = sv[0];
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	close(e->sock);         /* EOF: the server leaves */
	kill(e->pid, SIGKILL);
	waitpid(e->pid, NULL, 0);
	free(e);
	return 0;
}

/* One request; the reply's data, if any, into OUT (up to OUTLEN). */
static struct host_rep req(struct env *e, struct host_req rq, const void *data,
			   void *out, size_t outlen, int fd)
{
	struct host_rep rep;
	uint8_t *buf;
	int got;

	assert_int_equal(fl_host_send(e->sock, &rq, sizeof(rq), NULL, 0, data, rq.dlen, fd), 0);
	assert_int_equal(fl_host_recv_hdr(e->sock, &rep, sizeof(rep), &got), 0);
	buf = malloc(rep.dlen + 1);
	assert_non_null(buf);
	assert_int_equal(fl_host_recv_all(e->sock, buf, rep.dlen), 0);
	if (out)
		memcpy(out, buf, rep.dlen < outlen ? rep.dlen : outlen);
	free(buf);
	return rep;
}

static uint64_t map(struct env *e, uint64_t len, int prot)
{
	struct host_req rq = { .op = HOST_OP_MMAP, .a = { 0, len, (uint64_t)prot, MAP_PRIVATE } };
	struct host_rep rep = req(e, rq, NULL, NULL, 0, -1);

	assert_int_not_equal(rep.ret, -1);
	assert_int_equal(rep.ret & (P - 1), 0);
	return (uint64_t)rep.ret;
}

static struct host_rep store(struct env *e, uint64_t addr, const char *s, size_t n)
{
	struct host_req rq = { .op = HOST_OP_STORE, .a = { addr }, .dlen = n };

	return req(e, rq, s, NULL, 0, -1);
}

/* Store into straddle(10): 10 bytes land, then SIGSEGV/SEGV_MAPERR at the hole. */
static void test_store_straddle_counts_bytes(void **state)
{
	struct env *e = *state;
	uint64_t a = map(e, P, PROT_READ | PROT_WRITE);
	struct host_req peek = { .op = HOST_OP_PEEK, .a = { a + P - 10, 10 } };
	struct host_rep rep = store(e, a + P - 10, "AAAAAAAAAABBBBBBBBBB", 20);
	char got[10];

	assert_int_equal(rep.moved, 10);
	assert_int_equal(rep.sig, SIGSEGV);
	assert_int_equal(rep.code, SEGV_MAPERR);
	assert_int_equal(rep.addr, a + P);
	req(e, peek, NULL, got, sizeof(got), -1);
	assert_memory_equal(got, "AAAAAAAAAA", 10);
}

/* The page before an unhinted mapping is a hole too. */
static void test_unhinted_mmap_has_guard_pages(void **state)
{
	struct env *e = *state;
	uint64_t a = map(e, 2 * P, PROT_READ | PROT_WRITE);
	struct host_req load = { .op = HOST_OP_LOAD, .a = { a - 1, 2 } };
	struct host_rep rep = req(e, load, NULL, NULL, 0, -1);

	assert_int_equal(rep.moved, 0);
	assert_int_equal(rep.sig, SIGSEGV);
	assert_int_equal(rep.code, SEGV_MAPERR);
	assert_int_equal(rep.addr, a - 1);
}

/* mprotect(PROT_READ) then store: SEGV_ACCERR, nothing moved; a load works. */
static void test_mprotect_store_accerr(void **state)
{
	struct env *e = *state;
	uint64_t a = map(e, P, PROT_READ | PROT_WRITE);
	struct host_req mp = { .op = HOST_OP_MPROTECT, .a = { a, P, PROT_READ } };
	struct host_req load = { .op = HOST_OP_LOAD, .a = { a, 16 } };
	struct host_rep rep;

	assert_int_equal(req(e, mp, NULL, NULL, 0, -1).ret, 0);
	rep = store(e, a, "x", 1);
	assert_int_equal(rep.moved, 0);
	assert_int_equal(rep.sig, SIGSEGV);
	assert_int_equal(rep.code, SEGV_ACCERR);
	rep = req(e, load, NULL, NULL, 0, -1);
	assert_int_equal(rep.sig, 0);
	assert_int_equal(rep.moved, 16);
}

/* poke reaches a PROT_NONE page (FOLL_FORCE); peek reads it back. */
static void test_poke_prot_none(void **state)
{
	struct env *e = *state;
	uint64_t a = map(e, P, PROT_NONE);
	struct host_req poke = { .op = HOST_OP_POKE, .a = { a + 5 }, .dlen = 3 };
	struct host_req peek = { .op = HOST_OP_PEEK, .a = { a + 4, 5 } };
	char got[5];

	assert_int_equal(req(e, poke, "xyz", NULL, 0, -1).ret, 3);
	req(e, peek, NULL, got, sizeof(got), -1);
	assert_memory_equal(got, "\0xyz\0", 5);
}

/* A syscall failure is ret -1 with errno: read into PROT_NONE -> EFAULT. */
static void test_read_efault_reports_errno(void **state)
{
	struct env *e = *state;
	uint64_t a = map(e, P, PROT_NONE);
	int p[2];
	struct host_req inst = { .op = HOST_OP_INSTALL, .slot = 3, .which = 0 };
	struct host_req rd = { .op = HOST_OP_READ, .slot = 3, .which = 0, .a = { a, 4 } };
	struct host_rep rep;

	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "data", 4), 4);
	req(e, inst, NULL, NULL, 0, p[0]);
	rep = req(e, rd, NULL, NULL, 0, -1);
	assert_int_equal(rep.ret, -1);
	assert_int_equal(rep.err, EFAULT);
	close(p[0]);
	close(p[1]);
}

/* fork: the child gets its own socket; the parent's later store is COWed. */
static void test_fork_is_cow(void **state)
{
	struct env *e = *state, child;
	uint64_t a = map(e, P, PROT_READ | PROT_WRITE);
	struct host_req fk = { .op = HOST_OP_FORK };
	struct host_req peek = { .op = HOST_OP_PEEK, .a = { a, 4 } };
	struct host_req bye = { .op = HOST_OP_EXIT };
	struct host_rep rep;
	char got[4];
	int sv[2], fd;

	store(e, a, "old!", 4);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	rep = req(e, fk, NULL, NULL, 0, sv[1]);
	close(sv[1]);
	assert_true(rep.ret > 0);
	child.sock = sv[0];
	child.pid = (pid_t)rep.ret;
	store(e, a, "new!", 4);
	req(&child, peek, NULL, got, sizeof(got), -1);
	assert_memory_equal(got, "old!", 4);
	req(e, peek, NULL, got, sizeof(got), -1);
	assert_memory_equal(got, "new!", 4);
	/* exit: no reply, the socket closes */
	assert_int_equal(fl_host_send(child.sock, &bye, sizeof(bye), NULL, 0, NULL, 0, -1), 0);
	assert_int_equal(fl_host_recv_hdr(child.sock, &rep, sizeof(rep), &fd), -EPIPE);
	close(child.sock);
}

/*
 * As root (this machine's test runs), userfaultfd is permitted, unless
 * FAULTLINE_HOST_NO_UFFD=1 makes the process act as one that is not.
 */
static void test_uffd_permission_check(void **state)
{
	char why[200] = "";
	bool ok = fl_host_uffd_permitted(why, sizeof(why));
	const char *forced = getenv("FAULTLINE_HOST_NO_UFFD");

	(void)state;
	if (forced && *forced && *forced != '0') {	/* as fl_host_uffd_permitted() reads it */
		assert_false(ok);
		assert_non_null(strstr(why, "FAULTLINE_HOST_NO_UFFD"));
	} else if (geteuid() == 0) {
		assert_true(ok);
		assert_string_equal(why, "root");
	} else if (!ok) {
		assert_non_null(strstr(why, "needs userfaultfd permission"));
	}
}

/* SNAPSHOT or RESTORE: the reply (host_child_snap.c). */
static struct host_rep snap_op(struct env *e, enum host_op op)
{
	struct host_req rq = { .op = op };

	return req(e, rq, NULL, NULL, 0, -1);
}

/*
 * A case that read its pagemap goes back to the set-up: the read changes
 * nothing a restore must undo (the op's restorable flag), so the restore
 * works and the bytes are the set-up's again.
 */
static void test_restore_after_pagemap(void **state)
{
	struct env *e = *state;
	uint64_t a = map(e, P, PROT_READ | PROT_WRITE);
	struct host_req pm = { .op = HOST_OP_PAGEMAP, .a = { a } };
	struct host_req peek = { .op = HOST_OP_PEEK, .a = { a, 1 } };
	struct host_rep rep;
	char got = 0;

	store(e, a, "A", 1);
	assert_int_equal(snap_op(e, HOST_OP_SNAPSHOT).ret, 0);
	store(e, a, "B", 1);
	rep = req(e, pm, NULL, NULL, 0, -1);
	assert_int_equal(rep.ret, 0);
	assert_true(rep.addr >> 63 & 1);        /* PM_PRESENT: the stored page */
	rep = snap_op(e, HOST_OP_RESTORE);
	assert_int_equal(rep.ret, 0);
	req(e, peek, NULL, &got, 1, -1);
	assert_int_equal(got, 'A');
}

/* clear_refs reaches every mapping of the process: no restore after it. */
static void test_no_restore_after_clear_refs(void **state)
{
	struct env *e = *state;
	uint64_t a = map(e, P, PROT_READ | PROT_WRITE);
	struct host_req cr = { .op = HOST_OP_CLEAR_REFS, .a = { 4 } };
	struct host_rep rep;

	store(e, a, "A", 1);
	assert_int_equal(snap_op(e, HOST_OP_SNAPSHOT).ret, 0);
	req(e, cr, NULL, NULL, 0, -1);
	rep = snap_op(e, HOST_OP_RESTORE);
	assert_int_equal(rep.ret, -1);
	assert_int_equal(rep.err, EAGAIN);
}

/* The agent's HELLO names the upstream version, not a distribution's ABI name. */
static void test_upstream_release(void **state)
{
	char v[64];

	(void)state;
	fl_host_upstream_release("5.10.0-32-arm64", "#1 SMP Debian 5.10.223-1 (2024-08-10)",
				 v, sizeof(v));
	assert_string_equal(v, "5.10.223");
	fl_host_upstream_release("6.12.117+deb13-amd64",
				 "#1 SMP PREEMPT_DYNAMIC Debian 6.12.117-1 (2025-11-20)", v, sizeof(v));
	assert_string_equal(v, "6.12.117");
	fl_host_upstream_release("6.18.44-fc", "#1 SMP PREEMPT_DYNAMIC", v, sizeof(v));
	assert_string_equal(v, "6.18.44-fc");
	fl_host_upstream_release("6.1.0", "#1 SMP Debian -1", v, sizeof(v));
	assert_string_equal(v, "6.1.0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upstream_release),
		cmocka_unit_test_setup_teardown(test_store_straddle_counts_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unhinted_mmap_has_guard_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mprotect_store_accerr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poke_prot_none, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_efault_reports_errno, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork_is_cow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_after_pagemap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_restore_after_clear_refs, setup, teardown),
		cmocka_unit_test(test_uffd_permission_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
