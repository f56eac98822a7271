/* test_config.c - sm.yaml: lookup, YAML to JSON with places, validation */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sm/account.h"
#include "sm/config.h"
#include "sm/rules.h"

/*
 * jansson allocates through these, so that a test can tell whether the
 * objects made while loading were all released, and the failure has the
 * test's name.  Live blocks stay linked, so LeakSanitizer takes them as
 * reachable: NO_LEAKS() is what finds leaked JSON in this program, and it
 * frees what it found.
 */
union blk {
	struct {
		union blk *prev, *next;
		unsigned long serial;
	} h;
	max_align_t align;
};

static union blk live = { .h = { &live, &live, 0 } };
static unsigned long serial;

static void *
counted_malloc(size_t size)
{
	union blk *b = malloc(sizeof(*b) + size);

	if (b == NULL)
		return NULL;
	b->h.serial = ++serial;
	b->h.prev = &live;
	b->h.next = live.h.next;
	live.h.next->h.prev = b;
	live.h.next = b;
	return b + 1;
}

static void
counted_free(void *p)
{
	union blk *b;

	if (p == NULL)
		return;
	b = (union blk *)p - 1;
	b->h.prev->h.next = b->h.next;
	b->h.next->h.prev = b->h.prev;
	free(b);
}

/* Frees what jansson allocated since mark and is still live; says how much. */
static size_t
reclaim(unsigned long mark)
{
	size_t n = 0;
	union blk *b, *next;

	for (b = live.h.next; b != &live; b = next) {
		next = b->h.next;
		if (b->h.serial > mark) {
			counted_free(b + 1);
			n++;
		}
	}
	return n;
}

static void
no_leaks(unsigned long mark)
{
	size_t n = reclaim(mark);

	if (n != 0)
		fail_msg("%zu JSON allocations were not released", n);
}

#define LEAK_MARK()	unsigned long leak_mark = serial
#define NO_LEAKS()	no_leaks(leak_mark)

/* Temporary files */

static char tmpdir[] = "/tmp/sm-test-config.XXXXXX";

/* tmpdir/rel, in one of a few rotating buffers. */
static const char *
P(const char *rel)
{
	static char bufs[8][PATH_MAX];
	static unsigned i;
	char *b = bufs[i++ % 8];

	snprintf(b, PATH_MAX, "%s/%s", tmpdir, rel);
	return b;
}

static void
mkdirs(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *s = buf + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(buf, 0700) != 0 && errno != EEXIST)
				fail_msg("mkdir %s: %s", buf, strerror(errno));
			*s = '/';
		}
}

/* Writes text to tmpdir/rel, making directories; returns the path. */
static const char *
put(const char *rel, const char *text)
{
	const char *path = P(rel);
	FILE *fp;

	mkdirs(path);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	return path;
}

static int
remove_tree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char sub[PATH_MAX];

	if (lstat(path, &st) != 0)
		return -1;
	if (S_ISDIR(st.st_mode) && (d = opendir(path)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			remove_tree(sub);
		}
		closedir(d);
	}
	return remove(path);
}

static int
setup_dir(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int
remove_dir(void **state)
{
	(void)state;
	return remove_tree(tmpdir);
}

/* Environment and working directory, restored after each lookup test. */
static const char *const saved_names[] = {
	"SM_CONFIG", "XDG_CONFIG_HOME", "HOME", "SM_TEST_TOKEN"
};
#define NSAVED	(sizeof(saved_names) / sizeof(saved_names[0]))
static char *saved_values[NSAVED];
static char saved_cwd[PATH_MAX];

static int
save_env(void **state)
{
	(void)state;
	for (size_t i = 0; i < NSAVED; i++) {
		const char *v = getenv(saved_names[i]);

		saved_values[i] = v ? strdup(v) : NULL;
	}
	return getcwd(saved_cwd, sizeof(saved_cwd)) ? 0 : -1;
}

static int
restore_env(void **state)
{
	(void)state;
	for (size_t i = 0; i < NSAVED; i++) {
		if (saved_values[i])
			setenv(saved_names[i], saved_values[i], 1);
		else
			unsetenv(saved_names[i]);
		free(saved_values[i]);
		saved_values[i] = NULL;
	}
	return chdir(saved_cwd);
}

/* Helpers */

static struct sm_config *
load_ok(const char *text, const char *name)
{
	struct sm_error err = { 0 };
	struct sm_config *cfg = sm_config_load_string(text, name, &err);

	if (cfg == NULL)
		fail_msg("load failed: %s:%d:%d: %s", err.file, err.line,
		    err.column, err.text);
	return cfg;
}

static struct sm_config *
load_file_ok(const char *path)
{
	struct sm_error err = { 0 };
	struct sm_config *cfg = sm_config_load(path, &err);

	if (cfg == NULL)
		fail_msg("load failed: %s:%d:%d: %s", err.file, err.line,
		    err.column, err.text);
	return cfg;
}

/* Loads text that must fail; returns the formatted error. */
static const char *
load_bad(const char *text, const char *name, struct sm_error *err)
{
	static char buf[3000];
	struct sm_config *cfg;

	memset(err, 0, sizeof(*err));
	cfg = sm_config_load_string(text, name, err);
	if (cfg != NULL) {
		sm_config_free(cfg);
		fail_msg("\"%s\" loaded but should not have", text);
	}
	sm_error_format(err, buf, sizeof(buf));
	return buf;
}

static void
assert_contains(const char *s, const char *part)
{
	if (strstr(s, part) == NULL)
		fail_msg("\"%s\" does not contain \"%s\"", s, part);
}

/* node equals the JSON text want. */
static void
assert_json(const json_t *node, const char *want)
{
	json_error_t jerr;
	json_t *w = json_loads(want, 0, &jerr);
	char *got;

	if (w == NULL)
		fail_msg("bad expected JSON: %s", jerr.text);
	if (!json_equal(w, (json_t *)node)) {
		got = node ? json_dumps(node, JSON_COMPACT | JSON_ENCODE_ANY) :
		    NULL;
		print_error("got  %s\nwant %s\n", got ? got : "(nothing)", want);
		counted_free(got);
		json_decref(w);
		fail();
	}
	json_decref(w);
}

#define assert_root(cfg, want)	assert_json(sm_config_root(cfg), want)

/* The keys of the mapping node, in order, are those of want ("a b c"). */
static void
assert_key_order(const json_t *node, const char *want)
{
	char got[1024] = "";
	const char *key;
	json_t *v;
	size_t n = 0;

	json_object_foreach((json_t *)node, key, v)
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s",
		    n ? " " : "", key);
	assert_string_equal(got, want);
}

static void
assert_mark(const struct sm_config *cfg, const json_t *node,
    const char *file, int line, int column)
{
	struct sm_mark m;

	assert_non_null(node);
	assert_int_equal(sm_config_mark(cfg, node, &m), 0);
	assert_string_equal(m.file, file);
	assert_int_equal(m.line, line);
	assert_int_equal(m.column, column);
}

/* Parsing */

