/* model.h - sm-classify's statistical model: the model, its file,
 * prediction
 *
 * A multi-class linear model (softmax regression) over the hashed features
 * of a message (features.h).  Counts are weighted as sublinear TF-IDF and
 * each group (words, characters) is scaled to unit length, so that long
 * and short messages weigh alike.  A model is learnt by train.h's trainer.
 */
#ifndef SM_MODEL_H
#define SM_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sm/error.h"
#include "sm/features.h"

/* The row of a feature the model never saw, which weighs nothing. */
#define SM_MODEL_NOROW		UINT32_MAX
/* The most labels a model can tell apart. */
#define SM_MODEL_MAXLABELS	4096u

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

/*
 * For training: a new model of features f telling nlabels labels apart
 * (labels[], strings) over nfeat rows.  Row r is the feature bucket
 * bucket[r], of weight idf[r], with the nlabels weights w[r * nlabels ...];
 * bias[nlabels].  The model takes over labels (array and strings), bucket,
 * idf, w and bias, all from malloc, and meta (stolen; NULL for {}), which
 * goes into the file as "trained".  Never NULL.
 */
struct sm_model *sm_model_new(const struct sm_features *f, char **labels,
    size_t nlabels, size_t nfeat, uint32_t *bucket, float *idf, float *w,
    float *bias, json_t *meta);

/*
 * The arithmetic of prediction, which training does as prediction does.
 *
 * sm_model_weigh: counts val[n] to sublinear TF-IDF by each entry's row
 * rows[n] (SM_MODEL_NOROW: 0), [0, split) and [split, n) each scaled to
 * unit length.
 * sm_model_scores: the scores of the entries (rows[n], val[n]) under
 * weights w (nlabels L to a row) and bias into s[L]; returns the best
 * label.
 * sm_model_softmax: scores s[n] to probabilities, in place.
 * sm_model_finite: whether the n floats at v are all finite numbers.
 */
void sm_model_weigh(const float *idf, const uint32_t *rows, float *val,
    size_t split, size_t n);
size_t sm_model_scores(const float *restrict w, const float *restrict bias,
    size_t L, const uint32_t *restrict rows, const float *restrict val,
    size_t n, double *restrict s);
void sm_model_softmax(double *s, size_t n);
int sm_model_finite(const float *v, size_t n);

#endif
