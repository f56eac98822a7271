/* test_html.c - HTML to plain text, and HTML entities */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sm/html.h"

/* Converts an exact-size copy of s, so that the sanitizer sees over-reads. */
static void
check(char *(*fn)(const char *, size_t), const char *fname, const char *in,
    size_t n, const char *want)
{
	char *copy = malloc(n ? n : 1), *got;

	assert_non_null(copy);
	memcpy(copy, in, n);
	got = fn(copy, n);
	free(copy);
	assert_non_null(got);
	if (strcmp(got, want) != 0) {
		print_error("%s(\"%.*s\")\n got \"%s\"\nwant \"%s\"\n", fname,
		    (int)n, in, got, want);
		free(got);
		fail();
	}
	free(got);
}

#define TEXT(in, want) check(sm_html_to_text, "to_text", in, strlen(in), want)
#define TEXTN(in, n, want) check(sm_html_to_text, "to_text", in, n, want)
#define UNESC(in, want) \
	check(sm_html_unescape, "unescape", in, strlen(in), want)

static void
test_tags_stripped(void **state)
{
	(void)state;
	TEXT("", "");
	TEXT("hola", "hola");
	TEXT("<b>hola</b> <i>mundo</i>", "hola mundo");
	TEXT("<SPAN Class=x>ho</SPAN>la", "hola");
	TEXT("<p>@<span>aytovillanueva</span></p>", "@aytovillanueva");
	TEXT("a<o:p></o:p>b", "ab");
	TEXT("<img src=x>", "");
	TEXT("<img src=\"e.png\" alt=\"&#x1F600;\"> ok",
	    "\xf0\x9f\x98\x80 ok");
	TEXT("<input value='a>b'>c", "c");
}

static void
test_whitespace(void **state)
{
	(void)state;
	TEXT("  a \t\r\n  b  ", "a b");
	TEXT("<p>\n  una\n  frase\n</p>\n", "una frase");
	TEXT("a<b> </b> b", "a b");
	TEXT("a&nbsp;&nbsp;b", "a\xc2\xa0\xc2\xa0" "b");
	TEXT("<pre>  x\n    y\r\n</pre>z", "x\n    y\n\nz");
	TEXT("<pre>a\n\n\n\nb</pre>", "a\n\nb");
}

static void
test_breaks(void **state)
{
	(void)state;
	TEXT("a<br>b", "a\nb");
	TEXT("a<br/>b<br />c<BR>d", "a\nb\nc\nd");
	TEXT("a<br><br>b", "a\n\nb");
	TEXT("a<br><br><br><br>b", "a\n\nb");
	TEXT("<p>a</p><p>b</p>", "a\n\nb");
	TEXT("<p>a<br></p><p>b</p>", "a\n\nb");
	TEXT("<br><br><p>a</p><br>", "a");
	TEXT("a  <br>  b", "a\nb");
	TEXT("<div>a</div><div>b</div>", "a\nb");
	TEXT("<div>a</div><div><br></div><div>b</div>", "a\n\nb");
	TEXT("<ul><li>uno</li><li>dos</li></ul>fin", "uno\ndos\nfin");
	TEXT("<h1>T</h1>texto", "T\n\ntexto");
	TEXT("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>",
	    "a b\nc");
	TEXT("a</br>b", "a\nb");
	TEXT("x<hr>y", "x\ny");
}

