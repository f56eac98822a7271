/* sm-reply - draft the answer to each message in the citizen's language,
 * and with --send post it, never twice */

#include <sys/wait.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <jansson.h>

#include "sm/account.h"
#include "sm/calendar.h"
#include "sm/config.h"
#include "sm/http.h"
#include "sm/jsonl.h"
#include "sm/platform.h"
#include "sm/reply.h"
#include "sm/state.h"
#include "sm/time.h"
#include "sm/tool.h"
#include "sm/util.h"

static const char usage_text[] =
    "usage: sm-reply [-nquv] [-c file] [-r file] [--review] [--send]\n"
    "                [--state file] [file ...]\n"
    "       sm-reply --check [-v] [-c file] [--send]\n"
    "  -c, --config FILE   configuration (default: $SM_CONFIG, ./sm.yaml, ...)\n"
    "      --check         load the configuration, say its warnings, and exit\n"
    "  -n, --dry-run       with --send, say what would be sent, send nothing\n"
    "  -r, --rejects FILE  append lines that are not records to FILE\n"
    "      --review        a person approves, edits or skips each draft,\n"
    "                      at the terminal\n"
    "      --send          post the drafts of auto: templates and those\n"
    "                      approved (reply.approved: true)\n"
    "      --state FILE    the state database (default: state: or\n"
    "                      $XDG_STATE_HOME/sm/state.db)\n"
    "  -u, --unbuffered    flush every record\n"
    "  -q, --quiet         do not report rejected lines nor config warnings\n"
    "  -v, --verbose       say which configuration is used, and a summary\n"
    "  -h, --help          this help\n"
    "  -V, --version       the version\n";

/* An account's session, opened the first time a reply needs it. */
struct open {
	struct sm_session s;
	int tried, ready;
};

static struct sm_tool tool;
static struct sm_config *cfg;
static struct sm_state *st;
static struct sm_account *accts;
static size_t nacct;
static struct open *sessions;
static struct sm_http *http;
static int dry_run, sending;
static FILE *tty;		/* --review: the person's terminal */
static unsigned long sent, failed;

static void
usage(FILE *fp)
{
	fputs(usage_text, fp);
}

static void
ready(struct sm_session *s, void *arg)
{
	*(int *)arg = 1;
}

/* The account's session, signed in; NULL when it cannot be (said why). */
static struct sm_session *
session(const char *name, const char **why)
{
	struct sm_account *a = name ? sm_account_find(accts, nacct, name) :
	    NULL;
	struct sm_error err;
	struct open *o;

	if (a == NULL) {
		*why = "no such account in accounts:";
		return NULL;
	}
	if (a->platform->post == NULL) {
		*why = "sm cannot post on this platform yet";
		return NULL;
	}
	o = &sessions[a - accts];
	if (!o->tried) {
		o->tried = 1;
		if (sm_account_token(cfg, a, &err) < 0) {
			sm_tool_error(&tool, &err);
			sm_tool_fail(&tool, EX_CONFIG);
			*why = "no token";
			return NULL;
		}
		sm_session_init(&o->s, a, http, st, sm_tool_report,
		    &tool);
		sm_session_open(&o->s, ready, &o->ready);
		if (sm_http_run(http, &err) < 0)
			sm_tool_error(&tool, &err);
	}
	if (!o->ready) {
		*why = "the account's session could not be opened";
		return NULL;
	}
	return &o->s;
}

struct result {
	int done;
	char *id, *url;
};

static void
posted(struct sm_session *s, const struct sm_posted *p, void *arg)
{
	struct result *r = arg;

	r->done = 1;
	if (p) {
		r->id = xstrdup(p->id ? p->id : "");
		r->url = p->url ? xstrdup(p->url) : NULL;
	}
}

/* Sets key in the reply object, or removes it for NULL. */
static void
set(json_t *reply, const char *key, const char *value)
{
	if (value)
		json_object_set_new(reply, key, json_string(value));
	else
		json_object_del(reply, key);
}

/*
 * Posts the reply, once: the intent is stored before the platform call
 * and the outcome after it; an intent found without an outcome was
 * interrupted and is reported, not sent again.
 */
