/* quote.c - the new text of a reply: quotes, attributions and signatures
 * stripped */
#include <stdlib.h>
#include <string.h>

#include "sm/quote.h"
#include "sm/util.h"

static int
is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}

struct line {
	const char *s;
	size_t n;		/* trimmed of trailing white space */
};

static int
starts_ci(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && sm_ascii_ncasecmp(s, prefix, k) == 0;
}

static int
ends_ci(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && sm_ascii_ncasecmp(s + n - k, suffix, k) == 0;
}

static int
attribution(const char *s, size_t n)
{
	static const char *const verbs[] = {
		"wrote:", "escribi\xc3\xb3:", "escribio:", "escriure:",
		"ha escrit:", "escribiu:", "idatzi zuen:", "idatzi du:",
		"a \xc3\xa9" "crit :", "a \xc3\xa9" "crit:", "schrieb:",
		"ha scritto:", "escreveu:", NULL
	};
	size_t i;
	int clue = 0;

	for (i = 0; i < n; i++)
		if (is_digit((unsigned char)s[i]) || s[i] == '@')
			clue = 1;
	if (!clue || n > 400)
		return 0;
	for (i = 0; verbs[i]; i++)
		if (ends_ci(s, n, verbs[i]))
			return 1;
	/* Basque Gmail puts the date after the verb: "idatzi zuen (...):" */
	if (n > 0 && s[n - 1] == ':')
		for (i = 0; i + 11 <= n; i++)
			if (sm_ascii_ncasecmp(s + i, "idatzi zuen", 11) == 0)
				return 1;
	return 0;
}

static int
attribution_start(const char *s, size_t n)
{
	static const char *const starts[] = {
		"On ", "El ", "O ", "No ", "Le ", "Am ", "Il ", "Em ",
		NULL
	};
	size_t i;

	for (i = 0; starts[i]; i++)
		if (starts_ci(s, n, starts[i]))
			return 1;
	return 0;
}

static int
separator(const char *s, size_t n)
{
	static const char *const names[] = {
		"original message", "mensaje original", "missatge original",
		"mensaxe orixinal", "jatorrizko mezua", "mezu originala",
		"message d'origine", "urspr\xc3\xbcngliche nachricht",
		"messaggio originale", "mensagem original", NULL
	};
	size_t a = 0, b = n, i;

	while (a < b && (s[a] == '-' || s[a] == ' ' || s[a] == '_'))
		a++;
	while (b > a && (s[b - 1] == '-' || s[b - 1] == ' ' || s[b - 1] == '_'))
		b--;
	if (a < 3 || n - b < 3)
		return 0;
	for (i = 0; names[i]; i++)
		if (b - a == strlen(names[i]) &&
		    sm_ascii_ncasecmp(s + a, names[i], b - a) == 0)
			return 1;
	return 0;
}

static int
field_is(const char *s, size_t n, const char *const *names)
{
	size_t i, k;

	while (n > 0 && *s == '*') {
		s++;
		n--;
	}
	for (i = 0; names[i]; i++) {
		k = strlen(names[i]);
		if (n > k && sm_ascii_ncasecmp(s, names[i], k) == 0 &&
		    (s[k] == ':' || (s[k] == '*' && k + 1 < n &&
		    s[k + 1] == ':')))
			return 1;
	}
	return 0;
}

static const char *const from_fields[] = {
	"From", "De", "Von", "Remitente", "Nork", "Da", "Igorlea", NULL
};

static const char *const other_fields[] = {
	"Sent", "Date", "Enviado", "Enviado el", "Enviat", "Fecha", "Data",
	"Gesendet", "Bidalia", "Noiz", "To", "Para", "Per a", "Nori", "A",
	"Subject", "Asunto", "Assumpte", "Gaia", "Cc", "Objet", "Betreff",
	"Oggetto", "Envoy\xc3\xa9", NULL
};

static int
header_block(const struct line *l, size_t nl, size_t i)
{
	size_t k;

	if (!field_is(l[i].s, l[i].n, from_fields))
		return 0;
	for (k = i + 1; k < nl && k <= i + 5; k++)
		if (field_is(l[k].s, l[k].n, other_fields))
			return 1;
	return 0;
}

