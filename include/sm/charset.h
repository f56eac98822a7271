/* charset.h - bytes in a named charset to UTF-8 (iconv, windows-1252) */
#ifndef SM_CHARSET_H
#define SM_CHARSET_H

#include <stddef.h>

#include "sm/util.h"

/*
 * Appends len bytes in charset to out as UTF-8; out is NUL-terminated
 * afterwards, even when nothing was added.  iso-8859-1 and us-ascii are
 * read as windows-1252 (as browsers do); a NULL, empty or unknown charset
 * as UTF-8 if the bytes are valid UTF-8 and as windows-1252 if not; bytes
 * labelled UTF-8 with no valid multi-byte sequence at all as windows-1252
 * (mislabelled latin-1).  Other charsets go through iconv(3).  Where the
 * charset was guessed, or went through iconv, a C1 control (U+0080 to
 * U+009F) is read as the windows-1252 character of its byte (U+0080, the
 * euro sign): such text is windows-1252 that was taken for something
 * else.  Bytes that cannot be converted and NUL become U+FFFD.  Never
 * fails.
 */
void sm_charset_to_utf8(struct sm_buf *out, const char *charset,
    const char *s, size_t len);

#endif
