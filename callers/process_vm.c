/*
 * callers/process_vm.c - process_vm_readv/writev (mm/process_vm_access.c):
 * copy between the current process's iovecs and another process's memory.
 *
 * The two sides are reached differently:
 *   local   the caller's own memory, through an iov_iter: copy_to_user /
 *           copy_from_user per segment, faults handled.
 *   remote  the other process's pages, taken with GUP on its mm
 *           (pin_user_pages_remote; get_user_pages_remote in older
 *           kernels), no FOLL_FORCE: a PROT_NONE page, or a write to a
 *           read-only one, is -EFAULT; a missing page is faulted in (a
 *           write fault breaks COW), as the remote process's own access
 *           would.
 *
 * The loop, per remote iovec, per batch of at most 1024 pages
 * (PVM_MAX_KMALLOC_PAGES worth of page pointers):
 *
 *     pinned = GUP(batch)          pages before the first failure;
 *                                  none at all: -EFAULT, stop
 *     per pinned page: copy_page_{to,from}_iter of its part of the iovec;
 *                      short while the local side still has room: -EFAULT,
 *                      stop
 *
 *   returns the bytes the local iterator moved if > 0, else the error.
 *
 * So one remote iovec is split per page and its good prefix counts (host
 * case 8: remote straddle(10) of 20 gives 10, although the man page says
 * partial transfers happen at iovec granularity), and a bad local buffer
 * gives its good prefix too.
 *
 * Before any of that (fl_process_vm_call): flags other than 0 are
 * -EINVAL; the local iovec array is read from user memory when the call
 * names one (iovec_from_user: -EFAULT, -EINVAL beyond UIO_MAXIOV) and
 * imported; nothing local to move returns 0; then the remote array is
 * read the same way; then the pid: a process that has exited, zombie or
 * reaped, is -ESRCH (no task, or a task without an mm).
 *
 * What the model leaves out: ptrace access checks (mm_access), and pin
 * accounting: the remote page is held
 * with a plain folio reference while it is copied (the kernel's FOLL_PIN
 * adds GUP_PIN_COUNTING_BIAS; nothing here can observe it mid-call).
 * GUP itself is emulated here until gup/ offers get_user_pages_remote.
 */
#include <stdlib.h>
#include <string.h>

#include "callers/internal.h"

#define PVM_MAX_PAGES_PER_LOOP 1024u

/*
 * One page of GUP on a remote mm: check the vma as check_vma_flags does
 * without FOLL_FORCE, fault the page in as needed, take a reference.
 * 0 and *OUT, or -EFAULT.
 */
static int gup_remote_page(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr,
			   bool write, struct fl_folio **out)
{
	unsigned flags = (write ? FL_FAULT_WRITE : 0) | FL_FAULT_REMOTE;
	int tries;

	fl_hook_fire(w, FL_HOOK_GUP);
	for (tries = 0; tries < 4; tries++) {
		struct fl_vma *vma = fl_vma_lookup(mm, addr);
		fl_pte_t *pte;
		unsigned ret;

		if (!vma || (vma->flags & (FL_VM_IO | FL_VM_PFNMAP)))
			return -EFAULT;
		if (write ? !(vma->flags & FL_VM_WRITE) : !(vma->flags & FL_VM_READ))
			return -EFAULT;
		pte = fl_pte_lookup(mm, addr);
		if (pte && (pte->flags & FL_PTE_PRESENT) &&
		    (!write || (pte->flags & FL_PTE_WRITE))) {
			fl_folio_get(pte->folio);
			*out = pte->folio;
			return 0;
		}
		ret = fl_handle_mm_fault(w, vma, FL_PAGE_ALIGN_DOWN(addr), flags);
		if (ret & FL_VM_FAULT_ERROR)
			return -EFAULT;
	}
	return -EFAULT;
}

