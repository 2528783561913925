/* People of a community: the least personal data the work needs. Phone and ID numbers and the
 * needy flag are stored only sealed (secretbox) with keyed look-up hashes; they leave the server
 * masked — 138****1234 to roles that may unmask, more (core/mask.h) to the others — unless the
 * caller's role may unmask and asks by POST (…/people/unmask, …/people/{id}/unmask: never a GET,
 * which another site can make a browser send), and every unmasking writes an audit row naming
 * whose data was shown. Only those POSTs search by a whole phone or ID number (throttled, audited
 * as a search); every GET matches names only. The CSV import keeps the good rows,
 * reports each bad one with its line and reason, and rolls back any row it could not finish; its
 * reading and checking (people_csv_read, people_csv_check) need no request or database, so they are
 * fuzzed on their own (fuzz/fuzz_csv.c). A file that is not UTF-8 is refused whole. */
#include "core/audit.h"
#include "core/idnum.h"
#include "core/mask.h"
#include "core/phone.h"
#include "core/validate.h"
#include "auth/ratelimit.h"
#include "auth/roles.h"
#include "modules/registry/people.h"
#include "core/fault.h"
#include "modules/registry/registry.h"
#include "server/reply.h"
#include <assert.h>
#include <csv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char *const tag_names[] = {"elder", "child", "party_member", "building_leader", NULL};
static const char *const tag_zh[] = {"长者", "儿童", "党员", "楼长", NULL};
static const char *const genders[] = {"M", "F", NULL};
static const char *const list_formats[] = {"json", "csv", "xlsx", NULL};

const field_spec people_body[] = {
    {"name", F_STR, 1, 30, NULL, "name"},
    {"phone", F_PHONE, 0, 0, NULL, "mainland mobile number; stored encrypted"},
    {"id_number", F_IDNUM, 0, 0, NULL, "resident ID number (GB 11643); stored encrypted"},
    {"gender", F_ENUM, 0, 0, genders, "M or F; taken from the ID number when it is given"},
    {"compound_id", F_ID, 0, 0, NULL, "the compound (小区) the person lives in"},
    {"building_name", F_STR, 0, 30, NULL, "building in that compound, e.g. 3栋 (created if new)"},
    {"room", F_STR, 0, 20, NULL, "room, e.g. 2-1503"},
    {"tags", F_TAGS, 0, 0, tag_names, "elder, child, party_member, building_leader"},
    {"needy", F_BOOL, 0, 0, NULL, "needy household (困难群众); sensitive, stored encrypted"},
    {0},
};
const column_spec people_columns[] = {
    {"id", "编号", "ID"}, {"name", "姓名", "Name"}, {"gender", "性别", "Gender"}, {"birth_year", "出生年份", "Birth year"},
    {"phone", "手机号", "Phone"}, {"id_number", "身份证号", "ID number"}, {"compound_name", "小区", "Compound"},
    {"building_name", "楼栋", "Building"}, {"room", "房号", "Room"}, {"tags", "标签", "Tags"}, {0},
};
const char *const people_query[] = {"q", "compound_id", "tag", NULL};
/* POST …/people/unmask: the list's arguments in the body, so that a number searched for is in no
 * URL (and no access log). */
const field_spec people_unmask_body[] = {
    {"q", F_STR, 0, 100, NULL, "a name (or part of one), or a whole phone or ID number"},
    {"compound_id", F_ID, 0, 0, NULL, "only this compound"},
    {"tag", F_ENUM, 0, 0, tag_names, "only people with this tag"},
    {"limit", F_INT, 0, 1000000, NULL, "page size (default 50, at most 500)"},
    {"offset", F_INT, 0, 0, NULL, "rows to skip"},
    {"format", F_ENUM, 0, 0, list_formats, "json (default), or csv or xlsx for a download of the whole list"},
    {0},
};

unsigned people_tag_bit(const char *name)
{
    for (int i = 0; tag_names[i]; i++)
        if (strcmp(name, tag_names[i]) == 0 || strcmp(name, tag_zh[i]) == 0)
            return 1u << i;
    return 0;
}

static const char *tags_text(arena *a, unsigned tags)
{
    char buf[128] = "";
    for (int i = 0; tag_names[i]; i++)
        if (tags & (1u << i)) {
            if (buf[0])
                strcat(buf, ",");
            strcat(buf, tag_names[i]);
        }
    return arena_strdup(a, buf);
}

static const char sql_building_find[] =
    "SELECT id FROM buildings WHERE community_id = $1 AND compound_id = $2 AND name = $3";
static const char sql_compound_residents[] =
    "UPDATE compounds SET residents = residents + 1 WHERE community_id = $1 AND id = $2";
static const char sql_compound_exists[] = "SELECT 1 FROM compounds WHERE community_id = $1 AND id = $2";
static const char sql_compound_residents_less[] =
    "UPDATE compounds SET residents = residents - 1 WHERE community_id = $1 AND id = $2";
static const char sql_person_insert[] =
    "INSERT INTO people (community_id, id, name, gender, birth_year, compound_id, building_id, room, tags, "
    "phone_enc, phone_idx, id_enc, id_idx, needy_enc, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";

