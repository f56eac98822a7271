/* test_template.c - Mustache templates: what the spec's suite does not
 * cover, and what sm adds; runs without ../shared */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sm/template.h"

static const char record[] =
    "{\"id\":\"mastodon:ayto:1\",\"platform\":\"mastodon\","
    "\"author\":{\"handle\":\"vecina@masto.es\",\"name\":\"María\"},"
    "\"text\":\"La basura \\\"otra vez\\\" & <mal>\\nde O'Donnell\","
    "\"classify\":{\"category\":\"complaint\",\"topic\":\"waste\","
    "\"score\":0.1,\"labels\":[\"a\",\"b\"]},"
    "\"route\":{\"case\":\"2026-000123\",\"priority\":2,"
    "\"due_at\":\"2026-12-02T14:00:00Z\",\"duplicate_of\":null,"
    "\"delivered\":[]},"
    "\"thread\":{\"in_reply_to\":null}}";

static json_t *
parse(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &jerr);

	if (j == NULL)
		fail_msg("bad JSON in the test: %s", jerr.text);
	return j;
}

/* Partials for the tests: "name=text" pairs in a NULL-terminated list. */
static const char *
partial(void *arg, const char *name, struct sm_mark *where)
{
	const char *const *p = arg;
	size_t n = strlen(name);

	for (; *p; p++)
		if (strncmp(*p, name, n) == 0 && (*p)[n] == '=') {
			where->file = "partials.yaml";
			where->line = 40;
			where->column = 5;
			return *p + n + 1;
		}
	return NULL;
}

/* Renders tpl over data (JSON text) with opt; returns the text (static). */
static const char *
render_opt(const char *tpl, const char *data,
    const struct sm_template_options *opt)
{
	static struct sm_buf out;
	struct sm_error err = { 0 };
	struct sm_template *t = sm_template_compile(tpl, NULL, opt, &err);
	json_t *j = parse(data);

	if (t == NULL)
		fail_msg("'%s' does not compile: %d:%d: %s", tpl, err.line,
		    err.column, err.text);
	sm_buf_reset(&out);
	if (sm_template_render(t, j, &out, &err) < 0)
		fail_msg("'%s' does not render: %s", tpl, err.text);
	json_decref(j);
	sm_template_free(t);
	return out.data;
}

static const char *
render_as(enum sm_template_escape escape, const char *tpl, const char *data)
{
	struct sm_template_options opt = { .escape = escape };

	return render_opt(tpl, data, &opt);
}

#define render(tpl, data)	render_as(SM_TEMPLATE_HTML, tpl, data)

/* Compiles tpl, which must fail, written at sm.yaml:10:7; returns the
 * error as "file:line:column: text" (static). */
static const char *
compile_error(const char *tpl, const struct sm_template_options *opt)
{
	static char text[2048];
	struct sm_mark origin = { "sm.yaml", 10, 7 };
	struct sm_error err = { 0 };
	struct sm_template *t = sm_template_compile(tpl, &origin, opt, &err);

	if (t != NULL)
		fail_msg("'%s' compiles", tpl);
	sm_error_format(&err, text, sizeof(text));
	return text;
}

static void
test_escape_html(void **state)
{
	(void)state;
	assert_string_equal(render("{{text}}", record),
	    "La basura &quot;otra vez&quot; &amp; &lt;mal&gt;\n"
	    "de O&#39;Donnell");
	assert_string_equal(render("{{{text}}}", record),
	    "La basura \"otra vez\" & <mal>\nde O'Donnell");
	assert_string_equal(render("{{& text}}", record),
	    "La basura \"otra vez\" & <mal>\nde O'Donnell");
	assert_string_equal(render("{{author.name}}", record), "María");
}

static void
test_escape_text(void **state)
{
	(void)state;
	assert_string_equal(render_as(SM_TEMPLATE_TEXT, "@{{author.handle}} "
	    "{{text}}", record), "@vecina@masto.es La basura \"otra vez\" & "
	    "<mal>\nde O'Donnell");
}

