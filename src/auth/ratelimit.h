/* Login throttling, per account name and per client address: after `slow` failures in 15 minutes
 * each further attempt must wait (1, 2, 4, … s after the last failure, in whole seconds: a wait of
 * 1 s ends at the start of the second after next), and after `lock` failures
 * the key is refused for 15 minutes. Accounts: 5 and 10; addresses (shared by a whole office
 * behind one NAT): 20 and 50. Other throttles use the same table with their own keys and limits
 * (exact number searches: "search:<account>"). Kept in this process's memory (behind a load
 * balancer each server counts its own; see docs/operations.md).
 *
 * A counter is never pushed out by other keys: it lives until its 15 minutes have passed since its
 * last failure. When the table has no room for a new key, that key is refused (limited) until room
 * is made by time, never by forgetting someone else's failures. */
#ifndef LINLI_RATELIMIT_H
#define LINLI_RATELIMIT_H
#include <time.h>

/* 0 when key may try now; otherwise 1 with *retry_after in seconds (at least 1). */
int ratelimit_check(const char *key, int slow, int lock, time_t now, int *retry_after);
/* Counts a failure (or, for other throttles, an attempt) of key at now. */
void ratelimit_fail(const char *key, time_t now);
/* Forgets key's failures (after a successful login). */
void ratelimit_reset(const char *key);
#endif
