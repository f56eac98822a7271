/* datefmt.c - dates in the citizen's language, for templates */
#include <stdio.h>
#include <string.h>

#include "sm/datefmt.h"
#include "sm/util.h"

static const char *const months[][12] = {
	{ "January", "February", "March", "April", "May", "June", "July",
	  "August", "September", "October", "November", "December" },
	{ "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
	  "agosto", "septiembre", "octubre", "noviembre", "diciembre" },
	{ "gener", "febrer", "març", "abril", "maig", "juny", "juliol",
	  "agost", "setembre", "octubre", "novembre", "desembre" },
	{ "urtarrilaren", "otsailaren", "martxoaren", "apirilaren",
	  "maiatzaren", "ekainaren", "uztailaren", "abuztuaren",
	  "irailaren", "urriaren", "azaroaren", "abenduaren" },
	{ "xaneiro", "febreiro", "marzo", "abril", "maio", "xuño", "xullo",
	  "agosto", "setembro", "outubro", "novembro", "decembro" },
};

enum { EN, ES, CA, EU, GL };

static int
lang_index(const char *lang)
{
	static const char *const names[] = { "en", "es", "ca", "eu", "gl" };
	int i;

	for (i = 0; i < 5; i++)
		if (strcmp(lang, names[i]) == 0)
			return i;
	return EN;
}

static void
date(int l, const struct sm_civil *c, struct sm_buf *out)
{
	const char *m = months[l][c->month - 1];
	char b[96];

	switch (l) {
	case ES:
	case GL:
		snprintf(b, sizeof(b), "%d de %s de %d", c->day, m, c->year);
		break;
	case CA:
		/* d'abril, d'octubre, d'agost: elision before a vowel */
		snprintf(b, sizeof(b), "%d %s%s de %d", c->day,
		    strchr("aeiou", m[0]) ? "d'" : "de ", m, c->year);
		break;
	case EU:
		snprintf(b, sizeof(b), "%dko %s %da", c->year, m, c->day);
		break;
	default:
		snprintf(b, sizeof(b), "%d %s %d", c->day, m, c->year);
		break;
	}
	sm_buf_adds(out, b);
}

void
sm_datefmt_append(const struct sm_datefmt *f, const char *which, time_t t,
    struct sm_buf *out)
{
	struct sm_civil c;
	char b[16];
	int l = lang_index(f->lang);

	sm_time_local(f->zone, t, &c);
	if (strcmp(which, "time") != 0)
		date(l, &c, out);
	if (strcmp(which, "datetime") == 0)
		sm_buf_adds(out, ", ");
	if (strcmp(which, "date") != 0) {
		snprintf(b, sizeof(b), "%02d:%02d", c.hour, c.min);
		sm_buf_adds(out, b);
	}
}

static int
format(const char *which, void *arg, const json_t *value, struct sm_buf *out,
    struct sm_error *err)
{
	time_t t;

	if (!json_is_string(value) ||
	    sm_time_parse(json_string_value(value), &t) < 0)
		return sm_error_set(err, NULL, 0, 0, "%s: not a timestamp",
		    which);
	sm_datefmt_append(arg, which, t, out);
	return 0;
}

static int
fmt_date(void *arg, const json_t *v, struct sm_buf *out, struct sm_error *e)
{
	return format("date", arg, v, out, e);
}

static int
fmt_time(void *arg, const json_t *v, struct sm_buf *out, struct sm_error *e)
{
	return format("time", arg, v, out, e);
}

static int
fmt_datetime(void *arg, const json_t *v, struct sm_buf *out,
    struct sm_error *e)
{
	return format("datetime", arg, v, out, e);
}

size_t
sm_datefmt_formatters(struct sm_datefmt *f,
    struct sm_template_formatter fmts[3])
{
	fmts[0] = (struct sm_template_formatter){ "date", fmt_date, f };
	fmts[1] = (struct sm_template_formatter){ "time", fmt_time, f };
	fmts[2] = (struct sm_template_formatter){ "datetime", fmt_datetime,
	    f };
	return 3;
}
