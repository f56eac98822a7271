/* platform.h - the connector interface: one file per platform in lib/platform/
 *
 * A connector turns an account's new messages into records (sm-message(7))
 * and tells the fetch driver (fetch.h) how far it got, so that the cursor
 * moves only once those records are safely out.  Adding a platform is one
 * file and one line in the table in lib/platform.c.
 */
#ifndef SM_PLATFORM_H
#define SM_PLATFORM_H

#include <jansson.h>

#include "sm/config.h"
#include "sm/error.h"

struct sm_account;
struct sm_job;

struct sm_platform {
	const char *name;
	/* account settings this platform takes beyond the common ones */
	const char *const *keys;
	const char *default_url;	/* NULL when url: must be given */
	int needs_token;
	/*
	 * Checks the account's own settings (acct->conf) once the common
	 * ones are read; 0, or -1 with err naming file:line:column.
	 */
	int (*check)(const struct sm_config *cfg, struct sm_account *acct,
	    struct sm_error *err);
	/*
	 * Starts fetching: queues requests with sm_job_get, whose callbacks
	 * emit records with sm_job_emit and move the cursor with
	 * sm_job_commit; a connector that needs no network may do it all
	 * here.  Problems are reported with sm_job_warn and sm_job_fail.
	 */
	void (*fetch)(struct sm_job *job);
	/* Posting a reply (sm-reply); NULL until it is written. */
	int (*post)(struct sm_job *job, json_t *rec, struct sm_error *err);
	/* Frees what the connector kept in job->priv. */
	void (*free)(struct sm_job *job);
};

extern const struct sm_platform sm_platform_bluesky;
extern const struct sm_platform sm_platform_email;
extern const struct sm_platform sm_platform_facebook;
extern const struct sm_platform sm_platform_mastodon;
extern const struct sm_platform sm_platform_telegram;
extern const struct sm_platform sm_platform_file;
extern const struct sm_platform sm_platform_x;

/* The connector called name, or NULL. */
const struct sm_platform *sm_platform_find(const char *name);

/* The names of all connectors, for messages: "email, file, mastodon, telegram". */
const char *sm_platform_names(void);

#endif
