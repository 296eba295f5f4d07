/*
 * backend/model_gup.c - the get_user_pages family on the model.
 * Not modelled yet: the table is empty, so these calls are reported as
 * "unsupported: call ... (not modelled yet)".
 */
#include "backend/model_internal.h"

const struct model_call model_gup_calls[] = {
	{ 0, NULL }
};
