/* facebook.c - the Facebook Pages connector (Graph API): comments and
 * Messenger
 *
 * Stream "comments": the Page's feed (GET /PAGE/feed, the newest posts
 * first: posts: of them, or all with --backfill or, without a mark,
 * --since; followed page by page, for Graph's pages may be short) and,
 * for each post updated since the mark,
 * its comments with replies flattened (GET /POST/comments?filter=stream,
 * newest first), walked back to the mark.  Stream "messenger": the
 * Page's conversations (GET /PAGE/conversations?platform=messenger, the
 * latest first) with their newest messages inline and, when those are
 * all new, the older ones (GET /CONVERSATION/messages), walked back to
 * the mark.  Graph has no "since" for these, and its times have whole
 * seconds, so a mark is the newest created_time emitted and the ids seen
 * at that second ("TIME ID..."); it moves when every request of the
 * stream has come back.  Without a mark only the first page of each is
 * read, unless --backfill.  The Page token goes in the Authorization
 * header; the paging.next URLs, which carry it too, are not followed:
 * their "after" cursor is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include <jansson.h>

#include "sm/fetch.h"
#include "sm/jsonl.h"
#include "sm/http.h"
#include "sm/platform.h"
#include "sm/recid.h"
#include "sm/util.h"

#define DEFAULT_LIMIT 25
#define MAX_LIMIT 100
/* empty feed pages in a row that still say more follow: enough */
#define MAX_EMPTY_PAGES 10

enum { COMMENTS, MESSENGER };

struct stream {
	int type;
	const char *name;	/* the cursor's: "comments", "messenger" */
	const char *mark;	/* as stored (borrowed), or NULL */
	time_t mark_t;		/* its second */
	struct sm_buf next;	/* the mark to store */
	time_t next_t;
	int changed;
	int pending;		/* requests not answered yet */
};

/* A request of the comments stream: the post whose comments it reads. */
struct post {
	struct stream *s;
	char *id;
};

struct fb {
	const char *page;	/* the Page id */
	long limit;
	long nfeed;		/* posts: how many of the newest */
	long nseen;		/* posts of the feed read so far */
	int nempty;		/* empty feed pages in a row */
	char *feed_after;	/* the cursor of the last feed page asked */
	struct post **posts;	/* those asked for, freed at the end */
	size_t nposts;
	struct stream streams[2];
	size_t nstreams;
};

static const char *const keys[] = { "page_id", "posts", "messenger", NULL };

static int
digits(const char *s)
{
	return s && *s && strspn(s, "0123456789") == strlen(s);
}

static int
check(const struct sm_config *cfg, struct sm_account *a, struct sm_error *err)
{
	json_t *id = json_object_get(a->conf, "page_id");
	json_t *m = json_object_get(a->conf, "messenger");

	if (!json_is_string(id) || !digits(json_string_value(id)))
		return sm_config_error(cfg, id ? id : a->conf, err,
		    "accounts.%s: page_id: must be the Page's numeric id, "
		    "quoted as a string", a->name);
	json_t *n = json_object_get(a->conf, "posts");

	if (n && (!json_is_integer(n) || json_integer_value(n) < 1 ||
	    json_integer_value(n) > 100))
		return sm_config_error(cfg, n, err, "accounts.%s.posts: "
		    "expected a number from 1 to 100", a->name);
	if (m && !json_is_boolean(m))
		return sm_config_error(cfg, m, err, "accounts.%s.messenger: "
		    "expected true or false, got %s", a->name,
		    sm_config_type_name(m));
	return 0;
}

