/* reportfmt.c - sm-report's figures written out */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sm/jsonl.h"
#include "sm/pii.h"
#include "sm/report.h"
#include "sm/reportfmt.h"
#include "sm/terms.h"
#include "sm/time.h"
#include "sm/util.h"

#define BAR_WIDTH 20		/* cells of the longest bar */
#define BOLD "\033[1m"
#define DIM "\033[2m"
#define GREEN "\033[32m"
#define RED "\033[31m"
#define RESET "\033[0m"

int
sm_report_format_parse(const char *s, enum sm_report_format *f)
{
	static const char *const names[] = { "text", "csv", "json", "md",
	    "html" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*f = (enum sm_report_format)i;
			return 0;
		}
	return -1;
}

static void
addf(struct sm_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
addf(struct sm_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	sm_buf_reserve(b, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* ------------------------------------------------------------------ */
/* Numbers as people read them */

static double
share(size_t part, size_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : NAN;
}

static void
add_percent(struct sm_buf *b, double p)
{
	if (isnan(p))
		sm_buf_adds(b, "-");
	else
		addf(b, "%.1f%%", p);
}

static void
add_duration(struct sm_buf *b, double secs)
{
	long m;

	if (isnan(secs)) {
		sm_buf_adds(b, "-");
		return;
	}
	m = lround(secs / 60);
	if (m < 60)
		addf(b, "%ldm", m);
	else if (m < 24 * 60)
		addf(b, "%ldh %02ldm", m / 60, m % 60);
	else
		addf(b, "%ldd %02ldh", m / 1440, (m % 1440) / 60);
}

static void
add_date(struct sm_buf *b, const struct sm_time_zone *z, time_t t)
{
	struct sm_civil c;

	sm_time_local(z, t, &c);
	addf(b, "%04d-%02d-%02d", c.year, c.month, c.day);
}

void
sm_report_redact(const char *s, struct sm_buf *out)
{
	if (s && (strchr(s, '@') || sm_pii_scan(s, strlen(s))))
		sm_buf_adds(out, "(redacted)");
	else if (s)
		sm_buf_adds(out, s);
}

/* Fields whose every value is personal: shown only as "(redacted)". */
static int
personal_field(const char *f)
{
	return strncmp(f, "author.", 7) == 0 || strcmp(f, "author") == 0 ||
	    strcmp(f, "text") == 0 || strcmp(f, "subject") == 0 ||
	    strcmp(f, "url") == 0 || strncmp(f, "email.", 6) == 0;
}

/* A group's value of field i as shown. */
static void
add_value(struct sm_buf *b, const struct sm_report *r,
    const struct sm_report_style *st, const struct sm_report_group *g,
    size_t i)
{
	size_t nf;
	const char *const *fields = sm_report_fields(r, &nf);
	const char *v = g->values ? g->values[i] : NULL;

	if (v == NULL)
		sm_buf_adds(b, "(none)");
	else if (st->redact && personal_field(fields[i]))
		sm_buf_adds(b, "(redacted)");
	else if (st->redact)
		sm_report_redact(v, b);
	else
		sm_buf_add_printable(b, v, strlen(v), 80);
}

/* ------------------------------------------------------------------ */
/* Tables: cells first, then text, Markdown or HTML */

struct tab {
	const char *title;
	const char *note;
	size_t ncols, n;	/* n cells so far */
	char **cells;
	size_t cap;
	char *align;		/* 'l' or 'r' per column; owned */
	int last_is_bar;	/* the last column is a bar (text only) */
};

static void
tab_cell(struct tab *t, const char *s)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->cells = xreallocarray(t->cells, t->cap, sizeof(*t->cells));
	}
	t->cells[t->n++] = xstrdup(s);
}

static void
tab_buf(struct tab *t, struct sm_buf *b)
{
	tab_cell(t, b->len ? b->data : "");
	sm_buf_reset(b);
}

static void
tab_cellf(struct tab *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
tab_cellf(struct tab *t, const char *fmt, ...)
{
	char s[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s, sizeof(s), fmt, ap);
	va_end(ap);
	tab_cell(t, s);
}

static void
tab_free(struct tab *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->align);
}

static void
tab_percent(struct tab *t, double p)
{
	struct sm_buf b = { 0 };

	add_percent(&b, p);
	tab_buf(t, &b);
	sm_buf_free(&b);
}

static void
tab_duration(struct tab *t, double secs)
{
	struct sm_buf b = { 0 };

	add_duration(&b, secs);
	tab_buf(t, &b);
	sm_buf_free(&b);
}

/* Columns a terminal gives the UTF-8 text (one a character). */
static size_t
width(const char *s)
{
	size_t w = 0, n = strlen(s), k;

	while (n) {
		k = sm_utf8_len(s, n);
		if (k == 0)
			k = 1;
		/* combining marks (U+0300-U+036F) take no column */
		if (!(k == 2 && (unsigned char)s[0] == 0xcc) &&
		    !(k == 2 && (unsigned char)s[0] == 0xcd &&
		    (unsigned char)s[1] < 0xb0))
			w++;
		s += k;
		n -= k;
	}
	return w;
}

static void
pad(struct sm_buf *b, size_t n)
{
	while (n--)
		sm_buf_addc(b, ' ');
}

static void
tab_text(const struct tab *t, const struct sm_report_style *st,
    struct sm_buf *b)
{
	size_t *w = xcalloc(t->ncols, sizeof(*w)), i, c;

	for (i = 0; i < t->n; i++)
		if (width(t->cells[i]) > w[i % t->ncols])
			w[i % t->ncols] = width(t->cells[i]);
	addf(b, "%s%s%s\n", st->color ? BOLD : "", t->title,
	    st->color ? RESET : "");
	for (i = 0; i < t->n; i += t->ncols) {
		struct sm_buf line = { 0 };

		if (i == 0 && st->color)
			sm_buf_adds(&line, DIM);
		for (c = 0; c < t->ncols; c++) {
			const char *s = t->cells[i + c];
			size_t gap = w[c] - width(s);
			int last = c + 1 == t->ncols;

			if (c)
				sm_buf_adds(&line, "  ");
			if (t->align[c] == 'r')
				pad(&line, gap);
			sm_buf_adds(&line, s);
			if (t->align[c] != 'r' && !last)
				pad(&line, gap);
		}
		while (line.len && line.data[line.len - 1] == ' ')
			line.data[--line.len] = '\0';
		if (i == 0 && st->color)
			sm_buf_adds(&line, RESET);
		sm_buf_add(b, line.data, line.len);
		sm_buf_addc(b, '\n');
		sm_buf_free(&line);
	}
	if (t->note)
		addf(b, "%s%s%s\n", st->color ? DIM : "", t->note,
		    st->color ? RESET : "");
	sm_buf_addc(b, '\n');
	free(w);
}

static void
md_cell(struct sm_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '\\' || *s == '*' || *s == '_' ||
		    *s == '`' || *s == '<' || *s == '[')
			sm_buf_addc(b, '\\');
		sm_buf_addc(b, *s);
	}
}

static void
tab_md(const struct tab *t, struct sm_buf *b)
{
	size_t ncols = t->ncols - (t->last_is_bar ? 1 : 0), i, c;

	addf(b, "### %s\n\n", t->title);
	for (i = 0; i < t->n; i += t->ncols) {
		sm_buf_addc(b, '|');
		for (c = 0; c < ncols; c++) {
			sm_buf_addc(b, ' ');
			md_cell(b, t->cells[i + c]);
			sm_buf_adds(b, " |");
		}
		sm_buf_addc(b, '\n');
		if (i == 0) {
			sm_buf_addc(b, '|');
			for (c = 0; c < ncols; c++)
				sm_buf_adds(b, t->align[c] == 'r' ? "---:|" :
				    "---|");
			sm_buf_addc(b, '\n');
		}
	}
	if (t->note)
		addf(b, "\n%s\n", t->note);
	sm_buf_addc(b, '\n');
}

static void
html_text(struct sm_buf *b, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '<': sm_buf_adds(b, "&lt;"); break;
		case '>': sm_buf_adds(b, "&gt;"); break;
		case '&': sm_buf_adds(b, "&amp;"); break;
		case '"': sm_buf_adds(b, "&quot;"); break;
		default: sm_buf_addc(b, *s);
		}
}

