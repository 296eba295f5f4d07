/*
 * mm/filemap.c - files and their page cache.
 *
 * A file is tmpfs-like whatever its fs (the fs kind is recorded for the
 * callers that differ by it): its page cache IS its contents; a page never
 * written reads as zeros and has no folio until someone faults or writes it.
 *
 * Definitions
 *   pcache   a two-level radix tree, 512 x 512 slots: index -> folio.  It
 *            lives in the arena, so a snapshot restores file contents too.
 *   size     bytes; pages = DIV_ROUND_UP(size, 4096); a fault at an index
 *            >= pages is SIGBUS (mm/memory.c do_fault).
 *
 * Invariants
 *   1. A cached folio has mapping == file, index == its slot, and holds one
 *      reference for the cache (mm.h invariant 4).
 *   2. Files are at most FL_PCACHE_MAX_PAGES pages (1 GiB): more is -EFBIG.
 */
#include <string.h>

#include "mm/page_internal.h"

#define FL_PCACHE_FANOUT    512u
#define FL_PCACHE_MAX_PAGES ((uint64_t)FL_PCACHE_FANOUT * FL_PCACHE_FANOUT)

struct fl_pcache_node {
	struct fl_folio *slot[FL_PCACHE_FANOUT];
};

struct fl_pcache {
	struct fl_pcache_node *node[FL_PCACHE_FANOUT];
};

uint64_t fl_file_pages(const struct fl_file *f)
{
	return (f->size + FL_PAGE_SIZE - 1) >> FL_PAGE_SHIFT;
}

int fl_file_new(struct fl_world *w, const char *name, uint64_t size,
		enum fl_fs fs, struct fl_file **out)
{
	struct fl_state *st = fl_state(w);
	struct fl_file *f, **tail;

	if (!name || !*name || strlen(name) >= sizeof(f->name))
		return fl_error(w, -EINVAL, "file: bad name");
	if ((unsigned)fs > FL_FS_HUGETLBFS)
		return fl_error(w, -EINVAL, "file %s: bad fs %d", name, (int)fs);
	/* hugetlbfs_setattr: a size that is not a multiple of the huge page */
	if (fs == FL_FS_HUGETLBFS && !fl_hpage_size(w))
		return fl_error(w, -EOPNOTSUPP, "file %s: %s has no hugetlbfs in the model",
				name, fl_world_arch(w)->name);
	if (fs == FL_FS_HUGETLBFS && (size & (fl_hpage_size(w) - 1)))
		return fl_error(w, -EINVAL, "file %s: size %llu is not a multiple of the "
				"huge page size (ftruncate of a hugetlbfs file)", name,
				(unsigned long long)size);
	if (size > FL_PCACHE_MAX_PAGES * FL_PAGE_SIZE)
		return fl_error(w, -EFBIG, "file %s: size %llu too large", name,
				(unsigned long long)size);
	if (fl_file_find(w, name))
		return fl_error(w, -EEXIST, "file %s exists", name);
	f = fl_zalloc(w, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->pcache = fl_zalloc(w, sizeof(*f->pcache));
	if (!f->pcache) {
		fl_free(w, f, sizeof(*f));
		return -ENOMEM;
	}
	strcpy(f->name, name);
	f->size = size;
	f->fs = (int)fs;
	/* shmem_get_inode, hugetlbfs_get_inode: sealed against seals (mm/memfd.c) */
	if (fs == FL_FS_TMPFS || fs == FL_FS_HUGETLBFS)
		f->seals = FL_F_SEAL_SEAL;
	for (tail = &st->files; *tail; tail = &(*tail)->next)
		;
	*tail = f;
	if (out)
		*out = f;
	return 0;
}

struct fl_file *fl_file_find(struct fl_world *w, const char *name)
{
	struct fl_file *f;

