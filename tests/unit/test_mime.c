/* test_mime.c - e-mail messages to what sm needs of them */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sm/charset.h"
#include "sm/encword.h"
#include "sm/mime.h"

/*
 * Parses msg, written with "\n", as an IMAP server would give it: with
 * CRLF line ends, in an exact-size buffer so that the sanitizer sees
 * over-reads.
 */
static int
parse_crlf(struct sm_mail *m, const char *msg, int crlf)
{
	size_t n = strlen(msg), i, k = 0;
	char *buf = malloc(2 * n + 1);
	int rc;

	assert_non_null(buf);
	for (i = 0; i < n; i++) {
		if (crlf && msg[i] == '\n')
			buf[k++] = '\r';
		buf[k++] = msg[i];
	}
	buf = realloc(buf, k ? k : 1);
	assert_non_null(buf);
	rc = sm_mime_parse(m, buf, k);
	free(buf);
	return rc;
}

static int
parse(struct sm_mail *m, const char *msg)
{
	return parse_crlf(m, msg, 1);
}

#define assert_str(got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	if (g_ == NULL || strcmp(g_, w_) != 0) { \
		print_error("%s:%d: got \"%s\"\nwant \"%s\"\n", __FILE__, \
		    __LINE__, g_ ? g_ : "(null)", w_); \
		fail(); \
	} \
} while (0)

static void
test_plain_qp(void **state)
{
	struct sm_mail m;

	(void)state;
	assert_int_equal(parse(&m,
	    "Return-Path: <ana@correo.example>\n"
	    "Received: from mx.correo.example\n"
	    "\tby mail.example; Tue, 11 Mar 2025 10:02:17 +0100\n"
	    "Date: Tue, 11 Mar 2025 10:02:11 +0100\n"
	    "From: =?UTF-8?Q?Ana_Bel=C3=A9n?= <Ana@Correo.EXAMPLE>\n"
	    "Subject: =?UTF-8?Q?Licencia_de_obra:_=C2=BFqu=C3=A9_hac?=\n"
	    " =?UTF-8?Q?e_falta=3F?=\n"
	    "Message-ID: <abc.123@correo.example>\n"
	    "Content-Language: es-ES\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=\"UTF-8\"\n"
	    "Content-Transfer-Encoding: quoted-printable\n"
	    "\n"
	    "Buenos d=C3=ADas:\n"
	    "\n"
	    "Quiero cambiar la ba=C3=B1era y cu=C3=\n"
	    "=A1nto tarda, a =3D b=20\n"
	    "\n"), 0);
	assert_str(m.message_id, "<abc.123@correo.example>");
	assert_str(m.from_addr, "Ana@correo.example");
	assert_str(m.from_name, "Ana Bel\xc3\xa9n");
	assert_str(m.subject, "Licencia de obra: \xc2\xbfqu\xc3\xa9 hace "
	    "falta?");
	assert_str(m.date, "2025-03-11T09:02:11Z");
	assert_str(m.language, "es-ES");
	assert_null(m.in_reply_to);
	assert_int_equal(m.nreferences, 0);
	assert_str(m.body, "Buenos d\xc3\xad" "as:\n\nQuiero cambiar la "
	    "ba\xc3\xb1" "era y cu\xc3\xa1nto tarda, a = b");
	assert_str(m.text, m.body);
	assert_int_equal(m.from_html, 0);
	assert_int_equal(m.nattachments, 0);
	sm_mime_free(&m);
}

