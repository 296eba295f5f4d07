/*
 * mm/page_internal.h - what the page half of mm/ (pgtable, folio, memory,
 * filemap, process, access, reclaim, poison, tag, check) shares among its
 * own files.  The seam with the VMA half is mm/internal.h; the layers
 * above mm use <faultline/mm_layers.h>.
 */
#ifndef FL_MM_PAGE_INTERNAL_H
#define FL_MM_PAGE_INTERNAL_H

#include "mm/internal.h"

/* Invariant 2 of pgtable.c: five levels of 9 bits above 4 KiB pages. */
#define FL_PGTABLE_LEVELS 5
#define FL_PGTABLE_LIMIT  ((fl_addr_t)1 << (FL_PAGE_SHIFT + 9 * FL_PGTABLE_LEVELS))

/* Granule tags: one byte per 16 bytes of a page (MTE granule; ADI sets 4). */
#define FL_TAG_SLOT  16u
#define FL_TAG_SLOTS (FL_PAGE_SIZE / FL_TAG_SLOT)

/* ---- folios and rmap (mm/folio.c) ---- */

/* Make PTE none, dropping whatever it held (folio, swap slot, marker). */
void fl_pte_clear(struct fl_world *w, fl_pte_t *pte);
/* A new anonymous exclusive folio holding a copy of SRC's bytes and tags. */
struct fl_folio *fl_folio_copy(struct fl_world *w, const struct fl_folio *src);
/* Call FN on every pte of every live mm that maps FOLIO. */
int fl_rmap_walk(struct fl_world *w, struct fl_folio *folio, fl_pte_fn fn,
		 void *arg);

/* ---- swap (mm/reclaim.c) ---- */

struct fl_swap_slot {
	uint32_t frame;              /* the page's bytes */
	uint32_t count;              /* swap ptes referring to it */
	uint8_t *tags;               /* saved granule tags, or NULL */
};
void fl_swap_slot_get(struct fl_swap_slot *slot);
void fl_swap_slot_put(struct fl_world *w, struct fl_swap_slot *slot);
/* Swap-in: the slot's bytes as a new exclusive anonymous folio. */
struct fl_folio *fl_swap_in(struct fl_world *w, fl_pte_t *pte);

/* ---- page cache (mm/filemap.c) ---- */

uint64_t fl_file_pages(const struct fl_file *f);

/* ---- faults (mm/memory.c) ---- */

/* handle_mm_fault without the hook: used by poke, tag and poison. */
unsigned __fl_handle_mm_fault(struct fl_world *w, struct fl_vma *vma,
			      fl_addr_t addr, unsigned flags);
/*
 * The pte of the page at ADDR in VMA, made present and writable in place
 * the way poke needs it (private pages exclusive), without permission
 * checks or hooks; NULL with -EFAULT in fl_world_error (mm/access.c).
 */
fl_pte_t *fl_poke_pte(struct fl_world *w, struct fl_vma *vma, fl_addr_t addr);
/*
 * FN on each piece [at, at + n) of [addr, addr + len) that lies in one
 * page of MM, in order, with the piece's VMA and the DONE bytes before it.
 * A piece without a VMA, or a range that wraps, is -EFAULT with "WHAT: no
 * mapping at ADDR"; otherwise the first non-zero return of FN, or 0
 * (poke, peek and tag: mm/access.c, mm/tag.c).
 */
typedef int (*fl_page_piece_fn)(struct fl_world *w, struct fl_vma *vma,
				fl_addr_t at, size_t done, size_t n, void *arg);
int fl_for_each_page_piece(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr,
			   size_t len, const char *what, fl_page_piece_fn fn,
			   void *arg);
/* Can the access WRITE be done through PTE without a fault? */
bool fl_pte_allows(const fl_pte_t *pte, bool write);

/* ---- hugetlb (mm/hugetlb.c) ---- */

/* hugetlb_fault: the fault of ADDR in VM_HUGETLB VMA, whole huge page. */
unsigned fl_hugetlb_fault(struct fl_world *w, struct fl_vma *vma, fl_addr_t addr,
			  unsigned flags);
/* Are START and END multiples of VMA's page size? */
bool fl_hugetlb_range_aligned(const struct fl_world *w, const struct fl_vma *vma,
			      fl_addr_t start, fl_addr_t end);
/* Are VMA's start, end and file offset multiples of its page size? */
bool fl_vma_hpage_aligned(const struct fl_world *w, const struct fl_vma *vma);
/* Invariants 1 and 2 of mm/hugetlb.c at the present PTE of ADDR in VMA. */
int fl_hugetlb_check_pte(struct fl_world *w, const struct fl_vma *vma,
			 const fl_pte_t *pte, fl_addr_t addr);

/* ---- transparent huge pages (mm/huge_memory.c) ---- */

/* Free the (empty) pte table of ADDR's 2 MiB region: pmd_none again. */
void fl_pte_table_free(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr);
/* The last reference of a THP's page FOLIO is gone: detach it. */
void fl_thp_page_freed(struct fl_world *w, struct fl_folio *folio);
/*
 * The THP part of a fault at ADDR: 1 when it handled the fault (*RET its
 * vm_fault_t), 0 when the pte fault goes on (a PMD mapping may have been
 * split for it).
 */
int fl_thp_fault(struct fl_world *w, struct fl_vma *vma, fl_addr_t addr,
		 unsigned flags, unsigned *ret);
/* zap_huge_pmd / split before a zap of [start, end) in MM. */
void fl_thp_zap_range(struct fl_world *w, struct fl_mm *mm, fl_addr_t start,
		      fl_addr_t end);
/* Split the PMD mappings of SRC's pinned THPs in [start, end) before fork. */
void fl_thp_fork_split_pinned(struct fl_world *w, struct fl_mm *src, fl_addr_t start,
			      fl_addr_t end);
/* Invariants 1 and 2 of mm/huge_memory.c at the present PTE of ADDR. */
int fl_thp_check_pte(struct fl_world *w, struct fl_mm *mm, const fl_pte_t *pte,
		     fl_addr_t addr);
/*
 * -EOPNOTSUPP naming WHAT when [start, end) of MM maps a THP's page or
 * the huge zero page (reclaim and memory failure of THPs: not modelled).
 */
int fl_thp_refuse_range(struct fl_world *w, struct fl_mm *mm, fl_addr_t start,
			fl_addr_t end, const char *what);
/* madvise(MADV_COLLAPSE) of [start, end). */
int fl_madvise_collapse(struct fl_world *w, struct fl_mm *mm, fl_addr_t start,
			fl_addr_t end);

#endif
