/* The volunteer register (see volunteers.h): applications by residents or by staff for someone
 * who came to the office, approval with a volunteer number or a declining reason, minors with
 * their guardian's consent, teams, trainings with attendance, and the community's settings (star
 * thresholds, the certificate issuer). */
#include "auth/account.h"
#include "auth/roles.h"
#include "core/clock.h"
#include "core/mask.h"
#include "core/idnum.h"
#include "core/phone.h"
#include "modules/volunteers/volunteers.h"
#include "server/reply.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vol_star(int64_t minutes, const char *thresholds)
{
    int star = 0;
    const char *p = thresholds && *thresholds ? thresholds : "100,300,600,1000,1500";
    while (*p) {
        long hours = strtol(p, (char **)&p, 10);
        if (minutes >= (int64_t)hours * 60)
            star++;
        while (*p == ',' || *p == ' ')
            p++;
        if (*p && (*p < '0' || *p > '9'))
            break;
    }
    return star > 5 ? 5 : star;
}

static const char sql_caller[] =
    "SELECT id FROM volunteers WHERE community_id = $1 AND account_id = $2 AND status = 'approved'";

int64_t vol_caller(req *r)
{
    int64_t id = 0;
    int found = 0;
    const char *p[2] = {arena_i64(r->a, r->community_id), arena_i64(r->a, r->account_id)};
    if (q_i64(r, sql_caller, 2, p, &id, &found) != 0)
        return 0;
    if (!found) {
        reply_fail(r, 403, "not_a_volunteer", NULL);
        return 0;
    }
    return id;
}

static const char sql_vol_account[] = "SELECT account_id FROM volunteers WHERE community_id = $1 AND id = $2";

int vol_not_own(req *r, int64_t volunteer)
{
    int64_t account = 0;
    int found = 0;
    const char *p[2] = {arena_i64(r->a, r->community_id), arena_i64(r->a, volunteer)};
    if (q_i64(r, sql_vol_account, 2, p, &account, &found) != 0)
        return -1;
    if (found && r->account_id && account == r->account_id) {
        reply_fail(r, 403, "self_approval", NULL);
        return -1;
    }
    return 0;
}

#define VOL_SELECT                                                                                          \
    "SELECT v.id, v.number, v.name, v.status, v.is_minor, v.guardian_name, "                                \
    "CASE WHEN v.guardian_consent_at IS NULL THEN 0 ELSE 1 END, v.skills, v.availability, v.decline_reason, " \
    "v.birth_year, v.account_id, " VOL_APPROVED_MINUTES("h") ", "                                           \
    "(SELECT star_thresholds FROM vol_settings s WHERE s.community_id = v.community_id) FROM volunteers v "
static const struct colmap vol_map[] = {
    {"id", 'i'}, {"number", 'n'}, {"name", 's'}, {"status", 's'}, {"is_minor", 'b'}, {"guardian_name", 'n'},
    {"guardian_consent", 'b'}, {"skills", 's'}, {"availability", 's'}, {"decline_reason", 'n'},
    {"birth_year", 'i'}, {"account_id", 'i'}, {"-", '-'}, {"-", '-'}, {0},
};
static const char sql_vol_list[] = VOL_SELECT
    "WHERE v.community_id = $1 AND (CAST($2 AS TEXT) IS NULL OR v.name ILIKE CAST($2 AS TEXT) ESCAPE '\\' OR v.number = $5) "
    "AND (CAST($3 AS TEXT) IS NULL OR v.status = CAST($3 AS TEXT)) ORDER BY v.number, v.id LIMIT $4 OFFSET $6";
static const char sql_vol_count[] =
    "SELECT count(*) FROM volunteers v WHERE v.community_id = $1 AND (CAST($2 AS TEXT) IS NULL OR v.name ILIKE "
    "CAST($2 AS TEXT) ESCAPE '\\' OR v.number = $4) AND (CAST($3 AS TEXT) IS NULL OR v.status = CAST($3 AS TEXT))";
static const char sql_vol_one[] = VOL_SELECT "WHERE v.community_id = $1 AND v.id = $2";
static const char sql_vol_teams[] =
    "SELECT t.name FROM vol_team_members m JOIN vol_teams t ON t.community_id = m.community_id AND t.id = m.team_id "
    "WHERE m.community_id = $1 AND m.volunteer_id = $2 ORDER BY t.id";

