/* time.h - one clock: timestamps parsed and formatted, civil time in zones
 *
 * Every time in sm is a time_t counted in UTC.  This module reads the three
 * ways the outside world writes one (RFC 3339, the e-mail Date:, HTTP
 * dates), writes the one sm writes (RFC 3339 UTC, "2026-03-29T01:30:00Z"),
 * says what time it is, and converts between an instant and the civil time
 * of an IANA zone (Europe/Madrid, Atlantic/Canary) from the system's tzdata.
 *
 * The parsers reject impossible values (February 30th, hour 24, offset
 * +99:99) instead of rolling them over.  A leap second (second 60) is
 * accepted, as the standards allow, and counts as second 59: time_t has no
 * room for it.
 *
 * SM_NOW: when this environment variable holds an RFC 3339 time
 * (SM_NOW=2026-03-29T01:30:00Z), sm_time_now() answers it instead of the
 * system clock, so that tests and users can pin "now" (what a deadline is
 * counted from, which holiday is today).
 */
#ifndef SM_TIME_H
#define SM_TIME_H

#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "sm/error.h"

/* The size of "YYYY-MM-DDTHH:MM:SSZ" and its NUL. */
#define SM_TIME_SIZE 21

/*
 * Parses RFC 3339 / ISO 8601: "2025-03-11T09:14:03.123Z", a 't' or a space
 * for the 'T', a lower-case 'z', offsets "+01:00" or "+0100", or a date
 * "YYYY-MM-DD" alone (midnight UTC).  Exactly four digits of year, two of
 * everything else, any digits of fraction (dropped); nothing may follow.
 * 0, or -1 when s is not such a time (or is NULL).
 */
int sm_time_parse(const char *s, time_t *t);

/*
 * Parses an e-mail date (RFC 5322 section 3.3 and the obsolete syntax of
 * 4.3): an optional day name, two- and three-digit years (00-49 are 20xx,
 * 50-99 and three digits 19xx), the zone names UT, GMT, EST, EDT, CST, CDT,
 * MST, MDT, PST, PDT and the military letters (taken as -0000, as 4.3
 * says), comments in parentheses, folding white space, optional seconds.
 * Also the forms seen in the wild: no zone (UTC), UTC, WET, WEST, BST, CET,
 * CEST, MET, MEST, EET, EEST, "+01:00", "+1", "GMT+0100", full month and
 * day names, "10.02.11", AM/PM, asctime ("Tue Mar 11 10:02:11 2025"),
 * ISO 8601 and IMAP's INTERNALDATE ("11-Mar-2025 10:02:17 +0100").  The
 * year is 1900 or later, as RFC 5322 says.  A word or sign that is none of
 * these makes s no date.  0, or -1.
 */
int sm_time_parse_email(const char *s, time_t *t);

/*
 * Parses an HTTP date (RFC 9110 section 5.6.7): IMF-fixdate ("Sun, 06 Nov
 * 1994 08:49:37 GMT"), the obsolete RFC 850 form ("Sunday, 06-Nov-94
 * 08:49:37 GMT", its year taken as the latest one with those two digits
 * that is not more than 50 years after now) and asctime ("Sun Nov  6
 * 08:49:37 1994").  Names in any case; nothing else.  0, or -1.
 */
int sm_time_parse_http(const char *s, time_t *t);

/*
 * Writes t as "YYYY-MM-DDTHH:MM:SSZ" into buf (size bytes, at least
 * SM_TIME_SIZE).  0, or -1 (buf empty) when buf is too small or t is
 * outside the years 0000-9999.
 */
int sm_time_format(time_t t, char *buf, size_t size);

/* The same as a new JSON string; NULL outside the years 0000-9999. */
json_t *sm_time_json(time_t t);

/*
 * The current time: SM_NOW when it is set and not empty, else the system
 * clock.  0, or -1 with err saying that SM_NOW is not an RFC 3339 time.
 */
int sm_time_now(time_t *now, struct sm_error *err);

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
int64_t sm_time_days(int64_t year, int month, int day);

/* The date of a count of days since 1970-01-01. */
void sm_time_date(int64_t days, int64_t *year, int *month, int *day);

/* 28 to 31. */
int sm_time_days_in_month(int64_t year, int month);

/* 0 Sunday to 6 Saturday, of a count of days since 1970-01-01. */
int sm_time_weekday(int64_t days);

/* Civil time: what a wall clock and a wall calendar show. */
struct sm_civil {
	int year;
	int month;		/* 1-12 */
	int day;		/* 1-31 */
	int hour, min, sec;
	int wday;		/* 0 Sunday to 6 Saturday */
	int offset;		/* seconds east of UTC */
};

/*
 * An IANA time zone read from the system's tzdata (through libical's
 * reading of /usr/share/zoneinfo): "Europe/Madrid", "UTC".  A new zone to
 * give to sm_time_zone_free, or NULL with err when there is no such zone.
 */
struct sm_time_zone *sm_time_zone_open(const char *name,
    struct sm_error *err);
void sm_time_zone_free(struct sm_time_zone *z);

/* Its name as given to sm_time_zone_open (borrowed). */
const char *sm_time_zone_name(const struct sm_time_zone *z);

/* The civil time of instant t in zone z (NULL is UTC). */
void sm_time_local(const struct sm_time_zone *z, time_t t,
    struct sm_civil *c);

/*
 * The instant at which zone z (NULL is UTC) shows civil time c (its year,
 * month 1-12, day, hour, min and sec; wday and offset are not read).  day,
 * hour, min and sec are counted on from the month's start as they are, so
 * hour 24 is the next day's midnight.  Deterministic where the wall clock
 * is not:
 * - a time that is skipped (the hour lost when clocks go forward) is read
 *   with the offset in force before the change, so it lands as far after
 *   the change as it was after the skipped hour's start (02:30 on the
 *   morning Madrid goes from 02:00 to 03:00 is 03:30);
 * - a time that happens twice (the hour repeated when clocks go back) is
 *   its first occurrence, the one with the offset before the change.
 * Both are the offset in force just before the change.
 */
time_t sm_time_from_local(const struct sm_time_zone *z,
    const struct sm_civil *c);

#endif
