/*
 * mm/huge_memory.c - anonymous transparent huge pages (THP), PMD-sized.
 *
 * Definitions
 *   THP         a folio of PMD size (2 MiB: 512 base pages of 4 KiB; the
 *               model has THP only where a pte table spans exactly the
 *               arch's PMD, fl_thp_supported()).  The model keeps one
 *               folio per base page (mm.h), so a THP is 512 folios tied by
 *               a struct fl_thp: page i is thp->page[i].  What the kernel
 *               counts on the large folio the model sums over its pages
 *               (thp_ref_count, thp_maybe_pinned).
 *   PMD mapping the 512 ptes of one pte table, every one with FL_PTE_PMD,
 *               the same protection, page i of one THP (or all the zero
 *               page: the huge zero page).  The model keeps a PMD mapping
 *               as the table it would be split into; splitting it
 *               (__split_huge_pmd) is clearing the bit: the folios, their
 *               mapcounts and references stay.
 *   pmd_none    no pte table for the 2 MiB region at all: only there does
 *               a fault map a THP (__handle_mm_fault's pmd_none test).  A
 *               zap of a whole PMD mapping frees its table (zap_huge_pmd);
 *               a split one keeps its table, so a refault there maps base
 *               pages, as in the kernel.
 *   eligible    an anonymous private vma (not hugetlb) with VM_HUGEPAGE
 *               (madvise(MADV_HUGEPAGE): the "madvise" setting of
 *               /sys/kernel/mm/transparent_hugepage/enabled; "always" is
 *               not modelled) and without VM_NOHUGEPAGE, covering the
 *               whole aligned 2 MiB, not registered with userfaultfd for
 *               missing or minor faults (write-protect alone is fine).
 *
 * State diagram of one aligned 2 MiB region of an eligible vma
 *
 *   pmd_none --read fault, use_zero_page--> huge zero page (PMD, R/O)
 *   pmd_none --write fault--> new THP, PMD-mapped, exclusive, writable
 *   huge zero page --write (6.13+, 1ced09e0331f)--> new THP, PMD-mapped
 *   huge zero page --write (5.8-6.12)--> split: 512 zero ptes, one copied
 *   PMD-mapped THP --fork (copy_huge_pmd)--> PMD-mapped R/O in both mms
 *   PMD-mapped R/O --write, reusable--> PMD-mapped writable (huge_pmd_wp)
 *   PMD-mapped R/O --write, not reusable (5.8, 3917c80280c9)--> split,
 *                  then do_wp_page copies the one base page
 *   PMD-mapped --vma split inside it (mprotect, munmap, mremap, madvise
 *                  flag advice on part: vma_adjust_trans_huge)--> split
 *   PMD-mapped --zap of part (MADV_DONTNEED)--> split, then the zap
 *   PMD-mapped --zap of all--> pmd_none
 *   PTE-mapped --MADV_COLLAPSE (6.1)--> a new THP (a copy), PMD-mapped
 *
 * Reuse (huge_pmd_can_reuse), per era:
 *   5.8-5.18  do_huge_pmd_wp_page asks reuse_swap_page(): the THP's total
 *             mapcount is 1 - GUP references are not looked at, so a
 *             vmsplice or R/O pin of a PMD-mapped THP sees the owner's
 *             later write once the other mapper is gone (09854ba94c6a
 *             changed do_wp_page only).
 *   5.19      6c287605fd56's series: an exclusive THP is reused; else only
 *             when the folio's refcount is 1 (no other mapping, no GUP).
 * A base page of a PTE-mapped THP goes through do_wp_page (mm/memory.c)
 * with the folio's refcount (thp_ref_count) in the refcount eras.
 *
 * Invariants (fl_thp_check_pte, run by fl_mm_check; mm.h invariant 7)
 *   1. The ptes of a table with one FL_PTE_PMD pte all have it, are
 *      present with the same FL_PTE_WRITE, and map page i of one THP, or
 *      all the zero page.
 *   2. A folio's thp, if set, has it at page[thp_idx]; live counts the
 *      pages not yet freed.
 */
