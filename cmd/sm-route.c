/* sm-route - give each message the department that owns it, a case number
 * and a deadline */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <jansson.h>

#include "sm/calendar.h"
#include "sm/config.h"
#include "sm/datefmt.h"
#include "sm/deliver.h"
#include "sm/jsonl.h"
#include "sm/route.h"
#include "sm/state.h"
#include "sm/tool.h"
#include "sm/util.h"

/* Records whose case numbers are committed together. */
#define BATCH 4096

static const char usage_text[] =
    "usage: sm-route [-nquvx] [-c file] [-r file] [--split dir]\n"
    "                [--state file] [file ...]\n"
    "       sm-route --check [-v] [-c file]\n"
    "  -c, --config FILE   configuration (default: $SM_CONFIG, ./sm.yaml, ...)\n"
    "      --check         load the configuration, say its warnings, and exit\n"
    "  -n, --dry-run       route, but store no case number and deliver nothing\n"
    "  -r, --rejects FILE  append lines that are not records to FILE\n"
    "      --split DIR     also append each record to DIR/QUEUE.jsonl\n"
    "      --state FILE    the state database (default: state: or\n"
    "                      $XDG_STATE_HOME/sm/state.db)\n"
    "  -u, --unbuffered    route and write each record before reading the next\n"
    "  -x, --explain       say which rules held, in route.explain\n"
    "  -q, --quiet         do not report rejected lines nor config warnings\n"
    "  -v, --verbose       say which configuration is used, and a summary\n"
    "  -h, --help          this help\n"
    "  -V, --version       the version\n";

/*
 * A record of the batch.  Most are written out as soon as they are routed,
 * into the batch's lines; one with deliveries to make is kept whole until
 * its case number is committed.
 */
struct held {
	json_t *rec;		/* kept for delivery, else NULL */
	size_t off, len;	/* its line in lines; or, kept, in raws */
	int dup_keys;
	int had_route;		/* the input had a route object already */
	const char *name;	/* file:line, for messages */
	unsigned long lineno;
	struct sm_route rt;
	char *case_no;
	char *dup_of;
};

static struct sm_tool tool;
static struct sm_router *router;
static struct sm_state *st;
static struct sm_deliver *deliver;
static const char *split_dir;
static int dry_run, explain;
static struct sm_buf lines;	/* the batch's output, written once committed */
static struct sm_buf raws;	/* the kept records' lines as read */

static void
usage(FILE *fp)
{
	fputs(usage_text, fp);
}

/*
 * --split's files, opened once a run: one per queue.  A batch's lines for
 * a queue are written in one write(2), and taken back whole if it fails.
 */
static struct split {
	char *queue;
	char *path;
	int fd;
	struct sm_buf lines;	/* the batch's, not yet written */
} *splits;
static size_t nsplits;

static struct split *
split_for(const char *queue)
{
	struct sm_buf path = { 0 };
	struct split *sp;
	size_t i;

	for (i = 0; i < nsplits; i++)
		if (strcmp(splits[i].queue, queue) == 0)
			return &splits[i];
	sm_buf_adds(&path, split_dir);
	sm_buf_addc(&path, '/');
	sm_buf_adds(&path, queue);
	sm_buf_adds(&path, ".jsonl");
	splits = xreallocarray(splits, nsplits + 1, sizeof(*splits));
	sp = &splits[nsplits++];
	memset(sp, 0, sizeof(*sp));
	sp->queue = xstrdup(queue);
	sp->path = path.data;
	if ((sp->fd = open(sp->path, O_WRONLY | O_APPEND | O_CREAT |
	    O_CLOEXEC, 0600)) < 0) {
		sm_tool_warn(&tool, "%s: %s", sp->path, strerror(errno));
		sm_tool_fail(&tool, EX_CANTCREAT);
	}
	return sp;
}

