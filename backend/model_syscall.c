/*
 * backend/model_syscall.c - system calls on files, pipes and other processes (read, write, readv, vmsplice, process_vm_*, /proc/pid/mem) on the model.
 * Not modelled yet: the table is empty, so these calls are reported as
 * "unsupported: call ... (not modelled yet)".
 */
#include "backend/model_internal.h"

const struct model_call model_syscall_calls[] = {
	{ 0, NULL }
};
