/* test_post_x_tg_fb.c - posting on X, Telegram and Facebook against the
 * fake platform server (tests/fake-server), and how each counts a length */
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "testlib.h"
#include <jansson.h>

#include "sm/account.h"
#include "sm/config.h"
#include "sm/http.h"
#include "sm/platform.h"
#include "sm/recid.h"
#include "sm/util.h"

#define TOKEN "7012345678:test-token-0123"

static char dir[256], srv[300];
static pid_t server = -1;
static int port;
static struct sm_config *cfg;
static struct sm_account *accts;
static size_t naccts;

/* Test files */

static void
copy_fixture(const char *from, const char *to)
{
	char src[1024], dst[1024], *text;

	snprintf(src, sizeof(src), "%s/tests/fixtures/%s",
	    getenv("SM_SRC") ? getenv("SM_SRC") : ".", from);
	snprintf(dst, sizeof(dst), "%s/%s", srv, to);
	text = tl_read(src);
	if (text == NULL)
		fail_msg("cannot read %s", src);
	tl_write(dst, text);
	free(text);
}

static void
srv_file(const char *name, const char *text)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", srv, name);
	tl_write(path, text);
}

/* Forgets what was posted and asked: each test starts afresh. */
static void
reset_server(void)
{
	char path[1024];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "%s/posted", srv);
	if ((d = opendir(path)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/posted/%s", srv,
			    e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	snprintf(path, sizeof(path), "%s/requests.log", srv);
	unlink(path);
}

/* The n-th post the server kept (from 1), or NULL. */
static json_t *
posted(int n, const char *platform)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/posted/%04d-%s.json", srv, n,
	    platform);
	return json_load_file(path, 0, NULL);
}

static int
nposted(void)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/posted", srv);
	return tl_count(path, "", NULL);
}

static char *
requests(void)
{
	char path[1024], *t;

	snprintf(path, sizeof(path), "%s/requests.log", srv);
	t = tl_read(path);
	return t ? t : xstrdup("");
}

/* The server and the accounts */

