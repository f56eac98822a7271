/* email.c - the e-mail connector: a mailbox read over IMAP with libcurl
 *
 * Stream "uid": the cursor is "UIDVALIDITY:UID", the mailbox's UIDVALIDITY
 * and the highest UID emitted.  Each run asks STATUS for UIDVALIDITY, then
 * UID SEARCH UID last+1:* (with ;UIDVALIDITY= in the URL, so that libcurl
 * stops if the mailbox was recreated meanwhile) and fetches each new UID
 * with BODY.PEEK[], which leaves the message unread: staff may read mail
 * in their own client.  It is fetched in parts (BODY.PEEK[]<offset.size>):
 * libcurl passes a custom command's answer on line by line, as if each
 * were a header, and refuses more than 300 KiB of headers in one answer,
 * so a message with a photo in it would never come whole.  Only
 * mark_seen: true sets \Seen, once the record is out.  When UIDVALIDITY
 * has changed, the mailbox is read again from the start (or from
 * --since); ids come from Message-ID, so the messages seen before keep
 * theirs.  Without a cursor, -b or -s, the first run takes the newest
 * limit messages (20).  A message that cannot be fetched three runs in a
 * row (SM_FETCH_TRIES), or is larger than max_body, is passed with a
 * record that says so ("unreadable").
 *
 * With --own, stream "own" reads the administration's sent mail from
 * sent_mailbox ("Sent") in the same way, as kind "own", never marking
 * anything read; thread.in_reply_to names the citizen's message by the
 * id the inbox gives it, so that sm-report can match answer and question.
 * A missing sent mailbox is reported and the inbox kept.  Without --own
 * that mailbox is not touched.
 *
 * IMAP over libcurl's easy interface: the account is read at once, while
 * the other accounts wait.  imaps:// URLs, or imap:// with STARTTLS
 * required; certificates are always verified.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "sm/charset.h"
#include "sm/fetch.h"
#include "sm/jsonl.h"
#include "sm/mail.h"
#include "sm/mime.h"
#include "sm/platform.h"
#include "sm/util.h"

#define DEFAULT_FIRST 20
#define COMMIT_EVERY 20
/* a message's part fetched at once: well under libcurl's 300 KiB of
 * response "headers" */
#define PART_SIZE (128 * 1024)

static const char *const schemes[] = { "imaps", "imap", NULL };

static const char *const keys[] = {
	"user", "mailbox", "sent_mailbox", "address", "mark_seen", "smtp",
	NULL
};

/* one mailbox read as one stream */
struct box {
	const char *name;
	char *url;		/* base/NAME, percent-encoded */
	char *quoted;		/* "NAME" for commands */
	const char *stream;	/* the cursor's: "uid" or "own" */
	int own;		/* the administration's sent mail */
	int mark_seen;
};

struct imap {
	CURL *curl;
	struct sm_buf resp;
	struct sm_buf msg;	/* the message fetched, part after part */
	size_t max;		/* largest response taken */
	int too_large;
	int gone;		/* the UID asked for is not there */
	char why[CURL_ERROR_SIZE + 64];	/* a message passed: why */
	long runs;		/* ... after how many runs */
	char errbuf[CURL_ERROR_SIZE];
	struct box inbox, sent;
	const char *domain;	/* ours: replies point at it */
	int no_peek;		/* libcurl gives no literal: fetch by URL */
	uint64_t rng;		/* the jitter of retries */
};

static void
smtp_free(void *arg)
{
	sm_mail_server_free(arg);
	free(arg);
}

/* smtp: how replies go out (sm-reply --send), read with the account. */
static int
check_smtp(const struct sm_config *cfg, struct sm_account *a,
    struct sm_error *err)
{
	json_t *v = json_object_get(a->conf, "smtp");
	struct sm_mail_server *s;
	char where[300];

	if (v == NULL)
		return 0;
	snprintf(where, sizeof(where), "accounts.%s.smtp", a->name);
	s = xcalloc(1, sizeof(*s));
	if (sm_mail_server_load(cfg, v, where, s, err) < 0) {
		smtp_free(s);
		return -1;
	}
	a->settings = s;
	a->settings_free = smtp_free;
	return 0;
}

