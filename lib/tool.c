/* tool.c - what every sm command shares: options, diagnostics, record loop */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "sm/tool.h"

void
sm_tool_init(struct sm_tool *t, const char *name)
{
	memset(t, 0, sizeof(*t));
	t->name = name;
	/* a closed pipe is an error we see and end quietly on */
	signal(SIGPIPE, SIG_IGN);
}

void
sm_tool_warn(struct sm_tool *t, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", t->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
sm_tool_error(struct sm_tool *t, const struct sm_error *err)
{
	char buf[sizeof(err->file) + sizeof(err->text) + 64];

	sm_error_format(err, buf, sizeof(buf));
	sm_tool_warn(t, "%s", buf);
}

void
sm_tool_fail(struct sm_tool *t, int code)
{
	if (code > t->status)
		t->status = code;
}

int
sm_tool_option(struct sm_tool *t, int opt, const char *arg)
{
	switch (opt) {
	case 'c':
		t->config = arg;
		return 1;
	case 'q':
		t->quiet = 1;
		return 1;
	case 'r':
		t->rejects_path = arg;
		return 1;
	case 'u':
		t->unbuffered = 1;
		return 1;
	case 'v':
		t->verbose++;
		return 1;
	default:
		return 0;
	}
}

int
sm_tool_open(struct sm_tool *t, int argc, char *const *argv)
{
	if (t->rejects_path) {
		t->rejects = sm_jsonl_open_append(t->rejects_path);
		if (t->rejects == NULL) {
			sm_tool_warn(t, "%s: %s", t->rejects_path,
			    strerror(errno));
			return EX_CANTCREAT;
		}
	}
	sm_writer_init(&t->out, stdout, "<stdout>", t->unbuffered);
	sm_reader_init(&t->in, argv, argc);
	return 0;
}

static void
reject(struct sm_tool *t)
{
	size_t n;
	const char *raw = sm_reader_raw(&t->in, &n);

	if (t->rejects == NULL)
		return;
	if (fwrite(raw, 1, n, t->rejects) != n ||
	    (n && raw[n - 1] != '\n' && fputc('\n', t->rejects) == EOF) ||
	    fflush(t->rejects) != 0) {
		sm_tool_warn(t, "%s: write error: %s", t->rejects_path,
		    strerror(errno));
		sm_tool_fail(t, EX_IOERR);
		fclose(t->rejects);
		t->rejects = NULL;
	}
}

json_t *
sm_tool_next(struct sm_tool *t)
{
	struct sm_error err;
	json_t *rec;

	for (;;) {
		switch (sm_reader_next(&t->in, &rec, &err)) {
		case SM_READ_RECORD:
			return rec;
		case SM_READ_EOF:
			return NULL;
		case SM_READ_BAD:
			if (!t->quiet)
				sm_tool_error(t, &err);
			reject(t);
			sm_tool_fail(t, EX_DATAERR);
			break;
		case SM_READ_NOFILE:
			sm_tool_error(t, &err);
			sm_tool_fail(t, EX_NOINPUT);
			break;
		case SM_READ_IOERR:
			sm_tool_error(t, &err);
			sm_tool_fail(t, EX_IOERR);
			break;
		}
	}
}

int
sm_tool_put(struct sm_tool *t, json_t *rec)
{
	struct sm_error err;

	if (sm_writer_put(&t->out, rec, &err) < 0) {
		if (!t->out.closed_pipe) {
			sm_tool_error(t, &err);
			sm_tool_fail(t, EX_IOERR);
		}
		return -1;
	}
	t->written++;
	return 0;
}

int
sm_tool_put_own_text(struct sm_tool *t, json_t *rec, const char *key,
    const char *text, size_t n)
{
	struct sm_error err;
	const char *line;
	size_t len;
	int rc;

	/* A record that does not hold key yet goes out as it came in, bytes
	 * and all, with the tool's object added: faster, and nothing in it
	 * is re-encoded. */
	if (json_object_get(rec, key) != NULL)
		return 0;
	line = sm_reader_raw(&t->in, &len);
	rc = sm_writer_put_line(&t->out, line, len, key, text, n, &err);
	if (rc < 0) {
		if (!t->out.closed_pipe) {
			sm_tool_error(t, &err);
			sm_tool_fail(t, EX_IOERR);
		}
		return -1;
	}
	t->written += (unsigned long)rc;
	return rc;
}

int
sm_tool_put_own(struct sm_tool *t, json_t *rec, const char *key,
    json_t *value)
{
	int rc;

	sm_buf_reset(&t->own);
	sm_json_append(&t->own, value);
	rc = sm_tool_put_own_text(t, rec, key, t->own.data, t->own.len);
	if (rc == 0) {
		sm_record_set_last(rec, key, json_incref(value));
		rc = sm_tool_put(t, rec);
	}
	json_decref(value);
	return rc < 0 ? -1 : 0;
}

int
sm_tool_finish(struct sm_tool *t)
{
	struct sm_error err;

	if (sm_writer_close(&t->out, &err) < 0 && !t->out.closed_pipe &&
	    t->status != EX_IOERR) {
		sm_tool_error(t, &err);
		sm_tool_fail(t, EX_IOERR);
	}
	if (t->rejects && fclose(t->rejects) != 0) {
		sm_tool_warn(t, "%s: write error: %s", t->rejects_path,
		    strerror(errno));
		sm_tool_fail(t, EX_IOERR);
	}
	t->rejects = NULL;
	if (t->verbose)
		sm_tool_warn(t, "%lu records read, %lu written, %lu rejected",
		    t->in.records, t->written, t->in.rejected);
	sm_reader_close(&t->in);
	sm_buf_free(&t->own);
	return t->status;
}
