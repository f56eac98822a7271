/* encword.h - mail's 7-bit encodings decoded: base64, quoted-printable,
 * RFC 2047 encoded-words, RFC 2231 parameter values
 *
 * What a message encodes to travel as 7-bit text, back to bytes or to
 * UTF-8: the transfer encodings of a body (RFC 2045), the encoded-words of
 * a header field (RFC 2047) and the extended values of a Content-Type or
 * Content-Disposition parameter (RFC 2231).  Malformed input decodes as
 * far as it can; nothing here fails.
 */
#ifndef SM_ENCWORD_H
#define SM_ENCWORD_H

#include <stddef.h>

#include "sm/util.h"

/*
 * Appends the bytes of the n bytes of quoted-printable at s to out, which
 * is NUL-terminated afterwards even when nothing was added.  "=XX" is a
 * byte, "=" at the end of a line (trailing blanks allowed) a soft line
 * break, any other "=" itself.  With header set, it is an encoded-word's
 * Q encoding: "_" is a space.
 */
void sm_encword_decode_qp(struct sm_buf *out, const char *s, size_t n,
    int header);

/*
 * Appends the bytes of the n bytes of base64 at s to out, which is
 * NUL-terminated afterwards even when nothing was added.  What is not
 * base64 is skipped, the URL-safe alphabet is read too, and padding ends
 * a group (so that blocks joined together decode).
 */
void sm_encword_decode_base64(struct sm_buf *out, const char *s, size_t n);

/*
 * A header field's value for people: unfolded, RFC 2047 encoded-words
 * decoded (adjacent ones joined, even when a character is split between
 * them), 8-bit text read as UTF-8 or else windows-1252, white space
 * collapsed to single spaces and trimmed.  A new string, never NULL.
 */
char *sm_encword_decode_header(const char *s, size_t len);

/*
 * An RFC 2231 extended parameter value ("utf-8'es'%C3%B1", the value of a
 * "filename*=") as UTF-8: its %XX bytes read in its charset.  Without the
 * two quotes, a copy of v.  A new string, never NULL.
 */
char *sm_encword_decode_param(const char *v);

#endif
