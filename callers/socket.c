/*
 * callers/socket.c - AF_UNIX socket pairs (net/unix/af_unix.c) and TCP
 * connections over loopback (net/ipv4/tcp.c): what sendmsg(2) and
 * recvmsg(2) do with a user buffer that faults part way.
 *
 * Definitions
 *   pair      socketpair(AF_UNIX, SOCK_STREAM or SOCK_DGRAM): ends 0 and 1,
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
 *   send, dgram: more than sk_sndbuf - 32 bytes is -EMSGSIZE; else one
 *       skb, whole or -EFAULT (unix_dgram_sendmsg).
 *   recv, stream: per skb from the oldest, copy what is left of it or
 *       what is wanted (skb_copy_datagram_msg); a short copy ends the
 *       call with what earlier skbs gave, or -EFAULT, and the skb stays
 *       as it was although copy_to_user has written what it could (as
 *       pipe_read); an skb read in part ends the call.  skbs of different
 *       senders are read by one call: unix_stream_read_generic compares
 *       credentials only with SO_PASSCRED, which no scenario sets (the
 *       model first stopped there; the 6.18 host read on: 40, not 20).
 *       Empty: -EAGAIN.
 *   recv, dgram: the oldest skb is taken off the queue first
 *       (__skb_try_recv_datagram); a short copy is -EFAULT and the
 *       datagram is gone; a short buffer truncates it (MSG_TRUNC), the
 *       rest is dropped.  Empty: -EAGAIN.
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
 *   Before any of that (___sys_sendmsg, ___sys_recvmsg): more than
 *   UIO_MAXIOV iovecs is -EMSGSIZE (__copy_msghdr), then import_iovec.
 *
 * Invariants
 *   1. Every skb and its bytes are arena memory: a snapshot covers them.
 *   2. A stream skb has 0 <= consumed < len; a dgram skb consumed == 0;
 *      a TCP queue holds one skb at most.
 *   3. fl_sock_unmodelled() is asked before a send: the model never
 *      reaches a full send buffer or a full datagram queue, whose
 *      accounting (skb truesize, max_dgram_qlen) it does not keep.
 */
#include <stddef.h>
#include <string.h>

#include <faultline/arch.h>

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
/* Within these the send buffer and the datagram queue never fill (invariant 3). */
#define SOCK_MODEL_BYTES (128u << 10)
#define SOCK_MODEL_SKBS  10u     /* net.unix.max_dgram_qlen's default */

struct fl_skb {
	struct fl_skb *next;
	uint32_t len, consumed;
	uint8_t *data;
};

struct fl_sock {
	struct fl_named n;      /* first: the state's socks list links it */
	enum fl_sock_type type;
	struct fl_skb *queue[2];
	uint32_t sends[2];      /* TCP: sends each end made (tcp_unmodelled) */
	bool blocking;          /* `nonblock=off`: a recv of an empty end waits */
};

void fl_sock_set_blocking(struct fl_sock *sk, bool blocking)
{
	sk->blocking = blocking;
}

bool fl_sock_blocking(const struct fl_sock *sk)
{
	return sk->blocking;
}

bool fl_sock_is_dgram(const struct fl_sock *sk)
{
	return sk->type == FL_SOCK_DGRAM;
}

#define SOCKS offsetof(struct fl_callers_state, socks)

struct fl_sock *fl_sock_find(struct fl_world *w, const char *name)
{
	return fl_named_find(w, SOCKS, name);
}

int fl_socketpair_create(struct fl_world *w, const char *name, enum fl_sock_type type)
{
	void *sk;
	int err = fl_named_add(w, SOCKS, "socketpair", name, sizeof(struct fl_sock), &sk);

	if (!err)
		((struct fl_sock *)sk)->type = type;
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
	if (cs->tcp_frag_pid && cs->tcp_frag_pid != fl_current(w)->pid && !tcp_all_read(w))
		return "TCP sends of two tasks with bytes unread (each task has its page frag)";
	return NULL;
}

const char *fl_sock_unmodelled(struct fl_world *w, const struct fl_sock *sk,
			       unsigned end, size_t len)
{
	unsigned peer = !(end & 1);
	size_t queued = fl_sock_queued(sk, peer);

	if (sk->type == FL_SOCK_TCP)
		return tcp_unmodelled(w, sk, end & 1, len);
	if (fl_world_kver(w) < FL_KV(4, 0, 0))
		return "AF_UNIX sockets before 4.0";
	if (sk->type == FL_SOCK_DGRAM && len > SOCK_MODEL_BYTES && !unix_sndbuf(w))
		return "a unix datagram of more than 128 KiB on this arch (wmem_default)";
	if (sk->type == FL_SOCK_DGRAM && len > unix_sndbuf(w) - 32)
		return NULL;    /* -EMSGSIZE before anything is queued */
	if (sk->type == FL_SOCK_STREAM && len > UNIX_STREAM_MIN_CHUNK && !chunk_known(w))
		return "a unix stream send of more than 32 KiB on this arch (the skb size)";
	/* one datagram into an empty queue always finds room: wmem is 0 */
	if ((sk->type == FL_SOCK_STREAM || queued) && queued + len > SOCK_MODEL_BYTES)
		return "a unix socket send with more than 128 KiB queued (the send buffer)";
	if (queue_len(sk, peer) >= SOCK_MODEL_SKBS)
		return "a unix socket send with 10 skbs queued (max_dgram_qlen, the send buffer)";
	return NULL;
}

static struct fl_skb *skb_new(struct fl_world *w, size_t len)
{
	struct fl_skb *skb = fl_zalloc(w, sizeof(*skb));

