/*
 * test_pick.c - sm_pick_parse takes what json_loadb takes, and gives the
 * same values at the paths picked: on chosen lines, on JSONTestSuite's
 * files, and on lines mutated at random.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "sm/jsonl.h"
#include "sm/pick.h"
#include "sm/util.h"

static const char *const picked[] = {
	"id", "kind", "classify.topic", "classify.sentiment", "reply",
	"a.b.c", "n"
};
/* the picked paths, and paths below those picked whole */
static const char *const probes[] = {
	"id", "kind", "classify.topic", "classify.sentiment", "reply",
	"reply.sent_at", "reply.x.y", "a.b.c", "a.b.c.d", "n"
};

static struct sm_pick *
new_pick(void)
{
	struct sm_pick *p = sm_pick_new();

	for (size_t i = 0; i < sizeof(picked) / sizeof(picked[0]); i++)
		sm_pick_add(p, picked[i]);
	return p;
}

/*
 * Checks one text: if sm_pick_parse takes it, jansson takes it and every
 * probe finds the same value in both.  Returns 1 when sm_pick_parse took
 * it, 0 when it left it, and sets *jansson_took.
 */
static int
same(struct sm_pick *p, const char *text, size_t n, int *jansson_took)
{
	json_error_t jerr;
	json_t *full = json_loadb(text, n, JSON_DECODE_ANY | JSON_ALLOW_NUL,
	    &jerr), *strict;
	int dup = -1;
	json_t *part = sm_pick_parse(p, text, n, &dup);

	*jansson_took = full != NULL && json_is_object(full);
	if (part) {
		if (!*jansson_took)
			fail_msg("picked a line jansson refuses: %.*s", (int)n,
			    text);
		/* a key named twice, as jansson finds it */
		strict = json_loadb(text, n, JSON_DECODE_ANY | JSON_ALLOW_NUL |
		    JSON_REJECT_DUPLICATES, &jerr);
		if (dup != (strict == NULL))
			fail_msg("a key twice: %d, jansson %d: %.*s", dup,
			    strict == NULL, (int)n, text);
		json_decref(strict);
		for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
			json_t *a = sm_record_get(part, probes[i]);
			json_t *b = sm_record_get(full, probes[i]);

			if ((a == NULL) != (b == NULL) ||
			    (a && !json_equal(a, b)))
				fail_msg("%s differs in: %.*s", probes[i], (int)n,
				    text);
		}
	}
	json_decref(full);
	json_decref(part);
	return part != NULL;
}

static void
test_values(void **state)
{
	struct sm_pick *p = new_pick();
	const char *line = "{\"id\":\"x:1\",\"text\":\"caf\\u00e9 \\ud83d\\ude00\","
	    "\"kind\":\"mention\",\"classify\":{\"topic\":\"noise\",\"other\":"
	    "[1,2,{\"z\":3}],\"sentiment\":\"negative\"},\"reply\":{\"sent_at\":"
	    "\"2026-11-02T14:00:00Z\",\"auto\":true,\"n\":-1.5e3,\"i\":12345678"
	    "901234},\"a\":{\"b\":{\"c\":[null,false],\"d\":1},\"e\":2},"
	    "\"n\":9223372036854775807}";
	json_t *o;
	int took;

	(void)state;
	assert_int_equal(same(p, line, strlen(line), &took), 1);
	o = sm_pick_parse(p, line, strlen(line), NULL);
	assert_non_null(o);
	/* nothing else is built */
	assert_null(json_object_get(o, "text"));
	assert_null(json_object_get(json_object_get(o, "classify"), "other"));
	assert_null(sm_record_get(o, "a.e"));
	assert_null(sm_record_get(o, "a.b.d"));
	assert_string_equal(sm_record_get(o, "classify.topic") ?
	    json_string_value(sm_record_get(o, "classify.topic")) : "", "noise");
	assert_true(json_is_integer(json_object_get(o, "n")));
	assert_true(json_is_real(sm_record_get(o, "reply.n")));
	json_decref(o);
	sm_pick_free(p);
}

