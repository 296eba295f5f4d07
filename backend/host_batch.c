/*
 * backend/host_batch.c - many cases of explore --diff in one exchange
 * with the scenario process (docs/host.md "Many cases per exchange").
 *
 * A kept case costs one message each way to the scenario process (the
 * restore rides on its first request, host_child_snap.c); in a guest
 * that is a channel round trip and a hop from the agent to its process,
 * ten times the case's own work (docs/vm.md "Judging speed").  Here the
 * runner sends K cases' requests in one HOST_OP_BATCH request, which the
 * agent forwards as any other and the process runs back to back.
 *
 * The runner evaluates a statement's arguments before it sends it, and
 * may use a reply's values for the next one (an mmap's address), so it
 * cannot just write the requests down ahead.  It runs each case twice:
 *
 * Definitions
 *   collect  runner/run.c, fl_prefix_batch(): each of K cases runs from a
 *            restore with no judge; every request it would send is
 *            appended to the batch, and answered with a guess: the
 *            reply the request at the same place of the last case got.
 *            The runs' results are thrown away.
 *   send     the batch in one HOST_OP_BATCH to process 0; its reply holds
 *            a reply per request, in order, as far as the process ran.
 *   answer   each case then runs as usual (fl_prefix_case()), and each
 *            request is answered from the batch if it is the request
 *            collected at the same place of the same case, byte for byte
 *            (header with the restore flag, iovecs, data).
 *   spoiled  a case of answer that asked another request, or one more
 *            than collected, or past what the process ran: its run is
 *            void (settle: -ESTALE), the runner runs it again live, and
 *            the rest of the batch is dropped: those cases run live.
 *
 * Invariants
 *   1. A case's run is answered from the batch only while every request
 *      it sent equals the collected one at the same place: the process
 *      then served exactly the requests a live run would have sent, in
 *      the same order, after the same restore, so their replies are the
 *      live run's.  A case that stops sooner than collected (a real reply
 *      ended it) is still right: the requests it did not ask ran after
 *      the ones it did, and the next case's restore undoes them, or fails
 *      and makes a new process as after any case (host_child_snap.c).
 *   2. Only requests to process 0 that the kept set-up allows are
 *      collected (host_snap_refused(): one process, no pipes, no
 *      userfaultfd, no named access); any other ("broken") keeps the
 *      batch from being sent, and its cases run live.  The process
 *      checks the same again (host_child.c, batchable()) and stops
 *      before one it may not run: the cases past it are spoiled.
 *   3. While collecting nothing reaches the judge; while answering
 *      nothing does either: a spoiled case's remaining requests get a
 *      guess too, and its live run starts with its own restore.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend/host_internal.h"

#define BATCH_GUESSES   64
#define BATCH_MAX_BYTES ((size_t)4 << 20)

enum batch_mode { BATCH_OFF, BATCH_COLLECT, BATCH_ANSWER };

struct host_batch {
	enum batch_mode mode;
	bool broken;                    /* a request that may not be collected */
	bool spoiled;                   /* the case being answered asked otherwise */
	uint8_t *req;                   /* the requests: HOST_OP_BATCH's data */
	size_t len, cap;
	size_t *item;                   /* by request: its offset in req */
	unsigned nitems, items_cap;
	unsigned *first;                /* by case: its first request */
	unsigned ncases, cases_cap;
	struct host_rep *rep;           /* by request, once sent: its reply */
	uint8_t **data;                 /* ... and its data (into reply) */
	uint8_t *reply;
	unsigned nrep;                  /* requests the process ran */
	unsigned cur;                   /* the case being answered */
	unsigned next;                  /* its next request */
	unsigned in_case;               /* requests of the case so far */
	struct host_rep guess[BATCH_GUESSES];
};

/* Forget the batch's requests and replies; the guesses stay. */
static void batch_clear(struct host_batch *hb)
{
	free(hb->rep);
	free(hb->data);
	free(hb->reply);
	hb->rep = NULL;
	hb->data = NULL;
	hb->reply = NULL;
	hb->len = hb->nitems = hb->ncases = hb->nrep = 0;
	hb->broken = hb->spoiled = false;
	hb->mode = BATCH_OFF;
}

void fl_host_batch_free(struct host *h)
{
	if (!h->batch)
		return;
	batch_clear(h->batch);
	free(h->batch->req);
	free(h->batch->item);
	free(h->batch->first);
	free(h->batch);
	h->batch = NULL;
}

