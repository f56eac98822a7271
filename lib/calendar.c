/* calendar.c - working days, opening hours, holidays; deadlines on them */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libical/ical.h>

#include "sm/calendar.h"
#include "sm/util.h"

#define WHOLE_DAY 1440		/* minutes */
#define MAX_CLOSED 4018		/* days (eleven years) without an opening */
#define LAST_YEAR 2199		/* recurrences are expanded up to here */
#define MAX_OCCURRENCES 100000	/* per iCalendar event */
#define MAX_HOURS 1e5		/* the largest n of the hours kinds */
#define MAX_DAYS 10000		/* the largest n of business days */

struct block {
	int start, end;		/* minutes after the local midnight */
};

struct holiday {
	int64_t day;		/* days since 1970-01-01, a civil date */
	char *name;		/* NULL when listed without one */
};

struct sm_calendar {
	char *name;
	struct sm_time_zone *zone;
	unsigned char workday[7];	/* by weekday, 0 Sunday */
	struct block *blocks;		/* ascending; no hours: one whole day */
	size_t nblocks;
	struct holiday *hol;		/* sorted by day once loaded */
	size_t nhol, caphol;
};

struct sm_calendars {
	struct sm_calendar *cal;
	size_t n;
};

static const char *const day_keys[] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat"
};

static const char *const calendar_keys[] = {
	"timezone", "days", "hours", "holidays", "holidays_ics", NULL
};

static const char *const holiday_keys[] = { "date", "name", NULL };

/* ---- holidays ---- */

static void
holiday_add(struct sm_calendar *c, int64_t day, const char *name)
{
	if (c->nhol == c->caphol) {
		c->caphol = c->caphol ? c->caphol * 2 : 16;
		c->hol = xreallocarray(c->hol, c->caphol, sizeof(*c->hol));
	}
	c->hol[c->nhol].day = day;
	c->hol[c->nhol].name = name ? xstrdup(name) : NULL;
	c->nhol++;
}

static int
holiday_cmp(const void *a, const void *b)
{
	const struct holiday *x = a, *y = b;

	return (x->day > y->day) - (x->day < y->day);
}

static const struct holiday *
holiday_find(const struct sm_calendar *c, int64_t day)
{
	struct holiday key;

	key.day = day;
	if (c->nhol == 0)
		return NULL;
	return bsearch(&key, c->hol, c->nhol, sizeof(*c->hol), holiday_cmp);
}

/* A "YYYY-MM-DD" date; -1 when s is not one. */
static int
parse_date(const char *s, int64_t *day)
{
	time_t t;

	if (s == NULL || strlen(s) != 10 || sm_time_parse(s, &t) < 0)
		return -1;
	*day = (int64_t)t / 86400;
	return 0;
}

static int64_t
ical_day(struct icaltimetype t)
{
	return sm_time_days(t.year, t.month, t.day);
}

/* The first error libical left in comp or below it, or NULL. */
static const char *
ical_error(icalcomponent *comp)
{
	icalproperty *p;
	icalcomponent *sub;
	const char *e;

	p = icalcomponent_get_first_property(comp, ICAL_XLICERROR_PROPERTY);
	if (p != NULL)
		return icalproperty_get_xlicerror(p);
	for (sub = icalcomponent_get_first_component(comp, ICAL_ANY_COMPONENT);
	    sub != NULL;
	    sub = icalcomponent_get_next_component(comp, ICAL_ANY_COMPONENT))
		if ((e = ical_error(sub)) != NULL)
			return e;
	return NULL;
}

static int
excluded(icalcomponent *ev, int64_t day)
{
	icalproperty *p;

	for (p = icalcomponent_get_first_property(ev, ICAL_EXDATE_PROPERTY);
	    p != NULL;
	    p = icalcomponent_get_next_property(ev, ICAL_EXDATE_PROPERTY))
		if (ical_day(icalproperty_get_exdate(p)) == day)
			return 1;
	return 0;
}

