/* The fund's endpoints: the public fund page (balance, entries with their hashes, balance over time,
 * income and spending by kind, restricted money), donations in cash or in kind with receipts, money
 * out (above the community's threshold it waits for other staff members' approval), reversals, the
 * fund's rules as a versioned Markdown document, reports, and settings. */
#include "auth/roles.h"
#include "core/clock.h"
#include "core/mask.h"
#include "core/validate.h"
#include "modules/fund/fund.h"
#include "server/reply.h"
#include <cmark.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *cid_of(req *r) { return arena_i64(r->a, r->community_id); }

/* ---- the public page ---- */

static const char sql_by_account[] =
    "SELECT a.code, a.name, a.name_en, a.kind, COALESCE(sum(p.amount_fen), 0) FROM fund_accounts a "
    "LEFT JOIN fund_postings p ON p.community_id = a.community_id AND p.account = a.code "
    "WHERE a.community_id = $1 GROUP BY a.code, a.name, a.name_en, a.kind ORDER BY a.code";
static const char sql_daily[] =
    "SELECT e.at, p.amount_fen FROM fund_postings p JOIN fund_entries e ON e.community_id = p.community_id "
    "AND e.seq = p.entry_seq WHERE p.community_id = $1 AND p.account IN ('1001', '1002') ORDER BY e.seq";
static const char sql_earmarks[] =
    "SELECT p.earmark, -sum(p.amount_fen) FROM fund_postings p JOIN fund_accounts a ON a.community_id = p.community_id "
    "AND a.code = p.account WHERE p.community_id = $1 AND p.earmark <> '' AND a.kind IN ('income', 'expense') "
    "AND p.account NOT IN ('4105', '5104') GROUP BY p.earmark HAVING -sum(p.amount_fen) <> 0 ORDER BY p.earmark";
static const char sql_head_of[] = "SELECT seq, hash FROM fund_heads WHERE community_id = $1";

/* Everything on the fund page and the ledger pages follows from the entries, and the chain head's
 * hash names them all: the pages are kept by it (reply_kept) and made again only after a new entry.
 * Made, the fund page sums every posting (0.4–0.6 s with 100,000 entries, docs/benchmarks.md);
 * kept, it costs one row. Other changes in the community do not touch them. "-": no entry yet. */
static store_rc fund_version(req *r, const char **out)
{
    store_rows *head = NULL;
    store_rc rc = store_exec(r->db, r->a, sql_head_of, 1, (const char *[]){cid_of(r)}, &head);
    if (rc == STORE_OK)
        *out = head->nrows ? arena_printf(r->a, "%s %s", store_cell(head, 0, 0), store_cell(head, 0, 1)) : "-";
    return rc;
}

static void fund_get(req *r)
{
    const char *key = arena_printf(r->a, "fund %lld %d", (long long)r->community_id, (int)r->lang), *version = NULL;
    if (reply_kept(r, key, fund_version, &version) != 0)
        return;
    if (strcmp(version, "-") == 0) { /* a community without any entry: make its chart of accounts first */
        if (db_begin(r) != 0)
            return;
        store_rc rc = ledger_ensure(r->db, r->a, r->community_id);
        if (rc != STORE_OK)
            return db_fail(r, rc);
        if (db_commit(r) != 0)
            return;
    }
    store_rows *acc = NULL, *daily = NULL, *marks = NULL, *head = NULL;
    const char *p[1] = {cid_of(r)};
    if (q_exec(r, sql_by_account, 1, p, &acc) != 0 || q_exec(r, sql_daily, 1, p, &daily) != 0 ||
        q_exec(r, sql_earmarks, 1, p, &marks) != 0 || q_exec(r, sql_head_of, 1, p, &head) != 0)
        return;
    int64_t cash = 0, bank = 0, in_kind = 0, restricted = 0;
    json_t *income = json_array(), *expense = json_array(), *accounts = json_array();
    for (int i = 0; i < acc->nrows; i++) {
        const char *code = store_cell(acc, i, 0), *kind = store_cell(acc, i, 3);
        int64_t bal = store_cell_i64(acc, i, 4);
        if (strcmp(code, "1001") == 0)
            cash = bal;
        if (strcmp(code, "1002") == 0)
            bank = bal;
        if (strcmp(code, "4105") == 0)
            in_kind = -bal;
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I}", "code", code, "name", r->lang == LANG_EN ? store_cell(acc, i, 2) : store_cell(acc, i, 1),
                              "name_zh", store_cell(acc, i, 1), "kind", kind, "balance_fen", (json_int_t)bal);
        if (strcmp(kind, "income") == 0)
            json_array_append_new(income, json_pack("{s:s, s:s, s:I}", "code", code, "name", json_string_value(json_object_get(o, "name")), "fen", (json_int_t)-bal));
        if (strcmp(kind, "expense") == 0)
            json_array_append_new(expense, json_pack("{s:s, s:s, s:I}", "code", code, "name", json_string_value(json_object_get(o, "name")), "fen", (json_int_t)bal));
        json_array_append_new(accounts, o);
    }
    json_t *earmarks = json_array();
    for (int i = 0; i < marks->nrows; i++) {
        restricted += store_cell_i64(marks, i, 1);
        json_array_append_new(earmarks, json_pack("{s:s, s:I}", "earmark", store_cell(marks, i, 0), "fen", (json_int_t)store_cell_i64(marks, i, 1)));
    }
    /* Balance over time: the cash and bank balance at the end of each day that had an entry. */
    json_t *series = json_array();
    int64_t running = 0;
    char last[11] = "";
    for (int i = 0; i < daily->nrows; i++) {
        char day[11];
        clock_day(store_cell_i64(daily, i, 0), day);
        running += store_cell_i64(daily, i, 1);
        if (strcmp(day, last) == 0)
            json_integer_set(json_object_get(json_array_get(series, json_array_size(series) - 1), "balance_fen"), running);
        else
            json_array_append_new(series, json_pack("{s:s, s:I}", "date", day, "balance_fen", (json_int_t)running));
        snprintf(last, sizeof last, "%s", day);
    }
    reply_json(r, 200,
               json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:o, s:o, s:o, s:o, s:o}", "balance_fen", (json_int_t)(cash + bank),
                         "cash_fen", (json_int_t)cash, "bank_fen", (json_int_t)bank, "restricted_fen", (json_int_t)restricted,
                         "unrestricted_fen", (json_int_t)(cash + bank - restricted), "in_kind_fen", (json_int_t)in_kind,
                         "entries", (json_int_t)(head->nrows ? store_cell_i64(head, 0, 0) : 0), "head_hash",
                         head->nrows ? store_cell(head, 0, 1) : "", "income", income, "expense", expense, "restricted", earmarks,
                         "accounts", accounts, "series", series));
    reply_keep(r, key, fund_version, version);
}

