/* The registry's route table and its handlers for places and organisations: compounds, buildings,
 * venues, organisations and staff (with the certificate rate 持证率), and the community's key
 * numbers. People are in people.c. Every statement is scoped by community_id = $1, which comes
 * from the router's scope step (r->community_id), never from the body. */
#include "core/audit.h"
#include "modules/registry/registry.h"
#include "server/reply.h"
#include <string.h>
#include <time.h>

/* Runs a list query (params: community, like, limit, offset, extra...) and its count (the same
 * params without limit and offset), and replies the list. */
static void reply_query_list(req *r, const struct list_args *la, const char *sql, const char *sql_count,
                             const struct colmap *map, json_t *extra)
{
    const char *p[4] = {arena_i64(r->a, r->community_id), la->like, arena_i64(r->a, la->limit),
                        arena_i64(r->a, la->offset)};
    const char *pc[2] = {p[0], p[1]};
    store_rows *rows = NULL;
    int64_t total = 0;
    int found;
    store_rc rc = store_exec(r->db, r->a, sql, 4, p, &rows);
    if (rc == STORE_OK)
        rc = store_query_i64(r->db, r->a, sql_count, 2, pc, &total, &found);
    if (rc != STORE_OK) {
        json_decref(extra);
        reply_store_error(r, rc);
        return;
    }
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows; i++)
        json_array_append_new(items, row_json(rows, i, map));
    reply_list(r, la, items, total, extra);
}

/* After an insert: reads the new row back with sql_one ($1 community, $2 id), audits it and
 * commits, then replies 201 with it. The transaction is open on entry. */
