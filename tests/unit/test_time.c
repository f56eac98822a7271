/* test_time.c - the clock: RFC 3339, e-mail and HTTP dates, zones */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "sm/time.h"

struct pair {
	const char *in, *want;
};

typedef int parser(const char *, time_t *);

/* Each of t[] reads as its want (RFC 3339 UTC); none of bad[] reads. */
static void
check_parser(parser *parse, const char *what, const struct pair *t,
    size_t nt, const char *const *bad, size_t nbad)
{
	char out[SM_TIME_SIZE];
	time_t v;
	size_t i;

	for (i = 0; i < nt; i++) {
		if (parse(t[i].in, &v) != 0) {
			print_error("%s \"%s\" not read\n", what, t[i].in);
			fail();
		}
		assert_int_equal(sm_time_format(v, out, sizeof(out)), 0);
		if (strcmp(out, t[i].want) != 0) {
			print_error("%s \"%s\" read as %s, not %s\n", what,
			    t[i].in, out, t[i].want);
			fail();
		}
	}
	for (i = 0; i < nbad; i++)
		if (parse(bad[i], &v) == 0) {
			sm_time_format(v, out, sizeof(out));
			print_error("%s \"%s\" read as %s\n", what, bad[i], out);
			fail();
		}
	assert_int_equal(parse(NULL, &v), -1);
}

#define CHECK(parse, what, t, bad) check_parser(parse, what, t, \
	sizeof(t) / sizeof(t[0]), bad, sizeof(bad) / sizeof(bad[0]))

static void
test_rfc3339(void **state)
{
	static const struct pair t[] = {
		{ "2025-03-11T09:14:03Z", "2025-03-11T09:14:03Z" },
		{ "2025-03-11T09:14:03.123Z", "2025-03-11T09:14:03Z" },
		{ "2025-03-11T09:14:03.123456789Z", "2025-03-11T09:14:03Z" },
		{ "2025-03-11t09:14:03z", "2025-03-11T09:14:03Z" },
		{ "2025-03-11 09:14:03Z", "2025-03-11T09:14:03Z" },
		{ "2025-03-11T10:14:03+01:00", "2025-03-11T09:14:03Z" },
		{ "2025-03-11T10:14:03+0100", "2025-03-11T09:14:03Z" },
		{ "2025-03-11T04:14:03-05:00", "2025-03-11T09:14:03Z" },
		{ "2025-03-11T09:14:03-00:00", "2025-03-11T09:14:03Z" },
		{ "2025-03-11T09:14:03.5+00:00", "2025-03-11T09:14:03Z" },
		{ "2025-01-01T00:30:00+23:59", "2024-12-31T00:31:00Z" },
		{ "2025-03-11", "2025-03-11T00:00:00Z" },
		{ "2024-02-29T12:00:00Z", "2024-02-29T12:00:00Z" },
		{ "2000-02-29", "2000-02-29T00:00:00Z" },
		{ "2025-12-31T23:59:59Z", "2025-12-31T23:59:59Z" },
		/* a leap second counts as second 59 */
		{ "2016-12-31T23:59:60Z", "2016-12-31T23:59:59Z" },
		{ "1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z" },
		{ "0000-01-01T00:00:00Z", "0000-01-01T00:00:00Z" },
		{ "9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z" },
	};
	static const char *const bad[] = {
		"", "yesterday",
		/* impossible days */
		"2025-02-31", "2025-02-29", "1900-02-29T00:00:00Z",
		"2025-04-31T00:00:00Z", "2025-00-10", "2025-13-11",
		"2025-03-00", "2025-03-32",
		/* impossible times */
		"2025-03-11T24:00:00Z", "2025-03-11T23:60:00Z",
		"2025-03-11T23:59:61Z",
		/* impossible offsets */
		"2025-03-11T09:14:03+99:99", "2025-03-11T09:14:03+24:00",
		"2025-03-11T09:14:03+01:60", "2025-03-11T09:14:03-0160",
		/* not four digits of year, not two of the rest */
		"202-03-11", "20250-03-11", "+2025-03-11", " 2025-03-11",
		"2025-3-11", "2025-03-1", "2025-03-11T9:14:03Z",
		"2025-03-11T09:14:3Z", "2025-03-11T09:14:03+1:00",
		"2025-03-11T09:14:03+01", "2025-03-11T09:14:03+01:0",
		/* missing parts */
		"2025-03", "2025-03-11T09:14", "2025-03-11T09:14:03",
		"2025-03-11T", "2025-03-11T09:14:03.Z",
		"2025-03-11T09:14:03,5Z",
		/* something trailing */
		"2025-03-11T09:14:03Zjunk", "2025-03-11T09:14:03Z ",
		"2025-03-11 ", "2025-03-11x", "2025-03-11T09:14:03+01:00:00",
		"2025-03-11T09:14:03+01:00Z",
	};

	(void)state;
	CHECK(sm_time_parse, "RFC 3339", t, bad);
}

