/* PRC resident identity numbers (see idnum.h): check character, field-by-field validation and
 * normalization of user input. */
#include "core/idnum.h"
#include <stddef.h>

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

char idnum_check_digit(const char *first17)
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char codes[] = "10X98765432";
    if (!first17)
        return '\0';
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (!is_digit(first17[i]))
            return '\0';
        sum += (first17[i] - '0') * weights[i];
    }
    return codes[sum % 11];
}

static int province_ok(int p)
{
    return (p >= 11 && p <= 15) || (p >= 21 && p <= 23) || (p >= 31 && p <= 37) ||
           (p >= 41 && p <= 46) || (p >= 50 && p <= 54) || (p >= 61 && p <= 65) || p == 71 ||
           p == 81 || p == 82;
}

static int num(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static int date_ok(int y, int m, int d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int max = mdays[m - 1] + (m == 2 && leap);
    return d <= max;
}

idnum_status idnum_validate(const char *s)
{
    if (!s || !*s)
        return IDNUM_ERR_EMPTY;
    size_t len = 0;
    while (s[len] && len < 19)
        len++;
    if (len != 18)
        return IDNUM_ERR_LENGTH;
    for (int i = 0; i < 17; i++)
        if (!is_digit(s[i]))
            return IDNUM_ERR_CHARS;
    char last = s[17];
    if (!is_digit(last) && last != 'X' && last != 'x')
        return IDNUM_ERR_CHARS;
    if (!province_ok(num(s, 2)))
        return IDNUM_ERR_REGION;
    if (!date_ok(num(s + 6, 4), num(s + 10, 2), num(s + 12, 2)))
        return IDNUM_ERR_DATE;
    if (last == 'x')
        last = 'X';
    if (idnum_check_digit(s) != last)
        return IDNUM_ERR_CHECK;
    return IDNUM_OK;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

void idnum_normalize(const char *in, char out[19])
{
    out[0] = '\0';
    if (!in)
        return;
    while (is_space(*in))
        in++;
    size_t len = 0;
    while (in[len] && !is_space(in[len])) {
        if (len >= 18)
            return;
        len++;
    }
    for (size_t i = len; in[i]; i++) /* only spaces may follow */
        if (!is_space(in[i]))
            return;
    if (len != 18)
        return;
    for (int i = 0; i < 17; i++)
        if (!is_digit(in[i]))
            return;
    char last = in[17];
    if (last == 'x')
        last = 'X';
    if (!is_digit(last) && last != 'X')
        return;
    for (int i = 0; i < 17; i++)
        out[i] = in[i];
    out[17] = last;
    out[18] = '\0';
}
