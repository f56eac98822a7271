/* test_state.c - the state database: values, secrets, sequences, groups,
 * schemas, locks */
#include <sys/stat.h>
#include <sys/wait.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sm/fetch.h"
#include "sm/state.h"

static char dir[] = "/tmp/sm-state-test.XXXXXX";
static char path[256];

static int
setup(void **unused)
{
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/sub/dir/state.db", dir);
	return 0;
}

static int
teardown(void **unused)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_value_roundtrip(void **unused)
{
	struct sm_error err;
	struct sm_state *st;
	char *v;

	st = sm_state_open(path, 1000, &err);
	assert_non_null(st);
	assert_int_equal(sm_state_schema_version(st, "state", &err), 1);
	assert_int_equal(sm_state_get(st, "cursor", "ayto", "mentions", &v,
	    &err), 0);
	assert_null(v);
	assert_int_equal(sm_state_put(st, "cursor", "ayto", "mentions",
	    "2489917", &err), 0);
	assert_int_equal(sm_state_put(st, "cursor", "ayto", "dm", "x", &err),
	    0);
	assert_int_equal(sm_state_put(st, "cursor", "ayto", "mentions",
	    "2490033", &err), 0);
	assert_int_equal(sm_state_put(st, "case", "", "mastodon:a:1",
	    "2026-000001", &err), 0);
	sm_state_close(st);

	st = sm_state_open(path, 1000, &err);
	assert_non_null(st);
	assert_int_equal(sm_state_get(st, "cursor", "ayto", "mentions", &v,
	    &err), 0);
	assert_string_equal(v, "2490033");
	free(v);
	assert_int_equal(sm_state_get(st, "cursor", "ayto", "dm", &v, &err),
	    0);
	assert_string_equal(v, "x");
	free(v);
	assert_int_equal(sm_state_get(st, "cursor", "other", "mentions", &v,
	    &err), 0);
	assert_null(v);
	/* spaces are apart */
	assert_int_equal(sm_state_get(st, "case", "ayto", "dm", &v, &err), 0);
	assert_null(v);
	/* NULL deletes */
	assert_int_equal(sm_state_put(st, "cursor", "ayto", "dm", NULL, &err),
	    0);
	assert_int_equal(sm_state_get(st, "cursor", "ayto", "dm", &v, &err),
	    0);
	assert_null(v);
	sm_state_close(st);
}

static int
collect(void *arg, const char *owner, const char *key, const char *value,
    const char *updated_at)
{
	char *out = arg;

	assert_int_equal(strlen(updated_at), 20);
	strcat(out, owner);
	strcat(out, "/");
	strcat(out, key);
	strcat(out, "=");
	strcat(out, value);
	strcat(out, " ");
	return strcmp(key, "stop") == 0 ? 7 : 0;
}

static void
test_list_and_clear(void **unused)
{
	struct sm_error err;
	struct sm_state *st;
	char out[512] = "";

	st = sm_state_open(path, 1000, &err);
	assert_non_null(st);
	assert_int_equal(sm_state_put(st, "l", "b", "k2", "2", &err), 0);
	assert_int_equal(sm_state_put(st, "l", "a", "k1", "1", &err), 0);
	assert_int_equal(sm_state_put(st, "l", "b", "k1", "3", &err), 0);
	assert_int_equal(sm_state_put(st, "other", "a", "k", "x", &err), 0);
	assert_int_equal(sm_state_list(st, "l", NULL, collect, out, &err), 0);
	assert_string_equal(out, "a/k1=1 b/k1=3 b/k2=2 ");
	out[0] = '\0';
	assert_int_equal(sm_state_list(st, "l", "b", collect, out, &err), 0);
	assert_string_equal(out, "b/k1=3 b/k2=2 ");
	/* the callback stops the walk and says why */
	assert_int_equal(sm_state_put(st, "l", "a", "stop", "s", &err), 0);
	out[0] = '\0';
	assert_int_equal(sm_state_list(st, "l", NULL, collect, out, &err), 7);
	assert_string_equal(out, "a/k1=1 a/stop=s ");
	assert_int_equal(sm_state_clear(st, "l", "a", &err), 0);
	out[0] = '\0';
	assert_int_equal(sm_state_list(st, "l", NULL, collect, out, &err), 0);
	assert_string_equal(out, "b/k1=3 b/k2=2 ");
	assert_int_equal(sm_state_clear(st, "l", NULL, &err), 0);
	out[0] = '\0';
	assert_int_equal(sm_state_list(st, "l", NULL, collect, out, &err), 0);
	assert_string_equal(out, "");
	out[0] = '\0';
	assert_int_equal(sm_state_list(st, "other", NULL, collect, out, &err),
	    0);
	assert_string_equal(out, "a/k=x ");
	sm_state_close(st);
}

