/* route.c - sm-route's engine: queues, rules, case numbers, deadlines */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sm/calendar.h"
#include "sm/cond.h"
#include "sm/dedup.h"
#include "sm/time.h"
#include "sm/jsonl.h"
#include "sm/route.h"
#include "sm/util.h"

#define DEFAULT_QUEUE "general"
#define DEFAULT_CASE "{year}-{seq:06}"
#define DEFAULT_WINDOW (48 * 3600)
#define DEFAULT_THRESHOLD 0.8

/*
 * Case numbers are values of space "case", no owner, keyed by message
 * id; the numbers come from one sequence a year ("case-2026").  The
 * signatures duplicates are told by are values of space "dedup", owner
 * the day (UTC) of arrival, each a line "ARRIVAL HEX ID" (an older value
 * "ARRIVAL HEX" is for the message its key names): a group's are stored
 * as one value a day, and forgotten by day.  Routing keeps no table of
 * its own.
 */

struct queue {
	char *name;
	char *department;
	const struct sm_calendar *cal;
	struct sm_route_sla sla;
	int priority;		/* 0: not said */
};

struct rule {
	char *name;
	struct sm_cond *cond;
	long queue;		/* -1: does not say */
	int priority;
	struct sm_route_sla sla;
	int cont;		/* continue: true */
};

/* A piece of the case format: literal text, or a field. */
enum { LIT, YEAR, YY, MM, DD, SEQ, QUEUE };

struct piece {
	int kind;
	char *text;		/* LIT */
	int width;		/* SEQ: zero-padded to */
};

struct sm_router {
	struct sm_dedup *dedup;	/* NULL: duplicates: false */
	time_t window;
	struct sm_buf text, fold;	/* reused for each signature */
	const struct sm_calendars *cals;
	const struct sm_calendar *cal;	/* route.calendar, or NULL */
	const struct sm_time_zone *zone;	/* its zone: the year of a case */
	struct queue *queues;
	size_t nqueues;
	size_t def;		/* the default queue */
	struct rule *rules;
	size_t nrules;
	struct piece *fmt;
	size_t nfmt;
	struct pending *pend;	/* signatures not yet stored, by day */
	size_t npend;
};

struct pending {
	char day[SM_TIME_SIZE];
	char *key;		/* the first message's id */
	struct sm_buf lines;
};

static const char *const section_keys[] = {
	"default", "case", "calendar", "queues", "rules", "smtp",
	"duplicates", "lang", NULL
};
static const char *const queue_keys[] = {
	"department", "sla", "calendar", "priority", "deliver", NULL
};
static const char *const rule_keys[] = {
	"name", "when", "all", "any", "none", "queue", "priority", "sla",
	"continue", NULL
};

/*
 * "N hours", "N days" (N * 24 hours), "N business hours", "N business
 * days"; business time is counted on cal, which it needs.
 */
static int
parse_sla(const struct sm_config *cfg, const json_t *v,
    struct sm_route_sla *sla, const struct sm_calendar *cal,
    const char *where, struct sm_error *err)
{
	const char *s = json_string_value(v);
	double n;

	if (sm_sla_parse(s, &sla->kind, &n) < 0)
		return sm_config_error(cfg, v, err, "%s.sla: expected N hours, "
		    "N days, N business hours or N business days (whole)",
		    where);
	if (sla->kind != SM_SLA_HOURS && cal == NULL)
		return sm_config_error(cfg, v, err, "%s.sla: '%s' is counted "
		    "on a calendar: give the queue's calendar or "
		    "route.calendar", where, s);
	sla->set = 1;
	sla->n = n;
	sla->text = xstrdup(s);
	sla->cal = sla->kind == SM_SLA_HOURS ? NULL : cal;
	return 0;
}

static int
get_calendar(const struct sm_router *r, const struct sm_config *cfg,
    const json_t *v, const struct sm_calendar **cal, const char *where,
    struct sm_error *err)
{
	if (!json_is_string(v))
		return sm_config_error(cfg, v, err, "%s.calendar: expected a "
		    "calendar's name", where);
	if ((*cal = sm_calendars_get(r->cals, json_string_value(v))) == NULL)
		return sm_config_error(cfg, v, err, "%s.calendar: no calendar "
		    "'%s' in calendars:", where, json_string_value(v));
	return 0;
}