static void
test_escape_json(void **state)
{
	(void)state;
	assert_string_equal(render_as(SM_TEMPLATE_JSON,
	    "{\"text\":\"{{route.case}}: {{text}}\"}", record),
	    "{\"text\":\"2026-000123: La basura \\\"otra vez\\\" & <mal>\\n"
	    "de O'Donnell\"}");
	assert_string_equal(render_as(SM_TEMPLATE_JSON, "\"{{x}}\"",
	    "{\"x\":\"a\\\\b\\u0001\\tñ\"}"), "\"a\\\\b\\u0001\\tñ\"");
	/* raw: an object goes in as JSON */
	assert_string_equal(render_as(SM_TEMPLATE_JSON,
	    "{\"c\":{{{classify}}},\"s\":\"{{classify.labels}}\"}", record),
	    "{\"c\":{\"category\":\"complaint\",\"topic\":\"waste\","
	    "\"score\":0.1,\"labels\":[\"a\",\"b\"]},"
	    "\"s\":\"[\\\"a\\\",\\\"b\\\"]\"}");
}

static void
test_escape_parse(void **state)
{
	enum sm_template_escape e = SM_TEMPLATE_HTML;

	(void)state;
	assert_int_equal(sm_template_escape_parse("json", &e), 0);
	assert_int_equal(e, SM_TEMPLATE_JSON);
	assert_int_equal(sm_template_escape_parse("text", &e), 0);
	assert_int_equal(e, SM_TEMPLATE_TEXT);
	assert_int_equal(sm_template_escape_parse("html", &e), 0);
	assert_int_equal(e, SM_TEMPLATE_HTML);
	assert_int_equal(sm_template_escape_parse("HTML", &e), -1);
	assert_int_equal(sm_template_escape_parse("", &e), -1);
}

static void
test_values(void **state)
{
	(void)state;
	assert_string_equal(render("{{i}} {{n}} {{r}} {{p}} {{w}} {{b}} {{f}} "
	    "[{{z}}] [{{missing}}] [{{e}}] {{o}} {{a}}",
	    "{\"i\":-42,\"n\":1234567890123,\"r\":0.1,\"p\":1.21,\"w\":3.0,"
	    "\"b\":true,\"f\":false,\"z\":null,\"e\":\"\","
	    "\"o\":{\"k\":[1,2.5]},\"a\":[]}"),
	    "-42 1234567890123 0.1 1.21 3.0 true false [] [] [] "
	    "{&quot;k&quot;:[1,2.5]} []");
	assert_string_equal(render("{{a}} {{b}} {{c}}",
	    "{\"a\":1e300,\"b\":0.30000000000000004,\"c\":-2.5e-7}"),
	    "1e300 0.30000000000000004 -2.5e-7");
}

static void
test_dotted_and_context(void **state)
{
	(void)state;
	assert_string_equal(render("{{route.case}} {{classify.topic}} "
	    "{{author.handle}} [{{author.handle.x}}] [{{nothing.at.all}}]",
	    record), "2026-000123 waste vecina@masto.es [] []");
	/* inside a section, names are looked up there first, then outwards */
	assert_string_equal(render("{{#classify}}{{topic}}/{{platform}}/"
	    "{{route.case}}{{/classify}}", record),
	    "waste/mastodon/2026-000123");
	/* a first part found stops the search, even if the rest is missing */
	assert_string_equal(render("{{#a}}[{{b.c}}]{{/a}}",
	    "{\"a\":{\"b\":{}},\"b\":{\"c\":\"no\"}}"), "[]");
	assert_string_equal(render("{{#a}}{{.}}{{/a}}", "{\"a\":\"x\"}"), "x");
}

static void
test_sections(void **state)
{
	(void)state;
	assert_string_equal(render("{{#classify.labels}}<{{.}}>{{/classify."
	    "labels}}{{^route.delivered}}none{{/route.delivered}}", record),
	    "<a><b>none");
	/* false: missing, null, false, [], ""; true: the rest, 0 included */
	assert_string_equal(render("{{#m}}m{{/m}}{{#n}}n{{/n}}{{#f}}f{{/f}}"
	    "{{#l}}l{{/l}}{{#s}}s{{/s}}{{#z}}z{{/z}}{{#o}}o{{/o}}",
	    "{\"n\":null,\"f\":false,\"l\":[],\"s\":\"\",\"z\":0,\"o\":{}}"),
	    "zo");
	assert_string_equal(render("{{^m}}m{{/m}}{{^n}}n{{/n}}{{^f}}f{{/f}}"
	    "{{^l}}l{{/l}}{{^s}}s{{/s}}{{^z}}z{{/z}}{{^o}}o{{/o}}",
	    "{\"n\":null,\"f\":false,\"l\":[],\"s\":\"\",\"z\":0,\"o\":{}}"),
	    "mnfls");
}

