/*
 * backend/calls.h - the call table: one row per `call FUNC` of the
 * scenario language (enum fl_sc_func), saying where that call lives on
 * each backend.
 *
 * Definitions
 *   capability  the group a call belongs to, one file per group on each
 *               side: uaccess (model_uaccess.c), fault-in
 *               (model_fault_in.c), syscalls (model_syscall.c,
 *               host_syscall.c), kernel loops (model_loop.c), GUP and
 *               /proc/pid/mem (model_gup.c, host_gup.c), userfaultfd
 *               (model_uffd.c, host_uffd.c).
 *   row         code, capability, the model's function, and the host's
 *               function or, when the host cannot run the call, the
 *               one-line reason it refuses with.
 *
 * Invariants (checked by tests/unit/backend/test_calls.c)
 *   1. Every enum fl_sc_func value has exactly one row, at its own index.
 *   2. Every row has a model function.
 *   3. Every row has either a host function or a refusal, never both.
 *   4. A row of capability uffd needs userfaultfd permission on the host.
 *
 * Adding a call: its enum value and schema form (scenario/), one row
 * here, and its two functions in the capability's files.
 */
#ifndef FL_BACKEND_CALLS_H
#define FL_BACKEND_CALLS_H

#include <faultline/backend.h>

enum fl_backend_cap {
	FL_CAP_UACCESS = 1,     /* copy_{to,from}_user & co, get/put_user */
	FL_CAP_FAULT_IN,        /* fault_in_* */
	FL_CAP_SYSCALL,         /* read/write & co, vmsplice, process_vm_* */
	FL_CAP_LOOP,            /* the kernel's retry loops: btrfs, fpu */
	FL_CAP_GUP,             /* get/pin_user_pages, /proc/pid/mem */
	FL_CAP_UFFD,            /* userfaultfd */
	FL_CAP_COUNT
};

struct model;
struct host;

typedef int fl_model_call_fn(struct model *m, const struct fl_sc_stmt *st,
			     const struct fl_val *args, struct fl_obs *obs);
typedef int fl_host_call_fn(struct host *h, const struct fl_sc_stmt *st,
			    const struct fl_val *args, struct fl_obs *obs);

struct fl_backend_call {
	unsigned code;                  /* enum fl_sc_func; 0: no such row */
	enum fl_backend_cap cap;
	fl_model_call_fn *model;
	fl_host_call_fn *host;          /* NULL: refused, saying host_refusal */
	const char *host_refusal;
};

/* The row of CODE, or NULL if CODE is no call. */
const struct fl_backend_call *fl_backend_call(unsigned code);
/* The rows, by code: fl_backend_calls[code] for 0 < code < FL_SC_FUNC_COUNT. */
extern const struct fl_backend_call fl_backend_calls[FL_SC_FUNC_COUNT];
const char *fl_backend_cap_name(enum fl_backend_cap cap);

/* ---- the model's functions (backend/model_*.c) ---- */
fl_model_call_fn fl_model_copy_to, fl_model_copy_from, fl_model_string,
	fl_model_getput;                                        /* uaccess */
fl_model_call_fn fl_model_fault_in;                             /* fault-in */
fl_model_call_fn fl_model_rw, fl_model_vmsplice, fl_model_process_vm;
fl_model_call_fn fl_model_getdents;     /* model_readdir.c */
fl_model_call_fn fl_model_prwv, fl_model_lseek, fl_model_ftruncate, fl_model_seals, fl_model_splice,
	fl_model_tee;                                           /* model_vec.c */
fl_model_call_fn fl_model_sockmsg, fl_model_shutdown, fl_model_setsockopt; /* model_socket.c */
fl_model_call_fn fl_model_clear_refs;                           /* model_pagemap.c */
fl_model_call_fn fl_model_madvise;                              /* model_pagemap.c */
fl_model_call_fn fl_model_mlock;                                /* model_pagemap.c */
fl_model_call_fn fl_model_process_madvise;                      /* model_pagemap.c */
fl_model_call_fn fl_model_pagemap_scan;                         /* model_pagemap.c */
fl_model_call_fn fl_model_btrfs_search, fl_model_restore_fpregs; /* loops */
fl_model_call_fn fl_model_gup, fl_model_put_pages, fl_model_read_pages,
	fl_model_proc_mem_read, fl_model_proc_mem_write;        /* GUP */
fl_model_call_fn fl_model_userfaultfd, fl_model_uffd_api, fl_model_uffd_register,
	fl_model_uffd_copy, fl_model_uffd_fill, fl_model_uffd_move,
	fl_model_uffd_log, fl_model_uffd_wake, fl_model_uffd_writeprotect,
	fl_model_uffd_read, fl_model_uffd_serve,
	fl_model_uffd_unregister;                               /* userfaultfd */

/* ---- the host's functions (backend/host_*.c) ---- */
fl_host_call_fn fl_host_rw, fl_host_rwv, fl_host_process_vm;   /* syscalls */
fl_host_call_fn fl_host_getdents;
fl_host_call_fn fl_host_prwv, fl_host_lseek, fl_host_fstat, fl_host_ftruncate, fl_host_seals, fl_host_splice,
		fl_host_tee;     /* host_vec.c */
fl_host_call_fn fl_host_sockmsg, fl_host_shutdown, fl_host_setsockopt; /* host_socket.c */
fl_host_call_fn fl_host_clear_refs;                             /* host_pagemap.c */
fl_host_call_fn fl_host_madvise;                                /* host_pagemap.c */
fl_host_call_fn fl_host_mlock;                                  /* host_pagemap.c */
fl_host_call_fn fl_host_process_madvise;                        /* host_pagemap.c */
fl_host_call_fn fl_host_pagemap_scan;                           /* host_pagemap.c */
fl_host_call_fn fl_host_proc_mem, fl_host_gup, fl_host_pages;   /* GUP */
fl_host_call_fn fl_host_btrfs_search;                           /* a guest's btrfs */
fl_host_call_fn fl_host_userfaultfd, fl_host_uffd_api, fl_host_uffd_register,
	fl_host_uffd_copy, fl_host_uffd_fill, fl_host_uffd_log,
	fl_host_uffd_wake, fl_host_uffd_writeprotect, fl_host_uffd_read,
	fl_host_uffd_serve, fl_host_uffd_unregister;            /* userfaultfd */

#endif
