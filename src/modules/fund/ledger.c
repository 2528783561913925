/* The ledger (see fund.h). The chain text of an entry is, joined by newlines: seq, at, kind, memo,
 * donor, receipt_no, reverses_seq (empty if none), one line "account amount_fen earmark" per posting
 * in line order, and the previous entry's hash; the hash is SHA-256 of that text, hex. Everything
 * in it is public, so a browser can recompute the chain from GET …/fund/entries with Web Crypto. */
#include "modules/fund/fund.h"
#include "core/fault.h"
#include "core/clock.h"
#include "server/reply.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char genesis[] = "0000000000000000000000000000000000000000000000000000000000000000";

static const struct {
    const char *code, *name, *name_en, *kind;
} chart[] = {
    {"1001", "库存现金", "Cash on hand", "asset"},
    {"1002", "银行存款（含微信收款）", "Bank (WeChat Pay included)", "asset"},
    {"1201", "实物捐赠物资", "In-kind goods", "asset"},
    {"3101", "非限定性净资产", "Unrestricted fund balance", "equity"},
    {"3102", "限定性净资产", "Restricted fund balance", "equity"},
    {"4101", "捐赠收入", "Donations", "income"},
    {"4102", "义卖分成收入", "Bazaar share", "income"},
    {"4103", "拍卖分成收入", "Auction share", "income"},
    {"4104", "补助收入", "Grants received", "income"},
    {"4105", "实物捐赠收入", "In-kind donations", "income"},
    {"5101", "微心愿支出", "Wishes", "expense"},
    {"5102", "微创投资助支出", "Micro-venture grants", "expense"},
    {"5103", "活动支出", "Activities", "expense"},
    {"5104", "实物捐赠发放", "In-kind given out", "expense"},
};

static const char sql_has_settings[] = "SELECT 1 FROM fund_settings WHERE community_id = $1";
static const char sql_settings[] = "INSERT INTO fund_settings (community_id) VALUES ($1) ON CONFLICT DO NOTHING";
static const char sql_account[] =
    "INSERT INTO fund_accounts (community_id, code, name, name_en, kind) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING";
static const char sql_account_totals[] =
    "INSERT INTO fund_balances (community_id, account) VALUES ($1, $2) ON CONFLICT DO NOTHING";

store_rc ledger_ensure(store *s, arena *a, int64_t community_id)
{
    const char *cid = arena_i64(a, community_id);
    int64_t one;
    int found = 0;
    store_rc rc = store_query_i64(s, a, sql_has_settings, 1, (const char *[]){cid}, &one, &found);
    if (rc != STORE_OK || found)
        return rc;
    rc = store_exec(s, a, sql_settings, 1, (const char *[]){cid}, NULL);
    for (size_t i = 0; rc == STORE_OK && i < sizeof chart / sizeof chart[0]; i++) {
        rc = store_exec(s, a, sql_account, 5,
                        (const char *[]){cid, chart[i].code, chart[i].name, chart[i].name_en, chart[i].kind}, NULL);
        if (rc == STORE_OK)
            rc = store_exec(s, a, sql_account_totals, 2, (const char *[]){cid, chart[i].code}, NULL);
    }
    return rc;
}

int ledger_fen_add(int64_t *acc, int64_t v)
{
    int64_t out;
    if (__builtin_add_overflow(*acc, v, &out))
        return -1;
    *acc = out;
    return 0;
}

int ledger_fen_sub(int64_t *acc, int64_t v)
{
    int64_t out;
    if (__builtin_sub_overflow(*acc, v, &out))
        return -1;
    *acc = out;
    return 0;
}

int ledger_fen_cell(const store_rows *rows, int i, int col, int64_t *out)
{
    const char *c = store_cell(rows, i, col);
    if (!c) {
        *out = 0;
        return 0;
    }
    return validate_int(c, INT64_MIN, INT64_MAX, out);
}

/* Each account's balance and turnover, kept by ledger_post (migration 0320). */
static const char sql_totals[] = "SELECT account, balance_fen, debit_fen, credit_fen FROM fund_balances WHERE community_id = $1";
static const char sql_totals_add[] =
    "UPDATE fund_balances SET balance_fen = balance_fen + $3, debit_fen = debit_fen + $4, credit_fen = credit_fen + $5 "
    "WHERE community_id = $1 AND account = $2";

static int is_cash_or_bank(const char *account) { return strcmp(account, "1001") == 0 || strcmp(account, "1002") == 0; }

/* |x| > LEDGER_MAX_FEN and farther from zero than before: a balance that passes its limit, or one
 * already past it (in a database written before the limits) that an entry would take farther. */