static void
test_nested_sections(void **state)
{
	(void)state;
	assert_string_equal(render("{{#rows}}{{#cells}}{{name}}{{v}};"
	    "{{/cells}}|{{/rows}}",
	    "{\"rows\":[{\"name\":\"r1\",\"cells\":[{\"v\":1},{\"v\":2}]},"
	    "{\"name\":\"r2\",\"cells\":[{\"v\":3,\"name\":\"own\"}]}]}"),
	    "r11;r12;|own3;|");
	assert_string_equal(render("{{#a}}{{#a}}{{#a}}{{x}}{{/a}}{{/a}}{{/a}}",
	    "{\"a\":{\"a\":{\"a\":{\"x\":\"deep\"}}}}"), "deep");
}

static void
test_standalone_lines(void **state)
{
	(void)state;
	assert_string_equal(render_as(SM_TEMPLATE_TEXT,
	    "Hola @{{author.handle}}\n"
	    "  {{#route.case}}\n"
	    "Caso {{route.case}}\n"
	    "  {{/route.case}}\n"
	    "\t{{! a comment }}  \n"
	    "{{^route.duplicate_of}}\r\n"
	    "Nuevo\n"
	    "{{/route.duplicate_of}}", record),
	    "Hola @vecina@masto.es\nCaso 2026-000123\nNuevo\n");
	/* a tag with other text on its line keeps the line */
	assert_string_equal(render("a {{#t}}\nb\n{{/t}} c\n", "{\"t\":true}"),
	    "a \nb\n c\n");
	/* two tags on one line: neither stands alone */
	assert_string_equal(render(" {{#t}}{{/t}} \nx", "{\"t\":true}"),
	    "  \nx");
}

static void
test_delimiters(void **state)
{
	(void)state;
	assert_string_equal(render("{{=<% %>=}}<% route.case %> {{x}} "
	    "<%{text}%> <%={{ }}=%>{{route.priority}}", record),
	    "2026-000123 {{x}} La basura \"otra vez\" & <mal>\n"
	    "de O'Donnell 2");
	assert_string_equal(render("{{= | | =}}|#t|[|v|]|/t|", "{\"t\":true,"
	    "\"v\":1}"), "[1]");
	assert_string_equal(render("{{=[[ ]]=}}\n[[x]]", "{\"x\":\"y\"}"), "y");
}

static void
test_missing(void **state)
{
	(void)state;
	assert_string_equal(render("[{{a}}][{{{a.b}}}][{{#a}}x{{/a}}]"
	    "[{{^a.b}}y{{/a.b}}][{{.}}]", "{}"), "[][][][y][{}]");
	assert_string_equal(render("[{{a}}]", "[1]"), "[]");
	assert_string_equal(render("[{{.}}]", "\"s\""), "[s]");
}

/* Templates that do not parse, written at sm.yaml:10:7, and the errors:
 * the first line's columns count from the origin's, the others' from 1. */
