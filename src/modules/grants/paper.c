/* Paper ballots and objections for grant rounds. A resident without a phone votes on paper at the
 * office: one staff member keys in the ballot with its serial number, a second checks it against the
 * paper; only then is it counted, with the person marked as having voted (so they cannot also vote
 * online as that person), and its choices moved to the secret ballots and erased from the paper row.
 * During the public notice residents file objections that staff answer. */
#include "auth/roles.h"
#include "core/fault.h"
#include "core/clock.h"
#include "modules/grants/grants.h"
#include "server/reply.h"
#include <string.h>

static const char *cid_of(req *r) { return arena_i64(r->a, r->community_id); }

static const char sql_person[] = "SELECT 1 FROM people WHERE community_id = $1 AND id = $2";
static const char sql_voted[] = "SELECT 1 FROM grant_voted WHERE community_id = $1 AND round_id = $2 AND voter_key = $3";
static const char sql_paper_insert[] =
    "INSERT INTO grant_paper (community_id, round_id, serial, person_id, choices, entered_by, status) VALUES ($1, $2, $3, $4, $5, $6, 'pending')";

/* The round of the path, its phase moved on by its dates first (a round whose voting opened by the
 * clock is in voting even if nobody has looked at it since): 0 while it takes votes, else 409. */
static int open_round(req *r, store_rows **round)
{
    if (grant_round_load(r, round) != 0)
        return -1;
    int64_t now = clock_now();
    if (strcmp(store_cell(*round, 0, 2), "voting") != 0 || now < store_cell_i64(*round, 0, 6) || now >= store_cell_i64(*round, 0, 7))
        return reply_fail(r, 409, "voting_closed", NULL);
    return 0;
}

void paper_enter(req *r)
{
    json_t *ids = json_object_get(r->in, "proposal_ids");
    if (db_begin(r) != 0)
        return;
    store_rows *round = NULL;
    if (open_round(r, &round) != 0)
        return;
    if (ballot_check(r, round, ids) != 0)
        return;
    int64_t one, person = json_integer_value(json_object_get(r->in, "person_id"));
    int found = 0;
    const char *rid = store_cell(round, 0, 0);
    if (q_i64(r, sql_person, 2, (const char *[]){cid_of(r), arena_i64(r->a, person)}, &one, &found) != 0)
        return;
    if (!found)
        return (void)reply_field(r, "person_id", "unknown_person");
    if (q_i64(r, sql_voted, 3, (const char *[]){cid_of(r), rid, arena_printf(r->a, "person:%lld", (long long)person)}, &one, &found) != 0)
        return;
    if (found)
        return (void)reply_fail(r, 409, "already_voted", NULL);
    const char *choices = json_text(r->a, ids, JSON_COMPACT);
    const char *p[6] = {cid_of(r), rid, json_string_value(json_object_get(r->in, "serial")), arena_i64(r->a, person), choices,
                        arena_i64(r->a, r->account_id)};
    store_rc rc = store_exec(r->db, r->a, sql_paper_insert, 6, p, NULL);
    if (rc == STORE_CONSTRAINT) { /* a conflict, not bad input: this ballot may be one's own earlier attempt */
        json_t *fields = NULL;
        field_error(r, &fields, "serial", "duplicate_serial");
        return (void)reply_fail(r, 409, "conflict", fields);
    }
    if (rc != STORE_OK)
        return db_fail(r, rc);
    json_t *what = json_pack("{s:s, s:I}", "serial", p[2], "person_id", (json_int_t)person);
    int bad = q_audit(r, "paper_ballot", "grant_round", req_param_i64(r, 1), NULL, what);
    json_decref(what);
    if (bad || db_commit(r) != 0)
        return;
    reply_json(r, 201, json_pack("{s:s, s:s}", "serial", p[2], "status", "pending"));
}

static const char sql_paper[] =
    "SELECT person_id, choices, entered_by, status FROM grant_paper WHERE community_id = $1 AND round_id = $2 AND serial = $3";
