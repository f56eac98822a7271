/* model.h - sm-classify's statistical model: features, training, prediction
 *
 * A multi-class linear model (softmax regression) over hashed features of
 * a message: folded words and their stems, word bigrams, character n-grams
 * of each word, the platform and the kind.  Counts are weighted as
 * sublinear TF-IDF and each group (words, characters) is scaled to unit
 * length, so that long and short messages weigh alike.
 */
#ifndef SM_MODEL_H
#define SM_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sm/error.h"
#include "sm/message.h"
#include "sm/util.h"

/* How a message becomes features; stored in the model. */
struct sm_features {
	unsigned bits;		/* 2^bits hash buckets, 16..26 */
	unsigned word_ngrams;	/* 1: words; 2: words and bigrams */
	unsigned char_min, char_max;	/* character n-grams; 0: none */
};

#define SM_FEATURES_DEFAULT { 22, 2, 2, 5 }

/* A sparse vector of hashed features; reuse one for every record. */
struct sm_fvec {
	uint32_t *idx;
	float *val;
	size_t n, cap;
	size_t split;		/* [0, split) words; [split, n) characters */
	int keep_names;		/* fill names, for explaining */
	struct sm_buf names;	/* NUL-separated, one per entry */
	size_t *name_off;
	/* private */
	uint32_t *slots;	/* entry + 1 by bucket, to merge repeats */
	size_t capslots;
	uint32_t *row;		/* the model's row of each entry */
};

void sm_fvec_free(struct sm_fvec *fv);

/*
 * The features of an analysed message (and of rec's platform and kind):
 * counts, one entry per distinct feature.
 */
void sm_featurize(const struct sm_features *f, const struct sm_message *msg,
    json_t *rec, struct sm_fvec *fv);

struct sm_model;

/*
 * Reads a model file (one read).  A file that is not a model, is newer
 * than this version understands, is truncated, fails its checksum or has
 * a weight that is not a finite number is an error, never a model.
 */
struct sm_model *sm_model_load(const char *path, struct sm_error *err);

/* Writes the model to a temporary file, syncs it and renames it to path. */
int sm_model_save(const struct sm_model *m, const char *path,
    struct sm_error *err);

void sm_model_free(struct sm_model *m);

const struct sm_features *sm_model_features(const struct sm_model *m);
size_t sm_model_nlabels(const struct sm_model *m);
const char *sm_model_label(const struct sm_model *m, size_t i);

/* What the model file says of itself (labels, features, training). */
json_t *sm_model_info(const struct sm_model *m);

/*
 * Scores fv (counts from sm_featurize; weighted in place) and fills
 * probs[nlabels]; returns the most probable label's index.
 */
size_t sm_model_predict(const struct sm_model *m, struct sm_fvec *fv,
    double *probs);

/*
 * After sm_model_predict on fv (kept with names): the k features that
 * pushed most towards label, as [{"feature":..., "weight":...}].
 */
json_t *sm_model_explain(const struct sm_model *m, const struct sm_fvec *fv,
    size_t label, size_t k);

/* Training. */
struct sm_train_opts {
	unsigned epochs;	/* upper bound with a dev set */
	double lr;		/* SGD's first rate, falling linearly to 0 */
	double l2;		/* per-example L2 penalty */
	int tune_l2;		/* with dev examples, choose l2 instead */
	int balanced;		/* weigh classes by 1 / their frequency */
	unsigned long seed;
	unsigned min_df;	/* features in fewer documents are dropped */
	/* called after each epoch; dev_f1 < 0 without a dev set */
	void (*progress)(void *arg, unsigned epoch, unsigned epochs,
	    double dev_f1);
	void *arg;
};

#define SM_TRAIN_DEFAULT { 30, 0.25, 1e-6, 1, 1, 1, 1, NULL, NULL }

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
