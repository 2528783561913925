/* Activities and their shifts; sign-up that fills seats and then a waitlist; cancellation before
 * the deadline that promotes the first on the waitlist; check-in and check-out by a signed QR token
 * (or by the coordinator from the roster); hours computed at check-out. A seat is taken by one
 * conditional UPDATE (confirmed < capacity), so two volunteers racing for the last seat cannot
 * both get it on either engine. */
#include "auth/roles.h"
#include "core/clock.h"
#include "core/mask.h"
#include "core/qr.h"
#include "core/validate.h"
#include "modules/volunteers/volunteers.h"
#include "server/reply.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The string field k of a JSON object, or d when it is absent or not a string. */
static const char *str_or(const json_t *in, const char *k, const char *d)
{
    const char *v = json_string_value(json_object_get(in, k));
    return v ? v : d;
}

#define QR_LIFETIME 600   /* a QR token is good for 10 minutes; the coordinator's page renews it */
#define DOUBLE_SCAN 120   /* a second scan within 2 minutes of checking in is the same scan */
#define AUTO_CHECKOUT 86400

/* ---- activities ---- */

static const struct colmap act_map[] = {
    {"id", 'i'}, {"title", 's'}, {"kind", 's'}, {"place", 's'}, {"organiser", 's'}, {"coordinator_id", 'i'},
    {"description", 's'}, {"grace_minutes", 'i'}, {"weekly", 'b'}, {"upcoming_shifts", 'i'}, {0},
};
#define ACT_SELECT                                                                                         \
    "SELECT a.id, a.title, a.kind, a.place, a.organiser, a.coordinator_id, a.description, a.grace_minutes, " \
    "a.weekly, (SELECT count(*) FROM shifts s WHERE s.community_id = a.community_id AND s.activity_id = a.id "  \
    "AND s.starts_at > $2) FROM activities a "
static const char sql_acts[] = ACT_SELECT "WHERE a.community_id = $1 AND (CAST($3 AS TEXT) IS NULL OR a.title ILIKE CAST($3 AS TEXT) ESCAPE '\\') "
                                          "ORDER BY a.id DESC LIMIT $4 OFFSET $5";
static const char sql_acts_count[] =
    "SELECT count(*) FROM activities a WHERE a.community_id = $1 AND (CAST($2 AS TEXT) IS NULL OR a.title ILIKE CAST($2 AS TEXT) ESCAPE '\\')";
static const char sql_act_one[] = ACT_SELECT "WHERE a.community_id = $1 AND a.id = $3";
static const char sql_act_insert[] =
    "INSERT INTO activities (community_id, id, title, kind, place, organiser, coordinator_id, description, "
    "grace_minutes, weekly, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

void act_list(req *r)
{
    struct list_args la;
    if (list_args_parse(r, &la) != 0)
        return;
    const char *p[5] = {arena_i64(r->a, r->community_id), arena_i64(r->a, clock_now()), la.like,
                        arena_i64(r->a, la.limit), arena_i64(r->a, la.offset)};
    const char *pc[2] = {p[0], la.like};
    store_rows *rows = NULL;
    int64_t total = 0;
    int found;
    if (q_exec(r, sql_acts, 5, p, &rows) != 0 || q_i64(r, sql_acts_count, 2, pc, &total, &found) != 0)
        return;
    reply_list(r, &la, rows_json(rows, act_map), total, NULL);
}

static const struct colmap shift_map[] = {
    {"id", 'i'}, {"activity_id", 'i'}, {"activity_title", 's'}, {"place", 's'}, {"starts_at", 'i'}, {"ends_at", 'i'},
    {"capacity", 'i'}, {"confirmed", 'i'}, {"waitlist", 'i'}, {"adults_only", 'b'}, {"training_id", 'i'},
    {"training_title", 'n'}, {"cancel_deadline", 'i'}, {"my_status", 'n'}, {0},
};
#define SHIFT_SELECT                                                                                          \
    "SELECT s.id, s.activity_id, a.title, a.place, s.starts_at, s.ends_at, s.capacity, s.confirmed, "          \
    "(SELECT count(*) FROM signups w WHERE w.community_id = s.community_id AND w.shift_id = s.id AND "         \
    "w.status = 'waitlist'), s.adults_only, s.training_id, t.title, s.cancel_deadline, "                       \
    "(SELECT m.status FROM signups m JOIN volunteers v ON v.community_id = m.community_id AND v.id = m.volunteer_id " \
    "WHERE m.community_id = s.community_id AND m.shift_id = s.id AND v.account_id = $2) "                     \
    "FROM shifts s JOIN activities a ON a.community_id = s.community_id AND a.id = s.activity_id "             \
    "LEFT JOIN trainings t ON t.community_id = s.community_id AND t.id = s.training_id "
