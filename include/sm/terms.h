/* terms.h - the words and phrases most characteristic of a set of messages
 *
 * Messages are counted into classes (a topic, a queue, "this period"):
 * each message's words and two-word phrases, folded (case and accents)
 * and without function words, numbers, mentions or links, counted once a
 * message.  A class's characteristic terms are those whose share of its
 * messages is highest against the rest, by Dunning's log-likelihood
 * (sm_keyness), not the most frequent ones.  Memory is bounded: past the
 * maximum number of distinct terms, the rarest are forgotten (a term
 * seen once in a million messages is never characteristic).
 */
#ifndef SM_TERMS_H
#define SM_TERMS_H

#include <stddef.h>

/* Classes beyond this many are not counted. */
#define SM_TERMS_MAX_CLASSES 64

struct sm_terms;

struct sm_term {
	const char *text;	/* borrowed: valid until the next add or free */
	const char *shown;	/* the same, with the accents people write */
	size_t n;		/* messages of the class with it */
	size_t rest;		/* messages of the others with it */
	double keyness;		/* log-likelihood, positive */
};

/* max: distinct terms kept (0: a default of 200000). */
struct sm_terms *sm_terms_new(size_t max);
void sm_terms_free(struct sm_terms *t);

/* The index of the class called name, made on first use; -1 past the
 * maximum. */
int sm_terms_class(struct sm_terms *t, const char *name);
size_t sm_terms_nclasses(const struct sm_terms *t);
const char *sm_terms_class_name(const struct sm_terms *t, size_t cls);
/* Messages counted in the class. */
size_t sm_terms_messages(const struct sm_terms *t, size_t cls);

/* Counts one message's text in class cls. */
void sm_terms_add(struct sm_terms *t, int cls, const char *text, size_t n);

/*
 * The at most k terms most characteristic of class cls against the other
 * classes of t, best first, seen in at least min messages of the class.
 * Returns how many were put in out.
 */
size_t sm_terms_top(struct sm_terms *t, size_t cls, size_t min,
    struct sm_term *out, size_t k);

/*
 * The at most k terms whose share of the messages rose most from before
 * (all its classes) to now (all its classes), seen in at least min
 * messages now.
 */
size_t sm_terms_rising(struct sm_terms *now, struct sm_terms *before,
    size_t min, struct sm_term *out, size_t k);

/*
 * With on, sm_terms_top and sm_terms_rising leave out the terms written
 * as names (a capital inside a sentence) in most of their messages: the
 * names of people, and of streets and places, for a page that must not
 * show them.
 */
void sm_terms_no_names(struct sm_terms *t, int on);

/* Scores a text by the characteristic terms in it (a representative
 * message has many): the sum of their keyness. */
double sm_terms_score(struct sm_terms *t, const struct sm_term *top,
    size_t ntop, const char *text, size_t n);

#endif
