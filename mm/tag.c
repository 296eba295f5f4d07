/*
 * mm/tag.c - memory tags: arm64 MTE (16-byte granules) and SPARC ADI
 * (64-byte granules, one version per cache line).
 *
 * Tags live in folio->tags, one byte per 16-byte slot of the page (256 per
 * page); an ADI granule sets four slots.  User pointers carry tag 0, so a
 * non-zero slot tag is a mismatch: user mode gets SIGSEGV SEGV_MTESERR /
 * SEGV_ADIPERR, a uaccess stops short there (mm/access.c).  The tags move
 * with the page: COW copies them, swap saves them (mte_save_tags).
 *
 * A judge under QEMU 7.2 (FL_CPU_ARM64_MTE_PAGE_OFFSET off) addresses a
 * granule's tag without its offset in the page: every granule reads and
 * writes the page's first tag byte, the low nibble for an even granule,
 * the high one for an odd one.  Tagging a granule there tags every granule
 * of its parity in the page, which is what the world's slots then hold.
 *
 * Invariants
 *   1. Only folios of worlds whose arch has a sub-page granule carry tags.
 *   2. The zero page carries no tags: tagging makes each page present and
 *      private ones exclusive first (as poke does).
 *   3. With FL_CPU_ARM64_MTE_PAGE_OFFSET off, a page's MTE slots of one
 *      parity all hold the same tag.
 */
#include "mm/page_internal.h"

#define FL_TAG_MAX 15u    /* MTE tags and ADI versions are four bits */

static int tag_check_args(struct fl_world *w, fl_addr_t addr, size_t len,
			  unsigned tag)
{
	const struct fl_arch *arch = fl_world_arch(w);
	unsigned g = arch->subpage_granule;

	if (arch->id != FL_ARCH_ARM64_MTE && arch->id != FL_ARCH_SPARC64_ADI)
		return fl_error(w, -EINVAL, "tag: %s has no memory tagging", arch->name);
	if (tag > FL_TAG_MAX)
		return fl_error(w, -EINVAL, "tag: %u is not a four-bit tag", tag);
	if (!g || addr % g || len % g || addr + len < addr)
		return fl_error(w, -EINVAL, "tag: 0x%llx+%zu is not %u-byte aligned",
				(unsigned long long)addr, len, g);
	return 0;
}

/* Does W's CPU look each granule's tag up in the page's first tag byte? */
static bool tag_aliases(struct fl_world *w)
{
	return fl_world_arch(w)->id == FL_ARCH_ARM64_MTE &&
	       (fl_world_cpu_off(w) & FL_CPU_ARM64_MTE_PAGE_OFFSET);
}

static int tag_page(struct fl_world *w, struct fl_folio *folio, size_t off,
		    size_t n, unsigned tag)
{
	size_t slot, s;

	if (!folio->tags) {
		folio->tags = fl_zalloc(w, FL_TAG_SLOTS);
		if (!folio->tags)
			return -ENOMEM;
	}
	for (slot = off / FL_TAG_SLOT; slot < (off + n) / FL_TAG_SLOT; slot++) {
		folio->tags[slot] = (uint8_t)tag;
		if (tag_aliases(w))
			for (s = slot % 2; s < FL_TAG_SLOTS; s += 2)
				folio->tags[s] = (uint8_t)tag;
	}
	return 0;
}

static int tag_piece(struct fl_world *w, struct fl_vma *vma, fl_addr_t at,
		     size_t done, size_t n, void *tag)
{
	fl_pte_t *pte = fl_poke_pte(w, vma, at);
	int ret;

	(void)done;
	if (!pte)
		return -EFAULT;
	ret = tag_page(w, pte->folio, FL_PAGE_OFFSET(at), n, *(unsigned *)tag);
	if (ret)
		return fl_error(w, ret, "tag: out of memory");
	return 0;
}

int fl_tag(struct fl_world *w, struct fl_mm *mm, fl_addr_t addr, size_t len,
	   unsigned tag)
{
	int ret = tag_check_args(w, addr, len, tag);

	if (ret)
		return ret;
	if (!mm)
		return fl_error(w, -EINVAL, "tag: no mm");
	/* tag_check_args refused a wrapping range: the walk's check never fires. */
	return fl_for_each_page_piece(w, mm, addr, len, "tag", tag_piece, &tag);
}
