/* Tests of requests run without a connection (server/inproc.h): headers, cookies and query
 * arguments come from the request's array and mean what they mean over HTTP — the session cookie
 * logs the caller in, the CSRF header guards a write, Accept-Language picks the language, a query
 * argument reaches the handler and a non-UTF-8 one is refused — and the request runs on the
 * connection its caller gave, with no transaction left open after it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "auth/account.h"
#include "auth/roles.h"
#include "core/crypto.h"
#include "core/fault.h"
#include "server/inproc.h"
#include "store/migrate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[64] = "/tmp/linli-inproc-test.XXXXXX";
static struct app app;
static store *db;
static char cookie[128], csrf[64];

static unsigned call(const char *method, const char *url, const struct req_value *v, int n, const char *body,
                     struct inproc_answer *ans)
{
    struct inproc_request q = {method, url, v, n, body, body ? strlen(body) : 0, NULL};
    assert_int_equal(inproc_run(&app, db, &q, ans), 0);
    assert_false(store_in_transaction(db));
    return ans->status;
}

static int setup(void **state)
{
    (void)state;
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char url[96], err[256];
    snprintf(url, sizeof url, "sqlite:%s", path);
    assert_int_equal(store_open(url, &db, err, sizeof err), STORE_OK);
    assert_int_equal(migrate_apply(db, NULL, err, sizeof err), 0);
    arena *a = arena_new();
    int64_t id;
    assert_int_equal(store_begin(db), STORE_OK);
    assert_int_equal(account_create(db, a, "tester", "测试员", "a long password", &id), STORE_OK);
    assert_int_equal(account_grant(db, a, id, 0, ROLE_ADMIN, 0), STORE_OK);
    assert_int_equal(store_commit(db), STORE_OK);
    arena_free(a);
    app.db_url = "sqlite:/nonexistent/never-opened.db"; /* the request must use db, not open its own */
    app.store_kind = "sqlite";
    app.session_hours = 1;
    app.quiet = 1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    store_close(db);
    unlink(path);
    return 0;
}

static void test_login_cookie_and_csrf(void **state)
{
    (void)state;
    struct inproc_answer ans;
    const struct req_value json[] = {{REQ_HEADER, "content-type", "application/json"}};
    assert_int_equal(call("POST", "/api/v1/session", json, 1, "{\"login\":\"tester\",\"password\":\"a long password\"}", &ans), 200);
    const char *set = inproc_header(&ans, "Set-Cookie");
    assert_non_null(set);
    assert_true(strncmp(set, "linli_session=", 14) == 0);
    snprintf(cookie, sizeof cookie, "%.*s", (int)strcspn(set + 14, ";"), set + 14);
    json_error_t e;
    json_t *j = json_loads(ans.body, 0, &e);
    snprintf(csrf, sizeof csrf, "%s", json_string_value(json_object_get(j, "csrf_token")));
    json_decref(j);
    inproc_answer_free(&ans);

    /* The cookie logs in; without it nobody is. */
    assert_int_equal(call("GET", "/api/v1/session", NULL, 0, NULL, &ans), 401);
    inproc_answer_free(&ans);
    const struct req_value with_cookie[] = {{REQ_COOKIE, "linli_session", cookie}};
    assert_int_equal(call("GET", "/api/v1/session", with_cookie, 1, NULL, &ans), 200);
    assert_non_null(strstr(ans.body, "\"login\":\"tester\""));
    inproc_answer_free(&ans);
    /* A header of that name is not a cookie. */
    const struct req_value as_header[] = {{REQ_HEADER, "linli_session", cookie}};
    assert_int_equal(call("GET", "/api/v1/session", as_header, 1, NULL, &ans), 401);
    inproc_answer_free(&ans);

    /* A write with the cookie needs the CSRF header (its name in any case). */
    const struct req_value no_token[] = {{REQ_COOKIE, "linli_session", cookie}, {REQ_HEADER, "Content-Type", "application/json"}};
    assert_int_equal(call("POST", "/api/v1/districts", no_token, 2, "{\"name\":\"测试区\"}", &ans), 403);
    assert_non_null(strstr(ans.body, "csrf_failed"));
    inproc_answer_free(&ans);
    const struct req_value token[] = {{REQ_COOKIE, "linli_session", cookie},
                                      {REQ_HEADER, "Content-Type", "application/json"},
                                      {REQ_HEADER, "x-csrf-token", csrf}};
    assert_int_equal(call("POST", "/api/v1/districts", token, 3, "{\"name\":\"测试区\"}", &ans), 201);
    inproc_answer_free(&ans);
    assert_int_equal(call("GET", "/api/v1/districts", NULL, 0, NULL, &ans), 200);
    assert_non_null(strstr(ans.body, "测试区"));
    inproc_answer_free(&ans);
}

static void test_language_query_and_routing(void **state)
{
    (void)state;
    struct inproc_answer ans;
    const struct req_value en[] = {{REQ_HEADER, "Accept-Language", "en-GB,en;q=0.9"}};
    assert_int_equal(call("GET", "/api/v1/nothing", en, 1, NULL, &ans), 404);
    assert_non_null(strstr(ans.body, "\"code\":\"not_found\""));
    assert_null(strstr(ans.body, "不存在")); /* in English */
    inproc_answer_free(&ans);
    assert_int_equal(call("DELETE", "/healthz", NULL, 0, NULL, &ans), 405);
    inproc_answer_free(&ans);
    /* A query argument reaches the handler (a list's limit), and only as a query argument. */
    const struct req_value bad_limit[] = {{REQ_QUERY, "limit", "abc"}};
    assert_int_equal(call("GET", "/api/v1/communities", bad_limit, 1, NULL, &ans), 422);
    assert_non_null(strstr(ans.body, "\"limit\""));
    inproc_answer_free(&ans);
    const struct req_value limit_header[] = {{REQ_HEADER, "limit", "abc"}};
    assert_int_equal(call("GET", "/api/v1/communities", limit_header, 1, NULL, &ans), 200);
    inproc_answer_free(&ans);
    const struct req_value not_utf8[] = {{REQ_QUERY, "q", "\xff\xfe"}};
    assert_int_equal(call("GET", "/api/v1/communities", not_utf8, 1, NULL, &ans), 400);
    assert_non_null(strstr(ans.body, "invalid_query"));
    inproc_answer_free(&ans);
    /* A body past the route's limit is refused as http.c refuses it. */
    char *big = malloc((2u << 20) + 1);
    memset(big, ' ', 2u << 20);
    big[2u << 20] = 0;
    const struct req_value json[] = {{REQ_HEADER, "Content-Type", "application/json"}};
    assert_int_equal(call("POST", "/api/v1/session", json, 1, big, &ans), 413);
    inproc_answer_free(&ans);
    free(big);
}

int main(void)
{
    json_alloc_install();
    if (crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_cookie_and_csrf),
        cmocka_unit_test(test_language_query_and_routing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
