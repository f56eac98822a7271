/* tool.c - what every sm command shares: options, diagnostics, record loop */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "sm/atomic.h"
#include "sm/tool.h"

void
sm_tool_init(struct sm_tool *t, const char *name)
{
	memset(t, 0, sizeof(*t));
	t->name = name;
	sm_program_set(name);
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
sm_tool_report(void *tool, const char *who, int code, const char *text)
{
	struct sm_tool *t = tool;

	if (code == 0 ? t->verbose : !t->quiet || code != EX_TEMPFAIL)
		sm_tool_warn(t, "%s: %s", who, text);
}

void
sm_tool_error(struct sm_tool *t, const struct sm_error *err)
{
	char buf[sizeof(err->file) + sizeof(err->text) + 64];

	sm_error_format(err, buf, sizeof(buf));
	sm_tool_warn(t, "%s", buf);
}

int
sm_tool_usage_error(const struct sm_tool *t, const char *usage)
{
	const char *p = usage, *e;

	for (; *p; p = e + 1) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		/* options are indented less than the synopsis goes on */
		if (strspn(p, " ") < 7 && p[strspn(p, " ")] == '-')
			break;
		fprintf(stderr, "%.*s\n", (int)(e - p), p);
		if (*e == '\0')
			break;
	}
	fprintf(stderr, "%s: see %s --help\n", t->name, t->name);
	return EX_USAGE;
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
	case SM_TOOL_OPT_STATE:
		t->state_path = arg;
		return 1;
	case SM_TOOL_OPT_CHECK:
		t->check = 1;
		return 1;
	default:
		return 0;
	}
}

int
sm_tool_open(struct sm_tool *t, int argc, char *const *argv)
{
	int rc;

	if (t->rejects_path) {
		t->rejects = sm_jsonl_open_append(t->rejects_path);
		if (t->rejects == NULL) {
			sm_tool_warn(t, "%s: %s", t->rejects_path,
			    strerror(errno));
			return EX_CANTCREAT;
		}
	}
	if (!t->out_open && (rc = sm_tool_output(t, t->out_path)) != 0)
		return rc;
	sm_reader_init(&t->in, argv, argc);
	t->reading = 1;
	return 0;
}

int
sm_tool_output(struct sm_tool *t, const char *path)
{
	struct sm_error err;
	FILE *fp = stdout;

	t->out_path = path;
	if (path && (fp = sm_atomic_open(path, SM_MODE_PRIVATE, &t->out_tmp,
	    &err)) == NULL) {
		sm_tool_error(t, &err);
		sm_tool_fail(t, EX_CANTCREAT);
		return EX_CANTCREAT;
	}
	sm_writer_init(&t->out, fp, path ? path : "<stdout>", t->unbuffered);
	t->out_open = 1;
	return 0;
}

/* A write failed: say so, unless the reader has gone (| head). */
static void
out_error(struct sm_tool *t, const struct sm_error *err)
{
	if (!t->out.closed_pipe && !t->out_failed) {
		sm_tool_error(t, err);
		sm_tool_fail(t, EX_IOERR);
	}
	t->out_failed = 1;
}

int
sm_tool_flush(struct sm_tool *t)
{
	struct sm_error err;

	if (t->out_failed)
		return -1;
	if (fflush(t->out.fp) == EOF || ferror(t->out.fp)) {
		if (errno == EPIPE)
			t->out.closed_pipe = 1;
		sm_error_set(&err, t->out.name, 0, 0, "write error: %s",
		    strerror(errno));
		out_error(t, &err);
		return -1;
	}
	return 0;
}

int
sm_tool_close_output(struct sm_tool *t)
{
	struct sm_error err;
	int safe;

	if (!t->out_open || t->out_closed)
		return !t->out_failed;
	t->out_closed = 1;
	if (t->out_path == NULL) {
		safe = sm_tool_flush(t) == 0;
		if (sm_writer_close(&t->out, &err) < 0) {
			out_error(t, &err);
			safe = 0;
		}
		return safe;
	}
	if (t->out_failed) {
		sm_atomic_abandon(t->out.fp, t->out_tmp);
		safe = 0;
	} else if (sm_atomic_commit(t->out.fp, t->out_tmp, t->out_path,
	    &err) < 0) {
		out_error(t, &err);
		safe = 0;
	} else
		safe = 1;
	t->out_tmp = NULL;
	sm_buf_free(&t->out.buf);
	return safe;
}

struct sm_config *
sm_tool_config(struct sm_tool *t)
{
	struct sm_config *cfg;
	struct sm_error err;

	if ((cfg = sm_config_load(t->config, &err)) == NULL) {
		sm_tool_error(t, &err);
		sm_tool_fail(t, EX_CONFIG);
	}
	return cfg;
}

int
sm_tool_configured(struct sm_tool *t, const struct sm_config *cfg)
{
	const struct sm_error *w;
	struct sm_error place;
	char buf[sizeof(place.file) + 64];

	for (; (w = sm_config_warning(cfg, t->warned)) != NULL; t->warned++) {
		/* a cron job run with -q says no warnings, run by hand with
		 * --check it is asking for them */
		if (t->quiet && !t->check)
			continue;
		/* "file:line:column: " alone, then the warning */
		place = *w;
		place.text[0] = '\0';
		sm_error_format(&place, buf, sizeof(buf));
		sm_tool_warn(t, "%swarning: %s", buf, w->text);
	}
	if (!t->check)
		return 0;
	/* where the database is, checked; the database is left alone */
	if (t->keeps_state) {
		struct sm_error err;
		char *path = sm_state_path_for(cfg, t->state_path, &err);

		if (path == NULL) {
			sm_tool_error(t, &err);
			sm_tool_fail(t, EX_CONFIG);
		}
		free(path);
	}
	if (t->verbose && t->status == 0)
		sm_tool_warn(t, "%s: configuration OK", sm_config_path(cfg) ?
		    sm_config_path(cfg) : "no configuration file, the defaults");
	return 1;
}

