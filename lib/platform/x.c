/* x.c - the X connector (API v2): mentions and recent search
 *
 * Stream "mentions": GET /2/users/:id/mentions; for each of search:,
 * stream "search:QUERY": GET /2/tweets/search/recent.  Both with the app's
 * bearer token (token_env/token_file).  A stream's cursor is the newest
 * tweet id emitted: the next run asks with since_id and follows
 * meta.next_token (pagination_token for mentions, next_token for search)
 * to the end, then stores the first page's meta.newest_id (recent search
 * refuses a since_id more than a week old: then the pages are read back
 * to the cursor without it).  Without a
 * cursor only the first page is read, unless --backfill or --since says
 * how far back.  Rate limits come in x-rate-limit-* headers, which the
 * http layer honours.
 *
 * With --own, stream "own" too: the account's own tweets and replies,
 * GET /2/users/:id/tweets with exclude=retweets, kind own, read like the
 * mentions (since_id, pagination_token, the first page's newest_id).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <utf8proc.h>

#include "sm/fetch.h"
#include "sm/jsonl.h"
#include "sm/http.h"
#include "sm/platform.h"
#include "sm/recid.h"
#include "sm/util.h"

#define MAX_RESULTS 100

#define FIELDS "&tweet.fields=created_at%2Cauthor_id%2Cconversation_id%2C" \
	"in_reply_to_user_id%2Creferenced_tweets%2Clang%2Centities%2C" \
	"note_tweet&expansions=author_id&user.fields=username%2Cname"

enum { MENTIONS, SEARCH, OWN };

struct stream {
	int type;
	char *name;		/* the cursor's: "mentions", "own",
				 * "search:QUERY" */
	const char *q;		/* SEARCH: the query */
	const char *since;	/* the stored cursor (borrowed), or NULL */
	int by_hand;		/* since is too old to send: compare here */
	char *newest;		/* the first page's newest_id */
};

/* X's epoch in its ids (snowflakes): milliseconds since 2010-11-04. */
#define SNOWFLAKE_EPOCH_MS 1288834974657ULL
/* recent search refuses a since_id older than seven days */
#define SEARCH_WINDOW (6L * 24 * 3600)

static time_t
tweet_time(const char *id)
{
	unsigned long long v = strtoull(id, NULL, 10);

	return (time_t)(((v >> 22) + SNOWFLAKE_EPOCH_MS) / 1000);
}

struct xacct {
	const char *me;		/* our user id */
	long limit;
	struct stream *streams;
	size_t nstreams;
};

static const char *const keys[] = { "user_id", "search", NULL };

static int
digits(const char *s)
{
	return s && *s && strspn(s, "0123456789") == strlen(s);
}

static int
check(const struct sm_config *cfg, struct sm_account *a, struct sm_error *err)
{
	json_t *id = json_object_get(a->conf, "user_id");

	if (!json_is_string(id) || !digits(json_string_value(id)))
		return sm_config_error(cfg, id ? id : a->conf, err,
		    "accounts.%s: user_id: must be the account's numeric id, "
		    "quoted as a string", a->name);
	return sm_account_check_search(cfg, a, err);
}

/*
 * X's text is plain but for &amp; &lt; &gt;, which it escapes; then each
 * t.co link of entities.urls becomes its expanded_url.
 */
static char *
plain_text(const char *text, const json_t *urls)
{
	struct sm_buf b = { 0 }, o = { 0 };
	const char *p, *hit, *from, *to;
	size_t i;
	json_t *u;

	sm_buf_adds(&b, "");
	for (p = text; *p; p++) {
		if (strncmp(p, "&amp;", 5) == 0) {
			sm_buf_addc(&b, '&');
			p += 4;
		} else if (strncmp(p, "&lt;", 4) == 0) {
			sm_buf_addc(&b, '<');
			p += 3;
		} else if (strncmp(p, "&gt;", 4) == 0) {
			sm_buf_addc(&b, '>');
			p += 3;
		} else
			sm_buf_addc(&b, *p);
	}
	json_array_foreach(urls, i, u) {
		from = sm_json_str(u, "url");
		to = sm_json_str(u, "expanded_url");
		if (from == NULL || to == NULL || *from == '\0')
			continue;
		sm_buf_reset(&o);
		sm_buf_adds(&o, "");
		for (p = b.data; (hit = strstr(p, from)) != NULL;
		    p = hit + strlen(from)) {
			sm_buf_add(&o, p, (size_t)(hit - p));
			sm_buf_adds(&o, to);
		}
		sm_buf_adds(&o, p);
		sm_buf_reset(&b);
		sm_buf_adds(&b, o.data);
	}
	sm_buf_free(&o);
	return b.data;
}

