/* classify.c - what sm-classify adds to a record */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sm/classify.h"
#include "sm/message.h"
#include "sm/model.h"
#include "sm/pii.h"
#include "sm/rules.h"
#include "sm/text.h"
#include "sm/util.h"

#define EXPLAIN_FEATURES 10

struct model_use {
	char *dim;
	char *path;
	struct sm_model *model;
	double min_confidence;
	struct sm_fvec fv;
	double *probs;
};

struct sm_classifier {
	struct sm_config *builtin;	/* when the rules are the built-in pack */
	struct sm_rules *rules;
	struct sm_message msg;
	struct model_use *models;
	size_t nmodels;
	double confidence;	/* of the last record's least sure model */
};

static const char *const model_keys[] = {
	"dimension", "path", "min_confidence", NULL
};

static int
config_models(struct sm_classifier *c, const struct sm_config *cfg,
    const json_t *section, struct sm_error *err)
{
	json_t *list = json_object_get(section, "models"), *m;
	size_t i;
	char where[64];

	if (list == NULL)
		return 0;
	if (!json_is_array(list))
		return sm_config_error(cfg, list, err, "classify.models: "
		    "expected a list, got %s", sm_config_type_name(list));
	json_array_foreach(list, i, m) {
		json_t *dim = json_object_get(m, "dimension");
		json_t *path = json_object_get(m, "path");
		json_t *min = json_object_get(m, "min_confidence");
		char *file;
		int rc;

		snprintf(where, sizeof(where), "classify.models[%zu]", i);
		if (sm_config_check_keys(cfg, m, where, model_keys, err) < 0)
			return -1;
		if (!json_is_string(dim) || json_string_length(dim) == 0)
			return sm_config_error(cfg, dim ? dim : m, err,
			    "%s.dimension: expected a name", where);
		if (!json_is_string(path))
			return sm_config_error(cfg, path ? path : m, err,
			    "%s.path: expected a file name", where);
		if (min && (!json_is_number(min) || json_number_value(min) < 0
		    || json_number_value(min) > 1))
			return sm_config_error(cfg, min, err, "%s.min_confidence:"
			    " expected a number from 0 to 1", where);
		file = sm_config_relpath(cfg, path);
		rc = sm_classifier_add_model(c, json_string_value(dim), file,
		    min ? json_number_value(min) : 0, err);
		if (rc < 0) {
			struct sm_error inner = *err;

			sm_config_error(cfg, path, err, "%s: %s", file,
			    inner.text);
		}
		free(file);
		if (rc < 0)
			return -1;
	}
	return 0;
}

struct sm_classifier *
sm_classifier_new(const struct sm_config *cfg, struct sm_error *err)
{
	struct sm_classifier *c = xcalloc(1, sizeof(*c));
	const json_t *section = cfg ? sm_config_section(cfg, "classify") : NULL;

	if (section == NULL) {
		c->builtin = sm_config_load_string("classify:\n"
		    "  include: builtin:municipal\n", "builtin", err);
		if (c->builtin == NULL) {
			free(c);
			return NULL;
		}
		cfg = c->builtin;
		section = sm_config_section(cfg, "classify");
	}
	c->rules = sm_rules_compile(cfg, section, err);
	if (c->rules == NULL) {
		sm_classifier_free(c);
		return NULL;
	}
	sm_message_init(&c->msg, sm_rules_stemmer(c->rules));
	if (config_models(c, cfg, section, err) < 0) {
		sm_classifier_free(c);
		return NULL;
	}
	return c;
}

int
sm_classifier_add_model(struct sm_classifier *c, const char *dim,
    const char *path, double min_confidence, struct sm_error *err)
{
	static const char *const reserved[] = {
		"lang", "pii", "score", "rules", "model", "explain", NULL
	};
	struct sm_model *m;
	struct model_use *u;

	for (size_t i = 0; reserved[i]; i++)
		if (strcmp(dim, reserved[i]) == 0)
			return sm_error_set(err, NULL, 0, 0, "'%s' is one of "
			    "classify's own fields, not a dimension", dim);
	if ((m = sm_model_load(path, err)) == NULL)
		return -1;
	/* a later model for the same dimension replaces the earlier one, so
	 * that -m on the command line overrides the configuration */
	for (size_t i = 0; i < c->nmodels; i++)
		if (strcmp(c->models[i].dim, dim) == 0) {
			u = &c->models[i];
			sm_model_free(u->model);
			free(u->path);
			free(u->probs);
			goto set;
		}
	c->models = xreallocarray(c->models, c->nmodels + 1,
	    sizeof(*c->models));
	u = &c->models[c->nmodels++];
	memset(u, 0, sizeof(*u));
	u->dim = xstrdup(dim);
set:
	u->path = xstrdup(path);
	u->model = m;
	u->min_confidence = min_confidence;
	u->probs = xcalloc(sm_model_nlabels(m), sizeof(*u->probs));
	return 0;
}

