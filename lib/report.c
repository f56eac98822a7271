/* report.c - sm-report's figures: volumes, response times, deadlines */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sm/calendar.h"
#include "sm/cond.h"
#include "sm/config.h"
#include "sm/jsonl.h"
#include "sm/pick.h"
#include "sm/report.h"
#include "sm/stats.h"
#include "sm/terms.h"
#include "sm/text.h"
#include "sm/time.h"
#include "sm/util.h"

#define MAX_COMMITMENTS 32	/* a bit each in a case */
#define MIX_VALUES 200		/* a mix's values kept; the others, "other" */
#define SAMPLES 100		/* --topic: messages kept to choose examples */
#define SAMPLE_BYTES 600	/* of each, at most */
#define EXAMPLES 3
#define EXAMPLE_TERMS 30	/* the terms an example is scored by */
#define SEP '\x1f'		/* between the values of a group's key */

const double sm_report_bucket_edges[SM_REPORT_NBUCKETS - 1] = {
	3600, 4 * 3600, 8 * 3600, 24 * 3600
};
const char *const sm_report_bucket_names[SM_REPORT_NBUCKETS] = {
	"<1h", "1-4h", "4-8h", "8-24h", ">24h"
};
const char *const sm_report_mix_fields[SM_REPORT_NMIX] = {
	"platform", "classify.category", "classify.sentiment", "classify.topic"
};
const char *const sm_report_mix_names[SM_REPORT_NMIX] = {
	"channel", "type", "sentiment", "topic"
};
const char *const sm_report_age_names[SM_REPORT_NAGES] = {
	"<1d", "1-3d", "3-7d", "7-30d", ">30d"
};
static const double age_edges[SM_REPORT_NAGES - 1] = {
	86400, 3 * 86400, 7 * 86400, 30 * 86400
};

/* A string-keyed chained hash table. */
struct slot {
	char *key;
	size_t len;
	unsigned long hash;
	void *value;
	struct slot *next;
};

struct table {
	struct slot **b;
	size_t nb, n;
};

struct group {
	struct sm_report_group pub;
	size_t nvalues;
	char **values;
	char *period;
	struct sm_sample time, business, ack;
};

struct entry {
	char *id;
	char *case_no;
	const char *queue, *category, *topic, *platform, *kind;	/* interned */
	const struct sm_calendar *cal;
	struct group *group;
	time_t opened, answered, acked, due;
	uint32_t commit;	/* the commitments that apply */
	unsigned question:1, by_hand:1;
};

struct commitment {
	struct sm_report_commitment pub;
	char *text;
	struct sm_cond *cond;
	enum sm_sla kind;
	double n;
	const struct sm_calendar *cal;	/* NULL: the case's */
};

struct mix {
	struct sm_report_count *v;
	size_t n;
};

struct queue_cal {
	const char *name;	/* borrowed from the configuration */
	const struct sm_calendar *cal;
};

struct sm_report {
	const struct sm_config *cfg;
	const struct sm_calendar *cal;	/* report.calendar, else route's */
	const struct sm_calendar *route_cal;
	struct queue_cal *queues;
	size_t nqueues;
	char **fields;
	size_t nfields;
	enum sm_report_by by;
	struct sm_cond **where;
	size_t nwhere;
	json_t *where_nodes;	/* what -w FIELD=VALUE compiled from */
	struct commitment *commits;
	size_t ncommits;
	struct sm_report_summary sum;

	struct table strings;	/* interned low-cardinality strings */
	struct table groups;
	struct table open;	/* id -> struct entry */
	uint64_t *done;		/* hashes of ids decided, open addressing */
	uint16_t *done_day;	/* the day of each one's message */
	size_t ndone, capdone;
	uint16_t newest_day;	/* of the newest message read */
	int any_day;

	struct sm_buf key;	/* scratch */
	sm_report_case_fn on_case;
	void *on_case_arg;

	/* after sm_report_end */
	struct group **sorted;
	size_t nsorted;
	struct group total;
	struct sm_report_backlog *backlog;
	size_t nbacklog;
	struct sm_report_case *overdue;
	size_t noverdue;
	struct entry **late;	/* the entries behind overdue */

	struct sm_report *prev;	/* the period before, with --since */
	struct mix mix[SM_REPORT_NMIX];
	struct sm_terms *terms;
	char *topic;		/* --topic */
	int topic_cls, rest_cls;
	struct sm_text text;	/* scratch, for hashtags */
	struct sm_buf fold;
	char **samples;		/* --topic: some of its messages */
	size_t nsamples, topic_seen;
	uint64_t rng;
	char **examples;
	size_t nexamples;
	int no_terms;
};

/* ------------------------------------------------------------------ */
/* Tables */

static struct slot *
table_find(const struct table *t, const char *key, size_t n,
    unsigned long h)
{
	struct slot *s;

	if (t->nb == 0)
		return NULL;
	for (s = t->b[h % t->nb]; s; s = s->next)
		if (s->hash == h && s->len == n &&
		    memcmp(s->key, key, n) == 0)
			return s;
	return NULL;
}

static struct slot *
table_add(struct table *t, const char *key, size_t n, unsigned long h,
    void *value)
{
	struct slot *s = xmalloc(sizeof(*s));

	if (t->n >= t->nb) {
		size_t nb = t->nb ? 2 * t->nb : 64;
		struct slot **b = xcalloc(nb, sizeof(*b));

		for (size_t i = 0; i < t->nb; i++)
			while (t->b[i]) {
				struct slot *x = t->b[i];

				t->b[i] = x->next;
				x->next = b[x->hash % nb];
				b[x->hash % nb] = x;
			}
		free(t->b);
		t->b = b;
		t->nb = nb;
	}
	s->key = xmalloc(n + 1);
	memcpy(s->key, key, n);
	s->key[n] = '\0';
	s->len = n;
	s->hash = h;
	s->value = value;
	s->next = t->b[h % t->nb];
	t->b[h % t->nb] = s;
	t->n++;
	return s;
}

static void
table_remove(struct table *t, struct slot *gone)
{
	struct slot **p = &t->b[gone->hash % t->nb];

	while (*p != gone)
		p = &(*p)->next;
	*p = gone->next;
	free(gone->key);
	free(gone);
	t->n--;
}

static void
table_free(struct table *t, void (*free_value)(void *))
{
	for (size_t i = 0; i < t->nb; i++)
		while (t->b[i]) {
			struct slot *x = t->b[i];

			t->b[i] = x->next;
			if (free_value)
				free_value(x->value);
			free(x->key);
			free(x);
		}
	free(t->b);
	memset(t, 0, sizeof(*t));
}