static void
test_entities_named(void **state)
{
	(void)state;
	TEXT("&amp; &lt; &gt; &quot; &apos;", "& < > \" '");
	TEXT("&gt;:( &lt;3", ">:( <3");
	TEXT("M&aacute;s &ntilde; &Ntilde; &ccedil; &uuml; &iquest;&iexcl;",
	    "M\xc3\xa1s \xc3\xb1 \xc3\x91 \xc3\xa7 \xc3\xbc \xc2\xbf\xc2\xa1");
	TEXT("5&euro;&hellip;&mdash;&ndash;&laquo;&raquo;",
	    "5\xe2\x82\xac\xe2\x80\xa6\xe2\x80\x94\xe2\x80\x93\xc2\xab\xc2\xbb");
	TEXT("&lsquo;&rsquo;&ldquo;&rdquo;&bull;&trade;&copy;&reg;&middot;",
	    "\xe2\x80\x98\xe2\x80\x99\xe2\x80\x9c\xe2\x80\x9d\xe2\x80\xa2"
	    "\xe2\x84\xa2\xc2\xa9\xc2\xae\xc2\xb7");
	TEXT("&ordm; &ordf; &deg;", "\xc2\xba \xc2\xaa \xc2\xb0");
	/* HTML5-only names, and one with two code points */
	TEXT("&check; &NotEqualTilde;", "\xe2\x9c\x93 \xe2\x89\x82\xcc\xb8");
	/* case matters */
	TEXT("&AMP; &Aacute; &AACUTE;", "& \xc3\x81 &AACUTE;");
	UNESC("&amp;&lt;&gt;", "&<>");
}

static void
test_entities_numeric(void **state)
{
	(void)state;
	TEXT("&#225;&#xE1;&#XE1;&#x1f600;", "\xc3\xa1\xc3\xa1\xc3\xa1"
	    "\xf0\x9f\x98\x80");
	TEXT("&#0065;&#x0041;", "AA");
	/* invalid code points */
	TEXT("a&#0;b", "a\xef\xbf\xbd" "b");
	TEXT("&#xD800;", "\xef\xbf\xbd");
	TEXT("&#x110000;", "\xef\xbf\xbd");
	TEXT("&#99999999999999999999;", "\xef\xbf\xbd");
	TEXT("&#1;", "\xef\xbf\xbd");
	/* windows-1252 in the C1 range, as browsers do */
	TEXT("&#128;&#150;&#x92;&#129;", "\xe2\x82\xac\xe2\x80\x93"
	    "\xe2\x80\x99\xef\xbf\xbd");
	/* a numeric space is white space */
	TEXT("a&#32;&#32;b&#10;c", "a b c");
	/* no digits: not a reference */
	TEXT("&#; &#x; &#xg;", "&#; &#x; &#xg;");
	/* without ';' */
	TEXT("&#65 &#x42", "A B");
}

static void
test_entities_malformed(void **state)
{
	(void)state;
	TEXT("a & b", "a & b");
	TEXT("AT&T", "AT&T");
	TEXT("&nosuch; &", "&nosuch; &");
	TEXT("&amp", "&");
	TEXTN("x&am", 4, "x&am");
	TEXTN("x&", 2, "x&");
	TEXTN("x&#", 3, "x&#");
	TEXTN("x&#x", 4, "x&#x");
	/* legacy names work without ';', the longest that matches */
	TEXT("&copy 2025 &ntildeo", "\xc2\xa9 2025 \xc3\xb1o");
	TEXT("&notit;", "\xc2\xacit;");
	/* ... newer ones do not */
	TEXT("&hellip.", "&hellip.");
	/* too long to be a name */
	TEXT("&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;",
	    "&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;");
}

static void
test_hidden_content(void **state)
{
	(void)state;
	TEXT("a<script>var x = '<p>no</p>';</script>b", "ab");
	TEXT("a<SCRIPT type=x>if (a</b) x();</SCRIPT >b", "ab");
	TEXT("<style>p { color: red }</style><p>hola</p>", "hola");
	TEXT("<html><head><title>T</title><meta charset=utf-8></head>"
	    "<body>cuerpo</body></html>", "cuerpo");
	TEXT("a<!-- <b>comentario</b> -->b", "ab");
	TEXT("a<!---->b<!-->c", "abc");
	TEXT("<!DOCTYPE html>a<?xml version=\"1.0\"?>b<![CDATA[x]]>c", "abc");
	TEXT("<!--[if mso]><p>outlook</p><![endif]-->ok", "ok");
	/* never closed: dropped to the end */
	TEXT("a<script>b", "a");
	TEXT("a<!-- b", "a");
	TEXT("a<style>b</styles>c", "a");
}

