// SPDX-License-Identifier: GPL-2.0
/*
 * vm/pin_module/faultline_pin.c - /dev/faultline_pin: the GUP calls of
 * a faultline scenario (`call pin_user_pages ...`, docs/gup.md) made by
 * a real kernel for the process that asks, so a QEMU guest judges them
 * (docs/vm.md "The pin module").  Our own code, written for faultline.
 *
 * Definitions
 *   holding   an open file's set of pages: the pages one PIN took, each
 *             with the reference its call takes (a FOLL_PIN pin, or a
 *             FOLL_GET reference for FLPIN_GET).
 * Invariants
 *   1. A file holds at most one set; nr_pages pages, each referenced once.
 *   2. UNPIN and the last close give every reference back exactly once.
 *   3. READ reads only pages the file holds, through the kernel mapping of
 *      the page (what a device doing DMA from the pinned page would see),
 *      never through the caller's page tables.
 */
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/version.h>

#include "faultline_pin.h"

struct flpin_file {
	struct mutex lock;
	struct page **pages;
	long nr_pages;
	bool got;               /* FOLL_GET references, not pins */
};

/* FLPIN_* as this kernel's FOLL_* bits (their values differ between eras). */
static unsigned int flpin_foll(u32 flags)
{
	return (flags & FLPIN_WRITE ? FOLL_WRITE : 0) |
	       (flags & FLPIN_FORCE ? FOLL_FORCE : 0) |
	       (flags & FLPIN_LONGTERM ? FOLL_LONGTERM : 0);
}

/*
 * The GUP call TAKE asks for, in the caller's mm.  The slow variants want
 * the mmap lock held for reading; 6.5 dropped their vmas argument.
 */
static long flpin_gup(const struct flpin_take *take, struct page **pages)
{
	unsigned long start = (unsigned long)take->addr, nr = (unsigned long)take->nr;
	unsigned int foll = flpin_foll(take->flags);
	long ret;

	if (take->flags & FLPIN_FAST)
		return take->flags & FLPIN_GET ? get_user_pages_fast(start, (int)nr, foll, pages)
					       : pin_user_pages_fast(start, (int)nr, foll, pages);
	mmap_read_lock(current->mm);
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	ret = take->flags & FLPIN_GET ? get_user_pages(start, nr, foll, pages)
				      : pin_user_pages(start, nr, foll, pages);
#else
	ret = take->flags & FLPIN_GET ? get_user_pages(start, nr, foll, pages, NULL)
				      : pin_user_pages(start, nr, foll, pages, NULL);
#endif
	mmap_read_unlock(current->mm);
	return ret;
}

static void flpin_release_pages(struct flpin_file *f)
{
	long i;

	if (!f->pages)
		return;
	if (f->got)
		for (i = 0; i < f->nr_pages; i++)
			put_page(f->pages[i]);
	else
		unpin_user_pages(f->pages, (unsigned long)f->nr_pages);
	kfree(f->pages);
	f->pages = NULL;
	f->nr_pages = 0;
}

static long flpin_take(struct flpin_file *f, void __user *arg)
{
	struct flpin_take take;
	struct page **pages;
	long ret;

	if (copy_from_user(&take, arg, sizeof(take)))
		return -EFAULT;
	if (take.flags & ~FLPIN_ALL || take.pad)
		return -EINVAL;
	if (take.nr > FLPIN_MAX_PAGES)
		return -E2BIG;
	if (f->pages)
		return -EBUSY;
	pages = kcalloc(take.nr ? take.nr : 1, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	ret = flpin_gup(&take, pages);
	if (ret <= 0) {
		kfree(pages);
		return ret;
	}
	f->pages = pages;
	f->nr_pages = ret;
	f->got = take.flags & FLPIN_GET;
	return ret;
}

/* Bytes [off, off + len) of the pages held, into the caller's buffer. */
static long flpin_read(struct flpin_file *f, void __user *arg)
{
	struct flpin_read rd;
	u64 held = (u64)f->nr_pages * PAGE_SIZE, done = 0;

	if (copy_from_user(&rd, arg, sizeof(rd)))
		return -EFAULT;
	if (!f->pages)
		return -ENOENT;
	if (rd.off >= held)
		return 0;
	if (rd.len > held - rd.off)
		rd.len = held - rd.off;
	while (done < rd.len) {
		u64 at = rd.off + done, poff = at & ~PAGE_MASK;
		u64 n = min_t(u64, PAGE_SIZE - poff, rd.len - done);
		struct page *page = f->pages[at >> PAGE_SHIFT];
		void *kaddr = kmap(page);
		unsigned long left;

		left = copy_to_user((void __user *)(uintptr_t)(rd.buf + done), kaddr + poff, n);
		kunmap(page);
		if (left)
			return -EFAULT;
		done += n;
	}
	return (long)done;
}

static long flpin_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct flpin_file *f = file->private_data;
	long ret;

	mutex_lock(&f->lock);
	switch (cmd) {
	case FLPIN_IOC_PIN:
		ret = flpin_take(f, (void __user *)arg);
		break;
	case FLPIN_IOC_READ:
		ret = flpin_read(f, (void __user *)arg);
		break;
	case FLPIN_IOC_UNPIN:
		ret = f->pages ? 0 : -ENOENT;
		flpin_release_pages(f);
		break;
	default:
		ret = -ENOTTY;
	}
	mutex_unlock(&f->lock);
	return ret;
}

static int flpin_open(struct inode *inode, struct file *file)
{
	struct flpin_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	file->private_data = f;
	return 0;
}

static int flpin_close(struct inode *inode, struct file *file)
{
	struct flpin_file *f = file->private_data;

	flpin_release_pages(f);
	kfree(f);
	return 0;
}

static const struct file_operations flpin_fops = {
	.owner = THIS_MODULE,
	.open = flpin_open,
	.release = flpin_close,
	.unlocked_ioctl = flpin_ioctl,
};

static struct miscdevice flpin_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "faultline_pin",
	.fops = &flpin_fops,
	.mode = 0600,
};

module_misc_device(flpin_dev);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("faultline: GUP pins of user pages for a scenario's judge");
