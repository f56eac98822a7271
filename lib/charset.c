/* charset.c - bytes in a named charset to UTF-8 (iconv, windows-1252) */
#include <errno.h>
#include <iconv.h>
#include <string.h>

#include "sm/charset.h"
#include "sm/util.h"

#define REPLACEMENT "\xef\xbf\xbd"

/* counts valid multi-byte characters and invalid bytes */
static void
utf8_stats(const char *s, size_t n, size_t *multi, size_t *bad)
{
	size_t i = 0, k;

	*multi = *bad = 0;
	while (i < n) {
		k = sm_utf8_len(s + i, n - i);
		if (k == 0) {
			(*bad)++;
			i++;
		} else {
			if (k > 1)
				(*multi)++;
			i += k;
		}
	}
}

static void
copy_utf8(struct sm_buf *out, const char *s, size_t n)
{
	sm_buf_add_utf8(out, s, n);
	sm_buf_add(out, "", 0);	/* terminated even when empty */
}

/* without iconv: it is the fallback when iconv does not know a charset */
static void
copy_cp1252(struct sm_buf *out, const char *s, size_t n)
{
	size_t i;

	sm_buf_reserve(out, n);
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == 0)
			sm_buf_adds(out, REPLACEMENT);
		else if (ch < 0x80)
			sm_buf_addc(out, (char)ch);
		else
			sm_buf_add_cp(out, sm_cp1252(ch));
	}
	sm_buf_add(out, "", 0);	/* terminated even when empty */
}

/*
 * The C1 controls (U+0080 to U+009F) in the UTF-8 that out holds from
 * byte from on read as windows-1252 (U+0080 is the euro sign): they are
 * windows-1252 bytes that went through a charset without those
 * characters, never meant as controls.
 */
static void
c1_as_cp1252(struct sm_buf *out, size_t from)
{
	struct sm_buf b = { 0 };
	size_t i;
	unsigned char c;

	for (i = from; i + 1 < out->len; i++)
		if ((unsigned char)out->data[i] == 0xc2 &&
		    (unsigned char)out->data[i + 1] >= 0x80 &&
		    (unsigned char)out->data[i + 1] <= 0x9f)
			break;
	if (i + 1 >= out->len)
		return;
	sm_buf_add(&b, out->data + from, i - from);
	for (; i < out->len; i++) {
		c = (unsigned char)out->data[i];
		if (c == 0xc2 && i + 1 < out->len &&
		    (unsigned char)out->data[i + 1] >= 0x80 &&
		    (unsigned char)out->data[i + 1] <= 0x9f) {
			sm_buf_add_cp(&b, sm_cp1252((unsigned char)
			    out->data[++i]));
			continue;
		}
		sm_buf_addc(&b, (char)c);
	}
	out->len = from;
	sm_buf_add(out, b.data, b.len);
	sm_buf_add(out, "", 0);
	sm_buf_free(&b);
}

static void
copy_guess(struct sm_buf *out, const char *s, size_t n)
{
	size_t multi, bad, from = out->len;

	utf8_stats(s, n, &multi, &bad);
	if (bad == 0) {
		copy_utf8(out, s, n);
		c1_as_cp1252(out, from);
	} else
		copy_cp1252(out, s, n);
}

static int
convert(struct sm_buf *out, const char *charset, const char *s, size_t n)
{
	iconv_t cd = iconv_open("UTF-8", charset);
	struct sm_buf tmp = { 0 };
	char *in = (char *)s, *o;
	size_t inleft = n, oleft, r, want;

	if (cd == (iconv_t)-1)
		return -1;
	while (inleft > 0) {
		want = inleft < 65536 ? inleft : 65536;
		sm_buf_reserve(&tmp, want * 4 + 16);
		o = tmp.data + tmp.len;
		oleft = tmp.cap - tmp.len - 1;
		r = iconv(cd, &in, &inleft, &o, &oleft);
		tmp.len = (size_t)(o - tmp.data);
		if (r != (size_t)-1 || errno == E2BIG)
			continue;
		sm_buf_adds(&tmp, REPLACEMENT);
		if (errno != EILSEQ)
			break;	/* EINVAL: cut off at the end */
		in++;
		inleft--;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	sm_buf_reserve(&tmp, 16);
	o = tmp.data + tmp.len;
	oleft = tmp.cap - tmp.len - 1;
	iconv(cd, NULL, NULL, &o, &oleft);	/* back to the initial state */
	tmp.len = (size_t)(o - tmp.data);
	iconv_close(cd);
	copy_utf8(out, tmp.data, tmp.len);	/* NUL would end the string */
	sm_buf_free(&tmp);
	return 0;
}

void
sm_charset_to_utf8(struct sm_buf *out, const char *charset, const char *s,
    size_t len)
{
	char name[64];
	size_t i, n, multi, bad, from;

	n = charset ? strlen(charset) : 0;
	while (n > 0 && sm_ascii_space((unsigned char)charset[n - 1]))
		n--;
	while (n > 0 && sm_ascii_space((unsigned char)*charset)) {
		charset++;
		n--;
	}
	if (n == 0 || n >= sizeof(name)) {
		copy_guess(out, s, len);
		return;
	}
	for (i = 0; i < n; i++)
		name[i] = (char)sm_ascii_lower((unsigned char)charset[i]);
	name[n] = '\0';
	if (strcmp(name, "utf-8") == 0 || strcmp(name, "utf8") == 0) {
		/* mislabelled latin-1 is common: no valid sequence at all */
		utf8_stats(s, len, &multi, &bad);
		if (bad > 0 && multi == 0)
			copy_cp1252(out, s, len);
		else
			copy_utf8(out, s, len);
		return;
	}
	if (strcmp(name, "us-ascii") == 0 || strcmp(name, "ascii") == 0 ||
	    strcmp(name, "unknown-8bit") == 0 || strcmp(name, "x-unknown") == 0
	    || strcmp(name, "default") == 0) {
		copy_guess(out, s, len);
		return;
	}
	if (strcmp(name, "iso-8859-1") == 0 || strcmp(name, "iso8859-1") == 0 ||
	    strcmp(name, "iso_8859-1") == 0 || strcmp(name, "latin1") == 0 ||
	    strcmp(name, "latin-1") == 0 || strcmp(name, "l1") == 0 ||
	    strcmp(name, "windows-1252") == 0 || strcmp(name, "cp1252") == 0 ||
	    strcmp(name, "cp819") == 0 || strcmp(name, "iso-ir-100") == 0) {
		copy_cp1252(out, s, len);
		return;
	}
	if (strcmp(name, "gb2312") == 0 || strcmp(name, "gbk") == 0)
		strcpy(name, "gb18030");
	else if (strcmp(name, "ks_c_5601-1987") == 0)
		strcpy(name, "cp949");
	else if (strncmp(name, "iso-8859-8-i", 12) == 0)
		name[10] = '\0';
	from = out->len;
	if (convert(out, name, s, len) < 0)
		copy_guess(out, s, len);
	else
		c1_as_cp1252(out, from);
}