void
sm_classifier_free(struct sm_classifier *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nmodels; i++) {
		free(c->models[i].dim);
		free(c->models[i].path);
		sm_model_free(c->models[i].model);
		sm_fvec_free(&c->models[i].fv);
		free(c->models[i].probs);
	}
	free(c->models);
	sm_rules_free(c->rules);
	sm_config_free(c->builtin);
	sm_message_free(&c->msg);
	free(c);
}

size_t
sm_classifier_nmodels(const struct sm_classifier *c)
{
	return c->nmodels;
}

double
sm_classifier_confidence(const struct sm_classifier *c)
{
	return c->confidence;
}

/* Runs each model and lets it set its dimension where it may. */
static void
run_models(struct sm_classifier *c, json_t *rec, json_t *out, json_t *why)
{
	json_t *opinions;

	c->confidence = 1;
	if (c->nmodels == 0)
		return;
	opinions = json_object();
	for (size_t i = 0; i < c->nmodels; i++) {
		struct model_use *u = &c->models[i];
		size_t best;
		double p;
		int decided = sm_rules_decided(c->rules, u->dim);
		int use;

		u->fv.keep_names = why != NULL;
		sm_featurize(sm_model_features(u->model), &c->msg, rec, &u->fv);
		best = sm_model_predict(u->model, &u->fv, u->probs);
		p = u->probs[best];
		if (p < c->confidence)
			c->confidence = p;
		/* an override rule wins; a sure enough model wins over the
		 * other rules and over the default */
		use = decided < 2 && p >= u->min_confidence;
		if (use || json_object_get(out, u->dim) == NULL)
			json_object_set_new(out, u->dim, use ? json_string(
			    sm_model_label(u->model, best)) : json_null());
		json_object_set_new(opinions, u->dim, json_pack("{s:s,s:f}",
		    "label", sm_model_label(u->model, best), "p",
		    round(p * 1e4) / 1e4));
		if (why) {
			json_t *e = json_object_get(why, u->dim);

			if (e == NULL) {
				e = json_array();
				json_object_set_new(why, u->dim, e);
			}
			json_array_append_new(e, json_pack("{s:s,s:s,s:f,s:b,"
			    "s:o}", "model", u->path, "label",
			    sm_model_label(u->model, best), "p",
			    round(p * 1e4) / 1e4, "used", use, "features",
			    sm_model_explain(u->model, &u->fv, best,
			    EXPLAIN_FEATURES)));
		}
	}
	json_object_set_new(out, "model", opinions);
}

json_t *
sm_classifier_run(struct sm_classifier *c, json_t *rec, int explain,
    struct sm_error *err)
{
	struct sm_message *msg = &c->msg;
	json_t *out, *pii, *fired, *why = NULL, *opinions;
	unsigned found;
	double score;

	sm_message_analyze(msg, rec);
	out = json_object();
	fired = json_array();
	if (explain)
		why = json_object();
	if (sm_rules_apply(c->rules, &msg->text, msg->lang, msg->raw.data,
	    msg->raw.len, rec, out, fired, &score, why, err) < 0) {
		json_decref(out);
		json_decref(fired);
		json_decref(why);
		return NULL;
	}
	run_models(c, rec, out, why);
	/* the models' opinions go after the fixed fields */
	opinions = json_incref(json_object_get(out, "model"));
	json_object_del(out, "model");
	json_object_set_new(out, "lang", json_string(msg->lang));
	pii = json_array();
	found = sm_pii_scan(msg->raw.data, msg->raw.len);
	for (unsigned k = 0; k < SM_PII_NKINDS; k++)
		if (found & 1u << k)
			json_array_append_new(pii, json_string(
			    sm_pii_name(1u << k)));
	json_object_set_new(out, "pii", pii);
	json_object_set_new(out, "score", json_real(score));
	json_object_set_new(out, "rules", fired);
	if (opinions)
		json_object_set_new(out, "model", opinions);
	if (why)
		json_object_set_new(out, "explain", why);
	return out;
}
