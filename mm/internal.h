/*
 * mm/internal.h - what the mm layer shares among its own files.  Only mm/
 * can include it (CMake gives each layer its own include directory); what
 * the layers above need is <faultline/mm_layers.h>.
 *
 * Memory of the model
 *   arena   one reserved region holding every piece of model metadata
 *           (struct fl_state, processes, mms, VMAs, page tables, folios).
 *           Pointers into it stay valid for the world's life because the
 *           region never moves; a snapshot is a flat copy of its used part.
 *   frames  the 4096-byte contents of folios, in a second region, indexed
 *           by number.  Writes go through fl_frame_mut(), which saves the
 *           old contents the first time a frame is written after a
 *           snapshot: page contents are copy-on-write with respect to it.
 *
 * Invariants
 *   1. Model state is reachable only from struct fl_state in the arena; no
 *      model pointer refers to malloc'ed memory.
 *   2. Nothing writes frame contents except through fl_frame_mut().
 *   3. Frame 0 is never handed out: 0 means "no frame".
 */
#ifndef FL_MM_INTERNAL_H
#define FL_MM_INTERNAL_H

#include <faultline/mm_layers.h>

/* The part of the world that a snapshot saves: it lives in the arena. */
struct fl_state {
	enum fl_arch_id arch;
	fl_kver_t kver;
	struct fl_process *procs;     /* in creation order */
	struct fl_process *procs_tail;  /* the last of procs */
	/* live processes by name (mm/process.c): PROC_HASH_MAX buckets at most */
	struct fl_process **proc_hash;
	unsigned proc_buckets;        /* 0 or a power of two */
	unsigned nlive;
	struct fl_process *current;
	int next_pid;
	struct fl_file *files;
	int pagefault_disabled;
	struct fl_folio *zero_folio;  /* the shared zero page */
	struct fl_swap_slot *swap_free;
	/* Upper layers hang their state here (fl_layer_slot, mm_layers.h). */
	void *layer[FL_LAYER_NR];
	/* frame allocator */
	uint32_t frame_next;          /* never-used frames start here */
	uint32_t frame_free;          /* free list head, linked through frames */
	uint32_t frames_in_use;
	size_t arena_live;            /* bytes of arena blocks not freed */
};

struct fl_state *fl_state(struct fl_world *w);
const struct fl_state *fl_state_const(const struct fl_world *w);

/* Arena bookkeeping used by snapshots (mm/snapshot.c). */
void *fl_arena_base(struct fl_world *w);
size_t fl_arena_used(const struct fl_world *w);
void fl_arena_set_used(struct fl_world *w, size_t used);

/* ---- VMA tree (mm/vma_tree.c): an AVL tree keyed by start ---- */

struct fl_vma *fl_vma_alloc(struct fl_world *w);
void fl_vma_free(struct fl_world *w, struct fl_vma *vma);
/* Link VMA (which must not overlap any other) into MM's tree. */
void fl_vma_link(struct fl_mm *mm, struct fl_vma *vma);
void fl_vma_unlink(struct fl_mm *mm, struct fl_vma *vma);
struct fl_vma *fl_vma_first(struct fl_mm *mm);
/*
 * Added by the VMA half.  Every VMA must come from fl_vma_alloc(): the tree
 * keeps a gap summary behind struct fl_vma.  After changing vma->start or
 * vma->end of a linked VMA (without reordering), call fl_vma_gap_update().
 */
struct fl_vma *fl_vma_prev(struct fl_vma *vma);
void fl_vma_gap_update(struct fl_vma *vma);
/* The end of the highest hole of at least NEED bytes inside [low, high). */
int fl_vma_hole_topdown(struct fl_mm *mm, fl_addr_t need, fl_addr_t low,
			fl_addr_t high, fl_addr_t *top);
/* Split VMA at AT (start < AT < end): VMA keeps [start, AT). 0 / -ENOMEM. */
int fl_vma_split(struct fl_world *w, struct fl_vma *vma, fl_addr_t at);
/* Unmap [start, end) of MM (both page aligned): split, zap, unlink. */
int fl_do_munmap(struct fl_world *w, struct fl_mm *mm, fl_addr_t start,
		 fl_addr_t end);

/* ---- page tables and pages (mm/pgtable.c, mm/memory.c, ...) ---- */

/* Unmap every page of [start, end) in VMA, dropping folio references. */
void fl_zap_page_range(struct fl_world *w, struct fl_vma *vma,
		       fl_addr_t start, fl_addr_t end);
/* The same, guard markers too: the vma goes (munmap, exit). */
void fl_unmap_page_range(struct fl_world *w, struct fl_vma *vma,
			 fl_addr_t start, fl_addr_t end);
/* The same for MADV_DONTNEED: a file-backed uffd-wp pte leaves a marker. */
void fl_zap_keep_uffd_wp(struct fl_world *w, struct fl_vma *vma,
			 fl_addr_t start, fl_addr_t end);
/* MADV_POPULATE_{READ,WRITE}: fault in every page; 0 or -errno. */
int fl_populate_range(struct fl_world *w, struct fl_vma *vma,
		      fl_addr_t start, fl_addr_t end, bool write);
/*
 * MADV_REMOVE (added by the VMA half, implemented by the page half): punch
 * the page-cache pages [first_index, first_index + nr) out of F and unmap
 * them from every shared mapping of F, as shmem's FALLOC_FL_PUNCH_HOLE
 * does; private COW copies stay.
 */
void fl_file_punch(struct fl_world *w, struct fl_file *f, uint64_t first_index,
		   uint64_t nr);
/* MADV_PAGEOUT / evict: reclaim the pages of [start, end). */
void fl_reclaim_range(struct fl_world *w, struct fl_vma *vma,
		      fl_addr_t start, fl_addr_t end);
/* Free every page table of MM (after all VMAs are zapped). */
void fl_free_pgtables(struct fl_world *w, struct fl_mm *mm);

/* ---- userfaultfd hooks (mm/uffd_hooks.c) ----
 * The uffd layer's struct fl_uffd_mm_ops (mm_layers.h) behind these.
 */
/* handle_userfault: 1 with *RET set if VMA's uffd takes the fault, else 0. */
int fl_uffd_hook_fault(struct fl_world *w, struct fl_vma *vma, fl_addr_t addr,
		       unsigned flags, unsigned *ret);
/* munmap (and implicit unmaps) of [start, end): UNMAP events. */
void fl_uffd_hook_unmap(struct fl_world *w, struct fl_mm *mm, fl_addr_t start,
			fl_addr_t end);
/* MADV_DONTNEED / MADV_REMOVE of [start, end) in VMA: REMOVE events. */
void fl_uffd_hook_remove(struct fl_world *w, struct fl_vma *vma, fl_addr_t start,
			 fl_addr_t end);
/*
 * fork: the child's copy DST of SRC (dup_userfaultfd: 0 or -ENOMEM), then
 * the FORK events; or, when the fork failed after some copies, their undoing
 * (dup_userfaultfd_fail).
 */
int fl_uffd_hook_fork_vma(struct fl_world *w, struct fl_vma *src, struct fl_vma *dst);
void fl_uffd_hook_fork_done(struct fl_world *w, struct fl_process *parent,
			    struct fl_process *child);
void fl_uffd_hook_fork_fail(struct fl_world *w, struct fl_process *parent,
			    struct fl_process *child);
/* mremap moved [from, from + len) to TO, now VMA: REMAP events. */
void fl_uffd_hook_remap(struct fl_world *w, struct fl_vma *vma, fl_addr_t from,
			fl_addr_t to, uint64_t len);

#endif
