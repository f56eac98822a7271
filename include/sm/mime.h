/* mime.h - one e-mail message (RFC 5322, MIME) to what sm needs of it:
 * header fields, the MIME walk, the text of its body
 *
 * Its parts are in files of their own: charsets in charset.h, the
 * encodings of header fields and bodies in encword.h, quotes and
 * signatures in quote.h.
 */
#ifndef SM_MIME_H
#define SM_MIME_H

#include <stddef.h>

/* "YYYY-MM-DDTHH:MM:SSZ" and its NUL */
#define SM_MIME_DATE_SIZE 21

/*
 * A parsed message.  Every string is UTF-8, owned by the struct and freed
 * by sm_mime_free; a string is NULL when the message does not have it.
 */
struct sm_mail {
	char *message_id;	/* "<id@host>", angle brackets included */
	char *from_addr;	/* "user@host" of the first From: mailbox */
	char *from_name;	/* its display name, decoded (RFC 2047) */
	char *subject;		/* unfolded and decoded */
	char *date;		/* Date: in UTC, RFC 3339; NULL if unreadable */
	char *in_reply_to;	/* the first "<id>" of In-Reply-To: */
	char **references;	/* the "<id>"s of References:, in order */
	size_t nreferences;
	char *language;		/* Content-Language:, as given */
	/*
	 * The body as plain text: the first text/plain part that is not an
	 * attachment, or else the first text/html one converted with
	 * sm_html_to_text; transfer encoding and charset decoded, line ends
	 * "\n", format=flowed joined.  Never NULL ("" with no text part).
	 */
	char *body;
	char *text;		/* body with sm_quote_strip applied */
	int from_html;		/* body came from an HTML part */
	/* the attachments' file names ("" if none); images shown inline in
	 * the HTML (with a Content-ID) are not attachments */
	char **attachments;
	size_t nattachments;
};

/*
 * Parses the len bytes of a message as an IMAP server gives it (CRLF or LF
 * line ends).  Always fills m, however malformed the message: header lines
 * without a colon end the header (the first lines are skipped instead, as
 * an mbox "From " line), a multipart without its closing boundary ends at
 * the end, bad base64 or quoted-printable decodes as far as it can, unknown
 * charsets are read as UTF-8 where valid and as windows-1252 where not.
 * Returns 0, or -1 when there was no header field at all (m is still
 * filled, and must still be freed).
 */
int sm_mime_parse(struct sm_mail *m, const char *msg, size_t len);

void sm_mime_free(struct sm_mail *m);

/*
 * Converts an RFC 5322 Date: to RFC 3339 UTC in out.  Also reads the forms
 * seen in the wild: no day name, no seconds, two-digit years, zone names
 * (GMT, UT, UTC, EST..., CET, CEST), "+01:00", "GMT+0100", a missing zone
 * (UTC), comments, asctime ("Tue Mar 11 10:02:11 2025"), ISO 8601 and
 * IMAP's INTERNALDATE ("11-Mar-2025 10:02:17 +0100").
 * Returns 0, or -1 when s is not a date.
 */
int sm_mime_date(const char *s, char out[SM_MIME_DATE_SIZE]);

#endif
