/* pii.c - detect personal data in text, never copy it */
#include <stddef.h>
#include <string.h>

#include "sm/pii.h"

/*
 * One pass over the bytes.  At each place where a token may start (the
 * previous character is not a letter or digit) the detectors are tried
 * longest first, and a match is skipped whole, so the digits inside an IBAN
 * or a card are never looked at again as a phone or a DNI.  Every detector
 * reads a bounded number of bytes, except the e-mail one, which reads each
 * run of address characters once: the scan is linear.
 */

#define NOCP	(-2L)	/* no character: start or end of the text */
#define CARDMAX	19
#define DIGITLEAD 2	/* bytes before the first digit: "ES91", "(+34)" */

static const char dniletters[] = "TRWAGMYFPDXBNJZSQVHLCKE";

static const struct {
	char cc[3];
	unsigned char len;
} ibanlens[] = {
	{ "AD", 24 }, { "AE", 23 }, { "AL", 28 }, { "AT", 20 }, { "AZ", 28 },
	{ "BA", 20 }, { "BE", 16 }, { "BG", 22 }, { "BH", 22 }, { "BI", 27 },
	{ "BR", 29 }, { "BY", 28 }, { "CH", 21 }, { "CR", 22 }, { "CY", 28 },
	{ "CZ", 24 }, { "DE", 22 }, { "DJ", 27 }, { "DK", 18 }, { "DO", 28 },
	{ "EE", 20 }, { "EG", 29 }, { "ES", 24 }, { "FI", 18 }, { "FK", 18 },
	{ "FO", 18 }, { "FR", 27 }, { "GB", 22 }, { "GE", 22 }, { "GI", 23 },
	{ "GL", 18 }, { "GR", 27 }, { "GT", 28 }, { "HN", 28 }, { "HR", 21 },
	{ "HU", 28 }, { "IE", 22 }, { "IL", 23 }, { "IQ", 23 }, { "IS", 26 },
	{ "IT", 27 }, { "JO", 30 }, { "KW", 30 }, { "KZ", 20 }, { "LB", 28 },
	{ "LC", 32 }, { "LI", 21 }, { "LT", 20 }, { "LU", 20 }, { "LV", 21 },
	{ "LY", 25 }, { "MC", 27 }, { "MD", 24 }, { "ME", 22 }, { "MK", 19 },
	{ "MN", 20 }, { "MR", 27 }, { "MT", 31 }, { "MU", 30 }, { "NI", 28 },
	{ "NL", 18 }, { "NO", 15 }, { "OM", 23 }, { "PK", 24 }, { "PL", 28 },
	{ "PS", 29 }, { "PT", 25 }, { "QA", 29 }, { "RO", 24 }, { "RS", 22 },
	{ "RU", 33 }, { "SA", 24 }, { "SC", 31 }, { "SD", 18 }, { "SE", 24 },
	{ "SI", 19 }, { "SK", 24 }, { "SM", 27 }, { "SO", 23 }, { "ST", 25 },
	{ "SV", 28 }, { "TL", 23 }, { "TN", 24 }, { "TR", 26 }, { "UA", 29 },
	{ "VA", 22 }, { "VG", 24 }, { "XK", 20 }, { "YE", 30 },
};

/* Issuer prefixes: the first ndigits digits lie in [lo, hi]. */
static const struct {
	unsigned lo, hi;
	unsigned char ndigits, minlen, maxlen;
} iins[] = {
	{ 4, 4, 1, 13, 19 },		/* Visa */
	{ 51, 55, 2, 16, 16 },		/* Mastercard */
	{ 2221, 2720, 4, 16, 16 },
	{ 34, 34, 2, 15, 15 },		/* American Express */
	{ 37, 37, 2, 15, 15 },
	{ 6011, 6011, 4, 16, 19 },	/* Discover */
	{ 644, 649, 3, 16, 19 },
	{ 65, 65, 2, 16, 19 },
	{ 62, 62, 2, 16, 19 },		/* UnionPay */
	{ 3528, 3589, 4, 16, 19 },	/* JCB */
	{ 300, 305, 3, 14, 19 },	/* Diners Club */
	{ 36, 36, 2, 14, 19 },
	{ 38, 39, 2, 14, 19 },
	{ 2200, 2204, 4, 16, 19 },	/* Mir */
	{ 5018, 5018, 4, 13, 19 },	/* Maestro */
	{ 5020, 5020, 4, 13, 19 },
	{ 5038, 5038, 4, 13, 19 },
	{ 5893, 5893, 4, 13, 19 },
	{ 6304, 6304, 4, 13, 19 },
	{ 6759, 6759, 4, 13, 19 },
	{ 6761, 6763, 4, 13, 19 },
};

