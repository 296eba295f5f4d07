/*
 * mm/mmap.c - mmap(2), munmap(2) and mprotect(2) on the VMA tree.
 *
 * These are the syscalls that create, cut and re-protect VMAs.  They decide
 * nothing about pages: when a range leaves a VMA they ask the page half to
 * zap it (fl_zap_page_range), and when VM_WRITE & co change they ask it to
 * bring the ptes in line (fl_change_protection).  The errors and their
 * order are the kernel's (do_mmap/__get_unmapped_area, do_vmi_munmap,
 * do_mprotect_pkey), because callers of the model compare errnos with the
 * host.
 *
 * Definitions
 *   split      cut one VMA in two at a page boundary; both halves keep the
 *              flags, the file and the uffd context, the upper one's pgoff
 *              advances (the kernel's __split_vma).
 *   merge      two adjacent VMAs with the same flags, file, uffd context and
 *              contiguous pgoff become one (the kernel's vma_merge, which
 *              also runs after mprotect and madvise change flags).
 *   guard      an unhinted mapping gets an unmapped page on both sides, so
 *              two such mappings never merge and an overrun always faults.
 *   mmap_base  the top of the area where unhinted mappings go, top-down:
 *              TASK_SIZE_MAX less the kernel's minimal stack gap (128 MiB),
 *              without randomisation (the model is deterministic).
 *
 * Invariants
 *   1. After every call the VMA tree passes fl_vma_tree_check().
 *   2. No two adjacent VMAs that a call created or changed are mergeable.
 *   3. A failed call returns -errno; it may have changed VMAs before the
 *      point of failure exactly where the kernel does (mprotect stops at the
 *      first hole or -EACCES with the earlier VMAs already changed).
 *
 * Not modelled: vm.max_map_count (the kernel refuses to exceed 65530 VMAs
 * with -ENOMEM; the model's benchmarks map a million), mmap_min_addr's
 * -EPERM for FIXED mappings below it, MAP_SHARED_VALIDATE (the model's
 * flags must name exactly one of SHARED and PRIVATE), stack VMAs.
 */
#include "mm/internal.h"
#include "mm/page_internal.h"

#define FL_MMAP_MIN_ADDR   ((fl_addr_t)0x10000)      /* vm.mmap_min_addr */
#define FL_MMAP_STACK_GAP  ((fl_addr_t)128 << 20)    /* MIN_GAP, x86 mmap.c */

#define FL_VM_ACCESS (FL_VM_READ | FL_VM_WRITE | FL_VM_EXEC)
#define FL_PROT_ALL  (FL_PROT_READ | FL_PROT_WRITE | FL_PROT_EXEC)
#define FL_MAP_ALL \
	(FL_MAP_SHARED | FL_MAP_PRIVATE | FL_MAP_FIXED | FL_MAP_FIXED_NOREPLACE | \
	 FL_MAP_HUGETLB)

static fl_addr_t task_size(struct fl_world *w)
{
	return fl_world_arch(w)->task_size_max;
}

/* mm->mmap_base, computed on first use as the kernel's mmap_base() does. */
static fl_addr_t mmap_base(struct fl_world *w, struct fl_mm *mm)
{
	fl_addr_t top = task_size(w);

	if (!mm->mmap_base)
		mm->mmap_base = FL_PAGE_ALIGN_DOWN(top > 2 * FL_MMAP_STACK_GAP ?
						   top - FL_MMAP_STACK_GAP : top / 2);
	return mm->mmap_base;
}

/* calc_vm_prot_bits: PROT_* to VM_READ/WRITE/EXEC. */
static uint32_t vm_prot_bits(int prot)
{
	uint32_t flags = 0;

	if (prot & FL_PROT_READ)
		flags |= FL_VM_READ;
	if (prot & FL_PROT_WRITE)
		flags |= FL_VM_WRITE;
	if (prot & FL_PROT_EXEC)
		flags |= FL_VM_EXEC;
	return flags;
}

