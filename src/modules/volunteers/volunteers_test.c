/* Tests of the volunteers module's pure rules: star levels under the community's thresholds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "modules/volunteers/volunteers.h"

static void test_star_levels(void **state)
{
    (void)state;
    const char *national = "100,300,600,1000,1500";
    assert_int_equal(vol_star(0, national), 0);
    assert_int_equal(vol_star(99 * 60 + 59, national), 0);
    assert_int_equal(vol_star(100 * 60, national), 1);
    assert_int_equal(vol_star(599 * 60, national), 2);
    assert_int_equal(vol_star(600 * 60, national), 3);
    assert_int_equal(vol_star(1500 * 60, national), 5);
    assert_int_equal(vol_star(100000 * 60, national), 5);
    assert_int_equal(vol_star(100 * 60, NULL), 1); /* no settings row yet: the national scheme */
    assert_int_equal(vol_star(100 * 60, ""), 1);
    assert_int_equal(vol_star(3 * 60, "1,2,3,4,5"), 3);
    assert_int_equal(vol_star(3 * 60, "1,2,x"), 2); /* a damaged setting counts what it can */
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_star_levels)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
