/* error.h - how libsm reports failure: the library never prints or exits */
#ifndef SM_ERROR_H
#define SM_ERROR_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Filled by a library function that returns -1 or NULL.  file is empty
 * when the error has no place; line and column are 0 when unknown.
 */
struct sm_error {
	char file[1024];
	int line;
	int column;
	char text[1024];
};

/* Sets err (when not NULL); file may be NULL.  Returns -1 for convenience. */
int sm_error_set(struct sm_error *err, const char *file, int line, int column,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* "file:line:column: text", leaving out the parts that are unknown. */
void sm_error_format(const struct sm_error *err, char *buf, size_t size);

#endif
