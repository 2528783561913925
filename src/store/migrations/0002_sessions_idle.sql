-- Sessions slide (issue #11, L11): the time a session was last used, written at most once a minute,
-- so that a session left alone for the idle limit (linli serve --session-idle-minutes, default 120)
-- ends before its absolute limit (expires_at). Sessions from before keep their login time.
ALTER TABLE sessions ADD COLUMN last_seen BIGINT;
UPDATE sessions SET last_seen = created_at;
