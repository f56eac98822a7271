/* test_deliver.c - delivery to a real SMTP server (tests/smtpd, aiosmtpd)
 * and to webhooks and Open311 (tests/receiver) on 127.0.0.1: exact
 * requests, injected failures, the outbox, no double delivery, kill -9
 * between a send and its record */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
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

#include "sm/config.h"
#include "sm/deliver.h"
#include "sm/mime.h"
#include "sm/state.h"
#include "sm/util.h"

#define PYTHON "/usr/bin/python3"

static char dir[256];		/* everything of this run */
static char smtp_dir[300], http_dir[300];
static pid_t smtp_pid, http_pid, later_pid;
static int smtp_port, http_port;
static int have_python;
static json_t *reports;		/* "CODE OWNER: TEXT" */

/* Helpers */

static char *
pathf(const char *fmt, ...)
{
	static char buf[4][512];
	static int k;
	va_list ap;

	k = (k + 1) % 4;
	va_start(ap, fmt);
	vsnprintf(buf[k], sizeof(buf[k]), fmt, ap);
	va_end(ap);
	return buf[k];
}

/* Files ending in ext in d. */
static int
count(const char *d, const char *ext)
{
	DIR *dp = opendir(d);
	struct dirent *de;
	int n = 0;
	size_t l;

	if (dp == NULL)
		return 0;
	while ((de = readdir(dp)) != NULL) {
		l = strlen(de->d_name);
		if (l > strlen(ext) && strcmp(de->d_name + l - strlen(ext),
		    ext) == 0)
			n++;
	}
	closedir(dp);
	return n;
}

static int
mails(void)
{
	return count(pathf("%s/mail", smtp_dir), ".eml");
}

static int
posts(void)
{
	return count(pathf("%s/requests", http_dir), ".json");
}

/* The Nth request the receiver stored. */
static json_t *
stored(int n)
{
	char *s = tl_read(pathf("%s/requests/%d.json", http_dir, n));
	json_t *j;

	assert_non_null(s);
	j = json_loads(s, 0, NULL);
	free(s);
	assert_non_null(j);
	return j;
}

/* A port where nothing listens. */
static int
free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* Starts a server script with --dir d; its port. */
static int
start(const char *script, const char *d, int port, pid_t *pid)
{
	char portfile[600], portarg[16];
	const char *args[] = { "--dir", d, "--port", portarg, NULL };
	int p;

	snprintf(portfile, sizeof(portfile), "%s/port", d);
	snprintf(portarg, sizeof(portarg), "%d", port);
	if ((p = tl_serve(script, args, portfile, pid)) < 0)
		fail_msg("%s did not start", script);
	return p;
}

static void
on_report(void *arg, const char *name, int code, const char *text)
{
	if (getenv("SM_TEST_VERBOSE"))
		fprintf(stderr, "# %d %s: %s\n", code, name, text);
	if (code)
		json_array_append_new(reports, json_sprintf("%d %s: %s", code,
		    name, text));
}

/* The reports so far, one a line, and forgets them. */
static char *
reported(void)
{
	struct sm_buf b = { 0 };
	json_t *v;
	size_t i;

	sm_buf_adds(&b, "");
	json_array_foreach(reports, i, v) {
		sm_buf_adds(&b, json_string_value(v));
		sm_buf_addc(&b, '\n');
	}
	json_array_clear(reports);
	return b.data;
}

static void
assert_reported(const char *want)
{
	char *got = reported();

	assert_string_equal(got, want);
	free(got);
}

/* One report was made, starting with head and ending with tail. */
static void
assert_report_like(const char *head, const char *tail)
{
	char *got = reported();
	size_t n = strlen(got);

	if (strncmp(got, head, strlen(head)) != 0 || n < strlen(tail) + 1 ||
	    strncmp(got + n - strlen(tail) - 1, tail, strlen(tail)) != 0 ||
	    strchr(got, '\n') != got + n - 1)
		fail_msg("expected one report '%s...%s', got '%s'", head, tail,
		    got);
	free(got);
}