static void
test_scalars_typed(void **state)
{
	LEAK_MARK();
	struct sm_config *cfg = load_ok("classify:\n"
	    "  t1: true\n  t2: True\n  t3: TRUE\n  f1: false\n  f2: FALSE\n"
	    "  n1: null\n  n2: ~\n  n3: NULL\n  n4:\n"
	    "  i1: 12\n  i2: -3\n  i3: +7\n  i4: 0012\n  i5: -0\n"
	    "  d1: 1.5\n  d2: 1.250\n  d3: .5\n  d4: 1e3\n  d5: -2.5e-1\n"
	    "  s1: \"true\"\n  s2: 'null'\n  s3: '12'\n  s4: !!str 12\n"
	    "  s5: yes\n  s6: 0x1F\n  s7: 1_000\n  s8: 3,5\n  s9: 12abc\n"
	    "  s10: 1.2.3\n  s11: +\n  s12: 1e\n  s13: \"\"\n"
	    "  s14: hello world\n  s15: tRUE\n  s16: +-1\n  s17: 1-2\n",
	    "t.yaml");
	json_t *c = sm_config_section(cfg, "classify");

	(void)state;
	assert_true(json_is_object(c));
	assert_json(c, "{\"t1\":true,\"t2\":true,\"t3\":true,\"f1\":false,"
	    "\"f2\":false,\"n1\":null,\"n2\":null,\"n3\":null,\"n4\":null,"
	    /* 0012 is decimal twelve, as in YAML 1.2, not octal */
	    "\"i1\":12,\"i2\":-3,\"i3\":7,\"i4\":12,\"i5\":0,"
	    "\"d1\":1.5,\"d2\":1.25,\"d3\":0.5,\"d4\":1000.0,\"d5\":-0.25,"
	    "\"s1\":\"true\",\"s2\":\"null\",\"s3\":\"12\",\"s4\":\"12\","
	    "\"s5\":\"yes\",\"s6\":\"0x1F\",\"s7\":\"1_000\",\"s8\":\"3,5\","
	    "\"s9\":\"12abc\",\"s10\":\"1.2.3\",\"s11\":\"+\",\"s12\":\"1e\","
	    "\"s13\":\"\",\"s14\":\"hello world\",\"s15\":\"tRUE\","
	    "\"s16\":\"+-1\",\"s17\":\"1-2\"}");
	/* json_equal takes 12.0 for 12: the types themselves */
	assert_true(json_is_true(json_object_get(c, "t2")));
	assert_true(json_is_null(json_object_get(c, "n4")));
	assert_true(json_is_integer(json_object_get(c, "i4")));
	assert_true(json_is_integer(json_object_get(c, "i3")));
	assert_true(json_is_real(json_object_get(c, "d1")));
	assert_true(json_is_real(json_object_get(c, "d4")));
	assert_true(json_is_string(json_object_get(c, "s1")));
	assert_true(json_is_string(json_object_get(c, "s3")));
	assert_true(json_is_string(json_object_get(c, "s4")));
	sm_config_free(cfg);
	NO_LEAKS();
}

static void
test_empty_and_comment_only(void **state)
{
	LEAK_MARK();
	struct sm_config *cfg;

	(void)state;
	cfg = load_ok("", "empty.yaml");
	assert_true(json_is_object(sm_config_root(cfg)));
	assert_int_equal(json_object_size(sm_config_root(cfg)), 0);
	assert_string_equal(sm_config_path(cfg), "empty.yaml");
	assert_null(sm_config_section(cfg, "classify"));
	sm_config_free(cfg);
	cfg = load_ok("# nothing here\n\n", "c.yaml");
	assert_int_equal(json_object_size(sm_config_root(cfg)), 0);
	sm_config_free(cfg);
	NO_LEAKS();
}

static void
test_sections(void **state)
{
	LEAK_MARK();
	struct sm_config *cfg;
	struct sm_error err;
	const char *inc;
	char want[2048];

	(void)state;
	cfg = load_ok("state: {}\naccounts: {}\nclassify: {a: 1}\nroute: {}\n"
	    "reply: {}\nreport: {}\n", "s.yaml");
	assert_json(sm_config_section(cfg, "classify"), "{\"a\":1}");
	assert_ptr_equal(sm_config_section(cfg, "classify"),
	    json_object_get(sm_config_root(cfg), "classify"));
	assert_null(sm_config_section(cfg, "queue"));
	sm_config_free(cfg);
	/* anything else at the top is a mistake, said where it stands */
	assert_string_equal(load_bad("classify: {}\nqueue: x\n", "s.yaml",
	    &err), "s.yaml:2:8: unknown key 'queue' in the configuration");
	inc = put("sect/typo.yaml", "# shared\nclasify:\n  rules: []\n");
	snprintf(want, sizeof(want), "%s:3:3: unknown key 'clasify' in the "
	    "configuration (a typo of 'classify'?)", inc);
	assert_string_equal(load_bad("include: typo.yaml\nroute: {}\n",
	    P("sect/sm.yaml"), &err), want);
	NO_LEAKS();
}

static void
test_top_must_be_mapping(void **state)
{
	LEAK_MARK();
	struct sm_error err;

	(void)state;
	assert_string_equal(load_bad("- a\n- b\n", "t.yaml", &err),
	    "t.yaml:1:1: expected a mapping at the top of the configuration, "
	    "got a list");
	assert_string_equal(load_bad("\n  just text\n", "t.yaml", &err),
	    "t.yaml:2:3: expected a mapping at the top of the configuration, "
	    "got a string");
	NO_LEAKS();
}

static void
test_marks(void **state)
{
	LEAK_MARK();
	struct sm_config *cfg = load_ok(
	    "state: 1\n"
	    "classify:\n"
	    "  cc: hello\n"
	    "  list:\n"
	    "    - 42\n"
	    "  map: {k: v, n: 7}\n"
	    "route: \"quoted\"\n"
	    "reply: true\n", "conf/sm.yaml");
	json_t *root = sm_config_root(cfg);
	json_t *c = sm_config_section(cfg, "classify");
	json_t *list = json_object_get(c, "list");
	json_t *map = json_object_get(c, "map");
	json_t *other = json_string("hello");
	struct sm_mark m;

	(void)state;
	assert_mark(cfg, root, "conf/sm.yaml", 1, 1);
	assert_mark(cfg, json_object_get(root, "state"), "conf/sm.yaml", 1, 8);
	assert_mark(cfg, c, "conf/sm.yaml", 3, 3);
	assert_mark(cfg, json_object_get(c, "cc"), "conf/sm.yaml", 3, 7);
	assert_mark(cfg, list, "conf/sm.yaml", 5, 5);
	assert_mark(cfg, json_array_get(list, 0), "conf/sm.yaml", 5, 7);
	assert_mark(cfg, map, "conf/sm.yaml", 6, 8);
	assert_mark(cfg, json_object_get(map, "k"), "conf/sm.yaml", 6, 12);
	assert_mark(cfg, json_object_get(map, "n"), "conf/sm.yaml", 6, 18);
	assert_mark(cfg, json_object_get(root, "route"), "conf/sm.yaml", 7, 8);
	/* a node that is not part of the configuration has no place */
	assert_int_equal(sm_config_mark(cfg, other, &m), -1);
	assert_int_equal(sm_config_mark(cfg, NULL, &m), -1);
	json_decref(other);
	sm_config_free(cfg);
	NO_LEAKS();
}

static void
test_config_error_place(void **state)
{
	LEAK_MARK();
	struct sm_config *cfg = load_ok("classify:\n  lang: xx\n  on: true\n",
	    "p.yaml");
	json_t *classify = sm_config_section(cfg, "classify");
	struct sm_error err = { 0 };
	char buf[2048];

	(void)state;
	assert_non_null(classify);
	assert_int_equal(sm_config_error(cfg, json_object_get(classify, "lang"),
	    &err, "unknown language '%s'", "xx"), -1);
	sm_error_format(&err, buf, sizeof(buf));
	assert_string_equal(buf, "p.yaml:2:9: unknown language 'xx'");
	/* true has no place of its own: the file is still named */
	memset(&err, 0, sizeof(err));
	assert_int_equal(sm_config_error(cfg, json_object_get(classify, "on"),
	    &err, "no"), -1);
	assert_string_equal(err.file, "p.yaml");
	assert_string_equal(err.text, "no");
	sm_config_free(cfg);
	NO_LEAKS();
}

