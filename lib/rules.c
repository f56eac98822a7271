/* rules.c - the rule engine of sm-classify */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <jansson.h>
#include <pcre2.h>

#include "sm/config.h"
#include "sm/jsonl.h"
#include "sm/prefilter.h"
#include "sm/cond.h"
#include "sm/rules.h"
#include "sm/text.h"
#include "sm/util.h"

#define NSL SM_NLANGS

static const char *const core_dims[] = {
	"category", "topic", "urgency", "sentiment"
};
static const char *const core_defaults[] = {
	"other", "other", "normal", "neutral"
};

struct term_tok {
	char *surface;
	size_t len;
	char *stem[NSL];	/* NULL where not stemmed in that language */
	size_t stemlen[NSL];
};

struct term {
	char *text;		/* as written, for messages */
	struct term_tok *toks;
	size_t ntoks;
	int hashtag;		/* written "#word": matches hashtags only */
	int stem;		/* and how it was compiled: a term written */
	unsigned langmask;	/* again alike is the same term */
	/* per record, when matched (rules->matched) */
	size_t from, to;	/* matched span in the folded text */
};

struct regex {
	char *src;
	pcre2_code *code;
	pcre2_match_data *md;
	size_t id;		/* in the prefilter's armed[] */
	int filtered;		/* runs only when armed */
	int owner;		/* code and md are this one's to free; a regex
				 * written again (a YAML alias) shares them */
};

struct matcher {
	size_t *terms;		/* ids into rules->terms */
	size_t nterms;
	int has_terms;
	struct regex *re;
	size_t nre;
	struct sm_when *when;	/* cond.c's: the when: of sm.yaml(5) */
	struct matcher *all, *any, *none;
	size_t nall, nany, nnone;
	int has_all, has_any, has_none;
	unsigned tstamp;	/* gen when one of its terms matched */
};

struct label_set {
	size_t dim;
	size_t label;
	double weight;		/* per match, in place of the rule's; < 0:
				 * the rule's */
};

struct rule {
	char *name;
	struct matcher m;
	double weight;
	int override;
	int independent;	/* its other labels count when its category
				 * loses */
	long category;		/* the category label it sets, or -1 */
	unsigned langmask;	/* 0: every language */
	char **langs;		/* the rule's lang: values */
	size_t nlangs;
	struct label_set *set;
	size_t nset;
	int gated;		/* fires only if one of its gates (terms, regexes
				 * the prefilter arms) matched or was armed */
	unsigned stamp;		/* candidate in this record */
};

struct dim {
	char *name;
	char **labels;
	size_t nlabels;
	long deflabel;		/* -1: null */
	/* per record, indexed by label */
	double *total;
	size_t *first;		/* index of the first rule that fired for it */
	unsigned *stamp;
	long override;		/* label forced by an override rule, or -1 */
	long best;		/* the record's label, or -1: null */
};

/*
 * A key of the index: a folded word, or a stem in one language; the terms
 * whose first token has it.  Terms of one word are tried at once; a phrase
 * is tried only where the next word's hash, or its stem's, is its second
 * word's (a common first word such as "no" starts dozens of phrases).
 */
struct key {
	unsigned long hash;
	unsigned char kind;	/* 0 surface, 1 + language: stem */
	const char *text;	/* borrowed from the term */
	size_t len;
	size_t *terms;		/* of one token */
	size_t nterms;
	struct phrases *ph;	/* terms of two tokens or more, or NULL */
};

struct phrases {
	size_t *terms;
	size_t n;
	/* per phrase, its second word's hash: [0] the word, [1 + l] its stem
	 * in language l (NOSTEM when it has none); n each.  A stem key is
	 * looked up only in its language: it has [0] and its own. */
	uint32_t *second[1 + NSL];
};

/* Word hashes as the matcher sees them: a real one has bit 1 set, so that
 * a token without a stem (0) never equals a term's word without one.  Only
 * 32 bits are compared: an equal hash is a candidate, checked in full. */
#define WORDHASH(h)	((h) | 2UL)
#define NOSTEM		1UL
#define HASH32(h)	((uint32_t)(h))

/*
 * A filter in front of the index: most words of a message are no key, and
 * a bit per hash (8 KiB, in the cache) says so without probing the table.
 */
#define KEYBITS 65536
#define KEYBIT(h)	(((h) >> 20) & (KEYBITS - 1))

struct sm_rules {
	struct rule *rules;
	size_t nrules;
	struct term *terms;
	size_t nterms;
	struct dim *dims;
	size_t ndims;
	size_t *gates;		/* per term: rules it gates, flattened */
	size_t *gatestart;	/* per term: start in gates; nterms + 1 */
	struct key *keys;	/* open addressing; text NULL when free */
	size_t nkeys;
	size_t capkeys;
	unsigned gen;		/* per-record generation */
	size_t *fired;		/* the record's fired rules, in order */
	double *fscore;		/* and their scores */
	json_t **fmatched;	/* and what they matched (explain only) */
	size_t nfired;
	double score;		/* the record's winning category total */
	unsigned *matched;	/* per term: gen when it matched; apart from
				 * the terms, so that a rule's many terms are
				 * checked in a few cache lines */
	unsigned long *hashes;	/* per token of the record: word, stem */
	size_t caphashes;
	struct sm_prefilter *prefilter;	/* which regexes can match */
	pcre2_match_context *mctx;	/* the JIT stack and the limits */
	pcre2_jit_stack *jitstack;
	unsigned *armed;	/* per regex: gen when it can */
	size_t nregex;
	struct regex *compiled;	/* each regex compiled, once (by id) */
	size_t *termset;	/* open addressing: 1 + a term's id, by its */
	size_t captermset;	/* text, stemming and languages */
	size_t *ungated;	/* the rules tried on every record, in order */
	size_t nungated;
	size_t *cand;		/* the record's gated rules woken, any order */
	size_t ncand;
	uint64_t keybits[KEYBITS / 64];	/* a key may have these hashes */
	struct matcher **tm;	/* per term: the matchers that list it, */
	size_t *tmstart;	/* flattened; nterms + 1 */
	struct sm_stemmer *stemmer;
	const struct sm_config *cfg;	/* only while compiling */
	int default_stem;
};

/*
 * PCRE2's default JIT stack (32 KiB on the machine stack) is exhausted by
 * '^(\s*@\w+)*' on a few hundred mentions, which any citizen can write.
 * The JIT stack grows as needed up to JIT_STACK_MAX; a match that needs
 * more runs again in the interpreter, whose heap is bounded too (in KiB).
 */
#define JIT_STACK_START	(32 * 1024)
#define JIT_STACK_MAX	(8 * 1024 * 1024)
#define HEAP_LIMIT_KIB	(64 * 1024)

static const char *const rule_keys[] = {
	"name", "set", "weight", "override", "independent", "lang", "stem",
	"when", "terms", "regex", "all", "any", "none", NULL
};
static const char *const matcher_keys[] = {
	"terms", "regex", "when", "all", "any", "none", "stem", NULL
};
static const char *const section_keys[] = {
	"defaults", "stem", "rules", "models", "languages",
	"account_languages", NULL
};

static size_t
dim_find(struct sm_rules *r, const char *name, int add)
{
	size_t i;

	for (i = 0; i < r->ndims; i++)
		if (strcmp(r->dims[i].name, name) == 0)
			return i;
	if (!add)
		return SIZE_MAX;
	r->dims = xreallocarray(r->dims, r->ndims + 1, sizeof(*r->dims));
	memset(&r->dims[i], 0, sizeof(r->dims[i]));
	r->dims[i].name = xstrdup(name);
	r->dims[i].deflabel = -1;
	r->ndims++;
	return i;
}

