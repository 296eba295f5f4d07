/*
 * faultline/arch.h - what each architecture's raw user-copy routine does.
 *
 * Definitions
 *   reach    how many bytes, from the start of the user side of a copy, a
 *            kernel-mode access can touch before the first fault (an absent
 *            page the fault handler could not fill, a protection fault, an
 *            MTE tag mismatch or a SPARC ADI version mismatch).  The mm layer
 *            computes it; the arch layer never looks at page tables.
 *   done     how many bytes of the destination the routine wrote: always a
 *            prefix [0, done) of it, since the modelled routines store in
 *            increasing address order and a faulting store writes nothing.
 *   ret      what the routine returns: bytes NOT copied (0 <= ret <= n).
 *   access reach  where one access (one load or store of the routine)
 *            that starts before reach may end: reach, except on a judge
 *            whose CPU lacks FL_CPU_ARM64_MTE_PAGE_OFFSET (QEMU 7.2), where
 *            an access that starts in an odd granule and runs into the
 *            next, tagged one is checked against a tag byte no STG set and
 *            passes: there it is the end of that granule (uaccess/copy.c
 *            fl_copy_access_reach(); docs/arch.md "arm64+mte on QEMU 7.2").
 *            The routines ask it per access (arch/arch.c fl_walk_passes).
 *
 * A routine is exact when done == n - ret == reach (or n when reach == n).
 * The LKML "usercopy: generic tests + arm64 fixes" thread (Mark Rutland,
 * March 2023) classifies the ways real routines are not exact:
 *   under-reporting  n - ret < reach: fewer bytes reported than possible;
 *                    allowed ("not byte exact" has always been accepted)
 *   clobbering       done > n - ret: bytes written but not reported
 *   over-reporting   n - ret > done: uninitialised bytes look copied (a bug)
 *   no progress      ret == n although reach > 0
 *
 * Invariants (checked by fl_copy_result_check)
 *   1. ret <= n and done <= n.
 *   2. done <= max(reach, access reach): nothing is written past the
 *      first fault.
 *   3. reach == n implies done == n and ret == 0 (no fault, no excuse).
 *   Over-reporting is the one contract violation a shape may model, and only
 *   where the thread reports it (sparc64 copy_from_user).
 */
#ifndef FAULTLINE_ARCH_H
#define FAULTLINE_ARCH_H

#include <faultline/types.h>

FL_API_BEGIN

enum fl_arch_id {
	FL_ARCH_X86_64,
	FL_ARCH_ARM64,
	FL_ARCH_ARM64_MTE,
	FL_ARCH_SPARC64_ADI,
	FL_ARCH_I386,
	FL_ARCH_RISCV64,
	FL_ARCH_ARM,
	FL_ARCH_COUNT
};

enum fl_copy_dir {
	FL_COPY_TO_USER,        /* kernel -> user (stores are user accesses) */
	FL_COPY_FROM_USER,      /* user -> kernel (loads are user accesses) */
	FL_CLEAR_USER,          /* zeroes -> user */
};

/* One raw copy as the arch routine sees it. */
/*
 * CPU features a routine is chosen by (the kernel's alternatives).  A
 * world's fl_world_config.cpu_off lists those its CPU lacks; 0 is a
 * current CPU, as the reference host's.  A judge under QEMU states its own
 * (TCG's x86 -cpu max has ERMS but not FSRM: docs/vm.md).
 */
#define FL_CPU_X86_ERMS 0x1u    /* enhanced rep movsb/stosb */
#define FL_CPU_X86_FSRM 0x2u    /* fast short rep movsb */
/*
 * MTE tags addressed with the granule's page offset.  QEMU 7.2's TCG
 * lacks it (fixed in 8.0 by 28fb921f02ef): a page's granules share its
 * first tag byte, so a tag set on one granule is the tag of every granule
 * of the same parity in that page (mm/tag.c; docs/arch.md, docs/vm.md).
 */
#define FL_CPU_ARM64_MTE_PAGE_OFFSET 0x4u

struct fl_copy_req {
	enum fl_copy_dir dir;
	fl_kver_t kver;         /* era rules such as the arm64 one-byte retry */
	unsigned cpu_off;       /* FL_CPU_* the CPU lacks */
	fl_addr_t uaddr;        /* user side */
	uintptr_t kaddr;        /* kernel side: only its alignment matters */
	size_t n;
	size_t reach;           /* 0 <= reach <= n, see above */
	size_t access_reach;    /* reach <= access_reach <= n; 0: reach */
};

struct fl_copy_result {
	size_t done;            /* destination prefix written */
	size_t ret;             /* bytes not copied, as returned */
	const char *why;        /* static text for the trace: which rule decided */
};

