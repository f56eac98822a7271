/* test_post_social.c - posting replies on Mastodon and Bluesky, against
 * tests/fake-server on 127.0.0.1, and counting texts as they count them */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <cmocka.h>

#include "testlib.h"
#include <jansson.h>

#include "sm/account.h"
#include "sm/config.h"
#include "sm/http.h"
#include "sm/platform.h"
#include "sm/state.h"
#include "sm/util.h"

static char dir[] = "/tmp/sm-test-post.XXXXXX";
static char srv[512], base[64];
static pid_t server;

/* The server's data: a file of ours, or of the project's fixtures. */
static void
put(const char *name, const char *text)
{
	char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", srv, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void
copy_fixture(const char *from, const char *to)
{
	char path[600];
	json_t *j;

	snprintf(path, sizeof(path), "%s/tests/fixtures/%s",
	    getenv("SM_SRC") ? getenv("SM_SRC") : ".", from);
	assert_non_null(j = json_load_file(path, 0, NULL));
	snprintf(path, sizeof(path), "%s/%s", srv, to);
	assert_int_equal(json_dump_file(j, path, 0), 0);
	json_decref(j);
}

static int
start_server(void **state)
{
	const char *args[] = { "--dir", srv, "--token", "test-token-0123",
	    NULL };
	char port_file[600];
	int port;

	unsetenv("SM_NOW");
	setenv("TOKEN", "test-token-0123", 1);
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(srv, sizeof(srv), "%s/srv", dir);
	mkdir(srv, 0700);
	copy_fixture("mastodon/me.json", "me.json");
	copy_fixture("mastodon/notifications.json", "notifications.json");
	copy_fixture("bluesky/me.json", "bsky-me.json");
	copy_fixture("bluesky/notifications.json", "bsky-notifications.json");
	snprintf(port_file, sizeof(port_file), "%s/port", dir);
	if ((port = tl_serve("fake-server", args, port_file, &server)) < 0)
		return -1;
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
	return 0;
}

static int
stop_server(void **state)
{
	char cmd[600];

	tl_unserve(&server);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* What a post came to. */
struct result {
	int called;
	char *id, *url;
	int status;		/* the session's */
	char said[4096];	/* what the session reported */
};

struct ctx {
	const struct sm_post *p;
	struct result *r;
};

static void
report(void *arg, const char *account, int code, const char *text)
{
	struct result *r = arg;
	size_t n = strlen(r->said);

	snprintf(r->said + n, sizeof(r->said) - n, "%d %s\n", code, text);
}

static void
posted(struct sm_session *s, const struct sm_posted *p, void *arg)
{
	struct result *r = arg;

	r->called++;
	if (p) {
		r->id = xstrdup(p->id);
		r->url = p->url ? xstrdup(p->url) : NULL;
	}
}

static void
ready(struct sm_session *s, void *arg)
{
	struct ctx *c = arg;

	s->acct->platform->post(s, c->p, posted, c->r);
}

static void
result_free(struct result *r)
{
	free(r->id);
	free(r->url);
	memset(r, 0, sizeof(*r));
}

/* Posts p through account (masto or sky) in a run of its own. */
static void
post_as(const char *account, const char *text, const char *vis,
    const char *rec, const char *key, struct result *r)
{
	struct sm_config *cfg;
	struct sm_account *accts, *a;
	struct sm_session s;
	struct sm_error err;
	struct sm_state *st;
	struct sm_http *h;
	struct sm_post p = { text, vis, NULL, key };
	struct ctx c = { &p, r };
	char yaml[2048], path[600];
	json_t *j = NULL;
	size_t n;

	memset(r, 0, sizeof(*r));
	if (rec)
		assert_non_null(j = json_loads(rec, 0, NULL));
	p.rec = j;
	snprintf(yaml, sizeof(yaml), "accounts:\n"
	    "  masto:\n    platform: mastodon\n    url: %s\n"
	    "    token_env: TOKEN\n    backoff: 0.01\n    retries: 2\n"
	    "  sky:\n    platform: bluesky\n    url: %s\n"
	    "    handle: aytovillanueva.bsky.example\n"
	    "    token_env: TOKEN\n    backoff: 0.01\n    retries: 2\n",
	    base, base);
	assert_non_null(cfg = sm_config_load_string(yaml, "t.yaml", &err));
	assert_int_equal(sm_accounts_load(cfg, &accts, &n, &err), 0);
	assert_non_null(a = sm_account_find(accts, n, account));
	assert_int_equal(sm_account_token(cfg, a, &err), 0);
	snprintf(path, sizeof(path), "%s/state.db", dir);
	assert_non_null(st = sm_state_open(path, 1000, &err));
	h = sm_http_new();
	sm_session_init(&s, a, h, st, report, r);
	sm_session_open(&s, ready, &c);
	assert_int_equal(sm_http_run(h, &err), 0);
	r->status = s.status;
	sm_session_free(&s);
	sm_http_free(h);
	sm_state_close(st);
	sm_accounts_free(accts, n);
	sm_config_free(cfg);
	json_decref(j);
}

/* The server's file name in dir/posted, as JSON. */
static json_t *
kept(const char *name)
{
	char path[700];

	snprintf(path, sizeof(path), "%s/posted/%s", srv, name);
	return json_load_file(path, 0, NULL);
}

static int count_posted(const char *);

/* The last status the server made. */
static json_t *
last_status(void)
{
	char name[64];

	snprintf(name, sizeof(name), "mastodon-%d.json",
	    count_posted("mastodon-"));
	return kept(name);
}

/* How many files in dir/posted begin with prefix. */
static int
count_posted(const char *prefix)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/posted", srv);
	return tl_count(path, prefix, "keys");
}

/* How many lines of requests.log hold what. */
static int
requests(const char *what)
{
	char path[600], line[2048];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "%s/requests.log", srv);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, what) != NULL;
	fclose(f);
	return n;
}