static int
check(const struct sm_config *cfg, struct sm_account *a, struct sm_error *err)
{
	static const char *const strs[] = { "user", "mailbox", "sent_mailbox",
	    "address" };
	json_t *v;
	size_t i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		v = json_object_get(a->conf, strs[i]);
		if (v && (!json_is_string(v) || json_string_length(v) == 0))
			return sm_config_error(cfg, v, err, "accounts.%s.%s: "
			    "expected a non-empty string, got %s", a->name,
			    strs[i], json_is_string(v) ? "an empty one" :
			    sm_config_type_name(v));
	}
	if (json_object_get(a->conf, "user") == NULL)
		return sm_config_error(cfg, a->conf, err, "accounts.%s: no "
		    "user:", a->name);
	v = json_object_get(a->conf, "mark_seen");
	if (v && !json_is_boolean(v))
		return sm_config_error(cfg, v, err, "accounts.%s.mark_seen: "
		    "expected true or false, got %s", a->name,
		    sm_config_type_name(v));
	if (strchr(strstr(a->url, "://") + 3, '/'))
		return sm_config_error(cfg, json_object_get(a->conf, "url"),
		    err, "accounts.%s.url: give the server only; the mailbox "
		    "is mailbox:", a->name);
	return check_smtp(cfg, a, err);
}

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct imap *m = arg;

	if (m->resp.len + n > m->max) {
		m->too_large = 1;
		return 0;
	}
	sm_buf_add(&m->resp, p, n);
	return n;
}

static int
transient(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_WEIRD_SERVER_REPLY:
		return 1;
	default:
		return 0;
	}
}

/*
 * Runs one request, again after network errors as the account's retries:
 * and backoff: say (the delay doubled each time, with jitter).  CURLE_OK,
 * or the last CURLcode; the answer is in m->resp.
 */
static CURLcode
perform(struct sm_job *job, const char *url, const char *command)
{
	struct imap *m = job->priv;
	const struct sm_http_opts *o = &job->acct->http;
	double delay = (double)o->backoff_ms, wait;
	struct timespec ts;
	CURLcode rc;
	int attempt = 0;

	curl_easy_setopt(m->curl, CURLOPT_URL, url);
	curl_easy_setopt(m->curl, CURLOPT_CUSTOMREQUEST, command);
	for (;;) {
		sm_buf_reset(&m->resp);
		m->too_large = 0;
		m->errbuf[0] = '\0';
		rc = curl_easy_perform(m->curl);
		if (rc == CURLE_OK || !transient(rc) || attempt++ >= o->retries)
			break;
		wait = delay / 2 + delay / 2 * sm_rand_unit(&m->rng);
		ts.tv_sec = (time_t)(wait / 1000);
		ts.tv_nsec = (long)((wait - (double)ts.tv_sec * 1000) * 1e6);
		nanosleep(&ts, NULL);
		if (delay < 15 * 60 * 1000)
			delay *= 2;
	}
	if (m->resp.data == NULL)
		sm_buf_add(&m->resp, "", 0);
	return rc;
}

static void
fail_curl_after(struct sm_job *job, CURLcode rc, const char *what,
    const char *after)
{
	struct imap *m = job->priv;
	const char *why = m->errbuf[0] ? m->errbuf : curl_easy_strerror(rc);
	int code;

	switch (rc) {
	case CURLE_LOGIN_DENIED:
		code = EX_NOPERM;
		break;
	case CURLE_QUOTE_ERROR:		/* NO or BAD: no such mailbox... */
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_USE_SSL_FAILED:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		code = EX_UNAVAILABLE;
		break;
	default:
		code = EX_TEMPFAIL;
	}
	sm_session_fail(&job->s, code, "%s: %s%s%s", what, why,
	    code == EX_TEMPFAIL ? "; try later" : "", after);
}

static void
fail_curl(struct sm_job *job, CURLcode rc, const char *what)
{
	fail_curl_after(job, rc, what, "");
}

/* the number after "NAME " in s, or -1 */
static long long
item(const char *s, const char *name)
{
	const char *p = s;
	size_t n = strlen(name);
	char *end;
	long long v;

	while ((p = strstr(p, name)) != NULL) {
		if ((p == s || p[-1] == ' ' || p[-1] == '(') && p[n] == ' ') {
			v = strtoll(p + n + 1, &end, 10);
			if (end != p + n + 1 && v >= 0)
				return v;
		}
		p += n;
	}
	return -1;
}

