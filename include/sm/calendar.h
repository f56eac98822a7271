/* calendar.h - working days, opening hours, holidays; deadlines on them
 *
 * The top-level calendars: section of sm.yaml names calendars, each with a
 * time zone, working weekdays, opening blocks and holidays (listed, or
 * read from iCalendar files with libical, recurrences included).  sm-route
 * counts deadlines on them, sm-report response times in business hours.
 *
 * A calendar's day is the civil date in its zone.  An opening block is
 * half-open, [start, end): a message that arrives at 15:00 sharp when the
 * block is 08:00-15:00 arrives after hours.  Edges that fall where the
 * clock is not plain (the hour skipped or repeated by a DST change) are
 * placed as sm_time_from_local() says, by the offset in force before the
 * change; time within a block is elapsed time.
 */
#ifndef SM_CALENDAR_H
#define SM_CALENDAR_H

#include <stdint.h>
#include <time.h>

#include "sm/config.h"
#include "sm/error.h"
#include "sm/time.h"

struct sm_calendar;
struct sm_calendars;

/*
 * Reads and checks the calendars: section of cfg (NULL, or no section, is
 * a set with no calendar) and the iCalendar files it names (relative to
 * the YAML file that names them).  Recurring holidays are expanded up to
 * the end of 2199.  A new set, or NULL with err naming file:line:column.
 */
struct sm_calendars *sm_calendars_load(const struct sm_config *cfg,
    struct sm_error *err);
void sm_calendars_free(struct sm_calendars *cals);

/* The calendar called name, or NULL; borrowed from cals. */
const struct sm_calendar *sm_calendars_get(const struct sm_calendars *cals,
    const char *name);

/* Its name and zone; borrowed. */
const char *sm_calendar_name(const struct sm_calendar *cal);
const struct sm_time_zone *sm_calendar_zone(const struct sm_calendar *cal);

/* 1 when t falls in an opening block of a business day, else 0. */
int sm_calendar_is_open(const struct sm_calendar *cal, time_t t);

/*
 * The name of the holiday on t's day ("" for one listed without a name),
 * or NULL when that day is no holiday; borrowed.
 */
const char *sm_calendar_holiday(const struct sm_calendar *cal, time_t t);

/*
 * The first instant at or after t that is open: t itself when it is.  0,
 * or -1 with err when the calendar does not open for eleven years.
 */
int sm_calendar_next_open(const struct sm_calendar *cal, time_t t,
    time_t *next, struct sm_error *err);

enum sm_sla {
	SM_SLA_HOURS,		/* elapsed hours, whatever the calendar says */
	SM_SLA_BUSINESS_HOURS,	/* hours while open */
	SM_SLA_BUSINESS_DAYS	/* días hábiles */
};

/*
 * Reads a time allowed as sm.yaml writes it: "N hours" (or "hour", "h"),
 * "N days" (N times 24 hours), "N business hours", "N business days"
 * (whole).  0, or -1 when s says none of these or N is out of range.
 */
int sm_sla_parse(const char *s, enum sm_sla *kind, double *n);

/*
 * The deadline of something that arrives at arrival with n units of kind:
 * - SM_SLA_HOURS: arrival plus n hours of elapsed time (across a DST change
 *   too); cal is not read and may be NULL.
 * - SM_SLA_BUSINESS_HOURS: n hours of opening time counted from arrival, or
 *   from the next opening when it arrives while closed; a count that runs
 *   out exactly at a block's end is that end, not the next opening.  n = 0
 *   is the next opening (arrival itself when open).
 * - SM_SLA_BUSINESS_DAYS: the day of arrival is arrival's civil day in the
 *   calendar's zone if it is a business day (a working weekday that is no
 *   holiday), else the next business day; the deadline is the end of the
 *   last opening block of the nth business day after it (24:00 when the
 *   calendar has no hours).  n = 0 is the end of the day of arrival, which
 *   is already past for a message that arrives after that day's last block.
 *   n must be a whole number.
 * Hours kinds take fractions (0.5 is 30 minutes), rounded to the second.
 * A holiday on a Sunday is not moved to the Monday.  0, or -1 with err (n
 * negative or too large, or a calendar that does not open).
 */
int sm_calendar_deadline(const struct sm_calendar *cal, enum sm_sla kind,
    double n, time_t arrival, time_t *due, struct sm_error *err);

/*
 * The seconds of opening time in [from, to): what a response time is in
 * business hours.  Negative, the same count, when to is before from.
 */
int64_t sm_calendar_business_seconds(const struct sm_calendar *cal,
    time_t from, time_t to);

#endif
