/* test_jsonl.c - reading and writing JSON lines */
#include <sys/stat.h>

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sm/jsonl.h"

static char tmpdir[] = "/tmp/sm-test-jsonl.XXXXXX";
static unsigned nfiles;

/* Writes len bytes to a new file in tmpdir; returns its path (malloc'd). */
static char *
write_file(const char *bytes, size_t len)
{
	char *path;
	FILE *fp;
	int n;

	n = snprintf(NULL, 0, "%s/f%u.jsonl", tmpdir, nfiles);
	path = malloc((size_t)n + 1);
	assert_non_null(path);
	snprintf(path, (size_t)n + 1, "%s/f%u.jsonl", tmpdir, nfiles++);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(bytes, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	return path;
}

#define WRITE(lit)	write_file(lit, sizeof(lit) - 1)

static int
setup_dir(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int
remove_dir(void **state)
{
	char path[sizeof(tmpdir) + 32];

	(void)state;
	for (unsigned i = 0; i < nfiles; i++) {
		snprintf(path, sizeof(path), "%s/f%u.jsonl", tmpdir, i);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/dir", tmpdir);
	rmdir(path);
	return rmdir(tmpdir);
}

/* Reads the next item and insists it is a record; returns it (new ref). */
static json_t *
next_record(struct sm_reader *r)
{
	struct sm_error err = { 0 };
	json_t *rec = NULL;
	enum sm_read got = sm_reader_next(r, &rec, &err);

	if (got != SM_READ_RECORD)
		fail_msg("expected a record, got %d (%s:%d: %s)", got,
		    err.file, err.line, err.text);
	assert_non_null(rec);
	assert_true(json_is_object(rec));
	return rec;
}

/* The record's integer member key, then the record is released. */
static json_int_t
take_int(json_t *rec, const char *key)
{
	json_t *v = json_object_get(rec, key);
	json_int_t i;

	assert_non_null(v);
	assert_true(json_is_integer(v));
	i = json_integer_value(v);
	json_decref(rec);
	return i;
}

static void
expect_eof(struct sm_reader *r)
{
	struct sm_error err = { 0 };
	json_t *rec = NULL;

	assert_int_equal(sm_reader_next(r, &rec, &err), SM_READ_EOF);
	assert_null(rec);
}

/* Expects SM_READ_BAD at file:line with text, and raw bytes exactly. */
static void
expect_bad(struct sm_reader *r, const char *file, int line, const char *text,
    const char *raw, size_t rawlen)
{
	struct sm_error err = { 0 };
	json_t *rec = NULL;
	const char *p;
	size_t n;

	assert_int_equal(sm_reader_next(r, &rec, &err), SM_READ_BAD);
	assert_null(rec);
	assert_string_equal(err.file, file);
	assert_int_equal(err.line, line);
	if (strncmp(err.text, text, strlen(text)) != 0)
		fail_msg("error text \"%s\" does not begin \"%s\"", err.text,
		    text);
	p = sm_reader_raw(r, &n);
	assert_int_equal(n, rawlen);
	assert_memory_equal(p, raw, rawlen);
}

#define EXPECT_BAD(r, file, line, text, rawlit) \
	expect_bad(r, file, line, text, rawlit, sizeof(rawlit) - 1)

static void
test_reader_files_in_order(void **state)
{
	char *a = WRITE("{\"n\":1}\n{\"n\":2}\n");
	char *b = WRITE("{\"n\":3}\n");
	char *names[] = { a, b };
	struct sm_reader r;

	(void)state;
	sm_reader_init(&r, names, 2);
	assert_int_equal(take_int(next_record(&r), "n"), 1);
	assert_string_equal(r.name, a);
	assert_int_equal(r.lineno, 1);
	assert_int_equal(take_int(next_record(&r), "n"), 2);
	assert_int_equal(take_int(next_record(&r), "n"), 3);
	assert_string_equal(r.name, b);
	assert_int_equal(r.lineno, 1);
	expect_eof(&r);
	expect_eof(&r);		/* and stays there */
	assert_int_equal(r.records, 3);
	assert_int_equal(r.rejected, 0);
	sm_reader_close(&r);
	free(a);
	free(b);
}

static void
test_reader_key_order_and_values(void **state)
{
	char *a = WRITE("{\"z\":\"\xc3\xa9t\xc3\xa9\",\"a\":[1,2.5,null],"
	    "\"m\":{\"k\":true}}\n");
	char *names[] = { a };
	struct sm_reader r;
	json_t *rec;
	const char *key;
	json_t *v;
	const char *want[] = { "z", "a", "m" };
	int i = 0;

	(void)state;
	sm_reader_init(&r, names, 1);
	rec = next_record(&r);
	json_object_foreach(rec, key, v) {
		assert_true(i < 3);
		assert_string_equal(key, want[i]);
		i++;
	}
	assert_int_equal(i, 3);
	assert_string_equal(json_string_value(json_object_get(rec, "z")),
	    "\xc3\xa9t\xc3\xa9");
	assert_true(json_is_true(json_object_get(json_object_get(rec, "m"),
	    "k")));
	json_decref(rec);
	expect_eof(&r);
	sm_reader_close(&r);
	free(a);
}

static void
test_reader_crlf(void **state)
{
	char *a = WRITE("{\"n\":1}\r\n{\"n\":2}\r\n[3]\r\n");
	char *names[] = { a };
	struct sm_reader r;
	const char *raw;
	size_t n;

	(void)state;
	sm_reader_init(&r, names, 1);
	assert_int_equal(take_int(next_record(&r), "n"), 1);
	raw = sm_reader_raw(&r, &n);
	assert_int_equal(n, 9);
	assert_memory_equal(raw, "{\"n\":1}\r\n", 9);
	assert_int_equal(take_int(next_record(&r), "n"), 2);
	EXPECT_BAD(&r, a, 3, "expected an object, got an array", "[3]\r\n");
	expect_eof(&r);
	sm_reader_close(&r);
	free(a);
}

static void
test_reader_bom(void **state)
{
	char *a = WRITE("\xef\xbb\xbf{\"n\":1}\n{\"n\":2}\n");
	char *b = WRITE("\xef\xbb\xbf{\"n\":3}\r\n\xef\xbb\xbf{\"n\":4}\n");
	char *c = WRITE("\xef\xbb\xbf{\"n\":}\n");
	char *names[] = { a, b, c };
	struct sm_reader r;

	(void)state;
	sm_reader_init(&r, names, 3);
	assert_int_equal(take_int(next_record(&r), "n"), 1);
	assert_int_equal(take_int(next_record(&r), "n"), 2);
	/* every file may start with one */
	assert_int_equal(take_int(next_record(&r), "n"), 3);
	/* but only its first line */
	EXPECT_BAD(&r, b, 2, "invalid JSON", "\xef\xbb\xbf{\"n\":4}\n");
	/* the raw line is the line as read, BOM and all */
	EXPECT_BAD(&r, c, 1, "invalid JSON", "\xef\xbb\xbf{\"n\":}\n");
	expect_eof(&r);
	assert_int_equal(r.records, 3);
	assert_int_equal(r.rejected, 2);
	sm_reader_close(&r);
	free(a);
	free(b);
	free(c);
}

static void
test_reader_blank_lines(void **state)
{
	char *a = WRITE("\n   \n\t\r\n{\"n\":1}\n\n \t \n{\"n\":2}\n\r\n{\"n\"}\n"
	    "  \n");
	char *b = WRITE("\n\n");
	char *c = WRITE("");
	char *names[] = { a, b, c };
	struct sm_reader r;

	(void)state;
	sm_reader_init(&r, names, 3);
	assert_int_equal(take_int(next_record(&r), "n"), 1);
	assert_int_equal(r.lineno, 4);
	assert_int_equal(take_int(next_record(&r), "n"), 2);
	assert_int_equal(r.lineno, 7);
	/* blank lines still count for the line numbers */
	EXPECT_BAD(&r, a, 9, "invalid JSON", "{\"n\"}\n");
	expect_eof(&r);
	assert_int_equal(r.records, 2);
	assert_int_equal(r.rejected, 1);
	sm_reader_close(&r);
	free(a);
	free(b);
	free(c);
}

static void
test_reader_long_line(void **state)
{
	const size_t big = 6 * 1024 * 1024;
	size_t len = big + 64, n;
	char *text = malloc(len), *a;
	char *names[1];
	struct sm_reader r;
	json_t *rec, *s;
	const char *raw;
	size_t k;

	(void)state;
	assert_non_null(text);
	k = (size_t)sprintf(text, "{\"n\":1}\n{\"s\":\"");
	memset(text + k, 'x', big);
	k += big;
	k += (size_t)sprintf(text + k, "\",\"t\":2}\n{\"n\":3}\n");
	a = write_file(text, k);
	names[0] = a;
	sm_reader_init(&r, names, 1);
	assert_int_equal(take_int(next_record(&r), "n"), 1);
	rec = next_record(&r);
	s = json_object_get(rec, "s");
	assert_true(json_is_string(s));
	assert_int_equal(json_string_length(s), big);
	assert_int_equal(json_integer_value(json_object_get(rec, "t")), 2);
	raw = sm_reader_raw(&r, &n);
	assert_int_equal(n, big + 15);
	assert_memory_equal(raw, text + 8, n);
	json_decref(rec);
	assert_int_equal(take_int(next_record(&r), "n"), 3);
	assert_int_equal(r.lineno, 3);
	expect_eof(&r);
	sm_reader_close(&r);
	free(text);
	free(a);
}

/* A line longer than max_line is a bad line, of which max_line bytes are
 * kept; the lines around it are read as ever, CRLF or not. */
static void
test_reader_max_line(void **state)
{
	char *a = WRITE("{\"n\":1}\n"
	    "{\"s\":\"0123456789\"}\r\n"		/* 18 bytes */
	    "{\"s\":\"01234567890\"}\n"		/* 19 */
	    "{\"n\":4}\n"
	    "{\"s\":\"0123456789012345678901234567890123456789\"}\n"
	    "{\"n\":6}");
	char *names[] = { a };
	struct sm_reader r;
	json_t *rec;

	(void)state;
	sm_reader_init(&r, names, 1);
	assert_int_equal(r.max_line, SM_READER_MAX_LINE);
	r.max_line = 18;
	assert_int_equal(take_int(next_record(&r), "n"), 1);
	rec = next_record(&r);
	assert_string_equal(json_string_value(json_object_get(rec, "s")),
	    "0123456789");
	json_decref(rec);
	EXPECT_BAD(&r, a, 3, "line longer than 18 bytes",
	    "{\"s\":\"01234567890\"");
	assert_int_equal(take_int(next_record(&r), "n"), 4);
	EXPECT_BAD(&r, a, 5, "line longer than 18 bytes",
	    "{\"s\":\"012345678901");
	assert_true(r.cap <= 18 + 3);
	assert_int_equal(take_int(next_record(&r), "n"), 6);
	expect_eof(&r);
	assert_int_equal(r.rejected, 2);
	sm_reader_close(&r);
	free(a);
}

static void
test_reader_last_line_without_newline(void **state)
{
	char *a = WRITE("{\"n\":1}\n{\"n\":2}");
	char *b = WRITE("{\"n\":3}\r");
	char *c = WRITE("{\"n\":");
	char *names[] = { a, b, c };
	struct sm_reader r;
	const char *raw;
	size_t n;

	(void)state;
	sm_reader_init(&r, names, 3);
	assert_int_equal(take_int(next_record(&r), "n"), 1);
	assert_int_equal(take_int(next_record(&r), "n"), 2);
	raw = sm_reader_raw(&r, &n);
	assert_int_equal(n, 7);
	assert_memory_equal(raw, "{\"n\":2}", 7);
	/* the next file starts on a line of its own */
	assert_int_equal(take_int(next_record(&r), "n"), 3);
	assert_int_equal(r.lineno, 1);
	EXPECT_BAD(&r, c, 1, "invalid JSON", "{\"n\":");
	expect_eof(&r);
	sm_reader_close(&r);
	free(a);
	free(b);
	free(c);
}

static void
test_reader_invalid_json(void **state)
{
	char *a = WRITE("{\"n\":1}\n{\"n\":}\n{\"n\":1} x\n{\"n\":1}{\"m\":2}\n"
	    "{'n':1}\n{\"n\":1,}\n{\"n\":\"\\ud800\"}\n{\"n\":4}\n");
	char *names[] = { a };
	struct sm_reader r;

	(void)state;
	sm_reader_init(&r, names, 1);
	assert_int_equal(take_int(next_record(&r), "n"), 1);
	EXPECT_BAD(&r, a, 2, "invalid JSON", "{\"n\":}\n");
	/* trailing garbage: one line holds one value */
	EXPECT_BAD(&r, a, 3, "invalid JSON", "{\"n\":1} x\n");
	EXPECT_BAD(&r, a, 4, "invalid JSON", "{\"n\":1}{\"m\":2}\n");
	EXPECT_BAD(&r, a, 5, "invalid JSON", "{'n':1}\n");
	EXPECT_BAD(&r, a, 6, "invalid JSON", "{\"n\":1,}\n");
	EXPECT_BAD(&r, a, 7, "invalid JSON", "{\"n\":\"\\ud800\"}\n");
	/* a bad line never stops the stream */
	assert_int_equal(take_int(next_record(&r), "n"), 4);
	expect_eof(&r);
	assert_int_equal(r.records, 2);
	assert_int_equal(r.rejected, 6);
	sm_reader_close(&r);
	free(a);
}

static void
test_reader_not_an_object(void **state)
{
	char *a = WRITE("[1,2]\n\"text\"\n42\n-1.5e3\ntrue\nfalse\nnull\n"
	    "{}\n");
	char *names[] = { a };
	struct sm_reader r;
	json_t *rec;

	(void)state;
	sm_reader_init(&r, names, 1);
	EXPECT_BAD(&r, a, 1, "expected an object, got an array", "[1,2]\n");
	EXPECT_BAD(&r, a, 2, "expected an object, got a string",
	    "\"text\"\n");
	EXPECT_BAD(&r, a, 3, "expected an object, got a number", "42\n");
	EXPECT_BAD(&r, a, 4, "expected an object, got a number", "-1.5e3\n");
	EXPECT_BAD(&r, a, 5, "expected an object, got a boolean", "true\n");
	EXPECT_BAD(&r, a, 6, "expected an object, got a boolean", "false\n");
	EXPECT_BAD(&r, a, 7, "expected an object, got null", "null\n");
	rec = next_record(&r);
	assert_int_equal(json_object_size(rec), 0);
	json_decref(rec);
	expect_eof(&r);
	assert_int_equal(r.records, 1);
	assert_int_equal(r.rejected, 7);
	sm_reader_close(&r);
	free(a);
}

static void
test_reader_invalid_utf8(void **state)
{
	char *a = WRITE(
	    "{\"t\":\"\xc0\xaf\"}\n"		/* overlong '/' */
	    "{\"t\":\"\xe0\x80\xaf\"}\n"		/* overlong, 3 bytes */
	    "{\"t\":\"\xed\xa0\x80\"}\n"		/* surrogate U+D800 */
	    "{\"t\":\"\xe2\x82\"}\n"		/* truncated euro sign */
	    "{\"t\":\"\xff\"}\r\n"
	    "{\"t\":\"\xf4\x90\x80\x80\"}\n"	/* above U+10FFFF */
	    "{\"t\":\"\xe2\x82\xac\"}\n"
	    "{\"t\":\"x\"}\xe2\x82");		/* truncated at the very end */
	char *names[] = { a };
	struct sm_reader r;
	json_t *rec;

	(void)state;
	sm_reader_init(&r, names, 1);
	EXPECT_BAD(&r, a, 1, "invalid UTF-8", "{\"t\":\"\xc0\xaf\"}\n");
	EXPECT_BAD(&r, a, 2, "invalid UTF-8", "{\"t\":\"\xe0\x80\xaf\"}\n");
	EXPECT_BAD(&r, a, 3, "invalid UTF-8", "{\"t\":\"\xed\xa0\x80\"}\n");
	EXPECT_BAD(&r, a, 4, "invalid UTF-8", "{\"t\":\"\xe2\x82\"}\n");
	EXPECT_BAD(&r, a, 5, "invalid UTF-8", "{\"t\":\"\xff\"}\r\n");
	EXPECT_BAD(&r, a, 6, "invalid UTF-8",
	    "{\"t\":\"\xf4\x90\x80\x80\"}\n");
	rec = next_record(&r);
	assert_string_equal(json_string_value(json_object_get(rec, "t")),
	    "\xe2\x82\xac");
	json_decref(rec);
	EXPECT_BAD(&r, a, 8, "invalid UTF-8", "{\"t\":\"x\"}\xe2\x82");
	expect_eof(&r);
	assert_int_equal(r.records, 1);
	assert_int_equal(r.rejected, 7);
	sm_reader_close(&r);
	free(a);
}

static void
test_reader_missing_file(void **state)
{
	char *a = WRITE("{\"n\":1}\n");
	char *b = WRITE("{\"n\":2}\n");
	char missing[sizeof(tmpdir) + 32];
	char *names[] = { a, missing, missing, b };
	struct sm_reader r;
	struct sm_error err = { 0 };
	json_t *rec = NULL;

	(void)state;
	snprintf(missing, sizeof(missing), "%s/no-such-file.jsonl", tmpdir);
	sm_reader_init(&r, names, 4);
	assert_int_equal(take_int(next_record(&r), "n"), 1);
	assert_int_equal(sm_reader_next(&r, &rec, &err), SM_READ_NOFILE);
	assert_null(rec);
	assert_string_equal(err.file, missing);
	assert_string_equal(err.text, strerror(ENOENT));
	memset(&err, 0, sizeof(err));
	assert_int_equal(sm_reader_next(&r, &rec, &err), SM_READ_NOFILE);
	assert_string_equal(err.file, missing);
	/* the files after it are still read */
	assert_int_equal(take_int(next_record(&r), "n"), 2);
	assert_string_equal(r.name, b);
	expect_eof(&r);
	assert_int_equal(r.records, 2);
	assert_int_equal(r.rejected, 0);
	sm_reader_close(&r);
	free(a);
	free(b);
}

static void
test_reader_directory_is_read_error(void **state)
{
	char dir[sizeof(tmpdir) + 8];
	char *b = WRITE("{\"n\":2}\n");
	char *names[] = { dir, b };
	struct sm_reader r;
	struct sm_error err = { 0 };
	json_t *rec = NULL;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/dir", tmpdir);
	assert_int_equal(mkdir(dir, 0700), 0);
	sm_reader_init(&r, names, 2);
	assert_int_equal(sm_reader_next(&r, &rec, &err), SM_READ_IOERR);
	assert_string_equal(err.file, dir);
	assert_non_null(strstr(err.text, "read error"));
	assert_int_equal(take_int(next_record(&r), "n"), 2);
	expect_eof(&r);
	sm_reader_close(&r);
	free(b);
}

static void
test_reader_stdin_and_dash(void **state)
{
	char *in = WRITE("{\"n\":1}\n[2]\n");
	char *b = WRITE("{\"n\":3}\n");
	char *names[] = { "-", b };
	struct sm_reader r;

	(void)state;
	assert_non_null(freopen(in, "r", stdin));
	sm_reader_init(&r, names, 2);
	assert_int_equal(take_int(next_record(&r), "n"), 1);
	EXPECT_BAD(&r, "<stdin>", 2, "expected an object, got an array",
	    "[2]\n");
	assert_int_equal(take_int(next_record(&r), "n"), 3);
	expect_eof(&r);
	sm_reader_close(&r);

	/* no names at all is standard input too */
	assert_non_null(freopen(in, "r", stdin));
	sm_reader_init(&r, NULL, 0);
	assert_int_equal(take_int(next_record(&r), "n"), 1);
	assert_string_equal(r.name, "<stdin>");
	EXPECT_BAD(&r, "<stdin>", 2, "expected an object", "[2]\n");
	expect_eof(&r);
	expect_eof(&r);
	sm_reader_close(&r);
	free(in);
	free(b);
}

/* Writer */

struct memout {
	char *data;
	size_t len;
	FILE *fp;
};

static void
memout_open(struct memout *m)
{
	m->data = NULL;
	m->len = 0;
	m->fp = open_memstream(&m->data, &m->len);
	assert_non_null(m->fp);
}

static void
test_writer_compact_in_order(void **state)
{
	struct memout m;
	struct sm_writer w;
	struct sm_error err = { 0 };
	json_t *rec;

	(void)state;
	memout_open(&m);
	sm_writer_init(&w, m.fp, "<mem>", 0);
	rec = json_object();
	json_object_set_new(rec, "z", json_integer(1));
	json_object_set_new(rec, "a", json_pack("[i,f,n]", 2, 0.1));
	json_object_set_new(rec, "m", json_pack("{s:b,s:s}", "y", 1, "b",
	    "\xc3\xa9 \"q\"\n"));
	assert_int_equal(sm_writer_put(&w, rec, &err), 0);
	json_decref(rec);
	rec = json_object();
	assert_int_equal(sm_writer_put(&w, rec, &err), 0);
	json_decref(rec);
	assert_int_equal(sm_writer_raw(&w, "not json\n", 9, &err), 0);
	assert_int_equal(sm_writer_close(&w, &err), 0);
	assert_null(w.fp);
	assert_string_equal(m.data,
	    "{\"z\":1,\"a\":[2,0.1,null],\"m\":{\"y\":true,\"b\":\"\xc3\xa9 "
	    "\\\"q\\\"\\n\"}}\n{}\nnot json\n");
	free(m.data);
}

/* A line is copied when it is one compact object, whatever its strings
 * hold; any white space between tokens makes it re-encoded. */
static void
test_writer_put_line(void **state)
{
	static const struct {
		const char *line;
		int copied;
	} cases[] = {
		{ "{\"a\":1}\n", 1 },
		{ "{}", 1 },
		{ "{\"t\":\"two words\",\"n\":[1,2]}\r\n", 1 },
		{ "{\"t\":\"a \\\" b\"}", 1 },		/* "a \" b" */
		{ "{\"t\":\"a\\\\\",\"u\":\" x \"}", 1 },	/* "a\\\\" */
		{ "{\"t\":\"\\\\\\\"\"}", 1 },		/* "\\\\\\"" */
		{ "{\"a\": 1}", 0 },
		{ "{ \"a\":1}", 0 },
		{ "{\"t\":\"a\\\\\" ,\"u\":1}", 0 },	/* space after the string */
		{ "{\"a\":1}\t", 0 },
		{ "[1]", 0 },
	};
	struct sm_error err = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct memout m;
		struct sm_writer w;
		const char *l = cases[i].line;
		int rc;

		memout_open(&m);
		sm_writer_init(&w, m.fp, "<mem>", 0);
		rc = sm_writer_put_line(&w, l, strlen(l), "k", "[]", 2, &err);
		assert_int_equal(sm_writer_close(&w, &err), 0);
		if (rc != cases[i].copied)
			fail_msg("%s: put_line gave %d", l, rc);
		if (rc == 1) {
			size_t head = strcspn(l, "\r\n") - 1;

			assert_memory_equal(m.data, l, head);
			assert_string_equal(m.data + head, head > 1 ?
			    ",\"k\":[]}\n" : "\"k\":[]}\n");
		}
		free(m.data);
	}
}

static void
test_writer_round_trip_keeps_order(void **state)
{
	char *a = WRITE("{\"id\":\"7\",\"text\":\"hola\",\"author\":{\"z\":1,"
	    "\"a\":2},\"n\":1.5}\n");
	char *names[] = { a };
	struct sm_reader r;
	struct memout m;
	struct sm_writer w;
	struct sm_error err = { 0 };
	json_t *rec;

	(void)state;
	sm_reader_init(&r, names, 1);
	rec = next_record(&r);
	memout_open(&m);
	sm_writer_init(&w, m.fp, "<mem>", 1);
	assert_int_equal(sm_writer_put(&w, rec, &err), 0);
	json_decref(rec);
	assert_int_equal(sm_writer_close(&w, &err), 0);
	assert_string_equal(m.data, "{\"id\":\"7\",\"text\":\"hola\",\"author\":"
	    "{\"z\":1,\"a\":2},\"n\":1.5}\n");
	free(m.data);
	sm_reader_close(&r);
	free(a);
}

static void
test_record_set_last(void **state)
{
	struct memout m;
	struct sm_writer w;
	struct sm_error err = { 0 };
	json_t *rec = json_pack("{s:i,s:i,s:i}", "a", 1, "b", 2, "c", 3);
	json_t *keep;

	(void)state;
	assert_non_null(rec);
	sm_record_set_last(rec, "a", json_string("new"));
	sm_record_set_last(rec, "d", json_integer(4));
	/* already last: stays last, value replaced */
	sm_record_set_last(rec, "d", json_integer(5));
	/* the value being moved may be the one that is there */
	keep = json_incref(json_object_get(rec, "b"));
	sm_record_set_last(rec, "b", keep);
	assert_int_equal(json_object_size(rec), 4);
	memout_open(&m);
	sm_writer_init(&w, m.fp, "<mem>", 0);
	assert_int_equal(sm_writer_put(&w, rec, &err), 0);
	assert_int_equal(sm_writer_close(&w, &err), 0);
	assert_string_equal(m.data, "{\"c\":3,\"a\":\"new\",\"d\":5,\"b\":2}\n");
	free(m.data);
	json_decref(rec);
}

static void
test_writer_dev_full(void **state)
{
	struct sm_writer w;
	struct sm_error err = { 0 };
	json_t *rec = json_pack("{s:s}", "text", "hola");
	FILE *fp;
	int put, closed;

	(void)state;
	fp = fopen("/dev/full", "w");
	if (fp == NULL)
		skip();
	sm_writer_init(&w, fp, "/dev/full", 0);
	put = sm_writer_put(&w, rec, &err);
	closed = sm_writer_close(&w, &err);
	/* buffered: the error may only show when the buffer is flushed */
	assert_true(put == -1 || closed == -1);
	assert_int_equal(closed, -1);
	assert_string_equal(err.file, "/dev/full");
	assert_string_equal(err.text, "write error: No space left on device");
	assert_int_equal(w.closed_pipe, 0);

	/* unbuffered: the record that could not be written says so */
	fp = fopen("/dev/full", "w");
	assert_non_null(fp);
	memset(&err, 0, sizeof(err));
	sm_writer_init(&w, fp, "<stdout>", 1);
	assert_int_equal(sm_writer_put(&w, rec, &err), -1);
	assert_string_equal(err.file, "<stdout>");
	assert_string_equal(err.text, "write error: No space left on device");
	assert_int_equal(sm_writer_close(&w, &err), -1);
	assert_int_equal(w.closed_pipe, 0);
	json_decref(rec);
}

static void
test_writer_closed_pipe(void **state)
{
	struct sm_writer w;
	struct sm_error err = { 0 };
	json_t *rec = json_pack("{s:s}", "text", "hola");
	void (*old)(int);
	int fds[2], put, closed;
	FILE *fp;

	(void)state;
	old = signal(SIGPIPE, SIG_IGN);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(close(fds[0]), 0);
	fp = fdopen(fds[1], "w");
	assert_non_null(fp);
	sm_writer_init(&w, fp, "<stdout>", 0);
	put = sm_writer_put(&w, rec, &err);
	closed = sm_writer_close(&w, &err);
	assert_true(put == -1 || closed == -1);
	assert_int_equal(closed, -1);
	assert_int_equal(w.closed_pipe, 1);
	assert_string_equal(err.text, "write error: Broken pipe");

	/* unbuffered: the first put notices */
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(close(fds[0]), 0);
	fp = fdopen(fds[1], "w");
	assert_non_null(fp);
	sm_writer_init(&w, fp, "<stdout>", 1);
	assert_int_equal(sm_writer_put(&w, rec, &err), -1);
	assert_int_equal(w.closed_pipe, 1);
	sm_writer_close(&w, &err);
	json_decref(rec);
	signal(SIGPIPE, old);
}

static void
test_writer_ok_is_not_closed_pipe(void **state)
{
	struct sm_writer w;
	struct sm_error err = { 0 };
	json_t *rec = json_pack("{s:i}", "n", 1);
	int fds[2];
	char buf[64];
	ssize_t got;
	FILE *fp;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	fp = fdopen(fds[1], "w");
	assert_non_null(fp);
	sm_writer_init(&w, fp, "<stdout>", 1);
	assert_int_equal(sm_writer_put(&w, rec, &err), 0);
	/* unbuffered means the line is in the pipe before close */
	got = read(fds[0], buf, sizeof(buf));
	assert_int_equal(got, 8);
	assert_memory_equal(buf, "{\"n\":1}\n", 8);
	assert_int_equal(sm_writer_close(&w, &err), 0);
	assert_int_equal(w.closed_pipe, 0);
	close(fds[0]);
	json_decref(rec);
}

static void
test_record_set(void **state)
{
	json_t *rec = json_loads("{\"text\":\"hi\",\"label\":{\"x\":1}}", 0,
	    NULL);
	char *s;

	(void)state;
	assert_int_equal(sm_record_set(rec, "label.category", json_string(
	    "complaint")), 0);
	assert_int_equal(sm_record_set(rec, "a.b.c", json_integer(2)), 0);
	assert_int_equal(sm_record_set(rec, "top", json_true()), 0);
	/* a value on the way that is not an object */
	assert_int_equal(sm_record_set(rec, "text.x", json_integer(3)), -1);
	s = json_dumps(rec, JSON_COMPACT);
	assert_string_equal(s, "{\"text\":\"hi\",\"label\":{\"x\":1,"
	    "\"category\":\"complaint\"},\"a\":{\"b\":{\"c\":2}},"
	    "\"top\":true}");
	free(s);
	json_decref(rec);
}

static void
test_record_get(void **state)
{
	json_t *rec = json_loads("{\"text\":\"hi\",\"author\":{\"handle\":\"@a\","
	    "\"n\":{\"x\":1,\"\":2}},\"list\":[{\"x\":1}],\"nul\":null,"
	    "\"e\":{}}", 0, NULL);
	json_t *v;

	(void)state;
	assert_non_null(rec);
	v = sm_record_get(rec, "text");
	assert_string_equal(json_string_value(v), "hi");
	v = sm_record_get(rec, "author.handle");
	assert_string_equal(json_string_value(v), "@a");
	v = sm_record_get(rec, "author.n.x");
	assert_int_equal(json_integer_value(v), 1);
	assert_ptr_equal(sm_record_get(rec, "author"),
	    json_object_get(rec, "author"));
	assert_true(json_is_null(sm_record_get(rec, "nul")));
	/* missing */
	assert_null(sm_record_get(rec, "missing"));
	assert_null(sm_record_get(rec, "missing.x"));
	assert_null(sm_record_get(rec, "author.missing"));
	assert_null(sm_record_get(rec, "author.n.y"));
	assert_null(sm_record_get(rec, "e.x"));
	/* a prefix of a key is not the key */
	assert_null(sm_record_get(rec, "auth.handle"));
	assert_null(sm_record_get(rec, "author.handl"));
	assert_null(sm_record_get(rec, "author.handlex"));
	/* intermediates that are not objects */
	assert_null(sm_record_get(rec, "text.x"));
	assert_null(sm_record_get(rec, "list.0"));
	assert_null(sm_record_get(rec, "list.x"));
	assert_null(sm_record_get(rec, "nul.x"));
	assert_null(sm_record_get(rec, "author.handle.x"));
	assert_null(sm_record_get(rec, "author.n.x.y"));
	json_decref(rec);
}

struct utf8_case {
	const char *s;
	size_t n;
	int want;
};

#define U(lit, want)	{ lit, sizeof(lit) - 1, want }

static void
test_utf8_valid(void **state)
{
	static const struct utf8_case cases[] = {
		U("", 1),
		U("plain ascii", 1),
		U("a\0b", 1),
		U("\xc3\xa9", 1),			/* é */
		U("\xc2\x80", 1),			/* U+0080 */
		U("\xdf\xbf", 1),			/* U+07FF */
		U("\xe0\xa0\x80", 1),			/* U+0800 */
		U("\xe2\x82\xac", 1),			/* € */
		U("\xed\x9f\xbf", 1),			/* U+D7FF */
		U("\xee\x80\x80", 1),			/* U+E000 */
		U("\xef\xbb\xbf", 1),			/* BOM */
		U("\xef\xbf\xbf", 1),			/* U+FFFF */
		U("\xf0\x90\x80\x80", 1),		/* U+10000 */
		U("\xf0\x9f\x91\x8d", 1),		/* thumbs up */
		U("\xf4\x8f\xbf\xbf", 1),		/* U+10FFFF */
		U("\xc3\xb1" "and" "\xc3\xba \xf0\x9f\x91\x8d\xef\xb8\x8f", 1),
		U("\x80", 0),				/* lone continuation */
		U("a\xbf", 0),
		U("\xc0\x80", 0),			/* overlong NUL */
		U("\xc0\xaf", 0),			/* overlong '/' */
		U("\xc1\xbf", 0),
		U("\xe0\x80\x80", 0),
		U("\xe0\x9f\xbf", 0),			/* overlong U+07FF */
		U("\xf0\x80\x80\x80", 0),
		U("\xf0\x8f\xbf\xbf", 0),		/* overlong U+FFFF */
		U("\xed\xa0\x80", 0),			/* U+D800 */
		U("\xed\xbf\xbf", 0),			/* U+DFFF */
		U("\xed\xa0\xbd\xed\xb1\x8d", 0),	/* CESU-8 pair */
		U("\xf4\x90\x80\x80", 0),		/* U+110000 */
		U("\xf5\x80\x80\x80", 0),
		U("\xf8\x88\x80\x80\x80", 0),
		U("\xfe", 0),
		U("\xff", 0),
		U("\xc3", 0),				/* truncated */
		U("\xe2\x82", 0),
		U("\xf0\x9f\x91", 0),
		U("ab\xe2\x82", 0),
		U("\xc3" "a", 0),			/* bad continuation */
		U("\xe2\x82" "a", 0),
		U("\xe2" "a" "\xac", 0),
		U("\xf0\x9f\x91" "a", 0),
	};
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* an exact-size copy, so that an over-read is caught */
		char *copy = malloc(cases[i].n ? cases[i].n : 1);
		int got;

		assert_non_null(copy);
		memcpy(copy, cases[i].s, cases[i].n);
		got = sm_utf8_valid(copy, cases[i].n);
		free(copy);
		if (got != cases[i].want) {
			print_error("case %zu: got %d, want %d\n", i, got,
			    cases[i].want);
			bad++;
		}
	}
	/* n counts: a character cut by n is not valid */
	assert_int_equal(sm_utf8_valid("\xc3\xa9", 1), 0);
	assert_int_equal(sm_utf8_valid("\xe2\x82\xac", 2), 0);
	assert_int_equal(sm_utf8_valid("ab\xff", 2), 1);
	if (bad)
		fail_msg("%d cases wrong", bad);
}

/* sm_json_append writes what jansson writes, byte for byte. */
static void
check_append(const json_t *v)
{
	struct sm_buf b = { 0 };
	char *want = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(16) |
	    JSON_ENCODE_ANY);

	assert_non_null(want);
	sm_json_append(&b, v);
	sm_buf_addc(&b, '\0');
	if (strcmp(b.data, want) != 0)
		fail_msg("sm_json_append wrote %s, jansson %s", b.data, want);
	free(want);
	sm_buf_free(&b);
}

