/* prefilter.h - which regexes can match a text, told by its words
 *
 * Most rule regexes are made of known words: (?<!\p{L})(sigue|siguen)
 * (igual|sin), \b(parking|parked)\b, (me|te) (va|van) a matar.  Such a
 * regex cannot match a text unless, for each of its places, one of that
 * place's words stands whole in it, so it need not run elsewhere.  The
 * words are read off the pattern, place after place, as long as it is
 * simple enough to be sure of them (up to 16 places); a regex of which no
 * place can be read always runs.  Words are compared folded, as
 * sm_text_fold folds them, with the runs of letters of the message's
 * folded text.
 */
#ifndef SM_PREFILTER_H
#define SM_PREFILTER_H

#include <stddef.h>

struct sm_prefilter;

struct sm_prefilter *sm_prefilter_new(void);
void sm_prefilter_free(struct sm_prefilter *pf);

/*
 * Reads the places of pattern (PCRE2 syntax, case-insensitive) whose words
 * every match must hold.  Returns 1 and files them under id (ids are
 * small: they index armed) when it can be sure of at least one; 0 when the
 * regex must always run.  words, when not NULL, gets them, folded and
 * NUL-separated, with "|" between places, for tests.
 */
int sm_prefilter_add(struct sm_prefilter *pf, const char *pattern, size_t id,
    char *words, size_t size);

/*
 * Sets armed[id] = stamp for every filed regex that has, for each of its
 * places, one of the place's words standing in folded, the message's
 * folded text.
 */
void sm_prefilter_scan(struct sm_prefilter *pf, const char *folded,
    size_t n, unsigned *armed, unsigned stamp);

/* The same for an analyzed text, from its tokens and their hashes. */
struct sm_text;
void sm_prefilter_scan_text(struct sm_prefilter *pf,
    const struct sm_text *t, unsigned *armed, unsigned stamp);

#endif