static void
clear_log(void)
{
	put("requests.log", "");
}

static char *
str(const json_t *j, const char *path)
{
	json_t *v = (json_t *)j;
	char key[64];
	const char *p = path, *e;

	while (*p) {
		e = p + strcspn(p, ".");
		snprintf(key, sizeof(key), "%.*s", (int)(e - p), p);
		if (json_is_array(v))
			v = json_array_get(v, (size_t)atoi(key));
		else
			v = json_object_get(v, key);
		p = *e ? e + 1 : e;
	}
	return json_is_string(v) ? (char *)json_string_value(v) :
	    json_is_null(v) ? "null" : json_is_integer(v) ? "int" : "?";
}

static json_int_t
num(const json_t *j, const char *k1, const char *k2)
{
	return json_integer_value(json_object_get(json_object_get(j, k1), k2));
}

/* Length */

static const char family[] = "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9"
    "\xe2\x80\x8d\xf0\x9f\x91\xa7";	/* man ZWJ woman ZWJ girl */
static const char thumbs_tone[] = "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd";
static const char flag_es[] = "\xf0\x9f\x87\xaa\xf0\x9f\x87\xb8";
static const char e_acute[] = "e\xcc\x81";	/* e and a combining accent */

/* Both count grapheme clusters: one per emoji sequence, flag, accent. */
static void
assert_graphemes(size_t (*len)(const char *))
{
	assert_int_equal(len("hola"), 4);
	assert_int_equal(len("cami\xc3\xb3n"), 6);
	assert_int_equal(len(thumbs_tone), 1);
	assert_int_equal(len(family), 1);
	assert_int_equal(len(flag_es), 1);
	assert_int_equal(len(e_acute), 1);
	assert_int_equal(len("\xf0\x9f\x9a\x8c"), 1);	/* an astral bus */
	assert_int_equal(len("\xff\xfe"), 2);	/* stray bytes, one each */
}

