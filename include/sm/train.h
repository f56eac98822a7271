/* train.h - sm-classify's model learnt: stochastic gradient descent, the
 * epoch and the penalty chosen on dev examples
 *
 * Examples are the features of labelled messages (features.h); the result
 * is a model (model.h) to save or to predict with.
 */
#ifndef SM_TRAIN_H
#define SM_TRAIN_H

#include <stddef.h>

#include <jansson.h>

#include "sm/error.h"
#include "sm/features.h"
#include "sm/model.h"

struct sm_train_opts {
	unsigned epochs;	/* upper bound with a dev set */
	double lr;		/* SGD's first rate, falling linearly to 0 */
	double l2;		/* per-example L2 penalty */
	int tune_l2;		/* with dev examples, choose l2 instead */
	int balanced;		/* weigh classes by 1 / their frequency */
	unsigned long seed;
	unsigned min_df;	/* features in fewer documents are dropped */
	unsigned folds;		/* without dev examples, the epoch is chosen
				 * by cross-validation in so many folds;
				 * 0: none */
	/* called after each epoch of each run (stage says which, as "L2
	 * 1e-05"); dev_f1 < 0 without a dev set */
	void (*progress)(void *arg, const char *stage, unsigned epoch,
	    unsigned epochs, double dev_f1);
	void *arg;
};

#define SM_TRAIN_DEFAULT { 30, 0.25, 1e-6, 1, 1, 1, 2, 5, NULL, NULL }

struct sm_trainer;

struct sm_trainer *sm_trainer_new(const struct sm_features *f);
void sm_trainer_free(struct sm_trainer *tr);

/* Adds a labelled example; dev examples choose the epoch, not weights. */
void sm_trainer_add(struct sm_trainer *tr, const struct sm_fvec *fv,
    const char *label, int dev);

size_t sm_trainer_count(const struct sm_trainer *tr, int dev);

struct sm_train_result {
	unsigned epoch;		/* the epoch whose weights were kept */
	double l2;		/* the penalty used */
	double dev_f1;		/* macro-F1 on the dev examples; -1: none */
	double cv_f1;		/* cross-validated, without; -1: none */
	double balance;		/* the power of the class weights used */
};

/*
 * Learns a model, once: the trainer's examples are used up.  With dev
 * examples it keeps the epoch (and, with tune_l2, the penalty) with the
 * best macro-F1 on them.  meta (stolen) goes into the file as "trained".
 * NULL with err set when there is nothing to learn from, or when the
 * weights did not stay finite numbers (too high a rate or penalty).
 */
struct sm_model *sm_trainer_fit(struct sm_trainer *tr,
    const struct sm_train_opts *o, json_t *meta, struct sm_train_result *res,
    struct sm_error *err);

#endif
