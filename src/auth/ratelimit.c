/* The login throttle of ratelimit.h: a fixed table of keys with their failure counts; when full,
 * the oldest entry gives way. */
#include "auth/ratelimit.h"
#include <pthread.h>
#include <string.h>

#define SLOTS 4096
#define WINDOW 900

static struct entry {
    char key[96];
    int failures;
    time_t last;
} table[SLOTS];
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;

static struct entry *find(const char *key, int create, time_t now)
{
    unsigned long h = 5381;
    for (const char *p = key; *p; p++)
        h = h * 33 + (unsigned char)*p;
    struct entry *oldest = NULL;
    for (int probe = 0; probe < 16; probe++) {
        struct entry *e = &table[(h + (unsigned long)probe) % SLOTS];
        if (strncmp(e->key, key, sizeof e->key - 1) == 0 && e->key[0])
            return e;
        if (!oldest || e->last < oldest->last)
            oldest = e;
    }
    if (!create)
        return NULL;
    memset(oldest, 0, sizeof *oldest);
    strncpy(oldest->key, key, sizeof oldest->key - 1);
    oldest->last = now;
    return oldest;
}

int ratelimit_check(const char *key, int slow, int lock, time_t now, int *retry_after)
{
    int limited = 0;
    pthread_mutex_lock(&table_lock);
    struct entry *e = find(key, 0, now);
    if (e && now - e->last > WINDOW)
        e->failures = 0;
    if (e && e->failures >= lock) {
        limited = 1;
        *retry_after = (int)(e->last + WINDOW - now);
    } else if (e && e->failures >= slow) {
        int shift = e->failures - slow;
        time_t wait = (time_t)1 << (shift < 10 ? shift : 10);
        if (now < e->last + wait) {
            limited = 1;
            *retry_after = (int)(e->last + wait - now);
        }
    }
    pthread_mutex_unlock(&table_lock);
    if (limited && *retry_after < 1)
        *retry_after = 1;
    return limited;
}

void ratelimit_fail(const char *key, time_t now)
{
    pthread_mutex_lock(&table_lock);
    struct entry *e = find(key, 1, now);
    if (now - e->last > WINDOW)
        e->failures = 0;
    e->failures++;
    e->last = now;
    pthread_mutex_unlock(&table_lock);
}

void ratelimit_reset(const char *key)
{
    pthread_mutex_lock(&table_lock);
    struct entry *e = find(key, 0, 0);
    if (e)
        e->key[0] = 0;
    pthread_mutex_unlock(&table_lock);
}
