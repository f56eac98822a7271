/* mail.c - one e-mail composed (RFC 5322, MIME) and sent over SMTP */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "sm/account.h"
#include "sm/mail.h"
#include "sm/util.h"

static const char *const server_keys[] = {
	"url", "from", "user", "token_env", "token_file", "ca_file",
	"timeout", "connect_timeout", "retries", "backoff", NULL
};

int
sm_mail_server_load(const struct sm_config *cfg, const json_t *node,
    const char *where, struct sm_mail_server *s, struct sm_error *err)
{
	static const char *const schemes[] = { "smtps", "smtp", NULL };
	const char *url, *from, *user, *ca;
	char w[300];
	struct sm_url_rule rule = { NULL, w, schemes, NULL, NULL, 0 };

	memset(s, 0, sizeof(*s));
	sm_http_opts_init(&s->opts);
	s->opts.timeout_ms = 120000;
	if (sm_config_check_keys(cfg, node, where, server_keys, err) < 0 ||
	    sm_config_get_string(cfg, node, "url", where, &url, err) < 0 ||
	    sm_config_get_string(cfg, node, "from", where, &from, err) < 0 ||
	    sm_config_get_string(cfg, node, "user", where, &user, err) < 0 ||
	    sm_config_get_string(cfg, node, "ca_file", where, &ca, err) < 0 ||
	    sm_account_http_opts(cfg, node, where, &s->opts, err) < 0)
		return -1;
	if (url == NULL)
		return sm_config_error(cfg, node, err, "%s: no url:", where);
	snprintf(w, sizeof(w), "%s.url", where);
	rule.node = json_object_get(node, "url");
	if (sm_account_check_url(cfg, &rule, url, &s->loopback, err) < 0)
		return -1;
	s->url = xstrdup(url);
	if (from) {
		if (sm_mail_address(from, NULL, err) < 0)
			return sm_config_error(cfg, json_object_get(node,
			    "from"), err, "%s.from: %s", where, err->text);
		s->from = xstrdup(from);
	}
	if (ca)
		s->opts.ca_file = s->ca_file = sm_config_relpath(cfg,
		    json_object_get(node, "ca_file"));
	if (user) {
		s->user = xstrdup(user);
		if ((s->password = sm_account_secret(cfg, node, where,
		    err)) == NULL)
			return -1;
	} else if (json_object_get(node, "token_env") ||
	    json_object_get(node, "token_file"))
		return sm_config_error(cfg, node, err, "%s: a password needs "
		    "a user:", where);
	return 0;
}

void
sm_mail_server_free(struct sm_mail_server *s)
{
	free(s->url);
	free(s->from);
	free(s->user);
	free(s->ca_file);
	sm_wipe(s->password);
	memset(s, 0, sizeof(*s));
}

/* Addresses */

static int
ascii_only(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/* A user@host with nothing that would need quoting or could end a header. */
static int
addr_spec_ok(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	size_t i;

	if (at == NULL || at == s || at == s + n - 1 ||
	    memchr(at + 1, '@', (size_t)(s + n - at - 1)))
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c >= 0x7f || strchr("<>()[]\\,;:\"", c))
			return 0;
	}
	return 1;
}

/* Splits an address into its display name (may be empty) and addr-spec. */
static int
split_address(const char *addr, struct sm_buf *name, struct sm_buf *spec,
    struct sm_error *err)
{
	const char *s = addr, *e = addr + strlen(addr), *lt;

	while (*s == ' ' || *s == '\t')
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	sm_buf_adds(name, "");
	sm_buf_adds(spec, "");
	if (e > s && e[-1] == '>') {
		for (lt = e - 1; lt > s && *lt != '<'; lt--)
			;
		if (*lt != '<')
			return sm_error_set(err, NULL, 0, 0, "'%s' is not an "
			    "address", addr);
		sm_buf_add(spec, lt + 1, (size_t)(e - lt - 2));
		e = lt;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e - s >= 2 && *s == '"' && e[-1] == '"') {
			for (s++, e--; s < e; s++) {
				if (*s == '\\' && s + 1 < e)
					s++;
				sm_buf_addc(name, *s);
			}
		} else
			sm_buf_add(name, s, (size_t)(e - s));
	} else
		sm_buf_add(spec, s, (size_t)(e - s));
	if (!addr_spec_ok(spec->data, spec->len))
		return sm_error_set(err, NULL, 0, 0, "'%s' is not an address "
		    "(user@host, or Name <user@host>)", addr);
	for (s = name->data; *s; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			return sm_error_set(err, NULL, 0, 0, "'%s': a control "
			    "character in the name", addr);
	return 0;
}

