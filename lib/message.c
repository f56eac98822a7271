/* message.c - a record's text analysed once, for rules and models alike */
#include <ctype.h>
#include <string.h>

#include "sm/message.h"

void
sm_message_init(struct sm_message *m, struct sm_stemmer *stemmer)
{
	memset(m, 0, sizeof(*m));
	m->stemmer = stemmer;
	m->lang = "und";
}

void
sm_message_free(struct sm_message *m)
{
	sm_buf_free(&m->raw);
	sm_text_free(&m->text);
	sm_langid_free(m->langid);
	m->langid = NULL;
}

/* "es-ES", "ES", "pt_BR" become "es", "es", "pt". */
static int
normalize_lang(const char *s, char *out, size_t size)
{
	size_t i;

	for (i = 0; s[i] && s[i] != '-' && s[i] != '_' && i + 1 < size; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[i] = '\0';
	return i > 0;
}

static const char *
message_lang(struct sm_message *m, json_t *rec)
{
	json_t *l = json_object_get(rec, "lang");
	char err[256];

	if (json_is_string(l) && normalize_lang(json_string_value(l),
	    m->langbuf, sizeof(m->langbuf))) {
		int i = sm_lang_index(m->langbuf);

		/* a platform's guess the town hall does not hear is guessed
		 * again among the languages it does */
		if (m->allowed == 0 || (i >= 0 && (m->allowed & 1u << i)))
			return m->langbuf;
	}
	if (m->langid == NULL && !m->langid_failed) {
		m->langid = sm_langid_new(NULL, err, sizeof(err));
		m->langid_failed = m->langid == NULL;
	}
	if (m->langid == NULL)
		return m->fallback ? m->fallback : "und";
	return sm_langid_guess(m->langid, &m->text, m->raw.data, m->raw.len,
	    m->allowed, m->fallback);
}

void
sm_message_analyze(struct sm_message *m, json_t *rec)
{
	json_t *text = json_object_get(rec, "text");
	json_t *subject = json_object_get(rec, "subject");

	sm_buf_reset(&m->raw);
	if (json_is_string(subject)) {
		sm_buf_add(&m->raw, json_string_value(subject),
		    json_string_length(subject));
		sm_buf_addc(&m->raw, '\n');
	}
	if (json_is_string(text))
		sm_buf_add(&m->raw, json_string_value(text),
		    json_string_length(text));
	if (m->raw.data == NULL)
		sm_buf_reserve(&m->raw, 0);
	sm_text_analyze(&m->text, m->raw.data, m->raw.len);
	m->lang = message_lang(m, rec);
	sm_text_stem(&m->text, m->stemmer, m->lang);
}
