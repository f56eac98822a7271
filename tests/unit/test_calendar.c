/* test_calendar.c - calendars: opening hours, holidays, deadlines */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "sm/calendar.h"
#include "sm/config.h"
#include "sm/time.h"

/*
 * The town hall works in Madrid, mornings and afternoons, with national
 * holidays from an .ics, a Monday and an unnamed day listed; the Canary
 * cabildo works whole days; "night" has blocks that meet the DST changes.
 */
static const char yaml[] =
    "calendars:\n"
    "  ayto:\n"
    "    timezone: Europe/Madrid\n"
    "    days: [mon, tue, wed, thu, fri]\n"
    "    hours: [\"08:00-15:00\", \"16:30-19:00\"]\n"
    "    holidays:\n"
    "      - {date: 2026-04-06, name: Lunes de Pascua}\n"
    "      - 2026-12-24\n"
    "    holidays_ics: [festivos.ics]\n"
    "  cabildo:\n"
    "    timezone: Atlantic/Canary\n"
    "    holidays_ics: [festivos.ics]\n"
    "  canarias:\n"
    "    timezone: Atlantic/Canary\n"
    "    hours: [\"8:00-15:00\"]\n"
    "  night:\n"
    "    timezone: Europe/Madrid\n"
    "    days: [sun, mon, tue, wed, thu, fri, sat]\n"
    "    hours: [\"01:30-02:30\", \"02:30-04:00\"]\n";

static char dir[1024], yaml_name[1100];
static struct sm_config *cfg;
static struct sm_calendars *cals;
static const struct sm_calendar *ayto, *cabildo, *canarias, *night;

static int
setup(void **state)
{
	struct sm_error err;
	const char *src = getenv("SM_SRC");

	snprintf(dir, sizeof(dir), "%s/tests/fixtures/calendar",
	    src ? src : ".");
	snprintf(yaml_name, sizeof(yaml_name), "%s/sm.yaml", dir);
	cfg = sm_config_load_string(yaml, yaml_name, &err);
	if (cfg == NULL || (cals = sm_calendars_load(cfg, &err)) == NULL) {
		fprintf(stderr, "# %s:%d:%d: %s\n", err.file, err.line,
		    err.column, err.text);
		return -1;
	}
	ayto = sm_calendars_get(cals, "ayto");
	cabildo = sm_calendars_get(cals, "cabildo");
	canarias = sm_calendars_get(cals, "canarias");
	night = sm_calendars_get(cals, "night");
	return ayto && cabildo && canarias && night ? 0 : -1;
}

static int
teardown(void **state)
{
	sm_calendars_free(cals);
	sm_config_free(cfg);
	return 0;
}

static time_t
at(const char *s)
{
	time_t t;

	if (sm_time_parse(s, &t) < 0)
		fail_msg("bad time in a test: %s", s);
	return t;
}

/* The deadline of kind n from arrival (RFC 3339) is want (UTC). */
static void
check_due(const struct sm_calendar *cal, enum sm_sla kind, double n,
    const char *arrival, const char *want)
{
	struct sm_error err;
	char got[SM_TIME_SIZE];
	time_t due;

	if (sm_calendar_deadline(cal, kind, n, at(arrival), &due, &err) < 0)
		fail_msg("%s + %g: %s", arrival, n, err.text);
	sm_time_format(due, got, sizeof(got));
	if (strcmp(got, want) != 0)
		fail_msg("%s + %g (kind %d): %s, not %s", arrival, n, kind, got,
		    want);
}

#define DAYS(cal, n, a, w) check_due(cal, SM_SLA_BUSINESS_DAYS, n, a, w)
#define BHOURS(cal, n, a, w) check_due(cal, SM_SLA_BUSINESS_HOURS, n, a, w)
#define HOURS(cal, n, a, w) check_due(cal, SM_SLA_HOURS, n, a, w)

static void
test_lookup(void **state)
{
	struct sm_calendars *none;
	struct sm_error err;

	assert_string_equal(sm_calendar_name(ayto), "ayto");
	assert_string_equal(sm_time_zone_name(sm_calendar_zone(cabildo)),
	    "Atlantic/Canary");
	assert_null(sm_calendars_get(cals, "nadie"));
	assert_null(sm_calendars_get(cals, NULL));
	/* no configuration, or no section: no calendar, no error */
	none = sm_calendars_load(NULL, &err);
	assert_non_null(none);
	assert_null(sm_calendars_get(none, "ayto"));
	sm_calendars_free(none);
	sm_calendars_free(NULL);
}

