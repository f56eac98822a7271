/* deliver.c - a routed record delivered by e-mail, webhook or Open311,
 * once, with an outbox for what failed */
#include <sys/types.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "sm/deliver.h"
#include "sm/fetch.h"
#include "sm/http.h"
#include "sm/mail.h"
#include "sm/util.h"

/* GeoReport v2 takes up to 4,000 characters of description. */
#define OPEN311_DESCRIPTION_MAX 4000

enum kind { EMAIL, WEBHOOK, OPEN311 };

static const char *const kind_names[] = { "email", "webhook", "open311" };

struct dest {
	char *name;
	char *owner;		/* "queue/name" */
	enum kind kind;
	char *from;		/* email: From:, as written */
	char **to;		/* email: NULL-terminated */
	char *url;		/* webhook: a secret; open311: the base */
	char *api_key;		/* open311: a secret, or NULL */
	char *jurisdiction;	/* open311, or NULL */
	char *service_code;	/* open311: the default */
	json_t *service_codes;	/* open311: topic to code, or NULL */
	int contact;		/* open311: the citizen's name passed */
	struct sm_template *subject, *body, *address;
	char *ca_file;
	struct sm_http_opts http;
};

struct queue {
	char *name;
	struct dest *dests;
	size_t n;
};

struct sm_deliver {
	struct sm_state *st;
	struct queue *queues;
	size_t nqueues;
	struct sm_mail_server smtp;
	int have_smtp;
	struct sm_http *http;
	struct sm_deliver_options opt;
	char host[256];
	struct sm_buf buf;
	char *default_body;	/* in route.lang */
};

/* The defaults: what a department needs to act on the message. */
static const char default_subject[] =
    "[{{route.case}}] {{route.department}}"
    "{{#classify.topic}}: {{classify.topic}}{{/classify.topic}}";

/*
 * The default body, in route.lang, the administration's language: the
 * words of its lines, and how the author's line names the platform.
 */
struct body_words {
	const char *lang, *case_no, *answer_by, *from, *on, *date, *link,
	    *classification, *urgency, *sentiment, *priority, *message;
};

static const struct body_words body_words[] = {
	{ "en", "case", "Answer by", "From", ", on ", "Date", "Link",
	  "Classification", "urgency", "sentiment", "Priority", "Message" },
	{ "es", "caso", "Responder antes de", "De", ", en ", "Fecha",
	  "Enlace", "Clasificación", "urgencia", "sentimiento", "Prioridad",
	  "Mensaje" },
	{ "ca", "cas", "Cal respondre abans de", "De", ", a ", "Data",
	  "Enllaç", "Classificació", "urgència", "sentiment", "Prioritat",
	  "Missatge" },
	{ "gl", "caso", "Responder antes do", "De", ", en ", "Data",
	  "Ligazón", "Clasificación", "urxencia", "sentimento", "Prioridade",
	  "Mensaxe" },
	{ "eu", "kasua", "Erantzuteko epea", "Igorlea", ", ", "Data",
	  "Esteka", "Sailkapena", "larritasuna", "sentimendua", "Lehentasuna",
	  "Mezua" },
};

/* Times as dates in the calendar's zone when sm-route gives the
 * formatters for them, else as they are in the record. */
static char *
default_body(const char *lang, int dates)
{
	const struct body_words *w = &body_words[0];
	const char *at = dates ? ".datetime" : "";
	struct sm_buf b = { 0 };
	char line[256];

	for (size_t i = 0; lang && i < sizeof(body_words) /
	    sizeof(body_words[0]); i++)
		if (strcmp(body_words[i].lang, lang) == 0)
			w = &body_words[i];
	snprintf(line, sizeof(line), "{{route.department}}, %s "
	    "{{route.case}}\n{{#route.due_at}}%s {{route.due_at%s}}\n"
	    "{{/route.due_at}}\n\n{{text}}\n\n", w->case_no, w->answer_by,
	    at);
	sm_buf_adds(&b, line);
	snprintf(line, sizeof(line), "%s: {{author.name}}{{#author.handle}} "
	    "({{author.handle}}){{/author.handle}}%s{{platform}}\n"
	    "%s: {{created_at%s}}\n{{#url}}%s: {{url}}\n{{/url}}", w->from,
	    w->on, w->date, at, w->link);
	sm_buf_adds(&b, line);
	snprintf(line, sizeof(line), "{{#classify}}%s: {{category}}"
	    "{{#topic}}, {{topic}}{{/topic}}"
	    "{{#urgency}}, %s {{urgency}}{{/urgency}}"
	    "{{#sentiment}}, %s {{sentiment}}{{/sentiment}}\n"
	    "{{/classify}}", w->classification, w->urgency, w->sentiment);
	sm_buf_adds(&b, line);
	snprintf(line, sizeof(line), "{{#route.priority}}%s: "
	    "{{route.priority}}\n{{/route.priority}}%s: {{id}}\n",
	    w->priority, w->message);
	sm_buf_adds(&b, line);
	return b.data;
}

static const char default_description[] = "[{{route.case}}] {{text}}";

static const char *const email_keys[] = {
	"name", "to", "from", "subject", "body", NULL
};
static const char *const webhook_keys[] = {
	"name", "url", "url_env", "url_file", "body", "ca_file", "timeout",
	"connect_timeout", "retries", "backoff", "max_wait", NULL
};
static const char *const open311_keys[] = {
	"name", "url", "api_key_env", "api_key_file", "jurisdiction_id",
	"service_code", "service_codes", "contact", "description", "address",
	"ca_file", "timeout", "connect_timeout", "retries", "backoff",
	"max_wait", NULL
};