	for (f = fl_state(w)->files; f && name; f = f->next)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

/* The slot of INDEX, or NULL (allocating the node when CREATE). */
static struct fl_folio **pcache_slot(struct fl_world *w, struct fl_file *f,
				     uint64_t index, bool create)
{
	struct fl_pcache_node **node;

	if (index >= FL_PCACHE_MAX_PAGES)
		return NULL;
	node = &f->pcache->node[index / FL_PCACHE_FANOUT];
	if (!*node && create)
		*node = fl_zalloc(w, sizeof(**node));
	return *node ? &(*node)->slot[index % FL_PCACHE_FANOUT] : NULL;
}

struct fl_folio *fl_filemap_get_folio(struct fl_world *w, struct fl_file *f,
				      uint64_t index, bool create)
{
	struct fl_folio **slot = pcache_slot(w, f, index, create);
	struct fl_folio *folio;

	if (!slot)
		return NULL;
	if (*slot || !create)
		return *slot;
	folio = fl_folio_alloc(w);     /* the cache's reference */
	if (!folio)
		return NULL;
	folio->mapping = f;
	folio->index = index;
	*slot = folio;
	return folio;
}

/*
 * The anonymous shared memory of a MAP_SHARED|MAP_ANONYMOUS vma is a hidden
 * tmpfs file, as shmem_zero_setup() makes it at mmap time: it is what lets a
 * page faulted in after fork() be the same page in parent and child.  It is
 * made at the first fault (or at fork) and is in no file list.
 */
int fl_shmem_zero_setup(struct fl_world *w, struct fl_vma *vma)
{
	struct fl_file *f = fl_zalloc(w, sizeof(*f));

	if (!f)
		return -ENOMEM;
	f->pcache = fl_zalloc(w, sizeof(*f->pcache));
	if (!f->pcache) {
		fl_free(w, f, sizeof(*f));
		return -ENOMEM;
	}
	strcpy(f->name, "dev/zero");
	/* MAP_SHARED|MAP_HUGETLB: hugetlb_file_setup's hugetlbfs file */
	f->fs = fl_vma_is_hugetlb(vma) ? FL_FS_HUGETLBFS : FL_FS_TMPFS;
	f->size = vma->end - vma->start;
	vma->file = f;
	vma->pgoff = 0;
	return 0;
}

long fl_file_pread(struct fl_world *w, struct fl_file *f, void *buf,
		   size_t len, uint64_t off)
{
	size_t done = 0;

	if (!f || (!buf && len))
		return fl_error(w, -EINVAL, "pread: no file or buffer");
	if (off >= f->size)
		return 0;
	if (len > f->size - off)
		len = (size_t)(f->size - off);
	while (done < len) {
		uint64_t pos = off + done;
		size_t in = FL_PAGE_SIZE - FL_PAGE_OFFSET(pos);
		struct fl_folio *folio = fl_filemap_get_folio(w, f, pos >> FL_PAGE_SHIFT, false);

		if (in > len - done)
			in = len - done;
		if (folio)
			memcpy((uint8_t *)buf + done,
			       fl_frame(w, folio->frame) + FL_PAGE_OFFSET(pos), in);
		else
			memset((uint8_t *)buf + done, 0, in);
		done += in;
	}
	return (long)done;
}

void fl_file_pread_page(struct fl_world *w, struct fl_file *f, void *buf,
			size_t len, uint64_t off)
{
	struct fl_folio *folio = fl_filemap_get_folio(w, f, off >> FL_PAGE_SHIFT, false);

	/* The caller's contract; what fl_file_pread's loop does for one page. */
	if (folio)
		memcpy(buf, fl_frame(w, folio->frame) + FL_PAGE_OFFSET(off), len);
	else
		memset(buf, 0, len);
}

long fl_file_pwrite(struct fl_world *w, struct fl_file *f, const void *buf,
		    size_t len, uint64_t off)
{
	size_t done = 0;

	if (!f || (!buf && len))
		return fl_error(w, -EINVAL, "pwrite: no file or buffer");
	if (off + len < off || off + len > FL_PCACHE_MAX_PAGES * FL_PAGE_SIZE)
		return fl_error(w, -EFBIG, "pwrite: past the largest file");
	while (done < len) {
		uint64_t pos = off + done;
		size_t in = FL_PAGE_SIZE - FL_PAGE_OFFSET(pos);
		struct fl_folio *folio = fl_filemap_get_folio(w, f, pos >> FL_PAGE_SHIFT, true);

		if (!folio)
			break;
		if (in > len - done)
			in = len - done;
		memcpy(fl_frame_mut(w, folio->frame) + FL_PAGE_OFFSET(pos),
		       (const uint8_t *)buf + done, in);
		folio->flags |= FL_FOLIO_DIRTY;
		done += in;
		if (pos + in > f->size)
			f->size = pos + in;
	}
	return done || !len ? (long)done : -ENOMEM;
}

static int punch_one(struct fl_world *w, fl_pte_t *pte, fl_addr_t addr, void *arg)
{
	(void)addr;
	/* Only the file's own pages: private COW copies survive a punch. */
	if ((pte->flags & FL_PTE_PRESENT) && pte->folio->mapping == arg)
		fl_pte_clear(w, pte);
	return 0;
}

/* unmap_mapping_range() of the file pages [first, first + nr) in MM. */
static void punch_unmap_mm(struct fl_world *w, struct fl_mm *mm, struct fl_file *f,
			   uint64_t first, uint64_t nr)
{
	struct fl_vma *vma;

	for (vma = fl_vma_first(mm); vma; vma = fl_vma_next(vma)) {
		uint64_t vpages = (vma->end - vma->start) >> FL_PAGE_SHIFT;
		uint64_t lo = first > vma->pgoff ? first : vma->pgoff;
		uint64_t hi = first + nr < vma->pgoff + vpages ? first + nr : vma->pgoff + vpages;

		if (vma->file != f || lo >= hi)
			continue;
		fl_walk_ptes(w, mm, vma->start + ((lo - vma->pgoff) << FL_PAGE_SHIFT),
			     vma->start + ((hi - vma->pgoff) << FL_PAGE_SHIFT), punch_one, f);
	}
}

/*
 * fallocate(PUNCH_HOLE) / MADV_REMOVE: unmap the pages from every mm, then
 * drop them from the page cache; they read as zeros afterwards.
 */
void fl_file_punch(struct fl_world *w, struct fl_file *f, uint64_t first_index,
		   uint64_t nr)
{
	struct fl_process *p;
	uint64_t i;

	if (first_index >= FL_PCACHE_MAX_PAGES)
		return;
	if (nr > FL_PCACHE_MAX_PAGES - first_index)
		nr = FL_PCACHE_MAX_PAGES - first_index;
	for (p = fl_state(w)->procs; p; p = p->next)
		if (p->mm)
			punch_unmap_mm(w, p->mm, f, first_index, nr);
	for (i = first_index; i < first_index + nr; i++) {
		struct fl_folio **slot = pcache_slot(w, f, i, false);

		if (!slot || !*slot)
			continue;
		(*slot)->mapping = NULL;
		fl_folio_put(w, *slot);
		*slot = NULL;
	}
}

/*
 * truncate_pagecache's unmap_mapping_range(..., even_cows=1): every page
 * past the new end goes, the private COW copies and their swap entries
 * too, where a hole punch keeps them; markers stay (a guard keeps
 * guarding: guard-regions.c's truncation test).
 */
static int truncate_one(struct fl_world *w, fl_pte_t *pte, fl_addr_t addr, void *arg)
{
	(void)addr;
	(void)arg;
	if (pte->flags & (FL_PTE_PRESENT | FL_PTE_SWAP))
		fl_pte_clear(w, pte);
	return 0;
}

/* Does VMA map F's pages from FIRST on?  The first such page's index in *LO. */
static bool vma_maps_file_from(const struct fl_vma *vma, const struct fl_file *f,
			       uint64_t first, uint64_t *lo)
{
	uint64_t vpages = (vma->end - vma->start) >> FL_PAGE_SHIFT;

	*lo = first > vma->pgoff ? first : vma->pgoff;
	return vma->file == f && *lo < vma->pgoff + vpages;
}

/*
 * Is a page of F from FIRST on mapped in a userfaultfd range?  Whether a
 * uffd-wp marker outlives the truncation (unmap_mapping_folio drops
 * markers, unmap_mapping_pages not) was not checked on a kernel.
 */
static bool truncate_meets_uffd(struct fl_world *w, struct fl_file *f, uint64_t first)
{
	struct fl_process *p;
	struct fl_vma *vma;
	uint64_t lo;

	for (p = fl_state(w)->procs; p; p = p->next)
		for (vma = p->mm ? fl_vma_first(p->mm) : NULL; vma; vma = fl_vma_next(vma))
			if (vma->uffd_ctx && vma_maps_file_from(vma, f, first, &lo))
				return true;
	return false;
}

static void truncate_unmap_mm(struct fl_world *w, struct fl_mm *mm, struct fl_file *f,
			      uint64_t first)
{
	struct fl_vma *vma;
	uint64_t lo;

	for (vma = fl_vma_first(mm); vma; vma = fl_vma_next(vma))
		if (vma_maps_file_from(vma, f, first, &lo))
			fl_walk_ptes(w, mm, vma->start + ((lo - vma->pgoff) << FL_PAGE_SHIFT),
				     vma->end, truncate_one, NULL);
}

int fl_file_truncate(struct fl_world *w, struct fl_file *f, uint64_t size)
{
	uint64_t old_pages = fl_file_pages(f), first = (size + FL_PAGE_SIZE - 1) >> FL_PAGE_SHIFT;
	struct fl_process *p;
	struct fl_folio *tail;

	if (f->fs == FL_FS_HUGETLBFS)
		return fl_error(w, -EOPNOTSUPP, "ftruncate of a hugetlbfs file is not modelled");
	if (size > FL_PCACHE_MAX_PAGES * FL_PAGE_SIZE)
		return fl_error(w, -EFBIG, "ftruncate %s: size %llu too large", f->name,
				(unsigned long long)size);
	if (fl_memfd_truncate_check(w, f, size))
		return -EPERM;
	if (size < f->size && truncate_meets_uffd(w, f, first))
		return fl_error(w, -EOPNOTSUPP, "ftruncate of %s over a userfaultfd range "
				"is not modelled", f->name);
	for (p = fl_state(w)->procs; p && size < f->size; p = p->next)
		if (p->mm)
			truncate_unmap_mm(w, p->mm, f, first);
	if (size < f->size && first < old_pages)
		fl_file_punch(w, f, first, old_pages - first);
	/* shmem_truncate_range / ext4 block_truncate_page: the partial page's tail reads 0 */
	tail = FL_PAGE_OFFSET(size) && size < f->size ?
	       fl_filemap_get_folio(w, f, size >> FL_PAGE_SHIFT, false) : NULL;
	if (tail)
		memset(fl_frame_mut(w, tail->frame) + FL_PAGE_OFFSET(size), 0,
		       FL_PAGE_SIZE - FL_PAGE_OFFSET(size));
	f->size = size;
	return 0;
}

/*
 * Added for callers/ (generic_perform_write's write_end): does the page
 * cache of F hold the page at INDEX?  The model's stand-in for "the folio
 * is uptodate": a page the cache has was read or written before.
 */
bool fl_filemap_cached(struct fl_world *w, struct fl_file *f, uint64_t index)
{
	return f && fl_filemap_get_folio(w, f, index, false) != NULL;
}
