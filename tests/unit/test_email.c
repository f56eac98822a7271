/* test_email.c - the e-mail connector's reading of IMAP answers
 *
 * The connector's helpers are static: the file is included whole.  The
 * BODY.PEEK[] answer with its literal is what libcurl 8 passes on (the
 * libcurl of the dovecot tests passes the first line only), so it is
 * tested here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../lib/platform/email.c"

static void
test_fetch_result(void **state)
{
	static const char peek[] =
	    "* 3 FETCH (FLAGS (\\Recent))\r\n"
	    "* 2 FETCH (UID 1042 INTERNALDATE \"11-Mar-2025 10:15:41 +0100\" "
	    "BODY[] {12}\r\n"
	    "Subject: x\r\n)\r\n";
	static const char first_line[] =
	    "* 2 FETCH (UID 1042 INTERNALDATE \"11-Mar-2025 10:15:41 +0100\" "
	    "BODY[] {1130}\r\n";
	static const char cut[] = "* 2 FETCH (UID 7 BODY[] {100}\r\nabc";
	static const char empty[] = "* 2 FETCH (UID 7 BODY[] {0}\r\n)\r\n";
	static const char nil[] = "* 2 FETCH (UID 7 BODY[] NIL)\r\n";
	static const char none[] = "* 2 FETCH (UID 7 FLAGS ())\r\n";
	static const char bad[] = "* 2 FETCH (UID 7 BODY[] {x}\r\n";
	static const char longdate[] = "* 2 FETCH (INTERNALDATE \"0123456789"
	    "0123456789012345678901234567890123456789012345678901234567890123"
	    "456789\" BODY[] {1}\r\nx)";
	const char *msg;
	size_t len;
	char date[64];

	(void)state;
	assert_int_equal(fetch_result(peek, sizeof(peek) - 1, &msg, &len, date,
	    sizeof(date)), 0);
	assert_int_equal(len, 12);
	assert_memory_equal(msg, "Subject: x\r\n", 12);
	assert_string_equal(date, "11-Mar-2025 10:15:41 +0100");

	assert_int_equal(fetch_result(first_line, sizeof(first_line) - 1, &msg,
	    &len, date, sizeof(date)), 0);
	assert_int_equal(len, 0);	/* the literal did not come */

	assert_int_equal(fetch_result(cut, sizeof(cut) - 1, &msg, &len, date,
	    sizeof(date)), 0);
	assert_int_equal(len, 3);
	assert_string_equal(date, "");

	assert_int_equal(fetch_result(empty, sizeof(empty) - 1, &msg, &len,
	    date, sizeof(date)), 0);
	assert_int_equal(len, 0);
	assert_int_equal(fetch_result(nil, sizeof(nil) - 1, &msg, &len, date,
	    sizeof(date)), 0);
	assert_int_equal(len, 0);
	assert_int_equal(fetch_result(none, sizeof(none) - 1, &msg, &len, date,
	    sizeof(date)), -1);
	assert_int_equal(fetch_result(bad, sizeof(bad) - 1, &msg, &len, date,
	    sizeof(date)), -1);
	assert_int_equal(fetch_result("", 0, &msg, &len, date, sizeof(date)),
	    -1);
	/* a date too long for the buffer is left out */
	assert_int_equal(fetch_result(longdate, sizeof(longdate) - 1, &msg,
	    &len, date, sizeof(date)), 0);
	assert_string_equal(date, "");
	assert_int_equal(len, 1);
}

static void
test_search_result(void **state)
{
	unsigned long *u;
	size_t n;

	(void)state;
	u = search_result("* SEARCH 1041 1042 1045 1043\r\n", 1041, &n);
	assert_int_equal(n, 3);
	assert_int_equal(u[0], 1042);
	assert_int_equal(u[1], 1043);
	assert_int_equal(u[2], 1045);
	free(u);
	/* "n:*" gives the highest UID even when it is below n */
	u = search_result("* SEARCH 1040\r\n", 1045, &n);
	assert_int_equal(n, 0);
	free(u);
	u = search_result("* SEARCH\r\n", 0, &n);
	assert_int_equal(n, 0);
	free(u);
	u = search_result("* 3 EXISTS\r\n* SEARCH 5\r\n* SEARCH 7 6\r\n", 0,
	    &n);
	assert_int_equal(n, 3);
	assert_int_equal(u[0], 5);
	assert_int_equal(u[2], 7);
	free(u);
	u = search_result("* SEARCH 4 x 9\r\n", 0, &n);
	assert_int_equal(n, 1);
	free(u);
}

static void
test_helpers(void **state)
{
	json_t *j;

	(void)state;
	assert_int_equal(item("* STATUS INBOX (UIDVALIDITY 1741600000 "
	    "UIDNEXT 1046)", "UIDVALIDITY"), 1741600000LL);
	assert_int_equal(item("* STATUS INBOX (UIDVALIDITY 1741600000 "
	    "UIDNEXT 1046)", "UIDNEXT"), 1046);
	assert_int_equal(item("* STATUS X (XUIDNEXT 5)", "UIDNEXT"), -1);
	assert_int_equal(item("* STATUS X (UIDNEXT x)", "UIDNEXT"), -1);

	assert_true(ours("<inc-1@villanueva.example>", "villanueva.example"));
	assert_true(ours("<inc-1@Villanueva.EXAMPLE>", "villanueva.example"));
	assert_false(ours("<inc-1@villanueva.example.org>",
	    "villanueva.example"));
	assert_false(ours("<inc-1@correo.example>", "villanueva.example"));
	assert_false(ours(NULL, "villanueva.example"));
	assert_false(ours("<a@b>", NULL));

	j = lang_of("es-ES");
	assert_string_equal(json_string_value(j), "es");
	json_decref(j);
	j = lang_of("EU");
	assert_string_equal(json_string_value(j), "eu");
	json_decref(j);
	j = lang_of("en, es");
	assert_string_equal(json_string_value(j), "en");
	json_decref(j);
	j = lang_of("x");
	assert_true(json_is_null(j));
	j = lang_of(NULL);
	assert_true(json_is_null(j));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fetch_result),
		cmocka_unit_test(test_search_result),
		cmocka_unit_test(test_helpers),
	};

	return cmocka_run_group_tests_name("email", tests, NULL, NULL);
}
