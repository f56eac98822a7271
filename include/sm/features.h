/* features.h - a message's features, hashed: what training and prediction
 * both see of it
 *
 * Folded words and their stems, word bigrams, character n-grams of each
 * chunk of text between spaces (or of each word), the links' hosts,
 * punctuation, capitals, the length, the platform and the kind, each
 * hashed into one of 2^bits buckets and counted.  How counts become
 * weights is the model's (model.h).
 */
#ifndef SM_FEATURES_H
#define SM_FEATURES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sm/message.h"
#include "sm/util.h"

/*
 * What character n-grams are taken of: every chunk of the text between
 * spaces, as written (a word with the punctuation stuck to it, a number,
 * a price, a link, a mention: "£1000", "0800...", "fr33", ".com/"), or, as
 * models of format 1 did, the words and hashtags alone.
 */
enum sm_char_scope {
	SM_CHARS_WORDS,
	SM_CHARS_CHUNKS
};

/* How a message becomes features; stored in the model. */
struct sm_features {
	unsigned bits;		/* 2^bits hash buckets, 16..26 */
	unsigned word_ngrams;	/* 1: words; 2: words and bigrams */
	unsigned char_min, char_max;	/* character n-grams; 0: none */
	enum sm_char_scope char_scope;
};

#define SM_FEATURES_DEFAULT { 22, 2, 2, 5, SM_CHARS_CHUNKS }

/* A sparse vector of hashed features; reuse one for every record. */
struct sm_fvec {
	uint32_t *idx;
	float *val;
	size_t n, cap;
	size_t split;		/* [0, split) words; [split, n) characters */
	int keep_names;		/* fill names, for explaining */
	struct sm_buf names;	/* NUL-separated, one per entry */
	size_t *name_off;
	/* private */
	uint32_t *slots;	/* entry + 1 by bucket, to merge repeats */
	size_t capslots;
	uint32_t *row;		/* the model's row of each entry */
};

void sm_fvec_free(struct sm_fvec *fv);

/*
 * The features of an analysed message (and of rec's platform and kind):
 * counts, one entry per distinct feature.
 */
void sm_featurize(const struct sm_features *f, const struct sm_message *msg,
    json_t *rec, struct sm_fvec *fv);

/*
 * Spreads a bucket over the slots of a hash table (murmur3's finalizer):
 * the feature vector, the model and the trainer each find a bucket's
 * entry, row or slot with it.
 */
static inline uint32_t
sm_features_mix(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bU;
	h ^= h >> 13;
	h *= 0xc2b2ae35U;
	h ^= h >> 16;
	return h;
}

#endif