static void
test_check_keys(void **state)
{
	static const char *const allowed[] = { "name", "pattern", "set",
		NULL };
	LEAK_MARK();
	struct sm_config *cfg = load_ok(
	    "classify:\n"
	    "  rules:\n"
	    "    - {name: a, pattern: x}\n"
	    "    - {name: b, pattern: y}\n"
	    "    - {name: c, pattern: z}\n"
	    "    - name: d\n"
	    "      pattren: foo\n"
	    "    - name: e\n"
	    "      sett: true\n", "rules.yaml");
	json_t *rules = json_object_get(sm_config_section(cfg, "classify"),
	    "rules");
	struct sm_error err = { 0 };
	char buf[2048];

	(void)state;
	assert_int_equal(json_array_size(rules), 5);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(sm_config_check_keys(cfg,
		    json_array_get(rules, i), "classify.rules[i]", allowed,
		    &err), 0);
	assert_int_equal(sm_config_check_keys(cfg, json_array_get(rules, 3),
	    "classify.rules[3]", allowed, &err), -1);
	sm_error_format(&err, buf, sizeof(buf));
	assert_string_equal(buf, "rules.yaml:7:16: unknown key 'pattren' in "
	    "classify.rules[3] (a typo of 'pattern'?)");
	/* a value without a place of its own: the mapping's place */
	memset(&err, 0, sizeof(err));
	assert_int_equal(sm_config_check_keys(cfg, json_array_get(rules, 4),
	    "classify.rules[4]", allowed, &err), -1);
	sm_error_format(&err, buf, sizeof(buf));
	assert_string_equal(buf, "rules.yaml:8:7: unknown key 'sett' in "
	    "classify.rules[4] (a typo of 'set'?)");
	/* not a mapping at all */
	memset(&err, 0, sizeof(err));
	assert_int_equal(sm_config_check_keys(cfg, rules, "classify.rules",
	    allowed, &err), -1);
	sm_error_format(&err, buf, sizeof(buf));
	assert_string_equal(buf, "rules.yaml:3:5: expected a mapping for "
	    "classify.rules, got a list");
	sm_config_free(cfg);
	NO_LEAKS();
}

static void
test_duplicate_keys(void **state)
{
	LEAK_MARK();
	struct sm_error err;

	(void)state;
	assert_string_equal(load_bad("route: 1\nreply: 2\nroute: 3\n",
	    "d.yaml", &err), "d.yaml:3:1: duplicate key 'route'");
	assert_string_equal(load_bad("classify:\n  x: 1\n  y: 2\n  x: 2\n",
	    "d.yaml", &err), "d.yaml:4:3: duplicate key 'x'");
	assert_string_equal(load_bad("route: [{k: 1, k: 1}]\n", "d.yaml",
	    &err), "d.yaml:1:16: duplicate key 'k'");
	/* the same key in different mappings is fine */
	sm_config_free(load_ok("route: {x: 1}\nreply: {x: 1}\n", "d.yaml"));
	NO_LEAKS();
}

static void
test_yaml_syntax_errors(void **state)
{
	LEAK_MARK();
	struct sm_error err;
	const char *msg;

	(void)state;
	msg = load_bad("route: 1\nreply: [1, 2\nreport: 3\n", "s.yaml", &err);
	assert_string_equal(err.file, "s.yaml");
	assert_int_equal(err.line, 3);
	assert_true(err.column >= 1);
	assert_contains(msg, "flow sequence");
	msg = load_bad("route: b: c\n", "s.yaml", &err);
	assert_string_equal(msg, "s.yaml:1:9: mapping values are not allowed "
	    "in this context");
	msg = load_bad("route: 1\nclassify:\n  x: 1\n\ty: 2\n", "s.yaml", &err);
	assert_int_equal(err.line, 4);
	assert_true(err.column >= 1);
	assert_contains(msg, "tab");
	msg = load_bad("route: 1\n---\nreply: 2\n", "s.yaml", &err);
	assert_string_equal(msg, "s.yaml:3:1: only one YAML document is "
	    "allowed");
	msg = load_bad("route: &x 1\nreply: *y\n", "s.yaml", &err);
	assert_string_equal(msg, "s.yaml:2:8: unknown alias 'y'");
	msg = load_bad("? [a, b]\n: 1\n", "s.yaml", &err);
	assert_string_equal(msg, "s.yaml:1:3: a key must be a plain string");
	NO_LEAKS();
}

static void
test_anchors_and_deep_nesting(void **state)
{
	LEAK_MARK();
	struct sm_config *cfg = load_ok("route: &x {k: [1, 2]}\nreply: *x\n",
	    "an.yaml");
	struct sm_error err;
	char *deep;
	size_t depth = 400;

	(void)state;
	assert_root(cfg, "{\"route\":{\"k\":[1,2]},\"reply\":{\"k\":[1,2]}}");
	sm_config_free(cfg);
	deep = malloc(2 * depth + 16);
	assert_non_null(deep);
	memcpy(deep, "route: ", 7);
	memset(deep + 7, '[', depth);
	memset(deep + 7 + depth, ']', depth);
	strcpy(deep + 7 + 2 * depth, "\n");
	assert_contains(load_bad(deep, "deep.yaml", &err), "nested too deep");
	free(deep);
	NO_LEAKS();
}

/* Includes */

static void
test_include_relative_to_including_file(void **state)
{
	LEAK_MARK();
	const char *main_path, *leaf;
	struct sm_config *cfg;
	json_t *root;

	(void)state;
	main_path = put("rel/main.yaml", "include: sub/part.yaml\nstate: 1\n");
	put("rel/sub/part.yaml", "include: leaf.yaml\nroute: 2\n");
	leaf = put("rel/sub/leaf.yaml", "reply: 3\n");
	/* decoys where a wrong resolution would look */
	put("rel/leaf.yaml", "reply: wrong-dir\n");
	put("rel/sub/sub/part.yaml", "route: wrong-dir\n");
	assert_int_equal(chdir("/"), 0);
	cfg = load_file_ok(main_path);
	assert_string_equal(sm_config_path(cfg), main_path);
	assert_root(cfg, "{\"state\":1,\"route\":2,\"reply\":3}");
	root = sm_config_root(cfg);
	assert_mark(cfg, json_object_get(root, "reply"), leaf, 1, 8);
	assert_mark(cfg, json_object_get(root, "state"), main_path, 2, 8);
	sm_config_free(cfg);

	/* from a string, includes are relative to the name given */
	cfg = load_ok("include: sub/part.yaml\nstate: 4\n", main_path);
	assert_root(cfg, "{\"state\":4,\"route\":2,\"reply\":3}");
	sm_config_free(cfg);

	/* and with a relative name, relative to the working directory */
	assert_int_equal(chdir(P("rel")), 0);
	cfg = load_file_ok("main.yaml");
	assert_root(cfg, "{\"state\":1,\"route\":2,\"reply\":3}");
	sm_config_free(cfg);
	NO_LEAKS();
}

