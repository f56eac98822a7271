/* reportfmt.h - sm-report's figures written out: terminal, CSV, JSON,
 * Markdown, HTML; one row per case; the overdue list
 *
 * Everything is appended to an sm_buf; the tool writes it.  Times are
 * shown as durations on the terminal, in Markdown and HTML ("2h 05m"),
 * as hours with two decimals in CSV, and as seconds in JSON.
 */
#ifndef SM_REPORTFMT_H
#define SM_REPORTFMT_H

#include <time.h>

#include "sm/report.h"
#include "sm/util.h"

enum sm_report_format {
	SM_REPORT_TEXT,
	SM_REPORT_CSV,
	SM_REPORT_JSON,
	SM_REPORT_MD,
	SM_REPORT_HTML
};

struct sm_report_style {
	int color;		/* ANSI colours (a terminal, no NO_COLOR) */
	int redact;		/* no handle, name or personal data in values */
	const char *title;	/* of the HTML page; NULL for the default */
};

/* "text", "csv", "json", "md", "html": 0, or -1. */
int sm_report_format_parse(const char *s, enum sm_report_format *f);

/* The whole report, after sm_report_end. */
void sm_report_write(const struct sm_report *r, enum sm_report_format f,
    const struct sm_report_style *st, struct sm_buf *out);

/*
 * -f csv --rows: the header, then one anonymised row per case (no text,
 * no handle; the id hashed unless the case has a number).
 */
void sm_report_rows_header(struct sm_buf *out);
void sm_report_row(const struct sm_report_case *c, struct sm_buf *out);

/* --overdue: one line per open case past its deadline. */
void sm_report_overdue_line(const struct sm_report_case *c, time_t now,
    struct sm_buf *out);

/* A value shown in a report with --redact: personal data hashed. */
void sm_report_redact(const char *s, struct sm_buf *out);

#endif
