/* terms.c - the words and phrases most characteristic of a set of messages */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "sm/stats.h"
#include "sm/terms.h"
#include "sm/text.h"
#include "sm/util.h"

#define DEFAULT_MAX 200000

/*
 * Words that say nothing of what a message is about, in the languages of
 * the built-in rule pack and their neighbours; folded, as the tokens are.
 * Verbs of every message to a town hall (have, be, there is, want) too.
 */
static const char *const stop_text[] = {
	/* es */
	"el la los las lo un una unos unas uno de del al a en y e o u ni que "
	"por para con sin sobre entre hasta desde hacia tras se su sus mi mis "
	"tu tus nos les le me te ya no si es son era fue ser estar esta este "
	"estos estas ese esa esos esas eso esto aqui alli ahi hay ha han he "
	"hemos habia muy mas menos pero como cuando donde quien cual porque "
	"pues tambien tampoco solo todo toda todos todas otro otra otros otras "
	"mismo misma tan tanto cada algo nada alguien nadie algun alguna "
	"ningun ninguna tengo tiene tienen tenemos hace hacen hacer puede "
	"pueden poder quiero queremos gracias hola buenos buenas dias favor "
	"saludos estan estamos esta aun ahora hoy ayer asi bien mal vez veces "
	"llevamos lleva llevan sigue siguen usted ustedes vosotros nosotros "
	"ellos ellas ella yo vuestro nuestro nuestra vuestra soy eres somos "
	"estoy estas estamos mucho mucha muchos muchas poco poca pocos pocas "
	"va vamos van voy ir sea sean "
	/* what every message to a town hall names */
	"ayuntamiento ajuntament concello udala udaletxea council city "
	"town hall calle carrer rua kalea street",
	/* ca */
	"els les del dels per amb sense sobre fins des cap als seu seva seus "
	"seves meu meva teu teva ens us es hi ho li ja pero com quan on qui "
	"quin quina perque tambe nomes tot tota tots totes altre altra altres "
	"molt molta molts moltes mes menys aquest aquesta aquests aquestes "
	"aquell aquella aixo aqui alla ha han hem heu som sou era van fer fa "
	"fan tinc te tenen tenim pot poden vull volem gracies bon dia dies "
	"salutacions encara ara avui ahir aixi be mal vegada vegades porta "
	"porten segueix",
	/* gl */
	"os as do da dos das no na nos nas un unha uns unhas ao aos co coa "
	"cos coas sen ata dende desde polo pola polos polas seu sua seus suas "
	"meu mina teu tua xa pero como cando onde quen cal porque tamen "
	"so todo toda todos todas outro outra outros outras moi mais menos "
	"este esta estes estas ese esa iso isto aqui ali hai ten teñen temos "
	"fai fan facer pode poden quero queremos grazas ola bos boas dias "
	"agora hoxe onte asi ben mal vez veces leva levan segue seguen eu "
	"vostede vostedes nosoutros eles elas",
	/* eu */
	"eta edo da dira du dute dut dugu zen ziren ez bai bat batzuk hau "
	"hori hura hauek horiek ere baina oso gure zure nire bere haien "
	"zuen beste dena guztia guztiak nola non noiz zer zein zergatik "
	"eskerrik asko kaixo egun on arratsalde gaur atzo orain hemen hor "
	"han izan egin ari dago daude dagoela naiz gara zara al ala ezta "
	"ere bezala",
	/* en */
	"the a an and or but if of to in on at by for with without from into "
	"over under about as is are was were be been being am do does did "
	"have has had having it its this that these those there here i me my "
	"we us our you your he him his she her they them their what which who "
	"whom when where why how not no nor so too very can could will would "
	"should may might must all any some each every other another more most "
	"less just only also again still yet now today yesterday please "
	"thanks thank hello hi dear regards good morning afternoon get got "
	"one two since been there's it's i'm don't",
	/* fr, pt, it: the neighbours most often heard */
	"le les des du au aux et ou mais donc car ni que qui quoi dont est "
	"sont etre avoir ai as avons avez ont fait faire pour par avec sans "
	"sur sous dans ce cet cette ces mon ma mes ton ta tes son sa ses "
	"notre votre leur nous vous ils elles je tu il elle pas plus tres "
	"bien merci bonjour tout tous toute toutes "
	"um uma uns umas em no na nos nas ao aos pelo pela pelos pelas com "
	"sem sao foi ser estar tem temos fazer pode obrigado obrigada voce "
	"il lo gli della delle dei di da per con sono essere avere grazie "
	"ciao questo questa quello quella",
};

