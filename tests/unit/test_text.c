/* test_text.c - normalization, tokens, stems and language of message text */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <utf8proc.h>

#include "sm/jsonl.h"
#include "sm/text.h"

/* Folds an exact-size copy of s, so that the sanitizer sees over-reads. */
static char *
fold(const char *s, size_t n)
{
	struct sm_buf out = { 0 };
	char *copy = malloc(n ? n : 1);

	assert_non_null(copy);
	memcpy(copy, s, n);
	assert_int_equal(sm_text_fold(&out, copy, n), 0);
	free(copy);
	assert_non_null(out.data);
	assert_int_equal(strlen(out.data), out.len);
	return out.data;
}

static void
assert_fold(const char *in, const char *want)
{
	char *got = fold(in, strlen(in));

	if (strcmp(got, want) != 0) {
		print_error("fold(\"%s\") = \"%s\", want \"%s\"\n", in, got,
		    want);
		free(got);
		fail();
	}
	free(got);
}

static void
test_fold(void **state)
{
	(void)state;
	assert_fold("BASURA", "basura");
	assert_fold("B\xc3\x81SURA", "basura");			/* BÁSURA */
	assert_fold("\xc3\x91" "and\xc3\xba", "nandu");		/* Ñandú */
	assert_fold("\xef\xac\x81n", "fin");			/* ﬁn */
	/* full-width letters and digits */
	assert_fold("\xef\xbc\xa1\xef\xbc\xa2\xef\xbd\x83\xef\xbc\x91\xef"
	    "\xbc\x92", "abc12");
	/* a combining accent, not a precomposed letter */
	assert_fold("cafe\xcc\x81", "cafe");
	assert_fold("Stra\xc3\x9f" "e", "strasse");		/* Straße */
	assert_fold("\xc3\x87" "A\xc3\x87" "A \xc3\x80 \xc3\xb2", "caca a o");
	assert_fold("L'AIGUA \xc3\x89S BONA", "l'aigua es bona");
	assert_fold("\xce\x91\xce\x98\xce\x97\xce\x9d\xce\x91",
	    "\xce\xb1\xce\xb8\xce\xb7\xce\xbd\xce\xb1");	/* ΑΘΗΝΑ */
	/* emoji are kept; the variation selector is not */
	assert_fold("OK \xf0\x9f\x91\x8d \xe2\x9d\xa4\xef\xb8\x8f",
	    "ok \xf0\x9f\x91\x8d \xe2\x9d\xa4");
	assert_fold("", "");
}

static void
test_fold_appends(void **state)
{
	struct sm_buf out = { 0 };

	(void)state;
	sm_buf_adds(&out, "x:");
	assert_int_equal(sm_text_fold(&out, "AB", 2), 0);
	assert_int_equal(sm_text_fold(&out, "\xc3\x89", 2), 0);
	assert_string_equal(out.data, "x:abe");
	assert_int_equal(out.len, 5);
	/* only n bytes are read */
	assert_int_equal(sm_text_fold(&out, "CDEF", 1), 0);
	assert_string_equal(out.data, "x:abec");
	sm_buf_free(&out);
}

static void
test_fold_invalid_utf8(void **state)
{
	static const char *const bad[] = {
		"A\xff" "B",
		"\xc3",
		"\xe2\x82",
		"x\xe2\x82",
		"\xc0\xaf",
		"\xed\xa0\x80 \xc3\x89",
		"\xf4\x90\x80\x80",
		"\x80\x80\x80",
		"\xc3\x91\xff\xc3\x91",
	};
	char *got;
	unsigned seed = 12345;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		got = fold(bad[i], strlen(bad[i]));
		if (!sm_utf8_valid(got, strlen(got)))
			fail_msg("case %zu: output is not UTF-8", i);
		if (strstr(got, "\xef\xbf\xbd") == NULL)
			fail_msg("case %zu: no U+FFFD in \"%s\"", i, got);
		free(got);
	}
	/* what is valid around the bad bytes is still folded */
	got = fold("A\xff" "B", 3);
	assert_string_equal(got, "a\xef\xbf\xbd" "b");
	free(got);
	got = fold("\xc3\x91\xff\xc3\x91", 5);
	assert_string_equal(got, "n\xef\xbf\xbdn");
	free(got);

	/* random bytes: no crash, and the output is always valid UTF-8 */
	for (int round = 0; round < 3000; round++) {
		char buf[64];
		size_t n = (size_t)(round % 63) + 1;

		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (char)(seed >> 16);
			if (buf[i] == '\0')
				buf[i] = '\x80';
			if ((seed >> 8) % 4 == 0)	/* some ASCII too */
				buf[i] = (char)('A' + (seed >> 20) % 26);
		}
		got = fold(buf, n);
		if (!sm_utf8_valid(got, strlen(got)))
			fail_msg("round %d: output is not UTF-8", round);
		free(got);
	}
}

