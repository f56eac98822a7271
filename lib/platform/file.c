/* file.c - the file connector: a JSON-lines file or file:// URL
 *
 * The cursor is "OFFSET:LINE", the byte just after the last whole line
 * read and that line's number, so each run reads what was appended since.
 * A line without its newline yet is left for the next run; a file shorter
 * than the cursor was replaced and is read from the start.
 */
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <jansson.h>

#include "sm/fetch.h"
#include "sm/jsonl.h"
#include "sm/platform.h"
#include "sm/util.h"

#define COMMIT_EVERY 1000

static const char *const schemes[] = { "file", NULL };

static const char *const keys[] = { "path", NULL };

static int
check(const struct sm_config *cfg, struct sm_account *a, struct sm_error *err)
{
	json_t *p = json_object_get(a->conf, "path");

	if (p && !json_is_string(p))
		return sm_config_error(cfg, p, err, "accounts.%s.path: "
		    "expected a string, got %s", a->name,
		    sm_config_type_name(p));
	if (p && a->url)
		return sm_config_error(cfg, p, err, "accounts.%s: path: and "
		    "url: both given", a->name);
	if (p == NULL && a->url == NULL)
		return sm_config_error(cfg, a->conf, err, "accounts.%s: no "
		    "path: or url:", a->name);
	if (p) {
		/* relative to the file it is written in, as every path */
		struct sm_buf b = { 0 };
		char *path = sm_config_relpath(cfg, p);

		sm_buf_adds(&b, "file://");
		sm_buf_adds(&b, path);
		free(path);
		a->url = b.data;
	}
	return 0;
}

static const char *
file_path(struct sm_account *a)
{
	const char *p = a->url + 7;

	/* file://localhost/x and file:///x */
	if (strncmp(p, "localhost/", 10) == 0)
		p += 9;
	return p;
}

static uint64_t
fnv(uint64_t h, const char *p, size_t n)
{
	while (n--)
		h = (h ^ (unsigned char)*p++) * 0x100000001b3ULL;
	return h;
}

#define FNV0 0xcbf29ce484222325ULL
#define TAIL 4096		/* bytes before the cursor that must not change */

/*
 * The hash of the TAIL bytes (or fewer) before off: a file replaced,
 * rotated or rewritten under the cursor no longer has them.  -1 when they
 * cannot be read.
 */
static int
tail_hash(FILE *fp, unsigned long long off, uint64_t *h)
{
	char buf[TAIL];
	size_t k = off < TAIL ? (size_t)off : TAIL;

	if (fseeko(fp, (off_t)(off - k), SEEK_SET) < 0 ||
	    fread(buf, 1, k, fp) != k)
		return -1;
	*h = fnv(FNV0, buf, k);
	return 0;
}

/* Fills what the file did not say, so that every record has an id. */
static void
complete(struct sm_job *job, json_t *rec, const char *text, size_t n)
{
	char id[64];
	struct sm_buf b = { 0 };

	if (!json_is_string(json_object_get(rec, "platform")))
		json_object_set_new(rec, "platform", json_string("file"));
	if (!json_is_string(json_object_get(rec, "account")))
		json_object_set_new(rec, "account",
		    json_string(job->acct->name));
	if (!json_is_string(json_object_get(rec, "id"))) {
		/* the line's own hash: the same message the same id, run
		 * after run, whatever happened to the file around it */
		snprintf(id, sizeof(id), "%016llx",
		    (unsigned long long)fnv(FNV0, text, n));
		sm_buf_adds(&b, "file:");
		sm_buf_adds(&b, job->acct->name);
		sm_buf_addc(&b, ':');
		sm_buf_adds(&b, id);
		json_object_set_new(rec, "id", json_string(b.data));
		sm_buf_free(&b);
	}
}

/* The cursor after off: where, and what the file is, to know it again. */
static int
cursor(FILE *fp, const struct stat *sb, unsigned long long off,
    unsigned long line, char *value, size_t size)
{
	off_t here = ftello(fp);
	uint64_t h;

	if (here < 0 || tail_hash(fp, off, &h) < 0 ||
	    fseeko(fp, here, SEEK_SET) < 0)
		return -1;
	snprintf(value, size, "%llu:%lu:%llu:%llu:%016" PRIx64, off, line,
	    (unsigned long long)sb->st_dev, (unsigned long long)sb->st_ino, h);
	return 0;
}