/* A language, or NULL for X's pseudo-codes (undetermined, media only...). */
static const char *
language(const char *l)
{
	static const char *const pseudo[] = { "und", "zxx", "qme", "qht",
	    "qam", "qct", "qst", NULL };
	int i;

	if (l == NULL || *l == '\0')
		return NULL;
	for (i = 0; pseudo[i]; i++)
		if (strcmp(l, pseudo[i]) == 0)
			return NULL;
	return l;
}

/* The id of the tweet referenced as type, or NULL. */
static const char *
referenced(const json_t *tw, const char *type)
{
	json_t *r;
	size_t i;

	json_array_foreach(json_object_get(tw, "referenced_tweets"), i, r)
		if (sm_json_str(r, "type") && strcmp(sm_json_str(r, "type"), type) == 0)
			return sm_json_str(r, "id");
	return NULL;
}

/* The record for tweet tw; users maps ids to includes.users entries. */
static json_t *
normalize(struct sm_job *job, struct stream *s, json_t *tw, json_t *users)
{
	struct xacct *x = job->priv;
	json_t *rec, *author, *u, *note = json_object_get(tw, "note_tweet");
	const char *id = sm_json_str(tw, "id"), *aid = sm_json_str(tw, "author_id");
	const char *parent = referenced(tw, "replied_to"), *conv, *text;
	const char *handle, *name, *kind, *irt;
	const json_t *ents;
	struct sm_buf b = { 0 };
	char *t;
	time_t when;

	if (id == NULL)
		return NULL;
	u = aid ? json_object_get(users, aid) : NULL;
	handle = sm_json_str(u, "username");
	name = sm_json_str(u, "name");
	if (name == NULL || *name == '\0')
		name = handle;
	if (s->type == SEARCH)
		kind = "search";
	else if (s->type == OWN)
		kind = "own";
	else {
		irt = sm_json_str(tw, "in_reply_to_user_id");
		kind = parent && irt && strcmp(irt, x->me) == 0 ? "reply" :
		    "mention";
	}
	rec = json_object();
	json_object_set_new(rec, "id", sm_job_id(job, id));
	json_object_set_new(rec, "platform", json_string("x"));
	json_object_set_new(rec, "account", json_string(job->acct->name));
	json_object_set_new(rec, "kind", json_string(kind));
	if (sm_json_str(tw, "created_at") &&
	    sm_time_parse(sm_json_str(tw, "created_at"), &when) == 0)
		json_object_set_new(rec, "created_at", sm_time_json(when));
	else
		json_object_set_new(rec, "created_at", json_null());
	json_object_set_new(rec, "fetched_at", sm_time_json(time(NULL)));
	author = json_object();
	json_object_set_new(author, "id", sm_json_str_or_null(aid));
	json_object_set_new(author, "handle", sm_json_str_or_null(handle));
	json_object_set_new(author, "name", sm_json_str_or_null(name));
	json_object_set_new(rec, "author", author);
	/* a long post's whole text is in note_tweet, with its own entities */
	if ((text = sm_json_str(note, "text")) != NULL)
		ents = json_object_get(note, "entities");
	else {
		text = sm_json_str(tw, "text") ? sm_json_str(tw, "text") : "";
		ents = json_object_get(tw, "entities");
	}
	t = plain_text(text, json_object_get(ents, "urls"));
	json_object_set_new(rec, "text", json_string(t));
	free(t);
	json_object_set_new(rec, "lang", sm_json_str_or_null(language(sm_json_str(tw,
	    "lang"))));
	sm_buf_adds(&b, "https://x.com/");
	sm_buf_adds(&b, handle ? handle : "i/web");
	sm_buf_adds(&b, "/status/");
	sm_buf_adds(&b, id);
	json_object_set_new(rec, "url", json_string(b.data));
	sm_buf_free(&b);
	conv = sm_json_str(tw, "conversation_id");
	if (conv && strcmp(conv, id) == 0)
		conv = NULL;
	json_object_set_new(rec, "thread", json_pack("{s:o,s:o}",
	    "in_reply_to", sm_job_id(job, parent ? parent :
	    referenced(tw, "quoted")), "root", sm_job_id(job, conv)));
	if (job->opts->native)
		json_object_set(rec, "native", tw);
	return rec;
}

