/*
 * uaccess/getput.c - get_user and put_user.
 *
 * Each is one load or store instruction of 1, 2, 4 or 8 bytes, so it is
 * all or nothing: an access straddling into a page that faults transfers
 * no byte.  A failed get_user sets the kernel variable to 0 (the
 * exception fixup zeroes the destination register), a failed put_user
 * writes nothing.  Not modelled: i386's 8-byte put_user is two 4-byte
 * stores, so its first half can land before the second faults.
 */
#include <string.h>

#include "uaccess/internal.h"

static bool valid_size(size_t size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

/* get_user up to the load: 0 if the SIZE bytes at ADDR can be read. */
static int get_user_reach(struct fl_world *w, fl_addr_t addr, size_t size)
{
	fl_hook_fire(w, FL_HOOK_UACCESS);
	if (!fl_access_ok(w, addr, size) ||
	    fl_user_reach(w, addr, size, FL_ACC_READ) < size) {
		fl_trace(w, "get_user 0x%llx size %zu: fault, value 0: -EFAULT",
			 (unsigned long long)addr, size);
		return -EFAULT;
	}
	return 0;
}

int fl_get_user(struct fl_world *w, void *val, fl_addr_t addr, size_t size)
{
	if (!val || !valid_size(size) || !fl_current(w))
		return fl_error(w, -EINVAL, "get_user: bad value pointer, size %zu or no process", size);
	if (get_user_reach(w, addr, size)) {
		memset(val, 0, size);
		return -EFAULT;
	}
	fl_user_read(w, val, addr, size);
	return 0;
}

int fl_get_user_probe(struct fl_world *w, fl_addr_t addr)
{
	if (!fl_current(w))
		return fl_error(w, -EINVAL, "get_user: bad value pointer, size %zu or no process",
				(size_t)1);
	return get_user_reach(w, addr, 1);
}

int fl_put_user(struct fl_world *w, const void *val, fl_addr_t addr, size_t size)
{
	if (!val || !valid_size(size) || !fl_current(w))
		return fl_error(w, -EINVAL, "put_user: bad value pointer, size %zu or no process", size);
	fl_hook_fire(w, FL_HOOK_UACCESS);
	if (!fl_access_ok(w, addr, size) ||
	    fl_user_reach(w, addr, size, FL_ACC_WRITE) < size) {
		fl_trace(w, "put_user 0x%llx size %zu: fault, nothing written: -EFAULT",
			 (unsigned long long)addr, size);
		return -EFAULT;
	}
	fl_user_write(w, addr, val, size);
	return 0;
}
