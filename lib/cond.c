/* cond.c - conditions on a record's fields: when, all, any, none */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "sm/cond.h"
#include "sm/time.h"
#include "sm/jsonl.h"
#include "sm/text.h"
#include "sm/util.h"

enum { LT, LTE, GT, GTE, NCMP };

struct test {
	char *path;
	json_t *in;		/* equal to one of these (an array), or NULL */
	json_t *not_in;		/* equal to none of these, or NULL */
	int exists;		/* -1: not asked */
	int has_cmp[NCMP];
	double num[NCMP];	/* a number to compare with */
	int is_time[NCMP];	/* ... or a timestamp (num holds it) */
	json_t *contains;
	pcre2_code *re;
	pcre2_match_data *md;
	char **terms;		/* folded */
	size_t nterms;
};

struct sm_when {
	struct test *tests;
	size_t n;
};

struct sm_cond {
	struct sm_when *when;
	struct sm_cond **sub[3];	/* all, any, none */
	size_t nsub[3];
};

static const char *const lists[3] = { "all", "any", "none" };
static const char *const cmp_names[NCMP] = { "lt", "lte", "gt", "gte" };
static const char *const ops[] = {
	"eq", "ne", "in", "not_in", "exists", "lt", "lte", "gt", "gte",
	"contains", "regex", "terms", NULL
};

static json_t *
as_list(const json_t *v)
{
	json_t *a;

	if (json_is_array(v))
		return json_incref((json_t *)v);
	a = json_array();
	json_array_append(a, (json_t *)v);
	return a;
}

/* A list of the one value v. */
static json_t *
one(const json_t *v)
{
	json_t *a = json_array();

	json_array_append(a, (json_t *)v);
	return a;
}

static int
compile_cmp(const struct sm_config *cfg, const json_t *v, struct test *t,
    int k, const char *where, struct sm_error *err)
{
	time_t when;

	if (json_is_number(v) && isfinite(json_number_value(v))) {
		t->num[k] = json_number_value(v);
	} else if (json_is_string(v) &&
	    sm_time_parse(json_string_value(v), &when) == 0) {
		t->num[k] = (double)when;
		t->is_time[k] = 1;
	} else
		return sm_config_error(cfg, v, err, "%s.%s: %s: expected a "
		    "number or a timestamp", where, t->path, cmp_names[k]);
	t->has_cmp[k] = 1;
	return 0;
}

static int
compile_regex(const struct sm_config *cfg, const json_t *v, struct test *t,
    const char *where, struct sm_error *err)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	int code;

	if (!json_is_string(v) || json_string_length(v) == 0)
		return sm_config_error(cfg, v, err, "%s.%s: regex: expected a "
		    "pattern", where, t->path);
	t->re = pcre2_compile((PCRE2_SPTR)json_string_value(v),
	    json_string_length(v), PCRE2_UTF | PCRE2_UCP, &code, &off, NULL);
	if (t->re == NULL) {
		pcre2_get_error_message(code, msg, sizeof(msg));
		return sm_config_error(cfg, v, err, "%s.%s: regex: %s at "
		    "offset %zu", where, t->path, (char *)msg, (size_t)off);
	}
	(void)pcre2_jit_compile(t->re, PCRE2_JIT_COMPLETE);
	t->md = pcre2_match_data_create_from_pattern(t->re, NULL);
	return 0;
}

