-- SQLite: fund_entries stays append-only, except that `linli rekey` may re-seal donor_private (the
-- donor's full name, sealed; not part of the chain text) while its marker row exists (rekey_marker,
-- 0002_rekey.sql). Every other column must stay as it was.
DROP TRIGGER fund_entries_no_update;
CREATE TRIGGER fund_entries_no_update BEFORE UPDATE ON fund_entries
WHEN NOT (EXISTS (SELECT 1 FROM rekey_marker)
          AND NEW.community_id IS OLD.community_id AND NEW.seq IS OLD.seq AND NEW.at IS OLD.at AND NEW.kind IS OLD.kind
          AND NEW.memo IS OLD.memo AND NEW.donor IS OLD.donor AND NEW.receipt_no IS OLD.receipt_no AND NEW.method IS OLD.method
          AND NEW.reverses_seq IS OLD.reverses_seq AND NEW.created_by IS OLD.created_by AND NEW.prev_hash IS OLD.prev_hash
          AND NEW.hash IS OLD.hash)
BEGIN SELECT RAISE(ABORT, 'fund_entries is append-only'); END;
