/* text.c - normalization, tokens, stems and language of message text */
#include <limits.h>
#include <unistd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libexttextcat/fingerprint.h>
#include <libstemmer.h>
#include <utf8proc.h>

#include "sm/text.h"
#include "sm/util.h"

#ifndef SM_TEXTCAT_DIR
#define SM_TEXTCAT_DIR "/usr/share/libexttextcat"
#endif

#define FOLD_OPTIONS (UTF8PROC_COMPOSE | UTF8PROC_COMPAT | \
	UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_IGNORE)

static int
all_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

/*
 * Two-byte UTF-8 (U+0080 to U+07FF: Latin, Greek, Cyrillic, combining
 * accents) folded once into a table; with marks stripped nothing composes
 * across these characters, so folding them one by one gives what folding
 * the whole text would.
 */
static struct fold2 {
	unsigned char len;
	char s[7];
} fold2[0x800];
static int fold2_ready;

static void
fold2_init(void)
{
	for (utf8proc_int32_t cp = 0x80; cp < 0x800; cp++) {
		utf8proc_uint8_t in[4], *res = NULL;
		utf8proc_ssize_t n = utf8proc_encode_char(cp, in);
		utf8proc_ssize_t m = utf8proc_map(in, n, &res, FOLD_OPTIONS);

		if (m >= 0 && (size_t)m < sizeof(fold2[cp].s)) {
			fold2[cp].len = (unsigned char)m;
			memcpy(fold2[cp].s, res, (size_t)m);
		} else {
			fold2[cp].len = (unsigned char)n;
			memcpy(fold2[cp].s, in, (size_t)n);
		}
		free(res);
	}
	fold2_ready = 1;
}

static int fold_general(struct sm_buf *, const char *, size_t, void **,
    size_t *);

static int
fold_into(struct sm_buf *out, const char *s, size_t n, void **scratch,
    size_t *cap)
{
	size_t i = 0;

	if (!fold2_ready)
		fold2_init();
	sm_buf_reserve(out, n);
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t j;

		if (c < 0x80) {
			sm_buf_reserve(out, 1);
			out->data[out->len++] = c >= 'A' && c <= 'Z' ?
			    (char)(c + 32) : (char)c;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf && i + 1 < n &&
		    ((unsigned char)s[i + 1] & 0xc0) == 0x80) {
			const struct fold2 *f = &fold2[(c & 0x1f) << 6 |
			    ((unsigned char)s[i + 1] & 0x3f)];

			sm_buf_add(out, f->s, f->len);
			i += 2;
			continue;
		}
		/* anything longer goes whole to utf8proc, up to plain ASCII */
		for (j = i + 1; j < n && (unsigned char)s[j] >= 0x80; j++)
			;
		if (fold_general(out, s + i, j - i, scratch, cap) < 0)
			return -1;
		i = j;
	}
	if (out->data)
		out->data[out->len] = '\0';
	return 0;
}

static int
fold_general(struct sm_buf *out, const char *s, size_t n, void **scratch,
    size_t *cap)
{
	utf8proc_ssize_t got, len;
	size_t need;

	if (all_ascii(s, n)) {
		sm_buf_reserve(out, n);
		for (size_t i = 0; i < n; i++) {
			char c = s[i];

			out->data[out->len++] = c >= 'A' && c <= 'Z' ? c + 32 :
			    c;
		}
		out->data[out->len] = '\0';
		return 0;
	}
	if (n > (size_t)INT_MAX / 8)
		return -1;
	/* NFKC may expand; decompose tells how much room it needs */
	need = n + 16;
	for (;;) {
		if (need > *cap) {
			*scratch = xreallocarray(*scratch, need,
			    sizeof(utf8proc_int32_t));
			*cap = need;
		}
		got = utf8proc_decompose((const utf8proc_uint8_t *)s,
		    (utf8proc_ssize_t)n, *scratch, (utf8proc_ssize_t)*cap,
		    FOLD_OPTIONS);
		if (got < 0) {
			/* invalid UTF-8: fold what can be, byte by byte */
			struct sm_buf clean = { 0 };
			size_t i = 0;

			while (i < n) {
				utf8proc_int32_t cp;
				utf8proc_ssize_t k = utf8proc_iterate(
				    (const utf8proc_uint8_t *)s + i,
				    (utf8proc_ssize_t)(n - i), &cp);

				if (k <= 0) {
					sm_buf_adds(&clean, "\xef\xbf\xbd");
					i++;
				} else {
					sm_buf_add(&clean, s + i, (size_t)k);
					i += (size_t)k;
				}
			}
			got = fold_general(out, clean.data, clean.len, scratch,
			    cap);
			sm_buf_free(&clean);
			return (int)got;
		}
		if ((size_t)got <= *cap)
			break;
		need = (size_t)got;
	}
	len = utf8proc_reencode(*scratch, got, FOLD_OPTIONS);
	if (len < 0)
		return -1;
	sm_buf_add(out, *scratch, (size_t)len);
	return 0;
}