static void
test_include_list_spliced(void **state)
{
	LEAK_MARK();
	const char *main_path;
	struct sm_config *cfg;
	struct sm_error err;

	(void)state;
	put("splice/more.yaml", "- {name: r2}\n- {name: r3}\n");
	main_path = put("splice/main.yaml",
	    "classify:\n"
	    "  only: [{include: more.yaml}]\n"
	    "  rules: [{name: r1}, {include: more.yaml}, {name: r4}]\n"
	    "  block:\n"
	    "    - name: b1\n"
	    "    - include: more.yaml\n"
	    "  direct: {include: more.yaml}\n");
	cfg = load_file_ok(main_path);
	assert_json(sm_config_section(cfg, "classify"),
	    "{\"only\":[{\"name\":\"r2\"},{\"name\":\"r3\"}],"
	    "\"rules\":[{\"name\":\"r1\"},{\"name\":\"r2\"},{\"name\":\"r3\"},"
	    "{\"name\":\"r4\"}],"
	    "\"block\":[{\"name\":\"b1\"},{\"name\":\"r2\"},{\"name\":\"r3\"}],"
	    "\"direct\":[{\"name\":\"r2\"},{\"name\":\"r3\"}]}");
	sm_config_free(cfg);

	/* a list cannot be merged into a mapping */
	assert_contains(load_bad("classify:\n  rules:\n"
	    "    - {include: more.yaml, x: 1}\n", main_path, &err),
	    "an included list cannot be merged with other keys");
	assert_string_equal(err.file, main_path);
	assert_int_equal(err.line, 3);
	assert_int_equal(err.column, 7);
	NO_LEAKS();
}

static void
test_include_merge(void **state)
{
	LEAK_MARK();
	const char *main_path;
	struct sm_config *cfg;

	(void)state;
	put("merge/base.yaml",
	    "classify:\n"
	    "  threshold: 1\n"
	    "  lang: es\n"
	    "  rules:\n"
	    "    - {name: b1}\n"
	    "    - {name: b2}\n"
	    "  nested: {x: 1, y: 2, deep: {p: 1, q: [1]}}\n"
	    "route: {queue: a}\n");
	main_path = put("merge/main.yaml",
	    "include: base.yaml\n"
	    "classify:\n"
	    "  extra: 0\n"
	    "  threshold: 5\n"
	    "  rules:\n"
	    "    - {name: m1}\n"
	    "  nested: {y: 3, z: 4, deep: {q: [2], r: 1}}\n"
	    "report: true\n");
	cfg = load_file_ok(main_path);
	assert_root(cfg, "{\"classify\":{\"threshold\":5,\"lang\":\"es\","
	    "\"extra\":0,"
	    "\"rules\":[{\"name\":\"b1\"},{\"name\":\"b2\"},{\"name\":\"m1\"}],"
	    "\"nested\":{\"x\":1,\"y\":3,\"z\":4,\"deep\":{\"p\":1,\"q\":[1,2],"
	    "\"r\":1}}},\"route\":{\"queue\":\"a\"},\"report\":true}");
	/* a merged mapping or list is placed where the including file
	 * wrote its part, so that errors about it can say where */
	{
		struct sm_mark m;
		json_t *c = sm_config_section(cfg, "classify");

		assert_int_equal(sm_config_mark(cfg, c, &m), 0);
		assert_string_equal(m.file, main_path);
		assert_int_equal(m.line, 3);
		assert_int_equal(sm_config_mark(cfg, json_object_get(c,
		    "rules"), &m), 0);
		assert_int_equal(m.line, 6);
		assert_int_equal(sm_config_mark(cfg, json_object_get(
		    json_object_get(c, "nested"), "deep"), &m), 0);
		assert_int_equal(m.line, 7);
	}
	/* the included file's keys first */
	assert_key_order(sm_config_root(cfg), "classify route report");
	assert_key_order(sm_config_section(cfg, "classify"),
	    "threshold lang rules nested extra");
	sm_config_free(cfg);

	/* several includes: in order, the later winning, then the file */
	put("merge/one.yaml", "state: {v: 1, w: 1, list: [1]}\n");
	put("merge/two.yaml", "state: {v: 2, list: [2]}\n");
	cfg = load_ok("include: [one.yaml, two.yaml]\nstate: {w: 3, list: [3]}"
	    "\n", main_path);
	assert_root(cfg, "{\"state\":{\"v\":2,\"w\":3,\"list\":[1,2,3]}}");
	sm_config_free(cfg);

	/* a section can include, too; its own scalars win */
	cfg = load_ok("route:\n  include: base.yaml\n  route: b\n",
	    main_path);
	assert_root(cfg, "{\"route\":{\"classify\":{\"threshold\":1,\"lang\":"
	    "\"es\",\"rules\":[{\"name\":\"b1\"},{\"name\":\"b2\"}],"
	    "\"nested\":{\"x\":1,\"y\":2,\"deep\":{\"p\":1,\"q\":[1]}}},"
	    "\"route\":\"b\"}}");
	sm_config_free(cfg);
	NO_LEAKS();
}

static void
test_include_marks_name_the_included_file(void **state)
{
	static const char *const allowed[] = { "name", NULL };
	LEAK_MARK();
	const char *main_path, *part;
	struct sm_config *cfg;
	json_t *rules;
	struct sm_error err = { 0 };
	char buf[2048], want[2048];

	(void)state;
	part = put("marks/part.yaml", "# rules\n- name: a\n  nmae: b\n");
	main_path = put("marks/main.yaml", "classify:\n  rules:\n"
	    "    - include: part.yaml\n");
	cfg = load_file_ok(main_path);
	rules = json_object_get(sm_config_section(cfg, "classify"), "rules");
	assert_int_equal(json_array_size(rules), 1);
	assert_int_equal(sm_config_check_keys(cfg, json_array_get(rules, 0),
	    "classify.rules[0]", allowed, &err), -1);
	sm_error_format(&err, buf, sizeof(buf));
	snprintf(want, sizeof(want), "%s:3:9: unknown key 'nmae' in "
	    "classify.rules[0] (a typo of 'name'?)", part);
	assert_string_equal(buf, want);
	sm_config_free(cfg);
	NO_LEAKS();
}

static void
test_include_cycle(void **state)
{
	LEAK_MARK();
	const char *a, *self, *spelled;
	struct sm_error err = { 0 };

	(void)state;
	a = put("cyc/a.yaml", "state: 1\ninclude: b.yaml\n");
	put("cyc/b.yaml", "route: 2\ninclude: a.yaml\n");
	assert_null(sm_config_load(a, &err));
	assert_contains(err.text, "include cycle");
	assert_string_equal(err.file, P("cyc/b.yaml"));
	assert_int_equal(err.line, 1);

	self = put("cyc/self.yaml", "include: self.yaml\n");
	memset(&err, 0, sizeof(err));
	assert_null(sm_config_load(self, &err));
	assert_contains(err.text, "include cycle");
	assert_string_equal(err.file, self);

	/* another spelling of the same file is the same file */
	spelled = put("cyc/sub/c.yaml", "include: ../sub/./c.yaml\n");
	memset(&err, 0, sizeof(err));
	assert_null(sm_config_load(spelled, &err));
	assert_contains(err.text, "include cycle");

	/* relative names from the working directory */
	assert_int_equal(chdir(P("cyc")), 0);
	memset(&err, 0, sizeof(err));
	assert_null(sm_config_load("a.yaml", &err));
	assert_contains(err.text, "include cycle");

	/* including one file twice, not nested, is no cycle */
	put("cyc/leaf.yaml", "state: [1]\n");
	sm_config_free(load_file_ok(put("cyc/twice.yaml",
	    "include: [leaf.yaml, leaf.yaml]\n")));
	NO_LEAKS();
}

