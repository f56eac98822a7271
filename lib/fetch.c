/* fetch.c - sm-fetch's driver: accounts, jobs, records out, cursors moved */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "sm/fetch.h"
#include "sm/util.h"

struct sm_kv {
	struct sm_kv *next;
	char *account, *stream, *value;
};

struct sm_fetch {
	struct sm_state *st;
	const struct sm_fetch_opts *opts;
	const struct sm_fetch_io *io;
	struct sm_http *http;
	struct sm_job **jobs;
	size_t njobs;
	struct sm_kv *pending;	/* deferred cursors */
	int output_failed;
};

static const char *const common_keys[] = {
	"platform", "url", "token_env", "token_file", "ca_file", "timeout",
	"connect_timeout", "retries", "backoff", "max_wait", "max_body",
	"limit", NULL
};

/* Numbers have no place of their own: errors about them point at the account. */
static const json_t *
placed(const struct sm_config *cfg, const json_t *node, const json_t *parent)
{
	struct sm_mark m;

	return sm_config_mark(cfg, node, &m) == 0 ? node : parent;
}

static int
get_number(const struct sm_config *cfg, const json_t *acct, const char *key,
    const char *where, double min, double max, double *out,
    struct sm_error *err)
{
	json_t *v = json_object_get(acct, key);

	if (v == NULL)
		return 0;
	if (!json_is_number(v))
		return sm_config_error(cfg, placed(cfg, v, acct), err,
		    "%s.%s: expected a number, got %s", where, key,
		    sm_config_type_name(v));
	*out = json_number_value(v);
	if (*out < min || *out > max)
		return sm_config_error(cfg, placed(cfg, v, acct), err,
		    "%s.%s: %g is out of range (%g to %g)", where, key, *out,
		    min, max);
	return 0;
}

static int
get_string(const struct sm_config *cfg, const json_t *acct, const char *key,
    const char *where, const char **out, struct sm_error *err)
{
	json_t *v = json_object_get(acct, key);

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_string(v) || json_string_length(v) == 0)
		return sm_config_error(cfg, placed(cfg, v, acct), err,
		    "%s.%s: expected a non-empty string, got %s", where, key,
		    json_is_string(v) ? "an empty one" :
		    sm_config_type_name(v));
	*out = json_string_value(v);
	return 0;
}

static int
load_account(const struct sm_config *cfg, const char *name, const json_t *c,
    struct sm_account *a, struct sm_error *err)
{
	const char *allowed[64], *s, *url;
	char where[300];
	double d;
	size_t n = 0;
	int i;

