/* The audit log: who did what, when, to which row, with the row before and after. Append-only
 * (the database refuses UPDATE and DELETE on it) and chained per community with BLAKE2b: each row's
 * hash covers its fields and the previous row's hash, and audit_heads keeps the last one, so an
 * edited, removed or reordered row breaks the chain where it happened. */
#ifndef LINLI_AUDIT_H
#define LINLI_AUDIT_H
#include "store/store.h"
#include <jansson.h>
#include <stdio.h>

/* Appends one row inside the caller's transaction. before/after are borrowed, may be NULL, and
 * must already be masked: the audit log never holds personal data in clear. */
store_rc audit_append(store *s, arena *a, int64_t community_id, int64_t actor_id, const char *actor,
                      const char *action, const char *entity, const char *entity_id,
                      const json_t *before, const json_t *after);

/* Recomputes every chain. Returns 0 when all hold; otherwise -1 with the first bad row described
 * in bad (e.g. "community 1, seq 17: hash does not match its contents"). rows counts rows read. */
int audit_verify(store *s, long *rows, char *bad, size_t badlen);
#endif
