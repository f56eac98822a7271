/* config.c - sm.yaml: lookup, YAML to JSON with places kept, validation */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <yaml.h>

#include "sm/config.h"
#include "sm/util.h"

#define MAX_DEPTH 64
/* A configuration file larger than this is not one (include: /dev/zero);
 * the built-in rule pack is 110 KB. */
#define MAX_FILE (4 * 1024 * 1024)
/* Nodes of the whole configuration with every alias expanded, as the
 * tools walk it: a few aliases nested in a small file (a "billion
 * laughs") would otherwise take gigabytes when the rules are compiled. */
#define MAX_NODES 1000000

extern const char sm_builtin_municipal[];
extern const char sm_builtin_replies[];

static const struct {
	const char *name;
	const char *text;
} builtins[] = {
	{ "builtin:municipal", sm_builtin_municipal },
	{ "builtin:replies", sm_builtin_replies },
};

/* The top-level sections; each tool validates its own. */
static const char *const sections[] = {
	"state", "accounts", "classify", "route", "reply", "report",
	"calendars", NULL
};

struct markent {
	const json_t *node;
	unsigned file;
	int line;
	int column;
	unsigned char style;	/* a string scalar's: libyaml's style */
};

struct sm_config {
	json_t *root;
	char *path;
	char **files;		/* every file read, for marks */
	unsigned nfiles;
	struct markent *marks;	/* open addressing, keyed by node */
	size_t nmarks;
	size_t capmarks;
	size_t nodes;		/* so far, aliases expanded */
	/* apart, so that a part given the configuration const (the rules,
	 * compiled from it) can still add to them */
	struct warnings {
		struct sm_error *list;
		size_t n;
	} *warnings;
};

/* One file being parsed; includes nest through stack. */
struct loader {
	struct sm_config *cfg;
	yaml_parser_t parser;
	unsigned file;		/* index in cfg->files */
	const char *dir;	/* for relative includes; NULL for builtins */
	const struct loader *up;
	struct anchor {
		char *name;
		json_t *node;
		size_t nodes;	/* its nodes, aliases expanded */
	} *anchors;
	size_t nanchors;
	int depth;
};

static json_t *load_text(struct sm_config *, const char *, size_t,
    const char *, const struct loader *, struct sm_error *);

static void mark_style(struct sm_config *, const json_t *, int);

static size_t
mark_slot(const struct sm_config *cfg, const json_t *node)
{
	uintptr_t k = (uintptr_t)node;

	return (size_t)((k >> 4) * 0x9e3779b97f4a7c15ULL) & (cfg->capmarks - 1);
}

static void
mark_put(struct sm_config *cfg, const json_t *node, unsigned file, int line,
    int column)
{
	size_t i;

	if ((cfg->nmarks + 1) * 2 > cfg->capmarks) {
		struct markent *old = cfg->marks;
		size_t oldcap = cfg->capmarks;

		cfg->capmarks = oldcap ? oldcap * 2 : 256;
		cfg->marks = xcalloc(cfg->capmarks, sizeof(*cfg->marks));
		cfg->nmarks = 0;
		for (size_t j = 0; j < oldcap; j++)
			if (old[j].node) {
				mark_put(cfg, old[j].node, old[j].file,
				    old[j].line, old[j].column);
				mark_style(cfg, old[j].node, old[j].style);
			}
		free(old);
	}
	for (i = mark_slot(cfg, node); cfg->marks[i].node;
	    i = (i + 1) & (cfg->capmarks - 1))
		if (cfg->marks[i].node == node)
			break;	/* a freed node's address was reused */
	if (cfg->marks[i].node == NULL)
		cfg->nmarks++;
	cfg->marks[i] = (struct markent){ node, file, line, column, 0 };
}

/* The scalar style of a string node whose mark was just put. */
static void
mark_style(struct sm_config *cfg, const json_t *node, int style)
{
	for (size_t i = mark_slot(cfg, node); cfg->marks[i].node;
	    i = (i + 1) & (cfg->capmarks - 1))
		if (cfg->marks[i].node == node) {
			cfg->marks[i].style = (unsigned char)style;
			return;
		}
}

