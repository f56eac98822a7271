/* reply.c - sm-reply's engine: templates, languages, the platform's rules */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sm/cond.h"
#include "sm/datefmt.h"
#include "sm/jsonl.h"
#include "sm/platform.h"
#include "sm/reply.h"
#include "sm/template.h"
#include "sm/util.h"

#define DEFAULT_LANGS "es, ca, eu, gl, en"

enum { SAME, PUBLIC, PRIVATE };

struct text {
	char lang[8];
	struct sm_template *t;
	struct sm_datefmt df;		/* the formatters' argument */
	struct sm_template_formatter fmts[3];
};

struct tmpl {
	char *name;
	struct sm_cond *cond;
	int skip, autosend, visibility;
	struct text *texts;
	size_t ntexts;
};

struct sm_replier {
	struct sm_config *builtin;	/* the built-in templates, if used */
	struct tmpl *t;
	size_t n;
	char (*langs)[8];
	size_t nlangs;
	const struct sm_time_zone *zone;
};

static const char *const section_keys[] = {
	"languages", "calendar", "templates", NULL
};
static const char *const tmpl_keys[] = {
	"name", "when", "all", "any", "none", "text", "skip", "auto",
	"visibility", NULL
};

/* The fields a record can have (sm-message(7)), for checking templates. */
static const char *const fields[] = {
	"id", "platform", "account", "kind", "created_at", "fetched_at",
	"edited_at", "author", "text", "subject", "lang", "url", "thread",
	"email", "native", "classify", "route", "reply", "location", NULL
};

static int
known_field(const char *name)
{
	size_t n = strcspn(name, ".");
	int i;

	if (strcmp(name, ".") == 0)
		return 1;
	for (i = 0; fields[i]; i++)
		if (strlen(fields[i]) == n && strncmp(fields[i], name, n) == 0)
			return 1;
	return 0;
}

static int
get_bool(const struct sm_config *cfg, const json_t *j, const char *key,
    int *out, const char *where, struct sm_error *err)
{
	const json_t *v = json_object_get(j, key);

	if (v == NULL)
		return 0;
	if (!json_is_boolean(v))
		return sm_config_error(cfg, v, err, "%s.%s: expected true or "
		    "false", where, key);
	*out = json_is_true(v);
	return 0;
}

static int
compile_text(struct sm_replier *r, const struct sm_config *cfg,
    struct text *tx, const char *lang, const json_t *v, const char *where,
    struct sm_error *err)
{
	struct sm_template_options opt = { 0 };
	struct sm_mark mark, *origin = NULL;
	size_t i;

	if (!json_is_string(v) || json_string_length(v) == 0)
		return sm_config_error(cfg, v, err, "%s.text.%s: expected the "
		    "reply's text", where, lang);
	if (strlen(lang) >= sizeof(tx->lang))
		return sm_config_error(cfg, v, err, "%s.text: '%s' is not a "
		    "language code", where, lang);
	snprintf(tx->lang, sizeof(tx->lang), "%s", lang);
	snprintf(tx->df.lang, sizeof(tx->df.lang), "%s", lang);
	tx->df.zone = r->zone;
	opt.escape = SM_TEMPLATE_TEXT;
	opt.nformatters = sm_datefmt_formatters(&tx->df, tx->fmts);
	opt.formatters = tx->fmts;
	if (sm_config_text_mark(cfg, v, &mark) == 0)
		origin = &mark;
	if ((tx->t = sm_template_compile(json_string_value(v), origin, &opt,
	    err)) == NULL)
		return -1;
	for (i = 0; i < sm_template_var_count(tx->t); i++) {
		const struct sm_template_var *var = sm_template_var(tx->t, i);

		if (var->parent == SIZE_MAX && !known_field(var->name))
			return sm_error_set(err, var->where.file,
			    var->where.line, var->where.column, "%s.text.%s: "
			    "no record has a field '%s' (see sm-message(7))",
			    where, lang, var->name);
	}
	return 0;
}