	if (skb && !(skb->data = fl_zalloc(w, len ? len : 1))) {
		fl_free(w, skb, sizeof(*skb));
		return NULL;
	}
	if (skb)
		skb->len = (uint32_t)len;
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
 * One skb of LEN bytes from I, queued for the other end if every byte
 * could be copied: 0, -EFAULT (the skb is freed) or -ENOMEM.
 */
static int send_skb(struct fl_world *w, struct fl_sock *sk, unsigned end, size_t len,
		    struct fl_iov_iter *i)
{
	struct fl_skb *skb = skb_new(w, len);
	size_t n;

	if (!skb)
		return -ENOMEM;
	n = fl_copy_from_iter(w, skb->data, len, i);
	if (n != len) {
		fl_trace(w, "socket %s: skb of %zu bytes: the copy stopped at %zu: -EFAULT, freed",
			 sk->n.name, len, n);
		skb_free(w, skb);
		return -EFAULT;
	}
	skb_queue_tail(&sk->queue[!end], skb);
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

/* tcp_sendmsg_locked within the domain (see "TCP"): one page-frag chunk at a time. */
static long tcp_send(struct fl_world *w, struct fl_sock *sk, unsigned end,
		     struct fl_iov_iter *i)
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
	}
	return sent ? (long)sent : err;
}

static int sock_import(struct fl_world *w, enum fl_iter_dir dir, const struct fl_iovec *iov,
		       unsigned long nr_segs, struct fl_iov_iter *i)
{
	if (nr_segs > FL_UIO_MAXIOV)
		return -EMSGSIZE;       /* __copy_msghdr, before the array is read */
	return fl_import_iovec(w, dir, iov, nr_segs, i);
}

long fl_sock_sendmsg(struct fl_world *w, struct fl_sock *sk, unsigned end,
		     const struct fl_iovec *iov, unsigned long nr_segs, unsigned flags)
{
	struct fl_iov_iter i;
	size_t total, sent = 0, chunk;
	int err = sock_import(w, FL_ITER_SOURCE, iov, nr_segs, &i);

	(void)flags;    /* MSG_DONTWAIT only (model_socket.c refuses others): nothing waits */
	if (err)
		return err;
	end &= 1;
	total = i.count;
	if (sk->type == FL_SOCK_TCP)
		return tcp_send(w, sk, end, &i);
	if (sk->type == FL_SOCK_DGRAM) {
		if (total > unix_sndbuf(w) - 32)
			return -EMSGSIZE;
		err = send_skb(w, sk, end, total, &i);
		return err ? err : (long)total;
	}
	while (sent < total) {
		chunk = total - sent;
		if (chunk > UNIX_STREAM_CHUNK_4K64)
			chunk = UNIX_STREAM_CHUNK_4K64;
		err = send_skb(w, sk, end, chunk, &i);
		if (err)
			break;
		sent += chunk;
	}
	return sent ? (long)sent : err;
}

/*
 * unix_stream_read_generic and tcp_recvmsg_locked, without waiting: see
 * the rules above.  MSG_PEEK copies the same bytes and takes none (with
 * no SO_PEEK_OFF: from the first unread byte); MSG_TRUNC on TCP takes
 * the bytes without copying them; AF_UNIX stream ignores it.
 */
static long stream_recv(struct fl_world *w, struct fl_sock *sk, unsigned end,
			struct fl_iov_iter *i, unsigned flags)
{
	bool peek = flags & FL_MSG_PEEK;
	bool discard = sk->type == FL_SOCK_TCP && (flags & FL_MSG_TRUNC);
	struct fl_skb *skb = sk->queue[end];
	size_t size = i->count, chunk, n;
	uint32_t off;
	long copied = 0;

	if (!skb)
		return -EAGAIN;
	off = skb->consumed;
	do {
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
		if (off < skb->len)
			break;
		if (peek) {
			skb = skb->next;
		} else {
			sk->queue[end] = skb->next;
			skb_free(w, skb);
			skb = sk->queue[end];
		}
		off = 0;
	} while (size && skb);
	return copied;
}

/*
 * unix_dgram_recvmsg, without waiting: the datagram leaves the queue
 * first, unless MSG_PEEK; MSG_TRUNC returns its whole length.
 */
static long dgram_recv(struct fl_world *w, struct fl_sock *sk, unsigned end,
		       struct fl_iov_iter *i, unsigned flags)
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
	n = fl_copy_to_iter(w, skb->data, size, i);
	if (n != size)
		fl_trace(w, "socket %s: datagram of %u bytes: the copy stopped at %zu: -EFAULT, "
			 "the datagram %s", sk->n.name, skb->len, n, peek ? "stays" : "is gone");
	ret = n != size ? -EFAULT : (flags & FL_MSG_TRUNC) ? (long)skb->len : (long)size;
	if (!peek)
		skb_free(w, skb);
	return ret;
}

long fl_sock_recvmsg(struct fl_world *w, struct fl_sock *sk, unsigned end,
		     const struct fl_iovec *iov, unsigned long nr_segs, unsigned flags)
{
	struct fl_iov_iter i;
	int err = sock_import(w, FL_ITER_DEST, iov, nr_segs, &i);

	if (err)
		return err;
	end &= 1;
	/*
	 * Empty: a blocking end waits before it took anything (FL_SYS_WAITS:
	 * run again from the start), unless MSG_DONTWAIT.  MSG_WAITALL waits
	 * only with bytes taken, which model_socket.c refuses beforehand.
	 */
	if (!sk->queue[end] && sk->blocking && !(flags & FL_MSG_DONTWAIT) && i.count) {
		fl_trace(w, "socket %s: end %u is empty: the task waits", sk->n.name, end);
		return FL_SYS_WAITS;
	}
	return sk->type == FL_SOCK_DGRAM ? dgram_recv(w, sk, end, &i, flags)
					 : stream_recv(w, sk, end, &i, flags);
}
