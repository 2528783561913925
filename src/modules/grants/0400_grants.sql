-- Module 6, micro-venture grants (微创投): rounds with a budget, phases and a published formula;
-- proposals by organisations; reviewers who declare conflicts and score on a rubric; verified
-- residents' votes. Ballot secrecy: grant_voted records who voted and grant_ballots what was chosen,
-- with nothing that links one to the other (random ballot ids, no times on ballots).
CREATE TABLE grant_rounds (
    community_id BIGINT NOT NULL REFERENCES communities (community_id),
    id BIGINT NOT NULL,
    name TEXT NOT NULL,
    budget_fen BIGINT NOT NULL CHECK (budget_fen > 0),
    max_award_fen BIGINT NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('submission', 'eligibility', 'scoring', 'voting', 'results', 'funded', 'reporting', 'closed')),
    submission_ends BIGINT NOT NULL,
    voting_opens BIGINT NOT NULL,
    voting_closes BIGINT NOT NULL,
    voting_rule TEXT NOT NULL DEFAULT 'single' CHECK (voting_rule IN ('single', 'approval', 'knapsack')),
    approval_k INTEGER NOT NULL DEFAULT 1,
    knapsack_fen BIGINT NOT NULL DEFAULT 0,
    pay_from TEXT NOT NULL DEFAULT 'bank' CHECK (pay_from IN ('cash', 'bank')),
    expert_weight INTEGER NOT NULL DEFAULT 70,
    public_weight INTEGER NOT NULL DEFAULT 30,
    min_expert INTEGER NOT NULL DEFAULT 60,
    rubric TEXT NOT NULL,
    first_tranche_pct INTEGER NOT NULL DEFAULT 70,
    results_published_at BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (community_id, id)
);
CREATE TABLE grant_proposals (
    community_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    round_id BIGINT NOT NULL,
    organisation_id BIGINT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    plan TEXT NOT NULL DEFAULT '',
    beneficiaries TEXT NOT NULL DEFAULT '',
    budget_lines TEXT NOT NULL DEFAULT '[]',
    requested_fen BIGINT NOT NULL CHECK (requested_fen > 0),
    submitted_by BIGINT NOT NULL,
    submitted_at BIGINT NOT NULL,
    eligible SMALLINT,
    eligibility_reason TEXT,
    expert_score_milli BIGINT,
    votes BIGINT,
    final_score_milli BIGINT,
    funded SMALLINT,
    award_fen BIGINT,
    paid_fen BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (community_id, id),
    FOREIGN KEY (community_id, round_id) REFERENCES grant_rounds (community_id, id),
    FOREIGN KEY (community_id, organisation_id) REFERENCES organisations (community_id, id)
);
CREATE TABLE grant_reviewers (
    community_id BIGINT NOT NULL,
    round_id BIGINT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    PRIMARY KEY (community_id, round_id, account_id),
    FOREIGN KEY (community_id, round_id) REFERENCES grant_rounds (community_id, id)
);
CREATE TABLE grant_conflicts (
    community_id BIGINT NOT NULL,
    proposal_id BIGINT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    reason TEXT NOT NULL,
    PRIMARY KEY (community_id, proposal_id, account_id),
    FOREIGN KEY (community_id, proposal_id) REFERENCES grant_proposals (community_id, id)
);
CREATE TABLE grant_scores (
    community_id BIGINT NOT NULL,
    proposal_id BIGINT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    scores TEXT NOT NULL,
    total_milli BIGINT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    scored_at BIGINT NOT NULL,
    PRIMARY KEY (community_id, proposal_id, account_id),
    FOREIGN KEY (community_id, proposal_id) REFERENCES grant_proposals (community_id, id)
);
-- Who may vote in a round: accounts verified by a household code, or linked by staff to a person.
CREATE TABLE grant_voters (
    community_id BIGINT NOT NULL,
    round_id BIGINT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    voter_key TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('code', 'person')),
    verified_at BIGINT NOT NULL,
    PRIMARY KEY (community_id, round_id, account_id),
    FOREIGN KEY (community_id, round_id) REFERENCES grant_rounds (community_id, id)
);
CREATE TABLE grant_codes (
    community_id BIGINT NOT NULL,
    code_hash TEXT NOT NULL,
    round_id BIGINT NOT NULL,
    redeemed_by BIGINT REFERENCES accounts (id),
    redeemed_at BIGINT,
    PRIMARY KEY (community_id, code_hash),
    FOREIGN KEY (community_id, round_id) REFERENCES grant_rounds (community_id, id)
);
-- One row per person (or household code) that voted in a round: the database refuses a second.
CREATE TABLE grant_voted (
    community_id BIGINT NOT NULL,
    round_id BIGINT NOT NULL,
    voter_key TEXT NOT NULL,
    PRIMARY KEY (community_id, round_id, voter_key),
    FOREIGN KEY (community_id, round_id) REFERENCES grant_rounds (community_id, id)
);
CREATE TABLE grant_ballots (
    community_id BIGINT NOT NULL,
    round_id BIGINT NOT NULL,
    ballot TEXT NOT NULL,
    proposal_id BIGINT NOT NULL,
    PRIMARY KEY (community_id, round_id, ballot, proposal_id),
    FOREIGN KEY (community_id, proposal_id) REFERENCES grant_proposals (community_id, id)
);
