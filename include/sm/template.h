/* template.h - Mustache templates over a record: compile once, render many */
#ifndef SM_TEMPLATE_H
#define SM_TEMPLATE_H

#include <stddef.h>

#include <jansson.h>

#include "sm/config.h"
#include "sm/error.h"
#include "sm/util.h"

/*
 * The language is Mustache as its specification defines it (the modules
 * interpolation, sections, inverted, comments, partials and delimiters
 * pass whole: tests/unit/test_mustache_spec.c).  Lambdas, dynamic names
 * and inheritance, the optional modules, are not supported: a record is
 * JSON and holds no code.  The choices the specification leaves open, and
 * what sm adds without new syntax:
 *
 *  - Names are dotted paths into the record ("classify.topic",
 *    "author.handle", "route.case") looked up in the context stack as the
 *    specification says: the first name from the innermost section
 *    outwards, the rest inside what it found.  "." is the current item.
 *    A name holds no white space ("{{a b}}" is an error).
 *  - Values: a string as it is; an integer plainly; a real in the fewest
 *    digits that read back as the same number, otherwise as jansson writes
 *    it ("0.1", "1.21", "3.0", "1e300"); true and false as "true" and
 *    "false"; null and a missing name as nothing; an object or an array as
 *    compact JSON.  Each then escaped for the destination (below).
 *  - False for sections (and true for inverted ones): missing, null,
 *    false, an empty list and the empty string.  Any other value is true;
 *    a list renders its section once per item.
 *  - Escaping is chosen per destination when compiling; {{{x}}} and
 *    {{& x}} are never escaped, whatever the destination.
 *  - Formatters (sm's addition for dates): a dotted name whose last part is
 *    the name of a formatter the caller registered, as in
 *    {{route.due_at.date}}, renders the value at the rest of the path
 *    ("route.due_at") through the formatter, then escapes it.  When the
 *    record has a real key by that name (an object holding "date") the key
 *    wins.  Any Mustache implementation parses such a template; only sm
 *    knows the formatter.  Formatters apply to variables, not to sections.
 *    The tools register them: a date in the template's language and the
 *    calendar's time zone ({{route.due_at.date}}, "2 de diciembre de
 *    2026"), whatever else sm.yaml(5) lists.  They are named when the
 *    template is compiled, so a template cannot call a formatter no tool
 *    registered: the name would be an ordinary key.
 *  - Partials are named templates the caller looks up when compiling (all
 *    are compiled then, none at render time).  A partial not found renders
 *    as nothing, as the specification says, unless SM_TEMPLATE_STRICT makes
 *    it an error at compile time.  A partial that includes itself with no
 *    section between is an error at compile time; recursion through a
 *    section (a tree in the data) is allowed and stops with a render error
 *    at SM_TEMPLATE_MAX_DEPTH nested sections and partials.
 */

/* How a {{name}} variable is escaped; {{{name}}} and {{& name}} never are. */
enum sm_template_escape {
	/*
	 * Mustache's own: & < > " ' as &amp; &lt; &gt; &quot; &#39;.  For
	 * text that becomes HTML (an HTML e-mail part, a web page).
	 */
	SM_TEMPLATE_HTML = 0,
	/*
	 * None.  The default sm uses for replies to citizens and for
	 * text/plain e-mails: HTML escapes would show up in them as "&amp;".
	 */
	SM_TEMPLATE_TEXT,
	/*
	 * The inside of a JSON string ("\"", "\\", "\n", "\u0001"...), for a
	 * template that writes a JSON body (a webhook: {"text":"{{text}}"}):
	 * the default sm uses for webhook bodies, so that a citizen's quote
	 * or newline cannot break the JSON.  {{{classify}}} writes the object
	 * itself, unescaped, as JSON.
	 */
	SM_TEMPLATE_JSON
};

/* Fills *escape from "html", "text" or "json" (sm.yaml's escape:); -1 if
 * name is none of them. */
int sm_template_escape_parse(const char *name, enum sm_template_escape *escape);

