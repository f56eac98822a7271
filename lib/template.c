/* template.c - Mustache templates over a record: compile once, render many */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sm/jsonl.h"
#include "sm/template.h"
#include "sm/util.h"

enum kind { TEXT, VAR, RAW, SECTION, INVERTED, PARTIAL };

/*
 * A template is a flat array of nodes: a section's children follow it and
 * end at its end index, so rendering walks the array without a tree.  The
 * main template and each partial are ranges of the same array.
 */
struct node {
	enum kind kind;
	int top;		/* PARTIAL: outside every section */
	const char *text;	/* TEXT: into a source; PARTIAL: the indent */
	size_t len;
	size_t var;		/* VAR, RAW, SECTION, INVERTED: in vars */
	size_t end;		/* SECTION, INVERTED: after the last child */
	size_t part;		/* PARTIAL: in parts */
	struct sm_mark where;	/* PARTIAL: the tag */
};

/* A name, split at its dots once, at compile time. */
struct var {
	struct sm_template_var pub;
	char **keys;		/* none for "." */
	size_t nkeys;
	const struct sm_template_formatter *fmt;	/* last key names it */
};

struct part {
	char *name;
	size_t first, end;	/* its nodes */
	int found;
	struct sm_mark ref;	/* the first tag that names it */
};

struct sm_template {
	enum sm_template_escape escape;
	struct node *nodes;
	size_t nnodes, capnodes;
	size_t main_end;
	struct var *vars;
	size_t nvars, capvars;
	struct part *parts;
	size_t nparts, capparts;
	char **strings;		/* sources and file names, owned */
	size_t nstrings, capstrings;
};

/* A section open while compiling: its node, and its tag's offset. */
struct open {
	size_t node;
	size_t off;
};

/* One source being compiled. */
struct compiler {
	struct sm_template *t;
	const struct sm_template_options *opt;
	const char *src;
	size_t len;
	const char *partial;	/* its name, NULL for the main template */
	const char *file;
	int line0, col0;
	size_t at;		/* the place computed last, to go on from */
	int at_line, at_col;
	const char *open, *close;	/* the delimiters */
	size_t olen, clen;
	struct open *stack;	/* the sections open */
	size_t depth, cap;
	size_t parent;		/* the innermost's variable, or SIZE_MAX */
	struct sm_error *err;
};

static char *
keep(struct sm_template *t, char *s)
{
	if (t->nstrings == t->capstrings) {
		t->capstrings = t->capstrings ? t->capstrings * 2 : 8;
		t->strings = xreallocarray(t->strings, t->capstrings,
		    sizeof(*t->strings));
	}
	return t->strings[t->nstrings++] = s;
}

static struct node *
add_node(struct sm_template *t, enum kind kind)
{
	if (t->nnodes == t->capnodes) {
		t->capnodes = t->capnodes ? t->capnodes * 2 : 16;
		t->nodes = xreallocarray(t->nodes, t->capnodes,
		    sizeof(*t->nodes));
	}
	t->nodes[t->nnodes] = (struct node){ .kind = kind };
	return &t->nodes[t->nnodes++];
}

/* The place of byte off: lines and columns (in characters) from 1. */
static void
place(struct compiler *c, size_t off, struct sm_mark *m)
{
	if (off < c->at) {
		c->at = 0;
		c->at_line = c->at_col = 1;
	}
	for (; c->at < off && c->at < c->len; c->at++) {
		unsigned char ch = (unsigned char)c->src[c->at];

		if (ch == '\n') {
			c->at_line++;
			c->at_col = 1;
		} else if ((ch & 0xC0) != 0x80) {
			c->at_col++;
		}
	}
	m->file = c->file;
	m->line = c->line0 + c->at_line - 1;
	m->column = c->at_line == 1 ? c->col0 + c->at_col - 1 : c->at_col;
}

static int
fail(struct compiler *c, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct compiler *c, size_t off, const char *fmt, ...)
{
	struct sm_mark m;
	char text[sizeof(c->err->text)];
	va_list ap;

	place(c, off, &m);
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return sm_error_set(c->err, m.file, m.line, m.column, "%s", text);
}

