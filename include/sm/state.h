/* state.h - the state database: fetch cursors and what must survive a run
 *
 * One SQLite file (WAL mode, a busy timeout, synchronous=FULL) shared by
 * the tools; each tool keeps its tables and records its schema version in
 * sm_schema.  Overlapping cron runs wait for each other.
 */
#ifndef SM_STATE_H
#define SM_STATE_H

#include "sm/error.h"

struct sm_state;

/*
 * The default path: $XDG_STATE_HOME/sm/state.db, or
 * ~/.local/state/sm/state.db.  A new string, or NULL when neither
 * variable is set.
 */
char *sm_state_default_path(void);

/*
 * Opens (creating it, and its directory, when missing) the database at
 * path and brings the schema up to date.  busy_ms is how long a statement
 * waits for another process's write lock.  NULL with err set on failure.
 */
struct sm_state *sm_state_open(const char *path, int busy_ms,
    struct sm_error *err);

void sm_state_close(struct sm_state *st);

const char *sm_state_path(const struct sm_state *st);

/*
 * Takes the exclusive lock called name (a file next to the database,
 * "PATH.NAME.lock", held with flock), waiting at most wait_ms.  Returns 0,
 * 1 when another process still held it after wait_ms, -1 on error.  The
 * lock goes with sm_state_close or the process.
 */
int sm_state_lock(struct sm_state *st, const char *name, int wait_ms,
    struct sm_error *err);

/*
 * The cursor of one stream of an account: *value is set to a new string,
 * or to NULL when there is none yet.  Returns 0 or -1.
 */
int sm_state_cursor_get(struct sm_state *st, const char *account,
    const char *stream, char **value, struct sm_error *err);

/* Stores a cursor durably (the transaction is committed on return). */
int sm_state_cursor_set(struct sm_state *st, const char *account,
    const char *stream, const char *value, struct sm_error *err);

/* The schema version a component has recorded, 0 when none. */
int sm_state_schema_version(struct sm_state *st, const char *component,
    struct sm_error *err);

#endif
