/*
 * uffd/mfill.c - the range ioctls: UFFDIO_COPY, UFFDIO_ZEROPAGE,
 * UFFDIO_CONTINUE, UFFDIO_POISON (mfill_atomic and its steps), UFFDIO_WAKE
 * and UFFDIO_WRITEPROTECT, with each era's errno and output field.
 *
 * Why: the output field (copy, zeropage, mapped) and the return value are
 * where handlers go wrong; they changed in 4.11 (-ENOENT), 4.13 (-ESRCH),
 * 4.18 (mmap_changing) and 6.15 (the field on -EAGAIN).
 *
 * Order of the checks of UFFDIO_COPY (the order is observable):
 *   1. context before UFFDIO_API                  -EINVAL, field untouched
 *   2. mmap_changing (4.18)                       -EAGAIN, field untouched,
 *                                                 or -EAGAIN (6.15, 6.14.7)
 *   3. range (alignment, len 0, user range), src wrap, mode bits
 *                                                 -EINVAL, field untouched
 *   4. owner's mm gone                            -ESRCH (4.13), -ENOSPC
 *                                                 (4.11-4.12), field untouched
 *   5. mfill_atomic: field = bytes copied, or -errno if none; the ioctl
 *      returns 0 if all was copied, -EAGAIN if part was, else the errno.
 *
 * mfill_atomic's internal retry (the -ENOENT of a step): the source is
 * first copied with page faults disabled, because the kernel holds
 * mmap_lock; if that falls short the step answers -ENOENT, the lock is
 * dropped, the page is copied with faults allowed and everything is looked
 * up again.  So a source that is merely not present costs a retry, and
 * only an unreadable source gives -EFAULT.  The -ENOENT never leaves.
 */
#include <stdlib.h>
#include <string.h>

#include <faultline/uaccess.h>

#include "uffd/internal.h"

enum mfill_kind { MFILL_COPY, MFILL_ZEROPAGE, MFILL_CONTINUE, MFILL_POISON };

struct mfill {
	struct fl_uffd_ctx *ctx;
	struct fl_mm *mm;
	enum mfill_kind kind;
	fl_addr_t dst, src;          /* starts */
	const uint8_t *src_buf;      /* a kernel source instead of SRC */
	uint64_t len, mode;
	struct fl_folio *folio;      /* COPY: the page holding the source bytes */
};

/*
 * mmap_changing (4.18, df2cc96e7701): a non-cooperative event is unread,
 * so the monitor's view of the layout is stale.  From 6.15-rc6
 * (95567729173e, also 6.14.7) the output field says -EAGAIN too; before,
 * it kept whatever the caller had put there.
 */
int uffd_mmap_changing(struct fl_world *w, struct fl_uffd_ctx *ctx, int64_t *field)
{
	if (!fl_since(w, FL_ERA_UFFD_MMAP_CHANGING) || !ctx->mmap_changing)
		return 0;
	if (field && fl_since(w, FL_ERA_UFFD_EAGAIN_COPY_FIELD))
		*field = -EAGAIN;
	return fl_error(w, -EAGAIN, "uffd: mmap_changing: read the pending event first");
}

/* -ESRCH (4.13) / -ENOSPC (4.11-4.12) when the owner's mm has gone. */
int uffd_mm_gone(struct fl_world *w)
{
	/* e86b298bebf7 (4.13) replaced -ENOSPC with -ESRCH. */
	int err = fl_since(w, FL_ERA_UFFD_ESRCH) ? -ESRCH : -ENOSPC;

	return fl_error(w, err, "uffd: the registered mm has gone");
}

/*
 * find_dst_vma: the vma holding all of [dst, dst + len) and registered to
 * a userfaultfd, or NULL.  find_vma may land on a vma above DST (after a
 * munmap): that is NULL too.
 */
static struct fl_vma *find_dst_vma(struct fl_mm *mm, fl_addr_t dst, uint64_t len)
{
	struct fl_vma *vma = fl_find_vma(mm, dst);

	if (!vma || dst < vma->start || dst + len > vma->end || !vma->uffd_ctx)
		return NULL;
	return vma;
}

/*
 * mfill_atomic_hugetlb's checks: UFFDIO_ZEROPAGE is -EINVAL on hugetlb
 * (mfill_atomic: "There is no default zero huge page for all huge page
 * sizes"), and the range must be whole huge pages (-EINVAL).
 */