static size_t
label_find(struct dim *d, const char *label)
{
	size_t i;

	for (i = 0; i < d->nlabels; i++)
		if (strcmp(d->labels[i], label) == 0)
			return i;
	d->labels = xreallocarray(d->labels, d->nlabels + 1,
	    sizeof(*d->labels));
	d->labels[i] = xstrdup(label);
	d->nlabels++;
	return i;
}

/* Index */

static unsigned long
key_hash(unsigned char kind, unsigned long wordhash)
{
	return wordhash * 31 + kind;
}

static struct key *
key_slot(struct key *keys, size_t cap, unsigned long h, unsigned char kind,
    const char *text, size_t n)
{
	size_t i;

	for (i = h & (cap - 1); keys[i].text; i = (i + 1) & (cap - 1))
		if (keys[i].hash == h && keys[i].kind == kind &&
		    keys[i].len == n && memcmp(keys[i].text, text, n) == 0)
			break;
	return &keys[i];
}

static void
index_add(struct sm_rules *r, unsigned char kind, const char *text, size_t n,
    size_t term)
{
	unsigned long h = key_hash(kind, WORDHASH(sm_hash(text, n)));
	struct key *k;

	if ((r->nkeys + 1) * 2 > r->capkeys) {
		struct key *old = r->keys;
		size_t oldcap = r->capkeys;

		r->capkeys = oldcap ? oldcap * 2 : 1024;
		r->keys = xcalloc(r->capkeys, sizeof(*r->keys));
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].text)
				*key_slot(r->keys, r->capkeys, old[i].hash,
				    old[i].kind, old[i].text, old[i].len) =
				    old[i];
		free(old);
	}
	r->keybits[KEYBIT(h) / 64] |= 1ULL << (KEYBIT(h) % 64);
	k = key_slot(r->keys, r->capkeys, h, kind, text, n);
	if (k->text == NULL) {
		memset(k, 0, sizeof(*k));
		k->hash = h;
		k->kind = kind;
		k->text = text;
		k->len = n;
		r->nkeys++;
	}
	if (r->terms[term].ntoks > 1) {
		if (k->ph == NULL)
			k->ph = xcalloc(1, sizeof(*k->ph));
		k->ph->terms = xreallocarray(k->ph->terms, k->ph->n + 1,
		    sizeof(*k->ph->terms));
		k->ph->terms[k->ph->n++] = term;
		return;
	}
	k->terms = xreallocarray(k->terms, k->nterms + 1, sizeof(*k->terms));
	k->terms[k->nterms++] = term;
}

/* Fills each key's second-word hashes, once every term is known. */
static void
index_seconds(struct sm_rules *r)
{
	for (size_t i = 0; i < r->capkeys; i++) {
		struct key *k = &r->keys[i];
		struct phrases *ph = k->ph;

		if (k->text == NULL || ph == NULL)
			continue;
		for (size_t l = 0; l < 1 + NSL; l++)
			if (l == 0 || k->kind == 0 || k->kind == l)
				ph->second[l] = xcalloc(ph->n,
				    sizeof(*ph->second[l]));
		for (size_t j = 0; j < ph->n; j++) {
			const struct term_tok *tt =
			    &r->terms[ph->terms[j]].toks[1];

			ph->second[0][j] = HASH32(WORDHASH(sm_hash(tt->surface,
			    tt->len)));
			for (size_t l = 0; l < NSL; l++)
				if (ph->second[1 + l])
					ph->second[1 + l][j] = tt->stem[l] ?
					    HASH32(WORDHASH(sm_hash(
					    tt->stem[l], tt->stemlen[l]))) :
					    NOSTEM;
		}
	}
}

/* Compilation */

static int
want_string(struct sm_rules *r, const json_t *j, const char *where,
    struct sm_error *err)
{
	if (!json_is_string(j))
		return sm_config_error(r->cfg, j, err, "%s: expected a string, "
		    "got %s", where, sm_config_type_name(j));
	return 0;
}

/* The slot in r->termset of the term written s, stemmed or not, in
 * langmask's languages; the slot holds 0 when there is no such term yet.
 * The set grows first, so that the slot can take one more. */
static size_t
term_key(const char *s, int stem, unsigned langmask)
{
	return sm_hash(s, strlen(s)) ^ (size_t)stem ^
	    (size_t)langmask * 2654435761u;
}

static size_t
term_slot(struct sm_rules *r, const char *s, int stem, unsigned langmask)
{
	size_t i;

	if ((r->nterms + 1) * 2 > r->captermset) {
		size_t cap = r->captermset ? 2 * r->captermset : 1024;

		free(r->termset);
		r->termset = xcalloc(cap, sizeof(*r->termset));
		r->captermset = cap;
		for (size_t t = 0; t < r->nterms; t++) {
			for (i = term_key(r->terms[t].text, r->terms[t].stem,
			    r->terms[t].langmask) & (cap - 1); r->termset[i];
			    i = (i + 1) & (cap - 1))
				;
			r->termset[i] = t + 1;
		}
	}
	for (i = term_key(s, stem, langmask) & (r->captermset - 1);
	    r->termset[i];
	    i = (i + 1) & (r->captermset - 1)) {
		const struct term *o = &r->terms[r->termset[i] - 1];

		if (o->stem == stem && o->langmask == langmask &&
		    strcmp(o->text, s) == 0)
			break;
	}
	return i;
}

static int
compile_term(struct sm_rules *r, const json_t *j, const struct rule *rule,
    int stem, const char *where, struct sm_text *t, size_t *id,
    struct sm_error *err)
{
	const char *s;
	struct term *tm;
	size_t ntok = 0, slot;
	unsigned langmask;

	if (want_string(r, j, where, err) < 0)
		return -1;
	s = json_string_value(j);
	/* "terms: a, b" is one string in YAML, and one phrase of two
	 * words here; quoted, the comma is meant */
	if (strchr(s, ',') && sm_config_plain(r->cfg, j))
		sm_config_warn(r->cfg, j, "%s: term '%s' holds a comma, so it "
		    "is one phrase; for several terms write a list: [%s]",
		    where, s, s);
	/* a term written again alike (a YAML alias's, or "ayer" in many
	 * rules) is the one term: matched once per record, however many
	 * rules list it */
	stem = stem != 0;
	langmask = stem ? rule->langmask : 0;
	slot = term_slot(r, s, stem, langmask);
	if (r->termset[slot]) {
		*id = r->termset[slot] - 1;
		return 0;
	}
	sm_text_analyze(t, s, json_string_length(j));
	r->terms = xreallocarray(r->terms, r->nterms + 1, sizeof(*r->terms));
	tm = &r->terms[r->nterms];
	memset(tm, 0, sizeof(*tm));
	tm->text = xstrdup(s);
	tm->stem = stem;
	tm->langmask = langmask;
	tm->hashtag = t->ntokens == 1 && t->tokens[0].type == SM_TOKEN_HASHTAG;
	tm->toks = xcalloc(t->ntokens ? t->ntokens : 1, sizeof(*tm->toks));
	for (size_t i = 0; i < t->ntokens; i++) {
		const struct sm_token *tok = &t->tokens[i];
		struct term_tok *tt = &tm->toks[ntok];

		if (tok->type == SM_TOKEN_MENTION || tok->type == SM_TOKEN_URL)
			continue;
		tt->surface = xstrndup(t->folded.data + tok->off, tok->len);
		tt->len = tok->len;
		if (stem && (tok->type == SM_TOKEN_WORD ||
		    tok->type == SM_TOKEN_HASHTAG))
			for (size_t l = 0; l < NSL; l++) {
				const char *st;
				size_t n;

				if (rule->langmask && !(rule->langmask & 1u << l))
					continue;
				st = sm_stem(r->stemmer, sm_langs[l],
				    tt->surface, tok->len, &n);
				tt->stem[l] = xstrndup(st, n);
				tt->stemlen[l] = n;
			}
		ntok++;
	}
	tm->ntoks = ntok;
	r->nterms++;
	r->termset[slot] = r->nterms;
	if (ntok == 0) {
		return sm_config_error(r->cfg, j, err, "%s: term '%s' has no "
		    "words to match", where, s);
	}
	index_add(r, 0, tm->toks[0].surface, tm->toks[0].len, r->nterms - 1);
	for (size_t l = 0; l < NSL; l++)
		if (tm->toks[0].stem[l])
			index_add(r, (unsigned char)(1 + l),
			    tm->toks[0].stem[l], tm->toks[0].stemlen[l],
			    r->nterms - 1);
	*id = r->nterms - 1;
	return 0;
}

