/* mime.c - one e-mail message (RFC 5322, MIME) to what sm needs of it:
 * header fields, the MIME walk, the text of its body */
#include <stdlib.h>
#include <string.h>

#include "sm/charset.h"
#include "sm/encword.h"
#include "sm/html.h"
#include "sm/mime.h"
#include "sm/quote.h"
#include "sm/time.h"
#include "sm/util.h"

#define REPLACEMENT "\xef\xbf\xbd"
#define MAX_DEPTH 32		/* nested multiparts */

struct field {
	char *name;		/* as written, without the colon */
	char *value;		/* unfolded: the line breaks removed */
};

struct header {
	struct field *f;
	size_t n, cap;
};

/* Content-Type or Content-Disposition, parsed */
struct ctype {
	char *value;		/* "text/plain", "attachment"; lower case */
	char *charset, *boundary, *format, *delsp, *name;
};

struct walk {
	struct sm_mail *m;
	struct sm_buf plain, html;
	int have_plain, have_html;
	size_t cap_att;
};

static int
is_wsp(int ch)
{
	return ch == ' ' || ch == '\t';
}

static char *
lowercase(char *s)
{
	char *p;

	for (p = s; *p; p++)
		*p = (char)sm_ascii_lower((unsigned char)*p);
	return s;
}

/* --- header fields --- */

static void
header_free(struct header *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->f[i].name);
		free(h->f[i].value);
	}
	free(h->f);
	h->f = NULL;
	h->n = h->cap = 0;
}

/* The end of the line at s[i] (its '\n' or n), and where the next starts. */
static size_t
line_end(const char *s, size_t n, size_t i, size_t *next)
{
	const char *nl = memchr(s + i, '\n', n - i);
	size_t e = nl ? (size_t)(nl - s) : n;

	*next = nl ? e + 1 : n;
	if (e > i && s[e - 1] == '\r')
		e--;
	return e;
}

/* the length of a field name followed by its colon, or 0 */
static size_t
field_name(const char *s, size_t n, size_t *colon)
{
	size_t i, k;

	for (i = 0; i < n && s[i] != ':'; i++)
		if ((unsigned char)s[i] <= 32 || (unsigned char)s[i] >= 127)
			break;
	k = i;
	while (i < n && is_wsp((unsigned char)s[i]))
		i++;		/* obsolete "Subject :" */
	if (k == 0 || i >= n || s[i] != ':')
		return 0;
	*colon = i;
	return k;
}

/*
 * Reads the header at s into h; returns where the body starts.  A line
 * that is neither a field nor a continuation ends the header after the
 * first field, and is skipped before it.
 */
static size_t
header_parse(struct header *h, const char *s, size_t n)
{
	struct sm_buf v = { 0 };
	size_t i = 0, e, next, nlen, colon;
	int open = 0;

	while (i < n) {
		e = line_end(s, n, i, &next);
		if (e == i) {
			i = next;
			break;
		}
		if (is_wsp((unsigned char)s[i]) && open) {
			sm_buf_add(&v, s + i, e - i);
		} else if ((nlen = field_name(s + i, e - i, &colon)) > 0) {
			if (open)
				h->f[h->n - 1].value = xstrndup(v.data, v.len);
			if (h->n == h->cap) {
				h->cap = h->cap ? h->cap * 2 : 16;
				h->f = xreallocarray(h->f, h->cap,
				    sizeof(*h->f));
			}
			h->f[h->n].name = xstrndup(s + i, nlen);
			h->f[h->n].value = NULL;
			h->n++;
			open = 1;
			sm_buf_reset(&v);
			sm_buf_add(&v, s + i + colon + 1, e - i - colon - 1);
		} else if (h->n > 0) {
			break;	/* the body starts without a blank line */
		}
		i = next;
	}
	if (open)
		h->f[h->n - 1].value = xstrndup(v.data ? v.data : "", v.len);
	sm_buf_free(&v);
	return i;
}

static const char *
header_get(const struct header *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (sm_ascii_caseeq(h->f[i].name, name))
			return h->f[i].value;
	return NULL;
}

/* --- Content-Type and Content-Disposition --- */

static size_t
skip_cfws(const char *s, size_t n, size_t i)
{
	int depth = 0;

	while (i < n) {
		if (depth > 0) {
			if (s[i] == '\\' && i + 1 < n)
				i++;
			else if (s[i] == '(')
				depth++;
			else if (s[i] == ')')
				depth--;
		} else if (s[i] == '(') {
			depth++;
		} else if (!sm_ascii_space((unsigned char)s[i])) {
			break;
		}
		i++;
	}
	return i;
}

