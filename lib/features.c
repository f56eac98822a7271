/* features.c - a message's features, hashed: what training and prediction
 * both see of it */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sm/features.h"

#define MAXCHARWORD	40	/* longer words give no character n-grams */
#define MAXCHUNK	100	/* of a longer chunk, its first bytes only */
_Static_assert(MAXCHARWORD <= MAXCHUNK, "a word fits where a chunk does");

static uint32_t
fnv32(uint32_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619U;
	return h;
}

void
sm_fvec_free(struct sm_fvec *fv)
{
	free(fv->idx);
	free(fv->val);
	free(fv->name_off);
	free(fv->slots);
	free(fv->row);
	sm_buf_free(&fv->names);
	memset(fv, 0, sizeof(*fv));
}

static void
fvec_reset(struct sm_fvec *fv)
{
	fv->n = fv->split = 0;
	if (fv->slots)
		memset(fv->slots, 0, fv->capslots * sizeof(*fv->slots));
	sm_buf_reset(&fv->names);
}

/* Adds one occurrence of the feature kind+a+b (b may be empty). */
static void
fvec_add(struct sm_fvec *fv, uint32_t mask, char kind, const char *a,
    size_t an, const char *b, size_t bn)
{
	uint32_t h = 2166136261U, bucket;
	size_t i;

	h = fnv32(h, &kind, 1);
	h = fnv32(h, a, an);
	if (bn) {
		h = fnv32(h, " ", 1);
		h = fnv32(h, b, bn);
	}
	bucket = sm_features_mix(h) & mask;
	if ((fv->n + 1) * 2 > fv->capslots) {
		free(fv->slots);
		fv->capslots = fv->capslots ? fv->capslots * 2 : 256;
		fv->slots = xcalloc(fv->capslots, sizeof(*fv->slots));
		for (size_t e = 0; e < fv->n; e++) {
			for (i = sm_features_mix(fv->idx[e]) &
			    (fv->capslots - 1); fv->slots[i];
			    i = (i + 1) & (fv->capslots - 1))
				;
			fv->slots[i] = (uint32_t)e + 1;
		}
	}
	for (i = sm_features_mix(bucket) & (fv->capslots - 1); fv->slots[i];
	    i = (i + 1) & (fv->capslots - 1))
		if (fv->idx[fv->slots[i] - 1] == bucket) {
			fv->val[fv->slots[i] - 1] += 1;
			return;
		}
	if (fv->n == fv->cap) {
		fv->cap = fv->cap ? fv->cap * 2 : 256;
		fv->idx = xreallocarray(fv->idx, fv->cap, sizeof(*fv->idx));
		fv->val = xreallocarray(fv->val, fv->cap, sizeof(*fv->val));
		fv->row = xreallocarray(fv->row, fv->cap, sizeof(*fv->row));
		if (fv->keep_names)
			fv->name_off = xreallocarray(fv->name_off, fv->cap,
			    sizeof(*fv->name_off));
	}
	fv->slots[i] = (uint32_t)fv->n + 1;
	fv->idx[fv->n] = bucket;
	fv->val[fv->n] = 1;
	if (fv->keep_names) {
		if (fv->name_off == NULL)
			fv->name_off = xreallocarray(NULL, fv->cap,
			    sizeof(*fv->name_off));
		fv->name_off[fv->n] = fv->names.len;
		sm_buf_addc(&fv->names, kind);
		sm_buf_addc(&fv->names, ':');
		sm_buf_add(&fv->names, a, an);
		if (bn) {
			sm_buf_addc(&fv->names, ' ');
			sm_buf_add(&fv->names, b, bn);
		}
		sm_buf_addc(&fv->names, '\0');
	}
	fv->n++;
}

