/* Idempotency-Key, for every route flagged R_IDEMPOTENT (the POSTs that make or do something). A
 * client that sends the same key again — after a lost answer, a timeout, a double click — gets the
 * first answer again, with "Idempotent-Replay: true", and nothing is done twice. The key belongs to
 * one request: the same key with another body, path or account is 422 idempotency_mismatch. Two
 * tries with one key at once: the second waits for the first (the key's row is taken first, in the
 * request's transaction) and then replays its answer; if the first failed, the second runs.
 *
 * The router calls both, inside the request's one transaction (router.c): idem_begin before the
 * handler, idem_finish just before the commit point. Only a 2xx answer is kept; any other is not,
 * so a refused request may be sent again with its key once the cause is fixed. */
#ifndef LINLI_IDEM_H
#define LINLI_IDEM_H
#include "server/http.h"

#define IDEM_KEY_MAX 100

/* NULL when key is a usable Idempotency-Key: 1 to IDEM_KEY_MAX bytes of printable ASCII (space to
 * '~'; a UUID, say); else the message code of its field error (required, idempotency_key_chars,
 * too_long). Control bytes and bytes past ASCII are refused: the key is stored as text, and
 * PostgreSQL refuses text that is not UTF-8. */
const char *idem_key_check(const char *key);
/* 0: go on to the handler (no key, or the key is new and now taken by this request); 1: it has
 * replied (the first answer replayed, a mismatch, a bad key, or a store error). */
int idem_begin(req *r);
/* Keeps a 2xx answer for the key this request took, or lets the key go; on a store error it turns
 * the answer into a 5xx (so the commit point rolls back). */
void idem_finish(req *r);
#endif
