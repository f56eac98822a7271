/* jsonl.c - reading and writing JSON lines */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "sm/jsonl.h"
#include "sm/pick.h"

#define JSON_OUT_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(16))

void
sm_reader_init(struct sm_reader *r, char *const *names, int nnames)
{
	memset(r, 0, sizeof(*r));
	r->names = names;
	r->nnames = nnames;
	r->max_line = SM_READER_MAX_LINE;
}

static int
open_next(struct sm_reader *r, struct sm_error *err)
{
	const char *path;

	if (r->nnames == 0 && r->next == 0) {
		r->next = 1;
		r->fp = stdin;
		r->name = "<stdin>";
		r->lineno = 0;
		return 1;
	}
	if (r->next >= r->nnames)
		return 0;
	path = r->names[r->next++];
	r->lineno = 0;
	if (strcmp(path, "-") == 0) {
		r->fp = stdin;
		r->name = "<stdin>";
		return 1;
	}
	r->name = path;
	r->fp = fopen(path, "r");
	if (r->fp == NULL) {
		sm_error_set(err, path, 0, 0, "%s", strerror(errno));
		return -1;
	}
	return 1;
}

static void
close_current(struct sm_reader *r)
{
	if (r->fp && r->fp != stdin)
		fclose(r->fp);
	else if (r->fp == stdin)
		clearerr(stdin);
	r->fp = NULL;
	r->bufpos = r->buflen = 0;
}

#define READ_CHUNK (64 * 1024)

/*
 * Reads the next line into r->line, newline included, keeping at most
 * keep bytes of it; the rest of a longer line is read and dropped, and
 * *cut set.  1, 0 at the end of the file, -1 with errno on a read error.
 */
static int
read_line(struct sm_reader *r, size_t keep, int *cut)
{
	int fd = fileno(r->fp);
	size_t len = 0;

	*cut = 0;
	if (r->buf == NULL)
		r->buf = xmalloc(READ_CHUNK);
	for (;;) {
		const char *p, *nl;
		size_t avail, take, k;

		if (r->bufpos == r->buflen) {
			ssize_t got = read(fd, r->buf, READ_CHUNK);

			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0)
				return -1;
			if (got == 0) {
				if (len == 0 && !*cut)
					return 0;
				break;	/* a last line without newline */
			}
			r->bufpos = 0;
			r->buflen = (size_t)got;
		}
		p = r->buf + r->bufpos;
		avail = r->buflen - r->bufpos;
		nl = memchr(p, '\n', avail);
		take = nl ? (size_t)(nl - p) + 1 : avail;
		k = take < keep - len ? take : keep - len;
		if (k < take)
			*cut = 1;
		if (k) {
			if (len + k + 1 > r->cap) {
				size_t cap = r->cap ? r->cap : 256;

				while (cap < len + k + 1)
					cap *= 2;
				if (cap > keep + 1)
					cap = keep + 1;
				r->line = xrealloc(r->line, cap);
				r->cap = cap;
			}
			memcpy(r->line + len, p, k);
			len += k;
		}
		r->bufpos += take;
		if (nl)
			break;
	}
	r->line[len] = '\0';
	r->len = len;
	return 1;
}

int
sm_utf8_valid(const char *s, size_t n)
{
	size_t k;

	for (size_t i = 0; i < n; i += k) {
		if ((unsigned char)s[i] < 0x80) {
			k = 1;	/* most of a line: no call */
			continue;
		}
		if ((k = sm_utf8_len(s + i, n - i)) == 0)
			return 0;
	}
	return 1;
}

static const char *
type_name(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	default: return "an object";
	}
}

static int
blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

/* A line's length without its newline, and a CR before it. */
static size_t
without_newline(const char *text, size_t n)
{
	if (n && text[n - 1] == '\n')
		n--;
	if (n && text[n - 1] == '\r')
		n--;
	return n;
}

/* The first line without the UTF-8 byte order mark it may start with. */
static void
skip_bom(const struct sm_reader *r, const char **text, size_t *n)
{
	if (r->lineno == 1 && *n >= 3 && memcmp(*text, "\xef\xbb\xbf", 3) == 0) {
		*text += 3;
		*n -= 3;
	}
}