static void
test_holidays(void **state)
{
	/* from the list, with and without a name */
	assert_string_equal(sm_calendar_holiday(ayto,
	    at("2026-04-06T12:00:00Z")), "Lunes de Pascua");
	assert_string_equal(sm_calendar_holiday(ayto,
	    at("2026-12-24T12:00:00Z")), "");
	/* from the .ics: RRULE, BYDAY, RDATE, EXDATE, two days, cancelled */
	assert_string_equal(sm_calendar_holiday(ayto,
	    at("2026-12-08T12:00:00Z")), "Inmaculada Concepci\xc3\xb3n");
	assert_string_equal(sm_calendar_holiday(ayto,
	    at("2199-12-08T12:00:00Z")), "Inmaculada Concepci\xc3\xb3n");
	assert_null(sm_calendar_holiday(ayto, at("2200-12-08T12:00:00Z")));
	assert_null(sm_calendar_holiday(ayto, at("2019-12-08T12:00:00Z")));
	assert_string_equal(sm_calendar_holiday(ayto,
	    at("2027-01-06T12:00:00Z")), "Epifan\xc3\xad" "a del Se\xc3\xb1or");
	assert_string_equal(sm_calendar_holiday(ayto,
	    at("2026-04-03T12:00:00Z")), "Viernes Santo");
	assert_string_equal(sm_calendar_holiday(ayto,
	    at("2027-03-26T12:00:00Z")), "Viernes Santo");
	assert_null(sm_calendar_holiday(ayto, at("2028-04-14T12:00:00Z")));
	assert_non_null(sm_calendar_holiday(ayto, at("2026-09-14T12:00:00Z")));
	assert_non_null(sm_calendar_holiday(ayto, at("2026-09-15T12:00:00Z")));
	assert_null(sm_calendar_holiday(ayto, at("2026-09-16T12:00:00Z")));
	assert_null(sm_calendar_holiday(ayto, at("2027-09-13T12:00:00Z")));
	assert_null(sm_calendar_holiday(ayto, at("2027-09-14T12:00:00Z")));
	assert_non_null(sm_calendar_holiday(ayto, at("2028-09-11T12:00:00Z")));
	assert_null(sm_calendar_holiday(ayto, at("2026-11-30T12:00:00Z")));
	assert_null(sm_calendar_holiday(ayto, at("2026-12-09T12:00:00Z")));
	/* the day is the local one: 23:30Z on the 7th is the 8th in Madrid */
	assert_non_null(sm_calendar_holiday(ayto, at("2026-12-07T23:30:00Z")));
	assert_null(sm_calendar_holiday(cabildo, at("2026-12-07T23:30:00Z")));
	/* the listed holidays are the calendar's own */
	assert_null(sm_calendar_holiday(cabildo, at("2026-12-24T12:00:00Z")));
	assert_null(sm_calendar_holiday(canarias, at("2026-12-25T12:00:00Z")));
}