static const char *
intern(struct sm_report *r, const char *s)
{
	struct slot *x;
	unsigned long h;
	size_t n;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	h = sm_hash(s, n);
	if ((x = table_find(&r->strings, s, n, h)) == NULL)
		x = table_add(&r->strings, s, n, h, NULL);
	return x->key;
}

/*
 * The ids decided, so that a copy read again is not counted again: a
 * 64-bit hash and the day of the message, 0 standing for an empty place.
 * A copy carries its message's created_at; one more than REPEAT_DAYS
 * older than the newest message read is not looked for, so those ids are
 * forgotten when the table would grow, and so are the answers whose
 * message has not come: memory follows the traffic of three months (the
 * longest time the law gives an administration to answer), not the
 * length of the archive.
 */
#define REPEAT_DAYS 92

/* Days are kept modulo 2^16 (179 years): only their distance counts. */
static uint16_t
day_of(time_t t)
{
	return (uint16_t)((t - (t < 0 ? 86399 : 0)) / 86400);
}

static uint64_t
id_hash(const char *id)
{
	uint64_t h = sm_hash(id, strlen(id));

	return h ? h : 1;
}

static int
done_has(const struct sm_report *r, uint64_t h)
{
	size_t i;

	if (r->capdone == 0)
		return 0;
	for (i = h & (r->capdone - 1); r->done[i]; i = (i + 1) &
	    (r->capdone - 1))
		if (r->done[i] == h)
			return 1;
	return 0;
}

static void
done_put(uint64_t *d, uint16_t *day, size_t cap, uint64_t h, uint16_t dd)
{
	size_t i;

	for (i = h & (cap - 1); d[i]; i = (i + 1) & (cap - 1))
		;
	d[i] = h;
	day[i] = dd;
}

static void free_entry(void *p);

static int
too_old(const struct sm_report *r, uint16_t day)
{
	return r->any_day && (int16_t)(r->newest_day - day) > REPEAT_DAYS;
}

/*
 * Forgets what is too old to be read again; grows the table when that
 * leaves it more than a quarter full, shrinks it when less than an
 * eighth, so that it stays a quarter to a half full.
 */
static void
forget_old(struct sm_report *r)
{
	size_t live = 0, cap = r->capdone ? r->capdone : 1024, i;
	uint64_t *keep;
	uint16_t *keep_day;

	/* the live ids, set aside (at most half the table), so that the
	 * old table is gone before the new one is made */
	for (i = 0; i < r->capdone; i++)
		if (r->done[i] && !too_old(r, r->done_day[i]))
			live++;
	keep = xcalloc(live + 1, sizeof(*keep));
	keep_day = xcalloc(live + 1, sizeof(*keep_day));
	for (i = 0, live = 0; i < r->capdone; i++)
		if (r->done[i] && !too_old(r, r->done_day[i])) {
			keep[live] = r->done[i];
			keep_day[live++] = r->done_day[i];
		}
	while (live > cap / 4)
		cap *= 2;
	while (cap > 1024 && 8 * (live + 1) < cap)
		cap /= 2;
	free(r->done);
	free(r->done_day);
	r->done = xcalloc(cap, sizeof(*r->done));
	r->done_day = xcalloc(cap, sizeof(*r->done_day));
	r->capdone = cap;
	for (i = 0; i < live; i++)
		done_put(r->done, r->done_day, cap, keep[i], keep_day[i]);
	r->ndone = live;
	free(keep);
	free(keep_day);
	/* answers whose message has not come */
	for (i = 0; i < r->open.nb; i++) {
		struct slot **p = &r->open.b[i];

		while (*p) {
			struct slot *x = *p;
			struct entry *e = x->value;

			if (e->question || !too_old(r, day_of(e->answered))) {
				p = &x->next;
				continue;
			}
			*p = x->next;
			free_entry(e);
			free(x->key);
			free(x);
			r->open.n--;
			r->sum.orphans++;
		}
	}
}

static void
done_add(struct sm_report *r, uint64_t h, time_t created)
{
	if (done_has(r, h))
		return;
	if (2 * (r->ndone + 1) > r->capdone)
		forget_old(r);
	done_put(r->done, r->done_day, r->capdone, h, day_of(created));
	r->ndone++;
}

/* ------------------------------------------------------------------ */
/* Configuration */

int
sm_report_parse_time(const char *s, const struct sm_time_zone *zone,
    time_t now, int end, time_t *t)
{
	struct sm_civil c;
	char *unit;
	long n;
	int y, m, d;
	char extra;

	if (s == NULL || *s == '\0')
		return -1;
	if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) == 3 &&
	    strlen(s) == 10) {
		if (m < 1 || m > 12 || d < 1 ||
		    d > sm_time_days_in_month(y, m))
			return -1;
		memset(&c, 0, sizeof(c));
		c.year = y;
		c.month = m;
		c.day = d + (end ? 1 : 0);
		*t = sm_time_from_local(zone, &c);
		return 0;
	}
	if (sm_time_parse(s, t) == 0)
		return 0;
	errno = 0;
	n = strtol(s, &unit, 10);
	if (errno || unit == s || n < 0 || n > 100000 || s[0] == '-' ||
	    s[0] == '+' || unit[0] == '\0' || unit[1] != '\0')
		return -1;
	switch (*unit) {
	case 'd':
		*t = now - (time_t)n * 86400;
		return 0;
	case 'w':
		*t = now - (time_t)n * 7 * 86400;
		return 0;
	case 'm':
	case 'y':
		sm_time_local(zone, now, &c);
		if (*unit == 'y')
			n *= 12;
		c.month -= (int)(n % 12);
		c.year -= (int)(n / 12);
		if (c.month < 1) {
			c.month += 12;
			c.year--;
		}
		if (c.day > sm_time_days_in_month(c.year, c.month))
			c.day = sm_time_days_in_month(c.year, c.month);
		*t = sm_time_from_local(zone, &c);
		return 0;
	}
	return -1;
}

static const struct sm_calendar *
calendar_named(const struct sm_config *cfg, const struct sm_calendars *cals,
    const json_t *node, const char *where, struct sm_error *err)
{
	const struct sm_calendar *cal;

	if (!json_is_string(node)) {
		sm_config_error(cfg, node, err, "%s: expected the name of a "
		    "calendar", where);
		return NULL;
	}
	if ((cal = sm_calendars_get(cals, json_string_value(node))) == NULL)
		sm_config_error(cfg, node, err, "%s: no calendar '%s' in "
		    "calendars", where, json_string_value(node));
	return cal;
}

/* route.calendar and each queue's calendar, as sm-route counts them. */
static int
load_route_calendars(struct sm_report *r, const struct sm_calendars *cals,
    struct sm_error *err)
{
	json_t *route = sm_config_section(r->cfg, "route"), *v, *queues;
	const char *name;

