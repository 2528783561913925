/* Tests of the CSV export: the BOM Excel needs, quoting, and neutralised spreadsheet formulas. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "core/export.h"
#include <stdlib.h>
#include <string.h>

static const column_spec cols[] = {{"name", "姓名", "Name"}, {"n", "数量", "Count"}, {"tags", "标签", "Tags"}, {0}};

static void test_csv(void **state)
{
    (void)state;
    json_t *items = json_pack("[{s:s, s:i, s:[s,s]}, {s:s, s:n}, {s:s}]", "name", "王五, \"老王\"", "n", 3, "tags",
                              "elder", "party_member", "name", "=HYPERLINK(\"x\")", "n", "name", "-1+2");
    size_t len = 0;
    char *csv = export_csv(items, cols, LANG_ZH, &len);
    assert_non_null(csv);
    assert_int_equal(len, strlen(csv));
    assert_string_equal(csv, "\xEF\xBB\xBF姓名,数量,标签\r\n"
                             "\"王五, \"\"老王\"\"\",3,\"elder;party_member\"\r\n" /* ; separates in some locales */
                             "\"'=HYPERLINK(\"\"x\"\")\",,\r\n"
                             "\"'-1+2\",,\r\n");
    free(csv);
    csv = export_csv(items, cols, LANG_EN, &len);
    assert_memory_equal(csv + 3, "Name,Count,Tags\r\n", 17);
    free(csv);
    json_decref(items);
}

/* Cells a spreadsheet would read as a formula after a TAB or CR, or split at a ';'. */
static void test_csv_separators(void **state)
{
    (void)state;
    json_t *items = json_pack("[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}]", "name", "\t=1+2", "name", "\r=1+2", "name", "文华;=1+2",
                              "name", "a\tb", "name", "@SUM(1)");
    size_t len = 0;
    char *csv = export_csv(items, cols, LANG_ZH, &len);
    assert_non_null(csv);
    assert_string_equal(csv, "\xEF\xBB\xBF姓名,数量,标签\r\n"
                             "\"'\t=1+2\",,\r\n"
                             "\"'\r=1+2\",,\r\n"
                             "\"文华;=1+2\",,\r\n"
                             "\"a\tb\",,\r\n"
                             "\"'@SUM(1)\",,\r\n");
    free(csv);
    json_decref(items);
}

static void test_xlsx(void **state)
{
    (void)state;
    json_t *items = json_pack("[{s:s, s:i}]", "name", "丰华花苑", "n", 12);
    size_t len = 0;
    char *x = export_xlsx(items, cols, LANG_ZH, "compounds", &len);
    assert_non_null(x);
    assert_true(len > 1000);
    assert_memory_equal(x, "PK", 2);
    free(x);
    json_decref(items);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_csv_separators),
        cmocka_unit_test(test_xlsx),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
