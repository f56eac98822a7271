/* fetch.c - sm-fetch's driver: jobs, records out, cursors moved */
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

/*
 * Cursors are values of space "cursor", owned by their account, keyed by
 * stream.  Version 1 kept them, and Bluesky's session, in a table of
 * their own; version 2 moves the cursors among the values and the
 * session among the secrets.
 */
static const char *const fetch_steps[] = {
	"CREATE TABLE IF NOT EXISTS fetch_cursor ("
	"account TEXT NOT NULL, stream TEXT NOT NULL, "
	"value TEXT NOT NULL, updated_at TEXT NOT NULL, "
	"PRIMARY KEY (account, stream))",
	"INSERT OR REPLACE INTO sm_secret SELECT 'secret', account, stream, "
	"value, updated_at FROM fetch_cursor WHERE stream = 'session';"
	"INSERT OR REPLACE INTO sm_value SELECT 'cursor', account, stream, "
	"value, updated_at FROM fetch_cursor WHERE stream <> 'session';"
	"DROP TABLE fetch_cursor",
};

const struct sm_schema sm_fetch_schema = { "fetch", 2, fetch_steps };

struct sm_fetch *
sm_fetch_new(struct sm_state *st, const struct sm_fetch_opts *opts,
    const struct sm_fetch_io *io, struct sm_error *err)
{
	struct sm_fetch *f;

	if (sm_state_migrate(st, &sm_fetch_schema, err) < 0)
		return NULL;
	f = xcalloc(1, sizeof(*f));
	f->st = st;
	f->opts = opts;
	f->io = io;
	f->http = sm_http_new();
	return f;
}

static void
ready(struct sm_session *s, void *arg)
{
	struct sm_job *job = arg;

	job->acct->platform->fetch(job);
}

