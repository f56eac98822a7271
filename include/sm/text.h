/* text.h - normalization, tokens, stems and language of message text */
#ifndef SM_TEXT_H
#define SM_TEXT_H

#include <stddef.h>

#include "sm/util.h"

/*
 * Appends to out the text normalized for matching: Unicode NFKC, case
 * folded, marks (accents) stripped.  Invalid UTF-8 is replaced by U+FFFD.
 * Returns 0, or -1 if the text is too large to normalize.
 */
int sm_text_fold(struct sm_buf *out, const char *s, size_t n);

enum sm_token_type {
	SM_TOKEN_WORD,
	SM_TOKEN_NUMBER,
	SM_TOKEN_HASHTAG,	/* text without the '#' */
	SM_TOKEN_MENTION,	/* text with the '@' */
	SM_TOKEN_URL,
	SM_TOKEN_EMOJI
};

struct sm_token {
	enum sm_token_type type;
	size_t off, len;	/* in sm_text.folded */
	size_t stem_off, stem_len;	/* in sm_text.stems, when stemmed */
	unsigned long hash;	/* sm_hash of the folded token */
	unsigned long stem_hash;	/* and of its stem, when stemmed */
};

/* A message's text analyzed once; reuse one for every record. */
struct sm_text {
	struct sm_buf folded;
	struct sm_token *tokens;
	size_t ntokens;
	size_t captokens;
	struct sm_buf stems;
	int stemmed;		/* the tokens' stem fields are valid */
	void *scratch;		/* code points for sm_text_fold */
	size_t capscratch;
};

/* Folds text into t->folded and splits it into t->tokens. */
void sm_text_analyze(struct sm_text *t, const char *s, size_t n);

void sm_text_free(struct sm_text *t);

/* The languages sm knows (ISO 639-1): stemmed, and told apart. */
#define SM_NLANGS 9
extern const char *const sm_langs[SM_NLANGS];

/* lang's index in sm_langs, or -1. */
int sm_lang_index(const char *lang);

/* Snowball stemmers, one per language, with a cache of stems seen. */
struct sm_stemmer;

struct sm_stemmer *sm_stemmer_new(void);
void sm_stemmer_free(struct sm_stemmer *st);

/* 1 when the language (ISO 639-1: es, en, ca, eu, gl...) can be stemmed. */
int sm_stemmer_has(const char *lang);

/*
 * The stem of a folded word in lang; borrowed until the next call.  A
 * language that cannot be stemmed gives the word back as it is.
 */
const char *sm_stem(struct sm_stemmer *st, const char *lang,
    const char *word, size_t n, size_t *len);

/* Stems every word and hashtag of t in lang (fills stem_off/stem_len). */
void sm_text_stem(struct sm_text *t, struct sm_stemmer *st, const char *lang);

/* Language identification among es en ca eu gl fr de it pt. */
struct sm_langid;

/* dir holds libexttextcat's NAME.lm files; NULL means the default.  NULL
 * with err text when they cannot be read. */
struct sm_langid *sm_langid_new(const char *dir, char *err, size_t errsize);
void sm_langid_free(struct sm_langid *li);

/* "es", "en"...; "und" when the text is too short or unlike them all.
 * raw is the text t was analysed from (its letters are cues too). */
const char *sm_langid_detect(struct sm_langid *li, const struct sm_text *t,
    const char *raw, size_t n);

/*
 * The same among the languages of allowed (bit i for sm_langs[i]; 0 for
 * all), with fallback (when not NULL) instead of "und": a town hall that
 * hears only Spanish and Catalan says so, and a text too short to tell
 * is taken for its first language.
 */
const char *sm_langid_guess(struct sm_langid *li, const struct sm_text *t,
    const char *raw, size_t n, unsigned allowed, const char *fallback);

#endif