	if (!json_is_object(route))
		return 0;
	if ((v = json_object_get(route, "calendar")) != NULL &&
	    (r->route_cal = calendar_named(r->cfg, cals, v, "route.calendar",
	    err)) == NULL)
		return -1;
	queues = json_object_get(route, "queues");
	if (!json_is_object(queues))
		return 0;
	r->queues = xcalloc(json_object_size(queues), sizeof(*r->queues));
	json_object_foreach(queues, name, v) {
		struct queue_cal *q = &r->queues[r->nqueues++];
		json_t *c = json_is_object(v) ? json_object_get(v, "calendar") :
		    NULL;

		q->name = name;
		q->cal = r->route_cal;
		if (c && (q->cal = calendar_named(r->cfg, cals, c,
		    "route.queues.calendar", err)) == NULL)
			return -1;
	}
	return 0;
}

static int
load_commitment(struct sm_report *r, const struct sm_calendars *cals,
    json_t *node, size_t i, struct sm_error *err)
{
	static const char *const keys[] = { "name", "text", "within",
	    "target", "calendar", "when", "all", "any", "none", NULL };
	struct commitment *c = &r->commits[i];
	const char *name = NULL, *within = NULL, *text = NULL;
	char where[300];
	double target = NAN;
	json_t *v;

	sm_config_item_where(node, "report.commitments", i, where,
	    sizeof(where));
	if (sm_config_check_keys(r->cfg, node, where, keys, err) < 0 ||
	    sm_config_get_string(r->cfg, node, "name", where, &name,
	    err) < 0 ||
	    sm_config_get_string(r->cfg, node, "within", where, &within,
	    err) < 0 ||
	    sm_config_get_string(r->cfg, node, "text", where, &text,
	    err) < 0 ||
	    sm_config_get_number(r->cfg, node, "target", where, 0, 100,
	    &target, err) < 0)
		return -1;
	if (name == NULL || within == NULL)
		return sm_config_error(r->cfg, node, err, "%s: a commitment "
		    "needs a name and within", where);
	v = json_object_get(node, "within");
	if (sm_sla_parse(within, &c->kind, &c->n) < 0)
		return sm_config_error(r->cfg, v, err, "%s.within: expected N "
		    "hours, N days, N business hours or N business days",
		    where);
	if ((v = json_object_get(node, "calendar")) != NULL &&
	    (c->cal = calendar_named(r->cfg, cals, v, where, err)) == NULL)
		return -1;
	if (c->kind != SM_SLA_HOURS && c->cal == NULL && r->cal == NULL &&
	    r->route_cal == NULL && r->nqueues == 0)
		return sm_config_error(r->cfg, json_object_get(node, "within"),
		    err, "%s.within: business time is counted on a calendar: "
		    "give report.calendar or the commitment's", where);
	if ((c->cond = sm_cond_compile(r->cfg, node, where, 1, err)) == NULL)
		return -1;
	c->pub.name = name;
	if (text == NULL) {
		struct sm_buf b = { 0 };

		sm_buf_adds(&b, "answered within ");
		sm_buf_adds(&b, within);
		c->text = b.data;
	} else
		c->text = xstrdup(text);
	c->pub.text = c->text;
	c->pub.target = target;
	return 0;
}

static int
load_section(struct sm_report *r, const struct sm_calendars *cals,
    struct sm_error *err)
{
	static const char *const keys[] = { "calendar", "filters",
	    "commitments", NULL };
	json_t *sec = sm_config_section(r->cfg, "report"), *v;

	if (sec == NULL)
		return 0;
	if (sm_config_check_keys(r->cfg, sec, "report", keys, err) < 0)
		return -1;
	if ((v = json_object_get(sec, "calendar")) != NULL &&
	    (r->cal = calendar_named(r->cfg, cals, v, "report.calendar",
	    err)) == NULL)
		return -1;
	if ((v = json_object_get(sec, "filters")) != NULL) {
		const char *name;
		json_t *f;

		if (!json_is_object(v))
			return sm_config_error(r->cfg, v, err, "report.filters:"
			    " expected a mapping of names to conditions");
		json_object_foreach(v, name, f) {
			static const char *const fkeys[] = { "when", "all",
			    "any", "none", NULL };
			char where[300];
			struct sm_cond *c;

			snprintf(where, sizeof(where), "report.filters.%.200s",
			    name);
			if (sm_config_check_keys(r->cfg, f, where, fkeys,
			    err) < 0 ||
			    (c = sm_cond_compile(r->cfg, f, where, 0, err)) ==
			    NULL)
				return -1;
			sm_cond_free(c);	/* checked; compiled again by -w */
		}
	}
	if ((v = json_object_get(sec, "commitments")) != NULL) {
		if (!json_is_array(v) || json_array_size(v) > MAX_COMMITMENTS)
			return sm_config_error(r->cfg, v, err,
			    "report.commitments: expected a list of at most %d "
			    "commitments", MAX_COMMITMENTS);
		r->commits = xcalloc(json_array_size(v) + 1,
		    sizeof(*r->commits));
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (load_commitment(r, cals, json_array_get(v, i), i,
			    err) < 0) {
				r->ncommits = i + 1;
				return -1;
			}
			r->ncommits = i + 1;
		}
	}
	return 0;
}

/* -w NAME, -w FIELD=VALUE, -w FIELD!=VALUE */
static int
compile_where(struct sm_report *r, const char *arg, struct sm_error *err)
{
	json_t *filters = json_object_get(sm_config_section(r->cfg, "report"),
	    "filters"), *node, *test;
	const char *eq = strchr(arg, '=');
	struct sm_cond *c;
	char *field;
	int ne;

	if (eq == NULL) {
		node = json_object_get(filters, arg);
		if (node == NULL)
			return sm_error_set(err, NULL, 0, 0, "-w %s: no filter "
			    "'%s' in report.filters, and not FIELD=VALUE", arg,
			    arg);
		c = sm_cond_compile(r->cfg, node, arg, 0, err);
	} else {
		ne = eq > arg && eq[-1] == '!';
		field = xstrndup(arg, (size_t)(eq - arg - ne));
		if (*field == '\0') {
			free(field);
			return sm_error_set(err, NULL, 0, 0, "-w %s: expected "
			    "FIELD=VALUE", arg);
		}
		test = json_string(eq + 1);
		if (test == NULL) {
			free(field);
			return sm_error_set(err, NULL, 0, 0, "-w %s: not UTF-8",
			    arg);
		}
		if (ne)
			test = json_pack("{s:o}", "ne", test);
		node = json_pack("{s:{s:o}}", "when", field, test);
		free(field);
		json_array_append_new(r->where_nodes, node);
		c = sm_cond_compile(r->cfg, node, "-w", 0, err);
	}
	if (c == NULL)
		return -1;
	r->where[r->nwhere++] = c;
	return 0;
}