static const char sql_entries_page[] =
    "SELECT seq, at, kind, memo, donor, receipt_no, reverses_seq, prev_hash, hash, method FROM fund_entries "
    "WHERE community_id = $1 ORDER BY seq LIMIT $2 OFFSET $3";
/* Entries are numbered 1, 2, 3… without a gap (ledger_post gives each the head's number plus one,
 * and the database refuses deletes), so the head's number is their count: one row read instead of
 * counting them all, which took 4 ms a page with 100,000 entries (docs/benchmarks.md). */
static const char sql_entries_count[] = "SELECT seq FROM fund_heads WHERE community_id = $1";
static const char sql_page_postings[] =
    "SELECT entry_seq, account, amount_fen, earmark FROM fund_postings WHERE community_id = $1 AND entry_seq >= $2 "
    "AND entry_seq <= $3 ORDER BY entry_seq, line";
static const struct colmap entry_map[] = {
    {"seq", 'i'}, {"at", 'i'}, {"kind", 's'}, {"memo", 's'}, {"donor", 's'}, {"receipt_no", 'n'}, {"reverses_seq", 'i'},
    {"prev_hash", 's'}, {"hash", 's'}, {"method", 's'}, {0},
};

/* Entries with their postings, oldest first, so that a reader can recompute the chain page by page. */
static void entries_list(req *r)
{
    struct list_args la;
    if (list_args_parse(r, &la) != 0)
        return;
    /* A page of entries never changes once written (entries are only added, at the end), but its
     * `total` does: the page is kept by the chain head, like the fund page. Exports are not kept. */
    const char *key = NULL, *version = NULL;
    if (la.format == LIST_JSON) {
        key = arena_printf(r->a, "entries %lld %lld %lld", (long long)r->community_id, (long long)la.limit, (long long)la.offset);
        if (reply_kept(r, key, fund_version, &version) != 0)
            return;
    }
    const char *p[3] = {cid_of(r), arena_i64(r->a, la.limit), arena_i64(r->a, la.offset)};
    store_rows *rows = NULL, *ps = NULL;
    int64_t total = 0;
    int found;
    if (q_exec(r, sql_entries_page, 3, p, &rows) != 0 || q_i64(r, sql_entries_count, 1, p, &total, &found) != 0)
        return;
    if (rows->nrows) {
        const char *q[3] = {p[0], store_cell(rows, 0, 0), store_cell(rows, rows->nrows - 1, 0)};
        if (q_exec(r, sql_page_postings, 3, q, &ps) != 0)
            return;
    }
    json_t *items = json_array();
    int pi = 0;
    for (int i = 0; i < rows->nrows; i++) {
        json_t *o = row_json(rows, i, entry_map), *post = json_array();
        int64_t seq = store_cell_i64(rows, i, 0), amount = 0;
        char accounts[128] = "";
        while (ps && pi < ps->nrows && store_cell_i64(ps, pi, 0) == seq) {
            json_array_append_new(post, json_pack("{s:s, s:I, s:s}", "account", store_cell(ps, pi, 1), "amount_fen",
                                                  (json_int_t)store_cell_i64(ps, pi, 2), "earmark", store_cell(ps, pi, 3)));
            if (store_cell_i64(ps, pi, 2) > 0)
                amount += store_cell_i64(ps, pi, 2);
            snprintf(accounts + strlen(accounts), sizeof accounts - strlen(accounts), "%s%s %lld", accounts[0] ? "; " : "",
                     store_cell(ps, pi, 1), (long long)store_cell_i64(ps, pi, 2));
            pi++;
        }
        json_object_set_new(o, "postings", post);
        json_object_set_new(o, "amount_fen", json_integer(amount));
        json_object_set_new(o, "postings_text", json_string(accounts));
        json_array_append_new(items, o);
    }
    reply_list(r, &la, items, total, NULL);
    if (key)
        reply_keep(r, key, fund_version, version);
}

/* ---- donations ---- */

static const char *method_account(const char *method)
{
    return strcmp(method, "cash") == 0 ? "1001" : "1002";
}

/* "wish:12" / "project:3" from {"earmark": {"type", "id"}}; "" for general money. */
static const char *earmark_of(req *r)
{
    json_t *e = json_object_get(r->in, "earmark");
    const char *type = json_string_value(json_object_get(e, "type"));
    json_int_t id = json_integer_value(json_object_get(e, "id"));
    if (!type || strcmp(type, "general") == 0)
        return "";
    return arena_printf(r->a, "%s:%lld", type, (long long)id);
}

/* 0 when the earmark, if any, is {"type": general|wish|project, "id": N > 0}; else replies 422. */
static int earmark_check(req *r)
{
    json_t *e = json_object_get(r->in, "earmark");
    if (!e || json_is_null(e))
        return 0;
    const char *type = json_string_value(json_object_get(e, "type"));
    if (type && strcmp(type, "general") == 0)
        return 0;
    if (!type || (strcmp(type, "wish") && strcmp(type, "project")) || json_integer_value(json_object_get(e, "id")) <= 0)
        return reply_field(r, "earmark", "invalid_earmark");
    return 0;
}