int
sm_config_text_mark(const struct sm_config *cfg, const json_t *node,
    struct sm_mark *mark)
{
	for (size_t i = cfg->capmarks ? mark_slot(cfg, node) : 0;
	    cfg->capmarks && cfg->marks[i].node;
	    i = (i + 1) & (cfg->capmarks - 1))
		if (cfg->marks[i].node == node) {
			mark->file = cfg->files[cfg->marks[i].file];
			mark->line = cfg->marks[i].line;
			mark->column = cfg->marks[i].column;
			switch (cfg->marks[i].style) {
			case YAML_SINGLE_QUOTED_SCALAR_STYLE:
			case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
				mark->column++;
				break;
			case YAML_LITERAL_SCALAR_STYLE:
			case YAML_FOLDED_SCALAR_STYLE:
				mark->line++;
				mark->column = 1;
				break;
			}
			return 0;
		}
	return -1;
}

int
sm_config_plain(const struct sm_config *cfg, const json_t *node)
{
	for (size_t i = cfg->capmarks ? mark_slot(cfg, node) : 0;
	    cfg->capmarks && cfg->marks[i].node;
	    i = (i + 1) & (cfg->capmarks - 1))
		if (cfg->marks[i].node == node)
			return json_is_string(node) &&
			    cfg->marks[i].style == YAML_PLAIN_SCALAR_STYLE;
	return 0;
}

int
sm_config_mark(const struct sm_config *cfg, const json_t *node,
    struct sm_mark *mark)
{
	if (cfg->capmarks == 0 || node == NULL)
		return -1;
	for (size_t i = mark_slot(cfg, node); cfg->marks[i].node;
	    i = (i + 1) & (cfg->capmarks - 1))
		if (cfg->marks[i].node == node) {
			mark->file = cfg->files[cfg->marks[i].file];
			mark->line = cfg->marks[i].line;
			mark->column = cfg->marks[i].column;
			return 0;
		}
	return -1;
}

int
sm_config_error(const struct sm_config *cfg, const json_t *node,
    struct sm_error *err, const char *fmt, ...)
{
	struct sm_mark m;
	char text[sizeof(err->text)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (sm_config_mark(cfg, node, &m) == 0)
		return sm_error_set(err, m.file, m.line, m.column, "%s", text);
	return sm_error_set(err, cfg->path, 0, 0, "%s", text);
}

void
sm_config_warn(const struct sm_config *cfg, const json_t *node,
    const char *fmt, ...)
{
	struct warnings *w = cfg->warnings;
	struct sm_error e;
	struct sm_mark m;
	char text[sizeof(e.text)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (sm_config_mark(cfg, node, &m) == 0)
		sm_error_set(&e, m.file, m.line, m.column, "%s", text);
	else
		sm_error_set(&e, cfg->path, 0, 0, "%s", text);
	/* the same part compiled twice says it once */
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(w->list[i].text, e.text) == 0 &&
		    strcmp(w->list[i].file, e.file) == 0 &&
		    w->list[i].line == e.line &&
		    w->list[i].column == e.column)
			return;
	w->list = xreallocarray(w->list, w->n + 1, sizeof(*w->list));
	w->list[w->n++] = e;
}

size_t
sm_config_nwarnings(const struct sm_config *cfg)
{
	return cfg->warnings->n;
}

const struct sm_error *
sm_config_warning(const struct sm_config *cfg, size_t i)
{
	return i < cfg->warnings->n ? &cfg->warnings->list[i] : NULL;
}

const char *
sm_config_item_where(const json_t *item, const char *list, size_t idx,
    char *buf, size_t size)
{
	const char *name = json_string_value(json_object_get(item, "name"));

	if (name && *name)
		snprintf(buf, size, "%s[%zu] (name '%s')", list, idx, name);
	else
		snprintf(buf, size, "%s[%zu]", list, idx);
	return buf;
}

/* Edit distance of two short names, two letters swapped counting as
 * one edit, up to 3 (more is "far"). */
static size_t
name_distance(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), rows[3][65], i, j, d;
	size_t *prev2, *prev, *row;