static const char *const bad[][2] = {
	{ "Hola {{#route.case}} caso",
	    "sm.yaml:10:12: section 'route.case' is never closed" },
	{ "a\n  {{#a}}\n{{#b}}\n{{/a}}",
	    "sm.yaml:13:1: 'a' closes no section: section 'b' from line 12 "
	    "is open" },
	{ "x\n {{/a}}",
	    "sm.yaml:11:2: 'a' closes no section" },
	{ "x\n\n{{=<% %>}}",
	    "sm.yaml:12:1: '{{=' is never closed by '=}}'" },
	{ "{{=<%%>=}}",
	    "sm.yaml:10:7: bad delimiters '<%%>': two strings without spaces "
	    "or '=', apart" },
	{ "{{=<% = %>=}}",
	    "sm.yaml:10:7: bad delimiters '<% = %>': two strings without "
	    "spaces or '=', apart" },
	{ "ok {{a}}\nño {{b\n",
	    "sm.yaml:11:4: '{{' is never closed by '}}'" },
	{ "{{{a}}",
	    "sm.yaml:10:7: '{{{' is never closed by '}}}'" },
	{ "{{=<% %>=}}\n<%x%>\n<%#y%>",
	    "sm.yaml:12:1: section 'y' is never closed" },
	{ "{{=<% %>=}}\n<%x",
	    "sm.yaml:11:1: '<%' is never closed by '%>'" },
	{ "{{route.due_at | date}}",
	    "sm.yaml:10:7: 'route.due_at | date' is not a name: names hold "
	    "no spaces" },
	{ "{{a..b}}",
	    "sm.yaml:10:7: 'a..b' is not a name: a dot between each two "
	    "parts" },
	{ "x {{ }}",
	    "sm.yaml:10:9: a tag with no name" },
	{ "{{>}}",
	    "sm.yaml:10:7: a partial with no name" },
};

static void
test_parse_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_string_equal(compile_error(bad[i][0], NULL), bad[i][1]);
}

/* Sections nested as deep as a render can go compile; deeper do not. */
static void
test_nesting_limit(void **state)
{
	struct sm_buf tpl = { 0 }, out = { 0 };
	struct sm_error err = { 0 };
	struct sm_template *t;
	json_t *data = parse("{\"a\":true}");
	int n = SM_TEMPLATE_MAX_DEPTH - 1;

	(void)state;
	for (int i = 0; i < n; i++)
		sm_buf_adds(&tpl, "{{#a}}");
	sm_buf_adds(&tpl, "x");
	for (int i = 0; i < n; i++)
		sm_buf_adds(&tpl, "{{/a}}");
	t = sm_template_compile(tpl.data, NULL, NULL, &err);
	assert_non_null(t);
	assert_int_equal(sm_template_render(t, data, &out, &err), 0);
	assert_string_equal(out.data, "x");
	sm_template_free(t);
	sm_buf_reset(&tpl);
	for (int i = 0; i <= n; i++)
		sm_buf_adds(&tpl, "{{#a}}");
	assert_null(sm_template_compile(tpl.data, NULL, NULL, &err));
	assert_int_equal(err.column, 6 * n + 1);
	assert_non_null(strstr(err.text, "nested more than"));
	json_decref(data);
	sm_buf_free(&tpl);
	sm_buf_free(&out);
}

static void
test_no_origin(void **state)
{
	struct sm_error err = { 0 };

	(void)state;
	assert_null(sm_template_compile("\n\n  {{#a}}", NULL, NULL, &err));
	assert_string_equal(err.file, "");
	assert_int_equal(err.line, 3);
	assert_int_equal(err.column, 3);
}

static void
test_partials(void **state)
{
	const char *const parts[] = {
		"firma=--\n{{department}}\n",
		"caso=Caso {{route.case}}\n{{>firma}}",
		"list={{#items}}\n- {{name}}\n{{>list}}{{/items}}\n",
		NULL,
	};
	struct sm_template_options opt = {
		.escape = SM_TEMPLATE_TEXT,
		.partial = partial,
		.partial_arg = (void *)parts,
	};

	(void)state;
	assert_string_equal(render_opt("Hola\n  {{>caso}}\nAdiós {{>nada}}\n",
	    "{\"route\":{\"case\":\"C-1\"},\"department\":\"Limpieza\"}", &opt),
	    "Hola\n  Caso C-1\n  --\n  Limpieza\nAdiós \n");
	/* recursion through a section follows the data (a leaf says it has
	 * no items, or it would find its parent's) */
	assert_string_equal(render_opt("{{>list}}",
	    "{\"items\":[{\"name\":\"a\",\"items\":[{\"name\":\"b\","
	    "\"items\":[]}]}]}", &opt),
	    "- a\n- b\n\n\n\n");
}