int
sm_mail_address(const char *addr, char **spec, struct sm_error *err)
{
	struct sm_buf name = { 0 }, b = { 0 };
	int rc = split_address(addr, &name, &b, err);

	sm_buf_free(&name);
	if (rc == 0 && spec)
		*spec = b.data;
	else
		sm_buf_free(&b);
	return rc;
}

/* Header encoding */

/* Characters an encoded-word in a phrase may show as they are. */
static int
q_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("!*+-/", c);
}

void
sm_mail_encode_words(struct sm_buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s), i = 0, len, k, pl, used, col = 0, max;
	char piece[16];

	/* a line of 76 characters at most, the field's name included */
	while (col < out->len && out->data[out->len - col - 1] != '\n')
		col++;
	while (i < n) {
		max = col + 75 > 76 && col < 40 ? 76 - col : 75;
		col = 1;
		sm_buf_adds(out, "=?UTF-8?Q?");
		used = 12;	/* "=?UTF-8?Q?" and "?=" */
		while (i < n) {
			/* a character is never split between two words */
			if ((len = sm_utf8_len(s + i, n - i)) == 0)
				len = 1;
			for (k = pl = 0; k < len; k++) {
				unsigned char c = (unsigned char)s[i + k];

				if (c == ' ')
					piece[pl++] = '_';
				else if (q_plain(c))
					piece[pl++] = (char)c;
				else {
					piece[pl++] = '=';
					piece[pl++] = hex[c >> 4];
					piece[pl++] = hex[c & 15];
				}
			}
			if (used + pl > max && used > 12)
				break;
			sm_buf_add(out, piece, pl);
			used += pl;
			i += len;
		}
		sm_buf_adds(out, "?=");
		if (i < n)
			sm_buf_adds(out, "\r\n ");
	}
}

/* s with every control character (a line end above all) a space. */
static char *
one_line(const char *s)
{
	char *t = xstrdup(s ? s : ""), *p;

	for (p = t; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			*p = ' ';
	return t;
}

/* An unstructured field (Subject): plain when it can be, folded at spaces. */
static void
add_unstructured(struct sm_buf *out, const char *name, const char *value)
{
	char *v = one_line(value), *p, *sp;
	size_t col;

	sm_buf_adds(out, name);
	sm_buf_adds(out, ": ");
	if (!ascii_only(v) || strstr(v, "=?") || strlen(v) > 900) {
		sm_mail_encode_words(out, v);
		sm_buf_adds(out, "\r\n");
		free(v);
		return;
	}
	col = strlen(name) + 2;
	for (p = v; *p; p = sp) {
		size_t wl;

		sp = p + 1 + strcspn(p + 1, " ");
		wl = (size_t)(sp - p);
		if (col + wl > 78 && p != v && *p == ' ') {
			sm_buf_adds(out, "\r\n");
			col = 0;
		}
		sm_buf_add(out, p, wl);
		col += wl;
	}
	sm_buf_adds(out, "\r\n");
	free(v);
}

/* A display name: as it is, quoted, or encoded. */
static void
add_phrase(struct sm_buf *out, const char *name)
{
	const char *p;

	for (p = name; *p; p++)
		if (!q_plain((unsigned char)*p) && *p != ' ' &&
		    !strchr("#$%&'=?^_`{|}~", *p))
			break;
	if (*p == '\0') {
		sm_buf_adds(out, name);
		return;
	}
	if (!ascii_only(name)) {
		sm_mail_encode_words(out, name);
		return;
	}
	sm_buf_addc(out, '"');
	for (p = name; *p; p++) {
		if (*p == '"' || *p == '\\')
			sm_buf_addc(out, '\\');
		sm_buf_addc(out, *p);
	}
	sm_buf_addc(out, '"');
}

/* An address list field: each address on a line of its own past the first. */
static int
add_addresses(struct sm_buf *out, const char *field,
    const char *const *addrs, struct sm_error *err)
{
	struct sm_buf name = { 0 }, spec = { 0 };
	size_t i;
	int rc = 0;

	sm_buf_adds(out, field);
	sm_buf_adds(out, ": ");
	for (i = 0; addrs[i]; i++) {
		sm_buf_reset(&name);
		sm_buf_reset(&spec);
		if ((rc = split_address(addrs[i], &name, &spec, err)) < 0)
			break;
		if (i)
			sm_buf_adds(out, ",\r\n ");
		if (name.len) {
			add_phrase(out, name.data);
			sm_buf_addc(out, ' ');
		}
		sm_buf_addc(out, '<');
		sm_buf_add(out, spec.data, spec.len);
		sm_buf_addc(out, '>');
	}
	sm_buf_adds(out, "\r\n");
	sm_buf_free(&name);
	sm_buf_free(&spec);
	return rc;
}

static int
msg_id_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 2 && s[0] == '<' && s[n - 1] == '>' &&
	    addr_spec_ok(s + 1, n - 2);
}

