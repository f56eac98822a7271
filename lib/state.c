/* state.c - the SQLite state database: values, secrets, sequences, groups,
 * locks and each component's schema */
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

/* The tables every tool shares. */
static const char *const state_steps[] = {
	"CREATE TABLE IF NOT EXISTS sm_value ("
	"space TEXT NOT NULL, owner TEXT NOT NULL, key TEXT NOT NULL, "
	"value TEXT NOT NULL, updated_at TEXT NOT NULL, "
	"PRIMARY KEY (space, owner, key));"
	"CREATE TABLE IF NOT EXISTS sm_secret ("
	"space TEXT NOT NULL, owner TEXT NOT NULL, key TEXT NOT NULL, "
	"value TEXT NOT NULL, updated_at TEXT NOT NULL, "
	"PRIMARY KEY (space, owner, key));"
	"CREATE TABLE IF NOT EXISTS sm_sequence ("
	"name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
};

static const struct sm_schema state_schema = {
	"state", 1, state_steps
};

/* Prepared once, used for every record. */
enum {
	Q_GET, Q_PUT, Q_DEL, Q_SGET, Q_SPUT, Q_SDEL, Q_SEQ, Q_SEQSET, Q_N
};

static const char *const queries[Q_N] = {
	"SELECT value FROM sm_value WHERE space = ?1 AND owner = ?2 "
	"AND key = ?3",
	"INSERT OR REPLACE INTO sm_value VALUES (?1, ?2, ?3, ?4, ?5)",
	"DELETE FROM sm_value WHERE space = ?1 AND owner = ?2 AND key = ?3",
	"SELECT value FROM sm_secret WHERE space = ?1 AND owner = ?2 "
	"AND key = ?3",
	"INSERT OR REPLACE INTO sm_secret VALUES (?1, ?2, ?3, ?4, ?5)",
	"DELETE FROM sm_secret WHERE space = ?1 AND owner = ?2 AND key = ?3",
	"INSERT INTO sm_sequence VALUES (?1, 1) ON CONFLICT (name) "
	"DO UPDATE SET value = value + 1 RETURNING value",
	"UPDATE sm_sequence SET value = ?2 WHERE name = ?1",
};

/*
 * Within a group the database is locked for writing, so a sequence is
 * read once and counted in memory, and its last number is stored with
 * the commit: one statement a group instead of one a number.
 */
#define SEQ_CACHED 8

struct seq_cached {
	char *name;
	int64_t value;
	int dirty;		/* value is ahead of the database's */
};

struct sm_state {
	sqlite3 *db;
	char *path;
	int lockfd;
	int depth;		/* groups open */
	sqlite3_stmt *q[Q_N];
	struct seq_cached seq[SEQ_CACHED];
	int nseq;
	char now[32];		/* updated_at, and the second it is for */
	time_t now_t;
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

char *
sm_state_path_for(const struct sm_config *cfg, const char *path,
    struct sm_error *err)
{
	json_t *v;
	char *p;

