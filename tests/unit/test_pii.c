/* test_pii.c - personal data detection */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sm/pii.h"

#define ALL	(SM_PII_DNI | SM_PII_NIE | SM_PII_PHONE | SM_PII_EMAIL | \
		SM_PII_IBAN | SM_PII_CARD)

struct example {
	const char *text;
	unsigned want;
};

/* An exact-size copy without a NUL, so the sanitizer catches over-reads. */
static unsigned
scan(const char *text, size_t len)
{
	char *copy;
	unsigned got;

	copy = malloc(len > 0 ? len : 1);
	assert_non_null(copy);
	memcpy(copy, text, len);
	got = sm_pii_scan(copy, len);
	free(copy);
	return got;
}

static void
check(const struct example *ex, size_t n)
{
	unsigned got;
	size_t k;
	int bad = 0;

	for (k = 0; k < n; k++) {
		got = scan(ex[k].text, strlen(ex[k].text));
		if (got != ex[k].want) {
			print_error("\"%s\": got %#x, want %#x\n", ex[k].text,
			    got, ex[k].want);
			bad++;
		}
	}
	if (bad > 0)
		fail_msg("%d of %zu examples wrong", bad, n);
}

#define CHECK(ex)	check(ex, sizeof ex / sizeof ex[0])

static void
test_dni_valid(void **state)
{
	static const struct example ex[] = {
		{ "12345678Z", SM_PII_DNI },
		{ "DNI 12345678Z", SM_PII_DNI },
		{ "DNI:12345678Z,", SM_PII_DNI },
		{ "mi dni es 12345678z", SM_PII_DNI },
		{ "12345678-Z", SM_PII_DNI },
		{ "12345678-z", SM_PII_DNI },
		{ "12345678 Z", SM_PII_DNI },
		{ "12345678 z", SM_PII_DNI },
		{ "12.345.678-Z", SM_PII_DNI },
		{ "12.345.678Z", SM_PII_DNI },
		{ "87654321X.", SM_PII_DNI },
		{ "(11111111H)", SM_PII_DNI },
		{ "00000000T", SM_PII_DNI },
		{ "12345690-a", SM_PII_DNI },
		{ "12345690A", SM_PII_DNI },
	};

	(void)state;
	CHECK(ex);
}

static void
test_dni_invalid(void **state)
{
	static const struct example ex[] = {
		{ "12345678A", 0 },		/* wrong letter */
		{ "12345678-T", 0 },
		{ "87654321Z", 0 },
		{ "1234567Z", 0 },		/* seven digits */
		{ "123456789Z", 0 },		/* nine digits */
		{ "A12345678Z", 0 },
		{ "012345678Z", 0 },
		{ "12345678ZA", 0 },
		{ "12345678Z1", 0 },
		{ "12345678  Z", 0 },		/* two spaces */
		{ "12345678_Z", 0 },
		{ "12.34.5678Z", 0 },
		{ "EXP-12345678Z", 0 },
		{ "pagué 12345690 a Hacienda", 0 },
		{ "12345693 y 5", 0 },
		{ "12345686 e hijos", 0 },
	};

	(void)state;
	CHECK(ex);
}

static void
test_nie(void **state)
{
	static const struct example ex[] = {
		{ "X1234567L", SM_PII_NIE },
		{ "x1234567l", SM_PII_NIE },
		{ "NIE: Y1234567X.", SM_PII_NIE },
		{ "Z1234567R", SM_PII_NIE },
		{ "X-1234567-L", SM_PII_NIE },
		{ "X1234567 L", SM_PII_NIE },
		{ "Z7654321J", 0 },		/* the prefix counts */
		{ "X7654321J", SM_PII_NIE },
		{ "X1234567A", 0 },
		{ "W1234567L", 0 },
		{ "AX1234567L", 0 },
		{ "X12345678L", 0 },
		{ "X123456L", 0 },
		{ "X1234567LL", 0 },
		{ "X 1234567L", 0 },
	};

	(void)state;
	CHECK(ex);
}

static void
test_plain_numbers(void **state)
{
	static const struct example ex[] = {
		{ "12345678", 0 },
		{ "Mi número es 12345678.", 0 },
		{ "87654321 11111111 00000000", 0 },
		{ "12345678 99999999", 0 },
		{ "12.345.678", 0 },
		{ "1234567", 0 },
		{ "123456789", 0 },
		{ "1234567890", 0 },
		{ "12345678901234567890", 0 },
	};

	(void)state;
	CHECK(ex);
}