/*
 * sm_text_fold folds two-byte characters one at a time from a table; it
 * must give what utf8proc gives for the whole text: NFKC, case folded,
 * marks stripped, default-ignorables (variation selectors, joiners) gone.
 */
#define REF_OPTIONS	(UTF8PROC_COMPOSE | UTF8PROC_COMPAT | \
	UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_IGNORE)

static int
fold_matches_reference(const utf8proc_int32_t *cps, size_t ncps)
{
	unsigned char in[64];
	utf8proc_uint8_t *ref = NULL;
	utf8proc_ssize_t m;
	size_t n = 0;
	char *got;
	int same;

	for (size_t i = 0; i < ncps; i++)
		n += (size_t)utf8proc_encode_char(cps[i], in + n);
	m = utf8proc_map(in, (utf8proc_ssize_t)n, &ref, REF_OPTIONS);
	assert_true(m >= 0);
	got = fold((const char *)in, n);
	same = strlen(got) == (size_t)m && memcmp(got, ref, (size_t)m) == 0;
	if (!same)
		print_error("\"%.*s\": folded \"%s\", utf8proc \"%s\"\n",
		    (int)n, in, got, ref);
	free(ref);
	free(got);
	return same;
}

static void
test_fold_matches_utf8proc(void **state)
{
	static const utf8proc_int32_t pool[] = {
		'a', 'E', ' ', '1', 0xe9, 0xdf, 0x130, 0x131, 0x149, 0x1c4,
		0x301, 0x308, 0x345, 0x3a3, 0x3c2, 0x390, 0x400, 0x4e8, 0x5d0,
		0x627, 0x653, 0x654, 0x6f1, 0x7c0, 0xa0, 0xad, 0x34f,
		0x1e9e, 0x1f00, 0x20ac, 0x2126, 0x212b, 0x2460, 0x3099, 0x304b,
		0xfb01, 0xff21, 0xd55c, 0x1100, 0x1161, 0x11a8, 0xfe0f, 0x200d,
		0x1f44d, 0x1f3fd, 0x1d400,
	};
	const size_t np = sizeof(pool) / sizeof(pool[0]);
	utf8proc_int32_t s[3];
	int bad = 0;

	(void)state;
	/* every two-byte character, between ASCII letters */
	for (utf8proc_int32_t cp = 0x80; cp < 0x800; cp++) {
		s[0] = 'A';
		s[1] = cp;
		s[2] = 'b';
		bad += !fold_matches_reference(s, 3);
	}
	/* every sequence of three from a pool that likes to compose */
	for (size_t i = 0; i < np; i++)
		for (size_t j = 0; j < np; j++)
			for (size_t k = 0; k < np; k++) {
				s[0] = pool[i];
				s[1] = pool[j];
				s[2] = pool[k];
				bad += !fold_matches_reference(s, 3);
			}
	if (bad)
		fail_msg("%d texts folded differently", bad);
}

/* Tokens */

struct tok {
	enum sm_token_type type;
	const char *text;
};

static const char *const type_names[] = {
	"word", "number", "hashtag", "mention", "url", "emoji"
};

/* Prints a token's text, with \xNN for bytes that are not UTF-8. */
static void
print_text(const char *type, const char *s, size_t n)
{
	char buf[512];
	size_t k = 0;

	for (size_t i = 0; i < n && k + 5 < sizeof(buf); i++) {
		size_t len = 1;

		while (len <= 4 && i + len <= n && !sm_utf8_valid(s + i, len))
			len++;
		if (len <= 4 && i + len <= n && (len > 1 ||
		    (unsigned char)s[i] >= 0x20)) {
			if (k + len + 1 >= sizeof(buf))
				break;
			memcpy(buf + k, s + i, len);
			k += len;
			i += len - 1;
		} else
			k += (size_t)snprintf(buf + k, sizeof(buf) - k, "\\x%02x",
			    (unsigned char)s[i]);
	}
	buf[k] = '\0';
	print_error("  %s \"%s\"\n", type, buf);
}

/* 1 when in gives the tokens want; if not, says what it gave. */
static int
tokens_match(const char *in, const struct tok *want, size_t nwant)
{
	struct sm_text t = { 0 };
	char *copy = malloc(strlen(in) + 1);
	int ok = 1;

	assert_non_null(copy);
	memcpy(copy, in, strlen(in));
	sm_text_analyze(&t, copy, strlen(in));
	free(copy);
	if (t.ntokens != nwant)
		ok = 0;
	for (size_t i = 0; ok && i < nwant; i++)
		if (t.tokens[i].type != want[i].type ||
		    t.tokens[i].len != strlen(want[i].text) ||
		    memcmp(t.folded.data + t.tokens[i].off, want[i].text,
		    t.tokens[i].len) != 0)
			ok = 0;
	if (!ok) {
		print_error("\"%s\" gave %zu tokens:\n", in, t.ntokens);
		for (size_t i = 0; i < t.ntokens; i++)
			print_text(type_names[t.tokens[i].type],
			    t.folded.data + t.tokens[i].off, t.tokens[i].len);
		print_error("wanted %zu:\n", nwant);
		for (size_t i = 0; i < nwant; i++)
			print_text(type_names[want[i].type], want[i].text,
			    strlen(want[i].text));
	}
	sm_text_free(&t);
	return ok;
}

