/*
 * mm/hugetlb.c - hugetlb mappings: MAP_HUGETLB anonymous memory and
 * mappings of hugetlbfs files (memfd_create(MFD_HUGETLB)).
 *
 * Definitions
 *   huge page   hpage_size bytes (the arch's default, struct
 *               fl_arch.hpage_shift: 2 MiB on x86_64) at an address and a
 *               file offset aligned to it.  The model has one folio per
 *               base page (mm.h), so a huge page is the folios of its base
 *               pages, which every operation here treats as one: a fault
 *               anywhere in it maps all of them, a COW copies all of them,
 *               fork shares or copies all of them.
 *   head        the pte of the huge page's first base page; the others
 *               follow it (invariant 1), so decisions read the head.
 *   reuse rule  hugetlb_wp reuses an anonymous huge page iff its mapcount
 *               is 1 - in every era, with no refcount check: GUP
 *               references do not force a copy, so a FOLL_GET user such
 *               as vmsplice still sees a later write by the page's owner
 *               (cow.c marks its hugetlb vmsplice cases as expected
 *               failures: "harder to fix and nobody really cares").
 *               The page is marked exclusive when reused (5.19,
 *               6c287605fd56's PageAnonExclusive covers hugetlb).
 *
 * Invariants (fl_hugetlb_check_pte, run by fl_mm_check)
 *   1. The ptes of one huge page of a VM_HUGETLB vma are in step: all
 *      none, or all present with the same pte flags, mapping folios with
 *      the same flags and mapcount (mm.h invariant 6).
 *   2. A VM_HUGETLB vma's start, end and file offset are multiples of
 *      hpage_size: mmap refuses others and a split is -EINVAL
 *      (fl_vma_split: hugetlb_vm_op_split).
 *   3. No hugetlb page is ever swapped, reclaimed or merged by KSM:
 *      `evict` and MADV_PAGEOUT of one are -EINVAL.
 *
 * Not modelled: the pool (vm.nr_hugepages) and reservations: the model
 * never runs out of huge pages, so a MAP_PRIVATE COW never fails and the
 * reservation owner's stealing (unmap_ref_private: a child's SIGBUS) never
 * happens; huge page sizes other than the default (MAP_HUGE_1GB);
 * pagemap of a hugetlb vma; poison of a huge page; mremap of one.
 */
#include <stdlib.h>

#include "mm/page_internal.h"

fl_addr_t fl_hpage_size(const struct fl_world *w)
{
	unsigned shift = fl_world_arch(w)->hpage_shift;

	return shift ? (fl_addr_t)1 << shift : 0;
}

fl_addr_t fl_vma_hpage_size(const struct fl_world *w, const struct fl_vma *vma)
{
	return fl_vma_is_hugetlb(vma) ? fl_hpage_size(w) : FL_PAGE_SIZE;
}

/* The base pages of one huge page of VMA, from its head at HADDR. */
struct hpage {
	struct fl_vma *vma;
	fl_addr_t haddr;
	unsigned nr;
	fl_pte_t **ptes;            /* nr ptes, allocated */
};

static int hpage_get(struct fl_world *w, struct fl_vma *vma, fl_addr_t addr,
		     struct hpage *hp)
{
	fl_addr_t size = fl_hpage_size(w);
	unsigned i;

	hp->vma = vma;
	hp->haddr = addr & ~(size - 1);
	hp->nr = (unsigned)(size >> FL_PAGE_SHIFT);
	hp->ptes = calloc(hp->nr, sizeof(*hp->ptes));
	if (!hp->ptes)
		return -ENOMEM;
	for (i = 0; i < hp->nr; i++) {
		hp->ptes[i] = fl_pte_alloc(w, vma->mm, hp->haddr + ((fl_addr_t)i << FL_PAGE_SHIFT));
		if (!hp->ptes[i]) {
			free(hp->ptes);
			return -ENOMEM;
		}
	}
	return 0;
}

static void hpage_put(struct hpage *hp)
{
	free(hp->ptes);
}

