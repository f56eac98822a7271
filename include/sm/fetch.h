/* fetch.h - sm-fetch's driver: accounts, jobs, records out, cursors moved
 *
 * The driver runs one job per account, all at once over one sm_http.  A
 * connector emits records through the job; the driver hands them to the
 * tool's output and, when the connector commits a cursor, makes the output
 * safe (flushed; with a spool file, written, fsynced and renamed at the
 * end of the run) before the cursor is stored.  So a crash re-fetches,
 * and never loses, a message.
 */
#ifndef SM_FETCH_H
#define SM_FETCH_H

#include <time.h>

#include <jansson.h>

#include "sm/config.h"
#include "sm/error.h"
#include "sm/http.h"
#include "sm/platform.h"
#include "sm/state.h"
#include "sm/time.h"

struct sm_account {
	char *name;
	const struct sm_platform *platform;
	const json_t *conf;	/* its mapping in sm.yaml; borrowed */
	char *url;		/* base URL without a final slash */
	char *token;		/* never printed; NULL until resolved */
	long limit;		/* page size, 0 for the platform's */
	struct sm_http_opts http;
};

/*
 * Reads and checks the accounts: section (a mapping of names to
 * mappings).  *accts is a new array of *n accounts; secrets are not read
 * yet.  0, or -1 with err naming file:line:column.
 */
int sm_accounts_load(const struct sm_config *cfg, struct sm_account **accts,
    size_t *n, struct sm_error *err);

/* Reads the account's token_env or token_file when it has one. */
int sm_account_token(const struct sm_config *cfg, struct sm_account *acct,
    struct sm_error *err);

void sm_accounts_free(struct sm_account *accts, size_t n);

struct sm_fetch_opts {
	int backfill;		/* walk back as far as the platform goes */
	time_t since;		/* nothing older than this; 0 for no limit */
	int dry_run;		/* cursors stay where they are */
	int own;		/* also the account's own posts */
	int native;		/* keep the platform's object as .native */
	int defer_commit;	/* cursors move only at sm_fetch_finish */
};

/* What the driver needs from the tool. */
struct sm_fetch_io {
	/* writes one record; -1 when output failed and all must stop */
	int (*put)(void *arg, json_t *rec);
	/* makes what was put so far safe (flushed); -1 on failure */
	int (*flush)(void *arg);
	/* an account's problem (code: a sysexits value) or, with code 0,
	 * a note for -v */
	void (*report)(void *arg, const char *account, int code,
	    const char *text);
	void *arg;
};

struct sm_job {
	struct sm_fetch *f;
	struct sm_account *acct;
	const struct sm_fetch_opts *opts;
	void *priv;		/* the connector's */
	int status;		/* worst sysexits code so far, 0 */
	int stopped;		/* failed: queue nothing more */
	unsigned long emitted;
	char *auth;		/* header sent with sm_job_get, or NULL */
	struct sm_kv *cursors;	/* (internal) as stored when it began */
};

struct sm_fetch;

struct sm_fetch *sm_fetch_new(struct sm_state *st,
    const struct sm_fetch_opts *opts, const struct sm_fetch_io *io);

/* Starts the account's job; the platform's fetch queues its requests. */
void sm_fetch_add(struct sm_fetch *f, struct sm_account *acct);

/* Runs all jobs to their end.  -1 with err when the driver itself failed. */
int sm_fetch_run(struct sm_fetch *f, struct sm_error *err);

/*
 * Stores the deferred cursors (defer_commit), once the output is safe.
 * Returns the worst exit code of all jobs (0 when all went well).
 */
int sm_fetch_finish(struct sm_fetch *f, int output_safe);

void sm_fetch_free(struct sm_fetch *f);

/* For connectors. */

/* Sets the Authorization header: "Authorization: Bearer TOKEN". */
void sm_job_bearer(struct sm_job *job, const char *token);

/*
 * A record's id for the platform's own id native:
 * "platform:account:native"; null when native is NULL.
 */
json_t *sm_job_id(const struct sm_job *job, const char *native);

/*
 * Checks an account's search: setting, when it has one: a list of
 * queries (non-empty strings).  0, or -1 with err at the offending node.
 */
int sm_account_check_search(const struct sm_config *cfg,
    const struct sm_account *a, struct sm_error *err);

/*
 * The response's body as JSON (a new reference); NULL when it is not
 * JSON, and then the job has failed with EX_TEMPFAIL (try later).
 */
json_t *sm_job_json(struct sm_job *job, const struct sm_http_response *r);

/* Queues a GET of url for the job; done runs with the response. */
void sm_job_get(struct sm_job *job, const char *url,
    void (*done)(struct sm_job *, struct sm_http_response *));

/* The same, with arg handed to done (one stream of several, say). */
void sm_job_get_arg(struct sm_job *job, const char *url,
    void (*done)(struct sm_job *, struct sm_http_response *, void *),
    void *arg);

/*
 * Queues a POST of the JSON text body (NULL: none) to url, with auth
 * ("Authorization: ...", or NULL for none) instead of the job's own
 * header.
 */
void sm_job_post(struct sm_job *job, const char *url, const char *auth,
    const char *body,
    void (*done)(struct sm_job *, struct sm_http_response *, void *),
    void *arg);

/*
 * State that is no cursor (a login session, say): read, and stored at
 * once, dry run or not, because the platform may already have replaced
 * the old one; storing one makes the database readable by its owner
 * only.  Never shown by -v.  *value is a new string or NULL.
 * 0, or -1 (the job failed, or was warned).
 */
int sm_job_secret_get(struct sm_job *job, const char *name, char **value);
int sm_job_secret_set(struct sm_job *job, const char *name, const char *value);

/*
 * Writes a record (steals rec), adding fetched_at; -1 when output failed,
 * and the job is then stopped.
 */
int sm_job_emit(struct sm_job *job, json_t *rec);

/* The cursor stored for stream when the run began (borrowed), or NULL. */
const char *sm_job_cursor(struct sm_job *job, const char *stream);

/*
 * Every record up to value has been emitted: make them safe and store the
 * cursor (now, or at the end with defer_commit; never in a dry run).
 * -1 when output failed.
 */
int sm_job_commit(struct sm_job *job, const char *stream, const char *value);

/* 1 when a commit is stored at once (not deferred, not a dry run). */
int sm_job_commits_now(const struct sm_job *job);

/* Reports a problem and raises the job's status; the job goes on. */
void sm_job_warn(struct sm_job *job, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reports a problem and stops the job: it queues nothing more. */
void sm_job_fail(struct sm_job *job, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A note shown with -v. */
void sm_job_note(struct sm_job *job, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * A stream starting from nothing (no cursor, neither --backfill nor
 * --since) reads only its newest page: says so with -v.
 */
void sm_job_first_run(struct sm_job *job, const char *stream,
    const char *cursor);

/* A cursor's name for a listening stream: "search:" or "tag:" and what
 * it listens for (a new string). */
char *sm_stream_name(const char *kind, const char *query);

/* Reports an unusable HTTP response (any status but 2xx) and stops. */
void sm_job_http_error(struct sm_job *job, const struct sm_http_response *r);

/* Helpers for normalising. */

/* 1 when decimal id a is greater than b (both digit strings). */
int sm_id_greater(const char *a, const char *b);

#endif