static void
test_secrets_apart(void **unused)
{
	struct sm_error err;
	struct sm_state *st;
	struct stat sb;
	char *v, out[256] = "";

	st = sm_state_open(path, 1000, &err);
	assert_non_null(st);
	assert_int_equal(sm_state_secret_put(st, "bsky", "session", "{\"a\":1}",
	    &err), 0);
	assert_int_equal(sm_state_secret_get(st, "bsky", "session", &v, &err),
	    0);
	assert_string_equal(v, "{\"a\":1}");
	free(v);
	/* not among the values */
	assert_int_equal(sm_state_get(st, "secret", "bsky", "session", &v,
	    &err), 0);
	assert_null(v);
	assert_int_equal(sm_state_list(st, "secret", NULL, collect, out, &err),
	    0);
	assert_string_equal(out, "");
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	sm_state_close(st);
}

static void
test_new_database_is_private(void **unused)
{
	struct sm_error err;
	struct sm_state *st;
	struct stat sb;
	char p[300];
	mode_t old = umask(022);

	snprintf(p, sizeof(p), "%s/private/state.db", dir);
	st = sm_state_open(p, 1000, &err);
	umask(old);
	assert_non_null(st);
	assert_int_equal(sm_state_put(st, "x", "y", "z", "v", &err), 0);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	snprintf(p, sizeof(p), "%s/private/state.db-wal", dir);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	snprintf(p, sizeof(p), "%s/private", dir);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	sm_state_close(st);
}

