/* test_cond.c - conditions on a record's fields: every operator, the
 * combinators, and the errors that name their place */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sm/cond.h"

static const char rec_text[] =
    "{\"id\":\"m:a:1\",\"kind\":\"mention\",\"created_at\":"
    "\"2026-11-28T09:14:03Z\",\"text\":\"La BASURA de la calle Perdomo, "
    "3 días sin recogerse\",\"author\":{\"handle\":\"vecina@masto.es\"},"
    "\"classify\":{\"category\":\"complaint\",\"urgency\":\"high\","
    "\"score\":4,\"pii\":[\"phone\"],\"topic\":null}}";

/* The condition written as YAML (the keys of a rule, at its top level),
 * as a rule of route: in a configuration: two lines and four columns in. */
static struct sm_config *
load(const char *yaml, const json_t **node)
{
	struct sm_config *cfg;
	struct sm_error err;
	char text[4096], *o = text;
	const char *p;

	o += sprintf(o, "route:\n  c:\n    ");
	for (p = yaml; *p; p++) {
		*o++ = *p;
		if (*p == '\n')
			o += sprintf(o, "    ");
	}
	*o++ = '\n';
	*o = '\0';
	cfg = sm_config_load_string(text, "t.yaml", &err);
	if (cfg == NULL)
		fail_msg("%s: %s", yaml, err.text);
	*node = json_object_get(sm_config_section(cfg, "route"), "c");
	return cfg;
}

/* Whether the condition holds on the record above. */
static int
holds(const char *yaml)
{
	struct sm_config *cfg;
	struct sm_error err;
	struct sm_cond *c;
	const json_t *node;
	json_t *rec = json_loads(rec_text, 0, NULL);
	int r;

	assert_non_null(rec);
	cfg = load(yaml, &node);
	c = sm_cond_compile(cfg, node, "rule", 0, &err);
	if (c == NULL)
		fail_msg("%s: %s", yaml, err.text);
	r = sm_cond_holds(c, rec);
	sm_cond_free(c);
	sm_config_free(cfg);
	json_decref(rec);
	return r;
}

/* The error, "line:column: text" within yaml, that compiling gives. */
static void
fails(const char *yaml, const char *want)
{
	struct sm_config *cfg;
	struct sm_error err;
	struct sm_cond *c;
	const json_t *node;
	char got[2200];

	cfg = load(yaml, &node);
	memset(&err, 0, sizeof(err));
	c = sm_cond_compile(cfg, node, "rule", 0, &err);
	assert_null(c);
	snprintf(got, sizeof(got), "%d:%d: %s", err.line - 2, err.column - 4,
	    err.text);
	assert_string_equal(got, want);
	sm_config_free(cfg);
}

static void
test_equal_and_lists(void **unused)
{
	assert_true(holds("when: {classify.category: complaint}"));
	assert_false(holds("when: {classify.category: question}"));
	assert_true(holds("when: {classify.urgency: [critical, high]}"));
	assert_true(holds("when: {classify.score: 4.0}"));
	/* null: missing or null */
	assert_true(holds("when: {classify.topic: null}"));
	assert_true(holds("when: {reply: null}"));
	assert_false(holds("when: {kind: null}"));
	/* every test of a when: */
	assert_false(holds("when: {kind: mention, classify.category: praise}"));
	assert_true(holds("when: {classify.category: {eq: complaint}}"));
	assert_true(holds("when: {classify.category: {in: [praise, complaint]}}"));
	assert_false(holds("when: {classify.category: {ne: complaint}}"));
	assert_true(holds("when: {classify.category: {not_in: [praise, spam]}}"));
	/* eq and ne compare with the one value, a list too */
	assert_true(holds("when: {classify.pii: {ne: []}}"));
	assert_false(holds("when: {classify.pii: {eq: []}}"));
	assert_true(holds("when: {classify.pii: {eq: [phone]}}"));
	assert_false(holds("when: {classify.pii: {in: [phone]}}"));
}

static void
test_exists(void **unused)
{
	assert_true(holds("when: {author.handle: {exists: true}}"));
	assert_false(holds("when: {author.name: {exists: true}}"));
	assert_true(holds("when: {author.name: {exists: false}}"));
	/* null is as good as missing */
	assert_false(holds("when: {classify.topic: {exists: true}}"));
}

