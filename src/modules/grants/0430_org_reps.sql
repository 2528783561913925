-- Who represents which organisation (业委会, 物管, 自组织 …) of a community for its grant work: an
-- org rep proposes, edits, attaches and reports only for the organisations linked here, and a reviewer
-- does not score a proposal of an organisation they represent. Staff make and remove the links
-- (audited); a removed link is gone, its history is in the audit log.
CREATE TABLE org_reps (
    community_id BIGINT NOT NULL,
    organisation_id BIGINT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    linked_at BIGINT NOT NULL,
    PRIMARY KEY (community_id, organisation_id, account_id),
    FOREIGN KEY (community_id, organisation_id) REFERENCES organisations (community_id, id)
);
CREATE INDEX org_reps_account ON org_reps (community_id, account_id);
