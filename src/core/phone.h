/* Mainland China mobile phone numbers: 11 digits beginning 13-19, as residents type them — with
 * or without a "+86" or "86" country prefix, with spaces or hyphens between groups. These
 * functions say whether such input is a plausible mobile number (and if not, why) and reduce it
 * to the bare 11 digits that are stored. Pure: no I/O, no allocation. */
#ifndef LINLI_PHONE_H
#define LINLI_PHONE_H

typedef enum {
    PHONE_OK = 0,
    PHONE_ERR_EMPTY,  /* NULL, or nothing but spaces and hyphens */
    PHONE_ERR_CHARS,  /* a character other than digits, spaces, '-' and one leading '+' */
    PHONE_ERR_LENGTH, /* once the prefix is removed, not 11 digits */
    PHONE_ERR_PREFIX  /* 11 digits not starting 13..19, or a '+' not followed by 86 */
} phone_status;

/* Checks s: spaces and '-' anywhere are ignored; a '+' is allowed only as the first non-space
 * character and must be followed by the digits 86, which are dropped; without '+', 13 digits
 * starting "86" lose that prefix. What remains must be 11 digits starting '1' then '3'..'9'. */
phone_status phone_validate(const char *s);

/* On success (phone_validate(in) == PHONE_OK) writes the bare 11 digits, NUL-terminated, to out
 * and returns 0; otherwise writes the empty string and returns -1. */
int phone_normalize(const char *in, char out[12]);

#endif