static void
test_alternative(void **state)
{
	struct sm_mail m;
	static const char *alt =
	    "From: \"Carmen Ruiz\" <carmen@correo.example>\n"
	    "Subject: =?UTF-8?B?QmFzdXJhIPCfmKE=?=\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: multipart/alternative; boundary=\"b1_8d\"\n"
	    "\n"
	    "This is a multi-part message in MIME format.\n"
	    "--b1_8d\n"
	    "Content-Type: text/plain; charset=UTF-8\n"
	    "Content-Transfer-Encoding: quoted-printable\n"
	    "\n"
	    "Hola: la basura =F0=9F=98=A1\n"
	    "\n"
	    "--b1_8d\n"
	    "Content-Type: text/html; charset=UTF-8\n"
	    "Content-Transfer-Encoding: base64\n"
	    "\n"
	    /* <p>Hola: <b>la basura</b> &aacute;</p> */
	    "PHA+SG9sYTogPGI+bGEgYmFzdXJhPC9iPiAmYWFjdXRlOzwvcD4=\n"
	    "--b1_8d--\n"
	    "epilogue\n";

	(void)state;
	parse(&m, alt);
	assert_str(m.from_name, "Carmen Ruiz");
	assert_str(m.subject, "Basura \xf0\x9f\x98\xa1");
	assert_null(m.date);
	assert_null(m.message_id);
	assert_str(m.body, "Hola: la basura \xf0\x9f\x98\xa1");
	assert_int_equal(m.from_html, 0);
	sm_mime_free(&m);

	/* the HTML alone */
	parse(&m,
	    "From: x@y.example\n"
	    "Content-Type: multipart/alternative; boundary=b\n"
	    "\n"
	    "--b\n"
	    "Content-Type: text/html; charset=UTF-8\n"
	    "Content-Transfer-Encoding: base64\n"
	    "\n"
	    "PHA+SG9sYTogPGI+bGEgYmFzdXJhPC9iPiAmYWFjdXRlOzwvcD4=\n"
	    "--b--\n");
	assert_str(m.body, "Hola: la basura \xc3\xa1");
	assert_int_equal(m.from_html, 1);
	sm_mime_free(&m);

	/* an empty text/plain gives way to the HTML */
	parse(&m,
	    "Content-Type: multipart/alternative; boundary=b\n"
	    "\n"
	    "--b\n"
	    "Content-Type: text/plain\n"
	    "\n"
	    " \n"
	    "--b\n"
	    "Content-Type: text/html\n"
	    "\n"
	    "<div>Hola<br>adi&oacute;s</div>\n"
	    "--b--\n");
	assert_str(m.body, "Hola\nadi\xc3\xb3s");
	assert_int_equal(m.from_html, 1);
	sm_mime_free(&m);
}

static void
test_html_latin1_is_cp1252(void **state)
{
	struct sm_mail m;

	(void)state;
	parse(&m,
	    "Date: Tue, 11 Mar 2025 04:12:55 +0000\n"
	    "From: =?iso-8859-1?Q?Loter=EDa?= <premios@spam.example>\n"
	    "To: undisclosed-recipients:;\n"
	    "Subject: =?iso-8859-1?Q?=A1Ha_ganado_5.000_=80?=\n"
	    "Content-Type: text/html; charset=\"iso-8859-1\"\n"
	    "Content-Transfer-Encoding: quoted-printable\n"
	    "\n"
	    "<html><body><h1>=A1Enhorabuena!</h1><p>5.000 =80. Reclame =\n"
	    "<a href=3D\"https://x.example/\">aqu=ED</a>=\n"
	    ".</p></body></html>\n");
	assert_str(m.from_name, "Loter\xc3\xad" "a");
	assert_str(m.subject, "\xc2\xa1Ha ganado 5.000 \xe2\x82\xac");
	assert_str(m.date, "2025-03-11T04:12:55Z");
	assert_str(m.body, "\xc2\xa1" "Enhorabuena!\n\n5.000 \xe2\x82\xac. "
	    "Reclame aqu\xc3\xad.");
	assert_int_equal(m.from_html, 1);
	sm_mime_free(&m);
}

/*
 * HTML without a charset in its Content-Type: the charset of its meta
 * element, and C1 characters read as windows-1252 where the charset is a
 * guess or cannot have them
 */
static void
test_html_meta_charset(void **state)
{
	struct sm_mail m;

	(void)state;
	/* <meta charset> */
	parse(&m, "Content-Type: text/html\n\n"
	    "<html><head><meta charset=\"windows-1252\"></head><body>"
	    "<p>Gane 1.000 \x80 al d\xed" "a</p></body></html>\n");
	assert_str(m.body, "Gane 1.000 \xe2\x82\xac al d\xc3\xad" "a");
	sm_mime_free(&m);
	/* <meta http-equiv content="...; charset=..."> says koi8-r */
	parse(&m, "Content-Type: text/html\n\n"
	    "<html><head><META HTTP-EQUIV=\"Content-Type\" "
	    "CONTENT=\"text/html; charset=koi8-r\"></head><body>"
	    "\xf0\xd2\xc9\xd7\xc5\xd4</body></html>\n");
	assert_str(m.body, "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5"
	    "\xd1\x82");
	sm_mime_free(&m);
	/* the Content-Type's charset comes first */
	parse(&m, "Content-Type: text/html; charset=utf-8\n\n"
	    "<meta charset=iso-8859-1><p>\xc3\xb1</p>\n");
	assert_str(m.body, "\xc3\xb1");
	sm_mime_free(&m);
	/* no charset anywhere, and C1 characters in valid UTF-8 (windows-1252
	 * once taken for latin-1): the charset was a guess, so they are read
	 * as windows-1252 */
	parse(&m, "Content-Type: text/html\n\n"
	    "<p>5 \xc2\x80 y \xc2\x93ya\xc2\x94 \xc3\xb1</p>\n");
	assert_str(m.body, "5 \xe2\x82\xac y \xe2\x80\x9cya\xe2\x80\x9d "
	    "\xc3\xb1");
	sm_mime_free(&m);
	/* a charset without C1 characters (iso-8859-15) on windows-1252
	 * bytes: the euro sign is 0x80 */
	parse(&m, "Content-Type: text/plain; charset=iso-8859-15\n\n"
	    "1.000 \x80 y \xa4\n");
	assert_str(m.body, "1.000 \xe2\x82\xac y \xe2\x82\xac");
	sm_mime_free(&m);
}

