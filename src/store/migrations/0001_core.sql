-- The core schema: places above the community (global), the communities themselves, accounts,
-- roles, sessions and the audit chain. Every tenant table starts its primary key and each of its
-- foreign keys with community_id (Citus distribution column); the global tables are few and
-- listed in src/store/store_test.c.
CREATE TABLE districts (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE towns (
    id BIGINT PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES districts (id),
    name TEXT NOT NULL,
    UNIQUE (district_id, name)
);
CREATE TABLE communities (
    community_id BIGINT PRIMARY KEY,
    town_id BIGINT NOT NULL REFERENCES towns (id),
    name TEXT NOT NULL,
    population INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    UNIQUE (town_id, name)
);
CREATE TABLE accounts (
    id BIGINT PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    pw_hash TEXT NOT NULL,
    disabled SMALLINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE TABLE global_roles (
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    role TEXT NOT NULL CHECK (role IN ('admin', 'district_admin')),
    district_id BIGINT REFERENCES districts (id),
    PRIMARY KEY (account_id, role)
);
CREATE TABLE role_grants (
    community_id BIGINT NOT NULL REFERENCES communities (community_id),
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    role TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (community_id, account_id, role)
);
CREATE INDEX role_grants_account ON role_grants (account_id);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
-- The audit chain is kept per community (community 0: actions above any one community).
CREATE TABLE audit_heads (
    community_id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE audit_log (
    community_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_id BIGINT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (community_id, seq)
);
