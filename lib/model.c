/* model.c - sm-classify's statistical model: the model, its file,
 * prediction */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sm/atomic.h"
#include "sm/model.h"

#define MODEL_MAGIC	"SMMODEL\n"
/* 2: the header's features say what character n-grams are taken of
 * ("char_scope"); a file of version 1 took them of words alone. */
#define MODEL_VERSION	2u
/* How text is normalised before features are taken: a model trained on
 * another normalisation would see other words. */
#define NORMALIZATION	"nfkc-casefold-nomarks/tokens-1"

/* ------------------------------------------------------------------ */
/* The model */

struct sm_model {
	struct sm_features f;
	size_t nlabels;
	char **labels;
	size_t nfeat;
	uint32_t *bucket;	/* per row */
	float *idf;		/* per row */
	float *w;		/* nfeat x nlabels */
	float *bias;		/* nlabels */
	uint32_t *slots;	/* row + 1 by bucket */
	size_t capslots;
	json_t *info;
};

static const char *const char_scope_name[] = {
	[SM_CHARS_WORDS] = "words",
	[SM_CHARS_CHUNKS] = "chunks"
};

static void
model_index(struct sm_model *m)
{
	m->capslots = 16;
	while (m->capslots < m->nfeat * 2)
		m->capslots *= 2;
	m->slots = xcalloc(m->capslots, sizeof(*m->slots));
	for (size_t r = 0; r < m->nfeat; r++) {
		size_t i;

		for (i = sm_features_mix(m->bucket[r]) & (m->capslots - 1);
		    m->slots[i]; i = (i + 1) & (m->capslots - 1))
			;
		m->slots[i] = (uint32_t)r + 1;
	}
}

static uint32_t
model_row(const struct sm_model *m, uint32_t bucket)
{
	for (size_t i = sm_features_mix(bucket) & (m->capslots - 1);
	    m->slots[i]; i = (i + 1) & (m->capslots - 1))
		if (m->bucket[m->slots[i] - 1] == bucket)
			return m->slots[i] - 1;
	return SM_MODEL_NOROW;
}

struct sm_model *
sm_model_new(const struct sm_features *f, char **labels, size_t nlabels,
    size_t nfeat, uint32_t *bucket, float *idf, float *w, float *bias,
    json_t *meta)
{
	struct sm_model *m = xcalloc(1, sizeof(*m));
	json_t *names = json_array();

	m->f = *f;
	m->nlabels = nlabels;
	m->labels = labels;
	for (size_t c = 0; c < nlabels; c++)
		json_array_append_new(names, json_string(labels[c]));
	m->nfeat = nfeat;
	m->bucket = bucket;
	m->idf = idf;
	m->w = w;
	m->bias = bias;
	model_index(m);
	m->info = json_pack("{s:o,s:{s:i,s:i,s:i,s:i,s:s},s:s,s:I,s:o}",
	    "labels", names, "features", "bits", (int)f->bits, "word_ngrams",
	    (int)f->word_ngrams, "char_min", (int)f->char_min,
	    "char_max", (int)f->char_max, "char_scope", char_scope_name[
	    f->char_scope], "normalization", NORMALIZATION,
	    "rows", (json_int_t)nfeat, "trained", meta ? meta : json_object());
	return m;
}

void
sm_model_free(struct sm_model *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->nlabels; i++)
		free(m->labels[i]);
	free(m->labels);
	free(m->bucket);
	free(m->idf);
	free(m->w);
	free(m->bias);
	free(m->slots);
	json_decref(m->info);
	free(m);
}

const struct sm_features *
sm_model_features(const struct sm_model *m)
{
	return &m->f;
}

size_t
sm_model_nlabels(const struct sm_model *m)
{
	return m->nlabels;
}

const char *
sm_model_label(const struct sm_model *m, size_t i)
{
	return m->labels[i];
}

json_t *
sm_model_info(const struct sm_model *m)
{
	return m->info;
}

/* ------------------------------------------------------------------ */
/* Prediction, and the arithmetic training shares with it */

void
sm_model_weigh(const float *idf, const uint32_t *rows, float *val,
    size_t split, size_t n)
{
	size_t from = 0, to = split;

	for (int g = 0; g < 2; g++) {
		double norm = 0;

		for (size_t e = from; e < to; e++) {
			if (rows[e] == SM_MODEL_NOROW) {
				val[e] = 0;
				continue;
			}
			val[e] = (float)((1 + log(val[e])) * idf[rows[e]]);
			norm += (double)val[e] * val[e];
		}
		if (norm > 0) {
			norm = 1 / sqrt(norm);
			for (size_t e = from; e < to; e++)
				val[e] = (float)(val[e] * norm);
		}
		from = split;
		to = n;
	}
}

/* Finite weights can still add up to an infinite score in floats: the
 * infinite labels then share it all. */
