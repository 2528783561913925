/* Micro-venture grants (微创投): rounds with a budget, phases and a published formula; proposals by
 * organisations; reviewers who declare conflicts and score on a weighted rubric without seeing each
 * other's scores until scoring closes; verified residents' votes (household codes or a link to a
 * registry person made by staff), one per person per round, kept secret; the combined ranking and
 * the selection within the budget; tranches paid through the fund. Scores are kept in thousandths
 * of a point (integers), so that the formula is exact and the same on every engine. */
#include "auth/ratelimit.h"
#include "auth/roles.h"
#include "core/fault.h"
#include "core/clock.h"
#include "core/validate.h"
#include "modules/fund/fund.h"
#include "modules/grants/grants.h"
#include "server/reply.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *cid_of(req *r) { return arena_i64(r->a, r->community_id); }

/* The string field k of a JSON object, or d when it is absent or not a string. */
static const char *str_or(const json_t *in, const char *k, const char *d)
{
    const char *v = json_string_value(json_object_get(in, k));
    return v ? v : d;
}

static const char *const phases[] = {"submission", "eligibility", "scoring", "voting", "results", "funded", "reporting", "closed", NULL};

static int phase_index(const char *p)
{
    for (int i = 0; phases[i]; i++)
        if (strcmp(phases[i], p) == 0)
            return i;
    return -1;
}

static const char default_rubric[] =
    "[{\"key\":\"need\",\"label\":\"社区需求\",\"weight\":30,\"max\":10},"
    "{\"key\":\"feasibility\",\"label\":\"可行性\",\"weight\":30,\"max\":10},"
    "{\"key\":\"participation\",\"label\":\"居民参与\",\"weight\":20,\"max\":10},"
    "{\"key\":\"budget\",\"label\":\"预算合理\",\"weight\":20,\"max\":10}]";

/* 1 when rubric is a rubric the scoring can rely on: 1 to 20 criteria, each an object with a key
 * (1 to 40 characters, no key twice), an optional label (text of at most 80 characters), a whole
 * weight from 1 to 100 and a whole maximum from 1 to 1000, the weights summing to 100. So a score is
 * at most 1000 × 100 × 1000 in the sum of score_put, and never divided by zero. */
static int rubric_valid(const json_t *rubric)
{
    int64_t wsum = 0;
    size_t i, n = json_array_size(rubric);
    json_t *c;
    if (!json_is_array(rubric) || n == 0 || n > 20)
        return 0;
    json_array_foreach(rubric, i, c) {
        json_t *key = json_object_get(c, "key"), *label = json_object_get(c, "label");
        json_t *weight = json_object_get(c, "weight"), *max = json_object_get(c, "max");
        if (!json_is_object(c) || !json_is_string(key) || json_string_length(key) == 0 || utf8_length(json_string_value(key)) > 40)
            return 0;
        if (label && (!json_is_string(label) || utf8_length(json_string_value(label)) > 80))
            return 0;
        if (!json_is_integer(weight) || json_integer_value(weight) < 1 || json_integer_value(weight) > 100 || !json_is_integer(max) ||
            json_integer_value(max) < 1 || json_integer_value(max) > 1000)
            return 0;
        for (size_t k = 0; k < i; k++)
            if (json_equal(json_object_get(json_array_get(rubric, k), "key"), key))
                return 0;
        wsum += json_integer_value(weight);
    }
    return wsum == 100;
}

/* Replies 409 stored_data_invalid for a stored record the rules cannot rely on (a rubric, budget
 * lines, a paper ballot's choices that are not what the server writes: edited in the database, or
 * stored before a check existed), and says which on stderr for the operator. Always -1. */
int grant_stored_invalid(req *r, const char *what, int64_t id)
{
    /* A parse that failed for want of memory says nothing about the record (core/fault.h). */
    if (json_alloc_failed)
        return reply_fail(r, 500, "internal", NULL);
    fprintf(stderr, "linli: %s %s: the stored %s of %lld is malformed; refused\n", r->method, r->url, what, (long long)id);
    return reply_fail(r, 409, "stored_data_invalid", NULL);
}

/* ---- rounds ---- */

#define ROUND_SELECT                                                                                           \
    "SELECT id, name, phase, budget_fen, max_award_fen, submission_ends, voting_opens, voting_closes, voting_rule, " \
    "approval_k, expert_weight, public_weight, min_expert, rubric, first_tranche_pct, results_published_at, knapsack_fen, pay_from FROM grant_rounds "
static const struct colmap round_map[] = {
    {"id", 'i'}, {"name", 's'}, {"phase", 's'}, {"budget_fen", 'i'}, {"max_award_fen", 'i'}, {"submission_ends", 'i'},
    {"voting_opens", 'i'}, {"voting_closes", 'i'}, {"voting_rule", 's'}, {"approval_k", 'i'}, {"expert_weight", 'i'},
    {"public_weight", 'i'}, {"min_expert", 'i'}, {"-", '-'}, {"first_tranche_pct", 'i'}, {"results_published_at", 'i'},
    {"knapsack_fen", 'i'}, {"pay_from", 's'}, {0},
};
static const char sql_rounds[] = ROUND_SELECT "WHERE community_id = $1 ORDER BY id DESC";
static const char sql_round[] = ROUND_SELECT "WHERE community_id = $1 AND id = $2";

static json_t *round_json(const store_rows *rows, int i)
{
    json_t *o = row_json(rows, i, round_map);
    json_error_t e;
    json_t *rubric = json_parse_str(store_cell(rows, i, 13), &e);
    json_object_set_new(o, "rubric", rubric ? rubric : json_array());
    json_object_set_new(o, "formula", json_sprintf("final = %s%% × expert + %s%% × public (each 0–100); funded only with expert ≥ %s",
                                                   store_cell(rows, i, 10), store_cell(rows, i, 11), store_cell(rows, i, 12)));
    return o;
}

static void rounds_list(req *r)
{
    struct list_args la;
    store_rows *rows = NULL;
    if (list_args_parse(r, &la) != 0 || q_exec(r, sql_rounds, 1, (const char *[]){cid_of(r)}, &rows) != 0)
        return;
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows; i++)
        json_array_append_new(items, round_json(rows, i));
    reply_list(r, &la, items, rows->nrows, NULL);
}

static const char sql_phase_by_date[] = "UPDATE grant_rounds SET phase = $4 WHERE community_id = $1 AND id = $2 AND phase = $3";

/* Loads the round of the path into *rows; -1 after replying 404. Phases move on their dates too:
 * submission becomes eligibility when submissions close, and scoring becomes voting when voting
 * opens (staff move the others, and may move these earlier). */
static int load_round(req *r, store_rows **rows)
{
    const char *key[2] = {cid_of(r), arena_i64(r->a, req_param_i64(r, 1))};
    if (q_exec(r, sql_round, 2, key, rows) != 0)
        return -1;
    if ((*rows)->nrows == 0)
        return reply_fail(r, 404, "not_found", NULL);
    int64_t now = clock_now();
    const char *phase = store_cell(*rows, 0, 2), *to = NULL;
    if (strcmp(phase, "submission") == 0 && now >= store_cell_i64(*rows, 0, 5))
        to = "eligibility";
    else if (strcmp(phase, "scoring") == 0 && now >= store_cell_i64(*rows, 0, 6))
        to = "voting";
    if (!to)
        return 0;
    /* The change is its own small write, committed at once, whatever the request goes on to do. */
    int own_tx = !r->in_tx;
    if (own_tx && db_begin(r) != 0)
        return -1;
    if (q_exec(r, sql_phase_by_date, 4, (const char *[]){key[0], key[1], phase, to}, NULL) != 0)
        return -1;
    json_t *after = json_pack("{s:s, s:s}", "phase", to, "by", "date");
    int bad = q_audit(r, "phase", "grant_round", req_param_i64(r, 1), NULL, after);
    json_decref(after);
    if (bad || (own_tx && db_commit(r) != 0))
        return -1;
    return q_exec(r, sql_round, 2, key, rows);
}

int grant_round_load(req *r, store_rows **rows) { return load_round(r, rows); }

static void round_get(req *r)
{
    store_rows *rows = NULL;
    if (load_round(r, &rows) == 0)
        reply_json(r, 200, round_json(rows, 0));
}

static const char sql_round_insert[] =
    "INSERT INTO grant_rounds (community_id, id, name, budget_fen, max_award_fen, phase, submission_ends, voting_opens, "
    "voting_closes, voting_rule, approval_k, expert_weight, public_weight, min_expert, rubric, created_at, knapsack_fen, pay_from) "
    "VALUES ($1, $2, $3, $4, $5, 'submission', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)";

static void round_create(req *r)
{
    json_t *in = r->in;
#define I(k, d) (json_object_get(in, k) ? json_integer_value(json_object_get(in, k)) : (d))
    int64_t budget = I("budget_fen", 0), max_award = I("max_award_fen", budget), ew = I("expert_weight", 70), pw = I("public_weight", 30);
    int64_t sub = I("submission_ends", 0), vo = I("voting_opens", 0), vc = I("voting_closes", 0);
    if (budget <= 0)
        return (void)reply_field(r, "budget_fen", "must_be_positive");
    if (ew + pw != 100)
        return (void)reply_field(r, "public_weight", "weights_sum");
    if (!(sub < vo && vo < vc))
        return (void)reply_field(r, "voting_closes", "dates_order");
    const char *rule_in = json_string_value(json_object_get(in, "voting_rule"));
    if (rule_in && strcmp(rule_in, "knapsack") == 0 && I("knapsack_fen", 0) <= 0)
        return (void)reply_field(r, "knapsack_fen", "must_be_positive");
    json_t *rubric = json_object_get(in, "rubric");
    const char *rubric_text = NULL;
    if (rubric) {
        if (!rubric_valid(rubric))
            return (void)reply_field(r, "rubric", "invalid_rubric");
        rubric_text = json_text(r->a, rubric, JSON_COMPACT);
    }
    if (db_begin(r) != 0)
        return;
    int64_t id;
    store_rc rc = store_next_id(r->db, r->a, &id);
    const char *rule = json_string_value(json_object_get(in, "voting_rule"));
    const char *pay_from = json_string_value(json_object_get(in, "pay_from"));
    const char *p[17] = {cid_of(r), arena_i64(r->a, id), json_string_value(json_object_get(in, "name")), arena_i64(r->a, budget),
                         arena_i64(r->a, max_award), arena_i64(r->a, sub), arena_i64(r->a, vo), arena_i64(r->a, vc), rule ? rule : "single",
                         arena_i64(r->a, I("approval_k", 1)), arena_i64(r->a, ew), arena_i64(r->a, pw), arena_i64(r->a, I("min_expert", 60)),
                         rubric_text ? rubric_text : default_rubric, arena_i64(r->a, clock_now()),
                         arena_i64(r->a, I("knapsack_fen", 0)), pay_from ? pay_from : "bank"};
#undef I
    if (rc != STORE_OK)
        return db_fail(r, rc);
    store_rows *rows = NULL;
    if (q_exec(r, sql_round_insert, 17, p, NULL) != 0 || q_exec(r, sql_round, 2, (const char *[]){p[0], p[1]}, &rows) != 0)
        return;
    json_t *item = round_json(rows, 0);
    if (q_audit(r, "create", "grant_round", id, NULL, item) != 0 || db_commit(r) != 0) {
        json_decref(item);
        return;
    }
    reply_json(r, 201, item);
}

static const char sql_phase[] = "UPDATE grant_rounds SET phase = $3 WHERE community_id = $1 AND id = $2";

/* Staff move a round to a later phase (never back). */
static void round_phase(req *r)
{
    const char *to = json_string_value(json_object_get(r->in, "phase"));
    if (db_begin(r) != 0)
        return;
    store_rows *rows = NULL;
    if (load_round(r, &rows) != 0)
        return;
    if (phase_index(to) <= phase_index(store_cell(rows, 0, 2)))
        return (void)reply_fail(r, 409, "phase_backwards", NULL);
    json_t *before = json_pack("{s:s}", "phase", store_cell(rows, 0, 2)), *after = json_pack("{s:s}", "phase", to);
    int bad = q_exec(r, sql_phase, 3, (const char *[]){cid_of(r), store_cell(rows, 0, 0), to}, NULL) ||
              q_audit(r, "phase", "grant_round", req_param_i64(r, 1), before, after);
    json_decref(before);
    json_decref(after);
    if (bad || db_commit(r) != 0 || load_round(r, &rows) != 0)
        return;
    reply_json(r, 200, round_json(rows, 0));
}

