-- The check-ins still open. Every scan, roster check-in and hours list first looks for check-ins
-- left open for a day (shift_sweep); without this index that look-up read every attendance row the
-- community ever had, inside the write transaction, and capped check-ins at ~100 a second with two
-- years of history (docs/benchmarks.md). Only open rows are in it, so it stays small.
CREATE INDEX attendance_open ON attendance (community_id, checkin_at) WHERE checkout_at IS NULL;
