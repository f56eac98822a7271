/* state.c - the SQLite state database: cursors, schema versions, locks */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "sm/state.h"
#include "sm/util.h"

#define FETCH_SCHEMA 1

struct sm_state {
	sqlite3 *db;
	char *path;
	int lockfd;
};

char *
sm_state_default_path(void)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	struct sm_buf b = { 0 };

	if (xdg && *xdg == '/') {
		sm_buf_adds(&b, xdg);
		sm_buf_adds(&b, "/sm/state.db");
	} else if (home && *home) {
		sm_buf_adds(&b, home);
		sm_buf_adds(&b, "/.local/state/sm/state.db");
	} else
		return NULL;
	return b.data;
}

/* Creates the directories leading to path, like mkdir -p on its dirname. */
static int
make_parents(const char *path, struct sm_error *err)
{
	char *p = xstrdup(path), *s;

	for (s = p + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			sm_error_set(err, p, 0, 0, "cannot create directory: %s",
			    strerror(errno));
			free(p);
			return -1;
		}
		*s = '/';
	}
	free(p);
	return 0;
}

static int
db_error(struct sm_state *st, struct sm_error *err, const char *what)
{
	return sm_error_set(err, st->path, 0, 0, "%s: %s", what,
	    sqlite3_errmsg(st->db));
}

static int
exec(struct sm_state *st, const char *sql, struct sm_error *err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		sm_error_set(err, st->path, 0, 0, "%s", msg ? msg :
		    sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int
migrate(struct sm_state *st, struct sm_error *err)
{
	int v;

	if (exec(st, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	if (exec(st, "CREATE TABLE IF NOT EXISTS sm_schema ("
	    "component TEXT PRIMARY KEY, version INTEGER NOT NULL)", err) < 0)
		goto fail;
	if ((v = sm_state_schema_version(st, "fetch", err)) < 0)
		goto fail;
	if (v > FETCH_SCHEMA) {
		sm_error_set(err, st->path, 0, 0, "fetch schema version %d "
		    "is newer than this program knows (%d)", v, FETCH_SCHEMA);
		goto fail;
	}
	if (v < 1 && exec(st, "CREATE TABLE IF NOT EXISTS fetch_cursor ("
	    "account TEXT NOT NULL, stream TEXT NOT NULL, "
	    "value TEXT NOT NULL, updated_at TEXT NOT NULL, "
	    "PRIMARY KEY (account, stream));"
	    "INSERT OR REPLACE INTO sm_schema VALUES ('fetch', 1)", err) < 0)
		goto fail;
	return exec(st, "COMMIT", err);
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

struct sm_state *
sm_state_open(const char *path, int busy_ms, struct sm_error *err)
{
	struct sm_state *st;

	if (make_parents(path, err) < 0)
		return NULL;
	st = xcalloc(1, sizeof(*st));
	st->path = xstrdup(path);
	st->lockfd = -1;
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		if (st->db == NULL)
			sm_error_set(err, path, 0, 0, "cannot open database");
		else
			db_error(st, err, "cannot open database");
		sm_state_close(st);
		return NULL;
	}
	sqlite3_busy_timeout(st->db, busy_ms);
	if (exec(st, "PRAGMA journal_mode=WAL", err) < 0 ||
	    exec(st, "PRAGMA synchronous=FULL", err) < 0 ||
	    migrate(st, err) < 0) {
		sm_state_close(st);
		return NULL;
	}
	return st;
}

void
sm_state_close(struct sm_state *st)
{
	if (st == NULL)
		return;
	sqlite3_close(st->db);
	if (st->lockfd >= 0)
		close(st->lockfd);
	free(st->path);
	free(st);
}

const char *
sm_state_path(const struct sm_state *st)
{
	return st->path;
}

int
sm_state_lock(struct sm_state *st, const char *name, int wait_ms,
    struct sm_error *err)
{
	struct sm_buf p = { 0 };
	struct timespec ts = { 0, 50 * 1000000L };
	int waited = 0;

	sm_buf_adds(&p, st->path);
	sm_buf_addc(&p, '.');
	sm_buf_adds(&p, name);
	sm_buf_adds(&p, ".lock");
	if (st->lockfd < 0)
		st->lockfd = open(p.data, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (st->lockfd < 0) {
		sm_error_set(err, p.data, 0, 0, "%s", strerror(errno));
		sm_buf_free(&p);
		return -1;
	}
	while (flock(st->lockfd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			sm_error_set(err, p.data, 0, 0, "%s", strerror(errno));
			sm_buf_free(&p);
			return -1;
		}
		if (waited >= wait_ms) {
			sm_error_set(err, p.data, 0, 0,
			    "still locked by another run");
			sm_buf_free(&p);
			return 1;
		}
		nanosleep(&ts, NULL);
		waited += 50;
	}
	sm_buf_free(&p);
	return 0;
}

int
sm_state_schema_version(struct sm_state *st, const char *component,
    struct sm_error *err)
{
	sqlite3_stmt *s;
	int v = 0, rc;

	if (sqlite3_prepare_v2(st->db, "SELECT version FROM sm_schema "
	    "WHERE component = ?", -1, &s, NULL) != SQLITE_OK)
		return db_error(st, err, "schema");
	sqlite3_bind_text(s, 1, component, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	else if (rc != SQLITE_DONE)
		v = db_error(st, err, "schema");
	sqlite3_finalize(s);
	return v;
}

int
sm_state_cursor_get(struct sm_state *st, const char *account,
    const char *stream, char **value, struct sm_error *err)
{
	sqlite3_stmt *s;
	int rc, ret = 0;

	*value = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT value FROM fetch_cursor "
	    "WHERE account = ? AND stream = ?", -1, &s, NULL) != SQLITE_OK)
		return db_error(st, err, "reading a cursor");
	sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, stream, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*value = xstrdup((const char *)sqlite3_column_text(s, 0));
	else if (rc != SQLITE_DONE)
		ret = db_error(st, err, "reading a cursor");
	sqlite3_finalize(s);
	return ret;
}

int
sm_state_cursor_set(struct sm_state *st, const char *account,
    const char *stream, const char *value, struct sm_error *err)
{
	sqlite3_stmt *s;
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	int ret = 0;

	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO fetch_cursor "
	    "VALUES (?, ?, ?, ?)", -1, &s, NULL) != SQLITE_OK)
		return db_error(st, err, "writing a cursor");
	sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, stream, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, value, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		ret = db_error(st, err, "writing a cursor");
	sqlite3_finalize(s);
	return ret;
}
