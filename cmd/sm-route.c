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
#define BATCH 1024

static const char usage_text[] =
    "usage: sm-route [-nquvx] [-c file] [-r file] [--split dir]\n"
    "                [--state file] [file ...]\n"
    "  -c, --config FILE   configuration (default: $SM_CONFIG, ./sm.yaml, ...)\n"
    "  -n, --dry-run       route, but store no case number and deliver nothing\n"
    "  -r, --rejects FILE  append lines that are not records to FILE\n"
    "      --split DIR     also append each record to DIR/QUEUE.jsonl\n"
    "      --state FILE    the state database (default: state: or\n"
    "                      $XDG_STATE_HOME/sm/state.db)\n"
    "  -u, --unbuffered    route and write each record before reading the next\n"
    "  -x, --explain       say which rules held, in route.explain\n"
    "  -q, --quiet         do not report rejected lines\n"
    "  -v, --verbose       say which configuration is used, and a summary\n"
    "  -h, --help          this help\n"
    "  -V, --version       the version\n";

struct held {
	json_t *rec;
	char *raw;
	size_t rawlen;
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

static void
usage(FILE *fp)
{
	fputs(usage_text, fp);
}

/* --split's files, opened once a run: one per queue. */
static struct split {
	char *queue;
	int fd;
} *splits;
static size_t nsplits;

static int
split_fd(const char *queue, struct sm_buf *path)
{
	size_t i;
	int fd;

	for (i = 0; i < nsplits; i++)
		if (strcmp(splits[i].queue, queue) == 0)
			return splits[i].fd;
	if ((fd = open(path->data, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600)) < 0)
		return -1;
	splits = xreallocarray(splits, nsplits + 1, sizeof(*splits));
	splits[nsplits].queue = xstrdup(queue);
	splits[nsplits++].fd = fd;
	return fd;
}

static int
split_close(void)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < nsplits; i++) {
		if (close(splits[i].fd) < 0 && rc == 0) {
			sm_tool_warn(&tool, "%s/%s.jsonl: write error: %s",
			    split_dir, splits[i].queue, strerror(errno));
			rc = -1;
		}
		free(splits[i].queue);
	}
	free(splits);
	splits = NULL;
	nsplits = 0;
	return rc;
}

/* Appends line to DIR/QUEUE.jsonl whole, or not at all. */
static int
split_write(const char *queue, const char *line, size_t n)
{
	struct sm_buf path = { 0 };
	struct stat sb;
	ssize_t w;
	int fd, rc = 0;

	sm_buf_adds(&path, split_dir);
	sm_buf_addc(&path, '/');
	sm_buf_adds(&path, queue);
	sm_buf_adds(&path, ".jsonl");
	if ((fd = split_fd(queue, &path)) < 0) {
		sm_tool_warn(&tool, "%s: %s", path.data, strerror(errno));
		rc = -1;
	} else if ((w = write(fd, line, n)) != (ssize_t)n) {
		int e = w < 0 ? errno : ENOSPC;

		/* a line half written is taken back */
		if (w > 0 && (fstat(fd, &sb) < 0 ||
		    ftruncate(fd, sb.st_size - w) < 0))
			sm_tool_warn(&tool, "%s: cannot take back a partial "
			    "line: %s", path.data, strerror(errno));
		sm_tool_warn(&tool, "%s: write error: %s", path.data,
		    strerror(e));
		rc = -1;
	}
	sm_buf_free(&path);
	return rc;
}

/*
 * Delivers a routed record (the templates read its route object, set for
 * the while); the route's added fields (pending, open311_id) are returned.
 */