static void finish_create(req *r, const char *entity, int64_t id, const char *sql_one, const struct colmap *map)
{
    const char *p[2] = {arena_i64(r->a, r->community_id), arena_i64(r->a, id)};
    store_rows *rows = NULL;
    store_rc rc = store_exec(r->db, r->a, sql_one, 2, p, &rows);
    if (rc == STORE_OK && rows->nrows == 0)
        rc = STORE_ERROR;
    json_t *item = rc == STORE_OK ? row_json(rows, 0, map) : NULL;
    if (rc == STORE_OK)
        rc = audit_append(r->db, r->a, r->community_id, r->account_id, r->login, "create", entity, p[1], NULL, item);
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

/* A unique-name conflict answered as a field error on "name". */
static void reply_duplicate_name(req *r)
{
    store_rollback(r->db);
    json_t *fields = NULL;
    field_error(r, &fields, "name", "duplicate_name");
    reply_error(r, 409, "conflict", fields);
}

static const char sql_compound_exists[] = "SELECT 1 FROM compounds WHERE community_id = $1 AND id = $2";

/* 0 when compound_id (may be 0: none) is a compound of this community; else replies 422. */
static int check_compound(req *r, int64_t compound_id)
{
    if (!compound_id)
        return 0;
    int64_t one;
    int found = 0;
    const char *p[2] = {arena_i64(r->a, r->community_id), arena_i64(r->a, compound_id)};
    store_rc rc = store_query_i64(r->db, r->a, sql_compound_exists, 2, p, &one, &found);
    if (rc != STORE_OK) {
        db_fail(r, rc);
        return -1;
    }
    if (!found) {
        store_rollback(r->db);
        json_t *fields = NULL;
        field_error(r, &fields, "compound_id", "unknown_compound");
        reply_error(r, 422, "validation_failed", fields);
        return -1;
    }
    return 0;
}

static const char *opt_str(req *r, const char *key)
{
    const char *v = json_string_value(json_object_get(r->in, key));
    return v ? v : "";
}

static const char *opt_id(req *r, const char *key)
{
    json_int_t v = json_integer_value(json_object_get(r->in, key));
    return v > 0 ? arena_i64(r->a, v) : NULL;
}

/* ---- compounds ---- */

#define LIKE2(col) "(CAST($2 AS TEXT) IS NULL OR " col " ILIKE CAST($2 AS TEXT) ESCAPE '\\')"

static const struct colmap compound_map[] = {
    {"id", 'i'}, {"name", 's'}, {"kind", 's'}, {"address", 's'}, {"buildings", 'i'}, {"residents", 'i'}, {0},
};
#define COMPOUND_SELECT "SELECT c.id, c.name, c.kind, c.address, c.buildings, c.residents FROM compounds c "
static const char sql_compounds[] = COMPOUND_SELECT "WHERE c.community_id = $1 AND " LIKE2("c.name")
    " ORDER BY c.id LIMIT $3 OFFSET $4";
static const char sql_compounds_count[] = "SELECT count(*) FROM compounds c WHERE c.community_id = $1 AND " LIKE2("c.name");
static const char sql_compound_one[] = COMPOUND_SELECT "WHERE c.community_id = $1 AND c.id = $2";
static const char sql_compound_insert[] =
    "INSERT INTO compounds (community_id, id, name, kind, address, created_at) VALUES ($1, $2, $3, $4, $5, $6)";

static void compounds_list(req *r)
{
    struct list_args la;
    if (list_args_parse(r, &la) == 0)
        reply_query_list(r, &la, sql_compounds, sql_compounds_count, compound_map, NULL);
}

static void compounds_create(req *r)
{
    if (db_begin(r) != 0)
        return;
    int64_t id;
    store_rc rc = store_next_id(r->db, r->a, &id);
    const char *kind = opt_str(r, "kind");
    const char *p[6] = {arena_i64(r->a, r->community_id), arena_i64(r->a, id), opt_str(r, "name"),
                        *kind ? kind : "residential", opt_str(r, "address"), arena_i64(r->a, (int64_t)time(NULL))};
    if (rc == STORE_OK)
        rc = store_exec(r->db, r->a, sql_compound_insert, 6, p, NULL);
    if (rc == STORE_CONSTRAINT)
        reply_duplicate_name(r);
    else if (rc != STORE_OK)
        db_fail(r, rc);
    else
        finish_create(r, "compound", id, sql_compound_one, compound_map);
}

/* ---- buildings ---- */

static const struct colmap building_map[] = {{"id", 'i'}, {"compound_id", 'i'}, {"name", 's'}, {"floors", 'i'}, {0}};
static const char sql_buildings[] =
    "SELECT id, compound_id, name, floors FROM buildings WHERE community_id = $1 AND compound_id = $2 ORDER BY id";
static const char sql_building_one[] =
    "SELECT id, compound_id, name, floors FROM buildings WHERE community_id = $1 AND id = $2";
static const char sql_building_insert[] =
    "INSERT INTO buildings (community_id, id, compound_id, name, floors) VALUES ($1, $2, $3, $4, $5)";
static const char sql_compound_buildings[] =
    "UPDATE compounds SET buildings = buildings + 1 WHERE community_id = $1 AND id = $2";

store_rc registry_building_add(store *s, arena *a, int64_t community_id, int64_t compound_id, const char *name,
                               int floors, int64_t *id)
{
    store_rc rc = store_next_id(s, a, id);
    const char *p[5] = {arena_i64(a, community_id), arena_i64(a, *id), arena_i64(a, compound_id), name,
                        arena_i64(a, floors)};
    if (rc == STORE_OK)
        rc = store_exec(s, a, sql_building_insert, 5, p, NULL);
    const char *q[2] = {p[0], p[2]};
    if (rc == STORE_OK)
        rc = store_exec(s, a, sql_compound_buildings, 2, q, NULL);
    return rc;
}

static void buildings_list(req *r)
{
    struct list_args la;
    if (list_args_parse(r, &la) != 0)
        return;
    int64_t one;
    int found = 0;
    const char *p[2] = {arena_i64(r->a, r->community_id), arena_i64(r->a, req_param_i64(r, 1))};
    store_rc rc = store_query_i64(r->db, r->a, sql_compound_exists, 2, p, &one, &found);
    store_rows *rows = NULL;
    if (rc == STORE_OK && found)
        rc = store_exec(r->db, r->a, sql_buildings, 2, p, &rows);
    if (rc != STORE_OK) {
        reply_store_error(r, rc);
        return;
    }
    if (!found) {
        reply_error(r, 404, "not_found", NULL);
        return;
    }
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows; i++)
        json_array_append_new(items, row_json(rows, i, building_map));
    reply_list(r, &la, items, rows->nrows, NULL);
}