struct sm_state *
sm_tool_state(struct sm_tool *t, const struct sm_config *cfg,
    const char *lock, int wait_ms)
{
	struct sm_state *st;
	struct sm_error err;
	char *path;
	int rc;

	if ((path = sm_state_path_for(cfg, t->state_path, &err)) == NULL) {
		sm_tool_error(t, &err);
		sm_tool_fail(t, EX_CONFIG);
		return NULL;
	}
	st = sm_state_open(path, 30000, &err);
	free(path);
	if (st == NULL) {
		sm_tool_error(t, &err);
		sm_tool_fail(t, EX_CANTCREAT);
		return NULL;
	}
	if (lock && (rc = sm_state_lock(st, lock, wait_ms, &err)) != 0) {
		sm_tool_error(t, &err);
		sm_tool_fail(t, rc > 0 ? EX_TEMPFAIL : EX_CANTCREAT);
		sm_state_close(st);
		return NULL;
	}
	return st;
}

static void
reject(struct sm_tool *t, struct sm_reader *in)
{
	size_t n;
	const char *raw = sm_reader_raw(in, &n);

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
	return sm_tool_read(t, &t->in);
}

json_t *
sm_tool_read(struct sm_tool *t, struct sm_reader *in)
{
	struct sm_error err;
	json_t *rec;

	for (;;) {
		switch (sm_reader_next(in, &rec, &err)) {
		case SM_READ_RECORD:
			return rec;
		case SM_READ_EOF:
			return NULL;
		case SM_READ_BAD:
			if (!t->quiet)
				sm_tool_error(t, &err);
			reject(t, in);
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

	if (t->out_failed)
		return -1;
	if (sm_writer_put(&t->out, rec, &err) < 0) {
		out_error(t, &err);
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
	 * is re-encoded.  A line that names a key twice is re-encoded, so
	 * that both ways give the same record (the last value wins). */
	if (json_object_get(rec, key) != NULL || !t->reading ||
	    t->in.dup_keys)
		return 0;
	if (t->out_failed)
		return -1;
	line = sm_reader_raw(&t->in, &len);
	rc = sm_writer_put_line(&t->out, line, len, key, text, n, &err);
	if (rc < 0) {
		out_error(t, &err);
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
		/* a record read for some fields (in.pick) is read whole to
		 * be written anew; pick took the line, so jansson does */
		json_t *whole = t->reading && t->in.pick ?
		    sm_reader_whole(&t->in) : json_incref(rec);

		if (whole == NULL) {
			sm_tool_warn(t, "%s:%lu: the line cannot be read again",
			    t->in.name, t->in.lineno);
			sm_tool_fail(t, EX_SOFTWARE);
			rc = 0;
		} else {
			sm_record_set_last(whole, key, json_incref(value));
			rc = sm_tool_put(t, whole);
			json_decref(whole);
		}
	}
	json_decref(value);
	return rc < 0 ? -1 : 0;
}

int
sm_tool_line(json_t *rec, const char *raw, size_t rawlen, int dup_keys,
    const char *key, const char *text, size_t n, struct sm_buf *line)
{
	json_t *v;
	int rc;

	if (raw && !dup_keys && json_object_get(rec, key) == NULL &&
	    sm_json_line_add(line, raw, rawlen, key, text, n))
		return 0;
	if ((v = json_loadb(text, n, 0, NULL)) == NULL)
		return -1;
	sm_record_set_last(rec, key, v);
	rc = sm_json_line(line, rec);
	return rc;
}

int
sm_tool_put_text(struct sm_tool *t, const char *text, size_t n)
{
	struct sm_error err;
	const char *p;

	if (t->out_failed)
		return -1;
	if (sm_writer_raw(&t->out, text, n, &err) < 0) {
		out_error(t, &err);
		return -1;
	}
	for (p = text; (p = memchr(p, '\n', n - (size_t)(p - text))) != NULL;
	    p++)
		t->written++;
	return 0;
}

int
sm_tool_finish(struct sm_tool *t)
{
	sm_tool_close_output(t);
	if (t->rejects && fclose(t->rejects) != 0) {
		sm_tool_warn(t, "%s: write error: %s", t->rejects_path,
		    strerror(errno));
		sm_tool_fail(t, EX_IOERR);
	}
	t->rejects = NULL;
	/* --check reads and writes nothing: no summary */
	if (t->verbose && !t->check && t->reading)
		sm_tool_warn(t, "%lu record%s read, %lu written, %lu rejected",
		    t->in.records, t->in.records == 1 ? "" : "s", t->written,
		    t->in.rejected);
	else if (t->verbose && !t->check)
		sm_tool_warn(t, "%lu record%s written", t->written,
		    t->written == 1 ? "" : "s");
	if (t->reading)
		sm_reader_close(&t->in);
	sm_buf_free(&t->own);
	return t->status;
}
