/* The throttle of ratelimit.h: a fixed table of failure counters, open addressing over 65,536
 * slots with 32 probes.
 *
 * Each key is known only by its BLAKE2b-128 hash keyed with a random key made when the process
 * starts: no one outside can choose names that land on someone's slots (the table before this one
 * used djb2 and let made-up names push an account's counter out; issue #11, M1), two keys never
 * share a counter (long keys were cut to 95 bytes), and no login name is kept in memory.
 *
 * Invariant: a live entry (its last failure less than WINDOW seconds ago) belongs to its key until
 * it expires; nothing else may take its slot. A new key takes the first free or expired slot of its
 * probe sequence; when all 32 are live, the key cannot be counted, so it is refused until one of
 * them expires. Under pressure the table locks; it never forgets. */
#include "auth/ratelimit.h"
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <string.h>

#define SLOTS 65536 /* a power of two; 2 MiB */
#define PROBES 32
#define WINDOW 900

static struct entry {
    unsigned char id[16]; /* the keyed hash of the key */
    unsigned char used;
    int failures;
    time_t last; /* the last failure */
} table[SLOTS];
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static unsigned char hash_key[crypto_generichash_KEYBYTES];

static void key_make(void)
{
    /* main has initialised libsodium already (a second call only says so); a unit test may not
     * have. Should it fail, randombytes_buf still opens the system's source itself. */
    if (sodium_init() < 0)
        randombytes_stir();
    randombytes_buf(hash_key, sizeof hash_key);
}

static int live(const struct entry *e, time_t now)
{
    return e->used && now - e->last <= WINDOW;
}

/* The entry of key, or NULL. With create, a missing key gets the first free or expired slot of its
 * probe sequence; when every slot there is live, NULL, *full = 1 and *wait the seconds until the
 * first of them expires. Called with table_lock held. */
static struct entry *find(const char *key, time_t now, int create, int *full, int *wait)
{
    unsigned char id[16];
    pthread_once(&key_once, key_make);
    crypto_generichash(id, sizeof id, (const unsigned char *)key, strlen(key), hash_key, sizeof hash_key);
    uint64_t h;
    memcpy(&h, id, sizeof h);
    struct entry *room = NULL;
    time_t first_expiry = 0;
    for (unsigned probe = 0; probe < PROBES; probe++) {
        struct entry *e = &table[(h + probe) & (SLOTS - 1)];
        if (e->used && memcmp(e->id, id, sizeof id) == 0)
            return e;
        if (!live(e, now)) {
            if (!room)
                room = e;
        } else if (!first_expiry || e->last + WINDOW < first_expiry)
            first_expiry = e->last + WINDOW;
    }
    *full = !room;
    *wait = room ? 0 : (int)(first_expiry - now + 1);
    if (!create || !room)
        return NULL;
    memset(room, 0, sizeof *room);
    memcpy(room->id, id, sizeof id);
    room->used = 1;
    room->last = now;
    return room;
}

int ratelimit_check(const char *key, int slow, int lock, time_t now, int *retry_after)
{
    int limited = 0, full = 0, wait = 0;
    pthread_mutex_lock(&table_lock);
    struct entry *e = find(key, now, 0, &full, &wait);
    if (!e && full) {
        limited = 1; /* no room to count this key's failures: it waits for room */
        *retry_after = wait;
    } else if (e && !live(e, now)) {
        e->failures = 0;
    } else if (e && e->failures >= lock) {
        limited = 1;
        *retry_after = (int)(e->last + WINDOW - now);
    } else if (e && e->failures >= slow) {
        /* Whole seconds: a wait of 1 s is over only in the second after next, so that a try made
         * in the next second but within a second of the failure is not let through. */
        int shift = e->failures - slow;
        time_t pause = (time_t)1 << (shift < 10 ? shift : 10);
        if (now <= e->last + pause) {
            limited = 1;
            *retry_after = (int)(e->last + pause + 1 - now);
        }
    }
    pthread_mutex_unlock(&table_lock);
    if (limited && *retry_after < 1)
        *retry_after = 1;
    return limited;
}

void ratelimit_fail(const char *key, time_t now)
{
    int full = 0, wait = 0;
    pthread_mutex_lock(&table_lock);
    struct entry *e = find(key, now, 1, &full, &wait);
    /* No entry: the table has no room for key, and ratelimit_check refuses it until there is. */
    if (e) {
        if (!live(e, now))
            e->failures = 0;
        e->failures++;
        e->last = now;
    }
    pthread_mutex_unlock(&table_lock);
}

void ratelimit_reset(const char *key)
{
    int full = 0, wait = 0;
    pthread_mutex_lock(&table_lock);
    struct entry *e = find(key, 0, 0, &full, &wait);
    if (e)
        memset(e, 0, sizeof *e);
    pthread_mutex_unlock(&table_lock);
}