int
sm_text_fold(struct sm_buf *out, const char *s, size_t n)
{
	void *scratch = NULL;
	size_t cap = 0;
	int rc = fold_into(out, s, n, &scratch, &cap);

	free(scratch);
	return rc;
}

static void
push(struct sm_text *t, enum sm_token_type type, size_t off, size_t len)
{
	if (t->ntokens == t->captokens) {
		t->captokens = t->captokens ? t->captokens * 2 : 64;
		t->tokens = xreallocarray(t->tokens, t->captokens,
		    sizeof(*t->tokens));
	}
	t->tokens[t->ntokens++] = (struct sm_token){ type, off, len, 0, 0,
	    sm_hash(t->folded.data + off, len), 0 };
}

enum cls { C_SPACE, C_LETTER, C_DIGIT, C_EMOJI, C_JOINER, C_OTHER };

#define L C_LETTER
#define D C_DIGIT
#define S C_SPACE
#define O C_OTHER
static const unsigned char ascii_cls[128] = {
	O, O, O, O, O, O, O, O, O, S, S, S, S, S, O, O,
	O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,
	S, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,
	D, D, D, D, D, D, D, D, D, D, O, O, O, O, O, O,
	O, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L,
	L, L, L, L, L, L, L, L, L, L, L, O, O, O, O, L,
	O, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L,
	L, L, L, L, L, L, L, L, L, L, L, O, O, O, O, O,
};
#undef L
#undef D
#undef S
#undef O

static enum cls
classify_cp(utf8proc_int32_t c)
{
	if (c < 0x80)
		return (enum cls)ascii_cls[c];
	if (c == 0x200d || c == 0xfe0f || (c >= 0x1f3fb && c <= 0x1f3ff))
		return C_JOINER;
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC:
		return C_LETTER;
	case UTF8PROC_CATEGORY_ND:
		return C_DIGIT;
	case UTF8PROC_CATEGORY_ZS:
	case UTF8PROC_CATEGORY_ZL:
	case UTF8PROC_CATEGORY_ZP:
		return C_SPACE;
	case UTF8PROC_CATEGORY_SO:
		return C_EMOJI;
	default:
		return C_OTHER;
	}
}

static size_t
next_cp(const char *s, size_t n, size_t i, utf8proc_int32_t *cp)
{
	utf8proc_ssize_t k;

	if ((unsigned char)s[i] < 0x80) {
		*cp = (unsigned char)s[i];
		return 1;
	}
	k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
	    (utf8proc_ssize_t)(n - i), cp);
	if (k <= 0) {
		*cp = 0xfffd;
		return 1;
	}
	return (size_t)k;
}

static size_t
span(const char *s, size_t n, size_t i, int digits_only, int allow_dot)
{
	utf8proc_int32_t cp;
	size_t k;

	while (i < n) {
		enum cls c;

		k = next_cp(s, n, i, &cp);
		c = classify_cp(cp);
		if (c == C_DIGIT || (!digits_only && c == C_LETTER)) {
			i += k;
			continue;
		}
		/* 1.250, 3,5 and user@host.domain stay whole */
		if (allow_dot && (cp == '.' || cp == ',' || cp == '@' ||
		    cp == '-') && i + 1 < n) {
			utf8proc_int32_t nx;
			enum cls d;

			next_cp(s, n, i + 1, &nx);
			d = classify_cp(nx);
			if (d == C_DIGIT || (!digits_only && d == C_LETTER &&
			    cp != ',')) {
				i += k;
				continue;
			}
		}
		break;
	}
	return i;
}

static int
starts(const char *s, size_t n, size_t i, const char *prefix)
{
	size_t p = strlen(prefix);

	return n - i >= p && memcmp(s + i, prefix, p) == 0;
}

void
sm_text_analyze(struct sm_text *t, const char *s, size_t n)
{
	const char *f;
	size_t i = 0, len;

	sm_buf_reset(&t->folded);
	t->ntokens = 0;
	t->stemmed = 0;
	if (fold_into(&t->folded, s, n, &t->scratch, &t->capscratch) < 0)
		return;
	f = t->folded.data;
	len = t->folded.len;
	while (i < len) {
		utf8proc_int32_t cp;
		size_t k = next_cp(f, len, i, &cp), end;
		enum cls c = classify_cp(cp);

		if (starts(f, len, i, "http://") || starts(f, len, i,
		    "https://") || starts(f, len, i, "www.")) {
			for (end = i; end < len; end += next_cp(f, len, end,
			    &cp))
				if (next_cp(f, len, end, &cp) &&
				    classify_cp(cp) == C_SPACE)
					break;
			push(t, SM_TOKEN_URL, i, end - i);
			i = end;
			continue;
		}
		if ((cp == '#' || cp == '@') && i + 1 < len) {
			utf8proc_int32_t nx;

			next_cp(f, len, i + 1, &nx);
			if (classify_cp(nx) == C_LETTER || classify_cp(nx) ==
			    C_DIGIT) {
				end = span(f, len, i + 1, 0, cp == '@');
				if (cp == '#')
					push(t, SM_TOKEN_HASHTAG, i + 1,
					    end - i - 1);
				else
					push(t, SM_TOKEN_MENTION, i, end - i);
				i = end;
				continue;
			}
		}
		switch (c) {
		case C_LETTER:
			end = span(f, len, i, 0, 0);
			push(t, SM_TOKEN_WORD, i, end - i);
			i = end;
			break;
		case C_DIGIT:
			end = span(f, len, i, 1, 1);
			/* 24h, 3a: a number glued to letters is a word */
			if (end < len && next_cp(f, len, end, &cp) &&
			    classify_cp(cp) == C_LETTER) {
				end = span(f, len, end, 0, 0);
				push(t, SM_TOKEN_WORD, i, end - i);
			} else
				push(t, SM_TOKEN_NUMBER, i, end - i);
			i = end;
			break;
		case C_EMOJI:
			push(t, SM_TOKEN_EMOJI, i, k);
			i += k;
			break;
		default:
			i += k;
			break;
		}
	}
}

