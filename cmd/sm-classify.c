/* sm-classify - label citizens' messages: category, topic, urgency... */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include <jansson.h>

#include "sm/classify.h"
#include "sm/config.h"
#include "sm/tool.h"

static const char usage_text[] =
    "usage: sm-classify [-quvx] [-c file] [-r file] [file ...]\n"
    "  -c, --config FILE   configuration (default: $SM_CONFIG, ./sm.yaml, ...)\n"
    "  -r, --rejects FILE  append rejected input lines to FILE\n"
    "  -u, --unbuffered    flush every record\n"
    "  -x, --explain       add classify.explain: why each label was given\n"
    "  -q, --quiet         do not report rejected lines\n"
    "  -v, --verbose       say which configuration is used, and a summary\n"
    "  -h, --help          this help\n"
    "  -V, --version       the version\n";

static void
usage(FILE *fp)
{
	fputs(usage_text, fp);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		SM_TOOL_LONGOPTS,
		{ "explain", no_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 }
	};
	struct sm_tool tool;
	struct sm_config *cfg;
	struct sm_classifier *cls;
	struct sm_error err;
	json_t *rec, *c;
	int opt, explain = 0, rc;

	sm_tool_init(&tool, "sm-classify");
	while ((opt = getopt_long(argc, argv, SM_TOOL_SHORTOPTS "x", longopts,
	    NULL)) != -1) {
		if (sm_tool_option(&tool, opt, optarg))
			continue;
		switch (opt) {
		case 'x':
			explain = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("sm-classify %s\n", SM_VERSION);
			return 0;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}

	cfg = sm_config_load(tool.config, &err);
	if (cfg == NULL) {
		sm_tool_error(&tool, &err);
		return EX_CONFIG;
	}
	cls = sm_classifier_new(cfg, &err);
	if (cls == NULL) {
		sm_tool_error(&tool, &err);
		sm_config_free(cfg);
		return EX_CONFIG;
	}
	if (tool.verbose)
		sm_tool_warn(&tool, "configuration: %s%s",
		    sm_config_path(cfg) ? sm_config_path(cfg) : "none",
		    sm_config_section(cfg, "classify") ? "" :
		    " (built-in rule pack)");
	if ((rc = sm_tool_open(&tool, argc - optind, argv + optind)) != 0) {
		sm_classifier_free(cls);
		sm_config_free(cfg);
		return rc;
	}
	while ((rec = sm_tool_next(&tool)) != NULL) {
		c = sm_classifier_run(cls, rec, explain, &err);
		if (c == NULL) {
			sm_tool_warn(&tool, "%s:%lu: %s", tool.in.name,
			    tool.in.lineno, err.text);
			sm_tool_fail(&tool, EX_SOFTWARE);
			c = json_null();
		}
		rc = sm_tool_put_own(&tool, rec, "classify", c);
		json_decref(rec);
		if (rc < 0)
			break;
	}
	sm_classifier_free(cls);
	sm_config_free(cfg);
	return sm_tool_finish(&tool);
}
