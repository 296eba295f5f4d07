/*
 * callers/socket.c - AF_UNIX socket pairs (net/unix/af_unix.c), TCP
 * connections over loopback (net/ipv4/tcp.c) and connected UDP pairs
 * (net/ipv4/udp.c): what sendmsg(2) and recvmsg(2) do with a user buffer
 * that faults part way.
 *
 * Definitions
 *   pair      socketpair(AF_UNIX, SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET): ends 0 and 1,
 *             both open, non-blocking (as the host backend makes them,
 *             and as the model's pipes are: nothing here waits).
 *   queue[e]  the skbs end e reads: what the other end sent, oldest first.
 *   skb       the bytes of one sk_buff, as sent; `consumed` is a stream
 *             reader's progress into it (UNIXCB(skb).consumed).
 *   chunk     what unix_stream_sendmsg puts in one skb:
 *                 min(left, (sk_sndbuf >> 1) - 64,
 *                     SKB_MAX_HEAD(0) + UNIX_SKB_FRAGS_SZ)
 *             = 36544 bytes with the default sk_sndbuf (wmem_default,
 *             212992) where struct skb_shared_info is 320 bytes and pages
 *             are 4 KiB: 4096 - 320 + 32768 (measured on the 6.18 host:
 *             a 64 KiB send whose last bytes fault returns 36544).
 *
 * The rules (each a host case, tests/host/socket-*.fl):
 *   send, stream: per chunk, one skb whose bytes are copied whole or not
 *       at all (skb_copy_datagram_from_iter: a short copy_from_iter is
 *       -EFAULT and the skb is freed); return the bytes of the skbs
 *       queued, or -EFAULT if none.
 *   send, dgram: more than sk_sndbuf - 32 bytes is -EMSGSIZE; else, once
 *       there is room (as a stream chunk's, below), one skb, whole or
 *       -EFAULT (unix_dgram_sendmsg).  No receive queue limit: a pair's
 *       receiver has the sender as its peer (unix_recvq_full is skipped).
 *   recv, stream: per skb from the oldest, copy what is left of it or
 *       what is wanted (skb_copy_datagram_msg); a short copy ends the
 *       call with what earlier skbs gave, or -EFAULT, and the skb stays
 *       as it was although copy_to_user has written what it could (as
 *       pipe_read); an skb read in part ends the call.  skbs of different
 *       senders are read by one call: unix_stream_read_generic compares
 *       credentials only with SO_PASSCRED, which no scenario sets (the
 *       model first stopped there; the 6.18 host read on: 40, not 20).
 *       Empty: -EAGAIN.
 *   recv, dgram: sk_err first (taken), then the oldest skb is taken off
 *       the queue (__skb_try_recv_datagram); a short copy is -EFAULT and
 *       the datagram is gone; a short buffer truncates it (MSG_TRUNC), the
 *       rest is dropped.  Empty: -EAGAIN.
 *   seqpacket: sends and reads as dgram; shutdown and close as stream;
 *       no SIGPIPE; an empty end shut for reading reads 0 even when
 *       non-blocking (__unix_dgram_recvmsg: EOF on a disconnected
 *       SOCK_SEQPACKET).  No MSG_EOR is written back (measured on 6.18).
 *   shutdown (unix_shutdown, inet_shutdown): SHUT_RD/WR/RDWR set the
 *       end's sk_shutdown bits RCV_SHUTDOWN and SEND_SHUTDOWN; on an
 *       AF_UNIX stream the peer gets the mirror bits (our SEND is its
 *       RCV), a datagram end only its own; on TCP a SEND_SHUTDOWN sends a
 *       FIN, and the FIN gives the peer RCV_SHUTDOWN.  Then:
 *       recv of an empty queue: sk_err first (once), then RCV_SHUTDOWN is
 *       0 (EOF) - on a datagram end only where the call would wait,
 *       otherwise -EAGAIN (measured on 6.18);
 *       send, stream: own SEND_SHUTDOWN is SIGPIPE (unless MSG_NOSIGNAL)
 *       and -EPIPE before any copy; TCP the same; dgram -EPIPE without
 *       a signal (sock_alloc_send_pskb), a peer's RCV_SHUTDOWN -EPIPE
 *       after the copy (so a fault is -EFAULT first).
 *   close of a TCP end (tcp_close): a FIN, or with bytes unread an RST
 *       that gives the peer sk_err ECONNRESET; bytes sent to the closed
 *       end reset the peer (sk_err EPIPE in CLOSE_WAIT).  A FIN taken
 *       (SOCK_DONE) reads 0 before sk_err.
 *   close of a stream or seqpacket end (unix_release_sock): the peer gets both bits,
 *       and sk_err ECONNRESET if the closed end left bytes unread; those
 *       are freed.  A datagram end's close frees what was queued for it
 *       and nothing else; the peer's next send, after its size check and
 *       copy, finds it dead: -ECONNREFUSED, its own queue purged, and
 *       -ENOTCONN from then on (unpeered): first thing before 6.14, after
 *       the size check, the room and the copy since (era
 *       unix_dgram_peer_late).
 *   blocking send, stream (sock_alloc_send_pskb): before each chunk, the
 *       sender's sk_wmem_alloc (the truesize of its skbs the peer has not
 *       read whole, skb_truesize below) must be below sk_sndbuf, else
 *       -EAGAIN, or the task waits (parked: fl_sys_park) with what it sent
 *       kept.  It is woken by events only, each re-checking the room:
 *       the reader freeing an skb when unix_writable holds ((wmem + 2) * 4
 *       <= sk_sndbuf, sock_wfree then unix_write_space), bytes arriving at
 *       its own end (sock_def_readable), a shutdown or close (state
 *       change).  After a wake, sk_err, then SEND_SHUTDOWN (-EPIPE, no
 *       signal) end the call with what it sent (measured on 6.18, host
 *       files socket-block-send*.fl).
 *   MSG_WAITALL read on a blocking stream or TCP end: takes what is
 *       there and waits for the rest with it taken (parked), woken by
 *       bytes, sk_err or RCV_SHUTDOWN (then it returns what it took).
 *   TCP (a pair made by `socketpair NAME tcp`; docs/callers.md, "TCP"):
 *   send: chunks of min(left, room in the task's 32 KiB frag page), each
 *       copied whole or not at all (copy_from_iter_full): the chunks
 *       before a fault, or -EFAULT.  The frag offset (tcp_frag_off) runs
 *       on while any byte sent is unread and restarts at 0 once all is
 *       read (page_ref_count 1); under 32 bytes of room is a new page.
 *   recv: the unread bytes are one skb (the receiver coalesces): as a
 *       stream recv of one skb.
 *   The domain (tcp_unmodelled): each send one skb within the first
 *   window, ACKed at once; outside it `unsupported`.
 *   urgent data: a MSG_OOB send that queued bytes makes its last byte
 *       urgent (tcp_mark_urg); a MSG_OOB read takes it once, marked read
 *       before the copy (tcp_recv_urg); a plain read stops before it
 *       once it copied something and skips it when it starts there
 *       (tcp_recv_marked).
 *   UDP (`socketpair NAME udp`; docs/callers.md, "UDP"): datagrams, read as
 *       dgram; a send is udp_send; nothing waits on a send (loopback
 *       orphans the skb); shutdown only the end's own bits, delivery goes
 *       on past the receiver's RCV_SHUTDOWN.  The domain (udp_unmodelled):
 *       far below sk_rcvbuf, where the receiver drops nothing.
 *   Before any of that (___sys_sendmsg, ___sys_recvmsg): more than
 *   UIO_MAXIOV iovecs is -EMSGSIZE (__copy_msghdr), then import_iovec.
 *
 * Invariants
 *   1. Every skb and its bytes are arena memory: a snapshot covers them.
 *   2. A stream skb has 0 <= consumed < len; a dgram skb consumed == 0;
 *      a TCP queue holds one skb at most.
 *   3. fl_sock_unmodelled() is asked before a send: the model reaches a
 *      full send buffer only where skb_truesize() and dgram_truesize()
 *      are judged (truesize_known).
 *   4. A closed end is named by no call (-EBADF) and keeps no queue.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <faultline/arch.h>
#include <faultline/eras.h>

#include "callers/internal.h"

/*
 * sk_sndbuf: net.core.wmem_default, SK_WMEM_MAX = 256 * SKB_TRUESIZE(256),
 * so it follows sizeof(struct sk_buff) and skb_shared_info, each rounded
 * to the cache line: 256 * (256 + 256 + 320) on x86_64, arm64 and
 * riscv64; 256 * (256 + 192 + 256) on i386 and arm (measured: a datagram
 * of 180192 bytes is sent and one of 180193 is EMSGSIZE on the debian
 * 5.10 and 6.1 i386 and 5.10, 6.1, 6.12 armhf guests).
 */
#define UNIX_SNDBUF_64   212992u
#define UNIX_SNDBUF_32   180224u
#define UNIX_STREAM_MIN_CHUNK 32768u  /* UNIX_SKB_FRAGS_SZ: every chunk is larger */
#define UNIX_STREAM_CHUNK_4K64 (4096u - 320u + 32768u)
#define TCP_FRAG_SIZE    32768u  /* current->task_frag: an order-3 page (SKB_FRAG_PAGE_ORDER) */
#define TCP_FRAG_MIN     32u     /* tcp_sendmsg_locked's skb_page_frag_refill(32U, ...) */
#define TCP_SIZE_GOAL_LO 32741u  /* the first size goal on loopback: half of 65483 */
#define TCP_MODEL_SENDS  8u      /* below the receiver's quick ACKs (TCP_MAX_QUICKACKS 16) */
#define SKB_HEAD_MAX     3776u   /* SKB_MAX_HEAD(0): 4096 - 320 on x86_64 */
#define DGRAM_MAX_ALLOC  16064u  /* SKB_MAX_ALLOC: 16384 - 320 */
#define DGRAM_MAX_FRAGS  (17u * 4096u)   /* MAX_SKB_FRAGS pages */
#define SOCK_MIN_SNDBUF  4608u   /* 2 * (2048 + SKB_DATA_ALIGN(sizeof(struct sk_buff))) */
/* Within these the send buffer and the datagram queue never fill (invariant 3). */
#define SOCK_MODEL_BYTES (128u << 10)
#define SOCK_MODEL_SKBS  10u     /* where the truesize is not known, stay far below sk_sndbuf */

