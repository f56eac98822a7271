/* dedup.c - near-duplicate texts within a time window (MinHash, LSH) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sm/dedup.h"
#include "sm/text.h"
#include "sm/util.h"

#define BANDS 8
#define ROWS (SM_DEDUP_K / BANDS)

struct entry {
	char *id;
	struct sm_dedup_sig sig;
	time_t at;
	unsigned seen;		/* the last search that compared it */
};

struct slot {
	uint64_t key;		/* band and its values hashed; 0: free */
	size_t *idx;		/* entries, an array read straight through */
	size_t n, cap;
};

struct sm_dedup {
	time_t window;
	double threshold;
	struct entry *e;
	size_t n, cap;
	size_t kept;		/* entries after the last sweep */
	time_t newest;
	struct slot *slots;	/* open addressing */
	size_t nslots, used;
	unsigned search;	/* searches made, for entry.seen */
};

static uint64_t
mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t
word_hash(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n--)
		h = (h ^ (unsigned char)*p++) * 0x100000001b3ULL;
	return h;
}

static int
word_byte(unsigned char c)
{
	return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
}

int
sm_dedup_sign(const char *text, size_t n, struct sm_dedup_sig *sig,
    struct sm_buf *work)
{
	struct sm_buf own = { 0 }, *fb = work ? work : &own, f;
	uint64_t w[3] = { 0 }, h1, h2;
	size_t i = 0, words = 0, len;
	int k;

	for (k = 0; k < SM_DEDUP_K; k++)
		sig->v[k] = UINT32_MAX;
	sm_buf_reset(fb);
	if (sm_text_fold(fb, text, n) < 0) {
		sm_buf_free(&own);
		return -1;
	}
	f = *fb;
	while (i < f.len) {
		while (i < f.len && !word_byte((unsigned char)f.data[i]))
			i++;
		for (len = 0; i + len < f.len &&
		    word_byte((unsigned char)f.data[i + len]); len++)
			;
		if (len == 0)
			break;
		w[0] = w[1];
		w[1] = w[2];
		w[2] = word_hash(f.data + i, len);
		i += len;
		if (++words < 3)
			continue;
		/* the k-th hash of a shingle is h1 + k * h2: two mixes a
		 * shingle, not 32 */
		h1 = mix(w[0] ^ mix(w[1] + 1) ^ mix(w[2] + 2));
		h2 = mix(h1) | 1;
		for (k = 0; k < SM_DEDUP_K; k++) {
			uint32_t v = (uint32_t)((h1 + (uint64_t)k * h2) >> 32);

			sig->v[k] = v < sig->v[k] ? v : sig->v[k];
		}
	}
	sm_buf_free(&own);
	return words < SM_DEDUP_MIN_WORDS ? -1 : 0;
}

double
sm_dedup_similarity(const struct sm_dedup_sig *a, const struct sm_dedup_sig *b)
{
	int k, same = 0;

	for (k = 0; k < SM_DEDUP_K; k++)
		same += a->v[k] == b->v[k];
	return (double)same / SM_DEDUP_K;
}

static uint64_t
band_key(const struct sm_dedup_sig *s, int b)
{
	uint64_t h = mix((uint64_t)b + 1);
	int r;

	for (r = 0; r < ROWS; r++)
		h = mix(h ^ s->v[b * ROWS + r]);
	return h ? h : 1;
}

static struct slot *
slot_for(struct sm_dedup *d, uint64_t key, int add)
{
	size_t i, mask;

	if (add && (d->used + 1) * 2 > d->nslots) {
		struct slot *old = d->slots;
		size_t n = d->nslots, j;

		d->nslots = n ? n * 2 : 1024;
		d->slots = xcalloc(d->nslots, sizeof(*d->slots));
		for (j = 0; j < n; j++)
			if (old[j].key) {
				mask = d->nslots - 1;
				for (i = old[j].key & mask; d->slots[i].key;
				    i = (i + 1) & mask)
					;
				d->slots[i] = old[j];
			}
		free(old);
	}
	if (d->nslots == 0)
		return NULL;
	mask = d->nslots - 1;
	for (i = key & mask; d->slots[i].key; i = (i + 1) & mask)
		if (d->slots[i].key == key)
			return &d->slots[i];
	if (!add)
		return NULL;
	d->slots[i].key = key;
	d->used++;
	return &d->slots[i];
}