	snprintf(where, sizeof(where), "accounts.%s", name);
	a->name = xstrdup(name);
	a->conf = c;
	sm_http_opts_init(&a->http);
	if (!json_is_object(c))
		return sm_config_error(cfg, c, err,
		    "%s: expected a mapping, got %s", where,
		    sm_config_type_name(c));
	if (get_string(cfg, c, "platform", where, &s, err) < 0)
		return -1;
	if (s == NULL)
		return sm_config_error(cfg, c, err, "%s: no platform: "
		    "(one of %s)", where, sm_platform_names());
	if ((a->platform = sm_platform_find(s)) == NULL)
		return sm_config_error(cfg, json_object_get(c, "platform"),
		    err, "%s.platform: unknown platform '%s' (known: %s)",
		    where, s, sm_platform_names());
	for (i = 0; common_keys[i]; i++)
		allowed[n++] = common_keys[i];
	for (i = 0; a->platform->keys && a->platform->keys[i] && n < 63; i++)
		allowed[n++] = a->platform->keys[i];
	allowed[n] = NULL;
	if (sm_config_check_keys(cfg, c, where, allowed, err) < 0)
		return -1;
	if (get_string(cfg, c, "url", where, &url, err) < 0 ||
	    get_string(cfg, c, "ca_file", where, &a->http.ca_file, err) < 0)
		return -1;
	if (url == NULL)
		url = a->platform->default_url;
	if (url == NULL && strcmp(a->platform->name, "file") != 0)
		return sm_config_error(cfg, c, err, "%s: no url:", where);
	if (url) {
		/* e-mail checks its own imap:// and imaps:// */
		if (strcmp(a->platform->name, "email") != 0 &&
		    strncmp(url, "https://", 8) != 0 &&
		    strncmp(url, "http://", 7) != 0 &&
		    strncmp(url, "file://", 7) != 0)
			return sm_config_error(cfg, json_object_get(c, "url"),
			    err, "%s.url: '%s' is not an http, https or file "
			    "URL", where, url);
		/* plain http only to this machine (a test server, a relay) */
		if (strncmp(url, "http://", 7) == 0 && !sm_http_url_secure(url))
			return sm_config_error(cfg, json_object_get(c, "url"),
			    err, "%s.url: plain http would send the token "
			    "in clear; use https", where);
		a->url = xstrdup(url);
		while (strlen(a->url) > 8 && a->url[strlen(a->url) - 1] == '/')
			a->url[strlen(a->url) - 1] = '\0';
	}
	if (a->platform->needs_token && !json_object_get(c, "token_env") &&
	    !json_object_get(c, "token_file"))
		return sm_config_error(cfg, c, err,
		    "%s: no token_env: or token_file:", where);
	d = a->http.timeout_ms / 1000.0;
	if (get_number(cfg, c, "timeout", where, 0.001, 86400, &d, err) < 0)
		return -1;
	a->http.timeout_ms = (long)(d * 1000);
	d = a->http.connect_timeout_ms / 1000.0;
	if (get_number(cfg, c, "connect_timeout", where, 0.001, 86400, &d,
	    err) < 0)
		return -1;
	a->http.connect_timeout_ms = (long)(d * 1000);
	d = a->http.retries;
	if (get_number(cfg, c, "retries", where, 0, 20, &d, err) < 0)
		return -1;
	a->http.retries = (int)d;
	d = a->http.backoff_ms / 1000.0;
	if (get_number(cfg, c, "backoff", where, 0.001, 3600, &d, err) < 0)
		return -1;
	a->http.backoff_ms = (long)(d * 1000);
	d = a->http.max_wait_ms / 1000.0;
	if (get_number(cfg, c, "max_wait", where, 0, 86400, &d, err) < 0)
		return -1;
	a->http.max_wait_ms = (long)(d * 1000);
	d = (double)a->http.max_body;
	if (get_number(cfg, c, "max_body", where, 1024, 1e10, &d, err) < 0)
		return -1;
	a->http.max_body = (size_t)d;
	d = 0;
	if (get_number(cfg, c, "limit", where, 1, 1000, &d, err) < 0)
		return -1;
	a->limit = (long)d;
	if (a->platform->check && a->platform->check(cfg, a, err) < 0)
		return -1;
	return 0;
}

int
sm_accounts_load(const struct sm_config *cfg, struct sm_account **accts,
    size_t *n, struct sm_error *err)
{
	json_t *sec = sm_config_section(cfg, "accounts"), *v;
	const char *name;
	size_t i = 0;

	*accts = NULL;
	*n = 0;
	if (sec == NULL)
		return 0;
	if (!json_is_object(sec))
		return sm_config_error(cfg, sec, err,
		    "accounts: expected a mapping of account names, got %s",
		    sm_config_type_name(sec));
	*accts = xcalloc(json_object_size(sec) + 1, sizeof(**accts));
	json_object_foreach(sec, name, v) {
		if (load_account(cfg, name, v, &(*accts)[i++], err) < 0) {
			sm_accounts_free(*accts, i);
			*accts = NULL;
			return -1;
		}
	}
	*n = i;
	return 0;
}

int
sm_account_token(const struct sm_config *cfg, struct sm_account *a,
    struct sm_error *err)
{
	char where[300];

	if (!json_object_get(a->conf, "token_env") &&
	    !json_object_get(a->conf, "token_file"))
		return 0;
	snprintf(where, sizeof(where), "accounts.%s", a->name);
	a->token = sm_config_secret(cfg, a->conf, where, err);
	return a->token ? 0 : -1;
}

