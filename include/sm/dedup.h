/* dedup.h - near-duplicate texts within a time window
 *
 * A text's words, folded as the rules fold them, make overlapping
 * shingles of three words; a MinHash signature of 32 values estimates
 * how alike two texts are (the Jaccard similarity of their shingles), and
 * bands of the signature find the candidates without comparing every pair.
 * What is kept is bounded by the window: a text older than the window
 * than the newest seen is forgotten.
 */
#ifndef SM_DEDUP_H
#define SM_DEDUP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sm/util.h"

#define SM_DEDUP_K 32		/* values in a signature */
#define SM_DEDUP_MIN_WORDS 6	/* shorter texts are never duplicates */

struct sm_dedup;

struct sm_dedup_sig {
	uint32_t v[SM_DEDUP_K];
};

/* A set of texts seen within window seconds, alike at threshold (0-1]. */
struct sm_dedup *sm_dedup_new(time_t window, double threshold);
void sm_dedup_free(struct sm_dedup *d);

/*
 * The signature of text (n bytes of UTF-8); 0, or -1 when the text has
 * fewer than SM_DEDUP_MIN_WORDS words.  work, when not NULL, is a buffer
 * the caller keeps from one call to the next (it saves allocations).
 */
int sm_dedup_sign(const char *text, size_t n, struct sm_dedup_sig *sig,
    struct sm_buf *work);

/* How alike two signatures say their texts are, 0 to 1. */
double sm_dedup_similarity(const struct sm_dedup_sig *a,
    const struct sm_dedup_sig *b);

/*
 * The id of the earliest text kept that arrived at most window seconds
 * before at and is alike to sig at the threshold, or NULL; borrowed
 * until the next sm_dedup_add.
 */
const char *sm_dedup_find(struct sm_dedup *d, const struct sm_dedup_sig *sig,
    time_t at);

/* Keeps a text's signature under id (copied). */
void sm_dedup_add(struct sm_dedup *d, const char *id,
    const struct sm_dedup_sig *sig, time_t at);

/* A signature as text (hex) and back, for the state database. */
void sm_dedup_sig_format(const struct sm_dedup_sig *sig,
    char out[SM_DEDUP_K * 8 + 1]);
int sm_dedup_sig_parse(const char *s, struct sm_dedup_sig *sig);

#endif