struct fl_arch {
	enum fl_arch_id id;
	const char *name;            /* as written in a scenario: "arm64+mte" */
	unsigned subpage_granule;    /* 16 (MTE), 64 (ADI); 0 if page-granular */
	fl_addr_t task_size_max;     /* access_ok() limit */
	bool access_ok_always;       /* separate user address space (sparc64) */
	/* The shape of raw_copy_{to,from}_user and __clear_user. */
	void (*raw_copy)(const struct fl_copy_req *req, struct fl_copy_result *res);
	/*
	 * ARCH_HAS_SUBPAGE_FAULTS: probe_subpage_writeable() checks each granule
	 * (arm64 with MTE only, da32b5817253).  sparc64 has ADI granules but no
	 * probe: its fault_in_subpage_writeable() is blind to them.
	 */
	bool subpage_probe;
	/*
	 * A user access to a poisoned page is SIGBUS BUS_MCEERR_AR only in a
	 * kernel built with CONFIG_MEMORY_FAILURE: x86's do_sigbus() has the
	 * BUS_MCEERR_AR branch under that #ifdef and falls through to
	 * BUS_ADRERR without it (arch/x86/mm/fault.c).  arm64 sends
	 * BUS_MCEERR_AR either way; riscv64 never (hwpoison_adrerr).  Other
	 * archs: not checked.
	 */
	bool hwpoison_needs_memory_failure;
	/*
	 * CONFIG_HAVE_ARCH_USERFAULTFD_WP from this version, 0 never: the
	 * uffd-wp pte bit write-protect mode needs.  x86_64 with uffd-wp (5.7);
	 * arm64 from 6.10 (5b32510af77b; before it debian-6.1-arm64 refuses
	 * PAGEFAULT_FLAG_WP, docs/vm.md).  Other archs: none before 6.18.
	 */
	fl_kver_t uffd_wp_since;
	/*
	 * CONFIG_HAVE_ARCH_SOFT_DIRTY from this version, 0 never: a pte bit
	 * for soft-dirty (pagemap bit 55).  x86_64 since 3.11 (0f8975ec4db2;
	 * `if X86_64`, so not i386).  arm64, arm, sparc64: none before 6.18;
	 * riscv64's (the Svrsw60t59b series, 277a1ae3879a) came after 6.18.
	 */
	fl_kver_t soft_dirty_since;
	/*
	 * No CONFIG_HAVE_ARCH_USERFAULTFD_MINOR: x86 selects it for x86_64
	 * only, arm never; minor faults (MINOR_HUGETLBFS, MINOR_SHMEM) are
	 * then not features (debian-6.1-i386 refuses MINOR_SHMEM, docs/arch.md).
	 */
	bool no_uffd_minor;
	/*
	 * A user access to a poisoned page is SIGBUS BUS_ADRERR whatever the
	 * config: riscv's mm_fault_error() sends BUS_ADRERR for
	 * VM_FAULT_HWPOISON as for VM_FAULT_SIGBUS (a patch for
	 * BUS_MCEERR_AR was posted later; debian-6.12-riscv64 sends
	 * BUS_ADRERR for a UFFDIO_POISON marker, tests/vm/uffd-move-poison.fl).
	 */
	bool hwpoison_adrerr;
	/*
	 * ... and SIGSEGV SEGV_MAPERR on 32-bit arm: its do_page_fault()
	 * turns only VM_FAULT_SIGBUS into SIGBUS, and VM_FAULT_HWPOISON is
	 * not that (debian-6.12-armhf, tests/vm/uffd-move-poison.fl).
	 */
	bool hwpoison_sigsegv;
	/*
	 * log2 of the default hugetlb page size (HPAGE_SHIFT; the size of
	 * MAP_HUGETLB without a MAP_HUGE_* size and of MFD_HUGETLB), 0: no
	 * hugetlbfs.  2 MiB (PMD_SHIFT) on x86_64, arm64 with 4K pages and
	 * riscv64; 4 MiB on i386 without PAE (Debian's 686 flavour: a 2-level
	 * PSE pmd); 8 MiB on sparc64 (HPAGE_SHIFT 23); none on 32-bit arm
	 * without LPAE (ARCH_SUPPORTS_HUGETLBFS needs ARM_LPAE; Debian's
	 * armmp flavour is not LPAE).  docs/gup.md "hugetlb".
	 */
	unsigned hpage_shift;
	/*
	 * The user ABI's long in bytes: 4 on i386 and arm, 8 elsewhere - the
	 * size of an iovec's fields and of struct linux_dirent's d_ino and
	 * d_off (include/uapi/linux/uio.h, fs/readdir.c).
	 */
	unsigned user_long;
	/*
	 * getdents(2), the old struct linux_dirent call, exists: x86_64, i386,
	 * arm and sparc64 have it; arm64 and riscv64 take asm-generic's
	 * syscall table, which has getdents64 only (the call is -ENOSYS).
	 */
	bool has_getdents;
};

/* The descriptor of ID, or NULL if ID is out of range. */
const struct fl_arch *fl_arch(enum fl_arch_id id);

/* Look an arch up by its scenario name; 0 or -EINVAL. */
int fl_arch_lookup(const char *name, enum fl_arch_id *id);

/* Invariants 1-3 above; returns 0 or -EINVAL naming nothing (pure check). */
int fl_copy_result_check(const struct fl_copy_req *req,
			 const struct fl_copy_result *res);

FL_API_END
#endif
