/* http.c - HTTPS requests over libcurl's multi interface */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "sm/http.h"
#include "sm/time.h"
#include "sm/util.h"

#define MAX_RATE_WAITS 5
#define MAX_BACKOFF_MS (15L * 60 * 1000)

struct req {
	struct req *next;
	CURL *easy;
	struct curl_slist *hdrs;
	struct sm_http_opts *o;
	sm_http_cb *cb;
	void *arg;
	int tries, rate_waits, too_big;
	int once;		/* a post never repeated once it may be in */
	char *refused;		/* why it is not sent, or NULL */
	double due;
	struct sm_buf body;
	char *link, *retry_after, *rl_remaining, *rl_reset;
	char curlerr[CURL_ERROR_SIZE];
};

struct sm_http {
	CURLM *multi;		/* NULL when libcurl could not start */
	char error[128];	/* why it could not */
	uint64_t rng;		/* the jitter of retries */
	struct req *waiting;	/* not started yet, or to be retried */
	struct req *active;	/* in the multi handle */
	int running;
};

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void
sm_http_opts_init(struct sm_http_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->connect_timeout_ms = 10000;
	o->timeout_ms = 60000;
	o->retries = 3;
	o->backoff_ms = 1000;
	o->max_wait_ms = 60000;
	o->max_body = 16 * 1024 * 1024;
}

