/* Attachments of grant proposals and the progress reports of funded projects. An attachment is a
 * PDF, JPEG or PNG (checked by its first bytes, not by what the client says), at most 5 MiB, stored
 * once under DATA_DIR/attachments/COMMUNITY/SHA256 (core/files.h) and described in
 * grant_attachments, whose sha256 column holds the 64 hex characters of its reference. A funded
 * organisation files reports (activities held, participants, spending against its budget lines,
 * photos); staff accept or return them. */
#include "auth/roles.h"
#include "core/fault.h"
#include "core/clock.h"
#include "core/files.h"
#include "core/validate.h"
#include "modules/grants/grants.h"
#include "server/reply.h"
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


static const char *cid_of(req *r) { return arena_i64(r->a, r->community_id); }

static const char sql_attach_insert[] =
    "INSERT INTO grant_attachments (community_id, id, proposal_id, name, content_type, size_bytes, sha256, uploaded_by, uploaded_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/* While the proposal may be edited (grant_proposal_editable: the round's submission phase, before
 * its deadline), by a representative of its organisation or staff. */
void attachment_upload(req *r)
{
    const char *type = file_sniff(r->body ? r->body : "", r->body_len);
    if (!type)
        return (void)reply_fail(r, 415, "attachment_type", NULL);
    const char *name = req_query(r, "name");
    if (!name || !*name || strlen(name) > 120 || strchr(name, '/'))
        return (void)reply_field(r, "name", "required");
    if (db_begin(r) != 0)
        return;
    store_rows *round = NULL, *prop = NULL;
    if (grant_proposal_editable(r, &round, &prop) != 0)
        return;
    char ref[FILE_REF_LEN + 1];
    if (file_store(r->app->data_dir, r->community_id, r->body, r->body_len, ref) != FILE_OK) {
        fprintf(stderr, "linli: cannot store an attachment under %s: %s\n", r->app->data_dir, strerror(errno));
        return (void)reply_fail(r, 500, "internal", NULL);
    }
    const char *hex = ref + sizeof FILE_REF_PREFIX - 1; /* the column holds the SHA-256 alone */
    int64_t id;
    store_rc rc = store_next_id(r->db, r->a, &id);
    if (rc != STORE_OK)
        return db_fail(r, rc);
    const char *q[9] = {cid_of(r), arena_i64(r->a, id), store_cell(prop, 0, 0), name, type, arena_i64(r->a, (int64_t)r->body_len), arena_strdup(r->a, hex),
                        arena_i64(r->a, r->account_id), arena_i64(r->a, clock_now())};
    json_t *item = json_pack("{s:I, s:s, s:s, s:I, s:s}", "id", (json_int_t)id, "name", name, "content_type", type, "size_bytes",
                             (json_int_t)r->body_len, "sha256", hex);
    if (q_exec(r, sql_attach_insert, 9, q, NULL) != 0 || q_audit(r, "attach", "grant_proposal", req_param_i64(r, 2), NULL, item) != 0 ||
        db_commit(r) != 0) {
        json_decref(item);
        return;
    }
    reply_json(r, 201, item);
}

/* The attachment of the path: of that proposal, and the proposal of that round. */
static const char sql_attachment[] =
    "SELECT a.name, a.content_type, a.sha256, p.organisation_id FROM grant_attachments a JOIN grant_proposals p ON "
    "p.community_id = a.community_id AND p.id = a.proposal_id WHERE a.community_id = $1 AND p.round_id = $2 AND a.proposal_id = $3 "
    "AND a.id = $4";
static const char sql_is_reviewer[] = "SELECT 1 FROM grant_reviewers WHERE community_id = $1 AND round_id = $2 AND account_id = $3";

/* Staff, social workers and district staff read every attachment; a reviewer those of the rounds
 * they review; an org rep those of their organisations' proposals. */
void attachment_get(req *r)
{
    store_rows *rows = NULL;
    const char *rid = arena_i64(r->a, req_param_i64(r, 1));
    if (q_exec(r, sql_attachment, 4,
               (const char *[]){cid_of(r), rid, arena_i64(r->a, req_param_i64(r, 2)), arena_i64(r->a, req_param_i64(r, 3))}, &rows) != 0)
        return;
    if (rows->nrows == 0)
        return (void)reply_fail(r, 404, "not_found", NULL);
    int may = perm_allows("grants.all_attachments", r->roles);
    if (!may && perm_allows("grants.review", r->roles)) {
        int64_t one;
        if (q_i64(r, sql_is_reviewer, 3, (const char *[]){cid_of(r), rid, arena_i64(r->a, r->account_id)}, &one, &may) != 0)
            return;
    }
    if (!may && perm_allows("grants.propose", r->roles) && (may = grant_acts_for(r, store_cell_i64(rows, 0, 3))) < 0)
        return;
    if (!may)
        return (void)reply_fail(r, 403, "attachment_forbidden", NULL);
    size_t n = 0;
    char *data = NULL;
    const char *ref = arena_printf(r->a, FILE_REF_PREFIX "%s", store_cell(rows, 0, 2));
    file_rc frc = file_load(r->app->data_dir, r->community_id, ref, &data, &n);
    if (frc != FILE_OK)
        return reply_file_error(r, frc, arena_printf(r->a, "grant attachment %lld", (long long)req_param_i64(r, 3)));
    reply_bytes(r, 200, store_cell(rows, 0, 1), data, n);
    reply_header(r, "Content-Disposition", arena_printf(r->a, "inline; filename*=UTF-8''%lld", (long long)req_param_i64(r, 3)));
}