static int
compile_regex(struct sm_rules *r, const json_t *j, struct regex *re,
    const char *where, struct sm_error *err)
{
	int ec;
	PCRE2_SIZE off;
	PCRE2_UCHAR msg[256];

	if (want_string(r, j, where, err) < 0)
		return -1;
	re->src = xstrdup(json_string_value(j));
	/* the same regex in several rules (*told_over) is compiled once */
	for (size_t i = 0; i < r->nregex; i++)
		if (strcmp(r->compiled[i].src, re->src) == 0) {
			re->code = r->compiled[i].code;
			re->md = r->compiled[i].md;
			re->id = r->compiled[i].id;
			re->filtered = r->compiled[i].filtered;
			re->owner = 0;
			return 0;
		}
	re->code = pcre2_compile((PCRE2_SPTR)re->src, json_string_length(j),
	    PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | PCRE2_MATCH_INVALID_UTF,
	    &ec, &off, NULL);
	if (re->code == NULL) {
		pcre2_get_error_message(ec, msg, sizeof(msg));
		return sm_config_error(r->cfg, j, err, "%s: bad regex at "
		    "offset %zu: %s", where, (size_t)off, (char *)msg);
	}
	pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE);
	re->md = pcre2_match_data_create_from_pattern(re->code, NULL);
	re->id = r->nregex++;
	re->filtered = sm_prefilter_add(r->prefilter, re->src, re->id, NULL,
	    0);
	re->owner = 1;
	r->compiled = xreallocarray(r->compiled, r->nregex,
	    sizeof(*r->compiled));
	r->compiled[re->id] = *re;
	return 0;
}

static int compile_matcher(struct sm_rules *, const json_t *, struct rule *,
    int, struct matcher *, const char *, struct sm_text *,
    struct sm_error *);

/* A rule's or a condition's stem: key, which sets *stem when given. */
static int
stem_option(struct sm_rules *r, const json_t *j, int *stem, const char *where,
    struct sm_error *err)
{
	const json_t *v = json_object_get(j, "stem");

	if (v == NULL)
		return 0;
	if (!json_is_boolean(v))
		return sm_config_error(r->cfg, v, err, "%s: stem must be true "
		    "or false", where);
	*stem = json_is_true(v);
	return 0;
}

static int
compile_list(struct sm_rules *r, const json_t *j, struct rule *rule, int stem,
    struct matcher **out, size_t *n, const char *where, struct sm_text *t,
    struct sm_error *err)
{
	char sub[512];

	if (!json_is_array(j) || json_array_size(j) == 0)
		return sm_config_error(r->cfg, j, err, "%s: expected a "
		    "non-empty list of conditions", where);
	*n = json_array_size(j);
	*out = xcalloc(*n, sizeof(**out));
	for (size_t i = 0; i < *n; i++) {
		const json_t *item = json_array_get(j, i);
		int item_stem = stem;

		snprintf(sub, sizeof(sub), "%s[%zu]", where, i);
		if (sm_config_check_keys(r->cfg, item, sub, matcher_keys,
		    err) < 0 || stem_option(r, item, &item_stem, sub, err) < 0)
			return -1;
		if (compile_matcher(r, item, rule, item_stem, &(*out)[i], sub,
		    t, err) < 0)
			return -1;
	}
	return 0;
}

static int
compile_matcher(struct sm_rules *r, const json_t *j, struct rule *rule,
    int stem, struct matcher *m, const char *where, struct sm_text *t,
    struct sm_error *err)
{
	const json_t *v;
	char sub[512];

	if ((v = json_object_get(j, "terms")) != NULL) {
		size_t n = json_is_array(v) ? json_array_size(v) : 1;

		if (json_is_array(v) && n == 0)
			return sm_config_error(r->cfg, v, err, "%s.terms: "
			    "empty list", where);
		m->has_terms = 1;
		m->terms = xcalloc(n, sizeof(*m->terms));
		for (size_t i = 0; i < n; i++) {
			snprintf(sub, sizeof(sub), "%s.terms[%zu]", where, i);
			if (compile_term(r, json_is_array(v) ?
			    json_array_get(v, i) : v, rule, stem, sub, t,
			    &m->terms[i], err) < 0)
				return -1;
			m->nterms++;
		}
	}
	if ((v = json_object_get(j, "regex")) != NULL) {
		size_t n = json_is_array(v) ? json_array_size(v) : 1;

		if (json_is_array(v) && n == 0)
			return sm_config_error(r->cfg, v, err, "%s.regex: "
			    "empty list", where);
		m->re = xcalloc(n, sizeof(*m->re));
		for (size_t i = 0; i < n; i++) {
			snprintf(sub, sizeof(sub), "%s.regex", where);
			m->nre++;	/* freed with the matcher even if bad */
			if (compile_regex(r, json_is_array(v) ?
			    json_array_get(v, i) : v, &m->re[i], sub, err) < 0)
				return -1;
		}
	}
	if ((v = json_object_get(j, "when")) != NULL &&
	    (m->when = sm_when_compile(r->cfg, v, where, err)) == NULL)
		return -1;
	if ((v = json_object_get(j, "all")) != NULL) {
		snprintf(sub, sizeof(sub), "%s.all", where);
		m->has_all = 1;
		if (compile_list(r, v, rule, stem, &m->all, &m->nall, sub, t,
		    err) < 0)
			return -1;
	}
	if ((v = json_object_get(j, "any")) != NULL) {
		snprintf(sub, sizeof(sub), "%s.any", where);
		m->has_any = 1;
		if (compile_list(r, v, rule, stem, &m->any, &m->nany, sub, t,
		    err) < 0)
			return -1;
	}
	if ((v = json_object_get(j, "none")) != NULL) {
		snprintf(sub, sizeof(sub), "%s.none", where);
		m->has_none = 1;
		if (compile_list(r, v, rule, stem, &m->none, &m->nnone, sub, t,
		    err) < 0)
			return -1;
	}
	if (!m->has_terms && m->nre == 0 && !m->has_all && !m->has_any &&
	    m->when == NULL)
		return sm_config_error(r->cfg, j, err, "%s: needs terms, "
		    "regex, all, any or when", where);
	return 0;
}

/*
 * The terms one of which must have matched for m to hold, as a list
 * appended to out; returns 0 when m can hold without any term.
 */
