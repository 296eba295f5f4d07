/*
 * backend/model_uffd.c - userfaultfd: the fd, its ioctls and events on the model.
 * Not modelled yet: the table is empty, so these calls are reported as
 * "unsupported: call ... (not modelled yet)".
 */
#include "backend/model_internal.h"

const struct model_call model_uffd_calls[] = {
	{ 0, NULL }
};
