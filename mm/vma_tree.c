/*
 * mm/vma_tree.c - the VMAs of an mm, kept in an AVL tree keyed by start.
 *
 * The kernel keeps VMAs in a maple tree (6.1+), before that in an rbtree
 * whose nodes were augmented with the largest free gap below them
 * (d3737187c1d2, 3.9) so that get_unmapped_area() never walks the list.
 * We do the same with an AVL tree: lookups, inserts and erases are
 * O(log n), and so is finding the highest hole that fits a new mapping,
 * which is what lets a million unhinted mmaps run in a second.
 *
 * Definitions
 *   node      a struct fl_vma with its tree summary appended (struct
 *             vma_node): every VMA is allocated by fl_vma_alloc(), so the
 *             summary is always there.  The summary is private to this file.
 *   span      the addresses from the first start to the last end of a
 *             subtree: [min_start, max_end).
 *   hole      unmapped addresses between two VMAs of a subtree; max_gap is
 *             the size of the largest one (0 for a single VMA).
 *
 * Invariants (fl_vma_tree_check)
 *   1. In-order, VMAs are sorted by start, non-overlapping, page aligned and
 *      non-empty, and each one's mm is the tree's mm.
 *   2. AVL: height = 1 + max(child heights); the heights of two siblings
 *      differ by at most 1.
 *   3. Parent pointers mirror child pointers; the root's parent is NULL.
 *   4. Every node's summary (min_start, max_end, max_gap) matches its
 *      subtree.
 *   5. mm->map_count is the number of nodes.
 *
 * Whoever changes vma->start or vma->end of a linked VMA calls
 * fl_vma_gap_update() right after (invariant 4); the change may not
 * reorder or overlap VMAs.
 */
#include "mm/internal.h"

struct vma_node {
	struct fl_vma vma;       /* first: a struct fl_vma * is a node */
	fl_addr_t min_start;
	fl_addr_t max_end;
	fl_addr_t max_gap;
};

static struct vma_node *to_node(struct fl_vma *vma)
{
	return (struct vma_node *)vma;
}

static fl_addr_t max_addr(fl_addr_t a, fl_addr_t b)
{
	return a > b ? a : b;
}

static fl_addr_t min_addr(fl_addr_t a, fl_addr_t b)
{
	return a < b ? a : b;
}

static int vma_height(const struct fl_vma *vma)
{
	return vma ? vma->height : 0;
}

struct fl_vma *fl_vma_alloc(struct fl_world *w)
{
	struct vma_node *n = fl_zalloc(w, sizeof(*n));

	return n ? &n->vma : NULL;
}

void fl_vma_free(struct fl_world *w, struct fl_vma *vma)
{
	fl_free(w, to_node(vma), sizeof(struct vma_node));
}

/* Recompute VMA's height and summary from its children's. */
static void node_update(struct fl_vma *vma)
{
	struct vma_node *n = to_node(vma);
	struct fl_vma *l = vma->left, *r = vma->right;
	int hl = vma_height(l), hr = vma_height(r);

	vma->height = 1 + (hl > hr ? hl : hr);
	n->min_start = l ? to_node(l)->min_start : vma->start;
	n->max_end = r ? to_node(r)->max_end : vma->end;
	n->max_gap = 0;
	if (l)
		n->max_gap = max_addr(to_node(l)->max_gap,
				      vma->start - to_node(l)->max_end);
	if (r)
		n->max_gap = max_addr(n->max_gap,
				      max_addr(to_node(r)->max_gap,
					       to_node(r)->min_start - vma->end));
}

/* Make NEW take OLD's place under PARENT (or at the root). */
static void replace_child(struct fl_mm *mm, struct fl_vma *parent,
			  struct fl_vma *old, struct fl_vma *new)
{
	if (!parent)
		mm->vma_root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
	if (new)
		new->parent = parent;
}

static struct fl_vma *rotate_left(struct fl_mm *mm, struct fl_vma *x)
{
	struct fl_vma *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	replace_child(mm, x->parent, x, y);
	y->left = x;
	x->parent = y;
	node_update(x);
	node_update(y);
	return y;
}

static struct fl_vma *rotate_right(struct fl_mm *mm, struct fl_vma *x)
{
	struct fl_vma *y = x->left;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	replace_child(mm, x->parent, x, y);
	y->right = x;
	x->parent = y;
	node_update(x);
	node_update(y);
	return y;
}

/* Restore invariants 2 and 4 at VMA; returns the subtree's new root. */
static struct fl_vma *node_balance(struct fl_mm *mm, struct fl_vma *vma)
{
	int bal;

