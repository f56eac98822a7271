/* test_prefilter.c - the words a regex must start with */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sm/prefilter.h"
#include "sm/text.h"
#include "sm/util.h"

/* The words read off pattern, space-separated, or "-" when none. */
static void
words_of(const char *pattern, const char *want)
{
	struct sm_prefilter *pf = sm_prefilter_new();
	char words[4096], got[4096] = "";
	int ok = sm_prefilter_add(pf, pattern, 0, words, sizeof(words));

	if (!ok) {
		strcpy(got, "-");
	} else {
		for (char *w = words; *w; w += strlen(w) + 1) {
			if (*got)
				strcat(got, " ");
			strcat(got, w);
		}
	}
	if (strcmp(got, want) != 0)
		print_error("pattern %s\n  want: %s\n  got:  %s\n", pattern, want,
		    got);
	assert_string_equal(got, want);
	sm_prefilter_free(pf);
}

static void
test_words(void **state)
{
	(void)state;
	words_of("(?<!\\p{L})recibos?(?!\\p{L})", "recibos recibo");
	words_of("(?<!\\p{L})(sigue|siguen) (igual|sin)(?!\\p{L})",
	    "sigue siguen | igual sin");
	words_of("\\b(parking|parked)\\b", "parking parked");
	words_of("(?<!\\p{L})(cuándo|dónde)(?!\\p{L})", "cuando donde");
	words_of("(?<!\\p{L})l[ií]neas?\\s+\\w+", "lineas linea");
	words_of("\\b(trains?|bus station)\\b", "trains train bus");
	words_of("(?<!\\p{L})(?:no|ya) (me |nos )?(funciona)(?!\\p{L})",
	    "no ya | me nos funciona");
	words_of("(?<!\\p{L})(faltan?|hacen? falta)", "-");
	words_of("\\bfire\\s+(in|at)", "fire");
	words_of("(?<!\\p{L})covid19", "covid");
	words_of("(?<!\\p{L})l'ajuntament", "l");
	words_of("\\bCALLE\\b", "calle");
	/* every place of a match is required: each is filed */
	words_of("(?<!\\p{L})(me|te) (va|van) a matar(?!\\p{L})",
	    "me te | va van | a | matar");
	words_of("(?<!\\p{L})(me|nos) (puede|pueden) explicar",
	    "me nos | puede pueden");
	words_of("(?<!\\p{L})no (me |nos )?(funciona)(?!\\p{L})",
	    "no | me nos funciona");
}

static void
test_always_runs(void **state)
{
	(void)state;
	/* a match may start inside a word */
	words_of("huele (mucho )?a gas", "-");
	words_of("¿", "-");
	words_of("\\?(?![\\p{L}])", "-");
	/* the first word may go on: more letters, or anything */
	words_of("(?<!\\p{L})seinale\\p{L}*", "-");
	words_of("(?<!\\p{L})multa", "-");
	words_of("(?<!\\p{L})multa.", "-");
	words_of("\\bmult\\w+\\b", "-");
	words_of("\\bmulta+\\b", "-");
	/* an alternation outside a group, lookarounds, flags */
	words_of("\\bmulta\\b|sancion", "-");
	words_of("\\bmulta grave\\b|sancion", "-");
	words_of("(?<!\\p{L})(?=[\\p{L}*]*\\*)(m[i*]erda)(?!\\p{L})", "-");
	words_of("\\b(?i:text|txt)\\s", "-");
	words_of("(?<!\\d)\\d{5,}(?!\\d)", "-");
	/* an optional first word: the match may start with anything */
	words_of("(?<!\\p{L})(muy )?(mal)(?!\\p{L})", "muy mal");
	words_of("(?<!\\p{L})(a|)b\\b", "ab b");
	/* unbalanced or strange */
	words_of("\\b(abc", "-");
	words_of("\\b[a-z]+\\b", "-");
}

