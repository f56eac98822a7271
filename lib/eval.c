/* eval.c - how well predicted labels agree with gold ones */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sm/eval.h"
#include "sm/util.h"

#define NOLABEL "(none)"

struct sm_eval {
	char **labels;
	size_t nlabels;
	size_t *m;		/* nlabels x nlabels: [gold][pred] */
	size_t n;
};

struct sm_eval *
sm_eval_new(void)
{
	return xcalloc(1, sizeof(struct sm_eval));
}

void
sm_eval_free(struct sm_eval *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < e->nlabels; i++)
		free(e->labels[i]);
	free(e->labels);
	free(e->m);
	free(e);
}

static size_t
label_index(struct sm_eval *e, const char *label)
{
	size_t L = e->nlabels, *m;

	for (size_t i = 0; i < L; i++)
		if (strcmp(e->labels[i], label) == 0)
			return i;
	e->labels = xreallocarray(e->labels, L + 1, sizeof(*e->labels));
	e->labels[L] = xstrdup(label);
	m = xcalloc((L + 1) * (L + 1), sizeof(*m));
	for (size_t g = 0; g < L; g++)
		memcpy(m + g * (L + 1), e->m + g * L, L * sizeof(*m));
	free(e->m);
	e->m = m;
	e->nlabels = L + 1;
	return L;
}

void
sm_eval_add(struct sm_eval *e, const char *gold, const char *pred)
{
	size_t g = label_index(e, gold);
	size_t p = label_index(e, pred ? pred : NOLABEL);

	e->m[g * e->nlabels + p]++;
	e->n++;
}

size_t
sm_eval_count(const struct sm_eval *e)
{
	return e->n;
}

struct figures {
	double precision, recall, f1;
	size_t support, predicted;
};

static double
round4(double x)
{
	return round(x * 1e4) / 1e4;
}

/* Per label figures; returns accuracy and macro-F1 through pointers. */
static struct figures *
figures(const struct sm_eval *e, double *accuracy, double *macro)
{
	size_t L = e->nlabels, correct = 0, used = 0;
	struct figures *f = xcalloc(L ? L : 1, sizeof(*f));

	*macro = 0;
	for (size_t g = 0; g < L; g++)
		for (size_t p = 0; p < L; p++) {
			f[g].support += e->m[g * L + p];
			f[p].predicted += e->m[g * L + p];
		}
	for (size_t l = 0; l < L; l++) {
		size_t tp = e->m[l * L + l];

		correct += tp;
		f[l].precision = f[l].predicted ? (double)tp /
		    (double)f[l].predicted : 0;
		f[l].recall = f[l].support ? (double)tp / (double)f[l].support :
		    0;
		f[l].f1 = tp ? 2.0 * (double)tp / (double)(f[l].support +
		    f[l].predicted) : 0;
		if (f[l].support || f[l].predicted) {
			*macro += f[l].f1;
			used++;
		}
	}
	*macro = used ? *macro / (double)used : 0;
	*accuracy = e->n ? (double)correct / (double)e->n : 0;
	return f;
}

json_t *
sm_eval_report(const struct sm_eval *e)
{
	size_t L = e->nlabels;
	double acc, macro;
	struct figures *f = figures(e, &acc, &macro);
	json_t *labels = json_array(), *names = json_array();
	json_t *matrix = json_array();

	for (size_t l = 0; l < L; l++) {
		json_t *row = json_array();

		if (f[l].support || f[l].predicted)
			json_array_append_new(labels, json_pack("{s:s,s:f,s:f,"
			    "s:f,s:I}", "label", e->labels[l], "precision",
			    round4(f[l].precision), "recall",
			    round4(f[l].recall), "f1", round4(f[l].f1),
			    "support", (json_int_t)f[l].support));
		json_array_append_new(names, json_string(e->labels[l]));
		for (size_t p = 0; p < L; p++)
			json_array_append_new(row, json_integer(
			    (json_int_t)e->m[l * L + p]));
		json_array_append_new(matrix, row);
	}
	free(f);
	return json_pack("{s:I,s:f,s:f,s:o,s:{s:o,s:o}}", "records",
	    (json_int_t)e->n, "accuracy", round4(acc), "macro_f1",
	    round4(macro), "labels", labels, "confusion", "labels", names,
	    "matrix", matrix);
}

void
sm_eval_print(const struct sm_eval *e, FILE *fp)
{
	size_t L = e->nlabels, width = 5;
	double acc, macro;
	struct figures *f = figures(e, &acc, &macro);

	for (size_t l = 0; l < L; l++)
		if (strlen(e->labels[l]) > width)
			width = strlen(e->labels[l]);
	fprintf(fp, "records   %zu\naccuracy  %.4f\nmacro-F1  %.4f\n\n", e->n,
	    acc, macro);
	fprintf(fp, "%-*s  precision  recall      F1  support\n", (int)width,
	    "label");
	for (size_t l = 0; l < L; l++)
		if (f[l].support || f[l].predicted)
			fprintf(fp, "%-*s     %.4f  %.4f  %.4f  %7zu\n",
			    (int)width, e->labels[l], f[l].precision,
			    f[l].recall, f[l].f1, f[l].support);
	fprintf(fp, "\nconfusion matrix: rows are the gold labels, columns "
	    "the predicted ones\n%-*s", (int)width + 4, "");
	for (size_t p = 0; p < L; p++)
		fprintf(fp, " %6zu", p + 1);
	fputc('\n', fp);
	for (size_t g = 0; g < L; g++) {
		fprintf(fp, "%2zu  %-*s", g + 1, (int)width, e->labels[g]);
		for (size_t p = 0; p < L; p++)
			fprintf(fp, " %6zu", e->m[g * L + p]);
		fputc('\n', fp);
	}
	free(f);
}
