/* Service hours: records from check-out, reported by volunteers for work away from a shift, or
 * entered by staff with a reason; approval one by one or in bulk, declining with a reason; and
 * corrections that never overwrite (a new record points at the one it corrects, both stay
 * visible). Each record holds what the volunteer-service recording rules ask: the volunteer, the
 * activity, the date, the duration, the organising unit and who recorded it. Totals feed the star
 * levels, the annual awards (年度嘉奖) and the public leaderboard. Nobody enters, approves or
 * corrects hours on their own volunteer record, and no volunteer gets more than
 * VOL_DAY_MAX_MINUTES approved on one day. */
#include "core/clock.h"
#include "core/mask.h"
#include "core/validate.h"
#include "modules/volunteers/volunteers.h"
#include "server/reply.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sql_hours_insert[] =
    "INSERT INTO hour_records (community_id, id, volunteer_id, activity_id, shift_id, served_on, minutes, description, "
    "organiser, source, status, flagged, reason, corrects_id, recorded_by, created_at, decided_by, decided_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
    "COALESCE((SELECT organiser FROM activities WHERE community_id = $1 AND id = $4), ''), "
    "$9, $10, $11, $12, $13, $14, $15, $16, $17)";

int hours_add(req *r, int64_t volunteer, int64_t activity, int64_t shift, const char *day, int64_t minutes,
              const char *description, const char *source, const char *status, int flagged, const char *reason,
              int64_t corrects, int64_t *id)
{
    store_rc rc = store_next_id(r->db, r->a, id);
    if (rc != STORE_OK) {
        db_fail(r, rc);
        return -1;
    }
    int decided = strcmp(status, "pending") != 0;
    int64_t now = clock_now();
    const char *p[17] = {arena_i64(r->a, r->community_id),
                         arena_i64(r->a, *id),
                         arena_i64(r->a, volunteer),
                         activity ? arena_i64(r->a, activity) : NULL,
                         shift ? arena_i64(r->a, shift) : NULL,
                         day,
                         arena_i64(r->a, minutes),
                         description ? description : "",
                         source,
                         status,
                         flagged ? "1" : "0",
                         reason,
                         corrects ? arena_i64(r->a, corrects) : NULL,
                         r->login ? r->login : "system",
                         arena_i64(r->a, now),
                         decided ? (r->login ? r->login : "system") : NULL,
                         decided ? arena_i64(r->a, now) : NULL};
    return q_exec(r, sql_hours_insert, 17, p, NULL);
}

static const struct colmap hour_map[] = {
    {"id", 'i'}, {"volunteer_id", 'i'}, {"volunteer_number", 'n'}, {"volunteer_name", 's'}, {"activity_id", 'i'},
    {"activity_title", 'n'}, {"shift_id", 'i'}, {"served_on", 's'}, {"minutes", 'i'}, {"description", 's'},
    {"organiser", 's'}, {"source", 's'}, {"status", 's'}, {"flagged", 'b'}, {"reason", 'n'}, {"corrects_id", 'i'},
    {"corrected_by_id", 'i'}, {"recorded_by", 's'}, {"created_at", 'i'}, {"decided_by", 'n'}, {"decided_at", 'i'}, {0},
};
#define HOUR_SELECT                                                                                              \
    "SELECT h.id, h.volunteer_id, v.number, v.name, h.activity_id, a.title, h.shift_id, h.served_on, h.minutes, "  \
    "h.description, h.organiser, h.source, h.status, h.flagged, h.reason, h.corrects_id, "                       \
    "(SELECT max(c.id) FROM hour_records c WHERE c.community_id = h.community_id AND c.corrects_id = h.id), "     \
    "h.recorded_by, h.created_at, h.decided_by, h.decided_at FROM hour_records h "                               \
    "JOIN volunteers v ON v.community_id = h.community_id AND v.id = h.volunteer_id "                             \
    "LEFT JOIN activities a ON a.community_id = h.community_id AND a.id = h.activity_id "
#define HOUR_FILTER                                                                                                 \
    "WHERE h.community_id = $1 AND (CAST($2 AS TEXT) IS NULL OR h.status = CAST($2 AS TEXT)) "                      \
    "AND (CAST($3 AS BIGINT) IS NULL OR h.volunteer_id = CAST($3 AS BIGINT)) "                                      \
    "AND (CAST($4 AS BIGINT) IS NULL OR v.account_id = CAST($4 AS BIGINT)) "
