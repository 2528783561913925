/* Mainland mobile numbers (see phone.h): validation of typed input and reduction to 11 digits. */
#include "core/phone.h"
#include <stddef.h>

/* Extracts the national 11-digit part of s into digits[12]; the status says why it could not. */
static phone_status extract(const char *s, char digits[12])
{
    enum { MAXD = 16 };
    char d[MAXD];
    size_t nd = 0;
    int plus = 0, seen = 0; /* seen: a digit or '+' already met */
    digits[0] = '\0';
    if (!s)
        return PHONE_ERR_EMPTY;
    for (const char *p = s; *p; p++) {
        char c = *p;
        if (c == ' ' || c == '-')
            continue;
        if (c == '+') {
            if (seen)
                return PHONE_ERR_CHARS;
            plus = 1;
            seen = 1;
            continue;
        }
        if (c < '0' || c > '9')
            return PHONE_ERR_CHARS;
        seen = 1;
        if (nd < MAXD)
            d[nd] = c;
        nd++;
    }
    if (!seen)
        return PHONE_ERR_EMPTY;
    size_t start = 0;
    if (plus) {
        if (nd < 2 || d[0] != '8' || d[1] != '6')
            return PHONE_ERR_PREFIX;
        start = 2;
    } else if (nd == 13 && d[0] == '8' && d[1] == '6') {
        start = 2;
    }
    if (nd - start != 11)
        return PHONE_ERR_LENGTH;
    if (d[start] != '1' || d[start + 1] < '3')
        return PHONE_ERR_PREFIX;
    for (size_t i = 0; i < 11; i++)
        digits[i] = d[start + i];
    digits[11] = '\0';
    return PHONE_OK;
}

phone_status phone_validate(const char *s)
{
    char digits[12];
    return extract(s, digits);
}

int phone_normalize(const char *in, char out[12])
{
    char digits[12];
    if (extract(in, digits) != PHONE_OK) {
        out[0] = '\0';
        return -1;
    }
    for (int i = 0; i < 12; i++)
        out[i] = digits[i];
    return 0;
}