static void
test_open(void **state)
{
	struct sm_error err;
	time_t t;

	/* Tuesday 1 December 2026, Madrid is UTC+1 */
	assert_false(sm_calendar_is_open(ayto, at("2026-12-01T06:59:59Z")));
	assert_true(sm_calendar_is_open(ayto, at("2026-12-01T07:00:00Z")));
	assert_true(sm_calendar_is_open(ayto, at("2026-12-01T13:59:59Z")));
	assert_false(sm_calendar_is_open(ayto, at("2026-12-01T14:00:00Z")));
	assert_false(sm_calendar_is_open(ayto, at("2026-12-01T15:29:59Z")));
	assert_true(sm_calendar_is_open(ayto, at("2026-12-01T15:30:00Z")));
	assert_false(sm_calendar_is_open(ayto, at("2026-12-01T18:00:00Z")));
	/* Saturday, a holiday */
	assert_false(sm_calendar_is_open(ayto, at("2026-12-05T10:00:00Z")));
	assert_false(sm_calendar_is_open(ayto, at("2026-12-08T10:00:00Z")));
	/* whole days: midnight to midnight, local */
	assert_true(sm_calendar_is_open(cabildo, at("2026-12-01T00:00:00Z")));
	assert_true(sm_calendar_is_open(cabildo, at("2026-12-04T23:59:59Z")));
	assert_false(sm_calendar_is_open(cabildo, at("2026-12-05T00:00:00Z")));
	assert_false(sm_calendar_is_open(cabildo, at("2026-12-08T12:00:00Z")));
	/* summer in Madrid is UTC+2 */
	assert_true(sm_calendar_is_open(ayto, at("2026-07-01T06:00:00Z")));
	assert_false(sm_calendar_is_open(ayto, at("2026-07-01T05:59:59Z")));

	assert_int_equal(sm_calendar_next_open(ayto, at("2026-12-01T10:00:00Z"),
	    &t, &err), 0);
	assert_int_equal(t, at("2026-12-01T10:00:00Z"));
	assert_int_equal(sm_calendar_next_open(ayto, at("2026-12-01T14:00:00Z"),
	    &t, &err), 0);
	assert_int_equal(t, at("2026-12-01T15:30:00Z"));
	/* Friday evening before a holiday Monday (12 October) */
	assert_int_equal(sm_calendar_next_open(ayto, at("2026-10-09T18:00:00Z"),
	    &t, &err), 0);
	assert_int_equal(t, at("2026-10-13T06:00:00Z"));
	/* Christmas Eve (listed) and Christmas (.ics): Monday the 28th */
	assert_int_equal(sm_calendar_next_open(ayto, at("2026-12-23T19:00:00Z"),
	    &t, &err), 0);
	assert_int_equal(t, at("2026-12-28T07:00:00Z"));
}

static void
test_business_days(void **state)
{
	/* arrival in the morning, Tuesday: Wednesday (1), Thursday (2) */
	DAYS(ayto, 2, "2026-12-01T09:00:00Z", "2026-12-03T18:00:00Z");
	/* arrival after hours counts its day all the same */
	DAYS(ayto, 2, "2026-12-07T19:00:00Z", "2026-12-10T18:00:00Z");
	/* arrival before opening, the same */
	DAYS(ayto, 2, "2026-12-01T05:00:00Z", "2026-12-03T18:00:00Z");
	/* arrival on a holiday evening (8 December, Tuesday): day of arrival
	 * Wednesday, then Thursday (1) and Friday (2) */
	DAYS(ayto, 2, "2026-12-08T20:00:00Z", "2026-12-11T18:00:00Z");
	/* a holiday on a Friday (Christmas) after a listed one */
	DAYS(ayto, 2, "2026-12-23T09:00:00Z", "2026-12-29T18:00:00Z");
	/* a holiday on a Monday (12 October; Madrid is UTC+2) */
	DAYS(ayto, 1, "2026-10-09T10:00:00Z", "2026-10-13T17:00:00Z");
	DAYS(ayto, 1, "2026-04-03T10:00:00Z", "2026-04-08T17:00:00Z");
	/* a holiday on a Sunday (1 November) is not moved to the Monday */
	DAYS(ayto, 1, "2026-10-30T11:00:00Z", "2026-11-02T18:00:00Z");
	/* year end: 1 January (Friday) and 6 January (Wednesday) */
	DAYS(ayto, 2, "2026-12-30T11:00:00Z", "2027-01-04T18:00:00Z");
	DAYS(ayto, 5, "2026-12-30T11:00:00Z", "2027-01-08T18:00:00Z");
	/* 23:30Z on New Year's Eve is New Year's Day in Madrid */
	DAYS(ayto, 0, "2026-12-31T23:30:00Z", "2027-01-04T18:00:00Z");
	/* N = 0: the end of the day of arrival, even when that has passed */
	DAYS(ayto, 0, "2026-12-01T09:00:00Z", "2026-12-01T18:00:00Z");
	DAYS(ayto, 0, "2026-12-01T19:30:00Z", "2026-12-01T18:00:00Z");
	DAYS(ayto, 0, "2026-12-05T09:00:00Z", "2026-12-07T18:00:00Z");
	/* DST: the week starts in CET and ends in CEST, and back */
	DAYS(ayto, 1, "2026-03-27T09:00:00Z", "2026-03-30T17:00:00Z");
	DAYS(ayto, 1, "2026-10-23T08:00:00Z", "2026-10-26T18:00:00Z");
	/* whole days: the end is 24:00 local */
	DAYS(cabildo, 1, "2026-03-27T10:00:00Z", "2026-03-30T23:00:00Z");
	DAYS(cabildo, 1, "2026-10-23T10:00:00Z", "2026-10-27T00:00:00Z");
	DAYS(cabildo, 0, "2026-12-31T23:30:00Z", "2027-01-01T00:00:00Z");
	DAYS(cabildo, 0, "2027-01-01T00:30:00Z", "2027-01-05T00:00:00Z");
	/* Canary Islands, an hour behind Madrid */
	DAYS(canarias, 1, "2026-03-27T10:00:00Z", "2026-03-30T14:00:00Z");
	DAYS(canarias, 1, "2026-10-23T10:00:00Z", "2026-10-26T15:00:00Z");
	DAYS(canarias, 1, "2026-12-07T23:30:00Z", "2026-12-08T15:00:00Z");
}