#include <stdlib.h>
#include <string.h>

#include "mm/page_internal.h"

#define THP_NR 512u    /* base pages of a PMD: one pte table */

bool fl_thp_supported(const struct fl_world *w)
{
	return fl_hpage_size(w) == (fl_addr_t)THP_NR << FL_PAGE_SHIFT;
}

static fl_addr_t thp_size(void)
{
	return (fl_addr_t)THP_NR << FL_PAGE_SHIFT;
}

static fl_addr_t thp_haddr(fl_addr_t addr)
{
	return addr & ~(thp_size() - 1);
}

/* thp_vma_allowable_order for a fault at ADDR (see "eligible"). */
static bool thp_vma_allowable(const struct fl_world *w, const struct fl_vma *vma,
			      fl_addr_t addr)
{
	fl_addr_t haddr = thp_haddr(addr);

	/*
	 * A missing (or minor) userfaultfd takes the fault before a THP is
	 * made; a write-protect-only registration does not stop one
	 * (do_huge_pmd_anonymous_page asks userfaultfd_missing() only; seen
	 * on 6.18: tests/host/thp-uffd-wp-fault.fl).
	 */
	if (!fl_thp_supported(w) || vma->file || fl_vma_is_hugetlb(vma) ||
	    (vma->flags & (FL_VM_SHARED | FL_VM_NOHUGEPAGE | FL_VM_UFFD_MISSING |
			   FL_VM_UFFD_MINOR)))
		return false;
	return (vma->flags & FL_VM_HUGEPAGE) && haddr >= vma->start &&
	       haddr + thp_size() <= vma->end;
}

/* ---- the THP: its pages and what the kernel counts on the folio ---- */

/* A new zeroed THP: its pages, exclusive anonymous, each refcount 1. */
static struct fl_thp *thp_alloc(struct fl_world *w)
{
	struct fl_thp *thp = fl_zalloc(w, sizeof(*thp) + THP_NR * sizeof(thp->page[0]));
	unsigned i;

	if (!thp)
		return NULL;
	thp->nr = THP_NR;
	for (i = 0; i < THP_NR; i++) {
		struct fl_folio *folio = fl_folio_alloc(w);

		if (!folio)
			goto out_free;
		folio->flags = FL_FOLIO_ANON | FL_FOLIO_ANON_EXCLUSIVE;
		folio->thp = thp;
		folio->thp_idx = i;
		thp->page[i] = folio;
		thp->live++;
	}
	return thp;
out_free:
	/* The last put frees thp itself (fl_thp_page_freed). */
	while (i--)
		fl_folio_put(w, thp->page[i]);
	if (!thp->live)
		return NULL;
	return NULL;
}

/* Drop the allocation's own reference of every page (the ptes hold theirs). */
static void thp_put_alloc(struct fl_world *w, struct fl_thp *thp)
{
	unsigned i;

	for (i = 0; i < THP_NR; i++)
		if (thp->page[i])
			fl_folio_put(w, thp->page[i]);
}

void fl_thp_page_freed(struct fl_world *w, struct fl_folio *folio)
{
	struct fl_thp *thp = folio->thp;

	thp->page[folio->thp_idx] = NULL;
	if (--thp->live)
		return;
	fl_free(w, thp, sizeof(*thp) + thp->nr * sizeof(thp->page[0]));
}

/* folio_ref_count() of the large folio: the sum over its live pages. */
uint32_t fl_thp_ref_count(const struct fl_folio *folio)
{
	const struct fl_thp *thp = folio->thp;
	uint32_t sum = 0;
	unsigned i;

	if (!thp)
		return folio->refcount;
	for (i = 0; i < thp->nr; i++)
		if (thp->page[i])
			sum += thp->page[i]->refcount;
	return sum;
}

/*
 * folio_maybe_dma_pinned() of a large folio: a pin of any of its pages
 * counts for all (the kernel keeps one pincount per folio, 47e29d32afba).
 */
