/* jansson-loop.c - the floor for a jansson filter: read each line, parse
 * it, add a small object, print it compactly.  No classification at all. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

int
main(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	json_error_t err;

	while ((n = getline(&line, &cap, stdin)) > 0) {
		json_t *j = json_loadb(line, (size_t)n, JSON_DECODE_ANY |
		    JSON_ALLOW_NUL, &err);

		if (j == NULL || !json_is_object(j)) {
			json_decref(j);
			continue;
		}
		json_object_set_new(j, "classify", json_pack("{s:s}",
		    "category", "other"));
		json_dumpf(j, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(j);
	}
	free(line);
	return fflush(stdout) != 0;
}