static int
parse_priority(const struct sm_config *cfg, const json_t *v, int *p,
    const char *where, struct sm_error *err)
{
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > 5)
		return sm_config_error(cfg, v, err, "%s.priority: expected 1 "
		    "(most urgent) to 5", where);
	*p = (int)json_integer_value(v);
	return 0;
}

/* Queue names become file names (--split): nothing that leaves DIR. */
static int
good_name(const char *s)
{
	if (*s == '\0' || *s == '.' || strlen(s) > 100)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' &&
		    *s != '.')
			return 0;
	return 1;
}

static long
queue_find(const struct sm_router *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nqueues; i++)
		if (strcmp(r->queues[i].name, name) == 0)
			return (long)i;
	return -1;
}

static struct queue *
queue_add(struct sm_router *r, const char *name)
{
	struct queue *q;

	r->queues = xreallocarray(r->queues, r->nqueues + 1,
	    sizeof(*r->queues));
	q = &r->queues[r->nqueues++];
	memset(q, 0, sizeof(*q));
	q->name = xstrdup(name);
	return q;
}

static int
load_queues(struct sm_router *r, const struct sm_config *cfg,
    const json_t *sec, struct sm_error *err)
{
	const json_t *qs = json_object_get(sec, "queues"), *v, *d;
	const char *name;
	char where[300];

	if (qs == NULL)
		return 0;
	if (!json_is_object(qs))
		return sm_config_error(cfg, qs, err, "route.queues: expected a "
		    "mapping of queue names, got %s", sm_config_type_name(qs));
	json_object_foreach((json_t *)qs, name, v) {
		struct queue *q;

		snprintf(where, sizeof(where), "route.queues.%.200s", name);
		if (!good_name(name))
			return sm_config_error(cfg, v, err, "%s: a queue name "
			    "is letters, digits, '-', '_' and '.', not first",
			    where);
		if (v == NULL || json_is_null(v))
			v = NULL;
		else if (sm_config_check_keys(cfg, v, where, queue_keys,
		    err) < 0)
			return -1;
		q = queue_add(r, name);
		if (v == NULL)
			continue;
		if ((d = json_object_get(v, "department")) != NULL) {
			if (!json_is_string(d) || json_string_length(d) == 0)
				return sm_config_error(cfg, d, err,
				    "%s.department: expected a name", where);
			q->department = xstrdup(json_string_value(d));
		}
		q->cal = r->cal;
		if ((d = json_object_get(v, "calendar")) != NULL &&
		    get_calendar(r, cfg, d, &q->cal, where, err) < 0)
			return -1;
		if ((d = json_object_get(v, "sla")) != NULL &&
		    parse_sla(cfg, d, &q->sla, q->cal, where, err) < 0)
			return -1;
		if ((d = json_object_get(v, "priority")) != NULL &&
		    parse_priority(cfg, d, &q->priority, where, err) < 0)
			return -1;
	}
	return 0;
}

static int
load_rules(struct sm_router *r, const struct sm_config *cfg,
    const json_t *sec, struct sm_error *err)
{
	const json_t *rs = json_object_get(sec, "rules"), *j, *v;
	char where[512];
	size_t i, k;

	if (rs == NULL)
		return 0;
	if (!json_is_array(rs))
		return sm_config_error(cfg, rs, err, "route.rules: expected a "
		    "list of rules, got %s", sm_config_type_name(rs));
	r->rules = xcalloc(json_array_size(rs), sizeof(*r->rules));
	json_array_foreach(rs, i, j) {
		struct rule *ru = &r->rules[r->nrules++];

		ru->queue = -1;
		/* named as sm-classify's rules are: index and name */
		sm_config_item_where(j, "route.rules", i, where,
		    sizeof(where));
		if (sm_config_check_keys(cfg, j, where, rule_keys, err) < 0)
			return -1;
		v = json_object_get(j, "name");
		if (!json_is_string(v) || json_string_length(v) == 0)
			return sm_config_error(cfg, v ? v : j, err, "%s: a rule "
			    "needs a name", where);
		for (k = 0; k < i; k++)
			if (strcmp(r->rules[k].name, json_string_value(v)) == 0)
				return sm_config_error(cfg, v, err, "route."
				    "rules[%zu]: duplicate rule name '%s'", i,
				    json_string_value(v));
		ru->name = xstrdup(json_string_value(v));
		if ((v = json_object_get(j, "queue")) != NULL) {
			if (!json_is_string(v))
				return sm_config_error(cfg, v, err, "%s.queue: "
				    "expected a queue name", where);
			ru->queue = queue_find(r, json_string_value(v));
			if (ru->queue < 0)
				return sm_config_error(cfg, v, err, "%s.queue: "
				    "no queue '%s' in route.queues", where,
				    json_string_value(v));
		}
		if ((v = json_object_get(j, "priority")) != NULL &&
		    parse_priority(cfg, v, &ru->priority, where, err) < 0)
			return -1;
		if ((v = json_object_get(j, "sla")) != NULL &&
		    parse_sla(cfg, v, &ru->sla, ru->queue >= 0 ?
		    r->queues[ru->queue].cal : r->cal, where, err) < 0)
			return -1;
		if ((v = json_object_get(j, "continue")) != NULL) {
			if (!json_is_boolean(v))
				return sm_config_error(cfg, v, err, "%s.continue: "
				    "expected true or false", where);
			ru->cont = json_is_true(v);
		}
		if (ru->queue < 0 && !ru->priority && !ru->sla.set)
			return sm_config_error(cfg, j, err, "%s: says neither "
			    "queue, priority nor sla", where);
		if ((ru->cond = sm_cond_compile(cfg, j, where, 0, err)) == NULL)
			return -1;
	}
	return 0;
}