static int mfill_check_hugetlb(struct fl_world *w, const struct mfill *mf,
			       const struct fl_vma *vma)
{
	fl_addr_t mask = fl_vma_hpage_size(w, vma) - 1;

	if (mf->kind == MFILL_ZEROPAGE)
		return fl_error(w, -EINVAL, "UFFDIO_ZEROPAGE: not on hugetlb");
	if ((mf->dst & mask) || (mf->len & mask))
		return fl_error(w, -EINVAL, "uffd: 0x%llx+0x%llx is not whole huge pages",
				(unsigned long long)mf->dst, (unsigned long long)mf->len);
	return 0;
}

/* -EINVAL unless VMA is one mfill can fill in this way. */
static int mfill_check_vma(struct fl_world *w, const struct mfill *mf,
			   const struct fl_vma *vma)
{
	bool anon = !vma->file && !(vma->flags & FL_VM_SHARED);

	/* mfill_atomic: a WP fill needs a vma registered WP, hugetlb too */
	if ((mf->mode & FL_UFFDIO_COPY_MODE_WP) && mf->kind != MFILL_ZEROPAGE &&
	    !(vma->flags & FL_VM_UFFD_WP))
		return fl_error(w, -EINVAL, "uffd: mode WP on a vma not registered WP");
	if (fl_vma_is_hugetlb(vma))
		return mfill_check_hugetlb(w, mf, vma);
	if (mf->kind == MFILL_CONTINUE && !fl_vma_is_shmem(vma))
		return fl_error(w, -EINVAL, "UFFDIO_CONTINUE: not shmem");
	if (anon)
		return 0;
	if (fl_vma_is_shmem(vma) && fl_since(w, FL_ERA_UFFD_SHMEM_HUGETLBFS))
		return 0;
	return fl_error(w, -EINVAL, "uffd: vma is neither anonymous nor shmem");
}

/*
 * COPY, first half: the source page into mf->folio.  -ENOENT (the special
 * one) when the copy with page faults disabled falls short.
 */
static int mfill_copy_source(struct fl_world *w, struct mfill *mf, uint64_t off)
{
	uint8_t *to;
	unsigned long left;

	if (mf->folio)      /* filled by the retry */
		return 0;
	mf->folio = fl_folio_alloc(w);
	if (!mf->folio)
		return -ENOMEM;
	to = fl_frame_mut(w, mf->folio->frame);
	if (mf->src_buf) {
		memcpy(to, mf->src_buf + off, FL_PAGE_SIZE);
		return 0;
	}
	fl_pagefault_disable(w);
	left = fl_copy_from_user(w, to, mf->src + off, FL_PAGE_SIZE);
	fl_pagefault_enable(w);
	if (left) {
		fl_trace(w, "mfill_atomic_pte_copy: source 0x%llx short by %lu with "
			 "faults disabled: -ENOENT, retry outside the lock",
			 (unsigned long long)(mf->src + off), left);
		return -ENOENT;
	}
	return 0;
}

static uint32_t mfill_pte_flags(struct fl_world *w, const struct mfill *mf,
				const struct fl_vma *vma)
{
	uint32_t flags = FL_PTE_YOUNG | FL_PTE_MKDIRTY;     /* soft-dirty too */

	if (mf->mode & FL_UFFDIO_COPY_MODE_WP)
		return flags | (uffd_arch_has_wp(w) ? FL_PTE_UFFD_WP : 0);
	if (vma->flags & FL_VM_WRITE)
		flags |= FL_PTE_WRITE;
	return flags;
}

/*
 * May the step install over PTE, which is not none?  Only over a pte
 * marker, and only where the kernel tests pte_none_mostly():
 * mfill_atomic_install_pte(), which COPY, CONTINUE and shmem's shared
 * fill go through ("We allow to overwrite a pte marker", 5.19).  The anon
 * ZEROPAGE and POISON test pte_none(): a UFFDIO_POISON marker is -EEXIST
 * to them, but a later UFFDIO_COPY replaces it (seen on 6.18).
 */
static bool mfill_may_overwrite(const struct mfill *mf, const fl_pte_t *pte, bool cache)
{
	if (!(pte->flags & FL_PTE_MARKER))
		return false;
	return mf->kind == MFILL_COPY || mf->kind == MFILL_CONTINUE ||
	       (mf->kind == MFILL_ZEROPAGE && cache);
}

