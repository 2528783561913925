/* The routes that belong to no module: health, the session (log in, who am I, log out), the places
 * above the community (towns) and the communities themselves, their home numbers, and the OpenAPI
 * document. */
#include "auth/account.h"
#include "auth/ratelimit.h"
#include "auth/roles.h"
#include "auth/session.h"
#include "core/audit.h"
#include "server/openapi.h"
#include "server/reply.h"
#include "server/router.h"
#include <microhttpd.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static void health_get(req *r)
{
    reply_json(r, 200, json_pack("{s:s, s:s}", "status", "ok", "store", r->app->store_kind));
}

static void openapi_get(req *r)
{
    reply_json(r, 200, openapi_document());
}

/* {"account": {...}, "csrf_token": "..."} for the logged-in account. */
static void reply_session(req *r, unsigned status, int64_t id, const char *login, const char *display, const char *csrf)
{
    json_t *roles = NULL, *global = NULL;
    store_rc rc = account_roles(r->db, r->a, id, &roles, &global);
    if (rc != STORE_OK) {
        reply_store_error(r, rc);
        return;
    }
    reply_json(r, status, json_pack("{s:{s:I, s:s, s:s, s:o, s:o}, s:s}", "account", "id", (json_int_t)id,
                                    "login", login, "display_name", display, "roles", roles, "global_roles", global,
                                    "csrf_token", csrf));
}

static const char sql_display[] = "SELECT display_name FROM accounts WHERE id = $1";

/* Logs in. Every answer for a wrong password or an unknown login costs one argon2id verification
 * (account_check_password), and both are counted against the login and the client's address. A
 * session cookie the request carries ends: the new session replaces it. */
static void session_post(req *r)
{
    const char *login = json_string_value(json_object_get(r->in, "login"));
    const char *password = json_string_value(json_object_get(r->in, "password"));
    time_t now = time(NULL);
    const char *key_login = arena_printf(r->a, "login:%s", login);
    const char *key_ip = arena_printf(r->a, "ip:%s", r->client_ip ? r->client_ip : "?");
    int retry = 0;
    if (ratelimit_check(key_login, 5, 10, now, &retry) || ratelimit_check(key_ip, 20, 50, now, &retry)) {
        reply_error(r, 429, "rate_limited", NULL);
        reply_header(r, "Retry-After", arena_printf(r->a, "%d", retry));
        return;
    }
    store *s = req_store(r);
    if (!s)
        return;
    int64_t id = 0;
    int ok = 0;
    store_rc rc = account_check_password(s, r->a, login, password, &id, &ok);
    if (rc != STORE_OK) {
        reply_store_error(r, rc);
        return;
    }
    if (!ok) {
        now = time(NULL); /* the failure is now, after the verification, not when the request came */
        ratelimit_fail(key_login, now);
        ratelimit_fail(key_ip, now);
        reply_error(r, 401, "bad_credentials", NULL);
        return;
    }
    ratelimit_reset(key_login);
    const char *token, *csrf;
    if (db_begin(r) != 0)
        return;
    rc = session_create(r->db, r->a, r->app, id, session_cookie_hash(r), &token, &csrf);
    if (rc != STORE_OK) {
        db_fail(r, rc);
        return;
    }
    if (db_commit(r) != 0)
        return;
    /* Secure whenever linli is not on loopback (app->secure_cookies); on loopback, when the proxy
     * in front of it, and only a proxy named by --trust-proxy, says the client came by HTTPS. */
    const char *proto = r->via_proxy ? req_header(r, "X-Forwarded-Proto") : NULL;
    int secure = r->app->secure_cookies || (proto && strcasecmp(proto, "https") == 0);
    reply_header(r, MHD_HTTP_HEADER_SET_COOKIE,
                 arena_printf(r->a, "%s=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%d%s", SESSION_COOKIE, token,
                              session_hours(r->app) * 3600, secure ? "; Secure" : ""));
    const char *p[1] = {arena_i64(r->a, id)};
    store_rows *rows = NULL;
    rc = store_exec(s, r->a, sql_display, 1, p, &rows);
    if (rc != STORE_OK || rows->nrows == 0) {
        reply_store_error(r, rc);
        return;
    }
    reply_session(r, 200, id, login, store_cell(rows, 0, 0), csrf);
}

static void session_get(req *r)
{
    reply_session(r, 200, r->account_id, r->login, r->display_name, r->csrf);
}

