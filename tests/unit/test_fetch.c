/* test_fetch.c - the fetch helpers: times, ids, Link headers, escaping */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sm/fetch.h"
#include "sm/http.h"

static void
test_time_parse(void **unused)
{
	time_t t;
	json_t *j;

	assert_int_equal(sm_time_parse("2025-03-11T09:14:03Z", &t), 0);
	assert_int_equal(t, 1741684443);
	assert_int_equal(sm_time_parse("2025-03-11T09:14:03.305Z", &t), 0);
	assert_int_equal(t, 1741684443);
	assert_int_equal(sm_time_parse("2025-03-11T10:14:03+01:00", &t), 0);
	assert_int_equal(t, 1741684443);
	assert_int_equal(sm_time_parse("2025-03-11T09:14:03+0000", &t), 0);
	assert_int_equal(t, 1741684443);
	assert_int_equal(sm_time_parse("2025-03-11T04:14:03-05:00", &t), 0);
	assert_int_equal(t, 1741684443);
	assert_int_equal(sm_time_parse("2025-03-11", &t), 0);
	assert_int_equal(t, 1741651200);
	assert_int_equal(sm_time_parse("2025-03-11T09:14", &t), -1);
	assert_int_equal(sm_time_parse("2025-13-11", &t), -1);
	assert_int_equal(sm_time_parse("yesterday", &t), -1);
	assert_int_equal(sm_time_parse("2025-03-11T09:14:03Zjunk", &t), -1);
	j = sm_time_json(1741684443);
	assert_string_equal(json_string_value(j), "2025-03-11T09:14:03Z");
	json_decref(j);
}

static void
test_id_greater(void **unused)
{
	assert_true(sm_id_greater("114143142694421574", "99999999999999999"));
	assert_false(sm_id_greater("99999999999999999", "114143142694421574"));
	assert_true(sm_id_greater("2489917", "2489916"));
	assert_false(sm_id_greater("2489917", "2489917"));
	assert_false(sm_id_greater("007", "7"));
}

static void
test_link(void **unused)
{
	const char *l = "<https://m.example/api/v1/notifications?limit=5&"
	    "max_id=2489755&types%5B%5D=mention>; rel=\"next\", "
	    "<https://m.example/api/v1/notifications?limit=5&min_id=2489917>;"
	    " rel=\"prev\"";
	char *u;

	u = sm_http_link(l, "next");
	assert_string_equal(u, "https://m.example/api/v1/notifications?"
	    "limit=5&max_id=2489755&types%5B%5D=mention");
	free(u);
	u = sm_http_link(l, "prev");
	assert_string_equal(u, "https://m.example/api/v1/notifications?"
	    "limit=5&min_id=2489917");
	free(u);
	assert_null(sm_http_link(l, "last"));
	assert_null(sm_http_link(NULL, "next"));
	assert_null(sm_http_link("garbage", "next"));
}

static void
test_escape(void **unused)
{
	char *e = sm_http_escape("farola (Villanueva) á&=");

	assert_string_equal(e, "farola%20%28Villanueva%29%20%C3%A1%26%3D");
	free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_id_greater),
		cmocka_unit_test(test_link),
		cmocka_unit_test(test_escape),
	};

	return cmocka_run_group_tests_name("fetch", tests, NULL, NULL);
}