struct count {
	uint8_t cls;
	uint32_t n;
};

struct entry {
	char *text;		/* NULL: a free place */
	char *shown;		/* as written, accents kept; NULL: as text */
	unsigned long hash;
	size_t total;
	unsigned long seen;	/* the last message that counted it */
	size_t proper;		/* messages where it is written as a name */
	struct count *c;
	uint8_t nc;
};

struct sm_terms {
	struct entry *e;
	size_t cap, n, max;
	char *names[SM_TERMS_MAX_CLASSES];
	size_t docs[SM_TERMS_MAX_CLASSES];
	size_t nclasses;
	unsigned long message;	/* messages added */
	struct sm_text text;
	struct sm_buf term;
	char **stop;		/* the stop words, a set by open addressing */
	unsigned char *stoplen;	/* and their lengths */
	size_t stopcap;
	struct sm_buf capitals;	/* the message's capitalised words, " a b " */
	struct sm_buf word;
	int no_names;		/* leave out terms written as names */
};

/* ------------------------------------------------------------------ */

static void
stop_load(struct sm_terms *t)
{
	size_t i, cap = 2048, h, n;
	const char *p, *q;

	t->stop = xcalloc(cap, sizeof(*t->stop));
	t->stoplen = xcalloc(cap, sizeof(*t->stoplen));
	t->stopcap = cap;
	for (i = 0; i < sizeof(stop_text) / sizeof(stop_text[0]); i++)
		for (p = stop_text[i]; *p; p = *q ? q + 1 : q) {
			if ((q = strchr(p, ' ')) == NULL)
				q = p + strlen(p);
			if ((n = (size_t)(q - p)) == 0 || n > 255)
				continue;
			for (h = sm_hash(p, n) & (cap - 1); t->stop[h];
			    h = (h + 1) & (cap - 1))
				if (t->stoplen[h] == n &&
				    memcmp(t->stop[h], p, n) == 0)
					break;
			if (t->stop[h] == NULL) {
				t->stop[h] = xstrndup(p, n);
				t->stoplen[h] = (unsigned char)n;
			}
		}
}

static int
is_stop(const struct sm_terms *t, const char *w, size_t n, unsigned long hash)
{
	size_t h;

	for (h = hash & (t->stopcap - 1); t->stop[h];
	    h = (h + 1) & (t->stopcap - 1))
		if (t->stoplen[h] == n && memcmp(t->stop[h], w, n) == 0)
			return 1;
	return 0;
}

struct sm_terms *
sm_terms_new(size_t max)
{
	struct sm_terms *t = xcalloc(1, sizeof(*t));

	t->max = max ? max : DEFAULT_MAX;
	t->cap = 1024;
	t->e = xcalloc(t->cap, sizeof(*t->e));
	stop_load(t);
	return t;
}

void
sm_terms_free(struct sm_terms *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->cap; i++) {
		free(t->e[i].text);
		free(t->e[i].shown);
		free(t->e[i].c);
	}
	free(t->e);
	for (i = 0; i < t->nclasses; i++)
		free(t->names[i]);
	for (i = 0; i < t->stopcap; i++)
		free(t->stop[i]);
	free(t->stop);
	free(t->stoplen);
	sm_text_free(&t->text);
	sm_buf_free(&t->term);
	sm_buf_free(&t->capitals);
	sm_buf_free(&t->word);
	free(t);
}

int
sm_terms_class(struct sm_terms *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nclasses; i++)
		if (strcmp(t->names[i], name) == 0)
			return (int)i;
	if (t->nclasses == SM_TERMS_MAX_CLASSES)
		return -1;
	t->names[t->nclasses] = xstrdup(name);
	return (int)t->nclasses++;
}

size_t
sm_terms_nclasses(const struct sm_terms *t)
{
	return t->nclasses;
}

const char *
sm_terms_class_name(const struct sm_terms *t, size_t cls)
{
	return cls < t->nclasses ? t->names[cls] : NULL;
}