/* Install the page of one step at ADDR of VMA. */
static int mfill_install(struct fl_world *w, struct mfill *mf, struct fl_vma *vma,
			 fl_addr_t addr)
{
	uint64_t index = vma->pgoff + ((addr - vma->start) >> FL_PAGE_SHIFT);
	bool cache = fl_vma_is_shmem(vma) && (vma->flags & FL_VM_SHARED);
	fl_pte_t *pte = fl_pte_alloc(w, mf->mm, addr);
	struct fl_folio *folio;

	if (!pte)
		return -ENOMEM;
	if (pte->flags & FL_PTE_GUARD)
		return fl_error(w, -EOPNOTSUPP, "a uffd fill over a guard marker "
				"(0x%llx) is not modelled", (unsigned long long)addr);
	if (pte->flags && !mfill_may_overwrite(mf, pte, cache))
		return fl_error(w, -EEXIST, "uffd: 0x%llx is already populated",
				(unsigned long long)addr);
	if (mf->kind == MFILL_POISON) {
		/*
		 * mfill_atomic_pte_poison (6.6, fc71884a5f59): a poison marker
		 * in the none pte, anon or shmem alike; the page cache is not
		 * looked at.  Accesses fault as on a memory failure: SIGBUS
		 * for the user, a short copy (-EFAULT) for uaccess.
		 */
		pte->flags = FL_PTE_POISON | FL_PTE_MARKER;
		return 0;
	}
	if (cache && !vma->file && fl_shmem_zero_setup(w, vma))
		return -ENOMEM;
	if (mf->kind == MFILL_CONTINUE) {
		folio = fl_filemap_get_folio(w, vma->file, index, false);
		if (!folio)
			return fl_error(w, -EFAULT, "UFFDIO_CONTINUE: no page cache folio");
		fl_pte_set_folio(w, pte, folio, mfill_pte_flags(w, mf, vma) &
				 ((vma->flags & FL_VM_SHARED) ? ~0u : ~FL_PTE_WRITE));
		return 0;
	}
	if (cache) {
		/* shmem_mfill_atomic_pte: the page goes into the page cache. */
		if (index >= (vma->file->size + FL_PAGE_SIZE - 1) / FL_PAGE_SIZE)
			return fl_error(w, -EFAULT, "uffd: beyond the end of the shmem file");
		if (fl_filemap_cached(w, vma->file, index))
			return fl_error(w, -EEXIST, "uffd: page cache already holds it");
		folio = fl_filemap_get_folio(w, vma->file, index, true);
		if (!folio)
			return -ENOMEM;
		if (mf->kind == MFILL_COPY)
			memcpy(fl_frame_mut(w, folio->frame), fl_frame(w, mf->folio->frame),
			       FL_PAGE_SIZE);
		folio->flags |= FL_FOLIO_DIRTY;
		fl_pte_set_folio(w, pte, folio, mfill_pte_flags(w, mf, vma));
		return 0;
	}
	if (mf->kind == MFILL_ZEROPAGE) {
		/* mfill_atomic_pte_zeropage: the shared zero page, read-only. */
		fl_pte_set_folio(w, pte, fl_zero_folio(w), FL_PTE_YOUNG);
		return 0;
	}
	folio = mf->folio;
	folio->flags |= FL_FOLIO_ANON | FL_FOLIO_ANON_EXCLUSIVE;
	fl_folio_note_write(w, folio, mf->mm);
	fl_pte_set_folio(w, pte, folio, mfill_pte_flags(w, mf, vma));
	return 0;
}

/*
 * hugetlb_mfill_atomic_pte, UFFDIO_POISON (6.6, 8a13897fb0da "mm:
 * userfaultfd: support UFFDIO_POISON for hugetlbfs", in fc71884a5f59's
 * series): a poison marker in every base pte of the huge
 * page, which must be none - a uffd-wp marker too is -EEXIST here
 * (huge_pte_none, not _mostly).  A fault there is VM_FAULT_HWPOISON_LARGE:
 * SIGBUS.
 */
static int mfill_huge_poison(struct fl_world *w, struct mfill *mf, fl_addr_t addr,
			     fl_addr_t size)
{
	fl_addr_t a;

	if (fl_pte_lookup(mf->mm, addr)->flags)
		return fl_error(w, -EEXIST, "UFFDIO_POISON: the huge page at 0x%llx is "
				"not none", (unsigned long long)addr);
	for (a = addr; a < addr + size; a += FL_PAGE_SIZE) {
		fl_pte_t *pte = fl_pte_alloc(w, mf->mm, a);

		if (!pte)
			return -ENOMEM;
		pte->flags = FL_PTE_POISON | FL_PTE_MARKER;
	}
	return 0;
}