/* A new mapping's flags: all VM_MAY* (mmap_file_checks takes what FMODE denies). */
static uint32_t vm_flags_of(int prot, bool shared)
{
	uint32_t flags = vm_prot_bits(prot) |
			 FL_VM_MAYREAD | FL_VM_MAYWRITE | FL_VM_MAYEXEC;

	if (shared)
		flags |= FL_VM_SHARED | FL_VM_MAYSHARE;
	return flags;
}

/* ---- split and merge ---- */

int fl_vma_split(struct fl_world *w, struct fl_vma *vma, fl_addr_t at)
{
	struct fl_vma *new;

	/*
	 * hugetlb_vm_op_split (31383c6865a5, 4.15; vm_ops->may_split since
	 * 6.1): a hugetlb vma is cut only at a huge page boundary.
	 */
	if (at & (fl_vma_hpage_size(w, vma) - 1))
		return fl_error(w, -EINVAL, "split of a hugetlb vma at 0x%llx, inside a "
				"huge page", (unsigned long long)at);
	new = fl_vma_alloc(w);
	if (!new)
		return -ENOMEM;
	fl_thp_split_at(w, vma->mm, at);   /* vma_adjust_trans_huge */
	new->start = at;
	new->end = vma->end;
	new->flags = vma->flags;
	new->file = vma->file;
	new->pgoff = vma->pgoff + ((at - vma->start) >> FL_PAGE_SHIFT);
	new->uffd_ctx = vma->uffd_ctx;
	vma->end = at;
	fl_vma_gap_update(vma);
	fl_vma_link(vma->mm, new);
	return 0;
}

/* is_mergeable_vma + the pgoff rule: may B, right after A, join A? */
static bool can_vma_merge(const struct fl_vma *a, const struct fl_vma *b)
{
	return a->end == b->start && !((a->flags ^ b->flags) & ~FL_VM_SOFTDIRTY) &&
	       a->file == b->file && a->uffd_ctx == b->uffd_ctx &&
	       b->pgoff == a->pgoff + ((a->end - a->start) >> FL_PAGE_SHIFT);
}

/* A swallows B, its upper neighbour. */
static void vma_absorb(struct fl_world *w, struct fl_vma *a, struct fl_vma *b)
{
	fl_addr_t end = b->end;

	a->flags |= b->flags & FL_VM_SOFTDIRTY;
	fl_vma_unlink(a->mm, b);
	fl_vma_free(w, b);
	a->end = end;
	fl_vma_gap_update(a);
}

struct fl_vma *fl_vma_try_merge(struct fl_world *w, struct fl_vma *vma)
{
	struct fl_vma *prev = fl_vma_prev(vma), *next;

	if (prev && can_vma_merge(prev, vma)) {
		vma_absorb(w, prev, vma);
		vma = prev;
	}
	next = fl_vma_next(vma);
	if (next && can_vma_merge(vma, next))
		vma_absorb(w, vma, next);
	return vma;
}

/* ---- munmap ---- */

/* Split the VMAs straddling START and END so that none crosses either. */
static int split_at_edges(struct fl_world *w, struct fl_mm *mm,
			  fl_addr_t start, fl_addr_t end)
{
	struct fl_vma *vma = fl_vma_lookup(mm, start);
	int ret;

	if (vma && vma->start < start) {
		ret = fl_vma_split(w, vma, start);
		if (ret)
			return ret;
	}
	vma = fl_vma_lookup(mm, end - 1);
	if (vma && vma->end > end)
		return fl_vma_split(w, vma, end);
	return 0;
}

int fl_do_munmap(struct fl_world *w, struct fl_mm *mm, fl_addr_t start,
		 fl_addr_t end)
{
	struct fl_vma *vma, *next;
	int ret = split_at_edges(w, mm, start, end);

	if (ret == -EINVAL)
		return ret;     /* a hugetlb vma cut inside a huge page */
	if (ret)
		return fl_error(w, ret, "munmap: out of model memory splitting a vma");
	fl_uffd_hook_unmap(w, mm, start, end);     /* UFFD_EVENT_UNMAP */
	for (vma = fl_find_vma(mm, start); vma && vma->start < end; vma = next) {
		next = fl_vma_next(vma);
		fl_unmap_page_range(w, vma, vma->start, vma->end);
		fl_vma_unlink(mm, vma);
		fl_vma_free(w, vma);
	}
	return 0;
}