static const char sql_paper_done[] =
    "UPDATE grant_paper SET status = $4, checked_by = $5, choices = NULL WHERE community_id = $1 AND round_id = $2 AND serial = $3";
static const char sql_voted_insert[] = "INSERT INTO grant_voted (community_id, round_id, voter_key) VALUES ($1, $2, $3)";
static const char sql_ballot_insert[] = "INSERT INTO grant_ballots (community_id, round_id, ballot, proposal_id) VALUES ($1, $2, $3, $4)";

/* The second staff member checks the keyed ballot against the paper: confirm counts it, else it is
 * rejected (to be keyed in again). Nobody checks their own keying. */
void paper_check(req *r)
{
    int confirm = json_is_true(json_object_get(r->in, "confirm"));
    if (db_begin(r) != 0)
        return;
    store_rows *round = NULL, *paper = NULL;
    if (open_round(r, &round) != 0)
        return;
    const char *rid = store_cell(round, 0, 0), *serial = r->pv[2];
    if (q_exec(r, sql_paper, 3, (const char *[]){cid_of(r), rid, serial}, &paper) != 0)
        return;
    if (paper->nrows == 0)
        return (void)reply_fail(r, 404, "not_found", NULL);
    if (strcmp(store_cell(paper, 0, 3), "pending") != 0)
        return (void)reply_fail(r, 409, "already_checked", NULL);
    if (store_cell_i64(paper, 0, 2) == r->account_id)
        return (void)reply_fail(r, 403, "own_keying", NULL);
    if (confirm) {
        store_rc rc = store_exec(r->db, r->a, sql_voted_insert, 3,
                                 (const char *[]){cid_of(r), rid, arena_printf(r->a, "person:%s", store_cell(paper, 0, 0))}, NULL);
        if (rc == STORE_CONSTRAINT)
            return (void)reply_fail(r, 409, "already_voted", NULL);
        if (rc != STORE_OK)
            return db_fail(r, rc);
        json_error_t e;
        json_t *ids = json_parse_str(store_cell(paper, 0, 1), &e);
        /* Counted only as keyed: a ballot whose stored choices are not a list of ids is not counted. */
        size_t k, nids = json_array_size(ids);
        json_t *one;
        int valid = json_is_array(ids) && nids > 0;
        json_array_foreach(ids, k, one) valid = valid && json_is_integer(one) && json_integer_value(one) > 0;
        if (!valid) {
            json_decref(ids);
            return (void)grant_stored_invalid(r, "paper ballot choices", req_param_i64(r, 1));
        }
        const char *ballot = crypto_token(r->a, 16);
        size_t i;
        json_t *v;
        json_array_foreach(ids, i, v) {
            if (q_exec(r, sql_ballot_insert, 4, (const char *[]){cid_of(r), rid, ballot, arena_i64(r->a, json_integer_value(v))}, NULL) != 0) {
                json_decref(ids);
                return;
            }
        }
        json_decref(ids);
    }
    const char *status = confirm ? "counted" : "rejected";
    if (q_exec(r, sql_paper_done, 5, (const char *[]){cid_of(r), rid, serial, status, arena_i64(r->a, r->account_id)}, NULL) != 0)
        return;
    json_t *what = json_pack("{s:s, s:s}", "serial", serial, "status", status);
    int bad = q_audit(r, "paper_check", "grant_round", req_param_i64(r, 1), NULL, what);
    json_decref(what);
    if (bad || db_commit(r) != 0)
        return;
    reply_json(r, 200, json_pack("{s:s, s:s}", "serial", serial, "status", status));
}

/* ---- objections ---- */

static const char sql_published[] = "SELECT results_published_at, phase FROM grant_rounds WHERE community_id = $1 AND id = $2";
static const char sql_proposal_in[] = "SELECT 1 FROM grant_proposals WHERE community_id = $1 AND round_id = $2 AND id = $3";
static const char sql_objection_insert[] =
    "INSERT INTO grant_objections (community_id, id, round_id, proposal_id, account_id, text, filed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";