static void
test_mastodon(void **state)
{
	(void)state;
	/* from ../shared/fixtures/mastodon: the link is its href */
	TEXT("<p><span class=\"h-card\" translate=\"no\"><a href=\"https://"
	    "mastodon.example/@aytovillanueva\" class=\"u-url mention\">@<span>"
	    "aytovillanueva</span></a></span> Hola, \xc2\xbfqu\xc3\xa9 "
	    "documentos necesito? He visto <a href=\"https://www.villanueva."
	    "example/sede/padron?tipo=alta&amp;idioma=es\" target=\"_blank\" "
	    "rel=\"nofollow noopener\" translate=\"no\"><span class=\"invisible"
	    "\">https://www.</span><span class=\"ellipsis\">villanueva.example"
	    "/sede/padron</span><span class=\"invisible\">?tipo=alta&amp;"
	    "idioma=es</span></a> pero no me queda claro.<br />Gracias "
	    "\xf0\x9f\x99\x8f</p>",
	    "@aytovillanueva Hola, \xc2\xbfqu\xc3\xa9 documentos necesito? He "
	    "visto https://www.villanueva.example/sede/padron?tipo=alta&"
	    "idioma=es pero no me queda claro.\nGracias \xf0\x9f\x99\x8f");
	TEXT("<p><span class=\"h-card\" translate=\"no\"><a href=\"https://"
	    "mastodon.example/@aytovillanueva\" class=\"u-url mention\">@<span>"
	    "aytovillanueva</span></a></span> Llevan 4 d\xc3\xad" "as sin "
	    "recoger la basura.</p><p>\xc2\xbf" "Cu\xc3\xa1ndo? <a href=\"https:"
	    "//mastodon.example/tags/basura\" class=\"mention hashtag\" rel="
	    "\"tag\">#<span>basura</span></a></p>",
	    "@aytovillanueva Llevan 4 d\xc3\xad" "as sin recoger la basura.\n\n"
	    "\xc2\xbf" "Cu\xc3\xa1ndo? #basura");
	TEXT("<p>\xc2\xa1" "Es la tercera vez! &gt;:( &lt;3 &amp; C\xc3\xad" "a."
	    "</p>", "\xc2\xa1" "Es la tercera vez! >:( <3 & C\xc3\xad" "a.");
	/* the link at the start, at the end, and unclosed */
	TEXT("<a href=\"https://x.example/a\"><span class=\"invisible\">https://"
	    "</span><span class=\"ellipsis\">x.example</span></a>.",
	    "https://x.example/a.");
	TEXT("ver <a href=\"https://x.example/&copy=1\"><span class=\"invisible"
	    "\">https://</span>x.example/", "ver https://x.example/&copy=1");
	/* an ordinary link keeps its text */
	TEXT("<a href=\"https://x.example/\">la web</a>", "la web");
	/* a class that only contains the word is not the word */
	TEXT("<a href=\"https://x.example/\"><span class=\"invisibles\">a</span>"
	    "</a>", "a");
	/* a link inside a link ends the first */
	TEXT("<a href=\"h1\"><span class=ellipsis>u1</span><a href=\"h2\">t2</a>",
	    "h1t2");
}

static void
test_x_unescape(void **state)
{
	(void)state;
	/* X sends text escaped for & < > but with real new lines */
	UNESC("@AytoVillanueva otra vez &gt;:(\n\nGracias &amp; saludos",
	    "@AytoVillanueva otra vez >:(\n\nGracias & saludos");
	UNESC("  <b>kept</b>  ", "  <b>kept</b>  ");
	UNESC("", "");
	UNESC("a &amp b &#", "a & b &#");
	check(sm_html_unescape, "unescape", "a\0b\xff", 4,
	    "a\xef\xbf\xbd" "b\xef\xbf\xbd");
}