static void
assert_tokens(const char *in, const struct tok *want, size_t nwant)
{
	if (!tokens_match(in, want, nwant))
		fail();
}

#define TOKENS(in, ...) do { \
	static const struct tok want_[] = { __VA_ARGS__ }; \
	assert_tokens(in, want_, sizeof(want_) / sizeof(want_[0])); \
} while (0)

/* The same, counting failures in bad instead of stopping. */
#define TOKENS_COUNT(bad, in, ...) do { \
	static const struct tok want_[] = { __VA_ARGS__ }; \
	(bad) += !tokens_match(in, want_, sizeof(want_) / sizeof(want_[0])); \
} while (0)

#define W(s)	{ SM_TOKEN_WORD, s }
#define N(s)	{ SM_TOKEN_NUMBER, s }
#define H(s)	{ SM_TOKEN_HASHTAG, s }
#define M(s)	{ SM_TOKEN_MENTION, s }
#define L(s)	{ SM_TOKEN_URL, s }
#define E(s)	{ SM_TOKEN_EMOJI, s }

static void
test_tokens_words(void **state)
{
	(void)state;
	TOKENS("La BASURA, otra vez!", W("la"), W("basura"), W("otra"),
	    W("vez"));
	TOKENS("\xc3\x91" "and\xc3\xba en la calle", W("nandu"), W("en"),
	    W("la"), W("calle"));
	/* Catalan elision splits at the apostrophe, either kind */
	TOKENS("l'aigua d\xe2\x80\x99" "avui", W("l"), W("aigua"), W("d"),
	    W("avui"));
	TOKENS("servicio 24h y 3a planta", W("servicio"), W("24h"), W("y"),
	    W("3a"), W("planta"));
	TOKENS("snake_case x2", W("snake_case"), W("x2"));
	assert_tokens("   \t\n", NULL, 0);
	assert_tokens("", NULL, 0);
	assert_tokens("...!? \xc2\xbf\xc2\xa1", NULL, 0);
}

static void
test_tokens_numbers(void **state)
{
	(void)state;
	TOKENS("cuesta 1.250 euros y 3,5 kg", W("cuesta"), N("1.250"),
	    W("euros"), W("y"), N("3,5"), W("kg"));
	TOKENS("1.250.000,75", N("1.250.000,75"));
	TOKENS("el 12, el 13.", W("el"), N("12"), W("el"), N("13"));
	TOKENS("2024-05-01", N("2024-05-01"));
	TOKENS("\xef\xbc\x91\xef\xbc\x92", N("12"));	/* full-width */
}

static void
test_tokens_hashtags_mentions(void **state)
{
	(void)state;
	TOKENS("#BasuraCero en #Madrid2024", H("basuracero"), W("en"),
	    H("madrid2024"));
	TOKENS("#Recogida_Selectiva", H("recogida_selectiva"));
	TOKENS("# solo", W("solo"));
	TOKENS("ay #", W("ay"));
	TOKENS("hola @Ayto_Madrid y @user@masto.example.", W("hola"),
	    M("@ayto_madrid"), W("y"), M("@user@masto.example"));
	TOKENS("@ana: gracias", M("@ana"), W("gracias"));
	TOKENS("@ solo", W("solo"));
	TOKENS("#\xc3\x91" "and\xc3\xba", H("nandu"));
}

static void
test_tokens_urls(void **state)
{
	(void)state;
	TOKENS("mira http://a.es/x?y=1&z=2 y https://B.com/Path ok",
	    W("mira"), L("http://a.es/x?y=1&z=2"), W("y"),
	    L("https://b.com/path"), W("ok"));
	TOKENS("www.madrid.es/tramites", L("www.madrid.es/tramites"));
	TOKENS("ver:https://x.es", W("ver"), L("https://x.es"));
	TOKENS("http:/no", W("http"), W("no"));
}