size_t
sm_terms_messages(const struct sm_terms *t, size_t cls)
{
	return cls < t->nclasses ? t->docs[cls] : 0;
}

/* ------------------------------------------------------------------ */
/* The table of terms */

static struct entry *
find(const struct sm_terms *t, const char *s, size_t n, unsigned long h)
{
	size_t i;

	for (i = h & (t->cap - 1); t->e[i].text; i = (i + 1) & (t->cap - 1))
		if (t->e[i].hash == h && strlen(t->e[i].text) == n &&
		    memcmp(t->e[i].text, s, n) == 0)
			return &t->e[i];
	return &t->e[i];
}

/* Puts the entries whose total is above floor into a table of cap. */
static void
rebuild(struct sm_terms *t, size_t cap, size_t floor)
{
	struct entry *old = t->e, *to;
	size_t oldcap = t->cap, i;

	t->e = xcalloc(cap, sizeof(*t->e));
	t->cap = cap;
	t->n = 0;
	for (i = 0; i < oldcap; i++) {
		if (old[i].text == NULL)
			continue;
		if (old[i].total <= floor) {
			free(old[i].text);
			free(old[i].shown);
			free(old[i].c);
			continue;
		}
		to = find(t, old[i].text, strlen(old[i].text), old[i].hash);
		*to = old[i];
		t->n++;
	}
	free(old);
}

/*
 * Past the maximum, the rarest terms go: those seen in at most as many
 * messages as leaves a quarter of the room free, found from how many
 * terms have each count, in one pass.
 */
#define PRUNE_COUNTS 256

static void
prune(struct sm_terms *t)
{
	size_t have[PRUNE_COUNTS + 1] = { 0 }, i, floor, left = t->n;

	for (i = 0; i < t->cap; i++)
		if (t->e[i].text)
			have[t->e[i].total < PRUNE_COUNTS ? t->e[i].total :
			    PRUNE_COUNTS]++;
	for (floor = 1; floor < PRUNE_COUNTS; floor++)
		if ((left -= have[floor]) <= t->max * 3 / 4)
			break;
	rebuild(t, t->cap, floor);
	/* every term frequent: the least frequent of them go */
	while (t->n > t->max)
		rebuild(t, t->cap, floor *= 2);
}

/* An uppercase letter first: A-Z, or Latin-1's À-Þ in UTF-8. */
static int
capital(const unsigned char *w, size_t n)
{
	if (n >= 1 && w[0] >= 'A' && w[0] <= 'Z')
		return 1;
	return n >= 2 && w[0] == 0xc3 && w[1] >= 0x80 && w[1] <= 0x9e &&
	    w[1] != 0x97;
}

/*
 * The words written with a capital inside a sentence (not its first): the
 * names of people, streets and places; folded, into t->capitals.
 */
static void
find_names(struct sm_terms *t, const char *text, size_t n)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + n, *q;
	int first = 1;
	size_t k;

	sm_buf_reset(&t->capitals);
	sm_buf_addc(&t->capitals, ' ');
	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\n' || *p == '\t'))
			p++;
		for (q = p; q < end && *q != ' ' && *q != '\n' && *q != '\t';
		    q++)
			;
		if (q == p)
			break;
		/* ¿, ¡, quotes and brackets before a word */
		while (p < q && (strchr("\"'([", *p) || (*p == 0xc2 && p + 1 < q &&
		    (p[1] == 0xbf || p[1] == 0xa1))))
			p += *p == 0xc2 ? 2 : 1;
		if (!first && capital(p, (size_t)(q - p))) {
			sm_buf_reset(&t->word);
			sm_text_fold(&t->word, (const char *)p, (size_t)(q - p));
			for (k = t->word.len; k > 0 &&
			    strchr(".,;:!?)]\"'", t->word.data[k - 1]); k--)
				;
			sm_buf_add(&t->capitals, t->word.data, k);
			sm_buf_addc(&t->capitals, ' ');
		}
		first = q > p && strchr(".!?:", q[-1]) != NULL;
		p = q;
	}
}

