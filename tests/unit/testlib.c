/* testlib.c - what the C tests share: files, and the servers of tests/ */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sm/util.h"
#include "testlib.h"

char *
tl_read(const char *path)
{
	struct sm_buf b = { 0 };
	char chunk[4096];
	size_t n;
	FILE *fp = fopen(path, "rb");

	if (fp == NULL)
		return NULL;
	sm_buf_adds(&b, "");
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		sm_buf_add(&b, chunk, n);
	fclose(fp);
	return b.data;
}

void
tl_write(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL || fputs(text, fp) == EOF || fclose(fp) == EOF) {
		fprintf(stderr, "Bail out! cannot write %s\n", path);
		exit(1);
	}
}

int
tl_count(const char *dir, const char *prefix, const char *skip)
{
	struct dirent *e;
	DIR *d;
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' &&
		    strncmp(e->d_name, prefix, strlen(prefix)) == 0 &&
		    (skip == NULL || strstr(e->d_name, skip) == NULL))
			n++;
	closedir(d);
	return n;
}

int
tl_serve(const char *script, const char *const *args, const char *portfile,
    pid_t *pid)
{
	static const char *const proxies[] = { "http_proxy", "https_proxy",
	    "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", NULL };
	const char *src = getenv("SM_SRC"), *py = "python3";
	struct timespec ts = { 0, 25000000 };
	char path[1024], *p;
	int i, port;

	for (i = 0; proxies[i]; i++)
		unsetenv(proxies[i]);
	if (access("/usr/bin/python3", X_OK) == 0)
		py = "/usr/bin/python3";
	snprintf(path, sizeof(path), "%s/tests/%s", src ? src : ".", script);
	unlink(portfile);
	if ((*pid = fork()) < 0)
		return -1;
	if (*pid == 0) {
		const char *argv[64];
		int n = 0;

		argv[n++] = py;
		argv[n++] = path;
		for (i = 0; args && args[i] && n < 60; i++)
			argv[n++] = args[i];
		argv[n++] = "--port-file";
		argv[n++] = portfile;
		argv[n] = NULL;
		execvp(py, (char *const *)argv);
		_exit(127);
	}
	for (i = 0; i < 400; i++) {
		if ((p = tl_read(portfile)) != NULL && *p) {
			port = atoi(p);
			free(p);
			return port;
		}
		free(p);
		nanosleep(&ts, NULL);
	}
	return -1;
}

void
tl_unserve(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGTERM);
		waitpid(*pid, NULL, 0);
	}
	*pid = 0;
}
