/* model.c - sm-classify's statistical model: features, training, prediction */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sm/atomic.h"
#include "sm/model.h"

#define MODEL_MAGIC	"SMMODEL\n"
#define MODEL_VERSION	1u
/* How text is normalised before features are taken: a model trained on
 * another normalisation would see other words. */
#define NORMALIZATION	"nfkc-casefold-nomarks/tokens-1"
#define NOROW		UINT32_MAX
#define MAXLABELS	4096u
#define MAXCHARWORD	40	/* longer words give no character n-grams */

/* ------------------------------------------------------------------ */
/* Features */

static uint32_t
mix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bU;
	h ^= h >> 13;
	h *= 0xc2b2ae35U;
	h ^= h >> 16;
	return h;
}

static uint32_t
fnv32(uint32_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619U;
	return h;
}

void
sm_fvec_free(struct sm_fvec *fv)
{
	free(fv->idx);
	free(fv->val);
	free(fv->name_off);
	free(fv->slots);
	free(fv->row);
	sm_buf_free(&fv->names);
	memset(fv, 0, sizeof(*fv));
}

static void
fvec_reset(struct sm_fvec *fv)
{
	fv->n = fv->split = 0;
	if (fv->slots)
		memset(fv->slots, 0, fv->capslots * sizeof(*fv->slots));
	sm_buf_reset(&fv->names);
}

/* Adds one occurrence of the feature kind+a+b (b may be empty). */
static void
fvec_add(struct sm_fvec *fv, uint32_t mask, char kind, const char *a,
    size_t an, const char *b, size_t bn)
{
	uint32_t h = 2166136261U, bucket;
	size_t i;

	h = fnv32(h, &kind, 1);
	h = fnv32(h, a, an);
	if (bn) {
		h = fnv32(h, " ", 1);
		h = fnv32(h, b, bn);
	}
	bucket = mix32(h) & mask;
	if ((fv->n + 1) * 2 > fv->capslots) {
		free(fv->slots);
		fv->capslots = fv->capslots ? fv->capslots * 2 : 256;
		fv->slots = xcalloc(fv->capslots, sizeof(*fv->slots));
		for (size_t e = 0; e < fv->n; e++) {
			for (i = mix32(fv->idx[e]) & (fv->capslots - 1);
			    fv->slots[i]; i = (i + 1) & (fv->capslots - 1))
				;
			fv->slots[i] = (uint32_t)e + 1;
		}
	}
	for (i = mix32(bucket) & (fv->capslots - 1); fv->slots[i];
	    i = (i + 1) & (fv->capslots - 1))
		if (fv->idx[fv->slots[i] - 1] == bucket) {
			fv->val[fv->slots[i] - 1] += 1;
			return;
		}
	if (fv->n == fv->cap) {
		fv->cap = fv->cap ? fv->cap * 2 : 256;
		fv->idx = xreallocarray(fv->idx, fv->cap, sizeof(*fv->idx));
		fv->val = xreallocarray(fv->val, fv->cap, sizeof(*fv->val));
		fv->row = xreallocarray(fv->row, fv->cap, sizeof(*fv->row));
		if (fv->keep_names)
			fv->name_off = xreallocarray(fv->name_off, fv->cap,
			    sizeof(*fv->name_off));
	}
	fv->slots[i] = (uint32_t)fv->n + 1;
	fv->idx[fv->n] = bucket;
	fv->val[fv->n] = 1;
	if (fv->keep_names) {
		if (fv->name_off == NULL)
			fv->name_off = xreallocarray(NULL, fv->cap,
			    sizeof(*fv->name_off));
		fv->name_off[fv->n] = fv->names.len;
		sm_buf_addc(&fv->names, kind);
		sm_buf_addc(&fv->names, ':');
		sm_buf_add(&fv->names, a, an);
		if (bn) {
			sm_buf_addc(&fv->names, ' ');
			sm_buf_add(&fv->names, b, bn);
		}
		sm_buf_addc(&fv->names, '\0');
	}
	fv->n++;
}

/* The word a token stands for in unigrams and bigrams. */
static void
token_word(const struct sm_text *t, const struct sm_token *tok,
    const char **s, size_t *n)
{
	switch (tok->type) {
	case SM_TOKEN_NUMBER:
		*s = tok->len > 4 ? "<long-number>" : "<number>";
		break;
	case SM_TOKEN_URL:
		*s = "<url>";
		break;
	case SM_TOKEN_MENTION:
		*s = "<mention>";
		break;
	default:
		*s = t->folded.data + tok->off;
		*n = tok->len;
		return;
	}
	*n = strlen(*s);
}