/* Row i of a VOL_SELECT as JSON, with hours (one decimal) and the star level. */
static json_t *vol_json(req *r, const store_rows *rows, int i, int with_teams)
{
    json_t *o = row_json(rows, i, vol_map);
    int64_t minutes = store_cell_i64(rows, i, 12);
    json_object_set_new(o, "hours", json_real((double)(minutes / 6) / 10.0));
    json_object_set_new(o, "star", json_integer(vol_star(minutes, store_cell(rows, i, 13))));
    /* The hours the next star needs (null at five stars), so a volunteer sees how far it is. */
    const char *th = store_cell(rows, i, 13) && *store_cell(rows, i, 13) ? store_cell(rows, i, 13) : "100,300,600,1000,1500";
    json_t *next = json_null();
    for (int k = 0; *th; k++) {
        long h = strtol(th, (char **)&th, 10);
        if (minutes < (int64_t)h * 60) {
            json_decref(next);
            next = json_integer(h);
            break;
        }
        while (*th == ',' || *th == ' ')
            th++;
        if (*th && (*th < '0' || *th > '9'))
            break;
    }
    json_object_set_new(o, "next_star_hours", next);
    if (with_teams) {
        store_rows *t = NULL;
        const char *p[2] = {arena_i64(r->a, r->community_id), store_cell(rows, i, 0)};
        json_t *teams = json_array();
        if (store_exec(r->db, r->a, sql_vol_teams, 2, p, &t) == STORE_OK)
            for (int k = 0; k < t->nrows; k++)
                json_array_append_new(teams, json_string(store_cell(t, k, 0)));
        json_object_set_new(o, "teams", teams);
    }
    return o;
}

void vol_list(req *r)
{
    struct list_args la;
    if (list_args_parse(r, &la) != 0)
        return;
    const char *status = req_query(r, "status");
    if (status && *status && strcmp(status, "pending") && strcmp(status, "approved") && strcmp(status, "declined")) {
        reply_field(r, "status", "invalid_choice");
        return;
    }
    const char *p[6] = {arena_i64(r->a, r->community_id), la.like, status && *status ? status : NULL,
                        arena_i64(r->a, la.limit), la.q, arena_i64(r->a, la.offset)};
    store_rows *rows = NULL;
    int64_t total = 0;
    int found;
    const char *pc[4] = {p[0], p[1], p[2], la.q};
    if (q_exec(r, sql_vol_list, 6, p, &rows) != 0 || q_i64(r, sql_vol_count, 4, pc, &total, &found) != 0)
        return;
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows; i++)
        json_array_append_new(items, vol_json(r, rows, i, 0));
    reply_list(r, &la, items, total, NULL);
}

static void reply_volunteer(req *r, unsigned status, int64_t id)
{
    store_rows *rows = NULL;
    const char *p[2] = {arena_i64(r->a, r->community_id), arena_i64(r->a, id)};
    if (q_exec(r, sql_vol_one, 2, p, &rows) != 0)
        return;
    if (rows->nrows == 0) {
        reply_fail(r, 404, "not_found", NULL);
        return;
    }
    reply_json(r, status, vol_json(r, rows, 0, 1));
}

void vol_get(req *r)
{
    reply_volunteer(r, 200, req_param_i64(r, 1));
}

static const char sql_vol_by_account[] = "SELECT id FROM volunteers WHERE community_id = $1 AND account_id = $2";

void vol_me(req *r)
{
    int64_t id = 0;
    int found = 0;
    const char *p[2] = {arena_i64(r->a, r->community_id), arena_i64(r->a, r->account_id)};
    if (q_i64(r, sql_vol_by_account, 2, p, &id, &found) != 0)
        return;
    if (!found) {
        reply_fail(r, 404, "not_a_volunteer", NULL);
        return;
    }
    reply_volunteer(r, 200, id);
}

static const char sql_vol_insert[] =
    "INSERT INTO volunteers (community_id, id, account_id, name, phone_enc, birth_year, is_minor, guardian_name, "
    "guardian_consent_at, skills, availability, status, applied_at, id_enc) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $12, $13)";