int fl_munmap(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr, size_t len)
{
	fl_addr_t top = task_size(w);

	if (!mm)
		return fl_error(w, -EINVAL, "munmap: no mm");
	if (FL_PAGE_OFFSET(addr))
		return fl_error(w, -EINVAL, "munmap: address %#llx not page aligned",
				(unsigned long long)addr);
	if (addr > top || len > top - addr)
		return fl_error(w, -EINVAL, "munmap: range beyond TASK_SIZE");
	if (!len)
		return fl_error(w, -EINVAL, "munmap: len 0");
	/* Unmapping a hole is not an error: nothing to do there. */
	return fl_do_munmap(w, mm, addr, addr + FL_PAGE_ALIGN(len));
}

/* ---- mmap ---- */

static bool range_is_free(struct fl_mm *mm, fl_addr_t addr, fl_addr_t end)
{
	struct fl_vma *vma = fl_find_vma(mm, addr);

	return !vma || vma->start >= end;
}

/*
 * Unhinted: the highest hole below mmap_base with room for the mapping and
 * a guard page on each side; when the top-down area is full the kernel
 * falls back to a bottom-up search of the whole space, which we replace by
 * a top-down one over it (same result: any hole that fits, or -ENOMEM).
 */
static long place_unhinted(struct fl_world *w, struct fl_mm *mm, fl_addr_t len)
{
	fl_addr_t need = len + 2 * FL_PAGE_SIZE, top;

	if (!fl_vma_hole_topdown(mm, need, FL_MMAP_MIN_ADDR, mmap_base(w, mm), &top) ||
	    !fl_vma_hole_topdown(mm, need, FL_MMAP_MIN_ADDR, task_size(w), &top))
		return (long)(top - FL_PAGE_SIZE - len);
	return fl_error(w, -ENOMEM, "mmap: no hole of %#llx bytes",
			(unsigned long long)len);
}

/*
 * hugetlb_get_unmapped_area: as place_unhinted, at a multiple of ALIGN
 * (the huge page size) with at least a guard page on each side.
 */
static long place_aligned(struct fl_world *w, struct fl_mm *mm, fl_addr_t len,
			  fl_addr_t align)
{
	fl_addr_t need = len + align + 2 * FL_PAGE_SIZE, top;

	if (!fl_vma_hole_topdown(mm, need, FL_MMAP_MIN_ADDR, mmap_base(w, mm), &top) ||
	    !fl_vma_hole_topdown(mm, need, FL_MMAP_MIN_ADDR, task_size(w), &top))
		return (long)((top - FL_PAGE_SIZE - len) & ~(align - 1));
	return fl_error(w, -ENOMEM, "mmap: no hole of %#llx bytes",
			(unsigned long long)len);
}

/*
 * __get_unmapped_area: where the mapping goes, or -errno.  LEN is aligned
 * to ALIGN: the page size, or the huge page size of a hugetlb mapping,
 * whose MAP_FIXED address must be a multiple of it (-EINVAL,
 * prepare_hugepage_range) and whose hint is rounded up to one.
 */
static long get_unmapped_area(struct fl_world *w, struct fl_mm *mm,
			      fl_addr_t addr, fl_addr_t len, int flags, fl_addr_t align)
{
	fl_addr_t top = task_size(w);

	if (len > top)
		return fl_error(w, -ENOMEM, "mmap: len beyond TASK_SIZE");
	if (flags & FL_MAP_FIXED) {
		if (addr > top - len)
			return fl_error(w, -ENOMEM, "mmap: [%#llx, +%#llx) beyond TASK_SIZE",
					(unsigned long long)addr,
					(unsigned long long)len);
		if (addr & (align - 1))
			return fl_error(w, -EINVAL, "mmap: MAP_FIXED address %#llx not %s aligned",
					(unsigned long long)addr,
					align > FL_PAGE_SIZE ? "huge page" : "page");
		return (long)addr;
	}
	/* A hint is taken as is when it is free (no guard pages then). */
	addr = (addr + align - 1) & ~(align - 1);
	if (addr >= FL_MMAP_MIN_ADDR && addr <= top - len &&
	    range_is_free(mm, addr, addr + len))
		return (long)addr;
	return align > FL_PAGE_SIZE ? place_aligned(w, mm, len, align)
				    : place_unhinted(w, mm, len);
}