void
sm_text_free(struct sm_text *t)
{
	sm_buf_free(&t->folded);
	sm_buf_free(&t->stems);
	free(t->tokens);
	free(t->scratch);
	memset(t, 0, sizeof(*t));
}

/* Stemming */

const char *const sm_langs[SM_NLANGS] = {
	"es", "en", "ca", "eu", "gl", "fr", "de", "it", "pt"
};

int
sm_lang_index(const char *lang)
{
	for (size_t i = 0; lang && i < SM_NLANGS; i++)
		if (strcmp(sm_langs[i], lang) == 0)
			return (int)i;
	return -1;
}

/* Snowball's stemmer for each of sm_langs: Galician has none of its own,
 * and the Spanish one serves it best. */
static const char *const algorithms[SM_NLANGS] = {
	"spanish", "english", "catalan", "basque", "spanish", "french",
	"german", "italian", "portuguese"
};
#define NSTEMMERS SM_NLANGS
#define CACHE_MAX 65536		/* entries per language before a reset */

struct cache_ent {
	char *word;		/* word NUL stem NUL, one allocation */
	size_t wlen, slen;
	unsigned long hash;	/* the word's */
	unsigned long stem_hash;
};

struct sm_stemmer {
	struct sb_stemmer *sb[NSTEMMERS];
	struct cache_ent *cache[NSTEMMERS];
	size_t used[NSTEMMERS];
	size_t cap[NSTEMMERS];
};

int
sm_stemmer_has(const char *lang)
{
	return sm_lang_index(lang) >= 0;
}

struct sm_stemmer *
sm_stemmer_new(void)
{
	return xcalloc(1, sizeof(struct sm_stemmer));
}

static void
cache_clear(struct sm_stemmer *st, int l)
{
	for (size_t i = 0; i < st->cap[l]; i++)
		free(st->cache[l][i].word);
	free(st->cache[l]);
	st->cache[l] = NULL;
	st->cap[l] = st->used[l] = 0;
}

void
sm_stemmer_free(struct sm_stemmer *st)
{
	if (st == NULL)
		return;
	for (size_t l = 0; l < NSTEMMERS; l++) {
		if (st->sb[l])
			sb_stemmer_delete(st->sb[l]);
		cache_clear(st, (int)l);
	}
	free(st);
}

/* The stem of word, whose sm_hash is hash, in language l; with its hash. */
static const char *
stem_in(struct sm_stemmer *st, int l, const char *word, size_t n,
    unsigned long hash, size_t *len, unsigned long *stem_hash)
{
	size_t i, mask;
	const sb_symbol *s;
	struct cache_ent *e;

	*len = n;
	*stem_hash = hash;
	if (l < 0 || n > INT_MAX)
		return word;
	if (st->cap[l] == 0) {
		st->cap[l] = 1024;
		st->cache[l] = xcalloc(st->cap[l], sizeof(struct cache_ent));
	}
	mask = st->cap[l] - 1;
	for (i = hash & mask; st->cache[l][i].word; i = (i + 1) & mask) {
		e = &st->cache[l][i];
		if (e->hash == hash && e->wlen == n &&
		    memcmp(e->word, word, n) == 0) {
			*len = e->slen;
			*stem_hash = e->stem_hash;
			return e->word + n + 1;
		}
	}
	if (st->sb[l] == NULL) {
		st->sb[l] = sb_stemmer_new(algorithms[l], "UTF_8");
		if (st->sb[l] == NULL)
			return word;
	}
	s = sb_stemmer_stem(st->sb[l], (const sb_symbol *)word, (int)n);
	if (s == NULL)
		return word;
	*len = (size_t)sb_stemmer_length(st->sb[l]);
	*stem_hash = sm_hash(s, *len);
	if (st->used[l] + 1 > CACHE_MAX)
		cache_clear(st, l);	/* keeps memory flat on endless input */
	if (st->cap[l] == 0 || (st->used[l] + 1) * 2 > st->cap[l]) {
		struct cache_ent *old = st->cache[l];
		size_t oldcap = st->cap[l];

		st->cap[l] = oldcap ? oldcap * 2 : 1024;
		st->cache[l] = xcalloc(st->cap[l], sizeof(struct cache_ent));
		mask = st->cap[l] - 1;
		for (size_t j = 0; j < oldcap; j++) {
			if (old[j].word == NULL)
				continue;
			for (i = old[j].hash & mask; st->cache[l][i].word;
			    i = (i + 1) & mask)
				;
			st->cache[l][i] = old[j];
		}
		free(old);
	}
	mask = st->cap[l] - 1;
	for (i = hash & mask; st->cache[l][i].word; i = (i + 1) & mask)
		;
	e = &st->cache[l][i];
	e->word = xmalloc(n + *len + 2);
	memcpy(e->word, word, n);
	e->word[n] = '\0';
	memcpy(e->word + n + 1, s, *len);
	e->word[n + 1 + *len] = '\0';
	e->wlen = n;
	e->slen = *len;
	e->hash = hash;
	e->stem_hash = *stem_hash;
	st->used[l]++;
	return e->word + n + 1;
}