/* Map FOLIOS[i] at the huge page's base page i, with PTE_FLAGS. */
static void hpage_map(struct fl_world *w, struct hpage *hp, struct fl_folio **folios,
		      uint32_t pte_flags)
{
	unsigned i;

	for (i = 0; i < hp->nr; i++) {
		fl_pte_clear(w, hp->ptes[i]);
		fl_pte_set_folio(w, hp->ptes[i], folios[i], pte_flags);
	}
}

static void folios_put(struct fl_world *w, struct fl_folio **folios, unsigned nr)
{
	unsigned i;

	for (i = 0; i < nr; i++)
		if (folios[i])
			fl_folio_put(w, folios[i]);
}

/* Flags of a new pte: writable only for a write the vma allows. */
static uint32_t huge_pte_flags(const struct fl_vma *vma, unsigned flags)
{
	if ((flags & FL_FAULT_WRITE) && (vma->flags & FL_VM_WRITE))
		return FL_PTE_WRITE | FL_PTE_MKDIRTY | FL_PTE_YOUNG;
	return FL_PTE_YOUNG;
}

/*
 * hugetlb_wp: a write (or unshare) fault on a present read-only huge page.
 * Shared: the page cache's page becomes writable.  Private: reuse an
 * anonymous page mapped once (the reuse rule above), else copy all of it.
 */
static unsigned hugetlb_wp(struct fl_world *w, struct hpage *hp, unsigned flags)
{
	struct fl_folio *head = hp->ptes[0]->folio, **copies;
	uint32_t keep = hp->ptes[0]->flags & (FL_PTE_SOFT_DIRTY | FL_PTE_UFFD_WP);
	bool write = flags & FL_FAULT_WRITE;
	unsigned i;

	if (hp->vma->flags & FL_VM_SHARED) {
		for (i = 0; write && i < hp->nr; i++) {
			hp->ptes[i]->flags |= FL_PTE_WRITE | FL_PTE_MKDIRTY | FL_PTE_YOUNG;
			hp->ptes[i]->folio->flags |= FL_FOLIO_DIRTY;
		}
		return 0;
	}
	if ((head->flags & FL_FOLIO_ANON) && head->mapcount == 1) {
		fl_trace(w, "hugetlb_wp: %s in place (mapcount 1; refcount %u not asked)",
			 write ? "reuse" : "unshare, keep", head->refcount);
		for (i = 0; i < hp->nr; i++) {
			hp->ptes[i]->folio->flags |= FL_FOLIO_ANON_EXCLUSIVE;
			if (!write)
				continue;
			hp->ptes[i]->flags |= huge_pte_flags(hp->vma, flags) | FL_PTE_SOFT_DIRTY;
			fl_folio_note_write(w, hp->ptes[i]->folio, hp->vma->mm);
		}
		return 0;
	}
	copies = calloc(hp->nr, sizeof(*copies));
	if (!copies)
		return FL_VM_FAULT_OOM;
	for (i = 0; i < hp->nr; i++) {
		copies[i] = fl_folio_copy(w, hp->ptes[i]->folio);
		if (!copies[i])
			break;
		if (write)
			fl_folio_note_write(w, copies[i], hp->vma->mm);
	}
	if (i < hp->nr) {
		folios_put(w, copies, i);
		free(copies);
		return FL_VM_FAULT_OOM;
	}
	fl_trace(w, "hugetlb_wp: copy %u pages (mapcount %u)", hp->nr, head->mapcount);
	/* An unshare keeps the pte read-only with its soft-dirty and uffd-wp bits. */
	hpage_map(w, hp, copies, write ? huge_pte_flags(hp->vma, flags) | FL_PTE_SOFT_DIRTY
				       : FL_PTE_YOUNG | keep);
	folios_put(w, copies, hp->nr);
	free(copies);
	return 0;
}

/* The folios of a new anonymous huge page, zeroed, exclusive. */
static int alloc_anon(struct fl_world *w, struct fl_folio **folios, unsigned nr)
{
	unsigned i;

	for (i = 0; i < nr; i++) {
		folios[i] = fl_folio_alloc(w);
		if (!folios[i])
			return -ENOMEM;
		folios[i]->flags = FL_FOLIO_ANON | FL_FOLIO_ANON_EXCLUSIVE;
	}
	return 0;
}

