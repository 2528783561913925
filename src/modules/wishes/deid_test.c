/* Tests of the de-identification check of a wish's public story. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "modules/wishes/deid.h"

static void test_clean_story(void **state)
{
    (void)state;
    assert_int_equal(deid_check("独居长者，听力下降多年，希望有一台助听器，方便和邻居聊天。", "陈桂英"), 0);
    assert_int_equal(deid_check("家住文华花园，一家三口，孩子 8 岁，想要一个书包。", "李明"), 0);
    assert_int_equal(deid_check("", "李明"), 0);
    assert_int_equal(deid_check("希望 2016 年能有一台血压计", NULL), 0);
}

static void test_findings(void **state)
{
    (void)state;
    assert_int_equal(deid_check("请联系 13812345678", ""), DEID_PHONE);
    assert_int_equal(deid_check("身份证 44060619850704313X", ""), DEID_IDNUM);
    assert_int_equal(deid_check("身份证 440606198507043131", ""), DEID_IDNUM);
    assert_int_equal(deid_check("住在3栋1502", ""), DEID_DOOR);
    assert_int_equal(deid_check("住 2-1503", ""), DEID_DOOR);
    assert_int_equal(deid_check("502室的长者", ""), DEID_DOOR);
    assert_int_equal(deid_check("陈桂英阿姨想要助听器", "陈桂英"), DEID_NAME);
    assert_int_equal(deid_check("桂英阿姨想要助听器", "陈桂英"), DEID_NAME);
    assert_int_equal(deid_check("陈阿姨想要助听器", "陈桂英"), 0); /* a surname alone does not identify */
    assert_int_equal(deid_check("陈桂英，3栋1502，13812345678", "陈桂英"), DEID_NAME | DEID_DOOR | DEID_PHONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_clean_story), cmocka_unit_test(test_findings)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
