/* pii.h - detect personal data in text, never copy it */
#ifndef SM_PII_H
#define SM_PII_H

#include <stddef.h>

/* Kinds of personal data, as bits. */
enum {
	SM_PII_DNI = 1 << 0,	/* Spanish DNI, check letter verified */
	SM_PII_NIE = 1 << 1,	/* Spanish NIE, check letter verified */
	SM_PII_PHONE = 1 << 2,	/* Spanish phone number */
	SM_PII_EMAIL = 1 << 3,	/* e-mail address */
	SM_PII_IBAN = 1 << 4,	/* IBAN, mod-97 verified */
	SM_PII_CARD = 1 << 5,	/* payment card number, Luhn verified */
	SM_PII_NKINDS = 6
};

/*
 * Scans len bytes of UTF-8 text (need not be NUL-terminated) and returns
 * the kinds found, as a mask of SM_PII_* bits.  Nothing is allocated.
 */
unsigned sm_pii_scan(const char *text, size_t len);

/* The name used in classify.pii for one kind bit: "dni", "nie", "phone",
 * "email", "iban", "card"; NULL for anything else. */
const char *sm_pii_name(unsigned kind);

#endif