	node_update(vma);
	bal = vma_height(vma->left) - vma_height(vma->right);
	if (bal > 1) {
		if (vma_height(vma->left->left) < vma_height(vma->left->right))
			rotate_left(mm, vma->left);
		return rotate_right(mm, vma);
	}
	if (bal < -1) {
		if (vma_height(vma->right->right) < vma_height(vma->right->left))
			rotate_right(mm, vma->right);
		return rotate_left(mm, vma);
	}
	return vma;
}

/* Rebalance and re-summarise every node from VMA up to the root. */
static void rebalance_upwards(struct fl_mm *mm, struct fl_vma *vma)
{
	while (vma)
		vma = node_balance(mm, vma)->parent;
}

void fl_vma_gap_update(struct fl_vma *vma)
{
	for (; vma; vma = vma->parent)
		node_update(vma);
}

void fl_vma_link(struct fl_mm *mm, struct fl_vma *vma)
{
	struct fl_vma *parent = NULL, **link = &mm->vma_root;

	while (*link) {
		parent = *link;
		link = vma->start < parent->start ? &parent->left : &parent->right;
	}
	vma->left = vma->right = NULL;
	vma->parent = parent;
	vma->mm = mm;
	*link = vma;
	mm->map_count++;
	rebalance_upwards(mm, vma);
}

static struct fl_vma *leftmost(struct fl_vma *vma)
{
	while (vma && vma->left)
		vma = vma->left;
	return vma;
}

static struct fl_vma *rightmost(struct fl_vma *vma)
{
	while (vma && vma->right)
		vma = vma->right;
	return vma;
}

/*
 * Erase VMA.  A node with two children is replaced by its successor S,
 * which is first spliced out of its own place (S has no left child); the
 * rebalancing then starts where the tree lost a node.
 */
void fl_vma_unlink(struct fl_mm *mm, struct fl_vma *vma)
{
	struct fl_vma *fix, *s;

	if (!vma->left || !vma->right) {
		fix = vma->parent;
		replace_child(mm, vma->parent, vma,
			      vma->left ? vma->left : vma->right);
	} else {
		s = leftmost(vma->right);
		if (s->parent == vma) {
			fix = s;
		} else {
			fix = s->parent;
			fix->left = s->right;
			if (s->right)
				s->right->parent = fix;
			s->right = vma->right;
			s->right->parent = s;
		}
		s->left = vma->left;
		s->left->parent = s;
		replace_child(mm, vma->parent, vma, s);
	}
	rebalance_upwards(mm, fix);
	mm->map_count--;
	vma->left = vma->right = vma->parent = NULL;
	vma->height = 0;
}

struct fl_vma *fl_vma_first(struct fl_mm *mm)
{
	return leftmost(mm->vma_root);
}

struct fl_vma *fl_vma_next(struct fl_vma *vma)
{
	if (vma->right)
		return leftmost(vma->right);
	while (vma->parent && vma->parent->right == vma)
		vma = vma->parent;
	return vma->parent;
}

struct fl_vma *fl_vma_prev(struct fl_vma *vma)
{
	if (vma->left)
		return rightmost(vma->left);
	while (vma->parent && vma->parent->left == vma)
		vma = vma->parent;
	return vma->parent;
}

struct fl_vma *fl_find_vma(struct fl_mm *mm, fl_addr_t addr)
{
	struct fl_vma *vma = mm->vma_root, *best = NULL;

	while (vma) {
		if (vma->end > addr) {
			best = vma;
			if (vma->start <= addr)
				return vma;
			vma = vma->left;
		} else {
			vma = vma->right;
		}
	}
	return best;
}

struct fl_vma *fl_vma_lookup(struct fl_mm *mm, fl_addr_t addr)
{
	struct fl_vma *vma = fl_find_vma(mm, addr);

	return vma && vma->start <= addr ? vma : NULL;
}

/* ---- the highest hole that fits (unmapped_area_topdown) ---- */

struct hole_search {
	fl_addr_t need, low, high;
	fl_addr_t top;                /* result: end of the hole found */
};

/* The largest hole in [prev_end, next_start) around the subtree VMA. */
static fl_addr_t largest_hole(struct fl_vma *vma, fl_addr_t prev_end,
			      fl_addr_t next_start)
{
	struct vma_node *n = to_node(vma);

	return max_addr(n->max_gap, max_addr(n->min_start - prev_end,
					     next_start - n->max_end));
}

/*
 * Search the subtree VMA, which sits between the end of its in-order
 * predecessor PREV_END and the start of its successor NEXT_START, highest
 * hole first.  Clipping to [low, high) prunes every subtree wholly above
 * or below the window, and max_gap prunes every subtree inside it that
 * holds no hole large enough, so only O(log n) nodes are visited.
 */