/* Counts (fill NULL) or files (fill) the matchers that list each term. */
static void
walk_matchers(struct sm_rules *r, struct matcher *m, size_t *fill)
{
	size_t i;

	for (i = 0; m->has_terms && i < m->nterms; i++) {
		if (fill)
			r->tm[r->tmstart[m->terms[i]] + fill[m->terms[i]]++] = m;
		else
			r->tmstart[m->terms[i] + 1]++;
	}
	for (i = 0; i < m->nall; i++)
		walk_matchers(r, &m->all[i], fill);
	for (i = 0; i < m->nany; i++)
		walk_matchers(r, &m->any[i], fill);
	for (i = 0; i < m->nnone; i++)
		walk_matchers(r, &m->none[i], fill);
}

/* Which matchers each term stamps when it matches, so that a matcher
 * whose terms are all absent is passed at once. */
static void
index_matchers(struct sm_rules *r)
{
	size_t i, *fill;

	r->tmstart = xcalloc(r->nterms + 1, sizeof(*r->tmstart));
	for (i = 0; i < r->nrules; i++)
		walk_matchers(r, &r->rules[i].m, NULL);
	for (i = 0; i < r->nterms; i++)
		r->tmstart[i + 1] += r->tmstart[i];
	r->tm = xcalloc(r->tmstart[r->nterms] + 1, sizeof(*r->tm));
	fill = xcalloc(r->nterms + 1, sizeof(*fill));
	for (i = 0; i < r->nrules; i++)
		walk_matchers(r, &r->rules[i].m, fill);
	free(fill);
}

/*
 * The gates of a matcher: terms (their ids) or regexes that the prefilter
 * arms (nterms + their ids), one of which must match for it to hold.  0
 * when it has none (it is tried on every record).
 */
static int
gating_terms(const struct matcher *m, size_t nterms, size_t **out,
    size_t *n)
{
	size_t i;

	if (m->has_terms) {
		for (i = 0; i < m->nterms; i++) {
			*out = xreallocarray(*out, *n + 1, sizeof(**out));
			(*out)[(*n)++] = m->terms[i];
		}
		return 1;
	}
	for (i = 0; i < m->nre && m->re[i].filtered; i++)
		;
	if (m->nre && i == m->nre) {
		for (i = 0; i < m->nre; i++) {
			*out = xreallocarray(*out, *n + 1, sizeof(**out));
			(*out)[(*n)++] = nterms + m->re[i].id;
		}
		return 1;
	}
	for (i = 0; i < m->nall; i++) {
		size_t save = *n;

		if (gating_terms(&m->all[i], nterms, out, n))
			return 1;
		*n = save;
	}
	if (m->has_any) {
		size_t save = *n;

		for (i = 0; i < m->nany; i++)
			if (!gating_terms(&m->any[i], nterms, out, n)) {
				*n = save;
				return 0;
			}
		return 1;
	}
	return 0;
}

static int
compile_set(struct sm_rules *r, const json_t *j, struct rule *rule,
    const char *where, struct sm_error *err)
{
	const char *key;
	json_t *v;

	if (!json_is_object(j) || json_object_size(j) == 0)
		return sm_config_error(r->cfg, j ? j : json_null(), err,
		    "%s: set: expected a mapping of dimension: label", where);
	rule->set = xcalloc(json_object_size(j), sizeof(*rule->set));
	json_object_foreach((json_t *)j, key, v) {
		static const char *const label_keys[] = { "label", "weight",
		    NULL };
		double weight = -1;
		char at[600];
		size_t d;

		snprintf(at, sizeof(at), "%s.set.%s", where, key);
		/* {label: L, weight: W}: L counts W per match, not the
		 * rule's weight */
		if (json_is_object(v)) {
			const json_t *w = json_object_get(v, "weight");

			if (sm_config_check_keys(r->cfg, v, at, label_keys,
			    err) < 0)
				return -1;
			if (w == NULL || !json_is_number(w) ||
			    !(json_number_value(w) > 0) ||
			    !isfinite(json_number_value(w)))
				return sm_config_error(r->cfg, w ? w : v, err,
				    "%s: weight: expected a number above 0",
				    at);
			weight = json_number_value(w);
			if (json_object_get(v, "label") == NULL)
				return sm_config_error(r->cfg, v, err, "%s: "
				    "a label needs label:", at);
			v = json_object_get(v, "label");
		}
		if (!json_is_string(v) || json_string_length(v) == 0)
			return sm_config_error(r->cfg, v, err, "%s: "
			    "expected a label, got %s", at,
			    sm_config_type_name(v));
		if (strcmp(key, "lang") == 0 || strcmp(key, "pii") == 0 ||
		    strcmp(key, "score") == 0 || strcmp(key, "rules") == 0 ||
		    strcmp(key, "explain") == 0)
			return sm_config_error(r->cfg, v, err, "%s.set: '%s' "
			    "is not a dimension rules can set", where, key);
		d = dim_find(r, key, 1);
		rule->set[rule->nset].dim = d;
		rule->set[rule->nset].label = label_find(&r->dims[d],
		    json_string_value(v));
		rule->set[rule->nset].weight = weight;
		rule->nset++;
	}
	return 0;
}

/* "es, en, ca, eu, gl, fr, de, it, pt or und" */
static void
known_langs(struct sm_buf *b)
{
	for (size_t k = 0; k < NSL; k++) {
		sm_buf_adds(b, sm_langs[k]);
		sm_buf_adds(b, k + 1 < NSL ? ", " : " or und");
	}
	sm_buf_addc(b, '\0');
}

/*
 * A rule's lang: code is compared with classify.lang, which is lower
 * case and the primary subtag only: 'ES' or 'spanish' would never match.
 * A well-formed code sm-classify does not tell apart is only a message's
 * own lang: (a platform's guess), so it is said but allowed.
 */
static int
check_lang(struct sm_rules *r, const json_t *l, const char *where,
    struct sm_error *err)
{
	const char *code = json_string_value(l);
	size_t n = strlen(code);
	struct sm_buf known = { 0 };
	int rc = 0;

	if (sm_lang_index(code) >= 0 || strcmp(code, "und") == 0)
		return 0;
	known_langs(&known);
	if (n < 2 || n > 3 || strspn(code, "abcdefghijklmnopqrstuvwxyz") != n)
		rc = sm_config_error(r->cfg, l, err, "%s: lang: '%s' is not a "
		    "language code (lower case, as classify.lang shows it: "
		    "%s)", where, code, known.data);
	else
		sm_config_warn(r->cfg, l, "%s: lang: '%s' is not a language "
		    "sm-classify tells apart (%s): the rule fires only where "
		    "a record's own lang says '%s'", where, code, known.data,
		    code);
	sm_buf_free(&known);
	return rc;
}

/*
 * A dimension that one rule alone sets, and that neither the four, nor
 * defaults, nor a model names, is most likely a typo (set: {urgencia:
 * alta}): it is said, with the known dimension it is closest to.  known
 * is the number of dimensions there were before the rules.
 */
static void
warn_lone_dims(struct sm_rules *r, const json_t *section, const json_t *rules,
    size_t known)
{
	const json_t *models = json_object_get(section, "models"), *m, *rule;
	const char **names;
	size_t d, i, k, *count, *first;

	if (r->ndims == known)
		return;
	count = xcalloc(r->ndims, sizeof(*count));
	first = xcalloc(r->ndims, sizeof(*first));
	for (i = 0; i < r->nrules; i++)
		for (k = 0; k < r->rules[i].nset; k++)
			if (count[r->rules[i].set[k].dim]++ == 0)
				first[r->rules[i].set[k].dim] = i;
	json_array_foreach(models, i, m) {
		const char *name = json_string_value(json_object_get(m,
		    "dimension"));

		if (name && (d = dim_find(r, name, 0)) != SIZE_MAX)
			count[d] += 2;
	}
	names = xcalloc(known, sizeof(*names));
	for (k = 0; k < known; k++)
		names[k] = r->dims[k].name;
	for (d = known; d < r->ndims; d++) {
		const char *near;
		char where[512];

		if (count[d] != 1)
			continue;
		near = sm_config_near(r->dims[d].name, names, known, 4);
		rule = json_array_get(rules, first[d]);
		sm_config_item_where(rule, "classify.rules", first[d], where,
		    sizeof(where));
		sm_config_warn(r->cfg, json_object_get(json_object_get(rule,
		    "set"), r->dims[d].name), "%s: set: dimension '%s' is set "
		    "by no other rule and is not in classify.defaults%s%s%s",
		    where, r->dims[d].name, near ? " (a typo of '" :
		    " (give it a default there if it is meant)", near ? near :
		    "", near ? "'?)" : "");
	}
	free(count);
	free(first);
	free(names);
}