static void
add_string_field(struct sm_fvec *fv, uint32_t mask, char kind, json_t *rec,
    const char *key)
{
	json_t *v = json_object_get(rec, key);

	if (json_is_string(v))
		fvec_add(fv, mask, kind, json_string_value(v),
		    json_string_length(v), "", 0);
}

/* A link's host ("youtube.com"): spam and scams are told by where they
 * send people. */
static void
add_url_host(struct sm_fvec *fv, uint32_t mask, const char *s, size_t n)
{
	const char *end = s + n, *p = s, *h;

	for (const char *q = s; q + 2 < end; q++)
		if (q[0] == ':' && q[1] == '/' && q[2] == '/') {
			p = q + 3;
			break;
		}
	if (end - p > 4 && memcmp(p, "www.", 4) == 0)
		p += 4;
	for (h = p; h < end && *h != '/' && *h != '?' && *h != '#' &&
	    *h != ':'; h++)
		;
	if (h > p)
		fvec_add(fv, mask, 'u', p, (size_t)(h - p), "", 0);
	/* and the words it is made of ("giphy", "birthday", "watch") */
	while (p < end) {
		const char *q = p;

		while (q < end && ((*q >= 'a' && *q <= 'z') || (unsigned char)*q >= 0x80))
			q++;
		if (q - p >= 2)
			fvec_add(fv, mask, 'w', p, (size_t)(q - p), "", 0);
		p = q < end ? q + 1 : q;
	}
}

/* Runs of punctuation between the tokens: "!!", "?", ":)", "...". */
static void
add_punctuation(struct sm_fvec *fv, uint32_t mask, const struct sm_text *t)
{
	const char *s = t->folded.data;
	size_t at = 0;

	for (size_t i = 0; i <= t->ntokens; i++) {
		size_t to = i < t->ntokens ? t->tokens[i].off : t->folded.len;

		while (at < to) {
			size_t k = at;

			while (k < to && s[k] != ' ' && s[k] != '\n' &&
			    s[k] != '\t')
				k++;
			if (k > at)
				fvec_add(fv, mask, 'x', s + at, k - at > 3 ? 3 :
				    k - at, "", 0);
			at = k + 1;
		}
		if (i < t->ntokens)
			at = t->tokens[i].off + t->tokens[i].len;
	}
}

/* How much of the message is in capitals, in quarters. */
static void
add_shouting(struct sm_fvec *fv, uint32_t mask, const char *s, size_t n)
{
	size_t upper = 0, letters = 0;
	char q[2];

	for (size_t i = 0; i < n; i++) {
		if (s[i] >= 'A' && s[i] <= 'Z')
			upper++;
		else if (s[i] >= 'a' && s[i] <= 'z')
			letters++;
	}
	letters += upper;
	if (letters < 8)
		return;
	q[0] = (char)('0' + 4 * upper / (letters + 1));
	q[1] = '\0';
	fvec_add(fv, mask, 'C', q, 1, "", 0);
}