static const char sql_shifts_of_act[] = SHIFT_SELECT "WHERE s.community_id = $1 AND s.activity_id = $3 ORDER BY s.starts_at";

void act_get(req *r)
{
    const char *p[3] = {arena_i64(r->a, r->community_id), arena_i64(r->a, clock_now()), arena_i64(r->a, req_param_i64(r, 1))};
    store_rows *rows = NULL, *shifts = NULL;
    if (q_exec(r, sql_act_one, 3, p, &rows) != 0)
        return;
    if (rows->nrows == 0)
        return (void)reply_fail(r, 404, "not_found", NULL);
    p[1] = arena_i64(r->a, r->account_id);
    if (q_exec(r, sql_shifts_of_act, 3, p, &shifts) != 0)
        return;
    json_t *o = row_json(rows, 0, act_map);
    json_object_set_new(o, "shifts", rows_json(shifts, shift_map));
    reply_json(r, 200, o);
}

void act_create(req *r)
{
    if (db_begin(r) != 0)
        return;
    int64_t id;
    store_rc rc = store_next_id(r->db, r->a, &id);
    if (rc != STORE_OK)
        return db_fail(r, rc);
    json_t *in = r->in;
#define STR(k, d) str_or(in, k, d)
    json_t *grace = json_object_get(in, "grace_minutes");
    const char *p[11] = {arena_i64(r->a, r->community_id), arena_i64(r->a, id), STR("title", ""), STR("kind", "event"),
                         STR("place", ""), STR("organiser", ""), arena_i64(r->a, r->account_id), STR("description", ""),
                         arena_i64(r->a, grace ? json_integer_value(grace) : 30),
                         json_is_true(json_object_get(in, "weekly")) ? "1" : "0", arena_i64(r->a, clock_now())};
#undef STR
    if (q_exec(r, sql_act_insert, 11, p, NULL) != 0)
        return;
    store_rows *rows = NULL;
    const char *q[3] = {p[0], p[10], p[1]};
    if (q_exec(r, sql_act_one, 3, q, &rows) != 0)
        return;
    json_t *item = row_json(rows, 0, act_map);
    if (q_audit(r, "create", "activity", id, NULL, item) != 0 || db_commit(r) != 0) {
        json_decref(item);
        return;
    }
    reply_json(r, 201, item);
}

/* ---- shifts ---- */

static const char sql_act_exists[] = "SELECT 1 FROM activities WHERE community_id = $1 AND id = $2";
static const char sql_training_exists[] = "SELECT 1 FROM trainings WHERE community_id = $1 AND id = $2";
static const char sql_shift_insert[] =
    "INSERT INTO shifts (community_id, id, activity_id, starts_at, ends_at, capacity, adults_only, training_id, "
    "cancel_deadline) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
static const char sql_shift_one[] = SHIFT_SELECT "WHERE s.community_id = $1 AND s.id = $3";

/* Creates one shift, or with repeat_weeks N, the same shift on N consecutive weeks (a recurring
 * activity such as the weekly nursing-home service). */
