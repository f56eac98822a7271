/* train.c - sm-classify's model learnt: stochastic gradient descent, the
 * epoch and the penalty chosen on dev examples */
#include <math.h>
#include <stdio.h>
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

/* A learning run: the examples as rows, the weights and SGD's scratch. */
struct run {
	const struct sm_trainer *tr;
	const uint32_t *rows, *lmap;
	const float *cw;
	size_t L, nfeat, nw;	/* nw: nfeat * L */
	float *w, *bias;	/* the weights as SGD leaves them */
	double *uw, *ub;	/* the sum of each update times its step */
	float *aw, *ab;		/* the average of the weights over the steps */
	float *bw, *bb;		/* the averaged weights of the best epoch */
	uint32_t *order, *active, *gold, *pred;
	double *s;
	void (*progress)(void *, const char *, unsigned, unsigned, double);
	void *arg;
	int diverged;
};

/* Example roles in a run. */
enum { LEARN, SCORE, IDLE };

/*
 * Averaged SGD over the examples whose role is LEARN, for up to epochs
 * passes (stopping after last) with the rate falling linearly to 0 at
 * epochs.  The averaged weights are what is scored and kept: they are
 * steadier than the last step's, and overfit less.  After each epoch the
 * SCORE examples (if any) are scored and the best epoch's weights kept
 * in bw, bb (the best: the higher macro-F1, then the lower log-loss, which
 * tells apart epochs that get the same labels right); each epoch's
 * macro-F1 and log-loss are added to curve[epoch - 1] and loss[epoch - 1]
 * when curve is not NULL.  Returns the best macro-F1 (-1 when nothing is
 * scored) and its epoch in *best.  Weights that are no longer finite
 * numbers stop the run and set r->diverged.
 */
static double
sgd(struct run *r, const unsigned char *role, const struct sm_train_opts *o,
    double l2, unsigned last, const char *stage, unsigned *best,
    double *curve, double *loss)
{
	const struct sm_trainer *tr = r->tr;
	size_t L = r->L, nlearn = 0, nscore = 0, na;
	double lr = o->lr, lrstep, step = 0, bestf1 = -1, bestloss = 0;
	uint64_t rng = o->seed;

	for (size_t x = 0; x < tr->nex; x++)
		if (role[x] == LEARN)
			r->order[nlearn++] = (uint32_t)x;
		else if (role[x] == SCORE)
			r->gold[nscore++] = r->lmap[tr->ex[x].label];
	memset(r->w, 0, (r->nw + 1) * sizeof(*r->w));
	memset(r->bias, 0, L * sizeof(*r->bias));
	memset(r->uw, 0, (r->nw + 1) * sizeof(*r->uw));
	memset(r->ub, 0, L * sizeof(*r->ub));
	lrstep = o->lr / ((double)o->epochs * (double)(nlearn ? nlearn : 1));
	*best = last;
	for (unsigned ep = 1; ep <= last; ep++) {
		double f1 = -1;

		for (size_t i = nlearn; i > 1; i--) {
			size_t j = next_random(&rng) % i;
			uint32_t t = r->order[i - 1];

			r->order[i - 1] = r->order[j];
			r->order[j] = t;
		}
		for (size_t i = 0; i < nlearn; i++) {
			const struct example *e = &tr->ex[r->order[i]];
			uint32_t y = r->lmap[e->label];
			const uint32_t *xr = r->rows + e->start;
			const float *xv = tr->cnt + e->start;
			size_t n = e->end - e->start;

			step++;
			sm_model_scores(r->w, r->bias, L, xr, xv, n, r->s);
			sm_model_softmax(r->s, L);
			/* only the labels whose gradient is not negligible are
			 * updated: once a few epochs have passed, that is the
			 * right label and the one or two it is confused with */
			na = 0;
			for (size_t c = 0; c < L; c++) {
				double g = (r->s[c] - (c == y)) * r->cw[y];

				if (fabs(g) < 1e-5)
					continue;
				r->s[c] = lr * g;
				r->bias[c] -= (float)r->s[c];
				r->ub[c] -= step * r->s[c];
				r->active[na++] = (uint32_t)c;
			}
			for (size_t k = 0; k < n && na; k++) {
				float *wr;
				double *ur;

				if (xr[k] == SM_MODEL_NOROW)
					continue;
				wr = r->w + (size_t)xr[k] * L;
				ur = r->uw + (size_t)xr[k] * L;
				for (size_t a = 0; a < na; a++) {
					size_t c = r->active[a];
					double d = r->s[c] * xv[k] +
					    lr * l2 * wr[c];

					wr[c] -= (float)d;
					ur[c] -= step * d;
				}
			}
			lr -= lrstep;
		}
		/* the mean of the weights after each step so far */
		for (size_t i = 0; i < r->nw; i++)
			r->aw[i] = (float)(r->w[i] - r->uw[i] / (step + 1));
		for (size_t c = 0; c < L; c++)
			r->ab[c] = (float)(r->bias[c] - r->ub[c] / (step + 1));
		if (!sm_model_finite(r->aw, r->nw) ||
		    !sm_model_finite(r->ab, L)) {
			r->diverged = 1;
			break;
		}
		if (nscore) {
			size_t d = 0, y;
			double ll = 0;

			for (size_t x = 0; x < tr->nex; x++) {
				const struct example *e = &tr->ex[x];

				if (role[x] != SCORE)
					continue;
				r->pred[d] = (uint32_t)sm_model_scores(r->aw,
				    r->ab, L, r->rows + e->start,
				    tr->cnt + e->start, e->end - e->start,
				    r->s);
				/* a dev label the model does not know
				 * costs as much as a sure mistake */
				y = r->gold[d++];
				sm_model_softmax(r->s, L);
				ll -= log(y < L && r->s[y] > 1e-12 ? r->s[y] :
				    1e-12);
			}
			f1 = macro_f1(r->gold, r->pred, nscore, tr->nlabels);
			ll /= (double)nscore;
			if (curve) {
				curve[ep - 1] += f1;
				loss[ep - 1] += ll;
			}
			if (f1 > bestf1 || (f1 == bestf1 && ll < bestloss)) {
				bestf1 = f1;
				bestloss = ll;
				*best = ep;
				memcpy(r->bw, r->aw, (r->nw + 1) * sizeof(*r->w));
				memcpy(r->bb, r->ab, L * sizeof(*r->bias));
			}
		}
		if (r->progress)
			r->progress(r->arg, stage, ep, last, f1);
	}
	if (nscore == 0) {
		memcpy(r->bw, r->aw, (r->nw + 1) * sizeof(*r->w));
		memcpy(r->bb, r->ab, L * sizeof(*r->bias));
	}
	return bestf1;
}