static int
blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
	    ch == '\v' || ch == '\f';
}

/* Adds the variable named by the n bytes at s (already trimmed). */
static int
add_var(struct compiler *c, const char *s, size_t n, enum sm_template_tag tag,
    size_t parent, size_t off)
{
	struct sm_template *t = c->t;
	const struct sm_template_options *opt = c->opt;
	struct var *v;
	size_t nkeys = 1, i, k;

	if (n == 0)
		return fail(c, off, "a tag with no name");
	for (i = 0; i < n; i++)
		if (blank(s[i]))
			return fail(c, off, "'%.*s' is not a name: names hold "
			    "no spaces", (int)n, s);
	if (!(n == 1 && s[0] == '.')) {
		for (i = 0; i < n; i++)
			if (s[i] == '.' && (i == 0 || i == n - 1 ||
			    s[i + 1] == '.'))
				return fail(c, off, "'%.*s' is not a name: "
				    "a dot between each two parts", (int)n, s);
		for (i = 0; i < n; i++)
			nkeys += s[i] == '.';
	} else {
		nkeys = 0;
	}
	if (t->nvars == t->capvars) {
		t->capvars = t->capvars ? t->capvars * 2 : 16;
		t->vars = xreallocarray(t->vars, t->capvars, sizeof(*t->vars));
	}
	v = &t->vars[t->nvars++];
	memset(v, 0, sizeof(*v));
	v->nkeys = nkeys;
	v->keys = xcalloc(nkeys ? nkeys : 1, sizeof(*v->keys));
	for (i = 0, k = 0; k < nkeys; k++) {
		size_t from = i;

		while (i < n && s[i] != '.')
			i++;
		v->keys[k] = xstrndup(s + from, i - from);
		i++;
	}
	v->pub.name = xstrndup(s, n);
	if (tag == SM_TEMPLATE_VARIABLE && nkeys >= 2)
		for (i = 0; i < opt->nformatters; i++)
			if (strcmp(opt->formatters[i].name,
			    v->keys[nkeys - 1]) == 0) {
				v->fmt = &opt->formatters[i];
				v->pub.formatter = v->fmt->name;
				((char *)v->pub.name)[n - strlen(v->fmt->name) -
				    1] = '\0';
				break;
			}
	v->pub.tag = tag;
	v->pub.parent = parent;
	v->pub.partial = c->partial;
	place(c, off, &v->pub.where);
	return 0;
}

static size_t
find_part(struct compiler *c, const char *s, size_t n, size_t off)
{
	struct sm_template *t = c->t;
	struct part *p;

	for (size_t i = 0; i < t->nparts; i++)
		if (strlen(t->parts[i].name) == n &&
		    memcmp(t->parts[i].name, s, n) == 0)
			return i;
	if (t->nparts == t->capparts) {
		t->capparts = t->capparts ? t->capparts * 2 : 4;
		t->parts = xreallocarray(t->parts, t->capparts,
		    sizeof(*t->parts));
	}
	p = &t->parts[t->nparts];
	memset(p, 0, sizeof(*p));
	p->name = xstrndup(s, n);
	place(c, off, &p->ref);
	return t->nparts++;
}

/* Reads "{{=<% %>=}}"'s inside (n bytes at s) into the new delimiters. */
static int
set_delimiters(struct compiler *c, const char *s, size_t n, size_t off)
{
	size_t i = 0, a, alen, b, blen;

	while (i < n && blank(s[i]))
		i++;
	for (a = i; i < n && !blank(s[i]); i++)
		;
	alen = i - a;
	while (i < n && blank(s[i]))
		i++;
	for (b = i; i < n && !blank(s[i]); i++)
		;
	blen = i - b;
	while (i < n && blank(s[i]))
		i++;
	if (alen == 0 || blen == 0 || i != n ||
	    memchr(s + a, '=', alen) || memchr(s + b, '=', blen))
		return fail(c, off, "bad delimiters '%.*s': two strings "
		    "without spaces or '=', apart", (int)n, s);
	c->open = s + a;
	c->olen = alen;
	c->close = s + b;
	c->clen = blen;
	return 0;
}