static void
tab_html(const struct tab *t, struct sm_buf *b)
{
	size_t ncols = t->ncols - (t->last_is_bar ? 1 : 0), i, c;

	sm_buf_adds(b, "<div class=\"wide\"><table>\n<caption>");
	html_text(b, t->title);
	sm_buf_adds(b, "</caption>\n");
	for (i = 0; i < t->n; i += t->ncols) {
		sm_buf_adds(b, i == 0 ? "<thead><tr>" : "<tr>");
		for (c = 0; c < ncols; c++) {
			const char *tag = i == 0 ? "th" : "td";

			if (i == 0)
				addf(b, "<th scope=\"col\"%s>",
				    t->align[c] == 'r' ? " class=\"n\"" : "");
			else
				addf(b, "<td%s>", t->align[c] == 'r' ?
				    " class=\"n\"" : "");
			html_text(b, t->cells[i + c]);
			addf(b, "</%s>", tag);
		}
		sm_buf_adds(b, i == 0 ? "</tr></thead>\n<tbody>\n" : "</tr>\n");
	}
	sm_buf_adds(b, "</tbody></table></div>\n");
	if (t->note) {
		sm_buf_adds(b, "<p class=\"note\">");
		html_text(b, t->note);
		sm_buf_adds(b, "</p>\n");
	}
}

/* Writes the table out and frees it. */
static void
tab_out(struct tab *t, enum sm_report_format f,
    const struct sm_report_style *st, struct sm_buf *b)
{
	if (f == SM_REPORT_MD)
		tab_md(t, b);
	else if (f == SM_REPORT_HTML)
		tab_html(t, b);
	else
		tab_text(t, st, b);
	tab_free(t);
}

/* A bar of share p (0-100) of the longest, in eighths of a cell. */
static void
add_bar(struct sm_buf *b, double p)
{
	static const char *const eighth[] = { "", "\u258f", "\u258e",
	    "\u258d", "\u258c", "\u258b", "\u258a", "\u2589" };
	long n;

	if (isnan(p) || p <= 0)
		return;
	n = lround(p / 100 * BAR_WIDTH * 8);
	if (n == 0)
		n = 1;
	for (; n >= 8; n -= 8)
		sm_buf_adds(b, "\u2588");
	sm_buf_adds(b, eighth[n]);
}

/* ------------------------------------------------------------------ */
/* The sections */

/* The header cells of the grouping columns, and a group's cells. */
static size_t
key_header(const struct sm_report *r, struct tab *t)
{
	size_t nf, i;
	const char *const *fields = sm_report_fields(r, &nf);

	if (sm_report_ngroups(r) && sm_report_group(r, 0)->period)
		tab_cell(t, "period");
	for (i = 0; i < nf; i++)
		tab_cell(t, fields[i]);
	if (t->n == 0)
		tab_cell(t, "");
	return t->n;
}

static void
key_cells(const struct sm_report *r, const struct sm_report_style *st,
    const struct sm_report_group *g, size_t nkey, struct tab *t)
{
	struct sm_buf b = { 0 };
	size_t nf, i, n = 0;

	sm_report_fields(r, &nf);
	if (g == sm_report_total(r)) {
		tab_cell(t, "all");
		for (n = 1; n < nkey; n++)
			tab_cell(t, "");
		return;
	}
	if (g->period) {
		tab_cell(t, g->period);
		n++;
	}
	for (i = 0; i < nf; i++, n++) {
		add_value(&b, r, st, g, i);
		tab_buf(t, &b);
	}
	if (n == 0)
		tab_cell(t, "all");
	sm_buf_free(&b);
}

static char *
align_of(size_t nkey, const char *rest)
{
	char *a = xmalloc(nkey + strlen(rest) + 1);

	memset(a, 'l', nkey);
	strcpy(a + nkey, rest);
	return a;
}

/* Every group, then the total when there are several. */
static size_t
nrows(const struct sm_report *r)
{
	return sm_report_ngroups(r) + (sm_report_ngroups(r) > 1);
}

static const struct sm_report_group *
row(const struct sm_report *r, size_t i)
{
	return i < sm_report_ngroups(r) ? sm_report_group(r, i) :
	    sm_report_total(r);
}

static void
section_messages(const struct sm_report *r, enum sm_report_format f,
    const struct sm_report_style *st, struct sm_buf *out)
{
	struct tab t = { .title = "Messages" };
	struct sm_buf b = { 0 };
	size_t nkey = key_header(r, &t), i, max = 0;
	const struct sm_report_group *all = sm_report_total(r);

	tab_cell(&t, "messages");
	tab_cell(&t, "share");
	tab_cell(&t, "");
	t.ncols = nkey + 3;
	t.align = align_of(nkey, "rrl");
	t.last_is_bar = 1;
	for (i = 0; i < sm_report_ngroups(r); i++)
		if (sm_report_group(r, i)->messages > max)
			max = sm_report_group(r, i)->messages;
	for (i = 0; i < nrows(r); i++) {
		const struct sm_report_group *g = row(r, i);

		key_cells(r, st, g, nkey, &t);
		tab_cellf(&t, "%zu", g->messages);
		tab_percent(&t, share(g->messages, all->messages));
		if (g != all)
			add_bar(&b, share(g->messages, max));
		tab_buf(&t, &b);
	}
	tab_out(&t, f, st, out);
	sm_buf_free(&b);
}

static void
section_times(const struct sm_report *r, enum sm_report_format f,
    const struct sm_report_style *st, struct sm_buf *out)
{
	static const char *const head[] = { "cases", "answered", "median",
	    "p90", "mean", "median bh", "p90 bh", "mean bh", "acks",
	    "ack median" };
	struct tab t = { .title = "Response time, to the first answer" };
	struct sm_buf b = { 0 };
	size_t nkey = key_header(r, &t), i;
	int bh = sm_report_summary(r)->business;

	for (i = 0; i < 10; i++)
		if (bh || i < 5 || i > 7)
			tab_cell(&t, head[i]);
	t.ncols = nkey + (bh ? 10 : 7);
	t.align = align_of(nkey, "rrrrrrrrrr");
	t.note = bh ? "Calendar time, and business hours (bh) of each "
	    "queue's calendar; automatic acknowledgements (acks) apart, as "
	    "they do not answer." : "Calendar time; automatic "
	    "acknowledgements (acks) apart, as they do not answer.";
	for (i = 0; i < nrows(r); i++) {
		const struct sm_report_group *g = row(r, i);

		key_cells(r, st, g, nkey, &t);
		tab_cellf(&t, "%zu", g->cases);
		addf(&b, "%zu (", g->answered);
		add_percent(&b, share(g->answered, g->cases));
		sm_buf_addc(&b, ')');
		tab_buf(&t, &b);
		tab_duration(&t, g->time.median);
		tab_duration(&t, g->time.p90);
		tab_duration(&t, g->time.mean);
		if (bh) {
			tab_duration(&t, g->business.median);
			tab_duration(&t, g->business.p90);
			tab_duration(&t, g->business.mean);
		}
		tab_cellf(&t, "%zu", g->acked);
		tab_duration(&t, g->ack.median);
	}
	tab_out(&t, f, st, out);
	sm_buf_free(&b);
}

static void
section_buckets(const struct sm_report *r, enum sm_report_format f,
    const struct sm_report_style *st, int business, struct sm_buf *out)
{
	struct tab t = { .title = business ?
	    "Answered within, in business hours" :
	    "Answered within, in calendar time" };
	size_t nkey = key_header(r, &t), i, k;

	tab_cell(&t, "answered");
	for (k = 0; k < SM_REPORT_NBUCKETS; k++)
		tab_cell(&t, sm_report_bucket_names[k]);
	t.ncols = nkey + 1 + SM_REPORT_NBUCKETS;
	t.align = align_of(nkey, "rrrrrr");
	t.note = "Shares of the answered cases; a bucket holds its lower "
	    "edge (1h is in 1-4h).";
	for (i = 0; i < nrows(r); i++) {
		const struct sm_report_group *g = row(r, i);
		const struct sm_report_times *tm = business ? &g->business :
		    &g->time;

		key_cells(r, st, g, nkey, &t);
		tab_cellf(&t, "%zu", tm->n);
		for (k = 0; k < SM_REPORT_NBUCKETS; k++)
			tab_percent(&t, share(tm->buckets[k], tm->n));
	}
	tab_out(&t, f, st, out);
}

