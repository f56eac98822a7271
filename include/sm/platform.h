/* platform.h - the connector interface: one file per platform in lib/platform/
 *
 * A connector signs an account's session in (account.h), turns the
 * account's new messages into records (sm-message(7)) and tells the fetch
 * driver (fetch.h) how far it got, so that the cursor moves only once
 * those records are safely out; and posts replies through a session.
 * Adding a platform is one file and one line in the table in
 * lib/platform.c: names, URL checks and messages come from the table.
 */
#ifndef SM_PLATFORM_H
#define SM_PLATFORM_H

#include <jansson.h>

#include "sm/config.h"
#include "sm/error.h"

struct sm_account;
struct sm_job;
struct sm_session;
struct sm_post;
struct sm_posted;

struct sm_platform {
	const char *name;
	/* account settings this platform takes beyond the common ones */
	const char *const *keys;
	const char *default_url;	/* NULL when url: must be given */
	/* the URL schemes an account may use; NULL: https, and plain http
	 * to this machine only (a test server, a local relay) */
	const char *const *schemes;
	int url_optional;	/* the platform's check finds another way */
	int needs_token;
	int bearer;		/* the token goes as "Authorization: Bearer" */
	/*
	 * Checks the account's own settings (acct->conf) once the common
	 * ones are read; 0, or -1 with err naming file:line:column.
	 */
	int (*check)(const struct sm_config *cfg, struct sm_account *acct,
	    struct sm_error *err);
	/*
	 * Signs the session in when a token alone is not enough (Bluesky's
	 * createSession, or the session stored from an earlier run), then
	 * calls ready; on failure the session is stopped and ready is not
	 * called.  NULL: the token, if any, is sent as a bearer token.
	 */
	void (*open)(struct sm_session *s,
	    void (*ready)(struct sm_session *, void *), void *arg);
	/*
	 * Starts fetching: queues requests with sm_job_get, whose callbacks
	 * emit records with sm_job_emit and move the cursor with
	 * sm_job_commit; a connector that needs no network may do it all
	 * here.  Problems are reported with sm_job_warn and sm_job_fail.
	 */
	void (*fetch)(struct sm_job *job);
	/*
	 * Posts a reply (sm-reply --send) through a session that is open,
	 * then calls done with the new post's id and URL; on failure the
	 * session says why and done gets NULL: sm_session_fail when the
	 * account can post no more now (a refused token, a rate limit),
	 * sm_session_warn when only this reply is refused (a duplicate, a
	 * blocked bot, a closed messaging window) and the next may go.
	 * NULL for a platform sm cannot post to yet.
	 */
	void (*post)(struct sm_session *s, const struct sm_post *p,
	    void (*done)(struct sm_session *, const struct sm_posted *,
	    void *), void *arg);
	/*
	 * The length of text as the platform counts it against max_length
	 * (graphemes, weighted characters, UTF-16 units...); NULL: code
	 * points.  max_length 0: no limit sm knows.
	 */
	size_t (*length)(const char *text);
	size_t max_length;
	/* Frees what the connector kept in job->priv. */
	void (*free)(struct sm_job *job);
};

/* A reply to post, as sm-reply hands it to a connector. */
struct sm_post {
	const char *text;	/* the reply as it will read, UTF-8 */
	const char *visibility;	/* "public", "unlisted", "private" (a
				 * direct message) */
	const json_t *rec;	/* the citizen's record: id, author, thread,
				 * native (sm-message(7)) */
	const char *key;	/* the same for every try of this reply: an
				 * idempotency key where the platform has one */
};

/* What the platform says it posted. */
struct sm_posted {
	const char *id;		/* the platform's id of the new post */
	const char *url;	/* where a person can see it, or NULL */
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

/* The names of all connectors, for messages: "bluesky, email, file, ...". */
const char *sm_platform_names(void);

#endif