void objection_file(req *r)
{
    if (db_begin(r) != 0)
        return;
    store_rows *round = NULL;
    const char *rid = arena_i64(r->a, req_param_i64(r, 1));
    if (q_exec(r, sql_published, 2, (const char *[]){cid_of(r), rid}, &round) != 0)
        return;
    if (round->nrows == 0)
        return (void)reply_fail(r, 404, "not_found", NULL);
    if (!store_cell(round, 0, 0) || strcmp(store_cell(round, 0, 1), "results") != 0)
        return (void)reply_fail(r, 409, "outside_phase", NULL);
    int64_t pid = json_integer_value(json_object_get(r->in, "proposal_id")), one, id;
    int found = 0;
    if (q_i64(r, sql_proposal_in, 3, (const char *[]){cid_of(r), rid, arena_i64(r->a, pid)}, &one, &found) != 0)
        return;
    if (!found)
        return (void)reply_field(r, "proposal_id", "unknown_proposal");
    store_rc rc = store_next_id(r->db, r->a, &id);
    if (rc != STORE_OK)
        return db_fail(r, rc);
    const char *p[7] = {cid_of(r), arena_i64(r->a, id), rid, arena_i64(r->a, pid), arena_i64(r->a, r->account_id),
                        json_string_value(json_object_get(r->in, "text")), arena_i64(r->a, clock_now())};
    if (q_exec(r, sql_objection_insert, 7, p, NULL) != 0 || q_audit(r, "object", "grant_proposal", pid, NULL, r->in) != 0 || db_commit(r) != 0)
        return;
    reply_json(r, 201, json_pack("{s:I, s:I, s:s}", "id", (json_int_t)id, "proposal_id", (json_int_t)pid, "text", p[5]));
}

static const char sql_objections[] =
    "SELECT o.id, o.proposal_id, p.title, o.text, o.filed_at, o.answer, o.answered_by, o.answered_at FROM grant_objections o "
    "JOIN grant_proposals p ON p.community_id = o.community_id AND p.id = o.proposal_id "
    "WHERE o.community_id = $1 AND o.round_id = $2 ORDER BY o.id";
static const struct colmap objection_map[] = {
    {"id", 'i'}, {"proposal_id", 'i'}, {"title", 's'}, {"text", 's'}, {"filed_at", 'i'}, {"answer", 'n'}, {"answered_by", 'n'},
    {"answered_at", 'i'}, {0},
};

/* Objections and their answers are public during the notice (who objected is not shown). */
void objections_list(req *r)
{
    struct list_args la;
    store_rows *rows = NULL;
    if (list_args_parse(r, &la) != 0 ||
        q_exec(r, sql_objections, 2, (const char *[]){cid_of(r), arena_i64(r->a, req_param_i64(r, 1))}, &rows) != 0)
        return;
    reply_list(r, &la, rows_json(rows, objection_map), rows->nrows, NULL);
}

static const char sql_answer[] =
    "UPDATE grant_objections SET answer = $3, answered_by = $4, answered_at = $5 WHERE community_id = $1 AND id = $2 AND round_id = $6";

void objection_answer(req *r)
{
    if (db_begin(r) != 0)
        return;
    store_rows *rows = NULL;
    const char *p[6] = {cid_of(r), arena_i64(r->a, req_param_i64(r, 2)), json_string_value(json_object_get(r->in, "answer")), r->login,
                        arena_i64(r->a, clock_now()), arena_i64(r->a, req_param_i64(r, 1))};
    static const char sql_one[] = "SELECT 1 FROM grant_objections WHERE community_id = $1 AND id = $2";
    if (q_exec(r, sql_one, 2, p, &rows) != 0)
        return;
    if (rows->nrows == 0)
        return (void)reply_fail(r, 404, "not_found", NULL);
    if (q_exec(r, sql_answer, 6, p, NULL) != 0 || q_audit(r, "answer", "grant_objection", req_param_i64(r, 2), NULL, r->in) != 0 || db_commit(r) != 0)
        return;
    reply_json(r, 200, json_pack("{s:I, s:s}", "id", (json_int_t)req_param_i64(r, 2), "answer", p[2]));
}
