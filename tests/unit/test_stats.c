/* test_stats.c - quantiles, means, buckets and keyness, by hand */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sm/calendar.h"
#include "sm/stats.h"

static void
fill(struct sm_sample *s, const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sm_sample_add(s, v[i]);
}

static void
test_empty(void **state)
{
	struct sm_sample s = { 0 };
	size_t c[3];
	double e[2] = { 1, 2 };

	assert_true(isnan(sm_sample_quantile(&s, 0.5)));
	assert_true(isnan(sm_sample_mean(&s)));
	sm_sample_buckets(&s, e, 2, c);
	assert_int_equal(c[0] + c[1] + c[2], 0);
	sm_sample_free(&s);
}

static void
test_quantiles(void **state)
{
	/* unsorted on purpose; sorted: 1200 5400 12600 140400 230400 */
	static const double v[] = { 230400, 5400, 140400, 1200, 12600 };
	struct sm_sample s = { 0 };

	fill(&s, v, 5);
	assert_true(sm_sample_quantile(&s, 0.5) == 12600);
	/* (5 - 1) * 0.9 = 3.6: 140400 + 0.6 * 90000 */
	assert_true(sm_sample_quantile(&s, 0.9) == 194400);
	assert_true(sm_sample_quantile(&s, 0) == 1200);
	assert_true(sm_sample_quantile(&s, 1) == 230400);
	assert_true(sm_sample_mean(&s) == 78000);
	/* an even count: the mean of the two in the middle */
	sm_sample_add(&s, 0);
	assert_true(sm_sample_quantile(&s, 0.5) == (5400 + 12600) / 2);
	sm_sample_free(&s);
}

static void
test_one(void **state)
{
	struct sm_sample s = { 0 };

	sm_sample_add(&s, 42);
	assert_true(sm_sample_quantile(&s, 0.5) == 42);
	assert_true(sm_sample_quantile(&s, 0.9) == 42);
	sm_sample_free(&s);
}

static void
test_merge(void **state)
{
	struct sm_sample a = { 0 }, b = { 0 };
	static const double v[] = { 1, 2, 3 }, w[] = { 10, 20 };

	fill(&a, v, 3);
	fill(&b, w, 2);
	sm_sample_quantile(&a, 0.5);	/* sorted, then added to */
	sm_sample_merge(&a, &b);
	assert_int_equal(a.n, 5);
	assert_true(sm_sample_quantile(&a, 0.5) == 3);
	assert_true(sm_sample_mean(&a) == 36.0 / 5);
	sm_sample_free(&a);
	sm_sample_free(&b);
}

static void
test_buckets(void **state)
{
	static const double edges[] = { 3600, 14400, 28800, 86400 };
	static const double v[] = { 0, 3599, 3600, 14399, 28800, 86399,
	    86400, 1e9 };
	struct sm_sample s = { 0 };
	size_t c[5];

	fill(&s, v, 8);
	sm_sample_buckets(&s, edges, 4, c);
	assert_int_equal(c[0], 2);	/* an edge belongs above */
	assert_int_equal(c[1], 2);
	assert_int_equal(c[2], 0);
	assert_int_equal(c[3], 2);
	assert_int_equal(c[4], 2);
	sm_sample_free(&s);
}

static void
test_keyness(void **state)
{
	/* 10 in 1000 words against 10 in 10000: expected 1.82 and 18.18,
	 * G2 = 22.14 */
	double g = sm_keyness(10, 10, 1000, 10000);
	double e1 = 1000.0 * 20 / 11000, e2 = 10000.0 * 20 / 11000;
	double hand = 2 * (10 * log(10 / e1) + 10 * log(10 / e2));

	assert_true(fabs(g - hand) < 1e-9);
	assert_true(g > 22.13 && g < 22.14);
	assert_true(sm_keyness(10, 10, 10000, 1000) == -g);
	assert_true(sm_keyness(0, 5, 100, 100) < 0);
	assert_true(sm_keyness(3, 3, 100, 100) == 0);
	assert_true(sm_keyness(3, 3, 0, 100) == 0);
}

static void
test_sla_parse(void **state)
{
	enum sm_sla k;
	double n;

	assert_int_equal(sm_sla_parse("8 business hours", &k, &n), 0);
	assert_int_equal(k, SM_SLA_BUSINESS_HOURS);
	assert_true(n == 8);
	assert_int_equal(sm_sla_parse("2 days", &k, &n), 0);
	assert_int_equal(k, SM_SLA_HOURS);
	assert_true(n == 48);
	assert_int_equal(sm_sla_parse("20 business days", &k, &n), 0);
	assert_int_equal(k, SM_SLA_BUSINESS_DAYS);
	assert_int_equal(sm_sla_parse("1.5 business days", &k, &n), -1);
	assert_int_equal(sm_sla_parse("soon", &k, &n), -1);
	assert_int_equal(sm_sla_parse("-1 hours", &k, &n), -1);
	assert_int_equal(sm_sla_parse("3 weeks", &k, &n), -1);
}

/*
 * Past SM_SAMPLE_EXACT values, counts in buckets: quantiles within 1/2048
 * of the exact ones, the mean and the shares below an hour, 4 and 8 hours
 * and a day exact.  The values: 7919 * i mod 200,000 seconds, every one
 * of 0 to 199,999 once.
 */
static void
test_many(void **state)
{
	static const double e[] = { 3600, 14400, 28800, 86400 };
	struct sm_sample s = { 0 }, exact = { 0 };
	size_t c[5], n = 200000;
	double q[] = { 0.1, 0.5, 0.9, 0.99 };

	(void)state;
	for (size_t i = 0; i < n; i++)
		sm_sample_add(&s, (double)(i * 7919 % n));
	assert_null(s.v);
	assert_int_equal(s.n, n);
	assert_true(sm_sample_mean(&s) == (double)(n - 1) / 2);
	assert_true(sm_sample_quantile(&s, 0) == 0);
	assert_true(sm_sample_quantile(&s, 1) == (double)(n - 1));
	for (size_t i = 0; i < 4; i++) {
		double want = (double)(n - 1) * q[i];	/* 0..n-1, each once */
		double got = sm_sample_quantile(&s, q[i]);

		assert_true(fabs(got - want) <= want / 2048 + 1);
	}
	sm_sample_buckets(&s, e, 4, c);
	assert_int_equal(c[0], 3600);
	assert_int_equal(c[1], 14400 - 3600);
	assert_int_equal(c[2], 28800 - 14400);
	assert_int_equal(c[3], 86400 - 28800);
	assert_int_equal(c[4], n - 86400);

	/* a small sample merged into a large one, and the other way */
	for (size_t i = 0; i < 10; i++)
		sm_sample_add(&exact, 1000000);
	assert_non_null(exact.v);
	sm_sample_merge(&exact, &s);
	assert_null(exact.v);
	assert_int_equal(exact.n, n + 10);
	assert_true(sm_sample_quantile(&exact, 1) == 1000000);
	sm_sample_merge(&s, &exact);
	assert_int_equal(s.n, 2 * n + 10);
	assert_true(sm_sample_mean(&s) == (2 * (double)(n - 1) / 2 * (double)n
	    + 1e7) / (double)(2 * n + 10));
	sm_sample_free(&s);
	sm_sample_free(&exact);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_quantiles),
		cmocka_unit_test(test_one),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_keyness),
		cmocka_unit_test(test_sla_parse),
	};

	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