/* One occurrence of ev, on day and the days it lasts. */
static void
occurrence(struct sm_calendar *c, icalcomponent *ev, int64_t day,
    int64_t ndays)
{
	int64_t i;

	if (excluded(ev, day))
		return;
	for (i = 0; i < ndays; i++)
		holiday_add(c, day + i, icalcomponent_get_summary(ev));
}

/* The holidays of one VEVENT: DTSTART, its RRULEs and RDATEs less its
 * EXDATEs.  An event with a time of day makes its date a holiday. */
static int
ical_event(struct sm_calendar *c, icalcomponent *ev, const char **why)
{
	struct icaltimetype start = icalcomponent_get_dtstart(ev), end, t;
	icalproperty *p;
	int64_t ndays = 1, n;

	if (icalcomponent_get_status(ev) == ICAL_STATUS_CANCELLED)
		return 0;
	if (icaltime_is_null_time(start)) {
		*why = "an event without DTSTART";
		return -1;
	}
	end = icalcomponent_get_dtend(ev);
	if (start.is_date && end.is_date && !icaltime_is_null_time(end) &&
	    ical_day(end) > ical_day(start))
		ndays = ical_day(end) - ical_day(start);
	if (ndays > 366) {
		*why = "an event longer than a year";
		return -1;
	}
	if (icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY) == NULL)
		occurrence(c, ev, ical_day(start), ndays);
	for (p = icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY);
	    p != NULL;
	    p = icalcomponent_get_next_property(ev, ICAL_RRULE_PROPERTY)) {
		icalrecur_iterator *it;

		it = icalrecur_iterator_new(icalproperty_get_rrule(p), start);
		if (it == NULL) {
			*why = "an RRULE that libical cannot expand";
			return -1;
		}
		for (n = 0, t = icalrecur_iterator_next(it);
		    !icaltime_is_null_time(t) && t.year <= LAST_YEAR;
		    t = icalrecur_iterator_next(it)) {
			if (++n > MAX_OCCURRENCES) {
				icalrecur_iterator_free(it);
				*why = "an RRULE with too many occurrences";
				return -1;
			}
			occurrence(c, ev, ical_day(t), ndays);
		}
		icalrecur_iterator_free(it);
	}
	for (p = icalcomponent_get_first_property(ev, ICAL_RDATE_PROPERTY);
	    p != NULL;
	    p = icalcomponent_get_next_property(ev, ICAL_RDATE_PROPERTY)) {
		struct icaldatetimeperiodtype r = icalproperty_get_rdate(p);

		t = icaltime_is_null_time(r.time) ? r.period.start : r.time;
		if (!icaltime_is_null_time(t))
			occurrence(c, ev, ical_day(t), ndays);
	}
	return 0;
}

/* Every VEVENT in comp or below it (VCALENDARs, libical's XROOT). */
static int
ical_walk(struct sm_calendar *c, icalcomponent *comp, const char **why)
{
	icalcomponent *sub;

	if (icalcomponent_isa(comp) == ICAL_VEVENT_COMPONENT)
		return ical_event(c, comp, why);
	for (sub = icalcomponent_get_first_component(comp, ICAL_ANY_COMPONENT);
	    sub != NULL;
	    sub = icalcomponent_get_next_component(comp, ICAL_ANY_COMPONENT))
		if (ical_walk(c, sub, why) < 0)
			return -1;
	return 0;
}

static char *
ical_line(char *s, size_t size, void *fp)
{
	return fgets(s, size > INT_MAX ? INT_MAX : (int)size, fp);
}

