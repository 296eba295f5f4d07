/*
 * faultline/mm.h - the modelled address space.
 *
 * Definitions (kernel vocabulary, our own code)
 *   process  a task with a name and an mm; one process is "current".
 *   mm       an address space: a tree of VMAs and a four-level page table.
 *   vma      [start, end) with one set of FL_VM_* flags and one backing
 *            (anonymous, or a file at pgoff).  VMAs never overlap; adjacent
 *            compatible VMAs are merged.
 *   pte      one per page: present, writable, dirty, young, uffd-wp, or a
 *            swap entry; a present pte points to a folio.
 *   folio    a page of memory (one page here: a hugetlb page is the folios
 *            of its base pages, kept in step, mm/hugetlb.c; an anonymous
 *            THP is 512 of them tied by a struct fl_thp, mm/huge_memory.c)
 *            with refcount, mapcount, the pin bias
 *            (GUP_PIN_COUNTING_BIAS), the anon-exclusive flag, and the
 *            frame holding its 4096 bytes.  The shared zero page is one
 *            special folio that is never written, pinned or freed.
 *   file     a tmpfs-like file: a page cache of folios, a size.
 *
 * Invariants (runnable: fl_mm_check() asserts them)
 *   1. VMAs are page aligned, non-empty, sorted, non-overlapping.
 *   2. A present pte lies inside a VMA and points to a live folio.
 *   3. folio->mapcount == number of present ptes (all mms) mapping it.
 *   4. folio->refcount >= mapcount + page-cache reference + GUP references.
 *   5. A writable pte never maps the zero page or a folio shared by COW.
 *   6. In a VM_HUGETLB vma the ptes of one huge page are in step: all
 *      none or all present with the same pte flags, their folios with
 *      the same flags and mapcount (mm/hugetlb.c).
 *   7. A pte with FL_PTE_PMD is one of the 512 ptes of a PMD mapping: all
 *      of its table have the bit and the same protection, and map page i
 *      of one THP, or all the zero page (the huge zero page;
 *      mm/huge_memory.c).
 *
 * Faults
 *   A user-mode access that cannot be satisfied reports a signal
 *   (struct fl_signal) instead of killing anyone; a kernel-mode access
 *   (uaccess) sees the same failure as a short reach.
 */
#ifndef FAULTLINE_MM_H
#define FAULTLINE_MM_H

#include <faultline/world.h>

FL_API_BEGIN

/* ---- protections, mapping flags, madvise ---- */

#define FL_PROT_NONE  0x0
#define FL_PROT_READ  0x1
#define FL_PROT_WRITE 0x2
#define FL_PROT_EXEC  0x4

#define FL_MAP_SHARED          0x01
#define FL_MAP_PRIVATE         0x02
#define FL_MAP_FIXED           0x10   /* replace what is there */
#define FL_MAP_FIXED_NOREPLACE 0x20   /* -EEXIST if anything is there */
/*
 * MAP_HUGETLB: anonymous memory of the arch's default huge page size
 * (struct fl_arch.hpage_shift), as a mapping of a hugetlbfs file is
 * (mm/hugetlb.c).
 */
#define FL_MAP_HUGETLB         0x40000

enum fl_madvise {
	FL_MADV_DONTNEED,
	FL_MADV_REMOVE,
	FL_MADV_PAGEOUT,
	FL_MADV_POPULATE_READ,
	FL_MADV_POPULATE_WRITE,
	FL_MADV_WIPEONFORK,
	FL_MADV_DONTFORK,
	FL_MADV_NOHUGEPAGE,
	FL_MADV_HUGEPAGE,        /* VM_HUGEPAGE: faults may map THPs (mm/huge_memory.c) */
	FL_MADV_COLLAPSE,        /* 6.1: a THP now (mm/huge_memory.c) */
	FL_MADV_DOFORK,
	FL_MADV_GUARD_INSTALL,   /* 6.13: a guard marker in each pte (mm/madvise.c) */
	FL_MADV_GUARD_REMOVE,    /* 6.13: the guard markers of the range go */
	FL_MADV_FREE,            /* 4.5: private anonymous pages may be discarded */
	FL_MADV_COLD,            /* 5.4: deactivate; nothing the model shows */
	FL_MADV_SEQUENTIAL,      /* VM_SEQ_READ: a readahead hint, nothing more here */
};