static int grow(void **p, unsigned *cap, unsigned want, size_t size)
{
	unsigned n = *cap ? *cap : 16;
	void *q;

	if (want <= *cap)
		return 0;
	while (n < want)
		n *= 2;
	q = realloc(*p, n * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

static int put(struct host_batch *hb, const void *src, size_t n)
{
	if (!n)
		return 0;       /* SRC may be NULL */
	if (hb->len + n > BATCH_MAX_BYTES)
		return -E2BIG;
	if (hb->len + n > hb->cap) {
		size_t cap = hb->cap ? hb->cap : 4096;
		uint8_t *p;

		while (cap < hb->len + n)
			cap *= 2;
		p = realloc(hb->req, cap);
		if (!p)
			return -ENOMEM;
		hb->req = p;
		hb->cap = cap;
	}
	memcpy(hb->req + hb->len, src, n);
	hb->len += n;
	return 0;
}

/* What only a lone exchange carries (invariant 2). */
static bool collectable(unsigned id, const struct host_req *rq)
{
	return id == 0 && !rq->task && !fl_host_op_lone(rq->op);
}

static size_t req_bytes(const struct host_req *rq)
{
	return sizeof(*rq) + rq->niov * sizeof(struct host_iov) + rq->dlen;
}

static void collect(struct host_batch *hb, unsigned id, const struct host_req *rq,
		    const void *iov, const void *data)
{
	if (hb->broken)
		return;
	if (!collectable(id, rq) ||
	    grow((void **)&hb->item, &hb->items_cap, hb->nitems + 1, sizeof(*hb->item))) {
		hb->broken = true;
		return;
	}
	hb->item[hb->nitems++] = hb->len;
	if (put(hb, rq, sizeof(*rq)) || put(hb, iov, rq->niov * sizeof(struct host_iov)) ||
	    put(hb, data, rq->dlen))
		hb->broken = true;
}

/* The collected request K is RQ, IOV, DATA? */
static bool same(const struct host_batch *hb, unsigned k, const struct host_req *rq,
		 const void *iov, const void *data)
{
	const uint8_t *at = hb->req + hb->item[k];
	size_t ilen = rq->niov * sizeof(struct host_iov);
	size_t end = k + 1 < hb->nitems ? hb->item[k + 1] : hb->len;

	return end - hb->item[k] == req_bytes(rq) && !memcmp(at, rq, sizeof(*rq)) &&
	       (!ilen || !memcmp(at + sizeof(*rq), iov, ilen)) &&
	       (!rq->dlen || !memcmp(at + sizeof(*rq) + ilen, data, rq->dlen));
}

/* REP (and *OUT, malloc'ed) as the batch's reply K, or the guess with no data. */
static int give(const struct host_rep *from, const uint8_t *fdata, struct host_rep *rep,
		uint8_t **out)
{
	*rep = *from;
	if (!out)
		return 0;
	*out = calloc(1, rep->dlen + 1);
	if (!*out)
		return -ENOMEM;
	if (fdata && rep->dlen)
		memcpy(*out, fdata, rep->dlen);
	return 0;
}

/* The case being answered, at its request NEXT: RQ's reply from the batch. */
static bool answer(struct host_batch *hb, unsigned id, const struct host_req *rq,
		   const void *iov, const void *data)
{
	unsigned k = hb->first[hb->cur] + hb->next;
	unsigned end = hb->cur + 1 < hb->ncases ? hb->first[hb->cur + 1] : hb->nitems;

	return id == 0 && k < end && k < hb->nrep && same(hb, k, rq, iov, data);
}

bool fl_host_batch_take(struct host *h, unsigned id, const struct host_req *rq,
			const void *iov, const void *data, struct host_rep *rep,
			uint8_t **out, int *err)
{
	struct host_batch *hb = h->batch;
	const struct host_rep *guess;
	unsigned k;

	if (hb->mode == BATCH_OFF)
		return false;
	guess = hb->in_case < BATCH_GUESSES ? &hb->guess[hb->in_case] : &hb->guess[0];
	if (hb->mode == BATCH_COLLECT)
		collect(hb, id, rq, iov, data);
	else if (!hb->spoiled && answer(hb, id, rq, iov, data)) {
		k = hb->first[hb->cur] + hb->next++;
		*err = give(&hb->rep[k], hb->data[k], rep, out);
		return true;
	} else
		hb->spoiled = true;
	*err = give(guess, NULL, rep, out);
	if (hb->in_case >= BATCH_GUESSES)
		*rep = (struct host_rep){ 0 };
	rep->dlen = 0;
	return true;
}

/* A reply a case got: the guess for the request at its place next time. */
void fl_host_batch_seen(struct host *h, const struct host_rep *rep)
{
	struct host_batch *hb = h->batch;

	if (hb->in_case < BATCH_GUESSES && hb->mode != BATCH_COLLECT &&
	    !(hb->mode == BATCH_ANSWER && hb->spoiled)) {
		hb->guess[hb->in_case] = *rep;
		hb->guess[hb->in_case].flags &= ~HOST_REP_RESTORE_FAILED;
	}
	hb->in_case++;
}

/* host_restore(): the next case, collected or answered. */
void fl_host_batch_restore(struct host *h)
{
	struct host_batch *hb = h->batch;

	hb->in_case = 0;
	if (hb->mode == BATCH_COLLECT) {
		if (grow((void **)&hb->first, &hb->cases_cap, hb->ncases + 1, sizeof(*hb->first)))
			hb->broken = true;
		else
			hb->first[hb->ncases++] = hb->nitems;
	} else if (hb->mode == BATCH_ANSWER) {
		hb->next = 0;
		if (++hb->cur >= hb->ncases)
			batch_clear(hb);        /* used up: live from here */
	}
}

/*
 * host_settle(): -ESTALE if the case answered was spoiled (run it
 * again), 1 if the batch answered it, 0 if it ran live.
 */
int fl_host_batch_settle(struct host *h)
{
	struct host_batch *hb = h->batch;

	if (!hb || hb->mode != BATCH_ANSWER)
		return 0;
	if (!hb->spoiled)
		return 1;
	batch_clear(hb);
	return -ESTALE;
}

/* The reply's data: NREP replies, each a struct host_rep and its data. */
static int split_reply(struct host_batch *hb, uint64_t nrep, uint64_t dlen)
{
	uint64_t pos = 0;
	unsigned k;

	if (nrep > hb->nitems)
		return -EPROTO;
	hb->rep = calloc(nrep + 1, sizeof(*hb->rep));
	hb->data = calloc(nrep + 1, sizeof(*hb->data));
	if (!hb->rep || !hb->data)
		return -ENOMEM;
	for (k = 0; k < nrep; k++) {
		if (dlen - pos < sizeof(*hb->rep))
			return -EPROTO;
		memcpy(&hb->rep[k], hb->reply + pos, sizeof(*hb->rep));
		pos += sizeof(*hb->rep);
		if (dlen - pos < hb->rep[k].dlen)
			return -EPROTO;
		hb->data[k] = hb->reply + pos;
		pos += hb->rep[k].dlen;
	}
	hb->nrep = (unsigned)nrep;
	return pos == dlen ? 0 : -EPROTO;
}

static int batch_send(struct host *h)
{
	struct host_batch *hb = h->batch;
	struct host_req rq = { .op = HOST_OP_BATCH, .dlen = hb->len };
	struct host_rep rep = { 0 };
	int err;

	if (hb->broken || !hb->ncases)
		return -EOPNOTSUPP;
	err = fl_host_link_request(&h->link, 0, &rq, NULL, hb->req, &rep, &hb->reply);
	if (!err && rep.ret < 0)
		err = -rep.err ? -rep.err : -EPROTO;
	if (!err)
		err = split_reply(hb, (uint64_t)rep.ret, rep.dlen);
	if (err)
		return err;
	hb->mode = BATCH_ANSWER;
	hb->cur = (unsigned)-1;         /* the next restore is case 0's */
	return 0;
}

int fl_host_batch(struct fl_backend *b, enum fl_batch_cmd cmd)
{
	struct host *h = host_of(b);
	int err = 0;

	if (!h->batch && !(h->batch = calloc(1, sizeof(*h->batch))))
		return -ENOMEM;
	switch (cmd) {
	case FL_BATCH_COLLECT:
		batch_clear(h->batch);
		h->batch->mode = BATCH_COLLECT;
		return 0;
	case FL_BATCH_SEND:
		if (h->batch->mode == BATCH_COLLECT)
			err = batch_send(h);
		if (err)
			batch_clear(h->batch);
		return err;
	case FL_BATCH_PENDING:  /* cur is the case answered last, or -1 */
		return h->batch->mode == BATCH_ANSWER && h->batch->cur + 1 < h->batch->ncases;
	default:
		batch_clear(h->batch);
		return 0;
	}
}