static void
test_phone_mobile(void **state)
{
	static const struct example ex[] = {
		{ "612345678", SM_PII_PHONE },
		{ "Tel:612345678", SM_PII_PHONE },
		{ "Llámame al 698765432.", SM_PII_PHONE },
		{ "612 345 678", SM_PII_PHONE },
		{ "612-345-678", SM_PII_PHONE },
		{ "612.345.678", SM_PII_PHONE },
		{ "612 34 56 78", SM_PII_PHONE },
		{ "612-34-56-78", SM_PII_PHONE },
		{ "712345678", SM_PII_PHONE },
		{ "móvil: 699 99 99 99, gracias", SM_PII_PHONE },
		{ "612345678 912345678", SM_PII_PHONE },
		{ "612345678/912345678", SM_PII_PHONE },
	};

	(void)state;
	CHECK(ex);
}

static void
test_phone_landline(void **state)
{
	static const struct example ex[] = {
		{ "912345678", SM_PII_PHONE },
		{ "91 234 56 78", SM_PII_PHONE },
		{ "93-123-45-67", SM_PII_PHONE },
		{ "954 12 34 56", SM_PII_PHONE },
		{ "812345678", SM_PII_PHONE },
		{ "Ayuntamiento: 91.234.56.78", SM_PII_PHONE },
	};

	(void)state;
	CHECK(ex);
}

static void
test_phone_prefix(void **state)
{
	static const struct example ex[] = {
		{ "+34612345678", SM_PII_PHONE },
		{ "+34 612 345 678", SM_PII_PHONE },
		{ "tel: +34 91 234 56 78", SM_PII_PHONE },
		{ "0034612345678", SM_PII_PHONE },
		{ "0034 612 34 56 78", SM_PII_PHONE },
		{ "(+34) 612345678", SM_PII_PHONE },
		{ "(+34)612 345 678", SM_PII_PHONE },
		{ "+34-91-234-56-78", SM_PII_PHONE },
		{ "34 612 345 678", SM_PII_PHONE },
		{ "+34 512345678", 0 },
		{ "+3461234567", 0 },
		{ "+346123456789", 0 },
		{ "0034 12345678", 0 },
	};

	(void)state;
	CHECK(ex);
}

static void
test_phone_not(void **state)
{
	static const struct example ex[] = {
		{ "512345678", 0 },
		{ "112345678", 0 },
		{ "012345678", 0 },
		{ "1234567890", 0 },
		{ "6123456789", 0 },
		{ "61234567", 0 },
		{ "612345678901", 0 },
		{ "x612345678", 0 },
		{ "612345678x", 0 },
		{ "612 345 678 901", 0 },	/* part of a longer number */
		{ "1 612 345 678", 0 },
		{ "1.612.345.678", 0 },
		{ "612.345.678,50", 0 },
		{ "612.345.678 €", 0 },
		{ "612.345.678€", 0 },
		{ "612345678 euros", 0 },
		{ "€612345678", 0 },
		{ "EUR 612345678", 0 },
		{ "612345678.5", 0 },
		{ "ORD-612345678", 0 },
		{ "612345678-A", 0 },
		{ "pedido #912345678", 0 },
		{ "612 345-678", 0 },		/* mixed separators */
		{ "612  345 678", 0 },		/* double space */
		{ "6 1 2 3 4 5 6 7 8", 0 },
		{ "61 23 45 67 8", 0 },
		{ "6123 45678", 0 },
	};

	(void)state;
	CHECK(ex);
}

