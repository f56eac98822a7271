/* topk.h - the N lines of lowest score in a stream, in constant memory
 *
 * sm-classify --uncertain keeps the records its models were least sure
 * of; sm-report will keep the slowest answers the same way.  A heap of N
 * entries, the highest score on top; among equal scores the one seen
 * first ranks lower, so the result does not depend on heap order.
 */
#ifndef SM_TOPK_H
#define SM_TOPK_H

#include <stddef.h>

struct sm_topk_item {
	double score;
	unsigned long seq;	/* arrival order */
	char *line;		/* owned */
};

struct sm_topk {
	size_t max;		/* N */
	size_t n, cap;
	unsigned long seq;
	struct sm_topk_item *heap;
};

/* Starts empty, to keep at most max lines. */
void sm_topk_init(struct sm_topk *k, size_t max);

/* 1 when a line of this score would be kept (build it only then). */
int sm_topk_wants(const struct sm_topk *k, double score);

/* Offers a line (a string from malloc that the topk now owns). */
void sm_topk_add(struct sm_topk *k, double score, char *line);

/*
 * Sorts what is kept, lowest score first (then arrival), and returns it:
 * *n items, valid until sm_topk_free.
 */
const struct sm_topk_item *sm_topk_sorted(struct sm_topk *k, size_t *n);

void sm_topk_free(struct sm_topk *k);

#endif
