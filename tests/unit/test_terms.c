/* test_terms.c - characteristic terms, rising terms, bounded memory */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sm/stats.h"
#include "sm/terms.h"

static void
add(struct sm_terms *t, const char *cls, const char *text)
{
	sm_terms_add(t, sm_terms_class(t, cls), text, strlen(text));
}

static int
has(const struct sm_term *top, size_t n, const char *text)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(top[i].text, text) == 0)
			return 1;
	return 0;
}

static void
test_characteristic(void **state)
{
	struct sm_terms *t = sm_terms_new(0);
	struct sm_term top[5];
	size_t n;

	(void)state;
	for (int i = 0; i < 6; i++) {
		add(t, "rubbish", "El contenedor de la calle Mayor está lleno, "
		    "el contenedor huele");
		add(t, "lights", "La farola de la calle Mayor no funciona");
	}
	add(t, "rubbish", "Nadie recoge la basura en la calle");
	assert_int_equal(sm_terms_nclasses(t), 2);
	assert_int_equal(sm_terms_messages(t, 0), 7);
	n = sm_terms_top(t, 0, 3, top, 5);
	assert_true(n >= 2);
	/* counted once a message, though written twice */
	assert_string_equal(top[0].text, "contenedor");
	assert_int_equal(top[0].n, 6);
	assert_int_equal(top[0].rest, 0);
	assert_true(top[0].keyness > 0);
	assert_true(has(top, n, "mayor esta") || has(top, n, "calle mayor") ||
	    has(top, n, "contenedor huele"));
	/* shared by both: not characteristic; function words never; and
	 * "basura", seen once, is under the minimum */
	assert_false(has(top, n, "calle"));
	assert_false(has(top, n, "mayor"));
	assert_false(has(top, n, "la"));
	assert_false(has(top, n, "basura"));
	for (size_t i = 1; i < n; i++)
		assert_true(top[i - 1].keyness >= top[i].keyness);
	n = sm_terms_top(t, 1, 3, top, 5);
	assert_true(has(top, n, "farola"));
	assert_true(has(top, n, "funciona"));
	assert_false(has(top, n, "contenedor"));
	sm_terms_free(t);
}

static void
test_alone_and_hashtags(void **state)
{
	struct sm_terms *t = sm_terms_new(0);
	struct sm_term top[3];
	size_t n;

	(void)state;
	/* one class: its most shared terms; numbers, links, mentions out */
	for (int i = 0; i < 4; i++)
		add(t, "all", "#PresupuestosParticipativos 2026 @alcaldia "
		    "https://example.org parque infantil");
	add(t, "all", "parque");
	n = sm_terms_top(t, 0, 2, top, 3);
	assert_int_equal(n, 3);
	assert_string_equal(top[0].text, "parque");
	assert_int_equal(top[0].n, 5);
	assert_true(has(top, n, "#presupuestosparticipativos"));
	assert_false(has(top, n, "2026"));
	assert_false(has(top, n, "@alcaldia"));
	sm_terms_free(t);
}

static void
test_rising(void **state)
{
	struct sm_terms *now = sm_terms_new(0), *before = sm_terms_new(0);
	struct sm_term top[4];
	size_t n;

	(void)state;
	for (int i = 0; i < 10; i++) {
		add(before, "all", "ruido del bar por la noche");
		add(now, "all", i < 7 ? "ratas en el parque" :
		    "ruido del bar por la noche");
	}
	n = sm_terms_rising(now, before, 3, top, 4);
	assert_true(n >= 1);
	/* equal keyness: in the order of their text */
	assert_string_equal(top[0].text, "parque");
	assert_string_equal(top[1].text, "ratas");
	assert_int_equal(top[1].n, 7);
	assert_int_equal(top[1].rest, 0);
	assert_false(has(top, n, "ruido"));
	/* nothing before: nothing can be said to rise */
	sm_terms_free(before);
	before = sm_terms_new(0);
	assert_int_equal(sm_terms_rising(now, before, 1, top, 4), 0);
	sm_terms_free(now);
	sm_terms_free(before);
}