/* The first m bytes at pat (m > 0) within the n at s, or NULL. */
static const char *
find(const char *s, size_t n, const char *pat, size_t m)
{
	const char *end = s + n, *p;

	while ((size_t)(end - s) >= m &&
	    (p = memchr(s, pat[0], (size_t)(end - s) - m + 1)) != NULL) {
		if (memcmp(p, pat, m) == 0)
			return p;
		s = p + 1;
	}
	return NULL;
}

/* The length of the line end at s (of n bytes), 0 when none. */
static size_t
line_end(const char *s, size_t n)
{
	if (n >= 1 && s[0] == '\n')
		return 1;
	if (n >= 2 && s[0] == '\r' && s[1] == '\n')
		return 2;
	return 0;
}

static void
add_text(struct sm_template *t, const char *s, size_t n)
{
	struct node *node;

	if (n == 0)
		return;
	node = add_node(t, TEXT);
	node->text = s;
	node->len = n;
}

/* Opens a section ({{#x}}, {{^x}}) at byte tag. */
static int
open_section(struct compiler *c, char type, const char *name, size_t n,
    size_t tag)
{
	struct sm_template *t = c->t;
	struct node *node;

	if (add_var(c, name, n, type == '#' ? SM_TEMPLATE_SECTION :
	    SM_TEMPLATE_INVERTED, c->parent, tag) < 0)
		return -1;
	if (c->depth == SM_TEMPLATE_MAX_DEPTH - 1)
		return fail(c, tag, "sections nested more than %d deep",
		    SM_TEMPLATE_MAX_DEPTH - 1);
	if (c->depth == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		c->stack = xreallocarray(c->stack, c->cap, sizeof(*c->stack));
	}
	c->stack[c->depth++] = (struct open){ t->nnodes, tag };
	node = add_node(t, type == '#' ? SECTION : INVERTED);
	node->var = c->parent = t->nvars - 1;
	return 0;
}

/* Closes the section open last ({{/x}}); x must be its name. */
static int
close_section(struct compiler *c, const char *name, size_t n, size_t tag)
{
	struct sm_template *t = c->t;
	const char *want;
	struct node *node;
	struct sm_mark m;

	if (c->depth == 0)
		return fail(c, tag, "'%.*s' closes no section", (int)n, name);
	node = &t->nodes[c->stack[c->depth - 1].node];
	want = t->vars[node->var].pub.name;
	if (strlen(want) != n || memcmp(want, name, n) != 0) {
		place(c, c->stack[c->depth - 1].off, &m);
		return fail(c, tag, "'%.*s' closes no section: section '%s' "
		    "from line %d is open", (int)n, name, want, m.line);
	}
	node->end = t->nnodes;
	c->depth--;
	c->parent = t->vars[node->var].pub.parent;
	return 0;
}

/* The node for tag at byte tag of type ('#', '{', 0...) naming n bytes at
 * name; indent is the white space before a standalone tag. */
static int
add_tag(struct compiler *c, char type, const char *name, size_t n, size_t tag,
    const char *indent, size_t indent_len)
{
	struct sm_template *t = c->t;
	struct node *node;

	switch (type) {
	case '!':
		return 0;
	case '=':
		return set_delimiters(c, name, n, tag);
	case '#':
	case '^':
		return open_section(c, type, name, n, tag);
	case '/':
		return close_section(c, name, n, tag);
	case '>':
		if (n == 0)
			return fail(c, tag, "a partial with no name");
		node = add_node(t, PARTIAL);
		node->part = find_part(c, name, n, tag);
		node->top = c->depth == 0;
		node->text = indent;
		node->len = indent_len;
		place(c, tag, &node->where);
		return 0;
	default:
		if (add_var(c, name, n, SM_TEMPLATE_VARIABLE, c->parent,
		    tag) < 0)
			return -1;
		node = add_node(t, type ? RAW : VAR);
		node->var = t->nvars - 1;
		return 0;
	}
}

