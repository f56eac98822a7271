/* tool.h - what every sm command shares: options, diagnostics, record loop
 *
 * This is the one part of libsm that speaks to the user (on stderr) and
 * knows exit codes; it is for cmd/ only.  The rest of lib/ returns errors.
 */
#ifndef SM_TOOL_H
#define SM_TOOL_H

#include <getopt.h>
#include <stdio.h>

#include <jansson.h>

#include "sm/error.h"
#include "sm/jsonl.h"

/* Options every tool takes; a tool appends its own. */
#define SM_TOOL_SHORTOPTS "c:qr:uvhV"
#define SM_TOOL_LONGOPTS \
	{ "config", required_argument, NULL, 'c' }, \
	{ "quiet", no_argument, NULL, 'q' }, \
	{ "rejects", required_argument, NULL, 'r' }, \
	{ "unbuffered", no_argument, NULL, 'u' }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }

struct sm_tool {
	const char *name;
	const char *config;	/* -c */
	const char *rejects_path;	/* -r */
	int quiet, verbose, unbuffered;
	int status;		/* exit status so far */
	FILE *rejects;
	struct sm_reader in;
	struct sm_writer out;
	unsigned long written;
	struct sm_buf own;	/* the tool's object as text */
};

void sm_tool_init(struct sm_tool *t, const char *name);

/* "name: text" on stderr. */
void sm_tool_warn(struct sm_tool *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "name: file:line:column: text" on stderr. */
void sm_tool_error(struct sm_tool *t, const struct sm_error *err);

/* Raises the exit status to code if it is worse than the current one. */
void sm_tool_fail(struct sm_tool *t, int code);

/*
 * Handles a common option; returns 1 if opt was one.  -h and -V are left
 * to the tool, which knows its usage.
 */
int sm_tool_option(struct sm_tool *t, int opt, const char *arg);

/* Opens the rejects file, standard output and the inputs; exit code or 0. */
int sm_tool_open(struct sm_tool *t, int argc, char *const *argv);

/*
 * The next record (a new reference) or NULL at the end.  Bad lines and
 * unreadable files are reported, counted and copied to the rejects file
 * here, so the tool sees only records.
 */
json_t *sm_tool_next(struct sm_tool *t);

/* Writes a record; -1 when output has failed and the loop should stop. */
int sm_tool_put(struct sm_tool *t, json_t *rec);

/*
 * Writes the record just read with the tool's own object value under key,
 * last.  Steals value.  The record's fields must not have been changed:
 * when the input line was compact JSON it is copied as it was.
 */
int sm_tool_put_own(struct sm_tool *t, json_t *rec, const char *key,
    json_t *value);

/*
 * The same with the object given as compact JSON text of n bytes.
 * Returns 1 when written, -1 when output has failed, and 0 when the line
 * cannot be copied (it is not compact, or holds key already): the caller
 * then writes the record with sm_tool_put_own.
 */
int sm_tool_put_own_text(struct sm_tool *t, json_t *rec, const char *key,
    const char *text, size_t n);

/* Closes everything, says the summary with -v; returns the exit status. */
int sm_tool_finish(struct sm_tool *t);

#endif
