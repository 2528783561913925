/* The fund's endpoints: the public fund page (balance, entries with their hashes, balance over time,
 * income and spending by kind, restricted money), donations in cash or in kind with receipts, money
 * out (above the community's threshold, or past it with the day's other money out of the same
 * requester or payee, it waits for other staff members' approval), reversals (one that takes money
 * out is checked and approved as a payout is), the fund's rules as a versioned Markdown document,
 * reports, and the settings of the two-person rule (a change that weakens it waits for another
 * staff member's approval). */
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
    "LEFT JOIN fund_postings p ON p.community_id = a.community_id AND p.account = a.code AND " LEDGER_COUNTED("p.entry_seq") " "
    "WHERE a.community_id = $1 GROUP BY a.code, a.name, a.name_en, a.kind ORDER BY a.code";
static const char sql_daily[] =
    "SELECT e.at, p.amount_fen FROM fund_postings p JOIN fund_entries e ON e.community_id = p.community_id "
    "AND e.seq = p.entry_seq WHERE p.community_id = $1 AND p.account IN ('1001', '1002') AND " LEDGER_COUNTED("p.entry_seq") " "
    "ORDER BY e.seq";
static const char sql_earmarks[] =
    "SELECT p.earmark, -sum(p.amount_fen) FROM fund_postings p JOIN fund_accounts a ON a.community_id = p.community_id "
    "AND a.code = p.account WHERE p.community_id = $1 AND p.earmark <> '' AND a.kind IN ('income', 'expense') "
    "AND p.account NOT IN ('4105', '5104') AND " LEDGER_COUNTED("p.entry_seq") " "
    "GROUP BY p.earmark HAVING -sum(p.amount_fen) <> 0 ORDER BY p.earmark";
/* The entries left out of every sum (LEDGER_COUNTED), named on the fund page. */
static const char sql_excluded[] =
    "SELECT DISTINCT o.entry_seq FROM fund_postings o WHERE o.community_id = $1 "
    "AND (o.amount_fen > 1000000000000 OR o.amount_fen < -1000000000000) ORDER BY o.entry_seq LIMIT 100";
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
    store_rows *acc = NULL, *daily = NULL, *marks = NULL, *head = NULL, *excluded = NULL;
    const char *p[1] = {cid_of(r)};
    if (q_exec(r, sql_by_account, 1, p, &acc) != 0 || q_exec(r, sql_daily, 1, p, &daily) != 0 ||
        q_exec(r, sql_earmarks, 1, p, &marks) != 0 || q_exec(r, sql_head_of, 1, p, &head) != 0 ||
        q_exec(r, sql_excluded, 1, p, &excluded) != 0)
        return;
    /* Every sum is checked: the ledger's limits keep them far from overflowing (fund.h), but a
     * database edited by hand is answered 409 ledger_overflow rather than with a wrapped number. */
    int bad = 0;
    int64_t cash = 0, bank = 0, in_kind = 0, restricted = 0, bal = 0, fen = 0;
    json_t *income = json_array(), *expense = json_array(), *accounts = json_array();
    for (int i = 0; i < acc->nrows; i++) {
        const char *code = store_cell(acc, i, 0), *kind = store_cell(acc, i, 3);
        bad |= ledger_fen_cell(acc, i, 4, &bal) != 0;
        int64_t neg = 0;
        bad |= ledger_fen_sub(&neg, bal) != 0;
        if (strcmp(code, "1001") == 0)
            cash = bal;
        if (strcmp(code, "1002") == 0)
            bank = bal;
        if (strcmp(code, "4105") == 0)
            in_kind = neg;
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I}", "code", code, "name", r->lang == LANG_EN ? store_cell(acc, i, 2) : store_cell(acc, i, 1),
                              "name_zh", store_cell(acc, i, 1), "kind", kind, "balance_fen", (json_int_t)bal);
        if (strcmp(kind, "income") == 0)
            json_array_append_new(income, json_pack("{s:s, s:s, s:I}", "code", code, "name", json_string_value(json_object_get(o, "name")), "fen", (json_int_t)neg));
        if (strcmp(kind, "expense") == 0)
            json_array_append_new(expense, json_pack("{s:s, s:s, s:I}", "code", code, "name", json_string_value(json_object_get(o, "name")), "fen", (json_int_t)bal));
        json_array_append_new(accounts, o);
    }
    json_t *earmarks = json_array();
    for (int i = 0; i < marks->nrows; i++) {
        bad |= ledger_fen_cell(marks, i, 1, &fen) != 0 || ledger_fen_add(&restricted, fen) != 0;
        json_array_append_new(earmarks, json_pack("{s:s, s:I}", "earmark", store_cell(marks, i, 0), "fen", (json_int_t)fen));
    }
    /* Balance over time: the cash and bank balance at the end of each day that had an entry. */
    json_t *series = json_array();
    int64_t running = 0;
    char last[11] = "";
    for (int i = 0; i < daily->nrows; i++) {
        char day[11];
        clock_day(store_cell_i64(daily, i, 0), day);
        bad |= ledger_fen_cell(daily, i, 1, &fen) != 0 || ledger_fen_add(&running, fen) != 0;
        if (strcmp(day, last) == 0)
            json_integer_set(json_object_get(json_array_get(series, json_array_size(series) - 1), "balance_fen"), running);
        else
            json_array_append_new(series, json_pack("{s:s, s:I}", "date", day, "balance_fen", (json_int_t)running));
        snprintf(last, sizeof last, "%s", day);
    }
    json_t *left_out = json_array();
    for (int i = 0; i < excluded->nrows; i++)
        json_array_append_new(left_out, json_integer(store_cell_i64(excluded, i, 0)));
    int64_t balance = cash, unrestricted = 0;
    bad |= ledger_fen_add(&balance, bank) != 0;
    unrestricted = balance;
    bad |= ledger_fen_sub(&unrestricted, restricted) != 0;
    if (bad) {
        json_decref(income), json_decref(expense), json_decref(accounts), json_decref(earmarks), json_decref(series), json_decref(left_out);
        return (void)reply_fail(r, 409, "ledger_overflow", NULL);
    }
    reply_json(r, 200,
               json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "balance_fen", (json_int_t)balance,
                         "cash_fen", (json_int_t)cash, "bank_fen", (json_int_t)bank, "restricted_fen", (json_int_t)restricted,
                         "unrestricted_fen", (json_int_t)unrestricted, "in_kind_fen", (json_int_t)in_kind,
                         "entries", (json_int_t)(head->nrows ? store_cell_i64(head, 0, 0) : 0), "head_hash",
                         head->nrows ? store_cell(head, 0, 1) : "", "income", income, "expense", expense, "restricted", earmarks,
                         "accounts", accounts, "series", series, "excluded_entries", left_out));
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

