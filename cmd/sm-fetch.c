/* sm-fetch - bring in what citizens wrote to the administration's accounts */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

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
    "  -a, --account NAME  fetch only this account (may be repeated)\n"
    "  -b, --backfill      go back as far as the platform allows\n"
    "  -c, --config FILE   configuration (default: $SM_CONFIG, ./sm.yaml, ...)\n"
    "  -n, --dry-run       fetch and print, but leave the cursors alone\n"
    "  -o, --output FILE   write to FILE (fsynced, renamed into place)\n"
    "  -s, --since DATE    nothing older than DATE (YYYY-MM-DD or RFC 3339)\n"
    "      --state FILE    the state database (default: state: or\n"
    "                      $XDG_STATE_HOME/sm/state.db)\n"
    "      --own           also the administration's own posts (kind own)\n"
    "      --native        keep the platform's object as .native\n"
    "  -u, --unbuffered    flush every record\n"
    "  -q, --quiet         say nothing about accounts left behind\n"
    "  -v, --verbose       say what was fetched and where each cursor is\n"
    "  -h, --help          this help\n"
    "  -V, --version       the version\n";

struct out {
	struct sm_tool *tool;
	struct sm_writer w;
	int failed;
};

static void
usage(FILE *fp)
{
	fputs(usage_text, fp);
}

static int
put(void *arg, json_t *rec)
{
	struct out *o = arg;
	struct sm_error err;

	if (sm_writer_put(&o->w, rec, &err) < 0) {
		if (!o->w.closed_pipe) {
			sm_tool_error(o->tool, &err);
			sm_tool_fail(o->tool, EX_IOERR);
		}
		o->failed = 1;
		return -1;
	}
	o->tool->written++;
	return 0;
}

static int
flush(void *arg)
{
	struct out *o = arg;

	if (o->failed)
		return -1;
	if (fflush(o->w.fp) == EOF || ferror(o->w.fp)) {
		if (errno == EPIPE)
			o->w.closed_pipe = 1;
		else {
			sm_tool_warn(o->tool, "%s: write error: %s", o->w.name,
			    strerror(errno));
			sm_tool_fail(o->tool, EX_IOERR);
		}
		o->failed = 1;
		return -1;
	}
	return 0;
}

