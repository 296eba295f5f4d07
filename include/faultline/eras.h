/*
 * faultline/eras.h - the era table: every version-dependent behaviour.
 *
 * Definitions
 *   era      one behaviour change of the kernel: a name, the mainline
 *            version it appeared in, the upstream commit, the stable
 *            versions it was backported to, and one sentence.
 *   has      a kernel version "has" an era if it is at least the mainline
 *            version, or it is in a stable series listed for the era at or
 *            after the listed patch level (5.7.3 has the 5.8 COW fix).
 *
 * Invariants
 *   1. Code never compares kernel versions itself: it asks
 *      fl_kver_has(v, FL_ERA_X) (or fl_since(w, FL_ERA_X) on a world).
 *   2. Every entry has a unique name, a version >= 3.0, a commit (12 hex
 *      digits, or "-" when the change spans a series or its commit is not
 *      identified yet; docs/eras.md says which) and one sentence.
 *   3. Entries are listed in enum order; fl_era(id)->id == id.
 *   4. Stable backports are older than the mainline version, one per
 *      stable series, and the list is 0-terminated.
 *
 * The entries and their provenance (which were checked against upstream
 * commits, and how) are documented in docs/eras.md.
 */
#ifndef FAULTLINE_ERAS_H
#define FAULTLINE_ERAS_H

#include <faultline/types.h>

FL_API_BEGIN