/* The page-cache folios of the huge page at file page INDEX (referenced). */
static int get_cache(struct fl_world *w, struct fl_file *f, uint64_t index,
		     struct fl_folio **folios, unsigned nr)
{
	unsigned i;

	for (i = 0; i < nr; i++) {
		folios[i] = fl_filemap_get_folio(w, f, index + i, true);
		if (!folios[i])
			return -ENOMEM;
		fl_folio_get(folios[i]);
	}
	return 0;
}

/*
 * Is the huge page at file page INDEX in F's page cache?  Its base pages
 * are in step (invariant 1), so the head answers for all of them.
 */
static bool in_cache(struct fl_world *w, struct fl_file *f, uint64_t index)
{
	return fl_filemap_get_folio(w, f, index, false) != NULL;
}

/*
 * hugetlb_no_page: a fault on a none huge page.  A file's page comes from
 * its page cache; a page the cache does not have is new and zeroed - a
 * read too: hugetlb has no zero page.  Only a shared mapping adds a new
 * page to the cache: a private one's new page is anonymous and exclusive
 * (hugetlb_no_page's VM_MAYSHARE test, unchanged since 2.6), so cow.c's
 * memfd-hugetlb cases, which read the private mapping before the shared
 * one, pin an anonymous page that a write reuses - reliable on
 * debian-5.10 too, where a base page-cache page's R/O pin is not.  A
 * private mapping maps its page read-only and a write goes on to
 * hugetlb_wp (which reuses a new anonymous page and copies a page-cache
 * one), as the kernel does.
 */
static unsigned hugetlb_no_page(struct fl_world *w, struct hpage *hp, unsigned flags)
{
	struct fl_vma *vma = hp->vma;
	struct fl_folio **folios = calloc(hp->nr, sizeof(*folios));
	bool shared = vma->flags & FL_VM_SHARED;
	uint32_t pte_flags = shared ? huge_pte_flags(vma, flags) : FL_PTE_YOUNG;
	int err;

	if (!folios)
		return FL_VM_FAULT_OOM;
	if (vma->file) {
		uint64_t index = vma->pgoff + ((hp->haddr - vma->start) >> FL_PAGE_SHIFT);

		if (index >= fl_file_pages(vma->file)) {
			free(folios);
			return FL_VM_FAULT_SIGBUS;
		}
		if (shared || in_cache(w, vma->file, index))
			err = get_cache(w, vma->file, index, folios, hp->nr);
		else
			err = alloc_anon(w, folios, hp->nr);
	} else {
		err = alloc_anon(w, folios, hp->nr);
	}
	if (!err) {
		if (pte_flags & FL_PTE_DIRTY)
			pte_flags |= FL_PTE_SOFT_DIRTY;
		hpage_map(w, hp, folios, pte_flags);
	}
	folios_put(w, folios, hp->nr);
	free(folios);
	if (err)
		return FL_VM_FAULT_OOM;
	if (shared || !(flags & (FL_FAULT_WRITE | FL_FAULT_UNSHARE)))
		return 0;
	return hugetlb_wp(w, hp, flags);
}

/* Does an unshare fault have anything to do (hugetlb_fault's test)? */
static bool huge_needs_unshare(const struct fl_world *w, const struct fl_vma *vma,
			       const fl_pte_t *head)
{
	const struct fl_folio *folio = head->folio;

	if (!fl_is_cow_mapping(vma) || (head->flags & FL_PTE_WRITE))
		return false;
	(void)w;
	return !(folio->flags & FL_FOLIO_ANON) || !(folio->flags & FL_FOLIO_ANON_EXCLUSIVE);
}

