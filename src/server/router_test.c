/* Tests of the route table: matching, 405 detection, and that the router, the permission table and
 * the OpenAPI document agree (every route names a known permission, every route is documented). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "auth/roles.h"
#include "server/openapi.h"
#include "server/router.h"
#include <string.h>

static void test_match(void **state)
{
    (void)state;
    int known;
    const route *rt = router_match("GET", "/api/v1/communities/7/people", NULL, NULL, &known);
    assert_non_null(rt);
    assert_string_equal(rt->path, "/api/v1/communities/{community_id}/people");
    rt = router_match("POST", "/api/v1/communities/7/people/import", NULL, NULL, &known);
    assert_non_null(rt);
    assert_true(rt->flags & R_CSV_BODY);
    assert_null(router_match("PUT", "/api/v1/communities/7/people", NULL, NULL, &known));
    assert_true(known); /* the path exists: 405, not 404 */
    assert_null(router_match("GET", "/api/v1/communities/7/nothing", NULL, NULL, &known));
    assert_false(known);
    assert_null(router_match("GET", "/api/v1/communities//people", NULL, NULL, &known));
    assert_non_null(router_match("HEAD", "/healthz", NULL, NULL, &known));
}

static void test_every_route_is_authorized_and_documented(void **state)
{
    (void)state;
    json_t *doc = openapi_document();
    json_t *paths = json_object_get(doc, "paths");
    int n = 0;
    for (int m = 0; m < module_count; m++)
        for (int i = 0; i < modules[m]->nroutes; i++) {
            const route *rt = &modules[m]->routes[i];
            n++;
            if (!(rt->flags & R_PUBLIC)) {
                assert_non_null(rt->perm);
                assert_true(perm_roles(rt->perm) != 0); /* the permission exists in roles.c */
            }
            char method[8];
            size_t k;
            for (k = 0; rt->method[k]; k++)
                method[k] = (char)(rt->method[k] | 0x20);
            method[k] = 0;
            json_t *op = json_object_get(json_object_get(paths, rt->path), method);
            assert_non_null(op);
            assert_non_null(json_object_get(op, "operationId"));
            /* Nothing outside a community's staff may change its registry. */
            if (strcmp(rt->method, "GET") != 0 && strstr(rt->path, "{community_id}") &&
                (strcmp(rt->tag, "registry") == 0 || strcmp(rt->tag, "people") == 0))
                assert_false(perm_allows(rt->perm, ROLE_RESIDENT | ROLE_VOLUNTEER | ROLE_DISTRICT_ADMIN));
        }
    assert_true(n > 20);
    json_decref(doc);
}

static void test_roles(void **state)
{
    (void)state;
    assert_int_equal(role_from_name("staff"), ROLE_STAFF);
    assert_int_equal(role_from_name("boss"), 0);
    assert_string_equal(role_name(ROLE_EDITOR), "editor");
    assert_true(perm_allows("people.unmask", ROLE_STAFF));
    assert_true(perm_allows("volunteers.self", ROLE_VOLUNTEER));
    assert_false(perm_allows("volunteers.self", ROLE_RESIDENT)); /* residents apply first */
    assert_false(perm_allows("volunteers.manage", ROLE_VOLUNTEER | ROLE_RESIDENT));
    assert_false(perm_allows("people.unmask", ROLE_SOCIAL_WORKER));
    assert_false(perm_allows("no.such.permission", ~0u));
    assert_false(perm_allows(NULL, ~0u));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_every_route_is_authorized_and_documented),
        cmocka_unit_test(test_roles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
