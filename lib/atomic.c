/* atomic.c - files that appear whole or not at all */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sm/atomic.h"
#include "sm/util.h"

/* Creates path.tmp.XXXXXX with mode (the umask applies, as it does not
 * with mkstemp's fixed 0600); its descriptor, and its name in b. */
static int
create_tmp(const char *path, mode_t mode, struct sm_buf *b)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	uint64_t rng;
	int fd = -1;

	sm_rand_seed(&rng);
	for (int tries = 0; tries < 100; tries++) {
		sm_buf_reset(b);
		sm_buf_adds(b, path);
		sm_buf_adds(b, ".tmp.");
		for (int i = 0; i < 6; i++)
			sm_buf_addc(b, chars[(size_t)(sm_rand_unit(&rng) *
			    (sizeof(chars) - 1))]);
		fd = open(b->data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    mode);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	return fd;
}

FILE *
sm_atomic_open(const char *path, mode_t mode, char **tmp,
    struct sm_error *err)
{
	struct sm_buf b = { 0 };
	struct stat st;
	FILE *fp = NULL;
	int fd, e;

	*tmp = NULL;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* a device, a FIFO, /dev/stdout: never replaced by a file */
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY |
		    O_CLOEXEC, mode);
		if (fd < 0 || (fp = fdopen(fd, "w")) == NULL) {
			e = errno;
			if (fd >= 0)
				close(fd);
			sm_error_set(err, path, 0, 0, "%s", strerror(e));
			return NULL;
		}
		return fp;
	}
	if ((fd = create_tmp(path, mode, &b)) < 0 ||
	    (fp = fdopen(fd, "w")) == NULL) {
		e = errno;
		sm_error_set(err, b.data, 0, 0, "%s", strerror(e));
		if (fd >= 0) {
			close(fd);
			unlink(b.data);
		}
		sm_buf_free(&b);
		return NULL;
	}
	*tmp = b.data;
	return fp;
}

static int
sync_regular(FILE *fp)
{
	struct stat st;

	if (fstat(fileno(fp), &st) == 0 && !S_ISREG(st.st_mode))
		return 0;	/* a pipe or a device cannot be synced */
	return fsync(fileno(fp));
}

int
sm_atomic_commit(FILE *fp, char *tmp, const char *path, struct sm_error *err)
{
	const char *name = tmp ? tmp : path;
	char *dir = xstrdup(path);
	int dfd, rc = -1;

	errno = 0;
	if (fflush(fp) == EOF || ferror(fp) || sync_regular(fp) < 0) {
		sm_error_set(err, name, 0, 0, "write error: %s",
		    strerror(errno ? errno : EIO));
		fclose(fp);
	} else if (fclose(fp) == EOF) {
		sm_error_set(err, name, 0, 0, "write error: %s",
		    strerror(errno));
	} else if (tmp == NULL) {
		rc = 0;
	} else if (rename(tmp, path) < 0) {
		sm_error_set(err, path, 0, 0, "%s", strerror(errno));
	} else {
		if ((dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY)) >= 0) {
			fsync(dfd);
			close(dfd);
		}
		rc = 0;
	}
	if (rc < 0 && tmp)
		unlink(tmp);
	free(dir);
	free(tmp);
	return rc;
}

void
sm_atomic_abandon(FILE *fp, char *tmp)
{
	fclose(fp);
	if (tmp)
		unlink(tmp);
	free(tmp);
}