/* The holidays of the iCalendar file named by node. */
static int
load_ics(struct sm_calendar *c, const struct sm_config *cfg,
    const json_t *node, const char *where, struct sm_error *err)
{
	char *path;
	FILE *fp;
	icalparser *parser;
	icalcomponent *root;
	const char *why = NULL;
	int rc = 0, failed;

	if (!json_is_string(node))
		return sm_config_error(cfg, node, err, "%s: expected a file "
		    "name, got %s", where, sm_config_type_name(node));
	path = sm_config_relpath(cfg, node);
	if ((fp = fopen(path, "r")) == NULL) {
		rc = sm_config_error(cfg, node, err, "%s: %s", path,
		    strerror(errno));
		free(path);
		return rc;
	}
	parser = icalparser_new();
	icalparser_set_gen_data(parser, fp);
	root = icalparser_parse(parser, ical_line);
	icalparser_free(parser);
	failed = ferror(fp);
	fclose(fp);
	if (failed)
		rc = sm_config_error(cfg, node, err, "%s: read error", path);
	else if (root == NULL)
		rc = sm_config_error(cfg, node, err,
		    "%s: not an iCalendar file", path);
	else if ((why = ical_error(root)) != NULL ||
	    ical_walk(c, root, &why) < 0)
		rc = sm_config_error(cfg, node, err, "%s: %s", path, why);
	icalerror_clear_errno();
	if (root)
		icalcomponent_free(root);
	free(path);
	return rc;
}

/* ---- the section ---- */

/* "8:00" or "08:00", up to "24:00", in minutes; the end, or NULL */
static const char *
clock_time(const char *s, int *minutes)
{
	int h = 0, k;

	for (k = 0; k < 2 && *s >= '0' && *s <= '9'; k++, s++)
		h = h * 10 + (*s - '0');
	if (k == 0 || *s++ != ':' || s[0] < '0' || s[0] > '5' || s[1] < '0' ||
	    s[1] > '9')
		return NULL;
	*minutes = h * 60 + (s[0] - '0') * 10 + (s[1] - '0');
	return *minutes > WHOLE_DAY ? NULL : s + 2;
}

/* "08:00-15:00"; -1 when s is not a block */
static int
parse_block(const char *s, struct block *b)
{
	if ((s = clock_time(s, &b->start)) == NULL || *s != '-' ||
	    (s = clock_time(s + 1, &b->end)) == NULL || *s != '\0' ||
	    b->end <= b->start)
		return -1;
	return 0;
}

static int
load_days(struct sm_calendar *c, const struct sm_config *cfg,
    const json_t *list, const char *where, struct sm_error *err)
{
	const json_t *d;
	size_t i;
	int k;

	if (list == NULL) {
		for (k = 1; k <= 5; k++)
			c->workday[k] = 1;
		return 0;
	}
	if (!json_is_array(list) || json_array_size(list) == 0)
		return sm_config_error(cfg, list, err, "%s.days: expected a "
		    "list of weekdays (mon, tue, ...)", where);
	json_array_foreach(list, i, d) {
		for (k = 0; k < 7; k++)
			if (json_is_string(d) &&
			    strcmp(json_string_value(d), day_keys[k]) == 0)
				break;
		if (k == 7)
			return sm_config_error(cfg, d, err, "%s.days[%zu]: "
			    "expected mon, tue, wed, thu, fri, sat or sun",
			    where, i);
		if (c->workday[k])
			return sm_config_error(cfg, d, err, "%s.days[%zu]: "
			    "%s given twice", where, i, day_keys[k]);
		c->workday[k] = 1;
	}
	return 0;
}

static int
load_hours(struct sm_calendar *c, const struct sm_config *cfg,
    const json_t *list, const char *where, struct sm_error *err)
{
	const json_t *h;
	size_t i;

	if (list == NULL) {
		c->blocks = xmalloc(sizeof(*c->blocks));
		c->blocks[0].start = 0;
		c->blocks[0].end = WHOLE_DAY;
		c->nblocks = 1;
		return 0;
	}
	if (!json_is_array(list) || json_array_size(list) == 0)
		return sm_config_error(cfg, list, err, "%s.hours: expected a "
		    "list of opening blocks like 08:00-15:00", where);
	c->blocks = xcalloc(json_array_size(list), sizeof(*c->blocks));
	json_array_foreach(list, i, h) {
		struct block *b = &c->blocks[i];

		if (!json_is_string(h) || parse_block(json_string_value(h),
		    b) < 0)
			return sm_config_error(cfg, h, err, "%s.hours[%zu]: "
			    "expected an opening block like 08:00-15:00",
			    where, i);
		if (i > 0 && b->start < b[-1].end)
			return sm_config_error(cfg, h, err, "%s.hours[%zu]: "
			    "starts before the block before it ends", where,
			    i);
		c->nblocks++;
	}
	return 0;
}