static const char sql_team_exists[] = "SELECT 1 FROM vol_teams WHERE community_id = $1 AND id = $2";
static const char sql_team_join[] =
    "INSERT INTO vol_team_members (community_id, team_id, volunteer_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";

/* A resident applies for themselves; staff (or a social worker) register someone else, with
 * "for_someone": true. Under 18 (by birth year) is a minor: a guardian must be named. */
void vol_apply(req *r)
{
    /* for_someone needs volunteers.register_others: the router checked it (the field's perm). */
    int for_someone = json_is_true(json_object_get(r->in, "for_someone"));
    int64_t birth_year = json_integer_value(json_object_get(r->in, "birth_year"));
    char today[11];
    int64_t now = clock_now();
    clock_day(now, today);
    int year = atoi(today);
    if (birth_year < 1900 || birth_year > year)
        return (void)reply_field(r, "birth_year", "invalid_birth_year");
    int minor = year - birth_year < 18;
    const char *guardian = json_string_value(json_object_get(r->in, "guardian_name"));
    if (minor && (!guardian || !*guardian))
        return (void)reply_field(r, "guardian_name", "guardian_required");
    int consent = json_is_true(json_object_get(r->in, "guardian_consent"));
    if (db_begin(r) != 0)
        return;
    const char *cid = arena_i64(r->a, r->community_id);
    if (!for_someone) {
        int64_t existing;
        int found = 0;
        const char *q[2] = {cid, arena_i64(r->a, r->account_id)};
        if (q_i64(r, sql_vol_by_account, 2, q, &existing, &found) != 0)
            return;
        if (found) {
            reply_fail(r, 409, "already_applied", NULL);
            return;
        }
    }
    json_t *teams = json_object_get(r->in, "team_ids");
    size_t i;
    json_t *t;
    json_array_foreach(teams, i, t) {
        int64_t one;
        int found = 0;
        const char *q[2] = {cid, arena_i64(r->a, json_integer_value(t))};
        if (!json_is_integer(t) || q_i64(r, sql_team_exists, 2, q, &one, &found) != 0 || !found) {
            if (!r->status)
                reply_field(r, "team_ids", "unknown_team");
            return;
        }
    }
    int64_t id;
    store_rc rc = store_next_id(r->db, r->a, &id);
    if (rc != STORE_OK)
        return db_fail(r, rc);
    char phone[12] = "";
    const char *ph = json_string_value(json_object_get(r->in, "phone"));
    if (ph && *ph)
        phone_normalize(ph, phone);
    char idn[19] = "";
    const char *idraw = json_string_value(json_object_get(r->in, "id_number"));
    if (idraw && *idraw)
        idnum_normalize(idraw, idn);
    const char *p[13] = {cid,
                         arena_i64(r->a, id),
                         for_someone ? NULL : arena_i64(r->a, r->account_id),
                         json_string_value(json_object_get(r->in, "name")),
                         phone[0] ? crypto_seal(r->a, &r->app->keys, phone) : NULL,
                         arena_i64(r->a, birth_year),
                         minor ? "1" : "0",
                         minor ? guardian : NULL,
                         minor && consent ? arena_i64(r->a, now) : NULL,
                         json_string_value(json_object_get(r->in, "skills")),
                         json_string_value(json_object_get(r->in, "availability")),
                         arena_i64(r->a, now), idn[0] ? crypto_seal(r->a, &r->app->keys, idn) : NULL};
    if (!p[9])
        p[9] = "";
    if (!p[10])
        p[10] = "";
    if (q_exec(r, sql_vol_insert, 13, p, NULL) != 0)
        return;
    json_array_foreach(teams, i, t) {
        const char *q[3] = {cid, arena_i64(r->a, json_integer_value(t)), p[1]};
        if (q_exec(r, sql_team_join, 3, q, NULL) != 0)
            return;
    }
    json_t *after = json_pack("{s:s, s:b, s:b}", "name", p[3], "minor", minor, "for_someone", for_someone);
    int bad = q_audit(r, "apply", "volunteer", id, NULL, after);
    json_decref(after);
    if (bad || db_commit(r) != 0)
        return;
    reply_volunteer(r, 201, id);
}