/*
 * Finds the end of the tag whose inside starts at byte from: the close
 * delimiter, after "}" for {{{x}}} and "=" for {{=a b=}} (type's).  Returns
 * the offset of what ends it, or SIZE_MAX when nothing does.
 */
static size_t
tag_end(const struct compiler *c, size_t from, char type)
{
	const char *src = c->src, *q = src + from, *e;
	char want = type == '{' ? '}' : type == '=' ? '=' : 0;

	for (;;) {
		e = find(q, c->len - (size_t)(q - src), c->close, c->clen);
		if (e == NULL)
			return SIZE_MAX;
		if (want == 0)
			return (size_t)(e - src);
		if (e > src + from && e[-1] == want)
			return (size_t)(e - src) - 1;
		q = e + 1;
	}
}

/* Compiles c->src into nodes appended to c->t. */
static int
parse(struct compiler *c)
{
	struct sm_template *t = c->t;
	const char *src = c->src;
	size_t len = c->len, pos = 0, line_start = 0, prev_end = 0;

	for (;;) {
		const char *p = find(src + pos, len - pos, c->open, c->olen);
		size_t tag, name, name_end, end, after, indent_len = 0;
		char type = 0;
		int standalone = 0;

		if (p == NULL)
			break;
		tag = (size_t)(p - src);
		for (const char *nl = p; nl > src + pos; nl--)
			if (nl[-1] == '\n') {
				line_start = (size_t)(nl - src);
				break;
			}
		name = tag + c->olen;
		if (name < len && src[name] && strchr("#^/!>=&{", src[name]))
			type = src[name++];
		if ((name_end = tag_end(c, name, type)) == SIZE_MAX) {
			int sign = type == '{' || type == '=';

			return fail(c, tag, "'%.*s%.*s' is never closed by "
			    "'%.*s%.*s'", (int)c->olen, c->open, sign,
			    src + name - 1, sign, type == '{' ? "}" : "=",
			    (int)c->clen, c->close);
		}
		end = name_end + (type == '{' || type == '=') + c->clen;
		while (name < name_end && blank(src[name]))
			name++;
		while (name_end > name && blank(src[name_end - 1]))
			name_end--;

		/* A standalone tag takes its line's white space and end. */
		after = end;
		if (type && strchr("#^/!>=", type) && prev_end <= line_start) {
			size_t i = line_start;

			while (i < tag && (src[i] == ' ' || src[i] == '\t'))
				i++;
			while (after < len && (src[after] == ' ' ||
			    src[after] == '\t'))
				after++;
			if (i == tag && (after == len ||
			    line_end(src + after, len - after))) {
				standalone = 1;
				indent_len = tag - line_start;
				after += line_end(src + after, len - after);
			} else {
				after = end;
			}
		}
		add_text(t, src + pos, (standalone ? line_start : tag) - pos);
		if (add_tag(c, type, src + name, name_end - name, tag,
		    src + line_start, indent_len) < 0)
			return -1;
		pos = prev_end = after;
		if (standalone)
			line_start = after;
	}
	add_text(t, src + pos, len - pos);
	if (c->depth > 0)
		return fail(c, c->stack[c->depth - 1].off, "section '%s' is "
		    "never closed", t->vars[c->parent].pub.name);
	return 0;
}

static int
compile_source(struct sm_template *t, const struct sm_template_options *opt,
    const char *text, const struct sm_mark *origin, const char *partial,
    struct sm_error *err)
{
	struct compiler c = {
		.t = t, .opt = opt, .partial = partial, .err = err,
		.line0 = 1, .col0 = 1, .at_line = 1, .at_col = 1, .file = "",
		.open = "{{", .close = "}}", .olen = 2, .clen = 2,
		.parent = SIZE_MAX,
	};
	int rc;

	c.len = strlen(text);
	c.src = keep(t, xstrndup(text, c.len));
	if (origin) {
		if (origin->file)
			c.file = keep(t, xstrdup(origin->file));
		c.line0 = origin->line > 0 ? origin->line : 1;
		c.col0 = origin->column > 0 ? origin->column : 1;
	}
	rc = parse(&c);
	free(c.stack);
	return rc;
}

