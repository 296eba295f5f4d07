/*
 * mm/process.c - processes, fork() and exit().
 *
 * Definitions
 *   current   the process whose address space user-mode accesses and
 *             uaccess use.  A scenario without a `process` statement has one
 *             process "p" (docs/scenario-language.md): fl_current() creates
 *             it on first use.
 *   fork      dup_mmap(): every VMA is copied except VM_DONTCOPY ones; the
 *             ptes of private mappings are copied by copy_present_pte():
 *             anonymous folios become COW-shared (both ptes read-only, the
 *             anon-exclusive flag cleared, mapcount and refcount up).  Shared
 *             mappings copy no ptes: the child faults the same page-cache
 *             folios in, as the kernel does for vmas without an anon_vma.
 *             VM_WIPEONFORK vmas come back empty (zero on next touch).
 *
 *   names    the live processes are in a hash table by name (in the
 *            arena, so a restore brings it back): `process` and `use`
 *            find a name in O(1), not by walking every process ever made
 *            (issue 13: 64k `process` lines took 26 s).
 *
 * Invariants
 *   1. Process names are unique among live processes; pids increase.
 *      Each live process is in the name table, once; no exited one is.
 *   2. After fork, fl_mm_check() holds for parent and child (tests/unit/mm/
 *      test_fork.c checks it after every step).
 *   3. An exited process has no mm; it is never current.
 */
#include <string.h>

#include "mm/page_internal.h"
#include "mm/world_internal.h"

/* ---- the name table ---- */

/*
 * Buckets at most: 2048 pointers are the arena's largest reusable block
 * (16 KiB, mm/arena.c).  Past 4096 live processes chains grow longer than
 * two, still a fraction of a walk of every process.
 */
#define PROC_HASH_MAX 2048u