static void
test_include_missing_or_bad(void **state)
{
	LEAK_MARK();
	const char *main_path;
	struct sm_error err;
	char want[2048];

	(void)state;
	main_path = P("miss/main.yaml");
	mkdirs(main_path);
	snprintf(want, sizeof(want), "%s:3:3: cannot include %s: %s",
	    main_path, P("miss/nothere.yaml"), strerror(ENOENT));
	assert_string_equal(load_bad("route: 1\nclassify:\n"
	    "  include: nothere.yaml\n", main_path, &err), want);

	put("miss/scalar.yaml", "just a string\n");
	assert_contains(load_bad("include: scalar.yaml\n", main_path, &err),
	    "included file must hold a mapping or a list");
	assert_contains(load_bad("include: {a: 1}\n", main_path, &err),
	    "include: expected a file name, got a mapping");
	put("miss/broken.yaml", "route: [1\n");
	load_bad("include: broken.yaml\n", main_path, &err);
	assert_string_equal(err.file, P("miss/broken.yaml"));
	assert_int_equal(err.line, 2);
	NO_LEAKS();
}

/* Was a leak: the mapping holding a failed include: was never released. */
static void
test_include_error_frees_memory(void **state)
{
	LEAK_MARK();
	struct sm_error err;

	(void)state;
	load_bad("classify:\n  x: {y: 1}\n  include: nothere.yaml\n",
	    P("leak.yaml"), &err);
	assert_contains(err.text, "cannot include");
	load_bad("route:\n  - {include: [nothere.yaml], z: [1]}\n",
	    P("leak.yaml"), &err);
	assert_contains(err.text, "cannot include");
	NO_LEAKS();
}

/* Was wrong: reported as "MAIN: Permission denied", with no line. */
static void
test_load_names_missing_nested_include(void **state)
{
	LEAK_MARK();
	const char *main_path;
	struct sm_error err = { 0 };
	char want[2048];

	(void)state;
	main_path = put("missload/main.yaml", "state: 1\nroute:\n"
	    "  include: missing.yaml\n");
	assert_null(sm_config_load(main_path, &err));
	snprintf(want, sizeof(want), "cannot include %s: %s",
	    P("missload/missing.yaml"), strerror(ENOENT));
	assert_string_equal(err.text, want);
	assert_string_equal(err.file, main_path);
	assert_int_equal(err.line, 3);
	NO_LEAKS();
}

static void
test_load_missing_file(void **state)
{
	LEAK_MARK();
	struct sm_error err = { 0 };
	const char *path = P("no/such/sm.yaml");

	(void)state;
	assert_null(sm_config_load(path, &err));
	assert_string_equal(err.file, path);
	assert_int_equal(err.line, 0);
	assert_string_equal(err.text, strerror(ENOENT));
	NO_LEAKS();
}

static void
test_builtin_municipal(void **state)
{
	LEAK_MARK();
	struct sm_config *cfg;
	json_t *classify, *rules, *last;
	struct sm_mark m;
	size_t n;

	(void)state;
	cfg = load_ok("classify:\n  include: builtin:municipal\n", "b.yaml");
	classify = sm_config_section(cfg, "classify");
	assert_true(json_is_object(classify));
	rules = json_object_get(classify, "rules");
	assert_true(json_is_array(rules));
	n = json_array_size(rules);
	assert_true(n >= 10);
	for (size_t i = 0; i < n; i++)
		assert_true(json_is_object(json_array_get(rules, i)));
	assert_int_equal(sm_config_mark(cfg, json_array_get(rules, 0), &m), 0);
	assert_string_equal(m.file, "builtin:municipal");
	assert_true(m.line > 1);
	sm_config_free(cfg);

	/* rules added after the include come after the pack's */
	cfg = load_ok("classify:\n  include: builtin:municipal\n  rules:\n"
	    "    - {name: mine}\n", "b.yaml");
	rules = json_object_get(sm_config_section(cfg, "classify"), "rules");
	assert_int_equal(json_array_size(rules), n + 1);
	last = json_array_get(rules, n);
	assert_string_equal(json_string_value(json_object_get(last, "name")),
	    "mine");
	sm_config_free(cfg);
	NO_LEAKS();
}

/* Lookup */

static void
clear_lookup_env(const char *home)
{
	unsetenv("SM_CONFIG");
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", home, 1);
}

static void
test_lookup_sm_config(void **state)
{
	LEAK_MARK();
	const char *path = put("look1/elsewhere.yaml", "state: env\n");
	struct sm_config *cfg;
	struct sm_error err = { 0 };

	(void)state;
	put("look1/sm.yaml", "state: cwd\n");
	clear_lookup_env(P("look1/home"));
	assert_int_equal(chdir(P("look1")), 0);
	setenv("SM_CONFIG", path, 1);
	cfg = load_file_ok(NULL);
	assert_string_equal(sm_config_path(cfg), path);
	assert_root(cfg, "{\"state\":\"env\"}");
	sm_config_free(cfg);

	/* named but missing is an error, not a reason to look further */
	setenv("SM_CONFIG", P("look1/missing.yaml"), 1);
	assert_null(sm_config_load(NULL, &err));
	assert_string_equal(err.file, P("look1/missing.yaml"));
	assert_string_equal(err.text, strerror(ENOENT));

	/* empty is unset */
	setenv("SM_CONFIG", "", 1);
	cfg = load_file_ok(NULL);
	assert_string_equal(sm_config_path(cfg), "sm.yaml");
	assert_root(cfg, "{\"state\":\"cwd\"}");
	sm_config_free(cfg);

	/* a path given wins over all of them */
	setenv("SM_CONFIG", path, 1);
	cfg = load_file_ok(put("look1/given.yaml", "state: given\n"));
	assert_root(cfg, "{\"state\":\"given\"}");
	sm_config_free(cfg);
	NO_LEAKS();
}

static void
test_lookup_cwd_before_xdg(void **state)
{
	LEAK_MARK();
	struct sm_config *cfg;

	(void)state;
	put("look2/work/sm.yaml", "state: cwd\n");
	put("look2/xdg/sm/sm.yaml", "state: xdg\n");
	put("look2/home/.config/sm/sm.yaml", "state: home\n");
	clear_lookup_env(P("look2/home"));
	setenv("XDG_CONFIG_HOME", P("look2/xdg"), 1);
	assert_int_equal(chdir(P("look2/work")), 0);
	cfg = load_file_ok(NULL);
	assert_string_equal(sm_config_path(cfg), "sm.yaml");
	assert_root(cfg, "{\"state\":\"cwd\"}");
	sm_config_free(cfg);
	NO_LEAKS();
}

static void
test_lookup_xdg_then_home(void **state)
{
	LEAK_MARK();
	struct sm_config *cfg;
	char want[PATH_MAX];

	(void)state;
	mkdirs(P("look3/work/"));
	put("look3/xdg/sm/sm.yaml", "state: xdg\n");
	put("look3/home/.config/sm/sm.yaml", "state: home\n");
	clear_lookup_env(P("look3/home"));
	setenv("XDG_CONFIG_HOME", P("look3/xdg"), 1);
	assert_int_equal(chdir(P("look3/work")), 0);
	cfg = load_file_ok(NULL);
	snprintf(want, sizeof(want), "%s/sm/sm.yaml", P("look3/xdg"));
	assert_string_equal(sm_config_path(cfg), want);
	assert_root(cfg, "{\"state\":\"xdg\"}");
	sm_config_free(cfg);

	/* without XDG_CONFIG_HOME: ~/.config */
	unsetenv("XDG_CONFIG_HOME");
	cfg = load_file_ok(NULL);
	snprintf(want, sizeof(want), "%s/.config/sm/sm.yaml", P("look3/home"));
	assert_string_equal(sm_config_path(cfg), want);
	assert_root(cfg, "{\"state\":\"home\"}");
	sm_config_free(cfg);

	/* XDG_CONFIG_HOME set but holding none: not ~/.config either */
	setenv("XDG_CONFIG_HOME", P("look3/work"), 1);
	cfg = load_file_ok(NULL);
	if (sm_config_path(cfg) != NULL)
		assert_string_equal(sm_config_path(cfg), "/etc/sm/sm.yaml");
	sm_config_free(cfg);
	NO_LEAKS();
}