static void
test_tokens_emoji(void **state)
{
	(void)state;
	TOKENS("hola \xf0\x9f\x91\x8d adi\xc3\xb3s", W("hola"),
	    E("\xf0\x9f\x91\x8d"), W("adios"));
	/* glued to words and to each other, still one token each */
	TOKENS("gracias\xf0\x9f\x91\x8d\xf0\x9f\x8e\x89!", W("gracias"),
	    E("\xf0\x9f\x91\x8d"), E("\xf0\x9f\x8e\x89"));
	/* U+FE0F after the heart is not part of any token */
	TOKENS("te \xe2\x9d\xa4\xef\xb8\x8f mucho", W("te"),
	    E("\xe2\x9d\xa4"), W("mucho"));
	TOKENS("\xe2\x9d\xa4\xef\xb8\x8f\xe2\x9d\xa4\xef\xb8\x8f",
	    E("\xe2\x9d\xa4"), E("\xe2\x9d\xa4"));
	/* a skin tone is not a token of its own */
	TOKENS("\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd ok", E("\xf0\x9f\x91\x8d"),
	    W("ok"));
}

/*
 * BUG (lib/text.c, sm_text_analyze): after a run of digits the next
 * character is classified from its first byte alone, as if that byte were
 * a Latin-1 code point.  The lead bytes 0xC3..0xF0 read as letters, so a
 * number glued to "€", "º" or an emoji becomes a WORD ("100€" is the word
 * "100").  The URL scan has the same fault: the byte 0xA0 reads as NBSP,
 * so a URL is cut inside "🏠" (F0 9F 8F A0), leaving invalid UTF-8 in the
 * URL token and a stray one-byte "emoji".
 */
static void
test_BUG_tokens_multibyte_after_number_or_in_url(void **state)
{
	int bad = 0;

	(void)state;
	TOKENS_COUNT(bad, "multa de 100\xe2\x82\xac", W("multa"), W("de"),
	    N("100"));
	TOKENS_COUNT(bad, "3\xf0\x9f\x91\x8d", N("3"),
	    E("\xf0\x9f\x91\x8d"));
	TOKENS_COUNT(bad, "https://example.org/\xf0\x9f\x8f\xa0 casa",
	    L("https://example.org/\xf0\x9f\x8f\xa0"), W("casa"));
	if (bad)
		fail_msg("%d of 3 texts split wrong", bad);
}

static void
test_tokens_invalid_utf8(void **state)
{
	struct sm_text t = { 0 };
	const char bad[] = "hola \xff\xc0 adi\xc3";

	(void)state;
	sm_text_analyze(&t, bad, sizeof(bad) - 1);
	assert_true(sm_utf8_valid(t.folded.data, t.folded.len));
	assert_true(t.ntokens >= 2);
	assert_int_equal(t.tokens[0].type, SM_TOKEN_WORD);
	assert_int_equal(t.tokens[0].len, 4);
	assert_memory_equal(t.folded.data + t.tokens[0].off, "hola", 4);
	for (size_t i = 0; i < t.ntokens; i++)
		assert_true(t.tokens[i].off + t.tokens[i].len <= t.folded.len);
	sm_text_free(&t);
}

static void
test_analyze_reuse(void **state)
{
	struct sm_text t = { 0 };
	struct sm_stemmer *st = sm_stemmer_new();
	char *big;
	size_t n = 300;

	(void)state;
	/* more tokens than fit at first, then fewer */
	big = malloc(n * 2 + 1);
	assert_non_null(big);
	for (size_t i = 0; i < n; i++)
		memcpy(big + 2 * i, "a ", 2);
	big[2 * n] = '\0';
	sm_text_analyze(&t, big, 2 * n);
	assert_int_equal(t.ntokens, n);
	sm_text_stem(&t, st, "es");
	assert_int_equal(t.stemmed, 1);
	sm_text_analyze(&t, "#Dos palabras", 13);
	assert_int_equal(t.stemmed, 0);
	assert_int_equal(t.ntokens, 2);
	assert_string_equal(t.folded.data, "#dos palabras");
	assert_int_equal(t.tokens[1].off, 5);
	sm_text_analyze(&t, "", 0);
	assert_int_equal(t.ntokens, 0);
	assert_int_equal(t.folded.len, 0);
	free(big);
	sm_text_free(&t);
	sm_stemmer_free(st);
}

/* Stems */

static char *
stem(struct sm_stemmer *st, const char *lang, const char *word)
{
	size_t n = strlen(word), len = 0;
	char *copy = malloc(n ? n : 1), *out;
	const char *s;

	/* no NUL after the word: n is all the stemmer may read */
	assert_non_null(copy);
	memcpy(copy, word, n);
	s = sm_stem(st, lang, copy, n, &len);
	assert_non_null(s);
	out = malloc(len + 1);
	assert_non_null(out);
	memcpy(out, s, len);
	out[len] = '\0';
	free(copy);
	return out;
}