/* ---- proposals ---- */

#define PROPOSAL_SELECT                                                                                          \
    "SELECT p.id, p.title, p.summary, p.plan, p.beneficiaries, p.budget_lines, p.requested_fen, p.organisation_id, " \
    "o.name, p.submitted_at, p.eligible, p.eligibility_reason, p.submitted_by FROM grant_proposals p "              \
    "JOIN organisations o ON o.community_id = p.community_id AND o.id = p.organisation_id "
static const struct colmap proposal_map[] = {
    {"id", 'i'}, {"title", 's'}, {"summary", 's'}, {"plan", 's'}, {"beneficiaries", 's'}, {"-", '-'}, {"requested_fen", 'i'},
    {"organisation_id", 'i'}, {"organisation_name", 's'}, {"submitted_at", 'i'}, {"eligible", 'n'}, {"eligibility_reason", 'n'},
    {"submitted_by", 'i'}, {0},
};
static const char sql_proposals[] = PROPOSAL_SELECT
    "WHERE p.community_id = $1 AND p.round_id = $2 AND (CAST($3 AS BIGINT) = 0 OR p.eligible = 1) ORDER BY p.id";
static const char sql_proposal[] = PROPOSAL_SELECT "WHERE p.community_id = $1 AND p.round_id = $2 AND p.id = $3";

static json_t *proposal_json(const store_rows *rows, int i)
{
    json_t *o = row_json(rows, i, proposal_map);
    json_error_t e;
    json_t *lines = json_parse_str(store_cell(rows, i, 5), &e);
    json_object_set_new(o, "budget_lines", lines ? lines : json_array());
    const char *el = store_cell(rows, i, 10);
    json_object_set_new(o, "eligible", el ? json_boolean(strcmp(el, "1") == 0) : json_null());
    return o;
}

static const char sql_org_exists[] = "SELECT 1 FROM organisations WHERE community_id = $1 AND id = $2";
static const char sql_proposal_insert[] =
    "INSERT INTO grant_proposals (community_id, id, round_id, organisation_id, title, summary, plan, beneficiaries, "
    "budget_lines, requested_fen, submitted_by, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

/* ---- who acts for an organisation ---- */

static const char sql_rep_of[] = "SELECT 1 FROM org_reps WHERE community_id = $1 AND organisation_id = $2 AND account_id = $3";

/* 1 when account is linked to organisation org as its representative (org_reps), 0 when not, -1
 * after replying a store error. */
static int represents(req *r, int64_t org, int64_t account)
{
    int64_t one;
    int found = 0;
    if (q_i64(r, sql_rep_of, 3, (const char *[]){cid_of(r), arena_i64(r->a, org), arena_i64(r->a, account)}, &one, &found) != 0)
        return -1;
    return found;
}

int grant_acts_for(req *r, int64_t org)
{
    if (perm_allows("grants.any_org", r->roles))
        return 1;
    return represents(r, org, r->account_id);
}

/* 0 when the caller acts for org; else replies 403 not_representative (or a store error), -1. */
static int acts_for_or_fail(req *r, int64_t org)
{
    int ok = grant_acts_for(r, org);
    if (ok < 0)
        return -1;
    return ok ? 0 : reply_fail(r, 403, "not_representative", NULL);
}

/* ---- proposals ---- */

/* Public once voting opens (eligible proposals only); staff and reviewers see every proposal at any
 * phase; an organisation's representative sees their own organisations' proposals at any phase,
 * and the others when the public does. */
static const char sql_proposals_rep[] = PROPOSAL_SELECT
    "WHERE p.community_id = $1 AND p.round_id = $2 AND ((CAST($3 AS BIGINT) = 1 AND p.eligible = 1) OR EXISTS (SELECT 1 FROM org_reps x "
    "WHERE x.community_id = p.community_id AND x.organisation_id = p.organisation_id AND x.account_id = $4)) ORDER BY p.id";

static void proposals_list(req *r)
{
    struct list_args la;
    store_rows *round = NULL, *rows = NULL;
    if (list_args_parse(r, &la) != 0 || load_round(r, &round) != 0)
        return;
    int insider = perm_allows("grants.all_proposals", r->roles);
    int rep = !insider && perm_allows("grants.propose", r->roles);
    int open = phase_index(store_cell(round, 0, 2)) >= phase_index("voting");
    if (!insider && !rep && !open)
        return (void)reply_fail(r, 403, "not_public_yet", NULL);
    int bad = rep ? q_exec(r, sql_proposals_rep, 4, (const char *[]){cid_of(r), store_cell(round, 0, 0), open ? "1" : "0", arena_i64(r->a, r->account_id)}, &rows)
                  : q_exec(r, sql_proposals, 3, (const char *[]){cid_of(r), store_cell(round, 0, 0), insider ? "0" : "1"}, &rows);
    if (bad)
        return;
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows; i++) {
        json_t *o = proposal_json(rows, i);
        if (!insider)
            json_object_del(o, "submitted_by");
        json_array_append_new(items, o);
    }
    reply_list(r, &la, items, rows->nrows, NULL);
}

/* A proposal's money as it would be stored, checked in one place for create and for edit (an edit
 * checks its new lines, or the stored ones against a new amount): budget_lines (NULL: none) an array
 * of at most 100 lines, each {"item": 1 to 80 characters, no item twice (reports spend against
 * them by name), "fen": a whole amount from 1 to MONEY_MAX_FEN} and nothing else; their sum, added
 * without overflow, equal to requested unless there are no lines; requested from 1 to the round's
 * maximum award (column 4 of the round query). 0, or -1 after replying 422 naming every bad field
 * (budget_lines[i].item, budget_lines[i].fen, …, and budget_lines itself). */
static int proposal_money_check(req *r, const store_rows *round, const json_t *lines, int64_t requested)
{
    json_t *fields = NULL;
    int bad = 0, lines_bad = 0, overflow = 0;
    int64_t sum = 0;
    size_t i, n = json_array_size(lines);
    json_t *l;
    if (lines && (!json_is_array(lines) || n > 100)) {
        field_error(r, &fields, "budget_lines", "invalid_type");
        bad = lines_bad = 1;
    }
    json_array_foreach(lines, i, l) {
        const char *at = arena_printf(r->a, "budget_lines[%zu]", i);
        if (!json_is_object(l)) {
            field_error(r, &fields, at, "invalid_type");
            lines_bad = 1;
            continue;
        }
        const char *k;
        json_t *v;
        json_object_foreach(l, k, v) {
            if (strcmp(k, "item") != 0 && strcmp(k, "fen") != 0) {
                field_error(r, &fields, arena_printf(r->a, "%s.%s", at, k), "unknown_field");
                lines_bad = 1;
            }
        }
        json_t *item = json_object_get(l, "item"), *fen = json_object_get(l, "fen");
        const char *code = !json_is_string(item) || json_string_length(item) == 0 ? "budget_line_item"
                           : utf8_length(json_string_value(item)) > 80            ? "too_long"
                                                                                  : NULL;
        for (size_t j = 0; !code && j < i; j++)
            if (json_equal(json_object_get(json_array_get(lines, j), "item"), item))
                code = "budget_line_duplicate";
        if (code) {
            field_error(r, &fields, arena_printf(r->a, "%s.item", at), code);
            lines_bad = 1;
        }
        int64_t f = json_is_integer(fen) ? json_integer_value(fen) : 0;
        code = !json_is_integer(fen) ? "invalid_type" : f < 0 ? "money_negative" : f == 0 ? "must_be_positive" : f > MONEY_MAX_FEN ? "money_too_large" : NULL;
        if (code) {
            field_error(r, &fields, arena_printf(r->a, "%s.fen", at), code);
            lines_bad = 1;
        } else if (sum > INT64_MAX - f) {
            overflow = 1; /* not reachable within 100 lines of at most MONEY_MAX_FEN; kept for the invariant */
        } else {
            sum += f;
        }
    }
    if (lines_bad) {
        field_error(r, &fields, "budget_lines", "invalid_budget_lines");
        bad = 1;
    }
    if (requested <= 0) {
        field_error(r, &fields, "requested_fen", "must_be_positive");
        bad = 1;
    } else if (requested > store_cell_i64(round, 0, 4)) {
        field_error(r, &fields, "requested_fen", "over_max_award");
        bad = 1;
    } else if (!lines_bad && n > 0 && (overflow || sum != requested)) {
        field_error(r, &fields, "requested_fen", "budget_lines_sum");
        bad = 1;
    }
    /* A refusal whose reasons could not be allocated is still a refusal (a 500 from reply_error). */
    return bad ? reply_fail(r, 422, "validation_failed", fields) : 0;
}

/* 1 when the round (a row of the round query) takes submissions and edits now: its phase, and its
 * date by the server's clock. */
static int round_open_for_submissions(const store_rows *round)
{
    return strcmp(store_cell(round, 0, 2), "submission") == 0 && clock_now() < store_cell_i64(round, 0, 5);
}

/* 0 when the organisation exists in the community and the caller acts for it; else replies 422
 * unknown_organisation or 403 not_representative, -1. */
static int proposal_org_check(req *r, int64_t org)
{
    int64_t one;
    int found = 0;
    if (q_i64(r, sql_org_exists, 2, (const char *[]){cid_of(r), arena_i64(r->a, org)}, &one, &found) != 0)
        return -1;
    if (!found)
        return reply_field(r, "organisation_id", "unknown_organisation");
    return acts_for_or_fail(r, org);
}

/* An organisation's representative submits a proposal for an organisation they represent (staff
 * for any) while the round takes submissions. */
static void proposal_create(req *r)
{
    json_t *in = r->in, *budget_lines = json_object_get(in, "budget_lines");
    int64_t requested = json_integer_value(json_object_get(in, "requested_fen"));
    int64_t org = json_integer_value(json_object_get(in, "organisation_id")), id;
    if (db_begin(r) != 0)
        return;
    store_rows *round = NULL;
    if (load_round(r, &round) != 0)
        return;
    if (!round_open_for_submissions(round))
        return (void)reply_fail(r, 409, "outside_phase", NULL);
    if (proposal_money_check(r, round, budget_lines, requested) != 0 || proposal_org_check(r, org) != 0)
        return;
    store_rc rc = store_next_id(r->db, r->a, &id);
    if (rc != STORE_OK)
        return db_fail(r, rc);
    const char *lines = budget_lines ? json_text(r->a, budget_lines, JSON_COMPACT) : "[]";
#define STR(k) str_or(in, k, "")
    const char *p[12] = {cid_of(r), arena_i64(r->a, id), store_cell(round, 0, 0), arena_i64(r->a, org), STR("title"), STR("summary"),
                         STR("plan"), STR("beneficiaries"), lines, arena_i64(r->a, requested), arena_i64(r->a, r->account_id),
                         arena_i64(r->a, clock_now())};
#undef STR
    store_rows *rows = NULL;
    if (q_exec(r, sql_proposal_insert, 12, p, NULL) != 0 || q_exec(r, sql_proposal, 3, (const char *[]){p[0], p[2], p[1]}, &rows) != 0)
        return;
    json_t *item = proposal_json(rows, 0);
    if (q_audit(r, "submit", "grant_proposal", id, NULL, item) != 0 || db_commit(r) != 0) {
        json_decref(item);
        return;
    }
    reply_json(r, 201, item);
}

int grant_proposal_editable(req *r, store_rows **round, store_rows **proposal)
{
    if (load_round(r, round) != 0)
        return -1;
    if (!round_open_for_submissions(*round))
        return reply_fail(r, 409, "outside_phase", NULL);
    const char *key[3] = {cid_of(r), store_cell(*round, 0, 0), arena_i64(r->a, req_param_i64(r, 2))};
    if (q_exec(r, sql_proposal, 3, key, proposal) != 0)
        return -1;
    if ((*proposal)->nrows == 0)
        return reply_fail(r, 404, "not_found", NULL);
    return acts_for_or_fail(r, store_cell_i64(*proposal, 0, 7));
}

