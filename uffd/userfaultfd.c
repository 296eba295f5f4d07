/*
 * uffd/userfaultfd.c - userfaultfd contexts: userfaultfd(2), UFFDIO_API,
 * UFFDIO_REGISTER/UNREGISTER, the event queue, handle_userfault and the
 * hooks mm/ calls on faults, munmap, madvise and fork.
 *
 * Why: handler authors (post-copy migration, snapshot restore, CRIU lazy
 * pages) need every answer the kernel can give, per version; this file
 * gives the context half of them (kernel-facts.md §4, docs/uffd.md).
 *
 * Definitions
 *   userfault     a fault the context takes instead of the fault handler:
 *                 MISSING (pte none, and for shmem no page-cache folio),
 *                 WP (a write to a pte marked uffd-wp), MINOR (shmem: the
 *                 folio is cached but the pte is none).
 *   waiting       the faulting task sleeps until UFFDIO_COPY/WAKE.  The
 *                 model has no threads: a monitor installed by
 *                 fl_uffd_serve() runs inside handle_userfault, resolves
 *                 the fault and the access retries (VM_FAULT_RETRY).
 *                 Without one the task would never wake: the access is
 *                 stopped (VM_FAULT_SIGBUS, never seen as a signal) and
 *                 the wait is noted for fl_uffd_take_blocked(), which the
 *                 scenario reports as the outcome `blocked`.
 *
 * Invariants: see uffd/internal.h (mmap_changing accounting, ownership);
 * the context's state diagram is there too.
 */
#include <string.h>

#include "uffd/internal.h"

static int uffd_mm_fault(struct fl_world *w, struct fl_vma *vma, fl_addr_t addr,
			 unsigned flags, unsigned *ret);
static void uffd_mm_unmap(struct fl_world *w, struct fl_mm *mm, fl_addr_t start,
			  fl_addr_t end);
static void uffd_mm_remove(struct fl_world *w, struct fl_vma *vma,
			   fl_addr_t start, fl_addr_t end);
static int uffd_mm_fork_vma(struct fl_world *w, struct fl_vma *src,
			    struct fl_vma *dst);
static void uffd_mm_remap(struct fl_world *w, struct fl_vma *vma, fl_addr_t from,
			  fl_addr_t to, uint64_t len);
static void uffd_mm_fork_done(struct fl_world *w, struct fl_process *parent,
			      struct fl_process *child);
static void uffd_mm_fork_fail(struct fl_world *w, struct fl_process *parent,
			      struct fl_process *child);

static const struct fl_uffd_mm_ops uffd_mm_ops = {
	.fault = uffd_mm_fault,
	.unmap = uffd_mm_unmap,
	.remove = uffd_mm_remove,
	.fork_vma = uffd_mm_fork_vma,
	.fork_done = uffd_mm_fork_done,
	.fork_fail = uffd_mm_fork_fail,
	.remap = uffd_mm_remap,
};

struct uffd_state *uffd_state(struct fl_world *w)
{
	void **slot = fl_layer_slot(w, FL_LAYER_UFFD);
	struct uffd_state *us = *slot;

	if (us)
		return us;
	us = fl_zalloc(w, sizeof(*us));
	if (!us)
		return NULL;
	us->hooks.ops = &uffd_mm_ops;
	*slot = us;
	return us;
}

struct fl_mm *uffd_ctx_mm(const struct fl_uffd_ctx *ctx)
{
	return ctx->owner && !ctx->owner->exited ? ctx->owner->mm : NULL;
}

int fl_uffd_set_privilege(struct fl_world *w, bool cap, bool sysctl)
{
	struct uffd_state *us = uffd_state(w);

	if (!us)
		return -ENOMEM;
	us->unprivileged = !cap;
	us->sysctl = sysctl;
	return 0;
}

const char *fl_uffd_event_name(unsigned event)
{
	static const char *const names[] = {
		"pagefault", "fork", "remap", "remove", "unmap"
	};

	if (event < FL_UFFD_EVENT_PAGEFAULT || event > FL_UFFD_EVENT_UNMAP)
		return "?";
	return names[event - FL_UFFD_EVENT_PAGEFAULT];
}

/* ---- userfaultfd(2) ---- */

/*
 * userfaultfd_syscall_allowed: CAP_SYS_PTRACE, or the sysctl, or (5.11)
 * a context that handles user-mode faults only.
 */
static bool uffd_syscall_allowed(struct fl_world *w, const struct uffd_state *us,
				 unsigned flags)
{
	if (!us->unprivileged || us->sysctl)
		return true;
	/* 5.11 (UFFD_USER_MODE_ONLY): such a context cannot stall the kernel. */
	return fl_since(w, FL_ERA_UFFD_USER_MODE_ONLY) &&
	       (flags & FL_UFFD_USER_MODE_ONLY);
}

static struct fl_uffd_ctx *uffd_ctx_alloc(struct fl_world *w, struct uffd_state *us,
					  struct fl_process *owner, unsigned flags)
{
	struct fl_uffd_ctx *ctx = fl_zalloc(w, sizeof(*ctx));

	if (!ctx)
		return NULL;
	ctx->owner = owner;
	ctx->flags = flags;
	ctx->state = UFFD_STATE_WAIT_API;
	ctx->log_tail = &ctx->log;
	ctx->next = us->ctxs;
	us->ctxs = ctx;
	return ctx;
}

/* new_userfaultfd: the flags both ways in share, then the context. */
static int uffd_new_ctx(struct fl_world *w, struct uffd_state *us, unsigned flags,
			struct fl_uffd_ctx **out)
{
	unsigned known = FL_UFFD_O_CLOEXEC | FL_UFFD_O_NONBLOCK;
	struct fl_process *p = fl_current(w);
	struct fl_uffd_ctx *ctx;

	if (!p)
		return fl_error(w, -ESRCH, "userfaultfd: no current process");
	/* UFFD_USER_MODE_ONLY, 5.11 (37cd0575b8510159): an unknown bit before. */
	if (fl_since(w, FL_ERA_UFFD_USER_MODE_ONLY))
		known |= FL_UFFD_USER_MODE_ONLY;
	if (flags & ~known)
		return fl_error(w, -EINVAL, "userfaultfd: unknown flags 0x%x",
				flags & ~known);
	ctx = uffd_ctx_alloc(w, us, p, flags);
	if (!ctx)
		return -ENOMEM;
	*out = ctx;
	return 0;
}