static int
cmp_uid(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a;
	unsigned long y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* The UIDs of "* SEARCH ..." lines above after, in order. */
static unsigned long *
search_result(const char *s, unsigned long after, size_t *n)
{
	unsigned long *uids = NULL, v;
	size_t cap = 0;
	const char *line = s, *p;
	char *end;

	*n = 0;
	while (line && *line) {
		if (strncmp(line, "* SEARCH", 8) == 0) {
			for (p = line + 8; *p == ' '; p++) {
				v = strtoul(p + 1, &end, 10);
				if (end == p + 1)
					break;
				p = end - 1;
				if (v <= after)
					continue;
				if (*n == cap) {
					cap = cap ? cap * 2 : 64;
					uids = xreallocarray(uids, cap,
					    sizeof(*uids));
				}
				uids[(*n)++] = v;
				if (p[1] != ' ')
					break;
			}
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	if (*n > 1)
		qsort(uids, *n, sizeof(*uids), cmp_uid);
	return uids;
}

/*
 * Finds the message in a "* n FETCH (... BODY[] {N}\r\n<N bytes>)" reply;
 * *date gets INTERNALDATE when it is there.  -1 when there is none.
 */
static int
fetch_result(const char *s, size_t len, const char **msg, size_t *mlen,
    char *date, size_t datesize)
{
	const char *line = s, *eol, *b, *q;
	unsigned long long n;
	char *end;

	*date = '\0';
	while (line < s + len) {
		eol = memchr(line, '\n', (size_t)(s + len - line));
		if (eol == NULL)
			eol = s + len;
		if (strncmp(line, "* ", 2) == 0 && (b = strstr(line,
		    "BODY[]")) != NULL && b < eol) {
			q = strstr(line, "INTERNALDATE \"");
			if (q != NULL && q < b) {
				const char *qe = strchr(q + 14, '"');
				size_t k = qe ? (size_t)(qe - (q + 14)) : 0;

				if (qe && k < datesize) {
					memcpy(date, q + 14, k);
					date[k] = '\0';
				}
			}
			b += 6;
			if (*b == '<') {	/* a part: BODY[]<origin> */
				b += 1 + strspn(b + 1, "0123456789");
				if (*b == '>')
					b++;
			}
			while (*b == ' ')
				b++;
			if (*b == '{') {
				n = strtoull(b + 1, &end, 10);
				if (*end != '}')
					return -1;
				*msg = eol + 1 <= s + len ? eol + 1 : s + len;
				*mlen = (size_t)(s + len - *msg) < n ?
				    (size_t)(s + len - *msg) : (size_t)n;
				return 0;
			}
			if (strncmp(b, "\"\"", 2) == 0 ||
			    strncmp(b, "NIL", 3) == 0) {
				*msg = b;
				*mlen = 0;
				return 0;
			}
			return -1;
		}
		line = eol + 1;
	}
	return -1;
}

/* 1 when id ("<x@host>") was made at our domain */
static int
ours(const char *id, const char *domain)
{
	const char *at = id ? strrchr(id, '@') : NULL;
	size_t n;

	if (at == NULL || domain == NULL)
		return 0;
	n = strlen(domain);
	return strncasecmp(at + 1, domain, n) == 0 && at[1 + n] == '>';
}

static json_t *
lang_of(const char *cl)
{
	char buf[16];
	size_t i;

	if (cl == NULL)
		return json_null();
	for (i = 0; cl[i] && cl[i] != '-' && cl[i] != ',' && cl[i] != ' ' &&
	    i < sizeof(buf) - 1; i++)
		buf[i] = (char)(cl[i] >= 'A' && cl[i] <= 'Z' ? cl[i] + 32 :
		    cl[i]);
	buf[i] = '\0';
	return i >= 2 && i <= 3 ? json_string(buf) : json_null();
}

static json_t *
normalize(struct sm_job *job, const struct box *bx, const struct sm_mail *ml,
    unsigned long long v, unsigned long uid, const char *internaldate,
    const char *raw, size_t rawlen)
{
	struct imap *m = job->priv;
	char num[80], date[SM_MIME_DATE_SIZE];
	json_t *rec = json_object(), *refs, *att, *e;
	const char *root;
	int reply = ours(ml->in_reply_to, m->domain);
	size_t i;

	/* sent mail without a Message-ID must not take an inbox one's id */
	snprintf(num, sizeof(num), "%s%llu:%lu", bx->own ? "own:" : "", v, uid);
	for (i = 0; i < ml->nreferences; i++)
		reply |= ours(ml->references[i], m->domain);
	/* never without an id: a Message-ID that jansson refuses gives way
	 * to the mailbox's UIDVALIDITY:UID */
	if ((e = ml->message_id ? sm_job_id(job, ml->message_id) : NULL) ==
	    NULL)
		e = sm_job_id(job, num);
	json_object_set_new(rec, "id", e);
	json_object_set_new(rec, "platform", json_string("email"));
	json_object_set_new(rec, "account", json_string(job->acct->name));
	json_object_set_new(rec, "kind", json_string(bx->own ? "own" :
	    reply ? "reply" : "email"));
	if (ml->date)
		json_object_set_new(rec, "created_at", json_string(ml->date));
	else if (internaldate[0] && sm_mime_date(internaldate, date) == 0)
		json_object_set_new(rec, "created_at", json_string(date));
	else
		json_object_set_new(rec, "created_at", sm_time_json(time(NULL)));
	json_object_set_new(rec, "fetched_at", sm_time_json(time(NULL)));
	json_object_set_new(rec, "author", json_pack("{s:o,s:o,s:o}",
	    "id", sm_json_str_or_null(ml->from_addr),
	    "handle", sm_json_str_or_null(ml->from_addr),
	    "name", sm_json_str_or_null(ml->from_name)));
	json_object_set_new(rec, "subject", sm_json_str_or_null(ml->subject));
	json_object_set_new(rec, "text", json_string(ml->text));
	json_object_set_new(rec, "lang", lang_of(ml->language));
	json_object_set_new(rec, "url", json_null());
	/* as record ids, which is what an inbox message and an answer in
	 * the sent mailbox get from their Message-IDs */
	root = ml->nreferences ? ml->references[0] : ml->in_reply_to;
	json_object_set_new(rec, "thread", json_pack("{s:o,s:o}",
	    "in_reply_to", sm_job_id(job, ml->in_reply_to),
	    "root", sm_job_id(job, root)));
	refs = json_array();
	for (i = 0; i < ml->nreferences; i++)
		json_array_append_new(refs, json_string(ml->references[i]));
	att = json_array();
	for (i = 0; i < ml->nattachments; i++)
		json_array_append_new(att, json_string(ml->attachments[i]));
	e = json_pack("{s:o,s:o,s:o,s:I,s:I,s:o}",
	    "subject", sm_json_str_or_null(ml->subject),
	    "message_id", sm_json_str_or_null(ml->message_id),
	    "references", refs,
	    "uidvalidity", (json_int_t)v,
	    "uid", (json_int_t)uid,
	    "attachments", att);
	json_object_set_new(rec, "email", e);
	if (job->opts->native) {
		struct sm_buf b = { 0 };

		sm_charset_to_utf8(&b, NULL, raw, rawlen);
		json_object_set_new(rec, "native", json_stringn(b.data, b.len));
		sm_buf_free(&b);
	}
	return rec;
}

static char *
url_join(const char *a, const char *b)
{
	struct sm_buf u = { 0 };

	sm_buf_adds(&u, a);
	sm_buf_adds(&u, b);
	return u.data;
}

static int
set_seen(struct sm_job *job, const char *guard, unsigned long uid, int on)
{
	struct imap *m = job->priv;
	char cmd[96];
	CURLcode rc;

	snprintf(cmd, sizeof(cmd), "UID STORE %lu %cFLAGS.SILENT (\\Seen)", uid,
	    on ? '+' : '-');
	if ((rc = perform(job, guard, cmd)) != CURLE_OK) {
		sm_session_warn(&job->s, EX_TEMPFAIL, "UID %lu: \\Seen not %s: %s", uid,
		    on ? "set" : "taken back", m->errbuf[0] ? m->errbuf :
		    curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

/*
 * The message's bytes into m->msg, part after part with BODY.PEEK[], its
 * INTERNALDATE in date.  m->gone is set when the UID is not there, and
 * m->no_peek when this libcurl gives no literal (nothing but the first
 * line of the answer); else CURLE_OK, or the request's failure.
 */
static CURLcode
peek(struct sm_job *job, const char *guard, unsigned long uid, char *date,
    size_t datesize)
{
	struct imap *m = job->priv;
	char cmd[128], part[64];
	const char *p;
	size_t off = 0, n;
	CURLcode rc;

	sm_buf_reset(&m->msg);
	sm_buf_add(&m->msg, "", 0);
	m->gone = 0;
	for (;;) {
		snprintf(cmd, sizeof(cmd), "UID FETCH %lu (%sBODY.PEEK[]<%zu.%d>)",
		    uid, off == 0 ? "INTERNALDATE " : "", off, PART_SIZE);
		if ((rc = perform(job, guard, cmd)) != CURLE_OK)
			return rc;
		if (fetch_result(m->resp.data, m->resp.len, &p, &n,
		    off == 0 ? date : part, off == 0 ? datesize :
		    sizeof(part)) < 0) {
			m->gone = 1;
			return CURLE_OK;
		}
		if (off == 0 && n == 0 && !strstr(m->resp.data, "{0}")) {
			m->no_peek = 1;
			return CURLE_OK;
		}
		if (n > m->max - m->msg.len) {
			m->too_large = 1;
			return CURLE_FILESIZE_EXCEEDED;
		}
		sm_buf_add(&m->msg, p, n);
		if (n < PART_SIZE)
			return CURLE_OK;
		off += PART_SIZE;
	}
}

/*
 * A message that could not be fetched: the account is left for later,
 * or, when it is larger than max_body or has failed SM_FETCH_TRIES runs
 * in a row, the message is passed (2) with m->why saying why.
 */
static int
cannot_fetch(struct sm_job *job, const struct box *bx, CURLcode rc,
    unsigned long long v, unsigned long uid)
{
	struct imap *m = job->priv;
	char what[160], after[96], num[64];

	snprintf(what, sizeof(what), "%s%s%sUID %lu", bx->own ?
	    "sent_mailbox " : "", bx->own ? bx->quoted : "", bx->own ? " " :
	    "", uid);
	if (m->too_large) {
		snprintf(m->why, sizeof(m->why), "larger than max_body (%zu "
		    "bytes)", m->max);
		m->runs = 1;
	} else {
		snprintf(num, sizeof(num), "%llu:%lu", v, uid);
		m->runs = sm_job_stuck(job, bx->stream, num);
		if (m->runs < SM_FETCH_TRIES) {
			snprintf(after, sizeof(after), " (run %ld of %d before "
			    "it is passed)", m->runs, SM_FETCH_TRIES);
			strcat(what, ": fetch");
			fail_curl_after(job, rc, what, after);
			return -1;
		}
		snprintf(m->why, sizeof(m->why), "%s", m->errbuf[0] ?
		    m->errbuf : curl_easy_strerror(rc));
	}
	if (m->too_large)
		sm_session_warn(&job->s, EX_DATAERR, "%s: cannot be fetched: %s; "
		    "passed, with a record that says so", what, m->why);
	else
		sm_session_warn(&job->s, EX_DATAERR, "%s: cannot be fetched, "
		    "%ld runs in a row: %s; passed, with a record that says so",
		    what, m->runs, m->why);
	return 2;
}

/*
 * What can be told of a message that cannot be fetched, for the clerk
 * who will open it in the mailbox: its INTERNALDATE (into date) and
 * size (-1 when the server does not say).
 */
static long long
envelope(struct sm_job *job, const char *guard, unsigned long uid,
    char *date, size_t datesize)
{
	struct imap *m = job->priv;
	const char *p, *q;
	char cmd[96];

	date[0] = '\0';
	snprintf(cmd, sizeof(cmd), "UID FETCH %lu (INTERNALDATE RFC822.SIZE)",
	    uid);
	if (perform(job, guard, cmd) != CURLE_OK)
		return -1;
	if ((p = strstr(m->resp.data, "INTERNALDATE \"")) != NULL &&
	    (q = strchr(p + 14, '"')) != NULL && (size_t)(q - (p + 14)) <
	    datesize) {
		memcpy(date, p + 14, (size_t)(q - (p + 14)));
		date[q - (p + 14)] = '\0';
	}
	return item(m->resp.data, "RFC822.SIZE");
}

/*
 * The record of a message passed unread: what is known of it (the
 * mailbox, UIDVALIDITY and UID that name it there, its date and size)
 * and, in "unreadable", why.  A new reference.
 */
static json_t *
unreadable(struct sm_job *job, const struct box *bx, const char *guard,
    unsigned long long v, unsigned long uid)
{
	struct imap *m = job->priv;
	static char empty[] = "";
	struct sm_mail ml = { 0 };
	char date[64];
	long long size = envelope(job, guard, uid, date, sizeof(date));
	json_t *rec, *u;

	ml.text = empty;
	ml.body = empty;
	rec = normalize(job, bx, &ml, v, uid, date, "", 0);
	u = json_pack("{s:s,s:I,s:s}", "reason", m->why, "runs",
	    (json_int_t)m->runs, "mailbox", bx->name);
	json_object_set_new(u, "size", size >= 0 ? json_integer(size) :
	    json_null());
	json_object_set_new(rec, "unreadable", u);
	return rec;
}

/*
 * The message's bytes into m->msg or m->resp (*msg, *mlen pointing in
 * it), its INTERNALDATE in date.  First
 * with BODY.PEEK[]; a libcurl that passes on only the first line of a
 * custom command's answer (before 8.x) gets the URL fetch instead, which
 * sets \Seen: then the flag is taken back, unless it was there before.
 * 1 when the UID is gone, -1 to stop, 2 when the message is passed
 * unread (m->why says why): larger than max_body, or failing for the
 * SM_FETCH_TRIES-th run in a row.
 */
static int
get_message(struct sm_job *job, const struct box *bx, const char *guard,
    unsigned long long v, unsigned long uid, const char **msg, size_t *mlen,
    char *date, size_t datesize)
{
	struct imap *m = job->priv;
	char cmd[96], *url;
	const char *p;
	int seen;
	CURLcode rc;

	if (!m->no_peek) {
		if ((rc = peek(job, guard, uid, date, datesize)) != CURLE_OK)
			goto failed;
		if (m->gone)
			return 1;
		if (!m->no_peek) {
			*msg = m->msg.data;
			*mlen = m->msg.len;
			return 0;
		}
	}
	snprintf(cmd, sizeof(cmd), "UID FETCH %lu (FLAGS INTERNALDATE)", uid);
	if ((rc = perform(job, guard, cmd)) != CURLE_OK)
		goto failed;
	if ((p = strstr(m->resp.data, "FLAGS (")) == NULL)
		return 1;
	seen = strstr(p, "\\Seen") != NULL && strstr(p, "\\Seen") <
	    strchr(p, ')');
	date[0] = '\0';
	if ((p = strstr(m->resp.data, "INTERNALDATE \"")) != NULL &&
	    strchr(p + 14, '"') && (size_t)(strchr(p + 14, '"') - (p + 14)) <
	    datesize) {
		memcpy(date, p + 14, (size_t)(strchr(p + 14, '"') - (p + 14)));
		date[strchr(p + 14, '"') - (p + 14)] = '\0';
	}
	snprintf(cmd, sizeof(cmd), "/;UID=%lu", uid);
	url = url_join(guard, cmd);
	rc = perform(job, url, NULL);
	free(url);
	if (rc == CURLE_REMOTE_FILE_NOT_FOUND)
		return 1;
	if (rc != CURLE_OK)
		goto failed;
	*msg = m->resp.data;
	*mlen = m->resp.len;
	if (!seen && !(bx->mark_seen && !job->opts->dry_run)) {
		/* keep the bytes: the STORE answer goes to m->resp too */
		struct sm_buf keep = m->resp;

		memset(&m->resp, 0, sizeof(m->resp));
		set_seen(job, guard, uid, 0);
		sm_buf_free(&m->resp);
		m->resp = keep;
		*msg = m->resp.data;
	}
	return 0;
failed:
	return cannot_fetch(job, bx, rc, v, uid);
}

/* one message: fetched, parsed, emitted, maybe marked seen; -1 to stop */
static int
one(struct sm_job *job, const struct box *bx, const char *guard,
    unsigned long long v, unsigned long uid)
{
	struct imap *m = job->priv;
	char date[64];
	const char *msg;
	size_t mlen;
	struct sm_mail ml;
	json_t *rec;
	time_t t;
	int rc, peeked;

	peeked = !m->no_peek;
	if ((rc = get_message(job, bx, guard, v, uid, &msg, &mlen, date,
	    sizeof(date))) == 2)
		return sm_job_emit(job, unreadable(job, bx, guard, v, uid));
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	peeked = peeked && !m->no_peek;
	sm_mime_parse(&ml, msg, mlen);
	rec = normalize(job, bx, &ml, v, uid, date, msg, mlen);
	sm_mime_free(&ml);
	if (job->opts->since && sm_time_parse(json_string_value(
	    json_object_get(rec, "created_at")), &t) == 0 &&
	    t < job->opts->since) {
		json_decref(rec);
		return 0;
	}
	if (sm_job_emit(job, rec) < 0)
		return -1;
	if (bx->mark_seen && !job->opts->dry_run && peeked)
		set_seen(job, guard, uid, 1);
	return 0;
}

/* reads one mailbox as one stream, from its cursor on */
static void
run(struct sm_job *job, const struct box *bx)
{
	struct imap *m = job->priv;
	const char *cur = sm_job_cursor(job, bx->stream);
	const char *in = bx->own ? bx->quoted : "", *sep = bx->own ? ": " : "";
	unsigned long long v, cv = 0;
	unsigned long last = 0, floor, *uids = NULL;
	size_t n, i, first = 0, since_commit = 0;
	char cmd[128], value[64], *guard = NULL, *status, *base;
	CURLcode rc;
	int rescan = 0;

	if (job->s.stopped)
		return;
	if (cur && sscanf(cur, "%llu:%lu", &cv, &last) != 2)
		cur = NULL;
	status = url_join(job->acct->url, "/");
	base = xmalloc(strlen(bx->quoted) + 64);
	sprintf(base, "STATUS %s (UIDVALIDITY UIDNEXT)", bx->quoted);
	rc = perform(job, status, base);
	free(status);
	free(base);
	if (rc == CURLE_QUOTE_ERROR && bx->own) {
		/* the inbox is still worth having */
		sm_session_warn(&job->s, EX_UNAVAILABLE, "sent_mailbox %s: the server "
		    "refused STATUS (is there such a mailbox?); own messages "
		    "left out", bx->quoted);
		return;
	}
	if (rc == CURLE_QUOTE_ERROR) {
		sm_session_fail(&job->s, EX_UNAVAILABLE, "mailbox %s: the server "
		    "refused STATUS (is there such a mailbox?)", bx->quoted);
		return;
	}
	if (rc != CURLE_OK) {
		fail_curl(job, rc, "STATUS");
		return;
	}
	if (item(m->resp.data, "UIDVALIDITY") < 0) {
		sm_session_fail(&job->s, EX_UNAVAILABLE, "no UIDVALIDITY in the "
		    "server's STATUS reply");
		return;
	}
	v = (unsigned long long)item(m->resp.data, "UIDVALIDITY");
	if (cur && cv != v) {
		sm_session_note(&job->s, "%s%sUIDVALIDITY changed from %llu to %llu: "
		    "reading the mailbox again", in, sep, cv, v);
		rescan = 1;
		last = 0;
	}
	floor = last;		/* the cursor never goes back */
	if (job->opts->backfill)
		last = 0;
	snprintf(value, sizeof(value), ";UIDVALIDITY=%llu", v);
	guard = url_join(bx->url, value);
	if (job->opts->since) {
		/* walks back as far as the date, as on Mastodon */
		struct tm tm;
		static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr",
		    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
		time_t day = job->opts->since - 86400;	/* zones */

		gmtime_r(&day, &tm);
		snprintf(cmd, sizeof(cmd), "UID SEARCH SINCE %d-%s-%d",
		    tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900);
		last = 0;
	} else
		snprintf(cmd, sizeof(cmd), "UID SEARCH UID %lu:*", last + 1);
	rc = perform(job, guard, cmd);
	if (rc != CURLE_OK) {
		fail_curl(job, rc, "UID SEARCH");
		free(guard);
		return;
	}
	uids = search_result(m->resp.data, last, &n);
	if (cur == NULL && !job->opts->backfill && !job->opts->since) {
		size_t lim = job->acct->limit ? (size_t)job->acct->limit :
		    DEFAULT_FIRST;

		if (n > lim)
			first = n - lim;
		sm_session_note(&job->s, "%s%sfirst run: only the newest %zu messages "
		    "(see --backfill)", in, sep, lim);
	}
	for (i = first; i < n && !job->s.stopped; i++) {
		if (one(job, bx, guard, v, uids[i]) < 0)
			break;
		if (++since_commit == COMMIT_EVERY || i + 1 == n) {
			snprintf(value, sizeof(value), "%llu:%lu", v,
			    uids[i] > floor ? uids[i] : floor);
			if (sm_job_commit(job, bx->stream, value) < 0)
				break;
			since_commit = 0;
		}
	}
	if (!job->s.stopped)
		sm_job_unstuck(job, bx->stream);
	if (!job->s.stopped && (n == 0 || first == n) && (cur == NULL ||
	    rescan)) {
		/* nothing to emit, but the mailbox is known from now on */
		snprintf(value, sizeof(value), "%llu:%lu", v, floor);
		sm_job_commit(job, bx->stream, value);
	}
	free(uids);
	free(guard);
}

/* bx for the mailbox name (borrowed from the configuration) */
static void
box_init(struct imap *m, struct box *bx, const char *base, const char *name,
    const char *stream)
{
	struct sm_buf b = { 0 };
	char *esc;
	size_t i;

	bx->name = name;
	bx->stream = stream;
	esc = curl_easy_escape(m->curl, name, 0);
	sm_buf_adds(&b, base);
	sm_buf_addc(&b, '/');
	sm_buf_adds(&b, esc ? esc : name);
	curl_free(esc);
	bx->url = b.data;
	memset(&b, 0, sizeof(b));
	sm_buf_addc(&b, '"');
	for (i = 0; name[i]; i++) {
		if (name[i] == '"' || name[i] == '\\')
			sm_buf_addc(&b, '\\');
		sm_buf_addc(&b, name[i]);
	}
	sm_buf_addc(&b, '"');
	bx->quoted = b.data;
}

static void
fetch(struct sm_job *job)
{
	struct imap *m = xcalloc(1, sizeof(*m));
	const json_t *c = job->acct->conf;
	const char *addr, *user, *name;

	job->priv = m;
	sm_rand_seed(&m->rng);
	m->max = job->acct->http.max_body;
	user = json_string_value(json_object_get(c, "user"));
	addr = json_string_value(json_object_get(c, "address"));
	if (addr == NULL)
		addr = user;
	if (addr && strchr(addr, '@'))
		m->domain = strchr(addr, '@') + 1;
	if ((m->curl = curl_easy_init()) == NULL) {
		sm_session_fail(&job->s, EX_SOFTWARE, "cannot start libcurl");
		return;
	}
	name = json_string_value(json_object_get(c, "mailbox"));
	box_init(m, &m->inbox, job->acct->url, name ? name : "INBOX", "uid");
	m->inbox.mark_seen = json_is_true(json_object_get(c, "mark_seen"));
	if (job->opts->own) {
		name = json_string_value(json_object_get(c, "sent_mailbox"));
		box_init(m, &m->sent, job->acct->url, name ? name : "Sent",
		    "own");
		m->sent.own = 1;
	}

	curl_easy_setopt(m->curl, CURLOPT_PROTOCOLS_STR, "imap,imaps");
	curl_easy_setopt(m->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(m->curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	curl_easy_setopt(m->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(m->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (job->acct->http.ca_file) {
		curl_easy_setopt(m->curl, CURLOPT_CAINFO,
		    job->acct->http.ca_file);
		curl_easy_setopt(m->curl, CURLOPT_CAPATH, "/etc/ssl/certs");
	}
	curl_easy_setopt(m->curl, CURLOPT_CONNECTTIMEOUT_MS,
	    job->acct->http.connect_timeout_ms);
	curl_easy_setopt(m->curl, CURLOPT_TIMEOUT_MS,
	    job->acct->http.timeout_ms);
	curl_easy_setopt(m->curl, CURLOPT_USERNAME, user);
	curl_easy_setopt(m->curl, CURLOPT_PASSWORD, job->acct->token);
	curl_easy_setopt(m->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(m->curl, CURLOPT_WRITEDATA, m);
	curl_easy_setopt(m->curl, CURLOPT_ERRORBUFFER, m->errbuf);
	run(job, &m->inbox);
	if (job->opts->own)
		run(job, &m->sent);
}

static void
efree(struct sm_job *job)
{
	struct imap *m = job->priv;

	if (m == NULL)
		return;
	if (m->curl)
		curl_easy_cleanup(m->curl);
	sm_buf_free(&m->resp);
	sm_buf_free(&m->msg);
	free(m->inbox.url);
	free(m->inbox.quoted);
	free(m->sent.url);
	free(m->sent.quoted);
	free(m);
}

/*
 * A reply by e-mail (sm-reply --send): to the citizen's address, "Re:"
 * its subject, In-Reply-To and References its message, through the
 * account's smtp: server (its user and password, or the account's).  The
 * Message-ID is made from the reply's key, so that a repeat is known.
 */
static void
post(struct sm_session *ses, const struct sm_post *p,
    void (*done)(struct sm_session *, const struct sm_posted *, void *),
    void *arg)
{
	const struct sm_account *a = ses->acct;
	struct sm_mail_server *srv = a->settings, use;
	const json_t *rec = p->rec, *refs;
	struct sm_mail_msg m = { 0 };
	struct sm_posted out = { 0 };
	struct sm_buf subj = { 0 }, text = { 0 }, mid = { 0 };
	const char *to[2] = { NULL, NULL }, **rv = NULL, *subject, *from, *at;
	struct sm_error err;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i, n;
	int code;
	char hex[17];

	if (srv == NULL) {
		sm_session_fail(ses, EX_CONFIG, "no smtp: in the account: "
		    "replies by e-mail need one");
		done(ses, NULL, arg);
		return;
	}
	use = *srv;
	if (use.user == NULL) {
		use.user = (char *)json_string_value(json_object_get(a->conf,
		    "user"));
		use.password = a->token;
	}
	from = srv->from ? srv->from : json_string_value(json_object_get(
	    a->conf, "address"));
	to[0] = json_string_value(sm_record_get((json_t *)rec,
	    "author.handle"));
	if (from == NULL || to[0] == NULL) {
		sm_session_fail(ses, EX_DATAERR, "%s", from == NULL ?
		    "no from: in smtp: nor address: in the account" :
		    "the message has no sender's address (author.handle)");
		done(ses, NULL, arg);
		return;
	}
	subject = json_string_value(json_object_get(rec, "subject"));
	if (subject == NULL || strncasecmp(subject, "re:", 3) != 0)
		sm_buf_adds(&subj, "Re: ");
	sm_buf_adds(&subj, subject ? subject : "");
	for (i = 0; p->key[i]; i++)
		h = (h ^ (unsigned char)p->key[i]) * 0x100000001b3ULL;
	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)h);
	at = strchr(from, '@');
	sm_buf_adds(&mid, "<sm-reply.");
	sm_buf_adds(&mid, hex);
	sm_buf_adds(&mid, at ? at : "@localhost");
	while (mid.len && strchr("> \t", mid.data[mid.len - 1]))
		mid.data[--mid.len] = '\0';
	sm_buf_addc(&mid, '>');
	m.from = from;
	m.to = to;
	m.subject = subj.data;
	m.message_id = mid.data;
	m.in_reply_to = json_string_value(sm_record_get((json_t *)rec,
	    "email.message_id"));
	refs = sm_record_get((json_t *)rec, "email.references");
	n = json_array_size(refs);
	rv = xcalloc(n + 2, sizeof(*rv));
	for (i = 0; i < n; i++)
		rv[i] = json_string_value(json_array_get(refs, i));
	if (m.in_reply_to)
		rv[n] = m.in_reply_to;
	m.references = rv;
	m.body = p->text;
	if (sm_mail_compose(&m, &text, &err) < 0 ||
	    sm_mail_send(&use, from, to, text.data, text.len, &code,
	    &err) < 0) {
		sm_session_fail(ses, code ? code : EX_DATAERR, "%s", err.text);
		done(ses, NULL, arg);
	} else {
		out.id = mid.data;
		done(ses, &out, arg);
	}
	free(rv);
	sm_buf_free(&subj);
	sm_buf_free(&text);
	sm_buf_free(&mid);
}

const struct sm_platform sm_platform_email = {
	.name = "email",
	.keys = keys,
	.default_url = NULL,
	.schemes = schemes,
	.needs_token = 1,
	.check = check,
	.fetch = fetch,
	.post = post,
	.free = efree,
};