bool fl_thp_maybe_pinned(const struct fl_folio *folio)
{
	const struct fl_thp *thp = folio->thp;
	unsigned i;

	if (!thp)
		return folio->refcount >= FL_GUP_PIN_COUNTING_BIAS;
	for (i = 0; i < thp->nr; i++)
		if (thp->page[i] && thp->page[i]->refcount >= FL_GUP_PIN_COUNTING_BIAS)
			return true;
	return false;
}

/* ---- PMD mappings ---- */

/* The 512 ptes of the table of HADDR (which exists), into PTES. */
static void pmd_ptes(struct fl_mm *mm, fl_addr_t haddr, fl_pte_t **ptes)
{
	unsigned i;

	for (i = 0; i < THP_NR; i++)
		ptes[i] = fl_pte_lookup(mm, haddr + ((fl_addr_t)i << FL_PAGE_SHIFT));
}

/* Is the region of ADDR mapped by a PMD in MM? */
bool fl_thp_pmd_mapped(struct fl_mm *mm, fl_addr_t addr)
{
	const fl_pte_t *pte = fl_pte_lookup(mm, thp_haddr(addr));

	return pte && (pte->flags & FL_PTE_PMD);
}

/* __split_huge_pmd: the PMD mapping of ADDR's region becomes 512 ptes. */
void fl_thp_split_pmd(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr)
{
	fl_addr_t haddr = thp_haddr(addr);
	fl_pte_t *ptes[THP_NR];
	unsigned i;

	if (!fl_thp_pmd_mapped(mm, haddr))
		return;
	fl_trace(w, "split_huge_pmd: 0x%llx", (unsigned long long)haddr);
	pmd_ptes(mm, haddr, ptes);
	for (i = 0; i < THP_NR; i++)
		ptes[i]->flags &= ~FL_PTE_PMD;
}

/* Split every PMD mapping of [start, end) (a range about to be moved). */
void fl_thp_split_range(struct fl_world *w, struct fl_mm *mm, fl_addr_t start,
			fl_addr_t end)
{
	fl_addr_t a;

	for (a = thp_haddr(start); a < end; a += thp_size())
		fl_thp_split_pmd(w, mm, a);
}

/*
 * vma_adjust_trans_huge: a vma about to be cut at AT (mprotect, munmap,
 * mremap or madvise of part of it) splits the PMD mapping AT falls in.
 */
void fl_thp_split_at(struct fl_world *w, struct fl_mm *mm, fl_addr_t at)
{
	if (at & (thp_size() - 1))
		fl_thp_split_pmd(w, mm, at);
}

/*
 * zap_huge_pmd: a zap of [start, end) clears a PMD mapping it covers
 * whole and frees the table (pmd_none again), and splits one it covers in
 * part (__split_huge_pmd in zap_pmd_range), whose ptes the zap then
 * clears one by one.
 */
void fl_thp_zap_range(struct fl_world *w, struct fl_mm *mm, fl_addr_t start,
		      fl_addr_t end)
{
	fl_addr_t a;
	fl_pte_t *ptes[THP_NR];
	unsigned i;

	for (a = thp_haddr(start); a < end; a += thp_size()) {
		if (!fl_thp_pmd_mapped(mm, a))
			continue;
		if (a < start || a + thp_size() > end) {
			fl_thp_split_pmd(w, mm, a);
			continue;
		}
		pmd_ptes(mm, a, ptes);
		for (i = 0; i < THP_NR; i++)
			fl_pte_clear(w, ptes[i]);
		fl_pte_table_free(w, mm, a);
	}
}

/* Map THP (or the huge zero page, THP NULL) by a PMD at HADDR. */
static int pmd_map(struct fl_world *w, struct fl_mm *mm, fl_addr_t haddr,
		   struct fl_thp *thp, uint32_t pte_flags)
{
	fl_pte_t *ptes[THP_NR];
	unsigned i;

