-- Module 2, volunteers (志愿服务): the volunteer register, teams, trainings, activities with shifts,
-- sign-ups with a waitlist, attendance (QR check-in and check-out), service-hour records that are
-- never overwritten (a correction is a new record pointing at the old one), and hours certificates.
-- Times are UTC seconds; durations are minutes.
CREATE TABLE vol_settings (
    community_id BIGINT PRIMARY KEY REFERENCES communities (community_id),
    star_thresholds TEXT NOT NULL DEFAULT '100,300,600,1000,1500',
    next_number INTEGER NOT NULL DEFAULT 1,
    issuer_name TEXT NOT NULL DEFAULT '',
    issuer_person TEXT NOT NULL DEFAULT '',
    issuer_contact TEXT NOT NULL DEFAULT ''
);
CREATE TABLE volunteers (
    community_id BIGINT NOT NULL REFERENCES communities (community_id),
    id BIGINT NOT NULL,
    number TEXT,
    account_id BIGINT REFERENCES accounts (id),
    person_id BIGINT,
    name TEXT NOT NULL,
    phone_enc TEXT,
    id_enc TEXT,
    birth_year INTEGER,
    is_minor SMALLINT NOT NULL DEFAULT 0,
    guardian_name TEXT,
    guardian_consent_at BIGINT,
    skills TEXT NOT NULL DEFAULT '',
    availability TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'declined')),
    decline_reason TEXT,
    applied_at BIGINT NOT NULL,
    decided_at BIGINT,
    decided_by BIGINT,
    PRIMARY KEY (community_id, id),
    UNIQUE (community_id, number),
    UNIQUE (community_id, account_id),
    FOREIGN KEY (community_id, person_id) REFERENCES people (community_id, id)
);
CREATE TABLE vol_teams (
    community_id BIGINT NOT NULL REFERENCES communities (community_id),
    id BIGINT NOT NULL,
    name TEXT NOT NULL,
    compound_id BIGINT,
    PRIMARY KEY (community_id, id),
    UNIQUE (community_id, name),
    FOREIGN KEY (community_id, compound_id) REFERENCES compounds (community_id, id)
);
CREATE TABLE vol_team_members (
    community_id BIGINT NOT NULL,
    team_id BIGINT NOT NULL,
    volunteer_id BIGINT NOT NULL,
    PRIMARY KEY (community_id, team_id, volunteer_id),
    FOREIGN KEY (community_id, team_id) REFERENCES vol_teams (community_id, id),
    FOREIGN KEY (community_id, volunteer_id) REFERENCES volunteers (community_id, id)
);
CREATE TABLE trainings (
    community_id BIGINT NOT NULL REFERENCES communities (community_id),
    id BIGINT NOT NULL,
    title TEXT NOT NULL,
    held_at BIGINT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (community_id, id)
);
CREATE TABLE training_attendance (
    community_id BIGINT NOT NULL,
    training_id BIGINT NOT NULL,
    volunteer_id BIGINT NOT NULL,
    PRIMARY KEY (community_id, training_id, volunteer_id),
    FOREIGN KEY (community_id, training_id) REFERENCES trainings (community_id, id),
    FOREIGN KEY (community_id, volunteer_id) REFERENCES volunteers (community_id, id)
);
CREATE TABLE activities (
    community_id BIGINT NOT NULL REFERENCES communities (community_id),
    id BIGINT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'event',
    place TEXT NOT NULL DEFAULT '',
    organiser TEXT NOT NULL DEFAULT '',
    coordinator_id BIGINT REFERENCES accounts (id),
    description TEXT NOT NULL DEFAULT '',
    grace_minutes INTEGER NOT NULL DEFAULT 30,
    weekly SMALLINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (community_id, id)
);
CREATE TABLE shifts (
    community_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    activity_id BIGINT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    capacity INTEGER NOT NULL,
    adults_only SMALLINT NOT NULL DEFAULT 0,
    training_id BIGINT,
    cancel_deadline BIGINT NOT NULL,
    confirmed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (community_id, id),
    FOREIGN KEY (community_id, activity_id) REFERENCES activities (community_id, id),
    FOREIGN KEY (community_id, training_id) REFERENCES trainings (community_id, id),
    CHECK (confirmed <= capacity)
);
CREATE INDEX shifts_time ON shifts (community_id, starts_at);
CREATE TABLE signups (
    community_id BIGINT NOT NULL,
    shift_id BIGINT NOT NULL,
    volunteer_id BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlist', 'cancelled')),
    signed_at BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (community_id, shift_id, volunteer_id),
    FOREIGN KEY (community_id, shift_id) REFERENCES shifts (community_id, id),
    FOREIGN KEY (community_id, volunteer_id) REFERENCES volunteers (community_id, id)
);
CREATE TABLE attendance (
    community_id BIGINT NOT NULL,
    shift_id BIGINT NOT NULL,
    volunteer_id BIGINT NOT NULL,
    checkin_at BIGINT NOT NULL,
    checkout_at BIGINT,
    auto_checkout SMALLINT NOT NULL DEFAULT 0,
    recorded_by BIGINT,
    PRIMARY KEY (community_id, shift_id, volunteer_id),
    FOREIGN KEY (community_id, shift_id) REFERENCES shifts (community_id, id),
    FOREIGN KEY (community_id, volunteer_id) REFERENCES volunteers (community_id, id)
);
-- One row per piece of service. status: pending → approved | declined. A correction is a new row
-- with corrects_id set; the row it corrects stays, and totals skip every row that was corrected.
CREATE TABLE hour_records (
    community_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    volunteer_id BIGINT NOT NULL,
    activity_id BIGINT,
    shift_id BIGINT,
    served_on TEXT NOT NULL,
    minutes INTEGER NOT NULL CHECK (minutes >= 0),
    description TEXT NOT NULL DEFAULT '',
    organiser TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL CHECK (source IN ('shift', 'self_report', 'staff_entry', 'correction')),
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'declined')),
    flagged SMALLINT NOT NULL DEFAULT 0,
    reason TEXT,
    corrects_id BIGINT,
    recorded_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    decided_by TEXT,
    decided_at BIGINT,
    PRIMARY KEY (community_id, id),
    UNIQUE (community_id, shift_id, volunteer_id, source),
    FOREIGN KEY (community_id, volunteer_id) REFERENCES volunteers (community_id, id),
    FOREIGN KEY (community_id, activity_id) REFERENCES activities (community_id, id),
    FOREIGN KEY (community_id, corrects_id) REFERENCES hour_records (community_id, id)
);
CREATE INDEX hour_records_volunteer ON hour_records (community_id, volunteer_id);
CREATE TABLE vol_certificates (
    community_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    serial TEXT NOT NULL,
    volunteer_id BIGINT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    content TEXT NOT NULL,
    seal TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    issued_by TEXT NOT NULL,
    revoked_at BIGINT,
    revoked_reason TEXT,
    PRIMARY KEY (community_id, id),
    UNIQUE (community_id, serial),
    FOREIGN KEY (community_id, volunteer_id) REFERENCES volunteers (community_id, id)
);
CREATE INDEX hour_records_corrects ON hour_records (community_id, corrects_id);