store_rc person_insert(store *s, arena *a, const struct crypto_keys *k, int64_t community_id,
                       const struct person_in *in, int64_t *id)
{
    const char *cid = arena_i64(a, community_id);
    const char *building = NULL;
    store_rc rc = STORE_OK;
    if (in->compound_id && in->building_name && *in->building_name) {
        int64_t bid = 0;
        int found = 0;
        const char *p[4] = {cid, arena_i64(a, in->compound_id), in->building_name};
        rc = store_query_i64(s, a, sql_building_find, 3, p, &bid, &found);
        if (rc == STORE_OK && !found)
            rc = registry_building_add(s, a, community_id, in->compound_id, in->building_name, 0, &bid);
        building = arena_i64(a, bid);
    }
    if (rc == STORE_OK)
        rc = store_next_id(s, a, id);
    if (rc != STORE_OK)
        return rc;
    char phone[12] = "", idn[19] = "";
    if (in->phone && *in->phone)
        phone_normalize(in->phone, phone);
    if (in->id_number && *in->id_number)
        idnum_normalize(in->id_number, idn);
    const char *gender = in->gender && *in->gender ? in->gender : NULL;
    int birth_year = in->birth_year;
    if (idn[0]) {
        gender = (idn[16] - '0') % 2 ? "M" : "F";
        birth_year = (idn[6] - '0') * 1000 + (idn[7] - '0') * 100 + (idn[8] - '0') * 10 + (idn[9] - '0');
    }
    const char *p[15] = {
        cid,
        arena_i64(a, *id),
        in->name,
        gender,
        birth_year ? arena_i64(a, birth_year) : NULL,
        in->compound_id ? arena_i64(a, in->compound_id) : NULL,
        building,
        in->room ? in->room : "",
        tags_text(a, in->tags),
        phone[0] ? crypto_seal(a, k, phone) : NULL,
        phone[0] ? crypto_lookup_hash(a, k, phone) : NULL,
        idn[0] ? crypto_seal(a, k, idn) : NULL,
        idn[0] ? crypto_lookup_hash(a, k, idn) : NULL,
        in->needy >= 0 ? crypto_seal(a, k, in->needy ? "1" : "0") : NULL,
        arena_i64(a, (int64_t)time(NULL)),
    };
    rc = store_exec(s, a, sql_person_insert, 15, p, NULL);
    if (rc == STORE_OK && in->compound_id) {
        const char *q[2] = {cid, p[5]};
        rc = store_exec(s, a, sql_compound_residents, 2, q, NULL);
    }
    return rc;
}

#define PERSON_SELECT                                                                                       \
    "SELECT p.id, p.name, p.gender, p.birth_year, p.phone_enc, p.id_enc, p.compound_id, c.name, b.name, "   \
    "p.room, p.tags, p.needy_enc FROM people p "                                                            \
    "LEFT JOIN compounds c ON c.community_id = p.community_id AND c.id = p.compound_id "                  \
    "LEFT JOIN buildings b ON b.community_id = p.community_id AND b.id = p.building_id "
#define PERSON_FILTER                                                                                        \
    "WHERE p.community_id = $1 AND (CAST($2 AS TEXT) IS NULL OR p.name ILIKE CAST($2 AS TEXT) ESCAPE '\\' "   \
    "OR p.phone_idx = CAST($3 AS TEXT) OR p.id_idx = CAST($3 AS TEXT)) "                                     \
    "AND (CAST($4 AS BIGINT) IS NULL OR p.compound_id = CAST($4 AS BIGINT)) "                                \
    "AND (CAST($5 AS TEXT) IS NULL OR (',' || p.tags || ',') LIKE CAST($5 AS TEXT)) "
static const char sql_people[] = PERSON_SELECT PERSON_FILTER "ORDER BY p.id LIMIT $6 OFFSET $7";
static const char sql_people_count[] = "SELECT count(*) FROM people p " PERSON_FILTER;
static const char sql_person_one[] = PERSON_SELECT "WHERE p.community_id = $1 AND p.id = $2";

/* How much of a person's numbers an answer shows. */
enum shown {
    SHOWN_STRICT, /* to roles without people.unmask: the strict masks of core/mask.h */
    SHOWN_MASKED, /* to roles that may unmask, and in the audit log: the usual masks */
    SHOWN_FULL,   /* unmasked, by the POSTs below (audited): the numbers and the needy flag */
};

static enum shown shown_masked(req *r)
{
    return perm_allows("people.unmask", r->roles) ? SHOWN_MASKED : SHOWN_STRICT;
}