/* The configuration every test starts from. */
static void
write_config(int smtp, const char *extra)
{
	char *text = NULL;
	size_t len;
	FILE *fp = open_memstream(&text, &len);

	fprintf(fp,
	    "route:\n"
	    "  smtp:\n"
	    "    url: smtp://127.0.0.1:%d\n"
	    "    from: \"Atención Ciudadana <atencion@ayto.example>\"\n"
	    "    retries: 1\n"
	    "    backoff: 0.01\n"
	    "    timeout: 5\n"
	    "  queues:\n"
	    "    limpieza:\n"
	    "      department: Servicio de Limpieza\n"
	    "      deliver:\n"
	    "        - email:\n"
	    "            to: [limpieza@ayto.example, \"Jefa de Limpieza "
	    "<jefa@ayto.example>\"]\n"
	    "        - webhook:\n"
	    "            url: http://127.0.0.1:%d/hook/limpieza\n"
	    "            retries: 2\n"
	    "            backoff: 0.01\n"
	    "        - open311:\n"
	    "            url: http://127.0.0.1:%d/v2/\n"
	    "            api_key_env: SM_TEST_OPEN311_KEY\n"
	    "            jurisdiction_id: ayto.example\n"
	    "            service_code: \"009\"\n"
	    "            service_codes: {waste: \"001\", lighting: \"002\"}\n"
	    "            address: Plaza Mayor 1, Villanueva\n"
	    "            retries: 0\n"
	    "    hooks:\n"
	    "      deliver:\n"
	    "        - webhook:\n"
	    "            url: http://127.0.0.1:%d/hook/hooks\n"
	    "            retries: 2\n"
	    "            backoff: 0.01\n"
	    "    chat:\n"
	    "      deliver:\n"
	    "        - webhook:\n"
	    "            name: mattermost\n"
	    "            url_env: SM_TEST_HOOK_URL\n"
	    "            body: '{\"text\":\"{{route.case}}: {{text}}\"}'\n"
	    "            retries: 0\n"
	    "            timeout: 1\n"
	    "    contacto:\n"
	    "      deliver:\n"
	    "        - open311:\n"
	    "            url: http://127.0.0.1:%d/v2\n"
	    "            api_key_file: key.txt\n"
	    "            service_code: \"009\"\n"
	    "            contact: true\n"
	    "            description: \"{{text}}\"\n"
	    "            address: \"{{route.department}}\"\n"
	    "    mail:\n"
	    "      deliver:\n"
	    "        - email:\n"
	    "            to: buzon@ayto.example\n"
	    "            subject: \"Caso {{route.case}}\"\n"
	    "            body: \"{{text}}\"\n"
	    "%s",
	    smtp, http_port, http_port, http_port, http_port,
	    extra ? extra : "");
	fclose(fp);
	tl_write(pathf("%s/sm.yaml", dir), text);
	free(text);
}

struct run {
	struct sm_config *cfg;
	struct sm_state *st;
	struct sm_deliver *d;
};

/* One run of sm-route as far as delivery goes: configuration, state. */
static void
run_open(struct run *r)
{
	struct sm_deliver_options o = { .report = on_report };
	struct sm_error err;
	char msg[2048];

	r->cfg = sm_config_load(pathf("%s/sm.yaml", dir), &err);
	assert_non_null(r->cfg);
	r->st = sm_state_open(pathf("%s/state.db", dir), 10000, &err);
	assert_non_null(r->st);
	r->d = sm_deliver_new(r->cfg, sm_config_section(r->cfg, "route"),
	    r->st, &o, &err);
	if (r->d == NULL) {
		sm_error_format(&err, msg, sizeof(msg));
		fail_msg("%s", msg);
	}
}

static void
run_close(struct run *r)
{
	sm_deliver_free(r->d);
	sm_state_close(r->st);
	sm_config_free(r->cfg);
}

static json_t *
record(const char *id, const char *queue, const char *text)
{
	json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:s,"
	    "s:{s:s, s:s, s:s}, s:s, s:s, s:s,"
	    "s:{s:s, s:s, s:s, s:s},"
	    "s:{s:s, s:s, s:s, s:i, s:s}}",
	    "id", id, "platform", "mastodon", "account", "ayto",
	    "kind", "mention", "created_at", "2026-11-28T09:14:03Z",
	    "author", "id", "10987", "handle", "vecina@masto.example",
	    "name", "María",
	    "text", text, "lang", "es",
	    "url", "https://masto.example/@vecina/1",
	    "classify", "category", "complaint", "topic", "waste",
	    "urgency", "normal", "sentiment", "negative",
	    "route", "queue", queue, "department",
	    "Limpieza Viaria (Sección Norte)", "case", "2026-000123",
	    "priority", 2, "due_at", "2026-12-02T14:00:00Z");

	assert_non_null(r);
	return r;
}

/* Delivers and returns "delivered|pending|unknown|open311_id|status". */
static char *
deliver(struct run *r, const char *queue, json_t *rec, int dry)
{
	struct sm_delivery out;
	struct sm_error err;
	char *a, *b, *c, *s;

	assert_int_equal(sm_deliver_record(r->d, queue, rec, dry, &out, &err),
	    0);
	a = json_dumps(out.delivered, JSON_COMPACT);
	b = json_dumps(out.pending, JSON_COMPACT);
	c = json_dumps(out.unknown, JSON_COMPACT);
	s = xmalloc(strlen(a) + strlen(b) + strlen(c) + 64);
	sprintf(s, "%s|%s|%s|%s|%d", a, b, c, out.open311_id ?
	    json_string_value(out.open311_id) : "-", out.status);
	free(a);
	free(b);
	free(c);
	sm_delivery_clear(&out);
	return s;
}

static void
assert_delivery(struct run *r, const char *queue, json_t *rec, int dry,
    const char *want)
{
	char *got = deliver(r, queue, rec, dry);

	assert_string_equal(got, want);
	free(got);
}

static int
retry(struct run *r, int dry, struct sm_deliver_counts *c)
{
	struct sm_error err;
	int n = sm_deliver_retry(r->d, dry, c, &err);

	assert_true(n >= 0);
	return n;
}