static const char sql_entry_one[] =
    "SELECT seq, at, kind, memo, donor, receipt_no, reverses_seq, prev_hash, hash, method, donor_private, created_by "
    "FROM fund_entries WHERE community_id = $1 AND seq = $2";
static const char sql_entry_postings[] =
    "SELECT account, amount_fen, earmark FROM fund_postings WHERE community_id = $1 AND entry_seq = $2 ORDER BY line";

/* An entry as JSON (the donor's full name only for staff, who need it for the receipt). NULL when
 * there is no such entry (*rc is STORE_OK) or the store failed (*rc says how). */
static json_t *entry_json(req *r, int64_t seq, int with_private, store_rc *rc)
{
    store_rows *e = NULL, *ps = NULL;
    const char *p[2] = {cid_of(r), arena_i64(r->a, seq)};
    *rc = store_exec(r->db, r->a, sql_entry_one, 2, p, &e);
    if (*rc == STORE_OK && e->nrows > 0)
        *rc = store_exec(r->db, r->a, sql_entry_postings, 2, p, &ps);
    if (*rc != STORE_OK || e->nrows == 0)
        return NULL;
    json_t *o = row_json(e, 0, entry_map), *post = json_array();
    int64_t amount = 0;
    for (int i = 0; i < ps->nrows; i++) {
        json_array_append_new(post, json_pack("{s:s, s:I, s:s}", "account", store_cell(ps, i, 0), "amount_fen",
                                              (json_int_t)store_cell_i64(ps, i, 1), "earmark", store_cell(ps, i, 2)));
        if (store_cell_i64(ps, i, 1) > 0)
            amount += store_cell_i64(ps, i, 1);
    }
    json_object_set_new(o, "postings", post);
    json_object_set_new(o, "amount_fen", json_integer(amount));
    if (with_private) {
        const char *name = crypto_open(r->a, &r->app->keys, store_cell(e, 0, 10));
        json_object_set_new(o, "donor_name", name ? json_string(name) : json_null());
        json_object_set_new(o, "created_by", json_string(store_cell(e, 0, 11)));
    }
    return o;
}

/* Posts one entry and answers it (201), keeping the answer for Idempotency-Key retries. The
 * transaction is open on entry. */
static void post_and_reply(req *r, struct entry_in *e, const char *action)
{
    int64_t seq;
    store_rc rc = ledger_post(r->db, r->a, r->community_id, e, &seq);
    if (rc == STORE_CONSTRAINT)
        return (void)reply_fail(r, 422, "unbalanced_entry", NULL);
    if (rc != STORE_OK)
        return db_fail(r, rc);
    json_t *item = entry_json(r, seq, 1, &rc);
    if (!item)
        return rc != STORE_OK ? db_fail(r, rc) : (void)reply_fail(r, 500, "internal", NULL);
    if (q_audit(r, action, "fund_entry", seq, NULL, item) != 0 || idem_store(r, 201, item) != 0 || db_commit(r) != 0) {
        json_decref(item);
        return;
    }
    reply_json(r, 201, item);
}

static void donation_create(req *r)
{
    json_t *in = r->in;
    int64_t amount = json_integer_value(json_object_get(in, "amount_fen"));
    const char *method = json_string_value(json_object_get(in, "method"));
    const char *name = json_string_value(json_object_get(in, "donor_name"));
    const char *kind = json_string_value(json_object_get(in, "donor_kind"));
    int anonymous = json_is_true(json_object_get(in, "anonymous"));
    int in_kind = strcmp(method, "in_kind") == 0;
    const char *item = json_string_value(json_object_get(in, "item"));
    if (amount <= 0)
        return (void)reply_field(r, "amount_fen", "must_be_positive");
    if (in_kind && (!item || !*item))
        return (void)reply_field(r, "item", "required");
    if (earmark_check(r) != 0)
        return;
    if (db_begin(r) != 0 || idem_replay(r))
        return;
    char masked[64] = "";
    /* The public sees an organisation's name, a person's masked name, or 匿名. */
    if (anonymous || !name || !*name)
        snprintf(masked, sizeof masked, "%s", r->lang == LANG_EN ? "Anonymous" : "匿名");
    else if (kind && strcmp(kind, "organisation") == 0)
        snprintf(masked, sizeof masked, "%s", name);
    else
        mask_name(name, masked, sizeof masked);
    const char *earmark = earmark_of(r);
    const char *receipt = json_string_value(json_object_get(in, "receipt_no"));
    const char *memo = json_string_value(json_object_get(in, "memo"));
    struct entry_in e = {
        .kind = in_kind ? "in_kind" : "donation",
        .memo = in_kind ? arena_printf(r->a, "实物捐赠：%s", item) : (memo && *memo ? memo : "捐赠"),
        .donor = masked,
        .donor_private = name && *name ? crypto_seal(r->a, &r->app->keys, name) : NULL,
        .receipt_no = receipt && *receipt ? receipt : arena_printf(r->a, "R%lld-%lld", (long long)r->community_id, (long long)clock_now()),
        .method = method,
        .created_by = r->login,
        .n = 2,
    };
    e.p[0] = (struct posting){in_kind ? "1201" : method_account(method), amount, in_kind ? "" : earmark};
    e.p[1] = (struct posting){in_kind ? "4105" : "4101", -amount, in_kind ? "" : earmark};
    post_and_reply(r, &e, "donation");
}

/* ---- money out ---- */

static const char *expense_account(const char *kind)
{
    if (strcmp(kind, "wishes") == 0)
        return "5101";
    if (strcmp(kind, "grants") == 0)
        return "5102";
    if (strcmp(kind, "in_kind") == 0)
        return "5104";
    return "5103";
}

static const char sql_fund_settings[] = "SELECT threshold_fen, approvals_needed FROM fund_settings WHERE community_id = $1";

/* Takes the community's chain head (a row lock) in the open transaction. Every path that pays out
 * takes it before it reads a balance or a request, so that concurrent payouts queue here and each
 * sees what the one before it left: SQLite's BEGIN IMMEDIATE serialises writers anyway, but
 * PostgreSQL at READ COMMITTED would otherwise let two check the same balance and both post. */
