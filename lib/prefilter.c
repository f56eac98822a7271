/* prefilter.c - which regexes can match a text, told by its words */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "sm/prefilter.h"
#include "sm/text.h"
#include "sm/util.h"

#define MAXWORDS 512		/* more expansions than this: always run */
#define MAXWORD 64
#define MAXPLACES 16		/* places of a pattern that are filed */

/* A word stands at place of regex id. */
struct use {
	size_t id;
	unsigned place;
};

struct entry {
	char *word;		/* folded; NULL when the slot is free */
	size_t len;
	struct use *uses;
	size_t nuses;
};

/* Per regex: the places filed, and those seen in the current text. */
struct regex_state {
	unsigned need;		/* a bit per place */
	unsigned have;
	unsigned stamp;		/* of the text have is for */
};

/* A bit per word hash in front of the table: most words of a message are
 * in no regex, and 8 KiB in the cache say so without a probe. */
#define WORDBITS 65536
#define WORDBIT(h)	(((h) >> 20) & (WORDBITS - 1))

struct sm_prefilter {
	struct entry *tab;	/* open addressing */
	size_t cap, used;
	uint64_t bits[WORDBITS / 64];
	struct regex_state *re;	/* by id */
	size_t nre;
};

/* The words a pattern's match may start with, as they are being read:
 * done once a word has ended (a space, \b, (?!\p{L}), a non-letter). */
struct words {
	char w[MAXWORDS][MAXWORD];
	unsigned char len[MAXWORDS];
	unsigned char done[MAXWORDS];
	size_t n;
	int more;		/* another word follows a space */
};

struct sm_prefilter *
sm_prefilter_new(void)
{
	return xcalloc(1, sizeof(struct sm_prefilter));
}

void
sm_prefilter_free(struct sm_prefilter *pf)
{
	if (pf == NULL)
		return;
	for (size_t i = 0; i < pf->cap; i++) {
		free(pf->tab[i].word);
		free(pf->tab[i].uses);
	}
	free(pf->re);
	free(pf->tab);
	free(pf);
}

static int
is_letter(utf8proc_int32_t cp)
{
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
		return 1;
	default:
		return 0;
	}
}

/* The letter at *p (one UTF-8 character), its length in n; 0 if none. */
static int
letter_at(const char *p, size_t *n)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)p,
	    -1, &cp);

	if (k <= 0 || !is_letter(cp))
		return 0;
	*n = (size_t)k;
	return 1;
}

/* The length of the character at p, at most n; 1 for a bad byte. */
static size_t
utf8_length(const char *p, size_t n)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)p,
	    (utf8proc_ssize_t)(n < 4 ? n : 4), &cp);

	return k > 0 ? (size_t)k : 1;
}

static int
starts(const char *p, const char *s)
{
	return strncmp(p, s, strlen(s)) == 0;
}

/* Ends every word not ended yet. */
static void
end_words(struct words *ws)
{
	memset(ws->done, 1, ws->n);
}

/* ws becomes ws x alternatives (strings of the given lengths). */
static int
append(struct words *ws, const char *const *alt, const size_t *altlen,
    size_t nalt)
{
	struct words *out = xmalloc(sizeof(*out));
	int rc = 0;

	out->n = 0;
	for (size_t i = 0; i < ws->n && rc == 0; i++) {
		if (ws->done[i]) {
			if (out->n == MAXWORDS) {
				rc = -1;
				break;
			}
			memcpy(out->w[out->n], ws->w[i], ws->len[i]);
			out->len[out->n] = ws->len[i];
			out->done[out->n++] = 1;
			continue;
		}
		for (size_t a = 0; a < nalt; a++) {
			if (out->n == MAXWORDS ||
			    ws->len[i] + altlen[a] >= MAXWORD) {
				rc = -1;
				break;
			}
			memcpy(out->w[out->n], ws->w[i], ws->len[i]);
			memcpy(out->w[out->n] + ws->len[i], alt[a], altlen[a]);
			out->len[out->n] = (unsigned char)(ws->len[i] +
			    altlen[a]);
			out->done[out->n++] = 0;
		}
	}
	if (rc == 0)
		memcpy(ws, out, sizeof(*ws));
	free(out);
	return rc;
}

/* ws becomes the union of ws and other (with open_only, other's words
 * not ended yet). */
