/* Masking of personal information for display, as the Personal Information Protection Law asks:
 * lists and screens show enough of a phone number, ID number or name to recognise a resident,
 * never the whole of it. Each function writes into a caller's buffer of n bytes, always
 * NUL-terminated when n > 0 and never overflowed; n == 0 writes nothing. Pure: no I/O, no
 * allocation. */
#ifndef LINLI_MASK_H
#define LINLI_MASK_H
#include <stddef.h>

/* An 11-character in becomes first 3 + "****" + last 4 ("13812341234" -> "138****1234"); any
 * other length becomes that many '*'. The result is cut to n-1 bytes. NULL in is treated as "". */
void mask_phone(const char *in, char *out, size_t n);

/* An 18-character in becomes first 4 + 10 '*' + last 4 ("440606199001011234" ->
 * "4406**********1234"); any other length becomes that many '*'. The result is cut to n-1
 * bytes. NULL in is treated as "". */
void mask_idnum(const char *in, char *out, size_t n);

/* The masks for those who may never see the number (roles without people.unmask), made so that
 * what else they see of a person — name, gender, birth year, compound — does not rebuild it, even
 * with every candidate tried elsewhere.
 *
 * An 11-character phone number keeps only its last 4 ("13812341234" -> "*******1234"): the
 * carrier prefix and the 4 digits after it stay unknown, about 40 prefixes x 10^4 = 400,000
 * candidates (the usual mask left 10^4, which a search oracle once tried in 9,912 requests).
 *
 * An 18-character ID number keeps only its province, the first 2 ("440606195603143028" ->
 * "44****************"). Birth year and gender are shown beside it; unknown stay the county (some
 * hundreds of codes in a province), the birth month and day (365), the sequence (500 of the
 * right parity); the check digit follows from the rest and is hidden: about 140 x 365 x 500 =
 * 2.5 x 10^7 candidates. The usual mask (region's first 4, sequence and check shown) left about
 * 100 x 365 / 11 = 3,300, and ~33 once the county is guessed from the community: 67 requests.
 *
 * Any other length becomes that many '*'. Cut to n-1 bytes; NULL in is treated as "". */
void mask_phone_strict(const char *in, char *out, size_t n);
void mask_idnum_strict(const char *in, char *out, size_t n);

/* Keeps the first character of a UTF-8 name and writes one '*' for each following character
 * ("张小明" -> "张**"); a one-character name gets a single '*' ("李" -> "李*"); "" stays "".
 * Bytes that are not valid UTF-8 count as one character each, and an invalid first character is
 * itself written as '*'. The result is cut to fit n-1 bytes at a character boundary: a multibyte
 * character is never split. NULL utf8 is treated as "". */
void mask_name(const char *utf8, char *out, size_t n);

#endif