/* GUP of up to NR pages from PA: the pages before the first failure, or -EFAULT. */
static long gup_remote(struct fl_world *w, struct fl_mm *mm, fl_addr_t pa,
		       unsigned long nr, bool write, struct fl_folio **pages)
{
	unsigned long k;

	for (k = 0; k < nr; k++) {
		if (gup_remote_page(w, mm, pa + k * FL_PAGE_SIZE, write, &pages[k])) {
			fl_trace(w, "process_vm: GUP of remote page 0x%llx failed: %s",
				 (unsigned long long)(pa + k * FL_PAGE_SIZE),
				 k ? "stop the batch there" : "-EFAULT");
			break;
		}
	}
	return k ? (long)k : -EFAULT;
}

/* process_vm_rw_pages: copy LEN bytes from OFFSET of PAGES[0]. 0 or -EFAULT. */
static int process_vm_rw_pages(struct fl_world *w, struct fl_folio **pages,
			       size_t offset, size_t len, struct fl_iov_iter *iter,
			       bool vm_write)
{
	uint8_t kpage[FL_PAGE_SIZE];

	while (len && iter->count) {
		struct fl_folio *folio = *pages++;
		size_t copy = FL_PAGE_SIZE - offset, copied;

		if (copy > len)
			copy = len;
		if (vm_write) {
			copied = fl_copy_from_iter(w, kpage, copy, iter);
			memcpy(fl_frame_mut(w, folio->frame) + offset, kpage, copied);
			if (copied && folio->mapping)
				folio->flags |= FL_FOLIO_DIRTY;
		} else {
			memcpy(kpage, fl_frame(w, folio->frame) + offset, copy);
			copied = fl_copy_page_to_iter(w, kpage, copy, iter);
		}
		len -= copied;
		if (copied < copy && iter->count) {
			fl_trace(w, "process_vm: local copy moved %zu of %zu: -EFAULT", copied, copy);
			return -EFAULT;
		}
		offset = 0;
	}
	return 0;
}

/* process_vm_rw_single_vec: one remote iovec, batch by batch. */
static int process_vm_rw_single_vec(struct fl_world *w, struct fl_mm *mm,
				    fl_addr_t addr, size_t len,
				    struct fl_iov_iter *iter, bool vm_write)
{
	struct fl_folio *pages[PVM_MAX_PAGES_PER_LOOP];
	fl_addr_t pa = FL_PAGE_ALIGN_DOWN(addr);
	size_t start_offset = (size_t)(addr - pa);
	unsigned long nr_pages;
	int rc = 0;

	if (!len)
		return 0;
	nr_pages = (unsigned long)((addr + len - 1) / FL_PAGE_SIZE - addr / FL_PAGE_SIZE + 1);
	while (!rc && nr_pages && iter->count) {
		unsigned long want = nr_pages < PVM_MAX_PAGES_PER_LOOP ?
				     nr_pages : PVM_MAX_PAGES_PER_LOOP;
		long pinned = gup_remote(w, mm, pa, want, vm_write, pages);
		size_t bytes;
		long k;

		if (pinned <= 0)
			return -EFAULT;
		bytes = (size_t)pinned * FL_PAGE_SIZE - start_offset;
		if (bytes > len)
			bytes = len;
		rc = process_vm_rw_pages(w, pages, start_offset, bytes, iter, vm_write);
		len -= bytes;
		start_offset = 0;
		nr_pages -= (unsigned long)pinned;
		pa += (fl_addr_t)pinned * FL_PAGE_SIZE;
		for (k = 0; k < pinned; k++)
			fl_folio_put(w, pages[k]);
	}
	return rc;
}

