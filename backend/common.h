/*
 * backend/common.h - the helpers both backends share (backend/common.c):
 * how a statement's arguments are read and its observables written.
 */
#ifndef FL_BACKEND_COMMON_H
#define FL_BACKEND_COMMON_H

#include <faultline/backend.h>

/* names[ID] as the scenario wrote it. */
const char *fl_backend_name(const struct fl_backend *b, unsigned id);
/*
 * The key of ST that names it as an access that may wait (a NEWTASK key:
 * as= of store, load and most calls, task= of the GUP calls), or NULL.
 */
const struct fl_val *fl_backend_task_key(const struct fl_sc_stmt *st,
					 const struct fl_val *args);
/* -EOPNOTSUPP, "not modelled yet". */
int fl_backend_unsupported(struct fl_obs *obs);
struct fl_dir_shape;
/* dir NAME [N] [namelen=L] [subdirs=D] [symlinks=S] [removed=on] as a shape. */
void fl_backend_dir_shape(const struct fl_sc_stmt *st, const struct fl_val *args,
			  struct fl_dir_shape *s);
/*
 * ERR (negative) with "WHAT failed: strerror[: the world's message]" in
 * obs->why; W (NULL on the host) has its message cleared.
 */
int fl_backend_setup_failed(struct fl_obs *obs, struct fl_world *w,
			    const char *what, int err);
/* A kernel function's return value. */
void fl_backend_set_ret(struct fl_obs *obs, int64_t ret);
/* A system call's: RET, or -1 and obs->err = -RET for a negative RET. */
void fl_backend_sys_ret(struct fl_obs *obs, long ret);
/* A kernel buffer: 64-byte aligned as kmalloc's, filled with 0xaa; free(). */
uint8_t *fl_backend_kbuf_alloc(size_t len);

struct fl_pm_scan_arg;
struct fl_page_region;
/*
 * `call pagemap_scan ADDR LEN` and its keys as a struct pm_scan_arg: vec
 * is 1 for "a buffer of vec_len regions", 0 for NULL (no vec=, or
 * vec_null=on); walk_end is UINT64_MAX, which the kernel overwrites once
 * it took the argument.
 */
void fl_backend_scan_arg(const struct fl_sc_stmt *st, const struct fl_val *args,
			 struct fl_pm_scan_arg *arg);
/*
 * The scan's observables besides ret: `copy` is walk_end - start (when the
 * kernel wrote it back), the kernel buffer the N regions with their
 * addresses made offsets from start (`expect region`), as both backends
 * see the same offsets where their addresses differ.  0 or -ENOMEM.
 */
int fl_backend_scan_result(struct fl_obs *obs, const struct fl_pm_scan_arg *arg,
			   fl_addr_t start, const struct fl_page_region *vec, long n);

#endif