void
sm_model_softmax(double *s, size_t n)
{
	double max = -INFINITY, sum = 0;

	for (size_t c = 0; c < n; c++)
		if (s[c] > max)
			max = s[c];
	for (size_t c = 0; c < n; c++) {
		if (isnan(s[c]))
			s[c] = 0;
		else if (isinf(max))
			s[c] = s[c] == max || max < 0;
		else
			s[c] = exp(s[c] - max);
		sum += s[c];
	}
	for (size_t c = 0; c < n; c++)
		s[c] = sum > 0 ? s[c] / sum : 1.0 / (double)n;
}

int
sm_model_finite(const float *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	return 1;
}

/* Summed in floats, which the compiler can vectorize. */
size_t
sm_model_scores(const float *restrict w, const float *restrict bias,
    size_t L, const uint32_t *restrict rows, const float *restrict val,
    size_t n, double *restrict s)
{
	float acc[64], *sum = L <= 64 ? acc : xcalloc(L, sizeof(*sum));
	size_t best = 0;

	for (size_t c = 0; c < L; c++)
		sum[c] = bias[c];
	for (size_t e = 0; e < n; e++) {
		const float *restrict wr;
		float v = val[e];

		if (rows[e] == SM_MODEL_NOROW || v == 0)
			continue;
		wr = w + (size_t)rows[e] * L;
		for (size_t c = 0; c < L; c++)
			sum[c] += v * wr[c];
	}
	for (size_t c = 0; c < L; c++) {
		s[c] = sum[c];
		if (s[c] > s[best])
			best = c;
	}
	if (sum != acc)
		free(sum);
	return best;
}

size_t
sm_model_predict(const struct sm_model *m, struct sm_fvec *fv, double *probs)
{
	size_t best;

	for (size_t e = 0; e < fv->n; e++)
		fv->row[e] = model_row(m, fv->idx[e]);
	sm_model_weigh(m->idf, fv->row, fv->val, fv->split, fv->n);
	best = sm_model_scores(m->w, m->bias, m->nlabels, fv->row, fv->val,
	    fv->n, probs);
	sm_model_softmax(probs, m->nlabels);
	return best;
}

json_t *
sm_model_explain(const struct sm_model *m, const struct sm_fvec *fv,
    size_t label, size_t k)
{
	json_t *out = json_array();
	size_t *top = xcalloc(k ? k : 1, sizeof(*top)), ntop = 0;
	double *contrib = xcalloc(fv->n ? fv->n : 1, sizeof(*contrib));

	/* what a feature adds to label beyond what it adds to the others on
	 * average: a word common to every label explains nothing */
	for (size_t e = 0; e < fv->n; e++) {
		const float *wr;
		double mean = 0;

		if (fv->row[e] == SM_MODEL_NOROW || fv->val[e] == 0)
			continue;
		wr = m->w + (size_t)fv->row[e] * m->nlabels;
		for (size_t c = 0; c < m->nlabels; c++)
			mean += wr[c];
		mean /= (double)m->nlabels;
		contrib[e] = fv->val[e] * (wr[label] - mean);
		if (contrib[e] <= 0)
			continue;
		if (ntop < k)
			top[ntop++] = e;
		else if (k && contrib[e] > contrib[top[k - 1]])
			top[k - 1] = e;
		else
			continue;
		for (size_t j = ntop - 1; j > 0 &&
		    contrib[top[j]] > contrib[top[j - 1]]; j--) {
			size_t tmp = top[j];

			top[j] = top[j - 1];
			top[j - 1] = tmp;
		}
	}
	for (size_t j = 0; j < ntop; j++)
		json_array_append_new(out, json_pack("{s:s,s:f}", "feature",
		    fv->keep_names ? fv->names.data + fv->name_off[top[j]] :
		    "?", "weight", round(contrib[top[j]] * 1e4) / 1e4));
	free(top);
	free(contrib);
	return out;
}

/* ------------------------------------------------------------------ */
/* The file */

static void
put32(struct sm_buf *b, uint32_t v)
{
	unsigned char p[4] = { (unsigned char)v, (unsigned char)(v >> 8),
	    (unsigned char)(v >> 16), (unsigned char)(v >> 24) };

	sm_buf_add(b, p, 4);
}

static void
put64(struct sm_buf *b, uint64_t v)
{
	put32(b, (uint32_t)v);
	put32(b, (uint32_t)(v >> 32));
}