/* How Spanish numbers are written: group sizes, 0-terminated. */
static const unsigned char phonelayouts[][5] = {
	{ 9 }, { 3, 3, 3 }, { 3, 2, 2, 2 }, { 2, 3, 2, 2 },
};

/* ctype.h depends on the locale; these must not. */
static int
isdigitc(int c)
{
	return c >= '0' && c <= '9';
}

static int
isalphac(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
isalnumc(int c)
{
	return isdigitc(c) || isalphac(c);
}

static int
upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/* The code point at s[0..n), or -1 (length 1) when it is malformed. */
static long
decode(const unsigned char *s, size_t n, size_t *adv)
{
	size_t need, k;
	long cp, min;

	*adv = 1;
	if (s[0] < 0x80)
		return s[0];
	if (s[0] < 0xc2)
		return -1;
	if (s[0] < 0xe0) {
		need = 2;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] < 0xf0) {
		need = 3;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] < 0xf5) {
		need = 4;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else
		return -1;
	if (n < need)
		return -1;
	for (k = 1; k < need; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (s[k] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*adv = need;
	return cp;
}

static long
cpat(const unsigned char *s, size_t len, size_t i, size_t *adv)
{
	*adv = 1;
	if (i >= len)
		return NOCP;
	return decode(s + i, len - i, adv);
}

static long
cpbefore(const unsigned char *s, size_t i)
{
	size_t j, adv;
	long cp;

	if (i == 0)
		return NOCP;
	j = i - 1;
	while (j > 0 && i - j < 4 && (s[j] & 0xc0) == 0x80)
		j--;
	cp = decode(s + j, i - j, &adv);
	return adv == i - j ? cp : -1;
}

/*
 * Whether a character joins a number to its neighbours.  Outside ASCII,
 * letters and marks do (so "ñ12345678Z" is not a DNI) but spaces,
 * punctuation, quotes, currency signs and emoji do not, so that
 * "«612 345 678»" or "📞612345678" still fire.  Malformed bytes count as
 * letters, to stay on the side of not firing.
 */
static int
wordcp(long cp)
{
	if (cp == NOCP)
		return 0;
	if (cp < 0)
		return 1;
	if (cp < 0x80)
		return isalnumc((int)cp);
	if (cp <= 0xbf || cp == 0xd7 || cp == 0xf7)
		return 0;
	if ((cp >= 0x2000 && cp <= 0x2bff) || (cp >= 0x3000 && cp <= 0x303f))
		return 0;
	if ((cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xfe30 && cp <= 0xfe6f))
		return 0;
	if (cp == 0xfeff || (cp >= 0xff01 && cp <= 0xff0f))
		return 0;
	if (cp >= 0x1f000 && cp <= 0x1faff)
		return 0;
	return 1;
}

static int
wordat(const unsigned char *s, size_t len, size_t i)
{
	size_t adv;

	return wordcp(cpat(s, len, i, &adv));
}

static int
hasat(const unsigned char *s, size_t len, size_t i, const char *lit)
{
	for (; *lit != '\0'; lit++, i++)
		if (i >= len || s[i] != (unsigned char)*lit)
			return 0;
	return 1;
}

/* Reads exactly n digits into *num; the position after them, or 0. */
static size_t
digits(const unsigned char *s, size_t len, size_t i, int n,
    unsigned long *num)
{
	for (; n > 0; n--, i++) {
		if (i >= len || !isdigitc(s[i]))
			return 0;
		*num = *num * 10 + (unsigned long)(s[i] - '0');
	}
	return i;
}

static int
localcp(long cp)
{
	if (cp < 0)
		return 0;
	if (cp < 0x80)
		return isalnumc((int)cp) || cp == '.' || cp == '_' ||
		    cp == '%' || cp == '+' || cp == '-';
	return wordcp(cp);
}

static int
domaincp(long cp)
{
	if (cp < 0)
		return 0;
	if (cp < 0x80)
		return isalnumc((int)cp) || cp == '-';
	return wordcp(cp);
}

/* i starts a run of address characters; the end of the address, or 0. */
static size_t
email(const unsigned char *s, size_t len, size_t i)
{
	size_t j = i, start, adv;
	int named = 0, labels = 0, tld;
	long cp;

	while (localcp(cp = cpat(s, len, j, &adv))) {
		if (cp != '.' && cp != '_' && cp != '%' && cp != '+' &&
		    cp != '-')
			named = 1;
		j += adv;
	}
	if (!named || j >= len || s[j] != '@')
		return 0;
	j++;
	for (;;) {
		start = j;
		tld = 1;
		while (domaincp(cp = cpat(s, len, j, &adv))) {
			if (cp >= 0x80 || !isalphac((int)cp))
				tld = 0;
			j += adv;
		}
		if (j == start)
			return 0;
		labels++;
		if (j < len && s[j] == '.' && domaincp(cpat(s, len, j + 1, &adv)))
			j++;
		else
			break;
	}
	return labels >= 2 && tld && j - start >= 2 ? j : 0;
}

static size_t
iban(const unsigned char *s, size_t len, size_t i)
{
	char buf[34];
	size_t j, k, n = 0;
	unsigned r = 0;
	int spaced, c;

	if (i + 4 > len || !isalphac(s[i]) || !isalphac(s[i + 1]) ||
	    !isdigitc(s[i + 2]) || !isdigitc(s[i + 3]))
		return 0;
	for (k = 0; k < sizeof ibanlens / sizeof ibanlens[0]; k++)
		if (ibanlens[k].cc[0] == upper(s[i]) &&
		    ibanlens[k].cc[1] == upper(s[i + 1]))
			break;
	if (k == sizeof ibanlens / sizeof ibanlens[0])
		return 0;
	spaced = i + 4 < len && s[i + 4] == ' ';
	for (j = i; n < ibanlens[k].len; n++) {
		if (spaced && n > 0 && n % 4 == 0) {
			if (j >= len || s[j] != ' ')
				return 0;
			j++;
		}
		if (j >= len || !isalnumc(s[j]))
			return 0;
		buf[n] = (char)upper(s[j++]);
	}
	if (wordat(s, len, j))
		return 0;
	if (spaced && j + 1 < len && s[j] == ' ' && isdigitc(s[j + 1]))
		return 0;
	/* ISO 7064 mod 97-10 on BBAN + country + check digits. */
	for (k = 0; k < n; k++) {
		c = buf[(k + 4) % n];
		if (isdigitc(c))
			r = (r * 10 + (unsigned)(c - '0')) % 97;
		else
			r = (r * 100 + (unsigned)(c - 'A' + 10)) % 97;
	}
	return r == 1 ? j : 0;
}

static int
luhn(const unsigned char *d, int n)
{
	int k, v, sum = 0;

	for (k = 0; k < n; k++) {
		v = d[n - 1 - k];
		if (k % 2 == 1 && (v *= 2) > 9)
			v -= 9;
		sum += v;
	}
	return sum % 10 == 0;
}

static int
knowniin(const unsigned char *d, int n)
{
	size_t k;
	unsigned p;
	int m;

	for (k = 0; k < sizeof iins / sizeof iins[0]; k++) {
		for (p = 0, m = 0; m < iins[k].ndigits; m++)
			p = p * 10 + d[m];
		if (p >= iins[k].lo && p <= iins[k].hi &&
		    n >= iins[k].minlen && n <= iins[k].maxlen)
			return 1;
	}
	return 0;
}

/* Compact, fours (the last group shorter), or Amex/Diners 4-6-5, 4-6-4. */
static int
cardlayout(const unsigned char *g, int ng)
{
	int k;

	if (ng == 1)
		return 1;
	if (ng == 3 && g[0] == 4 && g[1] == 6 && (g[2] == 4 || g[2] == 5))
		return 1;
	if (ng < 4)
		return 0;
	for (k = 0; k < ng - 1; k++)
		if (g[k] != 4)
			return 0;
	return 1;
}

/*
 * A card may be followed by more groups ("4111 1111 1111 1111 12/25"), so
 * every group end is a candidate, longest first; Luhn and the issuer
 * prefix keep this from firing on arbitrary long numbers.
 */
static size_t
card(const unsigned char *s, size_t len, size_t i)
{
	unsigned char d[CARDMAX], g[CARDMAX], tot[CARDMAX];
	size_t ends[CARDMAX], j = i;
	int nd = 0, ng = 0, n, k;
	unsigned char sep = 0;

	for (;;) {
		for (n = 0; j < len && isdigitc(s[j]); n++, j++) {
			if (nd == CARDMAX)
				goto candidates;
			d[nd++] = (unsigned char)(s[j] - '0');
		}
		g[ng] = (unsigned char)n;
		tot[ng] = (unsigned char)nd;
		ends[ng++] = j;
		if (j + 1 < len && (s[j] == ' ' || s[j] == '-') &&
		    (sep == 0 || s[j] == sep) && isdigitc(s[j + 1]))
			sep = s[j++];
		else
			break;
	}
candidates:
	for (k = ng; k > 0 && tot[k - 1] >= 13; k--)
		if (cardlayout(g, k) && knowniin(d, tot[k - 1]) &&
		    luhn(d, tot[k - 1]) && !wordat(s, len, ends[k - 1]))
			return ends[k - 1];
	return 0;
}

/* The check letter, after an optional space or dash; the end, or 0. */
static size_t
checkletter(const unsigned char *s, size_t len, size_t j, unsigned long num)
{
	int sep = 0;

	if (j < len && (s[j] == ' ' || s[j] == '-'))
		sep = s[j++];
	if (j >= len || !isalphac(s[j]))
		return 0;
	/* "pagué 12345678 a Hacienda": a, e, y are words after a space. */
	if (sep == ' ' && (s[j] == 'a' || s[j] == 'e' || s[j] == 'y'))
		return 0;
	if (upper(s[j]) != dniletters[num % 23])
		return 0;
	j++;
	return wordat(s, len, j) ? 0 : j;
}

static int
joinedbefore(const unsigned char *s, size_t i, int sep)
{
	int c1, c2;

	if (i < 2)
		return 0;
	c1 = s[i - 1];
	c2 = s[i - 2];
	if ((c1 == '.' || (sep != 0 && c1 == sep)) && isdigitc(c2))
		return 1;
	return (c1 == '-' || c1 == '_') && isalnumc(c2);
}

static size_t
dni(const unsigned char *s, size_t len, size_t i)
{
	unsigned long num = 0;
	size_t j;

	if (joinedbefore(s, i, 0))
		return 0;
	if ((j = digits(s, len, i, 2, &num)) == 0 || j >= len ||
	    s[j] != '.' || (j = digits(s, len, j + 1, 3, &num)) == 0 ||
	    j >= len || s[j] != '.' ||
	    (j = digits(s, len, j + 1, 3, &num)) == 0) {
		num = 0;
		if ((j = digits(s, len, i, 8, &num)) == 0)
			return 0;
	}
	if (j < len && isdigitc(s[j]))
		return 0;
	return checkletter(s, len, j, num);
}

static size_t
nie(const unsigned char *s, size_t len, size_t i)
{
	unsigned long num;
	size_t j = i + 1;
	int c = upper(s[i]);

	if (c != 'X' && c != 'Y' && c != 'Z')
		return 0;
	num = (unsigned long)(c - 'X');
	if (j < len && s[j] == '-')
		j++;
	if ((j = digits(s, len, j, 7, &num)) == 0)
		return 0;
	if (j < len && isdigitc(s[j]))
		return 0;
	return checkletter(s, len, j, num);
}

/* Only the signs and words a Spanish citizen would write next to money. */
static int
currencybefore(const unsigned char *s, size_t i)
{
	if (i >= 1 && s[i - 1] == ' ')
		i--;
	else if (i >= 2 && s[i - 2] == 0xc2 && s[i - 1] == 0xa0)
		i -= 2;
	if (i >= 1 && s[i - 1] == '$')
		return 1;
	if (i >= 2 && s[i - 2] == 0xc2 && s[i - 1] == 0xa3)
		return 1;
	if (i >= 3 && s[i - 3] == 0xe2 && s[i - 2] == 0x82 && s[i - 1] == 0xac)
		return 1;
	return i >= 3 && upper(s[i - 3]) == 'E' && upper(s[i - 2]) == 'U' &&
	    upper(s[i - 1]) == 'R' && (i == 3 || !isalphac(s[i - 4]));
}

static int
currencyafter(const unsigned char *s, size_t len, size_t j)
{
	if (j < len && s[j] == ' ')
		j++;
	else if (hasat(s, len, j, "\xc2\xa0"))
		j += 2;
	if (hasat(s, len, j, "$") || hasat(s, len, j, "\xc2\xa3") ||
	    hasat(s, len, j, "\xe2\x82\xac"))
		return 1;
	if (j + 3 > len || upper(s[j]) != 'E' || upper(s[j + 1]) != 'U' ||
	    upper(s[j + 2]) != 'R')
		return 0;
	j += 3;
	if (j < len && upper(s[j]) == 'O')
		j++;
	if (j < len && upper(s[j]) == 'S')
		j++;
	return j >= len || !isalphac(s[j]);
}

/* 9 digits from 6 to 9, compact or grouped in one of phonelayouts. */
static size_t
national(const unsigned char *s, size_t len, size_t i, int *sep)
{
	unsigned char g[4];
	size_t j = i, k;
	int ng = 0, nd = 0, n, m;

	*sep = 0;
	if (j >= len || s[j] < '6' || s[j] > '9')
		return 0;
	for (;;) {
		for (n = 0; j < len && isdigitc(s[j]); n++, j++)
			if (++nd > 9)
				return 0;
		if (ng == 4)
			return 0;
		g[ng++] = (unsigned char)n;
		if (nd == 9)
			break;
		if (j + 1 < len && (s[j] == ' ' || s[j] == '.' ||
		    s[j] == '-') && (*sep == 0 || s[j] == *sep) &&
		    isdigitc(s[j + 1]))
			*sep = s[j++];
		else
			return 0;
	}
	for (k = 0; k < sizeof phonelayouts / sizeof phonelayouts[0]; k++) {
		for (m = 0; m < ng && phonelayouts[k][m] == g[m]; m++)
			continue;
		if (m == ng && phonelayouts[k][ng] == 0)
			return j;
	}
	return 0;
}

/*
 * A grouped number that goes on ("612 345 678 901"), a decimal, a code
 * ("ORD-612345678", "#912345678") or an amount ("612.345.678 €") is not a
 * phone.
 */
static size_t
phone(const unsigned char *s, size_t len, size_t i)
{
	size_t j = i, end;
	int sep, prefixed = 1, c1, c2;

	if (hasat(s, len, j, "(+34)"))
		j += 5;
	else if (hasat(s, len, j, "+34"))
		j += 3;
	else if (hasat(s, len, j, "0034"))
		j += 4;
	else if (hasat(s, len, j, "(34)"))
		j += 4;
	else if (hasat(s, len, j, "34 "))
		j += 2;
	else
		prefixed = 0;
	if (prefixed && j < len && (s[j] == ' ' || s[j] == '-' || s[j] == '.'))
		j++;
	if ((end = national(s, len, j, &sep)) == 0)
		return 0;
	if (!prefixed) {
		if (joinedbefore(s, i, sep) || (i > 0 && s[i - 1] == '#'))
			return 0;
		if (currencybefore(s, i))
			return 0;
	}
	if (end < len) {
		c1 = s[end];
		c2 = end + 1 < len ? s[end + 1] : 0;
		if (wordat(s, len, end))
			return 0;
		if ((c1 == '.' || (sep != 0 && c1 == sep) ||
		    (sep == '.' && c1 == ',')) && isdigitc(c2))
			return 0;
		if ((c1 == '-' || c1 == '_') && isalnumc(c2))
			return 0;
		if (currencyafter(s, len, end))
			return 0;
	}
	return end;
}

static size_t
token(const unsigned char *s, size_t len, size_t i, unsigned *kind)
{
	size_t end;

	if (isalphac(s[i])) {
		if ((end = iban(s, len, i)) != 0) {
			*kind = SM_PII_IBAN;
			return end;
		}
		if ((end = nie(s, len, i)) != 0) {
			*kind = SM_PII_NIE;
			return end;
		}
		return 0;
	}
	if (isdigitc(s[i])) {
		if ((end = card(s, len, i)) != 0) {
			*kind = SM_PII_CARD;
			return end;
		}
		if ((end = dni(s, len, i)) != 0) {
			*kind = SM_PII_DNI;
			return end;
		}
	}
	if (isdigitc(s[i]) || s[i] == '+' || s[i] == '(') {
		if ((end = phone(s, len, i)) != 0) {
			*kind = SM_PII_PHONE;
			return end;
		}
	}
	return 0;
}

/* Whether byte b may be part of an address's local part (any byte of a
 * character outside ASCII may). */
static int
addrbyte(unsigned char b)
{
	return b >= 0x80 || isalnumc(b) || b == '.' || b == '_' || b == '%' ||
	    b == '+' || b == '-';
}

/* The first digit at or after i, or len. */
static size_t
next_digit(const unsigned char *s, size_t len, size_t i)
{
	while (i < len && !isdigitc(s[i]))
		i++;
	return i;
}

static int
has_digit_or_at(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((s[i] >= '0' && s[i] <= '9') || s[i] == '@')
			return 1;
	return 0;
}

unsigned
sm_pii_scan(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	unsigned mask = 0, kind;
	size_t i = 0, end, adv, at = 0, atrun = 0, dig = 0, next;
	long cp, prev = NOCP;
	const unsigned char *p;

	if (s == NULL || !has_digit_or_at(s, len))
		return 0;	/* every kind holds a digit, or an @ */
	while (i < len) {
		if (at < i) {
			p = memchr(s + i, '@', len - i);
			at = p ? (size_t)(p - s) : len;
			for (atrun = at; atrun > i && addrbyte(s[atrun - 1]);
			    atrun--)
				;
		}
		if (dig < i)
			dig = next_digit(s, len, i);
		/* Nothing starts before the bytes that may lead up to the next
		 * @ as an address, or before the two bytes ahead of the next
		 * digit ("ES91", "(+34)"): every other kind has one there. */
		next = dig == len ? len : dig > DIGITLEAD ? dig - DIGITLEAD : 0;
		if (at < len && atrun < next)
			next = atrun;
		if (next == len)
			break;
		if (next > i) {
			i = next;
			while ((s[i] & 0xc0) == 0x80)
				i--;
			prev = cpbefore(s, i);
		}
		cp = cpat(s, len, i, &adv);
		if (at < len && localcp(cp) && !localcp(prev) &&
		    (end = email(s, len, i)) != 0) {
			mask |= SM_PII_EMAIL;
			prev = cpbefore(s, i = end);
			continue;
		}
		if (cp < 0x80 && !wordcp(prev) &&
		    (end = token(s, len, i, &kind)) != 0) {
			mask |= kind;
			prev = cpbefore(s, i = end);
			continue;
		}
		prev = cp;
		i += adv;
	}
	return mask;
}

const char *
sm_pii_name(unsigned kind)
{
	switch (kind) {
	case SM_PII_DNI:
		return "dni";
	case SM_PII_NIE:
		return "nie";
	case SM_PII_PHONE:
		return "phone";
	case SM_PII_EMAIL:
		return "email";
	case SM_PII_IBAN:
		return "iban";
	case SM_PII_CARD:
		return "card";
	}
	return NULL;
}