#define SOCK_CTL_STACK   36u     /* ____sys_sendmsg's ctl[sizeof(struct cmsghdr) + 20] */
#define OPTMEM_MAX_OLD   20480u  /* net.core.optmem_max's default before it grew */

#define RCV_SHUTDOWN  1u
#define SEND_SHUTDOWN 2u

/* tp->urg_data: none, a byte to read with MSG_OOB (TCP_URG_VALID), read (TCP_URG_READ) */
#define TCP_URG_NONE  0u
#define TCP_URG_VALID 1u
#define TCP_URG_READ  2u

struct fl_skb {
	struct fl_skb *next;
	uint32_t len, consumed;
	uint32_t truesize;      /* charged to the sender's sk_wmem_alloc (stream) */
	uint8_t *data;
	unsigned nfp;           /* UNIXCB(skb).fp: descriptors it carries */
	uint32_t fp[FL_SCM_MAX_FD];
	uint32_t cred;          /* UNIXCB(skb).pid and ids: the sender's, or 0: none */
};

struct fl_sock {
	struct fl_named n;      /* first: the state's socks list links it */
	enum fl_sock_type type;
	struct fl_skb *queue[2];
	uint32_t sends[2];      /* TCP: sends each end made (tcp_unmodelled) */
	bool blocking;          /* `nonblock=off`: a recv of an empty end waits */
	bool timeo[2];          /* SO_SNDTIMEO, SO_RCVTIMEO set: a wait times out */
	uint8_t shutdown[2];    /* sk_shutdown: RCV_SHUTDOWN | SEND_SHUTDOWN */
	int err[2];             /* sk_err: ECONNRESET, taken by the next call */
	bool closed[2];         /* released: `close SOCK.N` */
	bool unpeered[2];       /* dgram: unix_peer() is NULL, after a send found it dead */
	bool write_wake[2];     /* a sender waiting on that end was woken with room */
	bool tcp_done[2];       /* TCP: SOCK_DONE, the end took its peer's FIN */
	bool tcp_reset[2];      /* TCP: the end took an RST: TCP_CLOSE (tcp_reset, tcp_done) */
	bool tcp_shut_rd[2];    /* TCP: shutdown(SHUT_RD) of that end */
	uint32_t tcp_rcv_nxt[2];        /* TCP: bytes ever queued for that end */
	uint32_t tcp_urg_seq[2];        /* TCP: the urgent byte's place in that stream */
	uint8_t tcp_urg[2];     /* TCP: tp->urg_data of that end: TCP_URG_* below */
	uint32_t sndbuf;        /* sk_sndbuf: unix_sndbuf(), the 64-bit one where unknown */
	bool passed[2];         /* the end was passed with SCM_RIGHTS */
	bool passcred[2];       /* SO_PASSCRED set on that end */
};

void fl_sock_set_passcred(struct fl_sock *sk, unsigned end, bool on)
{
	sk->passcred[end & 1] = on;
}

void fl_sock_set_passed(struct fl_sock *sk, unsigned end)
{
	sk->passed[end & 1] = true;
}

bool fl_sock_passed(const struct fl_sock *sk, unsigned end)
{
	return sk->passed[end & 1];
}

/* unix_scm_to_skb: the descriptors of SCM ride on SKB (the first of a send). */
static void skb_attach_fds(struct fl_skb *skb, const struct fl_sock_ctl *scm)
{
	if (!scm || !scm->nfp)
		return;
	skb->nfp = scm->nfp;
	memcpy(skb->fp, scm->fp, sizeof(skb->fp));
}

/*
 * unix_detach_fds: the reader takes SKB's descriptors into SCM; with
 * PEEK unix_peek_fds, which leaves them on the skb for the next read.
 */
static void skb_detach_fds(struct fl_skb *skb, struct fl_sock_ctl *scm, bool peek)
{
	scm->nfp = skb->nfp;
	memcpy(scm->fp, skb->fp, sizeof(scm->fp));
	if (!peek)
		skb->nfp = 0;
}

void fl_sock_set_blocking(struct fl_sock *sk, bool blocking)
{
	sk->blocking = blocking;
}

bool fl_sock_blocking(const struct fl_sock *sk)
{
	return sk->blocking;
}

void fl_sock_set_timeo(struct fl_sock *sk, bool send, bool recv)
{
	sk->timeo[0] = send;
	sk->timeo[1] = recv;
}

bool fl_sock_timed(const struct fl_sock *sk, bool send)
{
	return sk->timeo[!send];
}

bool fl_sock_is_dgram(const struct fl_sock *sk)
{
	return sk->type == FL_SOCK_DGRAM;
}

bool fl_sock_is_stream(const struct fl_sock *sk)
{
	return sk->type == FL_SOCK_STREAM;
}

bool fl_sock_is_unix(const struct fl_sock *sk)
{
	return sk->type != FL_SOCK_TCP && sk->type != FL_SOCK_UDP;
}

/*
 * SOCK_SEQPACKET sends and reads as SOCK_DGRAM does (unix_seqpacket_sendmsg
 * and unix_seqpacket_recvmsg call unix_dgram_sendmsg and
 * __unix_dgram_recvmsg once the socket is connected); its shutdown and
 * close are a stream's (unix_shutdown, unix_release_sock).
 */
bool fl_sock_is_record(const struct fl_sock *sk)
{
	return sk->type == FL_SOCK_DGRAM || sk->type == FL_SOCK_SEQPACKET ||
	       sk->type == FL_SOCK_UDP;
}

bool fl_sock_end_open(const struct fl_sock *sk, unsigned end)
{
	return !sk->closed[end & 1];
}

/* unix_dgram_sendmsg's first check: more than sk_sndbuf - 32 is -EMSGSIZE. */
static bool dgram_too_big(const struct fl_sock *sk, size_t len)
{
	return len > sk->sndbuf - 32;
}

#define SOCKS offsetof(struct fl_callers_state, socks)

struct fl_sock *fl_sock_find(struct fl_world *w, const char *name)
{
	return fl_named_find(w, SOCKS, name);
}

/* The default sk_sndbuf on the world's arch, or 0 where it is not known. */
static size_t unix_sndbuf(const struct fl_world *w)
{
	switch (fl_world_arch(w)->id) {
	case FL_ARCH_X86_64: case FL_ARCH_ARM64: case FL_ARCH_ARM64_MTE: case FL_ARCH_RISCV64:
		return UNIX_SNDBUF_64;
	case FL_ARCH_I386: case FL_ARCH_ARM:
		return UNIX_SNDBUF_32;
	default:
		return 0;
	}
}

int fl_socketpair_create(struct fl_world *w, const char *name, enum fl_sock_type type)
{
	void *sk;
	int err = fl_named_add(w, SOCKS, "socketpair", name, sizeof(struct fl_sock), &sk);

	if (!err) {
		((struct fl_sock *)sk)->type = type;
		/* where unknown, the 128 KiB guard keeps sends far below it */
		((struct fl_sock *)sk)->sndbuf = unix_sndbuf(w) ? (uint32_t)unix_sndbuf(w)
							: UNIX_SNDBUF_64;
	}
	return err;
}

static unsigned queue_len(const struct fl_sock *sk, unsigned end)
{
	const struct fl_skb *skb;
	unsigned n = 0;

	for (skb = sk->queue[end]; skb; skb = skb->next)
		n++;
	return n;
}

size_t fl_sock_queued(const struct fl_sock *sk, unsigned end)
{
	const struct fl_skb *skb;
	size_t n = 0;

	for (skb = sk->queue[end & 1]; skb; skb = skb->next)
		n += skb->len - skb->consumed;
	return n;
}

/* 64-bit arches with 4 KiB pages: skb_shared_info is 320 bytes there. */
static bool chunk_known(const struct fl_world *w)
{
	switch (fl_world_arch(w)->id) {
	case FL_ARCH_X86_64: case FL_ARCH_ARM64: case FL_ARCH_ARM64_MTE: case FL_ARCH_RISCV64:
		return true;
	default:
		return false;
	}
}

/* Has every TCP pair's receiver read all that was sent (no skb holds a frag page)? */
static bool tcp_all_read(struct fl_world *w)
{
	struct fl_callers_state *cs = *fl_layer_slot(w, FL_LAYER_CALLERS);
	const struct fl_named *n;

	for (n = cs ? cs->socks : NULL; n; n = n->next) {
		const struct fl_sock *sk = (const struct fl_sock *)n;

		if (sk->type == FL_SOCK_TCP && (sk->queue[0] || sk->queue[1]))
			return false;
	}
	return true;
}

static size_t page_align(size_t n)
{
	return (n + FL_PAGE_SIZE - 1) & ~(size_t)(FL_PAGE_SIZE - 1);
}

/*
 * The truesize of an skb of SIZE bytes, DATA of them in pages (x86_64,
 * 4 KiB pages): the pages are charged whole (alloc_skb_with_frags); the
 * head is a kmalloc object of SKB_DATA_ALIGN(SIZE - DATA) + 320 bytes of
 * skb_shared_info, rounded up to its bucket (512 the least; past 8 KiB a
 * page allocation, a power of two too), plus 256 for struct sk_buff.
 */
static uint32_t skb_truesize_of(size_t size, size_t data)
{
	size_t obj = 512;

	while (obj < ((size - data + 63) & ~(size_t)63) + 320)
		obj <<= 1;
	return (uint32_t)(obj + 256 + page_align(data));
}

/*
 * A unix stream skb: what passes SKB_MAX_HEAD(0) goes into pages
 * (data_len = min(SIZE, PAGE_ALIGN(SIZE - 3776))).  Measured on 6.18 with
 * SIOCOUTQ: 1 byte 768, 200 1280, 1000 2304, 3776 4352, 3777 4864, 16000
 * 16640, 36544 37120.
 */
