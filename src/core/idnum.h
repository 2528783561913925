/* PRC resident identity numbers (GB 11643-1999): the 18-character number printed on every
 * resident ID card — a 6-digit region code, an 8-digit birth date, a 3-digit sequence whose last
 * digit is odd for men and even for women, and an ISO 7064 MOD 11-2 check character ('0'..'9' or
 * 'X'). These functions compute the check character, validate a number field by field (so the
 * caller can say what is wrong) and normalize user input. Pure: no I/O, no allocation. */
#ifndef LINLI_IDNUM_H
#define LINLI_IDNUM_H

typedef enum {
    IDNUM_OK = 0,
    IDNUM_ERR_EMPTY,  /* NULL or "" */
    IDNUM_ERR_LENGTH, /* not exactly 18 characters */
    IDNUM_ERR_CHARS,  /* first 17 not all digits, or last not a digit, 'X' or 'x' */
    IDNUM_ERR_REGION, /* first two digits not a province-level code */
    IDNUM_ERR_DATE,   /* birth date not a real date in 1900-01-01 .. 2100-12-31 */
    IDNUM_ERR_CHECK   /* check character does not match */
} idnum_status;

/* The check character for the first 17 characters of an ID number: '0'..'9' or 'X'
 * (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, sum mod 11 indexes "10X98765432").
 * first17 must point at 17 ASCII digits (more characters after them are ignored); returns '\0'
 * when it is NULL or any of the 17 is not a digit. */
char idnum_check_digit(const char *first17);

/* Checks s strictly (no trimming): 18 characters; the first 17 digits; the last a digit, 'X' or
 * 'x'; the first two digits a province code (11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81,
 * 82); digits 7-14 a real date YYYYMMDD (Gregorian leap years) from 1900-01-01 to 2100-12-31;
 * the check character right. Returns the first failing test in that order; IDNUM_OK when all
 * pass. */
idnum_status idnum_validate(const char *s);

/* Writes to out the canonical form of in: surrounding spaces and tabs trimmed, a final 'x'
 * uppercased. out is the empty string when in is NULL or, once trimmed, is not 17 digits
 * followed by a digit, 'x' or 'X' (region, date and check are not tested: use idnum_validate).
 * in and out may not overlap. */
void idnum_normalize(const char *in, char out[19]);

#endif