static void
fault(const char *where, const char *text)
{
	FILE *fp = fopen(pathf("%s/faults", where), "a");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static int
setup(void **unused)
{
	if (!have_python)
		return 0;
	assert_int_equal(system(pathf("rm -rf %s/mail %s/requests %s/faults "
	    "%s/requests.log %s/state.db* %s/pid", smtp_dir, http_dir,
	    smtp_dir, http_dir, dir, http_dir)), 0);
	unlink(pathf("%s/faults", http_dir));
	unlink(pathf("%s/pid", smtp_dir));
	json_array_clear(reports);
	write_config(smtp_port, NULL);
	return 0;
}

static int
group_setup(void **unused)
{
	char *tmp = getenv("TMPDIR");

	have_python = access(PYTHON, X_OK) == 0 &&
	    system(PYTHON " -c 'import aiosmtpd' 2>/dev/null") == 0;
	reports = json_array();
	snprintf(dir, sizeof(dir), "%s/sm-deliver.XXXXXX", tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	snprintf(smtp_dir, sizeof(smtp_dir), "%s/smtp", dir);
	snprintf(http_dir, sizeof(http_dir), "%s/http", dir);
	mkdir(smtp_dir, 0700);
	mkdir(http_dir, 0700);
	tl_write(pathf("%s/key.txt", dir), "test-key\n");
	setenv("SM_TEST_OPEN311_KEY", "test-key", 1);
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	if (!have_python)
		return 0;
	smtp_port = start("smtpd", smtp_dir, 0, &smtp_pid);
	http_port = start("receiver", http_dir, 0, &http_pid);
	setenv("SM_TEST_HOOK_URL", pathf("http://127.0.0.1:%d/hook/chat",
	    http_port), 1);
	return 0;
}

static int
group_teardown(void **unused)
{
	tl_unserve(&smtp_pid);
	tl_unserve(&http_pid);
	tl_unserve(&later_pid);
	json_decref(reports);
	if (system(pathf("rm -rf %s", dir)) != 0)
		return -1;
	return 0;
}

#define NEED_SERVERS() do { \
	if (!have_python) \
		skip(); \
} while (0)

/* Tests */

static const char expected_body[] =
    "Limpieza Viaria (Secci\xc3\xb3n Norte), case 2026-000123\n"
    "Answer by 2026-12-02T14:00:00Z\n"
    "\n"
    "La basura de la calle Perdomo lleva 3 d\xc3\xad" "as sin recogerse\n"
    "\n"
    "From: Mar\xc3\xad" "a (vecina@masto.example), on mastodon\n"
    "Date: 2026-11-28T09:14:03Z\n"
    "Link: https://masto.example/@vecina/1\n"
    "Classification: complaint, waste, urgency normal, sentiment negative\n"
    "Priority: 2\n"
    "Message: mastodon:ayto:1";

static void
test_all_three(void **unused)
{
	struct run r;
	json_t *rec, *req, *form, *want;
	struct sm_mail m;
	char *raw, *env, *body;

	NEED_SERVERS();
	rec = record("mastodon:ayto:1", "limpieza", "La basura de la calle "
	    "Perdomo lleva 3 días sin recogerse");
	run_open(&r);
	assert_delivery(&r, "limpieza", rec, 0,
	    "[\"email\",\"webhook\",\"open311\"]|[]|[]|S-2|0");
	assert_reported("");

	/* the e-mail, as the SMTP server got it */
	assert_int_equal(mails(), 1);
	raw = tl_read(pathf("%s/mail/1.eml", smtp_dir));
	env = tl_read(pathf("%s/mail/1.env", smtp_dir));
	assert_string_equal(env, "from atencion@ayto.example\n"
	    "to limpieza@ayto.example\nto jefa@ayto.example\n");
	assert_non_null(strstr(raw, "\r\nFrom: =?UTF-8?Q?Atenci=C3=B3n_"
	    "Ciudadana?= <atencion@ayto.example>\r\n"));
	assert_non_null(strstr(raw, "\r\nTo: <limpieza@ayto.example>,\r\n"
	    " Jefa de Limpieza <jefa@ayto.example>\r\n"));
	assert_non_null(strstr(raw, "\r\nSubject: =?UTF-8?Q?=5B2026-000123=5D_"
	    "Limpieza_Viaria_=28Secci=C3=B3n_Norte?=\r\n"
	    " =?UTF-8?Q?=29=3A_waste?=\r\n"));
	assert_non_null(strstr(raw, "\r\nMessage-ID: <sm.mastodon=3Aayto=3A1."
	    "limpieza.email@ayto.example>\r\n"));
	assert_non_null(strstr(raw, "\r\nAuto-Submitted: auto-generated\r\n"));
	assert_non_null(strstr(raw, "\r\nContent-Type: text/plain; "
	    "charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"
	    "\r\n"));
	assert_non_null(strstr(raw, "\r\nLa basura de la calle Perdomo lleva 3 "
	    "d=C3=ADas sin recogerse\r\n"));
	assert_int_equal(sm_mime_parse(&m, raw, strlen(raw)), 0);
	assert_string_equal(m.subject, "[2026-000123] Limpieza Viaria "
	    "(Sección Norte): waste");
	assert_string_equal(m.from_name, "Atención Ciudadana");
	assert_string_equal(m.body, expected_body);
	sm_mime_free(&m);
	free(raw);
	free(env);

	/* the webhook: the record itself */
	assert_int_equal(posts(), 2);
	req = stored(1);
	body = json_dumps(rec, JSON_COMPACT);
	assert_string_equal(json_string_value(json_object_get(req, "body")),
	    body);
	free(body);
	assert_string_equal(json_string_value(json_object_get(req, "path")),
	    "/hook/limpieza");
	want = json_pack("{s:s, s:s, s:s}", "content-type", "application/json",
	    "idempotency-key", "limpieza/webhook/mastodon:ayto:1",
	    "user-agent", "sm/" SM_VERSION);
	assert_true(json_equal(json_object_get(req, "headers"), want));
	json_decref(want);
	json_decref(req);

	/* Open311: the form, with no contact of the citizen */
	req = stored(2);
	assert_string_equal(json_string_value(json_object_get(req, "path")),
	    "/v2/requests.json");
	form = json_object_get(req, "form");
	want = json_pack("{s:s, s:s, s:s, s:s, s:s}", "api_key", "test-key",
	    "service_code", "001", "jurisdiction_id", "ayto.example",
	    "address_string", "Plaza Mayor 1, Villanueva",
	    "description", "[2026-000123] La basura de la calle Perdomo lleva "
	    "3 días sin recogerse");
	assert_true(json_equal(form, want));
	json_decref(want);
	json_decref(req);

	/* again, in this run and the next: nothing sent twice */
	assert_delivery(&r, "limpieza", rec, 0,
	    "[\"email\",\"webhook\",\"open311\"]|[]|[]|S-2|0");
	run_close(&r);
	run_open(&r);
	assert_int_equal(retry(&r, 0, NULL), 0);
	assert_delivery(&r, "limpieza", rec, 0,
	    "[\"email\",\"webhook\",\"open311\"]|[]|[]|S-2|0");
	assert_int_equal(mails(), 1);
	assert_int_equal(posts(), 2);
	/* a queue with nothing to deliver */
	assert_delivery(&r, "nowhere", rec, 0, "[]|[]|[]|-|0");
	assert_int_equal(sm_deliver_count(r.d, "limpieza"), 3);
	assert_int_equal(sm_deliver_count(r.d, "nowhere"), 0);
	run_close(&r);
	json_decref(rec);
}

static void
test_webhook_template(void **unused)
{
	struct run r;
	json_t *rec, *req, *body;

	NEED_SERVERS();
	rec = record("mastodon:ayto:2", "chat", "Dice \"ya\"\ny se va \\ á");
	run_open(&r);
	assert_delivery(&r, "chat", rec, 0, "[\"mattermost\"]|[]|[]|-|0");
	req = stored(1);
	assert_string_equal(json_string_value(json_object_get(req, "path")),
	    "/hook/chat");
	body = json_loads(json_string_value(json_object_get(req, "body")), 0,
	    NULL);
	assert_non_null(body);
	assert_string_equal(json_string_value(json_object_get(body, "text")),
	    "2026-000123: Dice \"ya\"\ny se va \\ á");
	json_decref(body);
	json_decref(req);
	run_close(&r);
	json_decref(rec);
}

static void
test_open311_contact_token(void **unused)
{
	struct run r;
	json_t *rec, *req, *want;

	NEED_SERVERS();
	rec = record("email:buzon:3", "contacto", "Farola apagada");
	json_object_set_new(rec, "platform", json_string("email"));
	json_object_set_new(json_object_get(rec, "author"), "handle",
	    json_string("maria@correo.example"));
	fault(http_dir, "token\n");
	run_open(&r);
	assert_delivery(&r, "contacto", rec, 0, "[\"open311\"]|[]|[]|T-1|0");
	req = stored(1);
	want = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "api_key",
	    "test-key", "service_code", "009", "description", "Farola apagada",
	    "address_string", "Limpieza Viaria (Sección Norte)",
	    "first_name", "María", "email", "maria@correo.example");
	assert_true(json_equal(json_object_get(req, "form"), want));
	json_decref(want);
	json_decref(req);
	/* the token is kept with the delivery */
	run_close(&r);
	run_open(&r);
	assert_delivery(&r, "contacto", rec, 0, "[\"open311\"]|[]|[]|T-1|0");
	run_close(&r);
	json_decref(rec);
}

