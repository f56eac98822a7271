/* mastodon.c - the Mastodon connector: mentions, including private ones
 *
 * Stream "mentions": GET /api/v1/notifications?types[]=mention with
 * include_filtered=true (Mastodon 4.3 filters private mentions from
 * strangers otherwise).  With --own, stream "own" too: the account's own
 * statuses, GET /api/v1/accounts/:id/statuses.  For each of tags:, stream
 * "tag:NAME": GET /api/v1/timelines/tag/NAME, kind search; and for each
 * of search:, "search:QUERY": GET /api/v2/search?type=statuses.  A stream's cursor is the
 * newest id emitted.  With a cursor, pages are polled forward with min_id
 * (each page comes newest first and is emitted oldest first) while they
 * are full.  Without one, or with --backfill, the pages are walked back
 * with max_id (only the first page, unless --backfill or --since says how
 * far), and the cursor is stored when the walk is over.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include <jansson.h>

#include "sm/fetch.h"
#include "sm/jsonl.h"
#include "sm/html.h"
#include "sm/http.h"
#include "sm/platform.h"
#include "sm/richtext.h"
#include "sm/util.h"

#define DEFAULT_LIMIT 40

enum { MENTIONS, OWN, TAG, SEARCH };

struct stream {
	int type;
	char *name;		/* the cursor's: "mentions", "own", "tag:NAME",
				 * "search:WORDS" */
	const char *tag;	/* TAG: the hashtag, without '#'; SEARCH: q */
	char *newest;		/* the newest id seen */
	int walking;		/* following rel="next" back in time */
};

struct masto {
	char *me;		/* our account id */
	char *domain;		/* for local handles: user@domain */
	long limit;
	struct stream *streams;
	size_t nstreams;
};

static const char *const keys[] = { "tags", "search", NULL };

/* tags: a list of hashtags to listen to, with or without their '#'. */
static int
check(const struct sm_config *cfg, struct sm_account *a, struct sm_error *err)
{
	json_t *tags = json_object_get(a->conf, "tags"), *t;
	size_t i;

	if (sm_account_check_search(cfg, a, err) < 0)
		return -1;
	if (tags == NULL)
		return 0;
	if (!json_is_array(tags))
		return sm_config_error(cfg, tags, err, "accounts.%s.tags: "
		    "expected a list of hashtags, got %s", a->name,
		    sm_config_type_name(tags));
	json_array_foreach(tags, i, t) {
		const char *v = json_string_value(t);

		if (v && *v == '#')
			v++;
		if (v == NULL || *v == '\0' || strpbrk(v, " #/?&"))
			return sm_config_error(cfg, t, err, "accounts.%s.tags["
			    "%zu]: expected a hashtag", a->name, i);
	}
	return 0;
}

static char *
host_of(const char *url)
{
	const char *p = strstr(url, "://"), *e;

	if (p == NULL)
		return NULL;
	p += 3;
	e = p + strcspn(p, "/:?#");
	return e > p ? xstrndup(p, (size_t)(e - p)) : NULL;
}

static json_t *
to_text(const char *html)
{
	char *t = sm_html_to_text(html, strlen(html));
	json_t *j = json_string(t);

	free(t);
	return j;
}

/*
 * The record for a status (st), from a mention notification n or, for
 * our own statuses and hashtags, the status itself (n is st); kind is
 * NULL for a mention, whose kind the status tells.  NULL when st has no id.
 */
