/* message.h - a record's text analysed once, for rules and models alike */
#ifndef SM_MESSAGE_H
#define SM_MESSAGE_H

#include <jansson.h>

#include "sm/text.h"
#include "sm/util.h"

struct sm_message {
	struct sm_buf raw;	/* subject, newline, text: as written */
	struct sm_text text;	/* raw folded, tokenized and stemmed */
	const char *lang;	/* the record's lang, or the one detected */
	char langbuf[16];
	struct sm_stemmer *stemmer;	/* borrowed */
	struct sm_langid *langid;	/* loaded on first need */
	int langid_failed;
	/* the languages it may be in (bit i for sm_langs[i]; 0: any), and
	 * the one a text too short to tell is taken for (NULL: "und") */
	unsigned allowed;
	const char *fallback;
};

/* stemmer is borrowed and must outlive m. */
void sm_message_init(struct sm_message *m, struct sm_stemmer *stemmer);

/*
 * Analyses rec: its subject (an e-mail's often says more than the body)
 * and text, folded and tokenized; its language, from "lang" ("es-ES"
 * becomes "es") when that is one of m->allowed, or detected among them
 * (m->fallback, else "und", when it cannot be told); the words stemmed in
 * that language.  A record without text is an empty message.
 */
void sm_message_analyze(struct sm_message *m, json_t *rec);

void sm_message_free(struct sm_message *m);

#endif