static const char sql_hours_list[] = HOUR_SELECT HOUR_FILTER "ORDER BY h.id DESC LIMIT $5 OFFSET $6";
static const char sql_hours_count[] =
    "SELECT count(*) FROM hour_records h JOIN volunteers v ON v.community_id = h.community_id AND v.id = h.volunteer_id " HOUR_FILTER;
static const char sql_hour_one[] = HOUR_SELECT "WHERE h.community_id = $1 AND h.id = $2";

static void list_hours(req *r, int mine)
{
    struct list_args la;
    if (list_args_parse(r, &la) != 0)
        return;
    const char *status = req_query(r, "status"), *vol = req_query(r, "volunteer_id");
    if (status && *status && strcmp(status, "pending") && strcmp(status, "approved") && strcmp(status, "declined"))
        return (void)reply_field(r, "status", "invalid_choice");
    int64_t vid;
    if (vol && *vol && validate_int(vol, 1, INT64_MAX, &vid) != 0)
        return (void)reply_field(r, "volunteer_id", "not_a_number");
    if (shift_sweep_if_needed(r) != 0)
        return;
    const char *p[6] = {arena_i64(r->a, r->community_id), status && *status ? status : NULL,
                        vol && *vol ? vol : NULL, mine ? arena_i64(r->a, r->account_id) : NULL,
                        arena_i64(r->a, la.limit), arena_i64(r->a, la.offset)};
    store_rows *rows = NULL;
    int64_t total = 0;
    int found;
    if (q_exec(r, sql_hours_list, 6, p, &rows) != 0 || q_i64(r, sql_hours_count, 4, p, &total, &found) != 0)
        return;
    reply_list(r, &la, rows_json(rows, hour_map), total, NULL);
}

void hours_list(req *r)
{
    list_hours(r, strstr(r->url, "/hours/mine") != NULL);
}

static void reply_hour(req *r, unsigned status, int64_t id)
{
    store_rows *rows = NULL;
    const char *p[2] = {arena_i64(r->a, r->community_id), arena_i64(r->a, id)};
    if (q_exec(r, sql_hour_one, 2, p, &rows) != 0)
        return;
    if (rows->nrows == 0)
        return (void)reply_fail(r, 404, "not_found", NULL);
    reply_json(r, status, row_json(rows, 0, hour_map));
}

static int valid_day(const char *d)
{
    int y, m, dd;
    char tail;
    return d && strlen(d) == 10 && sscanf(d, "%4d-%2d-%2d%c", &y, &m, &dd, &tail) == 3 && y >= 2000 && y <= 2100 &&
           m >= 1 && m <= 12 && dd >= 1 && dd <= 31;
}

/* Taken before counting a volunteer's day: on PostgreSQL (read committed) two approvals at once
 * would each count the day without the other; the row lock makes the second wait and count both.
 * SQLite's writers are serialised already. */
static const char sql_vol_lock[] = "UPDATE volunteers SET status = status WHERE community_id = $1 AND id = $2";
static const char sql_day_minutes[] =
    "SELECT COALESCE(sum(h.minutes), 0) FROM hour_records h WHERE h.community_id = $1 AND h.volunteer_id = $2 "
    "AND h.served_on = $3 AND h.status = 'approved' AND (CAST($4 AS BIGINT) IS NULL OR h.id <> CAST($4 AS BIGINT)) "
    "AND NOT EXISTS (SELECT 1 FROM hour_records c WHERE c.community_id = h.community_id AND c.corrects_id = h.id)";

/* Refuses approving `minutes` more for the volunteer on `day` when the day's approved minutes
 * (without `replaced`, the record a correction replaces; 0 for none) would pass
 * VOL_DAY_MAX_MINUTES: 422 on `field` for an entry or a correction, 409 daily_cap_exceeded for an
 * approval (field NULL). Inside the open transaction; 0, or -1 after replying. */
static int hours_day_cap(req *r, int64_t volunteer, const char *day, int64_t minutes, int64_t replaced, const char *field)
{
    const char *p[4] = {arena_i64(r->a, r->community_id), arena_i64(r->a, volunteer), day, replaced ? arena_i64(r->a, replaced) : NULL};
    int64_t already = 0;
    int found;
    if (q_exec(r, sql_vol_lock, 2, p, NULL) != 0 || q_i64(r, sql_day_minutes, 4, p, &already, &found) != 0)
        return -1;
    if (already + minutes <= VOL_DAY_MAX_MINUTES)
        return 0;
    return field ? reply_field(r, field, "daily_cap_exceeded") : reply_fail(r, 409, "daily_cap_exceeded", NULL);
}