void
sm_accounts_free(struct sm_account *accts, size_t n)
{
	size_t i;

	for (i = 0; accts && i < n; i++) {
		free(accts[i].name);
		free(accts[i].url);
		if (accts[i].token) {
			memset(accts[i].token, 0, strlen(accts[i].token));
			free(accts[i].token);
		}
	}
	free(accts);
}

struct sm_fetch *
sm_fetch_new(struct sm_state *st, const struct sm_fetch_opts *opts,
    const struct sm_fetch_io *io)
{
	struct sm_fetch *f = xcalloc(1, sizeof(*f));

	f->st = st;
	f->opts = opts;
	f->io = io;
	f->http = sm_http_new();
	return f;
}

void
sm_fetch_add(struct sm_fetch *f, struct sm_account *acct)
{
	struct sm_job *job = xcalloc(1, sizeof(*job));

	job->f = f;
	job->acct = acct;
	job->opts = f->opts;
	f->jobs = xreallocarray(f->jobs, f->njobs + 1, sizeof(*f->jobs));
	f->jobs[f->njobs++] = job;
	acct->platform->fetch(job);
}

int
sm_fetch_run(struct sm_fetch *f, struct sm_error *err)
{
	return sm_http_run(f->http, err);
}

static void
kv_free(struct sm_kv *kv)
{
	struct sm_kv *next;

	for (; kv; kv = next) {
		next = kv->next;
		free(kv->account);
		free(kv->stream);
		free(kv->value);
		free(kv);
	}
}

static void
store(struct sm_fetch *f, struct sm_job *job, const char *account,
    const char *stream, const char *value)
{
	struct sm_error err;

	if (sm_state_cursor_set(f->st, account, stream, value, &err) < 0) {
		char buf[2200];

		sm_error_format(&err, buf, sizeof(buf));
		f->io->report(f->io->arg, account, EX_CANTCREAT, buf);
		if (job)
			job->status = job->status > EX_CANTCREAT ?
			    job->status : EX_CANTCREAT;
	}
}

/* -v: what the job brought, and where its cursors are now. */
static void
summary(struct sm_fetch *f, struct sm_job *job)
{
	struct sm_buf b = { 0 };
	struct sm_error err;
	struct sm_kv *kv;
	char n[64], *v;

	snprintf(n, sizeof(n), "%lu record%s", job->emitted,
	    job->emitted == 1 ? "" : "s");
	sm_buf_adds(&b, n);
	for (kv = job->cursors; kv; kv = kv->next) {
		if (sm_state_cursor_get(f->st, job->acct->name, kv->stream, &v,
		    &err) < 0)
			continue;
		sm_buf_adds(&b, "; cursor ");
		sm_buf_adds(&b, kv->stream);
		sm_buf_adds(&b, v ? " at " : " not set");
		if (v)
			sm_buf_adds(&b, v);
		if (v && kv->value && strcmp(v, kv->value) == 0)
			sm_buf_adds(&b, " (unchanged)");
		free(v);
	}
	if (f->opts->dry_run)
		sm_buf_adds(&b, " (dry run)");
	f->io->report(f->io->arg, job->acct->name, 0, b.data);
	sm_buf_free(&b);
}

int
sm_fetch_finish(struct sm_fetch *f, int output_safe)
{
	struct sm_kv *kv;
	size_t i;
	int worst = 0;

	if (output_safe && !f->output_failed)
		for (kv = f->pending; kv; kv = kv->next) {
			for (i = 0; i < f->njobs; i++)
				if (strcmp(f->jobs[i]->acct->name,
				    kv->account) == 0)
					break;
			store(f, i < f->njobs ? f->jobs[i] : NULL, kv->account,
			    kv->stream, kv->value);
		}
	kv_free(f->pending);
	f->pending = NULL;
	for (i = 0; i < f->njobs; i++) {
		summary(f, f->jobs[i]);
		if (f->jobs[i]->status > worst)
			worst = f->jobs[i]->status;
	}
	return worst;
}

