/*
 * faultline/mm_layers.h - what the layers above mm/ (uaccess, gup, uffd,
 * callers) may use of mm's insides, and nothing more.
 *
 * mm/internal.h and mm/page_internal.h are shared among mm's own files
 * only: CMake gives each layer its own include directory (docs/
 * architecture.md, "Headers"), so another layer cannot include them.  What
 * the kernel paths above mm need - model memory, their own state slot,
 * folios and ptes, the VMA edits userfaultfd makes, the page cache, the
 * fault handler's fixup entry - is declared here.
 *
 * Definitions
 *   layer slot   one pointer in the world's model state per layer above mm
 *                (enum fl_layer_slot): the layer hangs its own state from
 *                it, made on first use from fl_zalloc(), so a snapshot
 *                covers it with the rest of the arena.
 *   arena        fl_zalloc / fl_free: zeroed model metadata.  Never
 *                malloc: invariant 1 of mm/internal.h.
 *   frame        a 4096-byte page of contents, by number; written only
 *                through fl_frame_mut() (the snapshot's copy-on-write).
 *
 * Invariants
 *   1. Everything reachable from a layer slot is arena memory or frames.
 *   2. A frame number 0 means "no frame"; fl_frame_alloc never returns it
 *      on success.
 *   3. Each failing allocator sets fl_world_error to -ENOMEM and returns
 *      NULL (or 0 for a frame).
 */
#ifndef FAULTLINE_MM_LAYERS_H
#define FAULTLINE_MM_LAYERS_H

#include <faultline/mm.h>

FL_API_BEGIN

/* ---- per-layer state slots ---- */

enum fl_layer_slot {
	FL_LAYER_UFFD,      /* uffd/: struct uffd_state, hooks first (below) */
	FL_LAYER_CALLERS,   /* callers/: open files, pipes, the loop verdict */
	FL_LAYER_NR
};

/* The slot of layer SLOT: NULL until the layer stores its state there. */
void **fl_layer_slot(struct fl_world *w, enum fl_layer_slot slot);

/* ---- model memory (mm/arena.c, mm/frame.c) ---- */

/* Arena: zeroed memory, or NULL (with fl_error -ENOMEM) when exhausted. */
void *fl_zalloc(struct fl_world *w, size_t size);
void fl_free(struct fl_world *w, void *p, size_t size);

/* Frames: a zeroed frame, or 0 (with fl_error -ENOMEM) when exhausted. */
uint32_t fl_frame_alloc(struct fl_world *w);
void fl_frame_free(struct fl_world *w, uint32_t frame);
const uint8_t *fl_frame(const struct fl_world *w, uint32_t frame);
uint8_t *fl_frame_mut(struct fl_world *w, uint32_t frame);

/* ---- processes ---- */

/* The process whose mm is MM, or NULL. */
struct fl_process *fl_mm_owner(struct fl_world *w, const struct fl_mm *mm);
/* The live or exited process PID, or NULL. */
struct fl_process *fl_process_by_pid(struct fl_world *w, int pid);

/* ---- VMAs ---- */

/* VM_MAYWRITE && !VM_SHARED: writes copy (is_cow_mapping). */
static inline bool fl_is_cow_mapping(const struct fl_vma *vma)
{
	return !(vma->flags & FL_VM_SHARED) && (vma->flags & FL_VM_MAYWRITE);
}

/* is_vm_hugetlb_page: MAP_HUGETLB or a hugetlbfs file (mm/hugetlb.c). */
static inline bool fl_vma_is_hugetlb(const struct fl_vma *vma)
{
	return vma->flags & FL_VM_HUGETLB;
}

/* The arch's default huge page size in bytes (0: no hugetlbfs). */
fl_addr_t fl_hpage_size(const struct fl_world *w);
/* VMA's page size: the huge page size for hugetlb, else FL_PAGE_SIZE. */
fl_addr_t fl_vma_hpage_size(const struct fl_world *w, const struct fl_vma *vma);