/* w (n bytes) is one of the message's capitalised words. */
static int
capitalised(const struct sm_terms *t, const char *w, size_t n)
{
	const char *p = t->capitals.data, *end = p + t->capitals.len, *q;

	for (; p < end; p = q + 1) {
		if ((q = memchr(p, ' ', (size_t)(end - p))) == NULL)
			q = end;
		if ((size_t)(q - p) == n && memcmp(p, w, n) == 0)
			return 1;
	}
	return 0;
}

/* s (n bytes, one word or two) has a word written as a name here. */
static int
is_name(const struct sm_terms *t, const char *s, size_t n)
{
	const char *sp = memchr(s, ' ', n);

	if (sp == NULL)
		return capitalised(t, s, n);
	return capitalised(t, s, (size_t)(sp - s)) ||
	    capitalised(t, sp + 1, n - (size_t)(sp + 1 - s));
}

static void
count(struct sm_terms *t, int cls, const char *s, size_t n, unsigned long h)
{
	struct entry *e;
	uint8_t i;

	if ((t->n + 1) * 2 > t->cap)
		rebuild(t, t->cap * 2, 0);
	e = find(t, s, n, h);
	if (e->text == NULL) {
		e->text = xstrndup(s, n);
		e->hash = h;
		t->n++;
	} else if (e->seen == t->message)
		return;		/* once a message */
	e->seen = t->message;
	e->total++;
	if (is_name(t, s, n))
		e->proper++;
	for (i = 0; i < e->nc; i++)
		if (e->c[i].cls == cls) {
			e->c[i].n++;
			return;
		}
	e->c = xreallocarray(e->c, (size_t)e->nc + 1, sizeof(*e->c));
	e->c[e->nc].cls = (uint8_t)cls;
	e->c[e->nc++].n = 1;
}

static size_t
count_in(const struct entry *e, size_t cls)
{
	uint8_t i;

	for (i = 0; i < e->nc; i++)
		if (e->c[i].cls == cls)
			return e->c[i].n;
	return 0;
}

/* A word of an e-mail address or a link: personal, or noise. */
static int
in_address(const char *f, size_t len, const struct sm_token *tok)
{
	size_t a = tok->off, b = tok->off + tok->len;

	while (a > 0 && f[a - 1] != ' ' && f[a - 1] != '\n' &&
	    f[a - 1] != '\t')
		a--;
	while (b < len && f[b] != ' ' && f[b] != '\n' && f[b] != '\t')
		b++;
	for (; a < b; a++)
		if (f[a] == '@' || f[a] == '/')
			return 1;
	return 0;
}

/* A token that can be a term, or part of a phrase. */
static int
content(const struct sm_terms *t, const struct sm_token *tok,
    const char *folded)
{
	size_t i;

	if (tok->type == SM_TOKEN_HASHTAG)
		return tok->len > 0;
	if (tok->type != SM_TOKEN_WORD || tok->len < 3)
		return 0;
	/* a word with a digit is a number, a plate, a DNI, a phone */
	for (i = 0; i < tok->len; i++)
		if (folded[tok->off + i] >= '0' && folded[tok->off + i] <= '9')
			return 0;
	return !in_address(folded, t->text.folded.len, tok) &&
	    !is_stop(t, folded + tok->off, tok->len, tok->hash);
}

/* Two words with only spaces between them, not a comma or a stop. */
static int
adjacent(const char *f, const struct sm_token *a, const struct sm_token *b)
{
	for (size_t i = a->off + a->len; i < b->off; i++)
		if (f[i] != ' ')
			return 0;
	return 1;
}

/* Calls fn with each term of text: words, hashtags, two-word phrases. */
static void
each_term(struct sm_terms *t, const char *text, size_t n,
    void (*fn)(struct sm_terms *, void *, const char *, size_t,
    unsigned long), void *arg)
{
	const struct sm_token *tok, *prev = NULL;
	const char *f;
	size_t i;

	sm_text_analyze(&t->text, text, n);
	f = t->text.folded.data;
	for (i = 0; i < t->text.ntokens; i++) {
		tok = &t->text.tokens[i];
		if (!content(t, tok, f)) {
			prev = NULL;
			continue;
		}
		sm_buf_reset(&t->term);
		if (tok->type == SM_TOKEN_HASHTAG)
			sm_buf_addc(&t->term, '#');
		sm_buf_add(&t->term, f + tok->off, tok->len);
		/* a word's hash is its token's */
		fn(t, arg, t->term.data, t->term.len, tok->type ==
		    SM_TOKEN_HASHTAG ? sm_hash(t->term.data, t->term.len) :
		    tok->hash);
		if (prev && prev->type == SM_TOKEN_WORD &&
		    tok->type == SM_TOKEN_WORD &&
		    adjacent(f, prev, tok)) {
			sm_buf_reset(&t->term);
			sm_buf_add(&t->term, f + prev->off, prev->len);
			sm_buf_addc(&t->term, ' ');
			sm_buf_add(&t->term, f + tok->off, tok->len);
			fn(t, arg, t->term.data, t->term.len,
			    sm_hash(t->term.data, t->term.len));
		}
		prev = tok;
	}
}