void
sm_fetch_free(struct sm_fetch *f)
{
	size_t i;

	if (f == NULL)
		return;
	sm_http_free(f->http);
	for (i = 0; i < f->njobs; i++) {
		struct sm_job *job = f->jobs[i];

		if (job->acct->platform->free)
			job->acct->platform->free(job);
		if (job->auth) {
			memset(job->auth, 0, strlen(job->auth));
			free(job->auth);
		}
		kv_free(job->cursors);
		free(job);
	}
	free(f->jobs);
	kv_free(f->pending);
	free(f);
}

void
sm_job_bearer(struct sm_job *job, const char *token)
{
	struct sm_buf b = { 0 };

	sm_buf_adds(&b, "Authorization: Bearer ");
	sm_buf_adds(&b, token);
	free(job->auth);
	job->auth = b.data;
}

struct call {
	struct sm_job *job;
	void (*done)(struct sm_job *, struct sm_http_response *);
	void (*done_arg)(struct sm_job *, struct sm_http_response *, void *);
	void *arg;
};

static void
on_response(struct sm_http_response *resp, void *arg)
{
	struct call *c = arg;
	struct sm_job *job = c->job;

	if (!job->stopped) {
		if (resp->result == SM_HTTP_LATER)
			sm_job_fail(job, EX_TEMPFAIL, "%s; try later",
			    resp->error);
		else if (resp->result == SM_HTTP_FAILED)
			sm_job_fail(job, EX_UNAVAILABLE, "%s", resp->error);
		else if (c->done_arg)
			c->done_arg(job, resp, c->arg);
		else
			c->done(job, resp);
	}
	free(c);
}

static void
get(struct sm_job *job, const char *url, struct call *c)
{
	const char *hdrs[3] = { "Accept: application/json", job->auth, NULL };

	if (job->stopped || job->f->output_failed) {
		free(c);
		return;
	}
	c->job = job;
	sm_http_get(job->f->http, &job->acct->http, url, hdrs, on_response, c);
}

int
sm_account_check_search(const struct sm_config *cfg,
    const struct sm_account *a, struct sm_error *err)
{
	json_t *q = json_object_get(a->conf, "search"), *t;
	size_t i;

	if (q == NULL)
		return 0;
	if (!json_is_array(q))
		return sm_config_error(cfg, q, err, "accounts.%s.search: "
		    "expected a list of queries, got %s", a->name,
		    sm_config_type_name(q));
	json_array_foreach(q, i, t)
		if (!json_is_string(t) || json_string_length(t) == 0)
			return sm_config_error(cfg, t, err, "accounts.%s."
			    "search[%zu]: expected a query", a->name, i);
	return 0;
}

json_t *
sm_job_json(struct sm_job *job, const struct sm_http_response *r)
{
	json_error_t e;
	json_t *j = json_loadb(r->body.data, r->body.len, 0, &e);

	if (j == NULL)
		sm_job_fail(job, EX_TEMPFAIL, "invalid JSON in the response: "
		    "%s; try later", e.text);
	return j;
}

json_t *
sm_job_id(const struct sm_job *job, const char *native)
{
	struct sm_buf b = { 0 };
	json_t *j;

	if (native == NULL)
		return json_null();
	sm_buf_adds(&b, job->acct->platform->name);
	sm_buf_addc(&b, ':');
	sm_buf_adds(&b, job->acct->name);
	sm_buf_addc(&b, ':');
	sm_buf_adds(&b, native);
	j = json_string(b.data);
	sm_buf_free(&b);
	return j;
}

void
sm_job_get(struct sm_job *job, const char *url,
    void (*done)(struct sm_job *, struct sm_http_response *))
{
	struct call *c = xcalloc(1, sizeof(*c));

	c->done = done;
	get(job, url, c);
}

void
sm_job_get_arg(struct sm_job *job, const char *url,
    void (*done)(struct sm_job *, struct sm_http_response *, void *),
    void *arg)
{
	struct call *c = xcalloc(1, sizeof(*c));

	c->done_arg = done;
	c->arg = arg;
	get(job, url, c);
}