	if (na > 64 || nb > 64)
		return 3;
	for (j = 0; j <= nb; j++)
		rows[0][j] = j;
	for (i = 1; i <= na; i++) {
		prev2 = rows[(i + 1) % 3];
		prev = rows[(i - 1) % 3];
		row = rows[i % 3];
		row[0] = i;
		for (j = 1; j <= nb; j++) {
			d = prev[j - 1] + (a[i - 1] != b[j - 1]);
			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (row[j - 1] + 1 < d)
				d = row[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			row[j] = d;
		}
	}
	return rows[na % 3][nb] < 3 ? rows[na % 3][nb] : 3;
}

const char *
sm_config_near(const char *name, const char *const *known, size_t n,
    size_t short_len)
{
	const char *best = NULL;
	size_t i, d, bestd = 3;

	for (i = 0; i < n; i++) {
		if (strcmp(name, known[i]) == 0)
			return NULL;
		d = name_distance(name, known[i]);
		if (d <= (strlen(known[i]) > short_len ? 2 : 1) && d < bestd) {
			best = known[i];
			bestd = d;
		}
	}
	return best;
}

const char *
sm_config_type_name(const json_t *node)
{
	switch (json_typeof(node)) {
	case JSON_OBJECT: return "a mapping";
	case JSON_ARRAY: return "a list";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

/*
 * A key as a message may quote it: whole when it looks like a name (a
 * typo of one), else only its beginning.  A file that is not YAML at all
 * (include: /etc/shadow) still parses as keys, which must not be shown.
 */
static const char *
key_shown(const char *key, char *buf, size_t size)
{
	struct sm_buf b = { 0 };
	size_t n = strlen(key), i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)key[i];

		if (!(c >= 0x80 || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '-' || c == '.' || c == ' '))
			break;
	}
	sm_buf_add_printable(&b, key, n, i == n && n <= 64 ? 0 : 8);
	snprintf(buf, size, "%s", b.data);
	sm_buf_free(&b);
	return buf;
}

int
sm_config_check_keys(const struct sm_config *cfg, const json_t *node,
    const char *where, const char *const *allowed, struct sm_error *err)
{
	const char *key;
	json_t *value;

	if (!json_is_object(node))
		return sm_config_error(cfg, node, err,
		    "expected a mapping for %s, got %s", where,
		    sm_config_type_name(node));
	json_object_foreach((json_t *)node, key, value) {
		const char *const *a;

		for (a = allowed; *a; a++)
			if (strcmp(*a, key) == 0)
				break;
		if (*a == NULL) {
			struct sm_mark m;
			char shown[128], hint[160] = "";
			const char *near = sm_config_near(key, allowed,
			    (size_t)(a - allowed), 4);

			key_shown(key, shown, sizeof(shown));
			if (near)
				snprintf(hint, sizeof(hint), " (a typo of "
				    "'%s'?)", near);
			/* the key's own place is that of its value's line */
			if (sm_config_mark(cfg, value, &m) < 0 &&
			    sm_config_mark(cfg, node, &m) < 0)
				return sm_error_set(err, cfg->path, 0, 0,
				    "unknown key '%s' in %s%s", shown, where,
				    hint);
			return sm_error_set(err, m.file, m.line, m.column,
			    "unknown key '%s' in %s%s", shown, where, hint);
		}
	}
	return 0;
}

/* YAML scalars: the plain ones that mean something else than a string. */
static json_t *
scalar(const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	char *end;

	if (tag && strcmp(tag, YAML_STR_TAG) == 0)
		return json_stringn(s, n);
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE && tag == NULL)
		return json_stringn(s, n);
	if (n == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	    strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0)
		return json_null();
	if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 ||
	    strcmp(s, "TRUE") == 0)
		return json_true();
	if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 ||
	    strcmp(s, "FALSE") == 0)
		return json_false();
	if (strspn(s, "+-0123456789") == n && strcspn(s, "0123456789") < n) {
		long long v;

		errno = 0;
		v = strtoll(s, &end, 10);
		if (errno == 0 && *end == '\0')
			return json_integer(v);
	}
	if (strspn(s, "+-0123456789.eE") == n && strcspn(s, "0123456789") < n) {
		double d;

		errno = 0;
		d = strtod(s, &end);
		if (errno == 0 && *end == '\0')
			return json_real(d);
	}
	return json_stringn(s, n);
}

static int
yaml_failed(struct loader *ld, struct sm_error *err)
{
	yaml_parser_t *p = &ld->parser;
	const yaml_mark_t *m = p->problem ? &p->problem_mark : &p->context_mark;

	return sm_error_set(err, ld->cfg->files[ld->file], (int)m->line + 1,
	    (int)m->column + 1, "%s%s%s", p->problem ? p->problem : "bad YAML",
	    p->context ? " " : "", p->context ? p->context : "");
}