static void
test_length_mastodon(void **unused)
{
	size_t (*len)(const char *) = sm_platform_mastodon.length;
	char buf[1024];

	assert_int_equal(sm_platform_mastodon.max_length, 500);
	assert_graphemes(len);
	/* every URL is 23, long or short; the final '.' is not the URL's */
	assert_int_equal(len("https://villanueva.example/tramites/"
	    "empadronamiento?lang=es"), 23);
	assert_int_equal(len("ver http://a.es."), 4 + 23 + 1);
	/* a URL without its scheme is text */
	assert_int_equal(len("villanueva.example/bus"), 22);
	/* @user@domain counts as @user */
	assert_int_equal(len("@carmen_ruiz@mastodon.example hola"),
	    strlen("@carmen_ruiz hola"));
	assert_int_equal(len("@lucia_m@masto.es \xc2\xa1Gracias!"),
	    strlen("@lucia_m ") + 9);
	/* an address is no mention */
	assert_int_equal(len("a@b.es"), 6);
	/* 500 letters fit, 501 do not */
	memset(buf, 'a', 501);
	buf[501] = '\0';
	assert_int_equal(len(buf), 501);
	snprintf(buf, sizeof(buf), "@tourist_tom@mstdn.example %s %s "
	    "https://example.org/%s", thumbs_tone, family, "x");
	assert_int_equal(len(buf), strlen("@tourist_tom ") + 4 + 23);
}

static void
test_length_bluesky(void **unused)
{
	size_t (*len)(const char *) = sm_platform_bluesky.length;
	struct sm_buf b = { 0 };
	int i;

	assert_int_equal(sm_platform_bluesky.max_length, 300);
	assert_graphemes(len);
	/* links count as they are written */
	assert_int_equal(len("https://villanueva.example/bus"), 30);
	assert_int_equal(len("@raul.villanueva.es"), 19);
	/* 200 families are 200 graphemes but 3600 bytes: too long */
	for (i = 0; i < 200; i++)
		sm_buf_adds(&b, family);
	assert_int_equal(len(b.data), 301);
	sm_buf_reset(&b);
	for (i = 0; i < 300; i++)
		sm_buf_adds(&b, thumbs_tone);
	assert_int_equal(len(b.data), 300);
	sm_buf_free(&b);
}

/* Mastodon */

static const char carmen[] = "{\"id\":\"mastodon:masto:114143000000000101\","
    "\"platform\":\"mastodon\",\"account\":\"masto\",\"kind\":\"mention\","
    "\"created_at\":\"2025-03-11T08:15:00Z\",\"author\":{\"id\":"
    "\"110245678901234567\",\"handle\":\"carmen_ruiz@mastodon.example\","
    "\"name\":\"Carmen Ruiz\"},\"text\":\"basura\",\"lang\":\"es\"}";
static const char lucia[] = "{\"id\":\"mastodon:masto:114143000000000143\","
    "\"platform\":\"mastodon\",\"account\":\"masto\",\"kind\":\"direct\","
    "\"author\":{\"id\":\"1\",\"handle\":\"lucia_m@masto.es\","
    "\"name\":\"Luc\xc3\xad\x61\"},\"text\":\"DNI\"}";

