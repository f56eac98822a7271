/* test_mustache_spec.c - the official Mustache specification's required
 * modules, every case, from ../shared/data/mustache-spec; prints TAP.
 * The optional modules (~lambdas, ~inheritance, ~dynamic-names) are not
 * supported by sm and not run. */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sm/template.h"
#include "sm/util.h"

static const char *const modules[] = {
	"interpolation", "sections", "inverted", "comments", "partials",
	"delimiters",
};
#define NMODULES	(sizeof(modules) / sizeof(modules[0]))

static const char *
partial(void *arg, const char *name, struct sm_mark *where)
{
	json_t *text = json_object_get(arg, name);

	(void)where;
	return json_string_value(text);
}

/* A new string: fmt with a and b put in. */
static char *
path_of(const char *fmt, const char *a, const char *b)
{
	int n = snprintf(NULL, 0, fmt, a, b);
	char *p = xmalloc((size_t)n + 1);

	snprintf(p, (size_t)n + 1, fmt, a, b);
	return p;
}

/* Loads a module's file from dir or dir/specs (as in the spec's repository). */
static json_t *
load(const char *dir, const char *module)
{
	static const char *const forms[] = { "%s/specs/%s.json", "%s/%s.json" };
	json_error_t jerr;

	for (size_t i = 0; i < 2; i++) {
		char *path = path_of(forms[i], dir, module);
		json_t *j = json_load_file(path, 0, &jerr);

		free(path);
		if (j != NULL)
			return j;
	}
	fprintf(stderr, "test_mustache_spec: %s: %s\n", module, jerr.text);
	return NULL;
}

static void
diag(const char *label, const char *s)
{
	printf("#   %s: ", label);
	for (; *s; s++)
		if (*s == '\n')
			fputs("\\n", stdout);
		else
			putchar(*s);
	putchar('\n');
}

int
main(void)
{
	const char *src = getenv("SM_SRC"), *shared = getenv("SM_SHARED");
	char *dir;
	struct stat st;
	json_t *specs[NMODULES];
	size_t total = 0, n = 0, failed = 0;
	struct sm_buf out = { 0 };

	if (shared && *shared)
		dir = path_of("%s/%s", shared, "data/mustache-spec");
	else
		dir = path_of("%s/%s", src ? src : ".",
		    "../shared/data/mustache-spec");
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		puts("1..0 # SKIP ../shared/data/mustache-spec is not here");
		free(dir);
		return 0;
	}
	for (size_t m = 0; m < NMODULES; m++) {
		if ((specs[m] = load(dir, modules[m])) == NULL)
			return 1;
		total += json_array_size(json_object_get(specs[m], "tests"));
	}
	free(dir);
	printf("1..%zu\n", total);
	for (size_t m = 0; m < NMODULES; m++) {
		json_t *tc;
		size_t i, passed = 0, cases;

		json_array_foreach(json_object_get(specs[m], "tests"), i, tc) {
			const char *expected = json_string_value(
			    json_object_get(tc, "expected"));
			struct sm_template_options opt = {
				.partial = partial,
				.partial_arg = json_object_get(tc, "partials"),
			};
			struct sm_error err = { 0 };
			struct sm_template *t;
			int ok;

			sm_buf_reset(&out);
			t = sm_template_compile(json_string_value(
			    json_object_get(tc, "template")), NULL, &opt, &err);
			ok = t && sm_template_render(t, json_object_get(tc,
			    "data"), &out, &err) == 0 && expected &&
			    strcmp(out.data, expected) == 0;
			printf("%s %zu - %s: %s\n", ok ? "ok" : "not ok", ++n,
			    modules[m], json_string_value(json_object_get(tc,
			    "name")));
			if (!ok) {
				failed++;
				if (t == NULL || err.text[0])
					printf("#   error: %d:%d: %s\n",
					    err.line, err.column, err.text);
				diag("expected", expected ? expected : "");
				diag("got     ", out.data ? out.data : "");
			} else {
				passed++;
			}
			sm_template_free(t);
		}
		cases = json_array_size(json_object_get(specs[m], "tests"));
		printf("# %s: %zu of %zu passed\n", modules[m], passed, cases);
		json_decref(specs[m]);
	}
	printf("# optional modules not run: ~lambdas ~inheritance "
	    "~dynamic-names\n");
	sm_buf_free(&out);
	return failed != 0;
}