static int
add_ids(struct sm_buf *out, const char *field, const char *const *ids,
    struct sm_error *err)
{
	size_t i;

	for (i = 0; ids[i]; i++)
		if (!msg_id_ok(ids[i]))
			return sm_error_set(err, NULL, 0, 0, "%s: '%s' is not "
			    "a message id (<id@host>)", field, ids[i]);
	sm_buf_adds(out, field);
	sm_buf_adds(out, ":");
	for (i = 0; ids[i]; i++) {
		sm_buf_adds(out, i ? "\r\n " : " ");
		sm_buf_adds(out, ids[i]);
	}
	sm_buf_adds(out, "\r\n");
	return 0;
}

static void
add_date(struct sm_buf *out, time_t t)
{
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm tm;
	char buf[64];

	gmtime_r(&t, &tm);
	snprintf(buf, sizeof(buf), "Date: %.3s, %d %.3s %d %02d:%02d:%02d "
	    "+0000\r\n", days + tm.tm_wday * 3, tm.tm_mday,
	    months + tm.tm_mon * 3, tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
	sm_buf_adds(out, buf);
}

void
sm_mail_encode_qp(struct sm_buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0;
	const char *p;

	for (p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		char tok[4];
		size_t tl;
		int end = p[1] == '\0' || p[1] == '\n' ||
		    (p[1] == '\r' && p[2] == '\n');

		if (c == '\r' && p[1] == '\n')
			continue;
		if (c == '\n' || c == '\r') {
			sm_buf_adds(out, "\r\n");
			col = 0;
			continue;
		}
		if ((c >= 33 && c <= 126 && c != '=') ||
		    ((c == ' ' || c == '\t') && !end)) {
			tok[0] = (char)c;
			tl = 1;
		} else {
			tok[0] = '=';
			tok[1] = hex[c >> 4];
			tok[2] = hex[c & 15];
			tl = 3;
		}
		/* 76 characters a line, the soft break's "=" included */
		if (col + tl > (end ? 76 : 75)) {
			sm_buf_adds(out, "=\r\n");
			col = 0;
		}
		sm_buf_add(out, tok, tl);
		col += tl;
	}
	if (col)
		sm_buf_adds(out, "\r\n");
}

int
sm_mail_compose(const struct sm_mail_msg *m, struct sm_buf *out,
    struct sm_error *err)
{
	const char *one[2] = { NULL, NULL };
	char *spec = NULL, idbuf[300];

	add_date(out, m->date ? m->date : time(NULL));
	one[0] = m->from;
	if (add_addresses(out, "From", one, err) < 0)
		return -1;
	if (m->to == NULL || m->to[0] == NULL)
		return sm_error_set(err, NULL, 0, 0, "no To: address");
	if (add_addresses(out, "To", m->to, err) < 0)
		return -1;
	one[0] = m->reply_to;
	if (m->reply_to && add_addresses(out, "Reply-To", one, err) < 0)
		return -1;
	add_unstructured(out, "Subject", m->subject);
	one[0] = m->message_id;
	if (m->message_id == NULL) {
		if (sm_mail_address(m->from, &spec, err) < 0)
			return -1;
		uint64_t rng;

		sm_rand_seed(&rng);
		snprintf(idbuf, sizeof(idbuf), "<%lld.%ld.%x@%s>",
		    (long long)time(NULL), (long)getpid(),
		    (unsigned)(sm_rand_unit(&rng) * 4294967295.0),
		    strchr(spec, '@') + 1);
		free(spec);
		one[0] = idbuf;
	}
	if (add_ids(out, "Message-ID", one, err) < 0)
		return -1;
	one[0] = m->in_reply_to;
	if (m->in_reply_to && add_ids(out, "In-Reply-To", one, err) < 0)
		return -1;
	if (m->references && m->references[0] &&
	    add_ids(out, "References", m->references, err) < 0)
		return -1;
	if (m->auto_submitted)
		add_unstructured(out, "Auto-Submitted", m->auto_submitted);
	sm_buf_adds(out, "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	sm_mail_encode_qp(out, m->body ? m->body : "");
	return 0;
}

/* Sending */

struct upload {
	const char *p;
	size_t left;
};

static size_t
on_read(char *buf, size_t size, size_t n, void *arg)
{
	struct upload *u = arg;
	size_t k = size * n < u->left ? size * n : u->left;

	memcpy(buf, u->p, k);
	u->p += k;
	u->left -= k;
	return k;
}

/* What a failed attempt means: EX_TEMPFAIL is worth another try. */
static int
classify(CURLcode c, long reply)
{
	if (reply >= 500)
		return EX_UNAVAILABLE;
	if (reply >= 400)
		return EX_TEMPFAIL;
	switch (c) {
	case CURLE_LOGIN_DENIED:
		return EX_NOPERM;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		return EX_TEMPFAIL;
	default:
		return EX_UNAVAILABLE;
	}
}

static int
attempt(const struct sm_mail_server *s, const char *from,
    struct curl_slist *rcpt, const char *text, size_t len, int *code,
    struct sm_error *err)
{
	struct upload u = { text, len };
	char errbuf[CURL_ERROR_SIZE] = "";
	CURLcode c;
	long reply = 0;
	CURL *e = curl_easy_init();

	if (e == NULL)
		return sm_error_set(err, NULL, 0, 0, "curl_easy_init failed");
	curl_easy_setopt(e, CURLOPT_URL, s->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_USE_SSL, s->loopback ?
	    (long)CURLUSESSL_TRY : (long)CURLUSESSL_ALL);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (s->ca_file) {
		curl_easy_setopt(e, CURLOPT_CAINFO, s->ca_file);
		curl_easy_setopt(e, CURLOPT_CAPATH, "/etc/ssl/certs");
	}
	if (s->user) {
		curl_easy_setopt(e, CURLOPT_USERNAME, s->user);
		curl_easy_setopt(e, CURLOPT_PASSWORD, s->password);
	}
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    s->opts.connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, s->opts.timeout_ms);
	curl_easy_setopt(e, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(e, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(e, CURLOPT_READDATA, &u);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	c = curl_easy_perform(e);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &reply);
	curl_easy_cleanup(e);
	if (c == CURLE_OK)
		return 0;
	*code = classify(c, reply);
	if (reply >= 400)
		return sm_error_set(err, NULL, 0, 0, "SMTP %ld: %s", reply,
		    errbuf[0] ? errbuf : curl_easy_strerror(c));
	return sm_error_set(err, NULL, 0, 0, "%s",
	    errbuf[0] ? errbuf : curl_easy_strerror(c));
}

int
sm_mail_send(const struct sm_mail_server *s, const char *from,
    const char *const *to, const char *text, size_t len, int *code,
    struct sm_error *err)
{
	struct curl_slist *rcpt = NULL;
	struct sm_buf b = { 0 };
	char *spec;
	double delay = s->opts.backoff_ms / 1000.0;
	uint64_t rng;
	int rc, tries = 0;

	*code = 0;
	sm_rand_seed(&rng);
	if (sm_mail_address(from, &spec, err) < 0) {
		*code = EX_DATAERR;
		return -1;
	}
	sm_buf_addc(&b, '<');
	sm_buf_adds(&b, spec);
	sm_buf_addc(&b, '>');
	free(spec);
	for (; to && *to; to++) {
		if (sm_mail_address(*to, &spec, err) < 0) {
			curl_slist_free_all(rcpt);
			sm_buf_free(&b);
			*code = EX_DATAERR;
			return -1;
		}
		rcpt = curl_slist_append(rcpt, spec);
		free(spec);
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	while ((rc = attempt(s, b.data, rcpt, text, len, code, err)) < 0 &&
	    *code == EX_TEMPFAIL && tries++ < s->opts.retries) {
		/* between half the delay and all of it, doubled each time */
		struct timespec ts;
		double d = delay / 2 + delay / 2 * sm_rand_unit(&rng);

		ts.tv_sec = (time_t)d;
		ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
		delay *= 2;
	}
	if (rc == 0)
		*code = 0;
	if (rc < 0 && tries > 1 && *code == EX_TEMPFAIL) {
		char t[sizeof(err->text)];

		memcpy(t, err->text, sizeof(t));
		sm_error_set(err, NULL, 0, 0, "%.900s (after %d tr%s)", t,
		    tries, tries == 1 ? "y" : "ies");
	}
	curl_slist_free_all(rcpt);
	sm_buf_free(&b);
	return rc;
}
