/* richtext.h - a reply's text as the platforms see it: graphemes, links
 *
 * What the posting connectors need to count a text against a platform's
 * limit and to mark its links: extended grapheme clusters (UAX #29, as
 * utf8proc knows them: an emoji with its skin tone, a ZWJ family, a
 * letter with combining accents, a flag are one each), and the links a
 * platform finds in plain text, by UTF-8 byte offsets.
 */
#ifndef SM_RICHTEXT_H
#define SM_RICHTEXT_H

#include <stddef.h>

/*
 * The number of extended grapheme clusters in the n bytes at s; a byte
 * that does not begin a valid UTF-8 character counts as one character.
 */
size_t sm_richtext_graphemes(const char *s, size_t n);

/* How links are told in a text. */
enum sm_link_rule {
	/*
	 * Mastodon's (and X's twitter-text): an http:// or https:// URL not
	 * preceded by a letter, digit, '@', '#' or '$'.
	 */
	SM_LINK_SCHEME,
	/*
	 * Bluesky's (its client's richtext detection): after the start, a
	 * space or '(', an http(s):// URL or a bare domain name whose last
	 * label is letters (villanueva.example/bus), which links to
	 * https://.
	 */
	SM_LINK_BARE
};

/*
 * Finds the first link in the n bytes at s from byte from on: 1 with its
 * bytes [*start, *end), trailing punctuation (.,;:!?'") and an unmatched
 * ')' left out, or 0 when there is none.
 */
int sm_richtext_link(const char *s, size_t n, size_t from,
    enum sm_link_rule rule, size_t *start, size_t *end);

/*
 * 1 when the character before byte i of s (i > 0) is a letter, a digit
 * or a connector such as '_' in any script: a mention or a link cannot
 * begin in the middle of a word.
 */
int sm_richtext_in_word(const char *s, size_t i);

#endif
