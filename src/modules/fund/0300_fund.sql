-- Module 4, the community fund (社区“微心愿”公益基金): a double-entry ledger in integer fen.
-- An entry's postings are written first, then the entry row; the database refuses an entry whose
-- postings are fewer than two or do not sum to zero, refuses postings added to an entry that
-- exists, and refuses any UPDATE or DELETE of either table (see the per-engine files). Entries are
-- chained by SHA-256 over a text anyone can rebuild from the public JSON (docs/fund.md).
CREATE TABLE fund_settings (
    community_id BIGINT PRIMARY KEY REFERENCES communities (community_id),
    threshold_fen BIGINT NOT NULL DEFAULT 50000,
    approvals_needed INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE fund_accounts (
    community_id BIGINT NOT NULL REFERENCES communities (community_id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('asset', 'equity', 'income', 'expense')),
    PRIMARY KEY (community_id, code)
);
CREATE TABLE fund_heads (
    community_id BIGINT PRIMARY KEY REFERENCES communities (community_id),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
-- Postings come first and their entry after, so the foreign key from postings to entries is checked
-- at commit: postings without their entry never commit.
CREATE TABLE fund_entries (
    community_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    memo TEXT NOT NULL,
    donor TEXT NOT NULL DEFAULT '',
    donor_private TEXT,
    receipt_no TEXT,
    method TEXT NOT NULL DEFAULT '',
    reverses_seq BIGINT,
    created_by TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (community_id, seq),
    FOREIGN KEY (community_id, reverses_seq) REFERENCES fund_entries (community_id, seq)
);
CREATE TABLE fund_postings (
    community_id BIGINT NOT NULL,
    entry_seq BIGINT NOT NULL,
    line INTEGER NOT NULL,
    account TEXT NOT NULL,
    amount_fen BIGINT NOT NULL CHECK (amount_fen <> 0),
    earmark TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (community_id, entry_seq, line),
    FOREIGN KEY (community_id, account) REFERENCES fund_accounts (community_id, code),
    FOREIGN KEY (community_id, entry_seq) REFERENCES fund_entries (community_id, seq) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX fund_postings_account ON fund_postings (community_id, account);
-- Money out above the threshold waits here for approvals; it posts when enough staff (never the
-- requester) have approved.
CREATE TABLE fund_requests (
    community_id BIGINT NOT NULL REFERENCES communities (community_id),
    id BIGINT NOT NULL,
    amount_fen BIGINT NOT NULL CHECK (amount_fen > 0),
    from_account TEXT NOT NULL,
    expense_account TEXT NOT NULL,
    earmark TEXT NOT NULL DEFAULT '',
    memo TEXT NOT NULL,
    payee TEXT NOT NULL DEFAULT '',
    requested_by BIGINT NOT NULL,
    requested_at BIGINT NOT NULL,
    approvals_needed INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'posted', 'rejected')),
    entry_seq BIGINT,
    PRIMARY KEY (community_id, id)
);
CREATE TABLE fund_approvals (
    community_id BIGINT NOT NULL,
    request_id BIGINT NOT NULL,
    approver_id BIGINT NOT NULL,
    approved_at BIGINT NOT NULL,
    PRIMARY KEY (community_id, request_id, approver_id),
    FOREIGN KEY (community_id, request_id) REFERENCES fund_requests (community_id, id)
);
CREATE TABLE fund_rules (
    community_id BIGINT NOT NULL REFERENCES communities (community_id),
    version INTEGER NOT NULL,
    markdown TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    published_by TEXT NOT NULL,
    PRIMARY KEY (community_id, version)
);
-- A retried POST that moves money finds its first answer here (Idempotency-Key).
CREATE TABLE idempotency (
    community_id BIGINT NOT NULL,
    idem_key TEXT NOT NULL,
    route TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (community_id, idem_key)
);
