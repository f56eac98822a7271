/* time.c - one clock: RFC 3339, e-mail and HTTP dates, civil time in zones */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <libical/ical.h>

#include "sm/time.h"
#include "sm/util.h"

struct sm_time_zone {
	char *name;
	icaltimezone *tz;	/* libical's, cached by libical; NULL is UTC */
};

static const char *const month_names[] = {
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december"
};

static const char *const day_names[] = {
	"sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
	"saturday"
};

static int
is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}

static int
is_alpha(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static int
lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

/* 1 when the n bytes at w are word in any case */
static int
word_is(const char *w, size_t n, const char *word)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (word[i] == '\0' || lower((unsigned char)w[i]) != word[i])
			return 0;
	return word[n] == '\0';
}

/* The index of the n bytes at w in names (its first three letters or the
 * whole name; "sept" too), or -1. */
static int
name_index(const char *w, size_t n, const char *const *names, int count)
{
	int i;

	for (i = 0; i < count; i++) {
		if ((n == 3 && lower((unsigned char)w[0]) == names[i][0] &&
		    lower((unsigned char)w[1]) == names[i][1] &&
		    lower((unsigned char)w[2]) == names[i][2]) ||
		    word_is(w, n, names[i]))
			return i;
	}
	if (names == month_names && word_is(w, n, "sept"))
		return 8;
	return -1;
}

/* n digits exactly at s into *v; the end, or NULL */
static const char *
digits(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!is_digit((unsigned char)s[i]))
			return NULL;
		*v = *v * 10 + (s[i] - '0');
	}
	return s + n;
}

/* The number of digits at s. */
static size_t
count_digits(const char *s)
{
	size_t n = 0;

	while (is_digit((unsigned char)s[n]))
		n++;
	return n;
}