static const char sql_vol_state[] = "SELECT status, account_id FROM volunteers WHERE community_id = $1 AND id = $2";
static const char sql_settings_ensure[] =
    "INSERT INTO vol_settings (community_id) VALUES ($1) ON CONFLICT (community_id) DO NOTHING";
static const char sql_next_number[] =
    "UPDATE vol_settings SET next_number = next_number + 1 WHERE community_id = $1 RETURNING next_number - 1";
static const char sql_approve[] =
    "UPDATE volunteers SET status = 'approved', number = $3, decided_at = $4, decided_by = $5, decline_reason = NULL "
    "WHERE community_id = $1 AND id = $2";
static const char sql_decline[] =
    "UPDATE volunteers SET status = 'declined', decline_reason = $3, decided_at = $4, decided_by = $5 "
    "WHERE community_id = $1 AND id = $2";

/* Approval gives the next volunteer number (V00001 …) and the volunteer role to the applicant's
 * account; declining needs a reason, which the applicant sees. Nobody decides their own
 * application (403 self_approval). */
void vol_decide(req *r)
{
    const char *decision = json_string_value(json_object_get(r->in, "decision"));
    const char *reason = json_string_value(json_object_get(r->in, "reason"));
    if (strcmp(decision, "decline") == 0 && (!reason || !*reason))
        return (void)reply_field(r, "reason", "required");
    if (db_begin(r) != 0)
        return;
    const char *cid = arena_i64(r->a, r->community_id), *vid = arena_i64(r->a, req_param_i64(r, 1));
    const char *p[5] = {cid, vid};
    store_rows *st = NULL;
    if (q_exec(r, sql_vol_state, 2, p, &st) != 0)
        return;
    if (st->nrows == 0)
        return (void)reply_fail(r, 404, "not_found", NULL);
    /* Nobody decides their own application (a staff member or social worker applying for themselves). */
    if (store_cell(st, 0, 1) && store_cell_i64(st, 0, 1) == r->account_id)
        return (void)reply_fail(r, 403, "self_approval", NULL);
    if (strcmp(store_cell(st, 0, 0), "pending") != 0)
        return (void)reply_fail(r, 409, "already_decided", NULL);
    p[3] = arena_i64(r->a, clock_now());
    p[4] = arena_i64(r->a, r->account_id);
    if (strcmp(decision, "approve") == 0) {
        int64_t n;
        int found;
        const char *q[1] = {cid};
        if (q_exec(r, sql_settings_ensure, 1, q, NULL) != 0 || q_i64(r, sql_next_number, 1, q, &n, &found) != 0)
            return;
        p[2] = arena_printf(r->a, "V%05lld", (long long)n);
        if (q_exec(r, sql_approve, 5, p, NULL) != 0)
            return;
        if (store_cell(st, 0, 1)) {
            store_rc rc = account_grant(r->db, r->a, store_cell_i64(st, 0, 1), r->community_id, ROLE_VOLUNTEER, 0);
            if (rc != STORE_OK)
                return db_fail(r, rc);
        }
    } else {
        p[2] = reason;
        if (q_exec(r, sql_decline, 5, p, NULL) != 0)
            return;
    }
    json_t *after = json_pack("{s:s, s:s?}", "decision", decision, "reason", reason);
    int bad = q_audit(r, decision, "volunteer", req_param_i64(r, 1), NULL, after);
    json_decref(after);
    if (bad || db_commit(r) != 0)
        return;
    reply_volunteer(r, 200, req_param_i64(r, 1));
}

static const char sql_consent[] =
    "UPDATE volunteers SET guardian_name = $3, guardian_consent_at = $4 WHERE community_id = $1 AND id = $2 AND is_minor = 1";

void vol_consent(req *r)
{
    if (db_begin(r) != 0)
        return;
    const char *p[4] = {arena_i64(r->a, r->community_id), arena_i64(r->a, req_param_i64(r, 1)),
                        json_string_value(json_object_get(r->in, "guardian_name")), arena_i64(r->a, clock_now())};
    store_rows *st = NULL;
    if (q_exec(r, sql_vol_state, 2, p, &st) != 0)
        return;
    if (st->nrows == 0)
        return (void)reply_fail(r, 404, "not_found", NULL);
    if (q_exec(r, sql_consent, 4, p, NULL) != 0)
        return;
    json_t *after = json_pack("{s:s}", "guardian_name", p[2]);
    int bad = q_audit(r, "guardian_consent", "volunteer", req_param_i64(r, 1), NULL, after);
    json_decref(after);
    if (bad || db_commit(r) != 0)
        return;
    reply_volunteer(r, 200, req_param_i64(r, 1));
}