const char *
sm_stem(struct sm_stemmer *st, const char *lang, const char *word, size_t n,
    size_t *len)
{
	unsigned long h;

	return stem_in(st, sm_lang_index(lang), word, n, sm_hash(word, n), len,
	    &h);
}

void
sm_text_stem(struct sm_text *t, struct sm_stemmer *st, const char *lang)
{
	int l = sm_lang_index(lang);

	sm_buf_reset(&t->stems);
	for (size_t i = 0; i < t->ntokens; i++) {
		struct sm_token *tok = &t->tokens[i];
		const char *s;
		size_t n;

		if (tok->type != SM_TOKEN_WORD &&
		    tok->type != SM_TOKEN_HASHTAG) {
			tok->stem_off = tok->off;
			tok->stem_len = 0;
			tok->stem_hash = 0;
			continue;
		}
		s = stem_in(st, l, t->folded.data + tok->off, tok->len,
		    tok->hash, &n, &tok->stem_hash);
		tok->stem_off = t->stems.len;
		tok->stem_len = n;
		sm_buf_add(&t->stems, s, n);
	}
	t->stemmed = 1;
}

/* Language identification */

#define NLANGS SM_NLANGS

/*
 * Function words that short messages are made of; n-gram statistics alone
 * are unreliable on a tweet.  Folded (no accents).  A word counts one.
 */
static const char *const stopwords[NLANGS] = {
	" el la los las del de que en y por para con una un es no se lo al "
	"muy pero esta este hay mi su como mas cuando donde ya desde hasta "
	"nos les tengo estan porque calle ayuntamiento gracias hola ",
	" the and is are to of in for on with this that it you we our my "
	"have has be was not your from at please thanks hello there "
	"street council why when what can ",
	" el la els les dels de que i per amb una un es no al molt pero "
	"aquesta aquest hi ha meu seu com mes quan on ja des fins ens "
	"carrer ajuntament gracies bon dia perque tinc estan ningu quina fa "
	"setmana dies ve ple aixo doncs tambe nostre vostre ",
	" eta da ez bat du dira dut baina oso gure zure nire egun kalean "
	"udala udaletxea eskerrik asko kaixo zer nola non noiz hau hori "
	"dago daude ari dute zen izan ",
	" o a os as do da dos das e que en non por para con unha un moi "
	"pero esta este hai meu seu como mais cando onde xa dende ata "
	"nos lles teno rua concello grazas ola porque estan nosa noso fai "
	"leva ningun ven dous duas semanas bos bo tamen ",
	" le la les des de du que et en pour avec une un est pas ne ce "
	"il nous vous tres mais cette cet sur dans merci bonjour rue "
	"mairie ",
	" der die das und ist nicht mit ein eine zu von den dem ich wir "
	"sie auf fur es danke hallo strasse ",
	" il lo la gli le di che e non per con una un sono molto ma "
	"questa questo grazie ciao via comune ",
	" o a os as do da dos das e que em nao por para com uma um muito "
	"mas esta este obrigado ola rua camara voce ",
};

/*
 * Words that one language uses and its neighbours do not (Spanish "hay",
 * Galician "unha", Portuguese "uma", Catalan "amb"): two each, because
 * short texts in close languages share most function words.  Folded.
 */