static void
assert_same_stem(struct sm_stemmer *st, const char *lang, const char *a,
    const char *b)
{
	char *sa = stem(st, lang, a), *sb = stem(st, lang, b);

	if (strcmp(sa, sb) != 0)
		fail_msg("%s: \"%s\" -> \"%s\" but \"%s\" -> \"%s\"", lang, a,
		    sa, b, sb);
	free(sa);
	free(sb);
}

static void
test_stem(void **state)
{
	struct sm_stemmer *st = sm_stemmer_new();
	const char word[] = "recogidas";
	const char *s;
	char *x;
	size_t len;

	(void)state;
	assert_same_stem(st, "es", "recogidas", "recogida");
	assert_same_stem(st, "es", "contenedores", "contenedor");
	assert_same_stem(st, "en", "streets", "street");
	assert_same_stem(st, "ca", "carrers", "carrer");
	assert_same_stem(st, "fr", "poubelles", "poubelle");
	assert_same_stem(st, "de", "strassen", "strasse");
	x = stem(st, "en", "streets");
	assert_string_equal(x, "street");
	free(x);
	x = stem(st, "es", "recogidas");
	assert_true(strlen(x) < strlen("recogidas"));
	assert_memory_equal(x, "recog", strlen(x));
	free(x);
	/* twice: the second comes from the cache and must agree */
	x = stem(st, "es", "recogidas");
	assert_memory_equal(x, "recog", strlen(x));
	free(x);
	/* a language without a stemmer gives the word back as it is */
	s = sm_stem(st, "xx", word, 7, &len);
	assert_ptr_equal(s, word);
	assert_int_equal(len, 7);
	s = sm_stem(st, NULL, word, 9, &len);
	assert_ptr_equal(s, word);
	assert_int_equal(len, 9);
	s = sm_stem(st, "und", word, 9, &len);
	assert_ptr_equal(s, word);
	assert_true(sm_stemmer_has("es"));
	assert_true(sm_stemmer_has("en"));
	assert_true(sm_stemmer_has("ca"));
	assert_true(sm_stemmer_has("eu"));
	assert_true(sm_stemmer_has("gl"));
	assert_true(sm_stemmer_has("pt"));
	assert_false(sm_stemmer_has("xx"));
	assert_false(sm_stemmer_has("und"));
	assert_false(sm_stemmer_has(""));
	assert_false(sm_stemmer_has(NULL));
	sm_stemmer_free(st);
}

static void
test_stem_cache_grows(void **state)
{
	struct sm_stemmer *st = sm_stemmer_new();
	struct sm_stemmer *fresh = sm_stemmer_new();
	enum { NWORDS = 5000 };
	static char words[NWORDS][24];
	static char *first[NWORDS];
	static const char *const ends[] = { "aciones", "adoras", "idas", "ar",
		"eros", "mente" };

	(void)state;
	for (int i = 0; i < NWORDS; i++) {
		snprintf(words[i], sizeof(words[i]), "pal%c%c%c%s",
		    'a' + i % 26, 'a' + i / 26 % 26, 'a' + i / 676 % 26,
		    ends[i % 6]);
		first[i] = stem(st, "es", words[i]);
	}
	/* after the table grew, every entry is still found, and right */
	for (int i = NWORDS - 1; i >= 0; i--) {
		char *again = stem(st, "es", words[i]);

		if (strcmp(again, first[i]) != 0)
			fail_msg("\"%s\": \"%s\" then \"%s\"", words[i],
			    first[i], again);
		free(again);
		if (i % 97 == 0) {
			again = stem(fresh, "es", words[i]);
			assert_string_equal(again, first[i]);
			free(again);
		}
		free(first[i]);
	}
	sm_stemmer_free(st);
	sm_stemmer_free(fresh);
}

static void
test_text_stem(void **state)
{
	struct sm_text t = { 0 };
	struct sm_stemmer *st = sm_stemmer_new();
	static const char in[] = "Las calles #Recogidas @recogidas 1.250 "
	    "\xf0\x9f\x91\x8d http://x.es/recogidas contenedores";
	static const enum sm_token_type types[] = { SM_TOKEN_WORD,
		SM_TOKEN_WORD, SM_TOKEN_HASHTAG, SM_TOKEN_MENTION,
		SM_TOKEN_NUMBER, SM_TOKEN_EMOJI, SM_TOKEN_URL, SM_TOKEN_WORD };
	char *want;

	(void)state;
	sm_text_analyze(&t, in, sizeof(in) - 1);
	assert_int_equal(t.ntokens, 8);
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(t.tokens[i].type, types[i]);
	sm_text_stem(&t, st, "es");
	assert_int_equal(t.stemmed, 1);
	for (size_t i = 0; i < t.ntokens; i++) {
		const struct sm_token *k = &t.tokens[i];
		char *word;

		if (k->type != SM_TOKEN_WORD && k->type != SM_TOKEN_HASHTAG) {
			assert_int_equal(k->stem_len, 0);
			continue;
		}
		word = strndup(t.folded.data + k->off, k->len);
		assert_non_null(word);
		want = stem(st, "es", word);
		assert_true(k->stem_off + k->stem_len <= t.stems.len);
		assert_int_equal(k->stem_len, strlen(want));
		assert_memory_equal(t.stems.data + k->stem_off, want,
		    k->stem_len);
		free(want);
		free(word);
	}
	/* the hashtag is stemmed like the word */
	assert_int_equal(t.tokens[2].stem_len, 5);
	assert_memory_equal(t.stems.data + t.tokens[2].stem_off, "recog", 5);
	assert_int_equal(t.tokens[7].stem_len, strlen("contenedor"));
	assert_memory_equal(t.stems.data + t.tokens[7].stem_off, "contenedor",
	    10);

	/* again in a language without a stemmer: the words themselves */
	sm_text_stem(&t, st, "xx");
	assert_int_equal(t.tokens[1].stem_len, 6);
	assert_memory_equal(t.stems.data + t.tokens[1].stem_off, "calles", 6);
	assert_int_equal(t.tokens[3].stem_len, 0);
	sm_text_free(&t);
	sm_stemmer_free(st);
}