static void
report(struct sm_deliver *d, const struct dest *t, int code, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static void
report(struct sm_deliver *d, const struct dest *t, int code, const char *fmt,
    ...)
{
	char buf[2048];
	va_list ap;

	if (d->opt.report == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	d->opt.report(d->opt.report_arg, t ? t->owner : "deliver", code, buf);
}

/* Configuration */

static struct sm_template *
compile(const struct sm_config *cfg, const struct sm_deliver *d,
    const json_t *node, const char *where, const char *def,
    enum sm_template_escape escape, struct sm_error *err)
{
	struct sm_template_options o = {
		.escape = escape,
		.partial = d->opt.partial,
		.partial_arg = d->opt.partial_arg,
		.formatters = d->opt.formatters,
		.nformatters = d->opt.nformatters,
	};
	struct sm_mark m, *origin = NULL;
	struct sm_error e;
	struct sm_template *t;

	if (node == NULL) {
		if (def == NULL)
			return NULL;
		if ((t = sm_template_compile(def, NULL, &o, &e)) == NULL)
			sm_error_set(err, NULL, 0, 0, "%s: the default "
			    "template: %s", where, e.text);
		return t;
	}
	if (!json_is_string(node)) {
		sm_config_error(cfg, node, err, "%s: expected a template (a "
		    "string), got %s", where, sm_config_type_name(node));
		return NULL;
	}
	if (sm_config_text_mark(cfg, node, &m) == 0)
		origin = &m;
	if ((t = sm_template_compile(json_string_value(node), origin, &o,
	    &e)) == NULL) {
		if (e.file[0])
			sm_error_set(err, e.file, e.line, e.column, "%s: %s",
			    where, e.text);
		else
			sm_config_error(cfg, node, err, "%s: %s", where,
			    e.text);
	}
	return t;
}

/*
 * A secret given as KEY_env or KEY_file (url_env, api_key_file): read as
 * sm_account_secret reads token_env and token_file.  NULL with *missing
 * set when neither is there.
 */
static char *
secret(const struct sm_config *cfg, const json_t *c, const char *key,
    const char *where, int *missing, struct sm_error *err)
{
	char kenv[64], kfile[64];
	json_t *env, *file, *ref;
	char *s;

	snprintf(kenv, sizeof(kenv), "%s_env", key);
	snprintf(kfile, sizeof(kfile), "%s_file", key);
	env = json_object_get(c, kenv);
	file = json_object_get(c, kfile);
	*missing = env == NULL && file == NULL;
	if (*missing)
		return NULL;
	if (env && file) {
		sm_config_error(cfg, c, err, "%s: give %s or %s, not both",
		    where, kenv, kfile);
		return NULL;
	}
	if (env && (!json_is_string(env) || json_string_length(env) == 0)) {
		sm_config_error(cfg, env, err, "%s.%s: expected a variable "
		    "name", where, kenv);
		return NULL;
	}
	if (file && (!json_is_string(file) || json_string_length(file) == 0)) {
		sm_config_error(cfg, file, err, "%s.%s: expected a file name",
		    where, kfile);
		return NULL;
	}
	ref = json_object();
	/* the same nodes, so that messages keep their places */
	json_object_set(ref, env ? "token_env" : "token_file", env ? env :
	    file);
	s = sm_account_secret(cfg, ref, where, err);
	json_decref(ref);
	return s;
}

/* url:, or the secret url_env: / url_file:; checked. */
static int
load_url(const struct sm_config *cfg, const json_t *c, const char *where,
    int is_secret, struct dest *t, struct sm_error *err)
{
	static const char *const web[] = { "https", "http", NULL };
	const char *url;
	char w[320];
	int missing = 1;
	struct sm_url_rule r = { NULL, w, web, "http", NULL, 0 };

	if (sm_config_get_string(cfg, c, "url", where, &url, err) < 0)
		return -1;
	if (is_secret && (t->url = secret(cfg, c, "url", where, &missing,
	    err)) == NULL && !missing)
		return -1;
	if (url && t->url) {
		sm_wipe(t->url);
		t->url = NULL;
		return sm_config_error(cfg, c, err, "%s: give url or url_env "
		    "or url_file, only one", where);
	}
	if (url == NULL && t->url == NULL)
		return sm_config_error(cfg, c, err, "%s: no url:%s", where,
		    is_secret ? " (or url_env: or url_file:)" : "");
	if (t->url == NULL)
		t->url = xstrdup(url);
	snprintf(w, sizeof(w), "%s.%s", where, url ? "url" :
	    json_object_get(c, "url_env") ? "url_env" : "url_file");
	r.node = url ? json_object_get(c, "url") :
	    json_object_get(c, "url_env") ? json_object_get(c, "url_env") :
	    json_object_get(c, "url_file");
	r.what = t->kind == OPEN311 ? "the API key" : "the messages";
	r.secret = url == NULL;
	return sm_account_check_url(cfg, &r, t->url, NULL, err);
}

static int
load_http(const struct sm_config *cfg, const json_t *c, const char *where,
    struct dest *t, struct sm_error *err)
{
	const char *ca;

	sm_http_opts_init(&t->http);
	if (sm_config_get_string(cfg, c, "ca_file", where, &ca, err) < 0 ||
	    sm_account_http_opts(cfg, c, where, &t->http, err) < 0)
		return -1;
	t->http.max_body = 1024 * 1024;
	if (ca)
		t->http.ca_file = t->ca_file = sm_config_relpath(cfg,
		    json_object_get(c, "ca_file"));
	return 0;
}

static int
load_email(const struct sm_config *cfg, struct sm_deliver *d, const json_t *c,
    const char *where, struct dest *t, struct sm_error *err)
{
	json_t *to = json_object_get(c, "to"), *v;
	const char *from;
	size_t i, n;

	if (sm_config_get_string(cfg, c, "from", where, &from, err) < 0)
		return -1;
	if (from && sm_mail_address(from, NULL, err) < 0)
		return sm_config_error(cfg, json_object_get(c, "from"), err,
		    "%s.from: %s", where, err->text);
	if (!d->have_smtp)
		return sm_config_error(cfg, c, err, "%s: e-mail needs "
		    "route.smtp (its url: and from:)", where);
	if (from == NULL && (from = d->smtp.from) == NULL)
		return sm_config_error(cfg, c, err, "%s: no from: here or in "
		    "route.smtp", where);
	t->from = xstrdup(from);
	if (to == NULL)
		return sm_config_error(cfg, c, err, "%s: no to:", where);
	n = json_is_array(to) ? json_array_size(to) : 1;
	if (n == 0)
		return sm_config_error(cfg, to, err, "%s.to: an empty list",
		    where);
	t->to = xcalloc(n + 1, sizeof(*t->to));
	for (i = 0; i < n; i++) {
		v = json_is_array(to) ? json_array_get(to, i) : to;
		if (!json_is_string(v))
			return sm_config_error(cfg, v, err, "%s.to: expected "
			    "an address or a list of them, got %s", where,
			    sm_config_type_name(v));
		if (sm_mail_address(json_string_value(v), NULL, err) < 0)
			return sm_config_error(cfg, v, err, "%s.to: %s", where,
			    err->text);
		t->to[i] = xstrdup(json_string_value(v));
	}
	if ((t->subject = compile(cfg, d, json_object_get(c, "subject"),
	    where, default_subject, SM_TEMPLATE_TEXT, err)) == NULL ||
	    (t->body = compile(cfg, d, json_object_get(c, "body"), where,
	    d->default_body, SM_TEMPLATE_TEXT, err)) == NULL)
		return -1;
	return 0;
}

static int
load_webhook(const struct sm_config *cfg, struct sm_deliver *d,
    const json_t *c, const char *where, struct dest *t, struct sm_error *err)
{
	json_t *body = json_object_get(c, "body");

	if (load_url(cfg, c, where, 1, t, err) < 0 ||
	    load_http(cfg, c, where, t, err) < 0)
		return -1;
	/* no body: the record itself */
	if (body && (t->body = compile(cfg, d, body, where, NULL,
	    SM_TEMPLATE_JSON, err)) == NULL)
		return -1;
	return 0;
}

static int
load_open311(const struct sm_config *cfg, struct sm_deliver *d,
    const json_t *c, const char *where, struct dest *t, struct sm_error *err)
{
	json_t *codes = json_object_get(c, "service_codes"), *v;
	json_t *contact = json_object_get(c, "contact");
	const char *s, *topic;
	int missing;

	if (load_url(cfg, c, where, 0, t, err) < 0 ||
	    load_http(cfg, c, where, t, err) < 0)
		return -1;
	while (strlen(t->url) > 8 && t->url[strlen(t->url) - 1] == '/')
		t->url[strlen(t->url) - 1] = '\0';
	if ((t->api_key = secret(cfg, c, "api_key", where, &missing,
	    err)) == NULL && !missing)
		return -1;
	if (sm_config_get_string(cfg, c, "jurisdiction_id", where, &s,
	    err) < 0)
		return -1;
	t->jurisdiction = s ? xstrdup(s) : NULL;
	if (sm_config_get_string(cfg, c, "service_code", where, &s, err) < 0)
		return -1;
	if (s == NULL)
		return sm_config_error(cfg, c, err, "%s: no service_code: (the "
		    "one for topics that service_codes does not name)", where);
	t->service_code = xstrdup(s);
	if (codes) {
		if (!json_is_object(codes))
			return sm_config_error(cfg, codes, err, "%s."
			    "service_codes: expected a mapping of topics to "
			    "service codes, got %s", where,
			    sm_config_type_name(codes));
		json_object_foreach(codes, topic, v)
			if (!json_is_string(v) || json_string_length(v) == 0)
				return sm_config_error(cfg, v, err, "%s."
				    "service_codes.%s: expected a service code "
				    "(a string)", where, topic);
		t->service_codes = json_incref(codes);
	}
	if (contact && !json_is_boolean(contact))
		return sm_config_error(cfg, contact, err, "%s.contact: "
		    "expected true or false, got %s", where,
		    sm_config_type_name(contact));
	t->contact = json_is_true(contact);
	if ((t->body = compile(cfg, d, json_object_get(c, "description"),
	    where, default_description, SM_TEMPLATE_TEXT, err)) == NULL)
		return -1;
	if (json_object_get(c, "address") && (t->address = compile(cfg, d,
	    json_object_get(c, "address"), where, NULL, SM_TEMPLATE_TEXT,
	    err)) == NULL)
		return -1;
	return 0;
}

static int
load_dest(const struct sm_config *cfg, struct sm_deliver *d, struct queue *q,
    size_t i, const json_t *item, struct sm_error *err)
{
	static const char *const *const keys[] = { email_keys, webhook_keys,
	    open311_keys };
	struct dest *t = &q->dests[i];
	const char *kind, *name;
	json_t *c;
	char where[512];
	size_t k;

	snprintf(where, sizeof(where), "route.queues.%s.deliver[%zu]",
	    q->name, i);
	if (!json_is_object(item) || json_object_size(item) != 1)
		return sm_config_error(cfg, item, err, "%s: expected a mapping "
		    "of one kind (email, webhook or open311) to its settings",
		    where);
	kind = json_object_iter_key(json_object_iter((json_t *)item));
	c = json_object_get(item, kind);
	for (k = 0; k < 3; k++)
		if (strcmp(kind, kind_names[k]) == 0)
			break;
	if (k == 3)
		return sm_config_error(cfg, c, err, "%s: unknown kind '%s' "
		    "(email, webhook or open311)", where, kind);
	t->kind = (enum kind)k;
	snprintf(where + strlen(where), sizeof(where) - strlen(where), ".%s",
	    kind);
	if (sm_config_check_keys(cfg, c, where, keys[k], err) < 0 ||
	    sm_config_get_string(cfg, c, "name", where, &name, err) < 0)
		return -1;
	t->name = xstrdup(name ? name : kind);
	if (strchr(t->name, '/'))
		return sm_config_error(cfg, json_object_get(c, "name"), err,
		    "%s.name: '%s' holds a '/'", where, t->name);
	for (k = 0; k < i; k++)
		if (strcmp(q->dests[k].name, t->name) == 0)
			return sm_config_error(cfg, name ? json_object_get(c,
			    "name") : c, err, "%s: a second destination called "
			    "'%s' in queue %s (give it a name:)", where,
			    t->name, q->name);
	t->owner = xmalloc(strlen(q->name) + strlen(t->name) + 2);
	sprintf(t->owner, "%s/%s", q->name, t->name);
	switch (t->kind) {
	case EMAIL:
		return load_email(cfg, d, c, where, t, err);
	case WEBHOOK:
		return load_webhook(cfg, d, c, where, t, err);
	default:
		return load_open311(cfg, d, c, where, t, err);
	}
}

static int
load_queues(const struct sm_config *cfg, struct sm_deliver *d,
    const json_t *queues, struct sm_error *err)
{
	const char *name;
	json_t *q, *list;
	size_t i;

	if (queues == NULL)
		return 0;
	if (!json_is_object(queues))
		return sm_config_error(cfg, queues, err, "route.queues: "
		    "expected a mapping of queue names, got %s",
		    sm_config_type_name(queues));
	d->queues = xcalloc(json_object_size(queues) + 1, sizeof(*d->queues));
	json_object_foreach((json_t *)queues, name, q) {
		if ((list = json_object_get(q, "deliver")) == NULL)
			continue;
		if (!json_is_array(list))
			return sm_config_error(cfg, list, err,
			    "route.queues.%s.deliver: expected a list of "
			    "destinations, got %s",
			    name, sm_config_type_name(list));
		if (strchr(name, '/'))
			return sm_config_error(cfg, q, err, "route.queues.%s: "
			    "a queue with deliveries cannot hold a '/'", name);
		struct queue *qu = &d->queues[d->nqueues++];

		qu->name = xstrdup(name);
		qu->dests = xcalloc(json_array_size(list) + 1,
		    sizeof(*qu->dests));
		for (i = 0; i < json_array_size(list); i++) {
			qu->n = i + 1;
			if (load_dest(cfg, d, qu, i, json_array_get(list, i),
			    err) < 0)
				return -1;
		}
	}
	return 0;
}

struct sm_deliver *
sm_deliver_new(const struct sm_config *cfg, const json_t *route,
    struct sm_state *st, const struct sm_deliver_options *opt,
    struct sm_error *err)
{
	struct sm_deliver *d = xcalloc(1, sizeof(*d));
	json_t *smtp = json_object_get(route, "smtp");

	d->st = st;
	if (opt)
		d->opt = *opt;
	if (gethostname(d->host, sizeof(d->host) - 1) < 0)
		strcpy(d->host, "localhost");
	d->default_body = default_body(json_string_value(json_object_get(route,
	    "lang")), d->opt.nformatters > 0);
	if (route && !json_is_object(route)) {
		sm_config_error(cfg, route, err, "route: expected a mapping, "
		    "got %s", sm_config_type_name(route));
		goto fail;
	}
	if (smtp) {
		d->have_smtp = 1;
		if (sm_mail_server_load(cfg, smtp, "route.smtp", &d->smtp,
		    err) < 0)
			goto fail;
	}
	if (load_queues(cfg, d, json_object_get(route, "queues"), err) < 0)
		goto fail;
	return d;
fail:
	sm_deliver_free(d);
	return NULL;
}

static void
dest_free(struct dest *t)
{
	size_t i;

	free(t->name);
	free(t->owner);
	free(t->from);
	for (i = 0; t->to && t->to[i]; i++)
		free(t->to[i]);
	free(t->to);
	sm_wipe(t->url);
	sm_wipe(t->api_key);
	free(t->jurisdiction);
	free(t->service_code);
	json_decref(t->service_codes);
	sm_template_free(t->subject);
	sm_template_free(t->body);
	sm_template_free(t->address);
	free(t->ca_file);
}

void
sm_deliver_free(struct sm_deliver *d)
{
	size_t i, j;

	if (d == NULL)
		return;
	for (i = 0; i < d->nqueues; i++) {
		for (j = 0; j < d->queues[i].n; j++)
			dest_free(&d->queues[i].dests[j]);
		free(d->queues[i].dests);
		free(d->queues[i].name);
	}
	free(d->queues);
	sm_mail_server_free(&d->smtp);
	sm_http_free(d->http);
	sm_buf_free(&d->buf);
	free(d->default_body);
	free(d);
}

static struct queue *
find_queue(const struct sm_deliver *d, const char *name)
{
	size_t i;

	for (i = 0; name && i < d->nqueues; i++)
		if (strcmp(d->queues[i].name, name) == 0)
			return &d->queues[i];
	return NULL;
}

static struct dest *
find_dest(const struct sm_deliver *d, const char *owner)
{
	size_t i, j;

	for (i = 0; i < d->nqueues; i++)
		for (j = 0; j < d->queues[i].n; j++)
			if (strcmp(d->queues[i].dests[j].owner, owner) == 0)
				return &d->queues[i].dests[j];
	return NULL;
}

size_t
sm_deliver_count(const struct sm_deliver *d, const char *queue)
{
	struct queue *q = find_queue(d, queue);

	return q ? q->n : 0;
}

/* Rendering: the payload kept in the outbox */

static int
render(struct sm_deliver *d, const struct sm_template *t, const json_t *rec,
    char **out, struct sm_error *err)
{
	sm_buf_reset(&d->buf);
	sm_buf_adds(&d->buf, "");
	if (sm_template_render(t, rec, &d->buf, err) < 0)
		return -1;
	*out = xstrdup(d->buf.data);
	return 0;
}

/* A Message-ID made of the record and the destination: the same for
 * every copy, so a copy is known as one. */
static char *
message_id(const struct dest *t, const char *id)
{
	static const char hex[] = "0123456789ABCDEF";
	struct sm_buf b = { 0 };
	const char *p;
	char *spec;

	sm_buf_adds(&b, "<sm.");
	for (p = id; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_')
			sm_buf_addc(&b, (char)c);
		else {
			sm_buf_addc(&b, '=');
			sm_buf_addc(&b, hex[c >> 4]);
			sm_buf_addc(&b, hex[c & 15]);
		}
	}
	sm_buf_addc(&b, '.');
	for (p = t->owner; *p; p++)
		sm_buf_addc(&b, *p == '/' ? '.' : *p);
	if (sm_mail_address(t->from, &spec, NULL) == 0) {
		sm_buf_adds(&b, strchr(spec, '@'));
		free(spec);
	}
	sm_buf_addc(&b, '>');
	return b.data;
}

static json_t *
payload_email(struct sm_deliver *d, const struct dest *t, const json_t *rec,
    const char *id, struct sm_error *err)
{
	char *subject = NULL, *body = NULL, *mid;
	struct sm_mail_msg m = { 0 };
	struct sm_buf msg = { 0 };
	json_t *p = NULL, *to;
	size_t i;

	if (render(d, t->subject, rec, &subject, err) < 0 ||
	    render(d, t->body, rec, &body, err) < 0)
		goto done;
	mid = message_id(t, id);
	m.from = t->from;
	m.to = (const char *const *)t->to;
	m.subject = subject;
	m.message_id = mid;
	m.auto_submitted = "auto-generated";
	m.body = body;
	if (sm_mail_compose(&m, &msg, err) == 0) {
		to = json_array();
		for (i = 0; t->to[i]; i++)
			json_array_append_new(to, json_string(t->to[i]));
		p = json_pack("{s:s, s:s, s:o}", "from", t->from, "message",
		    msg.data, "to", to);
	}
	free(mid);
	sm_buf_free(&msg);
done:
	free(subject);
	free(body);
	return p;
}

static json_t *
payload_webhook(struct sm_deliver *d, const struct dest *t,
    const json_t *rec, struct sm_error *err)
{
	char *body;
	json_t *p;

	if (t->body == NULL)
		body = json_dumps(rec, JSON_COMPACT);
	else if (render(d, t->body, rec, &body, err) < 0)
		return NULL;
	p = json_pack("{s:s}", "body", body);
	free(body);
	return p;
}

/* The first n characters of s at most (UTF-8), in place. */
static void
truncate_chars(char *s, size_t n)
{
	size_t i = 0, len, k = 0, left = strlen(s);

	while (i < left && k < n) {
		if ((len = sm_utf8_len(s + i, left - i)) == 0)
			len = 1;
		i += len;
		k++;
	}
	s[i] = '\0';
}

static json_t *
payload_open311(struct sm_deliver *d, const struct dest *t,
    const json_t *rec, struct sm_error *err)
{
	const char *topic = json_string_value(json_object_get(json_object_get(
	    rec, "classify"), "topic"));
	const char *code = t->service_code, *s;
	const json_t *author = json_object_get(rec, "author");
	char *desc = NULL, *addr = NULL;
	json_t *form;

	if (topic && t->service_codes &&
	    (s = json_string_value(json_object_get(t->service_codes, topic))))
		code = s;
	if (render(d, t->body, rec, &desc, err) < 0 ||
	    (t->address && render(d, t->address, rec, &addr, err) < 0)) {
		free(desc);
		return NULL;
	}
	truncate_chars(desc, OPEN311_DESCRIPTION_MAX);
	form = json_pack("{s:s, s:s}", "service_code", code, "description",
	    desc);
	if (t->jurisdiction)
		json_object_set_new(form, "jurisdiction_id",
		    json_string(t->jurisdiction));
	if (addr && *addr)
		json_object_set_new(form, "address_string", json_string(addr));
	if (t->contact) {
		if ((s = json_string_value(json_object_get(author, "name"))) &&
		    *s)
			json_object_set_new(form, "first_name", json_string(s));
		s = json_string_value(json_object_get(author, "handle"));
		if (s && json_is_string(json_object_get(rec, "platform")) &&
		    strcmp(json_string_value(json_object_get(rec, "platform")),
		    "email") == 0 && sm_mail_address(s, NULL, NULL) == 0)
			json_object_set_new(form, "email", json_string(s));
	}
	free(desc);
	free(addr);
	return json_pack("{s:o}", "form", form);
}

static json_t *
payload(struct sm_deliver *d, const struct dest *t, const json_t *rec,
    const char *id, struct sm_error *err)
{
	switch (t->kind) {
	case EMAIL:
		return payload_email(d, t, rec, id, err);
	case WEBHOOK:
		return payload_webhook(d, t, rec, err);
	default:
		return payload_open311(d, t, rec, err);
	}
}

/* Sending */

struct answer {
	enum sm_http_result result;
	long status;
	struct sm_buf body;
	char error[256];
};

static void
on_answer(struct sm_http_response *r, void *arg)
{
	struct answer *a = arg;

	a->result = r->result;
	a->status = r->status;
	a->body = r->body;
	memset(&r->body, 0, sizeof(r->body));
	memcpy(a->error, r->error, sizeof(a->error));
}

/* POSTs body and waits for the answer; *code set when it is no 2xx. */
static int
post(struct sm_deliver *d, struct dest *t, const char *url,
    const char *const *hdrs, const char *body, struct answer *a, int *code,
    struct sm_error *err)
{
	memset(a, 0, sizeof(*a));
	if (d->http == NULL)
		d->http = sm_http_new();
	sm_http_post(d->http, &t->http, url, hdrs, body, strlen(body),
	    on_answer, a);
	if (sm_http_run(d->http, err) < 0) {
		*code = EX_SOFTWARE;
		return -1;
	}
	if (a->result == SM_HTTP_LATER) {
		*code = EX_TEMPFAIL;
		return sm_error_set(err, NULL, 0, 0, "%s", a->error);
	}
	if (a->result == SM_HTTP_FAILED) {
		*code = EX_UNAVAILABLE;
		return sm_error_set(err, NULL, 0, 0, "%s", a->error);
	}
	if (a->status / 100 == 2)
		return 0;
	*code = a->status == 401 || a->status == 403 ? EX_NOPERM :
	    a->status == 408 ? EX_TEMPFAIL : EX_UNAVAILABLE;
	return -1;
}

static int
send_webhook(struct sm_deliver *d, struct dest *t, const char *key,
    const json_t *p, int *code, struct sm_error *err)
{
	struct sm_buf idem = { 0 };
	const char *hdrs[] = { "Content-Type: application/json", NULL, NULL };
	struct answer a;
	int rc;

	sm_buf_adds(&idem, "Idempotency-Key: ");
	sm_buf_adds(&idem, key);
	hdrs[1] = idem.data;
	rc = post(d, t, t->url, hdrs, json_string_value(json_object_get(p,
	    "body")), &a, code, err);
	if (rc < 0 && a.result == SM_HTTP_OK)
		sm_error_set(err, NULL, 0, 0, "HTTP %ld", a.status);
	sm_buf_free(&a.body);
	sm_buf_free(&idem);
	return rc;
}

/* GeoReport v2 errors: [{"code": 403, "description": "..."}] */
static void
open311_error(const struct answer *a, struct sm_error *err)
{
	json_t *j = json_loadb(a->body.data ? a->body.data : "", a->body.len,
	    0, NULL);
	json_t *e = json_is_array(j) ? json_array_get(j, 0) : j;
	const char *desc = json_string_value(json_object_get(e,
	    "description"));

	if (desc)
		sm_error_set(err, NULL, 0, 0, "HTTP %ld: %.200s", a->status,
		    desc);
	else
		sm_error_set(err, NULL, 0, 0, "HTTP %ld", a->status);
	json_decref(j);
}

static int
send_open311(struct sm_deliver *d, struct dest *t, const json_t *p,
    json_t **sid, int *code, struct sm_error *err)
{
	const char *hdrs[] = {
		"Content-Type: application/x-www-form-urlencoded",
		"Accept: application/json", NULL
	};
	json_t *form = json_object_get(p, "form"), *v, *j, *first;
	struct sm_buf body = { 0 }, url = { 0 };
	const char *k;
	struct answer a;
	int rc;

	sm_buf_adds(&body, "");
	if (t->api_key) {
		sm_buf_adds(&body, "api_key=");
		sm_http_add_escaped(&body, t->api_key);
	}
	json_object_foreach(form, k, v) {
		if (body.len)
			sm_buf_addc(&body, '&');
		sm_buf_adds(&body, k);
		sm_buf_addc(&body, '=');
		sm_http_add_escaped(&body, json_string_value(v));
	}
	sm_buf_adds(&url, t->url);
	sm_buf_adds(&url, "/requests.json");
	rc = post(d, t, url.data, hdrs, body.data, &a, code, err);
	memset(body.data, 0, body.len);
	sm_buf_free(&body);
	sm_buf_free(&url);
	if (rc < 0) {
		if (a.result == SM_HTTP_OK)
			open311_error(&a, err);
		sm_buf_free(&a.body);
		return -1;
	}
	j = json_loadb(a.body.data ? a.body.data : "", a.body.len, 0, NULL);
	first = json_is_array(j) ? json_array_get(j, 0) : NULL;
	if ((v = json_object_get(first, "service_request_id")) == NULL ||
	    json_is_null(v))
		v = json_object_get(first, "token");
	if (json_is_string(v))
		*sid = json_incref(v);
	else if (json_is_integer(v))
		*sid = json_sprintf("%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
	json_decref(j);
	sm_buf_free(&a.body);
	if (*sid == NULL) {
		/* accepted, says the server: a copy would be a second one */
		report(d, t, 0, "the answer names no service_request_id nor "
		    "token");
	}
	return 0;
}

static int
send_email(struct sm_deliver *d, const json_t *p, int *code,
    struct sm_error *err)
{
	json_t *to = json_object_get(p, "to"), *v;
	const char **rcpt = xcalloc(json_array_size(to) + 1, sizeof(*rcpt));
	const char *msg = json_string_value(json_object_get(p, "message"));
	size_t i;
	int rc;

	json_array_foreach(to, i, v)
		rcpt[i] = json_string_value(v);
	rc = sm_mail_send(&d->smtp, json_string_value(json_object_get(p,
	    "from")), rcpt, msg, strlen(msg), code, err);
	free(rcpt);
	return rc;
}

static int
transmit(struct sm_deliver *d, struct dest *t, const char *id, const json_t *p,
    json_t **sid, int *code, struct sm_error *err)
{
	char key[1024];

	*sid = NULL;
	*code = 0;
	if (p == NULL || json_object_size(p) == 0) {
		*code = EX_DATAERR;
		return sm_error_set(err, NULL, 0, 0, "nothing to send");
	}
	switch (t->kind) {
	case EMAIL:
		return send_email(d, p, code, err);
	case WEBHOOK:
		snprintf(key, sizeof(key), "%s/%s", t->owner, id);
		return send_webhook(d, t, key, p, code, err);
	default:
		return send_open311(d, t, p, sid, code, err);
	}
}

/* The state: claims and records */

/* Now, in RFC 3339 UTC; a new reference. */
static json_t *
now(void)
{
	return sm_time_json(time(NULL));
}

static int
put_json(struct sm_deliver *d, const char *space, const char *owner,
    const char *id, json_t *v, struct sm_error *err)
{
	char *s = v ? json_dumps(v, JSON_COMPACT) : NULL;
	int rc = sm_state_put(d->st, space, owner, id, s, err);

	free(s);
	return rc;
}

static int
get_json(struct sm_deliver *d, const char *space, const char *owner,
    const char *id, json_t **v, struct sm_error *err)
{
	char *s;

	*v = NULL;
	if (d->st == NULL)
		return 0;
	if (sm_state_get(d->st, space, owner, id, &s, err) < 0)
		return -1;
	if (s)
		*v = json_loads(s, 0, NULL);
	if (s && *v == NULL)
		*v = json_object();	/* unreadable: counts as there */
	free(s);
	return 0;
}

/* The process that marked an entry "sending" is still at it. */
static int
sender_alive(const struct sm_deliver *d, const json_t *e)
{
	const char *host = json_string_value(json_object_get(e, "host"));
	json_int_t pid = json_integer_value(json_object_get(e, "pid"));

	if (host == NULL || strcmp(host, d->host) != 0 || pid <= 0)
		return 0;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

enum claim { CLAIMED, DELIVERED, BUSY, GONE };

/*
 * Marks (t, id) "sending" with payload p, in one transaction that checks
 * first: DELIVERED (*prior: the delivery's entry), BUSY (another process
 * is sending it, or it is unknown), GONE (retrying an entry that is no
 * longer pending), CLAIMED; -1 on a database error.  *tries: the tries
 * made before.
 */
static int
claim(struct sm_deliver *d, const struct dest *t, const char *id,
    json_t *p, int retrying, json_t **prior, json_int_t *tries,
    struct sm_error *err)
{
	json_t *e = NULL, *mark;
	const char *status;
	int rc;

	*prior = NULL;
	*tries = 0;
	if (sm_state_begin(d->st, err) < 0)
		return -1;
	if (get_json(d, "delivery", t->owner, id, prior, err) < 0 ||
	    get_json(d, "outbox", t->owner, id, &e, err) < 0)
		goto fail;
	if (*prior) {
		rc = DELIVERED;
		goto done;
	}
	status = json_string_value(json_object_get(e, "status"));
	if (e && (status == NULL || strcmp(status, "pending") != 0)) {
		rc = BUSY;
		goto done;
	}
	if (e == NULL && retrying) {
		rc = GONE;
		goto done;
	}
	*tries = json_integer_value(json_object_get(e, "tries"));
	mark = json_pack("{s:s, s:O, s:I, s:o, s:s, s:I}", "status",
	    "sending", "payload", p, "tries", *tries, "since", now(), "host",
	    d->host, "pid", (json_int_t)getpid());
	rc = put_json(d, "outbox", t->owner, id, mark, err);
	json_decref(mark);
	if (rc < 0)
		goto fail;
	rc = CLAIMED;
done:
	json_decref(e);
	if (sm_state_commit(d->st, err) < 0)
		goto fail;
	return rc;
fail:
	json_decref(e);
	json_decref(*prior);
	*prior = NULL;
	sm_state_rollback(d->st);
	return -1;
}

/* After the send: the delivery recorded, or the entry pending again. */
static int
settle(struct sm_deliver *d, const struct dest *t, const char *id,
    json_t *p, json_int_t tries, const json_t *sid, int code,
    const struct sm_error *why, struct sm_error *err)
{
	json_t *v;
	int rc;

	if (sm_state_begin(d->st, err) < 0)
		return -1;
	if (code == 0) {
		v = json_pack("{s:o}", "at", now());
		if (sid)
			json_object_set(v, "open311_id", (json_t *)sid);
		rc = put_json(d, "delivery", t->owner, id, v, err);
		if (rc == 0)
			rc = put_json(d, "outbox", t->owner, id, NULL, err);
	} else {
		v = json_pack("{s:s, s:O, s:I, s:o, s:s, s:i}", "status",
		    "pending", "payload", p, "tries", tries + 1, "since", now(),
		    "error", why->text, "code", code);
		rc = put_json(d, "outbox", t->owner, id, v, err);
	}
	json_decref(v);
	if (rc < 0 || sm_state_commit(d->st, err) < 0) {
		sm_state_rollback(d->st);
		return -1;
	}
	return 0;
}

/*
 * Claims, sends and settles one delivery of payload p.  Returns 0 with
 * *code 0 (sent, or sent before: *sid its Open311 id) or the failure's,
 * *outcome saying which; -1 on a database error.
 */
static int
deliver_one(struct sm_deliver *d, struct dest *t, const char *id, json_t *p,
    int retrying, enum claim *outcome, json_t **sid, int *code,
    struct sm_error *err)
{
	struct sm_error why;
	json_t *prior;
	json_int_t tries;
	int c;

	*sid = NULL;
	*code = 0;
	if ((c = claim(d, t, id, p, retrying, &prior, &tries, err)) < 0)
		return -1;
	*outcome = (enum claim)c;
	if (c == DELIVERED) {
		*sid = json_incref(json_object_get(prior, "open311_id"));
		json_decref(prior);
		report(d, t, 0, "%s: delivered before", id);
		return 0;
	}
	if (c != CLAIMED)
		return 0;
	if (transmit(d, t, id, p, sid, code, &why) == 0)
		report(d, t, 0, "%s: delivered", id);
	else
		report(d, t, *code, "%s: %s; kept for the next run", id,
		    why.text);
	return settle(d, t, id, p, tries, *sid, *code, &why, err);
}

static void
worst(int *status, int code)
{
	/* a failure that needs a person outranks one that time cures */
	if (code && (*status == 0 || *status == EX_TEMPFAIL))
		*status = code;
}

int
sm_deliver_record(struct sm_deliver *d, const char *queue, const json_t *rec,
    int dry_run, struct sm_delivery *out, struct sm_error *err)
{
	struct queue *q = find_queue(d, queue);
	const char *id = json_string_value(json_object_get(rec, "id"));
	json_t *p, *prior, *sid;
	enum claim outcome;
	size_t i;
	int code;

	memset(out, 0, sizeof(*out));
	out->delivered = json_array();
	out->pending = json_array();
	out->unknown = json_array();
	if (q == NULL)
		return 0;
	if (id == NULL || *id == '\0') {
		out->status = EX_DATAERR;
		return sm_error_set(err, NULL, 0, 0, "a record without an id "
		    "cannot be delivered once: not delivered");
	}
	if (d->st == NULL && !dry_run) {
		out->status = EX_SOFTWARE;
		return sm_error_set(err, NULL, 0, 0, "delivery needs the state "
		    "database");
	}
	for (i = 0; i < q->n; i++) {
		struct dest *t = &q->dests[i];
		struct sm_error e;

		if (get_json(d, "delivery", t->owner, id, &prior, err) < 0)
			goto dberror;
		if (prior) {
			json_array_append_new(out->delivered,
			    json_string(t->name));
			sid = json_object_get(prior, "open311_id");
			if (sid && out->open311_id == NULL)
				out->open311_id = json_incref(sid);
			json_decref(prior);
			continue;
		}
		if ((p = payload(d, t, rec, id, &e)) == NULL) {
			report(d, t, EX_DATAERR, "%s: %s; not delivered", id,
			    e.text);
			worst(&out->status, EX_DATAERR);
			continue;
		}
		if (dry_run) {
			json_decref(p);
			continue;
		}
		if (deliver_one(d, t, id, p, 0, &outcome, &sid, &code,
		    err) < 0) {
			json_decref(p);
			goto dberror;
		}
		json_decref(p);
		if (outcome == BUSY) {
			report(d, t, 0, "%s: being sent by another run, or "
			    "interrupted: not sent again", id);
			json_array_append_new(out->unknown,
			    json_string(t->name));
		} else if (code == 0)
			json_array_append_new(out->delivered,
			    json_string(t->name));
		else {
			json_array_append_new(out->pending,
			    json_string(t->name));
			worst(&out->status, code);
		}
		if (sid && out->open311_id == NULL)
			out->open311_id = sid;
		else
			json_decref(sid);
	}
	return 0;
dberror:
	out->status = EX_CANTCREAT;
	return -1;
}

void
sm_delivery_clear(struct sm_delivery *out)
{
	json_decref(out->delivered);
	json_decref(out->pending);
	json_decref(out->unknown);
	json_decref(out->open311_id);
	memset(out, 0, sizeof(*out));
}

/* The outbox */

static int
collect(void *arg, const char *owner, const char *key, const char *value,
    const char *updated_at)
{
	json_array_append_new(arg, json_pack("{s:s, s:s, s:s}", "owner", owner,
	    "id", key, "value", value));
	return 0;
}

/* An interrupted send: reported once, then "unknown". */
static int
interrupted(struct sm_deliver *d, const char *owner, const char *id,
    json_t *e, int dry_run, struct sm_error *err)
{
	struct dest t = { .owner = (char *)owner };

	report(d, &t, EX_UNAVAILABLE, "%s: a send started %s was "
	    "interrupted: whether it arrived is unknown; not sent again "
	    "until resolved", id, json_string_value(json_object_get(e,
	    "since")) ? json_string_value(json_object_get(e, "since")) : "");
	if (dry_run)
		return 0;
	json_object_set_new(e, "status", json_string("unknown"));
	return put_json(d, "outbox", owner, id, e, err);
}

int
sm_deliver_retry(struct sm_deliver *d, int dry_run,
    struct sm_deliver_counts *counts, struct sm_error *err)
{
	struct sm_deliver_counts c = { 0, 0, 0 };
	json_t *all, *item, *e, *sid;
	enum claim outcome;
	size_t i;
	int code, rc = 0;

	if (d->st == NULL)
		goto done;
	all = json_array();
	if (sm_state_list(d->st, "outbox", NULL, collect, all, err) != 0) {
		json_decref(all);
		return -1;
	}
	json_array_foreach(all, i, item) {
		const char *owner = json_string_value(json_object_get(item,
		    "owner"));
		const char *id = json_string_value(json_object_get(item, "id"));
		const char *status;
		struct dest *t = find_dest(d, owner);

		e = json_loads(json_string_value(json_object_get(item,
		    "value")), 0, NULL);
		status = json_string_value(json_object_get(e, "status"));
		if (status && strcmp(status, "unknown") == 0)
			c.unknown++;
		else if (status && strcmp(status, "sending") == 0) {
			if (!sender_alive(d, e)) {
				c.unknown++;
				rc = interrupted(d, owner, id, e, dry_run,
				    err);
			}
		} else if (t == NULL) {
			struct dest gone = { .owner = (char *)owner };

			report(d, &gone, EX_CONFIG, "%s: no such destination "
			    "in route.queues any more: kept in the outbox", id);
			c.pending++;
		} else if (dry_run)
			c.pending++;
		else {
			rc = deliver_one(d, t, id, json_object_get(e,
			    "payload"), 1, &outcome, &sid, &code, err);
			json_decref(sid);
			if (rc == 0 && outcome == CLAIMED && code == 0)
				c.delivered++;
			else if (rc == 0 && outcome == CLAIMED)
				c.pending++;
		}
		json_decref(e);
		if (rc < 0)
			break;
	}
	json_decref(all);
	if (rc < 0)
		return -1;
done:
	if (counts)
		*counts = c;
	return (int)c.pending;
}

int
sm_deliver_resolve(struct sm_deliver *d, const char *queue, const char *name,
    const char *id, int sent, struct sm_error *err)
{
	char *owner = xmalloc(strlen(queue) + strlen(name) + 2);
	json_t *e = NULL, *v;
	const char *status;
	int rc = -1;

	sprintf(owner, "%s/%s", queue, name);
	if (d->st == NULL) {
		sm_error_set(err, NULL, 0, 0, "no state database");
		goto out;
	}
	if (sm_state_begin(d->st, err) < 0)
		goto out;
	if (get_json(d, "outbox", owner, id, &e, err) < 0)
		goto fail;
	status = json_string_value(json_object_get(e, "status"));
	if (status == NULL || (strcmp(status, "unknown") != 0 &&
	    (strcmp(status, "sending") != 0 || sender_alive(d, e)))) {
		sm_error_set(err, NULL, 0, 0, "%s: %s: no interrupted delivery "
		    "to resolve", owner, id);
		goto fail;
	}
	if (sent) {
		v = json_pack("{s:o, s:b}", "at", now(), "resolved", 1);
		rc = put_json(d, "delivery", owner, id, v, err);
		if (rc == 0)
			rc = put_json(d, "outbox", owner, id, NULL, err);
	} else {
		v = json_pack("{s:s, s:O, s:I, s:o, s:s}", "status", "pending",
		    "payload", json_object_get(e, "payload"), "tries",
		    json_integer_value(json_object_get(e, "tries")), "since",
		    now(), "error", "interrupted, resolved as not sent");
		rc = put_json(d, "outbox", owner, id, v, err);
	}
	json_decref(v);
	if (rc < 0)
		goto fail;
	json_decref(e);
	rc = sm_state_commit(d->st, err);
	goto out;
fail:
	json_decref(e);
	sm_state_rollback(d->st);
	rc = -1;
out:
	free(owner);
	return rc;
}