	for (i = 0; i < THP_NR; i++) {
		ptes[i] = fl_pte_alloc(w, mm, haddr + ((fl_addr_t)i << FL_PAGE_SHIFT));
		if (!ptes[i])
			return -ENOMEM;
	}
	for (i = 0; i < THP_NR; i++) {
		fl_pte_clear(w, ptes[i]);
		fl_pte_set_folio(w, ptes[i], thp ? thp->page[i] : fl_zero_folio(w),
				 pte_flags | FL_PTE_PMD);
	}
	return 0;
}

static uint32_t huge_pte_flags(const struct fl_vma *vma)
{
	/* maybe_pmd_mkwrite(pmd_mkdirty(entry), vma) */
	if (vma->flags & FL_VM_WRITE)
		return FL_PTE_WRITE | FL_PTE_MKDIRTY | FL_PTE_YOUNG;
	return FL_PTE_MKDIRTY | FL_PTE_YOUNG;
}

/* A new THP mapped at HADDR of VMA, written by its mm's process. */
static unsigned map_new_thp(struct fl_world *w, struct fl_vma *vma, fl_addr_t haddr,
			    uint32_t pte_flags)
{
	struct fl_thp *thp = thp_alloc(w);
	unsigned i;
	int err;

	if (!thp)
		return FL_VM_FAULT_OOM;
	if (pte_flags & FL_PTE_WRITE)
		for (i = 0; i < THP_NR; i++)
			fl_folio_note_write(w, thp->page[i], vma->mm);
	err = pmd_map(w, vma->mm, haddr, thp, pte_flags);
	thp_put_alloc(w, thp);
	return err ? FL_VM_FAULT_OOM : 0;
}

/*
 * do_huge_pmd_anonymous_page: a fault at pmd_none.  A read maps the huge
 * zero page (use_zero_page, the default) where the kernel maps a zero
 * page at all; a write, or a read without it, a new THP: writable and
 * dirty in a VM_WRITE vma, for a read too.
 */
static unsigned do_huge_pmd_anonymous_page(struct fl_world *w, struct fl_vma *vma,
					   fl_addr_t haddr, unsigned flags)
{
	bool read = !(flags & (FL_FAULT_WRITE | FL_FAULT_UNSHARE));

	if (read && fl_world_kconfig(w, FL_KCONFIG_HUGE_ZERO_PAGE)) {
		fl_trace(w, "do_huge_pmd_anonymous_page: the huge zero page at 0x%llx",
			 (unsigned long long)haddr);
		return pmd_map(w, vma->mm, haddr, NULL, FL_PTE_YOUNG) ? FL_VM_FAULT_OOM : 0;
	}
	fl_trace(w, "do_huge_pmd_anonymous_page: a THP at 0x%llx", (unsigned long long)haddr);
	return map_new_thp(w, vma, haddr, huge_pte_flags(vma));
}

/*
 * May a write (or unshare) fault reuse the PMD-mapped THP of HEAD in
 * place?  (The era rule in the header comment.)
 */
static bool huge_pmd_can_reuse(struct fl_world *w, const struct fl_folio *head)
{
	const struct fl_thp *thp = head->thp;
	unsigned i;

	if (fl_since(w, FL_ERA_ANON_EXCLUSIVE) && (head->flags & FL_FOLIO_ANON_EXCLUSIVE))
		return true;
	for (i = 0; i < thp->nr; i++)
		if (!thp->page[i] || thp->page[i]->mapcount != 1)
			return false;
	if (!fl_since(w, FL_ERA_ANON_EXCLUSIVE))
		return true;    /* reuse_swap_page: the total mapcount only */
	/* The folio's refcount is 1: its one PMD mapping, no GUP reference. */
	return fl_thp_ref_count(head) == THP_NR;
}

/*
 * do_huge_pmd_wp_page: a write or unshare fault on a read-only PMD
 * mapping.  Returns 1 when done (*RET the result), 0 when the PMD was
 * split and the fault goes on at the pte.
 */
