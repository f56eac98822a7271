/* error.c - filling and formatting struct sm_error */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sm/error.h"
#include "sm/util.h"

/* s as it may be shown on a terminal, into dst: what an error says often
 * quotes what was read (jansson's "near '...'", a file name), and a
 * control character there would be played by the terminal. */
static void
copy_printable(char *dst, size_t size, const char *s)
{
	struct sm_buf b = { 0 };

	sm_buf_add_printable(&b, s, strlen(s), 0);
	snprintf(dst, size, "%s", b.data);
	sm_buf_free(&b);
}

int
sm_error_set(struct sm_error *err, const char *file, int line, int column,
    const char *fmt, ...)
{
	char text[sizeof(err->text)];
	va_list ap;

	if (err == NULL)
		return -1;
	copy_printable(err->file, sizeof(err->file), file ? file : "");
	err->line = line;
	err->column = column;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	copy_printable(err->text, sizeof(err->text), text);
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
