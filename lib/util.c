/* util.c - allocation that cannot fail, growable buffers, hashing */
#include <sys/random.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sm/util.h"

static void
oom(size_t size)
{
	fprintf(stderr, "sm: out of memory allocating %zu bytes\n", size);
	exit(70);
}

void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		oom(size);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		oom(nmemb * size);
	return p;
}

void *
xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (p == NULL)
		oom(size);
	return p;
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		oom(SIZE_MAX);
	return xrealloc(ptr, nmemb * size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
sm_buf_grow(struct sm_buf *b, size_t extra)
{
	size_t need;

	if (extra > SIZE_MAX - b->len - 1)
		oom(SIZE_MAX);
	need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	if (b->cap < 64)
		b->cap = 64;
	while (b->cap < need)
		b->cap = b->cap > SIZE_MAX / 2 ? need : b->cap * 2;
	b->data = xrealloc(b->data, b->cap);
}

void
sm_buf_adds(struct sm_buf *b, const char *s)
{
	sm_buf_add(b, s, strlen(s));
}

void
sm_buf_reset(struct sm_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void
sm_buf_free(struct sm_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
sm_rand_seed(uint64_t *state)
{
	uint64_t s = 0;
	struct timespec ts;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != (ssize_t)sizeof(s)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		s = (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec ^
		    (uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)state;
	}
	/* splitmix64's finalizer: any seed, even 0, gives a good state */
	s += 0x9e3779b97f4a7c15ULL;
	s = (s ^ s >> 30) * 0xbf58476d1ce4e5b9ULL;
	s = (s ^ s >> 27) * 0x94d049bb133111ebULL;
	s ^= s >> 31;
	*state = s ? s : 0x9e3779b97f4a7c15ULL;
}

double
sm_rand_unit(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	/* the top 53 bits of the product, as a double in [0, 1) */
	return (double)((x * 0x2545f4914f6cdd1dULL) >> 11) * 0x1.0p-53;
}

unsigned long
sm_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ULL;

	while (n--) {
		h ^= *s++;
		h *= 1099511628211ULL;
	}
	return (unsigned long)h;
}

void
sm_buf_add_cp(struct sm_buf *b, unsigned long cp)
{
	char u[4];

	if (cp < 0x80) {
		u[0] = (char)cp;
		sm_buf_add(b, u, 1);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		sm_buf_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		sm_buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		sm_buf_add(b, u, 4);
	}
}

size_t
sm_utf8_len(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len, i;
	unsigned long cp;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void
sm_buf_add_utf8(struct sm_buf *b, const char *s, size_t n)
{
	size_t i = 0, k;

	sm_buf_reserve(b, n);
	while (i < n) {
		k = sm_utf8_len(s + i, n - i);
		if (k == 0 || s[i] == '\0') {
			sm_buf_add(b, "\xef\xbf\xbd", 3);
			i++;
		} else {
			sm_buf_add(b, s + i, k);
			i += k;
		}
	}
}

/* Whether the n-byte UTF-8 character at s may be shown as it is. */
static int
printable(const unsigned char *s, size_t n)
{
	unsigned long cp;

	if (n == 1)
		return s[0] >= 0x20 && s[0] != 0x7f;
	if (n == 2) {
		cp = (unsigned long)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
		return cp >= 0xa0;
	}
	if (n == 3) {
		cp = (unsigned long)(s[0] & 0x0f) << 12 |
		    (unsigned long)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
		/* LRM, RLM, LS, PS, embeddings, overrides and isolates
		 * reorder or break what a terminal shows */
		return !(cp == 0x200e || cp == 0x200f ||
		    (cp >= 0x2028 && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069));
	}
	return 1;
}

void
sm_buf_add_printable(struct sm_buf *b, const char *s, size_t n, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k, end = max && max < n ? max : n;

	sm_buf_add(b, "", 0);
	while (i < end) {
		k = sm_utf8_len(s + i, n - i);
		if (k && printable(u + i, k)) {
			if (i + k > end) {
				end = i;	/* not half a character */
				break;
			}
			sm_buf_add(b, s + i, k);
			i += k;
			continue;
		}
		if (k == 0)
			k = 1;
		for (size_t j = 0; j < k && i < end; j++, i++) {
			char e[4] = { '\\', 'x', hex[u[i] >> 4],
			    hex[u[i] & 15] };

			sm_buf_add(b, e, 4);
		}
	}
	if (end < n)
		sm_buf_add(b, "...", 3);
}

unsigned long
sm_cp1252(unsigned char ch)
{
	static const uint16_t c1[32] = {
		0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
		0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
		0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
		0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178
	};

	if (ch >= 0x80 && ch < 0xa0)
		return c1[ch - 0x80] ? c1[ch - 0x80] : 0xfffd;
	return ch;
}

int
sm_ascii_ncasecmp(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int x = sm_ascii_lower((unsigned char)a[i]);
		int y = sm_ascii_lower((unsigned char)b[i]);

		if (x != y)
			return x - y;
		if (x == 0)
			return 0;
	}
	return 0;
}

int
sm_ascii_caseeq(const char *a, const char *b)
{
	size_t n = strlen(b);

	return strlen(a) == n && sm_ascii_ncasecmp(a, b, n) == 0;
}

static const char *program = "sm";

void
sm_program_set(const char *name)
{
	program = name;
}

const char *
sm_program(void)
{
	return program;
}