static const char sql_proposal_update[] =
    "UPDATE grant_proposals SET title = $4, summary = $5, plan = $6, beneficiaries = $7, budget_lines = $8, requested_fen = $9, "
    "organisation_id = $10 WHERE community_id = $1 AND round_id = $2 AND id = $3";

/* A representative of the proposal's organisation (or staff) edits it until the submission
 * deadline. What would be stored is checked as create checks it: the budget lines (the new ones, or
 * the stored ones against a new amount), and a new organisation the caller must act for too. */
static void proposal_update(req *r)
{
    json_t *in = r->in;
    if (db_begin(r) != 0)
        return;
    store_rows *round = NULL, *rows = NULL;
    if (grant_proposal_editable(r, &round, &rows) != 0)
        return;
    const char *key[3] = {cid_of(r), store_cell(round, 0, 0), store_cell(rows, 0, 0)};
    json_t *before = proposal_json(rows, 0);
    json_t *lines = json_object_get(in, "budget_lines") ? json_object_get(in, "budget_lines") : json_object_get(before, "budget_lines");
    int64_t requested = json_object_get(in, "requested_fen") ? json_integer_value(json_object_get(in, "requested_fen"))
                                                            : store_cell_i64(rows, 0, 6);
    int64_t org = json_object_get(in, "organisation_id") ? json_integer_value(json_object_get(in, "organisation_id")) : store_cell_i64(rows, 0, 7);
    if (proposal_money_check(r, round, lines, requested) != 0 || (org != store_cell_i64(rows, 0, 7) && proposal_org_check(r, org) != 0)) {
        json_decref(before);
        return;
    }
    const char *text = json_text(r->a, lines, JSON_COMPACT);
#define STR(k) str_or(in, k, json_string_value(json_object_get(before, k)))
    const char *p[10] = {key[0], key[1], key[2], STR("title"), STR("summary"), STR("plan"), STR("beneficiaries"), text,
                         arena_i64(r->a, requested), arena_i64(r->a, org)};
#undef STR
    if (q_exec(r, sql_proposal_update, 10, p, NULL) != 0 || q_exec(r, sql_proposal, 3, key, &rows) != 0) {
        json_decref(before);
        return;
    }
    json_t *item = proposal_json(rows, 0);
    int bad = q_audit(r, "update", "grant_proposal", req_param_i64(r, 2), before, item);
    json_decref(before);
    if (bad || db_commit(r) != 0) {
        json_decref(item);
        return;
    }
    reply_json(r, 200, item);
}

static const char sql_eligibility[] =
    "UPDATE grant_proposals SET eligible = $4, eligibility_reason = $5 WHERE community_id = $1 AND round_id = $2 AND id = $3";

static const char sql_own_proposal[] =
    "SELECT 1 FROM grant_proposals WHERE community_id = $1 AND round_id = $2 AND id = $3 AND submitted_by = $4";

/* Staff may propose for an organisation, but nobody rules on a proposal they submitted (issue #11:
 * no self-dealing; 403 own_proposal). */
static void proposal_eligibility(req *r)
{
    int eligible = json_is_true(json_object_get(r->in, "eligible"));
    const char *reason = json_string_value(json_object_get(r->in, "reason"));
    if (!eligible && (!reason || !*reason))
        return (void)reply_field(r, "reason", "required");
    if (db_begin(r) != 0)
        return;
    store_rows *round = NULL, *rows = NULL;
    if (load_round(r, &round) != 0)
        return;
    if (strcmp(store_cell(round, 0, 2), "eligibility") != 0)
        return (void)reply_fail(r, 409, "outside_phase", NULL);
    int64_t one;
    int own = 0;
    if (q_i64(r, sql_own_proposal, 4, (const char *[]){cid_of(r), store_cell(round, 0, 0), arena_i64(r->a, req_param_i64(r, 2)), arena_i64(r->a, r->account_id)},
              &one, &own) != 0)
        return;
    if (own)
        return (void)reply_fail(r, 403, "own_proposal", NULL);
    const char *p[5] = {cid_of(r), store_cell(round, 0, 0), arena_i64(r->a, req_param_i64(r, 2)), eligible ? "1" : "0", reason};
    if (q_exec(r, sql_eligibility, 5, p, NULL) != 0 || q_exec(r, sql_proposal, 3, p, &rows) != 0)
        return;
    if (rows->nrows == 0)
        return (void)reply_fail(r, 404, "not_found", NULL);
    json_t *item = proposal_json(rows, 0);
    if (q_audit(r, "eligibility", "grant_proposal", req_param_i64(r, 2), NULL, item) != 0 || db_commit(r) != 0) {
        json_decref(item);
        return;
    }
    reply_json(r, 200, item);
}

/* ---- reviewers ---- */

static const char sql_reviewer_add[] =
    "INSERT INTO grant_reviewers (community_id, round_id, account_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
static const char sql_is_reviewer[] = "SELECT 1 FROM grant_reviewers WHERE community_id = $1 AND round_id = $2 AND account_id = $3";

static void reviewer_add(req *r)
{
    int64_t account = json_integer_value(json_object_get(r->in, "account_id"));
    if (db_begin(r) != 0)
        return;
    store_rows *round = NULL;
    if (load_round(r, &round) != 0)
        return;
    store_rc rc = store_exec(r->db, r->a, sql_reviewer_add, 3, (const char *[]){cid_of(r), store_cell(round, 0, 0), arena_i64(r->a, account)}, NULL);
    if (rc == STORE_CONSTRAINT)
        return (void)reply_field(r, "account_id", "unknown_account");
    if (rc != STORE_OK)
        return db_fail(r, rc);
    if (q_audit(r, "assign_reviewer", "grant_round", req_param_i64(r, 1), NULL, r->in) != 0 || db_commit(r) != 0)
        return;
    reply_json(r, 201, json_pack("{s:I, s:I}", "round_id", (json_int_t)req_param_i64(r, 1), "account_id", (json_int_t)account));
}

static const char sql_conflict[] =
    "INSERT INTO grant_conflicts (community_id, proposal_id, account_id, reason) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
static const char sql_has_conflict[] = "SELECT 1 FROM grant_conflicts WHERE community_id = $1 AND proposal_id = $2 AND account_id = $3";
static const char sql_score_put[] =
    "INSERT INTO grant_scores (community_id, proposal_id, account_id, scores, total_milli, comment, scored_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (community_id, proposal_id, account_id) DO UPDATE SET "
    "scores = $4, total_milli = $5, comment = $6, scored_at = $7";

/* 0 when the caller reviews the round of the path and the proposal belongs to it; else replies. */
static int reviewer_check(req *r, store_rows **round, store_rows **proposal)
{
    int64_t one;
    int found = 0;
    if (load_round(r, round) != 0)
        return -1;
    const char *p[3] = {cid_of(r), store_cell(*round, 0, 0), arena_i64(r->a, r->account_id)};
    if (q_i64(r, sql_is_reviewer, 3, p, &one, &found) != 0)
        return -1;
    if (!found)
        return reply_fail(r, 403, "not_a_reviewer", NULL);
    p[2] = arena_i64(r->a, req_param_i64(r, 2));
    if (q_exec(r, sql_proposal, 3, p, proposal) != 0)
        return -1;
    if ((*proposal)->nrows == 0)
        return reply_fail(r, 404, "not_found", NULL);
    return 0;
}

/* A reviewer declares a conflict of interest and is excluded from that proposal. */
static void conflict_declare(req *r)
{
    if (db_begin(r) != 0)
        return;
    store_rows *round = NULL, *prop = NULL;
    if (reviewer_check(r, &round, &prop) != 0)
        return;
    const char *p[4] = {cid_of(r), store_cell(prop, 0, 0), arena_i64(r->a, r->account_id), json_string_value(json_object_get(r->in, "reason"))};
    static const char sql_drop_score[] = "DELETE FROM grant_scores WHERE community_id = $1 AND proposal_id = $2 AND account_id = $3";
    if (q_exec(r, sql_conflict, 4, p, NULL) != 0 || q_exec(r, sql_drop_score, 3, p, NULL) != 0 ||
        q_audit(r, "conflict", "grant_proposal", req_param_i64(r, 2), NULL, r->in) != 0 || db_commit(r) != 0)
        return;
    reply_json(r, 201, json_pack("{s:I, s:b}", "proposal_id", (json_int_t)req_param_i64(r, 2), "excluded", 1));
}

/* A reviewer scores each criterion within its maximum; the total is out of 100 by the weights. */
static void score_put(req *r)
{
    json_t *scores = json_object_get(r->in, "scores");
    if (db_begin(r) != 0)
        return;
    store_rows *round = NULL, *prop = NULL;
    if (reviewer_check(r, &round, &prop) != 0)
        return;
    if (strcmp(store_cell(round, 0, 2), "scoring") != 0)
        return (void)reply_fail(r, 409, "outside_phase", NULL);
    if (!store_cell(prop, 0, 10) || strcmp(store_cell(prop, 0, 10), "1") != 0)
        return (void)reply_fail(r, 409, "not_eligible", NULL);
    int64_t one;
    int found = 0;
    const char *p[7] = {cid_of(r), store_cell(prop, 0, 0), arena_i64(r->a, r->account_id)};
    if (q_i64(r, sql_has_conflict, 3, p, &one, &found) != 0)
        return;
    if (found)
        return (void)reply_fail(r, 409, "conflict_declared", NULL);
    /* Nobody scores their own proposal, nor one of an organisation they represent. */
    int theirs = store_cell_i64(prop, 0, 12) == r->account_id;
    if (!theirs && (theirs = represents(r, store_cell_i64(prop, 0, 7), r->account_id)) < 0)
        return;
    if (theirs)
        return (void)reply_fail(r, 403, "review_conflict", NULL);
    json_error_t e;
    json_t *rubric = json_parse_str(store_cell(round, 0, 13), &e);
    if (!rubric_valid(rubric)) {
        json_decref(rubric);
        return (void)grant_stored_invalid(r, "rubric", store_cell_i64(round, 0, 0));
    }
    int64_t total = 0;
    json_t *fields = NULL;
    size_t i;
    json_t *c;
    json_array_foreach(rubric, i, c) {
        const char *key = json_string_value(json_object_get(c, "key"));
        json_t *v = json_object_get(scores, key);
        int64_t max = json_integer_value(json_object_get(c, "max")), weight = json_integer_value(json_object_get(c, "weight"));
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
            field_error(r, &fields, arena_printf(r->a, "scores.%s", key), "score_range");
        else
            total += json_integer_value(v) * weight * 1000 / max;
    }
    json_decref(rubric);
    if (fields)
        return (void)reply_fail(r, 422, "validation_failed", fields);
    const char *text = json_text(r->a, scores, JSON_COMPACT | JSON_SORT_KEYS);
    const char *comment = json_string_value(json_object_get(r->in, "comment"));
    p[3] = text;
    p[4] = arena_i64(r->a, total);
    p[5] = comment ? comment : "";
    p[6] = arena_i64(r->a, clock_now());
    if (q_exec(r, sql_score_put, 7, p, NULL) != 0 || q_audit(r, "score", "grant_proposal", req_param_i64(r, 2), NULL, r->in) != 0 ||
        db_commit(r) != 0)
        return;
    reply_json(r, 200, json_pack("{s:I, s:f}", "proposal_id", (json_int_t)req_param_i64(r, 2), "total", (double)total / 1000.0));
}

/* A reviewer's conflict: declared, or the proposal is theirs or their organisation's (score_put
 * refuses those). */
static const char sql_review_matrix[] =
    "SELECT p.id, p.title, v.account_id, a.login, s.total_milli, CASE WHEN p.submitted_by = v.account_id OR EXISTS (SELECT 1 FROM "
    "grant_conflicts c WHERE c.community_id = p.community_id AND c.proposal_id = p.id AND c.account_id = v.account_id) OR EXISTS "
    "(SELECT 1 FROM org_reps x WHERE x.community_id = p.community_id AND x.organisation_id = p.organisation_id AND x.account_id = "
    "v.account_id) THEN 1 END FROM grant_proposals p "
    "JOIN grant_reviewers v ON v.community_id = p.community_id AND v.round_id = p.round_id "
    "JOIN accounts a ON a.id = v.account_id "
    "LEFT JOIN grant_scores s ON s.community_id = p.community_id AND s.proposal_id = p.id AND s.account_id = v.account_id "
    "WHERE p.community_id = $1 AND p.round_id = $2 AND p.eligible = 1 ORDER BY p.id, v.account_id";

