/* testlib.h - what the C tests share: files, and the Python servers of
 * tests/ (fake-server, smtpd, receiver) started on 127.0.0.1 */
#ifndef SM_TESTLIB_H
#define SM_TESTLIB_H

#include <sys/types.h>

/* The file's text (a new string), or NULL when it cannot be read. */
char *tl_read(const char *path);

/* Writes text to path (created or truncated); aborts the test on failure. */
void tl_write(const char *path, const char *text);

/*
 * How many entries of directory dir begin with prefix ("" for all) and
 * do not hold skip (NULL: none skipped); dot files never count.
 */
int tl_count(const char *dir, const char *prefix, const char *skip);

/*
 * Starts tests/SCRIPT with Debian's python3 (or the first on PATH) and
 * args (NULL-terminated; --port-file PORTFILE is added), waits until it
 * writes its port to portfile, and returns the port; *pid gets the
 * process.  -1 when it did not start within ten seconds.  Proxies are
 * unset first: loopback traffic must go nowhere else.
 */
int tl_serve(const char *script, const char *const *args,
    const char *portfile, pid_t *pid);

/* Stops a server started by tl_serve (SIGTERM, then waits for it). */
void tl_unserve(pid_t *pid);

#endif
