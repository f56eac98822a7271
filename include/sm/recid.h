/* recid.h - record ids ("platform:account:native") taken apart
 *
 * sm-fetch builds a record's id from the platform, the account and the
 * platform's own id (sm_job_id in fetch.h); posting a reply needs the
 * platform's id back, of the record and of the ids its thread names.
 */
#ifndef SM_RECID_H
#define SM_RECID_H

#include <jansson.h>

/*
 * The native part of id, an id of record rec's platform and account
 * ("x:ayto:1899..." gives "1899..."): a pointer into id, or NULL when id
 * is NULL or does not begin with rec's "platform:account:".  Account
 * names may hold colons: the prefix is matched whole, never split.
 */
const char *sm_recid_native(const json_t *rec, const char *id);

/* The native part of rec's own id, or NULL. */
const char *sm_recid_own(const json_t *rec);

#endif