static uint32_t skb_truesize(size_t size)
{
	size_t data = size > SKB_HEAD_MAX ? page_align(size - SKB_HEAD_MAX) : 0;

	return skb_truesize_of(size, data < size ? data : size);
}

/*
 * A unix datagram (unix_dgram_sendmsg): linear up to SKB_MAX_ALLOC
 * (16 KiB less skb_shared_info: 16064), then the rest up to MAX_SKB_FRAGS
 * pages in pages.  Measured on 6.18 with SIOCOUTQ: 1 and 192 bytes 768,
 * 200 1280, 3777 8448, 7873 16640, 16064 16640, 16065 20736, 36544 37120,
 * 100000 102656, 212960 332032; and 278 sends of 20 bytes pass where the
 * 279th is EAGAIN (278 * 768 = 213504).
 */
static uint32_t dgram_truesize(size_t size)
{
	size_t data = size > DGRAM_MAX_ALLOC ? page_align(size - DGRAM_MAX_ALLOC) : 0;

	return skb_truesize_of(size, data < DGRAM_MAX_FRAGS ? data : DGRAM_MAX_FRAGS);
}

/* sk_wmem_alloc_get of END: its skbs the peer has not read whole. */
static size_t sock_wmem(const struct fl_sock *sk, unsigned end)
{
	const struct fl_skb *skb;
	size_t n = 0;

	for (skb = sk->queue[!end]; skb; skb = skb->next)
		n += skb->truesize;
	return n;
}

/*
 * An event that wakes a sender waiting on END (a state change, bytes
 * arriving at END): it re-checks at once and goes on if it has room or
 * must stop (sk_err, SEND_SHUTDOWN); otherwise it sleeps on.
 */
static void sock_wake_sender(struct fl_sock *sk, unsigned end)
{
	if (sk->err[end] || (sk->shutdown[end] & SEND_SHUTDOWN) ||
	    sock_wmem(sk, end) < sk->sndbuf)
		sk->write_wake[end] = true;
}

/*
 * sock_wfree of an skb SENDER sent, then unix_write_space: it wakes only
 * while unix_writable holds - sk_wmem_alloc, with its initial 1 and the
 * reference sock_wfree keeps, at most a quarter of sk_sndbuf.
 */
static void sock_wfree(struct fl_sock *sk, unsigned sender)
{
	if (sk->type != FL_SOCK_TCP && (sock_wmem(sk, sender) + 2) * 4 <= sk->sndbuf)
		sock_wake_sender(sk, sender);
}

/* fl_sys_woken_fn of a sender waiting on end ARG for room */
static bool sender_woken(const void *sk, unsigned end)
{
	return ((const struct fl_sock *)sk)->write_wake[end];
}

/* fl_sys_woken_fn of a MSG_WAITALL reader of end ARG: bytes, sk_err or EOF */
static bool reader_woken(const void *obj, unsigned end)
{
	const struct fl_sock *sk = obj;

	return sk->queue[end] || sk->err[end] || (sk->shutdown[end] & RCV_SHUTDOWN);
}

/* sock_error: END's pending error, taken. */
static long sock_error(struct fl_sock *sk, unsigned end)
{
	int err = sk->err[end];

	sk->err[end] = 0;
	return -err;
}

/*
 * The truesize rule above holds where real kernels judged it: x86_64
 * (5.10, 6.1, 6.12 guests, the 6.18 host) and arm64 (5.10, 6.1, 6.12)
 * from 5.10, riscv64 from 6.12 (its only guest); no older guest exists.
 */
static bool truesize_known(const struct fl_world *w)
{
	enum fl_arch_id a = fl_world_arch(w)->id;
	fl_kver_t kv = fl_world_kver(w);

	if (a == FL_ARCH_RISCV64)
		return kv >= FL_KV(6, 12, 0);
	return (a == FL_ARCH_X86_64 || a == FL_ARCH_ARM64 || a == FL_ARCH_ARM64_MTE) &&
	       kv >= FL_KV(5, 10, 0);
}

/*
 * unix_stream_sendmsg's chunk: min((sk_sndbuf >> 1) - 64, SKB_MAX_HEAD(0)
 * + UNIX_SKB_FRAGS_SZ); the second is the smaller with the default
 * sk_sndbuf, the first with a small SO_SNDBUF.
 */
static size_t stream_chunk(const struct fl_sock *sk)
{
	size_t half = (sk->sndbuf >> 1) - 64;

	return half < UNIX_STREAM_CHUNK_4K64 ? half : UNIX_STREAM_CHUNK_4K64;
}

int fl_sock_set_sndbuf(struct fl_world *w, struct fl_sock *sk, uint64_t val)
{
	uint64_t max = unix_sndbuf(w);  /* net.core.wmem_max: wmem_default's value */

	/* above wmem_max's default the machine's sysctl decides */
	if (!truesize_known(w) || val > max)
		return -EOPNOTSUPP;
	/* sock_setsockopt: at most wmem_max, doubled, at least SOCK_MIN_SNDBUF */
	sk->sndbuf = val * 2 > SOCK_MIN_SNDBUF ? (uint32_t)(val * 2) : SOCK_MIN_SNDBUF;
	fl_trace(w, "socket %s: SO_SNDBUF: sk_sndbuf %u", sk->n.name, sk->sndbuf);
	return 0;
}

/* Would a stream send of LEN bytes from END find sk_wmem_alloc at sk_sndbuf? */
static bool stream_fills(const struct fl_sock *sk, unsigned end, size_t len)
{
	size_t wmem = sock_wmem(sk, end), chunk;

	for (; len; len -= chunk) {
		if (wmem >= sk->sndbuf)
			return true;
		chunk = len < stream_chunk(sk) ? len : stream_chunk(sk);
		wmem += skb_truesize(chunk);
	}
	return false;
}

/* The TCP domain: see "TCP" above. */
static const char *tcp_unmodelled(struct fl_world *w, const struct fl_sock *sk,
				  unsigned end, size_t len)
{
	struct fl_callers_state *cs = *fl_layer_slot(w, FL_LAYER_CALLERS);

	if (fl_world_kver(w) < FL_KV(5, 10, 0))
		return "TCP sockets before 5.10 (no kernel of those eras judged them)";
	if (!chunk_known(w))
		return "a TCP send on this arch (its page frag and loopback MSS)";
	if (sk->sends[end] >= TCP_MODEL_SENDS)
		return "a ninth TCP send from one end (the receiver's ACKs may be delayed)";
	if (fl_sock_queued(sk, !end) + len > TCP_SIZE_GOAL_LO)
		return "a TCP send with more than 32741 bytes unread (the size goal, the window)";
	if ((sk->shutdown[!end] & RCV_SHUTDOWN) && !sk->closed[!end])
		return "a TCP send to an end shut for reading (its data may reset the connection)";
	if (cs->tcp_frag_pid && cs->tcp_frag_pid != fl_current(w)->pid && !tcp_all_read(w))
		return "TCP sends of two tasks with bytes unread (each task has its page frag)";
	return NULL;
}

/*
 * The UDP domain: the receiver drops a datagram that finds its sk_rmem_alloc
 * past sk_rcvbuf (__udp_enqueue_schedule_skb), charged with truesizes the
 * model does not keep.  A datagram's truesize is below its length, plus
 * the length again up to 16 KiB, plus 4 KiB (__ip_append_data: a head
 * under SKB_MAX_ALLOC is a kmalloc object rounded up to a power of two;
 * past it, loopback being NETIF_F_SG, the bytes go to page frags charged
 * by the byte behind a small head), so while those bounds of the unread
 * datagrams stay within 128 KiB - below rcvbuf's default 212992 (180224
 * on 32-bit arches) and half of it, where skb_condense starts - none is
 * dropped.
 */
static const char *udp_unmodelled(struct fl_world *w, const struct fl_sock *sk, unsigned end)
{
	const struct fl_skb *skb;
	size_t charged = 0;

	if (fl_world_kver(w) < FL_KV(5, 10, 0))
		return "UDP sockets before 5.10 (no kernel of those eras judged them)";
	for (skb = sk->queue[!end]; skb; skb = skb->next)
		charged += skb->len + (skb->len < 16384 ? skb->len : 16384) + 4096;
	if (charged > SOCK_MODEL_BYTES)
		return "a UDP send with more than 128 KiB of the receiver's buffer charged "
		       "(sk_rcvbuf drops datagrams)";
	return NULL;
}

const char *fl_sock_unmodelled(struct fl_world *w, const struct fl_sock *sk,
			       unsigned end, size_t len)
{
	unsigned peer = !(end & 1);
	size_t queued = fl_sock_queued(sk, peer);

	end &= 1;
	if (sk->closed[end] || (sk->shutdown[end] & SEND_SHUTDOWN))
		return NULL;    /* -EBADF, -EPIPE before anything is queued */
	if (sk->type == FL_SOCK_TCP)
		return tcp_unmodelled(w, sk, end, len);
	if (sk->type == FL_SOCK_UDP)
		return udp_unmodelled(w, sk, end);
	if (fl_world_kver(w) < FL_KV(4, 0, 0))
		return "AF_UNIX sockets before 4.0";
	if (fl_sock_is_record(sk) && len > SOCK_MODEL_BYTES && !unix_sndbuf(w))
		return "a unix datagram of more than 128 KiB on this arch (wmem_default)";
	if (fl_sock_is_record(sk) && dgram_too_big(sk, len))
		return NULL;    /* -EMSGSIZE before anything is queued */
	if (sk->type == FL_SOCK_STREAM && len > UNIX_STREAM_MIN_CHUNK && !chunk_known(w))
		return "a unix stream send of more than 32 KiB on this arch (the skb size)";
	if (truesize_known(w))
		return NULL;    /* the send buffer is accounted: skb_truesize(), dgram_truesize() */
	if (sk->type == FL_SOCK_STREAM && stream_fills(sk, end, len))
		return "a unix stream send that fills the send buffer on this era or arch "
		       "(the skbs' truesize is judged on x86_64 and arm64 from 5.10, riscv64 "
		       "from 6.12)";
	/* one datagram into an empty queue always finds room: wmem is 0 */
	if ((sk->type == FL_SOCK_STREAM || queued) && queued + len > SOCK_MODEL_BYTES)
		return "a unix socket send with more than 128 KiB queued (the send buffer)";
	if (queue_len(sk, peer) >= SOCK_MODEL_SKBS)
		return "a unix socket send with 10 skbs queued on this era or arch (the send "
		       "buffer: the skbs' truesize is judged on x86_64 and arm64 from 5.10, "
		       "riscv64 from 6.12)";
	return NULL;
}

