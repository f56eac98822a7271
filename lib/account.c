/* account.c - accounts: settings and secrets; sessions: signed in, asking */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <curl/curl.h>

#include "sm/account.h"
#include "sm/calendar.h"
#include "sm/platform.h"
#include "sm/util.h"

static const char *const common_keys[] = {
	"platform", "url", "token_env", "token_file", "ca_file", "timeout",
	"connect_timeout", "retries", "backoff", "max_wait", "max_body",
	"limit", "alert_after", NULL
};

int
sm_account_check_url(const struct sm_config *cfg, const struct sm_url_rule *r,
    const char *url, int *is_loopback, struct sm_error *err)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	const char *shown = r->secret ? "" : url;
	int i, rc = 0, loop;

	if (u == NULL)
		return sm_error_set(err, NULL, 0, 0, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
		rc = sm_config_error(cfg, r->node, err, "%s: %s%s%sis not a "
		    "URL", r->where, *shown ? "'" : "", shown, *shown ? "' " :
		    "");
		goto done;
	}
	for (i = 0; r->schemes[i]; i++)
		if (strcmp(scheme, r->schemes[i]) == 0)
			break;
	if (r->schemes[i] == NULL) {
		struct sm_buf b = { 0 };

		for (i = 0; r->schemes[i]; i++) {
			sm_buf_adds(&b, i ? (r->schemes[i + 1] ? ", " :
			    " or ") : "");
			sm_buf_adds(&b, r->schemes[i]);
		}
		rc = sm_config_error(cfg, r->node, err, "%s: %s%s%sis not an "
		    "%s URL", r->where, *shown ? "'" : "", shown,
		    *shown ? "' " : "", b.data);
		sm_buf_free(&b);
		goto done;
	}
	loop = curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    sm_http_loopback_host(host);
	if (is_loopback)
		*is_loopback = loop;
	if (r->plain && strcmp(scheme, r->plain) == 0 && !loop)
		rc = sm_config_error(cfg, r->node, err, "%s: plain %s would "
		    "send %s in clear; use %s", r->where, r->plain, r->what,
		    r->schemes[0]);
done:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

int
sm_account_http_opts(const struct sm_config *cfg, const json_t *c,
    const char *where, struct sm_http_opts *o, struct sm_error *err)
{
	double d;

	d = o->timeout_ms / 1000.0;
	if (sm_config_get_number(cfg, c, "timeout", where, 0.001, 86400, &d,
	    err) < 0)
		return -1;
	o->timeout_ms = (long)(d * 1000);
	d = o->connect_timeout_ms / 1000.0;
	if (sm_config_get_number(cfg, c, "connect_timeout", where, 0.001,
	    86400, &d, err) < 0)
		return -1;
	o->connect_timeout_ms = (long)(d * 1000);
	d = o->retries;
	if (sm_config_get_number(cfg, c, "retries", where, 0, 20, &d, err) < 0)
		return -1;
	o->retries = (int)d;
	d = o->backoff_ms / 1000.0;
	if (sm_config_get_number(cfg, c, "backoff", where, 0.001, 3600, &d,
	    err) < 0)
		return -1;
	o->backoff_ms = (long)(d * 1000);
	d = o->max_wait_ms / 1000.0;
	if (sm_config_get_number(cfg, c, "max_wait", where, 0, 86400, &d,
	    err) < 0)
		return -1;
	o->max_wait_ms = (long)(d * 1000);
	d = (double)o->max_body;
	if (sm_config_get_number(cfg, c, "max_body", where, 1024, 1e10, &d,
	    err) < 0)
		return -1;
	o->max_body = (size_t)d;
	return 0;
}