void shift_create(req *r)
{
    json_t *in = r->in;
    int64_t starts = json_integer_value(json_object_get(in, "starts_at"));
    int64_t ends = json_integer_value(json_object_get(in, "ends_at"));
    json_t *dl = json_object_get(in, "cancel_deadline");
    int64_t deadline = dl ? json_integer_value(dl) : starts - 2 * 3600;
    int64_t training = json_integer_value(json_object_get(in, "training_id"));
    json_t *rw = json_object_get(in, "repeat_weeks");
    int64_t weeks = rw ? json_integer_value(rw) : 1;
    if (ends <= starts)
        return (void)reply_field(r, "ends_at", "ends_before_start");
    if (ends - starts > 24 * 3600)
        return (void)reply_field(r, "ends_at", "shift_too_long");
    if (deadline > starts)
        return (void)reply_field(r, "cancel_deadline", "deadline_after_start");
    if (weeks < 1 || weeks > 52)
        return (void)reply_field(r, "repeat_weeks", "too_large");
    if (db_begin(r) != 0)
        return;
    const char *cid = arena_i64(r->a, r->community_id), *aid = arena_i64(r->a, req_param_i64(r, 1));
    int64_t one;
    int found = 0;
    const char *q[2] = {cid, aid};
    if (q_i64(r, sql_act_exists, 2, q, &one, &found) != 0)
        return;
    if (!found)
        return (void)reply_fail(r, 404, "not_found", NULL);
    if (training) {
        q[1] = arena_i64(r->a, training);
        if (q_i64(r, sql_training_exists, 2, q, &one, &found) != 0)
            return;
        if (!found)
            return (void)reply_field(r, "training_id", "unknown_training");
    }
    json_t *items = json_array();
    for (int64_t w = 0; w < weeks; w++) {
        int64_t id, off = w * 7 * 86400;
        store_rc rc = store_next_id(r->db, r->a, &id);
        if (rc != STORE_OK) {
            json_decref(items);
            return db_fail(r, rc);
        }
        const char *p[9] = {cid, arena_i64(r->a, id), aid, arena_i64(r->a, starts + off), arena_i64(r->a, ends + off),
                            arena_i64(r->a, json_integer_value(json_object_get(in, "capacity"))),
                            json_is_true(json_object_get(in, "adults_only")) ? "1" : "0",
                            training ? arena_i64(r->a, training) : NULL, arena_i64(r->a, deadline + off)};
        store_rows *rows = NULL;
        const char *g[3] = {cid, arena_i64(r->a, r->account_id), p[1]};
        if (q_exec(r, sql_shift_insert, 9, p, NULL) != 0 || q_exec(r, sql_shift_one, 3, g, &rows) != 0) {
            json_decref(items);
            return;
        }
        json_array_append_new(items, row_json(rows, 0, shift_map));
    }
    if (q_audit(r, "create", "shift", req_param_i64(r, 1), NULL, items) != 0 || db_commit(r) != 0) {
        json_decref(items);
        return;
    }
    reply_json(r, 201, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)weeks));
}

static const char sql_shifts[] = SHIFT_SELECT
    "WHERE s.community_id = $1 AND s.ends_at >= $3 AND s.starts_at <= $4 ORDER BY s.starts_at, s.id LIMIT $5 OFFSET $6";
static const char sql_shifts_count[] =
    "SELECT count(*) FROM shifts s WHERE s.community_id = $1 AND s.ends_at >= $2 AND s.starts_at <= $3";

static int parse_time_arg(req *r, const char *name, int64_t dflt, int64_t *out)
{
    const char *v = req_query(r, name);
    *out = dflt;
    if (!v || !*v)
        return 0;
    if (validate_int(v, INT64_MIN, INT64_MAX, out) != 0)
        return reply_field(r, name, "not_a_number");
    return 0;
}

/* Shifts in a time window (default: from now on); my_status says where the caller stands. */
void shift_list(req *r)
{
    struct list_args la;
    int64_t now = clock_now(), from, to;
    if (list_args_parse(r, &la) != 0 || parse_time_arg(r, "from", now, &from) != 0 ||
        parse_time_arg(r, "to", now + 366 * 86400, &to) != 0)
        return;
    const char *p[6] = {arena_i64(r->a, r->community_id), arena_i64(r->a, r->account_id), arena_i64(r->a, from),
                        arena_i64(r->a, to), arena_i64(r->a, la.limit), arena_i64(r->a, la.offset)};
    const char *pc[3] = {p[0], p[2], p[3]};
    store_rows *rows = NULL;
    int64_t total = 0;
    int found;
    if (q_exec(r, sql_shifts, 6, p, &rows) != 0 || q_i64(r, sql_shifts_count, 3, pc, &total, &found) != 0)
        return;
    reply_list(r, &la, rows_json(rows, shift_map), total, NULL);
}

static const char sql_shifts_mine[] = SHIFT_SELECT
    "JOIN signups me ON me.community_id = s.community_id AND me.shift_id = s.id "
    "JOIN volunteers mv ON mv.community_id = me.community_id AND mv.id = me.volunteer_id AND mv.account_id = $2 "
    "WHERE s.community_id = $1 AND me.status <> 'cancelled' AND s.ends_at >= $3 ORDER BY s.starts_at";

