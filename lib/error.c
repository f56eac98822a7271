/* error.c - filling and formatting struct sm_error */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sm/error.h"

int
sm_error_set(struct sm_error *err, const char *file, int line, int column,
    const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	err->line = line;
	err->column = column;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return -1;
}

void
sm_error_format(const struct sm_error *err, char *buf, size_t size)
{
	if (err->file[0] && err->line > 0 && err->column > 0)
		snprintf(buf, size, "%s:%d:%d: %s", err->file, err->line,
		    err->column, err->text);
	else if (err->file[0] && err->line > 0)
		snprintf(buf, size, "%s:%d: %s", err->file, err->line,
		    err->text);
	else if (err->file[0])
		snprintf(buf, size, "%s: %s", err->file, err->text);
	else
		snprintf(buf, size, "%s", err->text);
}
