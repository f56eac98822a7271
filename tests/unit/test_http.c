/* test_http.c - which URLs may carry a token */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sm/http.h"

/* libsm leaves the program's rand() as the program seeded it */
static void
test_rand_left_alone(void **state)
{
	struct sm_http *h;
	int a, b;

	srand(42);
	a = rand();
	srand(42);
	h = sm_http_new();
	b = rand();
	sm_http_free(h);
	assert_int_equal(a, b);
}

static void
test_url_https(void **state)
{
	assert_int_equal(sm_http_url_secure("https://masto.example/api"), 1);
	assert_int_equal(sm_http_url_secure("HTTPS://masto.example/"), 1);
	assert_int_equal(sm_http_url_secure(
	    "https://127.0.0.1:80@masto.example/"), 1);
}

static void
test_url_loopback(void **state)
{
	static const char *const ok[] = {
		"http://127.0.0.1/", "http://127.0.0.1:8080/api",
		"http://127.1:8080/", "http://127.9.8.7/",
		"http://localhost/", "http://LOCALHOST:1/",
		"http://localhost.:1/", "http://[::1]:8080/",
		"http://[0:0:0:0:0:0:0:1]/", "HTTP://127.0.0.1/",
		"hTtP://localhost/x", "http://user:pw@127.0.0.1/",
		"http://127.0.0.1:1/@elsewhere.example", NULL
	};

	for (size_t i = 0; ok[i]; i++)
		if (sm_http_url_secure(ok[i]) != 1)
			fail_msg("%s: refused", ok[i]);
}

static void
test_url_elsewhere(void **state)
{
	static const char *const bad[] = {
		"http://masto.example/",
		"http://127.0.0.1:80@elsewhere.example/",
		"http://127.0.0.1@elsewhere.example/",
		"http://localhost@elsewhere.example/",
		"http://localhost:pw@elsewhere.example:80/",
		"http://[::1]@elsewhere.example/",
		"http://[::1]:80@elsewhere.example/",
		"http://127.0.0.1.elsewhere.example/",
		"http://localhost.elsewhere.example/",
		"http://127.0.0.1%2f@elsewhere.example/",
		"HTTP://elsewhere.example/",
		"http://elsewhere.example/127.0.0.1",
		"http://elsewhere.example/?http://127.0.0.1/",
		"http://128.0.0.1/", "http://[::2]/",
		"http://[::ffff:8.8.8.8]/",
		"ftp://127.0.0.1/", "127.0.0.1", "", "http://", NULL
	};

	for (size_t i = 0; bad[i]; i++)
		if (sm_http_url_secure(bad[i]) != 0)
			fail_msg("%s: allowed", bad[i]);
	assert_int_equal(sm_http_url_secure(NULL), 0);
}

static void
on_done(struct sm_http_response *resp, void *arg)
{
	struct sm_http_response *out = arg;

	out->result = resp->result;
	memcpy(out->error, resp->error, sizeof(out->error));
}

/* also a URL that comes from a server (a next page) is refused */
static void
test_request_refused(void **state)
{
	struct sm_http *h = sm_http_new();
	struct sm_http_opts o;
	struct sm_http_response resp = { .result = SM_HTTP_OK };
	const char *hdrs[] = { "Authorization: Bearer secret", NULL };

	assert_non_null(h);
	sm_http_opts_init(&o);
	sm_http_get(h, &o, "http://127.0.0.1:80@elsewhere.invalid/", hdrs,
	    on_done, &resp);
	assert_int_equal(sm_http_run(h, NULL), 0);
	assert_int_equal(resp.result, SM_HTTP_FAILED);
	assert_string_equal(resp.error, "plain http to elsewhere.invalid "
	    "would send the token in clear; use https");
	sm_http_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rand_left_alone),
		cmocka_unit_test(test_url_https),
		cmocka_unit_test(test_url_loopback),
		cmocka_unit_test(test_url_elsewhere),
		cmocka_unit_test(test_request_refused),
	};

	return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