/* ---- teams ---- */

static const struct colmap team_map[] = {{"id", 'i'}, {"name", 's'}, {"compound_id", 'i'}, {"members", 'i'}, {0}};
static const char sql_teams[] =
    "SELECT t.id, t.name, t.compound_id, (SELECT count(*) FROM vol_team_members m WHERE m.community_id = t.community_id "
    "AND m.team_id = t.id) FROM vol_teams t WHERE t.community_id = $1 ORDER BY t.id";
static const char sql_team_insert[] = "INSERT INTO vol_teams (community_id, id, name, compound_id) VALUES ($1, $2, $3, $4)";
static const char sql_compound_exists[] = "SELECT 1 FROM compounds WHERE community_id = $1 AND id = $2";

void vol_teams_list(req *r)
{
    struct list_args la;
    store_rows *rows = NULL;
    const char *p[1] = {arena_i64(r->a, r->community_id)};
    if (list_args_parse(r, &la) != 0 || q_exec(r, sql_teams, 1, p, &rows) != 0)
        return;
    reply_list(r, &la, rows_json(rows, team_map), rows->nrows, NULL);
}

void vol_teams_create(req *r)
{
    if (db_begin(r) != 0)
        return;
    int64_t compound = json_integer_value(json_object_get(r->in, "compound_id")), id, one;
    int found = 1;
    const char *p[4] = {arena_i64(r->a, r->community_id), arena_i64(r->a, compound)};
    if (compound && q_i64(r, sql_compound_exists, 2, p, &one, &found) != 0)
        return;
    if (!found)
        return (void)reply_field(r, "compound_id", "unknown_compound");
    store_rc rc = store_next_id(r->db, r->a, &id);
    if (rc != STORE_OK)
        return db_fail(r, rc);
    p[1] = arena_i64(r->a, id);
    p[2] = json_string_value(json_object_get(r->in, "name"));
    p[3] = compound ? arena_i64(r->a, compound) : NULL;
    rc = store_exec(r->db, r->a, sql_team_insert, 4, p, NULL);
    if (rc == STORE_CONSTRAINT) {
        json_t *fields = NULL;
        field_error(r, &fields, "name", "duplicate_name");
        reply_fail(r, 409, "conflict", fields);
        return;
    }
    if (rc != STORE_OK)
        return db_fail(r, rc);
    json_t *item = json_pack("{s:I, s:s, s:o, s:i}", "id", (json_int_t)id, "name", p[2], "compound_id",
                             compound ? json_integer(compound) : json_null(), "members", 0);
    if (q_audit(r, "create", "team", id, NULL, item) != 0 || db_commit(r) != 0) {
        json_decref(item);
        return;
    }
    reply_json(r, 201, item);
}

/* ---- trainings ---- */

static const struct colmap training_map[] = {{"id", 'i'}, {"title", 's'}, {"held_at", 'i'}, {"place", 's'}, {"attended", 'i'}, {0}};
static const char sql_trainings[] =
    "SELECT t.id, t.title, t.held_at, t.place, (SELECT count(*) FROM training_attendance a WHERE a.community_id = "
    "t.community_id AND a.training_id = t.id) FROM trainings t WHERE t.community_id = $1 ORDER BY t.held_at DESC";
static const char sql_training_insert[] =
    "INSERT INTO trainings (community_id, id, title, held_at, place) VALUES ($1, $2, $3, $4, $5)";
static const char sql_training_exists[] = "SELECT 1 FROM trainings WHERE community_id = $1 AND id = $2";
static const char sql_vol_exists[] = "SELECT 1 FROM volunteers WHERE community_id = $1 AND id = $2";
static const char sql_attend[] =
    "INSERT INTO training_attendance (community_id, training_id, volunteer_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";