/* Reviews, for staff (which are missing) and for reviewers (their own; others' only after scoring
 * closes). */
static void reviews_list(req *r)
{
    store_rows *round = NULL, *rows = NULL;
    if (load_round(r, &round) != 0 || q_exec(r, sql_review_matrix, 2, (const char *[]){cid_of(r), store_cell(round, 0, 0)}, &rows) != 0)
        return;
    int staff = perm_allows("grants.oversee", r->roles);
    int closed = phase_index(store_cell(round, 0, 2)) > phase_index("scoring");
    json_t *items = json_array();
    int missing = 0;
    for (int i = 0; i < rows->nrows; i++) {
        int mine = store_cell_i64(rows, i, 2) == r->account_id;
        if (!staff && !mine && !closed)
            continue;
        int conflict = store_cell(rows, i, 5) != NULL, scored = store_cell(rows, i, 4) != NULL;
        if (!conflict && !scored)
            missing++;
        json_t *o = json_pack("{s:I, s:s, s:I, s:s, s:s}", "proposal_id", (json_int_t)store_cell_i64(rows, i, 0), "title", store_cell(rows, i, 1),
                              "reviewer_id", (json_int_t)store_cell_i64(rows, i, 2), "reviewer", store_cell(rows, i, 3), "state",
                              conflict ? "conflict" : scored ? "scored" : "missing");
        /* Scores stay hidden from everyone but their author until scoring closes. */
        json_object_set_new(o, "total", scored && (mine || closed) ? json_real((double)store_cell_i64(rows, i, 4) / 1000.0) : json_null());
        json_array_append_new(items, o);
    }
    reply_json(r, 200, json_pack("{s:o, s:i, s:i}", "items", items, "total", (int)json_array_size(items), "missing", missing));
}

/* ---- voters, codes and votes ---- */

static const char sql_code_insert[] = "INSERT INTO grant_codes (community_id, code_hash, round_id) VALUES ($1, $2, $3)";

/* Single-use household voting codes for building leaders to hand out (shown once, stored hashed). */
static void codes_create(req *r)
{
    int64_t count = json_integer_value(json_object_get(r->in, "count"));
    if (count < 1 || count > 2000)
        return (void)reply_field(r, "count", "too_large");
    if (db_begin(r) != 0)
        return;
    store_rows *round = NULL;
    if (load_round(r, &round) != 0)
        return;
    json_t *codes = json_array();
    for (int64_t i = 0; i < count; i++) {
        /* 10 characters from an alphabet without look-alikes: easy to type from paper. */
        static const char alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        unsigned char raw[10];
        char code[11];
        randombytes_buf(raw, sizeof raw);
        for (int k = 0; k < 10; k++)
            code[k] = alphabet[raw[k] % 32];
        code[10] = 0;
        if (q_exec(r, sql_code_insert, 3, (const char *[]){cid_of(r), crypto_lookup_hash(r->a, &r->app->keys, code), store_cell(round, 0, 0)}, NULL) != 0) {
            json_decref(codes);
            return;
        }
        json_array_append_new(codes, json_string(code));
    }
    json_t *what = json_pack("{s:I}", "count", (json_int_t)count);
    int bad = q_audit(r, "voting_codes", "grant_round", req_param_i64(r, 1), NULL, what);
    json_decref(what);
    if (bad || db_commit(r) != 0) {
        json_decref(codes);
        return;
    }
    reply_json(r, 201, json_pack("{s:o}", "codes", codes));
}

static const char sql_code_find[] = "SELECT round_id, redeemed_by FROM grant_codes WHERE community_id = $1 AND code_hash = $2";
static const char sql_code_redeem[] =
    "UPDATE grant_codes SET redeemed_by = $3, redeemed_at = $4 WHERE community_id = $1 AND code_hash = $2 AND redeemed_by IS NULL "
    "RETURNING round_id";
static const char sql_voter_add[] =
    "INSERT INTO grant_voters (community_id, round_id, account_id, voter_key, method, verified_at) VALUES ($1, $2, $3, $4, $5, $6)";

size_t grant_code_normalize(const char *in, char *out, size_t outlen)
{
    size_t n = 0;
    if (!outlen)
        return 0;
    for (const char *c = in ? in : ""; *c && n < outlen - 1; c++)
        if (*c != ' ' && *c != '-')
            out[n++] = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
    out[n] = 0;
    return n;
}

/* Failed redemptions, counted per account and per client address (auth/ratelimit.h, by the server's
 * clock): after 5 failures of an account in 15 minutes each further try waits 1, 2, 4 … seconds
 * after the last, after 10 it is refused for 15 minutes; an address (a whole office behind one NAT)
 * gets 20 and 50. Codes are 10 characters of 32 (50 bits), so this is about noticing and slowing a
 * guesser down, not about the odds. */
#define CODE_SLOW_ACCOUNT 5
#define CODE_LOCK_ACCOUNT 10
#define CODE_SLOW_ADDRESS 20
#define CODE_LOCK_ADDRESS 50

struct code_try {
    const char *key_account, *key_address, *hash;
    int64_t round; /* the code's round when the code exists, else 0 */
};

/* A failed redemption: rolls back what the try did, writes its audit row in a transaction of its
 * own (the code's keyed hash cut to 16 hex digits, never the code; the reason; the client address),
 * counts it against the account and the address, and replies status and code. A try that ends in
 * a 5xx on the way told the caller nothing about the code, so it is not counted. */
static void code_failed(req *r, const struct code_try *t, unsigned status, const char *code)
{
    db_rollback(r);
    json_t *what = json_pack("{s:s, s:s%, s:s}", "reason", code, "code_hash", t->hash, (size_t)16, "client", r->client_ip ? r->client_ip : "?");
    if (db_begin(r) != 0) {
        json_decref(what);
        return;
    }
    int bad = q_audit(r, "redeem_code_failed", "grant_round", t->round, NULL, what);
    json_decref(what);
    if (bad || db_commit(r) != 0)
        return;
    int64_t now = clock_now();
    ratelimit_fail(t->key_account, (time_t)now);
    ratelimit_fail(t->key_address, (time_t)now);
    reply_error(r, status, code, NULL);
}

/* A resident redeems a household code: verified to vote in that round. A used code is 409. Failed
 * tries are throttled (429 with Retry-After, the code not even looked at) and each is audited; the
 * caller's own code sent again is answered 409 code_used without either. */
static void code_redeem(req *r)
{
    char norm[32];
    grant_code_normalize(json_string_value(json_object_get(r->in, "code")), norm, sizeof norm);
    struct code_try t = {arena_printf(r->a, "vcode:account:%lld", (long long)r->account_id),
                         arena_printf(r->a, "vcode:ip:%s", r->client_ip ? r->client_ip : "?"), NULL, 0};
    int retry = 0;
    time_t at = (time_t)clock_now();
    if (ratelimit_check(t.key_account, CODE_SLOW_ACCOUNT, CODE_LOCK_ACCOUNT, at, &retry) ||
        ratelimit_check(t.key_address, CODE_SLOW_ADDRESS, CODE_LOCK_ADDRESS, at, &retry)) {
        reply_error(r, 429, "rate_limited", NULL);
        reply_header(r, "Retry-After", arena_printf(r->a, "%d", retry));
        return;
    }
    if (db_begin(r) != 0)
        return;
    const char *hash = crypto_lookup_hash(r->a, &r->app->keys, norm);
    t.hash = hash;
    store_rows *found = NULL, *took = NULL;
    if (q_exec(r, sql_code_find, 2, (const char *[]){cid_of(r), hash}, &found) != 0)
        return;
    if (found->nrows == 0)
        return code_failed(r, &t, 404, "code_unknown");
    /* The caller's own code sent again (a retry after a lost answer) is no guess: used, not counted. */
    if (store_cell(found, 0, 1) && store_cell_i64(found, 0, 1) == r->account_id)
        return (void)reply_fail(r, 409, "code_used", NULL);
    t.round = store_cell_i64(found, 0, 0);
    const char *now = arena_i64(r->a, clock_now());
    if (q_exec(r, sql_code_redeem, 4, (const char *[]){cid_of(r), hash, arena_i64(r->a, r->account_id), now}, &took) != 0)
        return;
    if (took->nrows == 0)
        return code_failed(r, &t, 409, "code_used");
    store_rc rc = store_exec(r->db, r->a, sql_voter_add, 6,
                             (const char *[]){cid_of(r), store_cell(took, 0, 0), arena_i64(r->a, r->account_id), arena_printf(r->a, "code:%s", hash), "code", now},
                             NULL);
    if (rc == STORE_CONSTRAINT)
        return code_failed(r, &t, 409, "already_verified");
    if (rc != STORE_OK)
        return db_fail(r, rc);
    if (q_audit(r, "redeem_code", "grant_round", store_cell_i64(took, 0, 0), NULL, NULL) != 0 || db_commit(r) != 0)
        return;
    reply_json(r, 200, json_pack("{s:I, s:b}", "round_id", (json_int_t)store_cell_i64(took, 0, 0), "verified", 1));
}

static const char sql_person_exists[] = "SELECT 1 FROM people WHERE community_id = $1 AND id = $2";

/* Staff link an account to a registry person after seeing them in person: verified for the round. */
static void voter_link(req *r)
{
    int64_t account = json_integer_value(json_object_get(r->in, "account_id")), person = json_integer_value(json_object_get(r->in, "person_id")), one;
    int found = 0;
    /* Staff vouch for someone they saw in person, never for themselves. */
    if (account == r->account_id)
        return (void)reply_fail(r, 403, "own_voter", NULL);
    if (db_begin(r) != 0)
        return;
    store_rows *round = NULL;
    if (load_round(r, &round) != 0 || q_i64(r, sql_person_exists, 2, (const char *[]){cid_of(r), arena_i64(r->a, person)}, &one, &found) != 0)
        return;
    if (!found)
        return (void)reply_field(r, "person_id", "unknown_person");
    store_rc rc = store_exec(r->db, r->a, sql_voter_add, 6,
                             (const char *[]){cid_of(r), store_cell(round, 0, 0), arena_i64(r->a, account), arena_printf(r->a, "person:%lld", (long long)person),
                                              "person", arena_i64(r->a, clock_now())},
                             NULL);
    if (rc == STORE_CONSTRAINT)
        return (void)reply_fail(r, 409, "already_verified", NULL);
    if (rc != STORE_OK)
        return db_fail(r, rc);
    if (q_audit(r, "verify_voter", "grant_round", req_param_i64(r, 1), NULL, r->in) != 0 || db_commit(r) != 0)
        return;
    reply_json(r, 201, json_pack("{s:I, s:I, s:b}", "account_id", (json_int_t)account, "person_id", (json_int_t)person, "verified", 1));
}

static const char sql_voter_of[] = "SELECT voter_key FROM grant_voters WHERE community_id = $1 AND round_id = $2 AND account_id = $3";
static const char sql_voted_insert[] = "INSERT INTO grant_voted (community_id, round_id, voter_key) VALUES ($1, $2, $3)";
static const char sql_ballot_insert[] = "INSERT INTO grant_ballots (community_id, round_id, ballot, proposal_id) VALUES ($1, $2, $3, $4)";

static const char sql_ballot_cost[] =
    "SELECT requested_fen FROM grant_proposals WHERE community_id = $1 AND round_id = $2 AND id = $3 AND eligible = 1";

/* 0 when ids is a valid ballot of the round under its rule (single: one; approval: up to k;
 * knapsack: any whose requested amounts fit the voter's budget), every id an eligible proposal of
 * the round, none twice; else replies 422. */
