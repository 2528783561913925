/* Unit tests for json_parse (core/fault.h) and the kept-answer cache (core/vcache.h).
 * json_parse: for strings whose closing quote falls on each of jansson's buffer boundaries (the
 * parser overran its buffer there when an allocation failed, akheron/jansson#362), the Nth
 * allocation of the parse fails for every N: the parse must end at that allocation (no further one
 * is even tried, so jansson never runs on after a failure) with NULL and json_alloc_failed set; and
 * once N passes the parse's allocations, the document is whole, byte for byte.
 * vcache: a kept answer comes back only under its key and version, a newer answer replaces it, and
 * answers too large are not kept. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "core/fault.h"
#include "core/vcache.h"
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
/* What the parser had built when it was jumped out of is not freed (fault.h): the known price of
 * the jump, so those parses are not counted as leaks. */
#define PARSE(x) (__lsan_disable(), _parsed = (x), __lsan_enable(), _parsed)
#else
#define PARSE(x) (_parsed = (x))
#endif
static json_t *_parsed;

static void test_parse_fails_at_each_allocation(void **state)
{
    (void)state;
    json_alloc_install();
    for (int len = 1; len <= 70; len++) {
        char name[80], text[240];
        for (int i = 0; i < len; i++)
            name[i] = (char)('a' + i % 26);
        name[len] = 0;
        snprintf(text, sizeof text, "{\"name\":\"%s\",\"x\":[1,2,\"%s\"]}", name, name);
        int done = 0;
        for (long n = 1; n < 200 && !done; n++) {
            json_alloc_failed = 0;
            fault_alloc = (struct fault){.countdown = n, .persistent = 1}; /* so any later try is counted */
            json_error_t e;
            json_t *v = PARSE(json_parse(text, strlen(text), JSON_REJECT_DUPLICATES, &e));
            long seen = fault_alloc.seen;
            fault_alloc = (struct fault){0};
            if (seen >= n) { /* the fault came */
                assert_null(v);
                assert_true(json_alloc_failed);
                assert_int_equal(seen, n); /* nothing allocated after the failure */
                assert_int_equal(json_error_code(&e), json_error_out_of_memory);
            } else {
                assert_non_null(v);
                assert_false(json_alloc_failed);
                assert_string_equal(json_string_value(json_object_get(v, "name")), name);
                assert_string_equal(json_string_value(json_array_get(json_object_get(v, "x"), 2)), name);
                json_decref(v);
                done = 1;
            }
        }
        assert_true(done);
    }
    json_alloc_failed = 0;
}

static void test_parse_persistent_and_plain(void **state)
{
    (void)state;
    json_alloc_install();
    json_error_t e;
    fault_alloc = (struct fault){.countdown = 3, .persistent = 1};
    assert_null(PARSE(json_parse_str("{\"a\":\"bcdefghijklmnopqrstuvwxyz\"}", &e)));
    fault_alloc = (struct fault){0};
    json_alloc_failed = 0;
    json_t *v = json_parse_str("[1, \"二\"]", &e);
    assert_non_null(v);
    assert_string_equal(json_string_value(json_array_get(v, 1)), "二");
    json_decref(v);
    assert_null(json_parse_str("{", &e)); /* bad JSON is NULL without the flag */
    assert_false(json_alloc_failed);
    assert_null(json_parse_str(NULL, &e));
}

static void test_vcache(void **state)
{
    (void)state;
    size_t len = 0;
    assert_null(vcache_get("fund 1 0", "7 abc", &len));
    vcache_put("fund 1 0", "7 abc", "{\"a\":1}", 7);
    char *b = vcache_get("fund 1 0", "7 abc", &len);
    assert_non_null(b);
    assert_int_equal(len, 7);
    assert_memory_equal(b, "{\"a\":1}", 7);
    free(b);
    assert_null(vcache_get("fund 1 0", "8 abd", &len)); /* a newer version: made again */
    assert_null(vcache_get("fund 1 1", "7 abc", &len)); /* another key */
    vcache_put("fund 1 0", "8 abd", "{\"a\":2}", 7);
    assert_null(vcache_get("fund 1 0", "7 abc", &len)); /* replaced */
    b = vcache_get("fund 1 0", "8 abd", &len);
    assert_memory_equal(b, "{\"a\":2}", 7);
    free(b);
    char *big = calloc(1, VCACHE_MAX_BODY + 1);
    vcache_put("big", "1", big, VCACHE_MAX_BODY + 1);
    assert_null(vcache_get("big", "1", &len));
    free(big);
    for (int i = 0; i < 3 * VCACHE_SLOTS; i++) { /* more keys than slots: bounded, each still exact */
        char k[32];
        snprintf(k, sizeof k, "k%d", i);
        vcache_put(k, "v", k, strlen(k));
        b = vcache_get(k, "v", &len);
        assert_non_null(b);
        assert_memory_equal(b, k, strlen(k));
        free(b);
    }
    vcache_clear();
    assert_null(vcache_get("k0", "v", &len));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_fails_at_each_allocation),
        cmocka_unit_test(test_parse_persistent_and_plain),
        cmocka_unit_test(test_vcache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
