/* rules.h - the rule engine of sm-classify */
#ifndef SM_RULES_H
#define SM_RULES_H

#include <jansson.h>

#include "sm/config.h"
#include "sm/error.h"
#include "sm/text.h"

struct sm_rules;

/*
 * Compiles the rules of a classify section (a mapping with defaults,
 * stem and rules), once, at start-up: terms normalized and stemmed into
 * one hash, regexes JIT-compiled.  Errors name the file:line:column of the
 * offending node.  NULL with err set on failure.
 */
struct sm_rules *sm_rules_compile(const struct sm_config *cfg,
    const json_t *section, struct sm_error *err);

void sm_rules_free(struct sm_rules *rules);

size_t sm_rules_count(const struct sm_rules *rules);

/*
 * Applies the rules to one message.  t is the message text analyzed and
 * stemmed in lang; raw is the text as it is (valid UTF-8, which PCRE2
 * is told not to check again), for regexes; rec the whole
 * record, for when: conditions.  The outcome is read with the functions
 * below until the next call.  With explain (an object, or NULL) it fills
 * in each dimension's fired rules.  Returns 0; or 1 with err set (naming
 * the rule) when a regex hit a resource limit of PCRE2 on this text: that
 * regex counted as not matching, the other rules decided, and the outcome
 * is valid all the same.
 */
int sm_rules_apply(struct sm_rules *rules, const struct sm_text *t,
    const char *lang, const char *raw, size_t rawlen, json_t *rec,
    json_t *explain, struct sm_error *err);

/* The dimensions, in the order their keys are written. */
/* Calls fn with each record field the rules' when: tests read; the
 * message's text, subject and lang are read besides. */
void sm_rules_paths(const struct sm_rules *rules,
    void (*fn)(const char *path, void *arg), void *arg);

size_t sm_rules_ndims(const struct sm_rules *rules);
const char *sm_rules_dim(const struct sm_rules *rules, size_t d);

/* Dimension name's index, or -1 when the rules do not have it. */
long sm_rules_dim_index(const struct sm_rules *rules, const char *name);

/* After sm_rules_apply: dimension d's label, or NULL for null. */
const char *sm_rules_label(const struct sm_rules *rules, size_t d);

/* After sm_rules_apply: the rules that fired, in rule order. */
size_t sm_rules_nfired(const struct sm_rules *rules);
const char *sm_rules_fired(const struct sm_rules *rules, size_t i);

/* After sm_rules_apply: the winning category's total. */
double sm_rules_score(const struct sm_rules *rules);

/*
 * After sm_rules_apply: 2 when an override rule set dimension dim, 1 when
 * other rules did, 0 when it got its default (or is not the rules').
 */
int sm_rules_decided(const struct sm_rules *rules, const char *dim);

/* The stemmer the rules were compiled with, to stem messages alike. */
struct sm_stemmer *sm_rules_stemmer(struct sm_rules *rules);

#endif