struct sm_report *
sm_report_new(const struct sm_config *cfg, const struct sm_calendars *cals,
    const struct sm_report_options *opt, struct sm_error *err)
{
	struct sm_report *r = xcalloc(1, sizeof(*r));
	const struct sm_time_zone *zone;

	r->cfg = cfg;
	r->by = opt->by;
	r->sum.now = opt->now;
	r->where_nodes = json_array();
	if (load_route_calendars(r, cals, err) < 0 ||
	    load_section(r, cals, err) < 0)
		goto fail;
	if (r->cal == NULL)
		r->cal = r->route_cal;
	zone = sm_report_zone(r);
	r->sum.zone = zone ? sm_time_zone_name(zone) : "UTC";
	r->fields = xcalloc(opt->ngroup + 1, sizeof(*r->fields));
	for (size_t i = 0; i < opt->ngroup; i++)
		r->fields[r->nfields++] = xstrdup(opt->group[i]);
	r->where = xcalloc(opt->nwhere + 1, sizeof(*r->where));
	for (size_t i = 0; i < opt->nwhere; i++)
		if (compile_where(r, opt->where[i], err) < 0)
			goto fail;
	if (opt->since) {
		if (sm_report_parse_time(opt->since, zone, opt->now, 0,
		    &r->sum.since) < 0) {
			sm_error_set(err, NULL, 0, 0, "--since %s: expected a "
			    "date, a time or an age (7d, 2w, 1m, 1y)",
			    opt->since);
			goto fail;
		}
		r->sum.has_since = 1;
	}
	if (opt->until) {
		if (sm_report_parse_time(opt->until, zone, opt->now, 1,
		    &r->sum.until) < 0) {
			sm_error_set(err, NULL, 0, 0, "--until %s: expected a "
			    "date, a time or an age (7d, 2w, 1m, 1y)",
			    opt->until);
			goto fail;
		}
		r->sum.has_until = 1;
	}
	r->terms = sm_terms_new(0);
	r->no_terms = opt->no_terms;
	r->rng = 0x9e3779b97f4a7c15ULL;
	if (opt->topic) {
		if (*opt->topic == '\0' || strcmp(opt->topic, "#") == 0) {
			sm_error_set(err, NULL, 0, 0, "--topic: expected a "
			    "topic (classify.topic) or a #hashtag");
			goto fail;
		}
		r->topic = xstrdup(opt->topic);
		r->topic_cls = sm_terms_class(r->terms, "topic");
		r->rest_cls = sm_terms_class(r->terms, "rest");
		if (opt->topic[0] == '#')
			sm_text_fold(&r->fold, opt->topic + 1,
			    strlen(opt->topic + 1));
	}
	if (r->sum.has_since && !opt->no_previous) {
		struct sm_report_options po = *opt;
		time_t until = r->sum.has_until ? r->sum.until : opt->now;

		po.ngroup = 0;
		po.by = SM_REPORT_ALL;
		po.since = po.until = NULL;
		po.no_previous = 1;
		if (until > r->sum.since) {
			if ((r->prev = sm_report_new(cfg, cals, &po, err)) ==
			    NULL)
				goto fail;
			r->prev->sum.has_since = r->prev->sum.has_until = 1;
			r->prev->sum.since = r->sum.since - (until -
			    r->sum.since);
			r->prev->sum.until = r->sum.since;
		}
	}
	return r;
fail:
	sm_report_free(r);
	return NULL;
}

const struct sm_time_zone *
sm_report_zone(const struct sm_report *r)
{
	return r->cal ? sm_calendar_zone(r->cal) : NULL;
}

void
sm_report_on_case(struct sm_report *r, sm_report_case_fn fn, void *arg)
{
	r->on_case = fn;
	r->on_case_arg = arg;
}

/* ------------------------------------------------------------------ */
/* Records */

static void
free_entry(void *p)
{
	struct entry *e = p;

	if (e == NULL)
		return;
	/* e->id is the key of the table's slot, freed with it */
	free(e->case_no);
	free(e);
}

static void
free_group(void *p)
{
	struct group *g = p;

	if (g == NULL)
		return;
	for (size_t i = 0; i < g->nvalues; i++)
		free(g->values[i]);
	free(g->values);
	free(g->period);
	sm_sample_free(&g->time);
	sm_sample_free(&g->business);
	sm_sample_free(&g->ack);
	free(g);
}

/* A field's value as a group shows it; NULL when missing or null. */
static void
add_value(struct sm_buf *b, json_t *v)
{
	char num[64];
	size_t i;

	switch (json_typeof(v)) {
	case JSON_STRING:
		/* SEP ends a value in a group's key */
		for (i = 0; i < json_string_length(v); i++) {
			char ch = json_string_value(v)[i];

			sm_buf_addc(b, ch == SEP ? ' ' : ch);
		}
		break;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		sm_buf_adds(b, num);
		break;
	case JSON_REAL:
		snprintf(num, sizeof(num), "%.15g", json_real_value(v));
		sm_buf_adds(b, num);
		break;
	case JSON_TRUE:
		sm_buf_adds(b, "true");
		break;
	case JSON_FALSE:
		sm_buf_adds(b, "false");
		break;
	case JSON_ARRAY:
		for (i = 0; i < json_array_size(v); i++) {
			if (i)
				sm_buf_addc(b, ',');
			add_value(b, json_array_get(v, i));
		}
		break;
	default:
		sm_json_append(b, v);
		break;
	}
}

static void
period_of(const struct sm_report *r, time_t t, struct sm_buf *b)
{
	struct sm_civil c;
	char s[32];

	sm_time_local(sm_report_zone(r), t, &c);
	if (r->by == SM_REPORT_DAY)
		snprintf(s, sizeof(s), "%04d-%02d-%02d", c.year, c.month,
		    c.day);
	else if (r->by == SM_REPORT_MONTH)
		snprintf(s, sizeof(s), "%04d-%02d", c.year, c.month);
	else {
		int64_t d = sm_time_days(c.year, c.month, c.day);
		int64_t thu = d - (sm_time_weekday(d) + 6) % 7 + 3, y;
		int m, dd;

		sm_time_date(thu, &y, &m, &dd);
		snprintf(s, sizeof(s), "%04d-W%02d", (int)y,
		    (int)((thu - sm_time_days(y, 1, 1)) / 7 + 1));
	}
	sm_buf_adds(b, s);
}