int ballot_check(req *r, const store_rows *round, json_t *ids)
{
    size_t n = json_array_size(ids), i;
    const char *rule = store_cell(round, 0, 8), *rid = store_cell(round, 0, 0);
    if (n == 0 || (strcmp(rule, "single") == 0 && n != 1) || (strcmp(rule, "approval") == 0 && (int64_t)n > store_cell_i64(round, 0, 9)))
        return reply_field(r, "proposal_ids", "ballot_size");
    int64_t cost = 0;
    json_t *v;
    json_array_foreach(ids, i, v) {
        int64_t fen;
        int found = 0;
        for (size_t k = 0; k < i; k++)
            if (json_integer_value(json_array_get(ids, k)) == json_integer_value(v))
                return reply_field(r, "proposal_ids", "ballot_size");
        if (q_i64(r, sql_ballot_cost, 3, (const char *[]){cid_of(r), rid, arena_i64(r->a, json_integer_value(v))}, &fen, &found) != 0)
            return -1;
        if (!found)
            return reply_field(r, "proposal_ids", "unknown_proposal");
        cost += fen;
    }
    if (strcmp(rule, "knapsack") == 0 && cost > store_cell_i64(round, 0, 16))
        return reply_field(r, "proposal_ids", "over_ballot_budget");
    return 0;
}

/* One person, one vote per round (the voter's key is the primary key of grant_voted, so 50 identical
 * votes at once count once); the choice goes into grant_ballots under a random ballot id, apart from
 * who voted. A vote is final. Voting closes at voting_closes by the server's clock. */
static void vote_cast(req *r)
{
    json_t *ids = json_object_get(r->in, "proposal_ids");
    if (db_begin(r) != 0)
        return;
    store_rows *round = NULL, *voter = NULL;
    if (load_round(r, &round) != 0)
        return;
    int64_t now = clock_now();
    if (strcmp(store_cell(round, 0, 2), "voting") != 0 || now < store_cell_i64(round, 0, 6) || now >= store_cell_i64(round, 0, 7))
        return (void)reply_fail(r, 409, "voting_closed", NULL);
    const char *rid = store_cell(round, 0, 0);
    if (ballot_check(r, round, ids) != 0)
        return;
    if (q_exec(r, sql_voter_of, 3, (const char *[]){cid_of(r), rid, arena_i64(r->a, r->account_id)}, &voter) != 0)
        return;
    if (voter->nrows == 0)
        return (void)reply_fail(r, 403, "not_verified_voter", NULL);
    size_t i;
    json_t *v;
    store_rc rc = store_exec(r->db, r->a, sql_voted_insert, 3, (const char *[]){cid_of(r), rid, store_cell(voter, 0, 0)}, NULL);
    if (rc == STORE_CONSTRAINT)
        return (void)reply_fail(r, 409, "already_voted", NULL);
    if (rc != STORE_OK)
        return db_fail(r, rc);
    const char *ballot = crypto_token(r->a, 16);
    json_array_foreach(ids, i, v) {
        if (q_exec(r, sql_ballot_insert, 4, (const char *[]){cid_of(r), rid, ballot, arena_i64(r->a, json_integer_value(v))}, NULL) != 0)
            return;
    }
    /* The audit row says that this account voted in this round, never for what. */
    if (q_audit(r, "vote", "grant_round", req_param_i64(r, 1), NULL, NULL) != 0 || db_commit(r) != 0)
        return;
    reply_json(r, 201, json_pack("{s:I, s:b}", "round_id", (json_int_t)req_param_i64(r, 1), "voted", 1));
}

static const char sql_voted_of[] = "SELECT 1 FROM grant_voted WHERE community_id = $1 AND round_id = $2 AND voter_key = $3";

static void my_vote(req *r)
{
    store_rows *voter = NULL;
    int64_t one;
    int voted = 0;
    const char *rid = arena_i64(r->a, req_param_i64(r, 1));
    if (q_exec(r, sql_voter_of, 3, (const char *[]){cid_of(r), rid, arena_i64(r->a, r->account_id)}, &voter) != 0)
        return;
    if (voter->nrows && q_i64(r, sql_voted_of, 3, (const char *[]){cid_of(r), rid, store_cell(voter, 0, 0)}, &one, &voted) != 0)
        return;
    reply_json(r, 200, json_pack("{s:b, s:b}", "verified", voter->nrows > 0, "voted", voted));
}

static const char sql_counts[] =
    "SELECT p.id, p.title, (SELECT count(*) FROM grant_ballots b WHERE b.community_id = p.community_id AND b.round_id = p.round_id "
    "AND b.proposal_id = p.id) FROM grant_proposals p WHERE p.community_id = $1 AND p.round_id = $2 AND p.eligible = 1 ORDER BY p.id";
static const char sql_voters_count[] = "SELECT count(*) FROM grant_voted WHERE community_id = $1 AND round_id = $2";

/* Live counts as Server-Sent Events: one event, then the server closes and EventSource reconnects
 * after `retry` milliseconds — live enough for a public page, and no connection held open. */
static void live_counts(req *r)
{
    store_rows *round = NULL, *rows = NULL;
    int64_t voters = 0;
    int found;
    if (load_round(r, &round) != 0)
        return;
    if (phase_index(store_cell(round, 0, 2)) < phase_index("voting"))
        return (void)reply_fail(r, 403, "not_public_yet", NULL);
    const char *p[2] = {cid_of(r), store_cell(round, 0, 0)};
    if (q_exec(r, sql_counts, 2, p, &rows) != 0 || q_i64(r, sql_voters_count, 2, p, &voters, &found) != 0)
        return;
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows; i++)
        json_array_append_new(items, json_pack("{s:I, s:s, s:I}", "proposal_id", (json_int_t)store_cell_i64(rows, i, 0), "title",
                                               store_cell(rows, i, 1), "votes", (json_int_t)store_cell_i64(rows, i, 2)));
    json_t *data = json_pack("{s:I, s:o, s:I}", "voters", (json_int_t)voters, "items", items, "at", (json_int_t)clock_now());
    char *text = json_dumps(data, JSON_COMPACT);
    json_decref(data);
    char *body = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&body, &len);
    fprintf(f, "retry: 3000\nevent: counts\ndata: %s\n\n", text);
    fclose(f);
    free(text);
    reply_bytes(r, 200, "text/event-stream; charset=utf-8", body, len);
}

/* ---- results ---- */

static const char sql_scores_of_round[] =
    "SELECT p.id, p.title, o.name, p.requested_fen, p.submitted_at, "
    "(SELECT avg(s.total_milli) FROM grant_scores s WHERE s.community_id = p.community_id AND s.proposal_id = p.id), "
    "(SELECT count(*) FROM grant_ballots b WHERE b.community_id = p.community_id AND b.round_id = p.round_id AND b.proposal_id = p.id), "
    "(SELECT count(*) FROM grant_scores s WHERE s.community_id = p.community_id AND s.proposal_id = p.id) "
    "FROM grant_proposals p JOIN organisations o ON o.community_id = p.community_id AND o.id = p.organisation_id "
    "WHERE p.community_id = $1 AND p.round_id = $2 AND p.eligible = 1";

struct result_row {
    int64_t id, requested, submitted, expert, votes, pub, final, award;
    int funded, reviews;
    const char *title, *org;
};

static int result_cmp(const void *a, const void *b)
{
    const struct result_row *x = a, *y = b;
    if (x->final != y->final)
        return x->final > y->final ? -1 : 1;
    if (x->expert != y->expert)
        return x->expert > y->expert ? -1 : 1;
    return x->submitted < y->submitted ? -1 : x->submitted > y->submitted;
}

/* The ranking and the selection: in rank order (final score; ties by expert score, then the earlier
 * submission), fund each proposal with an expert score of at least the minimum that fits what is
 * left of the budget. */
static int compute_results(req *r, const store_rows *round, struct result_row **out, int *n)
{
    store_rows *rows = NULL;
    if (q_exec(r, sql_scores_of_round, 2, (const char *[]){cid_of(r), store_cell(round, 0, 0)}, &rows) != 0)
        return -1;
    struct result_row *res = arena_alloc(r->a, sizeof *res * (size_t)(rows->nrows + 1));
    int64_t max_votes = 0;
    for (int i = 0; i < rows->nrows; i++)
        if (store_cell_i64(rows, i, 6) > max_votes)
            max_votes = store_cell_i64(rows, i, 6);
    int64_t ew = store_cell_i64(round, 0, 10), pw = store_cell_i64(round, 0, 11), min = store_cell_i64(round, 0, 12) * 1000;
    for (int i = 0; i < rows->nrows; i++) {
        struct result_row *x = &res[i];
        x->id = store_cell_i64(rows, i, 0);
        x->title = store_cell(rows, i, 1);
        x->org = store_cell(rows, i, 2);
        x->requested = store_cell_i64(rows, i, 3);
        x->submitted = store_cell_i64(rows, i, 4);
        x->expert = store_cell(rows, i, 5) ? (int64_t)(atof(store_cell(rows, i, 5)) + 0.5) : 0;
        x->votes = store_cell_i64(rows, i, 6);
        x->reviews = (int)store_cell_i64(rows, i, 7);
        x->pub = max_votes ? x->votes * 100000 / max_votes : 0;
        x->final = (x->expert * ew + x->pub * pw) / 100;
        x->funded = 0;
        x->award = 0;
    }
    qsort(res, (size_t)rows->nrows, sizeof *res, result_cmp);
    int64_t left = store_cell_i64(round, 0, 3);
    for (int i = 0; i < rows->nrows; i++)
        if (res[i].expert >= min && res[i].requested <= left) {
            res[i].funded = 1;
            res[i].award = res[i].requested;
            left -= res[i].requested;
        }
    *out = res;
    *n = rows->nrows;
    return 0;
}

static const char sql_reviewer_totals[] =
    "SELECT s.proposal_id, s.total_milli FROM grant_scores s JOIN grant_proposals p ON p.community_id = s.community_id "
    "AND p.id = s.proposal_id WHERE s.community_id = $1 AND p.round_id = $2 ORDER BY s.proposal_id, s.account_id";

/* Each reviewer's total for each proposal, as {"proposal id": [totals…]} (reviewers unnamed). */
static json_t *reviewer_totals(req *r, const store_rows *round)
{
    store_rows *rows = NULL;
    json_t *out = json_object();
    if (store_exec(r->db ? r->db : req_store(r), r->a, sql_reviewer_totals, 2, (const char *[]){cid_of(r), store_cell(round, 0, 0)}, &rows) != STORE_OK)
        return out;
    for (int i = 0; i < rows->nrows; i++) {
        json_t *list = json_object_get(out, store_cell(rows, i, 0));
        if (!list) {
            list = json_array();
            json_object_set_new(out, store_cell(rows, i, 0), list);
        }
        json_array_append_new(list, json_real((double)store_cell_i64(rows, i, 1) / 1000.0));
    }
    return out;
}

static json_t *results_json(const struct result_row *res, int n, const store_rows *round)
{
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, json_pack("{s:i, s:I, s:s, s:s, s:f, s:I, s:f, s:f, s:b, s:I, s:I, s:i}", "rank", i + 1, "proposal_id",
                                               (json_int_t)res[i].id, "title", res[i].title, "organisation_name", res[i].org, "expert_score",
                                               (double)res[i].expert / 1000.0, "votes", (json_int_t)res[i].votes, "public_score",
                                               (double)res[i].pub / 1000.0, "final_score", (double)res[i].final / 1000.0, "funded", res[i].funded,
                                               "award_fen", (json_int_t)res[i].award, "requested_fen", (json_int_t)res[i].requested, "reviews",
                                               res[i].reviews));
    return json_pack("{s:o, s:i, s:I, s:I, s:I, s:I}", "items", items, "total", n, "budget_fen", (json_int_t)store_cell_i64(round, 0, 3),
                     "expert_weight", (json_int_t)store_cell_i64(round, 0, 10), "public_weight", (json_int_t)store_cell_i64(round, 0, 11),
                     "min_expert", (json_int_t)store_cell_i64(round, 0, 12));
}

static const char sql_published[] =
    "SELECT p.id, p.title, o.name, p.expert_score_milli, p.votes, p.final_score_milli, p.funded, p.award_fen, p.requested_fen, p.submitted_at, "
    "(SELECT count(*) FROM grant_scores s WHERE s.community_id = p.community_id AND s.proposal_id = p.id) "
    "FROM grant_proposals p JOIN organisations o ON o.community_id = p.community_id AND o.id = p.organisation_id "
    "WHERE p.community_id = $1 AND p.round_id = $2 AND p.eligible = 1";