void
sm_featurize(const struct sm_features *f, const struct sm_message *msg,
    json_t *rec, struct sm_fvec *fv)
{
	const struct sm_text *t = &msg->text;
	uint32_t mask = (f->bits >= 32 ? 0 : (1U << f->bits)) - 1;
	const char *prev = NULL;
	size_t prevn = 0, words = 0;
	char lenbuf[16];

	fvec_reset(fv);
	for (size_t i = 0; i < t->ntokens; i++) {
		const struct sm_token *tok = &t->tokens[i];
		const char *w;
		size_t wn;

		token_word(t, tok, &w, &wn);
		fvec_add(fv, mask, 'w', w, wn, "", 0);
		if (tok->type == SM_TOKEN_URL)
			add_url_host(fv, mask, t->folded.data + tok->off,
			    tok->len);
		if (tok->type == SM_TOKEN_NUMBER) {
			snprintf(lenbuf, sizeof(lenbuf), "%zu", tok->len);
			fvec_add(fv, mask, 'n', lenbuf, strlen(lenbuf), "", 0);
			/* a short number is often a word: a year, a line */
			if (tok->len <= 4)
				fvec_add(fv, mask, 'w', t->folded.data +
				    tok->off, tok->len, "", 0);
		}
		if (tok->type == SM_TOKEN_MENTION || tok->type == SM_TOKEN_HASHTAG)
			fvec_add(fv, mask, tok->type == SM_TOKEN_MENTION ?
			    '@' : '#', t->folded.data + tok->off, tok->len,
			    "", 0);
		if (t->stemmed && tok->stem_len && (tok->stem_len != wn ||
		    memcmp(t->stems.data + tok->stem_off, w, wn) != 0))
			fvec_add(fv, mask, 's', t->stems.data + tok->stem_off,
			    tok->stem_len, "", 0);
		if (f->word_ngrams >= 2 && prev)
			fvec_add(fv, mask, 'b', prev, prevn, w, wn);
		prev = w;
		prevn = wn;
		words++;
	}
	/* how long the message is, in powers of two */
	snprintf(lenbuf, sizeof(lenbuf), "%d", words ? (int)log2((double)words) +
	    1 : 0);
	fvec_add(fv, mask, 'l', lenbuf, strlen(lenbuf), "", 0);
	add_punctuation(fv, mask, t);
	add_shouting(fv, mask, msg->raw.data, msg->raw.len);
	add_string_field(fv, mask, 'p', rec, "platform");
	add_string_field(fv, mask, 'k', rec, "kind");
	fv->split = fv->n;
	if (f->char_min == 0)
		return;
	for (size_t i = 0; i < t->ntokens; i++) {
		const struct sm_token *tok = &t->tokens[i];
		char word[MAXCHARWORD + 2];
		size_t n;

		if ((tok->type != SM_TOKEN_WORD && tok->type != SM_TOKEN_HASHTAG)
		    || tok->len > MAXCHARWORD)
			continue;
		word[0] = '<';
		memcpy(word + 1, t->folded.data + tok->off, tok->len);
		word[tok->len + 1] = '>';
		n = tok->len + 2;
		for (size_t k = f->char_min; k <= f->char_max && k <= n; k++)
			for (size_t s = 0; s + k <= n; s++)
				fvec_add(fv, mask, 'c', word + s, k, "", 0);
	}
}

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

static void
model_index(struct sm_model *m)
{
	m->capslots = 16;
	while (m->capslots < m->nfeat * 2)
		m->capslots *= 2;
	m->slots = xcalloc(m->capslots, sizeof(*m->slots));
	for (size_t r = 0; r < m->nfeat; r++) {
		size_t i;

		for (i = mix32(m->bucket[r]) & (m->capslots - 1); m->slots[i];
		    i = (i + 1) & (m->capslots - 1))
			;
		m->slots[i] = (uint32_t)r + 1;
	}
}

