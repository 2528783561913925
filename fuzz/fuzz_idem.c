/* libFuzzer target: the Idempotency-Key header of every POST that makes or does something
 * (server/idem.h). idem_key_check must take any bytes; it accepts exactly the keys of
 * 1 to IDEM_KEY_MAX bytes of printable ASCII — so every key it lets through is text that both
 * databases store and compare byte for byte — and every refusal names a message the catalogue has.
 * Keys are tried as sent and cut at each length around the limit. */
#include "fuzz.h"
#include "core/i18n.h"
#include "server/idem.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check(const char *key)
{
    size_t n = strlen(key);
    int printable = 1;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)key[i] < 0x20 || (unsigned char)key[i] > 0x7e)
            printable = 0;
    const char *code = idem_key_check(key);
    int want_ok = n >= 1 && n <= IDEM_KEY_MAX && printable;
    if ((code == NULL) != want_ok)
        abort();
    if (code && strcmp(i18n_text(LANG_EN, code), code) == 0)
        abort(); /* a refusal the catalogue cannot explain */
    if (code && n == 0 && strcmp(code, "required") != 0)
        abort();
    if (code && n > 0 && !printable && strcmp(code, "idempotency_key_chars") != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_text(data, size);
    if (!s)
        return 0;
    check(s);
    /* The same key at lengths around the limit: whatever bytes, the length rule alone decides
     * for a printable key. */
    size_t n = strlen(s);
    for (size_t cut = IDEM_KEY_MAX - 1; cut <= IDEM_KEY_MAX + 1 && cut < n; cut++) {
        char keep = s[cut];
        s[cut] = 0;
        check(s);
        s[cut] = keep;
    }
    const char *none = idem_key_check(NULL); /* no header value at all */
    if (!none || strcmp(none, "required") != 0)
        abort();
    free(s);
    return 0;
}