static void
test_500_then_ok(void **unused)
{
	struct run r;
	json_t *rec;
	char *log;

	NEED_SERVERS();
	rec = record("mastodon:ayto:4", "hooks", "hola");
	fault(http_dir, "500\n");
	run_open(&r);
	assert_delivery(&r, "hooks", rec, 0, "[\"webhook\"]|[]|[]|-|0");
	assert_reported("");
	log = tl_read(pathf("%s/requests.log", http_dir));
	assert_string_equal(log, "POST /hook/hooks\nPOST /hook/hooks\n");
	free(log);
	assert_int_equal(posts(), 1);
	run_close(&r);
	json_decref(rec);
}

static void
test_500_pending_then_retry(void **unused)
{
	struct sm_deliver_counts c;
	struct run r;
	json_t *rec, *req;
	char *body;

	NEED_SERVERS();
	rec = record("mastodon:ayto:5", "hooks", "hola");
	fault(http_dir, "500\n500\n500\n");
	run_open(&r);
	assert_delivery(&r, "hooks", rec, 0, "[]|[\"webhook\"]|[]|-|75");
	assert_reported("75 hooks/webhook: mastodon:ayto:5: HTTP 500 (after 3 "
	    "tries); kept for the next run\n");
	assert_int_equal(posts(), 0);
	run_close(&r);

	/* a dry run sends nothing */
	run_open(&r);
	assert_int_equal(retry(&r, 1, &c), 1);
	assert_int_equal(c.pending, 1);
	assert_int_equal(posts(), 0);
	/* the next run sends what was kept */
	assert_int_equal(retry(&r, 0, &c), 0);
	assert_int_equal(c.delivered, 1);
	assert_int_equal(c.pending, 0);
	assert_int_equal(posts(), 1);
	req = stored(1);
	body = json_dumps(rec, JSON_COMPACT);
	assert_string_equal(json_string_value(json_object_get(req, "body")),
	    body);
	free(body);
	json_decref(req);
	assert_int_equal(retry(&r, 0, &c), 0);
	assert_int_equal(c.delivered, 0);
	assert_delivery(&r, "hooks", rec, 0, "[\"webhook\"]|[]|[]|-|0");
	assert_int_equal(posts(), 1);
	run_close(&r);
	json_decref(rec);
}