/* ---- transparent huge pages (mm/huge_memory.c) ---- */

/* Does W's arch have the PMD-sized THP the model keeps (2 MiB)? */
bool fl_thp_supported(const struct fl_world *w);
/* Is ADDR's 2 MiB region of MM mapped by a PMD? */
bool fl_thp_pmd_mapped(struct fl_mm *mm, fl_addr_t addr);
/* __split_huge_pmd of ADDR's region, if a PMD maps it. */
void fl_thp_split_pmd(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr);
/* ... of every region [start, end) touches (before its ptes move). */
void fl_thp_split_range(struct fl_world *w, struct fl_mm *mm, fl_addr_t start,
			fl_addr_t end);
/* vma_adjust_trans_huge: a vma cut at AT splits the PMD mapping there. */
void fl_thp_split_at(struct fl_world *w, struct fl_mm *mm, fl_addr_t at);
/* folio_ref_count() of FOLIO's large folio (its own for a small one). */
uint32_t fl_thp_ref_count(const struct fl_folio *folio);
/* folio_maybe_dma_pinned() of FOLIO's large folio. */
bool fl_thp_maybe_pinned(const struct fl_folio *folio);

/* shmem: a tmpfs file, or a shared anonymous mapping (shmem_zero_setup). */
static inline bool fl_vma_is_shmem(const struct fl_vma *vma)
{
	if (fl_vma_is_hugetlb(vma))
		return false;
	if (!vma->file)
		return vma->flags & FL_VM_SHARED;
	return vma->file->fs == FL_FS_TMPFS;
}

/* Merge VMA with compatible neighbours (vma_merge); returns the survivor. */
struct fl_vma *fl_vma_try_merge(struct fl_world *w, struct fl_vma *vma);
/*
 * Give [start, end) (inside VMA) the flags NEWFLAGS: split, set, merge.
 * Returns the VMA now holding the range, or NULL (-ENOMEM, fl_error set).
 */
struct fl_vma *fl_vma_modify_flags(struct fl_world *w, struct fl_vma *vma,
				   fl_addr_t start, fl_addr_t end,
				   uint32_t newflags);
/* Make the ptes of [start, end) agree with vma->flags (write removed when
 * VM_WRITE went away; never added: the next write fault decides). */
void fl_change_protection(struct fl_world *w, struct fl_vma *vma,
			  fl_addr_t start, fl_addr_t end);

/* ---- page tables and folios (mm/pgtable.c, mm/folio.c) ---- */

/* The pte of ADDR, allocating page tables; NULL with -ENOMEM. */
fl_pte_t *fl_pte_alloc(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr);
/* Called for every pte that is not none; non-zero stops the walk. */
typedef int (*fl_pte_fn)(struct fl_world *w, fl_pte_t *pte, fl_addr_t addr,
			 void *arg);
int fl_walk_ptes(struct fl_world *w, struct fl_mm *mm, fl_addr_t start,
		 fl_addr_t end, fl_pte_fn fn, void *arg);

struct fl_folio *fl_folio_alloc(struct fl_world *w);   /* refcount 1 */
void fl_folio_get(struct fl_folio *folio);
void fl_folio_put(struct fl_world *w, struct fl_folio *folio);
bool fl_folio_is_zero(const struct fl_world *w, const struct fl_folio *folio);
/* Does W's pagemap report soft-dirty (arch bit and CONFIG_MEM_SOFT_DIRTY)? */
bool fl_pagemap_has_soft_dirty(const struct fl_world *w);
/* The shared zero page. */
struct fl_folio *fl_zero_folio(struct fl_world *w);
/* Install FOLIO in the none PTE (takes a reference and a mapcount). */
void fl_pte_set_folio(struct fl_world *w, fl_pte_t *pte, struct fl_folio *folio,
		      uint32_t pte_flags);
/*
 * Tag anonymous FOLIO as written by the process of MM now (the leak
 * checker's writer tag, mm/folio.c); the zero page and page-cache folios
 * are never tagged.
 */