static void
index_entry(struct sm_dedup *d, size_t idx)
{
	struct slot *s;
	int b;

	for (b = 0; b < BANDS; b++) {
		s = slot_for(d, band_key(&d->e[idx].sig, b), 1);
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 2;
			s->idx = xreallocarray(s->idx, s->cap, sizeof(*s->idx));
		}
		s->idx[s->n++] = idx;
	}
}

struct sm_dedup *
sm_dedup_new(time_t window, double threshold)
{
	struct sm_dedup *d = xcalloc(1, sizeof(*d));

	d->window = window;
	d->threshold = threshold;
	return d;
}

static void
drop_index(struct sm_dedup *d)
{
	size_t i;

	for (i = 0; i < d->nslots; i++)
		free(d->slots[i].idx);
	free(d->slots);
	d->slots = NULL;
	d->nslots = d->used = 0;
}

void
sm_dedup_free(struct sm_dedup *d)
{
	size_t i;

	if (d == NULL)
		return;
	drop_index(d);
	for (i = 0; i < d->n; i++)
		free(d->e[i].id);
	free(d->e);
	free(d);
}

/* Forgets what is older than the window, and indexes the rest anew. */
static void
sweep(struct sm_dedup *d)
{
	size_t i, j = 0;

	drop_index(d);
	for (i = 0; i < d->n; i++) {
		if (d->e[i].at + d->window < d->newest) {
			free(d->e[i].id);
			continue;
		}
		d->e[j++] = d->e[i];
	}
	d->n = d->kept = j;
	for (i = 0; i < d->n; i++)
		index_entry(d, i);
}

const char *
sm_dedup_find(struct sm_dedup *d, const struct sm_dedup_sig *sig, time_t at)
{
	struct entry *best = NULL, *e;
	struct slot *s;
	size_t i;
	int b;

	/* an entry found in several bands is compared once */
	if (++d->search == 0) {
		for (i = 0; i < d->n; i++)
			d->e[i].seen = 0;
		d->search = 1;
	}
	for (b = 0; b < BANDS; b++) {
		if ((s = slot_for(d, band_key(sig, b), 0)) == NULL)
			continue;
		for (i = 0; i < s->n; i++) {
			e = &d->e[s->idx[i]];
			if (e->seen == d->search)
				continue;
			e->seen = d->search;
			if ((e->at > at ? e->at - at : at - e->at) > d->window ||
			    (best && (e->at > best->at || (e->at == best->at &&
			    strcmp(e->id, best->id) >= 0))))
				continue;
			if (sm_dedup_similarity(&e->sig, sig) >= d->threshold)
				best = e;
		}
	}
	return best ? best->id : NULL;
}

void
sm_dedup_add(struct sm_dedup *d, const char *id,
    const struct sm_dedup_sig *sig, time_t at)
{
	if (at > d->newest)
		d->newest = at;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 256;
		d->e = xreallocarray(d->e, d->cap, sizeof(*d->e));
	}
	d->e[d->n].id = xstrdup(id);
	d->e[d->n].sig = *sig;
	d->e[d->n].at = at;
	d->e[d->n].seen = 0;
	index_entry(d, d->n++);
	if (d->n > 1024 && d->n > 2 * d->kept)
		sweep(d);
}

void
sm_dedup_sig_format(const struct sm_dedup_sig *sig,
    char out[SM_DEDUP_K * 8 + 1])
{
	static const char hex[] = "0123456789abcdef";
	int k, j;

	for (k = 0; k < SM_DEDUP_K; k++)
		for (j = 0; j < 8; j++)
			out[8 * k + j] = hex[(sig->v[k] >> (28 - 4 * j)) & 15];
	out[8 * SM_DEDUP_K] = '\0';
}

int
sm_dedup_sig_parse(const char *s, struct sm_dedup_sig *sig)
{
	char part[9];
	char *end;
	int k;

	if (strlen(s) != SM_DEDUP_K * 8)
		return -1;
	for (k = 0; k < SM_DEDUP_K; k++) {
		memcpy(part, s + 8 * k, 8);
		part[8] = '\0';
		sig->v[k] = (uint32_t)strtoul(part, &end, 16);
		if (*end)
			return -1;
	}
	return 0;
}