/* vma->flags, named after the kernel's VM_* bits */
#define FL_VM_READ          0x00000001u
#define FL_VM_WRITE         0x00000002u
#define FL_VM_EXEC          0x00000004u
#define FL_VM_SHARED        0x00000008u
#define FL_VM_MAYREAD       0x00000010u
#define FL_VM_MAYWRITE      0x00000020u
#define FL_VM_MAYEXEC       0x00000040u
#define FL_VM_MAYSHARE      0x00000080u
#define FL_VM_LOCKED        0x00002000u   /* mlock(2): mm/mlock.c */
#define FL_VM_IO            0x00004000u
#define FL_VM_SEQ_READ      0x00008000u   /* MADV_SEQUENTIAL */
#define FL_VM_DONTCOPY      0x00020000u   /* MADV_DONTFORK */
#define FL_VM_WIPEONFORK    0x02000000u
#define FL_VM_NOHUGEPAGE    0x40000000u   /* MADV_NOHUGEPAGE */
#define FL_VM_HUGEPAGE      0x20000000u   /* MADV_HUGEPAGE (mm/huge_memory.c) */
#define FL_VM_PFNMAP        0x00000400u
#define FL_VM_HUGETLB       0x00400000u   /* MAP_HUGETLB or a hugetlbfs file */
#define FL_VM_UFFD_MISSING  0x00000200u
#define FL_VM_UFFD_WP       0x00001000u
#define FL_VM_UFFD_MINOR    0x00100000u
/*
 * VM_SOFTDIRTY (d9104d1ca966, 3.12): a new mapping counts as written
 * until clear_refs "4" clears it; merging ignores it (mm/pagemap.c).
 */
#define FL_VM_SOFTDIRTY     0x08000000u

struct fl_file;
struct fl_folio;
struct fl_vma;
struct fl_mm;
struct fl_process;

struct fl_file {
	char name[32];
	uint64_t size;
	int fs;                      /* enum fl_fs */
	unsigned seals;              /* a memfd's F_SEAL_* (mm/memfd.c) */
	struct fl_pcache *pcache;    /* index -> folio, see mm/filemap.c */
	struct fl_file *next;
};

/* FL_FS_HUGETLBFS: a memfd made with MFD_HUGETLB (mm/hugetlb.c) */
enum fl_fs { FL_FS_TMPFS, FL_FS_EXT4, FL_FS_BTRFS, FL_FS_HUGETLBFS };

/* folio->flags */
#define FL_FOLIO_ANON            0x01u
#define FL_FOLIO_ANON_EXCLUSIVE  0x02u   /* PG_anon_exclusive (5.19) */
#define FL_FOLIO_ZERO            0x04u   /* the shared zero page */
#define FL_FOLIO_DIRTY           0x08u
#define FL_FOLIO_SWAPCACHE       0x10u
#define FL_FOLIO_HWPOISON        0x20u
#define FL_FOLIO_KSM             0x40u
#define FL_FOLIO_LAZYFREE        0x80u   /* MADV_FREE: !SwapBacked, clean may be discarded */

/* GUP_PIN_COUNTING_BIAS: a FOLL_PIN on a small folio adds this to refcount */
#define FL_GUP_PIN_COUNTING_BIAS 1024u

struct fl_thp;

