/* sm-classify - label citizens' messages: category, topic, urgency... */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <termios.h>
#include <unistd.h>

#include <jansson.h>

#include "sm/atomic.h"
#include "sm/classify.h"
#include "sm/config.h"
#include "sm/eval.h"
#include "sm/message.h"
#include "sm/model.h"
#include "sm/pick.h"
#include "sm/text.h"
#include "sm/tool.h"
#include "sm/topk.h"
#include "sm/train.h"
#include "sm/util.h"

static const char usage_text[] =
    "usage: sm-classify [-quvx] [-c file] [-m dim=model] [-r file]\n"
    "                   [--uncertain n --uncertain-file file] [file ...]\n"
    "       sm-classify --check [-v] [-c file] [-m dim=model]\n"
    "       sm-classify train -l path -o model [--dev file] [options] [file ...]\n"
    "       sm-classify eval -l path [-j] [-d dim] [-m dim=model] [file ...]\n"
    "       sm-classify label -l path -o file [-d dim] [-m dim=model] [file ...]\n"
    "  -c, --config FILE   configuration (default: $SM_CONFIG, ./sm.yaml, ...)\n"
    "      --check         load the configuration, say its warnings, and exit\n"
    "  -m, --model D=FILE  label dimension D with the model in FILE\n"
    "  -r, --rejects FILE  append rejected input lines to FILE\n"
    "  -u, --unbuffered    flush every record\n"
    "  -x, --explain       add classify.explain: why each label was given\n"
    "      --uncertain N   keep the N records the models were least sure of\n"
    "      --uncertain-file FILE  ... and write them to FILE at the end\n"
    "  -q, --quiet         do not report rejected lines nor config warnings\n"
    "  -v, --verbose       say which configuration is used, and a summary\n"
    "  -h, --help          this help\n"
    "  -V, --version       the version\n"
    "train: -l, --label PATH  the label to learn (label.category)\n"
    "       -o, --output FILE where to write the model\n"
    "       --dev FILE  held-out records: pick the epoch with the best macro-F1\n"
    "       --epochs N (30)  --seed N (1)  --lr X (0.25)  --l2 X (1e-6)\n"
    "       --bits N (22)  --words 1|2 (2)  --chars MIN-MAX|0 (2-5)\n"
    "       --min-df N (2)  --folds N|0 (5)  --no-balance\n"
    "eval:  -l, --label PATH  the gold label;  -d, --dimension D  what to\n"
    "       compare it with (default: PATH's last part);  -j, --json\n"
    "label: on the terminal, a person labels each record at PATH (-l),\n"
    "       appended to FILE (-o); -d D: the guess shown is classify.D\n";

/* "s" unless n is 1: "1 record", "2 records" */
static const char *
plural(unsigned long n)
{
	return n == 1 ? "" : "s";
}

static void
usage(FILE *fp)
{
	fputs(usage_text, fp);
}

/* -h, -V or an unknown option: the exit status to leave with. */
static int
final_option(const struct sm_tool *t, int opt)
{
	if (opt == 'h') {
		usage(stdout);
		return 0;
	}
	if (opt == 'V') {
		printf("sm-classify %s\n", SM_VERSION);
		return 0;
	}
	return sm_tool_usage_error(t, usage_text);
}

