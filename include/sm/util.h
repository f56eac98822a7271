/* util.h - allocation that cannot fail, and a growable byte buffer */
#ifndef SM_UTIL_H
#define SM_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* These exit(70) with a message on stderr when memory runs out. */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* A byte buffer, always NUL-terminated once anything was put in it. */
struct sm_buf {
	char *data;
	size_t len;
	size_t cap;
};

/* Makes room for extra more bytes and the NUL. */
void sm_buf_grow(struct sm_buf *b, size_t extra);

/* Inline: filling a buffer byte by byte is what the tools do per record. */
static inline void
sm_buf_reserve(struct sm_buf *b, size_t extra)
{
	if (b->cap <= b->len || extra >= b->cap - b->len)
		sm_buf_grow(b, extra);
}

static inline void
sm_buf_add(struct sm_buf *b, const void *p, size_t n)
{
	sm_buf_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static inline void
sm_buf_addc(struct sm_buf *b, char c)
{
	sm_buf_reserve(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void sm_buf_adds(struct sm_buf *b, const char *s);
void sm_buf_reset(struct sm_buf *b);
void sm_buf_free(struct sm_buf *b);

/* Appends code point cp (at most U+10FFFF) encoded as UTF-8. */
void sm_buf_add_cp(struct sm_buf *b, unsigned long cp);

/*
 * The length of the valid UTF-8 character at s, of which n bytes may be
 * read; 0 when there is none (a bad byte, an overlong form, a surrogate,
 * a truncated sequence).
 */
size_t sm_utf8_len(const char *s, size_t n);

/* Appends the n bytes at s, with U+FFFD for each NUL and for each byte
 * that does not start a valid UTF-8 character. */
void sm_buf_add_utf8(struct sm_buf *b, const char *s, size_t n);

/*
 * Appends the n bytes at s as text safe to show on a terminal: each
 * control character (C0, DEL, C1), bidirectional override, line or
 * paragraph separator and byte that is not valid UTF-8 becomes \xNN (each
 * of its bytes); the rest is kept.  With max > 0, only the first max
 * bytes of s are shown, then "...".
 */
void sm_buf_add_printable(struct sm_buf *b, const char *s, size_t n,
    size_t max);

/* The character of windows-1252 byte ch (at least 0x80): U+FFFD for the
 * five bytes it leaves unassigned. */
unsigned long sm_cp1252(unsigned char ch);

/*
 * ASCII, whatever the locale: sm never calls setlocale(3), but a program
 * using libsm may, and <ctype.h> and strcasecmp(3) follow it.  Mail's
 * charset names, header field names and the like are ASCII.
 */

/* Whether ch is ' ', '\t', '\r', '\n', '\f' or '\v'. */
static inline int
sm_ascii_space(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' ||
	    ch == '\f' || ch == '\v';
}

/* ch with 'A'-'Z' made lower case, anything else as it is. */
static inline int
sm_ascii_lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

/* Compares at most n bytes of a and b as strncasecmp(3) does in the C
 * locale: 0 when they are alike but for the case of ASCII letters. */
int sm_ascii_ncasecmp(const char *a, const char *b, size_t n);

/* Whether a and b are the same string but for the case of ASCII letters. */
int sm_ascii_caseeq(const char *a, const char *b);

/*
 * A small random generator (xorshift64*) whose state is the caller's, for
 * the jitter of retries: libsm leaves the process's rand() alone, which a
 * program may have seeded for its own use.  sm_rand_seed seeds state from
 * getrandom(2), or the time and the process id where that fails.
 */
void sm_rand_seed(uint64_t *state);

/* The next number of state, in [0, 1). */
double sm_rand_unit(uint64_t *state);

/*
 * The program's name ("sm-route"; "sm" until set), for what it tells
 * others about itself, such as an HTTP User-Agent.  sm_tool_init sets it.
 */
void sm_program_set(const char *name);
const char *sm_program(void);

/* FNV-1a, for the hash tables. */
unsigned long sm_hash(const void *p, size_t n);

#endif