static void
test_timeout(void **unused)
{
	struct sm_deliver_counts c;
	struct run r;
	json_t *rec;

	NEED_SERVERS();
	rec = record("mastodon:ayto:6", "chat", "hola");
	fault(http_dir, "stall 3\n");
	run_open(&r);
	assert_delivery(&r, "chat", rec, 0, "[]|[\"mattermost\"]|[]|-|75");
	assert_report_like("75 chat/mattermost: mastodon:ayto:6: Operation "
	    "timed out after ", " milliseconds with 0 bytes received (after 1 "
	    "try); kept for the next run");
	assert_int_equal(retry(&r, 0, &c), 0);
	assert_int_equal(c.delivered, 1);
	assert_int_equal(posts(), 1);
	run_close(&r);
	json_decref(rec);
}

static void
test_refused_then_up(void **unused)
{
	struct sm_deliver_counts c;
	struct run r;
	json_t *rec;
	char extra[512], d2[300];
	int port = free_port();

	NEED_SERVERS();
	snprintf(d2, sizeof(d2), "%s/later", dir);
	snprintf(extra, sizeof(extra),
	    "    later:\n"
	    "      deliver:\n"
	    "        - webhook:\n"
	    "            url: http://127.0.0.1:%d/hook/later\n"
	    "            retries: 1\n"
	    "            backoff: 0.01\n", port);
	write_config(smtp_port, extra);
	rec = record("mastodon:ayto:7", "later", "hola");
	run_open(&r);
	assert_delivery(&r, "later", rec, 0, "[]|[\"webhook\"]|[]|-|75");
	assert_report_like("75 later/webhook: mastodon:ayto:7: Failed to "
	    "connect to 127.0.0.1 port ", "(after 2 tries); kept for the next "
	    "run");
	assert_int_equal(retry(&r, 0, &c), 1);
	assert_int_equal(c.pending, 1);
	json_array_clear(reports);
	run_close(&r);

	/* the receiver is up for the next run */
	mkdir(d2, 0700);
	start("receiver", d2, port, &later_pid);
	run_open(&r);
	assert_int_equal(retry(&r, 0, &c), 0);
	assert_int_equal(c.delivered, 1);
	assert_reported("");
	assert_int_equal(count(pathf("%s/requests", d2), ".json"), 1);
	assert_delivery(&r, "later", rec, 0, "[\"webhook\"]|[]|[]|-|0");
	assert_int_equal(count(pathf("%s/requests", d2), ".json"), 1);
	run_close(&r);
	tl_unserve(&later_pid);
	json_decref(rec);
}

static void
test_open311_error(void **unused)
{
	struct sm_deliver_counts c;
	struct run r;
	json_t *rec;

	NEED_SERVERS();
	rec = record("mastodon:ayto:8", "contacto", "hola");
	fault(http_dir, "400\n");
	run_open(&r);
	assert_delivery(&r, "contacto", rec, 0, "[]|[\"open311\"]|[]|-|69");
	assert_reported("69 contacto/open311: mastodon:ayto:8: HTTP 400: "
	    "Invalid service_code; kept for the next run\n");
	assert_int_equal(retry(&r, 0, &c), 0);
	assert_int_equal(c.delivered, 1);
	assert_int_equal(posts(), 1);
	assert_delivery(&r, "contacto", rec, 0, "[\"open311\"]|[]|[]|S-1|0");
	run_close(&r);
	json_decref(rec);
}