static struct fl_skb *skb_new(struct fl_world *w, size_t len)
{
	struct fl_skb *skb = fl_zalloc(w, sizeof(*skb));

	if (skb && !(skb->data = fl_zalloc(w, len ? len : 1))) {
		fl_free(w, skb, sizeof(*skb));
		return NULL;
	}
	if (skb) {
		skb->len = (uint32_t)len;
		skb->truesize = skb_truesize(len);
	}
	return skb;
}

static void skb_free(struct fl_world *w, struct fl_skb *skb)
{
	fl_free(w, skb->data, skb->len ? skb->len : 1);
	fl_free(w, skb, sizeof(*skb));
}

static void skb_queue_tail(struct fl_skb **q, struct fl_skb *skb)
{
	while (*q)
		q = &(*q)->next;
	*q = skb;
}

/*
 * One skb of LEN bytes from I into *OUT if every byte could be copied: 0,
 * -EFAULT (the skb is freed) or -ENOMEM.  The caller queues it.
 */
static int copy_skb(struct fl_world *w, struct fl_sock *sk, size_t len,
		    struct fl_iov_iter *i, struct fl_skb **out)
{
	struct fl_skb *skb = skb_new(w, len);
	size_t n;

	if (!skb)
		return -ENOMEM;
	if (fl_sock_is_record(sk))
		skb->truesize = dgram_truesize(len);
	if (sk->type == FL_SOCK_UDP)
		skb->truesize = 0;      /* loopback_xmit's skb_orphan: sk_wmem_alloc is back at once */
	n = fl_copy_from_iter(w, skb->data, len, i);
	if (n != len) {
		fl_trace(w, "socket %s: skb of %zu bytes: the copy stopped at %zu: -EFAULT, freed",
			 sk->n.name, len, n);
		skb_free(w, skb);
		return -EFAULT;
	}
	*out = skb;
	return 0;
}

/*
 * After the copy: a peer gone or shut for reading is -EPIPE (the skb
 * freed); else the skb is queued for it, which wakes its own sender.
 */
static int queue_skb(struct fl_world *w, struct fl_sock *sk, unsigned end, struct fl_skb *skb)
{
	if (sk->closed[!end] || (sk->shutdown[!end] & RCV_SHUTDOWN)) {
		fl_trace(w, "socket %s: end %u is shut for reading: -EPIPE", sk->n.name, !end);
		skb_free(w, skb);
		return -EPIPE;
	}
	skb_queue_tail(&sk->queue[!end], skb);
	sock_wake_sender(sk, !end);     /* sock_def_readable */
	return 0;
}

/*
 * The receiver coalesces (tcp_try_coalesce): SKB joins what is unread in
 * Q, so a TCP queue holds one skb at most.  0 or -ENOMEM.
 */
static int tcp_coalesce(struct fl_world *w, struct fl_skb **q, struct fl_skb *skb)
{
	struct fl_skb *tail = *q, *both;
	size_t left;

	if (!tail) {
		*q = skb;
		return 0;
	}
	left = tail->len - tail->consumed;
	both = skb_new(w, left + skb->len);
	if (!both)
		return -ENOMEM;
	memcpy(both->data, tail->data + tail->consumed, left);
	memcpy(both->data + left, skb->data, skb->len);
	skb_free(w, tail);
	skb_free(w, skb);
	*q = both;
	return 0;
}

/*
 * A MSG_OOB send that queued bytes: tcp_push's tcp_mark_urg puts snd_up
 * after the last byte copied (so after a fault, the last byte before
 * it), and the receiver's tcp_check_urg and tcp_urg make the byte before
 * it urgent (urg_seq, TCP_URG_VALID with the byte).  fl_sock_flags_unmodelled
 * refused a second one before the first was passed.
 */
static void tcp_mark_urg(struct fl_world *w, struct fl_sock *sk, unsigned rcv)
{
	sk->tcp_urg[rcv] = TCP_URG_VALID;
	sk->tcp_urg_seq[rcv] = sk->tcp_rcv_nxt[rcv] - 1;
	fl_trace(w, "socket %s: urgent data: byte %u of end %u's stream", sk->n.name,
		 sk->tcp_urg_seq[rcv], rcv);
}

/* tcp_sendmsg_locked within the domain (see "TCP"): one page-frag chunk at a time. */
static long tcp_send(struct fl_world *w, struct fl_sock *sk, unsigned end,
		     struct fl_iov_iter *i, unsigned flags)
{
	struct fl_callers_state *cs = *fl_layer_slot(w, FL_LAYER_CALLERS);
	size_t total = i->count, sent = 0, chunk, n;
	struct fl_skb *skb;
	long err = 0;

	if (!total)
		return 0;
	sk->sends[end]++;
	if (tcp_all_read(w))
		cs->tcp_frag_off = 0;   /* page_ref_count() == 1: reuse from 0 */
	cs->tcp_frag_pid = fl_current(w)->pid;
	while (sent < total) {
		if (TCP_FRAG_SIZE - cs->tcp_frag_off < TCP_FRAG_MIN)
			cs->tcp_frag_off = 0;   /* a new page */
		chunk = TCP_FRAG_SIZE - cs->tcp_frag_off;
		if (chunk > total - sent)
			chunk = total - sent;
		skb = skb_new(w, chunk);
		if (!skb)
			return -ENOMEM;
		n = fl_copy_from_iter(w, skb->data, chunk, i);
		if (n != chunk) {
			fl_trace(w, "socket %s: a TCP chunk of %zu bytes at frag offset %u: the copy "
				 "stopped at %zu: %s", sk->n.name, chunk, cs->tcp_frag_off, n,
				 sent ? "return the bytes queued" : "-EFAULT");
			skb_free(w, skb);
			err = -EFAULT;
			break;
		}
		cs->tcp_frag_off += (uint32_t)chunk;
		err = tcp_coalesce(w, &sk->queue[!end], skb);
		if (err) {
			skb_free(w, skb);
			return err;
		}
		sent += chunk;
		sk->tcp_rcv_nxt[!end] += (uint32_t)chunk;
	}
	if (sent && (flags & FL_MSG_OOB))
		tcp_mark_urg(w, sk, !end);
	return sent ? (long)sent : err;
}

/* fdget (a released end: -EBADF), then the msghdr's iovecs into I. */
static int sock_import(struct fl_world *w, const struct fl_sock *sk, unsigned end,
		       enum fl_iter_dir dir, const struct fl_iovec *iov,
		       unsigned long nr_segs, struct fl_iov_iter *i)
{
	if (sk->closed[end])
		return -EBADF;
	if (nr_segs > FL_UIO_MAXIOV)
		return -EMSGSIZE;       /* __copy_msghdr, before the array is read */
	return fl_import_iovec(w, dir, iov, nr_segs, i);
}

/* Own SEND_SHUTDOWN at the start of a stream or TCP send: SIGPIPE unless MSG_NOSIGNAL. */
static long send_shut(struct fl_world *w, struct fl_sock *sk, unsigned end, unsigned flags)
{
	char what[96];

	if (flags & FL_MSG_NOSIGNAL)
		return -EPIPE;
	snprintf(what, sizeof(what), "socket %s: end %u is shut for writing", sk->n.name, end);
	return fl_sys_send_sigpipe(w, what);
}

/*
 * END takes an RST with sk_err ERR (tcp_reset: EPIPE in CLOSE_WAIT,
 * ECONNRESET else) and tcp_done closes it; what it sent and its peer
 * had not read is dropped.  A closed end sends one when it had bytes
 * unread (tcp_close), or when bytes reach it (tcp_rcv_state_process: an
 * orphan shut for reading resets on new data).
 */
static void tcp_reset_by(struct fl_world *w, struct fl_sock *sk, unsigned end, int err)
{
	struct fl_skb *skb;

	fl_trace(w, "socket %s: end %u takes an RST: sk_err %s, TCP_CLOSE", sk->n.name, end,
		 err == EPIPE ? "EPIPE" : "ECONNRESET");
	sk->err[end] = err;
	sk->tcp_reset[end] = true;
	sk->shutdown[end] = RCV_SHUTDOWN | SEND_SHUTDOWN;
	sk->tcp_urg[!end] = TCP_URG_NONE;
	while ((skb = sk->queue[!end])) {
		sk->queue[!end] = skb->next;
		skb_free(w, skb);
	}
}

/*
 * tcp_sendmsg_locked: sk_err or SEND_SHUTDOWN first (sk_stream_error: a
 * pending sk_err is returned and taken, SIGPIPE only for EPIPE; else
 * EPIPE and SIGPIPE unless MSG_NOSIGNAL); then the chunks.  Bytes sent
 * to a closed peer reach an orphan that resets the connection.
 */
static long tcp_sendmsg(struct fl_world *w, struct fl_sock *sk, unsigned end,
			struct fl_iov_iter *i, unsigned flags)
{
	long ret;

	if (sk->err[end] || (sk->shutdown[end] & SEND_SHUTDOWN)) {
		ret = sk->err[end] ? sock_error(sk, end) : -EPIPE;
		return ret == -EPIPE ? send_shut(w, sk, end, flags) : ret;
	}
	ret = tcp_send(w, sk, end, i, flags);
	if (ret > 0 && sk->closed[!end])
		tcp_reset_by(w, sk, end, EPIPE);
	return ret;
}