static json_t *
normalize(struct sm_job *job, json_t *n, json_t *st, const char *kind)
{
	struct masto *m = job->priv;
	json_t *acc, *rec, *author, *txt;
	const char *id, *vis, *irt, *acct, *name, *cw, *url, *created;
	struct sm_buf b = { 0 };
	time_t t;

	if (!json_is_object(st) || (id = sm_json_str(st, "id")) == NULL)
		return NULL;
	acc = json_object_get(st, "account");
	if (!json_is_object(acc))
		acc = json_object_get(n, "account");
	vis = sm_json_str(st, "visibility");
	irt = sm_json_str(st, "in_reply_to_account_id");
	rec = json_object();
	json_object_set_new(rec, "id", sm_job_id(job, id));
	json_object_set_new(rec, "platform", json_string("mastodon"));
	json_object_set_new(rec, "account", json_string(job->acct->name));
	json_object_set_new(rec, "kind", json_string(kind ? kind :
	    vis && strcmp(vis, "direct") == 0 ? "direct" :
	    irt && m->me && strcmp(irt, m->me) == 0 ? "reply" : "mention"));
	created = sm_json_str(st, "created_at");
	if (created && sm_time_parse(created, &t) == 0)
		json_object_set_new(rec, "created_at", sm_time_json(t));
	else
		json_object_set_new(rec, "created_at", json_null());
	json_object_set_new(rec, "fetched_at", sm_time_json(time(NULL)));
	author = json_object();
	json_object_set_new(author, "id", sm_json_str_or_null(sm_json_str(acc, "id")));
	acct = sm_json_str(acc, "acct");
	if (acct && !strchr(acct, '@') && m->domain) {
		sm_buf_adds(&b, acct);
		sm_buf_addc(&b, '@');
		sm_buf_adds(&b, m->domain);
		json_object_set_new(author, "handle", json_string(b.data));
		sm_buf_free(&b);
	} else
		json_object_set_new(author, "handle", sm_json_str_or_null(acct));
	name = sm_json_str(acc, "display_name");
	if (name == NULL || *name == '\0')
		name = sm_json_str(acc, "username");
	json_object_set_new(author, "name", sm_json_str_or_null(name));
	json_object_set_new(rec, "author", author);
	txt = to_text(sm_json_str(st, "content") ? sm_json_str(st, "content") : "");
	cw = sm_json_str(st, "spoiler_text");
	if (cw && *cw) {
		sm_buf_adds(&b, cw);
		sm_buf_adds(&b, "\n\n");
		sm_buf_adds(&b, json_string_value(txt));
		json_decref(txt);
		txt = json_string(b.data);
		sm_buf_free(&b);
	}
	json_object_set_new(rec, "text", txt ? txt : json_string(""));
	json_object_set_new(rec, "lang", sm_json_str_or_null(sm_json_str(st, "language")));
	url = sm_json_str(st, "url") ? sm_json_str(st, "url") : sm_json_str(st, "uri");
	json_object_set_new(rec, "url", sm_json_str_or_null(url));
	json_object_set_new(rec, "thread", json_pack("{s:o,s:n}",
	    "in_reply_to", sm_json_str(st, "in_reply_to_id") ?
	    sm_job_id(job, sm_json_str(st, "in_reply_to_id")) : json_null(), "root"));
	if (job->opts->native)
		json_object_set(rec, "native", n);
	return rec;
}

static char *
page_url(struct sm_job *job, struct stream *s, const char *key,
    const char *id)
{
	struct masto *m = job->priv;
	struct sm_buf b = { 0 };
	char lim[32];

	snprintf(lim, sizeof(lim), "%ld", m->limit);
	sm_buf_adds(&b, job->acct->url);
	if (s->type == OWN) {
		sm_buf_adds(&b, "/api/v1/accounts/");
		sm_http_add_escaped(&b, m->me);
		sm_buf_adds(&b, "/statuses?exclude_reblogs=true&limit=");
	} else if (s->type == SEARCH) {
		sm_buf_adds(&b, "/api/v2/search?type=statuses&resolve=false&q=");
		sm_http_add_escaped(&b, s->tag);
		sm_buf_adds(&b, "&limit=");
	} else if (s->type == TAG) {
		sm_buf_adds(&b, "/api/v1/timelines/tag/");
		sm_http_add_escaped(&b, s->tag);
		sm_buf_adds(&b, "?limit=");
	} else
		sm_buf_adds(&b, "/api/v1/notifications?types%5B%5D=mention"
		    "&include_filtered=true&limit=");
	sm_buf_adds(&b, lim);
	if (id) {
		sm_buf_addc(&b, '&');
		sm_buf_adds(&b, key);
		sm_buf_addc(&b, '=');
		sm_http_add_escaped(&b, id);
	}
	return b.data;
}

static void on_page(struct sm_job *, struct sm_http_response *, void *);