static int lock_chain_head(req *r)
{
    static const char sql_lock[] =
        "INSERT INTO fund_heads (community_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (community_id) DO UPDATE SET seq = fund_heads.seq";
    return q_exec(r, sql_lock, 2, (const char *[]){cid_of(r), "0000000000000000000000000000000000000000000000000000000000000000"}, NULL);
}

/* Whether the fund can pay amount from account for earmark: restricted money only for its own
 * purpose, and never below zero. 0, or -1 after replying 409. */
static int check_funds(req *r, const char *account, const char *earmark, int64_t amount)
{
    int64_t in_account = 0, restricted_all = 0, restricted_this = 0;
    store_rc rc = ledger_balance(r->db, r->a, r->community_id, account, NULL, &in_account);
    if (rc == STORE_OK)
        rc = ledger_restricted(r->db, r->a, r->community_id, NULL, &restricted_all);
    if (rc == STORE_OK && *earmark)
        rc = ledger_restricted(r->db, r->a, r->community_id, earmark, &restricted_this);
    if (rc != STORE_OK) {
        db_fail(r, rc);
        return -1;
    }
    int64_t cash = 0;
    if ((rc = ledger_balance(r->db, r->a, r->community_id, "100", NULL, &cash)) != STORE_OK) {
        db_fail(r, rc);
        return -1;
    }
    int64_t unrestricted = cash - restricted_all;
    int64_t available = unrestricted + restricted_this;
    if (amount > in_account || amount > available)
        return reply_fail(r, 409, "insufficient_funds", json_pack("{s:s}", "amount_fen",
                                                                   arena_printf(r->a, r->lang == LANG_EN ? "Available: %lld fen" : "可用余额：%lld 分",
                                                                                (long long)(available < in_account ? available : in_account))));
    return 0;
}

static void fill_disbursement(req *r, struct entry_in *e, int64_t amount, const char *from, const char *expense, const char *earmark,
                              const char *memo, const char *payee)
{
    memset(e, 0, sizeof *e);
    e->kind = "disbursement";
    e->memo = payee && *payee ? arena_printf(r->a, "%s（%s）", memo, payee) : memo;
    e->donor = "";
    e->method = from;
    e->created_by = r->login;
    e->n = 2;
    e->p[0] = (struct posting){expense, amount, earmark};
    e->p[1] = (struct posting){method_account(from), -amount, earmark};
}

static const char sql_request_insert[] =
    "INSERT INTO fund_requests (community_id, id, amount_fen, from_account, expense_account, earmark, memo, payee, "
    "requested_by, requested_at, approvals_needed, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending')";
static const char sql_request_one[] =
    "SELECT id, amount_fen, from_account, expense_account, earmark, memo, payee, requested_by, requested_at, "
    "approvals_needed, status, entry_seq, (SELECT count(*) FROM fund_approvals a WHERE a.community_id = q.community_id "
    "AND a.request_id = q.id), (SELECT login FROM accounts WHERE id = q.requested_by) FROM fund_requests q "
    "WHERE community_id = $1 AND id = $2";
static const struct colmap request_map[] = {
    {"id", 'i'}, {"amount_fen", 'i'}, {"from", 's'}, {"expense_account", 's'}, {"earmark", 's'}, {"memo", 's'},
    {"payee", 's'}, {"requested_by", 'i'}, {"requested_at", 'i'}, {"approvals_needed", 'i'}, {"status", 's'},
    {"entry_seq", 'i'}, {"approvals", 'i'}, {"requested_by_login", 'n'}, {0},
};

static json_t *request_json(req *r, int64_t id)
{
    store_rows *rows = NULL;
    if (store_exec(r->db, r->a, sql_request_one, 2, (const char *[]){cid_of(r), arena_i64(r->a, id)}, &rows) != STORE_OK || !rows->nrows)
        return NULL;
    return row_json(rows, 0, request_map);
}

/* Money out, inside the open transaction: up to the threshold it posts at once (*status 201, the
 * entry); above it, it becomes a request waiting for other staff members' approval (202). Restricted
 * money only for its purpose, and no account below zero. 0, or -1 after replying. */
int fund_disburse(req *r, int64_t amount, const char *from, const char *expense, const char *earmark, const char *memo,
                  const char *payee, json_t **result, unsigned *status)
{
    store_rows *set = NULL;
    store_rc rc = ledger_ensure(r->db, r->a, r->community_id);
    if (rc != STORE_OK) {
        db_fail(r, rc);
        return -1;
    }
    if (q_exec(r, sql_fund_settings, 1, (const char *[]){cid_of(r)}, &set) != 0)
        return -1;
    const char *account = method_account(from);
    /* Take the chain head first, so that concurrent payouts queue here and the balance checked is
     * the balance they will leave. */
    if (lock_chain_head(r) != 0)
        return -1;
    if (check_funds(r, account, earmark, amount) != 0)
        return -1;
    if (amount <= store_cell_i64(set, 0, 0)) {
        struct entry_in e;
        int64_t seq;
        fill_disbursement(r, &e, amount, from, expense, earmark, memo, payee);
        rc = ledger_post(r->db, r->a, r->community_id, &e, &seq);
        if (rc != STORE_OK) {
            db_fail(r, rc);
            return -1;
        }
        *result = entry_json(r, seq, 1, &rc);
        if (!*result) {
            db_fail(r, rc != STORE_OK ? rc : STORE_ERROR);
            return -1;
        }
        *status = 201;
        return q_audit(r, "disburse", "fund_entry", seq, NULL, *result);
    }
    int64_t id;
    if ((rc = store_next_id(r->db, r->a, &id)) != STORE_OK) {
        db_fail(r, rc);
        return -1;
    }
    const char *p[11] = {cid_of(r), arena_i64(r->a, id), arena_i64(r->a, amount), account, expense, earmark, memo, payee ? payee : "",
                         arena_i64(r->a, r->account_id), arena_i64(r->a, clock_now()), store_cell(set, 0, 1)};
    if (q_exec(r, sql_request_insert, 11, p, NULL) != 0)
        return -1;
    *result = request_json(r, id);
    *status = 202;
    return q_audit(r, "request", "fund_request", id, NULL, *result);
}