static void
fetch(struct sm_job *job)
{
	const char *path = file_path(job->acct), *cur;
	unsigned long long off = 0, dev = 0, ino = 0;
	unsigned long line = 0, since_commit = 0;
	uint64_t hash = 0, h;
	int k = 0;
	char *buf = NULL, value[160];
	size_t cap = 0;
	ssize_t n;
	struct stat sb;
	json_error_t jerr;
	json_t *rec;
	FILE *fp;

	cur = job->opts->backfill ? NULL : sm_job_cursor(job, "offset");
	if (job->s.stopped)
		return;
	/* OFFSET:LINE:DEVICE:INODE:HASH (OFFSET:LINE before) */
	if (cur && (k = sscanf(cur, "%llu:%lu:%llu:%llu:%" SCNx64, &off,
	    &line, &dev, &ino, &hash)) != 5 && k != 2)
		off = line = 0;
	if ((fp = fopen(path, "r")) == NULL) {
		sm_session_fail(&job->s, errno == ENOENT ? EX_NOINPUT : EX_IOERR,
		    "%s: %s", path, strerror(errno));
		return;
	}
	if (fstat(fileno(fp), &sb) < 0) {
		sm_session_fail(&job->s, EX_IOERR, "%s: %s", path,
		    strerror(errno));
		fclose(fp);
		return;
	}
	if ((unsigned long long)sb.st_size < off) {
		sm_session_note(&job->s, "%s is shorter than before: read from the "
		    "start", path);
		off = line = 0;
	} else if (off && k == 5 && ((unsigned long long)sb.st_dev != dev ||
	    (unsigned long long)sb.st_ino != ino ||
	    tail_hash(fp, off, &h) < 0 || h != hash)) {
		/* logrotate's move and create, or a copy written over it */
		sm_session_note(&job->s, "%s is not the file read before "
		    "(rotated or replaced): read from the start", path);
		off = line = 0;
	}
	if (fseeko(fp, (off_t)off, SEEK_SET) < 0) {
		sm_session_fail(&job->s, EX_IOERR, "%s: %s", path, strerror(errno));
		fclose(fp);
		return;
	}
	while ((n = getline(&buf, &cap, fp)) > 0) {
		if (buf[n - 1] != '\n')
			break;		/* still being written */
		off += (unsigned long long)n;
		line++;
		if (strspn(buf, " \t\r\n") == (size_t)n)
			continue;
		rec = json_loadb(buf, (size_t)n, JSON_REJECT_DUPLICATES, &jerr);
		if (rec == NULL || !json_is_object(rec)) {
			sm_session_warn(&job->s, EX_DATAERR, "%s:%lu: %s", path, line,
			    rec ? "expected an object" : jerr.text);
			json_decref(rec);
			continue;
		}
		complete(job, rec, buf, (size_t)n);
		if (job->opts->since) {
			time_t t;
			json_t *c = json_object_get(rec, "created_at");

			if (json_is_string(c) && sm_time_parse(
			    json_string_value(c), &t) == 0 &&
			    t < job->opts->since) {
				json_decref(rec);
				continue;
			}
		}
		if (sm_job_emit(job, rec) < 0)
			break;
		if (++since_commit == COMMIT_EVERY) {
			if (cursor(fp, &sb, off, line, value, sizeof(value)) < 0 ||
			    sm_job_commit(job, "offset", value) < 0)
				break;
			since_commit = 0;
		}
	}
	if (ferror(fp))
		sm_session_fail(&job->s, EX_IOERR, "%s: %s", path, strerror(errno));
	else if (!job->s.stopped &&
	    cursor(fp, &sb, off, line, value, sizeof(value)) == 0 &&
	    (cur == NULL || strcmp(cur, value) != 0))
		sm_job_commit(job, "offset", value);
	free(buf);
	fclose(fp);
}

const struct sm_platform sm_platform_file = {
	.name = "file",
	.keys = keys,
	.default_url = NULL,
	.schemes = schemes,
	.url_optional = 1,
	.needs_token = 0,
	.check = check,
	.fetch = fetch,
	.free = NULL,
};