/*
 * sock_alloc_send_pskb before a stream chunk or a datagram: 0 when END's sk_wmem_alloc
 * is below sk_sndbuf, else -EAGAIN (non-blocking), or the task waits for
 * a wake (sock_wfree, bytes, a state change: sock_wake_sender) and looks
 * again.  sk_err and SEND_SHUTDOWN end the send (no signal here).
 * FL_SYS_WAITS: no park hook, the call stops where it is.
 */
static long send_room(struct fl_world *w, struct fl_sock *sk, unsigned end, unsigned flags)
{
	int err;

	for (;;) {
		if (sk->err[end])
			return sock_error(sk, end);
		if (sk->shutdown[end] & SEND_SHUTDOWN)
			return -EPIPE;
		if (sock_wmem(sk, end) < sk->sndbuf)
			return 0;
		if (!sk->blocking || (flags & FL_MSG_DONTWAIT))
			return -EAGAIN;
		if (sk->timeo[0]) {
			fl_trace(w, "socket %s: end %u has no room: SO_SNDTIMEO passes, -EAGAIN",
				 sk->n.name, end);
			return -EAGAIN;
		}
		fl_trace(w, "socket %s: end %u holds %zu bytes of skbs, sk_sndbuf %u: the task "
			 "waits", sk->n.name, end, sock_wmem(sk, end), sk->sndbuf);
		sk->write_wake[end] = false;
		err = fl_sys_park(w, sender_woken, sk, end);
		if (err)
			return err;
	}
}

/* unix_stream_sendmsg: chunks while there is room, each copied whole or not at all. */
static long stream_send(struct fl_world *w, struct fl_sock *sk, unsigned end,
			struct fl_iov_iter *i, unsigned flags, const struct fl_sock_ctl *scm,
			uint32_t cred)
{
	size_t total = i->count, sent = 0, chunk;
	struct fl_skb *skb;
	long err = 0;

	if (sk->shutdown[end] & SEND_SHUTDOWN)
		return send_shut(w, sk, end, flags);
	while (sent < total) {
		chunk = total - sent;
		if (chunk > stream_chunk(sk))
			chunk = stream_chunk(sk);
		err = send_room(w, sk, end, flags);
		if (!err)
			err = copy_skb(w, sk, chunk, i, &skb);
		if (!err && !sent)
			skb_attach_fds(skb, scm);       /* the first skb only */
		if (!err)
			skb->cred = cred;
		if (!err)
			err = queue_skb(w, sk, end, skb);
		if (err == -EPIPE && !sent && !(sk->shutdown[end] & SEND_SHUTDOWN))
			err = send_shut(w, sk, end, flags);     /* the peer's RCV_SHUTDOWN */
		if (err)
			break;
		sent += chunk;
	}
	if (err == FL_SYS_WAITS)
		return err;
	return sent ? (long)sent : err;
}

/*
 * unix_dgram_sendmsg: one skb, whole or nothing; no signal on -EPIPE.
 * Its room is the sender's send buffer only: the receive queue limit
 * (unix_recvq_full, max_dgram_qlen) is skipped when the receiver's peer
 * is the sender, as on a socketpair.
 */
static long dgram_send(struct fl_world *w, struct fl_sock *sk, unsigned end,
		       struct fl_iov_iter *i, unsigned flags, const struct fl_sock_ctl *scm,
		       uint32_t cred)
{
	size_t total = i->count;
	struct fl_skb *skb;
	long err;

	/* unix_peer_get() found none: before 6.14, ahead of everything else */
	if (sk->unpeered[end] && !fl_kver_has(fl_world_kver(w), FL_ERA_UNIX_DGRAM_PEER_LATE))
		return -ENOTCONN;
	if (dgram_too_big(sk, total))
		return -EMSGSIZE;
	err = send_room(w, sk, end, flags);     /* sock_alloc_send_pskb */
	if (!err)
		err = copy_skb(w, sk, total, i, &skb);
	if (!err && sk->unpeered[end]) {
		skb_free(w, skb);               /* since 6.14: after the copy */
		return -ENOTCONN;
	}
	if (!err && sk->closed[!end]) {
		/* SOCK_DEAD peer: unix_dgram_disconnected purges our own queue */
		fl_trace(w, "socket %s: end %u is released: -ECONNREFUSED, end %u's queue "
			 "purged, its peer gone", sk->n.name, !end, end);
		skb_free(w, skb);
		sk->unpeered[end] = true;
		while ((skb = sk->queue[end])) {
			sk->queue[end] = skb->next;
			skb_free(w, skb);
		}
		return -ECONNREFUSED;
	}
	if (!err) {
		skb_attach_fds(skb, scm);
		skb->cred = cred;
		err = queue_skb(w, sk, end, skb);
	}
	return err ? err : (long)total;
}

/*
 * udp_sendmsg on a connected loopback pair: more than 0xFFFF bytes is
 * -EMSGSIZE, then MSG_OOB -EOPNOTSUPP; ip_make_skb's __ip_append_data
 * allows 0xFFFF less the IP and UDP headers (65507 bytes: -EMSGSIZE past
 * it), then takes its skb (sock_alloc_send_skb: sk_err, SEND_SHUTDOWN is
 * -EPIPE, no signal) and copies the bytes whole or fails -EFAULT, nothing
 * sent.  The receiver queues the datagram whatever its sk_shutdown (UDP
 * delivery does not look at it).  Nothing waits: loopback orphans the
 * skb, so the send buffer is empty again by the next send.
 */
static long udp_send(struct fl_world *w, struct fl_sock *sk, unsigned end,
		     struct fl_iov_iter *i, unsigned flags)
{
	size_t total = i->count;
	struct fl_skb *skb;
	long err;

	if (total > 0xffff)
		return -EMSGSIZE;
	if (flags & FL_MSG_OOB)
		return -EOPNOTSUPP;
	if (total > 0xffff - 20 - 8)
		return -EMSGSIZE;
	if (sk->err[end])
		return sock_error(sk, end);
	if (sk->shutdown[end] & SEND_SHUTDOWN)
		return -EPIPE;
	err = copy_skb(w, sk, total, i, &skb);
	if (err)
		return err;
	skb_queue_tail(&sk->queue[!end], skb);
	return (long)total;
}

/*
 * Does an AF_UNIX stream take MSG_OOB (314001f0bf92, CONFIG_AF_UNIX_OOB)?
 * Before it, and on every datagram socket, MSG_OOB is -EOPNOTSUPP.
 */
static bool unix_oob(const struct fl_world *w, const struct fl_sock *sk)
{
	return sk->type == FL_SOCK_STREAM && fl_kver_has(fl_world_kver(w), FL_ERA_UNIX_OOB);
}

const char *fl_sock_flags_unmodelled(struct fl_world *w, const struct fl_sock *sk,
				     unsigned end, bool send, unsigned flags, size_t len)
{
	end &= 1;
	if (!send && sk->type == FL_SOCK_TCP && sk->tcp_urg[end] && !(flags & FL_MSG_OOB) &&
	    (flags & (FL_MSG_PEEK | FL_MSG_TRUNC | FL_MSG_WAITALL)))
		return "a TCP read with MSG_PEEK, MSG_TRUNC or MSG_WAITALL while urgent data is "
		       "pending";
	/* tcp_recv_urg's -ENOTCONN in TCP_CLOSE without SOCK_DONE */
	if (!send && sk->type == FL_SOCK_TCP && (flags & FL_MSG_OOB) && sk->tcp_reset[end])
		return "a TCP read with MSG_OOB after an RST";
	if (!send)
		return NULL;
	if (flags & ~(FL_MSG_DONTWAIT | FL_MSG_NOSIGNAL | FL_MSG_OOB))
		return "sendmsg flags other than dontwait, nosignal and oob";
	if ((flags & FL_MSG_OOB) && sk->type == FL_SOCK_TCP && sk->tcp_urg[!end])
		return "a TCP send with MSG_OOB while the last urgent byte is not passed (the "
		       "receiver's tcp_check_urg replaces it)";
	if ((flags & FL_MSG_OOB) && unix_oob(w, sk) && len)
		return "an AF_UNIX stream send with MSG_OOB from 5.15 (its out-of-band byte)";
	return NULL;
}

/* sizeof(struct cmsghdr): a size_t and two ints. */
static size_t cmsghdr_size(const struct fl_world *w)
{
	enum fl_arch_id a = fl_world_arch(w)->id;

	return a == FL_ARCH_I386 || a == FL_ARCH_ARM ? 12 : 16;
}

const char *fl_sock_control_unmodelled(uint64_t controllen)
{
	if (controllen > SOCK_CTL_STACK && controllen <= INT32_MAX && controllen > OPTMEM_MAX_OLD)
		return "a msg_controllen past 20480 (sock_kmalloc's ENOBUFS follows "
		       "net.core.optmem_max, the machine's sysctl)";
	return NULL;
}

/*
 * ____sys_sendmsg's control buffer, after the iovecs and before the
 * protocol: more than INT_MAX is -ENOBUFS; else CONTROLLEN bytes are
 * copied whole (copy_from_user into ctl or a sock_kmalloc'ed buffer) or
 * -EFAULT, nothing sent.  Fewer bytes than a cmsghdr hold no message
 * (CMSG_FIRSTHDR is NULL): 0.  One is parsed by the protocol (scm_send,
 * sock_cmsg_send), which the model does not: FL_SOCK_CMSG.
 */
static long sock_copy_control(struct fl_world *w, fl_addr_t control, uint64_t controllen)
{
	uint8_t chunk[256];
	uint64_t left = controllen;
	size_t n;

	if (controllen > INT32_MAX)
		return -ENOBUFS;
	for (; left; left -= n, control += n) {
		n = left < sizeof(chunk) ? (size_t)left : sizeof(chunk);
		if (fl_copy_from_user(w, chunk, control, n)) {
			fl_trace(w, "sendmsg: msg_control faults at or after 0x%llx: -EFAULT, "
				 "nothing sent", (unsigned long long)control);
			return -EFAULT;
		}
	}
	return controllen >= cmsghdr_size(w) ? FL_SOCK_CMSG : 0;
}