static void
ctype_set(struct ctype *ct, const char *name, size_t nlen, const char *v,
    size_t vlen)
{
	char **slot = NULL;
	int extended = 0;

	if (nlen > 0 && name[nlen - 1] == '*') {
		extended = 1;
		nlen--;
	}
	if (nlen == 7 && sm_ascii_ncasecmp(name, "charset", 7) == 0)
		slot = &ct->charset;
	else if (nlen == 8 && sm_ascii_ncasecmp(name, "boundary", 8) == 0)
		slot = &ct->boundary;
	else if (nlen == 6 && sm_ascii_ncasecmp(name, "format", 6) == 0)
		slot = &ct->format;
	else if (nlen == 5 && sm_ascii_ncasecmp(name, "delsp", 5) == 0)
		slot = &ct->delsp;
	else if ((nlen == 4 && sm_ascii_ncasecmp(name, "name", 4) == 0) ||
	    (nlen == 8 && sm_ascii_ncasecmp(name, "filename", 8) == 0) ||
	    (nlen == 6 && sm_ascii_ncasecmp(name, "name*0", 6) == 0) ||
	    (nlen == 10 && sm_ascii_ncasecmp(name, "filename*0", 10) == 0))
		slot = &ct->name;
	if (slot == NULL || *slot != NULL)
		return;
	*slot = xstrndup(v, vlen);
	if (extended) {
		char *d = sm_encword_decode_param(*slot);

		free(*slot);
		*slot = d;
	} else if (slot == &ct->name) {
		char *d = sm_encword_decode_header(*slot, strlen(*slot));

		free(*slot);
		*slot = d;
	}
}

static void
ctype_parse(struct ctype *ct, const char *s)
{
	size_t n = s ? strlen(s) : 0, i, j, nstart, nlen;
	struct sm_buf v = { 0 };

	memset(ct, 0, sizeof(*ct));
	i = skip_cfws(s, n, 0);
	for (j = i; j < n && s[j] != ';' &&
	    !sm_ascii_space((unsigned char)s[j]) && s[j] != '('; j++)
		;
	ct->value = lowercase(xstrndup(s ? s + i : "", j - i));
	i = j;
	while (i < n) {
		while (i < n && s[i] != ';')
			i++;
		if (i >= n)
			break;
		i = skip_cfws(s, n, i + 1);
		nstart = i;
		while (i < n && s[i] != '=' && s[i] != ';' &&
		    !sm_ascii_space((unsigned char)s[i]))
			i++;
		nlen = i - nstart;
		i = skip_cfws(s, n, i);
		if (i >= n || s[i] != '=')
			continue;
		i = skip_cfws(s, n, i + 1);
		sm_buf_reset(&v);
		if (i < n && s[i] == '"') {
			for (i++; i < n && s[i] != '"'; i++) {
				if (s[i] == '\\' && i + 1 < n)
					i++;
				sm_buf_addc(&v, s[i]);
			}
			i++;
		} else {
			while (i < n && s[i] != ';' &&
			    !sm_ascii_space((unsigned char)s[i]))
				sm_buf_addc(&v, s[i++]);
		}
		if (nlen > 0)
			ctype_set(ct, s + nstart, nlen, v.data ? v.data : "",
			    v.len);
	}
	sm_buf_free(&v);
}

static void
ctype_free(struct ctype *ct)
{
	free(ct->value);
	free(ct->charset);
	free(ct->boundary);
	free(ct->format);
	free(ct->delsp);
	free(ct->name);
}

/* --- bodies --- */

/* CRLF and CR to LF, NUL to U+FFFD */
static void
normalize_lines(struct sm_buf *out, const char *s, size_t n)
{
	size_t i;

	sm_buf_reserve(out, n);
	for (i = 0; i < n; i++) {
		if (s[i] == '\r') {
			if (i + 1 < n && s[i + 1] == '\n')
				continue;
			sm_buf_addc(out, '\n');
		} else if (s[i] == '\0') {
			sm_buf_adds(out, REPLACEMENT);
		} else {
			sm_buf_addc(out, s[i]);
		}
	}
	sm_buf_add(out, "", 0);	/* terminated even when empty */
}

