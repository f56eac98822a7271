/* train.c - sm-classify's model learnt: stochastic gradient descent, the
 * epoch and the penalty chosen on dev examples */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sm/train.h"

struct sm_trainer {
	struct sm_features f;
	uint32_t *idx;		/* every example's features, concatenated */
	float *cnt;
	size_t n, cap;
	struct example {
		size_t start, split, end;
		uint32_t label;
		int dev;
	} *ex;
	size_t nex, capex;
	char **labels;
	size_t *count;		/* training examples per label */
	size_t nlabels;
	size_t ntrain, ndev;
};

struct sm_trainer *
sm_trainer_new(const struct sm_features *f)
{
	struct sm_trainer *tr = xcalloc(1, sizeof(*tr));

	tr->f = *f;
	return tr;
}

void
sm_trainer_free(struct sm_trainer *tr)
{
	if (tr == NULL)
		return;
	free(tr->idx);
	free(tr->cnt);
	free(tr->ex);
	for (size_t i = 0; i < tr->nlabels; i++)
		free(tr->labels[i]);
	free(tr->labels);
	free(tr->count);
	free(tr);
}

static uint32_t
label_id(struct sm_trainer *tr, const char *label)
{
	for (size_t i = 0; i < tr->nlabels; i++)
		if (strcmp(tr->labels[i], label) == 0)
			return (uint32_t)i;
	tr->labels = xreallocarray(tr->labels, tr->nlabels + 1,
	    sizeof(*tr->labels));
	tr->count = xreallocarray(tr->count, tr->nlabels + 1,
	    sizeof(*tr->count));
	tr->labels[tr->nlabels] = xstrdup(label);
	tr->count[tr->nlabels] = 0;
	return (uint32_t)tr->nlabels++;
}

void
sm_trainer_add(struct sm_trainer *tr, const struct sm_fvec *fv,
    const char *label, int dev)
{
	struct example *e;

	if (tr->nex == tr->capex) {
		tr->capex = tr->capex ? tr->capex * 2 : 1024;
		tr->ex = xreallocarray(tr->ex, tr->capex, sizeof(*tr->ex));
	}
	if (tr->n + fv->n > tr->cap) {
		while (tr->n + fv->n > tr->cap)
			tr->cap = tr->cap ? tr->cap * 2 : 65536;
		tr->idx = xreallocarray(tr->idx, tr->cap, sizeof(*tr->idx));
		tr->cnt = xreallocarray(tr->cnt, tr->cap, sizeof(*tr->cnt));
	}
	e = &tr->ex[tr->nex++];
	e->start = tr->n;
	e->split = tr->n + fv->split;
	e->end = tr->n + fv->n;
	e->label = label_id(tr, label);
	e->dev = dev;
	memcpy(tr->idx + tr->n, fv->idx, fv->n * sizeof(*fv->idx));
	memcpy(tr->cnt + tr->n, fv->val, fv->n * sizeof(*fv->val));
	tr->n += fv->n;
	if (dev) {
		tr->ndev++;
	} else {
		tr->ntrain++;
		tr->count[e->label]++;
	}
}

size_t
sm_trainer_count(const struct sm_trainer *tr, int dev)
{
	return dev ? tr->ndev : tr->ntrain;
}

