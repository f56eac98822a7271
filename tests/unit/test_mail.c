/* test_mail.c - composing an e-mail: headers, encoded-words, QP body;
 * read back with mime.c, the parser sm-fetch uses */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sm/mail.h"
#include "sm/mime.h"

static void
test_compose_exact(void **unused)
{
	const char *to[] = { "limpieza@ayto.example",
	    "\"Jefa, Limpieza\" <jefa@ayto.example>", NULL };
	const char *refs[] = { "<a@x.example>", "<b@x.example>", NULL };
	struct sm_mail_msg m = {
		.from = "Atención Ciudadana <atencion@ayto.example>",
		.to = to,
		.subject = "[2026-000123] waste",
		.message_id = "<sm.1@ayto.example>",
		.in_reply_to = "<b@x.example>",
		.references = refs,
		.date = 1796058843,
		.auto_submitted = "auto-generated",
		.body = "Línea uno\nx = 1 \n",
	};
	struct sm_buf b = { 0 };
	struct sm_error err;

	assert_int_equal(sm_mail_compose(&m, &b, &err), 0);
	assert_string_equal(b.data,
	    "Date: Mon, 30 Nov 2026 17:14:03 +0000\r\n"
	    "From: =?UTF-8?Q?Atenci=C3=B3n_Ciudadana?= <atencion@ayto.example>\r\n"
	    "To: <limpieza@ayto.example>,\r\n"
	    " \"Jefa, Limpieza\" <jefa@ayto.example>\r\n"
	    "Subject: [2026-000123] waste\r\n"
	    "Message-ID: <sm.1@ayto.example>\r\n"
	    "In-Reply-To: <b@x.example>\r\n"
	    "References: <a@x.example>\r\n <b@x.example>\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "\r\n"
	    "L=C3=ADnea uno\r\n"
	    "x =3D 1=20\r\n");
	sm_buf_free(&b);
}

/* What the composer writes, the parser of sm-fetch reads back the same. */
static void
test_round_trip(void **unused)
{
	const char *to[] = { "limpieza@ayto.example", NULL };
	struct sm_buf body = { 0 }, b = { 0 }, subj = { 0 };
	struct sm_mail_msg m = {
		.from = "Atención Ciudadana <atencion@ayto.example>",
		.to = to,
	};
	struct sm_mail mail;
	struct sm_error err;
	const char *p, *line;
	int i;

	sm_buf_adds(&subj, "[2026-000123] Basura sin recoger en la calle "
	    "Perdomo — Servicio de Limpieza «urgente» ñandú 😀 ");
	for (i = 0; i < 3; i++)
		sm_buf_adds(&subj, "más texto para que haga falta partir ");
	sm_buf_adds(&subj, "fin");
	m.subject = subj.data;
	for (i = 0; i < 40; i++)
		sm_buf_adds(&body, "áéíóú ñ € 😀 = ");
	sm_buf_adds(&body, "\n.\n. una línea con punto\nfin   \n\ttab\n");
	m.body = body.data;
	assert_int_equal(sm_mail_compose(&m, &b, &err), 0);
	/* no line longer than 78 (76 in the body), every one ends in CRLF */
	for (p = line = b.data; *p; p++)
		if (*p == '\n') {
			assert_true(p > line && p[-1] == '\r');
			assert_true(p - line - 1 <= 76);
			line = p + 1;
		}
	assert_ptr_equal(line, p);
	for (p = b.data; *p; p++)
		assert_true((unsigned char)*p < 0x80);
	assert_int_equal(sm_mime_parse(&mail, b.data, b.len), 0);
	assert_string_equal(mail.subject, subj.data);
	assert_string_equal(mail.from_name, "Atención Ciudadana");
	assert_string_equal(mail.from_addr, "atencion@ayto.example");
	/* the parser drops the last line end */
	body.data[--body.len] = '\0';
	assert_string_equal(mail.body, body.data);
	assert_non_null(mail.message_id);
	assert_non_null(strstr(mail.message_id, "@ayto.example>"));
	sm_mime_free(&mail);
	sm_buf_free(&b);
	sm_buf_free(&body);
	sm_buf_free(&subj);
}