static void
test_partial_errors(void **state)
{
	const char *const parts[] = {
		"self=x {{>self}}",
		"a=a{{^f}}{{>b}}{{/f}}",
		"b={{>a}}",
		"bad=line one\n  {{#x}}",
		"deep={{#d}}{{>deep}}{{/d}}",
		NULL,
	};
	struct sm_template_options opt = {
		.partial = partial,
		.partial_arg = (void *)parts,
	};
	struct sm_error err = { 0 };
	struct sm_template *t;
	struct sm_buf out = { 0 };
	json_t *data;

	(void)state;
	assert_string_equal(compile_error("{{#x}}{{>self}}{{/x}}", &opt),
	    "partials.yaml:40:7: partial 'self' includes itself with no "
	    "section in between");
	/* through an inverted section it depends on the data: allowed */
	t = sm_template_compile("{{>a}}", NULL, &opt, &err);
	assert_non_null(t);
	sm_template_free(t);
	/* an error in a partial names the partial's place */
	assert_string_equal(compile_error("{{>bad}}", &opt),
	    "partials.yaml:41:3: section 'x' is never closed");
	opt.flags = SM_TEMPLATE_STRICT;
	assert_string_equal(compile_error("ok\n {{>nada}}", &opt),
	    "sm.yaml:11:2: no partial named 'nada'");
	opt.flags = 0;

	/* data nested deeper than the limit: a render error, no crash */
	t = sm_template_compile("{{>deep}}", NULL, &opt, &err);
	assert_non_null(t);
	data = json_object();
	for (int i = 0; i < 2 * SM_TEMPLATE_MAX_DEPTH; i++) {
		json_t *up = json_object();

		json_object_set_new(up, "d", data);
		data = up;
	}
	assert_int_equal(sm_template_render(t, data, &out, &err), -1);
	assert_non_null(strstr(err.text, "nested more than"));
	json_decref(data);
	sm_template_free(t);
	sm_buf_free(&out);
}

/* A test formatter: "2026-12-02T14:00:00Z" as "2/12/2026"; arg is a
 * suffix, to show that it reaches the formatter. */
static int
format_date(void *arg, const json_t *value, struct sm_buf *out,
    struct sm_error *err)
{
	int y, m, d;

	if (!json_is_string(value) || sscanf(json_string_value(value),
	    "%4d-%2d-%2d", &y, &m, &d) != 3)
		return sm_error_set(err, NULL, 0, 0, "not a timestamp");
	sm_buf_grow(out, 32);
	out->len += (size_t)snprintf(out->data + out->len, 32, "%d/%d/%d%s",
	    d, m, y, (const char *)arg);
	return 0;
}

static void
test_formatters(void **state)
{
	const struct sm_template_formatter fmts[] = {
		{ "date", format_date, "" },
		{ "amp", format_date, " & <x>" },
	};
	struct sm_template_options opt = {
		.escape = SM_TEMPLATE_HTML,
		.formatters = fmts,
		.nformatters = 2,
	};
	struct sm_error err = { 0 };
	struct sm_template *t;
	struct sm_buf out = { 0 };
	json_t *data;

	(void)state;
	assert_string_equal(render_opt("{{route.due_at.date}} {{route.due_at."
	    "amp}} {{{route.due_at.amp}}} [{{route.nothing.date}}] "
	    "[{{route.duplicate_of.date}}] {{o.date}} [{{o.date.x}}]",
	    "{\"route\":{\"due_at\":\"2026-12-02T14:00:00Z\",\"duplicate_of\":"
	    "null},\"o\":{\"date\":\"a key wins\"}}", &opt),
	    "2/12/2026 2/12/2026 &amp; &lt;x&gt; 2/12/2026 & <x> [] [] "
	    "a key wins []");
	/* only in variables: in a section the last part is a key */
	assert_string_equal(render_opt("[{{#route.due_at.date}}x{{/route."
	    "due_at.date}}]", "{\"route\":{\"due_at\":\"2026-12-02\"}}", &opt),
	    "[]");
	/* the formatter's failure is the render's */
	t = sm_template_compile("{{n.date}}", NULL, &opt, &err);
	assert_non_null(t);
	data = parse("{\"n\":\"soon\"}");
	assert_int_equal(sm_template_render(t, data, &out, &err), -1);
	assert_string_equal(err.text, "not a timestamp");
	json_decref(data);
	sm_template_free(t);
	sm_buf_free(&out);
}