/*
 * A formatter: appends the text for value (never NULL, never null, never
 * an object or an array) to out, unescaped.  Returns 0, or -1 with err
 * set to say why (a string that is not a timestamp, say): rendering then
 * fails with that error.  arg is the formatter's own, given when it was
 * registered (a language and a time zone, for a date).
 */
struct sm_template_formatter {
	const char *name;	/* a plain name: "date", "time" */
	int (*format)(void *arg, const json_t *value, struct sm_buf *out,
	    struct sm_error *err);
	void *arg;
};

/*
 * Looks up partial name: returns its text (borrowed; it needs to live only
 * until sm_template_compile returns) and fills *where with its place, or
 * returns NULL when there is no such partial.
 */
typedef const char *sm_template_partial_fn(void *arg, const char *name,
    struct sm_mark *where);

/* A partial that cannot be found is an error when compiling. */
#define SM_TEMPLATE_STRICT	0x1

/* Sections and partials nested deeper than this fail to render; sections
 * nested so deep in one template fail to compile. */
#define SM_TEMPLATE_MAX_DEPTH	100

/* Everything but the text; all zero is Mustache as the specification has it. */
struct sm_template_options {
	enum sm_template_escape escape;
	sm_template_partial_fn *partial;	/* NULL: no partials */
	void *partial_arg;
	const struct sm_template_formatter *formatters;	/* borrowed */
	size_t nformatters;
	unsigned flags;				/* SM_TEMPLATE_STRICT */
};

struct sm_template;

/*
 * Compiles text (NUL-terminated, UTF-8) written at origin (may be NULL:
 * places are then line:column in the text).  The partials it names, and
 * theirs, are looked up and compiled with it.  Returns NULL with err set
 * when a template does not parse: err names the place of the offending
 * tag as origin->file, origin->line + L - 1 and a column, L being the line
 * within the template; the column is counted in characters from
 * origin->column on the template's first line and from 1 on the others.
 * That is exact for a template on one line of sm.yaml written plainly
 * (give the mark of a quoted scalar plus one column).  For a block scalar
 * (text: |) libyaml's mark is the indicator's: give line + 1 of it and the
 * lines are right, the columns counted from the block's indentation.  An
 * error in a partial names the partial's own place.
 */
struct sm_template *sm_template_compile(const char *text,
    const struct sm_mark *origin, const struct sm_template_options *opt,
    struct sm_error *err);

void sm_template_free(struct sm_template *t);

/*
 * Renders the template over data (usually a record; any JSON value),
 * appending to out, which the caller resets and reuses between renders:
 * a render allocates nothing else.  Returns 0, or -1 with err set (a
 * formatter failed, nesting beyond SM_TEMPLATE_MAX_DEPTH); out then holds
 * a part of the text.
 */
int sm_template_render(const struct sm_template *t, const json_t *data,
    struct sm_buf *out, struct sm_error *err);

/* What kind of tag named a variable. */
enum sm_template_tag {
	SM_TEMPLATE_VARIABLE,	/* {{x}}, {{{x}}}, {{& x}} */
	SM_TEMPLATE_SECTION,	/* {{#x}} */
	SM_TEMPLATE_INVERTED	/* {{^x}} */
};

/*
 * A name a template uses.  A name inside sections is looked up in their
 * values before the record: {{#classify}}{{topic}}{{/classify}} reads
 * classify.topic if classify is an object holding topic, else topic.  To
 * check that a record can have it, follow parent (the enclosing section)
 * outwards.  Names in partials have no parent: a partial may be included
 * anywhere.
 */
struct sm_template_var {
	const char *name;	/* as written but the formatter: "a.b", "." */
	const char *formatter;	/* "date", or NULL */
	enum sm_template_tag tag;
	size_t parent;		/* the enclosing section's index, or SIZE_MAX */
	const char *partial;	/* the partial it is in, or NULL */
	struct sm_mark where;	/* the tag; where.file is the template's */
};

/* The names used, in the order written, main template then partials. */
size_t sm_template_var_count(const struct sm_template *t);
const struct sm_template_var *sm_template_var(const struct sm_template *t,
    size_t i);

#endif
