/*
 * pick.c - read only the fields a tool needs from a JSON line
 *
 * sm-report reads a dozen fields of records that hold forty; building all
 * of them with jansson, a hash table per object and a malloc per value,
 * was three quarters of its time.  This reader walks the text once,
 * checks every byte of it by the rules jansson's parser applies, and
 * builds only the values of the paths asked for.  Whatever it cannot take
 * it leaves to jansson (sm_pick_parse returns NULL), so that a bad line is
 * reported in jansson's words and an odd one is still read; what it takes
 * must be exactly what json_loadb would take, which tests/unit/test_pick.c
 * checks against jansson on valid, invalid and mutated lines.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sm/pick.h"
#include "sm/util.h"

/* Deeper than this, jansson reads the line (its own limit is 2048). */
#define MAX_DEPTH 256
/* An object with more keys, or a key with an escape in it, is left to
 * jansson: keys are told apart by their bytes, to find one named twice. */
#define MAX_KEYS 64

struct node {
	char *key;
	size_t len;
	int all;		/* the whole value is picked */
	struct node *child, *next;
};

struct sm_pick {
	struct node root;
	struct sm_buf s, k, t;	/* scratch: a value, a key, a number */
};

struct scan {
	const unsigned char *p, *end;
	int depth;
	int dup;		/* a key named twice in an object */
	struct sm_buf *s, *k, *t;
};

static void
node_free(struct node *n)
{
	struct node *c, *next;

	for (c = n->child; c; c = next) {
		next = c->next;
		node_free(c);
		free(c->key);
		free(c);
	}
}

struct sm_pick *
sm_pick_new(void)
{
	return xcalloc(1, sizeof(struct sm_pick));
}

void
sm_pick_free(struct sm_pick *p)
{
	if (p == NULL)
		return;
	node_free(&p->root);
	sm_buf_free(&p->s);
	sm_buf_free(&p->k);
	sm_buf_free(&p->t);
	free(p);
}

static struct node *
child_of(const struct node *n, const char *key, size_t len)
{
	struct node *c;

	for (c = n->child; c; c = c->next)
		if (c->len == len && memcmp(c->key, key, len) == 0)
			return c;
	return NULL;
}

void
sm_pick_add(struct sm_pick *p, const char *path)
{
	struct node *n = &p->root, *c;
	const char *dot;
	size_t len;

	for (;;) {
		if (n->all)
			return;		/* a shorter path holds it all */
		dot = strchr(path, '.');
		len = dot ? (size_t)(dot - path) : strlen(path);
		if ((c = child_of(n, path, len)) == NULL) {
			c = xcalloc(1, sizeof(*c));
			c->key = xstrndup(path, len);
			c->len = len;
			c->next = n->child;
			n->child = c;
		}
		n = c;
		if (dot == NULL)
			break;
		path = dot + 1;
	}
	n->all = 1;
	node_free(n);		/* what was picked below it is in it */
	n->child = NULL;
}

/* ------------------------------------------------------------------ */
/* The text */

static void
skip_space(struct scan *sc)
{
	while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\t' ||
	    *sc->p == '\n' || *sc->p == '\r'))
		sc->p++;
}

/* One UTF-8 sequence at sc->p (its first byte >= 0x80), as jansson
 * checks it: no overlong form, no surrogate, nothing past U+10FFFF. */
static int
utf8_seq(struct scan *sc)
{
	const unsigned char *p = sc->p;
	unsigned cp, min;
	int len, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		cp = p[0] & 0x1f;
		min = 0x80;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		cp = p[0] & 0x0f;
		min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		cp = p[0] & 0x07;
		min = 0x10000;
	} else
		return -1;
	if (sc->end - p < len)
		return -1;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	sc->p += len;
	return 0;
}

