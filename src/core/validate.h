/* Checks a JSON body against a route's field list before the handler runs: unknown fields,
 * required fields, types, lengths, choices, phone and ID numbers. Every problem is reported, each
 * under its field, in the caller's language. */
#ifndef LINLI_VALIDATE_H
#define LINLI_VALIDATE_H
#include "server/http.h"

/* The most any money field may hold: 10^12 fen (¥10 billion). Far above any real amount, and far
 * enough below INT64_MAX that sums of a million such amounts cannot overflow. */
#define MONEY_MAX_FEN INT64_C(1000000000000)

/* 0 when body passes; else -1 with *fields (a new object) naming each bad field. partial: fields
 * marked required may be absent (PATCH). */
int validate_body(req *r, const field_spec *spec, const json_t *body, int partial, json_t **fields);
/* Takes out of a body that passed validate_body every field it took as left out (null, or "" for a
 * field that is not text), so that the handler sees the body as validation saw it: a null is never
 * read as a value (a null budget_lines was stored as present and answered 500). */
void validate_drop_absent(const field_spec *spec, json_t *body);
/* The message code for a phone or ID number that does not pass, or NULL when it passes. */
const char *validate_phone_code(const char *s);
const char *validate_idnum_code(const char *s);
/* 1 when s is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF). */
int utf8_valid(const char *s);
/* Number of UTF-8 code points in s. */
size_t utf8_length(const char *s);
/* A whole number typed into a query string or a token: an optional '-', then decimal digits and
 * nothing else (no spaces, no '+', no trailing text), within [min, max]. 0 with *out set, or -1
 * (*out untouched). Unlike atoi and strtoll it never half-reads "5abc" nor wraps or clamps a
 * number past the 64-bit range. */
int validate_int(const char *s, int64_t min, int64_t max, int64_t *out);
#endif
