/* Unit tests for phone.c: accepted forms (+86, 86, spaces, hyphens), each rejection (empty,
 * characters, length, prefix) and normalization to the bare 11 digits. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "core/phone.h"

static void test_valid_forms(void **state)
{
    (void)state;
    assert_int_equal(phone_validate("13812341234"), PHONE_OK);
    assert_int_equal(phone_validate("+8613812341234"), PHONE_OK);
    assert_int_equal(phone_validate("+86 138 1234 1234"), PHONE_OK);
    assert_int_equal(phone_validate("8613812341234"), PHONE_OK);
    assert_int_equal(phone_validate("138-1234-1234"), PHONE_OK);
    assert_int_equal(phone_validate(" 138 1234 1234 "), PHONE_OK);
    assert_int_equal(phone_validate("+86-199-0000-0000"), PHONE_OK);
    for (char c = '3'; c <= '9'; c++) {
        char s[] = "1x812341234";
        s[1] = c;
        assert_int_equal(phone_validate(s), PHONE_OK);
    }
}

static void test_empty(void **state)
{
    (void)state;
    assert_int_equal(phone_validate(NULL), PHONE_ERR_EMPTY);
    assert_int_equal(phone_validate(""), PHONE_ERR_EMPTY);
    assert_int_equal(phone_validate("   "), PHONE_ERR_EMPTY);
    assert_int_equal(phone_validate(" - "), PHONE_ERR_EMPTY);
}

static void test_chars(void **state)
{
    (void)state;
    assert_int_equal(phone_validate("1381234123a"), PHONE_ERR_CHARS);
    assert_int_equal(phone_validate("(138)12341234"), PHONE_ERR_CHARS);
    assert_int_equal(phone_validate("138.1234.1234"), PHONE_ERR_CHARS);
    assert_int_equal(phone_validate("138+12341234"), PHONE_ERR_CHARS);
    assert_int_equal(phone_validate("++8613812341234"), PHONE_ERR_CHARS);
    assert_int_equal(phone_validate("１３８１２３４１２３４"), PHONE_ERR_CHARS); /* full-width */
}

static void test_length(void **state)
{
    (void)state;
    assert_int_equal(phone_validate("1381234123"), PHONE_ERR_LENGTH);      /* 10 digits */
    assert_int_equal(phone_validate("138123412345"), PHONE_ERR_LENGTH);    /* 12 digits */
    assert_int_equal(phone_validate("+86138123412"), PHONE_ERR_LENGTH);    /* 9 after +86 */
    assert_int_equal(phone_validate("+86138123412345"), PHONE_ERR_LENGTH); /* 12 after +86 */
    assert_int_equal(phone_validate("86"), PHONE_ERR_LENGTH);
    assert_int_equal(phone_validate("12345678901234567890123456789"), PHONE_ERR_LENGTH);
    assert_int_equal(phone_validate("008613812341234"), PHONE_ERR_LENGTH);
}

static void test_prefix(void **state)
{
    (void)state;
    assert_int_equal(phone_validate("12812341234"), PHONE_ERR_PREFIX);
    assert_int_equal(phone_validate("12012341234"), PHONE_ERR_PREFIX);
    assert_int_equal(phone_validate("10012341234"), PHONE_ERR_PREFIX);
    assert_int_equal(phone_validate("23812341234"), PHONE_ERR_PREFIX);
    assert_int_equal(phone_validate("+8612812341234"), PHONE_ERR_PREFIX);
    assert_int_equal(phone_validate("+85213812341234"), PHONE_ERR_PREFIX); /* Hong Kong code */
    assert_int_equal(phone_validate("+1"), PHONE_ERR_PREFIX);
}

static void test_normalize(void **state)
{
    (void)state;
    char out[12];
    assert_int_equal(phone_normalize("+86 138-1234-1234", out), 0);
    assert_string_equal(out, "13812341234");
    assert_int_equal(phone_normalize("8615912345678", out), 0);
    assert_string_equal(out, "15912345678");
    assert_int_equal(phone_normalize("17712345678", out), 0);
    assert_string_equal(out, "17712345678");

    memset(out, '?', sizeof out);
    assert_int_equal(phone_normalize("12812341234", out), -1);
    assert_string_equal(out, "");
    memset(out, '?', sizeof out);
    assert_int_equal(phone_normalize(NULL, out), -1);
    assert_string_equal(out, "");
    assert_int_equal(phone_normalize("1381234123", out), -1);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_forms), cmocka_unit_test(test_empty),
        cmocka_unit_test(test_chars),       cmocka_unit_test(test_length),
        cmocka_unit_test(test_prefix),      cmocka_unit_test(test_normalize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