enum sm_read
sm_reader_next(struct sm_reader *r, json_t **rec, struct sm_error *err)
{
	for (;;) {
		int got, cut;
		const char *text;
		size_t n, keep;
		json_error_t jerr;
		json_t *j;

		if (r->fp == NULL) {
			int o = open_next(r, err);

			if (o == 0)
				return SM_READ_EOF;
			if (o < 0)
				return SM_READ_NOFILE;
		}
		/* the line, a CR and a newline: more is too long */
		keep = r->max_line < SIZE_MAX - 2 ? r->max_line + 2 : SIZE_MAX;
		got = read_line(r, keep, &cut);
		if (got <= 0) {
			int e = errno;

			close_current(r);
			if (got < 0) {
				sm_error_set(err, r->name, 0, 0, "read error: %s",
				    strerror(e ? e : EIO));
				return SM_READ_IOERR;
			}
			continue;
		}
		r->lineno++;
		text = r->line;
		n = without_newline(text, r->len);
		if (cut || n > r->max_line) {
			r->rejected++;
			if (r->len > r->max_line)
				r->len = r->max_line;	/* what is kept */
			sm_error_set(err, r->name, (int)r->lineno, 0,
			    "line longer than %zu bytes", r->max_line);
			return SM_READ_BAD;
		}
		skip_bom(r, &text, &n);
		if (blank(text, n))
			continue;
		/* jansson checks the UTF-8 of the whole line as it reads */
		r->dup_keys = 0;
		if (r->pick && (j = sm_pick_parse(r->pick, text, n,
		    &r->dup_keys)) != NULL) {
			r->records++;
			*rec = j;
			return SM_READ_RECORD;
		}
		j = json_loadb(text, n, JSON_DECODE_ANY | JSON_ALLOW_NUL |
		    JSON_REJECT_DUPLICATES, &jerr);
		if (j == NULL &&
		    json_error_code(&jerr) == json_error_duplicate_key) {
			/* valid JSON: the last value wins, as in jq; such a
			 * line is re-encoded, never copied as it came */
			r->dup_keys = 1;
			j = json_loadb(text, n, JSON_DECODE_ANY |
			    JSON_ALLOW_NUL, &jerr);
		}
		if (j == NULL) {
			r->rejected++;
			if (json_error_code(&jerr) == json_error_invalid_utf8)
				sm_error_set(err, r->name, (int)r->lineno, 0,
				    "invalid UTF-8");
			else
				sm_error_set(err, r->name, (int)r->lineno, 0,
				    "invalid JSON at column %d: %s",
				    jerr.column, jerr.text);
			return SM_READ_BAD;
		}
		if (!json_is_object(j)) {
			r->rejected++;
			sm_error_set(err, r->name, (int)r->lineno, 0,
			    "expected an object, got %s", type_name(j));
			json_decref(j);
			return SM_READ_BAD;
		}
		r->records++;
		*rec = j;
		return SM_READ_RECORD;
	}
}

json_t *
sm_reader_whole(const struct sm_reader *r)
{
	const char *text = r->line;
	size_t n = without_newline(text, r->len);

	skip_bom(r, &text, &n);
	return json_loadb(text, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
}

const char *
sm_reader_raw(const struct sm_reader *r, size_t *len)
{
	*len = r->len;
	return r->line;
}

void
sm_reader_close(struct sm_reader *r)
{
	close_current(r);
	free(r->line);
	free(r->buf);
	r->line = r->buf = NULL;
	r->cap = r->len = 0;
}

FILE *
sm_jsonl_open_append(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY |
	    O_CLOEXEC, 0600);
	FILE *fp;
	int e;

	if (fd < 0)
		return NULL;
	if ((fp = fdopen(fd, "a")) == NULL) {
		e = errno;
		close(fd);
		errno = e;
	}
	return fp;
}

void
sm_writer_init(struct sm_writer *w, FILE *fp, const char *name, int unbuffered)
{
	memset(w, 0, sizeof(*w));
	w->fp = fp;
	w->name = name;
	w->unbuffered = unbuffered;
}

static int
write_failed(struct sm_writer *w, int e, struct sm_error *err)
{
	if (e == EPIPE)
		w->closed_pipe = 1;
	return sm_error_set(err, w->name, 0, 0, "write error: %s",
	    strerror(e ? e : EIO));
}