static int
compile_terms(const struct sm_config *cfg, const json_t *v, struct test *t,
    const char *where, struct sm_error *err)
{
	json_t *list = as_list(v), *x;
	struct sm_buf b = { 0 };
	size_t i;

	t->terms = xcalloc(json_array_size(list) + 1, sizeof(*t->terms));
	json_array_foreach(list, i, x) {
		if (!json_is_string(x) || json_string_length(x) == 0) {
			json_decref(list);
			return sm_config_error(cfg, x, err, "%s.%s: terms: "
			    "expected words", where, t->path);
		}
		/* as in classify rules: "terms: a, b" is one string in
		 * YAML, one phrase of two words here; quoted, it is meant */
		if (strchr(json_string_value(x), ',') &&
		    sm_config_plain(cfg, x))
			sm_config_warn(cfg, x, "%s.%s: terms: term '%s' holds a "
			    "comma, so it is one phrase; for several terms "
			    "write a list: [%s]", where, t->path,
			    json_string_value(x), json_string_value(x));
		sm_buf_reset(&b);
		if (sm_text_fold(&b, json_string_value(x),
		    json_string_length(x)) < 0 || b.len == 0) {
			sm_buf_free(&b);
			json_decref(list);
			return sm_config_error(cfg, x, err, "%s.%s: terms: "
			    "'%s' has no words", where, t->path,
			    json_string_value(x));
		}
		t->terms[t->nterms++] = xstrndup(b.data, b.len);
	}
	sm_buf_free(&b);
	json_decref(list);
	if (t->nterms == 0)
		return sm_config_error(cfg, v, err, "%s.%s: terms: empty list",
		    where, t->path);
	return 0;
}

static int
compile_ops(const struct sm_config *cfg, const json_t *m, struct test *t,
    const char *where, struct sm_error *err)
{
	const char *op;
	json_t *v;
	char sub[600];
	int k;

	snprintf(sub, sizeof(sub), "%.400s.%.150s", where, t->path);
	if (json_object_size(m) == 0)
		return sm_config_error(cfg, m, err, "%s: expected a value, a "
		    "list or tests (eq, in, exists, lt, regex...)", sub);
	if (sm_config_check_keys(cfg, m, sub, ops, err) < 0)
		return -1;
	json_object_foreach((json_t *)m, op, v) {
		/* eq and ne take one value, a list too ({ne: []}: not
		 * empty); in and not_in a list of them */
		if (strcmp(op, "eq") == 0 || strcmp(op, "in") == 0) {
			if (t->in)
				return sm_config_error(cfg, v, err, "%s: give "
				    "eq or in, not both", sub);
			t->in = op[0] == 'e' ? one(v) : as_list(v);
		} else if (strcmp(op, "ne") == 0 ||
		    strcmp(op, "not_in") == 0) {
			if (t->not_in)
				return sm_config_error(cfg, v, err, "%s: give "
				    "ne or not_in, not both", sub);
			t->not_in = op[0] == 'n' && op[1] == 'e' ? one(v) :
			    as_list(v);
		} else if (strcmp(op, "exists") == 0) {
			if (!json_is_boolean(v))
				return sm_config_error(cfg, v, err, "%s.exists: "
				    "expected true or false", sub);
			t->exists = json_is_true(v);
		} else if (strcmp(op, "contains") == 0) {
			t->contains = json_incref(v);
		} else if (strcmp(op, "regex") == 0) {
			if (compile_regex(cfg, v, t, where, err) < 0)
				return -1;
		} else if (strcmp(op, "terms") == 0) {
			if (compile_terms(cfg, v, t, where, err) < 0)
				return -1;
		} else {
			for (k = 0; k < NCMP; k++)
				if (strcmp(op, cmp_names[k]) == 0 &&
				    compile_cmp(cfg, v, t, k, where, err) < 0)
					return -1;
		}
	}
	return 0;
}

/*
 * The fields of sm-message(7), to tell a field's name misspelt (a test
 * that never holds, silently) from one of the user's own: only a name
 * near one of these, and not one of them, is warned about.  A list ends
 * at NULL; the fields of an object follow its name.
 */