static void
test_bounded(void **state)
{
	struct sm_terms *t = sm_terms_new(1000);
	struct sm_term top[2];
	char text[64];
	size_t n;

	(void)state;
	/* twenty thousand words seen once, and one seen in every message:
	 * the rare ones go, the frequent one stays, counted right */
	for (int i = 0; i < 20000; i++) {
		snprintf(text, sizeof(text), "farola w%dx", i);
		add(t, "all", text);
	}
	n = sm_terms_top(t, 0, 1, top, 2);
	assert_true(n >= 1);
	assert_string_equal(top[0].text, "farola");
	assert_int_equal(top[0].n, 20000);
	sm_terms_free(t);
}

static void
test_score(void **state)
{
	struct sm_terms *t = sm_terms_new(0);
	struct sm_term top[4];
	size_t n;
	const char *typical = "El contenedor de la plaza está lleno";
	const char *other = "Hola, buenos días";

	(void)state;
	for (int i = 0; i < 5; i++) {
		add(t, "a", "contenedor lleno en la plaza");
		add(t, "b", "farola rota");
	}
	n = sm_terms_top(t, 0, 2, top, 4);
	assert_true(sm_terms_score(t, top, n, typical, strlen(typical)) >
	    sm_terms_score(t, top, n, other, strlen(other)));
	assert_true(sm_terms_score(t, top, n, other, strlen(other)) == 0);
	sm_terms_free(t);
}

static void
test_names(void **state)
{
	struct sm_terms *t = sm_terms_new(0);
	struct sm_term top[8];
	size_t n;

	(void)state;
	/* a name inside a sentence, or after a greeting's comma and a new
	 * line; a capital that starts a sentence is not a name */
	add(t, "social", "Gracias a Lucía, la trabajadora social. Atención "
	    "excelente");
	add(t, "social", "Un cordial saludo,\nLucía Prieto. Atención rápida");
	add(t, "other", "nada que ver");
	n = sm_terms_top(t, 0, 2, top, 8);
	assert_true(has(top, n, "lucia"));
	assert_true(has(top, n, "atencion"));
	sm_terms_no_names(t, 1);
	n = sm_terms_top(t, 0, 2, top, 8);
	assert_false(has(top, n, "lucia"));
	assert_true(has(top, n, "atencion"));
	sm_terms_free(t);
}

/* Counted folded, shown as written: accents, lower case; phrases too. */
static void
test_spelling(void **state)
{
	struct sm_terms *t = sm_terms_new(0);
	struct sm_term top[10];
	size_t n, i;
	int word = 0, phrase = 0;

	(void)state;
	add(t, "heating", "la calefaccion rota otra vez en el colegio");
	add(t, "heating", "La Calefacción rota, hace frío en el colegio");
	add(t, "heating", "CALEFACCIÓN ROTA");
	add(t, "lights", "la farola de la plaza");
	add(t, "lights", "otra farola sin luz");
	n = sm_terms_top(t, (size_t)sm_terms_class(t, "heating"), 2, top, 10);
	for (i = 0; i < n; i++) {
		if (strcmp(top[i].text, "calefaccion") == 0) {
			assert_string_equal(top[i].shown, "calefacción");
			word = 1;
		}
		if (strcmp(top[i].text, "calefaccion rota") == 0) {
			assert_string_equal(top[i].shown, "calefacción rota");
			phrase = 1;
		}
		if (strcmp(top[i].text, "colegio") == 0)
			assert_string_equal(top[i].shown, "colegio");
	}
	assert_true(word && phrase);
	sm_terms_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spelling),
		cmocka_unit_test(test_characteristic),
		cmocka_unit_test(test_alone_and_hashtags),
		cmocka_unit_test(test_rising),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_score),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("terms", tests, NULL, NULL);
}