static void
test_compare(void **unused)
{
	assert_true(holds("when: {classify.score: {gte: 4}}"));
	assert_false(holds("when: {classify.score: {gt: 4}}"));
	assert_true(holds("when: {classify.score: {gt: 3, lt: 5}}"));
	assert_false(holds("when: {classify.score: {lt: 4}}"));
	assert_true(holds("when: {classify.score: {lte: 4}}"));
	/* timestamps, with the offset taken into account */
	assert_true(holds("when: {created_at: {gte: 2026-11-28}}"));
	assert_true(holds("when: {created_at: {lt: '2026-11-28T10:14:04+01:00'}}"));
	assert_false(holds("when: {created_at: {lt: '2026-11-28T10:14:03+01:00'}}"));
	/* a number is not a timestamp, nor text a number */
	assert_false(holds("when: {created_at: {gt: 3}}"));
	assert_false(holds("when: {classify.category: {gt: 3}}"));
	assert_false(holds("when: {classify.score: {gt: 2020-01-01}}"));
	assert_false(holds("when: {missing: {lt: 3}}"));
}

static void
test_contains_regex_terms(void **unused)
{
	assert_true(holds("when: {classify.pii: {contains: phone}}"));
	assert_false(holds("when: {classify.pii: {contains: email}}"));
	assert_true(holds("when: {author.handle: {contains: '@masto.es'}}"));
	assert_false(holds("when: {classify.score: {contains: 4}}"));
	assert_true(holds("when: {text: {regex: 'calle [A-Z]\\w+'}}"));
	assert_false(holds("when: {text: {regex: '^calle'}}"));
	assert_false(holds("when: {classify.score: {regex: '4'}}"));
	/* folded, whole words */
	assert_true(holds("when: {text: {terms: [calle perdomo]}}"));
	assert_true(holds("when: {text: {terms: [Basura]}}"));
	assert_true(holds("when: {text: {terms: [dias]}}"));
	assert_false(holds("when: {text: {terms: [basur]}}"));
	assert_false(holds("when: {text: {terms: [calle mayor, farola]}}"));
	assert_true(holds("when: {text: {terms: recogerse}}"));
}

static void
test_combinators(void **unused)
{
	assert_true(holds("all: [{when: {kind: mention}}, "
	    "{when: {classify.urgency: high}}]"));
	assert_false(holds("all: [{when: {kind: mention}}, "
	    "{when: {classify.urgency: low}}]"));
	assert_true(holds("any: [{when: {kind: direct}}, "
	    "{when: {classify.urgency: high}}]"));
	assert_false(holds("any: [{when: {kind: direct}}, {when: {kind: email}}]"));
	assert_true(holds("none: [{when: {kind: direct}}]"));
	assert_false(holds("none: [{when: {kind: direct}}, {when: {kind: mention}}]"));
	assert_true(holds("when: {kind: mention}\nnone: [{any: [{when: "
	    "{classify.category: spam}}]}]"));
}

static void
test_errors(void **unused)
{
	fails("when: [kind]", "1:7: rule.when: expected a mapping of field: value");
	fails("when: {kind: {equals: x}}",
	    "1:23: unknown key 'equals' in rule.when.kind");
	fails("when: {score: {gt: soon}}",
	    "1:20: rule.when.score: gt: expected a number or a timestamp");
	fails("when: {text: {regex: 'a(b'}}",
	    "1:22: rule.when.text: regex: missing closing parenthesis at offset 3");
	fails("when: {text: {terms: ['']}}",
	    "1:23: rule.when.text: terms: expected words");
	fails("when: {kind: {exists: 1}}",
	    "1:23: rule.when.kind.exists: expected true or false");
	fails("any: []", "1:6: rule.any: expected a list of conditions");
	fails("any: [{whn: {kind: x}}]",
	    "1:13: unknown key 'whn' in rule.any[0] (a typo of 'when'?)");
	fails("name: x", "1:1: rule: needs when, all, any or none");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal_and_lists),
		cmocka_unit_test(test_exists),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_contains_regex_terms),
		cmocka_unit_test(test_combinators),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests_name("cond", tests, NULL, NULL);
}