static json_t *
deliver_one(struct held *h, struct sm_buf *own, struct sm_delivery *dv)
{
	struct sm_error err;
	json_t *extra = json_object(), *v;

	sm_route_append(own, &h->rt, h->case_no, h->dup_of, NULL, NULL);
	v = json_loadb(own->data, own->len, 0, NULL);
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

/* Routes the batch, stores its case numbers in one commit, writes it. */
static int
flush_batch(struct held *b, size_t n)
{
	struct sm_buf own = { 0 }, line = { 0 };
	struct sm_error err;
	size_t i;
	int joined, rc = 0;

	if (!dry_run && sm_state_begin(st, &err) < 0)
		goto state_failed;
	for (i = 0; i < n; i++) {
		if (sm_router_route(router, b[i].rec, explain, &b[i].rt,
		    &err) < 0 ||
		    sm_router_case(router, st, b[i].rec, &b[i].rt, dry_run,
		    &b[i].case_no, &b[i].dup_of, &joined, &err) < 0) {
			if (err.file[0])
				goto state_failed;
			sm_tool_warn(&tool, "%s:%lu: %s", b[i].name,
			    b[i].lineno, err.text);
			sm_tool_fail(&tool, EX_DATAERR);
		}
		if (b[i].rt.error)
			sm_tool_warn(&tool, "%s:%lu: %s", b[i].name,
			    b[i].lineno, b[i].rt.error);
	}
	/* no number goes out before it is stored */
	if (!dry_run && sm_state_commit(st, &err) < 0)
		goto state_failed;
	for (i = 0; i < n && rc == 0; i++) {
		struct sm_delivery dv = { 0 };
		json_t *extra = NULL;

		sm_buf_reset(&own);
		sm_buf_reset(&line);
		/* a new case, or a citizen's follow-up, goes to the queue's
		 * destinations; a duplicate's first one went already */
		if (deliver && b[i].case_no && !b[i].dup_of &&
		    sm_deliver_count(deliver, b[i].rt.queue) > 0)
			extra = deliver_one(&b[i], &own, &dv);
		sm_buf_reset(&own);
		sm_route_append(&own, &b[i].rt, b[i].case_no, b[i].dup_of,
		    dv.delivered, extra);
		sm_delivery_clear(&dv);
		json_decref(extra);
		if (sm_tool_line(b[i].rec, b[i].raw, b[i].rawlen,
		    b[i].dup_keys, "route", own.data, own.len, &line) < 0) {
			sm_tool_warn(&tool, "%s:%lu: cannot encode the record",
			    b[i].name, b[i].lineno);
			sm_tool_fail(&tool, EX_SOFTWARE);
			continue;
		}
		if (split_dir && !dry_run &&
		    split_write(b[i].rt.queue, line.data, line.len) < 0)
			sm_tool_fail(&tool, EX_CANTCREAT);
		rc = sm_tool_put_text(&tool, line.data, line.len);
	}
	sm_buf_free(&own);
	sm_buf_free(&line);
	return rc;
state_failed:
	sm_state_rollback(st);
	sm_tool_error(&tool, &err);
	sm_tool_fail(&tool, EX_CANTCREAT);
	sm_buf_free(&own);
	sm_buf_free(&line);
	return -1;
}

static void
release(struct held *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		json_decref(b[i].rec);
		json_decref(b[i].rt.explain);
		free(b[i].raw);
		free(b[i].case_no);
		free(b[i].dup_of);
		memset(&b[i], 0, sizeof(b[i]));
	}
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
	const char *raw;
	json_t *rec;
	int opt;

	sm_tool_init(&tool, "sm-route");
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
	if ((st = sm_tool_state(&tool, cfg, NULL, 0)) == NULL)
		goto done;
	if (sm_router_load_state(router, st, dry_run, &err) < 0) {
		sm_tool_error(&tool, &err);
		sm_tool_fail(&tool, EX_CANTCREAT);
		goto done;
	}
	if (start_delivery(cfg) < 0)
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
		struct held *h = &batch[n++];

		h->rec = rec;
		raw = sm_reader_raw(&tool.in, &h->rawlen);
		h->raw = xstrndup(raw, h->rawlen);
		h->dup_keys = tool.in.dup_keys;
		h->had_route = json_object_get(rec, "route") != NULL;
		h->name = tool.in.name;
		h->lineno = tool.in.lineno;
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
	sm_deliver_free(deliver);
	sm_state_close(st);
	sm_router_free(router);
	sm_calendars_free(cals);
	sm_config_free(cfg);
	return sm_tool_finish(&tool);
}