/* A letter, or a mark on one. */
static int
letter(utf8proc_int32_t cp)
{
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC:
		return 1;
	default:
		return 0;
	}
}

static int
word_byte(unsigned char c)
{
	return c >= 0x80 || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* The first (or, with last, the final) code point of s[a..b) is a letter. */
static int
letter_at(const unsigned char *s, size_t a, size_t b, int last, size_t *len)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t k;
	size_t at = a;

	if (last)
		for (at = b - 1; at > a && (s[at] & 0xc0) == 0x80; at--)
			;
	k = utf8proc_iterate(s + at, (utf8proc_ssize_t)(b - at), &cp);
	*len = k > 0 ? (size_t)k : 1;
	return k > 0 && letter(cp);
}

/*
 * Terms are counted folded ("calefaccion"), and shown as people write
 * them: each word of the text written with a letter past ASCII gives its
 * spelling, in lower case, to its term if that has none yet.
 */
static void
find_spellings(struct sm_terms *t, const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text, *hi;
	utf8proc_uint8_t *low;
	struct entry *e;
	size_t i = 0, a, b, len;

	while (i < n) {
		/* the word around the next byte past ASCII */
		for (hi = s + i; hi < s + n && *hi < 0x80; hi++)
			;
		if (hi == s + n)
			break;
		a = b = (size_t)(hi - s);
		while (a > i && word_byte(s[a - 1]))
			a--;
		while (b < n && word_byte(s[b]))
			b++;
		i = b;
		/* without the ¿, ¡, « and » around it */
		while (a < b && !letter_at(s, a, b, 0, &len))
			a += len;
		while (a < b && !letter_at(s, a, b, 1, &len))
			b -= len;
		if (a == b)
			continue;
		sm_buf_reset(&t->word);
		if (sm_text_fold(&t->word, text + a, b - a) < 0 ||
		    t->word.len == 0)
			continue;
		e = find(t, t->word.data, t->word.len, sm_hash(t->word.data,
		    t->word.len));
		if (e->text == NULL || e->shown)
			continue;
		low = NULL;
		if (utf8proc_map(s + a, (utf8proc_ssize_t)(b - a), &low,
		    UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD) > 0 &&
		    strcmp((const char *)low, e->text) != 0)
			e->shown = xstrdup((const char *)low);
		free(low);
	}
}

/*
 * A term as shown: its spelling; a phrase or a hashtag, from its words'
 * (kept once made).
 */
static const char *
shown(struct sm_terms *t, struct entry *e)
{
	struct sm_buf b = { 0 };
	const char *p = e->text, *q;
	struct entry *w;
	int changed = 0;

	if (e->shown || (strchr(p, ' ') == NULL && *p != '#'))
		return e->shown ? e->shown : e->text;
	for (;;) {
		if (*p == '#' || *p == ' ')
			sm_buf_addc(&b, *p++);
		for (q = p; *q && *q != ' '; q++)
			;
		w = find(t, p, (size_t)(q - p), sm_hash(p, (size_t)(q - p)));
		if (w->text && w->shown) {
			sm_buf_adds(&b, w->shown);
			changed = 1;
		} else
			sm_buf_add(&b, p, (size_t)(q - p));
		if (*q == '\0')
			break;
		p = q;
	}
	if (changed) {
		e->shown = b.data;	/* NUL-terminated, as sm_buf keeps it */
		return e->shown;
	}
	sm_buf_free(&b);
	return e->text;
}

static void
count_term(struct sm_terms *t, void *arg, const char *s, size_t n,
    unsigned long h)
{
	count(t, *(int *)arg, s, n, h);
}