static void on_page(struct sm_job *, struct sm_http_response *, void *);

static void
ask(struct sm_job *job, struct stream *s, const char *token)
{
	struct xacct *x = job->priv;
	struct sm_buf b = { 0 };
	char lim[32];
	long n = x->limit;

	/* mentions take 5 to 100, search 10 to 100 */
	if (n < (s->type == SEARCH ? 10 : 5))
		n = s->type == SEARCH ? 10 : 5;
	snprintf(lim, sizeof(lim), "%ld", n);
	sm_buf_adds(&b, job->acct->url);
	if (s->type == SEARCH) {
		sm_buf_adds(&b, "/2/tweets/search/recent?query=");
		sm_http_add_escaped(&b, s->q);
	} else {
		sm_buf_adds(&b, "/2/users/");
		sm_http_add_escaped(&b, x->me);
		sm_buf_adds(&b, s->type == OWN ?
		    "/tweets?exclude=retweets&" : "/mentions?");
	}
	sm_buf_adds(&b, s->type == SEARCH ? "&max_results=" : "max_results=");
	sm_buf_adds(&b, lim);
	sm_buf_adds(&b, FIELDS);
	if (s->since && !s->by_hand) {
		sm_buf_adds(&b, "&since_id=");
		sm_buf_adds(&b, s->since);
	}
	if (token) {
		sm_buf_adds(&b, s->type == SEARCH ? "&next_token=" :
		    "&pagination_token=");
		sm_http_add_escaped(&b, token);
	}
	sm_job_get_arg(job, b.data, on_page, s);
	sm_buf_free(&b);
}

/*
 * Reports an X error answer: the problem's title and detail.  A post's
 * own refusal (a duplicate, a reply X does not allow, a text too long)
 * is a warning, and the session goes on; a refused token stops it.
 */
static void
x_error(struct sm_session *s, const struct sm_http_response *r, int posting)
{
	json_t *j = json_loadb(r->body.data, r->body.len, 0, NULL);
	const char *what = sm_json_str(j, "detail") ? sm_json_str(j, "detail") :
	    sm_json_str(j, "title");
	const char *type = sm_json_str(j, "type");
	int code = r->status == 401 || r->status == 403 ? EX_NOPERM :
	    EX_UNAVAILABLE;

	if (what == NULL)
		sm_session_http_error(s, r);
	else if (posting && r->status == 403 &&
	    strstr(what, "duplicate content"))
		sm_session_warn(s, EX_UNAVAILABLE, "HTTP 403 (%s): X takes the "
		    "text for a duplicate of a post already made; not sent "
		    "again", what);
	else if (posting && r->status != 401 && (type == NULL ||
	    (strstr(type, "unsupported-authentication") == NULL &&
	    strstr(type, "client-forbidden") == NULL)))
		sm_session_warn(s, code, "HTTP %ld (%s)", r->status, what);
	else
		sm_session_fail(s, code, "HTTP %ld (%s)", r->status, what);
	json_decref(j);
}