static int
compile_tmpl(struct sm_replier *r, const struct sm_config *cfg,
    const json_t *j, size_t idx, struct sm_error *err)
{
	struct tmpl *t = &r->t[idx];
	const json_t *v, *txt;
	const char *lang, *s;
	char where[300];
	size_t k;

	snprintf(where, sizeof(where), "reply.templates[%zu]", idx);
	if (sm_config_check_keys(cfg, j, where, tmpl_keys, err) < 0)
		return -1;
	v = json_object_get(j, "name");
	if (!json_is_string(v) || json_string_length(v) == 0)
		return sm_config_error(cfg, v ? v : j, err, "%s: a template "
		    "needs a name", where);
	for (k = 0; k < idx; k++)
		if (strcmp(r->t[k].name, json_string_value(v)) == 0)
			return sm_config_error(cfg, v, err, "%s: duplicate "
			    "template name '%s'", where, json_string_value(v));
	t->name = xstrdup(json_string_value(v));
	sm_config_item_where(j, "reply.templates", idx, where, sizeof(where));
	if ((t->cond = sm_cond_compile(cfg, j, where, 1, err)) == NULL ||
	    get_bool(cfg, j, "skip", &t->skip, where, err) < 0 ||
	    get_bool(cfg, j, "auto", &t->autosend, where, err) < 0)
		return -1;
	if ((v = json_object_get(j, "visibility")) != NULL) {
		s = json_string_value(v);
		if (s && strcmp(s, "same") == 0)
			t->visibility = SAME;
		else if (s && strcmp(s, "public") == 0)
			t->visibility = PUBLIC;
		else if (s && strcmp(s, "private") == 0)
			t->visibility = PRIVATE;
		else
			return sm_config_error(cfg, v, err, "%s.visibility: "
			    "expected same, public or private", where);
	}
	txt = json_object_get(j, "text");
	if (t->skip) {
		if (txt)
			return sm_config_error(cfg, txt, err, "%s: skip: true "
			    "says nothing; remove text:", where);
		return 0;
	}
	if (!json_is_object(txt) || json_object_size(txt) == 0)
		return sm_config_error(cfg, txt ? txt : j, err, "%s: needs "
		    "text: (a mapping of languages to texts) or skip: true",
		    where);
	t->texts = xcalloc(json_object_size(txt), sizeof(*t->texts));
	json_object_foreach((json_t *)txt, lang, v) {
		if (compile_text(r, cfg, &t->texts[t->ntexts++], lang, v,
		    where, err) < 0)
			return -1;
	}
	return 0;
}

static int
load_langs(struct sm_replier *r, const struct sm_config *cfg,
    const json_t *v, struct sm_error *err)
{
	json_t *def = NULL, *x;
	size_t i;

	if (v == NULL)
		v = def = json_pack("[sssss]", "es", "ca", "eu", "gl", "en");
	if (!json_is_array(v)) {
		json_decref(def);
		return sm_config_error(cfg, v, err, "reply.languages: expected "
		    "a list of language codes (%s)", DEFAULT_LANGS);
	}
	r->langs = xcalloc(json_array_size(v) + 1, sizeof(*r->langs));
	json_array_foreach(v, i, x) {
		if (!json_is_string(x) || json_string_length(x) == 0 ||
		    json_string_length(x) >= sizeof(r->langs[0])) {
			json_decref(def);
			return sm_config_error(cfg, x, err, "reply.languages[%zu]: "
			    "expected a language code", i);
		}
		snprintf(r->langs[r->nlangs++], sizeof(r->langs[0]), "%s",
		    json_string_value(x));
	}
	json_decref(def);
	return 0;
}

struct sm_replier *
sm_replier_load(const struct sm_config *cfg, const struct sm_calendars *cals,
    struct sm_error *err)
{
	struct sm_replier *r = xcalloc(1, sizeof(*r));
	const json_t *sec = cfg ? sm_config_section(cfg, "reply") : NULL, *v;
	const struct sm_calendar *cal;
	size_t i;