void
sm_job_post(struct sm_job *job, const char *url, const char *auth,
    const char *body,
    void (*done)(struct sm_job *, struct sm_http_response *, void *),
    void *arg)
{
	const char *hdrs[4] = { "Accept: application/json",
	    "Content-Type: application/json", auth, NULL };
	struct call *c;

	if (body == NULL) {
		hdrs[1] = auth;
		hdrs[2] = NULL;
	}

	if (job->stopped || job->f->output_failed)
		return;
	c = xcalloc(1, sizeof(*c));
	c->job = job;
	c->done_arg = done;
	c->arg = arg;
	sm_http_post(job->f->http, &job->acct->http, url, hdrs,
	    body ? body : "", body ? strlen(body) : 0, on_response, c);
}

int
sm_job_secret_get(struct sm_job *job, const char *name, char **value)
{
	struct sm_error err;

	if (sm_state_cursor_get(job->f->st, job->acct->name, name, value,
	    &err) < 0) {
		sm_job_fail(job, EX_SOFTWARE, "%s: %s", err.file, err.text);
		return -1;
	}
	return 0;
}

int
sm_job_secret_set(struct sm_job *job, const char *name, const char *value)
{
	static const char *const ext[] = { "", "-wal", "-shm", NULL };
	const char *path = sm_state_path(job->f->st);
	struct sm_error err;
	char *p;
	int i;

	/* a secret in the database: nobody else is to read it */
	for (i = 0; path && ext[i]; i++) {
		p = xmalloc(strlen(path) + 5);
		strcpy(p, path);
		strcat(p, ext[i]);
		(void)chmod(p, 0600);
		free(p);
	}

	if (sm_state_cursor_set(job->f->st, job->acct->name, name, value,
	    &err) < 0) {
		sm_job_warn(job, EX_CANTCREAT, "%s: %s", err.file, err.text);
		return -1;
	}
	return 0;
}

int
sm_job_emit(struct sm_job *job, json_t *rec)
{
	struct sm_fetch *f = job->f;
	int rc;

	if (f->output_failed) {
		json_decref(rec);
		job->stopped = 1;
		return -1;
	}
	if (!json_object_get(rec, "fetched_at"))
		json_object_set_new(rec, "fetched_at", sm_time_json(time(NULL)));
	rc = f->io->put(f->io->arg, rec);
	json_decref(rec);
	if (rc < 0) {
		f->output_failed = 1;
		job->stopped = 1;
		return -1;
	}
	job->emitted++;
	return 0;
}

const char *
sm_job_cursor(struct sm_job *job, const char *stream)
{
	struct sm_kv *kv;
	struct sm_error err;
	char *v;

	for (kv = job->cursors; kv; kv = kv->next)
		if (strcmp(kv->stream, stream) == 0)
			return kv->value;
	if (sm_state_cursor_get(job->f->st, job->acct->name, stream, &v,
	    &err) < 0) {
		sm_job_fail(job, EX_SOFTWARE, "%s: %s", err.file, err.text);
		return NULL;
	}
	kv = xcalloc(1, sizeof(*kv));
	kv->stream = xstrdup(stream);
	kv->value = v;
	kv->next = job->cursors;
	job->cursors = kv;
	return v;
}

int
sm_job_commits_now(const struct sm_job *job)
{
	return !job->opts->dry_run && !job->opts->defer_commit;
}

int
sm_job_commit(struct sm_job *job, const char *stream, const char *value)
{
	struct sm_fetch *f = job->f;
	struct sm_kv *kv;

	if (f->output_failed || f->io->flush(f->io->arg) < 0) {
		f->output_failed = 1;
		job->stopped = 1;
		return -1;
	}
	if (job->opts->dry_run) {
		sm_job_note(job, "cursor %s would be %s (dry run)", stream,
		    value);
		return 0;
	}
	if (!job->opts->defer_commit) {
		store(f, job, job->acct->name, stream, value);
		return 0;
	}
	for (kv = f->pending; kv; kv = kv->next)
		if (strcmp(kv->account, job->acct->name) == 0 &&
		    strcmp(kv->stream, stream) == 0)
			break;
	if (kv == NULL) {
		kv = xcalloc(1, sizeof(*kv));
		kv->account = xstrdup(job->acct->name);
		kv->stream = xstrdup(stream);
		kv->next = f->pending;
		f->pending = kv;
	}
	free(kv->value);
	kv->value = xstrdup(value);
	return 0;
}