static void
test_lookup_nothing_found(void **state)
{
	LEAK_MARK();
	struct sm_config *cfg;
	struct stat st;

	(void)state;
	if (stat("/etc/sm/sm.yaml", &st) == 0)
		skip();
	mkdirs(P("look4/work/"));
	clear_lookup_env(P("look4/home"));
	setenv("XDG_CONFIG_HOME", P("look4/xdg"), 1);
	assert_int_equal(chdir(P("look4/work")), 0);
	cfg = load_file_ok(NULL);
	assert_null(sm_config_path(cfg));
	assert_true(json_is_object(sm_config_root(cfg)));
	assert_int_equal(json_object_size(sm_config_root(cfg)), 0);
	assert_null(sm_config_section(cfg, "classify"));
	sm_config_free(cfg);

	/* no HOME either */
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("HOME");
	cfg = load_file_ok(NULL);
	assert_null(sm_config_path(cfg));
	sm_config_free(cfg);
	NO_LEAKS();
}

/* Secrets */

#define SECRET	"s3cr3t-T0ken-value"

/* accounts.NAME */
static json_t *
account(const struct sm_config *cfg, const char *name)
{
	json_t *a = json_object_get(sm_config_section(cfg, "accounts"), name);

	assert_non_null(a);
	return a;
}

static void
test_secret_env(void **state)
{
	LEAK_MARK();
	struct sm_config *cfg = load_ok("accounts:\n  mastodon:\n"
	    "    token_env: SM_TEST_TOKEN\n", "sec.yaml");
	json_t *node = account(cfg, "mastodon");
	struct sm_error err = { 0 };
	char *s, buf[2048];

	(void)state;
	setenv("SM_TEST_TOKEN", SECRET, 1);
	s = sm_account_secret(cfg, node, "accounts.mastodon", &err);
	assert_non_null(s);
	assert_string_equal(s, SECRET);
	free(s);

	unsetenv("SM_TEST_TOKEN");
	assert_null(sm_account_secret(cfg, node, "accounts.mastodon", &err));
	sm_error_format(&err, buf, sizeof(buf));
	assert_string_equal(buf, "sec.yaml:3:16: accounts.mastodon: "
	    "environment variable SM_TEST_TOKEN is not set");
	setenv("SM_TEST_TOKEN", "", 1);
	assert_null(sm_account_secret(cfg, node, "accounts.mastodon", &err));
	assert_contains(err.text, "is not set");
	sm_config_free(cfg);
	NO_LEAKS();
}

static void
test_secret_file(void **state)
{
	LEAK_MARK();
	struct sm_config *cfg;
	struct sm_error err = { 0 };
	char text[4096];
	char *s;

	(void)state;
	put("sec/lf", SECRET "\n");
	put("sec/crlf", SECRET "\r\n");
	put("sec/bare", SECRET);
	put("sec/lines", SECRET "\n\n\n");
	put("sec/inner", "  " SECRET " x\n");
	snprintf(text, sizeof(text), "accounts:\n"
	    "  lf: {token_file: %s}\n  crlf: {token_file: %s}\n"
	    "  bare: {token_file: %s}\n  lines: {token_file: %s}\n"
	    "  inner: {token_file: %s}\n",
	    P("sec/lf"), P("sec/crlf"), P("sec/bare"), P("sec/lines"),
	    P("sec/inner"));
	cfg = load_ok(text, "sec.yaml");
	s = sm_account_secret(cfg, account(cfg, "lf"), "lf", &err);
	assert_non_null(s);
	assert_string_equal(s, SECRET);
	free(s);
	s = sm_account_secret(cfg, account(cfg, "crlf"), "crlf", &err);
	assert_non_null(s);
	assert_string_equal(s, SECRET);
	free(s);
	s = sm_account_secret(cfg, account(cfg, "bare"), "bare", &err);
	assert_non_null(s);
	assert_string_equal(s, SECRET);
	free(s);
	s = sm_account_secret(cfg, account(cfg, "lines"), "lines", &err);
	assert_non_null(s);
	assert_string_equal(s, SECRET);
	free(s);
	/* only the end of the file is trimmed */
	s = sm_account_secret(cfg, account(cfg, "inner"), "inner", &err);
	assert_non_null(s);
	assert_string_equal(s, "  " SECRET " x");
	free(s);
	sm_config_free(cfg);

	/* a relative token_file is taken from the file it is written in,
	 * not from the working directory */
	assert_int_equal(chdir("/"), 0);
	cfg = load_ok("accounts:\n  rel: {token_file: lf}\n", P("sec/sm.yaml"));
	s = sm_account_secret(cfg, account(cfg, "rel"), "rel", &err);
	assert_non_null(s);
	assert_string_equal(s, SECRET);
	free(s);
	sm_config_free(cfg);

	/* only the first line: a second cannot become an HTTP header */
	put("sec/two", SECRET "\r\nX-Injected: yes\n");
	put("sec/ctl", "abc\001def\n");
	snprintf(text, sizeof(text), "accounts:\n  two: {token_file: %s}\n"
	    "  ctl: {token_file: %s}\n  env: {token_env: SM_TEST_NL}\n",
	    P("sec/two"), P("sec/ctl"));
	setenv("SM_TEST_NL", SECRET "\nX-Injected: yes", 1);
	cfg = load_ok(text, "sec.yaml");
	s = sm_account_secret(cfg, account(cfg, "two"), "two", &err);
	assert_non_null(s);
	assert_string_equal(s, SECRET);
	free(s);
	assert_null(sm_account_secret(cfg, account(cfg, "ctl"), "ctl", &err));
	assert_contains(err.text, "holds a control character");
	assert_null(sm_account_secret(cfg, account(cfg, "env"), "env", &err));
	assert_contains(err.text, "SM_TEST_NL holds a control character");
	sm_config_free(cfg);
	NO_LEAKS();
}

static void
test_secret_errors(void **state)
{
	LEAK_MARK();
	struct sm_config *cfg;
	struct sm_error err = { 0 };
	char text[4096], want[2048], buf[2048];
	const char *empty, *newline, *missing, *good;

	(void)state;
	empty = put("sec2/empty", "");
	newline = put("sec2/newline", "\n\n");
	missing = P("sec2/missing");
	good = put("sec2/good", SECRET "\n");
	setenv("SM_TEST_TOKEN", SECRET, 1);
	snprintf(text, sizeof(text),
	    "accounts:\n"
	    "  empty: {token_file: %s}\n"
	    "  newline: {token_file: %s}\n"
	    "  missing: {token_file: %s}\n"
	    "  both: {token_env: SM_TEST_TOKEN, token_file: %s}\n"
	    "  none: {token: " SECRET "}\n"
	    "  notname: {token_env: [SM_TEST_TOKEN]}\n",
	    empty, newline, missing, good);
	cfg = load_ok(text, "sec2.yaml");

	assert_null(sm_account_secret(cfg, account(cfg, "empty"),
	    "accounts.empty", &err));
	sm_error_format(&err, buf, sizeof(buf));
	snprintf(want, sizeof(want), "sec2.yaml:2:23: accounts.empty: %s: the "
	    "first line is empty", empty);
	assert_string_equal(buf, want);

	assert_null(sm_account_secret(cfg, account(cfg, "newline"),
	    "accounts.newline", &err));
	assert_contains(err.text, "is empty");

	assert_null(sm_account_secret(cfg, account(cfg, "missing"),
	    "accounts.missing", &err));
	sm_error_format(&err, buf, sizeof(buf));
	snprintf(want, sizeof(want), "sec2.yaml:4:25: accounts.missing: "
	    "cannot read %s: %s", missing, strerror(ENOENT));
	assert_string_equal(buf, want);

	memset(&err, 0, sizeof(err));
	assert_null(sm_account_secret(cfg, account(cfg, "both"),
	    "accounts.both", &err));
	assert_contains(err.text, "not both");
	assert_string_equal(err.file, "sec2.yaml");
	assert_int_equal(err.line, 5);

	assert_null(sm_account_secret(cfg, account(cfg, "none"),
	    "accounts.none", &err));
	assert_contains(err.text, "needs token_env or token_file");

	assert_null(sm_account_secret(cfg, account(cfg, "notname"),
	    "accounts.notname", &err));
	assert_contains(err.text, "token_env");
	sm_config_free(cfg);
	NO_LEAKS();
}

