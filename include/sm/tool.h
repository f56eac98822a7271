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

#include "sm/config.h"
#include "sm/error.h"
#include "sm/jsonl.h"
#include "sm/state.h"

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

/* --state FILE, for the tools that keep state (no short form). */
#define SM_TOOL_OPT_STATE 0x5300	/* above the tools' own long-only options */
#define SM_TOOL_STATE_LONGOPT \
	{ "state", required_argument, NULL, SM_TOOL_OPT_STATE }

/* --check, for the tools (and modes) that read sm.yaml: see
 * sm_tool_configured. */
#define SM_TOOL_OPT_CHECK 0x5301
#define SM_TOOL_CHECK_LONGOPT \
	{ "check", no_argument, NULL, SM_TOOL_OPT_CHECK }

struct sm_tool {
	const char *name;
	const char *config;	/* -c */
	const char *rejects_path;	/* -r */
	const char *state_path;	/* --state */
	int quiet, verbose, unbuffered;
	int check;		/* --check */
	int keeps_state;	/* opens the state database: --check checks
				 * state: */
	size_t warned;		/* the configuration's warnings said so far */
	int status;		/* exit status so far */
	FILE *rejects;
	struct sm_reader in;
	int reading;		/* in was opened */
	struct sm_writer out;
	int out_open;		/* out was opened */
	const char *out_path;	/* -o, or NULL for standard output */
	char *out_tmp;		/* the temporary file behind -o */
	int out_failed;		/* a write failed: nothing more goes out */
	int out_closed;
	unsigned long written;
	struct sm_buf own;	/* the tool's object as text */
};

void sm_tool_init(struct sm_tool *t, const char *name);

/* "name: text" on stderr. */
void sm_tool_warn(struct sm_tool *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * What a library part reports as it goes (sm_report_fn of account.h; arg
 * is the tool): "name: who: text" on stderr, a note (code 0) only with
 * -v, a "try later" (75) not with -q.
 */
void sm_tool_report(void *tool, const char *who, int code, const char *text);

/* "name: file:line:column: text" on stderr. */
void sm_tool_error(struct sm_tool *t, const struct sm_error *err);

/*
 * A usage error: the synopsis of usage (its lines up to the first
 * option) and "see NAME --help", on stderr; returns EX_USAGE.
 */
int sm_tool_usage_error(const struct sm_tool *t, const char *usage);

/* Raises the exit status to code if it is worse than the current one. */
void sm_tool_fail(struct sm_tool *t, int code);

/*
 * Handles a common option; returns 1 if opt was one.  -h and -V are left
 * to the tool, which knows its usage.
 */
int sm_tool_option(struct sm_tool *t, int opt, const char *arg);

/* Opens the rejects file, the output and the inputs; exit code or 0. */
int sm_tool_open(struct sm_tool *t, int argc, char *const *argv);

/*
 * Opens the output alone (for a tool that reads no records): standard
 * output, or with path (-o) a temporary file next to path that
 * sm_tool_close_output fsyncs and renames into place, so that path
 * appears whole or not at all.  Exit code or 0.
 */
int sm_tool_output(struct sm_tool *t, const char *path);

/*
 * Makes what was written so far safe where it can be at once: flushed
 * to the pipe or terminal (with -o, the file is made whole only at the
 * end).  -1 when output has failed (a closed pipe ends quietly).
 */
int sm_tool_flush(struct sm_tool *t);

/*
 * Ends the output: flushes and closes standard output, or commits the
 * -o file (abandons it when a write failed).  Returns 1 when every record
 * written is safe, 0 when not.  sm_tool_finish calls it when the tool
 * has not.
 */
int sm_tool_close_output(struct sm_tool *t);

/*
 * Loads the configuration (-c, or the lookup of sm.yaml(5)); on failure
 * says why, sets EX_CONFIG and returns NULL.
 */
struct sm_config *sm_tool_config(struct sm_tool *t);

/*
 * The tool has loaded cfg and everything it derives from it (rules,
 * models, queues, calendars, templates, accounts): says the warnings of
 * cfg not said yet, "name: file:line:column: warning: text", which change
 * no exit status (with -q none, unless --check asks for them).  Returns
 * 1 with --check, having said "FILE: configuration OK" with -v when
 * nothing failed: the tool then stops, reading no input and opening no
 * state database, and exits with sm_tool_finish's status.  Else 0.
 */
int sm_tool_configured(struct sm_tool *t, const struct sm_config *cfg);

/*
 * Opens the state database (--state, state: in cfg, or the default) and,
 * when lock is given, takes that lock waiting at most wait_ms.  On
 * failure says why, sets the exit status (78 for the configuration, 75
 * while another run holds the lock, 73 otherwise) and returns NULL.
 */
struct sm_state *sm_tool_state(struct sm_tool *t,
    const struct sm_config *cfg, const char *lock, int wait_ms);

/*
 * The next record (a new reference) or NULL at the end.  Bad lines and
 * unreadable files are reported, counted and copied to the rejects file
 * here, so the tool sees only records.
 */
json_t *sm_tool_next(struct sm_tool *t);

/* The same from another reader (a second input, such as a dev set). */
json_t *sm_tool_read(struct sm_tool *t, struct sm_reader *in);

/* Writes a record; -1 when output has failed and the loop should stop
 * (the failure said, unless it was a closed pipe). */
int sm_tool_put(struct sm_tool *t, json_t *rec);

/*
 * Writes the record just read with the tool's own object value under key,
 * last.  Steals value.  The record's fields must not have been changed:
 * when the input line was compact JSON it is copied as it was; else the
 * record is written anew, read whole first when the reader picked only
 * some of its fields (in.pick).
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

/*
 * The output line of a record with its own object (compact JSON text of
 * n bytes) under key, appended to line: the input line (raw, rawlen, as
 * sm_reader_raw gave it; dup_keys as the reader said) copied with the
 * object added where sm_tool_put_own_text would copy it, else the record
 * re-encoded with it last.  For a tool that holds records back before
 * writing them (sm-route commits case numbers first).  -1 when the
 * record cannot be encoded.
 */
int sm_tool_line(json_t *rec, const char *raw, size_t rawlen, int dup_keys,
    const char *key, const char *text, size_t n, struct sm_buf *line);

/* Writes a whole line (or lines) as it is; -1 when output has failed. */
int sm_tool_put_text(struct sm_tool *t, const char *text, size_t n);

/* Closes everything, says the summary with -v (not with --check);
 * returns the exit status. */
int sm_tool_finish(struct sm_tool *t);

#endif