/* The max_id parameter of a URL (which is freed), as a new string. */
static char *
max_id_of(char *url)
{
	char *p, *id = NULL;
	size_t n;

	if (url && (p = strstr(url, "max_id=")) != NULL &&
	    (p == url || p[-1] == '?' || p[-1] == '&')) {
		p += 7;
		n = strspn(p, "0123456789");
		if (n > 0 && (p[n] == '\0' || p[n] == '&'))
			id = xstrndup(p, n);
	}
	free(url);
	return id;
}

/* Parses a 200 JSON response; NULL (the job failed) otherwise. */
static json_t *
parse(struct sm_job *job, struct sm_http_response *r, int want_array)
{
	json_t *j;

	if (r->status != 200) {
		sm_session_http_error(&job->s, r);
		return NULL;
	}
	if ((j = sm_session_json(&job->s, r)) == NULL)
		return NULL;
	if (want_array ? !json_is_array(j) : !json_is_object(j)) {
		sm_session_fail(&job->s, EX_UNAVAILABLE, "unexpected response: "
		    "expected %s", want_array ? "an array" : "an object");
		json_decref(j);
		return NULL;
	}
	return j;
}

static void
walk_done(struct sm_job *job, struct stream *s)
{
	const char *cur = sm_job_cursor(job, s->name);

	if (s->newest && (cur == NULL || sm_id_greater(s->newest, cur)))
		sm_job_commit(job, s->name, s->newest);
}

static void
get(struct sm_job *job, struct stream *s, const char *key, const char *id)
{
	char *u = page_url(job, s, key, id);

	sm_job_get_arg(job, u, on_page, s);
	free(u);
}

static int
emit(struct sm_job *job, struct stream *s, json_t *n, int *too_old)
{
	struct masto *m = job->priv;
	json_t *rec, *acc;

	if (s->type == TAG || s->type == SEARCH) {
		/* our own posts are not what we listen for */
		acc = json_object_get(n, "account");
		if (sm_json_str(acc, "id") && strcmp(sm_json_str(acc, "id"), m->me) == 0)
			return 0;
		rec = normalize(job, n, n, "search");
	} else if (s->type == OWN)
		rec = normalize(job, n, n, "own");
	else
		rec = normalize(job, n, json_object_get(n, "status"), NULL);
	json_t *c;
	time_t t;

	if (rec == NULL)
		return 0;
	c = json_object_get(rec, "created_at");
	if (job->opts->since && json_is_string(c) &&
	    sm_time_parse(json_string_value(c), &t) == 0 &&
	    t < job->opts->since) {
		*too_old = 1;
		json_decref(rec);
		return 0;
	}
	return sm_job_emit(job, rec);
}

static void
on_page(struct sm_job *job, struct sm_http_response *r, void *arg)
{
	struct masto *m = job->priv;
	struct stream *s = arg;
	json_t *page = parse(job, r, s->type != SEARCH), *n;
	const char *id, *newest = NULL, *oldest = NULL;
	char *next;
	size_t i, len;
	int too_old = 0;

	if (page == NULL)
		return;
	if (s->type == SEARCH) {
		/* {"accounts":[], "statuses":[...], "hashtags":[]} */
		n = json_incref(json_object_get(page, "statuses"));
		json_decref(page);
		if ((page = n) == NULL || !json_is_array(page)) {
			sm_session_fail(&job->s, EX_UNAVAILABLE, "unexpected response: "
			    "no statuses in the search results");
			goto out;
		}
	}
	len = json_array_size(page);
	for (i = 0; i < len; i++) {
		id = sm_json_str(json_array_get(page, i), "id");
		if (id && (newest == NULL || sm_id_greater(id, newest)))
			newest = id;
		if (id && (oldest == NULL || sm_id_greater(oldest, id)))
			oldest = id;
	}
	if (s->walking) {
		if (newest && (s->newest == NULL ||
		    sm_id_greater(newest, s->newest))) {
			free(s->newest);
			s->newest = xstrdup(newest);
		}
		json_array_foreach(page, i, n)
			if (emit(job, s, n, &too_old) < 0)
				goto out;
		/*
		 * The next page is asked for with our own parameters and
		 * the max_id of rel="next": the link is the server's word on
		 * where the page ends, not a URL to send our token to.
		 */
		next = max_id_of(sm_http_link(r->link, "next"));
		/* search has no Link header: it pages by the oldest id */
		if (s->type == SEARCH && next == NULL && oldest &&
		    (long)len >= m->limit)
			next = xstrdup(oldest);
		if (len == 0 || too_old || next == NULL ||
		    (!job->opts->backfill && !job->opts->since))
			walk_done(job, s);
		else
			get(job, s, "max_id", next);
		free(next);
		goto out;
	}
	/* forward from the cursor: oldest first */
	for (i = len; i-- > 0;)
		if (emit(job, s, json_array_get(page, i), &too_old) < 0)
			goto out;
	if (newest) {
		if (sm_job_commit(job, s->name, newest) < 0)
			goto out;
		if ((long)len >= m->limit)
			get(job, s, "min_id", newest);
	}
out:
	json_decref(page);
}