/*
 * Finds a partial that includes itself outside every section, which would
 * render forever whatever the data; state: 0 unseen, 1 on the path, 2 done.
 */
static const struct node *
cycle(const struct sm_template *t, size_t from, size_t end,
    unsigned char *state)
{
	for (size_t i = from; i < end; i++) {
		const struct node *n = &t->nodes[i];
		const struct part *p = &t->parts[n->part];
		const struct node *found;

		if (n->kind != PARTIAL || !n->top || !p->found ||
		    state[n->part] == 2)
			continue;
		if (state[n->part] == 1)
			return n;
		state[n->part] = 1;
		if ((found = cycle(t, p->first, p->end, state)) != NULL)
			return found;
		state[n->part] = 2;
	}
	return NULL;
}

struct sm_template *
sm_template_compile(const char *text, const struct sm_mark *origin,
    const struct sm_template_options *opt, struct sm_error *err)
{
	static const struct sm_template_options none;
	struct sm_template *t = xcalloc(1, sizeof(*t));
	const struct node *loop;
	unsigned char *state;

	if (opt == NULL)
		opt = &none;
	t->escape = opt->escape;
	if (compile_source(t, opt, text, origin, NULL, err) < 0)
		goto fail;
	t->main_end = t->nnodes;
	for (size_t i = 0; i < t->nparts; i++) {
		struct part *p = &t->parts[i];
		struct sm_mark where = { NULL, 1, 1 };
		const char *ptext = NULL;

		if (opt->partial)
			ptext = opt->partial(opt->partial_arg, p->name, &where);

		if (ptext == NULL) {
			if (opt->flags & SM_TEMPLATE_STRICT) {
				sm_error_set(err, p->ref.file, p->ref.line,
				    p->ref.column, "no partial named '%s'",
				    p->name);
				goto fail;
			}
			continue;
		}
		p->found = 1;
		p->first = t->nnodes;
		if (compile_source(t, opt, ptext, &where, p->name, err) < 0)
			goto fail;
		p = &t->parts[i];	/* parts may have grown */
		p->end = t->nnodes;
	}
	state = xcalloc(t->nparts ? t->nparts : 1, 1);
	loop = cycle(t, 0, t->main_end, state);
	for (size_t i = 0; loop == NULL && i < t->nparts; i++)
		if (state[i] == 0 && t->parts[i].found) {
			state[i] = 1;
			loop = cycle(t, t->parts[i].first, t->parts[i].end,
			    state);
			state[i] = 2;
		}
	free(state);
	if (loop) {
		sm_error_set(err, loop->where.file, loop->where.line,
		    loop->where.column, "partial '%s' includes itself with no "
		    "section in between", t->parts[loop->part].name);
		goto fail;
	}
	return t;
fail:
	sm_template_free(t);
	return NULL;
}

void
sm_template_free(struct sm_template *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nvars; i++) {
		for (size_t k = 0; k < t->vars[i].nkeys; k++)
			free(t->vars[i].keys[k]);
		free(t->vars[i].keys);
		free((char *)t->vars[i].pub.name);
	}
	for (size_t i = 0; i < t->nparts; i++)
		free(t->parts[i].name);
	for (size_t i = 0; i < t->nstrings; i++)
		free(t->strings[i]);
	free(t->vars);
	free(t->parts);
	free(t->strings);
	free(t->nodes);
	free(t);
}

int
sm_template_escape_parse(const char *name, enum sm_template_escape *escape)
{
	static const char *const names[] = { "html", "text", "json" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0) {
			*escape = (enum sm_template_escape)i;
			return 0;
		}
	return -1;
}

size_t
sm_template_var_count(const struct sm_template *t)
{
	return t->nvars;
}

const struct sm_template_var *
sm_template_var(const struct sm_template *t, size_t i)
{
	return i < t->nvars ? &t->vars[i].pub : NULL;
}

/* Rendering */

struct frame {
	const json_t *value;
	const struct frame *up;
};

struct indent {
	const char *text;
	size_t len;
	const struct indent *up;
};