void shift_mine(req *r)
{
    int64_t from;
    if (parse_time_arg(r, "from", clock_now() - 30 * 86400, &from) != 0)
        return;
    const char *p[3] = {arena_i64(r->a, r->community_id), arena_i64(r->a, r->account_id), arena_i64(r->a, from)};
    store_rows *rows = NULL;
    if (q_exec(r, sql_shifts_mine, 3, p, &rows) != 0)
        return;
    reply_json(r, 200, json_pack("{s:o, s:i}", "items", rows_json(rows, shift_map), "total", rows->nrows));
}

/* ---- sign-up and cancellation ---- */

static const char sql_shift_rules[] =
    "SELECT s.starts_at, s.adults_only, s.training_id, t.title, s.cancel_deadline, s.ends_at, a.grace_minutes, a.id, "
    "a.organiser, a.title FROM shifts s JOIN activities a ON a.community_id = s.community_id AND a.id = s.activity_id "
    "LEFT JOIN trainings t ON t.community_id = s.community_id AND t.id = s.training_id "
    "WHERE s.community_id = $1 AND s.id = $2";
static const char sql_vol_rules[] =
    "SELECT is_minor, guardian_consent_at FROM volunteers WHERE community_id = $1 AND id = $2";
static const char sql_trained[] =
    "SELECT 1 FROM training_attendance WHERE community_id = $1 AND training_id = $2 AND volunteer_id = $3";
static const char sql_signup_state[] =
    "SELECT status FROM signups WHERE community_id = $1 AND shift_id = $2 AND volunteer_id = $3";
static const char sql_take_seat[] =
    "UPDATE shifts SET confirmed = confirmed + 1 WHERE community_id = $1 AND id = $2 AND confirmed < capacity "
    "RETURNING confirmed";
static const char sql_free_seat[] = "UPDATE shifts SET confirmed = confirmed - 1 WHERE community_id = $1 AND id = $2";
static const char sql_signup_insert[] =
    "INSERT INTO signups (community_id, shift_id, volunteer_id, status, signed_at, seq) VALUES ($1, $2, $3, $4, $5, $6)";
static const char sql_signup_set[] =
    "UPDATE signups SET status = $4, signed_at = $5, seq = $6 WHERE community_id = $1 AND shift_id = $2 AND volunteer_id = $3";
static const char sql_signup_status[] =
    "UPDATE signups SET status = $4 WHERE community_id = $1 AND shift_id = $2 AND volunteer_id = $3";
static const char sql_first_waiting[] =
    "SELECT volunteer_id FROM signups WHERE community_id = $1 AND shift_id = $2 AND status = 'waitlist' ORDER BY seq LIMIT 1";

static void reply_shift(req *r, unsigned status, int64_t shift)
{
    store_rows *rows = NULL;
    const char *p[3] = {arena_i64(r->a, r->community_id), arena_i64(r->a, r->account_id), arena_i64(r->a, shift)};
    if (q_exec(r, sql_shift_one, 3, p, &rows) != 0)
        return;
    if (rows->nrows == 0)
        return (void)reply_fail(r, 404, "not_found", NULL);
    reply_json(r, status, row_json(rows, 0, shift_map));
}