static void
section_deadlines(const struct sm_report *r, enum sm_report_format f,
    const struct sm_report_style *st, struct sm_buf *out)
{
	struct tab t = { .title = "Deadlines (route.due_at)" };
	size_t nkey = key_header(r, &t), i;

	tab_cell(&t, "with deadline");
	tab_cell(&t, "answered in time");
	tab_cell(&t, "share");
	tab_cell(&t, "open, overdue");
	tab_cell(&t, "open, not yet due");
	t.ncols = nkey + 5;
	t.align = align_of(nkey, "rrrrr");
	t.note = "Cases whose deadline is decided: answered, or open past "
	    "it; open cases not yet due are apart.";
	for (i = 0; i < nrows(r); i++) {
		const struct sm_report_group *g = row(r, i);

		key_cells(r, st, g, nkey, &t);
		tab_cellf(&t, "%zu", g->with_due);
		tab_cellf(&t, "%zu", g->in_time);
		tab_percent(&t, share(g->in_time, g->with_due));
		tab_cellf(&t, "%zu", g->overdue);
		tab_cellf(&t, "%zu", g->pending);
	}
	tab_out(&t, f, st, out);
}

static void
section_backlog(const struct sm_report *r, enum sm_report_format f,
    const struct sm_report_style *st, struct sm_buf *out)
{
	struct tab t = { .title = "Backlog: open cases by queue and age" };
	size_t i, k;

	tab_cell(&t, "queue");
	tab_cell(&t, "open");
	tab_cell(&t, "overdue");
	for (k = 0; k < SM_REPORT_NAGES; k++)
		tab_cell(&t, sm_report_age_names[k]);
	t.ncols = 3 + SM_REPORT_NAGES;
	t.align = align_of(1, "rrrrrrr");
	for (i = 0; i < sm_report_nbacklog(r); i++) {
		const struct sm_report_backlog *bl = sm_report_backlog(r, i);

		tab_cell(&t, bl->queue ? bl->queue : "(none)");
		tab_cellf(&t, "%zu", bl->total);
		tab_cellf(&t, "%zu", bl->overdue);
		for (k = 0; k < SM_REPORT_NAGES; k++)
			tab_cellf(&t, "%zu", bl->ages[k]);
	}
	if (sm_report_nbacklog(r))
		tab_out(&t, f, st, out);
	else
		tab_free(&t);
}

/* "72.5% answered within 8 business hours (target 90%), based on 40
 * messages" */
static void
commitment_line(const struct sm_report_commitment *c,
    const struct sm_report_commitment *before, struct sm_buf *b)
{
	if (c->total == 0)
		addf(b, "no message decided yet: %s", c->text);
	else {
		add_percent(b, share(c->met, c->total));
		addf(b, " %s", c->text);
	}
	if (!isnan(c->target))
		addf(b, " (target %g%%)", c->target);
	addf(b, ", based on %zu message%s", c->total,
	    c->total == 1 ? "" : "s");
	if (c->pending)
		addf(b, "; %zu more still within the time", c->pending);
	if (before && before->total) {
		sm_buf_adds(b, "; the period before: ");
		add_percent(b, share(before->met, before->total));
		addf(b, " of %zu", before->total);
	}
}

/* The same commitment in the period before, or NULL. */
static const struct sm_report_commitment *
commitment_before(const struct sm_report *r, size_t i)
{
	const struct sm_report *prev = sm_report_previous(r);

	return prev && i < sm_report_ncommitments(prev) ?
	    sm_report_commitment(prev, i) : NULL;
}

static int
commitment_met(const struct sm_report_commitment *c)
{
	return c->total && (isnan(c->target) ||
	    share(c->met, c->total) >= c->target);
}

static void
period_text(const struct sm_report *r, struct sm_buf *b)
{
	const struct sm_report_summary *s = sm_report_summary(r);
	const struct sm_time_zone *z = sm_report_zone(r);

	if (s->has_since || s->messages) {
		add_date(b, z, s->has_since ? s->since : s->first);
		sm_buf_adds(b, " to ");
		if (s->has_until)
			add_date(b, z, s->until - 1);
		else
			add_date(b, z, s->messages ? s->last : s->now);
	} else
		sm_buf_adds(b, "no message");
	addf(b, " (%s)", s->zone);
}

static void
summary_text(const struct sm_report *r, struct sm_buf *b)
{
	const struct sm_report_summary *s = sm_report_summary(r);

	addf(b, "%zu message%s from citizens; %zu case%s to answer: %zu "
	    "answered, %zu open", s->messages, s->messages == 1 ? "" : "s",
	    s->cases, s->cases == 1 ? "" : "s", s->answered, s->open);
	if (s->acked)
		addf(b, "; %zu acknowledged automatically", s->acked);
	sm_buf_adds(b, ".");
	if (s->not_asked || s->near_duplicates)
		addf(b, " Not cases: %zu overheard (kind search), %zu joined "
		    "to another case (route.duplicate_of).", s->not_asked,
		    s->near_duplicates);
	if (s->repeated)
		addf(b, " %zu record%s of a message already counted, counted "
		    "once.", s->repeated, s->repeated == 1 ? "" : "s");
	if (s->filtered)
		addf(b, " %zu message%s outside the period or the filters.",
		    s->filtered, s->filtered == 1 ? "" : "s");
	if (s->orphans)
		addf(b, " %zu answer%s to messages not in the input.",
		    s->orphans, s->orphans == 1 ? "" : "s");
}

static const char how_measured[] =
    "Response time runs from the citizen's message (created_at) to the "
    "administration's first answer: a reply sent by sm-reply "
    "(reply.sent_at) or a message of its own that answers it "
    "(thread.in_reply_to). Automatic acknowledgements are counted apart "
    "and do not answer. Business hours are the opening hours of the "
    "queue's calendar, without weekends and holidays. Medians and 90th "
    "percentiles are interpolated between ranks, exact up to 4096 answers "
    "in a group and within 0.05% beyond. Each message is "
    "counted once, however often it was read; messages overheard (not "
    "addressed to the administration) and those joined to another case "
    "are counted, but are not cases to answer. Open cases are judged at "
    "the time of the report.";

/* ------------------------------------------------------------------ */
/* What the messages are, what they say, what changed */

#define TERMS_SHOWN 6		/* characteristic terms of a topic */
#define TERMS_MIN 2		/* messages a term must be in */
#define RISING_SHOWN 8

/* "+25%", "-10%", "new", "=": a count against the one before. */
static void
add_change(struct sm_buf *b, size_t now, size_t before)
{
	if (before == 0)
		sm_buf_adds(b, now ? "new" : "=");
	else if (now == before)
		sm_buf_adds(b, "=");
	else
		addf(b, "%+.0f%%", 100.0 * ((double)now - (double)before) /
		    (double)before);
}

/* A mix worth showing: some value is known. */
static int
mix_shown(const struct sm_report *r, enum sm_report_mix m)
{
	for (size_t i = 0; i < sm_report_nmix(r, m); i++)
		if (sm_report_mix(r, m, i)->value)
			return 1;
	return 0;
}

static void
section_mix(const struct sm_report *r, enum sm_report_format f,
    const struct sm_report_style *st, enum sm_report_mix m,
    struct sm_buf *out)
{
	const struct sm_report *prev = sm_report_previous(r);
	size_t n = sm_report_nmix(r, m), i, max = 0, all = 0;
	struct sm_buf b = { 0 }, title = { 0 };
	struct tab t = { 0 };

	const char *const *fields = sm_report_fields(r, &i);

	/* grouped by that field alone, the groups' table says it already */
	if (!mix_shown(r, m) || (i == 1 && strcmp(fields[0],
	    sm_report_mix_fields[m]) == 0))
		return;
	addf(&title, "By %s (%s)", sm_report_mix_names[m],
	    sm_report_mix_fields[m]);
	t.title = title.data;
	tab_cell(&t, sm_report_mix_names[m]);
	tab_cell(&t, "messages");
	tab_cell(&t, "share");
	if (prev) {
		tab_cell(&t, "before");
		tab_cell(&t, "change");
	}
	tab_cell(&t, "");
	t.ncols = prev ? 6 : 4;
	t.align = xstrdup(prev ? "lrrrrl" : "lrrl");
	t.last_is_bar = 1;
	if (prev)
		t.note = "Before: the period of the same length just before.";
	for (i = 0; i < n; i++) {
		all += sm_report_mix(r, m, i)->n;
		if (sm_report_mix(r, m, i)->n > max)
			max = sm_report_mix(r, m, i)->n;
	}
	for (i = 0; i < n; i++) {
		const struct sm_report_count *c = sm_report_mix(r, m, i);

		if (c->value == NULL)
			sm_buf_adds(&b, "(none)");
		else
			sm_buf_add_printable(&b, c->value, strlen(c->value),
			    40);
		tab_buf(&t, &b);
		tab_cellf(&t, "%zu", c->n);
		tab_percent(&t, share(c->n, all));
		if (prev) {
			tab_cellf(&t, "%zu", c->before);
			add_change(&b, c->n, c->before);
			tab_buf(&t, &b);
		}
		add_bar(&b, share(c->n, max));
		tab_buf(&t, &b);
	}
	tab_out(&t, f, st, out);
	sm_buf_free(&b);
	sm_buf_free(&title);
}