static void
test_groups(void **unused)
{
	struct sm_error err;
	struct sm_state *st;
	int64_t n;
	char *v;

	st = sm_state_open(path, 1000, &err);
	assert_non_null(st);
	/* rolled back: neither the value nor the number stays */
	assert_int_equal(sm_state_begin(st, &err), 0);
	assert_int_equal(sm_state_put(st, "g", "", "a", "1", &err), 0);
	assert_int_equal(sm_state_seq_next(st, "g-2026", &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(sm_state_seq_next(st, "g-2026", &n, &err), 0);
	assert_int_equal(n, 2);
	sm_state_rollback(st);
	assert_int_equal(sm_state_get(st, "g", "", "a", &v, &err), 0);
	assert_null(v);
	/* nested: only the outermost commit stores, numbers included */
	assert_int_equal(sm_state_begin(st, &err), 0);
	assert_int_equal(sm_state_seq_next(st, "g-2026", &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(sm_state_seq_next(st, "g-2026", &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(sm_state_begin(st, &err), 0);
	assert_int_equal(sm_state_put(st, "g", "", "a", "2", &err), 0);
	assert_int_equal(sm_state_seq_next(st, "g-2026", &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(sm_state_commit(st, &err), 0);
	assert_int_equal(sm_state_commit(st, &err), 0);
	sm_state_close(st);
	st = sm_state_open(path, 1000, &err);
	assert_int_equal(sm_state_get(st, "g", "", "a", &v, &err), 0);
	assert_string_equal(v, "2");
	free(v);
	assert_int_equal(sm_state_seq_next(st, "g-2026", &n, &err), 0);
	assert_int_equal(n, 4);
	/* a group after a group goes on where the last one stopped */
	assert_int_equal(sm_state_begin(st, &err), 0);
	assert_int_equal(sm_state_seq_next(st, "g-2026", &n, &err), 0);
	assert_int_equal(n, 5);
	assert_int_equal(sm_state_commit(st, &err), 0);
	assert_int_equal(sm_state_begin(st, &err), 0);
	assert_int_equal(sm_state_seq_next(st, "g-2026", &n, &err), 0);
	assert_int_equal(n, 6);
	sm_state_rollback(st);
	assert_int_equal(sm_state_seq_next(st, "g-2026", &n, &err), 0);
	assert_int_equal(n, 6);
	assert_int_equal(sm_state_seq_next(st, "g-2027", &n, &err), 0);
	assert_int_equal(n, 1);
	sm_state_close(st);
}

#define PER_CHILD 300

/* Two processes taking numbers at once, alone and in groups of ten. */
static void
test_sequence_two_processes(void **unused)
{
	static char seen[2 * PER_CHILD + 1];
	struct sm_error err;
	struct sm_state *st;
	char p[300], line[64];
	pid_t pid[2];
	int64_t n;
	int i, k, status;
	FILE *fp;

	for (k = 0; k < 2; k++) {
		pid[k] = fork();
		assert_true(pid[k] >= 0);
		if (pid[k] > 0)
			continue;
		snprintf(p, sizeof(p), "%s/seq%d", dir, k);
		if ((fp = fopen(p, "w")) == NULL ||
		    (st = sm_state_open(path, 30000, &err)) == NULL)
			_exit(1);
		for (i = 0; i < PER_CHILD; i++) {
			if (i % 10 == 0 && k == 1 &&
			    sm_state_begin(st, &err) < 0)
				_exit(2);
			if (sm_state_seq_next(st, "race", &n, &err) < 0)
				_exit(3);
			fprintf(fp, "%lld\n", (long long)n);
			if (i % 10 == 9 && k == 1 &&
			    sm_state_commit(st, &err) < 0)
				_exit(4);
		}
		sm_state_close(st);
		_exit(fclose(fp) == 0 ? 0 : 5);
	}
	for (k = 0; k < 2; k++) {
		assert_int_equal(waitpid(pid[k], &status, 0), pid[k]);
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	for (k = 0; k < 2; k++) {
		snprintf(p, sizeof(p), "%s/seq%d", dir, k);
		fp = fopen(p, "r");
		assert_non_null(fp);
		while (fgets(line, sizeof(line), fp)) {
			n = atoll(line);
			assert_true(n >= 1 && n <= 2 * PER_CHILD);
			assert_int_equal(seen[n], 0);
			seen[n] = 1;
		}
		fclose(fp);
	}
	for (i = 1; i <= 2 * PER_CHILD; i++)
		assert_int_equal(seen[i], 1);
}

static const char *const steps_v2[] = {
	"CREATE TABLE t (a TEXT)",
	"INSERT INTO t VALUES ('two')",
};

static void
test_migrate(void **unused)
{
	struct sm_schema v1 = { "comp", 1, steps_v2 };
	struct sm_schema v2 = { "comp", 2, steps_v2 };
	struct sm_error err;
	struct sm_state *st;

	st = sm_state_open(path, 1000, &err);
	assert_non_null(st);
	assert_int_equal(sm_state_schema_version(st, "comp", &err), 0);
	assert_int_equal(sm_state_migrate(st, &v1, &err), 0);
	assert_int_equal(sm_state_schema_version(st, "comp", &err), 1);
	/* applied once */
	assert_int_equal(sm_state_migrate(st, &v1, &err), 0);
	assert_int_equal(sm_state_migrate(st, &v2, &err), 0);
	assert_int_equal(sm_state_migrate(st, &v2, &err), 0);
	assert_int_equal(sm_state_schema_version(st, "comp", &err), 2);
	/* an older program refuses a newer database */
	assert_int_equal(sm_state_migrate(st, &v1, &err), -1);
	assert_string_equal(err.text, "comp schema version 2 is newer than "
	    "this program knows (1)");
	sm_state_close(st);
}

/* A database of sm-fetch's first schema: cursors and the session move. */
static void
test_fetch_schema_1(void **unused)
{
	static const char *const old[] = {
		"CREATE TABLE fetch_cursor (account TEXT NOT NULL, "
		"stream TEXT NOT NULL, value TEXT NOT NULL, "
		"updated_at TEXT NOT NULL, PRIMARY KEY (account, stream));"
		"INSERT INTO fetch_cursor VALUES ('m', 'mentions', '42', "
		"'2026-01-01T00:00:00Z');"
		"INSERT INTO fetch_cursor VALUES ('b', 'session', '{}', "
		"'2026-01-01T00:00:00Z')",
	};
	struct sm_schema fetch_v1 = { "fetch", 1, old };
	struct sm_error err;
	struct sm_state *st;
	char p[300], *v;

	snprintf(p, sizeof(p), "%s/old/state.db", dir);
	st = sm_state_open(p, 1000, &err);
	assert_non_null(st);
	assert_int_equal(sm_state_migrate(st, &fetch_v1, &err), 0);
	assert_int_equal(sm_state_migrate(st, &sm_fetch_schema, &err), 0);
	assert_int_equal(sm_state_schema_version(st, "fetch", &err), 2);
	assert_int_equal(sm_state_get(st, "cursor", "m", "mentions", &v,
	    &err), 0);
	assert_string_equal(v, "42");
	free(v);
	assert_int_equal(sm_state_get(st, "cursor", "b", "session", &v, &err),
	    0);
	assert_null(v);
	assert_int_equal(sm_state_secret_get(st, "b", "session", &v, &err), 0);
	assert_string_equal(v, "{}");
	free(v);
	sm_state_close(st);
}

static void
test_path_for(void **unused)
{
	struct sm_config *cfg;
	struct sm_error err;
	char *p;

	cfg = sm_config_load_string("state: db/state.db\n", "/etc/sm/sm.yaml",
	    &err);
	assert_non_null(cfg);
	p = sm_state_path_for(cfg, NULL, &err);
	assert_string_equal(p, "/etc/sm/db/state.db");
	free(p);
	p = sm_state_path_for(cfg, "given.db", &err);
	assert_string_equal(p, "given.db");
	free(p);
	sm_config_free(cfg);
	cfg = sm_config_load_string("state: [x]\n", "sm.yaml", &err);
	assert_non_null(cfg);
	assert_null(sm_state_path_for(cfg, NULL, &err));
	assert_string_equal(err.text, "state: expected a file name, got a "
	    "list");
	assert_int_equal(err.line, 1);
	sm_config_free(cfg);
}

static void
test_lock_excludes(void **unused)
{
	struct sm_error err;
	struct sm_state *a, *b;
	pid_t pid;
	int status;

	a = sm_state_open(path, 1000, &err);
	assert_non_null(a);
	assert_int_equal(sm_state_lock(a, "fetch", 0, &err), 0);
	/* flock is per open file: another process must wait, then give up */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		b = sm_state_open(path, 1000, &err);
		_exit(b != NULL && sm_state_lock(b, "fetch", 100, &err) == 1 ?
		    0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);
	sm_state_close(a);
	b = sm_state_open(path, 1000, &err);
	assert_non_null(b);
	assert_int_equal(sm_state_lock(b, "fetch", 0, &err), 0);
	sm_state_close(b);
}

static void
test_open_fails_with_place(void **unused)
{
	struct sm_error err;
	struct sm_state *st;

	st = sm_state_open("/dev/null/x/state.db", 1000, &err);
	assert_null(st);
	assert_string_equal(err.file, "/dev/null/x");
}

static void
test_default_path(void **unused)
{
	char *p;

	setenv("XDG_STATE_HOME", "/var/x", 1);
	p = sm_state_default_path();
	assert_string_equal(p, "/var/x/sm/state.db");
	free(p);
	unsetenv("XDG_STATE_HOME");
	setenv("HOME", "/home/ayto", 1);
	p = sm_state_default_path();
	assert_string_equal(p, "/home/ayto/.local/state/sm/state.db");
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_value_roundtrip),
		cmocka_unit_test(test_list_and_clear),
		cmocka_unit_test(test_secrets_apart),
		cmocka_unit_test(test_new_database_is_private),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_sequence_two_processes),
		cmocka_unit_test(test_migrate),
		cmocka_unit_test(test_fetch_schema_1),
		cmocka_unit_test(test_path_for),
		cmocka_unit_test(test_lock_excludes),
		cmocka_unit_test(test_open_fails_with_place),
		cmocka_unit_test(test_default_path),
	};

	return cmocka_run_group_tests_name("state", tests, setup, teardown);
}