static int
dump_to_buf(const char *p, size_t n, void *data)
{
	sm_buf_add(data, p, n);
	return 0;
}

int
sm_json_line(struct sm_buf *b, json_t *rec)
{
	if (json_dump_callback(rec, dump_to_buf, b, JSON_OUT_FLAGS) != 0)
		return -1;
	sm_buf_addc(b, '\n');
	return 0;
}

int
sm_writer_put(struct sm_writer *w, json_t *rec, struct sm_error *err)
{
	sm_buf_reset(&w->buf);
	if (sm_json_line(&w->buf, rec) < 0)
		return sm_error_set(err, w->name, 0, 0,
		    "cannot encode record as JSON");
	return sm_writer_raw(w, w->buf.data, w->buf.len, err);
}

void
sm_json_append_string(struct sm_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t from = 0;

	sm_buf_reserve(b, n + 2);
	sm_buf_addc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		char esc[6] = { '\\', 0 };
		size_t elen = 2;

		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		sm_buf_add(b, s + from, i - from);
		from = i + 1;
		switch (ch) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[ch >> 4];
			esc[5] = hex[ch & 15];
			elen = 6;
		}
		sm_buf_add(b, esc, elen);
	}
	sm_buf_add(b, s + from, n - from);
	sm_buf_addc(b, '"');
}

/* A real as jansson writes it with JSON_REAL_PRECISION(prec): "%.*g",
 * with ".0" added to what would read back as an integer, and the exponent
 * without its '+' and leading zeros.  prec 0 is the fewest digits (15 to
 * 17) that read back as v. */
static void
append_real(struct sm_buf *b, double v, int prec)
{
	char num[64], *e;
	int n = 0;

	if (!isfinite(v)) {
		sm_buf_add(b, "null", 4);
		return;
	}
	for (int p = prec ? prec : 15; p <= (prec ? prec : 17); p++) {
		n = snprintf(num, sizeof(num), "%.*g", p, v);
		if (prec || (n > 0 && (size_t)n < sizeof(num) &&
		    strtod(num, NULL) == v))
			break;
	}

	if (n < 0 || (size_t)n >= sizeof(num) - 3)
		n = 0;
	num[n] = '\0';
	for (char *p = num; *p; p++)
		if (*p == ',')
			*p = '.';	/* a locale's decimal comma */
	if (strchr(num, '.') == NULL && strchr(num, 'e') == NULL) {
		memcpy(num + n, ".0", 3);
		n += 2;
	}
	if ((e = strchr(num, 'e')) != NULL) {
		char *from = e + 1, *to = e + 1;

		if (*from == '-')
			from++, to++;
		else if (*from == '+')
			from++;
		while (*from == '0' && from[1] != '\0')
			from++;
		memmove(to, from, strlen(from) + 1);
		n = (int)strlen(num);
	}
	sm_buf_add(b, num, (size_t)n);
}

void
sm_json_append_real(struct sm_buf *b, double v)
{
	append_real(b, v, 16);
}

void
sm_json_append_real_shortest(struct sm_buf *b, double v)
{
	append_real(b, v, 0);
}

void
sm_json_append(struct sm_buf *b, const json_t *v)
{
	const char *key;
	json_t *item;
	size_t i;
	char num[32];
	int n;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		sm_buf_addc(b, '{');
		i = 0;
		json_object_foreach((json_t *)v, key, item) {
			if (i++)
				sm_buf_addc(b, ',');
			sm_json_append_string(b, key, strlen(key));
			sm_buf_addc(b, ':');
			sm_json_append(b, item);
		}
		sm_buf_addc(b, '}');
		break;
	case JSON_ARRAY:
		sm_buf_addc(b, '[');
		json_array_foreach(v, i, item) {
			if (i)
				sm_buf_addc(b, ',');
			sm_json_append(b, item);
		}
		sm_buf_addc(b, ']');
		break;
	case JSON_STRING:
		sm_json_append_string(b, json_string_value(v),
		    json_string_length(v));
		break;
	case JSON_INTEGER:
		n = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		sm_buf_add(b, num, (size_t)n);
		break;
	case JSON_REAL:
		sm_json_append_real(b, json_real_value(v));
		break;
	case JSON_TRUE:
		sm_buf_add(b, "true", 4);
		break;
	case JSON_FALSE:
		sm_buf_add(b, "false", 5);
		break;
	case JSON_NULL:
		sm_buf_add(b, "null", 4);
		break;
	}
}