struct fl_folio {
	uint32_t refcount;
	uint32_t mapcount;
	uint32_t flags;
	uint32_t frame;              /* index of the 4096-byte content frame */
	struct fl_file *mapping;     /* page cache owner, or NULL */
	uint64_t index;              /* page index in mapping */
	uint8_t *tags;               /* 256 granule tags (MTE/ADI) or NULL */
	/* leak checker (gup.h): who last wrote the bytes, and when */
	int writer;                  /* pid, 0: nobody tagged (zero, cache) */
	uint32_t wgen;               /* the next pid at that time: a fork clock */
	/* an anonymous THP's base page: its THP and its index there */
	struct fl_thp *thp;
	uint32_t thp_idx;
};

/*
 * An anonymous transparent huge page (mm/huge_memory.c): NR base folios
 * allocated together, page[i] NULL once its refcount dropped to 0 (a
 * partly unmapped THP waits for the deferred split; its pages go one by
 * one here).  Freed with its last page.
 */
struct fl_thp {
	uint32_t nr, live;
	struct fl_folio *page[];
};

/* pte->flags */
#define FL_PTE_PRESENT  0x01u
#define FL_PTE_WRITE    0x02u
#define FL_PTE_DIRTY    0x04u
#define FL_PTE_YOUNG    0x08u
#define FL_PTE_UFFD_WP  0x10u
#define FL_PTE_SWAP     0x20u    /* not present; swap holds the contents */
#define FL_PTE_POISON   0x40u    /* not present; memory failure marker */
#define FL_PTE_MARKER   0x80u    /* ... a pte marker, pte_none_mostly():
				  * with POISON (UFFDIO_POISON), not a
				  * hwpoison entry; with UFFD_WP, a
				  * write-protected none pte (uffd-wp); with
				  * GUARD, a guard region's page */
#define FL_PTE_GUARD    0x200u   /* with MARKER: PTE_MARKER_GUARD (6.13) */
/*
 * One of the 512 ptes that stand for a PMD mapping of a THP or of the
 * huge zero page (mm.h invariant 7): the model keeps a PMD mapping as the
 * pte table it would be split into, so every walk sees base pages.
 */
#define FL_PTE_PMD      0x400u
/*
 * _PAGE_SOFT_DIRTY (0f8975ec4db2, 3.11): x86_64's pte_mkdirty sets it with
 * the dirty bit, so every fault that dirties a pte sets FL_PTE_MKDIRTY;
 * a swap pte keeps it (pte_swp_mksoft_dirty), clear_refs "4" clears it.
 * The model keeps it on every arch; pagemap reports it only where the
 * kernel has it (mm/pagemap.c).
 */
#define FL_PTE_SOFT_DIRTY 0x100u
#define FL_PTE_MKDIRTY  (FL_PTE_DIRTY | FL_PTE_SOFT_DIRTY)

struct fl_swap_slot;

typedef struct fl_pte {
	uint32_t flags;
	struct fl_folio *folio;      /* present */
	struct fl_swap_slot *swap;   /* FL_PTE_SWAP */
} fl_pte_t;

struct fl_vma {
	fl_addr_t start, end;        /* [start, end), page aligned */
	uint32_t flags;              /* FL_VM_* */
	struct fl_file *file;        /* NULL: anonymous */
	uint64_t pgoff;              /* file offset of start, in pages */
	struct fl_mm *mm;
	void *uffd_ctx;              /* userfaultfd context, owned by uffd/ */
	/* tree linkage: owned by mm/vma_tree.c */
	struct fl_vma *left, *right, *parent;
	int height;
};

struct fl_pgtable;

/* mm->flags */
#define FL_MMF_HAS_PINNED 0x1u

struct fl_mm {
	struct fl_vma *vma_root;
	size_t map_count;
	struct fl_pgtable *pgd;
	uint32_t flags;
	fl_addr_t mmap_base;         /* where the next unhinted mmap is placed */
	uint32_t users;              /* mm_users */
	/*
	 * The pte table of the 2 MiB region pt_cache_base, which the last
	 * fl_pte_lookup()/fl_pte_alloc() reached (mm/pgtable.c): a uaccess
	 * looks up the same page several times per call, and the five-level
	 * walk was most of it.  NULL: nothing cached.  Valid because a pte
	 * table, once allocated, stays at its place until fl_free_pgtables(),
	 * which clears the cache (pgtable.c invariant 3); a snapshot restores
	 * the mm together with the tables it points to.  Not state: the
	 * state hash and fl_mm_check() ignore it.
	 */
	fl_addr_t pt_cache_base;
	void *pt_cache;
};

