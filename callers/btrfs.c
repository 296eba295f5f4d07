/*
 * callers/btrfs.c - btrfs search_ioctl (fs/btrfs/ioctl.c), the
 * BTRFS_IOC_TREE_SEARCH_V2 path: copy the items of a btree search into a
 * user buffer, and the retry loop around it that live-locks on arm64 MTE
 * in 5.9..5.18 (kernel-facts.md §2 "The loops").
 *
 * The eras (struct fl_btrfs_rules, resolved by fl_btrfs_rules_of):
 *   < 5.9       copy_to_sk copies with copy_to_user, page faults enabled,
 *               while holding the tree lock: a fault that cannot be
 *               resolved is -EFAULT at once.  No retry.
 *   5.9-rc4     a48b73eca4ce: copy with copy_to_user_nofault; before each
 *               search fault the buffer in; a failed copy makes copy_to_sk
 *               return 0 without advancing (after a failed item copy it
 *               also takes the header back), so the loop searches again
 *               from the same key.  The bug of that -rc: it faulted in
 *               from ubuf, not from where the next copy goes.
 *   5.9-rc5     1c78544eaa46: fault in (ubuf + sk_offset, buf_size -
 *               sk_offset).  Still page-granular: with MTE a tagged
 *               granule mid-page probes fine at the page's first byte and
 *               faults in every copy - an endless loop with no signal
 *               check.
 *   5.19        18788e34642e: fault_in_subpage_writeable over the same
 *               range probes each granule; a bad one ends in -EFAULT.
 * The retry test is `if (fault_in(...)) break;` with ret = -EFAULT, in
 * every era with a fault-in: any byte not faulted in fails the ioctl.
 *
 * The btree is synthetic (livelock.h): by default items of 32 + 96
 * bytes, 16 per leaf, 4096 of them, each search returning one leaf; a
 * struct fl_btrfs_tree (the scenario's items= and itemlen=) sets the
 * number of items and their data bytes to what a real search returns
 * (docs/vm.md: the guest's directory entries).  The search key is
 * modelled as the index of the first item not yet looked at: the kernel's
 * key after "offset + 1" finds the same next item.  sk.nr_items is taken
 * as unlimited (what search tools pass), so the buffer or the tree ends
 * the search.  Headers are written little-endian: transid FL_BTRFS_TRANSID,
 * objectid 256 + i, offset 0, type 1, len 96; the data bytes are (i + k)
 * & 0xff.  A tree with contents (a judge's items) copies those instead.
 *
 * Returns (search_ioctl's): 0 when the buffer is full or the tree ends,
 * -EFAULT, -EOVERFLOW when the buffer cannot hold one header (or the first
 * item, which is then returned as an empty header, as the kernel does for
 * v1); FL_LOOP_STOPPED when the monitor stopped the loop.
 *
 * Invariants
 *   1. sk_offset only grows by whole items (header and data, or the one
 *      empty header of -EOVERFLOW): [ubuf, ubuf + sk_offset) holds
 *      num_found complete items whenever the loop is at its top.
 *   2. Each round reports (sk_offset, key, num_found, buf_size) to the
 *      monitor before its fault-in: those and the world are all the loop
 *      carries from one round to the next.
 */
#include <string.h>

#include <faultline/fault_in.h>
#include <faultline/livelock.h>
#include <faultline/uaccess.h>

#define FL_BTRFS_TRANSID   7u
#define FL_BTRFS_OBJECTID0 256u
#define FL_BTRFS_ITEM_TYPE 1u

void fl_btrfs_rules_of(struct fl_world *w, struct fl_btrfs_rules *r)
{
	/* a48b73eca4ce (5.9-rc4): fault in, copy with page faults disabled */
	r->fault_in = fl_since(w, FL_ERA_BTRFS_SEARCH_FAULT_IN);
	/* 1c78544eaa46 (5.9-rc5): fault in from ubuf + sk_offset */
	r->fault_in_off = fl_since(w, FL_ERA_BTRFS_SEARCH_FAULT_IN_OFF);
	/* 18788e34642e (5.19): fault in at sub-page granularity */
	r->subpage = fl_since(w, FL_ERA_BTRFS_SEARCH_SUBPAGE);
}

struct search {
	struct fl_world *w;
	const struct fl_btrfs_rules *rules;
	const struct fl_btrfs_tree *tree;       /* how many items, how long */
	fl_addr_t ubuf;
	size_t buf_size;
	size_t sk_offset;
	unsigned long key;      /* index of the first item not yet looked at */
	unsigned long num_found;
};

