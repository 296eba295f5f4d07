/*
 * backend/model_fault_in.c - the fault-in family (fault_in_readable, ..._writeable, ..._safe_writeable, ..._subpage_writeable) on the model.
 * Not modelled yet: the table is empty, so these calls are reported as
 * "unsupported: call ... (not modelled yet)".
 */
#include "backend/model_internal.h"

const struct model_call model_fault_in_calls[] = {
	{ 0, NULL }
};