/* ---- progress reports ---- */

static const char sql_funded[] =
    "SELECT funded, organisation_id, budget_lines FROM grant_proposals WHERE community_id = $1 AND round_id = $2 AND id = $3";
static const char sql_report_insert[] =
    "INSERT INTO grant_reports (community_id, id, proposal_id, period, activities, participants, spending, photos, is_final, "
    "submitted_by, submitted_at, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'submitted')";

/* 1 when lines (the stored budget lines, parsed) is what the proposal checks store: an array of
 * objects each with a non-empty item. Spending is matched against those items by name. */
static int stored_lines_valid(const json_t *lines)
{
    size_t i;
    json_t *l;
    if (!json_is_array(lines))
        return 0;
    json_array_foreach(lines, i, l) {
        json_t *item = json_object_get(l, "item");
        if (!json_is_object(l) || !json_is_string(item) || json_string_length(item) == 0)
            return 0;
    }
    return 1;
}

static const char sql_attachment_of[] = "SELECT 1 FROM grant_attachments WHERE community_id = $1 AND proposal_id = $2 AND id = $3";

/* 0 when photos (NULL: none) is an array of at most 50 ids, each of an attachment of the proposal
 * pid, none twice; else replies 422 on photos (-1). What is stored is only ever such ids: a client
 * value is never kept as something that could name a file (issue #11). */
static int report_photos_check(req *r, const char *pid, const json_t *photos)
{
    size_t i, n = json_array_size(photos);
    json_t *ph;
    if (photos && (!json_is_array(photos) || n > 50))
        return reply_field(r, "photos", "invalid_type");
    json_array_foreach(photos, i, ph) {
        int64_t one;
        int found = 0;
        if (!json_is_integer(ph) || json_integer_value(ph) < 1)
            return reply_field(r, "photos", "invalid_type");
        for (size_t j = 0; j < i; j++)
            if (json_equal(json_array_get(photos, j), ph))
                return reply_field(r, "photos", "duplicate");
        if (q_i64(r, sql_attachment_of, 3, (const char *[]){cid_of(r), pid, arena_i64(r->a, json_integer_value(ph))}, &one, &found) != 0)
            return -1;
        if (!found)
            return reply_field(r, "photos", "unknown_attachment");
    }
    return 0;
}

/* A representative of the funded proposal's organisation (or staff) files a progress report:
 * spending in fen (0 … MONEY_MAX_FEN) against the proposal's own budget lines, by item; photos
 * as ids of the proposal's attachments. */
void report_file(req *r)
{
    json_t *in = r->in;
    if (db_begin(r) != 0)
        return;
    store_rows *prop = NULL;
    const char *pid = arena_i64(r->a, req_param_i64(r, 2));
    if (q_exec(r, sql_funded, 3, (const char *[]){cid_of(r), arena_i64(r->a, req_param_i64(r, 1)), pid}, &prop) != 0)
        return;
    if (prop->nrows == 0)
        return (void)reply_fail(r, 404, "not_found", NULL);
    if (!store_cell(prop, 0, 0) || store_cell_i64(prop, 0, 0) == 0)
        return (void)reply_fail(r, 409, "not_funded", NULL);
    int acts = grant_acts_for(r, store_cell_i64(prop, 0, 1));
    if (acts < 0)
        return;
    if (!acts)
        return (void)reply_fail(r, 403, "not_representative", NULL);
    /* Spending is reported against the proposal's own budget lines, which are not trusted blindly:
     * lines stored before the checks (or edited since) are refused, not read. */
    json_error_t e;
    json_t *lines = json_parse_str(store_cell(prop, 0, 2), &e);
    if (!stored_lines_valid(lines)) {
        json_decref(lines);
        return (void)grant_stored_invalid(r, "budget lines", req_param_i64(r, 2));
    }
    const char *key;
    json_t *v;
    json_object_foreach(json_object_get(in, "spending"), key, v) {
        int known = 0;
        size_t i;
        json_t *l;
        json_array_foreach(lines, i, l) if (strcmp(json_string_value(json_object_get(l, "item")), key) == 0) known = 1;
        const char *code = !known ? "unknown_budget_line" : !json_is_integer(v) ? "invalid_type" : json_integer_value(v) < 0 ? "money_negative"
                                                          : json_integer_value(v) > MONEY_MAX_FEN ? "money_too_large" : NULL;
        if (code) {
            json_decref(lines);
            return (void)reply_field(r, "spending", code);
        }
    }
    json_decref(lines);
    if (report_photos_check(r, pid, json_object_get(in, "photos")) != 0)
        return;
    int64_t id;
    store_rc rc = store_next_id(r->db, r->a, &id);
    if (rc != STORE_OK)
        return db_fail(r, rc);
    const char *spending = json_text(r->a, json_object_get(in, "spending"), JSON_COMPACT | JSON_SORT_KEYS);
    json_t *photo_list = json_object_get(in, "photos");
    const char *photos = photo_list ? json_text(r->a, photo_list, JSON_COMPACT) : "[]";
    const char *p[11] = {cid_of(r), arena_i64(r->a, id), pid, json_string_value(json_object_get(in, "period")),
                         json_string_value(json_object_get(in, "activities")), arena_i64(r->a, json_integer_value(json_object_get(in, "participants"))),
                         spending, photos, json_is_true(json_object_get(in, "final")) ? "1" : "0",
                         arena_i64(r->a, r->account_id), arena_i64(r->a, clock_now())};
    if (q_exec(r, sql_report_insert, 11, p, NULL) != 0 || q_audit(r, "report", "grant_proposal", req_param_i64(r, 2), NULL, in) != 0 ||
        db_commit(r) != 0)
        return;
    reply_json(r, 201, json_pack("{s:I, s:I, s:s}", "id", (json_int_t)id, "proposal_id", (json_int_t)req_param_i64(r, 2), "status", "submitted"));
}