struct sm_http *
sm_http_new(void)
{
	static int initialized;
	struct sm_http *h = xcalloc(1, sizeof(*h));
	CURLcode c;

	sm_rand_seed(&h->rng);
	if (!initialized) {
		if ((c = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK) {
			snprintf(h->error, sizeof(h->error), "curl: cannot "
			    "initialize: %s", curl_easy_strerror(c));
			return h;
		}
		initialized = 1;
	}
	if ((h->multi = curl_multi_init()) == NULL)
		snprintf(h->error, sizeof(h->error), "curl: cannot "
		    "initialize (curl_multi_init failed)");
	return h;
}

static void
reset_headers(struct req *r)
{
	free(r->link);
	free(r->retry_after);
	free(r->rl_remaining);
	free(r->rl_reset);
	r->link = r->retry_after = r->rl_remaining = r->rl_reset = NULL;
}

static void
req_free(struct req *r)
{
	if (r->easy)
		curl_easy_cleanup(r->easy);
	curl_slist_free_all(r->hdrs);
	sm_buf_free(&r->body);
	reset_headers(r);
	free(r->refused);
	free(r);
}

void
sm_http_free(struct sm_http *h)
{
	struct req *r, *next;

	if (h == NULL)
		return;
	for (r = h->waiting; r; r = next) {
		next = r->next;
		req_free(r);
	}
	for (r = h->active; r; r = next) {
		next = r->next;
		curl_multi_remove_handle(h->multi, r->easy);
		req_free(r);
	}
	curl_multi_cleanup(h->multi);
	free(h);
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct req *r = arg;

	if (r->body.len + n > r->o->max_body) {
		r->too_big = 1;
		return 0;
	}
	sm_buf_add(&r->body, p, n);
	return n;
}

/* Keeps a header's value when the line is "name: value". */
static void
keep(char **dst, const char *name, const char *line, size_t n)
{
	size_t k = strlen(name), e;

	if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return;
	line += k + 1;
	n -= k + 1;
	while (n && (*line == ' ' || *line == '\t')) {
		line++;
		n--;
	}
	for (e = n; e && isspace((unsigned char)line[e - 1]); e--)
		;
	free(*dst);
	*dst = xstrndup(line, e);
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct req *r = arg;

	if (n >= 5 && strncmp(p, "HTTP/", 5) == 0)
		reset_headers(r);
	keep(&r->link, "link", p, n);
	keep(&r->retry_after, "retry-after", p, n);
	keep(&r->rl_remaining, "x-ratelimit-remaining", p, n);
	keep(&r->rl_remaining, "ratelimit-remaining", p, n);
	keep(&r->rl_reset, "x-ratelimit-reset", p, n);
	keep(&r->rl_reset, "ratelimit-reset", p, n);
	/* X spells them with one more hyphen */
	keep(&r->rl_remaining, "x-rate-limit-remaining", p, n);
	keep(&r->rl_reset, "x-rate-limit-reset", p, n);
	return n;
}

int
sm_http_loopback_host(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char buf[INET6_ADDRSTRLEN + 1];
	size_t n = strlen(host);

	if (strcasecmp(host, "localhost") == 0 ||
	    strcasecmp(host, "localhost.") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (n < 2 || n - 2 >= sizeof(buf) || host[0] != '[' ||
	    host[n - 1] != ']')
		return 0;
	memcpy(buf, host + 1, n - 2);
	buf[n - 2] = '\0';
	return inet_pton(AF_INET6, buf, &a6) == 1 &&
	    IN6_IS_ADDR_LOOPBACK(&a6);
}

/* The URL's scheme and host (new strings) as libcurl reads them. */
static int
url_parts(const char *url, char **scheme, char **host)
{
	CURLU *u;
	int ok;

	*scheme = *host = NULL;
	if (url == NULL || (u = curl_url()) == NULL)
		return -1;
	ok = curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, host, 0) == CURLUE_OK;
	curl_url_cleanup(u);
	if (!ok) {
		curl_free(*scheme);
		curl_free(*host);
		*scheme = *host = NULL;
		return -1;
	}
	return 0;
}

int
sm_http_url_secure(const char *url)
{
	char *scheme, *host;
	int secure;

	/* never by looking at the text: in http://127.0.0.1:80@example.org/
	 * the host is example.org */
	if (url_parts(url, &scheme, &host) < 0)
		return 0;
	secure = strcasecmp(scheme, "https") == 0 ||
	    (strcasecmp(scheme, "http") == 0 && sm_http_loopback_host(host));
	curl_free(scheme);
	curl_free(host);
	return secure;
}

static struct req *
queue(struct sm_http *h, struct sm_http_opts *o, const char *url,
    const char *const *headers, sm_http_cb *cb, void *arg)
{
	struct req *r = xcalloc(1, sizeof(*r)), **tail;
	CURL *e;

	r->o = o;
	r->cb = cb;
	r->arg = arg;
	r->due = 0;
	for (; headers && *headers; headers++)
		r->hdrs = curl_slist_append(r->hdrs, *headers);
	r->easy = e = curl_easy_init();
	if (e == NULL) {
		r->refused = xstrdup("curl: cannot start a transfer "
		    "(curl_easy_init failed)");
	} else if (!sm_http_url_secure(url)) {
		char *scheme, *host;
		struct sm_buf b = { 0 };

		if (url_parts(url, &scheme, &host) < 0) {
			sm_buf_adds(&b, "not a URL libcurl can read");
		} else {
			sm_buf_adds(&b, "plain http to ");
			sm_buf_adds(&b, host);
			sm_buf_adds(&b, " would send the token in clear; "
			    "use https");
		}
		r->refused = b.data;
		curl_free(scheme);
		curl_free(host);
	}
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)r);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->ca_file) {
		/* added to the system's CAs, not instead of them */
		curl_easy_setopt(e, CURLOPT_CAINFO, o->ca_file);
		curl_easy_setopt(e, CURLOPT_CAPATH, "/etc/ssl/certs");
	}
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->hdrs);
	/* "sm-route/VERSION": the program that asks (sm_program_set);
	 * libcurl keeps its own copy */
	{
		char agent[128];

		snprintf(agent, sizeof(agent), "%s/%s", sm_program(),
		    SM_VERSION);
		curl_easy_setopt(e, CURLOPT_USERAGENT, agent);
	}
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->curlerr);
	for (tail = &h->waiting; *tail; tail = &(*tail)->next)
		;
	*tail = r;
	return r;
}

void
sm_http_get(struct sm_http *h, struct sm_http_opts *o, const char *url,
    const char *const *headers, sm_http_cb *cb, void *arg)
{
	queue(h, o, url, headers, cb, arg);
}