/* A list of terms, "contenedor, recogida, huele mal". */
static void
add_terms(struct sm_buf *b, const struct sm_term *top, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			sm_buf_adds(b, ", ");
		sm_buf_add_printable(b, top[i].shown, strlen(top[i].shown), 60);
	}
}

/* Class a before class b: more messages, then by name. */
static int
class_before(struct sm_terms *t, size_t a, size_t b)
{
	size_t na = sm_terms_messages(t, a), nb = sm_terms_messages(t, b);

	if (na != nb)
		return na > nb;
	return strcmp(sm_terms_class_name(t, a), sm_terms_class_name(t, b)) <
	    0;
}

/* The terms most characteristic of each topic, against the others. */
static void
section_terms(const struct sm_report *r, enum sm_report_format f,
    const struct sm_report_style *st, struct sm_buf *out)
{
	struct sm_terms *terms = sm_report_terms(r);
	size_t nc = sm_terms_nclasses(terms), i, k, shown = 0;
	size_t *order = xcalloc(nc + 1, sizeof(*order));
	struct sm_term top[TERMS_SHOWN];
	struct tab t = { .title = "What citizens raised: the words most "
	    "characteristic of each topic" };
	struct sm_buf b = { 0 };

	for (i = 0; i < nc; i++) {	/* a few dozen at most */
		for (k = i; k > 0 && class_before(terms, i, order[k - 1]); k--)
			order[k] = order[k - 1];
		order[k] = i;
	}
	tab_cell(&t, "topic");
	tab_cell(&t, "messages");
	tab_cell(&t, "characteristic words and phrases");
	t.ncols = 3;
	t.align = xstrdup("lrl");
	t.note = "Words and phrases in a larger share of the topic's "
	    "messages than of the others' (log-likelihood), not the most "
	    "frequent ones.";
	for (i = 0; i < nc; i++) {
		const char *name = sm_terms_class_name(terms, order[i]);

		if (strcmp(name, "rest") == 0 && sm_report_topic(r))
			continue;
		if (nc > 1 && strcmp(name, "(none)") == 0)
			continue;
		if ((k = sm_terms_top(terms, order[i], TERMS_MIN, top,
		    TERMS_SHOWN)) == 0)
			continue;
		if (sm_report_topic(r))
			name = sm_report_topic(r);
		sm_buf_add_printable(&b, name, strlen(name), 40);
		tab_buf(&t, &b);
		tab_cellf(&t, "%zu", sm_terms_messages(terms, order[i]));
		add_terms(&b, top, k);
		tab_buf(&t, &b);
		shown++;
	}
	if (shown)
		tab_out(&t, f, st, out);
	else
		tab_free(&t);
	free(order);
	sm_buf_free(&b);
}

/* The topics and the words that rose most against the period before. */
static void
section_rising(const struct sm_report *r, enum sm_report_format f,
    const struct sm_report_style *st, struct sm_buf *out)
{
	const struct sm_report *prev = sm_report_previous(r);
	struct sm_term top[RISING_SHOWN];
	struct sm_report_count *c;
	struct sm_buf b = { 0 };
	size_t n, i, j, k;

	if (prev == NULL)
		return;
	n = sm_report_nmix(r, SM_MIX_TOPIC);
	c = xcalloc(n + 1, sizeof(*c));
	for (i = k = 0; i < n; i++) {
		const struct sm_report_count *x = sm_report_mix(r,
		    SM_MIX_TOPIC, i);

		if (x->value && x->n > x->before)
			c[k++] = *x;
	}
	/* by how many more, then by how many */
	for (i = 1; i < k; i++)
		for (j = i; j > 0 && c[j].n - c[j].before >
		    c[j - 1].n - c[j - 1].before; j--) {
			struct sm_report_count tmp = c[j];

			c[j] = c[j - 1];
			c[j - 1] = tmp;
		}
	if (k) {
		struct tab t = { .title = "Rising: topics with more messages "
		    "than the period before" };

		tab_cell(&t, "topic");
		tab_cell(&t, "messages");
		tab_cell(&t, "before");
		tab_cell(&t, "change");
		t.ncols = 4;
		t.align = xstrdup("lrrr");
		for (i = 0; i < k && i < RISING_SHOWN; i++) {
			sm_buf_add_printable(&b, c[i].value,
			    strlen(c[i].value), 40);
			tab_buf(&t, &b);
			tab_cellf(&t, "%zu", c[i].n);
			tab_cellf(&t, "%zu", c[i].before);
			add_change(&b, c[i].n, c[i].before);
			tab_buf(&t, &b);
		}
		tab_out(&t, f, st, out);
	}
	free(c);
	k = sm_terms_rising(sm_report_terms(r), sm_report_terms(prev),
	    TERMS_MIN, top, RISING_SHOWN);
	if (k) {
		struct tab t = { .title = "Rising: words and phrases more "
		    "frequent than in the period before" };

		tab_cell(&t, "word or phrase");
		tab_cell(&t, "messages");
		tab_cell(&t, "before");
		t.ncols = 3;
		t.align = xstrdup("lrr");
		t.note = "By log-likelihood of their share of the messages, "
		    "now against before.";
		for (i = 0; i < k; i++) {
			sm_buf_add_printable(&b, top[i].shown,
			    strlen(top[i].shown), 60);
			tab_buf(&t, &b);
			tab_cellf(&t, "%zu", top[i].n);
			tab_cellf(&t, "%zu", top[i].rest);
		}
		tab_out(&t, f, st, out);
	}
	sm_buf_free(&b);
}

/*
 * A citizen's words as an example, with --redact: handles, addresses,
 * links, anything with a digit (phones, DNIs, plates, house numbers) and
 * words with a capital inside a sentence (names) taken out; "(redacted)"
 * if personal data is left.
 */
static void
add_example(struct sm_buf *b, const char *s, int redact)
{
	struct sm_buf w = { 0 };
	const char *p = s, *q;
	int masked = 0, first = 1;
	size_t start = b->len;

	if (!redact) {
		sm_buf_add_printable(b, s, strlen(s), 600);
		return;
	}
	while (*p) {
		int digit = 0, at = 0, name;
		const unsigned char *u = (const unsigned char *)p;

		for (q = p; *q && *q != ' ' && *q != '\n' && *q != '\t'; q++) {
			digit |= *q >= '0' && *q <= '9';
			at |= *q == '@';
		}
		/* a capital inside a sentence: a name, a street, a place */
		while (*u == '"' || *u == '\'' || *u == '(' || (u[0] == 0xc2 &&
		    (u[1] == 0xbf || u[1] == 0xa1)))
			u += u[0] == 0xc2 ? 2 : 1;
		name = !first && ((*u >= 'A' && *u <= 'Z') || (u[0] == 0xc3 &&
		    u[1] >= 0x80 && u[1] <= 0x9e && u[1] != 0x97));
		if (q > p)
			first = strchr(".!?:", q[-1]) != NULL;
		if (q > p) {
			if (digit || at || name || strncmp(p, "http", 4) == 0 ||
			    strncmp(p, "www.", 4) == 0) {
				if (!masked)
					sm_buf_adds(&w, "[...] ");
				masked = 1;
			} else {
				sm_buf_add(&w, p, (size_t)(q - p));
				sm_buf_addc(&w, ' ');
				masked = 0;
			}
		}
		p = *q ? q + 1 : q;
	}
	if (w.len)
		w.data[--w.len] = '\0';
	if (w.len && sm_pii_scan(w.data, w.len) == 0)
		sm_buf_add_printable(b, w.data, w.len, 600);
	if (b->len == start)
		sm_buf_adds(b, "(redacted)");
	sm_buf_free(&w);
}