/* Row i of a PERSON_SELECT as JSON, shown as asked. */
static json_t *person_json(req *r, const store_rows *rows, int i, enum shown shown)
{
    const char *phone = crypto_open(r->a, &r->app->keys, store_cell(rows, i, 4));
    const char *idn = crypto_open(r->a, &r->app->keys, store_cell(rows, i, 5));
    const char *needy = crypto_open(r->a, &r->app->keys, store_cell(rows, i, 11));
    char mp[32], mi[32];
    if (phone && shown != SHOWN_FULL) {
        (shown == SHOWN_STRICT ? mask_phone_strict : mask_phone)(phone, mp, sizeof mp);
        phone = mp;
    }
    if (idn && shown != SHOWN_FULL) {
        (shown == SHOWN_STRICT ? mask_idnum_strict : mask_idnum)(idn, mi, sizeof mi);
        idn = mi;
    }
    json_t *tags = json_array();
    const char *t = store_cell(rows, i, 10);
    while (t && *t) {
        const char *e = strchr(t, ',');
        size_t n = e ? (size_t)(e - t) : strlen(t);
        json_array_append_new(tags, json_stringn(t, n));
        t = e ? e + 1 : t + n;
    }
    json_t *o = json_pack("{s:I, s:s, s:s?, s:o, s:s?, s:s?, s:o, s:s?, s:s?, s:s, s:o, s:o}",
                          "id", (json_int_t)store_cell_i64(rows, i, 0), "name", store_cell(rows, i, 1),
                          "gender", store_cell(rows, i, 2),
                          "birth_year", store_cell(rows, i, 3) ? json_integer(store_cell_i64(rows, i, 3)) : json_null(),
                          "phone", phone, "id_number", idn,
                          "compound_id", store_cell(rows, i, 6) ? json_integer(store_cell_i64(rows, i, 6)) : json_null(),
                          "compound_name", store_cell(rows, i, 7), "building_name", store_cell(rows, i, 8),
                          "room", store_cell(rows, i, 9), "tags", tags,
                          "needy", shown == SHOWN_FULL && needy ? json_boolean(strcmp(needy, "1") == 0) : json_null());
    return o;
}

/* A GET never unmasks (a page of another site can make a browser send one, cookie and all):
 * ?unmask=1 answers 403 to a role that may not unmask and 400 use_post to one that may (POST
 * …/unmask, which must carry the CSRF token). -1 after replying, else 0. */
static int refuse_get_unmask(req *r)
{
    const char *u = req_query(r, "unmask");
    if (!u || strcmp(u, "0") == 0)
        return 0;
    if (!perm_allows("people.unmask", r->roles))
        reply_error(r, 403, "unmask_forbidden", NULL);
    else
        reply_error(r, 400, "use_post", NULL);
    return -1;
}

/* "phone" or "id_number" when q is a whole phone or ID number (as people type them: +86, spaces,
 * a small x), with its look-up hash in *lookup; otherwise NULL, and q can only match names. */
static const char *exact_number(req *r, const char *q, const char **lookup)
{
    char norm[19];
    if (!q)
        return NULL;
    if (phone_normalize(q, norm) == 0) {
        *lookup = crypto_lookup_hash(r->a, &r->app->keys, norm);
        return "phone";
    }
    idnum_normalize(q, norm);
    if (norm[0]) {
        *lookup = crypto_lookup_hash(r->a, &r->app->keys, norm);
        return "id_number";
    }
    return NULL;
}

/* The audit row of an unmasking: whose data was shown and which fields; for a search by a number,
 * action "search", what it was (by) and its look-up hash, never the number. ids is stolen. */
static int audit_shown(req *r, json_t *ids, const char *by, const char *lookup)
{
    json_t *what = json_pack("{s:o, s:[s,s,s]}", "people", ids, "fields", "phone", "id_number", "needy");
    if (what && by) {
        json_object_set_new(what, "by", json_string(by));
        json_object_set_new(what, "lookup", json_string(lookup));
    }
    if (!what || json_alloc_failed) { /* an audit row that does not say whose data: none, and no answer */
        json_decref(what);
        return reply_fail(r, 500, "internal", NULL);
    }
    int rc = q_audit(r, by ? "search" : "unmask", "person", 0, NULL, what);
    json_decref(what);
    return rc;
}

/* Replies the page of people la asks for, in compound_id (0: any) with tag (NULL: any). lookup (a
 * look-up hash, with by naming the number) also finds the person with that number; names match q
 * always. An unmasked page is read and audited in one transaction. */
static void people_reply(req *r, const struct list_args *la, int64_t compound_id, const char *tag, const char *by,
                         const char *lookup, enum shown shown)
{
    unsigned bit = tag ? people_tag_bit(tag) : 0;
    const char *p[7] = {arena_i64(r->a, r->community_id), la->like, lookup, compound_id ? arena_i64(r->a, compound_id) : NULL,
                        bit ? arena_printf(r->a, "%%,%s,%%", tag_names[__builtin_ctz(bit)]) : NULL,
                        arena_i64(r->a, la->limit), arena_i64(r->a, la->offset)};
    if (shown == SHOWN_FULL && db_begin(r) != 0)
        return;
    store_rows *rows = NULL;
    int64_t total = 0;
    int found;
    if (q_exec(r, sql_people, 7, p, &rows) != 0 || q_i64(r, sql_people_count, 5, p, &total, &found) != 0)
        return;
    json_t *items = json_array(), *ids = json_array();
    for (int i = 0; i < rows->nrows; i++) {
        json_array_append_new(items, person_json(r, rows, i, shown));
        json_array_append_new(ids, json_integer(store_cell_i64(rows, i, 0)));
    }
    if (shown != SHOWN_FULL)
        json_decref(ids);
    else if (audit_shown(r, ids, by, lookup) != 0 || db_commit(r) != 0) {
        json_decref(items);
        return;
    }
    reply_list(r, la, items, total, NULL);
}

/* GET …/people: masked, searched by name only. A whole phone or ID number in q is refused (403 to
 * roles without people.unmask, who may never search by one; 400 use_post to the others): such a
 * search is an unmasking, audited and throttled, so it is a POST. */