	if (sec == NULL) {
		r->builtin = sm_config_load_string("reply:\n"
		    "  include: builtin:replies\n", "builtin", err);
		if (r->builtin == NULL)
			goto fail;
		cfg = r->builtin;
		sec = sm_config_section(cfg, "reply");
	}
	if (!json_is_object(sec)) {
		sm_config_error(cfg, sec, err, "reply: expected a mapping, got "
		    "%s", sm_config_type_name(sec));
		goto fail;
	}
	if (sm_config_check_keys(cfg, sec, "reply", section_keys, err) < 0 ||
	    load_langs(r, cfg, json_object_get(sec, "languages"), err) < 0)
		goto fail;
	if ((v = json_object_get(sec, "calendar")) != NULL) {
		if (!json_is_string(v) || (cal = sm_calendars_get(cals,
		    json_string_value(v))) == NULL) {
			sm_config_error(cfg, v, err, "reply.calendar: no "
			    "calendar '%s' in calendars:", json_is_string(v) ?
			    json_string_value(v) : "");
			goto fail;
		}
		r->zone = sm_calendar_zone(cal);
	}
	v = json_object_get(sec, "templates");
	if (v && !json_is_array(v)) {
		sm_config_error(cfg, v, err, "reply.templates: expected a list "
		    "of templates, got %s", sm_config_type_name(v));
		goto fail;
	}
	r->t = xcalloc(json_array_size(v) + 1, sizeof(*r->t));
	for (i = 0; i < json_array_size(v); i++) {
		r->n++;
		if (compile_tmpl(r, cfg, json_array_get(v, i), i, err) < 0)
			goto fail;
	}
	return r;
fail:
	sm_replier_free(r);
	return NULL;
}

void
sm_replier_free(struct sm_replier *r)
{
	size_t i, k;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->t[i].name);
		sm_cond_free(r->t[i].cond);
		for (k = 0; k < r->t[i].ntexts; k++)
			sm_template_free(r->t[i].texts[k].t);
		free(r->t[i].texts);
	}
	free(r->t);
	free(r->langs);
	sm_config_free(r->builtin);
	free(r);
}

static const struct text *
pick_text(const struct sm_replier *r, const struct tmpl *t, const char *lang)
{
	size_t i, k;

	for (k = 0; lang && k < t->ntexts; k++)
		if (strcmp(t->texts[k].lang, lang) == 0)
			return &t->texts[k];
	for (i = 0; i < r->nlangs; i++)
		for (k = 0; k < t->ntexts; k++)
			if (strcmp(t->texts[k].lang, r->langs[i]) == 0)
				return &t->texts[k];
	return &t->texts[0];
}

/* Code points, where the platform has no rule of its own. */
static size_t
code_points(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

int
sm_replier_draft(struct sm_replier *r, json_t *rec, struct sm_draft *d,
    struct sm_error *err)
{
	const struct sm_platform *p;
	const struct text *tx;
	const struct tmpl *t = NULL;
	const char *lang, *kind, *platform, *handle;
	size_t i;

	d->template = NULL;
	d->skip = d->autosend = 0;
	d->lang = d->visibility = NULL;
	d->length = d->max_length = 0;
	sm_buf_reset(&d->text);
	for (i = 0; i < r->n && t == NULL; i++)
		if (sm_cond_holds(r->t[i].cond, rec))
			t = &r->t[i];
	if (t == NULL)
		return 0;
	d->template = t->name;
	d->skip = t->skip;
	d->autosend = t->autosend;
	if (t->skip)
		return 0;
	lang = json_string_value(sm_record_get(rec, "classify.lang"));
	if (lang == NULL || strcmp(lang, "und") == 0)
		lang = json_string_value(json_object_get(rec, "lang"));
	tx = pick_text(r, t, lang);
	d->lang = tx->lang;
	kind = json_string_value(json_object_get(rec, "kind"));
	d->visibility = t->visibility == PUBLIC ? "public" :
	    t->visibility == PRIVATE || (kind && (strcmp(kind, "direct") == 0 ||
	    strcmp(kind, "email") == 0)) ? "private" : "public";
	platform = json_string_value(json_object_get(rec, "platform"));
	p = platform ? sm_platform_find(platform) : NULL;
	/* Mastodon shows a reply to whom it names: @user@domain, first */
	handle = json_string_value(sm_record_get(rec, "author.handle"));
	if (p && strcmp(p->name, "mastodon") == 0 && handle && *handle) {
		if (*handle != '@')
			sm_buf_addc(&d->text, '@');
		sm_buf_adds(&d->text, handle);
		sm_buf_addc(&d->text, ' ');
	}
	if (sm_template_render(tx->t, rec, &d->text, err) < 0)
		return -1;
	sm_buf_addc(&d->text, '\0');
	d->text.len--;
	d->length = p && p->length ? p->length(d->text.data) :
	    code_points(d->text.data);
	d->max_length = p ? p->max_length : 0;
	return 0;
}
