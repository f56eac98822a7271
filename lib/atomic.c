/* atomic.c - files that appear whole or not at all */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sm/atomic.h"
#include "sm/util.h"

FILE *
sm_atomic_open(const char *path, char **tmp, struct sm_error *err)
{
	struct sm_buf b = { 0 };
	FILE *fp = NULL;
	int fd;

	sm_buf_adds(&b, path);
	sm_buf_adds(&b, ".tmp.XXXXXX");
	if ((fd = mkstemp(b.data)) < 0 || (fp = fdopen(fd, "w")) == NULL) {
		sm_error_set(err, b.data, 0, 0, "%s", strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(b.data);
		}
		sm_buf_free(&b);
		return NULL;
	}
	fchmod(fd, 0644);
	*tmp = b.data;
	return fp;
}

int
sm_atomic_commit(FILE *fp, char *tmp, const char *path, struct sm_error *err)
{
	char *dir = xstrdup(path);
	int dfd, rc = -1;

	if (fflush(fp) == EOF || ferror(fp) || fsync(fileno(fp)) < 0) {
		sm_error_set(err, tmp, 0, 0, "write error: %s",
		    strerror(errno ? errno : EIO));
		fclose(fp);
	} else if (fclose(fp) == EOF) {
		sm_error_set(err, tmp, 0, 0, "write error: %s",
		    strerror(errno));
	} else if (rename(tmp, path) < 0) {
		sm_error_set(err, path, 0, 0, "%s", strerror(errno));
	} else {
		if ((dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY)) >= 0) {
			fsync(dfd);
			close(dfd);
		}
		rc = 0;
	}
	if (rc < 0)
		unlink(tmp);
	free(dir);
	free(tmp);
	return rc;
}

void
sm_atomic_abandon(FILE *fp, char *tmp)
{
	fclose(fp);
	unlink(tmp);
	free(tmp);
}
