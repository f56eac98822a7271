/* jsonl.h - reading and writing JSON lines */
#ifndef SM_JSONL_H
#define SM_JSONL_H

#include <stdio.h>

#include <jansson.h>

#include "sm/error.h"
#include "sm/util.h"

/* What sm_reader_next found. */
enum sm_read {
	SM_READ_EOF = 0,	/* all input consumed */
	SM_READ_RECORD = 1,	/* *rec is a JSON object */
	SM_READ_BAD = -1,	/* the line is not a valid record; err says why */
	SM_READ_NOFILE = -2,	/* a named file cannot be opened; skipped */
	SM_READ_IOERR = -3	/* reading failed; the rest of that file is skipped */
};

/*
 * Reads records from the files named, in order, like cat: no names or
 * "-" means standard input.  A trailing CR and a UTF-8 byte-order mark at
 * the start of a file are ignored, and lines holding only white space are
 * skipped.  A line longer than max_line bytes (newline and CR not
 * counted) is SM_READ_BAD, "line longer than N bytes"; only its first
 * max_line bytes are kept, as its raw text, so that memory stays about
 * max_line however long the line.
 */
#define SM_READER_MAX_LINE (16 * 1024 * 1024)

struct sm_reader {
	char *const *names;
	int nnames;
	int next;		/* index of the next name to open */
	FILE *fp;		/* read with read(2): a line as soon as it is
				 * there, not when stdio's buffer is full */
	const char *name;	/* current file as shown in messages */
	unsigned long lineno;
	size_t max_line;	/* SM_READER_MAX_LINE unless set after init */
	char *line;		/* the raw line, with its newline if it had one */
	size_t cap;
	size_t len;
	char *buf;		/* what was read and not yet taken */
	size_t bufpos, buflen;
	unsigned long records;	/* objects returned so far */
	unsigned long rejected;	/* SM_READ_BAD so far */
	int dup_keys;		/* the line names a key twice in an object */
	struct sm_pick *pick;	/* when set, records hold only these paths
				 * (never written out again: see pick.h) */
};

void sm_reader_init(struct sm_reader *r, char *const *names, int nnames);

/*
 * Moves to the next record.  On SM_READ_RECORD, *rec is a new reference
 * the caller must json_decref.  On SM_READ_BAD, err holds "FILE:LINE" and
 * the reason, and sm_reader_raw gives the line exactly as it was read.
 */
enum sm_read sm_reader_next(struct sm_reader *r, json_t **rec,
    struct sm_error *err);

/*
 * The record of the line last read, whole, as jansson reads it (the last
 * of a key named twice wins): for a tool that picked fields (pick) and
 * must write the record out again.  A new reference, or NULL.
 */
json_t *sm_reader_whole(const struct sm_reader *r);

/* The current line's bytes, newline included; borrowed until the next read. */
const char *sm_reader_raw(const struct sm_reader *r, size_t *len);

void sm_reader_close(struct sm_reader *r);

/*
 * Opens a file of records (rejected lines) for appending; a new one is
 * created 0600 (less the umask), as it holds citizens' messages.  NULL
 * with errno set when it cannot.
 */
FILE *sm_jsonl_open_append(const char *path);

/* Writes records as compact JSON lines, keys in their order. */
struct sm_writer {
	FILE *fp;
	const char *name;	/* for messages: "<stdout>" or a path */
	int unbuffered;		/* flush after every record */
	int closed_pipe;	/* the reader went away (EPIPE) */
	struct sm_buf buf;
};

void sm_writer_init(struct sm_writer *w, FILE *fp, const char *name,
    int unbuffered);

/*
 * Writes one record and a newline.  Returns 0, or -1 with err set on a
 * write error; when the error is a closed pipe, closed_pipe is set too.
 */
int sm_writer_put(struct sm_writer *w, json_t *rec, struct sm_error *err);

/* Appends rec as one compact JSON line, newline included; -1 when it
 * cannot be encoded. */
int sm_json_line(struct sm_buf *b, json_t *rec);

/*
 * Appends line (a record read, len bytes, newline or not) with
 * "key":value added last when the line is one compact object: 1; else
 * appends nothing and returns 0.  The rules of sm_writer_put_line.
 */
int sm_json_line_add(struct sm_buf *b, const char *line, size_t len,
    const char *key, const char *value, size_t vlen);

/*
 * Writes the record read as line (len bytes, newline or not) with
 * "key":value added last, copying the line's own bytes as they are; value
 * is compact JSON text of vlen bytes.  key is a plain name that needs no
 * escaping, and the record must not hold it already.  Returns 1 when
 * written, -1 with err set on a write error, and 0 when the line is not
 * one compact object, so that the caller must encode the record itself.
 */
int sm_writer_put_line(struct sm_writer *w, const char *line, size_t len,
    const char *key, const char *value, size_t vlen, struct sm_error *err);

/*
 * Appends v to b as compact JSON, byte for byte what jansson writes with
 * JSON_COMPACT | JSON_REAL_PRECISION(16) (keys in the object's order),
 * without jansson's per-value bookkeeping: the tools' own objects are
 * written this way, once per record.
 */
void sm_json_append(struct sm_buf *b, const json_t *v);

/* A string of n bytes (valid UTF-8), and a real, written alike; a real
 * that is NaN or infinite is written null, as sm_json_real makes it. */
void sm_json_append_string(struct sm_buf *b, const char *s, size_t n);
void sm_json_append_real(struct sm_buf *b, double v);

/* A real in the fewest digits (15 to 17) that read back as v, otherwise
 * written as above ("0.1", not jansson's "0.10000000000000001"): for text
 * meant for people, such as templates. */
void sm_json_append_real_shortest(struct sm_buf *b, double v);

/* Writes raw bytes (a rejected line, say) as they are. */
int sm_writer_raw(struct sm_writer *w, const char *p, size_t n,
    struct sm_error *err);

/* Flushes and closes the stream, reporting any write error. */
int sm_writer_close(struct sm_writer *w, struct sm_error *err);

/*
 * Replaces (or adds) key in rec so that it comes last, as a tool's own
 * object must.  Steals the reference to value.
 */
void sm_record_set_last(json_t *rec, const char *key, json_t *value);

/* The value at a dotted path ("author.handle"), or NULL; borrowed. */
json_t *sm_record_get(json_t *rec, const char *path);

/*
 * Sets the value at a dotted path ("label.category"), making the objects
 * on the way; steals the reference to value.  -1 (value freed) when a
 * value on the way is not an object.
 */
int sm_record_set(json_t *rec, const char *path, json_t *value);

/* The string at key in o, or NULL when it is absent or not a string. */
const char *sm_json_str(const json_t *o, const char *key);

/* A new JSON real of v, or null when v is NaN or infinite, which JSON
 * cannot say (jansson's json_real gives NULL for them). */
json_t *sm_json_real(double v);

/* A new JSON string of s, or null when s is NULL. */
json_t *sm_json_str_or_null(const char *s);

/* 1 when the bytes are valid UTF-8 (no overlongs, no surrogates). */
int sm_utf8_valid(const char *s, size_t n);

#endif
