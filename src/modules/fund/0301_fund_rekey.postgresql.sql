-- PostgreSQL: fund_entries stays append-only, except that `linli rekey` may re-seal donor_private
-- (the donor's full name, sealed; not part of the chain text) while its marker row exists
-- (rekey_marker, 0002_rekey.sql). Every other column, present or added later, must stay as it was.
CREATE FUNCTION fund_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND EXISTS (SELECT 1 FROM rekey_marker)
       AND (to_jsonb(NEW) - 'donor_private') = (to_jsonb(OLD) - 'donor_private') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
DROP TRIGGER fund_entries_append_only ON fund_entries;
CREATE TRIGGER fund_entries_append_only BEFORE UPDATE OR DELETE ON fund_entries
    FOR EACH ROW EXECUTE FUNCTION fund_entries_append_only();
