/* bluesky.c - the Bluesky connector: mentions, replies, quotes, search
 *
 * The session: com.atproto.server.createSession with handle: and the app
 * password (token_env/token_file), kept in the state database ("session")
 * and renewed with refreshSession when a call says ExpiredToken, so a cron
 * line logs in once, not once a run (the entryway allows few logins a day).
 * refreshSession rotates the refresh token: the new pair is stored at once.
 *
 * Stream "mentions": app.bsky.notification.listNotifications, reasons
 * mention, reply and quote; for each of search:, stream "search:QUERY":
 * app.bsky.feed.searchPosts, sort=latest.  Neither takes a since
 * parameter: pages come newest first and are walked back from the top
 * until the stored mark, which is the newest indexedAt seen and the uris
 * seen at that instant ("INDEXEDAT URI..."), so that equal timestamps are
 * neither lost nor repeated.  The mark moves when the walk is over.
 * Without a mark only the first page is read, unless --backfill or
 * --since says how far back.
 *
 * With --own, stream "own" too: the account's own posts and replies,
 * app.bsky.feed.getAuthorFeed with our DID and filter=posts_with_replies,
 * walked and marked the same way.  Reposts (and a pinned post, should one
 * come) carry a reason and are left out before the mark is looked at: they
 * are sorted by when they were reposted, not by the post's indexedAt.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>

#include <jansson.h>

#include "sm/fetch.h"
#include "sm/jsonl.h"
#include "sm/http.h"
#include "sm/platform.h"
#include "sm/richtext.h"
#include "sm/time.h"
#include "sm/util.h"

#define DEFAULT_LIMIT 50
#define MAX_LIMIT 100
#define MAX_GRAPHEMES 300	/* a post's text, and no more than */
#define MAX_BYTES 3000		/* ... UTF-8 bytes */

enum { NOTIF, SEARCH, OWN };

struct stream {
	int type;
	char *name;		/* the cursor's: "mentions", "own",
				 * "search:QUERY" */
	const char *q;		/* SEARCH: the query */
	char *url;		/* the request in flight, for a retry */
	const char *mark;	/* as stored (borrowed), or NULL */
	char *mark_at;		/* its instant */
	struct sm_buf next;	/* the mark to store: "AT URI..." */
	int changed;		/* next differs from mark */
	int waiting;		/* for a new session, to ask url again */
	int retried;		/* url asked again after a new session */
};

/* The session's (account.h): who we are, and the tokens. */
struct bsess {
	char *did;		/* ours */
	char *access, *refresh;
	int refreshing;		/* refreshSession in flight */
	int logged_in;		/* createSession done in this run */
	void (*ready)(struct sm_session *, void *);
	void *arg;		/* ready's */
	struct bpost *waiting;	/* posts refused as expired, to ask again */
};

struct bpost;

/* The job's. */
struct bsky {
	struct bsess *sess;
	long limit;
	struct stream *streams;
	size_t nstreams;
};

static const char *const keys[] = { "handle", "search", NULL };

static int
check(const struct sm_config *cfg, struct sm_account *a, struct sm_error *err)
{
	json_t *h = json_object_get(a->conf, "handle");

	if (!json_is_string(h) || json_string_length(h) == 0)
		return sm_config_error(cfg, h ? h : a->conf, err,
		    "accounts.%s: handle: must name the account to log in "
		    "as", a->name);
	return sm_account_check_search(cfg, a, err);
}

/*
 * Orders two instants in RFC 3339 to the nanosecond: <0, 0, >0; an
 * instant that does not parse is the oldest.
 */
static int
instant_cmp(const char *a, const char *b)
{
	time_t ta, tb;
	char fa[10], fb[10];
	const char *p;
	int i, ra = sm_time_parse(a, &ta), rb = sm_time_parse(b, &tb);

	if (ra < 0 || rb < 0)
		return ra < 0 ? (rb < 0 ? 0 : -1) : 1;
	if (ta != tb)
		return ta < tb ? -1 : 1;
	p = strlen(a) > 19 && a[19] == '.' ? a + 20 : "";
	for (i = 0; i < 9; i++)
		fa[i] = *p >= '0' && *p <= '9' ? *p++ : '0';
	p = strlen(b) > 19 && b[19] == '.' ? b + 20 : "";
	for (i = 0; i < 9; i++)
		fb[i] = *p >= '0' && *p <= '9' ? *p++ : '0';
	return memcmp(fa, fb, 9);
}