static void
test_secret_value_never_in_errors(void **state)
{
	LEAK_MARK();
	struct sm_config *cfg;
	struct sm_error err;
	char text[4096], buf[2048];
	const char *names[] = { "a", "b", "c", "d", "e", "f" };
	char *s;

	(void)state;
	/* the secret is there, but something else is wrong */
	setenv("SM_TEST_TOKEN", SECRET, 1);
	put("sec3/tok", SECRET "\n");
	mkdirs(P("sec3/dir/"));
	snprintf(text, sizeof(text),
	    "accounts:\n"
	    "  a: {token_env: SM_TEST_TOKEN, token_file: %s}\n"
	    "  b: {token_file: %s, token_env: SM_TEST_TOKEN}\n"
	    "  c: {token_env: [SM_TEST_TOKEN]}\n"
	    "  d: {token_file: [%s]}\n"
	    "  e: {token_file: %s}\n"
	    "  f: {token_env: SM_TEST_TOKEN_UNSET, token: x}\n",
	    P("sec3/tok"), P("sec3/tok"), P("sec3/tok"), P("sec3/dir"));
	unsetenv("SM_TEST_TOKEN_UNSET");
	cfg = load_ok(text, "sec3.yaml");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		memset(&err, 0, sizeof(err));
		s = sm_account_secret(cfg, account(cfg, names[i]), names[i],
		    &err);
		free(s);
		if (s != NULL)
			fail_msg("%s: a secret was returned", names[i]);
		sm_error_format(&err, buf, sizeof(buf));
		if (err.text[0] == '\0')
			fail_msg("%s: no error text", names[i]);
		if (strstr(buf, SECRET))
			fail_msg("%s: the secret is in \"%s\"", names[i], buf);
	}
	sm_config_free(cfg);
	NO_LEAKS();
}

static void
test_type_names(void **state)
{
	json_t *j;

	(void)state;
	j = json_object();
	assert_string_equal(sm_config_type_name(j), "a mapping");
	json_decref(j);
	j = json_array();
	assert_string_equal(sm_config_type_name(j), "a list");
	json_decref(j);
	j = json_string("x");
	assert_string_equal(sm_config_type_name(j), "a string");
	json_decref(j);
	j = json_integer(1);
	assert_string_equal(sm_config_type_name(j), "a number");
	json_decref(j);
	j = json_real(1.5);
	assert_string_equal(sm_config_type_name(j), "a number");
	json_decref(j);
	assert_string_equal(sm_config_type_name(json_true()), "a boolean");
	assert_string_equal(sm_config_type_name(json_false()), "a boolean");
	assert_string_equal(sm_config_type_name(json_null()), "null");
}

/* Warnings */

static void
test_warnings_collected(void **state)
{
	LEAK_MARK();
	struct sm_config *cfg = load_ok("classify:\n  a: plain, words\n"
	    "  b: 'quoted, words'\n  c: |\n    block, words\n  d: 7\n",
	    "w.yaml");
	json_t *c = sm_config_section(cfg, "classify");
	const struct sm_error *w;

	(void)state;
	assert_int_equal(sm_config_nwarnings(cfg), 0);
	assert_null(sm_config_warning(cfg, 0));
	sm_config_warn(cfg, json_object_get(c, "a"), "look at %s", "a");
	sm_config_warn(cfg, json_object_get(c, "b"), "look at b");
	/* the same part compiled twice says it once */
	sm_config_warn(cfg, json_object_get(c, "a"), "look at %s", "a");
	assert_int_equal(sm_config_nwarnings(cfg), 2);
	w = sm_config_warning(cfg, 0);
	assert_string_equal(w->file, "w.yaml");
	assert_int_equal(w->line, 2);
	assert_int_equal(w->column, 6);
	assert_string_equal(w->text, "look at a");
	assert_string_equal(sm_config_warning(cfg, 1)->text, "look at b");
	/* a node without a place of its own: the file alone */
	sm_config_warn(cfg, json_true(), "no place");
	w = sm_config_warning(cfg, 2);
	assert_string_equal(w->file, "w.yaml");
	assert_int_equal(w->line, 0);
	/* plain scalars only: quoted and block ones are meant as written */
	assert_int_equal(sm_config_plain(cfg, json_object_get(c, "a")), 1);
	assert_int_equal(sm_config_plain(cfg, json_object_get(c, "b")), 0);
	assert_int_equal(sm_config_plain(cfg, json_object_get(c, "c")), 0);
	assert_int_equal(sm_config_plain(cfg, json_object_get(c, "d")), 0);
	assert_int_equal(sm_config_plain(cfg, c), 0);
	sm_config_free(cfg);
	NO_LEAKS();
}

static void
test_style_survives_growth(void **state)
{
	LEAK_MARK();
	/* the pack, read after it, grows the table of places many times */
	struct sm_config *cfg = load_ok("state: 'q.db'\nroute: {x: a, y}\n"
	    "classify:\n  include: builtin:municipal\n", "g.yaml");
	json_t *st = json_object_get(sm_config_root(cfg), "state");
	struct sm_mark m;

	(void)state;
	assert_int_equal(sm_config_text_mark(cfg, st, &m), 0);
	assert_int_equal(m.column, 9);	/* within the quotes */
	assert_int_equal(sm_config_plain(cfg, st), 0);
	assert_int_equal(sm_config_plain(cfg, json_object_get(
	    sm_config_section(cfg, "route"), "x")), 1);
	sm_config_free(cfg);
	NO_LEAKS();
}

/* Compiles the classify section of text; the formatted error, or "" */
static const char *
compile(struct sm_config **cfg, const char *text)
{
	static char buf[3000];
	struct sm_error err = { 0 };
	struct sm_rules *r;

	*cfg = load_ok(text, "r.yaml");
	r = sm_rules_compile(*cfg, sm_config_section(*cfg, "classify"), &err);
	if (r == NULL) {
		sm_error_format(&err, buf, sizeof(buf));
		return buf;
	}
	sm_rules_free(r);
	return "";
}

static const char *
warning_text(const struct sm_config *cfg, size_t i)
{
	static char buf[3000];
	const struct sm_error *w = sm_config_warning(cfg, i);

	if (w == NULL)
		fail_msg("no warning %zu", i);
	sm_error_format(w, buf, sizeof(buf));
	return buf;
}