/* Lines both must take, and lines both must refuse. */
static void
test_lines(void **state)
{
	static const char *const good[] = {
		"{}", " {\"id\":\"1\"} \r\n", "{\"\":1,\"id\":\"\\u0000\"}",
		"{\"id\":\"a\",\"id\":\"b\"}",
		"{\"classify\":{\"topic\":\"a\"},\"classify\":\"x\"}",
		"{\"classify\":\"x\",\"classify\":{\"topic\":\"a\"}}",
		"{\"classify\":[{\"topic\":1}]}",
		"{\"n\":-0}", "{\"n\":0.5e-400}", "{\"n\":1E+2}",
		"{\"n\":-9223372036854775808}", "{\"x\":[[[[]]]],\"y\":{}}",
		"{\"reply\":{\"a\":[true,false,null,\"\\\\\\/\\b\\f\\n\\r\\t\"]}}",
		"{\"s\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"}",
		"{\"a\":{\"x\":1,\"y\":2,\"x\":3},\"id\":\"a key twice, below\"}",
	};
	/* lines jansson takes and sm_pick leaves to it: keys written with
	 * escapes (told apart by their bytes, "id" and "i\u0064" would not
	 * be), objects of more than 64 keys */
	static const char *const left[] = {
		"{\"k\\u00e9y\":1,\"i\\u0064\":\"escaped key\"}",
		"{\"a\":{\"\\\"\":1}}",
	};
	static const char *const bad[] = {
		"", "[]", "\"id\"", "{", "{\"id\":}", "{\"id\" \"x\"}",
		"{\"id\":\"x\",}", "{\"id\":\"x\"} x", "{\"id\":\"x\"}{}",
		"{\"n\":01}", "{\"n\":1.}", "{\"n\":.5}", "{\"n\":1e}",
		"{\"n\":-}", "{\"n\":+1}", "{\"n\":9223372036854775808}",
		"{\"n\":1e400}", "{\"n\":-1e400}", "{\"b\":truex}", "{\"b\":nul}",
		"{\"s\":\"\\x\"}", "{\"s\":\"\\u12\"}", "{\"s\":\"\\ud800\"}",
		"{\"s\":\"\\udc00\"}", "{\"s\":\"\\ud800\\u0041\"}",
		"{\"s\":\"a\tb\"}", "{\"s\":\"\xc0\xaf\"}", "{\"s\":\"\xed\xa0\x80\"}",
		"{\"s\":\"\xf4\x90\x80\x80\"}", "{\"s\":\"\xe2\x82\"}",
		"{\"s\":\"\x80\"}", "{\"s\":\"\xff\"}", "{\"\\u0000\":1}",
		"{'id':1}", "{\"id\":1 /* */}", "{\"a\":[1,]}", "{\"a\":[,1]}",
		"{\"s\":\"abc", "{\"a\":\xc3\xa9}",
	};
	struct sm_pick *p = new_pick();
	int took;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (same(p, good[i], strlen(good[i]), &took) != 1 || !took)
			fail_msg("not taken: %s", good[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (same(p, bad[i], strlen(bad[i]), &took) != 0 || took)
			fail_msg("taken: %s", bad[i]);
	}
	for (size_t i = 0; i < sizeof(left) / sizeof(left[0]); i++) {
		if (same(p, left[i], strlen(left[i]), &took) != 0 || !took)
			fail_msg("not left to jansson: %s", left[i]);
	}
	{
		struct sm_buf b = { 0 };

		sm_buf_addc(&b, '{');
		for (int i = 0; i < 65; i++)
			sm_buf_adds(&b, i ? ",\"k\":1" : "\"k\":1");
		sm_buf_addc(&b, '}');
		/* 65 keys, every one named twice or more */
		assert_int_equal(same(p, b.data, b.len, &took), 0);
		assert_true(took);
		sm_buf_free(&b);
	}
	/* a NUL byte in the text, inside a string and outside */
	assert_int_equal(same(p, "{\"s\":\"a\0b\"}", 10, &took), 0);
	assert_int_equal(same(p, "{\"s\":1}\0", 8, &took), 0);
	sm_pick_free(p);
}

/* Deeper than sm_pick goes, the line is left to jansson. */
static void
test_deep(void **state)
{
	struct sm_pick *p = new_pick();
	char text[2000];
	size_t n = 0;
	int took;

	(void)state;
	n += (size_t)sprintf(text, "{\"x\":");
	for (int i = 0; i < 600; i++)
		text[n++] = '[';
	for (int i = 0; i < 600; i++)
		text[n++] = ']';
	text[n++] = '}';
	assert_int_equal(same(p, text, n, &took), 0);
	assert_true(took);
	sm_pick_free(p);
}

static int
check_file(struct sm_pick *p, const char *path, int *left)
{
	FILE *fp = fopen(path, "rb");
	char *text;
	long n;
	int took, picked_it;

	if (fp == NULL)
		return 0;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	text = malloc((size_t)n + 1);
	if (fread(text, 1, (size_t)n, fp) != (size_t)n)
		n = 0;
	fclose(fp);
	picked_it = same(p, text, (size_t)n, &took);
	/* jansson took an object sm_pick left: only for depth */
	if (took && !picked_it)
		(*left)++;
	free(text);
	return 1;
}