static void
test_smtp_failures(void **unused)
{
	struct sm_deliver_counts c;
	struct run r;
	json_t *rec;
	char *raw;

	NEED_SERVERS();
	/* refused for the recipient: kept, then sent */
	rec = record("mastodon:ayto:9", "mail", "hola");
	fault(smtp_dir, "550\n451\n");
	run_open(&r);
	assert_delivery(&r, "mail", rec, 0, "[]|[\"email\"]|[]|-|69");
	assert_reported("69 mail/email: mastodon:ayto:9: SMTP 550: RCPT "
	    "failed: 550; kept for the next run\n");
	assert_int_equal(mails(), 0);
	/* 451 once: tried again at once (retries: 1) */
	assert_int_equal(retry(&r, 0, &c), 0);
	assert_reported("");
	assert_int_equal(c.delivered, 1);
	assert_int_equal(mails(), 1);
	raw = tl_read(pathf("%s/mail/1.eml", smtp_dir));
	assert_non_null(strstr(raw, "\r\nSubject: Caso 2026-000123\r\n"));
	assert_non_null(strstr(raw, "\r\nTo: <buzon@ayto.example>\r\n"));
	assert_non_null(strstr(raw, "\r\n\r\nhola\r\n"));
	free(raw);
	run_close(&r);
	json_decref(rec);

	/* no server at all */
	write_config(free_port(), NULL);
	rec = record("mastodon:ayto:10", "mail", "hola");
	run_open(&r);
	assert_delivery(&r, "mail", rec, 0, "[]|[\"email\"]|[]|-|75");
	assert_report_like("75 mail/email: mastodon:ayto:10: Failed to connect "
	    "to 127.0.0.1 port ", "(after 2 tries); kept for the next run");
	run_close(&r);
	json_decref(rec);
}