static void
on_page(struct sm_job *job, struct sm_http_response *r, void *arg)
{
	struct xacct *x = job->priv;
	struct stream *s = arg;
	json_t *page, *meta, *users, *u, *tw;
	const char *next, *newest;
	size_t i;
	int too_old = 0;
	time_t t;

	if (r->status != 200) {
		x_error(&job->s, r, 0);
		return;
	}
	if ((page = sm_session_json(&job->s, r)) == NULL)
		return;
	meta = json_object_get(page, "meta");
	if (!json_is_object(meta)) {
		sm_session_fail(&job->s, EX_UNAVAILABLE, "unexpected response: "
		    "no meta");
		goto out;
	}
	/* the first page's newest_id is where the next run starts */
	newest = sm_json_str(meta, "newest_id");
	if (s->newest == NULL && newest && digits(newest))
		s->newest = xstrdup(newest);
	users = json_object();
	json_array_foreach(json_object_get(json_object_get(page, "includes"),
	    "users"), i, u)
		if (sm_json_str(u, "id"))
			json_object_set(users, sm_json_str(u, "id"), u);
	/* no "data" at all when nothing matched */
	json_array_foreach(json_object_get(page, "data"), i, tw) {
		json_t *rec;

		if (s->by_hand && sm_json_str(tw, "id") &&
		    !sm_id_greater(sm_json_str(tw, "id"), s->since)) {
			too_old = 1;
			break;
		}
		if (s->type == SEARCH && sm_json_str(tw, "author_id") &&
		    strcmp(sm_json_str(tw, "author_id"), x->me) == 0)
			continue;
		/* a retweet is someone else's post, whatever exclude says */
		if (s->type == OWN && referenced(tw, "retweeted"))
			continue;
		if ((rec = normalize(job, s, tw, users)) == NULL)
			continue;
		if (job->opts->since && sm_json_str(tw, "created_at") &&
		    sm_time_parse(sm_json_str(tw, "created_at"), &t) == 0 &&
		    t < job->opts->since) {
			json_decref(rec);
			too_old = 1;
			break;
		}
		if (sm_job_emit(job, rec) < 0) {
			json_decref(users);
			goto out;
		}
	}
	json_decref(users);
	next = sm_json_str(meta, "next_token");
	if (next && *next && !too_old && (s->since || job->opts->backfill ||
	    job->opts->since))
		ask(job, s, next);
	else if (s->newest && (s->since == NULL ||
	    sm_id_greater(s->newest, s->since)))
		sm_job_commit(job, s->name, s->newest);
out:
	json_decref(page);
}

static void
add_stream(struct xacct *x, int type, const char *q)
{
	struct stream *s;

	x->streams = xreallocarray(x->streams, x->nstreams + 1,
	    sizeof(*x->streams));
	s = &x->streams[x->nstreams++];
	memset(s, 0, sizeof(*s));
	s->type = type;
	s->q = q;
	s->name = type == SEARCH ? sm_stream_name("search", q) :
	    xstrdup(type == OWN ? "own" : "mentions");
}

static void
fetch(struct sm_job *job)
{
	struct xacct *x = xcalloc(1, sizeof(*x));
	json_t *search = json_object_get(job->acct->conf, "search"), *t;
	struct stream *s;
	size_t i;

	job->priv = x;
	x->me = json_string_value(json_object_get(job->acct->conf, "user_id"));
	add_stream(x, MENTIONS, NULL);
	if (job->opts->own)
		add_stream(x, OWN, NULL);
	json_array_foreach(search, i, t)
		add_stream(x, SEARCH, json_string_value(t));
	x->limit = job->acct->limit ? job->acct->limit : MAX_RESULTS;
	if (x->limit > MAX_RESULTS)
		x->limit = MAX_RESULTS;
	for (i = 0; i < x->nstreams && !job->s.stopped; i++) {
		s = &x->streams[i];
		s->since = sm_job_cursor(job, s->name);
		if (job->opts->backfill)
			s->since = NULL;
		/*
		 * a search that found nothing for a week: its cursor is too
		 * old for since_id, so the newest are read back to it
		 */
		if (s->type == SEARCH && s->since &&
		    tweet_time(s->since) < time(NULL) - SEARCH_WINDOW)
			s->by_hand = 1;
		sm_job_first_run(job, s->name, s->since);
		ask(job, s, NULL);
	}
}

/*
 * Posting: a reply is POST /2/tweets {text, reply: {in_reply_to_tweet_id}}
 * (201 {data: {id}}); an announcement (kind post) the same without reply;
 * a private answer (visibility private, or a direct message) goes to its
 * author as a direct message, POST /2/dm_conversations/with/ID/messages
 * {text} (201 {data: {dm_conversation_id, dm_event_id}}).  X has no
 * idempotency key: sm-reply's ledger keeps a reply from going twice, and
 * X itself refuses a text identical to one just posted (403, "duplicate
 * content"), which is reported as such and not tried again.
 */