static void
test_dates_amounts_codes(void **state)
{
	static const struct example ex[] = {
		{ "12/05/2023", 0 },
		{ "2023-05-12", 0 },
		{ "12.05.2023", 0 },
		{ "el 9-12-2023 12:30 en el registro", 0 },
		{ "2023-05-12T18:30:00Z", 0 },
		{ "a las 09:30 o 18.45 h", 0 },
		{ "1.234.567 €", 0 },
		{ "12.345.678 €", 0 },
		{ "1.234,56 euros", 0 },
		{ "98.765.432,10 EUR", 0 },
		{ "28013 Madrid", 0 },
		{ "CP 08001, 41001 y 46001", 0 },
		{ "Expediente 2023/000123", 0 },
		{ "EXP-2023-0012345", 0 },
		{ "pedido 123456789", 0 },
		{ "Pedido nº 4567, factura F2023-00012345", 0 },
		{ "versión 3.14.159", 0 },
		{ "ISBN 978-3-16-148410-0", 0 },
		{ "ref 20230512183000", 0 },
	};

	(void)state;
	CHECK(ex);
}

static void
test_email(void **state)
{
	static const struct example ex[] = {
		{ "juan@example.com", SM_PII_EMAIL },
		{ "Escribe a maria.lopez+ayto@correo.example.es.", SM_PII_EMAIL },
		{ "<ana_b@sub.dominio.org>", SM_PII_EMAIL },
		{ "JOSE@EXAMPLE.COM", SM_PII_EMAIL },
		{ "josé@ejemplo.es", SM_PII_EMAIL },
		{ "x@a.io", SM_PII_EMAIL },
		{ "correo:pepe@ayto-cádiz.es", SM_PII_EMAIL },
		{ "612345678@example.com", SM_PII_EMAIL },
		{ "12345678Z@example.es", SM_PII_EMAIL },
		{ "@ayuntamiento", 0 },
		{ "gracias @juan.perez", 0 },
		{ "juan@localhost", 0 },
		{ "juan@", 0 },
		{ "@", 0 },
		{ "juan@x.c", 0 },
		{ "juan @ x.es", 0 },
		{ "user@123.456", 0 },
		{ ".@x.es", 0 },
		{ "a@@b.es", 0 },
	};

	(void)state;
	CHECK(ex);
}

static void
test_iban_valid(void **state)
{
	static const struct example ex[] = {
		{ "ES91 2100 0418 4502 0005 1332", SM_PII_IBAN },
		{ "ES9121000418450200051332", SM_PII_IBAN },
		{ "es91 2100 0418 4502 0005 1332", SM_PII_IBAN },
		{ "IBAN: ES91 2100 0418 4502 0005 1332.", SM_PII_IBAN },
		{ "IBAN:ES9121000418450200051332,", SM_PII_IBAN },
		{ "ES80 2100 0418 6123 4567 8912", SM_PII_IBAN },
		{ "ES1700491500051234567890", SM_PII_IBAN },
		{ "DE89 3704 0044 0532 0130 00", SM_PII_IBAN },
		{ "GB82 WEST 1234 5698 7654 32", SM_PII_IBAN },
		{ "gb82west12345698765432", SM_PII_IBAN },
		{ "FR14 2004 1010 0505 0001 3M02 606", SM_PII_IBAN },
		{ "NO93 8601 1117 947", SM_PII_IBAN },
	};

	(void)state;
	CHECK(ex);
}

static void
test_iban_invalid(void **state)
{
	static const struct example ex[] = {
		{ "ES92 2100 0418 4502 0005 1332", 0 },	/* check digits */
		{ "ES9221000418450200051332", 0 },
		{ "ES91 2100 0418 4502 0005 1333", 0 },
		{ "ES81 2100 0418 6123 4567 8912", 0 },
		{ "ES91 2100 0418 4502 0005", 0 },	/* too short */
		{ "ES91 2100 0418 4502 0005 1332 7", 0 },	/* too long */
		{ "ES912100041845020005133", 0 },
		{ "ES91210004184502000513321", 0 },
		{ "ES91 21000418 4502 0005 1332", 0 },
		{ "QQ91 2100 0418 4502 0005 1332", 0 },	/* no such country */
		{ "XES91 2100 0418 4502 0005 1332", 0 },
		{ "ES91 2100 0418 4502 0005 1332X", 0 },
	};

	(void)state;
	CHECK(ex);
}

