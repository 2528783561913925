/* Unit tests for idnum.c: check characters computed by the GB 11643-1999 weights, known-valid
 * numbers, each kind of rejection (length, characters, region, date, check) and normalization. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "core/idnum.h"

/* An independent computation of the check character, straight from the standard. */
static char ref_check(const char *s)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (s[i] - '0') * w[i];
    return "10X98765432"[sum % 11];
}

/* Builds a full number from 17 digits with the right check character. */
static void make(const char *first17, char out[19])
{
    memcpy(out, first17, 17);
    out[17] = ref_check(first17);
    out[18] = '\0';
}

static void test_check_digit_known(void **state)
{
    (void)state;
    assert_int_equal(idnum_check_digit("11010519491231002"), 'X');
    assert_int_equal(idnum_check_digit("44060619900101123"), ref_check("44060619900101123"));
    assert_int_equal(idnum_check_digit("00000000000000000"), '1'); /* sum 0 -> '1' */
    /* Every residue appears: walk the last digit and compare against the reference. */
    char buf[18] = "44060619850615000";
    for (int a = 0; a < 100; a++) {
        buf[14] = (char)('0' + a / 10);
        buf[15] = (char)('0' + a % 10);
        assert_int_equal(idnum_check_digit(buf), ref_check(buf));
    }
}

static void test_check_digit_bad_input(void **state)
{
    (void)state;
    assert_int_equal(idnum_check_digit(NULL), '\0');
    assert_int_equal(idnum_check_digit("1101051949123100"), '\0'); /* 16 digits then NUL */
    assert_int_equal(idnum_check_digit("1101051949123100A"), '\0');
}

static void test_validate_known_valid(void **state)
{
    (void)state;
    assert_int_equal(idnum_validate("11010519491231002X"), IDNUM_OK);
    assert_int_equal(idnum_validate("11010519491231002x"), IDNUM_OK);
    char id[19];
    make("44060619900101123", id);
    assert_int_equal(idnum_validate(id), IDNUM_OK);
    make("82000020000229000", id); /* Macau, leap day of a 400-year leap year */
    assert_int_equal(idnum_validate(id), IDNUM_OK);
    make("65010019000101000", id); /* lower date bound */
    assert_int_equal(idnum_validate(id), IDNUM_OK);
    make("71000021001231999", id); /* upper date bound */
    assert_int_equal(idnum_validate(id), IDNUM_OK);
}

static void test_validate_empty_and_length(void **state)
{
    (void)state;
    assert_int_equal(idnum_validate(NULL), IDNUM_ERR_EMPTY);
    assert_int_equal(idnum_validate(""), IDNUM_ERR_EMPTY);
    assert_int_equal(idnum_validate("11010519491231002"), IDNUM_ERR_LENGTH);
    assert_int_equal(idnum_validate("11010519491231002X1"), IDNUM_ERR_LENGTH);
    assert_int_equal(idnum_validate("110105491231002"), IDNUM_ERR_LENGTH); /* old 15-digit form */
    assert_int_equal(idnum_validate(" 11010519491231002X"), IDNUM_ERR_LENGTH);
}

static void test_validate_chars(void **state)
{
    (void)state;
    assert_int_equal(idnum_validate("1101051949123100AX"), IDNUM_ERR_CHARS);
    assert_int_equal(idnum_validate("X10105194912310021"), IDNUM_ERR_CHARS);
    assert_int_equal(idnum_validate("11010519491231002Y"), IDNUM_ERR_CHARS);
    assert_int_equal(idnum_validate("110105 9491231002X"), IDNUM_ERR_CHARS);
    assert_int_equal(idnum_validate("11010519491231002-"), IDNUM_ERR_CHARS);
}