static int
compile_rule(struct sm_rules *r, const json_t *j, size_t idx,
    struct sm_text *t, struct sm_error *err)
{
	struct rule *rule = &r->rules[idx];
	char where[512];
	const json_t *v;
	int stem = r->default_stem;

	/* the index alone means little to whoever wrote the rule in a
	 * file that includes the pack: its name too, as soon as it has one */
	sm_config_item_where(j, "classify.rules", idx, where,
	    sizeof(where));
	if (sm_config_check_keys(r->cfg, j, where, rule_keys, err) < 0)
		return -1;
	v = json_object_get(j, "name");
	if (v == NULL)
		return sm_config_error(r->cfg, j, err, "%s: a rule needs a "
		    "name", where);
	if (want_string(r, v, where, err) < 0)
		return -1;
	for (size_t i = 0; i < idx; i++)
		if (strcmp(r->rules[i].name, json_string_value(v)) == 0)
			return sm_config_error(r->cfg, v, err, "classify."
			    "rules[%zu]: duplicate rule name '%s'", idx,
			    json_string_value(v));
	rule->name = xstrdup(json_string_value(v));
	if (compile_set(r, json_object_get(j, "set"), rule, where, err) < 0) {
		if (json_object_get(j, "set") == NULL)
			sm_config_error(r->cfg, j, err, "%s: a rule needs set:",
			    where);
		return -1;
	}
	rule->weight = 1;
	if ((v = json_object_get(j, "weight")) != NULL) {
		if (!json_is_number(v) || json_number_value(v) <= 0 ||
		    !isfinite(json_number_value(v)))
			return sm_config_error(r->cfg, v, err, "%s: weight must "
			    "be a number above 0", where);
		rule->weight = json_number_value(v);
	}
	if ((v = json_object_get(j, "override")) != NULL) {
		if (!json_is_boolean(v))
			return sm_config_error(r->cfg, v, err, "%s: override "
			    "must be true or false", where);
		rule->override = json_is_true(v);
	}
	if ((v = json_object_get(j, "independent")) != NULL) {
		if (!json_is_boolean(v))
			return sm_config_error(r->cfg, v, err, "%s: independent "
			    "must be true or false", where);
		rule->independent = json_is_true(v);
	}
	/* a category given with its own weight only adds to its score: the
	 * rule's other labels do not wait for it to win */
	rule->category = -1;
	for (size_t k = 0; k < rule->nset; k++)
		if (rule->set[k].dim == 0 && rule->set[k].weight < 0)
			rule->category = (long)rule->set[k].label;
	if (stem_option(r, j, &stem, where, err) < 0)
		return -1;
	if ((v = json_object_get(j, "lang")) != NULL) {
		size_t n = json_is_array(v) ? json_array_size(v) : 1;

		if (n == 0)
			return sm_config_error(r->cfg, v, err, "%s: lang: "
			    "empty list", where);
		rule->langs = xcalloc(n, sizeof(*rule->langs));
		for (size_t i = 0; i < n; i++) {
			const json_t *l = json_is_array(v) ?
			    json_array_get(v, i) : v;
			int li;

			if (want_string(r, l, where, err) < 0 ||
			    check_lang(r, l, where, err) < 0)
				return -1;
			rule->langs[rule->nlangs++] =
			    xstrdup(json_string_value(l));
			li = sm_lang_index(json_string_value(l));
			if (li >= 0)
				rule->langmask |= 1u << li;
		}
		if (rule->langmask == 0)
			rule->langmask = 1u << NSL;	/* none stemmable */
	}
	if (compile_matcher(r, j, rule, stem, &rule->m, where, t, err) < 0)
		return -1;
	return 0;
}

static int
compile_defaults(struct sm_rules *r, const json_t *j, struct sm_error *err)
{
	const char *key;
	json_t *v;

	if (j == NULL)
		return 0;
	if (!json_is_object(j))
		return sm_config_error(r->cfg, j, err, "classify.defaults: "
		    "expected a mapping of dimension: label");
	json_object_foreach((json_t *)j, key, v) {
		size_t d = dim_find(r, key, 1);

		if (json_is_null(v))
			r->dims[d].deflabel = -1;
		else if (json_is_string(v) && json_string_length(v))
			r->dims[d].deflabel = (long)label_find(&r->dims[d],
			    json_string_value(v));
		else
			return sm_config_error(r->cfg, v, err, "classify."
			    "defaults.%s: expected a label or null", key);
	}
	return 0;
}

struct sm_rules *
sm_rules_compile(const struct sm_config *cfg, const json_t *section,
    struct sm_error *err)
{
	struct sm_rules *r = xcalloc(1, sizeof(*r));
	struct sm_text t = { 0 };
	const json_t *rules, *v;
	size_t *list = NULL, nlist, total, ngates, known;