static void
test_card_valid(void **state)
{
	static const struct example ex[] = {
		{ "4111 1111 1111 1111", SM_PII_CARD },
		{ "4111111111111111", SM_PII_CARD },
		{ "4111-1111-1111-1111", SM_PII_CARD },
		{ "5500-0000-0000-0004", SM_PII_CARD },
		{ "5500 0000 0000 0004", SM_PII_CARD },
		{ "378282246310005", SM_PII_CARD },
		{ "3782 822463 10005", SM_PII_CARD },
		{ "6011111111111117", SM_PII_CARD },
		{ "3530111333300000", SM_PII_CARD },
		{ "30569309025904", SM_PII_CARD },
		{ "2221000000000009", SM_PII_CARD },
		{ "4222222222222", SM_PII_CARD },
		{ "4111111111111111110", SM_PII_CARD },
		{ "Tarjeta: 4612345678901233.", SM_PII_CARD },
		{ "4111 1111 1111 1111 12/25", SM_PII_CARD },
		{ "4111111111111111 caduca 12/25", SM_PII_CARD },
	};

	(void)state;
	CHECK(ex);
}

static void
test_card_invalid(void **state)
{
	static const struct example ex[] = {
		{ "4111 1111 1111 1112", 0 },		/* Luhn */
		{ "4111111111111112", 0 },
		{ "5500-0000-0000-0005", 0 },
		{ "378282246310006", 0 },
		{ "0000 0000 0000 0000", 0 },		/* Luhn, no issuer */
		{ "1234567812345670", 0 },
		{ "5500000000000004000", 0 },		/* wrong length */
		{ "41111111111111111111", 0 },		/* 20 digits */
		{ "4111 1111-1111 1111", 0 },
		{ "4111 11111 111 1111", 0 },
		{ "4111  1111 1111 1111", 0 },
		{ "x4111111111111111", 0 },
		{ "4111111111111111x", 0 },
	};

	(void)state;
	CHECK(ex);
}

/* Slices of a card or an IBAN look like other things; they must not fire. */
static void
test_no_double_report(void **state)
{
	static const struct example ex[] = {
		{ "4612345678901233", SM_PII_CARD },
		{ "4912 6123 4567 8008", SM_PII_CARD },
		{ "5555 6123 4567 8908", SM_PII_CARD },
		{ "4912 6123 4567 8009", 0 },
		{ "4912612345678009", 0 },
		{ "ES80 2100 0418 6123 4567 8912", SM_PII_IBAN },
		{ "ES8021000418612345678912", SM_PII_IBAN },
		{ "ES81 2100 0418 6123 4567 8912", 0 },
		{ "2100 0418 45 0200051332", 0 },
		{ "2100-0418-45-0200051332", 0 },
	};

	(void)state;
	CHECK(ex);
}

static void
test_boundaries(void **state)
{
	static const struct example ex[] = {
		{ "Tel:612345678", SM_PII_PHONE },
		{ "DNI:12345678Z,", SM_PII_DNI },
		{ "ñ12345678Z", 0 },
		{ "12345678Zñ", 0 },
		{ "Ñ612345678", 0 },
		{ "612345678ñ", 0 },
		{ "a612345678", 0 },
		{ "\xf0\x9f\x93\x9e" "612345678", SM_PII_PHONE },
		{ "\xf0\x9f\x93\xb1\xef\xb8\x8f" "612345678", SM_PII_PHONE },
		{ "«612 345 678»", SM_PII_PHONE },
		{ "¿12345678Z?", SM_PII_DNI },
		{ "\"12345678Z\"", SM_PII_DNI },
		{ "(612345678)", SM_PII_PHONE },
		{ "612345678\n", SM_PII_PHONE },
		{ "\t612345678", SM_PII_PHONE },
		{ "Tel.\xc2\xa0" "612 345 678", SM_PII_PHONE },
		{ "\xe2\x80\x94" "612345678" "\xe2\x80\x94", SM_PII_PHONE },
		{ "nº612345678", SM_PII_PHONE },
		{ "café12345678Z", 0 },
		{ "\xff" "612345678", 0 },		/* malformed: not split */
	};

	(void)state;
	CHECK(ex);
}