static void
start(struct sm_job *job, struct stream *s)
{
	const char *cur = sm_job_cursor(job, s->name);

	if (job->s.stopped)
		return;
	/* --since walks back only where there is no cursor yet */
	s->walking = cur == NULL || job->opts->backfill;
	sm_job_first_run(job, s->name, cur);
	get(job, s, "min_id", s->walking ? NULL : cur);
}

static void
on_me(struct sm_job *job, struct sm_http_response *r)
{
	struct masto *m = job->priv;
	json_t *me = parse(job, r, 0);
	size_t i;

	if (me == NULL)
		return;
	if (sm_json_str(me, "id"))
		m->me = xstrdup(sm_json_str(me, "id"));
	if (sm_json_str(me, "url"))
		m->domain = host_of(sm_json_str(me, "url"));
	if (m->domain == NULL)
		m->domain = host_of(job->acct->url);
	json_decref(me);
	if (m->me == NULL) {
		sm_session_fail(&job->s, EX_UNAVAILABLE, "unexpected response: "
		    "verify_credentials has no id");
		return;
	}
	for (i = 0; i < m->nstreams; i++)
		if (m->streams[i].type != OWN || job->opts->own)
			start(job, &m->streams[i]);
}

static void
add_stream(struct masto *m, int type, const char *name, const char *tag)
{
	struct stream *s;

	m->streams = xreallocarray(m->streams, m->nstreams + 1,
	    sizeof(*m->streams));
	s = &m->streams[m->nstreams++];
	memset(s, 0, sizeof(*s));
	s->type = type;
	s->tag = tag;
	if (type == TAG || type == SEARCH)
		s->name = sm_stream_name(type == TAG ? "tag" : "search", tag);
	else
		s->name = xstrdup(name);
}

static void
fetch(struct sm_job *job)
{
	struct masto *m = xcalloc(1, sizeof(*m));
	struct sm_buf b = { 0 };

	json_t *tags = json_object_get(job->acct->conf, "tags"), *t;
	json_t *search = json_object_get(job->acct->conf, "search");
	size_t i;

	job->priv = m;
	add_stream(m, MENTIONS, "mentions", NULL);
	add_stream(m, OWN, "own", NULL);
	json_array_foreach(tags, i, t) {
		const char *v = json_string_value(t);

		add_stream(m, TAG, NULL, *v == '#' ? v + 1 : v);
	}
	json_array_foreach(search, i, t)
		add_stream(m, SEARCH, NULL, json_string_value(t));
	m->limit = job->acct->limit ? job->acct->limit : DEFAULT_LIMIT;
	sm_buf_adds(&b, job->acct->url);
	sm_buf_adds(&b, "/api/v1/accounts/verify_credentials");
	sm_job_get(job, b.data, on_me);
	sm_buf_free(&b);
}

static void
mfree(struct sm_job *job)
{
	struct masto *m = job->priv;
	size_t i;

	if (m == NULL)
		return;
	free(m->me);
	free(m->domain);
	for (i = 0; i < m->nstreams; i++) {
		free(m->streams[i].name);
		free(m->streams[i].newest);
	}
	free(m->streams);
	free(m);
}

/*
 * Posting: POST /api/v1/statuses {status, visibility, in_reply_to_id}
 * with an Idempotency-Key header, the post's key: Mastodon remembers it
 * for an hour and answers a second POST with the same key with the
 * status it made the first time, so a POST retried (after a 5xx, a
 * timeout, a crash) does not post twice.
 */

struct mpost {
	void (*done)(struct sm_session *, const struct sm_posted *, void *);
	void *arg;
};