static void buildings_create(req *r)
{
    if (db_begin(r) != 0)
        return;
    int64_t compound = req_param_i64(r, 1), id;
    int64_t one;
    int found = 0;
    const char *p[2] = {arena_i64(r->a, r->community_id), arena_i64(r->a, compound)};
    store_rc rc = store_query_i64(r->db, r->a, sql_compound_exists, 2, p, &one, &found);
    if (rc == STORE_OK && !found) {
        store_rollback(r->db);
        reply_error(r, 404, "not_found", NULL);
        return;
    }
    if (rc == STORE_OK)
        rc = registry_building_add(r->db, r->a, r->community_id, compound, opt_str(r, "name"),
                                   (int)json_integer_value(json_object_get(r->in, "floors")), &id);
    if (rc == STORE_CONSTRAINT)
        reply_duplicate_name(r);
    else if (rc != STORE_OK)
        db_fail(r, rc);
    else
        finish_create(r, "building", id, sql_building_one, building_map);
}

/* ---- venues ---- */

static const struct colmap venue_map[] = {
    {"id", 'i'}, {"name", 's'}, {"kind", 's'}, {"compound_id", 'i'}, {"compound_name", 'n'}, {"address", 's'}, {0},
};
#define VENUE_SELECT                                                                                  \
    "SELECT v.id, v.name, v.kind, v.compound_id, c.name, v.address FROM venues v LEFT JOIN compounds c " \
    "ON c.community_id = v.community_id AND c.id = v.compound_id "
static const char sql_venues[] = VENUE_SELECT "WHERE v.community_id = $1 AND " LIKE2("v.name")
    " ORDER BY v.id LIMIT $3 OFFSET $4";
static const char sql_venues_count[] = "SELECT count(*) FROM venues v WHERE v.community_id = $1 AND " LIKE2("v.name");
static const char sql_venue_one[] = VENUE_SELECT "WHERE v.community_id = $1 AND v.id = $2";
static const char sql_venue_insert[] =
    "INSERT INTO venues (community_id, id, name, kind, compound_id, address) VALUES ($1, $2, $3, $4, $5, $6)";

static void venues_list(req *r)
{
    struct list_args la;
    if (list_args_parse(r, &la) == 0)
        reply_query_list(r, &la, sql_venues, sql_venues_count, venue_map, NULL);
}

/* Venues and organisations are added alike: a name, a kind, an optional compound of this
 * community and one more text field (last_key), then read back, audited and answered. */
static void create_in_compound(req *r, const char *entity, const char *sql_insert, const char *sql_one,
                               const struct colmap *map, const char *last_key)
{
    if (db_begin(r) != 0)
        return;
    const char *compound = opt_id(r, "compound_id");
    if (check_compound(r, compound ? strtoll(compound, NULL, 10) : 0) != 0)
        return;
    int64_t id;
    store_rc rc = store_next_id(r->db, r->a, &id);
    const char *p[6] = {arena_i64(r->a, r->community_id), arena_i64(r->a, id), opt_str(r, "name"),
                        opt_str(r, "kind"), compound, opt_str(r, last_key)};
    if (rc == STORE_OK)
        rc = store_exec(r->db, r->a, sql_insert, 6, p, NULL);
    if (rc == STORE_CONSTRAINT)
        reply_duplicate_name(r);
    else if (rc != STORE_OK)
        db_fail(r, rc);
    else
        finish_create(r, entity, id, sql_one, map);
}

static void venues_create(req *r)
{
    create_in_compound(r, "venue", sql_venue_insert, sql_venue_one, venue_map, "address");
}

/* ---- organisations ---- */