int fl_userfaultfd(struct fl_world *w, unsigned flags, struct fl_uffd_ctx **out)
{
	struct uffd_state *us = uffd_state(w);

	if (!us)
		return -ENOMEM;
	if (!fl_since(w, FL_ERA_UFFD))
		return fl_error(w, -ENOSYS, "userfaultfd: not in this kernel (4.3)");
	if (!uffd_syscall_allowed(w, us, flags))
		return fl_error(w, -EPERM, "userfaultfd: needs CAP_SYS_PTRACE, "
				"vm.unprivileged_userfaultfd or UFFD_USER_MODE_ONLY");
	return uffd_new_ctx(w, us, flags, out);
}

int fl_userfaultfd_dev(struct fl_world *w, unsigned flags, struct fl_uffd_ctx **out)
{
	struct uffd_state *us = uffd_state(w);

	if (!us)
		return -ENOMEM;
	/* 2d5de004e009 (6.1): before it there is no /dev/userfaultfd to open. */
	if (!fl_since(w, FL_ERA_UFFD_DEV))
		return fl_error(w, -ENOENT, "/dev/userfaultfd: not in this kernel (6.1)");
	return uffd_new_ctx(w, us, flags, out);
}

/* ---- UFFDIO_API ---- */

/* UFFD_API_FEATURES of this kernel: each feature from its era. */
static uint64_t uffd_api_features(struct fl_world *w)
{
	static const struct { enum fl_era_id era; uint64_t bits; } eras[] = {
		{ FL_ERA_UFFD_EVENTS, FL_UFFD_FEATURE_EVENT_FORK |
		  FL_UFFD_FEATURE_EVENT_REMAP | FL_UFFD_FEATURE_EVENT_REMOVE |
		  FL_UFFD_FEATURE_EVENT_UNMAP },
		{ FL_ERA_UFFD_SHMEM_HUGETLBFS, FL_UFFD_FEATURE_MISSING_HUGETLBFS |
		  FL_UFFD_FEATURE_MISSING_SHMEM },
		{ FL_ERA_UFFD_SIGBUS, FL_UFFD_FEATURE_SIGBUS },
		{ FL_ERA_UFFD_THREAD_ID, FL_UFFD_FEATURE_THREAD_ID },
		{ FL_ERA_UFFD_PAGEFAULT_FLAG_WP, FL_UFFD_FEATURE_PAGEFAULT_FLAG_WP },
		{ FL_ERA_UFFD_MINOR_HUGETLBFS, FL_UFFD_FEATURE_MINOR_HUGETLBFS },
		{ FL_ERA_UFFD_MINOR_SHMEM, FL_UFFD_FEATURE_MINOR_SHMEM },
		{ FL_ERA_UFFD_EXACT_ADDRESS, FL_UFFD_FEATURE_EXACT_ADDRESS },
		{ FL_ERA_UFFD_WP_HUGETLBFS_SHMEM, FL_UFFD_FEATURE_WP_HUGETLBFS_SHMEM },
		{ FL_ERA_UFFD_WP_UNPOPULATED, FL_UFFD_FEATURE_WP_UNPOPULATED },
		{ FL_ERA_UFFD_POISON, FL_UFFD_FEATURE_POISON },
		{ FL_ERA_UFFD_WP_ASYNC, FL_UFFD_FEATURE_WP_ASYNC },
		{ FL_ERA_UFFD_MOVE, FL_UFFD_FEATURE_MOVE },
	};
	uint64_t features = 0;
	size_t i;

	for (i = 0; i < sizeof(eras) / sizeof(eras[0]); i++)
		if (fl_since(w, eras[i].era))
			features |= eras[i].bits;
	return features;
}

/*
 * What the arch takes away: write-protect needs the uffd-wp pte bit
 * (CONFIG_HAVE_ARCH_USERFAULTFD_WP, and the pte markers built on it),
 * minor faults CONFIG_HAVE_ARCH_USERFAULTFD_MINOR.
 */
bool uffd_arch_has_wp(struct fl_world *w)
{
	fl_kver_t wp = fl_world_arch(w)->uffd_wp_since;

	return wp && fl_world_kver(w) >= wp;
}

static uint64_t uffd_arch_features(struct fl_world *w, uint64_t features)
{
	if (fl_world_arch(w)->no_uffd_minor)
		features &= ~(FL_UFFD_FEATURE_MINOR_HUGETLBFS | FL_UFFD_FEATURE_MINOR_SHMEM);

	if (!uffd_arch_has_wp(w))
		features &= ~(FL_UFFD_FEATURE_PAGEFAULT_FLAG_WP |
			      FL_UFFD_FEATURE_WP_HUGETLBFS_SHMEM |
			      FL_UFFD_FEATURE_WP_UNPOPULATED | FL_UFFD_FEATURE_WP_ASYNC);
	return features;
}

/*
 * UFFDIO_API.  On every failure the whole struct is zeroed for the caller
 * (err_out in the kernel), so a caller sees features = 0, not the mask it
 * asked for.
 */
int fl_uffdio_api(struct fl_world *w, struct fl_uffd_ctx *ctx, struct fl_uffdio_api *api)
{
	uint64_t features = api->features;
	int ret;

	ret = -EINVAL;
	if (api->api != FL_UFFD_API) {
		fl_error(w, ret, "UFFDIO_API: api 0x%llx, not 0xAA",
			 (unsigned long long)api->api);
		goto err_out;
	}
	ret = -EPERM;
	if ((features & FL_UFFD_FEATURE_EVENT_FORK) && uffd_state(w)->unprivileged) {
		fl_error(w, ret, "UFFDIO_API: EVENT_FORK needs CAP_SYS_PTRACE");
		goto err_out;
	}
	/*
	 * Reported: what the arch supports.  Refused: before 1723f04caacb
	 * only what the kernel does not know at all.
	 */
	api->features = uffd_api_features(w);
	if (fl_since(w, FL_ERA_UFFD_API_CHECKED))
		api->features = uffd_arch_features(w, api->features);
	ret = -EINVAL;
	if (features & ~api->features) {
		fl_error(w, ret, "UFFDIO_API: features 0x%llx not in this kernel",
			 (unsigned long long)(features & ~api->features));
		goto err_out;
	}
	api->features = uffd_arch_features(w, api->features);
	api->ioctls = (1ull << FL__UFFDIO_REGISTER) | (1ull << FL__UFFDIO_UNREGISTER) |
		      (1ull << FL__UFFDIO_API);
	/* Only the first successful call enables features. */
	if (ctx->state != UFFD_STATE_WAIT_API) {
		fl_error(w, ret, "UFFDIO_API: already done on this context");
		goto err_out;
	}
	ctx->features = features;
	ctx->state = UFFD_STATE_RUNNING;
	return 0;

err_out:
	memset(api, 0, sizeof(*api));
	return ret;
}

