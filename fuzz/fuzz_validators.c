/* libFuzzer target: the checks of outside text that are linli's own — ID numbers, phone numbers,
 * masking and the de-identification of wish stories. Each must accept any bytes without crashing,
 * and what it accepts must be stable (normalising an accepted value keeps it accepted). */
#include "core/idnum.h"
#include "core/mask.h"
#include "core/phone.h"
#include "modules/wishes/deid.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = 0;
    char out[64], norm[19], phone[12];
    if (idnum_validate(s) == IDNUM_OK) {
        idnum_normalize(s, norm);
        if (idnum_validate(norm) != IDNUM_OK)
            abort();
    }
    if (phone_validate(s) == PHONE_OK && (phone_normalize(s, phone) != 0 || phone_validate(phone) != PHONE_OK))
        abort();
    for (size_t n = 0; n < sizeof out; n += 7) {
        mask_phone(s, out, n);
        mask_idnum(s, out, n);
        mask_name(s, out, n);
    }
    size_t half = size / 2;
    char *name = malloc(half + 1);
    if (name) {
        memcpy(name, s, half);
        name[half] = 0;
        (void)deid_check(s + half, name); /* any result is fine; it must not crash */
        free(name);
    }
    free(s);
    return 0;
}