/*
 * The length of line up to and excluding its closing brace when it is one
 * compact JSON object (no white space outside strings), else 0.  The line
 * is known to be valid JSON; only its layout is checked here.
 */
static size_t
compact_object(const char *line, size_t n)
{
	int instr = 0;

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	if (n < 2 || line[0] != '{' || line[n - 1] != '}')
		return 0;
	for (size_t i = 1; i < n - 1; i++) {
		char ch = line[i];

		if (instr) {
			/* to the next quote not escaped by an odd number of
			 * backslashes: memchr is much faster than a loop */
			const char *q = memchr(line + i, '"', n - 1 - i);
			size_t bs = 0;

			if (q == NULL)
				return 0;
			i = (size_t)(q - line);
			while (line[i - 1 - bs] == '\\')
				bs++;
			instr = bs % 2 == 1;
		} else if (ch == '"') {
			instr = 1;
		} else if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
			return 0;
		}
	}
	return n - 1;
}

int
sm_json_line_add(struct sm_buf *b, const char *line, size_t len,
    const char *key, const char *value, size_t vlen)
{
	size_t head = compact_object(line, len);

	if (head == 0)
		return 0;
	sm_buf_add(b, line, head);
	if (head > 1)
		sm_buf_addc(b, ',');
	sm_buf_addc(b, '"');
	sm_buf_adds(b, key);	/* a tool's name for its object */
	sm_buf_add(b, "\":", 2);
	sm_buf_add(b, value, vlen);
	sm_buf_add(b, "}\n", 2);
	return 1;
}

int
sm_writer_put_line(struct sm_writer *w, const char *line, size_t len,
    const char *key, const char *value, size_t vlen, struct sm_error *err)
{
	sm_buf_reset(&w->buf);
	if (!sm_json_line_add(&w->buf, line, len, key, value, vlen))
		return 0;
	return sm_writer_raw(w, w->buf.data, w->buf.len, err) < 0 ? -1 : 1;
}

int
sm_writer_raw(struct sm_writer *w, const char *p, size_t n,
    struct sm_error *err)
{
	errno = 0;
	if (fwrite(p, 1, n, w->fp) != n)
		return write_failed(w, errno, err);
	if (w->unbuffered && fflush(w->fp) != 0)
		return write_failed(w, errno, err);
	return 0;
}

int
sm_writer_close(struct sm_writer *w, struct sm_error *err)
{
	int rc = 0;

	errno = 0;
	if (fflush(w->fp) != 0 || ferror(w->fp))
		rc = write_failed(w, errno, err);
	errno = 0;
	if (fclose(w->fp) != 0 && rc == 0)
		rc = write_failed(w, errno, err);
	w->fp = NULL;
	sm_buf_free(&w->buf);
	return rc;
}

void
sm_record_set_last(json_t *rec, const char *key, json_t *value)
{
	json_object_del(rec, key);
	json_object_set_new(rec, key, value);
}

const char *
sm_json_str(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

json_t *
sm_json_real(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *
sm_json_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *
sm_record_get(json_t *rec, const char *path)
{
	const char *dot;
	json_t *j = rec;

	while (j && (dot = strchr(path, '.')) != NULL) {
		j = json_is_object(j) ? json_object_getn(j, path,
		    (size_t)(dot - path)) : NULL;
		path = dot + 1;
	}
	return j && json_is_object(j) ? json_object_get(j, path) : NULL;
}

int
sm_record_set(json_t *rec, const char *path, json_t *value)
{
	const char *dot;
	json_t *o = rec, *next;

	while ((dot = strchr(path, '.')) != NULL) {
		next = json_object_getn(o, path, (size_t)(dot - path));
		if (next == NULL) {
			next = json_object();
			json_object_setn_new(o, path, (size_t)(dot - path),
			    next);
		}
		if (!json_is_object(next)) {
			json_decref(value);
			return -1;
		}
		o = next;
		path = dot + 1;
	}
	return json_object_set_new(o, path, value) == 0 ? 0 : -1;
}