/* The word a token stands for in unigrams and bigrams. */
static void
token_word(const struct sm_text *t, const struct sm_token *tok,
    const char **s, size_t *n)
{
	switch (tok->type) {
	case SM_TOKEN_NUMBER:
		*s = tok->len > 4 ? "<long-number>" : "<number>";
		break;
	case SM_TOKEN_URL:
		*s = "<url>";
		break;
	case SM_TOKEN_MENTION:
		*s = "<mention>";
		break;
	default:
		*s = t->folded.data + tok->off;
		*n = tok->len;
		return;
	}
	*n = strlen(*s);
}

static void
add_string_field(struct sm_fvec *fv, uint32_t mask, char kind, json_t *rec,
    const char *key)
{
	json_t *v = json_object_get(rec, key);

	if (json_is_string(v))
		fvec_add(fv, mask, kind, json_string_value(v),
		    json_string_length(v), "", 0);
}

/* A link's host ("youtube.com"): spam and scams are told by where they
 * send people. */
static void
add_url_host(struct sm_fvec *fv, uint32_t mask, const char *s, size_t n)
{
	const char *end = s + n, *p = s, *h;

	for (const char *q = s; q + 2 < end; q++)
		if (q[0] == ':' && q[1] == '/' && q[2] == '/') {
			p = q + 3;
			break;
		}
	if (end - p > 4 && memcmp(p, "www.", 4) == 0)
		p += 4;
	for (h = p; h < end && *h != '/' && *h != '?' && *h != '#' &&
	    *h != ':'; h++)
		;
	if (h > p)
		fvec_add(fv, mask, 'u', p, (size_t)(h - p), "", 0);
	/* and the words it is made of ("giphy", "birthday", "watch") */
	while (p < end) {
		const char *q = p;

		while (q < end && ((*q >= 'a' && *q <= 'z') || (unsigned char)*q >= 0x80))
			q++;
		if (q - p >= 2)
			fvec_add(fv, mask, 'w', p, (size_t)(q - p), "", 0);
		p = q < end ? q + 1 : q;
	}
}

/* Runs of punctuation between the tokens: "!!", "?", ":)", "...". */
static void
add_punctuation(struct sm_fvec *fv, uint32_t mask, const struct sm_text *t)
{
	const char *s = t->folded.data;
	size_t at = 0;

	for (size_t i = 0; i <= t->ntokens; i++) {
		size_t to = i < t->ntokens ? t->tokens[i].off : t->folded.len;

		while (at < to) {
			size_t k = at;

			while (k < to && s[k] != ' ' && s[k] != '\n' &&
			    s[k] != '\t')
				k++;
			if (k > at)
				fvec_add(fv, mask, 'x', s + at, k - at > 3 ? 3 :
				    k - at, "", 0);
			at = k + 1;
		}
		if (i < t->ntokens)
			at = t->tokens[i].off + t->tokens[i].len;
	}
}

/* How much of the message is in capitals, in quarters. */
static void
add_shouting(struct sm_fvec *fv, uint32_t mask, const char *s, size_t n)
{
	size_t upper = 0, letters = 0;
	char q[2];

	for (size_t i = 0; i < n; i++) {
		if (s[i] >= 'A' && s[i] <= 'Z')
			upper++;
		else if (s[i] >= 'a' && s[i] <= 'z')
			letters++;
	}
	letters += upper;
	if (letters < 8)
		return;
	q[0] = (char)('0' + 4 * upper / (letters + 1));
	q[1] = '\0';
	fvec_add(fv, mask, 'C', q, 1, "", 0);
}

/* The character n-grams of "<" s ">", s of n bytes; no ">" when cut. */
static void
add_char_ngrams(struct sm_fvec *fv, uint32_t mask,
    const struct sm_features *f, const char *s, size_t n, int cut)
{
	char word[MAXCHUNK + 2];

	word[0] = '<';
	memcpy(word + 1, s, n);
	n++;
	if (!cut)
		word[n++] = '>';
	for (size_t k = f->char_min; k <= f->char_max && k <= n; k++)
		for (size_t i = 0; i + k <= n; i++)
			fvec_add(fv, mask, 'c', word + i, k, "", 0);
}