static void disbursement_create(req *r)
{
    json_t *in = r->in;
    int64_t amount = json_integer_value(json_object_get(in, "amount_fen"));
    if (amount <= 0)
        return (void)reply_field(r, "amount_fen", "must_be_positive");
    if (earmark_check(r) != 0)
        return;
    if (db_begin(r) != 0 || idem_replay(r))
        return;
    json_t *item = NULL;
    unsigned status = 0;
    if (fund_disburse(r, amount, json_string_value(json_object_get(in, "from")), expense_account(json_string_value(json_object_get(in, "expense"))),
                      earmark_of(r), json_string_value(json_object_get(in, "memo")), json_string_value(json_object_get(in, "payee")), &item, &status) != 0 ||
        idem_store(r, status, item) != 0 || db_commit(r) != 0) {
        json_decref(item);
        return;
    }
    reply_json(r, status, item);
}

static const char sql_requests[] =
    "SELECT id, amount_fen, from_account, expense_account, earmark, memo, payee, requested_by, requested_at, "
    "approvals_needed, status, entry_seq, (SELECT count(*) FROM fund_approvals a WHERE a.community_id = q.community_id "
    "AND a.request_id = q.id), (SELECT login FROM accounts WHERE id = q.requested_by) FROM fund_requests q "
    "WHERE community_id = $1 AND (CAST($2 AS TEXT) IS NULL OR status = CAST($2 AS TEXT)) ORDER BY id DESC LIMIT $3 OFFSET $4";

static void requests_list(req *r)
{
    struct list_args la;
    if (list_args_parse(r, &la) != 0)
        return;
    const char *status = req_query(r, "status");
    store_rows *rows = NULL;
    if (q_exec(r, sql_requests, 4, (const char *[]){cid_of(r), status && *status ? status : NULL, arena_i64(r->a, la.limit), arena_i64(r->a, la.offset)}, &rows) != 0)
        return;
    reply_list(r, &la, rows_json(rows, request_map), rows->nrows, NULL);
}

static const char sql_approve[] = "INSERT INTO fund_approvals (community_id, request_id, approver_id, approved_at) VALUES ($1, $2, $3, $4)";
static const char sql_request_done[] = "UPDATE fund_requests SET status = $3, entry_seq = $4 WHERE community_id = $1 AND id = $2 AND status = 'pending'";

/* Another staff member approves; with enough approvals the payment posts (if the money is still there). */
static void request_approve(req *r)
{
    int reject = strstr(r->url, "/reject") != NULL;
    /* The chain head before the request is read: two approvals at once (of one request, or of two
     * that the cash cannot both cover) then run one after the other, and the second sees the first. */
    if (db_begin(r) != 0 || lock_chain_head(r) != 0)
        return;
    int64_t id = req_param_i64(r, 1);
    store_rows *q = NULL;
    const char *p[4] = {cid_of(r), arena_i64(r->a, id), arena_i64(r->a, r->account_id), arena_i64(r->a, clock_now())};
    if (q_exec(r, sql_request_one, 2, p, &q) != 0)
        return;
    if (q->nrows == 0)
        return (void)reply_fail(r, 404, "not_found", NULL);
    if (strcmp(store_cell(q, 0, 10), "pending") != 0)
        return (void)reply_fail(r, 409, "request_closed", NULL);
    if (store_cell_i64(q, 0, 7) == r->account_id)
        return (void)reply_fail(r, 403, "own_request", NULL);
    if (reject) {
        if (q_exec(r, sql_request_done, 4, (const char *[]){p[0], p[1], "rejected", NULL}, NULL) != 0)
            return;
    } else {
        store_rc rc = store_exec(r->db, r->a, sql_approve, 4, p, NULL);
        if (rc == STORE_CONSTRAINT)
            return (void)reply_fail(r, 409, "already_approved", NULL);
        if (rc != STORE_OK)
            return db_fail(r, rc);
        if (store_cell_i64(q, 0, 12) + 1 >= store_cell_i64(q, 0, 9)) {
            const char *from = strcmp(store_cell(q, 0, 2), "1001") == 0 ? "cash" : "bank";
            if (check_funds(r, store_cell(q, 0, 2), store_cell(q, 0, 4), store_cell_i64(q, 0, 1)) != 0)
                return;
            struct entry_in e;
            fill_disbursement(r, &e, store_cell_i64(q, 0, 1), from, store_cell(q, 0, 3), store_cell(q, 0, 4), store_cell(q, 0, 5),
                              store_cell(q, 0, 6));
            int64_t seq;
            store_rc prc = ledger_post(r->db, r->a, r->community_id, &e, &seq);
            if (prc != STORE_OK)
                return db_fail(r, prc);
            if (q_exec(r, sql_request_done, 4, (const char *[]){p[0], p[1], "posted", arena_i64(r->a, seq)}, NULL) != 0)
                return;
        }
    }
    json_t *item = request_json(r, id);
    if (q_audit(r, reject ? "reject" : "approve", "fund_request", id, NULL, item) != 0 || db_commit(r) != 0) {
        json_decref(item);
        return;
    }
    reply_json(r, 200, item);
}

/* ---- reversal ---- */

static const char sql_reversed[] = "SELECT seq FROM fund_entries WHERE community_id = $1 AND reverses_seq = $2";