void vol_trainings_list(req *r)
{
    struct list_args la;
    store_rows *rows = NULL;
    const char *p[1] = {arena_i64(r->a, r->community_id)};
    if (list_args_parse(r, &la) != 0 || q_exec(r, sql_trainings, 1, p, &rows) != 0)
        return;
    reply_list(r, &la, rows_json(rows, training_map), rows->nrows, NULL);
}

void vol_trainings_create(req *r)
{
    if (db_begin(r) != 0)
        return;
    int64_t id;
    store_rc rc = store_next_id(r->db, r->a, &id);
    if (rc != STORE_OK)
        return db_fail(r, rc);
    const char *place = json_string_value(json_object_get(r->in, "place"));
    const char *p[5] = {arena_i64(r->a, r->community_id), arena_i64(r->a, id),
                        json_string_value(json_object_get(r->in, "title")),
                        arena_i64(r->a, json_integer_value(json_object_get(r->in, "held_at"))), place ? place : ""};
    if (q_exec(r, sql_training_insert, 5, p, NULL) != 0)
        return;
    json_t *item = json_pack("{s:I, s:s, s:I, s:s, s:i}", "id", (json_int_t)id, "title", p[2], "held_at",
                             json_integer_value(json_object_get(r->in, "held_at")), "place", p[4], "attended", 0);
    if (q_audit(r, "create", "training", id, NULL, item) != 0 || db_commit(r) != 0) {
        json_decref(item);
        return;
    }
    reply_json(r, 201, item);
}

void vol_trainings_attend(req *r)
{
    if (db_begin(r) != 0)
        return;
    const char *cid = arena_i64(r->a, r->community_id), *tid = arena_i64(r->a, req_param_i64(r, 1));
    int64_t one;
    int found = 0;
    const char *p[3] = {cid, tid};
    if (q_i64(r, sql_training_exists, 2, p, &one, &found) != 0)
        return;
    if (!found)
        return (void)reply_fail(r, 404, "not_found", NULL);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r->in, "volunteer_ids"), i, v) {
        const char *q[2] = {cid, arena_i64(r->a, json_integer_value(v))};
        if (!json_is_integer(v) || q_i64(r, sql_vol_exists, 2, q, &one, &found) != 0 || !found) {
            if (!r->status)
                reply_field(r, "volunteer_ids", "unknown_volunteer");
            return;
        }
        /* A training attended unlocks the shifts that require it: nobody records their own. */
        if (vol_not_own(r, json_integer_value(v)) != 0)
            return;
        p[2] = q[1];
        if (q_exec(r, sql_attend, 3, p, NULL) != 0)
            return;
    }
    if (q_audit(r, "attendance", "training", req_param_i64(r, 1), NULL, r->in) != 0 || db_commit(r) != 0)
        return;
    reply_json(r, 200, json_pack("{s:I}", "recorded", (json_int_t)json_array_size(json_object_get(r->in, "volunteer_ids"))));
}

/* ---- settings ---- */

static const char sql_settings[] =
    "SELECT s.star_thresholds, s.issuer_name, s.issuer_person, s.issuer_contact, s.pending_star_thresholds, s.pending_by, a.login, "
    "s.pending_at FROM vol_settings s LEFT JOIN accounts a ON a.id = s.pending_by WHERE s.community_id = $1";
/* The first update is a no-op: the row's lock, so that two changes at once take turns. */
static const char sql_settings_lock[] = "UPDATE vol_settings SET star_thresholds = star_thresholds WHERE community_id = $1";
static const char sql_settings_put[] =
    "UPDATE vol_settings SET star_thresholds = $2, issuer_name = $3, issuer_person = $4, issuer_contact = $5, "
    "pending_star_thresholds = $6, pending_by = $7, pending_at = $8 WHERE community_id = $1";

/* "100,300,…" as a JSON array of integers. */
static json_t *thresholds_json(const char *s)
{
    json_t *th = json_array();
    while (s && *s) {
        json_array_append_new(th, json_integer(strtol(s, (char **)&s, 10)));
        while (*s == ',')
            s++;
    }
    return th;
}