/* Language */

struct sample {
	const char *lang;
	const char *text;
};

static const struct sample clear[] = {
	{ "es", "El contenedor de basura de mi calle lleva tres d\xc3\xad" "as "
	    "lleno y huele muy mal" },
	{ "es", "Los vecinos estamos hartos del ruido de los bares de la "
	    "plaza todas las noches" },
	{ "en", "The streetlight in front of our house has been broken for "
	    "two weeks, please fix it" },
	{ "en", "Please send someone to collect the rubbish bags that have "
	    "been left on the corner since Monday" },
	{ "ca", "Bon dia, fa dues setmanes que el fanal del nostre carrer "
	    "est\xc3\xa0 apagat i ning\xc3\xba el ve a arreglar" },
	{ "ca", "Les escombraries no s'han recollit aquesta setmana i el "
	    "carrer fa una pudor horrible" },
	{ "eu", "Gure kaleko argiak ez dabil bi astez eta udalak ez du ezer "
	    "egin oraindik" },
	{ "eu", "Egun on, gure kaleko farola bi astez itzalita dago eta "
	    "inork ez du konpontzen" },
	{ "gl", "O lixo non se recolleu esta semana e a r\xc3\xba" "a cheira "
	    "fatal, xa non podemos m\xc3\xa1is" },
	{ "gl", "Hai unha semana que a farola da r\xc3\xba" "a non funciona e "
	    "ningu\xc3\xa9n v\xc3\xa9n arranxala" },
	{ "fr", "Le lampadaire devant notre maison est en panne depuis deux "
	    "semaines, merci de le r\xc3\xa9parer" },
	{ "de", "Die Stra\xc3\x9f" "enlaterne vor unserem Haus ist seit zwei "
	    "Wochen kaputt, bitte reparieren Sie sie" },
	{ "it", "Il lampione davanti a casa nostra \xc3\xa8 rotto da due "
	    "settimane, per favore riparatelo" },
	{ "pt", "O poste de luz em frente \xc3\xa0 nossa casa est\xc3\xa1 "
	    "quebrado h\xc3\xa1 duas semanas, por favor consertem" },
};

/*
 * As clear to a reader as those above, but misidentified: Catalan taken
 * for Spanish or left undecided, Galician taken for Portuguese or left
 * undecided.  See test_BUG_langid_catalan_galician.
 */
static const struct sample missed[] = {
	{ "ca", "El contenidor de la pla\xc3\xa7" "a fa dies que est\xc3\xa0 "
	    "ple i ning\xc3\xba no el buida, quina vergonya" },
	{ "ca", "Fa una setmana que el llum del carrer no funciona i "
	    "ning\xc3\xba ve a arreglar-lo" },
	{ "gl", "O colector do lixo da nosa r\xc3\xba" "a leva tres "
	    "d\xc3\xad" "as cheo e cheira moi mal" },
	{ "gl", "Bos d\xc3\xad" "as, a r\xc3\xba" "a est\xc3\xa1 moi sucia e o "
	    "concello non fai nada para limpala" },
	{ "gl", "Bo d\xc3\xad" "a, a farola da nosa r\xc3\xba" "a leva "
	    "d\xc3\xba" "as semanas apagada e ningu\xc3\xa9n v\xc3\xa9n "
	    "arranxala" },
};

/*
 * Shorter, and taken for Portuguese or left undecided until Galician's
 * markers had words only Galician writes ("neno", "rexistro",
 * "beirarr\xc3\xba" "a").
 */