void people_list(req *r)
{
    struct list_args la;
    if (list_args_parse(r, &la) != 0 || refuse_get_unmask(r) != 0)
        return;
    const char *lookup = NULL;
    if (exact_number(r, la.q, &lookup)) {
        if (!perm_allows("people.unmask", r->roles))
            reply_error(r, 403, "search_forbidden", NULL);
        else
            reply_error(r, 400, "use_post", NULL);
        return;
    }
    const char *compound = req_query(r, "compound_id");
    const char *tag = req_query(r, "tag");
    json_t *fields = NULL;
    int64_t compound_id = 0;
    if (compound && validate_int(compound, 1, INT64_MAX, &compound_id) != 0)
        field_error(r, &fields, "compound_id", "not_a_number");
    if (tag && *tag && !people_tag_bit(tag))
        field_error(r, &fields, "tag", "invalid_choice");
    if (fields) {
        reply_error(r, 422, "validation_failed", fields);
        return;
    }
    people_reply(r, &la, compound_id, tag && *tag ? tag : NULL, NULL, NULL, shown_masked(r));
}

/* POST …/people/unmask: the same list unmasked (JSON, or ?format in the body for CSV/XLSX), and a
 * whole phone or ID number in q finds its person. Each search by a number counts against the
 * caller's throttle ("search:<account>": 20 in 15 minutes, then 1, 2, 4… s apart, none after 60)
 * and is audited as action "search". */
void people_unmask(req *r)
{
    struct list_args la;
    if (list_args_body(r, &la) != 0)
        return;
    const char *lookup = NULL, *by = exact_number(r, la.q, &lookup);
    if (by) {
        const char *key = arena_printf(r->a, "search:%lld", (long long)r->account_id);
        time_t now = time(NULL);
        int retry = 0;
        if (ratelimit_check(key, 20, 60, now, &retry)) {
            reply_error(r, 429, "rate_limited", NULL);
            reply_header(r, "Retry-After", arena_printf(r->a, "%d", retry));
            return;
        }
        ratelimit_fail(key, now);
    }
    people_reply(r, &la, json_integer_value(json_object_get(r->in, "compound_id")),
                 json_string_value(json_object_get(r->in, "tag")), by, lookup, SHOWN_FULL);
}

void people_get(req *r)
{
    if (refuse_get_unmask(r) != 0)
        return;
    const char *p[2] = {arena_i64(r->a, r->community_id), arena_i64(r->a, req_param_i64(r, 1))};
    store_rows *rows = NULL;
    if (q_exec(r, sql_person_one, 2, p, &rows) != 0)
        return;
    if (rows->nrows == 0) {
        reply_error(r, 404, "not_found", NULL);
        return;
    }
    reply_json(r, 200, person_json(r, rows, 0, shown_masked(r)));
}

/* POST …/people/{person_id}/unmask: one person unmasked, audited. */
void people_unmask_one(req *r)
{
    const char *p[2] = {arena_i64(r->a, r->community_id), arena_i64(r->a, req_param_i64(r, 1))};
    store_rows *rows = NULL;
    if (db_begin(r) != 0 || q_exec(r, sql_person_one, 2, p, &rows) != 0)
        return;
    if (rows->nrows == 0) {
        reply_fail(r, 404, "not_found", NULL);
        return;
    }
    json_t *item = person_json(r, rows, 0, SHOWN_FULL);
    if (audit_shown(r, json_pack("[I]", (json_int_t)store_cell_i64(rows, 0, 0)), NULL, NULL) != 0 || db_commit(r) != 0) {
        json_decref(item);
        return;
    }
    reply_json(r, 200, item);
}

void people_create(req *r)
{
    struct person_in in = {0};
    in.name = json_string_value(json_object_get(r->in, "name"));
    in.phone = json_string_value(json_object_get(r->in, "phone"));
    in.id_number = json_string_value(json_object_get(r->in, "id_number"));
    in.gender = json_string_value(json_object_get(r->in, "gender"));
    in.compound_id = json_integer_value(json_object_get(r->in, "compound_id"));
    in.building_name = json_string_value(json_object_get(r->in, "building_name"));
    in.room = json_string_value(json_object_get(r->in, "room"));
    json_t *needy = json_object_get(r->in, "needy");
    in.needy = json_is_boolean(needy) ? json_is_true(needy) : -1;
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(r->in, "tags"), i, t) in.tags |= people_tag_bit(json_string_value(t));
    json_t *fields = NULL;
    if (in.building_name && *in.building_name && !in.compound_id)
        field_error(r, &fields, "compound_id", "required");
    if (fields) {
        reply_error(r, 422, "validation_failed", fields);
        return;
    }
    if (db_begin(r) != 0)
        return;
    int64_t one, id = 0;
    int found = 1;
    store_rc rc = STORE_OK;
    if (in.compound_id) {
        const char *p[2] = {arena_i64(r->a, r->community_id), arena_i64(r->a, in.compound_id)};
        rc = store_query_i64(r->db, r->a, sql_compound_exists, 2, p, &one, &found);
    }
    if (rc == STORE_OK && !found) {
        store_rollback(r->db);
        field_error(r, &fields, "compound_id", "unknown_compound");
        reply_error(r, 422, "validation_failed", fields);
        return;
    }
    if (rc == STORE_OK)
        rc = person_insert(r->db, r->a, &r->app->keys, r->community_id, &in, &id);
    if (rc == STORE_CONSTRAINT) {
        store_rollback(r->db);
        field_error(r, &fields, "id_number", "duplicate_id_number");
        reply_error(r, 409, "conflict", fields);
        return;
    }
    store_rows *rows = NULL;
    const char *p[2] = {arena_i64(r->a, r->community_id), arena_i64(r->a, id)};
    if (rc == STORE_OK)
        rc = store_exec(r->db, r->a, sql_person_one, 2, p, &rows);
    json_t *item = rc == STORE_OK && rows->nrows ? person_json(r, rows, 0, SHOWN_MASKED) : NULL;
    if (rc == STORE_OK)
        rc = audit_append(r->db, r->a, r->community_id, r->account_id, r->login, "create", "person", p[1], NULL, item);
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

