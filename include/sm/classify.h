/* classify.h - what sm-classify adds to a record */
#ifndef SM_CLASSIFY_H
#define SM_CLASSIFY_H

#include <jansson.h>

#include "sm/config.h"
#include "sm/error.h"

struct sm_classifier;

/*
 * Builds a classifier from the classify section of cfg; with no such
 * section, from the built-in rule pack.  NULL with err set on failure.
 */
struct sm_classifier *sm_classifier_new(const struct sm_config *cfg,
    struct sm_error *err);

void sm_classifier_free(struct sm_classifier *c);

/*
 * The classify object for one record (a new reference): one key per
 * dimension, then lang, pii, score, rules, and explain when asked.
 * NULL with err set when the record cannot be classified.
 */
json_t *sm_classifier_run(struct sm_classifier *c, json_t *rec, int explain,
    struct sm_error *err);

#endif