/*
 * __scm_send of the backend's SCM_RIGHTS message (cmsg_len CMSG_LEN of
 * its descriptors, zeros after it), or its SCM_CREDENTIALS one (a struct
 * ucred of the caller's own, which scm_check_creds lets through), in
 * CTL->CONTROLLEN bytes: fewer than a cmsghdr hold no message (the send
 * goes on without it: *SEND NULL); a cmsg_len past them is -EINVAL
 * (CMSG_OK); so is the zeroed header after it where one fits; a
 * descriptor not open is -EBADF (scm_fp_copy).
 */
static long scm_send(const struct fl_world *w, const struct fl_sock_ctl *ctl,
		     const struct fl_sock_ctl **send)
{
	size_t hdr = cmsghdr_size(w), align = hdr == 12 ? 4 : 8;
	size_t len = hdr + (ctl->creds ? 12 : ctl->nfp * 4);
	size_t space = (len + align - 1) / align * align;

	*send = NULL;
	if (ctl->controllen < hdr)
		return 0;
	if (len > ctl->controllen)
		return -EINVAL;
	if (ctl->fp_closed)
		return -EBADF;
	if (space + hdr <= ctl->controllen)
		return -EINVAL;
	*send = ctl;
	return 0;
}

long fl_sock_sendmsg(struct fl_world *w, struct fl_sock *sk, unsigned end,
		     const struct fl_iovec *iov, unsigned long nr_segs, unsigned flags,
		     const struct fl_sock_ctl *ctl)
{
	const struct fl_sock_ctl *scm = NULL;
	uint32_t cred;
	struct fl_iov_iter i;
	long ret;
	int err;

	end &= 1;
	err = sock_import(w, sk, end, FL_ITER_SOURCE, iov, nr_segs, &i);
	if (err)
		return err;
	/* the backend's own message (rights=, creds=) is copied whole */
	ret = ctl->nfp || ctl->creds ? 0 : sock_copy_control(w, ctl->control, ctl->controllen);
	if (ret)
		return ret;
	/* unix_seqpacket_sendmsg takes sk_err first */
	if (sk->type == FL_SOCK_SEQPACKET && sk->err[end])
		return sock_error(sk, end);
	/* unix_dgram_sendmsg and unix_stream_sendmsg begin with scm_send */
	ret = ctl->nfp || ctl->creds ? scm_send(w, ctl, &scm) : 0;
	if (ret)
		return ret;
	/*
	 * unix_scm_to_skb puts an SCM_CREDENTIALS message's on every skb of
	 * the send; else unix_maybe_add_creds the caller's where either end
	 * has SO_PASSCRED, now; else the skb carries none.
	 */
	cred = (scm && scm->creds) || sk->passcred[0] || sk->passcred[1] ? ctl->cred : 0;
	/*
	 * unix_dgram_sendmsg and unix_stream_sendmsg refuse MSG_OOB before
	 * anything else; a stream since 5.15 only when there is no byte
	 * (fl_sock_flags_unmodelled refuses the rest).
	 */
	if (sk->type == FL_SOCK_UDP)
		return udp_send(w, sk, end, &i, flags);
	if ((flags & FL_MSG_OOB) && sk->type != FL_SOCK_TCP)
		return -EOPNOTSUPP;
	if (sk->type == FL_SOCK_TCP)
		return tcp_sendmsg(w, sk, end, &i, flags);
	if (fl_sock_is_record(sk))
		return dgram_send(w, sk, end, &i, flags, scm, cred);
	return stream_send(w, sk, end, &i, flags, scm, cred);
}

/*
 * A MSG_WAITALL read that took some bytes and found the queue empty: it
 * waits for more with them taken (unix_stream_data_wait, sk_wait_data).
 * 0 once bytes came; else why it ends, returning what it took: sk_err
 * (taken, lost under the bytes), RCV_SHUTDOWN, non-blocking, a kill;
 * FL_SYS_WAITS: no park hook, it stops there.
 */
static long stream_wait_more(struct fl_world *w, struct fl_sock *sk, unsigned end,
			     unsigned flags)
{
	long err;

	while (!sk->queue[end]) {
		if (sk->err[end])
			return sock_error(sk, end);
		if (sk->shutdown[end] & RCV_SHUTDOWN)
			return -EPIPE;
		if (!sk->blocking || (flags & FL_MSG_DONTWAIT) || sk->timeo[1])
			return -EAGAIN;         /* SO_RCVTIMEO: timed out, the bytes taken */
		fl_trace(w, "socket %s: MSG_WAITALL, end %u is empty: the task waits with its "
			 "bytes taken", sk->n.name, end);
		err = fl_sys_park(w, reader_woken, sk, end);
		if (err)
			return err;
	}
	return 0;
}

/*
 * unix_stream_read_generic and tcp_recvmsg_locked from a queue that is
 * not empty: see the rules above.  MSG_PEEK copies the same bytes and
 * takes none (with no SO_PEEK_OFF: from the first unread byte); MSG_TRUNC
 * on TCP takes the bytes without copying them; AF_UNIX stream ignores it.
 * MSG_WAITALL (not with MSG_PEEK: model_socket.c refuses that wait) goes
 * on until the request is filled (stream_wait_more).
 */
static long stream_recv(struct fl_world *w, struct fl_sock *sk, unsigned end,
			struct fl_iov_iter *i, unsigned flags, struct fl_sock_ctl *scm)
{
	bool peek = flags & FL_MSG_PEEK;
	bool discard = sk->type == FL_SOCK_TCP && (flags & FL_MSG_TRUNC);
	bool waitall = (flags & FL_MSG_WAITALL) && !peek;
	struct fl_skb *skb = sk->queue[end];
	size_t size = i->count, chunk, n;
	uint32_t off = skb->consumed;
	bool check_creds = false;
	long copied = 0, err;

	for (;;) {
		/* with SO_PASSCRED one read takes one sender's bytes (unix_skb_scm_eq) */
		if (check_creds && skb->cred != scm->cred)
			break;
		if (sk->passcred[end] && fl_sock_is_unix(sk)) {
			scm->cred = skb->cred;
			check_creds = true;
		}
		chunk = skb->len - off;
		if (chunk > size)
			chunk = size;
		n = discard ? chunk : fl_copy_to_iter(w, skb->data + off, chunk, i);
		if (n != chunk) {
			fl_trace(w, "socket %s: copy of %zu bytes stopped at %zu: the skb stays",
				 sk->n.name, chunk, n);
			return copied ? copied : -EFAULT;
		}
		copied += (long)chunk;
		size -= chunk;
		off += (uint32_t)chunk;
		if (!peek)
			skb->consumed = off;
		if (skb->nfp)
			skb_detach_fds(skb, scm, peek);
		if (off < skb->len)
			break;
		if (peek) {
			skb = skb->next;
		} else {
			sk->queue[end] = skb->next;
			skb_free(w, skb);
			sock_wfree(sk, !end);
			skb = sk->queue[end];
		}
		/* descriptors taken: the read ends with their skb */
		if (scm->nfp)
			break;
		if (!size)
			break;
		if (!skb && waitall) {
			err = stream_wait_more(w, sk, end, flags);
			if (err == FL_SYS_WAITS)
				return err;
			if (err)
				break;
			skb = sk->queue[end];
		}
		if (!skb)
			break;
		off = peek ? 0 : skb->consumed;
	}
	return copied;
}

/*
 * unix_dgram_recvmsg, without waiting: the datagram leaves the queue
 * first, unless MSG_PEEK; MSG_TRUNC returns its whole length.  A buffer
 * shorter than the datagram sets MSG_TRUNC in *MSG_FLAGS, with or without
 * the flag and with MSG_PEEK too (__unix_dgram_recvmsg, before the copy).
 */
static long dgram_recv(struct fl_world *w, struct fl_sock *sk, unsigned end,
		       struct fl_iov_iter *i, unsigned flags, unsigned *msg_flags,
		       struct fl_sock_ctl *scm)
{
	struct fl_skb *skb = sk->queue[end];
	bool peek = flags & FL_MSG_PEEK;
	size_t size, n;
	long ret;

	if (!skb)
		return -EAGAIN;
	if (!peek)
		sk->queue[end] = skb->next;
	size = i->count < skb->len ? i->count : skb->len;
	if (size < skb->len)
		*msg_flags |= FL_MSG_TRUNC;
	n = fl_copy_to_iter(w, skb->data, size, i);
	if (n != size)
		fl_trace(w, "socket %s: datagram of %u bytes: the copy stopped at %zu: -EFAULT, "
			 "the datagram %s", sk->n.name, skb->len, n, peek ? "stays" : "is gone");
	ret = n != size ? -EFAULT : (flags & FL_MSG_TRUNC) ? (long)skb->len : (long)size;
	/* after a copy that faulted the descriptors go with the datagram */
	if (ret >= 0 && skb->nfp)
		skb_detach_fds(skb, scm, peek);
	scm->cred = skb->cred;
	if (!peek) {
		skb_free(w, skb);
		sock_wfree(sk, !end);
	}
	return ret;
}

/*
 * Nothing queued for END: sk_err first (once), then RCV_SHUTDOWN is 0 -
 * a SOCK_DGRAM or UDP end's only where the call would wait, a SOCK_SEQPACKET
 * end's always (__unix_dgram_recvmsg turns its -EAGAIN into EOF) - then -EAGAIN, or the
 * task waits before it took anything (FL_SYS_WAITS: run again from the
 * start after each statement).
 */