/* A child that delivers rec and is killed by a server mid-way. */
static void
killed_child(const char *server_dir, const char *queue, json_t *rec)
{
	pid_t pid;
	int status;

	fflush(NULL);
	if ((pid = fork()) == 0) {
		struct run r;
		struct sm_delivery out;
		struct sm_error err;

		tl_write(pathf("%s/pid", server_dir), pathf("%ld",
		    (long)getpid()));
		run_open(&r);
		sm_deliver_record(r.d, queue, rec, 0, &out, &err);
		_exit(0);	/* not reached: killed */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
}

static void
test_kill9_webhook(void **unused)
{
	struct sm_deliver_counts c;
	struct sm_error err;
	struct run r;
	json_t *rec;

	NEED_SERVERS();
	rec = record("mastodon:ayto:11", "hooks", "hola");
	fault(http_dir, "kill\n");
	killed_child(http_dir, "hooks", rec);
	assert_int_equal(posts(), 1);

	run_open(&r);
	/* reported once, never sent again */
	assert_int_equal(retry(&r, 0, &c), 0);
	assert_int_equal(c.unknown, 1);
	assert_report_like("69 hooks/webhook: mastodon:ayto:11: a send started "
	    "20", " was interrupted: whether it arrived is unknown; not sent "
	    "again until resolved");
	assert_delivery(&r, "hooks", rec, 0, "[]|[]|[\"webhook\"]|-|0");
	run_close(&r);
	run_open(&r);
	assert_int_equal(retry(&r, 0, &c), 0);
	assert_int_equal(c.unknown, 1);
	assert_reported("");
	assert_int_equal(posts(), 1);
	/* someone checked: it arrived */
	assert_int_equal(sm_deliver_resolve(r.d, "hooks", "webhook",
	    "mastodon:ayto:11", 1, &err), 0);
	assert_int_equal(sm_deliver_resolve(r.d, "hooks", "webhook",
	    "mastodon:ayto:11", 1, &err), -1);
	assert_string_equal(err.text, "hooks/webhook: mastodon:ayto:11: no "
	    "interrupted delivery to resolve");
	assert_delivery(&r, "hooks", rec, 0, "[\"webhook\"]|[]|[]|-|0");
	assert_int_equal(retry(&r, 0, &c), 0);
	assert_int_equal(c.unknown, 0);
	assert_int_equal(posts(), 1);
	run_close(&r);
	json_decref(rec);
}

static void
test_kill9_email(void **unused)
{
	struct sm_deliver_counts c;
	struct sm_error err;
	struct run r;
	json_t *rec;

	NEED_SERVERS();
	rec = record("mastodon:ayto:12", "mail", "hola");
	fault(smtp_dir, "kill\n");
	killed_child(smtp_dir, "mail", rec);
	assert_int_equal(mails(), 1);
	run_open(&r);
	assert_delivery(&r, "mail", rec, 0, "[]|[]|[\"email\"]|-|0");
	assert_int_equal(retry(&r, 0, &c), 0);
	assert_int_equal(c.unknown, 1);
	json_array_clear(reports);
	assert_int_equal(mails(), 1);
	/* someone checked: it did not arrive; the next run sends it */
	assert_int_equal(sm_deliver_resolve(r.d, "mail", "email",
	    "mastodon:ayto:12", 0, &err), 0);
	run_close(&r);
	run_open(&r);
	assert_int_equal(retry(&r, 0, &c), 0);
	assert_int_equal(c.delivered, 1);
	assert_int_equal(mails(), 2);
	assert_delivery(&r, "mail", rec, 0, "[\"email\"]|[]|[]|-|0");
	assert_int_equal(mails(), 2);
	run_close(&r);
	json_decref(rec);
}

static void
test_dry_run(void **unused)
{
	struct sm_deliver_counts c;
	struct run r;
	json_t *rec;

	NEED_SERVERS();
	rec = record("mastodon:ayto:13", "limpieza", "hola");
	run_open(&r);
	assert_delivery(&r, "limpieza", rec, 1, "[]|[]|[]|-|0");
	assert_int_equal(retry(&r, 1, &c), 0);
	assert_int_equal(mails(), 0);
	assert_int_equal(posts(), 0);
	assert_delivery(&r, "limpieza", rec, 0,
	    "[\"email\",\"webhook\",\"open311\"]|[]|[]|S-2|0");
	/* what was delivered shows in a dry run too */
	assert_delivery(&r, "limpieza", rec, 1,
	    "[\"email\",\"webhook\",\"open311\"]|[]|[]|S-2|0");
	run_close(&r);
	json_decref(rec);
}

/* Two runs at once over the same record: one sends it. */
static void
test_concurrent(void **unused)
{
	json_t *rec;
	pid_t pid[4];
	int i, status;

	NEED_SERVERS();
	rec = record("mastodon:ayto:14", "hooks", "hola");
	{
		struct run r;	/* the database made before the race */

		run_open(&r);
		run_close(&r);
	}
	fflush(NULL);
	for (i = 0; i < 4; i++)
		if ((pid[i] = fork()) == 0) {
			struct run r;
			char *s;

			run_open(&r);
			s = deliver(&r, "hooks", rec, 0);
			_exit(strcmp(s, "[\"webhook\"]|[]|[]|-|0") == 0 ? 0 :
			    strcmp(s, "[]|[]|[\"webhook\"]|-|0") == 0 ? 1 : 2);
		}
	for (i = 0; i < 4; i++) {
		assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
		assert_true(WIFEXITED(status));
		assert_true(WEXITSTATUS(status) < 2);
	}
	assert_int_equal(posts(), 1);
	json_decref(rec);
}

static void
test_no_id(void **unused)
{
	struct sm_delivery out;
	struct sm_error err;
	struct run r;
	json_t *rec;

	NEED_SERVERS();
	rec = record("x", "hooks", "hola");
	json_object_del(rec, "id");
	run_open(&r);
	assert_int_equal(sm_deliver_record(r.d, "hooks", rec, 0, &out, &err),
	    -1);
	assert_int_equal(out.status, EX_DATAERR);
	assert_string_equal(err.text, "a record without an id cannot be "
	    "delivered once: not delivered");
	sm_delivery_clear(&out);
	run_close(&r);
	json_decref(rec);
}

/* Configuration errors, each with its place. */
static void
test_config_errors(void **unused)
{
	static const char *const cases[][2] = {
		{ "route:\n  queues:\n    q:\n      deliver:\n        - email:\n"
		  "            to: a@b.example\n",
		  "sm.yaml:6:13: route.queues.q.deliver[0].email: e-mail needs "
		  "route.smtp (its url: and from:)" },
		{ "route:\n  smtp:\n    url: smtp://mail.example\n"
		  "    form: x@y.example\n",
		  "sm.yaml:4:11: unknown key 'form' in route.smtp (a typo of 'from'?)" },
		{ "route:\n  smtp:\n    url: smtps://mail.example:465\n"
		  "  queues:\n    q:\n      deliver:\n        - email:\n"
		  "            to: a@b.example\n",
		  "sm.yaml:8:13: route.queues.q.deliver[0].email: no from: here "
		  "or in route.smtp" },
		{ "route:\n  smtp:\n    from: a@b.example\n",
		  "sm.yaml:3:5: route.smtp: no url:" },
		{ "route:\n  smtp:\n    url: http://mail.example\n"
		  "    from: a@b.example\n",
		  "sm.yaml:3:10: route.smtp.url: 'http://mail.example' is not "
		  "an smtps or smtp URL" },
		{ "route:\n  smtp:\n    url: smtps://mail.example\n"
		  "    from: nobody\n",
		  "sm.yaml:4:11: route.smtp.from: 'nobody' is not an address "
		  "(user@host, or Name <user@host>)" },
		{ "route:\n  smtp:\n    url: smtps://mail.example\n"
		  "    from: a@b.example\n    user: u\n"
		  "    token_env: SM_TEST_UNSET_VARIABLE\n",
		  "sm.yaml:6:16: route.smtp: environment variable "
		  "SM_TEST_UNSET_VARIABLE is not set" },
		{ "route:\n  smtp:\n    url: smtps://mail.example\n"
		  "    from: a@b.example\n  queues:\n    q:\n      deliver:\n"
		  "        - email:\n            to: a@b.example\n"
		  "            subject: \"{{#route.case}}\"\n",
		  "sm.yaml:10:23: route.queues.q.deliver[0].email: section "
		  "'route.case' is never closed" },
		{ "route:\n  queues:\n    q:\n      deliver:\n"
		  "        - webhook:\n            url: http://chat.example/h\n",
		  "sm.yaml:6:18: route.queues.q.deliver[0].webhook.url: plain "
		  "http would send the messages in clear; use https" },
		{ "route:\n  queues:\n    q:\n      deliver:\n"
		  "        - webhook:\n            url_env: SM_TEST_BAD_URL\n",
		  "sm.yaml:6:22: route.queues.q.deliver[0].webhook.url_env: is "
		  "not an https or http URL" },
		{ "route:\n  queues:\n    q:\n      deliver:\n"
		  "        - webhook:\n            url: https://a.example/\n"
		  "        - webhook:\n            url: https://b.example/\n",
		  "sm.yaml:8:13: route.queues.q.deliver[1].webhook: a second "
		  "destination called 'webhook' in queue q (give it a name:)" },
		{ "route:\n  queues:\n    q:\n      deliver:\n"
		  "        - fax: {number: 1}\n",
		  "sm.yaml:5:16: route.queues.q.deliver[0]: unknown kind 'fax' "
		  "(email, webhook or open311)" },
		{ "route:\n  queues:\n    q:\n      deliver:\n"
		  "        - open311:\n            url: https://311.example/v2\n",
		  "sm.yaml:6:13: route.queues.q.deliver[0].open311: no "
		  "service_code: (the one for topics that service_codes does "
		  "not name)" },
		{ "route:\n  queues:\n    q:\n      deliver:\n"
		  "        - open311:\n            url: https://311.example/v2\n"
		  "            service_code: \"1\"\n            contact: yes\n",
		  "sm.yaml:8:22: route.queues.q.deliver[0].open311.contact: "
		  "expected true or false, got a string" },
		{ "route:\n  queues:\n    q:\n      deliver: {email: {}}\n",
		  "sm.yaml:4:16: route.queues.q.deliver: expected a list of "
		  "destinations, got a mapping" },
	};
	struct sm_deliver_options o = { .report = on_report };
	struct sm_config *cfg;
	struct sm_error err;
	char msg[2048], *at;
	size_t i;

	setenv("SM_TEST_BAD_URL", "ftp://secret.example/token", 1);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sm_deliver *d;

		tl_write(pathf("%s/sm.yaml", dir), cases[i][0]);
		cfg = sm_config_load(pathf("%s/sm.yaml", dir), &err);
		assert_non_null(cfg);
		d = sm_deliver_new(cfg, sm_config_section(cfg, "route"), NULL,
		    &o, &err);
		if (d != NULL)
			fail_msg("case %zu was accepted", i);
		sm_error_format(&err, msg, sizeof(msg));
		at = strstr(msg, "sm.yaml");
		assert_non_null(at);
		assert_string_equal(at, cases[i][1]);
		/* a webhook's URL is a secret */
		assert_null(strstr(msg, "secret.example"));
		sm_config_free(cfg);
	}
}