static void
putf(struct sm_buf *b, float f)
{
	uint32_t v;

	memcpy(&v, &f, 4);
	put32(b, v);
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
get64(const unsigned char *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static float
getf(const unsigned char *p)
{
	uint32_t v = get32(p);
	float f;

	memcpy(&f, &v, 4);
	return f;
}

static uint64_t
fnv64(const unsigned char *p, size_t n)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

/*
 * Layout, little-endian:
 *   magic "SMMODEL\n"; u32 version; u32 flags (0); u64 file size;
 *   u32 header length; header: JSON (labels, features, normalization,
 *   trained), padded with spaces to a multiple of 4 (version 1: no
 *   features.char_scope, which is then "words");
 *   u32 bucket[nfeat]; f32 idf[nfeat]; f32 w[nfeat][nlabels];
 *   f32 bias[nlabels]; u64 FNV-1a of every byte before it.
 */
#define FIXED_HEAD	28

int
sm_model_save(const struct sm_model *m, const char *path, struct sm_error *err)
{
	struct sm_buf b = { 0 };
	char *head = json_dumps(m->info, JSON_COMPACT | JSON_REAL_PRECISION(10));
	size_t hlen = strlen(head), total;
	char *tmp;
	int rc;
	FILE *fp;

	sm_buf_add(&b, MODEL_MAGIC, 8);
	put32(&b, MODEL_VERSION);
	put32(&b, 0);
	put64(&b, 0);		/* size, filled in below */
	put32(&b, (uint32_t)((hlen + 3) & ~(size_t)3));
	sm_buf_add(&b, head, hlen);
	while (b.len % 4)
		sm_buf_addc(&b, ' ');
	free(head);
	for (size_t r = 0; r < m->nfeat; r++)
		put32(&b, m->bucket[r]);
	for (size_t r = 0; r < m->nfeat; r++)
		putf(&b, m->idf[r]);
	for (size_t i = 0; i < m->nfeat * m->nlabels; i++)
		putf(&b, m->w[i]);
	for (size_t c = 0; c < m->nlabels; c++)
		putf(&b, m->bias[c]);
	total = b.len + 8;
	for (int i = 0; i < 8; i++)
		b.data[16 + i] = (char)((uint64_t)total >> (8 * i));
	put64(&b, fnv64((unsigned char *)b.data, b.len));

	if ((fp = sm_atomic_open(path, SM_MODE_PUBLIC, &tmp, err)) == NULL)
		rc = -1;
	else {
		fwrite(b.data, 1, b.len, fp);	/* errors: at the commit */
		rc = sm_atomic_commit(fp, tmp, path, err);
	}
	sm_buf_free(&b);
	return rc;
}

static int
read_file(const char *path, unsigned char **data, size_t *len,
    struct sm_error *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY);
	size_t got = 0;

	if (fd < 0)
		return sm_error_set(err, path, 0, 0, "%s", strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return sm_error_set(err, path, 0, 0, "not a regular file");
	}
	*len = (size_t)st.st_size;
	*data = xmalloc(*len ? *len : 1);
	while (got < *len) {
		ssize_t r = read(fd, *data + got, *len - got);

		if (r <= 0) {
			int e = r < 0 ? errno : EIO;

			close(fd);
			free(*data);
			return sm_error_set(err, path, 0, 0, "read error: %s",
			    strerror(e));
		}
		got += (size_t)r;
	}
	close(fd);
	return 0;
}

static int
parse_header(struct sm_model *m, json_t *h, uint32_t version,
    const char *path, struct sm_error *err)
{
	json_t *labels = json_object_get(h, "labels");
	json_t *f = json_object_get(h, "features");
	json_t *norm = json_object_get(h, "normalization");
	json_t *scope = json_object_get(f, "char_scope");
	enum sm_char_scope cs = SM_CHARS_WORDS;
	json_int_t bits, wn, cmin, cmax;
	size_t i;
	json_t *l;

	if (version >= 2) {
		size_t k = 0, nk = sizeof(char_scope_name) /
		    sizeof(char_scope_name[0]);

		while (k < nk && !(json_is_string(scope) &&
		    strcmp(char_scope_name[k], json_string_value(scope)) == 0))
			k++;
		if (k == nk)
			return sm_error_set(err, path, 0, 0, "corrupt model "
			    "header (char_scope)");
		cs = (enum sm_char_scope)k;
	}

	if (!json_is_array(labels) || json_array_size(labels) < 1 ||
	    json_array_size(labels) > SM_MODEL_MAXLABELS ||
	    json_unpack(f, "{s:I,s:I,s:I,s:I}", "bits", &bits, "word_ngrams",
	    &wn, "char_min", &cmin, "char_max", &cmax) != 0 ||
	    bits < 8 || bits > 30 || wn < 1 || wn > 2 || cmin < 0 ||
	    cmax < cmin || cmax > 10 || (cmin == 0 && cmax != 0) ||
	    !json_is_integer(json_object_get(h, "rows")))
		return sm_error_set(err, path, 0, 0, "corrupt model header");
	if (!json_is_string(norm) || strcmp(json_string_value(norm),
	    NORMALIZATION) != 0)
		return sm_error_set(err, path, 0, 0, "the model was trained "
		    "with another text normalization (%s); train it again "
		    "with this sm-classify", json_is_string(norm) ?
		    json_string_value(norm) : "?");
	m->f = (struct sm_features){ (unsigned)bits, (unsigned)wn,
	    (unsigned)cmin, (unsigned)cmax, cs };
	m->nlabels = json_array_size(labels);
	m->labels = xcalloc(m->nlabels, sizeof(*m->labels));
	json_array_foreach(labels, i, l) {
		if (!json_is_string(l))
			return sm_error_set(err, path, 0, 0,
			    "corrupt model header");
		m->labels[i] = xstrdup(json_string_value(l));
	}
	m->nfeat = (size_t)json_integer_value(json_object_get(h, "rows"));
	return 0;
}

struct sm_model *
sm_model_load(const char *path, struct sm_error *err)
{
	unsigned char *d = NULL, *p;
	size_t len = 0, hlen, need;
	uint32_t version;
	uint64_t size;
	struct sm_model *m;
	json_t *h;
	json_error_t jerr;

	if (read_file(path, &d, &len, err) < 0)
		return NULL;
	if (len < 8 || memcmp(d, MODEL_MAGIC, 8) != 0) {
		sm_error_set(err, path, 0, 0, "not an sm-classify model");
		free(d);
		return NULL;
	}
	if (len < FIXED_HEAD + 8) {
		sm_error_set(err, path, 0, 0, "truncated model (%zu bytes)",
		    len);
		free(d);
		return NULL;
	}
	version = get32(d + 8);
	size = get64(d + 16);
	if (version > MODEL_VERSION || version == 0) {
		sm_error_set(err, path, 0, 0, "model format version %u; this "
		    "sm-classify reads version %u", version, MODEL_VERSION);
		free(d);
		return NULL;
	}
	if (size != len) {
		sm_error_set(err, path, 0, 0, size > len ?
		    "truncated model (%zu of %llu bytes)" :
		    "corrupt model (%zu bytes where %llu were written)", len,
		    (unsigned long long)size);
		free(d);
		return NULL;
	}
	if (fnv64(d, len - 8) != get64(d + len - 8)) {
		sm_error_set(err, path, 0, 0, "corrupt model (checksum "
		    "mismatch)");
		free(d);
		return NULL;
	}
	hlen = get32(d + 24);
	if (hlen > len - FIXED_HEAD - 8 || get32(d + 12) != 0) {
		sm_error_set(err, path, 0, 0, "corrupt model header");
		free(d);
		return NULL;
	}
	h = json_loadb((char *)d + FIXED_HEAD, hlen, 0, &jerr);
	m = xcalloc(1, sizeof(*m));
	if (h == NULL || parse_header(m, h, version, path, err) < 0) {
		if (h == NULL)
			sm_error_set(err, path, 0, 0, "corrupt model header");
		json_decref(h);
		sm_model_free(m);
		free(d);
		return NULL;
	}
	m->info = h;
	need = FIXED_HEAD + hlen + 4 * (2 * m->nfeat + m->nfeat * m->nlabels +
	    m->nlabels) + 8;
	if (m->nfeat > len || need != len) {
		sm_error_set(err, path, 0, 0, "corrupt model (sizes do not "
		    "add up)");
		sm_model_free(m);
		free(d);
		return NULL;
	}
	p = d + FIXED_HEAD + hlen;
	m->bucket = xcalloc(m->nfeat ? m->nfeat : 1, sizeof(*m->bucket));
	m->idf = xcalloc(m->nfeat ? m->nfeat : 1, sizeof(*m->idf));
	m->w = xcalloc(m->nfeat * m->nlabels + 1, sizeof(*m->w));
	m->bias = xcalloc(m->nlabels, sizeof(*m->bias));
	for (size_t r = 0; r < m->nfeat; r++, p += 4)
		m->bucket[r] = get32(p);
	for (size_t r = 0; r < m->nfeat; r++, p += 4)
		m->idf[r] = getf(p);
	for (size_t i = 0; i < m->nfeat * m->nlabels; i++, p += 4)
		m->w[i] = getf(p);
	for (size_t c = 0; c < m->nlabels; c++, p += 4)
		m->bias[c] = getf(p);
	free(d);
	/* a NaN would come out as a probability that is not JSON */
	if (!sm_model_finite(m->idf, m->nfeat) ||
	    !sm_model_finite(m->w, m->nfeat * m->nlabels) ||
	    !sm_model_finite(m->bias, m->nlabels)) {
		sm_error_set(err, path, 0, 0, "corrupt model (a weight is not "
		    "a finite number)");
		sm_model_free(m);
		return NULL;
	}
	model_index(m);
	return m;
}
