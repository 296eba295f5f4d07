/*
 * mm/uffd_hooks.c - where mm/ hands a fault or a VMA change to userfaultfd.
 *
 * The uffd layer sits above mm/ and mm/ never links it: the layer puts its
 * state, which begins with a struct fl_uffd_mm_hooks, in
 * the slot FL_LAYER_UFFD (fl_layer_slot) when the first context is created.
 * Until then (and in mm/'s own unit tests) every hook is a no-op.
 */
#include "mm/internal.h"

static const struct fl_uffd_mm_ops *uffd_ops(struct fl_world *w)
{
	const struct fl_uffd_mm_hooks *h = fl_state(w)->layer[FL_LAYER_UFFD];

	return h ? h->ops : NULL;
}

int fl_uffd_hook_fault(struct fl_world *w, struct fl_vma *vma, fl_addr_t addr,
		       unsigned flags, unsigned *ret)
{
	const struct fl_uffd_mm_ops *ops;

	if (!vma->uffd_ctx || !(ops = uffd_ops(w)))
		return 0;
	return ops->fault(w, vma, addr, flags, ret);
}

void fl_uffd_hook_unmap(struct fl_world *w, struct fl_mm *mm, fl_addr_t start,
			fl_addr_t end)
{
	const struct fl_uffd_mm_ops *ops = uffd_ops(w);

	if (ops)
		ops->unmap(w, mm, start, end);
}

void fl_uffd_hook_remove(struct fl_world *w, struct fl_vma *vma, fl_addr_t start,
			 fl_addr_t end)
{
	const struct fl_uffd_mm_ops *ops = uffd_ops(w);

	if (ops && vma->uffd_ctx)
		ops->remove(w, vma, start, end);
}

int fl_uffd_hook_fork_vma(struct fl_world *w, struct fl_vma *src, struct fl_vma *dst)
{
	const struct fl_uffd_mm_ops *ops = uffd_ops(w);

	if (ops && src->uffd_ctx)
		return ops->fork_vma(w, src, dst);
	return 0;
}

void fl_uffd_hook_fork_fail(struct fl_world *w, struct fl_process *parent,
			    struct fl_process *child)
{
	const struct fl_uffd_mm_ops *ops = uffd_ops(w);

	if (ops)
		ops->fork_fail(w, parent, child);
}

void fl_uffd_hook_fork_done(struct fl_world *w, struct fl_process *parent,
			    struct fl_process *child)
{
	const struct fl_uffd_mm_ops *ops = uffd_ops(w);

	if (ops)
		ops->fork_done(w, parent, child);
}

void fl_uffd_hook_remap(struct fl_world *w, struct fl_vma *vma, fl_addr_t from,
			fl_addr_t to, uint64_t len)
{
	const struct fl_uffd_mm_ops *ops = uffd_ops(w);

	if (ops && vma->uffd_ctx)
		ops->remap(w, vma, from, to, len);
}