static void
test_business_hours(void **state)
{
	/* Tuesday 1 December; blocks 07:00-14:00Z and 15:30-18:00Z */
	BHOURS(ayto, 2, "2026-12-01T06:00:00Z", "2026-12-01T09:00:00Z");
	BHOURS(ayto, 2, "2026-12-01T14:30:00Z", "2026-12-01T17:30:00Z");
	BHOURS(ayto, 2, "2026-12-01T13:00:00Z", "2026-12-01T16:30:00Z");
	BHOURS(ayto, 2, "2026-12-01T19:00:00Z", "2026-12-02T09:00:00Z");
	/* runs out exactly at a block's end: that end */
	BHOURS(ayto, 2, "2026-12-01T12:00:00Z", "2026-12-01T14:00:00Z");
	BHOURS(ayto, 9.5, "2026-12-01T07:00:00Z", "2026-12-01T18:00:00Z");
	/* arrival exactly at a block's start, at its end */
	BHOURS(ayto, 1, "2026-12-01T07:00:00Z", "2026-12-01T08:00:00Z");
	BHOURS(ayto, 1, "2026-12-01T14:00:00Z", "2026-12-01T16:30:00Z");
	BHOURS(ayto, 1, "2026-12-01T18:00:00Z", "2026-12-02T08:00:00Z");
	/* N = 0: the next opening, or arrival when open */
	BHOURS(ayto, 0, "2026-12-01T13:00:00Z", "2026-12-01T13:00:00Z");
	BHOURS(ayto, 0, "2026-12-01T14:00:00Z", "2026-12-01T15:30:00Z");
	BHOURS(ayto, 0, "2026-12-01T19:00:00Z", "2026-12-02T07:00:00Z");
	/* fractions, rounded to the second */
	BHOURS(ayto, 0.5, "2026-12-01T13:50:00Z", "2026-12-01T15:50:00Z");
	BHOURS(ayto, 1.0 / 3600, "2026-12-01T13:59:59Z",
	    "2026-12-01T14:00:00Z");
	BHOURS(ayto, 0.25, "2026-12-01T13:59:59Z", "2026-12-01T15:44:59Z");
	/* a holiday, a weekend, a holiday on a Friday */
	BHOURS(ayto, 1, "2026-12-08T09:00:00Z", "2026-12-09T08:00:00Z");
	BHOURS(ayto, 2, "2026-12-04T17:00:00Z", "2026-12-07T08:00:00Z");
	BHOURS(ayto, 10, "2026-12-23T10:00:00Z", "2026-12-28T10:30:00Z");
	/* across the DST change: 1 h on Friday (CET), 1 h on Monday (CEST) */
	BHOURS(ayto, 2, "2026-03-27T17:00:00Z", "2026-03-30T07:00:00Z");
	BHOURS(ayto, 2, "2026-10-23T16:00:00Z", "2026-10-26T08:00:00Z");
	/* a calendar without hours counts whole business days */
	BHOURS(cabildo, 30, "2026-03-27T20:00:00Z", "2026-03-31T01:00:00Z");
	BHOURS(cabildo, 0, "2026-03-28T20:00:00Z", "2026-03-29T23:00:00Z");
	BHOURS(canarias, 2, "2026-10-23T13:00:00Z", "2026-10-26T09:00:00Z");
}

