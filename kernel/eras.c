/*
 * kernel/eras.c - the era table: every version-dependent behaviour the model
 * knows, one entry each, with the upstream commit that introduced it.
 *
 * Why a table: the model reproduces many kernel versions at once, and a
 * version test scattered through the code ("if kver >= 5.16") can neither be
 * audited nor printed.  Here each rule has a name, a version, a commit and a
 * sentence; code asks fl_kver_has()/fl_since() and `faultline eras` prints
 * the lot.  Provenance and how each entry was checked: docs/eras.md.
 *
 * Invariants (eras.h; checked by tests/unit/kernel/test_eras.c)
 *   1. table[id].id == id for every id, in enum order.
 *   2. Names are unique; commits are 12 lowercase hex digits or "-".
 *   3. Stable backports are older than `since` and 0-terminated.
 */
#include <string.h>

#include <faultline/eras.h>

#define V(maj, min)        FL_KV(maj, min, 0)
#define S(maj, min, patch) FL_KV(maj, min, patch)

/* The host kernel of the reference machine; newer releases are not modelled. */
#define FL_KVER_NEWEST V(6, 18)

static const struct fl_era table[FL_ERA_COUNT] = {
	/* ---- §1 uaccess ---- */
	[FL_ERA_ACCESS_OK_TWO_ARGS] = {
		FL_ERA_ACCESS_OK_TWO_ARGS, "access_ok_two_args", V(5, 0), "rc1",
		"96d4f267e40f", { 0 },
		"access_ok() lost its type argument and takes only (addr, size).",
		true },
	[FL_ERA_UACCESS_NOFAULT] = {
		FL_ERA_UACCESS_NOFAULT, "uaccess_nofault", V(5, 8), "rc2",
		"c0ee37e85e0e", { 0 },
		"probe_user_read/write are renamed copy_from/to_user_nofault: "
		"0 or -EFAULT with page faults disabled.",
		true },
	[FL_ERA_ARM64_ONE_BYTE_RETRY] = {
		FL_ERA_ARM64_ONE_BYTE_RETRY, "arm64_one_byte_retry", V(5, 14), "rc2",
		"295cf156231c", { S(5, 10, 77), 0 },
		"An arm64 user copy that faults before writing anything retries "
		"a single byte, so it returns n only when byte 0 is inaccessible.",
		true },
	[FL_ERA_ARM64_MOPS_UACCESS] = {
		FL_ERA_ARM64_MOPS_UACCESS, "arm64_mops_uaccess", V(6, 15), NULL,
		"fe59e0358d9b", { 0 },
		"arm64 CPUs with FEAT_MOPS copy user memory with CPYF* "
		"instructions (not modelled).",
		false },
	[FL_ERA_ARM64_CLEAR_USER_REWRITE] = {
		FL_ERA_ARM64_CLEAR_USER_REWRITE, "arm64_clear_user_rewrite", V(5, 14), "rc1",
		"344323e0428b", { 0 },
		"arm64 __arch_clear_user reports end minus the faulting store; before "
		"it, any fault returned the whole size though earlier stores had zeroed "
		"bytes.",
		true },
	[FL_ERA_COPY_PAGE_TO_ITER_LOOP] = {
		FL_ERA_COPY_PAGE_TO_ITER_LOOP, "copy_page_to_iter_loop", V(5, 14), "rc1",
		"08aa64796016", { S(5, 13, 2), 0 },
		"copy_page_to_iter() copies again from where a short copy stopped "
		"while each copy moves a byte, so a copy that under-reported is "
		"redone from the reported point.",
		true },
	[FL_ERA_X86_CLEAR_USER_ERMS] = {
		FL_ERA_X86_CLEAR_USER_ERMS, "x86_clear_user_erms", V(6, 1), "rc1",
		"0db7058e8e23", { 0 },
		"x86_64 clear_user is rep stosb on FSRM CPUs, and on ERMS CPUs for 64 "
		"bytes or more; else qword stores whose fault reports whole qwords.",
		true },
	[FL_ERA_X86_CLEAR_USER_BYTE_TAIL] = {
		FL_ERA_X86_CLEAR_USER_BYTE_TAIL, "x86_clear_user_byte_tail", V(6, 4), "rc1",
		"8c9b6a88b7e2", { 0 },
		"x86_64 clear_user without FSRS stores qwords and finishes a fault "
		"byte by byte, so it is exact on every CPU.",
		true },
	[FL_ERA_RISCV_UACCESS_EXACT_RET] = {
		FL_ERA_RISCV_UACCESS_EXACT_RET, "riscv_uaccess_exact_ret", V(6, 5), NULL,
		"4b05b993900d",
		{ S(5, 10, 192), S(5, 15, 128), S(6, 1, 47), S(6, 4, 12), 0 },
		"riscv's user copy and clear_user fixup reports the end minus the "
		"progress pointer; before it, any fault returned the whole size.",
		true },
	[FL_ERA_RISCV_UACCESS_FAST_71] = {
		FL_ERA_RISCV_UACCESS_FAST_71, "riscv_uaccess_fast_71", V(6, 10), NULL,
		"9850e73e8297", { 0 },
		"riscv's user copy takes the word path from 9 * SZREG - 1 bytes "
		"(71 on rv64), not 9 * SZREG.",
		true },
	[FL_ERA_RISCV_UACCESS_LAST_BLOCK] = {
		FL_ERA_RISCV_UACCESS_LAST_BLOCK, "riscv_uaccess_last_block", V(6, 10), NULL,
		"f1905946bed0", { 0 },
		"riscv's unrolled word copy also runs its 8-word block when exactly "
		"one block is left, instead of leaving it to the byte loop.",
		true },

	/* ---- §2 fault-in ---- */
	[FL_ERA_FAULT_IN_SIZE_T] = {
		FL_ERA_FAULT_IN_SIZE_T, "fault_in_size_t", V(5, 16), NULL,
		"bb523b406c84", { 0 },
		"fault_in_pages_* become fault_in_readable/writeable in mm/gup.c "
		"and return the number of bytes not faulted in.",
		true },
	[FL_ERA_FAULT_IN_SAFE_WRITEABLE] = {
		FL_ERA_FAULT_IN_SAFE_WRITEABLE, "fault_in_safe_writeable", V(5, 16),
		NULL, "cdd591fc86e3", { 0 },
		"fault_in_safe_writeable() faults pages in for writing through "
		"GUP without storing to them.",
		false },
	[FL_ERA_FAULT_IN_IOV_ITER] = {
		FL_ERA_FAULT_IN_IOV_ITER, "fault_in_iov_iter", V(5, 16), NULL,
		"a6294593e8a1", { 0 },
		"fault_in_iov_iter_readable/writeable fault in user-backed "
		"iterators segment by segment and return what was not faulted in.",
		true },
	[FL_ERA_FAULT_IN_ACCESS_BEGIN] = {
		FL_ERA_FAULT_IN_ACCESS_BEGIN, "fault_in_access_begin", V(5, 17),
		NULL, "677b2a8c1f25", { 0 },
		"fault_in_readable/writeable open one user access window over "
		"the whole range and return size at once if access_ok fails.",
		true },
	[FL_ERA_FAULT_IN_SAFE_FIXUP_LOOP] = {
		FL_ERA_FAULT_IN_SAFE_FIXUP_LOOP, "fault_in_safe_fixup_loop",
		V(5, 17), "rc8", "fe673d3f5bf1", { 0 },
		"fault_in_safe_writeable() forces a write fault per page with "
		"fixup_user_fault() instead of using GUP.",
		true },
	[FL_ERA_FAULT_IN_SAFE_RET_FIX] = {
		FL_ERA_FAULT_IN_SAFE_RET_FIX, "fault_in_safe_ret_fix", V(6, 15),
		"rc3", "8c03ebd7cdc0",
		{ S(5, 15, 181), S(6, 1, 135), S(6, 6, 88), S(6, 12, 25),
		  S(6, 14, 4), 0 },
		"fault_in_safe_writeable() reports the bytes not faulted in "
		"after a partial failure instead of 0.",
		true },
	[FL_ERA_FAULT_IN_SUBPAGE] = {
		FL_ERA_FAULT_IN_SUBPAGE, "fault_in_subpage", V(5, 19), "rc1",
		"da32b5817253", { 0 },
		"fault_in_subpage_writeable() also probes every sub-page granule "
		"(16 bytes with arm64 MTE) of the faulted-in range.",
		true },
	[FL_ERA_BTRFS_SEARCH_FAULT_IN] = {
		FL_ERA_BTRFS_SEARCH_FAULT_IN, "btrfs_search_fault_in", V(5, 9),
		"rc4", "a48b73eca4ce", { 0 },
		"btrfs search_ioctl faults in the user buffer, then copies items "
		"with copy_to_user_nofault under the tree lock and retries.",
		false },
	[FL_ERA_BTRFS_SEARCH_FAULT_IN_OFF] = {
		FL_ERA_BTRFS_SEARCH_FAULT_IN_OFF, "btrfs_search_fault_in_off",
		V(5, 9), "rc5", "1c78544eaa46", { 0 },
		"btrfs search_ioctl faults in from ubuf + sk_offset, where the "
		"next copy goes, instead of from ubuf.",
		false },
	[FL_ERA_BTRFS_SEARCH_SUBPAGE] = {
		FL_ERA_BTRFS_SEARCH_SUBPAGE, "btrfs_search_subpage", V(5, 19), "rc1",
		"18788e34642e", { 0 },
		"btrfs search_ioctl faults in with fault_in_subpage_writeable, "
		"so a sub-page fault ends in -EFAULT instead of a live-lock.",
		true },
	[FL_ERA_PERFORM_WRITE_ALL_SEGS] = {
		FL_ERA_PERFORM_WRITE_ALL_SEGS, "perform_write_all_segs", V(4, 8),
		NULL, "d4690f1e1cda", { 0 },
		"generic_perform_write faults in the bytes it will copy across "
		"iovec segments, not only the first segment.",
		false },
	[FL_ERA_PERFORM_WRITE_SHORT_RETRY] = {
		FL_ERA_PERFORM_WRITE_SHORT_RETRY, "perform_write_short_retry",
		V(5, 14), NULL, "bc1bb416bbb9", { 0 },
		"When write_end accepts nothing after a short copy, "
		"generic_perform_write reverts and retries with the copied length.",
		false },
	[FL_ERA_PERFORM_WRITE_IOV_FAULT_IN] = {
		FL_ERA_PERFORM_WRITE_IOV_FAULT_IN, "perform_write_iov_fault_in",
		V(5, 16), NULL, "a6294593e8a1", { 0 },
		"generic_perform_write uses fault_in_iov_iter_readable and fails "
		"with -EFAULT if any byte is left unfaulted.",
		false },
	[FL_ERA_PERFORM_WRITE_PARTIAL_OK] = {
		FL_ERA_PERFORM_WRITE_PARTIAL_OK, "perform_write_partial_ok",
		V(5, 18), NULL, "631f871f0717", { 0 },
		"generic_perform_write fails only if nothing at all could be "
		"faulted in.",
		false },
	[FL_ERA_PERFORM_WRITE_HALVE_CHUNK] = {
		FL_ERA_PERFORM_WRITE_HALVE_CHUNK, "perform_write_halve_chunk",
		V(6, 11), NULL, "9aac777aaf94", { 0 },
		"With large folios, generic_perform_write halves the chunk before "
		"retrying a short copy.",
		false },
	[FL_ERA_IOMAP_HALVE_CHUNK] = {
		FL_ERA_IOMAP_HALVE_CHUNK, "iomap_halve_chunk", V(6, 6), NULL,
		"5d8edfb900d5", { 0 },
		"iomap buffered writes copy large chunks and halve the chunk "
		"before retrying a short copy.",
		false },
	[FL_ERA_PERFORM_WRITE_NO_PREFAULT] = {
		FL_ERA_PERFORM_WRITE_NO_PREFAULT, "perform_write_no_prefault",
		V(6, 15), NULL, "665575cff098", { 0 },
		"generic_perform_write copies first and faults in only after a "
		"copy that made no progress.",
		false },
	[FL_ERA_FPU_RESTORE_LOOP] = {
		FL_ERA_FPU_RESTORE_LOOP, "fpu_restore_loop", V(5, 14), "rc1",
		"fcb3635f5018", { 0 },
		"x86 sigreturn retries XRSTOR from the user frame after faulting "
		"in the user-supplied xstate_size, which CVE-2024-26603 abused.",
		false },
	[FL_ERA_FPU_RESTORE_FAULT_IN_NEW] = {
		FL_ERA_FPU_RESTORE_FAULT_IN_NEW, "fpu_restore_fault_in_new",
		V(5, 16), NULL, "bb523b406c84", { 0 },
		"The XRSTOR retry loop faults the frame in with fault_in_readable "
		"instead of fault_in_pages_readable and retries only if nothing "
		"was left unfaulted.",
		false },
	[FL_ERA_FPU_RESTORE_USER_SIZE] = {
		FL_ERA_FPU_RESTORE_USER_SIZE, "fpu_restore_user_size", V(6, 8),
		"rc4", "d877550eaf2d",
		{ S(5, 15, 150), S(6, 1, 79), S(6, 6, 18), S(6, 7, 6), 0 },
		"The XRSTOR retry loop faults in fpstate->user_size, the most "
		"XRSTOR can touch, ending the CVE-2024-26603 endless loop.",
		true },

	/* ---- §3 GUP and COW ---- */
	[FL_ERA_GUP_COW_FORCE_BREAK] = {
		FL_ERA_GUP_COW_FORCE_BREAK, "gup_cow_force_break", V(5, 8), "rc1",
		"17839856fd58", { S(4, 4, 289), S(5, 7, 3), 0 },
		"GUP with GET or PIN on a COW mapping breaks COW as if writing, "
		"and GUP-fast refuses read-only PTEs (CVE-2020-29374).",
		true },
	[FL_ERA_COW_PAGE_COUNT] = {
		FL_ERA_COW_PAGE_COUNT, "cow_page_count", V(5, 9), NULL,
		"09854ba94c6a", { 0 },
		"A write fault reuses an anonymous page only if it is not KSM and "
		"its page count is 1; otherwise it copies.",
		false },
	[FL_ERA_GUP_COW_BREAK_REVERTED] = {
		FL_ERA_GUP_COW_BREAK_REVERTED, "gup_cow_break_reverted", V(5, 9),
		NULL, "a308c71bf1e6", { 0 },
		"GUP stops forcing a COW break, relying on the page-count reuse "
		"rule instead.",
		false },
	[FL_ERA_FORK_COPY_PINNED] = {
		FL_ERA_FORK_COPY_PINNED, "fork_copy_pinned", V(5, 9), NULL,
		"70e806e4e645", { 0 },
		"fork copies anonymous pages that may be DMA-pinned instead of "
		"sharing them copy-on-write.",
		false },
	[FL_ERA_COW_SWAPCACHE_REUSE] = {
		FL_ERA_COW_SWAPCACHE_REUSE, "cow_swapcache_reuse", V(5, 18), NULL,
		"-", { 0 },
		"A write fault may reuse a page held only by the swap cache after "
		"freeing its swap entry.",
		false },
	[FL_ERA_ANON_EXCLUSIVE] = {
		FL_ERA_ANON_EXCLUSIVE, "anon_exclusive", V(5, 19), NULL,
		"6c287605fd56", { 0 },
		"PG_anon_exclusive marks anonymous pages owned by one mm, which a "
		"write fault reuses without any refcount check.",
		false },
	[FL_ERA_GUP_PIN_UNSHARE] = {
		FL_ERA_GUP_PIN_UNSHARE, "gup_pin_unshare", V(5, 19), NULL,
		"a7f226604170", { 0 },
		"A read-only FOLL_PIN of a possibly shared anonymous page "
		"unshares it first with FAULT_FLAG_UNSHARE.",
		false },
	[FL_ERA_FOLL_NOFAULT] = {
		FL_ERA_FOLL_NOFAULT, "foll_nofault", V(5, 16), NULL, "55b8fe703bc5",
		{ 0 },
		"FOLL_NOFAULT makes GUP fail with -EFAULT where it would have to "
		"fault a page in.",
		false },
	[FL_ERA_FOLL_FORCE_EXCLUSIVE_ONLY] = {
		FL_ERA_FOLL_FORCE_EXCLUSIVE_ONLY, "foll_force_exclusive_only",
		V(6, 0), NULL, "5535be309971", { 0 },
		"FOLL_COW is gone: a forced write to a read-only private mapping "
		"needs an exclusive anonymous page (CVE-2022-2590).",
		false },
	[FL_ERA_GUP_PIN_UNSHARE_COW] = {
		FL_ERA_GUP_PIN_UNSHARE_COW, "gup_pin_unshare_cow", V(6, 2), NULL,
		"84209e87c696", { 0 },
		"A read-only long-term FOLL_PIN of the shared zero page or a page "
		"cache page in a COW mapping unshares it first, as for anonymous "
		"pages since 5.19.",
		false },
	[FL_ERA_HUGETLB_FORK_COPY_PINNED] = {
		FL_ERA_HUGETLB_FORK_COPY_PINNED, "hugetlb_fork_copy_pinned", V(5, 12), "rc1",
		"4eae4efa2c29", { 0 },
		"fork copies a private hugetlb page that may be DMA-pinned for the "
		"child, as fork_copy_pinned does for base pages.",
		false },
	[FL_ERA_HUGETLB_MADV_DONTNEED] = {
		FL_ERA_HUGETLB_MADV_DONTNEED, "hugetlb_madv_dontneed", V(5, 18), "rc1",
		"90e7e7f5ef3f", { 0 },
		"MADV_DONTNEED works on hugetlb vmas (before: -EINVAL); the start "
		"must be huge page aligned.",
		true },
	[FL_ERA_HUGETLB_MREMAP] = {
		FL_ERA_HUGETLB_MREMAP, "hugetlb_mremap", V(5, 16), "rc1",
		"550a7d60bd5e", { 0 },
		"mremap moves or shrinks a hugetlb vma (before, a move or a growth "
		"was -EINVAL); the addresses must be huge page aligned, the lengths "
		"are rounded up to it, and growing is -EINVAL.",
		true },
	[FL_ERA_HUGETLB_FORK_DROP_UFFD_WP] = {
		FL_ERA_HUGETLB_FORK_DROP_UFFD_WP, "hugetlb_fork_drop_uffd_wp", V(6, 4),
		"rc1", "5a2f8d22ace4", { 0 },
		"fork drops the uffd-wp bit of a private hugetlb page it shares with "
		"a child whose vma is not registered for write-protect; before, the "
		"child's pte kept it.",
		false },

	/* ---- §4 userfaultfd ---- */
	[FL_ERA_UFFD] = {
		FL_ERA_UFFD, "uffd", V(4, 3), NULL, "-", { 0 },
		"userfaultfd arrives with MISSING mode on anonymous memory and "
		"the COPY, ZEROPAGE and WAKE ioctls (a series of commits).",
		false },
	[FL_ERA_UFFD_ENOENT] = {
		FL_ERA_UFFD_ENOENT, "uffd_enoent", V(4, 11), NULL, "-", { 0 },
		"UFFDIO_COPY returns -ENOENT, not -EINVAL, when no registered vma "
		"covers the destination.",
		false },
	[FL_ERA_UFFD_EVENTS] = {
		FL_ERA_UFFD_EVENTS, "uffd_events", V(4, 11), NULL, "-", { 0 },
		"The FORK, REMAP, REMOVE and UNMAP events arrive (a series of "
		"commits).",
		false },
	[FL_ERA_UFFD_SHMEM_HUGETLBFS] = {
		FL_ERA_UFFD_SHMEM_HUGETLBFS, "uffd_shmem_hugetlbfs", V(4, 11), NULL,
		"-", { 0 },
		"MISSING mode works on shmem and hugetlbfs (a series of commits).",
		false },
	[FL_ERA_UFFD_ESRCH] = {
		FL_ERA_UFFD_ESRCH, "uffd_esrch", V(4, 13), NULL, "-", { 0 },
		"UFFDIO_COPY on an mm that has gone returns -ESRCH instead of "
		"-ENOSPC.",
		false },
	[FL_ERA_UFFD_SIGBUS] = {
		FL_ERA_UFFD_SIGBUS, "uffd_sigbus", V(4, 14), NULL, "-", { 0 },
		"UFFD_FEATURE_SIGBUS raises SIGBUS on a missing fault instead of "
		"queueing an event.",
		false },
	[FL_ERA_UFFD_THREAD_ID] = {
		FL_ERA_UFFD_THREAD_ID, "uffd_thread_id", V(4, 14), NULL, "-", { 0 },
		"UFFD_FEATURE_THREAD_ID reports the faulting thread id in "
		"pagefault events.",
		false },
	[FL_ERA_UFFD_MMAP_CHANGING] = {
		FL_ERA_UFFD_MMAP_CHANGING, "uffd_mmap_changing", V(4, 18), "rc1",
		"df2cc96e7701", { 0 },
		"UFFDIO_COPY and ZEROPAGE fail with -EAGAIN, before reading their "
		"arguments, while a non-cooperative event is pending.",
		true },
	[FL_ERA_UFFD_WP] = {
		FL_ERA_UFFD_WP, "uffd_wp", V(5, 7), NULL, "-", { 0 },
		"Write-protect mode and UFFDIO_WRITEPROTECT work on anonymous "
		"memory (a series of commits).",
		false },
	[FL_ERA_UFFD_PAGEFAULT_FLAG_WP] = {
		FL_ERA_UFFD_PAGEFAULT_FLAG_WP, "uffd_pagefault_flag_wp", V(5, 10),
		NULL, "-", { 0 },
		"UFFD_FEATURE_PAGEFAULT_FLAG_WP is advertised by UFFDIO_API.",
		false },
	[FL_ERA_UFFD_USER_MODE_ONLY] = {
		FL_ERA_UFFD_USER_MODE_ONLY, "uffd_user_mode_only", V(5, 11), NULL,
		"-", { 0 },
		"UFFD_USER_MODE_ONLY makes kernel-mode faults in registered "
		"ranges fail instead of raising events.",
		false },
	[FL_ERA_UFFD_MINOR_HUGETLBFS] = {
		FL_ERA_UFFD_MINOR_HUGETLBFS, "uffd_minor_hugetlbfs", V(5, 13), NULL,
		"-", { 0 },
		"MINOR mode and UFFDIO_CONTINUE work on hugetlbfs.",
		false },
	[FL_ERA_UFFD_MINOR_SHMEM] = {
		FL_ERA_UFFD_MINOR_SHMEM, "uffd_minor_shmem", V(5, 14), NULL, "-",
		{ 0 },
		"MINOR mode works on shmem.",
		false },
	[FL_ERA_UFFD_EXACT_ADDRESS] = {
		FL_ERA_UFFD_EXACT_ADDRESS, "uffd_exact_address", V(5, 18), NULL,
		"-", { 0 },
		"UFFD_FEATURE_EXACT_ADDRESS reports the faulting address without "
		"masking it to the page.",
		false },
	[FL_ERA_UFFD_WP_HUGETLBFS_SHMEM] = {
		FL_ERA_UFFD_WP_HUGETLBFS_SHMEM, "uffd_wp_hugetlbfs_shmem", V(5, 19),
		NULL, "-", { 0 },
		"Write-protect mode works on shmem and hugetlbfs.",
		false },
	[FL_ERA_UFFD_WP_UNPOPULATED] = {
		FL_ERA_UFFD_WP_UNPOPULATED, "uffd_wp_unpopulated", V(6, 4), NULL,
		"-", { 0 },
		"UFFD_FEATURE_WP_UNPOPULATED lets write-protect cover anonymous "
		"ranges that were never populated: a uffd-wp marker in each none "
		"pte, so a write there is a write-protect fault.",
		false },
	[FL_ERA_UFFD_POISON] = {
		FL_ERA_UFFD_POISON, "uffd_poison", V(6, 6), NULL, "-", { 0 },
		"UFFD_FEATURE_POISON and UFFDIO_POISON install poisoned entries.",
		false },
	/*
	 * Peter Xu's first patch of the series "Implement IOCTL to get and
	 * optionally clear info about PTEs" (MM updates for 6.7-rc1); the id
	 * is the one Andrew Morton's Fixes: tag names (2024-10-07).
	 */
	[FL_ERA_UFFD_WP_ASYNC] = {
		FL_ERA_UFFD_WP_ASYNC, "uffd_wp_async", V(6, 7), "rc1", "d61ea1cb0095", { 0 },
		"UFFD_FEATURE_WP_ASYNC resolves write-protect faults in the kernel "
		"without an event.",
		true },
	[FL_ERA_UFFD_MOVE] = {
		FL_ERA_UFFD_MOVE, "uffd_move", V(6, 8), NULL, "adef440691ba", { 0 },
		"UFFDIO_MOVE and UFFD_FEATURE_MOVE move pages into a registered "
		"range.",
		false },
	[FL_ERA_UFFD_EAGAIN_COPY_FIELD] = {
		FL_ERA_UFFD_EAGAIN_COPY_FIELD, "uffd_eagain_copy_field", V(6, 15),
		"rc6", "95567729173e", { S(6, 14, 7), 0 },
		"On the mmap_changing -EAGAIN path the ioctls also store -EAGAIN "
		"in their output field instead of leaving it unwritten.",
		true },
	[FL_ERA_UFFD_REMAP_UNREGISTER] = {
		FL_ERA_UFFD_REMAP_UNREGISTER, "uffd_remap_unregister", V(5, 0), "rc1",
		"3cfd22be0ad6", { 0 },
		"A registered vma that mremap moves keeps its userfaultfd context "
		"only with EVENT_REMAP; without it the new vma is unregistered.",
		false },
	[FL_ERA_UFFD_API_CHECKED] = {
		FL_ERA_UFFD_API_CHECKED, "uffd_api_checked", V(6, 10), NULL,
		"1723f04caacb", { S(6, 1, 100), S(6, 6, 41), S(6, 9, 10), 0 },
		"UFFDIO_API fails with -EINVAL for a feature this kernel's arch or "
		"build lacks (write-protect without uffd-wp support), not only for "
		"one it does not know.",
		false },
	[FL_ERA_UFFD_MOVE_ZEROPAGE] = {
		FL_ERA_UFFD_MOVE_ZEROPAGE, "uffd_move_zeropage", V(6, 9), "rc1",
		"eb1521dad8f3", { 0 },
		"UFFDIO_MOVE moves a zero-page pte (the destination maps the zero "
		"page, the source becomes a hole) instead of failing with -EBUSY.",
		true },
	[FL_ERA_UFFD_DEV] = {
		FL_ERA_UFFD_DEV, "uffd_dev", V(6, 1), "rc1", "2d5de004e009", { 0 },
		"/dev/userfaultfd: USERFAULTFD_IOC_NEW makes a context with the "
		"syscall's flags, governed by the device's file permissions instead "
		"of CAP_SYS_PTRACE and vm.unprivileged_userfaultfd.",
		false },
	[FL_ERA_UFFD_WP_REGISTER_CHECKED] = {
		FL_ERA_UFFD_WP_REGISTER_CHECKED, "uffd_wp_register_checked", V(5, 14),
		"rc1", "00b151f21f39", { 0 },
		"UFFDIO_REGISTER with write-protect mode fails with -EINVAL on an "
		"arch without the uffd-wp pte bit, where before it registered a "
		"mode that could not work.",
		false },

	/* ---- §5 mremap ---- */
	[FL_ERA_MREMAP_VMA_FIRST] = {
		FL_ERA_MREMAP_VMA_FIRST, "mremap_vma_first", V(5, 16), "rc1",
		"550a7d60bd5e", { 0 },
		"mremap looks up the vma at the old address first: none is -EFAULT "
		"before a MREMAP_FIXED target is unmapped, and a shrink needs one.",
		true },
	[FL_ERA_MREMAP_EFAULT_SIGN] = {
		FL_ERA_MREMAP_EFAULT_SIGN, "mremap_efault_sign", V(5, 18), NULL,
		"7d1e64966162", { 0 },
		"That -EFAULT gets its sign: before, mremap of an unmapped address "
		"returned 14 (EFAULT) as if it were the new address.",
		true },
	[FL_ERA_MREMAP_CHECKS_FIRST] = {
		FL_ERA_MREMAP_CHECKS_FIRST, "mremap_checks_first", V(6, 17), "rc1",
		"-", { 0 },
		"mremap checks the new range and the old vma's extent before it "
		"unmaps anything: a failing MREMAP_FIXED leaves the target mapped.",
		false },
	[FL_ERA_MREMAP_MULTI_VMA] = {
		FL_ERA_MREMAP_MULTI_VMA, "mremap_multi_vma", V(6, 17), "rc1",
		"d23cb648e365", { 0 },
		"An mremap that only moves (MREMAP_FIXED, same length) may span "
		"several vmas and gaps, keeping the gaps; not uffd-armed vmas.",
		false },
	/* ---- §6 memory failure ---- */
	/*
	 * Judged: debian-5.10 (5.10.223) truncates, debian-6.1 and 6.12 keep
	 * (tests/vm/guest-poison-shmem.fl).  A 5.15.y backport was asked for
	 * in Nov 2022 (with dd0f230a0a80 and 4966455d9100); its level is not
	 * confirmed, so no stable entry.
	 */
	[FL_ERA_SHMEM_HWPOISON_KEPT] = {
		FL_ERA_SHMEM_HWPOISON_KEPT, "shmem_hwpoison_kept", V(5, 17), "rc1",
		"a76054266661", { 0 },
		"A tmpfs page hit by memory failure stays in the page cache marked "
		"HWPoison: reads of it fail with -EIO and faults with SIGBUS, where "
		"before it the page was truncated and the file read zeros there.",
		true },
	/*
	 * "mm/madvise: add MF_ACTION_REQUIRED to madvise(MADV_HWPOISON)" (Jane
	 * Chu, reviewed by Oscar Salvador, 2024-05; mm-stable for the 6.11
	 * merge window).  Its mainline id was not found with the search
	 * tools (only linux-next ids), so the commit is "-".  The judges
	 * place it: debian-6.12 (6.12.117) kills the caller, debian-6.1
	 * (6.1.176) and debian-5.10 (5.10.223) do not (docs/vm.md).
	 */
	[FL_ERA_MADV_HWPOISON_KILLS_CALLER] = {
		FL_ERA_MADV_HWPOISON_KILLS_CALLER, "madv_hwpoison_kills_caller", V(6, 11), NULL,
		"-", { 0 },
		"madvise(MADV_HWPOISON) runs memory_failure() as for an error the "
		"caller consumed: the caller, which maps the page, gets SIGBUS "
		"BUS_MCEERR_AR at its address during the madvise call.",
		false },
	/* ---- §7 /proc/PID/pagemap ---- */
	[FL_ERA_PAGEMAP_EXCLUSIVE] = {
		FL_ERA_PAGEMAP_EXCLUSIVE, "pagemap_exclusive", V(4, 3), "rc1",
		"77bb499bb60f", { 0 },
		"pagemap bit 56 says a page is mapped once (PM_MMAP_EXCLUSIVE), "
		"in the format without page-shift bits: the oldest the model gives.",
		true },
	/*
	 * 5.14, not the 5.13 pagemap.rst says: fb8e37f35a2f was committed
	 * on 2021-06-30 with akpm's 5.14-rc1 batch, beside 00b151f21f39
	 * (uffd_wp_register_checked), after 5.13's release; man-pages'
	 * proc(5) patch for bit 57 says v5.14.  No 5.13 guest can tell.
	 */
	[FL_ERA_PAGEMAP_UFFD_WP] = {
		FL_ERA_PAGEMAP_UFFD_WP, "pagemap_uffd_wp", V(5, 14), NULL,
		"fb8e37f35a2f", { 0 },
		"pagemap bit 57 (PM_UFFD_WP) says a pte or pte marker is "
		"write-protected through userfaultfd.",
		true },
	/*
	 * A guard marker is a swap-type entry, so bit 62 (swapped) was set
	 * for it from 6.13; bit 58 tells it apart (CRIU took guard pages for
	 * swapped-out ones).
	 */
	[FL_ERA_PAGEMAP_GUARD] = {
		FL_ERA_PAGEMAP_GUARD, "pagemap_guard", V(6, 15), "rc1",
		"8e2f2aeb8b48", { 0 },
		"pagemap bit 58 (PM_GUARD_REGION) says a pte is a guard region's "
		"marker; before, such a page read only as swapped.",
		true },
	/*
	 * The ioctl came with UFFD_FEATURE_WP_ASYNC (era uffd_wp_async) in one
	 * series; before it the pagemap file had no unlocked_ioctl, so any
	 * ioctl on it is -ENOTTY.  The PAGE_IS_SOFT_DIRTY category and Peter
	 * Xu's fix (PM_SCAN_WP_MATCHING skips a vma without async WP) are in
	 * the 6.7-rc tree as well: the model has them from 6.7.
	 */
	[FL_ERA_PAGEMAP_SCAN] = {
		FL_ERA_PAGEMAP_SCAN, "pagemap_scan", V(6, 7), "rc1",
		"52526ca7fdb9", { 0 },
		"ioctl(PAGEMAP_SCAN) on /proc/PID/pagemap reports ranges of pages "
		"by category and write-protects the written ones; before, -ENOTTY.",
		true },
	/*
	 * Andrei Vagin's series is in Andrew Morton's "MM updates for
	 * 6.16-rc1" pull (2025-05-31); the mainline id is the one Lorenzo
	 * Stoakes's VM_MAYBE_GUARD patch quotes.
	 */
	[FL_ERA_PAGEMAP_SCAN_GUARD] = {
		FL_ERA_PAGEMAP_SCAN_GUARD, "pagemap_scan_guard", V(6, 16), "rc1",
		"a516403787e0", { 0 },
		"PAGEMAP_SCAN has the category PAGE_IS_GUARD (bit 8); before, a "
		"mask naming it is -EINVAL.",
		true },
	/*
	 * David Hildenbrand's one-line fix (lore
	 * 20250617143532.2375383-1-david@redhat.com, "Fixes: 52526ca7fdb9"):
	 * pagemap_thp_category asked is_zero_pfn() of a PMD, which is never
	 * true for the huge zero folio.  A 6.16-rc hotfix (the -rc not read);
	 * Greg Kroah-Hartman's 6.12.36-rc1 and 6.15 stable reviews of
	 * 2025-07-03 carry it as "commit 4a5e85f4eb8f upstream".
	 */
	[FL_ERA_PAGEMAP_SCAN_HUGE_ZERO] = {
		FL_ERA_PAGEMAP_SCAN_HUGE_ZERO, "pagemap_scan_huge_zero", V(6, 16), NULL,
		"4a5e85f4eb8f", { S(6, 12, 36), S(6, 15, 5), 0 },
		"PAGEMAP_SCAN reports a PMD mapping of the huge zero page as "
		"PAGE_IS_PFNZERO; before, as present (and huge) only.",
		true },
	/*
	 * Jakub Acs's fix (lore 20250922082206.6889-1-acsjakub@amazon.de,
	 * found by syzkaller, "Fixes: 52526ca7fdb9"): without a vec there is
	 * no bounce buffer, and pagemap_scan_backout_range read through the
	 * NULL one - an oops.  In Andrew Morton's "hotfixes for 6.17" pull of
	 * 2025-09-27 (which allowed holding it for 6.18-rc1: whether 6.17.0
	 * has it is not read); the 6.16.10-rc1 review quotes the mainline id.
	 * Debian's 6.12.117 has it (the scan runs there without an oops); the
	 * first 6.12.y with it was not found, so the model refuses the scan
	 * on earlier 6.12.y rather than guess.
	 */
	[FL_ERA_PAGEMAP_SCAN_BACKOUT_NO_VEC] = {
		FL_ERA_PAGEMAP_SCAN_BACKOUT_NO_VEC, "pagemap_scan_backout_no_vec", V(6, 17), NULL,
		"28aa29986dde", { S(6, 12, 117), S(6, 16, 10), 0 },
		"A write-protecting PAGEMAP_SCAN without a vec over part of a written "
		"PMD mapping or hugetlb page goes on (the PMD split, the hugetlb "
		"page left); before, the kernel dereferenced a NULL buffer.",
		false },
	/*
	 * The check is file_ns_capable() on the open file: the opener's
	 * credentials count, not the reader's (backend/host_child.c opens
	 * it from a thread that dropped the capability).
	 */
	[FL_ERA_PAGEMAP_PFN_HIDDEN] = {
		FL_ERA_PAGEMAP_PFN_HIDDEN, "pagemap_pfn_hidden", V(4, 2), NULL,
		"1c90308e7a77", { 0 },
		"pagemap is readable without CAP_SYS_ADMIN and its PFN field "
		"(bits 0-54) then reads 0; 4.0 and 4.1 refused such an open "
		"(EPERM), earlier kernels showed the PFN to anyone.",
		false },
	/* ---- §8 pipes and splice ---- */
	/*
	 * Before it, splice and tee looked at SPLICE_F_NONBLOCK only: an
	 * O_NONBLOCK pipe with nothing to give or no room made them wait.
	 * The debian 5.10, 6.1 and 6.12 guests fold O_NONBLOCK in
	 * (tests/host/pipe-splice-block.fl, pipe-tee.fl under make test-vm).
	 */
	[FL_ERA_SPLICE_PIPE_NONBLOCK] = {
		FL_ERA_SPLICE_PIPE_NONBLOCK, "splice_pipe_nonblock", V(5, 1), "rc1",
		"ee5e001196d1", { 0 },
		"splice(2) and tee(2) take a pipe's O_NONBLOCK as SPLICE_F_NONBLOCK "
		"(either end for pipe to pipe and tee, the pipe end for a splice "
		"with a file); before, only the flags argument kept them from waiting.",
		false },
	[FL_ERA_SPLICE_NEEDS_OPS] = {
		FL_ERA_SPLICE_NEEDS_OPS, "splice_needs_ops", V(5, 10), NULL,
		"36e2c7421f02", { 0 },
		"splice(2) out of a file whose file system has no splice_read "
		"(hugetlbfs) is -EINVAL; before, default_file_splice_read read it "
		"through its read op.",
		false },
	/* ---- §9 guard regions ---- */
	[FL_ERA_MADV_GUARD] = {
		FL_ERA_MADV_GUARD, "madv_guard", V(6, 13), "rc1",
		"662df3e5c376", { 0 },
		"madvise(MADV_GUARD_INSTALL/REMOVE) puts and takes guard markers in "
		"private anonymous memory that may be written: a user access to one "
		"is SIGSEGV, a kernel access -EFAULT; before, both advices are -EINVAL.",
		true },
	/*
	 * The series "mm: permit guard regions for file-backed/shmem
	 * mappings" (Lorenzo Stoakes) is in the MM pull for 6.15-rc1; the
	 * mainline id of its first patch is the one the same author's
	 * VM_MAYBE_GUARD patch quotes ("since commit f807123d578d").
	 */
	[FL_ERA_MADV_GUARD_FILE] = {
		FL_ERA_MADV_GUARD_FILE, "madv_guard_file", V(6, 15), "rc1",
		"f807123d578d", { 0 },
		"Guard regions are allowed in any mapping that is not VM_SPECIAL "
		"nor hugetlb: shared, file-backed and read-only ones too "
		"(before, -EINVAL).",
		true },
	/*
	 * Found by the real 5.10.223 (debian-5.10-amd64), which answers
	 * guard-regions.c's populate case with -EINVAL where the model, having
	 * no era for the advice, populated.
	 */
	[FL_ERA_MADV_POPULATE] = {
		FL_ERA_MADV_POPULATE, "madv_populate", V(5, 14), "rc1",
		"4ca9b3859dac", { 0 },
		"madvise(MADV_POPULATE_READ/WRITE) faults a range in as a read or "
		"a write would, -EFAULT where that fault would signal; before, "
		"both advices are -EINVAL.",
		true },
	/*
	 * CVE-2025-21696 lists 5.7 up to 6.12.10 as affected and names no
	 * other stable line: debian-6.1 (6.1.176) keeps the bit, debian-6.12
	 * (6.12.117) clears it (uffd-wp-mremap.c's translations).
	 */
	[FL_ERA_UFFD_WP_MREMAP_CLEAR] = {
		FL_ERA_UFFD_WP_MREMAP_CLEAR, "uffd_wp_mremap_clear", V(6, 13), NULL,
		"0cef0bb836e3", { S(6, 12, 11), 0 },
		"mremap of a vma registered without EVENT_REMAP clears the uffd-wp "
		"state of the ptes it moves (a marker holding only it becomes none); "
		"before, the bit stayed on a vma no longer registered.",
		true },
	/* ---- §10 sockets ---- */
	[FL_ERA_UNIX_DGRAM_PEER_LATE] = {
		FL_ERA_UNIX_DGRAM_PEER_LATE, "unix_dgram_peer_late", V(6, 14), NULL,
		"-", { 0 },
		"unix_dgram_sendmsg looks up a connected socket's peer after the size "
		"check, the send-buffer room and the copy (before, -ENOTCONN came "
		"first).",
		false },
	[FL_ERA_UNIX_OOB] = {
		FL_ERA_UNIX_OOB, "unix_oob", V(5, 15), "rc1",
		"314001f0bf92", { 0 },
		"An AF_UNIX stream takes MSG_OOB (CONFIG_AF_UNIX_OOB): a send queues "
		"its last byte out of band, a read with MSG_OOB and no such byte is "
		"-EINVAL (before, both -EOPNOTSUPP).",
		false },
	/* ---- §11 more madvise advice ---- */
	[FL_ERA_MADV_FREE] = {
		FL_ERA_MADV_FREE, "madv_free", V(4, 5), "rc1",
		"854e9ed09ded", { 0 },
		"madvise(MADV_FREE) makes private anonymous pages lazily freeable: "
		"reclaim discards the ones not written since; before, -EINVAL.",
		true },
	[FL_ERA_MADV_COLD] = {
		FL_ERA_MADV_COLD, "madv_cold", V(5, 4), "rc1",
		"9c276cc65a58", { 0 },
		"madvise(MADV_COLD) deactivates pages (nothing a scenario sees); "
		"before, -EINVAL.",
		true },
	/* ---- §12 transparent huge pages (mm/huge_memory.c) ---- */
	/*
	 * "thp: change CoW semantics for anon-THP" (Kirill Shutemov): fixes
	 * naming it carry "Cc: stable # v5.8+"; Yang Shi's June 2020 patches
	 * say the CoW fault "just splits pmd then fallback to base page
	 * fault" since it.  The model refuses THP before it.
	 */
	[FL_ERA_THP_COW_SPLIT] = {
		FL_ERA_THP_COW_SPLIT, "thp_cow_split", V(5, 8), "rc1",
		"3917c80280c9", { 0 },
		"A write to a PMD-mapped anonymous THP that cannot be reused, or to "
		"the huge zero page, splits the PMD and copies one base page; before, "
		"the whole huge page was copied (not modelled: THP is refused).",
		true },
	/*
	 * Zach O'Keefe's man-pages patch (Oct 2022): "Linux 6.1 introduced
	 * MADV_COLLAPSE in upstream commit 7d8faaf15545"; the commit says the
	 * call is independent of the sysfs THP settings but fails for
	 * VM_NOHUGEPAGE memory.
	 */
	[FL_ERA_MADV_COLLAPSE] = {
		FL_ERA_MADV_COLLAPSE, "madv_collapse", V(6, 1), "rc1",
		"7d8faaf15545", { 0 },
		"madvise(MADV_COLLAPSE) collapses the range's base pages into THPs "
		"synchronously (a copy, mapped by a PMD); before, it is -EINVAL.",
		true },
	/*
	 * "mm: allocate THP on hugezeropage wp-fault" (Dev Jain, 1ced09e0331f):
	 * in the torvalds/linux master push of 2024-11-23 (228a1157fb9f to
	 * 42d9e8b7ccdd), between v6.12 (Nov 17) and v6.13-rc1 (Dec 1), so the
	 * 6.13 merge window; Wei Yang's 2025 fix of do_huge_zero_wp_pmd()
	 * names it by that id.
	 */
	[FL_ERA_HUGE_ZERO_WP_ALLOC] = {
		FL_ERA_HUGE_ZERO_WP_ALLOC, "huge_zero_wp_alloc", V(6, 13), "rc1",
		"1ced09e0331f", { 0 },
		"A write to the huge zero page maps a new zeroed THP by the PMD; "
		"before, the PMD is split into zero-page ptes and one base page is "
		"copied.",
		true },
	/*
	 * Dev Jain's "mm: enable khugepaged anonymous collapse on non-writable
	 * regions" (62b98015d988) with "mm: drop all references of writable
	 * and SCAN_PAGE_RO" (473b73222f3d): in the torvalds/linux master push
	 * of 2025-10-03 (24d9e8b3c9c8 to e406d57be7bd), between v6.17 (Sep 28)
	 * and v6.18-rc1 (Oct 12).  Judged: the 6.18.44 host collapses a
	 * PTE-mapped THP that fork left read-only, debian-6.12-amd64 (6.12.117)
	 * answers EINVAL.
	 */
	[FL_ERA_COLLAPSE_READ_ONLY] = {
		FL_ERA_COLLAPSE_READ_ONLY, "collapse_read_only", V(6, 18), "rc1",
		"62b98015d988", { 0 },
		"MADV_COLLAPSE (and khugepaged) collapse a range whose ptes are all "
		"read-only; before, such a range is SCAN_PAGE_RO: -EINVAL.",
		true },
	/* ---- §11 more madvise advice: process_madvise ---- */
	[FL_ERA_PROCESS_MADVISE] = {
		FL_ERA_PROCESS_MADVISE, "process_madvise", V(5, 10), "rc1",
		"ecb8ac8b1f14", { 0 },
		"process_madvise(2) gives one advice over each of a vector of ranges "
		"of the process a pidfd names (COLD, PAGEOUT, WILLNEED); before, "
		"-ENOSYS.",
		true },
	/*
	 * Lorenzo Stoakes's "mm/madvise: unrestrict process_madvise() for
	 * current process": 021781b01275 in mm-stable as linux-next logged it
	 * in November 2024, merged for 6.13-rc1.
	 */
	[FL_ERA_PROCESS_MADVISE_SELF] = {
		FL_ERA_PROCESS_MADVISE_SELF, "process_madvise_self", V(6, 13), "rc1",
		"021781b01275", { 0 },
		"process_madvise(2) on the caller's own address space takes every "
		"madvise() advice (MADV_GUARD_INSTALL too); before, only the remote "
		"hints, else -EINVAL.",
		false },
	/*
	 * ---- §13 memfd seals ----
	 * Lorenzo Stoakes's series ("mm: drop the assumption that VM_SHARED
	 * always implies writable", "mm: update memfd seal write check to
	 * include F_SEAL_WRITE", 158978945f31 "mm: perform the
	 * mapping_map_writable() check after call_mmap()"): in mm-stable for
	 * the 6.7 merge window; the stable bot's answer to a 5.4.y backport
	 * (Isaac Manjarres, July 2025) gives the full upstream id and finds it
	 * in 6.12.y.  Backports to 5.4.y-6.6.y were posted then (the 5.15
	 * queue took the series on 2025-08-22).  Judged: debian-6.1-amd64
	 * (6.1.176) maps a write-sealed memfd shared and read-only, as the
	 * era says; the first 6.1.y release that does is not known, so 176
	 * is an upper bound; debian-5.10-amd64 (5.10.223, July 2024) refuses.
	 * Not modelled: 5de195060b2e ("mm: resolve faulty mmap_region()
	 * error path behaviour", 6.12) undid it until "mm: reinstate ability
	 * to map write-sealed memfd mappings read-only" (6.13; 6.12.y in
	 * January 2025): 6.12.0 to about 6.12.8 refuse again.
	 */
	[FL_ERA_MEMFD_SEAL_RO_MAP] = {
		FL_ERA_MEMFD_SEAL_RO_MAP, "memfd_seal_ro_map", V(6, 7), "rc1",
		"158978945f31", { S(6, 1, 176), 0 },
		"A memfd sealed F_SEAL_WRITE may be mapped shared and read-only (its "
		"VM_MAYWRITE is cleared), and only shared mappings that may write "
		"stop F_SEAL_WRITE (-EBUSY); before, any shared mapping did, and a "
		"shared mapping of a write-sealed memfd was -EPERM.",
		true },
};

const struct fl_era *fl_era(enum fl_era_id id)
{
	if ((unsigned)id >= FL_ERA_COUNT)
		return NULL;
	return &table[id];
}

const struct fl_era *fl_era_by_name(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < FL_ERA_COUNT; i++)
		if (!strcmp(table[i].name, name))
			return &table[i];
	return NULL;
}

fl_kver_t fl_kver_newest(void)
{
	return FL_KVER_NEWEST;
}