static const char sql_person_raw[] =
    "SELECT name, gender, compound_id, building_id, room, tags, phone_enc, phone_idx, id_enc, id_idx, needy_enc, "
    "birth_year FROM people WHERE community_id = $1 AND id = $2";
static const char sql_person_update[] =
    "UPDATE people SET name = $3, gender = $4, compound_id = $5, building_id = $6, room = $7, tags = $8, "
    "phone_enc = $9, phone_idx = $10, id_enc = $11, id_idx = $12, needy_enc = $13, birth_year = $14 "
    "WHERE community_id = $1 AND id = $2";

/* PATCH: changes the fields the body names; the audit row holds the person before and after,
 * masked. Moving to another compound moves the resident count with them. */
void people_update(req *r)
{
    const char *cid = arena_i64(r->a, r->community_id), *pid = arena_i64(r->a, req_param_i64(r, 1));
    const char *key[2] = {cid, pid};
    json_t *fields = NULL;
    json_t *in = r->in;
    if (db_begin(r) != 0)
        return;
    store_rows *old = NULL, *before = NULL;
    store_rc rc = store_exec(r->db, r->a, sql_person_raw, 2, key, &old);
    if (rc == STORE_OK)
        rc = store_exec(r->db, r->a, sql_person_one, 2, key, &before);
    if (rc != STORE_OK) {
        db_fail(r, rc);
        return;
    }
    if (old->nrows == 0) {
        store_rollback(r->db);
        reply_error(r, 404, "not_found", NULL);
        return;
    }
    const char *v[14];
    v[0] = cid;
    v[1] = pid;
    for (int j = 0; j < 12; j++)
        v[j + 2] = store_cell(old, 0, j);
    const char *old_compound = v[4];
    json_t *x;
    if ((x = json_object_get(in, "name")) && json_is_string(x))
        v[2] = json_string_value(x);
    if ((x = json_object_get(in, "gender")))
        v[3] = json_string_value(x);
    if ((x = json_object_get(in, "compound_id"))) {
        v[4] = json_is_integer(x) ? arena_i64(r->a, json_integer_value(x)) : NULL;
        if (!v[4] || !old_compound || strcmp(v[4], old_compound) != 0)
            v[5] = NULL; /* the old building belongs to the old compound */
        if (v[4]) {
            int64_t one;
            int found = 0;
            const char *q[2] = {cid, v[4]};
            rc = store_query_i64(r->db, r->a, sql_compound_exists, 2, q, &one, &found);
            if (rc == STORE_OK && !found)
                field_error(r, &fields, "compound_id", "unknown_compound");
        }
    }
    if ((x = json_object_get(in, "building_name"))) {
        const char *b = json_string_value(x);
        if (b && *b && !v[4])
            field_error(r, &fields, "compound_id", "required");
        else if (b && *b && rc == STORE_OK && !fields) {
            int64_t bid = 0;
            int found = 0;
            const char *q[3] = {cid, v[4], b};
            rc = store_query_i64(r->db, r->a, sql_building_find, 3, q, &bid, &found);
            if (rc == STORE_OK && !found)
                rc = registry_building_add(r->db, r->a, r->community_id, strtoll(v[4], NULL, 10), b, 0, &bid);
            v[5] = arena_i64(r->a, bid);
        } else
            v[5] = NULL;
    }
    if ((x = json_object_get(in, "room")))
        v[6] = json_is_string(x) ? json_string_value(x) : "";
    if ((x = json_object_get(in, "tags"))) {
        unsigned tags = 0;
        size_t i;
        json_t *t;
        json_array_foreach(x, i, t) tags |= people_tag_bit(json_string_value(t));
        v[7] = tags_text(r->a, tags);
    }
    char norm[19];
    if ((x = json_object_get(in, "phone"))) {
        int has = json_is_string(x) && json_string_length(x) && phone_normalize(json_string_value(x), norm) == 0;
        v[8] = has ? crypto_seal(r->a, &r->app->keys, norm) : NULL;
        v[9] = has ? crypto_lookup_hash(r->a, &r->app->keys, norm) : NULL;
    }
    if ((x = json_object_get(in, "id_number"))) {
        int has = json_is_string(x) && json_string_length(x);
        if (has) {
            idnum_normalize(json_string_value(x), norm);
            v[3] = (norm[16] - '0') % 2 ? "M" : "F";
            v[13] = arena_strndup(r->a, norm + 6, 4);
        }
        v[10] = has ? crypto_seal(r->a, &r->app->keys, norm) : NULL;
        v[11] = has ? crypto_lookup_hash(r->a, &r->app->keys, norm) : NULL;
    }
    if ((x = json_object_get(in, "needy")))
        v[12] = json_is_boolean(x) ? crypto_seal(r->a, &r->app->keys, json_is_true(x) ? "1" : "0") : NULL;
    if (rc != STORE_OK || fields) {
        if (rc != STORE_OK) {
            json_decref(fields);
            db_fail(r, rc);
        } else {
            store_rollback(r->db);
            reply_error(r, 422, "validation_failed", fields);
        }
        return;
    }
    rc = store_exec(r->db, r->a, sql_person_update, 14, v, NULL);
    if (rc == STORE_CONSTRAINT) {
        store_rollback(r->db);
        field_error(r, &fields, "id_number", "duplicate_id_number");
        reply_error(r, 409, "conflict", fields);
        return;
    }
    int moved = (old_compound == NULL) != (v[4] == NULL) || (old_compound && v[4] && strcmp(old_compound, v[4]) != 0);
    if (rc == STORE_OK && moved && old_compound) {
        const char *q[2] = {cid, old_compound};
        rc = store_exec(r->db, r->a, sql_compound_residents_less, 2, q, NULL);
    }
    if (rc == STORE_OK && moved && v[4]) {
        const char *q[2] = {cid, v[4]};
        rc = store_exec(r->db, r->a, sql_compound_residents, 2, q, NULL);
    }
    store_rows *after = NULL;
    if (rc == STORE_OK)
        rc = store_exec(r->db, r->a, sql_person_one, 2, key, &after);
    json_t *b = person_json(r, before, 0, SHOWN_MASKED), *item = rc == STORE_OK ? person_json(r, after, 0, SHOWN_MASKED) : NULL;
    if (rc == STORE_OK)
        rc = audit_append(r->db, r->a, r->community_id, r->account_id, r->login, "update", "person", pid, b, item);
    json_decref(b);
    if (rc != STORE_OK) {
        json_decref(item);
        db_fail(r, rc);
        return;
    }
    if (db_commit(r) != 0) {
        json_decref(item);
        return;
    }
    reply_json(r, 200, item);
}

