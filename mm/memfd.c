/*
 * mm/memfd.c - memfd seals (the kernel's mm/memfd.c and the checks
 * mm/shmem.c makes): fcntl(F_ADD_SEALS), fcntl(F_GET_SEALS), and what a
 * seal refuses afterwards.
 *
 * Which files: a memfd, tmpfs or hugetlbfs (`file` without fs= or with
 * fs=hugetlbfs).  Its inode starts with F_SEAL_SEAL (shmem_get_inode,
 * hugetlbfs_get_inode): memfd_create's MFD_ALLOW_SEALING clears it
 * (`file ... sealing=on`).  An ext4 or btrfs file has no seals: -EINVAL.
 *
 * memfd_add_seals, in the kernel's order: -EPERM without FMODE_WRITE,
 * -EINVAL for unknown bits, -EINVAL without seals, -EPERM once F_SEAL_SEAL
 * is set; a new F_SEAL_WRITE denies writable mappings
 * (mapping_deny_writable: -EBUSY while i_mmap_writable counts one), then
 * waits for pins (memfd_wait_for_pins: -EBUSY if a page stays pinned).
 *
 * What i_mmap_writable counts: until 6.7 every VM_SHARED vma of the file;
 * from 158978945f31 (6.7-rc1, era memfd_seal_ro_map, with its series'
 * "mm: drop the assumption that VM_SHARED always implies writable") only
 * the ones that may write (VM_SHARED and VM_MAYWRITE), and the check runs
 * after the file's ->mmap, which clears VM_MAYWRITE of a read-only shared
 * mapping of a write-sealed memfd: such a mapping is allowed.  Before, a
 * shared mapping of an F_SEAL_WRITE memfd was -EPERM whatever its prot.
 * F_SEAL_FUTURE_WRITE (5.1, older than every kernel the model knows)
 * always refused only shared writable mappings and cleared VM_MAYWRITE.
 *
 * After a seal: write(2) and its kin are -EPERM (shmem_write_begin:
 * F_SEAL_WRITE, F_SEAL_FUTURE_WRITE; F_SEAL_GROW past the size), an
 * ftruncate that shrinks (grows) with F_SEAL_SHRINK (F_SEAL_GROW) -EPERM,
 * a hole punch (MADV_REMOVE) -EPERM under a write seal.
 *
 * Not modelled: F_SEAL_EXEC (6.3, and the write seals it implies on an
 * executable memfd), refused as -EOPNOTSUPP; memfd_wait_for_pins's wait
 * (a pinned page is -EOPNOTSUPP, not the kernel's -EBUSY after its scans).
 */
#include "mm/internal.h"
#include "mm/page_internal.h"

#define KNOWN_SEALS (FL_F_SEAL_SEAL | FL_F_SEAL_SHRINK | FL_F_SEAL_GROW | \
		     FL_F_SEAL_WRITE | FL_F_SEAL_FUTURE_WRITE)
#define ALL_SEALS   (KNOWN_SEALS | FL_F_SEAL_EXEC)
#define WRITE_SEALS (FL_F_SEAL_WRITE | FL_F_SEAL_FUTURE_WRITE)

/* memfd_file_seals_ptr: a tmpfs or hugetlbfs inode has seals. */
static bool has_seals(const struct fl_file *f)
{
	return f->fs == FL_FS_TMPFS || f->fs == FL_FS_HUGETLBFS;
}

int fl_memfd_allow_sealing(struct fl_world *w, struct fl_file *f)
{
	if (!has_seals(f))
		return fl_error(w, -EINVAL, "file %s: sealing=on is a memfd's "
				"(tmpfs or hugetlbfs)", f->name);
	f->seals &= ~FL_F_SEAL_SEAL;
	return 0;
}

/* A vma that i_mmap_writable counts (vma_is_shared_maywrite from 6.7). */
static bool counts_writable(struct fl_world *w, const struct fl_vma *vma)
{
	if (!(vma->flags & FL_VM_SHARED))
		return false;
	return !fl_since(w, FL_ERA_MEMFD_SEAL_RO_MAP) || (vma->flags & FL_VM_MAYWRITE);
}

static bool writably_mapped(struct fl_world *w, const struct fl_file *f)
{
	struct fl_process *p;
	struct fl_vma *vma;

	for (p = fl_state(w)->procs; p; p = p->next)
		for (vma = p->mm ? fl_vma_first(p->mm) : NULL; vma; vma = fl_vma_next(vma))
			if (vma->file == f && counts_writable(w, vma))
				return true;
	return false;
}