static void test_validate_region(void **state)
{
    (void)state;
    static const char *const bad[] = {"00", "10", "16", "20", "24", "30", "38", "40", "47",
                                      "49", "55", "60", "66", "70", "72", "80", "83", "99"};
    static const char *const good[] = {"11", "15", "21", "23", "31", "37", "41", "46",
                                       "50", "54", "61", "65", "71", "81", "82"};
    char first[18] = "xx010519900101123";
    char id[19];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(first, bad[i], 2);
        make(first, id);
        assert_int_equal(idnum_validate(id), IDNUM_ERR_REGION);
    }
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        memcpy(first, good[i], 2);
        make(first, id);
        assert_int_equal(idnum_validate(id), IDNUM_OK);
    }
}

static void test_validate_date(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "44060620230229123", /* Feb 29, not a leap year */
        "44060619000229123", /* 1900: divisible by 100, not a leap year */
        "44060621000229123", /* 2100 likewise */
        "44060619900230123", /* Feb 30 */
        "44060619900431123", /* April 31 */
        "44060619901301123", /* month 13 */
        "44060619900001123", /* month 0 */
        "44060619900100123", /* day 0 */
        "44060619900132123", /* day 32 */
        "44060618991231123", /* before 1900 */
        "44060621010101123", /* after 2100 */
    };
    static const char *const good[] = {
        "44060620240229123", /* leap year */
        "44060620000229123", /* divisible by 400 */
        "44060619901231123",
        "44060619900131123",
    };
    char id[19];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        make(bad[i], id);
        assert_int_equal(idnum_validate(id), IDNUM_ERR_DATE);
    }
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        make(good[i], id);
        assert_int_equal(idnum_validate(id), IDNUM_OK);
    }
}

static void test_validate_wrong_check(void **state)
{
    (void)state;
    char id[19];
    make("44060619900101123", id);
    const char all[] = "0123456789X";
    int ok = 0;
    for (int i = 0; all[i]; i++) {
        id[17] = all[i];
        idnum_status st = idnum_validate(id);
        if (all[i] == ref_check(id))
            ok++, assert_int_equal(st, IDNUM_OK);
        else
            assert_int_equal(st, IDNUM_ERR_CHECK);
    }
    assert_int_equal(ok, 1);
    assert_int_equal(idnum_validate("110105194912310021"), IDNUM_ERR_CHECK);
    /* A transposition of two digits is caught. */
    assert_int_equal(idnum_validate("11010519491231020X"), IDNUM_ERR_CHECK);
}

static void test_normalize(void **state)
{
    (void)state;
    char out[19];
    idnum_normalize("  11010519491231002x \t", out);
    assert_string_equal(out, "11010519491231002X");
    idnum_normalize("11010519491231002X", out);
    assert_string_equal(out, "11010519491231002X");
    idnum_normalize("440606199001011234", out); /* wrong check is still normalized */
    assert_string_equal(out, "440606199001011234");

    memset(out, '?', sizeof out);
    idnum_normalize(NULL, out);
    assert_string_equal(out, "");
    idnum_normalize("", out);
    assert_string_equal(out, "");
    idnum_normalize("   ", out);
    assert_string_equal(out, "");
    idnum_normalize("1101051949123100", out);
    assert_string_equal(out, "");
    idnum_normalize("11010519491231002X0", out);
    assert_string_equal(out, "");
    idnum_normalize("110105194912 31002X", out); /* inner space */
    assert_string_equal(out, "");
    idnum_normalize("1101051949123100xX", out);
    assert_string_equal(out, "");
    idnum_normalize("11010519491231002X trailing", out);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_digit_known),
        cmocka_unit_test(test_check_digit_bad_input),
        cmocka_unit_test(test_validate_known_valid),
        cmocka_unit_test(test_validate_empty_and_length),
        cmocka_unit_test(test_validate_chars),
        cmocka_unit_test(test_validate_region),
        cmocka_unit_test(test_validate_date),
        cmocka_unit_test(test_validate_wrong_check),
        cmocka_unit_test(test_normalize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