/* Appends what the batch gave each queue, whole or not at all. */
static void
split_flush(void)
{
	struct split *sp;
	struct stat sb;
	ssize_t w;
	size_t i;
	int e;

	for (i = 0; i < nsplits; i++) {
		sp = &splits[i];
		if (sp->lines.len == 0 || sp->fd < 0)
			goto next;
		if ((w = write(sp->fd, sp->lines.data, sp->lines.len)) ==
		    (ssize_t)sp->lines.len)
			goto next;
		e = w < 0 ? errno : ENOSPC;
		/* lines half written are taken back */
		if (w > 0 && (fstat(sp->fd, &sb) < 0 ||
		    ftruncate(sp->fd, sb.st_size - w) < 0))
			sm_tool_warn(&tool, "%s: cannot take back a partial "
			    "line: %s", sp->path, strerror(errno));
		sm_tool_warn(&tool, "%s: write error: %s", sp->path,
		    strerror(e));
		sm_tool_fail(&tool, EX_CANTCREAT);
next:
		sm_buf_reset(&sp->lines);
	}
}

static int
split_close(void)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < nsplits; i++) {
		if (splits[i].fd >= 0 && close(splits[i].fd) < 0 && rc == 0) {
			sm_tool_warn(&tool, "%s: write error: %s",
			    splits[i].path, strerror(errno));
			rc = -1;
		}
		free(splits[i].queue);
		free(splits[i].path);
		sm_buf_free(&splits[i].lines);
	}
	free(splits);
	splits = NULL;
	nsplits = 0;
	return rc;
}

/*
 * Delivers a routed record (the templates read its route object, set for
 * the while); the route's added fields (pending, open311_id) are returned.
 */
static json_t *
deliver_one(struct held *h, struct sm_delivery *dv)
{
	struct sm_buf own = { 0 };
	struct sm_error err;
	json_t *extra = json_object(), *v;

	sm_route_append(&own, &h->rt, h->case_no, h->dup_of, NULL, NULL);
	v = json_loadb(own.data, own.len, 0, NULL);
	sm_buf_free(&own);
	sm_record_set_last(h->rec, "route", v);
	if (sm_deliver_record(deliver, h->rt.queue, h->rec, dry_run, dv,
	    &err) < 0) {
		sm_tool_warn(&tool, "%s:%lu: %s", h->name, h->lineno, err.text);
		sm_tool_fail(&tool, err.file[0] ? EX_CANTCREAT : EX_DATAERR);
	}
	sm_tool_fail(&tool, dv->status);
	if (!h->had_route)
		json_object_del(h->rec, "route");
	if (dv->pending && json_array_size(dv->pending))
		json_object_set(extra, "pending", dv->pending);
	if (dv->unknown && json_array_size(dv->unknown))
		json_object_set(extra, "unknown", dv->unknown);
	if (dv->open311_id)
		json_object_set(extra, "open311_id", dv->open311_id);
	return extra;
}

/* The line a routed record is written as, appended to out. */
static void
render(struct held *h, json_t *rec, const char *raw, size_t rawlen,
    const struct sm_delivery *dv, json_t *extra, struct sm_buf *out)
{
	struct sm_buf own = { 0 };

	h->off = out->len;
	sm_route_append(&own, &h->rt, h->case_no, h->dup_of,
	    dv ? dv->delivered : NULL, extra);
	if (sm_tool_line(rec, raw, rawlen, h->dup_keys, "route", own.data,
	    own.len, out) < 0) {
		out->len = h->off;
		sm_tool_warn(&tool, "%s:%lu: cannot encode the record",
		    h->name, h->lineno);
		sm_tool_fail(&tool, EX_SOFTWARE);
	}
	h->len = out->len - h->off;
	sm_buf_free(&own);
}

/*
 * Routes a record just read and gives it its case number, within the
 * batch's group.  -1 when the state database fails: the batch is lost.
 */
