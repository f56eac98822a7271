/* route.h - sm-route's engine: queues, rules, case numbers, deadlines
 *
 * The route: section of sm.yaml names the queues (the departments that
 * own messages) and an ordered list of rules whose conditions (cond.h)
 * choose a queue; the first rule that holds decides, unless it says
 * continue: true, and a default queue catches the rest.  A routed record
 * gets a case number from the state database: the same message id always
 * the same number, a follow-up in a thread its case's number.
 */
#ifndef SM_ROUTE_H
#define SM_ROUTE_H

#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "sm/calendar.h"
#include "sm/config.h"
#include "sm/error.h"
#include "sm/state.h"

struct sm_router;

/* How long a queue has to answer: N units of a kind (calendar.h). */
struct sm_route_sla {
	int set;
	enum sm_sla kind;
	double n;
	char *text;		/* as written: "2 business days" */
	const struct sm_calendar *cal;	/* NULL for SM_SLA_HOURS */
};

/* What routing decided for one record. */
struct sm_route {
	const char *queue;	/* borrowed from the router */
	const char *department;	/* or NULL */
	const char *rule;	/* the rule that decided, NULL: the default */
	int priority;		/* 1 (most urgent) to 5 */
	const struct sm_route_sla *sla;
	time_t arrival;		/* created_at, or the time of routing */
	time_t due;		/* 0 when there is no deadline */
	const char *error;	/* why there is none (a calendar that never
				 * opens), or NULL */
	json_t *explain;	/* with explain: the rules that held; new */
};

/*
 * Reads and checks the route: section (a missing one routes every
 * message to the queue "general"), with the calendars its deadlines are
 * counted on (borrowed; they must outlive the router).  NULL with err
 * naming file:line:column.
 */
struct sm_router *sm_router_load(const struct sm_config *cfg,
    const struct sm_calendars *cals, struct sm_error *err);

void sm_router_free(struct sm_router *r);

/* The time zone of route.calendar (NULL: UTC), for dates in templates. */
const struct sm_time_zone *sm_router_zone(const struct sm_router *r);

/*
 * Routes rec: its queue, priority and deadline; nothing is stored.
 * out->explain is set (a new reference) when explain is non-zero.
 */
int sm_router_route(struct sm_router *r, json_t *rec, int explain,
    struct sm_route *out, struct sm_error *err);

/*
 * Reads what the state database keeps for finding duplicates (the
 * signatures of the texts within route.duplicates.window of the newest),
 * and, unless dry_run, forgets the days before.  Once, before routing.
 */
int sm_router_load_state(struct sm_router *r, struct sm_state *st,
    int dry_run, struct sm_error *err);

/*
 * The case number of rec: the one it already has in st; else, when
 * thread.in_reply_to names a message that has one, that one (a follow-up
 * joins its case, and *joined is set); else, unless rec is the
 * administration's own (kind own or post), the case of a near-duplicate
 * text that arrived within the window (*dup_out names it); else a new
 * number of the year of arrival from the case format.  With dry_run
 * nothing is stored and a message without a case gets NULL.  *case_out
 * and *dup_out are new strings or NULL.  Call inside a group
 * (sm_state_begin) to commit many at once, and sm_router_store before
 * its commit.
 */
int sm_router_case(struct sm_router *r, struct sm_state *st, json_t *rec,
    const struct sm_route *rt, int dry_run, char **case_out,
    char **dup_out, int *joined, struct sm_error *err);

/*
 * Stores the signatures of the texts given case numbers since the last
 * call (one value a day for all of them), for later runs to find their
 * duplicates: call before committing the group.  sm_router_forget drops
 * them, when the group is rolled back.
 */
int sm_router_store(struct sm_router *r, struct sm_state *st,
    struct sm_error *err);
void sm_router_forget(struct sm_router *r);

/*
 * Appends the route object as compact JSON: queue, department, case,
 * priority, due_at, sla, rule, duplicate_of, delivered (and explain).
 * case_no, duplicate_of may be NULL; delivered a list or NULL for [].
 */
void sm_route_append(struct sm_buf *b, const struct sm_route *rt,
    const char *case_no, const char *duplicate_of, const json_t *delivered,
    const json_t *extra);

#endif
