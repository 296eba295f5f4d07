/*
 * backend/args.c - reading a statement's evaluated arguments, the same way
 * for every backend.
 */
#include <string.h>

#include <faultline/backend.h>

const struct fl_val *fl_backend_key(const struct fl_sc_stmt *st,
				    const struct fl_val *args, const char *name)
{
	unsigned i;

	for (i = 0; i < st->nkeys; i++)
		if (!strcmp(st->keys[i].name, name))
			return &args[st->nargs + i];
	return NULL;
}