static void entry_reverse(req *r)
{
    const char *reason = json_string_value(json_object_get(r->in, "reason"));
    /* The chain head before "already reversed?" is asked: two reversals of one entry at once then
     * run one after the other, and the second finds the first. */
    if (db_begin(r) != 0 || lock_chain_head(r) != 0 || idem_replay(r))
        return;
    int64_t seq = req_param_i64(r, 1), other;
    int found = 0;
    store_rows *e = NULL, *ps = NULL;
    const char *p[2] = {cid_of(r), arena_i64(r->a, seq)};
    if (q_exec(r, sql_entry_one, 2, p, &e) != 0 || q_exec(r, sql_entry_postings, 2, p, &ps) != 0)
        return;
    if (e->nrows == 0)
        return (void)reply_fail(r, 404, "not_found", NULL);
    if (store_cell(e, 0, 6))
        return (void)reply_fail(r, 409, "reversal_of_reversal", NULL);
    if (q_i64(r, sql_reversed, 2, p, &other, &found) != 0)
        return;
    if (found)
        return (void)reply_fail(r, 409, "already_reversed", NULL);
    struct entry_in rev = {.kind = "reversal", .memo = arena_printf(r->a, "冲正 #%lld：%s", (long long)seq, reason), .donor = store_cell(e, 0, 4),
                           .method = store_cell(e, 0, 9), .reverses_seq = seq, .created_by = r->login, .n = ps->nrows};
    for (int i = 0; i < ps->nrows && i < LEDGER_MAX_POSTINGS; i++)
        rev.p[i] = (struct posting){store_cell(ps, i, 0), -store_cell_i64(ps, i, 1), store_cell(ps, i, 2)};
    post_and_reply(r, &rev, "reverse");
}

static void entry_get(req *r)
{
    store *s = req_store(r);
    if (!s)
        return;
    store_rc rc;
    json_t *o = entry_json(r, req_param_i64(r, 1), 1, &rc);
    if (!o)
        return rc != STORE_OK ? reply_store_error(r, rc) : (void)reply_fail(r, 404, "not_found", NULL);
    reply_json(r, 200, o);
}

/* ---- verification, settings, rules, report ---- */

static void fund_verify(req *r)
{
    long n = 0;
    char bad[256] = "";
    store *s = req_store(r);
    if (!s)
        return;
    int ok = ledger_verify(s, r->community_id, &n, bad, sizeof bad) == 0;
    reply_json(r, 200, json_pack("{s:b, s:I, s:s?}", "ok", ok, "entries", (json_int_t)n, "first_bad", ok ? NULL : bad));
}

static void settings_get(req *r)
{
    store_rows *rows = NULL;
    if (db_begin(r) != 0)
        return;
    store_rc rc = ledger_ensure(r->db, r->a, r->community_id);
    if (rc != STORE_OK)
        return db_fail(r, rc);
    if (db_commit(r) != 0 || q_exec(r, sql_fund_settings, 1, (const char *[]){cid_of(r)}, &rows) != 0)
        return;
    reply_json(r, 200, json_pack("{s:I, s:I}", "threshold_fen", (json_int_t)store_cell_i64(rows, 0, 0), "approvals_needed",
                                 (json_int_t)store_cell_i64(rows, 0, 1)));
}

static const char sql_settings_put[] = "UPDATE fund_settings SET threshold_fen = $2, approvals_needed = $3 WHERE community_id = $1";

static void settings_put(req *r)
{
    int64_t threshold = json_integer_value(json_object_get(r->in, "threshold_fen"));
    int64_t approvals = json_integer_value(json_object_get(r->in, "approvals_needed"));
    if (approvals < 1 || approvals > 5)
        return (void)reply_field(r, "approvals_needed", "too_large");
    if (db_begin(r) != 0)
        return;
    store_rc rc = ledger_ensure(r->db, r->a, r->community_id);
    if (rc != STORE_OK)
        return db_fail(r, rc);
    if (q_exec(r, sql_settings_put, 3, (const char *[]){cid_of(r), arena_i64(r->a, threshold), arena_i64(r->a, approvals)}, NULL) != 0 ||
        q_audit(r, "update", "fund_settings", 0, NULL, r->in) != 0 || db_commit(r) != 0)
        return;
    settings_get(r);
}

static const char sql_rules_latest[] =
    "SELECT version, markdown, published_at, published_by FROM fund_rules WHERE community_id = $1 ORDER BY version DESC";
static const char sql_rules_insert[] =
    "INSERT INTO fund_rules (community_id, version, markdown, published_at, published_by) VALUES ($1, $2, $3, $4, $5)";

/* The fund's rules (制度): every version kept; the newest rendered by cmark in safe mode. */
static void rules_get(req *r)
{
    store_rows *rows = NULL;
    if (q_exec(r, sql_rules_latest, 1, (const char *[]){cid_of(r)}, &rows) != 0)
        return;
    json_t *versions = json_array();
    for (int i = 0; i < rows->nrows; i++)
        json_array_append_new(versions, json_pack("{s:I, s:I, s:s}", "version", (json_int_t)store_cell_i64(rows, i, 0), "published_at",
                                                  (json_int_t)store_cell_i64(rows, i, 2), "published_by", store_cell(rows, i, 3)));
    if (rows->nrows == 0) {
        reply_json(r, 200, json_pack("{s:n, s:s, s:s, s:o}", "version", "markdown", "", "html", "", "versions", versions));
        return;
    }
    const char *md = store_cell(rows, 0, 1);
    char *html = cmark_markdown_to_html(md, strlen(md), CMARK_OPT_SAFE);
    reply_json(r, 200, json_pack("{s:I, s:s, s:s, s:o}", "version", (json_int_t)store_cell_i64(rows, 0, 0), "markdown", md, "html",
                                 html ? html : "", "versions", versions));
    free(html);
}

