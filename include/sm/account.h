/* account.h - the administration's accounts: settings, secrets, sessions
 *
 * An account is a mapping under accounts: in sm.yaml (platform, url,
 * secrets, timeouts, retries).  A session is one account signed in and
 * talking HTTP: its Authorization header, the sign-in and renewal some
 * platforms need (Bluesky's session, kept in the state database), and
 * what went wrong, reported to the tool.  sm-fetch reads through a
 * session (fetch.h wraps one in each job); sm-reply posts through one.
 */
#ifndef SM_ACCOUNT_H
#define SM_ACCOUNT_H

#include <jansson.h>

#include "sm/config.h"
#include "sm/error.h"
#include "sm/http.h"
#include "sm/state.h"

struct sm_platform;
struct sm_posted;

struct sm_account {
	char *name;
	const struct sm_platform *platform;
	const json_t *conf;	/* its mapping in sm.yaml; borrowed */
	char *url;		/* base URL without a final slash */
	char *token;		/* never printed; NULL until resolved */
	char *ca_file;		/* resolved, or NULL */
	long limit;		/* page size, 0 for the platform's */
	long alert_after;	/* seconds failing before it is no longer
				 * "try later" (alert_after:) */
	struct sm_http_opts http;
	void *settings;		/* the connector's, read by its check */
	void (*settings_free)(void *);
};

/*
 * Reads and checks the accounts: section (a mapping of names to
 * mappings).  *accts is a new array of *n accounts; secrets are not read
 * yet.  0, or -1 with err naming file:line:column.
 */
int sm_accounts_load(const struct sm_config *cfg, struct sm_account **accts,
    size_t *n, struct sm_error *err);

void sm_accounts_free(struct sm_account *accts, size_t n);

/* The account called name, or NULL. */
struct sm_account *sm_account_find(struct sm_account *accts, size_t n,
    const char *name);

/* Reads the account's token_env or token_file when it has one. */
int sm_account_token(const struct sm_config *cfg, struct sm_account *acct,
    struct sm_error *err);

/*
 * Resolves a secret reference: node is a mapping holding token_env: NAME
 * or token_file: PATH (relative to the file it is written in).  Of a
 * file only the first line counts, its line end removed.  A secret
 * holding a control character is refused (it could smuggle a header
 * into a request).  Returns a new string that the caller wipes, frees and
 * never prints, or NULL with err set; where names node in messages.
 */
char *sm_account_secret(const struct sm_config *cfg, const json_t *node,
    const char *where, struct sm_error *err);

/*
 * Reads timeout, connect_timeout, retries, backoff, max_wait and max_body
 * (seconds and bytes) from the mapping node into o, keeping o's value
 * for a key that is missing.  0, or -1 with err at the offending node.
 */
int sm_account_http_opts(const struct sm_config *cfg, const json_t *node,
    const char *where, struct sm_http_opts *o, struct sm_error *err);

/* What a URL in sm.yaml may be. */
struct sm_url_rule {
	const json_t *node;	/* the url's node, for the error's place */
	const char *where;	/* its name in messages: "accounts.masto.url" */
	const char *const *schemes;	/* allowed, NULL-terminated; the
					 * first is the one to advise */
	const char *plain;	/* a scheme allowed to loopback only, or NULL */
	const char *what;	/* what plain text would expose: "the token" */
	int secret;		/* the URL is a secret: never in messages */
};

/*
 * Checks url as rule r says, reading scheme and host with libcurl's
 * parser, as the request will: text that merely begins like a loopback
 * address ("http://127.0.0.1:80@elsewhere/") is not one.  *is_loopback
 * (when not NULL) tells whether the host is this machine (127.0.0.1,
 * localhost, [::1]).  0, or -1 with err at r->node.
 */
int sm_account_check_url(const struct sm_config *cfg,
    const struct sm_url_rule *r, const char *url, int *is_loopback,
    struct sm_error *err);

/*
 * Checks an account's search: setting, when it has one: a list of
 * queries (non-empty strings).  0, or -1 with err at the offending node.
 */
int sm_account_check_search(const struct sm_config *cfg,
    const struct sm_account *a, struct sm_error *err);

/* How a session tells its tool what happened: code is a sysexits value,
 * or 0 for a note shown with -v. */
typedef void sm_report_fn(void *arg, const char *account, int code,
    const char *text);

struct sm_session {
	struct sm_account *acct;
	struct sm_http *http;	/* borrowed: requests go out on it */
	struct sm_state *st;	/* borrowed: secrets a platform hands back */
	char *auth;		/* "Authorization: ..." sent, or NULL */
	void *priv;		/* the connector's sign-in state */
	void (*priv_free)(void *);
	const int *halt;	/* when *halt, nothing more is asked */
	int status;		/* worst sysexits code so far, 0 */
	int stopped;		/* failed: ask nothing more */
	char *problem;		/* the last problem said, or NULL */
	sm_report_fn *report;
	void *report_arg;
};

void sm_session_init(struct sm_session *s, struct sm_account *acct,
    struct sm_http *http, struct sm_state *st, sm_report_fn *report,
    void *report_arg);

/* Frees what the session holds (not the account, http or state). */
void sm_session_free(struct sm_session *s);

