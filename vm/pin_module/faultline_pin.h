/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vm/pin_module/faultline_pin.h - the ioctls of /dev/faultline_pin,
 * shared by the module (faultline_pin.c) and the host backend's scenario
 * process (backend/host_child_pin.c).  One open file holds at most one
 * set of pages: PIN takes them, READ copies their bytes out as the
 * kernel sees them through its own references, UNPIN (or the file's
 * last close) gives them back.
 *
 * PIN's argument: addr, nr pages, flags FLPIN_*; the ioctl returns what
 * the GUP function returned (pages taken, or -1 with its errno), or -1
 * EBUSY when the file already holds pages.  READ: off, len into the user
 * buffer buf; returns the bytes copied (0 past the pages taken).
 */
#ifndef FAULTLINE_PIN_H
#define FAULTLINE_PIN_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define FLPIN_WRITE    0x1u     /* FOLL_WRITE */
#define FLPIN_FORCE    0x2u     /* FOLL_FORCE */
#define FLPIN_LONGTERM 0x4u     /* FOLL_LONGTERM (a pin only) */
#define FLPIN_FAST     0x8u     /* the _fast variant */
#define FLPIN_GET      0x10u    /* get_user_pages*: FOLL_GET, not FOLL_PIN */
#define FLPIN_ALL      0x1fu

#define FLPIN_MAX_PAGES 512u

struct flpin_take {
	__u64 addr;
	__u64 nr;
	__u32 flags;
	__u32 pad;
};

struct flpin_read {
	__u64 off;
	__u64 len;
	__u64 buf;
};

#define FLPIN_IOC_PIN   _IOW('f', 0x50, struct flpin_take)
#define FLPIN_IOC_READ  _IOW('f', 0x51, struct flpin_read)
#define FLPIN_IOC_UNPIN _IO('f', 0x52)

#endif