static int huge_pmd_wp(struct fl_world *w, struct fl_vma *vma, fl_addr_t addr,
		       unsigned flags, unsigned *ret)
{
	fl_addr_t haddr = thp_haddr(addr);
	fl_pte_t *ptes[THP_NR];
	struct fl_folio *head;
	bool write = flags & FL_FAULT_WRITE;
	unsigned i;

	pmd_ptes(vma->mm, haddr, ptes);
	head = ptes[0]->folio;
	if (fl_folio_is_zero(w, head)) {
		/* do_huge_zero_wp_pmd (6.13): a new THP instead of the split */
		if (write && fl_since(w, FL_ERA_HUGE_ZERO_WP_ALLOC)) {
			*ret = map_new_thp(w, vma, haddr, huge_pte_flags(vma));
			return 1;
		}
		fl_thp_split_pmd(w, vma->mm, haddr);
		return 0;
	}
	if (!huge_pmd_can_reuse(w, head)) {
		fl_trace(w, "do_huge_pmd_wp_page: cannot reuse the THP at 0x%llx: split "
			 "(3917c80280c9)", (unsigned long long)haddr);
		fl_thp_split_pmd(w, vma->mm, haddr);
		return 0;
	}
	fl_trace(w, "do_huge_pmd_wp_page: %s the THP at 0x%llx in place",
		 write ? "reuse" : "unshare, keep", (unsigned long long)haddr);
	for (i = 0; i < THP_NR; i++) {
		ptes[i]->folio->flags |= FL_FOLIO_ANON_EXCLUSIVE;
		if (!write)
			continue;
		ptes[i]->flags |= huge_pte_flags(vma);
		fl_folio_note_write(w, ptes[i]->folio, vma->mm);
	}
	*ret = 0;
	return 1;
}

/* Does an unshare fault have anything to do on the PMD mapping of HEAD? */
static bool huge_needs_unshare(struct fl_world *w, const struct fl_vma *vma,
			       const fl_pte_t *head)
{
	if (!fl_is_cow_mapping(vma) || (head->flags & FL_PTE_WRITE))
		return false;
	return fl_folio_is_zero(w, head->folio) ||
	       !(head->folio->flags & FL_FOLIO_ANON_EXCLUSIVE);
}

int fl_thp_fault(struct fl_world *w, struct fl_vma *vma, fl_addr_t addr,
		 unsigned flags, unsigned *ret)
{
	fl_addr_t haddr = thp_haddr(addr);
	const fl_pte_t *head = fl_pte_lookup(vma->mm, haddr);

	if (!head) {
		if (!thp_vma_allowable(w, vma, addr))
			return 0;
		*ret = do_huge_pmd_anonymous_page(w, vma, haddr, flags);
		return 1;
	}
	if (!(head->flags & FL_PTE_PMD))
		return 0;
	if ((flags & FL_FAULT_WRITE) && !(head->flags & FL_PTE_WRITE))
		return huge_pmd_wp(w, vma, addr, flags, ret);
	if ((flags & FL_FAULT_UNSHARE) && huge_needs_unshare(w, vma, head))
		return huge_pmd_wp(w, vma, addr, flags, ret);
	return 0;      /* huge_pmd_set_accessed: the pte path sets young/dirty */
}

/*
 * copy_huge_pmd of a THP that may be pinned (5.9: d042035eaf5f, with
 * 70e806e4e645; from 5.19 only an exclusive one): the parent's PMD is
 * split and the pte copy that follows copies the pinned pages.
 */