static uint32_t
model_row(const struct sm_model *m, uint32_t bucket)
{
	for (size_t i = mix32(bucket) & (m->capslots - 1); m->slots[i];
	    i = (i + 1) & (m->capslots - 1))
		if (m->bucket[m->slots[i] - 1] == bucket)
			return m->slots[i] - 1;
	return NOROW;
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

/*
 * Counts to sublinear TF-IDF, each group scaled to unit length; rows[]
 * gets each entry's row (NOROW for features the model never saw, which
 * then weigh nothing).
 */
static void
weigh(const float *idf, uint32_t *rows, float *val, size_t split, size_t n)
{
	size_t from = 0, to = split;

	for (int g = 0; g < 2; g++) {
		double norm = 0;

		for (size_t e = from; e < to; e++) {
			if (rows[e] == NOROW) {
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

/* Scores to probabilities.  Finite weights can still add up to an
 * infinite score in floats: the infinite labels then share it all. */
static void
softmax(double *s, size_t n)
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

/* Whether the n floats at v are all finite numbers. */
static int
all_finite(const float *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	return 1;
}

/*
 * Scores of x (rows, values) under w and bias into s; returns the best
 * label.  Summed in floats, which the compiler can vectorize.
 */
static size_t
scores(const float *restrict w, const float *restrict bias, size_t L,
    const uint32_t *restrict rows, const float *restrict val, size_t n,
    double *restrict s)
{
	float acc[64], *sum = L <= 64 ? acc : xcalloc(L, sizeof(*sum));
	size_t best = 0;

	for (size_t c = 0; c < L; c++)
		sum[c] = bias[c];
	for (size_t e = 0; e < n; e++) {
		const float *restrict wr;
		float v = val[e];

		if (rows[e] == NOROW || v == 0)
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
	weigh(m->idf, fv->row, fv->val, fv->split, fv->n);
	best = scores(m->w, m->bias, m->nlabels, fv->row, fv->val, fv->n,
	    probs);
	softmax(probs, m->nlabels);
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

		if (fv->row[e] == NOROW || fv->val[e] == 0)
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
 *   trained), padded with spaces to a multiple of 4;
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
parse_header(struct sm_model *m, json_t *h, const char *path,
    struct sm_error *err)
{
	json_t *labels = json_object_get(h, "labels");
	json_t *f = json_object_get(h, "features");
	json_t *norm = json_object_get(h, "normalization");
	json_int_t bits, wn, cmin, cmax;
	size_t i;
	json_t *l;

	if (!json_is_array(labels) || json_array_size(labels) < 1 ||
	    json_array_size(labels) > MAXLABELS ||
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
	    (unsigned)cmin, (unsigned)cmax };
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
	if (h == NULL || parse_header(m, h, path, err) < 0) {
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
	if (!all_finite(m->idf, m->nfeat) ||
	    !all_finite(m->w, m->nfeat * m->nlabels) ||
	    !all_finite(m->bias, m->nlabels)) {
		sm_error_set(err, path, 0, 0, "corrupt model (a weight is not "
		    "a finite number)");
		sm_model_free(m);
		return NULL;
	}
	model_index(m);
	return m;
}

/* ------------------------------------------------------------------ */
/* Training */

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
	struct sm_model *m;
	size_t L = 0, nfeat = 0, capslots = 1024, ntrain = 0, ndev = 0;
	uint32_t *lmap, *slots, *rows, *df, *bucket, *order, *dgold, *dpred;
	float *w, *bias, *bw = NULL, *bb = NULL, *idf, *cw;
	double *s, lrstep;
	uint32_t *active;
	size_t na;
	json_t *labels, *info;

	/* labels with training examples become the model's */
	lmap = xcalloc(tr->nlabels + 1, sizeof(*lmap));
	for (size_t i = 0; i < tr->nlabels; i++)
		lmap[i] = tr->count[i] ? (uint32_t)L++ : NOROW;
	if (tr->ntrain == 0 || L < 2 || L > MAXLABELS) {
		free(lmap);
		json_decref(meta);
		if (L > MAXLABELS)
			sm_error_set(err, NULL, 0, 0, "too many labels (%zu; at "
			    "most %u)", L, MAXLABELS);
		else
			sm_error_set(err, NULL, 0, 0, "%s", tr->ntrain == 0 ?
			    "no labelled records to learn from" :
			    "only one label in the training records: nothing "
			    "to tell apart");
		return NULL;
	}
	/* dev labels never seen in training get ids past the model's */
	for (size_t i = 0, extra = L; i < tr->nlabels; i++)
		if (lmap[i] == NOROW)
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

			for (i = mix32(tr->idx[k]) & (capslots - 1); slots[i] &&
			    bucket[slots[i] - 1] != tr->idx[k];
			    i = (i + 1) & (capslots - 1))
				;
			if (slots[i] == 0 && e->dev) {
				rows[k] = NOROW;
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
			renum[r] = df[r] >= o->min_df ? (uint32_t)kept : NOROW;
			if (renum[r] != NOROW) {
				bucket[kept] = bucket[r];
				df[kept] = df[r];
				kept++;
			}
		}
		for (size_t k = 0; k < tr->n; k++)
			if (rows[k] != NOROW)
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

		weigh(idf, rows + e->start, tr->cnt + e->start,
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

				scores(w, bias, L, xr, xv, n, s);
				softmax(s, L);
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

					if (xr[k] == NOROW)
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
					dpred[d++] = (uint32_t)scores(w, bias, L,
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
	if (!all_finite(w, nfeat * L) || !all_finite(bias, L)) {
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

	m = xcalloc(1, sizeof(*m));
	m->f = tr->f;
	m->nlabels = L;
	m->labels = xcalloc(L, sizeof(*m->labels));
	labels = json_array();
	for (size_t i = 0; i < tr->nlabels; i++)
		if (lmap[i] < L)
			m->labels[lmap[i]] = xstrdup(tr->labels[i]);
	for (size_t c = 0; c < L; c++)
		json_array_append_new(labels, json_string(m->labels[c]));
	free(lmap);
	m->nfeat = nfeat;
	m->bucket = bucket;
	m->idf = idf;
	m->w = w;
	m->bias = bias;
	model_index(m);
	info = json_pack("{s:o,s:{s:i,s:i,s:i,s:i},s:s,s:I,s:o}", "labels",
	    labels, "features", "bits", (int)tr->f.bits, "word_ngrams",
	    (int)tr->f.word_ngrams, "char_min", (int)tr->f.char_min,
	    "char_max", (int)tr->f.char_max, "normalization", NORMALIZATION,
	    "rows", (json_int_t)nfeat, "trained", meta ? meta : json_object());
	m->info = info;
	return m;
}
