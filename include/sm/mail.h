/* mail.h - one e-mail composed (RFC 5322, MIME) and sent over SMTP
 *
 * What sm sends by e-mail: a message routed to a department (deliver.c),
 * a reply to a citizen who wrote by e-mail (sm-reply).  One text/plain
 * UTF-8 part in quoted-printable; header fields that are not ASCII in
 * RFC 2047 encoded-words; CRLF line ends; dot-stuffing is libcurl's.
 * Sent with libcurl over smtps://, or smtp:// with STARTTLS required; plain
 * smtp only to this machine.  Addresses are ASCII (no SMTPUTF8).
 */
#ifndef SM_MAIL_H
#define SM_MAIL_H

#include <time.h>

#include <jansson.h>

#include "sm/config.h"
#include "sm/error.h"
#include "sm/http.h"
#include "sm/util.h"

/* An smtp: mapping of sm.yaml. */
struct sm_mail_server {
	char *url;		/* smtps://host[:port][/ehlo], smtp://... */
	char *from;		/* its from:, as written, or NULL */
	char *user;		/* or NULL */
	char *password;		/* never printed; NULL without a user */
	char *ca_file;		/* resolved, or NULL */
	int loopback;		/* to this machine: STARTTLS only if offered */
	struct sm_http_opts opts;	/* ca_file, timeouts, retries... */
};

/*
 * Reads and checks an smtp: mapping (url, from, user, token_env or
 * token_file, ca_file, timeout, connect_timeout, retries, backoff) and
 * reads its password.  where names it in messages ("route.smtp").  0, or
 * -1 with err at the offending node; s is to be freed either way.
 */
int sm_mail_server_load(const struct sm_config *cfg, const json_t *node,
    const char *where, struct sm_mail_server *s, struct sm_error *err);

/* Frees what s holds, wiping the password. */
void sm_mail_server_free(struct sm_mail_server *s);

/* One message; strings are UTF-8, borrowed. */
struct sm_mail_msg {
	const char *from;	/* "Name <user@host>", or "user@host" */
	const char *const *to;	/* addresses as from, NULL-terminated */
	const char *reply_to;	/* or NULL */
	const char *subject;	/* line ends and controls become spaces */
	const char *message_id;	/* "<id@host>", or NULL: one is made up */
	const char *in_reply_to;	/* "<id@host>", or NULL */
	const char *const *references;	/* NULL-terminated, or NULL */
	time_t date;		/* 0: now */
	const char *auto_submitted;	/* RFC 3834 "auto-generated", or NULL */
	const char *body;	/* text; any line ends */
};

/*
 * Checks an address as written in a header ("Name <user@host>",
 * "\"Name, Dept\" <user@host>" or "user@host") and, when spec is not
 * NULL, gives its user@host in *spec (a new string).  0, or -1 with
 * err's text saying why (no place).
 */
int sm_mail_address(const char *addr, char **spec, struct sm_error *err);

/*
 * Appends the whole message (header and body, CRLF line ends) to out.
 * 0, or -1 with err set when an address or a message id is not one.
 */
int sm_mail_compose(const struct sm_mail_msg *m, struct sm_buf *out,
    struct sm_error *err);

/*
 * Appends s to out as RFC 2047 encoded-words ("=?UTF-8?Q?...?="), each
 * at most 75 characters, separated by CRLF and a space, the first one
 * short enough that its line (what out holds since its last line end)
 * stays within 76; used where s is not plain ASCII.
 */
void sm_mail_encode_words(struct sm_buf *out, const char *s);

/* Appends s (UTF-8 text, any line ends) in quoted-printable, CRLF ends. */
void sm_mail_encode_qp(struct sm_buf *out, const char *s);

/*
 * Sends the composed message text (len bytes) from the envelope sender
 * from to the addresses to (as written in headers), retrying network
 * failures and 4xx answers as s->opts says.  0, or -1 with err set and
 * *code a sysexits value: EX_TEMPFAIL (unreachable, timed out, 4xx: try
 * later), EX_NOPERM (login refused), EX_UNAVAILABLE (5xx, TLS, anything
 * else).  The password never shows in err.
 */
int sm_mail_send(const struct sm_mail_server *s, const char *from,
    const char *const *to, const char *text, size_t len, int *code,
    struct sm_error *err);

#endif
