/* report.h - sm-report's figures: volumes, response times, deadlines
 *
 * The stream is read once, records of any kind in any order.  A citizen's
 * message that is to be answered opens a case, kept by its message id
 * until its first answer is seen: a reply sm-reply sent (reply.status
 * sent, reply.sent_at) or an own record that names it in
 * thread.in_reply_to (its created_at).  An automatic acknowledgement
 * (reply.auto true) is counted apart and does not answer.  An answered
 * case is added to its group's figures and forgotten but for a 64-bit
 * hash of its id (duplicates of the message, and later answers, are then
 * known as such), so that memory follows the open cases and the groups,
 * not the records; each group keeps its response times (8 bytes each) so
 * that its quantiles are exact.  An answer that comes in the input after
 * another answer closed its case is not taken, even when it is earlier.
 *
 * The report: section of sm.yaml gives the calendar of periods, named
 * filters and commitments ("answered within 8 business hours, target
 * 90%"); see sm-report(1).
 */
#ifndef SM_REPORT_H
#define SM_REPORT_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "sm/calendar.h"
#include "sm/config.h"
#include "sm/error.h"

enum sm_report_by {
	SM_REPORT_ALL,		/* one period: the whole input */
	SM_REPORT_DAY,
	SM_REPORT_WEEK,		/* ISO 8601 weeks, "2026-W45" */
	SM_REPORT_MONTH
};

struct sm_report_options {
	char **group;		/* dotted paths of the fields grouped by */
	size_t ngroup;
	enum sm_report_by by;
	const char *since, *until;	/* created_at in [since, until) */
	char **where;		/* -w: a filter's name, FIELD=VALUE, FIELD!=VALUE */
	size_t nwhere;
	const char *topic;	/* --topic: a classify.topic, or a #hashtag */
	int no_previous;	/* no report of the period before */
	int no_terms;		/* no words counted (not to be shown) */
	time_t now;
};

/*
 * What the messages are, counted by one field each: the mixes.  With a
 * period that starts (--since), each value also has its count in the
 * period of the same length just before.
 */
enum sm_report_mix {
	SM_MIX_CHANNEL,		/* platform */
	SM_MIX_CATEGORY,	/* classify.category */
	SM_MIX_SENTIMENT,	/* classify.sentiment */
	SM_MIX_TOPIC,		/* classify.topic */
	SM_REPORT_NMIX
};
extern const char *const sm_report_mix_fields[SM_REPORT_NMIX];
extern const char *const sm_report_mix_names[SM_REPORT_NMIX];

struct sm_report_count {
	const char *value;	/* NULL: the field is missing */
	size_t n;
	size_t before;		/* in the previous period */
};

/* Response times in buckets: under 1 h, 1-4 h, 4-8 h, 8-24 h, 24 h or more. */
#define SM_REPORT_NBUCKETS 5
extern const double sm_report_bucket_edges[SM_REPORT_NBUCKETS - 1];
extern const char *const sm_report_bucket_names[SM_REPORT_NBUCKETS];

/* The age of open cases: under 1 day, 1-3, 3-7, 7-30, 30 days or more. */
#define SM_REPORT_NAGES 5
extern const char *const sm_report_age_names[SM_REPORT_NAGES];

/* The figures of a sample of times, in seconds (NaN when n is 0). */
struct sm_report_times {
	size_t n;
	double median, p90, mean;
	size_t buckets[SM_REPORT_NBUCKETS];
};

struct sm_report_group {
	const char *const *values;	/* one per field; NULL when missing */
	const char *period;	/* with a period, else NULL */
	size_t messages;	/* citizens' messages, each id once */
	size_t cases;		/* of them, those to be answered */
	size_t answered, acked, open;
	size_t with_due;	/* cases with route.due_at, decided */
	size_t in_time;		/* of them, answered by due_at */
	size_t overdue;		/* open past due_at */
	size_t pending;		/* open, due_at still ahead */
	struct sm_report_times time;	/* to the first answer, calendar time */
	struct sm_report_times business;	/* the same in business hours */
	struct sm_report_times ack;	/* to the automatic acknowledgement */
};

struct sm_report_commitment {
	const char *name;
	const char *text;	/* "answered within 8 business hours" */
	double target;		/* percent, NaN when none is given */
	size_t met;		/* answered within the time */
	size_t total;		/* decided: answered, or open past the time */
	size_t pending;		/* open and still within the time */
};

struct sm_report_backlog {
	const char *queue;	/* NULL for messages without a queue */
	size_t total;
	size_t overdue;
	size_t ages[SM_REPORT_NAGES];
};

/* A case as it stands: for one row per case, and the overdue list. */
struct sm_report_case {
	const char *id;
	const char *case_no;	/* route.case, or NULL */
	const char *queue, *category, *topic, *platform, *kind;	/* or NULL */
	time_t opened;		/* created_at */
	time_t answered;	/* 0: not yet */
	time_t acked;		/* 0: no automatic acknowledgement */
	time_t due;		/* route.due_at, or 0 */
	int by_hand;		/* the first answer was an own record */
};