static int
load_holidays(struct sm_calendar *c, const struct sm_config *cfg,
    const json_t *list, const char *where, struct sm_error *err)
{
	const json_t *h, *date, *name;
	size_t i;
	int64_t day;
	char w[340];

	if (list == NULL)
		return 0;
	if (!json_is_array(list))
		return sm_config_error(cfg, list, err, "%s.holidays: expected "
		    "a list of dates", where);
	json_array_foreach(list, i, h) {
		snprintf(w, sizeof(w), "%s.holidays[%zu]", where, i);
		date = h;
		name = NULL;
		if (json_is_object(h)) {
			if (sm_config_check_keys(cfg, h, w, holiday_keys,
			    err) < 0)
				return -1;
			date = json_object_get(h, "date");
			name = json_object_get(h, "name");
			if (name && !json_is_string(name))
				return sm_config_error(cfg, name, err,
				    "%s.name: expected a string", w);
		}
		if (parse_date(json_string_value(date), &day) < 0)
			return sm_config_error(cfg, date ? date : h, err,
			    "%s: expected a date like 2026-12-08", w);
		holiday_add(c, day, json_string_value(name));
	}
	return 0;
}

static int
load_calendar(struct sm_calendar *c, const struct sm_config *cfg,
    const char *name, const json_t *node, struct sm_error *err)
{
	const json_t *tz, *ics, *f;
	struct sm_error zerr;
	char where[300], w[340];
	size_t i;

	c->name = xstrdup(name);
	snprintf(where, sizeof(where), "calendars.%s", name);
	if (sm_config_check_keys(cfg, node, where, calendar_keys, err) < 0)
		return -1;
	tz = json_object_get(node, "timezone");
	if (!json_is_string(tz))
		return sm_config_error(cfg, tz ? tz : node, err,
		    "%s.timezone: expected a zone name like Europe/Madrid",
		    where);
	if ((c->zone = sm_time_zone_open(json_string_value(tz), &zerr)) ==
	    NULL)
		return sm_config_error(cfg, tz, err, "%s.timezone: %s", where,
		    zerr.text);
	if (load_days(c, cfg, json_object_get(node, "days"), where, err) < 0 ||
	    load_hours(c, cfg, json_object_get(node, "hours"), where,
	    err) < 0 || load_holidays(c, cfg, json_object_get(node,
	    "holidays"), where, err) < 0)
		return -1;
	ics = json_object_get(node, "holidays_ics");
	if (ics && !json_is_array(ics))
		return sm_config_error(cfg, ics, err, "%s.holidays_ics: "
		    "expected a list of file names", where);
	json_array_foreach(ics, i, f) {
		snprintf(w, sizeof(w), "%s.holidays_ics[%zu]", where, i);
		if (load_ics(c, cfg, f, w, err) < 0)
			return -1;
	}
	if (c->nhol > 0)
		qsort(c->hol, c->nhol, sizeof(*c->hol), holiday_cmp);
	return 0;
}

struct sm_calendars *
sm_calendars_load(const struct sm_config *cfg, struct sm_error *err)
{
	struct sm_calendars *cals = xcalloc(1, sizeof(*cals));
	const json_t *sec = cfg ? sm_config_section(cfg, "calendars") : NULL;
	const json_t *v;
	const char *name;

	if (sec == NULL)
		return cals;
	if (!json_is_object(sec)) {
		sm_config_error(cfg, sec, err, "calendars: expected a mapping "
		    "of calendar names, got %s", sm_config_type_name(sec));
		free(cals);
		return NULL;
	}
	cals->cal = xcalloc(json_object_size(sec) + 1, sizeof(*cals->cal));
	json_object_foreach((json_t *)sec, name, v) {
		if (load_calendar(&cals->cal[cals->n++], cfg, name, v,
		    err) < 0) {
			sm_calendars_free(cals);
			return NULL;
		}
	}
	return cals;
}