static int
load_format(struct sm_router *r, const struct sm_config *cfg,
    const json_t *v, struct sm_error *err)
{
	static const struct { const char *name; int kind; } fields[] = {
		{ "year", YEAR }, { "yyyy", YEAR }, { "yy", YY }, { "mm", MM },
		{ "dd", DD }, { "seq", SEQ }, { "queue", QUEUE }, { NULL, 0 }
	};
	const char *s = v ? json_string_value(v) : DEFAULT_CASE, *p, *e;
	int seq = 0, year = 0, i;

	if (s == NULL || *s == '\0')
		return sm_config_error(cfg, v, err, "route.case: expected a "
		    "format such as '%s'", DEFAULT_CASE);
	r->fmt = xcalloc(strlen(s) + 1, sizeof(*r->fmt));
	for (p = s; *p; p = e) {
		struct piece *pc = &r->fmt[r->nfmt++];

		if (*p != '{') {
			e = strchr(p, '{');
			if (e == NULL)
				e = p + strlen(p);
			pc->kind = LIT;
			pc->text = xstrndup(p, (size_t)(e - p));
			continue;
		}
		if ((e = strchr(p, '}')) == NULL)
			return sm_config_error(cfg, v, err, "route.case: '{' "
			    "without '}'");
		for (i = 0; fields[i].name; i++) {
			size_t l = strlen(fields[i].name);

			if (strncmp(p + 1, fields[i].name, l) != 0)
				continue;
			if (p[1 + l] == '}')
				break;
			if (fields[i].kind == SEQ && p[1 + l] == ':' &&
			    p[2 + l] == '0' && isdigit((unsigned char)p[3 + l]) &&
			    p[4 + l] == '}') {
				pc->width = p[3 + l] - '0';
				break;
			}
		}
		if (fields[i].name == NULL)
			return sm_config_error(cfg, v, err, "route.case: unknown "
			    "field '%.*s' (year, yy, mm, dd, seq, seq:0N, "
			    "queue)", (int)(e - p + 1), p);
		pc->kind = fields[i].kind;
		seq |= pc->kind == SEQ;
		year |= pc->kind == YEAR || pc->kind == YY;
		e++;
	}
	if (!seq || !year)
		return sm_config_error(cfg, v, err, "route.case: needs {seq} "
		    "and the year ({year} or {yy}): numbers start again each "
		    "year");
	return 0;
}

