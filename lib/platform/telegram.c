/* telegram.c - the Telegram connector: messages to the administration's bot
 *
 * Stream "updates": getUpdates.  The cursor is the next offset (the highest
 * update_id emitted + 1).  Asking with a higher offset confirms, and so
 * deletes on Telegram's side, every update below it; so a page is asked
 * for only once the previous one's cursor is stored, and when cursors are
 * not stored at once (-n, -o) one page is all a run fetches.
 *
 * The token is part of the URL path, as the Bot API wants: no message
 * ever shows a request's URL.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <jansson.h>

#include "sm/fetch.h"
#include "sm/jsonl.h"
#include "sm/http.h"
#include "sm/platform.h"
#include "sm/recid.h"
#include "sm/util.h"

#define DEFAULT_LIMIT 100

struct tg {
	long long bot_id;	/* the number before the token's colon */
	long limit;
	char *offset;		/* the next offset, or NULL */
};

/* The record id of message msg in chat: telegram:ACCOUNT:chat:msg. */
static json_t *
message_id(struct sm_job *job, long long chat, long long msg)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%lld:%lld", chat, msg);
	return sm_job_id(job, buf);
}

static long long
num(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static json_t *
url_of(json_t *chat, long long msg)
{
	const char *type = json_string_value(json_object_get(chat, "type"));
	json_t *user = json_object_get(chat, "username");
	long long id = num(chat, "id");
	char buf[256];

	if (type && strcmp(type, "private") == 0)
		return json_null();
	if (json_is_string(user)) {
		snprintf(buf, sizeof(buf), "https://t.me/%s/%lld",
		    json_string_value(user), msg);
		return json_string(buf);
	}
	/* a private supergroup: -100 then the id t.me/c/ wants */
	snprintf(buf, sizeof(buf), "%lld", id);
	if (strncmp(buf, "-100", 4) == 0) {
		char out[300];

		snprintf(out, sizeof(out), "https://t.me/c/%s/%lld", buf + 4,
		    msg);
		return json_string(out);
	}
	return json_null();
}

static int
is_start(const char *text)
{
	return text && strncmp(text, "/start", 6) == 0 &&
	    (text[6] == '\0' || text[6] == ' ' || text[6] == '@');
}

static json_t *
normalize(struct sm_job *job, json_t *u, json_t *msg, int edited)
{
	struct tg *t = job->priv;
	json_t *chat = json_object_get(msg, "chat"), *from, *rec, *author;
	json_t *text, *rt;
	const char *type, *first, *last;
	long long chat_id = num(chat, "id"), mid = num(msg, "message_id");
	struct sm_buf b = { 0 };
	char buf[32];

	text = json_object_get(msg, "text");
	if (!json_is_string(text))
		text = json_object_get(msg, "caption");
	if (!json_is_string(text) || is_start(json_string_value(text)))
		return NULL;
	type = json_string_value(json_object_get(chat, "type"));
	rt = json_object_get(msg, "reply_to_message");
	rec = json_object();
	json_object_set_new(rec, "id", message_id(job, chat_id, mid));
	json_object_set_new(rec, "platform", json_string("telegram"));
	json_object_set_new(rec, "account", json_string(job->acct->name));
	json_object_set_new(rec, "kind", json_string(
	    type && strcmp(type, "private") == 0 ? "direct" :
	    json_is_object(rt) && num(json_object_get(rt, "from"), "id") ==
	    t->bot_id ? "reply" : "mention"));
	json_object_set_new(rec, "created_at",
	    sm_time_json((time_t)num(msg, "date")));
	if (edited)
		json_object_set_new(rec, "edited_at",
		    sm_time_json((time_t)num(msg, "edit_date")));
	json_object_set_new(rec, "fetched_at", sm_time_json(time(NULL)));
	author = json_object();
	from = json_object_get(msg, "from");
	if (!json_is_object(from))
		from = json_object_get(msg, "sender_chat");
	if (json_is_object(from)) {
		snprintf(buf, sizeof(buf), "%lld", num(from, "id"));
		json_object_set_new(author, "id", json_string(buf));
	} else
		json_object_set_new(author, "id", json_null());
	json_object_set_new(author, "handle",
	    sm_json_str_or_null(sm_json_str(from, "username")));
	first = json_string_value(json_object_get(from, "first_name"));
	last = json_string_value(json_object_get(from, "last_name"));
	if (first == NULL)
		first = json_string_value(json_object_get(from, "title"));
	if (first)
		sm_buf_adds(&b, first);
	if (first && last)
		sm_buf_addc(&b, ' ');
	if (last)
		sm_buf_adds(&b, last);
	json_object_set_new(author, "name", b.data ? json_string(b.data) :
	    json_null());
	sm_buf_free(&b);
	json_object_set_new(rec, "author", author);
	json_object_set_new(rec, "text", json_string(json_string_value(text)));
	json_object_set_new(rec, "lang", json_null());
	json_object_set_new(rec, "url", url_of(chat, mid));
	json_object_set_new(rec, "thread", json_pack("{s:o,s:n}",
	    "in_reply_to", json_is_object(rt) ?
	    message_id(job, chat_id, num(rt, "message_id")) : json_null(),
	    "root"));
	if (job->opts->native)
		json_object_set(rec, "native", u);
	return rec;
}

static char *
updates_url(struct sm_job *job)
{
	struct tg *t = job->priv;
	struct sm_buf b = { 0 };
	char lim[32];

	snprintf(lim, sizeof(lim), "%ld", t->limit);
	sm_buf_adds(&b, job->acct->url);
	sm_buf_adds(&b, "/bot");
	sm_buf_adds(&b, job->acct->token);
	sm_buf_adds(&b, "/getUpdates?timeout=0&limit=");
	sm_buf_adds(&b, lim);
	sm_buf_adds(&b, "&allowed_updates=%5B%22message%22%2C"
	    "%22edited_message%22%5D");
	if (t->offset) {
		sm_buf_adds(&b, "&offset=");
		sm_buf_adds(&b, t->offset);
	}
	return b.data;
}

/*
 * 409: getUpdates cannot be used while a webhook is set (a setting to
 * change: 78), or another program polls the same bot (it may be gone by
 * the next run: 75).  Either way the offset stays where it is.
 */
static void
conflict(struct sm_job *job, const struct sm_http_response *r)
{
	json_t *j = json_loadb(r->body.data, r->body.len, 0, NULL);
	const char *d = sm_json_str(j, "description");

	if (d && strstr(d, "webhook"))
		sm_session_fail(&job->s, EX_CONFIG, "a webhook is set on this "
		    "bot, so its updates cannot be fetched: delete it "
		    "(deleteWebhook) or fetch them through it (HTTP 409)");
	else
		sm_session_fail(&job->s, EX_TEMPFAIL, "another program is "
		    "fetching this bot's updates (HTTP 409: %s); try later",
		    d ? d : "Conflict");
	json_decref(j);
}

static void
on_updates(struct sm_job *job, struct sm_http_response *r)
{
	struct tg *t = job->priv;
	json_t *j, *res, *u, *msg, *rec, *c;
	long long id, high = -1;
	size_t i, len;
	char buf[32];
	time_t tm;

	if (r->status == 409) {
		conflict(job, r);
		return;
	}
	if (r->status != 200) {
		sm_session_http_error(&job->s, r);
		return;
	}
	if ((j = sm_session_json(&job->s, r)) == NULL)
		return;
	res = json_object_get(j, "result");
	if (!json_is_true(json_object_get(j, "ok")) || !json_is_array(res)) {
		sm_session_fail(&job->s, EX_UNAVAILABLE, "unexpected response: "
		    "expected {\"ok\":true,\"result\":[...]}");
		json_decref(j);
		return;
	}
	len = json_array_size(res);
	json_array_foreach(res, i, u) {
		id = num(u, "update_id");
		if (id > high)
			high = id;
		msg = json_object_get(u, "message");
		if (!json_is_object(msg))
			msg = json_object_get(u, "edited_message");
		if (!json_is_object(msg))
			continue;
		rec = normalize(job, u, msg,
		    json_object_get(u, "edited_message") != NULL);
		if (rec == NULL)
			continue;
		c = json_object_get(rec, "created_at");
		if (job->opts->since && sm_time_parse(json_string_value(c),
		    &tm) == 0 && tm < job->opts->since) {
			json_decref(rec);
			continue;
		}
		if (sm_job_emit(job, rec) < 0)
			goto out;
	}
	if (high >= 0) {
		snprintf(buf, sizeof(buf), "%lld", high + 1);
		if (sm_job_commit(job, "updates", buf) < 0)
			goto out;
		free(t->offset);
		t->offset = xstrdup(buf);
		if ((long)len >= t->limit && sm_job_commits_now(job)) {
			char *url = updates_url(job);

			sm_job_get(job, url, on_updates);
			free(url);
			goto out;
		}
	}
out:
	json_decref(j);
}

static void
fetch(struct sm_job *job)
{
	struct tg *t = xcalloc(1, sizeof(*t));
	const char *cur;
	char *url;

	job->priv = t;
	t->limit = job->acct->limit ? job->acct->limit : DEFAULT_LIMIT;
	t->bot_id = strtoll(job->acct->token, NULL, 10);
	cur = sm_job_cursor(job, "updates");
	if (job->s.stopped)
		return;
	t->offset = cur ? xstrdup(cur) : NULL;
	url = updates_url(job);
	sm_job_get(job, url, on_updates);
	memset(url, 0, strlen(url));
	free(url);
}

/*
 * Posting: sendMessage {chat_id, text, reply_parameters: {message_id,
 * allow_sending_without_reply}, link_preview_options: {is_disabled}} to
 * the chat of the citizen's message, both taken from the record's id
 * ("CHAT:MESSAGE"); the answer's result.message_id is the new message's,
 * and its result.chat says whether it has a link.  The Bot API has no
 * idempotency key: sm-reply's ledger keeps a reply from going twice.
 */
static int
tg_answer(struct sm_session *s, const struct sm_http_response *r, json_t *j,
    int how, char **id, char **url)
{
	const char *what = sm_json_str(j, "description");
	json_t *res = json_object_get(j, "result"), *u;
	char buf[64];

	if (r->status != 200) {
		/* the citizen blocked the bot, left the group, deleted the
		 * account: this chat only, for good */
		if (r->status == 403 && what)
			sm_session_warn(s, EX_UNAVAILABLE, "HTTP 403 (%s): "
			    "Telegram will not deliver to this chat", what);
		else if (r->status == 400 && what)
			sm_session_warn(s, EX_UNAVAILABLE, "HTTP 400 (%s)",
			    what);
		else
			sm_session_http_error(s, r);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%lld", num(res, "message_id"));
	if (sm_session_posted_id(s, json_is_true(json_object_get(j, "ok")) &&
	    json_is_integer(json_object_get(res, "message_id")) ? buf : NULL,
	    "result.message_id", NULL, id, url) < 0)
		return -1;
	u = url_of(json_object_get(res, "chat"), num(res, "message_id"));
	if (json_is_string(u))
		*url = xstrdup(json_string_value(u));
	json_decref(u);
	return 0;
}

/* "CHAT:MESSAGE", both decimal, the chat maybe negative. */
static int
chat_message(const char *native, long long *chat, long long *msg)
{
	char *end;

	if (native == NULL)
		return -1;
	*chat = strtoll(native, &end, 10);
	if (end == native || *end != ':' || !isdigit((unsigned char)end[1]))
		return -1;
	*msg = strtoll(end + 1, &end, 10);
	return *end == '\0' ? 0 : -1;
}

static void
post(struct sm_session *s, const struct sm_post *p,
    void (*done)(struct sm_session *, const struct sm_posted *, void *),
    void *arg)
{
	struct sm_buf u = { 0 };
	long long chat, msg;
	json_t *body;

	if (chat_message(sm_recid_own(p->rec), &chat, &msg) < 0) {
		sm_session_warn(s, EX_DATAERR, "%s: not a Telegram message id "
		    "(CHAT:MESSAGE) to answer", sm_json_str(p->rec, "id") ?
		    sm_json_str(p->rec, "id") : "a record without id");
		done(s, NULL, arg);
		return;
	}
	body = json_pack("{s:I,s:s,s:{s:I,s:b},s:{s:b}}", "chat_id",
	    (json_int_t)chat, "text", p->text, "reply_parameters",
	    "message_id", (json_int_t)msg, "allow_sending_without_reply", 1,
	    "link_preview_options", "is_disabled", 1);
	sm_buf_adds(&u, s->acct->url);
	sm_buf_adds(&u, "/bot");
	sm_buf_adds(&u, s->acct->token);
	sm_buf_adds(&u, "/sendMessage");
	sm_session_post_reply(s, u.data, NULL, body, tg_answer, 0, done, arg);
	memset(u.data, 0, u.len);
	sm_buf_free(&u);
}

/* Telegram counts a text in UTF-16 code units: 2 for a character beyond
 * U+FFFF (4 bytes in UTF-8), 1 for any other and for each bad byte. */
static size_t
utf16_units(const char *text)
{
	size_t i, k, n = 0, len = strlen(text);

	for (i = 0; i < len; i += k ? k : 1) {
		k = sm_utf8_len(text + i, len - i);
		n += k == 4 ? 2 : 1;
	}
	return n;
}

static void
tfree(struct sm_job *job)
{
	struct tg *t = job->priv;

	if (t == NULL)
		return;
	free(t->offset);
	free(t);
}

const struct sm_platform sm_platform_telegram = {
	.name = "telegram",
	.keys = NULL,
	.default_url = "https://api.telegram.org",
	.needs_token = 1,
	.check = NULL,
	.fetch = fetch,
	.post = post,
	.length = utf16_units,
	.max_length = 4096,
	.free = tfree,
};
