-- Issue #11 (class test: rules cannot be loosened by those they bind): a raise of the claim limit
-- waits for a second staff member. The raise asked for, by whom and when; NULL when none waits.
ALTER TABLE wish_settings ADD COLUMN pending_max_open_claims INTEGER;
ALTER TABLE wish_settings ADD COLUMN pending_by BIGINT;
ALTER TABLE wish_settings ADD COLUMN pending_at BIGINT;