static int
underline(const char *s, size_t n)
{
	size_t i;

	if (n < 10)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] != '_' && s[i] != '-')
			return 0;
	return 1;
}

static int
sent_from(const char *s, size_t n)
{
	static const char *const p[] = {
		"Sent from my ", "Enviado desde mi ",
		"Enviat des del meu ", "Enviado dende o meu ",
		"Nire iPhone-tik bidalia", "Get Outlook for ",
		"Obtener Outlook para ", "Descarga Outlook para ", NULL
	};
	size_t i;

	for (i = 0; p[i]; i++)
		if (starts_ci(s, n, p[i]))
			return n < 80;
	return 0;
}

/* a line of the result: no white space at the start of it all */
static void
add_line(struct sm_buf *out, const struct line *l)
{
	size_t k = 0;

	if (out->len == 0)
		while (k < l->n && sm_ascii_space((unsigned char)l->s[k]))
			k++;
	sm_buf_add(out, l->s + k, l->n - k);
}

/* The first n lines but those dropped (drop may be NULL), runs of blank
 * lines made one, none at the start. */
static void
join_lines(struct sm_buf *out, const struct line *l, size_t n,
    const unsigned char *drop)
{
	int blank = 0;

	for (size_t i = 0; i < n; i++) {
		if (drop && drop[i])
			continue;
		if (l[i].n == 0) {
			blank = out->len > 0;
			continue;
		}
		if (blank)
			sm_buf_adds(out, "\n\n");
		else if (out->len > 0)
			sm_buf_addc(out, '\n');
		blank = 0;
		add_line(out, &l[i]);
	}
}

static size_t
next_nonblank(const struct line *l, size_t nl, size_t i)
{
	while (i < nl && l[i].n == 0)
		i++;
	return i;
}

char *
sm_quote_strip(const char *text)
{
	struct line *l = NULL;
	size_t nl = 0, cap = 0, i, cut, k;
	const char *p = text, *e;
	unsigned char *drop;
	struct sm_buf out = { 0 }, joined = { 0 };

	for (;;) {
		e = strchr(p, '\n');
		if (nl == cap) {
			cap = cap ? cap * 2 : 64;
			l = xreallocarray(l, cap, sizeof(*l));
		}
		l[nl].s = p;
		l[nl].n = e ? (size_t)(e - p) : strlen(p);
		while (l[nl].n > 0 &&
		    sm_ascii_space((unsigned char)p[l[nl].n - 1]))
			l[nl].n--;
		nl++;
		if (e == NULL)
			break;
		p = e + 1;
	}
	drop = xcalloc(nl, 1);
	cut = nl;
	for (i = 0; i < nl && cut == nl; i++) {
		const char *s = l[i].s;
		size_t n = l[i].n, span = 0;

		if (n > 0 && s[0] == '>') {
			drop[i] = 1;
			continue;
		}
		if ((n == 2 && memcmp(s, "--", 2) == 0) || separator(s, n) ||
		    header_block(l, nl, i) ||
		    (underline(s, n) && (k = next_nonblank(l, nl, i + 1)) < nl
		    && header_block(l, nl, k))) {
			cut = i;
			break;
		}
		if (sent_from(s, n)) {
			drop[i] = 1;
			continue;
		}
		if (attribution(s, n))
			span = 1;
		else if (i + 1 < nl && n > 0 && attribution_start(s, n) &&
		    l[i + 1].n > 0) {
			sm_buf_reset(&joined);
			sm_buf_add(&joined, s, n);
			sm_buf_addc(&joined, ' ');
			sm_buf_add(&joined, l[i + 1].s, l[i + 1].n);
			if (attribution(joined.data, joined.len))
				span = 2;
		}
		if (span) {
			k = next_nonblank(l, nl, i + span);
			if (k < nl && l[k].s[0] == '>') {
				drop[i] = 1;
				drop[i + span - 1] = 1;
				i += span - 1;
			} else
				cut = i;
		}
	}
	join_lines(&out, l, cut, drop);
	if (out.len == 0) {
		/* all of it was quoted: better the whole than nothing */
		sm_buf_reset(&out);
		join_lines(&out, l, nl, NULL);
	}
	if (out.data == NULL)
		sm_buf_add(&out, "", 0);
	free(l);
	free(drop);
	sm_buf_free(&joined);
	return out.data;
}