/* Each label weighs (n / (L * its count))^power: 1 balances the labels
 * (what macro-F1 rewards), 0 weighs every example alike. */
static void
class_weights(const struct sm_trainer *tr, const uint32_t *lmap, size_t L,
    double power, float *cw)
{
	for (size_t i = 0; i < tr->nlabels; i++)
		if (lmap[i] < L)
			cw[lmap[i]] = (float)pow((double)tr->ntrain /
			    ((double)L * (double)tr->count[i]), power);
}

struct sm_model *
sm_trainer_fit(struct sm_trainer *tr, const struct sm_train_opts *o,
    json_t *meta, struct sm_train_result *res, struct sm_error *err)
{
	static const double l2grid[] = { 1e-6, 1e-5, 1e-4 };
	static const double powgrid[] = { 1, 0.5, 0 }, nopow = 0;
	const double *l2s, *pows;
	size_t nl2, npow;
	unsigned *fold;
	double *curve, *loss;
	int cv, diverged;
	size_t L = 0, nfeat = 0, capslots = 1024;
	uint32_t *lmap, *slots, *rows, *df, *bucket;
	float *w, *bias, *idf, *cw;
	unsigned char *role;
	struct run run;
	char stage[64];
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

	memset(&run, 0, sizeof(run));
	run.tr = tr;
	run.rows = rows;
	run.lmap = lmap;
	run.cw = cw = xcalloc(L, sizeof(*cw));
	run.L = L;
	run.nfeat = nfeat;
	run.nw = nfeat * L;
	run.w = xcalloc(run.nw + 1, sizeof(*run.w));
	run.bias = xcalloc(L, sizeof(*run.bias));
	run.uw = xcalloc(run.nw + 1, sizeof(*run.uw));
	run.ub = xcalloc(L, sizeof(*run.ub));
	run.aw = xcalloc(run.nw + 1, sizeof(*run.aw));
	run.ab = xcalloc(L, sizeof(*run.ab));
	run.bw = xcalloc(run.nw + 1, sizeof(*run.bw));
	run.bb = xcalloc(L, sizeof(*run.bb));
	run.order = xcalloc(tr->nex, sizeof(*run.order));
	run.gold = xcalloc(tr->nex, sizeof(*run.gold));
	run.pred = xcalloc(tr->nex, sizeof(*run.pred));
	run.active = xcalloc(L, sizeof(*run.active));
	run.s = xcalloc(L, sizeof(*run.s));
	w = xcalloc(run.nw + 1, sizeof(*w));
	bias = xcalloc(L, sizeof(*bias));
	run.progress = o->progress;
	run.arg = o->arg;
	role = xcalloc(tr->nex, sizeof(*role));
	fold = xcalloc(tr->nex, sizeof(*fold));
	curve = xcalloc(o->epochs, sizeof(*curve));
	loss = xcalloc(o->epochs, sizeof(*loss));
	cv = tr->ndev == 0 && o->folds >= 2;
	if (cv) {
		/* folds of every label alike */
		size_t *seen = xcalloc(tr->nlabels, sizeof(*seen));

		for (size_t x = 0; x < tr->nex; x++)
			fold[x] = (unsigned)(seen[tr->ex[x].label]++ % o->folds);
		free(seen);
	}
	/*
	 * With dev records, or else by cross-validation on the training
	 * records, the epoch is chosen, and so are the penalty (with dev
	 * records, unless one is asked for; from a few that differ tenfold)
	 * and how much rare labels weigh (unless --no-balance): by the
	 * inverse of their frequency, its square root, or not at all.  The
	 * first of equals is kept.
	 */
	if (o->tune_l2 && tr->ndev) {
		l2s = l2grid;
		nl2 = sizeof(l2grid) / sizeof(l2grid[0]);
	} else {
		l2s = &o->l2;
		nl2 = 1;
	}
	if ((tr->ndev || cv) && o->balanced) {
		pows = powgrid;
		npow = sizeof(powgrid) / sizeof(powgrid[0]);
	} else {
		pows = o->balanced ? powgrid : &nopow;
		npow = 1;
	}
	res->dev_f1 = res->cv_f1 = -1;
	res->epoch = o->epochs;
	res->l2 = l2s[0];
	res->balance = pows[0];
	for (size_t g = 0; g < nl2 * npow && !run.diverged; g++) {
		double l2 = l2s[g / npow], pw = pows[g % npow], f1 = -1;
		unsigned ep = o->epochs;

		class_weights(tr, lmap, L, pw, cw);
		if (tr->ndev) {
			for (size_t x = 0; x < tr->nex; x++)
				role[x] = tr->ex[x].dev ? SCORE : LEARN;
			snprintf(stage, sizeof(stage), "L2 %g, balance %g", l2,
			    pw);
			f1 = sgd(&run, role, o, l2, o->epochs, stage, &ep, NULL,
			    NULL);
			if (g == 0 || f1 > res->dev_f1) {
				res->dev_f1 = f1;
				memcpy(w, run.bw, (run.nw + 1) * sizeof(*w));
				memcpy(bias, run.bb, L * sizeof(*bias));
			} else
				continue;
		} else if (cv) {
			memset(curve, 0, o->epochs * sizeof(*curve));
			memset(loss, 0, o->epochs * sizeof(*loss));
			for (unsigned k = 0; k < o->folds; k++) {
				for (size_t x = 0; x < tr->nex; x++)
					role[x] = fold[x] == k ? SCORE : LEARN;
				snprintf(stage, sizeof(stage), "L2 %g, balance "
				    "%g, fold %u/%u", l2, pw, k + 1, o->folds);
				sgd(&run, role, o, l2, o->epochs, stage, &ep,
				    curve, loss);
			}
			ep = 1;
			for (unsigned e = 1; e < o->epochs; e++)
				if (curve[e] > curve[ep - 1] || (curve[e] ==
				    curve[ep - 1] && loss[e] < loss[ep - 1]))
					ep = e + 1;
			f1 = curve[ep - 1] / o->folds;
			if (g == 0 || f1 > res->cv_f1)
				res->cv_f1 = f1;
			else
				continue;
		}
		res->epoch = ep;
		res->l2 = l2;
		res->balance = pw;
	}
	/* without dev records, every record is learnt from at the end */
	if (tr->ndev == 0 && !run.diverged) {
		memset(role, LEARN, tr->nex * sizeof(*role));
		class_weights(tr, lmap, L, res->balance, cw);
		if (cv)
			snprintf(stage, sizeof(stage), "L2 %g, balance %g, every "
			    "record", res->l2, res->balance);
		else
			snprintf(stage, sizeof(stage), "L2 %g", res->l2);
		sgd(&run, role, o, res->l2, res->epoch, stage, &res->epoch,
		    NULL, NULL);
		memcpy(w, run.bw, (run.nw + 1) * sizeof(*w));
		memcpy(bias, run.bb, L * sizeof(*bias));
	}
	diverged = run.diverged;
	free(fold);
	free(curve);
	free(loss);
	free(role);
	free(run.w);
	free(run.bias);
	free(run.uw);
	free(run.ub);
	free(run.aw);
	free(run.ab);
	free(run.bw);
	free(run.bb);
	free(run.order);
	free(run.gold);
	free(run.pred);
	free(run.active);
	free(run.s);
	free(cw);
	if (diverged || !sm_model_finite(w, nfeat * L) ||
	    !sm_model_finite(bias, L)) {
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
