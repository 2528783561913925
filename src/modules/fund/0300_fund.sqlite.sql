-- SQLite: the ledger's rules as triggers.
CREATE TRIGGER fund_entry_balanced BEFORE INSERT ON fund_entries
WHEN (SELECT count(*) FROM fund_postings p WHERE p.community_id = NEW.community_id AND p.entry_seq = NEW.seq) < 2
  OR (SELECT sum(amount_fen) FROM fund_postings p WHERE p.community_id = NEW.community_id AND p.entry_seq = NEW.seq) <> 0
BEGIN SELECT RAISE(ABORT, 'fund entry does not balance'); END;
CREATE TRIGGER fund_postings_closed BEFORE INSERT ON fund_postings
WHEN EXISTS (SELECT 1 FROM fund_entries e WHERE e.community_id = NEW.community_id AND e.seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'fund entry is closed'); END;
CREATE TRIGGER fund_entries_no_update BEFORE UPDATE ON fund_entries BEGIN SELECT RAISE(ABORT, 'fund_entries is append-only'); END;
CREATE TRIGGER fund_entries_no_delete BEFORE DELETE ON fund_entries BEGIN SELECT RAISE(ABORT, 'fund_entries is append-only'); END;
CREATE TRIGGER fund_postings_no_update BEFORE UPDATE ON fund_postings BEGIN SELECT RAISE(ABORT, 'fund_postings is append-only'); END;
CREATE TRIGGER fund_postings_no_delete BEFORE DELETE ON fund_postings BEGIN SELECT RAISE(ABORT, 'fund_postings is append-only'); END;