static void
send_reply(json_t *rec, json_t *reply)
{
	const char *id = json_string_value(json_object_get(rec, "id"));
	const char *why = NULL, *status;
	struct sm_session *s;
	struct sm_post p = { 0 };
	struct result res = { 0 };
	struct sm_error err;
	json_t *ledger = NULL;
	char *v = NULL, now[SM_TIME_SIZE], *key;
	time_t t;
	int code, old;

	if (id == NULL)
		return;
	if (sm_state_get(st, "reply", "", id, &v, &err) < 0)
		goto state_failed;
	if (v && (ledger = json_loads(v, 0, NULL)) != NULL) {
		free(v);
		status = json_string_value(json_object_get(ledger, "status"));
		if (status && strcmp(status, "sent") == 0) {
			/* sent by an earlier run: as it was then */
			set(reply, "status", "sent");
			set(reply, "sent_at", json_string_value(json_object_get(
			    ledger, "sent_at")));
			set(reply, "platform_id", json_string_value(
			    json_object_get(ledger, "platform_id")));
			set(reply, "url", json_string_value(json_object_get(
			    ledger, "url")));
		} else {
			set(reply, "status", "unknown");
			sm_tool_warn(&tool, "%s: a reply was being sent when a "
			    "run stopped: check on the platform; it is not "
			    "sent again", id);
			sm_tool_fail(&tool, EX_UNAVAILABLE);
		}
		json_decref(ledger);
		return;
	}
	free(v);
	if (dry_run) {
		sm_tool_warn(&tool, "%s: would send (dry run)", id);
		return;
	}
	if ((s = session(json_string_value(json_object_get(rec, "account")),
	    &why)) == NULL || (s->stopped && (why = "the account cannot post "
	    "now (said above)") != NULL)) {
		set(reply, "status", "failed");
		set(reply, "error", why);
		sm_tool_warn(&tool, "%s: not sent: %s", id, why);
		sm_tool_fail(&tool, s && s->status ? s->status :
		    EX_UNAVAILABLE);
		failed++;
		return;
	}
	if (sm_time_now(&t, &err) < 0)
		t = time(NULL);
	sm_time_format(t, now, sizeof(now));
	ledger = json_pack("{s:s,s:s}", "status", "sending", "at", now);
	v = json_dumps(ledger, JSON_COMPACT);
	json_decref(ledger);
	if (sm_state_put(st, "reply", "", id, v, &err) < 0) {
		free(v);
		goto state_failed;
	}
	free(v);
	key = xmalloc(strlen(id) + 10);
	sprintf(key, "sm-reply:%s", id);
	p.text = json_string_value(json_object_get(reply, "text"));
	p.visibility = json_string_value(json_object_get(reply,
	    "visibility"));
	p.rec = rec;
	p.key = key;
	old = s->status;
	s->status = 0;
	s->acct->platform->post(s, &p, posted, &res);
	if (sm_http_run(http, &err) < 0)
		sm_tool_error(&tool, &err);
	free(key);
	code = s->status;
	if (old > s->status)
		s->status = old;
	if (!res.done || res.id == NULL) {
		free(res.url);
		if (code == EX_PROTOCOL) {
			/* the platform took it but said nothing usable: it
			 * may be posted; never sent again on its own */
			ledger = json_pack("{s:s,s:s}", "status", "unknown",
			    "at", now);
			v = json_dumps(ledger, JSON_COMPACT);
			json_decref(ledger);
			(void)sm_state_put(st, "reply", "", id, v, &err);
			free(v);
			set(reply, "status", "unknown");
			sm_tool_fail(&tool, EX_UNAVAILABLE);
			failed++;
			return;
		}
		/* refused or unreachable: nothing was posted */
		(void)sm_state_put(st, "reply", "", id, NULL, &err);
		set(reply, "status", "failed");
		sm_tool_fail(&tool, code ? code : EX_UNAVAILABLE);
		failed++;
		return;
	}
	ledger = json_pack("{s:s,s:s,s:s,s:s?}", "status", "sent", "sent_at",
	    now, "platform_id", res.id, "url", res.url);
	v = json_dumps(ledger, JSON_COMPACT);
	json_decref(ledger);
	if (sm_state_put(st, "reply", "", id, v, &err) < 0)
		sm_tool_error(&tool, &err);
	free(v);
	set(reply, "status", "sent");
	set(reply, "sent_at", now);
	set(reply, "platform_id", res.id);
	set(reply, "url", res.url);
	sent++;
	free(res.id);
	free(res.url);
	return;
state_failed:
	sm_tool_error(&tool, &err);
	sm_tool_fail(&tool, EX_CANTCREAT);
}