static int worse(int64_t before, int64_t after)
{
    int64_t mag_before = before < 0 ? -(before + 1) : before, mag_after = after < 0 ? -(after + 1) : after; /* no -INT64_MIN */
    return (after > LEDGER_MAX_FEN || after < -LEDGER_MAX_FEN) && mag_after > mag_before;
}

store_rc ledger_fits(store *s, arena *a, int64_t community_id, const struct entry_in *e, int *fits)
{
    store_rows *t = NULL;
    *fits = 0;
    if (e->n < 1 || e->n > LEDGER_MAX_POSTINGS)
        return STORE_OK;
    store_rc rc = store_exec(s, a, sql_totals, 1, (const char *[]){arena_i64(a, community_id)}, &t);
    if (rc != STORE_OK)
        return rc;
    /* The totals as they will be, per account of the chart (t's rows), and the fund's balance. */
    size_t n = (size_t)t->nrows + 1;
    int64_t *bal = arena_alloc(a, sizeof(int64_t) * n * 4), fund = 0, fund_before = 0;
    char *touched = arena_alloc(a, n);
    if (!bal || !touched)
        return STORE_ERROR;
    int64_t *deb = bal + n, *cred = deb + n, *bal_before = cred + n;
    memset(touched, 0, n);
    for (int j = 0; j < t->nrows; j++) {
        if (ledger_fen_cell(t, j, 1, &bal[j]) || ledger_fen_cell(t, j, 2, &deb[j]) || ledger_fen_cell(t, j, 3, &cred[j]))
            return STORE_OK;
        bal_before[j] = bal[j];
        if (is_cash_or_bank(store_cell(t, j, 0)) && ledger_fen_add(&fund, bal[j]))
            return STORE_OK;
    }
    fund_before = fund;
    for (int i = 0; i < e->n; i++) {
        int64_t v = e->p[i].amount_fen;
        if (v == 0 || v > LEDGER_MAX_FEN || v < -LEDGER_MAX_FEN)
            return STORE_OK;
        int j = 0;
        while (j < t->nrows && strcmp(store_cell(t, j, 0), e->p[i].account) != 0)
            j++;
        if (j == t->nrows)
            return STORE_OK;
        touched[j] = 1;
        /* Each term is at most 10^12 in size: these overflow only from totals already near 2^63
         * (a database edited by hand), and then the entry does not fit. */
        if (ledger_fen_add(&bal[j], v) || ledger_fen_add(v > 0 ? &deb[j] : &cred[j], v > 0 ? v : -v))
            return STORE_OK;
        if (is_cash_or_bank(e->p[i].account) && ledger_fen_add(&fund, v))
            return STORE_OK;
    }
    /* Only what the entry moves is judged, so that an account past a limit in an old database does
     * not stop the rest of the fund, and an entry may always bring a balance back towards zero. */
    for (int j = 0; j < t->nrows; j++)
        if (touched[j] && (worse(bal_before[j], bal[j]) || deb[j] > LEDGER_MAX_TURNOVER_FEN || cred[j] > LEDGER_MAX_TURNOVER_FEN))
            return STORE_OK;
    *fits = !worse(fund_before, fund);
    return STORE_OK;
}

char *ledger_hash(arena *a, const char *canonical)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)canonical, strlen(canonical));
    char *out = arena_alloc(a, 65);
    return out ? sodium_bin2hex(out, 65, h, sizeof h) : NULL;
}

/* The chain text; postings is "account amount earmark\n" lines already. */
static char *canonical(arena *a, const char *seq, const char *at, const char *kind, const char *memo, const char *donor,
                       const char *receipt, const char *reverses, const char *postings, const char *prev)
{
    return arena_printf(a, "%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s%s", seq, at, kind, memo ? memo : "", donor ? donor : "",
                        receipt ? receipt : "", reverses ? reverses : "", postings, prev);
}

static const char sql_head[] =
    "INSERT INTO fund_heads (community_id, seq, hash) VALUES ($1, 0, $2) "
    "ON CONFLICT (community_id) DO UPDATE SET seq = fund_heads.seq RETURNING seq, hash";
static const char sql_head_set[] = "UPDATE fund_heads SET seq = $2, hash = $3 WHERE community_id = $1";
static const char sql_posting[] =
    "INSERT INTO fund_postings (community_id, entry_seq, line, account, amount_fen, earmark) VALUES ($1, $2, $3, $4, $5, $6)";
static const char sql_entry[] =
    "INSERT INTO fund_entries (community_id, seq, at, kind, memo, donor, donor_private, receipt_no, method, "
    "reverses_seq, created_by, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