static int
at(struct loader *ld, const yaml_mark_t *m, struct sm_error *err,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
at(struct loader *ld, const yaml_mark_t *m, struct sm_error *err,
    const char *fmt, ...)
{
	char text[sizeof(err->text)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return sm_error_set(err, ld->cfg->files[ld->file], (int)m->line + 1,
	    (int)m->column + 1, "%s", text);
}

/* Result of parsing one node: splice is set when an include of a list
 * stood alone in a mapping, so that a list holding it takes its items. */
struct node {
	json_t *json;
	int splice;
};

static int parse_node(struct loader *, yaml_event_t *, struct node *,
    struct sm_error *);

/* Gives node to the place where from was written. */
static void
mark_copy(struct sm_config *cfg, const json_t *to, const json_t *from)
{
	if (cfg->capmarks == 0)
		return;
	for (size_t i = mark_slot(cfg, from); cfg->marks[i].node;
	    i = (i + 1) & (cfg->capmarks - 1))
		if (cfg->marks[i].node == from) {
			struct markent m = cfg->marks[i];

			mark_put(cfg, to, m.file, m.line, m.column);
			mark_style(cfg, to, m.style);
			return;
		}
}

/* A new node: base with over laid on it.  It takes over's place, so
 * that errors about it point where the user wrote the later part. */
static json_t *
merge(struct sm_config *cfg, json_t *base, json_t *over)
{
	const char *key;
	json_t *value, *out, *b;

	if (json_is_array(base) && json_is_array(over)) {
		out = json_array();
		json_array_extend(out, base);
		json_array_extend(out, over);
		mark_copy(cfg, out, over);
		return out;
	}
	if (!json_is_object(base) || !json_is_object(over))
		return json_incref(over);
	out = json_object();
	mark_copy(cfg, out, over);
	json_object_update(out, base);
	json_object_foreach(over, key, value) {
		b = json_object_get(out, key);
		json_object_set_new(out, key, b ? merge(cfg, b, value) :
		    json_incref(value));
	}
	return out;
}

static int
same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (strcmp(a, b) == 0)
		return 1;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static json_t *
include_one(struct loader *ld, const json_t *name, const yaml_mark_t *m,
    struct sm_error *err)
{
	const char *s;
	char *path, *text;
	size_t n;
	FILE *fp;
	json_t *doc;
	const struct loader *up;
	struct stat st;
	size_t i;

	if (!json_is_string(name)) {
		at(ld, m, err, "include: expected a file name, got %s",
		    sm_config_type_name(name));
		return NULL;
	}
	s = json_string_value(name);
	for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (strcmp(s, builtins[i].name) == 0)
			break;
	if (i < sizeof(builtins) / sizeof(builtins[0]))
		path = xstrdup(s);
	else if (s[0] == '/' || ld->dir == NULL || strcmp(ld->dir, ".") == 0)
		path = xstrdup(s);
	else {
		n = strlen(ld->dir) + strlen(s) + 2;
		path = xmalloc(n);
		snprintf(path, n, "%s/%s", ld->dir, s);
	}
	for (up = ld; up; up = up->up)
		if (same_file(up->cfg->files[up->file], path)) {
			at(ld, m, err, "include cycle: %s is already being "
			    "read", s);
			free(path);
			return NULL;
		}
	if (ld->depth + 1 > MAX_DEPTH) {
		at(ld, m, err, "includes nested too deep");
		free(path);
		return NULL;
	}
	if (i < sizeof(builtins) / sizeof(builtins[0])) {
		doc = load_text(ld->cfg, builtins[i].text,
		    strlen(builtins[i].text), path, ld, err);
		free(path);
		return doc;
	}
	/* an included file is a regular file (not /dev/zero, not a FIFO
	 * that would wait for a writer); the top one may be /dev/null */
	if (ld->cfg->files[ld->file][0] != '\0' && stat(path, &st) == 0 &&
	    !S_ISREG(st.st_mode)) {
		at(ld, m, err, "cannot include %s: not a regular file", path);
		free(path);
		return NULL;
	}
	fp = fopen(path, "r");
	if (fp == NULL) {
		at(ld, m, err, "cannot include %s: %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	text = NULL;
	n = 0;
	{
		struct sm_buf b = { 0 };
		char chunk[8192];
		size_t got;

		while ((got = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
			sm_buf_add(&b, chunk, got);
			if (b.len > MAX_FILE)
				break;
		}
		if (b.len > MAX_FILE) {
			if (ld->cfg->files[ld->file][0] == '\0')
				sm_error_set(err, path, 0, 0, "larger than %d "
				    "MiB: not a configuration file",
				    MAX_FILE >> 20);
			else
				at(ld, m, err, "cannot include %s: larger than "
				    "%d MiB: not a configuration file", path,
				    MAX_FILE >> 20);
			fclose(fp);
			sm_buf_free(&b);
			free(path);
			return NULL;
		}
		if (ferror(fp)) {
			at(ld, m, err, "cannot read %s: %s", path,
			    strerror(errno));
			fclose(fp);
			sm_buf_free(&b);
			free(path);
			return NULL;
		}
		text = b.data ? b.data : xstrdup("");
		n = b.len;
	}
	fclose(fp);
	doc = load_text(ld->cfg, text, n, path, ld, err);
	free(text);
	free(path);
	return doc;
}

/* A mapping with include: gets the included documents merged under it. */
static int
resolve_include(struct loader *ld, struct node *out, const yaml_mark_t *m,
    struct sm_error *err)
{
	json_t *map = out->json, *inc, *base = NULL, *doc, *merged;
	size_t i, n;

	inc = json_object_get(map, "include");
	if (inc == NULL)
		return 0;
	json_incref(inc);
	json_object_del(map, "include");
	n = json_is_array(inc) ? json_array_size(inc) : 1;
	for (i = 0; i < n; i++) {
		doc = include_one(ld, json_is_array(inc) ?
		    json_array_get(inc, i) : inc, m, err);
		if (doc == NULL)
			goto fail;
		if (!json_is_object(doc) && !json_is_array(doc)) {
			json_decref(doc);
			at(ld, m, err, "included file must hold a mapping or "
			    "a list");
			goto fail;
		}
		if (base == NULL)
			base = doc;
		else {
			merged = merge(ld->cfg, base, doc);
			json_decref(base);
			json_decref(doc);
			base = merged;
		}
	}
	json_decref(inc);
	if (json_is_array(base)) {
		if (json_object_size(map) != 0) {
			json_decref(base);
			return at(ld, m, err, "an included list cannot be "
			    "merged with other keys");
		}
		json_decref(map);
		out->json = base;
		out->splice = 1;
		mark_put(ld->cfg, base, ld->file, (int)m->line + 1,
		    (int)m->column + 1);
		return 0;
	}
	merged = merge(ld->cfg, base, map);
	json_decref(base);
	json_decref(map);
	out->json = merged;
	mark_put(ld->cfg, merged, ld->file, (int)m->line + 1,
	    (int)m->column + 1);
	return 0;
fail:
	json_decref(inc);
	json_decref(base);
	return -1;
}

static int
next_event(struct loader *ld, yaml_event_t *ev, struct sm_error *err)
{
	if (!yaml_parser_parse(&ld->parser, ev))
		return yaml_failed(ld, err);
	return 0;
}

static void
anchor_put(struct loader *ld, const unsigned char *name, json_t *node)
{
	if (name == NULL)
		return;
	ld->anchors = xreallocarray(ld->anchors, ld->nanchors + 1,
	    sizeof(*ld->anchors));
	ld->anchors[ld->nanchors].name = xstrdup((const char *)name);
	ld->anchors[ld->nanchors].node = json_incref(node);
	ld->anchors[ld->nanchors].nodes = 1;
	ld->nanchors++;
}

static int
parse_mapping(struct loader *ld, yaml_event_t *start, struct node *out,
    struct sm_error *err)
{
	yaml_mark_t m = start->start_mark;
	unsigned char *anchor = start->data.mapping_start.anchor;
	json_t *map = json_object();
	yaml_event_t ev;

	anchor = anchor ? (unsigned char *)xstrdup((char *)anchor) : NULL;
	for (;;) {
		struct node k = { 0 }, v = { 0 };

		if (next_event(ld, &ev, err) < 0)
			goto fail;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (ev.type != YAML_SCALAR_EVENT) {
			at(ld, &ev.start_mark, err, "a key must be a plain "
			    "string");
			yaml_event_delete(&ev);
			goto fail;
		}
		k.json = json_stringn((const char *)ev.data.scalar.value,
		    ev.data.scalar.length);
		if (json_object_get(map, json_string_value(k.json))) {
			char shown[128];

			at(ld, &ev.start_mark, err, "duplicate key '%s'",
			    key_shown(json_string_value(k.json), shown,
			    sizeof(shown)));
			yaml_event_delete(&ev);
			json_decref(k.json);
			goto fail;
		}
		yaml_event_delete(&ev);
		if (next_event(ld, &ev, err) < 0) {
			json_decref(k.json);
			goto fail;
		}
		if (parse_node(ld, &ev, &v, err) < 0) {
			json_decref(k.json);
			goto fail;
		}
		json_object_set_new(map, json_string_value(k.json), v.json);
		json_decref(k.json);
	}
	out->json = map;
	out->splice = 0;
	mark_put(ld->cfg, map, ld->file, (int)m.line + 1, (int)m.column + 1);
	if (resolve_include(ld, out, &m, err) < 0) {
		json_decref(out->json);
		out->json = NULL;
		free(anchor);
		return -1;
	}
	anchor_put(ld, anchor, out->json);
	free(anchor);
	return 0;
fail:
	free(anchor);
	json_decref(map);
	return -1;
}

static int
parse_sequence(struct loader *ld, yaml_event_t *start, struct node *out,
    struct sm_error *err)
{
	yaml_mark_t m = start->start_mark;
	unsigned char *anchor = start->data.sequence_start.anchor;
	json_t *seq = json_array();
	yaml_event_t ev;

	anchor = anchor ? (unsigned char *)xstrdup((char *)anchor) : NULL;
	for (;;) {
		struct node item = { 0 };

		if (next_event(ld, &ev, err) < 0)
			goto fail;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (parse_node(ld, &ev, &item, err) < 0)
			goto fail;
		if (item.splice) {
			json_array_extend(seq, item.json);
			json_decref(item.json);
		} else
			json_array_append_new(seq, item.json);
	}
	out->json = seq;
	out->splice = 0;
	mark_put(ld->cfg, seq, ld->file, (int)m.line + 1, (int)m.column + 1);
	anchor_put(ld, anchor, seq);
	free(anchor);
	return 0;
fail:
	free(anchor);
	json_decref(seq);
	return -1;
}

/* Parses the node that begins with ev, and deletes ev. */
static int
parse_node(struct loader *ld, yaml_event_t *ev, struct node *out,
    struct sm_error *err)
{
	struct sm_config *cfg = ld->cfg;
	size_t before = cfg->nodes, nanchors = ld->nanchors;
	const unsigned char *anchor = NULL;
	int rc = 0;

	out->splice = 0;
	if (++ld->depth > MAX_DEPTH + 200) {
		rc = at(ld, &ev->start_mark, err, "nested too deep");
		goto done;
	}
	if (ev->type != YAML_ALIAS_EVENT && ++cfg->nodes > MAX_NODES) {
		rc = at(ld, &ev->start_mark, err, "more than %d nodes, "
		    "aliases expanded: too large a configuration", MAX_NODES);
		goto done;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		out->json = scalar(ev);
		/* scalars can be shared singletons: only strings get marks */
		if (json_is_string(out->json) || json_is_number(out->json)) {
			mark_put(ld->cfg, out->json, ld->file,
			    (int)ev->start_mark.line + 1,
			    (int)ev->start_mark.column + 1);
			mark_style(ld->cfg, out->json,
			    (int)ev->data.scalar.style);
		}
		anchor_put(ld, ev->data.scalar.anchor, out->json);
		break;
	case YAML_MAPPING_START_EVENT:
		rc = parse_mapping(ld, ev, out, err);
		break;
	case YAML_SEQUENCE_START_EVENT:
		rc = parse_sequence(ld, ev, out, err);
		break;
	case YAML_ALIAS_EVENT: {
		const char *name = (const char *)ev->data.alias.anchor;
		size_t i;

		for (i = ld->nanchors; i > 0; i--)
			if (strcmp(ld->anchors[i - 1].name, name) == 0)
				break;
		if (i == 0) {
			rc = at(ld, &ev->start_mark, err, "unknown alias '%s'",
			    name);
			break;
		}
		if (ld->anchors[i - 1].nodes > MAX_NODES - cfg->nodes) {
			rc = at(ld, &ev->start_mark, err, "alias '%s': more "
			    "than %d nodes, aliases expanded: too large a "
			    "configuration", name, MAX_NODES);
			break;
		}
		cfg->nodes += ld->anchors[i - 1].nodes;
		out->json = json_incref(ld->anchors[i - 1].node);
		break;
	}
	default:
		rc = at(ld, &ev->start_mark, err, "unexpected YAML event");
		break;
	}
	/* the node's anchor, put last, counts what the node holds */
	if (rc == 0 && ev->type == YAML_SCALAR_EVENT)
		anchor = ev->data.scalar.anchor;
	else if (rc == 0 && ev->type == YAML_MAPPING_START_EVENT)
		anchor = ev->data.mapping_start.anchor;
	else if (rc == 0 && ev->type == YAML_SEQUENCE_START_EVENT)
		anchor = ev->data.sequence_start.anchor;
	if (anchor && ld->nanchors > nanchors)
		ld->anchors[ld->nanchors - 1].nodes = cfg->nodes - before;
done:
	ld->depth--;
	yaml_event_delete(ev);
	return rc;
}

static unsigned
add_file(struct sm_config *cfg, const char *name)
{
	cfg->files = xreallocarray(cfg->files, cfg->nfiles + 1,
	    sizeof(*cfg->files));
	cfg->files[cfg->nfiles] = xstrdup(name);
	return cfg->nfiles++;
}

/* Parses one YAML document; an empty one is null.  New reference. */
static json_t *
load_text(struct sm_config *cfg, const char *text, size_t len,
    const char *name, const struct loader *up, struct sm_error *err)
{
	struct loader ld = { 0 };
	yaml_event_t ev;
	json_t *doc = NULL;
	char *dir = NULL, *slash;
	int done = 0;

	ld.cfg = cfg;
	ld.file = add_file(cfg, name);
	ld.up = up;
	ld.depth = up ? up->depth + 1 : 0;
	if (strncmp(name, "builtin:", 8) != 0) {
		dir = xstrdup(name);
		slash = strrchr(dir, '/');
		if (slash == NULL) {
			free(dir);
			dir = xstrdup(".");
		} else if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	ld.dir = dir;
	yaml_parser_initialize(&ld.parser);
	yaml_parser_set_input_string(&ld.parser, (const unsigned char *)text,
	    len);
	while (!done) {
		if (next_event(&ld, &ev, err) < 0)
			goto fail;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			yaml_event_delete(&ev);
			break;
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_SCALAR_EVENT:
		case YAML_ALIAS_EVENT:
			if (doc != NULL) {
				at(&ld, &ev.start_mark, err, "only one YAML "
				    "document is allowed");
				yaml_event_delete(&ev);
				goto fail;
			}
			{
				struct node n = { 0 };

				if (parse_node(&ld, &ev, &n, err) < 0)
					goto fail;
				doc = n.json;
			}
			break;
		default:
			yaml_event_delete(&ev);
			break;
		}
	}
	if (doc == NULL)
		doc = json_null();
	goto out;
fail:
	json_decref(doc);
	doc = NULL;
out:
	yaml_parser_delete(&ld.parser);
	for (size_t i = 0; i < ld.nanchors; i++) {
		free(ld.anchors[i].name);
		json_decref(ld.anchors[i].node);
	}
	free(ld.anchors);
	free(dir);
	return doc;
}

static struct sm_config *
finish(struct sm_config *cfg, json_t *doc, struct sm_error *err)
{
	if (doc == NULL) {
		sm_config_free(cfg);
		return NULL;
	}
	if (json_is_null(doc)) {
		json_decref(doc);
		doc = json_object();
	}
	if (!json_is_object(doc)) {
		sm_config_error(cfg, doc, err, "expected a mapping at the top "
		    "of the configuration, got %s", sm_config_type_name(doc));
		json_decref(doc);
		sm_config_free(cfg);
		return NULL;
	}
	cfg->root = doc;
	if (sm_config_check_keys(cfg, doc, "the configuration", sections,
	    err) < 0) {
		sm_config_free(cfg);
		return NULL;
	}
	return cfg;
}

struct sm_config *
sm_config_load_string(const char *text, const char *name,
    struct sm_error *err)
{
	struct sm_config *cfg = xcalloc(1, sizeof(*cfg));

	cfg->warnings = xcalloc(1, sizeof(*cfg->warnings));
	cfg->path = xstrdup(name);
	return finish(cfg, load_text(cfg, text, strlen(text), name, NULL, err),
	    err);
}

static int
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static char *
lookup(void)
{
	const char *env = getenv("SM_CONFIG"), *xdg, *home;
	char buf[PATH_MAX];

	if (env && *env)
		return xstrdup(env);
	if (exists("sm.yaml"))
		return xstrdup("sm.yaml");
	xdg = getenv("XDG_CONFIG_HOME");
	home = getenv("HOME");
	if (xdg && *xdg)
		snprintf(buf, sizeof(buf), "%s/sm/sm.yaml", xdg);
	else if (home && *home)
		snprintf(buf, sizeof(buf), "%s/.config/sm/sm.yaml", home);
	else
		buf[0] = '\0';
	if (buf[0] && exists(buf))
		return xstrdup(buf);
	if (exists("/etc/sm/sm.yaml"))
		return xstrdup("/etc/sm/sm.yaml");
	return NULL;
}

struct sm_config *
sm_config_load(const char *path, struct sm_error *err)
{
	struct sm_config *cfg;
	char *found = path ? xstrdup(path) : lookup();
	struct loader top = { 0 };
	yaml_mark_t m = { 0 };
	json_t *name, *doc;

	cfg = xcalloc(1, sizeof(*cfg));
	cfg->warnings = xcalloc(1, sizeof(*cfg->warnings));
	if (found == NULL) {
		cfg->root = json_object();
		return cfg;
	}
	cfg->path = found;
	/* Reading the file is an include from nowhere: one code path. */
	top.cfg = cfg;
	top.file = add_file(cfg, "");
	top.dir = NULL;
	top.depth = -1;
	name = json_string(found);
	doc = include_one(&top, name, &m, err);
	json_decref(name);
	if (doc == NULL && err->file[0] == '\0' &&
	    strncmp(err->text, "cannot include ", 15) == 0)
		sm_error_set(err, found, 0, 0, "%s",
		    strerror(exists(found) ? EACCES : ENOENT));
	return finish(cfg, doc, err);
}

void
sm_config_free(struct sm_config *cfg)
{
	if (cfg == NULL)
		return;
	json_decref(cfg->root);
	for (unsigned i = 0; i < cfg->nfiles; i++)
		free(cfg->files[i]);
	free(cfg->files);
	free(cfg->marks);
	free(cfg->path);
	if (cfg->warnings)
		free(cfg->warnings->list);
	free(cfg->warnings);
	free(cfg);
}

const char *
sm_config_path(const struct sm_config *cfg)
{
	return cfg->path;
}

json_t *
sm_config_root(const struct sm_config *cfg)
{
	return cfg->root;
}

json_t *
sm_config_section(const struct sm_config *cfg, const char *name)
{
	return json_object_get(cfg->root, name);
}

char *
sm_config_relpath(const struct sm_config *cfg, const json_t *node)
{
	const char *v = json_string_value(node), *slash;
	struct sm_mark mark;
	char *out;

	if (v == NULL)
		return NULL;
	if (v[0] == '/' || sm_config_mark(cfg, node, &mark) < 0 ||
	    mark.file == NULL || (slash = strrchr(mark.file, '/')) == NULL)
		return xstrdup(v);
	out = xmalloc((size_t)(slash - mark.file) + strlen(v) + 2);
	sprintf(out, "%.*s/%s", (int)(slash - mark.file), mark.file, v);
	return out;
}

/* Numbers have no place of their own: errors about them point at parent. */
static const json_t *
placed(const struct sm_config *cfg, const json_t *node, const json_t *parent)
{
	struct sm_mark m;

	return sm_config_mark(cfg, node, &m) == 0 ? node : parent;
}

int
sm_config_get_number(const struct sm_config *cfg, const json_t *node,
    const char *key, const char *where, double min, double max, double *out,
    struct sm_error *err)
{
	json_t *v = json_object_get(node, key);

	if (v == NULL)
		return 0;
	if (!json_is_number(v))
		return sm_config_error(cfg, placed(cfg, v, node), err,
		    "%s.%s: expected a number, got %s", where, key,
		    sm_config_type_name(v));
	*out = json_number_value(v);
	if (*out < min || *out > max)
		return sm_config_error(cfg, placed(cfg, v, node), err,
		    "%s.%s: %g is out of range (%g to %g)", where, key, *out,
		    min, max);
	return 0;
}

int
sm_config_get_string(const struct sm_config *cfg, const json_t *node,
    const char *key, const char *where, const char **out,
    struct sm_error *err)
{
	json_t *v = json_object_get(node, key);

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_string(v) || json_string_length(v) == 0)
		return sm_config_error(cfg, placed(cfg, v, node), err,
		    "%s.%s: expected a non-empty string, got %s", where, key,
		    json_is_string(v) ? "an empty one" :
		    sm_config_type_name(v));
	*out = json_string_value(v);
	return 0;
}