static const char *const top_fields[] = {
	"id", "platform", "account", "kind", "created_at", "fetched_at",
	"author", "text", "lang", "url", "thread", "native", "subject",
	"email", "unreadable", "edited_at", "bluesky", "classify", "route",
	"reply", "label", NULL
};
static const char *const sub_fields[] = {
	"author", "id", "handle", "name", NULL,
	"thread", "in_reply_to", "root", NULL,
	"email", "subject", "message_id", "references", "uidvalidity", "uid",
	    "attachments", NULL,
	"unreadable", "reason", "runs", "mailbox", "size", NULL,
	"route", "queue", "department", "case", "priority", "due_at", "sla",
	    "rule", "duplicate_of", "delivered", "explain", NULL,
	"reply", "template", "lang", "text", "visibility", "status", "auto",
	    "approved", "length", "max_length", "reason", "by", "sent_at",
	    "platform_id", "url", "error", NULL,
	/* and the dimensions the configuration's rules set */
	"classify", "category", "topic", "urgency", "sentiment", "lang", "pii",
	    "score", "rules", "model", "explain", NULL,
	NULL
};

/* Fields whose values are a closed set, and that set. */
static const char *const kinds[] = {
	"mention", "direct", "reply", "comment", "search", "own", "email",
	"post", NULL
};
static const char *const reply_statuses[] = {
	"draft", "too_long", "skipped", "sent", "failed", "unknown", NULL
};

static size_t
count(const char *const *list)
{
	size_t n = 0;

	while (list[n])
		n++;
	return n;
}

/* "a, b or c" */
static void
listed(struct sm_buf *b, const char *const *list)
{
	for (size_t i = 0; list[i]; i++) {
		if (i)
			sm_buf_adds(b, list[i + 1] ? ", " : " or ");
		sm_buf_adds(b, list[i]);
	}
	sm_buf_addc(b, '\0');
}

/* The dimensions the classify section names (defaults, rules' set,
 * models), which classify.* may test as well as the core ones. */
static void
classify_dims(const struct sm_config *cfg, const char ***names, size_t *n)
{
	const json_t *sec = sm_config_section(cfg, "classify"), *j, *v;
	const char *key;
	size_t i;

	json_object_foreach((json_t *)json_object_get(sec, "defaults"), key,
	    v) {
		*names = xreallocarray(*names, *n + 1, sizeof(**names));
		(*names)[(*n)++] = key;
	}
	json_array_foreach(json_object_get(sec, "rules"), i, j)
		json_object_foreach(json_object_get(j, "set"), key, v) {
			*names = xreallocarray(*names, *n + 1, sizeof(**names));
			(*names)[(*n)++] = key;
		}
	json_array_foreach(json_object_get(sec, "models"), i, j)
		if ((key = json_string_value(json_object_get(j,
		    "dimension"))) != NULL) {
			*names = xreallocarray(*names, *n + 1, sizeof(**names));
			(*names)[(*n)++] = key;
		}
}

/* The names of more than four letters, which a typo can be told of. */
static size_t
guessable(const char *const *names, size_t n, const char ***out)
{
	size_t k = 0;

	*out = xcalloc(n + 1, sizeof(**out));
	for (size_t i = 0; i < n; i++)
		if (strlen(names[i]) > 4)
			(*out)[k++] = names[i];
	return k;
}

/*
 * A field's name near one of sm-message(7)'s, but not one
 * (clasify.category, route.queu): the name of a field the user added
 * is nothing sm can check, so only such near misses are said.  Names of
 * four letters or fewer (kind, text, lang, id) are too near too many
 * words to guess at.
 */