static int
route_one(struct held *h, json_t *rec)
{
	struct sm_error err;
	const char *raw;
	size_t rawlen;
	int joined;

	if (sm_router_route(router, rec, explain, &h->rt, &err) < 0 ||
	    sm_router_case(router, st, rec, &h->rt, dry_run, &h->case_no,
	    &h->dup_of, &joined, &err) < 0) {
		if (err.file[0]) {
			sm_tool_error(&tool, &err);
			sm_tool_fail(&tool, EX_CANTCREAT);
			json_decref(rec);
			return -1;
		}
		sm_tool_warn(&tool, "%s:%lu: %s", h->name, h->lineno, err.text);
		sm_tool_fail(&tool, EX_DATAERR);
	}
	if (h->rt.error)
		sm_tool_warn(&tool, "%s:%lu: %s", h->name, h->lineno,
		    h->rt.error);
	raw = sm_reader_raw(&tool.in, &rawlen);
	/* a new case, or a citizen's follow-up, goes to the queue's
	 * destinations; a duplicate's first one went already */
	if (deliver && h->case_no && !h->dup_of &&
	    sm_deliver_count(deliver, h->rt.queue) > 0) {
		h->rec = rec;
		h->off = raws.len;
		h->len = rawlen;
		sm_buf_add(&raws, raw, rawlen);
		return 0;
	}
	render(h, rec, raw, rawlen, NULL, NULL, &lines);
	json_decref(rec);
	return 0;
}

/*
 * Stores the batch's case numbers in one commit, then makes its
 * deliveries and writes it: no number goes out before it is stored.
 */
static int
flush_batch(struct held *b, size_t n)
{
	struct sm_buf line = { 0 };
	struct sm_error err;
	size_t i;
	int rc = 0;

	if (!dry_run && (sm_router_store(router, st, &err) < 0 ||
	    sm_state_commit(st, &err) < 0)) {
		sm_state_rollback(st);
		sm_tool_error(&tool, &err);
		sm_tool_fail(&tool, EX_CANTCREAT);
		return -1;
	}
	for (i = 0; i < n && rc == 0; i++) {
		struct sm_delivery dv = { 0 };
		json_t *extra;
		const char *text = lines.data + b[i].off;
		size_t len = b[i].len;

		if (b[i].rec) {
			extra = deliver_one(&b[i], &dv);
			sm_buf_reset(&line);
			render(&b[i], b[i].rec, raws.data + b[i].off,
			    b[i].len, &dv, extra, &line);
			sm_delivery_clear(&dv);
			json_decref(extra);
			text = line.data;
			len = line.len;
		}
		if (len == 0)
			continue;
		if (split_dir && !dry_run)
			sm_buf_add(&split_for(b[i].rt.queue)->lines, text,
			    len);
		rc = sm_tool_put_text(&tool, text, len);
	}
	split_flush();
	sm_buf_free(&line);
	return rc;
}

static void
release(struct held *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		json_decref(b[i].rec);
		json_decref(b[i].rt.explain);
		free(b[i].case_no);
		free(b[i].dup_of);
		memset(&b[i], 0, sizeof(b[i]));
	}
	sm_buf_reset(&lines);
	sm_buf_reset(&raws);
}

/* The destinations of the queues, and the outbox left by earlier runs. */
static int
start_delivery(const struct sm_config *cfg)
{
	static struct sm_datefmt df;
	static struct sm_template_formatter fmts[3];
	struct sm_deliver_options opt = { 0 };
	struct sm_deliver_counts counts = { 0 };
	struct sm_error err;
	const char *lang = json_string_value(json_object_get(
	    sm_config_section(cfg, "route"), "lang"));

	snprintf(df.lang, sizeof(df.lang), "%s", lang ? lang : "en");
	df.zone = sm_router_zone(router);
	opt.nformatters = sm_datefmt_formatters(&df, fmts);
	opt.formatters = fmts;
	opt.report = sm_tool_report;
	opt.report_arg = &tool;
	if ((deliver = sm_deliver_new(cfg, sm_config_section(cfg, "route"),
	    st, &opt, &err)) == NULL) {
		sm_tool_error(&tool, &err);
		sm_tool_fail(&tool, err.line ? EX_CONFIG : EX_CANTCREAT);
		return -1;
	}
	if (tool.check)
		return 0;	/* no state: nothing to retry */
	if (sm_deliver_retry(deliver, dry_run, &counts, &err) < 0) {
		sm_tool_error(&tool, &err);
		sm_tool_fail(&tool, EX_CANTCREAT);
		return -1;
	}
	if (counts.pending)
		sm_tool_fail(&tool, EX_TEMPFAIL);
	return 0;
}

