/* libFuzzer target: the checks of outside text that are linli's own — ID numbers, phone numbers,
 * masking and the de-identification of wish stories. Each must accept any bytes without crashing,
 * and what it accepts must be what it promises: an accepted ID number normalises to a valid one whose
 * check character catches any one changed digit; an accepted phone number is 11 digits that stay
 * accepted; every refusal names a message the catalogue has; masks never overrun their buffer. */
#include "fuzz.h"
#include "core/i18n.h"
#include "core/idnum.h"
#include "core/mask.h"
#include "core/phone.h"
#include "core/validate.h"
#include "modules/wishes/deid.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void known_code(const char *code)
{
    if (code && strcmp(i18n_text(LANG_EN, code), code) == 0)
        abort(); /* a refusal whose message the catalogue lacks */
}

static void check_idnum(const char *s, const uint8_t *data, size_t size)
{
    char norm[19];
    idnum_status st = idnum_validate(s);
    known_code(validate_idnum_code(s));
    if ((st == IDNUM_OK) != (validate_idnum_code(s) == NULL))
        abort();
    idnum_normalize(s, norm);
    /* The normal form is empty or 17 digits and a digit or X, whatever came in. */
    if (norm[0] && (strlen(norm) != 18 || strspn(norm, "0123456789") < 17 || !strchr("0123456789X", norm[17])))
        abort();
    if (st != IDNUM_OK)
        return;
    if (strlen(norm) != 18 || idnum_validate(norm) != IDNUM_OK || idnum_check_digit(norm) != norm[17])
        abort();
    for (int i = 0; i < 18; i++)
        if (norm[i] != (s[i] == 'x' ? 'X' : s[i]))
            abort();
    /* What person_insert takes from it: a birth year in the range idnum_validate allows. */
    int year = (norm[6] - '0') * 1000 + (norm[7] - '0') * 100 + (norm[8] - '0') * 10 + (norm[9] - '0');
    if (year < 1900 || year > 2100)
        abort();
    /* MOD 11-2 catches every single changed character: change one (chosen by the input) and the
     * number must no longer pass. */
    char bad[19];
    memcpy(bad, norm, sizeof bad);
    size_t pos = size ? data[0] % 18 : 0;
    char repl = (char)('0' + (size > 1 ? data[1] % 10 : 1));
    if (pos == 17 && repl == bad[17])
        repl = bad[17] == 'X' ? '0' : 'X';
    else if (repl == bad[pos])
        repl = (char)('0' + (bad[pos] - '0' + 1) % 10);
    bad[pos] = repl;
    if (idnum_validate(bad) == IDNUM_OK)
        abort();
}

static void check_phone(const char *s)
{
    char out[12];
    phone_status st = phone_validate(s);
    known_code(validate_phone_code(s));
    if ((st == PHONE_OK) != (validate_phone_code(s) == NULL))
        abort();
    memset(out, 'Z', sizeof out);
    int rc = phone_normalize(s, out);
    if ((rc == 0) != (st == PHONE_OK))
        abort();
    if (rc != 0) {
        if (out[0])
            abort();
        return;
    }
    /* 11 digits, 13–19…, stable under a second pass, and the last 11 digits typed. */
    if (strlen(out) != 11 || strspn(out, "0123456789") != 11 || out[0] != '1' || out[1] < '3')
        abort();
    char again[12];
    if (phone_validate(out) != PHONE_OK || phone_normalize(out, again) != 0 || strcmp(again, out) != 0)
        abort();
    char digits[64];
    size_t n = 0;
    for (const char *c = s; *c && n < sizeof digits - 1; c++)
        if (*c >= '0' && *c <= '9')
            digits[n++] = *c;
    digits[n] = 0;
    if (n < 11 || strcmp(digits + n - 11, out) != 0)
        abort();
}

static void check_masks(const char *s)
{
    char out[64];
    for (size_t n = 0; n < sizeof out; n += 7) {
        void (*fn[3])(const char *, char *, size_t) = {mask_phone, mask_idnum, mask_name};
        for (int f = 0; f < 3; f++) {
            memset(out, 'Z', sizeof out);
            fn[f](s, out, n);
            if (n == 0 ? out[0] != 'Z' : strnlen(out, n) >= n)
                abort(); /* wrote into a zero-size buffer, or left no terminator within n */
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_text(data, size);
    if (!s)
        return 0;
    check_idnum(s, data, size);
    check_phone(s);
    check_masks(s);
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