struct render {
	const struct sm_template *t;
	struct sm_buf *out;
	struct sm_error *err;
	unsigned depth;
	int pending;		/* an indented partial's line is to start */
};

static void
add_html(struct sm_buf *b, const char *s, size_t n)
{
	size_t from = 0;

	for (size_t i = 0; i < n; i++) {
		const char *esc;

		switch (s[i]) {
		case '&': esc = "&amp;"; break;
		case '<': esc = "&lt;"; break;
		case '>': esc = "&gt;"; break;
		case '"': esc = "&quot;"; break;
		case '\'': esc = "&#39;"; break;
		default: continue;
		}
		sm_buf_add(b, s + from, i - from);
		sm_buf_adds(b, esc);
		from = i + 1;
	}
	sm_buf_add(b, s + from, n - from);
}

/* The inside of a JSON string: jansson's escapes without the quotes. */
static void
add_json(struct sm_buf *b, const char *s, size_t n)
{
	size_t start = b->len;

	sm_json_append_string(b, s, n);
	memmove(b->data + start, b->data + start + 1, b->len - start - 2);
	b->len -= 2;
	b->data[b->len] = '\0';
}

/* Appends n bytes at s escaped for the destination. */
static void
add_escaped(const struct render *r, const char *s, size_t n, int raw)
{
	if (raw || r->t->escape == SM_TEMPLATE_TEXT)
		sm_buf_add(r->out, s, n);
	else if (r->t->escape == SM_TEMPLATE_HTML)
		add_html(r->out, s, n);
	else
		add_json(r->out, s, n);
}

/* Escapes in place what was appended since start. */
static void
escape_tail(const struct render *r, size_t start, int raw)
{
	struct sm_buf *out = r->out;
	size_t n = out->len - start, mid;

	if (raw || r->t->escape == SM_TEMPLATE_TEXT || n == 0)
		return;
	/* room for the worst case, so that the source does not move */
	sm_buf_reserve(out, n > (SIZE_MAX - 2) / 6 ? SIZE_MAX : n * 6 + 2);
	mid = out->len;
	add_escaped(r, out->data + start, mid - start, 0);
	memmove(out->data + start, out->data + mid, out->len - mid);
	out->len = start + (out->len - mid);
	out->data[out->len] = '\0';
}

static void
add_indent(struct sm_buf *b, const struct indent *ind)
{
	if (ind == NULL)
		return;
	add_indent(b, ind->up);
	sm_buf_add(b, ind->text, ind->len);
}

static void
start_line(struct render *r, const struct indent *ind)
{
	if (ind && r->pending) {
		add_indent(r->out, ind);
		r->pending = 0;
	}
}

/* Template text: in an indented partial, each line starts indented. */
static void
add_text_indented(struct render *r, const char *s, size_t n,
    const struct indent *ind)
{
	while (n > 0) {
		const char *nl = memchr(s, '\n', n);
		size_t chunk = nl ? (size_t)(nl - s) + 1 : n;

		start_line(r, ind);
		sm_buf_add(r->out, s, chunk);
		r->pending = nl != NULL;
		s += chunk;
		n -= chunk;
	}
}

/* The value of v's first nkeys keys (all: SIZE_MAX) in ctx, or NULL. */
static const json_t *
lookup(const struct var *v, size_t nkeys, const struct frame *ctx)
{
	const json_t *j = NULL;

	if (v->nkeys == 0)
		return ctx->value;
	for (; ctx && j == NULL; ctx = ctx->up)
		if (json_is_object(ctx->value))
			j = json_object_get(ctx->value, v->keys[0]);
	for (size_t k = 1; j && k < nkeys && k < v->nkeys; k++)
		j = json_is_object(j) ? json_object_get(j, v->keys[k]) : NULL;
	return j;
}

static int
truthy(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_NULL:
	case JSON_FALSE:
		return 0;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	case JSON_STRING:
		return json_string_length(v) > 0;
	default:
		return 1;
	}
}