void
sm_calendars_free(struct sm_calendars *cals)
{
	size_t i, k;

	if (cals == NULL)
		return;
	for (i = 0; i < cals->n; i++) {
		struct sm_calendar *c = &cals->cal[i];

		for (k = 0; k < c->nhol; k++)
			free(c->hol[k].name);
		free(c->hol);
		free(c->blocks);
		sm_time_zone_free(c->zone);
		free(c->name);
	}
	free(cals->cal);
	free(cals);
}

const struct sm_calendar *
sm_calendars_get(const struct sm_calendars *cals, const char *name)
{
	size_t i;

	for (i = 0; cals && name && i < cals->n; i++)
		if (strcmp(cals->cal[i].name, name) == 0)
			return &cals->cal[i];
	return NULL;
}

const char *
sm_calendar_name(const struct sm_calendar *cal)
{
	return cal->name;
}

const struct sm_time_zone *
sm_calendar_zone(const struct sm_calendar *cal)
{
	return cal->zone;
}

/* ---- counting ---- */

/* t's civil day in the calendar's zone */
static int64_t
local_day(const struct sm_calendar *c, time_t t)
{
	struct sm_civil cv;

	sm_time_local(c->zone, t, &cv);
	return sm_time_days(cv.year, cv.month, cv.day);
}

static int
business_day(const struct sm_calendar *c, int64_t day)
{
	return c->workday[sm_time_weekday(day)] && holiday_find(c, day) ==
	    NULL;
}

/* The instant of minute m (up to 24:00) of day in the calendar's zone */
static time_t
day_minute(const struct sm_calendar *c, int64_t day, int m)
{
	struct sm_civil cv;
	int64_t y;

	sm_time_date(day, &y, &cv.month, &cv.day);
	cv.year = (int)y;
	cv.hour = m / 60;
	cv.min = m % 60;
	cv.sec = 0;
	return sm_time_from_local(c->zone, &cv);
}

/* Block i of day as instants [*s, *e); 0 when it is empty (a closed day,
 * or a block lost in a DST gap). */
static int
block_span(const struct sm_calendar *c, int64_t day, size_t i, time_t *s,
    time_t *e)
{
	if (!business_day(c, day))
		return 0;
	*s = day_minute(c, day, c->blocks[i].start);
	*e = day_minute(c, day, c->blocks[i].end);
	return *e > *s;
}

int
sm_calendar_is_open(const struct sm_calendar *cal, time_t t)
{
	int64_t day = local_day(cal, t), d;
	time_t s, e;
	size_t i;

	for (d = day - 1; d <= day; d++)
		for (i = 0; i < cal->nblocks; i++)
			if (block_span(cal, d, i, &s, &e) && s <= t && t < e)
				return 1;
	return 0;
}

const char *
sm_calendar_holiday(const struct sm_calendar *cal, time_t t)
{
	const struct holiday *h = holiday_find(cal, local_day(cal, t));

	if (h == NULL)
		return NULL;
	return h->name ? h->name : "";
}

/* secs of opening time from t on; the instant they run out */
static int
count_open(const struct sm_calendar *c, time_t t, int64_t secs, time_t *due,
    struct sm_error *err)
{
	int64_t day = local_day(c, t) - 1, closed = 0;
	time_t s, e, begin;
	size_t i;

	for (;; day++) {
		int open = 0;

		for (i = 0; i < c->nblocks; i++) {
			if (!block_span(c, day, i, &s, &e) || e <= t)
				continue;
			open = 1;
			begin = s > t ? s : t;
			if (secs <= e - begin) {
				*due = begin + (time_t)secs;
				return 0;
			}
			secs -= e - begin;
		}
		if (open)
			closed = 0;
		else if (++closed > MAX_CLOSED)
			return sm_error_set(err, NULL, 0, 0, "calendar %s does "
			    "not open for eleven years", c->name);
	}
}