/* duplicates: false, or {window: "48 hours", threshold: 0.8} */
static int
load_duplicates(struct sm_router *r, const struct sm_config *cfg,
    const json_t *v, struct sm_error *err)
{
	static const char *const keys[] = { "window", "threshold", NULL };
	double threshold = DEFAULT_THRESHOLD;
	struct sm_route_sla w = { 0 };
	const json_t *x;

	r->window = DEFAULT_WINDOW;
	if (json_is_false(v))
		return 0;
	if (v && (!json_is_object(v) || sm_config_check_keys(cfg, v,
	    "route.duplicates", keys, err) < 0))
		return json_is_object(v) ? -1 : sm_config_error(cfg, v, err,
		    "route.duplicates: expected false or a mapping");
	if ((x = json_object_get(v, "window")) != NULL) {
		if (!json_is_string(x) || strstr(json_string_value(x),
		    "business") || parse_sla(cfg, x, &w, NULL,
		    "route.duplicates.window", err) < 0)
			return sm_config_error(cfg, x, err, "route.duplicates."
			    "window: expected N hours or N days");
		free(w.text);
		r->window = (time_t)(w.n * 3600);
	}
	if ((x = json_object_get(v, "threshold")) != NULL) {
		if (!json_is_number(x) || json_number_value(x) <= 0 ||
		    json_number_value(x) > 1)
			return sm_config_error(cfg, x, err, "route.duplicates."
			    "threshold: expected a number above 0, at most 1");
		threshold = json_number_value(x);
	}
	r->dedup = sm_dedup_new(r->window, threshold);
	return 0;
}

struct sm_router *
sm_router_load(const struct sm_config *cfg, const struct sm_calendars *cals,
    struct sm_error *err)
{
	struct sm_router *r = xcalloc(1, sizeof(*r));
	const json_t *sec = cfg ? sm_config_section(cfg, "route") : NULL, *v;
	const char *def = DEFAULT_QUEUE;
	long q;

	r->cals = cals;

	if (sec && !json_is_object(sec)) {
		sm_config_error(cfg, sec, err, "route: expected a mapping, got "
		    "%s", sm_config_type_name(sec));
		goto fail;
	}
	if (sec && sm_config_check_keys(cfg, sec, "route", section_keys,
	    err) < 0)
		goto fail;
	if ((v = json_object_get(sec, "calendar")) != NULL) {
		if (get_calendar(r, cfg, v, &r->cal, "route", err) < 0)
			goto fail;
		r->zone = sm_calendar_zone(r->cal);
	}
	if (load_duplicates(r, cfg, json_object_get(sec, "duplicates"),
	    err) < 0)
		goto fail;
	if (load_queues(r, cfg, sec, err) < 0 ||
	    load_format(r, cfg, json_object_get(sec, "case"), err) < 0)
		goto fail;
	if ((v = json_object_get(sec, "default")) != NULL) {
		if (!json_is_string(v)) {
			sm_config_error(cfg, v, err, "route.default: expected a "
			    "queue name");
			goto fail;
		}
		def = json_string_value(v);
		if (queue_find(r, def) < 0) {
			sm_config_error(cfg, v, err, "route.default: no queue "
			    "'%s' in route.queues", def);
			goto fail;
		}
	}
	if ((q = queue_find(r, def)) < 0) {
		queue_add(r, def)->cal = r->cal;
		q = (long)r->nqueues - 1;
	}
	r->def = (size_t)q;
	if (load_rules(r, cfg, sec, err) < 0)
		goto fail;
	return r;
fail:
	sm_router_free(r);
	return NULL;
}

void
sm_router_free(struct sm_router *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nqueues; i++) {
		free(r->queues[i].name);
		free(r->queues[i].department);
		free(r->queues[i].sla.text);
	}
	free(r->queues);
	for (i = 0; i < r->nrules; i++) {
		free(r->rules[i].name);
		sm_cond_free(r->rules[i].cond);
		free(r->rules[i].sla.text);
	}
	free(r->rules);
	for (i = 0; i < r->nfmt; i++)
		free(r->fmt[i].text);
	free(r->fmt);
	sm_router_forget(r);
	free(r->pend);
	sm_dedup_free(r->dedup);
	sm_buf_free(&r->text);
	sm_buf_free(&r->fold);
	free(r);
}

const struct sm_time_zone *
sm_router_zone(const struct sm_router *r)
{
	return r->zone;
}

/* From classify.urgency when neither a rule nor the queue says. */
static int
urgency_priority(json_t *rec)
{
	static const char *const u[] = { "critical", "high", "normal", "low",
	    NULL };
	const char *s = json_string_value(sm_record_get(rec,
	    "classify.urgency"));
	int i;

	for (i = 0; s && u[i]; i++)
		if (strcmp(s, u[i]) == 0)
			return i + 1;
	return 3;
}

