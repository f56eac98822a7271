/* stats.h - figures of a sample: quantiles, mean, shares in buckets
 *
 * A sample of response times keeps its values (8 bytes each) while it
 * holds at most SM_SAMPLE_EXACT of them, so that the medians and 90th
 * percentiles of a small group are exact.  Past that, it keeps counts in
 * buckets instead, a few kilobytes whatever the number of values (as
 * HdrHistogram does): a bucket is one unit wide below 2048, and below
 * 2^k, 2^(k-11) units wide, so a quantile is within 1/2048 of the value
 * (0.05%: 42 seconds in a day), the mean and the count stay exact, and a
 * share below an edge is exact when the edge is a multiple of the
 * bucket's width there (an hour, 4 and 8 hours and a day, in seconds,
 * are).  Values are 0 or more.
 *
 * Quantiles are interpolated between the two nearest ranks (Hyndman and
 * Fan's type 7: R's default, NumPy's, a spreadsheet's PERCENTILE.INC),
 * so the median of an even count is the mean of the two middle values.
 * Keyness (log-likelihood, G2) tells which words are characteristic of
 * one corpus against another.
 */
#ifndef SM_STATS_H
#define SM_STATS_H

#include <stddef.h>
#include <stdint.h>

#define SM_SAMPLE_EXACT 4096

struct sm_sample {
	double *v;		/* the values, until there are too many */
	size_t n, cap;
	double sum, min, max;
	int sorted;
	uint32_t **pages;	/* then counts, in pages of buckets */
};

void sm_sample_add(struct sm_sample *s, double x);

/* Appends every value of from to s. */
void sm_sample_merge(struct sm_sample *s, const struct sm_sample *from);

/* The q quantile (0 to 1); sorts the sample.  NaN when it is empty. */
double sm_sample_quantile(struct sm_sample *s, double q);

/* NaN when empty. */
double sm_sample_mean(const struct sm_sample *s);

/*
 * Counts the values in each of nedges + 1 half-open buckets: below
 * edges[0], [edges[0], edges[1]), ..., at or above edges[nedges - 1];
 * edges ascending.  counts has nedges + 1 places.
 */
void sm_sample_buckets(const struct sm_sample *s, const double *edges,
    size_t nedges, size_t *counts);

void sm_sample_free(struct sm_sample *s);

/*
 * Dunning's log-likelihood (G2) of a word seen a times in a corpus of c
 * words against b times in another of d words; signed, negative when the
 * word is relatively rarer in the first.  0 when either corpus is empty.
 */
double sm_keyness(double a, double b, double c, double d);

#endif