static int
hex4(const unsigned char *p, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		unsigned c = p[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (c | 0x20) - 'a' + 10;
		else
			return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

/* Eight bytes, any of them a quote, a backslash, a control or not ASCII. */
static int
special8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull, high = ones * 0x80;
	uint64_t quote = w ^ (ones * '"'), slash = w ^ (ones * '\\');

	return (((quote - ones) & ~quote) | ((slash - ones) & ~slash) |
	    ((w - ones * 0x20) & ~w) | w) & high ? 1 : 0;
}

/*
 * A string, sc->p at its opening quote.  With out, its value is put
 * there; *nul is set when it holds U+0000.
 */
static int
string(struct scan *sc, struct sm_buf *out, int *nul)
{
	const unsigned char *run;
	unsigned cp, lo;

	*nul = 0;
	sc->p++;
	for (;;) {
		run = sc->p;
		while (sc->end - sc->p >= 8) {
			uint64_t w;

			memcpy(&w, sc->p, 8);
			if (special8(w))
				break;
			sc->p += 8;
		}
		while (sc->p < sc->end && *sc->p >= 0x20 && *sc->p < 0x80 &&
		    *sc->p != '"' && *sc->p != '\\')
			sc->p++;
		if (sc->p >= sc->end)
			return -1;
		if (*sc->p >= 0x80) {
			if (utf8_seq(sc) < 0)
				return -1;
			if (out)
				sm_buf_add(out, run, (size_t)(sc->p - run));
			continue;
		}
		if (out)
			sm_buf_add(out, run, (size_t)(sc->p - run));
		if (*sc->p == '"') {
			sc->p++;
			return 0;
		}
		if (*sc->p < 0x20)
			return -1;
		/* an escape */
		if (sc->end - sc->p < 2)
			return -1;
		switch (sc->p[1]) {
		case '"': case '\\': case '/':
			if (out)
				sm_buf_addc(out, (char)sc->p[1]);
			break;
		case 'b': if (out) sm_buf_addc(out, '\b'); break;
		case 'f': if (out) sm_buf_addc(out, '\f'); break;
		case 'n': if (out) sm_buf_addc(out, '\n'); break;
		case 'r': if (out) sm_buf_addc(out, '\r'); break;
		case 't': if (out) sm_buf_addc(out, '\t'); break;
		case 'u':
			if (sc->end - sc->p < 6 || hex4(sc->p + 2, &cp) < 0)
				return -1;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return -1;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (sc->end - sc->p < 12 || sc->p[6] != '\\' ||
				    sc->p[7] != 'u' || hex4(sc->p + 8, &lo) < 0 ||
				    lo < 0xdc00 || lo > 0xdfff)
					return -1;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				sc->p += 6;
			}
			if (cp == 0)
				*nul = 1;
			if (out)
				sm_buf_add_cp(out, cp);
			sc->p += 4;
			break;
		default:
			return -1;
		}
		sc->p += 2;
	}
}

/* A number, as jansson reads it: an integer must fit in a json_int_t, a
 * real must not overflow a double.  With v, its value. */
static int
number(struct scan *sc, json_t **v)
{
	struct sm_buf *tmp = sc->t;
	const unsigned char *start = sc->p;
	int real = 0;
	char *end;

	if (sc->p < sc->end && *sc->p == '-')
		sc->p++;
	if (sc->p < sc->end && *sc->p == '0')
		sc->p++;
	else if (sc->p < sc->end && *sc->p >= '1' && *sc->p <= '9')
		while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9')
			sc->p++;
	else
		return -1;
	if (sc->p < sc->end && *sc->p == '.') {
		real = 1;
		sc->p++;
		if (sc->p >= sc->end || *sc->p < '0' || *sc->p > '9')
			return -1;
		while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9')
			sc->p++;
	}
	if (sc->p < sc->end && (*sc->p == 'e' || *sc->p == 'E')) {
		real = 1;
		sc->p++;
		if (sc->p < sc->end && (*sc->p == '+' || *sc->p == '-'))
			sc->p++;
		if (sc->p >= sc->end || *sc->p < '0' || *sc->p > '9')
			return -1;
		while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9')
			sc->p++;
	}
	/* a short integer fits, and needs no copy unless it is kept */
	if (!real && sc->p - start <= 18 && v == NULL)
		return 0;
	sm_buf_reset(tmp);
	sm_buf_add(tmp, start, (size_t)(sc->p - start));
	sm_buf_addc(tmp, '\0');
	errno = 0;
	if (real) {
		double d = strtod(tmp->data, &end);

		if ((d == HUGE_VAL || d == -HUGE_VAL) && errno == ERANGE)
			return -1;
		if (v)
			*v = json_real(d);
	} else {
		long long i = strtoll(tmp->data, &end, 10);

		if (errno == ERANGE)
			return -1;
		if (v)
			*v = json_integer((json_int_t)i);
	}
	return 0;
}

/* true, false or null, not followed by a letter (jansson reads a word
 * whole, so "truex" is one bad token). */
static int
word(struct scan *sc, json_t **v)
{
	static const char *const words[] = { "true", "false", "null" };
	size_t len;
	int i;

	for (i = 0; i < 3; i++) {
		len = strlen(words[i]);
		if ((size_t)(sc->end - sc->p) >= len &&
		    memcmp(sc->p, words[i], len) == 0)
			break;
	}
	if (i == 3)
		return -1;
	sc->p += len;
	if (sc->p < sc->end && ((*sc->p | 0x20) >= 'a' && (*sc->p | 0x20) <=
	    'z'))
		return -1;
	if (v)
		*v = i == 0 ? json_true() : i == 1 ? json_false() : json_null();
	return 0;
}

static int value(struct scan *sc, const struct node *n, json_t **v);

/*
 * An object, sc->p at its brace.  With v, a new object of what n picks
 * in it (all of it when n->all).
 */
static int
object(struct scan *sc, const struct node *n, json_t **v)
{
	struct sm_buf *k = sc->k;
	const struct node *c;
	json_t *o = v ? json_object() : NULL, *x;
	const unsigned char *keys[MAX_KEYS];
	size_t lens[MAX_KEYS], nkeys = 0, i;
	char *key;
	int nul, rc = -1;