static void
test_rules_warnings(void **state)
{
	LEAK_MARK();
	struct sm_config *cfg;

	(void)state;
	assert_string_equal(compile(&cfg, "classify:\n  rules:\n"
	    "    - name: council\n      set: {topic: council}\n"
	    "      terms: concejal, concejala\n"
	    "    - name: quoted\n      set: {topic: council}\n"
	    "      terms: [\"sí, claro\", 'a, b']\n"), "");
	assert_int_equal(sm_config_nwarnings(cfg), 1);
	assert_string_equal(warning_text(cfg, 0), "r.yaml:5:14: "
	    "classify.rules[0] (name 'council').terms[0]: term 'concejal, "
	    "concejala' holds a comma, so it is one phrase; for several "
	    "terms write a list: [concejal, concejala]");
	sm_config_free(cfg);

	/* a dimension one rule alone sets: named, with its near twin */
	assert_string_equal(compile(&cfg, "classify:\n  rules:\n"
	    "    - {name: a, set: {topic: t}, terms: x}\n"
	    "    - {name: noise.night, set: {urgencia: alta}, terms: y}\n"),
	    "");
	assert_int_equal(sm_config_nwarnings(cfg), 1);
	assert_string_equal(warning_text(cfg, 0), "r.yaml:4:43: "
	    "classify.rules[1] (name 'noise.night'): set: dimension "
	    "'urgencia' is set by no other rule and is not in "
	    "classify.defaults (a typo of 'urgency'?)");
	sm_config_free(cfg);
	assert_string_equal(compile(&cfg, "classify:\n  rules:\n"
	    "    - {name: a, set: {anonymous: 'yes'}, terms: x}\n"), "");
	assert_contains(warning_text(cfg, 0), "(give it a default there if "
	    "it is meant)");
	sm_config_free(cfg);
	/* in defaults, set by two rules, or a model's: meant */
	assert_string_equal(compile(&cfg, "classify:\n"
	    "  defaults: {anonymous: null}\n  rules:\n"
	    "    - {name: a, set: {anonymous: 'yes'}, terms: x}\n"
	    "    - {name: b, set: {mood: x}, terms: x}\n"
	    "    - {name: c, set: {mood: y}, terms: y}\n"
	    "    - {name: d, set: {department: z}, terms: z}\n"
	    "  models:\n    - {dimension: department, path: m.model}\n"), "");
	assert_int_equal(sm_config_nwarnings(cfg), 0);
	sm_config_free(cfg);

	/* lang: a code not told apart is said; one not well formed is
	 * an error, which names the rule */
	assert_string_equal(compile(&cfg, "classify:\n  rules:\n"
	    "    - {name: a, set: {topic: t}, lang: [es, und, ja], terms: x}\n"),
	    "");
	assert_int_equal(sm_config_nwarnings(cfg), 1);
	assert_string_equal(warning_text(cfg, 0), "r.yaml:3:50: "
	    "classify.rules[0] (name 'a'): lang: 'ja' is not a language "
	    "sm-classify tells apart (es, en, ca, eu, gl, fr, de, it, pt or "
	    "und): the rule fires only where a record's own lang says 'ja'");
	sm_config_free(cfg);
	assert_string_equal(compile(&cfg, "classify:\n  rules:\n"
	    "    - {name: a, set: {topic: t}, terms: x}\n"
	    "    - {name: topic.noise.es, set: {topic: t}, lang: ES, "
	    "terms: x}\n"), "r.yaml:4:53: classify.rules[1] (name "
	    "'topic.noise.es'): lang: 'ES' is not a language code (lower "
	    "case, as classify.lang shows it: es, en, ca, eu, gl, fr, de, it, "
	    "pt or und)");
	sm_config_free(cfg);
	assert_contains(compile(&cfg, "classify:\n  rules:\n"
	    "    - {name: a, set: {topic: t}, lang: spanish, terms: x}\n"),
	    "lang: 'spanish' is not a language code");
	sm_config_free(cfg);
	/* the name is in every error about a rule that has one */
	assert_string_equal(compile(&cfg, "classify:\n  rules:\n"
	    "    - {name: a, set: {topic: t}, terms: x, pattren: y}\n"),
	    "r.yaml:3:53: unknown key 'pattren' in classify.rules[0] "
	    "(name 'a')");
	sm_config_free(cfg);
	assert_string_equal(compile(&cfg, "classify:\n  rules:\n"
	    "    - {set: {topic: t}, terms: x}\n"),
	    "r.yaml:3:7: classify.rules[0]: a rule needs a name");
	sm_config_free(cfg);
	NO_LEAKS();
}

static void
test_builtin_pack_no_warnings(void **state)
{
	LEAK_MARK();
	struct sm_config *cfg;

	(void)state;
	assert_string_equal(compile(&cfg, "classify:\n"
	    "  include: builtin:municipal\n"), "");
	if (sm_config_nwarnings(cfg) != 0)
		fail_msg("the pack warns: %s", warning_text(cfg, 0));
	sm_config_free(cfg);
	NO_LEAKS();
}

static void
test_near_and_item_where(void **state)
{
	static const char *const known[] = {
		"category", "topic", "urgency", "queue", "status"
	};
	json_t *item;
	char buf[64];

	(void)state;
	assert_string_equal(sm_config_near("categroy", known, 5, 4),
	    "category");
	assert_string_equal(sm_config_near("urgencia", known, 5, 4),
	    "urgency");
	assert_string_equal(sm_config_near("queu", known, 5, 6), "queue");
	/* two letters swapped is one edit */
	assert_string_equal(sm_config_near("stauts", known, 5, 6), "status");
	/* two edits from a name of up to short_len letters is too far */
	assert_null(sm_config_near("qeuu", known, 5, 6));
	assert_null(sm_config_near("topic", known, 5, 4));
	assert_null(sm_config_near("weather", known, 5, 4));
	assert_null(sm_config_near("x", known, 0, 4));

	item = json_pack("{s:s}", "name", "potholes");
	assert_string_equal(sm_config_item_where(item, "route.rules", 3, buf,
	    sizeof(buf)), "route.rules[3] (name 'potholes')");
	json_object_set_new(item, "name", json_string(""));
	assert_string_equal(sm_config_item_where(item, "route.rules", 3, buf,
	    sizeof(buf)), "route.rules[3]");
	json_object_set_new(item, "name", json_integer(3));
	assert_string_equal(sm_config_item_where(item, "route.rules", 0, buf,
	    sizeof(buf)), "route.rules[0]");
	json_decref(item);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, save_env, restore_env)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_scalars_typed),
		T(test_empty_and_comment_only),
		T(test_sections),
		T(test_top_must_be_mapping),
		T(test_marks),
		T(test_config_error_place),
		T(test_check_keys),
		T(test_duplicate_keys),
		T(test_yaml_syntax_errors),
		T(test_anchors_and_deep_nesting),
		T(test_include_relative_to_including_file),
		T(test_include_list_spliced),
		T(test_include_merge),
		T(test_include_marks_name_the_included_file),
		T(test_include_cycle),
		T(test_include_missing_or_bad),
		T(test_include_error_frees_memory),
		T(test_load_names_missing_nested_include),
		T(test_load_missing_file),
		T(test_builtin_municipal),
		T(test_lookup_sm_config),
		T(test_lookup_cwd_before_xdg),
		T(test_lookup_xdg_then_home),
		T(test_lookup_nothing_found),
		T(test_secret_env),
		T(test_secret_file),
		T(test_secret_errors),
		T(test_secret_value_never_in_errors),
		T(test_type_names),
		T(test_warnings_collected),
		T(test_style_survives_growth),
		T(test_rules_warnings),
		T(test_builtin_pack_no_warnings),
		T(test_near_and_item_where),
	};

	json_set_alloc_funcs(counted_malloc, counted_free);
	return cmocka_run_group_tests_name("config", tests, setup_dir,
	    remove_dir);
}