/* ---- ranges ---- */

int uffd_validate_range(struct fl_world *w, fl_addr_t start, uint64_t len)
{
	fl_addr_t task_size = fl_world_arch(w)->task_size_max;

	if (FL_PAGE_OFFSET(start) || FL_PAGE_OFFSET(len) || !len)
		return fl_error(w, -EINVAL, "uffd: range 0x%llx+0x%llx not page aligned or empty",
				(unsigned long long)start, (unsigned long long)len);
	if (start < FL_UFFD_MMAP_MIN_ADDR || start >= task_size ||
	    len > task_size - start)
		return fl_error(w, -EINVAL, "uffd: range 0x%llx+0x%llx outside the user range",
				(unsigned long long)start, (unsigned long long)len);
	return 0;
}

static bool range_has_hugetlb(struct fl_mm *mm, fl_addr_t start, fl_addr_t end)
{
	struct fl_vma *vma;

	for (vma = fl_find_vma(mm, start); vma && vma->start < end; vma = fl_vma_next(vma))
		if (fl_vma_is_hugetlb(vma))
			return true;
	return false;
}

uint64_t uffd_range_ioctls(struct fl_world *w)
{
	uint64_t ioctls = (1ull << FL__UFFDIO_WAKE) | (1ull << FL__UFFDIO_COPY) |
			  (1ull << FL__UFFDIO_ZEROPAGE);

	if (fl_since(w, FL_ERA_UFFD_WP))
		ioctls |= 1ull << FL__UFFDIO_WRITEPROTECT;
	if (fl_since(w, FL_ERA_UFFD_MINOR_HUGETLBFS))   /* CONTINUE, 5.13 */
		ioctls |= 1ull << FL__UFFDIO_CONTINUE;
	if (fl_since(w, FL_ERA_UFFD_POISON))
		ioctls |= 1ull << FL__UFFDIO_POISON;
	if (fl_since(w, FL_ERA_UFFD_MOVE))
		ioctls |= 1ull << FL__UFFDIO_MOVE;
	return ioctls;
}


/*
 * ... a hugetlb vma, private or shared: MISSING from 4.11, MINOR from 5.13
 * and WP from 5.19 (each a series of commits, as the shmem entries; WP's
 * are 5a90d5a103c2 to 8e165e733bfa), with the faults and ioctls of each
 * mode (docs/uffd.md, "hugetlb").
 */
static bool vma_can_userfault_hugetlb(struct fl_world *w, uint32_t vm_flags)
{
	if ((vm_flags & FL_VM_UFFD_MINOR) && !fl_since(w, FL_ERA_UFFD_MINOR_HUGETLBFS))
		return false;
	if ((vm_flags & FL_VM_UFFD_WP) && !fl_since(w, FL_ERA_UFFD_WP_HUGETLBFS_SHMEM))
		return false;
	return fl_since(w, FL_ERA_UFFD_SHMEM_HUGETLBFS);
}

/*
 * vma_can_userfault: may VMA take the VM_UFFD_* flags VM_FLAGS, for a
 * context that has UFFD_FEATURE_WP_ASYNC when WP_ASYNC?
 */
static bool vma_can_userfault(struct fl_world *w, const struct fl_vma *vma,
			      uint32_t vm_flags, bool wp_async)
{
	bool anon = !vma->file && !(vma->flags & FL_VM_SHARED);

	if (vma->flags & (FL_VM_IO | FL_VM_PFNMAP))
		return false;
	if (fl_vma_is_hugetlb(vma))
		return vma_can_userfault_hugetlb(w, vm_flags);
	/*
	 * Asynchronous write-protect alone takes any memory: an ext4 file's
	 * mapping too, for PAGEMAP_SCAN (d61ea1cb0095, 6.7, with the feature;
	 * pagemap_ioctl.c's "File memory testing", judged on the 6.18 host).
	 */
	if (wp_async && vm_flags == FL_VM_UFFD_WP)
		return true;
	/* MINOR: shmem (5.14) and hugetlbfs (5.13, below); never anon. */
	if ((vm_flags & FL_VM_UFFD_MINOR) &&
	    !(fl_vma_is_shmem(vma) && fl_since(w, FL_ERA_UFFD_MINOR_SHMEM)))
		return false;
	/* WP on shmem: 5.19. */
	if ((vm_flags & FL_VM_UFFD_WP) && !anon &&
	    !fl_since(w, FL_ERA_UFFD_WP_HUGETLBFS_SHMEM))
		return false;
	if (anon)
		return true;
	/* MISSING on shmem: 4.11; other files never. */
	return fl_vma_is_shmem(vma) && fl_since(w, FL_ERA_UFFD_SHMEM_HUGETLBFS);
}

/* The register modes this kernel knows (UFFD_API_REGISTER_MODES). */
static uint64_t uffd_register_modes(struct fl_world *w)
{
	uint64_t modes = FL_UFFDIO_REGISTER_MODE_MISSING;

	if (fl_since(w, FL_ERA_UFFD_WP))
		modes |= FL_UFFDIO_REGISTER_MODE_WP;
	if (fl_since(w, FL_ERA_UFFD_MINOR_HUGETLBFS))
		modes |= FL_UFFDIO_REGISTER_MODE_MINOR;
	return modes;
}

/* Every vma meeting [start, end) may be registered with VM_FLAGS to CTX. */
static int uffd_register_check(struct fl_world *w, struct fl_uffd_ctx *ctx,
			       struct fl_mm *mm, fl_addr_t start, fl_addr_t end,
			       uint32_t vm_flags)
{
	struct fl_vma *vma = fl_find_vma(mm, start);

	if (!vma || vma->start >= end)
		return fl_error(w, -EINVAL, "UFFDIO_REGISTER: no vma in the range");
	for (; vma && vma->start < end; vma = fl_vma_next(vma)) {
		/*
		 * userfaultfd_register: a range edge inside a hugetlb vma must
		 * be huge page aligned (vma_kernel_pagesize).
		 */
		if (fl_vma_is_hugetlb(vma) &&
		    (((start > vma->start ? start : vma->start) | (end < vma->end ? end : vma->end)) &
		     (fl_vma_hpage_size(w, vma) - 1)))
			return fl_error(w, -EINVAL, "UFFDIO_REGISTER: the range cuts a huge page");
		if (!vma_can_userfault(w, vma, vm_flags,
				       ctx->features & FL_UFFD_FEATURE_WP_ASYNC))
			return fl_error(w, -EINVAL, "UFFDIO_REGISTER: vma [0x%llx, 0x%llx) "
					"cannot take these modes",
					(unsigned long long)vma->start,
					(unsigned long long)vma->end);
		/* A range registered read-only could be filled by UFFDIO_COPY. */
		if (!(vma->flags & FL_VM_MAYWRITE))
			return fl_error(w, -EPERM, "UFFDIO_REGISTER: vma without VM_MAYWRITE");
		if (vma->uffd_ctx && vma->uffd_ctx != ctx)
			return fl_error(w, -EBUSY, "UFFDIO_REGISTER: vma owned by another userfaultfd");
	}
	return 0;
}

