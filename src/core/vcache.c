/* The versioned answer cache (see vcache.h): a fixed table of slots chosen by the key's hash, one
 * lock for all (the work under it is a compare and a memcpy). */
#include "core/vcache.h"
#include "core/fault.h"
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct slot {
    char *key, *version, *body;
    size_t len;
};
static struct slot slots[VCACHE_SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static size_t slot_of(const char *key)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return (size_t)(h % VCACHE_SLOTS);
}

static char *dup(const char *s, size_t n)
{
    char *d = linli_malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

char *vcache_get(const char *key, const char *version, size_t *len)
{
    struct slot *s = &slots[slot_of(key)];
    char *out = NULL;
    pthread_mutex_lock(&lock);
    if (s->key && strcmp(s->key, key) == 0 && strcmp(s->version, version) == 0) {
        out = dup(s->body, s->len);
        if (out)
            *len = s->len;
    }
    pthread_mutex_unlock(&lock);
    return out;
}

static void slot_free(struct slot *s)
{
    free(s->key);
    free(s->version);
    free(s->body);
    memset(s, 0, sizeof *s);
}

void vcache_put(const char *key, const char *version, const char *body, size_t len)
{
    if (len > VCACHE_MAX_BODY)
        return;
    struct slot n = {dup(key, strlen(key)), dup(version, strlen(version)), dup(body, len), len};
    if (!n.key || !n.version || !n.body) {
        slot_free(&n);
        return;
    }
    struct slot *s = &slots[slot_of(key)];
    pthread_mutex_lock(&lock);
    struct slot old = *s;
    *s = n;
    pthread_mutex_unlock(&lock);
    slot_free(&old);
}

void vcache_clear(void)
{
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < VCACHE_SLOTS; i++)
        slot_free(&slots[i]);
    pthread_mutex_unlock(&lock);
}