static void
check_path(const struct sm_config *cfg, const json_t *at, const char *where,
    const char *path)
{
	const char *dot = strchr(path, '.'), *const *list = NULL, *near;
	const char **names = NULL, **known = NULL;
	size_t n = 0, nknown = 0, i;
	char *top = xstrndup(path, dot ? (size_t)(dot - path) : strlen(path));
	char *sub = NULL;

	for (i = 0; top_fields[i]; i++)
		if (strcmp(top, top_fields[i]) == 0)
			break;
	if (top_fields[i] == NULL) {
		/* the first part: near a top-level field? */
		nknown = guessable(top_fields, count(top_fields), &known);
		near = sm_config_near(top, known, nknown, 6);
		if (near)
			sm_config_warn(cfg, at, "%s.%s: '%s' is not a field "
			    "sm writes (a typo of '%s'?)", where, path, top,
			    near);
		goto done;
	}
	if (dot == NULL)
		goto done;
	/* the second part, in an object of sm-message(7) */
	for (list = sub_fields; *list; list += count(list) + 1)
		if (strcmp(*list, top) == 0)
			break;
	if (*list == NULL)
		goto done;
	sub = xstrndup(dot + 1, strcspn(dot + 1, "."));
	for (i = 1; list[i]; i++) {
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = list[i];
	}
	if (strcmp(top, "classify") == 0)
		classify_dims(cfg, &names, &n);
	for (i = 0; i < n; i++)
		if (strcmp(sub, names[i]) == 0)
			goto done;
	nknown = guessable(names, n, &known);
	near = sm_config_near(sub, known, nknown, 6);
	if (near)
		sm_config_warn(cfg, at, "%s.%s: '%s.%s' is not a field sm "
		    "writes (a typo of '%s.%s'?)", where, path, top, sub, top,
		    near);
done:
	free(top);
	free(sub);
	free(names);
	free(known);
}

/*
 * A value a field never has: a kind or a reply's status that is none of
 * those there are, a classify.lang that is not a lower-case language
 * code.  vals is the test's list of values (in, not_in).  (Not the
 * platforms: their table would bring every connector into every tool.)
 */
static void
check_values(const struct sm_config *cfg, const char *where,
    const char *path, const json_t *vals)
{
	const json_t *v;
	const char *s, *near;
	size_t i, n;
	struct sm_buf b = { 0 };

	json_array_foreach(vals, i, v) {
		if ((s = json_string_value(v)) == NULL)
			continue;
		sm_buf_reset(&b);
		if (strcmp(path, "kind") == 0 || strcmp(path, "reply.status") ==
		    0) {
			const char *const *set = path[0] == 'k' ? kinds :
			    reply_statuses;

			for (n = 0; set[n] && strcmp(set[n], s) != 0; n++)
				;
			if (set[n])
				continue;
			near = sm_config_near(s, set, count(set), 4);
			listed(&b, set);
			sm_config_warn(cfg, v, "%s.%s: '%s' is not a %s a record "
			    "has (%s)%s%s%s", where, path, s, path[0] == 'k' ?
			    "kind" : "status", b.data, near ? ": a typo of '" :
			    "", near ? near : "", near ? "'?" : "");
		} else if (strcmp(path, "classify.lang") == 0) {
			n = strlen(s);
			if (strcmp(s, "und") != 0 && (n < 2 || n > 3 ||
			    strspn(s, "abcdefghijklmnopqrstuvwxyz") != n))
				sm_config_warn(cfg, v, "%s.%s: '%s' is not a "
				    "language code as sm-classify writes them "
				    "(lower case: es, en, ca... or und)", where,
				    path, s);
		}
	}
	sm_buf_free(&b);
}

struct sm_when *
sm_when_compile(const struct sm_config *cfg, const json_t *node,
    const char *where, struct sm_error *err)
{
	struct sm_when *w;
	struct sm_mark m;
	const char *key;
	json_t *v;

	if (!json_is_object(node) || json_object_size(node) == 0) {
		sm_config_error(cfg, node, err, "%s.when: expected a mapping "
		    "of field: value", where);
		return NULL;
	}
	w = xcalloc(1, sizeof(*w));
	w->tests = xcalloc(json_object_size(node), sizeof(*w->tests));
	json_object_foreach((json_t *)node, key, v) {
		struct test *t = &w->tests[w->n++];
		char sub[600];

		t->path = xstrdup(key);
		t->exists = -1;
		snprintf(sub, sizeof(sub), "%.500s.when", where);
		if (json_is_object(v) ? compile_ops(cfg, v, t, sub, err) < 0 :
		    (t->in = as_list(v), 0)) {
			sm_when_free(w);
			return NULL;
		}
		/* what sm.yaml says, not a command line's -w, is checked;
		 * a value without a place of its own (null, true) is said
		 * at the mapping's */
		if (sm_config_mark(cfg, node, &m) < 0)
			continue;
		check_path(cfg, sm_config_mark(cfg, v, &m) == 0 ? v : node,
		    sub, key);
		if (t->in)
			check_values(cfg, sub, key, t->in);
		if (t->not_in)
			check_values(cfg, sub, key, t->not_in);
	}
	return w;
}