static int
load_account(const struct sm_config *cfg, const char *name, const json_t *c,
    struct sm_account *a, struct sm_error *err)
{
	const char *allowed[64], *s, *url;
	const json_t *v;
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
	if (sm_config_get_string(cfg, c, "platform", where, &s, err) < 0)
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
	if (sm_config_get_string(cfg, c, "url", where, &url, err) < 0 ||
	    sm_config_get_string(cfg, c, "ca_file", where, &s, err) < 0)
		return -1;
	if (s)
		a->http.ca_file = a->ca_file =
		    sm_config_relpath(cfg, json_object_get(c, "ca_file"));
	if (url == NULL)
		url = a->platform->default_url;
	if (url == NULL && !a->platform->url_optional)
		return sm_config_error(cfg, c, err, "%s: no url:", where);
	if (url) {
		static const char *const web[] = { "https", "http", NULL };
		char w[320];
		struct sm_url_rule r = { json_object_get(c, "url"), w,
		    a->platform->schemes ? a->platform->schemes : web,
		    a->platform->schemes ? NULL : "http", "the token", 0 };

		snprintf(w, sizeof(w), "%s.url", where);
		if (sm_account_check_url(cfg, &r, url, NULL, err) < 0)
			return -1;
		a->url = xstrdup(url);
		while (strlen(a->url) > 8 && a->url[strlen(a->url) - 1] == '/')
			a->url[strlen(a->url) - 1] = '\0';
	}
	if (a->platform->needs_token && !json_object_get(c, "token_env") &&
	    !json_object_get(c, "token_file"))
		return sm_config_error(cfg, c, err,
		    "%s: no token_env: or token_file:", where);
	if (sm_account_http_opts(cfg, c, where, &a->http, err) < 0)
		return -1;
	d = 0;
	if (sm_config_get_number(cfg, c, "limit", where, 1, 1000, &d,
	    err) < 0)
		return -1;
	a->limit = (long)d;
	a->alert_after = 24 * 3600;
	if ((v = json_object_get(c, "alert_after")) != NULL) {
		enum sm_sla kind;
		double h;

		if (sm_sla_parse(json_string_value(v), &kind, &h) < 0 ||
		    kind != SM_SLA_HOURS)
			return sm_config_error(cfg, v, err, "%s.alert_after: "
			    "expected N hours or N days", where);
		a->alert_after = (long)(h * 3600);
	}
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

struct sm_account *
sm_account_find(struct sm_account *accts, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(accts[i].name, name) == 0)
			return &accts[i];
	return NULL;
}

void
sm_wipe(char *secret)
{
	if (secret) {
		memset(secret, 0, strlen(secret));
		free(secret);
	}
}

void
sm_accounts_free(struct sm_account *accts, size_t n)
{
	size_t i;

	for (i = 0; accts && i < n; i++) {
		free(accts[i].name);
		free(accts[i].url);
		free(accts[i].ca_file);
		sm_wipe(accts[i].token);
		if (accts[i].settings_free && accts[i].settings)
			accts[i].settings_free(accts[i].settings);
	}
	free(accts);
}