/* Give the parts of every vma in [start, end) FLAGS and CTX (NULL: none). */
static int uffd_set_range(struct fl_world *w, struct fl_mm *mm, fl_addr_t start,
			  fl_addr_t end, uint32_t vm_flags, struct fl_uffd_ctx *ctx)
{
	struct fl_vma *vma = fl_find_vma(mm, start), *next;

	for (; vma && vma->start < end; vma = next) {
		fl_addr_t s = vma->start > start ? vma->start : start;
		fl_addr_t e = vma->end < end ? vma->end : end;
		uint32_t newflags = (vma->flags & ~FL_VM_UFFD_ALL) | vm_flags;

		vma = fl_vma_modify_flags(w, vma, s, e, newflags);
		if (!vma)
			return -ENOMEM;
		vma->uffd_ctx = ctx;
		if (!ctx)   /* userfaultfd_clear_vma: pages keep their wp bit off */
			fl_change_protection(w, vma, vma->start, vma->end);
		vma = fl_vma_try_merge(w, vma);
		next = fl_vma_next(vma);
	}
	return 0;
}

int fl_uffdio_register(struct fl_world *w, struct fl_uffd_ctx *ctx,
		       struct fl_uffdio_register *reg)
{
	struct fl_mm *mm = uffd_ctx_mm(ctx);
	uint32_t vm_flags = 0;
	int ret;

	if (ctx->state == UFFD_STATE_WAIT_API)
		return fl_error(w, -EINVAL, "UFFDIO_REGISTER before UFFDIO_API");
	if (!mm)
		return fl_error(w, -ENOMEM, "UFFDIO_REGISTER: the mm has gone");
	if (!reg->mode || (reg->mode & ~uffd_register_modes(w)))
		return fl_error(w, -EINVAL, "UFFDIO_REGISTER: mode 0x%llx",
				(unsigned long long)reg->mode);
	if (reg->mode & FL_UFFDIO_REGISTER_MODE_MISSING)
		vm_flags |= FL_VM_UFFD_MISSING;
	/*
	 * 00b151f21f39 (5.14): write-protect mode needs the arch's uffd-wp
	 * pte bit; before it such an arch took the mode (debian-5.10-arm64
	 * registers it, debian-6.1-arm64 answers -EINVAL: tests/vm).
	 */
	if ((reg->mode & FL_UFFDIO_REGISTER_MODE_WP) && !uffd_arch_has_wp(w) &&
	    fl_since(w, FL_ERA_UFFD_WP_REGISTER_CHECKED))
		return fl_error(w, -EINVAL, "UFFDIO_REGISTER: write-protect mode without "
				"the arch's uffd-wp pte bit");
	if (reg->mode & FL_UFFDIO_REGISTER_MODE_WP)
		vm_flags |= FL_VM_UFFD_WP;
	if (reg->mode & FL_UFFDIO_REGISTER_MODE_MINOR)
		vm_flags |= FL_VM_UFFD_MINOR;
	ret = uffd_validate_range(w, reg->start, reg->len);
	if (ret)
		return ret;
	ret = uffd_register_check(w, ctx, mm, reg->start, reg->start + reg->len, vm_flags);
	if (ret)
		return ret;
	ret = uffd_set_range(w, mm, reg->start, reg->start + reg->len, vm_flags, ctx);
	if (ret)
		return ret;
	/* WRITEPROTECT only with WP mode, CONTINUE only with MINOR. */
	reg->ioctls = uffd_range_ioctls(w);
	/* a hugetlb vma in the range: UFFD_API_RANGE_IOCTLS_BASIC, no ZEROPAGE or MOVE */
	if (range_has_hugetlb(mm, reg->start, reg->start + reg->len))
		reg->ioctls &= ~((1ull << FL__UFFDIO_ZEROPAGE) | (1ull << FL__UFFDIO_MOVE));
	if (!(reg->mode & FL_UFFDIO_REGISTER_MODE_WP))
		reg->ioctls &= ~(1ull << FL__UFFDIO_WRITEPROTECT);
	if (!(reg->mode & FL_UFFDIO_REGISTER_MODE_MINOR))
		reg->ioctls &= ~(1ull << FL__UFFDIO_CONTINUE);
	return 0;
}

int fl_uffdio_unregister(struct fl_world *w, struct fl_uffd_ctx *ctx,
			 const struct fl_uffdio_range *range)
{
	fl_addr_t end = range->start + range->len;
	struct fl_mm *mm = uffd_ctx_mm(ctx);
	struct fl_vma *vma;
	int ret;

	if (ctx->state == UFFD_STATE_WAIT_API)
		return fl_error(w, -EINVAL, "UFFDIO_UNREGISTER before UFFDIO_API");
	if (!mm)
		return fl_error(w, -ENOMEM, "UFFDIO_UNREGISTER: the mm has gone");
	ret = uffd_validate_range(w, range->start, range->len);
	if (ret)
		return ret;
	vma = fl_find_vma(mm, range->start);
	if (!vma || vma->start >= end)
		return fl_error(w, -EINVAL, "UFFDIO_UNREGISTER: no vma in the range");
	for (; vma && vma->start < end; vma = fl_vma_next(vma))
		if (!vma_can_userfault(w, vma, vma->flags & FL_VM_UFFD_ALL,
				       ctx->features & FL_UFFD_FEATURE_WP_ASYNC))
			return fl_error(w, -EINVAL, "UFFDIO_UNREGISTER: incompatible vma");
	ret = uffd_set_range(w, mm, range->start, end, 0, NULL);
	/*
	 * userfaultfd_unregister wakes the faults pending in the range, so
	 * that they do not hang for ever: they retry on an unregistered vma.
	 */
	if (!ret)
		uffd_wake(w, ctx, range->start, range->len);
	return ret;
}

/* ---- events ---- */