/* 1 when uri is one of the mark's ("AT URI URI..."). */
static int
in_mark(const char *mark, const char *uri)
{
	size_t n = strlen(uri);
	const char *p = strchr(mark, ' ');

	while (p) {
		p++;
		if (strncmp(p, uri, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
			return 1;
		p = strchr(p, ' ');
	}
	return 0;
}

/* The mark's instant: its first word (new string), or NULL. */
static char *
mark_instant(const char *mark)
{
	return mark ? xstrndup(mark, strcspn(mark, " ")) : NULL;
}

/* Takes an item seen at at with uri into the mark to store. */
static void
see(struct stream *s, const char *at, const char *uri)
{
	char *cur = s->next.data ? mark_instant(s->next.data) : NULL;
	int c = cur ? instant_cmp(at, cur) : 1;

	if (c > 0) {
		sm_buf_reset(&s->next);
		sm_buf_adds(&s->next, at);
		sm_buf_addc(&s->next, ' ');
		sm_buf_adds(&s->next, uri);
		s->changed = 1;
	} else if (c == 0 && !in_mark(s->next.data, uri)) {
		sm_buf_addc(&s->next, ' ');
		sm_buf_adds(&s->next, uri);
		s->changed = 1;
	}
	free(cur);
}

struct link {
	size_t start, end;
	const char *uri;
};

static int
by_start(const void *a, const void *b)
{
	const struct link *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * text with each #link facet's byte range replaced by the full URI (the
 * visible text may be cut short with "...").  Facets may come in any
 * order; ranges that overlap, fall outside the text or split a UTF-8
 * sequence are left as they are.
 */
static char *
expand_links(const char *text, const json_t *facets)
{
	struct sm_buf b = { 0 };
	struct link *l;
	size_t len = strlen(text), done = 0, i, j, n = 0;
	json_t *f, *feat;

	l = xcalloc(json_array_size(facets) + 1, sizeof(*l));
	json_array_foreach(facets, i, f) {
		json_t *ix = json_object_get(f, "index");
		json_t *bs = json_object_get(ix, "byteStart");
		json_t *be = json_object_get(ix, "byteEnd");
		const char *uri = NULL;
		json_int_t s, e;

		json_array_foreach(json_object_get(f, "features"), j, feat) {
			const char *type = sm_json_str(feat, "$type");

			if (type && strcmp(type,
			    "app.bsky.richtext.facet#link") == 0)
				uri = sm_json_str(feat, "uri");
		}
		if (uri == NULL || !json_is_integer(bs) || !json_is_integer(be))
			continue;
		s = json_integer_value(bs);
		e = json_integer_value(be);
		if (s < 0 || e < s || e > (json_int_t)len ||
		    (text[s] & 0xC0) == 0x80 || (text[e] & 0xC0) == 0x80)
			continue;
		l[n].start = (size_t)s;
		l[n].end = (size_t)e;
		l[n++].uri = uri;
	}
	qsort(l, n, sizeof(*l), by_start);
	sm_buf_adds(&b, "");
	for (i = 0; i < n; i++) {
		if (l[i].start < done)
			continue;
		sm_buf_add(&b, text + done, l[i].start - done);
		sm_buf_adds(&b, l[i].uri);
		done = l[i].end;
	}
	sm_buf_adds(&b, text + done);
	free(l);
	return b.data;
}

/* The record for a post (a notification or a search hit); NULL to skip. */
static json_t *
normalize(struct sm_job *job, json_t *item, const char *kind)
{
	json_t *rec, *author, *post = json_object_get(item, "record");
	json_t *a = json_object_get(item, "author"), *reply, *embed, *langs;
	const char *uri = sm_json_str(item, "uri"), *type = sm_json_str(post, "$type");
	const char *text = sm_json_str(post, "text"), *created, *name, *handle;
	const char *rkey, *quoted = NULL;
	struct sm_buf b = { 0 };
	char *t;
	time_t when;

	if (uri == NULL || type == NULL ||
	    strcmp(type, "app.bsky.feed.post") != 0 || text == NULL)
		return NULL;
	rec = json_object();
	json_object_set_new(rec, "id", sm_job_id(job, uri));
	json_object_set_new(rec, "platform", json_string("bluesky"));
	json_object_set_new(rec, "account", json_string(job->acct->name));
	json_object_set_new(rec, "kind", json_string(kind));
	/* createdAt is the client's word; indexedAt when it makes no sense */
	created = sm_json_str(post, "createdAt");
	if ((created && sm_time_parse(created, &when) == 0) ||
	    ((created = sm_json_str(item, "indexedAt")) &&
	    sm_time_parse(created, &when) == 0))
		json_object_set_new(rec, "created_at", sm_time_json(when));
	else
		json_object_set_new(rec, "created_at", json_null());
	json_object_set_new(rec, "fetched_at", sm_time_json(time(NULL)));
	author = json_object();
	handle = sm_json_str(a, "handle");
	name = sm_json_str(a, "displayName");
	if (name == NULL || *name == '\0')
		name = handle;
	json_object_set_new(author, "id", sm_json_str_or_null(sm_json_str(a, "did")));
	json_object_set_new(author, "handle", sm_json_str_or_null(handle));
	json_object_set_new(author, "name", sm_json_str_or_null(name));
	json_object_set_new(rec, "author", author);
	t = expand_links(text, json_object_get(post, "facets"));
	json_object_set_new(rec, "text", json_string(t));
	free(t);
	langs = json_object_get(post, "langs");
	json_object_set_new(rec, "lang",
	    sm_json_str_or_null(json_string_value(json_array_get(langs, 0))));
	rkey = strrchr(uri, '/');
	if (rkey && strstr(uri, "/app.bsky.feed.post/") &&
	    (handle || sm_json_str(a, "did"))) {
		sm_buf_adds(&b, "https://bsky.app/profile/");
		sm_buf_adds(&b, handle ? handle : sm_json_str(a, "did"));
		sm_buf_adds(&b, "/post/");
		sm_buf_adds(&b, rkey + 1);
		json_object_set_new(rec, "url", json_string(b.data));
		sm_buf_free(&b);
	} else
		json_object_set_new(rec, "url", json_null());
	reply = json_object_get(post, "reply");
	embed = json_object_get(post, "embed");
	/* a quote: the post quoted, plain or with media around it */
	quoted = sm_json_str(json_object_get(embed, "record"), "uri");
	if (quoted == NULL)
		quoted = sm_json_str(json_object_get(json_object_get(embed, "record"),
		    "record"), "uri");
	json_object_set_new(rec, "thread", json_pack("{s:o,s:o}",
	    "in_reply_to", sm_job_id(job,
	    sm_json_str(json_object_get(reply, "parent"), "uri") ?
	    sm_json_str(json_object_get(reply, "parent"), "uri") : quoted),
	    "root", sm_job_id(job, sm_json_str(json_object_get(reply, "root"), "uri"))));
	/* what a reply to it must name: its cid, and its thread's root */
	if (sm_json_str(item, "cid")) {
		json_t *bs = json_pack("{s:s}", "cid", sm_json_str(item, "cid"));
		json_t *root = json_object_get(reply, "root");

		if (sm_json_str(root, "uri") && sm_json_str(root, "cid"))
			json_object_set_new(bs, "root", json_pack("{s:s,s:s}",
			    "uri", sm_json_str(root, "uri"), "cid",
			    sm_json_str(root, "cid")));
		json_object_set_new(rec, "bluesky", bs);
	}
	if (job->opts->native)
		json_object_set(rec, "native", item);
	return rec;
}

static void on_page(struct sm_job *, struct sm_http_response *, void *);
static void renew(struct sm_session *,
    void (*)(struct sm_session *, void *), void *);
static void resume(struct sm_session *, void *);

static void
ask(struct sm_job *job, struct stream *s, const char *cursor)
{
	struct bsky *m = job->priv;
	struct sm_buf b = { 0 };
	char lim[32];

	snprintf(lim, sizeof(lim), "%ld", m->limit);
	sm_buf_adds(&b, job->acct->url);
	if (s->type == SEARCH) {
		sm_buf_adds(&b, "/xrpc/app.bsky.feed.searchPosts?q=");
		sm_http_add_escaped(&b, s->q);
		sm_buf_adds(&b, "&sort=latest&limit=");
	} else if (s->type == OWN) {
		sm_buf_adds(&b, "/xrpc/app.bsky.feed.getAuthorFeed?actor=");
		sm_http_add_escaped(&b, m->sess->did);
		sm_buf_adds(&b, "&filter=posts_with_replies&limit=");
	} else
		sm_buf_adds(&b, "/xrpc/app.bsky.notification.listNotifications"
		    "?reasons=mention&reasons=reply&reasons=quote&limit=");
	sm_buf_adds(&b, lim);
	if (cursor) {
		sm_buf_adds(&b, "&cursor=");
		sm_http_add_escaped(&b, cursor);
	}
	free(s->url);
	s->url = b.data;
	sm_job_get_arg(job, s->url, on_page, s);
}

static void
walk_done(struct sm_job *job, struct stream *s)
{
	if (s->changed)
		sm_job_commit(job, s->name, s->next.data);
}

/*
 * 1 when the answer says the session is no good (any more): expired, or
 * refused altogether (an app password revoked takes its sessions along).
 */
static int
expired(const struct sm_http_response *r)
{
	json_t *j;
	const char *e;
	int yes;

	if (r->status == 401)
		return 1;
	if (r->status != 400)
		return 0;
	j = json_loadb(r->body.data, r->body.len, 0, NULL);
	e = sm_json_str(j, "error");
	yes = e && (strcmp(e, "ExpiredToken") == 0 ||
	    strcmp(e, "InvalidToken") == 0);
	json_decref(j);
	return yes;
}

static void
on_page(struct sm_job *job, struct sm_http_response *r, void *arg)
{
	struct bsky *m = job->priv;
	struct stream *s = arg;
	json_t *page, *list, *item;
	const char *at, *uri, *kind, *cursor, *what;
	size_t i;
	int reached = 0;
	time_t t;

	if (expired(r) && !s->retried) {
		s->retried = 1;
		s->waiting = 1;
		if (!m->sess->refreshing)
			renew(&job->s, resume, job);
		return;
	}
	if (r->status != 200) {
		sm_session_http_error(&job->s, r);
		return;
	}
	s->retried = 0;
	if ((page = sm_session_json(&job->s, r)) == NULL)
		return;
	what = s->type == SEARCH ? "posts" : s->type == OWN ? "feed" :
	    "notifications";
	list = json_object_get(page, what);
	if (!json_is_array(list)) {
		sm_session_fail(&job->s, EX_UNAVAILABLE, "unexpected response: no %s",
		    what);
		goto out;
	}
	json_array_foreach(list, i, item) {
		json_t *rec;

		if (s->type == OWN) {
			/* a feed item: a reason means a repost or a pin */
			if (json_object_get(item, "reason") != NULL)
				continue;
			item = json_object_get(item, "post");
			if (m->sess->did == NULL || !json_is_object(item) ||
			    sm_json_str(json_object_get(item, "author"), "did") ==
			    NULL || strcmp(m->sess->did, sm_json_str(
			    json_object_get(item, "author"), "did")) != 0)
				continue;
		}
		at = sm_json_str(item, "indexedAt");
		uri = sm_json_str(item, "uri");
		if (at == NULL || uri == NULL)
			continue;
		if (s->mark_at && instant_cmp(at, s->mark_at) < 0) {
			reached = 1;
			break;
		}
		if (job->opts->since && sm_time_parse(at, &t) == 0 &&
		    t < job->opts->since) {
			reached = 1;
			break;
		}
		see(s, at, uri);
		if (s->mark && instant_cmp(at, s->mark_at) == 0 &&
		    in_mark(s->mark, uri))
			continue;
		if (s->type == SEARCH) {
			/* our own posts are not what we listen for */
			if (m->sess->did && sm_json_str(json_object_get(item,
			    "author"), "did") && strcmp(m->sess->did,
			    sm_json_str(json_object_get(item, "author"), "did")) ==
			    0)
				continue;
			kind = "search";
		} else if (s->type == OWN)
			kind = "own";
		else {
			kind = sm_json_str(item, "reason");
			if (kind == NULL || (strcmp(kind, "mention") != 0 &&
			    strcmp(kind, "reply") != 0 &&
			    strcmp(kind, "quote") != 0))
				continue;
			/* a quote of our post addresses us, as a mention */
			if (strcmp(kind, "quote") == 0)
				kind = "mention";
		}
		if ((rec = normalize(job, item, kind)) == NULL)
			continue;
		if (sm_job_emit(job, rec) < 0)
			goto out;
	}
	cursor = sm_json_str(page, "cursor");
	if (reached || cursor == NULL || *cursor == '\0' ||
	    (s->mark == NULL && !job->opts->backfill && !job->opts->since))
		walk_done(job, s);
	else
		ask(job, s, cursor);
out:
	json_decref(page);
}

/* A new session: ask again what was refused as expired. */
static void
resume(struct sm_session *sess, void *arg)
{
	struct sm_job *job = arg;
	struct bsky *m = job->priv;
	struct stream *s;
	size_t i;

	for (i = 0; i < m->nstreams; i++) {
		s = &m->streams[i];
		if (s->waiting) {
			s->waiting = 0;
			sm_job_get_arg(job, s->url, on_page, s);
		}
	}
}

/* Keeps the session in the state database and uses it. */
static int
keep_session(struct sm_session *s, const char *did, const char *access,
    const char *refresh_jwt)
{
	struct bsess *b = s->priv;
	json_t *j;
	char *v;
	int rc;

	free(b->did);
	sm_wipe(b->access);
	sm_wipe(b->refresh);
	b->did = xstrdup(did);
	b->access = xstrdup(access);
	b->refresh = xstrdup(refresh_jwt);
	sm_session_bearer(s, access);
	j = json_pack("{s:s,s:s,s:s,s:s}", "handle",
	    json_string_value(json_object_get(s->acct->conf, "handle")),
	    "did", did, "accessJwt", access, "refreshJwt", refresh_jwt);
	v = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	rc = v ? sm_session_secret_set(s, "session", v) : -1;
	sm_wipe(v);
	return rc;
}

static void login(struct sm_session *);

static void give_up_waiting(struct sm_session *);
static void session_answer(struct sm_session *, struct sm_http_response *,
    void *);

/* A session answer; posts that waited for it are let go if it failed. */
static void
on_session(struct sm_session *s, struct sm_http_response *r, void *arg)
{
	session_answer(s, r, arg);
	if (s->stopped)
		give_up_waiting(s);
}

static void
session_answer(struct sm_session *s, struct sm_http_response *r, void *arg)
{
	struct bsess *b = s->priv;
	int refreshed = arg != NULL;
	json_t *j;
	const char *did, *acc, *ref;

	if (r == NULL)
		return;
	if (refreshed)
		b->refreshing = 0;
	if (refreshed && (r->status == 400 || r->status == 401) &&
	    !b->logged_in) {
		/* the refresh token is spent too: log in again */
		login(s);
		return;
	}
	if (r->status == 401 && !refreshed) {
		sm_session_fail(s, EX_NOPERM, "login refused (HTTP 401): "
		    "check handle: and the app password");
		return;
	}
	if (r->status != 200) {
		sm_session_http_error(s, r);
		return;
	}
	j = json_loadb(r->body.data, r->body.len, 0, NULL);
	did = sm_json_str(j, "did");
	acc = sm_json_str(j, "accessJwt");
	ref = sm_json_str(j, "refreshJwt");
	if (did == NULL || acc == NULL || ref == NULL) {
		json_decref(j);
		sm_session_fail(s, EX_UNAVAILABLE, "unexpected response: "
		    "no session in it");
		return;
	}
	keep_session(s, did, acc, ref);
	json_decref(j);
	memset(r->body.data, 0, r->body.len);
	if (refreshed)
		sm_session_note(s, "session refreshed");
	else
		sm_session_note(s, "logged in as %s", b->did);
	b->ready(s, b->arg);
}

static void
login(struct sm_session *s)
{
	struct bsess *b = s->priv;
	struct sm_buf u = { 0 };
	json_t *j;
	char *body;

	b->logged_in = 1;
	j = json_pack("{s:s,s:s}", "identifier",
	    json_string_value(json_object_get(s->acct->conf, "handle")),
	    "password", s->acct->token ? s->acct->token : "");
	body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	sm_buf_adds(&u, s->acct->url);
	sm_buf_adds(&u, "/xrpc/com.atproto.server.createSession");
	sm_session_post(s, u.data, NULL, body ? body : "{}", on_session,
	    NULL);
	sm_buf_free(&u);
	sm_wipe(body);
}

/*
 * The session was refused as expired: refreshSession (or, without a
 * refresh token, a new login), then ready.
 */
static void
renew(struct sm_session *s, void (*ready)(struct sm_session *, void *),
    void *arg)
{
	struct bsess *b = s->priv;
	struct sm_buf u = { 0 }, a = { 0 };

	b->ready = ready;
	b->arg = arg;
	if (b->refresh == NULL || b->logged_in) {
		/* a session just made that is refused already: give up */
		if (b->logged_in) {
			sm_session_fail(s, EX_NOPERM, "the new session is "
			    "refused as expired");
			give_up_waiting(s);
			return;
		}
		login(s);
		return;
	}
	b->refreshing = 1;
	sm_buf_adds(&u, s->acct->url);
	sm_buf_adds(&u, "/xrpc/com.atproto.server.refreshSession");
	sm_buf_adds(&a, "Authorization: Bearer ");
	sm_buf_adds(&a, b->refresh);
	sm_session_post(s, u.data, a.data, NULL, on_session, b);
	sm_buf_free(&u);
	memset(a.data, 0, a.len);
	sm_buf_free(&a);
}

static void
sess_free(void *arg)
{
	struct bsess *b = arg;

	free(b->did);
	sm_wipe(b->access);
	sm_wipe(b->refresh);
	free(b);
}

/* The session stored by an earlier run, if it is this handle's; else a login. */
static void
open_session(struct sm_session *s, void (*ready)(struct sm_session *, void *),
    void *arg)
{
	struct bsess *b = xcalloc(1, sizeof(*b));
	const char *handle = json_string_value(json_object_get(s->acct->conf,
	    "handle"));
	char *v = NULL;
	json_t *j;

	s->priv = b;
	s->priv_free = sess_free;
	b->ready = ready;
	b->arg = arg;
	if (sm_session_secret_get(s, "session", &v) < 0)
		return;
	j = v ? json_loads(v, 0, NULL) : NULL;
	sm_wipe(v);
	if (sm_json_str(j, "did") && sm_json_str(j, "accessJwt") &&
	    sm_json_str(j, "refreshJwt") && sm_json_str(j, "handle") &&
	    handle && strcmp(sm_json_str(j, "handle"), handle) == 0) {
		b->did = xstrdup(sm_json_str(j, "did"));
		b->access = xstrdup(sm_json_str(j, "accessJwt"));
		b->refresh = xstrdup(sm_json_str(j, "refreshJwt"));
		sm_session_bearer(s, b->access);
		json_decref(j);
		ready(s, arg);
		return;
	}
	json_decref(j);
	login(s);
}

/*
 * Posting: com.atproto.repo.createRecord of an app.bsky.feed.post in
 * reply to the citizen's post (reply.parent: its uri and cid, from the
 * record's id and bluesky.cid; reply.root: bluesky.root, or the parent
 * when it starts its thread), with facets: each link (#link) and each
 * @handle (#mention, its DID the author's when it is the citizen, else
 * asked of com.atproto.identity.resolveHandle; a handle that resolves to
 * nothing stays plain text), at UTF-8 byte offsets.  A record fetched
 * before sm-fetch kept bluesky.cid is looked up with
 * app.bsky.feed.getPosts.
 *
 * Bluesky has no idempotency key.  The record key (rkey) is made from the
 * post's key instead: a TID (13 characters of base32-sortable, as the
 * lexicon wants for posts) whose time is the citizen's message's
 * created_at plus microseconds and a clock id taken from a hash of the
 * key, so the same reply always has the same rkey.  Before creating, the
 * record is asked for (com.atproto.repo.getRecord): when it is there the
 * reply was made by an earlier try, and its uri is the answer; a create
 * refused because the record exists (409 RecordAlreadyExists, 400
 * InvalidSwap or "already exists"; the reference PDS has answered 500)
 * is read back the same way.
 */

enum { GET_POST, RESOLVE, CHECK, CREATE, READ_BACK };

struct mention {
	size_t start, end;	/* bytes of "@handle" in the text */
	char *handle;
	char *did;		/* NULL: not resolved (yet) */
};

struct bpost {
	struct sm_session *s;
	void (*done)(struct sm_session *, const struct sm_posted *, void *);
	void *arg;
	char *text;
	char *created_at;
	char *parent_uri, *parent_cid, *root_uri, *root_cid;
	char rkey[14];		/* empty without a key */
	struct mention *m;
	size_t nm, im;		/* mentions, the one being resolved */
	int step;
	int renewed;		/* this step's session was renewed */
	struct bpost *next_wait;
};

static const char tid_chars[] = "234567abcdefghijklmnopqrstuvwxyz";

/* The rkey of a reply: see above. */
static void
make_rkey(const char *key, const json_t *rec, char out[14])
{
	uint64_t h = 14695981039346656037ULL, us, tid;
	const char *created = sm_json_str(rec, "created_at");
	time_t t;
	int i;

	for (; *key; key++) {
		h ^= (unsigned char)*key;
		h *= 1099511628211ULL;
	}
	/* splitmix64's finish, so that every bit depends on every byte */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	if (created && sm_time_parse(created, &t) == 0 && t > 0 &&
	    t < 253402300800)
		us = (uint64_t)t * 1000000 + h % 1000000;
	else
		us = (h >> 11) & ((UINT64_C(1) << 53) - 1);
	tid = (us << 10) | ((h >> 40) & 1023);
	for (i = 12; i >= 0; i--) {
		out[i] = tid_chars[tid & 31];
		tid >>= 5;
	}
	out[13] = '\0';
}

static void
bpost_free(struct bpost *bp)
{
	size_t i;

	free(bp->text);
	free(bp->created_at);
	free(bp->parent_uri);
	free(bp->parent_cid);
	free(bp->root_uri);
	free(bp->root_cid);
	for (i = 0; i < bp->nm; i++) {
		free(bp->m[i].handle);
		free(bp->m[i].did);
	}
	free(bp->m);
	free(bp);
}

/* Tells the caller (posted NULL: it failed, the session says why). */
static void
finish(struct bpost *bp, const struct sm_posted *posted)
{
	bp->done(bp->s, posted, bp->arg);
	bpost_free(bp);
}

static void step(struct bpost *);

/*
 * The posts that waited for a new session: asked again (go_on), or let
 * go because the session failed.
 */
static void
drain_waiting(struct sm_session *s, int go_on)
{
	struct bsess *b = s->priv;
	struct bpost *bp, *next;

	bp = b->waiting;
	b->waiting = NULL;
	for (; bp; bp = next) {
		next = bp->next_wait;
		if (go_on)
			step(bp);
		else
			finish(bp, NULL);
	}
}

static void
give_up_waiting(struct sm_session *s)
{
	drain_waiting(s, 0);
}

static void
resume_posts(struct sm_session *s, void *arg)
{
	drain_waiting(s, 1);
}

/* The error name of an XRPC answer, or "". */
static void
xrpc_error(const struct sm_http_response *r, char *name, size_t size,
    int *exists)
{
	json_t *j = json_loadb(r->body.data, r->body.len, 0, NULL);
	const char *e = sm_json_str(j, "error"), *m = sm_json_str(j, "message");

	snprintf(name, size, "%s", e ? e : "");
	*exists = (e && (strcmp(e, "RecordAlreadyExists") == 0 ||
	    strcmp(e, "InvalidSwap") == 0)) ||
	    (m && strstr(m, "already exists"));
	json_decref(j);
}

/* The bsky.app address of a post of ours. */
static void
reply_done(struct bpost *bp, const char *uri)
{
	struct sm_posted out;
	struct sm_buf u = { 0 };
	const char *rkey = strrchr(uri, '/');

	out.id = uri;
	out.url = NULL;
	if (rkey && rkey[1]) {
		sm_buf_adds(&u, "https://bsky.app/profile/");
		sm_buf_adds(&u, json_string_value(json_object_get(
		    bp->s->acct->conf, "handle")));
		sm_buf_adds(&u, "/post/");
		sm_buf_adds(&u, rkey + 1);
		out.url = u.data;
	}
	finish(bp, &out);
	sm_buf_free(&u);
}

static int
by_byte_start(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(json_object_get(
	    *(json_t *const *)a, "index"), "byteStart"));
	json_int_t y = json_integer_value(json_object_get(json_object_get(
	    *(json_t *const *)b, "index"), "byteStart"));

	return x < y ? -1 : x > y;
}

static json_t *
facet(size_t start, size_t end, const char *type, const char *key,
    const char *value)
{
	return json_pack("{s:{s:I,s:I},s:[{s:s,s:s}]}", "index",
	    "byteStart", (json_int_t)start, "byteEnd", (json_int_t)end,
	    "features", "$type", type, key, value);
}

/* The facets: links and resolved mentions, by their first byte. */
static json_t *
facets(const struct bpost *bp)
{
	const char *t = bp->text;
	size_t n = strlen(t), from = 0, ls, le, i, k = 0, cap = bp->nm + 4;
	struct sm_buf u = { 0 };
	json_t **v, *out;

	v = xcalloc(cap, sizeof(*v));
	while (sm_richtext_link(t, n, from, SM_LINK_BARE, &ls, &le)) {
		if (k + bp->nm >= cap)
			v = xreallocarray(v, cap *= 2, sizeof(*v));
		sm_buf_reset(&u);
		if (strncasecmp(t + ls, "http://", 7) != 0 &&
		    strncasecmp(t + ls, "https://", 8) != 0)
			sm_buf_adds(&u, "https://");
		sm_buf_add(&u, t + ls, le - ls);
		v[k++] = facet(ls, le, "app.bsky.richtext.facet#link", "uri",
		    u.data);
		from = le;
	}
	sm_buf_free(&u);
	for (i = 0; i < bp->nm; i++)
		if (bp->m[i].did)
			v[k++] = facet(bp->m[i].start, bp->m[i].end,
			    "app.bsky.richtext.facet#mention", "did",
			    bp->m[i].did);
	qsort(v, k, sizeof(*v), by_byte_start);
	out = json_array();
	for (i = 0; i < k; i++)
		json_array_append_new(out, v[i]);
	free(v);
	return out;
}

/*
 * The @handles of text as Bluesky's client finds them: '@' after the
 * start, a space or '(', then [a-zA-Z0-9.-]+ without a final '.' or
 * '-', a domain name whose last label is letters.
 */
static void
find_mentions(struct bpost *bp)
{
	const char *t = bp->text;
	size_t n = strlen(t), i, j, dot;

	for (i = 0; i < n; i++) {
		if (t[i] != '@' || (i > 0 && t[i - 1] != ' ' &&
		    t[i - 1] != '(' && t[i - 1] != '\n' && t[i - 1] != '\t'))
			continue;
		for (j = i + 1; j < n && (isalnum((unsigned char)t[j]) ||
		    t[j] == '.' || t[j] == '-'); j++)
			;
		while (j > i + 1 && (t[j - 1] == '.' || t[j - 1] == '-'))
			j--;
		for (dot = j; dot > i + 1 && t[dot - 1] != '.'; dot--)
			;
		if (dot <= i + 2 || j - dot < 2)
			continue;
		for (size_t k = dot; k < j; k++)
			if (!isalpha((unsigned char)t[k]))
				dot = 0;
		if (dot == 0 || (j < n && ((unsigned char)t[j] & 0x80)))
			continue;
		bp->m = xreallocarray(bp->m, bp->nm + 1, sizeof(*bp->m));
		bp->m[bp->nm].start = i;
		bp->m[bp->nm].end = j;
		bp->m[bp->nm].handle = xstrndup(t + i + 1, j - i - 1);
		bp->m[bp->nm++].did = NULL;
		i = j - 1;
	}
}

static void on_answer(struct sm_session *, struct sm_http_response *,
    void *);

/* GETs an XRPC query: pairs of names and values, then NULL. */
static void
get(struct bpost *bp, const char *method, ...)
{
	struct sm_buf u = { 0 };
	const char *k;
	char sep = '?';
	va_list ap;

	sm_buf_adds(&u, bp->s->acct->url);
	sm_buf_adds(&u, "/xrpc/");
	sm_buf_adds(&u, method);
	va_start(ap, method);
	while ((k = va_arg(ap, const char *)) != NULL) {
		sm_buf_addc(&u, sep);
		sm_buf_adds(&u, k);
		sm_buf_addc(&u, '=');
		sm_http_add_escaped(&u, va_arg(ap, const char *));
		sep = '&';
	}
	va_end(ap);
	sm_session_get(bp->s, u.data, on_answer, bp);
	sm_buf_free(&u);
}

static void
create(struct bpost *bp)
{
	struct bsess *b = bp->s->priv;
	struct sm_buf u = { 0 };
	json_t *rec, *req, *f;
	char *body;

	rec = json_pack("{s:s,s:s,s:s}", "$type", "app.bsky.feed.post",
	    "text", bp->text, "createdAt", bp->created_at);
	if (bp->parent_uri)
		json_object_set_new(rec, "reply", json_pack(
		    "{s:{s:s,s:s},s:{s:s,s:s}}",
		    "root", "uri", bp->root_uri ? bp->root_uri : bp->parent_uri,
		    "cid", bp->root_uri ? bp->root_cid : bp->parent_cid,
		    "parent", "uri", bp->parent_uri, "cid", bp->parent_cid));
	f = facets(bp);
	if (json_array_size(f) > 0)
		json_object_set_new(rec, "facets", f);
	else
		json_decref(f);
	req = json_pack("{s:s,s:s}", "repo", b->did, "collection",
	    "app.bsky.feed.post");
	if (bp->rkey[0])
		json_object_set_new(req, "rkey", json_string(bp->rkey));
	json_object_set_new(req, "record", rec);
	body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	sm_buf_adds(&u, bp->s->acct->url);
	sm_buf_adds(&u, "/xrpc/com.atproto.repo.createRecord");
	sm_session_post(bp->s, u.data, bp->s->auth, body ? body : "{}",
	    on_answer, bp);
	sm_buf_free(&u);
	free(body);
}

/* Asks what the post's step needs; skips what is not needed. */
static void
step(struct bpost *bp)
{
	struct sm_session *s = bp->s;
	struct bsess *b = s->priv;
	const char *me = json_string_value(json_object_get(s->acct->conf,
	    "handle"));

	if (sm_session_halted(s)) {
		finish(bp, NULL);
		return;
	}
	switch (bp->step) {
	case GET_POST:
		if (bp->parent_uri && bp->parent_cid == NULL) {
			get(bp, "app.bsky.feed.getPosts", "uris",
			    bp->parent_uri, (char *)NULL);
			return;
		}
		bp->step = RESOLVE;
		/* FALLTHROUGH */
	case RESOLVE:
		for (; bp->im < bp->nm; bp->im++) {
			struct mention *m = &bp->m[bp->im];

			if (me && strcasecmp(m->handle, me) == 0)
				m->did = xstrdup(b->did);
			if (m->did == NULL) {
				get(bp, "com.atproto.identity.resolveHandle",
				    "handle", m->handle, (char *)NULL);
				return;
			}
		}
		bp->step = bp->rkey[0] ? CHECK : CREATE;
		step(bp);
		return;
	case CHECK:
	case READ_BACK:
		get(bp, "com.atproto.repo.getRecord", "repo", b->did,
		    "collection", "app.bsky.feed.post", "rkey", bp->rkey,
		    (char *)NULL);
		return;
	case CREATE:
		create(bp);
		return;
	}
}

static void
on_answer(struct sm_session *s, struct sm_http_response *r, void *arg)
{
	struct bpost *bp = arg;
	struct bsess *b = s->priv;
	json_t *j = NULL, *post;
	char name[64];
	int exists;

	if (r == NULL) {
		finish(bp, NULL);
		return;
	}
	if (expired(r) && !bp->renewed) {
		bp->renewed = 1;
		bp->next_wait = b->waiting;
		b->waiting = bp;
		if (!b->refreshing && bp->next_wait == NULL)
			renew(s, resume_posts, NULL);
		return;
	}
	xrpc_error(r, name, sizeof(name), &exists);
	if (bp->step == RESOLVE && r->status == 400 && !expired(r)) {
		/* no such handle: the text stays, without the facet */
		sm_session_note(s, "@%s: no such handle (%s); posted as text",
		    bp->m[bp->im].handle, name);
		bp->im++;
		bp->renewed = 0;
		step(bp);
		return;
	}
	if (bp->step == CHECK && (r->status == 404 || (r->status == 400 &&
	    strcmp(name, "RecordNotFound") == 0))) {
		bp->step = CREATE;
		bp->renewed = 0;
		step(bp);
		return;
	}
	if (bp->step == CREATE && bp->rkey[0] && exists &&
	    (r->status == 400 || r->status == 409)) {
		sm_session_note(s, "rkey %s: the reply was posted before",
		    bp->rkey);
		bp->step = READ_BACK;
		bp->renewed = 0;
		step(bp);
		return;
	}
	if (r->status != 200) {
		sm_session_http_error(s, r);
		finish(bp, NULL);
		return;
	}
	bp->renewed = 0;
	if ((j = sm_session_json(s, r)) == NULL) {
		finish(bp, NULL);
		return;
	}
	switch (bp->step) {
	case GET_POST:
		post = json_array_get(json_object_get(j, "posts"), 0);
		if (sm_json_str(post, "cid") == NULL) {
			sm_session_fail(s, EX_DATAERR, "%s: no such post (was "
			    "it deleted?)", bp->parent_uri);
			finish(bp, NULL);
			break;
		}
		bp->parent_cid = xstrdup(sm_json_str(post, "cid"));
		post = json_object_get(json_object_get(json_object_get(post,
		    "record"), "reply"), "root");
		if (bp->root_uri == NULL && sm_json_str(post, "uri") &&
		    sm_json_str(post, "cid")) {
			bp->root_uri = xstrdup(sm_json_str(post, "uri"));
			bp->root_cid = xstrdup(sm_json_str(post, "cid"));
		}
		bp->step = RESOLVE;
		step(bp);
		break;
	case RESOLVE:
		if (sm_json_str(j, "did"))
			bp->m[bp->im].did = xstrdup(sm_json_str(j, "did"));
		bp->im++;
		step(bp);
		break;
	case CHECK:
		sm_session_note(s, "rkey %s: the reply was posted before",
		    bp->rkey);
		/* FALLTHROUGH */
	case READ_BACK:
	case CREATE:
		if (sm_json_str(j, "uri") == NULL) {
			sm_session_fail(s, EX_UNAVAILABLE, "unexpected "
			    "response: no uri");
			finish(bp, NULL);
			break;
		}
		reply_done(bp, sm_json_str(j, "uri"));
		break;
	}
	json_decref(j);
}

static void
post(struct sm_session *s, const struct sm_post *p,
    void (*done)(struct sm_session *, const struct sm_posted *, void *),
    void *arg)
{
	struct bpost *bp;
	const char *kind = sm_json_str(p->rec, "kind"), *uri = NULL;
	const json_t *bs = json_object_get(p->rec, "bluesky");
	const json_t *author = json_object_get(p->rec, "author");
	struct sm_error err;
	char when[SM_TIME_SIZE];
	time_t now;

	if (sm_session_halted(s)) {
		done(s, NULL, arg);
		return;
	}
	if (sm_time_now(&now, &err) < 0 ||
	    sm_time_format(now, when, sizeof(when)) < 0) {
		sm_session_fail(s, EX_CONFIG, "%s", err.text);
		done(s, NULL, arg);
		return;
	}
	if (p->rec && (kind == NULL || strcmp(kind, "post") != 0) &&
	    (uri = sm_session_native_id(s, p->rec)) == NULL) {
		sm_session_fail(s, EX_DATAERR, "%s: not a message of this "
		    "account's", sm_json_str(p->rec, "id") ?
		    sm_json_str(p->rec, "id") : "a record without id");
		done(s, NULL, arg);
		return;
	}
	bp = xcalloc(1, sizeof(*bp));
	bp->s = s;
	bp->done = done;
	bp->arg = arg;
	bp->text = xstrdup(p->text);
	bp->created_at = xstrdup(when);
	if (uri) {
		const json_t *root = json_object_get(bs, "root");

		bp->parent_uri = xstrdup(uri);
		if (sm_json_str(bs, "cid"))
			bp->parent_cid = xstrdup(sm_json_str(bs, "cid"));
		if (sm_json_str(root, "uri") && sm_json_str(root, "cid")) {
			bp->root_uri = xstrdup(sm_json_str(root, "uri"));
			bp->root_cid = xstrdup(sm_json_str(root, "cid"));
		}
	}
	if (p->key)
		make_rkey(p->key, p->rec, bp->rkey);
	find_mentions(bp);
	/* the citizen's DID is in the record: no need to ask */
	for (size_t i = 0; i < bp->nm; i++)
		if (sm_json_str(author, "handle") && sm_json_str(author, "id") &&
		    strcasecmp(bp->m[i].handle, sm_json_str(author,
		    "handle")) == 0)
			bp->m[i].did = xstrdup(sm_json_str(author, "id"));
	bp->step = GET_POST;
	step(bp);
}

/*
 * Bluesky's length: grapheme clusters.  A text over 3000 bytes, which the
 * lexicon also refuses, is too long however few its graphemes.
 */
static size_t
blength(const char *text)
{
	size_t n = strlen(text), g = sm_richtext_graphemes(text, n);

	return n > MAX_BYTES && g <= MAX_GRAPHEMES ? MAX_GRAPHEMES + 1 : g;
}

static void
add_stream(struct bsky *m, int type, const char *q)
{
	struct stream *s;

	m->streams = xreallocarray(m->streams, m->nstreams + 1,
	    sizeof(*m->streams));
	s = &m->streams[m->nstreams++];
	memset(s, 0, sizeof(*s));
	s->type = type;
	s->q = q;
	s->name = type == SEARCH ? sm_stream_name("search", q) :
	    xstrdup(type == OWN ? "own" : "mentions");
}

static void
fetch(struct sm_job *job)
{
	struct bsky *m = xcalloc(1, sizeof(*m));
	json_t *search = json_object_get(job->acct->conf, "search"), *t;
	struct stream *s;
	size_t i;

	job->priv = m;
	m->sess = job->s.priv;
	add_stream(m, NOTIF, NULL);
	add_stream(m, OWN, NULL);
	json_array_foreach(search, i, t)
		add_stream(m, SEARCH, json_string_value(t));
	m->limit = job->acct->limit ? job->acct->limit : DEFAULT_LIMIT;
	if (m->limit > MAX_LIMIT)
		m->limit = MAX_LIMIT;
	for (i = 0; i < m->nstreams && !job->s.stopped; i++) {
		s = &m->streams[i];
		if (s->type == OWN && !job->opts->own)
			continue;
		s->mark = sm_job_cursor(job, s->name);
		if (job->opts->backfill)
			s->mark = NULL;
		s->mark_at = mark_instant(s->mark);
		if (s->mark)
			sm_buf_adds(&s->next, s->mark);
		sm_job_first_run(job, s->name, s->mark);
		ask(job, s, NULL);
	}
}

static void
bfree(struct sm_job *job)
{
	struct bsky *m = job->priv;
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nstreams; i++) {
		free(m->streams[i].name);
		free(m->streams[i].url);
		free(m->streams[i].mark_at);
		sm_buf_free(&m->streams[i].next);
	}
	free(m->streams);
	free(m);
}

const struct sm_platform sm_platform_bluesky = {
	.name = "bluesky",
	.keys = keys,
	.default_url = "https://bsky.social",
	.needs_token = 1,
	.check = check,
	.open = open_session,
	.fetch = fetch,
	.post = post,
	.length = blength,
	.max_length = MAX_GRAPHEMES,
	.free = bfree,
};
