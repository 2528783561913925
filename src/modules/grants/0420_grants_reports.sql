-- Attachments of proposals (PDF and images, kept as files under the data folder, named by their
-- SHA-256) and the progress reports of funded projects with staff's review.
CREATE TABLE grant_attachments (
    community_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    proposal_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by BIGINT NOT NULL,
    uploaded_at BIGINT NOT NULL,
    PRIMARY KEY (community_id, id),
    FOREIGN KEY (community_id, proposal_id) REFERENCES grant_proposals (community_id, id)
);
CREATE TABLE grant_reports (
    community_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    proposal_id BIGINT NOT NULL,
    period TEXT NOT NULL,
    activities TEXT NOT NULL,
    participants INTEGER NOT NULL,
    spending TEXT NOT NULL,
    photos TEXT NOT NULL DEFAULT '[]',
    is_final SMALLINT NOT NULL DEFAULT 0,
    submitted_by BIGINT NOT NULL,
    submitted_at BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('submitted', 'accepted', 'returned')),
    review_note TEXT,
    reviewed_by TEXT,
    reviewed_at BIGINT,
    PRIMARY KEY (community_id, id),
    FOREIGN KEY (community_id, proposal_id) REFERENCES grant_proposals (community_id, id)
);