static void
test_json_append_as_jansson(void **state)
{
	static const char *const texts[] = {
		"{}", "[]", "\"\"", "null", "true", "false", "0", "-12",
		"9223372036854775807", "-9223372036854775808",
		"{\"category\":\"complaint\",\"pii\":[\"phone\",\"email\"],"
		"\"score\":3.5,\"rules\":[],\"x\":null,\"ok\":true}",
		"[[[]],{\"a\":{\"b\":[1,2.25,\"c\"]}}]",
		"\"quote \\\" backslash \\\\ slash / tab \\t nl \\n\"",
		"\"\\u0000\\u0001\\u001f\\b\\f\\r \\u007f\"",
		"\"ñandú 🚌 \\u2028 \\ufeff\"",
		"{\"kéy \\\"q\\\"\\n\":1}",
		"0.1", "-0.0", "1.5e300", "1e-7", "123456789.125", "2.5e-308",
		"1e16", "1e15", "100.0", "3.0000000000000004",
	};
	json_error_t jerr;
	uint64_t x = 0x9e3779b97f4a7c15u;

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		json_t *v = json_loads(texts[i], JSON_DECODE_ANY |
		    JSON_ALLOW_NUL, &jerr);

		if (v == NULL)
			fail_msg("%s: %s", texts[i], jerr.text);
		check_append(v);
		json_decref(v);
	}
	/* reals of every magnitude and digit count */
	for (int i = 0; i < 20000; i++) {
		double d;
		json_t *v;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		memcpy(&d, &x, sizeof(d));
		if (d != d || d - d != 0)
			continue;	/* NaN and infinities are not JSON */
		if (i % 2)
			d = (double)(x % 100000) / 1000;	/* scores */
		v = json_real(d);
		check_append(v);
		json_decref(v);
	}
}

