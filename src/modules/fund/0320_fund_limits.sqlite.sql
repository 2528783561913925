-- SQLite: no posting past 10^12 fen, whoever writes it (postings already written are left as they are).
CREATE TRIGGER fund_postings_in_range BEFORE INSERT ON fund_postings
WHEN NEW.amount_fen > 1000000000000 OR NEW.amount_fen < -1000000000000
BEGIN SELECT RAISE(ABORT, 'fund posting out of range (at most 10^12 fen)'); END;