static void
test_format(void **state)
{
	char buf[SM_TIME_SIZE], small[SM_TIME_SIZE - 1];
	json_t *j;
	time_t t;

	(void)state;
	assert_int_equal(sm_time_format(0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	assert_int_equal(sm_time_format(1741684443, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2025-03-11T09:14:03Z");
	assert_int_equal(sm_time_format(-1, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1969-12-31T23:59:59Z");
	assert_int_equal(sm_time_format(-86400, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1969-12-31T00:00:00Z");
	/* too small a buffer, a year of five digits or before 0000 */
	memset(small, 'x', sizeof(small));
	assert_int_equal(sm_time_format(0, small, sizeof(small)), -1);
	assert_int_equal(small[0], '\0');
	assert_int_equal(sm_time_format(0, small, 0), -1);
	assert_int_equal(sm_time_parse("9999-12-31T23:59:59Z", &t), 0);
	assert_int_equal(sm_time_format(t + 1, buf, sizeof(buf)), -1);
	assert_string_equal(buf, "");
	assert_int_equal(sm_time_parse("0000-01-01T00:00:00Z", &t), 0);
	assert_int_equal(sm_time_format(t - 1, buf, sizeof(buf)), -1);
	assert_null(sm_time_json(t - 1));
	j = sm_time_json(1741684443);
	assert_non_null(j);
	assert_string_equal(json_string_value(j), "2025-03-11T09:14:03Z");
	json_decref(j);
}

static void
test_email(void **state)
{
	static const struct pair t[] = {
		/* RFC 5322 3.3 */
		{ "Tue, 11 Mar 2025 10:02:11 +0100", "2025-03-11T09:02:11Z" },
		{ "11 Mar 2025 10:02:11 -0000", "2025-03-11T10:02:11Z" },
		{ "Tue, 11 Mar 2025 10:02 +0100", "2025-03-11T09:02:00Z" },
		{ "Sat, 29 Feb 2020 23:59:60 +0000", "2020-02-29T23:59:59Z" },
		{ "Wed, 31 Dec 2025 23:59:59 -0500", "2026-01-01T04:59:59Z" },
		/* 4.3: two- and three-digit years */
		{ "Tue, 11 Mar 25 10:02:11 +0000", "2025-03-11T10:02:11Z" },
		{ "Tue, 11 Mar 49 10:02:11 +0000", "2049-03-11T10:02:11Z" },
		{ "Tue, 11 Mar 50 10:02:11 +0000", "1950-03-11T10:02:11Z" },
		{ "Tue, 11 Mar 125 10:02:11 +0000", "2025-03-11T10:02:11Z" },
		/* 4.3: the named zones */
		{ "11 Mar 2025 10:02:11 UT", "2025-03-11T10:02:11Z" },
		{ "11 Mar 2025 10:02:11 GMT", "2025-03-11T10:02:11Z" },
		{ "11 Mar 2025 10:02:11 EST", "2025-03-11T15:02:11Z" },
		{ "11 Mar 2025 10:02:11 EDT", "2025-03-11T14:02:11Z" },
		{ "11 Mar 2025 10:02:11 CST", "2025-03-11T16:02:11Z" },
		{ "11 Mar 2025 10:02:11 CDT", "2025-03-11T15:02:11Z" },
		{ "11 Mar 2025 10:02:11 MST", "2025-03-11T17:02:11Z" },
		{ "11 Mar 2025 10:02:11 MDT", "2025-03-11T16:02:11Z" },
		{ "11 Mar 2025 10:02:11 PST", "2025-03-11T18:02:11Z" },
		{ "11 Mar 2025 10:02:11 pdt", "2025-03-11T17:02:11Z" },
		/* 4.3: military letters are -0000 */
		{ "11 Mar 2025 10:02:11 A", "2025-03-11T10:02:11Z" },
		{ "11 Mar 2025 10:02:11 Z", "2025-03-11T10:02:11Z" },
		{ "11 Mar 2025 10:02:11 m", "2025-03-11T10:02:11Z" },
		/* comments, nested and with quoted pairs, and folding */
		{ "Tue, 11 Mar 2025 10:02:11 +0100 (CET)",
		    "2025-03-11T09:02:11Z" },
		{ "(sent) Tue,(day) 11 (a (nested) one \\) ok) Mar 2025 "
		    "10:02:11 +0100", "2025-03-11T09:02:11Z" },
		{ "Tue,\r\n 11 Mar\r\n\t2025 10:02:11\r\n +0100",
		    "2025-03-11T09:02:11Z" },
		{ "Tue , 11 Mar 2025 10:02:11 +0100", "2025-03-11T09:02:11Z" },
		/* the wild */
		{ "Tuesday, 11 March 2025 10:02:11 +0100",
		    "2025-03-11T09:02:11Z" },
		{ "11 Sept 2025 10:02:11 +0100", "2025-09-11T09:02:11Z" },
		{ "11 Mar. 2025 10:02:11 +0100", "2025-03-11T09:02:11Z" },
		{ "Tue, 11 Mar 2025 10:02:11", "2025-03-11T10:02:11Z" },
		{ "Tue, 11 Mar 2025 10:02:11 CEST", "2025-03-11T08:02:11Z" },
		{ "Tue, 11 Mar 2025 10:02:11 GMT+0100", "2025-03-11T09:02:11Z" },
		{ "Tue, 11 Mar 2025 10:02:11 +01:00", "2025-03-11T09:02:11Z" },
		{ "Tue, 11 Mar 2025 10:02:11 +1", "2025-03-11T09:02:11Z" },
		{ "Tue, 11 Mar 2025 10:02:11 +0100 CET", "2025-03-11T09:02:11Z" },
		{ "Tue, 11 Mar 2025 10.02.11 +0100", "2025-03-11T09:02:11Z" },
		{ "Tue, 11 Mar 2025 2:05 PM +0000", "2025-03-11T14:05:00Z" },
		{ "Tue, 11 Mar 2025 12:05 pm +0000", "2025-03-11T12:05:00Z" },
		{ "Tue, 11 Mar 2025 12:05 AM +0000", "2025-03-11T00:05:00Z" },
		{ "Tue Mar 11 10:02:11 2025", "2025-03-11T10:02:11Z" },
		{ "2025 Mar 11 10:02:11 +0000", "2025-03-11T10:02:11Z" },
		{ "2025-03-11T10:02:11.305Z", "2025-03-11T10:02:11Z" },
		{ "2025-03-11 10:02:11 -05:00", "2025-03-11T15:02:11Z" },
		{ "2025-03-11", "2025-03-11T00:00:00Z" },
		{ "11 Mar 2025", "2025-03-11T00:00:00Z" },
		{ "11-Mar-2025 10:02:17 +0100", "2025-03-11T09:02:17Z" },
		{ " 1-Mar-2025 00:02:17 +0100", "2025-02-28T23:02:17Z" },
		{ "Mon, 1 Jan 1900 00:00:00 +0000", "1900-01-01T00:00:00Z" },
	};
	static const char *const bad[] = {
		"", "   ", "yesterday", "(only a comment)",
		/* impossible values */
		"Tue, 30 Feb 2025 10:00:00 +0000",
		"Sat, 29 Feb 2025 10:00:00 +0000",
		"Thu, 31 Apr 2025 10:00:00 +0000",
		"Tue, 0 Mar 2025 10:00:00 +0000",
		"Tue, 11 Mar 2025 24:00:00 +0000",
		"Tue, 11 Mar 2025 10:60:00 +0000",
		"Tue, 11 Mar 2025 10:00:61 +0000",
		"Tue, 11 Mar 2025 10:00 +2400", "Tue, 11 Mar 2025 10:00 +0160",
		"Tue, 11 Mar 2025 10:00 +99:99",
		"Tue, 11 Mar 2025 13:00 PM", "Tue, 11 Mar 2025 0:30 AM",
		"Tue, 11 Mar 1899 10:00:00 +0000",
		"2025-02-31T10:00:00Z",
		/* not a date */
		"Tue, 11 Foo 2025 10:00:00", "11 Mar 2025 10:00 J",
		"Tue, 11 Mar 2025 10:00 +0100 (CET", "Tue, 11 Mar 2025 10:00 )",
		"Tue, 11 Mar 2025 10:00 +123456", "11 Mar 2025 10:00 +01 +02",
		"11 Mar 2025 10:00 GMT EST", "11 Mar 2025 10:00:00 hello",
		"11 Mar 2025 10:00 12", "11 Mar 2025 10:2", "11 Mar 2025 10.02",
		"11 Mar Tue 2025", "AM 11 Mar 2025", "11 Mar Apr 2025",
		"11/03/2025", "2025-03", "Mar 2025", "11 Mar",
		"99999999999999 Mar 2025", "111 Mar 2025", "11 Mar 2 10:00",
		"11-Foo-2025", "11-Mar-2025-", "2025-03-11 Mar",
		"11 Mar 2025 10:00:00 10:00:00", "11 Mar 2025 @ 10:00",
	};

	(void)state;
	CHECK(sm_time_parse_email, "e-mail date", t, bad);
}

static void
test_http(void **state)
{
	static const struct pair t[] = {
		{ "Sun, 06 Nov 1994 08:49:37 GMT", "1994-11-06T08:49:37Z" },
		{ "sun, 06 nov 1994 08:49:37 GMT", "1994-11-06T08:49:37Z" },
		{ "Sunday, 06-Nov-94 08:49:37 GMT", "1994-11-06T08:49:37Z" },
		{ "Sun Nov  6 08:49:37 1994", "1994-11-06T08:49:37Z" },
		{ "Sun Nov 16 08:49:37 1994", "1994-11-16T08:49:37Z" },
		{ "Thu, 29 Feb 2024 23:59:60 GMT", "2024-02-29T23:59:59Z" },
		/* RFC 850's two digits: not more than 50 years ahead */
		{ "Sunday, 01-Jan-76 00:00:00 GMT", "2076-01-01T00:00:00Z" },
		{ "Sunday, 01-Jan-77 00:00:00 GMT", "1977-01-01T00:00:00Z" },
		{ "Sunday, 01-Jan-26 00:00:00 GMT", "2026-01-01T00:00:00Z" },
	};
	static const char *const bad[] = {
		"", "Sun, 31 Nov 1994 08:49:37 GMT",
		"Sun, 29 Feb 2025 08:49:37 GMT",
		"Sun, 06 Nov 1994 24:49:37 GMT", "Sun, 06 Nov 1994 08:60:37 GMT",
		"Sun, 06 Nov 1994 08:49:61 GMT",
		"Sun, 06 Nov 1994 08:49:37 +0000", "Sun, 06 Nov 1994 08:49:37",
		"Sun, 06 Nov 1994 08:49:37 GMT ", "Sun, 6 Nov 1994 08:49:37 GMT",
		"Sun,06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 94 08:49:37 GMT",
		"Sun, 06 November 1994 08:49:37 GMT",
		"Sunday, 06 Nov 1994 08:49:37 GMT",
		"Sunday, 06-Nov-1994 08:49:37 GMT",
		"Sunday, 31-Nov-94 08:49:37 GMT",
		"Sun, 06-Nov-94 08:49:37 GMT",
		"Sun Nov 6 08:49:37 1994", "Sun Nov  6 08:49:37 94",
		"Sun Nov  6 08:49:37 1994 GMT", "Sun Nov 31 08:49:37 1994",
		"Foo, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
		"1994-11-06T08:49:37Z",
	};

	(void)state;
	setenv("SM_NOW", "2026-03-29T01:30:00Z", 1);
	CHECK(sm_time_parse_http, "HTTP date", t, bad);
	unsetenv("SM_NOW");
}

static void
test_now(void **state)
{
	struct sm_error err;
	time_t t, before;

	(void)state;
	setenv("SM_NOW", "2026-03-29T01:30:00Z", 1);
	assert_int_equal(sm_time_now(&t, &err), 0);
	assert_int_equal(t, 1774747800);
	setenv("SM_NOW", "2026-03-29T03:30:00+02:00", 1);
	assert_int_equal(sm_time_now(&t, &err), 0);
	assert_int_equal(t, 1774747800);
	setenv("SM_NOW", "2026-02-30T01:30:00Z", 1);
	assert_int_equal(sm_time_now(&t, &err), -1);
	assert_string_equal(err.text,
	    "SM_NOW: not an RFC 3339 time: '2026-02-30T01:30:00Z'");
	assert_int_equal(sm_time_now(&t, NULL), -1);
	setenv("SM_NOW", "", 1);
	before = time(NULL);
	assert_int_equal(sm_time_now(&t, &err), 0);
	assert_true(t >= before && t <= time(NULL));
	unsetenv("SM_NOW");
	assert_int_equal(sm_time_now(&t, &err), 0);
	assert_true(t >= before && t <= time(NULL));
}

static void
test_days(void **state)
{
	int64_t d, y;
	int m, day, wday = 4;	/* 1970-01-01 was a Thursday */

	(void)state;
	assert_int_equal(sm_time_days(1970, 1, 1), 0);
	assert_int_equal(sm_time_days(2000, 3, 1), 11017);
	assert_int_equal(sm_time_days(1969, 12, 31), -1);
	assert_int_equal(sm_time_weekday(sm_time_days(2026, 3, 29)), 0);
	assert_int_equal(sm_time_weekday(sm_time_days(1969, 12, 28)), 0);
	assert_int_equal(sm_time_days_in_month(2024, 2), 29);
	assert_int_equal(sm_time_days_in_month(2100, 2), 28);
	assert_int_equal(sm_time_days_in_month(2000, 2), 29);
	assert_int_equal(sm_time_days_in_month(2025, 4), 30);
	assert_int_equal(sm_time_days_in_month(2025, 12), 31);
	/* every day from 1600 to 2400 there and back */
	for (d = sm_time_days(1600, 1, 1); d < sm_time_days(2400, 1, 1);
	    d++) {
		sm_time_date(d, &y, &m, &day);
		if (sm_time_days(y, m, day) != d || day < 1 ||
		    day > sm_time_days_in_month(y, m))
			fail_msg("day %lld", (long long)d);
	}
	for (d = 0; d < 3000; d++, wday = (wday + 1) % 7)
		assert_int_equal(sm_time_weekday(d), wday);
	for (d = 0, wday = 4; d > -3000; d--, wday = (wday + 6) % 7)
		assert_int_equal(sm_time_weekday(d), wday);
}

/* zone z shows civil time s at the UTC instant want */
static void
assert_local(const struct sm_time_zone *z, const char *utc,
    const char *local, int offset, int wday)
{
	struct sm_civil c;
	char buf[32];
	time_t t;

	assert_int_equal(sm_time_parse(utc, &t), 0);
	sm_time_local(z, t, &c);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d", c.year,
	    c.month, c.day, c.hour, c.min, c.sec);
	assert_string_equal(buf, local);
	assert_int_equal(c.offset, offset);
	assert_int_equal(c.wday, wday);
}

/* zone z's civil time y-m-d h:mi:s is the UTC instant want */
static void
assert_utc(const struct sm_time_zone *z, int y, int m, int d, int h, int mi,
    int s, const char *want)
{
	struct sm_civil c = { y, m, d, h, mi, s, 0, 0 };
	char buf[SM_TIME_SIZE];

	assert_int_equal(sm_time_format(sm_time_from_local(z, &c), buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

static void
test_zones(void **state)
{
	struct sm_time_zone *mad, *can, *utc;
	struct sm_error err;

	(void)state;
	mad = sm_time_zone_open("Europe/Madrid", &err);
	can = sm_time_zone_open("Atlantic/Canary", &err);
	utc = sm_time_zone_open("UTC", &err);
	assert_non_null(mad);
	assert_non_null(can);
	assert_non_null(utc);
	assert_string_equal(sm_time_zone_name(mad), "Europe/Madrid");
	assert_string_equal(sm_time_zone_name(NULL), "UTC");

	/* Madrid, 29 March 2026: 02:00 CET becomes 03:00 CEST */
	assert_local(mad, "2026-03-29T00:59:59Z", "2026-03-29 01:59:59", 3600,
	    0);
	assert_local(mad, "2026-03-29T01:00:00Z", "2026-03-29 03:00:00", 7200,
	    0);
	assert_local(mad, "2026-03-28T23:00:00Z", "2026-03-29 00:00:00", 3600,
	    0);
	assert_utc(mad, 2026, 3, 29, 1, 59, 59, "2026-03-29T00:59:59Z");
	assert_utc(mad, 2026, 3, 29, 3, 0, 0, "2026-03-29T01:00:00Z");
	/* the skipped hour: read with CET, so 02:30 is 03:30 CEST */
	assert_utc(mad, 2026, 3, 29, 2, 0, 0, "2026-03-29T01:00:00Z");
	assert_utc(mad, 2026, 3, 29, 2, 30, 0, "2026-03-29T01:30:00Z");
	/* Madrid, 25 October 2026: 03:00 CEST becomes 02:00 CET */
	assert_local(mad, "2026-10-25T00:59:59Z", "2026-10-25 02:59:59", 7200,
	    0);
	assert_local(mad, "2026-10-25T01:00:00Z", "2026-10-25 02:00:00", 3600,
	    0);
	/* the repeated hour: its first time, CEST */
	assert_utc(mad, 2026, 10, 25, 2, 0, 0, "2026-10-25T00:00:00Z");
	assert_utc(mad, 2026, 10, 25, 2, 30, 0, "2026-10-25T00:30:00Z");
	assert_utc(mad, 2026, 10, 25, 1, 59, 59, "2026-10-24T23:59:59Z");
	assert_utc(mad, 2026, 10, 25, 3, 0, 0, "2026-10-25T02:00:00Z");
	/* winter, summer, hour 24, a later year */
	assert_utc(mad, 2026, 1, 15, 9, 0, 0, "2026-01-15T08:00:00Z");
	assert_utc(mad, 2026, 7, 15, 9, 0, 0, "2026-07-15T07:00:00Z");
	assert_utc(mad, 2026, 12, 31, 24, 0, 0, "2026-12-31T23:00:00Z");
	assert_utc(mad, 2040, 7, 1, 12, 0, 0, "2040-07-01T10:00:00Z");
	assert_local(mad, "2026-12-31T23:30:00Z", "2027-01-01 00:30:00", 3600,
	    5);

	/* Canary Islands, an hour behind: 01:00 WET becomes 02:00 WEST */
	assert_local(can, "2026-03-29T00:59:59Z", "2026-03-29 00:59:59", 0, 0);
	assert_local(can, "2026-03-29T01:00:00Z", "2026-03-29 02:00:00", 3600,
	    0);
	assert_utc(can, 2026, 3, 29, 1, 30, 0, "2026-03-29T01:30:00Z");
	assert_utc(can, 2026, 3, 29, 2, 0, 0, "2026-03-29T01:00:00Z");
	/* 02:00 WEST becomes 01:00 WET */
	assert_local(can, "2026-10-25T00:30:00Z", "2026-10-25 01:30:00", 3600,
	    0);
	assert_local(can, "2026-10-25T01:30:00Z", "2026-10-25 01:30:00", 0, 0);
	assert_utc(can, 2026, 10, 25, 1, 30, 0, "2026-10-25T00:30:00Z");
	assert_utc(can, 2026, 10, 25, 2, 0, 0, "2026-10-25T02:00:00Z");

	/* UTC, named or NULL */
	assert_local(utc, "2026-03-29T01:00:00Z", "2026-03-29 01:00:00", 0, 0);
	assert_local(NULL, "2026-03-29T01:00:00Z", "2026-03-29 01:00:00", 0, 0);
	assert_utc(NULL, 2026, 3, 29, 2, 30, 0, "2026-03-29T02:30:00Z");
	assert_utc(utc, 2026, 3, 29, 2, 30, 0, "2026-03-29T02:30:00Z");

	assert_null(sm_time_zone_open("Europe/Atlantis", &err));
	assert_string_equal(err.text, "unknown time zone 'Europe/Atlantis'");
	assert_null(sm_time_zone_open("", &err));
	assert_null(sm_time_zone_open(NULL, NULL));
	sm_time_zone_free(mad);
	sm_time_zone_free(can);
	sm_time_zone_free(utc);
	sm_time_zone_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_http),
		cmocka_unit_test(test_now),
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_zones),
	};

	return cmocka_run_group_tests_name("time", tests, NULL, NULL);
}