static long recv_empty(struct fl_world *w, struct fl_sock *sk, unsigned end, unsigned flags)
{
	/*
	 * Whatever the length: a zero-length read waits too (sock_rcvlowat's
	 * target is at least 1; the datagram waits take no length; measured
	 * on 6.18 for all five types), unlike pipe_read's.
	 */
	bool waits = sk->blocking && !(flags & FL_MSG_DONTWAIT);

	/* tcp_recvmsg_locked: a FIN taken (SOCK_DONE) is 0 before sk_err */
	if (sk->tcp_done[end])
		return 0;
	if (sk->type != FL_SOCK_DGRAM && sk->err[end])
		return sock_error(sk, end);
	if ((sk->shutdown[end] & RCV_SHUTDOWN) &&
	    ((sk->type != FL_SOCK_DGRAM && sk->type != FL_SOCK_UDP) || waits))
		return 0;
	if (!waits)
		return -EAGAIN;
	if (sk->timeo[1]) {
		fl_trace(w, "socket %s: end %u is empty: SO_RCVTIMEO passes, -EAGAIN",
			 sk->n.name, end);
		return -EAGAIN;
	}
	fl_trace(w, "socket %s: end %u is empty: the task waits", sk->n.name, end);
	return FL_SYS_WAITS;
}

/* The urgent byte's offset from END's first unread byte (tp->urg_seq - copied_seq). */
static uint32_t tcp_urg_off(const struct fl_sock *sk, unsigned end)
{
	return sk->tcp_urg_seq[end] - (sk->tcp_rcv_nxt[end] - (uint32_t)fl_sock_queued(sk, end));
}

/*
 * tcp_recv_urg: with no urgent byte, or one already read, -EINVAL; else
 * the byte is marked read first (not with MSG_PEEK), MSG_OOB goes to
 * msg_flags, and one byte is copied (none with MSG_TRUNC): a fault is
 * -EFAULT with the byte lost.  A zero-length buffer gets MSG_TRUNC and 0.
 * The byte stays in the stream, where a plain read skips it.
 */
static long tcp_recv_urg(struct fl_world *w, struct fl_sock *sk, unsigned end,
			 struct fl_iov_iter *i, unsigned flags, unsigned *msg_flags)
{
	const struct fl_skb *skb = sk->queue[end];
	uint8_t c;

	if (sk->tcp_urg[end] != TCP_URG_VALID)
		return -EINVAL;
	c = skb->data[skb->consumed + tcp_urg_off(sk, end)];
	if (!(flags & FL_MSG_PEEK))
		sk->tcp_urg[end] = TCP_URG_READ;
	*msg_flags |= FL_MSG_OOB;
	if (!i->count) {
		*msg_flags |= FL_MSG_TRUNC;
		return 0;
	}
	if (!(flags & FL_MSG_TRUNC) && fl_copy_to_iter(w, &c, 1, i) != 1) {
		fl_trace(w, "socket %s: the urgent byte's copy faults: -EFAULT, the byte is "
			 "read", sk->n.name);
		return -EFAULT;
	}
	return 1;
}

/*
 * tcp_recvmsg_locked while an urgent byte is pending (TCP_URG_VALID or
 * TCP_URG_READ; no MSG_PEEK, MSG_TRUNC or MSG_WAITALL: refused): a read
 * stops before the byte once it copied something; one that starts at it
 * skips it (copied_seq moves on even if the copy after faults: the byte
 * is gone, urg_data cleared once copied_seq passed it) and goes on.
 */
static long tcp_recv_marked(struct fl_world *w, struct fl_sock *sk, unsigned end,
			    struct fl_iov_iter *i, unsigned flags)
{
	struct fl_skb *skb;
	size_t size = i->count, used, n;
	long copied = 0;

	while (size && (skb = sk->queue[end])) {
		bool urg = sk->tcp_urg[end] != TCP_URG_NONE;
		uint32_t off = urg ? tcp_urg_off(sk, end) : UINT32_MAX;

		if (!off && copied)
			break;
		used = skb->len - skb->consumed;
		if (used > size)
			used = size;
		if (off < used && !off) {
			fl_trace(w, "socket %s: end %u's read skips the urgent byte", sk->n.name, end);
			skb->consumed++;
			used--;
		} else if (off < used) {
			used = off;
		}
		n = fl_copy_to_iter(w, skb->data + skb->consumed, used, i);
		if (n != used)
			return copied ? copied : -EFAULT;
		skb->consumed += (uint32_t)used;
		copied += (long)used;
		size -= used;
		if (urg && tcp_urg_off(sk, end) > (uint32_t)INT32_MAX)
			sk->tcp_urg[end] = TCP_URG_NONE;        /* copied_seq passed urg_seq */
		if (skb->consumed == skb->len) {
			sk->queue[end] = NULL;
			skb_free(w, skb);
		}
	}
	return copied || !size || sk->queue[end] ? copied : recv_empty(w, sk, end, flags);
}

/* put_user of one int, or of the size_t cmsg_len: 0 or -EFAULT. */
static int scm_put(struct fl_world *w, fl_addr_t at, uint64_t val, size_t size)
{
	uint8_t b[8];
	size_t k;

	for (k = 0; k < size; k++)
		b[k] = (uint8_t)(val >> (8 * k));       /* little-endian arches only */
	return fl_copy_to_user(w, at, b, size) ? -EFAULT : 0;
}

/* The cmsghdr at AT: cmsg_len LEN, SOL_SOCKET, TYPE (1 SCM_RIGHTS, 2 SCM_CREDENTIALS). */
static int scm_put_hdr(struct fl_world *w, fl_addr_t at, size_t len, unsigned type)
{
	size_t hdr = cmsghdr_size(w);

	return scm_put(w, at + hdr - 8, 1 /* SOL_SOCKET */, 4) ||
	       scm_put(w, at + hdr - 4, type, 4) || scm_put(w, at, len, hdr - 8) ? -EFAULT : 0;
}

/*
 * put_cmsg of SCM_CREDENTIALS (scm_recv, SO_PASSCRED): fewer than a
 * cmsghdr's bytes is MSG_CTRUNC, nothing written; fewer than CMSG_LEN of
 * a struct ucred is MSG_CTRUNC and what fits, cmsg_len cut to it; the
 * ucred is pid 0 and the overflow ids 65534 for an skb that carried none
 * (the model writes 1000 + its name for a process's pid and 0 for its
 * ids: they have no numbers of their own); *AT and *ROOM advance by
 * CMSG_SPACE(12), at most *ROOM.  CTL->CRED says what it holds if whole.
 */
static int scm_put_creds(struct fl_world *w, struct fl_sock_ctl *ctl, fl_addr_t *at,
			 uint64_t *room, uint32_t cred, unsigned *msg_flags)
{
	size_t hdr = cmsghdr_size(w), len = hdr + 12, space = hdr + 16, k;
	bool anon = cred == FL_SOCK_CRED_ANON;
	uint32_t ucred[3] = { anon ? 0 : 1000 + cred, anon ? 65534 : 0, anon ? 65534 : 0 };
	int err = 0;

	if (*room < hdr) {
		*msg_flags |= FL_MSG_CTRUNC;
		return 0;
	}
	if (*room < len) {
		*msg_flags |= FL_MSG_CTRUNC;
		len = (size_t)*room;
	}
	err = scm_put_hdr(w, *at, len, 2);
	for (k = 0; !err && hdr + 4 * k < len; k++)
		err = scm_put(w, *at + hdr + 4 * k, ucred[k],
			      len - hdr - 4 * k < 4 ? len - hdr - 4 * k : 4);
	if (err)
		return FL_SOCK_CMSG;
	ctl->cred = len == hdr + 12 ? cred : 0;
	space = space < *room ? space : (size_t)*room;
	*at += space;
	*room -= space;
	return 0;
}

/*
 * scm_detach_fds: as many of SCM's descriptors as fit after a cmsghdr in
 * *ROOM (none if it is a cmsghdr or less) are installed, each number
 * written (the model writes 1000 + i: its descriptors have no numbers of
 * their own), then the header (SOL_SOCKET, SCM_RIGHTS, cmsg_len CMSG_LEN
 * of them); *AT and *ROOM advance by CMSG_SPACE of them, at most *ROOM;
 * fewer installed than carried is MSG_CTRUNC, the rest dropped.
 */
static int scm_detach_fds(struct fl_world *w, struct fl_sock_ctl *ctl, fl_addr_t *at,
			  uint64_t *room, const struct fl_sock_ctl *scm, unsigned *msg_flags)
{
	size_t hdr = cmsghdr_size(w), align = hdr == 12 ? 4 : 8, space;
	uint64_t fdmax = *room <= hdr ? 0 : (*room - hdr) / 4;
	unsigned n = fdmax < scm->nfp ? (unsigned)fdmax : scm->nfp, k;
	int err = 0;

	for (k = 0; k < n && !err; k++)
		err = scm_put(w, *at + hdr + 4 * k, 1000 + k, 4);
	if (n && !err)
		err = scm_put_hdr(w, *at, hdr + 4 * n, 1);
	if (err)
		return FL_SOCK_CMSG;
	if (n < scm->nfp)
		*msg_flags |= FL_MSG_CTRUNC;
	space = n ? (hdr + 4 * n + align - 1) / align * align : 0;
	space = space < *room ? space : (size_t)*room;
	*at += space;
	*room -= space;
	ctl->nfp = n;
	memcpy(ctl->fp, scm->fp, sizeof(ctl->fp));
	fl_trace(w, "recvmsg: %u of %u descriptors installed%s", n, scm->nfp,
		 n < scm->nfp ? ", MSG_CTRUNC" : "");
	return 0;
}

/*
 * scm_recv (include/net/scm.h): what the skbs read carried goes to the
 * msghdr of CTL, whose msg_controllen (ROOM) ____sys_recvmsg gives back
 * as the bytes written.  No msg_control: MSG_CTRUNC if there was
 * something to write, nothing installed.  Else SCM_CREDENTIALS first
 * where the reader has SO_PASSCRED, then the descriptors.  A write that
 * faults: FL_SOCK_CMSG (not modelled).
 */
static long scm_recv(struct fl_world *w, struct fl_sock_ctl *ctl, uint64_t room,
		     const struct fl_sock_ctl *scm, bool passcred, unsigned *msg_flags)
{
	fl_addr_t at = ctl->control;
	uint64_t left = room;
	int err = 0;

	if (!ctl->control) {
		*msg_flags |= FL_MSG_CTRUNC;
		return 0;
	}
	if (passcred)
		err = scm_put_creds(w, ctl, &at, &left, scm->cred ? scm->cred : FL_SOCK_CRED_ANON,
				    msg_flags);
	if (!err && scm->nfp)
		err = scm_detach_fds(w, ctl, &at, &left, scm, msg_flags);
	ctl->controllen = room - left;
	return err;
}