static void
report(void *arg, const char *account, int code, const char *text)
{
	struct out *o = arg;

	if (code == 0 ? o->tool->verbose : !o->tool->quiet || code != EX_TEMPFAIL)
		sm_tool_warn(o->tool, "%s: %s", account, text);
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

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "account", required_argument, NULL, 'a' },
		{ "backfill", no_argument, NULL, 'b' },
		{ "config", required_argument, NULL, 'c' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "since", required_argument, NULL, 's' },
		{ "state", required_argument, NULL, 'S' },
		{ "own", no_argument, NULL, 'O' },
		{ "native", no_argument, NULL, 'N' },
		{ "unbuffered", no_argument, NULL, 'u' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
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
	struct out out = { 0 };
	size_t nacct = 0, i;
	char **names = NULL, *state_path = NULL, *tmp = NULL;
	const char *output = NULL;
	json_t *sv;
	FILE *fp = stdout;
	int opt, nnames = 0, rc, status = 0, safe;

	sm_tool_init(&tool, "sm-fetch");
	while ((opt = getopt_long(argc, argv, "a:bc:no:s:quvhV", longopts,
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
		case 'S':
			free(state_path);
			state_path = xstrdup(optarg);
			break;
		case 'O':
			opts.own = 1;
			break;
		case 'N':
			opts.native = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("sm-fetch %s\n", SM_VERSION);
			return 0;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return EX_USAGE;
	}

	if ((cfg = sm_config_load(tool.config, &err)) == NULL ||
	    sm_accounts_load(cfg, &accts, &nacct, &err) < 0) {
		sm_tool_error(&tool, &err);
		status = EX_CONFIG;
		goto done;
	}
	if (nacct == 0) {
		sm_tool_warn(&tool, "%s: no accounts: to fetch from",
		    sm_config_path(cfg) ? sm_config_path(cfg) :
		    "no configuration file");
		status = EX_CONFIG;
		goto done;
	}
	for (rc = 0; rc < nnames; rc++) {
		for (i = 0; i < nacct; i++)
			if (strcmp(accts[i].name, names[rc]) == 0)
				break;
		if (i == nacct) {
			sm_tool_warn(&tool, "-a %s: no such account in %s",
			    names[rc], sm_config_path(cfg) ?
			    sm_config_path(cfg) : "the configuration");
			status = EX_USAGE;
			goto done;
		}
	}
	for (i = 0; i < nacct; i++)
		if (selected(names, nnames, accts[i].name) &&
		    sm_account_token(cfg, &accts[i], &err) < 0) {
			sm_tool_error(&tool, &err);
			status = EX_CONFIG;
			goto done;
		}
	if (state_path == NULL && (sv = json_object_get(sm_config_root(cfg),
	    "state")) != NULL) {
		if (!json_is_string(sv)) {
			sm_config_error(cfg, sv, &err, "state: expected a "
			    "file name, got %s", sm_config_type_name(sv));
			sm_tool_error(&tool, &err);
			status = EX_CONFIG;
			goto done;
		}
		state_path = sm_config_relpath(cfg, sv);
	}
	if (state_path == NULL && (state_path = sm_state_default_path()) ==
	    NULL) {
		sm_tool_warn(&tool, "no state database: use --state, state: "
		    "or set HOME");
		status = EX_CONFIG;
		goto done;
	}
	if ((st = sm_state_open(state_path, 30000, &err)) == NULL) {
		sm_tool_error(&tool, &err);
		status = EX_CANTCREAT;
		goto done;
	}
	if ((rc = sm_state_lock(st, "fetch", LOCK_WAIT_MS, &err)) != 0) {
		sm_tool_error(&tool, &err);
		status = rc > 0 ? EX_TEMPFAIL : EX_CANTCREAT;
		goto done;
	}
	if (tool.verbose)
		sm_tool_warn(&tool, "configuration: %s; state: %s",
		    sm_config_path(cfg) ? sm_config_path(cfg) : "none",
		    state_path);

	/* -o: the records go to a temporary file, renamed at the end */
	if (output && (fp = sm_atomic_open(output, SM_MODE_PRIVATE, &tmp, &err)) == NULL) {
		sm_tool_error(&tool, &err);
		status = EX_CANTCREAT;
		goto done;
	}
	opts.defer_commit = output != NULL;
	out.tool = &tool;
	sm_writer_init(&out.w, fp, output ? output : "<stdout>",
	    tool.unbuffered);
	io.put = put;
	io.flush = flush;
	io.report = report;
	io.arg = &out;
	f = sm_fetch_new(st, &opts, &io);
	for (i = 0; i < nacct; i++)
		if (selected(names, nnames, accts[i].name))
			sm_fetch_add(f, &accts[i]);
	if (sm_fetch_run(f, &err) < 0) {
		sm_tool_error(&tool, &err);
		sm_tool_fail(&tool, EX_SOFTWARE);
	}
	if (output) {
		if (out.failed) {
			sm_atomic_abandon(fp, tmp);
			safe = 0;
		} else if (sm_atomic_commit(fp, tmp, output, &err) < 0) {
			sm_tool_error(&tool, &err);
			sm_tool_fail(&tool, EX_IOERR);
			safe = 0;
		} else
			safe = 1;
		tmp = NULL;
		sm_buf_free(&out.w.buf);
	} else {
		safe = flush(&out) == 0;
		if (sm_writer_close(&out.w, &err) < 0 && !out.w.closed_pipe &&
		    !out.failed) {
			sm_tool_error(&tool, &err);
			sm_tool_fail(&tool, EX_IOERR);
		}
	}
	sm_tool_fail(&tool, sm_fetch_finish(f, safe));
	if (tool.verbose)
		sm_tool_warn(&tool, "%lu records written", tool.written);
	status = tool.status;
done:
	sm_fetch_free(f);
	sm_state_close(st);
	sm_accounts_free(accts, nacct);
	sm_config_free(cfg);
	free(names);
	free(state_path);
	free(tmp);
	return status;
}