store_rc ledger_post(store *s, arena *a, int64_t community_id, const struct entry_in *e, int64_t *seq)
{
    const char *cid = arena_i64(a, community_id);
    store_rows *head = NULL;
    store_rc rc = ledger_ensure(s, a, community_id);
    if (rc == STORE_OK)
        rc = store_exec(s, a, sql_head, 2, (const char *[]){cid, genesis}, &head);
    if (rc != STORE_OK)
        return rc;
    int fits = 0;
    if ((rc = ledger_fits(s, a, community_id, e, &fits)) != STORE_OK)
        return rc;
    if (!fits)
        return STORE_CONSTRAINT;
    *seq = store_cell_i64(head, 0, 0) + 1;
    const char *prev = arena_strdup(a, store_cell(head, 0, 1));
    const char *sq = arena_i64(a, *seq);
    char *lines = arena_strdup(a, "");
    for (int i = 0; rc == STORE_OK && i < e->n; i++) {
        const char *earmark = e->p[i].earmark ? e->p[i].earmark : "";
        lines = arena_printf(a, "%s%s %lld %s\n", lines, e->p[i].account, (long long)e->p[i].amount_fen, earmark);
        int64_t v = e->p[i].amount_fen;
        rc = store_exec(s, a, sql_posting, 6, (const char *[]){cid, sq, arena_i64(a, i + 1), e->p[i].account, arena_i64(a, v), earmark},
                        NULL);
        if (rc == STORE_OK)
            rc = store_exec(s, a, sql_totals_add, 5,
                            (const char *[]){cid, e->p[i].account, arena_i64(a, v), arena_i64(a, v > 0 ? v : 0), arena_i64(a, v < 0 ? -v : 0)},
                            NULL);
    }
    if (rc != STORE_OK)
        return rc;
    const char *at = arena_i64(a, e->at ? e->at : clock_now());
    const char *rev = e->reverses_seq ? arena_i64(a, e->reverses_seq) : NULL;
    const char *donor = e->donor ? e->donor : "";
    const char *hash = ledger_hash(a, canonical(a, sq, at, e->kind, e->memo, donor, e->receipt_no, rev, lines, prev));
    rc = store_exec(s, a, sql_entry, 13,
                    (const char *[]){cid, sq, at, e->kind, e->memo ? e->memo : "", donor, e->donor_private, e->receipt_no,
                                     e->method ? e->method : "", rev, e->created_by ? e->created_by : "system", prev, hash},
                    NULL);
    if (rc == STORE_OK)
        rc = store_exec(s, a, sql_head_set, 3, (const char *[]){cid, sq, hash}, NULL);
    return rc;
}

static const char sql_heads_pg[] =
    "SELECT community_id, seq, hash FROM fund_heads WHERE (CAST($1 AS BIGINT) = 0 OR community_id = CAST($1 AS BIGINT)) "
    "ORDER BY community_id";
static const char sql_entries[] =
    "SELECT seq, at, kind, memo, donor, receipt_no, reverses_seq, prev_hash, hash FROM fund_entries "
    "WHERE community_id = $1 AND seq > $2 ORDER BY seq LIMIT 2000";
static const char sql_entry_postings[] =
    "SELECT entry_seq, account, amount_fen, earmark FROM fund_postings WHERE community_id = $1 AND entry_seq > $2 "
    "AND entry_seq <= $3 ORDER BY entry_seq, line";