static void
test_mastodon_reply(void **unused)
{
	struct result r;
	json_t *k;
	const char *text = "@carmen_ruiz@mastodon.example Gracias, Carmen "
	    "\xf0\x9f\x8c\xbb: el cami\xc3\xb3n pasar\xc3\xa1 hoy.";

	clear_log();
	post_as("masto", text, "public", carmen, "sm-reply-1", &r);
	assert_int_equal(r.called, 1);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.id, "114143192817200942");
	assert_string_equal(r.url,
	    "https://mastodon.example/@aytovillanueva/114143192817200942");
	assert_non_null(k = kept("mastodon-1.json"));
	assert_string_equal(str(k, "key"), "sm-reply-1");
	assert_string_equal(str(k, "request.status"), text);
	assert_string_equal(str(k, "request.in_reply_to_id"),
	    "114143000000000101");
	assert_string_equal(str(k, "request.visibility"), "public");
	assert_int_equal(json_object_size(json_object_get(k, "request")), 3);
	json_decref(k);
	assert_int_equal(requests("POST /api/v1/statuses ok"), 1);
	result_free(&r);

	/* the same key again: the same status, not a second one */
	post_as("masto", text, "public", carmen, "sm-reply-1", &r);
	assert_string_equal(r.id, "114143192817200942");
	assert_int_equal(count_posted("mastodon-"), 1);
	result_free(&r);
}

static void
test_mastodon_mention_added(void **unused)
{
	struct result r;
	json_t *k;

	post_as("masto", "Gracias, Carmen.", "unlisted", carmen,
	    "sm-reply-2", &r);
	assert_int_equal(r.called, 1);
	assert_non_null(r.id);
	assert_non_null(k = last_status());
	assert_string_equal(str(k, "request.status"),
	    "@carmen_ruiz@mastodon.example Gracias, Carmen.");
	assert_string_equal(str(k, "request.visibility"), "unlisted");
	json_decref(k);
	result_free(&r);
	/* a mention in another case, and the domain given, is enough */
	post_as("masto", "@Carmen_Ruiz@Mastodon.example ok", "public",
	    carmen, "sm-reply-3", &r);
	assert_non_null(k = last_status());
	assert_string_equal(str(k, "request.status"),
	    "@Carmen_Ruiz@Mastodon.example ok");
	json_decref(k);
	result_free(&r);
}

static void
test_mastodon_direct(void **unused)
{
	struct result r;
	json_t *k;

	/* a private message is answered privately, whatever was asked */
	post_as("masto", "@lucia_m@masto.es Escr\xc3\xad\x62\x65nos por aqu\xc3"
	    "\xad.", "public", lucia, "sm-reply-4", &r);
	assert_non_null(r.id);
	assert_non_null(k = last_status());
	assert_string_equal(str(k, "request.visibility"), "direct");
	assert_string_equal(str(k, "request.in_reply_to_id"),
	    "114143000000000143");
	json_decref(k);
	result_free(&r);
	/* sm's private is Mastodon's direct */
	post_as("masto", "Hola.", "private", carmen, "sm-reply-5", &r);
	assert_non_null(k = last_status());
	assert_string_equal(str(k, "request.visibility"), "direct");
	assert_string_equal(str(k, "request.status"),
	    "@carmen_ruiz@mastodon.example Hola.");
	json_decref(k);
	result_free(&r);
}

static void
test_mastodon_faults(void **unused)
{
	struct result r;
	int before = count_posted("mastodon-");

	/* a 500 is tried again: posted once */
	put("faults.mastodon-post", "500\n429-after 1\n");
	post_as("masto", "@carmen_ruiz@mastodon.example a", "public", carmen,
	    "sm-reply-6", &r);
	assert_int_equal(r.status, 0);
	assert_non_null(r.id);
	assert_int_equal(count_posted("mastodon-"), before + 1);
	result_free(&r);
	/* 500 every time: given up, to be tried later */
	put("faults.mastodon-post", "500\n500\n500\n500\n");
	post_as("masto", "@carmen_ruiz@mastodon.example b", "public", carmen,
	    "sm-reply-7", &r);
	assert_int_equal(r.called, 1);
	assert_null(r.id);
	assert_int_equal(r.status, EX_TEMPFAIL);
	assert_int_equal(count_posted("mastodon-"), before + 1);
	result_free(&r);
	put("faults.mastodon-post", "");
	/* too long: Mastodon's 422 */
	{
		char text[600];

		memset(text, 'a', 501);
		text[501] = '\0';
		post_as("masto", text, "public", NULL, "sm-reply-8", &r);
		assert_null(r.id);
		assert_int_equal(r.status, EX_UNAVAILABLE);
		assert_non_null(strstr(r.said, "HTTP 422 (Validation failed: "
		    "Text character limit of 500 exceeded)"));
		result_free(&r);
	}
	/* a message of another account: nothing is sent */
	clear_log();
	post_as("masto", "x", "public", "{\"id\":\"mastodon:other:1\","
	    "\"kind\":\"mention\"}", "sm-reply-9", &r);
	assert_int_equal(r.called, 1);
	assert_null(r.id);
	assert_int_equal(r.status, EX_DATAERR);
	assert_int_equal(requests("POST"), 0);
	result_free(&r);
}