struct fl_process {
	int pid;
	char name[32];
	struct fl_mm *mm;
	bool exited;
	int ppid;                    /* the forking parent, 0 for `process` */
	struct fl_process *next;
	struct fl_process *hash_next; /* live, by name (mm/process.c) */
};

/* ---- signals from user-mode accesses ---- */

enum fl_sig { FL_SIG_NONE = 0, FL_SIGSEGV = 11, FL_SIGBUS = 7 };
enum fl_sig_code {
	FL_SEGV_MAPERR = 1, FL_SEGV_ACCERR = 2, FL_SEGV_MTESERR = 9,
	FL_SEGV_ADIPERR = 10,
	FL_BUS_ADRERR = 2, FL_BUS_MCEERR_AR = 4,
};
struct fl_signal {
	enum fl_sig sig;
	int code;
	fl_addr_t addr;             /* faulting address */
};

/* ---- processes ---- */

/* A new process with an empty mm; the first becomes current. 0 / -errno. */
int fl_process_new(struct fl_world *w, const char *name, struct fl_process **out);
struct fl_process *fl_process_find(struct fl_world *w, const char *name);
struct fl_process *fl_current(struct fl_world *w);
/* The current process's mm (fl_current() first), or NULL. */
struct fl_mm *fl_current_mm(struct fl_world *w);
int fl_set_current(struct fl_world *w, struct fl_process *p);
/*
 * fork(): private anonymous memory becomes COW-shared, shared mappings stay
 * shared, VM_DONTCOPY is not copied, VM_WIPEONFORK comes back empty.
 */
int fl_fork(struct fl_world *w, struct fl_process *parent, const char *child,
	    struct fl_process **out);
/* exit: tear the address space down.  0 / -errno. */
int fl_process_exit(struct fl_world *w, struct fl_process *p);

/* ---- files ---- */

int fl_file_new(struct fl_world *w, const char *name, uint64_t size,
		enum fl_fs fs, struct fl_file **out);
struct fl_file *fl_file_find(struct fl_world *w, const char *name);
/* Page-cache read/write of file bytes (no user memory involved). */
long fl_file_pread(struct fl_world *w, struct fl_file *f, void *buf,
		   size_t len, uint64_t off);
long fl_file_pwrite(struct fl_world *w, struct fl_file *f, const void *buf,
		    size_t len, uint64_t off);
/*
 * ftruncate's do_truncate: F's size becomes SIZE (0, -EFBIG past the
 * model's 1 GiB, -EOPNOTSUPP for what the model does not know: a
 * hugetlbfs file, a page past SIZE mapped in a userfaultfd range).
 */
int fl_file_truncate(struct fl_world *w, struct fl_file *f, uint64_t size);

/* ---- address space (the syscalls) ---- */

/*
 * mmap(2).  ADDR is a hint, or the exact place with FL_MAP_FIXED*.  Without a
 * hint the mapping is placed with an unmapped guard page on both sides.
 * Returns the address, or -errno (-EINVAL bad len/flags/alignment, -ENOMEM
 * no room, -EEXIST for FIXED_NOREPLACE over a mapping, -EACCES shared
 * writable mapping of a file not opened for writing is not modelled).
 */
long fl_mmap(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr, size_t len,
	     int prot, int flags, struct fl_file *file, uint64_t off);
