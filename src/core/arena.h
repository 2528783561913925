/* A request arena: every allocation a request makes comes from here and is released at once,
 * at the single release point (the end of the request). Blocks grow geometrically; nothing is
 * freed individually. Not thread-safe: one arena belongs to one request on one thread. */
#ifndef LINLI_ARENA_H
#define LINLI_ARENA_H
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

typedef struct arena arena;

/* A new, empty arena; NULL when out of memory. Release with arena_free. */
arena *arena_new(void);
/* Frees every block of the arena and the arena itself. NULL is allowed. */
void arena_free(arena *a);
/* When set, running out of memory in arena_alloc jumps to *to (once; the setting is cleared)
 * instead of returning NULL: the router's recovery point, which ends the request with a 500 and
 * rolls its transaction back. NULL clears it. */
void arena_on_oom(arena *a, jmp_buf *to);
/* Out of memory somewhere else in the request (a library's allocation): jumps as arena_alloc would,
 * or returns NULL when no recovery point is set. */
void *arena_fail(arena *a);
/* size bytes aligned for any type; NULL only when out of memory (and no arena_on_oom). */
void *arena_alloc(arena *a, size_t size);
/* A NUL-terminated copy of s (or of its first n bytes for arena_strndup); NULL in, NULL out. */
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
/* printf into the arena. */
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The decimal text of v, for binding as a statement parameter. */
char *arena_i64(arena *a, int64_t v);
#endif