static const char *const markers[NLANGS] = {
	" y los las hay ayer hoy ahora nadie siempre usted ustedes tambien "
	"mucho mucha muchos muchas aqui eso esto ese esos estos estas hace "
	"hacen llevamos llevan lleva tiene tienen puede pueden nuestro "
	"nuestra vuestro alguien todavia despues senor senora buenos buenas "
	"ninguna ningun calle ayuntamiento vecinos vecina vecino estoy "
	"habia sido muy pues voy sin unos unas hacer hecho tengo tenemos "
	"teneis sois estais sabeis haceis podeis vosotros nosotros ellos "
	"ellas bueno buena otro otra otros otras mismo manana noche gracias "
	"cuando donde hasta nuevo nueva quiero quieren puedo mensaje lunes "
	"miercoles jueves viernes enero febrero junio julio septiembre "
	"noviembre diciembre ",
	" the and of you your what which would could should been there "
	"their they them with this that these those have has had it's is "
	"are was were will just ",
	" els amb aquest aquesta aquests aquestes molt molta avui ahir "
	"dema gracies carrer ajuntament veins vei pel pels tota tots totes "
	"doncs encara meva teva seva sou estic perque aixo mai nostra "
	"vostra setmana nit dies feina nomes volia vull voldria podeu teniu "
	"feu fer fet ara tothom gaire algu ningu res ho bona bones dilluns "
	"dimarts dimecres dijous divendres dissabte diumenge gener febrer "
	"maig juny juliol setembre desembre ",
	" eta da ez bat du dira dut baina oso gure zure nire egun kalean "
	"udala udaletxea eskerrik asko kaixo zer nola noiz hau hori dago "
	"daude ari dute zen izan dugu dituzte gaur atzo bihar ",
	" non unha unhas moito moita moitos moitas hoxe onte xa xente grazas "
	"concello dende tamen ningun ningunha pola polo polos polas cunha coa "
	"cos nunha dun dunha isto iso cando ata hai sen fai teno sodes lle "
	"lles xunto facer dous catro ollo mana ninguen calquera ben mellor "
	"axina coidado alguen neno nena nenos nenas escaleira choiva rexistro "
	"colexio pasaxe recoller mobles vellos vellas fixose esvaeceu atopamos "
	"atopar noraboa ganaches aninovo saimos cheo chea cheos deixa deixou "
	"peons cousa cousas seguinte rapaza beirarrua dunhas agardando "
	"traballo traballadores xunta xoga xogan xoguen xogar xogo xuno xullo "
	"xaneiro xoves xeada xardin xestion xeral axuda axudas muller "
	"fillo filla suxiro suxerencia equivoqueime ligazon compartilo saudos "
	"chuvia caeu recollen veran podese prohibido moi derrubouse oense "
	"empadroada empadroado nin atopo luns mercores venres febreiro "
	"decembro comeza comezou comezan ",
	" du et pour avec une est pas ce il nous vous tres mais "
	"cette dans merci bonjour rue mairie je tu c j qu ",
	" der die das und ist nicht mit ein eine zu von den dem ich wir sie "
	"auf fur danke hallo strasse ",
	" il gli di che sono molto questa questo grazie ciao comune della "
	"delle degli anche perche ",
	" nao uma umas muito muita muitos hoje ontem obrigado obrigada "
	"camara voce voces tambem nenhum nenhuma pela pelo pelos pelas numa "
	"isso quando ate sem faz tenho sao lhe lhes trabalho fazer dois "
	"quatro duma em com ",
};

/*
 * Letters that one language writes and its neighbours do not: Spanish
 * alone opens questions with an inverted mark, Catalan alone writes the
 * flying point of "l·l", Portuguese alone "a" with a tilde; Galician and
 * Spanish never write a grave accent or "c" with a cedilla.  Each cue
 * counts once per text, in the languages it points to (+) or away from (-).
 */
static const struct {
	unsigned cp;
	signed char w[NLANGS];	/* es en ca eu gl fr de it pt, in tenths */
} cues[] = {
	{ 0xbf, { 20, 0, -10, 0, 5, -10, -10, -10, -10 } },	/* ¿ */
	{ 0xa1, { 15, 0, -10, 0, 5, -10, -10, -10, -10 } },	/* ¡ */
	{ 0xf1, { 5, -10, -10, 0, 10, -10, -10, -10, -20 } },	/* ñ */
	{ 0xe7, { -10, -5, 5, -5, -10, 5, -10, -10, 5 } },	/* ç */
	{ 0xe3, { -10, -10, -10, -10, -10, -10, -10, -10, 20 } },	/* ã */
	{ 0xf5, { -10, -10, -10, -10, -10, -10, -10, -10, 20 } },	/* õ */
	{ 0xe0, { -10, -5, 5, -5, -10, 5, -5, 5, 0 } },	/* à */
	{ 0xe8, { -10, -5, 5, -5, -10, 5, -5, 5, -10 } },	/* è */
	{ 0xf2, { -10, -5, 5, -5, -10, -5, -5, 5, -10 } },	/* ò */
	{ 0xef, { -10, -5, 5, -5, -10, 5, -5, -5, -10 } },	/* ï */
	{ 0xb7, { -10, -5, 20, -5, -10, -5, -5, -5, -10 } },	/* · */
	{ 0xea, { -10, -5, -10, -5, -10, 10, -5, -5, 10 } },	/* ê */
	{ 0xf4, { -10, -5, -10, -5, -10, 10, -5, -5, 10 } },	/* ô */
	{ 0xe2, { -10, -5, -10, -5, -10, 10, -5, -5, 10 } },	/* â */
	{ 0xe4, { -10, -5, -10, -5, -10, -5, 20, -5, -10 } },	/* ä */
	{ 0xf6, { -10, -5, -10, -5, -10, -5, 20, -5, -10 } },	/* ö */
	{ 0xdf, { -10, -5, -10, -5, -10, -5, 20, -5, -10 } },	/* ß */
};
#define NCUES (sizeof(cues) / sizeof(cues[0]))