/* mmap_region: replace whatever is in [addr, addr+len) by a new VMA. */
static long mmap_region(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr,
			fl_addr_t len, uint32_t vm_flags, struct fl_file *file,
			uint64_t pgoff)
{
	struct fl_vma *vma;
	int ret;

	ret = fl_do_munmap(w, mm, addr, addr + len);
	if (ret)
		return ret;
	vma = fl_vma_alloc(w);
	if (!vma)
		return -ENOMEM;
	vma->start = addr;
	vma->end = addr + len;
	vma->flags = vm_flags;
	vma->file = file;
	/*
	 * An anonymous VMA's pgoff is its page number (do_mmap).  A shared
	 * anonymous one gets its shmem file, of the mapping's length, and
	 * pgoff 0 here, as shmem_zero_setup() does at mmap time: an mremap
	 * that grows it later leaves the file's size, so the pages past it
	 * are SIGBUS (gVisor's mremap tests on MAP_SHARED found the lazy
	 * set-up at the first fault wrong).
	 */
	vma->pgoff = file ? pgoff : addr >> FL_PAGE_SHIFT;
	if (!file && (vm_flags & FL_VM_SHARED) && fl_shmem_zero_setup(w, vma)) {
		fl_vma_free(w, vma);
		return -ENOMEM;
	}
	fl_vma_link(mm, vma);
	/* "New (or expanded) vma always get soft dirty status" (mmap_region) */
	fl_vma_try_merge(w, vma)->flags |= FL_VM_SOFTDIRTY;
	return (long)addr;
}

static int mmap_check_args(struct fl_world *w, size_t len, int prot, int flags,
			   uint64_t off)
{
	int type = flags & (FL_MAP_SHARED | FL_MAP_PRIVATE);

	/* The syscall wrapper rejects a misaligned offset before do_mmap. */
	if (FL_PAGE_OFFSET(off))
		return fl_error(w, -EINVAL, "mmap: offset %#llx not page aligned",
				(unsigned long long)off);
	if (!len)
		return fl_error(w, -EINVAL, "mmap: len 0");
	if (prot & ~FL_PROT_ALL)
		return fl_error(w, -EINVAL, "mmap: unknown prot bits %#x", prot);
	if (flags & ~FL_MAP_ALL)
		return fl_error(w, -EINVAL, "mmap: unknown flags %#x", flags);
	if (type != FL_MAP_SHARED && type != FL_MAP_PRIVATE)
		return fl_error(w, -EINVAL, "mmap: need exactly one of MAP_SHARED and MAP_PRIVATE");
	return 0;
}

/*
 * A hugetlb mapping (ksys_mmap_pgoff, hugetlbfs_file_mmap): MAP_HUGETLB
 * of anything but anonymous memory or a hugetlbfs file is -EINVAL; the
 * length is rounded up to the huge page size, and a file offset must be
 * a multiple of it (-EINVAL).  *ALIGN becomes the huge page size.
 */
static int hugetlb_mmap_check(struct fl_world *w, int flags, const struct fl_file *file,
			      uint64_t off, fl_addr_t *len, fl_addr_t *align)
{
	fl_addr_t size = fl_hpage_size(w);

	if (file && file->fs != FL_FS_HUGETLBFS)
		return fl_error(w, -EINVAL, "mmap: MAP_HUGETLB of a file not on hugetlbfs");
	if (!size)
		return fl_error(w, -EOPNOTSUPP, "mmap: %s has no hugetlbfs in the model "
				"(struct fl_arch.hpage_shift)", fl_world_arch(w)->name);
	(void)flags;
	if (off & (size - 1))
		return fl_error(w, -EINVAL, "mmap: offset %#llx of a hugetlbfs file not huge "
				"page aligned", (unsigned long long)off);
	*len = (*len + size - 1) & ~(size - 1);
	*align = size;
	return *len ? 0 : fl_error(w, -ENOMEM, "mmap: len overflows");
}

