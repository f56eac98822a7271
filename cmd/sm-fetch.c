/* sm-fetch - bring in what citizens wrote to the administration's accounts */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <jansson.h>

#include "sm/atomic.h"
#include "sm/config.h"
#include "sm/fetch.h"
#include "sm/state.h"
#include "sm/tool.h"
#include "sm/util.h"

/* How long a run waits for another one to finish. */
#define LOCK_WAIT_MS (5 * 60 * 1000)

static const char usage_text[] =
    "usage: sm-fetch [-bnquv] [-a name] [-c file] [-o file] [-s date]\n"
    "                [--state file] [--own] [--native]\n"
    "       sm-fetch --status [-a name] [-c file] [--state file]\n"
    "       sm-fetch --reset name [-f] [-c file] [--state file]\n"
    "       sm-fetch --check [-v] [-a name] [-c file]\n"
    "  -a, --account NAME  fetch only this account (may be repeated)\n"
    "  -b, --backfill      go back as far as the platform allows\n"
    "  -c, --config FILE   configuration (default: $SM_CONFIG, ./sm.yaml, ...)\n"
    "  -n, --dry-run       fetch and print, but leave the cursors alone\n"
    "  -o, --output FILE   write to FILE (fsynced, renamed into place)\n"
    "  -s, --since DATE    nothing older than DATE (YYYY-MM-DD or RFC 3339)\n"
    "      --state FILE    the state database (default: state: or\n"
    "                      $XDG_STATE_HOME/sm/state.db)\n"
    "      --own           also the administration's own posts (kind own)\n"
    "      --status        each account's cursors and health, and exit\n"
    "      --reset NAME    forget the account's cursors and health (asks\n"
    "                      on the terminal first), and exit\n"
    "  -f, --force         --reset without asking\n"
    "      --check         load the configuration and the accounts' secrets,\n"
    "                      say the warnings, and exit\n"
    "      --native        keep the platform's object as .native\n"
    "  -u, --unbuffered    flush every record\n"
    "  -q, --quiet         say nothing of accounts left behind, nor warnings\n"
    "  -v, --verbose       say what was fetched and where each cursor is\n"
    "  -h, --help          this help\n"
    "  -V, --version       the version\n";

static void
usage(FILE *fp)
{
	fputs(usage_text, fp);
}

static int
put(void *arg, json_t *rec)
{
	return sm_tool_put(arg, rec);
}

static int
flush(void *arg)
{
	return sm_tool_flush(arg);
}

static int
selected(char **names, int n, const char *name)
{
	int i;

	if (n == 0)
		return 1;
	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

static int
collect(void *arg, const char *owner, const char *key, const char *value,
    const char *updated_at)
{
	json_object_set_new(arg, key, json_string(value));
	return 0;
}

/* "NAME, NAME..." of a cursor listing: the streams */
static int
stream_name(void *arg, const char *owner, const char *key, const char *value,
    const char *updated_at)
{
	struct sm_buf *b = arg;

	(void)owner;
	(void)value;
	(void)updated_at;
	if (b->len)
		sm_buf_adds(b, ", ");
	sm_buf_adds(b, key);
	return 0;
}

/* 1 when the answer read from tty is yes */
static int
ask(FILE *tty, const char *question)
{
	char line[64];

	fprintf(tty, "%s [y/N] ", question);
	fflush(tty);
	if (fgets(line, sizeof(line), tty) == NULL)
		return 0;
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, "y") == 0 || strcmp(line, "Y") == 0 ||
	    strcmp(line, "yes") == 0 || strcmp(line, "YES") == 0;
}

/*
 * --reset: forgets the accounts' cursors and health, each after asking on
 * the terminal (never on standard input, which may be a pipe of records),
 * or at once with -f.
 */