/* Queue MSG on CTX in EV, an event allocated earlier. */
static void uffd_event_link(struct fl_world *w, struct fl_uffd_ctx *ctx,
			    struct uffd_event *ev, const struct fl_uffd_msg *msg,
			    bool changing)
{
	ev->msg = *msg;
	ev->changing = changing;
	*ctx->log_tail = ev;
	ctx->log_tail = &ev->next;
	fl_trace(w, "uffd: queue %s event (0x%llx)", fl_uffd_event_name(msg->event),
		 (unsigned long long)(msg->event == FL_UFFD_EVENT_PAGEFAULT ?
				      msg->address : msg->event == FL_UFFD_EVENT_REMAP ?
				      msg->from : msg->start));
}

static struct uffd_event *uffd_queue(struct fl_world *w, struct fl_uffd_ctx *ctx,
				     const struct fl_uffd_msg *msg, bool changing)
{
	struct uffd_event *ev = fl_zalloc(w, sizeof(*ev));

	if (ev)
		uffd_event_link(w, ctx, ev, msg, changing);
	return ev;
}

/* The originating task is released: mmap_changing drops (event_wait_completion). */
static void uffd_event_take(struct fl_uffd_ctx *ctx, struct uffd_event *ev)
{
	ev->read = true;
	if (ev->changing)
		ctx->mmap_changing--;
}

int fl_uffd_read(struct fl_world *w, struct fl_uffd_ctx *ctx, struct fl_uffd_msg *msg)
{
	struct uffd_event *ev;

	if (ctx->state == UFFD_STATE_WAIT_API)
		return fl_error(w, -EINVAL, "read: userfaultfd before UFFDIO_API");
	for (ev = ctx->log; ev && ev->read; ev = ev->next)
		;
	if (!ev) {
		if (!(ctx->flags & FL_UFFD_O_NONBLOCK))
			uffd_note_blocked(w, NULL, 0);
		return -EAGAIN;
	}
	uffd_event_take(ctx, ev);
	*msg = ev->msg;
	return 0;
}

int fl_uffd_event_next(struct fl_world *w, struct fl_uffd_ctx *ctx,
		       struct fl_uffd_msg *msg)
{
	struct uffd_event *ev = ctx->log;
	unsigned i;

	(void)w;
	for (i = 0; ev && i < ctx->observed; i++)
		ev = ev->next;
	if (!ev)
		return -ENOENT;
	ctx->observed++;
	*msg = ev->msg;
	return 0;
}

bool fl_uffd_mmap_changing(const struct fl_uffd_ctx *ctx)
{
	return ctx->mmap_changing > 0;
}

void uffd_note_blocked(struct fl_world *w, struct fl_uffd_ctx *ctx, fl_addr_t addr)
{
	struct uffd_state *us = uffd_state(w);

	fl_trace(w, "uffd: the task waits at 0x%llx and no monitor will wake it",
		 (unsigned long long)addr);
	if (!us)
		return;
	us->blocked = true;
	us->blocked_addr = addr;
	us->blocked_ctx = ctx;
}

bool fl_uffd_take_blocked(struct fl_world *w, fl_addr_t *addr)
{
	struct uffd_state *us = *fl_layer_slot(w, FL_LAYER_UFFD);
	bool blocked;

	if (!us)
		return false;
	us->refaults = 0;     /* a new statement: refaults count afresh */
	if (!us->blocked)
		return false;
	blocked = us->blocked;
	if (addr)
		*addr = us->blocked_addr;
	us->blocked = false;
	return blocked;
}

bool fl_uffd_take_spin(struct fl_world *w, fl_addr_t *addr)
{
	struct uffd_state *us = *fl_layer_slot(w, FL_LAYER_UFFD);

	if (!us || !us->spun)
		return false;
	if (addr)
		*addr = us->refault_addr;
	us->spun = false;
	return true;
}

int fl_uffd_serve(struct fl_world *w, struct fl_uffd_ctx *ctx, const uint8_t *page)
{
	if (ctx->state == UFFD_STATE_WAIT_API)
		return fl_error(w, -EINVAL, "serve: userfaultfd before UFFDIO_API");
	if (!ctx->serve_frame)
		ctx->serve_frame = fl_frame_alloc(w);
	if (!ctx->serve_frame)
		return fl_error(w, -ENOMEM, "serve: no frame for the monitor's page");
	memcpy(fl_frame_mut(w, ctx->serve_frame), page, FL_PAGE_SIZE);
	return 0;
}

/* userfaultfd_wp_async: the vma's context resolves its own WP faults. */
bool uffd_wp_async(const struct fl_vma *vma)
{
	const struct fl_uffd_ctx *ctx = vma->uffd_ctx;

	return ctx && (ctx->features & FL_UFFD_FEATURE_WP_ASYNC);
}

/* ---- handle_userfault ---- */

enum uffd_reason { UFFD_NONE, UFFD_MISSING, UFFD_WP, UFFD_MINOR };

/* Which userfault (if any) a fault of FLAGS at ADDR of VMA is. */
static enum uffd_reason uffd_fault_reason(struct fl_world *w, struct fl_vma *vma,
					  fl_addr_t addr, unsigned flags)
{
	fl_pte_t *pte = fl_pte_lookup(vma->mm, addr);
	uint64_t index;

	if (pte && (pte->flags & FL_PTE_PRESENT)) {
		/* do_wp_page: a write to a uffd-wp pte. */
		if ((flags & FL_FAULT_WRITE) && (pte->flags & FL_PTE_UFFD_WP) &&
		    (vma->flags & FL_VM_UFFD_WP))
			return UFFD_WP;
		return UFFD_NONE;
	}
	/* do_swap_page: a swap entry or a poison or guard marker. */
	if (pte && (pte->flags & (FL_PTE_SWAP | FL_PTE_POISON | FL_PTE_GUARD)))
		return UFFD_NONE;
	if (!vma->file)   /* anon; shared anon: no shmem file, nothing cached */
		return (vma->flags & FL_VM_UFFD_MISSING) ? UFFD_MISSING : UFFD_NONE;
	index = vma->pgoff + ((addr - vma->start) >> FL_PAGE_SHIFT);
	if (index >= (vma->file->size + FL_PAGE_SIZE - 1) / FL_PAGE_SIZE)
		return UFFD_NONE;   /* beyond EOF: SIGBUS as usual */
	if (!fl_filemap_cached(w, vma->file, index))
		return (vma->flags & FL_VM_UFFD_MISSING) ? UFFD_MISSING : UFFD_NONE;
	return (vma->flags & FL_VM_UFFD_MINOR) ? UFFD_MINOR : UFFD_NONE;
}