static struct group *
group_of(struct sm_report *r, json_t *rec, time_t created)
{
	struct group *g;
	struct slot *s;
	unsigned long h;
	size_t i, start;

	/* each value is marked present (P) or missing (M), then SEP */
	sm_buf_reset(&r->key);
	sm_buf_add(&r->key, "", 0);
	for (i = 0; i < r->nfields; i++) {
		json_t *v = sm_record_get(rec, r->fields[i]);

		if (v == NULL || json_is_null(v))
			sm_buf_addc(&r->key, 'M');
		else {
			sm_buf_addc(&r->key, 'P');
			add_value(&r->key, v);
		}
		sm_buf_addc(&r->key, SEP);
	}
	if (r->by != SM_REPORT_ALL)
		period_of(r, created, &r->key);
	h = sm_hash(r->key.data, r->key.len);
	if ((s = table_find(&r->groups, r->key.data, r->key.len, h)) != NULL)
		return s->value;
	g = xcalloc(1, sizeof(*g));
	g->nvalues = r->nfields;
	g->values = xcalloc(r->nfields + 1, sizeof(*g->values));
	for (i = 0, start = 0; i < r->nfields; i++) {
		const char *end = memchr(r->key.data + start, SEP,
		    r->key.len - start);

		if (r->key.data[start] == 'P')
			g->values[i] = xstrndup(r->key.data + start + 1,
			    (size_t)(end - r->key.data) - start - 1);
		start = (size_t)(end - r->key.data) + 1;
	}
	g->pub.values = (const char *const *)g->values;
	if (r->by != SM_REPORT_ALL)
		g->period = xstrdup(r->key.data + start);
	g->pub.period = g->period;
	table_add(&r->groups, r->key.data, r->key.len, h, g);
	return g;
}

static int
get_time(json_t *o, const char *key, time_t *t)
{
	const char *s = sm_json_str(o, key);

	return s && sm_time_parse(s, t) == 0 ? 0 : -1;
}

static struct entry *
entry_get(struct sm_report *r, const char *id, int create)
{
	size_t n = strlen(id);
	unsigned long h = sm_hash(id, n);
	struct slot *s = table_find(&r->open, id, n, h);
	struct entry *e;

	if (s || !create)
		return s ? s->value : NULL;
	e = xcalloc(1, sizeof(*e));
	s = table_add(&r->open, id, n, h, e);
	e->id = s->key;
	return e;
}

/* Forgets an open entry (the id is kept as decided, with the time of
 * its message). */
static void
entry_drop(struct sm_report *r, struct entry *e, time_t created)
{
	size_t n = strlen(e->id);
	unsigned long h = sm_hash(e->id, n);
	struct slot *s = table_find(&r->open, e->id, n, h);

	done_add(r, id_hash(e->id), created);
	table_remove(&r->open, s);
	free_entry(e);
}

static void
take_answer(struct entry *e, time_t t, int by_hand)
{
	if (e->answered == 0 || t < e->answered) {
		e->answered = t;
		e->by_hand = by_hand;
	}
}

/* reply.status sent: an answer, or with reply.auto an acknowledgement. */
static void
take_reply(struct entry *e, json_t *rec)
{
	json_t *reply = json_object_get(rec, "reply");
	const char *status = sm_json_str(reply, "status");
	time_t t;

	if (status == NULL || strcmp(status, "sent") != 0 ||
	    get_time(reply, "sent_at", &t) < 0)
		return;
	if (json_is_true(json_object_get(reply, "auto"))) {
		if (e->acked == 0 || t < e->acked)
			e->acked = t;
	} else
		take_answer(e, t, 0);
}

static void
to_case(const struct entry *e, struct sm_report_case *c)
{
	c->id = e->id;
	c->case_no = e->case_no;
	c->queue = e->queue;
	c->category = e->category;
	c->topic = e->topic;
	c->platform = e->platform;
	c->kind = e->kind;
	c->opened = e->opened;
	c->answered = e->answered;
	c->acked = e->acked;
	c->due = e->due;
	c->by_hand = e->by_hand;
}

static const struct sm_calendar *
commitment_cal(const struct commitment *c, const struct entry *e)
{
	return c->cal ? c->cal : e->cal;
}

/* The figures of a case decided: answered, or open at the end. */
static void
settle(struct sm_report *r, struct entry *e)
{
	struct group *g = e->group;
	struct sm_report_case c;

	if (e->acked) {
		g->pub.acked++;
		r->sum.acked++;
		sm_sample_add(&g->ack, e->acked > e->opened ?
		    (double)(e->acked - e->opened) : 0);
	}
	if (e->answered) {
		double secs = e->answered > e->opened ?
		    (double)(e->answered - e->opened) : 0;

		g->pub.answered++;
		r->sum.answered++;
		sm_sample_add(&g->time, secs);
		if (e->cal) {
			int64_t b = sm_calendar_business_seconds(e->cal,
			    e->opened, e->answered);

			sm_sample_add(&g->business, b > 0 ? (double)b : 0);
		}
		if (e->due) {
			g->pub.with_due++;
			if (e->answered <= e->due)
				g->pub.in_time++;
		}
	} else {
		g->pub.open++;
		r->sum.open++;
		if (e->due && e->due < r->sum.now) {
			g->pub.with_due++;
			g->pub.overdue++;
		} else if (e->due)
			g->pub.pending++;
	}
	for (size_t i = 0; i < r->ncommits; i++) {
		struct commitment *cm = &r->commits[i];
		const struct sm_calendar *cal = commitment_cal(cm, e);
		time_t limit;

		if (!(e->commit & (1u << i)))
			continue;
		if ((cm->kind != SM_SLA_HOURS && cal == NULL) ||
		    sm_calendar_deadline(cal, cm->kind, cm->n, e->opened,
		    &limit, NULL) < 0)
			continue;
		if (e->answered) {
			cm->pub.total++;
			if (e->answered <= limit)
				cm->pub.met++;
		} else if (limit < r->sum.now)
			cm->pub.total++;
		else
			cm->pub.pending++;
	}
	if (r->on_case) {
		to_case(e, &c);
		r->on_case(&c, r->on_case_arg);
	}
}

static int
answer(struct sm_report *r, const char *id, time_t t)
{
	struct entry *e = entry_get(r, id, 0);

	if (e == NULL) {
		if (done_has(r, id_hash(id)))
			return 0;
		e = entry_get(r, id, 1);
	}
	take_answer(e, t, 1);
	if (e->question) {
		settle(r, e);
		entry_drop(r, e, e->opened);
	}
	return 0;
}

static int
kept(struct sm_report *r, json_t *rec, time_t created)
{
	if (r->sum.has_since && created < r->sum.since)
		return 0;
	if (r->sum.has_until && created >= r->sum.until)
		return 0;
	for (size_t i = 0; i < r->nwhere; i++)
		if (!sm_cond_holds(r->where[i], rec))
			return 0;
	return 1;
}

static const char *
rec_str(json_t *rec, const char *path)
{
	json_t *v = sm_record_get(rec, path);

	return json_string_value(v);
}