	r->cfg = cfg;
	r->stemmer = sm_stemmer_new();
	r->prefilter = sm_prefilter_new();
	r->default_stem = 1;
	r->mctx = pcre2_match_context_create(NULL);
	r->jitstack = pcre2_jit_stack_create(JIT_STACK_START, JIT_STACK_MAX,
	    NULL);
	if (r->mctx) {	/* else PCRE2's defaults, out of memory */
		if (r->jitstack)
			pcre2_jit_stack_assign(r->mctx, NULL, r->jitstack);
		pcre2_set_heap_limit(r->mctx, HEAP_LIMIT_KIB);
	}
	for (size_t i = 0; i < 4; i++) {
		size_t d = dim_find(r, core_dims[i], 1);

		r->dims[d].deflabel = (long)label_find(&r->dims[d],
		    core_defaults[i]);
	}
	if (sm_config_check_keys(cfg, section, "classify", section_keys,
	    err) < 0)
		goto fail;
	if (compile_defaults(r, json_object_get(section, "defaults"), err) < 0)
		goto fail;
	if ((v = json_object_get(section, "stem")) != NULL) {
		if (!json_is_boolean(v)) {
			sm_config_error(cfg, v, err, "classify.stem must be "
			    "true or false");
			goto fail;
		}
		r->default_stem = json_is_true(v);
	}
	rules = json_object_get(section, "rules");
	if (rules && !json_is_array(rules)) {
		sm_config_error(cfg, rules, err, "classify.rules: expected a "
		    "list, got %s", sm_config_type_name(rules));
		goto fail;
	}
	r->nrules = json_array_size(rules);
	r->rules = xcalloc(r->nrules ? r->nrules : 1, sizeof(*r->rules));
	known = r->ndims;
	for (size_t i = 0; i < r->nrules; i++)
		if (compile_rule(r, json_array_get(rules, i), i, &t, err) < 0)
			goto fail;
	warn_lone_dims(r, section, rules, known);
	index_seconds(r);
	/* which rules each term, and each regex the prefilter arms, can
	 * wake up: gates 0 to nterms - 1 are terms, the next ones regexes */
	ngates = r->nterms + r->nregex;
	r->gatestart = xcalloc(ngates + 1, sizeof(*r->gatestart));
	{
		size_t (*pairs)[2] = NULL, npairs = 0;

		for (size_t i = 0; i < r->nrules; i++) {
			nlist = 0;
			if (!gating_terms(&r->rules[i].m, r->nterms, &list,
			    &nlist))
				continue;
			r->rules[i].gated = 1;
			pairs = xreallocarray(pairs, npairs + nlist,
			    sizeof(*pairs));
			for (size_t k = 0; k < nlist; k++) {
				pairs[npairs][0] = list[k];
				pairs[npairs][1] = i;
				r->gatestart[list[k] + 1]++;
				npairs++;
			}
		}
		for (size_t k = 0; k < ngates; k++)
			r->gatestart[k + 1] += r->gatestart[k];
		total = r->gatestart[ngates];
		r->gates = xcalloc(total ? total : 1, sizeof(*r->gates));
		{
			size_t *fill = xcalloc(ngates + 1, sizeof(*fill));

			for (size_t k = 0; k < npairs; k++) {
				size_t tm = pairs[k][0];

				r->gates[r->gatestart[tm] + fill[tm]++] =
				    pairs[k][1];
			}
			free(fill);
		}
		free(pairs);
	}
	free(list);
	index_matchers(r);
	r->ungated = xcalloc(r->nrules + 1, sizeof(*r->ungated));
	r->cand = xcalloc(r->nrules + 1, sizeof(*r->cand));
	for (size_t i = 0; i < r->nrules; i++)
		if (!r->rules[i].gated)
			r->ungated[r->nungated++] = i;
	r->armed = xcalloc(r->nregex ? r->nregex : 1, sizeof(*r->armed));
	r->matched = xcalloc(r->nterms ? r->nterms : 1, sizeof(*r->matched));
	r->fired = xcalloc(r->nrules ? r->nrules : 1, sizeof(*r->fired));
	r->fscore = xcalloc(r->nrules ? r->nrules : 1, sizeof(*r->fscore));
	r->fmatched = xcalloc(r->nrules ? r->nrules : 1,
	    sizeof(*r->fmatched));
	for (size_t d = 0; d < r->ndims; d++) {
		size_t n = r->dims[d].nlabels ? r->dims[d].nlabels : 1;

		r->dims[d].total = xcalloc(n, sizeof(double));
		r->dims[d].first = xcalloc(n, sizeof(size_t));
		r->dims[d].stamp = xcalloc(n, sizeof(unsigned));
	}
	sm_text_free(&t);
	r->cfg = NULL;
	return r;
fail:
	free(list);
	sm_text_free(&t);
	sm_rules_free(r);
	return NULL;
}

static void
matcher_free(struct matcher *m)
{
	free(m->terms);
	for (size_t i = 0; i < m->nre; i++) {
		free(m->re[i].src);
		if (m->re[i].owner) {
			pcre2_code_free(m->re[i].code);
			pcre2_match_data_free(m->re[i].md);
		}
	}
	free(m->re);
	sm_when_free(m->when);
	for (size_t i = 0; i < m->nall; i++)
		matcher_free(&m->all[i]);
	for (size_t i = 0; i < m->nany; i++)
		matcher_free(&m->any[i]);
	for (size_t i = 0; i < m->nnone; i++)
		matcher_free(&m->none[i]);
	free(m->all);
	free(m->any);
	free(m->none);
}

void
sm_rules_free(struct sm_rules *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nrules; i++) {
		struct rule *rule = &r->rules[i];

		free(rule->name);
		matcher_free(&rule->m);
		for (size_t k = 0; k < rule->nlangs; k++)
			free(rule->langs[k]);
		free(rule->langs);
		free(rule->set);
	}
	free(r->rules);
	for (size_t i = 0; i < r->nterms; i++) {
		for (size_t k = 0; k < r->terms[i].ntoks; k++) {
			free(r->terms[i].toks[k].surface);
			for (size_t l = 0; l < NSL; l++)
				free(r->terms[i].toks[k].stem[l]);
		}
		free(r->terms[i].toks);
		free(r->terms[i].text);
	}
	free(r->terms);
	for (size_t d = 0; d < r->ndims; d++) {
		free(r->dims[d].name);
		for (size_t k = 0; k < r->dims[d].nlabels; k++)
			free(r->dims[d].labels[k]);
		free(r->dims[d].labels);
		free(r->dims[d].total);
		free(r->dims[d].first);
		free(r->dims[d].stamp);
	}
	free(r->dims);
	for (size_t i = 0; i < r->capkeys; i++) {
		struct phrases *ph = r->keys[i].ph;

		free(r->keys[i].terms);
		if (ph) {
			free(ph->terms);
			for (size_t l = 0; l < 1 + NSL; l++)
				free(ph->second[l]);
			free(ph);
		}
	}
	free(r->hashes);
	free(r->keys);
	free(r->gates);
	free(r->gatestart);
	sm_stemmer_free(r->stemmer);
	sm_prefilter_free(r->prefilter);
	pcre2_match_context_free(r->mctx);
	pcre2_jit_stack_free(r->jitstack);
	free(r->armed);
	free(r->compiled);
	free(r->termset);
	free(r->ungated);
	free(r->cand);
	free(r->tm);
	free(r->tmstart);
	free(r->matched);
	free(r->fired);
	free(r->fscore);
	free(r->fmatched);
	free(r);
}

size_t
sm_rules_count(const struct sm_rules *r)
{
	return r->nrules;
}

int
sm_rules_decided(const struct sm_rules *r, const char *dim)
{
	size_t d;

	for (d = 0; d < r->ndims; d++)
		if (strcmp(r->dims[d].name, dim) == 0)
			break;
	if (d == r->ndims)
		return 0;
	if (r->dims[d].override >= 0)
		return 2;
	for (size_t l = 0; l < r->dims[d].nlabels; l++)
		if (r->dims[d].stamp[l] == r->gen)
			return 1;
	return 0;
}

struct sm_stemmer *
sm_rules_stemmer(struct sm_rules *r)
{
	return r->stemmer;
}

static void
matcher_paths(const struct matcher *m,
    void (*fn)(const char *path, void *arg), void *arg)
{
	size_t i;

	sm_when_paths(m->when, fn, arg);
	for (i = 0; i < m->nall; i++)
		matcher_paths(&m->all[i], fn, arg);
	for (i = 0; i < m->nany; i++)
		matcher_paths(&m->any[i], fn, arg);
	for (i = 0; i < m->nnone; i++)
		matcher_paths(&m->none[i], fn, arg);
}

void
sm_rules_paths(const struct sm_rules *r,
    void (*fn)(const char *path, void *arg), void *arg)
{
	for (size_t i = 0; i < r->nrules; i++)
		matcher_paths(&r->rules[i].m, fn, arg);
}

size_t
sm_rules_ndims(const struct sm_rules *r)
{
	return r->ndims;
}

const char *
sm_rules_dim(const struct sm_rules *r, size_t d)
{
	return r->dims[d].name;
}

long
sm_rules_dim_index(const struct sm_rules *r, const char *name)
{
	for (size_t d = 0; d < r->ndims; d++)
		if (strcmp(r->dims[d].name, name) == 0)
			return (long)d;
	return -1;
}

const char *
sm_rules_label(const struct sm_rules *r, size_t d)
{
	return r->dims[d].best < 0 ? NULL : r->dims[d].labels[r->dims[d].best];
}

size_t
sm_rules_nfired(const struct sm_rules *r)
{
	return r->nfired;
}