static void
test_reply_flowed(void **state)
{
	struct sm_mail m;

	(void)state;
	parse(&m,
	    "Date: Tue, 11 Mar 2025 11:48:02 +0100\n"
	    "From: =?UTF-8?Q?Jos=C3=A9_L=C3=B3pez?= <jose@correo.example>\n"
	    "Subject: Re: [Incidencia 2025/0398]\n"
	    "In-Reply-To: <inc-2025-0398.1741600000@villanueva.example>\n"
	    "References: <farola@correo.example>\n"
	    "   <inc-2025-0398.1741600000@villanueva.example>\n"
	    "Message-ID: <b7e2@correo.example>\n"
	    "Content-Type: text/plain; charset=UTF-8; format=flowed\n"
	    "Content-Transfer-Encoding: 8bit\n"
	    "\n"
	    "Gracias por la respuesta, pero la farola \n"
	    "sigue apagada \xf0\x9f\x94\xa6\n"
	    " From here on, space-stuffed.\n"
	    "\n"
	    "El 10/03/2025 a las 12:05, Atenci\xc3\xb3n Ciudadana "
	    "escribi\xc3\xb3:\n"
	    "> Hemos registrado su aviso con el \n"
	    "> n\xc3\xbamero 2025/0398.\n"
	    ">> older\n"
	    "\n"
	    "-- \n"
	    "Jos\xc3\xa9\n");
	assert_str(m.in_reply_to, "<inc-2025-0398.1741600000@villanueva."
	    "example>");
	assert_int_equal(m.nreferences, 2);
	assert_str(m.references[0], "<farola@correo.example>");
	assert_str(m.references[1], "<inc-2025-0398.1741600000@villanueva."
	    "example>");
	assert_str(m.body, "Gracias por la respuesta, pero la farola sigue "
	    "apagada \xf0\x9f\x94\xa6\nFrom here on, space-stuffed.\n\n"
	    "El 10/03/2025 a las 12:05, Atenci\xc3\xb3n Ciudadana escribi"
	    "\xc3\xb3:\n> Hemos registrado su aviso con el n\xc3\xbamero "
	    "2025/0398.\n>> older\n\n-- \nJos\xc3\xa9");
	assert_str(m.text, "Gracias por la respuesta, pero la farola sigue "
	    "apagada \xf0\x9f\x94\xa6\nFrom here on, space-stuffed.");
	sm_mime_free(&m);

	/* delsp=yes joins without the space */
	parse(&m,
	    "Content-Type: text/plain; format=flowed; delsp=yes\n"
	    "\n"
	    "pala \n"
	    "bra\n");
	assert_str(m.body, "palabra");
	sm_mime_free(&m);
}

static void
test_attachments(void **state)
{
	struct sm_mail m;

	(void)state;
	parse(&m,
	    "From: Vecino <v@x.example>\n"
	    "Content-Type: multipart/mixed; boundary=\"=_outer\"\n"
	    "\n"
	    "--=_outer\n"
	    "Content-Type: multipart/alternative; boundary=inner\n"
	    "\n"
	    "--inner\n"
	    "Content-Type: text/plain; charset=windows-1252\n"
	    "Content-Transfer-Encoding: base64\n"
	    "\n"
	    "RmFyb2xhIHJvdGEgk2hveZQ=\n"
	    "--inner\n"
	    "Content-Type: text/html\n"
	    "\n"
	    "<p>no</p>\n"
	    "--inner--\n"
	    "--=_outer\n"
	    "Content-Type: image/jpeg; name=\"foto.jpg\"\n"
	    "Content-Disposition: attachment; filename=\"foto farola.jpg\"\n"
	    "Content-Transfer-Encoding: base64\n"
	    "\n"
	    "/9j/4AAQSkZJRgABAQ==\n"
	    "--=_outer\n"
	    "Content-Type: application/pdf\n"
	    "Content-Disposition: attachment;\n"
	    " filename*=UTF-8''denuncia%20n%C2%BA%201.pdf\n"
	    "\n"
	    "JVBERi0=\n"
	    "--=_outer\n"
	    "Content-Type: text/plain; name=\"=?UTF-8?Q?notas_=C3=B1.txt?=\"\n"
	    "Content-Disposition: attachment\n"
	    "\n"
	    "not the body\n"
	    "--=_outer\n"
	    "Content-Type: image/png; name=logo.png\n"
	    "Content-Disposition: inline; filename=logo.png\n"
	    "Content-ID: <logo@x>\n"
	    "\n"
	    "iVBORw0KGgo=\n"
	    "--=_outer\n"
	    "Content-Type: application/octet-stream\n"
	    "\n"
	    "xx\n"
	    "--=_outer--\n");
	assert_str(m.body, "Farola rota \xe2\x80\x9choy\xe2\x80\x9d");
	assert_int_equal(m.nattachments, 4);
	assert_str(m.attachments[0], "foto farola.jpg");
	assert_str(m.attachments[1], "denuncia n\xc2\xba 1.pdf");
	assert_str(m.attachments[2], "notas \xc3\xb1.txt");
	assert_str(m.attachments[3], "");
	sm_mime_free(&m);
}