/* ------------------------------------------------------------------ */
/* What the messages are, and what they say */

static void
mix_add(struct mix *m, const char *value)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->v[i].value == value)	/* interned */
			break;
	if (i == m->n) {
		if (m->n == MIX_VALUES) {
			/* past the maximum: the last place is "other" */
			i = m->n - 1;
			m->v[i].value = "other";
		} else {
			m->v = xreallocarray(m->v, m->n + 1, sizeof(*m->v));
			memset(&m->v[m->n], 0, sizeof(*m->v));
			m->v[m->n++].value = value;
		}
	}
	m->v[i].n++;
}

static int
cmp_count(const void *pa, const void *pb)
{
	const struct sm_report_count *a = pa, *b = pb;

	if (a->n != b->n)
		return a->n < b->n ? 1 : -1;
	if (a->value == NULL || b->value == NULL)
		return (a->value == NULL) - (b->value == NULL);
	return strcmp(a->value, b->value);
}

/* --topic: its classify.topic, or its hashtag in the text. */
static int
topic_holds(struct sm_report *r, json_t *rec, const char *text, size_t n)
{
	const char *topic = rec_str(rec, "classify.topic");
	size_t i;

	if (r->topic[0] != '#')
		return topic && strcmp(topic, r->topic) == 0;
	if (text == NULL)
		return 0;
	sm_text_analyze(&r->text, text, n);
	for (i = 0; i < r->text.ntokens; i++) {
		const struct sm_token *t = &r->text.tokens[i];

		if (t->type == SM_TOKEN_HASHTAG && t->len == r->fold.len &&
		    memcmp(r->text.folded.data + t->off, r->fold.data,
		    t->len) == 0)
			return 1;
	}
	return 0;
}

static uint64_t
next_random(struct sm_report *r)
{
	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 7;
	r->rng ^= r->rng << 17;
	return r->rng;
}

/* Keeps a fair sample of the topic's messages (reservoir sampling). */
static void
sample(struct sm_report *r, const char *text, size_t n)
{
	size_t at;

	r->topic_seen++;
	if (r->nsamples < SAMPLES) {
		r->samples = xreallocarray(r->samples, r->nsamples + 1,
		    sizeof(*r->samples));
		at = r->nsamples++;
	} else if ((at = (size_t)(next_random(r) % r->topic_seen)) >=
	    SAMPLES)
		return;
	else
		free(r->samples[at]);
	if (n > SAMPLE_BYTES) {
		n = SAMPLE_BYTES;
		while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
			n--;
	}
	r->samples[at] = xstrndup(text, n);
}

/*
 * A message counted: what it says goes to the terms, by its topic; with
 * --topic, in or out.  0 when --topic leaves it out.
 */
static int
take_text(struct sm_report *r, json_t *rec)
{
	json_t *t = json_object_get(rec, "text");
	const char *text = json_string_value(t), *topic;
	size_t n = json_string_length(t);
	int in = 1;

	if (r->topic)
		in = topic_holds(r, rec, text, n);
	/* a duplicate says it again: not counted twice */
	if (text == NULL || r->no_terms || rec_str(rec, "route.duplicate_of"))
		return in;
	if (r->topic) {
		sm_terms_add(r->terms, in ? r->topic_cls : r->rest_cls, text,
		    n);
		if (in)
			sample(r, text, n);
	} else {
		topic = rec_str(rec, "classify.topic");
		sm_terms_add(r->terms, sm_terms_class(r->terms, topic ? topic :
		    "(none)"), text, n);
	}
	return in;
}

/* A record whose created_at is missing, or not a time: says which. */
static int
bad_created(json_t *rec, const char *what, struct sm_error *err)
{
	json_t *v = json_object_get(rec, "created_at");
	struct sm_buf b = { 0 };
	int rc;

	if (v == NULL || json_is_null(v))
		return sm_error_set(err, NULL, 0, 0, "%s without created_at",
		    what);
	if (json_is_string(v))
		sm_buf_add_printable(&b, json_string_value(v),
		    json_string_length(v), 40);
	rc = sm_error_set(err, NULL, 0, 0, "%s whose created_at %s%s%s is "
	    "not an RFC 3339 time", what, b.len ? "'" : "", b.len ? b.data :
	    "", b.len ? "'" : "");
	sm_buf_free(&b);
	return rc;
}

int
sm_report_add(struct sm_report *r, json_t *rec, struct sm_error *err)
{
	const char *kind = sm_json_str(rec, "kind"), *id = sm_json_str(rec, "id");
	const char *irt;
	struct entry *e;
	struct group *g;
	time_t created, due;
	uint64_t h;

	if (r->prev) {
		struct sm_error ignored;	/* said by this one */

		sm_report_add(r->prev, rec, &ignored);
	}
	r->sum.records++;
	if (kind && (strcmp(kind, "own") == 0 || strcmp(kind, "post") == 0)) {
		if (strcmp(kind, "post") == 0) {
			r->sum.posts++;
			return 0;
		}
		r->sum.own++;
		irt = rec_str(rec, "thread.in_reply_to");
		if (irt == NULL)
			return 0;
		if (get_time(rec, "created_at", &created) < 0)
			return bad_created(rec, "an own record", err);
		return answer(r, irt, created);
	}
	if (id == NULL)
		return sm_error_set(err, NULL, 0, 0, "a record without an id");
	if (get_time(rec, "created_at", &created) < 0)
		return bad_created(rec, "a record", err);
	if (!r->any_day || (int16_t)(day_of(created) - r->newest_day) > 0) {
		r->newest_day = day_of(created);
		r->any_day = 1;
	}
	h = id_hash(id);
	e = entry_get(r, id, 0);
	if (e == NULL && done_has(r, h)) {
		r->sum.repeated++;
		return 0;
	}
	if (e && e->question) {
		/* a copy read again, perhaps with the reply sent since */
		r->sum.repeated++;
		take_reply(e, rec);
		if (e->answered) {
			settle(r, e);
			entry_drop(r, e, e->opened);
		}
		return 0;
	}
	if (!kept(r, rec, created) || !take_text(r, rec)) {
		r->sum.filtered++;
		if (e)
			entry_drop(r, e, created);
		else
			done_add(r, h, created);
		return 0;
	}
	g = group_of(r, rec, created);
	g->pub.messages++;
	for (int m = 0; m < SM_REPORT_NMIX; m++)
		mix_add(&r->mix[m], intern(r, rec_str(rec,
		    sm_report_mix_fields[m])));
	r->sum.messages++;
	if (r->sum.first == 0 || created < r->sum.first)
		r->sum.first = created;
	if (created > r->sum.last)
		r->sum.last = created;
	if ((kind && strcmp(kind, "search") == 0) ||
	    rec_str(rec, "route.duplicate_of")) {
		if (kind && strcmp(kind, "search") == 0)
			r->sum.not_asked++;
		else
			r->sum.near_duplicates++;
		if (e)
			entry_drop(r, e, created);
		else
			done_add(r, h, created);
		return 0;
	}
	if (e == NULL)
		e = entry_get(r, id, 1);
	e->question = 1;
	e->opened = created;
	e->group = g;
	g->pub.cases++;
	r->sum.cases++;
	e->case_no = rec_str(rec, "route.case") ?
	    xstrdup(rec_str(rec, "route.case")) : NULL;
	e->queue = intern(r, rec_str(rec, "route.queue"));
	e->category = intern(r, rec_str(rec, "classify.category"));
	e->topic = intern(r, rec_str(rec, "classify.topic"));
	e->platform = intern(r, sm_json_str(rec, "platform"));
	e->kind = intern(r, kind);
	if (get_time(json_object_get(rec, "route"), "due_at", &due) == 0)
		e->due = due;
	e->cal = r->cal;
	for (size_t i = 0; e->queue && i < r->nqueues; i++)
		if (strcmp(r->queues[i].name, e->queue) == 0) {
			e->cal = r->queues[i].cal;
			break;
		}
	if (e->cal)
		r->sum.business = 1;
	for (size_t i = 0; i < r->ncommits; i++)
		if (sm_cond_holds(r->commits[i].cond, rec))
			e->commit |= 1u << i;
	take_reply(e, rec);
	if (e->answered) {
		settle(r, e);
		entry_drop(r, e, e->opened);
	}
	return 0;
}