/* Where JSONTestSuite is, or NULL (a user's clone has no ../shared). */
static const char *
suite_dir(void)
{
	static char path[4096];
	const char *shared = getenv("SM_SHARED");
	DIR *dir;

	if (shared == NULL)
		return NULL;
	snprintf(path, sizeof(path), "%s/data/jsontestsuite", shared);
	if ((dir = opendir(path)) == NULL)
		return NULL;
	closedir(dir);
	return path;
}

static void
test_jsontestsuite(void **state)
{
	static const char *const dirs[] = { "test_parsing", "test_transform" };
	const char *suite = suite_dir();
	struct sm_pick *p;
	char path[4096];
	int files = 0, left = 0;

	(void)state;
	assert_non_null(suite);
	p = new_pick();
	for (size_t d = 0; d < 2; d++) {
		DIR *dir;
		struct dirent *e;

		snprintf(path, sizeof(path), "%s/%s", suite, dirs[d]);
		if ((dir = opendir(path)) == NULL)
			continue;
		while ((e = readdir(dir)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s/%s", suite, dirs[d],
			    e->d_name);
			files += check_file(p, path, &left);
		}
		closedir(dir);
	}
	sm_pick_free(p);
	assert_true(files > 300);
	/* the one object too deep for sm_pick, if any, and no other */
	assert_true(left <= 1);
}

/*
 * Lines mutated at random: both agree, or sm_pick leaves it to jansson
 * and jansson refuses it too; or a mutation wrote a backslash, which in a
 * key makes sm_pick leave the line (the seeds have none: the escapes are
 * in test_lines, and any backslash here is a mutation's).
 */
static void
test_mutations(void **state)
{
	static const char *const seeds[] = {
		"{\"id\":\"mastodon:ayto:1\",\"kind\":\"mention\",\"text\":\"La "
		"farola de la calle \xc3\x91" "u\xc3\xb1" "ez no funciona\","
		"\"classify\":{\"topic\":\"lighting\",\"sentiment\":\"negative\","
		"\"score\":0.75},\"reply\":{\"status\":\"sent\",\"sent_at\":"
		"\"2026-11-02T14:00:00Z\",\"n\":[1,-2.5e3,true,null]},\"n\":12}",
		"{\"a\":{\"b\":{\"c\":{\"d\":\"\xf0\x9f\x98\x80\"}},\"x\":false},"
		"\"id\":\"e\",\"kind\":null,\"id\":\"twice\"}",
	};
	static const char alphabet[] =
	    "\"\\{}[],:0-.eE+u tfn\t\001\xc3\xa9\x80\xed\xf0";
	struct sm_pick *p = new_pick();
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	char text[512];
	int took, picked_it, both = 0;

	(void)state;
	for (int round = 0; round < 40000; round++) {
		const char *seed = seeds[round % 2];
		size_t n = strlen(seed);
		int edits = 1 + round % 3;

		memcpy(text, seed, n);
		for (int e = 0; e < edits; e++) {
			size_t at;
			char c;

			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			at = (size_t)(rng % n);
			c = alphabet[(rng >> 32) % (sizeof(alphabet) - 1)];
			switch ((rng >> 40) % 3) {
			case 0:	/* replace */
				text[at] = c;
				break;
			case 1:	/* insert */
				memmove(text + at + 1, text + at, n - at);
				text[at] = c;
				n++;
				break;
			default:	/* delete */
				memmove(text + at, text + at + 1, n - at - 1);
				n--;
				break;
			}
		}
		picked_it = same(p, text, n, &took);
		/* left to jansson only for a key with an escape, which a
		 * mutation can make of any backslash */
		if (took != picked_it && !(took && memchr(text, '\\', n)))
			fail_msg("jansson %s, sm_pick %s: %.*s", took ? "took" :
			    "refused", picked_it ? "took" : "left", (int)n,
			    text);
		both += took;
	}
	/* the mutations made both kinds of line */
	assert_true(both > 1000 && both < 39000);
	sm_pick_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_deep),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_jsontestsuite),
	};
	size_t n = sizeof(tests) / sizeof(tests[0]);

	/* without ../shared, JSONTestSuite's files are left out */
	if (suite_dir() == NULL) {
		printf("# ../shared/data/jsontestsuite is not here: "
		    "test_jsontestsuite left out\n");
		n--;
	}
	return _cmocka_run_group_tests("tests", tests, n, NULL, NULL);
}