static void
reset(struct sm_tool *t, struct sm_config *cfg, struct sm_account *accts,
    size_t nacct, char **names, int nnames, int force)
{
	struct sm_state *st;
	struct sm_error err;
	struct sm_buf streams = { 0 }, q = { 0 };
	FILE *tty = NULL;
	int i, fd;

	for (i = 0; i < nnames; i++)
		if (sm_account_find(accts, nacct, names[i]) == NULL) {
			sm_tool_warn(t, "--reset %s: no such account in %s",
			    names[i], sm_config_path(cfg) ?
			    sm_config_path(cfg) : "the configuration");
			sm_tool_fail(t, EX_USAGE);
			return;
		}
	if (!force) {
		if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0 ||
		    (tty = fdopen(fd, "r+")) == NULL) {
			if (fd >= 0)
				close(fd);
			sm_tool_warn(t, "--reset: no terminal to ask on; add -f "
			    "to reset without asking");
			sm_tool_fail(t, EX_USAGE);
			return;
		}
	}
	/* the lock of fetching: a run going on would store its cursors */
	if ((st = sm_tool_state(t, cfg, "fetch", LOCK_WAIT_MS)) == NULL)
		goto done;
	for (i = 0; i < nnames; i++) {
		sm_buf_reset(&streams);
		sm_buf_reset(&q);
		if (sm_state_migrate(st, &sm_fetch_schema, &err) < 0 ||
		    sm_state_list(st, "cursor", names[i], stream_name,
		    &streams, &err) < 0) {
			sm_tool_error(t, &err);
			sm_tool_fail(t, EX_CANTCREAT);
			break;
		}
		sm_buf_adds(&q, "sm-fetch: forget the cursors (");
		sm_buf_adds(&q, streams.len ? streams.data : "none");
		sm_buf_adds(&q, ") and the health of account ");
		sm_buf_adds(&q, names[i]);
		sm_buf_adds(&q, "?");
		if (tty && !ask(tty, q.data)) {
			sm_tool_warn(t, "%s: left as it was", names[i]);
			continue;
		}
		if (sm_fetch_reset(st, names[i], &err) < 0) {
			sm_tool_error(t, &err);
			sm_tool_fail(t, EX_CANTCREAT);
			break;
		}
		if (t->verbose)
			sm_tool_warn(t, "%s: cursors and health forgotten; its "
			    "next run is a first run", names[i]);
	}
	sm_state_close(st);
done:
	sm_buf_free(&streams);
	sm_buf_free(&q);
	if (tty)
		fclose(tty);
}

/*
 * --status: each account's cursors and health, a table on a terminal,
 * JSON lines otherwise (for jq and monitoring).
 */
