/* sm-report - the figures an administration is accountable for: volumes,
 * response times, deadlines, commitments */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <jansson.h>

#include "sm/calendar.h"
#include "sm/config.h"
#include "sm/pick.h"
#include "sm/report.h"
#include "sm/reportfmt.h"
#include "sm/time.h"
#include "sm/tool.h"
#include "sm/util.h"

static const char usage_text[] =
    "usage: sm-report [-quv] [-c file] [-f format] [-g fields] [-o file]\n"
    "                 [-r file] [-w filter] [--by period] [--since time]\n"
    "                 [--until time] [--topic topic] [--overdue | --rows]\n"
    "                 [--redact | --no-redact] [file ...]\n"
    "       sm-report --check [-v] [-c file] [-w filter]\n"
    "  -c, --config FILE   configuration (default: $SM_CONFIG, ./sm.yaml, ...)\n"
    "      --check         load the configuration, say its warnings, and exit\n"
    "  -f, --format F      text (default), csv, json, md or html\n"
    "  -g, --group FIELDS  group by these fields, comma-separated\n"
    "                      (classify.topic,route.queue)\n"
    "      --by PERIOD     and by day, week or month\n"
    "      --since TIME    messages from TIME: a date, an RFC 3339 time,\n"
    "                      or an age (7d, 2w, 1m, 1y)\n"
    "      --until TIME    messages before TIME (a date: up to its end)\n"
    "      --topic T       what was said about T: a classify.topic, or a\n"
    "                      #hashtag in the text (a public consultation)\n"
    "  -w, --where F       only messages that pass F: a filter of\n"
    "                      report.filters, FIELD=VALUE or FIELD!=VALUE\n"
    "      --overdue       list the open cases past their deadline\n"
    "      --rows          with -f csv: one anonymised row per case\n"
    "      --redact        no personal data in what is shown (html: default)\n"
    "      --no-redact     values as they are, in html too\n"
    "  -o, --output FILE   write the report to FILE, whole or not at all\n"
    "  -r, --rejects FILE  append lines that are not records to FILE\n"
    "  -u, --unbuffered    write each row of --rows as soon as it is known\n"
    "  -q, --quiet         do not report rejected lines nor config warnings\n"
    "  -v, --verbose       say which configuration is used, and a summary\n"
    "  -h, --help          this help\n"
    "  -V, --version       the version\n";

static struct sm_tool tool;
static struct sm_buf out;

static void
usage(FILE *fp)
{
	fputs(usage_text, fp);
}

/* --rows: each case written as soon as it is decided. */
static void
put_row(const struct sm_report_case *c, void *arg)
{
	sm_buf_reset(&out);
	sm_report_row(c, &out);
	sm_tool_put_text(&tool, out.data, out.len);
}