/* An entry's amount (what its debits add up to) and whether it is left out of the sums: a posting
 * past LEDGER_MAX_FEN, written before the ledger's limits (fund.h, LEDGER_COUNTED). */
struct entry_amount {
    int64_t fen;
    int excluded, overflow;
};

static void entry_amount_add(struct entry_amount *am, const store_rows *ps, int i, int col)
{
    int64_t v = 0;
    if (ledger_fen_cell(ps, i, col, &v) != 0) {
        am->overflow = am->excluded = 1;
        return;
    }
    if (v > LEDGER_MAX_FEN || v < -LEDGER_MAX_FEN)
        am->excluded = 1;
    if (v > 0 && ledger_fen_add(&am->fen, v) != 0)
        am->overflow = 1;
}

/* amount_fen (null if it does not fit), and "excluded": true for an entry left out of the sums. */
static void entry_amount_set(json_t *o, const struct entry_amount *am)
{
    json_object_set_new(o, "amount_fen", am->overflow ? json_null() : json_integer(am->fen));
    if (am->excluded)
        json_object_set_new(o, "excluded", json_true());
}

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
        int64_t seq = store_cell_i64(rows, i, 0);
        struct entry_amount am = {0};
        char accounts[128] = "";
        while (ps && pi < ps->nrows && store_cell_i64(ps, pi, 0) == seq) {
            json_array_append_new(post, json_pack("{s:s, s:I, s:s}", "account", store_cell(ps, pi, 1), "amount_fen",
                                                  (json_int_t)store_cell_i64(ps, pi, 2), "earmark", store_cell(ps, pi, 3)));
            entry_amount_add(&am, ps, pi, 2);
            snprintf(accounts + strlen(accounts), sizeof accounts - strlen(accounts), "%s%s %lld", accounts[0] ? "; " : "",
                     store_cell(ps, pi, 1), (long long)store_cell_i64(ps, pi, 2));
            pi++;
        }
        json_object_set_new(o, "postings", post);
        entry_amount_set(o, &am);
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
    struct entry_amount am = {0};
    for (int i = 0; i < ps->nrows; i++) {
        json_array_append_new(post, json_pack("{s:s, s:I, s:s}", "account", store_cell(ps, i, 0), "amount_fen",
                                              (json_int_t)store_cell_i64(ps, i, 1), "earmark", store_cell(ps, i, 2)));
        entry_amount_add(&am, ps, i, 1);
    }
    json_object_set_new(o, "postings", post);
    entry_amount_set(o, &am);
    if (with_private) {
        const char *name = crypto_open(r->a, &r->app->keys, store_cell(e, 0, 10));
        json_object_set_new(o, "donor_name", name ? json_string(name) : json_null());
        json_object_set_new(o, "created_by", json_string(store_cell(e, 0, 11)));
    }
    return o;
}

/* Takes the community's chain head (a row lock) in the open transaction. Every path that moves money
 * or the fund's rules takes it before it reads a balance, a request or the settings, so that
 * concurrent payouts, reversals, approvals and settings changes queue here and each sees what the
 * one before it left: SQLite's BEGIN IMMEDIATE serialises writers anyway, but PostgreSQL at READ
 * COMMITTED would otherwise let two check the same balance and both post. Taking it twice in one
 * transaction is harmless. */
static int lock_chain_head(req *r)
{
    static const char sql_lock[] =
        "INSERT INTO fund_heads (community_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (community_id) DO UPDATE SET seq = fund_heads.seq";
    return q_exec(r, sql_lock, 2, (const char *[]){cid_of(r), "0000000000000000000000000000000000000000000000000000000000000000"}, NULL);
}

/* Posts e in the open transaction, under the chain head: 0 with *seq, or -1 after replying — 409
 * ledger_limit when it would take a posting, an account or the fund past the ledger's limits
 * (fund.h), 422 unbalanced_entry when the database finds that it does not balance. */
static int fund_post(req *r, const struct entry_in *e, int64_t *seq)
{
    int fits = 0;
    if (lock_chain_head(r) != 0)
        return -1;
    store_rc rc = ledger_fits(r->db, r->a, r->community_id, e, &fits);
    if (rc == STORE_OK && !fits)
        return reply_fail(r, 409, "ledger_limit", NULL);
    if (rc == STORE_OK)
        rc = ledger_post(r->db, r->a, r->community_id, e, seq);
    if (rc == STORE_CONSTRAINT)
        return reply_fail(r, 422, "unbalanced_entry", NULL);
    if (rc != STORE_OK) {
        db_fail(r, rc);
        return -1;
    }
    return 0;
}

/* Money that left without a second approval (a payout or a reversal up to the threshold), kept for
 * the daily rule of split payments. Nothing for amount 0. */