/* The example of sm.yaml(5)'s delivery subsection is a valid configuration. */
static void
test_man_example(void **unused)
{
	struct sm_deliver_options o = { .report = on_report };
	struct sm_config *cfg;
	struct sm_deliver *d;
	struct sm_error err;
	char *src = getenv("SM_SRC"), *man, *p, *e, msg[2048];

	man = tl_read(pathf("%s/man/sm.yaml.5", src ? src : "."));
	assert_non_null(man);
	p = strstr(man, ".Ss Delivery: route.smtp and deliver");
	assert_non_null(p);
	p = strstr(p, ".Bd -literal -offset indent\n");
	assert_non_null(p);
	p += strlen(".Bd -literal -offset indent\n");
	e = strstr(p, ".Ed\n");
	assert_non_null(e);
	*e = '\0';
	tl_write(pathf("%s/sm.yaml", dir), p);
	free(man);
	setenv("SM_SMTP_PASSWORD", "secret", 1);
	setenv("SM_LIMPIEZA_HOOK", "https://chat.ayto.example/hooks/x", 1);
	setenv("SM_OPEN311_KEY", "key", 1);
	cfg = sm_config_load(pathf("%s/sm.yaml", dir), &err);
	assert_non_null(cfg);
	d = sm_deliver_new(cfg, sm_config_section(cfg, "route"), NULL, &o,
	    &err);
	if (d == NULL) {
		sm_error_format(&err, msg, sizeof(msg));
		fail_msg("%s", msg);
	}
	assert_int_equal(sm_deliver_count(d, "limpieza"), 3);
	sm_deliver_free(d);
	sm_config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_all_three, setup),
		cmocka_unit_test_setup(test_webhook_template, setup),
		cmocka_unit_test_setup(test_open311_contact_token, setup),
		cmocka_unit_test_setup(test_500_then_ok, setup),
		cmocka_unit_test_setup(test_500_pending_then_retry, setup),
		cmocka_unit_test_setup(test_timeout, setup),
		cmocka_unit_test_setup(test_refused_then_up, setup),
		cmocka_unit_test_setup(test_open311_error, setup),
		cmocka_unit_test_setup(test_smtp_failures, setup),
		cmocka_unit_test_setup(test_kill9_webhook, setup),
		cmocka_unit_test_setup(test_kill9_email, setup),
		cmocka_unit_test_setup(test_dry_run, setup),
		cmocka_unit_test_setup(test_concurrent, setup),
		cmocka_unit_test_setup(test_no_id, setup),
		cmocka_unit_test_setup(test_config_errors, setup),
		cmocka_unit_test_setup(test_man_example, setup),
	};

	if (getenv("SM_TEST_ONLY"))
		cmocka_set_test_filter(getenv("SM_TEST_ONLY"));
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