void shift_signup(req *r)
{
    if (db_begin(r) != 0)
        return;
    int64_t vid = vol_caller(r);
    if (!vid)
        return;
    const char *cid = arena_i64(r->a, r->community_id), *sid = arena_i64(r->a, req_param_i64(r, 1));
    const char *v = arena_i64(r->a, vid);
    store_rows *shift = NULL, *vol = NULL, *state = NULL;
    const char *p[6] = {cid, sid, v};
    if (q_exec(r, sql_shift_rules, 2, p, &shift) != 0)
        return;
    if (shift->nrows == 0)
        return (void)reply_fail(r, 404, "not_found", NULL);
    int64_t now = clock_now();
    if (store_cell_i64(shift, 0, 0) <= now)
        return (void)reply_fail(r, 409, "shift_started", NULL);
    const char *vq[2] = {cid, v};
    if (q_exec(r, sql_vol_rules, 2, vq, &vol) != 0)
        return;
    int minor = store_cell_i64(vol, 0, 0) != 0;
    if (minor && store_cell_i64(shift, 0, 1))
        return (void)reply_fail(r, 422, "adults_only", NULL);
    if (minor && !store_cell(vol, 0, 1))
        return (void)reply_fail(r, 422, "guardian_consent_missing", NULL);
    if (store_cell(shift, 0, 2)) {
        int64_t one;
        int found = 0;
        const char *tq[3] = {cid, store_cell(shift, 0, 2), v};
        if (q_i64(r, sql_trained, 3, tq, &one, &found) != 0)
            return;
        if (!found) {
            json_t *fields = json_pack("{s:s}", "training_id",
                                       arena_printf(r->a, r->lang == LANG_EN ? "Attend the training first: %s" : "需先参加培训：%s",
                                                    store_cell(shift, 0, 3)));
            reply_fail(r, 422, "training_required", fields);
            return;
        }
    }
    if (q_exec(r, sql_signup_state, 3, p, &state) != 0)
        return;
    if (state->nrows && strcmp(store_cell(state, 0, 0), "cancelled") != 0)
        return (void)reply_fail(r, 409, "already_signed_up", NULL);
    store_rows *seat = NULL;
    if (q_exec(r, sql_take_seat, 2, p, &seat) != 0)
        return;
    int64_t seq;
    store_rc rc = store_next_id(r->db, r->a, &seq);
    if (rc != STORE_OK)
        return db_fail(r, rc);
    p[3] = seat->nrows ? "confirmed" : "waitlist";
    p[4] = arena_i64(r->a, now);
    p[5] = arena_i64(r->a, seq);
    if (q_exec(r, state->nrows ? sql_signup_set : sql_signup_insert, 6, p, NULL) != 0)
        return;
    json_t *after = json_pack("{s:s}", "status", p[3]);
    int bad = q_audit(r, "signup", "shift", req_param_i64(r, 1), NULL, after);
    json_decref(after);
    if (bad || db_commit(r) != 0)
        return;
    reply_shift(r, 200, req_param_i64(r, 1));
}

void shift_cancel(req *r)
{
    if (db_begin(r) != 0)
        return;
    int64_t vid = vol_caller(r);
    if (!vid)
        return;
    const char *cid = arena_i64(r->a, r->community_id), *sid = arena_i64(r->a, req_param_i64(r, 1));
    const char *p[4] = {cid, sid, arena_i64(r->a, vid), "cancelled"};
    store_rows *shift = NULL, *state = NULL;
    if (q_exec(r, sql_shift_rules, 2, p, &shift) != 0 || q_exec(r, sql_signup_state, 3, p, &state) != 0)
        return;
    if (shift->nrows == 0 || state->nrows == 0)
        return (void)reply_fail(r, 404, "not_signed_up", NULL);
    if (strcmp(store_cell(state, 0, 0), "cancelled") == 0) /* a conflict: perhaps one's own earlier try */
        return (void)reply_fail(r, 409, "already_cancelled", NULL);
    if (clock_now() > store_cell_i64(shift, 0, 4))
        return (void)reply_fail(r, 409, "cancel_deadline_passed", NULL);
    int was_confirmed = strcmp(store_cell(state, 0, 0), "confirmed") == 0;
    if (q_exec(r, sql_signup_status, 4, p, NULL) != 0)
        return;
    json_t *after = json_pack("{s:s}", "status", "cancelled");
    if (was_confirmed) {
        /* The seat goes to the first on the waitlist, if anyone waits. */
        store_rows *first = NULL;
        if (q_exec(r, sql_first_waiting, 2, p, &first) != 0) {
            json_decref(after);
            return;
        }
        if (first->nrows) {
            const char *w[4] = {cid, sid, store_cell(first, 0, 0), "confirmed"};
            if (q_exec(r, sql_signup_status, 4, w, NULL) != 0) {
                json_decref(after);
                return;
            }
            json_object_set_new(after, "promoted_volunteer_id", json_integer(store_cell_i64(first, 0, 0)));
        } else if (q_exec(r, sql_free_seat, 2, p, NULL) != 0) {
            json_decref(after);
            return;
        }
    }
    int bad = q_audit(r, "cancel", "shift", req_param_i64(r, 1), NULL, after);
    json_decref(after);
    if (bad || db_commit(r) != 0)
        return;
    reply_shift(r, 200, req_param_i64(r, 1));
}

/* ---- attendance ---- */

static const char sql_att[] =
    "SELECT checkin_at, checkout_at FROM attendance WHERE community_id = $1 AND shift_id = $2 AND volunteer_id = $3";