/* 1 when id is one of the mark's ("TIME ID ID..."). */
static int
in_mark(const char *mark, const char *id)
{
	size_t n = strlen(id);
	const char *p = strchr(mark, ' ');

	while (p) {
		p++;
		if (strncmp(p, id, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
			return 1;
		p = strchr(p, ' ');
	}
	return 0;
}

/* Takes an item emitted at t with id into the mark to store. */
static void
see(struct stream *s, time_t t, const char *id)
{
	struct tm tm;
	char buf[32];

	if (s->next.data == NULL || t > s->next_t) {
		gmtime_r(&t, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
		sm_buf_reset(&s->next);
		sm_buf_adds(&s->next, buf);
		sm_buf_addc(&s->next, ' ');
		sm_buf_adds(&s->next, id);
		s->next_t = t;
		s->changed = 1;
	} else if (t == s->next_t && !in_mark(s->next.data, id)) {
		sm_buf_addc(&s->next, ' ');
		sm_buf_adds(&s->next, id);
		s->changed = 1;
	}
}

/*
 * Where the walk stands for an item at t with id: 1 new, 0 seen already
 * (skip it), -1 older than the mark (stop).
 */
static int
is_new(const struct stream *s, time_t t, const char *id)
{
	if (s->mark == NULL)
		return 1;
	if (t < s->mark_t)
		return -1;
	return t > s->mark_t || !in_mark(s->mark, id);
}

/* A request answered: when it was the stream's last, the mark moves. */
static void
answered(struct sm_job *job, struct stream *s)
{
	if (--s->pending == 0 && !job->s.stopped && s->changed)
		sm_job_commit(job, s->name, s->next.data);
}

/* Messenger's answer outside the 24-hour window after the citizen's
 * last message */
#define OUTSIDE_WINDOW 2018278

/*
 * Reports a Graph error: throttling is for later, a bad token is 77.  A
 * post's own refusal (outside Messenger's window, a comment deleted since)
 * is a warning and the session goes on; the rest stops it.
 */
static void
graph_error(struct sm_session *s, const struct sm_http_response *r,
    int posting)
{
	json_t *j = json_loadb(r->body.data, r->body.len, 0, NULL);
	json_t *e = json_object_get(j, "error");
	json_int_t code = json_integer_value(json_object_get(e, "code"));
	json_int_t sub = json_integer_value(json_object_get(e,
	    "error_subcode"));
	const char *msg = sm_json_str(e, "message");

	if (code == 4 || code == 17 || code == 32 || code == 613 ||
	    code == 80001 || code == 80006)
		sm_session_fail(s, EX_TEMPFAIL, "rate limited (Graph error "
		    "%lld); try later", (long long)code);
	else if (posting && code == 10 && sub == OUTSIDE_WINDOW)
		sm_session_warn(s, EX_UNAVAILABLE, "HTTP %ld (Graph error 10, "
		    "subcode %d): the citizen wrote more than 24 hours ago, "
		    "and Messenger takes no answer after that; answer by "
		    "another channel", r->status, OUTSIDE_WINDOW);
	else if (code == 190 || code == 102 || code == 10 ||
	    (code >= 200 && code <= 299))
		sm_session_fail(s, EX_NOPERM, "HTTP %ld (Graph error %lld%s%s)",
		    r->status, (long long)code, msg ? ": " : "",
		    msg ? msg : "");
	else if (e && posting)
		sm_session_warn(s, EX_UNAVAILABLE, "HTTP %ld (Graph error "
		    "%lld%s%s)", r->status, (long long)code, msg ? ": " : "",
		    msg ? msg : "");
	else if (e)
		sm_session_fail(s, EX_UNAVAILABLE, "HTTP %ld (Graph error %lld%s"
		    "%s)", r->status, (long long)code, msg ? ": " : "",
		    msg ? msg : "");
	else
		sm_session_http_error(s, r);
	json_decref(j);
}

static json_t *
parse(struct sm_job *job, struct sm_http_response *r)
{
	json_t *j;

	if (r->status != 200) {
		graph_error(&job->s, r, 0);
		return NULL;
	}
	if ((j = sm_session_json(&job->s, r)) == NULL)
		return NULL;
	if (!json_is_array(json_object_get(j, "data"))) {
		sm_session_fail(&job->s, EX_UNAVAILABLE, "unexpected response: no "
		    "data");
		json_decref(j);
		return NULL;
	}
	return j;
}

/* The "after" cursor when the page says there is a next one, or NULL. */
static const char *
after(const json_t *page)
{
	const json_t *p = json_object_get(page, "paging");

	if (sm_json_str(p, "next") == NULL)
		return NULL;
	return sm_json_str(json_object_get(p, "cursors"), "after");
}

static json_t *
record(struct sm_job *job, const char *id, const char *kind, time_t t,
    const json_t *from, const char *text, const char *url,
    const char *in_reply_to, const char *root)
{
	json_t *rec = json_object(), *author = json_object();

	json_object_set_new(rec, "id", sm_job_id(job, id));
	json_object_set_new(rec, "platform", json_string("facebook"));
	json_object_set_new(rec, "account", json_string(job->acct->name));
	json_object_set_new(rec, "kind", json_string(kind));
	json_object_set_new(rec, "created_at", sm_time_json(t));
	json_object_set_new(rec, "fetched_at", sm_time_json(time(NULL)));
	json_object_set_new(author, "id", sm_json_str_or_null(sm_json_str(from, "id")));
	json_object_set_new(author, "handle", json_null());
	json_object_set_new(author, "name", sm_json_str_or_null(sm_json_str(from, "name")));
	json_object_set_new(rec, "author", author);
	json_object_set_new(rec, "text", json_string(text ? text : ""));
	json_object_set_new(rec, "lang", json_null());
	json_object_set_new(rec, "url", sm_json_str_or_null(url));
	json_object_set_new(rec, "thread", json_pack("{s:o,s:o}",
	    "in_reply_to", sm_job_id(job, in_reply_to),
	    "root", sm_job_id(job, root)));
	return rec;
}

/*
 * 1 when the whole feed is read (--backfill, or --since without a mark),
 * 0 when only its posts: newest posts.
 */
static int
walk_feed(const struct sm_job *job)
{
	const struct fb *f = job->priv;

	return job->opts->backfill || (job->opts->since &&
	    f->streams[0].mark == NULL);
}

static char *
graph_url(struct sm_job *job, const char *node, const char *edge,
    const char *params, const char *cursor)
{
	struct fb *f = job->priv;
	struct sm_buf b = { 0 };
	char lim[32];

	snprintf(lim, sizeof(lim), "%ld", strcmp(edge, "feed") != 0 ?
	    f->limit : walk_feed(job) ? f->nfeed : f->nfeed - f->nseen);
	sm_buf_adds(&b, job->acct->url);
	sm_buf_addc(&b, '/');
	sm_http_add_escaped(&b, node);
	sm_buf_addc(&b, '/');
	sm_buf_adds(&b, edge);
	sm_buf_addc(&b, '?');
	sm_buf_adds(&b, params);
	sm_buf_adds(&b, "&limit=");
	sm_buf_adds(&b, lim);
	if (cursor) {
		sm_buf_adds(&b, "&after=");
		sm_http_add_escaped(&b, cursor);
	}
	return b.data;
}

static void on_comments(struct sm_job *, struct sm_http_response *, void *);

static void
ask_comments(struct sm_job *job, struct post *p, const char *cursor)
{
	char *u = graph_url(job, p->id, "comments", "filter=stream"
	    "&order=reverse_chronological&fields=id%2Ccreated_time%2Cfrom"
	    "%2Cmessage%2Cparent%7Bid%7D%2Cpermalink_url%2Cattachment",
	    cursor);

	p->s->pending++;
	sm_job_get_arg(job, u, on_comments, p);
	free(u);
}

static void
on_comments(struct sm_job *job, struct sm_http_response *r, void *arg)
{
	struct fb *f = job->priv;
	struct post *p = arg;
	struct stream *s = p->s;
	json_t *page = parse(job, r), *c, *rec;
	const char *id, *ct, *msg, *parent, *next, *kind, *from;
	size_t i;
	int stop = 0, n;
	time_t t;

	if (page == NULL)
		return;
	json_array_foreach(json_object_get(page, "data"), i, c) {
		id = sm_json_str(c, "id");
		ct = sm_json_str(c, "created_time");
		if (id == NULL || ct == NULL || sm_time_parse(ct, &t) < 0)
			continue;
		if ((n = is_new(s, t, id)) < 0 || (job->opts->since &&
		    t < job->opts->since)) {
			stop = 1;
			break;
		}
		if (n == 0)
			continue;
		parent = sm_json_str(json_object_get(c, "parent"), "id");
		kind = parent ? "reply" : "comment";
		/* the Page's own answers */
		from = sm_json_str(json_object_get(c, "from"), "id");
		if (from && strcmp(from, f->page) == 0) {
			if (!job->opts->own)
				continue;
			kind = "own";
		}
		see(s, t, id);
		msg = sm_json_str(c, "message");
		rec = record(job, id, kind, t, json_object_get(c, "from"), msg,
		    sm_json_str(c, "permalink_url"), parent ? parent : p->id, p->id);
		if (job->opts->native)
			json_object_set(rec, "native", c);
		if (sm_job_emit(job, rec) < 0)
			goto out;
	}
	next = after(page);
	if (!stop && next && (s->mark || job->opts->backfill ||
	    job->opts->since))
		ask_comments(job, p, next);
	answered(job, s);
out:
	json_decref(page);
}

static void on_feed(struct sm_job *, struct sm_http_response *, void *);

static void
ask_feed(struct sm_job *job, struct stream *s, const char *cursor)
{
	struct fb *f = job->priv;
	char *u = graph_url(job, f->page, "feed", "fields=id%2Cupdated_time",
	    cursor);

	free(f->feed_after);
	f->feed_after = cursor ? xstrdup(cursor) : NULL;
	s->pending++;
	sm_job_get_arg(job, u, on_feed, s);
	free(u);
}

/*
 * The newest posts (posts: of them), or with --backfill all of them, page
 * after page while Graph says more follow (paging.next), however short
 * its pages; of those, the ones updated since the mark (or --since) have
 * their comments read.
 */
static void
on_feed(struct sm_job *job, struct sm_http_response *r, void *arg)
{
	struct stream *s = arg;
	json_t *page = parse(job, r), *post, *data;
	const char *id, *ut, *next;
	size_t i;
	time_t t;

	if (page == NULL)
		return;
	struct fb *f = job->priv;
	int walk = walk_feed(job);

	data = json_object_get(page, "data");
	f->nempty = json_array_size(data) == 0 ? f->nempty + 1 : 0;
	json_array_foreach(data, i, post) {
		struct post *p;

		if (!walk && f->nseen >= f->nfeed)
			break;
		f->nseen++;
		id = sm_json_str(post, "id");
		ut = sm_json_str(post, "updated_time");
		if (id == NULL)
			continue;
		/* a post untouched since the mark has no new comment */
		if (ut && sm_time_parse(ut, &t) == 0 && ((s->mark &&
		    t < s->mark_t) || (job->opts->since &&
		    t < job->opts->since)))
			continue;
		p = xcalloc(1, sizeof(*p));
		p->s = s;
		p->id = xstrdup(id);
		f->posts = xreallocarray(f->posts, f->nposts + 1,
		    sizeof(*f->posts));
		f->posts[f->nposts++] = p;
		ask_comments(job, p, NULL);
	}
	next = after(page);
	if (next && (walk || f->nseen < f->nfeed) &&
	    f->nempty < MAX_EMPTY_PAGES &&
	    (f->feed_after == NULL || strcmp(next, f->feed_after) != 0))
		ask_feed(job, s, next);
	answered(job, s);
	json_decref(page);
}

static void on_convs(struct sm_job *, struct sm_http_response *, void *);
static void on_messages(struct sm_job *, struct sm_http_response *, void *);

static void
ask_convs(struct sm_job *job, struct stream *s, const char *cursor)
{
	struct fb *f = job->priv;
	struct sm_buf p = { 0 };
	char lim[32], *u;

	snprintf(lim, sizeof(lim), "%ld", f->limit);
	sm_buf_adds(&p, "platform=messenger&fields=id%2Cupdated_time%2C"
	    "messages.limit%28");
	sm_buf_adds(&p, lim);
	sm_buf_adds(&p, "%29%7Bid%2Ccreated_time%2Cfrom%2Cmessage%7D");
	u = graph_url(job, f->page, "conversations", p.data, cursor);
	sm_buf_free(&p);
	s->pending++;
	sm_job_get_arg(job, u, on_convs, s);
	free(u);
}

/* The older messages of a conversation, past those that came inline. */
static void
ask_messages(struct sm_job *job, struct post *c, const char *cursor)
{
	char *u = graph_url(job, c->id, "messages", "fields=id%2C"
	    "created_time%2Cfrom%2Cmessage", cursor);

	c->s->pending++;
	sm_job_get_arg(job, u, on_messages, c);
	free(u);
}

/*
 * Emits a conversation's messages (newest first) back to the mark: 1
 * when it was reached, 0 when older ones may follow, -1 when output
 * failed.
 */
static int
messages(struct sm_job *job, struct stream *s, const char *cid,
    const json_t *list)
{
	struct fb *f = job->priv;
	const char *id, *ct, *from;
	json_t *m, *rec;
	size_t i;
	int n;
	time_t t;

	json_array_foreach(list, i, m) {
		id = sm_json_str(m, "id");
		ct = sm_json_str(m, "created_time");
		if (id == NULL || ct == NULL || sm_time_parse(ct, &t) < 0)
			continue;
		if ((n = is_new(s, t, id)) < 0 ||
		    (job->opts->since && t < job->opts->since))
			return 1;
		if (n == 0)
			continue;
		/* the Page's own messages */
		from = sm_json_str(json_object_get(m, "from"), "id");
		if (from && strcmp(from, f->page) == 0)
			continue;
		see(s, t, id);
		rec = record(job, id, "direct", t, json_object_get(m, "from"),
		    sm_json_str(m, "message"), NULL, NULL, cid);
		if (job->opts->native)
			json_object_set(rec, "native", m);
		if (sm_job_emit(job, rec) < 0)
			return -1;
	}
	return 0;
}

/* Reads on past the page when the mark is not reached and there is more. */
static void
more_messages(struct sm_job *job, struct stream *s, const char *cid,
    const json_t *page, struct post *c)
{
	struct fb *f = job->priv;
	const char *next = after(page);

	if (next == NULL || (!s->mark && !job->opts->backfill &&
	    !job->opts->since))
		return;
	if (c == NULL) {
		c = xcalloc(1, sizeof(*c));
		c->s = s;
		c->id = xstrdup(cid);
		f->posts = xreallocarray(f->posts, f->nposts + 1,
		    sizeof(*f->posts));
		f->posts[f->nposts++] = c;
	}
	ask_messages(job, c, next);
}

static void
on_messages(struct sm_job *job, struct sm_http_response *r, void *arg)
{
	struct post *c = arg;
	json_t *page = parse(job, r);
	int rc;

	if (page == NULL)
		return;
	rc = messages(job, c->s, c->id, json_object_get(page, "data"));
	if (rc == 0)
		more_messages(job, c->s, c->id, page, c);
	if (rc >= 0)
		answered(job, c->s);
	json_decref(page);
}

static void
on_convs(struct sm_job *job, struct sm_http_response *r, void *arg)
{
	struct stream *s = arg;
	json_t *page = parse(job, r), *conv, *msgs;
	const char *cid, *ut, *next;
	size_t i;
	int stop = 0, rc;
	time_t t;

	if (page == NULL)
		return;
	json_array_foreach(json_object_get(page, "data"), i, conv) {
		cid = sm_json_str(conv, "id");
		ut = sm_json_str(conv, "updated_time");
		/* conversations come by their latest message, newest first */
		if (s->mark && ut && sm_time_parse(ut, &t) == 0 &&
		    t < s->mark_t) {
			stop = 1;
			break;
		}
		if (cid == NULL)
			continue;
		msgs = json_object_get(conv, "messages");
		rc = messages(job, s, cid, json_object_get(msgs, "data"));
		if (rc < 0)
			goto out;
		if (rc == 0)
			more_messages(job, s, cid, msgs, NULL);
	}
	next = after(page);
	if (!stop && next && (s->mark || job->opts->backfill ||
	    job->opts->since))
		ask_convs(job, s, next);
	answered(job, s);
out:
	json_decref(page);
}

static void
fetch(struct sm_job *job)
{
	struct fb *f = xcalloc(1, sizeof(*f));
	json_t *m = json_object_get(job->acct->conf, "messenger");
	struct stream *s;
	size_t i;
	char *u;

	job->priv = f;
	f->page = json_string_value(json_object_get(job->acct->conf,
	    "page_id"));
	f->limit = job->acct->limit ? job->acct->limit : DEFAULT_LIMIT;
	if (f->limit > MAX_LIMIT)
		f->limit = MAX_LIMIT;
	f->nfeed = json_integer_value(json_object_get(job->acct->conf,
	    "posts"));
	if (f->nfeed == 0)
		f->nfeed = DEFAULT_LIMIT;
	f->streams[f->nstreams].type = COMMENTS;
	f->streams[f->nstreams++].name = "comments";
	if (m == NULL || json_is_true(m)) {
		f->streams[f->nstreams].type = MESSENGER;
		f->streams[f->nstreams++].name = "messenger";
	}
	for (i = 0; i < f->nstreams && !job->s.stopped; i++) {
		s = &f->streams[i];
		s->mark = sm_job_cursor(job, s->name);
		if (job->opts->backfill)
			s->mark = NULL;
		if (s->mark) {
			u = xstrndup(s->mark, strcspn(s->mark, " "));
			if (sm_time_parse(u, &s->mark_t) < 0)
				s->mark = NULL;
			free(u);
		}
		sm_job_first_run(job, s->name, s->mark);
		if (s->mark) {
			sm_buf_adds(&s->next, s->mark);
			s->next_t = s->mark_t;
		}
		if (s->type == COMMENTS)
			ask_feed(job, s, NULL);
		else
			ask_convs(job, s, NULL);
	}
}

/*
 * Posting, with the Page token in the Authorization header as for
 * fetching: an answer to a comment is a comment under it, POST
 * /COMMENT/comments {message} (under the comment it answers when the
 * citizen's is itself a reply: Facebook nests one level only); an answer
 * to a Messenger message, POST /PAGE/messages {recipient: {id: PSID},
 * messaging_type: RESPONSE, message: {text}}, within 24 hours of the
 * citizen's last message; a private answer to a comment, the same with
 * recipient {comment_id} (Messenger's private reply); an announcement
 * (kind post), POST /PAGE/feed {message}.  Graph has no idempotency key:
 * sm-reply's ledger keeps a reply from going twice.
 */
enum { COMMENT, MESSAGE, FEED };

static int
fb_answer(struct sm_session *s, const struct sm_http_response *r, json_t *j,
    int how, char **id, char **url)
{
	const char *field = how == MESSAGE ? "message_id" : "id";

	if (r->status != 200) {
		graph_error(s, r, 1);
		return -1;
	}
	return sm_session_posted_id(s, sm_json_str(j, field), field,
	    how == MESSAGE ? NULL : "https://www.facebook.com/", id, url);
}

static void
post(struct sm_session *s, const struct sm_post *p,
    void (*done)(struct sm_session *, const struct sm_posted *, void *),
    void *arg)
{
	const char *kind = sm_json_str(p->rec, "kind"), *page, *to;
	const char *rid = sm_json_str(p->rec, "id");
	int private = p->visibility && strcmp(p->visibility, "private") == 0;
	struct sm_buf u = { 0 };
	json_t *body;
	int how;

	page = json_string_value(json_object_get(s->acct->conf, "page_id"));
	if (kind && strcmp(kind, "post") == 0) {
		how = FEED;
		to = page;
		body = json_pack("{s:s}", "message", p->text);
	} else if ((kind && strcmp(kind, "direct") == 0) || private) {
		how = MESSAGE;
		if (kind && strcmp(kind, "direct") == 0)
			to = sm_json_str(json_object_get(p->rec, "author"),
			    "id");
		else
			to = sm_recid_own(p->rec);
		body = json_pack("{s:{s:s?},s:s,s:{s:s}}", "recipient",
		    kind && strcmp(kind, "direct") == 0 ? "id" : "comment_id",
		    to, "messaging_type", "RESPONSE", "message", "text",
		    p->text);
	} else {
		how = COMMENT;
		to = NULL;
		if (kind && strcmp(kind, "reply") == 0)
			to = sm_recid_native(p->rec, sm_json_str(
			    json_object_get(p->rec, "thread"), "in_reply_to"));
		if (to == NULL)
			to = sm_recid_own(p->rec);
		body = json_pack("{s:s}", "message", p->text);
	}
	if (to == NULL || *to == '\0' || page == NULL) {
		json_decref(body);
		sm_session_warn(s, EX_DATAERR, "%s: no Facebook %s to answer",
		    rid ? rid : "a record without id", how == MESSAGE &&
		    !private ? "sender (author.id)" : "comment id");
		done(s, NULL, arg);
		return;
	}
	sm_buf_adds(&u, s->acct->url);
	sm_buf_addc(&u, '/');
	sm_http_add_escaped(&u, how == COMMENT ? to : page);
	sm_buf_adds(&u, how == COMMENT ? "/comments" : how == FEED ? "/feed" :
	    "/messages");
	sm_session_post_reply(s, u.data, s->auth, body, fb_answer, how, done,
	    arg);
	sm_buf_free(&u);
}

static void
ffree(struct sm_job *job)
{
	struct fb *f = job->priv;
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nstreams; i++)
		sm_buf_free(&f->streams[i].next);
	for (i = 0; i < f->nposts; i++) {
		free(f->posts[i]->id);
		free(f->posts[i]);
	}
	free(f->posts);
	free(f->feed_after);
	free(f);
}

const struct sm_platform sm_platform_facebook = {
	.name = "facebook",
	.keys = keys,
	.default_url = "https://graph.facebook.com/v23.0",
	.needs_token = 1,
	.bearer = 1,
	.check = check,
	.fetch = fetch,
	.post = post,
	.length = NULL,		/* code points */
	.max_length = 2000,	/* Messenger's; comments take 8000 */
	.free = ffree,
};