/* The queue's next skbs, then what they carried (AF_UNIX: scm_recv). */
static long queue_recv(struct fl_world *w, struct fl_sock *sk, unsigned end,
		       struct fl_iov_iter *i, unsigned flags, unsigned *msg_flags,
		       struct fl_sock_ctl *ctl, uint64_t room)
{
	struct fl_sock_ctl scm = { .nfp = 0 };
	bool passcred = sk->passcred[end] && fl_sock_is_unix(sk);
	long ret = fl_sock_is_record(sk) ? dgram_recv(w, sk, end, i, flags, msg_flags, &scm)
					 : stream_recv(w, sk, end, i, flags, &scm);
	long err = ret >= 0 && (scm.nfp || passcred) ?
		   scm_recv(w, ctl, room, &scm, passcred, msg_flags) : 0;

	return err ? err : ret;
}

long fl_sock_recvmsg(struct fl_world *w, struct fl_sock *sk, unsigned end,
		     const struct fl_iovec *iov, unsigned long nr_segs, unsigned flags,
		     unsigned *msg_flags, struct fl_sock_ctl *ctl)
{
	uint64_t room = ctl->controllen;
	struct fl_iov_iter i;
	int err;

	end &= 1;
	*msg_flags = 0;         /* ____sys_recvmsg: only MSG_CMSG_* carried in */
	ctl->nfp = 0;
	ctl->controllen = 0;    /* ... and writes back the control bytes used */
	err = sock_import(w, sk, end, FL_ITER_DEST, iov, nr_segs, &i);
	if (err)
		return err;
	/*
	 * tcp_recvmsg (inet_recv_error) and udp_recvmsg (ip_recv_error): the
	 * error queue is always empty.  udp_recvmsg ignores MSG_OOB.
	 */
	if ((sk->type == FL_SOCK_TCP || sk->type == FL_SOCK_UDP) && (flags & FL_MSG_ERRQUEUE))
		return -EAGAIN;
	/*
	 * MSG_OOB with no out-of-band byte (the model sends none): TCP's
	 * tcp_recv_urg and an AF_UNIX stream's unix_stream_recv_urg (5.15)
	 * are -EINVAL, __unix_dgram_recvmsg (and a stream before) -EOPNOTSUPP;
	 * before the queue is looked at.  AF_UNIX ignores MSG_ERRQUEUE.
	 */
	if ((flags & FL_MSG_OOB) && sk->type == FL_SOCK_TCP)
		return tcp_recv_urg(w, sk, end, &i, flags, msg_flags);
	if ((flags & FL_MSG_OOB) && sk->type != FL_SOCK_UDP)
		return unix_oob(w, sk) ? -EINVAL : -EOPNOTSUPP;
	/* __skb_try_recv_datagram takes sk_err before it looks at the queue */
	if (fl_sock_is_record(sk) && sk->err[end])
		return sock_error(sk, end);
	if (!sk->queue[end])
		return recv_empty(w, sk, end, flags);
	if (sk->type == FL_SOCK_TCP && sk->tcp_urg[end])
		return tcp_recv_marked(w, sk, end, &i, flags);
	return queue_recv(w, sk, end, &i, flags, msg_flags, ctl, room);
}

/* unix_shutdown's map: our SEND_SHUTDOWN is the peer's RCV_SHUTDOWN, and back. */
static uint8_t mirror(unsigned mode)
{
	return (uint8_t)(((mode & RCV_SHUTDOWN) ? SEND_SHUTDOWN : 0) |
			 ((mode & SEND_SHUTDOWN) ? RCV_SHUTDOWN : 0));
}

int fl_sock_shutdown(struct fl_world *w, struct fl_sock *sk, unsigned end, unsigned how)
{
	unsigned mode = how + 1;        /* SHUT_RD 0 -> RCV_SHUTDOWN 1, ... */
	bool both_fin = (sk->shutdown[0] & SEND_SHUTDOWN) && (sk->shutdown[1] & SEND_SHUTDOWN);

	end &= 1;
	if (sk->closed[end])
		return -EBADF;
	if (how > 2)
		return -EINVAL;
	sk->shutdown[end] |= (uint8_t)mode;
	fl_trace(w, "socket %s: shutdown of end %u (%s%s)", sk->n.name, end,
		 mode & RCV_SHUTDOWN ? "rcv" : "", mode & SEND_SHUTDOWN ? "send" : "");
	if (sk->type == FL_SOCK_TCP) {
		/* both FINs went, or an RST: the end is TCP_CLOSE (inet_shutdown -ENOTCONN) */
		if (both_fin || sk->tcp_reset[end])
			return -ENOTCONN;
		if (mode & RCV_SHUTDOWN)
			sk->tcp_shut_rd[end] = true;
		if (mode & SEND_SHUTDOWN) {
			sk->shutdown[!end] |= RCV_SHUTDOWN;     /* the FIN: tcp_fin */
			sk->tcp_done[!end] = true;
		}
		return 0;
	}
	if (sk->type == FL_SOCK_STREAM || sk->type == FL_SOCK_SEQPACKET)
		sk->shutdown[!end] |= mirror(mode);
	sock_wake_sender(sk, end);      /* sk_state_change */
	sock_wake_sender(sk, !end);
	return 0;
}

const char *fl_sock_close_unmodelled(const struct fl_sock *sk, unsigned end)
{
	end &= 1;
	if (sk->type == FL_SOCK_UDP && !sk->closed[end])
		return "close of a UDP end (the ICMP port unreachable its peer's next send "
		       "draws, rate-limited: sk_err ECONNREFUSED)";
	if (sk->type != FL_SOCK_TCP || sk->closed[end])
		return NULL;
	if (sk->tcp_shut_rd[0] || sk->tcp_shut_rd[1])
		return "close of a TCP end after a SHUT_RD (the bytes that come after it)";
	return NULL;
}

/*
 * tcp_close of END (no SHUT_RD before: fl_sock_close_unmodelled): an end
 * already TCP_CLOSE (an RST, or both FINs) or whose peer is closed sends
 * nothing.  Else bytes END left unread are freed and an RST goes instead
 * of a FIN (tcp_close: data_was_unread), which the peer takes with sk_err
 * ECONNRESET (tcp_reset), EPIPE in CLOSE_WAIT (it took END's FIN); else
 * the FIN gives the peer RCV_SHUTDOWN and SOCK_DONE (tcp_fin), or went
 * with END's SHUT_WR already (FIN_WAIT2); the peer's next send of bytes
 * is answered with an RST (tcp_reset_by).  What the peer has queued stays
 * readable.  Measured on 6.18: tests/host/socket-close-tcp-shut.fl.
 */
static int tcp_close(struct fl_world *w, struct fl_sock *sk, unsigned end)
{
	struct fl_skb *skb;
	bool unread = sk->queue[end];
	bool fin_sent = sk->shutdown[end] & SEND_SHUTDOWN;
	/* TCP_CLOSE: an RST came, or both FINs went (tcp_fin's tcp_time_wait) */
	bool tcp_closed = sk->tcp_reset[end] || (fin_sent && sk->tcp_done[end]);

	sk->shutdown[end] = RCV_SHUTDOWN | SEND_SHUTDOWN;
	sk->tcp_urg[end] = TCP_URG_NONE;
	while ((skb = sk->queue[end])) {
		sk->queue[end] = skb->next;
		skb_free(w, skb);
	}
	if (tcp_closed || sk->closed[!end]) {
		fl_trace(w, "close: %s.%u released: nothing reaches its peer", sk->n.name, end);
		return 0;
	}
	if (unread) {
		/* tcp_reset: a peer in CLOSE_WAIT (it took our FIN) gets EPIPE */
		fl_trace(w, "close: %s.%u released with bytes unread: an RST", sk->n.name, end);
		tcp_reset_by(w, sk, !end, sk->tcp_done[!end] ? EPIPE : ECONNRESET);
		return 0;
	}
	if (fin_sent) {
		/* FIN_WAIT2, orphaned: the peer's next bytes draw an RST (tcp_sendmsg) */
		fl_trace(w, "close: %s.%u released after its FIN: nothing more is sent",
			 sk->n.name, end);
		return 0;
	}
	fl_trace(w, "close: %s.%u released: a FIN", sk->n.name, end);
	sk->shutdown[!end] |= RCV_SHUTDOWN;
	sk->tcp_done[!end] = true;
	return 0;
}

int fl_sock_close(struct fl_world *w, struct fl_sock *sk, unsigned end)
{
	struct fl_skb *skb;

	end &= 1;
	if (sk->closed[end])
		return fl_error(w, -EBADF, "close: %s.%u is closed", sk->n.name, end);
	sk->closed[end] = true;
	if (sk->type == FL_SOCK_TCP)
		return tcp_close(w, sk, end);
	if (sk->type == FL_SOCK_DGRAM) {
		/* unix_release_sock: the peer keeps its state; the skbs it sent here go */
		while ((skb = sk->queue[end])) {
			sk->queue[end] = skb->next;
			skb_free(w, skb);
		}
		fl_trace(w, "close: %s.%u released; its peer's next send finds it dead",
			 sk->n.name, end);
		sock_wfree(sk, !end);
		return 0;
	}
	sk->shutdown[end] = sk->shutdown[!end] = RCV_SHUTDOWN | SEND_SHUTDOWN;
	if (sk->queue[end])
		sk->err[!end] = ECONNRESET;
	fl_trace(w, "close: %s.%u released%s", sk->n.name, end,
		 sk->queue[end] ? " with bytes unread: the peer's sk_err is ECONNRESET" : "");
	while ((skb = sk->queue[end])) {
		sk->queue[end] = skb->next;
		skb_free(w, skb);
	}
	sock_wake_sender(sk, !end);
	return 0;
}