static const struct colmap org_map[] = {
    {"id", 'i'}, {"name", 's'}, {"kind", 's'}, {"compound_id", 'i'}, {"compound_name", 'n'}, {"contact_name", 's'}, {0},
};
#define ORG_SELECT                                                                                            \
    "SELECT o.id, o.name, o.kind, o.compound_id, c.name, o.contact_name FROM organisations o LEFT JOIN compounds c " \
    "ON c.community_id = o.community_id AND c.id = o.compound_id "
static const char sql_orgs[] = ORG_SELECT "WHERE o.community_id = $1 AND " LIKE2("o.name")
    " ORDER BY o.id LIMIT $3 OFFSET $4";
static const char sql_orgs_count[] = "SELECT count(*) FROM organisations o WHERE o.community_id = $1 AND " LIKE2("o.name");
static const char sql_org_one[] = ORG_SELECT "WHERE o.community_id = $1 AND o.id = $2";
static const char sql_org_insert[] =
    "INSERT INTO organisations (community_id, id, name, kind, compound_id, contact_name) VALUES ($1, $2, $3, $4, $5, $6)";

static void orgs_list(req *r)
{
    struct list_args la;
    if (list_args_parse(r, &la) == 0)
        reply_query_list(r, &la, sql_orgs, sql_orgs_count, org_map, NULL);
}

static void orgs_create(req *r)
{
    create_in_compound(r, "organisation", sql_org_insert, sql_org_one, org_map, "contact_name");
}

/* ---- staff ---- */

static const struct colmap staff_map[] = {
    {"id", 'i'}, {"name", 's'}, {"position", 's'}, {"certificate_level", 'n'}, {"certificate_no", 'n'}, {0},
};
static const char sql_staff[] =
    "SELECT id, name, position, certificate_level, certificate_no FROM staff WHERE community_id = $1 AND "
    LIKE2("name") " ORDER BY id LIMIT $3 OFFSET $4";
static const char sql_staff_count[] = "SELECT count(*) FROM staff WHERE community_id = $1 AND " LIKE2("name");
static const char sql_staff_one[] =
    "SELECT id, name, position, certificate_level, certificate_no FROM staff WHERE community_id = $1 AND id = $2";
static const char sql_staff_rate[] =
    "SELECT count(*), count(certificate_level) FROM staff WHERE community_id = $1";
static const char sql_staff_insert[] =
    "INSERT INTO staff (community_id, id, name, position, certificate_level, certificate_no, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)";

static void staff_list(req *r)
{
    struct list_args la;
    if (list_args_parse(r, &la) != 0)
        return;
    const char *p[1] = {arena_i64(r->a, r->community_id)};
    store_rows *rows = NULL;
    store_rc rc = store_exec(r->db, r->a, sql_staff_rate, 1, p, &rows);
    if (rc != STORE_OK) {
        reply_store_error(r, rc);
        return;
    }
    int64_t all = store_cell_i64(rows, 0, 0), certified = store_cell_i64(rows, 0, 1);
    /* 持证率 = certified staff / all staff, rounded to 0.1 percent. */
    json_t *extra = json_pack("{s:I, s:I, s:f}", "staff", (json_int_t)all, "certified", (json_int_t)certified,
                              "certificate_rate", all ? (double)(certified * 1000 / all) / 1000.0 : 0.0);
    reply_query_list(r, &la, sql_staff, sql_staff_count, staff_map, extra);
}

static void staff_create(req *r)
{
    if (db_begin(r) != 0)
        return;
    int64_t id;
    store_rc rc = store_next_id(r->db, r->a, &id);
    const char *level = json_string_value(json_object_get(r->in, "certificate_level"));
    const char *no = json_string_value(json_object_get(r->in, "certificate_no"));
    const char *p[7] = {arena_i64(r->a, r->community_id), arena_i64(r->a, id), opt_str(r, "name"),
                        opt_str(r, "position"), level, no && *no ? no : NULL, arena_i64(r->a, (int64_t)time(NULL))};
    if (rc == STORE_OK)
        rc = store_exec(r->db, r->a, sql_staff_insert, 7, p, NULL);
    if (rc != STORE_OK)
        db_fail(r, rc);
    else
        finish_create(r, "staff", id, sql_staff_one, staff_map);
}