int
sm_calendar_next_open(const struct sm_calendar *cal, time_t t, time_t *next,
    struct sm_error *err)
{
	return count_open(cal, t, 0, next, err);
}

/* The nth business day after the day of arrival's */
static int
business_days(const struct sm_calendar *c, time_t arrival, int64_t n,
    time_t *due, struct sm_error *err)
{
	int64_t day = local_day(c, arrival), closed = 0;

	for (;;) {
		if (business_day(c, day)) {
			closed = 0;
			if (n-- == 0)
				break;
		} else if (++closed > MAX_CLOSED)
			return sm_error_set(err, NULL, 0, 0, "calendar %s has "
			    "no business day for eleven years", c->name);
		day++;
	}
	*due = day_minute(c, day, c->blocks[c->nblocks - 1].end);
	return 0;
}

int
sm_calendar_deadline(const struct sm_calendar *cal, enum sm_sla kind,
    double n, time_t arrival, time_t *due, struct sm_error *err)
{
	int64_t secs;

	if (!(n >= 0) || n > (kind == SM_SLA_BUSINESS_DAYS ? MAX_DAYS :
	    MAX_HOURS))
		return sm_error_set(err, NULL, 0, 0, "a deadline of %g %s: "
		    "expected a number from 0 to %g", n,
		    kind == SM_SLA_BUSINESS_DAYS ? "business days" : "hours",
		    kind == SM_SLA_BUSINESS_DAYS ? MAX_DAYS : MAX_HOURS);
	secs = (int64_t)llround(n * 3600);
	switch (kind) {
	case SM_SLA_HOURS:
		*due = arrival + (time_t)secs;
		return 0;
	case SM_SLA_BUSINESS_HOURS:
		return count_open(cal, arrival, secs, due, err);
	case SM_SLA_BUSINESS_DAYS:
		if (n != floor(n))
			return sm_error_set(err, NULL, 0, 0, "a deadline of %g "
			    "business days: expected a whole number", n);
		return business_days(cal, arrival, (int64_t)n, due, err);
	}
	return sm_error_set(err, NULL, 0, 0, "unknown kind of deadline");
}

int64_t
sm_calendar_business_seconds(const struct sm_calendar *cal, time_t from,
    time_t to)
{
	int64_t day, last, sum = 0;
	time_t s, e;
	size_t i;

	if (to < from)
		return -sm_calendar_business_seconds(cal, to, from);
	last = local_day(cal, to);
	for (day = local_day(cal, from) - 1; day <= last; day++)
		for (i = 0; i < cal->nblocks; i++) {
			if (!block_span(cal, day, i, &s, &e))
				continue;
			if (s < from)
				s = from;
			if (e > to)
				e = to;
			if (e > s)
				sum += e - s;
		}
	return sum;
}

int
sm_sla_parse(const char *s, enum sm_sla *kind, double *n)
{
	char *end;
	double v;

	if (s == NULL)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0 || v > MAX_HOURS)
		return -1;
	while (*end == ' ')
		end++;
	if (strcmp(end, "hours") == 0 || strcmp(end, "hour") == 0 ||
	    strcmp(end, "h") == 0)
		*kind = SM_SLA_HOURS;
	else if (strcmp(end, "days") == 0 || strcmp(end, "day") == 0) {
		*kind = SM_SLA_HOURS;
		v *= 24;
	} else if (strcmp(end, "business hours") == 0 ||
	    strcmp(end, "business hour") == 0)
		*kind = SM_SLA_BUSINESS_HOURS;
	else if (strcmp(end, "business days") == 0 ||
	    strcmp(end, "business day") == 0) {
		*kind = SM_SLA_BUSINESS_DAYS;
		if (v != floor(v) || v > MAX_DAYS)
			return -1;
	} else
		return -1;
	*n = v;
	return 0;
}