/*
 * do_mmap's file checks, after the place is found: what the descriptor's
 * FMODE allows (see fl_mmap_fmode), then the file's ->mmap (a memfd's
 * seals, mm/memfd.c).
 */
static int mmap_file_checks(struct fl_world *w, struct fl_file *file, int prot, int flags,
			    unsigned fmode, uint32_t *vm_flags)
{
	if ((flags & FL_MAP_SHARED) && (prot & FL_PROT_WRITE) && !(fmode & FL_FMODE_WRITE))
		return fl_error(w, -EACCES, "mmap: a shared writable mapping of %s, "
				"opened without FMODE_WRITE", file->name);
	if ((flags & FL_MAP_SHARED) && !(fmode & FL_FMODE_WRITE))
		*vm_flags &= ~(FL_VM_MAYWRITE | FL_VM_SHARED);
	if (!(fmode & FL_FMODE_READ))
		return fl_error(w, -EACCES, "mmap: %s opened without FMODE_READ", file->name);
	return fl_memfd_mmap_check(w, file, vm_flags);
}

long fl_mmap(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr, size_t len,
	     int prot, int flags, struct fl_file *file, uint64_t off)
{
	return fl_mmap_fmode(w, mm, addr, len, prot, flags, file, off,
			     FL_FMODE_READ | FL_FMODE_WRITE);
}

long fl_mmap_fmode(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr, size_t len,
		   int prot, int flags, struct fl_file *file, uint64_t off, unsigned fmode)
{
	uint64_t pgoff = off >> FL_PAGE_SHIFT;
	fl_addr_t alen = FL_PAGE_ALIGN(len), align = FL_PAGE_SIZE;
	bool huge = (flags & FL_MAP_HUGETLB) || (file && file->fs == FL_FS_HUGETLBFS);
	uint32_t vm_flags;
	long ret;

	if (!mm)
		return fl_error(w, -EINVAL, "mmap: no mm");
	ret = mmap_check_args(w, len, prot, flags, off);
	if (ret)
		return ret;
	if (huge && alen && (ret = hugetlb_mmap_check(w, flags, file, off, &alen, &align)))
		return ret;
	if (!alen)
		return fl_error(w, -ENOMEM, "mmap: len %#zx overflows", len);
	if (pgoff + (alen >> FL_PAGE_SHIFT) < pgoff)
		return fl_error(w, -EOVERFLOW, "mmap: offset + len overflows");
	/* MAP_FIXED_NOREPLACE is MAP_FIXED that refuses to replace. */
	if (flags & FL_MAP_FIXED_NOREPLACE)
		flags |= FL_MAP_FIXED;
	ret = get_unmapped_area(w, mm, addr, alen, flags, align);
	if (ret < 0)
		return ret;
	addr = (fl_addr_t)ret;
	if ((flags & FL_MAP_FIXED_NOREPLACE) && !range_is_free(mm, addr, addr + alen))
		return fl_error(w, -EEXIST, "mmap: MAP_FIXED_NOREPLACE over a mapping at %#llx",
				(unsigned long long)addr);
	vm_flags = vm_flags_of(prot, flags & FL_MAP_SHARED) | (huge ? FL_VM_HUGETLB : 0);
	if (file && (ret = mmap_file_checks(w, file, prot, flags, fmode, &vm_flags)))
		return ret;
	/*
	 * hugetlbfs_file_mmap: a writable mapping past the end of a hugetlbfs
	 * file makes the file that long (seen on 6.18: no SIGBUS there).
	 */
	if (file && file->fs == FL_FS_HUGETLBFS && (vm_flags & FL_VM_WRITE) &&
	    file->size < off + alen)
		file->size = off + alen;
	return mmap_region(w, mm, addr, alen, vm_flags, file, pgoff);
}

