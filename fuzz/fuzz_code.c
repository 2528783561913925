/* libFuzzer target: household voting codes as residents type them (POST …/voting-codes/redeem).
 * grant_code_normalize must never write past its buffer; its output has no spaces, hyphens or
 * lower-case letters and does not change on a second pass; a printed code typed with spaces,
 * hyphens and lower case (as the input chooses) comes back as the printed code, so it finds the same
 * look-up hash; and a long input cut at the buffer's end can never pass for a printed code. */
#include "fuzz.h"
#include "core/crypto.h"
#include "modules/grants/grants.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static struct crypto_keys key;
static const char alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"; /* as codes_create prints them */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (crypto_init() != 0)
        abort();
    memset(&key, 0x33, sizeof key);
    return 0;
}

static int is_printed_code(const char *s)
{
    return strlen(s) == 10 && strspn(s, alphabet) == 10;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_text(data, size), *full = malloc(size + 1);
    arena *a = arena_new();
    if (!s || !full || !a)
        goto out;

    /* Every buffer size up to the handler's, each filled exactly. */
    char norm[32], again[32];
    size_t whole = grant_code_normalize(s, full, size + 1);
    if (whole != strlen(full) || strpbrk(full, " -abcdefghijklmnopqrstuvwxyz"))
        abort();
    for (size_t outlen = 1; outlen <= sizeof norm; outlen++) {
        memset(norm, 'Q', sizeof norm);
        size_t n = grant_code_normalize(s, norm, outlen);
        if (n >= outlen || norm[n] != 0 || strlen(norm) != n || strncmp(norm, full, n) != 0)
            abort(); /* overran, or not the start of the whole normal form */
        if (outlen < sizeof norm && norm[outlen] != 'Q')
            abort();
    }
    size_t n = grant_code_normalize(s, norm, sizeof norm);
    if (grant_code_normalize(norm, again, sizeof again) != n || strcmp(norm, again) != 0)
        abort(); /* not stable */
    if (is_printed_code(norm) && strcmp(norm, full) != 0)
        abort(); /* a cut-off input matched a code */

    /* A printed code made from the input, typed the way the input says, normalises back to it. */
    char code[11], typed[64];
    size_t t = 0;
    for (int i = 0; i < 10; i++) {
        uint8_t b = i < (int)size ? data[i] : (uint8_t)i;
        code[i] = alphabet[b % 32];
        uint8_t how = i + 10 < (int)size ? data[i + 10] : 0;
        if (how & 1)
            typed[t++] = ' ';
        if (how & 2)
            typed[t++] = '-';
        typed[t++] = (how & 4) && code[i] >= 'A' && code[i] <= 'Z' ? (char)(code[i] + 32) : code[i];
    }
    code[10] = 0;
    typed[t] = 0;
    if (grant_code_normalize(typed, norm, sizeof norm) != 10 || strcmp(norm, code) != 0)
        abort();
    const char *h1 = crypto_lookup_hash(a, &key, norm), *h2 = crypto_lookup_hash(a, &key, code);
    if (!h1 || !h2 || strcmp(h1, h2) != 0)
        abort();
out:
    free(s);
    free(full);
    arena_free(a);
    return 0;
}