const char *
sm_rules_fired(const struct sm_rules *r, size_t i)
{
	return r->rules[r->fired[i]].name;
}

double
sm_rules_score(const struct sm_rules *r)
{
	return r->score;
}

/* Matching */

struct ctx {
	struct sm_rules *r;
	const struct sm_text *t;
	int lang;		/* index in sm_langs, or -1 */
	const char *raw;
	size_t rawlen;
	json_t *rec;
	json_t *matched;	/* explain: what matched, or NULL */
	struct sm_error *err;
	const struct rule *rule;	/* being evaluated */
	int failed;
};

static int
tok_matches(const struct ctx *c, const struct sm_token *tok,
    const struct term_tok *tt)
{
	const char *f = c->t->folded.data + tok->off;
	size_t n;

	if (tok->len == tt->len && memcmp(f, tt->surface, tt->len) == 0)
		return 1;
	if (c->lang < 0 || tt->stem[c->lang] == NULL || tok->stem_len == 0)
		return 0;
	n = tt->stemlen[c->lang];
	return tok->stem_len == n && memcmp(c->t->stems.data + tok->stem_off,
	    tt->stem[c->lang], n) == 0;
}

static int
matchable(const struct sm_token *tok)
{
	return tok->type != SM_TOKEN_MENTION && tok->type != SM_TOKEN_URL;
}

/* A gated rule is a candidate in this record. */
static void
wake(struct sm_rules *r, struct rule *rules, size_t i)
{
	if (rules[i].stamp == r->gen)
		return;
	rules[i].stamp = r->gen;
	r->cand[r->ncand++] = i;
}

static void
try_term(struct ctx *c, size_t ti, size_t at)
{
	struct term *tm = &c->r->terms[ti];
	const struct sm_token *toks = c->t->tokens;
	struct rule *rules = c->r->rules;

	if (c->r->matched[ti] == c->r->gen)
		return;
	if (tm->hashtag && toks[at].type != SM_TOKEN_HASHTAG)
		return;
	if (at + tm->ntoks > c->t->ntokens)
		return;
	/* the first token matched already: it is how the term was found */
	for (size_t k = 1; k < tm->ntoks; k++)
		if (!matchable(&toks[at + k]) ||
		    !tok_matches(c, &toks[at + k], &tm->toks[k]))
			return;
	c->r->matched[ti] = c->r->gen;
	tm->from = toks[at].off;
	tm->to = toks[at + tm->ntoks - 1].off + toks[at + tm->ntoks - 1].len;
	for (size_t g = c->r->gatestart[ti]; g < c->r->gatestart[ti + 1]; g++)
		wake(c->r, rules, c->r->gates[g]);
	for (size_t g = c->r->tmstart[ti]; g < c->r->tmstart[ti + 1]; g++)
		c->r->tm[g]->tstamp = c->r->gen;
}

static void
lookup(struct ctx *c, unsigned char kind, const char *text, size_t n,
    unsigned long hash, size_t at)
{
	struct sm_rules *r = c->r;
	const unsigned long *next = &r->hashes[2 * (at + 1)];
	const uint32_t *word, *stem;
	uint32_t nword, nstem;
	unsigned long h;
	struct key *k;

	h = key_hash(kind, hash);
	if (!(r->keybits[KEYBIT(h) / 64] & (1ULL << (KEYBIT(h) % 64))))
		return;
	k = key_slot(r->keys, r->capkeys, h, kind, text, n);
	if (k->text == NULL)
		return;
	for (size_t i = 0; i < k->nterms; i++)
		try_term(c, k->terms[i], at);
	if (k->ph == NULL || next[0] == 0)
		return;
	nword = HASH32(next[0]);
	nstem = HASH32(next[1]);
	word = k->ph->second[0];
	stem = k->ph->second[c->lang >= 0 ? 1 + c->lang : 0];
	for (size_t i = 0; i < k->ph->n; i++)
		if (word[i] == nword || stem[i] == nstem)
			try_term(c, k->ph->terms[i], at);
}

static void
find_terms(struct ctx *c)
{
	const struct sm_text *t = c->t;
	struct sm_rules *r = c->r;
	unsigned long *h;

	if (r->capkeys == 0)
		return;
	if (2 * (t->ntokens + 1) > r->caphashes) {
		r->caphashes = 2 * (t->ntokens + 1) + 64;
		free(r->hashes);
		r->hashes = xcalloc(r->caphashes, sizeof(*r->hashes));
	}
	/* each token's hashes, once: 0 where it cannot be matched */
	h = r->hashes;
	for (size_t i = 0; i < t->ntokens; i++) {
		const struct sm_token *tok = &t->tokens[i];

		h[2 * i] = h[2 * i + 1] = 0;
		if (!matchable(tok))
			continue;
		h[2 * i] = WORDHASH(tok->hash);
		if (c->lang >= 0 && tok->stem_len)
			h[2 * i + 1] = WORDHASH(tok->stem_hash);
	}
	h[2 * t->ntokens] = h[2 * t->ntokens + 1] = 0;
	for (size_t i = 0; i < t->ntokens; i++) {
		const struct sm_token *tok = &t->tokens[i];

		if (h[2 * i] == 0)
			continue;
		lookup(c, 0, t->folded.data + tok->off, tok->len, h[2 * i], i);
		if (h[2 * i + 1])
			lookup(c, (unsigned char)(1 + c->lang),
			    t->stems.data + tok->stem_off, tok->stem_len,
			    h[2 * i + 1], i);
	}
}

static int regex_matches(struct ctx *, struct regex *);

/* Number of things matched (at least 1) when m holds, else 0. */
static size_t
eval(struct ctx *c, struct matcher *m)
{
	size_t count = 0, hits;

	if (m->when && !sm_when_holds(m->when, c->rec))
		return 0;
	if (m->has_terms) {
		if (m->tstamp != c->r->gen)
			return 0;	/* none of its terms is here */
		hits = 0;
		for (size_t i = 0; i < m->nterms; i++) {
			struct term *tm;
			size_t k;

			if (c->r->matched[m->terms[i]] != c->r->gen)
				continue;
			tm = &c->r->terms[m->terms[i]];
			/* two forms of one word ("basura", "basuras": one
			 * stem) that matched the same words count once */
			for (k = 0; k < i; k++) {
				const struct term *o = &c->r->terms[m->terms[k]];

				if (c->r->matched[m->terms[k]] == c->r->gen &&
				    o->from == tm->from && o->to == tm->to)
					break;
			}
			if (k < i)
				continue;
			hits++;
			if (c->matched)
				json_array_append_new(c->matched,
				    json_stringn(c->t->folded.data + tm->from,
				    tm->to - tm->from));
		}
		if (hits == 0)
			return 0;
		count += hits;
	}
	for (size_t i = 0; i < m->nall; i++) {
		hits = eval(c, &m->all[i]);
		if (hits == 0)
			return 0;
		count += hits;
	}
	if (m->has_any) {
		size_t any = 0;

		for (size_t i = 0; i < m->nany; i++)
			any += eval(c, &m->any[i]);
		if (any == 0)
			return 0;
		count += any;
	}
	if (m->nre) {
		hits = 0;
		for (size_t i = 0; i < m->nre; i++)
			hits += (size_t)regex_matches(c, &m->re[i]);
		if (hits == 0)
			return 0;
		count += hits;
	}
	if (m->has_none) {
		json_t *save = c->matched;

		c->matched = NULL;
		for (size_t i = 0; i < m->nnone; i++)
			if (eval(c, &m->none[i])) {
				c->matched = save;
				return 0;
			}
		c->matched = save;
	}
	return count ? count : 1;
}

