/* html.c - HTML to plain text, and HTML entities */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sm/html.h"
#include "sm/util.h"

struct entity {
	const char *name;
	const char *value;
	int legacy;		/* valid without its ';' */
};

static const struct entity entities[] = {
#include "html-entities.inc"
};

#define NENTITIES (sizeof(entities) / sizeof(entities[0]))
#define ENTITY_MAX 32		/* longest name in the table */
#define REPLACEMENT "\xef\xbf\xbd"

static const char *const paragraph_tags[] = {
	"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", NULL
};

static const char *const block_tags[] = {
	"div", "li", "ul", "ol", "dl", "dt", "dd", "tr", "table", "thead",
	"tbody", "tfoot", "caption", "section", "article", "header", "footer",
	"nav", "aside", "main", "address", "figure", "figcaption", "form",
	"fieldset", "legend", "center", "hr", "details", "summary", "option",
	"menu", "dir", NULL
};

/* elements whose content is not shown, read as raw text to their end tag */
static const char *const hidden_tags[] = {
	"script", "style", "title", "template", "iframe", "noembed",
	"noframes", "xmp", NULL
};

struct conv {
	struct sm_buf out;
	int nl;			/* line breaks owed before the next text */
	int sp;			/* a space owed before the next text */
	int pre;		/* depth of pre elements */
	int in_a;		/* inside a link */
	int a_hidden;		/* the link's text was shortened by Mastodon */
	size_t a_start;		/* out.len when the link began */
	int a_nl, a_sp;		/* nl and sp when the link began */
	struct sm_buf href;
	struct sm_buf tmp;
};

static int
is_space(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
	    ch == '\f';
}

static int
is_alpha(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static int
is_alnum(int ch)
{
	return is_alpha(ch) || (ch >= '0' && ch <= '9');
}

static int
lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

static int
in_list(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return 1;
	return 0;
}

static int
entity_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct entity *)elem)->name);
}

static const struct entity *
lookup(const char *name, size_t len)
{
	char key[ENTITY_MAX + 1];

	if (len > ENTITY_MAX)
		return NULL;
	memcpy(key, name, len);
	key[len] = '\0';
	return bsearch(key, entities, NENTITIES, sizeof(entities[0]),
	    entity_cmp);
}

