/* recid.c - record ids taken apart */
#include <string.h>

#include <jansson.h>

#include "sm/recid.h"

const char *
sm_recid_native(const json_t *rec, const char *id)
{
	const char *p = json_string_value(json_object_get(rec, "platform"));
	const char *a = json_string_value(json_object_get(rec, "account"));
	size_t np, na;

	if (id == NULL || p == NULL || a == NULL)
		return NULL;
	np = strlen(p);
	na = strlen(a);
	if (strncmp(id, p, np) != 0 || id[np] != ':' ||
	    strncmp(id + np + 1, a, na) != 0 || id[np + 1 + na] != ':' ||
	    id[np + na + 2] == '\0')
		return NULL;
	return id + np + na + 2;
}

const char *
sm_recid_own(const json_t *rec)
{
	return sm_recid_native(rec, json_string_value(json_object_get(rec,
	    "id")));
}