static void
test_hours(void **state)
{
	/* elapsed time, whatever the calendar and the clocks say */
	HOURS(ayto, 3, "2026-03-28T23:30:00Z", "2026-03-29T02:30:00Z");
	HOURS(ayto, 3, "2026-10-24T23:30:00Z", "2026-10-25T02:30:00Z");
	HOURS(ayto, 0, "2026-12-08T20:00:00Z", "2026-12-08T20:00:00Z");
	HOURS(ayto, 1.5, "2026-12-31T23:00:00Z", "2027-01-01T00:30:00Z");
	HOURS(NULL, 48, "2026-12-24T10:00:00Z", "2026-12-26T10:00:00Z");
}

static void
test_dst_blocks(void **state)
{
	/* a plain night: 01:30-02:30 and 02:30-04:00, 2.5 hours */
	assert_int_equal(sm_calendar_business_seconds(night,
	    at("2026-03-21T12:00:00Z"), at("2026-03-22T12:00:00Z")), 9000);
	/* 29 March, 02:00 to 03:00 skipped: 02:30 is read as 03:30 CEST, so
	 * the first block is 00:30Z-01:30Z and the second 01:30Z-02:00Z */
	assert_int_equal(sm_calendar_business_seconds(night,
	    at("2026-03-28T12:00:00Z"), at("2026-03-29T12:00:00Z")), 5400);
	assert_true(sm_calendar_is_open(night, at("2026-03-29T00:30:00Z")));
	assert_true(sm_calendar_is_open(night, at("2026-03-29T01:59:59Z")));
	assert_false(sm_calendar_is_open(night, at("2026-03-29T02:00:00Z")));
	BHOURS(night, 1, "2026-03-29T00:00:00Z", "2026-03-29T01:30:00Z");
	BHOURS(night, 1.5, "2026-03-29T00:00:00Z", "2026-03-29T02:00:00Z");
	/* 25 October, 02:00 to 03:00 twice: 02:30 is the first one (CEST),
	 * 01:30 CEST to 04:00 CET is 3.5 hours */
	assert_int_equal(sm_calendar_business_seconds(night,
	    at("2026-10-24T12:00:00Z"), at("2026-10-25T12:00:00Z")), 12600);
	BHOURS(night, 1, "2026-10-24T23:00:00Z", "2026-10-25T00:30:00Z");
	BHOURS(night, 3.5, "2026-10-24T23:00:00Z", "2026-10-25T03:00:00Z");
	assert_false(sm_calendar_is_open(night, at("2026-10-25T03:00:00Z")));
}

static void
test_business_seconds(void **state)
{
	/* Tuesday 1 December: 9.5 hours open */
	assert_int_equal(sm_calendar_business_seconds(ayto,
	    at("2026-12-01T00:00:00Z"), at("2026-12-02T00:00:00Z")), 34200);
	/* Friday 17:00Z to Monday 08:00Z: one hour and one hour */
	assert_int_equal(sm_calendar_business_seconds(ayto,
	    at("2026-12-04T17:00:00Z"), at("2026-12-07T08:00:00Z")), 7200);
	assert_int_equal(sm_calendar_business_seconds(ayto,
	    at("2026-12-07T08:00:00Z"), at("2026-12-04T17:00:00Z")), -7200);
	assert_int_equal(sm_calendar_business_seconds(ayto,
	    at("2026-12-01T10:00:00Z"), at("2026-12-01T10:00:00Z")), 0);
	/* a holiday counts nothing */
	assert_int_equal(sm_calendar_business_seconds(ayto,
	    at("2026-12-08T00:00:00Z"), at("2026-12-09T00:00:00Z")), 0);
	/* the week of the March change: 5 days of 9.5 hours */
	assert_int_equal(sm_calendar_business_seconds(ayto,
	    at("2026-03-23T00:00:00Z"), at("2026-03-30T00:00:00Z")),
	    5 * 34200);
	/* whole days: a working day is 24 hours; Friday 27 March, Canaries */
	assert_int_equal(sm_calendar_business_seconds(cabildo,
	    at("2026-03-27T00:00:00Z"), at("2026-04-01T00:00:00Z")),
	    3 * 86400 + 3600);
	/* a deadline and the open time up to it agree */
	{
		time_t due;

		assert_int_equal(sm_calendar_deadline(ayto,
		    SM_SLA_BUSINESS_HOURS, 20, at("2026-12-23T10:00:00Z"), &due,
		    NULL), 0);
		assert_int_equal(sm_calendar_business_seconds(ayto,
		    at("2026-12-23T10:00:00Z"), due), 20 * 3600);
	}
}