struct sm_report_summary {
	time_t now;
	int has_since, has_until;
	time_t since, until;
	time_t first, last;	/* created_at of the messages counted */
	const char *zone;	/* of periods and dates: the calendar's, "UTC" */
	size_t records;		/* records read */
	size_t messages;	/* citizens' messages counted */
	size_t own, posts;	/* the administration's records */
	size_t repeated;	/* records of a message already counted */
	size_t filtered;	/* messages left out by the period or -w */
	size_t near_duplicates;	/* route.duplicate_of: their case's already */
	size_t not_asked;	/* kind search: overheard, not addressed */
	size_t orphans;		/* answers to messages not in the input */
	size_t cases, answered, acked, open;
	int business;		/* business hours could be counted */
};

struct sm_report;

/*
 * Reads and checks the report: section of cfg (and the calendars its
 * periods and business hours are counted on: borrowed, they must outlive
 * the report), compiles the -w filters.  NULL with err naming
 * file:line:column, or the -w argument.
 */
struct sm_report *sm_report_new(const struct sm_config *cfg,
    const struct sm_calendars *cals, const struct sm_report_options *opt,
    struct sm_error *err);
void sm_report_free(struct sm_report *r);

/*
 * Called for each case once it is decided: when it is answered, and at
 * sm_report_end for the open ones (oldest first).  The case is borrowed
 * for the call.
 */
typedef void (*sm_report_case_fn)(const struct sm_report_case *c, void *arg);
void sm_report_on_case(struct sm_report *r, sm_report_case_fn fn, void *arg);

/*
 * Adds to p the paths of a record the report reads (sm_report_add needs
 * no other field): the fixed ones, the -g fields, and those of the -w
 * filters and the commitments' conditions.
 */
struct sm_pick;
void sm_report_pick(const struct sm_report *r, struct sm_pick *p);

/*
 * Takes a record into account.  -1 with err when it cannot be (no id, no
 * created_at, not a time); the rest of the stream goes on.
 */
int sm_report_add(struct sm_report *r, json_t *rec, struct sm_error *err);

/* Ends the input: settles the open cases and computes the figures. */
void sm_report_end(struct sm_report *r);

/* After sm_report_end; all borrowed from r. */
const struct sm_report_summary *sm_report_summary(const struct sm_report *r);
/* The fields grouped by. */
const char *const *sm_report_fields(const struct sm_report *r, size_t *n);
/* The groups, by period, then most messages first; and all of them. */
size_t sm_report_ngroups(const struct sm_report *r);
const struct sm_report_group *sm_report_group(const struct sm_report *r,
    size_t i);
const struct sm_report_group *sm_report_total(const struct sm_report *r);
size_t sm_report_ncommitments(const struct sm_report *r);
const struct sm_report_commitment *sm_report_commitment(
    const struct sm_report *r, size_t i);
/* Open cases by queue (queue names in order), then their ages. */
size_t sm_report_nbacklog(const struct sm_report *r);
const struct sm_report_backlog *sm_report_backlog(const struct sm_report *r,
    size_t i);
/* The open cases past route.due_at, the longest overdue first. */
const struct sm_report_case *sm_report_overdue(const struct sm_report *r,
    size_t *n);

/*
 * Reads since and until: a date (YYYY-MM-DD, midnight in zone; with
 * end set, the midnight after it, so that the day is included), an RFC
 * 3339 time, or an age before now: Nd, Nw, Nm (months), Ny.  0, or -1.
 */
int sm_report_parse_time(const char *s, const struct sm_time_zone *zone,
    time_t now, int end, time_t *t);

/* The zone of periods: report.calendar's, else route.calendar's; NULL UTC. */
const struct sm_time_zone *sm_report_zone(const struct sm_report *r);

/*
 * The report of the period just before, of the same length, with the
 * same filters: when the period starts (--since); else NULL.
 */
const struct sm_report *sm_report_previous(const struct sm_report *r);

/* A mix's values, most messages first. */
size_t sm_report_nmix(const struct sm_report *r, enum sm_report_mix m);
const struct sm_report_count *sm_report_mix(const struct sm_report *r,
    enum sm_report_mix m, size_t i);

/*
 * The words and phrases of the messages counted: by classify.topic; with
 * --topic, in two classes, "topic" (its messages) and "rest".
 */
struct sm_terms *sm_report_terms(const struct sm_report *r);

/* --topic: its value (or NULL), and the messages most typical of it (at
 * most three, text as written: redact before showing). */
const char *sm_report_topic(const struct sm_report *r);
size_t sm_report_nexamples(const struct sm_report *r);
const char *sm_report_example(const struct sm_report *r, size_t i);

#endif