/* JSON has no NaN or Infinity: both writers give null */
static void
test_json_append_nonfinite(void **state)
{
	static const double v[] = { NAN, -NAN, INFINITY, -INFINITY };
	struct sm_buf b = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		json_t *j = sm_json_real(v[i]);
		char *text = json_dumps(j, JSON_ENCODE_ANY);

		sm_buf_reset(&b);
		sm_json_append_real(&b, v[i]);
		assert_string_equal(b.data, "null");
		assert_string_equal(text, "null");
		free(text);
		json_decref(j);
	}
	sm_buf_reset(&b);
	sm_json_append_real(&b, 0.25);
	assert_string_equal(b.data, "0.25");
	sm_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_files_in_order),
		cmocka_unit_test(test_reader_key_order_and_values),
		cmocka_unit_test(test_reader_crlf),
		cmocka_unit_test(test_reader_bom),
		cmocka_unit_test(test_reader_blank_lines),
		cmocka_unit_test(test_reader_long_line),
		cmocka_unit_test(test_reader_max_line),
		cmocka_unit_test(test_reader_last_line_without_newline),
		cmocka_unit_test(test_reader_invalid_json),
		cmocka_unit_test(test_reader_not_an_object),
		cmocka_unit_test(test_reader_invalid_utf8),
		cmocka_unit_test(test_reader_missing_file),
		cmocka_unit_test(test_reader_directory_is_read_error),
		cmocka_unit_test(test_reader_stdin_and_dash),
		cmocka_unit_test(test_writer_compact_in_order),
		cmocka_unit_test(test_writer_round_trip_keeps_order),
		cmocka_unit_test(test_writer_put_line),
		cmocka_unit_test(test_record_set_last),
		cmocka_unit_test(test_writer_dev_full),
		cmocka_unit_test(test_writer_closed_pipe),
		cmocka_unit_test(test_writer_ok_is_not_closed_pipe),
		cmocka_unit_test(test_record_get),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_json_append_as_jansson),
		cmocka_unit_test(test_json_append_nonfinite),
		cmocka_unit_test(test_record_set),
	};

	return cmocka_run_group_tests_name("jsonl", tests, setup_dir,
	    remove_dir);
}