static long process_vm_rw(struct fl_world *w, struct fl_process *remote,
			  const struct fl_iovec *local, unsigned long liovcnt,
			  const struct fl_iovec *riov, unsigned long riovcnt,
			  bool vm_write)
{
	struct fl_iov_iter iter;
	unsigned long k, nr_pages = 0;
	size_t total_len, rtotal = 0;
	int rc;

	rc = fl_import_iovec(w, vm_write ? FL_ITER_SOURCE : FL_ITER_DEST, local,
			     liovcnt, &iter);
	if (rc)
		return rc;
	if (!iter.count)
		return 0;
	/* The remote iovecs are only checked for size: no access_ok. */
	if (riovcnt > FL_UIO_MAXIOV || (!riov && riovcnt))
		return -EINVAL;
	for (k = 0; k < riovcnt; k++) {
		if (riov[k].len > (size_t)INT64_MAX - rtotal)
			return -EINVAL;
		rtotal += riov[k].len;
		if (riov[k].len) {
			unsigned long n = (unsigned long)((riov[k].base + riov[k].len - 1) /
				FL_PAGE_SIZE - riov[k].base / FL_PAGE_SIZE + 1);

			nr_pages = n > nr_pages ? n : nr_pages;
		}
	}
	if (!nr_pages)
		return 0;
	if (!remote || remote->exited || !remote->mm)
		return -ESRCH;
	total_len = iter.count;
	rc = 0;
	for (k = 0; k < riovcnt && iter.count && !rc; k++)
		rc = process_vm_rw_single_vec(w, remote->mm, riov[k].base, riov[k].len,
					      &iter, vm_write);
	total_len -= iter.count;
	return total_len ? (long)total_len : rc;
}

/* An iovec array as the call gives it: OWN, or user memory at UVEC. */
static int pvm_vec(struct fl_world *w, bool at_user, fl_addr_t uvec,
		   const struct fl_iovec *own, unsigned long n, struct fl_iovec **out)
{
	struct fl_iovec *v;
	int err;

	*out = (struct fl_iovec *)own;
	if (!at_user || n > FL_UIO_MAXIOV)
		return 0;       /* too many: the core's -EINVAL, before any read */
	v = calloc(n + 1, sizeof(*v));  /* the call's own, freed before it returns */
	if (!v)
		return -ENOMEM;
	err = fl_iovec_from_user(w, uvec, n, v);
	if (err) {
		free(v);
		return err;
	}
	*out = v;
	return 0;
}

static void pvm_vec_put(struct fl_iovec *v, const struct fl_iovec *own)
{
	if (v != own)
		free(v);
}

long fl_process_vm_call(struct fl_world *w, struct fl_process *remote,
			const struct fl_pvm_call *c)
{
	struct fl_iovec *local = NULL, *riov = NULL;
	struct fl_iov_iter iter;
	long ret;

	if (c->flags)
		return -EINVAL;
	ret = pvm_vec(w, c->local_at_user, c->lvec, c->local, c->liovcnt, &local);
	if (!ret)
		ret = fl_import_iovec(w, c->write ? FL_ITER_SOURCE : FL_ITER_DEST, local,
				      c->liovcnt, &iter);
	if (!ret && iter.count)
		ret = pvm_vec(w, c->remote_at_user, c->rvec, c->riov, c->riovcnt, &riov);
	if (!ret && iter.count)
		ret = process_vm_rw(w, remote, local, c->liovcnt, riov, c->riovcnt, c->write);
	pvm_vec_put(local, c->local);
	pvm_vec_put(riov, c->riov);
	return ret;
}

long fl_process_vm_readv(struct fl_world *w, struct fl_process *remote,
			 const struct fl_iovec *local, unsigned long liovcnt,
			 const struct fl_iovec *riov, unsigned long riovcnt)
{
	return process_vm_rw(w, remote, local, liovcnt, riov, riovcnt, false);
}

long fl_process_vm_writev(struct fl_world *w, struct fl_process *remote,
			  const struct fl_iovec *local, unsigned long liovcnt,
			  const struct fl_iovec *riov, unsigned long riovcnt)
{
	return process_vm_rw(w, remote, local, liovcnt, riov, riovcnt, true);
}
