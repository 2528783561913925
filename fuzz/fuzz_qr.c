/* libFuzzer target: the shift check-in QR token (POST …/shifts/{id}/scan). Under a fixed test key,
 * a token is accepted only when it is exactly one that qr_token_mint makes — whatever the bytes,
 * however the numbers are written — and a minted token is always accepted with its own numbers;
 * change, cut or extend it, or mint it under another key, and it is refused. */
#include "fuzz.h"
#include "core/crypto.h"
#include "modules/volunteers/volunteers.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct crypto_keys key, other;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (crypto_init() != 0)
        abort();
    memset(&key, 0x5a, sizeof key);
    memset(&other, 0x5a, sizeof other);
    other.mac[31] ^= 1;
    return 0;
}

static int64_t take_i64(const uint8_t **p, size_t *n)
{
    uint64_t v = 0;
    for (int i = 0; i < 8 && *n; i++, (*p)++, (*n)--)
        v = v << 8 | **p;
    return (int64_t)v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new();
    char *s = fuzz_text(data, size);
    if (!a || !s) {
        arena_free(a);
        free(s);
        return 0;
    }
    int64_t c, sh, e;

    /* The input as a token: parsed only if it is in the one written form, accepted only if minted. */
    if (qr_token_parse(s, &c, &sh, &e) == 0) {
        char canon[64];
        int len = snprintf(canon, sizeof canon, "%lld.%lld.%lld.", (long long)c, (long long)sh, (long long)e);
        if (strncmp(canon, s, (size_t)len) != 0 || strlen(s) != (size_t)len + 32)
            abort();
    }
    if (qr_token_check(a, &key, s, &c, &sh, &e) == 0) {
        const char *minted = qr_token_mint(a, &key, c, sh, e);
        if (!minted || strcmp(minted, s) != 0)
            abort(); /* accepted without having been minted */
    }

    /* A token minted from numbers the input chooses is accepted, with those numbers. */
    const uint8_t *p = data;
    size_t n = size;
    int64_t wc = take_i64(&p, &n), ws = take_i64(&p, &n), we = take_i64(&p, &n);
    char *t = qr_token_mint(a, &key, wc, ws, we);
    if (t) {
        if (qr_token_check(a, &key, t, &c, &sh, &e) != 0 || c != wc || sh != ws || e != we)
            abort();
        if (qr_token_check(a, &other, t, &c, &sh, &e) == 0)
            abort(); /* minted under another key */
        size_t tl = strlen(t);
        /* One byte changed (where and to what, the input says) is refused. */
        char *bad = malloc(tl + size + 2);
        if (bad) {
            strcpy(bad, t);
            size_t at = n ? p[0] % tl : tl - 1;
            char to = (char)(n > 1 ? p[1] : 'z');
            if (to == 0 || to == bad[at])
                to = bad[at] == '0' ? '1' : '0';
            bad[at] = to;
            if (qr_token_check(a, &key, bad, &c, &sh, &e) == 0)
                abort();
            /* Cut short, or with the input appended, it is refused too. */
            strcpy(bad, t);
            bad[n ? p[0] % tl : 0] = 0;
            if (qr_token_check(a, &key, bad, &c, &sh, &e) == 0)
                abort();
            if (size && strlen(s)) {
                strcpy(bad, t);
                strcat(bad, s);
                if (qr_token_check(a, &key, bad, &c, &sh, &e) == 0)
                    abort();
            }
            free(bad);
        }
    }
    arena_free(a);
    free(s);
    return 0;
}