static bool hole_topdown(struct hole_search *s, struct fl_vma *vma,
			 fl_addr_t prev_end, fl_addr_t next_start)
{
	fl_addr_t lo = max_addr(prev_end, s->low);
	fl_addr_t hi = min_addr(next_start, s->high);

	if (hi <= lo || hi - lo < s->need)
		return false;
	if (!vma) {
		s->top = hi;
		return true;
	}
	if (largest_hole(vma, prev_end, next_start) < s->need)
		return false;
	return hole_topdown(s, vma->right, vma->end, next_start) ||
	       hole_topdown(s, vma->left, prev_end, vma->start);
}

int fl_vma_hole_topdown(struct fl_mm *mm, fl_addr_t need, fl_addr_t low,
			fl_addr_t high, fl_addr_t *top)
{
	struct hole_search s = { .need = need, .low = low, .high = high };

	if (!need || !hole_topdown(&s, mm->vma_root, 0, ~(fl_addr_t)0))
		return -ENOMEM;
	*top = s.top;
	return 0;
}

/* ---- invariants ---- */

struct tree_walk {
	struct fl_world *w;
	struct fl_mm *mm;
	struct fl_vma *prev;          /* in-order predecessor seen so far */
	size_t count;
};

static int check_vma(struct tree_walk *t, struct fl_vma *vma)
{
	if (vma->start >= vma->end || FL_PAGE_OFFSET(vma->start) ||
	    FL_PAGE_OFFSET(vma->end))
		return fl_error(t->w, -EUCLEAN, "vma [%#llx, %#llx): empty or unaligned",
				(unsigned long long)vma->start,
				(unsigned long long)vma->end);
	if (t->prev && t->prev->end > vma->start)
		return fl_error(t->w, -EUCLEAN, "vma [%#llx, %#llx) overlaps or precedes [%#llx, %#llx)",
				(unsigned long long)vma->start,
				(unsigned long long)vma->end,
				(unsigned long long)t->prev->start,
				(unsigned long long)t->prev->end);
	if (vma->mm != t->mm)
		return fl_error(t->w, -EUCLEAN, "vma [%#llx, %#llx): wrong mm",
				(unsigned long long)vma->start,
				(unsigned long long)vma->end);
	return 0;
}

static int check_node(struct tree_walk *t, struct fl_vma *vma)
{
	struct vma_node copy = *to_node(vma);
	int bal = vma_height(vma->left) - vma_height(vma->right);

	if ((vma->left && vma->left->parent != vma) ||
	    (vma->right && vma->right->parent != vma))
		return fl_error(t->w, -EUCLEAN, "vma %#llx: child's parent pointer is wrong",
				(unsigned long long)vma->start);
	if (bal < -1 || bal > 1)
		return fl_error(t->w, -EUCLEAN, "vma %#llx: AVL balance %d",
				(unsigned long long)vma->start, bal);
	node_update(&copy.vma);
	if (copy.vma.height != vma->height ||
	    copy.min_start != to_node(vma)->min_start ||
	    copy.max_end != to_node(vma)->max_end ||
	    copy.max_gap != to_node(vma)->max_gap)
		return fl_error(t->w, -EUCLEAN, "vma %#llx: stale height or gap summary",
				(unsigned long long)vma->start);
	return 0;
}

/* In-order walk; DEPTH bounds the recursion should a cycle have formed. */
static int check_subtree(struct tree_walk *t, struct fl_vma *vma, int depth)
{
	int ret;

	if (!vma)
		return 0;
	if (depth > 2 * (int)(8 * sizeof(size_t)) || t->count > t->mm->map_count)
		return fl_error(t->w, -EUCLEAN, "vma tree deeper or larger than map_count %zu",
				t->mm->map_count);
	ret = check_subtree(t, vma->left, depth + 1);
	if (ret)
		return ret;
	ret = check_vma(t, vma);
	if (!ret)
		ret = check_node(t, vma);
	if (ret)
		return ret;
	t->prev = vma;
	t->count++;
	return check_subtree(t, vma->right, depth + 1);
}

int fl_vma_tree_check(struct fl_world *w, struct fl_mm *mm)
{
	struct tree_walk t = { .w = w, .mm = mm };
	int ret;

	if (mm->vma_root && mm->vma_root->parent)
		return fl_error(w, -EUCLEAN, "vma tree root has a parent");
	ret = check_subtree(&t, mm->vma_root, 0);
	if (ret)
		return ret;
	if (t.count != mm->map_count)
		return fl_error(w, -EUCLEAN, "map_count %zu but %zu vmas in the tree",
				mm->map_count, t.count);
	return 0;
}