static void
test_mixture(void **state)
{
	static const struct example ex[] = {
		{ "Soy Ana, DNI 12345678Z, tel. 612 345 678, ana@example.com",
		    SM_PII_DNI | SM_PII_PHONE | SM_PII_EMAIL },
		{ "IBAN ES91 2100 0418 4502 0005 1332 y tarjeta "
		    "4111 1111 1111 1111", SM_PII_IBAN | SM_PII_CARD },
		{ "NIE X1234567L, +34 91 234 56 78", SM_PII_NIE | SM_PII_PHONE },
		{ "12345678Z X1234567L 612345678 a@b.es "
		    "ES9121000418450200051332 4111111111111111", ALL },
		{ "Hola 👋 el 12/05/2023 pagué 1.234,56 € por el expediente "
		    "2023/000123 en el 28013; 12345678A no es un DNI", 0 },
		{ "Me llamo José 🙂 y mi móvil es el 612 34 56 78 😀",
		    SM_PII_PHONE },
	};

	(void)state;
	CHECK(ex);
}

static void
test_length_respected(void **state)
{
	(void)state;
	assert_int_equal(sm_pii_scan(NULL, 0), 0);
	assert_int_equal(sm_pii_scan("", 0), 0);
	assert_int_equal(scan("612345678", 8), 0);
	assert_int_equal(scan("612345678", 9), SM_PII_PHONE);
	assert_int_equal(scan("12345678Z", 8), 0);
	assert_int_equal(scan("juan@x.es", 7), 0);
	assert_int_equal(scan("ES9121000418450200051332", 23), 0);
	assert_int_equal(scan("4111111111111111", 15), 0);
	assert_int_equal(scan("612345678\0" "12345678Z", 19),
	    SM_PII_PHONE | SM_PII_DNI);
	assert_int_equal(scan("\xe2\x82", 2), 0);
	assert_int_equal(scan("612345678\xe2\x82", 11), 0);
	assert_int_equal(scan("612345678 \xf0\x9f", 12), SM_PII_PHONE);
}

/* Long runs of what detectors look at: fixed bounds and linear time. */
static void
test_long_input(void **state)
{
	static const char *const units[] = {
		"1 ", "9", "6", "1-", "a@", "a.", "x@x.", ".-", "+34 ", "ES91 ",
		"4111 ", "12.", "X", "\xc3\xb1", "\xe2\x82", "(",
	};
	const size_t size = 1 << 20;
	const char *tail = " 612345678";
	size_t k, n, ul, tl = strlen(tail);
	char *buf;

	(void)state;
	buf = malloc(size + tl);
	assert_non_null(buf);
	for (k = 0; k < sizeof units / sizeof units[0]; k++) {
		ul = strlen(units[k]);
		for (n = 0; n + ul <= size; n += ul)
			memcpy(buf + n, units[k], ul);
		assert_int_equal(sm_pii_scan(buf, n), 0);
		memcpy(buf + n, tail, tl);
		assert_int_equal(sm_pii_scan(buf, n + tl), SM_PII_PHONE);
	}
	free(buf);
}

static void
test_name(void **state)
{
	(void)state;
	assert_string_equal(sm_pii_name(SM_PII_DNI), "dni");
	assert_string_equal(sm_pii_name(SM_PII_NIE), "nie");
	assert_string_equal(sm_pii_name(SM_PII_PHONE), "phone");
	assert_string_equal(sm_pii_name(SM_PII_EMAIL), "email");
	assert_string_equal(sm_pii_name(SM_PII_IBAN), "iban");
	assert_string_equal(sm_pii_name(SM_PII_CARD), "card");
	assert_null(sm_pii_name(0));
	assert_null(sm_pii_name(SM_PII_DNI | SM_PII_PHONE));
	assert_null(sm_pii_name(1u << SM_PII_NKINDS));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dni_valid),
		cmocka_unit_test(test_dni_invalid),
		cmocka_unit_test(test_nie),
		cmocka_unit_test(test_plain_numbers),
		cmocka_unit_test(test_phone_mobile),
		cmocka_unit_test(test_phone_landline),
		cmocka_unit_test(test_phone_prefix),
		cmocka_unit_test(test_phone_not),
		cmocka_unit_test(test_dates_amounts_codes),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_iban_valid),
		cmocka_unit_test(test_iban_invalid),
		cmocka_unit_test(test_card_valid),
		cmocka_unit_test(test_card_invalid),
		cmocka_unit_test(test_no_double_report),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_mixture),
		cmocka_unit_test(test_length_respected),
		cmocka_unit_test(test_long_input),
		cmocka_unit_test(test_name),
	};

	return cmocka_run_group_tests_name("pii", tests, NULL, NULL);
}