/* ASCII letters and digits, whatever the locale */
static int
word_char(char c)
{
	return !(c & 0x80) && (isalnum((unsigned char)c) || c == '_');
}

static int
name_char(char c)
{
	return word_char(c) || c == '.' || c == '-';
}

/*
 * A mention as Mastodon finds it (Account::MENTION_RE): '@', not after a
 * letter, a digit, '_', '=' or '/', then user [a-z0-9_]+ possibly with
 * '.' and '-' inside, then optionally '@' and a domain.  Its end, with
 * the user part ending at *ue and the domain at [*d, *de) (empty when
 * none); 0 when there is no mention at i.
 */
static size_t
mention_at(const char *s, size_t n, size_t i, size_t *ue, size_t *d,
    size_t *de)
{
	size_t j, k;

	if (s[i] != '@' || i + 1 >= n || !word_char(s[i + 1]) ||
	    (i > 0 && (s[i - 1] == '=' ||
	    s[i - 1] == '/' || sm_richtext_in_word(s, i))))
		return 0;
	for (j = i + 1; j < n && name_char(s[j]); j++)
		;
	while (s[j - 1] == '.' || s[j - 1] == '-')
		j--;
	*ue = *d = *de = j;
	if (j < n && s[j] == '@') {
		for (k = j + 1; k < n && name_char(s[k]); k++)
			;
		while (k > j + 1 && (s[k - 1] == '.' || s[k - 1] == '-'))
			k--;
		if (k >= j + 3) {
			*d = j + 1;
			*de = k;
			return k;
		}
	}
	return j;
}

/*
 * The length as Mastodon's StatusLengthValidator counts it: grapheme
 * clusters, each http(s) URL counting as 23 and a mention @user@domain
 * as @user.
 */
static size_t
mlength(const char *text)
{
	struct sm_buf b = { 0 };
	size_t n = strlen(text), i = 0, ls = 0, le = 0, ue, d, de, e, len;
	int link = sm_richtext_link(text, n, 0, SM_LINK_SCHEME, &ls, &le);

	sm_buf_adds(&b, "");
	while (i < n) {
		if (link && i == ls) {
			sm_buf_adds(&b, "xxxxxxxxxxxxxxxxxxxxxxx");
			i = le;
			link = sm_richtext_link(text, n, i, SM_LINK_SCHEME,
			    &ls, &le);
		} else if (text[i] == '@' &&
		    (e = mention_at(text, n, i, &ue, &d, &de)) > 0) {
			sm_buf_add(&b, text + i, ue - i);
			i = e;
			if (link && ls < i)
				link = sm_richtext_link(text, n, i,
				    SM_LINK_SCHEME, &ls, &le);
		} else
			sm_buf_addc(&b, text[i++]);
	}
	len = sm_richtext_graphemes(b.data, b.len);
	sm_buf_free(&b);
	return len;
}

/*
 * 1 when text mentions handle ("user@domain", as sm-fetch writes it):
 * @user@domain, or @user alone when domain is the instance's own (local
 * is the host of the account's url), letters in any case.
 */
static int
mentions(const char *text, const char *handle, const char *local)
{
	const char *at = strchr(handle, '@');
	const char *dom = at ? at + 1 : local;
	size_t n = strlen(text), ul = at ? (size_t)(at - handle) :
	    strlen(handle), i, ue, d, de;

	for (i = 0; i < n; i++) {
		if (text[i] != '@' || mention_at(text, n, i, &ue, &d,
		    &de) == 0)
			continue;
		if (ue - i - 1 != ul ||
		    strncasecmp(text + i + 1, handle, ul) != 0)
			continue;
		if (d == de ? dom && local && strcasecmp(dom, local) == 0 :
		    dom && strlen(dom) == de - d &&
		    strncasecmp(text + d, dom, de - d) == 0)
			return 1;
	}
	return 0;
}