/* Bluesky */

static const char raul[] = "{\"id\":\"bluesky:sky:at://did:plc:"
    "raulvillanueva000000001/app.bsky.feed.post/3lk3m53pfmvv7\","
    "\"platform\":\"bluesky\",\"account\":\"sky\",\"kind\":\"reply\","
    "\"created_at\":\"2025-03-11T08:03:27Z\",\"author\":{\"id\":"
    "\"did:plc:raulvillanueva000000001\",\"handle\":\"raul.villanueva.es\","
    "\"name\":\"Ra\xc3\xbal\"},\"text\":\"bus\",\"thread\":{"
    "\"in_reply_to\":\"bluesky:sky:at://did:plc:aytovillanuevaprado01/"
    "app.bsky.feed.post/3lkaytopost01\",\"root\":\"bluesky:sky:at://did:"
    "plc:aytovillanuevaprado01/app.bsky.feed.post/3lkaytopost01\"},"
    "\"bluesky\":{\"cid\":\"bafyrei3lk3m53pfmvv7\",\"root\":{\"uri\":"
    "\"at://did:plc:aytovillanuevaprado01/app.bsky.feed.post/"
    "3lkaytopost01\",\"cid\":\"bafyrei3lkaytopost01\"}}}";

static const char raul_text[] = "@raul.villanueva.es Hola, Ra\xc3\xbal "
    "\xf0\x9f\x9a\x8c Horarios: villanueva.example/bus y "
    "@martagil.bsky.social";

/* The record posted with rkey (the last part of uri). */
static json_t *
bsky_kept(const char *uri)
{
	char name[100];

	snprintf(name, sizeof(name), "bluesky-%s.json", strrchr(uri, '/') + 1);
	return kept(name);
}

static void
assert_facet(const json_t *f, json_int_t start, json_int_t end,
    const char *type, const char *value)
{
	const json_t *feat = json_array_get(json_object_get(f, "features"), 0);

	assert_int_equal(num(f, "index", "byteStart"), start);
	assert_int_equal(num(f, "index", "byteEnd"), end);
	assert_string_equal(json_string_value(json_object_get(feat, "$type")),
	    type);
	assert_string_equal(json_string_value(json_object_get(feat,
	    strstr(type, "mention") ? "did" : "uri")), value);
}