static void
vreport(struct sm_job *job, int code, const char *fmt, va_list ap)
{
	char buf[2048];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	job->f->io->report(job->f->io->arg, job->acct->name, code, buf);
	if (code > job->status)
		job->status = code;
}

void
sm_job_warn(struct sm_job *job, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(job, code, fmt, ap);
	va_end(ap);
}

void
sm_job_fail(struct sm_job *job, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(job, code, fmt, ap);
	va_end(ap);
	job->stopped = 1;
}

void
sm_job_note(struct sm_job *job, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(job, 0, fmt, ap);
	va_end(ap);
}

void
sm_job_first_run(struct sm_job *job, const char *stream, const char *cursor)
{
	if (cursor == NULL && !job->opts->backfill && !job->opts->since)
		sm_job_note(job, "first run: only the newest page of %s "
		    "(see --backfill)", stream);
}

char *
sm_stream_name(const char *kind, const char *query)
{
	struct sm_buf b = { 0 };

	sm_buf_adds(&b, kind);
	sm_buf_addc(&b, ':');
	sm_buf_adds(&b, query);
	return b.data;
}

void
sm_job_http_error(struct sm_job *job, const struct sm_http_response *r)
{
	json_t *j = json_loadb(r->body.data, r->body.len, 0, NULL), *e;
	const char *what = NULL;
	int code;

	e = json_object_get(j, "error");
	if (json_is_string(e))
		what = json_string_value(e);
	else if (json_is_string(json_object_get(j, "description")))
		what = json_string_value(json_object_get(j, "description"));
	code = r->status == 401 || r->status == 403 ? EX_NOPERM :
	    EX_UNAVAILABLE;
	sm_job_fail(job, code, "HTTP %ld%s%s%s", r->status,
	    what ? " (" : "", what ? what : "", what ? ")" : "");
	json_decref(j);
}

json_t *
sm_time_json(time_t t)
{
	struct tm tm;
	char buf[32];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

int
sm_time_parse(const char *s, time_t *t)
{
	struct tm tm;
	int n = 0, oh = 0, om = 0, sign = 1;
	const char *p;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	    &n) != 3 || n != 10)
		return -1;
	p = s + 10;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		n = 0;
		if (sscanf(p + 1, "%2d:%2d:%2d%n", &tm.tm_hour, &tm.tm_min,
		    &tm.tm_sec, &n) != 3 || n != 8)
			return -1;
		p += 9;
		if (*p == '.')
			for (p++; isdigit((unsigned char)*p); p++)
				;
		if (*p == 'Z' || *p == 'z')
			p++;
		else if (*p == '+' || *p == '-') {
			sign = *p == '-' ? -1 : 1;
			if (!isdigit((unsigned char)p[1]) ||
			    !isdigit((unsigned char)p[2]))
				return -1;
			oh = (p[1] - '0') * 10 + p[2] - '0';
			p += 3;
			if (*p == ':')
				p++;
			if (!isdigit((unsigned char)p[0]) ||
			    !isdigit((unsigned char)p[1]))
				return -1;
			om = (p[0] - '0') * 10 + p[1] - '0';
			p += 2;
		} else
			return -1;
	}
	if (*p != '\0' || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon--;
	*t = timegm(&tm) - sign * (oh * 3600 + om * 60);
	return 0;
}

int
sm_id_greater(const char *a, const char *b)
{
	size_t la, lb;

	while (*a == '0' && a[1])
		a++;
	while (*b == '0' && b[1])
		b++;
	la = strlen(a);
	lb = strlen(b);
	return la != lb ? la > lb : strcmp(a, b) > 0;
}