static uint32_t
numeric(uint32_t cp, int too_big)
{
	if (too_big || cp == 0 || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0xfffd;
	if (cp >= 0x80 && cp <= 0x9f)	/* &#128; to &#159;: windows-1252 */
		return sm_cp1252((unsigned char)cp);
	/* controls other than white space would only be noise in text */
	if ((cp < 0x20 && !is_space((int)cp)) || cp == 0x7f)
		return 0xfffd;
	return cp;
}

static int
digit(int ch, int hex)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (hex && ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (hex && ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * s[0] is '&'.  Appends the character reference's value to out and returns
 * the bytes it took, or 0 when s does not start one.  In an attribute, a
 * legacy name without ';' followed by a letter, digit or '=' is not a
 * reference (so that "?a=1&copy=2" stays a URL), as in browsers.
 */
static size_t
entity(struct sm_buf *out, const char *s, size_t n, int in_attr)
{
	const struct entity *e;
	size_t i, len, k;

	if (n < 2)
		return 0;
	if (s[1] == '#') {
		uint32_t cp = 0;
		int hex = 0, too_big = 0, d;
		size_t digits = 0;

		i = 2;
		if (i < n && (s[i] == 'x' || s[i] == 'X')) {
			hex = 1;
			i++;
		}
		for (; i < n && (d = digit((unsigned char)s[i], hex)) >= 0;
		    i++) {
			digits++;
			if (cp > 0x10ffff)
				too_big = 1;
			else
				cp = cp * (hex ? 16 : 10) + (uint32_t)d;
		}
		if (digits == 0)
			return 0;
		if (i < n && s[i] == ';')
			i++;
		sm_buf_add_cp(out, numeric(cp, too_big));
		return i;
	}
	for (i = 1; i < n && i <= ENTITY_MAX && is_alnum((unsigned char)s[i]);
	    i++)
		;
	len = i - 1;
	if (len == 0)
		return 0;
	if (i < n && s[i] == ';' && (e = lookup(s + 1, len)) != NULL) {
		sm_buf_adds(out, e->value);
		return i + 1;
	}
	for (k = len; k >= 2; k--) {
		e = lookup(s + 1, k);
		if (e == NULL || !e->legacy)
			continue;
		if (in_attr && 1 + k < n && (is_alnum((unsigned char)s[1 + k]) ||
		    s[1 + k] == '='))
			return 0;
		sm_buf_adds(out, e->value);
		return 1 + k;
	}
	return 0;
}

/* Appends s decoded: references, invalid UTF-8 and NUL replaced. */
static void
decode_into(struct sm_buf *out, const char *s, size_t n, int in_attr)
{
	size_t i = 0, k;

	while (i < n) {
		const char *amp;
		size_t end;

		if (s[i] == '&') {
			k = entity(out, s + i, n - i, in_attr);
			if (k == 0) {
				sm_buf_addc(out, '&');	/* a lone '&' */
				k = 1;
			}
			i += k;
			continue;
		}
		/* up to the next reference: '&' is never inside a character */
		amp = memchr(s + i, '&', n - i);
		end = amp ? (size_t)(amp - s) : n;
		sm_buf_add_utf8(out, s + i, end - i);
		i = end;
	}
}

char *
sm_html_unescape(const char *s, size_t len)
{
	struct sm_buf out = { 0 };

	sm_buf_reserve(&out, len);
	decode_into(&out, s, len, 0);
	out.data[out.len] = '\0';
	return out.data;
}

static void
flush(struct conv *c)
{
	if (c->out.len > 0) {
		if (c->nl >= 2)
			sm_buf_adds(&c->out, "\n\n");
		else if (c->nl == 1)
			sm_buf_addc(&c->out, '\n');
		else if (c->sp)
			sm_buf_addc(&c->out, ' ');
	}
	c->nl = c->sp = 0;
}

/* text that is not white space */
static void
put(struct conv *c, const char *s, size_t n)
{
	if (c->nl || c->sp)
		flush(c);
	sm_buf_add(&c->out, s, n);
}

static void
put_space(struct conv *c, int ch)
{
	if (c->pre && c->out.len > 0) {
		if (ch == '\n')
			c->nl++;
		else if (ch == '\t')
			put(c, "\t", 1);
		else if (ch != '\r')
			put(c, " ", 1);
	} else if (!c->nl && !c->pre)
		c->sp = 1;
}

static void
break_line(struct conv *c, int n)
{
	if (c->nl < n)
		c->nl = n;
}

/* decoded text, valid UTF-8 */
static void
put_text(struct conv *c, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (is_space((unsigned char)s[i]))
			put_space(c, (unsigned char)s[i]);
		else
			put(c, s + i, 1);
	}
}

static void
end_link(struct conv *c)
{
	int nl = c->nl, sp = c->sp;

	if (c->a_hidden && c->href.len > 0) {
		c->out.len = c->a_start;
		c->out.data[c->out.len] = '\0';
		c->nl = c->a_nl;
		c->sp = c->a_sp;
		put_text(c, c->href.data, c->href.len);
		c->nl = nl;
		c->sp = sp;
	}
	c->in_a = 0;
}

static int
has_class(const char *s, size_t n, const char *name)
{
	size_t i = 0, j, len = strlen(name);

	while (i < n) {
		while (i < n && is_space((unsigned char)s[i]))
			i++;
		for (j = i; j < n && !is_space((unsigned char)s[j]); j++)
			;
		if (j - i == len && memcmp(s + i, name, len) == 0)
			return 1;
		i = j;
	}
	return 0;
}

/* Skips the raw text of a hidden element to past its end tag. */
static size_t
skip_raw(const char *s, size_t n, size_t i, const char *name)
{
	size_t len = strlen(name), k;

	for (; i + 2 + len <= n; i++) {
		if (s[i] != '<' || s[i + 1] != '/')
			continue;
		for (k = 0; k < len; k++)
			if (lower((unsigned char)s[i + 2 + k]) != name[k])
				break;
		if (k < len)
			continue;
		if (i + 2 + len < n && !is_space((unsigned char)s[i + 2 + len])
		    && s[i + 2 + len] != '/' && s[i + 2 + len] != '>')
			continue;
		for (i += 2 + len; i < n && s[i] != '>'; i++)
			;
		return i < n ? i + 1 : n;
	}
	return n;
}

static size_t
skip_past(const char *s, size_t n, size_t i, const char *end)
{
	size_t len = strlen(end);

	for (; i + len <= n; i++)
		if (memcmp(s + i, end, len) == 0)
			return i + len;
	return n;
}

static void
start_tag(struct conv *c, const char *name, const char *attr, size_t alen)
{
	if (strcmp(name, "br") == 0) {
		c->nl++;
	} else if (in_list(paragraph_tags, name)) {
		break_line(c, 2);
		if (strcmp(name, "pre") == 0)
			c->pre++;
	} else if (in_list(block_tags, name)) {
		break_line(c, 1);
	} else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
		if (!c->nl)
			c->sp = 1;
	} else if (strcmp(name, "a") == 0) {
		if (c->in_a)
			end_link(c);
		c->in_a = 1;
		c->a_hidden = 0;
		c->a_start = c->out.len;
		c->a_nl = c->nl;
		c->a_sp = c->sp;
		sm_buf_reset(&c->href);
		if (attr)
			decode_into(&c->href, attr, alen, 1);
	} else if (strcmp(name, "span") == 0) {
		if (c->in_a && attr && (has_class(attr, alen, "invisible") ||
		    has_class(attr, alen, "ellipsis")))
			c->a_hidden = 1;
	} else if (strcmp(name, "img") == 0 && attr) {
		sm_buf_reset(&c->tmp);
		decode_into(&c->tmp, attr, alen, 1);
		put_text(c, c->tmp.data, c->tmp.len);
	}
}

static void
end_tag(struct conv *c, const char *name)
{
	if (strcmp(name, "br") == 0) {
		c->nl++;
	} else if (in_list(paragraph_tags, name)) {
		break_line(c, 2);
		if (strcmp(name, "pre") == 0 && c->pre > 0)
			c->pre--;
	} else if (in_list(block_tags, name)) {
		break_line(c, 1);
	} else if (strcmp(name, "a") == 0 && c->in_a) {
		end_link(c);
	}
}

/* The attribute an element's text depends on. */
static const char *
wanted_attr(const char *name)
{
	if (strcmp(name, "a") == 0)
		return "href";
	if (strcmp(name, "span") == 0)
		return "class";
	if (strcmp(name, "img") == 0)
		return "alt";
	return NULL;
}

/*
 * s[i] is '<' followed by a letter, or "</" by a letter.  Reads the tag and
 * acts on it; returns where the text goes on.  A tag cut off by the end of
 * the input is dropped.
 */
static size_t
tag(struct conv *c, const char *s, size_t n, size_t i)
{
	char name[16];
	const char *want, *attr = NULL;
	size_t len = 0, j, k, alen = 0;
	int end = s[i + 1] == '/';

	j = i + 1 + end;
	for (; j < n && !is_space((unsigned char)s[j]) && s[j] != '/' &&
	    s[j] != '>'; j++)
		if (len < sizeof(name) - 1)
			name[len++] = (char)lower((unsigned char)s[j]);
		else
			len = sizeof(name);	/* too long to be one we know */
	name[len < sizeof(name) ? len : 0] = '\0';
	want = wanted_attr(name);
	for (;;) {
		size_t nstart, nlen, vstart = 0, vlen = 0;

		while (j < n && (is_space((unsigned char)s[j]) || s[j] == '/'))
			j++;
		if (j >= n)
			return n;
		if (s[j] == '>') {
			j++;
			break;
		}
		nstart = j++;
		while (j < n && !is_space((unsigned char)s[j]) && s[j] != '/' &&
		    s[j] != '>' && s[j] != '=')
			j++;
		nlen = j - nstart;
		while (j < n && is_space((unsigned char)s[j]))
			j++;
		if (j < n && s[j] == '=') {
			j++;
			while (j < n && is_space((unsigned char)s[j]))
				j++;
			if (j < n && (s[j] == '"' || s[j] == '\'')) {
				char q = s[j++];

				vstart = j;
				while (j < n && s[j] != q)
					j++;
				if (j >= n)
					return n;
				vlen = j++ - vstart;
			} else {
				vstart = j;
				while (j < n && !is_space((unsigned char)s[j]) &&
				    s[j] != '>')
					j++;
				vlen = j - vstart;
			}
		}
		if (want && attr == NULL && nlen == strlen(want)) {
			for (k = 0; k < nlen; k++)
				if (lower((unsigned char)s[nstart + k]) != want[k])
					break;
			if (k == nlen) {
				attr = s + vstart;
				alen = vlen;
			}
		}
	}
	if (end) {
		end_tag(c, name);
		return j;
	}
	start_tag(c, name, attr, alen);
	if (in_list(hidden_tags, name))
		return skip_raw(s, n, j, name);
	return j;
}

/* s[i] is '<'.  Returns where the text goes on. */
static size_t
markup(struct conv *c, const char *s, size_t n, size_t i)
{
	if (i + 1 >= n) {
		put(c, "<", 1);
		return n;
	}
	if (is_alpha((unsigned char)s[i + 1]))
		return tag(c, s, n, i);
	if (s[i + 1] == '!') {
		if (i + 3 < n && s[i + 2] == '-' && s[i + 3] == '-')
			return skip_past(s, n, i + 2, "-->");
		return skip_past(s, n, i + 2, ">");
	}
	if (s[i + 1] == '?')
		return skip_past(s, n, i + 2, ">");
	if (s[i + 1] == '/') {
		if (i + 2 >= n) {
			put(c, "</", 2);
			return n;
		}
		if (is_alpha((unsigned char)s[i + 2]))
			return tag(c, s, n, i);
		return skip_past(s, n, i + 2, ">");
	}
	put(c, "<", 1);
	return i + 1;
}

char *
sm_html_to_text(const char *html, size_t len)
{
	struct conv c = { 0 };
	size_t i = 0, k;

	sm_buf_reserve(&c.out, len);
	while (i < len) {
		unsigned char ch = (unsigned char)html[i];

		if (ch == '<') {
			i = markup(&c, html, len, i);
		} else if (ch == '&') {
			sm_buf_reset(&c.tmp);
			k = entity(&c.tmp, html + i, len - i, 0);
			if (k) {
				put_text(&c, c.tmp.data, c.tmp.len);
				i += k;
			} else {
				put(&c, "&", 1);
				i++;
			}
		} else if (is_space(ch)) {
			put_space(&c, ch);
			i++;
		} else if (ch == '\0' ||
		    (k = sm_utf8_len(html + i, len - i)) ==
		    0) {
			put(&c, REPLACEMENT, 3);
			i++;
		} else {
			put(&c, html + i, k);
			i += k;
		}
	}
	if (c.in_a)
		end_link(&c);
	while (c.out.len > 0 && is_space((unsigned char)c.out.data[c.out.len -
	    1]))
		c.out.len--;
	c.out.data[c.out.len] = '\0';
	sm_buf_free(&c.href);
	sm_buf_free(&c.tmp);
	return c.out.data;
}

/* The value of attribute name in the tag t[0..n) ("<meta ... >"), as a
 * new string, or NULL. */
static char *
attribute(const char *t, size_t n, const char *name)
{
	size_t i = 5, k, e, len = strlen(name), v;
	char q;

	while (i < n) {
		while (i < n && (is_space((unsigned char)t[i]) || t[i] == '/'))
			i++;
		k = i;
		while (i < n && t[i] != '=' && t[i] != '>' &&
		    !is_space((unsigned char)t[i]))
			i++;
		if (i == k)
			return NULL;
		e = i;		/* the name is t[k..e) */
		while (i < n && is_space((unsigned char)t[i]))
			i++;
		if (i >= n || t[i] != '=')
			continue;
		i++;
		while (i < n && is_space((unsigned char)t[i]))
			i++;
		q = i < n && (t[i] == '"' || t[i] == '\'') ? t[i++] : 0;
		v = i;
		while (i < n && (q ? t[i] != q : !is_space((unsigned char)t[i])
		    && t[i] != '>'))
			i++;
		if (e - k == len && sm_ascii_ncasecmp(t + k, name, len) == 0)
			return xstrndup(t + v, i - v);
		if (q && i < n)
			i++;
	}
	return NULL;
}

/* the charset named in a Content-Type value, as a new string, or NULL */
static char *
content_charset(const char *c)
{
	const char *p, *q;
	size_t n;

	for (q = c; *q; q++)
		if (sm_ascii_ncasecmp(q, "charset", 7) == 0) {
			p = q + 7;
			while (is_space((unsigned char)*p))
				p++;
			if (*p != '=')
				continue;
			p++;
			while (is_space((unsigned char)*p) || *p == '"' ||
			    *p == '\'')
				p++;
			n = strcspn(p, " \t\r\n;\"'");
			return n ? xstrndup(p, n) : NULL;
		}
	return NULL;
}

char *
sm_html_meta_charset(const char *html, size_t len)
{
	size_t i, e;
	char *v, *c;

	if (len > 4096)
		len = 4096;
	for (i = 0; i + 5 < len; i++) {
		if (html[i] != '<' || sm_ascii_ncasecmp(html + i + 1, "meta",
		    4) != 0 || !(is_space((unsigned char)html[i + 5]) ||
		    html[i + 5] == '/'))
			continue;
		for (e = i; e < len && html[e] != '>'; e++)
			;
		if ((v = attribute(html + i, e - i, "charset")) != NULL) {
			if (*v)
				return v;
			free(v);
		}
		if ((c = attribute(html + i, e - i, "content")) != NULL) {
			v = content_charset(c);
			free(c);
			if (v)
				return v;
		}
		i = e;
	}
	return NULL;
}