static void session_delete_h(req *r)
{
    store_rc rc = session_delete(r->db, r->a, r->session_hash);
    if (rc != STORE_OK) {
        reply_store_error(r, rc);
        return;
    }
    reply_header(r, MHD_HTTP_HEADER_SET_COOKIE, SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    reply_empty(r, 204);
}

static const char sql_towns[] =
    "SELECT t.id, t.name, d.id, d.name FROM towns t JOIN districts d ON d.id = t.district_id ORDER BY t.id";

static void towns_list(req *r)
{
    store *s = req_store(r);
    store_rows *rows = NULL;
    store_rc rc = s ? store_exec(s, r->a, sql_towns, 0, NULL, &rows) : STORE_ERROR;
    if (!s)
        return;
    if (rc != STORE_OK) {
        reply_store_error(r, rc);
        return;
    }
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows; i++)
        json_array_append_new(items, json_pack("{s:I, s:s, s:I, s:s}", "id", (json_int_t)store_cell_i64(rows, i, 0),
                                               "name", store_cell(rows, i, 1), "district_id",
                                               (json_int_t)store_cell_i64(rows, i, 2), "district_name",
                                               store_cell(rows, i, 3)));
    json_t *body = json_pack("{s:o, s:i}", "items", items, "total", rows->nrows);
    reply_json(r, 200, body);
}

static const char sql_districts[] = "SELECT id, name FROM districts ORDER BY id";
static const char sql_district_insert[] = "INSERT INTO districts (id, name) VALUES ($1, $2)";
static const char sql_town_insert[] = "INSERT INTO towns (id, district_id, name) VALUES ($1, $2, $3)";
static const char sql_district_exists[] = "SELECT 1 FROM districts WHERE id = $1";

static void districts_list(req *r)
{
    store *s = req_store(r);
    store_rows *rows = NULL;
    if (!s)
        return;
    store_rc rc = store_exec(s, r->a, sql_districts, 0, NULL, &rows);
    if (rc != STORE_OK) {
        reply_store_error(r, rc);
        return;
    }
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows; i++)
        json_array_append_new(items, json_pack("{s:I, s:s}", "id", (json_int_t)store_cell_i64(rows, i, 0), "name",
                                               store_cell(rows, i, 1)));
    reply_json(r, 200, json_pack("{s:o, s:i}", "items", items, "total", rows->nrows));
}

/* Creates a district ({"name"}) or a town ({"name", "district_id"}); audited in the chain of
 * community 0, the one above every community. */
static void place_create(req *r, int is_town)
{
    const char *name = json_string_value(json_object_get(r->in, "name"));
    int64_t district = is_town ? json_integer_value(json_object_get(r->in, "district_id")) : 0;
    if (db_begin(r) != 0)
        return;
    int64_t id = 0, one;
    int found = 1;
    const char *p[3] = {arena_i64(r->a, district)};
    store_rc rc = is_town ? store_query_i64(r->db, r->a, sql_district_exists, 1, p, &one, &found) : STORE_OK;
    if (rc == STORE_OK && !found) {
        store_rollback(r->db);
        json_t *fields = NULL;
        field_error(r, &fields, "district_id", "not_found");
        reply_error(r, 422, "validation_failed", fields);
        return;
    }
    if (rc == STORE_OK)
        rc = store_next_id(r->db, r->a, &id);
    p[0] = arena_i64(r->a, id);
    p[1] = is_town ? arena_i64(r->a, district) : name;
    p[2] = name;
    if (rc == STORE_OK)
        rc = store_exec(r->db, r->a, is_town ? sql_town_insert : sql_district_insert, is_town ? 3 : 2, p, NULL);
    json_t *item = is_town ? json_pack("{s:I, s:s, s:I}", "id", (json_int_t)id, "name", name, "district_id", (json_int_t)district)
                           : json_pack("{s:I, s:s}", "id", (json_int_t)id, "name", name);
    if (rc == STORE_OK)
        rc = audit_append(r->db, r->a, 0, r->account_id, r->login, "create", is_town ? "town" : "district", p[0], NULL, item);
    if (rc == STORE_CONSTRAINT) {
        json_decref(item);
        store_rollback(r->db);
        json_t *fields = NULL;
        field_error(r, &fields, "name", "duplicate_name");
        reply_error(r, 409, "conflict", fields);
        return;
    }
    if (rc != STORE_OK) {
        json_decref(item);
        db_fail(r, rc);
        return;
    }
    if (db_commit(r) != 0) {
        json_decref(item);
        return;
    }
    reply_json(r, 201, item);
}

static void districts_create(req *r) { place_create(r, 0); }
static void towns_create(req *r) { place_create(r, 1); }