int
sm_router_route(struct sm_router *r, json_t *rec, int explain,
    struct sm_route *out, struct sm_error *err)
{
	const struct sm_route_sla *sla = NULL;
	const char *at = json_string_value(json_object_get(rec, "created_at"));
	long q = -1;
	int prio = 0;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (explain)
		out->explain = json_array();
	for (i = 0; i < r->nrules; i++) {
		struct rule *ru = &r->rules[i];
		int held = sm_cond_holds(ru->cond, rec);

		if (explain)
			json_array_append_new(out->explain, json_pack(
			    "{s:s,s:b}", "rule", ru->name, "held", held));
		if (!held)
			continue;
		if (ru->queue >= 0 && q < 0) {
			q = ru->queue;
			out->rule = ru->name;
		}
		if (ru->priority && !prio)
			prio = ru->priority;
		if (ru->sla.set && sla == NULL)
			sla = &ru->sla;
		if (!ru->cont)
			break;
	}
	if (q < 0)
		q = (long)r->def;
	out->queue = r->queues[q].name;
	out->department = r->queues[q].department;
	if (!prio)
		prio = r->queues[q].priority;
	out->priority = prio ? prio : urgency_priority(rec);
	if (sla == NULL && r->queues[q].sla.set)
		sla = &r->queues[q].sla;
	out->sla = sla;
	if ((at == NULL || sm_time_parse(at, &out->arrival) < 0) &&
	    sm_time_now(&out->arrival, err) < 0)
		return -1;
	if (sla && sm_calendar_deadline(sla->cal, sla->kind, sla->n,
	    out->arrival, &out->due, err) < 0) {
		out->due = 0;
		out->error = "no deadline";
	}
	return 0;
}

static void
format_case(const struct sm_router *r, const struct sm_route *rt,
    int64_t seq, struct sm_buf *b)
{
	struct sm_civil c;
	char num[64];
	size_t i;

	sm_time_local(r->zone, rt->arrival, &c);
	for (i = 0; i < r->nfmt; i++) {
		const struct piece *pc = &r->fmt[i];

		switch (pc->kind) {
		case LIT:
			sm_buf_adds(b, pc->text);
			continue;
		case YEAR:
			snprintf(num, sizeof(num), "%04d", c.year);
			break;
		case YY:
			snprintf(num, sizeof(num), "%02d", c.year % 100);
			break;
		case MM:
			snprintf(num, sizeof(num), "%02d", c.month);
			break;
		case DD:
			snprintf(num, sizeof(num), "%02d", c.day);
			break;
		case SEQ:
			snprintf(num, sizeof(num), "%0*" PRId64, pc->width, seq);
			break;
		case QUEUE:
			snprintf(num, sizeof(num), "%s", rt->queue);
			sm_buf_adds(b, rt->queue);
			continue;
		}
		sm_buf_adds(b, num);
	}
}

/* The day (UTC) a signature is filed under, so that old ones go by day. */
static void
day_of(time_t t, char out[SM_TIME_SIZE])
{
	sm_time_format(t, out, SM_TIME_SIZE);
	out[10] = '\0';
}

struct loaded {
	struct sm_router *r;
	time_t newest;
	int pass;		/* 0: the newest; 1: keep; 2: old days */
	json_t *old;
};

/* One signature line: "ARRIVAL HEX[ ID]"; -1 if it is not one. */
static int
parse_sig(const char *p, size_t n, time_t *at, struct sm_dedup_sig *sig,
    const char **id, size_t *idlen)
{
	char hex[SM_DEDUP_K * 8 + 1];
	long long t;
	char *end;

	errno = 0;
	t = strtoll(p, &end, 10);
	if (end == p || errno || *end != ' ' ||
	    (size_t)(end + 1 - p) + SM_DEDUP_K * 8 > n)
		return -1;
	memcpy(hex, end + 1, SM_DEDUP_K * 8);
	hex[SM_DEDUP_K * 8] = '\0';
	if (sm_dedup_sig_parse(hex, sig) < 0)
		return -1;
	end += 1 + SM_DEDUP_K * 8;
	*id = NULL;
	*idlen = 0;
	if ((size_t)(end - p) < n) {
		if (*end != ' ' || (size_t)(end + 1 - p) == n)
			return -1;
		*id = end + 1;
		*idlen = n - (size_t)(end + 1 - p);
	}
	*at = (time_t)t;
	return 0;
}