static void
pick_path(const char *path, void *arg)
{
	sm_pick_add(arg, path);
}

void
sm_report_pick(const struct sm_report *r, struct sm_pick *p)
{
	static const char *const paths[] = {
		"id", "kind", "created_at", "thread.in_reply_to",
		"route.case", "route.queue", "route.due_at",
		"route.duplicate_of", "reply.status", "reply.sent_at",
		"reply.auto"
	};
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		sm_pick_add(p, paths[i]);
	for (i = 0; i < SM_REPORT_NMIX; i++)
		sm_pick_add(p, sm_report_mix_fields[i]);
	if (!r->no_terms || (r->topic && r->topic[0] == '#'))
		sm_pick_add(p, "text");
	for (i = 0; i < r->nfields; i++)
		sm_pick_add(p, r->fields[i]);
	for (i = 0; i < r->nwhere; i++)
		sm_cond_paths(r->where[i], pick_path, p);
	for (i = 0; i < r->ncommits; i++)
		sm_cond_paths(r->commits[i].cond, pick_path, p);
	if (r->prev)
		sm_report_pick(r->prev, p);
}

/* ------------------------------------------------------------------ */
/* The end */

static void
figures(struct sm_sample *s, struct sm_report_times *t)
{
	t->n = s->n;
	t->median = sm_sample_quantile(s, 0.5);
	t->p90 = sm_sample_quantile(s, 0.9);
	t->mean = sm_sample_mean(s);
	sm_sample_buckets(s, sm_report_bucket_edges, SM_REPORT_NBUCKETS - 1,
	    t->buckets);
}