static void
test_bluesky_reply(void **unused)
{
	struct result r;
	json_t *k, *f;
	const char *rkey;
	char url[200];

	clear_log();
	post_as("sky", raul_text, "public", raul, "sm-reply-b1", &r);
	assert_int_equal(r.called, 1);
	assert_int_equal(r.status, 0);
	assert_non_null(r.id);
	assert_true(strncmp(r.id, "at://did:plc:aytovillanuevaprado01/"
	    "app.bsky.feed.post/", 54) == 0);
	rkey = strrchr(r.id, '/') + 1;
	/* a TID: 13 of base32-sortable, the first below 'k' */
	assert_int_equal(strlen(rkey), 13);
	assert_int_equal(strspn(rkey, "234567abcdefghijklmnopqrstuvwxyz"), 13);
	assert_non_null(strchr("234567abcdefghij", rkey[0]));
	snprintf(url, sizeof(url), "https://bsky.app/profile/"
	    "aytovillanueva.bsky.example/post/%s", rkey);
	assert_string_equal(r.url, url);
	assert_non_null(k = bsky_kept(r.id));
	assert_string_equal(str(k, "repo"), "did:plc:aytovillanuevaprado01");
	assert_string_equal(str(k, "collection"), "app.bsky.feed.post");
	assert_string_equal(str(k, "rkey"), rkey);
	assert_string_equal(str(k, "record.$type"), "app.bsky.feed.post");
	assert_string_equal(str(k, "record.text"), raul_text);
	assert_string_equal(str(k, "record.reply.parent.uri"), "at://did:plc:"
	    "raulvillanueva000000001/app.bsky.feed.post/3lk3m53pfmvv7");
	assert_string_equal(str(k, "record.reply.parent.cid"),
	    "bafyrei3lk3m53pfmvv7");
	assert_string_equal(str(k, "record.reply.root.uri"), "at://did:plc:"
	    "aytovillanuevaprado01/app.bsky.feed.post/3lkaytopost01");
	assert_string_equal(str(k, "record.reply.root.cid"),
	    "bafyrei3lkaytopost01");
	/* createdAt: now, RFC 3339 UTC */
	assert_int_equal(strlen(str(k, "record.createdAt")), 20);
	assert_int_equal(str(k, "record.createdAt")[19], 'Z');
	/* facets in byte order, at UTF-8 byte offsets (ú is 2, the bus 4) */
	f = json_object_get(json_object_get(k, "record"), "facets");
	assert_int_equal(json_array_size(f), 3);
	assert_facet(json_array_get(f, 0), 0, 19,
	    "app.bsky.richtext.facet#mention", "did:plc:raulvillanueva000000001");
	assert_facet(json_array_get(f, 1), 47, 69,
	    "app.bsky.richtext.facet#link", "https://villanueva.example/bus");
	assert_facet(json_array_get(f, 2), 72, 93,
	    "app.bsky.richtext.facet#mention", "did:plc:martagil0000000000001");
	json_decref(k);
	/* the citizen's DID came from the record; Marta's was asked for */
	assert_int_equal(requests("resolveHandle?handle=raul"), 0);
	assert_int_equal(requests("resolveHandle?handle=martagil.bsky.social "
	    "ok"), 1);
	assert_int_equal(requests("getRecord?repo=did%3Aplc%3A"
	    "aytovillanuevaprado01&collection=app.bsky.feed.post&rkey="), 1);
	assert_int_equal(requests("POST /xrpc/com.atproto.repo.createRecord "
	    "ok"), 1);
	result_free(&r);

	/* the same key again: the record is there, nothing is created */
	clear_log();
	post_as("sky", raul_text, "public", raul, "sm-reply-b1", &r);
	assert_int_equal(r.status, 0);
	assert_non_null(r.id);
	assert_string_equal(strrchr(r.id, '/') + 1, strrchr(url, '/') + 1);
	assert_int_equal(requests("createRecord"), 0);
	assert_int_equal(count_posted("bluesky-"), 1);
	assert_non_null(strstr(r.said, "the reply was posted before"));
	result_free(&r);
}

