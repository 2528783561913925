/* A small cache of finished answers, each kept with the version of the data it was made from. A
 * handler names the version by something that changes whenever the answer would (the fund chain's
 * head hash names every entry before it), reads it in one cheap statement, and serves the kept
 * bytes while it is unchanged. Exact, never stale, and right with several processes on one
 * database: a version is read from the database on every request, never trusted from memory.
 * Bounded: VCACHE_SLOTS answers of at most VCACHE_MAX_BODY bytes each; a new answer for a slot
 * replaces the old one. Thread-safe. */
#ifndef LINLI_VCACHE_H
#define LINLI_VCACHE_H
#include <stddef.h>

#define VCACHE_SLOTS 128
#define VCACHE_MAX_BODY (128 * 1024)

/* A malloc'd copy of the answer kept under key if it was made from version; NULL otherwise (or on
 * out of memory). *len is its length. */
char *vcache_get(const char *key, const char *version, size_t *len);
/* Keeps a copy of body under key and version (nothing if it is too large or memory runs out). */
void vcache_put(const char *key, const char *version, const char *body, size_t len);
/* Forgets everything (tests). */
void vcache_clear(void);
#endif