static void
on_status(struct sm_session *s, struct sm_http_response *r, void *arg)
{
	struct mpost *mp = arg;
	struct sm_posted out;
	json_t *st = NULL;

	if (r == NULL)
		goto fail;
	if (r->status != 200) {
		sm_session_http_error(s, r);
		goto fail;
	}
	if ((st = sm_session_json(s, r)) == NULL)
		goto fail;
	out.id = sm_json_str(st, "id");
	out.url = sm_json_str(st, "url") ? sm_json_str(st, "url") :
	    sm_json_str(st, "uri");
	if (out.id == NULL) {
		sm_session_fail(s, EX_UNAVAILABLE, "unexpected response: "
		    "the new status has no id");
		goto fail;
	}
	mp->done(s, &out, mp->arg);
	json_decref(st);
	free(mp);
	return;
fail:
	json_decref(st);
	mp->done(s, NULL, mp->arg);
	free(mp);
}

static void
post(struct sm_session *s, const struct sm_post *p,
    void (*done)(struct sm_session *, const struct sm_posted *, void *),
    void *arg)
{
	const char *kind = sm_json_str(p->rec, "kind"), *irt = NULL;
	const char *vis = p->visibility ? p->visibility : "public";
	const char *handle = sm_json_str(json_object_get(p->rec, "author"),
	    "handle");
	const char *hdrs[2] = { NULL, NULL };
	struct sm_buf u = { 0 }, t = { 0 }, k = { 0 };
	struct mpost *mp;
	char *body, *local;
	json_t *j;

	if (sm_session_halted(s)) {
		done(s, NULL, arg);
		return;
	}
	if (strcmp(vis, "private") == 0 || strcmp(vis, "direct") == 0)
		vis = "direct";
	else if (strcmp(vis, "public") != 0 && strcmp(vis, "unlisted") != 0) {
		sm_session_fail(s, EX_DATAERR, "visibility '%s': expected "
		    "public, unlisted or private", vis);
		done(s, NULL, arg);
		return;
	}
	/* an announcement (kind post) answers no one */
	if (p->rec && (kind == NULL || strcmp(kind, "post") != 0)) {
		if ((irt = sm_session_native_id(s, p->rec)) == NULL) {
			sm_session_fail(s, EX_DATAERR, "%s: not a message "
			    "of this account's", sm_json_str(p->rec, "id") ?
			    sm_json_str(p->rec, "id") : "a record without id");
			done(s, NULL, arg);
			return;
		}
		/* a private message is answered privately */
		if (kind && strcmp(kind, "direct") == 0)
			vis = "direct";
	}
	if (p->key && strpbrk(p->key, "\r\n")) {
		sm_session_fail(s, EX_SOFTWARE, "the idempotency key holds a "
		    "line break");
		done(s, NULL, arg);
		return;
	}
	/*
	 * Mastodon addresses only whom the text mentions: a reply, and
	 * above all a direct one, that does not name its citizen reaches
	 * no one.  The record's author.handle is user@domain.
	 */
	local = host_of(s->acct->url);
	if (irt && handle && *handle && (kind == NULL ||
	    strcmp(kind, "own") != 0) && !mentions(p->text, handle, local)) {
		sm_buf_addc(&t, '@');
		sm_buf_adds(&t, handle);
		sm_buf_addc(&t, ' ');
	}
	free(local);
	sm_buf_adds(&t, p->text);
	j = json_pack("{s:s,s:s}", "status", t.data, "visibility", vis);
	if (irt)
		json_object_set_new(j, "in_reply_to_id", json_string(irt));
	body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	sm_buf_free(&t);
	if (p->key) {
		sm_buf_adds(&k, "Idempotency-Key: ");
		sm_buf_adds(&k, p->key);
		hdrs[0] = k.data;
	}
	sm_buf_adds(&u, s->acct->url);
	sm_buf_adds(&u, "/api/v1/statuses");
	mp = xcalloc(1, sizeof(*mp));
	mp->done = done;
	mp->arg = arg;
	sm_session_post_headers(s, u.data, s->auth, hdrs, body ? body : "{}",
	    on_status, mp);
	sm_buf_free(&u);
	sm_buf_free(&k);
	free(body);
}

const struct sm_platform sm_platform_mastodon = {
	.name = "mastodon",
	.keys = keys,
	.default_url = NULL,
	.needs_token = 1,
	.bearer = 1,
	.check = check,
	.fetch = fetch,
	.post = post,
	.length = mlength,
	/*
	 * Vanilla Mastodon's; an instance may allow more
	 * (configuration.statuses.max_characters of /api/v2/instance), and
	 * every instance takes 500, so a reply is never refused for length
	 */
	.max_length = 500,
	.free = mfree,
};