void
sm_fetch_add(struct sm_fetch *f, struct sm_account *acct)
{
	struct sm_job *job = xcalloc(1, sizeof(*job));

	sm_session_init(&job->s, acct, f->http, f->st, f->io->report,
	    f->io->arg);
	job->s.halt = &f->output_failed;
	job->f = f;
	job->acct = acct;
	job->opts = f->opts;
	f->jobs = xreallocarray(f->jobs, f->njobs + 1, sizeof(*f->jobs));
	f->jobs[f->njobs++] = job;
	sm_session_open(&job->s, ready, job);
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

	if (sm_state_put(f->st, "cursor", account, stream, value, &err) < 0) {
		char buf[2200];

		sm_error_format(&err, buf, sizeof(buf));
		f->io->report(f->io->arg, account, EX_CANTCREAT, buf);
		if (job)
			job->s.status = job->s.status > EX_CANTCREAT ?
			    job->s.status : EX_CANTCREAT;
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
		if (sm_state_get(f->st, "cursor", job->acct->name, kv->stream,
		    &v, &err) < 0)
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

static void
put(struct sm_fetch *f, const char *account, const char *key,
    const char *value)
{
	struct sm_error err;

	(void)sm_state_put(f->st, "account", account, key, value, &err);
}

/*
 * An account's health, kept run after run: when it last worked, since
 * when it has failed, how many runs, and why.  One that has been left
 * for later (75) for longer than its alert_after is no longer "try
 * later": it is said as unavailable (69), which -q does not silence.
 */
static void
health(struct sm_fetch *f, struct sm_job *job)
{
	const char *name = job->acct->name;
	char now[SM_TIME_SIZE], *since = NULL, *runs = NULL, num[32];
	struct sm_error err;
	time_t t, from;
	long n;

	if (f->opts->dry_run || sm_time_now(&t, &err) < 0)
		return;
	sm_time_format(t, now, sizeof(now));
	if (job->s.status == 0 || job->s.status == EX_DATAERR) {
		put(f, name, "ok_at", now);
		put(f, name, "failing_since", NULL);
		put(f, name, "failures", NULL);
		return;
	}
	(void)sm_state_get(f->st, "account", name, "failing_since", &since,
	    &err);
	(void)sm_state_get(f->st, "account", name, "failures", &runs, &err);
	n = runs ? atol(runs) + 1 : 1;
	snprintf(num, sizeof(num), "%ld", n);
	put(f, name, "failures", num);
	put(f, name, "problem", job->s.problem ? job->s.problem : "failed");
	put(f, name, "problem_at", now);
	if (since == NULL || sm_time_parse(since, &from) < 0) {
		put(f, name, "failing_since", now);
		from = t;
	}
	if (job->s.status == EX_TEMPFAIL && t - from >= job->acct->alert_after) {
		sm_session_warn(&job->s, EX_UNAVAILABLE, "failing since %s "
		    "(%ld run%s): %s", since ? since : now, n, n == 1 ? "" :
		    "s", job->s.problem ? job->s.problem : "failed");
		job->s.status = EX_UNAVAILABLE;	/* no longer "later" */
	}
	free(since);
	free(runs);
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
		health(f, f->jobs[i]);
		if (f->jobs[i]->s.status > worst)
			worst = f->jobs[i]->s.status;
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
		sm_session_free(&job->s);
		kv_free(job->cursors);
		free(job);
	}
	free(f->jobs);
	kv_free(f->pending);
	free(f);
}

int
sm_fetch_reset(struct sm_state *st, const char *name, struct sm_error *err)
{
	if (sm_state_migrate(st, &sm_fetch_schema, err) < 0 ||
	    sm_state_begin(st, err) < 0)
		return -1;
	if (sm_state_clear(st, "cursor", name, err) < 0 ||
	    sm_state_clear(st, "account", name, err) < 0) {
		sm_state_rollback(st);
		return -1;
	}
	return sm_state_commit(st, err);
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

struct call {
	void (*done)(struct sm_job *, struct sm_http_response *);
	void (*done_arg)(struct sm_job *, struct sm_http_response *, void *);
	void *arg;
};

static void
on_response(struct sm_session *s, struct sm_http_response *r, void *arg)
{
	struct call *c = arg;

	if (r && c->done_arg)
		c->done_arg(SM_JOB(s), r, c->arg);
	else if (r)
		c->done(SM_JOB(s), r);
	free(c);
}

void
sm_job_get(struct sm_job *job, const char *url,
    void (*done)(struct sm_job *, struct sm_http_response *))
{
	struct call *c;

	if (job->s.stopped || job->f->output_failed)
		return;
	c = xcalloc(1, sizeof(*c));

	c->done = done;
	sm_session_get(&job->s, url, on_response, c);
}

void
sm_job_get_arg(struct sm_job *job, const char *url,
    void (*done)(struct sm_job *, struct sm_http_response *, void *),
    void *arg)
{
	struct call *c;

	if (job->s.stopped || job->f->output_failed)
		return;
	c = xcalloc(1, sizeof(*c));

	c->done_arg = done;
	c->arg = arg;
	sm_session_get(&job->s, url, on_response, c);
}

void
sm_job_post(struct sm_job *job, const char *url, const char *auth,
    const char *body,
    void (*done)(struct sm_job *, struct sm_http_response *, void *),
    void *arg)
{
	struct call *c;

	if (job->s.stopped || job->f->output_failed)
		return;
	c = xcalloc(1, sizeof(*c));

	c->done_arg = done;
	c->arg = arg;
	sm_session_post(&job->s, url, auth, body, on_response, c);
}

/*
 * A message's text and subject hold no control characters but line
 * breaks and tabs: C0 (CR too: CRLF becomes LF), DEL and C1 are taken
 * out, whatever the platform or the mail sent.
 */
static void
clean_text(json_t *rec, const char *key)
{
	json_t *v = json_object_get(rec, key);
	const unsigned char *p;
	struct sm_buf b = { 0 };
	size_t i, n;
	int dirty = 0;

	if (!json_is_string(v))
		return;
	p = (const unsigned char *)json_string_value(v);
	n = json_string_length(v);
	for (i = 0; i < n && !dirty; i++)
		dirty = (p[i] < 0x20 && p[i] != '\n' && p[i] != '\t') ||
		    p[i] == 0x7f || (p[i] == 0xc2 && i + 1 < n &&
		    p[i + 1] >= 0x80 && p[i + 1] <= 0x9f);
	if (!dirty)
		return;
	for (i = 0; i < n; i++) {
		if ((p[i] < 0x20 && p[i] != '\n' && p[i] != '\t') ||
		    p[i] == 0x7f)
			continue;
		if (p[i] == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 &&
		    p[i + 1] <= 0x9f) {
			i++;
			continue;
		}
		sm_buf_addc(&b, (char)p[i]);
	}
	json_object_set_new(rec, key, json_stringn(b.data ? b.data : "",
	    b.len));
	sm_buf_free(&b);
}

int
sm_job_emit(struct sm_job *job, json_t *rec)
{
	struct sm_fetch *f = job->f;
	int rc;

	if (f->output_failed) {
		json_decref(rec);
		job->s.stopped = 1;
		return -1;
	}
	clean_text(rec, "text");
	clean_text(rec, "subject");
	if (!json_object_get(rec, "fetched_at"))
		json_object_set_new(rec, "fetched_at", sm_time_json(time(NULL)));
	rc = f->io->put(f->io->arg, rec);
	json_decref(rec);
	if (rc < 0) {
		f->output_failed = 1;
		job->s.stopped = 1;
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
	if (sm_state_get(job->f->st, "cursor", job->acct->name, stream, &v,
	    &err) < 0) {
		sm_session_fail(&job->s, EX_SOFTWARE, "%s: %s", err.file, err.text);
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
		job->s.stopped = 1;
		return -1;
	}
	if (job->opts->dry_run) {
		sm_session_note(&job->s, "cursor %s would be %s (dry run)", stream,
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

/* "stuck.STREAM": a new string */
static char *
stuck_key(const char *stream)
{
	struct sm_buf b = { 0 };

	sm_buf_adds(&b, "stuck.");
	sm_buf_adds(&b, stream);
	return b.data;
}

json_t *
sm_fetch_stuck(const json_t *health)
{
	json_t *o = json_object(), *v;
	const char *k, *s, *sp;

	json_object_foreach((json_t *)health, k, v) {
		if (strncmp(k, "stuck.", 6) != 0 ||
		    (s = json_string_value(v)) == NULL ||
		    (sp = strrchr(s, ' ')) == NULL)
			continue;
		json_object_set_new(o, k + 6, json_pack("{s:s%,s:I}",
		    "message", s, (size_t)(sp - s), "runs",
		    (json_int_t)atol(sp + 1)));
	}
	return o;
}

long
sm_job_stuck(struct sm_job *job, const char *stream, const char *native)
{
	struct sm_error err;
	char *key = stuck_key(stream), *v = NULL, num[32];
	struct sm_buf b = { 0 };
	size_t n = strlen(native);
	long runs = 1;

	(void)sm_state_get(job->f->st, "account", job->acct->name, key, &v,
	    &err);
	/* "NATIVE RUNS": the same message counts on, another starts at 1 */
	if (v && strlen(v) > n && strncmp(v, native, n) == 0 && v[n] == ' ' &&
	    atol(v + n + 1) > 0)
		runs = atol(v + n + 1) + 1;
	if (!job->opts->dry_run) {
		snprintf(num, sizeof(num), " %ld", runs);
		sm_buf_adds(&b, native);
		sm_buf_adds(&b, num);
		(void)sm_state_put(job->f->st, "account", job->acct->name, key,
		    b.data, &err);
		sm_buf_free(&b);
	}
	free(v);
	free(key);
	return runs;
}

void
sm_job_unstuck(struct sm_job *job, const char *stream)
{
	struct sm_error err;
	char *key = stuck_key(stream), *v = NULL;

	if (!job->opts->dry_run && sm_state_get(job->f->st, "account",
	    job->acct->name, key, &v, &err) == 0 && v != NULL)
		(void)sm_state_put(job->f->st, "account", job->acct->name, key,
		    NULL, &err);
	free(v);
	free(key);
}

void
sm_job_first_run(struct sm_job *job, const char *stream, const char *cursor)
{
	if (cursor == NULL && !job->opts->backfill && !job->opts->since)
		sm_session_note(&job->s, "first run: only the newest page of %s "
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