static int
start(void **state)
{
	const char *args[] = { "--dir", srv, "--token", TOKEN, NULL };
	char portfile[1024], yaml[2048];
	struct sm_error err;
	size_t i;

	snprintf(dir, sizeof(dir), "%s/sm-post-XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(srv, sizeof(srv), "%s/srv", dir);
	mkdir(srv, 0700);
	copy_fixture("facebook/posts.json", "fb-posts.json");
	copy_fixture("facebook/comments.json", "fb-comments.json");
	copy_fixture("facebook/conversations.json", "fb-conversations.json");
	srv_file("tg-chats.json", "{\"-1001987654321\": {\"type\": "
	    "\"supergroup\", \"title\": \"Vecinos de Villanueva\", "
	    "\"username\": \"vecinosvillanueva\"}, \"-1001555\": {\"type\": "
	    "\"supergroup\", \"title\": \"Junta\"}}");
	snprintf(portfile, sizeof(portfile), "%s/port", dir);
	if ((port = tl_serve("fake-server", args, portfile, &server)) < 0)
		return -1;
	snprintf(yaml, sizeof(yaml),
	    "accounts:\n"
	    "  x:\n"
	    "    platform: x\n"
	    "    url: http://127.0.0.1:%d\n"
	    "    token_env: SM_TEST_TOKEN\n"
	    "    user_id: \"1456789012345678901\"\n"
	    "    backoff: 0.01\n"
	    "    retries: 2\n"
	    "  tg:\n"
	    "    platform: telegram\n"
	    "    url: http://127.0.0.1:%d\n"
	    "    token_env: SM_TEST_TOKEN\n"
	    "    backoff: 0.01\n"
	    "    retries: 2\n"
	    "  fb:\n"
	    "    platform: facebook\n"
	    "    url: http://127.0.0.1:%d/v23.0\n"
	    "    token_env: SM_TEST_TOKEN\n"
	    "    page_id: \"104857392016384\"\n"
	    "    backoff: 0.01\n"
	    "    retries: 2\n", port, port, port);
	setenv("SM_TEST_TOKEN", TOKEN, 1);
	if ((cfg = sm_config_load_string(yaml, "sm.yaml", &err)) == NULL ||
	    sm_accounts_load(cfg, &accts, &naccts, &err) < 0)
		return -1;
	for (i = 0; i < naccts; i++)
		if (sm_account_token(cfg, &accts[i], &err) < 0)
			return -1;
	return 0;
}

static int
stop(void **state)
{
	char cmd[600];

	tl_unserve(&server);
	sm_accounts_free(accts, naccts);
	sm_config_free(cfg);
	if (dir[0] && strncmp(dir, "/tmp/", 5) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}

static int
fresh(void **state)
{
	reset_server();
	return 0;
}

/* Posting: several posts in a row through one session */

struct one {
	const char *rec;	/* the record, JSON */
	const char *text;
	const char *visibility;
	int called;
	char *id, *url;		/* what came back */
	int code;		/* the report's code, 0 when none */
	char msg[2048];
};

#define P(r, t, v) { .rec = (r), .text = (t), .visibility = (v) }

struct run {
	struct one *posts;
	size_t n, next;
	json_t *rec;
	const struct sm_platform *p;
};

static void
report(void *arg, const char *account, int code, const char *text)
{
	struct run *r = arg;
	struct one *o = &r->posts[r->next];

	if (code == 0 || r->next >= r->n)
		return;
	o->code = code;
	snprintf(o->msg, sizeof(o->msg), "%s", text);
}

static void post_next(struct sm_session *s, void *arg);

static void
done(struct sm_session *s, const struct sm_posted *p, void *arg)
{
	struct run *r = arg;
	struct one *o = &r->posts[r->next];

	o->called++;
	if (p) {
		o->id = p->id ? xstrdup(p->id) : NULL;
		o->url = p->url ? xstrdup(p->url) : NULL;
	}
	json_decref(r->rec);
	r->rec = NULL;
	r->next++;
	post_next(s, r);
}

static void
post_next(struct sm_session *s, void *arg)
{
	struct run *r = arg;
	struct one *o;
	struct sm_post p;
	json_error_t e;

	if (r->next >= r->n)
		return;
	o = &r->posts[r->next];
	r->rec = json_loads(o->rec, 0, &e);
	if (r->rec == NULL)
		fail_msg("bad record in the test: %s", e.text);
	p.text = o->text;
	p.visibility = o->visibility ? o->visibility : "public";
	p.rec = r->rec;
	p.key = "key-1";
	r->p->post(s, &p, done, r);
}

/* Posts them all through account name; the session's final status. */
static int
post_all(const char *name, struct one *posts, size_t n, int *stopped)
{
	struct sm_account *a = sm_account_find(accts, naccts, name);
	struct sm_http *h = sm_http_new();
	struct sm_session s;
	struct sm_error err;
	struct run r = { posts, n, 0, NULL, NULL };
	int status;

	assert_non_null(a);
	assert_non_null(a->platform->post);
	r.p = a->platform;
	sm_session_init(&s, a, h, NULL, report, &r);
	sm_session_open(&s, post_next, &r);
	assert_int_equal(sm_http_run(h, &err), 0);
	for (size_t i = 0; i < n; i++)
		if (posts[i].called != 1)
			fail_msg("post %zu: done called %d times", i,
			    posts[i].called);
	status = s.status;
	if (stopped)
		*stopped = s.stopped;
	sm_session_free(&s);
	sm_http_free(h);
	return status;
}

static void
one_free(struct one *o)
{
	free(o->id);
	free(o->url);
}

/* The kept post's field (a JSON path of one or two keys) equals want. */
static void
assert_json(json_t *got, const char *want)
{
	json_t *w = json_loads(want, 0, NULL);
	char *g;

	assert_non_null(w);
	if (!json_equal(got, w)) {
		g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
		fail_msg("got %s, want %s", g ? g : "(nothing)", want);
	}
	json_decref(w);
}

static void
assert_kept(int n, const char *platform, const char *path, const char *body)
{
	json_t *k = posted(n, platform);

	if (k == NULL)
		fail_msg("post %d on %s was not kept", n, platform);
	assert_string_equal(json_string_value(json_object_get(k, "path")),
	    path);
	assert_json(json_object_get(k, "body"), body);
	json_decref(k);
}

static void
fault(const char *platform, const char *lines)
{
	char name[64];

	snprintf(name, sizeof(name), "faults.%s", platform);
	srv_file(name, lines);
}

/* X */

#define X_MENTION "{\"id\":\"x:x:1899395886217561632\",\"platform\":\"x\"," \
	"\"account\":\"x\",\"kind\":\"mention\",\"author\":{\"id\":" \
	"\"98765432\",\"handle\":\"pilar_v\",\"name\":\"Pilar\"}}"
#define X_TEXT "Hola, Pilar. Hemos trasladado el aviso al servicio de " \
	"limpieza (incidencia 2025/0412): el cami\u00f3n pasar\u00e1 hoy " \
	"antes de las 14:00. M\u00e1s info: https://villanueva.example/limpieza"

static void
test_x_reply(void **state)
{
	struct one p[] = { P(X_MENTION, X_TEXT, NULL) };

	assert_int_equal(post_all("x", p, 1, NULL), 0);
	assert_string_equal(p[0].id, "1899399061306258210");
	assert_string_equal(p[0].url,
	    "https://x.com/i/web/status/1899399061306258210");
	/* as tests/fixtures documents it (shared/fixtures/x) */
	assert_kept(1, "x", "/2/tweets", "{\"text\":\"" X_TEXT "\",\"reply\":"
	    "{\"in_reply_to_tweet_id\":\"1899395886217561632\"}}");
	char *log = requests();
	assert_string_equal(log, "POST /2/tweets ok\n");
	free(log);
	one_free(&p[0]);
}

static void
test_x_direct(void **state)
{
	struct one p[] = {
		P("{\"id\":\"x:x:1899400000000000001\",\"platform\":\"x\","
		    "\"account\":\"x\",\"kind\":\"direct\",\"author\":{\"id\":"
		    "\"98765432\"}}", "Te escribimos por privado", NULL),
		P(X_MENTION, "Mejor por privado: ¿nos dices tu DNI?",
		    "private"),
	};

	assert_int_equal(post_all("x", p, 2, NULL), 0);
	assert_string_equal(p[0].id, "1899500000000000001");
	assert_null(p[0].url);
	assert_string_equal(p[1].id, "1899500000000000002");
	assert_kept(1, "x", "/2/dm_conversations/with/98765432/messages",
	    "{\"text\":\"Te escribimos por privado\"}");
	assert_kept(2, "x", "/2/dm_conversations/with/98765432/messages",
	    "{\"text\":\"Mejor por privado: ¿nos dices tu DNI?\"}");
	one_free(&p[0]);
	one_free(&p[1]);
}

static void
test_x_announce(void **state)
{
	struct one p[] = { P("{\"id\":\"x:x:aviso-1\",\"platform\":\"x\","
	    "\"account\":\"x\",\"kind\":\"post\"}", "Corte de agua el martes",
	    NULL) };

	assert_int_equal(post_all("x", p, 1, NULL), 0);
	assert_kept(1, "x", "/2/tweets", "{\"text\":\"Corte de agua el "
	    "martes\"}");
	one_free(&p[0]);
}

/* a duplicate is reported, not retried, and the session goes on */
static void
test_x_duplicate(void **state)
{
	struct one p[] = {
		P(X_MENTION, "Gracias por avisar", NULL),
		P(X_MENTION, "Gracias por avisar", NULL),
		P(X_MENTION, "Gracias por avisar, Pilar", NULL),
	};
	int stopped;

	assert_int_equal(post_all("x", p, 3, &stopped), EX_UNAVAILABLE);
	assert_int_equal(stopped, 0);
	assert_non_null(p[0].id);
	assert_null(p[1].id);
	assert_int_equal(p[1].code, EX_UNAVAILABLE);
	assert_string_equal(p[1].msg, "HTTP 403 (You are not allowed to "
	    "create a Tweet with duplicate content.): X takes the text for a "
	    "duplicate of a post already made; not sent again");
	assert_non_null(p[2].id);
	assert_int_equal(nposted(), 2);
	char *log = requests();
	assert_string_equal(log, "POST /2/tweets ok\nPOST /2/tweets ok\n"
	    "POST /2/tweets ok\n");
	free(log);
	for (int i = 0; i < 3; i++)
		one_free(&p[i]);
}

static void
test_x_rate_limited(void **state)
{
	struct one p[] = { P(X_MENTION, "Uno", NULL) };
	struct one q[] = { P(X_MENTION, "Dos", NULL), P(X_MENTION, "Tres",
	    NULL) };
	int stopped;

	/* a 429 whose reset is now: waited for, then posted once */
	fault("x", "429-x 0\n");
	assert_int_equal(post_all("x", p, 1, NULL), 0);
	assert_non_null(p[0].id);
	assert_int_equal(nposted(), 1);
	/* a reset an hour away: for a later run; nothing more is asked */
	fault("x", "429-x 3600\n");
	assert_int_equal(post_all("x", q, 2, &stopped), EX_TEMPFAIL);
	assert_int_equal(stopped, 1);
	assert_null(q[0].id);
	assert_null(q[1].id);
	assert_int_equal(q[0].code, EX_TEMPFAIL);
	assert_int_equal(nposted(), 1);
	one_free(&p[0]);
	one_free(&q[0]);
	one_free(&q[1]);
}

static void
test_x_server_error(void **state)
{
	struct one p[] = { P(X_MENTION, "Uno", NULL) };
	struct one q[] = { P(X_MENTION, "Dos", NULL) };

	/* a post X may have taken is never sent again: a 5xx is not
	 * retried but said unknown (EX_PROTOCOL), for a person to check */
	fault("x", "500\n");
	assert_int_equal(post_all("x", p, 1, NULL), EX_PROTOCOL);
	assert_null(p[0].id);
	assert_string_equal(p[0].msg, "HTTP 500 to a post: it may have been "
	    "made");
	assert_int_equal(nposted(), 0);
	/* the next post, asked afresh, goes */
	assert_int_equal(post_all("x", q, 1, NULL), 0);
	assert_non_null(q[0].id);
	assert_int_equal(nposted(), 1);
	one_free(&p[0]);
	one_free(&q[0]);
}

/* a token X does not take for posting stops the session */
static void
test_x_refused_token(void **state)
{
	struct one p[] = { P(X_MENTION, "Uno", NULL), P(X_MENTION, "Dos",
	    NULL) };
	int stopped;

	fault("x", "x-app-only\n");
	assert_int_equal(post_all("x", p, 2, &stopped), EX_NOPERM);
	assert_int_equal(stopped, 1);
	assert_null(p[0].id);
	assert_null(p[1].id);
	assert_string_equal(p[0].msg, "HTTP 403 (Authenticating with OAuth "
	    "2.0 Application-Only is forbidden for this endpoint.  Supported "
	    "authentication types are [OAuth 1.0a User Context, OAuth 2.0 "
	    "User Context].)");
	assert_int_equal(nposted(), 0);
	char *log = requests();
	assert_string_equal(log, "POST /2/tweets ok\n");
	free(log);
}

static void
test_x_bad_record(void **state)
{
	struct one p[] = { P("{\"id\":\"mastodon:x:1899\",\"platform\":\"x\","
	    "\"account\":\"x\",\"kind\":\"mention\"}", "Hola", NULL) };

	assert_int_equal(post_all("x", p, 1, NULL), EX_DATAERR);
	assert_string_equal(p[0].msg, "mastodon:x:1899: no X tweet id to "
	    "answer");
	char *log = requests();
	assert_string_equal(log, "");
	free(log);
}

/* Telegram */

#define TG_PRIVATE "{\"id\":\"telegram:tg:5123456789:119\",\"platform\":" \
	"\"telegram\",\"account\":\"tg\",\"kind\":\"direct\",\"author\":" \
	"{\"id\":\"5123456789\"}}"
#define TG_TEXT "Hola, Elena. S\u00ed: para empadronar a un menor tambi" \
	"\u00e9n hay que pedir cita previa en https://villanueva.example/cita " \
	"y traer el libro de familia. \u00a1Un saludo!"

static void
test_tg_reply(void **state)
{
	struct one p[] = {
		P(TG_PRIVATE, TG_TEXT, NULL),
		P("{\"id\":\"telegram:tg:-1001987654321:5521\",\"platform\":"
		    "\"telegram\",\"account\":\"tg\",\"kind\":\"mention\"}",
		    "Gracias, lo revisamos", NULL),
		P("{\"id\":\"telegram:tg:-1001555:7\",\"platform\":"
		    "\"telegram\",\"account\":\"tg\",\"kind\":\"mention\"}",
		    "Recibido", NULL),
	};
	char *log;

	assert_int_equal(post_all("tg", p, 3, NULL), 0);
	/* a private chat: no link */
	assert_string_equal(p[0].id, "1001");
	assert_null(p[0].url);
	/* a public group: its username's */
	assert_string_equal(p[1].id, "1002");
	assert_string_equal(p[1].url, "https://t.me/vecinosvillanueva/1002");
	/* a private supergroup: the link its members can follow */
	assert_string_equal(p[2].url, "https://t.me/c/1555/1003");
	assert_kept(1, "telegram", "/botTOKEN/sendMessage", "{\"chat_id\":"
	    "5123456789,\"text\":\"" TG_TEXT "\",\"reply_parameters\":{"
	    "\"message_id\":119,\"allow_sending_without_reply\":true},"
	    "\"link_preview_options\":{\"is_disabled\":true}}");
	assert_kept(2, "telegram", "/botTOKEN/sendMessage", "{\"chat_id\":"
	    "-1001987654321,\"text\":\"Gracias, lo revisamos\","
	    "\"reply_parameters\":{\"message_id\":5521,"
	    "\"allow_sending_without_reply\":true},\"link_preview_options\":"
	    "{\"is_disabled\":true}}");
	log = requests();
	assert_null(strstr(log, "test-token"));
	assert_string_equal(log, "POST /botTOKEN/sendMessage ok\n"
	    "POST /botTOKEN/sendMessage ok\nPOST /botTOKEN/sendMessage ok\n");
	free(log);
	for (int i = 0; i < 3; i++)
		one_free(&p[i]);
}

/* blocked by one citizen: that reply fails for good, the others go */
static void
test_tg_blocked(void **state)
{
	struct one p[] = { P(TG_PRIVATE, "Uno", NULL),
	    P(TG_PRIVATE, "Dos", NULL) };
	int stopped;

	fault("telegram", "tg-blocked\n");
	assert_int_equal(post_all("tg", p, 2, &stopped), EX_UNAVAILABLE);
	assert_int_equal(stopped, 0);
	assert_null(p[0].id);
	assert_int_equal(p[0].code, EX_UNAVAILABLE);
	assert_string_equal(p[0].msg, "HTTP 403 (Forbidden: bot was blocked "
	    "by the user): Telegram will not deliver to this chat");
	assert_string_equal(p[1].id, "1001");
	assert_int_equal(nposted(), 1);
	one_free(&p[1]);
}

static void
test_tg_flood_and_errors(void **state)
{
	struct one p[] = { P(TG_PRIVATE, "Uno", NULL) };
	struct one q[] = { P(TG_PRIVATE, "Dos", NULL) };
	struct one r[] = { P(TG_PRIVATE, "Tres", NULL) };
	char *log;
	int stopped;

	/* Telegram's flood control: retry_after in the body, honoured */
	fault("telegram", "429-telegram 1\n");
	assert_int_equal(post_all("tg", p, 1, NULL), 0);
	assert_string_equal(p[0].id, "1001");
	log = requests();
	assert_string_equal(log, "POST /botTOKEN/sendMessage ok\n"
	    "POST /botTOKEN/sendMessage ok\n");
	free(log);
	/* too long for Telegram: refused with its error, not retried */
	struct sm_buf b = { 0 };
	for (int i = 0; i < 4097; i++)
		sm_buf_addc(&b, 'a');
	q[0].text = b.data;
	assert_int_equal(post_all("tg", q, 1, &stopped), EX_UNAVAILABLE);
	assert_int_equal(stopped, 0);
	assert_string_equal(q[0].msg, "HTTP 400 (Bad Request: message is too "
	    "long)");
	sm_buf_free(&b);
	/* a token Telegram does not know */
	fault("telegram", "401\n");
	assert_int_equal(post_all("tg", r, 1, &stopped), EX_NOPERM);
	assert_int_equal(stopped, 1);
	assert_null(r[0].id);
	assert_int_equal(nposted(), 1);
	one_free(&p[0]);
}

/* a 200 that does not say what was posted: reported as maybe posted */
static void
test_unknown_outcome(void **state)
{
	struct one p[] = { P(TG_PRIVATE, "Uno", NULL), P(TG_PRIVATE, "Dos",
	    NULL) };
	int stopped;

	fault("telegram", "badjson\n");
	assert_int_equal(post_all("tg", p, 2, &stopped), EX_PROTOCOL);
	assert_int_equal(stopped, 0);
	assert_null(p[0].id);
	assert_int_equal(p[0].code, EX_PROTOCOL);
	assert_string_equal(p[0].msg, "HTTP 200, and the answer is not JSON: "
	    "the post may have been made");
	assert_non_null(p[1].id);
	one_free(&p[1]);
}

/* Facebook */

#define FB_COMMENT "{\"id\":\"facebook:fb:122117402396152873_" \
	"1298765432109911\",\"platform\":\"facebook\",\"account\":\"fb\"," \
	"\"kind\":\"comment\",\"thread\":{\"in_reply_to\":\"facebook:fb:" \
	"104857392016384_122117402396152873\"}}"
#define FB_TEXT "Hola, Rosa Mar\u00eda. Hemos avisado al servicio de " \
	"limpieza (incidencia 2025/0412); el cami\u00f3n pasar\u00e1 hoy " \
	"antes de las 14:00. Disculpa las molestias."
#define FB_DIRECT "{\"id\":\"facebook:fb:m_abc\",\"platform\":\"facebook\"," \
	"\"account\":\"fb\",\"kind\":\"direct\",\"author\":{\"id\":" \
	"\"8876543219876543\"},\"thread\":{\"in_reply_to\":null,\"root\":" \
	"\"facebook:fb:t_122109876543210987\"}}"
#define FB_MSG "Hola, Rosa. S\u00ed, la licencia de obra menor se tramita " \
	"en la sede electr\u00f3nica: https://villanueva.example/sede/obras. " \
	"Necesitar\u00e1s el presupuesto y una descripci\u00f3n de la obra."

static void
test_fb_comment(void **state)
{
	struct one p[] = {
		P(FB_COMMENT, FB_TEXT, NULL),
		/* a reply to a comment: answered under that comment */
		P("{\"id\":\"facebook:fb:122117402396152873_1298765432109950\","
		    "\"platform\":\"facebook\",\"account\":\"fb\",\"kind\":"
		    "\"reply\",\"thread\":{\"in_reply_to\":\"facebook:fb:"
		    "122117402396152873_1298765432109911\"}}", "Gracias", NULL),
		P("{\"id\":\"facebook:fb:aviso\",\"platform\":\"facebook\","
		    "\"account\":\"fb\",\"kind\":\"post\"}", "Corte de agua",
		    NULL),
	};
	char *log;

	assert_int_equal(post_all("fb", p, 3, NULL), 0);
	assert_string_equal(p[0].id, "122117402396152873_1298765432110044");
	assert_string_equal(p[0].url, "https://www.facebook.com/"
	    "122117402396152873_1298765432110044");
	assert_kept(1, "facebook", "/v23.0/122117402396152873_"
	    "1298765432109911/comments", "{\"message\":\"" FB_TEXT "\"}");
	assert_kept(2, "facebook", "/v23.0/122117402396152873_"
	    "1298765432109911/comments", "{\"message\":\"Gracias\"}");
	assert_kept(3, "facebook", "/v23.0/104857392016384/feed",
	    "{\"message\":\"Corte de agua\"}");
	/* the token in the header, never in a URL */
	log = requests();
	assert_null(strstr(log, "access_token"));
	assert_null(strstr(log, " bad"));
	free(log);
	for (int i = 0; i < 3; i++)
		one_free(&p[i]);
}

static void
test_fb_messenger(void **state)
{
	struct one p[] = {
		P(FB_DIRECT, FB_MSG, NULL),
		/* a private answer to a public comment */
		P(FB_COMMENT, "Escríbenos por privado, por favor", "private"),
	};

	assert_int_equal(post_all("fb", p, 2, NULL), 0);
	assert_string_equal(p[0].id, "m_fake0001");
	assert_null(p[0].url);
	assert_kept(1, "facebook", "/v23.0/104857392016384/messages",
	    "{\"recipient\":{\"id\":\"8876543219876543\"},\"messaging_type\":"
	    "\"RESPONSE\",\"message\":{\"text\":\"" FB_MSG "\"}}");
	assert_kept(2, "facebook", "/v23.0/104857392016384/messages",
	    "{\"recipient\":{\"comment_id\":\"122117402396152873_"
	    "1298765432109911\"},\"messaging_type\":\"RESPONSE\",\"message\":"
	    "{\"text\":\"Escríbenos por privado, por favor\"}}");
	one_free(&p[0]);
	one_free(&p[1]);
}

/* outside the 24-hour window: permanent for that message; others go */
static void
test_fb_window(void **state)
{
	struct one p[] = { P(FB_DIRECT, "Uno", NULL),
	    P(FB_COMMENT, "Dos", NULL) };
	int stopped;

	fault("facebook", "fb-window\n");
	assert_int_equal(post_all("fb", p, 2, &stopped), EX_UNAVAILABLE);
	assert_int_equal(stopped, 0);
	assert_null(p[0].id);
	assert_string_equal(p[0].msg, "HTTP 400 (Graph error 10, subcode "
	    "2018278): the citizen wrote more than 24 hours ago, and Messenger "
	    "takes no answer after that; answer by another channel");
	assert_non_null(p[1].id);
	assert_int_equal(nposted(), 1);
	one_free(&p[1]);
}

static void
test_fb_errors(void **state)
{
	struct one p[] = { P(FB_COMMENT, "Uno", NULL) };
	struct one q[] = { P(FB_COMMENT, "Dos", NULL) };
	struct one r[] = { P("{\"id\":\"facebook:fb:1_999\",\"platform\":"
	    "\"facebook\",\"account\":\"fb\",\"kind\":\"comment\"}", "Tres",
	    NULL), P(FB_COMMENT, "Cuatro", NULL) };
	struct one t[] = { P(FB_COMMENT, "Cinco", NULL) };
	int stopped;

	fault("facebook", "fb-token\n");
	assert_int_equal(post_all("fb", p, 1, &stopped), EX_NOPERM);
	assert_int_equal(stopped, 1);
	assert_string_equal(p[0].msg, "HTTP 400 (Graph error 190: Error "
	    "validating access token: Session has expired.)");
	fault("facebook", "fb-throttle\n");
	assert_int_equal(post_all("fb", q, 1, &stopped), EX_TEMPFAIL);
	assert_string_equal(q[0].msg, "rate limited (Graph error 80001); try "
	    "later");
	/* a comment deleted since: that one fails, the next goes */
	assert_int_equal(post_all("fb", r, 2, &stopped), EX_UNAVAILABLE);
	assert_int_equal(stopped, 0);
	assert_string_equal(r[0].msg, "HTTP 400 (Graph error 100: "
	    "Unsupported post request. Object with ID '1_999' does not "
	    "exist)");
	assert_non_null(r[1].id);
	fault("facebook", "429\n");
	assert_int_equal(post_all("fb", t, 1, NULL), 0);
	assert_non_null(t[0].id);
	assert_int_equal(nposted(), 2);
	one_free(&r[1]);
	one_free(&t[0]);
}

/* Lengths, as each platform counts them */

static void
test_x_length(void **state)
{
	const struct sm_platform *x = sm_platform_find("x");
	struct sm_buf b = { 0 };

	assert_int_equal(x->max_length, 280);
	assert_int_equal(x->length("Hola"), 4);
	/* Latin with accents, Spanish punctuation: 1 each */
	assert_int_equal(x->length("cami\u00f3n \u00f1 \u00bf\u00a1\u00ab"
	    "\u00bb\u2013\u2014"), 15);
	/* a decomposed accent counts once it is composed (NFC) */
	assert_int_equal(x->length("e\xcc\x81"), 1);
	/* the euro sign and the ellipsis are outside the light ranges */
	assert_int_equal(x->length("5 \u20ac\u2026"), 6);
	/* CJK: 2 each */
	assert_int_equal(x->length("\u5e02\u5f79\u6240"), 6);
	/* an emoji counts 2 however it is made */
	assert_int_equal(x->length("\U0001F621"), 2);
	assert_int_equal(x->length("\U0001F44D\U0001F3FD"), 2);
	assert_int_equal(x->length("\U0001F468\u200d\U0001F469\u200d"
	    "\U0001F467\u200d\U0001F466"), 2);
	assert_int_equal(x->length("\U0001F1EA\U0001F1F8"), 2);
	assert_int_equal(x->length("1\ufe0f\u20e3"), 2);
	assert_int_equal(x->length("\u2764\ufe0f"), 2);
	assert_int_equal(x->length("ok \U0001F44D\U0001F3FD\U0001F1EA"
	    "\U0001F1F8!"), 8);
	/* every URL 23, however long; final punctuation is not part of it */
	assert_int_equal(x->length("https://villanueva.example/limpieza/"
	    "calendario-de-recogida-2025?barrio=centro#hoy"), 23);
	assert_int_equal(x->length("http://a.es"), 23);
	assert_int_equal(x->length("M\u00e1s info: https://villanueva."
	    "example/limpieza."), 34);
	assert_int_equal(x->length("(ver https://x.es/a)"), 29);
	assert_int_equal(x->length(X_TEXT), 161);
	/* without a scheme: www., a generic domain, a country's with a path */
	assert_int_equal(x->length("www.villanueva.es"), 23);
	assert_int_equal(x->length("ayto.com"), 23);
	assert_int_equal(x->length("villanueva.es/cita"), 23);
	assert_int_equal(x->length("villanueva.es"), 13);
	assert_int_equal(x->length("p.ej. esto"), 10);
	assert_int_equal(x->length("vecina@villanueva.com"), 21);
	/* 280 light characters fit, 140 CJK too */
	for (int i = 0; i < 280; i++)
		sm_buf_addc(&b, 'a');
	assert_int_equal(x->length(b.data), 280);
	sm_buf_reset(&b);
	for (int i = 0; i < 141; i++)
		sm_buf_adds(&b, "\u5e02");
	assert_int_equal(x->length(b.data), 282);
	sm_buf_free(&b);
	/* not UTF-8: a replacement character (2) for each bad byte */
	assert_int_equal(x->length("a\xff"), 3);
}

static void
test_tg_length(void **state)
{
	const struct sm_platform *t = sm_platform_find("telegram");

	assert_int_equal(t->max_length, 4096);
	assert_int_equal(t->length("abc"), 3);
	assert_int_equal(t->length("\u00f1\u20ac\u5e02"), 3);
	assert_int_equal(t->length("\U0001F621"), 2);
	assert_int_equal(t->length("\U0001D54F"), 2);
	/* four emoji and three joiners */
	assert_int_equal(t->length("\U0001F468\u200d\U0001F469\u200d"
	    "\U0001F467\u200d\U0001F466"), 11);
	assert_int_equal(t->length("https://villanueva.example/cita"), 31);
	assert_int_equal(t->length(TG_TEXT), 153);
}

static void
test_fb_length(void **state)
{
	const struct sm_platform *f = sm_platform_find("facebook");

	/* code points (the default); Messenger's 2000, the smaller limit */
	assert_null(f->length);
	assert_int_equal(f->max_length, 2000);
}

static void
test_recid(void **state)
{
	json_t *rec = json_pack("{s:s,s:s,s:s}", "id", "x:ayto:x:1899",
	    "platform", "x", "account", "ayto:x");

	assert_string_equal(sm_recid_own(rec), "1899");
	assert_string_equal(sm_recid_native(rec, "x:ayto:x:12"), "12");
	assert_null(sm_recid_native(rec, "x:ayto:12"));
	assert_null(sm_recid_native(rec, "x:ayto:x:"));
	assert_null(sm_recid_native(rec, "mastodon:ayto:x:12"));
	assert_null(sm_recid_native(rec, NULL));
	json_decref(rec);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recid),
		cmocka_unit_test(test_x_length),
		cmocka_unit_test(test_tg_length),
		cmocka_unit_test(test_fb_length),
		cmocka_unit_test_setup(test_x_reply, fresh),
		cmocka_unit_test_setup(test_x_direct, fresh),
		cmocka_unit_test_setup(test_x_announce, fresh),
		cmocka_unit_test_setup(test_x_duplicate, fresh),
		cmocka_unit_test_setup(test_x_rate_limited, fresh),
		cmocka_unit_test_setup(test_x_server_error, fresh),
		cmocka_unit_test_setup(test_x_refused_token, fresh),
		cmocka_unit_test_setup(test_x_bad_record, fresh),
		cmocka_unit_test_setup(test_tg_reply, fresh),
		cmocka_unit_test_setup(test_tg_blocked, fresh),
		cmocka_unit_test_setup(test_tg_flood_and_errors, fresh),
		cmocka_unit_test_setup(test_unknown_outcome, fresh),
		cmocka_unit_test_setup(test_fb_comment, fresh),
		cmocka_unit_test_setup(test_fb_messenger, fresh),
		cmocka_unit_test_setup(test_fb_window, fresh),
		cmocka_unit_test_setup(test_fb_errors, fresh),
	};

	return cmocka_run_group_tests_name("post_x_tg_fb", tests, start,
	    stop);
}