/*
 * Signs the session in, as the account's platform needs, then calls
 * ready (at once when a token is enough: it is sent as a bearer token).
 * When sign-in fails the session is stopped and ready is not called.
 */
void sm_session_open(struct sm_session *s,
    void (*ready)(struct sm_session *, void *), void *arg);

/* Sets the Authorization header: "Authorization: Bearer TOKEN". */
void sm_session_bearer(struct sm_session *s, const char *token);

typedef void sm_session_done_fn(struct sm_session *s,
    struct sm_http_response *r, void *arg);

/*
 * Queues a GET of url with the session's header; done runs with the
 * response.  When the request failed for good or is to be tried later,
 * or the session stopped meanwhile, the session is stopped, saying why,
 * and done gets a NULL response: it only lets go of arg.
 */
void sm_session_get(struct sm_session *s, const char *url,
    sm_session_done_fn *done, void *arg);

/*
 * Queues a POST of the JSON text body (NULL: none) to url, with the
 * header auth ("Authorization: ...": s->auth for the session's own, or
 * NULL for none, as when signing in).
 */
void sm_session_post(struct sm_session *s, const char *url,
    const char *auth, const char *body, sm_session_done_fn *done, void *arg);

/* How a connector's post says what it posted (platform.h), or NULL. */
typedef void sm_posted_fn(struct sm_session *s, const struct sm_posted *p,
    void *arg);

/*
 * Reads a platform's answer to a post, r, whose body is j (borrowed; NULL
 * when it is not JSON, which a 2xx answer never is here): 0 with *id (and
 * *url, or NULL) set to new strings; or -1 when the post was not made, or
 * its id cannot be told, said with sm_session_warn (this post only: the
 * session goes on) or sm_session_fail (the account: it stops).  how is
 * the connector's (a reply or a direct message, say).
 */
typedef int sm_post_answer_fn(struct sm_session *s,
    const struct sm_http_response *r, json_t *j, int how, char **id,
    char **url);

/*
 * For a sm_post_answer_fn: 0 with *id a copy of the new post's id v and,
 * when url_prefix is not NULL, *url that prefix followed by v.  When v is
 * NULL or empty (the answer has no field), the post may have been made
 * though its id is not known: says so with sm_session_warn, and -1.
 */
int sm_session_posted_id(struct sm_session *s, const char *v,
    const char *field, const char *url_prefix, char **id, char **url);

/*
 * Posts for a connector: queues a POST of body (JSON; stolen) to url with
 * the header auth (s->auth, or NULL), reads the response with answer,
 * then calls done with what was posted, or with NULL when it was not (or
 * may not have been) posted, the session saying why: a 2xx answer that is
 * not JSON, or has no id, is EX_PROTOCOL (the post may have been made),
 * and so is a 5xx answer or a connection lost after sending: such a post
 * is never retried (sm_http_post_once), for platforms that have no
 * idempotency key.
 * When the session has stopped already, nothing is asked and done gets
 * NULL at once.
 */
void sm_session_post_reply(struct sm_session *s, const char *url,
    const char *auth, json_t *body, sm_post_answer_fn *answer, int how,
    sm_posted_fn *done, void *arg);

/*
 * The same with more headers: a NULL-terminated list of "Name: value"
 * lines (Mastodon's Idempotency-Key), or NULL.
 */
void sm_session_post_headers(struct sm_session *s, const char *url,
    const char *auth, const char *const *headers, const char *body,
    sm_session_done_fn *done, void *arg);

/*
 * 1 when the session asks nothing more (it failed, or the tool is
 * stopping): sm_session_get and sm_session_post then queue nothing and
 * call nothing back, so a caller that must answer (a post's done) checks
 * first.
 */
int sm_session_halted(const struct sm_session *s);

/*
 * The platform's own id of the message rec (sm-message(7)), the part of
 * its id after "PLATFORM:ACCOUNT:" (borrowed from rec), when rec came
 * through this session's account; NULL otherwise.  A reply goes to the
 * platform and account its message came from.
 */
const char *sm_session_native_id(const struct sm_session *s,
    const json_t *rec);

/*
 * The response's body as JSON (a new reference); NULL when it is not
 * JSON, and then the session has failed with EX_TEMPFAIL (try later).
 */
json_t *sm_session_json(struct sm_session *s,
    const struct sm_http_response *r);

/* Reports an unusable HTTP response (any status but 2xx) and stops. */
void sm_session_http_error(struct sm_session *s,
    const struct sm_http_response *r);

/*
 * A secret the platform handed back (a login session): read, and stored
 * at once, because the platform may already have replaced the old one.
 * Never shown.  *value is a new string or NULL.  0, or -1 (the session
 * failed, or was warned).
 */
int sm_session_secret_get(struct sm_session *s, const char *name,
    char **value);
int sm_session_secret_set(struct sm_session *s, const char *name,
    const char *value);

/* Reports a problem and raises the session's status; it goes on. */
void sm_session_warn(struct sm_session *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reports a problem and stops the session: it asks nothing more. */
void sm_session_fail(struct sm_session *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A note shown with -v. */
void sm_session_note(struct sm_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Overwrites a secret string with zeros and frees it. */
void sm_wipe(char *secret);

#endif