/* The label at path in rec, as text, in buf; NULL when it has none. */
static const char *
gold_label(json_t *rec, const char *path, char *buf, size_t size)
{
	json_t *v = sm_record_get(rec, path);

	if (json_is_string(v))
		return json_string_length(v) ? json_string_value(v) : NULL;
	if (json_is_integer(v)) {
		snprintf(buf, size, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		return buf;
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "true" : "false";
	return NULL;
}

/* -m DIM=FILE */
static int
add_model(struct sm_tool *t, struct sm_classifier *cls, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct sm_error err;
	char *dim;
	int rc;

	if (eq == NULL || eq == arg || eq[1] == '\0') {
		sm_tool_warn(t, "-m %s: expected DIMENSION=MODEL", arg);
		return EX_USAGE;
	}
	dim = xstrndup(arg, (size_t)(eq - arg));
	rc = sm_classifier_add_model(cls, dim, eq + 1, 0, &err);
	free(dim);
	if (rc < 0) {
		sm_tool_error(t, &err);
		return EX_CONFIG;
	}
	return 0;
}

/* Loads the configuration and builds the classifier with the models. */
static struct sm_classifier *
classifier(struct sm_tool *t, struct sm_config **cfg, char **models,
    int nmodels, int *rc)
{
	struct sm_classifier *cls;
	struct sm_error err;

	*cfg = sm_config_load(t->config, &err);
	if (*cfg == NULL) {
		sm_tool_error(t, &err);
		*rc = EX_CONFIG;
		return NULL;
	}
	cls = sm_classifier_new(*cfg, &err);
	if (cls == NULL) {
		sm_tool_error(t, &err);
		sm_config_free(*cfg);
		*rc = EX_CONFIG;
		return NULL;
	}
	for (int i = 0; i < nmodels; i++)
		if ((*rc = add_model(t, cls, models[i])) != 0) {
			sm_classifier_free(cls);
			sm_config_free(*cfg);
			return NULL;
		}
	if (t->verbose)
		sm_tool_warn(t, "configuration: %s%s",
		    sm_config_path(*cfg) ? sm_config_path(*cfg) : "none",
		    sm_config_section(*cfg, "classify") ? "" :
		    " (built-in rule pack)");
	sm_tool_configured(t, *cfg);
	*rc = 0;
	return cls;
}

/* ------------------------------------------------------------------ */
/* The least sure records, for --uncertain */

/* Writes the records kept, least sure first, to path (atomically). */
static int
uncertain_write(struct sm_tool *t, struct sm_topk *u, const char *path)
{
	const struct sm_topk_item *it;
	struct sm_error err;
	size_t n;
	char *tmp;
	FILE *fp;

	it = sm_topk_sorted(u, &n);
	if ((fp = sm_atomic_open(path, SM_MODE_PRIVATE, &tmp, &err)) == NULL) {
		sm_tool_error(t, &err);
		return EX_CANTCREAT;
	}
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%s\n", it[i].line);
	if (sm_atomic_commit(fp, tmp, path, &err) < 0) {
		sm_tool_error(t, &err);
		return EX_IOERR;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* sm-classify [file ...] */

static int
cmd_classify(int argc, char *argv[])
{
	enum { OPT_UNCERTAIN = 256, OPT_UNCERTAIN_FILE };
	static const struct option longopts[] = {
		SM_TOOL_LONGOPTS,
		SM_TOOL_CHECK_LONGOPT,
		{ "explain", no_argument, NULL, 'x' },
		{ "model", required_argument, NULL, 'm' },
		{ "uncertain", required_argument, NULL, OPT_UNCERTAIN },
		{ "uncertain-file", required_argument, NULL,
		    OPT_UNCERTAIN_FILE },
		{ NULL, 0, NULL, 0 }
	};
	struct sm_tool tool;
	struct sm_config *cfg;
	struct sm_classifier *cls;
	struct sm_error err;
	struct sm_topk unc = { 0 };
	const char *unc_file = NULL;
	char **models = xcalloc((size_t)argc + 1, sizeof(*models)), *end;
	json_t *rec;
	struct sm_pick *pick = NULL;
	struct sm_buf own = { 0 };
	int opt, explain = 0, rc, nmodels = 0;
	long n;
	double p;

	sm_tool_init(&tool, "sm-classify");
	while ((opt = getopt_long(argc, argv, SM_TOOL_SHORTOPTS "xm:",
	    longopts, NULL)) != -1) {
		if (sm_tool_option(&tool, opt, optarg))
			continue;
		switch (opt) {
		case 'x':
			explain = 1;
			break;
		case 'm':
			models[nmodels++] = optarg;
			break;
		case OPT_UNCERTAIN:
			errno = 0;
			n = strtol(optarg, &end, 10);
			if (errno || *end || n < 1 || n > 10000000) {
				sm_tool_warn(&tool, "--uncertain %s: expected a "
				    "number of records", optarg);
				free(models);
				return EX_USAGE;
			}
			unc.max = (size_t)n;
			break;
		case OPT_UNCERTAIN_FILE:
			unc_file = optarg;
			break;
		default:
			free(models);
			return final_option(&tool, opt);
		}
	}
	if ((unc.max != 0) != (unc_file != NULL)) {
		sm_tool_warn(&tool, "--uncertain and --uncertain-file go "
		    "together");
		free(models);
		return EX_USAGE;
	}
	cls = classifier(&tool, &cfg, models, nmodels, &rc);
	free(models);
	if (cls == NULL)
		return rc;
	if (unc.max && sm_classifier_nmodels(cls) == 0) {
		sm_tool_warn(&tool, "--uncertain needs a model (-m or "
		    "classify.models)");
		sm_classifier_free(cls);
		sm_config_free(cfg);
		return EX_USAGE;
	}
	if (tool.check || (rc = sm_tool_open(&tool, argc - optind,
	    argv + optind)) != 0) {
		sm_classifier_free(cls);
		sm_config_free(cfg);
		return tool.check ? sm_tool_finish(&tool) : rc;
	}
	/* only the fields the classifier reads are built: a record goes out
	 * as its line came, with classify added (--uncertain keeps whole
	 * records) */
	if (unc.max == 0) {
		pick = sm_pick_new();
		sm_classifier_pick(cls, pick);
		tool.in.pick = pick;
	}
	while ((rec = sm_tool_next(&tool)) != NULL) {
		if (sm_classifier_classify(cls, rec, explain, &err) != 0) {
			/* a rule hit a limit: the others decided */
			sm_tool_warn(&tool, "%s:%lu: %s", tool.in.name,
			    tool.in.lineno, err.text);
			sm_tool_fail(&tool, EX_DATAERR);
		}
		p = sm_classifier_confidence(cls);
		if (unc.max && sm_topk_wants(&unc, p)) {
			json_t *copy = json_copy(rec);

			sm_record_set_last(copy, "classify",
			    sm_classifier_json(cls));
			sm_topk_add(&unc, p, json_dumps(copy, JSON_COMPACT |
			    JSON_REAL_PRECISION(16)));
			json_decref(copy);
		}
		/* written straight from the classifier; a record whose line
		 * cannot be copied as it is goes out through jansson */
		sm_buf_reset(&own);
		sm_classifier_append(cls, &own);
		rc = sm_tool_put_own_text(&tool, rec, "classify", own.data,
		    own.len);
		if (rc == 0)
			rc = sm_tool_put_own(&tool, rec, "classify",
			    sm_classifier_json(cls));
		json_decref(rec);
		if (rc < 0)
			break;
	}
	sm_buf_free(&own);
	if (unc.max) {
		int urc;

		/* the records first, when the file is /dev/stdout */
		fflush(stdout);
		if ((urc = uncertain_write(&tool, &unc, unc_file)) != 0)
			sm_tool_fail(&tool, urc);
	}
	rc = sm_tool_finish(&tool);
	sm_pick_free(pick);
	sm_topk_free(&unc);
	sm_classifier_free(cls);
	sm_config_free(cfg);
	return rc;
}

/* ------------------------------------------------------------------ */
/* sm-classify train */

static void
progress(void *arg, const char *stage, unsigned epoch, unsigned epochs,
    double f1)
{
	struct sm_tool *t = arg;

	if (f1 >= 0)
		fprintf(stderr, "\r%s: %s: epoch %u/%u, macro-F1 %.4f ",
		    t->name, stage, epoch, epochs, f1);
	else
		fprintf(stderr, "\r%s: %s: epoch %u/%u ", t->name, stage,
		    epoch, epochs);
	if (epoch == epochs)
		fputc('\n', stderr);
}

static int
parse_num(struct sm_tool *t, const char *opt, const char *arg, double lo,
    double hi, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(arg, &end);
	if (errno || end == arg || *end || *out < lo || *out > hi) {
		sm_tool_warn(t, "--%s %s: expected a number from %g to %g",
		    opt, arg, lo, hi);
		return -1;
	}
	return 0;
}

/* Reads the examples of one reader into the trainer. */
static void
read_examples(struct sm_tool *t, struct sm_reader *in, struct sm_trainer *tr,
    struct sm_message *msg, const struct sm_features *f, struct sm_fvec *fv,
    const char *path, int dev, unsigned long *skipped)
{
	json_t *rec;
	char buf[32];
	const char *label;

	while ((rec = sm_tool_read(t, in)) != NULL) {
		if ((label = gold_label(rec, path, buf, sizeof(buf))) == NULL) {
			(*skipped)++;
			json_decref(rec);
			continue;
		}
		sm_message_analyze(msg, rec);
		sm_featurize(f, msg, rec, fv);
		sm_trainer_add(tr, fv, label, dev);
		json_decref(rec);
	}
}

static int
cmd_train(int argc, char *argv[])
{
	enum { O_DEV = 256, O_EPOCHS, O_SEED, O_LR, O_L2, O_BITS, O_WORDS,
	    O_CHARS, O_MINDF, O_NOBALANCE, O_FOLDS };
	static const struct option longopts[] = {
		SM_TOOL_LONGOPTS,
		{ "label", required_argument, NULL, 'l' },
		{ "output", required_argument, NULL, 'o' },
		{ "dev", required_argument, NULL, O_DEV },
		{ "epochs", required_argument, NULL, O_EPOCHS },
		{ "seed", required_argument, NULL, O_SEED },
		{ "lr", required_argument, NULL, O_LR },
		{ "l2", required_argument, NULL, O_L2 },
		{ "bits", required_argument, NULL, O_BITS },
		{ "words", required_argument, NULL, O_WORDS },
		{ "chars", required_argument, NULL, O_CHARS },
		{ "min-df", required_argument, NULL, O_MINDF },
		{ "no-balance", no_argument, NULL, O_NOBALANCE },
		{ "folds", required_argument, NULL, O_FOLDS },
		{ NULL, 0, NULL, 0 }
	};
	struct sm_features f = SM_FEATURES_DEFAULT;
	struct sm_train_opts o = SM_TRAIN_DEFAULT;
	const char *path = NULL, *output = NULL, *devfile = NULL;
	struct sm_tool tool;
	struct sm_error err;
	struct sm_stemmer *st;
	struct sm_message msg;
	struct sm_fvec fv = { 0 };
	struct sm_trainer *tr;
	struct sm_model *m;
	unsigned long skipped = 0, dskipped = 0;
	struct sm_train_result res;
	double x, y;
	json_t *meta;
	int opt, rc;

	sm_tool_init(&tool, "sm-classify");
	while ((opt = getopt_long(argc, argv, SM_TOOL_SHORTOPTS "l:o:",
	    longopts, NULL)) != -1) {
		if (sm_tool_option(&tool, opt, optarg))
			continue;
		switch (opt) {
		case 'l': path = optarg; break;
		case 'o': output = optarg; break;
		case O_DEV: devfile = optarg; break;
		case O_NOBALANCE: o.balanced = 0; break;
		case O_EPOCHS:
			if (parse_num(&tool, "epochs", optarg, 1, 1000, &x) < 0)
				return EX_USAGE;
			o.epochs = (unsigned)x;
			break;
		case O_SEED:
			if (parse_num(&tool, "seed", optarg, 0, 4e9, &x) < 0)
				return EX_USAGE;
			o.seed = (unsigned long)x;
			break;
		case O_LR:
			if (parse_num(&tool, "lr", optarg, 1e-6, 100, &o.lr) < 0)
				return EX_USAGE;
			break;
		case O_L2:
			if (parse_num(&tool, "l2", optarg, 0, 1, &o.l2) < 0)
				return EX_USAGE;
			o.tune_l2 = 0;
			break;
		case O_BITS:
			if (parse_num(&tool, "bits", optarg, 16, 26, &x) < 0)
				return EX_USAGE;
			f.bits = (unsigned)x;
			break;
		case O_WORDS:
			if (parse_num(&tool, "words", optarg, 1, 2, &x) < 0)
				return EX_USAGE;
			f.word_ngrams = (unsigned)x;
			break;
		case O_FOLDS:
			if (parse_num(&tool, "folds", optarg, 0, 100, &x) < 0)
				return EX_USAGE;
			if (x == 1) {
				sm_tool_warn(&tool, "--folds 1: expected 0 or a "
				    "number from 2 to 100");
				return EX_USAGE;
			}
			o.folds = (unsigned)x;
			break;
		case O_MINDF:
			if (parse_num(&tool, "min-df", optarg, 1, 1e6, &x) < 0)
				return EX_USAGE;
			o.min_df = (unsigned)x;
			break;
		case O_CHARS:
			if (strcmp(optarg, "0") == 0) {
				f.char_min = f.char_max = 0;
				break;
			}
			if (sscanf(optarg, "%lf-%lf", &x, &y) != 2 || x < 1 ||
			    y < x || y > 8) {
				sm_tool_warn(&tool, "--chars %s: expected MIN-MAX "
				    "(1-8) or 0", optarg);
				return EX_USAGE;
			}
			f.char_min = (unsigned)x;
			f.char_max = (unsigned)y;
			break;
		default:
			return final_option(&tool, opt);
		}
	}
	if (path == NULL || output == NULL) {
		sm_tool_warn(&tool, "train needs -l PATH and -o MODEL");
		return sm_tool_usage_error(&tool, usage_text);
	}
	if ((rc = sm_tool_open(&tool, argc - optind, argv + optind)) != 0)
		return rc;
	st = sm_stemmer_new();
	sm_message_init(&msg, st);
	tr = sm_trainer_new(&f);
	read_examples(&tool, &tool.in, tr, &msg, &f, &fv, path, 0, &skipped);
	if (devfile) {
		char *names[] = { (char *)devfile };
		struct sm_reader dev;

		sm_reader_init(&dev, names, 1);
		read_examples(&tool, &dev, tr, &msg, &f, &fv, path, 1,
		    &dskipped);
		sm_reader_close(&dev);
	}
	if (tool.verbose)
		sm_tool_warn(&tool, "%zu training record%s, %lu without %s "
		    "skipped; %zu dev record%s, %lu skipped",
		    sm_trainer_count(tr, 0), plural(sm_trainer_count(tr, 0)),
		    skipped, path, sm_trainer_count(tr, 1),
		    plural(sm_trainer_count(tr, 1)), dskipped);
	if (!tool.quiet && isatty(STDERR_FILENO)) {
		o.progress = progress;
		o.arg = &tool;
	}
	meta = json_pack("{s:s,s:I,s:I,s:I,s:f,s:b,s:I,s:s}", "label",
	    path, "examples", (json_int_t)sm_trainer_count(tr, 0),
	    "dev_examples", (json_int_t)sm_trainer_count(tr, 1), "seed",
	    (json_int_t)o.seed, "lr", o.lr, "balanced", o.balanced, "min_df",
	    (json_int_t)o.min_df, "sm_version", SM_VERSION);
	m = sm_trainer_fit(tr, &o, meta, &res, &err);
	if (m) {
		json_t *trained = json_object_get(sm_model_info(m), "trained");

		json_object_set_new(trained, "l2", json_real(res.l2));
		json_object_set_new(trained, "epochs", json_integer(res.epoch));
		json_object_set_new(trained, "balance", json_real(res.balance));
		if (res.dev_f1 >= 0)
			json_object_set_new(trained, "dev_macro_f1",
			    json_real(((int)(res.dev_f1 * 1e4 + 0.5)) / 1e4));
		if (res.cv_f1 >= 0)
			json_object_set_new(trained, "cv_macro_f1",
			    json_real(((int)(res.cv_f1 * 1e4 + 0.5)) /
			    1e4));
	}
	if (m == NULL) {
		sm_tool_error(&tool, &err);
		sm_tool_fail(&tool, EX_DATAERR);
	} else if (sm_model_save(m, output, &err) < 0) {
		sm_tool_error(&tool, &err);
		sm_tool_fail(&tool, EX_CANTCREAT);
	} else if (tool.verbose) {
		sm_tool_warn(&tool, "%s: %zu labels, epoch %u, l2 %g%s",
		    output, sm_model_nlabels(m), res.epoch, res.l2,
		    res.dev_f1 >= 0 ? " (best on the dev records)" : "");
	}
	sm_model_free(m);
	sm_trainer_free(tr);
	sm_fvec_free(&fv);
	sm_message_free(&msg);
	sm_stemmer_free(st);
	fclose(tool.out.fp);	/* train writes no records */
	tool.out.fp = NULL;
	sm_reader_close(&tool.in);
	if (tool.rejects)
		fclose(tool.rejects);
	return tool.status;
}

/* ------------------------------------------------------------------ */
/* sm-classify eval */

static int
cmd_eval(int argc, char *argv[])
{
	static const struct option longopts[] = {
		SM_TOOL_LONGOPTS,
		{ "label", required_argument, NULL, 'l' },
		{ "dimension", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "model", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	struct sm_tool tool;
	struct sm_config *cfg;
	struct sm_classifier *cls;
	struct sm_error err;
	struct sm_eval *ev;
	const char *path = NULL, *dim = NULL;
	char **models = xcalloc((size_t)argc + 1, sizeof(*models));
	char buf[32];
	json_t *rec;
	int opt, rc, json = 0, nmodels = 0;
	unsigned long skipped = 0;

	sm_tool_init(&tool, "sm-classify");
	while ((opt = getopt_long(argc, argv, SM_TOOL_SHORTOPTS "l:d:jm:",
	    longopts, NULL)) != -1) {
		if (sm_tool_option(&tool, opt, optarg))
			continue;
		switch (opt) {
		case 'l': path = optarg; break;
		case 'd': dim = optarg; break;
		case 'j': json = 1; break;
		case 'm': models[nmodels++] = optarg; break;
		default:
			free(models);
			return final_option(&tool, opt);
		}
	}
	if (path == NULL) {
		sm_tool_warn(&tool, "eval needs -l PATH");
		free(models);
		return sm_tool_usage_error(&tool, usage_text);
	}
	if (dim == NULL)
		dim = strrchr(path, '.') ? strrchr(path, '.') + 1 : path;
	cls = classifier(&tool, &cfg, models, nmodels, &rc);
	free(models);
	if (cls == NULL)
		return rc;
	if ((rc = sm_tool_open(&tool, argc - optind, argv + optind)) != 0) {
		sm_classifier_free(cls);
		sm_config_free(cfg);
		return rc;
	}
	ev = sm_eval_new();
	while ((rec = sm_tool_next(&tool)) != NULL) {
		const char *gold = gold_label(rec, path, buf, sizeof(buf));
		json_t *c;

		if (gold == NULL) {
			skipped++;
			json_decref(rec);
			continue;
		}
		if (sm_classifier_classify(cls, rec, 0, &err) != 0) {
			sm_tool_warn(&tool, "%s:%lu: %s", tool.in.name,
			    tool.in.lineno, err.text);
			sm_tool_fail(&tool, EX_DATAERR);
		}
		c = sm_classifier_json(cls);
		sm_eval_add(ev, gold, json_string_value(json_object_get(c,
		    dim)));
		json_decref(c);
		json_decref(rec);
	}
	if (json) {
		json_t *r = sm_eval_report(ev);

		json_object_set_new(r, "skipped", json_integer(
		    (json_int_t)skipped));
		json_object_set_new(r, "label", json_string(path));
		json_object_set_new(r, "dimension", json_string(dim));
		if (sm_writer_put(&tool.out, r, &err) < 0 &&
		    !tool.out.closed_pipe) {
			sm_tool_error(&tool, &err);
			sm_tool_fail(&tool, EX_IOERR);
		}
		json_decref(r);
	} else {
		fprintf(tool.out.fp, "%s against classify.%s; %lu record%s "
		    "without %s skipped\n", path, dim, skipped,
		    plural(skipped), path);
		sm_eval_print(ev, tool.out.fp);
	}
	if (sm_eval_count(ev) == 0) {
		sm_tool_warn(&tool, "no record has %s", path);
		sm_tool_fail(&tool, EX_DATAERR);
	}
	sm_eval_free(ev);
	rc = sm_tool_finish(&tool);
	sm_classifier_free(cls);
	sm_config_free(cfg);
	return rc;
}

/* ------------------------------------------------------------------ */
/* sm-classify label */

static int label_ttyfd = -1;
static struct termios label_saved;

/* The terminal as it was, on the way out, whatever the way. */
static void
label_restore(void)
{
	if (label_ttyfd >= 0)
		tcsetattr(label_ttyfd, TCSANOW, &label_saved);
}

static void
label_signal(int sig)
{
	label_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* One key from the terminal, not echoed; EOF at its end.  Read from
 * the descriptor: the stream only writes. */
static int
label_key(FILE *tty)
{
	unsigned char ch;
	ssize_t r;

	fflush(tty);
	while ((r = read(fileno(tty), &ch, 1)) < 0 && errno == EINTR)
		;
	return r == 1 ? ch : EOF;
}

/* The labels offered, in the order first met. */
struct labels {
	char **v;
	size_t n;
};

static void
labels_add(struct labels *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return;
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = xstrdup(s);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Shows a record and its guess on the terminal and takes the clerk's
 * key: the label chosen (borrowed from lab, or guess), NULL to skip;
 * *quit set on q or at the terminal's end.
 */
static const char *
label_ask(FILE *tty, json_t *rec, const char *guess, double p,
    struct labels *lab, int *quit)
{
	const char *id = sm_json_str(rec, "id"), *text = sm_json_str(rec,
	    "text");
	size_t shown = lab->n < 9 ? lab->n : 9;
	int c;

	fprintf(tty, "\n-- %s\n", id ? id : "(no id)");
	fputs(text ? text : "", tty);
	if (guess && p >= 0)
		fprintf(tty, "\n-> %s (model, p %.2f)\n", guess, p);
	else
		fprintf(tty, "\n-> %s (rules)\n", guess ? guess : "none");
	for (size_t i = 0; i < shown; i++)
		fprintf(tty, "%s%zu %s", i ? "  " : "", i + 1, lab->v[i]);
	fputs(shown ? "\n" : "", tty);
	for (;;) {
		fputs("[a]ccept, [1-9] another, [s]kip, [q]uit? ", tty);
		c = label_key(tty);
		if (c == EOF || c == 'q' || c == 4) {
			fputs("quit\n", tty);
			*quit = 1;
			return NULL;
		}
		if (c == 's') {
			fputs("skipped\n", tty);
			return NULL;
		}
		if ((c == 'a' || c == '\n' || c == '\r') && guess) {
			fprintf(tty, "%s\n", guess);
			return guess;
		}
		if (c >= '1' && c <= '9' && (size_t)(c - '0') <= shown) {
			fprintf(tty, "%s\n", lab->v[c - '1']);
			return lab->v[c - '1'];
		}
		fputs("?\n", tty);
	}
}

static int
cmd_label(int argc, char *argv[])
{
	static const struct option longopts[] = {
		SM_TOOL_LONGOPTS,
		{ "label", required_argument, NULL, 'l' },
		{ "output", required_argument, NULL, 'o' },
		{ "dimension", required_argument, NULL, 'd' },
		{ "model", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	struct sm_tool tool;
	struct sm_config *cfg = NULL;
	struct sm_classifier *cls = NULL;
	struct sm_error err;
	struct labels lab = { 0 };
	const char *path = NULL, *output = NULL, *dim = NULL;
	char **models = xcalloc((size_t)argc + 1, sizeof(*models));
	char **done = NULL, buf[32];
	size_t ndone = 0;
	unsigned long nlabelled = 0, nskipped = 0;
	FILE *tty = NULL, *out = NULL;
	struct termios raw;
	struct stat st;
	json_t *rec;
	int opt, rc, nmodels = 0, quit = 0, fd;

	sm_tool_init(&tool, "sm-classify");
	while ((opt = getopt_long(argc, argv, SM_TOOL_SHORTOPTS "l:o:d:m:",
	    longopts, NULL)) != -1) {
		if (sm_tool_option(&tool, opt, optarg))
			continue;
		switch (opt) {
		case 'l': path = optarg; break;
		case 'o': output = optarg; break;
		case 'd': dim = optarg; break;
		case 'm': models[nmodels++] = optarg; break;
		default:
			free(models);
			return final_option(&tool, opt);
		}
	}
	if (path == NULL || output == NULL) {
		sm_tool_warn(&tool, "label needs -l PATH and -o FILE");
		free(models);
		return sm_tool_usage_error(&tool, usage_text);
	}
	if (dim == NULL)
		dim = strrchr(path, '.') ? strrchr(path, '.') + 1 : path;
	if ((tty = fopen("/dev/tty", "r+")) == NULL) {
		sm_tool_warn(&tool, "label: /dev/tty: %s: it needs a terminal",
		    strerror(errno));
		free(models);
		return EX_USAGE;
	}
	/* the labels the models know come first */
	for (int i = 0; i < nmodels; i++) {
		const char *eq = strchr(models[i], '=');
		struct sm_model *m;

		if (eq == NULL || (size_t)(eq - models[i]) != strlen(dim) ||
		    strncmp(models[i], dim, strlen(dim)) != 0)
			continue;
		if ((m = sm_model_load(eq + 1, &err)) == NULL)
			continue;	/* said when the classifier loads it */
		for (size_t c = 0; c < sm_model_nlabels(m); c++)
			labels_add(&lab, sm_model_label(m, c));
		sm_model_free(m);
	}
	cls = classifier(&tool, &cfg, models, nmodels, &rc);
	free(models);
	if (cls == NULL)
		goto done;
	/* what an earlier session labelled is not asked again */
	if (stat(output, &st) == 0) {
		char *names[] = { (char *)output };
		struct sm_reader prev;
		const char *l, *id;

		sm_reader_init(&prev, names, 1);
		while ((rec = sm_tool_read(&tool, &prev)) != NULL) {
			if ((l = gold_label(rec, path, buf, sizeof(buf))) != NULL)
				labels_add(&lab, l);
			if ((id = sm_json_str(rec, "id")) != NULL) {
				done = xreallocarray(done, ndone + 1,
				    sizeof(*done));
				done[ndone++] = xstrdup(id);
			}
			json_decref(rec);
		}
		sm_reader_close(&prev);
		qsort(done, ndone, sizeof(*done), cmp_str);
	}
	fd = open(output, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || (out = fdopen(fd, "a")) == NULL) {
		sm_tool_warn(&tool, "%s: %s", output, strerror(errno));
		if (fd >= 0)
			close(fd);
		rc = EX_CANTCREAT;
		goto done;
	}
	if ((rc = sm_tool_open(&tool, argc - optind, argv + optind)) != 0)
		goto done;
	if (tcgetattr(fileno(tty), &label_saved) == 0) {
		label_ttyfd = fileno(tty);
		atexit(label_restore);
		signal(SIGINT, label_signal);
		signal(SIGTERM, label_signal);
		signal(SIGHUP, label_signal);
		raw = label_saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		tcsetattr(label_ttyfd, TCSANOW, &raw);
	}
	while (!quit && (rec = sm_tool_next(&tool)) != NULL) {
		const char *id = sm_json_str(rec, "id"), *guess, *chosen;
		char *key = (char *)id;
		json_t *c, *mp;
		double p = -1;

		if (id && ndone && bsearch(&key, done, ndone, sizeof(*done),
		    cmp_str)) {
			json_decref(rec);
			continue;
		}
		if (sm_classifier_classify(cls, rec, 0, &err) != 0) {
			sm_tool_warn(&tool, "%s:%lu: %s", tool.in.name,
			    tool.in.lineno, err.text);
			sm_tool_fail(&tool, EX_DATAERR);
		}
		c = sm_classifier_json(cls);
		guess = json_string_value(json_object_get(c, dim));
		/* the model's probability, when the guess is the model's */
		mp = json_object_get(json_object_get(c, "model"), dim);
		if (guess && json_is_number(json_object_get(mp, "p")) &&
		    json_is_string(json_object_get(mp, "label")) &&
		    strcmp(json_string_value(json_object_get(mp, "label")),
		    guess) == 0)
			p = json_number_value(json_object_get(mp, "p"));
		if (guess)
			labels_add(&lab, guess);
		chosen = label_ask(tty, rec, guess, p, &lab, &quit);
		if (chosen) {
			char *line;

			if (sm_record_set(rec, path, json_string(chosen)) < 0) {
				sm_tool_warn(&tool, "%s:%lu: %s: not an object on "
				    "the way", tool.in.name, tool.in.lineno,
				    path);
				sm_tool_fail(&tool, EX_DATAERR);
			} else {
				/* written at once: a quit or a crash loses
				 * nothing labelled */
				line = json_dumps(rec, JSON_COMPACT |
				    JSON_REAL_PRECISION(16));
				if (fprintf(out, "%s\n", line) < 0 ||
				    fflush(out) != 0 || fsync(fileno(out)) != 0) {
					sm_tool_warn(&tool, "%s: %s", output,
					    strerror(errno));
					sm_tool_fail(&tool, EX_IOERR);
					quit = 1;
				}
				free(line);
				nlabelled++;
			}
		} else if (!quit)
			nskipped++;
		json_decref(c);
		json_decref(rec);
	}
	label_restore();
	if (tool.verbose)
		sm_tool_warn(&tool, "%lu record%s labelled, %lu skipped%s",
		    nlabelled, plural(nlabelled), nskipped, quit ? ", quit" :
		    "");
	rc = sm_tool_finish(&tool);
done:
	if (out && fclose(out) != 0 && rc == 0) {
		sm_tool_warn(&tool, "%s: %s", output, strerror(errno));
		rc = EX_IOERR;
	}
	fclose(tty);
	label_ttyfd = -1;
	for (size_t i = 0; i < ndone; i++)
		free(done[i]);
	free(done);
	for (size_t i = 0; i < lab.n; i++)
		free(lab.v[i]);
	free(lab.v);
	sm_classifier_free(cls);
	sm_config_free(cfg);
	return rc;
}

/*
 * Where the subcommand (train, eval) stands among the arguments, so that
 * the common options may come before it too: the first operand, skipping
 * the values of the options that take one.  0 when there is none.
 */
static int
subcommand(int argc, char *argv[])
{
	static const char *const takes[] = { "-c", "-r", "-m", "--config",
	    "--rejects", "--model", "--uncertain", "--uncertain-file", NULL };
	int i, k;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0)
			return 0;
		if (a[0] != '-' || a[1] == '\0')
			return strcmp(a, "train") == 0 || strcmp(a, "eval") == 0 ||
			    strcmp(a, "label") == 0 ? i : 0;
		for (k = 0; takes[k]; k++)
			if (strcmp(a, takes[k]) == 0) {
				i++;
				break;
			}
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	int i = subcommand(argc, argv);
	char *sub;

	/* sm-classify -c F eval ... is sm-classify eval -c F ... */
	if (i > 1) {
		sub = argv[i];
		memmove(argv + 2, argv + 1, (size_t)(i - 1) * sizeof(*argv));
		argv[1] = sub;
	}
	if (argc > 1 && strcmp(argv[1], "train") == 0)
		return cmd_train(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "eval") == 0)
		return cmd_eval(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "label") == 0)
		return cmd_label(argc - 1, argv + 1);
	return cmd_classify(argc, argv);
}
