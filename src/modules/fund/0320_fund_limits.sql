-- The fund's limits and its second approvals (docs/fund.md; issue #11, findings M2, M3, M4).
--
-- Amounts: no posting may be larger than 10^12 fen (¥10 billion, MONEY_MAX_FEN), and each account's
-- balance and its debits and credits in all are kept in fund_balances by ledger_post, which refuses
-- a posting that would take a balance past ±10^12 fen or the debits or credits past 10^15 fen. With
-- at most 10^15 fen through each of the accounts, no sum of postings the fund makes can pass 2^63.
-- An entry written before these limits with an amount past 10^12 fen is left out of every sum (and
-- named on the fund page); the partial index finds such entries at once (there are none, usually).
CREATE TABLE fund_balances (
    community_id BIGINT NOT NULL,
    account TEXT NOT NULL,
    balance_fen BIGINT NOT NULL DEFAULT 0,
    debit_fen BIGINT NOT NULL DEFAULT 0,
    credit_fen BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (community_id, account),
    FOREIGN KEY (community_id, account) REFERENCES fund_accounts (community_id, code)
);
CREATE INDEX fund_postings_out_of_range ON fund_postings (community_id, entry_seq)
    WHERE amount_fen > 1000000000000 OR amount_fen < -1000000000000;
INSERT INTO fund_balances (community_id, account, balance_fen, debit_fen, credit_fen)
SELECT a.community_id, a.code, COALESCE(sum(p.amount_fen), 0),
       COALESCE(sum(CASE WHEN p.amount_fen > 0 THEN p.amount_fen ELSE 0 END), 0),
       COALESCE(sum(CASE WHEN p.amount_fen < 0 THEN -p.amount_fen ELSE 0 END), 0)
  FROM fund_accounts a
  LEFT JOIN fund_postings p ON p.community_id = a.community_id AND p.account = a.code
   AND p.entry_seq NOT IN (SELECT x.entry_seq FROM fund_postings x WHERE x.community_id = a.community_id
                            AND (x.amount_fen > 1000000000000 OR x.amount_fen < -1000000000000))
 GROUP BY a.community_id, a.code;

-- Money out waiting for approval is a payout or a reversal that takes money out (reverses_seq);
-- rule says why it waits: above the threshold, or past it together with what the same requester,
-- or the same payee, had in the same China day without a second approval (split payments).
ALTER TABLE fund_requests ADD COLUMN kind TEXT NOT NULL DEFAULT 'payout' CHECK (kind IN ('payout', 'reversal'));
ALTER TABLE fund_requests ADD COLUMN reverses_seq BIGINT;
ALTER TABLE fund_requests ADD COLUMN rule TEXT NOT NULL DEFAULT 'threshold' CHECK (rule IN ('threshold', 'daily_total'));
CREATE UNIQUE INDEX fund_requests_one_reversal ON fund_requests (community_id, reverses_seq) WHERE status = 'pending';

-- Money that left without a second approval (payouts and reversals up to the threshold): what the
-- daily rule adds up.
CREATE TABLE fund_direct_out (
    community_id BIGINT NOT NULL,
    entry_seq BIGINT NOT NULL,
    account_id BIGINT NOT NULL,
    payee TEXT NOT NULL DEFAULT '',
    amount_fen BIGINT NOT NULL CHECK (amount_fen > 0),
    at BIGINT NOT NULL,
    PRIMARY KEY (community_id, entry_seq),
    FOREIGN KEY (community_id, entry_seq) REFERENCES fund_entries (community_id, seq)
);
CREATE INDEX fund_direct_out_at ON fund_direct_out (community_id, at);

-- A change of the settings that weakens the two-person rule (a higher threshold, fewer approvals)
-- waits here until enough other staff members approve it; one pending change at a time (a new
-- change of the settings supersedes it).
CREATE TABLE fund_settings_changes (
    community_id BIGINT NOT NULL REFERENCES communities (community_id),
    id BIGINT NOT NULL,
    threshold_fen BIGINT NOT NULL CHECK (threshold_fen >= 0),
    approvals_needed INTEGER NOT NULL CHECK (approvals_needed >= 1 AND approvals_needed <= 5),
    old_threshold_fen BIGINT NOT NULL,
    old_approvals_needed INTEGER NOT NULL,
    requested_by BIGINT NOT NULL,
    requested_at BIGINT NOT NULL,
    approvals_required INTEGER NOT NULL CHECK (approvals_required >= 1),
    status TEXT NOT NULL CHECK (status IN ('pending', 'applied', 'rejected', 'superseded')),
    decided_at BIGINT,
    PRIMARY KEY (community_id, id)
);
CREATE UNIQUE INDEX fund_settings_one_pending ON fund_settings_changes (community_id) WHERE status = 'pending';
CREATE TABLE fund_settings_approvals (
    community_id BIGINT NOT NULL,
    change_id BIGINT NOT NULL,
    approver_id BIGINT NOT NULL,
    approved_at BIGINT NOT NULL,
    PRIMARY KEY (community_id, change_id, approver_id),
    FOREIGN KEY (community_id, change_id) REFERENCES fund_settings_changes (community_id, id)
);