/* A line end in a subject (a citizen's words) cannot add a header. */
static void
test_no_injection(void **unused)
{
	const char *to[] = { "a@b.example", NULL };
	struct sm_mail_msg m = {
		.from = "a@b.example", .to = to,
		.subject = "hola\r\nBcc: victima@x.example\n\nbody",
		.message_id = "<1@b.example>", .date = 1,
		.body = "",
	};
	struct sm_buf b = { 0 };
	struct sm_error err;

	assert_int_equal(sm_mail_compose(&m, &b, &err), 0);
	assert_non_null(strstr(b.data, "Subject: hola  Bcc: victima@x.example"
	    "  body\r\n"));
	assert_null(strstr(b.data, "\nBcc"));
	sm_buf_free(&b);
}

static void
test_encoded_words(void **unused)
{
	struct sm_buf b = { 0 };
	const char *p, *w;
	int i;

	for (i = 0; i < 30; i++)
		sm_buf_adds(&b, "€");
	{
		struct sm_buf out = { 0 };

		sm_mail_encode_words(&out, b.data);
		/* each word at most 75 characters, never half a character */
		for (p = out.data; (w = strstr(p, "=?UTF-8?Q?")) != NULL;
		    p = w + 2) {
			const char *e = strstr(w + 10, "?=");

			assert_non_null(e);
			assert_true(e + 2 - w <= 75);
			assert_int_equal((e - w - 10) % 9, 0);
			w = e;
		}
		sm_buf_free(&out);
	}
	sm_buf_free(&b);
}

static void
test_addresses(void **unused)
{
	const char *bad[] = { "", "nobody", "a@", "@b", "a b@c.example",
	    "a@b@c", "Name <a@b.example", "Name <>", "x <a,b@c>",
	    "Name\n <a@b.example>", "á@b.example", NULL };
	const char *to[] = { "a@b.example", NULL };
	struct sm_mail_msg m = { .from = "x@y.example", .to = to,
	    .subject = "s", .body = "b", .message_id = "<no id>" };
	struct sm_buf b = { 0 };
	struct sm_error err;
	char *spec;
	int i;

	for (i = 0; bad[i]; i++)
		assert_int_equal(sm_mail_address(bad[i], NULL, &err), -1);
	assert_int_equal(sm_mail_address(" \"A \\\"B\\\"\" <a@b.example> ",
	    &spec, &err), 0);
	assert_string_equal(spec, "a@b.example");
	free(spec);
	assert_int_equal(sm_mail_compose(&m, &b, &err), -1);
	assert_string_equal(err.text, "Message-ID: '<no id>' is not a message "
	    "id (<id@host>)");
	m.message_id = NULL;
	m.to = NULL;
	assert_int_equal(sm_mail_compose(&m, &b, &err), -1);
	assert_string_equal(err.text, "no To: address");
	sm_buf_free(&b);
}

static void
test_qp(void **unused)
{
	struct sm_buf b = { 0 };
	char line[200];

	memset(line, 'a', 100);
	line[100] = '\0';
	sm_mail_encode_qp(&b, line);
	assert_string_equal(b.data, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=\r\n"
	    "aaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
	sm_buf_reset(&b);
	/* exactly 76 fits with no soft break */
	memset(line, 'b', 76);
	line[76] = '\0';
	sm_mail_encode_qp(&b, line);
	assert_int_equal(b.len, 78);
	sm_buf_reset(&b);
	sm_mail_encode_qp(&b, "a\r\nb\rc \t\n");
	assert_string_equal(b.data, "a\r\nb\r\nc =09\r\n");
	sm_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compose_exact),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_no_injection),
		cmocka_unit_test(test_encoded_words),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_qp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