enum fl_era_id {
	/* §1 uaccess */
	FL_ERA_ACCESS_OK_TWO_ARGS,        /* 5.0-rc1: 96d4f267e40f */
	FL_ERA_UACCESS_NOFAULT,           /* 5.8-rc2: c0ee37e85e0e */
	FL_ERA_ARM64_ONE_BYTE_RETRY,      /* 5.14-rc2: 295cf156231c (5.10.77) */
	FL_ERA_ARM64_MOPS_UACCESS,        /* 6.15: fe59e0358d9b (not modelled) */
	FL_ERA_ARM64_CLEAR_USER_REWRITE,  /* 5.14-rc1: 344323e0428b */
	FL_ERA_COPY_PAGE_TO_ITER_LOOP,    /* 5.14-rc1: 08aa64796016 (5.13.2) */
	FL_ERA_X86_CLEAR_USER_ERMS,       /* 6.1-rc1: 0db7058e8e23 */
	FL_ERA_X86_CLEAR_USER_BYTE_TAIL,  /* 6.4-rc1: 8c9b6a88b7e2 */
	FL_ERA_RISCV_UACCESS_EXACT_RET,   /* 6.5: 4b05b993900d (5.10.192 ...) */
	FL_ERA_RISCV_UACCESS_FAST_71,     /* 6.10: 9850e73e8297 */
	FL_ERA_RISCV_UACCESS_LAST_BLOCK,  /* 6.10: f1905946bed0 */
	/* §2 fault-in */
	FL_ERA_FAULT_IN_SIZE_T,           /* 5.16: bb523b406c84 */
	FL_ERA_FAULT_IN_SAFE_WRITEABLE,   /* 5.16: cdd591fc86e3 */
	FL_ERA_FAULT_IN_IOV_ITER,         /* 5.16: a6294593e8a1 */
	FL_ERA_FAULT_IN_ACCESS_BEGIN,     /* 5.17: 677b2a8c1f25 */
	FL_ERA_FAULT_IN_SAFE_FIXUP_LOOP,  /* 5.17-rc8: fe673d3f5bf1 */
	FL_ERA_FAULT_IN_SAFE_RET_FIX,     /* 6.15-rc3: 8c03ebd7cdc0 (5.15.181 ...) */
	FL_ERA_FAULT_IN_SUBPAGE,          /* 5.19: da32b5817253 */
	FL_ERA_BTRFS_SEARCH_FAULT_IN,     /* 5.9-rc4: a48b73eca4ce */
	FL_ERA_BTRFS_SEARCH_FAULT_IN_OFF, /* 5.9-rc5: 1c78544eaa46 */
	FL_ERA_BTRFS_SEARCH_SUBPAGE,      /* 5.19: 18788e34642e */
	FL_ERA_PERFORM_WRITE_ALL_SEGS,    /* 4.8: d4690f1e1cda */
	FL_ERA_PERFORM_WRITE_SHORT_RETRY, /* 5.14: bc1bb416bbb9 */
	FL_ERA_PERFORM_WRITE_IOV_FAULT_IN,/* 5.16: a6294593e8a1 */
	FL_ERA_PERFORM_WRITE_PARTIAL_OK,  /* 5.18: 631f871f0717 */
	FL_ERA_PERFORM_WRITE_HALVE_CHUNK, /* 6.11: 9aac777aaf94 */
	FL_ERA_IOMAP_HALVE_CHUNK,         /* 6.6: 5d8edfb900d5 */
	FL_ERA_PERFORM_WRITE_NO_PREFAULT, /* 6.15: 665575cff098 */
	/*
	 * The x86 sigreturn XRSTOR retry loop.  It faulted in the
	 * user-controlled fx_sw->xstate_size from the start: the bug of
	 * CVE-2024-26603 came with the loop itself (d877550eaf2d says
	 * "Fixes: fcb3635f5018"), so it has no entry of its own.
	 */
	FL_ERA_FPU_RESTORE_LOOP,          /* 5.14-rc1: fcb3635f5018 */
	FL_ERA_FPU_RESTORE_FAULT_IN_NEW,  /* 5.16: fault_in_readable replaces fault_in_pages_readable */
	FL_ERA_FPU_RESTORE_USER_SIZE,     /* 6.8: d877550eaf2d, CVE-2024-26603 (5.15.150 ...) */
	/* §3 GUP and COW */
	FL_ERA_GUP_COW_FORCE_BREAK,       /* 5.8-rc1: 17839856fd58 (4.4.289, 5.7.3) */
	FL_ERA_COW_PAGE_COUNT,            /* 5.9: 09854ba94c6a */
	FL_ERA_GUP_COW_BREAK_REVERTED,    /* 5.9: a308c71bf1e6 */
	FL_ERA_FORK_COPY_PINNED,          /* 5.9: 70e806e4e645 */
	FL_ERA_COW_SWAPCACHE_REUSE,       /* 5.18: commit not identified */
	FL_ERA_ANON_EXCLUSIVE,            /* 5.19: 6c287605fd56 */
	FL_ERA_GUP_PIN_UNSHARE,           /* 5.19: a7f226604170, FAULT_FLAG_UNSHARE */
	FL_ERA_FOLL_NOFAULT,              /* 5.16: 55b8fe703bc5 */
	FL_ERA_FOLL_FORCE_EXCLUSIVE_ONLY, /* 6.0: 5535be309971, CVE-2022-2590 */
	FL_ERA_GUP_PIN_UNSHARE_COW,       /* 6.2: 84209e87c696, R/O long-term pins of
					     the zero page and page cache in COW mappings */
	FL_ERA_HUGETLB_FORK_COPY_PINNED,  /* 5.12-rc1: 4eae4efa2c29 */
	FL_ERA_HUGETLB_MADV_DONTNEED,     /* 5.18-rc1: 90e7e7f5ef3f */
	FL_ERA_HUGETLB_MREMAP,            /* 5.16-rc1: 550a7d60bd5e */
	FL_ERA_HUGETLB_FORK_DROP_UFFD_WP, /* 6.4-rc1: 5a2f8d22ace4 */
	/* §4 userfaultfd */
	FL_ERA_UFFD,                      /* 4.3 */
	FL_ERA_UFFD_ENOENT,               /* 4.11: -ENOENT instead of -EINVAL */
	FL_ERA_UFFD_EVENTS,               /* 4.11: FORK/REMAP/REMOVE/UNMAP */
	FL_ERA_UFFD_SHMEM_HUGETLBFS,      /* 4.11 */
	FL_ERA_UFFD_ESRCH,                /* 4.13: -ESRCH instead of -ENOSPC */
	FL_ERA_UFFD_SIGBUS,               /* 4.14 */
	FL_ERA_UFFD_THREAD_ID,            /* 4.14 */
	FL_ERA_UFFD_MMAP_CHANGING,        /* 4.18-rc1: df2cc96e7701 */
	FL_ERA_UFFD_WP,                   /* 5.7 */
	FL_ERA_UFFD_PAGEFAULT_FLAG_WP,    /* 5.10 */
	FL_ERA_UFFD_USER_MODE_ONLY,       /* 5.11 */
	FL_ERA_UFFD_MINOR_HUGETLBFS,      /* 5.13: also UFFDIO_CONTINUE */
	FL_ERA_UFFD_MINOR_SHMEM,          /* 5.14 */
	FL_ERA_UFFD_EXACT_ADDRESS,        /* 5.18 */
	FL_ERA_UFFD_WP_HUGETLBFS_SHMEM,   /* 5.19 */
	FL_ERA_UFFD_WP_UNPOPULATED,       /* 6.4 */
	FL_ERA_UFFD_POISON,               /* 6.6: feature and ioctl */
	FL_ERA_UFFD_WP_ASYNC,             /* 6.7-rc1: d61ea1cb0095 */
	FL_ERA_UFFD_MOVE,                 /* 6.8: adef440691ba */
	FL_ERA_UFFD_EAGAIN_COPY_FIELD,    /* 6.15-rc6: 95567729173e (6.14.7) */
	FL_ERA_UFFD_REMAP_UNREGISTER,     /* 5.0-rc1: 3cfd22be0ad6 */
	FL_ERA_UFFD_MOVE_ZEROPAGE,        /* 6.9-rc1: eb1521dad8f3 */
	FL_ERA_UFFD_API_CHECKED,          /* 6.10: 1723f04caacb (6.1.100, 6.6.41, 6.9.10) */
	FL_ERA_UFFD_DEV,                  /* 6.1-rc1: 2d5de004e009 */
	FL_ERA_UFFD_WP_REGISTER_CHECKED,  /* 5.14-rc1: 00b151f21f39 */
	/* §5 mremap */
	FL_ERA_MREMAP_VMA_FIRST,          /* 5.16-rc1: 550a7d60bd5e */
	FL_ERA_MREMAP_EFAULT_SIGN,        /* 5.18: 7d1e64966162 */
	FL_ERA_MREMAP_CHECKS_FIRST,       /* 6.17-rc1: "check remap conditions earlier" */
	FL_ERA_MREMAP_MULTI_VMA,          /* 6.17-rc1: d23cb648e365 */
	/* §6 memory failure */
	FL_ERA_SHMEM_HWPOISON_KEPT,       /* 5.17-rc1: a76054266661 */
	FL_ERA_MADV_HWPOISON_KILLS_CALLER,/* 6.11: MF_ACTION_REQUIRED (Jane Chu) */
	/* §7 /proc/PID/pagemap */
	FL_ERA_PAGEMAP_EXCLUSIVE,         /* 4.3-rc1: 77bb499bb60f */
	FL_ERA_PAGEMAP_UFFD_WP,           /* 5.14: fb8e37f35a2f */
	FL_ERA_PAGEMAP_PFN_HIDDEN,        /* 4.2: 1c90308e7a77 */
	FL_ERA_PAGEMAP_GUARD,             /* 6.15-rc1: 8e2f2aeb8b48 */
	FL_ERA_PAGEMAP_SCAN,              /* 6.7-rc1: 52526ca7fdb9 */
	FL_ERA_PAGEMAP_SCAN_GUARD,        /* 6.16-rc1: a516403787e0 */
	FL_ERA_PAGEMAP_SCAN_HUGE_ZERO,    /* 6.16, 6.12.36, 6.15.5: 4a5e85f4eb8f */
	FL_ERA_PAGEMAP_SCAN_BACKOUT_NO_VEC, /* 6.17 (unverified), 6.16.10: 28aa29986dde */
	/* §8 pipes and splice */
	FL_ERA_SPLICE_PIPE_NONBLOCK,      /* 5.1-rc1: ee5e001196d1 */
	FL_ERA_SPLICE_NEEDS_OPS,          /* 5.10: 36e2c7421f02 */
	/* §9 guard regions */
	FL_ERA_MADV_GUARD,                /* 6.13-rc1: 662df3e5c376 */
	FL_ERA_MADV_GUARD_FILE,           /* 6.15-rc1: f807123d578d */
	FL_ERA_MADV_POPULATE,             /* 5.14-rc1: 4ca9b3859dac */
	FL_ERA_UFFD_WP_MREMAP_CLEAR,      /* 6.13, 6.12.11: 0cef0bb836e3 */
	/* §10 sockets */
	FL_ERA_UNIX_DGRAM_PEER_LATE,      /* 6.14: "af_unix: Clean up error path in unix_dgram_sendmsg()" */
	FL_ERA_UNIX_OOB,                  /* 5.15-rc1: 314001f0bf92 */
	/* §11 more madvise advice */
	FL_ERA_MADV_FREE,                 /* 4.5-rc1: 854e9ed09ded */
	FL_ERA_MADV_COLD,                 /* 5.4-rc1: 9c276cc65a58 */
	/* §12 transparent huge pages */
	FL_ERA_THP_COW_SPLIT,             /* 5.8-rc1: 3917c80280c9 */
	FL_ERA_MADV_COLLAPSE,             /* 6.1-rc1: 7d8faaf15545 */
	FL_ERA_HUGE_ZERO_WP_ALLOC,        /* 6.13-rc1: 1ced09e0331f */
	FL_ERA_COLLAPSE_READ_ONLY,        /* 6.18-rc1: 62b98015d988 */
	/* §11 more madvise advice: process_madvise */
	FL_ERA_PROCESS_MADVISE,           /* 5.10-rc1: ecb8ac8b1f14 */
	FL_ERA_PROCESS_MADVISE_SELF,      /* 6.13-rc1: "unrestrict process_madvise() for current process" */
	/* §13 memfd seals */
	FL_ERA_MEMFD_SEAL_RO_MAP,         /* 6.7-rc1: 158978945f31 */
	FL_ERA_COUNT
};