/* A word of the lists above, and what it says of each language: 1 when
 * it is one of its common words, 2 when one of its markers, 3 both. */
struct langword {
	const char *w;		/* in the list, not terminated */
	size_t n;
	unsigned long hash;	/* sm_hash, as the tokens' */
	unsigned char in[NLANGS];
};

struct sm_langid {
	void *fp[NLANGS];
	struct langword *words;	/* open addressing, by hash */
	size_t capwords;
};

static struct langword *
langword_slot(const struct sm_langid *li, const char *w, size_t n,
    unsigned long hash)
{
	size_t i;

	for (i = hash & (li->capwords - 1); li->words[i].w;
	    i = (i + 1) & (li->capwords - 1))
		if (li->words[i].hash == hash && li->words[i].n == n &&
		    memcmp(li->words[i].w, w, n) == 0)
			break;
	return &li->words[i];
}

/* The lists' words, in a table: a message's words are looked up once each,
 * not searched for in eighteen strings. */
static void
index_words(struct sm_langid *li)
{
	size_t nwords = 0;

	for (size_t l = 0; l < NLANGS; l++)
		for (const char *p = stopwords[l]; *p; p++)
			nwords += *p == ' ';
	for (size_t l = 0; l < NLANGS; l++)
		for (const char *p = markers[l]; *p; p++)
			nwords += *p == ' ';
	for (li->capwords = 64; li->capwords < 2 * nwords; li->capwords *= 2)
		;
	li->words = xcalloc(li->capwords, sizeof(*li->words));
	for (size_t l = 0; l < NLANGS; l++)
		for (int m = 0; m < 2; m++) {
			const char *p = m ? markers[l] : stopwords[l];

			while (*p) {
				size_t n = strcspn(p, " ");
				struct langword *e;

				if (n > 0) {
					unsigned long h = sm_hash(p, n);

					e = langword_slot(li, p, n, h);
					e->w = p;
					e->n = n;
					e->hash = h;
					e->in[l] |= (unsigned char)(1 + m);
				}
				p += n + (p[n] == ' ');
			}
		}
}

struct sm_langid *
sm_langid_new(const char *dir, char *err, size_t errsize)
{
	struct sm_langid *li = xcalloc(1, sizeof(*li));
	char path[4096];

	if (dir == NULL)
		dir = getenv("SM_TEXTCAT_DIR");
	if (dir == NULL || *dir == '\0')
		dir = SM_TEXTCAT_DIR;
	for (size_t i = 0; i < NLANGS; i++) {
		snprintf(path, sizeof(path), "%s/%s.lm", dir, sm_langs[i]);
		li->fp[i] = fp_Init(sm_langs[i]);
		/* check first: libexttextcat prints its own complaint */
		if (li->fp[i] == NULL || access(path, R_OK) != 0 ||
		    fp_Read(li->fp[i], path, 400) == 0) {
			snprintf(err, errsize, "cannot read language model "
			    "%s", path);
			sm_langid_free(li);
			return NULL;
		}
	}
	index_words(li);
	return li;
}

void
sm_langid_free(struct sm_langid *li)
{
	if (li == NULL)
		return;
	for (size_t i = 0; i < NLANGS; i++)
		if (li->fp[i])
			fp_Done(li->fp[i]);
	free(li->words);
	free(li);
}

