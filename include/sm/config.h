/* config.h - sm.yaml: lookup, YAML to JSON with places kept, validation */
#ifndef SM_CONFIG_H
#define SM_CONFIG_H

#include <jansson.h>

#include "sm/error.h"

struct sm_config;

/* Where a node came from; file is owned by the configuration. */
struct sm_mark {
	const char *file;
	int line;
	int column;
};

/*
 * Loads the configuration.  With path NULL it is looked up: $SM_CONFIG,
 * ./sm.yaml, $XDG_CONFIG_HOME/sm/sm.yaml (or ~/.config/sm/sm.yaml),
 * /etc/sm/sm.yaml; when none exists the result is an empty configuration
 * whose sm_config_path is NULL.  include: is resolved while loading.
 * Returns NULL with err set on failure.
 */
struct sm_config *sm_config_load(const char *path, struct sm_error *err);

/* Loads YAML text; name is used in messages and to resolve includes. */
struct sm_config *sm_config_load_string(const char *text, const char *name,
    struct sm_error *err);

void sm_config_free(struct sm_config *cfg);

/* The file that was loaded, or NULL when there was none. */
const char *sm_config_path(const struct sm_config *cfg);

/* The whole document (an object); borrowed. */
json_t *sm_config_root(const struct sm_config *cfg);

/* The section for one tool ("classify"), or NULL; borrowed. */
json_t *sm_config_section(const struct sm_config *cfg, const char *name);

/* Fills mark with where node was written; returns -1 if it is not known. */
int sm_config_mark(const struct sm_config *cfg, const json_t *node,
    struct sm_mark *mark);

/*
 * Where a string's text itself starts: its mark, one column on for a
 * quoted scalar, the next line (column 1: columns then count within the
 * block) for a block scalar (| or >).  For places within a template.
 */
int sm_config_text_mark(const struct sm_config *cfg, const json_t *node,
    struct sm_mark *mark);

/* Sets err to "FILE:LINE:COLUMN: text" at node's place; returns -1. */
int sm_config_error(const struct sm_config *cfg, const json_t *node,
    struct sm_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * A warning at node's place: what loads but is likely not what was
 * meant.  The library says nothing: the configuration keeps its warnings
 * (a part it is given to, const, may add to them; one said twice is kept
 * once) for the tool to say.
 */
void sm_config_warn(const struct sm_config *cfg, const json_t *node,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The warnings so far, in the order they were found; borrowed. */
size_t sm_config_nwarnings(const struct sm_config *cfg);
const struct sm_error *sm_config_warning(const struct sm_config *cfg,
    size_t i);

/* 1 when node is a string written plain in YAML: no quotes, no | or >. */
int sm_config_plain(const struct sm_config *cfg, const json_t *node);

/*
 * Checks that node is an object whose keys are all in allowed (a NULL
 * terminated list); where names the node in messages ("classify.rules[3]").
 */
int sm_config_check_keys(const struct sm_config *cfg, const json_t *node,
    const char *where, const char *const *allowed, struct sm_error *err);

/*
 * How messages name item idx of a list of named items (rules): by its
 * name as well as its index, "route.rules[3] (name 'potholes')", so that
 * whoever wrote it in a file that includes others finds it; by its index
 * alone while it has no name (a non-empty string).  list is where the
 * list is ("route.rules").  Returns buf.
 */
const char *sm_config_item_where(const json_t *item, const char *list,
    size_t idx, char *buf, size_t size);

/*
 * The name among known (n names) that name is most likely a typo of: the
 * nearest in edits (a letter added, dropped or changed, two swapped), at
 * most one away from a known name of up to short_len bytes and two from
 * a longer one; NULL when none is that near, or name is one of them.
 */
const char *sm_config_near(const char *name, const char *const *known,
    size_t n, size_t short_len);

/* The name of a node's type as a user would say it: "a mapping", ... */
const char *sm_config_type_name(const json_t *node);

/*
 * A file name given in the configuration (a string node), resolved
 * relative to the directory of the file it was written in; a new string.
 */
char *sm_config_relpath(const struct sm_config *cfg, const json_t *node);

/*
 * The value of key in the mapping node, when it has one, checked: a
 * non-empty string (*out borrowed, NULL when the key is missing), or a
 * number from min to max (*out untouched when the key is missing).
 * where names node in messages ("accounts.masto"); an error points at
 * the value, or at node when the value has no place of its own.
 */
int sm_config_get_string(const struct sm_config *cfg, const json_t *node,
    const char *key, const char *where, const char **out,
    struct sm_error *err);
int sm_config_get_number(const struct sm_config *cfg, const json_t *node,
    const char *key, const char *where, double min, double max, double *out,
    struct sm_error *err);

#endif