/* Note what the built-in monitor's UFFDIO_COPY answered it. */
static void uffd_monitor_log(struct fl_world *w, struct fl_uffd_ctx *ctx,
			     fl_addr_t dst, int ret, int64_t copy)
{
	struct uffd_log *l = fl_zalloc(w, sizeof(*l));

	fl_trace(w, "uffd monitor: UFFDIO_COPY 0x%llx: ret %d, copy %lld",
		 (unsigned long long)dst, ret, (long long)copy);
	if (!l)
		return;
	l->e.dst = dst;
	l->e.ret = ret;
	l->e.copy = copy;
	if (!ctx->mlog_tail)
		ctx->mlog_tail = &ctx->mlog;
	*ctx->mlog_tail = l;
	ctx->mlog_tail = &l->next;
}

int fl_uffd_log_next(struct fl_world *w, struct fl_uffd_ctx *ctx,
		     struct fl_uffd_log_entry *e)
{
	struct uffd_log *l = ctx->mlog;
	unsigned i;

	(void)w;
	for (i = 0; l && i < ctx->mlog_observed; i++)
		l = l->next;
	if (!l)
		return -ENOENT;
	ctx->mlog_observed++;
	*e = l->e;
	return 0;
}

/* The monitor reads every unread event (the non-cooperative ones). */
static void uffd_monitor_read_all(struct fl_uffd_ctx *ctx)
{
	struct uffd_event *ev;

	for (ev = ctx->log; ev; ev = ev->next)
		if (!ev->read)
			uffd_event_take(ctx, ev);
}

/*
 * The built-in monitor's UFFDIO_COPY of one page, with the policy a
 * handler author should have (docs/uffd.md, "What a handler author must
 * handle"): -EAGAIN: read the pending events, then retry (a bounded number
 * of times); -EEXIST: the page is there, wake; -ENOENT (4.11+): the range
 * went away, wake, and the task faults again on whatever is there now.
 * Anything else (-EINVAL before 4.11 for the same race, -ESRCH, -EFAULT):
 * the monitor gives up and the task keeps waiting.
 */
static int uffd_monitor_copy(struct fl_world *w, struct fl_uffd_ctx *ctx,
			     fl_addr_t page)
{
	int tries, ret = -EAGAIN;

	for (tries = 0; tries < 4 && ret == -EAGAIN; tries++) {
		struct fl_uffdio_copy c = { .dst = page, .len = FL_PAGE_SIZE,
					    .copy = INT64_MIN,
					    .src_buf = fl_frame(w, ctx->serve_frame) };

		ret = fl_uffdio_copy(w, ctx, &c);
		uffd_monitor_log(w, ctx, page, ret, c.copy);
		if (ret == -EAGAIN)
			uffd_monitor_read_all(ctx);
	}
	return ret == -EEXIST || ret == -ENOENT ? 0 : ret;
}

/*
 * The built-in monitor (fl_uffd_serve) resolves the fault, then wakes.
 * 0, or the errno it gave up on.
 */
static int uffd_monitor_resolve(struct fl_world *w, struct fl_uffd_ctx *ctx,
				 const struct fl_uffd_msg *msg, void *arg)
{
	fl_addr_t page = FL_PAGE_ALIGN_DOWN(msg->address);
	struct fl_uffdio_fill cont = { { page, FL_PAGE_SIZE }, 0, 0 };
	int ret;

	(void)arg;
	if (msg->flags & FL_UFFD_PAGEFAULT_FLAG_WP) {
		uffd_wp_resolve(w, uffd_ctx_mm(ctx), page);
		fl_trace(w, "uffd monitor: UFFDIO_WRITEPROTECT off at 0x%llx, wake",
			 (unsigned long long)page);
		return 0;
	}
	if (msg->flags & FL_UFFD_PAGEFAULT_FLAG_MINOR) {
		/* UFFDIO_CONTINUE maps the cached folio. */
		ret = fl_uffdio_continue(w, ctx, &cont);
		fl_trace(w, "uffd monitor: UFFDIO_CONTINUE 0x%llx: ret %d",
			 (unsigned long long)page, ret);
		return ret == -EEXIST ? 0 : ret;
	}
	return uffd_monitor_copy(w, ctx, page);
}

int fl_uffd_set_handler(struct fl_world *w, struct fl_uffd_ctx *ctx,
			fl_uffd_handler_fn fn, void *arg)
{
	if (ctx->state == UFFD_STATE_WAIT_API)
		return fl_error(w, -EINVAL, "handler: userfaultfd before UFFDIO_API");
	ctx->handler = fn;
	ctx->handler_arg = arg;
	return 0;
}

/*
 * A task woken without progress faults again at once.  The third
 * userfault at one page within one statement is a livelock: the access
 * is stopped and fl_uffd_take_spin() reports it.
 */
static bool uffd_note_refault(struct fl_world *w, fl_addr_t page)
{
	struct uffd_state *us = uffd_state(w);

	if (!us)
		return false;
	if (us->refaults && us->refault_addr == page) {
		if (++us->refaults < FL_UFFD_MAX_REFAULTS)
			return false;
		fl_trace(w, "uffd: woken %u times at 0x%llx without the page: a livelock",
			 us->refaults, (unsigned long long)page);
		us->spun = true;
		return true;
	}
	us->refault_addr = page;
	us->refaults = 1;
	return false;
}

/*
 * handle_userfault.  Returns the vm_fault_t of the fault: VM_FAULT_SIGBUS
 * when the context refuses to wait (FEATURE_SIGBUS; a kernel-mode fault
 * with USER_MODE_ONLY) or nobody would wake the task (noted as blocked),
 * VM_FAULT_RETRY after a monitor woke it: the access tries again.
 */
static unsigned handle_userfault(struct fl_world *w, struct fl_vma *vma,
				 fl_addr_t addr, unsigned flags,
				 enum uffd_reason reason, bool *slept)
{
	struct fl_uffd_ctx *ctx = vma->uffd_ctx;
	struct fl_uffd_msg msg = { .event = FL_UFFD_EVENT_PAGEFAULT };
	fl_uffd_handler_fn fn = uffd_monitor_resolve;
	struct uffd_event *ev;