/* -g a,b -g c: the fields, split on commas */
static void
add_fields(struct sm_report_options *o, const char *arg)
{
	char *copy = xstrdup(arg), *f, *save = NULL;

	for (f = strtok_r(copy, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
		o->group = xreallocarray(o->group, o->ngroup + 1,
		    sizeof(*o->group));
		o->group[o->ngroup++] = xstrdup(f);
	}
	free(copy);
}

static int
parse_by(const char *s, enum sm_report_by *by)
{
	if (strcmp(s, "day") == 0)
		*by = SM_REPORT_DAY;
	else if (strcmp(s, "week") == 0)
		*by = SM_REPORT_WEEK;
	else if (strcmp(s, "month") == 0)
		*by = SM_REPORT_MONTH;
	else
		return -1;
	return 0;
}

int
main(int argc, char *argv[])
{
	enum { OPT_BY = 256, OPT_SINCE, OPT_UNTIL, OPT_OVERDUE, OPT_ROWS,
	    OPT_REDACT, OPT_NO_REDACT, OPT_TOPIC };
	static const struct option longopts[] = {
		SM_TOOL_LONGOPTS,
		SM_TOOL_CHECK_LONGOPT,
		{ "format", required_argument, NULL, 'f' },
		{ "group", required_argument, NULL, 'g' },
		{ "output", required_argument, NULL, 'o' },
		{ "where", required_argument, NULL, 'w' },
		{ "by", required_argument, NULL, OPT_BY },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "overdue", no_argument, NULL, OPT_OVERDUE },
		{ "rows", no_argument, NULL, OPT_ROWS },
		{ "redact", no_argument, NULL, OPT_REDACT },
		{ "no-redact", no_argument, NULL, OPT_NO_REDACT },
		{ "topic", required_argument, NULL, OPT_TOPIC },
		{ NULL, 0, NULL, 0 }
	};
	struct sm_report_options o = { 0 };
	struct sm_report_style st = { 0 };
	enum sm_report_format fmt = SM_REPORT_TEXT;
	struct sm_config *cfg = NULL;
	struct sm_calendars *cals = NULL;
	struct sm_report *r = NULL;
	struct sm_pick *pick = NULL;
	struct sm_error err;
	const char *out_path = NULL, *nc;
	int opt, overdue = 0, rows = 0, redact = -1;
	json_t *rec;

	sm_tool_init(&tool, "sm-report");
	o.where = xcalloc((size_t)argc + 1, sizeof(*o.where));
	while ((opt = getopt_long(argc, argv, SM_TOOL_SHORTOPTS "f:g:o:w:",
	    longopts, NULL)) != -1) {
		if (sm_tool_option(&tool, opt, optarg))
			continue;
		switch (opt) {
		case 'f':
			if (sm_report_format_parse(optarg, &fmt) < 0) {
				sm_tool_warn(&tool, "-f %s: expected text, csv, "
				    "json, md or html", optarg);
				sm_tool_fail(&tool, sm_tool_usage_error(&tool, usage_text));
				goto done;
			}
			break;
		case 'g':
			add_fields(&o, optarg);
			break;
		case 'o':
			out_path = optarg;
			break;
		case 'w':
			o.where[o.nwhere++] = optarg;
			break;
		case OPT_BY:
			if (parse_by(optarg, &o.by) < 0) {
				sm_tool_warn(&tool, "--by %s: expected day, "
				    "week or month", optarg);
				sm_tool_fail(&tool, sm_tool_usage_error(&tool, usage_text));
				goto done;
			}
			break;
		case OPT_SINCE:
			o.since = optarg;
			break;
		case OPT_UNTIL:
			o.until = optarg;
			break;
		case OPT_OVERDUE:
			overdue = 1;
			break;
		case OPT_ROWS:
			rows = 1;
			break;
		case OPT_REDACT:
			redact = 1;
			break;
		case OPT_NO_REDACT:
			redact = 0;
			break;
		case OPT_TOPIC:
			o.topic = optarg;
			break;
		case 'h':
			usage(stdout);
			goto done;
		case 'V':
			printf("sm-report %s\n", SM_VERSION);
			goto done;
		default:
			sm_tool_fail(&tool, sm_tool_usage_error(&tool, usage_text));
			goto done;
		}
	}
	if ((rows && fmt != SM_REPORT_CSV) || (rows && overdue)) {
		sm_tool_warn(&tool, "--rows goes with -f csv, without "
		    "--overdue");
		sm_tool_fail(&tool, sm_tool_usage_error(&tool, usage_text));
		goto done;
	}
	if (sm_time_now(&o.now, &err) < 0) {
		sm_tool_error(&tool, &err);
		sm_tool_fail(&tool, EX_USAGE);
		goto done;
	}
	/* a list of cases, or the groups' table in CSV, shows neither the
	 * period before nor words: they are not computed */
	o.no_previous = rows || overdue || fmt == SM_REPORT_CSV;
	o.no_terms = o.no_previous && o.topic == NULL;
	if ((cfg = sm_tool_config(&tool)) == NULL)
		goto done;
	if ((cals = sm_calendars_load(cfg, &err)) == NULL ||
	    (r = sm_report_new(cfg, cals, &o, &err)) == NULL) {
		sm_tool_error(&tool, &err);
		/* -w, --since and --until are said without a place */
		sm_tool_fail(&tool, err.file[0] ? EX_CONFIG : EX_USAGE);
		goto done;
	}
	if (sm_tool_configured(&tool, cfg))
		goto done;
	if (tool.verbose)
		sm_tool_warn(&tool, "configuration: %s",
		    sm_config_path(cfg) ? sm_config_path(cfg) : "none");
	st.redact = redact >= 0 ? redact : fmt == SM_REPORT_HTML;
	nc = getenv("NO_COLOR");
	st.color = fmt == SM_REPORT_TEXT && !overdue && out_path == NULL &&
	    isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0');
	tool.out_path = out_path;
	if (sm_tool_open(&tool, argc - optind, argv + optind) != 0)
		goto done;
	/* the fields the report reads, and no other, are built */
	pick = sm_pick_new();
	sm_report_pick(r, pick);
	tool.in.pick = pick;
	if (rows) {
		sm_report_rows_header(&out);
		sm_tool_put_text(&tool, out.data, out.len);
		sm_report_on_case(r, put_row, NULL);
	}
	while ((rec = sm_tool_next(&tool)) != NULL) {
		if (sm_report_add(r, rec, &err) < 0) {
			if (!tool.quiet)
				sm_tool_warn(&tool, "%s:%lu: %s", tool.in.name,
				    tool.in.lineno, err.text);
			sm_tool_fail(&tool, EX_DATAERR);
		}
		json_decref(rec);
		if (tool.out_failed)
			break;
		if (tool.unbuffered && sm_tool_flush(&tool) < 0)
			break;
	}
	sm_report_end(r);
	sm_buf_reset(&out);
	if (overdue) {
		size_t n;
		const struct sm_report_case *late = sm_report_overdue(r, &n);

		for (size_t i = 0; i < n; i++)
			sm_report_overdue_line(&late[i], o.now, &out);
	} else if (!rows)
		sm_report_write(r, fmt, &st, &out);
	if (out.len)
		sm_tool_put_text(&tool, out.data, out.len);
done:
	sm_buf_free(&out);
	sm_pick_free(pick);
	sm_report_free(r);
	sm_calendars_free(cals);
	sm_config_free(cfg);
	for (size_t i = 0; i < o.ngroup; i++)
		free(o.group[i]);
	free(o.group);
	free(o.where);
	return sm_tool_finish(&tool);
}