/*
 * Of every chunk between spaces, as TF-IDF's char_wb analyzers do: what
 * tells spam apart is often not a word (a phone number, a price, a short
 * code, a link's path, "fr33"), and a word's punctuation goes with it.
 */
static void
add_chunk_ngrams(struct sm_fvec *fv, uint32_t mask,
    const struct sm_features *f, const struct sm_text *t)
{
	const char *s = t->folded.data;
	size_t len = t->folded.len, i = 0;

	while (i < len) {
		size_t j = i;

		while (j < len && !sm_ascii_space((unsigned char)s[j]))
			j++;
		if (j > i)
			add_char_ngrams(fv, mask, f, s + i, j - i > MAXCHUNK ?
			    MAXCHUNK : j - i, j - i > MAXCHUNK);
		i = j + 1;
	}
}

void
sm_featurize(const struct sm_features *f, const struct sm_message *msg,
    json_t *rec, struct sm_fvec *fv)
{
	const struct sm_text *t = &msg->text;
	uint32_t mask = (f->bits >= 32 ? 0 : (1U << f->bits)) - 1;
	const char *prev = NULL;
	size_t prevn = 0, words = 0;
	char lenbuf[16];

	fvec_reset(fv);
	for (size_t i = 0; i < t->ntokens; i++) {
		const struct sm_token *tok = &t->tokens[i];
		const char *w;
		size_t wn;

		token_word(t, tok, &w, &wn);
		fvec_add(fv, mask, 'w', w, wn, "", 0);
		if (tok->type == SM_TOKEN_URL)
			add_url_host(fv, mask, t->folded.data + tok->off,
			    tok->len);
		if (tok->type == SM_TOKEN_NUMBER) {
			snprintf(lenbuf, sizeof(lenbuf), "%zu", tok->len);
			fvec_add(fv, mask, 'n', lenbuf, strlen(lenbuf), "", 0);
			/* a short number is often a word: a year, a line */
			if (tok->len <= 4)
				fvec_add(fv, mask, 'w', t->folded.data +
				    tok->off, tok->len, "", 0);
		}
		if (tok->type == SM_TOKEN_MENTION || tok->type == SM_TOKEN_HASHTAG)
			fvec_add(fv, mask, tok->type == SM_TOKEN_MENTION ?
			    '@' : '#', t->folded.data + tok->off, tok->len,
			    "", 0);
		if (t->stemmed && tok->stem_len && (tok->stem_len != wn ||
		    memcmp(t->stems.data + tok->stem_off, w, wn) != 0))
			fvec_add(fv, mask, 's', t->stems.data + tok->stem_off,
			    tok->stem_len, "", 0);
		if (f->word_ngrams >= 2 && prev)
			fvec_add(fv, mask, 'b', prev, prevn, w, wn);
		prev = w;
		prevn = wn;
		words++;
	}
	/* how long the message is, in powers of two */
	snprintf(lenbuf, sizeof(lenbuf), "%d", words ? (int)log2((double)words) +
	    1 : 0);
	fvec_add(fv, mask, 'l', lenbuf, strlen(lenbuf), "", 0);
	add_punctuation(fv, mask, t);
	add_shouting(fv, mask, msg->raw.data, msg->raw.len);
	add_string_field(fv, mask, 'p', rec, "platform");
	add_string_field(fv, mask, 'k', rec, "kind");
	fv->split = fv->n;
	if (f->char_min == 0)
		return;
	if (f->char_scope == SM_CHARS_CHUNKS) {
		add_chunk_ngrams(fv, mask, f, t);
		return;
	}
	for (size_t i = 0; i < t->ntokens; i++) {
		const struct sm_token *tok = &t->tokens[i];

		if ((tok->type == SM_TOKEN_WORD || tok->type == SM_TOKEN_HASHTAG)
		    && tok->len <= MAXCHARWORD)
			add_char_ngrams(fv, mask, f, t->folded.data + tok->off,
			    tok->len, 0);
	}
}
