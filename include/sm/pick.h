/* pick.h - read only the fields a tool needs from a JSON line */
#ifndef SM_PICK_H
#define SM_PICK_H

#include <stddef.h>
#include <jansson.h>

/*
 * A set of dotted paths ("id", "classify.topic", "reply").  A path names
 * the whole value found there, whatever it holds.
 */
struct sm_pick;

struct sm_pick *sm_pick_new(void);
void sm_pick_add(struct sm_pick *p, const char *path);
void sm_pick_free(struct sm_pick *p);

/*
 * Reads text[0..n) as one JSON object and returns a new object holding
 * only the picked paths, each as json_loadb would give it (the last of a
 * key named twice wins, as in jq).  All of the text is checked as
 * json_loadb checks it, with JSON_DECODE_ANY | JSON_ALLOW_NUL: the UTF-8,
 * the strings, the numbers' range, what follows the object.  What is not
 * picked is checked and skipped, never built.  *dup_keys (when not NULL)
 * tells whether an object of the text, picked or not, names a key twice.
 *
 * Returns NULL where json_loadb would fail, where the text is not an
 * object, and where it goes beyond what this reader takes (nesting
 * deeper than 256, an object of more than 64 keys, a key written with an
 * escape): the caller then reads the line with jansson, which says why.
 */
json_t *sm_pick_parse(struct sm_pick *p, const char *text, size_t n,
    int *dup_keys);

#endif
