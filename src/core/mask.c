/* Masking of phone numbers, ID numbers and names for display (see mask.h). */
#include "core/mask.h"
#include <string.h>

/* Writes strlen(in) characters to out, cut to n-1: when in is want characters long, its first
 * head and last tail characters are kept; every other character becomes '*'. */
static void mask_fixed(const char *in, size_t head, size_t tail, size_t want, char *out, size_t n)
{
    if (n == 0)
        return;
    if (!in)
        in = "";
    size_t len = strlen(in);
    int shape = len == want;
    size_t w = len < n - 1 ? len : n - 1;
    for (size_t i = 0; i < w; i++)
        out[i] = shape && (i < head || i >= len - tail) ? in[i] : '*';
    out[w] = '\0';
}

void mask_phone(const char *in, char *out, size_t n)
{
    mask_fixed(in, 3, 4, 11, out, n);
}

void mask_idnum(const char *in, char *out, size_t n)
{
    mask_fixed(in, 4, 4, 18, out, n);
}

void mask_phone_strict(const char *in, char *out, size_t n)
{
    mask_fixed(in, 0, 4, 11, out, n);
}

void mask_idnum_strict(const char *in, char *out, size_t n)
{
    mask_fixed(in, 2, 0, 18, out, n);
}

/* Length in bytes of the valid UTF-8 character at s (s non-empty), or 0 when it is invalid. */
static size_t utf8_char(const unsigned char *s)
{
    size_t len;
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4;
    else
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    /* overlong 3/4-byte forms, surrogates, code points above U+10FFFF */
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0) ||
        (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))
        return 0;
    return len;
}

void mask_name(const char *utf8, char *out, size_t n)
{
    if (n == 0)
        return;
    out[0] = '\0';
    if (!utf8 || !*utf8)
        return;
    const unsigned char *s = (const unsigned char *)utf8;
    size_t w = 0, cap = n - 1;
    size_t first = utf8_char(s);
    if (first) {
        if (first > cap)
            return;
        memcpy(out, s, first);
        w = first;
        s += first;
    } else {
        if (cap < 1)
            return;
        out[w++] = '*';
        s++;
    }
    size_t more = 0;
    while (*s) {
        size_t l = utf8_char(s);
        s += l ? l : 1;
        more++;
    }
    if (more == 0)
        more = 1; /* a one-character name still shows that something is hidden */
    for (; more && w < cap; more--)
        out[w++] = '*';
    out[w] = '\0';
}
