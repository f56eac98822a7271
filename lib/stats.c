/* stats.c - figures of a sample: exact quantiles, mean, shares in buckets */
#include <math.h>
#include <stdlib.h>

#include "sm/stats.h"
#include "sm/util.h"

void
sm_sample_add(struct sm_sample *s, double x)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	s->v[s->n++] = x;
	s->sum += x;
	s->sorted = 0;
}

void
sm_sample_merge(struct sm_sample *s, const struct sm_sample *from)
{
	for (size_t i = 0; i < from->n; i++)
		sm_sample_add(s, from->v[i]);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double
sm_sample_quantile(struct sm_sample *s, double q)
{
	double h, lo;
	size_t i;

	if (s->n == 0)
		return NAN;
	if (!s->sorted) {
		qsort(s->v, s->n, sizeof(*s->v), cmp_double);
		s->sorted = 1;
	}
	if (q <= 0)
		return s->v[0];
	if (q >= 1)
		return s->v[s->n - 1];
	h = (double)(s->n - 1) * q;
	i = (size_t)h;
	lo = s->v[i];
	if (i + 1 >= s->n)
		return lo;
	return lo + (h - (double)i) * (s->v[i + 1] - lo);
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
	for (size_t i = 0; i <= nedges; i++)
		counts[i] = 0;
	for (size_t i = 0; i < s->n; i++) {
		size_t b = 0;

		while (b < nedges && s->v[i] >= edges[b])
			b++;
		counts[b]++;
	}
}

void
sm_sample_free(struct sm_sample *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
	s->sum = 0;
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