static const char sql_reports[] =
    "SELECT g.id, g.proposal_id, p.title, g.period, g.activities, g.participants, g.spending, g.photos, g.is_final, g.submitted_at, "
    "g.status, g.review_note, g.reviewed_by FROM grant_reports g JOIN grant_proposals p ON p.community_id = g.community_id "
    "AND p.id = g.proposal_id WHERE g.community_id = $1 AND p.round_id = $2 ORDER BY g.id";
static const struct colmap report_map[] = {
    {"id", 'i'}, {"proposal_id", 'i'}, {"title", 's'}, {"period", 's'}, {"activities", 's'}, {"participants", 'i'}, {"-", '-'},
    {"-", '-'}, {"final", 'b'}, {"submitted_at", 'i'}, {"status", 's'}, {"review_note", 'n'}, {"reviewed_by", 'n'}, {0},
};

void reports_list(req *r)
{
    struct list_args la;
    store_rows *rows = NULL;
    if (list_args_parse(r, &la) != 0 ||
        q_exec(r, sql_reports, 2, (const char *[]){cid_of(r), arena_i64(r->a, req_param_i64(r, 1))}, &rows) != 0)
        return;
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows; i++) {
        json_t *o = row_json(rows, i, report_map);
        json_error_t e;
        json_t *s = json_parse_str(store_cell(rows, i, 6), &e), *ph = json_parse_str(store_cell(rows, i, 7), &e);
        json_object_set_new(o, "spending", s ? s : json_object());
        json_object_set_new(o, "photos", ph ? ph : json_array());
        json_array_append_new(items, o);
    }
    reply_list(r, &la, items, rows->nrows, NULL);
}

static const char sql_review[] =
    "UPDATE grant_reports SET status = $3, review_note = $4, reviewed_by = $5, reviewed_at = $6 WHERE community_id = $1 AND id = $2 "
    "AND status = 'submitted' RETURNING id";

static const char sql_own_report[] =
    "SELECT 1 FROM grant_reports g JOIN grant_proposals p ON p.community_id = g.community_id AND p.id = g.proposal_id "
    "WHERE g.community_id = $1 AND g.id = $2 AND (g.submitted_by = $3 OR p.submitted_by = $3)";

/* Staff accept or return a report; never one they filed, nor one of a proposal they submitted (an
 * accepted final report releases the last tranche): 403 own_report. */
void report_review(req *r)
{
    const char *decision = json_string_value(json_object_get(r->in, "decision"));
    const char *note = json_string_value(json_object_get(r->in, "note"));
    if (strcmp(decision, "return") == 0 && (!note || !*note))
        return (void)reply_field(r, "note", "required");
    if (db_begin(r) != 0)
        return;
    int64_t one;
    int own = 0;
    if (q_i64(r, sql_own_report, 3, (const char *[]){cid_of(r), arena_i64(r->a, req_param_i64(r, 2)), arena_i64(r->a, r->account_id)}, &one, &own) != 0)
        return;
    if (own)
        return (void)reply_fail(r, 403, "own_report", NULL);
    store_rows *rows = NULL;
    if (q_exec(r, sql_review, 6,
               (const char *[]){cid_of(r), arena_i64(r->a, req_param_i64(r, 2)), strcmp(decision, "accept") == 0 ? "accepted" : "returned", note,
                                r->login, arena_i64(r->a, clock_now())},
               &rows) != 0)
        return;
    if (rows->nrows == 0)
        return (void)reply_fail(r, 409, "report_closed", NULL);
    if (q_audit(r, decision, "grant_report", req_param_i64(r, 2), NULL, r->in) != 0 || db_commit(r) != 0)
        return;
    reply_json(r, 200, json_pack("{s:I, s:s}", "id", (json_int_t)req_param_i64(r, 2), "status", strcmp(decision, "accept") == 0 ? "accepted" : "returned"));
}