/* RFC 3676: joins the lines of a format=flowed text */
static void
unflow(struct sm_buf *out, const char *s, size_t n, int delsp)
{
	size_t i = 0, e, q, c, clen;
	size_t prevq = 0;
	int prev_flowed = 0, first = 1;

	while (i < n) {
		const char *nl = memchr(s + i, '\n', n - i);

		e = nl ? (size_t)(nl - s) : n;
		for (q = 0; i + q < e && s[i + q] == '>'; q++)
			;
		c = i + q;
		if (c < e && s[c] == ' ')
			c++;	/* space-stuffing */
		clen = e - c;
		if (prev_flowed && q == prevq) {
			if (delsp && out->len > 0 &&
			    out->data[out->len - 1] == ' ')
				out->len--;
		} else {
			if (!first)
				sm_buf_addc(out, '\n');
			if (q > 0) {
				size_t k;

				for (k = 0; k < q; k++)
					sm_buf_addc(out, '>');
				if (clen > 0)
					sm_buf_addc(out, ' ');
			}
		}
		sm_buf_add(out, s + c, clen);
		first = 0;
		prevq = q;
		prev_flowed = clen > 0 && s[c + clen - 1] == ' ' &&
		    !(clen == 3 && memcmp(s + c, "-- ", 3) == 0);
		i = nl ? e + 1 : n;
	}
	sm_buf_add(out, "", 0);	/* terminated even when empty */
}

/*
 * 1 when the n bytes at s, said to be base64, are text written as it is:
 * what they decode to (dec) looks like no text (control characters, or
 * bytes that are neither ASCII nor UTF-8), and they themselves have what
 * base64 never has (words apart on a line, punctuation).  Base64 with a
 * few stray characters in it is still base64.
 */
static int
not_base64(const char *s, size_t n, const char *dec, size_t dn)
{
	size_t i, odd = 0, chars = 0, ctrl = 0, high = 0, k;
	int utf8 = 1;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '\n' || c == '\r')
			continue;
		chars++;
		if ((c == ' ' || c == '\t') && i > 0 && i + 1 < n &&
		    !sm_ascii_space((unsigned char)s[i - 1]) &&
		    !sm_ascii_space((unsigned char)s[i + 1]))
			odd++;	/* a space between two words */
		else if (!sm_ascii_space(c) && !(c >= 'A' && c <= 'Z') &&
		    !(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') &&
		    !strchr("+/=-_", c))
			odd++;
	}
	if (odd == 0 || odd * 20 < chars)
		return 0;
	for (i = 0; i < dn; i += k) {
		c = (unsigned char)dec[i];
		k = 1;
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' &&
		    c != '\f') || c == 0x7f)
			ctrl++;
		else if (c >= 0x80) {
			high++;
			if ((k = sm_utf8_len(dec + i, dn - i)) == 0) {
				utf8 = 0;
				k = 1;
			}
		}
	}
	return dn > 0 && (ctrl * 50 >= dn || (!utf8 && high * 4 >= dn));
}

/* The part's content decoded to UTF-8 text with "\n" line ends. */
static void
decode_text(struct sm_buf *out, const struct header *h,
    const struct ctype *ct, const char *s, size_t n)
{
	struct sm_buf raw = { 0 }, utf = { 0 };
	const char *cte = header_get(h, "Content-Transfer-Encoding");
	char *enc = NULL, *meta;

	if (cte) {
		size_t i = skip_cfws(cte, strlen(cte), 0), j = i;

		while (cte[j] && !sm_ascii_space((unsigned char)cte[j]) &&
		    cte[j] != '(')
			j++;
		enc = lowercase(xstrndup(cte + i, j - i));
	}
	if (enc && strcmp(enc, "base64") == 0) {
		sm_encword_decode_base64(&raw, s, n);
		if (not_base64(s, n, raw.data, raw.len)) {
			sm_buf_reset(&raw);
			sm_buf_add(&raw, s, n);
		}
	} else if (enc && strcmp(enc, "quoted-printable") == 0)
		sm_encword_decode_qp(&raw, s, n, 0);
	else
		sm_buf_add(&raw, s, n);
	free(enc);
	/* HTML may name its charset itself, in a meta element */
	if (ct->charset == NULL && sm_ascii_caseeq(ct->value, "text/html") &&
	    (meta = sm_html_meta_charset(raw.data, raw.len)) != NULL) {
		sm_charset_to_utf8(&utf, meta, raw.data, raw.len);
		free(meta);
	} else
		sm_charset_to_utf8(&utf, ct->charset, raw.data, raw.len);
	if (ct->format && sm_ascii_caseeq(ct->format, "flowed")) {
		struct sm_buf lines = { 0 };

		normalize_lines(&lines, utf.data, utf.len);
		unflow(out, lines.data, lines.len, ct->delsp &&
		    sm_ascii_caseeq(ct->delsp, "yes"));
		sm_buf_free(&lines);
	} else
		normalize_lines(out, utf.data, utf.len);
	sm_buf_free(&raw);
	sm_buf_free(&utf);
}

