/* atomic.h - files that appear whole or not at all
 *
 * A regular file is written under a temporary name next to its own,
 * flushed to disk, and renamed into place: a reader, a crash or a full
 * disk never sees half of it.  Anything else at the path (a device, a
 * FIFO, a symbolic link such as /dev/stdout) is written in place, as a
 * shell's > would, so that a device is never replaced by a file.
 */
#ifndef SM_ATOMIC_H
#define SM_ATOMIC_H

#include <sys/types.h>

#include <stdio.h>

#include "sm/error.h"

/* Modes of the files written, the umask applied as by open(2). */
#define SM_MODE_PRIVATE	0600	/* citizens' messages, like a mail spool */
#define SM_MODE_PUBLIC	0666	/* anything else (a model): the umask's */

/*
 * Opens path for writing.  When path is a regular file or does not exist,
 * a temporary file is created next to it with mode (less the umask)
 * and *tmp gets its name; it replaces path at sm_atomic_commit, with that
 * mode whatever path's was.  Otherwise path itself is opened (and
 * truncated where that means anything) and *tmp is set to NULL.
 * NULL with err set when it cannot.
 */
FILE *sm_atomic_open(const char *path, mode_t mode, char **tmp,
    struct sm_error *err);

/*
 * Flushes fp to disk, closes it and renames tmp to path (and syncs the
 * directory); with tmp NULL, flushes and closes.  On failure tmp is
 * removed and err set, naming path.  Frees tmp.  Returns 0 or -1.
 */
int sm_atomic_commit(FILE *fp, char *tmp, const char *path,
    struct sm_error *err);

/* Gives up: closes fp, removes tmp (when not NULL), frees tmp. */
void sm_atomic_abandon(FILE *fp, char *tmp);

#endif