unsigned fl_hugetlb_fault(struct fl_world *w, struct fl_vma *vma, fl_addr_t addr,
			  unsigned flags)
{
	struct hpage hp;
	fl_pte_t *head;
	unsigned ret = 0, i;

	if (hpage_get(w, vma, addr, &hp))
		return FL_VM_FAULT_OOM;
	head = hp.ptes[0];
	if (head->flags & FL_PTE_POISON) {
		/* a UFFDIO_POISON marker: VM_FAULT_HWPOISON_LARGE */
		ret = FL_VM_FAULT_HWPOISON;
	} else if (!(head->flags & FL_PTE_PRESENT)) {
		uint32_t wp = head->flags & FL_PTE_UFFD_WP;

		for (i = 0; i < hp.nr; i++)
			hp.ptes[i]->flags = 0;       /* a uffd-wp marker: none */
		ret = hugetlb_no_page(w, &hp, flags);
		/*
		 * hugetlb_no_page keeps a uffd-wp marker's protection in the
		 * new pte (c64e912c865a, 5.19), so a write faults again as a
		 * write-protect userfault.
		 */
		for (i = 0; !ret && wp && i < hp.nr; i++)
			hp.ptes[i]->flags = (hp.ptes[i]->flags & ~FL_PTE_WRITE) | FL_PTE_UFFD_WP;
	} else if ((flags & FL_FAULT_WRITE) && !(head->flags & FL_PTE_WRITE)) {
		ret = hugetlb_wp(w, &hp, flags);
	} else if ((flags & FL_FAULT_UNSHARE) && huge_needs_unshare(w, vma, head)) {
		ret = hugetlb_wp(w, &hp, flags);
	} else {
		for (i = 0; i < hp.nr; i++)
			hp.ptes[i]->flags |= FL_PTE_YOUNG |
					     ((flags & FL_FAULT_WRITE) ? FL_PTE_MKDIRTY : 0);
	}
	hpage_put(&hp);
	return ret;
}

bool fl_hugetlb_range_aligned(const struct fl_world *w, const struct fl_vma *vma,
			      fl_addr_t start, fl_addr_t end)
{
	fl_addr_t mask = fl_vma_hpage_size(w, vma) - 1;

	return !(start & mask) && !(end & mask);
}

/* The pte flags invariant 1 compares (not young or dirty: hardware's). */
#define HUGE_PTE_STEP (FL_PTE_PRESENT | FL_PTE_WRITE | FL_PTE_UFFD_WP | FL_PTE_MARKER)

/* Is PTE (at ADDR) in step with HEAD?  (0 or -EUCLEAN) */
static int check_step(struct fl_world *w, const fl_pte_t *head, const fl_pte_t *pte,
		      fl_addr_t addr)
{
	unsigned long long a = addr;

	if (!head || !pte || ((head->flags ^ pte->flags) & HUGE_PTE_STEP))
		return fl_error(w, -EUCLEAN, "hugetlb invariant 1: pte at 0x%llx is not in "
				"step with its head", a);
	if ((pte->flags & FL_PTE_PRESENT) &&
	    (head->folio->flags != pte->folio->flags ||
	     head->folio->mapcount != pte->folio->mapcount))
		return fl_error(w, -EUCLEAN, "hugetlb invariant 1: folio at 0x%llx is not in "
				"step with its head's", a);
	return 0;
}

int fl_hugetlb_check_pte(struct fl_world *w, const struct fl_vma *vma,
			 const fl_pte_t *pte, fl_addr_t addr)
{
	fl_addr_t size = fl_hpage_size(w), haddr = addr & ~(size - 1), a;
	const fl_pte_t *head = fl_pte_lookup(vma->mm, haddr);
	int err = 0;

	if (!fl_vma_hpage_aligned(w, vma))
		return fl_error(w, -EUCLEAN, "hugetlb invariant 2: vma [0x%llx, 0x%llx) "
				"is not huge-page aligned", (unsigned long long)vma->start,
				(unsigned long long)vma->end);
	if (addr != haddr)
		return check_step(w, head, pte, addr);
	/* The head: every base page of its huge page (none ones too). */
	for (a = haddr + FL_PAGE_SIZE; !err && a < haddr + size; a += FL_PAGE_SIZE)
		err = check_step(w, head, fl_pte_lookup(vma->mm, a), a);
	return err;
}

bool fl_vma_hpage_aligned(const struct fl_world *w, const struct fl_vma *vma)
{
	fl_addr_t mask = fl_vma_hpage_size(w, vma) - 1;

	return !(vma->start & mask) && !(vma->end & mask) &&
	       !((vma->pgoff << FL_PAGE_SHIFT) & mask);
}
