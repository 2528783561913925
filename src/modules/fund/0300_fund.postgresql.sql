-- PostgreSQL: the ledger's rules as triggers.
CREATE FUNCTION fund_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE n BIGINT; total BIGINT;
BEGIN
    SELECT count(*), COALESCE(sum(amount_fen), 0) INTO n, total FROM fund_postings p
     WHERE p.community_id = NEW.community_id AND p.entry_seq = NEW.seq;
    IF n < 2 OR total <> 0 THEN
        RAISE EXCEPTION 'fund entry does not balance' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER fund_entry_balanced BEFORE INSERT ON fund_entries FOR EACH ROW EXECUTE FUNCTION fund_entry_balanced();
CREATE FUNCTION fund_postings_closed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM fund_entries e WHERE e.community_id = NEW.community_id AND e.seq = NEW.entry_seq) THEN
        RAISE EXCEPTION 'fund entry is closed' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER fund_postings_closed BEFORE INSERT ON fund_postings FOR EACH ROW EXECUTE FUNCTION fund_postings_closed();
CREATE TRIGGER fund_entries_append_only BEFORE UPDATE OR DELETE ON fund_entries FOR EACH ROW EXECUTE FUNCTION linli_append_only();
CREATE TRIGGER fund_postings_append_only BEFORE UPDATE OR DELETE ON fund_postings FOR EACH ROW EXECUTE FUNCTION linli_append_only();