static void
add_attachment(struct walk *w, const char *name)
{
	struct sm_mail *m = w->m;

	if (m->nattachments == w->cap_att) {
		w->cap_att = w->cap_att ? w->cap_att * 2 : 4;
		m->attachments = xreallocarray(m->attachments, w->cap_att,
		    sizeof(*m->attachments));
	}
	m->attachments[m->nattachments++] = xstrdup(name ? name : "");
}

static int
boundary_line(const char *s, size_t e, size_t i, const char *b, size_t blen,
    int *close)
{
	size_t k;

	if (e - i < 2 + blen || s[i] != '-' || s[i + 1] != '-' ||
	    memcmp(s + i + 2, b, blen) != 0)
		return 0;
	k = i + 2 + blen;
	*close = 0;
	if (e - k >= 2 && s[k] == '-' && s[k + 1] == '-') {
		*close = 1;
		k += 2;
	}
	while (k < e && sm_ascii_space((unsigned char)s[k]))
		k++;
	return k == e;
}

static void walk_part(struct walk *, const char *, size_t, int);

static void
walk_multipart(struct walk *w, const char *boundary, const char *s,
    size_t n, int depth)
{
	size_t blen = strlen(boundary), i = 0, e, next, start = 0, end;
	int in_part = 0, close;

	while (i < n) {
		e = line_end(s, n, i, &next);
		if (boundary_line(s, e, i, boundary, blen, &close)) {
			if (in_part) {
				/* the line break before belongs to the line */
				end = i;
				if (end > start && s[end - 1] == '\n')
					end--;
				if (end > start && s[end - 1] == '\r')
					end--;
				walk_part(w, s + start, end - start, depth + 1);
			}
			if (close)
				return;
			in_part = 1;
			start = next;
		}
		i = next;
	}
	if (in_part && start < n)	/* no closing boundary */
		walk_part(w, s + start, n - start, depth + 1);
}

/* s is a whole entity: its header, then its body */
static void
walk_entity(struct walk *w, const struct header *h, const char *s, size_t n,
    int depth)
{
	struct ctype ct, cd;
	const char *ctv = header_get(h, "Content-Type");
	int attachment;

	ctype_parse(&ct, ctv ? ctv : "text/plain");
	ctype_parse(&cd, header_get(h, "Content-Disposition"));
	if (ct.value[0] == '\0' || strchr(ct.value, '/') == NULL) {
		free(ct.value);
		ct.value = xstrdup("text/plain");
	}
	attachment = strcmp(cd.value, "attachment") == 0;
	if (strncmp(ct.value, "multipart/", 10) == 0 && ct.boundary &&
	    ct.boundary[0]) {
		if (depth < MAX_DEPTH)
			walk_multipart(w, ct.boundary, s, n, depth);
	} else if (!attachment && (strcmp(ct.value, "text/plain") == 0 ||
	    strncmp(ct.value, "multipart/", 10) == 0)) {
		if (!w->have_plain) {
			decode_text(&w->plain, h, &ct, s, n);
			w->have_plain = 1;
		}
	} else if (!attachment && strcmp(ct.value, "text/html") == 0) {
		if (!w->have_html) {
			decode_text(&w->html, h, &ct, s, n);
			w->have_html = 1;
		}
	} else if (attachment || ((strncmp(ct.value, "text/", 5) != 0 ||
	    cd.name || ct.name) && !(header_get(h, "Content-ID") &&
	    strcmp(cd.value, "inline") == 0))) {
		/* not an image shown in the HTML (inline, with a Content-ID) */
		add_attachment(w, cd.name ? cd.name : ct.name);
	}
	ctype_free(&ct);
	ctype_free(&cd);
}

static void
walk_part(struct walk *w, const char *s, size_t n, int depth)
{
	struct header h = { 0 };
	size_t body = header_parse(&h, s, n);

	walk_entity(w, &h, s + body, n - body, depth);
	header_free(&h);
}

/* --- addresses and identifiers --- */