static void
test_charsets(void **state)
{
	struct sm_buf b = { 0 };

	(void)state;
#define CONV(cs, in, want) do { \
	sm_buf_reset(&b); \
	sm_charset_to_utf8(&b, cs, in, sizeof(in) - 1); \
	assert_str(b.data, want); \
} while (0)
	CONV("ISO-8859-1", "a\xe1\x80", "a\xc3\xa1\xe2\x82\xac");
	CONV("latin1", "\xf1", "\xc3\xb1");
	CONV("windows-1252", "\x93x\x94\x81", "\xe2\x80\x9cx\xe2\x80\x9d"
	    "\xef\xbf\xbd");
	CONV("iso-8859-15", "\xa4", "\xe2\x82\xac");
	CONV("koi8-r", "\xf0\xd2\xc9\xd7\xc5\xd4", "\xd0\x9f\xd1\x80\xd0\xb8"
	    "\xd0\xb2\xd0\xb5\xd1\x82");
	CONV("UTF-16LE", "h\0\xf1\0", "h\xc3\xb1");
	CONV("utf-8", "ok \xc3\xb1 \xff", "ok \xc3\xb1 \xef\xbf\xbd");
	/* labelled UTF-8 with no valid sequence: latin-1 really */
	CONV("utf-8", "espa\xf1" "a", "espa\xc3\xb1" "a");
	/* no charset, an unknown one, us-ascii with 8-bit bytes */
	CONV(NULL, "\xc3\xb1", "\xc3\xb1");
	CONV("", "\xf1", "\xc3\xb1");
	CONV("x-no-such-charset", "\xf1", "\xc3\xb1");
	CONV("us-ascii", "\xf1", "\xc3\xb1");
	CONV("a-charset-name-much-too-long-to-be-one-that-anybody-uses-at-all"
	    "-xx", "a", "a");
	/* bytes iconv cannot convert, NUL, a sequence cut off at the end */
	CONV("shift_jis", "a\x82\xa0z", "a\xe3\x81\x82z");
	CONV("shift_jis", "a\xff" "b", "a\xef\xbf\xbd" "b");
	CONV("koi8-r", "a\0b", "a\xef\xbf\xbd" "b");
	CONV("UTF-16LE", "h\0x", "h\xef\xbf\xbd");
	CONV("latin1", "", "");
#undef CONV
	sm_buf_free(&b);
}

static void
test_decode_header(void **state)
{
	(void)state;
#define HDR(in, want) do { \
	char *g = sm_encword_decode_header(in, strlen(in)); \
	assert_str(g, want); \
	free(g); \
} while (0)
	HDR("plain text", "plain text");
	HDR("  folded\r\n   value\t ", "folded value");
	HDR("=?utf-8?q?caf=C3=A9?= =?UTF-8?Q?_con_leche?=",
	    "caf\xc3\xa9 con leche");
	HDR("Re: =?UTF-8?Q?caf=C3=A9?= y m\xc3\xa1s",
	    "Re: caf\xc3\xa9 y m\xc3\xa1s");
	/* a character split between two encoded-words */
	HDR("=?UTF-8?B?Y2Fmww==?= =?UTF-8?B?qQ==?=", "caf\xc3\xa9");
	HDR("=?UTF-8?Q?a=C3?=\r\n =?UTF-8?Q?=B1b?=", "a\xc3\xb1" "b");
	/* different charsets side by side */
	HDR("=?ISO-8859-1?Q?=F1?= =?UTF-8?Q?=C3=B1?=", "\xc3\xb1\xc3\xb1");
	/* RFC 2231 language, lower-case encoding letter */
	HDR("=?UTF-8*es?b?w7E=?=", "\xc3\xb1");
	/* raw 8-bit: UTF-8 if it is, windows-1252 if not */
	HDR("Se\xc3\xb1or", "Se\xc3\xb1or");
	HDR("Se\xf1or \x80", "Se\xc3\xb1or \xe2\x82\xac");
	/* not encoded-words: kept */
	HDR("=?UTF-8?X?abc?=", "=?UTF-8?X?abc?=");
	HDR("=?UTF-8?Q?abc", "=?UTF-8?Q?abc");
	HDR("=?UTF-8?Q?a b?=", "=?UTF-8?Q?a b?=");
	HDR("a=?b", "a=?b");
	HDR("=?", "=?");
	/* an encoded new line or NUL is a space */
	HDR("=?UTF-8?Q?a=0Ab=00c?=", "a b\xef\xbf\xbd" "c");
	HDR("=?UTF-8?Q?=ZZ_=?=", "=ZZ");
	HDR("", "");
	/* unknown charset */
	HDR("=?x-unknown?Q?=F1?=", "\xc3\xb1");
