/*
 * backend/host_agent.c - the agent's side of a stream link: read one
 * frame, run it on a link of the agent's own (host_link.c), write one
 * reply frame (backend/host_proto.h; docs/host.md "agent protocol").
 *
 * State diagram, per stream:
 *
 *   idle --HELLO--> scenario --SPAWN/FORK/EXIT/FILE/PIPE/REQUEST--> scenario
 *                    |  \--BYE (every process killed)--> idle
 *                    \--HELLO (the same, then a new scenario)--> scenario
 *   any --EOF--> the agent returns
 *
 * A frame outside a scenario, or naming an id past its names, is
 * answered -EINVAL; a frame without the magic ends the stream (-EPROTO):
 * the two sides no longer agree where frames begin.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#if defined(__aarch64__)
#include <sys/auxv.h>
#include <sys/mman.h>
#elif defined(__x86_64__)
#include <cpuid.h>
#endif

#include <faultline/eras.h>

#include "backend/host_child.h"
#include "backend/host_link.h"

#if defined(__aarch64__)
/*
 * Does an allocation tag land where its granule's own tag lives?  QEMU
 * 7.2's TCG looks a tag up at the page's physical address without the
 * offset within the page (b8967ddf, "Use probe_access_full for MTE"; fixed
 * in 8.0 by 28fb921f02ef, QEMU issue 1416): every granule of a page then
 * shares the page's first tag byte, the even ones its low nibble, the odd
 * ones its high one.  The probe: on a fresh PROT_MTE page, STG tag 1 at
 * +0x20 and LDG +0x00.  A correct CPU reads tag 0 (the kernel zeroes a
 * new page's tags), the aliasing one reads 1.  STG and LDG need no prctl:
 * the kernel lets EL0 reach allocation tags (SCTLR_EL1.ATA0) whenever the
 * CPU has MTE.  HOST_CAP_MTE_TAG_ALIAS, or 0.
 */
static uint32_t mte_tag_alias(void)
{
	uint64_t p, got = 0;
	void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | 0x20 /* PROT_MTE */,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (page == MAP_FAILED)
		return 0;
	p = (uint64_t)(uintptr_t)page;
	__asm__ volatile(".arch armv8.5-a+memtag\n\t"
			 "stg %1, [%1]\n\t"
			 "ldg %0, [%2]"
			 : "+r"(got) : "r"((p + 0x20) | 1ull << 56), "r"(p) : "memory");
	munmap(page, 4096);
	return (got >> 56 & 0xf) == 1 ? HOST_CAP_MTE_TAG_ALIAS : 0;
}
#endif

/* HOST_CAP_*: what the CPU has, as the kernel sees it (hwcaps, cpuid). */
static uint32_t cpu_caps(void)
{
	uint32_t caps = 0;
	unsigned kconfig_off;
#if defined(__aarch64__)
	if (getauxval(AT_HWCAP2) & (1ul << 18))         /* HWCAP2_MTE */
		caps |= HOST_CAP_MTE | mte_tag_alias();
#elif defined(__x86_64__)
	unsigned a, b, c, d;

	if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
		if (b & (1u << 9))                      /* CPUID.7.0:EBX.ERMS */
			caps |= HOST_CAP_X86_ERMS;
		if (d & (1u << 4))                      /* CPUID.7.0:EDX.FSRM */
			caps |= HOST_CAP_X86_FSRM;
	}
#endif
	/* this kernel's build, as kernel/host_probe.c finds it */
	kconfig_off = fl_host_probe_kconfig_off();
	if (kconfig_off & FL_KCONFIG_MEMORY_FAILURE)
		caps |= HOST_CAP_NO_MEMORY_FAILURE;
	if (kconfig_off & FL_KCONFIG_MEM_SOFT_DIRTY)
		caps |= HOST_CAP_NO_SOFT_DIRTY;
	if (kconfig_off & FL_KCONFIG_ZERO_PAGE)
		caps |= HOST_CAP_NO_ZERO_PAGE;
	if (kconfig_off & FL_KCONFIG_HUGE_ZERO_PAGE)
		caps |= HOST_CAP_NO_HUGE_ZERO_PAGE;
	return caps;
}

static void say_hello(struct host_hello *h)
{
	struct utsname u;

	memset(h, 0, sizeof(*h));
	h->version = HOST_AGENT_VERSION;
	h->caps = cpu_caps() | fl_host_child_caps() | fl_host_child_pin_caps() |
		  fl_host_env_caps() | fl_host_pool_caps();
	if (uname(&u) == 0) {
		snprintf(h->machine, sizeof(h->machine), "%.31s", u.machine);
		fl_host_upstream_release(u.release, u.version, h->release, sizeof(h->release));
	}
}

/* A REQUEST frame's request, iovecs and data: 0, or -errno of the stream. */
static int read_request(int rfd, struct host_req *rq, struct host_iov **iov, uint8_t **data)
{
	int err = fl_host_recv_all(rfd, rq, sizeof(*rq));

	if (err)
		return err;
	if (rq->niov > HOST_MAX_IOV || rq->dlen > HOST_MAX_DATA)
		return -EPROTO;
	*iov = malloc((rq->niov + 1) * sizeof(**iov));
	*data = malloc(rq->dlen + 1);
	if (!*iov || !*data)
		return -ENOMEM;
	err = fl_host_recv_all(rfd, *iov, rq->niov * sizeof(**iov));
	return err ? err : fl_host_recv_all(rfd, *data, rq->dlen);
}