static void
test_malformed(void **state)
{
	(void)state;
	TEXT("a < b > c", "a < b > c");
	TEXT("<3 <-- <=", "<3 <-- <=");
	TEXTN("a<", 2, "a<");
	TEXTN("a</", 3, "a</");
	TEXT("a</>b", "ab");
	TEXT("a</ b>c", "ac");
	TEXT("hola <b", "hola");
	TEXT("hola <a href=\"x", "hola");
	TEXT("hola <a href='x'", "hola");
	TEXT("<p>sin cerrar<p>otro", "sin cerrar\n\notro");
	TEXT("<b><i>mal</b></i> anidado", "mal anidado");
	TEXT("<div <p>a", "a");
	TEXT("<a href=x title=\"y>z\">t</a>", "t");
	TEXT("<a\nhref\n=\n\"u\"\n>t</a\n>", "t");
	TEXT("<p =x>a</p>", "a");
	TEXT("<verylongtagnamethatisnotknownanywhere>a</verylongtagname>", "a");
	TEXT("</p></p></div>a", "a");
	TEXT("</pre>a  b", "a b");
	/* invalid UTF-8 and NUL */
	TEXTN("a\xff" "b\xc3", 4, "a\xef\xbf\xbd" "b\xef\xbf\xbd");
	TEXTN("a\0b", 3, "a\xef\xbf\xbd" "b");
	TEXT("\xc0\xaf\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd\xef\xbf\xbd");
	TEXT("<img alt=\"\xff\">", "\xef\xbf\xbd");
}

static void
test_large(void **state)
{
	size_t n = 1 << 20, i;
	char *in = malloc(n), *got;

	(void)state;
	assert_non_null(in);
	for (i = 0; i < n; i++)
		in[i] = "<p>a&amp;b</p>"[i % 14];
	got = sm_html_to_text(in, n);
	assert_non_null(got);
	assert_true(strlen(got) > 0);
	free(got);
	/* nothing but an open tag */
	memset(in, 'a', n);
	in[0] = '<';
	got = sm_html_to_text(in, n);
	assert_string_equal(got, "");
	free(got);
	/* nothing but '<' */
	memset(in, '<', n);
	got = sm_html_to_text(in, n);
	assert_int_equal(strlen(got), n);
	free(got);
	free(in);
}

/* the charset an HTML document names in a meta element */
static void
test_meta_charset(void **state)
{
	static const struct {
		const char *html, *want;
	} cases[] = {
		{ "<meta charset=\"windows-1252\">", "windows-1252" },
		{ "<html><HEAD><META CHARSET='iso-8859-15' />", "iso-8859-15" },
		{ "<meta charset=utf-8>", "utf-8" },
		{ "<meta name=\"x\" charset = \"koi8-r\">", "koi8-r" },
		{ "<meta http-equiv=\"Content-Type\" content=\"text/html; "
		    "charset=iso-8859-1\">", "iso-8859-1" },
		{ "<meta content='text/html;charset=\"cp1252\"' "
		    "http-equiv=content-type>", "cp1252" },
		{ "<meta name=\"viewport\" content=\"width=device-width\">"
		    "<meta charset=gbk>", "gbk" },
		{ "<meta name=\"description\" content=\"charset\">", NULL },
		{ "<metadata charset=x>", NULL },
		{ "<p>charset=utf-8</p>", NULL },
		{ "<meta charset=\"\">", NULL },
		{ "<meta charset", NULL },
		{ "", NULL },
	};
	size_t i;
	char *got, *big;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = sm_html_meta_charset(cases[i].html,
		    strlen(cases[i].html));
		if (cases[i].want == NULL)
			assert_null(got);
		else {
			assert_non_null(got);
			assert_string_equal(got, cases[i].want);
		}
		free(got);
	}
	/* only the first 4096 bytes are looked at */
	big = malloc(5000);
	assert_non_null(big);
	memset(big, ' ', 5000);
	memcpy(big + 4090, "<meta charset=koi8-r>", 21);
	assert_null(sm_html_meta_charset(big, 5000));
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tags_stripped),
		cmocka_unit_test(test_whitespace),
		cmocka_unit_test(test_breaks),
		cmocka_unit_test(test_entities_named),
		cmocka_unit_test(test_entities_numeric),
		cmocka_unit_test(test_entities_malformed),
		cmocka_unit_test(test_hidden_content),
		cmocka_unit_test(test_mastodon),
		cmocka_unit_test(test_x_unescape),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_meta_charset),
	};

	return cmocka_run_group_tests_name("html", tests, NULL, NULL);
}