/* "<id>" tokens of a field, in order */
static size_t
msg_ids(const char *s, char ***ids)
{
	size_t n = 0, cap = 0;
	const char *p = s, *lt, *gt;

	*ids = NULL;
	while (p && (lt = strchr(p, '<')) != NULL &&
	    (gt = strchr(lt, '>')) != NULL) {
		size_t k;
		int blank = 0;

		for (k = 1; lt + k < gt; k++)
			if (sm_ascii_space((unsigned char)lt[k]))
				blank = 1;
		if (gt - lt > 1 && !blank) {
			if (n == cap) {
				cap = cap ? cap * 2 : 4;
				*ids = xreallocarray(*ids, cap, sizeof(**ids));
			}
			(*ids)[n++] = xstrndup(lt, (size_t)(gt - lt) + 1);
		}
		p = gt + 1;
	}
	return n;
}

static char *
first_id(const char *s)
{
	char **ids, *id = NULL;
	size_t n, i;

	if (s == NULL)
		return NULL;
	n = msg_ids(s, &ids);
	if (n > 0)
		id = ids[0];
	for (i = 1; i < n; i++)
		free(ids[i]);
	free(ids);
	if (id == NULL) {
		/* a bare id, as some programs write it */
		size_t a = skip_cfws(s, strlen(s), 0), b = a;

		while (s[b] && !sm_ascii_space((unsigned char)s[b]))
			b++;
		if (b > a && memchr(s + a, '@', b - a)) {
			id = xmalloc(b - a + 3);
			id[0] = '<';
			memcpy(id + 1, s + a, b - a);
			id[b - a + 1] = '>';
			id[b - a + 2] = '\0';
		}
	}
	return id;
}

/* the address: no blanks, the domain in lower case */
static char *
clean_addr(const char *s, size_t n)
{
	struct sm_buf b = { 0 };
	size_t i;
	int domain = 0;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (sm_ascii_space(ch) || ch == '"' || ch == '<' || ch == '>')
			continue;
		if (ch == '@')
			domain = 1;
		sm_buf_addc(&b, (char)(domain ? sm_ascii_lower(ch) : ch));
	}
	if (b.len == 0) {
		sm_buf_free(&b);
		return NULL;
	}
	return b.data;
}

static void
parse_from(struct sm_mail *m, const char *s)
{
	size_t n = strlen(s), i, lt = n, gt, comment = n, cend = n;
	int quoted = 0, depth = 0;
	struct sm_buf name = { 0 };
	char *raw;

	/* the first mailbox only */
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (quoted) {
			if (ch == '\\' && i + 1 < n)
				i++;
			else if (ch == '"')
				quoted = 0;
		} else if (depth > 0) {
			if (ch == '\\' && i + 1 < n)
				i++;
			else if (ch == '(')
				depth++;
			else if (ch == ')' && --depth == 0 && cend == n)
				cend = i;
		} else if (ch == '"') {
			quoted = 1;
		} else if (ch == '(') {
			if (comment == n)
				comment = i + 1;
			depth = 1;
		} else if (ch == '<' && lt == n) {
			lt = i;
		} else if (ch == ',' && lt == n) {
			n = i;
			break;
		}
	}
	if (lt < n) {
		const char *g = memchr(s + lt, '>', n - lt);

		gt = g ? (size_t)(g - s) : n;
		m->from_addr = clean_addr(s + lt + 1, gt - lt - 1);
		/* the name: unquoted, comments dropped */
		quoted = depth = 0;
		for (i = 0; i < lt; i++) {
			char ch = s[i];

			if (!quoted && depth == 0 && ch == '"') {
				quoted = 1;
			} else if (quoted && ch == '"') {
				quoted = 0;
			} else if (!quoted && ch == '(') {
				depth++;
			} else if (!quoted && depth > 0 && ch == ')') {
				depth--;
			} else if (depth == 0) {
				if (quoted && ch == '\\' && i + 1 < lt)
					ch = s[++i];
				sm_buf_addc(&name, ch);
			}
		}
	} else {
		/* addr, or addr (Name) */
		size_t a = skip_cfws(s, n, 0), b = a;

		while (b < n && !sm_ascii_space((unsigned char)s[b]) &&
		    s[b] != '(')
			b++;
		m->from_addr = clean_addr(s + a, b - a);
		if (comment < n && cend > comment)
			sm_buf_add(&name, s + comment, cend - comment);
	}
	if (name.len > 0) {
		raw = sm_encword_decode_header(name.data, name.len);
		if (raw[0])
			m->from_name = raw;
		else
			free(raw);
	}
	sm_buf_free(&name);
}