static void reply_settings(req *r, unsigned status)
{
    const char *p[1] = {arena_i64(r->a, r->community_id)};
    store_rows *rows = NULL;
    if (q_exec(r, sql_settings_ensure, 1, p, NULL) != 0 || q_exec(r, sql_settings, 1, p, &rows) != 0)
        return;
    json_t *pending = json_null();
    if (store_cell(rows, 0, 4))
        pending = json_pack("{s:o, s:I, s:s?, s:I}", "star_thresholds", thresholds_json(store_cell(rows, 0, 4)), "requested_by",
                            (json_int_t)store_cell_i64(rows, 0, 5), "requested_by_login", store_cell(rows, 0, 6), "requested_at",
                            (json_int_t)store_cell_i64(rows, 0, 7));
    reply_json(r, status, json_pack("{s:o, s:s, s:s, s:s, s:o}", "star_thresholds", thresholds_json(store_cell(rows, 0, 0)), "issuer_name",
                                    store_cell(rows, 0, 1), "issuer_person", store_cell(rows, 0, 2), "issuer_contact", store_cell(rows, 0, 3),
                                    "pending", pending));
}

void vol_settings_get(req *r) { reply_settings(r, 200); }

/* Star thresholds and the certificate issuer. Stars are honours staff who volunteer earn too, so
 * nobody lowers a threshold alone (issue #11): thresholds none lower than those in force apply at
 * once (200, and drop any waiting); lower ones wait (202, `pending`) until another holder of
 * volunteers.settings asks for the same five, which applies them; the one who asked asking again is
 * 403 own_settings_change; other thresholds replace those waiting. The issuer changes at once. */
void vol_settings_put(req *r)
{
    json_t *th = json_object_get(r->in, "star_thresholds");
    if (json_array_size(th) != 5)
        return (void)reply_field(r, "star_thresholds", "five_thresholds");
    char buf[128] = "";
    int64_t last = 0, want[5];
    for (size_t i = 0; i < 5; i++) {
        json_t *v = json_array_get(th, i);
        if (!json_is_integer(v) || json_integer_value(v) <= last || json_integer_value(v) > 100000)
            return (void)reply_field(r, "star_thresholds", "five_thresholds");
        last = want[i] = json_integer_value(v);
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%lld", i ? "," : "", (long long)last);
    }
    if (db_begin(r) != 0)
        return;
    const char *p[8] = {arena_i64(r->a, r->community_id), buf};
    store_rows *old = NULL;
    if (q_exec(r, sql_settings_ensure, 1, p, NULL) != 0 || q_exec(r, sql_settings_lock, 1, p, NULL) != 0 ||
        q_exec(r, sql_settings, 1, p, &old) != 0)
        return;
    for (int k = 0; k < 3; k++) {
        static const char *const keys[] = {"issuer_name", "issuer_person", "issuer_contact"};
        const char *v = json_string_value(json_object_get(r->in, keys[k]));
        p[2 + k] = v ? v : store_cell(old, 0, 1 + k);
    }
    const char *in_force = store_cell(old, 0, 0), *s = in_force;
    int lower = 0;
    for (int i = 0; i < 5 && s && *s; i++) {
        lower |= want[i] < strtoll(s, (char **)&s, 10);
        while (*s == ',')
            s++;
    }
    int waiting = store_cell(old, 0, 4) && strcmp(store_cell(old, 0, 4), buf) == 0;
    if (lower && waiting && store_cell_i64(old, 0, 5) == r->account_id)
        return (void)reply_fail(r, 403, "own_settings_change", NULL);
    int apply = !lower || waiting;
    if (!apply) {
        p[1] = in_force;
        p[5] = buf;
        p[6] = arena_i64(r->a, r->account_id);
        p[7] = arena_i64(r->a, clock_now());
    }
    json_t *before = json_pack("{s:s}", "star_thresholds", in_force);
    json_t *after = apply && waiting ? json_pack("{s:s, s:I}", "star_thresholds", buf, "requested_by", (json_int_t)store_cell_i64(old, 0, 5))
                                     : json_pack("{s:s}", "star_thresholds", buf);
    int bad = q_exec(r, sql_settings_put, 8, p, NULL) || q_audit(r, apply ? "update" : "request", "volunteer_settings", 0, before, after);
    json_decref(before);
    json_decref(after);
    if (bad || db_commit(r) != 0)
        return;
    reply_settings(r, apply ? 200 : 202);
}