static const char sql_communities[] =
    "SELECT c.community_id, c.name, t.id, t.name, d.name, c.population FROM communities c "
    "JOIN towns t ON t.id = c.town_id JOIN districts d ON d.id = t.district_id "
    "WHERE (CAST($1 AS TEXT) IS NULL OR c.name ILIKE CAST($1 AS TEXT) ESCAPE '\\') ORDER BY c.community_id LIMIT $2 OFFSET $3";
static const char sql_communities_count[] =
    "SELECT count(*) FROM communities c WHERE (CAST($1 AS TEXT) IS NULL OR c.name ILIKE CAST($1 AS TEXT) ESCAPE '\\')";

static json_t *community_json(const store_rows *rows, int i)
{
    return json_pack("{s:I, s:s, s:I, s:s, s:s, s:I}", "id", (json_int_t)store_cell_i64(rows, i, 0), "name",
                     store_cell(rows, i, 1), "town_id", (json_int_t)store_cell_i64(rows, i, 2), "town_name",
                     store_cell(rows, i, 3), "district_name", store_cell(rows, i, 4), "population",
                     (json_int_t)store_cell_i64(rows, i, 5));
}

static void communities_list(req *r)
{
    struct list_args la;
    if (list_args_parse(r, &la) != 0)
        return;
    store *s = req_store(r);
    if (!s)
        return;
    store_rows *rows = NULL;
    int64_t total = 0;
    int found;
    const char *p[3] = {la.like, arena_i64(r->a, la.limit), arena_i64(r->a, la.offset)};
    store_rc rc = store_exec(s, r->a, sql_communities, 3, p, &rows);
    if (rc == STORE_OK)
        rc = store_query_i64(s, r->a, sql_communities_count, 1, p, &total, &found);
    if (rc != STORE_OK) {
        reply_store_error(r, rc);
        return;
    }
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows; i++)
        json_array_append_new(items, community_json(rows, i));
    reply_list(r, &la, items, total, NULL);
}

static const char sql_town_district[] = "SELECT district_id FROM towns WHERE id = $1";
static const char sql_community_insert[] =
    "INSERT INTO communities (community_id, town_id, name, population, created_at) VALUES ($1, $2, $3, $4, $5)";
static const char sql_community_one[] =
    "SELECT c.community_id, c.name, t.id, t.name, d.name, c.population FROM communities c "
    "JOIN towns t ON t.id = c.town_id JOIN districts d ON d.id = t.district_id WHERE c.community_id = $1";

static void communities_create(req *r)
{
    int64_t town_id = json_integer_value(json_object_get(r->in, "town_id"));
    const char *name = json_string_value(json_object_get(r->in, "name"));
    int64_t population = json_integer_value(json_object_get(r->in, "population"));
    if (db_begin(r) != 0)
        return;
    int64_t district = 0, id = 0;
    int found = 0;
    const char *p[5] = {arena_i64(r->a, town_id)};
    store_rc rc = store_query_i64(r->db, r->a, sql_town_district, 1, p, &district, &found);
    if (rc == STORE_OK && (!found || (!(r->global_roles & ROLE_ADMIN) && district != r->district_id))) {
        store_rollback(r->db);
        json_t *fields = NULL;
        field_error(r, &fields, "town_id", "unknown_town");
        reply_error(r, 422, "validation_failed", fields);
        return;
    }
    if (rc == STORE_OK)
        rc = store_next_id(r->db, r->a, &id);
    p[0] = arena_i64(r->a, id);
    p[1] = arena_i64(r->a, town_id);
    p[2] = name;
    p[3] = arena_i64(r->a, population);
    p[4] = arena_i64(r->a, (int64_t)time(NULL));
    if (rc == STORE_OK)
        rc = store_exec(r->db, r->a, sql_community_insert, 5, p, NULL);
    store_rows *rows = NULL;
    if (rc == STORE_OK)
        rc = store_exec(r->db, r->a, sql_community_one, 1, p, &rows);
    json_t *item = rc == STORE_OK ? community_json(rows, 0) : NULL;
    if (rc == STORE_OK)
        rc = audit_append(r->db, r->a, id, r->account_id, r->login, "create", "community", p[0], NULL, item);
    if (rc != STORE_OK) {
        json_decref(item);
        if (rc == STORE_CONSTRAINT) {
            store_rollback(r->db);
            json_t *fields = NULL;
            field_error(r, &fields, "name", "duplicate_name");
            reply_error(r, 409, "conflict", fields);
        } else
            db_fail(r, rc);
        return;
    }
    if (db_commit(r) != 0) {
        json_decref(item);
        return;
    }
    reply_json(r, 201, item);
}