void
sm_terms_add(struct sm_terms *t, int cls, const char *text, size_t n)
{
	if (cls < 0 || (size_t)cls >= t->nclasses)
		return;
	t->message++;
	t->docs[cls]++;
	find_names(t, text, n);
	each_term(t, text, n, count_term, &cls);
	find_spellings(t, text, n);
	if (t->n > t->max)
		prune(t);
}

/* ------------------------------------------------------------------ */
/* The best */

/* Higher keyness first; equal ones in the order of their text. */
static int
better(const struct sm_term *a, const struct sm_term *b)
{
	if (a->keyness != b->keyness)
		return a->keyness > b->keyness;
	return strcmp(a->text, b->text) < 0;
}

/* Keeps out sorted, best first, at most k. */
static size_t
keep(struct sm_term *out, size_t have, size_t k, const struct sm_term *c)
{
	size_t i;

	if (have == k && !better(c, &out[k - 1]))
		return have;
	if (have < k)
		have++;
	for (i = have - 1; i > 0 && better(c, &out[i - 1]); i--)
		out[i] = out[i - 1];
	out[i] = *c;
	return have;
}

size_t
sm_terms_top(struct sm_terms *t, size_t cls, size_t min, struct sm_term *out,
    size_t k)
{
	size_t i, have = 0, c, d = 0, a;
	struct sm_term cand;

	if (cls >= t->nclasses || k == 0)
		return 0;
	for (i = 0; i < t->nclasses; i++)
		d += t->docs[i];
	c = t->docs[cls];
	d -= c;
	for (i = 0; i < t->cap; i++) {
		if (t->e[i].text == NULL || (a = count_in(&t->e[i], cls)) < min ||
		    (t->no_names && t->e[i].proper * 2 > t->e[i].total))
			continue;
		cand.text = t->e[i].text;
		cand.shown = shown(t, &t->e[i]);
		cand.n = a;
		cand.rest = t->e[i].total - a;
		/* against nothing, the most shared terms are what it is about */
		cand.keyness = d ? sm_keyness((double)a, (double)cand.rest,
		    (double)c, (double)d) : (double)a;
		if (cand.keyness > 0)
			have = keep(out, have, k, &cand);
	}
	return have;
}

size_t
sm_terms_rising(struct sm_terms *now, struct sm_terms *before, size_t min,
    struct sm_term *out, size_t k)
{
	size_t i, have = 0, c = 0, d = 0;
	struct sm_term cand;
	struct entry *b;

	for (i = 0; i < now->nclasses; i++)
		c += now->docs[i];
	for (i = 0; i < before->nclasses; i++)
		d += before->docs[i];
	if (c == 0 || d == 0 || k == 0)
		return 0;
	for (i = 0; i < now->cap; i++) {
		struct entry *e = &now->e[i];

		if (e->text == NULL || e->total < min ||
		    (now->no_names && e->proper * 2 > e->total))
			continue;
		b = find(before, e->text, strlen(e->text), e->hash);
		cand.text = e->text;
		cand.shown = shown(now, e);
		cand.n = e->total;
		cand.rest = b->text ? b->total : 0;
		cand.keyness = sm_keyness((double)cand.n, (double)cand.rest,
		    (double)c, (double)d);
		if (cand.keyness > 0)
			have = keep(out, have, k, &cand);
	}
	return have;
}

struct scoring {
	const struct sm_term *top;
	size_t ntop;
	double score;
};

static void
score_term(struct sm_terms *t, void *arg, const char *s, size_t n,
    unsigned long h)
{
	struct scoring *sc = arg;
	size_t i;

	(void)t;
	(void)h;
	for (i = 0; i < sc->ntop; i++)
		if (strlen(sc->top[i].text) == n &&
		    memcmp(sc->top[i].text, s, n) == 0) {
			sc->score += sc->top[i].keyness;
			return;
		}
}

double
sm_terms_score(struct sm_terms *t, const struct sm_term *top, size_t ntop,
    const char *text, size_t n)
{
	struct scoring sc = { top, ntop, 0 };

	each_term(t, text, n, score_term, &sc);
	return sc.score;
}

void
sm_terms_no_names(struct sm_terms *t, int on)
{
	t->no_names = on;
}