void fl_thp_fork_split_pinned(struct fl_world *w, struct fl_mm *src, fl_addr_t start,
			      fl_addr_t end)
{
	fl_addr_t a;

	if (!fl_since(w, FL_ERA_FORK_COPY_PINNED) || !(src->flags & FL_MMF_HAS_PINNED))
		return;
	for (a = thp_haddr(start); a < end; a += thp_size()) {
		const fl_pte_t *head = fl_pte_lookup(src, a);

		if (!head || !(head->flags & FL_PTE_PMD) || fl_folio_is_zero(w, head->folio))
			continue;
		if (fl_since(w, FL_ERA_ANON_EXCLUSIVE) &&
		    !(head->folio->flags & FL_FOLIO_ANON_EXCLUSIVE))
			continue;
		if (fl_thp_maybe_pinned(head->folio))
			fl_thp_split_pmd(w, src, a);
	}
}

/* ---- MADV_COLLAPSE ---- */

/* Can the pte at ADDR go into a collapse?  (0, or -errno: not modelled) */
static int collapse_pte_ok(struct fl_world *w, const fl_pte_t *pte, fl_addr_t addr)
{
	if (!pte || !pte->flags || (pte->flags & FL_PTE_PRESENT))
		return 0;
	return fl_error(w, -EOPNOTSUPP, "MADV_COLLAPSE over a swap entry or marker at 0x%llx "
			"is not modelled", (unsigned long long)addr);
}

/*
 * SCAN_PAGE_RO: until 6.18 (era collapse_read_only) the scan wants at
 * least one writable pte, so a range that fork left read-only in both
 * mms does not collapse: -EINVAL (madvise_collapse_errno).  Seen on
 * 6.12.117 with cow.c's test_anon_thp_collapse_fully_shared.
 */
static int collapse_needs_writable(struct fl_world *w, fl_pte_t **ptes, fl_addr_t haddr)
{
	unsigned i;

	if (fl_since(w, FL_ERA_COLLAPSE_READ_ONLY))
		return 0;
	for (i = 0; i < THP_NR; i++)
		if (ptes[i] && (ptes[i]->flags & FL_PTE_WRITE))
			return 0;
	return fl_error(w, -EINVAL, "MADV_COLLAPSE: no writable pte in 0x%llx (SCAN_PAGE_RO, "
			"before 6.18)", (unsigned long long)haddr);
}

/*
 * collapse_huge_page: a new THP holding the bytes of the region (a none
 * pte reads zero), mapped by a PMD, exclusive; the old pages lose this
 * mapping (another mm's stay where they are).
 */
static int collapse_one(struct fl_world *w, struct fl_vma *vma, fl_addr_t haddr)
{
	fl_pte_t *ptes[THP_NR];
	struct fl_thp *thp;
	unsigned i;
	int err = 0;

	pmd_ptes(vma->mm, haddr, ptes);
	for (i = 0; !err && i < THP_NR; i++)
		err = collapse_pte_ok(w, ptes[i], haddr + ((fl_addr_t)i << FL_PAGE_SHIFT));
	if (!err)
		err = collapse_needs_writable(w, ptes, haddr);
	if (err)
		return err;
	thp = thp_alloc(w);
	if (!thp)
		return -ENOMEM;
	for (i = 0; i < THP_NR; i++) {
		struct fl_folio *src = ptes[i] && (ptes[i]->flags & FL_PTE_PRESENT) ?
				       ptes[i]->folio : NULL;

		if (src && !fl_folio_is_zero(w, src)) {
			memcpy(fl_frame_mut(w, thp->page[i]->frame), fl_frame(w, src->frame),
			       FL_PAGE_SIZE);
			thp->page[i]->writer = src->writer;
			thp->page[i]->wgen = src->wgen;
		}
	}
	for (i = 0; i < THP_NR; i++)
		if (ptes[i])
			fl_pte_clear(w, ptes[i]);
	fl_pte_table_free(w, vma->mm, haddr);
	err = pmd_map(w, vma->mm, haddr, thp, huge_pte_flags(vma));
	thp_put_alloc(w, thp);
	return err;
}

/*
 * madvise(MADV_COLLAPSE) (7d8faaf15545, 6.1): each aligned 2 MiB of
 * [start, end) becomes a PMD-mapped THP, whatever the sysfs settings;
 * one mapped by a PMD already is left.  A vma that cannot have THPs
 * (file, shared, hugetlb, VM_NOHUGEPAGE, userfaultfd) is -EINVAL.
 */