static const char sql_checkin[] =
    "INSERT INTO attendance (community_id, shift_id, volunteer_id, checkin_at, recorded_by) VALUES ($1, $2, $3, $4, $5)";
static const char sql_checkout[] =
    "UPDATE attendance SET checkout_at = $4, auto_checkout = $5 WHERE community_id = $1 AND shift_id = $2 AND volunteer_id = $3";

/* Checks volunteer in or out of shift at now ("in", "out", or "toggle" for a scan). Inside the open
 * transaction. Sets *state to what happened: checked_in, checked_out, already_checked_in,
 * already_checked_out. On check-out the service minutes become a pending hour record, capped at
 * the shift's length plus the activity's grace. */
static int attendance_step(req *r, int64_t shift_id, int64_t volunteer, const char *action, int64_t now, int automatic,
                           const char **state, int64_t *minutes_out)
{
    const char *cid = arena_i64(r->a, r->community_id);
    const char *p[5] = {cid, arena_i64(r->a, shift_id), arena_i64(r->a, volunteer)};
    store_rows *att = NULL, *shift = NULL;
    if (q_exec(r, sql_att, 3, p, &att) != 0 || q_exec(r, sql_shift_rules, 2, p, &shift) != 0)
        return -1;
    if (shift->nrows == 0)
        return reply_fail(r, 404, "not_found", NULL);
    *minutes_out = 0;
    if (att->nrows == 0) {
        if (strcmp(action, "out") == 0)
            return reply_fail(r, 409, "not_checked_in", NULL);
        p[3] = arena_i64(r->a, now);
        p[4] = arena_i64(r->a, r->account_id);
        if (q_exec(r, sql_checkin, 5, p, NULL) != 0)
            return -1;
        *state = "checked_in";
        return 0;
    }
    if (store_cell(att, 0, 1)) {
        *state = "already_checked_out";
        return 0;
    }
    int64_t in = store_cell_i64(att, 0, 0);
    if (strcmp(action, "in") == 0 || (strcmp(action, "toggle") == 0 && now - in < DOUBLE_SCAN)) {
        *state = "already_checked_in";
        return 0;
    }
    p[3] = arena_i64(r->a, now);
    p[4] = automatic ? "1" : "0";
    if (q_exec(r, sql_checkout, 5, p, NULL) != 0)
        return -1;
    int64_t length = store_cell_i64(shift, 0, 5) - store_cell_i64(shift, 0, 0);
    int64_t cap = length + store_cell_i64(shift, 0, 6) * 60;
    int64_t served = now - in;
    if (served > cap)
        served = cap;
    if (served < 0)
        served = 0;
    char day[11];
    clock_day(in, day);
    int64_t hid;
    *minutes_out = served / 60;
    if (hours_add(r, volunteer, store_cell_i64(shift, 0, 7), shift_id, day, served / 60, store_cell(shift, 0, 9), "shift",
                  "pending", automatic, automatic ? "auto_checkout" : NULL, 0, &hid) != 0)
        return -1;
    *state = "checked_out";
    return 0;
}

static const char sql_stale[] =
    "SELECT shift_id, volunteer_id, checkin_at FROM attendance WHERE community_id = $1 AND checkout_at IS NULL "
    "AND checkin_at < $2";

int shift_sweep_if_needed(req *r)
{
    const char *p[2] = {arena_i64(r->a, r->community_id), arena_i64(r->a, clock_now() - AUTO_CHECKOUT)};
    store_rows *rows = NULL;
    if (q_exec(r, sql_stale, 2, p, &rows) != 0)
        return -1;
    if (rows->nrows == 0)
        return 0;
    if (db_begin(r) != 0 || shift_sweep(r) != 0 || db_commit(r) != 0)
        return -1;
    return 0;
}

int shift_sweep(req *r)
{
    int64_t now = clock_now();
    const char *p[2] = {arena_i64(r->a, r->community_id), arena_i64(r->a, now - AUTO_CHECKOUT)};
    store_rows *rows = NULL;
    if (q_exec(r, sql_stale, 2, p, &rows) != 0)
        return -1;
    for (int i = 0; i < rows->nrows; i++) {
        const char *state;
        int64_t minutes;
        if (attendance_step(r, store_cell_i64(rows, i, 0), store_cell_i64(rows, i, 1), "out",
                            store_cell_i64(rows, i, 2) + AUTO_CHECKOUT, 1, &state, &minutes) != 0)
            return -1;
    }
    return 0;
}