	if (path)
		return xstrdup(path);
	v = cfg ? json_object_get(sm_config_root(cfg), "state") : NULL;
	if (v) {
		if (!json_is_string(v) || json_string_length(v) == 0) {
			sm_config_error(cfg, v, err, "state: expected a file "
			    "name, got %s", json_is_string(v) ?
			    "an empty string" : sm_config_type_name(v));
			return NULL;
		}
		return sm_config_relpath(cfg, v);
	}
	if ((p = sm_state_default_path()) == NULL)
		sm_error_set(err, NULL, 0, 0, "no state database: use --state, "
		    "state: or set HOME");
	return p;
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

/*
 * SQLite creates the database with the umask's mode and its -wal and
 * -shm files with the database's: a new database is made 0600 first.
 */
static int
create_private(const char *path, struct sm_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0 && errno != EEXIST)
		return sm_error_set(err, path, 0, 0, "cannot create: %s",
		    strerror(errno));
	if (fd >= 0)
		close(fd);
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

/* updated_at: formatted once a second */
static const char *
now(struct sm_state *st)
{
	time_t t = time(NULL);
	struct tm tm;

	if (t != st->now_t || st->now[0] == '\0') {
		gmtime_r(&t, &tm);
		strftime(st->now, sizeof(st->now), "%Y-%m-%dT%H:%M:%SZ", &tm);
		st->now_t = t;
	}
	return st->now;
}

static void
seq_forget(struct sm_state *st)
{
	int i;

	for (i = 0; i < st->nseq; i++)
		free(st->seq[i].name);
	st->nseq = 0;
}

/* The numbers counted in memory during the group, stored. */
static int
seq_store(struct sm_state *st, struct sm_error *err)
{
	sqlite3_stmt *s = st->q[Q_SEQSET];
	int i, ret = 0;

	for (i = 0; i < st->nseq && ret == 0; i++) {
		if (!st->seq[i].dirty)
			continue;
		sqlite3_bind_text(s, 1, st->seq[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, st->seq[i].value);
		if (sqlite3_step(s) != SQLITE_DONE)
			ret = db_error(st, err, "sequence");
		sqlite3_reset(s);
	}
	return ret;
}

int
sm_state_begin(struct sm_state *st, struct sm_error *err)
{
	if (st->depth == 0 && exec(st, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	st->depth++;
	return 0;
}

int
sm_state_commit(struct sm_state *st, struct sm_error *err)
{
	if (st->depth == 0)
		return 0;
	if (st->depth > 1) {
		st->depth--;
		return 0;
	}
	if (seq_store(st, err) < 0 || exec(st, "COMMIT", err) < 0) {
		sm_state_rollback(st);
		return -1;
	}
	seq_forget(st);
	st->depth = 0;
	return 0;
}

void
sm_state_rollback(struct sm_state *st)
{
	if (st->depth > 0)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	seq_forget(st);
	st->depth = 0;
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
sm_state_migrate(struct sm_state *st, const struct sm_schema *schema,
    struct sm_error *err)
{
	sqlite3_stmt *s;
	int v, i, rc;

	if (sm_state_begin(st, err) < 0)
		return -1;
	if (exec(st, "CREATE TABLE IF NOT EXISTS sm_schema ("
	    "component TEXT PRIMARY KEY, version INTEGER NOT NULL)", err) < 0 ||
	    (v = sm_state_schema_version(st, schema->component, err)) < 0)
		goto fail;
	if (v > schema->version) {
		sm_error_set(err, st->path, 0, 0, "%s schema version %d is "
		    "newer than this program knows (%d)", schema->component,
		    v, schema->version);
		goto fail;
	}
	for (i = v; i < schema->version; i++)
		if (exec(st, schema->steps[i], err) < 0)
			goto fail;
	if (v < schema->version) {
		if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO "
		    "sm_schema VALUES (?, ?)", -1, &s, NULL) != SQLITE_OK) {
			db_error(st, err, "schema");
			goto fail;
		}
		sqlite3_bind_text(s, 1, schema->component, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 2, schema->version);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE) {
			db_error(st, err, "schema");
			goto fail;
		}
	}
	return sm_state_commit(st, err);
fail:
	sm_state_rollback(st);
	return -1;
}

/*
 * Two runs that open a new database at once race to set WAL mode, and
 * the loser is told "locked" without the busy timeout being waited out:
 * it tries again, for as long.
 */
static int
wal(struct sm_state *st, int busy_ms, struct sm_error *err)
{
	struct timespec ts = { 0, 20 * 1000000L };
	int waited = 0, rc;

	while ((rc = sqlite3_exec(st->db, "PRAGMA journal_mode=WAL", NULL,
	    NULL, NULL)) == SQLITE_BUSY && waited < busy_ms) {
		nanosleep(&ts, NULL);
		waited += 20;
	}
	return rc == SQLITE_OK ? 0 : db_error(st, err, "setting WAL mode");
}

struct sm_state *
sm_state_open(const char *path, int busy_ms, struct sm_error *err)
{
	struct sm_state *st;
	int i;

	if (make_parents(path, err) < 0 || create_private(path, err) < 0)
		return NULL;
	st = xcalloc(1, sizeof(*st));
	st->path = xstrdup(path);
	st->lockfd = -1;
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		if (st->db == NULL)
			sm_error_set(err, path, 0, 0, "cannot open database");
		else
			db_error(st, err, "cannot open database");
		sm_state_close(st);
		return NULL;
	}
	sqlite3_busy_timeout(st->db, busy_ms);
	if (wal(st, busy_ms, err) < 0 ||
	    exec(st, "PRAGMA synchronous=FULL", err) < 0 ||
	    sm_state_migrate(st, &state_schema, err) < 0) {
		sm_state_close(st);
		return NULL;
	}
	for (i = 0; i < Q_N; i++)
		if (sqlite3_prepare_v3(st->db, queries[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->q[i], NULL) != SQLITE_OK) {
			db_error(st, err, "preparing statements");
			sm_state_close(st);
			return NULL;
		}
	return st;
}

void
sm_state_close(struct sm_state *st)
{
	int i;

	if (st == NULL)
		return;
	sm_state_rollback(st);
	for (i = 0; i < Q_N; i++)
		sqlite3_finalize(st->q[i]);
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

static int
get(struct sm_state *st, int q, const char *space, const char *owner,
    const char *key, char **value, struct sm_error *err)
{
	sqlite3_stmt *s = st->q[q];
	int rc, ret = 0;

	*value = NULL;
	sqlite3_bind_text(s, 1, space, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, owner, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*value = xstrdup((const char *)sqlite3_column_text(s, 0));
	else if (rc != SQLITE_DONE)
		ret = db_error(st, err, "reading");
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return ret;
}

static int
put(struct sm_state *st, int q, const char *space, const char *owner,
    const char *key, const char *value, struct sm_error *err)
{
	sqlite3_stmt *s = st->q[value ? q : q + 1];
	int ret = 0;

	sqlite3_bind_text(s, 1, space, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, owner, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, key, -1, SQLITE_STATIC);
	if (value) {
		sqlite3_bind_text(s, 4, value, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, now(st), -1, SQLITE_STATIC);
	}
	if (sqlite3_step(s) != SQLITE_DONE)
		ret = db_error(st, err, "writing");
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return ret;
}

int
sm_state_get(struct sm_state *st, const char *space, const char *owner,
    const char *key, char **value, struct sm_error *err)
{
	return get(st, Q_GET, space, owner, key, value, err);
}

int
sm_state_put(struct sm_state *st, const char *space, const char *owner,
    const char *key, const char *value, struct sm_error *err)
{
	return put(st, Q_PUT, space, owner, key, value, err);
}

int
sm_state_secret_get(struct sm_state *st, const char *owner, const char *key,
    char **value, struct sm_error *err)
{
	return get(st, Q_SGET, "secret", owner, key, value, err);
}

int
sm_state_secret_put(struct sm_state *st, const char *owner, const char *key,
    const char *value, struct sm_error *err)
{
	static const char *const ext[] = { "", "-wal", "-shm", NULL };
	struct sm_buf p = { 0 };
	int i;

	/* a database made before sm created it 0600 is closed now */
	for (i = 0; ext[i]; i++) {
		sm_buf_reset(&p);
		sm_buf_adds(&p, st->path);
		sm_buf_adds(&p, ext[i]);
		(void)chmod(p.data, 0600);
	}
	sm_buf_free(&p);
	return put(st, Q_SPUT, "secret", owner, key, value, err);
}

int
sm_state_list(struct sm_state *st, const char *space, const char *owner,
    int (*fn)(void *, const char *, const char *, const char *,
    const char *), void *arg, struct sm_error *err)
{
	sqlite3_stmt *s;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT owner, key, value, updated_at "
	    "FROM sm_value WHERE space = ?1 AND (?2 IS NULL OR owner = ?2) "
	    "ORDER BY owner, key", -1, &s, NULL) != SQLITE_OK)
		return db_error(st, err, "reading");
	sqlite3_bind_text(s, 1, space, -1, SQLITE_STATIC);
	if (owner)
		sqlite3_bind_text(s, 2, owner, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((ret = fn(arg, (const char *)sqlite3_column_text(s, 0),
		    (const char *)sqlite3_column_text(s, 1),
		    (const char *)sqlite3_column_text(s, 2),
		    (const char *)sqlite3_column_text(s, 3))) != 0)
			break;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = db_error(st, err, "reading");
	sqlite3_finalize(s);
	return ret;
}

int
sm_state_clear(struct sm_state *st, const char *space, const char *owner,
    struct sm_error *err)
{
	sqlite3_stmt *s;
	int ret = 0;

	if (sqlite3_prepare_v2(st->db, "DELETE FROM sm_value WHERE space = ?1 "
	    "AND (?2 IS NULL OR owner = ?2)", -1, &s, NULL) != SQLITE_OK)
		return db_error(st, err, "writing");
	sqlite3_bind_text(s, 1, space, -1, SQLITE_STATIC);
	if (owner)
		sqlite3_bind_text(s, 2, owner, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		ret = db_error(st, err, "writing");
	sqlite3_finalize(s);
	return ret;
}

int
sm_state_seq_next(struct sm_state *st, const char *name, int64_t *n,
    struct sm_error *err)
{
	sqlite3_stmt *s = st->q[Q_SEQ];
	int i, rc, ret = 0;

	for (i = 0; st->depth > 0 && i < st->nseq; i++)
		if (strcmp(st->seq[i].name, name) == 0) {
			*n = ++st->seq[i].value;
			st->seq[i].dirty = 1;
			return 0;
		}
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	else
		ret = db_error(st, err, "sequence");
	/* RETURNING: the statement is done only once stepped to its end */
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(s);
	if (rc != SQLITE_DONE && ret == 0)
		ret = db_error(st, err, "sequence");
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (ret == 0 && st->depth > 0 && st->nseq < SEQ_CACHED) {
		st->seq[st->nseq].name = xstrdup(name);
		st->seq[st->nseq].value = *n;
		st->seq[st->nseq++].dirty = 0;
	}
	return ret;
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