enum { TWEET, DM };

static int
x_answer(struct sm_session *s, const struct sm_http_response *r, json_t *j,
    int how, char **id, char **url)
{
	if (r->status != 200 && r->status != 201) {
		x_error(s, r, 1);
		return -1;
	}
	return sm_session_posted_id(s, sm_json_str(json_object_get(j, "data"),
	    how == DM ? "dm_event_id" : "id"), how == DM ?
	    "data.dm_event_id" : "data.id", how == DM ? NULL :
	    "https://x.com/i/web/status/", id, url);
}

static void
post(struct sm_session *s, const struct sm_post *p,
    void (*done)(struct sm_session *, const struct sm_posted *, void *),
    void *arg)
{
	const char *kind = sm_json_str(p->rec, "kind");
	const char *to = NULL;
	struct sm_buf u = { 0 };
	json_t *body;
	int how, announce = kind && strcmp(kind, "post") == 0;

	how = !announce && ((p->visibility &&
	    strcmp(p->visibility, "private") == 0) ||
	    (kind && strcmp(kind, "direct") == 0)) ? DM : TWEET;
	if (how == DM)
		to = sm_json_str(json_object_get(p->rec, "author"), "id");
	else if (!announce)
		to = sm_recid_own(p->rec);
	if (!announce && !digits(to)) {
		sm_session_warn(s, EX_DATAERR, "%s: no X %s to answer",
		    sm_json_str(p->rec, "id") ? sm_json_str(p->rec, "id") :
		    "a record without id", how == DM ? "author id" :
		    "tweet id");
		done(s, NULL, arg);
		return;
	}
	sm_buf_adds(&u, s->acct->url);
	if (how == DM) {
		sm_buf_adds(&u, "/2/dm_conversations/with/");
		sm_buf_adds(&u, to);
		sm_buf_adds(&u, "/messages");
		body = json_pack("{s:s}", "text", p->text);
	} else {
		sm_buf_adds(&u, "/2/tweets");
		body = json_pack("{s:s}", "text", p->text);
		if (to)
			json_object_set_new(body, "reply", json_pack("{s:s}",
			    "in_reply_to_tweet_id", to));
	}
	sm_session_post_reply(s, u.data, s->auth, body, x_answer, how, done,
	    arg);
	sm_buf_free(&u);
}

/*
 * X's weighted length (twitter-text, configuration v3): the text in NFC;
 * a code point in U+0000-U+10FF, U+2000-U+200D, U+2010-U+201F or
 * U+2032-U+2037 weighs 1, any other 2; an emoji, however many code points
 * make it (skin tones, ZWJ sequences, flags, keycaps), 2; a URL 23.
 */
static int
light(int32_t c)
{
	return (c >= 0 && c <= 0x10FF) || (c >= 0x2000 && c <= 0x200D) ||
	    (c >= 0x2010 && c <= 0x201F) || (c >= 0x2032 && c <= 0x2037);
}

static int
emoji_part(int32_t c)
{
	int bc = utf8proc_get_property(c)->boundclass;

	return bc == UTF8PROC_BOUNDCLASS_EXTENDED_PICTOGRAPHIC ||
	    bc == UTF8PROC_BOUNDCLASS_REGIONAL_INDICATOR || c == 0x20E3;
}

static int
ascii_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* What may follow a host in a URL, up to a space or a character that
 * cannot be in one. */
static size_t
url_rest(const char *s)
{
	size_t n = 0, k;
	int depth = 0;

	while (s[n] && !strchr(" \t\r\n<>\"`{}|\\^", s[n]) &&
	    (unsigned char)s[n] < 0x80)
		n++;
	/* final punctuation belongs to the sentence, an unopened ')' too */
	for (k = 0; k < n; k++)
		depth += s[k] == '(' ? 1 : s[k] == ')' ? -1 : 0;
	while (n > 0 && (strchr(".,;:!?'*", s[n - 1]) ||
	    (s[n - 1] == ')' && depth < 0))) {
		if (s[n - 1] == ')')
			depth++;
		n--;
	}
	return n;
}