/*
 * The descriptor's FMODE_READ and FMODE_WRITE (a file opened O_RDONLY or
 * O_WRONLY: `open`); fl_mmap's descriptor has both.  do_mmap: -EACCES
 * without FMODE_READ, or for a shared writable mapping without
 * FMODE_WRITE; a shared mapping without it gets neither VM_SHARED nor
 * VM_MAYWRITE (a read-only one that mprotect cannot make writable).
 */
#define FL_FMODE_READ  0x1u
#define FL_FMODE_WRITE 0x2u
long fl_mmap_fmode(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr, size_t len,
		   int prot, int flags, struct fl_file *file, uint64_t off, unsigned fmode);

/* ---- memfd seals (mm/memfd.c) ---- */

/* F_SEAL_* (uapi linux/fcntl.h) */
#define FL_F_SEAL_SEAL         0x01u
#define FL_F_SEAL_SHRINK       0x02u
#define FL_F_SEAL_GROW         0x04u
#define FL_F_SEAL_WRITE        0x08u
#define FL_F_SEAL_FUTURE_WRITE 0x10u
#define FL_F_SEAL_EXEC         0x20u
/* memfd_create's MFD_ALLOW_SEALING: F's F_SEAL_SEAL cleared (-EINVAL: not a memfd). */
int fl_memfd_allow_sealing(struct fl_world *w, struct fl_file *f);
/*
 * fcntl(F_ADD_SEALS) through a descriptor of F with FMODE (FL_FMODE_*):
 * 0, or -EPERM (no FMODE_WRITE, F_SEAL_SEAL set), -EINVAL (unknown
 * seals, not a memfd), -EBUSY (F_SEAL_WRITE while a shared mapping may
 * write), -EOPNOTSUPP (not modelled: F_SEAL_EXEC, a pinned page).
 */
int fl_memfd_add_seals(struct fl_world *w, struct fl_file *f, unsigned fmode, uint64_t seals);
/* fcntl(F_GET_SEALS): the seals, or -EINVAL (not a memfd). */
long fl_memfd_get_seals(struct fl_world *w, struct fl_file *f);
int fl_munmap(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr, size_t len);
/*
 * mremap(2) (mm/mremap.c): shrink, grow in place, or move (MAYMOVE; to
 * NEW_ADDR with FIXED, unmapping what is there).  The new address, or
 * -errno: -EINVAL bad flags/alignment/len 0/overlap, -EFAULT no vma or a
 * range crossing its end, -ENOMEM cannot grow in place without MAYMOVE.
 */
#define FL_MREMAP_MAYMOVE 1u
#define FL_MREMAP_FIXED   2u
long fl_mremap(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr, size_t old_len,
	       size_t new_len, unsigned flags, fl_addr_t new_addr);
int fl_mprotect(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr, size_t len,
		int prot);
int fl_madvise(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr, size_t len,
	       enum fl_madvise advice);
/*
 * mlock(2) (LOCK true) or munlock(2) of [ADDR, ADDR+LEN) (mm/mlock.c):
 * 0, or -errno: -ENOMEM a hole or a page that would not fault in, -EAGAIN
 * out of memory, -EINVAL a wrapping range, -EOPNOTSUPP not modelled.
 */
int fl_mlock(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr, size_t len,
	     bool lock);

/* The VMA containing ADDR, or NULL. O(log n). */
struct fl_vma *fl_vma_lookup(struct fl_mm *mm, fl_addr_t addr);
/* The first VMA with end > ADDR, or NULL (the kernel's find_vma). */
struct fl_vma *fl_find_vma(struct fl_mm *mm, fl_addr_t addr);
/* In-order successor, for walks. */
struct fl_vma *fl_vma_next(struct fl_vma *vma);

/* The pte of ADDR, or NULL if no page table covers it. */
fl_pte_t *fl_pte_lookup(struct fl_mm *mm, fl_addr_t addr);

/* ---- the page-fault handler ---- */

