-- Module 1, the registry: compounds and their buildings, venues, organisations, people, staff.
-- Phone and ID numbers are stored only encrypted (*_enc, secretbox) with a keyed hash (*_idx) for
-- exact look-up and uniqueness; the needy flag is encrypted too. compounds.buildings and
-- compounds.residents are counters kept by the code that adds buildings and people, in the same
-- transaction, so that the compound list does not count 40,000 people on every request.
CREATE TABLE compounds (
    community_id BIGINT NOT NULL REFERENCES communities (community_id),
    id BIGINT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'residential',
    address TEXT NOT NULL DEFAULT '',
    buildings INTEGER NOT NULL DEFAULT 0,
    residents INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (community_id, id),
    UNIQUE (community_id, name)
);
CREATE TABLE buildings (
    community_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    compound_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    floors INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (community_id, id),
    UNIQUE (community_id, compound_id, name),
    FOREIGN KEY (community_id, compound_id) REFERENCES compounds (community_id, id)
);
CREATE TABLE venues (
    community_id BIGINT NOT NULL REFERENCES communities (community_id),
    id BIGINT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    compound_id BIGINT,
    address TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (community_id, id),
    UNIQUE (community_id, name),
    FOREIGN KEY (community_id, compound_id) REFERENCES compounds (community_id, id)
);
CREATE TABLE organisations (
    community_id BIGINT NOT NULL REFERENCES communities (community_id),
    id BIGINT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    compound_id BIGINT,
    contact_name TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (community_id, id),
    UNIQUE (community_id, name),
    FOREIGN KEY (community_id, compound_id) REFERENCES compounds (community_id, id)
);
CREATE TABLE people (
    community_id BIGINT NOT NULL REFERENCES communities (community_id),
    id BIGINT NOT NULL,
    name TEXT NOT NULL,
    gender TEXT,
    birth_year INTEGER,
    compound_id BIGINT,
    building_id BIGINT,
    room TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '',
    phone_enc TEXT,
    phone_idx TEXT,
    id_enc TEXT,
    id_idx TEXT,
    needy_enc TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (community_id, id),
    UNIQUE (community_id, id_idx),
    FOREIGN KEY (community_id, compound_id) REFERENCES compounds (community_id, id),
    FOREIGN KEY (community_id, building_id) REFERENCES buildings (community_id, id)
);
CREATE INDEX people_compound ON people (community_id, compound_id);
CREATE INDEX people_name ON people (community_id, name);
CREATE INDEX people_phone ON people (community_id, phone_idx);
CREATE TABLE staff (
    community_id BIGINT NOT NULL REFERENCES communities (community_id),
    id BIGINT NOT NULL,
    name TEXT NOT NULL,
    position TEXT NOT NULL DEFAULT '',
    certificate_level TEXT,
    certificate_no TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (community_id, id)
);