static const char sql_signed_up[] =
    "SELECT status FROM signups WHERE community_id = $1 AND shift_id = $2 AND volunteer_id = $3 AND status = 'confirmed'";

/* The token in a shift's QR code: community.shift.expiry.signature (see volunteers.h). */
char *qr_token_mint(arena *a, const struct crypto_keys *k, int64_t community, int64_t shift, int64_t expires)
{
    char *body = arena_printf(a, "%lld.%lld.%lld", (long long)community, (long long)shift, (long long)expires);
    const char *mac = body ? crypto_mac_hex(a, k, body) : NULL;
    return mac ? arena_printf(a, "%s.%s", body, mac) : NULL;
}

int qr_token_parse(const char *token, int64_t *community, int64_t *shift, int64_t *expires)
{
    char buf[128];
    if (!token || strlen(token) >= sizeof buf)
        return -1;
    strcpy(buf, token);
    /* Three numbers and the MAC, split at the first three dots (the MAC has none). */
    char *part[4];
    part[0] = buf;
    for (int i = 1; i < 4; i++) {
        char *dot = strchr(part[i - 1], '.');
        if (!dot)
            return -1;
        *dot = 0;
        part[i] = dot + 1;
    }
    int64_t v[3];
    for (int i = 0; i < 3; i++)
        if (validate_int(part[i], INT64_MIN, INT64_MAX, &v[i]) != 0)
            return -1;
    /* The numbers as %lld writes them ("007" or "-0" was never minted), then 32 lowercase hex. */
    char canon[64];
    int len = snprintf(canon, sizeof canon, "%lld.%lld.%lld.", (long long)v[0], (long long)v[1], (long long)v[2]);
    if (len < 0 || (size_t)len >= sizeof canon || strncmp(canon, token, (size_t)len) != 0)
        return -1;
    const char *mac = part[3];
    if (strlen(mac) != 32 || strspn(mac, "0123456789abcdef") != 32)
        return -1;
    *community = v[0];
    *shift = v[1];
    *expires = v[2];
    return 0;
}

int qr_token_check(arena *a, const struct crypto_keys *k, const char *token, int64_t *community, int64_t *shift,
                   int64_t *expires)
{
    int64_t c, s, e;
    if (qr_token_parse(token, &c, &s, &e) != 0)
        return -1;
    const char *minted = qr_token_mint(a, k, c, s, e);
    if (!minted || !crypto_str_equal(token, minted))
        return -1;
    *community = c;
    *shift = s;
    *expires = e;
    return 0;
}

void shift_qr(req *r)
{
    int64_t shift = req_param_i64(r, 1), one;
    int found = 0;
    const char *p[2] = {arena_i64(r->a, r->community_id), arena_i64(r->a, shift)};
    static const char sql_exists[] = "SELECT 1 FROM shifts WHERE community_id = $1 AND id = $2";
    if (q_i64(r, sql_exists, 2, p, &one, &found) != 0)
        return;
    if (!found)
        return (void)reply_fail(r, 404, "not_found", NULL);
    int64_t expires = clock_now() + QR_LIFETIME;
    char *token = qr_token_mint(r->a, &r->app->keys, r->community_id, shift, expires);
    if (!token)
        return (void)reply_fail(r, 500, "internal", NULL);
    /* Absolute, at the public address: a phone's camera opens what the code holds. */
    char *url = arena_printf(r->a, "%s/m/checkin?c=%lld&s=%lld&t=%s", req_public_url(r), (long long)r->community_id,
                             (long long)shift, token);
    char *svg = qr_svg(url);
    if (!svg)
        return (void)reply_fail(r, 500, "internal", NULL);
    json_t *o = json_pack("{s:s, s:s, s:I, s:s}", "token", token, "url", url, "expires_at", (json_int_t)expires, "svg", svg);
    free(svg);
    reply_json(r, 200, o);
}