static const char sql_act_exists[] = "SELECT 1 FROM activities WHERE community_id = $1 AND id = $2";
static const char sql_vol_approved[] = "SELECT 1 FROM volunteers WHERE community_id = $1 AND id = $2 AND status = 'approved'";

/* A volunteer reports work away from a shift (waits for approval); staff enter hours for offline
 * work with a reason ("volunteer_id" given), approved as they enter them — never on their own
 * record, and within the day's cap. */
void hours_report(req *r)
{
    json_t *in = r->in;
    const char *day = json_string_value(json_object_get(in, "served_on"));
    int64_t minutes = json_integer_value(json_object_get(in, "minutes"));
    int64_t activity = json_integer_value(json_object_get(in, "activity_id"));
    int64_t target = json_integer_value(json_object_get(in, "volunteer_id"));
    const char *reason = json_string_value(json_object_get(in, "reason"));
    int staff_entry = strstr(r->url, "/hours/entries") != NULL;
    char today[11];
    clock_day(clock_now(), today);
    if (!valid_day(day))
        return (void)reply_field(r, "served_on", "invalid_date");
    if (strcmp(day, today) > 0)
        return (void)reply_field(r, "served_on", "date_in_future");
    if (minutes < 1 || minutes > 24 * 60)
        return (void)reply_field(r, "minutes", "minutes_range");
    if (staff_entry && (!reason || !*reason))
        return (void)reply_field(r, "reason", "required");
    if (staff_entry && !target)
        return (void)reply_field(r, "volunteer_id", "required");
    if (db_begin(r) != 0)
        return;
    int64_t vid = target, one;
    int found = 1;
    if (!staff_entry && !(vid = vol_caller(r)))
        return;
    const char *p[2] = {arena_i64(r->a, r->community_id), arena_i64(r->a, vid)};
    if (staff_entry && (q_i64(r, sql_vol_approved, 2, p, &one, &found) != 0 || !found)) {
        if (!r->status)
            reply_field(r, "volunteer_id", "unknown_volunteer");
        return;
    }
    if (staff_entry && (vol_not_own(r, vid) != 0 || hours_day_cap(r, vid, day, minutes, 0, "minutes") != 0))
        return;
    p[1] = arena_i64(r->a, activity);
    if (activity && (q_i64(r, sql_act_exists, 2, p, &one, &found) != 0 || !found)) {
        if (!r->status)
            reply_field(r, "activity_id", "unknown_activity");
        return;
    }
    int64_t id;
    if (hours_add(r, vid, activity, 0, day, minutes, json_string_value(json_object_get(in, "description")),
                  staff_entry ? "staff_entry" : "self_report", staff_entry ? "approved" : "pending", 0, reason, 0, &id) != 0)
        return;
    if (q_audit(r, staff_entry ? "enter" : "report", "hours", id, NULL, in) != 0 || db_commit(r) != 0)
        return;
    reply_hour(r, 201, id);
}

static const char sql_hour_state[] =
    "SELECT status, volunteer_id, served_on, minutes FROM hour_records WHERE community_id = $1 AND id = $2";
static const char sql_hour_decide[] =
    "UPDATE hour_records SET status = $3, reason = COALESCE($4, reason), decided_by = $5, decided_at = $6 "
    "WHERE community_id = $1 AND id = $2 AND status = 'pending'";

/* Approves or declines pending records, one or many ({"ids": [...]}). Records that are not
 * pending are left as they are and listed as skipped. A record on the caller's own volunteer
 * record (403 self_approval) or an approval past a day's cap (409 daily_cap_exceeded) refuses
 * the whole request: nothing is decided. */