static int
load_sig(void *arg, const char *owner, const char *key, const char *value,
    const char *updated_at)
{
	struct loaded *l = arg;
	struct sm_dedup_sig sig;
	const char *p = value, *nl, *id;
	size_t n, idlen;
	time_t at;
	char *own;

	(void)updated_at;
	for (; *p; p = *nl ? nl + 1 : nl) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		n = (size_t)(nl - p);
		if (parse_sig(p, n, &at, &sig, &id, &idlen) < 0)
			continue;	/* not ours to judge: left alone */
		if (l->pass == 0) {
			if (at > l->newest)
				l->newest = at;
		} else if (at + l->r->window >= l->newest) {
			own = id ? xstrndup(id, idlen) : xstrdup(key);
			sm_dedup_add(l->r->dedup, own, &sig, at);
			free(own);
		} else if (!json_object_get(l->old, owner))
			json_object_set_new(l->old, owner, json_true());
	}
	return 0;
}

/* Keeps a signature to be stored with the group (sm_router_store). */
static void
pend_add(struct sm_router *r, const char *day, const char *id,
    const struct sm_dedup_sig *sig, time_t at)
{
	char hex[SM_DEDUP_K * 8 + 1], num[32];
	struct pending *pd = NULL;
	size_t i;

	for (i = 0; i < r->npend; i++)
		if (strcmp(r->pend[i].day, day) == 0)
			pd = &r->pend[i];
	if (pd == NULL) {
		r->pend = xreallocarray(r->pend, r->npend + 1,
		    sizeof(*r->pend));
		pd = &r->pend[r->npend++];
		memset(pd, 0, sizeof(*pd));
		snprintf(pd->day, sizeof(pd->day), "%s", day);
		pd->key = xstrdup(id);
	} else
		sm_buf_addc(&pd->lines, '\n');
	sm_dedup_sig_format(sig, hex);
	snprintf(num, sizeof(num), "%lld ", (long long)at);
	sm_buf_adds(&pd->lines, num);
	sm_buf_adds(&pd->lines, hex);
	sm_buf_addc(&pd->lines, ' ');
	sm_buf_adds(&pd->lines, id);
}

void
sm_router_forget(struct sm_router *r)
{
	size_t i;

	for (i = 0; i < r->npend; i++) {
		free(r->pend[i].key);
		sm_buf_free(&r->pend[i].lines);
	}
	r->npend = 0;
}

int
sm_router_store(struct sm_router *r, struct sm_state *st,
    struct sm_error *err)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < r->npend && rc == 0; i++)
		rc = sm_state_put(st, "dedup", r->pend[i].day, r->pend[i].key,
		    r->pend[i].lines.data, err);
	sm_router_forget(r);
	return rc;
}

int
sm_router_load_state(struct sm_router *r, struct sm_state *st, int dry_run,
    struct sm_error *err)
{
	struct loaded l = { r, 0, 0, NULL };
	const char *day;
	json_t *v;
	int rc = 0;

	if (r->dedup == NULL)
		return 0;
	l.old = json_object();
	if (sm_state_list(st, "dedup", NULL, load_sig, &l, err) < 0)
		rc = -1;
	l.pass = 1;
	if (rc == 0 && sm_state_list(st, "dedup", NULL, load_sig, &l,
	    err) < 0)
		rc = -1;
	/* days wholly before the window are forgotten */
	json_object_foreach(l.old, day, v) {
		char keep[SM_TIME_SIZE];

		day_of(l.newest - r->window - 86400, keep);
		if (rc == 0 && !dry_run && strcmp(day, keep) < 0 &&
		    sm_state_clear(st, "dedup", day, err) < 0)
			rc = -1;
	}
	json_decref(l.old);
	return rc;
}

/* The text a duplicate is told by: the subject, if any, and the text. */
static int
signature(struct sm_router *r, json_t *rec, struct sm_dedup_sig *sig)
{
	json_t *t = json_object_get(rec, "text");
	const char *subj = json_string_value(json_object_get(rec, "subject"));

	if (!json_is_string(t))
		return -1;
	if (subj == NULL)
		return sm_dedup_sign(json_string_value(t),
		    json_string_length(t), sig, &r->fold);
	sm_buf_reset(&r->text);
	sm_buf_adds(&r->text, subj);
	sm_buf_addc(&r->text, '\n');
	sm_buf_add(&r->text, json_string_value(t), json_string_length(t));
	return sm_dedup_sign(r->text.data, r->text.len, sig, &r->fold);
}