/* ---- CSV import ---- */

struct csv_state {
    json_t *rows; /* array of arrays of strings */
    json_t *cur;
    int not_utf8; /* a cell was not valid UTF-8 */
};

static void csv_field(void *s, size_t len, void *data)
{
    struct csv_state *st = data;
    if (!st->cur)
        st->cur = json_array();
    /* json_stringn refuses what is not UTF-8: the names go into the database and out as JSON. */
    json_t *cell = json_stringn(s ? s : "", s ? len : 0);
    if (!cell) {
        st->not_utf8 = 1;
        cell = json_string("");
    }
    json_array_append_new(st->cur, cell);
}

static void csv_row(int c, void *data)
{
    (void)c;
    struct csv_state *st = data;
    json_array_append_new(st->rows, st->cur ? st->cur : json_array());
    st->cur = NULL;
}

static const char *const col_names[PEOPLE_COL_N][6] = {
    {"姓名", "name", "名字", NULL},
    {"手机号", "phone", "手机", "电话", "联系电话", NULL},
    {"身份证号", "id_number", "身份证", "身份证号码", NULL},
    {"小区", "compound", "所在小区", NULL},
    {"楼栋", "building", "楼号", NULL},
    {"房号", "room", "门牌", "门牌号", NULL},
    {"标签", "tags", NULL},
    {"性别", "gender", NULL},
};
static const char *const col_field[PEOPLE_COL_N] = {"name", "phone", "id_number", "compound", "building_name", "room", "tags", "gender"};

/* A copy of s without the spaces and tabs around it; NULL when out of memory. */
static const char *trim(arena *a, const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return arena_strndup(a, s, n);
}

/* A copy of s with the separators people type between tags (；，、 and ,) turned into ';', so
 * that the split below works byte by byte without cutting a Chinese character. */
static char *ascii_separators(arena *a, const char *s)
{
    static const char *const wide[] = {"；", "，", "、", NULL};
    char *out = arena_alloc(a, strlen(s) + 1), *o = out;
    if (!out)
        return NULL;
    while (*s) {
        int hit = 0;
        for (int i = 0; wide[i] && !hit; i++)
            if (strncmp(s, wide[i], strlen(wide[i])) == 0) {
                *o++ = ';';
                s += strlen(wide[i]);
                hit = 1;
            }
        if (!hit) {
            *o++ = *s == ',' ? ';' : *s;
            s++;
        }
    }
    *o = 0;
    return out;
}