/* flags of a fault (the kernel's FAULT_FLAG_*) */
#define FL_FAULT_WRITE    0x01u
#define FL_FAULT_USER     0x02u   /* user mode; otherwise a uaccess */
#define FL_FAULT_UNSHARE  0x04u   /* R/O FOLL_PIN: unshare, 5.19 */
#define FL_FAULT_REMOTE   0x08u
#define FL_FAULT_INSTRUCTION 0x10u
/*
 * Without FAULT_FLAG_ALLOW_RETRY: the fault may not drop mmap_lock and
 * wait (a GUP whose caller passed no `locked`: get_user_pages,
 * pin_user_pages, access_remote_vm).  handle_userfault cannot sleep then:
 * VM_FAULT_SIGBUS, no event.
 */
#define FL_FAULT_NORETRY  0x20u

/* vm_fault_t bits */
#define FL_VM_FAULT_OOM      0x0001u
#define FL_VM_FAULT_SIGBUS   0x0002u
#define FL_VM_FAULT_SIGSEGV  0x0004u
#define FL_VM_FAULT_HWPOISON 0x0008u
#define FL_VM_FAULT_RETRY    0x0010u
#define FL_VM_FAULT_ERROR \
	(FL_VM_FAULT_OOM | FL_VM_FAULT_SIGBUS | FL_VM_FAULT_SIGSEGV | FL_VM_FAULT_HWPOISON)

/*
 * handle_mm_fault: make ADDR (inside VMA, whose permissions the caller has
 * checked) present, and writable when FL_FAULT_WRITE: anonymous read ->
 * zero page, write -> new page or COW (5.19+ anon-exclusive rule), file ->
 * page cache (private write: COW copy), swap entry -> swap-in, poison ->
 * FL_VM_FAULT_HWPOISON.  Fires FL_HOOK_FAULT on entry.
 */
unsigned fl_handle_mm_fault(struct fl_world *w, struct fl_vma *vma,
			    fl_addr_t addr, unsigned flags);

/* ---- user-mode accesses by the current process ---- */

/*
 * A user-mode load/store of LEN bytes, in increasing address order: bytes up
 * to the first fault are transferred, then the signal is reported in *SIG
 * (sig = FL_SIG_NONE if none).  Returns the number of bytes transferred.
 */
size_t fl_user_load(struct fl_world *w, fl_addr_t addr, void *buf, size_t len,
		    struct fl_signal *sig);
size_t fl_user_store(struct fl_world *w, fl_addr_t addr, const void *buf,
		     size_t len, struct fl_signal *sig);

/* ---- kernel-mode (uaccess) view of the current process ---- */

#define FL_ACC_READ  0x1u
#define FL_ACC_WRITE 0x2u

/*
 * How many of the LEN bytes at ADDR a kernel-mode access of kind ACC can
 * touch, in increasing address order, before the first fault.  Faults are
 * resolved by the fault handler unless fl_faulthandler_disabled(); the
 * arch's sub-page granule tags count (a tagged granule stops the reach).
 * Side effects are the kernel's: pages faulted in stay faulted in.
 */
size_t fl_user_reach(struct fl_world *w, fl_addr_t addr, size_t len, unsigned acc);
/* Move bytes that fl_user_reach() said are reachable (asserted). */
void fl_user_write(struct fl_world *w, fl_addr_t addr, const void *src, size_t len);
void fl_user_read(struct fl_world *w, void *dst, fl_addr_t addr, size_t len);

/*
 * The bytes fl_user_write() and fl_user_read() moved since the last take:
 * what a kernel call wrote to and read from user memory, which its return
 * value does not always say (an arm64 copy_to_user that clobbers writes
 * more than it reports).  Taking resets both counts.
 */
struct fl_uaccess_count {
	size_t to_user, from_user;
};
struct fl_uaccess_count fl_user_moved_take(struct fl_world *w);

/* ---- setting up state ---- */

/*
 * poke: write bytes straight into the backing pages of MM: pages are made
 * present (and private ones made exclusive) without permission checks and
 * without firing hooks.  peek reads the same way (absent pages read as
 * zero and stay absent).  0 or -EFAULT (no VMA).
 */