	if (++sc->depth > MAX_DEPTH)
		goto out;
	sc->p++;
	skip_space(sc);
	if (sc->p < sc->end && *sc->p == '}') {
		sc->p++;
		rc = 0;
		goto out;
	}
	for (;;) {
		if (sc->p >= sc->end || *sc->p != '"')
			goto out;
		/* the key, decoded only to be looked up or kept */
		sm_buf_reset(k);
		sm_buf_addc(k, '\0');
		k->len = 0;
		if (nkeys == MAX_KEYS)
			goto out;
		keys[nkeys] = sc->p + 1;
		if (string(sc, v ? k : NULL, &nul) < 0 || nul)
			goto out;
		lens[nkeys] = (size_t)(sc->p - 1 - keys[nkeys]);
		if (memchr(keys[nkeys], '\\', lens[nkeys]))
			goto out;
		for (i = 0; i < nkeys && !sc->dup; i++)
			sc->dup = lens[i] == lens[nkeys] &&
			    memcmp(keys[i], keys[nkeys], lens[i]) == 0;
		nkeys++;
		skip_space(sc);
		if (sc->p >= sc->end || *sc->p != ':')
			goto out;
		sc->p++;
		skip_space(sc);
		c = v && !n->all ? child_of(n, k->data, k->len) : NULL;
		if (v && (n->all || c)) {
			size_t klen = k->len;

			/* an object or an array reads keys of its own */
			key = sc->p < sc->end && (*sc->p == '{' ||
			    *sc->p == '[') ? xstrndup(k->data, klen) : NULL;
			x = NULL;
			if (value(sc, n->all ? n : c, &x) < 0) {
				free(key);
				goto out;
			}
			json_object_setn_new_nocheck(o, key ? key : k->data,
			    klen, x);
			free(key);
		} else if (value(sc, NULL, NULL) < 0)
			goto out;
		skip_space(sc);
		if (sc->p < sc->end && *sc->p == ',') {
			sc->p++;
			skip_space(sc);
			continue;
		}
		if (sc->p < sc->end && *sc->p == '}') {
			sc->p++;
			rc = 0;
			goto out;
		}
		goto out;
	}
out:
	sc->depth--;
	if (rc < 0 && o)
		json_decref(o);
	else if (v)
		*v = o;
	return rc;
}

static int
array(struct scan *sc, json_t **v)
{
	json_t *a = v ? json_array() : NULL, *x;
	int rc = -1;

	if (++sc->depth > MAX_DEPTH)
		goto out;
	sc->p++;
	skip_space(sc);
	if (sc->p < sc->end && *sc->p == ']') {
		sc->p++;
		rc = 0;
		goto out;
	}
	for (;;) {
		static const struct node all = { NULL, 0, 1, NULL, NULL };

		x = NULL;
		if (value(sc, v ? &all : NULL, v ? &x : NULL) < 0)
			goto out;
		if (a)
			json_array_append_new(a, x);
		skip_space(sc);
		if (sc->p < sc->end && *sc->p == ',') {
			sc->p++;
			skip_space(sc);
			continue;
		}
		if (sc->p < sc->end && *sc->p == ']') {
			sc->p++;
			rc = 0;
		}
		goto out;
	}
out:
	sc->depth--;
	if (rc < 0 && a)
		json_decref(a);
	else if (v)
		*v = a;
	return rc;
}

/*
 * A value at sc->p.  With v, what n picks of it: all of it when n->all;
 * within an object, the paths below n; anything else in place of an
 * object a path goes through is null, since no path finds anything in it.
 */
static int
value(struct scan *sc, const struct node *n, json_t **v)
{
	int nul, keep = v && n->all;

	if (sc->p >= sc->end)
		return -1;
	switch (*sc->p) {
	case '{':
		return object(sc, v ? n : NULL, v);
	case '[':
		if (array(sc, keep ? v : NULL) < 0)
			return -1;
		break;
	case '"':
		sm_buf_reset(sc->s);
		if (string(sc, keep ? sc->s : NULL, &nul) < 0)
			return -1;
		if (keep)
			*v = json_stringn_nocheck(sc->s->data ? sc->s->data :
			    "", sc->s->len);
		break;
	case 't': case 'f': case 'n':
		if (word(sc, keep ? v : NULL) < 0)
			return -1;
		break;
	default:
		if (number(sc, keep ? v : NULL) < 0)
			return -1;
		break;
	}
	if (v && !keep)
		*v = json_null();
	return 0;
}

json_t *
sm_pick_parse(struct sm_pick *p, const char *text, size_t n, int *dup_keys)
{
	struct scan sc = { (const unsigned char *)text,
	    (const unsigned char *)text + n, 0, 0, &p->s, &p->k, &p->t };
	json_t *o = NULL;

	skip_space(&sc);
	if (sc.p >= sc.end || *sc.p != '{')
		return NULL;
	if (object(&sc, &p->root, &o) < 0)
		return NULL;
	skip_space(&sc);
	if (sc.p != sc.end) {
		json_decref(o);
		return NULL;
	}
	if (dup_keys)
		*dup_keys = sc.dup;
	return o;
}