/* Puts each reviewer's total on each result item (reviewer_scores), beside the mean. */
static void add_reviewer_scores(req *r, json_t *body, const store_rows *round)
{
    json_t *totals = reviewer_totals(r, round);
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(body, "items"), i, item) {
        char key[32];
        snprintf(key, sizeof key, "%lld", (long long)json_integer_value(json_object_get(item, "proposal_id")));
        json_t *list = json_object_get(totals, key);
        if (list)
            json_object_set(item, "reviewer_scores", list); /* shared with totals, which is released below */
        else
            json_object_set_new(item, "reviewer_scores", json_array());
    }
    json_decref(totals);
}

/* Public once published (from what was frozen then); staff may preview before (?preview=1). */
static void results_get(req *r)
{
    store_rows *round = NULL;
    if (load_round(r, &round) != 0)
        return;
    int staff = perm_allows("grants.oversee", r->roles);
    if (!store_cell(round, 0, 15)) {
        if (!staff || !req_query(r, "preview"))
            return (void)reply_fail(r, 403, "not_public_yet", NULL);
        struct result_row *res;
        int n;
        if (compute_results(r, round, &res, &n) != 0)
            return;
        json_t *o = results_json(res, n, round);
        add_reviewer_scores(r, o, round);
        json_object_set_new(o, "published", json_false());
        reply_json(r, 200, o);
        return;
    }
    store_rows *rows = NULL;
    if (q_exec(r, sql_published, 2, (const char *[]){cid_of(r), store_cell(round, 0, 0)}, &rows) != 0)
        return;
    struct result_row *res = arena_alloc(r->a, sizeof *res * (size_t)(rows->nrows + 1));
    int64_t max_votes = 0;
    for (int i = 0; i < rows->nrows; i++)
        if (store_cell_i64(rows, i, 4) > max_votes)
            max_votes = store_cell_i64(rows, i, 4);
    for (int i = 0; i < rows->nrows; i++) {
        struct result_row *x = &res[i];
        x->id = store_cell_i64(rows, i, 0);
        x->title = store_cell(rows, i, 1);
        x->org = store_cell(rows, i, 2);
        x->expert = store_cell_i64(rows, i, 3);
        x->votes = store_cell_i64(rows, i, 4);
        x->final = store_cell_i64(rows, i, 5);
        x->funded = store_cell_i64(rows, i, 6) != 0;
        x->award = store_cell_i64(rows, i, 7);
        x->requested = store_cell_i64(rows, i, 8);
        x->submitted = store_cell_i64(rows, i, 9);
        x->reviews = (int)store_cell_i64(rows, i, 10);
        x->pub = max_votes ? x->votes * 100000 / max_votes : 0;
    }
    qsort(res, (size_t)rows->nrows, sizeof *res, result_cmp);
    json_t *o = results_json(res, rows->nrows, round);
    add_reviewer_scores(r, o, round);
    json_object_set_new(o, "published", json_true());
    reply_json(r, 200, o);
}

static const char sql_freeze[] =
    "UPDATE grant_proposals SET expert_score_milli = $3, votes = $4, final_score_milli = $5, funded = $6, award_fen = $7 "
    "WHERE community_id = $1 AND id = $2";
static const char sql_round_published[] =
    "UPDATE grant_rounds SET phase = 'results', results_published_at = $3 WHERE community_id = $1 AND id = $2";

/* Staff publish the results for the public notice (公示): the ranking is frozen as it is now. */
static void results_publish(req *r)
{
    if (db_begin(r) != 0)
        return;
    store_rows *round = NULL;
    if (load_round(r, &round) != 0)
        return;
    if (store_cell(round, 0, 15))
        return (void)reply_fail(r, 409, "already_published", NULL);
    if (strcmp(store_cell(round, 0, 2), "voting") != 0 || clock_now() < store_cell_i64(round, 0, 7))
        return (void)reply_fail(r, 409, "voting_not_closed", NULL);
    struct result_row *res;
    int n;
    if (compute_results(r, round, &res, &n) != 0)
        return;
    for (int i = 0; i < n; i++)
        if (q_exec(r, sql_freeze, 7,
                   (const char *[]){cid_of(r), arena_i64(r->a, res[i].id), arena_i64(r->a, res[i].expert), arena_i64(r->a, res[i].votes),
                                    arena_i64(r->a, res[i].final), res[i].funded ? "1" : "0", arena_i64(r->a, res[i].award)},
                   NULL) != 0)
            return;
    json_t *body = results_json(res, n, round);
    if (q_exec(r, sql_round_published, 3, (const char *[]){cid_of(r), store_cell(round, 0, 0), arena_i64(r->a, clock_now())}, NULL) != 0 ||
        q_audit(r, "publish_results", "grant_round", req_param_i64(r, 1), NULL, body) != 0 || db_commit(r) != 0) {
        json_decref(body);
        return;
    }
    json_object_set_new(body, "published", json_true());
    reply_json(r, 200, body);
}

/* ---- payments ---- */

static const char sql_award[] =
    "SELECT p.award_fen, p.paid_fen, p.funded, o.name, p.title FROM grant_proposals p JOIN organisations o ON o.community_id = "
    "p.community_id AND o.id = p.organisation_id WHERE p.community_id = $1 AND p.round_id = $2 AND p.id = $3";
/* Only while paid_fen is still what the payment was computed from ($4): on PostgreSQL two payments
 * of one tranche at once both read the award before either commits, and the second must find the
 * first here and give up (its ledger entry rolls back with it). */
static const char sql_paid[] =
    "UPDATE grant_proposals SET paid_fen = paid_fen + $3 WHERE community_id = $1 AND id = $2 AND paid_fen = $4 RETURNING id";

/* An award is paid in tranches through the fund (70% on signing, the rest after the final report,
 * by default), under the fund's two-person rule. */
static void payment_create(req *r)
{
    const char *tranche = json_string_value(json_object_get(r->in, "tranche"));
    if (db_begin(r) != 0)
        return;
    store_rows *round = NULL, *award = NULL;
    if (load_round(r, &round) != 0 ||
        q_exec(r, sql_award, 3, (const char *[]){cid_of(r), store_cell(round, 0, 0), arena_i64(r->a, req_param_i64(r, 2))}, &award) != 0)
        return;
    if (award->nrows == 0)
        return (void)reply_fail(r, 404, "not_found", NULL);
    if (!store_cell(award, 0, 2) || store_cell_i64(award, 0, 2) == 0)
        return (void)reply_fail(r, 409, "not_funded", NULL);
    int64_t total = store_cell_i64(award, 0, 0), paid = store_cell_i64(award, 0, 1), one;
    int accepted = 0;
    /* The rest of the award follows the accepted final report. */
    static const char sql_final_report[] =
        "SELECT 1 FROM grant_reports WHERE community_id = $1 AND proposal_id = $2 AND is_final = 1 AND status = 'accepted'";
    if (strcmp(tranche, "final") == 0) {
        if (q_i64(r, sql_final_report, 2, (const char *[]){cid_of(r), arena_i64(r->a, req_param_i64(r, 2))}, &one, &accepted) != 0)
            return;
        if (!accepted)
            return (void)reply_fail(r, 409, "final_report_missing", NULL);
    }
    int64_t amount = strcmp(tranche, "first") == 0 ? total * store_cell_i64(round, 0, 14) / 100 - paid : total - paid;
    if (amount <= 0)
        return (void)reply_fail(r, 409, "tranche_paid", NULL);
    json_t *item = NULL;
    unsigned status = 0;
    if (fund_disburse(r, amount, store_cell(round, 0, 17), "5102", "", arena_printf(r->a, "微创投资助（%s）：%s", strcmp(tranche, "first") == 0 ? "首期" : "尾款", store_cell(award, 0, 4)),
                      store_cell(award, 0, 3), &item, &status) != 0)
        return;
    store_rows *took = NULL;
    if (q_exec(r, sql_paid, 4, (const char *[]){cid_of(r), arena_i64(r->a, req_param_i64(r, 2)), arena_i64(r->a, amount), arena_i64(r->a, paid)},
               &took) != 0) {
        json_decref(item);
        return;
    }
    if (took->nrows == 0) {
        json_decref(item);
        return (void)reply_fail(r, 409, "tranche_paid", NULL);
    }
    if (db_commit(r) != 0) {
        json_decref(item);
        return;
    }
    reply_json(r, status, item);
}

/* ---- organisations' representatives ---- */

static const char sql_rep_org[] = "SELECT name FROM organisations WHERE community_id = $1 AND id = $2";
static const char sql_holds_org_rep[] = "SELECT 1 FROM role_grants WHERE community_id = $1 AND account_id = $2 AND role = 'org_rep'";
static const char sql_rep_link[] =
    "INSERT INTO org_reps (community_id, organisation_id, account_id, linked_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING "
    "RETURNING account_id";
static const char sql_rep_unlink[] =
    "DELETE FROM org_reps WHERE community_id = $1 AND organisation_id = $2 AND account_id = $3 RETURNING account_id";
static const char sql_reps[] =
    "SELECT x.account_id, a.login, a.display_name, x.linked_at FROM org_reps x JOIN accounts a ON a.id = x.account_id "
    "WHERE x.community_id = $1 AND x.organisation_id = $2 ORDER BY x.linked_at, x.account_id";
static const struct colmap rep_map[] = {{"account_id", 'i'}, {"login", 's'}, {"display_name", 's'}, {"linked_at", 'i'}, {0}};
static const char sql_my_orgs_all[] = "SELECT id, name, kind FROM organisations WHERE community_id = $1 ORDER BY id";
static const char sql_my_orgs[] =
    "SELECT o.id, o.name, o.kind FROM organisations o JOIN org_reps x ON x.community_id = o.community_id AND x.organisation_id = o.id "
    "WHERE o.community_id = $1 AND x.account_id = $2 ORDER BY o.id";
static const struct colmap my_org_map[] = {{"id", 'i'}, {"name", 's'}, {"kind", 's'}, {0}};

store_rc grants_rep_link(store *s, arena *a, int64_t community_id, int64_t organisation_id, int64_t account_id, int64_t at)
{
    return store_exec(s, a, sql_rep_link, 4,
                      (const char *[]){arena_i64(a, community_id), arena_i64(a, organisation_id), arena_i64(a, account_id), arena_i64(a, at)}, NULL);
}

/* The organisation of the path (its name into *name); -1 after replying 404. */
static int rep_org(req *r, const char **name)
{
    store_rows *rows = NULL;
    if (q_exec(r, sql_rep_org, 2, (const char *[]){cid_of(r), arena_i64(r->a, req_param_i64(r, 1))}, &rows) != 0)
        return -1;
    if (rows->nrows == 0)
        return reply_fail(r, 404, "not_found", NULL);
    *name = store_cell(rows, 0, 0);
    return 0;
}

/* Staff record that an account (holding org_rep in this community) represents the organisation. */
static void rep_link(req *r)
{
    int64_t account = json_integer_value(json_object_get(r->in, "account_id")), one, org = req_param_i64(r, 1);
    int found = 0;
    const char *name;
    if (db_begin(r) != 0 || rep_org(r, &name) != 0 ||
        q_i64(r, sql_holds_org_rep, 2, (const char *[]){cid_of(r), arena_i64(r->a, account)}, &one, &found) != 0)
        return;
    if (!found)
        return (void)reply_field(r, "account_id", "not_org_rep");
    store_rows *took = NULL;
    if (q_exec(r, sql_rep_link, 4, (const char *[]){cid_of(r), arena_i64(r->a, org), arena_i64(r->a, account), arena_i64(r->a, clock_now())}, &took) != 0)
        return;
    if (took->nrows == 0)
        return (void)reply_fail(r, 409, "already_linked", NULL);
    json_t *item = json_pack("{s:I, s:s, s:I}", "organisation_id", (json_int_t)org, "organisation_name", name, "account_id", (json_int_t)account);
    if (q_audit(r, "link_rep", "organisation", org, NULL, item) != 0 || db_commit(r) != 0) {
        json_decref(item);
        return;
    }
    reply_json(r, 201, item);
}