void hours_decide(req *r)
{
    const char *decision = json_string_value(json_object_get(r->in, "decision"));
    const char *reason = json_string_value(json_object_get(r->in, "reason"));
    json_t *ids = json_object_get(r->in, "ids");
    if (strcmp(decision, "decline") == 0 && (!reason || !*reason))
        return (void)reply_field(r, "reason", "required");
    if (json_array_size(ids) == 0 || json_array_size(ids) > 1000)
        return (void)reply_field(r, "ids", "required");
    if (db_begin(r) != 0)
        return;
    json_t *done = json_array(), *skipped = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v) {
        store_rows *st = NULL;
        const char *p[6] = {arena_i64(r->a, r->community_id), arena_i64(r->a, json_integer_value(v)),
                            strcmp(decision, "approve") == 0 ? "approved" : "declined", reason, r->login,
                            arena_i64(r->a, clock_now())};
        if (!json_is_integer(v)) {
            json_decref(done);
            json_decref(skipped);
            return (void)reply_field(r, "ids", "invalid_type");
        }
        if (q_exec(r, sql_hour_state, 2, p, &st) != 0) {
            json_decref(done);
            json_decref(skipped);
            return;
        }
        if (st->nrows == 0 || strcmp(store_cell(st, 0, 0), "pending") != 0) {
            json_array_append(skipped, v);
            continue;
        }
        int64_t vid = store_cell_i64(st, 0, 1);
        if (vol_not_own(r, vid) != 0 ||
            (strcmp(decision, "approve") == 0 && hours_day_cap(r, vid, store_cell(st, 0, 2), store_cell_i64(st, 0, 3), 0, NULL) != 0) ||
            q_exec(r, sql_hour_decide, 6, p, NULL) != 0) {
            json_decref(done);
            json_decref(skipped);
            return;
        }
        json_array_append(done, v);
    }
    json_t *body = json_pack("{s:s, s:o, s:o}", "decision", decision, "decided", done, "skipped", skipped);
    if (q_audit(r, decision, "hours", 0, NULL, body) != 0 || db_commit(r) != 0) {
        json_decref(body);
        return;
    }
    reply_json(r, 200, body);
}

static const char sql_hour_raw[] =
    "SELECT volunteer_id, activity_id, served_on, description, (SELECT max(c.id) FROM hour_records c WHERE "
    "c.community_id = h.community_id AND c.corrects_id = h.id) FROM hour_records h WHERE community_id = $1 AND id = $2";

/* A correction adds a record that points at the one it corrects; the old one stays as it was.
 * The new record is approved: not on one's own record, and within its day's cap (the record it
 * replaces no longer counts). */
void hours_correct(req *r)
{
    int64_t minutes = json_integer_value(json_object_get(r->in, "minutes"));
    const char *reason = json_string_value(json_object_get(r->in, "reason"));
    const char *day = json_string_value(json_object_get(r->in, "served_on"));
    if (minutes < 0 || minutes > 24 * 60)
        return (void)reply_field(r, "minutes", "minutes_range");
    char today[11];
    clock_day(clock_now(), today);
    if (day && !valid_day(day))
        return (void)reply_field(r, "served_on", "invalid_date");
    if (day && strcmp(day, today) > 0) /* as a report or an entry: no hours served in the future */
        return (void)reply_field(r, "served_on", "date_in_future");
    if (db_begin(r) != 0)
        return;
    int64_t old = req_param_i64(r, 1), id;
    store_rows *o = NULL;
    const char *p[2] = {arena_i64(r->a, r->community_id), arena_i64(r->a, old)};
    if (q_exec(r, sql_hour_raw, 2, p, &o) != 0)
        return;
    if (o->nrows == 0)
        return (void)reply_fail(r, 404, "not_found", NULL);
    if (store_cell(o, 0, 4))
        return (void)reply_fail(r, 409, "already_corrected", NULL);
    if (vol_not_own(r, store_cell_i64(o, 0, 0)) != 0 ||
        hours_day_cap(r, store_cell_i64(o, 0, 0), day ? day : store_cell(o, 0, 2), minutes, old, "minutes") != 0)
        return;
    if (hours_add(r, store_cell_i64(o, 0, 0), store_cell_i64(o, 0, 1), 0, day ? day : store_cell(o, 0, 2), minutes,
                  store_cell(o, 0, 3), "correction", "approved", 0, reason, old, &id) != 0)
        return;
    json_t *after = json_pack("{s:I, s:I, s:s}", "corrects", (json_int_t)old, "minutes", (json_int_t)minutes, "reason", reason);
    int bad = q_audit(r, "correct", "hours", id, NULL, after);
    json_decref(after);
    if (bad || db_commit(r) != 0)
        return;
    reply_hour(r, 201, id);
}

/* ---- awards and leaderboard ---- */

static const char sql_awards[] =
    "SELECT v.id, v.number, v.name, v.is_minor, sum(h.minutes), count(DISTINCT h.activity_id) "
    "FROM hour_records h JOIN volunteers v ON v.community_id = h.community_id AND v.id = h.volunteer_id "
    "WHERE h.community_id = $1 AND h.status = 'approved' AND h.served_on >= $2 AND h.served_on <= $3 "
    "AND NOT EXISTS (SELECT 1 FROM hour_records c WHERE c.community_id = h.community_id AND c.corrects_id = h.id) "
    "GROUP BY v.id, v.number, v.name, v.is_minor "
    "ORDER BY sum(h.minutes) DESC, count(DISTINCT h.activity_id) DESC, v.number LIMIT $4";