/*
 * The folio of base page I of the huge page at file page INDEX, for a
 * COPY (its bytes from BUF) or a CONTINUE (the page cache's, which must
 * be there: -EFAULT).  A referenced folio, or NULL.
 */
static struct fl_folio *mfill_huge_folio(struct fl_world *w, struct mfill *mf,
					 struct fl_vma *vma, uint64_t index,
					 const uint8_t *buf, unsigned i)
{
	bool shared = vma->flags & FL_VM_SHARED;
	struct fl_folio *folio;

	if (mf->kind == MFILL_CONTINUE) {
		folio = fl_filemap_get_folio(w, vma->file, index + i, false);
		if (folio)
			fl_folio_get(folio);
		return folio;
	}
	folio = shared ? fl_filemap_get_folio(w, vma->file, index + i, true) : fl_folio_alloc(w);
	if (!folio)
		return NULL;
	if (shared)
		fl_folio_get(folio);
	memcpy(fl_frame_mut(w, folio->frame), buf + ((size_t)i << FL_PAGE_SHIFT),
	       FL_PAGE_SIZE);
	if (shared) {
		folio->flags |= FL_FOLIO_DIRTY;
	} else {
		folio->flags |= FL_FOLIO_ANON | FL_FOLIO_ANON_EXCLUSIVE;
		fl_folio_note_write(w, folio, mf->mm);
	}
	return folio;
}

/*
 * Map the huge page at ADDR (file page INDEX) base page by base page.  A
 * CONTINUE into a private mapping maps the page cache's page read-only;
 * mode WP maps it read-only and uffd-wp (make_huge_pte's writable test).
 */
static int mfill_huge_map(struct fl_world *w, struct mfill *mf, struct fl_vma *vma,
			  fl_addr_t addr, uint64_t index, const uint8_t *buf)
{
	uint32_t pte_flags = mfill_pte_flags(w, mf, vma);
	unsigned i, nr = (unsigned)(fl_vma_hpage_size(w, vma) >> FL_PAGE_SHIFT);

	if (mf->kind == MFILL_CONTINUE && !(vma->flags & FL_VM_SHARED))
		pte_flags &= ~FL_PTE_WRITE;
	for (i = 0; i < nr; i++) {
		fl_pte_t *pte = fl_pte_alloc(w, mf->mm, addr + ((fl_addr_t)i << FL_PAGE_SHIFT));
		struct fl_folio *folio = mfill_huge_folio(w, mf, vma, index, buf, i);

		if (!pte || !folio)
			return -ENOMEM;     /* model memory only: the pages before stay */
		pte->flags = 0;     /* a marker goes */
		fl_pte_set_folio(w, pte, folio, pte_flags);
		fl_folio_put(w, folio);
	}
	return 0;
}

/*
 * hugetlb_mfill_atomic_pte, one huge page at ADDR.  COPY: the source's
 * bytes into new folios, mapped (private: anonymous, exclusive) or put in
 * the hugetlbfs page cache (shared) and mapped; -EEXIST if the huge page
 * is there already.  The source is read first, whole, with faults allowed
 * (the kernel's copy with faults disabled, then its -ENOENT retry, ends
 * the same), so a bad source maps nothing.  CONTINUE (5.13, MINOR mode):
 * the page cache's huge page, -EFAULT if it holds none, then -EEXIST if
 * the pte is not none (a marker is).  POISON: above.
 */
