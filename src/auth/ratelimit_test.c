/* Unit tests for ratelimit.c: the slow-down and the lock, the window, and the table under
 * pressure: a counter survives any number of other keys (issue #11, M1), a key the table has no
 * room for is refused rather than let through, room comes back with time, and keys longer than the
 * old 95-byte slots are counted apart. Every test uses its own keys and its own stretch of time,
 * because the table is the process's one table. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "auth/ratelimit.h"

static void test_slow_then_lock(void **state)
{
    (void)state;
    time_t t = 1000000;
    int retry = 0;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(ratelimit_check("login:alice", 5, 10, t, &retry), 0);
        ratelimit_fail("login:alice", t);
    }
    assert_int_equal(ratelimit_check("login:alice", 5, 10, t, &retry), 1);
    assert_int_equal(retry, 2);
    /* The next whole second may be only a moment later: still waiting. */
    assert_int_equal(ratelimit_check("login:alice", 5, 10, t + 1, &retry), 1);
    assert_int_equal(retry, 1);
    assert_int_equal(ratelimit_check("login:alice", 5, 10, t + 2, &retry), 0);
    for (int i = 5; i < 10; i++) {
        t += (1 << (i - 5)) + 1;
        assert_int_equal(ratelimit_check("login:alice", 5, 10, t, &retry), 0);
        ratelimit_fail("login:alice", t);
    }
    assert_int_equal(ratelimit_check("login:alice", 5, 10, t + 600, &retry), 1);
    assert_int_equal(retry, 300);
    /* The window is over: the counter starts again. */
    assert_int_equal(ratelimit_check("login:alice", 5, 10, t + 901, &retry), 0);
    ratelimit_fail("login:alice", t + 901);
    assert_int_equal(ratelimit_check("login:alice", 5, 10, t + 901, &retry), 0);
    /* A success forgets the failures. */
    for (int i = 0; i < 10; i++)
        ratelimit_fail("login:bob", t);
    assert_int_equal(ratelimit_check("login:bob", 5, 10, t, &retry), 1);
    ratelimit_reset("login:bob");
    assert_int_equal(ratelimit_check("login:bob", 5, 10, t, &retry), 0);
}

/* The attack of M1, without aiming (the hash is keyed): far more other keys than the table holds
 * fail once each; the victim's lock holds throughout, and the keys that found no room are refused. */
static void test_not_evicted(void **state)
{
    (void)state;
    time_t t = 2000000;
    int retry = 0;
    for (int i = 0; i < 10; i++)
        ratelimit_fail("login:victim", t);
    assert_int_equal(ratelimit_check("login:victim", 5, 10, t, &retry), 1);
    char key[64];
    int refused = 0;
    for (int i = 0; i < 200000; i++) {
        snprintf(key, sizeof key, "login:made-up-%d", i);
        if (ratelimit_check(key, 5, 10, t + 1, &retry)) {
            refused++;
            assert_true(retry >= 1 && retry <= 901);
        }
        ratelimit_fail(key, t + 1);
    }
    assert_int_equal(ratelimit_check("login:victim", 5, 10, t + 2, &retry), 1);
    assert_true(retry >= 890);
    assert_true(refused > 100000); /* the table holds 65,536: most were refused, none evicted anything */
    /* A key seen for the first time while the table is full is refused, not waved through. */
    int fresh_refused = 0;
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof key, "login:fresh-%d", i);
        fresh_refused += ratelimit_check(key, 5, 10, t + 2, &retry);
    }
    assert_true(fresh_refused > 90);
    /* Room comes back with time, and only with time. */
    assert_int_equal(ratelimit_check("login:fresh-0", 5, 10, t + 1000, &retry), 0);
    assert_int_equal(ratelimit_check("login:victim", 5, 10, t + 1000, &retry), 0);
}

/* Keys longer than the old table's 95-byte slots are counted apart (there they shared a counter
 * whenever their probe sequences met). */
static void test_long_keys(void **state)
{
    (void)state;
    time_t t = 3000000;
    int retry = 0;
    char a[201], b[201];
    memset(a, 'x', 200);
    a[200] = 0;
    memcpy(b, a, sizeof a);
    b[199] = 'y';
    for (int i = 0; i < 10; i++)
        ratelimit_fail(a, t);
    assert_int_equal(ratelimit_check(a, 5, 10, t, &retry), 1);
    assert_int_equal(ratelimit_check(b, 5, 10, t, &retry), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slow_then_lock),
        cmocka_unit_test(test_not_evicted),
        cmocka_unit_test(test_long_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