static void rules_put(req *r)
{
    if (db_begin(r) != 0)
        return;
    store_rows *rows = NULL;
    if (q_exec(r, sql_rules_latest, 1, (const char *[]){cid_of(r)}, &rows) != 0)
        return;
    int64_t version = rows->nrows ? store_cell_i64(rows, 0, 0) + 1 : 1;
    const char *md = json_string_value(json_object_get(r->in, "markdown"));
    if (q_exec(r, sql_rules_insert, 5, (const char *[]){cid_of(r), arena_i64(r->a, version), md, arena_i64(r->a, clock_now()), r->login}, NULL) != 0)
        return;
    json_t *after = json_pack("{s:I}", "version", (json_int_t)version);
    int bad = q_audit(r, "publish", "fund_rules", version, NULL, after);
    json_decref(after);
    if (bad)
        return;
    /* The answer is made inside the transaction, before the commit: if it cannot be (out of memory,
     * say), nothing is published. Made after, each failed answer would leave a version behind and
     * a client retrying would publish again and again. */
    rules_get(r);
    if (r->status != 200) {
        db_rollback(r);
        return;
    }
    if (db_commit(r) != 0)
        return;
    r->status = 201;
}

static const char sql_report[] =
    "SELECT a.code, a.name, COALESCE(sum(CASE WHEN p.amount_fen > 0 THEN p.amount_fen ELSE 0 END), 0), "
    "COALESCE(sum(CASE WHEN p.amount_fen < 0 THEN -p.amount_fen ELSE 0 END), 0), COALESCE(sum(p.amount_fen), 0) "
    "FROM fund_accounts a LEFT JOIN fund_postings p ON p.community_id = a.community_id AND p.account = a.code "
    "AND p.entry_seq IN (SELECT seq FROM fund_entries e WHERE e.community_id = a.community_id AND e.at >= $2 AND e.at < $3) "
    "WHERE a.community_id = $1 GROUP BY a.code, a.name ORDER BY a.code";
static const struct colmap report_map[] = {{"code", 's'}, {"name", 's'}, {"debit_fen", 'i'}, {"credit_fen", 'i'}, {"net_fen", 'i'}, {0}};

/* Monthly (?year=&month=) or annual (?year=) totals by account; ?format=xlsx for the report. */
static void fund_report(req *r)
{
    struct list_args la;
    if (list_args_parse(r, &la) != 0)
        return;
    const char *ys = req_query(r, "year"), *ms = req_query(r, "month");
    int64_t y = 0, m = 0;
    if (validate_int(ys, 2000, 2100, &y) != 0)
        return (void)reply_field(r, "year", "invalid_year");
    if (ms && validate_int(ms, 1, 12, &m) != 0)
        return (void)reply_field(r, "month", "invalid_choice");
    int year = (int)y, month = (int)m;
    /* The period in China Standard Time. */
    struct tm from = {0}, to = {0};
    from.tm_year = year - 1900;
    from.tm_mon = month ? month - 1 : 0;
    from.tm_mday = 1;
    to = from;
    if (month)
        to.tm_mon += 1;
    else
        to.tm_year += 1;
    int64_t t0 = (int64_t)timegm(&from) - 8 * 3600, t1 = (int64_t)timegm(&to) - 8 * 3600;
    store_rows *rows = NULL;
    if (q_exec(r, sql_report, 3, (const char *[]){cid_of(r), arena_i64(r->a, t0), arena_i64(r->a, t1)}, &rows) != 0)
        return;
    reply_list(r, &la, rows_json(rows, report_map), rows->nrows, json_pack("{s:i, s:i}", "year", year, "month", month));
}

/* ---- the route table ---- */

static const char *const methods[] = {"cash", "wechat", "bank", "in_kind", NULL};
static const char *const donor_kinds[] = {"person", "party_member", "organisation", NULL};
static const char *const sources[] = {"cash", "bank", NULL};
static const char *const expenses[] = {"wishes", "grants", "activities", "in_kind", NULL};

static const field_spec donation_body[] = {
    {"amount_fen", F_MONEY, 1, 0, NULL, "amount in fen (in kind: the estimated value)"},
    {"method", F_ENUM, 1, 0, methods, "cash, wechat or bank (recorded, not processed), or in_kind"},
    {"donor_name", F_STR, 0, 60, NULL, "the donor; masked on public pages"},
    {"donor_kind", F_ENUM, 0, 0, donor_kinds, "person, party_member or organisation (organisations are named publicly)"},
    {"anonymous", F_BOOL, 0, 0, NULL, "show as 匿名 on public pages"},
    {"earmark", F_OBJECT, 0, 0, NULL, "{\"type\": \"general\"|\"wish\"|\"project\", \"id\": N}: restricted until spent on it"},
    {"receipt_no", F_STR, 0, 40, NULL, "receipt number (made up if not given)"},
    {"item", F_STR, 0, 60, NULL, "in kind: what was given, e.g. 助听器"},
    {"memo", F_STR, 0, 200, NULL, "note"},
    {0},
};
static const field_spec disbursement_body[] = {
    {"amount_fen", F_MONEY, 1, 0, NULL, "amount in fen"},
    {"from", F_ENUM, 1, 0, sources, "cash or bank"},
    {"expense", F_ENUM, 1, 0, expenses, "what it pays for"},
    {"earmark", F_OBJECT, 0, 0, NULL, "{\"type\", \"id\"} when it spends restricted money"},
    {"memo", F_STR, 1, 200, NULL, "what for"},
    {"payee", F_STR, 0, 60, NULL, "paid to"},
    {0},
};
static const field_spec reason_body[] = {{"reason", F_STR, 1, 200, NULL, "why"}, {0}};
static const field_spec settings_body[] = {
    {"threshold_fen", F_MONEY, 1, 0, NULL, "money out above this needs approval (default 50000 = 500 yuan)"},
    {"approvals_needed", F_INT, 1, 5, NULL, "approvals by other staff members (default 1)"},
    {0},
};
static const field_spec rules_body[] = {{"markdown", F_STR, 1, 50000, NULL, "the rules (制度), Markdown"}, {0}};