static int
add_value(struct render *r, const struct var *v, const struct frame *ctx,
    int raw, const struct indent *ind)
{
	const json_t *j;
	char num[32];
	size_t start;
	int n;

	if (v->fmt) {
		j = lookup(v, v->nkeys - 1, ctx);
		if (json_is_object(j)) {
			j = json_object_get(j, v->keys[v->nkeys - 1]);
		} else if (j && !json_is_null(j) && !json_is_array(j)) {
			start_line(r, ind);
			start = r->out->len;
			if (v->fmt->format(v->fmt->arg, j, r->out, r->err) < 0)
				return -1;
			escape_tail(r, start, raw);
			return 0;
		} else {
			j = NULL;
		}
	} else {
		j = lookup(v, SIZE_MAX, ctx);
	}
	if (j == NULL || json_is_null(j) ||
	    (json_is_string(j) && json_string_length(j) == 0))
		return 0;
	start_line(r, ind);
	switch (json_typeof(j)) {
	case JSON_STRING:
		add_escaped(r, json_string_value(j), json_string_length(j),
		    raw);
		break;
	case JSON_INTEGER:
		n = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(j));
		sm_buf_add(r->out, num, (size_t)n);
		break;
	case JSON_REAL:
		sm_json_append_real_shortest(r->out, json_real_value(j));
		break;
	case JSON_TRUE:
		sm_buf_add(r->out, "true", 4);
		break;
	case JSON_FALSE:
		sm_buf_add(r->out, "false", 5);
		break;
	default:
		start = r->out->len;
		sm_json_append(r->out, j);
		escape_tail(r, start, raw);
		break;
	}
	return 0;
}

static int
render(struct render *r, size_t from, size_t to, const struct frame *ctx,
    const struct indent *ind)
{
	const struct sm_template *t = r->t;
	int rc = 0;

	if (++r->depth > SM_TEMPLATE_MAX_DEPTH) {
		r->depth--;
		return sm_error_set(r->err, NULL, 0, 0, "sections and partials "
		    "nested more than %d deep (a partial that includes "
		    "itself?)", SM_TEMPLATE_MAX_DEPTH);
	}
	for (size_t i = from; i < to && rc == 0;) {
		const struct node *n = &t->nodes[i];
		const json_t *j;

		switch (n->kind) {
		case TEXT:
			if (ind)
				add_text_indented(r, n->text, n->len, ind);
			else
				sm_buf_add(r->out, n->text, n->len);
			i++;
			break;
		case VAR:
		case RAW:
			rc = add_value(r, &t->vars[n->var], ctx, n->kind == RAW,
			    ind);
			i++;
			break;
		case SECTION:
			j = lookup(&t->vars[n->var], SIZE_MAX, ctx);
			if (j && truthy(j) && json_is_array(j)) {
				size_t k;
				json_t *item;

				json_array_foreach(j, k, item) {
					struct frame f = { item, ctx };

					if ((rc = render(r, i + 1, n->end, &f,
					    ind)) < 0)
						break;
				}
			} else if (j && truthy(j)) {
				struct frame f = { j, ctx };

				rc = render(r, i + 1, n->end, &f, ind);
			}
			i = n->end;
			break;
		case INVERTED:
			j = lookup(&t->vars[n->var], SIZE_MAX, ctx);
			if (j == NULL || !truthy(j))
				rc = render(r, i + 1, n->end, ctx, ind);
			i = n->end;
			break;
		case PARTIAL: {
			const struct part *p = &t->parts[n->part];
			struct indent in = { n->text, n->len, ind };

			if (p->found) {
				if (n->len)
					r->pending = 1;
				rc = render(r, p->first, p->end, ctx,
				    n->len ? &in : ind);
			}
			i++;
			break;
		}
		}
	}
	r->depth--;
	return rc;
}

int
sm_template_render(const struct sm_template *t, const json_t *data,
    struct sm_buf *out, struct sm_error *err)
{
	struct render r = { .t = t, .out = out, .err = err };
	struct frame root = { data ? data : json_null(), NULL };

	sm_buf_reserve(out, 0);
	return render(&r, 0, t->main_end, &root, NULL);
}