static int
strcmp_null(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static size_t sort_nfields;

static int
cmp_group(const void *pa, const void *pb)
{
	const struct group *a = *(struct group *const *)pa;
	const struct group *b = *(struct group *const *)pb;
	int c;

	if ((c = strcmp_null(a->period, b->period)) != 0)
		return c;
	if (a->pub.messages != b->pub.messages)
		return a->pub.messages > b->pub.messages ? -1 : 1;
	for (size_t i = 0; i < sort_nfields; i++)
		if ((c = strcmp_null(a->values[i], b->values[i])) != 0)
			return c;
	return 0;
}

static int
cmp_open(const void *pa, const void *pb)
{
	const struct entry *a = *(struct entry *const *)pa;
	const struct entry *b = *(struct entry *const *)pb;

	if (a->opened != b->opened)
		return a->opened < b->opened ? -1 : 1;
	return strcmp(a->id, b->id);
}

static int
cmp_late(const void *pa, const void *pb)
{
	const struct sm_report_case *a = pa, *b = pb;

	if (a->due != b->due)
		return a->due < b->due ? -1 : 1;
	return strcmp(a->id, b->id);
}

static int
cmp_backlog(const void *pa, const void *pb)
{
	const struct sm_report_backlog *a = pa, *b = pb;

	if (a->total != b->total)
		return a->total > b->total ? -1 : 1;
	return strcmp_null(a->queue, b->queue);
}

static void
backlog_add(struct sm_report *r, const struct entry *e)
{
	struct sm_report_backlog *b = NULL;
	double age = r->sum.now > e->opened ?
	    (double)(r->sum.now - e->opened) : 0;
	size_t i;

	for (i = 0; i < r->nbacklog; i++)
		if (r->backlog[i].queue == e->queue) {
			b = &r->backlog[i];
			break;
		}
	if (b == NULL) {
		r->backlog = xreallocarray(r->backlog, r->nbacklog + 1,
		    sizeof(*r->backlog));
		b = &r->backlog[r->nbacklog++];
		memset(b, 0, sizeof(*b));
		b->queue = e->queue;
	}
	b->total++;
	if (e->due && e->due < r->sum.now)
		b->overdue++;
	for (i = 0; i < SM_REPORT_NAGES - 1 && age >= age_edges[i]; i++)
		;
	b->ages[i]++;
}

/* Sorted, each value beside its count in the period before. */
static void
end_mixes(struct sm_report *r)
{
	struct mix *m, *pm;
	size_t i, j;

	for (int k = 0; k < SM_REPORT_NMIX; k++) {
		m = &r->mix[k];
		qsort(m->v, m->n, sizeof(*m->v), cmp_count);
		if (r->prev == NULL)
			continue;
		pm = &r->prev->mix[k];
		for (i = 0; i < m->n; i++)
			for (j = 0; j < pm->n; j++)
				if ((m->v[i].value && pm->v[j].value &&
				    strcmp(m->v[i].value, pm->v[j].value) == 0) ||
				    m->v[i].value == pm->v[j].value) {
					m->v[i].before = pm->v[j].n;
					break;
				}
	}
}

/* --topic: the sampled messages with most of its characteristic terms. */
static void
choose_examples(struct sm_report *r)
{
	struct sm_term top[EXAMPLE_TERMS];
	double *score, best;
	size_t ntop, i, k, at;

	if (r->topic == NULL || r->nsamples == 0)
		return;
	ntop = sm_terms_top(r->terms, (size_t)r->topic_cls, 2, top,
	    EXAMPLE_TERMS);
	score = xcalloc(r->nsamples, sizeof(*score));
	for (i = 0; i < r->nsamples; i++)
		score[i] = sm_terms_score(r->terms, top, ntop, r->samples[i],
		    strlen(r->samples[i]));
	r->examples = xcalloc(EXAMPLES, sizeof(*r->examples));
	for (k = 0; k < EXAMPLES; k++) {
		best = -1;
		at = 0;
		for (i = 0; i < r->nsamples; i++)
			if (score[i] > best) {
				best = score[i];
				at = i;
			}
		if (best < 0)
			break;
		r->examples[r->nexamples++] = r->samples[at];
		/* the same words twice are not two examples */
		for (i = 0; i < r->nsamples; i++)
			if (strcmp(r->samples[i], r->samples[at]) == 0)
				score[i] = -1;
	}
	free(score);
}

void
sm_report_end(struct sm_report *r)
{
	struct entry **open = xcalloc(r->open.n + 1, sizeof(*open));
	size_t n = 0, i;

	for (i = 0; i < r->open.nb; i++)
		for (struct slot *s = r->open.b[i]; s; s = s->next) {
			struct entry *e = s->value;

			if (e->question)
				open[n++] = e;
			else
				r->sum.orphans++;
		}
	qsort(open, n, sizeof(*open), cmp_open);
	r->overdue = xcalloc(n + 1, sizeof(*r->overdue));
	for (i = 0; i < n; i++) {
		settle(r, open[i]);
		backlog_add(r, open[i]);
		if (open[i]->due && open[i]->due < r->sum.now)
			to_case(open[i], &r->overdue[r->noverdue++]);
	}
	free(open);
	qsort(r->overdue, r->noverdue, sizeof(*r->overdue), cmp_late);
	if (r->nbacklog)
		qsort(r->backlog, r->nbacklog, sizeof(*r->backlog),
		    cmp_backlog);

	r->sorted = xcalloc(r->groups.n + 1, sizeof(*r->sorted));
	for (i = 0; i < r->groups.nb; i++)
		for (struct slot *s = r->groups.b[i]; s; s = s->next)
			r->sorted[r->nsorted++] = s->value;
	sort_nfields = r->nfields;
	qsort(r->sorted, r->nsorted, sizeof(*r->sorted), cmp_group);
	for (i = 0; i < r->nsorted; i++) {
		struct group *g = r->sorted[i];
		struct sm_report_group *t = &r->total.pub;

		figures(&g->time, &g->pub.time);
		figures(&g->business, &g->pub.business);
		figures(&g->ack, &g->pub.ack);
		sm_sample_merge(&r->total.time, &g->time);
		sm_sample_merge(&r->total.business, &g->business);
		sm_sample_merge(&r->total.ack, &g->ack);
		t->messages += g->pub.messages;
		t->cases += g->pub.cases;
		t->answered += g->pub.answered;
		t->acked += g->pub.acked;
		t->open += g->pub.open;
		t->with_due += g->pub.with_due;
		t->in_time += g->pub.in_time;
		t->overdue += g->pub.overdue;
		t->pending += g->pub.pending;
	}
	figures(&r->total.time, &r->total.pub.time);
	figures(&r->total.business, &r->total.pub.business);
	figures(&r->total.ack, &r->total.pub.ack);
	/* the entries stay until sm_report_free: the overdue list names them */
	if (r->prev)
		sm_report_end(r->prev);
	end_mixes(r);
	choose_examples(r);
}

void
sm_report_free(struct sm_report *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->ncommits; i++) {
		sm_cond_free(r->commits[i].cond);
		free(r->commits[i].text);
	}
	free(r->commits);
	for (size_t i = 0; i < r->nwhere; i++)
		sm_cond_free(r->where[i]);
	free(r->where);
	json_decref(r->where_nodes);
	for (size_t i = 0; i < r->nfields; i++)
		free(r->fields[i]);
	free(r->fields);
	free(r->queues);
	table_free(&r->open, free_entry);
	table_free(&r->groups, free_group);
	table_free(&r->strings, NULL);
	free(r->done);
	free(r->done_day);
	sm_buf_free(&r->key);
	free(r->sorted);
	sm_sample_free(&r->total.time);
	sm_sample_free(&r->total.business);
	sm_sample_free(&r->total.ack);
	free(r->backlog);
	free(r->overdue);
	sm_report_free(r->prev);
	for (int m = 0; m < SM_REPORT_NMIX; m++)
		free(r->mix[m].v);
	sm_terms_free(r->terms);
	free(r->topic);
	sm_text_free(&r->text);
	sm_buf_free(&r->fold);
	for (size_t i = 0; i < r->nsamples; i++)
		free(r->samples[i]);
	free(r->samples);
	free(r->examples);	/* the samples' */
	free(r);
}

const struct sm_report *
sm_report_previous(const struct sm_report *r)
{
	return r->prev;
}

size_t
sm_report_nmix(const struct sm_report *r, enum sm_report_mix m)
{
	return r->mix[m].n;
}

const struct sm_report_count *
sm_report_mix(const struct sm_report *r, enum sm_report_mix m, size_t i)
{
	return &r->mix[m].v[i];
}

struct sm_terms *
sm_report_terms(const struct sm_report *r)
{
	return r->terms;
}

const char *
sm_report_topic(const struct sm_report *r)
{
	return r->topic;
}

size_t
sm_report_nexamples(const struct sm_report *r)
{
	return r->nexamples;
}

const char *
sm_report_example(const struct sm_report *r, size_t i)
{
	return r->examples[i];
}

const struct sm_report_summary *
sm_report_summary(const struct sm_report *r)
{
	return &r->sum;
}

const char *const *
sm_report_fields(const struct sm_report *r, size_t *n)
{
	*n = r->nfields;
	return (const char *const *)r->fields;
}

size_t
sm_report_ngroups(const struct sm_report *r)
{
	return r->nsorted;
}

const struct sm_report_group *
sm_report_group(const struct sm_report *r, size_t i)
{
	return &r->sorted[i]->pub;
}

const struct sm_report_group *
sm_report_total(const struct sm_report *r)
{
	return &r->total.pub;
}

size_t
sm_report_ncommitments(const struct sm_report *r)
{
	return r->ncommits;
}

const struct sm_report_commitment *
sm_report_commitment(const struct sm_report *r, size_t i)
{
	return &r->commits[i].pub;
}

size_t
sm_report_nbacklog(const struct sm_report *r)
{
	return r->nbacklog;
}

const struct sm_report_backlog *
sm_report_backlog(const struct sm_report *r, size_t i)
{
	return &r->backlog[i];
}

const struct sm_report_case *
sm_report_overdue(const struct sm_report *r, size_t *n)
{
	*n = r->noverdue;
	return r->overdue;
}