/* The stance of the topic's messages: their sentiment shares. */
static void
add_stance(const struct sm_report *r, struct sm_buf *b)
{
	size_t n = sm_report_nmix(r, SM_MIX_SENTIMENT), i, all = 0;

	for (i = 0; i < n; i++)
		all += sm_report_mix(r, SM_MIX_SENTIMENT, i)->n;
	for (i = 0; i < n; i++) {
		const struct sm_report_count *c = sm_report_mix(r,
		    SM_MIX_SENTIMENT, i);

		if (i)
			sm_buf_adds(b, ", ");
		add_percent(b, share(c->n, all));
		addf(b, " %s", c->value ? c->value : "(none)");
	}
}

/* --topic: what people said about one subject. */
static void
section_consultation(const struct sm_report *r, enum sm_report_format f,
    const struct sm_report_style *st, struct sm_buf *out)
{
	const char *topic = sm_report_topic(r);
	struct sm_terms *terms = sm_report_terms(r);
	size_t in = sm_terms_messages(terms, 0), rest =
	    sm_terms_messages(terms, 1), k, i;
	struct sm_term top[TERMS_SHOWN * 2];
	struct tab t = { 0 };
	struct sm_buf b = { 0 }, title = { 0 };

	if (topic == NULL)
		return;
	sm_buf_adds(&title, "Consultation: ");
	sm_buf_add_printable(&title, topic, strlen(topic), 60);
	t.title = title.data;
	t.ncols = 2;
	t.align = xstrdup("ll");
	t.note = "The messages that carry the hashtag, or have the topic "
	    "(classify.topic), in the period; their characteristic words "
	    "against the other messages of the period; the examples are "
	    "those with most of these words.";
	tab_cell(&t, "");
	tab_cell(&t, "");
	tab_cell(&t, "messages");
	addf(&b, "%zu of %zu with a text (", in, in + rest);
	add_percent(&b, share(in, in + rest));
	sm_buf_adds(&b, ")");
	tab_buf(&t, &b);
	tab_cell(&t, "stance (classify.sentiment)");
	add_stance(r, &b);
	tab_buf(&t, &b);
	k = sm_terms_top(terms, 0, TERMS_MIN, top, TERMS_SHOWN * 2);
	tab_cell(&t, "characteristic words");
	add_terms(&b, top, k);
	tab_buf(&t, &b);
	for (i = 0; i < sm_report_nexamples(r); i++) {
		tab_cellf(&t, "example %zu", i + 1);
		add_example(&b, sm_report_example(r, i), st->redact);
		tab_buf(&t, &b);
	}
	tab_out(&t, f, st, out);
	sm_buf_free(&b);
	sm_buf_free(&title);
}

/* The period before, in one sentence. */
static void
previous_text(const struct sm_report *r, struct sm_buf *b)
{
	const struct sm_report *prev = sm_report_previous(r);
	const struct sm_report_summary *p, *s = sm_report_summary(r);
	const struct sm_time_zone *z = sm_report_zone(r);

	if (prev == NULL)
		return;
	p = sm_report_summary(prev);
	sm_buf_adds(b, "The period before, ");
	add_date(b, z, p->since);
	sm_buf_adds(b, " to ");
	add_date(b, z, p->until - 1);
	addf(b, ": %zu message%s (", p->messages, p->messages == 1 ? "" :
	    "s");
	add_change(b, s->messages, p->messages);
	addf(b, " now), %zu case%s, %zu answered", p->cases, p->cases == 1 ?
	    "" : "s", p->answered);
	if (p->answered) {
		sm_buf_adds(b, ", the median answer in ");
		add_duration(b, sm_report_total(prev)->time.median);
		if (s->answered) {
			sm_buf_adds(b, " (now ");
			add_duration(b, sm_report_total(r)->time.median);
			sm_buf_adds(b, ")");
		}
	}
	sm_buf_adds(b, ".");
}

/* ------------------------------------------------------------------ */
/* Terminal and Markdown */

static void
sparkline(const struct sm_report *r, struct sm_buf *b)
{
	static const char *const ticks[] = { "\u2581", "\u2582", "\u2583",
	    "\u2584", "\u2585", "\u2586", "\u2587", "\u2588" };
	size_t n = sm_report_ngroups(r), i, j, max = 0, np = 0;
	size_t *count = xcalloc(n + 1, sizeof(*count));
	const char *last = NULL;

	for (i = 0; i < n; i++) {
		const struct sm_report_group *g = sm_report_group(r, i);

		if (last == NULL || strcmp(last, g->period) != 0)
			np++;
		last = g->period;
		count[np - 1] += g->messages;
	}
	for (i = 0; i < np; i++)
		if (count[i] > max)
			max = count[i];
	for (i = 0; i < np && max; i++) {
		j = count[i] * 7 / max;
		sm_buf_adds(b, ticks[j]);
	}
	free(count);
}

static void
write_text(const struct sm_report *r, enum sm_report_format f,
    const struct sm_report_style *st, struct sm_buf *out)
{
	const struct sm_report_summary *s = sm_report_summary(r);
	int md = f == SM_REPORT_MD;
	struct sm_buf b = { 0 };

	period_text(r, &b);
	if (md)
		addf(out, "## Messages and answers, %s\n\n", b.data);
	else
		addf(out, "%sMessages and answers, %s%s\n", st->color ? BOLD :
		    "", b.data, st->color ? RESET : "");
	sm_buf_reset(&b);
	summary_text(r, &b);
	addf(out, "%s\n", b.data);
	if (sm_report_previous(r)) {
		sm_buf_reset(&b);
		previous_text(r, &b);
		addf(out, "%s%s\n", md ? "\n" : "", b.data);
	}
	if (sm_report_ngroups(r) > 1 && sm_report_group(r, 0)->period) {
		sm_buf_reset(&b);
		sparkline(r, &b);
		addf(out, "%sMessages per period: %s\n", md ? "\n" : "",
		    b.data);
	}
	sm_buf_addc(out, '\n');
	if (sm_report_ncommitments(r)) {
		addf(out, md ? "### Commitments\n\n" : "%sCommitments%s\n",
		    st->color ? BOLD : "", st->color ? RESET : "");
		for (size_t i = 0; i < sm_report_ncommitments(r); i++) {
			const struct sm_report_commitment *c =
			    sm_report_commitment(r, i);

			sm_buf_reset(&b);
			commitment_line(c, commitment_before(r, i), &b);
			if (md)
				addf(out, "- **%s**\n", b.data);
			else
				addf(out, "  %s%s%s\n", !st->color ? "" :
				    commitment_met(c) ? GREEN : RED, b.data,
				    st->color ? RESET : "");
		}
		sm_buf_addc(out, '\n');
	}
	section_consultation(r, f, st, out);
	section_messages(r, f, st, out);
	for (int m = 0; m < SM_REPORT_NMIX; m++)
		section_mix(r, f, st, m, out);
	if (s->cases) {
		section_times(r, f, st, out);
		section_buckets(r, f, st, 0, out);
		if (s->business)
			section_buckets(r, f, st, 1, out);
		section_deadlines(r, f, st, out);
	}
	section_backlog(r, f, st, out);
	if (!sm_report_topic(r))
		section_terms(r, f, st, out);
	section_rising(r, f, st, out);
	if (md)
		addf(out, "### How it is measured\n\n%s\n", how_measured);
	sm_buf_free(&b);
}

/* ------------------------------------------------------------------ */
/* CSV */

static void
csv_field(struct sm_buf *b, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		sm_buf_adds(b, s);
		return;
	}
	sm_buf_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			sm_buf_addc(b, '"');
		sm_buf_addc(b, *s);
	}
	sm_buf_addc(b, '"');
}

static void
csv_hours(struct sm_buf *b, double secs)
{
	sm_buf_addc(b, ',');
	if (!isnan(secs))
		addf(b, "%.2f", secs / 3600);
}

static void
csv_percent(struct sm_buf *b, double p)
{
	sm_buf_addc(b, ',');
	if (!isnan(p))
		addf(b, "%.1f", p);
}

static void
write_csv(const struct sm_report *r, const struct sm_report_style *st,
    struct sm_buf *out)
{
	size_t nf, i, k;
	const char *const *fields = sm_report_fields(r, &nf);
	const struct sm_report_group *all = sm_report_total(r);
	int period = sm_report_ngroups(r) && sm_report_group(r, 0)->period;
	struct sm_buf v = { 0 };