static void
test_vars(void **state)
{
	const struct sm_template_formatter fmts[] = {
		{ "date", format_date, "" },
	};
	const char *const parts[] = { "firma={{department}}", NULL };
	struct sm_template_options opt = {
		.formatters = fmts,
		.nformatters = 1,
		.partial = partial,
		.partial_arg = (void *)parts,
	};
	struct sm_mark origin = { "sm.yaml", 3, 11 };
	struct sm_error err = { 0 };
	struct sm_template *t = sm_template_compile("{{author.handle}}\n"
	    "{{#classify}}{{^topic}}{{.}}{{/topic}}{{/classify}}\n"
	    "{{route.due_at.date}}{{>firma}}", &origin, &opt, &err);
	const struct sm_template_var *v;

	(void)state;
	assert_non_null(t);
	assert_int_equal(sm_template_var_count(t), 6);
	v = sm_template_var(t, 0);
	assert_string_equal(v->name, "author.handle");
	assert_int_equal(v->tag, SM_TEMPLATE_VARIABLE);
	assert_int_equal(v->parent, SIZE_MAX);
	assert_null(v->formatter);
	assert_null(v->partial);
	assert_string_equal(v->where.file, "sm.yaml");
	assert_int_equal(v->where.line, 3);
	assert_int_equal(v->where.column, 11);
	v = sm_template_var(t, 1);
	assert_string_equal(v->name, "classify");
	assert_int_equal(v->tag, SM_TEMPLATE_SECTION);
	v = sm_template_var(t, 2);
	assert_string_equal(v->name, "topic");
	assert_int_equal(v->tag, SM_TEMPLATE_INVERTED);
	assert_int_equal(v->parent, 1);
	assert_int_equal(v->where.line, 4);
	assert_int_equal(v->where.column, 14);
	v = sm_template_var(t, 3);
	assert_string_equal(v->name, ".");
	assert_int_equal(v->parent, 2);
	v = sm_template_var(t, 4);
	assert_string_equal(v->name, "route.due_at");
	assert_string_equal(v->formatter, "date");
	v = sm_template_var(t, 5);
	assert_string_equal(v->name, "department");
	assert_string_equal(v->partial, "firma");
	assert_int_equal(v->parent, SIZE_MAX);
	assert_string_equal(v->where.file, "partials.yaml");
	assert_null(sm_template_var(t, 6));
	sm_template_free(t);
}

static void
test_buffer_reuse(void **state)
{
	struct sm_error err = { 0 };
	struct sm_template *t = sm_template_compile("{{#l}}{{.}},{{/l}}",
	    NULL, NULL, &err);
	struct sm_buf out = { 0 };
	json_t *data = parse("{\"l\":[1,2,3]}"), *empty = parse("{}");

	(void)state;
	assert_non_null(t);
	assert_int_equal(sm_template_render(t, data, &out, &err), 0);
	assert_int_equal(sm_template_render(t, data, &out, &err), 0);
	assert_string_equal(out.data, "1,2,3,1,2,3,");
	sm_buf_reset(&out);
	/* an empty result is still a string */
	assert_int_equal(sm_template_render(t, empty, &out, &err), 0);
	assert_non_null(out.data);
	assert_string_equal(out.data, "");
	assert_int_equal(sm_template_render(t, NULL, &out, &err), 0);
	assert_string_equal(out.data, "");
	json_decref(data);
	json_decref(empty);
	sm_template_free(t);
	sm_buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_html),
		cmocka_unit_test(test_escape_text),
		cmocka_unit_test(test_escape_json),
		cmocka_unit_test(test_escape_parse),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_dotted_and_context),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_nested_sections),
		cmocka_unit_test(test_standalone_lines),
		cmocka_unit_test(test_delimiters),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_no_origin),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_partials),
		cmocka_unit_test(test_partial_errors),
		cmocka_unit_test(test_formatters),
		cmocka_unit_test(test_vars),
		cmocka_unit_test(test_buffer_reuse),
	};

	return cmocka_run_group_tests_name("template", tests, NULL, NULL);
}