/* Staff end the link: the account no longer acts for the organisation (its proposals stay). */
static void rep_unlink(req *r)
{
    int64_t org = req_param_i64(r, 1), account = req_param_i64(r, 2);
    const char *name;
    store_rows *took = NULL;
    if (db_begin(r) != 0 || rep_org(r, &name) != 0 ||
        q_exec(r, sql_rep_unlink, 3, (const char *[]){cid_of(r), arena_i64(r->a, org), arena_i64(r->a, account)}, &took) != 0)
        return;
    /* A 409, not a 404: a client retrying an unlink that committed can tell it from a wrong path. */
    if (took->nrows == 0)
        return (void)reply_fail(r, 409, "not_linked", NULL);
    json_t *before = json_pack("{s:I, s:s, s:I}", "organisation_id", (json_int_t)org, "organisation_name", name, "account_id", (json_int_t)account);
    int bad = q_audit(r, "unlink_rep", "organisation", org, before, NULL);
    json_decref(before);
    if (bad || db_commit(r) != 0)
        return;
    reply_empty(r, 204);
}

static void reps_list(req *r)
{
    const char *name;
    store_rows *rows = NULL;
    if (rep_org(r, &name) != 0 || q_exec(r, sql_reps, 2, (const char *[]){cid_of(r), arena_i64(r->a, req_param_i64(r, 1))}, &rows) != 0)
        return;
    reply_json(r, 200, json_pack("{s:o, s:i}", "items", rows_json(rows, rep_map), "total", rows->nrows));
}

/* The organisations the caller may propose for: those they represent; every one for staff. */
static void my_orgs(req *r)
{
    store_rows *rows = NULL;
    int all = perm_allows("grants.any_org", r->roles);
    if (all ? q_exec(r, sql_my_orgs_all, 1, (const char *[]){cid_of(r)}, &rows)
            : q_exec(r, sql_my_orgs, 2, (const char *[]){cid_of(r), arena_i64(r->a, r->account_id)}, &rows))
        return;
    reply_json(r, 200, json_pack("{s:o, s:i}", "items", rows_json(rows, my_org_map), "total", rows->nrows));
}

/* ---- the route table ---- */
/* The finer rules of the routes below (route.finer; docs/authorization.md shows them). */
static const char *const finer_org[] = {"grants.any_org", "own: an organisation the caller represents (staff link org reps)", NULL};
static const char *const finer_proposals[] = {"grants.all_proposals", "own: an org rep sees their organisations' proposals", NULL};
static const char *const finer_oversee[] = {"grants.oversee", "own: a reviewer sees their own scores", NULL};
static const char *const finer_preview[] = {"grants.oversee", NULL};
static const char *const finer_attachment[] = {"grants.all_attachments", "own: a reviewer of the round; the proposal's organisation", NULL};



static const char *const rules[] = {"single", "approval", "knapsack", NULL};
static const char *const pay_sources[] = {"bank", "cash", NULL};
static const char *const tranches[] = {"first", "final", NULL};

static const field_spec round_body[] = {
    {"name", F_STR, 1, 80, NULL, "e.g. 2026年文华社区“微创投”"},
    {"budget_fen", F_MONEY, 1, 0, NULL, "the round's budget"},
    {"max_award_fen", F_MONEY, 0, 0, NULL, "most one proposal may get (default: the budget)"},
    {"submission_ends", F_INT, 1, 0, NULL, "UTC seconds"},
    {"voting_opens", F_INT, 1, 0, NULL, "UTC seconds"},
    {"voting_closes", F_INT, 1, 0, NULL, "UTC seconds: voting closes exactly then"},
    {"voting_rule", F_ENUM, 0, 0, rules, "single (one proposal), approval (up to approval_k) or knapsack (any within knapsack_fen)"},
    {"approval_k", F_INT, 0, 20, NULL, "approval voting: how many proposals a ballot may choose"},
    {"pay_from", F_ENUM, 0, 0, pay_sources, "the fund account awards are paid from: bank (default) or cash"},
    {"knapsack_fen", F_MONEY, 0, 0, NULL, "knapsack ballot: the budget each voter spends across proposals (their requested amounts)"},
    {"expert_weight", F_INT, 0, 100, NULL, "percent of the final score from experts (default 70)"},
    {"public_weight", F_INT, 0, 100, NULL, "percent from the public vote (default 30)"},
    {"min_expert", F_INT, 0, 100, NULL, "minimum expert score to be funded (default 60)"},
    {"rubric", F_ARRAY, 0, 0, NULL, "[{key, label, weight, max}], weights summing to 100"},
    {0},
};
static const char *const phase_choices[] = {"eligibility", "scoring", "voting", "results", "funded", "reporting", "closed", NULL};
static const field_spec phase_body[] = {{"phase", F_ENUM, 1, 0, phase_choices, "the next phase"}, {0}};
static const field_spec proposal_body[] = {
    {"organisation_id", F_ID, 1, 0, NULL, "the applying organisation (e.g. an owners' committee)"},
    {"title", F_STR, 1, 80, NULL, "title"},
    {"summary", F_STR, 1, 500, NULL, "summary"},
    {"plan", F_STR, 0, 5000, NULL, "plan"},
    {"beneficiaries", F_STR, 0, 500, NULL, "who benefits"},
    {"budget_lines", F_ARRAY, 0, 0, NULL, "[{item, fen}] summing to requested_fen"},
    {"requested_fen", F_MONEY, 1, 0, NULL, "amount requested"},
    {0},
};
static const field_spec eligibility_body[] = {
    {"eligible", F_BOOL, 1, 0, NULL, "eligible or not"},
    {"reason", F_STR, 0, 300, NULL, "why (required when not)"},
    {0},
};
static const field_spec reviewer_body[] = {{"account_id", F_ID, 1, 0, NULL, "the reviewer's account"}, {0}};
static const field_spec rep_body[] = {{"account_id", F_ID, 1, 0, NULL, "an account holding org_rep in this community"}, {0}};
static const field_spec conflict_body[] = {{"reason", F_STR, 1, 300, NULL, "e.g. lives in the proposal's compound"}, {0}};
static const field_spec score_body[] = {
    {"scores", F_OBJECT, 1, 0, NULL, "{criterion key: score within its max}"},
    {"comment", F_STR, 0, 2000, NULL, "comment"},
    {0},
};
static const field_spec codes_body[] = {{"count", F_INT, 1, 2000, NULL, "how many codes"}, {0}};
static const field_spec redeem_body[] = {{"code", F_STR, 1, 30, NULL, "the household voting code"}, {0}};
static const field_spec voter_body[] = {
    {"account_id", F_ID, 1, 0, NULL, "the resident's account"},
    {"person_id", F_ID, 1, 0, NULL, "the registry person seen in person"},
    {0},
};
static const field_spec vote_body[] = {{"proposal_ids", F_IDS, 1, 0, NULL, "the chosen proposals"}, {0}};
static const field_spec payment_body[] = {{"tranche", F_ENUM, 1, 0, tranches, "first (on signing) or final (after the final report)"}, {0}};
static const field_spec paper_body[] = {
    {"serial", F_STR, 1, 40, NULL, "the paper ballot's serial number"},
    {"person_id", F_ID, 1, 0, NULL, "the voter (a registry person, seen at the office)"},
    {"proposal_ids", F_IDS, 1, 0, NULL, "the choices on the paper"},
    {0},
};
static const field_spec check_body[] = {{"confirm", F_BOOL, 1, 0, NULL, "true: it matches the paper; false: key it in again"}, {0}};
static const field_spec objection_body[] = {
    {"proposal_id", F_ID, 1, 0, NULL, "the proposal objected to"},
    {"text", F_STR, 1, 1000, NULL, "the objection"},
    {0},
};
static const field_spec answer_body[] = {{"answer", F_STR, 1, 2000, NULL, "staff's answer (public)"}, {0}};
static const column_spec objection_columns[] = {{"id", "编号", "ID"}, {"title", "项目", "Proposal"}, {"text", "异议", "Objection"}, {"answer", "答复", "Answer"}, {0}};
static const char *const review_decisions[] = {"accept", "return", NULL};
static const char *const preview_query[] = {"preview", NULL}; /* staff: the results before they are published */
static const char *const attachment_query[] = {"name", NULL};    /* the file's name, as the proposer gives it */
static const field_spec report_body[] = {
    {"period", F_STR, 1, 40, NULL, "the period reported, e.g. 2026年1—3月"},
    {"activities", F_STR, 1, 5000, NULL, "activities held"},
    {"participants", F_INT, 1, 1000000, NULL, "number of participants"},
    {"spending", F_OBJECT, 1, 0, NULL, "{budget line item: fen spent}"},
    {"photos", F_ARRAY, 0, 0, NULL, "photos: ids of the proposal's attachments"},
    {"final", F_BOOL, 0, 0, NULL, "the final report"},
    {0},
};
static const field_spec review_body[] = {
    {"decision", F_ENUM, 1, 0, review_decisions, "accept or return"},
    {"note", F_STR, 0, 1000, NULL, "what to fix (required to return)"},
    {0},
};
static const column_spec report_columns[] = {{"id", "编号", "ID"}, {"title", "项目", "Project"}, {"period", "期间", "Period"}, {"participants", "参与人数", "Participants"}, {"status", "状态", "Status"}, {0}};
static const column_spec round_columns[] = {{"id", "编号", "ID"}, {"name", "名称", "Name"}, {"phase", "阶段", "Phase"}, {"budget_fen", "预算(分)", "Budget (fen)"}, {0}};
static const column_spec proposal_columns[] = {
    {"id", "编号", "ID"}, {"title", "项目", "Proposal"}, {"organisation_name", "申报组织", "Organisation"}, {"requested_fen", "申请金额(分)", "Requested (fen)"}, {0},
};