	if (period)
		sm_buf_adds(out, "period,");
	for (i = 0; i < nf; i++) {
		csv_field(out, fields[i]);
		sm_buf_addc(out, ',');
	}
	sm_buf_adds(out, "messages,share,cases,answered,acked,open,"
	    "median_h,p90_h,mean_h,business_median_h,business_p90_h,"
	    "business_mean_h,ack_median_h");
	for (k = 0; k < SM_REPORT_NBUCKETS; k++)
		addf(out, ",answered_%s", sm_report_bucket_names[k]);
	sm_buf_adds(out, ",with_deadline,in_time,overdue,not_yet_due\n");
	for (i = 0; i < sm_report_ngroups(r); i++) {
		const struct sm_report_group *g = sm_report_group(r, i);

		if (period) {
			csv_field(out, g->period);
			sm_buf_addc(out, ',');
		}
		for (k = 0; k < nf; k++) {
			sm_buf_reset(&v);
			if (g->values[k])
				add_value(&v, r, st, g, k);
			csv_field(out, v.len ? v.data : "");
			sm_buf_addc(out, ',');
		}
		addf(out, "%zu", g->messages);
		csv_percent(out, share(g->messages, all->messages));
		addf(out, ",%zu,%zu,%zu,%zu", g->cases, g->answered,
		    g->acked, g->open);
		csv_hours(out, g->time.median);
		csv_hours(out, g->time.p90);
		csv_hours(out, g->time.mean);
		csv_hours(out, g->business.median);
		csv_hours(out, g->business.p90);
		csv_hours(out, g->business.mean);
		csv_hours(out, g->ack.median);
		for (k = 0; k < SM_REPORT_NBUCKETS; k++)
			addf(out, ",%zu", g->time.buckets[k]);
		addf(out, ",%zu,%zu,%zu,%zu\n", g->with_due, g->in_time,
		    g->overdue, g->pending);
	}
	sm_buf_free(&v);
}

void
sm_report_rows_header(struct sm_buf *out)
{
	sm_buf_adds(out, "case,type,subject,channel,queue,opened,answered,"
	    "expected,status,acknowledged,answered_by\n");
}

static void
csv_time(struct sm_buf *b, time_t t)
{
	char s[SM_TIME_SIZE];

	sm_buf_addc(b, ',');
	if (t && sm_time_format(t, s, sizeof(s)) == 0)
		sm_buf_adds(b, s);
}

void
sm_report_row(const struct sm_report_case *c, struct sm_buf *out)
{
	if (c->case_no)
		csv_field(out, c->case_no);
	else
		addf(out, "id-%016lx", sm_hash(c->id, strlen(c->id)));
	sm_buf_addc(out, ',');
	csv_field(out, c->category ? c->category : "");
	sm_buf_addc(out, ',');
	csv_field(out, c->topic ? c->topic : "");
	sm_buf_addc(out, ',');
	csv_field(out, c->platform ? c->platform : "");
	sm_buf_addc(out, ',');
	csv_field(out, c->queue ? c->queue : "");
	csv_time(out, c->opened);
	csv_time(out, c->answered);
	csv_time(out, c->due);
	addf(out, ",%s", c->answered ? "closed" : "open");
	csv_time(out, c->acked);
	addf(out, ",%s\n", !c->answered ? "" : c->by_hand ? "hand" :
	    "sm-reply");
}

void
sm_report_overdue_line(const struct sm_report_case *c, time_t now,
    struct sm_buf *out)
{
	char due[SM_TIME_SIZE];
	long late = (long)((now - c->due) / 3600);

	sm_time_format(c->due, due, sizeof(due));
	addf(out, "%s\t%s\tdue %s\t", c->case_no ? c->case_no : "-",
	    c->queue ? c->queue : "-", due);
	if (late < 48)
		addf(out, "%ldh late", late);
	else
		addf(out, "%ldd late", late / 24);
	addf(out, "\t%s\n", c->id);
}

/* ------------------------------------------------------------------ */
/* JSON */

static json_t *
json_hours(double secs)
{
	return sm_json_real(secs);
}

static json_t *
json_times(const struct sm_report_times *t)
{
	json_t *o = json_object(), *b = json_object();

	json_object_set_new(o, "n", json_integer((json_int_t)t->n));
	json_object_set_new(o, "median", json_hours(t->median));
	json_object_set_new(o, "p90", json_hours(t->p90));
	json_object_set_new(o, "mean", json_hours(t->mean));
	for (size_t k = 0; k < SM_REPORT_NBUCKETS; k++)
		json_object_set_new(b, sm_report_bucket_names[k],
		    json_integer((json_int_t)t->buckets[k]));
	json_object_set_new(o, "buckets", b);
	return o;
}

static json_t *
json_group(const struct sm_report *r, const struct sm_report_style *st,
    const struct sm_report_group *g)
{
	const struct sm_report_group *all = sm_report_total(r);
	json_t *o = json_object(), *d = json_object(), *v;
	size_t nf, i;
	const char *const *fields = sm_report_fields(r, &nf);
	struct sm_buf b = { 0 };

	if (g != all) {
		if (g->period)
			json_object_set_new(o, "period", json_string(g->period));
		v = json_object();
		for (i = 0; i < nf; i++) {
			sm_buf_reset(&b);
			if (g->values[i] == NULL) {
				json_object_set_new(v, fields[i], json_null());
				continue;
			}
			add_value(&b, r, st, g, i);
			json_object_set_new(v, fields[i],
			    json_stringn_nocheck(b.data, b.len));
		}
		json_object_set_new(o, "values", v);
	}
	json_object_set_new(o, "messages", json_integer((json_int_t)g->messages));
	json_object_set_new(o, "share", sm_json_real(share(g->messages,
	    all->messages)));
	json_object_set_new(o, "cases", json_integer((json_int_t)g->cases));
	json_object_set_new(o, "answered", json_integer((json_int_t)g->answered));
	json_object_set_new(o, "acked", json_integer((json_int_t)g->acked));
	json_object_set_new(o, "open", json_integer((json_int_t)g->open));
	json_object_set_new(o, "time", json_times(&g->time));
	json_object_set_new(o, "business", json_times(&g->business));
	json_object_set_new(o, "ack", json_times(&g->ack));
	json_object_set_new(d, "with_deadline", json_integer((json_int_t)g->with_due));
	json_object_set_new(d, "in_time", json_integer((json_int_t)g->in_time));
	json_object_set_new(d, "share", sm_json_real(share(g->in_time,
	    g->with_due)));
	json_object_set_new(d, "overdue", json_integer((json_int_t)g->overdue));
	json_object_set_new(d, "not_yet_due", json_integer((json_int_t)g->pending));
	json_object_set_new(o, "deadline", d);
	sm_buf_free(&b);
	return o;
}

static json_t *
json_time(time_t t, int set)
{
	return set ? sm_time_json(t) : json_null();
}

static json_t *
json_terms(const struct sm_term *top, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s,s:I,s:I,s:o}",
		    "term", top[i].shown, "messages", (json_int_t)top[i].n,
		    "rest", (json_int_t)top[i].rest, "keyness",
		    sm_json_real(top[i].keyness)));
	return a;
}