int ledger_verify(store *s, int64_t community_id, long *entries, char *bad, size_t badlen)
{
    arena *a = arena_new();
    store_rows *heads = NULL;
    *entries = 0;
    if (store_exec(s, a, sql_heads_pg, 1, (const char *[]){arena_i64(a, community_id)}, &heads) != STORE_OK) {
        snprintf(bad, badlen, "cannot read the ledger: %s", store_errmsg(s));
        arena_free(a);
        return -1;
    }
    int result = 0;
    for (int h = 0; h < heads->nrows && result == 0; h++) {
        const char *cid = store_cell(heads, h, 0);
        char prev[65];
        snprintf(prev, sizeof prev, "%s", genesis);
        int64_t expect = 1;
        for (;;) {
            arena *ra = arena_new();
            store_rows *es = NULL, *ps = NULL;
            const char *p[3] = {cid, arena_i64(ra, expect - 1)};
            store_rc rc = store_exec(s, ra, sql_entries, 2, p, &es);
            if (rc == STORE_OK && es->nrows) {
                p[2] = store_cell(es, es->nrows - 1, 0);
                rc = store_exec(s, ra, sql_entry_postings, 3, p, &ps);
            }
            if (rc != STORE_OK) {
                snprintf(bad, badlen, "cannot read the ledger: %s", store_errmsg(s));
                arena_free(ra);
                result = -1;
                break;
            }
            int pi = 0;
            for (int i = 0; i < es->nrows && result == 0; i++) {
                int64_t seq = store_cell_i64(es, i, 0);
                char *lines = arena_strdup(ra, "");
                int64_t sum = 0, v = 0;
                int n = 0, overflow = 0;
                while (ps && pi < ps->nrows && store_cell_i64(ps, pi, 0) == seq) {
                    lines = arena_printf(ra, "%s%s %s %s\n", lines, store_cell(ps, pi, 1), store_cell(ps, pi, 2), store_cell(ps, pi, 3));
                    overflow |= ledger_fen_cell(ps, pi, 2, &v) != 0 || ledger_fen_add(&sum, v) != 0;
                    n++;
                    pi++;
                }
                const char *hash = ledger_hash(ra, canonical(ra, store_cell(es, i, 0), store_cell(es, i, 1), store_cell(es, i, 2),
                                                             store_cell(es, i, 3), store_cell(es, i, 4), store_cell(es, i, 5),
                                                             store_cell(es, i, 6), lines, prev));
                (*entries)++;
                if (seq != expect)
                    snprintf(bad, badlen, "community %s, entry %lld: missing", cid, (long long)expect), result = -1;
                else if (n < 2 || sum != 0 || overflow)
                    snprintf(bad, badlen, "community %s, entry %lld: postings do not balance", cid, (long long)seq), result = -1;
                else if (strcmp(store_cell(es, i, 7), prev) != 0)
                    snprintf(bad, badlen, "community %s, entry %lld: does not follow the entry before it", cid, (long long)seq), result = -1;
                else if (strcmp(store_cell(es, i, 8), hash) != 0)
                    snprintf(bad, badlen, "community %s, entry %lld: hash does not match its contents (the entry was altered)", cid,
                             (long long)seq),
                        result = -1;
                snprintf(prev, sizeof prev, "%s", hash);
                expect++;
            }
            int more = es->nrows == 2000;
            arena_free(ra);
            if (result || !more)
                break;
        }
        if (result == 0 && expect - 1 != store_cell_i64(heads, h, 1)) {
            snprintf(bad, badlen, "community %s, entry %lld: missing (the chain ends at %lld)", cid, (long long)expect,
                     (long long)(expect - 1));
            result = -1;
        }
    }
    arena_free(a);
    return result;
}

static const char sql_balance[] =
    "SELECT COALESCE(sum(p.amount_fen), 0) FROM fund_postings p WHERE p.community_id = $1 AND p.account LIKE $2 "
    "AND (CAST($3 AS TEXT) IS NULL OR p.earmark = CAST($3 AS TEXT)) AND " LEDGER_COUNTED("p.entry_seq");

/* One sum, read checked. */
static store_rc sum_fen(store *s, arena *a, const char *sql, int n, const char *const *p, int64_t *fen)
{
    store_rows *rows = NULL;
    *fen = 0;
    store_rc rc = store_exec(s, a, sql, n, p, &rows);
    if (rc == STORE_OK && rows->nrows > 0 && ledger_fen_cell(rows, 0, 0, fen) != 0)
        rc = STORE_ERROR;
    return rc;
}

store_rc ledger_balance(store *s, arena *a, int64_t community_id, const char *prefix, const char *earmark, int64_t *fen)
{
    return sum_fen(s, a, sql_balance, 3, (const char *[]){arena_i64(a, community_id), arena_printf(a, "%s%%", prefix), earmark}, fen);
}

/* Money given for a purpose (income postings with an earmark) less what was spent on it. */
static const char sql_restricted[] =
    "SELECT COALESCE(-sum(p.amount_fen), 0) FROM fund_postings p JOIN fund_accounts a ON a.community_id = p.community_id "
    "AND a.code = p.account WHERE p.community_id = $1 AND p.earmark <> '' AND a.kind IN ('income', 'expense') "
    "AND p.account NOT IN ('4105', '5104') AND (CAST($2 AS TEXT) IS NULL OR p.earmark = CAST($2 AS TEXT)) AND " LEDGER_COUNTED("p.entry_seq");

store_rc ledger_restricted(store *s, arena *a, int64_t community_id, const char *earmark, int64_t *fen)
{
    return sum_fen(s, a, sql_restricted, 2, (const char *[]){arena_i64(a, community_id), earmark}, fen);
}