/* scan arms a regex exactly when one of its words stands whole. */
static void
test_scan(void **state)
{
	struct sm_prefilter *pf = sm_prefilter_new();
	struct sm_buf folded = { 0 };
	unsigned armed[3] = { 0 };
	static const struct {
		const char *text;
		unsigned want[3];
	} cases[] = {
		{ "Sigue sin pasar el camión", { 1, 0, 0 } },
		{ "¿CUÁNDO vienen?", { 0, 1, 0 } },
		{ "cuandoquiera", { 0, 0, 0 } },
		{ "recogida: 12-cuando, parkings", { 0, 1, 0 } },
		{ "PARKING lleno; sigue", { 1, 0, 1 } },
		{ "", { 0, 0, 0 } },
	};

	(void)state;
	assert_int_equal(sm_prefilter_add(pf, "(?<!\\p{L})(sigue|siguen) sin",
	    0, NULL, 0), 1);
	assert_int_equal(sm_prefilter_add(pf, "(?<!\\p{L})cu[aá]ndo(?!\\p{L})",
	    1, NULL, 0), 1);
	assert_int_equal(sm_prefilter_add(pf, "\\bparking\\b", 2, NULL, 0), 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sm_buf_reset(&folded);
		sm_text_fold(&folded, cases[i].text, strlen(cases[i].text));
		sm_prefilter_scan(pf, folded.data ? folded.data : "",
		    folded.len, armed, (unsigned)i + 1);
		for (size_t k = 0; k < 3; k++)
			if ((armed[k] == i + 1) != cases[i].want[k]) {
				print_error("text '%s' regex %zu\n",
				    cases[i].text, k);
				fail();
			}
	}
	sm_buf_free(&folded);
	sm_prefilter_free(pf);
}

/* A regex is armed only where a word of each of its places stands. */
static void
test_scan_every_place(void **state)
{
	struct sm_prefilter *pf = sm_prefilter_new();
	struct sm_buf folded = { 0 };
	unsigned armed[1] = { 0 };
	static const struct {
		const char *text;
		unsigned want;
	} cases[] = {
		{ "Me van a matar", 1 },
		{ "matar te va a costar", 1 },	/* the regex decides */
		{ "me va a costar", 0 },
		{ "van a matar al bicho", 0 },
		{ "me matar", 0 },
	};

	(void)state;
	assert_int_equal(sm_prefilter_add(pf, "(?<!\\p{L})(me|te) (va|van) "
	    "a matar(?!\\p{L})", 0, NULL, 0), 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sm_buf_reset(&folded);
		sm_text_fold(&folded, cases[i].text, strlen(cases[i].text));
		sm_prefilter_scan(pf, folded.data, folded.len, armed,
		    (unsigned)i + 1);
		if ((armed[0] == i + 1) != cases[i].want)
			fail_msg("text '%s': armed %d", cases[i].text,
			    armed[0] == i + 1);
	}
	sm_buf_free(&folded);
	sm_prefilter_free(pf);
}

/* Scanning an analyzed text's tokens arms what scanning its folded text
 * does, whatever the tokens are made of. */
static void
test_scan_text(void **state)
{
	static const char *const words[] = {
		"sin", "cuando", "parking", "ayto", "es", "www", "https", "h",
		"abc", "def", "senal", "αβγ", "calle", "x", "ok",
	};
	static const char *const texts[] = {
		"Sigue sin pasar el camión, @ayto.es cuando?",
		"https://www.ayto.es/parking?x=1 y www.calle.es #parking24h",
		"24h sin luz; abc_def 3,5 1.250 ok😀ok señal αβγ-δ",
		"correo@ayto.es #sin #Cuando_ya h2o x-ray ok.ok",
		"", "   ", "…¿¡!?",
	};
	const size_t nw = sizeof(words) / sizeof(words[0]);
	struct sm_prefilter *pf = sm_prefilter_new();
	struct sm_buf folded = { 0 };
	struct sm_text t = { 0 };
	unsigned byrun[sizeof(words) / sizeof(words[0])] = { 0 };
	unsigned bytok[sizeof(words) / sizeof(words[0])] = { 0 };
	char pat[64];

	(void)state;
	for (size_t k = 0; k < nw; k++) {
		snprintf(pat, sizeof(pat), "(?<!\\p{L})%s(?!\\p{L})", words[k]);
		assert_int_equal(sm_prefilter_add(pf, pat, k, NULL, 0), 1);
	}
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		unsigned stamp = (unsigned)i + 1;

		sm_buf_reset(&folded);
		sm_text_fold(&folded, texts[i], strlen(texts[i]));
		sm_prefilter_scan(pf, folded.data ? folded.data : "",
		    folded.len, byrun, stamp);
		sm_text_analyze(&t, texts[i], strlen(texts[i]));
		sm_prefilter_scan_text(pf, &t, bytok, stamp);
		for (size_t k = 0; k < nw; k++)
			if ((byrun[k] == stamp) != (bytok[k] == stamp)) {
				print_error("text '%s' word %s: runs %d, "
				    "tokens %d\n", texts[i], words[k],
				    byrun[k] == stamp, bytok[k] == stamp);
				fail();
			}
	}
	assert_int_equal(byrun[3], 4);	/* "ayto" stood in the fourth */
	sm_text_free(&t);
	sm_buf_free(&folded);
	sm_prefilter_free(pf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_always_runs),
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_scan_every_place),
		cmocka_unit_test(test_scan_text),
	};

	return cmocka_run_group_tests_name("prefilter", tests, NULL, NULL);
}
