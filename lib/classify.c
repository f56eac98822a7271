/* classify.c - what sm-classify adds to a record */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sm/classify.h"
#include "sm/pick.h"
#include "sm/jsonl.h"
#include "sm/message.h"
#include "sm/model.h"
#include "sm/pii.h"
#include "sm/rules.h"
#include "sm/text.h"
#include "sm/util.h"

#define EXPLAIN_FEATURES 10

struct model_use {
	char *dim;
	long rule_dim;		/* the rules' dimension it labels, or -1 */
	char *path;
	struct sm_model *model;
	double min_confidence;
	struct sm_fvec fv;
	double *probs;
	/* per record */
	size_t best;
	double p;		/* best's probability, rounded to 4 places */
	int use;		/* it sets its dimension */
};

/* The languages a town hall hears, for all its accounts or for one. */
struct langs {
	char *account;		/* NULL: every account */
	unsigned mask;		/* bit i for sm_langs[i] */
	const char *first;	/* what a text too short to tell is taken for */
};

struct sm_classifier {
	struct sm_config *builtin;	/* when the rules are the built-in pack */
	struct langs *langs;	/* [0] is classify.languages, or mask 0 */
	size_t nlangs;
	struct sm_rules *rules;
	struct sm_message msg;
	struct model_use *models;
	size_t nmodels;
	/* the last record's outcome */
	double confidence;	/* of its least sure model */
	unsigned pii;
	json_t *why;		/* explain, or NULL */
};

/* A language code, or a non-empty list of them, into l. */
static int
config_lang_list(const struct sm_config *cfg, const json_t *v,
    const char *where, struct langs *l, struct sm_error *err)
{
	size_t n = json_is_array(v) ? json_array_size(v) : 1;

	if (!json_is_array(v) && !json_is_string(v))
		return sm_config_error(cfg, v, err, "%s: expected a language "
		    "code or a list of them, got %s", where,
		    sm_config_type_name(v));
	if (n == 0)
		return sm_config_error(cfg, v, err, "%s: empty list", where);
	for (size_t i = 0; i < n; i++) {
		const json_t *code = json_is_array(v) ? json_array_get(v, i) : v;
		int li = json_is_string(code) ?
		    sm_lang_index(json_string_value(code)) : -1;

		if (li < 0) {
			struct sm_buf known = { 0 };
			int rc;

			for (size_t k = 0; k < SM_NLANGS; k++) {
				if (k)
					sm_buf_adds(&known, ", ");
				sm_buf_adds(&known, sm_langs[k]);
			}
			sm_buf_addc(&known, '\0');
			rc = json_is_string(code) ? sm_config_error(cfg, code,
			    err, "%s: '%s' is not a language sm-classify "
			    "tells apart (%s)", where, json_string_value(code),
			    known.data) : sm_config_error(cfg, code, err,
			    "%s: expected a language code, got %s", where,
			    sm_config_type_name(code));
			sm_buf_free(&known);
			return rc;
		}
		if (l->first == NULL)
			l->first = sm_langs[li];
		l->mask |= 1u << li;
	}
	return 0;
}

static int
config_languages(struct sm_classifier *c, const struct sm_config *cfg,
    const json_t *section, struct sm_error *err)
{
	const json_t *v = json_object_get(section, "languages");
	const json_t *acc = json_object_get(section, "account_languages");
	const char *name;
	json_t *list;
	char where[256];

	c->langs = xcalloc(1 + json_object_size(acc), sizeof(*c->langs));
	c->nlangs = 1;
	if (v && config_lang_list(cfg, v, "classify.languages", &c->langs[0],
	    err) < 0)
		return -1;
	if (acc == NULL)
		return 0;
	if (!json_is_object(acc))
		return sm_config_error(cfg, acc, err, "classify."
		    "account_languages: expected a mapping of account: "
		    "languages, got %s", sm_config_type_name(acc));
	json_object_foreach((json_t *)acc, name, list) {
		struct langs *l = &c->langs[c->nlangs++];

		l->account = xstrdup(name);
		snprintf(where, sizeof(where), "classify.account_languages.%s",
		    name);
		if (config_lang_list(cfg, list, where, l, err) < 0)
			return -1;
	}
	return 0;
}

