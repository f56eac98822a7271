/* datefmt.h - dates in the citizen's language, for templates
 *
 * A template says {{route.due_at.date}} (template.h, "formatters"); the
 * tool registers these formatters with the template's language and the
 * calendar's time zone, so a deadline reads "2 de diciembre de 2026" in
 * Spanish and "2 December 2026" in English.
 */
#ifndef SM_DATEFMT_H
#define SM_DATEFMT_H

#include <time.h>

#include "sm/template.h"
#include "sm/time.h"

/* What the formatters of one template know. */
struct sm_datefmt {
	char lang[8];			/* es, ca, eu, gl, en; else en */
	const struct sm_time_zone *zone;	/* NULL: UTC */
};

/*
 * Appends t's date ("date": 2 de diciembre de 2026), time ("time":
 * 14:00) or both ("datetime": 2 de diciembre de 2026, 14:00) in f's
 * language and zone.  which is one of those names.
 */
void sm_datefmt_append(const struct sm_datefmt *f, const char *which,
    time_t t, struct sm_buf *out);

/*
 * The formatters date, time and datetime for f (which must outlive the
 * templates compiled with them): fills fmts[3] and returns 3.  A value
 * that is not a timestamp fails to render, saying so.
 */
size_t sm_datefmt_formatters(struct sm_datefmt *f,
    struct sm_template_formatter fmts[3]);

#endif