/* The reply object of a draft. */
static json_t *
reply_object(const struct sm_draft *d)
{
	json_t *o = json_object();

	json_object_set_new(o, "template", json_string(d->template));
	if (d->skip) {
		json_object_set_new(o, "status", json_string("skipped"));
		return o;
	}
	json_object_set_new(o, "lang", json_string(d->lang));
	json_object_set_new(o, "text", json_stringn(d->text.data,
	    d->text.len));
	json_object_set_new(o, "visibility", json_string(d->visibility));
	if (d->max_length && d->length > d->max_length) {
		json_object_set_new(o, "status", json_string("too_long"));
		json_object_set_new(o, "length", json_integer(
		    (json_int_t)d->length));
		json_object_set_new(o, "max_length", json_integer(
		    (json_int_t)d->max_length));
	} else
		json_object_set_new(o, "status", json_string("draft"));
	return o;
}

/* --review: the text edited in $VISUAL or $EDITOR; NULL when it failed. */
static char *
edit(const char *text)
{
	char path[] = "/tmp/sm-reply.XXXXXX";
	const char *ed = getenv("VISUAL");
	struct sm_buf b = { 0 }, cmd = { 0 };
	char chunk[4096];
	size_t got;
	FILE *fp;
	int fd, rc;

	if (ed == NULL || *ed == '\0')
		ed = getenv("EDITOR");
	if (ed == NULL || *ed == '\0')
		ed = "vi";
	if ((fd = mkstemp(path)) < 0)
		return NULL;
	if (write(fd, text, strlen(text)) < 0 || write(fd, "\n", 1) < 0 ||
	    close(fd) < 0) {
		unlink(path);
		return NULL;
	}
	/* the editor gets the terminal, whatever the pipe is doing */
	sm_buf_adds(&cmd, ed);
	sm_buf_adds(&cmd, " \"$1\" </dev/tty >/dev/tty");
	if (fork() == 0) {
		execl("/bin/sh", "sh", "-c", cmd.data, "sh", path, (char *)NULL);
		_exit(127);
	}
	wait(&rc);
	sm_buf_free(&cmd);
	if ((fp = fopen(path, "r")) != NULL) {
		while ((got = fread(chunk, 1, sizeof(chunk), fp)) > 0)
			sm_buf_add(&b, chunk, got);
		fclose(fp);
	}
	unlink(path);
	if (!WIFEXITED(rc) || WEXITSTATUS(rc) != 0 || b.data == NULL) {
		sm_buf_free(&b);
		return NULL;
	}
	while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == ' '))
		b.data[--b.len] = '\0';
	return b.data;
}

/*
 * --review: shows the message and its draft on the terminal and asks:
 * approve, edit, skip or quit (no more questions; the rest stay drafts).
 */
static void
review(json_t *rec, json_t *reply)
{
	const char *text = json_string_value(json_object_get(rec, "text"));
	char line[64], *t;

	for (;;) {
		fprintf(tty, "\n-- %s (%s, %s)\n%s\n\n-> [%s, %s] %s\n",
		    json_string_value(json_object_get(rec, "id")),
		    json_string_value(json_object_get(rec, "platform")),
		    json_string_value(sm_record_get(rec, "author.handle")),
		    text ? text : "",
		    json_string_value(json_object_get(reply, "lang")),
		    json_string_value(json_object_get(reply, "visibility")),
		    json_string_value(json_object_get(reply, "text")));
		fputs("[a]pprove, [e]dit, [s]kip, [q]uit? ", tty);
		fflush(tty);
		if (fgets(line, sizeof(line), tty) == NULL || line[0] == 'q') {
			fclose(tty);
			tty = NULL;
			return;
		}
		switch (line[0]) {
		case 'a':
			json_object_set_new(reply, "approved", json_true());
			return;
		case 's':
		case '\n':
			return;
		case 'e':
			t = edit(json_string_value(json_object_get(reply,
			    "text")));
			if (t == NULL)
				fputs("(the editor failed: the text is as it "
				    "was)\n", tty);
			else {
				json_object_set_new(reply, "text",
				    json_string(t));
				json_object_set_new(reply, "edited",
				    json_true());
				free(t);
			}
			break;
		}
	}
}

