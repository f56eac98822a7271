/* test_features.c - what a message's features are: character n-grams of
 * chunks or of words, and a model that keeps which */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sm/features.h"
#include "sm/message.h"
#include "sm/model.h"
#include "sm/text.h"

/* The features of text under f, with their names. */
static void
featurize(const struct sm_features *f, const char *text, struct sm_fvec *fv)
{
	struct sm_message msg;
	struct sm_stemmer *st = sm_stemmer_new();
	json_t *rec = json_pack("{s:s,s:s}", "text", text, "lang", "en");

	sm_message_init(&msg, st);
	sm_message_analyze(&msg, rec);
	fv->keep_names = 1;
	sm_featurize(f, &msg, rec, fv);
	sm_message_free(&msg);
	sm_stemmer_free(st);
	json_decref(rec);
}

/* Whether fv has the feature named name, and its count. */
static float
count(const struct sm_fvec *fv, const char *name)
{
	for (size_t e = 0; e < fv->n; e++)
		if (strcmp(fv->names.data + fv->name_off[e], name) == 0)
			return fv->val[e];
	return 0;
}

static void
test_chunks(void **state)
{
	struct sm_features f = SM_FEATURES_DEFAULT;
	struct sm_fvec fv = { 0 };

	(void)state;
	assert_int_equal(f.char_scope, SM_CHARS_CHUNKS);
	featurize(&f, "WIN £1000 now!! call 08001234 fr33", &fv);
	/* numbers, prices and obfuscated words give n-grams as written */
	assert_true(count(&fv, "c:<080") > 0);
	assert_true(count(&fv, "c:£1") > 0);
	assert_true(count(&fv, "c:r33>") > 0);
	/* punctuation goes with its word */
	assert_true(count(&fv, "c:w!!>") > 0);
	assert_true(count(&fv, "c:<now") > 0);
	assert_true(count(&fv, "c:ow>") == 0);
	/* the words' own features are as before */
	assert_true(count(&fv, "w:win") > 0);
	assert_true(fv.split > 0 && fv.split < fv.n);
	for (size_t e = 0; e < fv.split; e++)
		assert_true(fv.names.data[fv.name_off[e]] != 'c');
	for (size_t e = fv.split; e < fv.n; e++)
		assert_true(fv.names.data[fv.name_off[e]] == 'c');
	sm_fvec_free(&fv);
}

static void
test_words(void **state)
{
	struct sm_features f = SM_FEATURES_DEFAULT;
	struct sm_fvec fv = { 0 };

	(void)state;
	f.char_scope = SM_CHARS_WORDS;
	featurize(&f, "WIN £1000 now!! call 08001234 fr33", &fv);
	assert_true(count(&fv, "c:<now>") > 0);
	assert_true(count(&fv, "c:<080") == 0);
	assert_true(count(&fv, "c:w!!>") == 0);
	sm_fvec_free(&fv);
}

/* A chunk longer than the longest kept gives n-grams of its start, with
 * no end mark; repeats are counted once per occurrence. */
static void
test_long_chunk(void **state)
{
	struct sm_features f = SM_FEATURES_DEFAULT;
	struct sm_fvec fv = { 0 };
	char text[600];

	(void)state;
	memset(text, 'a', 500);
	strcpy(text + 500, "zz aa aa");
	featurize(&f, text, &fv);
	assert_true(count(&fv, "c:<aa") >= 1);
	assert_true(count(&fv, "c:<aa>") == 2);
	assert_true(count(&fv, "c:az") == 0);
	assert_true(count(&fv, "c:zz") == 0);
	sm_fvec_free(&fv);
}

/* Saves a two-label model of features f and loads it back. */
static struct sm_model *
roundtrip(const struct sm_features *f, const char *path)
{
	char **labels = calloc(2, sizeof(*labels));
	uint32_t *bucket = calloc(1, sizeof(*bucket));
	float *idf = calloc(1, sizeof(*idf)), *w = calloc(2, sizeof(*w));
	float *bias = calloc(2, sizeof(*bias));
	struct sm_model *m;
	struct sm_error err = { 0 };

	labels[0] = strdup("ham");
	labels[1] = strdup("spam");
	idf[0] = 1;
	w[1] = 1;
	m = sm_model_new(f, labels, 2, 1, bucket, idf, w, bias, NULL);
	assert_int_equal(sm_model_save(m, path, &err), 0);
	sm_model_free(m);
	m = sm_model_load(path, &err);
	assert_non_null(m);
	return m;
}

static void
test_model_keeps_scope(void **state)
{
	struct sm_features f = SM_FEATURES_DEFAULT;
	char path[] = "/tmp/sm-features-test.XXXXXX";
	struct sm_model *m;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	m = roundtrip(&f, path);
	assert_int_equal(sm_model_features(m)->char_scope, SM_CHARS_CHUNKS);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    sm_model_info(m), "features"), "char_scope")), "chunks");
	sm_model_free(m);
	f.char_scope = SM_CHARS_WORDS;
	m = roundtrip(&f, path);
	assert_int_equal(sm_model_features(m)->char_scope, SM_CHARS_WORDS);
	sm_model_free(m);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chunks),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_long_chunk),
		cmocka_unit_test(test_model_keeps_scope),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