/* 1 when s holds a control character (a line break, say). */
static int
has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static char *
read_first_line(const struct sm_config *cfg, const json_t *file,
    const char *where, struct sm_error *err)
{
	struct sm_buf b = { 0 };
	char chunk[4096], *path = sm_config_relpath(cfg, file);
	size_t got;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL) {
		sm_config_error(cfg, file, err, "%s: cannot read %s: %s",
		    where, path, strerror(errno));
		free(path);
		return NULL;
	}
	/* a secret is one short line: read no more than a line's worth */
	while (memchr(b.data ? b.data : "", '\n', b.len) == NULL &&
	    b.len < 65536 && (got = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		sm_buf_add(&b, chunk, got);
	if (ferror(fp)) {
		sm_config_error(cfg, file, err, "%s: cannot read %s: %s",
		    where, path, strerror(errno));
		fclose(fp);
		free(path);
		sm_buf_free(&b);
		return NULL;
	}
	fclose(fp);
	sm_buf_addc(&b, '\0');
	b.len = strcspn(b.data, "\n");
	if (b.len && b.data[b.len - 1] == '\r')
		b.len--;
	b.data[b.len] = '\0';
	if (b.len == 0) {
		sm_config_error(cfg, file, err, "%s: %s: the first line is "
		    "empty", where, path);
		sm_buf_free(&b);
		free(path);
		return NULL;
	}
	free(path);
	return b.data;
}

char *
sm_account_secret(const struct sm_config *cfg, const json_t *node,
    const char *where, struct sm_error *err)
{
	json_t *env = json_object_get(node, "token_env");
	json_t *file = json_object_get(node, "token_file");
	const char *v;
	char *s;

	if (env && file) {
		sm_config_error(cfg, node, err, "%s: give token_env or "
		    "token_file, not both", where);
		return NULL;
	}
	if (env) {
		if (!json_is_string(env)) {
			sm_config_error(cfg, env, err, "%s.token_env: expected "
			    "a variable name", where);
			return NULL;
		}
		v = getenv(json_string_value(env));
		if (v == NULL || *v == '\0') {
			sm_config_error(cfg, env, err, "%s: environment "
			    "variable %s is not set", where,
			    json_string_value(env));
			return NULL;
		}
		if (has_control(v)) {
			sm_config_error(cfg, env, err, "%s: environment "
			    "variable %s holds a control character", where,
			    json_string_value(env));
			return NULL;
		}
		return xstrdup(v);
	}
	if (file) {
		if (!json_is_string(file) || json_string_length(file) == 0) {
			sm_config_error(cfg, file, err, "%s.token_file: "
			    "expected a file name", where);
			return NULL;
		}
		if ((s = read_first_line(cfg, file, where, err)) == NULL)
			return NULL;
		if (has_control(s)) {
			sm_wipe(s);
			sm_config_error(cfg, file, err, "%s: %s: the first "
			    "line holds a control character", where,
			    json_string_value(file));
			return NULL;
		}
		return s;
	}
	sm_config_error(cfg, node, err, "%s: a secret needs token_env or "
	    "token_file", where);
	return NULL;
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
	sm_wipe(a->token);
	a->token = sm_account_secret(cfg, a->conf, where, err);
	return a->token ? 0 : -1;
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

/* Sessions */

void
sm_session_init(struct sm_session *s, struct sm_account *acct,
    struct sm_http *http, struct sm_state *st, sm_report_fn *report,
    void *report_arg)
{
	memset(s, 0, sizeof(*s));
	s->acct = acct;
	s->http = http;
	s->st = st;
	s->report = report;
	s->report_arg = report_arg;
}

void
sm_session_free(struct sm_session *s)
{
	if (s->priv_free && s->priv)
		s->priv_free(s->priv);
	s->priv = NULL;
	sm_wipe(s->auth);
	s->auth = NULL;
	free(s->problem);
	s->problem = NULL;
}

void
sm_session_open(struct sm_session *s,
    void (*ready)(struct sm_session *, void *), void *arg)
{
	if (s->acct->platform->open) {
		s->acct->platform->open(s, ready, arg);
		return;
	}
	if (s->acct->platform->bearer && s->acct->token)
		sm_session_bearer(s, s->acct->token);
	ready(s, arg);
}

void
sm_session_bearer(struct sm_session *s, const char *token)
{
	struct sm_buf b = { 0 };

	sm_buf_adds(&b, "Authorization: Bearer ");
	sm_buf_adds(&b, token);
	sm_wipe(s->auth);
	s->auth = b.data;
}

struct call {
	struct sm_session *s;
	sm_session_done_fn *done;
	void *arg;
};

static void
on_response(struct sm_http_response *resp, void *arg)
{
	struct call *c = arg;
	struct sm_session *s = c->s;

	if (s->stopped)
		resp = NULL;
	else if (resp->result == SM_HTTP_LATER) {
		sm_session_fail(s, EX_TEMPFAIL, "%s; try later", resp->error);
		resp = NULL;
	} else if (resp->result == SM_HTTP_UNKNOWN) {
		sm_session_fail(s, EX_PROTOCOL, "%s", resp->error);
		resp = NULL;
	} else if (resp->result == SM_HTTP_FAILED) {
		sm_session_fail(s, EX_UNAVAILABLE, "%s", resp->error);
		resp = NULL;
	}
	c->done(s, resp, c->arg);
	free(c);
}

static int
halted(const struct sm_session *s)
{
	return s->stopped || (s->halt && *s->halt);
}

void
sm_session_get(struct sm_session *s, const char *url,
    sm_session_done_fn *done, void *arg)
{
	const char *hdrs[3] = { "Accept: application/json", s->auth, NULL };
	struct call *c;

	if (halted(s))
		return;
	c = xcalloc(1, sizeof(*c));
	c->s = s;
	c->done = done;
	c->arg = arg;
	sm_http_get(s->http, &s->acct->http, url, hdrs, on_response, c);
}

void
sm_session_post(struct sm_session *s, const char *url, const char *auth,
    const char *body, sm_session_done_fn *done, void *arg)
{
	sm_session_post_headers(s, url, auth, NULL, body, done, arg);
}

static void post(struct sm_session *, const char *, const char *,
    const char *const *, const char *, int, sm_session_done_fn *, void *);

void
sm_session_post_headers(struct sm_session *s, const char *url,
    const char *auth, const char *const *headers, const char *body,
    sm_session_done_fn *done, void *arg)
{
	post(s, url, auth, headers, body, 0, done, arg);
}

/* once: the post is not repeated once it may have reached the server. */
static void
post(struct sm_session *s, const char *url, const char *auth,
    const char *const *headers, const char *body, int once,
    sm_session_done_fn *done, void *arg)
{
	const char **hdrs;
	struct call *c;
	size_t n = 0, i;

	if (halted(s))
		return;
	for (i = 0; headers && headers[i]; i++)
		;
	hdrs = xcalloc(i + 4, sizeof(*hdrs));
	hdrs[n++] = "Accept: application/json";
	if (body)
		hdrs[n++] = "Content-Type: application/json";
	if (auth)
		hdrs[n++] = auth;
	for (i = 0; headers && headers[i]; i++)
		hdrs[n++] = headers[i];
	c = xcalloc(1, sizeof(*c));
	c->s = s;
	c->done = done;
	c->arg = arg;
	(once ? sm_http_post_once : sm_http_post)(s->http, &s->acct->http, url,
	    hdrs, body ? body : "", body ? strlen(body) : 0, on_response, c);
	free(hdrs);
}

int
sm_session_halted(const struct sm_session *s)
{
	return halted(s);
}

const char *
sm_session_native_id(const struct sm_session *s, const json_t *rec)
{
	const char *id = json_string_value(json_object_get(rec, "id"));
	const char *plat = s->acct->platform->name, *name = s->acct->name;
	size_t pl = strlen(plat), nl = strlen(name);

	if (id == NULL || strncmp(id, plat, pl) != 0 || id[pl] != ':' ||
	    strncmp(id + pl + 1, name, nl) != 0 || id[pl + 1 + nl] != ':' ||
	    id[pl + nl + 2] == '\0')
		return NULL;
	return id + pl + nl + 2;
}

int
sm_session_posted_id(struct sm_session *s, const char *v, const char *field,
    const char *url_prefix, char **id, char **url)
{
	struct sm_buf b = { 0 };

	if (v == NULL || *v == '\0') {
		sm_session_warn(s, EX_PROTOCOL, "the answer has no %s: the "
		    "post may have been made", field);
		return -1;
	}
	*id = xstrdup(v);
	if (url_prefix) {
		sm_buf_adds(&b, url_prefix);
		sm_buf_adds(&b, v);
		*url = b.data;
	}
	return 0;
}

struct reply_call {
	sm_post_answer_fn *answer;
	int how;
	sm_posted_fn *done;
	void *arg;
};

static void
on_reply(struct sm_session *s, struct sm_http_response *r, void *arg)
{
	struct reply_call *c = arg;
	struct sm_posted p = { NULL, NULL };
	char *id = NULL, *url = NULL;
	json_t *j = r ? json_loadb(r->body.data, r->body.len, 0, NULL) : NULL;

	if (r && j == NULL && r->status >= 200 && r->status < 300)
		sm_session_warn(s, EX_PROTOCOL, "HTTP %ld, and the answer is "
		    "not JSON: the post may have been made", r->status);
	else if (r && c->answer(s, r, j, c->how, &id, &url) == 0) {
		p.id = id;
		p.url = url;
		c->done(s, &p, c->arg);
		goto out;
	}
	c->done(s, NULL, c->arg);
out:
	json_decref(j);
	free(id);
	free(url);
	free(c);
}

void
sm_session_post_reply(struct sm_session *s, const char *url,
    const char *auth, json_t *body, sm_post_answer_fn *answer, int how,
    sm_posted_fn *done, void *arg)
{
	struct reply_call *c;
	char *text;

	if (halted(s)) {
		json_decref(body);
		done(s, NULL, arg);
		return;
	}
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (text == NULL) {
		sm_session_warn(s, EX_SOFTWARE, "cannot encode the post as "
		    "JSON");
		done(s, NULL, arg);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->answer = answer;
	c->how = how;
	c->done = done;
	c->arg = arg;
	/* X, Telegram and Facebook have no idempotency key: a post that
	 * may have reached them is not sent again, but said unknown */
	post(s, url, auth, NULL, text, 1, on_reply, c);
	free(text);
}

json_t *
sm_session_json(struct sm_session *s, const struct sm_http_response *r)
{
	json_error_t e;
	json_t *j = json_loadb(r->body.data, r->body.len, 0, &e);

	if (j == NULL)
		sm_session_fail(s, EX_TEMPFAIL, "invalid JSON in the response: "
		    "%s; try later", e.text);
	return j;
}

void
sm_session_http_error(struct sm_session *s, const struct sm_http_response *r)
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
	sm_session_fail(s, code, "HTTP %ld%s%s%s", r->status,
	    what ? " (" : "", what ? what : "", what ? ")" : "");
	json_decref(j);
}

int
sm_session_secret_get(struct sm_session *s, const char *name, char **value)
{
	struct sm_error err;

	if (sm_state_secret_get(s->st, s->acct->name, name, value,
	    &err) < 0) {
		sm_session_fail(s, EX_SOFTWARE, "%s: %s", err.file, err.text);
		return -1;
	}
	return 0;
}

int
sm_session_secret_set(struct sm_session *s, const char *name,
    const char *value)
{
	struct sm_error err;

	if (sm_state_secret_put(s->st, s->acct->name, name, value,
	    &err) < 0) {
		sm_session_warn(s, EX_CANTCREAT, "%s: %s", err.file, err.text);
		return -1;
	}
	return 0;
}

static void
vreport(struct sm_session *s, int code, const char *fmt, va_list ap)
{
	char buf[2048];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (s->report)
		s->report(s->report_arg, s->acct->name, code, buf);
	if (code > s->status)
		s->status = code;
	if (code) {
		free(s->problem);
		s->problem = xstrdup(buf);
	}
}

void
sm_session_warn(struct sm_session *s, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(s, code, fmt, ap);
	va_end(ap);
}

void
sm_session_fail(struct sm_session *s, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(s, code, fmt, ap);
	va_end(ap);
	s->stopped = 1;
}

void
sm_session_note(struct sm_session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(s, 0, fmt, ap);
	va_end(ap);
}