#define FL_ERA_MAX_STABLE 6

struct fl_era {
	enum fl_era_id id;
	const char *name;       /* short identifier, e.g. "arm64_one_byte_retry" */
	fl_kver_t since;        /* first mainline version (x.y.0 for x.y-rcN) */
	const char *rc;         /* the -rc it landed in ("rc2"), or NULL */
	const char *commit;     /* 12-digit upstream commit, or "-" */
	fl_kver_t stable[FL_ERA_MAX_STABLE]; /* first stable release of each
					      * series carrying a backport,
					      * 0-terminated */
	const char *summary;    /* one sentence */
	bool verified;          /* commit and version checked upstream (docs/eras.md) */
};

/* The entry for ID; never NULL for a valid id, NULL for any other. */
const struct fl_era *fl_era(enum fl_era_id id);

/* The entry called NAME ("arm64_one_byte_retry"), or NULL. */
const struct fl_era *fl_era_by_name(const char *name);

/* Does kernel version V carry era ID (mainline or a listed stable backport)? */
bool fl_kver_has(fl_kver_t v, enum fl_era_id id);

/* The newest kernel version faultline models: the default of `kernel`. */
fl_kver_t fl_kver_newest(void);

/*
 * Parse "5.18", "5.7.3" or "6.15-rc6" (an -rc counts as the x.y.0 release).
 * Returns 0 and sets *V, or -EINVAL.
 */