#undef HDR
}

static void
test_from(void **state)
{
	static const struct {
		const char *from, *addr, *name;
	} t[] = {
		{ "user@example.org", "user@example.org", NULL },
		{ "<user@Example.ORG>", "user@example.org", NULL },
		{ "User Name <user@example.org>", "user@example.org",
		    "User Name" },
		{ "\"P\xc3\xa9rez, Juan\" <jp@x.example>", "jp@x.example",
		    "P\xc3\xa9rez, Juan" },
		{ "\"Say \\\"hi\\\"\" <a@b.example>", "a@b.example",
		    "Say \"hi\"" },
		{ "a@b.example (Juana la Loca)", "a@b.example",
		    "Juana la Loca" },
		{ "Juana (la) <a@b.example>", "a@b.example", "Juana" },
		{ "\"=?UTF-8?Q?Jos=C3=A9?=\" <j@x.example>", "j@x.example",
		    "Jos\xc3\xa9" },
		{ "A <a@x.example>, B <b@x.example>", "a@x.example", "A" },
		{ "\"\" <a@x.example>", "a@x.example", NULL },
		{ "Mar\xed" "a <m@x.example>", "m@x.example", "Mar\xc3\xad" "a" },
		{ "<>", NULL, NULL },
		{ "Sin cierre <a@x.example", "a@x.example", "Sin cierre" },
	};
	size_t i;
	char msg[256];
	struct sm_mail m;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(msg, sizeof(msg), "From: %s\n\nx\n", t[i].from);
		parse(&m, msg);
		if (t[i].addr)
			assert_str(m.from_addr, t[i].addr);
		else
			assert_null(m.from_addr);
		if (t[i].name)
			assert_str(m.from_name, t[i].name);
		else
			assert_null(m.from_name);
		sm_mime_free(&m);
	}
}

static void
test_ids(void **state)
{
	struct sm_mail m;

	(void)state;
	parse(&m,
	    "Message-ID:\n <a.b@c.example> (comment)\n"
	    "In-Reply-To: <x@y.example> (Juan's message of Monday)\n"
	    "References: <1@a.example>,<2@a.example>\t<bad id> <3@a.example>\n"
	    "\n");
	assert_str(m.message_id, "<a.b@c.example>");
	assert_str(m.in_reply_to, "<x@y.example>");
	assert_int_equal(m.nreferences, 3);
	assert_str(m.references[2], "<3@a.example>");
	assert_str(m.body, "");
	assert_str(m.text, "");
	sm_mime_free(&m);
	/* without brackets */
	parse(&m, "Message-ID: bare@id.example\nIn-Reply-To: nothing\n\n");
	assert_str(m.message_id, "<bare@id.example>");
	assert_null(m.in_reply_to);
	sm_mime_free(&m);
}

