/* fetch.h - sm-fetch's driver: jobs, records out, cursors moved
 *
 * The driver runs one job per account, all at once over one sm_http; a
 * job is the account's session (account.h) and what fetching adds to it:
 * options, cursors, records.  A connector emits records through the job; the driver hands them to the
 * tool's output and, when the connector commits a cursor, makes the output
 * safe (flushed; with a spool file, written, fsynced and renamed at the
 * end of the run) before the cursor is stored.  So a crash re-fetches,
 * and never loses, a message.
 */
#ifndef SM_FETCH_H
#define SM_FETCH_H

#include <time.h>

#include <jansson.h>

#include "sm/account.h"
#include "sm/config.h"
#include "sm/error.h"
#include "sm/http.h"
#include "sm/platform.h"
#include "sm/state.h"
#include "sm/time.h"

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
	sm_report_fn *report;
	void *arg;
};

struct sm_job {
	struct sm_session s;	/* first: a session is its job's */
	struct sm_account *acct;	/* s.acct */
	struct sm_fetch *f;
	const struct sm_fetch_opts *opts;
	void *priv;		/* the connector's */
	unsigned long emitted;
	struct sm_kv *cursors;	/* (internal) as stored when it began */
};

/* The job whose session s is (connectors' session callbacks). */
#define SM_JOB(sess) ((struct sm_job *)(void *)(sess))

struct sm_fetch;

/* fetch's tables in the state database (cursors) */
extern const struct sm_schema sm_fetch_schema;

/*
 * A driver writing through io, keeping cursors in st (whose fetch tables
 * are brought up to date here).  NULL with err set when they cannot be.
 */
struct sm_fetch *sm_fetch_new(struct sm_state *st,
    const struct sm_fetch_opts *opts, const struct sm_fetch_io *io,
    struct sm_error *err);

/*
 * Starts the account's job: its session is opened (signed in), then the
 * platform's fetch queues its requests.
 */
void sm_fetch_add(struct sm_fetch *f, struct sm_account *acct);

/* Runs all jobs to their end.  -1 with err when the driver itself failed. */
int sm_fetch_run(struct sm_fetch *f, struct sm_error *err);

/*
 * Stores the deferred cursors (defer_commit), once the output is safe.
 * Returns the worst exit code of all jobs (0 when all went well).
 */
int sm_fetch_finish(struct sm_fetch *f, int output_safe);

void sm_fetch_free(struct sm_fetch *f);

/*
 * Forgets what the state database keeps of the account called name: its
 * cursors (its next run is a first run) and its health (last success,
 * failures, a message it was stuck at), in one commit.  0, or -1 with err.
 */
int sm_fetch_reset(struct sm_state *st, const char *name,
    struct sm_error *err);

/*
 * The messages an account's streams are stuck at, read from its health
 * (the values of space "account", owner the account, as a JSON object):
 * a new object {STREAM: {"message": NATIVE, "runs": N}}.
 */
json_t *sm_fetch_stuck(const json_t *health);

/* For connectors. */

/*
 * A record's id for the platform's own id native:
 * "platform:account:native"; null when native is NULL.
 */
json_t *sm_job_id(const struct sm_job *job, const char *native);

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

/*
 * A stream starting from nothing (no cursor, neither --backfill nor
 * --since) reads only its newest page: says so with -v.
 */
void sm_job_first_run(struct sm_job *job, const char *stream,
    const char *cursor);

/*
 * Runs in a row in which one message may fail to be read (the platform
 * refusing it, the connection dropped on it) before it is passed: the
 * connector then emits a record that says so (with "unreadable") and
 * moves its cursor past it, so that one message cannot block an account.
 */
#define SM_FETCH_TRIES 3

/*
 * The message native of stream could not be read in this run: the runs
 * in a row in which it could not, this one included.  Kept in the state
 * database with the account's health (never in a dry run), so that the
 * count goes on from run to run.
 */
long sm_job_stuck(struct sm_job *job, const char *stream, const char *native);

/* The stream is past what it was stuck at (read, or passed): forgotten. */
void sm_job_unstuck(struct sm_job *job, const char *stream);

/* A cursor's name for a listening stream: "search:" or "tag:" and what
 * it listens for (a new string). */
char *sm_stream_name(const char *kind, const char *query);

/* Helpers for normalising. */

/* 1 when decimal id a is greater than b (both digit strings). */
int sm_id_greater(const char *a, const char *b);

#endif