void fl_folio_note_write(struct fl_world *w, struct fl_folio *folio,
			 const struct fl_mm *mm);

/* ---- fixup_user_fault (mm/fixup.c), for uaccess/fault_in.c ---- */

/*
 * Fault in ADDR of MM for FAULT_FLAGS (FL_FAULT_WRITE or 0) as the kernel's
 * fixup_user_fault(): no vma or a vma that does not permit the fault is
 * -EFAULT; otherwise the fault handler runs.  0, -EFAULT or -ENOMEM (a
 * poisoned page is -EFAULT: no FOLL_HWPOISON).
 */
int fl_fixup_user_fault(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr,
			unsigned fault_flags);

/* ---- page cache (mm/filemap.c) ---- */

/* Does F's page cache hold the page at INDEX (the model's "uptodate")? */
bool fl_filemap_cached(struct fl_world *w, struct fl_file *f, uint64_t index);
/* The page-cache folio at INDEX, created (zeroed) if absent and CREATE. */
/*
 * mm/memfd.c: what a memfd's seals refuse: a write of LEN at POS
 * (shmem_write_begin), a truncation to SIZE (shmem_setattr), a hole
 * punch (shmem_fallocate).  0 or -EPERM.
 */
int fl_memfd_write_check(struct fl_world *w, const struct fl_file *f, uint64_t pos,
			 uint64_t len);
int fl_memfd_truncate_check(struct fl_world *w, const struct fl_file *f, uint64_t size);
int fl_memfd_punch_check(struct fl_world *w, const struct fl_file *f);
/* ... and a new mapping with *VM_FLAGS (shmem_mmap): 0, or -EPERM; may clear VM_MAYWRITE. */
int fl_memfd_mmap_check(struct fl_world *w, struct fl_file *f, uint32_t *vm_flags);
struct fl_folio *fl_filemap_get_folio(struct fl_world *w, struct fl_file *f,
				      uint64_t index, bool create);
/*
 * fl_file_pread() of a range inside one page and below F's size, as
 * filemap_read asks for it: one page-cache look-up, no loop or checks.
 */
void fl_file_pread_page(struct fl_world *w, struct fl_file *f, void *buf,
			size_t len, uint64_t off);
/* The hidden shmem file behind a MAP_SHARED|MAP_ANONYMOUS VMA. */
int fl_shmem_zero_setup(struct fl_world *w, struct fl_vma *vma);

/* ---- userfaultfd hooks (mm/uffd_hooks.c) ----
 * mm/ must not call up into uffd/, so the uffd layer installs these: its
 * state in slot FL_LAYER_UFFD begins with struct fl_uffd_mm_hooks.  With
 * no context ever created the slot is NULL and every hook does nothing.
 */
struct fl_uffd_mm_ops {
	/* 1: a userfault, *ret is the vm_fault_t; 0: fault as usual */
	int (*fault)(struct fl_world *w, struct fl_vma *vma, fl_addr_t addr,
		     unsigned flags, unsigned *ret);
	void (*unmap)(struct fl_world *w, struct fl_mm *mm, fl_addr_t start,
		      fl_addr_t end);
	void (*remove)(struct fl_world *w, struct fl_vma *vma, fl_addr_t start,
		       fl_addr_t end);
	/* 0, or -ENOMEM: the fork fails, and fork_fail follows */
	int (*fork_vma)(struct fl_world *w, struct fl_vma *src, struct fl_vma *dst);
	void (*fork_done)(struct fl_world *w, struct fl_process *parent,
			  struct fl_process *child);
	void (*fork_fail)(struct fl_world *w, struct fl_process *parent,
			  struct fl_process *child);
	void (*remap)(struct fl_world *w, struct fl_vma *vma, fl_addr_t from,
		      fl_addr_t to, uint64_t len);
};
struct fl_uffd_mm_hooks {
	const struct fl_uffd_mm_ops *ops;
};

FL_API_END
#endif
