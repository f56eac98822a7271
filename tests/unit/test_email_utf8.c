/* test_email_utf8.c - an e-mail with raw 8-bit bytes in its header still
 * makes a whole record: every header string is UTF-8, and the record
 * always has its id.  email.c's helpers are static: it is included whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../lib/platform/email.c"

/* windows-1252 bytes (0xe9 is "é") where UTF-8 is due, and a NUL-free
 * byte that is not a character in any charset here (0xff) */
static const char raw8[] =
    "Message-ID: <caf\xe9-1@correo.example>\r\n"
    "From: Jos\xe9 P\xe9rez <jos\xe9@correo.example>\r\n"
    "In-Reply-To: <resp\xff" "1@villanueva.example>\r\n"
    "References: <a\xe9@x.example> <b\xff@y.example>\r\n"
    "Subject: Queja\r\n"
    "Date: Tue, 11 Mar 2025 10:02:11 +0100\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b\"\r\n"
    "\r\n"
    "--b\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "La farola no funciona.\r\n"
    "--b\r\n"
    "Content-Type: application/pdf\r\n"
    "Content-Disposition: attachment; filename=\"den\xfancia.pdf\"\r\n"
    "\r\n"
    "%PDF\r\n"
    "--b\r\n"
    "Content-Type: image/jpeg; name=foto\xff.jpg\r\n"
    "Content-Disposition: attachment; filename*=utf-8''foto%FF%E9.jpg\r\n"
    "\r\n"
    "xx\r\n"
    "--b--\r\n";

static void
assert_utf8(const char *s)
{
	assert_non_null(s);
	if (!sm_utf8_valid(s, strlen(s)))
		fail_msg("not UTF-8: %s", s);
}

static void
test_mime_header_strings_are_utf8(void **state)
{
	struct sm_mail m;

	(void)state;
	assert_int_equal(sm_mime_parse(&m, raw8, sizeof(raw8) - 1), 0);
	assert_utf8(m.message_id);
	assert_string_equal(m.message_id, "<caf\xc3\xa9-1@correo.example>");
	assert_utf8(m.from_addr);
	assert_string_equal(m.from_addr, "jos\xc3\xa9@correo.example");
	assert_utf8(m.from_name);
	assert_string_equal(m.from_name, "Jos\xc3\xa9 P\xc3\xa9rez");
	assert_utf8(m.in_reply_to);
	assert_int_equal(m.nreferences, 2);
	assert_utf8(m.references[0]);
	assert_utf8(m.references[1]);
	assert_int_equal(m.nattachments, 2);
	assert_utf8(m.attachments[0]);
	assert_string_equal(m.attachments[0], "den\xc3\xba" "ncia.pdf");
	assert_utf8(m.attachments[1]);
	assert_utf8(m.subject);
	assert_utf8(m.body);
	assert_utf8(m.text);
	sm_mime_free(&m);
}

struct fake {
	struct sm_job job;
	struct sm_account acct;
	struct sm_fetch_opts opts;
	struct imap imap;
	struct box box;
};

static void
fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->acct.name = "ayto";
	f->acct.platform = sm_platform_find("email");
	assert_non_null(f->acct.platform);
	f->job.acct = &f->acct;
	f->job.opts = &f->opts;
	f->job.priv = &f->imap;
	f->imap.domain = "villanueva.example";
	f->box.name = "INBOX";
	f->box.stream = "uid";
}

static void
test_record_whole(void **state)
{
	struct fake f;
	struct sm_mail m;
	json_t *rec;

	(void)state;
	fake_init(&f);
	sm_mime_parse(&m, raw8, sizeof(raw8) - 1);
	rec = normalize(&f.job, &f.box, &m, 1741600000ULL, 1042, "", raw8,
	    sizeof(raw8) - 1);
	assert_string_equal(sm_json_str(rec, "id"),
	    "email:ayto:<caf\xc3\xa9-1@correo.example>");
	assert_string_equal(json_string_value(sm_record_get(rec,
	    "author.id")), "jos\xc3\xa9@correo.example");
	assert_non_null(json_object_get(rec, "thread"));
	assert_true(json_is_string(sm_record_get(rec, "thread.in_reply_to")));
	assert_non_null(json_object_get(rec, "email"));
	assert_int_equal(json_array_size(sm_record_get(rec,
	    "email.attachments")), 2);
	json_decref(rec);
	sm_mime_free(&m);
}

/* a Message-ID that cannot be one (here, not UTF-8: as mime.c made it
 * before) gives way to the mailbox's UIDVALIDITY:UID */
static void
test_record_id_without_message_id(void **state)
{
	struct fake f;
	struct sm_mail m = { 0 };
	json_t *rec;

	(void)state;
	fake_init(&f);
	m.message_id = xstrdup("<caf\xe9@x>");
	m.body = xstrdup("");
	m.text = xstrdup("");
	rec = normalize(&f.job, &f.box, &m, 1741600000ULL, 1042, "", "", 0);
	assert_string_equal(sm_json_str(rec, "id"),
	    "email:ayto:1741600000:1042");
	json_decref(rec);
	free(m.message_id);
	m.message_id = NULL;
	rec = normalize(&f.job, &f.box, &m, 1741600000ULL, 1043, "", "", 0);
	assert_string_equal(sm_json_str(rec, "id"),
	    "email:ayto:1741600000:1043");
	json_decref(rec);
	sm_mime_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mime_header_strings_are_utf8),
		cmocka_unit_test(test_record_whole),
		cmocka_unit_test(test_record_id_without_message_id),
	};

	return cmocka_run_group_tests_name("email_utf8", tests, NULL, NULL);
}
