/* Unit tests for mask.c: phone and ID masks (the usual and the strict) at the expected length and
 * at other lengths, UTF-8 names (one, two, three characters, four-byte characters, invalid bytes)
 * and every buffer size down to zero, checking that nothing is overrun and no character is split. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "core/mask.h"

static void test_phone(void **state)
{
    (void)state;
    char out[32];
    mask_phone("13812341234", out, sizeof out);
    assert_string_equal(out, "138****1234");
    mask_phone("1381234123", out, sizeof out);
    assert_string_equal(out, "**********");
    mask_phone("+8613812341234", out, sizeof out);
    assert_string_equal(out, "**************");
    mask_phone("", out, sizeof out);
    assert_string_equal(out, "");
    mask_phone(NULL, out, sizeof out);
    assert_string_equal(out, "");
}

static void test_phone_small_buffers(void **state)
{
    (void)state;
    char out[16];
    mask_phone("13812341234", out, 12);
    assert_string_equal(out, "138****1234");
    mask_phone("13812341234", out, 8);
    assert_string_equal(out, "138****");
    mask_phone("13812341234", out, 1);
    assert_string_equal(out, "");
    memset(out, 'Z', sizeof out);
    mask_phone("13812341234", out, 0); /* nothing written */
    assert_int_equal(out[0], 'Z');
    mask_phone("123456789012345678901234567890", out, sizeof out);
    assert_int_equal(strlen(out), sizeof out - 1);
    assert_int_equal(strspn(out, "*"), sizeof out - 1);
}

static void test_idnum(void **state)
{
    (void)state;
    char out[32];
    mask_idnum("44060619900101123X", out, sizeof out);
    assert_string_equal(out, "4406**********123X");
    mask_idnum("11010519491231002X", out, sizeof out);
    assert_string_equal(out, "1101**********002X");
    mask_idnum("110105491231002", out, sizeof out);
    assert_string_equal(out, "***************");
    mask_idnum("44060619900101123X9", out, sizeof out);
    assert_string_equal(out, "*******************");
    mask_idnum(NULL, out, sizeof out);
    assert_string_equal(out, "");
    mask_idnum("44060619900101123X", out, 10);
    assert_string_equal(out, "4406*****");
    mask_idnum("44060619900101123X", out, 19);
    assert_string_equal(out, "4406**********123X");
}

/* The masks for roles that may not unmask show nothing that, with birth year and gender beside
 * them, narrows the number to a few candidates: no check digit, no county, no sequence. */
static void test_strict(void **state)
{
    (void)state;
    char out[32];
    mask_phone_strict("13812341234", out, sizeof out);
    assert_string_equal(out, "*******1234");
    mask_phone_strict("1381234123", out, sizeof out);
    assert_string_equal(out, "**********");
    mask_phone_strict(NULL, out, sizeof out);
    assert_string_equal(out, "");
    mask_phone_strict("13812341234", out, 9);
    assert_string_equal(out, "*******1");
    mask_idnum_strict("44060619900101123X", out, sizeof out);
    assert_string_equal(out, "44****************");
    mask_idnum_strict("440606195603143028", out, sizeof out);
    assert_string_equal(out, "44****************");
    mask_idnum_strict("110105491231002", out, sizeof out);
    assert_string_equal(out, "***************");
    mask_idnum_strict("44060619900101123X", out, 4);
    assert_string_equal(out, "44*");
    memset(out, 'Z', sizeof out);
    mask_idnum_strict("44060619900101123X", out, 0);
    assert_int_equal(out[0], 'Z');
    /* Two people of one province, born apart, of either sex: the same mask. */
    char other[32];
    mask_idnum_strict("441900200012310012", out, sizeof out);
    mask_idnum_strict("440606195603143028", other, sizeof other);
    assert_string_equal(out, other);
}

static void test_name(void **state)
{
    (void)state;
    char out[32];
    mask_name("张小明", out, sizeof out);
    assert_string_equal(out, "张**");
    mask_name("李", out, sizeof out);
    assert_string_equal(out, "李*");
    mask_name("王芳", out, sizeof out);
    assert_string_equal(out, "王*");
    mask_name("欧阳娜娜", out, sizeof out);
    assert_string_equal(out, "欧***");
    mask_name("阿依古丽·买买提", out, sizeof out);
    assert_string_equal(out, "阿*******");
    mask_name("𠀀明", out, sizeof out); /* 4-byte first character */
    assert_string_equal(out, "𠀀*");
    mask_name("Tom", out, sizeof out);
    assert_string_equal(out, "T**");
    mask_name("", out, sizeof out);
    assert_string_equal(out, "");
    mask_name(NULL, out, sizeof out);
    assert_string_equal(out, "");
}

static void test_name_invalid_utf8(void **state)
{
    (void)state;
    char out[32];
    mask_name("\xff\xfe", out, sizeof out); /* invalid first byte is masked too */
    assert_string_equal(out, "**");
    mask_name("\xe5\xbc", out, sizeof out); /* truncated 3-byte sequence: nothing copied */
    assert_string_equal(out, "**");
    mask_name("\xc0\xaf", out, sizeof out); /* overlong '/' */
    assert_string_equal(out, "**");
    mask_name("张\xff明", out, sizeof out);
    assert_string_equal(out, "张**");
}

static void test_name_small_buffers(void **state)
{
    (void)state;
    char out[8];
    mask_name("张小明", out, 6); /* room for 5 bytes: 张 + 2 stars */
    assert_string_equal(out, "张**");
    mask_name("张小明", out, 5);
    assert_string_equal(out, "张*");
    mask_name("张小明", out, 4);
    assert_string_equal(out, "张");
    for (size_t n = 1; n <= 3; n++) { /* no room for the whole first character */
        memset(out, 'Z', sizeof out);
        mask_name("张小明", out, n);
        assert_string_equal(out, "");
        for (size_t i = 1; i < sizeof out; i++) /* nothing beyond the terminator */
            assert_int_equal(out[i], 'Z');
    }
    memset(out, 'Z', sizeof out);
    mask_name("张小明", out, 0);
    assert_int_equal(out[0], 'Z');
    mask_name("李", out, 4);
    assert_string_equal(out, "李");
    mask_name("Tom", out, 2);
    assert_string_equal(out, "T");
}

/* Every buffer size, every name: the result fits, ends in NUL, and is valid UTF-8 made of the
 * original first character followed by stars. */
static void test_name_all_sizes(void **state)
{
    (void)state;
    static const char *const names[] = {"张小明", "李", "𠀀明", "Tom", "阿依古丽·买买提"};
    static const size_t first_len[] = {3, 3, 4, 1, 3};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        for (size_t n = 1; n < 24; n++) {
            char out[32];
            memset(out, 'Z', sizeof out);
            mask_name(names[k], out, n);
            size_t len = strlen(out);
            assert_true(len < n);
            assert_int_equal(out[n], 'Z');
            size_t lead = strcspn(out, "*");
            if (n <= first_len[k]) {
                assert_int_equal(len, 0);
                continue;
            }
            assert_int_equal(lead, first_len[k]);
            assert_memory_equal(out, names[k], lead);
            if (n > first_len[k] + 1) /* room for a star after the first character */
                assert_true(len > lead);
            assert_int_equal(strspn(out + lead, "*"), len - lead);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phone),
        cmocka_unit_test(test_phone_small_buffers),
        cmocka_unit_test(test_idnum),
        cmocka_unit_test(test_strict),
        cmocka_unit_test(test_name),
        cmocka_unit_test(test_name_invalid_utf8),
        cmocka_unit_test(test_name_small_buffers),
        cmocka_unit_test(test_name_all_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