static int mfill_huge_page(struct fl_world *w, struct mfill *mf, struct fl_vma *vma,
			   fl_addr_t addr, uint64_t off)
{
	fl_addr_t size = fl_vma_hpage_size(w, vma);
	uint64_t index = vma->pgoff + ((addr - vma->start) >> FL_PAGE_SHIFT);
	bool shared = vma->flags & FL_VM_SHARED;
	fl_pte_t *head = fl_pte_alloc(w, mf->mm, addr);
	uint8_t *buf = NULL;
	int err;

	if (!head)
		return -ENOMEM;
	if (mf->kind == MFILL_POISON)
		return mfill_huge_poison(w, mf, addr, size);
	if (mf->kind == MFILL_CONTINUE) {
		if (!vma->file || !fl_filemap_cached(w, vma->file, index))
			return fl_error(w, -EFAULT, "UFFDIO_CONTINUE: no huge page in the "
					"page cache at 0x%llx", (unsigned long long)addr);
		if (head->flags && !(head->flags & FL_PTE_MARKER))
			return fl_error(w, -EEXIST, "UFFDIO_CONTINUE: the huge page at 0x%llx "
					"is mapped already", (unsigned long long)addr);
		return mfill_huge_map(w, mf, vma, addr, index, NULL);
	}
	/* huge_pte_none_mostly: any marker (uffd-wp, poison) is overwritten */
	if ((head->flags && !(head->flags & FL_PTE_MARKER)) ||
	    (shared && vma->file && fl_filemap_cached(w, vma->file, index)))
		return fl_error(w, -EEXIST, "uffd: the huge page at 0x%llx is there already",
				(unsigned long long)addr);
	if (shared && !vma->file && fl_shmem_zero_setup(w, vma))
		return -ENOMEM;
	if (shared && index >= (vma->file->size + FL_PAGE_SIZE - 1) / FL_PAGE_SIZE)
		return fl_error(w, -EFAULT, "uffd: beyond the end of the hugetlbfs file");
	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	if (mf->src_buf)
		memcpy(buf, mf->src_buf + off, size);
	else if (fl_copy_from_user(w, buf, mf->src + off, size)) {
		free(buf);
		return fl_error(w, -EFAULT, "UFFDIO_COPY: source 0x%llx not readable",
				(unsigned long long)(mf->src + off));
	}
	err = mfill_huge_map(w, mf, vma, addr, index, buf);
	free(buf);
	return err;
}

/* mfill_atomic_hugetlb: huge page after huge page; COPIED counts bytes. */
static int mfill_hugetlb(struct fl_world *w, struct mfill *mf, struct fl_vma *vma,
			 uint64_t *copied)
{
	fl_addr_t size = fl_vma_hpage_size(w, vma);
	int err = 0;

	while (!err && *copied < mf->len) {
		err = mfill_huge_page(w, mf, vma, mf->dst + *copied, *copied);
		if (!err)
			*copied += size;
	}
	return err;
}

static void mfill_drop_folio(struct fl_world *w, struct mfill *mf)
{
	if (mf->folio)
		fl_folio_put(w, mf->folio);
	mf->folio = NULL;
}

/* mfill_atomic: bytes filled (> 0), or -errno if none was. */
static int64_t mfill_atomic(struct fl_world *w, struct mfill *mf)
{
	struct fl_vma *vma;
	uint64_t copied = 0;
	int err;

retry:
	err = uffd_mmap_changing(w, mf->ctx, NULL);
	if (err)
		goto out;
	vma = find_dst_vma(mf->mm, mf->dst, mf->len);
	if (!vma) {
		/* 4.11 (Feb 2017, "mcopy_atomic: return -ENOENT when no compatible VMA found"). */
		err = fl_since(w, FL_ERA_UFFD_ENOENT) ? -ENOENT : -EINVAL;
		fl_error(w, err, "uffd: no registered vma holds 0x%llx+0x%llx",
			 (unsigned long long)mf->dst, (unsigned long long)mf->len);
		goto out;
	}
	err = mfill_check_vma(w, mf, vma);
	if (err)
		goto out;
	if (fl_vma_is_hugetlb(vma)) {
		err = mfill_hugetlb(w, mf, vma, &copied);
		goto out;
	}
	while (copied < mf->len) {
		fl_addr_t addr = mf->dst + copied;

		fl_hook_fire(w, FL_HOOK_UFFD_COPY);
		/* An injected statement may have changed the layout: look again. */
		if (fl_find_vma(mf->mm, addr) != vma ||
		    (fl_since(w, FL_ERA_UFFD_MMAP_CHANGING) && mf->ctx->mmap_changing))
			goto retry;
		err = mf->kind == MFILL_COPY ? mfill_copy_source(w, mf, copied) : 0;
		if (!err)
			err = mfill_install(w, mf, vma, addr);
		if (err == -ENOENT) {
			/* Outside the lock: a normal copy, faults allowed. */
			if (fl_copy_from_user(w, fl_frame_mut(w, mf->folio->frame),
					      mf->src + copied, FL_PAGE_SIZE)) {
				err = fl_error(w, -EFAULT, "UFFDIO_COPY: source 0x%llx not readable",
					       (unsigned long long)(mf->src + copied));
				goto out;
			}
			goto retry;
		}
		mfill_drop_folio(w, mf);
		if (err)
			break;
		copied += FL_PAGE_SIZE;
	}
out:
	mfill_drop_folio(w, mf);
	return copied ? (int64_t)copied : err;
}

