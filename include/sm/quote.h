/* quote.h - the new text of a reply: quotes, attributions and signatures
 * stripped
 *
 * Replies by e-mail carry the message they answer, its attribution ("On
 * ... wrote:") and the writer's signature; what the citizen wrote this
 * time is the rest: what sm-fetch puts in a record's text, and what a
 * reply quoting the citizen's message should quote.
 */
#ifndef SM_QUOTE_H
#define SM_QUOTE_H

/*
 * The new text of a reply (UTF-8, "\n" line ends), without what it quotes:
 * drops "> " lines, the attribution line that introduces them ("On ...
 * wrote:", "El ... escribió:", "El ... va escriure:", "O ... escribiu:",
 * "... idatzi zuen:", and fr, de, it, pt; also wrapped over two lines) and
 * "Sent from my ..." lines, and cuts at a signature ("-- "), an
 * "-----Original Message-----" line (es, ca, gl, eu, en...), an Outlook
 * header block ("De:/From:" followed by "Enviado:/Sent:/Para:/To:...") and
 * an attribution followed by unquoted text.  Lines lose their trailing
 * white space; blank lines are collapsed and trimmed.  If nothing would be
 * left, the whole text is kept, so tidied.  A new string the caller frees,
 * never NULL.
 */
char *sm_quote_strip(const char *text);

#endif
