/*
 * backend/model_loop.c - the kernel's retry loops (btrfs search_ioctl, x86 restore_fpregs_from_user) on the model.
 * Not modelled yet: the table is empty, so these calls are reported as
 * "unsupported: call ... (not modelled yet)".
 */
#include "backend/model_internal.h"

const struct model_call model_loop_calls[] = {
	{ 0, NULL }
};