static int
merge(struct words *ws, const struct words *other, int open_only)
{
	for (size_t i = 0; i < other->n; i++) {
		size_t j;

		if (open_only && other->done[i])
			continue;
		for (j = 0; j < ws->n; j++)
			if (ws->len[j] == other->len[i] && ws->done[j] ==
			    other->done[i] && memcmp(ws->w[j], other->w[i],
			    ws->len[j]) == 0)
				break;
		if (j < ws->n)
			continue;
		if (ws->n == MAXWORDS)
			return -1;
		memcpy(ws->w[ws->n], other->w[i], other->len[i]);
		ws->len[ws->n] = other->len[i];
		ws->done[ws->n++] = other->done[i];
	}
	return 0;
}

/* Skips to the end of the current alternative: '|' or ')' at this depth. */
static int
skip_alternative(const char **pp)
{
	const char *p = *pp;
	int depth = 0;

	for (; *p; p++) {
		if (*p == '\\') {
			if (*++p == '\0')
				return -1;
		} else if (*p == '[') {
			while (*++p && *p != ']')
				if (*p == '\\' && *++p == '\0')
					return -1;
			if (*p == '\0')
				return -1;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')') {
			if (depth-- == 0)
				break;
		} else if (*p == '|' && depth == 0) {
			break;
		}
	}
	*pp = p;
	return 0;
}

/* After a unit: ? makes it optional; other quantifiers defeat us. */
static int
quantifier(const char **pp, struct words *ws, const struct words *before)
{
	if (**pp == '?') {
		(*pp)++;
		return merge(ws, before, 1);
	}
	return **pp == '*' || **pp == '+' || **pp == '{' ? -1 : 0;
}

/*
 * A word has ended.  In a group, the rest of the alternative cannot
 * change how the group's words are; at the top, a space means that
 * another word follows (sm_prefilter_add reads it next).
 */
static int
end_alternative(const char **pp, struct words *ws, int depth)
{
	end_words(ws);
	if (depth > 0)
		return skip_alternative(pp);
	ws->more = **pp == ' ';
	if (ws->more)
		(*pp)++;
	return 0;
}

static int parse_seq(const char **, struct words *, int);

/* A group's alternatives, from just after its "(" or "(?:". */
static int
parse_group(const char **pp, struct words *ws)
{
	struct words *base = xmalloc(sizeof(*base));
	struct words *alt = xmalloc(sizeof(*alt));
	struct words *all = xmalloc(sizeof(*all));
	int rc = 0;

	memcpy(base, ws, sizeof(*base));
	all->n = 0;
	for (;;) {
		memcpy(alt, base, sizeof(*alt));
		if (parse_seq(pp, alt, 1) < 0 || merge(all, alt, 0) < 0) {
			rc = -1;
			break;
		}
		if (**pp == '|') {
			(*pp)++;
			continue;
		}
		if (**pp != ')') {
			rc = -1;
			break;
		}
		(*pp)++;
		memcpy(ws, all, sizeof(*ws));
		rc = quantifier(pp, ws, base);
		break;
	}
	free(base);
	free(alt);
	free(all);
	return rc;
}

/*
 * Reads units up to the end of the pattern, or of the alternative when
 * depth > 0.  -1 when the pattern is beyond what can be read surely.
 */
static int
parse_seq(const char **pp, struct words *ws, int depth)
{
	struct words *before = xmalloc(sizeof(*before));
	int rc = 0;

	while (rc == 0) {
		const char *p = *pp;
		size_t n;

		if (*p == '\0') {
			rc = depth ? -1 : 0;
			break;
		}
		if (depth && (*p == '|' || *p == ')'))
			break;
		/* what ends a word: the rest of the alternative cannot
		 * change how it starts */
		if (*p == ' ' || starts(p, "\\s") || starts(p, "\\b") ||
		    starts(p, "\\d") || starts(p, "(?!\\p{L})") ||
		    starts(p, "(?![\\p{L}")) {
			rc = end_alternative(pp, ws, depth);
			break;
		}
		memcpy(before, ws, sizeof(*before));
		if (starts(p, "(?:") || (*p == '(' && p[1] != '?')) {
			*pp = p + (p[1] == '?' ? 3 : 1);
			rc = parse_group(pp, ws);
		} else if (*p == '[') {
			const char *alt[32];
			size_t altlen[32], nalt = 0;

			for (p++; *p != ']'; p += n) {
				if (nalt == 32 || !letter_at(p, &n)) {
					free(before);
					return -1;
				}
				alt[nalt] = p;
				altlen[nalt++] = n;
			}
			*pp = p + 1;
			rc = append(ws, alt, altlen, nalt);
			if (rc == 0)
				rc = quantifier(pp, ws, before);
		} else if (letter_at(p, &n)) {
			const char *alt[1] = { p };
			size_t altlen[1] = { n };

			*pp = p + n;
			rc = append(ws, alt, altlen, 1);
			if (rc == 0)
				rc = quantifier(pp, ws, before);
		} else if ((*p == '\\' && p[1] && strchr(".?!,;:-'\"/()",
		    p[1])) || strchr(",;:!'\"-/&%=<>@#", *p) ||
		    (*p >= '0' && *p <= '9')) {
			/* a punctuation mark or a digit, escaped or not */
			rc = end_alternative(pp, ws, depth);
			break;
		} else {
			rc = -1;	/* . \w \p{L} (?= ^ $ and the rest */
		}
	}
	free(before);
	return rc;
}