/* A volunteer scans the shift's QR code: the first scan checks in, a later one checks out. */
void shift_scan(req *r)
{
    const char *token = json_string_value(json_object_get(r->in, "token"));
    int64_t shift = req_param_i64(r, 1);
    int64_t c = 0, s = 0, exp = 0;
    if (qr_token_check(r->a, &r->app->keys, token, &c, &s, &exp) != 0 || c != r->community_id || s != shift)
        return (void)reply_fail(r, 422, "qr_invalid", NULL);
    int64_t now = clock_now();
    if (exp < now)
        return (void)reply_fail(r, 422, "qr_expired", NULL);
    if (db_begin(r) != 0)
        return;
    int64_t vid = vol_caller(r);
    if (!vid || shift_sweep(r) != 0)
        return;
    int64_t one;
    int found = 0;
    const char *p[3] = {arena_i64(r->a, r->community_id), arena_i64(r->a, shift), arena_i64(r->a, vid)};
    if (q_i64(r, sql_signed_up, 3, p, &one, &found) != 0)
        return;
    if (!found)
        return (void)reply_fail(r, 409, "not_signed_up", NULL);
    const char *state;
    int64_t minutes;
    if (attendance_step(r, shift, vid, "toggle", now, 0, &state, &minutes) != 0)
        return;
    json_t *after = json_pack("{s:s, s:I}", "state", state, "volunteer_id", (json_int_t)vid);
    int bad = strncmp(state, "already", 7) != 0 && q_audit(r, "scan", "shift", shift, NULL, after);
    if (bad || db_commit(r) != 0) {
        json_decref(after);
        return;
    }
    json_object_set_new(after, "minutes", json_integer(minutes));
    reply_json(r, 200, after);
}

static const char sql_vol_approved[] = "SELECT 1 FROM volunteers WHERE community_id = $1 AND id = $2 AND status = 'approved'";

/* The coordinator checks someone in or out from the roster (elders without a phone) — never
 * themselves: their own times come from scanning the QR code like everyone's. */
void shift_attendance(req *r)
{
    int64_t shift = req_param_i64(r, 1), vid = json_integer_value(json_object_get(r->in, "volunteer_id"));
    const char *action = json_string_value(json_object_get(r->in, "action"));
    if (db_begin(r) != 0 || shift_sweep(r) != 0)
        return;
    int64_t one;
    int found = 0;
    const char *p[2] = {arena_i64(r->a, r->community_id), arena_i64(r->a, vid)};
    if (q_i64(r, sql_vol_approved, 2, p, &one, &found) != 0)
        return;
    if (!found)
        return (void)reply_field(r, "volunteer_id", "unknown_volunteer");
    if (vol_not_own(r, vid) != 0)
        return;
    const char *state;
    int64_t minutes;
    if (attendance_step(r, shift, vid, strcmp(action, "checkin") == 0 ? "in" : "out", clock_now(), 0, &state, &minutes) != 0)
        return;
    json_t *after = json_pack("{s:s, s:I, s:I}", "state", state, "volunteer_id", (json_int_t)vid, "minutes", (json_int_t)minutes);
    if (q_audit(r, action, "attendance", shift, NULL, after) != 0 || db_commit(r) != 0) {
        json_decref(after);
        return;
    }
    reply_json(r, 200, after);
}

static const char sql_roster[] =
    "SELECT v.id, v.number, v.name, v.is_minor, g.status, a.checkin_at, a.checkout_at, a.auto_checkout "
    "FROM signups g JOIN volunteers v ON v.community_id = g.community_id AND v.id = g.volunteer_id "
    "LEFT JOIN attendance a ON a.community_id = g.community_id AND a.shift_id = g.shift_id AND a.volunteer_id = g.volunteer_id "
    "WHERE g.community_id = $1 AND g.shift_id = $2 AND g.status <> 'cancelled' ORDER BY g.status, g.seq";
static const struct colmap roster_map[] = {
    {"volunteer_id", 'i'}, {"number", 'n'}, {"name", 's'}, {"is_minor", 'b'}, {"status", 's'}, {"checkin_at", 'i'},
    {"checkout_at", 'i'}, {"auto_checkout", 'b'}, {0},
};

void shift_roster(req *r)
{
    struct list_args la;
    if (list_args_parse(r, &la) != 0 || shift_sweep_if_needed(r) != 0)
        return;
    const char *p[2] = {arena_i64(r->a, r->community_id), arena_i64(r->a, req_param_i64(r, 1))};
    store_rows *rows = NULL;
    if (q_exec(r, sql_roster, 2, p, &rows) != 0)
        return;
    reply_list(r, &la, rows_json(rows, roster_map), rows->nrows, NULL);
}