static void
test_dates(void **state)
{
	static const struct {
		const char *in, *want;
	} t[] = {
		{ "Tue, 11 Mar 2025 10:02:11 +0100", "2025-03-11T09:02:11Z" },
		{ "Tue, 11 Mar 2025 10:02:11 +0100 (CET)",
		    "2025-03-11T09:02:11Z" },
		{ "11 Mar 2025 10:02:11 -0000", "2025-03-11T10:02:11Z" },
		{ "Tue,  1 Mar 2025 00:30 +0200", "2025-02-28T22:30:00Z" },
		{ "Wed, 31 Dec 2025 23:59:59 -0500", "2026-01-01T04:59:59Z" },
		{ "Tue, 11 Mar 25 10:02:11 GMT", "2025-03-11T10:02:11Z" },
		{ "Tue, 11 Mar 99 10:02:11 GMT", "1999-03-11T10:02:11Z" },
		{ "Tue, 11 Mar 125 10:02:11 GMT", "2025-03-11T10:02:11Z" },
		{ "Tue, 11 mar 2025 10:02:11 EST", "2025-03-11T15:02:11Z" },
		{ "Tue, 11 Mar 2025 10:02:11 CEST", "2025-03-11T08:02:11Z" },
		{ "Tue, 11 Mar 2025 10:02:11 UT", "2025-03-11T10:02:11Z" },
		{ "Tue, 11 Mar 2025 10:02:11", "2025-03-11T10:02:11Z" },
		{ "Tue, 11 Mar 2025 10:02:11 GMT+0100", "2025-03-11T09:02:11Z" },
		{ "Tue, 11 Mar 2025 10:02:11 +01:00", "2025-03-11T09:02:11Z" },
		{ "Tue, 11 Mar 2025 10:02:11 +0000 (GMT)",
		    "2025-03-11T10:02:11Z" },
		{ "Tue, 11 March 2025 10.02.11 +0100", "2025-03-11T09:02:11Z" },
		{ "Tue, 11 Mar 2025 2:05:00 PM +0000", "2025-03-11T14:05:00Z" },
		{ "Tue, 11 Mar 2025 12:05:00 AM +0000", "2025-03-11T00:05:00Z" },
		{ "Tue Mar 11 10:02:11 2025", "2025-03-11T10:02:11Z" },
		{ "2025-03-11T10:02:11.305Z", "2025-03-11T10:02:11Z" },
		{ "2025-03-11 10:02:11 -05:00", "2025-03-11T15:02:11Z" },
		{ "11 Mar 2025", "2025-03-11T00:00:00Z" },
		{ "11-Mar-2025 10:02:17 +0100", "2025-03-11T09:02:17Z" },
		{ " 1-Mar-2025 00:02:17 +0100", "2025-02-28T23:02:17Z" },
		{ "Sat, 29 Feb 2024 23:00:60 -0100", "2024-03-01T00:00:59Z" },
		{ "Thu, 1 Jan 1970 00:00:00 +0100", "1969-12-31T23:00:00Z" },
		{ "Mon, 1 Jan 1900 00:00:00 +0000", "1900-01-01T00:00:00Z" },
	};
	static const char *const bad[] = {
		"", "yesterday", "Tue, 30 Feb 2025 10:00:00 +0000",
		"Tue, 11 Foo 2025 10:00:00", "Tue, 11 Mar 2025 25:00:00",
		"Tue, 11 Mar 2025 10:61:00", "Tue, 11 Mar 2025 10:00 +2400",
		"Tue, 11 Mar 1800 10:00:00", "Tue, 11 Mar 2025 10:00 +123456",
		"11/03/2025", "2025-03", "Mar 2025", "99999999999999 Mar 2025",
	};
	char out[SM_MIME_DATE_SIZE];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(out, 0, sizeof(out));
		if (sm_mime_date(t[i].in, out) != 0) {
			print_error("date \"%s\" not read\n", t[i].in);
			fail();
		}
		assert_str(out, t[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sm_mime_date(bad[i], out) == 0) {
			print_error("date \"%s\" read as %s\n", bad[i], out);
			fail();
		}
	assert_int_equal(sm_mime_date(NULL, out), -1);
}

static void
test_malformed(void **state)
{
	struct sm_mail m;

	(void)state;
	/* missing closing boundary */
	parse(&m, "Content-Type: multipart/mixed; boundary=zz\n\n"
	    "--zz\nContent-Type: text/plain\n\ncut off here");
	assert_str(m.body, "cut off here");
	sm_mime_free(&m);
	/* a boundary that never comes */
	parse(&m, "Content-Type: multipart/mixed; boundary=zz\n\ntext\n");
	assert_str(m.body, "");
	sm_mime_free(&m);
	/* multipart without a boundary: read as text */
	parse(&m, "Content-Type: multipart/mixed\n\nplain\n");
	assert_str(m.body, "plain");
	sm_mime_free(&m);
	/* bad base64: what can be read is */
	parse(&m, "Content-Transfer-Encoding: base64\n\nSG9s!!YQ=\n==*SGk\n");
	assert_str(m.body, "HolaHi");
	sm_mime_free(&m);
	parse(&m, "Content-Transfer-Encoding: base64\n\n\xff\xfe###\n");
	assert_str(m.body, "");
	sm_mime_free(&m);
	/* said base64 but written as text: kept as the text it is */
	parse(&m, "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: base64\n\n"
	    "Hola, la farola de la calle Mayor sigue apagada desde el lunes.\n"
	    "\xc2\xbfPueden mirarlo? Gracias.\n");
	assert_str(m.body, "Hola, la farola de la calle Mayor sigue apagada "
	    "desde el lunes.\n\xc2\xbfPueden mirarlo? Gracias.");
	sm_mime_free(&m);
	parse(&m, "Content-Type: text/html; charset=windows-1252\n"
	    "Content-Transfer-Encoding: base64\n\n"
	    "<p>El contenedor de la calle Olmo est\xe1 roto</p>\n");
	assert_str(m.body, "El contenedor de la calle Olmo est\xc3\xa1 roto");
	sm_mime_free(&m);
	/* ... but base64 with a few stray characters is base64 */
	parse(&m, "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: base64\n\n"
	    "SG9sYSwgbGEgZmFyb2xh IGRlIGxhIGNhbGxlIE1heW9y\n"
	    "IHNpZ3VlIGFwYWdhZGEu*\n");
	assert_str(m.body, "Hola, la farola de la calle Mayor sigue apagada.");
	sm_mime_free(&m);
	/* ... and Latin-1 text in base64 too */
	parse(&m, "Content-Type: text/plain; charset=iso-8859-1\n"
	    "Content-Transfer-Encoding: base64\n\n"
	    "TGEgZmFyb2xhIGRlIGxhIGNhbGxlIE1heW9yIHNpZ3VlIGFwYWdhZGEuIL9QdWVkZW4/\n");
	assert_str(m.body, "La farola de la calle Mayor sigue apagada. "
	    "\xc2\xbfPueden?");
	sm_mime_free(&m);
	/* bad quoted-printable */
	parse(&m, "Content-Transfer-Encoding: quoted-printable\n\n"
	    "a=ZZb=4\n=3");
	assert_str(m.body, "a=ZZb=4\n=3");
	sm_mime_free(&m);
	parse(&m, "Content-Transfer-Encoding: Quoted-Printable\n\nend=");
	assert_str(m.body, "end");
	sm_mime_free(&m);
	/* a header line without a colon ends the header */
	parse(&m, "Subject: s\nnot a header\nFrom: a@b.example\n\nbody\n");
	assert_str(m.subject, "s");
	assert_null(m.from_addr);
	assert_str(m.body, "not a header\nFrom: a@b.example\n\nbody");
	sm_mime_free(&m);
	/* ... but not before the first field (an mbox From line) */
	assert_int_equal(parse(&m, "From ana@x Tue Mar 11 10:02:11 2025\n"
	    "Subject: s\n\nbody\n"), 0);
	assert_str(m.subject, "s");
	assert_str(m.body, "body");
	sm_mime_free(&m);
	/* 8-bit in headers */
	parse(&m, "Subject: Se\xf1or alcalde\nFrom: Jos\xc3\xa9 <j@x>\n\nb\n");
	assert_str(m.subject, "Se\xc3\xb1or alcalde");
	assert_str(m.from_name, "Jos\xc3\xa9");
	sm_mime_free(&m);
	/* not a message at all */
	assert_int_equal(parse(&m, "just some text\nand more\n"), -1);
	assert_str(m.body, "just some text\nand more");
	sm_mime_free(&m);
	assert_int_equal(parse(&m, ""), -1);
	assert_str(m.body, "");
	assert_str(m.text, "");
	sm_mime_free(&m);
	/* a header and no body, no final line end */
	assert_int_equal(parse(&m, "Subject: only"), 0);
	assert_str(m.subject, "only");
	assert_str(m.body, "");
	sm_mime_free(&m);
	/* LF line ends, a field with an empty name, continuation first */
	parse_crlf(&m, " cont\n: empty\nSubject:\n  lf\n\nbody\r\n", 0);
	assert_str(m.subject, "lf");
	assert_str(m.body, "body");
	sm_mime_free(&m);
	/* NUL in the body */
	{
		static const char msg[] = "Subject: n\r\n\r\na\0b";

		sm_mime_parse(&m, msg, sizeof(msg) - 1);
		assert_str(m.body, "a\xef\xbf\xbd" "b");
		sm_mime_free(&m);
	}
	/* an empty subject and an unreadable date are NULL */
	parse(&m, "Subject:   \nDate: someday\n\nx");
	assert_null(m.subject);
	assert_null(m.date);
	sm_mime_free(&m);
}

static void
test_huge_and_deep(void **state)
{
	size_t n = 4 << 20, i, k;
	char *msg = malloc(n), *p;
	struct sm_mail m;

	(void)state;
	assert_non_null(msg);
	/* a 4 MB line, in the header and in the body */
	memcpy(msg, "Subject: ", 9);
	memset(msg + 9, 'x', n - 9);
	msg[n / 2] = '\n';
	msg[n / 2 + 1] = '\n';
	sm_mime_parse(&m, msg, n);
	assert_int_equal(strlen(m.subject), n / 2 - 9);
	assert_int_equal(strlen(m.body), n - n / 2 - 2);
	sm_mime_free(&m);
	/* multiparts nested deeper than we go */
	p = msg;
	for (i = 0; i < 200; i++)
		p += sprintf(p, "Content-Type: multipart/mixed; boundary=b%zu"
		    "\n\n--b%zu\n", i, i);
	p += sprintf(p, "\ndeep\n");
	k = (size_t)(p - msg);
	sm_mime_parse(&m, msg, k);
	assert_str(m.body, "");
	sm_mime_free(&m);
	/* many small parts */
	p = msg;
	p += sprintf(p, "Content-Type: multipart/mixed; boundary=b\n\n");
	for (i = 0; i < 10000; i++)
		p += sprintf(p, "--b\nContent-Type: image/png\n\nx\n");
	sm_mime_parse(&m, msg, (size_t)(p - msg));
	assert_int_equal(m.nattachments, 10000);
	sm_mime_free(&m);
	/* a subject of ten thousand encoded-words */
	p = msg;
	p += sprintf(p, "Subject:");
	for (i = 0; i < 10000; i++)
		p += sprintf(p, " =?UTF-8?B?w7E=?=");
	p += sprintf(p, "\n\n");
	sm_mime_parse(&m, msg, (size_t)(p - msg));
	assert_int_equal(strlen(m.subject), 20000);
	sm_mime_free(&m);
	free(msg);
}

/* The messages in tests/fixtures/email, which the connector tests deliver. */
static void
parse_file(struct sm_mail *m, const char *name)
{
	const char *src = getenv("SM_SRC");
	char path[4096];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/tests/fixtures/email/%s",
	    src ? src : ".", name);
	f = fopen(path, "rb");
	if (f == NULL) {
		print_error("%s: cannot open\n", path);
		fail();
	}
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	assert_int_equal(sm_mime_parse(m, buf, (size_t)n), 0);
	free(buf);
}

