/* classify.h - what sm-classify adds to a record */
#ifndef SM_CLASSIFY_H
#define SM_CLASSIFY_H

#include <jansson.h>

#include "sm/config.h"
#include "sm/error.h"
#include "sm/util.h"

struct sm_classifier;

/*
 * Builds a classifier from the classify section of cfg; with no such
 * section, from the built-in rule pack.  NULL with err set on failure.
 */
struct sm_classifier *sm_classifier_new(const struct sm_config *cfg,
    struct sm_error *err);

void sm_classifier_free(struct sm_classifier *c);

/*
 * Adds a model that labels dimension dim when its probability is at least
 * min_confidence and no override rule set that dimension; replaces an
 * earlier model of the same dimension.  -1 with err set when the model
 * cannot be loaded or dim is one of classify's own fields.
 */
int sm_classifier_add_model(struct sm_classifier *c, const char *dim,
    const char *path, double min_confidence, struct sm_error *err);

size_t sm_classifier_nmodels(const struct sm_classifier *c);

/* The last record's lowest top probability among the models (1 without
 * models): how unsure the classifier was. */
/*
 * Adds to p the paths of a record sm_classifier_classify reads: the
 * message's, those of the rules' when: tests, and classify (whether the
 * record was classified before).
 */
struct sm_pick;
void sm_classifier_pick(const struct sm_classifier *c, struct sm_pick *p);

double sm_classifier_confidence(const struct sm_classifier *c);

/*
 * Classifies one record; the outcome is read with the two functions below
 * until the next call.  0, or 1 with err set when a rule could not be
 * tried to the end on this record (see sm_rules_apply): the outcome is
 * still valid, without that rule.
 */
int sm_classifier_classify(struct sm_classifier *c, json_t *rec,
    int explain, struct sm_error *err);

/*
 * The last record's classify object (a new reference): one key per
 * dimension, then lang, pii, score, rules, model (each model's label and
 * probability) when there are models, and explain when asked.
 */
json_t *sm_classifier_json(const struct sm_classifier *c);

/* The same object appended to b as compact JSON, without building it. */
void sm_classifier_append(const struct sm_classifier *c, struct sm_buf *b);

/* sm_classifier_classify, then sm_classifier_json; what the former said
 * in err is lost. */
json_t *sm_classifier_run(struct sm_classifier *c, json_t *rec, int explain,
    struct sm_error *err);

#endif
