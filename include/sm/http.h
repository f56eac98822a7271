/* http.h - HTTPS requests over libcurl's multi interface
 *
 * Requests of several accounts run at once.  TLS is always verified.  5xx
 * answers and network errors are retried with exponential backoff and
 * jitter; a 429 or an exhausted rate limit (Retry-After, X-RateLimit-*,
 * RateLimit-*, X's x-rate-limit-*, Telegram's parameters.retry_after)
 * waits when the wait is
 * short enough, and otherwise is given up as SM_HTTP_LATER.
 */
#ifndef SM_HTTP_H
#define SM_HTTP_H

#include <stddef.h>

#include "sm/error.h"
#include "sm/util.h"

/* Per account; the layer keeps the account's rate-limit state here too. */
struct sm_http_opts {
	const char *ca_file;	/* a CA added to the system's, or NULL */
	long connect_timeout_ms;
	long timeout_ms;	/* the whole transfer */
	int retries;		/* after 5xx and network errors */
	long backoff_ms;	/* the first retry's delay, doubled each time */
	long max_wait_ms;	/* longest wait the rate limit may ask for */
	size_t max_body;	/* larger responses are an error */
	double not_before;	/* (internal) rate limit: no request before */
};

/* Defaults: 10 s, 60 s, 3 retries, 1 s, 60 s, 16 MiB. */
void sm_http_opts_init(struct sm_http_opts *o);

enum sm_http_result {
	SM_HTTP_OK,		/* a response came; status says which */
	SM_HTTP_LATER,		/* rate limited, down, unreachable: try later */
	SM_HTTP_FAILED,		/* no point in trying again (TLS, too large) */
	SM_HTTP_UNKNOWN		/* a post sent once (sm_http_post_once) got
				 * no clear answer: it may have been made */
};

struct sm_http_response {
	enum sm_http_result result;
	long status;		/* the HTTP status, 0 when none came */
	struct sm_buf body;	/* the body; the callback may take .data */
	char *link;		/* the Link header, or NULL */
	char error[256];	/* what went wrong, without secrets */
};

/* Called once per request, when it is finished or given up. */
typedef void sm_http_cb(struct sm_http_response *resp, void *arg);

struct sm_http;

/*
 * Never fails: when libcurl cannot be initialized, sm_http_run says so
 * (-1 with err set).  Each has its own random generator for the jitter.
 */
struct sm_http *sm_http_new(void);
void sm_http_free(struct sm_http *h);

/*
 * Queues a GET of url.  headers is a NULL-terminated list of "Name: value"
 * lines (Authorization among them), or NULL.  o must outlive the request.
 * Responses of any status come back as SM_HTTP_OK but 429 and 5xx, which
 * are retried first.
 */
void sm_http_get(struct sm_http *h, struct sm_http_opts *o, const char *url,
    const char *const *headers, sm_http_cb *cb, void *arg);

/*
 * Queues a POST of body (len bytes, copied) to url, otherwise as
 * sm_http_get; a retried POST sends the same body again.
 */
void sm_http_post(struct sm_http *h, struct sm_http_opts *o, const char *url,
    const char *const *headers, const char *body, size_t len,
    sm_http_cb *cb, void *arg);

/*
 * Whether a request to url may carry a secret: 1 when it is https, or
 * plain http to this machine (the host, as libcurl parses the URL, is
 * 127.0.0.0/8, ::1 or localhost); 0 otherwise and when url does not parse.
 * A request that may not is refused by sm_http_get and sm_http_post: it
 * comes back SM_HTTP_FAILED without having been sent.
 */
int sm_http_url_secure(const char *url);

/* 1 when host (as libcurl reads it from a URL) is this machine:
 * localhost, 127.0.0.0/8 or [::1]. */
int sm_http_loopback_host(const char *host);

/*
 * The same for a post that must not be made twice (a reply on a platform
 * without an idempotency key): retried only when it cannot have reached
 * the server (no connection, or 429); a timeout or a lost connection
 * after sending, or a 5xx answer, comes back SM_HTTP_UNKNOWN.
 */
void sm_http_post_once(struct sm_http *h, struct sm_http_opts *o,
    const char *url, const char *const *headers, const char *body,
    size_t len, sm_http_cb *cb, void *arg);

/* Runs the requests until none is left; callbacks may queue more. */
int sm_http_run(struct sm_http *h, struct sm_error *err);

/*
 * The URL of the Link header's entry with rel="rel" (new string), or
 * NULL.
 */
char *sm_http_link(const char *link, const char *rel);

/* Percent-encodes s for a query string; a new string. */
char *sm_http_escape(const char *s);

/* Appends s percent-escaped, as sm_http_escape gives it. */
void sm_http_add_escaped(struct sm_buf *b, const char *s);

#endif