static int year_arg(req *r, int *year)
{
    char today[11];
    clock_day(clock_now(), today);
    const char *y = req_query(r, "year");
    int64_t v = atoi(today);
    if (y && validate_int(y, 2000, 2100, &v) != 0)
        return reply_field(r, "year", "invalid_year");
    *year = (int)v;
    return 0;
}

/* Ranks volunteers by approved hours in a year, ties broken by the number of activities. */
static void awards(req *r, int public_board)
{
    struct list_args la;
    int year = 0;
    if (list_args_parse(r, &la) != 0 || year_arg(r, &year) != 0)
        return;
    int64_t limit = public_board ? 20 : la.limit;
    const char *p[4] = {arena_i64(r->a, r->community_id), arena_printf(r->a, "%04d-01-01", year),
                        arena_printf(r->a, "%04d-12-31", year), arena_i64(r->a, limit)};
    store_rows *rows = NULL;
    if (q_exec(r, sql_awards, 4, p, &rows) != 0)
        return;
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows; i++) {
        int64_t minutes = store_cell_i64(rows, i, 4);
        const char *name = store_cell(rows, i, 2);
        char masked[64];
        if (public_board && store_cell_i64(rows, i, 3)) {
            mask_name(name, masked, sizeof masked);
            name = masked;
        }
        json_t *o = json_pack("{s:i, s:f, s:I, s:I, s:I, s:s?, s:s, s:b}", "rank", i + 1, "hours",
                              (double)(minutes / 6) / 10.0, "minutes", (json_int_t)minutes, "activities",
                              (json_int_t)store_cell_i64(rows, i, 5), "volunteer_id", (json_int_t)store_cell_i64(rows, i, 0),
                              "volunteer_number", public_board ? NULL : store_cell(rows, i, 1), "volunteer_name", name,
                              "is_minor", store_cell_i64(rows, i, 3) != 0);
        json_object_set_new(o, "volunteer", json_pack("{s:I, s:s?, s:s}", "id", (json_int_t)store_cell_i64(rows, i, 0),
                                                      "number", public_board ? NULL : store_cell(rows, i, 1), "name", name));
        json_array_append_new(items, o);
    }
    reply_list(r, &la, items, rows->nrows, json_pack("{s:i}", "year", year));
}

void hours_awards(req *r) { awards(r, 0); }
void hours_leaderboard(req *r) { awards(r, 1); }

static const char sql_monthly[] =
    "SELECT v.number, v.name, substr(h.served_on, 1, 7), sum(h.minutes), count(*) FROM hour_records h "
    "JOIN volunteers v ON v.community_id = h.community_id AND v.id = h.volunteer_id "
    "WHERE h.community_id = $1 AND h.status = 'approved' AND h.served_on >= $2 AND h.served_on <= $3 "
    "AND NOT EXISTS (SELECT 1 FROM hour_records c WHERE c.community_id = h.community_id AND c.corrects_id = h.id) "
    "GROUP BY v.number, v.name, substr(h.served_on, 1, 7) ORDER BY v.number, substr(h.served_on, 1, 7)";

/* Approved hours by volunteer and month, for the reports staff keep in Excel. */
void hours_monthly(req *r)
{
    struct list_args la;
    int year = 0;
    if (list_args_parse(r, &la) != 0 || year_arg(r, &year) != 0)
        return;
    const char *p[3] = {arena_i64(r->a, r->community_id), arena_printf(r->a, "%04d-01-01", year), arena_printf(r->a, "%04d-12-31", year)};
    store_rows *rows = NULL;
    if (q_exec(r, sql_monthly, 3, p, &rows) != 0)
        return;
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows; i++)
        json_array_append_new(items, json_pack("{s:s?, s:s, s:s, s:f, s:I, s:I}", "volunteer_number", store_cell(rows, i, 0),
                                               "volunteer_name", store_cell(rows, i, 1), "month", store_cell(rows, i, 2),
                                               "hours", (double)(store_cell_i64(rows, i, 3) / 6) / 10.0, "minutes",
                                               (json_int_t)store_cell_i64(rows, i, 3), "records", (json_int_t)store_cell_i64(rows, i, 4)));
    reply_list(r, &la, items, rows->nrows, json_pack("{s:i}", "year", year));
}