static unsigned name_hash(const char *s)
{
	unsigned h = 2166136261u;       /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static struct fl_process **proc_bucket(struct fl_state *st, const char *name)
{
	return &st->proc_hash[name_hash(name) & (st->proc_buckets - 1)];
}

/* Twice the buckets, when full enough and below the cap.  0 or -ENOMEM. */
static int proc_hash_grow(struct fl_world *w, struct fl_state *st)
{
	unsigned n = st->proc_buckets ? st->proc_buckets * 2 : 8, i;
	struct fl_process **old = st->proc_hash, *p, *next;
	unsigned oldn = st->proc_buckets;

	if (st->proc_buckets >= PROC_HASH_MAX || st->nlive < 2 * st->proc_buckets)
		return 0;
	st->proc_hash = fl_zalloc(w, n * sizeof(*st->proc_hash));
	if (!st->proc_hash) {
		st->proc_hash = old;
		return -ENOMEM;
	}
	st->proc_buckets = n;
	for (i = 0; i < oldn; i++)
		for (p = old[i]; p; p = next) {
			struct fl_process **b = proc_bucket(st, p->name);

			next = p->hash_next;
			p->hash_next = *b;
			*b = p;
		}
	fl_free(w, old, oldn * sizeof(*old));
	return 0;
}

static int proc_hash_add(struct fl_world *w, struct fl_process *p)
{
	struct fl_state *st = fl_state(w);
	struct fl_process **b;
	int err = proc_hash_grow(w, st);

	if (err)
		return err;
	b = proc_bucket(st, p->name);
	p->hash_next = *b;
	*b = p;
	st->nlive++;
	return 0;
}

static void proc_hash_del(struct fl_world *w, struct fl_process *p)
{
	struct fl_state *st = fl_state(w);
	struct fl_process **b;

	for (b = proc_bucket(st, p->name); *b; b = &(*b)->hash_next)
		if (*b == p) {
			*b = p->hash_next;
			p->hash_next = NULL;
			st->nlive--;
			return;
		}
}

struct fl_process *fl_process_find(struct fl_world *w, const char *name)
{
	struct fl_state *st = fl_state(w);
	struct fl_process *p;

	if (!name || !st->proc_buckets)
		return NULL;
	for (p = *proc_bucket(st, name); p; p = p->hash_next)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

struct fl_process *fl_process_by_pid(struct fl_world *w, int pid)
{
	struct fl_process *p;

	for (p = fl_state(w)->procs; p; p = p->next)
		if (p->pid == pid)
			return p;
	return NULL;
}

struct fl_process *fl_mm_owner(struct fl_world *w, const struct fl_mm *mm)
{
	struct fl_process *p;

	for (p = fl_state(w)->procs; p; p = p->next)
		if (p->mm == mm)
			return p;
	return NULL;
}

int fl_process_new(struct fl_world *w, const char *name, struct fl_process **out)
{
	struct fl_state *st = fl_state(w);
	struct fl_process *p;

	if (!name || !*name || strlen(name) >= sizeof(p->name))
		return fl_error(w, -EINVAL, "process: bad name");
	if (fl_process_find(w, name))
		return fl_error(w, -EEXIST, "process %s exists", name);
	p = fl_zalloc(w, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->mm = fl_zalloc(w, sizeof(*p->mm));
	if (!p->mm) {
		fl_free(w, p, sizeof(*p));
		return -ENOMEM;
	}
	p->mm->users = 1;
	strcpy(p->name, name);
	if (proc_hash_add(w, p)) {
		fl_free(w, p->mm, sizeof(*p->mm));
		fl_free(w, p, sizeof(*p));
		return -ENOMEM;
	}
	p->pid = st->next_pid++;
	if (st->procs_tail)
		st->procs_tail->next = p;
	else
		st->procs = p;
	st->procs_tail = p;
	if (!st->current)
		st->current = p;
	if (out)
		*out = p;
	return 0;
}

struct fl_process *fl_current(struct fl_world *w)
{
	struct fl_state *st = fl_world_state_mut(w);

	if (!st->current && !st->procs)
		fl_process_new(w, "p", NULL);
	return st->current;
}

struct fl_mm *fl_current_mm(struct fl_world *w)
{
	/* The current process without a call when there is one: every copy asks. */
	struct fl_process *p = fl_world_state(w)->current;

	if (!p)
		p = fl_current(w);
	return p ? p->mm : NULL;
}

int fl_set_current(struct fl_world *w, struct fl_process *p)
{
	if (!p || p->exited)
		return fl_error(w, -ESRCH, "use: no such live process");
	fl_state(w)->current = p;
	return 0;
}

/* ---- fork ---- */

/*
 * fork() of a folio that may be DMA-pinned copies it at once instead of
 * sharing it (70e806e4e645, 5.9: page_needs_cow_for_dma): otherwise the
 * parent's next write would COW it away from the device, which would go on
 * reading and writing the old page.  Only mms that ever pinned pay for the
 * check (MMF_HAS_PINNED), and "maybe pinned" is refcount >= 1024, so 1024
 * FOLL_GET references copy too (a false positive the kernel accepts).
 * From 5.19 (6c287605fd56, page_try_dup_anon_rmap) only an exclusive page
 * can be pinned reliably, and only one is copied; a shared one is shared
 * again (its pins were never reliable: gup_must_unshare would have made it
 * exclusive first).
 */
/* Is a pinned FOLIO to be copied at fork, in the era of the pte rule? */
static bool pinned_must_copy(struct fl_world *w, struct fl_mm *src,
			     const struct fl_folio *folio)
{
	if (!(src->flags & FL_MMF_HAS_PINNED) || !fl_thp_maybe_pinned(folio))
		return false;
	if (fl_since(w, FL_ERA_ANON_EXCLUSIVE))
		return folio->flags & FL_FOLIO_ANON_EXCLUSIVE;
	return true;
}

static bool fork_must_copy(struct fl_world *w, struct fl_mm *src,
			   const struct fl_folio *folio)
{
	return fl_since(w, FL_ERA_FORK_COPY_PINNED) && pinned_must_copy(w, src, folio);
}

/*
 * KEEP_WP: the child's vma is registered for write-protect (EVENT_FORK
 * gave it its context), so the ptes keep their uffd-wp bits and markers;
 * otherwise the bits go (copy_present_pte / copy_nonpresent_pte /
 * copy_pte_marker test userfaultfd_wp(dst_vma), since 5.7's b569a1760782
 * "userfaultfd: wp: drop _PAGE_UFFD_WP properly when fork").  Seen on
 * 6.18: a write-protected page stays protected in the child.
 */
struct fork_copy {
	struct fl_mm *dst_mm;
	struct fl_mm *src_mm;
	bool keep_wp;
	bool guards_only;   /* a shared vma: its guard markers, nothing else */
	/* a hugetlb vma: -1 no; 0 share the huge page; 1 copy all of it */
	int huge_copy;
};

static int copy_present_pte(struct fl_world *w, fl_pte_t *src, fl_pte_t *dst,
			    const struct fork_copy *fc)
{
	struct fl_mm *src_mm = fc->src_mm;
	struct fl_folio *folio = src->folio;
	/*
	 * copy_hugetlb_page_range kept the bit of a huge page it shares
	 * until 5a2f8d22ace4 (6.4, "mm/hugetlb: fix uffd-wp during fork()";
	 * it failed to apply to 6.1-stable, and debian-6.1-amd64 keeps it).
	 */
	bool keep = fc->keep_wp ||
		    (fc->huge_copy == 0 && !fl_since(w, FL_ERA_HUGETLB_FORK_DROP_UFFD_WP));
	uint32_t flags = src->flags & ~(FL_PTE_PRESENT | (keep ? 0 : FL_PTE_UFFD_WP));

	/* Zero page and page-cache folios are mapped read-only already. */
	if (!(folio->flags & FL_FOLIO_ANON)) {
		fl_pte_set_folio(w, dst, folio, flags);
		return 0;
	}
	if (fc->huge_copy < 0 ? fork_must_copy(w, src_mm, folio) : fc->huge_copy) {
		struct fl_folio *copy = fl_folio_copy(w, folio);

		if (!copy)
			return -ENOMEM;
		fl_pte_set_folio(w, dst, copy, flags);
		fl_folio_put(w, copy);
		return 0;
	}
	/* Both sides lose write and exclusivity: the next write COWs. */
	folio->flags &= ~FL_FOLIO_ANON_EXCLUSIVE;
	src->flags &= ~FL_PTE_WRITE;
	fl_pte_set_folio(w, dst, folio, flags & ~FL_PTE_WRITE);
	return 0;
}

static int fork_copy_one(struct fl_world *w, fl_pte_t *src, fl_addr_t addr, void *arg)
{
	struct fork_copy *fc = arg;
	fl_pte_t *dst;

	if (fc->guards_only && !(src->flags & FL_PTE_GUARD))
		return 0;
	dst = fl_pte_alloc(w, fc->dst_mm, addr);
	if (!dst)
		return -ENOMEM;
	if (src->flags & FL_PTE_PRESENT)
		return copy_present_pte(w, src, dst, fc);
	/*
	 * copy_pte_marker: a uffd-wp marker goes with the uffd-wp bits;
	 * poison and guard markers are always copied.
	 */
	if ((src->flags & FL_PTE_MARKER) && !(src->flags & (FL_PTE_POISON | FL_PTE_GUARD)) &&
	    !fc->keep_wp)
		return 0;
	/* A swap entry gains a user (swap_duplicate); a poison marker is copied. */
	*dst = *src;
	if (!fc->keep_wp)
		dst->flags &= ~FL_PTE_UFFD_WP;
	if (src->flags & FL_PTE_SWAP)
		fl_swap_slot_get(src->swap);
	return 0;
}

/*
 * copy_hugetlb_page_range: a huge page is copied or shared whole.  From
 * 5.12 (4eae4efa2c29 "hugetlb: do early cow when page pinned on src
 * mm") one that may be pinned is copied for the child, as the pte rule
 * of 5.9 does for base pages; before, it is shared and the parent's next
 * write copies it away from the pin.  "Maybe pinned" is any base page's
 * (the kernel counts a large folio's pins exactly).
 */
static int huge_must_copy(struct fl_world *w, struct fork_copy *fc, fl_addr_t haddr,
			  fl_addr_t size)
{
	fl_addr_t a;

	if (!fl_since(w, FL_ERA_HUGETLB_FORK_COPY_PINNED))
		return 0;
	for (a = haddr; a < haddr + size; a += FL_PAGE_SIZE) {
		const fl_pte_t *pte = fl_pte_lookup(fc->src_mm, a);

		if (pte && (pte->flags & FL_PTE_PRESENT) &&
		    (pte->folio->flags & FL_FOLIO_ANON) &&
		    pinned_must_copy(w, fc->src_mm, pte->folio))
			return 1;
	}
	return 0;
}

static int fork_copy_huge(struct fl_world *w, struct fl_vma *vma, struct fork_copy *fc)
{
	fl_addr_t size = fl_vma_hpage_size(w, vma), a;
	int err = 0;

	for (a = vma->start; !err && a < vma->end; a += size) {
		fc->huge_copy = huge_must_copy(w, fc, a, size);
		err = fl_walk_ptes(w, fc->src_mm, a, a + size, fork_copy_one, fc);
	}
	return err;
}

/*
 * The child's copy of VMA.  Userfaultfd registration is not inherited
 * (dup_userfaultfd() without UFFD_FEATURE_EVENT_FORK clears it); the uffd
 * layer re-attaches it when the feature is on.
 */
static int fork_vma(struct fl_world *w, struct fl_vma *vma, struct fl_mm *dst_mm,
		    struct fl_mm *src_mm)
{
	struct fork_copy fc = { dst_mm, src_mm, false, false, -1 };
	struct fl_vma *new;

	/* A shared anonymous vma needs its shmem file before both see it. */
	if (!vma->file && (vma->flags & FL_VM_SHARED) && fl_shmem_zero_setup(w, vma))
		return -ENOMEM;
	new = fl_vma_alloc(w);
	if (!new)
		return -ENOMEM;
	new->start = vma->start;
	new->end = vma->end;
	/* dup_mmap: the child inherits no userfaultfd and no mlock */
	new->flags = vma->flags & ~(FL_VM_UFFD_MISSING | FL_VM_UFFD_WP | FL_VM_UFFD_MINOR |
				    FL_VM_LOCKED);
	new->file = vma->file;
	new->pgoff = vma->pgoff;
	new->mm = dst_mm;
	fl_vma_link(dst_mm, new);
	if (fl_uffd_hook_fork_vma(w, vma, new))   /* dup_userfaultfd */
		return -ENOMEM;
	fc.keep_wp = new->flags & FL_VM_UFFD_WP;
	/*
	 * vma_needs_copy: a shared vma's ptes come back from the page cache,
	 * except its uffd-wp bits: copied when the child keeps them (5.19,
	 * c56d1b62cce8 "mm/shmem: handle uffd-wp during fork()").
	 */
	if (vma->flags & FL_VM_WIPEONFORK)
		return 0;
	/*
	 * A guard install prepares an anon_vma, which makes vma_needs_copy
	 * true for a shared vma too (6.15+): its guard markers go to the
	 * child.  The kernel then copies its present ptes as well; the model
	 * leaves the child to fault them in from the page cache (docs/mm.md,
	 * "Guard regions").
	 */
	if ((vma->flags & FL_VM_SHARED) && !fc.keep_wp)
		fc.guards_only = true;
	else if (fl_vma_is_hugetlb(vma))
		return fork_copy_huge(w, vma, &fc);
	/* copy_huge_pmd: a pinned THP is split for the pte copy (huge_memory.c) */
	fl_thp_fork_split_pinned(w, src_mm, vma->start, vma->end);
	return fl_walk_ptes(w, src_mm, vma->start, vma->end, fork_copy_one, &fc);
}

/*
 * A child whose fork failed never ran: copy_process() frees it, and no
 * trace of it stays (its pid is spent: pids are allocated cyclically).
 * P has exited, so it is not current.
 */
static void process_forget(struct fl_world *w, struct fl_process *p)
{
	struct fl_process **link;

	for (link = &fl_state(w)->procs; *link; link = &(*link)->next) {
		if (*link == p) {
			*link = p->next;
			break;
		}
	}
	fl_free(w, p, sizeof(*p));
}

int fl_fork(struct fl_world *w, struct fl_process *parent, const char *child,
	    struct fl_process **out)
{
	struct fl_process *p;
	struct fl_vma *vma;
	int ret;

	if (!parent || parent->exited)
		return fl_error(w, -ESRCH, "fork: no live parent");
	ret = fl_process_new(w, child, &p);
	if (ret)
		return ret;
	/* MMF_HAS_PINNED is not inherited: dup_mm() keeps only MMF_INIT_MASK. */
	p->mm->mmap_base = parent->mm->mmap_base;
	p->ppid = parent->pid;   /* the leak checker walks ancestry (gup.h) */
	for (vma = fl_vma_first(parent->mm); vma; vma = fl_vma_next(vma)) {
		if (vma->flags & FL_VM_DONTCOPY)
			continue;
		ret = fork_vma(w, vma, p->mm, parent->mm);
		if (ret)
			goto out_exit;
	}
	fl_uffd_hook_fork_done(w, parent, p);   /* UFFD_EVENT_FORK */
	if (out)
		*out = p;
	return 0;

out_exit:
	fl_uffd_hook_fork_fail(w, parent, p);   /* dup_userfaultfd_fail */
	fl_process_exit(w, p);
	process_forget(w, p);
	return fl_error(w, ret, "fork: out of memory");
}

/* ---- exit ---- */

int fl_process_exit(struct fl_world *w, struct fl_process *p)
{
	struct fl_state *st = fl_state(w);
	struct fl_vma *vma;

	if (!p || p->exited)
		return fl_error(w, -ESRCH, "exit: no such live process");
	while ((vma = fl_vma_first(p->mm))) {
		fl_unmap_page_range(w, vma, vma->start, vma->end);
		fl_vma_unlink(p->mm, vma);
		fl_vma_free(w, vma);
	}
	fl_free_pgtables(w, p->mm);
	fl_free(w, p->mm, sizeof(*p->mm));
	p->mm = NULL;
	p->exited = true;
	proc_hash_del(w, p);
	if (st->current == p) {
		st->current = NULL;
		for (p = st->procs; p && p->exited; p = p->next)
			;
		st->current = p;
	}
	return 0;
}