/* ---- the community's key numbers ---- */

static const char sql_stats[] =
    "SELECT (SELECT COALESCE(sum(residents), 0) FROM compounds WHERE community_id = $1) + "
    "(SELECT count(*) FROM people WHERE community_id = $1 AND compound_id IS NULL), "
    "(SELECT count(*) FROM compounds WHERE community_id = $1), "
    "(SELECT count(*) FROM buildings WHERE community_id = $1), "
    "(SELECT count(*) FROM organisations WHERE community_id = $1), "
    "(SELECT count(*) FROM venues WHERE community_id = $1), "
    "(SELECT count(*) FROM staff WHERE community_id = $1)";

static int registry_stats(req *r, json_t *stats)
{
    static const char *const keys[] = {"residents", "compounds", "buildings", "organisations", "venues", "staff"};
    const char *p[1] = {arena_i64(r->a, r->community_id)};
    store_rows *rows = NULL;
    store_rc rc = store_exec(r->db, r->a, sql_stats, 1, p, &rows);
    if (rc != STORE_OK) {
        reply_store_error(r, rc);
        return -1;
    }
    for (int j = 0; j < 6; j++)
        json_object_set_new(stats, keys[j], json_integer(store_cell_i64(rows, 0, j)));
    return 0;
}

/* ---- the route table ---- */

static const char *const compound_kinds[] = {"residential", "mixed", NULL};
static const char *const venue_kinds[] = {"plaza", "market", "party_home", "activity_room", "office", "other", NULL};
static const char *const org_kinds[] = {"owners_committee", "property_company", "social_work_agency", "school",
                                        "firm", "law_office", "hospital", "association", "volunteer_team",
                                        "youth_centre", "party_group", NULL};
static const char *const cert_levels[] = {"assistant", "social_worker", "senior", NULL};

static const field_spec compound_body[] = {
    {"name", F_STR, 1, 60, NULL, "compound name, e.g. 丰华花苑"},
    {"address", F_STR, 0, 200, NULL, "street address"},
    {"kind", F_ENUM, 0, 0, compound_kinds, "residential (default) or mixed"},
    {0},
};
static const field_spec building_body[] = {
    {"name", F_STR, 1, 30, NULL, "building name, e.g. 3栋"},
    {"floors", F_INT, 0, 200, NULL, "number of floors"},
    {0},
};
static const field_spec venue_body[] = {
    {"name", F_STR, 1, 60, NULL, "venue name"},
    {"kind", F_ENUM, 1, 0, venue_kinds, "kind of venue"},
    {"compound_id", F_ID, 0, 0, NULL, "the compound it is in, if any"},
    {"address", F_STR, 0, 200, NULL, "address"},
    {0},
};
static const field_spec org_body[] = {
    {"name", F_STR, 1, 80, NULL, "organisation name"},
    {"kind", F_ENUM, 1, 0, org_kinds, "kind of organisation"},
    {"compound_id", F_ID, 0, 0, NULL, "the compound it serves, if any"},
    {"contact_name", F_STR, 0, 30, NULL, "contact person"},
    {0},
};
static const field_spec staff_body[] = {
    {"name", F_STR, 1, 30, NULL, "name"},
    {"position", F_STR, 0, 40, NULL, "position, e.g. 社区党委书记"},
    {"certificate_level", F_ENUM, 0, 0, cert_levels, "social-worker certificate level, if certified"},
    {"certificate_no", F_STR, 0, 40, NULL, "certificate number"},
    {0},
};

