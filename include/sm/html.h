/* html.h - HTML to plain text, and HTML entities */
#ifndef SM_HTML_H
#define SM_HTML_H

#include <stddef.h>

/*
 * The text a reader sees in len bytes of HTML (a Mastodon status's content,
 * an e-mail's HTML part), as a new NUL-terminated UTF-8 string the caller
 * frees.  Never NULL: running out of memory exits, as xmalloc does.
 *
 * - Tags are dropped; the content of script, style, title and template
 *   elements and comments too.
 * - Runs of white space become one space, except inside pre.
 * - br is a line break; p, h1-h6, blockquote and pre are paragraphs (an
 *   empty line between them); div, li, tr, table, ul, ol and the other
 *   block elements start a new line; td and th are separated by a space.
 *   There is at most one empty line in a row, and no white space at the
 *   start or the end.
 * - Every WHATWG named character reference is decoded (&amp; &aacute;
 *   &euro; &hellip; ...), the legacy ones also without their ';', and
 *   numeric ones (&#225; &#xE1;); code points that cannot be (0, surrogates,
 *   beyond U+10FFFF) become U+FFFD, and 0x80-0x9F are read as windows-1252,
 *   as browsers do.
 * - Links keep their text, except a link whose text Mastodon shortened with
 *   <span class="invisible"> or <span class="ellipsis">: that link becomes
 *   its href, the full URL.  img becomes its alt text.
 * - Malformed HTML is read as browsers read it: a '<' not starting a tag is
 *   text ("<3", "a < b"), a tag cut off by the end is dropped, an entity
 *   that is not one stays as it is.  Invalid UTF-8 and NUL become U+FFFD.
 */
char *sm_html_to_text(const char *html, size_t len);

/*
 * The charset an HTML document names for itself in its first 4096 bytes:
 * <meta charset="..."> or <meta http-equiv="Content-Type"
 * content="text/html; charset=...">.  A new string, or NULL when it names
 * none.
 */
char *sm_html_meta_charset(const char *html, size_t len);

/*
 * Decodes the character references in len bytes of text that is not HTML
 * but is escaped as if it were (X's "text" sends "&gt;:(" and "&amp;"),
 * keeping everything else, new lines included.  The same decoding rules as
 * above; invalid UTF-8 and NUL become U+FFFD.  A new string, never NULL.
 */
char *sm_html_unescape(const char *s, size_t len);

#endif