/* The languages rec's account hears. */
static const struct langs *
record_langs(const struct sm_classifier *c, const json_t *rec)
{
	const char *acc = json_string_value(json_object_get(rec, "account"));

	for (size_t i = 1; acc && i < c->nlangs; i++)
		if (strcmp(c->langs[i].account, acc) == 0)
			return &c->langs[i];
	return &c->langs[0];
}

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
	if (config_languages(c, cfg, section, err) < 0 ||
	    config_models(c, cfg, section, err) < 0) {
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
	u->rule_dim = sm_rules_dim_index(c->rules, dim);
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
	for (size_t i = 0; i < c->nlangs; i++)
		free(c->langs[i].account);
	free(c->langs);
	json_decref(c->why);
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

static void
pick_path(const char *path, void *arg)
{
	sm_pick_add(arg, path);
}

void
sm_classifier_pick(const struct sm_classifier *c, struct sm_pick *p)
{
	/* the message (message.c), the account's languages, the model's
	 * features (features.c), and whether it was classified before */
	static const char *const paths[] = {
		"text", "subject", "lang", "account", "platform", "kind",
		"classify"
	};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		sm_pick_add(p, paths[i]);
	sm_rules_paths(c->rules, pick_path, p);
}

double
sm_classifier_confidence(const struct sm_classifier *c)
{
	return c->confidence;
}

/* Runs each model and lets it set its dimension where it may. */
static void
run_models(struct sm_classifier *c, json_t *rec)
{
	c->confidence = 1;
	for (size_t i = 0; i < c->nmodels; i++) {
		struct model_use *u = &c->models[i];
		int decided = sm_rules_decided(c->rules, u->dim);

		u->fv.keep_names = c->why != NULL;
		sm_featurize(sm_model_features(u->model), &c->msg, rec, &u->fv);
		u->best = sm_model_predict(u->model, &u->fv, u->probs);
		if (u->probs[u->best] < c->confidence)
			c->confidence = u->probs[u->best];
		/* an override rule wins; a sure enough model wins over the
		 * other rules and over the default */
		u->use = decided < 2 && u->probs[u->best] >= u->min_confidence;
		u->p = round(u->probs[u->best] * 1e4) / 1e4;
		if (c->why) {
			json_t *e = json_object_get(c->why, u->dim);

			if (e == NULL) {
				e = json_array();
				json_object_set_new(c->why, u->dim, e);
			}
			json_array_append_new(e, json_pack("{s:s,s:s,s:o,s:b,"
			    "s:o}", "model", u->path, "label",
			    sm_model_label(u->model, u->best), "p",
			    sm_json_real(u->p),
			    "used", u->use, "features",
			    sm_model_explain(u->model, &u->fv, u->best,
			    EXPLAIN_FEATURES)));
		}
	}
}

int
sm_classifier_classify(struct sm_classifier *c, json_t *rec, int explain,
    struct sm_error *err)
{
	struct sm_message *msg = &c->msg;
	const struct langs *l = record_langs(c, rec);
	int rc;

	json_decref(c->why);
	c->why = explain ? json_object() : NULL;
	msg->allowed = l->mask;
	msg->fallback = l->first;
	sm_message_analyze(msg, rec);
	rc = sm_rules_apply(c->rules, &msg->text, msg->lang, msg->raw.data,
	    msg->raw.len, rec, c->why, err);
	run_models(c, rec);
	c->pii = sm_pii_scan(msg->raw.data, msg->raw.len);
	return rc;
}

/*
 * The classify object is written in one order by both functions below:
 * the rules' dimensions (a model's label where it is used), the models'
 * other dimensions (null where not used), lang, pii, score, rules, model
 * and explain.  tests/0200 checks that both write the same bytes.
 */

/* Dimension d's label: a used model's, else the rules'. */
static const char *
rule_dim_label(const struct sm_classifier *c, size_t d)
{
	for (size_t i = 0; i < c->nmodels; i++)
		if (c->models[i].rule_dim == (long)d && c->models[i].use)
			return sm_model_label(c->models[i].model,
			    c->models[i].best);
	return sm_rules_label(c->rules, d);
}

static const char *
model_dim_label(const struct model_use *u)
{
	return u->use ? sm_model_label(u->model, u->best) : NULL;
}

json_t *
sm_classifier_json(const struct sm_classifier *c)
{
	json_t *out = json_object(), *pii = json_array(), *fired = json_array();
	size_t ndims = sm_rules_ndims(c->rules);

	for (size_t d = 0; d < ndims; d++)
		json_object_set_new(out, sm_rules_dim(c->rules, d),
		    sm_json_str_or_null(rule_dim_label(c, d)));
	for (size_t i = 0; i < c->nmodels; i++) {
		const struct model_use *u = &c->models[i];

		if (u->rule_dim < 0)
			json_object_set_new(out, u->dim,
			    sm_json_str_or_null(model_dim_label(u)));
	}
	json_object_set_new(out, "lang", json_string(c->msg.lang));
	for (unsigned k = 0; k < SM_PII_NKINDS; k++)
		if (c->pii & 1u << k)
			json_array_append_new(pii, json_string(
			    sm_pii_name(1u << k)));
	json_object_set_new(out, "pii", pii);
	json_object_set_new(out, "score", sm_json_real(sm_rules_score(c->rules)));
	for (size_t i = 0; i < sm_rules_nfired(c->rules); i++)
		json_array_append_new(fired, json_string(sm_rules_fired(
		    c->rules, i)));
	json_object_set_new(out, "rules", fired);
	if (c->nmodels) {
		json_t *opinions = json_object();

		for (size_t i = 0; i < c->nmodels; i++)
			json_object_set_new(opinions, c->models[i].dim,
			    json_pack("{s:s,s:o}", "label", sm_model_label(
			    c->models[i].model, c->models[i].best), "p",
			    sm_json_real(c->models[i].p)));
		json_object_set_new(out, "model", opinions);
	}
	if (c->why)
		json_object_set_new(out, "explain", json_incref(c->why));
	return out;
}

/* "key": after the opening brace, ,"key": after a value */
static void
add_key(struct sm_buf *b, const char *key)
{
	if (b->data[b->len - 1] != '{')
		sm_buf_addc(b, ',');
	sm_json_append_string(b, key, strlen(key));
	sm_buf_addc(b, ':');
}

static void
add_str_or_null(struct sm_buf *b, const char *s)
{
	if (s)
		sm_json_append_string(b, s, strlen(s));
	else
		sm_buf_add(b, "null", 4);
}

void
sm_classifier_append(const struct sm_classifier *c, struct sm_buf *b)
{
	size_t ndims = sm_rules_ndims(c->rules);
	const char *sep = "";

	sm_buf_addc(b, '{');
	for (size_t d = 0; d < ndims; d++) {
		add_key(b, sm_rules_dim(c->rules, d));
		add_str_or_null(b, rule_dim_label(c, d));
	}
	for (size_t i = 0; i < c->nmodels; i++)
		if (c->models[i].rule_dim < 0) {
			add_key(b, c->models[i].dim);
			add_str_or_null(b, model_dim_label(&c->models[i]));
		}
	add_key(b, "lang");
	add_str_or_null(b, c->msg.lang);
	sm_buf_add(b, ",\"pii\":[", 8);
	for (unsigned k = 0; k < SM_PII_NKINDS; k++)
		if (c->pii & 1u << k) {
			sm_buf_adds(b, sep);
			add_str_or_null(b, sm_pii_name(1u << k));
			sep = ",";
		}
	sm_buf_add(b, "],\"score\":", 10);
	sm_json_append_real(b, sm_rules_score(c->rules));
	sm_buf_add(b, ",\"rules\":[", 10);
	for (size_t i = 0; i < sm_rules_nfired(c->rules); i++) {
		if (i)
			sm_buf_addc(b, ',');
		add_str_or_null(b, sm_rules_fired(c->rules, i));
	}
	sm_buf_addc(b, ']');
	if (c->nmodels) {
		sm_buf_add(b, ",\"model\":{", 10);
		for (size_t i = 0; i < c->nmodels; i++) {
			const struct model_use *u = &c->models[i];

			add_key(b, u->dim);
			sm_buf_add(b, "{\"label\":", 9);
			add_str_or_null(b, sm_model_label(u->model, u->best));
			sm_buf_add(b, ",\"p\":", 5);
			sm_json_append_real(b, u->p);
			sm_buf_addc(b, '}');
		}
		sm_buf_addc(b, '}');
	}
	if (c->why) {
		sm_buf_add(b, ",\"explain\":", 11);
		sm_json_append(b, c->why);
	}
	sm_buf_addc(b, '}');
}

json_t *
sm_classifier_run(struct sm_classifier *c, json_t *rec, int explain,
    struct sm_error *err)
{
	sm_classifier_classify(c, rec, explain, err);
	return sm_classifier_json(c);
}
