/* eval.h - how well predicted labels agree with gold ones */
#ifndef SM_EVAL_H
#define SM_EVAL_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

struct sm_eval;

struct sm_eval *sm_eval_new(void);
void sm_eval_free(struct sm_eval *e);

/* Counts one record; pred NULL means no label was given. */
void sm_eval_add(struct sm_eval *e, const char *gold, const char *pred);

size_t sm_eval_count(const struct sm_eval *e);

/*
 * The figures: accuracy, macro-F1 (the mean F1 over every label that
 * occurs as gold or as prediction, as scikit-learn computes it), per label
 * precision, recall, F1 and support, and the confusion matrix (rows gold,
 * columns predicted), labels in the order first seen.
 */
json_t *sm_eval_report(const struct sm_eval *e);

/* The same report as a table for people. */
void sm_eval_print(const struct sm_eval *e, FILE *fp);

#endif
