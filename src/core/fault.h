/* Fault injection in the manner of SQLite's malloc and I/O-error tests. The project's own
 * allocations go through linli_malloc/linli_calloc; when a test turns injection on
 * (fault_install, `LINLI_TEST_FAULTS=1`), jansson's and SQLite's allocations are counted too, and
 * SQLite's file operations go through a shim VFS (store/faults.c). A test then makes the Nth
 * allocation or file operation of a request fail, once or from then on. In a normal run the
 * countdowns stay 0 and nothing is wrapped. The countdowns are per thread: one request's faults
 * never land in another's. */
#ifndef LINLI_FAULT_H
#define LINLI_FAULT_H
#include "core/arena.h"
#include <stddef.h>
#include <stdlib.h>

struct fault {
    long countdown; /* when > 0, the countdown-th operation from now fails */
    int persistent; /* ... and so does every one after it */
    long seen;      /* operations counted while armed */
};
extern _Thread_local struct fault fault_alloc, fault_io;
/* Nonzero once fault_install has run. */
extern int fault_enabled;

static inline int fault_hit(struct fault *f)
{
    if (f->countdown <= 0)
        return 0;
    f->seen++;
    if (f->countdown == 1) {
        if (!f->persistent)
            f->countdown = 0;
        return 1;
    }
    f->countdown--;
    return 0;
}
static inline void *linli_malloc(size_t n) { return fault_hit(&fault_alloc) ? NULL : malloc(n); }
static inline void *linli_calloc(size_t n, size_t m) { return fault_hit(&fault_alloc) ? NULL : calloc(n, m); }

/* Set when an allocation made for jansson failed on this thread, and left set until the router
 * starts the next request. jansson does not always fail when an allocation does: the parser can
 * lose bytes of a string, json_object_set_new a key, json_dumps part of the text. So once this is
 * set, no JSON of the request is trusted: json_text fails, a kept Idempotency-Key answer is not
 * stored, and reply_json answers 500 instead of a document that may lack a field. */
extern _Thread_local int json_alloc_failed;
/* jansson's allocator for the whole process: malloc that notes failures and counts against the
 * allocation countdown. Installed by main before anything else. */
void json_alloc_install(void);

struct json_t;
struct json_error_t;
/* Parses JSON text. jansson's parser (2.14) writes past its buffer when an allocation fails while it
 * reads a string (akheron/jansson#362, open upstream), so it must never see one fail: every parse
 * goes through here, where a failed allocation jumps straight back out of the parser instead. The
 * answer is then NULL with json_alloc_failed set (what the parser had built is not freed: the price
 * of the jump). Otherwise as json_loadb. */
struct json_t *json_parse(const char *text, size_t len, size_t flags, struct json_error_t *err);
/* json_parse of a NUL-terminated text, no flags (text NULL: NULL). */
struct json_t *json_parse_str(const char *text, struct json_error_t *err);

/* The compact JSON text of j in arena a (flags as for json_dumps). jansson can lose bytes of the
 * text when an allocation fails instead of failing, so any failed allocation counts as out of
 * memory: arena_fail (the request ends with a 500) rather than a wrong text stored. */
struct json_t;
char *json_text(arena *a, const struct json_t *j, size_t flags);

/* Installs SQLite's counted allocator and installs SQLite's counted allocator and
 * shim VFS. Call once, before the first database is opened. 0, or -1 if SQLite refused. */
int fault_install(void);
/* Parses "alloc=N", "io=N", either with ",persistent", into the two countdowns (a request header
 * in test runs). 0, or -1 if the text is not that. */
int fault_parse(const char *spec, struct fault *alloc, struct fault *io);
/* SQLite's half of fault_install (store/faults.c). */
int fault_install_sqlite(void);
#endif