int
main(int argc, char *argv[])
{
	enum { OPT_SPLIT = 256 };
	static const struct option longopts[] = {
		SM_TOOL_LONGOPTS,
		SM_TOOL_STATE_LONGOPT,
		SM_TOOL_CHECK_LONGOPT,
		{ "dry-run", no_argument, NULL, 'n' },
		{ "explain", no_argument, NULL, 'x' },
		{ "split", required_argument, NULL, OPT_SPLIT },
		{ NULL, 0, NULL, 0 }
	};
	struct sm_config *cfg = NULL;
	struct sm_calendars *cals = NULL;
	struct sm_error err;
	struct held *batch = NULL;
	struct stat sb;
	size_t n = 0, max;
	json_t *rec;
	int opt;

	sm_tool_init(&tool, "sm-route");
	tool.keeps_state = 1;
	while ((opt = getopt_long(argc, argv, SM_TOOL_SHORTOPTS "nx", longopts,
	    NULL)) != -1) {
		if (sm_tool_option(&tool, opt, optarg))
			continue;
		switch (opt) {
		case 'n':
			dry_run = 1;
			break;
		case 'x':
			explain = 1;
			break;
		case OPT_SPLIT:
			split_dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("sm-route %s\n", SM_VERSION);
			return 0;
		default:
			return sm_tool_usage_error(&tool, usage_text);
		}
	}
	if (split_dir && (stat(split_dir, &sb) < 0 || !S_ISDIR(sb.st_mode))) {
		sm_tool_warn(&tool, "--split %s: %s", split_dir,
		    errno ? strerror(errno) : "not a directory");
		return EX_USAGE;
	}
	if ((cfg = sm_tool_config(&tool)) == NULL)
		goto done;
	if ((cals = sm_calendars_load(cfg, &err)) == NULL ||
	    (router = sm_router_load(cfg, cals, &err)) == NULL) {
		sm_tool_error(&tool, &err);
		sm_tool_fail(&tool, EX_CONFIG);
		goto done;
	}
	if (!tool.check && (st = sm_tool_state(&tool, cfg, NULL, 0)) == NULL)
		goto done;
	if (!tool.check && sm_router_load_state(router, st, dry_run,
	    &err) < 0) {
		sm_tool_error(&tool, &err);
		sm_tool_fail(&tool, EX_CANTCREAT);
		goto done;
	}
	if (start_delivery(cfg) < 0 || sm_tool_configured(&tool, cfg))
		goto done;
	if (tool.verbose)
		sm_tool_warn(&tool, "configuration: %s; state: %s",
		    sm_config_path(cfg) ? sm_config_path(cfg) : "none",
		    sm_state_path(st));
	if (sm_tool_open(&tool, argc - optind, argv + optind) != 0)
		goto done;
	max = tool.unbuffered ? 1 : BATCH;
	batch = xcalloc(max, sizeof(*batch));
	while ((rec = sm_tool_next(&tool)) != NULL) {
		struct held *h = &batch[n];

		if (n == 0 && !dry_run && sm_state_begin(st, &err) < 0) {
			sm_tool_error(&tool, &err);
			sm_tool_fail(&tool, EX_CANTCREAT);
			json_decref(rec);
			break;
		}
		n++;
		h->dup_keys = tool.in.dup_keys;
		h->had_route = json_object_get(rec, "route") != NULL;
		h->name = tool.in.name;
		h->lineno = tool.in.lineno;
		if (route_one(h, rec) < 0) {
			sm_state_rollback(st);
			sm_router_forget(router);
			release(batch, n);
			n = 0;
			break;
		}
		if (n == max) {
			if (flush_batch(batch, n) < 0) {
				release(batch, n);
				n = 0;
				break;
			}
			release(batch, n);
			n = 0;
		}
	}
	if (n)
		flush_batch(batch, n);
	release(batch, n);
done:
	if (split_close() < 0)
		sm_tool_fail(&tool, EX_CANTCREAT);
	free(batch);
	sm_buf_free(&lines);
	sm_buf_free(&raws);
	sm_deliver_free(deliver);
	sm_state_close(st);
	sm_router_free(router);
	sm_calendars_free(cals);
	sm_config_free(cfg);
	return sm_tool_finish(&tool);
}
