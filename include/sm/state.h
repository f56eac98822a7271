/* state.h - the state database: what must survive between cron runs
 *
 * One SQLite file (WAL mode, a busy timeout, synchronous=FULL) shared by
 * the tools, created readable by its owner only.  The interface is narrow
 * on purpose, so that another database (PostgreSQL, for administrations
 * running sm on several machines) can stand behind it:
 *
 *   values	  sm_state_get/put/list: a value per (space, owner, key),
 *		  e.g. fetch cursors ("cursor", account, stream), case
 *		  numbers ("case", "", message id);
 *   secrets	  the same, in a table of their own, never shown: what a
 *		  platform hands back (Bluesky's session);
 *   sequences	  sm_state_seq_next: numbers that two processes can never
 *		  both be given ("case-2026");
 *   groups	  sm_state_begin/commit: many puts in one durable commit;
 *   locks	  sm_state_lock: one run of a kind at a time;
 *   schemas	  sm_state_migrate: a component that keeps tables of its
 *		  own brings them up to its schema version.
 *
 * Overlapping cron runs wait for each other (busy timeout) instead of
 * failing or corrupting anything.
 */
#ifndef SM_STATE_H
#define SM_STATE_H

#include <stdint.h>

#include "sm/config.h"
#include "sm/error.h"

struct sm_state;

/*
 * The default path: $XDG_STATE_HOME/sm/state.db, or
 * ~/.local/state/sm/state.db.  A new string, or NULL when neither
 * variable is set.
 */
char *sm_state_default_path(void);

/*
 * Where the database is: path when given (--state), else the top-level
 * state: of the configuration (relative to the file it is written in),
 * else the default.  A new string, or NULL with err set (state: is not a
 * string, or there is no HOME).
 */
char *sm_state_path_for(const struct sm_config *cfg, const char *path,
    struct sm_error *err);

/*
 * Opens (creating it, and its directory, when missing; both for the
 * owner only) the database at path and brings the shared tables up to
 * date.  busy_ms is how long a statement waits for another process's
 * write lock.  NULL with err set on failure.
 */
struct sm_state *sm_state_open(const char *path, int busy_ms,
    struct sm_error *err);

void sm_state_close(struct sm_state *st);

const char *sm_state_path(const struct sm_state *st);

/*
 * A component's tables: steps[i] is the SQL that takes them from version
 * i to i + 1; version is the number of steps.
 */
struct sm_schema {
	const char *component;
	int version;
	const char *const *steps;
};

/*
 * Applies the steps the database has not seen yet, in one transaction.
 * A database whose version is newer than the program's is an error.
 */
int sm_state_migrate(struct sm_state *st, const struct sm_schema *schema,
    struct sm_error *err);

/* The schema version a component has recorded, 0 when none; -1 on error. */
int sm_state_schema_version(struct sm_state *st, const char *component,
    struct sm_error *err);

/*
 * The value of (space, owner, key): *value is a new string, or NULL when
 * there is none.  0 or -1.
 */
int sm_state_get(struct sm_state *st, const char *space, const char *owner,
    const char *key, char **value, struct sm_error *err);

/*
 * Stores a value (NULL deletes it), durably on return unless a group is
 * open (sm_state_begin), in which case it is stored at its commit.
 */
int sm_state_put(struct sm_state *st, const char *space, const char *owner,
    const char *key, const char *value, struct sm_error *err);

/*
 * Calls fn for each (key, value) of space and owner (every owner when
 * owner is NULL), in order of owner and key; fn returning non-zero
 * stops the walk and is returned.  -1 on a database error.
 */
int sm_state_list(struct sm_state *st, const char *space, const char *owner,
    int (*fn)(void *arg, const char *owner, const char *key,
    const char *value, const char *updated_at), void *arg,
    struct sm_error *err);

/* Deletes every value of space and owner (every owner when NULL). */
int sm_state_clear(struct sm_state *st, const char *space, const char *owner,
    struct sm_error *err);

/* Secrets: like get and put, in their own table. */
int sm_state_secret_get(struct sm_state *st, const char *owner,
    const char *key, char **value, struct sm_error *err);
int sm_state_secret_put(struct sm_state *st, const char *owner,
    const char *key, const char *value, struct sm_error *err);

/*
 * The next number of the sequence called name (1 for a new one).  Within
 * a group the number is the group's and comes out for good only with
 * its commit; a rolled-back number is handed out again.  Two processes
 * are never given the same number.
 */
int sm_state_seq_next(struct sm_state *st, const char *name, int64_t *n,
    struct sm_error *err);

/*
 * Opens a group: what is put until sm_state_commit is stored in one
 * durable commit (or not at all).  The database is locked for writing
 * while the group is open: keep groups short (a few hundred records).
 * Groups nest: only the outermost commit stores.
 */
int sm_state_begin(struct sm_state *st, struct sm_error *err);
int sm_state_commit(struct sm_state *st, struct sm_error *err);

/* Forgets what the open group put. */
void sm_state_rollback(struct sm_state *st);

/*
 * Takes the exclusive lock called name (a file next to the database,
 * "PATH.NAME.lock", held with flock), waiting at most wait_ms.  Returns 0,
 * 1 when another process still held it after wait_ms, -1 on error.  The
 * lock goes with sm_state_close or the process.
 */
int sm_state_lock(struct sm_state *st, const char *name, int wait_ms,
    struct sm_error *err);

#endif