static struct entry *
slot_hashed(const struct sm_prefilter *pf, const char *w, size_t n,
    unsigned long hash)
{
	size_t i = hash & (pf->cap - 1);

	while (pf->tab[i].word && (pf->tab[i].len != n ||
	    memcmp(pf->tab[i].word, w, n) != 0))
		i = (i + 1) & (pf->cap - 1);
	return &pf->tab[i];
}

static struct entry *
slot(const struct sm_prefilter *pf, const char *w, size_t n)
{
	return slot_hashed(pf, w, n, sm_hash(w, n));
}

static void
file_word(struct sm_prefilter *pf, const char *w, size_t n, size_t id,
    unsigned place)
{
	struct entry *e;
	unsigned long h;

	if ((pf->used + 1) * 2 > pf->cap) {
		struct entry *old = pf->tab;
		size_t oldcap = pf->cap;

		pf->cap = oldcap ? oldcap * 2 : 256;
		pf->tab = xcalloc(pf->cap, sizeof(*pf->tab));
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].word)
				*slot(pf, old[i].word, old[i].len) = old[i];
		free(old);
	}
	h = sm_hash(w, n);
	pf->bits[WORDBIT(h) / 64] |= 1ULL << (WORDBIT(h) % 64);
	e = slot_hashed(pf, w, n, h);
	if (e->word == NULL) {
		e->word = xstrndup(w, n);
		e->len = n;
		pf->used++;
	}
	if (e->nuses && e->uses[e->nuses - 1].id == id &&
	    e->uses[e->nuses - 1].place == place)
		return;
	e->uses = xreallocarray(e->uses, e->nuses + 1, sizeof(*e->uses));
	e->uses[e->nuses++] = (struct use){ id, place };
}

/* Whether w is in the NUL-separated list. */
static int
listed(const char *list, const char *w)
{
	for (; *list; list += strlen(list) + 1)
		if (strcmp(list, w) == 0)
			return 1;
	return 0;
}

/* Whether the pattern has an alternation outside any group. */
static int
top_alternation(const char *p)
{
	for (;;) {
		if (skip_alternative(&p) < 0)
			return 1;
		if (*p == '\0')
			return 0;
		if (*p != ')')
			return 1;	/* '|' at the top */
		p++;			/* a stray ')': PCRE2 refused it */
	}
}