	if (ctx->features & FL_UFFD_FEATURE_SIGBUS) {
		fl_trace(w, "handle_userfault: UFFD_FEATURE_SIGBUS: no event, SIGBUS");
		return FL_VM_FAULT_SIGBUS;
	}
	if (!(flags & FL_FAULT_USER) && (ctx->flags & FL_UFFD_USER_MODE_ONLY)) {
		fl_trace(w, "handle_userfault: kernel-mode fault, UFFD_USER_MODE_ONLY: SIGBUS");
		return FL_VM_FAULT_SIGBUS;
	}
	/* handle_userfault's "FAULT_FLAG_ALLOW_RETRY missing" since 4.3 */
	if (flags & FL_FAULT_NORETRY) {
		fl_trace(w, "handle_userfault: the fault cannot retry (GUP without locked): "
			 "SIGBUS, no event");
		return FL_VM_FAULT_SIGBUS;
	}
	if (flags & FL_FAULT_WRITE)
		msg.flags |= FL_UFFD_PAGEFAULT_FLAG_WRITE;
	if (reason == UFFD_WP)
		msg.flags |= FL_UFFD_PAGEFAULT_FLAG_WP;
	if (reason == UFFD_MINOR)
		msg.flags |= FL_UFFD_PAGEFAULT_FLAG_MINOR;
	/*
	 * hugetlb_handle_userfault reports the huge page's address (the
	 * vm_fault's address is aligned to it); EXACT_ADDRESS the real one.
	 */
	msg.address = (ctx->features & FL_UFFD_FEATURE_EXACT_ADDRESS) ? addr :
		      addr & ~(fl_vma_hpage_size(w, vma) - 1);
	/* FEATURE_THREAD_ID (4.14, "userfaultfd: provide pid in userfault msg"). */
	if (ctx->features & FL_UFFD_FEATURE_THREAD_ID)
		msg.ptid = (uint32_t)fl_current(w)->pid;
	if (uffd_note_refault(w, FL_PAGE_ALIGN_DOWN(addr)))
		return FL_VM_FAULT_SIGBUS;
	ev = uffd_queue(w, ctx, &msg, false);
	if (!ev)
		return FL_VM_FAULT_OOM;
	if (ctx->handler)
		fn = ctx->handler;
	else if (!ctx->serve_frame)
		return uffd_sleep(w, ctx, addr, slept);
	uffd_event_take(ctx, ev);
	/* the monitor gave up: the task keeps waiting */
	if (fn(w, ctx, &msg, ctx->handler ? ctx->handler_arg : NULL))
		return uffd_sleep(w, ctx, addr, slept);
	return FL_VM_FAULT_RETRY;
}

/*
 * do_wp_page with UFFD_FEATURE_WP_ASYNC (6.7, era uffd_wp_async): the
 * kernel drops the uffd-wp bit itself and goes on with the write fault;
 * no message, nobody waits.  A PMD mapping is split first (wp_huge_pmd's
 * "split"), so only the written page loses the bit; hugetlb_fault clears
 * it on the whole huge page.
 */
static void uffd_wp_async_resolve(struct fl_world *w, struct fl_vma *vma, fl_addr_t addr)
{
	fl_addr_t size = fl_vma_hpage_size(w, vma), a;
	fl_pte_t *pte;

	if (fl_thp_supported(w) && !fl_vma_is_hugetlb(vma))
		fl_thp_split_pmd(w, vma->mm, addr);
	for (a = addr & ~(size - 1); a < (addr & ~(size - 1)) + size; a += FL_PAGE_SIZE)
		if ((pte = fl_pte_lookup(vma->mm, a)))
			pte->flags &= ~FL_PTE_UFFD_WP;
}

/*
 * A task that slept and was woken retries the fault at once, and the
 * kernel's retry has no bound: still a userfault (a UFFDIO_WAKE without
 * the page), it queues a new PAGEFAULT event and sleeps again.  Anything
 * else (the page, a poison marker, no vma) is the caller's to retry.
 */
static int uffd_mm_fault(struct fl_world *w, struct fl_vma *vma, fl_addr_t addr,
			 unsigned flags, unsigned *ret)
{
	enum uffd_reason reason = uffd_fault_reason(w, vma, addr, flags);
	struct fl_mm *mm = vma->mm;
	bool slept = false;

	if (reason == UFFD_NONE)
		return 0;
	if (reason == UFFD_WP && uffd_wp_async(vma)) {
		uffd_wp_async_resolve(w, vma, addr);
		return 0;
	}
	for (;;) {
		*ret = handle_userfault(w, vma, addr, flags, reason, &slept);
		if (!slept)
			return 1;
		slept = false;
		vma = fl_vma_lookup(mm, addr);
		if (!vma || !vma->uffd_ctx ||
		    (reason = uffd_fault_reason(w, vma, addr, flags)) == UFFD_NONE)
			return 1;
	}
}

/* ---- non-cooperative events ---- */

/* UNMAP: once per context with EVENT_UNMAP among the vmas of the range. */
static void uffd_mm_unmap(struct fl_world *w, struct fl_mm *mm, fl_addr_t start,
			  fl_addr_t end)
{
	struct fl_uffd_msg msg = { .event = FL_UFFD_EVENT_UNMAP, .start = start, .end = end };
	struct fl_uffd_ctx *done[8];
	unsigned ndone = 0, i;
	struct fl_vma *vma;

	for (vma = fl_find_vma(mm, start); vma && vma->start < end; vma = fl_vma_next(vma)) {
		struct fl_uffd_ctx *ctx = vma->uffd_ctx;

		if (!ctx || !(ctx->features & FL_UFFD_FEATURE_EVENT_UNMAP))
			continue;
		for (i = 0; i < ndone && done[i] != ctx; i++)
			;
		if (i < ndone || ndone == 8)
			continue;
		done[ndone++] = ctx;
		if (uffd_queue(w, ctx, &msg, true))
			ctx->mmap_changing++;
	}
}

static void uffd_mm_remove(struct fl_world *w, struct fl_vma *vma,
			   fl_addr_t start, fl_addr_t end)
{
	struct fl_uffd_msg msg = { .event = FL_UFFD_EVENT_REMOVE, .start = start, .end = end };
	struct fl_uffd_ctx *ctx = vma->uffd_ctx;

	if (!(ctx->features & FL_UFFD_FEATURE_EVENT_REMOVE))
		return;
	if (uffd_queue(w, ctx, &msg, true))
		ctx->mmap_changing++;
}

/*
 * mremap moved [from, from + len) of a range registered to VMA's context
 * to TO (mremap_userfaultfd_prep + _complete, 4.11, "userfaultfd:
 * non-cooperative: add mremap() event"): with EVENT_REMAP a REMAP event,
 * raising mmap_changing until read.  The moved vma keeps its context
 * (copy_vma) with EVENT_REMAP, and loses it without (5.0).
 */