static void put_le(uint8_t *p, uint64_t v, unsigned bytes)
{
	unsigned i;

	for (i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static const struct fl_btrfs_tree default_tree = { FL_BTRFS_NR_ITEMS, FL_BTRFS_ITEM_DATA, NULL };

/* Item I of TREE as the real search lays it out: header, then data. */
static const uint8_t *item_of(const struct fl_btrfs_tree *tree, unsigned long i)
{
	return tree->contents + i * (FL_BTRFS_HEADER + tree->item_data);
}

static void item_header(const struct fl_btrfs_tree *tree, unsigned long i, uint32_t len,
			uint8_t sh[FL_BTRFS_HEADER])
{
	if (tree->contents) {
		memcpy(sh, item_of(tree, i), FL_BTRFS_HEADER);
	} else {
		put_le(sh, FL_BTRFS_TRANSID, 8);
		put_le(sh + 8, FL_BTRFS_OBJECTID0 + i, 8);
		put_le(sh + 16, 0, 8);
		put_le(sh + 24, FL_BTRFS_ITEM_TYPE, 4);
	}
	put_le(sh + 28, len, 4);
}

static void item_data(const struct fl_btrfs_tree *tree, unsigned long i, uint8_t *data,
		      size_t len)
{
	size_t k;

	if (tree->contents) {
		memcpy(data, item_of(tree, i) + FL_BTRFS_HEADER, len);
		return;
	}
	for (k = 0; k < len; k++)
		data[k] = (uint8_t)(i + k);
}

/*
 * One copy into the user buffer: copy_to_user before 5.9 (faults handled),
 * copy_to_user_nofault after (the tree lock is held).  true if it all went.
 */
static bool sk_copy(struct search *s, fl_addr_t to, const void *from, size_t n)
{
	if (!s->rules->fault_in)
		return fl_copy_to_user(s->w, to, from, n) == 0;
	return fl_copy_to_user_nofault(s->w, to, from, n) == 0;
}

/*
 * copy_to_sk for the leaf holding item s->key: 0 (leaf done, or a copy
 * failed in the retrying eras: search again), 1 (buffer full or tree
 * end: stop), -EOVERFLOW, -EFAULT (before 5.9).
 */
static int copy_to_sk(struct search *s)
{
	unsigned long i, leaf_end = (s->key / FL_BTRFS_LEAF_ITEMS + 1) * FL_BTRFS_LEAF_ITEMS;
	uint8_t sh[FL_BTRFS_HEADER], data[FL_BTRFS_ITEM_DATA_MAX];
	int ret = 0;

	for (i = s->key; i < leaf_end && i < s->tree->nr_items; i++) {
		size_t item_len = s->tree->item_data;

		s->key = i;
		if (FL_BTRFS_HEADER + item_len > s->buf_size) {
			if (s->num_found)
				return 1;
			/* one empty item tells the caller the size it needs */
			s->buf_size = FL_BTRFS_HEADER + item_len;
			item_len = 0;
			ret = -EOVERFLOW;
		}
		if (FL_BTRFS_HEADER + item_len + s->sk_offset > s->buf_size)
			return 1;
		item_header(s->tree, i, (uint32_t)item_len, sh);
		if (!sk_copy(s, s->ubuf + s->sk_offset, sh, sizeof(sh))) {
			fl_trace(s->w, "copy_to_sk: header of item %lu at +0x%zx "
				 "faulted", i, s->sk_offset);
			/* before 5.9 a fault fails the ioctl; after, search again */
			return s->rules->fault_in ? 0 : -EFAULT;
		}
		s->sk_offset += FL_BTRFS_HEADER;
		if (item_len) {
			item_data(s->tree, i, data, item_len);
			if (!sk_copy(s, s->ubuf + s->sk_offset, data, item_len)) {
				fl_trace(s->w, "copy_to_sk: data of item %lu at +0x%zx "
					 "faulted", i, s->sk_offset);
				if (!s->rules->fault_in)
					return -EFAULT;
				/* the header goes back: the item is copied whole or not */
				s->sk_offset -= FL_BTRFS_HEADER;
				return 0;
			}
			s->sk_offset += item_len;
		}
		s->num_found++;
		if (ret)        /* -EOVERFLOW: the empty item was the answer */
			return ret;
	}
	/* advance_key: the next search starts after this leaf */
	s->key = leaf_end < s->tree->nr_items ? leaf_end : s->tree->nr_items;
	return 0;
}

/*
 * The fault-in before each search: 0 if the whole range was faulted in.
 * Both APIs answer "bytes not faulted in" here (fault_in.h), and the
 * kernel's test is the same in every era: anything left fails.
 */
static size_t search_fault_in(struct search *s)
{
	/* a48b73eca4ce (5.9-rc4) faulted in from the buffer's start ... */
	fl_addr_t start = s->ubuf;
	size_t len = s->buf_size - s->sk_offset, left;

	/* ... 1c78544eaa46 (5.9-rc5) from where the next copy goes */
	if (s->rules->fault_in_off)
		start = s->ubuf + s->sk_offset;
	/* 18788e34642e (5.19): down to the sub-page granule */
	if (s->rules->subpage)
		left = fl_fault_in_subpage_writeable(s->w, start, len);
	else
		left = fl_fault_in_writeable(s->w, start, len);
	fl_trace(s->w, "search_ioctl: fault_in%s_writeable(ubuf+0x%llx, %zu) "
		 "left %zu", s->rules->subpage ? "_subpage" : "",
		 (unsigned long long)(start - s->ubuf), len, left);
	return left;
}

static int search_ioctl(struct fl_world *w, const struct fl_btrfs_rules *rules,
			const struct fl_btrfs_tree *tree, fl_addr_t ubuf, size_t buf_size,
			struct fl_loop *loop, struct fl_btrfs_result *res)
{
	struct search s = { .w = w, .rules = rules, .tree = tree, .ubuf = ubuf,
			    .buf_size = buf_size };
	struct fl_loop own;
	int ret;

	if (!loop) {
		fl_loop_init(&own, w, "btrfs search_ioctl");
		loop = &own;
	}
	if (buf_size < FL_BTRFS_HEADER) {
		ret = -EOVERFLOW;
		goto out;
	}
	for (;;) {
		uint64_t vars[] = { s.sk_offset, s.key, s.num_found, s.buf_size };

		if (fl_loop_stuck(loop, vars, 4)) {
			ret = FL_LOOP_STOPPED;
			goto out;
		}
		ret = -EFAULT;
		if (rules->fault_in && search_fault_in(&s))
			break;
		/* btrfs_search_forward: 1 when no item is left */
		if (s.key >= tree->nr_items) {
			ret = 0;
			goto out;
		}
		ret = copy_to_sk(&s);
		fl_trace(w, "search_ioctl: round %lu: %lu items, sk_offset 0x%zx, "
			 "copy_to_sk %d", loop->iter, s.num_found, s.sk_offset, ret);
		if (ret)
			break;
	}
	if (ret > 0)
		ret = 0;
out:
	if (res) {
		res->nr_items = s.num_found;
		res->sk_offset = s.sk_offset;
		res->rounds = loop->iter;
	}
	if (loop == &own)
		fl_loop_fini(&own);
	return ret;
}

int fl_btrfs_search_ioctl_rules(struct fl_world *w,
				const struct fl_btrfs_rules *rules,
				fl_addr_t ubuf, size_t buf_size,
				struct fl_loop *loop,
				struct fl_btrfs_result *res)
{
	return search_ioctl(w, rules, &default_tree, ubuf, buf_size, loop, res);
}

int fl_btrfs_search_ioctl_tree(struct fl_world *w, const struct fl_btrfs_tree *tree,
			       fl_addr_t ubuf, size_t buf_size, struct fl_loop *loop,
			       struct fl_btrfs_result *res)
{
	struct fl_btrfs_rules rules;

	fl_btrfs_rules_of(w, &rules);
	if (!tree->nr_items || tree->nr_items > FL_BTRFS_NR_ITEMS_MAX ||
	    tree->item_data > FL_BTRFS_ITEM_DATA_MAX)
		return -EINVAL;
	return search_ioctl(w, &rules, tree, ubuf, buf_size, loop, res);
}

int fl_btrfs_search_ioctl(struct fl_world *w, fl_addr_t ubuf, size_t buf_size,
			  struct fl_loop *loop, struct fl_btrfs_result *res)
{
	return fl_btrfs_search_ioctl_tree(w, &default_tree, ubuf, buf_size, loop, res);
}