enum people_csv_status people_csv_read(arena *a, const char *data, size_t len, struct people_csv_row **rows,
                                       size_t *nrows)
{
    *rows = NULL;
    *nrows = 0;
    struct csv_parser parser;
    struct csv_state st = {json_array(), NULL, 0};
    if (!st.rows)
        return PEOPLE_CSV_NOMEM;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) { /* Excel's UTF-8 mark */
        data += 3;
        len -= 3;
    }
    int bad = csv_init(&parser, CSV_APPEND_NULL) != 0;
    if (!bad)
        bad = csv_parse(&parser, data, len, csv_field, csv_row, &st) != len ||
              csv_fini(&parser, csv_field, csv_row, &st) != 0;
    csv_free(&parser);
    json_decref(st.cur);
    enum people_csv_status status = json_alloc_failed ? PEOPLE_CSV_NOMEM
                                    : bad                 ? PEOPLE_CSV_MALFORMED
                                    : st.not_utf8         ? PEOPLE_CSV_NOT_UTF8
                                                          : PEOPLE_CSV_OK;
    json_t *header = json_array_get(st.rows, 0);
    if (status == PEOPLE_CSV_OK && !header)
        status = PEOPLE_CSV_EMPTY;
    /* Each known column is the last header cell that names it. */
    int colidx[PEOPLE_COL_N];
    for (int c = 0; c < PEOPLE_COL_N; c++) {
        colidx[c] = -1;
        for (size_t h = 0; status == PEOPLE_CSV_OK && h < json_array_size(header); h++) {
            const char *name = trim(a, json_string_value(json_array_get(header, h)));
            if (!name)
                status = PEOPLE_CSV_NOMEM;
            for (int k = 0; name && col_names[c][k]; k++)
                if (strcasecmp(name, col_names[c][k]) == 0)
                    colidx[c] = (int)h;
        }
    }
    if (status == PEOPLE_CSV_OK && colidx[PEOPLE_COL_NAME] < 0)
        status = PEOPLE_CSV_NO_NAME;
    struct people_csv_row *out = NULL;
    size_t n = 0;
    if (status == PEOPLE_CSV_OK && !(out = arena_alloc(a, json_array_size(st.rows) * sizeof *out)))
        status = PEOPLE_CSV_NOMEM;
    for (size_t line = 1; status == PEOPLE_CSV_OK && line < json_array_size(st.rows); line++) {
        json_t *row = json_array_get(st.rows, line);
        struct people_csv_row *x = &out[n];
        memset(x, 0, sizeof *x);
        x->line = (int64_t)line + 1;
        int blank = 1;
        for (int c = 0; c < PEOPLE_COL_N && status == PEOPLE_CSV_OK; c++) {
            json_t *cell = colidx[c] >= 0 ? json_array_get(row, (size_t)colidx[c]) : NULL;
            x->cell[c] = trim(a, cell ? json_string_value(cell) : "");
            if (!x->cell[c])
                status = PEOPLE_CSV_NOMEM;
            else if (*x->cell[c])
                blank = 0;
        }
        if (!blank)
            n++; /* an empty line (Excel leaves them) is not a row */
    }
    json_decref(st.rows);
    if (status == PEOPLE_CSV_OK) {
        *rows = out;
        *nrows = n;
    }
    return status;
}

/* Notes a bad field; a field's first problem is the one reported. */
static void row_bad(struct people_csv_row *row, const char *field, const char *code)
{
    for (int i = 0; i < row->nbad; i++)
        if (strcmp(row->bad_field[i], field) == 0)
            return;
    assert(row->nbad < PEOPLE_COL_N); /* one slot per column, and each field belongs to one */
    row->bad_field[row->nbad] = field;
    row->bad_code[row->nbad++] = code;
}

int people_csv_check(arena *a, struct people_csv_row *row, const struct people_compound *compounds, int n)
{
    const char *const *v = row->cell;
    struct person_in *in = &row->in;
    memset(in, 0, sizeof *in);
    row->nbad = 0;
    in->needy = -1;
    in->name = v[PEOPLE_COL_NAME];
    if (!*in->name)
        row_bad(row, "name", "required");
    else if (utf8_length(in->name) > 30)
        row_bad(row, "name", "too_long");
    const char *code;
    if (*v[PEOPLE_COL_PHONE] && (code = validate_phone_code(v[PEOPLE_COL_PHONE])))
        row_bad(row, "phone", code);
    in->phone = v[PEOPLE_COL_PHONE];
    if (*v[PEOPLE_COL_ID] && (code = validate_idnum_code(v[PEOPLE_COL_ID])))
        row_bad(row, "id_number", code);
    in->id_number = v[PEOPLE_COL_ID];
    if (*v[PEOPLE_COL_COMPOUND]) {
        for (int i = 0; i < n; i++)
            if (compounds[i].name && strcmp(compounds[i].name, v[PEOPLE_COL_COMPOUND]) == 0)
                in->compound_id = compounds[i].id;
        if (!in->compound_id)
            row_bad(row, "compound", "unknown_compound");
    }
    in->building_name = v[PEOPLE_COL_BUILDING];
    in->room = v[PEOPLE_COL_ROOM];
    if (utf8_length(in->room) > 20)
        row_bad(row, "room", "too_long");
    if (utf8_length(in->building_name) > 30)
        row_bad(row, "building_name", "too_long");
    const char *g = v[PEOPLE_COL_GENDER];
    if (*g) {
        in->gender = strcmp(g, "男") == 0 || strcmp(g, "M") == 0 ? "M" : strcmp(g, "女") == 0 || strcmp(g, "F") == 0 ? "F" : NULL;
        if (!in->gender)
            row_bad(row, "gender", "invalid_choice");
    }
    char *tags = ascii_separators(a, v[PEOPLE_COL_TAGS]), *save = NULL;
    if (!tags)
        return -1;
    for (char *t = strtok_r(tags, "; ", &save); t; t = strtok_r(NULL, "; ", &save)) {
        if (strcmp(t, "困难群众") == 0 || strcmp(t, "needy") == 0)
            in->needy = 1;
        else if (people_tag_bit(t))
            in->tags |= people_tag_bit(t);
        else
            row_bad(row, "tags", "invalid_choice");
    }
    return 0;
}

