-- Issue #11 (class test: rules cannot be loosened by those they bind): lower star thresholds wait for
-- a second staff member. The thresholds asked for, by whom and when; NULL when none wait.
ALTER TABLE vol_settings ADD COLUMN pending_star_thresholds TEXT;
ALTER TABLE vol_settings ADD COLUMN pending_by BIGINT;
ALTER TABLE vol_settings ADD COLUMN pending_at BIGINT;