/* The home page's numbers. Each counts something whose every change is audited, so the answer is
 * kept by the community's version (reply.h) and made again only after a change: made, it takes a
 * statement per module. */
static void community_get(req *r)
{
    const char *key = arena_printf(r->a, "community %lld %d", (long long)r->community_id, (int)r->lang), *version = NULL;
    if (reply_kept(r, key, community_version, &version) != 0)
        return;
    store_rows *rows = NULL;
    const char *p[1] = {arena_i64(r->a, r->community_id)};
    store_rc rc = store_exec(r->db, r->a, sql_community_one, 1, p, &rows);
    if (rc != STORE_OK) {
        reply_store_error(r, rc);
        return;
    }
    json_t *c = community_json(rows, 0);
    json_t *stats = json_pack("{s:n, s:n}", "volunteers", "fund_balance_fen");
    for (int m = 0; m < module_count; m++)
        if (modules[m]->stats && modules[m]->stats(r, stats) != 0) {
            json_decref(stats);
            json_decref(c);
            return;
        }
    json_object_set_new(c, "stats", stats);
    reply_json(r, 200, c);
    reply_keep(r, key, community_version, version);
}

static const field_spec session_body[] = {
    {"login", F_STR, 1, 100, NULL, "account name"},
    {"password", F_STR, 1, 200, NULL, "password"},
    {0},
};
static const field_spec community_body[] = {
    {"name", F_STR, 1, 60, NULL, "community name, e.g. 文华社区"},
    {"town_id", F_ID, 1, 0, NULL, "the town (镇/街道) it belongs to"},
    {"population", F_INT, 0, 10000000, NULL, "resident population (常住人口), an estimate"},
    {0},
};
static const field_spec district_body[] = {
    {"name", F_STR, 1, 40, NULL, "district name, e.g. 顺德区"},
    {0},
};
static const field_spec town_body[] = {
    {"name", F_STR, 1, 40, NULL, "town or subdistrict name, e.g. 龙江镇"},
    {"district_id", F_ID, 1, 0, NULL, "the district it belongs to"},
    {0},
};
static const column_spec community_columns[] = {
    {"id", "编号", "ID"}, {"name", "社区", "Community"}, {"town_name", "镇街", "Town"},
    {"district_name", "区", "District"}, {"population", "常住人口", "Population"}, {0},
};
static const char *const list_query[] = {"q", NULL};

static const route system_routes[] = {
    {"GET", "/healthz", health_get, NULL, R_PUBLIC, NULL, NULL, "system", "Health of the server and its store", 0, NULL},
    {"GET", "/api/v1/openapi.json", openapi_get, NULL, R_PUBLIC, NULL, NULL, "system", "This API's OpenAPI 3.1 document", 0, NULL},
    {"POST", "/api/v1/session", session_post, NULL, R_PUBLIC, session_body, NULL, "session", "Log in", 0, NULL},
    {"GET", "/api/v1/session", session_get, "session", 0, NULL, NULL, "session", "Who is logged in", 0, NULL},
    {"DELETE", "/api/v1/session", session_delete_h, "session", 0, NULL, NULL, "session", "Log out", 0, NULL},
    {"GET", "/api/v1/districts", districts_list, NULL, R_PUBLIC, NULL, NULL, "places", "Districts (区)", 0, NULL},
    {"POST", "/api/v1/districts", districts_create, "towns.manage", R_IDEMPOTENT, district_body, NULL, "places", "Create a district", 0, NULL},
    {"GET", "/api/v1/towns", towns_list, NULL, R_PUBLIC, NULL, NULL, "places", "Towns (镇/街道) with their districts", 0, NULL},
    {"POST", "/api/v1/towns", towns_create, "towns.manage", R_IDEMPOTENT, town_body, NULL, "places", "Create a town", 0, NULL},
    {"GET", "/api/v1/communities", communities_list, NULL, R_PUBLIC | R_LIST, NULL, community_columns, "places", "Communities", 0, list_query},
    {"POST", "/api/v1/communities", communities_create, "communities.create", R_IDEMPOTENT, community_body, NULL, "places", "Create a community", 0, NULL},
    {"GET", "/api/v1/communities/{community_id}", community_get, "community.read", 0, NULL, NULL, "places", "A community and its key numbers", 0, NULL},
};

const module system_module = {"system", system_routes, sizeof system_routes / sizeof system_routes[0], NULL};
