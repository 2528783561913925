-- Module 3, micro-wishes (微心愿): campaigns, wishes with a public story and sealed private details,
-- verification and review, claims by donors (one active claim per wish, enforced by a partial
-- unique index), fulfilment in kind or in cash through the fund, and the beneficiary's confirmation.
CREATE TABLE wish_campaigns (
    community_id BIGINT NOT NULL REFERENCES communities (community_id),
    id BIGINT NOT NULL,
    title TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    fulfil_days INTEGER NOT NULL DEFAULT 30,
    PRIMARY KEY (community_id, id)
);
CREATE TABLE wishes (
    community_id BIGINT NOT NULL REFERENCES communities (community_id),
    id BIGINT NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('goods', 'cash', 'service')),
    urgency TEXT NOT NULL CHECK (urgency IN ('blue', 'yellow', 'red')),
    title TEXT NOT NULL,
    story TEXT NOT NULL,
    private_enc TEXT NOT NULL,
    compound_id BIGINT,
    estimated_fen BIGINT NOT NULL CHECK (estimated_fen >= 0),
    deadline TEXT,
    campaign_id BIGINT,
    status TEXT NOT NULL CHECK (status IN ('submitted', 'published', 'declined', 'claimed', 'fulfilled', 'closed')),
    source TEXT NOT NULL CHECK (source IN ('online', 'paper')),
    paper_serial TEXT,
    paper_photo TEXT,
    keyed_by TEXT,
    consent SMALLINT NOT NULL,
    submitted_by BIGINT,
    verified_by TEXT,
    verified_at BIGINT,
    verify_method TEXT,
    verify_note TEXT,
    decline_reason TEXT,
    thank_you TEXT,
    fulfilled_kind TEXT,
    created_at BIGINT NOT NULL,
    published_at BIGINT,
    closed_at BIGINT,
    PRIMARY KEY (community_id, id),
    FOREIGN KEY (community_id, compound_id) REFERENCES compounds (community_id, id),
    FOREIGN KEY (community_id, campaign_id) REFERENCES wish_campaigns (community_id, id)
);
CREATE INDEX wishes_status ON wishes (community_id, status);
CREATE TABLE wish_claims (
    community_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    wish_id BIGINT NOT NULL,
    donor_account_id BIGINT,
    donor_name_enc TEXT,
    donor_display TEXT NOT NULL,
    donor_kind TEXT NOT NULL,
    anonymous SMALLINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('active', 'released', 'fulfilled')),
    claimed_at BIGINT NOT NULL,
    contacted_at BIGINT,
    released_at BIGINT,
    release_reason TEXT,
    fulfilled_at BIGINT,
    entered_by TEXT,
    PRIMARY KEY (community_id, id),
    FOREIGN KEY (community_id, wish_id) REFERENCES wishes (community_id, id)
);
CREATE UNIQUE INDEX wish_claims_one_active ON wish_claims (community_id, wish_id) WHERE status = 'active';