static const char sql_compounds_all[] = "SELECT id, name FROM compounds WHERE community_id = $1";

/* POST …/people/import: the rows are read and checked by people_csv_read and people_csv_check;
 * here the good ones are inserted, each in its own savepoint, and the bad ones reported. */
void people_import(req *r)
{
    struct people_csv_row *rows = NULL;
    size_t nrows = 0;
    switch (people_csv_read(r->a, r->body ? r->body : "", r->body_len, &rows, &nrows)) {
    case PEOPLE_CSV_OK:
        break;
    case PEOPLE_CSV_MALFORMED:
        reply_error(r, 400, "csv_parse", NULL);
        return;
    case PEOPLE_CSV_NOT_UTF8:
        reply_error(r, 400, "csv_not_utf8", NULL);
        return;
    case PEOPLE_CSV_EMPTY:
        reply_error(r, 422, "import_empty", NULL);
        return;
    case PEOPLE_CSV_NO_NAME:
        reply_error(r, 422, "import_no_name_column", NULL);
        return;
    case PEOPLE_CSV_NOMEM:
        reply_error(r, 500, "internal", NULL);
        return;
    }
    if (db_begin(r) != 0)
        return;
    store_rows *compounds = NULL;
    const char *cp[1] = {arena_i64(r->a, r->community_id)};
    store_rc rc = store_exec(r->db, r->a, sql_compounds_all, 1, cp, &compounds);
    struct people_compound *known = NULL;
    int nknown = 0;
    if (rc == STORE_OK) {
        known = arena_alloc(r->a, ((size_t)compounds->nrows + 1) * sizeof *known);
        if (!known) {
            reply_fail(r, 500, "internal", NULL);
            return;
        }
        for (int i = 0; i < compounds->nrows; i++)
            known[nknown++] = (struct people_compound){store_cell_i64(compounds, i, 0), store_cell(compounds, i, 1)};
    }
    json_t *errors = json_array(), *imported_ids = json_array();
    int64_t total = 0, imported = 0;
    for (size_t i = 0; rc == STORE_OK && i < nrows; i++) {
        struct people_csv_row *row = &rows[i];
        total++;
        if (people_csv_check(r->a, row, known, nknown) != 0) {
            json_decref(errors);
            json_decref(imported_ids);
            reply_fail(r, 500, "internal", NULL);
            return;
        }
        json_t *fields = NULL;
        for (int b = 0; b < row->nbad; b++)
            field_error(r, &fields, row->bad_field[b], row->bad_code[b]);
        if (!fields) {
            int64_t id = 0;
            rc = store_exec_script(r->db, "SAVEPOINT person_row");
            if (rc == STORE_OK)
                rc = person_insert(r->db, r->a, &r->app->keys, r->community_id, &row->in, &id);
            if (rc == STORE_OK)
                rc = store_exec_script(r->db, "RELEASE SAVEPOINT person_row");
            else if (rc == STORE_CONSTRAINT) {
                rc = store_exec_script(r->db, "ROLLBACK TO SAVEPOINT person_row");
                if (rc == STORE_OK)
                    rc = store_exec_script(r->db, "RELEASE SAVEPOINT person_row");
                field_error(r, &fields, "id_number", "duplicate_id_number");
            }
            if (rc == STORE_OK && !fields) {
                imported++;
                json_array_append_new(imported_ids, json_integer(id));
            }
        }
        if (fields) {
            /* The message lists each bad field: "手机号: 手机号应为 11 位". */
            char *msg = NULL;
            size_t mlen = 0;
            FILE *m = open_memstream(&msg, &mlen);
            const char *k;
            json_t *fv;
            int first = 1;
            json_object_foreach(fields, k, fv) {
                const char *label = k;
                for (int c = 0; c < PEOPLE_COL_N; c++)
                    if (strcmp(col_field[c], k) == 0)
                        label = r->lang == LANG_EN ? col_names[c][1] : col_names[c][0];
                fprintf(m, "%s%s: %s", first ? "" : "; ", label, json_string_value(fv));
                first = 0;
            }
            fclose(m);
            json_array_append_new(errors, json_pack("{s:I, s:s, s:o}", "line", (json_int_t)row->line, "message",
                                                    msg ? msg : "", "fields", fields));
            free(msg);
        }
    }
    json_t *summary = json_pack("{s:I, s:I, s:o}", "imported", (json_int_t)imported, "failed",
                                (json_int_t)(total - imported), "people", imported_ids);
    if (rc == STORE_OK && imported)
        rc = audit_append(r->db, r->a, r->community_id, r->account_id, r->login, "import", "person", NULL, NULL, summary);
    json_decref(summary);
    if (rc != STORE_OK) {
        json_decref(errors);
        db_fail(r, rc);
        return;
    }
    if (db_commit(r) != 0) {
        json_decref(errors);
        return;
    }
    reply_json(r, 200, json_pack("{s:I, s:I, s:I, s:o}", "total", (json_int_t)total, "imported", (json_int_t)imported,
                                 "failed", (json_int_t)(total - imported), "errors", errors));
}