/* Checks 1-4 of the file comment for the ioctls that fill ranges. */
static int mfill_prepare(struct fl_world *w, struct mfill *mf, int64_t *field,
			 uint64_t modes)
{
	int ret;

	if (mf->ctx->state == UFFD_STATE_WAIT_API)
		return fl_error(w, -EINVAL, "uffd ioctl before UFFDIO_API");
	ret = uffd_mmap_changing(w, mf->ctx, field);
	if (ret)
		return ret;
	ret = uffd_validate_range(w, mf->dst, mf->len);
	if (ret)
		return ret;
	if (mf->kind == MFILL_COPY && !mf->src_buf && mf->src + mf->len <= mf->src)
		return fl_error(w, -EINVAL, "UFFDIO_COPY: source range wraps");
	if (mf->mode & ~modes)
		return fl_error(w, -EINVAL, "uffd: mode 0x%llx", (unsigned long long)mf->mode);
	mf->mm = uffd_ctx_mm(mf->ctx);
	if (mf->mm)
		return 0;
	/* Before 4.11 the dead mm has no vmas: mfill_atomic's -EINVAL. */
	if (!fl_since(w, FL_ERA_UFFD_ENOENT))
		return 1;
	return uffd_mm_gone(w);
}

/* Run mfill_atomic and turn its result into the field and the return. */
static int mfill_run(struct fl_world *w, struct mfill *mf, int64_t *field, int prep)
{
	int64_t ret;

	if (prep == 1) {   /* 4.3-4.10 on a dead mm: no vma found */
		*field = -EINVAL;
		return -EINVAL;
	}
	ret = mfill_atomic(w, mf);
	*field = ret;
	if (ret < 0)
		return (int)ret;
	/* wake_userfault over the bytes filled, unless DONTWAKE (bit 0 of each mode) */
	if (!(mf->mode & FL_UFFDIO_COPY_MODE_DONTWAKE))
		uffd_wake(w, mf->ctx, mf->dst, (uint64_t)ret);
	return (uint64_t)ret == mf->len ? 0 : -EAGAIN;
}

int fl_uffdio_copy(struct fl_world *w, struct fl_uffd_ctx *ctx, struct fl_uffdio_copy *c)
{
	struct mfill mf = { ctx, NULL, MFILL_COPY, c->dst, c->src, c->src_buf,
			    c->len, c->mode, NULL };
	uint64_t modes = FL_UFFDIO_COPY_MODE_DONTWAKE;
	int prep;

	/* UFFDIO_COPY_MODE_WP came with write-protect mode (5.7). */
	if (fl_since(w, FL_ERA_UFFD_WP))
		modes |= FL_UFFDIO_COPY_MODE_WP;
	prep = mfill_prepare(w, &mf, &c->copy, modes);
	if (prep < 0)
		return prep;
	return mfill_run(w, &mf, &c->copy, prep);
}

int fl_uffdio_zeropage(struct fl_world *w, struct fl_uffd_ctx *ctx, struct fl_uffdio_fill *z)
{
	struct mfill mf = { ctx, NULL, MFILL_ZEROPAGE, z->range.start, 0, NULL,
			    z->range.len, z->mode, NULL };
	int prep = mfill_prepare(w, &mf, &z->out, FL_UFFDIO_ZEROPAGE_MODE_DONTWAKE);

	if (prep < 0)
		return prep;
	return mfill_run(w, &mf, &z->out, prep);
}

int fl_uffdio_continue(struct fl_world *w, struct fl_uffd_ctx *ctx, struct fl_uffdio_fill *c)
{
	struct mfill mf = { ctx, NULL, MFILL_CONTINUE, c->range.start, 0, NULL,
			    c->range.len, c->mode, NULL };
	uint64_t modes = FL_UFFDIO_COPY_MODE_DONTWAKE;
	int prep;

	/* UFFDIO_CONTINUE, 5.13 (with MINOR mode on hugetlbfs). */
	if (!fl_since(w, FL_ERA_UFFD_MINOR_HUGETLBFS))
		return fl_error(w, -EINVAL, "UFFDIO_CONTINUE: not in this kernel");
	if (fl_since(w, FL_ERA_UFFD_WP))
		modes |= FL_UFFDIO_COPY_MODE_WP;
	prep = mfill_prepare(w, &mf, &c->out, modes);
	if (prep < 0)
		return prep;
	return mfill_run(w, &mf, &c->out, prep);
}

