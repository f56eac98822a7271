/* platform.c - the table of connectors */
#include <string.h>

#include "sm/platform.h"
#include "sm/util.h"

static const struct sm_platform *const platforms[] = {
	&sm_platform_bluesky,
	&sm_platform_email,
	&sm_platform_facebook,
	&sm_platform_file,
	&sm_platform_mastodon,
	&sm_platform_telegram,
	&sm_platform_x,
	NULL
};

const struct sm_platform *
sm_platform_find(const char *name)
{
	int i;

	for (i = 0; platforms[i]; i++)
		if (strcmp(platforms[i]->name, name) == 0)
			return platforms[i];
	return NULL;
}

const char *
sm_platform_names(void)
{
	static struct sm_buf names;
	int i;

	if (names.data == NULL)
		for (i = 0; platforms[i]; i++) {
			if (i)
				sm_buf_adds(&names, ", ");
			sm_buf_adds(&names, platforms[i]->name);
		}
	return names.data;
}