static const struct sample galician_short[] = {
	{ "gl", "Merdas de can por toda a beirarr\xc3\xba" "a da r\xc3\xba" "a "
	    "da Paz, que noxo" },
	{ "gl", "Mandei tres correos ao rexistro e ningu\xc3\xa9n me contesta" },
	{ "gl", "Atropelaron a un neno na pasaxe de pe\xc3\xb3ns do colexio, "
	    "est\xc3\xa1 sangrando" },
};

static struct sm_langid *langid;

static int
setup_langid(void **state)
{
	char err[512] = "";

	(void)state;
	langid = sm_langid_new(NULL, err, sizeof(err));
	if (langid == NULL) {
		fprintf(stderr, "sm_langid_new: %s\n", err);
		return -1;
	}
	return 0;
}

static int
free_langid(void **state)
{
	(void)state;
	sm_langid_free(langid);
	langid = NULL;
	return 0;
}

static const char *
detect(struct sm_text *t, const char *s)
{
	sm_text_analyze(t, s, strlen(s));
	return sm_langid_detect(langid, t, s, strlen(s));
}

static void
check_samples(const struct sample *samples, size_t n)
{
	struct sm_text t = { 0 };
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		const char *got = detect(&t, samples[i].text);
		size_t words = 0;

		for (size_t k = 0; k < t.ntokens; k++)
			words += t.tokens[k].type == SM_TOKEN_WORD;
		assert_true(words >= 10);
		if (strcmp(got, samples[i].lang) != 0) {
			print_error("%s taken for %s: %s\n", samples[i].lang,
			    got, samples[i].text);
			bad++;
		}
	}
	sm_text_free(&t);
	if (bad)
		fail_msg("%d of %zu sentences misidentified", bad, n);
}

static void
test_langid_clear_sentences(void **state)
{
	(void)state;
	check_samples(clear, sizeof(clear) / sizeof(clear[0]));
}

/*
 * BUG (lib/text.c, sm_langid_detect): Catalan and Galician are weak.
 * Catalan's function-word list lacks words it shares with Spanish that
 * Spanish's list has ("esta"), and Galician's n-gram profile loses to
 * Portuguese; of five plain Galician complaints tried, three failed, of
 * five Catalan ones, two.  Contrast with test_langid_clear_sentences.
 */
static void
test_BUG_langid_catalan_galician(void **state)
{
	(void)state;
	check_samples(missed, sizeof(missed) / sizeof(missed[0]));
}

static void
test_langid_galician_short(void **state)
{
	struct sm_text t = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(galician_short) /
	    sizeof(galician_short[0]); i++)
		assert_string_equal(detect(&t, galician_short[i].text), "gl");
	sm_text_free(&t);
}

static void
test_langid_und(void **state)
{
	struct sm_text t = { 0 };

	(void)state;
	assert_string_equal(detect(&t, ""), "und");
	assert_string_equal(detect(&t, "   \n"), "und");
	assert_string_equal(detect(&t, "123 456,78 1.000 2024-05-01"), "und");
	assert_string_equal(detect(&t, "\xf0\x9f\x91\x8d \xe2\x9d\xa4\xef\xb8"
	    "\x8f \xf0\x9f\x8e\x89\xf0\x9f\x8e\x89"), "und");
	assert_string_equal(detect(&t, "12 \xf0\x9f\x91\x8d 34"), "und");
	assert_string_equal(detect(&t, "@ana @bob https://x.es/a/b/c #42"),
	    "und");
	sm_text_free(&t);
}

/* classify.languages: the guess among the languages a town hall hears,
 * and its first one for a text too short to tell */
static void
test_langid_guess_allowed(void **state)
{
	struct sm_text t = { 0 };
	unsigned es = 1u << sm_lang_index("es"), ca = 1u << sm_lang_index("ca");
	unsigned gl = 1u << sm_lang_index("gl"), en = 1u << sm_lang_index("en");
	const char *s;

	(void)state;
	s = "Ok";
	sm_text_analyze(&t, s, strlen(s));
	assert_string_equal(sm_langid_guess(langid, &t, s, strlen(s), 0,
	    NULL), "und");
	assert_string_equal(sm_langid_guess(langid, &t, s, strlen(s),
	    ca | es, "ca"), "ca");
	s = "";
	sm_text_analyze(&t, s, strlen(s));
	assert_string_equal(sm_langid_guess(langid, &t, s, strlen(s), es,
	    "es"), "es");
	s = "A que hora comeza o concerto das festas?";
	sm_text_analyze(&t, s, strlen(s));
	assert_string_equal(sm_langid_guess(langid, &t, s, strlen(s),
	    gl | es, "gl"), "gl");
	/* only one language allowed: that one, whatever the text */
	s = "The bins have not been emptied";
	sm_text_analyze(&t, s, strlen(s));
	assert_string_equal(sm_langid_guess(langid, &t, s, strlen(s), es,
	    "es"), "es");
	assert_string_equal(sm_langid_guess(langid, &t, s, strlen(s),
	    es | en, "es"), "en");
	sm_text_free(&t);
}

