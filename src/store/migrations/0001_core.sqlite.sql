-- SQLite only: the id sequence as a one-row table, and the append-only rule for the audit log.
CREATE TABLE id_seq (v BIGINT NOT NULL);
INSERT INTO id_seq (v) VALUES (1000);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
