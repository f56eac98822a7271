/* test_quote.c - the new text of a reply: quotes, attributions and
 * signatures stripped */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sm/quote.h"

static void
assert_strip(const char *in, const char *want)
{
	char *got = sm_quote_strip(in);

	if (strcmp(got, want) != 0) {
		print_error("strip(\"%s\")\n got \"%s\"\nwant \"%s\"\n", in, got,
		    want);
		free(got);
		fail();
	}
	free(got);
}

static void
test_strip_quote(void **state)
{
	(void)state;
	assert_strip("", "");
	assert_strip("\n\n  hola  \n\n\n\nadios\n\n", "hola\n\nadios");
	/* attributions followed by quoted lines, in several languages */
	assert_strip("S\xc3\xad.\n\nEl 10/03/2025 a las 12:05, Ayto "
	    "escribi\xc3\xb3:\n> antes\n> m\xc3\xa1s\n", "S\xc3\xad.");
	assert_strip("Yes.\n\nOn Mon, Mar 10, 2025 at 12:05 PM Town Hall "
	    "<a@b.example> wrote:\n\n> before\n", "Yes.");
	assert_strip("Gr\xc3\xa0" "cies.\nEl dl., 10 de mar\xc3\xa7 2025 a les "
	    "12:05, Ajuntament <a@b.example> va escriure:\n> abans\n",
	    "Gr\xc3\xa0" "cies.");
	assert_strip("Grazas.\nO lun., 10 de mar. de 2025 \xc3\xa1s 12:05, "
	    "Concello <a@b.example> escribiu:\n> antes\n", "Grazas.");
	assert_strip("Eskerrik asko.\nUdala <a@b.example> erabiltzaileak hau "
	    "idatzi zuen (2025 mar. 10, al. 12:05):\n> lehen\n",
	    "Eskerrik asko.");
	/* Gmail wraps a long attribution over two lines */
	assert_strip("Vale.\n\nEl lun, 10 mar 2025 a las 12:05, Atenci\xc3\xb3n "
	    "Ciudadana (<\natencion@villanueva.example>) escribi\xc3\xb3:\n\n"
	    "> Hemos registrado\n", "Vale.");
	/* an attribution followed by unquoted text ends the reply */
	assert_strip("Vale.\nOn 10 Mar 2025, at 12:05, X <x@y.example> wrote:"
	    "\n\nold text\n", "Vale.");
	/* interleaved answers are kept, the quotes dropped */
	assert_strip("On 10/03/2025 X wrote:\n> 1. name?\nJuan\n> 2. street?\n"
	    "Real 3\n", "Juan\nReal 3");
	/* signatures */
	assert_strip("Hola\n-- \nJuan P\xc3\xa9rez\nConcejal\n", "Hola");
	assert_strip("Hola\n--\nJuan\n", "Hola");
	assert_strip("Hola\n--- no es firma\n", "Hola\n--- no es firma");
	/* Original Message and Outlook blocks */
	assert_strip("Mi respuesta\n\n-----Original Message-----\nFrom: A\n"
	    "old\n", "Mi respuesta");
	assert_strip("Mi respuesta\n----- Mensaje original -----\nold\n",
	    "Mi respuesta");
	assert_strip("Resposta\n-----Missatge original-----\nold\n",
	    "Resposta");
	assert_strip("Resposta\n\n________________________________\n"
	    "De: Ajuntament <a@b.example>\nEnviat: dilluns, 10 de mar\xc3\xa7\n"
	    "Per a: Jo\nAssumpte: x\n\nold\n", "Resposta");
	assert_strip("Respuesta\n\nDe: Ayuntamiento <a@b.example>\n"
	    "Enviado el: lunes, 10 de marzo de 2025 12:05\nPara: Yo\n"
	    "Asunto: RE: x\n\nold\n", "Respuesta");
	assert_strip("Answer\n\n*From:* Town <a@b.example>\n*Sent:* Monday\n"
	    "*To:* Me\n\nold\n", "Answer");
	/* a lone "De:" is not a block */
	assert_strip("De: Juan\nQuiero quejarme\n", "De: Juan\nQuiero quejarme");
	/* phone signatures */
	assert_strip("Ok\n\nEnviado desde mi iPhone\n", "Ok");
	assert_strip("Ok\n\nSent from my Android phone\n", "Ok");
	/* nothing but a quote: keep it all */
	assert_strip("> only\n> quoted\n", "> only\n> quoted");
	assert_strip("-----Original Message-----\nforwarded\n",
	    "-----Original Message-----\nforwarded");
	/* no clue (a digit or '@') in the line: not an attribution */
	assert_strip("Mi vecino escribi\xc3\xb3:\nque no\n",
	    "Mi vecino escribi\xc3\xb3:\nque no");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strip_quote),
	};

	return cmocka_run_group_tests_name("quote", tests, NULL, NULL);
}