int fl_madvise_collapse(struct fl_world *w, struct fl_mm *mm, fl_addr_t start,
			fl_addr_t end)
{
	fl_addr_t a;
	int err;

	if (!fl_thp_supported(w))
		return fl_error(w, -EOPNOTSUPP, "MADV_COLLAPSE: no PMD-sized THP modelled on "
				"this arch");
	for (a = (start + thp_size() - 1) & ~(thp_size() - 1); a + thp_size() <= end;
	     a += thp_size()) {
		struct fl_vma *vma = fl_vma_lookup(mm, a);

		if (!vma)
			return fl_error(w, -ENOMEM, "MADV_COLLAPSE: 0x%llx is not mapped",
					(unsigned long long)a);
		if (vma->file || (vma->flags & (FL_VM_SHARED | FL_VM_HUGETLB |
						FL_VM_NOHUGEPAGE | FL_VM_UFFD_MISSING |
						FL_VM_UFFD_WP | FL_VM_UFFD_MINOR)) ||
		    a < vma->start || a + thp_size() > vma->end)
			return fl_error(w, -EINVAL, "MADV_COLLAPSE: vma at 0x%llx cannot have "
					"a THP there", (unsigned long long)a);
		if (fl_thp_pmd_mapped(mm, a))
			continue;
		err = collapse_one(w, vma, a);
		if (err)
			return err;
	}
	return 0;
}

/* ---- what the model does not do with a THP ---- */

static int thp_page_one(struct fl_world *w, fl_pte_t *pte, fl_addr_t addr, void *arg)
{
	(void)addr;
	(void)arg;
	if ((pte->flags & FL_PTE_PRESENT) && (pte->folio->thp || (pte->flags & FL_PTE_PMD)))
		return fl_error(w, -EOPNOTSUPP, "%s of a THP (0x%llx) is not modelled",
				(const char *)arg, (unsigned long long)addr);
	return 0;
}

int fl_thp_refuse_range(struct fl_world *w, struct fl_mm *mm, fl_addr_t start,
			fl_addr_t end, const char *what)
{
	return fl_walk_ptes(w, mm, start, end, thp_page_one, (void *)(uintptr_t)what);
}

/* ---- invariants ---- */

int fl_thp_check_pte(struct fl_world *w, struct fl_mm *mm, const fl_pte_t *pte,
		     fl_addr_t addr)
{
	fl_addr_t haddr = thp_haddr(addr);
	const fl_pte_t *head = fl_pte_lookup(mm, haddr);
	unsigned idx = (unsigned)((addr - haddr) >> FL_PAGE_SHIFT);
	unsigned long long a = addr;

	if (pte->folio->thp && pte->folio->thp->page[pte->folio->thp_idx] != pte->folio)
		return fl_error(w, -EUCLEAN, "thp invariant 2: folio at 0x%llx is not its "
				"THP's page %u", a, pte->folio->thp_idx);
	/* a PTE-mapped THP's ptes go their own ways */
	if (!(pte->flags & FL_PTE_PMD) && (!head || !(head->flags & FL_PTE_PMD)))
		return 0;
	if (!head || ((head->flags ^ pte->flags) & (FL_PTE_PMD | FL_PTE_PRESENT | FL_PTE_WRITE)))
		return fl_error(w, -EUCLEAN, "thp invariant 1: pte at 0x%llx is not in step "
				"with its PMD mapping", a);
	if (fl_folio_is_zero(w, head->folio) ? !fl_folio_is_zero(w, pte->folio) :
	    (!head->folio->thp || head->folio->thp_idx != 0 ||
	     head->folio->thp->page[idx] != pte->folio))
		return fl_error(w, -EUCLEAN, "thp invariant 1: pte at 0x%llx maps another "
				"page than page %u of its PMD's THP", a, idx);
	return 0;
}
