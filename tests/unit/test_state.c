/* test_state.c - the state database: cursors, schema, locks */
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
test_cursor_roundtrip(void **unused)
{
	struct sm_error err;
	struct sm_state *st;
	char *v;

	st = sm_state_open(path, 1000, &err);
	assert_non_null(st);
	assert_int_equal(sm_state_schema_version(st, "fetch", &err), 1);
	assert_int_equal(sm_state_cursor_get(st, "ayto", "mentions", &v,
	    &err), 0);
	assert_null(v);
	assert_int_equal(sm_state_cursor_set(st, "ayto", "mentions",
	    "2489917", &err), 0);
	assert_int_equal(sm_state_cursor_set(st, "ayto", "dm", "x", &err),
	    0);
	assert_int_equal(sm_state_cursor_set(st, "ayto", "mentions",
	    "2490033", &err), 0);
	sm_state_close(st);

	st = sm_state_open(path, 1000, &err);
	assert_non_null(st);
	assert_int_equal(sm_state_cursor_get(st, "ayto", "mentions", &v,
	    &err), 0);
	assert_string_equal(v, "2490033");
	free(v);
	assert_int_equal(sm_state_cursor_get(st, "ayto", "dm", &v, &err), 0);
	assert_string_equal(v, "x");
	free(v);
	assert_int_equal(sm_state_cursor_get(st, "other", "mentions", &v,
	    &err), 0);
	assert_null(v);
	sm_state_close(st);
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
		cmocka_unit_test(test_cursor_roundtrip),
		cmocka_unit_test(test_lock_excludes),
		cmocka_unit_test(test_open_fails_with_place),
		cmocka_unit_test(test_default_path),
	};

	return cmocka_run_group_tests_name("state", tests, setup, teardown);
}