static const char sql_direct_out[] =
    "INSERT INTO fund_direct_out (community_id, entry_seq, account_id, payee, amount_fen, at) VALUES ($1, $2, $3, $4, $5, $6)";

static int record_direct_out(req *r, int64_t seq, const char *payee, int64_t amount)
{
    if (amount <= 0)
        return 0;
    return q_exec(r, sql_direct_out, 6,
                  (const char *[]){cid_of(r), arena_i64(r->a, seq), arena_i64(r->a, r->account_id), payee ? payee : "",
                                   arena_i64(r->a, amount), arena_i64(r->a, clock_now())},
                  NULL);
}

/* Posts one entry and answers it (201), keeping the answer for Idempotency-Key retries; out is the
 * money it takes out of the fund without a second approval (0 for money in). The transaction is
 * open on entry. */
static void post_and_reply(req *r, struct entry_in *e, const char *action, int64_t out)
{
    int64_t seq;
    store_rc rc;
    if (fund_post(r, e, &seq) != 0 || record_direct_out(r, seq, "", out) != 0)
        return;
    json_t *item = entry_json(r, seq, 1, &rc);
    if (!item)
        return rc != STORE_OK ? db_fail(r, rc) : (void)reply_fail(r, 500, "internal", NULL);
    if (q_audit(r, action, "fund_entry", seq, NULL, item) != 0 || db_commit(r) != 0) {
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
    if (db_begin(r) != 0)
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
    post_and_reply(r, &e, "donation", 0);
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

/* The community's threshold and approvals needed, in the open transaction (made if missing). 0, or
 * -1 after replying. */
static int settings_read(req *r, int64_t *threshold, int64_t *approvals)
{
    store_rows *set = NULL;
    store_rc rc = ledger_ensure(r->db, r->a, r->community_id);
    if (rc != STORE_OK) {
        db_fail(r, rc);
        return -1;
    }
    if (q_exec(r, sql_fund_settings, 1, (const char *[]){cid_of(r)}, &set) != 0)
        return -1;
    if (set->nrows == 0)
        return reply_fail(r, 500, "internal", NULL);
    *threshold = store_cell_i64(set, 0, 0);
    *approvals = store_cell_i64(set, 0, 1);
    return 0;
}

/* The China day (UTC+8) around t, as UTC seconds [*from, *to). */
static void china_day(int64_t t, int64_t *from, int64_t *to)
{
    int64_t local = t + 8 * 3600, into = ((local % 86400) + 86400) % 86400;
    *from = local - into - 8 * 3600;
    *to = *from + 86400;
}

/* What left the fund in the China day without a second approval, asked by this staff member or paid
 * to this payee (when one is named). */
static const char sql_day_out[] =
    "SELECT COALESCE(sum(amount_fen), 0) FROM fund_direct_out WHERE community_id = $1 AND at >= $2 AND at < $3 "
    "AND (account_id = $4 OR (CAST($5 AS TEXT) <> '' AND payee = CAST($5 AS TEXT)))";

/* Why money out of amount must wait for other staff members' approval: *rule NULL when it may post
 * at once; "threshold" when it is above the threshold; "daily_total" when, with what the same staff
 * member asked, or the same payee was paid, in the same China day without a second approval, it
 * passes the threshold — payments split to stay under it. Call it under the chain head. 0, or -1
 * after replying. */
static int approval_rule(req *r, int64_t amount, int64_t threshold, const char *payee, const char **rule)
{
    *rule = NULL;
    if (amount > threshold) {
        *rule = "threshold";
        return 0;
    }
    int64_t from, to, today = 0;
    china_day(clock_now(), &from, &to);
    store_rows *rows = NULL;
    const char *p[5] = {cid_of(r), arena_i64(r->a, from), arena_i64(r->a, to), arena_i64(r->a, r->account_id), payee ? payee : ""};
    if (q_exec(r, sql_day_out, 5, p, &rows) != 0)
        return -1;
    /* A day's total that cannot be read as fen is past any threshold. */
    if (rows->nrows == 0 || ledger_fen_cell(rows, 0, 0, &today) != 0 || ledger_fen_add(&today, amount) != 0 || today > threshold)
        *rule = "daily_total";
    return 0;
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
    int64_t cash = 0;
    if (rc == STORE_OK)
        rc = ledger_balance(r->db, r->a, r->community_id, "100", NULL, &cash);
    if (rc != STORE_OK) {
        db_fail(r, rc);
        return -1;
    }
    int64_t available = cash;
    if (ledger_fen_sub(&available, restricted_all) != 0 || ledger_fen_add(&available, restricted_this) != 0)
        return reply_fail(r, 409, "ledger_overflow", NULL);
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
    "requested_by, requested_at, approvals_needed, status, kind, reverses_seq, rule) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $12, $13, $14)";
#define REQUEST_COLUMNS                                                                                                \
    "SELECT id, amount_fen, from_account, expense_account, earmark, memo, payee, requested_by, requested_at, "         \
    "approvals_needed, status, entry_seq, (SELECT count(*) FROM fund_approvals a WHERE a.community_id = q.community_id " \
    "AND a.request_id = q.id), (SELECT login FROM accounts WHERE id = q.requested_by), kind, reverses_seq, rule "      \
    "FROM fund_requests q "
static const char sql_request_one[] = REQUEST_COLUMNS "WHERE community_id = $1 AND id = $2";
static const struct colmap request_map[] = {
    {"id", 'i'}, {"amount_fen", 'i'}, {"from", 's'}, {"expense_account", 's'}, {"earmark", 's'}, {"memo", 's'},
    {"payee", 's'}, {"requested_by", 'i'}, {"requested_at", 'i'}, {"approvals_needed", 'i'}, {"status", 's'},
    {"entry_seq", 'i'}, {"approvals", 'i'}, {"requested_by_login", 'n'}, {"kind", 's'}, {"reverses_seq", 'i'},
    {"rule", 's'}, {0},
};
enum { RQ_AMOUNT = 1, RQ_FROM, RQ_EXPENSE, RQ_EARMARK, RQ_MEMO, RQ_PAYEE, RQ_BY, RQ_NEEDED = 9, RQ_STATUS, RQ_APPROVALS = 12, RQ_KIND = 14, RQ_REVERSES };

static json_t *request_json(req *r, int64_t id)
{
    store_rows *rows = NULL;
    if (store_exec(r->db, r->a, sql_request_one, 2, (const char *[]){cid_of(r), arena_i64(r->a, id)}, &rows) != STORE_OK || !rows->nrows)
        return NULL;
    return row_json(rows, 0, request_map);
}

/* Money out waiting for approval: a payout, or the reversal of entry reverses_seq. */
struct money_out {
    const char *kind;
    int64_t reverses_seq, amount;
    const char *account, *expense, *earmark, *memo, *payee;
};

/* Files m for approval by approvals other staff members, in the open transaction (*status 202, the
 * request in *result; audited). 0, or -1 after replying. */
static int request_file(req *r, const struct money_out *m, int64_t approvals, const char *rule, json_t **result, unsigned *status)
{
    int64_t id;
    store_rc rc = store_next_id(r->db, r->a, &id);
    if (rc != STORE_OK) {
        db_fail(r, rc);
        return -1;
    }
    const char *p[14] = {cid_of(r), arena_i64(r->a, id), arena_i64(r->a, m->amount), m->account, m->expense, m->earmark, m->memo,
                         m->payee ? m->payee : "", arena_i64(r->a, r->account_id), arena_i64(r->a, clock_now()),
                         arena_i64(r->a, approvals), m->kind, m->reverses_seq ? arena_i64(r->a, m->reverses_seq) : NULL, rule};
    if (q_exec(r, sql_request_insert, 14, p, NULL) != 0)
        return -1;
    *result = request_json(r, id);
    if (!*result)
        return reply_fail(r, 500, "internal", NULL);
    *status = 202;
    return q_audit(r, "request", "fund_request", id, NULL, *result);
}

/* Money out, inside the open transaction: up to the threshold it posts at once (*status 201, the
 * entry); above it, or past it with the same requester's or payee's other money out of the day, it
 * becomes a request waiting for other staff members' approval (202). Restricted money only for its
 * purpose, and no account below zero. 0, or -1 after replying. */
int fund_disburse(req *r, int64_t amount, const char *from, const char *expense, const char *earmark, const char *memo,
                  const char *payee, json_t **result, unsigned *status)
{
    int64_t threshold, approvals;
    /* The chain head first, so that concurrent payouts queue here, and the settings, the balance and
     * the day's total read are the ones they will leave. */
    if (lock_chain_head(r) != 0 || settings_read(r, &threshold, &approvals) != 0)
        return -1;
    const char *account = method_account(from), *rule = NULL;
    if (check_funds(r, account, earmark, amount) != 0 || approval_rule(r, amount, threshold, payee, &rule) != 0)
        return -1;
    if (!rule) {
        struct entry_in e;
        int64_t seq;
        store_rc rc;
        fill_disbursement(r, &e, amount, from, expense, earmark, memo, payee);
        if (fund_post(r, &e, &seq) != 0 || record_direct_out(r, seq, payee, amount) != 0)
            return -1;
        *result = entry_json(r, seq, 1, &rc);
        if (!*result) {
            db_fail(r, rc != STORE_OK ? rc : STORE_ERROR);
            return -1;
        }
        *status = 201;
        return q_audit(r, "disburse", "fund_entry", seq, NULL, *result);
    }
    struct money_out m = {"payout", 0, amount, account, expense, earmark, memo, payee};
    return request_file(r, &m, approvals, rule, result, status);
}

static void disbursement_create(req *r)
{
    json_t *in = r->in;
    int64_t amount = json_integer_value(json_object_get(in, "amount_fen"));
    if (amount <= 0)
        return (void)reply_field(r, "amount_fen", "must_be_positive");
    if (earmark_check(r) != 0)
        return;
    if (db_begin(r) != 0)
        return;
    json_t *item = NULL;
    unsigned status = 0;
    if (fund_disburse(r, amount, json_string_value(json_object_get(in, "from")), expense_account(json_string_value(json_object_get(in, "expense"))),
                      earmark_of(r), json_string_value(json_object_get(in, "memo")), json_string_value(json_object_get(in, "payee")), &item, &status) != 0 ||
        db_commit(r) != 0) {
        json_decref(item);
        return;
    }
    reply_json(r, status, item);
}

static const char sql_requests[] =
    REQUEST_COLUMNS "WHERE community_id = $1 AND (CAST($2 AS TEXT) IS NULL OR status = CAST($2 AS TEXT)) ORDER BY id DESC LIMIT $3 OFFSET $4";

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

/* ---- reversal ---- */

static const char sql_reversed[] = "SELECT seq FROM fund_entries WHERE community_id = $1 AND reverses_seq = $2";
static const char sql_reversal_pending[] = "SELECT id FROM fund_requests WHERE community_id = $1 AND reverses_seq = $2 AND status = 'pending'";

/* The reversal of entry seq: its postings negated, with memo. 0, or -1 after replying: 404, 409
 * reversal_of_reversal or already_reversed, 409 ledger_limit for an entry with an amount past the
 * ledger's limits (written before them: its reversal would be past them too). */
static int reversal_build(req *r, int64_t seq, const char *memo, struct entry_in *rev)
{
    store_rows *e = NULL, *ps = NULL;
    int64_t other;
    int found = 0;
    const char *p[2] = {cid_of(r), arena_i64(r->a, seq)};
    if (q_exec(r, sql_entry_one, 2, p, &e) != 0 || q_exec(r, sql_entry_postings, 2, p, &ps) != 0)
        return -1;
    if (e->nrows == 0)
        return reply_fail(r, 404, "not_found", NULL);
    if (store_cell(e, 0, 6))
        return reply_fail(r, 409, "reversal_of_reversal", NULL);
    if (q_i64(r, sql_reversed, 2, p, &other, &found) != 0)
        return -1;
    if (found)
        return reply_fail(r, 409, "already_reversed", NULL);
    if (ps->nrows > LEDGER_MAX_POSTINGS)
        return reply_fail(r, 409, "ledger_limit", NULL);
    *rev = (struct entry_in){.kind = "reversal", .memo = memo, .donor = store_cell(e, 0, 4), .method = store_cell(e, 0, 9),
                             .reverses_seq = seq, .created_by = r->login, .n = ps->nrows};
    for (int i = 0; i < ps->nrows; i++) {
        int64_t v = 0;
        if (ledger_fen_cell(ps, i, 1, &v) != 0 || v > LEDGER_MAX_FEN || v < -LEDGER_MAX_FEN)
            return reply_fail(r, 409, "ledger_limit", NULL);
        rev->p[i] = (struct posting){store_cell(ps, i, 0), -v, store_cell(ps, i, 2)};
    }
    return 0;
}

static int is_asset(const struct posting *q) { return q->account[0] == '1'; }
static int is_money(const char *account) { return strcmp(account, "1001") == 0 || strcmp(account, "1002") == 0; }

/* What the reversal rev takes out of the fund, and whether the fund holds it. Each credit to an
 * asset account takes money (cash 1001, bank 1002) or goods (1201) out: money is checked as a
 * payout of the same amount from the same account for the same earmark would be (check_funds:
 * restricted money only for its purpose, nothing below zero), goods so that they stay at zero or
 * above, and each account so that all that leaves it is there. 0 with *out the money taken out and
 * *from the index of its first posting (-1 if none), or -1 after replying 409 insufficient_funds. */
static int reversal_funds(req *r, const struct entry_in *rev, int64_t *out, int *from)
{
    *out = 0;
    *from = -1;
    for (int i = 0; i < rev->n; i++) {
        const struct posting *q = &rev->p[i];
        if (!is_asset(q) || q->amount_fen >= 0)
            continue;
        int64_t pair = 0, account = 0, have = 0; /* each posting is within ±10^12: these sums of eight cannot overflow */
        int first_pair = 1, first_account = 1;
        for (int j = 0; j < rev->n; j++) {
            const struct posting *o = &rev->p[j];
            if (o->amount_fen >= 0 || strcmp(o->account, q->account) != 0)
                continue;
            account -= o->amount_fen;
            first_account &= j >= i;
            if (strcmp(o->earmark, q->earmark) == 0) {
                pair -= o->amount_fen;
                first_pair &= j >= i;
            }
        }
        if (!first_pair)
            continue; /* that account and earmark were checked at their first posting */
        if (is_money(q->account)) {
            if (check_funds(r, q->account, q->earmark, pair) != 0)
                return -1;
            *out += pair;
            if (*from < 0)
                *from = i;
        }
        if (first_account) {
            store_rc rc = ledger_balance(r->db, r->a, r->community_id, q->account, NULL, &have);
            if (rc != STORE_OK) {
                db_fail(r, rc);
                return -1;
            }
            if (account > have)
                return reply_fail(r, 409, "insufficient_funds", NULL);
        }
    }
    return 0;
}

/* Another staff member approves; with enough approvals the payment (or the reversal) posts, if the
 * money is still there. */
static const char sql_approve[] = "INSERT INTO fund_approvals (community_id, request_id, approver_id, approved_at) VALUES ($1, $2, $3, $4)";
static const char sql_request_done[] = "UPDATE fund_requests SET status = $3, entry_seq = $4 WHERE community_id = $1 AND id = $2 AND status = 'pending'";

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
    if (strcmp(store_cell(q, 0, RQ_STATUS), "pending") != 0)
        return (void)reply_fail(r, 409, "request_closed", NULL);
    if (store_cell_i64(q, 0, RQ_BY) == r->account_id)
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
        if (store_cell_i64(q, 0, RQ_APPROVALS) + 1 >= store_cell_i64(q, 0, RQ_NEEDED)) {
            struct entry_in e;
            int64_t seq, out;
            int first;
            if (strcmp(store_cell(q, 0, RQ_KIND), "reversal") == 0) {
                /* Built again from the entry (which cannot change) and checked against the money as it is now. */
                if (reversal_build(r, store_cell_i64(q, 0, RQ_REVERSES), store_cell(q, 0, RQ_MEMO), &e) != 0 ||
                    reversal_funds(r, &e, &out, &first) != 0)
                    return;
            } else {
                const char *from = strcmp(store_cell(q, 0, RQ_FROM), "1001") == 0 ? "cash" : "bank";
                if (check_funds(r, store_cell(q, 0, RQ_FROM), store_cell(q, 0, RQ_EARMARK), store_cell_i64(q, 0, RQ_AMOUNT)) != 0)
                    return;
                fill_disbursement(r, &e, store_cell_i64(q, 0, RQ_AMOUNT), from, store_cell(q, 0, RQ_EXPENSE), store_cell(q, 0, RQ_EARMARK),
                                  store_cell(q, 0, RQ_MEMO), store_cell(q, 0, RQ_PAYEE));
            }
            if (fund_post(r, &e, &seq) != 0 ||
                q_exec(r, sql_request_done, 4, (const char *[]){p[0], p[1], "posted", arena_i64(r->a, seq)}, NULL) != 0)
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

/* A reversal is a new entry with the opposite postings. One that takes money out goes through the
 * same check as a payout (409 insufficient_funds) and the same two-person rule: above the threshold,
 * or past it with the same staff member's other money out of the day, it waits for approval (202). */
static void entry_reverse(req *r)
{
    const char *reason = json_string_value(json_object_get(r->in, "reason"));
    /* The chain head before "already reversed?" is asked and the money counted: two reversals of
     * one entry, or a reversal and payouts, at once then run one after the other and each sees
     * what the one before it left. */
    if (db_begin(r) != 0 || lock_chain_head(r) != 0)
        return;
    int64_t seq = req_param_i64(r, 1), pending, out, threshold, approvals;
    int found = 0, from = -1;
    struct entry_in rev;
    const char *rule = NULL;
    if (reversal_build(r, seq, arena_printf(r->a, "冲正 #%lld：%s", (long long)seq, reason), &rev) != 0 ||
        q_i64(r, sql_reversal_pending, 2, (const char *[]){cid_of(r), arena_i64(r->a, seq)}, &pending, &found) != 0)
        return;
    if (found)
        return (void)reply_fail(r, 409, "reversal_pending", NULL);
    if (reversal_funds(r, &rev, &out, &from) != 0 || settings_read(r, &threshold, &approvals) != 0 ||
        (out > 0 && approval_rule(r, out, threshold, "", &rule) != 0))
        return;
    if (!rule)
        return post_and_reply(r, &rev, "reverse", out);
    const char *debit = rev.p[from].account;
    for (int i = 0; i < rev.n; i++)
        if (rev.p[i].amount_fen > 0) {
            debit = rev.p[i].account;
            break;
        }
    struct money_out m = {"reversal", seq, out, rev.p[from].account, debit, rev.p[from].earmark, rev.memo, ""};
    json_t *item = NULL;
    unsigned status = 0;
    if (request_file(r, &m, approvals, rule, &item, &status) != 0 || db_commit(r) != 0) {
        json_decref(item);
        return;
    }
    reply_json(r, status, item);
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

/* The two-person rule's settings. A change that only tightens it (a lower threshold, more approvals)
 * applies at once; one that weakens it (a higher threshold, fewer approvals, or both in one change)
 * waits as a pending change until as many other staff members as the rule in force asks approve it,
 * so that the person the rule binds cannot switch it off alone. Any new change supersedes the one
 * pending; the settings themselves change only here and at an approval, so a pending change always
 * starts from the settings in force. The threshold is at most FUND_THRESHOLD_MAX_FEN. */
#define FUND_THRESHOLD_MAX_FEN INT64_C(100000000) /* ¥1,000,000 */

#define CHANGE_COLUMNS                                                                                                 \
    "SELECT c.id, c.threshold_fen, c.approvals_needed, c.old_threshold_fen, c.old_approvals_needed, c.requested_by, "  \
    "(SELECT login FROM accounts WHERE id = c.requested_by), c.requested_at, c.approvals_required, "                   \
    "(SELECT count(*) FROM fund_settings_approvals a WHERE a.community_id = c.community_id AND a.change_id = c.id), "   \
    "c.status, c.decided_at FROM fund_settings_changes c "
static const char sql_change_one[] = CHANGE_COLUMNS "WHERE c.community_id = $1 AND c.id = $2";
static const char sql_change_pending[] = CHANGE_COLUMNS "WHERE c.community_id = $1 AND c.status = 'pending'";
static const struct colmap change_map[] = {
    {"id", 'i'}, {"threshold_fen", 'i'}, {"approvals_needed", 'i'}, {"old_threshold_fen", 'i'}, {"old_approvals_needed", 'i'},
    {"requested_by", 'i'}, {"requested_by_login", 'n'}, {"requested_at", 'i'}, {"approvals_required", 'i'}, {"approvals", 'i'},
    {"status", 's'}, {"decided_at", 'i'}, {0},
};
enum { CH_THRESHOLD = 1, CH_APPROVALS, CH_OLD_THRESHOLD, CH_OLD_APPROVALS, CH_BY, CH_REQUIRED = 8, CH_COUNT, CH_STATUS };
static const char sql_change_insert[] =
    "INSERT INTO fund_settings_changes (community_id, id, threshold_fen, approvals_needed, old_threshold_fen, old_approvals_needed, "
    "requested_by, requested_at, approvals_required, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending')";
static const char sql_change_supersede[] =
    "UPDATE fund_settings_changes SET status = 'superseded', decided_at = $2 WHERE community_id = $1 AND status = 'pending' RETURNING id";
static const char sql_change_done[] =
    "UPDATE fund_settings_changes SET status = $3, decided_at = $4 WHERE community_id = $1 AND id = $2 AND status = 'pending'";
static const char sql_change_approve[] =
    "INSERT INTO fund_settings_approvals (community_id, change_id, approver_id, approved_at) VALUES ($1, $2, $3, $4)";
static const char sql_settings_put[] = "UPDATE fund_settings SET threshold_fen = $2, approvals_needed = $3 WHERE community_id = $1";

static json_t *change_json(req *r, const char *sql, int64_t id)
{
    store_rows *rows = NULL;
    if (store_exec(r->db, r->a, sql, id ? 2 : 1, (const char *[]){cid_of(r), arena_i64(r->a, id)}, &rows) != STORE_OK || !rows->nrows)
        return NULL;
    return row_json(rows, 0, change_map);
}

static json_t *settings_json(int64_t threshold, int64_t approvals)
{
    return json_pack("{s:I, s:I}", "threshold_fen", (json_int_t)threshold, "approvals_needed", (json_int_t)approvals);
}

/* The settings in force, the threshold's maximum and the change pending (null if none). */
static void settings_reply(req *r, unsigned status)
{
    int64_t threshold, approvals;
    if (db_begin(r) != 0 || settings_read(r, &threshold, &approvals) != 0)
        return;
    json_t *o = settings_json(threshold, approvals), *pending = change_json(r, sql_change_pending, 0);
    if (db_commit(r) != 0) {
        json_decref(o), json_decref(pending);
        return;
    }
    json_object_set_new(o, "threshold_max_fen", json_integer(FUND_THRESHOLD_MAX_FEN));
    json_object_set_new(o, "pending", pending ? pending : json_null());
    reply_json(r, status, o);
}

static void settings_get(req *r) { settings_reply(r, 200); }

static void settings_put(req *r)
{
    int64_t threshold = json_integer_value(json_object_get(r->in, "threshold_fen"));
    int64_t approvals = json_integer_value(json_object_get(r->in, "approvals_needed"));
    int64_t old_threshold, old_approvals, id;
    if (approvals < 1)
        return (void)reply_field(r, "approvals_needed", "must_be_positive");
    if (threshold > FUND_THRESHOLD_MAX_FEN)
        return (void)reply_field(r, "threshold_fen", "threshold_too_large");
    /* The chain head: payouts and approvals that read the settings queue behind this change. */
    if (db_begin(r) != 0 || lock_chain_head(r) != 0 || settings_read(r, &old_threshold, &old_approvals) != 0)
        return;
    const char *now = arena_i64(r->a, clock_now());
    store_rows *superseded = NULL;
    if (q_exec(r, sql_change_supersede, 2, (const char *[]){cid_of(r), now}, &superseded) != 0)
        return;
    for (int i = 0; i < superseded->nrows; i++)
        if (q_audit(r, "supersede", "fund_settings_change", store_cell_i64(superseded, i, 0), NULL, r->in) != 0)
            return;
    json_t *before = settings_json(old_threshold, old_approvals);
    int bad;
    unsigned status = 200;
    if (threshold > old_threshold || approvals < old_approvals) {
        store_rc rc = store_next_id(r->db, r->a, &id);
        if (rc != STORE_OK) {
            json_decref(before);
            return db_fail(r, rc);
        }
        const char *p[9] = {cid_of(r), arena_i64(r->a, id), arena_i64(r->a, threshold), arena_i64(r->a, approvals),
                            arena_i64(r->a, old_threshold), arena_i64(r->a, old_approvals), arena_i64(r->a, r->account_id), now,
                            arena_i64(r->a, old_approvals)};
        json_t *change = NULL;
        bad = q_exec(r, sql_change_insert, 9, p, NULL) != 0 || !(change = change_json(r, sql_change_one, id)) ||
              q_audit(r, "request", "fund_settings_change", id, before, change) != 0;
        if (!change && r->in_tx)
            reply_fail(r, 500, "internal", NULL);
        json_decref(change);
        status = 202;
    } else {
        bad = q_exec(r, sql_settings_put, 3, (const char *[]){cid_of(r), arena_i64(r->a, threshold), arena_i64(r->a, approvals)}, NULL) != 0 ||
              q_audit(r, "update", "fund_settings", 0, before, r->in) != 0;
    }
    json_decref(before);
    if (bad || db_commit(r) != 0)
        return;
    settings_reply(r, status);
}

/* Another staff member approves (or rejects) a pending change of the settings; with enough
 * approvals it applies. Nobody decides on their own change. */
static void settings_change_decide(req *r)
{
    int reject = strstr(r->url, "/reject") != NULL;
    if (db_begin(r) != 0 || lock_chain_head(r) != 0)
        return;
    int64_t id = req_param_i64(r, 1), threshold, approvals;
    store_rows *c = NULL;
    const char *now = arena_i64(r->a, clock_now());
    const char *p[4] = {cid_of(r), arena_i64(r->a, id), arena_i64(r->a, r->account_id), now};
    if (q_exec(r, sql_change_one, 2, p, &c) != 0)
        return;
    if (c->nrows == 0)
        return (void)reply_fail(r, 404, "not_found", NULL);
    if (strcmp(store_cell(c, 0, CH_STATUS), "pending") != 0)
        return (void)reply_fail(r, 409, "settings_change_closed", NULL);
    if (store_cell_i64(c, 0, CH_BY) == r->account_id)
        return (void)reply_fail(r, 403, "own_settings_change", NULL);
    if (reject) {
        if (q_exec(r, sql_change_done, 4, (const char *[]){p[0], p[1], "rejected", now}, NULL) != 0)
            return;
    } else {
        store_rc rc = store_exec(r->db, r->a, sql_change_approve, 4, p, NULL);
        if (rc == STORE_CONSTRAINT)
            return (void)reply_fail(r, 409, "settings_already_approved", NULL);
        if (rc != STORE_OK)
            return db_fail(r, rc);
        if (store_cell_i64(c, 0, CH_COUNT) + 1 >= store_cell_i64(c, 0, CH_REQUIRED)) {
            if (settings_read(r, &threshold, &approvals) != 0)
                return;
            /* Cannot differ (a change of the settings supersedes the one pending), asserted anyway:
             * a change approved applies only to the settings it was asked against. */
            if (threshold != store_cell_i64(c, 0, CH_OLD_THRESHOLD) || approvals != store_cell_i64(c, 0, CH_OLD_APPROVALS))
                return (void)reply_fail(r, 409, "settings_change_closed", NULL);
            json_t *before = settings_json(threshold, approvals),
                   *after = settings_json(store_cell_i64(c, 0, CH_THRESHOLD), store_cell_i64(c, 0, CH_APPROVALS));
            int bad = q_exec(r, sql_settings_put, 3, (const char *[]){p[0], store_cell(c, 0, CH_THRESHOLD), store_cell(c, 0, CH_APPROVALS)}, NULL) != 0 ||
                      q_exec(r, sql_change_done, 4, (const char *[]){p[0], p[1], "applied", now}, NULL) != 0 ||
                      q_audit(r, "update", "fund_settings", 0, before, after) != 0;
            json_decref(before), json_decref(after);
            if (bad)
                return;
        }
    }
    json_t *item = change_json(r, sql_change_one, id);
    if (!item)
        return (void)reply_fail(r, 500, "internal", NULL);
    if (q_audit(r, reject ? "reject" : "approve", "fund_settings_change", id, NULL, item) != 0 || db_commit(r) != 0) {
        json_decref(item);
        return;
    }
    reply_json(r, 200, item);
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
    "AND " LEDGER_COUNTED("p.entry_seq") " WHERE a.community_id = $1 GROUP BY a.code, a.name ORDER BY a.code";
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
    /* The sums are read as 'i' below; each is checked first (fund_get says why). */
    for (int i = 0; i < rows->nrows; i++)
        for (int col = 2; col <= 4; col++) {
            int64_t v;
            if (ledger_fen_cell(rows, i, col, &v) != 0)
                return (void)reply_fail(r, 409, "ledger_overflow", NULL);
        }
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
    {"threshold_fen", F_MONEY, 1, 0, NULL,
     "money out above this needs approval (default 50000 = 500 yuan; at most 100000000 = 1,000,000 yuan); a raise waits for another staff member"},
    {"approvals_needed", F_INT, 1, 5, NULL, "approvals by other staff members (default 1, 1 to 5); fewer waits for another staff member"},
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
    {"id", "编号", "ID"}, {"kind", "类型", "Kind"}, {"amount_fen", "金额(分)", "Amount (fen)"}, {"memo", "用途", "Purpose"},
    {"payee", "收款方", "Payee"}, {"rule", "审批原因", "Why approval"}, {"status", "状态", "Status"}, {0},
};
static const char *const report_query[] = {"year", "month", NULL};
static const char *const status_query[] = {"status", NULL};

#define C "/api/v1/communities/{community_id}"
static const route fund_routes[] = {
    {"GET", C "/fund", fund_get, NULL, R_PUBLIC, NULL, NULL, "fund", "The fund: balance, restricted money, income and spending, balance over time", 0, NULL},
    {"GET", C "/fund/entries", entries_list, NULL, R_PUBLIC | R_LIST, NULL, entry_columns, "fund", "Every entry with postings, hash and prev_hash (oldest first)", 0, NULL},
    {"GET", C "/fund/entries/{seq}", entry_get, "fund.read", 0, NULL, NULL, "fund", "One entry, with the donor's name for the receipt", 0, NULL},
    {"POST", C "/fund/entries/{seq}/reverse", entry_reverse, "fund.write", R_IDEMPOTENT, reason_body, NULL, "fund",
     "Reverse an entry (a new entry; nothing is edited); one that takes money out above the threshold waits for approval (202); Idempotency-Key", 0, NULL},
    {"GET", C "/fund/verify", fund_verify, NULL, R_PUBLIC, NULL, NULL, "fund", "Recompute the chain on the server", 0, NULL},
    {"POST", C "/fund/donations", donation_create, "fund.write", R_IDEMPOTENT, donation_body, NULL, "fund", "Record a donation (cash or in kind); Idempotency-Key", 0, NULL},
    {"POST", C "/fund/disbursements", disbursement_create, "fund.write", R_IDEMPOTENT, disbursement_body, NULL, "fund", "Pay out (above the threshold: a request for approval); Idempotency-Key", 0, NULL},
    {"GET", C "/fund/requests", requests_list, "fund.read", R_LIST, NULL, request_columns, "fund", "Payments and reversals waiting for approval", 0, status_query},
    {"POST", C "/fund/requests/{request_id}/approve", request_approve, "fund.approve", R_IDEMPOTENT, NULL, NULL, "fund", "Approve a payment or a reversal (not one's own)", 0, NULL},
    {"POST", C "/fund/requests/{request_id}/reject", request_approve, "fund.approve", R_IDEMPOTENT, NULL, NULL, "fund", "Reject a payment or a reversal (not one's own)", 0, NULL},
    {"GET", C "/fund/settings", settings_get, "fund.read", 0, NULL, NULL, "fund", "Threshold and approvals needed, and the change pending", 0, NULL},
    {"PUT", C "/fund/settings", settings_put, "fund.settings", 0, settings_body, NULL, "fund",
     "Change the threshold and approvals needed (a weakening waits for another staff member: 202)", 0, NULL},
    {"POST", C "/fund/settings/changes/{change_id}/approve", settings_change_decide, "fund.approve", R_IDEMPOTENT, NULL, NULL, "fund",
     "Approve a pending change of the settings (not one's own)", 0, NULL},
    {"POST", C "/fund/settings/changes/{change_id}/reject", settings_change_decide, "fund.approve", R_IDEMPOTENT, NULL, NULL, "fund",
     "Reject a pending change of the settings (not one's own)", 0, NULL},
    {"GET", C "/fund/rules", rules_get, NULL, R_PUBLIC, NULL, NULL, "fund", "The fund's rules (制度), newest version", 0, NULL},
    {"POST", C "/fund/rules", rules_put, "fund.settings", R_IDEMPOTENT, rules_body, NULL, "fund", "Publish a new version of the rules", 0, NULL},
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
    "AND p.account IN ('1001', '1002') AND " LEDGER_COUNTED("p.entry_seq") ") FROM fund_heads h WHERE h.community_id = $1";
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
        /* A sum past int64 (a database edited past the ledger's limits) is shown as unknown (null),
         * not as a wrapped number; the rest of the home page stands. */
        if (rows->nrows && ledger_fen_cell(rows, 0, 1, &fen) != 0) {
            json_object_set_new(stats, "fund_balance_fen", json_null());
            return 0;
        }
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
