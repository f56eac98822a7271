/* cond.h - conditions on a record's fields, for every tool
 *
 * The matcher language of sm.yaml(5) ("Conditions"): classify rules use
 * it for when:, route rules to pick a queue, reply templates to pick a
 * text, report filters to pick records.  A condition is a mapping:
 *
 *   when:  { FIELD: TEST, ... }	every test holds (FIELD a dotted path)
 *   all:   [ CONDITION, ... ]	every one holds
 *   any:   [ CONDITION, ... ]	at least one holds
 *   none:  [ CONDITION, ... ]	not one holds
 *
 * and a TEST is a value (equal), a list (equal to one of them; null
 * matches a missing field), or a mapping of operators, all of which must
 * hold: eq, ne, in, not_in, exists, lt, lte, gt, gte (numbers, or
 * timestamps when the operand is one), contains (a list holding the
 * value, or a string holding the text), regex (PCRE2, on a string),
 * terms (words or phrases, case and accents folded, on a string).
 * Compiled once at start-up; errors name file:line:column.
 */
#ifndef SM_COND_H
#define SM_COND_H

#include <jansson.h>

#include "sm/config.h"
#include "sm/error.h"

struct sm_when;
struct sm_cond;

/*
 * The tests of a when: mapping; where names it in messages
 * ("route.rules[2]").  NULL with err set.
 */
struct sm_when *sm_when_compile(const struct sm_config *cfg,
    const json_t *node, const char *where, struct sm_error *err);

/* 1 when every test holds on rec, else 0. */
int sm_when_holds(const struct sm_when *w, json_t *rec);

/* Calls fn with each field path the tests read (w may be NULL). */
void sm_when_paths(const struct sm_when *w,
    void (*fn)(const char *path, void *arg), void *arg);

void sm_when_free(struct sm_when *w);

/*
 * A condition read from the keys when, all, any and none of node (a
 * mapping that may hold other keys: the caller checks those).  NULL with
 * err set; a mapping with none of the four keys is an error unless
 * optional, when the condition always holds.
 */
struct sm_cond *sm_cond_compile(const struct sm_config *cfg,
    const json_t *node, const char *where, int optional,
    struct sm_error *err);

/* 1 when the condition holds on rec (a record), else 0. */
int sm_cond_holds(const struct sm_cond *c, json_t *rec);

/* Calls fn with each field path the condition reads (c may be NULL). */
void sm_cond_paths(const struct sm_cond *c,
    void (*fn)(const char *path, void *arg), void *arg);

void sm_cond_free(struct sm_cond *c);

#endif