int fl_uffdio_poison(struct fl_world *w, struct fl_uffd_ctx *ctx, struct fl_uffdio_fill *p)
{
	struct mfill mf = { ctx, NULL, MFILL_POISON, p->range.start, 0, NULL,
			    p->range.len, p->mode, NULL };
	int prep;

	/* UFFDIO_POISON, 6.6 (fc71884a5f59): an unknown ioctl before. */
	if (!fl_since(w, FL_ERA_UFFD_POISON))
		return fl_error(w, -EINVAL, "UFFDIO_POISON: not in this kernel");
	prep = mfill_prepare(w, &mf, &p->out, FL_UFFDIO_POISON_MODE_DONTWAKE);
	if (prep < 0)
		return prep;
	return mfill_run(w, &mf, &p->out, prep);
}

int uffd_mfill_kernel_page(struct fl_world *w, struct fl_uffd_ctx *ctx,
			   fl_addr_t dst, const uint8_t *src)
{
	struct fl_uffdio_copy c = { .dst = dst, .len = FL_PAGE_SIZE, .src_buf = src };

	return fl_uffdio_copy(w, ctx, &c);
}

int fl_uffdio_wake(struct fl_world *w, struct fl_uffd_ctx *ctx,
		   const struct fl_uffdio_range *range)
{
	int ret;

	if (ctx->state == UFFD_STATE_WAIT_API)
		return fl_error(w, -EINVAL, "UFFDIO_WAKE before UFFDIO_API");
	ret = uffd_validate_range(w, range->start, range->len);
	if (!ret)
		uffd_wake(w, ctx, range->start, range->len);
	return ret;
}

/* ---- write-protect ---- */

/*
 * change_pte_range with MM_CP_UFFD_WP(_RESOLVE) on one pte that is not
 * none: a present pte loses write and gains uffd-wp; a swap entry keeps
 * the bit for the swap-in (pte_swp_mkuffd_wp); resolving removes a uffd-wp
 * marker.  Poison is left alone.
 */
static int wp_set_one(struct fl_world *w, fl_pte_t *pte, fl_addr_t addr, void *arg)
{
	bool wp = *(const bool *)arg;

	(void)addr;
	if (pte->flags & FL_PTE_GUARD)
		return fl_error(w, -EOPNOTSUPP, "UFFDIO_WRITEPROTECT over a guard "
				"marker is not modelled");
	if (pte->flags & FL_PTE_POISON)
		return 0;
	if (!(pte->flags & (FL_PTE_PRESENT | FL_PTE_SWAP))) {   /* a uffd-wp marker */
		if (!wp)
			pte->flags = 0;
		return 0;
	}
	if (wp)
		pte->flags = (pte->flags & ~FL_PTE_WRITE) |
			     (uffd_arch_has_wp(w) ? FL_PTE_UFFD_WP : 0);
	else
		pte->flags &= ~FL_PTE_UFFD_WP;   /* the next write fault decides */
	return 0;
}

/*
 * userfaultfd_wp_use_markers: a file-backed vma (shmem; a shared
 * anonymous one is shmem too) always write-protects none ptes with a
 * marker, since the page cache may hold the page; an anonymous one only
 * with UFFD_FEATURE_WP_UNPOPULATED (6.4; lore
 * 20230306213925.617814-1-peterx@redhat.com), so that a write
 * to a page never touched is a write-protect fault, not a silent fill.
 */
bool uffd_wp_use_markers(struct fl_world *w, const struct fl_uffd_ctx *ctx,
			 const struct fl_vma *vma)
{
	/*
	 * MAP_HUGETLB memory is a hugetlbfs file's: hugetlb_change_protection
	 * marks none ptes, allocating the page table (5.19, 60dfaad65aa9).
	 */
	if (vma->file || (vma->flags & (FL_VM_SHARED | FL_VM_HUGETLB)))
		return true;
	return fl_since(w, FL_ERA_UFFD_WP_UNPOPULATED) &&
	       (ctx->features & FL_UFFD_FEATURE_WP_UNPOPULATED);
}