/* Run F on L; the answer in FR, reply data in *OUT. */
static int run_frame(struct host_link *l, const struct host_frame *f, int rfd,
		     struct host_frame_rep *fr, uint8_t **out)
{
	struct host_iov *iov = NULL;
	uint8_t *data = NULL;
	struct host_req rq;
	int err = 0;

	if (f->op == HOST_LINK_REQUEST) {
		err = read_request(rfd, &rq, &iov, &data);
		if (!err && f->id < l->nnames)
			fr->err = fl_host_link_request(l, f->id, &rq, iov, data, &fr->rep, out);
		else if (!err)
			fr->err = -EINVAL;
		free(iov);
		free(data);
		return err;
	}
	if (f->id >= l->nnames || (f->op == HOST_LINK_FORK && f->arg32 >= l->nnames)) {
		fr->err = -EINVAL;
		return 0;
	}
	switch (f->op) {
	case HOST_LINK_SPAWN:
		fr->val = fl_host_link_spawn(l, f->id);
		fr->err = fr->val < 0 ? (int)fr->val : 0;
		break;
	case HOST_LINK_FORK:
		fr->err = fl_host_link_fork(l, f->id, f->arg32, &fr->rep);
		break;
	case HOST_LINK_EXIT:
		fr->err = fl_host_link_exit(l, f->id);
		break;
	case HOST_LINK_FILE:
		fr->err = fl_host_link_file(l, f->id, f->arg, f->arg32);
		break;
	case HOST_LINK_PIPE:
		fr->err = fl_host_link_pipe(l, f->id, f->arg32 != 0);
		break;
	case HOST_LINK_OPEN:
		fr->err = f->arg < l->nnames ? fl_host_link_open(l, f->id, (unsigned)f->arg, f->arg32)
					     : -EINVAL;
		break;
	case HOST_LINK_DIR:
		fr->err = fl_host_link_dir_frame(l, f->id, f->arg32, f->arg);
		break;
	case HOST_LINK_CLOSE:
		fr->err = fl_host_link_close(l, f->id, f->arg32);
		break;
	case HOST_LINK_SOCKETPAIR:
		fr->err = fl_host_link_socketpair(l, f->id, f->arg32, f->arg);
		break;
	default:
		fr->err = -EINVAL;
	}
	return 0;
}

/* HELLO, BYE: a scenario begins or ends; the link's processes die either way. */
static int run_session(struct host_link *l, const struct host_frame *f,
		       struct host_frame_rep *fr, uint8_t **out)
{
	int err;

	fl_host_link_fini(l);
	if (f->op == HOST_LINK_BYE)
		return 0;
	err = fl_host_link_init(l, (unsigned)f->arg, f->arg32 ? (int)f->arg32
						     : HOST_STMT_TIMEOUT_MS);
	if (err || f->arg > 65536) {
		fr->err = err ? err : -EINVAL;
		return 0;
	}
	*out = malloc(sizeof(struct host_hello));
	if (!*out)
		return -ENOMEM;
	say_hello((struct host_hello *)*out);
	fr->val = sizeof(struct host_hello);
	return 0;
}

/* The reply frame, then DLEN bytes of OUT (what FR says follows). */
static int reply(int wfd, const struct host_frame_rep *fr, const uint8_t *out, size_t dlen)
{
	int err = fl_host_write_all(wfd, fr, sizeof(*fr));

	return err || !dlen || !out ? err : fl_host_write_all(wfd, out, dlen);
}

int fl_host_agent_serve(int rfd, int wfd)
{
	struct host_link l;
	int err = fl_host_link_init(&l, 0, HOST_STMT_TIMEOUT_MS);

	l.private_fd[0] = rfd;
	l.private_fd[1] = wfd;
	while (!err) {
		struct host_frame_rep fr = { .magic = HOST_FRAME_MAGIC };
		struct host_frame f;
		uint8_t *out = NULL;

		err = fl_host_recv_all(rfd, &f, sizeof(f));
		if (err)
			break;
		if (f.magic != HOST_FRAME_MAGIC) {
			err = -EPROTO;
			break;
		}
		if (f.op == HOST_LINK_HELLO || f.op == HOST_LINK_BYE)
			err = run_session(&l, &f, &fr, &out);
		else
			err = run_frame(&l, &f, rfd, &fr, &out);
		l.private_fd[0] = rfd;  /* fini forgets them */
		l.private_fd[1] = wfd;
		fr.sig = l.lost_sig;
		if (fr.err == -ECHILD)
			fr.val = l.lost_err;
		if (f.op == HOST_LINK_REQUEST && fr.err)
			fr.rep.dlen = 0;
		if (!err)
			err = reply(wfd, &fr, out, f.op == HOST_LINK_HELLO ? (size_t)fr.val
									    : fr.rep.dlen);
		free(out);
	}
	fl_host_link_fini(&l);
	return err == -EPIPE ? 0 : err;         /* EOF: the runner is done */
}