/*
 * An announcement (kind post: news, a new service, a cut) is published
 * as it is written, on the account it names: its text is the draft.
 */
static int
announcement(json_t *rec, struct sm_draft *d)
{
	const char *kind = json_string_value(json_object_get(rec, "kind"));
	json_t *text = json_object_get(rec, "text");
	const struct sm_platform *p;

	if (kind == NULL || strcmp(kind, "post") != 0 || !json_is_string(text))
		return 0;
	p = sm_platform_find(json_string_value(json_object_get(rec,
	    "platform")) ? json_string_value(json_object_get(rec,
	    "platform")) : "");
	d->template = "post";
	d->skip = d->autosend = 0;
	d->lang = json_string_value(json_object_get(rec, "lang"));
	if (d->lang == NULL)
		d->lang = "und";
	d->visibility = "public";
	sm_buf_reset(&d->text);
	sm_buf_add(&d->text, json_string_value(text), json_string_length(text));
	sm_buf_addc(&d->text, '\0');
	d->text.len--;
	d->length = p && p->length ? p->length(d->text.data) :
	    strlen(d->text.data);
	d->max_length = p ? p->max_length : 0;
	return 1;
}

/* Our own words answer the message they name: no template answers it. */
static int
own_answer(json_t *rec)
{
	const char *kind = json_string_value(json_object_get(rec, "kind"));
	const char *to = json_string_value(sm_record_get(rec,
	    "thread.in_reply_to"));
	const char *id = json_string_value(json_object_get(rec, "id"));
	struct sm_error err;

	if (kind == NULL || strcmp(kind, "own") != 0)
		return 0;
	if (to && id && !dry_run && sm_state_put(st, "answered", "", to, id,
	    &err) < 0) {
		sm_tool_error(&tool, &err);
		sm_tool_fail(&tool, EX_CANTCREAT);
	}
	return 1;
}

static int
reply_to(struct sm_replier *r, json_t *rec, struct sm_draft *d)
{
	const char *id = json_string_value(json_object_get(rec, "id"));
	json_t *reply = json_object_get(rec, "reply");
	struct sm_error err;
	char *by = NULL;
	int approved;

	if (own_answer(rec))
		return sm_tool_put(&tool, rec);
	if (!json_is_object(reply) && announcement(rec, d)) {
		reply = reply_object(d);
	} else if (json_is_object(reply) && json_object_get(reply, "text")) {
		/* drafted before, maybe edited and approved by a clerk */
		json_incref(reply);
	} else {
		if (id && sm_state_get(st, "answered", "", id, &by, &err) < 0) {
			sm_tool_error(&tool, &err);
			sm_tool_fail(&tool, EX_CANTCREAT);
		}
		if (by) {
			reply = json_pack("{s:s,s:s,s:s}", "status", "skipped",
			    "reason", "answered by hand", "by", by);
			free(by);
			return sm_tool_put_own(&tool, rec, "reply", reply);
		}
		if (sm_replier_draft(r, rec, d, &err) < 0) {
			sm_tool_warn(&tool, "%s:%lu: %s", tool.in.name,
			    tool.in.lineno, err.text);
			sm_tool_fail(&tool, EX_DATAERR);
			return sm_tool_put(&tool, rec);
		}
		if (d->template == NULL)
			return sm_tool_put(&tool, rec);
		reply = reply_object(d);
		if (d->autosend)
			json_object_set_new(reply, "auto", json_true());
	}
	if (tty && json_is_string(json_object_get(reply, "status")) &&
	    strcmp(json_string_value(json_object_get(reply, "status")),
	    "draft") == 0 && !json_is_true(json_object_get(reply, "auto")))
		review(rec, reply);
	approved = json_is_true(json_object_get(reply, "approved")) ||
	    json_is_true(json_object_get(reply, "auto"));
	if (sending && approved && json_is_string(json_object_get(reply,
	    "status")) && strcmp(json_string_value(json_object_get(reply,
	    "status")), "draft") == 0)
		send_reply(rec, reply);
	return sm_tool_put_own(&tool, rec, "reply", reply);
}

