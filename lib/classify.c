/* classify.c - what sm-classify adds to a record */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sm/classify.h"
#include "sm/pii.h"
#include "sm/rules.h"
#include "sm/text.h"
#include "sm/util.h"

struct sm_classifier {
	struct sm_config *builtin;	/* when the rules are the built-in pack */
	struct sm_rules *rules;
	struct sm_langid *langid;	/* loaded on first need */
	int langid_failed;
	struct sm_text text;
	struct sm_buf raw;
	char lang[16];
};

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
	return c;
}

void
sm_classifier_free(struct sm_classifier *c)
{
	if (c == NULL)
		return;
	sm_rules_free(c->rules);
	sm_langid_free(c->langid);
	sm_config_free(c->builtin);
	sm_text_free(&c->text);
	sm_buf_free(&c->raw);
	free(c);
}

/* "es-ES", "ES", "pt_BR" become "es", "es", "pt". */
static int
normalize_lang(const char *s, char *out, size_t size)
{
	size_t i;

	for (i = 0; s[i] && s[i] != '-' && s[i] != '_' && i + 1 < size; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[i] = '\0';
	return i > 0;
}

static const char *
message_lang(struct sm_classifier *c, json_t *rec)
{
	json_t *l = json_object_get(rec, "lang");
	char err[256];

	if (json_is_string(l) && normalize_lang(json_string_value(l), c->lang,
	    sizeof(c->lang)))
		return c->lang;
	if (c->langid == NULL && !c->langid_failed) {
		c->langid = sm_langid_new(NULL, err, sizeof(err));
		c->langid_failed = c->langid == NULL;
	}
	if (c->langid == NULL)
		return "und";
	return sm_langid_detect(c->langid, &c->text, c->raw.data, c->raw.len);
}

json_t *
sm_classifier_run(struct sm_classifier *c, json_t *rec, int explain,
    struct sm_error *err)
{
	json_t *text = json_object_get(rec, "text");
	json_t *subject = json_object_get(rec, "subject");
	json_t *out, *pii, *fired, *why = NULL;
	const char *lang;
	unsigned found;
	double score;

	/* an e-mail's subject often says more than its body */
	sm_buf_reset(&c->raw);
	if (json_is_string(subject)) {
		sm_buf_add(&c->raw, json_string_value(subject),
		    json_string_length(subject));
		sm_buf_addc(&c->raw, '\n');
	}
	if (json_is_string(text))
		sm_buf_add(&c->raw, json_string_value(text),
		    json_string_length(text));
	if (c->raw.data == NULL)
		sm_buf_reserve(&c->raw, 0);
	sm_text_analyze(&c->text, c->raw.data, c->raw.len);
	lang = message_lang(c, rec);
	sm_text_stem(&c->text, sm_rules_stemmer(c->rules), lang);

	out = json_object();
	fired = json_array();
	if (explain)
		why = json_object();
	if (sm_rules_apply(c->rules, &c->text, lang, c->raw.data, c->raw.len,
	    rec, out, fired, &score, why, err) < 0) {
		json_decref(out);
		json_decref(fired);
		json_decref(why);
		return NULL;
	}
	json_object_set_new(out, "lang", json_string(lang));
	pii = json_array();
	found = sm_pii_scan(c->raw.data, c->raw.len);
	for (unsigned k = 0; k < SM_PII_NKINDS; k++)
		if (found & 1u << k)
			json_array_append_new(pii, json_string(
			    sm_pii_name(1u << k)));
	json_object_set_new(out, "pii", pii);
	json_object_set_new(out, "score", json_real(score));
	json_object_set_new(out, "rules", fired);
	if (why)
		json_object_set_new(out, "explain", why);
	return out;
}
