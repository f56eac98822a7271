/* reply.h - sm-reply's engine: templates chosen by conditions, a text per
 * language, the platform's rules on the text
 *
 * The reply: section of sm.yaml lists templates; the first whose
 * conditions (cond.h) hold answers, in the message's language or the
 * first of reply.languages the template has.  Texts are Mustache
 * (template.h) over the record, with {{x.date}} in the template's language
 * (datefmt.h).  With no reply: section the built-in templates
 * (examples/replies/municipal.yaml) answer the built-in rule pack's
 * categories.
 */
#ifndef SM_REPLY_H
#define SM_REPLY_H

#include <jansson.h>

#include "sm/calendar.h"
#include "sm/config.h"
#include "sm/error.h"
#include "sm/util.h"

struct sm_replier;

/* A draft: what sm-reply writes in the record's reply object. */
struct sm_draft {
	const char *template;	/* borrowed; NULL: no template holds */
	int skip;		/* the template says nothing (skip: true) */
	int autosend;		/* auto: true */
	const char *lang;	/* the text's language; borrowed */
	const char *visibility;	/* "public" or "private"; borrowed */
	struct sm_buf text;	/* the reply, mention included */
	size_t length;		/* as the platform counts it */
	size_t max_length;	/* the platform's limit, 0: none known */
};

/*
 * Reads and checks the reply: section (or the built-in templates), with
 * the calendars whose zone dates are written in.  NULL with err naming
 * file:line:column: a template that does not parse, or names a field no
 * record can have.
 */
struct sm_replier *sm_replier_load(const struct sm_config *cfg,
    const struct sm_calendars *cals, struct sm_error *err);

void sm_replier_free(struct sm_replier *r);

/*
 * Drafts the reply to rec into d (whose text buffer the caller keeps and
 * reuses, and frees with sm_buf_free).  0, or -1 with err when the text
 * cannot be rendered (a formatter given a field that is not a date).
 */
int sm_replier_draft(struct sm_replier *r, json_t *rec, struct sm_draft *d,
    struct sm_error *err);

#endif