int fl_kver_parse(const char *s, fl_kver_t *v);

/*
 * The running kernel's version (uname), or 0 if it cannot be read; the
 * judge's, once fl_host_set_judge() named one.
 */
fl_kver_t fl_host_kver(void);

/*
 * A judge other than this machine's kernel: a guest kernel whose agent
 * runs the host backend (docs/vm.md).  `kernel host` then means its
 * version KVER, a scenario without `arch` is for its ARCH (an enum
 * fl_arch_id), and the model's world takes its build (KCONFIG_OFF) and
 * CPU (CPU_OFF, FL_CPU_*) for a `kernel host` scenario.  Process-wide.
 */
void fl_host_set_judge(fl_kver_t kver, int arch, unsigned kconfig_off, unsigned cpu_off);
/* The judge's arch (enum fl_arch_id), or -1: this machine, no judge set. */
int fl_host_judge_arch(void);
/* The FL_CPU_* the judge's CPU lacks: 0 (a current CPU) unless a judge says. */
unsigned fl_host_cpu_off(void);

/*
 * Build options of a kernel that change an observable (a world's
 * fl_world_config.kconfig_off lists those it was built without).
 */
#define FL_KCONFIG_MEMORY_FAILURE 0x1u  /* CONFIG_MEMORY_FAILURE */
#define FL_KCONFIG_MEM_SOFT_DIRTY 0x2u  /* CONFIG_MEM_SOFT_DIRTY (pagemap bit 55) */
/*
 * Not a Kconfig symbol: an anonymous read fault maps the shared zero
 * page.  Without it (mm_forbids_zeropage(): s390 with KVM guests; this
 * project's reference host boots with pvm_no_zero_page=1) the fault takes
 * a private page, mapped writable and dirty as a write fault's.
 */
#define FL_KCONFIG_ZERO_PAGE      0x4u
/*
 * Not a Kconfig symbol either: a read fault of a THP-eligible range maps
 * the huge zero page (/sys/kernel/mm/transparent_hugepage/use_zero_page,
 * 1 by default; mm/huge_memory.c).  Without it the fault maps a new THP.
 */
#define FL_KCONFIG_HUGE_ZERO_PAGE 0x8u

/* The FL_KCONFIG_* options the running kernel was built without (the judge's). */
unsigned fl_host_kconfig_off(void);
/* ... this machine's, found by looking (kernel/host_probe.c); no judge asked. */
unsigned fl_host_probe_kconfig_off(void);

/* Format V as "5.18" or "5.7.3" into BUF; returns BUF. */
char *fl_kver_format(fl_kver_t v, char *buf, size_t len);

FL_API_END
#endif
