-- PostgreSQL only: the id sequence, and the append-only rule for the audit log.
CREATE SEQUENCE linli_id_seq START WITH 1001;
CREATE FUNCTION linli_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION linli_append_only();
