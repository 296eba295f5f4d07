/*
 * uaccess/internal.h - what the uaccess files share: the raw copy.
 */
#ifndef FL_UACCESS_INTERNAL_H
#define FL_UACCESS_INTERNAL_H

#include <faultline/uaccess.h>

/*
 * One call of the arch routine for DIR between user address UADDR and the
 * kernel buffer KBUF (NULL for FL_CLEAR_USER), as NAME in the trace.
 * Faults are handled or not as fl_faulthandler_disabled() says.  Returns
 * the bytes not copied.  The caller has checked its arguments.
 */
unsigned long fl_raw_copy(struct fl_world *w, const char *name,
			  enum fl_copy_dir dir, fl_addr_t uaddr, void *kbuf,
			  unsigned long n);

/* The min(SIZE, bytes below TASK_SIZE_MAX from ADDR); the string accessors' limit. */
size_t fl_uaccess_limit(struct fl_world *w, fl_addr_t addr, size_t size);

/*
 * fl_get_user() of one byte whose value nobody reads (fault_in's
 * __get_user probe): the same checks, hook, fault handling, trace and
 * result, without moving the byte.  0 or -EFAULT (-EINVAL: no process).
 */
int fl_get_user_probe(struct fl_world *w, fl_addr_t addr);

#endif