static int
is_ascii_letter(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * The cues of the raw text (two-byte UTF-8 of Latin-1), in tenths; and
 * an elided article or pronoun that starts a word ("s'ha", "l'home",
 * "d'aigua"), which Catalan writes all the time, French and Italian
 * often, and Spanish, Galician and English never ("it's" ends a word).
 */
static void
add_cues(const char *raw, size_t n, double *score)
{
	static const signed char elision[NLANGS] = {
		-5, -3, 10, -3, -5, 5, 0, 3, -5
	};
	int seen[NCUES] = { 0 }, elided = 0;

	for (size_t i = 1; raw && !elided && i + 2 < n; i++)
		if ((raw[i + 1] == '\'' || (raw[i + 1] == '\xe2' &&
		    i + 4 < n && raw[i + 2] == '\x80' && raw[i + 3] == '\x99')) &&
		    strchr("sldmnSLDMN", raw[i]) && !is_ascii_letter(raw[i - 1]) &&
		    (unsigned char)raw[i - 1] < 0x80) {
			elided = 1;
			for (size_t l = 0; l < NLANGS; l++)
				score[l] += elision[l] / 10.0;
		}

	for (size_t i = 0; raw && i + 1 < n; i++) {
		unsigned char a = (unsigned char)raw[i];
		unsigned cp;

		if (a != 0xc2 && a != 0xc3)
			continue;
		cp = (unsigned)(a & 0x1f) << 6 | ((unsigned char)raw[i + 1] &
		    0x3f);
		if (cp >= 0xc0 && cp <= 0xde && cp != 0xd7)
			cp += 0x20;	/* lower case */
		for (size_t k = 0; k < NCUES; k++)
			if (cues[k].cp == cp && !seen[k]) {
				seen[k] = 1;
				for (size_t l = 0; l < NLANGS; l++)
					score[l] += cues[k].w[l] / 10.0;
			}
	}
}

enum { LANG_ES, LANG_EN, LANG_CA, LANG_EU, LANG_GL, LANG_FR, LANG_DE, LANG_IT,
	LANG_PT };	/* sm_langs' order */
_Static_assert(LANG_PT + 1 == NLANGS, "a name for each of sm_langs");

/*
 * How words are spelt, where close languages part: Portuguese writes
 * "lh" and "nh" where Galician and Spanish write "ll" and "ñ", and ends
 * no word in "n" ("bem", "com", "levam"); Spanish and Galician end nouns
 * in "-ción" where Catalan writes "-ció" and Portuguese "-ção"; Galician
 * starts words with "x" and a vowel ("xa", "xente", "xuño") where Spanish
 * and Portuguese write "j" or "g"; and Spanish alone speaks to "vosotros"
 * ("tenéis", "estáis").  Galician alone writes "á" and "ás" as words
 * ("á porta": Portuguese writes "à"); and a Portuguese text of six words
 * seldom lacks all of "lh", "nh", a word ending in "m" ("em", "com",
 * "bem") and the letters "ã õ ç ê ô â à".  Each shape counts once per
 * text, in tenths, in the languages it points to (+) or away from (-).
 * Folded words; the accents are looked for in the raw text.
 */
enum { SHAPE_LH, SHAPE_NH, SHAPE_N, SHAPE_CION, SHAPE_X, SHAPE_VOS, SHAPE_A,
	SHAPE_NOPT, NSHAPES };
static const signed char shapes[NSHAPES][NLANGS] = {
	/* es  en  ca  eu  gl  fr  de  it  pt */
	{ -10, 0, -5, 0, -10, 0, 0, 0, 10 },	/* lh */
	{ -5, 0, -3, 0, -5, 0, 0, 0, 8 },	/* nh, not gl "unha" */
	{ 0, 0, 0, 0, 0, 0, 0, 0, -25 },		/* a word ending in n */
	{ 5, -3, -5, 0, 5, -5, 0, -5, -10 },	/* -ción, -cións, -ciones */
	{ -5, 0, 2, 0, 10, 0, 0, 0, -5 },	/* x and a vowel first */
	{ 10, 0, -5, 0, -5, 0, 0, 0, -5 },	/* -áis, -éis */
	{ -10, 0, 0, 0, 10, 0, 0, 0, -10 },	/* the word "á" or "ás" */
	{ 0, 0, 0, 0, 0, 0, 0, 0, -15 },	/* six words, none Portuguese */
};

static int
has_suffix(const char *w, size_t n, const char *suf)
{
	size_t k = strlen(suf);

	return n > k && memcmp(w + n - k, suf, k) == 0;
}

/* Whether raw[i] is where a word has ended: the end of the text, or an
 * ASCII byte that is no letter. */
static int
word_ends(const char *raw, size_t n, size_t i)
{
	return i >= n || ((unsigned char)raw[i] < 0x80 &&
	    !is_ascii_letter(raw[i]));
}

static void
add_shapes(const struct sm_text *t, const char *raw, size_t rawn,
    double *score)
{
	int seen[NSHAPES] = { 0 }, pt = 0;
	size_t words = 0;

	for (size_t i = 0; i < t->ntokens; i++) {
		const struct sm_token *tok = &t->tokens[i];
		const char *w = t->folded.data + tok->off;
		size_t n = tok->len;

		if (tok->type != SM_TOKEN_WORD || n < 2)
			continue;
		for (size_t k = 1; k < n; k++) {
			if (w[k] == 'h' && w[k - 1] == 'l')
				seen[SHAPE_LH] = 1;
			/* Galician's "unha", "algunha", "cunha", "dunha" */
			if (w[k] == 'h' && w[k - 1] == 'n' && !(k >= 2 &&
			    w[k - 2] == 'u' && k + 2 == n && w[k + 1] == 'a') &&
			    !(k >= 2 && w[k - 2] == 'u' && k + 3 == n &&
			    w[k + 1] == 'a' && w[k + 2] == 's'))
				seen[SHAPE_NH] = 1;
		}
		if (w[n - 1] == 'n' && n >= 3)
			seen[SHAPE_N] = 1;
		if (has_suffix(w, n, "cion") || has_suffix(w, n, "cions") ||
		    has_suffix(w, n, "ciones"))
			seen[SHAPE_CION] = 1;
		if (w[0] == 'x' && strchr("aeiou", w[1]))
			seen[SHAPE_X] = 1;
		if (w[n - 1] == 'm')
			pt = 1;
		words++;
	}
	pt |= seen[SHAPE_LH] | seen[SHAPE_NH];
	/* the accents, as written */
	for (size_t i = 0; raw && i + 1 < rawn; i++) {
		unsigned char b;

		if ((unsigned char)raw[i] != 0xc3)
			continue;
		b = (unsigned char)raw[i + 1];
		/* ã õ ç ê ô â à, and their capitals */
		if (strchr("\xa3\xb5\xa7\xaa\xb4\xa2\xa0", b | 0x20) != NULL)
			pt = 1;
		/* "á" or "ás" alone */
		if ((b == 0xa1 || b == 0x81) && (i == 0 ||
		    word_ends(raw, rawn, i - 1)) && (word_ends(raw, rawn, i + 2) ||
		    (raw[i + 2] == 's' && word_ends(raw, rawn, i + 3))))
			seen[SHAPE_A] = 1;
		/* "-áis", "-éis" at a word's end */
		if ((b == 0xa1 || b == 0xa9) && i + 4 <= rawn &&
		    raw[i + 2] == 'i' && raw[i + 3] == 's' &&
		    word_ends(raw, rawn, i + 4))
			seen[SHAPE_VOS] = 1;
	}
	if (!pt && words >= 6)
		seen[SHAPE_NOPT] = 1;
	for (size_t k = 0; k < NSHAPES; k++)
		if (seen[k])
			for (size_t l = 0; l < NLANGS; l++)
				score[l] += shapes[k][l] / 10.0;
}

const char *
sm_langid_detect(struct sm_langid *li, const struct sm_text *t,
    const char *raw, size_t n)
{
	return sm_langid_guess(li, t, raw, n, 0, NULL);
}

const char *
sm_langid_guess(struct sm_langid *li, const struct sm_text *t,
    const char *raw, size_t n, unsigned allowed, const char *fallback)
{
	unsigned hits[NLANGS] = { 0 }, words = 0;
	double score[NLANGS];
	struct sm_buf clean = { 0 };
	void *unknown;
	long best = -1, second = -1;
	const char *und = fallback ? fallback : "und";

	if ((allowed & ((1u << NLANGS) - 1)) == 0)
		allowed = (1u << NLANGS) - 1;
	for (size_t i = 0; i < t->ntokens; i++) {
		const struct sm_token *tok = &t->tokens[i];
		const struct langword *e;

		if (tok->type != SM_TOKEN_WORD)
			continue;
		words++;
		e = langword_slot(li, t->folded.data + tok->off, tok->len,
		    tok->hash);
		if (e->w)
			for (size_t l = 0; l < NLANGS; l++)
				hits[l] += (e->in[l] & 1) + (e->in[l] & 2);
	}
	if (words == 0)
		return und;
	/* n-grams of the words only: no links, mentions or numbers */
	for (size_t i = 0; i < t->ntokens; i++)
		if (t->tokens[i].type == SM_TOKEN_WORD) {
			sm_buf_add(&clean, t->folded.data + t->tokens[i].off,
			    t->tokens[i].len);
			sm_buf_addc(&clean, ' ');
		}
	unknown = fp_Init(NULL);
	for (size_t l = 0; l < NLANGS; l++)
		score[l] = 0;
	if (unknown && clean.len >= 12 && fp_Create(unknown, clean.data,
	    (unsigned)clean.len, 400)) {
		sint4 d[NLANGS], lo = INT32_MAX;

		for (size_t l = 0; l < NLANGS; l++) {
			if (!(allowed & 1u << l))
				continue;
			d[l] = fp_Compare(li->fp[l], unknown, INT32_MAX);
			if (d[l] < lo)
				lo = d[l];
		}
		/* within 3% of the best distance counts as much as a hit */
		for (size_t l = 0; l < NLANGS; l++)
			if (allowed & 1u << l) {
				score[l] = lo > 0 ? 2.0 - (double)d[l] / lo : 0;
				score[l] = score[l] > 0 ? score[l] * 30 - 29 :
				    -1;
			}
		/*
		 * Galician's profile is a small one, and its n-grams are
		 * Spanish's and Portuguese's: where those two are nearest,
		 * Galician is taken as nearly as near, and the words, not
		 * the n-grams, say whether it is Galician.
		 */
		if ((allowed & 1u << LANG_GL) && score[LANG_GL] < -0.5 &&
		    (((allowed & 1u << LANG_ES) && d[LANG_ES] == lo) ||
		    ((allowed & 1u << LANG_PT) && d[LANG_PT] == lo)))
			score[LANG_GL] = -0.5;
	}
	if (unknown)
		fp_Done(unknown);
	sm_buf_free(&clean);
	add_cues(raw, n, score);
	add_shapes(t, raw, n, score);
	for (size_t l = 0; l < NLANGS; l++) {
		if (!(allowed & 1u << l))
			continue;
		score[l] += hits[l];
		if (best < 0 || score[l] > score[best])
			best = (long)l;
	}
	if (allowed == 1u << best)
		return sm_langs[best];	/* the only one it may be */
	for (size_t l = 0; l < NLANGS; l++)
		if ((allowed & 1u << l) && (long)l != best &&
		    (second < 0 || score[l] > score[second]))
			second = (long)l;
	if (score[best] < 1 || score[best] - score[second] < 0.5)
		return und;
	return sm_langs[best];
}