static void
test_bad_n(void **state)
{
	struct sm_error err;
	time_t due;

	assert_int_equal(sm_calendar_deadline(ayto, SM_SLA_BUSINESS_DAYS, 1.5,
	    0, &due, &err), -1);
	assert_string_equal(err.text, "a deadline of 1.5 business days: "
	    "expected a whole number");
	assert_int_equal(sm_calendar_deadline(ayto, SM_SLA_HOURS, -1, 0, &due,
	    &err), -1);
	assert_string_equal(err.text, "a deadline of -1 hours: expected a "
	    "number from 0 to 100000");
	assert_int_equal(sm_calendar_deadline(ayto, SM_SLA_BUSINESS_HOURS,
	    0.0 / 0.0, 0, &due, &err), -1);
	assert_int_equal(sm_calendar_deadline(ayto, SM_SLA_BUSINESS_DAYS,
	    1e5, 0, &due, &err), -1);
}

/* Loading text (written in the fixtures' directory) fails with want,
 * which starts with "sm.yaml:" for the file's full name. */
static void
check_bad(const char *text, const char *want)
{
	struct sm_config *c;
	struct sm_calendars *cs;
	struct sm_error err;
	char got[3000], full[3000];

	c = sm_config_load_string(text, yaml_name, &err);
	if (c == NULL)
		fail_msg("\"%s\": %s", text, err.text);
	cs = sm_calendars_load(c, &err);
	sm_config_free(c);
	if (cs != NULL) {
		sm_calendars_free(cs);
		fail_msg("\"%s\" loaded but should not have", text);
	}
	sm_error_format(&err, got, sizeof(got));
	snprintf(full, sizeof(full), "%s/%s", dir, want);
	if (strcmp(got, full) != 0)
		fail_msg("\"%s\":\n got: %s\nwant: %s", text, got, full);
}