/* splitmix64: a small, good, seedable generator */
static uint64_t
next_random(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Macro-F1 over the labels that occur as gold or as prediction. */
static double
macro_f1(const uint32_t *gold, const uint32_t *pred, size_t n, size_t nlabels)
{
	size_t *tp = xcalloc(nlabels, sizeof(*tp));
	size_t *ng = xcalloc(nlabels, sizeof(*ng));
	size_t *np = xcalloc(nlabels, sizeof(*np));
	double sum = 0;
	size_t seen = 0;

	for (size_t i = 0; i < n; i++) {
		ng[gold[i]]++;
		np[pred[i]]++;
		tp[gold[i]] += gold[i] == pred[i];
	}
	for (size_t c = 0; c < nlabels; c++) {
		if (ng[c] == 0 && np[c] == 0)
			continue;
		seen++;
		if (tp[c])
			sum += 2.0 * (double)tp[c] / (double)(ng[c] + np[c]);
	}
	free(tp);
	free(ng);
	free(np);
	return seen ? sum / (double)seen : 0;
}

struct sm_model *
sm_trainer_fit(struct sm_trainer *tr, const struct sm_train_opts *o,
    json_t *meta, struct sm_train_result *res, struct sm_error *err)
{
	static const double l2grid[] = { 1e-6, 1e-5, 1e-4 };
	const double *l2s;
	size_t nl2;
	size_t L = 0, nfeat = 0, capslots = 1024, ntrain = 0, ndev = 0;
	uint32_t *lmap, *slots, *rows, *df, *bucket, *order, *dgold, *dpred;
	float *w, *bias, *bw = NULL, *bb = NULL, *idf, *cw;
	double *s, lrstep;
	uint32_t *active;
	size_t na;
	char **labels;

	/* labels with training examples become the model's */
	lmap = xcalloc(tr->nlabels + 1, sizeof(*lmap));
	for (size_t i = 0; i < tr->nlabels; i++)
		lmap[i] = tr->count[i] ? (uint32_t)L++ : SM_MODEL_NOROW;
	if (tr->ntrain == 0 || L < 2 || L > SM_MODEL_MAXLABELS) {
		free(lmap);
		json_decref(meta);
		if (L > SM_MODEL_MAXLABELS)
			sm_error_set(err, NULL, 0, 0, "too many labels (%zu; at "
			    "most %u)", L, SM_MODEL_MAXLABELS);
		else
			sm_error_set(err, NULL, 0, 0, "%s", tr->ntrain == 0 ?
			    "no labelled records to learn from" :
			    "only one label in the training records: nothing "
			    "to tell apart");
		return NULL;
	}
	/* dev labels never seen in training get ids past the model's */
	for (size_t i = 0, extra = L; i < tr->nlabels; i++)
		if (lmap[i] == SM_MODEL_NOROW)
			lmap[i] = (uint32_t)extra++;

	/* the vocabulary: the training examples' buckets, with their
	 * document frequencies */
	while (capslots < tr->n)
		capslots *= 2;
	slots = xcalloc(capslots, sizeof(*slots));
	bucket = xreallocarray(NULL, 1024, sizeof(*bucket));
	df = xreallocarray(NULL, 1024, sizeof(*df));
	/* each feature's row replaces its bucket, in place: fit is the
	 * trainer's last use */
	rows = tr->idx;
	for (size_t pass = 0; pass < 2 * tr->nex; pass++) {
		/* training examples first, so that the dev examples find
		 * every feature training saw */
		const struct example *e = &tr->ex[pass % tr->nex];

		if (e->dev != (pass >= tr->nex))
			continue;
		for (size_t k = e->start; k < e->end; k++) {
			size_t i;

			for (i = sm_features_mix(tr->idx[k]) & (capslots - 1);
			    slots[i] && bucket[slots[i] - 1] != tr->idx[k];
			    i = (i + 1) & (capslots - 1))
				;
			if (slots[i] == 0 && e->dev) {
				rows[k] = SM_MODEL_NOROW;
				continue;
			}
			if (slots[i] == 0) {
				if ((nfeat & (nfeat - 1)) == 0 && nfeat >= 1024) {
					bucket = xreallocarray(bucket, nfeat * 2,
					    sizeof(*bucket));
					df = xreallocarray(df, nfeat * 2,
					    sizeof(*df));
				}
				bucket[nfeat] = tr->idx[k];
				df[nfeat] = 0;
				slots[i] = (uint32_t)++nfeat;
			}
			rows[k] = slots[i] - 1;
			df[rows[k]] += !e->dev;
		}
	}
	free(slots);
	/* rare features dropped: renumber the rest */
	{
		uint32_t *renum = xcalloc(nfeat ? nfeat : 1, sizeof(*renum));
		size_t kept = 0;

		for (size_t r = 0; r < nfeat; r++) {
			renum[r] = df[r] >= o->min_df ? (uint32_t)kept :
			    SM_MODEL_NOROW;
			if (renum[r] != SM_MODEL_NOROW) {
				bucket[kept] = bucket[r];
				df[kept] = df[r];
				kept++;
			}
		}
		for (size_t k = 0; k < tr->n; k++)
			if (rows[k] != SM_MODEL_NOROW)
				rows[k] = renum[rows[k]];
		free(renum);
		nfeat = kept;
	}
	idf = xcalloc(nfeat ? nfeat : 1, sizeof(*idf));
	for (size_t r = 0; r < nfeat; r++)
		idf[r] = (float)(log((1.0 + (double)tr->ntrain) /
		    (1.0 + df[r])) + 1.0);
	free(df);
	for (size_t x = 0; x < tr->nex; x++) {
		const struct example *e = &tr->ex[x];

		sm_model_weigh(idf, rows + e->start, tr->cnt + e->start,
		    e->split - e->start, e->end - e->start);
	}

	/* class weights */
	cw = xcalloc(L, sizeof(*cw));
	for (size_t i = 0; i < tr->nlabels; i++)
		if (lmap[i] < L)
			cw[lmap[i]] = o->balanced ? (float)((double)tr->ntrain /
			    ((double)L * (double)tr->count[i])) : 1.0f;

	order = xcalloc(tr->nex, sizeof(*order));
	dgold = xcalloc(tr->nex, sizeof(*dgold));
	dpred = xcalloc(tr->nex, sizeof(*dpred));
	for (size_t x = 0; x < tr->nex; x++)
		if (tr->ex[x].dev)
			dgold[ndev++] = lmap[tr->ex[x].label];
		else
			ntrain++;
	w = xcalloc(nfeat * L + 1, sizeof(*w));
	bias = xcalloc(L, sizeof(*bias));
	s = xcalloc(L, sizeof(*s));
	active = xcalloc(L, sizeof(*active));
	if (ndev) {
		bw = xcalloc(nfeat * L + 1, sizeof(*bw));
		bb = xcalloc(L, sizeof(*bb));
	}
	/* with dev records and no penalty asked for, the penalty is chosen
	 * too, from a few that differ tenfold */
	if (o->tune_l2 && ndev) {
		l2s = l2grid;
		nl2 = sizeof(l2grid) / sizeof(l2grid[0]);
	} else {
		l2s = &o->l2;
		nl2 = 1;
	}
	res->dev_f1 = -1;
	res->epoch = o->epochs;
	res->l2 = l2s[0];
	lrstep = o->lr / ((double)o->epochs * (double)ntrain);
	for (size_t g = 0; g < nl2; g++) {
		double l2 = l2s[g], lr = o->lr;
		uint64_t rng = o->seed;

		memset(w, 0, (nfeat * L + 1) * sizeof(*w));
		memset(bias, 0, L * sizeof(*bias));
		for (size_t x = 0, i = 0; x < tr->nex; x++)
			if (!tr->ex[x].dev)
				order[i++] = (uint32_t)x;
		for (unsigned ep = 1; ep <= o->epochs; ep++) {
			double f1 = -1;

			for (size_t i = ntrain; i > 1; i--) {
				size_t j = next_random(&rng) % i;
				uint32_t t = order[i - 1];

				order[i - 1] = order[j];
				order[j] = t;
			}
			for (size_t i = 0; i < ntrain; i++) {
				const struct example *e = &tr->ex[order[i]];
				uint32_t y = lmap[e->label];
				const uint32_t *xr = rows + e->start;
				const float *xv = tr->cnt + e->start;
				size_t n = e->end - e->start;

				sm_model_scores(w, bias, L, xr, xv, n, s);
				sm_model_softmax(s, L);
				/* only the labels whose gradient is not negligible are
				 * updated: once a few epochs have passed, that is the
				 * right label and the one or two it is confused with */
				na = 0;
				for (size_t c = 0; c < L; c++) {
					s[c] = (s[c] - (c == y)) * cw[y];
					if (fabs(s[c]) < 1e-5)
						continue;
					bias[c] -= (float)(lr * s[c]);
					active[na++] = (uint32_t)c;
				}
				for (size_t k = 0; k < n && na; k++) {
					float *wr;

					if (xr[k] == SM_MODEL_NOROW)
						continue;
					wr = w + (size_t)xr[k] * L;
					for (size_t a = 0; a < na; a++) {
						size_t c = active[a];

						wr[c] -= (float)(lr * (s[c] * xv[k] +
						    l2 * wr[c]));
					}
				}
				/* the rate falls linearly to 0 over the epochs */
				lr -= lrstep;
			}
			if (ndev) {
				size_t d = 0;

				for (size_t x = 0; x < tr->nex; x++) {
					const struct example *e = &tr->ex[x];

					if (!e->dev)
						continue;
					dpred[d++] = (uint32_t)
					    sm_model_scores(w, bias, L,
					    rows + e->start, tr->cnt + e->start,
					    e->end - e->start, s);
				}
				f1 = macro_f1(dgold, dpred, ndev, tr->nlabels);
				if (f1 > res->dev_f1) {
					res->dev_f1 = f1;
					res->epoch = ep;
					res->l2 = l2;
					memcpy(bw, w, (nfeat * L + 1) * sizeof(*w));
					memcpy(bb, bias, L * sizeof(*bias));
				}
			}
			if (o->progress)
				o->progress(o->arg, (unsigned)g * o->epochs + ep,
				    (unsigned)nl2 * o->epochs, f1);
		}
	}
	if (ndev) {
		free(w);
		free(bias);
		w = bw;
		bias = bb;
	}
	free(s);
	free(active);
	free(order);
	free(dgold);
	free(dpred);
	free(cw);
	if (!sm_model_finite(w, nfeat * L) || !sm_model_finite(bias, L)) {
		free(w);
		free(bias);
		free(bucket);
		free(idf);
		free(lmap);
		json_decref(meta);
		sm_error_set(err, NULL, 0, 0, "training diverged (a weight is "
		    "not a finite number); use a smaller learning rate or L2 "
		    "penalty");
		return NULL;
	}

	labels = xcalloc(L, sizeof(*labels));
	for (size_t i = 0; i < tr->nlabels; i++)
		if (lmap[i] < L)
			labels[lmap[i]] = xstrdup(tr->labels[i]);
	free(lmap);
	return sm_model_new(&tr->f, labels, L, nfeat, bucket, idf, w, bias,
	    meta);
}