static void
show_status(struct sm_tool *t, struct sm_state *st, struct sm_account *accts,
    size_t nacct, char **names, int nnames)
{
	struct sm_error err;
	json_t *o, *cur, *h, *stuck;
	const char *k;
	json_t *v;
	size_t i;
	int tty = isatty(STDOUT_FILENO);

	if (tty)
		printf("%-12s %-9s %-20s %-20s %4s  %s\n", "account", "platform",
		    "last ok", "failing since", "runs", "problem");
	for (i = 0; i < nacct; i++) {
		if (!selected(names, nnames, accts[i].name))
			continue;
		cur = json_object();
		h = json_object();
		if (sm_state_list(st, "cursor", accts[i].name, collect, cur,
		    &err) < 0 || sm_state_list(st, "account", accts[i].name,
		    collect, h, &err) < 0) {
			sm_tool_error(t, &err);
			sm_tool_fail(t, EX_CANTCREAT);
		}
		stuck = sm_fetch_stuck(h);
		if (tty) {
			printf("%-12s %-9s %-20s %-20s %4s  %s\n",
			    accts[i].name, accts[i].platform->name,
			    sm_json_str(h, "ok_at") ? sm_json_str(h, "ok_at") :
			    "never", sm_json_str(h, "failing_since") ?
			    sm_json_str(h, "failing_since") : "-",
			    sm_json_str(h, "failures") ? sm_json_str(h,
			    "failures") : "0", sm_json_str(h, "failing_since") &&
			    sm_json_str(h, "problem") ? sm_json_str(h,
			    "problem") : "");
			json_object_foreach(cur, k, v)
				printf("%-12s   cursor %s: %s\n", "", k,
				    json_string_value(v));
			json_object_foreach(stuck, k, v) {
				json_int_t runs = json_integer_value(
				    json_object_get(v, "runs"));

				printf("%-12s   stuck in %s at message %s, %"
				    JSON_INTEGER_FORMAT " run%s\n", "", k,
				    sm_json_str(v, "message"), runs,
				    runs == 1 ? "" : "s");
			}
		} else {
			o = json_pack("{s:s,s:s,s:O,s:O,s:o,s:O,s:O}",
			    "account", accts[i].name,
			    "platform", accts[i].platform->name,
			    "ok_at", json_object_get(h, "ok_at") ?
			    json_object_get(h, "ok_at") : json_null(),
			    "failing_since", json_object_get(h,
			    "failing_since") ? json_object_get(h,
			    "failing_since") : json_null(),
			    "failures", json_integer(sm_json_str(h, "failures") ?
			    atol(sm_json_str(h, "failures")) : 0),
			    "problem", json_object_get(h, "failing_since") &&
			    json_object_get(h, "problem") ? json_object_get(h,
			    "problem") : json_null(),
			    "cursors", cur);
			json_object_set(o, "stuck", stuck);
			sm_tool_put(t, o);
			json_decref(o);
		}
		json_decref(cur);
		json_decref(h);
		json_decref(stuck);
	}
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "account", required_argument, NULL, 'a' },
		{ "backfill", no_argument, NULL, 'b' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "since", required_argument, NULL, 's' },
		{ "own", no_argument, NULL, 'O' },
		{ "native", no_argument, NULL, 'N' },
		{ "status", no_argument, NULL, 'T' },
		{ "reset", required_argument, NULL, 'R' },
		{ "force", no_argument, NULL, 'f' },
		SM_TOOL_STATE_LONGOPT,
		SM_TOOL_CHECK_LONGOPT,
		SM_TOOL_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct sm_tool tool;
	struct sm_config *cfg = NULL;
	struct sm_account *accts = NULL;
	struct sm_state *st = NULL;
	struct sm_fetch *f = NULL;
	struct sm_fetch_opts opts = { 0 };
	struct sm_fetch_io io;
	struct sm_error err;
	size_t nacct = 0, i;
	char **names = NULL, **resets = NULL;
	const char *output = NULL;
	int opt, n, nnames = 0, nresets = 0, safe, status_only = 0, force = 0;

	sm_tool_init(&tool, "sm-fetch");
	tool.keeps_state = 1;
	while ((opt = getopt_long(argc, argv, "a:bc:fno:s:quvhV", longopts,
	    NULL)) != -1) {
		if (opt != 'r' && sm_tool_option(&tool, opt, optarg))
			continue;
		switch (opt) {
		case 'a':
			names = xreallocarray(names, (size_t)nnames + 1,
			    sizeof(*names));
			names[nnames++] = optarg;
			break;
		case 'b':
			opts.backfill = 1;
			break;
		case 'n':
			opts.dry_run = 1;
			break;
		case 'o':
			output = optarg;
			break;
		case 's':
			if (sm_time_parse(optarg, &opts.since) < 0) {
				sm_tool_warn(&tool, "--since: '%s' is not a "
				    "date (YYYY-MM-DD or RFC 3339)", optarg);
				return EX_USAGE;
			}
			break;
		case 'O':
			opts.own = 1;
			break;
		case 'N':
			opts.native = 1;
			break;
		case 'T':
			status_only = 1;
			break;
		case 'R':
			resets = xreallocarray(resets, (size_t)nresets + 1,
			    sizeof(*resets));
			resets[nresets++] = optarg;
			break;
		case 'f':
			force = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("sm-fetch %s\n", SM_VERSION);
			return 0;
		default:
			return sm_tool_usage_error(&tool, usage_text);
		}
	}
	if (optind < argc || (force && nresets == 0) || (nresets &&
	    status_only) || (tool.check && (nresets || status_only))) {
		free(names);
		free(resets);
		return sm_tool_usage_error(&tool, usage_text);
	}

	if ((cfg = sm_tool_config(&tool)) == NULL)
		goto done;
	if (sm_accounts_load(cfg, &accts, &nacct, &err) < 0) {
		sm_tool_error(&tool, &err);
		sm_tool_fail(&tool, EX_CONFIG);
		goto done;
	}
	if (nacct == 0) {
		sm_tool_warn(&tool, "%s: no accounts: to fetch from",
		    sm_config_path(cfg) ? sm_config_path(cfg) :
		    "no configuration file");
		sm_tool_fail(&tool, EX_CONFIG);
		goto done;
	}
	for (n = 0; n < nnames; n++)
		if (sm_account_find(accts, nacct, names[n]) == NULL) {
			sm_tool_warn(&tool, "-a %s: no such account in %s",
			    names[n], sm_config_path(cfg) ?
			    sm_config_path(cfg) : "the configuration");
			sm_tool_fail(&tool, EX_USAGE);
			goto done;
		}
	if (nresets) {
		reset(&tool, cfg, accts, nacct, resets, nresets, force);
		goto done;
	}
	if (status_only) {
		if ((st = sm_tool_state(&tool, cfg, NULL, 0)) == NULL)
			goto done;
		if (sm_state_migrate(st, &sm_fetch_schema, &err) < 0) {
			sm_tool_error(&tool, &err);
			sm_tool_fail(&tool, EX_CANTCREAT);
		} else if (sm_tool_output(&tool, NULL) == 0)
			show_status(&tool, st, accts, nacct, names, nnames);
		goto done;
	}
	for (i = 0; i < nacct; i++)
		if (selected(names, nnames, accts[i].name) &&
		    sm_account_token(cfg, &accts[i], &err) < 0) {
			sm_tool_error(&tool, &err);
			sm_tool_fail(&tool, EX_CONFIG);
			goto done;
		}
	if (sm_tool_configured(&tool, cfg))
		goto done;
	if ((st = sm_tool_state(&tool, cfg, "fetch", LOCK_WAIT_MS)) == NULL)
		goto done;
	if (tool.verbose)
		sm_tool_warn(&tool, "configuration: %s; state: %s",
		    sm_config_path(cfg) ? sm_config_path(cfg) : "none",
		    sm_state_path(st));
	/* -o: the records go to a temporary file, renamed at the end */
	if (sm_tool_output(&tool, output) != 0)
		goto done;
	opts.defer_commit = output != NULL;
	io.put = put;
	io.flush = flush;
	io.report = sm_tool_report;
	io.arg = &tool;
	if ((f = sm_fetch_new(st, &opts, &io, &err)) == NULL) {
		sm_tool_error(&tool, &err);
		sm_tool_fail(&tool, EX_CANTCREAT);
		goto done;
	}
	for (i = 0; i < nacct; i++)
		if (selected(names, nnames, accts[i].name))
			sm_fetch_add(f, &accts[i]);
	if (sm_fetch_run(f, &err) < 0) {
		sm_tool_error(&tool, &err);
		sm_tool_fail(&tool, EX_SOFTWARE);
	}
	safe = sm_tool_close_output(&tool);
	sm_tool_fail(&tool, sm_fetch_finish(f, safe));
done:
	sm_fetch_free(f);
	sm_state_close(st);
	sm_accounts_free(accts, nacct);
	sm_config_free(cfg);
	free(names);
	free(resets);
	return sm_tool_finish(&tool);
}
