-- Paper ballots keyed in at the community office and checked by a second staff member, and
-- objections filed during the public notice. A paper ballot's choices are kept only until it is
-- checked: then they move to grant_ballots (with no link back) and are erased here.
CREATE TABLE grant_paper (
    community_id BIGINT NOT NULL,
    round_id BIGINT NOT NULL,
    serial TEXT NOT NULL,
    person_id BIGINT NOT NULL,
    choices TEXT,
    entered_by BIGINT NOT NULL,
    checked_by BIGINT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'counted', 'rejected')),
    PRIMARY KEY (community_id, round_id, serial),
    FOREIGN KEY (community_id, round_id) REFERENCES grant_rounds (community_id, id),
    FOREIGN KEY (community_id, person_id) REFERENCES people (community_id, id)
);
CREATE TABLE grant_objections (
    community_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    round_id BIGINT NOT NULL,
    proposal_id BIGINT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    text TEXT NOT NULL,
    filed_at BIGINT NOT NULL,
    answer TEXT,
    answered_by TEXT,
    answered_at BIGINT,
    PRIMARY KEY (community_id, id),
    FOREIGN KEY (community_id, proposal_id) REFERENCES grant_proposals (community_id, id)
);
