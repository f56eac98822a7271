/* richtext.c - a reply's text as the platforms see it: graphemes, links */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <utf8proc.h>

#include "sm/richtext.h"

size_t
sm_richtext_graphemes(const char *s, size_t n)
{
	utf8proc_int32_t prev = -1, cp, state = 0;
	utf8proc_ssize_t k;
	size_t i = 0, count = 0;

	while (i < n) {
		k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		    (utf8proc_ssize_t)(n - i), &cp);
		if (k <= 0) {
			/* a stray byte stands alone */
			count++;
			prev = -1;
			state = 0;
			i++;
			continue;
		}
		if (prev < 0 || utf8proc_grapheme_break_stateful(prev, cp,
		    &state))
			count++;
		prev = cp;
		i += (size_t)k;
	}
	return count;
}

int
sm_richtext_in_word(const char *s, size_t i)
{
	utf8proc_int32_t cp;
	size_t j = i;

	if (i == 0)
		return 0;
	/* back to the first byte of the character before i */
	while (j > 0 && i - j < 4 && ((unsigned char)s[j - 1] & 0xC0) == 0x80)
		j--;
	if (j == 0 || utf8proc_iterate((const utf8proc_uint8_t *)s + j - 1,
	    (utf8proc_ssize_t)(i - j + 1), &cp) != (utf8proc_ssize_t)(i - j + 1))
		return 0;
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
	case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO: case UTF8PROC_CATEGORY_PC:
		return 1;
	default:
		return 0;
	}
}

static int
is_space(const char *s, size_t n, size_t i)
{
	unsigned char c = (unsigned char)s[i];

	if (c == ' ' || (c >= '\t' && c <= '\r'))
		return 1;
	/* no-break space, ideographic space */
	return (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0xA0) ||
	    (c == 0xE3 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
	    (unsigned char)s[i + 2] == 0x80);
}

static int
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static int
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The length of "http://" or "https://" at s (any case), or 0. */
static size_t
scheme(const char *s, size_t n)
{
	if (n >= 8 && strncasecmp(s, "https://", 8) == 0)
		return 8;
	if (n >= 7 && strncasecmp(s, "http://", 7) == 0)
		return 7;
	return 0;
}

/*
 * A bare domain at s: [a-z][a-z0-9]*(\.[a-z0-9]+)+ whose last label is
 * two letters or more, ending where a host ends; its length, or 0.
 */
static size_t
domain(const char *s, size_t n)
{
	size_t i = 0, label = 0, dots = 0;

	if (n == 0 || !is_alpha(s[0]))
		return 0;
	while (i < n) {
		if (is_alnum(s[i]))
			i++;
		else if (s[i] == '.' && i + 1 < n && is_alnum(s[i + 1])) {
			label = ++i;
			dots++;
		} else
			break;
	}
	if (dots == 0 || i - label < 2)
		return 0;
	for (size_t j = label; j < i; j++)
		if (!is_alpha(s[j]))
			return 0;
	/* "Sr.García" is no domain: a host ends at an ASCII boundary */
	if (i < n && ((unsigned char)s[i] & 0x80))
		return 0;
	return i;
}

/* The end of a link that begins at start, its body from body on. */
static size_t
link_end(const char *s, size_t n, size_t start, size_t body)
{
	size_t e = body, open = 0, close = 0, i;

	while (e < n && !is_space(s, n, e))
		e++;
	for (;;) {
		if (e > body && strchr(".,;:!?'\"", s[e - 1])) {
			e--;
			continue;
		}
		if (e > body && s[e - 1] == ')') {
			open = close = 0;
			for (i = start; i < e; i++) {
				open += s[i] == '(';
				close += s[i] == ')';
			}
			if (close > open) {
				e--;
				continue;
			}
		}
		break;
	}
	return e;
}

static int
may_start(const char *s, size_t n, size_t i, enum sm_link_rule rule)
{
	char c;

	if (i == 0)
		return 1;
	c = s[i - 1];
	if (rule == SM_LINK_BARE)
		return c == '(' || is_space(s, n, i - 1) ||
		    (i >= 2 && is_space(s, n, i - 2) &&
		    (unsigned char)s[i - 2] == 0xC2) ||
		    (i >= 3 && is_space(s, n, i - 3) &&
		    (unsigned char)s[i - 3] == 0xE3);
	return !is_alnum(c) && c != '@' && c != '#' && c != '$' &&
	    !sm_richtext_in_word(s, i);
}

int
sm_richtext_link(const char *s, size_t n, size_t from,
    enum sm_link_rule rule, size_t *start, size_t *end)
{
	size_t i, k, e;

	for (i = from; i < n; i++) {
		if (((unsigned char)s[i] & 0xC0) == 0x80 ||
		    !may_start(s, n, i, rule))
			continue;
		if ((k = scheme(s + i, n - i)) > 0) {
			e = link_end(s, n, i, i + k);
			if (e > i + k) {
				*start = i;
				*end = e;
				return 1;
			}
		} else if (rule == SM_LINK_BARE &&
		    (k = domain(s + i, n - i)) > 0) {
			*start = i;
			*end = link_end(s, n, i, i + k);
			return 1;
		}
	}
	return 0;
}