static int
one_of(const json_t *list, const json_t *f)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v) {
		if (json_is_null(v) && (f == NULL || json_is_null(f)))
			return 1;
		if (f && json_equal((json_t *)f, v))
			return 1;
		/* 3 and 3.0 are one number */
		if (f && json_is_number(f) && json_is_number(v) &&
		    json_number_value(f) == json_number_value(v))
			return 1;
	}
	return 0;
}

static int
word_char(unsigned char c)
{
	return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    c == '_';
}

/* term (folded) stands in folded as whole words */
static int
has_words(const char *folded, size_t n, const char *term)
{
	size_t tl = strlen(term);
	const char *p = folded, *end = folded + n, *q;

	for (; (size_t)(end - p) >= tl &&
	    (q = memchr(p, term[0], (size_t)(end - p) - tl + 1)) != NULL;
	    p = q + 1)
		if (memcmp(q, term, tl) == 0 &&
		    (q == folded || !word_char((unsigned char)q[-1])) &&
		    (q + tl == end || !word_char((unsigned char)q[tl])))
			return 1;
	return 0;
}

static int
test_holds(const struct test *t, json_t *rec)
{
	json_t *f = sm_record_get(rec, t->path);
	const char *s = json_is_string(f) ? json_string_value(f) : NULL;
	double x = 0;
	time_t when;
	int k, numeric = json_is_number(f), timed = 0;

	if (t->exists >= 0 && (f != NULL && !json_is_null(f)) != t->exists)
		return 0;
	if (t->in && !one_of(t->in, f))
		return 0;
	if (t->not_in && one_of(t->not_in, f))
		return 0;
	if (numeric)
		x = json_number_value(f);
	else if (s && sm_time_parse(s, &when) == 0) {
		x = (double)when;
		timed = 1;
	}
	for (k = 0; k < NCMP; k++) {
		if (!t->has_cmp[k])
			continue;
		if (t->is_time[k] ? !timed : !numeric)
			return 0;
		if ((k == LT && !(x < t->num[k])) ||
		    (k == LTE && !(x <= t->num[k])) ||
		    (k == GT && !(x > t->num[k])) ||
		    (k == GTE && !(x >= t->num[k])))
			return 0;
	}
	if (t->contains) {
		if (json_is_array(f)) {
			if (!one_of(f, t->contains))
				return 0;
		} else if (s && json_is_string(t->contains)) {
			if (strstr(s, json_string_value(t->contains)) == NULL)
				return 0;
		} else
			return 0;
	}
	if (t->re && (s == NULL || pcre2_match(t->re, (PCRE2_SPTR)s,
	    json_string_length(f), 0, 0, t->md, NULL) < 0))
		return 0;
	if (t->nterms) {
		struct sm_buf b = { 0 };
		size_t i;
		int found = 0;

		if (s == NULL || sm_text_fold(&b, s, json_string_length(f)) < 0) {
			sm_buf_free(&b);
			return 0;
		}
		for (i = 0; i < t->nterms && !found; i++)
			found = has_words(b.data ? b.data : "", b.len,
			    t->terms[i]);
		sm_buf_free(&b);
		if (!found)
			return 0;
	}
	return 1;
}

int
sm_when_holds(const struct sm_when *w, json_t *rec)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (!test_holds(&w->tests[i], rec))
			return 0;
	return 1;
}