/* A uffd-wp marker in each none pte of [start, end) where markers are used. */
static int wp_install_markers(struct fl_world *w, struct fl_uffd_ctx *ctx,
			      struct fl_mm *mm, fl_addr_t start, fl_addr_t end)
{
	struct fl_vma *vma;
	fl_addr_t a;

	for (vma = fl_find_vma(mm, start); vma && vma->start < end; vma = fl_vma_next(vma)) {
		if (!uffd_wp_use_markers(w, ctx, vma))
			continue;
		for (a = vma->start > start ? vma->start : start; a < vma->end && a < end;
		     a += FL_PAGE_SIZE) {
			fl_pte_t *pte = fl_pte_alloc(w, mm, a);

			if (!pte)
				return -ENOMEM;
			if (!pte->flags)
				pte->flags = FL_PTE_MARKER | FL_PTE_UFFD_WP;
		}
	}
	return 0;
}

/*
 * mwriteprotect_range, per vma: registered WP (-ENOENT), and a hugetlb
 * vma's range whole huge pages (-EINVAL).
 */
static int wp_check_vma(struct fl_world *w, struct fl_vma *vma, fl_addr_t start,
			fl_addr_t end)
{
	fl_addr_t mask;

	if (!(vma->flags & FL_VM_UFFD_WP))
		return fl_error(w, -ENOENT, "UFFDIO_WRITEPROTECT: vma not registered WP");
	if (!fl_vma_is_hugetlb(vma))
		return 0;
	mask = fl_vma_hpage_size(w, vma) - 1;
	if ((start & mask) || ((end - start) & mask))
		return fl_error(w, -EINVAL, "UFFDIO_WRITEPROTECT: 0x%llx+0x%llx is not whole "
				"huge pages", (unsigned long long)start,
				(unsigned long long)(end - start));
	return 0;
}

void uffd_wp_resolve(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr)
{
	bool off = false;

	fl_walk_ptes(w, mm, addr, addr + FL_PAGE_SIZE, wp_set_one, &off);
}

int fl_uffdio_writeprotect(struct fl_world *w, struct fl_uffd_ctx *ctx,
			   const struct fl_uffdio_writeprotect *wp)
{
	fl_addr_t start = wp->range.start, end = start + wp->range.len;
	uint64_t modes = FL_UFFDIO_WRITEPROTECT_MODE_WP |
			 FL_UFFDIO_WRITEPROTECT_MODE_DONTWAKE;
	bool on = wp->mode & FL_UFFDIO_WRITEPROTECT_MODE_WP;
	struct fl_mm *mm;
	struct fl_vma *vma;
	int ret;

	/* UFFDIO_WRITEPROTECT, 5.7: an unknown ioctl before. */
	if (!fl_since(w, FL_ERA_UFFD_WP))
		return fl_error(w, -EINVAL, "UFFDIO_WRITEPROTECT: not in this kernel");
	if (ctx->state == UFFD_STATE_WAIT_API)
		return fl_error(w, -EINVAL, "UFFDIO_WRITEPROTECT before UFFDIO_API");
	ret = uffd_mmap_changing(w, ctx, NULL);
	if (ret)
		return ret;
	ret = uffd_validate_range(w, start, wp->range.len);
	if (ret)
		return ret;
	if ((wp->mode & ~modes) || (on && (wp->mode & FL_UFFDIO_WRITEPROTECT_MODE_DONTWAKE)))
		return fl_error(w, -EINVAL, "UFFDIO_WRITEPROTECT: mode 0x%llx",
				(unsigned long long)wp->mode);
	mm = uffd_ctx_mm(ctx);
	if (!mm)
		return uffd_mm_gone(w);
	vma = fl_find_vma(mm, start);
	if (!vma || vma->start > start)
		return fl_error(w, -ENOENT, "UFFDIO_WRITEPROTECT: no vma at 0x%llx",
				(unsigned long long)start);
	for (; vma && vma->start < end; vma = fl_vma_next(vma)) {
		ret = wp_check_vma(w, vma, start, end);
		if (ret)
			return ret;
	}
	ret = fl_walk_ptes(w, mm, start, end, wp_set_one, &on);
	if (ret)
		return ret;
	if (!on) {      /* resolved: wake the range unless DONTWAKE */
		if (!(wp->mode & FL_UFFDIO_WRITEPROTECT_MODE_DONTWAKE))
			uffd_wake(w, ctx, start, wp->range.len);
		return 0;
	}
	return wp_install_markers(w, ctx, mm, start, end);
}