int64_t
sm_time_days(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
sm_time_date(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int
sm_time_days_in_month(int64_t y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

int
sm_time_weekday(int64_t days)
{
	int64_t w = (days + 4) % 7;	/* 1970-01-01 was a Thursday */

	return (int)(w < 0 ? w + 7 : w);
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* Seconds since the epoch of a checked civil time; the leap second 60
 * counts as 59. */
static int
civil_seconds(int64_t y, int mo, int d, int h, int mi, int s, time_t *t)
{
	if (mo < 1 || mo > 12 || d < 1 || d > sm_time_days_in_month(y, mo) ||
	    h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60)
		return -1;
	if (s == 60)
		s = 59;
	*t = (time_t)(sm_time_days(y, mo, d) * 86400 + h * 3600 + mi * 60 +
	    s);
	return 0;
}

/* ---- RFC 3339 ---- */

int
sm_time_parse(const char *s, time_t *t)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign = 1;
	const char *p;

	if (s == NULL || (p = digits(s, 4, &y)) == NULL || *p++ != '-' ||
	    (p = digits(p, 2, &mo)) == NULL || *p++ != '-' ||
	    (p = digits(p, 2, &d)) == NULL)
		return -1;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		if ((p = digits(p + 1, 2, &h)) == NULL || *p++ != ':' ||
		    (p = digits(p, 2, &mi)) == NULL || *p++ != ':' ||
		    (p = digits(p, 2, &sec)) == NULL)
			return -1;
		if (*p == '.') {
			if (!is_digit((unsigned char)p[1]))
				return -1;
			p += 1 + count_digits(p + 1);
		}
		if (*p == 'Z' || *p == 'z')
			p++;
		else if (*p == '+' || *p == '-') {
			sign = *p == '-' ? -1 : 1;
			if ((p = digits(p + 1, 2, &oh)) == NULL)
				return -1;
			if (*p == ':')
				p++;
			if ((p = digits(p, 2, &om)) == NULL || oh > 23 ||
			    om > 59)
				return -1;
		} else
			return -1;
	}
	if (*p != '\0' || civil_seconds(y, mo, d, h, mi, sec, t) < 0)
		return -1;
	*t -= sign * (oh * 3600 + om * 60);
	return 0;
}

int
sm_time_format(time_t t, char *buf, size_t size)
{
	int64_t days = floor_div((int64_t)t, 86400), sod, y;
	int m, d, i, v[6], w[6] = { 4, 2, 2, 2, 2, 2 };
	static const char sep[] = "--T::Z";
	char *p = buf;

	if (size < SM_TIME_SIZE) {
		if (size > 0)
			buf[0] = '\0';
		return -1;
	}
	sod = (int64_t)t - days * 86400;
	sm_time_date(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		buf[0] = '\0';
		return -1;
	}
	v[0] = (int)y;
	v[1] = m;
	v[2] = d;
	v[3] = (int)(sod / 3600);
	v[4] = (int)(sod / 60 % 60);
	v[5] = (int)(sod % 60);
	for (i = 0; i < 6; i++) {
		int k, x = v[i];

		for (k = w[i] - 1; k >= 0; k--, x /= 10)
			p[k] = (char)('0' + x % 10);
		p += w[i];
		*p++ = sep[i];
	}
	*p = '\0';
	return 0;
}

json_t *
sm_time_json(time_t t)
{
	char buf[SM_TIME_SIZE];

	if (sm_time_format(t, buf, sizeof(buf)) < 0)
		return NULL;
	return json_string(buf);
}

int
sm_time_now(time_t *now, struct sm_error *err)
{
	const char *s = getenv("SM_NOW");

	if (s == NULL || *s == '\0') {
		*now = time(NULL);
		return 0;
	}
	if (sm_time_parse(s, now) < 0)
		return sm_error_set(err, NULL, 0, 0,
		    "SM_NOW: not an RFC 3339 time: '%.64s'", s);
	return 0;
}

/* ---- e-mail dates ---- */

struct edate {
	int year, ydigits, month, day, hour, min, sec, pm, off;
	int have_off, have_name, have_date, tokens;
	int num[2], ndig[2], nnum;
};

/* Skips white space (folding included) and comments, which nest and may
 * hold quoted pairs.  The end, or NULL when a comment is not closed. */
static const char *
skip_cfws(const char *p)
{
	int depth = 0;

	for (;;) {
		if (depth == 0 && (*p == ' ' || *p == '\t' || *p == '\r' ||
		    *p == '\n'))
			p++;
		else if (*p == '(') {
			depth++;
			p++;
		} else if (depth > 0 && *p == ')') {
			depth--;
			p++;
		} else if (depth > 0 && *p == '\\' && p[1])
			p += 2;
		else if (depth > 0 && *p)
			p++;
		else
			return depth ? NULL : p;
	}
}

/* +hhmm, +hh:mm, +hh, +h in minutes east; the end, or NULL */
static const char *
zone_offset(const char *s, int *off)
{
	int sign = s[0] == '-' ? -1 : 1, h, mi = 0;
	size_t nd = count_digits(s + 1);
	const char *p;

	if (nd == 4) {
		p = digits(s + 1, 2, &h);
		p = digits(p, 2, &mi);
	} else if (nd == 1 || nd == 2) {
		p = digits(s + 1, (int)nd, &h);
		if (*p == ':' && count_digits(p + 1) == 2)
			p = digits(p + 1, 2, &mi);
	} else
		return NULL;
	if (h > 23 || mi > 59)
		return NULL;
	*off = sign * (h * 60 + mi);
	return p;
}

/* A zone name's offset in minutes east; 0 when w is none. */
static int
zone_name(const char *w, size_t n, int *off)
{
	static const struct {
		const char *name;
		int off;
	} z[] = {
		{ "ut", 0 }, { "utc", 0 }, { "gmt", 0 },
		{ "wet", 0 }, { "west", 60 }, { "bst", 60 },
		{ "cet", 60 }, { "cest", 120 }, { "met", 60 }, { "mest", 120 },
		{ "eet", 120 }, { "eest", 180 },
		{ "est", -300 }, { "edt", -240 }, { "cst", -360 },
		{ "cdt", -300 }, { "mst", -420 }, { "mdt", -360 },
		{ "pst", -480 }, { "pdt", -420 },
	};
	size_t i;

	for (i = 0; i < sizeof(z) / sizeof(z[0]); i++)
		if (word_is(w, n, z[i].name)) {
			*off = z[i].off;
			return 1;
		}
	/* military zones: RFC 5322 4.3 reads them as -0000 (unknown) */
	if (n == 1 && lower((unsigned char)w[0]) != 'j') {
		*off = 0;
		return 1;
	}
	return 0;
}

/* A word at p (n letters); -1 when it has no place in a date. */
static int
email_word(struct edate *e, const char *p, size_t n)
{
	int v;

	if (e->month < 0 && (v = name_index(p, n, month_names, 12)) >= 0)
		e->month = v + 1;
	else if (e->tokens == 0 && name_index(p, n, day_names, 7) >= 0)
		;
	else if (e->hour >= 0 && e->pm < 0 && word_is(p, n, "am"))
		e->pm = 0;
	else if (e->hour >= 0 && e->pm < 0 && word_is(p, n, "pm"))
		e->pm = 1;
	else if (!e->have_name && zone_name(p, n, &v)) {
		e->have_name = 1;
		if (!e->have_off)
			e->off = v;
	} else
		return -1;
	return 0;
}

/* hh:mm[:ss[.frac]] or hh.mm.ss at p; the end, or NULL */
static const char *
email_time(struct edate *e, const char *p)
{
	char sep;

	if (e->hour >= 0 || count_digits(p) > 2)
		return NULL;
	p = digits(p, (int)count_digits(p), &e->hour);
	sep = *p++;
	if (count_digits(p) != 2)
		return NULL;
	p = digits(p, 2, &e->min);
	if (*p == sep && count_digits(p + 1) == 2) {
		p = digits(p + 1, 2, &e->sec);
		if ((*p == '.' || *p == ',') && is_digit((unsigned char)p[1]))
			p += 1 + count_digits(p + 1);
	} else if (sep == '.')
		return NULL;
	return p;
}

/* A token that starts with a digit; the end, or NULL */
static const char *
email_number(struct edate *e, const char *p)
{
	size_t n = count_digits(p), k;
	int v;

	if (n <= 2 && (p[n] == ':' || (p[n] == '.' &&
	    is_digit((unsigned char)p[n + 1]))))
		return email_time(e, p);
	if (n == 4 && p[4] == '-' && is_digit((unsigned char)p[5])) {
		/* ISO 8601: 2025-03-11, maybe T10:02:11 */
		if (e->have_date || e->month >= 0 || e->nnum > 0)
			return NULL;
		p = digits(p, 4, &e->year);
		if ((p = digits(p + 1, 2, &e->month)) == NULL || *p++ != '-' ||
		    (p = digits(p, 2, &e->day)) == NULL ||
		    is_digit((unsigned char)*p))
			return NULL;
		e->ydigits = 4;
		e->have_date = 1;
		if ((*p == 'T' || *p == 't') && is_digit((unsigned char)p[1]))
			return email_time(e, p + 1);
		return p;
	}
	if (n <= 2 && p[n] == '-' && is_alpha((unsigned char)p[n + 1])) {
		/* IMAP's INTERNALDATE and RFC 850: 11-Mar-2025 */
		if (e->have_date || e->month >= 0 || e->nnum > 0)
			return NULL;
		p = digits(p, (int)n, &e->day);
		for (k = 1; is_alpha((unsigned char)p[k]); k++)
			;
		if ((v = name_index(p + 1, k - 1, month_names, 12)) < 0 ||
		    p[k] != '-')
			return NULL;
		e->month = v + 1;
		p += k + 1;
		e->ydigits = (int)count_digits(p);
		if (e->ydigits < 2 || e->ydigits > 4)
			return NULL;
		e->have_date = 1;
		return digits(p, e->ydigits, &e->year);
	}
	if (n > 4 || e->nnum == 2 || e->have_date)
		return NULL;
	e->ndig[e->nnum] = (int)n;
	p = digits(p, (int)n, &e->num[e->nnum++]);
	return p;
}

int
sm_time_parse_email(const char *s, time_t *t)
{
	struct edate e;
	const char *p = s, *q;
	size_t n;

	if (s == NULL)
		return -1;
	memset(&e, 0, sizeof(e));
	e.month = e.day = e.hour = e.pm = -1;
	for (;;) {
		if ((p = skip_cfws(p)) == NULL)
			return -1;
		if (*p == '\0')
			break;
		if (*p == ',') {
			p++;
			continue;
		}
		if (is_alpha((unsigned char)*p)) {
			for (n = 0; is_alpha((unsigned char)p[n]); n++)
				;
			if (email_word(&e, p, n) < 0)
				return -1;
			p += n;
			if (*p == '.')	/* "Mar." */
				p++;
		} else if ((*p == '+' || *p == '-') &&
		    is_digit((unsigned char)p[1])) {
			if (e.have_off || (q = zone_offset(p, &e.off)) == NULL)
				return -1;
			e.have_off = 1;
			p = q;
		} else if (is_digit((unsigned char)*p)) {
			if ((p = email_number(&e, p)) == NULL)
				return -1;
		} else
			return -1;
		e.tokens++;
	}
	if (!e.have_date) {
		/* "11 Mar 2025", "Mar 11 ... 2025", "2025 Mar 11" */
		if (e.month < 0 || e.nnum != 2)
			return -1;
		if (e.ndig[0] >= 3) {
			e.year = e.num[0], e.ydigits = e.ndig[0];
			e.day = e.num[1];
			if (e.ndig[1] > 2)
				return -1;
		} else {
			e.day = e.num[0];
			e.year = e.num[1], e.ydigits = e.ndig[1];
		}
	}
	if (e.ydigits == 2)
		e.year += e.year < 50 ? 2000 : 1900;
	else if (e.ydigits == 3)
		e.year += 1900;
	if (e.hour < 0)
		e.hour = 0;
	if (e.pm >= 0) {
		if (e.hour < 1 || e.hour > 12)
			return -1;
		e.hour = e.hour % 12 + 12 * e.pm;
	}
	if (e.year < 1900 || civil_seconds(e.year, e.month, e.day, e.hour,
	    e.min, e.sec, t) < 0)
		return -1;
	*t -= (time_t)e.off * 60;
	return 0;
}

/* ---- HTTP dates ---- */

/* A name of names at p, exactly its first three letters (abbrev) or all
 * of it; the end, or NULL */
static const char *
http_name(const char *p, const char *const *names, int count, int abbrev,
    int *v)
{
	size_t n;

	for (n = 0; is_alpha((unsigned char)p[n]); n++)
		;
	if ((abbrev && n != 3) || (!abbrev && n == 3) ||
	    (*v = name_index(p, n, names, count)) < 0)
		return NULL;
	return p + n;
}

/* " hh:mm:ss" at p; the end, or NULL */
static const char *
http_time(const char *p, int *h, int *mi, int *sec)
{
	if (*p++ != ' ' || (p = digits(p, 2, h)) == NULL || *p++ != ':' ||
	    (p = digits(p, 2, mi)) == NULL || *p++ != ':')
		return NULL;
	return digits(p, 2, sec);
}

int
sm_time_parse_http(const char *s, time_t *t)
{
	int wd, y, mo, d, h, mi, sec;
	const char *p;
	time_t now;
	int64_t ny;
	int nm, nd;

	if (s == NULL)
		return -1;
	if ((p = http_name(s, day_names, 7, 1, &wd)) != NULL && *p == ',') {
		/* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
		if (*++p != ' ' || (p = digits(p + 1, 2, &d)) == NULL ||
		    *p != ' ' || (p = http_name(p + 1, month_names, 12, 1,
		    &mo)) == NULL || *p != ' ' ||
		    (p = digits(p + 1, 4, &y)) == NULL)
			return -1;
	} else if (p != NULL) {
		/* asctime: Sun Nov  6 08:49:37 1994 */
		if (*p != ' ' || (p = http_name(p + 1, month_names, 12, 1,
		    &mo)) == NULL || *p++ != ' ')
			return -1;
		if (*p == ' ')
			p = digits(p + 1, 1, &d);
		else
			p = digits(p, 2, &d);
		if (p == NULL || (p = http_time(p, &h, &mi, &sec)) == NULL ||
		    *p != ' ' || (p = digits(p + 1, 4, &y)) == NULL ||
		    *p != '\0')
			return -1;
		return civil_seconds(y, mo + 1, d, h, mi, sec, t);
	} else {
		/* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT */
		if ((p = http_name(s, day_names, 7, 0, &wd)) == NULL ||
		    *p++ != ',' || *p != ' ' ||
		    (p = digits(p + 1, 2, &d)) == NULL || *p != '-' ||
		    (p = http_name(p + 1, month_names, 12, 1, &mo)) == NULL ||
		    *p != '-' || (p = digits(p + 1, 2, &y)) == NULL)
			return -1;
		if (sm_time_now(&now, NULL) < 0)
			now = time(NULL);
		sm_time_date(floor_div((int64_t)now, 86400), &ny, &nm, &nd);
		y += (int)(ny - ny % 100);
		if (y > ny + 50)
			y -= 100;
	}
	if ((p = http_time(p, &h, &mi, &sec)) == NULL ||
	    strcmp(p, " GMT") != 0)
		return -1;
	return civil_seconds(y, mo + 1, d, h, mi, sec, t);
}

/* ---- zones ---- */

struct sm_time_zone *
sm_time_zone_open(const char *name, struct sm_error *err)
{
	struct sm_time_zone *z;
	icaltimezone *tz = NULL;

	if (name == NULL || *name == '\0')
		return sm_error_set(err, NULL, 0, 0, "no time zone name"),
		    NULL;
	if (strcmp(name, "UTC") != 0 &&
	    (tz = icaltimezone_get_builtin_timezone(name)) == NULL) {
		icalerror_clear_errno();
		sm_error_set(err, NULL, 0, 0, "unknown time zone '%.200s'",
		    name);
		return NULL;
	}
	z = xmalloc(sizeof(*z));
	z->name = xstrdup(name);
	z->tz = tz;
	return z;
}

void
sm_time_zone_free(struct sm_time_zone *z)
{
	if (z == NULL)
		return;
	free(z->name);
	free(z);
}

const char *
sm_time_zone_name(const struct sm_time_zone *z)
{
	return z ? z->name : "UTC";
}

/* Seconds east of UTC in force at instant t. */
static int
utc_offset(const struct sm_time_zone *z, time_t t)
{
	struct icaltimetype tt;
	int dst;

	if (z == NULL || z->tz == NULL)
		return 0;
	tt = icaltime_from_timet_with_zone(t, 0,
	    icaltimezone_get_utc_timezone());
	return icaltimezone_get_utc_offset_of_utc_time(z->tz, &tt, &dst);
}

void
sm_time_local(const struct sm_time_zone *z, time_t t, struct sm_civil *c)
{
	int64_t local, days, sod, y;

	c->offset = utc_offset(z, t);
	local = (int64_t)t + c->offset;
	days = floor_div(local, 86400);
	sod = local - days * 86400;
	sm_time_date(days, &y, &c->month, &c->day);
	c->year = (int)y;
	c->hour = (int)(sod / 3600);
	c->min = (int)(sod / 60 % 60);
	c->sec = (int)(sod % 60);
	c->wday = sm_time_weekday(days);
}

time_t
sm_time_from_local(const struct sm_time_zone *z, const struct sm_civil *c)
{
	int64_t local;
	int before, after;

	local = sm_time_days(c->year, c->month, 1) * 86400 +
	    (int64_t)(c->day - 1) * 86400 + (int64_t)c->hour * 3600 +
	    (int64_t)c->min * 60 + c->sec;
	/* zones change their offset at most once a day: the offsets a day
	 * before and a day after are the two this time may have */
	before = utc_offset(z, (time_t)(local - 86400));
	after = utc_offset(z, (time_t)(local + 86400));
	if (before == after || utc_offset(z, (time_t)(local - before)) ==
	    before)
		return (time_t)(local - before);	/* also the gap */
	if (utc_offset(z, (time_t)(local - after)) == after)
		return (time_t)(local - after);
	return (time_t)(local - before);
}