/* --- dates --- */

int
sm_mime_date(const char *s, char out[SM_MIME_DATE_SIZE])
{
	time_t t;

	if (sm_time_parse_email(s, &t) < 0)
		return -1;
	return sm_time_format(t, out, SM_MIME_DATE_SIZE);
}

/* --- the message --- */

static void
trim_end(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && sm_ascii_space((unsigned char)s[n - 1]))
		n--;
	s[n] = '\0';
}

static int
blank_text(const char *s)
{
	for (; *s; s++)
		if (!sm_ascii_space((unsigned char)*s))
			return 0;
	return 1;
}

static char *
decoded(const struct header *h, const char *name)
{
	const char *v = header_get(h, name);
	char *d;

	if (v == NULL)
		return NULL;
	d = sm_encword_decode_header(v, strlen(v));
	if (d[0] == '\0') {
		free(d);
		return NULL;
	}
	return d;
}

/* Makes *s valid UTF-8, as mime.h promises: ids and addresses are copied
 * from the header as they are, and raw 8-bit bytes in them are read as
 * the rest of a header is (UTF-8, else windows-1252). */
static void
make_utf8(char **s)
{
	struct sm_buf b = { 0 };
	size_t n, i, k;

	if (*s == NULL)
		return;
	n = strlen(*s);
	for (i = 0; i < n; i += k)
		if ((k = sm_utf8_len(*s + i, n - i)) == 0)
			break;
	if (i == n)
		return;
	sm_charset_to_utf8(&b, NULL, *s, n);
	sm_buf_add(&b, "", 0);
	free(*s);
	*s = b.data;
}

int
sm_mime_parse(struct sm_mail *m, const char *msg, size_t len)
{
	struct header h = { 0 };
	struct walk w = { 0 };
	const char *v;
	char date[SM_MIME_DATE_SIZE];
	size_t body;
	int rc;

	memset(m, 0, sizeof(*m));
	w.m = m;
	body = header_parse(&h, msg, len);
	rc = h.n > 0 ? 0 : -1;
	if (rc < 0)
		body = 0;	/* not a message: take it all as text */
	m->message_id = first_id(header_get(&h, "Message-ID"));
	m->in_reply_to = first_id(header_get(&h, "In-Reply-To"));
	if ((v = header_get(&h, "References")) != NULL)
		m->nreferences = msg_ids(v, &m->references);
	if ((v = header_get(&h, "From")) != NULL)
		parse_from(m, v);
	m->subject = decoded(&h, "Subject");
	m->language = decoded(&h, "Content-Language");
	if (sm_mime_date(header_get(&h, "Date"), date) == 0)
		m->date = xstrdup(date);
	walk_entity(&w, &h, msg + body, len - body, 0);
	if (w.have_plain && (!blank_text(w.plain.data) || !w.have_html)) {
		m->body = w.plain.data;
		w.plain.data = NULL;
	} else if (w.have_html) {
		m->body = sm_html_to_text(w.html.data, w.html.len);
		m->from_html = 1;
	} else
		m->body = xstrdup("");
	trim_end(m->body);
	m->text = sm_quote_strip(m->body);
	make_utf8(&m->message_id);
	make_utf8(&m->from_addr);
	make_utf8(&m->from_name);
	make_utf8(&m->subject);
	make_utf8(&m->in_reply_to);
	for (size_t i = 0; i < m->nreferences; i++)
		make_utf8(&m->references[i]);
	make_utf8(&m->language);
	make_utf8(&m->body);
	make_utf8(&m->text);
	for (size_t i = 0; i < m->nattachments; i++)
		make_utf8(&m->attachments[i]);
	sm_buf_free(&w.plain);
	sm_buf_free(&w.html);
	header_free(&h);
	return rc;
}

void
sm_mime_free(struct sm_mail *m)
{
	size_t i;

	free(m->message_id);
	free(m->from_addr);
	free(m->from_name);
	free(m->subject);
	free(m->date);
	free(m->in_reply_to);
	for (i = 0; i < m->nreferences; i++)
		free(m->references[i]);
	free(m->references);
	free(m->language);
	free(m->body);
	free(m->text);
	for (i = 0; i < m->nattachments; i++)
		free(m->attachments[i]);
	free(m->attachments);
	memset(m, 0, sizeof(*m));
}