/* letters and elisions that tell close languages apart on short texts */
static void
test_langid_short_cues(void **state)
{
	struct sm_text t = { 0 };

	(void)state;
	assert_string_equal(detect(&t, "\xc2\xbf" "D\xc3\xb3nde se pide "
	    "cita? https://bit.ly/3xYz"), "es");
	assert_string_equal(detect(&t, "S'ha trencat el fanal de "
	    "l'entrada"), "ca");
	assert_string_equal(detect(&t, "A veci\xc3\xb1" "a non ten auga "
	    "dende onte"), "gl");
	sm_text_free(&t);
}

/* spelling where close languages part: Portuguese "lh", "nh" and no
 * word ending in "n"; "-ción"; Galician "x" first and "á" alone;
 * Spanish "-éis"; nothing Portuguese in six words */
static void
test_langid_spelling(void **state)
{
	struct sm_text t = { 0 };

	(void)state;
	assert_string_equal(detect(&t, "O meu filho trabalha na c\xc3\xa2mara"),
	    "pt");
	assert_string_equal(detect(&t, "As farolas da r\xc3\xba" "a levan "
	    "apagadas desde o mes pasado"), "gl");
	assert_string_equal(detect(&t, "A xente do barrio est\xc3\xa1 farta"),
	    "gl");
	assert_string_equal(detect(&t, "Sois unos in\xc3\xbatiles, no "
	    "hac\xc3\xa9is nada"), "es");
	assert_string_equal(detect(&t, "Bon dia! Nom\xc3\xa9s volia saludar"),
	    "ca");
	/* Galician "\xc3\xa1" as a word; six words with nothing Portuguese */
	assert_string_equal(detect(&t, "Vou \xc3\xa1 praia coa familia este "
	    "domingo pola tarde"), "gl");
	assert_string_equal(detect(&t, "A grúa da obra move a carga por "
	    "riba do patio do colexio"), "gl");
	assert_string_equal(detect(&t, "A obra da rua nunca acaba, "
	    "est\xc3\xa3o sempre com as m\xc3\xa1quinas"), "pt");
	sm_text_free(&t);
}

static void
test_langid_bad_dir(void **state)
{
	char err[512] = "";
	char *old = getenv("SM_TEXTCAT_DIR");
	struct sm_langid *li;

	(void)state;
	li = sm_langid_new("/nonexistent/textcat", err, sizeof(err));
	assert_null(li);
	assert_non_null(strstr(err, "cannot read language model"));
	assert_non_null(strstr(err, "/nonexistent/textcat/"));

	/* a directory without the models */
	err[0] = '\0';
	li = sm_langid_new("/tmp", err, sizeof(err));
	assert_null(li);
	assert_non_null(strstr(err, "/tmp/"));

	/* NULL means $SM_TEXTCAT_DIR when that is set */
	old = old ? strdup(old) : NULL;
	setenv("SM_TEXTCAT_DIR", "/nonexistent/env", 1);
	err[0] = '\0';
	li = sm_langid_new(NULL, err, sizeof(err));
	if (old)
		setenv("SM_TEXTCAT_DIR", old, 1);
	else
		unsetenv("SM_TEXTCAT_DIR");
	free(old);
	assert_null(li);
	assert_non_null(strstr(err, "/nonexistent/env/"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_fold_appends),
		cmocka_unit_test(test_fold_invalid_utf8),
		cmocka_unit_test(test_fold_matches_utf8proc),
		cmocka_unit_test(test_tokens_words),
		cmocka_unit_test(test_tokens_numbers),
		cmocka_unit_test(test_tokens_hashtags_mentions),
		cmocka_unit_test(test_tokens_urls),
		cmocka_unit_test(test_tokens_emoji),
		cmocka_unit_test(test_BUG_tokens_multibyte_after_number_or_in_url),
		cmocka_unit_test(test_tokens_invalid_utf8),
		cmocka_unit_test(test_analyze_reuse),
		cmocka_unit_test(test_stem),
		cmocka_unit_test(test_stem_cache_grows),
		cmocka_unit_test(test_text_stem),
		cmocka_unit_test(test_langid_clear_sentences),
		cmocka_unit_test(test_BUG_langid_catalan_galician),
		cmocka_unit_test(test_langid_galician_short),
		cmocka_unit_test(test_langid_und),
		cmocka_unit_test(test_langid_guess_allowed),
		cmocka_unit_test(test_langid_short_cues),
		cmocka_unit_test(test_langid_spelling),
		cmocka_unit_test(test_langid_bad_dir),
	};

	return cmocka_run_group_tests_name("text", tests, setup_langid,
	    free_langid);
}
