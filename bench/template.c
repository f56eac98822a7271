/* template.c - renders per second of a typical reply template: the
 * messages of FILE (examples/messages.jsonl), each given a route object
 * as sm-route would, rendered in turn N times (200,000 by default). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "sm/template.h"
#include "sm/util.h"

static const char reply[] =
    "@{{author.handle}} Hola{{#author.name}} {{author.name}}{{/author.name}}"
    ", hemos registrado su mensaje con el número {{route.case}}"
    "{{#route.department}} y lo hemos enviado a {{route.department}}"
    "{{/route.department}}.\n"
    "{{#route.due_at}}Le responderemos antes del {{route.due_at.date}}."
    "{{/route.due_at}}{{^route.due_at}}Le responderemos lo antes posible."
    "{{/route.due_at}}\n"
    "{{>firma}}";

static const char firma[] = "Ayuntamiento de Villanueva · {{route.queue}}";

static const char *
partial(void *arg, const char *name, struct sm_mark *where)
{
	(void)arg;
	(void)where;
	return strcmp(name, "firma") == 0 ? firma : NULL;
}

/* "2026-12-02T14:00:00Z" as "2 de diciembre de 2026". */
static int
date_es(void *arg, const json_t *value, struct sm_buf *out,
    struct sm_error *err)
{
	static const char *const months[] = { "enero", "febrero", "marzo",
	    "abril", "mayo", "junio", "julio", "agosto", "septiembre",
	    "octubre", "noviembre", "diciembre" };
	int y, m, d, n;
	char text[64];

	(void)arg;
	if (!json_is_string(value) || sscanf(json_string_value(value),
	    "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12)
		return sm_error_set(err, NULL, 0, 0, "not a timestamp");
	n = snprintf(text, sizeof(text), "%d de %s de %d", d, months[m - 1], y);
	sm_buf_add(out, text, (size_t)n);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct sm_template_formatter fmts[] = {
		{ "date", date_es, NULL },
	};
	struct sm_template_options opt = {
		.escape = SM_TEMPLATE_TEXT,
		.partial = partial,
		.formatters = fmts,
		.nformatters = 1,
	};
	struct sm_error err = { 0 };
	struct sm_buf out = { 0 };
	struct sm_template *t;
	struct timespec t0, t1;
	json_t **recs = NULL;
	size_t nrecs = 0, n = argc > 2 ? strtoul(argv[2], NULL, 10) : 200000;
	size_t bytes = 0;
	char *line = NULL;
	size_t cap = 0;
	FILE *fp;
	double s;

	if (argc < 2 || (fp = fopen(argv[1], "r")) == NULL) {
		fprintf(stderr, "usage: template FILE.jsonl [N]\n");
		return 64;
	}
	while (getline(&line, &cap, fp) > 0) {
		json_t *j = json_loads(line, 0, NULL);

		if (!json_is_object(j)) {
			json_decref(j);
			continue;
		}
		json_object_set_new(j, "route", json_pack("{s:s,s:s,s:s,s:s?}",
		    "queue", "limpieza", "department", "Servicio de Limpieza",
		    "case", "2026-000123",
		    "due_at", nrecs % 4 ? "2026-12-02T14:00:00Z" : NULL));
		recs = xreallocarray(recs, nrecs + 1, sizeof(*recs));
		recs[nrecs++] = j;
	}
	free(line);
	fclose(fp);
	if (nrecs == 0 || (t = sm_template_compile(reply, NULL, &opt,
	    &err)) == NULL) {
		fprintf(stderr, "template: %s\n", nrecs ? err.text :
		    "no records");
		return 65;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; i < n; i++) {
		sm_buf_reset(&out);
		if (sm_template_render(t, recs[i % nrecs], &out, &err) < 0) {
			fprintf(stderr, "template: %s\n", err.text);
			return 65;
		}
		bytes += out.len;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%zu renders of %zu records in %.3f s: %.0f renders/s, "
	    "%.0f ns each, %.0f bytes each\n", n, nrecs, s, n / s,
	    s * 1e9 / n, (double)bytes / n);
	for (size_t i = 0; i < nrecs; i++)
		json_decref(recs[i]);
	free(recs);
	sm_buf_free(&out);
	sm_template_free(t);
	return 0;
}
