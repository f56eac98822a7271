/* atomic.h - files that appear whole or not at all
 *
 * A file is written under a temporary name next to its own, flushed to
 * disk, and renamed into place: a reader, a crash or a full disk never
 * sees half of it.
 */
#ifndef SM_ATOMIC_H
#define SM_ATOMIC_H

#include <stdio.h>

#include "sm/error.h"

/*
 * Creates a temporary file next to path (mode 0644) and opens it for
 * writing; *tmp gets its name.  NULL with err set when it cannot.
 */
FILE *sm_atomic_open(const char *path, char **tmp, struct sm_error *err);

/*
 * Flushes fp to disk, closes it and renames tmp to path (and syncs the
 * directory).  On failure tmp is removed and err set.  Frees tmp.
 * Returns 0 or -1.
 */
int sm_atomic_commit(FILE *fp, char *tmp, const char *path,
    struct sm_error *err);

/* Gives up: closes fp, removes tmp, frees tmp. */
void sm_atomic_abandon(FILE *fp, char *tmp);

#endif