/*
 * The length of the URL at s, or 0: http:// or https:// and a host, or
 * www. and a host, or a bare host under a generic top-level domain (or
 * under a country's, followed by a path), as twitter-text finds them.
 */
static size_t
url_at(const char *s)
{
	static const char *const generic[] = { "com", "org", "net", "edu",
	    "gov", "info", "int", "biz", "eus", "cat", "gal", "museum",
	    "travel", "online", "app", "dev", NULL };
	size_t n = 0, label = 0, labels = 0, last = 0;
	int scheme = 0, i;

	if (strncasecmp(s, "https://", 8) == 0)
		n = scheme = 8;
	else if (strncasecmp(s, "http://", 7) == 0)
		n = scheme = 7;
	for (;; n++) {
		if (ascii_alnum(s[n]) || s[n] == '-' || s[n] == '_') {
			label++;
			continue;
		}
		if (label == 0)
			break;
		labels++;
		last = label;
		label = 0;
		if (s[n] != '.' || !(ascii_alnum(s[n + 1])))
			break;
	}
	if (labels < (scheme ? 1 : 2))
		return 0;
	if (!scheme && strncasecmp(s, "www.", 4) != 0) {
		const char *tld = s + n - last;

		for (i = 0; generic[i]; i++)
			if (strlen(generic[i]) == last &&
			    strncasecmp(tld, generic[i], last) == 0)
				break;
		if (generic[i] == NULL && !(last == 2 && (s[n] == '/' ||
		    strncasecmp(tld, "co", 2) == 0 ||
		    strncasecmp(tld, "tv", 2) == 0)))
			return 0;
		for (i = 0; (size_t)i < last; i++)
			if (!((tld[i] | 0x20) >= 'a' && (tld[i] | 0x20) <= 'z'))
				return 0;
	}
	if (s[n] == ':' || s[n] == '/' || s[n] == '?' || s[n] == '#')
		n += url_rest(s + n);
	return n;
}

static size_t
weighted(const char *text)
{
	uint8_t *nfc = utf8proc_NFC((const uint8_t *)text);
	struct sm_buf fixed = { 0 };
	const char *t;
	size_t i = 0, len, n = 0, k, cps, w;
	int32_t c, prev = -1;
	utf8proc_int32_t state = 0;
	int emoji;

	if (nfc == NULL) {
		/* not UTF-8: each bad byte is a U+FFFD */
		sm_buf_add_utf8(&fixed, text, strlen(text));
		nfc = utf8proc_NFC((const uint8_t *)(fixed.data ?
		    fixed.data : ""));
		sm_buf_free(&fixed);
		if (nfc == NULL)
			return strlen(text) * 2;
	}
	t = (const char *)nfc;
	len = strlen(t);
	while (i < len) {
		if ((i == 0 || !(ascii_alnum(t[i - 1]) || strchr("@$#",
		    t[i - 1]))) && (k = url_at(t + i)) > 0) {
			n += 23;
			i += k;
			prev = -1;
			continue;
		}
		/* one grapheme cluster */
		cps = w = 0;
		emoji = 0;
		state = 0;
		prev = -1;
		while (i < len) {
			k = (size_t)utf8proc_iterate((const uint8_t *)t + i,
			    (utf8proc_ssize_t)(len - i), &c);
			if (prev >= 0 && utf8proc_grapheme_break_stateful(prev,
			    c, &state))
				break;
			cps++;
			w += light(c) ? 1 : 2;
			emoji |= emoji_part(c);
			prev = c;
			i += k;
		}
		n += cps > 1 && emoji ? 2 : w;
	}
	free(nfc);
	return n;
}

static void
xfree(struct sm_job *job)
{
	struct xacct *x = job->priv;
	size_t i;

	if (x == NULL)
		return;
	for (i = 0; i < x->nstreams; i++) {
		free(x->streams[i].name);
		free(x->streams[i].newest);
	}
	free(x->streams);
	free(x);
}

const struct sm_platform sm_platform_x = {
	.name = "x",
	.keys = keys,
	.default_url = "https://api.x.com",
	.needs_token = 1,
	.bearer = 1,
	.check = check,
	.fetch = fetch,
	.post = post,
	.length = weighted,
	.max_length = 280,
	.free = xfree,
};