/* The mixes, the terms, the period before and the consultation. */
static void
json_talk(const struct sm_report *r, const struct sm_report_style *st,
    json_t *o)
{
	const struct sm_report *prev = sm_report_previous(r);
	struct sm_terms *terms = sm_report_terms(r);
	struct sm_term top[RISING_SHOWN * 2];
	json_t *x = json_object(), *a, *v;
	struct sm_buf b = { 0 };
	size_t i, k, all;

	for (int m = 0; m < SM_REPORT_NMIX; m++) {
		a = json_array();
		for (i = all = 0; i < sm_report_nmix(r, m); i++)
			all += sm_report_mix(r, m, i)->n;
		for (i = 0; i < sm_report_nmix(r, m); i++) {
			const struct sm_report_count *c = sm_report_mix(r, m,
			    i);

			v = json_pack("{s:o,s:I,s:o}", "value",
			    sm_json_str_or_null(c->value), "messages",
			    (json_int_t)c->n, "share",
			    sm_json_real(share(c->n, all)));
			if (prev)
				json_object_set_new(v, "before",
				    json_integer((json_int_t)c->before));
			json_array_append_new(a, v);
		}
		json_object_set_new(x, sm_report_mix_fields[m], a);
	}
	json_object_set_new(o, "mix", x);
	x = json_object();
	for (i = 0; i < sm_terms_nclasses(terms); i++) {
		const char *name = sm_terms_class_name(terms, i);

		if (sm_report_topic(r) && strcmp(name, "rest") == 0)
			continue;
		k = sm_terms_top(terms, i, TERMS_MIN, top, TERMS_SHOWN * 2);
		json_object_set_new(x, sm_report_topic(r) ?
		    sm_report_topic(r) : name, json_terms(top, k));
	}
	json_object_set_new(o, "terms", x);
	if (prev) {
		const struct sm_report_summary *p = sm_report_summary(prev);

		x = json_pack("{s:o,s:o,s:I,s:I,s:I,s:I}", "since",
		    sm_time_json(p->since), "until", sm_time_json(p->until),
		    "messages", (json_int_t)p->messages, "cases",
		    (json_int_t)p->cases, "answered", (json_int_t)p->answered,
		    "open", (json_int_t)p->open);
		a = json_array();
		for (i = 0; i < sm_report_ncommitments(prev); i++) {
			const struct sm_report_commitment *c =
			    sm_report_commitment(prev, i);

			json_array_append_new(a, json_pack("{s:s,s:I,s:I,s:o}",
			    "name", c->name, "met", (json_int_t)c->met,
			    "total", (json_int_t)c->total, "share",
			    sm_json_real(share(c->met, c->total))));
		}
		json_object_set_new(x, "commitments", a);
		json_object_set_new(x, "time", json_times(
		    &sm_report_total(prev)->time));
		k = sm_terms_rising(terms, sm_report_terms(prev), TERMS_MIN,
		    top, RISING_SHOWN);
		json_object_set_new(x, "rising_terms", json_terms(top, k));
		json_object_set_new(o, "previous", x);
	}
	if (sm_report_topic(r)) {
		a = json_array();
		for (i = 0; i < sm_report_nexamples(r); i++) {
			sm_buf_reset(&b);
			add_example(&b, sm_report_example(r, i), st->redact);
			json_array_append_new(a, json_stringn(b.data, b.len));
		}
		json_object_set_new(o, "topic", json_pack("{s:s,s:I,s:I,s:o}",
		    "value", sm_report_topic(r), "messages",
		    (json_int_t)sm_terms_messages(terms, 0), "rest",
		    (json_int_t)sm_terms_messages(terms, 1), "examples", a));
	}
	sm_buf_free(&b);
}

static void
write_json(const struct sm_report *r, const struct sm_report_style *st,
    struct sm_buf *out)
{
	const struct sm_report_summary *s = sm_report_summary(r);
	json_t *o = json_object(), *a, *x;
	size_t i, n, k;
	const struct sm_report_case *late = sm_report_overdue(r, &n);
	const char *const *fields;

	x = json_object();
	json_object_set_new(x, "since", json_time(s->since, s->has_since));
	json_object_set_new(x, "until", json_time(s->until, s->has_until));
	json_object_set_new(x, "first", json_time(s->first, s->messages > 0));
	json_object_set_new(x, "last", json_time(s->last, s->messages > 0));
	json_object_set_new(x, "now", sm_time_json(s->now));
	json_object_set_new(x, "zone", json_string(s->zone));
	json_object_set_new(o, "period", x);
	x = json_object();
#define N(f) json_object_set_new(x, #f, json_integer((json_int_t)s->f))
	N(records); N(messages); N(cases); N(answered); N(acked); N(open);
	N(own); N(posts); N(repeated); N(filtered); N(not_asked);
	N(near_duplicates); N(orphans);
#undef N
	json_object_set_new(o, "summary", x);
	a = json_array();
	for (i = 0; i < sm_report_ncommitments(r); i++) {
		const struct sm_report_commitment *c = sm_report_commitment(r,
		    i);

		json_array_append_new(a, json_pack("{s:s,s:s,s:o,s:I,s:I,s:I,"
		    "s:o}", "name", c->name, "text", c->text, "target",
		    sm_json_real(c->target), "met", (json_int_t)c->met,
		    "total", (json_int_t)c->total, "pending",
		    (json_int_t)c->pending, "share",
		    sm_json_real(share(c->met, c->total))));
	}
	json_object_set_new(o, "commitments", a);
	fields = sm_report_fields(r, &n);
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(fields[i]));
	json_object_set_new(o, "fields", a);
	a = json_array();
	for (i = 0; i < sm_report_ngroups(r); i++)
		json_array_append_new(a, json_group(r, st,
		    sm_report_group(r, i)));
	json_object_set_new(o, "groups", a);
	json_object_set_new(o, "total", json_group(r, st, sm_report_total(r)));
	a = json_array();
	for (i = 0; i < sm_report_nbacklog(r); i++) {
		const struct sm_report_backlog *b = sm_report_backlog(r, i);
		json_t *ages = json_object();

		for (k = 0; k < SM_REPORT_NAGES; k++)
			json_object_set_new(ages, sm_report_age_names[k],
			    json_integer((json_int_t)b->ages[k]));
		json_array_append_new(a, json_pack("{s:o,s:I,s:I,s:o}",
		    "queue", sm_json_str_or_null(b->queue), "open",
		    (json_int_t)b->total, "overdue", (json_int_t)b->overdue,
		    "ages", ages));
	}
	json_object_set_new(o, "backlog", a);
	a = json_array();
	late = sm_report_overdue(r, &n);
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:o,s:s,s:o,s:o,s:o}",
		    "case", sm_json_str_or_null(late[i].case_no), "id",
		    late[i].id, "queue", sm_json_str_or_null(late[i].queue),
		    "opened", sm_time_json(late[i].opened), "due_at",
		    sm_time_json(late[i].due)));
	json_object_set_new(o, "overdue", a);
	json_talk(r, st, o);
	sm_json_append(out, o);
	sm_buf_addc(out, '\n');
	json_decref(o);
}

/* ------------------------------------------------------------------ */
/* HTML: one page, no script, no network; every chart has its table */

static const char css[] =
    "body{font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,"
    "sans-serif;margin:0;color:#1a1a1a;background:#fff}"
    "main{max-width:60rem;margin:0 auto;padding:1rem}"
    "h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.25rem;"
    "margin-top:2rem;border-bottom:1px solid #ccc}"
    ".commit{display:flex;flex-wrap:wrap;gap:1rem}"
    ".card{flex:1 1 16rem;border:1px solid #ccc;border-radius:.5rem;"
    "padding:.75rem}.big{font-size:2.2rem;font-weight:700}"
    ".met{color:#1b6e20}.missed{color:#a4161a}"
    ".wide{overflow-x:auto}table{border-collapse:collapse;margin:.5rem 0;"
    "font-size:.9rem}caption{text-align:left;font-weight:600;"
    "padding:.25rem 0}th,td{padding:.2rem .5rem;border-bottom:1px solid "
    "#ddd;text-align:left;white-space:nowrap}.n{text-align:right;"
    "font-variant-numeric:tabular-nums}"
    "svg{max-width:100%;height:auto;display:block}"
    ".note{color:#555;font-size:.85rem}"
    "aside{background:#f3f6f9;border-left:4px solid #4a78a8;"
    "padding:.5rem 1rem;margin:2rem 0}"
    "@media print{main{max-width:none}.wide{overflow:visible}"
    "h2{break-after:avoid}table,svg,.card{break-inside:avoid}}";

static const char *const bucket_colors[SM_REPORT_NBUCKETS] = {
	"#1b6e20", "#5a9e3a", "#e0b000", "#e07000", "#a4161a"
};

/* A group's label: its values joined, or its period. */
static void
group_label(const struct sm_report *r, const struct sm_report_style *st,
    const struct sm_report_group *g, struct sm_buf *b)
{
	size_t nf, i;

	sm_report_fields(r, &nf);
	if (g == sm_report_total(r)) {
		sm_buf_adds(b, "all");
		return;
	}
	if (g->period)
		sm_buf_adds(b, g->period);
	for (i = 0; i < nf; i++) {
		if (i || g->period)
			sm_buf_adds(b, " \u00b7 ");
		add_value(b, r, st, g, i);
	}
	if (nf == 0 && g->period == NULL)
		sm_buf_adds(b, "all");
}

