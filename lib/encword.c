/* encword.c - mail's 7-bit encodings decoded: base64, quoted-printable,
 * RFC 2047 encoded-words, RFC 2231 parameter values */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sm/charset.h"
#include "sm/encword.h"
#include "sm/util.h"

static int
is_wsp(int ch)
{
	return ch == ' ' || ch == '\t';
}

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = sm_ascii_lower(ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* --- transfer encodings (RFC 2045) --- */

void
sm_encword_decode_qp(struct sm_buf *out, const char *s, size_t n, int header)
{
	size_t i = 0;
	int hi, lo;

	sm_buf_reserve(out, n);
	while (i < n) {
		char ch = s[i];

		if (ch == '=') {
			if (i + 2 < n && (hi = hexval((unsigned char)s[i +
			    1])) >= 0 && (lo = hexval((unsigned char)s[i +
			    2])) >= 0) {
				sm_buf_addc(out, (char)(hi << 4 | lo));
				i += 3;
				continue;
			}
			/* a soft line break, maybe after trailing blanks */
			{
				size_t j = i + 1;

				while (j < n && is_wsp((unsigned char)s[j]))
					j++;
				if (j < n && s[j] == '\r')
					j++;
				if (j < n && s[j] == '\n') {
					i = j + 1;
					continue;
				}
				if (j == n) {
					i = n;
					continue;
				}
			}
			sm_buf_addc(out, '=');	/* not an escape: keep it */
			i++;
		} else if (header && ch == '_') {
			sm_buf_addc(out, ' ');
			i++;
		} else {
			sm_buf_addc(out, ch);
			i++;
		}
	}
	sm_buf_add(out, "", 0);	/* terminated even when empty */
}

static int
b64val(int ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+' || ch == '-')
		return 62;
	if (ch == '/' || ch == '_')
		return 63;
	return -1;
}

/* Skips what is not base64; padding ends a group (blocks may be joined). */
void
sm_encword_decode_base64(struct sm_buf *out, const char *s, size_t n)
{
	uint32_t acc = 0;
	int bits = 0, v;
	size_t i;

	sm_buf_reserve(out, n / 4 * 3 + 3);
	for (i = 0; i < n; i++) {
		if (s[i] == '=') {
			acc = 0;
			bits = 0;
			continue;
		}
		if ((v = b64val((unsigned char)s[i])) < 0)
			continue;
		acc = (acc << 6 | (uint32_t)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			sm_buf_addc(out, (char)(acc >> bits & 0xff));
		}
	}
	sm_buf_add(out, "", 0);	/* terminated even when empty */
}

/* --- RFC 2047 encoded-words --- */

/*
 * An encoded-word at s: =?charset?enc?text?=.  Fills its parts and returns
 * its length, or 0.
 */
static size_t
encoded_word(const char *s, size_t n, size_t *cslen, char *enc,
    const char **text, size_t *tlen)
{
	size_t i = 2, k;

	if (n < 8 || s[0] != '=' || s[1] != '?')
		return 0;
	while (i < n && s[i] != '?' && !sm_ascii_space((unsigned char)s[i]))
		i++;
	if (i >= n || s[i] != '?' || i == 2 || i + 3 >= n)
		return 0;
	*cslen = i - 2;
	*enc = (char)sm_ascii_lower((unsigned char)s[i + 1]);
	if ((*enc != 'q' && *enc != 'b') || s[i + 2] != '?')
		return 0;
	k = i + 3;
	*text = s + k;
	while (k < n && s[k] != '?' && !sm_ascii_space((unsigned char)s[k]))
		k++;
	if (k + 1 >= n || s[k] != '?' || s[k + 1] != '=')
		return 0;
	*tlen = (size_t)(s + k - *text);
	return k + 2;
}

static void
flush_word(struct sm_buf *out, struct sm_buf *raw, char *charset)
{
	if (raw->len > 0)
		sm_charset_to_utf8(out, charset, raw->data, raw->len);
	sm_buf_reset(raw);
}

char *
sm_encword_decode_header(const char *s, size_t len)
{
	struct sm_buf out = { 0 }, raw = { 0 }, clean = { 0 };
	char charset[64] = "", cs[64];
	size_t i = 0, k, cslen, tlen, j;
	const char *text;
	char enc;
	int space = 0, after_word = 0;

	while (i < len) {
		if (sm_ascii_space((unsigned char)s[i])) {
			space = 1;
			i++;
			continue;
		}
		k = encoded_word(s + i, len - i, &cslen, &enc, &text, &tlen);
		if (k > 0) {
			if (cslen >= sizeof(cs))
				cslen = sizeof(cs) - 1;
			memcpy(cs, s + i + 2, cslen);
			cs[cslen] = '\0';
			if (strchr(cs, '*'))	/* RFC 2231 language */
				*strchr(cs, '*') = '\0';
			if (!after_word || !sm_ascii_caseeq(cs, charset)) {
				flush_word(&out, &raw, charset);
				if (space && !after_word)
					sm_buf_addc(&out, ' ');
				strcpy(charset, cs);
			}
			if (enc == 'b')
				sm_encword_decode_base64(&raw, text, tlen);
			else
				sm_encword_decode_qp(&raw, text, tlen, 1);
			after_word = 1;
			space = 0;
			i += k;
			continue;
		}
		flush_word(&out, &raw, charset);
		if (space)
			sm_buf_addc(&out, ' ');
		space = after_word = 0;
		for (j = i; j < len && !sm_ascii_space((unsigned char)s[j]);
		    j++)
			if (j > i && s[j] == '=' && j + 1 < len && s[j + 1] ==
			    '?')
				break;
		sm_charset_to_utf8(&out, NULL, s + i, j - i);
		i = j;
	}
	flush_word(&out, &raw, charset);
	/* controls (an encoded "\n") and runs of spaces become one space */
	space = 0;
	for (i = 0; i < out.len; i++) {
		unsigned char ch = (unsigned char)out.data[i];

		if (ch < 0x20 || ch == 0x7f || ch == ' ') {
			space = 1;
			continue;
		}
		if (space && clean.len > 0)
			sm_buf_addc(&clean, ' ');
		space = 0;
		sm_buf_addc(&clean, (char)ch);
	}
	if (clean.data == NULL)
		sm_buf_add(&clean, "", 0);
	sm_buf_free(&out);
	sm_buf_free(&raw);
	return clean.data;
}

/* --- RFC 2231 parameter values --- */

char *
sm_encword_decode_param(const char *v)
{
	struct sm_buf raw = { 0 }, out = { 0 };
	const char *q1 = strchr(v, '\''), *q2 = q1 ? strchr(q1 + 1, '\'') :
	    NULL, *p;
	char *charset;
	int hi, lo;

	if (q2 == NULL)
		return xstrdup(v);
	charset = xstrndup(v, (size_t)(q1 - v));
	for (p = q2 + 1; *p; p++) {
		if (*p == '%' && (hi = hexval((unsigned char)p[1])) >= 0 &&
		    (lo = hexval((unsigned char)p[2])) >= 0) {
			sm_buf_addc(&raw, (char)(hi << 4 | lo));
			p += 2;
		} else
			sm_buf_addc(&raw, *p);
	}
	sm_charset_to_utf8(&out, charset, raw.data ? raw.data : "", raw.len);
	free(charset);
	sm_buf_free(&raw);
	return out.data;
}
