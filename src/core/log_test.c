/* Tests of log_escape: nothing a client sends can end a log line or reach the terminal raw. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "core/log.h"
#include <string.h>

static void test_escape(void **state)
{
    (void)state;
    char b[256];
    assert_string_equal(log_escape(b, sizeof b, "/api/v1/communities/1/people"), "/api/v1/communities/1/people");
    assert_string_equal(log_escape(b, sizeof b, "/x\nGET /forged 200\r\n"), "/x\\x0aGET /forged 200\\x0d\\x0a");
    assert_string_equal(log_escape(b, sizeof b, "\x1b[31m\t\x7f\"\\"), "\\x1b[31m\\x09\\x7f\\x22\\x5c");
    assert_string_equal(log_escape(b, sizeof b, "/wall/文华"), "/wall/文华");
    /* one stray byte: every byte past ASCII is shown as a number */
    assert_string_equal(log_escape(b, sizeof b, "/文\xff"), "/\\xe6\\x96\\x87\\xff");
    assert_string_equal(log_escape(b, sizeof b, NULL), "-");
}

static void test_bounded(void **state)
{
    (void)state;
    char b[16], big[1000];
    memset(big, '\n', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_string_equal(log_escape(b, sizeof b, big), "\\x0a\\x0a\\x0a...");
    assert_string_equal(log_escape(b, sizeof b, "abcdefghijklmnopqrstuvwxyz"), "abcdefghijkl...");
    /* never half a character */
    assert_string_equal(log_escape(b, sizeof b, "文华社区邻里"), "文华社区...");
    assert_string_equal(log_escape(b, sizeof b, "ab文华社区邻里"), "ab文华社...");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