void
sm_http_post(struct sm_http *h, struct sm_http_opts *o, const char *url,
    const char *const *headers, const char *body, size_t len,
    sm_http_cb *cb, void *arg)
{
	struct req *r = queue(h, o, url, headers, cb, arg);

	curl_easy_setopt(r->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(r->easy, CURLOPT_COPYPOSTFIELDS, body);
}

void
sm_http_post_once(struct sm_http *h, struct sm_http_opts *o, const char *url,
    const char *const *headers, const char *body, size_t len,
    sm_http_cb *cb, void *arg)
{
	struct req *r = queue(h, o, url, headers, cb, arg);

	r->once = 1;
	curl_easy_setopt(r->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(r->easy, CURLOPT_COPYPOSTFIELDS, body);
}

/* The request cannot have reached the server: trying again is safe. */
static int
not_sent(CURLcode c)
{
	return c == CURLE_COULDNT_RESOLVE_HOST || c == CURLE_COULDNT_CONNECT ||
	    c == CURLE_SSL_CONNECT_ERROR;
}

static void
finish(struct req *r, enum sm_http_result result, long status,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
finish(struct req *r, enum sm_http_result result, long status,
    const char *fmt, ...)
{
	struct sm_http_response resp;
	va_list ap;

	memset(&resp, 0, sizeof(resp));
	resp.result = result;
	resp.status = status;
	resp.body = r->body;
	memset(&r->body, 0, sizeof(r->body));
	resp.link = r->link;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(resp.error, sizeof(resp.error), fmt, ap);
		va_end(ap);
	}
	if (resp.body.data == NULL)
		sm_buf_adds(&resp.body, "");
	r->cb(&resp, r->arg);
	sm_buf_free(&resp.body);
}

static double
backoff(struct sm_http *h, const struct req *r, int n)
{
	double d = (double)r->o->backoff_ms;

	while (n-- > 0 && d < MAX_BACKOFF_MS)
		d *= 2;
	if (d > MAX_BACKOFF_MS)
		d = MAX_BACKOFF_MS;
	/* between half the delay and all of it */
	return (d / 2 + d / 2 * sm_rand_unit(&h->rng)) / 1000;
}

static int
all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* Seconds from now until the time in s (a date or a count), or -1.  The
 * real clock, not SM_NOW: this is a wait. */
static double
seconds_until(const char *s, int epoch_ok)
{
	time_t t;
	double v;

	if (s == NULL)
		return -1;
	if (all_digits(s)) {
		v = strtod(s, NULL);
		/* a count of seconds, or a Unix time */
		if (epoch_ok && v > 1e9)
			v -= (double)time(NULL);
		return v < 0 ? 0 : v;
	}
	if (sm_time_parse(s, &t) < 0 && sm_time_parse_http(s, &t) < 0)
		return -1;
	v = difftime(t, time(NULL));
	return v < 0 ? 0 : v;
}

/* Telegram says how long to wait in the body of its 429. */
static double
body_retry_after(const struct sm_buf *b)
{
	json_t *j, *v;
	double d = -1;

	if (b->data == NULL)
		return -1;
	j = json_loadb(b->data, b->len, 0, NULL);
	v = json_object_get(json_object_get(j, "parameters"), "retry_after");
	if (json_is_integer(v))
		d = (double)json_integer_value(v);
	json_decref(j);
	return d;
}

/* Puts r back in the queue to start after delay seconds. */
static void
again(struct sm_http *h, struct req *r, double delay)
{
	r->due = now_mono() + delay;
	sm_buf_reset(&r->body);
	reset_headers(r);
	r->next = h->waiting;
	h->waiting = r;
}

static int
network_error(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

/* A finished transfer: hand it over, or queue it again. */
static void
done(struct sm_http *h, struct req *r, CURLcode c)
{
	long status = 0;
	double wait, max_wait = r->o->max_wait_ms / 1000.0;

	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
	if (r->too_big) {
		finish(r, SM_HTTP_FAILED, status,
		    "response larger than %zu bytes", r->o->max_body);
	} else if (c != CURLE_OK && network_error(c) && r->once &&
	    !not_sent(c)) {
		finish(r, SM_HTTP_UNKNOWN, 0, "%s after the post was sent: it "
		    "may have been made", r->curlerr[0] ? r->curlerr :
		    curl_easy_strerror(c));
	} else if (c != CURLE_OK && network_error(c)) {
		if (r->tries < r->o->retries) {
			again(h, r, backoff(h, r, r->tries++));
			return;
		}
		finish(r, SM_HTTP_LATER, 0, "%s (after %d tr%s)",
		    r->curlerr[0] ? r->curlerr : curl_easy_strerror(c),
		    r->tries + 1, r->tries ? "ies" : "y");
	} else if (c != CURLE_OK) {
		finish(r, SM_HTTP_FAILED, 0, "%s",
		    r->curlerr[0] ? r->curlerr : curl_easy_strerror(c));
	} else if (status == 429) {
		if ((wait = seconds_until(r->retry_after, 0)) < 0 &&
		    (wait = body_retry_after(&r->body)) < 0 &&
		    (wait = seconds_until(r->rl_reset, 1)) < 0)
			wait = backoff(h, r, r->rate_waits);
		if (wait <= max_wait && r->rate_waits < MAX_RATE_WAITS) {
			r->rate_waits++;
			again(h, r, wait);
			return;
		}
		finish(r, SM_HTTP_LATER, status,
		    "rate limited (HTTP 429), asked to wait %.0f s", wait);
	} else if (status >= 500 && r->once) {
		finish(r, SM_HTTP_UNKNOWN, status, "HTTP %ld to a post: it may "
		    "have been made", status);
	} else if (status >= 500) {
		if (r->tries < r->o->retries) {
			again(h, r, backoff(h, r, r->tries++));
			return;
		}
		finish(r, SM_HTTP_LATER, status, "HTTP %ld (after %d tr%s)",
		    status, r->tries + 1, r->tries ? "ies" : "y");
	} else {
		if (r->rl_remaining && strcmp(r->rl_remaining, "0") == 0 &&
		    (wait = seconds_until(r->rl_reset, 1)) > 0)
			r->o->not_before = now_mono() + wait;
		finish(r, SM_HTTP_OK, status, NULL);
	}
	req_free(r);
}

/* Starts the queued requests that are due; the delay to the next one. */
static double
start_due(struct sm_http *h)
{
	struct req **pp = &h->waiting, *r;
	double now = now_mono(), next = -1, due;

	while ((r = *pp) != NULL) {
		due = r->due > r->o->not_before ? r->due : r->o->not_before;
		if (due - now > r->o->max_wait_ms / 1000.0) {
			*pp = r->next;
			finish(r, SM_HTTP_LATER, 0,
			    "rate limit used up for %.0f s", due - now);
			req_free(r);
			continue;
		}
		if (r->refused) {
			*pp = r->next;
			finish(r, SM_HTTP_FAILED, 0, "%s", r->refused);
			req_free(r);
			continue;
		}
		if (due <= now) {
			*pp = r->next;
			r->next = h->active;
			h->active = r;
			curl_multi_add_handle(h->multi, r->easy);
			h->running++;
			continue;
		}
		if (next < 0 || due - now < next)
			next = due - now;
		pp = &r->next;
	}
	return next;
}

int
sm_http_run(struct sm_http *h, struct sm_error *err)
{
	CURLMsg *m;
	CURLMcode mc;
	struct req *r;
	double next;
	int still, left, ms;

	if (h->multi == NULL)
		return sm_error_set(err, NULL, 0, 0, "%s", h->error);
	for (;;) {
		next = start_due(h);
		if (h->running == 0 && h->waiting == NULL)
			return 0;
		mc = curl_multi_perform(h->multi, &still);
		if (mc != CURLM_OK)
			return sm_error_set(err, NULL, 0, 0, "curl: %s",
			    curl_multi_strerror(mc));
		while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
			if (m->msg != CURLMSG_DONE)
				continue;
			CURL *e = m->easy_handle;
			CURLcode c = m->data.result;

			struct req **pp;

			curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&r);
			curl_multi_remove_handle(h->multi, e);
			for (pp = &h->active; *pp != r; pp = &(*pp)->next)
				;
			*pp = r->next;
			h->running--;
			done(h, r, c);
		}
		if (h->running == 0 && h->waiting == NULL)
			return 0;
		next = start_due(h);
		ms = next < 0 || next > 1 ? 1000 : (int)(next * 1000) + 1;
		if (h->running == 0) {
			struct timespec ts = { ms / 1000,
			    (ms % 1000) * 1000000L };

			nanosleep(&ts, NULL);
		} else if ((mc = curl_multi_poll(h->multi, NULL, 0, ms,
		    NULL)) != CURLM_OK)
			return sm_error_set(err, NULL, 0, 0, "curl: %s",
			    curl_multi_strerror(mc));
	}
}

char *
sm_http_link(const char *link, const char *rel)
{
	const char *p = link, *lt, *gt, *end;
	char want[64];

	if (link == NULL)
		return NULL;
	snprintf(want, sizeof(want), "rel=\"%s\"", rel);
	while ((lt = strchr(p, '<')) != NULL && (gt = strchr(lt, '>')) != NULL) {
		end = strchr(gt, ',');
		if (end == NULL)
			end = gt + strlen(gt);
		char *seg = xstrndup(gt, (size_t)(end - gt));
		int hit = strstr(seg, want) != NULL;

		free(seg);
		if (hit)
			return xstrndup(lt + 1, (size_t)(gt - lt - 1));
		p = end;
	}
	return NULL;
}

char *
sm_http_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct sm_buf b = { 0 };

	sm_buf_adds(&b, "");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || strchr("-._~", c))
			sm_buf_addc(&b, (char)c);
		else {
			sm_buf_addc(&b, '%');
			sm_buf_addc(&b, hex[c >> 4]);
			sm_buf_addc(&b, hex[c & 15]);
		}
	}
	return b.data;
}

void
sm_http_add_escaped(struct sm_buf *b, const char *s)
{
	char *e = sm_http_escape(s);

	sm_buf_adds(b, e);
	free(e);
}