#define C "/api/v1/communities/{community_id}"
static const route grant_routes[] = {
    {"GET", C "/grant-rounds", rounds_list, NULL, R_PUBLIC | R_LIST, NULL, round_columns, "grants", "Grant rounds with their phase and formula", 0, NULL},
    {"POST", C "/grant-rounds", round_create, "grants.manage", R_IDEMPOTENT, round_body, NULL, "grants", "Open a round", 0, NULL},
    {"GET", C "/grant-rounds/{round_id}", round_get, NULL, R_PUBLIC, NULL, NULL, "grants", "One round", 0, NULL},
    {"POST", C "/grant-rounds/{round_id}/phase", round_phase, "grants.manage", R_IDEMPOTENT, phase_body, NULL, "grants", "Move the round to a later phase", 0, NULL},
    {"GET", C "/grant-rounds/{round_id}/proposals", proposals_list, NULL, R_PUBLIC | R_LIST, NULL, proposal_columns, "grants", "Proposals (public once voting opens)", 0, NULL, .finer = finer_proposals},
    {"POST", C "/grant-rounds/{round_id}/proposals", proposal_create, "grants.propose", R_IDEMPOTENT, proposal_body, NULL, "grants", "Submit a proposal", 0, NULL, .finer = finer_org},
    {"PATCH", C "/grant-rounds/{round_id}/proposals/{proposal_id}", proposal_update, "grants.propose", 0, proposal_body, NULL, "grants", "Edit a proposal until the submission deadline", 0, NULL, .finer = finer_org},
    {"POST", C "/grant-rounds/{round_id}/proposals/{proposal_id}/eligibility", proposal_eligibility, "grants.manage", R_IDEMPOTENT, eligibility_body, NULL, "grants", "Mark eligible or not", 0, NULL},
    {"POST", C "/grant-rounds/{round_id}/proposals/{proposal_id}/conflict", conflict_declare, "grants.review", R_IDEMPOTENT, conflict_body, NULL, "grants", "Declare a conflict of interest", 0, NULL},
    {"POST", C "/grant-rounds/{round_id}/proposals/{proposal_id}/scores", score_put, "grants.review", R_IDEMPOTENT, score_body, NULL, "grants", "Score a proposal on the rubric", 0, NULL},
    {"POST", C "/grant-rounds/{round_id}/proposals/{proposal_id}/payments", payment_create, "fund.write", R_IDEMPOTENT, payment_body, NULL, "grants", "Pay a tranche through the fund; Idempotency-Key", 0, NULL},
    {"POST", C "/grant-rounds/{round_id}/reviewers", reviewer_add, "grants.manage", R_IDEMPOTENT, reviewer_body, NULL, "grants", "Assign a reviewer", 0, NULL},
    {"GET", C "/grant-rounds/{round_id}/reviews", reviews_list, "grants.reviews", 0, NULL, NULL, "grants", "Reviews: which are missing; scores hidden until scoring closes", 0, NULL, .finer = finer_oversee},
    {"POST", C "/grant-rounds/{round_id}/voting-codes", codes_create, "grants.manage", R_IDEMPOTENT, codes_body, NULL, "grants", "Print single-use household voting codes", 0, NULL},
    {"POST", C "/grant-rounds/{round_id}/voters", voter_link, "grants.manage", R_IDEMPOTENT, voter_body, NULL, "grants", "Verify a voter by linking the account to a registry person", 0, NULL},
    {"POST", C "/grant-rounds/{round_id}/votes", vote_cast, "grants.vote", R_IDEMPOTENT, vote_body, NULL, "grants", "Vote (once; final)", 0, NULL},
    {"GET", C "/grant-rounds/{round_id}/my-vote", my_vote, "grants.vote", 0, NULL, NULL, "grants", "Whether the caller may vote and has voted", 0, NULL},
    {"GET", C "/grant-rounds/{round_id}/live", live_counts, NULL, R_PUBLIC | R_STREAM, NULL, NULL, "grants", "Live vote counts (Server-Sent Events)", 0, NULL},
    {"GET", C "/grant-rounds/{round_id}/results", results_get, NULL, R_PUBLIC, NULL, NULL, "grants", "Results with every component (public once published)", 0, preview_query, .finer = finer_preview},
    {"POST", C "/grant-rounds/{round_id}/results/publish", results_publish, "grants.manage", R_IDEMPOTENT, NULL, NULL, "grants", "Publish the results for the public notice", 0, NULL},
    {"POST", C "/grant-rounds/{round_id}/paper-ballots", paper_enter, "grants.manage", R_IDEMPOTENT, paper_body, NULL, "grants", "Key in a paper ballot (counted after a second staff member checks it)", 0, NULL},
    {"POST", C "/grant-rounds/{round_id}/paper-ballots/{serial}/check", paper_check, "grants.manage", R_IDEMPOTENT, check_body, NULL, "grants", "Check a keyed paper ballot (not one's own)", 0, NULL},
    {"GET", C "/grant-rounds/{round_id}/objections", objections_list, NULL, R_PUBLIC | R_LIST, NULL, objection_columns, "grants", "Objections during the public notice, with answers", 0, NULL},
    {"POST", C "/grant-rounds/{round_id}/objections", objection_file, "grants.vote", R_IDEMPOTENT, objection_body, NULL, "grants", "File an objection during the public notice", 0, NULL},
    {"POST", C "/grant-rounds/{round_id}/objections/{objection_id}/answer", objection_answer, "grants.manage", R_IDEMPOTENT, answer_body, NULL, "grants", "Answer an objection", 0, NULL},
    {"POST", C "/grant-rounds/{round_id}/proposals/{proposal_id}/attachments", attachment_upload, "grants.propose", R_RAW_BODY | R_IDEMPOTENT, NULL, NULL, "grants", "Attach a PDF, JPEG or PNG (body = the file, ?name=; at most 5 MiB)", 5u << 20, attachment_query, .finer = finer_org},
    {"GET", C "/grant-rounds/{round_id}/proposals/{proposal_id}/attachments/{attachment_id}", attachment_get, "grants.attachments", 0, NULL, NULL, "grants", "An attachment (reviewers: of the rounds they review; org reps: of their organisations)", 0, NULL, .finer = finer_attachment},
    {"GET", C "/grant-rounds/{round_id}/reports", reports_list, "grants.reviews", R_LIST, NULL, report_columns, "grants", "Progress reports of funded projects", 0, NULL},
    {"POST", C "/grant-rounds/{round_id}/proposals/{proposal_id}/reports", report_file, "grants.propose", R_IDEMPOTENT, report_body, NULL, "grants", "File a progress report", 0, NULL, .finer = finer_org},
    {"POST", C "/grant-rounds/{round_id}/reports/{report_id}/review", report_review, "grants.manage", R_IDEMPOTENT, review_body, NULL, "grants", "Accept or return a report", 0, NULL},
    {"POST", C "/voting-codes/redeem", code_redeem, "grants.vote", R_IDEMPOTENT, redeem_body, NULL, "grants", "Redeem a household voting code (failures throttled: 429 with Retry-After)", 0, NULL},
    {"GET", C "/organisations/{organisation_id}/reps", reps_list, "registry.read", 0, NULL, NULL, "grants", "The accounts that represent an organisation", 0, NULL},
    {"POST", C "/organisations/{organisation_id}/reps", rep_link, "grants.manage", R_IDEMPOTENT, rep_body, NULL, "grants", "Record that an org rep represents the organisation", 0, NULL},
    {"DELETE", C "/organisations/{organisation_id}/reps/{account_id}", rep_unlink, "grants.manage", 0, NULL, NULL, "grants", "End an org rep's link to the organisation", 0, NULL},
    {"GET", C "/my-organisations", my_orgs, "grants.propose", 0, NULL, NULL, "grants", "The organisations the caller may propose for", 0, NULL, .finer = finer_org},
};
#undef C

/* ---- the demo ---- */

static const char sql_demo_round[] =
    "INSERT INTO grant_rounds (community_id, id, name, budget_fen, max_award_fen, phase, submission_ends, voting_opens, voting_closes, "
    "rubric, results_published_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $7)";
static const char sql_demo_proposal[] =
    "INSERT INTO grant_proposals (community_id, id, round_id, organisation_id, title, summary, plan, beneficiaries, requested_fen, "
    "submitted_by, submitted_at, eligible, expert_score_milli, votes, final_score_milli, funded, award_fen, paid_fen, budget_lines) "
    "VALUES ($1, $2, $3, (SELECT id FROM organisations WHERE community_id = $1 AND name = $4), $5, $6, $7, $8, $9, $10, $11, 1, $12, $13, $14, $15, $16, $17, $18)";
static const char sql_demo_report[] =
    "INSERT INTO grant_reports (community_id, id, proposal_id, period, activities, participants, spending, is_final, submitted_by, "
    "submitted_at, status, reviewed_by, reviewed_at) VALUES ($1, $2, $3, '2017年6—12月', $4, $5, $6, 1, $7, 1514678400, 'accepted', 'demo', 1515283200)";

struct demo_proposal {
    int round;
    const char *org, *title, *summary, *plan, *beneficiaries;
    int64_t fen, expert, votes, final;
    int funded;
    const char *report; /* the final report of a funded project */
    int participants;
};

static const struct demo_proposal demo_proposals[] = {
    {0, "丰华花苑业主委员会", "丰华花苑邻里文化营造", "整合小区人力与人文资源，开展书画培训、艺术展览和文体赛事，培育居民小社团，组建小区志愿服务队。",
     "书画培训 12 期；年中艺术展览 1 次；羽毛球、乒乓球赛事各 1 次；组建小区志愿服务队。", "小区全体居民，重点是长者和青少年", 1200000, 86500, 212, 90550, 1,
     "书画培训 12 期、艺术展览 1 次、羽毛球和乒乓球赛各 1 次；组建丰华花苑志愿服务队，孵化书画社、合唱团两个居民小社团。", 640},
    {0, "文华花园业主委员会", "文华花园 430 课堂与亲子活动", "利用康乐活动室开设 430 课堂，为双职工家庭的孩子提供课后陪伴，并开展亲子活动。",
     "每周一至周五 16:30–18:30 课后陪伴；每月 1 次亲子活动。", "小区双职工家庭的小学生及其家长", 1000000, 83200, 186, 84412, 1,
     "在康乐活动室开设 430 课堂 96 次，亲子活动 6 次，家长志愿者轮值陪伴。", 410},
    {0, "雍翠华府业主委员会", "雍翠华府长者与儿童身心健康促进", "为长者和儿童开展健康促进和心理辅导小组。", "健康讲座 6 场；长者心理辅导小组 8 节；儿童情绪管理小组 8 节。",
     "小区长者与儿童", 800000, 80100, 171, 80232, 1, "健康讲座 6 场、长者心理辅导小组 8 节、儿童情绪管理小组 8 节。", 380},
    {1, "保利上城党群共融之家", "楼长联席会议与邻里议事", "以党群共融之家为阵地，定期召开楼长联席会议，收集并解决邻里问题。", "每月 1 次楼长联席会议；季度邻里议事会。", "保利上城全体居民", 600000, 0, 0, 0, 0, NULL, 0},
    {1, "丰华花苑志愿服务队", "志愿者技能提升计划", "为小区志愿服务队开展急救、沟通等技能培训，提高服务质量。", "急救培训 2 期；志愿服务沟通技巧工作坊 3 次。", "小区志愿者与受服务长者", 400000, 0, 0, 0, 0, NULL, 0},
    {1, "顺视优艺青少儿艺术中心", "社区教育戏剧工作坊", "延续教育戏剧工作坊（长者、亲子家庭、友邻三个板块），排演社区戏剧。", "每板块 8 节课；年底社区戏剧汇演 1 场。", "长者、亲子家庭、新邻居", 700000, 0, 0, 0, 0, NULL, 0},
};

int grants_demo_create(store *s, int64_t community_id, int64_t admin_id, char *err, size_t errlen)
{
    arena *a = arena_new();
    const char *cid = arena_i64(a, community_id);
    int64_t now = clock_now(), rounds[2];
    store_rc rc = store_begin(s);
    for (int i = 0; rc == STORE_OK && i < 2; i++) {
        rc = store_next_id(s, a, &rounds[i]);
        /* The finished round of 2017 (the article); this year's round, open for voting for two weeks. */
        const char *p[11] = {cid, arena_i64(a, rounds[i]), i ? "本年度文华社区“微创投”竞争性项目" : "2017年文华社区“微创投”竞争性试点项目",
                             i ? "2000000" : "3000000", i ? "800000" : "1200000", i ? "voting" : "closed",
                             arena_i64(a, i ? now - 20 * 86400 : 1491004800), arena_i64(a, i ? now - 86400 : 1493596800),
                             arena_i64(a, i ? now + 14 * 86400 : 1494806400), default_rubric, i ? NULL : "1495411200"};
        if (rc == STORE_OK)
            rc = store_exec(s, a, sql_demo_round, 11, p, NULL);
    }
    for (size_t i = 0; rc == STORE_OK && i < sizeof demo_proposals / sizeof demo_proposals[0]; i++) {
        const struct demo_proposal *d = &demo_proposals[i];
        int64_t id;
        rc = store_next_id(s, a, &id);
        int done = d->round == 0;
        const char *p[18] = {cid, arena_i64(a, id), arena_i64(a, rounds[d->round]), d->org, d->title, d->summary, d->plan, d->beneficiaries,
                             arena_i64(a, d->fen), arena_i64(a, admin_id), arena_i64(a, done ? 1491004800 - (int64_t)i * 86400 : now - 25 * 86400 + (int64_t)i * 3600),
                             done ? arena_i64(a, d->expert) : NULL, done ? arena_i64(a, d->votes) : NULL, done ? arena_i64(a, d->final) : NULL,
                             done ? (d->funded ? "1" : "0") : NULL, done ? arena_i64(a, d->fen) : NULL, done ? arena_i64(a, d->fen) : "0",
                             arena_printf(a, "[{\"item\":\"活动经费\",\"fen\":%lld}]", (long long)d->fen)};
        if (rc == STORE_OK)
            rc = store_exec(s, a, sql_demo_proposal, 18, p, NULL);
        if (rc == STORE_OK && d->report) {
            int64_t rid;
            rc = store_next_id(s, a, &rid);
            if (rc == STORE_OK)
                rc = store_exec(s, a, sql_demo_report, 7,
                                (const char *[]){cid, arena_i64(a, rid), p[1], d->report, arena_i64(a, d->participants),
                                                 arena_printf(a, "{\"活动经费\":%lld}", (long long)d->fen), arena_i64(a, admin_id)},
                                NULL);
        }
    }
    if (rc == STORE_OK)
        rc = store_commit(s);
    if (rc != STORE_OK) {
        snprintf(err, errlen, "demo grants: %s", store_errmsg(s));
        store_rollback(s);
    }
    arena_free(a);
    return rc == STORE_OK ? 0 : -1;
}

const module grants_module = {"grants", grant_routes, sizeof grant_routes / sizeof grant_routes[0], NULL};