int
main(int argc, char *argv[])
{
	enum { OPT_SEND = 256, OPT_REVIEW };
	static const struct option longopts[] = {
		SM_TOOL_LONGOPTS,
		SM_TOOL_STATE_LONGOPT,
		SM_TOOL_CHECK_LONGOPT,
		{ "dry-run", no_argument, NULL, 'n' },
		{ "send", no_argument, NULL, OPT_SEND },
		{ "review", no_argument, NULL, OPT_REVIEW },
		{ NULL, 0, NULL, 0 }
	};
	struct sm_calendars *cals = NULL;
	struct sm_replier *r = NULL;
	struct sm_draft d = { 0 };
	struct sm_error err;
	json_t *rec;
	int opt;

	sm_tool_init(&tool, "sm-reply");
	tool.keeps_state = 1;
	while ((opt = getopt_long(argc, argv, SM_TOOL_SHORTOPTS "n", longopts,
	    NULL)) != -1) {
		if (sm_tool_option(&tool, opt, optarg))
			continue;
		switch (opt) {
		case 'n':
			dry_run = 1;
			break;
		case OPT_SEND:
			sending = 1;
			break;
		case OPT_REVIEW:
			if (tty == NULL && (tty = fopen("/dev/tty", "r+")) ==
			    NULL) {
				sm_tool_warn(&tool, "--review: /dev/tty: %s: "
				    "it needs a terminal", strerror(errno));
				return EX_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("sm-reply %s\n", SM_VERSION);
			return 0;
		default:
			return sm_tool_usage_error(&tool, usage_text);
		}
	}
	if ((cfg = sm_tool_config(&tool)) == NULL)
		goto done;
	if ((cals = sm_calendars_load(cfg, &err)) == NULL ||
	    (r = sm_replier_load(cfg, cals, &err)) == NULL ||
	    (sending && sm_accounts_load(cfg, &accts, &nacct, &err) < 0)) {
		sm_tool_error(&tool, &err);
		sm_tool_fail(&tool, EX_CONFIG);
		goto done;
	}
	/* what --send would post with: the accounts' secrets */
	for (size_t i = 0; tool.check && i < nacct; i++)
		if (sm_account_token(cfg, &accts[i], &err) < 0) {
			sm_tool_error(&tool, &err);
			sm_tool_fail(&tool, EX_CONFIG);
			goto done;
		}
	if (sm_tool_configured(&tool, cfg))
		goto done;
	if ((st = sm_tool_state(&tool, cfg, sending ? "reply" : NULL,
	    5 * 60 * 1000)) == NULL)
		goto done;
	if (sending) {
		sessions = xcalloc(nacct + 1, sizeof(*sessions));
		http = sm_http_new();
	}
	if (tool.verbose)
		sm_tool_warn(&tool, "configuration: %s; state: %s",
		    sm_config_path(cfg) ? sm_config_path(cfg) : "none",
		    sm_state_path(st));
	if (sm_tool_open(&tool, argc - optind, argv + optind) != 0)
		goto done;
	while ((rec = sm_tool_next(&tool)) != NULL) {
		int rc = reply_to(r, rec, &d);

		json_decref(rec);
		if (rc < 0)
			break;
	}
	if (sending && tool.verbose)
		sm_tool_warn(&tool, "%lu replies sent, %lu not", sent, failed);
done:
	if (tty)
		fclose(tty);
	for (size_t i = 0; sessions && i < nacct; i++)
		if (sessions[i].tried)
			sm_session_free(&sessions[i].s);
	free(sessions);
	sm_http_free(http);
	sm_buf_free(&d.text);
	sm_accounts_free(accts, nacct);
	sm_state_close(st);
	sm_replier_free(r);
	sm_calendars_free(cals);
	sm_config_free(cfg);
	return sm_tool_finish(&tool);
}