/* Horizontal bars of the messages of each group (the first 25). */
static void
svg_messages(const struct sm_report *r, const struct sm_report_style *st,
    struct sm_buf *out)
{
	size_t n = sm_report_ngroups(r), i, max = 1;
	struct sm_buf label = { 0 };

	if (n > 25)
		n = 25;
	for (i = 0; i < n; i++)
		if (sm_report_group(r, i)->messages > max)
			max = sm_report_group(r, i)->messages;
	addf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 640 %zu\" role=\"img\" aria-label=\""
	    "Messages by group: a bar chart; the table below has the same "
	    "figures\" font-size=\"13\">\n", n * 22 + 4);
	for (i = 0; i < n; i++) {
		const struct sm_report_group *g = sm_report_group(r, i);
		double w = 330.0 * (double)g->messages / (double)max;

		sm_buf_reset(&label);
		group_label(r, st, g, &label);
		sm_buf_adds(out, "<text x=\"0\" y=\"");
		addf(out, "%zu\">", i * 22 + 16);
		if (label.len > 40) {
			size_t k = 37;

			while (k > 0 && ((unsigned char)label.data[k] & 0xc0) ==
			    0x80)
				k--;
			label.len = k;
			label.data[k] = '\0';
			sm_buf_adds(&label, "...");
		}
		html_text(out, label.data);
		addf(out, "</text><rect x=\"250\" y=\"%zu\" width=\"%.1f\" "
		    "height=\"16\" fill=\"#4a78a8\"/><text x=\"%.1f\" y=\"%zu\">"
		    "%zu</text>\n", i * 22 + 4, w, 250 + w + 4, i * 22 + 16,
		    g->messages);
	}
	sm_buf_adds(out, "</svg>\n");
	sm_buf_free(&label);
}

/* One bar in five parts: the shares of the answered in each bucket. */
static void
svg_buckets(const struct sm_report_times *t, const char *what,
    struct sm_buf *out)
{
	double x = 0;
	size_t k;

	addf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 640 58\" role=\"img\" aria-label=\""
	    "Answered within, %s: a bar in five parts; the table below has "
	    "the same figures\" font-size=\"12\">\n", what);
	for (k = 0; k < SM_REPORT_NBUCKETS && t->n; k++) {
		double w = 640.0 * (double)t->buckets[k] / (double)t->n;

		if (w > 0)
			addf(out, "<rect x=\"%.1f\" y=\"0\" width=\"%.1f\" "
			    "height=\"24\" fill=\"%s\"/>\n", x, w,
			    bucket_colors[k]);
		x += w;
	}
	for (k = 0; k < SM_REPORT_NBUCKETS; k++) {
		addf(out, "<rect x=\"%zu\" y=\"36\" width=\"12\" height=\"12\" "
		    "fill=\"%s\"/><text x=\"%zu\" y=\"47\">", k * 128,
		    bucket_colors[k], k * 128 + 16);
		html_text(out, sm_report_bucket_names[k]);
		sm_buf_adds(out, " ");
		add_percent(out, share(t->buckets[k], t->n));
		sm_buf_adds(out, "</text>\n");
	}
	sm_buf_adds(out, "</svg>\n");
}

/* A commitment: its share as a bar, the target as a line. */
static void
html_commitment(const struct sm_report_commitment *c,
    const struct sm_report_commitment *before, struct sm_buf *out)
{
	struct sm_buf b = { 0 };
	double p = share(c->met, c->total);

	addf(out, "<div class=\"card\"><div class=\"big %s\">",
	    commitment_met(c) ? "met" : "missed");
	add_percent(out, p);
	sm_buf_adds(out, "</div><p>");
	commitment_line(c, before, &b);
	html_text(out, b.data);
	sm_buf_adds(out, "</p>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 300 20\" role=\"img\" "
	    "aria-label=\"");
	html_text(out, b.data);
	sm_buf_adds(out, "\"><rect width=\"300\" height=\"14\" "
	    "fill=\"#e6e6e6\"/>");
	if (!isnan(p))
		addf(out, "<rect width=\"%.1f\" height=\"14\" fill=\"%s\"/>",
		    3 * p, commitment_met(c) ? "#1b6e20" : "#a4161a");
	if (!isnan(c->target))
		addf(out, "<rect x=\"%.1f\" y=\"0\" width=\"2\" height=\"20\" "
		    "fill=\"#1a1a1a\"/>", c->target >= 100 ? 298 :
		    3 * c->target);
	sm_buf_adds(out, "</svg></div>\n");
	sm_buf_free(&b);
}

static void
write_html(const struct sm_report *r, const struct sm_report_style *st,
    struct sm_buf *out)
{
	const struct sm_report_summary *s = sm_report_summary(r);
	const char *title = st->title ? st->title :
	    "Messages and answers on social media";
	struct sm_buf b = { 0 };
	size_t i;

	sm_buf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n<title>");
	html_text(out, title);
	addf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n"
	    "<h1>", css);
	html_text(out, title);
	sm_buf_adds(out, "</h1>\n<p>");
	period_text(r, &b);
	html_text(out, b.data);
	sm_buf_adds(out, ". ");
	sm_buf_reset(&b);
	summary_text(r, &b);
	html_text(out, b.data);
	if (sm_report_previous(r)) {
		sm_buf_reset(&b);
		previous_text(r, &b);
		sm_buf_adds(out, " ");
		html_text(out, b.data);
	}
	sm_buf_adds(out, "</p>\n");
	if (sm_report_topic(r)) {
		sm_buf_adds(out, "<h2>Consultation</h2>\n");
		section_consultation(r, SM_REPORT_HTML, st, out);
	}
	if (sm_report_ncommitments(r)) {
		sm_buf_adds(out, "<h2>Our commitments</h2>\n<div class=\""
		    "commit\">\n");
		for (i = 0; i < sm_report_ncommitments(r); i++)
			html_commitment(sm_report_commitment(r, i),
			    commitment_before(r, i), out);
		sm_buf_adds(out, "</div>\n");
	}
	sm_buf_adds(out, "<h2>Messages</h2>\n");
	svg_messages(r, st, out);
	section_messages(r, SM_REPORT_HTML, st, out);
	for (int m = 0; m < SM_REPORT_NMIX; m++)
		section_mix(r, SM_REPORT_HTML, st, m, out);
	if (s->cases) {
		sm_buf_adds(out, "<h2>Response times</h2>\n");
		section_times(r, SM_REPORT_HTML, st, out);
		svg_buckets(&sm_report_total(r)->time, "calendar time", out);
		section_buckets(r, SM_REPORT_HTML, st, 0, out);
		if (s->business) {
			svg_buckets(&sm_report_total(r)->business,
			    "business hours", out);
			section_buckets(r, SM_REPORT_HTML, st, 1, out);
		}
		sm_buf_adds(out, "<h2>Deadlines</h2>\n");
		section_deadlines(r, SM_REPORT_HTML, st, out);
	}
	if (sm_report_nbacklog(r)) {
		sm_buf_adds(out, "<h2>Waiting for an answer</h2>\n");
		section_backlog(r, SM_REPORT_HTML, st, out);
	}
	sm_buf_adds(out, "<h2>What citizens raised</h2>\n");
	if (!sm_report_topic(r))
		section_terms(r, SM_REPORT_HTML, st, out);
	section_rising(r, SM_REPORT_HTML, st, out);
	sm_buf_adds(out, "<aside>\n<h2>How it is measured</h2>\n<p>");
	html_text(out, how_measured);
	sm_buf_adds(out, "</p>\n<p>Made by sm-report from the messages "
	    "themselves; no personal data is shown.</p>\n</aside>\n"
	    "</main>\n</body>\n</html>\n");
	sm_buf_free(&b);
}

void
sm_report_write(const struct sm_report *r, enum sm_report_format f,
    const struct sm_report_style *st, struct sm_buf *out)
{
	/* redacted, no word written as a name is shown */
	sm_terms_no_names(sm_report_terms(r), st->redact);
	if (sm_report_previous(r))
		sm_terms_no_names(sm_report_terms(sm_report_previous(r)),
		    st->redact);
	switch (f) {
	case SM_REPORT_CSV:
		write_csv(r, st, out);
		break;
	case SM_REPORT_JSON:
		write_json(r, st, out);
		break;
	case SM_REPORT_HTML:
		write_html(r, st, out);
		break;
	default:
		write_text(r, f, st, out);
		break;
	}
}
