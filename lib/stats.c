/* stats.c - figures of a sample: quantiles, mean, shares in buckets */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sm/stats.h"
#include "sm/util.h"

/* Buckets: one unit wide below 2048, then 1024 to each power of two. */
#define EXACT_BELOW 2048
#define PER_OCTAVE 1024
#define TOP_BIT 52		/* values are capped at 2^52 */
#define NBUCKETS (EXACT_BELOW + (TOP_BIT - 10) * PER_OCTAVE)
#define PAGE 512
#define NPAGES ((NBUCKETS + PAGE - 1) / PAGE)

static size_t
bucket_of(double x)
{
	uint64_t u;
	int k;

	if (!(x > 0))
		return 0;
	u = x >= 0x1p52 ? (uint64_t)1 << TOP_BIT : (uint64_t)x;
	if (u < EXACT_BELOW)
		return (size_t)u;
	k = 63 - __builtin_clzll(u);
	return EXACT_BELOW + (size_t)(k - 11) * PER_OCTAVE +
	    (size_t)((u >> (k - 10)) - PER_OCTAVE);
}

static void
bucket_bounds(size_t b, double *lo, double *width)
{
	size_t j;
	int shift;

	if (b < EXACT_BELOW) {
		*lo = (double)b;
		*width = 1;
		return;
	}
	j = b - EXACT_BELOW;
	shift = (int)(j / PER_OCTAVE) + 1;
	*lo = (double)((uint64_t)(PER_OCTAVE + j % PER_OCTAVE) << shift);
	*width = (double)((uint64_t)1 << shift);
}

static void
count(struct sm_sample *s, size_t b, uint32_t k)
{
	uint32_t **page = &s->pages[b / PAGE];

	if (*page == NULL)
		*page = xcalloc(PAGE, sizeof(**page));
	(*page)[b % PAGE] += k;
}

/* From values to counts. */
static void
to_buckets(struct sm_sample *s)
{
	s->pages = xcalloc(NPAGES, sizeof(*s->pages));
	for (size_t i = 0; i < s->n; i++)
		count(s, bucket_of(s->v[i]), 1);
	free(s->v);
	s->v = NULL;
	s->cap = 0;
}

void
sm_sample_add(struct sm_sample *s, double x)
{
	if (s->n == 0 || x < s->min)
		s->min = x;
	if (s->n == 0 || x > s->max)
		s->max = x;
	s->sum += x;
	if (s->pages == NULL && s->n == SM_SAMPLE_EXACT)
		to_buckets(s);
	if (s->pages) {
		count(s, bucket_of(x), 1);
		s->n++;
		return;
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	s->v[s->n++] = x;
	s->sorted = 0;
}

void
sm_sample_merge(struct sm_sample *s, const struct sm_sample *from)
{
	if (from->pages == NULL) {
		for (size_t i = 0; i < from->n; i++)
			sm_sample_add(s, from->v[i]);
		return;
	}
	if (s->pages == NULL)
		to_buckets(s);
	for (size_t p = 0; p < NPAGES; p++)
		for (size_t i = 0; from->pages[p] && i < PAGE; i++)
			if (from->pages[p][i])
				count(s, p * PAGE + i, from->pages[p][i]);
	if (s->n == 0 || from->min < s->min)
		s->min = from->min;
	if (s->n == 0 || from->max > s->max)
		s->max = from->max;
	s->n += from->n;
	s->sum += from->sum;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The value of rank r (0 to n - 1), from the counts: the middle of its
 * bucket, within what was seen. */
static double
rank_value(const struct sm_sample *s, size_t r)
{
	size_t seen = 0;
	double lo, width, v;

	for (size_t p = 0; p < NPAGES; p++) {
		if (s->pages[p] == NULL)
			continue;
		for (size_t i = 0; i < PAGE; i++) {
			seen += s->pages[p][i];
			if (seen <= r)
				continue;
			bucket_bounds(p * PAGE + i, &lo, &width);
			v = width > 1 ? lo + width / 2 : lo;
			return v < s->min ? s->min : v > s->max ? s->max : v;
		}
	}
	return s->max;
}

double
sm_sample_quantile(struct sm_sample *s, double q)
{
	double h, lo, hi;
	size_t i;

	if (s->n == 0)
		return NAN;
	if (q <= 0)
		return s->min;
	if (q >= 1)
		return s->max;
	h = (double)(s->n - 1) * q;
	i = (size_t)h;
	if (s->pages) {
		lo = rank_value(s, i);
		hi = i + 1 < s->n ? rank_value(s, i + 1) : lo;
	} else {
		if (!s->sorted) {
			qsort(s->v, s->n, sizeof(*s->v), cmp_double);
			s->sorted = 1;
		}
		lo = s->v[i];
		hi = i + 1 < s->n ? s->v[i + 1] : lo;
	}
	return lo + (h - (double)i) * (hi - lo);
}

double
sm_sample_mean(const struct sm_sample *s)
{
	return s->n ? s->sum / (double)s->n : NAN;
}

void
sm_sample_buckets(const struct sm_sample *s, const double *edges,
    size_t nedges, size_t *counts)
{
	double lo, width;
	size_t b;

	for (size_t i = 0; i <= nedges; i++)
		counts[i] = 0;
	if (s->pages == NULL) {
		for (size_t i = 0; i < s->n; i++) {
			for (b = 0; b < nedges && s->v[i] >= edges[b]; b++)
				;
			counts[b]++;
		}
		return;
	}
	/* a bucket an edge cuts goes by its middle */
	for (size_t p = 0; p < NPAGES; p++)
		for (size_t i = 0; s->pages[p] && i < PAGE; i++) {
			if (s->pages[p][i] == 0)
				continue;
			bucket_bounds(p * PAGE + i, &lo, &width);
			lo += width > 1 ? width / 2 : 0;
			for (b = 0; b < nedges && lo >= edges[b]; b++)
				;
			counts[b] += s->pages[p][i];
		}
}

void
sm_sample_free(struct sm_sample *s)
{
	free(s->v);
	if (s->pages)
		for (size_t p = 0; p < NPAGES; p++)
			free(s->pages[p]);
	free(s->pages);
	memset(s, 0, sizeof(*s));
}

static double
xlnx(double x, double e)
{
	return x > 0 && e > 0 ? x * log(x / e) : 0;
}

double
sm_keyness(double a, double b, double c, double d)
{
	double e1, e2, g2;

	if (c <= 0 || d <= 0)
		return 0;
	e1 = c * (a + b) / (c + d);
	e2 = d * (a + b) / (c + d);
	g2 = 2 * (xlnx(a, e1) + xlnx(b, e2));
	return a / c < b / d ? -g2 : g2;
}