int
sm_prefilter_add(struct sm_prefilter *pf, const char *pattern, size_t id,
    char *words, size_t size)
{
	struct words *ws = xcalloc(1, sizeof(*ws));
	struct sm_buf folded = { 0 };
	const char *p = pattern;
	size_t at = 0, place_at;
	unsigned places = 0;

	if (starts(p, "(?<!\\p{L})"))
		p += strlen("(?<!\\p{L})");
	else if (starts(p, "\\b"))
		p += 2;
	else
		p = NULL;	/* a match may start inside a word */
	if (p && top_alternation(p))
		p = NULL;
	if (words && size)
		words[0] = '\0';
	if (id >= pf->nre) {
		pf->re = xreallocarray(pf->re, id + 1, sizeof(*pf->re));
		memset(pf->re + pf->nre, 0, (id + 1 - pf->nre) *
		    sizeof(*pf->re));
		pf->nre = id + 1;
	}
	/* each word of the pattern, as long as they can be read: every
	 * match holds one of the words of each place, and each place read
	 * is filed */
	while (p && places < MAXPLACES) {
		int whole;

		memset(ws, 0, sizeof(*ws));
		ws->n = 1;	/* one empty word to grow */
		whole = parse_seq(&p, ws, 0) == 0;
		for (size_t i = 0; whole && i < ws->n; i++)
			whole = ws->done[i] && ws->len[i] > 0;
		if (!whole)
			break;
		place_at = at;
		for (size_t i = 0; whole && i < ws->n; i++) {
			sm_buf_reset(&folded);
			if (sm_text_fold(&folded, ws->w[i], ws->len[i]) < 0 ||
			    folded.len == 0) {
				whole = 0;	/* filed words stay: harmless */
				break;
			}
			file_word(pf, folded.data, folded.len, id, places);
			if (words && at + folded.len + 3 < size &&
			    !listed(words + place_at, folded.data)) {
				if (i == 0 && places > 0) {
					memcpy(words + at, "|", 2);
					at += 2;
					place_at = at;
				}
				memcpy(words + at, folded.data, folded.len + 1);
				at += folded.len + 1;
				words[at] = '\0';
			}
		}
		if (!whole)
			break;
		places++;
		if (!ws->more)
			break;
	}
	sm_buf_free(&folded);
	free(ws);
	/* the words of a place given up half-way stay filed, harmlessly:
	 * only the places counted here are needed */
	pf->re[id].need = (1u << places) - 1;
	return places > 0;
}

/*
 * Notes that the word of entry e stands in the text: a regex is armed once
 * a word of each of its places has.  (After 2^32 texts a stale stamp could
 * arm a regex that need not run: it runs, and finds nothing.)
 */
static void
seen(struct sm_prefilter *pf, const struct entry *e, unsigned *armed,
    unsigned stamp)
{
	for (size_t j = 0; j < e->nuses; j++) {
		struct regex_state *rs = &pf->re[e->uses[j].id];

		if (rs->stamp != stamp) {
			rs->stamp = stamp;
			rs->have = 0;
		}
		rs->have |= 1u << e->uses[j].place;
		if (rs->need && (rs->have & rs->need) == rs->need)
			armed[e->uses[j].id] = stamp;
	}
}

void
sm_prefilter_scan(struct sm_prefilter *pf, const char *s, size_t n,
    unsigned *armed, unsigned stamp)
{
	size_t start = 0;

	if (pf->used == 0)
		return;
	/* each run of letters, as \p{L} sees them */
	for (size_t i = 0; i <= n;) {
		size_t k = 1;
		int letter = 0;

		if (i < n) {
			unsigned char c = (unsigned char)s[i];

			if (c < 0x80)
				letter = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
			else if (!(letter = letter_at(s + i, &k)))
				k = utf8_length(s + i, n - i);
		}
		if (!letter) {
			if (i > start) {
				const struct entry *e = slot(pf, s + start,
				    i - start);

				if (e->word)
					seen(pf, e, armed, stamp);
			}
			start = i + k;
		}
		i += k;
	}
}

/* Whether the n bytes at s are ASCII letters only. */
static int
ascii_letters(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] | 0x20) < 'a' ||
		    ((unsigned char)s[i] | 0x20) > 'z')
			return 0;
	return 1;
}

void
sm_prefilter_scan_text(struct sm_prefilter *pf,
    const struct sm_text *t, unsigned *armed, unsigned stamp)
{
	if (pf->used == 0)
		return;
	/* Every letter of the text is in a token, and no run of letters
	 * crosses a token's edge: a word of ASCII letters is one run, whose
	 * hash the tokenizer took; other tokens are scanned for theirs. */
	for (size_t i = 0; i < t->ntokens; i++) {
		const struct sm_token *tok = &t->tokens[i];
		const char *w = t->folded.data + tok->off;
		const struct entry *e;

		switch (tok->type) {
		case SM_TOKEN_NUMBER:
		case SM_TOKEN_EMOJI:
			continue;
		case SM_TOKEN_WORD:
		case SM_TOKEN_HASHTAG:
			if (ascii_letters(w, tok->len)) {
				if (!(pf->bits[WORDBIT(tok->hash) / 64] &
				    (1ULL << (WORDBIT(tok->hash) % 64))))
					continue;
				e = slot_hashed(pf, w, tok->len, tok->hash);
				if (e->word)
					seen(pf, e, armed, stamp);
				continue;
			}
			break;
		default:
			break;
		}
		sm_prefilter_scan(pf, w, tok->len, armed, stamp);
	}
}