static const column_spec compound_columns[] = {
    {"id", "编号", "ID"}, {"name", "小区", "Compound"}, {"kind", "类型", "Kind"}, {"address", "地址", "Address"},
    {"buildings", "楼栋数", "Buildings"}, {"residents", "登记居民", "Residents"}, {0},
};
static const column_spec building_columns[] = {
    {"id", "编号", "ID"}, {"compound_id", "小区编号", "Compound ID"}, {"name", "楼栋", "Building"}, {"floors", "层数", "Floors"}, {0},
};
static const column_spec venue_columns[] = {
    {"id", "编号", "ID"}, {"name", "场所", "Venue"}, {"kind", "类型", "Kind"}, {"compound_name", "所在小区", "Compound"},
    {"address", "地址", "Address"}, {0},
};
static const column_spec org_columns[] = {
    {"id", "编号", "ID"}, {"name", "组织", "Organisation"}, {"kind", "类型", "Kind"},
    {"compound_name", "所在小区", "Compound"}, {"contact_name", "联系人", "Contact"}, {0},
};
static const column_spec staff_columns[] = {
    {"id", "编号", "ID"}, {"name", "姓名", "Name"}, {"position", "职务", "Position"},
    {"certificate_level", "社工证等级", "Certificate level"}, {"certificate_no", "证书编号", "Certificate no."}, {0},
};
static const char *const q_only[] = {"q", NULL};

#define C "/api/v1/communities/{community_id}"
static const route registry_routes[] = {
    {"GET", C "/compounds", compounds_list, "registry.read", R_LIST, NULL, compound_columns, "registry", "Compounds (小区)", 0, q_only},
    {"POST", C "/compounds", compounds_create, "registry.write", R_IDEMPOTENT, compound_body, NULL, "registry", "Add a compound", 0, NULL},
    {"GET", C "/compounds/{compound_id}/buildings", buildings_list, "registry.read", R_LIST, NULL, building_columns, "registry", "Buildings of a compound", 0, NULL},
    {"POST", C "/compounds/{compound_id}/buildings", buildings_create, "registry.write", R_IDEMPOTENT, building_body, NULL, "registry", "Add a building", 0, NULL},
    {"GET", C "/venues", venues_list, "registry.read", R_LIST, NULL, venue_columns, "registry", "Venues (plazas, market, rooms)", 0, q_only},
    {"POST", C "/venues", venues_create, "registry.write", R_IDEMPOTENT, venue_body, NULL, "registry", "Add a venue", 0, NULL},
    {"GET", C "/organisations", orgs_list, "registry.read", R_LIST, NULL, org_columns, "registry", "Organisations", 0, q_only},
    {"POST", C "/organisations", orgs_create, "registry.write", R_IDEMPOTENT, org_body, NULL, "registry", "Add an organisation", 0, NULL},
    {"GET", C "/staff", staff_list, "registry.read", R_LIST, NULL, staff_columns, "registry", "Staff and the certificate rate (持证率)", 0, q_only},
    {"POST", C "/staff", staff_create, "registry.write", R_IDEMPOTENT, staff_body, NULL, "registry", "Add a staff member", 0, NULL},
    {"GET", C "/people", people_list, "people.read", R_LIST, NULL, people_columns, "people", "People, masked; q matches names (a whole phone or ID number: 403, or use POST …/people/unmask)", 0, people_query},
    {"POST", C "/people", people_create, "people.write", R_IDEMPOTENT, people_body, NULL, "people", "Add a person", 0, NULL},
    {"POST", C "/people/unmask", people_unmask, "people.unmask", R_VIEW, people_unmask_body, people_columns, "people", "People unmasked, or found by a whole phone or ID number (audited; searches throttled)", 0, NULL},
    {"GET", C "/people/{person_id}", people_get, "people.read", 0, NULL, NULL, "people", "One person, masked", 0, NULL},
    {"POST", C "/people/{person_id}/unmask", people_unmask_one, "people.unmask", R_VIEW, NULL, NULL, "people", "One person unmasked (audited)", 0, NULL},
    {"PATCH", C "/people/{person_id}", people_update, "people.write", 0, people_body, NULL, "people", "Change a person (the fields given)", 0, NULL},
    {"POST", C "/people/import", people_import, "people.write", R_CSV_BODY | R_IDEMPOTENT, NULL, NULL, "people", "Import people from CSV, with a row-by-row report", 8u << 20, NULL},
};
#undef C

const module registry_module = {"registry", registry_routes, sizeof registry_routes / sizeof registry_routes[0], registry_stats};
