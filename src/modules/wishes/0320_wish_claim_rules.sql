-- Security issue #11, M7: one resident could claim every open wish and renew the claims. The
-- community's limit of open claims per donor account (default 3, staff change it); the donors staff
-- block from claiming, with who, when and why; who released a claim (staff, the claimer, or the
-- sweep: NULL). A donor's row is also what a claim locks, so two claims of one donor at once count
-- each other (wishes.c).
CREATE TABLE wish_settings (
    community_id BIGINT NOT NULL REFERENCES communities (community_id),
    max_open_claims INTEGER NOT NULL DEFAULT 3 CHECK (max_open_claims >= 1),
    PRIMARY KEY (community_id)
);
CREATE TABLE wish_donors (
    community_id BIGINT NOT NULL REFERENCES communities (community_id),
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    blocked_at BIGINT,
    blocked_by TEXT,
    blocked_reason TEXT,
    PRIMARY KEY (community_id, account_id)
);
ALTER TABLE wish_claims ADD COLUMN released_by TEXT;
CREATE INDEX wish_claims_donor ON wish_claims (community_id, donor_account_id, status);