/*
 * The uffd-wp state of ptes moved to [TO, TO + LEN) of a vma that no
 * monitor follows: the bit goes from present and swap ptes, and a marker
 * that held only it becomes none (0cef0bb836e3, "mm: clear uffd-wp
 * PTE/PMD state on mremap()", 6.13 and 6.12.11; CVE-2025-21696).  Before
 * it the bit stayed on the moved vma, no longer registered: debian-6.1
 * (6.1.176) shows it there, debian-6.12 (6.12.117) and this host do not.
 */
static void uffd_clear_moved_wp(struct fl_world *w, struct fl_vma *vma, fl_addr_t to,
				uint64_t len)
{
	fl_addr_t a;

	if (!fl_since(w, FL_ERA_UFFD_WP_MREMAP_CLEAR))
		return;
	for (a = to; a < to + len; a += FL_PAGE_SIZE) {
		fl_pte_t *pte = fl_pte_lookup(vma->mm, a);

		if (!pte)
			continue;
		pte->flags &= ~FL_PTE_UFFD_WP;
		if ((pte->flags & FL_PTE_MARKER) && !(pte->flags & (FL_PTE_POISON | FL_PTE_GUARD)))
			pte->flags = 0;
	}
}

static void uffd_mm_remap(struct fl_world *w, struct fl_vma *vma, fl_addr_t from,
			  fl_addr_t to, uint64_t len)
{
	struct fl_uffd_ctx *ctx = vma->uffd_ctx;

	if (ctx->features & FL_UFFD_FEATURE_EVENT_REMAP) {
		uffd_event_remap(w, ctx, from, to, len);
		return;
	}
	/*
	 * mremap_userfaultfd_prep() without EVENT_REMAP (3cfd22be0ad6,
	 * "userfaultfd: clear flag if remap event not enabled"): the monitor
	 * will never hear of the new range, so the moved vma is left
	 * unregistered instead of faulting to a handler that knows nothing
	 * of it.  A store there just faults a page in (seen on 6.18).
	 */
	if (fl_since(w, FL_ERA_UFFD_REMAP_UNREGISTER)) {
		vma->uffd_ctx = NULL;
		vma->flags &= ~FL_VM_UFFD_ALL;
	}
	uffd_clear_moved_wp(w, vma, to, len);
}

void uffd_event_remap(struct fl_world *w, struct fl_uffd_ctx *ctx, fl_addr_t from,
		      fl_addr_t to, uint64_t len)
{
	struct fl_uffd_msg msg = { .event = FL_UFFD_EVENT_REMAP, .from = from,
				   .to = to, .len = len };

	if (uffd_queue(w, ctx, &msg, true))
		ctx->mmap_changing++;
}

/*
 * dup_userfaultfd: without EVENT_FORK the child's vma is not registered
 * (mm/process.c already cleared it); with it, the child gets one new
 * context per parent context, holding the same registrations, and the
 * parent's context has mmap_changing raised until the FORK event is read.
 */
static int uffd_mm_fork_vma(struct fl_world *w, struct fl_vma *src,
			    struct fl_vma *dst)
{
	struct fl_uffd_ctx *octx = src->uffd_ctx, *nctx = octx->fork_new;
	struct uffd_state *us = *fl_layer_slot(w, FL_LAYER_UFFD);

	/* A registered vma means a context exists, and so does the state. */
	if (!(octx->features & FL_UFFD_FEATURE_EVENT_FORK))
		return 0;
	if (!nctx) {
		/*
		 * dup_userfaultfd: no memory for the child's context fails the
		 * fork.  The FORK event is allocated now too: once the fork has
		 * succeeded its event cannot be lost (the kernel's lives on the
		 * forking task's stack).
		 */
		struct uffd_event *ev = fl_zalloc(w, sizeof(*ev));

		if (!ev)
			return -ENOMEM;
		nctx = uffd_ctx_alloc(w, us, fl_mm_owner(w, dst->mm), octx->flags);
		if (!nctx) {
			fl_free(w, ev, sizeof(*ev));
			return -ENOMEM;
		}
		octx->fork_ev = ev;
		nctx->features = octx->features;
		nctx->state = UFFD_STATE_RUNNING;
		octx->fork_new = nctx;
		octx->mmap_changing++;
	}
	dst->uffd_ctx = nctx;
	dst->flags |= src->flags & FL_VM_UFFD_ALL;
	return 0;
}

/*
 * dup_userfaultfd_fail: the fork failed after its contexts were made.  Each
 * parent context gives back the mmap_changing count it took, and the
 * child's context, which no one saw (no FORK event was queued), goes.
 * Since 6.12 ("fork: do not invoke uffd on fork if error occurs"); before,
 * dup_userfaultfd_complete ran on failure too and queued a FORK event for
 * a child that never ran: not modelled, the model takes the fixed path.
 */
static void uffd_mm_fork_fail(struct fl_world *w, struct fl_process *parent,
			      struct fl_process *child)
{
	struct uffd_state *us = *fl_layer_slot(w, FL_LAYER_UFFD);
	struct fl_uffd_ctx *ctx, **link;

	(void)parent;
	(void)child;
	for (ctx = us ? us->ctxs : NULL; ctx; ctx = ctx->next) {
		struct fl_uffd_ctx *nctx = ctx->fork_new;

		if (!nctx)
			continue;
		fl_free(w, ctx->fork_ev, sizeof(*ctx->fork_ev));
		ctx->fork_new = NULL;
		ctx->fork_ev = NULL;
		ctx->mmap_changing--;
		for (link = &us->ctxs; *link; link = &(*link)->next) {
			if (*link == nctx) {
				*link = nctx->next;
				break;
			}
		}
		fl_free(w, nctx, sizeof(*nctx));
	}
}

static void uffd_mm_fork_done(struct fl_world *w, struct fl_process *parent,
			      struct fl_process *child)
{
	struct uffd_state *us = *fl_layer_slot(w, FL_LAYER_UFFD);
	struct fl_uffd_ctx *ctx;

	(void)parent;
	(void)child;
	for (ctx = us ? us->ctxs : NULL; ctx; ctx = ctx->next) {
		struct fl_uffd_msg msg = { .event = FL_UFFD_EVENT_FORK };

		if (!ctx->fork_new)
			continue;
		msg.ufd = ctx->fork_new;
		/* The count taken at fork_vma is now held by the event. */
		uffd_event_link(w, ctx, ctx->fork_ev, &msg, true);
		ctx->fork_new = NULL;
		ctx->fork_ev = NULL;
	}
}