void
sm_when_free(struct sm_when *w)
{
	size_t i, j;

	if (w == NULL)
		return;
	for (i = 0; i < w->n; i++) {
		struct test *t = &w->tests[i];

		free(t->path);
		json_decref(t->in);
		json_decref(t->not_in);
		json_decref(t->contains);
		pcre2_match_data_free(t->md);
		pcre2_code_free(t->re);
		for (j = 0; j < t->nterms; j++)
			free(t->terms[j]);
		free(t->terms);
	}
	free(w->tests);
	free(w);
}

struct sm_cond *
sm_cond_compile(const struct sm_config *cfg, const json_t *node,
    const char *where, int optional, struct sm_error *err)
{
	struct sm_cond *c = xcalloc(1, sizeof(*c));
	const json_t *v;
	char sub[600];
	size_t i;
	int l, any = 0;

	if (!json_is_object(node)) {
		sm_config_error(cfg, node, err, "%s: expected a mapping, got "
		    "%s", where, sm_config_type_name(node));
		goto fail;
	}
	if ((v = json_object_get(node, "when")) != NULL) {
		any = 1;
		if ((c->when = sm_when_compile(cfg, v, where, err)) == NULL)
			goto fail;
	}
	for (l = 0; l < 3; l++) {
		if ((v = json_object_get(node, lists[l])) == NULL)
			continue;
		any = 1;
		if (!json_is_array(v) || json_array_size(v) == 0) {
			sm_config_error(cfg, v, err, "%s.%s: expected a list of "
			    "conditions", where, lists[l]);
			goto fail;
		}
		c->sub[l] = xcalloc(json_array_size(v), sizeof(*c->sub[l]));
		for (i = 0; i < json_array_size(v); i++) {
			static const char *const keys[] = { "when", "all",
			    "any", "none", NULL };

			snprintf(sub, sizeof(sub), "%.500s.%s[%zu]", where,
			    lists[l], i);
			if (sm_config_check_keys(cfg, json_array_get(v, i), sub,
			    keys, err) < 0 ||
			    (c->sub[l][i] = sm_cond_compile(cfg,
			    json_array_get(v, i), sub, 0, err)) == NULL)
				goto fail;
			c->nsub[l]++;
		}
	}
	if (!any && !optional) {
		sm_config_error(cfg, node, err, "%s: needs when, all, any or "
		    "none", where);
		goto fail;
	}
	return c;
fail:
	sm_cond_free(c);
	return NULL;
}

int
sm_cond_holds(const struct sm_cond *c, json_t *rec)
{
	size_t i;
	int some;

	if (c->when && !sm_when_holds(c->when, rec))
		return 0;
	for (i = 0; i < c->nsub[0]; i++)
		if (!sm_cond_holds(c->sub[0][i], rec))
			return 0;
	for (i = 0, some = c->nsub[1] == 0; i < c->nsub[1] && !some; i++)
		some = sm_cond_holds(c->sub[1][i], rec);
	if (!some)
		return 0;
	for (i = 0; i < c->nsub[2]; i++)
		if (sm_cond_holds(c->sub[2][i], rec))
			return 0;
	return 1;
}

void
sm_cond_free(struct sm_cond *c)
{
	size_t i;
	int l;

	if (c == NULL)
		return;
	sm_when_free(c->when);
	for (l = 0; l < 3; l++) {
		for (i = 0; i < c->nsub[l]; i++)
			sm_cond_free(c->sub[l][i]);
		free(c->sub[l]);
	}
	free(c);
}

void
sm_when_paths(const struct sm_when *w,
    void (*fn)(const char *path, void *arg), void *arg)
{
	for (size_t i = 0; w && i < w->n; i++)
		fn(w->tests[i].path, arg);
}

void
sm_cond_paths(const struct sm_cond *c,
    void (*fn)(const char *path, void *arg), void *arg)
{
	if (c == NULL)
		return;
	sm_when_paths(c->when, fn, arg);
	for (int l = 0; l < 3; l++)
		for (size_t i = 0; i < c->nsub[l]; i++)
			sm_cond_paths(c->sub[l][i], fn, arg);
}