static void
test_bluesky_without_cid(void **unused)
{
	struct result r;
	json_t *k;
	/* a record fetched before sm-fetch kept bluesky.cid */
	const char *felipe = "{\"id\":\"bluesky:sky:at://did:plc:"
	    "felipe19520000000000001/app.bsky.feed.post/3lk3jpgjrwufw\","
	    "\"kind\":\"reply\",\"created_at\":\"2025-03-11T07:20:02Z\","
	    "\"author\":{\"id\":\"did:plc:felipe19520000000000001\","
	    "\"handle\":\"felipe1952.bsky.social\"}}";

	clear_log();
	post_as("sky", "Gracias, Felipe. Ver https://villanueva.example/a.",
	    "public", felipe, "sm-reply-b2", &r);
	assert_int_equal(r.status, 0);
	assert_non_null(r.id);
	assert_int_equal(requests("getPosts?uris=at%3A%2F%2Fdid%3Aplc%3A"
	    "felipe19520000000000001"), 1);
	assert_non_null(k = bsky_kept(r.id));
	assert_string_equal(str(k, "record.reply.parent.cid"),
	    "bafyrei3lk3jpgjrwufw");
	assert_string_equal(str(k, "record.reply.root.uri"), "at://did:plc:"
	    "aytovillanuevaprado01/app.bsky.feed.post/3lkaytopost01");
	/* the link without its final '.' */
	assert_facet(json_array_get(json_object_get(json_object_get(k,
	    "record"), "facets"), 0), 21, 49, "app.bsky.richtext.facet#link",
	    "https://villanueva.example/a");
	json_decref(k);
	result_free(&r);
}

static void
test_bluesky_unknown_handle(void **unused)
{
	struct result r;
	json_t *k;

	post_as("sky", "@nadie.example hola", "public", raul, "sm-reply-b3",
	    &r);
	assert_int_equal(r.status, 0);
	assert_non_null(k = bsky_kept(r.id));
	/* no facet for a handle that resolves to nothing */
	assert_null(json_object_get(json_object_get(k, "record"), "facets"));
	json_decref(k);
	assert_non_null(strstr(r.said, "@nadie.example: no such handle"));
	result_free(&r);
}

static void
test_bluesky_expired_and_limited(void **unused)
{
	struct result r;
	json_t *st;
	char path[600];
	json_int_t refreshes;

	snprintf(path, sizeof(path), "%s/bsky-state.json", srv);
	st = json_load_file(path, 0, NULL);
	refreshes = json_integer_value(json_object_get(st, "refreshes"));
	json_decref(st);
	/* the token expires as the post is made: refreshed, posted */
	put("faults.bluesky-post", "expire\n");
	post_as("sky", "Hola de nuevo.", "public", raul, "sm-reply-b4", &r);
	assert_int_equal(r.status, 0);
	assert_non_null(r.id);
	st = json_load_file(path, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(st, "refreshes")),
	    refreshes + 1);
	json_decref(st);
	assert_non_null(strstr(r.said, "session refreshed"));
	result_free(&r);
	/* 429 with Retry-After, then a 500: waited, tried again, posted */
	put("faults.bluesky-post", "429-after 1\n500\n");
	post_as("sky", "Y otra vez.", "public", raul, "sm-reply-b5", &r);
	assert_int_equal(r.status, 0);
	assert_non_null(r.id);
	result_free(&r);
	/* 500 for good: given up for later, nothing posted */
	put("faults.bluesky-post", "500\n500\n500\n500\n");
	post_as("sky", "No saldr\xc3\xa1.", "public", raul, "sm-reply-b6", &r);
	assert_int_equal(r.called, 1);
	assert_null(r.id);
	assert_int_equal(r.status, EX_TEMPFAIL);
	result_free(&r);
	put("faults.bluesky-post", "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_length_mastodon),
		cmocka_unit_test(test_length_bluesky),
		cmocka_unit_test(test_mastodon_reply),
		cmocka_unit_test(test_mastodon_mention_added),
		cmocka_unit_test(test_mastodon_direct),
		cmocka_unit_test(test_mastodon_faults),
		cmocka_unit_test(test_bluesky_reply),
		cmocka_unit_test(test_bluesky_without_cid),
		cmocka_unit_test(test_bluesky_unknown_handle),
		cmocka_unit_test(test_bluesky_expired_and_limited),
	};

	return cmocka_run_group_tests_name("post_social", tests, start_server,
	    stop_server);
}