static void
test_fixture_files(void **state)
{
	struct sm_mail m;

	(void)state;
	parse_file(&m, "plain-qp.eml");
	assert_str(m.from_name, "Luc\xc3\xad" "a Mart\xc3\xadn");
	assert_str(m.subject, "Contenedor roto en la calle Olmo n.\xc2\xba 5");
	assert_str(m.date, "2025-03-12T08:30:00Z");
	assert_str(m.text, "El contenedor amarillo de la calle Olmo tiene la "
	    "tapa rota y el viento est\xc3\xa1 esparciendo los pl\xc3\xa1sticos."
	    "\n\nGracias.");
	sm_mime_free(&m);

	parse_file(&m, "alternative.eml");
	assert_str(m.date, "2025-03-12T16:05:00Z");
	assert_str(m.body, "Buenas tardes,\n\nEl parque infantil de la Alameda "
	    "tiene un columpio suelto \xe2\x80\x93 es peligroso.");
	assert_int_equal(m.from_html, 0);
	sm_mime_free(&m);

	parse_file(&m, "reply-quoted.eml");
	assert_str(m.in_reply_to, "<inc-2025-0420.1741800000@villanueva."
	    "example>");
	assert_str(m.references[0], "<CAPedro+001@mail.correo.example>");
	assert_str(m.text, "Gracias, ya lo han arreglado esta ma\xc3\xb1" "ana.");
	assert_non_null(strstr(m.body, "\n>\n> Atenci\xc3\xb3n Ciudadana"));
	sm_mime_free(&m);

	parse_file(&m, "spam-latin1.eml");
	assert_str(m.from_name, "Oferta \xc3\x9anica");
	assert_str(m.subject, "Gane 1.000 \xe2\x82\xac al d\xc3\xad" "a");
	assert_str(m.text, "\xc2\xa1" "Gane 1.000 \xe2\x82\xac al d\xc3\xad"
	    "a!\n\nPulse aqu\xc3\xad.");
	assert_int_equal(m.from_html, 1);
	sm_mime_free(&m);

	parse_file(&m, "attachment.eml");
	assert_str(m.from_addr, "vecina@correo.example");
	assert_str(m.from_name, "Rosa Gil");
	assert_str(m.text, "Adjunto foto del bache de la calle Real. "
	    "Reparaci\xc3\xb3n urgente, por favor.");
	assert_int_equal(m.nattachments, 1);
	assert_str(m.attachments[0], "bache.jpg");
	sm_mime_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_qp),
		cmocka_unit_test(test_alternative),
		cmocka_unit_test(test_html_latin1_is_cp1252),
		cmocka_unit_test(test_html_meta_charset),
		cmocka_unit_test(test_reply_flowed),
		cmocka_unit_test(test_attachments),
		cmocka_unit_test(test_charsets),
		cmocka_unit_test(test_decode_header),
		cmocka_unit_test(test_from),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_huge_and_deep),
		cmocka_unit_test(test_fixture_files),
	};

	return cmocka_run_group_tests_name("mime", tests, NULL, NULL);
}
