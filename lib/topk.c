/* topk.c - the N lines of lowest score in a stream */
#include <stdlib.h>
#include <string.h>

#include "sm/topk.h"
#include "sm/util.h"

static int
above(const struct sm_topk_item *a, const struct sm_topk_item *b)
{
	return a->score > b->score || (a->score == b->score && a->seq > b->seq);
}

static void
swap(struct sm_topk_item *a, struct sm_topk_item *b)
{
	struct sm_topk_item t = *a;

	*a = *b;
	*b = t;
}

static void
down(struct sm_topk *k, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, top = i;

		if (l < k->n && above(&k->heap[l], &k->heap[top]))
			top = l;
		if (r < k->n && above(&k->heap[r], &k->heap[top]))
			top = r;
		if (top == i)
			return;
		swap(&k->heap[i], &k->heap[top]);
		i = top;
	}
}

void
sm_topk_init(struct sm_topk *k, size_t max)
{
	memset(k, 0, sizeof(*k));
	k->max = max;
}

int
sm_topk_wants(const struct sm_topk *k, double score)
{
	if (k->max == 0)
		return 0;
	return k->n < k->max || score < k->heap[0].score;
}

void
sm_topk_add(struct sm_topk *k, double score, char *line)
{
	struct sm_topk_item it = { score, k->seq++, line };
	size_t i;

	if (!sm_topk_wants(k, score)) {
		free(line);
		return;
	}
	if (k->n < k->max) {
		i = k->n++;
		if (i == k->cap) {
			k->cap = k->cap ? k->cap * 2 : 64;
			k->heap = xreallocarray(k->heap, k->cap,
			    sizeof(*k->heap));
		}
		k->heap[i] = it;
		for (; i > 0 && above(&k->heap[i], &k->heap[(i - 1) / 2]);
		    i = (i - 1) / 2)
			swap(&k->heap[i], &k->heap[(i - 1) / 2]);
		return;
	}
	free(k->heap[0].line);
	k->heap[0] = it;
	down(k, 0);
}

static int
cmp(const void *a, const void *b)
{
	return above(a, b) ? 1 : above(b, a) ? -1 : 0;
}

const struct sm_topk_item *
sm_topk_sorted(struct sm_topk *k, size_t *n)
{
	if (k->n)
		qsort(k->heap, k->n, sizeof(*k->heap), cmp);
	*n = k->n;
	return k->heap;
}

void
sm_topk_free(struct sm_topk *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		free(k->heap[i].line);
	free(k->heap);
	memset(k, 0, sizeof(*k));
}
