/* Module 4, the community fund: ledger.c posts balanced, chained entries and verifies the chain;
 * routes.c holds the fund's endpoints (the public page, donations, money out under the two-person
 * rule, reversals, the rules document, reports). Other modules (wishes, grants, the bazaar) post
 * through ledger_post. */
#ifndef LINLI_FUND_H
#define LINLI_FUND_H
#include "core/validate.h"
#include "server/http.h"

#define LEDGER_MAX_POSTINGS 8

/* The ledger's limits (docs/fund.md). A posting is at most LEDGER_MAX_FEN in size (10^12 fen, the
 * cap of every money field); an account's balance, and the fund's (cash and bank together), stay
 * within ±LEDGER_MAX_FEN; an account's debits in all, and its credits in all, stay within
 * LEDGER_MAX_TURNOVER_FEN (10^15 fen). So every sum of postings the fund makes — over some of the
 * postings of its 14 accounts, in any order — stays below 14 × 2 × 10^15, far from 2^63. */
#define LEDGER_MAX_FEN MONEY_MAX_FEN
#define LEDGER_MAX_TURNOVER_FEN INT64_C(1000000000000000)
/* SQL, after AND: the posting's entry counts in sums. An entry with a posting past LEDGER_MAX_FEN
 * can only come from a database written before the limits (ledger_post and the database refuse
 * them now); it stays in the chain and in the entries list, and is left out of every sum, so that
 * one forged amount near INT64_MAX cannot break every page. The partial index
 * fund_postings_out_of_range finds such entries. seq is the entry_seq column; $1 the community. */
#define LEDGER_COUNTED(seq)                                                                                            \
    seq " NOT IN (SELECT o.entry_seq FROM fund_postings o WHERE o.community_id = $1 AND "                              \
        "(o.amount_fen > 1000000000000 OR o.amount_fen < -1000000000000))"
_Static_assert(LEDGER_MAX_FEN == INT64_C(1000000000000), "LEDGER_COUNTED and migration 0320 spell LEDGER_MAX_FEN out");

struct posting {
    const char *account; /* a code of the chart, e.g. "1001" */
    int64_t amount_fen;  /* debit positive, credit negative; never 0 */
    const char *earmark; /* "" or "wish:ID" / "project:ID": restricted money */
};

struct entry_in {
    const char *kind;          /* donation, in_kind, disbursement, reversal, bazaar, auction, grant, opening */
    const char *memo;
    const char *donor;         /* as the public sees it: a masked name, 匿名, or an organisation */
    const char *donor_private; /* the donor's full name, sealed; NULL if none */
    const char *receipt_no;
    const char *method;        /* cash, wechat, bank, in_kind */
    int64_t reverses_seq;      /* 0 unless a reversal */
    const char *created_by;
    int64_t at;                /* 0: now */
    int n;
    struct posting p[LEDGER_MAX_POSTINGS];
};

/* Makes sure the community has its chart of accounts, settings and chain head. */
store_rc ledger_ensure(store *s, arena *a, int64_t community_id);
/* Whether e stays within the ledger's limits: 1 to LEDGER_MAX_POSTINGS postings, each nonzero and
 * at most LEDGER_MAX_FEN in size, on accounts of the chart, and no account balance, fund balance or
 * turnover past its limit afterwards (read from fund_balances). *fits is 1 or 0. Exact only with
 * the chain head taken (ledger_post takes it; handlers that check first take it before). */
store_rc ledger_fits(store *s, arena *a, int64_t community_id, const struct entry_in *e, int *fits);
/* Posts one entry inside the caller's transaction: takes the community's chain head (a lock until
 * commit), refuses an entry past the ledger's limits (ledger_fits) with STORE_CONSTRAINT, writing
 * nothing, writes the postings and then the entry (the database checks that it balances), moves
 * the account totals (fund_balances) and the head. *seq is the entry's number. */
store_rc ledger_post(store *s, arena *a, int64_t community_id, const struct entry_in *e, int64_t *seq);
/* Checked money arithmetic: 0 with *acc + v (or *acc - v) in *acc, or -1 with *acc untouched when
 * the result would not fit in int64. */
int ledger_fen_add(int64_t *acc, int64_t v);
int ledger_fen_sub(int64_t *acc, int64_t v);
/* Cell (i, col) of rows as fen: 0 with *out, or -1 when it is not a whole number within int64 (a
 * PostgreSQL sum is NUMERIC and may be past it; atoll would clamp it silently). NULL reads as 0. */
int ledger_fen_cell(const store_rows *rows, int i, int col, int64_t *out);
/* The chain text of an entry (see docs/fund.md) and its SHA-256, hex. */
char *ledger_hash(arena *a, const char *canonical);
/* Recomputes every community's chain (or one, if community_id > 0). 0 when it holds; else -1 with
 * the first bad entry in bad. *entries counts entries read. */
int ledger_verify(store *s, int64_t community_id, long *entries, char *bad, size_t badlen);
/* Balance in fen of the accounts whose code starts with prefix (e.g. "100" for cash and bank),
 * debit positive; restricted to earmark when earmark is not NULL. Counted entries only
 * (LEDGER_COUNTED); STORE_ERROR also for a sum past int64, which the limits rule out. */
store_rc ledger_balance(store *s, arena *a, int64_t community_id, const char *prefix, const char *earmark, int64_t *fen);
/* Money earmarked and not yet spent, in fen (all earmarks, or one); counted entries only, as above. */
store_rc ledger_restricted(store *s, arena *a, int64_t community_id, const char *earmark, int64_t *fen);

/* Money out from within another module's handler (a grant tranche, say), inside the open
 * transaction: from is "cash" or "bank", expense an expense account code. Posts at once up to the
 * community's threshold (*status 201, *result the entry) or files a request for approval (202):
 * above the threshold, or past it together with the money out that the same staff member asked, or
 * payee was paid, in the same China day without a second approval (docs/fund.md, split payments).
 * 409 insufficient_funds or ledger_limit when it cannot be paid. 0, or -1 after replying. */
int fund_disburse(req *r, int64_t amount, const char *from, const char *expense, const char *earmark, const char *memo,
                  const char *payee, json_t **result, unsigned *status);

/* The demo fund of the article (demo.c). */
int fund_demo_create(store *s, int64_t community_id, char *err, size_t errlen);

#endif