/* ---- mprotect ---- */

struct fl_vma *fl_vma_modify_flags(struct fl_world *w, struct fl_vma *vma,
				   fl_addr_t start, fl_addr_t end,
				   uint32_t newflags)
{
	if (newflags == vma->flags)
		return vma;
	if (vma->start < start) {
		if (fl_vma_split(w, vma, start))
			return NULL;
		vma = fl_vma_next(vma);
	}
	if (vma->end > end && fl_vma_split(w, vma, end))
		return NULL;
	vma->flags = newflags;
	return fl_vma_try_merge(w, vma);
}

/* mprotect_fixup: the ptes follow the flags (write removed, never added). */
static int mprotect_fixup(struct fl_world *w, struct fl_vma *vma,
			  fl_addr_t start, fl_addr_t end, uint32_t newflags)
{
	if (newflags == vma->flags)
		return 0;
	/* mprotect_fixup populates (breaks COW in) a private locked vma made writable */
	if ((vma->flags & (FL_VM_WRITE | FL_VM_SHARED | FL_VM_LOCKED)) == FL_VM_LOCKED &&
	    (newflags & FL_VM_WRITE))
		return fl_error(w, -EOPNOTSUPP, "mprotect making an mlock()ed private vma "
				"writable is not modelled (the kernel breaks COW in it)");
	/* split_vma: a hugetlb vma is cut at huge page boundaries only */
	if (!fl_hugetlb_range_aligned(w, vma, start, end))
		return fl_error(w, -EINVAL, "mprotect: a hugetlb vma cut inside a huge page");
	vma = fl_vma_modify_flags(w, vma, start, end, newflags);
	if (!vma)
		return -ENOMEM;
	fl_change_protection(w, vma, start, end);
	return 0;
}

/*
 * Is NEWFLAGS allowed?  Each VM_x needs its VM_MAYx (VM_MAYx == VM_x << 4):
 * a shared mapping of a file opened read-only has no VM_MAYWRITE, so
 * PROT_WRITE there is -EACCES.
 */
static bool mprotect_may(uint32_t newflags)
{
	return !((newflags & ~(newflags >> 4)) & FL_VM_ACCESS);
}

/* Walk [start, end) VMA by VMA, by address, since fixups merge and free. */
static int mprotect_walk(struct fl_world *w, struct fl_mm *mm, fl_addr_t start,
			 fl_addr_t end, int prot)
{
	fl_addr_t addr = start, next;
	struct fl_vma *vma;
	uint32_t newflags;
	int ret;

	while (addr < end) {
		vma = fl_vma_lookup(mm, addr);
		if (!vma)
			return fl_error(w, -ENOMEM, "mprotect: %#llx is not mapped",
					(unsigned long long)addr);
		newflags = (vma->flags & ~FL_VM_ACCESS) | vm_prot_bits(prot);
		if (!mprotect_may(newflags))
			return fl_error(w, -EACCES, "mprotect: vma at %#llx may not get prot %#x",
					(unsigned long long)vma->start, prot);
		next = vma->end < end ? vma->end : end;
		ret = mprotect_fixup(w, vma, addr, next, newflags);
		if (ret == -EOPNOTSUPP)
			return ret;
		if (ret)
			return fl_error(w, ret, "mprotect: out of model memory splitting a vma");
		addr = next;
	}
	return 0;
}

int fl_mprotect(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr, size_t len,
		int prot)
{
	fl_addr_t end;

	if (!mm)
		return fl_error(w, -EINVAL, "mprotect: no mm");
	if (FL_PAGE_OFFSET(addr))
		return fl_error(w, -EINVAL, "mprotect: address %#llx not page aligned",
				(unsigned long long)addr);
	if (!len)
		return 0;
	end = addr + FL_PAGE_ALIGN(len);
	if (end <= addr)
		return fl_error(w, -ENOMEM, "mprotect: range wraps");
	if (prot & ~FL_PROT_ALL)
		return fl_error(w, -EINVAL, "mprotect: unknown prot bits %#x", prot);
	return mprotect_walk(w, mm, addr, end, prot);
}