static int
regex_matches(struct ctx *c, struct regex *re)
{
	int rc;

	if (re->filtered && c->r->armed[re->id] != c->r->gen)
		return 0;	/* none of the words it starts with is here */
	/* the text comes from JSON strings, which jansson has checked are
	 * UTF-8: PCRE2 need not check it again for each regex */
	rc = pcre2_match(re->code, (PCRE2_SPTR)c->raw, c->rawlen, 0,
	    PCRE2_NO_UTF_CHECK, re->md, c->r->mctx);
	if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
		rc = pcre2_match(re->code, (PCRE2_SPTR)c->raw, c->rawlen, 0,
		    PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT, re->md, c->r->mctx);

	if (rc >= 0) {
		if (c->matched) {
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);

			json_array_append_new(c->matched, json_stringn(c->raw +
			    ov[0], ov[1] - ov[0]));
		}
		return 1;
	}
	/* a resource limit: the regex counts as not matching, the record's
	 * other rules still decide, and the first such failure is said */
	if (rc != PCRE2_ERROR_NOMATCH && !c->failed) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(rc, msg, sizeof(msg));
		sm_error_set(c->err, NULL, 0, 0, "rule '%s': regex '%s': %s; "
		    "counted as not matching", c->rule->name, re->src,
		    (char *)msg);
		c->failed = 1;
	}
	return 0;
}

static int
lang_allowed(const struct rule *rule, const char *lang, int li)
{
	if (rule->nlangs == 0)
		return 1;
	if (li >= 0)
		return (rule->langmask & 1u << li) != 0;
	for (size_t i = 0; i < rule->nlangs; i++)
		if (strcmp(rule->langs[i], lang) == 0)
			return 1;
	return 0;
}

/* The record's category by the rules so far, or -1. */
static long
category_winner(const struct sm_rules *r)
{
	const struct dim *d = &r->dims[0];
	long best = d->override;

	if (best < 0)
		for (size_t l = 0; l < d->nlabels; l++) {
			if (d->stamp[l] != r->gen)
				continue;
			if (best < 0 || d->total[l] > d->total[best] ||
			    (d->total[l] == d->total[best] &&
			    d->first[l] < d->first[best]))
				best = (long)l;
		}
	return best < 0 ? d->deflabel : best;
}

/*
 * Adds the fired rules' scores to their labels: of the category when
 * category is 1, else of the other dimensions, where a rule that set a
 * category other than winner counts only if it is independent.
 */
static void
count_labels(struct sm_rules *r, json_t *explain, int category, long winner)
{
	unsigned gen = r->gen;

	for (size_t k = 0; k < r->nfired; k++) {
		const struct rule *rule = &r->rules[r->fired[k]];
		double s = r->fscore[k];

		if (!category && rule->category >= 0 &&
		    rule->category != winner && !rule->independent)
			continue;
		for (size_t m = 0; m < rule->nset; m++) {
			struct dim *d = &r->dims[rule->set[m].dim];
			size_t l = rule->set[m].label;
			double ls = rule->set[m].weight < 0 ? s :
			    s / rule->weight * rule->set[m].weight;

			if ((rule->set[m].dim == 0) != category)
				continue;
			if (d->stamp[l] != gen) {
				d->stamp[l] = gen;
				d->total[l] = 0;
				d->first[l] = r->fired[k];
			}
			d->total[l] += ls;
			if (rule->override && d->override < 0 &&
			    rule->set[m].weight < 0)
				d->override = (long)l;
			if (explain) {
				json_t *e = json_object_get(explain, d->name);

				if (e == NULL) {
					e = json_array();
					json_object_set_new(explain, d->name, e);
				}
				json_array_append_new(e, json_pack("{s:s,s:s,"
				    "s:f,s:O}", "rule", rule->name, "label",
				    d->labels[l], "score", ls, "matched",
				    r->fmatched[k]));
			}
		}
	}
}

int
sm_rules_apply(struct sm_rules *r, const struct sm_text *t, const char *lang,
    const char *raw, size_t rawlen, json_t *rec, json_t *explain,
    struct sm_error *err)
{
	struct ctx c = { r, t, -1, raw, rawlen, rec, NULL, err, NULL, 0 };
	unsigned gen;
	int li = sm_lang_index(lang);

	if (++r->gen == 0) {
		/* after 2^32 records the stamps could lie: clear them */
		memset(r->matched, 0, r->nterms * sizeof(*r->matched));
		for (size_t i = 0; i < r->nrules; i++)
			r->rules[i].stamp = 0;
		for (size_t k = 0; k < r->tmstart[r->nterms]; k++)
			r->tm[k]->tstamp = 0;
		memset(r->armed, 0, r->nregex * sizeof(*r->armed));
		for (size_t d = 0; d < r->ndims; d++)
			memset(r->dims[d].stamp, 0, r->dims[d].nlabels *
			    sizeof(unsigned));
		r->gen = 1;
	}
	gen = r->gen;
	c.lang = t->stemmed ? li : -1;
	r->ncand = 0;
	find_terms(&c);
	sm_prefilter_scan_text(r->prefilter, t, r->armed, gen);
	for (size_t k = 0; k < r->nregex; k++) {
		size_t g = r->nterms + k;

		if (r->armed[k] != gen)
			continue;
		for (size_t j = r->gatestart[g]; j < r->gatestart[g + 1]; j++)
			wake(r, r->rules, r->gates[j]);
	}
	/* the candidates in the order of the rules (a few dozen) */
	for (size_t a = 1; a < r->ncand; a++) {
		size_t v = r->cand[a], b = a;

		for (; b > 0 && r->cand[b - 1] > v; b--)
			r->cand[b] = r->cand[b - 1];
		r->cand[b] = v;
	}
	for (size_t d = 0; d < r->ndims; d++)
		r->dims[d].override = -1;
	r->nfired = 0;
	for (size_t ia = 0, ib = 0; ia < r->nungated || ib < r->ncand;) {
		size_t i = ib == r->ncand || (ia < r->nungated &&
		    r->ungated[ia] < r->cand[ib]) ? r->ungated[ia++] :
		    r->cand[ib++];
		struct rule *rule = &r->rules[i];
		size_t hits;
		double s;
		json_t *matched = NULL;

		if (!lang_allowed(rule, lang, li))
			continue;
		if (explain)
			c.matched = matched = json_array();
		c.rule = rule;
		hits = eval(&c, &rule->m);
		c.matched = NULL;
		if (hits == 0) {
			json_decref(matched);
			continue;
		}
		s = rule->weight * (double)hits;
		r->fscore[r->nfired] = s;
		r->fmatched[r->nfired] = matched;
		r->fired[r->nfired++] = i;
	}
	/* the category first: a rule whose category lost gives its other
	 * labels only when it says it is independent */
	count_labels(r, explain, 1, -1);
	count_labels(r, explain, 0, category_winner(r));
	for (size_t k = 0; k < r->nfired; k++)
		json_decref(r->fmatched[k]);
	r->score = 0;
	for (size_t dn = 0; dn < r->ndims; dn++) {
		struct dim *d = &r->dims[dn];
		long best = d->override;

		if (best < 0)
			for (size_t l = 0; l < d->nlabels; l++) {
				if (d->stamp[l] != gen)
					continue;
				if (best < 0 || d->total[l] > d->total[best] ||
				    (d->total[l] == d->total[best] &&
				    d->first[l] < d->first[best]))
					best = (long)l;
			}
		if (best < 0)
			best = d->deflabel;
		d->best = best;
		if (dn == 0 && best >= 0 && d->stamp[best] == gen)
			r->score = d->total[best];
	}
	return c.failed ? 1 : 0;
}