static const column_spec entry_columns[] = {
    {"seq", "序号", "No."}, {"at", "时间", "Time"}, {"kind", "类型", "Kind"}, {"memo", "摘要", "Memo"}, {"donor", "捐赠人", "Donor"},
    {"amount_fen", "金额(分)", "Amount (fen)"}, {"postings_text", "分录", "Postings"}, {"receipt_no", "收据号", "Receipt"},
    {"hash", "哈希", "Hash"}, {0},
};
static const column_spec report_columns[] = {
    {"code", "科目代码", "Code"}, {"name", "科目", "Account"}, {"debit_fen", "借方(分)", "Debit (fen)"},
    {"credit_fen", "贷方(分)", "Credit (fen)"}, {"net_fen", "净额(分)", "Net (fen)"}, {0},
};
static const column_spec request_columns[] = {
    {"id", "编号", "ID"}, {"amount_fen", "金额(分)", "Amount (fen)"}, {"memo", "用途", "Purpose"}, {"status", "状态", "Status"}, {0},
};
static const char *const report_query[] = {"year", "month", NULL};
static const char *const status_query[] = {"status", NULL};

#define C "/api/v1/communities/{community_id}"
static const route fund_routes[] = {
    {"GET", C "/fund", fund_get, NULL, R_PUBLIC, NULL, NULL, "fund", "The fund: balance, restricted money, income and spending, balance over time", 0, NULL},
    {"GET", C "/fund/entries", entries_list, NULL, R_PUBLIC | R_LIST, NULL, entry_columns, "fund", "Every entry with postings, hash and prev_hash (oldest first)", 0, NULL},
    {"GET", C "/fund/entries/{seq}", entry_get, "fund.read", 0, NULL, NULL, "fund", "One entry, with the donor's name for the receipt", 0, NULL},
    {"POST", C "/fund/entries/{seq}/reverse", entry_reverse, "fund.write", 0, reason_body, NULL, "fund", "Reverse an entry (a new entry; nothing is edited)", 0, NULL},
    {"GET", C "/fund/verify", fund_verify, NULL, R_PUBLIC, NULL, NULL, "fund", "Recompute the chain on the server", 0, NULL},
    {"POST", C "/fund/donations", donation_create, "fund.write", 0, donation_body, NULL, "fund", "Record a donation (cash or in kind); Idempotency-Key", 0, NULL},
    {"POST", C "/fund/disbursements", disbursement_create, "fund.write", 0, disbursement_body, NULL, "fund", "Pay out (above the threshold: a request for approval); Idempotency-Key", 0, NULL},
    {"GET", C "/fund/requests", requests_list, "fund.read", R_LIST, NULL, request_columns, "fund", "Payments waiting for approval", 0, status_query},
    {"POST", C "/fund/requests/{request_id}/approve", request_approve, "fund.approve", 0, NULL, NULL, "fund", "Approve a payment (not one's own)", 0, NULL},
    {"POST", C "/fund/requests/{request_id}/reject", request_approve, "fund.approve", 0, NULL, NULL, "fund", "Reject a payment", 0, NULL},
    {"GET", C "/fund/settings", settings_get, "fund.read", 0, NULL, NULL, "fund", "Threshold and approvals needed", 0, NULL},
    {"PUT", C "/fund/settings", settings_put, "fund.settings", 0, settings_body, NULL, "fund", "Change the threshold and approvals needed", 0, NULL},
    {"GET", C "/fund/rules", rules_get, NULL, R_PUBLIC, NULL, NULL, "fund", "The fund's rules (制度), newest version", 0, NULL},
    {"POST", C "/fund/rules", rules_put, "fund.settings", 0, rules_body, NULL, "fund", "Publish a new version of the rules", 0, NULL},
    {"GET", C "/fund/report", fund_report, "fund.read", R_LIST, NULL, report_columns, "fund", "Monthly or annual totals by account", 0, report_query},
};
#undef C

/* The home page's fund balance (cash and bank). Summing the postings took ~30 ms a request with
 * 100,000 entries (docs/benchmarks.md), so each community's sum is remembered together with the
 * chain head's hash it was read with, in one statement (one snapshot). The hash names the whole
 * chain, so while it is unchanged no entry has been posted, by this process or any other, and the
 * remembered sum is exact; any new entry moves the head and the next request sums again. */
static const char sql_stats_head[] = "SELECT hash FROM fund_heads WHERE community_id = $1";
static const char sql_stats[] =
    "SELECT h.hash, (SELECT COALESCE(sum(p.amount_fen), 0) FROM fund_postings p WHERE p.community_id = h.community_id "
    "AND p.account IN ('1001', '1002')) FROM fund_heads h WHERE h.community_id = $1";
static struct {
    int64_t community_id, fen;
    char head[65];
} balances[64]; /* by community_id mod 64; under balances_lock */
static pthread_mutex_t balances_lock = PTHREAD_MUTEX_INITIALIZER;

static int fund_stats(req *r, json_t *stats)
{
    int64_t fen = 0;
    int known = 0;
    store_rows *rows = NULL;
    if (q_exec(r, sql_stats_head, 1, (const char *[]){cid_of(r)}, &rows) != 0)
        return -1;
    size_t slot = (size_t)((uint64_t)r->community_id % 64);
    if (rows->nrows == 0) {
        known = 1; /* no entry yet: 0 */
    } else {
        pthread_mutex_lock(&balances_lock);
        if (balances[slot].community_id == r->community_id && strcmp(balances[slot].head, store_cell(rows, 0, 0)) == 0) {
            fen = balances[slot].fen;
            known = 1;
        }
        pthread_mutex_unlock(&balances_lock);
    }
    if (!known) {
        if (q_exec(r, sql_stats, 1, (const char *[]){cid_of(r)}, &rows) != 0)
            return -1;
        fen = rows->nrows ? store_cell_i64(rows, 0, 1) : 0;
        if (rows->nrows && strlen(store_cell(rows, 0, 0)) < sizeof balances[slot].head) {
            pthread_mutex_lock(&balances_lock);
            balances[slot].community_id = r->community_id;
            balances[slot].fen = fen;
            strcpy(balances[slot].head, store_cell(rows, 0, 0));
            pthread_mutex_unlock(&balances_lock);
        }
    }
    json_object_set_new(stats, "fund_balance_fen", json_integer(fen));
    return 0;
}

const module fund_module = {"fund", fund_routes, sizeof fund_routes / sizeof fund_routes[0], fund_stats};