/* A page of F held beyond the page cache and its ptes: a GUP reference. */
static bool has_pins(struct fl_world *w, struct fl_file *f)
{
	uint64_t i, n = fl_file_pages(f);
	struct fl_folio *folio;

	for (i = 0; i < n; i++) {
		folio = fl_filemap_get_folio(w, f, i, false);
		if (folio && folio->refcount > folio->mapcount + 1)
			return true;
	}
	return false;
}

int fl_memfd_add_seals(struct fl_world *w, struct fl_file *f, unsigned fmode, uint64_t seals)
{
	if (!(fmode & FL_FMODE_WRITE))
		return fl_error(w, -EPERM, "F_ADD_SEALS: %s opened without FMODE_WRITE", f->name);
	if (seals & ~(uint64_t)ALL_SEALS)
		return fl_error(w, -EINVAL, "F_ADD_SEALS: unknown seals %#llx",
				(unsigned long long)seals);
	if (!has_seals(f))
		return fl_error(w, -EINVAL, "F_ADD_SEALS: %s is not a memfd", f->name);
	if (seals & FL_F_SEAL_EXEC)
		return fl_error(w, -EOPNOTSUPP, "F_ADD_SEALS: F_SEAL_EXEC is not modelled");
	if (f->seals & FL_F_SEAL_SEAL)
		return fl_error(w, -EPERM, "F_ADD_SEALS: %s has F_SEAL_SEAL", f->name);
	if ((seals & FL_F_SEAL_WRITE) && !(f->seals & FL_F_SEAL_WRITE)) {
		if (writably_mapped(w, f))
			return fl_error(w, -EBUSY, "F_SEAL_WRITE: %s has a shared mapping "
					"that may write (mapping_deny_writable)", f->name);
		if (has_pins(w, f))
			return fl_error(w, -EOPNOTSUPP, "F_SEAL_WRITE over a pinned page of %s "
					"(memfd_wait_for_pins) is not modelled", f->name);
	}
	f->seals |= (unsigned)seals;
	return 0;
}

long fl_memfd_get_seals(struct fl_world *w, struct fl_file *f)
{
	if (!has_seals(f))
		return fl_error(w, -EINVAL, "F_GET_SEALS: %s is not a memfd", f->name);
	return (long)f->seals;
}

/*
 * shmem_mmap/hugetlbfs_file_mmap (memfd_check_seals_mmap, earlier
 * seal_check_future_write) and, before 6.7, mmap_region's
 * mapping_map_writable ahead of them.
 */
int fl_memfd_mmap_check(struct fl_world *w, struct fl_file *f, uint32_t *vm_flags)
{
	unsigned denied = fl_since(w, FL_ERA_MEMFD_SEAL_RO_MAP) ? WRITE_SEALS
								  : FL_F_SEAL_FUTURE_WRITE;

	if (!has_seals(f) || !(*vm_flags & FL_VM_SHARED))
		return 0;
	if ((f->seals & FL_F_SEAL_WRITE) && !fl_since(w, FL_ERA_MEMFD_SEAL_RO_MAP))
		return fl_error(w, -EPERM, "mmap: a shared mapping of %s, sealed F_SEAL_WRITE "
				"(mapping_map_writable, before 6.7)", f->name);
	if (!(f->seals & denied))
		return 0;
	if (*vm_flags & FL_VM_WRITE)
		return fl_error(w, -EPERM, "mmap: a shared writable mapping of %s, "
				"write-sealed", f->name);
	*vm_flags &= ~FL_VM_MAYWRITE;
	return 0;
}

int fl_memfd_write_check(struct fl_world *w, const struct fl_file *f, uint64_t pos,
			 uint64_t len)
{
	if (f->seals & WRITE_SEALS)
		return fl_error(w, -EPERM, "write: %s is write-sealed (shmem_write_begin)",
				f->name);
	if ((f->seals & FL_F_SEAL_GROW) && pos + len > f->size)
		return fl_error(w, -EPERM, "write: past the end of %s, sealed F_SEAL_GROW",
				f->name);
	return 0;
}

int fl_memfd_truncate_check(struct fl_world *w, const struct fl_file *f, uint64_t size)
{
	if ((size < f->size && (f->seals & FL_F_SEAL_SHRINK)) ||
	    (size > f->size && (f->seals & FL_F_SEAL_GROW)))
		return fl_error(w, -EPERM, "ftruncate: %s is sealed against it (shmem_setattr)",
				f->name);
	return 0;
}

int fl_memfd_punch_check(struct fl_world *w, const struct fl_file *f)
{
	if (f->seals & WRITE_SEALS)
		return fl_error(w, -EPERM, "hole punch of %s, write-sealed (shmem_fallocate)",
				f->name);
	return 0;
}
