/* Login throttling, per account name and per client address: after `slow` failures in 15 minutes
 * each further attempt must wait (1, 2, 4, … s after the last failure), and after `lock` failures
 * the key is refused for 15 minutes. Accounts: 5 and 10; addresses (shared by a whole office
 * behind one NAT): 20 and 50. Kept in this process's memory (behind a load balancer each server counts
 * its own; see docs/operations.md). */
#ifndef LINLI_RATELIMIT_H
#define LINLI_RATELIMIT_H
#include <time.h>

/* 0 when key may try now; otherwise 1 with *retry_after in seconds. */
int ratelimit_check(const char *key, int slow, int lock, time_t now, int *retry_after);
void ratelimit_fail(const char *key, time_t now);
void ratelimit_reset(const char *key);
#endif