int
sm_router_case(struct sm_router *r, struct sm_state *st, json_t *rec,
    const struct sm_route *rt, int dry_run, char **case_out,
    char **dup_out, int *joined, struct sm_error *err)
{
	const char *id = json_string_value(json_object_get(rec, "id"));
	const char *parent = json_string_value(sm_record_get(rec,
	    "thread.in_reply_to")), *kind, *dup = NULL;
	struct sm_buf b = { 0 };
	struct sm_dedup_sig sig;
	char seqname[32], day[SM_TIME_SIZE];
	struct sm_civil c;
	int64_t n;
	int own, signed_ = 0;

	*case_out = *dup_out = NULL;
	*joined = 0;
	if (id == NULL)
		return sm_error_set(err, NULL, 0, 0, "%s: no case number",
		    json_object_get(rec, "id") ? "an id that is not a string" :
		    "no id");
	if (sm_state_get(st, "case", "", id, case_out, err) < 0)
		return -1;
	if (*case_out)		/* seen before: as it was then */
		return sm_state_get(st, "duplicate", "", id, dup_out, err);
	kind = json_string_value(json_object_get(rec, "kind"));
	own = kind && (strcmp(kind, "own") == 0 || strcmp(kind, "post") == 0);
	if (parent && sm_state_get(st, "case", "", parent, case_out, err) < 0)
		return -1;
	if (*case_out) {
		*joined = 1;
	} else if (own) {
		/* the administration's own words open no case */
		return 0;
	} else {
		if (r->dedup && signature(r, rec, &sig) == 0) {
			signed_ = 1;
			dup = sm_dedup_find(r->dedup, &sig, rt->arrival);
		}
		if (dup && sm_state_get(st, "case", "", dup, case_out,
		    err) < 0)
			return -1;
		if (*case_out)
			*dup_out = xstrdup(dup);
		else if (!dry_run) {
			sm_time_local(r->zone, rt->arrival, &c);
			snprintf(seqname, sizeof(seqname), "case-%04d",
			    c.year);
			if (sm_state_seq_next(st, seqname, &n, err) < 0)
				return -1;
			format_case(r, rt, n, &b);
			*case_out = b.data;
		}
	}
	if (dry_run || *case_out == NULL)
		return 0;
	if (sm_state_put(st, "case", "", id, *case_out, err) < 0 ||
	    (*dup_out && sm_state_put(st, "duplicate", "", id, *dup_out,
	    err) < 0))
		goto fail;
	if (signed_) {
		day_of(rt->arrival, day);
		pend_add(r, day, id, &sig, rt->arrival);
		sm_dedup_add(r->dedup, id, &sig, rt->arrival);
	}
	return 0;
fail:
	free(*case_out);
	free(*dup_out);
	*case_out = *dup_out = NULL;
	return -1;
}

static void
key(struct sm_buf *b, const char *k)
{
	sm_buf_addc(b, b->data[b->len - 1] == '{' ? '"' : ',');
	if (b->data[b->len - 1] == ',')
		sm_buf_addc(b, '"');
	sm_buf_adds(b, k);
	sm_buf_add(b, "\":", 2);
}

static void
str(struct sm_buf *b, const char *k, const char *v)
{
	key(b, k);
	if (v)
		sm_json_append_string(b, v, strlen(v));
	else
		sm_buf_adds(b, "null");
}

void
sm_route_append(struct sm_buf *b, const struct sm_route *rt,
    const char *case_no, const char *duplicate_of, const json_t *delivered,
    const json_t *extra)
{
	char num[32];
	const char *k;
	json_t *v;

	sm_buf_addc(b, '{');
	str(b, "queue", rt->queue);
	str(b, "department", rt->department);
	str(b, "case", case_no);
	key(b, "priority");
	snprintf(num, sizeof(num), "%d", rt->priority);
	sm_buf_adds(b, num);
	key(b, "due_at");
	if (rt->due) {
		char t[SM_TIME_SIZE];

		sm_time_format(rt->due, t, sizeof(t));
		sm_json_append_string(b, t, strlen(t));
	} else
		sm_buf_adds(b, "null");
	str(b, "sla", rt->sla ? rt->sla->text : NULL);
	str(b, "rule", rt->rule);
	str(b, "duplicate_of", duplicate_of);
	key(b, "delivered");
	if (delivered)
		sm_json_append(b, delivered);
	else
		sm_buf_adds(b, "[]");
	json_object_foreach((json_t *)extra, k, v) {
		key(b, k);
		sm_json_append(b, v);
	}
	if (rt->explain) {
		key(b, "explain");
		sm_json_append(b, rt->explain);
	}
	sm_buf_addc(b, '}');
}