int fl_poke(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr,
	    const void *src, size_t len);
int fl_peek(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr,
	    void *dst, size_t len);
/* arm64+mte / sparc64+adi: set the tag of each granule of [addr, addr+len). */
int fl_tag(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr, size_t len,
	   unsigned tag);
/* memory pressure: unmap the pages (anon -> swap, clean file pages dropped) */
int fl_evict(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr, size_t len);
/* hardware memory failure in the page at ADDR */
int fl_poison(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr);
/*
 * madvise(MADV_HWPOISON) of ADDR's page by the current process: fl_poison,
 * and *SIG the signal the caller gets during the call (none before 6.11,
 * SIGBUS BUS_MCEERR_AR at the page from it: mm/poison.c).  0 or -errno.
 */
int fl_madvise_hwpoison(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr,
			struct fl_signal *sig);

/* ---- /proc/PID/pagemap and clear_refs (mm/pagemap.c) ---- */

/* The bits of a pagemap entry, at the kernel's positions (pagemap.rst). */
#define FL_PM_SOFT_DIRTY      (UINT64_C(1) << 55)
#define FL_PM_MMAP_EXCLUSIVE  (UINT64_C(1) << 56)
#define FL_PM_UFFD_WP         (UINT64_C(1) << 57)
#define FL_PM_GUARD_REGION    (UINT64_C(1) << 58)
#define FL_PM_FILE            (UINT64_C(1) << 61)
#define FL_PM_SWAP            (UINT64_C(1) << 62)
#define FL_PM_PRESENT         (UINT64_C(1) << 63)
#define FL_PM_PFN_MASK        ((UINT64_C(1) << 55) - 1)   /* bits 0-54 */

/*
 * Who reads the entry: BITS when the PFN field is not looked at (the
 * model leaves it 0); PRIV a reader whose open file has CAP_SYS_ADMIN
 * (the PFN of a present page); UNPRIV one without (the PFN reads 0 from
 * 4.2, era pagemap_pfn_hidden).
 */
enum fl_pm_reader { FL_PM_READ_BITS, FL_PM_READ_PRIV, FL_PM_READ_UNPRIV };

/*
 * The /proc/PID/pagemap entry of the page at ADDR in MM, as an
 * unprivileged reader sees it (no PFN, no swap offset): 0 and *ENTRY, or
 * -EOPNOTSUPP with the reason in fl_world_error (a kernel before the
 * 4.3 format, a hwpoison entry).
 */
int fl_pagemap_entry(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr,
		     uint64_t *entry);
/*
 * The same entry as READER sees it.  The model's PFN is its content frame
 * + 1, the zero page's included (one frame for every mapping of it); the
 * PFN field of a swap or marker entry (swap type and offset) is not
 * modelled: -EOPNOTSUPP when a privileged reader asks for it.
 */
int fl_pagemap_read(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr,
		    enum fl_pm_reader reader, uint64_t *entry);
/*
 * Writing "4" to /proc/PID/clear_refs (CLEAR_REFS_SOFT_DIRTY): every vma
 * loses VM_SOFTDIRTY, every pte its soft-dirty bit and present ones their
 * write bit, so the next write faults and marks the page again.  0, or
 * -EOPNOTSUPP when a pte maps a page that may be pinned (newer kernels
 * leave those alone; when that began is not identified).  A kernel
 * without soft-dirty does nothing.
 */
int fl_clear_refs_soft_dirty(struct fl_world *w, struct fl_mm *mm);

/* ---- checks ---- */

/* Invariants 1-5; returns 0 or -EUCLEAN with the broken one in fl_world_error. */
int fl_mm_check(struct fl_world *w, struct fl_mm *mm);
/* Invariant 1 plus the VMA tree's balance and gap summary; 0 or -EUCLEAN. */
int fl_vma_tree_check(struct fl_world *w, struct fl_mm *mm);

FL_API_END
#endif