static void
test_config_errors(void **state)
{
	check_bad("calendars: 5\n", "sm.yaml:1:12: calendars: expected a "
	    "mapping of calendar names, got a number");
	check_bad("calendars:\n  a: [1]\n", "sm.yaml:2:6: expected a mapping "
	    "for calendars.a, got a list");
	check_bad("calendars:\n  a:\n    timezone: UTC\n    hour: [x]\n",
	    "sm.yaml:4:11: unknown key 'hour' in calendars.a (a typo of 'hours'?)");
	check_bad("calendars:\n  a:\n    days: [mon]\n", "sm.yaml:3:5: "
	    "calendars.a.timezone: expected a zone name like Europe/Madrid");
	check_bad("calendars:\n  a:\n    timezone: 1\n", "sm.yaml:3:15: "
	    "calendars.a.timezone: expected a zone name like Europe/Madrid");
	check_bad("calendars:\n  a:\n    timezone: Europe/Atlantis\n",
	    "sm.yaml:3:15: calendars.a.timezone: unknown time zone "
	    "'Europe/Atlantis'");
	check_bad("calendars:\n  a:\n    timezone: UTC\n    days: [mon, "
	    "funday]\n", "sm.yaml:4:17: calendars.a.days[1]: expected mon, "
	    "tue, wed, thu, fri, sat or sun");
	check_bad("calendars:\n  a:\n    timezone: UTC\n    days: [mon, "
	    "mon]\n", "sm.yaml:4:17: calendars.a.days[1]: mon given twice");
	check_bad("calendars:\n  a:\n    timezone: UTC\n    days: []\n",
	    "sm.yaml:4:11: calendars.a.days: expected a list of weekdays "
	    "(mon, tue, ...)");
	check_bad("calendars:\n  a:\n    timezone: UTC\n    days: mon\n",
	    "sm.yaml:4:11: calendars.a.days: expected a list of weekdays "
	    "(mon, tue, ...)");
	check_bad("calendars:\n  a:\n    timezone: UTC\n    hours: [8-15]\n",
	    "sm.yaml:4:13: calendars.a.hours[0]: expected an opening block "
	    "like 08:00-15:00");
	check_bad("calendars:\n  a:\n    timezone: UTC\n    hours: "
	    "[\"15:00-08:00\"]\n", "sm.yaml:4:13: calendars.a.hours[0]: "
	    "expected an opening block like 08:00-15:00");
	check_bad("calendars:\n  a:\n    timezone: UTC\n    hours: "
	    "[\"08:00-24:30\"]\n", "sm.yaml:4:13: calendars.a.hours[0]: "
	    "expected an opening block like 08:00-15:00");
	check_bad("calendars:\n  a:\n    timezone: UTC\n    hours: "
	    "[\"08:00-15:60\"]\n", "sm.yaml:4:13: calendars.a.hours[0]: "
	    "expected an opening block like 08:00-15:00");
	check_bad("calendars:\n  a:\n    timezone: UTC\n    hours:\n"
	    "      - 08:00-15:00\n      - 14:00-19:00\n", "sm.yaml:6:9: "
	    "calendars.a.hours[1]: starts before the block before it ends");
	check_bad("calendars:\n  a:\n    timezone: UTC\n    hours: []\n",
	    "sm.yaml:4:12: calendars.a.hours: expected a list of opening "
	    "blocks like 08:00-15:00");
	check_bad("calendars:\n  a:\n    timezone: UTC\n    holidays: "
	    "[2026-02-30]\n", "sm.yaml:4:16: calendars.a.holidays[0]: "
	    "expected a date like 2026-12-08");
	check_bad("calendars:\n  a:\n    timezone: UTC\n    holidays: "
	    "[2026-12-08T00:00:00Z]\n", "sm.yaml:4:16: "
	    "calendars.a.holidays[0]: expected a date like 2026-12-08");
	check_bad("calendars:\n  a:\n    timezone: UTC\n    holidays:\n"
	    "      - {date: 2026-12-08, nombre: x}\n", "sm.yaml:5:36: unknown "
	    "key 'nombre' in calendars.a.holidays[0]");
	check_bad("calendars:\n  a:\n    timezone: UTC\n    holidays:\n"
	    "      - {name: x}\n", "sm.yaml:5:9: calendars.a.holidays[0]: "
	    "expected a date like 2026-12-08");
	check_bad("calendars:\n  a:\n    timezone: UTC\n    holidays:\n"
	    "      - {date: 2026-12-08, name: [x]}\n", "sm.yaml:5:34: "
	    "calendars.a.holidays[0].name: expected a string");
	check_bad("calendars:\n  a:\n    timezone: UTC\n    holidays: x\n",
	    "sm.yaml:4:15: calendars.a.holidays: expected a list of dates");
	check_bad("calendars:\n  a:\n    timezone: UTC\n    holidays_ics: x\n",
	    "sm.yaml:4:19: calendars.a.holidays_ics: expected a list of file "
	    "names");
	check_bad("calendars:\n  a:\n    timezone: UTC\n    holidays_ics: "
	    "[{}]\n", "sm.yaml:4:20: calendars.a.holidays_ics[0]: expected a "
	    "file name, got a mapping");
}

/* The same with a message that names a file of the fixtures. */
static void
check_bad_ics(const char *file, const char *what)
{
	char text[300], want[2048];

	snprintf(text, sizeof(text), "calendars:\n  a:\n    timezone: UTC\n"
	    "    holidays_ics:\n      - festivos.ics\n      - %s\n", file);
	snprintf(want, sizeof(want), "sm.yaml:6:9: %s/%s: %s", dir, file, what);
	check_bad(text, want);
}

static void
test_ics_errors(void **state)
{
	check_bad_ics("missing.ics", "No such file or directory");
	check_bad_ics("not-ics.txt", "not an iCalendar file");
	check_bad_ics("no-start.ics", "an event without DTSTART");
	check_bad_ics("bad-date.ics", "Can't parse as DATE value in DTSTART "
	    "property. Removing entire property: 2026120");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_holidays),
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_business_days),
		cmocka_unit_test(test_business_hours),
		cmocka_unit_test(test_hours),
		cmocka_unit_test(test_dst_blocks),
		cmocka_unit_test(test_business_seconds),
		cmocka_unit_test(test_bad_n),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_ics_errors),
	};

	return cmocka_run_group_tests_name("calendar", tests, setup, teardown);
}
