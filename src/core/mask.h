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

/* Keeps the first character of a UTF-8 name and writes one '*' for each following character
 * ("张小明" -> "张**"); a one-character name gets a single '*' ("李" -> "李*"); "" stays "".
 * Bytes that are not valid UTF-8 count as one character each, and an invalid first character is
 * itself written as '*'. The result is cut to fit n-1 bytes at a character boundary: a multibyte
 * character is never split. NULL utf8 is treated as "". */
void mask_name(const char *utf8, char *out, size_t n);

#endif
