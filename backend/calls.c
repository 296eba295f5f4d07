/*
 * backend/calls.c - the call table (backend/calls.h): for every `call
 * FUNC`, its capability, the model's function, and the host's function
 * or the one line the host refuses it with.
 *
 * The host refuses a call that no system call reaches by itself: the
 * kernel routines a scenario calls directly (uaccess, fault_in_*, the
 * kernel's retry loops).  It runs the system calls, /proc/pid/mem,
 * and userfaultfd where this process may use it (backend/host_refuse.c);
 * btrfs_search_ioctl is the ioctl, where a guest has a btrfs for it; the
 * GUP calls go through our module where a guest loaded it (host_gup.c).
 */
#include "backend/calls.h"

/* The kernel routines: reached on a real kernel only inside a system call. */
#define KERNEL_ONLY "has no system-call equivalent"

#define MODEL_ONLY(c, k, fn) [c] = { c, k, fn, NULL, KERNEL_ONLY }
#define BOTH(c, k, mfn, hfn) [c] = { c, k, mfn, hfn, NULL }

const struct fl_backend_call fl_backend_calls[FL_SC_FUNC_COUNT] = {
	/* uaccess: model_uaccess.c */
	MODEL_ONLY(FL_SC_COPY_TO_USER, FL_CAP_UACCESS, fl_model_copy_to),
	MODEL_ONLY(FL_SC_COPY_TO_USER_INATOMIC, FL_CAP_UACCESS, fl_model_copy_to),
	MODEL_ONLY(FL_SC_COPY_TO_USER_NOFAULT, FL_CAP_UACCESS, fl_model_copy_to),
	MODEL_ONLY(FL_SC_CLEAR_USER, FL_CAP_UACCESS, fl_model_copy_to),
	MODEL_ONLY(FL_SC_COPY_FROM_USER, FL_CAP_UACCESS, fl_model_copy_from),
	MODEL_ONLY(FL_SC_COPY_FROM_USER_INATOMIC, FL_CAP_UACCESS, fl_model_copy_from),
	MODEL_ONLY(FL_SC_COPY_FROM_USER_NOFAULT, FL_CAP_UACCESS, fl_model_copy_from),
	MODEL_ONLY(FL_SC_STRNCPY_FROM_USER, FL_CAP_UACCESS, fl_model_string),
	MODEL_ONLY(FL_SC_STRNLEN_USER, FL_CAP_UACCESS, fl_model_string),
	MODEL_ONLY(FL_SC_GET_USER, FL_CAP_UACCESS, fl_model_getput),
	MODEL_ONLY(FL_SC_PUT_USER, FL_CAP_UACCESS, fl_model_getput),
	/* fault-in: model_fault_in.c */
	MODEL_ONLY(FL_SC_FAULT_IN_READABLE, FL_CAP_FAULT_IN, fl_model_fault_in),
	MODEL_ONLY(FL_SC_FAULT_IN_WRITEABLE, FL_CAP_FAULT_IN, fl_model_fault_in),
	MODEL_ONLY(FL_SC_FAULT_IN_SAFE_WRITEABLE, FL_CAP_FAULT_IN, fl_model_fault_in),
	MODEL_ONLY(FL_SC_FAULT_IN_SUBPAGE_WRITEABLE, FL_CAP_FAULT_IN, fl_model_fault_in),
	/* system calls: model_syscall.c, host_syscall.c */
	BOTH(FL_SC_READ, FL_CAP_SYSCALL, fl_model_rw, fl_host_rw),
	BOTH(FL_SC_WRITE, FL_CAP_SYSCALL, fl_model_rw, fl_host_rw),
	/* directories: model_readdir.c, host_syscall.c */
	BOTH(FL_SC_GETDENTS64, FL_CAP_SYSCALL, fl_model_getdents, fl_host_getdents),
	BOTH(FL_SC_GETDENTS, FL_CAP_SYSCALL, fl_model_getdents, fl_host_getdents),
	BOTH(FL_SC_PREAD, FL_CAP_SYSCALL, fl_model_rw, fl_host_rw),
	BOTH(FL_SC_PWRITE, FL_CAP_SYSCALL, fl_model_rw, fl_host_rw),
	BOTH(FL_SC_READV, FL_CAP_SYSCALL, fl_model_rw, fl_host_rwv),
	BOTH(FL_SC_WRITEV, FL_CAP_SYSCALL, fl_model_rw, fl_host_rwv),
	BOTH(FL_SC_VMSPLICE, FL_CAP_SYSCALL, fl_model_vmsplice, fl_host_rw),
	BOTH(FL_SC_PROCESS_VM_READV, FL_CAP_SYSCALL, fl_model_process_vm, fl_host_process_vm),
	BOTH(FL_SC_PROCESS_VM_WRITEV, FL_CAP_SYSCALL, fl_model_process_vm, fl_host_process_vm),
	/* the rest of the vector calls, the file position: model_vec.c, host_vec.c */
	BOTH(FL_SC_PREADV, FL_CAP_SYSCALL, fl_model_prwv, fl_host_prwv),
	BOTH(FL_SC_PWRITEV, FL_CAP_SYSCALL, fl_model_prwv, fl_host_prwv),
	BOTH(FL_SC_PREADV2, FL_CAP_SYSCALL, fl_model_prwv, fl_host_prwv),
	BOTH(FL_SC_PWRITEV2, FL_CAP_SYSCALL, fl_model_prwv, fl_host_prwv),
	BOTH(FL_SC_FSTAT, FL_CAP_SYSCALL, fl_model_lseek, fl_host_fstat),
	BOTH(FL_SC_FTRUNCATE, FL_CAP_SYSCALL, fl_model_ftruncate, fl_host_ftruncate),
	BOTH(FL_SC_ADD_SEALS, FL_CAP_SYSCALL, fl_model_seals, fl_host_seals),
	BOTH(FL_SC_GET_SEALS, FL_CAP_SYSCALL, fl_model_seals, fl_host_seals),
	BOTH(FL_SC_LSEEK, FL_CAP_SYSCALL, fl_model_lseek, fl_host_lseek),
	BOTH(FL_SC_SPLICE, FL_CAP_SYSCALL, fl_model_splice, fl_host_splice),
	/* socket pairs: model_socket.c, host_socket.c */
	BOTH(FL_SC_SENDMSG, FL_CAP_SYSCALL, fl_model_sockmsg, fl_host_sockmsg),
	BOTH(FL_SC_RECVMSG, FL_CAP_SYSCALL, fl_model_sockmsg, fl_host_sockmsg),
	BOTH(FL_SC_SHUTDOWN, FL_CAP_SYSCALL, fl_model_shutdown, fl_host_shutdown),
	BOTH(FL_SC_SETSOCKOPT, FL_CAP_SYSCALL, fl_model_setsockopt, fl_host_setsockopt),
	BOTH(FL_SC_TEE, FL_CAP_SYSCALL, fl_model_tee, fl_host_tee),
	/* /proc/self/clear_refs: model_pagemap.c, host_pagemap.c */
	BOTH(FL_SC_CLEAR_REFS, FL_CAP_SYSCALL, fl_model_clear_refs, fl_host_clear_refs),
	/* madvise, mlock and munlock as calls: model_pagemap.c, host_pagemap.c */
	BOTH(FL_SC_MADVISE_CALL, FL_CAP_SYSCALL, fl_model_madvise, fl_host_madvise),
	BOTH(FL_SC_MLOCK, FL_CAP_SYSCALL, fl_model_mlock, fl_host_mlock),
	BOTH(FL_SC_PROCESS_MADVISE, FL_CAP_SYSCALL, fl_model_process_madvise,
	     fl_host_process_madvise),
	BOTH(FL_SC_MUNLOCK, FL_CAP_SYSCALL, fl_model_mlock, fl_host_mlock),
	/* ioctl(PAGEMAP_SCAN): model_pagemap.c (uffd/pagemap_scan.c), host_pagemap.c */
	BOTH(FL_SC_PAGEMAP_SCAN, FL_CAP_SYSCALL, fl_model_pagemap_scan, fl_host_pagemap_scan),
	/* the kernel's retry loops: model_loop.c; the btrfs ioctl runs on a
	   btrfs in a guest (host_guest.c; refused elsewhere, host_refuse.c) */
	BOTH(FL_SC_BTRFS_SEARCH_IOCTL, FL_CAP_LOOP, fl_model_btrfs_search, fl_host_btrfs_search),
	MODEL_ONLY(FL_SC_RESTORE_FPREGS, FL_CAP_LOOP, fl_model_restore_fpregs),
	/* GUP and /proc/pid/mem: model_gup.c, host_gup.c (the GUP calls run on
	   a guest with our pin module only: host_refuse.c) */
	BOTH(FL_SC_GET_USER_PAGES, FL_CAP_GUP, fl_model_gup, fl_host_gup),
	BOTH(FL_SC_PIN_USER_PAGES, FL_CAP_GUP, fl_model_gup, fl_host_gup),
	BOTH(FL_SC_GET_USER_PAGES_FAST, FL_CAP_GUP, fl_model_gup, fl_host_gup),
	BOTH(FL_SC_PIN_USER_PAGES_FAST, FL_CAP_GUP, fl_model_gup, fl_host_gup),
	BOTH(FL_SC_PUT_PAGES, FL_CAP_GUP, fl_model_put_pages, fl_host_pages),
	BOTH(FL_SC_READ_PAGES, FL_CAP_GUP, fl_model_read_pages, fl_host_pages),
	BOTH(FL_SC_PROC_MEM_READ, FL_CAP_GUP, fl_model_proc_mem_read, fl_host_proc_mem),
	BOTH(FL_SC_PROC_MEM_WRITE, FL_CAP_GUP, fl_model_proc_mem_write, fl_host_proc_mem),
	/* userfaultfd: model_uffd.c, host_uffd.c */
	BOTH(FL_SC_USERFAULTFD, FL_CAP_UFFD, fl_model_userfaultfd, fl_host_userfaultfd),
	BOTH(FL_SC_UFFD_API, FL_CAP_UFFD, fl_model_uffd_api, fl_host_uffd_api),
	BOTH(FL_SC_UFFD_REGISTER, FL_CAP_UFFD, fl_model_uffd_register, fl_host_uffd_register),
	BOTH(FL_SC_UFFD_COPY, FL_CAP_UFFD, fl_model_uffd_copy, fl_host_uffd_copy),
	BOTH(FL_SC_UFFD_ZEROPAGE, FL_CAP_UFFD, fl_model_uffd_fill, fl_host_uffd_fill),
	BOTH(FL_SC_UFFD_CONTINUE, FL_CAP_UFFD, fl_model_uffd_fill, fl_host_uffd_fill),
	BOTH(FL_SC_UFFD_POISON, FL_CAP_UFFD, fl_model_uffd_fill, fl_host_uffd_fill),
	BOTH(FL_SC_UFFD_MOVE, FL_CAP_UFFD, fl_model_uffd_move, fl_host_uffd_fill),
	BOTH(FL_SC_UFFD_WAKE, FL_CAP_UFFD, fl_model_uffd_wake, fl_host_uffd_wake),
	BOTH(FL_SC_UFFD_WRITEPROTECT, FL_CAP_UFFD, fl_model_uffd_writeprotect,
	     fl_host_uffd_writeprotect),
	BOTH(FL_SC_UFFD_READ, FL_CAP_UFFD, fl_model_uffd_read, fl_host_uffd_read),
	BOTH(FL_SC_UFFD_SERVE, FL_CAP_UFFD, fl_model_uffd_serve, fl_host_uffd_serve),
	BOTH(FL_SC_UFFD_LOG, FL_CAP_UFFD, fl_model_uffd_log, fl_host_uffd_log),
	BOTH(FL_SC_UFFD_UNREGISTER, FL_CAP_UFFD, fl_model_uffd_unregister,
	     fl_host_uffd_unregister),
};

const struct fl_backend_call *fl_backend_call(unsigned code)
{
	if (code == 0 || code >= FL_SC_FUNC_COUNT || fl_backend_calls[code].code != code)
		return NULL;
	return &fl_backend_calls[code];
}

const char *fl_backend_cap_name(enum fl_backend_cap cap)
{
	static const char *const names[FL_CAP_COUNT] = {
		[FL_CAP_UACCESS] = "uaccess", [FL_CAP_FAULT_IN] = "fault-in",
		[FL_CAP_SYSCALL] = "syscall", [FL_CAP_LOOP] = "loop",
		[FL_CAP_GUP] = "gup", [FL_CAP_UFFD] = "uffd",
	};

	return cap > 0 && cap < FL_CAP_COUNT ? names[cap] : "?";
}
